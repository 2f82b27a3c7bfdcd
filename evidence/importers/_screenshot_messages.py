"""The messages of a screen (``importers/screenshot.py``): one record per chat bubble, call-log row, inbox row or
open e-mail the OCR layout found, its shown time (``21:33``, ``Yesterday``, ``Mon 9:41 PM``, ``14 Mar``, with
the date separator above it) dated against the screenshot's own time and offset, or marked ``date_unknown``
when nothing on the screen dates it, its channel from the app the file name names, and the warnings saying what
was guessed. ``evidence.actions.ocr`` calls ``message_records`` for a picture read after its import.

Not an importer (its name starts with ``_``, so the registry test does not expect it in ``REGISTRY``).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta, tzinfo
from pathlib import Path
from typing import Any, Final

from evidence.importers._wall import localize
from evidence.importers.base import Source, Yielded
from evidence.models import Channel, Direction, ImportOptions, ImportWarning, Record, TimeSource
from evidence.timeutil import zone

# The screenshot importer's name and version and the picture's locator: the message records carry them (also
# those ``evidence.actions.ocr`` makes later), so they are declared here and ``screenshot.py`` takes them.
NAME: Final = "screenshot"
VERSION: Final = "1.2.0"
LOCATOR: Final = "image"
# said of a picture whose layout nothing made sense of (a photo, a document, a screen of an unknown kind)
UNRECOGNISED: Final = (
    "the screen was not recognised as a chat, a call history, a mailbox, an open e-mail or a list: no message"
    " records were made (whatever text was read stays the picture's own record)"
)
SPACES: Final = str.maketrans({"\u202f": " ", "\u00a0": " "})  # narrow and no-break spaces as plain ones

_WEEKDAYS: Final = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_MONTHS: Final = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")
_MONTH_ALIASES: Final = {"okt": "oct", "dez": "dec", "mai": "may"}  # German short forms the layout reads
_SHOWN: Final = re.compile(
    r"^(?:(?P<day>yesterday|today|(?P<wd>mon|tue|wed|thu|fri|sat|sun)[a-z]*"
    r"|(?P<d1>\d{1,2})\s?(?P<m1>[a-z]{3})[a-z]*\.?|(?P<m2>[a-z]{3})[a-z]*\.?\s?(?P<d2>\d{1,2}))"
    r"(?:,?\s+(?P<clock>.+))?|(?P<only>.+))$"
)
# a date written out in full (a chat's date separator, lower-cased): a weekday, a year, or both, beside the day
# and month, or an ISO date; "at" before its clock left out ("today at 10:09")
_FULL: Final = re.compile(
    r"^(?:(?P<wd>mon|tue|wed|thu|fri|sat|sun)[a-z]*\.?,?\s+)?"
    r"(?:(?P<d1>\d{1,2})(?:st|nd|rd|th)?\s+(?P<m1>[a-z]{3})[a-z]*\.?|(?P<m2>[a-z]{3})[a-z]*\.?\s+(?P<d2>\d{1,2})"
    r"(?:st|nd|rd|th)?)(?:,?\s+(?P<year>\d{4}))?(?:,?\s+(?P<clock>\d.*))?$"
    r"|^(?P<iy>\d{4})-(?P<im>\d{2})-(?P<id>\d{2})(?:,?\s+(?P<iclock>\d.*))?$"
)
_YEAR_SHOWN: Final = re.compile(r"(?<![\d:])(?:19|20)\d{2}(?![\d:])")
_CLOCK_TAIL: Final = re.compile(r",?\s+\d{1,2}[:.]\d{2}(?:\s?[ap]\.?m\.?)?$", re.IGNORECASE)
_CLOCK_RE: Final = re.compile(r"^(\d{1,2})[:.](\d{2})(?:\s?([ap])\.?m\.?)?$")
# Android names a screenshot after the app in front: Screenshot_20260314-213344_WhatsApp.png
_APP_SUFFIX: Final = re.compile(r"\d{6}_([A-Za-z][A-Za-z ]{1,30})$")
# MIUI names it after the package: Screenshot_2026-03-14-21-33-44-123_com.whatsapp.jpg
_APP_PACKAGE: Final = re.compile(r"_[a-z0-9]+(?:\.[a-z0-9]+)*\.([a-z]+)$")
_CHAT_APPS: Final = {
    "whatsapp": "WhatsApp",
    "instagram": "Instagram",
    "messenger": "Messenger",
    "telegram": "Telegram",
    "signal": "Signal",
    "snapchat": "Snapchat",
}
_SMS_APPS: Final = {"messages": "Messages", "messaging": "Messaging", "samsung messages": "Samsung Messages"}
_DOTTED_DAY: Final = re.compile(r"\d{1,2}\.\d{2}")
_DURATION_SHOWN: Final = re.compile(r"(?:(\d{1,2}):)?(\d{1,2}):(\d{2})")
_PHONE_LIKE: Final = re.compile(r"^\+?[\d\s().-]+$")


@dataclass(frozen=True)
class Shot:
    """The screenshot's own time, which shown times are resolved against."""

    moment: datetime
    time_source: TimeSource
    assumed: bool
    tz_name: str | None


