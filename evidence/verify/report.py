"""Verify a PDF report that ``evidence report`` wrote, against its embedded manifest and, when given, the case.

The checks, numbered here and in the code:

  (1) Manifest: the PDF holds the attachment ``evidence-manifest.json`` (``MANIFEST_MISSING`` otherwise, or
      ``REPORT_UNREADABLE`` when the file's cross-reference table cannot be read), and it is canonical JSON
      of the expected shape (``MANIFEST_MALFORMED``).
  (1b) Signature: when the report carries a PAdES signature (``evidence report --sign``), it is validated with
      pyHanko (``evidence.verify.pdfsig``): intact and valid (``SIGNATURE_BROKEN``), by the key the
      manifest names (``SIGNER_NOT_CASE_KEY``), covering the whole file with nothing appended after it
      (``SIGNATURE_NOT_WHOLE_FILE``), its /Contents exactly what the signer wrote (``SIGNATURE_GAP_CHANGED``)
      with no unsigned data but one timestamp token (``SIGNATURE_EXTRA_DATA``), its timestamp intact
      (``TIMESTAMP_BROKEN``; ``TIMESTAMP_UNTRUSTED``, a warning, for a TSA whose root is in no trust store
      the checker chose: its time is self-asserted and ignored, the signature is B-B).
  (2) With the case (``-C``, ``$EVIDENCE_CASE`` or the current folder): the whole case verifies (the case
      verifier's checks, with the manifest's head as ``--head`` and its key fingerprint as ``--expect-key``:
      ``HEAD_MISMATCH``, ``KEY_NOT_EXPECTED``, ...); the case is the one the manifest names (``OTHER_CASE``);
      every record the manifest lists exists in the case (``MISSING_RECORD``) from the same item, exhibit,
      locator and time (``MODIFIED``), every exhibit too (``MISSING_EXHIBIT``; ``MODIFIED`` for another
      SHA-256, size or name), every exhibit a filtered report lists as withheld is the case's exhibit of
      that number and SHA-256 (``MISSING_EXHIBIT``, ``MODIFIED``); every attachment it lists is an
      attachment of the record it names, read from that exhibit (``MODIFIED``); and the PDF's own SHA-256 is the one a ``report.generated`` entry recorded
      (``UNKNOWN_REPORT``: a report changed after it was generated, even by one byte, has another hash).
      A signature timestamp is compared with that entry, or, for a changed file, with the entry whose
      ``unsigned_sha256`` is the file's revision before the signature: a timestamp when the entry's
      ``signature.tsa`` says none was asked for was added by someone else (``TIMESTAMP_NOT_RECORDED``).
  (3) Without a case: an unsigned report fails (``UNSIGNED_REPORT``): its manifest's consistency is all that
      could be checked, and anyone can forge that. A signed report passes when (1b) holds: signed over the
      whole file by the key its manifest names; that key's fingerprint is printed (``NEEDS_CASE``, a warning)
      to compare with the one the sender gave by another route, and ``--expect-key`` compares it
      (``KEY_NOT_EXPECTED``). The rest needs the case or an export bundle holding the report.
  Against another case (the manifest names another case id), ``OTHER_CASE`` says so once: the manifest's head
  is not checked against that case and its records are not compared.

Verification only reads: the case is read as ``evidence.verify.casefacts`` reads it, never opened for writing,
recovered or re-indexed.

The reader understands the PDFs ``evidence report`` writes (classic cross-reference tables, followed along
``/Prev`` through a signature's incremental update, the manifest as
an uncompressed embedded file named in the catalog's ``/Names /EmbeddedFiles`` array); it is not a general
PDF parser. A PDF re-saved by another program may keep its manifest where this reader does not look
(``MANIFEST_MISSING``); its hash has changed anyway, so it is not the report the ledger recorded.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from evidence.case.canonical import CanonicalError, parse_canonical
from evidence.case.formats import REPORT_MANIFEST_FORMAT as FORMAT
from evidence.case.formats import REPORT_MANIFEST_NAME as NAME
from evidence.verify import WARNING, Finding, Report
from evidence.verify.case import verify_case
from evidence.verify.casefacts import CaseFacts, CaseUnreadable, read_case_facts

if TYPE_CHECKING:
    from evidence.case.vault import CaseKeys

MAX_REPORT_SIZE = 1 << 30
MAX_MANIFEST_SIZE = 256 << 20
_STARTXREF = re.compile(rb"startxref\s+(\d+)\s+%%EOF\s*$")
_SUBSECTION = re.compile(rb"(\d+)[ ]+(\d+)[ ]*\r?\n")
_XREF_ENTRY = re.compile(rb"(\d{10}) (\d{5}) ([nf])[ \r\n]{2}")
_ROOT = re.compile(rb"/Root\s+(\d+)\s+0\s+R")
_OBJ = re.compile(rb"\s*(\d+)\s+(\d+)\s+obj\b")
_NAMES = re.compile(rb"/Names\s+(\d+)\s+0\s+R")
_EMBEDDED = re.compile(
    rb"/EmbeddedFiles\s*<<\s*/Names\s*\[\s*\(" + re.escape(NAME.encode()) + rb"\)\s*(\d+)\s+0\s+R"
)
_EF = re.compile(rb"/EF\s*<<[^>]*?/F\s+(\d+)\s+0\s+R")
_LENGTH = re.compile(rb"/Length\s+(\d+)")
_STREAM = re.compile(rb">>\s*stream(?:\r\n|\n)")
_PREV = re.compile(rb"/Prev\s+(\d+)")
MAX_REVISIONS = 64


class _Unreadable(Exception):
    """The PDF's structure cannot be followed to the manifest; the message says where it stopped."""


