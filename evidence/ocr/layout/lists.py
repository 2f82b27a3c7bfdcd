"""Step 7, lists: rows anchored on a right-aligned time, read as a call log, an inbox or an open email."""

from __future__ import annotations

import re
from typing import Final

from PIL import Image

from evidence.ocr.layout.call_rows import two_line_calls
from evidence.ocr.layout.calls import (
    _around,
    _arrow_before,
    _arrow_in,
    _arrow_token,
    _ink_colour,
    _is_red,
    _red_icon_before,
)
from evidence.ocr.layout.headers import _call_name, _capital_i, _list_header
from evidence.ocr.layout.model import Message
from evidence.ocr.layout.page import _Line
from evidence.ocr.layout.settings import _STATUS_BAR_PERMILLE, HEADER_MIN_CONF, Color
from evidence.ocr.layout.timeline import cut_twice, mail_from_repeats, timeline
from evidence.ocr.layout.times import (
    _CLOCK,
    _DAY,
    _MONTH,
    _TRAILING_JUNK,
    _clean_time,
    _is_time,
    _list_date,
    is_separator,
)
from evidence.ocr.layout.words import _box_of, _confidence, _has_alnum, _strip_junk, _text
from evidence.ocr.tesseract import Word

_CALL_HEADERS: Final = re.compile(r"\b(recents|calls?|call history|call log|phone)\b", re.IGNORECASE)
_CALL_WORDS: Final = re.compile(r"\b(missed|incoming|outgoing)\b", re.IGNORECASE)
_EMAIL_HEADERS: Final = re.compile(r"\b(inbox|primary|mail|all inboxes)\b", re.IGNORECASE)


_COUNT: Final = re.compile(r"^\((\d{1,2})\)$")
# a list's time written relative to now or with its year ("5 min ago", "7 days ago", "3 December 2021"):
# taken only at the right end of a list row, never in a chat bubble
_RELATIVE: Final = re.compile(
    rf"^(?:\d{{1,2}}\s?(?:min|mins|minutes?|h|hrs?|hours?|days?|weeks?)\s+ago|just now|\d{{1,2}}\s{_MONTH}\s\d{{4}}"
    r"|\d{1,2}/\d{1,2}/\d{2,4}|\d{4}-\d{2}-\d{2}|yesterday|today)$",
    re.IGNORECASE,
)


def _set_apart(words: list[Word], take: int) -> bool:
    """Whether the last ``take`` words stand apart from the words before them (a list's time column), not
    at the end of a sentence ("... by Friday.")."""
    ahead = [w for w in words[:-take] if _has_alnum(w.text)]  # an icon between ("=") is no text
    if not ahead:
        return True
    before, first = ahead[-1], words[-take]
    if before.text.rstrip("_").endswith(("...", "\u2026")):
        return True  # a subject cut short to make room for its date
    return first.left - (before.left + before.width) >= first.height * 3 // 2


def _icon_token(text: str) -> bool:
    """Whether a token after a list row's time is an icon as tesseract reads it: no letter or digit, one
    character, or up to three characters with a bracket and no digit ("C)", "(-)": an "i" in a circle)."""
    if not _has_alnum(text) or len(text) == 1:
        return True
    return len(text) <= 3 and any(ch in "()[]{}" for ch in text) and not any(ch.isdigit() for ch in text)


