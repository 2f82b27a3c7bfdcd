"""Forgeries of evidence.db by someone with write access and no key (A03, A04, A05, A18, A19, A25, A31).

Each test does in Python what the attack's script in ../shared/redteam/ does, on a small case built here,
checks that the forgery does what the attack says (a query now answers otherwise), and asserts that
``verify`` names it. The common thread: an index is an unsigned second copy of a table, so the verifier reads
tables without indexes, compares the schema with the writer's exactly, and runs SQLite's and FTS5's
integrity checks (``evidence.verify.schema``). Every attack runs on a plain case and on an encrypted one (edited
through a keyed connection, as someone holding its key could).
"""

from __future__ import annotations

import shutil
import sqlite3
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

from evidence.api import Case
from evidence.case import index, sqldriver, vault
from evidence.case.folder import keyed
from evidence.case.formats import DB_NAME
from evidence.case.vault import CaseKeys
from evidence.verify import ERROR, WARNING, Report
from evidence.verify import db as snapshot_db
from evidence.verify.case import verify_case
from evidence.verify.schema import expected_schema
from tests.conftest import run_cli

THREAT = "Body text 3"  # the record the attacks hide, rewrite or search for
FORGED_ID = "R-0f0f0f0f0f0f0f0f"
FORGED_NUMBER = "+15550000009"


# An encrypted case's keys by its folder (the base case's and every copy's): the same attacks run on both kinds
# of case, an encrypted one's by someone holding its key (one who does not cannot edit a page: see
# tests/verify/test_tamper_encrypted.py).
KEYS: dict[Path, CaseKeys] = {}
PASSPHRASE = "forgeries passphrase"


@pytest.fixture(scope="module", params=["plain", "encrypted"])
def base(tmp_path_factory: pytest.TempPathFactory, corpus: Path, request: pytest.FixtureRequest) -> Path:
    """A case of twelve SMS, a diary entry and a person owning one of the numbers (the outputs journal
    exists: the writing commands took the writer's lock); plain, and encrypted."""
    folder = tmp_path_factory.mktemp("database")
    root = folder / "case"
    encrypted = request.param == "encrypted"
    with Case.init(
        root,
        title="Forgeries",
        tz="Europe/London",
        passphrase=PASSPHRASE if encrypted else None,
        encrypted=encrypted,
        cost=vault.TEST_COST,
    ) as case:
        case.import_files([corpus / "smsbackup" / "sms-devadvance-sms_small.xml"])
        case.add_diary_entry(when="2026-03-14 21:30", text="Twelve missed calls tonight.")
        case.add_person("Alex Morgan", role="respondent", ids=["+15550000001"], basis="saved contacts")
        if case.keys is not None:
            KEYS[root] = case.keys
    assert verify_case(root, keys=KEYS.get(root)).findings == []
    return root


@pytest.fixture
def root(base: Path, tmp_path: Path) -> Path:
    """A fresh copy of the base case."""
    copy = tmp_path / "case"
    shutil.copytree(base, copy)
    if base in KEYS:
        KEYS[copy] = KEYS[base]
    return copy


def check(root: Path, **kwargs: Any) -> Report:
    """``verify_case`` of the case at ``root``, with its keys when it is encrypted."""
    return verify_case(root, keys=KEYS.get(root), **kwargs)


