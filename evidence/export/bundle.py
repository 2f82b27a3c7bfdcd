"""Write an export bundle: a zip a recipient can check by hand or with ``evidence verify bundle.zip``.

Members, in this fixed order (``evidence.verify.bundle`` checks them):

  VERIFY.txt                     how to check the bundle, what it proves and does not, the format's rules
  exhibits/EX-0003 <name>        the selected originals, byte for byte (stored, not compressed)
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
    BUNDLE_FORMAT,
    BUNDLE_INSTRUCTIONS,
    BUNDLE_KEY,
    BUNDLE_LEDGER,
    BUNDLE_MANIFEST,
    BUNDLE_MANIFEST_SIG,
    BUNDLE_PROOFS,
    BUNDLE_SUMS,
    CHECKPOINT_KIND,
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
from evidence.export.disclose import (
    MERKLE_SECTION,
    disclosed_entries,
    disclosure_notice,
    proofs_document,
)

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
        instructions = verify_text(genesis, head, key.fingerprint) + anchors_text(shown)
        writer.add_bytes(
            BUNDLE_INSTRUCTIONS, _with_merkle_text(instructions, disclosure).encode(), "instructions"
        )
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


def _with_merkle_text(instructions: str, disclosure: _Disclosure | None) -> str:
    """VERIFY.txt with the checkpoint section, and the partial-disclosure notice first when it applies."""
    notice = disclosure_notice(disclosure.tree_size, len(disclosure.entries)) if disclosure else ""
    return notice + instructions + MERKLE_SECTION


def verify_text(genesis: dict[str, Any], head: Head, fingerprint: str) -> str:
    """VERIFY.txt: the plain-language page for the recipient, with the format's rules."""
    return VERIFY_TEMPLATE.format(
        title=genesis.get("title"),
        case_id=genesis.get("case_id"),
        head=str(head),
        fingerprint=fingerprint,
        version=__version__,
    )