def is_report(path: Path) -> bool:
    """Whether ``path`` is a file that starts like a PDF (what ``evidence verify`` dispatches on)."""
    try:
        with open(path, "rb") as fh:
            return path.is_file() and fh.read(5) == b"%PDF-"
    except OSError:
        return False


def verify_report(
    path: Path,
    case_root: Path | None,
    *,
    heads: Iterable[str] = (),
    expect_key: str | None = None,
    keys: CaseKeys | None = None,
) -> Report:
    """Run checks (1)-(3) over the report at ``path``, against the case at ``case_root`` when given (an
    encrypted case read with its ``keys``).

    ``heads`` and ``expect_key`` are checked as ``evidence verify`` checks them for a case; ``expect_key`` is
    also compared with the fingerprint the manifest names.
    """
    report = Report(target=str(path))
    try:
        size = path.stat().st_size
        if size > MAX_REPORT_SIZE:
            report.add(
                Finding(
                    "REPORT_UNREADABLE", f"{size} bytes, over the {MAX_REPORT_SIZE} limit", path=path.name
                )
            )
            return report
        pdf = path.read_bytes()
    except OSError as exc:
        report.add(Finding("REPORT_UNREADABLE", f"cannot be read ({exc.strerror})", path=path.name))
        return report
    digest = hashlib.sha256(pdf).hexdigest()
    report.facts["report"] = {"file": path.name, "sha256": digest, "size": len(pdf)}
    report.checked["bytes"] = len(pdf)

    # (1) Manifest.
    manifest = _read_manifest(pdf, path.name, report)
    # (1b) The PAdES signature, when there is one.
    _check_signature(pdf, path.name, manifest, report)
    if manifest is not None:
        report.facts["manifest"] = {
            "case_id": manifest["case"]["id"],
            "built_from": manifest["built_from"],
            "key_fingerprint": manifest["key_fingerprint"],
            "records": len(manifest["records"]),
            "exhibits": len(manifest["exhibits"]),
        }
        report.checked["records"] = len(manifest["records"])
        report.checked["exhibits"] = len(manifest["exhibits"])
    if manifest is not None and expect_key and manifest["key_fingerprint"] != expect_key.strip().lower():
        report.add(
            Finding(
                "KEY_NOT_EXPECTED",
                f"the report names key {manifest['key_fingerprint']}, not the expected {expect_key}",
                path=NAME,
            )
        )
    if case_root is None:
        # (3) Without a case.
        _without_case(path.name, manifest, expect_key, report)
        return report

    # (2) Against the case, read without writing anything (``evidence.verify.casefacts``).
    facts: CaseFacts | CaseUnreadable
    try:
        facts = read_case_facts(case_root, keys)
    except CaseUnreadable as exc:
        facts = exc
    head = manifest["built_from"] if manifest else None
    if manifest is not None and isinstance(facts, CaseFacts) and facts.case_id != manifest["case"]["id"]:
        head = None  # another case's head says nothing about this one (OTHER_CASE below says what is wrong)
    case_report = verify_case(
        case_root,
        heads=[*heads, *([f"{head['seq']}:{head['hash']}"] if head else [])],
        expect_key=manifest["key_fingerprint"] if manifest else None,
        keys=keys,
    )
    for finding in case_report.findings:
        report.add(finding)
    for name, count in case_report.checked.items():
        report.checked[name] = report.checked.get(name, 0) + count
    report.facts.update({k: v for k, v in case_report.facts.items() if k in ("head", "key_fingerprint")})
    report.facts["case"] = str(case_root)
    if isinstance(facts, CaseUnreadable):
        report.add(
            Finding("CASE_UNREADABLE", f"the case cannot be opened ({facts.message})", path=str(case_root))
        )
        return report
    case_id, records, exhibits, generated = facts.case_id, facts.records, facts.exhibits, facts.generated
    if manifest is not None:
        if manifest["case"]["id"] != case_id:
            report.add(
                Finding(
                    "OTHER_CASE",
                    f"the report names case {manifest['case']['id']}, this is case {case_id}: "
                    "check it against the case it was generated from",
                    path=path.name,
                )
            )
        else:  # another case's records and exhibits would all differ: OTHER_CASE says it once
            _compare_records(manifest["records"], records, report)
            _compare_exhibits(manifest["exhibits"], exhibits, report)
            _compare_attachments(manifest["exhibits"], records, report)
            _compare_withheld(manifest.get("withheld"), exhibits, report)
        options = manifest.get("options")
        report.facts["selection"] = {
            "filter": options.get("filter") if isinstance(options, dict) else None,
            "redacted": options.get("redacted") if isinstance(options, dict) else None,
        }
    if digest in generated:
        report.facts["report"]["entry"] = generated[digest]
    else:
        report.add(
            Finding(
                "UNKNOWN_REPORT",
                f"no report.generated entry recorded its SHA-256 {digest[:16]}...: it was not generated "
                "from this case, or was changed afterwards",
                path=path.name,
            )
        )
    _compare_timestamp(pdf, digest, facts, report, path.name)
    return report


