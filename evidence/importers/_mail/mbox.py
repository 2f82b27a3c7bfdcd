"""mbox files split into messages, and the delivery time of their ``From `` lines.

A separator is a line that looks like a postmark (``From sender``, optionally with an asctime date), is followed
by a header field line, and either opens the file (after an optional UTF-8 BOM), follows an empty line, or
cannot be mistaken for text (it has a date, or is ``From -`` or ``From a@b``: Thunderbird does not always leave
an empty line). So unescaped body lines such as ``From time to time`` (mboxo) do not split a message, where
``mailbox.mbox`` would. The file is read in bounded pieces (``MAX_LINE``), one message at a time; ``>From``
quoting in bodies is left as written (mboxo and mboxrd cannot be told apart).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta, timezone
from typing import BinaryIO, Final

from evidence.importers._mail.dates import ParsedDate
from evidence.importers._mail.headers import is_field_line

UTF8_BOM: Final = b"\xef\xbb\xbf"
MAX_LINE: Final = 1024 * 1024  # mbox lines are read in pieces of at most this many bytes
_ASCTIME: Final = re.compile(
    rb"(Mon|Tue|Wed|Thu|Fri|Sat|Sun) +(Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) +(\d{1,2})"
    rb" +(\d{1,2}):(\d{2})(?::(\d{2}))?(?: +([+-]\d{4}|[A-Z]{1,5}(?: DST)?))? +(\d{4})"
)
_MONTHS: Final = {m: i for i, m in enumerate(b"Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec".split(), 1)}
_NUMERIC_ZONE: Final = re.compile(r"[+-]\d{4}")


def from_line_date(line: bytes) -> ParsedDate | None:
    """The delivery time of an mbox ``From `` line (asctime, sometimes with a numeric zone)."""
    match = _ASCTIME.search(line)
    if match is None:
        return None
    _, mon, day, hour, minute, second, zone_text, year = match.groups()
    wall = (int(year), _MONTHS[mon], int(day), int(hour), int(minute), int(second or b"0"))
    offset: timezone | None = None
    if zone_text and _NUMERIC_ZONE.fullmatch(zone_text.decode("ascii")):
        sign = -1 if zone_text[:1] == b"-" else 1
        minutes = int(zone_text[1:3]) * 60 + int(zone_text[3:5])
        if minutes < 24 * 60 and (minutes or sign > 0):
            offset = timezone(sign * timedelta(minutes=minutes))
    try:
        moment = datetime(*wall, tzinfo=offset or UTC)
    except ValueError:
        return None
    return ParsedDate(moment, wall, "offset") if offset is not None else ParsedDate(None, wall, "none")


def is_postmark(line: bytes) -> bool:
    """Whether ``line`` looks like an mbox separator: ``From sender`` alone or followed by an asctime date."""
    if not line.startswith(b"From ") or len(line) > 1000:
        return False
    return len(line[5:].split(None, 1)) <= 1 or _ASCTIME.search(line) is not None


def _strong_postmark(line: bytes) -> bool:
    """A postmark no body line is likely to imitate: with a date, ``From -`` (Thunderbird) or ``From a@b``."""
    parts = line[5:].split(None, 1)
    return _ASCTIME.search(line) is not None or (len(parts) == 1 and (parts[0] == b"-" or b"@" in parts[0]))


@dataclass
class _MboxMessage:
    index: int
    postmark: bytes
    chunks: list[bytes] = field(default_factory=list)
    size: int = 0
    oversized: bool = False


def _lines(fh: BinaryIO) -> Iterator[tuple[bytes, bool]]:
    """The file's lines in pieces of at most MAX_LINE bytes; the flag says whether a piece starts a line."""
    starts = True
    while True:
        piece = fh.readline(MAX_LINE)
        if not piece:
            return
        yield piece, starts
        starts = piece.endswith(b"\n")


def split_mbox(fh: BinaryIO, limit: int) -> Iterator[tuple[int, bytes, bytes | None, int]]:
    """Yield ``(index, postmark, message bytes or None when over limit, size)`` for each message of an mbox.

    A separator is a postmark line followed by a header field line, and either preceded by an empty line or
    unmistakable on its own (Thunderbird writes ``From -`` right after the previous message's last line).
    """
    current: _MboxMessage | None = None
    held: bytes | None = None  # a possible separator, waiting for the next line to decide
    previous_blank = True
    count = 0

    def add(msg: _MboxMessage, piece: bytes) -> None:
        msg.size += len(piece)
        if msg.size > limit:
            msg.oversized = True
            msg.chunks.clear()
        elif not msg.oversized:
            msg.chunks.append(piece)

    def finish(msg: _MboxMessage) -> tuple[int, bytes, bytes | None, int]:
        data = b"".join(msg.chunks)
        # The blank line before the next postmark belongs to the mbox, not to the message.
        if data.endswith(b"\r\n\r\n"):
            data = data[:-2]
        elif data.endswith(b"\n\n"):
            data = data[:-1]
        return msg.index, msg.postmark, (None if msg.oversized else data), msg.size

    first = True
    for piece, starts in _lines(fh):
        if first:
            piece = piece.removeprefix(UTF8_BOM)
            first = False
        if held is not None:
            if starts and is_field_line(piece):
                if current is not None:
                    yield finish(current)
                count += 1
                current = _MboxMessage(count, held.rstrip(b"\r\n"))
            elif current is not None:
                add(current, held)
            held = None
        line = piece.rstrip(b"\r\n")
        if starts and is_postmark(line) and (previous_blank or _strong_postmark(line)):
            held = piece
            previous_blank = False
            continue
        if current is not None:
            add(current, piece)
        previous_blank = starts and piece in (b"\n", b"\r\n")
    if held is not None and current is not None:
        add(current, held)
    if current is not None:
        yield finish(current)