def cli(root: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """``evidence -C ROOT ARGS`` as its owner runs it (an encrypted case's passphrase in the environment)."""
    env = {"EVIDENCE_PASSPHRASE": PASSPHRASE} if root in KEYS else None
    return run_cli("-C", str(root), *args, env=env)


@contextmanager
def forge(root: Path) -> Iterator[sqlite3.Connection]:
    """An ordinary connection to the case database, as the attacker has (autocommit); an encrypted case's
    keyed."""
    if root in KEYS:
        conn = sqldriver.connect(root / DB_NAME, isolation_level=None)
        keyed(conn, KEYS[root].db_key)
    else:
        conn = sqlite3.connect(root / DB_NAME, isolation_level=None)
    try:
        yield conn
    finally:
        conn.close()


def swap_root_pages(root: Path, index_name: str, shadow: str) -> None:
    """Give ``index_name`` the b-tree of the partial index ``shadow`` and drop the shadow (A04, A25)."""
    with forge(root) as db:
        pk = db.execute("SELECT rootpage FROM sqlite_master WHERE name = ?", (index_name,)).fetchone()[0]
        sh = db.execute("SELECT rootpage FROM sqlite_master WHERE name = ?", (shadow,)).fetchone()[0]
        db.execute("PRAGMA writable_schema = ON")
        db.execute("UPDATE sqlite_master SET rootpage = ? WHERE name = ?", (sh, index_name))
        db.execute("UPDATE sqlite_master SET rootpage = ? WHERE name = ?", (pk, shadow))
        db.execute("PRAGMA writable_schema = OFF")
    with forge(root) as db:
        db.execute(f"DROP INDEX {shadow}")


def record_id(root: Path, text: str) -> str:
    with forge(root) as db:
        (rid,) = db.execute("SELECT id FROM records WHERE json LIKE ?", (f"%{text}%",)).fetchone()
    return str(rid)


def errors(report: Report) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for f in report.findings:
        if f.severity == ERROR:
            found.setdefault(f.code, []).append(f.message)
    return found


def record_texts(root: Path) -> list[str | None]:
    """What the timeline and the report read (``ORDER BY occurred_at``, answered through records_time)."""
    with Case.open(root, readonly=True, keys=KEYS.get(root)) as case:
        return [r.text for r in case.records()]


# -- A03: a partial records_time index, its definition put back ----------------------------------------------


def test_a03_partial_time_index_hides_records(root: Path) -> None:
    hidden = record_id(root, THREAT)
    with forge(root) as db:
        db.execute("DROP INDEX records_time")
        db.execute(f"CREATE INDEX records_time ON records (occurred_at) WHERE id != '{hidden}'")
        db.execute("PRAGMA writable_schema = ON")
        db.execute(
            "UPDATE sqlite_master SET sql = 'CREATE INDEX records_time ON records (occurred_at)' "
            "WHERE name = 'records_time'"
        )
        db.execute("PRAGMA writable_schema = OFF")
    assert THREAT not in record_texts(root)  # the attack works on what the timeline reads
    found = errors(check(root))
    assert list(found) == ["DATABASE_CORRUPT"]
    assert "missing from index records_time" in found["DATABASE_CORRUPT"][0]
    result = cli(root, "verify")
    assert result.returncode == 1 and result.stdout.startswith("DATABASE_CORRUPT evidence.db: ")


def test_a03_a_partial_index_left_as_defined_is_a_schema_change(root: Path) -> None:
    hidden = record_id(root, THREAT)
    with forge(root) as db:
        db.execute("DROP INDEX records_time")
        db.execute(f"CREATE INDEX records_time ON records (occurred_at) WHERE id != '{hidden}'")
    found = errors(check(root))
    assert list(found) == ["SCHEMA_MODIFIED"]
    assert (
        "index records_time is defined as" in found["SCHEMA_MODIFIED"][0]
        and hidden in found["SCHEMA_MODIFIED"][0]
    )


# -- A04: a forged record left out of a swapped primary-key index ----------------------------------------------


def _inject_record(root: Path) -> None:
    with forge(root) as db:
        rid, seq, item, json_text = db.execute(
            "SELECT id, derived_seq, item_sha256, json FROM records WHERE json LIKE ?", (f"%{THREAT}%",)
        ).fetchone()
        forged = json_text.replace(rid, FORGED_ID).replace(THREAT, "Come over tonight, the door's open")
        db.execute("BEGIN")
        db.execute(
            "INSERT INTO records (id, derived_seq, item_sha256, occurred_at, channel, json) "
            "VALUES (?, ?, ?, '2017-12-03T23:41:07.000000+00:00', 'sms', ?)",
            (FORGED_ID, seq, item, forged),
        )
        db.execute(f"CREATE INDEX shadow ON records (id, derived_seq) WHERE id != '{FORGED_ID}'")
        db.execute("COMMIT")
    swap_root_pages(root, "sqlite_autoindex_records_1", "shadow")


def test_a04_index_swap_injection(root: Path) -> None:
    _inject_record(root)
    assert "Come over tonight, the door's open" in record_texts(root)  # shown in the timeline
    with forge(root) as db:  # and invisible to a read through the primary key, as verify read before
        ids = [r[0] for r in db.execute("SELECT id FROM records ORDER BY id, derived_seq")]
        assert FORGED_ID not in ids
    found = errors(check(root))
    assert set(found) == {"DATABASE_CORRUPT", "INDEX_MISMATCH"}
    assert "sqlite_autoindex_records_1" in found["DATABASE_CORRUPT"][0]
    assert any(FORGED_ID in m and "not in the ledger" in m for m in found["INDEX_MISMATCH"])


def test_a04_caught_when_the_snapshot_falls_back_to_the_live_database(
    root: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A writer busy the whole time: the live database is copied into memory and checked the same way
    (FTS5's check is an INSERT of a command: it needs a private copy)."""
    _inject_record(root)
    monkeypatch.setattr(snapshot_db, "ATTEMPTS", 0)
    with snapshot_db.open_snapshot(root / DB_NAME, key=KEYS[root].db_key if root in KEYS else None) as snap:
        assert snap.live
    found = errors(check(root))
    assert set(found) == {"DATABASE_CORRUPT", "INDEX_MISMATCH"}


# -- A05: the full-text index rebuilt from other text ----------------------------------------------------------


def test_a05_full_text_index_rebuilt_from_forged_text(root: Path) -> None:
    rid = record_id(root, THREAT)
    with forge(root) as db:
        rowid, old = db.execute("SELECT id, c7 FROM search_text_content WHERE c0 = ?", (rid,)).fetchone()
        db.execute("BEGIN")
        db.execute("UPDATE search_text_content SET c7 = 'ok thanks' WHERE id = ?", (rowid,))
        db.execute("INSERT INTO search_text (search_text) VALUES ('rebuild')")
        db.execute("UPDATE search_text_content SET c7 = ? WHERE id = ?", (old, rowid))
        db.execute("COMMIT")
        # search misses the record and finds it for words it does not have; its row still reads the same
        assert db.execute("SELECT record_id FROM search_text WHERE search_text MATCH '3'").fetchall() == []
        assert db.execute("SELECT text FROM search_text WHERE search_text MATCH 'thanks'").fetchall() == [
            (old,)
        ]
    found = errors(check(root))
    assert list(found) == ["SEARCH_INDEX_CORRUPT"]
    assert "search_text" in found["SEARCH_INDEX_CORRUPT"][0]


def test_a05_a_changed_full_text_definition_is_named(root: Path) -> None:
    with forge(root) as db:
        db.execute("DROP TABLE search_text")
        db.execute(
            "CREATE VIRTUAL TABLE search_text USING fts5 (record_id UNINDEXED, derived_seq UNINDEXED, "
            "exhibit UNINDEXED, locator UNINDEXED, channel UNINDEXED, sender, subject, text UNINDEXED)"
        )
    found = errors(check(root))
    assert "SCHEMA_MODIFIED" in found
    assert any(m.startswith("table search_text is defined as") for m in found["SCHEMA_MODIFIED"])


def test_a05_the_ranking_configuration_is_compared(root: Path) -> None:
    with forge(root) as db:
        db.execute("INSERT INTO search_text (search_text, rank) VALUES ('rank', 'bm25(1000.0)')")
    found = errors(check(root))
    assert list(found) == ["INDEX_MISMATCH"]
    assert "search_text_config" in found["INDEX_MISMATCH"][0]


# -- A18: a meta value that is not a number --------------------------------------------------------------------


@pytest.mark.parametrize("value", ["\u00b3", "\u0663", "-1", " 3", "3.0", "9" * 5000, b"3"])
def test_a18_index_version_not_a_number_crashes_nothing(root: Path, value: str | bytes) -> None:
    with forge(root) as db:
        db.execute("UPDATE meta SET value = ? WHERE key = 'index_version'", (value,))
        assert index.stored_version(db) == 0  # read as outdated: rebuilt from the ledger when next opened
    found = errors(check(root))
    assert list(found) == ["META_INVALID"]
    assert "meta.index_version is" in found["META_INVALID"][0]


def test_a18_meta_index_version_superscript(root: Path) -> None:
    with forge(root) as db:
        db.execute("UPDATE meta SET value = '\u00b3' WHERE key = 'index_version'")
    verified = cli(root, "verify")
    assert verified.returncode == 1 and verified.stdout.startswith("META_INVALID evidence.db: ")
    for command in (["timeline"], ["log"], ["stats"]):
        result = cli(root, *command)
        assert result.returncode == 0, (command, result.stderr)
        assert "Traceback" not in result.stderr
    assert check(root).findings == []  # the first writable open rebuilt the index and its version


def test_a18_a_key_meta_never_holds_is_named(root: Path) -> None:
    with forge(root) as db:
        db.execute("INSERT INTO meta (key, value) VALUES ('redacted', 'yes')")
    found = errors(check(root))
    assert list(found) == ["META_INVALID"] and "'redacted'" in found["META_INVALID"][0]


# -- A19: index_version downgraded so that the index is not compared -------------------------------------------


def test_a19_index_version_downgrade(root: Path) -> None:
    rid = record_id(root, THREAT)
    with forge(root) as db:
        db.execute("UPDATE meta SET value = '2' WHERE key = 'index_version'")
        db.execute(
            "UPDATE records SET json = replace(json, ?, 'Take care of yourself') WHERE id = ?", (THREAT, rid)
        )
    report = check(root)
    found = errors(report)
    assert set(found) == {"INDEX_VERSION_DOWNGRADED", "INDEX_MISMATCH"}
    assert "says 2" in found["INDEX_VERSION_DOWNGRADED"][0]
    assert any(rid in m for m in found["INDEX_MISMATCH"])
    assert "INDEX_OUTDATED" not in report.codes()


def test_a19_an_index_an_older_version_built_is_still_compared(root: Path) -> None:
    """A genuine older index (tables of the current version absent) is a warning, but what it has is
    compared: a record edited there is named."""
    rid = record_id(root, THREAT)
    with forge(root) as db:
        db.execute("DROP TABLE ocr_results")
        db.execute("DELETE FROM meta WHERE key = 'index_version'")
        db.execute(
            "UPDATE records SET json = replace(json, ?, 'Take care of yourself') WHERE id = ?", (THREAT, rid)
        )
    report = check(root)
    assert [f.code for f in report.findings if f.severity == WARNING] == ["INDEX_OUTDATED"]
    assert "ocr_results" in report.findings[0].message
    found = errors(report)
    assert list(found) == ["INDEX_MISMATCH"] and rid in found["INDEX_MISMATCH"][0]


# -- A25: a forged person link left out of a swapped primary-key index -----------------------------------------


def test_a25_person_link_hidden_from_the_primary_key(root: Path) -> None:
    with forge(root) as db:
        seq = db.execute("SELECT MIN(seq) FROM person_ids WHERE name = 'Alex Morgan'").fetchone()[0]
        db.execute("BEGIN")
        db.execute(
            "INSERT INTO person_ids (kind, value, name, raw, basis, confidence, seq) VALUES "
            "('phone', ?, 'Alex Morgan', ?, 'saved contacts', 'confirmed', ?)",
            (FORGED_NUMBER, FORGED_NUMBER, seq),
        )
        db.execute(f"CREATE INDEX shadow ON person_ids (kind, value) WHERE value != '{FORGED_NUMBER}'")
        db.execute("COMMIT")
    swap_root_pages(root, "sqlite_autoindex_person_ids_1", "shadow")
    with Case.open(
        root, readonly=True, keys=KEYS.get(root)
    ) as case:  # people.load() scans the table: the link is believed
        (alex,) = [p for p in case.people() if p.name == "Alex Morgan"]
        assert FORGED_NUMBER in {link.identifier.value for link in alex.links}
    found = errors(check(root))
    assert set(found) == {"DATABASE_CORRUPT", "INDEX_MISMATCH"}
    assert "sqlite_autoindex_person_ids_1" in found["DATABASE_CORRUPT"][0]
    assert any(FORGED_NUMBER in m for m in found["INDEX_MISMATCH"])


# -- A31: the append-only triggers replaced by no-ops of the same names ----------------------------------------


def test_a31_same_named_noop_triggers(root: Path) -> None:
    with Case.open(root, readonly=True, keys=KEYS.get(root)) as case:
        head = str(case.head())
    with forge(root) as db:
        db.executescript(
            "DROP TRIGGER ledger_append_only_update; DROP TRIGGER ledger_append_only_delete;"
            "CREATE TRIGGER ledger_append_only_update BEFORE UPDATE ON ledger WHEN 0 BEGIN SELECT 1; END;"
            "CREATE TRIGGER ledger_append_only_delete BEFORE DELETE ON ledger WHEN 0 BEGIN SELECT 1; END;"
        )
        db.execute("DELETE FROM ledger WHERE seq = (SELECT MAX(seq) FROM ledger)")  # the person.added entry
    report = check(root)
    modified = [f for f in report.findings if f.code == "TRIGGERS_MODIFIED"]
    assert [f.severity for f in modified] == [WARNING, WARNING]
    assert {m.message.split()[4] for m in modified} == {
        "ledger_append_only_update",
        "ledger_append_only_delete",
    }
    assert all("--head" in f.message for f in modified)
    # the dropped entry fed the people tables: what it left there is named; a recorded head names the rest
    assert "INDEX_MISMATCH" in errors(report)
    assert "HEAD_MISMATCH" in errors(check(root, heads=[head]))


def test_a31_any_other_trigger_is_an_extra_object(root: Path) -> None:
    with forge(root) as db:
        db.execute(
            "CREATE TRIGGER hide AFTER INSERT ON records BEGIN DELETE FROM records WHERE id = new.id; END"
        )
    found = errors(check(root))
    assert list(found) == ["SCHEMA_EXTRA"] and found["SCHEMA_EXTRA"][0].startswith(
        "trigger hide (on records)"
    )


# -- the schema itself -----------------------------------------------------------------------------------------


def test_the_expected_schema_is_what_the_writer_creates(base: Path) -> None:
    """The verifier's expected schema (built from the writer's statements, the outputs journal's copied) is
    exactly the schema of a case the writer made and wrote to."""
    with forge(base) as db:
        stored = {
            name: (kind, table, sql)
            for kind, name, table, sql in db.execute("SELECT type, name, tbl_name, sql FROM sqlite_master")
        }
    assert stored == {name: (o.type, o.table, o.sql) for name, o in expected_schema().items()}


def test_objects_that_steer_the_query_planner_are_named(root: Path) -> None:
    with forge(root) as db:
        db.execute("CREATE INDEX by_channel ON records (channel)")
        db.execute("CREATE VIEW latest AS SELECT * FROM records")
        db.execute("ANALYZE")
    found = errors(check(root))
    assert list(found) == ["SCHEMA_EXTRA"]
    named = {m.split()[1] for m in found["SCHEMA_EXTRA"]}
    # SQLCipher's SQLite (the keyed connection's) is built with STAT4: its ANALYZE writes sqlite_stat4 too.
    stat4 = {"sqlite_stat4"} if root in KEYS else set()
    assert named == {"by_channel", "latest", "sqlite_stat1"} | stat4


def test_a_table_root_page_shared_with_another_is_named(root: Path) -> None:
    with forge(root) as db:
        pages = dict(db.execute("SELECT name, rootpage FROM sqlite_master WHERE type = 'table'").fetchall())
        db.execute("PRAGMA writable_schema = ON")
        db.execute("UPDATE sqlite_master SET rootpage = ? WHERE name = 'people'", (pages["exhibits"],))
        db.execute("PRAGMA writable_schema = OFF")
    found = errors(check(root))
    assert "SCHEMA_MODIFIED" in found
    assert any("also that of table exhibits" in m for m in found["SCHEMA_MODIFIED"])
