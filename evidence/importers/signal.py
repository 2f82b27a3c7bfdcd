"""Signal chats as text in the signal-export style: ``[YYYY-MM-DD, HH:MM] Name: message``.

**Format.** Signal has no chat export of its own; the third-party signal-export tool writes one chat per
file, each message starting with a bracketed year-first date and a minute-precision time, then the sender's
name and the text (``corpus/FORMATS.md`` section 7, sample in ``corpus/signal/``). A line without that prefix
continues the message above it (joined with ``"\\n"``), as in WhatsApp exports. The comma after the date is
optional (``[2019-12-24 12:23]``); seconds are read when a line has them, but a file is only claimed when
its first message has none, because ``[2019-12-24, 12:23:05]`` is the WhatsApp iOS form (the WhatsApp
importer, in turn, refuses the form without seconds, so the two never claim the same file).

**Decisions.**

* Times are the exporting computer's wall clock: ``ZoneInfo(options.tz)``, ``tz_assumed`` True,
  ``time_source`` export. A wall time that happened twice is read as the first (``fold=0``), one that never
  existed with the offset before the change; both are warned.
* One record per message, channel ``chat``, app ``signal``, located ``line <n>`` (where its prefix is).
  Sender is the name as written, cut at the first ``": "``; a prefixed line without ``": "`` is a record
  with no sender and ``raw["kind"] == "system"``. Direction is ``unknown`` (signal-export writes the owner
  as ``Me``, but a contact could be called that too; the name stays in ``sender``).
* An impossible date or time (``2019-02-30``, ``25:00``) skips that message with a warning; lines before the
  first message are warned. The tally counts non-empty lines: those of the messages read, and the skipped ones
  (each line of a skipped message, each line before the first message). ``raw`` keeps the prefix, the date and time as written and the sender as written.

**Robustness.** Files over ``MAX_BYTES`` are refused; text that is not UTF-8 is read with replacement
characters and a warning. A file without a single message line is an InputError.

**Known limits.** The Markdown form's media links (``![..](media/..)``) and reactions stay plain text; a
sender name containing ``": "`` is cut at its first one; a continuation line that itself looks like a prefix
starts a new message.
"""

from __future__ import annotations

import codecs
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, ClassVar, Final
from zoneinfo import ZoneInfo

from evidence.errors import InputError
from evidence.importers._wall import export_dst_note
from evidence.importers.base import Importer, Skip, Source, Tally, Yielded
from evidence.models import Channel, Direction, ImportOptions, ImportWarning, Record, TimeSource
from evidence.timeutil import localise_wall, zone

NAME: Final = "signal"
VERSION: Final = "1.0.0"

MAX_BYTES: Final = 256 * 1024 * 1024

_PREFIX = re.compile(
    r"\[(?P<date>(?P<y>\d{4})-(?P<mo>\d{1,2})-(?P<d>\d{1,2})),? "
    r"(?P<time>(?P<h>\d{1,2}):(?P<mi>\d{2})(?::(?P<s>\d{2}))?)\] ?"
)


@dataclass
class _Message:
    line_no: int
    line: str
    prefix: re.Match[str]
    more: list[str] = field(default_factory=list)


def sniff_signal(head: bytes) -> bool:
    """The first non-empty line starts with ``[YYYY-MM-DD, HH:MM]`` (no seconds) and a sender."""
    if head.startswith(codecs.BOM_UTF8):
        head = head[len(codecs.BOM_UTF8) :]
    text = head.decode("utf-8", errors="replace")
    for line in text.split("\n")[:50]:
        if not line.strip():
            continue
        m = _PREFIX.match(line)
        return m is not None and m.group("s") is None and ": " in line[m.end() :]
    return False


def _split(text: str) -> tuple[list[_Message], list[tuple[int, str]]]:
    """Messages, and the non-empty lines before the first one (line number, text)."""
    messages: list[_Message] = []
    orphans: list[tuple[int, str]] = []
    for number, raw_line in enumerate(text.split("\n"), start=1):
        line = raw_line[:-1] if raw_line.endswith("\r") else raw_line
        m = _PREFIX.match(line)
        if m is not None:
            messages.append(_Message(number, line, m))
        elif messages:
            messages[-1].more.append(line)
        elif line.strip():
            orphans.append((number, line))
    return messages, orphans


