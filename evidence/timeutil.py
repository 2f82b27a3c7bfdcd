"""Time, always with its zone.

Every time the toolkit stores or prints carries its UTC offset. Stored times are UTC with microseconds;
displayed times are in the case's zone (or the zone the user asked for) with the offset written out.
"""

from __future__ import annotations

import os
from datetime import UTC, datetime, timedelta, timezone, tzinfo
from enum import StrEnum
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from evidence.errors import UsageError


def utc_now() -> datetime:
    """The current time, aware, in UTC."""
    return datetime.now(UTC)


def iso_utc(moment: datetime) -> str:
    """RFC 3339 in UTC with microseconds: ``2026-03-14T21:33:44.123456+00:00``."""
    if moment.tzinfo is None:
        raise ValueError("naive datetime")
    return moment.astimezone(UTC).isoformat(timespec="microseconds")


def iso_local(moment: datetime, zone: tzinfo) -> str:
    """RFC 3339 in ``zone`` with its offset, to the second unless there are microseconds."""
    local = moment.astimezone(zone)
    spec = "microseconds" if local.microsecond else "seconds"
    return local.isoformat(timespec=spec)


def parse_iso(text: str) -> datetime:
    """Parse an RFC 3339 time that must carry an offset."""
    moment = datetime.fromisoformat(text)
    if moment.tzinfo is None:
        raise ValueError(f"time {text!r} has no offset")
    return moment


def display(moment: datetime, zone: tzinfo) -> str:
    """A readable time in ``zone`` with its offset: ``2026-03-14 21:33:44 +00:00``."""
    local = moment.astimezone(zone)
    offset = local.strftime("%z")
    return f"{local:%Y-%m-%d %H:%M:%S} {offset[:3]}:{offset[3:]}"


def zone(name: str) -> ZoneInfo:
    """An IANA zone by name, or a UsageError naming the flag."""
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise UsageError(
            f"unknown time zone {name!r}",
            hint="use an IANA name such as Europe/London or America/New_York (--tz)",
        ) from None


def local_zone_name() -> str | None:
    """The IANA name of this machine's zone, or None when it cannot be told (then only the offset is known)."""
    env = os.environ.get("TZ")
    if env:
        name = env.removeprefix(":")
        try:
            ZoneInfo(name)
        except (ZoneInfoNotFoundError, ValueError):
            return None
        return name
    try:
        name = Path("/etc/timezone").read_text(encoding="utf-8").strip()
        if name:
            ZoneInfo(name)
            return name
    except (OSError, ZoneInfoNotFoundError, ValueError):
        pass
    try:
        target = os.readlink("/etc/localtime")
    except OSError:
        return None
    marker = "zoneinfo/"
    if marker in target:
        name = target.split(marker, 1)[1]
        try:
            ZoneInfo(name)
        except (ZoneInfoNotFoundError, ValueError):
            return None
        return name
    return None


def local_now_description(moment: datetime) -> dict[str, str | None]:
    """This machine's local view of ``moment``: zone name (when known), offset, and the local time."""
    local = moment.astimezone()
    offset = local.strftime("%z")
    return {
        "zone": local_zone_name(),
        "offset": f"{offset[:3]}:{offset[3:]}",
        "local": local.isoformat(timespec="microseconds"),
    }


class DstCase(StrEnum):
    """Why a wall-clock time is not a plain one in its zone (daylight-saving changes)."""

    AMBIGUOUS = "ambiguous"  # happened twice (clocks went back): the first occurrence (fold=0) is taken
    NONEXISTENT = "nonexistent"  # never happened (clocks went forward): the offset before the change is kept


def localise_wall(wall: datetime, tz: tzinfo) -> tuple[datetime, DstCase | None]:
    """``wall`` (naive: a time as a clock showed it) in ``tz``, and which DST case applied, if any.

    An ambiguous wall time (the fall-back hour) is read as its first occurrence (fold=0); a time that does
    not exist (the spring-forward gap) keeps the offset before the change (also fold=0). The wording of the
    warning is the caller's: each importer says it its own way.
    """
    if wall.tzinfo is not None:
        raise ValueError("a wall-clock time has no zone yet")
    first = wall.replace(tzinfo=tz, fold=0)
    if first.utcoffset() == wall.replace(tzinfo=tz, fold=1).utcoffset():
        return first, None
    back = first.astimezone(UTC).astimezone(tz).replace(tzinfo=None)
    return first, DstCase.AMBIGUOUS if back == wall else DstCase.NONEXISTENT


def fixed_offset(moment: datetime, tz: tzinfo) -> datetime:
    """``moment`` with the UTC offset ``tz`` had then, as a fixed offset (exact instants keep no zone).

    At the very ends of the calendar (9999-12-31 late in the day east of UTC, 0001-01-01 west of it) the local
    time is outside what ``datetime`` can hold: ``moment`` is then returned with its own offset. No phone or
    server writes such a time; the import refuses it (before 1970 or after 2099) with a warning naming it."""
    try:
        offset = moment.astimezone(tz).utcoffset() or timedelta(0)
        return moment.astimezone(timezone(offset))
    except OverflowError:
        return moment


def after_epoch(delta: timedelta, tz: tzinfo) -> datetime | None:
    """The instant ``delta`` after the Unix epoch, with the offset ``tz`` had then (``fixed_offset``); None
    when it is past the year 9999, which ``datetime`` cannot hold (a forged or garbled number)."""
    try:
        moment = datetime(1970, 1, 1, tzinfo=UTC) + delta
    except OverflowError:
        return None
    return fixed_offset(moment, tz)
