"""The lines of a WhatsApp chat text (``importers/whatsapp.py``): decoding the bytes, finding each message's
date and time prefix (invisible marks and exotic spaces ignored), grouping continuation lines, and telling a
sender from a system line.

Not an importer (its name starts with ``_``, so the registry test does not expect it in ``REGISTRY``).
"""

from __future__ import annotations

import codecs
import re
from dataclasses import dataclass, field

from evidence.models import ImportWarning

# Directional marks and the byte-order mark: formatting, never content, in a prefix or a sender name.
_INVISIBLE = frozenset("\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\ufeff")
_SPACES = frozenset("\u202f\u00a0\u2007\u2009")
MARKS = "\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
_PREFIX_SCAN = 96  # a prefix is never longer; only this much of a line is normalised to look for one

_AMPM = "上午|下午|午前|午後|오전|오후"
# Markers written after the time besides AM/PM: Arabic, Greek, Swedish (fm/em), Afrikaans (vm./nm.), Turkish
# (ÖÖ/ÖS), Vietnamese (SA/CH), Hindi, Persian.
_AMPM_AFTER = r"ص|م|π\.μ\.|μ\.μ\.|fm|em|vm\.|nm\.|ÖÖ|ÖS|SA|CH|पूर्वाह्न|अपराह्न|ق\.ظ\.|ب\.ظ\."
# The pieces of a prefix. A year may carry its calendar: Thai Buddhist "2565 BE", Persian "1401 AP", Islamic
# "1443 AH" (Arabic "١٤٤٣ هـ"), or a Japanese era letter and the year of that era ("R4", "H31"), before a
# year-last year or a year-first one ("R4/03/27").
_DATE = r"""
    (?P<date>
      (?P<ea>[RHST])?(?P<a>\d{4}|\d{1,2})(?P<sep>[./-])\ ?(?P<b>\d{1,2})(?P=sep)\ ?
      (?P<ec>[RHST])?(?P<c>\d{4}|\d{1,2})(?:\ (?P<be>BE|AP|AH|هـ))?\.?
    )"""
_TIME = rf"""
    (?P<time>
      (?:(?P<pre>{_AMPM})\ ?)?
      (?P<h>\d{{1,2}})(?P<tsep>[:.])(?P<m>\d{{2}})(?:(?P=tsep)(?P<s>\d{{2}}))?
      (?:\ ?(?P<post>[AaPp]\.?\ ?[Mm]\.?|vorm\.|nachm\.|{_AMPM}|{_AMPM_AFTER})|\ ?น\.)?
    )"""
_BETWEEN = r"(?:,\ ?|،\ ?|\ )"  # a comma (Latin or Arabic) and a space, or a space
_DATE_FIRST = re.compile(
    rf"""
    (?P<br>\[)?
    {_DATE}
    {_BETWEEN}(?:klo\ )?
    {_TIME}
    (?(br)\ ?\]\ ?|(?P<end>\ [-–]\ |:\ ))
    """,
    re.VERBOSE,
)
# iOS in some locales writes the time first: "[14:56:01, 3/18/22] ".
_TIME_FIRST = re.compile(
    rf"""
    (?P<br>\[)?
    {_TIME}
    {_BETWEEN}
    {_DATE}
    (?(br)\ ?\]\ ?|(?P<end>\ [-–]\ ))
    """,
    re.VERBOSE,
)
_PM = frozenset({"pm", "nachm", "下午", "午後", "오후", "م", "μμ", "em", "nm", "ös", "ch", "अपराह्न", "بظ"})


# Native digits read as the digits they are (one character for one, so positions in the normalised text still
# map back to the line): Arabic-Indic, Eastern Arabic-Indic (Persian, Urdu), Devanagari, Bengali, Gurmukhi,
# Gujarati, Tamil, Telugu, Kannada, Malayalam, Thai, Lao, Myanmar, Khmer.
_ZEROS = (0x660, 0x6F0, 0x966, 0x9E6, 0xA66, 0xAE6, 0xBE6, 0xC66, 0xCE6, 0xD66, 0xE50, 0xED0, 0x1040, 0x17E0)
_DIGITS = {zero + i: str(i) for zero in _ZEROS for i in range(10)}
_TRANSLATION = {ord(ch): None for ch in _INVISIBLE} | {ord(ch): " " for ch in _SPACES}
_PREFIX_TRANSLATION = _TRANSLATION | _DIGITS  # a sender's or a text's digits stay as written


