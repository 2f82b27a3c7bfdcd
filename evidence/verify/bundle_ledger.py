"""Check (3) of ``evidence.verify.bundle``: ``ledger.jsonl`` read line by line into entries, then the case
verifier's checks (2)-(5) over them (``evidence.verify.ledger``), or, in a selective bundle, each entry on its
own (``evidence.verify.merkle``); the ledger must end at the head the manifest names.
"""

from __future__ import annotations

import io
import json
import zipfile
from collections.abc import Iterable
from typing import Any

from evidence.case.canonical import CanonicalError, canonical_text
from evidence.case.formats import BUNDLE_KEY, BUNDLE_LEDGER, BUNDLE_MANIFEST, BUNDLE_SUMS
from evidence.case.ledger import Entry
from evidence.case.signing import PublicKey
from evidence.errors import SigningKeyError
from evidence.verify import Finding, Report
from evidence.verify.ledger import check_ledger
from evidence.verify.merkle import check_disclosed_ledger

MAX_TEXT_SIZE = 1 << 30  # ledger.jsonl is read into memory; the other text members have smaller bounds
TEXT_LIMITS = {BUNDLE_KEY: 1 << 16, BUNDLE_SUMS: 16 << 20, BUNDLE_MANIFEST: 64 << 20}
MAX_LEDGER_LINES = 1_000_000
# Each entry carries 96 bytes no compressor shrinks (its hash and signature, as hex): a ledger.jsonl whose
# lines outnumber its compressed size / ENTRY_MIN_COMPRESSED cannot be a ledger, only work for the verifier.
ENTRY_MIN_COMPRESSED = 32
MAX_LINE_FINDINGS = 20  # malformed lines named one by one; past this the ledger is not checked further
ENTRY_FIELDS = ("seq", "recorded_at", "kind", "body", "prev", "hash", "sig")


def read_text(zf: zipfile.ZipFile, name: str) -> str | None:
    """Member ``name`` as UTF-8 text, None when absent, larger than its bound (``TEXT_LIMITS``) or unreadable."""
    try:
        info = zf.getinfo(name)
    except KeyError:
        return None
    limit = TEXT_LIMITS.get(name, MAX_TEXT_SIZE)
    if info.file_size > limit:
        return None
    try:
        with zf.open(info) as fh:
            return fh.read(limit).decode("utf-8")
    except (zipfile.BadZipFile, OSError, EOFError, UnicodeDecodeError, ValueError):
        return None


def _parse_entry(line: str) -> tuple[Entry, list[str]] | str:
    """One ledger line as an Entry and its storage problems, or why it is not an entry at all."""
    try:
        value = json.loads(line, object_pairs_hook=_no_duplicates)
    except (ValueError, RecursionError) as exc:
        return f"not JSON ({exc})"
    if not isinstance(value, dict) or not all(k in value for k in ENTRY_FIELDS):
        return "not a ledger entry (needs " + ", ".join(ENTRY_FIELDS) + ")"
    seq = value["seq"]
    if not isinstance(seq, int) or isinstance(seq, bool):
        return "seq is not an integer"
    problems: list[str] = []
    extra = sorted(set(value) - set(ENTRY_FIELDS))
    if extra:
        problems.append("unexpected fields " + ", ".join(extra))
    texts: list[str] = []
    for name in ENTRY_FIELDS[1:]:
        if name == "body":
            continue
        field = value[name]
        if not isinstance(field, str):
            problems.append(f"{name} is not a string")
        texts.append(field if isinstance(field, str) else json.dumps(field))
    try:
        body_text = canonical_text(value["body"])
    except (CanonicalError, RecursionError):
        # Not representable canonically (a float...): keep it non-canonical so check (3) names the entry.
        body_text = json.dumps(value["body"], ensure_ascii=False)
    recorded_at, kind, prev, digest, sig = texts
    return Entry(seq, recorded_at, kind, body_text, prev, digest, sig), problems


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for key, value in pairs:
        if key in result:
            raise ValueError(f"duplicate key {key!r}")
        result[key] = value
    return result


