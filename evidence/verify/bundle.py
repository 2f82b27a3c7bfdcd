"""Verify an export bundle (the zip ``evidence export`` writes) on a machine that has never seen the case.

The zip is read in place, member by member, never extracted to disk. The checks, numbered here and in the code:

  (1) Safe to read, and read alike by every zip reader (``evidence.verify.zipstrict``): one end record and no
      comment, the local entries back to back from byte 0 to the central directory and saying what it says,
      no extra field that renames, at most ``MAX_MEMBERS`` plain-file members (no directory, link or special
      file, not encrypted, stored or deflated), each name relative, without ``..``, fit for every common file
      system and present once even ignoring case and Unicode normalisation, none larger than
      ``MAX_MEMBER_SIZE``, together at most ``MAX_TOTAL_SIZE``, none compressed more than ``MAX_RATIO`` to 1
      (past 1 MiB). Any of these is ``UNSAFE_ZIP`` naming the member (a local header that disagrees with the
      central directory: ``MODIFIED``), and nothing is read. A file that is not a readable zip is
      ``BUNDLE_UNREADABLE``. Every count and size is checked before the work it bounds: here, and the text
      members' sizes, ledger lines and findings in (2) and (3).
  (2) Files: ``manifest.json`` lists every member but itself and ``manifest.sig``, ``SHA256SUMS`` every
      member but those and itself, with the same SHA-256, and every member re-hashes to it: ``MODIFIED``
      (content, or a damaged member: a deflate stream that ends before or after its declared end, another
      size or CRC; at most ``MAX_LINE_FINDINGS`` malformed lines of SHA256SUMS are named), ``MISSING`` (listed but absent), ``EXTRA`` (present but not listed).
  (3) Ledger (``ledger.jsonl``): each line is one entry as ``evidence log --json`` prints it (else
      ``LEDGER_MALFORMED`` naming the line); then exactly the case verifier's checks (2)-(5) over those
      entries: genesis and key (``case.pub`` must be the key the genesis names: ``KEY_REPLACED``; and
      ``--expect-key``), canonical bodies, hashes, signatures, chain from the genesis, ``--head``. The ledger
      must end at the head ``manifest.json`` names (``HEAD_MISMATCH``).
  (3b) The manifest: ``manifest.sig`` is the genesis key's Ed25519 signature over ``MANIFEST_SIG_TAG`` and
      manifest.json's bytes (``MANIFEST_UNSIGNED``, ``MANIFEST_SIGNATURE``), and every statement in it rests
      on the ledger (``MANIFEST_MISMATCH``): case id, title, zone and key fingerprint are the genesis
      entry's; "full" or "selected" as ``proofs.json`` is absent or present; the entries it lists are exactly
      those in ``ledger.jsonl``; each included exhibit is its ``item.acquired`` entry (number, hash, size,
      original name, member name); a full bundle lists every acquired exhibit as included or withheld
      (``EXHIBIT_UNACCOUNTED``).
  (4) Exhibits: every member under ``exhibits/`` is named by an ``item.acquired`` entry with its SHA-256 and
      the exhibit number in its name (``UNKNOWN_EXHIBIT``); each withheld hash in ``manifest.json`` is too;
      its name carries the original name its entry recorded, once (``EXHIBIT_RENAMED``, ``EXTRA``).
  (5) Report: a member under ``report/`` has the SHA-256 its ``report.generated`` entry recorded
      (``UNKNOWN_REPORT``). (5b) What was read: a member under ``derived/`` (a records blob or an OCR
      result) is an object the ``records.derived`` entry its name numbers lists (``UNKNOWN_DERIVED``).
  (6) Checkpoints and Merkle proofs (``evidence.verify.merkle``): a selective bundle (``proofs.json``) is
      checked entry by entry in (3) instead of as a chain, then by its proofs; a full one by recomputing
      every checkpoint's root.
  (7) Anchors: every ``anchor.timestamped`` entry's token (``anchors/NNNN.tsr``) and trust anchor
      (``anchors/NNNN-ca.pem``) are re-checked as the case verifier's step (8) does (``evidence.verify.anchors``),
      and ``anchors/NNNN.digest`` (what ``openssl ts -verify -digest`` is given) must hold the hash of the entry
      the token covers (``ANCHOR_DIGEST``) and ``anchors/NNNN-ca.pem`` the recorded trust anchor
      (``ANCHOR_CA``). The covered entry is a ``checkpoint.signed`` entry (anchors sign one
      first), so in a selective bundle the chain is: token -> that entry (7) -> its signed root (6a) -> its
      inclusion and its consistency proof to the bundle's checkpoint (6d, 6e).

What a passing bundle proves and does not is in the bundle's VERIFY.txt and the README ("For the recipient").
SHA256SUMS is a convenience for ``sha256sum -c``; manifest.json is signed, and the signed ledger is what the
exhibits, the report and the manifest's statements are checked against.
"""

