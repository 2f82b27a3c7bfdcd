"""Telegram Desktop "Export chat history" / "Export Telegram data" in JSON (``result.json``).

**Format.** Telegram Desktop's machine-readable export (``corpus/FORMATS.md`` section 5, samples in
``corpus/telegram/``). Two shapes: one chat, ``{"name", "type", "id", "messages": [...]}`` (reduced exports
may hold only ``messages``), and the whole account, ``{"about", "personal_information", "chats": {"list":
[<chat>, ...]}, "left_chats": {"list": [...]}, ...}``. Each message has ``id`` (per chat), ``type``
(``message`` or ``service``), ``date`` (local wall clock, no zone) and/or ``date_unixtime`` (epoch seconds,
as a string), ``from`` / ``from_id`` (``actor`` / ``actor_id`` on service messages), ``text`` (a string or a
list mixing strings and ``{"type", "text"}`` entities) and media fields.

**Decisions.**

* One record per message, located ``chat <name> message <id>`` (the chat's id, or ``#<n>`` for its place in
  the export, when it has no name or shares its name with another chat; ``message #<n>`` when a message has
  no id; a repeated id gets `` #<n>`` and a warning). Chats and messages are read in file order.
* Time: ``date_unixtime`` is exact: the instant, shown with the offset ``options.tz`` had then (a fixed
  offset), ``tz_assumed`` False. Without it, ``date`` is the exporting computer's wall clock: it takes
  ``ZoneInfo(options.tz)``, ``tz_assumed`` True; a wall time that happened twice is read as the first
  (``fold=0``) and one that never existed with the offset before the change, both warned. A message with
  neither is skipped with a warning. ``time_source`` is ``export`` either way.
* ``type: message`` is channel ``chat``, app ``telegram``; ``text`` flattened to plain text (entities give
  their ``text``). Sender is ``from`` as displayed; ``from: null`` (a deleted account) becomes
  ``(deleted account)``. Direction is ``unknown``: the export does not mark the owner's messages in a way
  that survives reduced exports.
* Service ``phone_call`` is the Telegram call log: channel ``call``, sender the caller (``actor``), status
  the ``discard_reason`` as written (``missed``, ``busy``, ``hangup``, ``disconnect``; None when absent),
  ``duration_s`` from ``duration_seconds``. Every other service action (``joined_telegram``,
  ``invite_members``, ``pin_message``, ...) is a record too, channel ``chat``, with ``raw["kind"] ==
  "service"`` and ``raw["action"]``: who joined or was added to a group is part of the story. Its text is
  the export's own text, or None (the wording of an action is the report's business).
* ``raw`` holds ``kind``, the chat's ``name``/``type``/``id``, ``from_id`` and the message object verbatim.
  JSON numbers with a fraction are kept as their text (the canonical JSON refuses floats).
* Media: the files are beside the JSON or were not exported (``"(File not included. ...)"``); neither is
  read. ``raw["media"]`` says ``not included`` or names the relative file, and one warning per file counts
  them.

**Count.** The tally's units are the messages of every chat; a chat that is not an object or has no list of
messages is one unit not read (how many messages it hid cannot be known).

**Robustness.** Files over ``MAX_BYTES`` are refused; nesting deeper than ``MAX_DEPTH`` is refused (also
the parser's own recursion limit); a truncated or malformed file is an InputError saying where it breaks.

**Known limits.** Reactions, edits, replies and forwards are only in ``raw``; media files in the export
folder are not attached (import them as files of their own); the HTML export is not read.
"""

from __future__ import annotations

import codecs
import re
from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import Any, ClassVar, Final, TypeGuard
from zoneinfo import ZoneInfo

from evidence.errors import InputError
from evidence.importers._json import load_json
from evidence.importers._wall import export_dst_note
from evidence.importers.base import Importer, Source, Tallying, Yielded, counted
from evidence.models import Channel, Direction, ImportOptions, ImportWarning, Record, TimeSource
from evidence.timeutil import after_epoch, fixed_offset, localise_wall, zone

NAME: Final = "telegram"
VERSION: Final = "1.0.0"

MAX_BYTES: Final = 512 * 1024 * 1024
MAX_DEPTH: Final = 64  # an export nests about 6 deep; anything far deeper is not one
DELETED: Final = "(deleted account)"
NOT_INCLUDED: Final = "(File not included"

_MEDIA_FIELDS: Final = ("photo", "file", "thumbnail", "video", "voice")
_OBJECT_START = re.compile(rb"\s*\{")
_WALL = re.compile(r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}:\d{2}")


def _sniff_json_head(head: bytes) -> bytes | None:
    """The head without a BOM when it opens a JSON object, else None."""
    if head.startswith(codecs.BOM_UTF8):
        head = head[len(codecs.BOM_UTF8) :]
    return head if _OBJECT_START.match(head) else None


