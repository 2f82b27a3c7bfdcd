"""The call history of an iPhone (``CallHistory.storedata``, a Core Data SQLite store): phone, FaceTime and
app calls (WhatsApp and others that use CallKit) as records (``importers/iphone_calls.py`` for the file alone,
``importers/iphone_backup.py`` inside a backup).

Table read: ``ZCALLRECORD`` (iOS 8 and later): ``ZDATE`` (Apple seconds), ``ZDURATION`` (seconds),
``ZORIGINATED`` (1 = the phone's owner called), ``ZANSWERED``, ``ZCALLTYPE`` (1 phone, 8 FaceTime video,
16 FaceTime audio), ``ZADDRESS`` (the number or Apple ID, TEXT or a UTF-8 BLOB), ``ZSERVICE_PROVIDER``.

Known limits: ``ZANSWERED`` is 0 for every outgoing call in the real database measured (2,456 calls, 1,472
outgoing), so an outgoing call counts as connected when its duration is over 0 s, and as "dialled, not
answered" otherwise. An incoming call not answered is "missed": the store does not say whether it was declined.

Not an importer (its name starts with ``_``, so the registry test does not expect it in ``REGISTRY``).
"""

from __future__ import annotations

import math
import sqlite3
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import tzinfo
from typing import Any, Final

from evidence.errors import InputError
from evidence.importers._iphone_db import Tally, apple_time, columns, in_zone, json_safe, select_rows, text_of
from evidence.importers.base import Yielded
from evidence.models import Channel, Direction, Record, TimeSource

_COLUMNS: Final = (
    "Z_PK",
    "ZDATE",
    "ZDURATION",
    "ZORIGINATED",
    "ZANSWERED",
    "ZCALLTYPE",
    "ZADDRESS",
    "ZNAME",
    "ZSERVICE_PROVIDER",
    "ZDISCONNECTED_CAUSE",
    "ZLOCATION",
    "ZISO_COUNTRY_CODE",
    "ZUNIQUE_ID",
    "ZREAD",
)
_REQUIRED: Final = frozenset({"ZDATE", "ZORIGINATED"})
CALL_TYPES: Final[dict[int, str]] = {1: "phone", 8: "FaceTime video", 16: "FaceTime audio"}
_PROVIDERS: Final[dict[str, str]] = {"com.apple.Telephony": "phone", "com.apple.FaceTime": "FaceTime"}


@dataclass
class CallsContext:
    """What the reader needs besides the database (see ``_iphone_sms.MessagesContext``)."""

    item_sha256: str
    importer: str
    version: str
    tz: tzinfo
    tz_name: str
    prefix: str = ""
    contact: Callable[[str], str | None] = lambda _handle: None
    facts: dict[str, Any] | None = None
    tally: Tally = field(default_factory=lambda: Tally("calls"))


def read_calls(conn: sqlite3.Connection, ctx: CallsContext, name: str) -> Iterator[Yielded]:
    """The records of every row of ``ZCALLRECORD``, counted into ``ctx.tally``.

    Raises InputError when the database has no ``ZCALLRECORD`` table with a date and a direction."""
    have = columns(conn, "ZCALLRECORD")
    missing = _REQUIRED - have
    if missing:
        raise InputError(
            f"no call history here: table 'ZCALLRECORD' lacks {', '.join(sorted(missing))}", path=name
        )
    for row in sorted(select_rows(conn, "ZCALLRECORD", _COLUMNS), key=lambda r: r["Z_PK"] or 0):
        ctx.tally.seen += 1
        record = _call(row, ctx)
        if record is not None:
            ctx.tally.made += 1
            yield record


def _call(row: dict[str, Any], ctx: CallsContext) -> Record | None:
    """One row of ``ZCALLRECORD`` as a record, or None (counted as skipped) when it has no usable date."""
    locator = f"{ctx.prefix}call {row['Z_PK']}"
    moment = apple_time(row["ZDATE"])
    if moment is None:
        ctx.tally.skip(locator, f"ZDATE {row['ZDATE']!r} is not a time")
        return None
    outgoing = row["ZORIGINATED"] == 1
    duration_raw = row["ZDURATION"]
    duration = (
        round(duration_raw)
        if isinstance(duration_raw, int | float) and math.isfinite(duration_raw) and duration_raw >= 0
        else None
    )
    if outgoing:
        connected = isinstance(duration_raw, int | float) and duration_raw > 0
        status = "answered (connected)" if connected else "dialled, not answered"
    elif row["ZANSWERED"] == 1:
        status = "answered"
    else:
        status = "missed"
    address = (text_of(row["ZADDRESS"]) or "").strip()
    party = address or "(unknown)"
    kind = CALL_TYPES.get(row["ZCALLTYPE"])
    provider = text_of(row["ZSERVICE_PROVIDER"])
    app = kind or _PROVIDERS.get(provider or "", provider or f"call type {row['ZCALLTYPE']}")
    raw: dict[str, Any] = {
        "table": "ZCALLRECORD",
        "Z_PK": row["Z_PK"],
        "ZDATE": json_safe(row["ZDATE"]),
        "ZDURATION": json_safe(duration_raw),
        "ZORIGINATED": row["ZORIGINATED"],
        "ZANSWERED": row["ZANSWERED"],
        "ZCALLTYPE": row["ZCALLTYPE"],
        "ZSERVICE_PROVIDER": provider,
    }
    for key in ("ZDISCONNECTED_CAUSE", "ZLOCATION", "ZISO_COUNTRY_CODE", "ZUNIQUE_ID"):
        if row[key] is not None:
            raw[key] = text_of(row[key]) if isinstance(row[key], bytes) else json_safe(row[key])
    if not address:
        raw["hidden_number"] = "no number or address recorded (withheld or unknown)"
    name = ctx.contact(address) if address else None
    if name:
        raw["contact_name"] = name
    elif row["ZNAME"]:
        raw["contact_name"] = text_of(row["ZNAME"])
    if ctx.facts:
        raw["backup"] = ctx.facts
    return Record(
        item_sha256=ctx.item_sha256,
        locator=locator,
        occurred_at=in_zone(moment, ctx.tz),
        time_source=TimeSource.EXPORT,
        tz_assumed=False,
        channel=Channel.CALL,
        direction=Direction.OUTGOING if outgoing else Direction.INCOMING,
        importer=ctx.importer,
        importer_version=ctx.version,
        app=app,
        sender=None if outgoing else party,
        recipients=(party,) if outgoing else (),
        status=status,
        duration_s=duration,
        tz_name=ctx.tz_name,
        raw=raw,
    )
