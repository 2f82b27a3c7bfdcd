"""One line of plain words for each kind of ledger entry: what `evidence log` prints and what the report's chain of
custody shows (one function, so the two never tell different stories).

Unknown kinds (a newer version's entries read by an older tool) fall back to the kind and the body's first
characters; nothing here raises on a body with missing fields.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from evidence.case.formats import Kind


def human_size(size: int) -> str:
    """``size`` bytes as bytes, KB, MB or GB (powers of 1000, one decimal above bytes)."""
    value = float(size)
    for unit in ("bytes", "KB", "MB", "GB"):
        if value < 1000 or unit == "GB":
            return f"{size} bytes" if unit == "bytes" else f"{value:.1f} {unit}"
        value /= 1000
    return f"{size} bytes"


def exact_size(size: int) -> str:
    """``size`` bytes, every digit (what a report states)."""
    return f"{size:,} bytes"


def _who(body: dict[str, Any], *keys: str) -> str:
    for key in keys:
        who = body.get(key)
        if isinstance(who, dict) and who.get("user"):
            return f"{who.get('user')}@{who.get('host')}"
    return "?"


def _count(n: object, noun: str) -> str:
    """``1 record``, ``2 records`` (and ``? records`` when a body lacks the count)."""
    return f"{n} {noun}" if n == 1 else f"{'?' if n is None else n} {noun}s"


def _short(value: object) -> str:
    return f"{str(value)[:16]}…"


def describe(
    kind: str, body: dict[str, Any], *, size: Callable[[int], str] = human_size, computer: bool = True
) -> str:
    """What the entry of ``kind`` with ``body`` records, in one line (sizes written by ``size``; who imported,
    login@host, only with ``computer``)."""
    if kind == Kind.CASE_CREATED:
        return (
            f"case created: “{body.get('title')}”, zone {body.get('tz')}, "
            f"key {_short(body.get('key_fingerprint') or body.get('public_key'))}"
        )
    if kind == Kind.ITEM_ACQUIRED:
        dup = f" (same bytes as {body['duplicate_of']})" if body.get("duplicate_of") else ""
        return (
            f"{body.get('exhibit')} acquired: {body.get('original_name')}{dup}, {body.get('media_type')}, "
            f"{size(int(body.get('size') or 0))}, sha256 {_short(body.get('sha256'))}"
            + (f" by {_who(body, 'imported_by')}" if computer else "")
        )
    if kind == Kind.RECORDS_DERIVED:
        return (
            f"{body.get('exhibit')} read by {body.get('importer')} {body.get('importer_version')}: "
            f"{_count(body.get('record_count'), 'record')}, {_count(body.get('warning_count'), 'warning')}"
        )
    if kind == Kind.OCR_DERIVED:
        ocr = body.get("ocr") or {}
        settings = ocr.get("settings") or {}
        again = " (again; earlier results kept)" if body.get("supersedes") else ""
        return (
            f"{body.get('exhibit')} OCR by {ocr.get('engine')} {ocr.get('engine_version')} "
            f"psm {settings.get('psm')} {settings.get('lang')}: {ocr.get('words')} words{again}"
        )
    if kind == Kind.TACTICS_SUGGESTED:
        tagger = body.get("tagger") or {}
        rules = tagger.get("rules_sha256") if isinstance(tagger, dict) else None
        source = (
            f"entry {body.get('derived_seq')}"
            if body.get("derived_seq")
            else f"OCR entry {body.get('ocr_seq')}"
        )
        return (
            f"{body.get('exhibit')} read by the tactic rules: {_count(body.get('records_read'), 'record')}, "
            f"{body.get('records_suggested')} with a suggestion to review ({source}), "
            f"tagger {tagger.get('version') if isinstance(tagger, dict) else None} rules {_short(rules)}"
        )
    if kind == Kind.PERSON_ADDED:
        n = len(body.get("identities") or [])
        return (
            f"person added: {body.get('name')} ({body.get('role')}), {n} identifier{'s' if n != 1 else ''}, "
            f"{body.get('confidence')}; basis: {body.get('basis')}"
        )
    if kind in (Kind.PERSON_LINKED, Kind.PERSON_UNLINKED):
        verb = "linked to" if kind == Kind.PERSON_LINKED else "unlinked from"
        one = body.get("identity")
        what = str(one.get("raw") or one.get("value")) if isinstance(one, dict) else "an identifier"
        return f"{what} {verb} {body.get('name')} ({body.get('confidence')}); basis: {body.get('basis')}"
    if kind == Kind.CASE_UPDATED:
        facts = body.get("set") or {}
        return "case facts set: " + "; ".join(
            f"{k.replace('_', ' ')} = {v}" for k, v in sorted(facts.items())
        )
    if kind == Kind.RECORD_ATTRIBUTED:
        return f"record {body.get('record')} attributed by the complainant to {body.get('person')}"
    if kind == Kind.RECORD_RELAYED:
        return f"record {body.get('record')} marked as passed on by {body.get('by')}"
    if kind == Kind.TACTIC_REVIEWED:
        return f"tactic {body.get('tactic')} {body.get('decision')} on record {body.get('record')}"
    if kind == Kind.REPORT_GENERATED:
        built = body.get("built_from") or {}
        signed = " (signed)" if body.get("signature") else ""
        return (
            f"report {body.get('file_name')} generated ({body.get('profile')}){signed}: "
            f"sha256 {_short(body.get('sha256'))}, {size(int(body.get('size') or 0))}, "
            f"built from entry {built.get('seq')}"
        )
    if kind == Kind.EXPORT_CREATED:
        built = body.get("built_from") or {}
        to = f" for {body.get('recipient')}" if body.get("recipient") else ""
        return (
            f"bundle {body.get('file_name')} exported{to}: {len(body.get('exhibits') or [])} exhibits, "
            f"sha256 {_short(body.get('sha256'))}, built from entry {built.get('seq')}"
        )
    if kind == Kind.CHECKPOINT_SIGNED:
        lines = str(body.get("note") or "").split("\n")
        count = lines[1] if len(lines) > 1 else "?"
        return f"checkpoint signed: the Merkle root of entries 1-{count}"
    if kind == Kind.KEY_CERTIFICATE:
        return f"certificate of the case key for signing reports: sha256 {_short(body.get('certificate_sha256'))}"
    if kind == Kind.ANCHOR_TIMESTAMPED:
        covers = body.get("covers") or {}
        chain = "chain checked" if body.get("chain_checked") else "chain NOT checked (no --tsa-cert)"
        return (
            f"entry {covers.get('seq')} ({_short(covers.get('hash'))}) timestamped (RFC 3161) "
            f"{body.get('gen_time')} by {body.get('tsa_name') or body.get('tsa_url')}, "
            f"serial {body.get('serial')}, {chain}"
        )
    return f"{kind}: {json.dumps(body, ensure_ascii=False, sort_keys=True)[:100]}"