def _compare_timestamp(pdf: bytes, digest: str, facts: CaseFacts, report: Report, name: str) -> None:
    """(2) A signature timestamp the ``report.generated`` entry does not record (its ``signature.tsa`` is
    none) was attached by someone else: ``TIMESTAMP_NOT_RECORDED``. The entry is the one of the file's
    SHA-256 or, for a file changed after signing, the one whose ``unsigned_sha256`` is the file's unsigned
    revision (what precedes the signature's incremental update)."""
    signature = report.facts.get("signature")
    if not isinstance(signature, dict) or not (
        signature.get("timestamp") or signature.get("timestamp_ignored")
    ):
        return
    seq = facts.generated.get(digest)
    if seq is None:
        unsigned = _unsigned_revision_hashes(pdf)
        seq = next((s for s, body in facts.reports.items() if body.get("unsigned_sha256") in unsigned), None)
    body = facts.reports.get(seq) if seq is not None else None
    recorded = body.get("signature") if body is not None else None
    if body is None or (isinstance(recorded, dict) and recorded.get("tsa")):
        return
    report.add(
        Finding(
            "TIMESTAMP_NOT_RECORDED",
            f"the signature carries a timestamp, but report.generated entry {seq} recorded this report "
            "signed without a TSA: the timestamp was attached after signing, by someone else",
            path=name,
        )
    )


def _unsigned_revision_hashes(pdf: bytes) -> set[str]:
    """The SHA-256 of the file up to the last ``%%EOF`` before the signature's ``/ByteRange`` (with each
    end of line a writer puts after it): the report as it was before it was signed."""
    found = re.search(rb"/ByteRange\s*\[\s*(\d+)\s+(\d+)", pdf)
    end = pdf.rfind(b"%%EOF", 0, found.start()) if found else -1
    if end < 0:
        return set()
    end += len(b"%%EOF")
    return {
        hashlib.sha256(pdf[: end + len(eol)]).hexdigest()
        for eol in (b"", b"\n", b"\r", b"\r\n")
        if pdf[end : end + len(eol)] == eol
    }


