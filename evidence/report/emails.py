"""The header fields of an e-mail as its exhibit shows them, from what ``evidence.importers.email`` kept in
``Record.raw``: From, To, Cc (display names with addresses), Date as written and as read (with its offset),
Subject, Message-ID, the Received chain summarised (hop count, first and last hop) and the DKIM result.

In a redacted report every value shown goes through the redactor: addresses as parties
(:meth:`~evidence.report.redact.Redactor.party`), everything else (display names, the Date as written,
Subject, Message-ID, Received, DKIM) with the owner's identifiers masked even inside a longer value
(:meth:`~evidence.report.redact.Redactor.header`); the Message-ID only so (:meth:`~.Redactor.inside`): it
names a message, not a party, so it is not taken for a third party's address."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import tzinfo
from typing import Any

from evidence.models import Record
from evidence.report.page import record_time
from evidence.report.redact import Redactor

_FROM_BY = re.compile(r"\bfrom\s+(\S+).*?\bby\s+(\S+)", re.IGNORECASE | re.DOTALL)
MAX_FIELD = 400


def _header(raw: dict[str, Any], name: str) -> list[str]:
    found: list[str] = []
    for item in raw.get("headers") or []:
        if isinstance(item, list) and len(item) >= 2 and str(item[0]).lower() == name:
            found.append(str(item[1]))
    return found


def _people(
    raw: dict[str, Any], key: str, party: Callable[[str | None], str | None], header: Callable[[str], str]
) -> str:
    shown: list[str] = []
    for entry in raw.get(key) or []:
        if not isinstance(entry, dict):
            continue
        address = party(entry.get("address")) if entry.get("address") else None
        name = entry.get("name")
        if address and name and address == entry.get("address"):
            shown.append(f"{header(str(name))} <{address}>")
        else:
            shown.append(str(address or name or ""))
    return ", ".join(s for s in shown if s)


def _hop(value: str) -> str:
    before, _, when = value.rpartition(";")
    match = _FROM_BY.search(before or value)
    where = f"from {match.group(1)} by {match.group(2)}" if match else (before or value)[:80]
    return f"{where}; {when.strip()}" if when else where


def _clip(text: str) -> str:
    return text if len(text) <= MAX_FIELD else text[:MAX_FIELD] + "…"


def _same(value: str) -> str:
    return value


def header_rows(record: Record, tz: tzinfo, redactor: Redactor | None) -> list[tuple[str, str]]:
    """Label and value of each header field shown, masked by ``redactor`` when the report is redacted."""
    party: Callable[[str | None], str | None] = redactor.party if redactor is not None else lambda v: v
    header = redactor.header if redactor is not None else _same
    inside = redactor.inside if redactor is not None else _same
    raw = record.raw
    rows: list[tuple[str, str]] = []
    for key, label in (("from", "From"), ("to", "To"), ("cc", "Cc")):
        value = _people(raw, key, party, header)
        if value:
            rows.append((label, value))
    dates = _header(raw, "date")
    read = record_time(record, tz)
    source = record.time_source.value
    rows.append(
        ("Date", f"{header(dates[0])}  (read as {read}, from {source})" if dates else f"{read} ({source})")
    )
    if record.subject:
        rows.append(("Subject", header(record.subject)))
    if raw.get("message_id"):
        rows.append(("Message-ID", inside(str(raw["message_id"]))))
    received = _header(raw, "received")
    if received:
        summary = f"{len(received)} hop{'s' if len(received) != 1 else ''}; newest: {_hop(received[0])}"
        if len(received) > 1:
            summary += f"; oldest: {_hop(received[-1])}"
        rows.append(("Received", header(summary)))
    else:
        rows.append(("Received", "no Received header (not relayed through a mail server, or removed)"))
    dkim = raw.get("dkim")
    if isinstance(dkim, dict):
        if dkim.get("present"):
            rows.append(
                (
                    "DKIM",
                    header(
                        f"signed by d={dkim.get('domain')} s={dkim.get('selector')}: {dkim.get('result')}"
                    ),
                )
            )
        else:
            rows.append(("DKIM", "no DKIM-Signature header"))
    return [(label, _clip(value)) for label, value in rows]
