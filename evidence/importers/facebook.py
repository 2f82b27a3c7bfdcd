"""Facebook Messenger and Instagram direct messages from "Download your information" (JSON ``message_N.json``).

**Format.** One file per thread part, ``{"participants": [{"name"}], "messages": [...], "title",
"thread_type", "thread_path", "magic_words", ...}`` (``corpus/FORMATS.md`` section 6, samples in
``corpus/facebook/``; Instagram writes the same schema, sometimes reduced to ``messages``). Messages are newest
first, each with ``sender_name``, ``timestamp_ms`` (epoch milliseconds), ``content``, media lists (``photos``,
``videos``, ``audio_files``, ``files``, ``gifs``: ``{"uri", "creation_timestamp"}``), ``sticker``, ``share``,
``reactions``, ``type`` (``Generic``, ``Share``, ``Call`` with ``call_duration``, ``Subscribe``,
``Unsubscribe``) and ``is_unsent``.

**Decisions.**

* Encoding: Facebook writes each UTF-8 byte of a non-ASCII character as its own ``\\u00XX`` escape
  (mojibake: ``\\u00f0\\u009f\\u0098\\u0085`` for 😅). Every string of the file is repaired with
  ``s.encode("latin-1").decode("utf-8")`` when that round trip succeeds, and left alone otherwise;
  ``raw["repaired"]`` marks a message where something changed. A UTF-8 BOM is tolerated.
* Records come in file order (newest first) and are located ``message <n>``, 1-based in that order; a
  message newer than the one before it is warned (the file is not in Facebook's order there).
* Time: ``timestamp_ms`` is exact: the instant with the offset ``options.tz`` had then (a fixed offset),
  ``tz_assumed`` False, ``time_source`` export. Old exports' ``timestamp`` (seconds) is read with a warning;
  a message with neither is skipped with a warning.
* ``type: Call`` is channel ``call`` with ``duration_s`` from ``call_duration`` (status ``missed`` when it
  is 0: Messenger writes unanswered calls that way). Everything else is channel ``social``. Sender is
  ``sender_name``; recipients are the other participants. Direction is ``unknown``: the owner's name is among
  the participants but the file does not say which one it is. ``is_unsent`` gives status ``unsent``.
* App: ``instagram`` when the file's name says ``instagram``, a media uri starts with
  ``your_instagram_activity/``, or a shared link points to ``instagram.com``; otherwise ``messenger``.
  ``raw["app_from"]`` says which rule decided.
* Media files are not inside the JSON: their ``uri``\\ s (relative to the export's root) are in
  ``raw["media"]``, nothing is attached, and one warning counts them.
* ``raw`` holds ``kind`` (the message's ``type``), the thread's ``title`` / ``thread_type`` / ``thread_path``
  and the message object (repaired); JSON numbers with a fraction are kept as their text.

**Robustness.** Files over ``MAX_BYTES`` and nesting deeper than ``MAX_DEPTH`` are refused; a truncated or
malformed file is an InputError saying where it breaks.

**Known limits.** The HTML export is not read. A thread split over ``message_1.json``, ``message_2.json``
is imported file by file. A string whose genuine text happens to be valid UTF-8 when read as Latin-1
(``"Ã©"`` written on purpose) would be "repaired" too; Facebook's own files never contain such text
un-mangled, since every non-ASCII character is escaped byte by byte.
"""

from __future__ import annotations

import codecs
import re
from collections.abc import Iterator
from datetime import datetime, timedelta, tzinfo
from typing import Any, ClassVar, Final, TypeGuard

from evidence.errors import InputError
from evidence.importers._json import load_json
from evidence.importers.base import Importer, Source, Tallying, Yielded, counted
from evidence.models import Channel, Direction, ImportOptions, ImportWarning, Record, TimeSource
from evidence.timeutil import after_epoch, zone

NAME: Final = "facebook"
VERSION: Final = "1.0.0"

MAX_BYTES: Final = 512 * 1024 * 1024
MAX_DEPTH: Final = 64  # a thread file nests about 5 deep

