"""Tamper tests: change a case the way an attacker would, and check the verifier names what was done.

One base case is built per module, plain and encrypted (every test runs on both; three imports: real corpus emails kept as plain files, a duplicate, and two
logs read by a test-only importer so the ledger also holds ``records.derived`` entries with records blobs and
an attachment). Every example works on a fresh copy of its folder. Tampering goes straight at the storage:
sqlite3 on ``evidence.db`` (dropping the append-only triggers first; an encrypted case's through a keyed
connection, as someone holding its key could), bytes of files under ``objects/`` (an encrypted case's sealed
files), ``keys/case.pub``. What only an encrypted case has (its vault, sealed names, page authentication) is
tampered with in ``test_tamper_encrypted.py``.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
import stat
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from evidence.api import Case
from evidence.case import ledger
from evidence.case.canonical import GENESIS_PREV, canonical_text, entry_hash
from evidence.case.signing import PUBLIC_NAME, SigningKey
from tests.verify.tamper_kit import (
    COLUMNS,
    EXAMPLES,
    BaseCase,
    Row,
    build_base_case,
    connect_db,
    described,
    errors,
    fresh_copy,
    insert_row,
    set_contents,
    shift_seqs,
    tamper_db,
)


@pytest.fixture(scope="module", params=["plain", "encrypted"])
def base(tmp_path_factory: pytest.TempPathFactory, corpus: Path, request: pytest.FixtureRequest) -> BaseCase:
    """The base case, plain and encrypted: every tamper test runs on both."""
    encrypted = request.param == "encrypted"
    built = build_base_case(tmp_path_factory.mktemp("tamper-base"), corpus, encrypted=encrypted)
    report = built.verify(built.root)
    assert report.ok and not report.findings, [str(f) for f in report.findings]
    return built


# -- objects ---------------------------------------------------------------------------------------------


@EXAMPLES
@given(data=st.data())
def test_flipping_any_byte_of_any_object_is_modified_naming_exhibit_and_path(
    base: BaseCase, data: st.DataObject
) -> None:
    sha = data.draw(st.sampled_from(sorted(base.named_by)), label="object")
    size = base.object_path(base.root, sha).stat().st_size
    position = data.draw(st.integers(0, size - 1), label="position")
    mask = data.draw(st.integers(1, 255), label="mask")
    with fresh_copy(base) as case_dir:
        path = base.object_path(case_dir, sha)
        path.chmod(stat.S_IRUSR | stat.S_IWUSR)
        content = bytearray(path.read_bytes())
        content[position] ^= mask
        path.write_bytes(bytes(content))
        path.chmod(stat.S_IRUSR | stat.S_IRGRP | stat.S_IROTH)
        report = base.verify(case_dir)
    assert not report.ok
    found = errors(report)
    assert len(found) == 1, described(report)
    assert found[0].code == "MODIFIED"
    assert found[0].exhibit == base.exhibit_of[sha]
    assert found[0].path == base.rel(sha)
    assert found[0].entry == min(base.named_by[sha])
    assert str(found[0]).startswith(f"MODIFIED {base.exhibit_of[sha]} {base.rel(sha)}: ")


@EXAMPLES
@given(data=st.data())
def test_deleting_or_adding_an_object_is_missing_or_extra(base: BaseCase, data: st.DataObject) -> None:
    sha = data.draw(st.sampled_from(sorted(base.named_by)), label="object")
    stray = data.draw(st.binary(min_size=1, max_size=64), label="stray")
    with fresh_copy(base) as case_dir:
        base.object_path(case_dir, sha).unlink()
        stray_sha = hashlib.sha256(stray).hexdigest()
        stray_path = base.object_path(case_dir, stray_sha)
        stray_path.parent.mkdir(exist_ok=True)
        stray_path.write_bytes(stray)
        report = base.verify(case_dir)
    assert not report.ok
    by_code = {f.code: f for f in errors(report)}
    assert set(by_code) == {"MISSING", "EXTRA"}, described(report)
    assert (by_code["MISSING"].exhibit, by_code["MISSING"].path) == (base.exhibit_of[sha], base.rel(sha))
    assert by_code["EXTRA"].path == base.rel(stray_sha)


# -- one column of one row -------------------------------------------------------------------------------


def flip_column(conn: sqlite3.Connection, seq: int, column: str, position: int, mask: int) -> None:
    """XOR one byte of a text column's UTF-8; invalid UTF-8 is stored as text all the same, as sqlite3 allows."""
    (value,) = conn.execute(f"SELECT {column} FROM ledger WHERE seq = ?", (seq,)).fetchone()
    data = bytearray(value.encode("utf-8"))
    data[position % len(data)] ^= mask
    try:
        conn.execute(f"UPDATE ledger SET {column} = ? WHERE seq = ?", (data.decode("utf-8"), seq))
    except UnicodeDecodeError:
        conn.execute(f"UPDATE ledger SET {column} = CAST(? AS TEXT) WHERE seq = ?", (bytes(data), seq))