def _right_time(line: _Line, width: int) -> tuple[list[Word], str] | None:
    """A time at the right end of a line (in the right third of the screen): the other words and the time."""
    words = [
        Word(_list_date(w.text), w.left, w.top, w.width, w.height, w.conf, w.block, w.par, w.line)
        for w in line.words
    ]
    if len(words) >= 2:  # "1." "Nov", "3" "oct" read as two words
        joined = _list_date(f"{words[-2].text} {words[-1].text}")
        if joined != f"{words[-2].text} {words[-1].text}" and _is_time(joined):
            a, b = words[-2], words[-1]
            merged = Word(
                joined,
                a.left,
                min(a.top, b.top),
                b.left + b.width - a.left,
                max(a.height, b.height),
                min(a.conf, b.conf),
                a.block,
                a.par,
                a.line,
            )
            words = [*words[:-2], merged]
    while words and (
        _icon_token(words[-1].text)
        or (
            len(words[-1].text) == 2
            and not any(ch.isdigit() for ch in words[-1].text)
            and words[-1].text.upper() not in ("AM", "PM")
        )
    ):
        words = words[
            :-1
        ]  # an icon after the time (an "i" in a circle, a chevron; "CE": two letters, not AM/PM)
    for take in (3, 2, 1):
        if len(words) < take:
            continue
        tail = words[-take:]
        text = _text(tail).rstrip(_TRAILING_JUNK)
        timely = _is_time(text) or _RELATIVE.match(text) is not None
        if timely and tail[0].left * 3 >= width * 2 - width // 3 and _set_apart(words, take):
            return words[:-take], _clean_time(text)
    if words and words[-1].left * 3 >= width * 2 - width // 3:
        # an icon glyph glued before the time ("Q9May"): one character, then a whole time
        glued = re.fullmatch(rf"\W?\w?((?:{_DAY}|{_CLOCK}))", words[-1].text.rstrip(_TRAILING_JUNK))
        if glued and _is_time(glued.group(1)) and _set_apart(words, 1):
            return words[:-1], _clean_time(glued.group(1))
    return None


_NAME_LINE: Final = re.compile(r"^[A-Z][a-z][\w'.-]*(?: +[A-Z][a-z][\w'.-]*){0,2}$")


def _contacts(lines: list[_Line], height: int) -> bool:
    """Whether a screen without times is a contact list: at least five lines that are one to three capitalised
    words, not in capitals (names, after an avatar's junk), and they are at least half of the lines holding a word below the
    status bar (the index letters at the side hold none)."""
    below = [
        ln
        for ln in lines
        if (ln.box[1] + ln.box[3]) * 500 >= _STATUS_BAR_PERMILLE * height and _meaningful(ln)
    ]
    names = 0
    for line in below:
        words = _strip_junk(line.words)
        while len(words) > 1 and len(words[0].text) <= 3:
            words = words[1:]  # the avatar read as a token or two before the name
        names += _NAME_LINE.match(_text(words)) is not None
    return names >= 5 and names * 2 >= len(below)


def _call_row(row_lines: list[_Line]) -> bool:
    """A call-log row: at most two lines whose second line is no sentence, or a line saying missed/incoming."""
    text = " ".join(ln.text for ln in row_lines)
    if _CALL_WORDS.search(text):
        return True
    return len(row_lines) <= 2 and not any(_prose(ln) for ln in row_lines[1:])


_CALL_SIGNS: Final = re.compile(
    r"\b(missed|incoming|outgoing|rejected|declined|blocked|mobile|home|work|landline|cell)\b|\(\d{1,2}\)"
    r"|\b\d{1,2}:\d{2}:\d{2}\b|\b\d+\s?(?:min|sec|s|m)\b(?!\s+ago)|(?:\d[\s().-]*){7,}",
    re.IGNORECASE,
)


def _call_sign(row_lines: list[_Line]) -> bool:
    """Whether a row shows what only a call row shows: a type word ("Missed"), a number's label ("Mobile"),
    a count "(3)", a duration ("1:02:03", "5 min"), or a phone number (seven digits or more)."""
    return any(_CALL_SIGNS.search(ln.text) for ln in row_lines)


def _prose(line: _Line) -> bool:
    """A line of words (a message preview), not a label: three words or more, most of them letters."""
    words = [w.text for w in _strip_junk(line.words)]
    alpha = [w for w in words if sum(ch.isalpha() for ch in w) * 2 > len(w)]
    return len(words) >= 3 and len(alpha) * 3 >= len(words) * 2


