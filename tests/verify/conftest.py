"""The red-team regression tests' shared case (a full bundle, two selective ones, a report; a second case),
their signed reports, and the careful forger's helpers (read, change, re-sum and re-zip a bundle)."""

from __future__ import annotations

import contextlib
import hashlib
import io
import json
import shutil
import sqlite3
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter

from evidence.api import Case
from evidence.case.canonical import canonical_text, entry_hash
from evidence.case.merkle import CHECKPOINT_KIND, Checkpoint, checkpoint_body, ledger_tree
from evidence.case.signing import SigningKey
from evidence.verify import Report
from evidence.verify.bundle import verify_bundle
from tests.export.forgery import three_notes

Members = list[tuple[str, bytes]]


@dataclass(frozen=True)
class Built:
    case: Path
    other_case: Path
    full: Path
    sel_early: Path
    sel_late: Path
    report: Path


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Built:
    """A small case of three text files (one with a non-ASCII name): a full bundle, two selective bundles of
    EX-0001 at different ledger sizes, an unsigned report; and a second case."""
    base = tmp_path_factory.mktemp("redteam")
    files = three_notes(base)
    with Case.init(base / "case", title="T", tz="Europe/London") as case:
        case.import_files(files)
        case.export(base / "full.zip")
        case.export(base / "sel1.zip", exhibits=["EX-0001"])
        case.report(base / "report.pdf")
        case.export(base / "sel2.zip", exhibits=["EX-0001"])
    with Case.init(base / "other", title="T", tz="Europe/London") as other:
        other.import_files(files[:1])
    return Built(
        base / "case",
        base / "other",
        base / "full.zip",
        base / "sel1.zip",
        base / "sel2.zip",
        base / "report.pdf",
    )


def _read(path: Path) -> Members:
    with zipfile.ZipFile(path) as zf:
        return [(info.filename, zf.read(info)) for info in zf.infolist()]


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _write(path: Path, members: Members) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in members:
            zf.writestr(zipfile.ZipInfo(name, (2026, 1, 1, 0, 0, 0)), data)
    return path


def _resum(members: Members, edit_manifest: Any = None) -> Members:
    """A careful forger: manifest.json's file list and SHA256SUMS rewritten to match the members."""
    by_name = dict(members)
    manifest = json.loads(by_name["manifest.json"])
    if edit_manifest is not None:
        edit_manifest(manifest)
    unlisted = {"manifest.json", "manifest.sig", "SHA256SUMS"}
    sums = "".join(f"{_sha(d)}  {n}\n" for n, d in members if n not in unlisted).encode()
    manifest["files"] = [
        {"name": n, "sha256": _sha(sums if n == "SHA256SUMS" else d), "size": len(d)}
        for n, d in members
        if n not in {"manifest.json", "manifest.sig"}
    ]
    manifest_bytes = json.dumps(manifest).encode()
    out: Members = []
    for name, data in members:
        if name == "manifest.json":
            data = manifest_bytes
        elif name == "SHA256SUMS":
            data = sums
        out.append((name, data))
    return out


def _check(tmp_path: Path, members: Members, **kwargs: Any) -> Report:
    guard = pytest.warns(UserWarning) if _has_duplicates(members) else contextlib.nullcontext()
    with guard:  # zipfile warns when it writes a second member with the same name, and writes it
        path = _write(tmp_path / "forged.zip", members)
    return verify_bundle(path, **kwargs)


def _has_duplicates(members: Members) -> bool:
    names = [n for n, _ in members]
    return len(names) != len(set(names))


def _exhibit(members: Members, number: str) -> str:
    return next(n for n, _ in members if n.startswith(f"exhibits/{number} "))


def _ledger_lines(members: Members) -> list[str]:
    return dict(members)["ledger.jsonl"].decode().splitlines(keepends=True)


def _with_ledger(members: Members, lines: list[str]) -> Members:
    return [(n, "".join(lines).encode() if n == "ledger.jsonl" else d) for n, d in members]


def _rekeyed(members: Members, exhibit: str, forged: bytes) -> Members:
    """Every entry re-hashed and re-signed with a new key, EX-0001's bytes replaced, case.pub swapped."""
    new = SigningKey.generate()
    entries = [json.loads(line) for line in _ledger_lines(members)]
    origin = entries[0]["body"]["case_id"]
    entries[0]["body"].update(public_key=new.public.raw.hex(), key_fingerprint=new.public.fingerprint)
    prev, hashes = "0" * 64, list[str]()
    for entry in entries:
        body = entry["body"]
        if entry["kind"] == "item.acquired" and body["exhibit"] == "EX-0001":
            body["sha256"], body["size"] = _sha(forged), len(forged)
            for item in body.get("objects", []):
                item["sha256"], item["size"] = _sha(forged), len(forged)
        if entry["kind"] == CHECKPOINT_KIND:
            size = entry["seq"] - 1
            tool = body.get("tool")
            body = checkpoint_body(Checkpoint(origin, size, ledger_tree(hashes[:size]).root()), new)
            body["tool"] = tool
            entry["body"] = body
        entry["prev"] = prev
        entry["hash"] = prev = entry_hash(prev, entry["kind"], entry["recorded_at"], body)
        entry["sig"] = new.sign(bytes.fromhex(prev)).hex()
        hashes.append(prev)
    assert canonical_text(entries[0]["body"])
    lines = [json.dumps(e, ensure_ascii=False) + "\n" for e in entries]
    swapped = [
        (n, forged if n == exhibit else new.public.to_pem() if n == "case.pub" else d)
        for n, d in _with_ledger(members, lines)
    ]

    def head(manifest: dict[str, Any]) -> None:
        last = entries[-1]
        manifest["built_from"] = {
            "seq": last["seq"],
            "hash": last["hash"],
            "recorded_at": last["recorded_at"],
        }

    return _resum(swapped, head)