class SignalImporter(Importer):
    """Signal chats exported as text by signal-export."""

    name: ClassVar[str] = NAME
    version: ClassVar[str] = VERSION
    description: ClassVar[str] = "Signal chat text from signal-export ([YYYY-MM-DD, HH:MM] Name: message)"

    def sniff(self, head: bytes, source: Source) -> bool:
        """Text whose first non-empty line has the signal-export prefix (minutes, no seconds)."""
        return sniff_signal(head)

    def parse(self, source: Source, options: ImportOptions) -> Iterator[Yielded]:
        """Yield one record per message; see the module docstring."""
        tz = zone(options.tz)
        if source.size > MAX_BYTES:
            raise InputError(
                f"{source.size} bytes is more than a chat export holds (limit {MAX_BYTES // 2**20} MiB)",
                path=source.name,
            )
        try:
            data = source.path.read_bytes()
        except OSError as exc:
            raise InputError(f"cannot read ({exc.strerror})", path=source.name) from None
        if data.startswith(codecs.BOM_UTF8):
            data = data[len(codecs.BOM_UTF8) :]
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError as exc:
            text = data.decode("utf-8", errors="replace")
            yield ImportWarning(
                "file", f"the text is not valid UTF-8 (byte {exc.start}); undecodable bytes read as U+FFFD"
            )
        messages, orphans = _split(text)
        if not messages:
            raise InputError(
                "holds no Signal messages (no line starts with [YYYY-MM-DD, HH:MM])", path=source.name
            )
        skipped: list[Skip] = []
        for line_no, line in orphans:
            why = f"text before the first message, not imported: {line[:200]!r}"
            skipped.append(Skip(f"line {line_no}", why))
            yield ImportWarning(f"line {line_no}", why)
        made = 0
        for message in messages:
            lines = 1 + sum(1 for more in message.more if more.strip())
            made_one, why = False, ""
            for item in self._message(source, options, tz, message):
                made_one = made_one or isinstance(item, Record)
                if isinstance(item, ImportWarning):
                    why = item.message  # without a record, the one warning is why the message is skipped
                yield item
            if made_one:
                made += lines
                continue
            skipped.append(Skip(f"line {message.line_no}", why))
            skipped += [
                Skip(
                    f"line {message.line_no + n}",
                    f"part of the message of line {message.line_no}, not imported",
                )
                for n, more in enumerate(message.more, start=1)
                if more.strip()
            ]
        seen = sum(1 for line in text.split("\n") if line.strip())
        yield Tally("lines", seen=seen, made=made, skipped=tuple(skipped))

    def _message(
        self, source: Source, options: ImportOptions, tz: ZoneInfo, message: _Message
    ) -> Iterator[Yielded]:
        m = message.prefix
        locator = f"line {message.line_no}"
        try:
            wall = datetime(  # noqa: DTZ001 - a wall clock, given its zone by localise_wall just below
                int(m.group("y")),
                int(m.group("mo")),
                int(m.group("d")),
                int(m.group("h")),
                int(m.group("mi")),
                int(m.group("s") or 0),
            )
        except ValueError:
            yield ImportWarning(
                locator,
                f"{m.group('date')} {m.group('time')} is not a real date and time; "
                f"message not imported: {message.line[:200]!r}",
            )
            return
        occurred, case = localise_wall(wall, tz)
        dst = export_dst_note(wall, occurred, case, options.tz)
        if dst is not None:
            yield ImportWarning(locator, dst)
        rest = message.line[m.end() :]
        raw: dict[str, Any] = {"prefix": m.group(0), "date": m.group("date"), "time": m.group("time")}
        idx = rest.find(": ")
        sender: str | None
        if idx > 0:
            written, body = rest[:idx], rest[idx + 2 :]
            sender, raw["kind"], raw["sender"] = written.strip(), "message", written
        else:
            sender, body, raw["kind"] = None, rest, "system"
        lines = [body, *message.more]
        while len(lines) > 1 and lines[-1] == "":
            lines.pop()
        yield Record(
            item_sha256=source.sha256,
            locator=locator,
            occurred_at=occurred,
            time_source=TimeSource.EXPORT,
            tz_assumed=True,
            tz_name=options.tz,
            channel=Channel.CHAT,
            direction=Direction.UNKNOWN,
            importer=NAME,
            importer_version=VERSION,
            app="signal",
            sender=sender,
            text="\n".join(lines),
            raw=raw,
        )