@dataclass(frozen=True)
class ShownTime:
    """A shown time read: the minute it names (None when only a day is shown) and the day."""

    moment: datetime | None
    day: date
    note: str | None  # a DST note from localizing the wall-clock time


def _clock(text: str) -> tuple[int, int] | None:
    match = _CLOCK_RE.fullmatch(text.strip().lower())
    if match is None:
        return None
    hour, minute = int(match.group(1)), int(match.group(2))
    meridiem = match.group(3)
    if meridiem is not None:
        if not 1 <= hour <= 12:
            return None
        hour = hour % 12 + (12 if meridiem == "p" else 0)
    if hour > 23 or minute > 59:
        return None
    return hour, minute


def resolve_shown(
    shown: str, screenshot: datetime, tz_name: str, fixed: tzinfo | None = None
) -> ShownTime | None:
    """The time a screen shows (``21:33``, ``9:41 PM``, ``Yesterday 21:33``, ``Mon 9:41 PM``, ``11 Oct``),
    dated against the screenshot's time in ``tz_name``; None when it is not a time.

    A clock alone is the screenshot's day when not after the screenshot's minute, else the day before;
    ``Yesterday`` the day before; a weekday the latest such day before the screenshot's day; a day and month
    the latest such date not after it. The minute is the precision: seconds are 0. With ``fixed`` (the
    picture's own offset, from its EXIF data) the day and the minute are read in that offset instead of
    ``tz_name``.
    """
    text = " ".join(shown.translate(SPACES).split()).lower()
    text = re.sub(r",?\s+at\s+(?=\d)", " ", text)  # "today at 10:09"
    full = _full_date(text, screenshot.astimezone(fixed or zone(tz_name)).date())
    if full is not None:
        if full[0] is None:
            return None
        shown_day, clock_text = full[0], full[1]
        minute = _clock(clock_text) if clock_text is not None else None
        if clock_text is not None and minute is None:
            return None
        if minute is None:
            return ShownTime(None, shown_day, None)
        y, m, d = shown_day.year, shown_day.month, shown_day.day
        if fixed is not None:
            return ShownTime(datetime(y, m, d, minute[0], minute[1], tzinfo=fixed), shown_day, None)
        found, note = localize((y, m, d, minute[0], minute[1], 0), tz_name)
        return ShownTime(found, shown_day, note)
    match = _SHOWN.fullmatch(text)
    if match is None:
        return None
    local = screenshot.astimezone(fixed or zone(tz_name))
    today = local.date()
    clock: tuple[int, int] | None
    if match.group("only") is not None:
        clock = _clock(match.group("only"))
        if clock is None:
            return None
        day = today if clock <= (local.hour, local.minute) else today - timedelta(days=1)
    else:
        clock = None
        if match.group("clock") is not None:
            clock = _clock(match.group("clock"))
            if clock is None:
                return None
        word = match.group("day")
        if word == "today":
            day = today
        elif word == "yesterday":
            day = today - timedelta(days=1)
        elif match.group("wd") is not None:
            back = (today.weekday() - _WEEKDAYS.index(match.group("wd"))) % 7 or 7
            day = today - timedelta(days=back)
        else:
            month_name = match.group("m1") or match.group("m2")
            month_name = _MONTH_ALIASES.get(month_name, month_name)
            number = match.group("d1") or match.group("d2")
            if month_name not in _MONTHS:
                return None
            month = _MONTHS.index(month_name) + 1
            try:
                day = date(today.year, month, int(number))
                if day > today:
                    day = date(today.year - 1, month, int(number))
            except ValueError:
                return None
    if clock is None:
        return ShownTime(None, day, None)
    if fixed is not None:
        return ShownTime(datetime(day.year, day.month, day.day, clock[0], clock[1], tzinfo=fixed), day, None)
    moment, note = localize((day.year, day.month, day.day, clock[0], clock[1], 0), tz_name)
    return ShownTime(moment, day, note)


