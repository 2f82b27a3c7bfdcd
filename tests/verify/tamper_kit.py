"""The tamper tests' harness: a base case (plain or encrypted) built once a module from real corpus e-mails, a
duplicate and two logs read by a test-only importer, fresh copies of it, and connections that tamper with its
database as an attacker (or, for an encrypted case, a key holder) would. Used by ``test_tamper.py`` and
``test_tamper_encrypted.py``."""

from __future__ import annotations

import contextlib
import shutil
import sqlite3
import tempfile
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from hypothesis import settings

import evidence.importers
from evidence.api import Case
from evidence.case import sqldriver, vault
from evidence.case.folder import keyed
from evidence.case.sealed import sealed_name
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
    acquired, derived, suggested = "item.acquired", "records.derived", "tactics.suggested"
    # init | msg_01, log-one (+ its records and their tactic suggestions) | msg_05 | log-two (+ its records and
    # suggestions), a copy of msg_01
    assert kinds == [
        "case.created",
        *(acquired, acquired, derived, suggested),
        *(acquired, acquired, derived, suggested, acquired),
    ]
    assert len(named_by) == 9  # 5 files, 2 records blobs, 2 suggestions blobs
    assert (keys is not None) == encrypted
    return BaseCase(case_dir, rows, heads, fingerprint, exhibit_of, named_by, keys)


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
