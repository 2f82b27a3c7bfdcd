"""The Messages database of an iPhone (``sms.db``): SMS, MMS and iMessage as records
(``importers/iphone_sms.py`` for the file alone, ``importers/iphone_backup.py`` inside a backup).

Tables read: ``message`` (one row a message: ``text``, ``handle_id``, ``service``, ``date``/``date_read``/
``date_delivered`` in Apple time, ``is_from_me``), ``handle`` (the other party: a number or an Apple ID),
``chat``, ``chat_message_join`` and ``chat_handle_join`` (who else is in a group), ``attachment`` and
``message_attachment_join`` (the files, kept in the backup under ``Library/SMS/Attachments``). Columns are
looked up, not assumed: a column a version lacks reads as NULL. Since iOS 16 the text of many messages is only
in ``attributedBody`` (an NSAttributedString in Apple's typedstream form); its string is read from there.

Not an importer (its name starts with ``_``, so the registry test does not expect it in ``REGISTRY``).
"""

from __future__ import annotations

import sqlite3
from collections import defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import tzinfo
from typing import Any, Final

from evidence.errors import InputError
from evidence.importers._iphone_db import (
    FIRST_FEW,
    Tally,
    apple_time,
    columns,
    in_zone,
    json_safe,
    select_rows,
    tables,
)
from evidence.importers.base import Yielded
from evidence.models import Blob, Channel, Direction, ImportWarning, Record, TimeSource
from evidence.timeutil import iso_utc

# The columns of ``message`` read when the version has them (any missing one reads as NULL).
_MESSAGE_COLUMNS: Final = (
    "ROWID",
    "guid",
    "text",
    "attributedBody",
    "handle_id",
    "other_handle",
    "subject",
    "service",
    "account",
    "date",
    "date_read",
    "date_delivered",
    "is_from_me",
    "is_delivered",
    "is_sent",
    "is_read",
    "error",
    "item_type",
    "group_title",
    "associated_message_type",
    "cache_has_attachments",
)
_REQUIRED: Final = frozenset({"ROWID", "date", "is_from_me"})
# U+FFFC stands for an attachment inside the text, U+FFFD for an app's balloon.
_PLACEHOLDERS: Final = str.maketrans("", "", "\ufffc\ufffd")
# The "associated message" types of tapbacks (2000-2007 added, 3000-3007 removed), which iOS stores as messages.
_REACTIONS: Final = range(2000, 4000)


@dataclass
class MessagesContext:
    """What the reader needs besides the database: whose item it is, the zone for display, and, inside a backup,
    the attachments and the contact names."""

    item_sha256: str
    importer: str
    version: str
    tz: tzinfo
    tz_name: str
    prefix: str = ""  # before each locator ("sms.db " inside a backup)
    attachment: Callable[[str], bytes | None] | None = None  # backup path -> bytes; None: not in a backup
    contact: Callable[[str], str | None] = lambda _handle: None
    facts: dict[str, Any] | None = None  # the backup's device facts, copied into each record's raw
    tally: Tally = field(default_factory=lambda: Tally("messages"))


def attributed_text(body: bytes) -> str | None:
    """The plain string inside an ``attributedBody`` (typedstream NSAttributedString), or None.

    The string follows the ``NSString`` class name and a ``+`` marker, preceded by its length in typedstream's
    integer form: one byte, or 0x81 and two bytes, or 0x82 and four bytes (little-endian)."""
    start = body.find(b"NSString")
    if start < 0:
        return None
    plus = body.find(b"+", start + 8, start + 20)
    if plus < 0 or plus + 1 >= len(body):
        return None
    i = plus + 1
    first = body[i]
    if first == 0x81:
        length, i = int.from_bytes(body[i + 1 : i + 3], "little"), i + 3
    elif first == 0x82:
        length, i = int.from_bytes(body[i + 1 : i + 5], "little"), i + 5
    else:
        length, i = first, i + 1
    data = body[i : i + length]
    if len(data) == length:
        try:
            return data.decode("utf-8")
        except UnicodeDecodeError:
            pass
    # A length past the string (imessage-exporter's "ExtraData" sample): the string ends where the
    # typedstream's end-of-object marker (0x86 0x84) begins.
    try:
        return data.split(b"\x86\x84", 1)[0].decode("utf-8")
    except UnicodeDecodeError:
        return None


