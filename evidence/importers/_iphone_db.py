"""What the iPhone importers share (``importers/iphone_*.py``): opening an Apple SQLite database read-only
(a file, or bytes held in memory), Apple's clock (seconds or nanoseconds since 2001-01-01 UTC), the columns a table has, and the tally of rows
seen and records made.

Not an importer (its name starts with ``_``, so the registry test does not expect it in ``REGISTRY``).
"""

from __future__ import annotations

import contextlib
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta, timezone, tzinfo
from pathlib import Path
from typing import Any, Final
from zoneinfo import ZoneInfo

from evidence.errors import InputError
from evidence.importers import base

SQLITE_MAGIC: Final = b"SQLite format 3\x00"
# Apple's epoch: Core Data and Messages count from 2001-01-01 00:00:00 UTC.
APPLE_EPOCH: Final = datetime(2001, 1, 1, tzinfo=UTC)
# sms.db has counted in nanoseconds since iOS 11, in seconds before; date_read stays in seconds on some
# versions (the Magnet 2020 CTF phone, iOS 13). A value this large in seconds would be past the year 30000.
_NANOSECONDS_FROM: Final = 10**11
# How many places a warning that sums up skipped rows names.
FIRST_FEW: Final = 10


@contextlib.contextmanager
def open_readonly(path: Path, name: str) -> Iterator[sqlite3.Connection]:
    """``path`` as a read-only, immutable SQLite connection (never written, no journal or WAL created).

    Raises InputError naming ``name`` when the file is not a database SQLite can read.
    """
    uri = f"{path.resolve().as_uri()}?mode=ro&immutable=1"
    try:
        conn = sqlite3.connect(uri, uri=True)
    except sqlite3.Error as exc:
        raise InputError(f"cannot open the database ({exc})", path=name) from None
    with guarded(conn, name) as checked:
        yield checked


# Bytes 18 and 19 of a database's header: the file format's write and read versions, 2 in WAL mode.
_FORMAT_VERSIONS: Final = slice(18, 20)


def from_image(image: bytearray, name: str) -> sqlite3.Connection:
    """A database's bytes (a file's image, held in memory) as an SQLite connection of its own, in memory and
    read-only (``PRAGMA query_only``): nothing is written anywhere. Use it in ``guarded``.

    SQLite copies the image; ``image`` may be dropped once this returns. A database in WAL mode (sms.db is)
    is marked as a rollback-journal one first, in ``image``: SQLite's in-memory databases cannot open a WAL
    database, and a file's image holds no WAL anyway (as a file opened ``immutable``, whose WAL is not read).
    Raises InputError naming ``name`` when SQLite refuses the image.
    """
    if image[_FORMAT_VERSIONS] == b"\x02\x02" and image.startswith(SQLITE_MAGIC):
        image[_FORMAT_VERSIONS] = b"\x01\x01"
    conn = sqlite3.connect(":memory:")
    try:
        conn.deserialize(image)
        conn.execute("PRAGMA query_only = ON")
    except (sqlite3.Error, OverflowError, MemoryError) as exc:
        conn.close()
        raise InputError(f"cannot open the database ({exc or type(exc).__name__})", path=name) from None
    return conn


@contextlib.contextmanager
def guarded(conn: sqlite3.Connection, name: str) -> Iterator[sqlite3.Connection]:
    """``conn`` checked to be a database SQLite can read, its errors while in use turned into InputError
    naming ``name``, and closed at the end."""
    # Text that is not UTF-8 (a damaged page) is read with U+FFFD in place of the bad bytes, never a crash.
    conn.text_factory = lambda raw: raw.decode("utf-8", "replace")
    try:
        conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
        yield conn
    except (sqlite3.DatabaseError, UnicodeDecodeError) as exc:  # a name in the schema that is not UTF-8, too
        raise InputError(f"the database cannot be read ({exc})", path=name) from None
    finally:
        conn.close()


def tables(conn: sqlite3.Connection) -> set[str]:
    """The names of the database's tables."""
    return {row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}


def columns(conn: sqlite3.Connection, table: str) -> set[str]:
    """The column names of ``table`` (empty when there is no such table)."""
    return {row[1] for row in conn.execute(f"PRAGMA table_info({quote(table)})")}