def sniff_telegram(head: bytes) -> bool:
    """A JSON object with Telegram's keys: ``messages`` with Telegram message fields, or an account export."""
    body = _sniff_json_head(head)
    if body is None or re.match(rb'\s*\{\s*"evidence_diary"', body):
        return False
    if b'"timestamp_ms"' in body and b'"sender_name"' in body:
        return False  # Facebook / Instagram
    telegram_fields = any(
        key in body for key in (b'"date_unixtime"', b'"from_id"', b'"actor_id"', b'"text_entities"')
    )
    if b'"personal_information"' in body and (b'"about"' in body or b'"chats"' in body):
        return True
    return (b'"messages"' in body or b'"chats"' in body) and telegram_fields


def flatten_text(value: Any) -> str:
    """Telegram's ``text``: a string, or a list of strings and ``{"type", "text"}`` entities, as plain text."""
    if isinstance(value, str):
        return value
    if not isinstance(value, list):
        return ""
    parts: list[str] = []
    for item in value:
        if isinstance(item, str):
            parts.append(item)
        elif isinstance(item, dict) and isinstance(item.get("text"), str):
            parts.append(item["text"])
    return "".join(parts)


def _is_int(value: Any) -> TypeGuard[int]:
    return isinstance(value, int) and not isinstance(value, bool)


class TelegramImporter(Importer):
    """Telegram Desktop JSON export: one chat, or the whole account."""

    name: ClassVar[str] = NAME
    version: ClassVar[str] = VERSION
    description: ClassVar[str] = (
        "Telegram Desktop JSON export (result.json): messages, service actions, calls"
    )

    def sniff(self, head: bytes, source: Source) -> bool:
        """A JSON object with ``messages`` (or ``chats``) and Telegram's message fields, or an account export."""
        return sniff_telegram(head)

    def parse(self, source: Source, options: ImportOptions) -> Iterator[Yielded]:
        """Yield one record per message and service action, then the count of them; see the module
        docstring."""
        return counted("messages", lambda tallying: self._parse(source, options, tallying))

    def _parse(self, source: Source, options: ImportOptions, tallying: Tallying) -> Iterator[Yielded]:
        tz = zone(options.tz)
        document = load_json(source, "a Telegram export", max_bytes=MAX_BYTES, max_depth=MAX_DEPTH)
        if not isinstance(document, dict):
            raise InputError("the JSON is not an object: not a Telegram export", path=source.name)
        chats = _chats(document, source.name)
        reader = _Reader(source, options, tz, tallying)
        labels: set[str] = set()
        for number, chat in enumerate(chats, start=1):
            # A chat that cannot be read hides an unknown number of messages: it counts as one unit not read.
            if not isinstance(chat, dict):
                tallying.see()
                yield tallying.skip(f"chat #{number}", "chat is not a JSON object; skipped")
                continue
            label = _chat_label(chat, number, labels)
            labels.add(label)
            messages = chat.get("messages")
            if not isinstance(messages, list):
                tallying.see()
                yield tallying.skip(f"chat {label}", "chat has no list of messages; skipped")
                continue
            yield from reader.chat(chat, label, messages)
        yield from reader.summary()


def _chats(document: dict[str, Any], path: str) -> list[Any]:
    """The chats of a single-chat or whole-account export."""
    if "messages" in document:
        return [document]
    found: list[Any] = []
    for key in ("chats", "left_chats"):
        section = document.get(key)
        if isinstance(section, dict) and isinstance(section.get("list"), list):
            found.extend(section["list"])
    if not found and not any(isinstance(document.get(k), dict) for k in ("chats", "left_chats")):
        raise InputError(
            "has no messages and no chats list: not a Telegram export, or one made without its chats",
            path=path,
            hint="export with 'Personal chats' (and group chats) ticked in Telegram Desktop's settings",
        )
    return found


def _chat_label(chat: dict[str, Any], number: int, taken: set[str]) -> str:
    """The chat's name, else its id, else ``#<n>``; made unique within the export."""
    name, ident = chat.get("name"), chat.get("id")
    if isinstance(name, str) and name.strip():
        label = name.strip()
    elif _is_int(ident) or isinstance(ident, str):
        label = str(ident)
    else:
        label = f"#{number}"
    if label in taken:
        label = f"{label} ({ident})" if (_is_int(ident) or isinstance(ident, str)) else f"{label} #{number}"
    if label in taken:
        label = f"{label} #{number}"
    return label