@EXAMPLES
@given(data=st.data())
def test_flipping_any_byte_of_any_ledger_column_names_that_entry(base: BaseCase, data: st.DataObject) -> None:
    seq = data.draw(st.integers(1, base.n), label="seq")
    column = data.draw(st.sampled_from(COLUMNS), label="column")
    with fresh_copy(base) as case_dir:
        with tamper_db(case_dir, base) as conn:
            if column == "seq":
                free = [v for v in range(-3, base.n + 6) if not 1 <= v <= base.n]
                new_seq = data.draw(st.sampled_from(free), label="new seq")
                conn.execute("UPDATE ledger SET seq = ? WHERE seq = ?", (new_seq, seq))
            else:
                length = len(str(base.row(seq)[COLUMNS.index(column)]).encode("utf-8"))
                position = data.draw(st.integers(0, length - 1), label="position")
                mask = data.draw(st.integers(1, 255), label="mask")
                flip_column(conn, seq, column, position, mask)
        report = base.verify(case_dir)
    assert not report.ok
    if column == "seq":
        expected_codes, named = {"SEQ_MODIFIED", "ROWS_REORDERED"}, new_seq
    elif column == "sig":
        expected_codes, named = {"BAD_SIGNATURE", "ENTRY_MODIFIED"}, seq
    else:
        expected_codes, named = {"ENTRY_MODIFIED", "NON_CANONICAL"}, seq
    assert any(f.code in expected_codes and f.entry == named for f in errors(report)), described(report)


def test_column_rewritten_as_a_blob_with_the_same_bytes_is_detected(base: BaseCase) -> None:
    with fresh_copy(base) as case_dir:
        with tamper_db(case_dir, base) as conn:
            conn.execute("UPDATE ledger SET body = CAST(body AS BLOB) WHERE seq = 3")
        report = base.verify(case_dir)
    assert not report.ok
    assert [(f.code, f.entry) for f in errors(report)] == [("ENTRY_MODIFIED", 3)], described(report)
    assert "body is stored as blob" in errors(report)[0].message


@pytest.mark.parametrize("column", ["sig", "prev", "hash"])
def test_hex_column_in_upper_case_is_detected(base: BaseCase, column: str) -> None:
    # bytes.fromhex reads "AB" like "ab": without a format check a re-cased signature would verify.
    with fresh_copy(base) as case_dir:
        with tamper_db(case_dir, base) as conn:
            conn.execute(f"UPDATE ledger SET {column} = upper({column}) WHERE seq = 4")
        report = base.verify(case_dir)
    assert not report.ok
    assert ("ENTRY_MODIFIED", 4) in [(f.code, f.entry) for f in errors(report)], described(report)


def test_altered_key_in_the_genesis_body_names_only_the_genesis(base: BaseCase) -> None:
    body = base.row(1)[3]
    start = body.index('"public_key":"') + len('"public_key":"')
    altered = body[:start] + ("1" if body[start] != "1" else "2") + body[start + 1 :]
    with fresh_copy(base) as case_dir:
        with tamper_db(case_dir, base) as conn:
            conn.execute("UPDATE ledger SET body = ? WHERE seq = 1", (altered,))
        report = base.verify(case_dir)
    assert not report.ok
    # keys/case.pub signed the genesis as stored: it, not the altered body, checks the other signatures.
    assert [(f.code, f.entry) for f in errors(report)] == [("ENTRY_MODIFIED", 1)], described(report)
    assert report.facts["key_fingerprint"] == base.fingerprint


# -- whole rows ------------------------------------------------------------------------------------------