def _swap_first_page(src: Path, dst: Path) -> Path:
    writer = IncrementalPdfFileWriter(io.BytesIO(src.read_bytes()))
    page = writer.root["/Pages"]["/Kids"][0].get_object()
    page["/Contents"] = writer.add_object(
        generic.StreamObject(stream_data=b"BT /F1 24 Tf 72 700 Td (I made all of this up) Tj ET")
    )
    writer.update_container(page)
    out = io.BytesIO()
    writer.write(out)  # type: ignore[no-untyped-call]  # pyHanko's writer is untyped
    dst.write_bytes(out.getvalue())
    return dst


def _codes(found: Report) -> set[tuple[str, str | None]]:
    return {(f.code, f.path) for f in found.findings}


def _resigned(members: Members, key: SigningKey, edit: Any) -> Members:
    """What the key holder can do: edit entries, then re-hash and re-sign the chain, the checkpoints, the
    manifest (its head, lists and signature): every signature is valid."""
    entries = [json.loads(line) for line in _ledger_lines(members)]
    edit(entries)
    origin = entries[0]["body"]["case_id"]
    prev, hashes = "0" * 64, list[str]()
    for entry in entries:
        if entry["kind"] == CHECKPOINT_KIND:
            size = entry["seq"] - 1
            tool = entry["body"].get("tool")
            entry["body"] = checkpoint_body(Checkpoint(origin, size, ledger_tree(hashes[:size]).root()), key)
            entry["body"]["tool"] = tool
        entry["prev"] = prev
        entry["hash"] = prev = entry_hash(prev, entry["kind"], entry["recorded_at"], entry["body"])
        entry["sig"] = key.sign(bytes.fromhex(prev)).hex()
        hashes.append(prev)
    lines = [json.dumps(e, ensure_ascii=False) + "\n" for e in entries]

    def head(manifest: dict[str, Any]) -> None:
        last = entries[-1]
        manifest["built_from"] = {
            "seq": last["seq"],
            "hash": last["hash"],
            "recorded_at": last["recorded_at"],
        }

    out = _resum(_with_ledger(members, lines), head)
    manifest = dict(out)["manifest.json"]
    sig = key.sign(b"evidence/bundle-manifest/v1\x00" + manifest)
    return [(n, sig if n == "manifest.sig" else d) for n, d in out]


def _set_time(seq: int, value: str) -> Any:
    def edit(entries: list[dict[str, Any]]) -> None:
        entries[seq - 1]["recorded_at"] = value

    return edit


@pytest.fixture(scope="module")
def signed(built: Built, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, str]:
    """A signed report of a copy of the case, and of the other case (the attacker's own): (real, own, key)."""
    base = tmp_path_factory.mktemp("signed")
    shutil.copytree(built.case, base / "case")
    shutil.copytree(built.other_case, base / "other")
    with Case.open(base / "case") as case:
        case.report(base / "real.pdf", sign=True)
        fingerprint = case.public_key.fingerprint
    with Case.open(base / "other") as other:
        other.report(base / "own.pdf", sign=True)
    return base / "real.pdf", base / "own.pdf", fingerprint


def _drop_tail(root: Path, after: int, *, private_too: bool = True) -> None:
    """Delete the entries after ``after`` with the append-only triggers dropped and put back (attack 10); with
    ``private_too`` their private details as well (as a careful attacker would)."""
    db = sqlite3.connect(root / "evidence.db")
    triggers = db.execute("SELECT name, sql FROM sqlite_master WHERE type = 'trigger'").fetchall()
    for name, _ in triggers:
        db.execute(f"DROP TRIGGER {name}")
    db.execute("DELETE FROM ledger WHERE seq > ?", (after,))
    if private_too:
        db.execute(
            "DELETE FROM entry_private WHERE sha256 NOT IN (SELECT json_extract(body, "
            "'$.private_details.sha256') FROM ledger WHERE body LIKE '%private_details%')"
        )
    for _, sql in triggers:
        db.execute(sql)
    db.commit()
    db.close()