VERIFY_TEMPLATE = """\
HOW TO CHECK THIS EVIDENCE BUNDLE
=================================

Case:            {title}
Case id:         {case_id}
Ledger head:     {head}
Signing key:     {fingerprint}  (SHA-256 of the Ed25519 public key)
Written by:      evidence {version}

This folder (or zip) was written by "evidence", an open-source tool that keeps harassment evidence
unaltered. It holds:

  exhibits/      the original files, byte for byte, named "EX-0003 <original file name>"
  report/        the PDF report, when one was included
  ledger.jsonl   the case's chain of custody: every entry, one per line, each hashed and signed
  case.pub       the public key that checks the signatures (its SHA-256 is the "signing key" above)
  SHA256SUMS     the SHA-256 of every file in the bundle except itself, manifest.json and manifest.sig
  manifest.json  what is in the bundle: every file with its SHA-256 and size (SHA256SUMS too), whether
                 it carries the whole ledger or some entries (and which), which exhibits are included
                 and which were withheld (by their SHA-256 only)
  manifest.sig   the case key's Ed25519 signature over manifest.json: what ties the list of files to
                 the holder of the case key (the lists alone prove nothing: anyone can rewrite them)
  VERIFY.txt     this page

Ask the sender for the "signing key" fingerprint and the "ledger head" by another route (a phone call,
a letter) and compare them with the values above: that is what ties this bundle to the person who
made it.


1. CHECK THE FILES BY HAND (no software to install)
---------------------------------------------------

Unzip the bundle and open a terminal in the unzipped folder. Three steps, in this order; each must pass. The
lists (SHA256SUMS, ledger.jsonl) prove nothing alone (anyone can rewrite them): what ties them to the
holder of the case key is manifest.json, which is signed, and which gives the SHA-256 of SHA256SUMS and of
every exhibit.

(a) manifest.json is signed by the case key (OpenSSL 3; it must print "Signature Verified Successfully"):

  printf 'evidence/bundle-manifest/v1\\000' | cat - manifest.json > manifest.signed
  openssl pkeyutl -verify -pubin -inkey case.pub -rawin -in manifest.signed -sigfile manifest.sig

    and case.pub is the key whose fingerprint the sender gave you:
  openssl pkey -pubin -in case.pub -outform DER | tail -c 32 | sha256sum

(b) SHA256SUMS is the one the signed manifest names (it must print "SHA256SUMS: OK"):

  Linux:  grep -A3 '"name": "SHA256SUMS"' manifest.json | grep -q "$(sha256sum SHA256SUMS | cut -c1-64)" \\
            && echo "SHA256SUMS: OK" || echo "SHA256SUMS: FAILED"
  macOS:  the same with "shasum -a 256" in place of "sha256sum".
  Windows: certutil -hashfile SHA256SUMS SHA256, and find that hash in manifest.json beside "SHA256SUMS".

(c) every file has the SHA-256 that SHA256SUMS gives:

  Linux:     sha256sum -c SHA256SUMS
  macOS:     shasum -a 256 -c SHA256SUMS
  Windows:   certutil -hashfile "exhibits\\EX-0001 name.ext" SHA256
             (PowerShell: Get-FileHash -Algorithm SHA256 "exhibits\\EX-0001 name.ext")
             and compare the hash printed with the line for that file in SHA256SUMS.

Every line must say OK (Linux, macOS) or match (Windows); if (b) fails, SHA256SUMS was changed after signing.
Each exhibit's SHA-256 is also in manifest.json ("exhibits") and in its signed "item.acquired" ledger entry.


2. CHECK EVERYTHING WITH THE TOOL
---------------------------------

On any computer (it does not need the case, the sender's computer, or a network connection):

  install the "evidence" toolkit (the same version as above, or later), then:
  evidence verify bundle.zip
  evidence verify bundle.zip --expect-key {fingerprint}

It reads the zip without unpacking it and checks, naming every problem it finds:
  (1) the zip is safe to read, and every zip program reads it alike (one end record, no comment,
      nothing hidden between members, no extra field that renames one, only plain files, names that
      leave no folder and fit every file system, sizes bounded);
  (2) manifest.json lists every file and no other, SHA256SUMS agrees, and every file still has its
      SHA-256 (MODIFIED, MISSING, EXTRA);
  (3) the ledger: every entry's hash recomputes, every entry is chained to the one before it from the
      first, every signature verifies with the key the first entry names, case.pub is that key
      (KEY_REPLACED), every entry's time has its UTC offset (RECORDED_AT_INVALID), and the ledger ends at
      the head named in manifest.json (HEAD_MISMATCH); manifest.sig is that key's signature over
      manifest.json (MANIFEST_SIGNATURE), and all the manifest says rests on the ledger: the case id,
      title and key fingerprint are the first entry's, the entries it lists are the ones carried, each
      included exhibit is its item.acquired entry (MANIFEST_MISMATCH), and, with the whole ledger, every
      exhibit acquired is included or listed as withheld (EXHIBIT_UNACCOUNTED);
  (4) every exhibit is named by an item.acquired entry with its SHA-256 (UNKNOWN_EXHIBIT) and has the
      original name that entry recorded (EXHIBIT_RENAMED);
  (5) the report's SHA-256 is the one its report.generated entry recorded;
  (6) every trusted timestamp under anchors/ (section 5, when present) re-checks.
It prints OK and exits with status 0 only when every check passes.


3. WHAT THIS PROVES, AND WHAT IT DOES NOT
-----------------------------------------

It proves: each exhibit is, bit for bit, the file that was recorded in the ledger when it was acquired,
under that name; the ledger was not altered, reordered, or had entries inserted or removed (except at
the end) since it was written; and the list of files and of withheld exhibits in manifest.json is the
sender's: all this against anyone who did not hold the private signing key. The newest ledger entry
(export.created, which records this bundle) cannot be inside it: manifest.json names the head it was
built from.

It does not prove:
  - who wrote a message, or that a screenshot shows what an app really displayed: the record starts when
    the file was acquired, not before;
  - that the times in the ledger are true: they come from the sender's computer clock, except where a
    trusted timestamp (section 5, when present) shows the ledger existed by the time a TSA signed;
  - that nothing was removed from the end of the ledger, or that the sender did not make a whole new
    ledger with a new key: compare the ledger head and the key fingerprint with values you received
    earlier or by another route;
  - anything about the withheld exhibits other than their SHA-256 and the facts in their ledger entries.


4. THE FORMAT (enough to write your own checker)
------------------------------------------------

Canonical JSON (a subset of RFC 8785 that needs no float formatting):
  * objects with string keys, sorted by Unicode code point; no duplicate keys;
  * no whitespace: separators "," and ":";
  * strings as UTF-8, not \\u-escaped except where JSON requires it (control characters, '"', '\\');
  * integers only, within +/- 2**53; no floats, no NaN;
  * true, false, null, arrays.

Each line of ledger.jsonl is one entry: seq, recorded_at (UTC, RFC 3339 with microseconds and the offset
written "+00:00"; a time without an offset is refused), kind, body, prev, hash, sig.

  hash = SHA-256( "evidence/ledger-entry/v1" || 0x00 || prev (32 bytes, from hex)
                  || canonical({{"body": body, "kind": kind, "recorded_at": recorded_at}}) )

  prev is the previous entry's hash (64 zeros, i.e. 32 zero bytes, for the first entry), so each entry
  commits to every entry before it. The entry's seq is not hashed: the chain fixes its position.

  sig  = Ed25519 signature of the 32 bytes of hash (not of its hex), by the case's key.

The first entry (kind "case.created") names the key: "public_key" (64 hex digits, the raw 32-byte
Ed25519 key) and "key_fingerprint" (SHA-256 of those 32 bytes). case.pub holds the same key as a PEM
SubjectPublicKeyInfo ("openssl pkey -pubin -in case.pub -text" shows it).

An "item.acquired" entry records an original: "exhibit", "sha256", "size", "original_name", "media_type"
and how and when it was acquired. A "report.generated" entry records a report's "sha256".

  manifest.sig = Ed25519 signature (64 raw bytes) of  "evidence/bundle-manifest/v1" || 0x00 || the bytes
                 of manifest.json, by the case's key.

manifest.json's "files" lists every member but manifest.json and manifest.sig; "carried_entries" the seq
of every entry in ledger.jsonl; "exhibits" the included ones (each with its "acquired_seq") and, in a
full bundle, every other exhibit of the ledger as withheld, by its hash.
"""