from __future__ import annotations

import hashlib
import json
import re
import zipfile
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from evidence.case.formats import (
    ANCHOR_KIND,
    BUNDLE_DERIVED,
    BUNDLE_FOLDERS,
    BUNDLE_INSTRUCTIONS,
    BUNDLE_KEY,
    BUNDLE_LEDGER,
    BUNDLE_MANIFEST,
    BUNDLE_MANIFEST_SIG,
    BUNDLE_PROOFS,
    BUNDLE_SUMS,
    Kind,
    anchor_member,
)
from evidence.verify import Finding, Report
from evidence.verify.bundle_ledger import MAX_LINE_FINDINGS, bodies, check_bundle_ledger, read_text
from evidence.verify.bundle_manifest import (
    check_exhibit_names,
    check_manifest_signature,
    check_manifest_statements,
)
from evidence.verify.merkle import check_merkle, is_selective
from evidence.verify.zipstrict import MAX_MEMBERS as MAX_MEMBERS
from evidence.verify.zipstrict import Member, MemberDamaged, agrees, read_layout, read_member

SUMS_LINE = re.compile(r"([0-9a-f]{64}) [ *](.+)")
EXHIBIT_NAME = re.compile(r"exhibits/(EX-\d+) .+")
DERIVED_NAME = re.compile(r"derived/EX-\d+ entry (\d+) .+")


def is_bundle(path: Path) -> bool:
    """Whether ``path`` is a file that starts like a zip (what ``evidence verify`` dispatches on)."""
    try:
        with open(path, "rb") as fh:
            return path.is_file() and fh.read(2) == b"PK"
    except OSError:
        return False


def verify_bundle(path: Path, *, heads: Iterable[str] = (), expect_key: str | None = None) -> Report:
    """Run checks (1)-(7) over the bundle at ``path``; see the module docstring."""
    report = Report(target=str(path))
    # (1) Safe to read, and read alike by every zip reader.
    layout = read_layout(path)
    if layout.unreadable is not None:
        report.add(Finding("BUNDLE_UNREADABLE", f"not a readable zip ({layout.unreadable})", path=path.name))
        return report
    for problem in layout.problems:
        report.add(Finding(problem.code, problem.message, path=problem.name))
    if layout.problems:
        return report
    try:
        zf = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError) as exc:
        report.add(Finding("BUNDLE_UNREADABLE", f"not a readable zip ({exc})", path=path.name))
        return report
    with zf:
        differs = agrees(zf, layout.members)
        if differs is not None:
            report.add(Finding(differs.code, differs.message, path=differs.name))
            return report
        # (2) Files.
        actual = _hash_members(path, layout.members, report)
        manifest = _check_lists(zf, actual, report)
        # (3) Ledger.
        selected = is_selective(zf, manifest)
        checked = check_bundle_ledger(zf, manifest, report, heads, expect_key, selected=selected)
        if checked is None:
            return report
        rows, key = checked
        # (3b) The manifest: signed by the ledger's key, and every statement in it agrees with the ledger.
        check_manifest_signature(zf, key, report)
        check_manifest_statements(manifest, rows, actual, report, selected=selected)
        # (4) Exhibits and (5) the report.
        _check_exhibits(rows, actual, manifest, report)
        check_exhibit_names(rows, actual, report)
        _check_report(rows, actual, report)
        _check_derived(rows, actual, report)
        # (6) Checkpoints and Merkle proofs.
        check_merkle(zf, rows, report, selected=selected)
        # (7) Anchors.
        _check_bundle_anchors(zf, rows, actual, report)
    return report


