"""Frozen dataclasses and enums shared by every layer: records, warnings, blobs, import options.

A **record** is one contact attempt or one piece of content on the timeline (a call, a text, an email, a chat
message, a screenshot, a voicemail, a diary entry). Importers produce records; the case stores them as a
derived blob named by a ``records.derived`` ledger entry; the timeline and the report read them back.
"""

from __future__ import annotations

import contextlib
import hashlib
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta, timezone
from enum import StrEnum
from functools import cached_property
from typing import Any

from evidence.case.canonical import RECORD_ID_TAG, canonical_bytes
from evidence.timeutil import iso_utc, parse_iso


class Channel(StrEnum):
    """How the contact came."""

    CALL = "call"
    SMS = "sms"
    MMS = "mms"
    EMAIL = "email"
    CHAT = "chat"
    SOCIAL = "social"
    VOICEMAIL = "voicemail"
    DIARY = "diary"
    SCREENSHOT = "screenshot"
    FILE = "file"


class Direction(StrEnum):
    """Seen from the case's owner: incoming is towards them."""

    INCOMING = "incoming"
    OUTGOING = "outgoing"
    UNKNOWN = "unknown"
    # Between other people: neither to nor from the owner (a friend's chat handed over, an e-mail addressed
    # only to others). Never read from a file: only settled from the case's facts (evidence.analysis.sides).
    OTHERS = "others"


class TimeSource(StrEnum):
    """Where a record's time came from; a defence lawyer will ask."""

    EXPORT = "export"  # a field of the export (epoch milliseconds, ISO time)
    HEADER_DATE = "header-date"  # an email's Date header
    RECEIVED = "received"  # an email's Received header (the Date header was missing or unusable)
    EXIF = "exif"
    FILENAME = "filename"
    OCR = "ocr"
    SHOWN_ON_SCREEN = "shown-on-screen"  # shown in a screenshot ("21:33"), dated by the screenshot
    USER = "user"
    ACQUIRED = "acquired"  # nothing better: the time the file was imported