def _without_case(name: str, manifest: dict[str, Any] | None, expect_key: str | None, report: Report) -> None:
    """(3) Without the case. An unsigned report can only be checked for its own consistency, which anyone
    can forge: ``UNSIGNED_REPORT`` (an error). A signed one must be signed by the key its manifest names over
    the whole file ((1b)); the key's fingerprint is printed to compare with the one the sender gave, and
    ``--expect-key`` compares it (``KEY_NOT_EXPECTED``)."""
    signature = report.facts.get("signature")
    if not isinstance(signature, dict):
        if report.codes() & {"SIGNATURE_BROKEN", "REPORT_UNREADABLE", "SIGNATURE_COUNT"}:
            return  # signed, but the signature failed: already said
        report.add(
            Finding(
                "UNSIGNED_REPORT",
                "the report is not signed, so without its case nothing ties it to a case (its manifest is "
                "only self-consistent): check it with the case (-C CASE), in its export bundle "
                "(evidence verify bundle.zip), or ask for a signed report (evidence report --sign)",
                path=name,
            )
        )
        return
    signer = str(signature.get("key_fingerprint") or "")
    if expect_key and signer != expect_key.strip().lower():
        report.add(
            Finding(
                "KEY_NOT_EXPECTED",
                f"the report is signed by key {signer or 'of another kind'}, not the expected {expect_key}",
                path=name,
            )
        )
    matched = bool(expect_key) and signer == str(expect_key).strip().lower()
    compare = (
        "the fingerprint you expected"
        if matched
        else "compare this fingerprint with the one the sender gave you by another route (or pass --expect-key)"
    )
    report.add(
        Finding(
            "NEEDS_CASE",
            f"signed by key {signer}: {compare}; that the case still holds this report needs the case (-C CASE) "
            "or its export bundle",
            severity=WARNING,
            path=name,
        )
    )


def _check_signature(pdf: bytes, name: str, manifest: dict[str, Any] | None, report: Report) -> None:
    """(1b) Validate the report's PAdES signature (``evidence.verify.pdfsig``) against the manifest's key."""
    if b"/ETSI.CAdES.detached" not in pdf and b"/adbe.pkcs7" not in pdf:
        report.facts["signature"] = None
        return
    from evidence.verify.pdfsig import check  # pyHanko: loaded only for a signed report

    findings, facts = check(pdf, name, manifest["key_fingerprint"] if manifest else None)
    for finding in findings:
        report.add(finding)
    report.facts["signature"] = facts
    if facts is not None:
        report.checked["pdf_signatures"] = 1


def _compare_records(listed: list[dict[str, Any]], records: dict[str, Any], report: Report) -> None:
    for item in listed:
        rid = item["record_id"]
        record = records.get(rid)
        if record is None:
            report.add(
                Finding(
                    "MISSING_RECORD",
                    f"record {rid} is in the report but not in the case",
                    exhibit=item["exhibit"],
                )
            )
            continue
        differ = []
        if record.item_sha256 != item["item_sha256"]:
            differ.append("source item SHA-256")
        if record.locator != item["locator"]:
            differ.append("locator")
        if record.occurred_at != datetime.fromisoformat(item["occurred_at"]):
            differ.append("time")
        if differ:
            report.add(
                Finding(
                    "MODIFIED",
                    f"record {rid}: the case has another {', '.join(differ)} than the report",
                    exhibit=item["exhibit"],
                )
            )


def _compare_exhibits(
    listed: list[dict[str, Any]], exhibits: dict[str, dict[str, Any]], report: Report
) -> None:
    for item in listed:
        number = item["exhibit"]
        found = exhibits.get(number)
        if found is None:
            report.add(Finding("MISSING_EXHIBIT", "in the report but not in the case", exhibit=number))
            continue
        differ = [
            label
            for key, label in (("sha256", "SHA-256"), ("size", "size"), ("original_name", "original name"))
            if found[key] != item[key]
        ]
        if differ:
            report.add(
                Finding(
                    "MODIFIED", f"the case has another {', '.join(differ)} than the report", exhibit=number
                )
            )