def _check_bundle_anchors(
    zf: zipfile.ZipFile, rows: list[Any], actual: dict[str, tuple[str, int] | None], report: Report
) -> None:
    from cryptography import x509
    from cryptography.hazmat.primitives.serialization import Encoding

    from evidence.verify.anchors import check_anchors

    by_hash: dict[str, bytes] = {}
    for name, got in actual.items():
        if not name.startswith("anchors/") or got is None or got[1] > ANCHOR_MEMBER_LIMIT:
            continue
        data = zf.read(name)
        if name.endswith("-ca.pem"):
            try:
                data = x509.load_pem_x509_certificate(data).public_bytes(Encoding.DER)
            except (ValueError, x509.InvalidVersion):
                report.add(Finding("ANCHOR_MALFORMED", "is not a PEM certificate", path=name))
                continue
        by_hash[hashlib.sha256(data).hexdigest()] = data
    check_anchors(rows, by_hash.get, report)
    _check_anchor_members(zf, rows, actual, report)


def _check_anchor_members(
    zf: zipfile.ZipFile, rows: list[Any], actual: dict[str, tuple[str, int] | None], report: Report
) -> None:
    """(7): what a recipient gives ``openssl ts -verify`` is what the entry recorded: ``anchors/NNNN.digest``
    holds the hash the token covers (``ANCHOR_DIGEST``), ``anchors/NNNN-ca.pem`` is the recorded trust
    anchor (``ANCHOR_CA``)."""
    from cryptography import x509
    from cryptography.hazmat.primitives.serialization import Encoding

    for row in rows:
        if row.entry.kind != ANCHOR_KIND or not row.valid or not isinstance(row.body, dict):
            continue
        seq, covers, trust = row.entry.seq, row.body.get("covers"), row.body.get("trust_anchor")
        name = anchor_member(seq, ".digest")
        got = actual.get(name)
        if got is not None and got[1] <= ANCHOR_MEMBER_LIMIT and isinstance(covers, dict):
            text = zf.read(name).decode("utf-8", errors="replace").strip()
            if text != covers.get("hash"):
                report.add(
                    Finding(
                        "ANCHOR_DIGEST",
                        f"holds {text[:16]!r}, not the hash of entry {covers.get('seq')} that the token of "
                        f"entry {seq} covers",
                        path=name,
                    )
                )
        name = anchor_member(seq, "-ca.pem")
        got = actual.get(name)
        if got is not None and got[1] <= ANCHOR_MEMBER_LIMIT and isinstance(trust, dict):
            try:
                der = x509.load_pem_x509_certificate(zf.read(name)).public_bytes(Encoding.DER)
            except ValueError:
                continue  # (7) named it ANCHOR_MALFORMED
            if hashlib.sha256(der).hexdigest() != trust.get("sha256"):
                report.add(
                    Finding(
                        "ANCHOR_CA",
                        f"is not the trust anchor entry {seq} recorded ({str(trust.get('subject'))[:60]})",
                        path=name,
                    )
                )


ANCHOR_MEMBER_LIMIT = 1 << 20


def _hash_members(path: Path, members: list[Member], report: Report) -> dict[str, tuple[str, int] | None]:
    """SHA-256 and size of every member, read by the strict reader (``read_member``); None for a member
    whose data is not what its headers declare (reported)."""
    actual: dict[str, tuple[str, int] | None] = {}
    total = 0
    with open(path, "rb") as fh:
        for member in members:
            digest = hashlib.sha256()
            try:
                for chunk in read_member(fh, member):
                    digest.update(chunk)
            except MemberDamaged as exc:
                report.add(Finding("MODIFIED", f"the member is damaged ({exc})", path=member.name))
                actual[member.name] = None
                continue
            actual[member.name] = (digest.hexdigest(), member.size)
            total += member.size
    report.checked["objects"] = len(actual)
    report.checked["bytes"] = total
    return actual