def _chat_row(row: tuple[list[_Line], str, list[Word], int]) -> bool:
    """A conversation-list row: the name with the time on its first line and one line of preview under it
    (an inbox row has a subject and a snippet, or a folder, under the sender: three lines; an open email
    has the sender's address or "to me" there)."""
    row_lines, _, _, anchor = row
    if any(_ADDRESS.search(ln.text) or ln.text.lower().startswith("to ") for ln in row_lines):
        return False  # an address or "to me" under the name: an open email's header
    content = [k for k, ln in enumerate(row_lines) if _meaningful(ln) and not _is_time(ln.text)]
    return len(content) == 2 and content[0] <= anchor


def _meaningful(line: _Line) -> bool:
    """A line holding a word (three letters or digits read with some confidence), not an avatar's or an
    icon's junk ("eS )", "Ww")."""
    return any(w.conf >= 50 and sum(ch.isalnum() for ch in w.text) >= 3 for w in line.words)


def _two_line_times(
    lines: list[_Line], anchors: list[tuple[int, str, list[Word]]]
) -> list[tuple[int, str, list[Word]]]:
    """A row's time written on two lines at the right, the day above the clock ("Today" over "12:36"): one
    anchor, the day and the clock, whose name is the line level with the pair (else each line would anchor
    a row of its own, named by the day)."""
    merged: list[tuple[int, str, list[Word]]] = []
    k = 0
    while k < len(anchors):
        number, shown, rest = anchors[k]
        if k + 1 < len(anchors):
            below, clock, below_rest = anchors[k + 1]
            upper, lower = lines[number].box, lines[below].box
            tall = max(1, upper[3] - upper[1])
            if (
                not _strip_junk(below_rest)
                and not _CLOCK_ONLY.search(shown)
                and _CLOCK_ONLY.fullmatch(clock)
                and 0 <= lower[1] - upper[3] <= tall
                and lower[0] < upper[2]
                and upper[0] < lower[2]
            ):
                if not _strip_junk(rest):
                    level = [
                        ln
                        for ln in lines[max(0, number - 2) : below + 3]
                        if ln is not lines[number]
                        and ln is not lines[below]
                        and upper[1] <= (ln.box[1] + ln.box[3]) // 2 <= lower[3]
                        and ln.box[2] <= min(upper[0], lower[0])
                    ]
                    worded = [ln for ln in level if _has_alnum(ln.text)]
                    rest = worded[0].words if worded else rest
                merged.append((number, f"{shown} {clock}", rest))
                k += 2
                continue
        merged.append((number, shown, rest))
        k += 1
    return merged


_CLOCK_ONLY: Final = re.compile(rf"{_CLOCK}")


def _rows(lines: list[_Line], width: int) -> list[tuple[list[_Line], str, list[Word], int]]:
    """List rows anchored on their right-aligned time: (lines, time, the anchor line's other words, index)."""
    anchors: list[tuple[int, str, list[Word]]] = []
    for number, line in enumerate(lines):
        found = _right_time(line, width)
        if found is not None:
            anchors.append((number, found[1], found[0]))
    anchors = _two_line_times(lines, anchors)
    rows: list[tuple[list[_Line], str, list[Word], int]] = []
    starts: list[int] = []
    for number, _time, _rest in anchors:
        start = number
        top = lines[number].box[1]
        while start > 0 and lines[start - 1].box[3] > top - (lines[number].box[3] - top):
            if starts and start - 1 <= starts[-1]:
                break
            if lines[start - 1].box[3] <= top and is_separator(lines[start - 1].text.strip()):
                break  # a section's day above the row ("Today"): no part of it, never its sender
            start -= 1
        starts.append(start)
    for k, (number, shown, rest) in enumerate(anchors):
        end = starts[k + 1] if k + 1 < len(anchors) else len(lines)
        # a row's lines follow each other closely: a gap of more than two lines' height ends it (the
        # screen's bottom bar is no part of the last row)
        previous = lines[number].box
        for j in range(number + 1, end):
            if lines[j].box[1] - previous[3] > 2 * max(1, previous[3] - previous[1]):
                end = j
                break
            if _has_alnum(lines[j].text):  # a speck read as ")" is too small to measure the gap by
                previous = lines[j].box
        rows.append((lines[starts[k] : end], shown, rest, number - starts[k]))
    return rows