def _compare_attachments(listed: list[dict[str, Any]], records: dict[str, Any], report: Report) -> None:
    """Each attachment the report lists under an exhibit (an MMS picture, an e-mail's file) is, in the case,
    an attachment of the record it names, read from that exhibit (``MODIFIED``); the records and their
    attachments' hashes are the signed ledger's (the case check compares the index with it)."""
    for item in listed:
        attachments = item.get("attachments") or []
        if not isinstance(attachments, list):
            report.add(Finding("MODIFIED", "its attachments are not a list", exhibit=item["exhibit"]))
            continue
        for att in attachments:
            sha = att.get("sha256") if isinstance(att, dict) else None
            rid = att.get("record_id") if isinstance(att, dict) else None
            rec = records.get(rid) if isinstance(rid, str) else None
            if (
                not isinstance(sha, str)
                or rec is None
                or sha not in rec.attachments
                or rec.item_sha256 != item["sha256"]
            ):
                report.add(
                    Finding(
                        "MODIFIED",
                        f"attachment {str(sha)[:16]}... of record {rid}: not an attachment of that record of "
                        "this exhibit in the case",
                        exhibit=item["exhibit"],
                    )
                )


def _compare_withheld(withheld: Any, exhibits: dict[str, dict[str, Any]], report: Report) -> None:
    """A filtered report lists what it left out by SHA-256: each must be the case's exhibit of that number."""
    if withheld is None:
        return
    items = withheld.get("exhibits") if isinstance(withheld, dict) else None
    if not isinstance(items, list):
        report.add(Finding("MANIFEST_MALFORMED", "withheld is not {records, exhibits}", path=NAME))
        return
    for item in items:
        number = item.get("exhibit") if isinstance(item, dict) else None
        found = exhibits.get(str(number))
        if found is None:
            report.add(
                Finding("MISSING_EXHIBIT", "listed as withheld but not in the case", exhibit=str(number))
            )
        elif found["sha256"] != item.get("sha256"):
            report.add(
                Finding("MODIFIED", "listed as withheld with another SHA-256 than the case's", exhibit=number)
            )


# -- reading the manifest ----------------------------------------------------------------------------------


def _read_manifest(pdf: bytes, name: str, report: Report) -> dict[str, Any] | None:
    try:
        data = _extract(pdf)
    except _Unreadable as exc:
        report.add(Finding("REPORT_UNREADABLE", str(exc), path=name))
        return None
    if data is None:
        report.add(Finding("MANIFEST_MISSING", f"the PDF has no {NAME} attachment", path=name))
        return None
    try:
        value = parse_canonical(data)
    except CanonicalError as exc:
        report.add(Finding("MANIFEST_MALFORMED", f"not canonical JSON ({exc.message})", path=NAME))
        return None
    problem = _shape(value)
    if problem:
        report.add(Finding("MANIFEST_MALFORMED", problem, path=NAME))
        return None
    assert isinstance(value, dict)
    return value


def _shape(value: Any) -> str | None:
    """What is wrong with the manifest's shape, or None."""
    if not isinstance(value, dict) or value.get("format") != FORMAT:
        return f"not a report manifest ({FORMAT})"
    case, head = value.get("case"), value.get("built_from")
    if not isinstance(case, dict) or not isinstance(case.get("id"), str):
        return "names no case id"
    if not (
        isinstance(head, dict)
        and isinstance(head.get("seq"), int)
        and isinstance(head.get("hash"), str)
        and re.fullmatch("[0-9a-f]{64}", head["hash"])
    ):
        return "names no ledger head (built_from)"
    if not isinstance(value.get("key_fingerprint"), str):
        return "names no key fingerprint"
    text = ("record_id", "locator", "item_sha256", "occurred_at")
    records = value.get("records")
    if not isinstance(records, list) or not all(
        isinstance(r, dict)
        and all(isinstance(r.get(k), str) for k in text)
        and isinstance(r.get("exhibit"), str | None)
        and _is_time(r["occurred_at"])
        for r in records
    ):
        return "records are not a list of {record_id, exhibit, locator, item_sha256, occurred_at}"
    exhibits = value.get("exhibits")
    if not isinstance(exhibits, list) or not all(
        isinstance(e, dict)
        and all(isinstance(e.get(k), str) for k in ("exhibit", "sha256", "original_name"))
        and isinstance(e.get("size"), int)
        for e in exhibits
    ):
        return "exhibits are not a list of {exhibit, sha256, size, original_name}"
    return None


def _is_time(text: str) -> bool:
    try:
        return datetime.fromisoformat(text).tzinfo is not None
    except ValueError:
        return False