def _parse_sums(text: str, report: Report) -> dict[str, str]:
    sums: dict[str, str] = {}
    wrong = 0
    for number, line in enumerate(text.splitlines(), 1):
        match = SUMS_LINE.fullmatch(line)
        if match is None or match.group(2) in sums:
            wrong += 1
            if wrong <= MAX_LINE_FINDINGS:
                report.add(
                    Finding("MODIFIED", f"line {number} is not '<sha256>  <file>' once", path=BUNDLE_SUMS)
                )
            continue
        sums[match.group(2)] = match.group(1)
    if wrong > MAX_LINE_FINDINGS:
        report.add(
            Finding(
                "MODIFIED",
                f"{wrong - MAX_LINE_FINDINGS} more lines are not '<sha256>  <file>'",
                path=BUNDLE_SUMS,
            )
        )
    return sums


def _parse_manifest(text: str | None, report: Report) -> dict[str, Any] | None:
    if text is None:
        return None
    try:
        manifest = json.loads(text)
    except (ValueError, RecursionError) as exc:
        report.add(Finding("MODIFIED", f"not JSON ({exc})", path=BUNDLE_MANIFEST))
        return None
    if not isinstance(manifest, dict) or not isinstance(manifest.get("files"), list):
        report.add(Finding("MODIFIED", "not a bundle manifest (no list of files)", path=BUNDLE_MANIFEST))
        return None
    return manifest


def _check_lists(
    zf: zipfile.ZipFile, actual: dict[str, tuple[str, int] | None], report: Report
) -> dict[str, Any] | None:
    """Check (2): manifest.json lists every member but itself and manifest.sig, SHA256SUMS every member but
    those and itself, both with the SHA-256 each member has. Returns the manifest."""
    names = set(zf.namelist())
    sums_text = read_text(zf, BUNDLE_SUMS)
    if sums_text is None:
        report.add(
            Finding("MISSING" if BUNDLE_SUMS not in names else "MODIFIED", "cannot be read", path=BUNDLE_SUMS)
        )
    sums = _parse_sums(sums_text or "", report)
    manifest = _parse_manifest(read_text(zf, BUNDLE_MANIFEST), report)
    if manifest is None and BUNDLE_MANIFEST not in names:
        report.add(Finding("MISSING", "the bundle has no manifest", path=BUNDLE_MANIFEST))
    listed: dict[str, str] = {}
    for item in manifest["files"] if manifest else []:
        if (
            isinstance(item, dict)
            and isinstance(item.get("name"), str)
            and isinstance(item.get("sha256"), str)
        ):
            listed[item["name"]] = item["sha256"]
    for name in sorted(set(listed) & {BUNDLE_MANIFEST, BUNDLE_MANIFEST_SIG}):
        report.add(
            Finding("MODIFIED", f"lists {name}, which it cannot hold the hash of", path=BUNDLE_MANIFEST)
        )
    for name in sorted(set(sums) & {BUNDLE_SUMS, BUNDLE_MANIFEST, BUNDLE_MANIFEST_SIG}):
        report.add(Finding("MODIFIED", f"lists {name}, which it does not cover", path=BUNDLE_SUMS))
    for name in sorted(set(sums) | set(listed) - {BUNDLE_MANIFEST, BUNDLE_MANIFEST_SIG}):
        if name not in names:
            report.add(Finding("MISSING", "listed in the bundle but not in the zip", path=name))
    for name in sorted(names - {BUNDLE_MANIFEST, BUNDLE_MANIFEST_SIG}):
        got = actual.get(name)
        if got is None:
            continue  # damaged: reported while hashing
        tables = (
            ((BUNDLE_MANIFEST, listed),)
            if name == BUNDLE_SUMS
            else ((BUNDLE_SUMS, sums), (BUNDLE_MANIFEST, listed))
        )
        for source, table in tables:
            expected = table.get(name)
            if expected is None and (source == BUNDLE_SUMS or manifest is not None):
                report.add(Finding("EXTRA", f"present but not listed in {source}", path=name))
            elif expected is not None and expected != got[0]:
                report.add(
                    Finding(
                        "MODIFIED",
                        f"SHA-256 is {got[0][:16]}..., {source} lists {expected[:16]}...",
                        path=name,
                    )
                )
    for name in sorted(
        set(actual)
        - {
            BUNDLE_SUMS,
            BUNDLE_MANIFEST,
            BUNDLE_MANIFEST_SIG,
            BUNDLE_LEDGER,
            BUNDLE_KEY,
            BUNDLE_INSTRUCTIONS,
            BUNDLE_PROOFS,
        }
    ):
        if not (name.startswith(BUNDLE_FOLDERS) and name.count("/") == 1):
            report.add(Finding("EXTRA", "not a file an export bundle holds", path=name))
    return manifest