def _normalise(text: str, table: dict[int, str | None] = _TRANSLATION) -> str:
    """``text`` without invisible marks and with exotic spaces as plain spaces."""
    return text if text.isascii() else text.translate(table)


def _original_end(text: str, kept: int) -> int:
    """The index in ``text`` just after its ``kept``-th character that ``_normalise`` keeps."""
    if text.isascii():
        return kept
    count = 0
    for i, ch in enumerate(text):
        if ch not in _INVISIBLE:
            count += 1
            if count == kept:
                return i + 1
    return len(text)


def clean(text: str) -> str:
    """A name or a placeholder as a person reads it: no marks, plain spaces, no surrounding blanks."""
    return _normalise(text).strip()


# The first year of each Japanese era the app writes (Reiwa, Heisei, Showa, Taisho): era year 1 is this year.
ERA_START = {"R": 2019, "H": 1989, "S": 1926, "T": 1912}
BUDDHIST_OFFSET = 543  # Thai Buddhist year 2565 BE is 2022
# A 4-digit year from this one on is a Buddhist year written without "BE" (the Thai locale does so): no phone
# dates a message in the 25th century of the Gregorian calendar.
BUDDHIST_FROM = 2400
# The era written after a year-last year: Thai Buddhist, Persian (Solar Hijri, "Anno Persico") and Islamic
# (Hijri), in English and Arabic (CLDR's short date forms, which iOS writes: "1/7/1401 AP", "٢٤‏/٨‏/١٤٤٣ هـ").
ERA_MARKS = {"BE": "BE", "AP": "AP", "AH": "AH", "هـ": "AH"}
# A 4-digit year without an era in these ranges is Persian or Islamic: WhatsApp came out in 2009, the year 1388
# of the Persian calendar and 1430 of the Islamic one, and a Persian year reaches 1420 only in 2041. (Read as
# Gregorian, such a year is one no phone writes.)
PERSIAN_YEARS = range(1300, 1420)
ISLAMIC_YEARS = range(1420, 1600)


@dataclass(frozen=True)
class Prefix:
    """A message's date and time prefix, as matched; ``end`` is where the sender starts in the line.

    ``a``, ``b``, ``c`` are the date's three numbers as written; ``era`` is the calendar of its year ("BE" for the
    Thai Buddhist era, "R"/"H"/"S"/"T" for a Japanese era, None for the Gregorian year), and ``year_first``
    says whether the year is ``a`` (else ``c``).
    """

    a: str
    b: str
    c: str
    sep: str
    hour: int
    minute: int
    second: int | None
    marker: str | None  # "am" / "pm" when the clock is 12 h
    bracketed: bool
    date_text: str
    time_text: str
    end: int
    era: str | None = None
    year_first: bool = False
    time_first: bool = False

    def calendar(self) -> str:
        """The calendar of the date as written: "gregorian", "buddhist", "japanese", "persian" or "islamic"."""
        written = self.a if self.year_first else self.c
        bare = int(written) if self.era is None and len(written) == 4 else None
        if self.era == "BE" or (bare is not None and bare >= BUDDHIST_FROM):
            return "buddhist"
        if self.era == "AP" or (bare is not None and bare in PERSIAN_YEARS):
            return "persian"
        if self.era == "AH" or (bare is not None and bare in ISLAMIC_YEARS):
            return "islamic"
        return "gregorian" if self.era is None else "japanese"

    def year(self) -> int:
        """The year: Gregorian (a 2-digit year is 20xx; a Buddhist or Japanese era year converted), or for a
        Persian or Islamic date the year of that calendar, whose months do not line up with Gregorian ones
        (``_whatsapp_calendars`` converts the whole date)."""
        written = self.a if self.year_first else self.c
        calendar = self.calendar()
        if calendar == "buddhist":
            return int(written) - BUDDHIST_OFFSET
        if calendar in ("persian", "islamic"):
            return int(written)
        if self.era is not None:
            return ERA_START[self.era] + int(written) - 1
        return int(written) + (2000 if len(written) == 2 else 0)