_MEDIA_LISTS: Final = ("photos", "videos", "audio_files", "files", "gifs")
_OBJECT_START = re.compile(rb"\s*\{")


def sniff_facebook(head: bytes) -> bool:
    """A JSON object with ``messages`` whose entries carry ``sender_name`` and ``timestamp_ms``."""
    if head.startswith(codecs.BOM_UTF8):
        head = head[len(codecs.BOM_UTF8) :]
    if not _OBJECT_START.match(head) or re.match(rb'\s*\{\s*"evidence_diary"', head):
        return False
    if b'"date_unixtime"' in head or b'"from_id"' in head:
        return False  # Telegram
    return b'"messages"' in head and b'"timestamp_ms"' in head and b'"sender_name"' in head


def repair(text: str) -> str:
    """``text`` with Facebook's mojibake undone (UTF-8 bytes written as Latin-1 characters), when it is that."""
    if text.isascii():
        return text
    try:
        return text.encode("latin-1").decode("utf-8")
    except (UnicodeEncodeError, UnicodeDecodeError):
        return text


def _repair_all(value: Any) -> tuple[Any, bool]:
    """``value`` with every string (keys too) repaired, and whether anything changed."""
    if isinstance(value, str):
        fixed = repair(value)
        return fixed, fixed != value
    if isinstance(value, list):
        changed = False
        items = []
        for item in value:
            new, did = _repair_all(item)
            items.append(new)
            changed = changed or did
        return items, changed
    if isinstance(value, dict):
        changed = False
        out: dict[str, Any] = {}
        for key, item in value.items():
            new_key, did_key = _repair_all(key)
            new, did = _repair_all(item)
            out[new_key] = new
            changed = changed or did or did_key
        return out, changed
    return value, False


def _is_int(value: Any) -> TypeGuard[int]:
    return isinstance(value, int) and not isinstance(value, bool)


def _uris(message: dict[str, Any]) -> list[str]:
    """The media uris a message names, in field order."""
    found: list[str] = []
    for key in _MEDIA_LISTS:
        items = message.get(key)
        if isinstance(items, list):
            found.extend(i["uri"] for i in items if isinstance(i, dict) and isinstance(i.get("uri"), str))
    sticker = message.get("sticker")
    if isinstance(sticker, dict) and isinstance(sticker.get("uri"), str):
        found.append(sticker["uri"])
    return found


def _app(document: dict[str, Any], messages: list[Any], name: str) -> tuple[str, str]:
    """``instagram`` or ``messenger``, and the rule that decided (see the module docstring)."""
    if "instagram" in name.casefold():
        return "instagram", "file name"
    for message in messages:
        if not isinstance(message, dict):
            continue
        if any(uri.startswith("your_instagram_activity/") for uri in _uris(message)):
            return "instagram", "media uri"
        share = message.get("share")
        if isinstance(share, dict) and "instagram.com" in str(share.get("link", "")):
            return "instagram", "shared link"
    return "messenger", "default"


