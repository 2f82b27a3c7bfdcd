"""Step 7b, an open e-mail read from its generic layout, when no list row anchored it.

Mail apps draw an open message alike (Gmail, K-9/Thunderbird, FairEmail, iOS Mail): the subject in large type
above the sender's row (or in italics just under the sender), the sender's row with an avatar, the name or
address and the date beside or under it, a "to me" / "To: address" line, then the body: lines of prose. This
reader looks for that shape, never for an app:

1. the body: the first run of three lines of prose (``lists._prose``) on the page;
2. the header zone, from under the status bar to the body, is read again alone (one more tesseract run): on the
   page, an avatar and the icons beside the sender's row mislead tesseract's segmentation (FairEmail's card was
   read as "Fe te");
3. the sender's row: the first line of the zone holding a date or a clock (``8/2/1972``, ``7:02 PM``,
   ``Jun 25``) after a word, or a name with an address (``Name <user@host``, its address finished on the next
   line); a line that is only a date ("Friday, June 25") is a day, not a sender;
4. the recipients: a line starting with "to" ("to me", "To: user@host"; "tome" is "to me" with its space lost);
5. the subject: the line just under the sender's row that is no address, no folder ("[Gmail]/Spam"), no
   recipients and no time; else the nearest line above the sender's row that is not a day;
6. a day above the sender's row ("Friday, June 25", a conversation's separator) dates a clock beside the
   sender (``Message.day``).

Nothing is made without a sender's row, a body, and recipients or the sender's address: a screen that merely
shows a date beside a name above prose (an article's byline) is not taken for an e-mail. Known limits: English labels only; a subject wrapped on two lines above the sender
keeps its last line only; quoted earlier messages are part of the body.
"""

from __future__ import annotations

import re
from typing import Final

from PIL import Image

from evidence.ocr.layout.flatten import _prepare_region
from evidence.ocr.layout.headers import _capital_i
from evidence.ocr.layout.lists import _prose, _subject
from evidence.ocr.layout.model import Message
from evidence.ocr.layout.page import _Line, _lines, _ocr_page
from evidence.ocr.layout.settings import _STATUS_BAR_PERMILLE, Box, Color
from evidence.ocr.layout.times import _DAY, _MONTH, _WEEKDAY, is_separator
from evidence.ocr.layout.words import _box_of, _confidence, _strip_junk, _text
from evidence.ocr.tesseract import TesseractProbe, Word

# a clock with its colon read as "-" or "." in small print ("7-02 PM") is still a clock beside a sender
_MAIL_CLOCK: Final = r"\d{1,2}[:.-]\d{2}(?:\s?[AaPp]\.?[Mm]\.?)?"
_NUMERIC_DATE: Final = r"\d{1,2}[/.]\d{1,2}[/.]\d{2,4}"
_WHEN: Final = re.compile(
    rf"(?:(?:{_DAY}),?\s)?{_MAIL_CLOCK}|{_NUMERIC_DATE}(?:,?\s{_MAIL_CLOCK})?"
    rf"|{_MONTH}\s\d{{1,2}}(?:,\s?\d{{4}})?|\d{{1,2}}\s{_MONTH}(?:\s\d{{4}})?"
)
_ONLY_DAY: Final = re.compile(rf"^(?:{_WEEKDAY},?\s)?(?:{_DAY}|{_NUMERIC_DATE})(?:,?\s\d{{4}})?$")
_ADDRESS: Final = re.compile(r"\S@\S+\.\w|<\S+@\S+")
_TO: Final = re.compile(r"^(?:to:?|tome)$", re.IGNORECASE)
_FOLDER: Final = re.compile(r"\[[^\]]+\]|\w/\w")
_BODY_RUN: Final = 3


def _letters(words: list[Word]) -> bool:
    """Whether words hold a word of two letters or more read with some confidence (a name, not an icon)."""
    return any(w.conf >= 50 and sum(ch.isalpha() for ch in w.text) >= 2 for w in words)


def _worded(words: list[Word]) -> bool:
    """Whether a line holds a word of three letters read with some confidence (not a toolbar's icons)."""
    return any(w.conf >= 50 and sum(ch.isalpha() for ch in w.text) >= 3 for w in words)


def _sender_row(words: list[Word]) -> tuple[str, str | None] | None:
    """(sender, shown time) of a line that is a sender's row: a word, then a date or a clock; or a name with
    an address. None for anything else (a day alone, a title)."""
    kept = _strip_junk(words)
    text = _text(kept)
    if not kept or _ONLY_DAY.match(text):
        return None
    for k in range(1, len(kept)):
        rest = _text(kept[k:])
        found = _WHEN.match(rest)
        if found and _letters(kept[:k]):
            shown = re.sub(r"^(\d{1,2})-(\d{2})", r"\1:\2", found.group(0))
            return _text(kept[:k]), shown
    if _ADDRESS.search(text) and _letters(kept):
        return text, None
    return None


def _recipients(words: list[Word]) -> list[str] | None:
    """The recipients of a line starting with "to" ("to me", "To: a@b.example, c@d.example"), else None."""
    kept = _strip_junk(words)
    for k, word in enumerate(kept[:3]):  # an avatar's or an icon's junk may come first
        if _TO.match(word.text):
            names = [w.text.strip(",;") for w in kept[k + 1 :] if w.text.strip(",;")]
            if word.text.lower() == "tome":
                names = ["me", *names]
            joined = " ".join(names)
            return [part.strip() for part in re.split(r",\s*", joined) if part.strip()] or None
        if word.conf >= 50 and len(word.text) > 2:
            return None
    return None


