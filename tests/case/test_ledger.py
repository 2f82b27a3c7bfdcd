"""The ledger: append-only, chained, signed, one transaction per import."""

from __future__ import annotations

import itertools
from pathlib import Path

import pytest

from evidence.api import Case
from evidence.case import ledger, sqldriver
from evidence.case.canonical import GENESIS_PREV, entry_hash
from evidence.case.signing import SigningKey


def test_genesis_entry_names_the_key(case: Case) -> None:
    entries = list(case.entries())
    assert len(entries) == 1
    genesis = entries[0]
    assert genesis.kind == "case.created"
    assert genesis.prev == GENESIS_PREV
    body = genesis.body
    key = SigningKey.load(case.root / "keys", None)
    assert body["public_key"] == key.public.raw.hex()
    assert body["key_fingerprint"] == key.public.fingerprint
    assert body["tz"] == "Europe/London"
    assert body["title"] == "Test case"
    assert body["tool"]["name"] == "evidence"


def test_each_entry_chains_to_the_previous_and_is_signed(case: Case, tmp_path: Path) -> None:
    for i in range(3):
        f = tmp_path / f"f{i}.txt"
        f.write_text(f"file {i}")
        case.import_files([f])
    entries = list(case.entries())
    assert [e.seq for e in entries] == [1, 2, 3, 4]
    key = case.public_key
    for before, after in itertools.pairwise(entries):
        assert after.prev == before.hash
    for e in entries:
        assert entry_hash(e.prev, e.kind, e.recorded_at, e.body) == e.hash
        assert key.verify(bytes.fromhex(e.sig), bytes.fromhex(e.hash))
        assert e.recorded_at.endswith("+00:00") and len(e.recorded_at) == len(
            "2026-01-01T00:00:00.000000+00:00"
        )
    assert case.head() == ledger.Head(4, entries[-1].hash)


@pytest.mark.parametrize(
    "statement",
    ["UPDATE ledger SET kind = 'x' WHERE seq = 1", "DELETE FROM ledger WHERE seq = 1"],
)
def test_no_code_path_can_update_or_delete_rows(case: Case, statement: str) -> None:
    with pytest.raises(sqldriver.IntegrityError, match="append-only"):
        case.conn.execute(statement)
    assert len(list(case.entries())) == 1


def test_append_requires_a_transaction(case: Case) -> None:
    key = SigningKey.load(case.root / "keys", None)
    with pytest.raises(RuntimeError):
        ledger.append(case.conn, key, "note", {"x": 1})


def test_database_is_wal_with_full_sync(case: Case) -> None:
    assert case.conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert case.conn.execute("PRAGMA synchronous").fetchone()[0] == 2  # FULL
