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

import contextlib
import hashlib
import json
import shutil
import sqlite3
import stat
import tempfile
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import evidence.importers
from evidence.api import Case
from evidence.case import ledger, sqldriver, vault
from evidence.case.canonical import GENESIS_PREV, canonical_text, entry_hash
from evidence.case.folder import keyed
from evidence.case.sealed import sealed_name
from evidence.case.signing import PUBLIC_NAME, SigningKey
from evidence.case.vault import CaseKeys
from evidence.importers.base import Importer, Source, Yielded
from evidence.models import Blob, Channel, Direction, ImportOptions, Record, TimeSource
from evidence.verify import ERROR, Finding, Report
from evidence.verify.case import verify_case

EXAMPLES = settings(max_examples=50, deadline=None)
COLUMNS = ("seq", "recorded_at", "kind", "body", "prev", "hash", "sig")
Row = tuple[int, str, str, str, str, str, str]

TESTLOG_MAGIC = b"TESTLOG 1\n"
PASSPHRASE = "tamper base passphrase"


class LineLogImporter(Importer):
    """Test-only format: a magic line, then ``ISO-TIME|sender|text[|attachment text]`` per line."""

    name = "testlog"
    version = "1"
    description = "test-only line log"

    def sniff(self, head: bytes, source: Source) -> bool:
        return head.startswith(TESTLOG_MAGIC)

    def parse(self, source: Source, options: ImportOptions) -> Iterator[Yielded]:
        lines = source.path.read_text("utf-8").splitlines()[1:]
        for number, line in enumerate(lines, start=2):
            when, sender, text, *attachment = line.split("|")
            attachments: tuple[str, ...] = ()
            if attachment:
                blob = Blob(attachment[0].encode(), f"note-{number}.txt", "text/plain", f"line {number}")
                attachments = (blob.sha256,)
                yield blob
            yield Record(
                item_sha256=source.sha256,
                locator=f"line {number}",
                occurred_at=datetime.fromisoformat(when),
                time_source=TimeSource.EXPORT,
                tz_assumed=False,
                channel=Channel.SMS,
                direction=Direction.INCOMING,
                importer=self.name,
                importer_version=self.version,
                sender=sender,
                text=text,
                attachments=attachments,
            )


class BaseCase:
    """The untouched case every example copies, and what its ledger says.

    A plain class, not a dataclass: hypothesis prints a dataclass fixture field by field with every failure.
    """

    def __init__(
        self,
        root: Path,
        rows: list[Row],
        heads: list[str],
        fingerprint: str,
        exhibit_of: dict[str, str],
        named_by: dict[str, set[int]],
        keys: CaseKeys | None = None,
    ) -> None:
        self.root = root
        self.keys = keys  # an encrypted case's keys, None for a plain case
        self.rows = rows
        self.heads = heads  # the head printed after init and after each import, oldest first
        self.fingerprint = fingerprint
        self.exhibit_of = exhibit_of  # object sha256 -> the exhibit it belongs to
        self.named_by = named_by  # object sha256 -> the seqs of every entry naming it

    def __repr__(self) -> str:
        return f"BaseCase({self.root}, {'encrypted' if self.keys else 'plain'})"

    def name(self, sha: str) -> str:
        """The object's file name: its hash, or (encrypted) its sealed name."""
        return sha if self.keys is None else sealed_name(self.keys.name_key, sha)

    def rel(self, sha: str) -> str:
        """The object's path in the case folder, as findings name it."""
        name = self.name(sha)
        return f"objects/{'sealed' if self.keys else 'sha256'}/{name[:2]}/{name}"

    def object_path(self, case_dir: Path, sha: str) -> Path:
        return case_dir / self.rel(sha)

    def verify(self, case_dir: Path, **kwargs: Any) -> Report:
        """``verify_case`` of a copy of this case, with its keys."""
        return verify_case(case_dir, keys=self.keys, **kwargs)

    @property
    def n(self) -> int:
        return len(self.rows)

    def row(self, seq: int) -> Row:
        return self.rows[seq - 1]