def _body_start(lines: list[_Line]) -> int | None:
    """Index of the first line of the first run of three lines of prose, None when there is none."""
    run = 0
    for k, line in enumerate(lines):
        run = run + 1 if _prose(line) else 0
        if run == _BODY_RUN:
            return k - _BODY_RUN + 1
    return None


def _is_subject(words: list[Word]) -> bool:
    """A subject line: a word of two letters or more, no address, no folder chip, no time, not "to me"."""
    text = _text(_strip_junk(words))
    return (
        _letters(words)
        and not _ADDRESS.search(text)
        and not _FOLDER.search(text)
        and _WHEN.fullmatch(text) is None
        and _recipients(words) is None
        and not (len(words) == 1 and text.startswith("."))
    )


def read_open_email(
    rgb: Image.Image,
    lines: list[_Line],
    background: Color,
    probe: TesseractProbe | None,
    name: str,
    timeout_s: int,
) -> tuple[str | None, Message] | None:
    """(subject, the e-mail) of an open e-mail screen, else None (see the module docstring)."""
    width, height = rgb.size
    start = _body_start(lines)
    if start is None:
        return None
    body_top = lines[start].box[1]
    top = _STATUS_BAR_PERMILLE * height // 1000
    if body_top - top < height // 20:
        return None
    # (2) the header zone read alone
    zone: Box = (0, top, width, body_top)
    flat, scale = _prepare_region(rgb, zone, background, None)
    _, slots = _ocr_page([("band", 0, zone, flat, scale)], probe, name, timeout_s)
    zone_lines = _lines([w for _, ws in slots for w in ws])
    # (3) the sender's row
    found: tuple[int, str, str | None] | None = None
    for k, words in enumerate(zone_lines):
        row = _sender_row(words)
        if row is not None:
            found = (k, row[0], row[1])
            break
    if found is None:
        return None
    index, sender, shown = found
    after = index + 1
    if after < len(zone_lines) and "<" in sender and ">" not in sender:
        tail = _strip_junk(zone_lines[after])
        address = next((w.text for w in tail if w.text.endswith(">")), None)
        if address is not None:  # the address finished on the next line (".megacasino.com>")
            rest = address.lstrip("".join(ch for ch in address if not ch.isalnum()))
            # a domain is broken at its dot; a dot read as junk ("-«megacasino.com>") is still a dot
            sender = sender + ("." if rest != address else "") + rest
    if shown is None:  # a clock further along the rows under the sender ("Name <address" then "7:02 PM")
        for words in zone_lines[index : index + 3]:
            clock = re.search(_MAIL_CLOCK, _text(words))
            if clock:
                shown = re.sub(r"^(\d{1,2})-(\d{2})", r"\1:\2", clock.group(0))
                break
    # (4) recipients, on the zone's lines or the page's (the page keeps a coloured address the zone lost)
    recipients: list[str] | None = None
    for words in [*zone_lines[index + 1 :], *(ln.words for ln in lines[:start])]:
        recipients = _recipients(words)
        if recipients:
            break
    if not recipients and "@" not in sender:
        # mail shows whom it went to or the sender's address; a name, a date and prose without either (an
        # article's byline) is no e-mail
        return None
    # (5) the subject: under the sender's row, else above it
    sender_bottom = max(w.top + w.height for w in zone_lines[index])
    line_height = max(w.height for w in zone_lines[index])
    subject: str | None = None
    for words in zone_lines[index + 1 :]:
        if min(w.top for w in words) - sender_bottom > 4 * line_height:
            break
        if _is_subject(words) and not _sender_row(words):
            subject = _subject(_text(_strip_junk(words)))
            break
    if subject is None:
        for words in reversed(zone_lines[:index]):
            text = _text(_strip_junk(words))
            if _ONLY_DAY.match(text) or not _is_subject(words):
                continue
            subject = _subject(text)
            break
    # the body: every line under the header's last line (the recipients, the subject, the sender's row)
    # that holds a word, not only the prose that found it ("Hi Melissa," above it is the body's too); a
    # toolbar's icons and the gesture bar hold none
    used = [zone_lines[index], *(ws for ws in zone_lines[index + 1 :] if _recipients(ws))]
    header_bottom = max(w.top + w.height for ws in used for w in ws)
    # a date separator above the sender's row ("Friday, June 25") dates a clock shown beside it
    day = next(
        (
            _text(_strip_junk(ws))
            for ws in reversed(zone_lines[:index])
            if _ONLY_DAY.match(_text(_strip_junk(ws))) and is_separator(_text(_strip_junk(ws)))
        ),
        None,
    )
    body = [
        w for ln in lines if ln.box[1] >= header_bottom and _worded(ln.words) for w in _strip_junk(ln.words)
    ]
    message = Message(
        direction="incoming",
        text=_text(body),
        shown_time=shown,
        bbox=_box_of(body),
        sender=_capital_i(sender),
        confidence=_confidence(body),
        recipients=tuple(recipients or ()),
        day=day if shown is not None and re.fullmatch(_MAIL_CLOCK, shown) else None,
    )
    return subject or None, message