def match_prefix(line: str) -> Prefix | None:
    """The prefix that starts ``line``, or None when the line continues the previous message."""
    if not line or not (line[0].isdigit() or line[0] == "[" or line[0] in _INVISIBLE):
        return None
    head = line[:_PREFIX_SCAN]
    normal = _normalise(head, _PREFIX_TRANSLATION)
    time_first = False
    m = _DATE_FIRST.match(normal)
    if m is None:
        m = _TIME_FIRST.match(normal)
        time_first = True
        if m is None:
            return None
    era_a, era_c, buddhist = m.group("ea"), m.group("ec"), ERA_MARKS.get(m.group("be") or "")
    year_first = len(m.group("a")) == 4 or era_a is not None
    if year_first:
        if len(m.group("c")) > 2 or era_c or buddhist:
            return None  # one year per date
        era = era_a
    else:
        if era_c is not None and len(m.group("c")) > 2:
            return None
        if era_c is None and len(m.group("c")) not in (2, 4):
            return None  # a year-last Gregorian year has 2 or 4 digits
        if buddhist and len(m.group("c")) != 4:
            return None
        era = era_c or buddhist
    if m.group("end") == ": " and m.group("tsep") != ".":
        return None  # "date time: Sender:" is the Finnish dotted-time form only; elsewhere it is text
    marker_text = m.group("pre") or m.group("post")
    marker: str | None = None
    if marker_text:
        key = marker_text.casefold().replace(".", "").replace(" ", "")
        marker = "pm" if key in _PM else "am"
    return Prefix(
        a=m.group("a"),
        b=m.group("b"),
        c=m.group("c"),
        sep=m.group("sep"),
        hour=int(m.group("h")),
        minute=int(m.group("m")),
        second=int(m.group("s")) if m.group("s") else None,
        marker=marker,
        bracketed=bool(m.group("br")),
        date_text=m.group("date"),
        time_text=m.group("time"),
        end=_original_end(head, m.end()),  # marks after the prefix belong to the sender, as written
        era=era,
        year_first=year_first,
        time_first=time_first,
    )


def signal_export_style(p: Prefix) -> bool:
    """``[2019-12-24, 12:23]``: the form signal-export writes; WhatsApp's bracketed (iOS) form has seconds."""
    return (
        p.bracketed
        and p.sep == "-"
        and p.year_first
        and p.era is None
        and not p.time_first
        and p.second is None
        and p.marker is None
    )


def decode(data: bytes, where: str) -> tuple[str, ImportWarning | None]:
    """The chat text: UTF-8 (a BOM tolerated); otherwise UTF-16 with a BOM, cp1252 or Latin-1, with a warning."""
    if data.startswith(codecs.BOM_UTF8):
        data = data[len(codecs.BOM_UTF8) :]
    try:
        return data.decode("utf-8"), None
    except UnicodeDecodeError as exc:
        bad = exc.start
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            text = data.decode("utf-16")
        except UnicodeDecodeError:
            pass
        else:
            return text, ImportWarning(where, "the chat text is UTF-16, not UTF-8 as WhatsApp writes it")
    try:
        text, encoding = data.decode("cp1252"), "cp1252"
    except UnicodeDecodeError:
        text, encoding = data.decode("latin-1"), "latin-1"
    return text, ImportWarning(
        where,
        f"the chat text is not valid UTF-8 (byte {bad}); read as {encoding}, "
        "so accented letters and emoji may be wrong (was it re-saved by another program?)",
    )


@dataclass
class Message:
    """A message as written: its first line and prefix, and the continuation lines after it."""

    line_no: int
    line: str
    prefix: Prefix
    more: list[str] = field(default_factory=list)


def split_messages(text: str) -> tuple[list[Message], list[tuple[int, str]]]:
    """Messages, and the non-empty lines before the first one (line number, text)."""
    messages: list[Message] = []
    orphans: list[tuple[int, str]] = []
    for number, raw_line in enumerate(text.split("\n"), start=1):
        line = raw_line[:-1] if raw_line.endswith("\r") else raw_line
        prefix = match_prefix(line)
        if prefix is not None:
            messages.append(Message(number, line, prefix))
        elif messages:
            messages[-1].more.append(line)
        elif line.strip():
            orphans.append((number, line))
    return messages, orphans


def sender_split(rest: str) -> tuple[str, str] | None:
    """``(sender as written, text)`` when ``rest`` is "Sender: text", else None (a system line)."""
    idx = rest.find(": ")
    if idx >= 0:
        candidate, text = rest[:idx], rest[idx + 2 :]
    elif rest.rstrip().endswith(":"):
        candidate, text = rest.rstrip()[:-1], ""
    else:
        return None
    name = clean(candidate)
    if not name or any(q in name for q in '"“”„«»'):
        return None
    return candidate, text