def _full_date(text: str, today: date) -> tuple[date | None, str | None] | None:
    """(day, clock text) of a date written out with its year or its weekday ("sat, 13 apr, 10:09 am", "monday,
    20 march 2023", "2024-04-13"); None when the text is no such date (then ``_SHOWN`` reads it). The day is
    None when it cannot be: no such date, or no year in the last seven whose date falls on the weekday shown.
    Without a year, a weekday picks the latest year not after ``today`` in which the date falls on it."""
    match = _FULL.fullmatch(text)
    if match is None:
        return None
    if match.group("iy") is not None:
        try:
            found = date(int(match.group("iy")), int(match.group("im")), int(match.group("id")))
        except ValueError:
            return None, None
        return found, match.group("iclock")
    if match.group("year") is None and match.group("wd") is None:
        return None  # "11 oct 9:41": the short form, read by _SHOWN
    month_name = match.group("m1") or match.group("m2")
    month_name = _MONTH_ALIASES.get(month_name, month_name)
    if month_name not in _MONTHS:
        return None, None
    month, number = _MONTHS.index(month_name) + 1, int(match.group("d1") or match.group("d2"))
    years = [int(match.group("year"))] if match.group("year") else list(range(today.year, today.year - 8, -1))
    for year in years:
        try:
            found = date(year, month, number)
        except ValueError:
            continue
        if match.group("year") is None and found > today:
            continue
        if match.group("wd") is None or _WEEKDAYS[found.weekday()] == match.group("wd"):
            return found, match.group("clock")
    return None, None


def _with_day(shown: str | None, day: str | None) -> str | None:
    """A bubble's shown time with the date separator above it: "Yesterday" and "21:33" are "Yesterday 21:33";
    a separator that is only a clock ("07:21 PM") times a bubble showing none."""
    if day is None or (shown is not None and _CLOCK_RE.fullmatch(day.strip().lower())):
        return shown
    if shown is not None and _DOTTED_DAY.fullmatch(shown.strip()):
        return day  # "13.01" in a call list: a day and month, which the layout gave in words ("13 Jan")
    if shown is None:
        return day
    if _CLOCK_RE.fullmatch(shown.translate(SPACES).strip().lower()):
        # a separator's own clock ("Sat, 13 Apr, 10:09 AM") is its first message's; a bubble's clock wins
        return f"{_CLOCK_TAIL.sub('', day)} {shown}"
    return shown


def app_of(name: str) -> str | None:
    """The app an Android screenshot's file name names (``..._WhatsApp.png``), in its usual spelling."""
    stem = Path(name).stem.translate(SPACES)
    match = _APP_SUFFIX.search(stem) or _APP_PACKAGE.search(stem)
    if match is None:
        return None
    key = match.group(1).strip().lower()
    return _CHAT_APPS.get(key) or _SMS_APPS.get(key) or match.group(1).strip()


def _is_phone(text: str | None) -> bool:
    return (
        bool(text) and bool(_PHONE_LIKE.fullmatch(text or "")) and sum(c.isdigit() for c in text or "") >= 7
    )


def _channel(kind: str, header: str | None, app: str | None) -> tuple[Channel, str | None]:
    """The channel of a screen's messages, and the reason when it was guessed."""
    if kind == "call_list":
        return Channel.CALL, None
    if kind in {"email_list", "email"}:
        return Channel.EMAIL, None
    if app is not None and app.lower() in _SMS_APPS:
        return Channel.SMS, None
    if app is not None and app.lower() in _CHAT_APPS:
        return Channel.CHAT, None
    if _is_phone(header):
        return Channel.SMS, "the header is a phone number and the file name names no chat app: read as SMS"
    return Channel.CHAT, None


_ADDRESS_BAR: Final = re.compile(
    r"^(https?://)?(www\.)?[a-z0-9-]+(\.[a-z0-9-]+)*\.[a-z]{2,}(/\S*)?$", re.IGNORECASE
)


def layout_messages(layout: dict[str, Any] | None) -> list[dict[str, Any]]:
    """The messages of a layout that become records: none when the screen is a web page read as a chat (a
    browser's address bar came out as the topmost "bubble": a post or a profile is not a conversation, and its
    text stays the picture's own record). A link sent lower down the chat is a message."""
    messages = [m for m in (layout or {}).get("messages") or [] if isinstance(m, dict)]
    if (
        (layout or {}).get("kind") == "chat"
        and messages
        and _ADDRESS_BAR.match(str(messages[0].get("text") or "").strip())
    ):  # the address bar is the topmost "bubble"; a link sent lower down is a message
        return []
    return messages