def backup_path(filename: str) -> str | None:
    """The backup's relative path (``Library/SMS/Attachments/…``) of an attachment's ``filename``
    (``~/Library/…`` or ``/var/mobile/Library/…``), or None when it is not under the home folder."""
    if filename.startswith("~/"):
        return filename[2:]
    marker = "/mobile/"
    if marker in filename:
        return filename.split(marker, 1)[1]
    return None


class _Lookups:
    """The tables around ``message``: handles, chats and their members, attachments."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        have = tables(conn)
        self.handles: dict[int, str] = {}
        if "handle" in have:
            for row in select_rows(conn, "handle", ("ROWID", "id")):
                if row["id"]:
                    self.handles[row["ROWID"]] = str(row["id"])
        self.chat_of: dict[int, int] = {}
        if "chat_message_join" in have:
            for row in select_rows(conn, "chat_message_join", ("chat_id", "message_id")):
                self.chat_of.setdefault(row["message_id"], row["chat_id"])
        self.chats: dict[int, dict[str, Any]] = {}
        if "chat" in have:
            for row in select_rows(conn, "chat", ("ROWID", "chat_identifier", "display_name", "style")):
                self.chats[row["ROWID"]] = row
        self.members: dict[int, list[str]] = defaultdict(list)
        if "chat_handle_join" in have:
            for row in select_rows(conn, "chat_handle_join", ("chat_id", "handle_id")):
                if row["handle_id"] in self.handles:
                    self.members[row["chat_id"]].append(self.handles[row["handle_id"]])
        self.attachments: dict[int, list[dict[str, Any]]] = defaultdict(list)
        if {"attachment", "message_attachment_join"} <= have:
            rows = {
                row["ROWID"]: row
                for row in select_rows(
                    conn,
                    "attachment",
                    ("ROWID", "guid", "filename", "mime_type", "transfer_name", "total_bytes"),
                )
            }
            for join in select_rows(conn, "message_attachment_join", ("message_id", "attachment_id")):
                if join["attachment_id"] in rows:
                    self.attachments[join["message_id"]].append(rows[join["attachment_id"]])


def read_messages(conn: sqlite3.Connection, ctx: MessagesContext, name: str) -> Iterator[Yielded]:
    """The records (and attachment blobs, and warnings) of every message of an open ``sms.db``.

    Counts into ``ctx.tally``: every row of ``message`` seen, every record made, every row skipped and why.
    Raises InputError when the database has no ``message`` table with the columns every version has.
    """
    missing = _REQUIRED - columns(conn, "message")
    if missing:
        raise InputError(
            f"no Messages table here: table 'message' lacks {', '.join(sorted(missing))}", path=name
        )
    lookups = _Lookups(conn)
    not_copied: list[str] = []  # attachments named but not found (in a backup) or not in this file
    for row in select_rows(conn, "message", _MESSAGE_COLUMNS):
        ctx.tally.seen += 1
        yield from _message(row, lookups, ctx, not_copied)
    if not_copied:
        places = "; ".join(not_copied[:FIRST_FEW])
        more = f" (and {len(not_copied) - FIRST_FEW} more)" if len(not_copied) > FIRST_FEW else ""
        why = (
            "are not in the backup folder (iOS had not kept them, or the backup left them out)"
            if ctx.attachment is not None
            else "live outside sms.db (import the whole backup folder to keep them)"
        )
        yield ImportWarning(
            f"{ctx.prefix}attachments", f"{len(not_copied)} attachments {why}: {places}{more}"
        )


def _message(
    row: dict[str, Any], lookups: _Lookups, ctx: MessagesContext, not_copied: list[str]
) -> Iterator[Yielded]:
    """One row of ``message``: its attachments' blobs, then its record (or a skip in the tally)."""
    rowid = row["ROWID"]
    locator = f"{ctx.prefix}message {rowid}"
    moment = apple_time(row["date"])
    if moment is None:
        ctx.tally.skip(locator, f"date {row['date']!r} is not a time")
        return
    outgoing = bool(row["is_from_me"])
    handle = lookups.handles.get(row["handle_id"] or 0)
    chat_id = lookups.chat_of.get(rowid)
    chat = lookups.chats.get(chat_id) if chat_id is not None else None
    members = lookups.members.get(chat_id, []) if chat_id is not None else []
    raw: dict[str, Any] = {
        "table": "message",
        "rowid": rowid,
        "guid": row["guid"],
        "service": row["service"],
        "handle": handle,
        "date": json_safe(row["date"]),
        "is_from_me": row["is_from_me"],
    }
    for key in ("date_read", "date_delivered"):
        when = apple_time(row[key])
        raw[key] = iso_utc(when) if when else None
        raw[f"{key}_raw"] = json_safe(row[key])
    if chat:
        raw["chat"] = {k: chat[k] for k in ("chat_identifier", "display_name", "style")}
    if len(members) > 1:
        raw["chat_members"] = members
    for key in ("error", "item_type", "associated_message_type", "group_title", "account"):
        if row[key]:
            raw[key] = row[key]
    text = row["text"]
    if text is None and isinstance(row["attributedBody"], bytes):
        text = attributed_text(row["attributedBody"])
        if text is not None:
            raw["text_from"] = "attributedBody"
    if text is not None:
        raw["text"] = text
        text = text.translate(_PLACEHOLDERS).strip() or None
    shas: list[str] = []
    for attachment in lookups.attachments.get(rowid, []):
        blob = _attachment(attachment, ctx, locator, not_copied)
        if blob is not None:
            yield blob
            shas.append(blob.sha256)
    if lookups.attachments.get(rowid):
        raw["attachments"] = [
            {k: a[k] for k in ("filename", "mime_type", "transfer_name", "total_bytes")}
            for a in lookups.attachments[rowid]
        ]
    if outgoing:
        sender, recipients = None, (handle,) if handle else tuple(members)
    else:
        sender, recipients = handle or "(unknown)", ()
    party = sender or (recipients[0] if recipients else None)
    if party:
        name = ctx.contact(party)
        if name:
            raw["contact_name"] = name
    if ctx.facts:
        raw["backup"] = ctx.facts
    service = str(row["service"] or "")
    if service == "iMessage":
        channel = Channel.CHAT
    elif lookups.attachments.get(rowid) or row["subject"] or len(members) > 1:
        channel = Channel.MMS
    else:
        channel = Channel.SMS
    ctx.tally.made += 1
    yield Record(
        item_sha256=ctx.item_sha256,
        locator=locator,
        occurred_at=in_zone(moment, ctx.tz),
        time_source=TimeSource.EXPORT,
        tz_assumed=False,
        channel=channel,
        direction=Direction.OUTGOING if outgoing else Direction.INCOMING,
        importer=ctx.importer,
        importer_version=ctx.version,
        app=service or "Messages",
        sender=sender,
        recipients=recipients,
        subject=row["subject"] or None,
        text=text,
        status=_status(row, outgoing),
        attachments=tuple(shas),
        tz_name=ctx.tz_name,
        raw=raw,
    )