def build_base_case(root: Path, corpus: Path, *, encrypted: bool = False) -> BaseCase:
    """Init a case (``encrypted``: under a passphrase) and make three imports: 8 ledger entries, 7 objects."""
    src = root / "src"
    src.mkdir(parents=True)
    email = corpus / "email"
    (src / "log-one.txt").write_bytes(
        TESTLOG_MAGIC + b"2026-03-01T09:15:00+00:00|+447700900123|Pick up. Now.|screenshot of the threat\n"
        b"2026-03-01T09:16:30+00:00|+447700900123|I know where you are\n"
    )
    (src / "log-two.txt").write_bytes(TESTLOG_MAGIC + b"2026-03-02T22:01:00+01:00|alex|\xc3\xa9coute-moi\n")
    shutil.copyfile(email / "cpython-msg_01.txt", src / "forwarded-copy.txt")
    case_dir = root / "case"
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(evidence.importers, "REGISTRY", (LineLogImporter,))
        with Case.init(
            case_dir,
            title="Tamper base",
            tz="Europe/London",
            passphrase=PASSPHRASE if encrypted else None,
            encrypted=encrypted,
            cost=vault.TEST_COST,
        ) as case:
            keys = case.keys
            heads = [str(case.head())]
            case.import_files([email / "cpython-msg_01.txt", src / "log-one.txt"])
            heads.append(str(case.head()))
            case.import_files([email / "cpython-msg_05.txt"])
            heads.append(str(case.head()))
            case.import_files([src / "log-two.txt", src / "forwarded-copy.txt"])
            heads.append(str(case.head()))
            fingerprint = case.public_key.fingerprint
            rows = [
                (e.seq, e.recorded_at, e.kind, e.body_text, e.prev, e.hash, e.sig) for e in case.entries()
            ]
            exhibit_of: dict[str, str] = {}
            named_by: dict[str, set[int]] = {}
            for entry in case.entries():
                body: dict[str, Any] = entry.body
                for obj in body.get("objects", []):
                    exhibit_of.setdefault(obj["sha256"], body["exhibit"])
                    named_by.setdefault(obj["sha256"], set()).add(entry.seq)
    kinds = [r[2] for r in rows]
    acquired, derived = "item.acquired", "records.derived"
    # init | msg_01, log-one (+ its records) | msg_05 | log-two (+ its records), a copy of msg_01
    assert kinds == ["case.created", acquired, acquired, derived, acquired, acquired, derived, acquired]
    assert len(named_by) == 7
    assert (keys is not None) == encrypted
    return BaseCase(case_dir, rows, heads, fingerprint, exhibit_of, named_by, keys)


@pytest.fixture(scope="module", params=["plain", "encrypted"])
def base(tmp_path_factory: pytest.TempPathFactory, corpus: Path, request: pytest.FixtureRequest) -> BaseCase:
    """The base case, plain and encrypted: every tamper test runs on both."""
    encrypted = request.param == "encrypted"
    built = build_base_case(tmp_path_factory.mktemp("tamper-base"), corpus, encrypted=encrypted)
    report = built.verify(built.root)
    assert report.ok and not report.findings, [str(f) for f in report.findings]
    return built


@contextlib.contextmanager
def fresh_copy(base: BaseCase) -> Iterator[Path]:
    """A copy of the base case folder in a new temporary directory (hypothesis examples cannot share one)."""
    with tempfile.TemporaryDirectory(prefix="tamper-") as tmp:
        dest = Path(tmp) / "case"
        shutil.copytree(base.root, dest)
        yield dest


def connect_db(case_dir: Path, base: BaseCase) -> sqlite3.Connection:
    """An ordinary connection to the case database, as the attacker has: an encrypted case's keyed (an attacker
    who holds the key; one who does not can only break pages, see test_tamper_encrypted.py)."""
    if base.keys is None:
        return sqlite3.connect(case_dir / "evidence.db", isolation_level=None)
    conn = sqldriver.connect(case_dir / "evidence.db", isolation_level=None)
    keyed(conn, base.keys.db_key)
    return conn


@contextlib.contextmanager
def tamper_db(case_dir: Path, base: BaseCase) -> Iterator[sqlite3.Connection]:
    """An ordinary sqlite3 connection with the append-only triggers dropped, committed on exit."""
    conn = connect_db(case_dir, base)
    try:
        conn.execute("DROP TRIGGER IF EXISTS ledger_append_only_update")
        conn.execute("DROP TRIGGER IF EXISTS ledger_append_only_delete")
        conn.execute("BEGIN")
        yield conn
        conn.execute("COMMIT")
    finally:
        conn.close()


def shift_seqs(conn: sqlite3.Connection, from_seq: int, by: int) -> None:
    """Renumber every row with seq >= from_seq by ``by`` (through a far range: seq is the primary key)."""
    conn.execute("UPDATE ledger SET seq = seq + 1000000 WHERE seq >= ?", (from_seq,))
    conn.execute("UPDATE ledger SET seq = seq - 1000000 + ? WHERE seq >= 1000000", (by,))


def insert_row(conn: sqlite3.Connection, row: Row) -> None:
    conn.execute(
        "INSERT INTO ledger (seq, recorded_at, kind, body, prev, hash, sig) VALUES (?,?,?,?,?,?,?)", row
    )


def set_contents(conn: sqlite3.Connection, seq: int, source: Row) -> None:
    """Give row ``seq`` every column of ``source`` but its seq."""
    conn.execute(
        "UPDATE ledger SET recorded_at = ?, kind = ?, body = ?, prev = ?, hash = ?, sig = ? WHERE seq = ?",
        (*source[1:], seq),
    )


def errors(report: Report) -> list[Finding]:
    return [f for f in report.findings if f.severity == ERROR]


def described(report: Report) -> list[str]:
    return [str(f) for f in report.findings]


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
            conn.execute("DELETE FROM search_text WHERE derived_seq > ?", (keep,))
            conn.execute("DELETE FROM search_trigram WHERE derived_seq > ?", (keep,))
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