class _Reader:
    """Turns the messages of the export's chats into records and warnings."""

    def __init__(self, source: Source, options: ImportOptions, tz: ZoneInfo, tallying: Tallying) -> None:
        self.source = source
        self.tallying = tallying
        self.options = options
        self.tz = tz
        self.not_included = 0
        self.beside = 0

    def chat(self, chat: dict[str, Any], label: str, messages: list[Any]) -> Iterator[Yielded]:
        chat_raw: dict[str, Any] = {key: chat.get(key) for key in ("name", "type", "id") if key in chat}
        seen: set[str] = set()
        self.tallying.see(len(messages))
        for number, message in enumerate(messages, start=1):
            ident = message.get("id") if isinstance(message, dict) else None
            if _is_int(ident) or (isinstance(ident, str) and ident):
                locator = f"chat {label} message {ident}"
                if locator in seen:
                    yield ImportWarning(locator, f"message id {ident} appears more than once in the chat")
                    locator = f"{locator} #{number}"
            else:
                locator = f"chat {label} message #{number}"
            seen.add(locator)
            if not isinstance(message, dict):
                yield self.tallying.skip(locator, "message is not a JSON object; skipped")
                continue
            yield from self.message(message, locator, chat_raw)

    def message(self, message: dict[str, Any], locator: str, chat_raw: dict[str, Any]) -> Iterator[Yielded]:
        kind = message.get("type")
        if kind not in ("message", "service"):
            yield self.tallying.skip(locator, f"message type {kind!r} is not one Telegram writes; skipped")
            return
        moment, assumed, notes = self.time(message)
        for note in notes:
            yield ImportWarning(locator, note)
        if moment is None:
            yield self.tallying.skip(locator, "message has no usable date or date_unixtime; skipped")
            return
        who_key, id_key = ("from", "from_id") if kind == "message" else ("actor", "actor_id")
        sender: str | None = None
        if who_key in message:
            who = message[who_key]
            if who is None:
                sender = DELETED
            elif isinstance(who, str) and who.strip():
                sender = who
        raw: dict[str, Any] = {"kind": kind, "chat": chat_raw}
        if id_key in message:
            raw["from_id"] = message[id_key]
        if sender == DELETED:
            raw["deleted_account"] = True
        raw["message"] = message
        text = flatten_text(message.get("text")) or None
        channel, status, duration = Channel.CHAT, None, None
        if kind == "service":
            action = message.get("action")
            raw["action"] = action
            if action == "phone_call":
                channel, raw["kind"] = Channel.CALL, "call"
                reason = message.get("discard_reason")
                status = reason if isinstance(reason, str) and reason else None
                seconds = message.get("duration_seconds")
                if _is_int(seconds) and seconds >= 0:
                    duration = seconds
                elif seconds is not None:
                    yield ImportWarning(locator, f"call duration {seconds!r} is not a number of seconds")
        else:
            media = self.media(message)
            if media is not None:
                raw["media"] = media
        yield Record(
            item_sha256=self.source.sha256,
            locator=locator,
            occurred_at=moment,
            time_source=TimeSource.EXPORT,
            tz_assumed=assumed,
            tz_name=self.options.tz if assumed else None,
            channel=channel,
            direction=Direction.UNKNOWN,
            importer=NAME,
            importer_version=VERSION,
            app="telegram",
            sender=sender,
            text=text,
            status=status,
            duration_s=duration,
            raw=raw,
        )

    def time(self, message: dict[str, Any]) -> tuple[datetime | None, bool, list[str]]:
        """The instant (exact from ``date_unixtime``, else the wall clock ``date``), whether assumed, notes."""
        notes: list[str] = []
        unix = message.get("date_unixtime")
        if unix is not None:
            text = str(unix) if _is_int(unix) else unix
            if isinstance(text, str) and text.isascii() and text.isdigit() and len(text) <= 12:
                moment = after_epoch(timedelta(seconds=int(text)), self.tz)
                if moment is not None:
                    return moment, False, notes
            notes.append(f"date_unixtime {unix!r} is not epoch seconds")
        wall_text = message.get("date")
        if wall_text is None:
            return None, False, notes
        if not isinstance(wall_text, str) or not _WALL.match(wall_text):
            notes.append(f"date {wall_text!r} is not a date and time")
            return None, False, notes
        try:
            wall = datetime.fromisoformat(wall_text)
        except ValueError:
            notes.append(f"date {wall_text!r} is not a date and time")
            return None, False, notes
        if wall.tzinfo is not None:
            return fixed_offset(wall, self.tz), False, notes
        moment, case = localise_wall(wall, self.tz)
        dst = export_dst_note(wall, moment, case, self.options.tz)
        if dst is not None:
            notes.append(dst)
        return moment, True, notes

    def media(self, message: dict[str, Any]) -> str | None:
        """What the export says of the message's media file, counted for the summary warnings."""
        for key in _MEDIA_FIELDS:
            value = message.get(key)
            if not isinstance(value, str) or not value:
                continue
            if value.startswith(NOT_INCLUDED):
                self.not_included += 1
                return "not included"
            self.beside += 1
            return f"file beside the export: {value}"
        return None

    def summary(self) -> Iterator[ImportWarning]:
        if self.not_included:
            yield ImportWarning(
                "file",
                f"{self.not_included} message(s) had media the export left out ('File not included'); "
                "the pictures, recordings or files themselves are not in it",
            )
        if self.beside:
            yield ImportWarning(
                "file",
                f"{self.beside} message(s) name media files kept beside the JSON in the export folder; "
                "they are not read from the JSON: import them as files of their own",
            )
