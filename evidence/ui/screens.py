"""What the app's screens ask of the library, as plain functions returning what a template shows: create and
unlock a case, the passphrase hint, the timeline with its filters, the check of the whole case.

Each is a thin call into ``evidence.api`` (the check into ``evidence.verify.case``, as ``evidence verify``
does); nothing here writes but ``Case.init``. Times are shown with their offset (``timeutil.display``), in the
case's zone.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

from evidence.errors import EvidenceError, PassphraseError
from evidence.models import Channel, Direction, Record
from evidence.timeutil import display

if TYPE_CHECKING:
    from evidence.case.vault import CaseKeys, Cost

TIMELINE_LIMIT = 500  # entries shown at once; the filters narrow the rest
CHANNEL_WORDS = {
    Channel.CALL: "Call",
    Channel.SMS: "Text message",
    Channel.MMS: "Picture message",
    Channel.EMAIL: "E-mail",
    Channel.CHAT: "Chat",
    Channel.SOCIAL: "Social media",
    Channel.VOICEMAIL: "Voicemail",
    Channel.DIARY: "Diary",
    Channel.SCREENSHOT: "Screenshot",
    Channel.FILE: "File",
}
DIRECTION_WORDS = {"incoming": "received", "outgoing": "sent by you", "unknown": "direction unknown"}


def in_words(exc: EvidenceError) -> str:
    """A library error as one line for the page, with the hint when there is one."""
    if isinstance(exc, PassphraseError):
        return "That passphrase did not open the case. Check it and try again."
    # The library's hints are written for the command line; one naming a flag or a command would confuse here.
    hint = exc.hint if exc.hint and "--" not in exc.hint and "'" not in exc.hint else None
    return exc.one_line() + (f" ({hint})" if hint else "")


def is_case_folder(path: Path) -> bool:
    """Whether ``path`` holds a case."""
    from evidence.api import is_case

    return is_case(path)


def is_encrypted(path: Path) -> bool:
    """Whether the case at ``path`` is encrypted."""
    from evidence.case.vault import is_encrypted as encrypted

    return encrypted(path)


def local_zone_name() -> str:
    """This computer's IANA zone name when it can be read (``$TZ`` or ``/etc/localtime``), else UTC."""
    name = os.environ.get("TZ", "")
    if "/" in name:
        return name.lstrip(":")
    try:
        target = os.readlink("/etc/localtime")
    except OSError:
        return "UTC"
    return target.split("zoneinfo/", 1)[1] if "zoneinfo/" in target else "UTC"


def strength_hint(passphrase: str) -> str:
    """The library's strength hint in words ("weak: short; use four or more unrelated words")."""
    from evidence.case.vault import passphrase_strength

    if not passphrase:
        return "Four or more unrelated words make a strong passphrase."
    return "This passphrase is " + passphrase_strength(passphrase) + "."


def create_case(
    folder: Path, title: str, tz: str, no_contact: date | None, passphrase: str, cost: Cost | None
) -> CaseKeys:
    """``Case.init(encrypted=True)``; returns the new case's keys (the case itself is closed)."""
    from evidence.api import Case

    with Case.init(
        folder,
        title=title,
        tz=tz,
        passphrase=passphrase,
        no_contact_since=no_contact,
        encrypted=True,
        cost=cost,
    ) as case:
        assert case.keys is not None
        return case.keys


def unlock_case(root: Path, passphrase: str | None) -> CaseKeys | None:
    """Open the case with ``passphrase`` (None for a plain case) and return its keys (None for a plain case);
    a wrong passphrase raises ``PassphraseError``."""
    from evidence.api import Case

    if passphrase is not None and not passphrase:
        raise PassphraseError("type the passphrase")
    with Case.open(root, readonly=True, passphrase=passphrase) as case:
        return case.keys


def case_title(root: Path, keys: CaseKeys | None) -> str:
    """The case's title."""
    from evidence.api import Case

    with Case.open(root, readonly=True, keys=keys) as case:
        return case.title


def _named(raw: str, resolver: Any) -> str:
    """An identifier as written, with the person it is linked to: "+15550000001 (Contact A)"."""
    name = resolver.identify(raw)[1]
    return f"{raw} ({name})" if name else raw