def _extract(pdf: bytes) -> bytes | None:
    """The manifest's bytes, None when the catalog names none; raises _Unreadable for a broken structure."""
    offsets, trailer = _xref(pdf)
    root = _ROOT.search(trailer)
    if root is None:
        raise _Unreadable("the trailer names no catalog (/Root)")
    catalog = _object(pdf, offsets, int(root.group(1)))
    names_ref = _NAMES.search(catalog)
    if names_ref is None:
        return None
    embedded = _EMBEDDED.search(_object(pdf, offsets, int(names_ref.group(1))))
    if embedded is None:
        return None
    spec = _object(pdf, offsets, int(embedded.group(1)))
    ef = _EF.search(spec)
    if ef is None:
        raise _Unreadable(f"the {NAME} file specification names no embedded file")
    start = _object_start(pdf, offsets, int(ef.group(1)))
    opened = _STREAM.search(pdf, start, start + 4096)
    if opened is None:
        raise _Unreadable(f"the {NAME} attachment is not a stream")
    head = pdf[start : opened.start()]
    if b"/Filter" in head:
        raise _Unreadable(f"the {NAME} attachment is encoded (evidence report writes it plain)")
    length = _LENGTH.search(head)
    if length is None or int(length.group(1)) > MAX_MANIFEST_SIZE:
        raise _Unreadable(f"the {NAME} attachment has no usable /Length")
    body = opened.end()
    data = pdf[body : body + int(length.group(1))]
    if len(data) != int(length.group(1)):
        raise _Unreadable(f"the {NAME} attachment is shorter than its /Length")
    return data


def _xref(pdf: bytes) -> tuple[dict[int, int], bytes]:
    """Object offsets from the cross-reference tables, newest first along ``/Prev`` (a signature is an
    incremental update), and the newest trailer dictionary's text."""
    end = _STARTXREF.search(pdf[-1024:])
    if end is None:
        raise _Unreadable("no startxref at the end of the file")
    offsets, trailer = _xref_section(pdf, int(end.group(1)))
    newest, seen = trailer, {int(end.group(1))}
    while (prev := _PREV.search(trailer)) is not None and len(seen) < MAX_REVISIONS:
        pos = int(prev.group(1))
        if pos in seen:
            raise _Unreadable(f"the cross-reference tables loop back to byte {pos}")
        seen.add(pos)
        older, trailer = _xref_section(pdf, pos)
        offsets = {**older, **offsets}
    return offsets, newest


def _xref_section(pdf: bytes, pos: int) -> tuple[dict[int, int], bytes]:
    """One cross-reference table at byte ``pos`` and the text of its trailer."""
    if pdf[pos : pos + 4] != b"xref":
        raise _Unreadable(f"startxref points at byte {pos}, where no cross-reference table starts")
    pos += 4
    while pdf[pos : pos + 1] in (b"\r", b"\n", b" "):
        pos += 1
    offsets: dict[int, int] = {}
    while (sub := _SUBSECTION.match(pdf, pos)) is not None:
        first, count = int(sub.group(1)), int(sub.group(2))
        pos = sub.end()
        for number in range(first, first + count):
            entry = _XREF_ENTRY.match(pdf, pos)
            if entry is None:
                raise _Unreadable(f"cross-reference entry for object {number} is malformed")
            if entry.group(3) == b"n":
                offsets[number] = int(entry.group(1))
            pos = entry.end()
    trailer = pdf.find(b"trailer", pos)
    if trailer < 0:
        raise _Unreadable("no trailer after the cross-reference table")
    end = pdf.find(b"startxref", trailer, trailer + 4096)
    return offsets, pdf[trailer : end if end > 0 else trailer + 4096]


def _object_start(pdf: bytes, offsets: dict[int, int], number: int) -> int:
    """Where object ``number``'s value starts, just after ``N 0 obj``."""
    offset = offsets.get(number)
    if offset is None or offset >= len(pdf):
        raise _Unreadable(f"object {number} is not in the cross-reference table")
    match = _OBJ.match(pdf, offset)
    if match is None or int(match.group(1)) != number:
        raise _Unreadable(f"object {number} is not at byte {offset} where the cross-reference table says")
    return match.end()


def _object(pdf: bytes, offsets: dict[int, int], number: int) -> bytes:
    """Object ``number``'s text up to ``endobj`` (only for objects that are not streams)."""
    start = _object_start(pdf, offsets, number)
    end = pdf.find(b"endobj", start)
    if end < 0:
        raise _Unreadable(f"object {number} has no endobj")
    return pdf[start:end]