@dataclass(frozen=True)
class Record:
    """One contact attempt or piece of content, as an importer read it from one item.

    ``occurred_at`` is always aware. ``tz_assumed`` is True when the source gave a wall-clock time without a
    zone and the importer applied the zone the user gave (or the case's); ``tz_name`` says which.
    """

    item_sha256: str
    locator: str  # where in the item: "call 17", "message 3 of the mbox", "line 120"
    occurred_at: datetime
    time_source: TimeSource
    tz_assumed: bool
    channel: Channel
    direction: Direction
    importer: str
    importer_version: str
    app: str | None = None
    sender: str | None = None
    recipients: tuple[str, ...] = ()
    subject: str | None = None
    text: str | None = None
    status: str | None = None
    duration_s: int | None = None
    attachments: tuple[str, ...] = ()  # SHA-256 of each attachment, stored as objects
    tz_name: str | None = None
    raw: dict[str, Any] = field(default_factory=dict)  # the source's own fields, kept verbatim

    def __post_init__(self) -> None:
        if self.occurred_at.tzinfo is None:
            raise ValueError(f"record {self.locator}: occurred_at is naive")

    @cached_property
    def id(self) -> str:
        """Stable id: a hash of the item and the locator (the same record from the same bytes, the same id).

        Computed once per record (a timeline of 100,000 records asked for it half a million times)."""
        digest = hashlib.sha256(RECORD_ID_TAG + canonical_bytes([self.item_sha256, self.locator])).hexdigest()
        return "R-" + digest[:16]

    def to_json(self) -> dict[str, Any]:
        """The canonical-JSON-ready form stored in derived blobs."""
        offset = self.occurred_at.utcoffset()
        offset_minutes = int(offset.total_seconds() // 60) if offset is not None else 0
        return {
            "id": self.id,
            "item_sha256": self.item_sha256,
            "locator": self.locator,
            "occurred_at": iso_utc(self.occurred_at),
            "offset_minutes": offset_minutes,
            "tz_name": self.tz_name,
            "time_source": self.time_source.value,
            "tz_assumed": self.tz_assumed,
            "channel": self.channel.value,
            "app": self.app,
            "direction": self.direction.value,
            "sender": self.sender,
            "recipients": list(self.recipients),
            "subject": self.subject,
            "text": self.text,
            "status": self.status,
            "duration_s": self.duration_s,
            "attachments": list(self.attachments),
            "importer": self.importer,
            "importer_version": self.importer_version,
            "raw": self.raw,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Record:
        """Inverse of ``to_json``; restores the original offset (or zone) of ``occurred_at``."""
        # A fixed offset, never the ZoneInfo: Python subtracts two datetimes sharing a ZoneInfo by their wall
        # clocks, which would put the two 01:30s of a fall-back night 0 hours apart. tz_name stays as metadata.
        moment = parse_iso(data["occurred_at"])
        with contextlib.suppress(OverflowError):  # a stored time at the edge of the calendar stays in UTC
            moment = moment.astimezone(timezone(timedelta(minutes=data.get("offset_minutes", 0))))
        return cls(
            item_sha256=data["item_sha256"],
            locator=data["locator"],
            occurred_at=moment,
            time_source=TimeSource(data["time_source"]),
            tz_assumed=data["tz_assumed"],
            channel=Channel(data["channel"]),
            direction=Direction(data["direction"]),
            importer=data["importer"],
            importer_version=data["importer_version"],
            app=data.get("app"),
            sender=data.get("sender"),
            recipients=tuple(data.get("recipients") or ()),
            subject=data.get("subject"),
            text=data.get("text"),
            status=data.get("status"),
            duration_s=data.get("duration_s"),
            attachments=tuple(data.get("attachments") or ()),
            tz_name=data.get("tz_name"),
            raw=data.get("raw") or {},
        )


@dataclass(frozen=True)
class ImportWarning:
    """Something an importer noticed and worked around; data, counted by tests, shown to the user."""

    locator: str
    message: str

    def to_json(self) -> dict[str, str]:
        """Canonical-JSON-ready form."""
        return {"locator": self.locator, "message": self.message}


@dataclass(frozen=True)
class Blob:
    """Bytes an importer found inside an item (an MMS image, an email attachment): stored as an object.

    Importers yield a Blob before the records that name its SHA-256 in ``attachments``.
    """

    data: bytes
    name: str | None
    media_type: str | None
    locator: str

    @property
    def sha256(self) -> str:
        """Hex SHA-256 of the bytes."""
        return hashlib.sha256(self.data).hexdigest()


@dataclass(frozen=True)
class ImportOptions:
    """What the user told the import; recorded in the ledger with every derivation."""

    tz: str  # IANA zone applied to wall-clock times without a zone
    tz_from_user: bool = False  # --tz given, rather than the case's default
    date_order: str | None = None  # "DMY", "MDY" or "YMD" when the user settled an ambiguity
    columns: tuple[tuple[str, str], ...] = ()  # CSV column mapping: (field, column name)
    # When the import started (UTC, RFC 3339): the time of last resort for an item that carries none, with
    # time_source "acquired", so it still appears on the timeline, plainly marked.
    acquired_at: str | None = None

    def to_json(self) -> dict[str, Any]:
        """Canonical-JSON-ready form."""
        return {
            "tz": self.tz,
            "tz_from_user": self.tz_from_user,
            "date_order": self.date_order,
            "columns": [list(pair) for pair in self.columns],
            "acquired_at": self.acquired_at,
        }

    def acquired_moment(self) -> datetime | None:
        """``acquired_at`` as an aware datetime (None when the importer is run outside an import)."""
        return parse_iso(self.acquired_at) if self.acquired_at else None


def require_aware(moment: datetime) -> datetime:
    """Return ``moment`` if it carries a zone; raise otherwise (naive times are bugs here)."""
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError("naive datetime")
    return moment


# The times a record may carry: a time before 1970 or after 2099 is no phone's or server's (a forged or
# garbled line: year 0001 is one a message's own text can put into an export), so it is refused at import.
EARLIEST = datetime(1970, 1, 1, tzinfo=UTC)
LATEST = datetime(2100, 1, 1, tzinfo=UTC)


def in_sane_range(moment: datetime) -> bool:
    """Whether ``moment`` (aware) is between 1970 and the end of 2099."""
    return EARLIEST <= moment < LATEST
