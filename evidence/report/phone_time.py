"""Phone-side times: what the phone or app itself wrote as the time of a record, shown beside the time the
report prints when the two differ (issue 14: stored, never shown).

The report prints each record's stored instant in the case zone. An export often also carries the time as
the phone displayed it, in the phone's own zone and format: SMS Backup & Restore's ``readable_date`` ("Dec 2,
2017 06:49:27", the phone's local time), and for a text the sender's phone's ``date_sent`` (the network's
time of sending, in milliseconds UTC). When the phone showed another wall-clock time than the report (the
phone was set to another zone, or the clock changed), a reader comparing the report with the phone's screen
needs both: :func:`notes` gives one line for each difference, with the phone's implied UTC offset. An e-mail's
Date header written in another offset is shown as written for the same reason. A time the report cannot read
is shown as written, marked so.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, tzinfo
from email.utils import parsedate_to_datetime
from typing import Any

from evidence.models import Record
from evidence.report.page import shown_in

READABLE_FORMATS = (
    "%b %d, %Y %H:%M:%S",  # Dec 2, 2017 06:49:27
    "%b %d, %Y %I:%M:%S %p",  # Oct 21, 2011 9:50:00 AM
    "%d %b %Y %H:%M:%S",  # 1 Mar 2026 18:02:11
    "%d %b %Y %I:%M:%S %p",
)


def _readable(text: str) -> datetime | None:
    for fmt in READABLE_FORMATS:
        try:
            return datetime.strptime(text.strip(), fmt)  # noqa: DTZ007  # a wall-clock time, compared as such
        except ValueError:
            continue
    return None


def _offset(delta: timedelta) -> str:
    minutes = round(delta.total_seconds() / 60)  # the stored time has milliseconds, the display none
    sign = "+" if minutes >= 0 else "-"
    hours, rest = divmod(abs(minutes), 60)
    return f"UTC{sign}{hours:02d}:{rest:02d}"


def notes(rec: Record, tz: tzinfo, tz_name: str) -> list[str]:
    """The phone-side times of ``rec`` that differ from the time the report prints (see the module docstring)."""
    found: list[str] = []
    attributes = rec.raw.get("attributes")
    shown = rec.occurred_at.astimezone(tz)
    if isinstance(attributes, dict):
        found += _backup(attributes, rec, shown, tz_name)
    date = rec.raw.get("date")
    if isinstance(date, dict) and date.get("header") == "Date" and isinstance(date.get("value"), str):
        try:
            written = parsedate_to_datetime(date["value"])
        except (TypeError, ValueError, IndexError):
            written = None
        if written is not None and written.tzinfo is not None and written.utcoffset() != shown.utcoffset():
            found.append(
                f"the Date header as written: '{date['value']}' (the sender's offset, "
                f"{_offset(written.utcoffset() or timedelta(0))}; the same instant as the time shown)"
            )
    return found


def _backup(attributes: dict[str, Any], rec: Record, shown: datetime, tz_name: str) -> list[str]:
    found: list[str] = []
    readable = attributes.get("readable_date")
    if isinstance(readable, str) and readable.strip() and readable.strip() != "null":
        wall = _readable(readable)
        if wall is None:
            found.append(f"the phone's own display of the time: '{readable}' (not read by this report)")
        elif abs(wall - shown.replace(tzinfo=None)) >= timedelta(seconds=1):
            implied = wall - rec.occurred_at.astimezone(UTC).replace(tzinfo=None)
            found.append(
                f"the phone showed '{readable}' (its readable_date), not the time shown here in {tz_name}: the "
                f"phone's clock was on {_offset(implied)} for this record"
            )
    sent = attributes.get("date_sent")
    if isinstance(sent, str) and sent.isdigit() and int(sent) > 0:
        at = datetime.fromtimestamp(int(sent) / 1000, UTC).astimezone(shown.tzinfo)
        if at.replace(microsecond=0) != shown.replace(microsecond=0):
            gap = (rec.occurred_at - at).total_seconds()
            found.append(
                f"sent by the sender's phone at {shown_in(at, shown.tzinfo or UTC)} (date_sent), "
                f"{abs(gap):.0f} s {'before' if gap >= 0 else 'after'} this phone's time"
            )
    return found