def _status(row: dict[str, Any], outgoing: bool) -> str:
    """What the database says happened to the message, in words."""
    if row["item_type"]:
        return f"group event (item type {row['item_type']})"
    if row["associated_message_type"] in _REACTIONS:
        return "reaction (tapback)"
    if outgoing:
        if row["error"]:
            return f"not delivered (error {row['error']})"
        if apple_time(row["date_delivered"]) or row["is_delivered"]:
            return "delivered"
        return "sent"
    return "read" if apple_time(row["date_read"]) or row["is_read"] else "received, not read"


def _attachment(
    attachment: dict[str, Any], ctx: MessagesContext, locator: str, not_copied: list[str]
) -> Blob | None:
    """The attachment's bytes as a Blob when the backup holds them; otherwise noted in ``not_copied``."""
    filename = str(attachment["filename"] or "")
    label = str(attachment["transfer_name"] or filename.rsplit("/", 1)[-1] or attachment["guid"])
    relative = backup_path(filename) if filename else None
    data = ctx.attachment(relative) if ctx.attachment is not None and relative else None
    if data is None:
        not_copied.append(f"{locator}: {label}")
        return None
    return Blob(
        data=data,
        name=label,
        media_type=str(attachment["mime_type"]) if attachment["mime_type"] else None,
        locator=f"{locator} attachment {label}",
    )
