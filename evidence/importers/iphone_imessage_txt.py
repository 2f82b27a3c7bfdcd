"""The text output of ``imessage-exporter -f txt`` (github.com/ReagentX/imessage-exporter), the tool many Mac
users run on their Messages database (``~/Library/Messages/chat.db``, the iPhone's messages synced by iCloud):
one ``.txt`` file per conversation, named after it (``+15558675309.txt``).

Each message is a block ended by an empty line (the form of the exporter's ``exporters/txt.rs``)::

    May 17, 2022  5:29:42 PM (Read by them after 1 hour, 49 seconds)
    Me
    Hello world

The first line is the time (``%b %d, %Y %l:%M:%S %p``: English month, the hour padded with a space) on the Mac's
clock, with no zone: it is read in the zone given to the import (``--tz``, else the case's) and marked as assumed.
An optional "(Read by WHO after …)" follows. The second line is the sender: ``Me``, a contact's name or a handle.
The rest is the body: text, attachment paths, and the exporter's notes ("This message was deleted from the
conversation!", "Reactions:", "Sent with …", "This message responded to an earlier message."), kept in ``raw``.
Replies are the same blocks indented by four spaces. A line with the time and more text on it ("… PM You renamed
the conversation to …") is an announcement, stored as a system record (``raw["kind"] == "system"``).

Sides: ``Me`` is the owner. With ``--custom-name NAME`` the exporter writes NAME instead; the read notes tell it
apart ("Read by them" marks the owner's message, "Read by NAME" names the owner). When a file has neither ``Me``
nor such a note, the sides are unknown (one warning), never guessed.

Known limits: a message whose own text holds an empty line followed by a line shaped like a time is split there;
the service (iMessage or SMS) is not in the text export; attachments are paths, not files.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, ClassVar, Final

from evidence.errors import InputError
from evidence.importers._iphone_db import Tally
from evidence.importers._wall import localize
from evidence.importers.base import Importer, Source, Yielded
from evidence.models import Channel, Direction, ImportOptions, ImportWarning, Record, TimeSource

NAME = "imessage-exporter-txt"
VERSION = "1"
_MONTHS: Final = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
_STAMP: Final = re.compile(
    r"(?P<indent>(?: {4})*)(?P<month>" + "|".join(_MONTHS) + r") (?P<day>\d{1,2}), (?P<year>\d{4}) {1,2}"
    r"(?P<hour>\d{1,2}):(?P<minute>\d{2}):(?P<second>\d{2}) (?P<ampm>AM|PM)"
    r"(?: \(Read by (?P<reader>.+?) after (?P<after>[^()]+)\))?(?: (?P<rest>.+))?$"
)
_NOTES: Final = (
    "This message was deleted from the conversation!",
    "This message responded to an earlier message.",
    "Attachment missing!",
)
_OWNER: Final = "Me"
MAX_BYTES: Final = 200 * 1024 * 1024


@dataclass
class _Block:
    """One message or announcement: its stamp line's number and match, the sender, the body lines."""

    line: int
    stamp: re.Match[str]
    sender: str | None = None
    body: list[str] = field(default_factory=list)


class IMessageExporterTxtImporter(Importer):
    """Importer for one conversation file written by ``imessage-exporter -f txt``."""

    name: ClassVar[str] = NAME
    version: ClassVar[str] = VERSION
    description: ClassVar[str] = "imessage-exporter text output (Mac Messages / iMessage, one file a chat)"

    def sniff(self, head: bytes, source: Source) -> bool:
        """Claims text whose first line is an exporter time line followed by a sender line."""
        lines = head.decode("utf-8", errors="replace").lstrip("\ufeff").splitlines()
        first = _STAMP.match(lines[0]) if lines else None
        if first is None or first["indent"]:
            return False
        return bool(first["rest"]) or (len(lines) >= 2 and bool(lines[1].strip()))

    def parse(self, source: Source, options: ImportOptions) -> Iterator[Yielded]:
        """Every message and announcement of the file; InputError when none is understood."""
        if source.size > MAX_BYTES:
            raise InputError(
                f"file is larger than {MAX_BYTES} bytes, the limit for a text export", path=source.name
            )
        try:
            text = source.path.read_bytes().decode("utf-8").lstrip("\ufeff")
        except UnicodeDecodeError as exc:
            raise InputError(f"not UTF-8 text (byte {exc.start})", path=source.name) from None
        tally = Tally("messages")
        blocks = _blocks(text.splitlines(), tally)
        owners = _owners(blocks)
        senders = {b.sender for b in blocks if b.sender and not b.stamp["rest"]}
        if not owners & senders and not any(b.stamp["reader"] for b in blocks):
            yield ImportWarning(
                "file",
                "no message is marked as the owner's ('Me', or a read note): the sides are unknown "
                "(exported with --custom-name? the owner's name is not known)",
            )
            owners = set()
        chat = source.name.rsplit(".", 1)[0]
        for block in blocks:
            tally.seen += 1
            record, note = _record(block, source, options, owners, senders, chat)
            if note:
                yield ImportWarning(f"line {block.line}", note)
            tally.made += 1
            yield record
        if tally.made == 0:
            raise InputError(
                "no message understood: no line is an imessage-exporter time line", path=source.name
            )
        yield tally.shared()


