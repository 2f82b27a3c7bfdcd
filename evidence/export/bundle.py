"""Write an export bundle: a zip a recipient can check by hand or with ``evidence verify bundle.zip``.

Members, in this fixed order (``evidence.verify.bundle`` checks them):

  VERIFY.txt                     how to check the bundle, what it proves and does not, the format's rules
                                 (``evidence.export.instructions``)
  exhibits/EX-0003 <name>        the selected originals, byte for byte (stored, not compressed)
  derived/EX-0003 entry 9 records.json, ... ocr-tesseract.json
                                 what the toolkit read from each exhibit: the records blob and the OCR result of
                                 each ``records.derived`` entry of an included exhibit (``add_derived``)
  report/<name>.pdf              the report, when asked for (it must match a ``report.generated`` entry)
  ledger.jsonl                   every ledger entry up to the head, one per line as ``evidence log --json``
  case.pub                       the case's Ed25519 public key (the one the genesis entry names), PEM
  anchors/NNNN.tsr, NNNN.digest  each RFC 3161 timestamp token (entry NNNN) and the head hash it covers (hex),
  anchors/NNNN-ca.pem            and the trust anchor it was checked against, for ``openssl ts -verify``
  proofs.json                    only in a selective bundle: the checkpoint and the Merkle proofs of the
                                 disclosed entries (``evidence.export.disclose``)
  SHA256SUMS                     ``sha256sum -c`` input for every member above
  manifest.json                  case, head, key fingerprint, every member above with its SHA-256 and size
                                 (SHA256SUMS too), full or selective and which entries it carries, exhibits
                                 included (with their ``item.acquired`` entry) and withheld (by hash; not in a
                                 selective bundle)
  manifest.sig                   Ed25519 signature by the case key over ``MANIFEST_SIG_TAG`` + manifest.json's
                                 exact bytes (64 raw bytes): what binds every member, and the newest entry
                                 (``export.created``, which is not in the bundle), to the holder of the case key

The bytes are deterministic: fixed order, fixed permissions, and every member's time is the head entry's time
(UTC), so the same case and selection give the same zip. A full bundle carries the whole ledger: withheld
exhibits appear only as their hashes in ``item.acquired`` bodies. A selective bundle carries only the disclosed
entries and their Merkle proofs (``evidence.export.disclose``).
"""

from __future__ import annotations

import hashlib
import json
import os
import zipfile
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, BinaryIO

from evidence import __version__
from evidence.case.formats import (
    ANCHOR_KIND,
    BUNDLE_DERIVED,
    BUNDLE_FORMAT,
    BUNDLE_INSTRUCTIONS,
    BUNDLE_KEY,
    BUNDLE_LEDGER,
    BUNDLE_MANIFEST,
    BUNDLE_MANIFEST_SIG,
    BUNDLE_PROOFS,
    BUNDLE_SUMS,
    DERIVED_OCR,
    MANIFEST_SIG_TAG,
    MAX_COMPONENT_BYTES,
    UNSAFE_NAME_CHARS,
    Kind,
    anchor_member,
    fit_name,
    member_name,
)
from evidence.case.ledger import Entry, Head
from evidence.case.signing import PublicKey, SigningKey
from evidence.case.store import ObjectStore, hash_file
from evidence.errors import InputError, StorageError, UsageError
from evidence.export.disclose import disclosed_entries, proofs_document
from evidence.export.instructions import instructions

FORMAT = BUNDLE_FORMAT
CHUNK = 1 << 20


@dataclass(frozen=True)
class BundleFile:
    """One member of the bundle as written."""

    name: str
    sha256: str
    size: int
    role: str  # exhibit, report, ledger, key, instructions, manifest

    def to_json(self) -> dict[str, Any]:
        """As listed in manifest.json and the export.created entry."""
        return {"name": self.name, "sha256": self.sha256, "size": self.size, "role": self.role}


@dataclass(frozen=True)
class BuiltBundle:
    """What was written: the zip's hash and size, and what went into it."""

    sha256: str
    size: int
    built_from: Head
    files: tuple[BundleFile, ...]  # every member except manifest.sig
    included: tuple[dict[str, Any], ...]
    withheld: tuple[dict[str, Any], ...]
    report_entry: int | None