def message_records(
    source: Source, options: ImportOptions, shot: Shot, layout: dict[str, Any]
) -> Iterator[Yielded]:
    """One record per message of the screen (chat bubble, call-log row, inbox row, open email), then the
    warnings saying what was guessed. See the module docstring."""
    kind = str(layout.get("kind") or "unknown")
    header = layout.get("header") if isinstance(layout.get("header"), str) else None
    messages = layout_messages(layout)
    if not messages:
        if layout.get("messages"):
            yield ImportWarning(
                LOCATOR,
                "an address bar was read among the chat bubbles: a web page, not a conversation; its text is "
                "kept as the picture's record and no message records were made",
            )
        elif kind == "unknown":
            # no layout made sense of the screen: say so, never a silent nothing
            yield ImportWarning(LOCATOR, UNRECOGNISED)
        return
    app = app_of(source.name)
    channel, guessed = _channel(kind, header, app)
    tz_name = options.tz
    # The picture's own offset (EXIF OffsetTimeOriginal) is where its shown times were read; a file name's or
    # an assumed EXIF time is in the case zone; the import's time dates nothing shown on the screen.
    exact = shot.time_source is TimeSource.EXIF and not shot.assumed and shot.moment.utcoffset() is not None
    fixed = shot.moment.tzinfo if exact else None
    dated = shot.time_source is not TimeSource.ACQUIRED
    unknown: list[str] = []
    resolved: list[str] = []
    day_only: list[str] = []
    untimed: list[str] = []
    unread: list[str] = []
    counted: list[str] = []
    notes: list[ImportWarning] = []
    # zero-padded so that the timeline, which orders records of one moment by locator, keeps screen order
    width = max(2, len(str(len(messages))))
    for number, message in enumerate(messages, start=1):
        locator = f"{LOCATOR}#m{number:0{width}d}"
        shown = message.get("shown_time") if isinstance(message.get("shown_time"), str) else None
        direction = message.get("direction")
        call = message.get("call") if isinstance(message.get("call"), str) else None
        text = str(message.get("text") or "")
        count = message.get("count") if isinstance(message.get("count"), int) else None
        raw: dict[str, Any] = {
            "layout_kind": kind,
            "header": header,
            "sequence": number,
            "bbox": message.get("bbox"),
            "direction_read": direction,
            "shown_time": shown,
            "confidence_permille": message.get("confidence"),
            "time_resolution": "screenshot",
        }
        day = message.get("day") if isinstance(message.get("day"), str) else None
        if day is not None:
            raw["day_shown"] = day
        wording = _with_day(shown, day)
        moment, time_source, assumed, tz = shot.moment, shot.time_source, shot.assumed, shot.tz_name
        # a date shown with its year ("Monday, 20 March 2023") needs no screenshot time to be known
        known = dated or (wording is not None and _YEAR_SHOWN.search(wording) is not None)
        when = resolve_shown(wording, shot.moment, tz_name, fixed) if wording and known else None
        if when is not None and when.moment is None and not dated:
            when = None  # a day without its minute would be placed at the import's time: not dated
        if when is not None and when.moment is not None:
            moment, time_source = when.moment, TimeSource.SHOWN_ON_SCREEN
            assumed, tz = (False, None) if exact else (True, tz_name)
            raw["time_resolution"] = (
                f"shown time dated against the screenshot's {shot.time_source.value} time"
                + (" and its offset" if exact else f" in {tz_name}")
            )
            raw["time_precision"] = "minute"
            resolved.append(locator)
            if when.note:
                notes.append(ImportWarning(locator, when.note))
        elif when is not None:
            raw["shown_date"] = when.day.isoformat()
            day_only.append(locator)
        elif shown and dated:
            unread.append(locator)
        else:
            untimed.append(locator)
        if when is None:
            # Nothing on the screen dates it: kept in the screenshot's order at the screenshot's time, marked so
            # that per-day counts, bursts and "last contact" leave it out (evidence.analysis.stats).
            raw["date_unknown"] = True
            unknown.append(locator)
        sender: str | None = None
        duration: int | None = None
        recipients: tuple[str, ...] = ()
        status: str | None = None
        subject: str | None = None
        body: str | None = text or None
        if kind == "call_list":
            party = text or None
            status = call
            body = None
            raw["shown_as"] = text
            raw["count"] = count
            shown_duration = message.get("duration") if isinstance(message.get("duration"), str) else None
            if shown_duration is not None and (length := _DURATION_SHOWN.fullmatch(shown_duration)):
                raw["duration_shown"] = shown_duration  # mm:ss after the call: its length, never a clock time
                hours, minutes, seconds = (int(g or 0) for g in length.groups())
                duration = hours * 3600 + minutes * 60 + seconds
            chosen = Direction.OUTGOING if call == "outgoing" else Direction.INCOMING
            if call is None:
                chosen = Direction(direction) if direction in {"incoming", "outgoing"} else Direction.UNKNOWN
            if count is not None and count > 1:
                counted.append(f"{locator} ({count})")
        else:
            party = header
            member = message.get("sender") if isinstance(message.get("sender"), str) else None
            if kind == "chat" and member and direction == "incoming":
                party = member  # the name shown at the bubble (a group's member): the sender
                if header and member.casefold() != header.casefold():
                    raw["group"] = header  # the header names the group, not the sender
            chosen = Direction(direction) if direction in {"incoming", "outgoing"} else Direction.UNKNOWN
            if message.get("direction_basis") == "named":
                # a timeline without bubbles: every message on one side under its sender's name
                raw["direction_basis"] = (
                    "received from the member named above it; the screen does not tell the owner's own apart"
                )
            media = message.get("media") if isinstance(message.get("media"), str) else None
            if media is not None:  # a voice note: its kind and shown length, no text (its waveform is none)
                raw["media"] = media
                length = message.get("duration") if isinstance(message.get("duration"), str) else None
                if length is not None and (parts := _DURATION_SHOWN.fullmatch(length)):
                    raw["duration_shown"] = length
                    hours, minutes, seconds = (int(g or 0) for g in parts.groups())
                    duration = hours * 3600 + minutes * 60 + seconds
            if kind in {"email_list", "email"}:
                party = message.get("sender") if isinstance(message.get("sender"), str) else None
                if kind == "email":
                    subject = header
                    shown_to = message.get("recipients")
                    if isinstance(shown_to, list) and shown_to:
                        # as shown on the screen ("me" is the mailbox's owner, not resolved to an address)
                        recipients = tuple(str(r) for r in shown_to)
                        raw["recipients_shown"] = list(recipients)
                elif isinstance(message.get("subject"), str) and message["subject"]:
                    subject = message["subject"]  # an inbox row: sender, subject, then the snippet
                    at = text.find(subject)
                    body = (text[at + len(subject) :].strip() if at >= 0 else text) or None
                if chosen is Direction.UNKNOWN:
                    chosen = Direction.INCOMING  # a mailbox's list or an open e-mail: received
                    raw["direction_basis"] = "an e-mail shown in a mailbox is taken as received"
        if chosen is Direction.INCOMING:
            sender = party
        elif chosen is Direction.OUTGOING and party:
            recipients = (party,)
        yield Record(
            item_sha256=source.sha256,
            locator=locator,
            occurred_at=moment,
            time_source=time_source,
            tz_assumed=assumed,
            channel=channel,
            direction=chosen,
            importer=NAME,
            importer_version=VERSION,
            app=app,
            sender=sender,
            recipients=recipients,
            subject=subject,
            text=body,
            status=status,
            duration_s=duration,
            tz_name=tz,
            raw=raw,
        )
    yield from notes
    base = f"the screenshot's time ({shot.time_source.value})"
    if guessed:
        yield ImportWarning(LOCATOR, guessed)
    if resolved:
        where = "and its EXIF offset" if exact else f"in {tz_name}"
        yield ImportWarning(
            LOCATOR,
            f"{len(resolved)} shown time(s) dated against {base} {where}: the day is inferred, the minute is as"
            " shown",
        )
    if unknown:
        yield ImportWarning(
            LOCATOR,
            f"{', '.join(unknown)}: no date on the screen; marked date unknown (raw date_unknown), kept in screen"
            " order and left out of per-day counts, bursts and the last contact",
        )
    if day_only:
        yield ImportWarning(
            LOCATOR,
            f"{', '.join(day_only)} show only a day (raw shown_date): placed at {base}, in screen order",
        )
    if unread:
        yield ImportWarning(
            LOCATOR, f"{', '.join(unread)}: the shown time could not be read as a time; placed at {base}"
        )
    if untimed:
        yield ImportWarning(
            LOCATOR, f"{', '.join(untimed)} show no time: placed at {base}, in screen order (raw sequence)"
        )
    if counted:
        yield ImportWarning(
            LOCATOR,
            f"{', '.join(counted)}: a row standing for several calls is one record and counts as one attempt"
            " (the earlier calls' times are not shown)",
        )