def _blocks(lines: list[str], tally: Tally) -> list[_Block]:
    """The file cut into blocks; lines outside any block, and blocks with no sender, counted as skipped."""
    blocks: list[_Block] = []
    current: _Block | None = None
    for number, line in enumerate(lines, start=1):
        match = _STAMP.match(line)
        top_level = (
            match is not None and not match["indent"] and (number == 1 or not lines[number - 2].strip())
        )
        if match is not None and (top_level or match["indent"]):
            if current is not None:
                blocks.append(current)
            current = _Block(number, match)
            if match["rest"]:
                blocks.append(current)
                current = None
            continue
        if current is None:
            if line.strip():
                tally.seen += 1
                tally.skip(f"line {number}", "text outside a message (no time line before it)")
            continue
        indent = current.stamp["indent"]
        body = line[len(indent) :] if line.startswith(indent) else line
        if current.sender is None:
            current.sender = body.strip() or None
            if current.sender is None:
                tally.seen += 1
                tally.skip(f"line {current.line}", "a time line with no sender after it")
                current = None
            continue
        current.body.append(body)
    if current is not None:
        if current.sender is None:
            tally.seen += 1
            tally.skip(f"line {current.line}", "a time line with no sender after it")
        else:
            blocks.append(current)
    return blocks


def _owners(blocks: list[_Block]) -> set[str]:
    """The names the owner appears under: ``Me``, the sender of a message "Read by them", and the reader
    named in "Read by NAME" (the exporter's --custom-name)."""
    owners = {_OWNER}
    for block in blocks:
        reader = block.stamp["reader"]
        if reader == "them" and block.sender:
            owners.add(block.sender)
        elif reader and reader != "you":
            owners.add(reader)
    return owners


def _record(
    block: _Block, source: Source, options: ImportOptions, owners: set[str], senders: set[str], chat: str
) -> tuple[Record, str | None]:
    """The record of one block, and the DST note of its time (or None)."""
    m = block.stamp
    hour = int(m["hour"]) % 12 + (12 if m["ampm"] == "PM" else 0)
    wall = (
        int(m["year"]),
        _MONTHS.index(m["month"]) + 1,
        int(m["day"]),
        hour,
        int(m["minute"]),
        int(m["second"]),
    )
    try:
        moment, note = localize(wall, options.tz)
    except ValueError:
        raise InputError(
            f"line {block.line}: {m.group(0).strip()!r} is not a date", path=source.name
        ) from None
    raw: dict[str, Any] = {"line": block.line, "time_line": m.group(0).strip()}
    if m["reader"]:
        raw["read_by"], raw["read_after"] = m["reader"], m["after"]
    if m["indent"]:
        raw["reply_depth"] = len(m["indent"]) // 4
    if m["rest"]:
        # An announcement: "<time> You renamed …" / "<time> NAME changed the group photo."
        raw["kind"] = "system"
        actor = m["rest"].split(" ", 1)[0]
        direction = Direction.OUTGOING if actor == "You" or actor in owners else Direction.UNKNOWN
        return _make(
            block, source, options, moment, direction, None, (), m["rest"], "announcement", raw
        ), note
    raw["kind"] = "message"
    sender = block.sender or "(unknown)"
    body = list(block.body)
    while body and not body[-1].strip():
        body.pop()
    notes = [line for line in body if line in _NOTES or line.startswith("Sent with ")]
    if "Reactions:" in body:
        at = body.index("Reactions:")
        raw["reactions"] = [line.strip() for line in body[at + 1 :] if line.strip()]
        body = body[:at]
    text_lines = [line for line in body if line not in notes]
    if notes:
        raw["notes"] = notes
    if "This message was deleted from the conversation!" in notes:
        raw["deleted"] = True
    if not owners:
        direction = Direction.UNKNOWN
    elif sender in owners:
        direction = Direction.OUTGOING
    else:
        direction = Direction.INCOMING
    others = tuple(sorted(s for s in senders if s not in owners)) or (chat,)
    if direction is Direction.OUTGOING:
        who, recipients = None, others
    else:
        who, recipients = sender, ()
    text = "\n".join(text_lines).strip() or None
    status = "deleted" if raw.get("deleted") else ("read" if m["reader"] else None)
    return _make(block, source, options, moment, direction, who, recipients, text, status, raw), note


def _make(
    block: _Block,
    source: Source,
    options: ImportOptions,
    moment: datetime,
    direction: Direction,
    sender: str | None,
    recipients: tuple[str, ...],
    text: str | None,
    status: str | None,
    raw: dict[str, Any],
) -> Record:
    return Record(
        item_sha256=source.sha256,
        locator=f"line {block.line}",
        occurred_at=moment,
        time_source=TimeSource.EXPORT,
        tz_assumed=True,
        channel=Channel.CHAT,
        direction=direction,
        importer=NAME,
        importer_version=VERSION,
        app="Messages",
        sender=sender,
        recipients=recipients,
        text=text,
        status=status,
        tz_name=options.tz,
        raw=raw,
    )