def select_exhibits(
    exhibits: list[dict[str, Any]], wanted: Sequence[str] | None
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Split the case's exhibits into (included, withheld); every one when ``wanted`` is None."""
    if wanted is None:
        return list(exhibits), []
    known = {e["exhibit"]: e for e in exhibits}
    chosen = {w.strip().upper() for w in wanted if w.strip()}
    unknown = sorted(chosen - known.keys())
    if unknown:
        raise UsageError(
            f"no exhibit {unknown[0]} in this case", hint="'evidence log' lists the exhibit numbers"
        )
    if not chosen:
        raise UsageError("--exhibits names no exhibit", hint="--exhibits EX-0003,EX-0007")
    return [e for e in exhibits if e["exhibit"] in chosen], [
        e for e in exhibits if e["exhibit"] not in chosen
    ]


def find_report(entries: list[Entry], pdf: Path) -> tuple[Entry, str]:
    """The ``report.generated`` entry (newest first) whose SHA-256 the file at ``pdf`` has, and its name."""
    reports = [e for e in entries if e.kind == Kind.REPORT_GENERATED]
    if not reports:
        raise UsageError("the case has no report yet", hint="write one first: evidence report -o report.pdf")
    try:
        sha = hash_file(pdf)[0]
    except OSError as exc:
        raise InputError(f"cannot read the report ({exc.strerror})", path=pdf) from None
    for entry in reversed(reports):
        body = entry.body
        if body.get("sha256") == sha:
            name = UNSAFE_NAME_CHARS.sub("_", str(body.get("file_name") or "report.pdf")).strip(" .")
            return entry, f"report/{fit_name(name, MAX_COMPONENT_BYTES) if name else 'report.pdf'}"
    raise InputError(
        "is not a report recorded in this case's ledger (its SHA-256 matches no report.generated entry)",
        path=pdf,
        hint="give the PDF that 'evidence report' wrote, unchanged",
    )


def _zip_time(recorded_at: str) -> tuple[int, int, int, int, int, int]:
    when = datetime.fromisoformat(recorded_at)
    if when.year < 1980:  # the zip format cannot say earlier
        return (1980, 1, 1, 0, 0, 0)
    return (when.year, when.month, when.day, when.hour, when.minute, when.second)


class _Writer:
    def __init__(self, zf: zipfile.ZipFile, date_time: tuple[int, int, int, int, int, int]) -> None:
        self.zf = zf
        self.date_time = date_time
        self.files: list[BundleFile] = []

    def _info(self, name: str, compress: int) -> zipfile.ZipInfo:
        info = zipfile.ZipInfo(name, self.date_time)
        info.compress_type = compress
        info.create_system = 3
        info.external_attr = 0o100644 << 16
        return info

    def add_bytes(self, name: str, data: bytes, role: str) -> None:
        self.zf.writestr(self._info(name, zipfile.ZIP_DEFLATED), data)
        self.files.append(BundleFile(name, hashlib.sha256(data).hexdigest(), len(data), role))

    def add_unlisted(self, name: str, data: bytes) -> None:
        """manifest.sig: the last member, listed nowhere (the manifest it signs cannot hold its hash)."""
        self.zf.writestr(self._info(name, zipfile.ZIP_DEFLATED), data)

    def add_object(self, name: str, store: ObjectStore, sha: str, size: int, role: str) -> None:
        info = self._info(name, zipfile.ZIP_STORED)
        info.file_size = size
        digest = hashlib.sha256()
        written = 0
        with store.open(sha) as src, self.zf.open(info, "w", force_zip64=size > 0x7FFFFFFF) as out:
            while chunk := src.read(CHUNK):
                digest.update(chunk)
                out.write(chunk)
                written += len(chunk)
        if digest.hexdigest() != sha or written != size:
            raise StorageError(
                "a stored original no longer matches its hash; nothing was exported",
                path=store.relpath_for(sha),
                hint="run 'evidence verify'",
            )
        self.files.append(BundleFile(name, sha, size, role))

    def add_path(self, name: str, path: Path, sha: str, role: str) -> None:
        size = path.stat().st_size
        info = self._info(name, zipfile.ZIP_STORED)
        info.file_size = size
        digest = hashlib.sha256()
        with open(path, "rb") as src, self.zf.open(info, "w", force_zip64=size > 0x7FFFFFFF) as out:
            while chunk := src.read(CHUNK):
                digest.update(chunk)
                out.write(chunk)
        if digest.hexdigest() != sha:
            raise InputError("changed while it was being exported", path=path)
        self.files.append(BundleFile(name, sha, size, role))


def build_bundle(
    out: BinaryIO,
    *,
    entries: list[Entry],
    genesis: dict[str, Any],
    exhibits: list[dict[str, Any]],
    store: ObjectStore,
    only: Sequence[str] | None = None,
    report: Path | None = None,
    selective: bool = False,
    records: Collection[str] = (),
    signer: SigningKey,
) -> BuiltBundle:
    """Write the bundle for ``entries`` (the whole ledger, up to its head) into ``out``; fsynced, not closed.

    ``selective``: carry only the entries of the included exhibits, with their Merkle proofs against the newest
    checkpoint (``evidence.export.disclose``), and no list of the withheld exhibits; ``records`` are the ids of
    the included exhibits' records (entries about them are disclosed too). ``signer`` is the case's key: it
    signs manifest.json (``manifest.sig``); it must be the key the genesis entry names."""
    head_entry = entries[-1]
    head = Head(head_entry.seq, head_entry.hash)
    included, withheld = select_exhibits(exhibits, only)
    report_entry, report_name = find_report(entries, report) if report is not None else (None, None)
    key = PublicKey.from_hex(str(genesis["public_key"]))
    if signer.public.fingerprint != key.fingerprint:
        raise UsageError(
            "the signing key is not the key the case's genesis entry names; nothing was exported"
        )
    disclosure = _disclosure(entries, included, report_entry, records) if selective else None
    shown = disclosure.entries if disclosure else entries  # a selective bundle carries only these
    start = out.tell()
    with zipfile.ZipFile(out, "w", allowZip64=True) as zf:
        writer = _Writer(zf, _zip_time(head_entry.recorded_at))
        sizes = (disclosure.tree_size, len(disclosure.entries)) if disclosure else None
        page = instructions(genesis, head, key.fingerprint, shown, sizes)
        writer.add_bytes(BUNDLE_INSTRUCTIONS, page.encode(), "instructions")
        listed: list[dict[str, Any]] = []
        for ex in included:
            name = member_name(ex["exhibit"], ex["original_name"])
            writer.add_object(name, store, ex["sha256"], int(ex["size"]), "exhibit")
            listed.append(
                {
                    "exhibit": ex["exhibit"],
                    "sha256": ex["sha256"],
                    "size": ex["size"],
                    "original_name": ex["original_name"],
                    "file": name,
                    "acquired_seq": ex["seq"],
                }
            )
        derived = add_derived(writer, shown, included, store)
        if report is not None and report_entry is not None and report_name is not None:
            writer.add_path(report_name, report, str(report_entry.body["sha256"]), "report")
        ledger = "".join(json.dumps(e.to_json(), ensure_ascii=False) + "\n" for e in shown)
        writer.add_bytes(BUNDLE_LEDGER, ledger.encode("utf-8"), "ledger")
        writer.add_bytes(BUNDLE_KEY, key.to_pem(), "key")
        anchored = add_anchors(writer, shown, store)
        if disclosure is not None:
            writer.add_bytes(BUNDLE_PROOFS, disclosure.proofs_bytes(), "proofs")
        held = [{"exhibit": e["exhibit"], "sha256": e["sha256"], "size": e["size"]} for e in withheld]
        if disclosure is not None:
            held = []  # not even their hashes: a selective bundle says nothing of what it withholds
        manifest = {
            "format": FORMAT,
            "case": {
                "case_id": genesis.get("case_id"),
                "title": genesis.get("title"),
                "tz": genesis.get("tz"),
            },
            "built_from": {"seq": head.seq, "hash": head.hash, "recorded_at": head_entry.recorded_at},
            "key_fingerprint": key.fingerprint,
            "files": [f.to_json() for f in writer.files],
            "exhibits": {"included": listed, "withheld": held},
            "report": {"file": report_name, "entry": report_entry.seq} if report_entry else None,
            "anchors": anchored,
            "derived": derived,
            "tool": {"name": "evidence", "version": __version__},
            "disclosure": disclosure.manifest() if disclosure else {"mode": "full"},
        }
        _sign_manifest(writer, manifest, shown, signer)
    out.flush()
    os.fsync(out.fileno())
    end = out.tell()
    out.seek(start)
    digest = hashlib.sha256()
    while chunk := out.read(CHUNK):
        digest.update(chunk)
    return BuiltBundle(
        sha256=digest.hexdigest(),
        size=end - start,
        built_from=head,
        files=tuple(writer.files),
        included=tuple(listed),
        withheld=tuple(held),
        report_entry=report_entry.seq if report_entry else None,
    )


def _sign_manifest(writer: _Writer, manifest: dict[str, Any], shown: list[Entry], signer: SigningKey) -> None:
    """SHA256SUMS (every member so far), then manifest.json listing every member (SHA256SUMS too), which
    entries the bundle carries, and then manifest.sig: the case key's signature over the manifest's bytes."""
    sums = "".join(f"{f.sha256}  {f.name}\n" for f in writer.files)
    writer.add_bytes(BUNDLE_SUMS, sums.encode("utf-8"), "sums")
    manifest["files"] = [f.to_json() for f in writer.files]
    manifest["carried_entries"] = {"count": len(shown), "seqs": [e.seq for e in shown]}
    manifest["signature"] = {
        "file": BUNDLE_MANIFEST_SIG,
        "algorithm": "Ed25519",
        "signed": MANIFEST_SIG_TAG.decode("ascii").rstrip("\x00") + " + NUL + manifest.json",
    }
    data = (json.dumps(manifest, indent=2, sort_keys=True, ensure_ascii=False) + "\n").encode("utf-8")
    writer.add_bytes(BUNDLE_MANIFEST, data, "manifest")
    writer.add_unlisted(BUNDLE_MANIFEST_SIG, signer.sign(MANIFEST_SIG_TAG + data))


@dataclass(frozen=True)
class _Disclosure:
    """What a selective bundle carries of the ledger: the disclosed entries and their proofs."""

    entries: list[Entry]
    proofs: dict[str, Any]
    tree_size: int

    def proofs_bytes(self) -> bytes:
        return (json.dumps(self.proofs, indent=1, sort_keys=True, ensure_ascii=False) + "\n").encode("utf-8")

    def manifest(self) -> dict[str, Any]:
        return {"mode": "selected", "tree_size": self.tree_size, "entries": len(self.entries)}


def _disclosure(
    entries: list[Entry], included: list[dict[str, Any]], report: Entry | None, records: Collection[str]
) -> _Disclosure:
    exhibits = {e["exhibit"] for e in included}
    chosen = disclosed_entries(entries, exhibits, report.seq if report else None, records)
    proofs = proofs_document(entries, chosen)
    return _Disclosure(chosen, proofs, int(proofs["checkpoint"]["size"]))


# -- trusted timestamps (RFC 3161) -------------------------------------------------------------------------


def add_derived(
    writer: _Writer, entries: list[Entry], included: list[dict[str, Any]], store: ObjectStore
) -> list[dict[str, Any]]:
    """What the toolkit read from each included exhibit, as the case stores it: the records blob of each of
    its ``records.derived`` entries (the parsed records and the import's warnings, canonical JSON) and the OCR
    results it names (``ocr-*.json``), each under ``derived/`` with the entry's number in its name, so an
    examiner can compare the report's rows with the parse without the toolkit; each hash is in that signed
    entry (``evidence verify`` checks it: ``UNKNOWN_DERIVED``)."""
    numbers = {str(ex["sha256"]): str(ex["exhibit"]) for ex in included}
    listed: list[dict[str, Any]] = []
    for entry in entries:
        if entry.kind != Kind.RECORDS_DERIVED:
            continue
        exhibit = numbers.get(str(entry.body.get("item_sha256")))
        if exhibit is None:
            continue
        for obj in entry.body.get("objects") or []:
            if not isinstance(obj, dict) or not isinstance(obj.get("sha256"), str):
                continue
            name = obj.get("name")
            if obj.get("role") == "records":
                label = "records.json"
            elif obj.get("role") == "attachment" and isinstance(name, str) and DERIVED_OCR.fullmatch(name):
                label = name
            else:
                continue  # an attachment of a message: inside its exhibit already
            member = f"{BUNDLE_DERIVED}{exhibit} entry {entry.seq} {label}"
            writer.add_object(member, store, obj["sha256"], int(obj.get("size") or 0), "derived")
            listed.append(
                {
                    "exhibit": exhibit,
                    "entry": entry.seq,
                    "file": member,
                    "sha256": obj["sha256"],
                    "what": label,
                }
            )
    return listed


def _anchor_entries(entries: list[Entry]) -> list[tuple[Entry, dict[str, Any]]]:
    return [(e, e.body) for e in entries if e.kind == ANCHOR_KIND]


def add_anchors(writer: _Writer, entries: list[Entry], store: ObjectStore) -> list[dict[str, Any]]:
    """Add each timestamp token of the ledger, the head hash it covers, and its trust anchor (PEM)."""
    from cryptography import x509
    from cryptography.hazmat.primitives.serialization import Encoding

    listed: list[dict[str, Any]] = []
    for entry, body in _anchor_entries(entries):
        token_sha = str(body["token_sha256"])
        token = store.read_bytes(token_sha)
        if hashlib.sha256(token).hexdigest() != token_sha:
            raise StorageError(
                "a stored timestamp token no longer matches its hash; nothing was exported",
                path=store.relpath_for(token_sha),
                hint="run 'evidence verify'",
            )
        item: dict[str, Any] = {
            "entry": entry.seq,
            "covers": body["covers"],
            "gen_time": body["gen_time"],
            "token": anchor_member(entry.seq, ".tsr"),
            "digest": anchor_member(entry.seq, ".digest"),
            "ca": None,
        }
        writer.add_bytes(item["token"], token, "anchor")
        writer.add_bytes(item["digest"], f"{body['covers']['hash']}\n".encode(), "anchor")
        if body.get("trust_anchor"):
            der = store.read_bytes(str(body["trust_anchor"]["sha256"]))
            item["ca"] = anchor_member(entry.seq, "-ca.pem")
            writer.add_bytes(
                item["ca"], x509.load_der_x509_certificate(der).public_bytes(Encoding.PEM), "anchor"
            )
        listed.append(item)
    return listed