def quote(identifier: str) -> str:
    """An SQL identifier quoted (table and column names come from the database itself)."""
    return '"' + identifier.replace('"', '""') + '"'


def has_tables(path: Path, head: bytes, wanted: set[str]) -> bool:
    """Whether ``path`` is an SQLite database holding every table of ``wanted`` (a cheap sniff)."""
    if not head.startswith(SQLITE_MAGIC):
        return False
    try:
        with open_readonly(path, path.name) as conn:
            return wanted <= tables(conn)
    except InputError:
        return False


def apple_time(value: object) -> datetime | None:
    """An Apple-epoch time (seconds, or nanoseconds when large) as an aware UTC datetime; None for 0 or NULL
    or anything that is not a number."""
    if isinstance(value, bool) or not isinstance(value, int | float) or value == 0:
        return None
    try:
        if isinstance(value, int) and abs(value) >= _NANOSECONDS_FROM:
            seconds, rest = divmod(value, 1_000_000_000)
            return APPLE_EPOCH + timedelta(seconds=seconds, microseconds=rest // 1000)
        if abs(value) >= _NANOSECONDS_FROM:
            return APPLE_EPOCH + timedelta(seconds=value / 1e9)
        return APPLE_EPOCH + timedelta(seconds=value)
    except OverflowError:
        return None


def zone(name: str) -> tzinfo:
    """The IANA zone ``name`` (UTC when the name is unknown: the importers only use it for display)."""
    try:
        return ZoneInfo(name)
    except (KeyError, ValueError):
        return UTC


def in_zone(moment: datetime, tz: tzinfo) -> datetime:
    """``moment`` at its offset in ``tz``, as a fixed offset (see ``Record.from_json`` on why fixed)."""
    try:
        offset = moment.astimezone(tz).utcoffset() or timedelta(0)
    except OverflowError:
        offset = timedelta(0)
    return moment.astimezone(timezone(offset))


def text_of(value: object) -> str | None:
    """A text column that may be stored as TEXT or as a UTF-8 BLOB (Core Data's ZADDRESS)."""
    if value is None:
        return None
    if isinstance(value, bytes):
        return value.decode("utf-8", errors="replace")
    return str(value)


@dataclass
class Tally:
    """What one importer saw and made: ``seen`` rows of ``unit``, ``made`` records, and the rows skipped."""

    unit: str
    seen: int = 0
    made: int = 0
    skipped: list[tuple[str, str]] = field(default_factory=list)  # (where, why)

    def skip(self, where: str, why: str) -> None:
        """Count one row that made no record."""
        self.skipped.append((where, why))

    def shared(self, unit: str | None = None, *more: Tally) -> base.Tally:
        """This count (plus ``more``, under ``unit``) as every importer yields it last: the import then says
        how many of how many were read, and where the rest were skipped, in one warning."""
        parts = (self, *more)
        return base.Tally(
            unit or self.unit,
            sum(p.seen for p in parts),
            sum(p.made for p in parts),
            tuple(base.Skip(where, why) for p in parts for where, why in p.skipped),
        )


def select_rows(conn: sqlite3.Connection, table: str, wanted: tuple[str, ...]) -> list[dict[str, Any]]:
    """Every row of ``table`` with the ``wanted`` columns, NULL for those this version of the table lacks."""
    have = columns(conn, table)
    parts = [quote(c) if c in have else f"NULL AS {quote(c)}" for c in wanted]
    # Only names from the importers' own column lists reach the query, quoted; values are never spliced in.
    query = f"SELECT {', '.join(parts)} FROM {quote(table)}"  # noqa: S608
    return [dict(zip(wanted, row, strict=True)) for row in conn.execute(query)]


def json_safe(value: object) -> object:
    """A column's value as canonical JSON can hold it: a float (Core Data's times and durations) as its
    shortest text, an integer past 2**53 (Apple nanoseconds) as text, a BLOB as hex."""
    if isinstance(value, float):
        return repr(value)
    if isinstance(value, int) and not isinstance(value, bool) and abs(value) > 2**53:
        return str(value)
    if isinstance(value, bytes):
        return value.hex()
    return value