def check_bundle_ledger(
    zf: zipfile.ZipFile,
    manifest: dict[str, Any] | None,
    report: Report,
    heads: Iterable[str],
    expect_key: str | None,
    *,
    selected: bool = False,
) -> tuple[list[Any], PublicKey | None] | None:
    text = read_text(zf, BUNDLE_LEDGER)
    if text is None:
        if BUNDLE_LEDGER in zf.namelist():
            report.add(Finding("LEDGER_MALFORMED", "cannot be read as UTF-8 text", path=BUNDLE_LEDGER))
        elif not any(f.code == "MISSING" and f.path == BUNDLE_LEDGER for f in report.findings):
            report.add(Finding("MISSING", "the bundle has no ledger", path=BUNDLE_LEDGER))
        return None
    parsed = _parse_lines(text, zf.getinfo(BUNDLE_LEDGER).compress_size, report)
    if parsed is None:
        return None
    entries, problems = parsed
    report.checked["entries"] = len(entries)
    if not entries:
        report.add(Finding("LEDGER_EMPTY", "the ledger has no entries", path=BUNDLE_LEDGER))
        return None
    file_key: PublicKey | None = None
    key_text = read_text(zf, BUNDLE_KEY)
    if key_text is None:
        report.add(Finding("KEY_UNREADABLE", "the bundle's public key cannot be read", path=BUNDLE_KEY))
    else:
        try:
            file_key = PublicKey.from_pem(key_text.encode("utf-8"))
        except SigningKeyError as exc:
            report.add(Finding("KEY_UNREADABLE", exc.message, path=BUNDLE_KEY))
    if selected:
        rows, key = check_disclosed_ledger(
            entries, problems, file_key, report, key_path=BUNDLE_KEY, expect_key=expect_key, heads=heads
        )
    else:
        rows, key = check_ledger(
            entries, problems, file_key, report, key_path=BUNDLE_KEY, expect_key=expect_key, heads=heads
        )
    last = max(entries, key=lambda e: e.seq)
    report.facts["head"] = {"seq": last.seq, "hash": last.hash}
    if key is not None:
        report.facts["key_fingerprint"] = key.fingerprint
    built = manifest.get("built_from") if manifest else None
    if isinstance(built, dict) and (built.get("seq"), built.get("hash")) != (last.seq, last.hash):
        report.add(
            Finding(
                "HEAD_MISMATCH",
                f"the ledger ends at {last.seq}:{last.hash[:16]}..., manifest.json names "
                f"{built.get('seq')}:{str(built.get('hash'))[:16]}...",
                path=BUNDLE_MANIFEST,
            )
        )
    elif manifest is not None and not isinstance(built, dict):
        report.add(Finding("MODIFIED", "names no ledger head (built_from)", path=BUNDLE_MANIFEST))
    return rows, key


def _parse_lines(text: str, compressed: int, report: Report) -> tuple[list[Entry], list[list[str]]] | None:
    """The ledger's lines as entries and their storage problems; None (reported) when the lines are more than
    a ledger of this compressed size can hold, or more than ``MAX_LINE_FINDINGS`` of them are malformed: the
    count is checked before any line is parsed, the findings stop at the bound."""
    lines = text.count("\n") + (not text.endswith("\n"))
    bound = min(MAX_LEDGER_LINES, max(compressed, 1 << 16) // ENTRY_MIN_COMPRESSED)
    if lines > bound:
        report.add(
            Finding(
                "LEDGER_MALFORMED",
                f"{lines} lines, more than {bound} signed entries a ledger of {compressed} compressed bytes can "
                f"hold (each carries {ENTRY_MIN_COMPRESSED * 3} bytes that do not compress): not checked",
                path=BUNDLE_LEDGER,
            )
        )
        return None
    entries: list[Entry] = []
    problems: list[list[str]] = []
    malformed = 0
    for number, line in enumerate(io.StringIO(text), 1):
        if not line.strip():
            continue
        parsed = _parse_entry(line)
        if isinstance(parsed, str):
            malformed += 1
            if malformed > MAX_LINE_FINDINGS:
                report.add(
                    Finding(
                        "LEDGER_MALFORMED",
                        f"more than {MAX_LINE_FINDINGS} malformed lines: the rest of the ledger is not checked",
                        path=BUNDLE_LEDGER,
                    )
                )
                return None
            report.add(Finding("LEDGER_MALFORMED", f"line {number}: {parsed}", path=BUNDLE_LEDGER))
            continue
        entries.append(parsed[0])
        problems.append(parsed[1])
    return entries, problems


def bodies(rows: list[Any], kind: str) -> list[tuple[int, dict[str, Any]]]:
    """The seq and body of every valid entry of ``kind``."""
    return [
        (row.entry.seq, row.body)
        for row in rows
        if row.entry.kind == kind and row.valid and isinstance(row.body, dict)
    ]