@EXAMPLES
@given(data=st.data())
def test_deleting_any_row_but_the_newest_is_row_deleted(base: BaseCase, data: st.DataObject) -> None:
    seq = data.draw(st.integers(1, base.n - 1), label="seq")
    renumber = data.draw(st.booleans(), label="renumber the rows after it")
    with fresh_copy(base) as case_dir:
        with tamper_db(case_dir, base) as conn:
            conn.execute("DELETE FROM ledger WHERE seq = ?", (seq,))
            if renumber:
                shift_seqs(conn, seq + 1, -1)
        report = base.verify(case_dir)
    assert not report.ok
    deleted = [f for f in report.findings if f.code == "ROW_DELETED"]
    assert [f.entry for f in deleted] == [seq], described(report)
    if seq > 1:  # the genesis deleted is also GENESIS_MISSING
        assert "GENESIS_MISSING" not in report.codes()


@EXAMPLES
@given(data=st.data())
def test_dropping_the_newest_rows_is_a_valid_prefix_caught_by_heads_and_orphaned_objects(
    base: BaseCase, data: st.DataObject
) -> None:
    dropped = data.draw(st.integers(1, base.n - 1), label="rows dropped")
    remove_orphans = data.draw(st.booleans(), label="also delete the orphaned objects")
    keep = base.n - dropped
    orphans = {sha for sha, seqs in base.named_by.items() if min(seqs) > keep}
    with fresh_copy(base) as case_dir:
        with tamper_db(case_dir, base) as conn:
            conn.execute("DELETE FROM ledger WHERE seq > ?", (keep,))
            # A careful attacker also makes the projections agree with the shortened ledger.
            conn.execute("DELETE FROM exhibits WHERE seq > ?", (keep,))
            conn.execute("DELETE FROM records WHERE derived_seq > ?", (keep,))
            conn.execute("DELETE FROM records_counted WHERE derived_seq > ?", (keep,))
            conn.execute("DELETE FROM search_text WHERE derived_seq > ?", (keep,))
            conn.execute("DELETE FROM search_trigram WHERE derived_seq > ?", (keep,))
            for table in ("suggestion_sets", "suggestions", "suggestions_deferred"):
                conn.execute(f"DELETE FROM {table} WHERE seq > ?", (keep,))
            # ... and removes the private details of the dropped entries (else PRIVATE_DETAILS_EXTRA names them).
            delete_trigger = conn.execute(
                "SELECT sql FROM sqlite_master WHERE name = 'entry_private_append_only_delete'"
            ).fetchone()[0]
            conn.execute("DROP TRIGGER entry_private_append_only_delete")
            conn.execute(
                "DELETE FROM entry_private WHERE sha256 NOT IN (SELECT json_extract(body, "
                "'$.private_details.sha256') FROM ledger WHERE body LIKE '%private_details%')"
            )
            conn.execute(delete_trigger)
        if remove_orphans:
            for sha in orphans:
                base.object_path(case_dir, sha).unlink()
        alone = base.verify(case_dir)
        with_head = base.verify(case_dir, heads=[base.heads[-1]])
        with_all_heads = base.verify(case_dir, heads=base.heads)
    extra = {f.path for f in alone.findings if f.code == "EXTRA"}
    assert extra == (set() if remove_orphans else {base.rel(sha) for sha in orphans}), described(alone)
    assert {f.code for f in errors(alone)} <= {"EXTRA"}, described(alone)
    assert alone.ok == (remove_orphans or not orphans)
    assert alone.facts["head"]["seq"] == keep
    assert not with_head.ok
    assert [(f.code, f.entry) for f in with_head.findings if f.code == "HEAD_MISMATCH"] == [
        ("HEAD_MISMATCH", base.n)
    ]
    # Every head recorded after the cut shows it; every head recorded before it still checks out.
    mismatched = {f.entry for f in with_all_heads.findings if f.code == "HEAD_MISMATCH"}
    assert mismatched == {int(h.split(":")[0]) for h in base.heads if int(h.split(":")[0]) > keep}