def _read_list(
    rgb: Image.Image, lines: list[_Line], background: Color
) -> tuple[str, str | None, list[Message]]:
    """A call log, an inbox or an open email from the text lines of a screen without bubbles."""
    width, height = rgb.size
    two_line = two_line_calls(rgb, lines, background)
    if two_line is not None:
        return "call_list", None, two_line
    rows = _rows(lines, width)
    if not rows:
        return ("contact_list" if _contacts(lines, height) else "unknown"), None, []
    first = lines.index(rows[0][0][0])
    header = _list_header(lines, height, first)
    if len(rows) == 1:
        if _chat_row(rows[0]):  # a name with its time and one line under it, nothing more: a list of one chat
            return "conversation_list", header, []
        return _read_email(lines, rows[0], header, height)
    # short rows alone do not make a call log (a chat list's previews can be short: "ok", "Hi"): the title
    # says so, or most rows show something only a call row has (a type word, a number's label, a number,
    # a count, a duration)
    calls = _CALL_HEADERS.search(header or "") is not None or (
        sum(1 for row in rows if _call_row(row[0])) * 2 > len(rows)
        and sum(1 for row in rows if _call_sign(row[0])) * 2 >= len(rows)
    )
    if _EMAIL_HEADERS.search(header or ""):
        calls = False
    last = lines.index(rows[-1][0][-1])
    said = _mail_shown([*lines[:first], *lines[last + 1 :]], rows) or _EMAIL_HEADERS.search(header or "")
    if not calls and not said and (chat := timeline(rows, width)) is not None:
        return "chat", header, chat  # the rows repeat their names: one conversation drawn without bubbles
    if not calls and sum(1 for row in rows if _chat_row(row)) * 2 > len(rows):
        return "conversation_list", header, []  # a chat app's list of conversations: no message is shown
    if not calls and not (said or mail_from_repeats(rows) or cut_twice(rows)):
        # rows of a name, a time and lines under it, and nothing saying mail: a chat app's conversation list
        # (previews wrapped on two lines) as much as an inbox; no record is better than an invented one
        return "conversation_list", header, []
    messages: list[Message] = []
    for row_lines, shown, rest, anchor in rows:
        words = [w for ln in row_lines for w in ln.words]
        box = (0, min(ln.box[1] for ln in row_lines), width, max(ln.box[3] for ln in row_lines))
        first_line = _strip_junk(rest if anchor == 0 else row_lines[0].words)
        others = [ln.words for k, ln in enumerate(row_lines) if k != anchor and (k != 0 or anchor == 0)]
        if anchor != 0:
            others = [rest, *others]
        others = [ws for ws in others if ws]
        if calls:
            head = _right_time(row_lines[0], width) if anchor != 0 else None
            if not _meaningful_words(first_line) or (head is not None and not _meaningful_words(head[0])):
                # an avatar's junk or another row's time first: the name is elsewhere in the row
                named = _call_name_words(row_lines, rest, anchor)
                if named is None:
                    continue  # no name beside the time (an avatar's junk only): no record, never a guessed one
                first_line = named
            count: int | None = None
            arrow: str | None = None
            sub = _strip_junk(others[0]) if others else []
            for line_words in (sub, first_line):
                if len(line_words) == 1 and len(line_words[0].text) <= 2 and not line_words[0].text.isalnum():
                    # the arrow read on a line of its own ("7)"): taller than the small label beside it
                    arrow = arrow or _arrow_in(rgb, _around(line_words[0], None), background)
                elif _arrow_token(line_words):
                    arrow = arrow or _arrow_in(rgb, _around(line_words[0], line_words[1]), background)
                    if line_words is first_line:
                        first_line = first_line[1:]
                elif line_words and line_words[0].left * 2 < width:  # an arrow starts a row, never ends it
                    arrow = arrow or _arrow_before(rgb, line_words[0], row_lines, background)
            name_words = _strip_junk(first_line)
            while len(name_words) > 1 and len(name_words[0].text) <= 2 and name_words[0].conf < 80:
                name_words = name_words[
                    1:
                ]  # the avatar's letter or the arrow read as a token before the name
            counted = _COUNT.match(name_words[-1].text) if len(name_words) > 1 else None
            if counted:
                count = int(counted.group(1))
                name_words = _strip_junk(name_words[:-1])
            name = _call_name(_text(name_words))
            red = _is_red(_ink_colour(rgb, name_words, background))
            call = "missed" if red or (name_words and _red_icon_before(rgb, name_words[0])) else None
            said = _CALL_WORDS.search(" ".join(ln.text for ln in row_lines))
            if call is None and said:
                call = said.group(1).lower()
            if call is None:
                call = arrow or "incoming"
            messages.append(
                Message(
                    direction="outgoing" if call == "outgoing" else "incoming",
                    text=name,
                    shown_time=shown,
                    bbox=box,
                    call=call,
                    count=count,
                    confidence=_confidence(words),
                )
            )
        else:
            # under the sender: the subject, then the snippet (or the folder); avatar and icon junk left out
            kept = [
                _strip_junk(ws)
                for ws in others
                if any(w.conf >= 50 and sum(c.isalnum() for c in w.text) >= 3 for w in ws)
            ]
            if not kept:
                continue  # one line only (a row cut off by the screen's edge): its sender is not known
            signed = _signed_snippet(kept[0])
            if signed is not None:  # the subject first, then "Sender - snippet" (Thunderbird, K-9 Mail)
                messages.append(
                    Message(
                        direction="incoming",
                        text=_text([*_strip_junk(first_line), *signed[1]]),
                        shown_time=shown,
                        bbox=box,
                        sender=_capital_i(signed[0]),
                        confidence=_confidence(words),
                        subject=_subject(_text(_strip_junk(first_line))),
                    )
                )
                continue
            messages.append(
                Message(
                    direction="incoming",
                    text=_text([w for ws in others for w in _strip_junk(ws)]),  # subject and snippet
                    shown_time=shown,
                    bbox=box,
                    sender=_capital_i(_text(first_line)) or None,
                    confidence=_confidence(words),
                    subject=_subject(_text(kept[0])) if kept else None,
                )
            )
    return ("call_list" if calls else "email_list"), header, messages