# -- trusted timestamps (RFC 3161) -------------------------------------------------------------------------


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


def anchors_text(entries: list[Entry]) -> str:
    """Section 5 of VERIFY.txt: the trusted timestamps and the openssl commands that check them."""
    found = _anchor_entries(entries)
    if not found:
        return ""
    covered_kind = {e.seq: e.kind for e in entries}
    lines = [
        "",
        "",
        "5. TRUSTED TIMESTAMPS (RFC 3161)",
        "--------------------------------",
        "",
        "A Time-Stamp Authority (TSA), an outside service, signed the hash of one ledger entry: proof,",
        "independent of the sender's clock, that the ledger up to that entry existed at the TSA's time. Only",
        "the hash was sent to the TSA. The entry timestamped is a checkpoint (checkpoint.signed, section 4):",
        "the signed root of the whole ledger as it then stood. So even a bundle that discloses only some",
        "originals shows that the ledger holding them existed, complete, at that time: 'evidence verify'",
        "checks the token against the checkpoint entry, the checkpoint's signed root, and the proof that the",
        "ledger at that checkpoint is the start of the ledger this bundle was made from.",
        "Check each token with OpenSSL, in the unzipped folder (each command must print 'Verification: OK'):",
        "",
    ]
    for entry, body in found:
        covers = body["covers"]
        what = "checkpoint" if covered_kind.get(int(covers["seq"])) == CHECKPOINT_KIND else "ledger head"
        lines.append(f"  entry {entry.seq}: {what} {covers['seq']}:{covers['hash']}")
        lines.append(f"    at {body['gen_time']} per {body.get('tsa_name') or body.get('tsa_url')}")
        token, digest = anchor_member(entry.seq, ".tsr"), covers["hash"]
        if body.get("trust_anchor"):
            lines.append(
                f"    openssl ts -verify -digest {digest} -in {token} -token_in -CAfile {anchor_member(entry.seq, '-ca.pem')}"
            )
        else:
            lines.append(
                f"    openssl ts -verify -digest {digest} -in {token} -token_in -CAfile <the TSA's root certificate>"
            )
            lines.append(
                "    (no trust anchor was recorded: obtain the TSA's root certificate from the TSA itself)"
            )
        lines.append("")
    lines += [
        "The digest is the hash of that ledger entry (its line in ledger.jsonl); anchors/NNNN.digest holds it too.",
        "The -CAfile given here is the root the sender chose; compare it with the one the TSA publishes.",
        "",
    ]
    return "\n".join(lines)