def test_dropping_the_newest_rows_without_fixing_the_index_is_an_index_mismatch(base: BaseCase) -> None:
    with fresh_copy(base) as case_dir:
        with tamper_db(case_dir, base) as conn:
            conn.execute("DELETE FROM ledger WHERE seq > 5")
        report = base.verify(case_dir)
    assert not report.ok
    assert "INDEX_MISMATCH" in report.codes()
    assert {f.path for f in report.findings if f.code == "EXTRA"} == {
        base.rel(sha) for sha, seqs in base.named_by.items() if min(seqs) > 5
    }


def forged_row(base: BaseCase, position: int, note: str, signer: str, copy_from: int) -> Row:
    """A well-formed entry chained after entry ``position - 1``, hashed correctly, but not signed by the case."""
    prev = GENESIS_PREV if position == 1 else base.row(position - 1)[5]
    recorded_at = base.row(max(1, position - 1))[1]
    body = {"note": note, "by": "someone else"}
    digest = entry_hash(prev, "annotation.added", recorded_at, body)
    if signer == "other key":
        sig = SigningKey.generate().sign(bytes.fromhex(digest)).hex()
    else:
        sig = base.row(copy_from)[6]
    return (position, recorded_at, "annotation.added", canonical_text(body), prev, digest, sig)


@EXAMPLES
@given(data=st.data())
def test_inserting_a_forged_row_anywhere_is_detected(base: BaseCase, data: st.DataObject) -> None:
    position = data.draw(st.integers(1, base.n + 1), label="position")
    note = data.draw(st.text(max_size=30), label="note")
    signer = data.draw(st.sampled_from(["other key", "copied signature"]), label="signer")
    copy_from = data.draw(st.integers(1, base.n), label="signature copied from")
    row = forged_row(base, position, note, signer, copy_from)
    with fresh_copy(base) as case_dir:
        with tamper_db(case_dir, base) as conn:
            shift_seqs(conn, position, 1)
            insert_row(conn, row)
        report = base.verify(case_dir)
    assert not report.ok
    named = {(f.code, f.entry) for f in errors(report)}
    assert ("BAD_SIGNATURE", position) in named, described(report)
    if position <= base.n:
        assert ("ROW_INSERTED", position) in named, described(report)
    assert "ENTRY_MODIFIED" not in report.codes()
    assert "ROW_DELETED" not in report.codes()


@EXAMPLES
@given(data=st.data())
def test_duplicating_any_row_is_row_inserted(base: BaseCase, data: st.DataObject) -> None:
    original = data.draw(st.integers(1, base.n), label="row copied")
    position = data.draw(st.integers(1, base.n + 1), label="copy inserted at")
    with fresh_copy(base) as case_dir:
        with tamper_db(case_dir, base) as conn:
            shift_seqs(conn, position, 1)
            insert_row(conn, (position, *base.row(original)[1:]))
        report = base.verify(case_dir)
    assert not report.ok
    moved_original = original + 1 if original >= position else original
    # A copy right next to its original cannot be told from it: either may be named.
    acceptable = {position} | ({moved_original} if abs(moved_original - position) == 1 else set())
    inserted = [f.entry for f in report.findings if f.code == "ROW_INSERTED"]
    assert len(inserted) == 1 and inserted[0] in acceptable, described(report)
    assert not {"BAD_SIGNATURE", "ENTRY_MODIFIED", "ROW_DELETED"} & report.codes()


@EXAMPLES
@given(data=st.data())
def test_swapping_two_rows_contents_is_rows_reordered(base: BaseCase, data: st.DataObject) -> None:
    first, second = sorted(data.draw(st.lists(st.integers(1, base.n), min_size=2, max_size=2, unique=True)))
    with fresh_copy(base) as case_dir:
        with tamper_db(case_dir, base) as conn:
            set_contents(conn, first, base.row(second))
            set_contents(conn, second, base.row(first))
        report = base.verify(case_dir)
    assert not report.ok
    reordered = {f.entry for f in report.findings if f.code == "ROWS_REORDERED"}
    assert reordered & {first, second}, described(report)
    assert all(entry is not None and first <= entry <= second for entry in reordered), described(report)
    assert not {"BAD_SIGNATURE", "ENTRY_MODIFIED", "ROW_DELETED", "ROW_INSERTED"} & report.codes()