def _check_exhibits(
    rows: list[Any],
    actual: dict[str, tuple[str, int] | None],
    manifest: dict[str, Any] | None,
    report: Report,
) -> None:
    acquired: dict[str, set[str]] = {}
    for _, body in bodies(rows, Kind.ITEM_ACQUIRED):
        sha = body.get("sha256")
        if isinstance(sha, str):
            acquired.setdefault(sha, set()).update(
                str(x) for x in (body.get("exhibit"), body.get("duplicate_of")) if x
            )
    for name, got in sorted(actual.items()):
        if not name.startswith("exhibits/") or got is None:
            continue
        match = EXHIBIT_NAME.fullmatch(name)
        numbers = acquired.get(got[0])
        if numbers is None:
            report.add(
                Finding(
                    "UNKNOWN_EXHIBIT",
                    f"no item.acquired entry in the ledger has its SHA-256 {got[0][:16]}...",
                    path=name,
                )
            )
        elif match is None or match.group(1) not in numbers:
            report.add(
                Finding(
                    "UNKNOWN_EXHIBIT",
                    f"its content is {', '.join(sorted(numbers))} in the ledger, not the exhibit its name says",
                    path=name,
                )
            )
    exhibits = manifest.get("exhibits") if manifest else None
    withheld = exhibits.get("withheld") if isinstance(exhibits, dict) else None
    for item in withheld if isinstance(withheld, list) else []:
        sha = item.get("sha256") if isinstance(item, dict) else None
        if not isinstance(sha, str) or sha not in acquired:
            report.add(
                Finding(
                    "UNKNOWN_EXHIBIT", f"withheld exhibit {item!r} is not in the ledger", path=BUNDLE_MANIFEST
                )
            )


def _check_derived(rows: list[Any], actual: dict[str, tuple[str, int] | None], report: Report) -> None:
    """(5b) Each member under ``derived/`` (``derived/EX-0003 entry 9 records.json``) is an object the
    ``records.derived`` entry its name numbers lists, with that SHA-256 (``UNKNOWN_DERIVED``)."""
    named: dict[int, set[str]] = {}
    for seq, body in bodies(rows, Kind.RECORDS_DERIVED):
        named[seq] = {
            str(obj.get("sha256")) for obj in body.get("objects") or [] if isinstance(obj, dict)
        } | {str(body.get("blob_sha256"))}
    for name, got in sorted(actual.items()):
        if not name.startswith(BUNDLE_DERIVED) or got is None:
            continue
        match = DERIVED_NAME.fullmatch(name)
        if match is None or got[0] not in named.get(int(match.group(1)), set()):
            report.add(
                Finding(
                    "UNKNOWN_DERIVED",
                    f"no records.derived entry its name numbers lists its SHA-256 {got[0][:16]}...",
                    path=name,
                )
            )


def _check_report(rows: list[Any], actual: dict[str, tuple[str, int] | None], report: Report) -> None:
    recorded = {str(body.get("sha256")): seq for seq, body in bodies(rows, Kind.REPORT_GENERATED)}
    for name, got in sorted(actual.items()):
        if not name.startswith("report/") or got is None:
            continue
        if got[0] not in recorded:
            report.add(
                Finding(
                    "UNKNOWN_REPORT",
                    f"no report.generated entry recorded its SHA-256 {got[0][:16]}...",
                    path=name,
                )
            )
        else:
            report.facts.setdefault("reports", []).append({"file": name, "entry": recorded[got[0]]})