_ADDRESS: Final = re.compile(r"\S@\S+\.\w")
_DASHES: Final = frozenset({"-", "\u2013", "\u2014"})
_MAIL_WORDS: Final = re.compile(
    r"\b(inbox(?:es)?|primary|mail|e-mail|email|sent|drafts|outbox|compose|spam|trash)\b|\S@\S+\.\w",
    re.IGNORECASE,
)


def _signed_snippet(words: list[Word]) -> tuple[str, list[Word]] | None:
    """A mail row's line "Sender - snippet": one to four words starting with a capital or holding an "@",
    a dash, then the snippet; as (sender, the snippet's words), else None."""
    for k, word in enumerate(words[:5]):
        if word.text in _DASHES:
            name = words[:k]
            if name and all(w.text[:1].isupper() or "@" in w.text or w.text.endswith(".") for w in name):
                return _text(name), words[k + 1 :]
            return None
    return None


def _mail_shown(above: list[_Line], rows: list[tuple[list[_Line], str, list[Word], int]]) -> bool:
    """Whether the screen says its rows are mail: a line above or below the rows (a title, a search field, a
    bottom bar, a button) naming a mailbox or holding an address ("Inbox", "Primary", "Unified inbox",
    "Compose", "me@domain.example"), or most rows holding "Sender - snippet"."""
    if any(_MAIL_WORDS.search(line.text) for line in above):
        return True
    signed = 0
    for row_lines, _, _, anchor in rows:
        signed += any(_signed_snippet(_strip_junk(ln.words)) for k, ln in enumerate(row_lines) if k > anchor)
    return signed * 2 > len(rows)