@EXAMPLES
@given(data=st.data())
def test_reordering_rows_is_rows_reordered_within_the_moved_span(base: BaseCase, data: st.DataObject) -> None:
    seqs = data.draw(st.lists(st.integers(1, base.n), min_size=2, max_size=base.n, unique=True), label="rows")
    order = data.draw(st.permutations(seqs).filter(lambda p: list(p) != seqs), label="new order")
    with fresh_copy(base) as case_dir:
        with tamper_db(case_dir, base) as conn:
            for target, source in zip(seqs, order, strict=True):
                set_contents(conn, target, base.row(source))
        report = base.verify(case_dir)
    moved = [t for t, s in zip(seqs, order, strict=True) if t != s]
    assert not report.ok
    reordered = {f.entry for f in report.findings if f.code == "ROWS_REORDERED"}
    assert reordered, described(report)
    assert all(entry is not None and min(moved) <= entry <= max(moved) for entry in reordered)
    assert not {"BAD_SIGNATURE", "ENTRY_MODIFIED", "ROW_DELETED", "ROW_INSERTED"} & report.codes()


# -- keys ------------------------------------------------------------------------------------------------


def test_replacing_the_public_key_is_key_replaced(base: BaseCase) -> None:
    with fresh_copy(base) as case_dir:
        pub = case_dir / "keys" / PUBLIC_NAME
        pub.write_bytes(SigningKey.generate().public.to_pem())
        report = base.verify(case_dir)
    assert not report.ok
    assert [(f.code, f.path) for f in errors(report)] == [("KEY_REPLACED", "keys/case.pub")], described(
        report
    )


def resign_everything(case_dir: Path, base: BaseCase, key: SigningKey) -> None:
    """The full-rewrite attack: a new key, a genesis naming it, every entry re-hashed and re-signed, and the
    exhibit name changed on the way (anything can be rewritten once the whole chain is)."""
    prev = GENESIS_PREV
    with tamper_db(case_dir, base) as conn:
        for seq, recorded_at, kind, body_text, _, _, _ in base.rows:
            body = json.loads(body_text)
            if kind == "case.created":
                body["public_key"] = key.public.raw.hex()
                body["key_fingerprint"] = key.public.fingerprint
            if kind == "item.acquired" and body["exhibit"] == "EX-0001":
                body["original_name"] = "innocent.txt"
            digest = entry_hash(prev, kind, recorded_at, body)
            sig = key.sign(bytes.fromhex(digest)).hex()
            conn.execute(
                "UPDATE ledger SET body = ?, prev = ?, hash = ?, sig = ? WHERE seq = ?",
                (canonical_text(body), prev, digest, sig, seq),
            )
            prev = digest
        conn.execute("UPDATE exhibits SET original_name = 'innocent.txt' WHERE exhibit = 'EX-0001'")
    restore = connect_db(case_dir, base)
    try:
        restore.executescript(ledger.LEDGER_SCHEMA)  # the triggers back, as if nothing happened
    finally:
        restore.close()
    keys = case_dir / "keys"
    (keys / "case.key").unlink()
    (keys / PUBLIC_NAME).unlink()
    key.save(keys, None)


def test_full_rewrite_with_a_new_key_passes_alone_and_is_caught_by_fingerprint_or_head(
    base: BaseCase,
) -> None:
    key = SigningKey.generate()
    with fresh_copy(base) as case_dir:
        resign_everything(case_dir, base, key)
        alone = base.verify(case_dir)
        expected_key = base.verify(case_dir, expect_key=base.fingerprint)
        recorded_head = base.verify(case_dir, heads=[base.heads[-1]])
        new_key = base.verify(case_dir, expect_key=key.public.fingerprint)
        with Case.open(case_dir, readonly=True, keys=base.keys) as case:
            assert case.exhibits()[0]["original_name"] == "innocent.txt"
    # Honest limit: a consistent re-signing is a valid case on its own. Only what was written down outside the
    # case (the key fingerprint printed at init, a head from an earlier report or export) exposes it.
    assert alone.ok and not alone.findings, described(alone)
    assert alone.facts["key_fingerprint"] == key.public.fingerprint
    assert not expected_key.ok
    assert [(f.code, f.entry) for f in errors(expected_key)] == [("KEY_NOT_EXPECTED", 1)]
    assert not recorded_head.ok
    assert [(f.code, f.entry) for f in errors(recorded_head)] == [("HEAD_MISMATCH", base.n)]
    assert new_key.ok