def _who(rec: Record, resolver: Any) -> str:
    """The other side of a record in words: "from X" for what was received, "to Y" for what was sent."""
    if rec.direction == Direction.OUTGOING:
        return "to " + ", ".join(_named(r, resolver) for r in rec.recipients) if rec.recipients else ""
    return "from " + _named(rec.sender, resolver) if rec.sender else ""


def _day(value: str | None) -> date | None:
    return date.fromisoformat(value) if value else None


def timeline_view(root: Path, keys: CaseKeys | None, query: Mapping[str, str]) -> dict[str, Any]:
    """The timeline's rows for the filters in ``query`` (person, channel, since, until), at most
    ``TIMELINE_LIMIT``, with a summary line saying how many there are."""
    from evidence.analysis.select import select
    from evidence.api import Case

    filters = {key: query.get(key, "") for key in ("person", "channel", "since", "until")}
    error = None
    try:
        since, until = _day(filters["since"]), _day(filters["until"])
    except ValueError:
        since = until = None
        error = "A date in the filters is not a date; all dates are shown."
    channels = [(c.value, CHANNEL_WORDS[c]) for c in Channel]
    if filters["channel"] and filters["channel"] not in {c.value for c in Channel}:
        filters["channel"] = ""
    rows: list[dict[str, Any]] = []
    total = 0
    with Case.open(root, readonly=True, keys=keys) as case:
        tz = case.tz
        resolver = case.resolver()
        people = [p.name for p in case.people()]
        person = filters["person"] if filters["person"] in people else None
        for entry in case.timeline_stream():
            if not select(
                (entry,),
                tz,
                resolver=resolver,
                person=person,
                channels=[filters["channel"]] if filters["channel"] else (),
                since=since,
                until=until,
            ):
                continue
            total += 1
            if len(rows) >= TIMELINE_LIMIT:
                continue
            rec = entry.record
            rows.append(
                {
                    "when": display(rec.occurred_at, tz),
                    "iso": rec.occurred_at.isoformat(),
                    "assumed": rec.tz_assumed,
                    "channel": CHANNEL_WORDS.get(rec.channel, rec.channel.value),
                    "direction": DIRECTION_WORDS.get(rec.direction.value, rec.direction.value),
                    "who": _who(rec, resolver),
                    "text": (rec.text or rec.subject or rec.status or "")[:2000],
                    "where": "; ".join(f"{s.exhibit} {s.locator}" for s in entry.sources),
                }
            )
        title = case.title
    if total == 0:
        summary = "Nothing here yet." if not any(filters.values()) else "Nothing matches these filters."
    elif total > len(rows):
        summary = f"The first {len(rows)} of {total} entries. Narrow the dates to see the rest."
    else:
        summary = f"{total} entr{'y' if total == 1 else 'ies'}."
    return {
        "rows": rows,
        "summary": summary,
        "filters": filters,
        "people": people,
        "channels": channels,
        "error": error,
        "case_title": title,
    }


def _count(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def verify_view(root: Path, keys: CaseKeys | None) -> dict[str, Any]:
    """The whole case checked (``verify_case``, checks (1)-(8)): ok, a summary in words, the head as
    ``seq:hash`` and each finding as a line."""
    from evidence.verify.case import verify_case

    report = verify_case(root, keys=keys)
    checked = report.checked
    head = report.facts.get("head", {})
    summary = (
        f"Checked: {_count(checked.get('entries', 0), 'step')} in the record of everything done, "
        f"{_count(checked.get('signatures', 0), 'signature')} and {_count(checked.get('objects', 0), 'file')}."
    )
    errors = sum(1 for f in report.findings if f.severity == "error")
    if not report.ok:
        summary = f"{errors} problem{'s' if errors != 1 else ''} found. " + summary
    return {
        "ok": report.ok,
        "summary": summary,
        "head": f"{head.get('seq')}:{head.get('hash')}" if head else "",
        "findings": [("Warning: " if f.severity == "warning" else "") + str(f) for f in report.findings],
    }