def _call_name_words(row_lines: list[_Line], rest: list[Word], anchor: int) -> list[Word] | None:
    """A call row's name: the words before its time on the time's line, else the line level with the time
    (a name read as a piece of its own), else the first line above the time holding a word; None when no
    line of the row holds one (an avatar or an icon read as junk is no name)."""
    line = row_lines[anchor] if anchor < len(row_lines) else None
    if _meaningful_words(rest):
        return rest
    if line is not None:
        top, bottom = line.box[1], line.box[3]
        for k, other in enumerate(row_lines):
            centre = (other.box[1] + other.box[3]) // 2
            if k != anchor and top <= centre <= bottom and _meaningful_words(other.words):
                return other.words
    above = [ln for k, ln in enumerate(row_lines) if k < anchor and _meaningful_words(ln.words)]
    return above[0].words if above else None


def _meaningful_words(words: list[Word]) -> bool:
    """Whether words hold a name or a number: a token of three letters or digits read with some confidence
    (three letters: even with little, "lan Cole" at 43), one of two letters read with good confidence ("Jo"),
    or five digits in all ("+33 6 12 34 56 78"). An avatar's junk ("oO.", "ae", "©") holds none of these."""
    if any(w.conf >= 50 and sum(ch.isalnum() for ch in w.text) >= 3 for w in words):
        return True
    if any(w.conf >= 30 and sum(ch.isalpha() for ch in w.text) >= 3 for w in words):
        return True
    if any(w.conf >= 80 and sum(ch.isalpha() for ch in w.text) >= 2 for w in words):
        return True
    return sum(ch.isdigit() for w in words if w.conf >= 50 for ch in w.text) >= 5


def _read_email(
    lines: list[_Line], row: tuple[list[_Line], str, list[Word], int], header: str | None, height: int
) -> tuple[str, str | None, list[Message]]:
    """An open email: subject lines above the sender, the sender's line with the date, then the body."""
    row_lines, shown, rest, anchor = row
    number = lines.index(row_lines[anchor])
    first = lines.index(row_lines[0])
    sender_words = rest if anchor == 0 else row_lines[0].words
    subject = [
        ln for ln in lines[:first] if (ln.box[1] + ln.box[3]) // 2 * 1000 >= _STATUS_BAR_PERMILLE * height
    ]
    body_start = number + 1
    while body_start < len(lines) and body_start <= number + 3:
        text = lines[body_start].text
        if "@" in text or text.lower().startswith("to "):
            body_start += 1
            continue
        break
    body = lines[body_start:]
    if not body:
        return "unknown", header, []
    words = [w for ln in body for w in ln.words]
    message = Message(
        direction="incoming",
        text=_text([w for ln in body for w in _strip_junk(ln.words)]),
        shown_time=shown,
        bbox=_box_of(words),
        sender=_capital_i(_text(_strip_junk(sender_words))) or None,
        confidence=_confidence(words),
    )
    title = (
        _subject(" ".join(_text(_without_specks(_strip_junk(ln.words))) for ln in subject).strip()) or header
    )
    return "email", title, [message]


def _without_specks(words: list[Word]) -> list[Word]:
    """A subject line's words without one- or two-character tokens read with little confidence before its
    label chip or at its end ("Details 3 Inbox": the chip's rim read as a digit)."""
    kept = list(words)
    if kept and kept[-1].text.lower() == "inbox":
        label, kept = kept[-1:], kept[:-1]
    else:
        label = []
    while len(kept) > 1 and len(kept[-1].text) <= 2 and kept[-1].conf < HEADER_MIN_CONF:
        kept.pop()
    return [*kept, *label]


def _subject(text: str) -> str:
    """A subject line without an icon or avatar read as one or two characters at either end ("eS )", "Ww")
    and without the mailbox label chip Gmail shows after an open email's subject ("Inbox")."""
    words = text.split()
    if words and words[-1].lower() == "inbox" and len(words) > 1:
        words = words[:-1]
    if any(sum(ch.isalnum() for ch in w) >= 3 for w in words):
        while words and len(words[0]) <= 2 and not any(ch.isdigit() for ch in words[0]):
            words = words[1:]
        while words and len(words[-1]) <= 2 and not any(ch.isdigit() for ch in words[-1]):
            words = words[:-1]
    return " ".join(words)
