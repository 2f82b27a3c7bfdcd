"""Check (1b) of ``evidence.verify.case``: the database is the one the writer makes, and SQLite's own structures
in it are sound, before anything read from it is believed.

The ledger's rows are proved by their hashes and signatures, the index tables by a replay of the ledger
(check (7)); but SQLite answers queries through indexes, and an index is a second copy of its table that
nobody signs. A partial index restored to its full definition in ``sqlite_master`` hides rows from every
query SQLite answers with it; a primary-key index swapped for a copy built without one row hides that row;
a full-text index rebuilt from other text answers searches for that text. So, on the verifier's private
snapshot (``evidence.verify.db``):

  (a) Schema: every table, index, trigger and view in ``sqlite_master`` is compared with the schema the writer
      creates (built here in memory from the writer's own statements: ``evidence.case.ledger.LEDGER_SCHEMA``
      and ``evidence.case.index.INDEX_SCHEMA``), its type, table and SQL text exactly: ``SCHEMA_EXTRA`` an
      object the writer never creates (an index, a view, a trigger, ``sqlite_stat1`` that steers the query
      planner), ``SCHEMA_MODIFIED`` one defined otherwise (a partial index, a changed full-text definition),
      ``SCHEMA_MISSING`` one that is gone. The append-only triggers are only a guard against mistakes (the
      hashes prove the ledger): one dropped is ``TRIGGERS_REMOVED``, one replaced by another of the same name
      (a no-op) ``TRIGGERS_MODIFIED``, both warnings saying that entries may have been removed from the end.
  (b) Root pages: every table and index has its own b-tree (a root page inside the file, used once);
      virtual tables, triggers and views have none (``SCHEMA_MODIFIED``).
  (c) ``PRAGMA integrity_check``: every index holds exactly the rows of its table, every b-tree is well
      formed (``DATABASE_CORRUPT``, quoting SQLite's first findings); and FTS5's ``integrity-check`` of
      ``search_text`` and ``search_trigram``: each full-text index is the index of its rows
      (``SEARCH_INDEX_CORRUPT``, naming the table).
  (d) ``meta``: one row, ``index_version``, a decimal number (``META_INVALID`` otherwise). An index built by
      an older version (lower number, some tables of the current version absent) is ``INDEX_OUTDATED`` (a
      warning: the next writing command rebuilds it); a lower number over tables of the current shape is
      ``INDEX_VERSION_DOWNGRADED``, an error (no tool of ours writes that; it would make check (7) skip the
      comparison). Either way check (7) compares every index table that is there.
  (e) An encrypted case's database (SQLCipher): ``PRAGMA cipher_integrity_check`` checks every page's HMAC,
      free pages included (``DATABASE_CORRUPT``, naming the pages).

Every read here is of ``sqlite_master``, of ``meta`` without an index (``NOT INDEXED``), or SQLite's checks.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from typing import Any

from evidence.case import index, ledger
from evidence.case import sqldriver as sqlite3
from evidence.case.formats import DB_NAME, OUTPUTS_JOURNAL, OUTPUTS_JOURNAL_COLUMNS, PRIVATE_TABLE
from evidence.verify import WARNING, Finding, Report

# The journal of report/export files being written, as ``evidence.case.writer`` creates it (when a writing
# command first takes the lock, so a case nothing was written to since ``init`` has none), from the one
# definition in ``evidence.case.formats``; tests/redteam/test_database.py checks this is what it creates.
OUTPUTS_JOURNAL_SCHEMA = f"CREATE TABLE {OUTPUTS_JOURNAL} ({OUTPUTS_JOURNAL_COLUMNS})"
# Created by the writer when it first takes the lock, so a case nothing was written to since it was made by an
# older version has neither; when one is there, everything of it must be as the writer creates it.
OPTIONAL_TABLES = frozenset({OUTPUTS_JOURNAL, PRIVATE_TABLE})
TRIGGERS = ("ledger_append_only_update", "ledger_append_only_delete")
INTEGRITY_MESSAGES = 20  # SQLite's findings quoted at most (PRAGMA integrity_check(N))
SQL_SHOWN = 160  # characters of an unexpected definition quoted in a finding


@dataclass(frozen=True)
class SchemaObject:
    """One row of ``sqlite_master``: what it is, the table it belongs to, its b-tree and its definition."""

    type: str
    name: str
    table: str
    rootpage: int
    sql: str | None


@dataclass(frozen=True)
class Layout:
    """What check (7) needs from check (1b): the index tables it can compare."""

    comparable: frozenset[str]  # index tables present with the writer's definition


@functools.cache
def expected_schema() -> dict[str, SchemaObject]:
    """The schema the writer creates, by name (built once, in memory, from the writer's statements)."""
    conn = sqlite3.connect(":memory:", isolation_level=None)
    try:
        ledger.create_schema(conn)
        index.create_schema(conn)
        conn.execute(OUTPUTS_JOURNAL_SCHEMA)
        return {obj.name: obj for obj in _objects(conn)}
    finally:
        conn.close()


def _objects(conn: sqlite3.Connection) -> list[SchemaObject]:
    rows = conn.execute("SELECT type, name, tbl_name, rootpage, sql FROM sqlite_master").fetchall()
    return [
        SchemaObject(
            _text(r[0]), _text(r[1]), _text(r[2]), r[3] if isinstance(r[3], int) else -1, _optional(r[4])
        )
        for r in rows
    ]


def _text(value: Any) -> str:
    return value.decode("utf-8", "replace") if isinstance(value, bytes) else str(value)


def _optional(value: Any) -> str | None:
    return None if value is None else _text(value)


def _index_object(obj: SchemaObject) -> bool:
    """Whether an object of the expected schema belongs to an index table (absent from an older version's)."""
    return obj.table in index.PROJECTION_TABLES or any(
        obj.table.startswith(f"{table}_") for table in index.PROJECTION_TABLES
    )


def check_database(conn: sqlite3.Connection, report: Report, *, encrypted: bool = False) -> Layout:
    """Check (1b) over the snapshot ``conn`` (an ``encrypted`` case's, keyed); see the module docstring.
    Returns what check (7) may compare."""
    expected = expected_schema()
    try:
        stored = _objects(conn)
    except sqlite3.Error as exc:
        report.add(Finding("DATABASE_CORRUPT", f"the schema cannot be read ({exc})", path=DB_NAME))
        return Layout(frozenset())
    by_name = {obj.name: obj for obj in stored}
    _compare_schema(stored, expected, report)
    _check_rootpages(conn, stored, report)
    # After a page fails its HMAC, SQLCipher refuses every write on the connection, FTS5's check (an INSERT of a
    # command) included: its words would be about that, not the full-text index.
    pages_ok = _cipher_integrity(conn, report) if encrypted else True
    suspect = _integrity(conn, report)
    for table in index.SEARCH_TABLES:
        if pages_ok and table in suspect and table in by_name and _same(by_name[table], expected[table]):
            _fts_integrity(conn, table, report)
    absent = {name for name in expected if name not in by_name}
    comparable = frozenset(
        table
        for table in index.PROJECTION_TABLES
        if table in by_name and _same(by_name[table], expected[table])
    )
    _check_meta(conn, report, absent, expected)
    return Layout(comparable)


def _same(stored: SchemaObject, expected: SchemaObject) -> bool:
    return (stored.type, stored.table, stored.sql) == (expected.type, expected.table, expected.sql)


def _shown(sql: str | None) -> str:
    if sql is None:
        return "(none)"
    text = " ".join(sql.split())
    return repr(text if len(text) <= SQL_SHOWN else text[:SQL_SHOWN] + "...")


def _on(obj: SchemaObject) -> str:
    return f" (on {obj.table})" if obj.table != obj.name else ""


def _compare_schema(stored: list[SchemaObject], expected: dict[str, SchemaObject], report: Report) -> None:
    """(a) Every object as the writer creates it; the triggers' own findings are warnings."""
    seen: set[str] = set()
    for obj in stored:
        want = expected.get(obj.name)
        if obj.name in seen:
            report.add(Finding("SCHEMA_EXTRA", f"{obj.type} {obj.name} is defined twice", path=DB_NAME))
            continue
        seen.add(obj.name)
        if want is None:
            report.add(
                Finding(
                    "SCHEMA_EXTRA",
                    f"{obj.type} {obj.name}{_on(obj)} is not part of a case's database (no tool of ours "
                    f"creates it; it can change what queries answer): {_shown(obj.sql)}",
                    path=DB_NAME,
                )
            )
        elif not _same(obj, want):
            if obj.name in TRIGGERS:
                report.add(
                    Finding(
                        "TRIGGERS_MODIFIED",
                        f"the ledger's append-only trigger {obj.name} was replaced by {_shown(obj.sql)} (no "
                        "tool of ours does that); entries may have been removed from the ledger's end: check "
                        "it against a head recorded elsewhere (--head)",
                        severity=WARNING,
                        path=DB_NAME,
                    )
                )
            else:
                report.add(
                    Finding(
                        "SCHEMA_MODIFIED",
                        f"{obj.type} {obj.name} is defined as {_shown(obj.sql)}, not as the writer creates it "
                        f"({want.type} {_shown(want.sql)})",
                        path=DB_NAME,
                    )
                )
    removed = [name for name in TRIGGERS if name not in seen]
    if removed:
        report.add(
            Finding(
                "TRIGGERS_REMOVED",
                f"the ledger's append-only triggers were removed ({', '.join(removed)}; no tool of ours does "
                "that); entries may have been removed from the ledger's end: check it against a head "
                "recorded elsewhere (--head)",
                severity=WARNING,
                path=DB_NAME,
            )
        )
    present = {obj.name for obj in stored if obj.type == "table"}
    for name, want in expected.items():
        if want.table in OPTIONAL_TABLES and want.table not in present:
            continue  # a case made before it (a missing private table with entries naming it: check (6c))
        if name in seen or name in TRIGGERS or _index_object(want):
            continue  # index tables an older version lacked: check (d) says whether that is what happened
        report.add(Finding("SCHEMA_MISSING", f"{want.type} {name} is missing", path=DB_NAME))


def _check_rootpages(conn: sqlite3.Connection, stored: list[SchemaObject], report: Report) -> None:
    """(b) Each table and index its own b-tree inside the file; nothing else has one."""
    try:
        pages = int(conn.execute("PRAGMA page_count").fetchone()[0])
    except sqlite3.Error:
        return  # the integrity check below says why
    owner: dict[int, str] = {}
    for obj in stored:
        has_tree = obj.type in ("table", "index") and not (
            obj.type == "table" and (obj.sql or "").upper().startswith("CREATE VIRTUAL TABLE")
        )
        problem = None
        if has_tree and not 1 <= obj.rootpage <= pages:
            problem = f"its root page {obj.rootpage} is not a page of the file ({pages} pages)"
        elif has_tree and obj.rootpage in owner:
            problem = f"its root page {obj.rootpage} is also that of {owner[obj.rootpage]}"
        elif not has_tree and obj.rootpage != 0:
            problem = f"a {obj.type} without a b-tree has root page {obj.rootpage}"
        if problem:
            report.add(Finding("SCHEMA_MODIFIED", f"{obj.type} {obj.name}: {problem}", path=DB_NAME))
        if has_tree:
            owner.setdefault(obj.rootpage, f"{obj.type} {obj.name}")


# Whether this SQLite's integrity_check runs FTS5's check of each full-text table (3.44 and later).
_CHECKS_FTS5 = tuple(int(part) for part in sqlite3.sqlite_version.split(".")[:2]) >= (3, 44)


def _about_search_table(line: str, table: str | None = None) -> bool:
    """Whether a line of ``PRAGMA integrity_check`` is FTS5's finding about one of the full-text tables (or
    about ``table``)."""
    tables = index.SEARCH_TABLES if table is None else (table,)
    return "fts5" in line.lower() and any(re.search(rf"\b{name}\b", line) for name in tables)


def _integrity(conn: sqlite3.Connection, report: Report) -> set[str]:
    """(c) SQLite's integrity check: b-trees well formed, every index exactly its table's rows. Returns the
    full-text tables FTS5's own check must still look at."""
    try:
        found = [_text(r[0]) for r in conn.execute(f"PRAGMA integrity_check({INTEGRITY_MESSAGES})")]
        complete = len(found) < INTEGRITY_MESSAGES and _CHECKS_FTS5
    except sqlite3.Error as exc:
        found, complete = [str(exc)], False
    # SQLite 3.44+ also runs FTS5's check of each full-text table here (the check FTS5's 'integrity-check'
    # command runs); check (c)'s FTS5 step names those (SEARCH_INDEX_CORRUPT), so their lines are left to it
    # rather than reported twice, and it runs only for a table named here: it is the slowest part of (1b)
    # (about 1 s at 100,000 records) and running it twice finds nothing more. When the pragma failed, stopped
    # at its limit of messages or is older than 3.44, every table is checked again.
    suspect = {
        table
        for table in index.SEARCH_TABLES
        if not complete or any(_about_search_table(line, table) for line in found)
    }
    found = [line for line in found if not _about_search_table(line)] or ["ok"]
    if found == ["ok"]:
        return suspect
    report.add(
        Finding(
            "DATABASE_CORRUPT",
            "SQLite's integrity check fails (an index that does not hold its table's rows makes queries skip "
            f"or invent rows): {'; '.join(found[:5])}"
            + (f"; and {len(found) - 5} more" if len(found) > 5 else ""),
            path=DB_NAME,
        )
    )
    return suspect


def _cipher_integrity(conn: sqlite3.Connection, report: Report) -> bool:
    """(e) SQLCipher's check of an encrypted database: every page's HMAC, free pages included (a page no
    query reads is checked too). Whether every page passed."""
    try:
        found = [_text(r[0]) for r in conn.execute("PRAGMA cipher_integrity_check")]
    except sqlite3.Error as exc:
        found = [str(exc)]
    if not found:
        return True
    report.add(
        Finding(
            "DATABASE_CORRUPT",
            "pages of the encrypted database fail their authentication (altered, or cut): "
            + "; ".join(found[:5])
            + (f"; and {len(found) - 5} more" if len(found) > 5 else ""),
            path=DB_NAME,
        )
    )
    return False


def _fts_integrity(conn: sqlite3.Connection, table: str, report: Report) -> None:
    """(c) FTS5's own check that the full-text index of ``table`` (one of ``index.SEARCH_TABLES``) is the index
    of its rows (what ``search`` answers from). It is an INSERT of a command, run on the private snapshot:
    nothing in the case changes."""
    try:
        conn.execute(f"INSERT INTO {table} ({table}) VALUES ('integrity-check')")  # noqa: S608 - a constant
    except sqlite3.Error as exc:
        what = "words" if table == "search_text" else "words or parts of words"
        report.add(
            Finding(
                "SEARCH_INDEX_CORRUPT",
                f"the full-text index of {table} is not the index of its rows ({exc}): 'evidence search' "
                f"would miss or find {what} the records do not have",
                path=DB_NAME,
            )
        )


def _check_meta(
    conn: sqlite3.Connection, report: Report, absent: set[str], expected: dict[str, SchemaObject]
) -> None:
    """(d) ``meta`` holds one valid ``index_version``; an older version is only believed when tables of the
    current version are indeed absent."""
    try:
        rows = conn.execute("SELECT key, value FROM meta NOT INDEXED").fetchall()
    except sqlite3.Error as exc:
        report.add(Finding("META_INVALID", f"the meta table cannot be read ({exc})", path=DB_NAME))
        return
    versions = [value for key, value in rows if key == "index_version"]
    for key, value in rows:
        if key != "index_version":
            report.add(
                Finding(
                    "META_INVALID",
                    f"meta holds {_text(key)[:40]!r} = {_text(value)[:40]!r}, which no tool of ours writes",
                    path=DB_NAME,
                )
            )
    if len(versions) > 1:
        report.add(Finding("META_INVALID", "meta holds index_version more than once", path=DB_NAME))
    version = 0
    if versions:
        value = versions[0]
        if isinstance(value, str) and index.VERSION_TEXT.fullmatch(value):
            version = int(value)
        else:
            report.add(
                Finding(
                    "META_INVALID",
                    f"meta.index_version is {_text(value)[:40]!r}, not a version number (the writer writes "
                    f"{index.INDEX_VERSION})",
                    path=DB_NAME,
                )
            )
            return
    if version >= index.INDEX_VERSION:
        for name in sorted(absent):
            want = expected[name]
            if _index_object(want) and want.table not in OPTIONAL_TABLES:
                report.add(Finding("SCHEMA_MISSING", f"{want.type} {name} is missing", path=DB_NAME))
        return
    missing_tables = [t for t in index.PROJECTION_TABLES if t in absent]
    if not missing_tables:
        report.add(
            Finding(
                "INDEX_VERSION_DOWNGRADED",
                f"meta.index_version says {version}, but the index tables have the shape of version "
                f"{index.INDEX_VERSION} (no tool of ours writes an older number over a current index)",
                path=DB_NAME,
            )
        )
        return
    report.add(
        Finding(
            "INDEX_OUTDATED",
            f"the index tables were built by an older version ({', '.join(missing_tables)} not yet there); "
            "those present are compared (any writing command, or 'evidence log', rebuilds them from the "
            "ledger)",
            severity=WARNING,
            path=DB_NAME,
        )
    )
