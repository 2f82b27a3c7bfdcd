"""RFC 5322 dates, read tolerantly (comments anywhere, missing weekday or seconds), with what their zone says.

``-0000`` and unknown zone names mean, per RFC 5322 sections 3.3 and 4.3, a time in UTC from a sender whose own
zone is unknown; a date with no zone at all is wall-clock time, left for the caller to place in the import's zone
(``evidence.importers._wall.localize``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Final

from evidence.importers._mail.headers import strip_comments
from evidence.importers._wall import Wall

_ALPHA_ZONE: Final = re.compile(r"[A-Za-z]{1,5}")
_DATE_WORDS: Final = frozenset(
    [
        "jan",
        "feb",
        "mar",
        "apr",
        "may",
        "jun",
        "jul",
        "aug",
        "sep",
        "oct",
        "nov",
        "dec",
        "mon",
        "tue",
        "wed",
        "thu",
        "fri",
        "sat",
        "sun",
    ]
)


@dataclass(frozen=True)
class ParsedDate:
    """A date read from a header: an aware ``moment``, or only ``wall`` when the source named no zone.

    ``zone`` is "offset" (an explicit offset or a known zone name), "-0000" or "unknown-name" (UTC from a
    sender whose own zone is unknown: RFC 5322 sections 3.3 and 4.3), or "none" (wall-clock time).
    """

    moment: datetime | None
    wall: Wall
    zone: str


def parse_date(text: str) -> ParsedDate | None:
    """An RFC 5322 date-time (tolerant: comments anywhere, missing weekday or seconds), or None."""
    cleaned = strip_comments(text)
    if not cleaned or len(cleaned) > 200:
        return None
    try:
        moment = parsedate_to_datetime(cleaned)
    except (ValueError, TypeError, IndexError, OverflowError):
        return None
    if moment is None:
        return None
    wall = (moment.year, moment.month, moment.day, moment.hour, moment.minute, moment.second)
    if moment.tzinfo is not None:
        try:
            moment.astimezone(UTC)
        except OverflowError:
            return None
        return ParsedDate(moment, wall, "offset")
    last = cleaned.split()[-1]
    if last == "-0000":
        return ParsedDate(moment.replace(tzinfo=UTC), wall, "-0000")
    if _ALPHA_ZONE.fullmatch(last) and last.lower()[:3] not in _DATE_WORDS:
        return ParsedDate(moment.replace(tzinfo=UTC), wall, "unknown-name")
    return ParsedDate(None, wall, "none")