class FacebookImporter(Importer):
    """Messenger / Instagram "Download your information" JSON thread files."""

    name: ClassVar[str] = NAME
    version: ClassVar[str] = VERSION
    description: ClassVar[str] = (
        "Facebook Messenger / Instagram 'Download your information' JSON (message_N.json)"
    )

    def sniff(self, head: bytes, source: Source) -> bool:
        """A JSON object with ``messages`` carrying ``sender_name`` and ``timestamp_ms``."""
        return sniff_facebook(head)

    def parse(self, source: Source, options: ImportOptions) -> Iterator[Yielded]:
        """Yield one record per message, in file order, and the count of the messages; see the module
        docstring."""
        return counted("messages", lambda tallying: self._parse(source, options, tallying))

    def _parse(self, source: Source, options: ImportOptions, tallying: Tallying) -> Iterator[Yielded]:
        tz = zone(options.tz)
        document = load_json(source, "a Facebook export", max_bytes=MAX_BYTES, max_depth=MAX_DEPTH)
        if not isinstance(document, dict) or not isinstance(document.get("messages"), list):
            raise InputError(
                "has no list of messages: not a Facebook or Instagram thread file", path=source.name
            )
        thread, _ = _repair_all({k: document.get(k) for k in ("title", "thread_type", "thread_path")})
        thread = {k: v for k, v in thread.items() if v is not None}
        participants: list[str] = []
        if isinstance(document.get("participants"), list):
            for person in document["participants"]:
                if isinstance(person, dict) and isinstance(person.get("name"), str):
                    participants.append(repair(person["name"]))
        messages: list[Any] = document["messages"]
        tallying.see(len(messages))
        app, app_from = _app(document, messages, source.name)
        previous: datetime | None = None
        media_count = 0
        for number, message in enumerate(messages, start=1):
            locator = f"message {number}"
            if not isinstance(message, dict):
                yield tallying.skip(locator, "message is not a JSON object; skipped")
                continue
            message, repaired = _repair_all(message)
            moment, notes = _time(message, tz)
            for note in notes:
                yield ImportWarning(locator, note)
            if moment is None:
                yield tallying.skip(locator, "message has no usable timestamp_ms; skipped")
                continue
            if previous is not None and moment > previous:
                yield ImportWarning(
                    locator,
                    "newer than the message before it, though Facebook writes newest first; kept in file order",
                )
            previous = moment
            kind = message.get("type") if isinstance(message.get("type"), str) else "Generic"
            sender = message.get("sender_name") if isinstance(message.get("sender_name"), str) else None
            raw: dict[str, Any] = {"kind": kind, "app_from": app_from, "thread": thread, "message": message}
            if repaired:
                raw["repaired"] = True
            uris = _uris(message)
            if uris:
                raw["media"] = uris
                media_count += len(uris)
            channel, status, duration = Channel.SOCIAL, None, None
            if kind == "Call":
                channel = Channel.CALL
                seconds = message.get("call_duration")
                if _is_int(seconds) and seconds >= 0:
                    duration = seconds
                    status = "missed" if seconds == 0 else None
                elif seconds is not None:
                    yield ImportWarning(locator, f"call_duration {seconds!r} is not a number of seconds")
            if message.get("is_unsent") is True:
                status = "unsent"
            content = message.get("content")
            yield Record(
                item_sha256=source.sha256,
                locator=locator,
                occurred_at=moment,
                time_source=TimeSource.EXPORT,
                tz_assumed=False,
                tz_name=None,
                channel=channel,
                direction=Direction.UNKNOWN,
                importer=NAME,
                importer_version=VERSION,
                app=app,
                sender=sender,
                recipients=tuple(p for p in participants if p != sender),
                text=content if isinstance(content, str) and content else None,
                status=status,
                duration_s=duration,
                raw=raw,
            )
        if media_count:
            yield ImportWarning(
                "file",
                f"{media_count} media file(s) are named by uri; they are in the export's folders, not in this "
                "JSON: import them as files of their own",
            )


def _time(message: dict[str, Any], tz: tzinfo) -> tuple[datetime | None, list[str]]:
    """The message's instant from ``timestamp_ms`` (else ``timestamp`` in seconds), and what was noticed."""
    notes: list[str] = []
    ms = message.get("timestamp_ms")
    if ms is not None:
        moment = after_epoch(timedelta(milliseconds=ms), tz) if _is_int(ms) and 0 < ms < 10**15 else None
        if moment is not None:
            return moment, notes
        notes.append(f"timestamp_ms {ms!r} is not epoch milliseconds")
    seconds = message.get("timestamp")
    if _is_int(seconds) and 0 < seconds < 10**12:
        moment = after_epoch(timedelta(seconds=seconds), tz)
        if moment is None:
            notes.append(f"timestamp {seconds} is past the year 9999")
            return None, notes
        notes.append(f"time taken from timestamp {seconds} (epoch seconds, an older export's field)")
        return moment, notes
    return None, notes
