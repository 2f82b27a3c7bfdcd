"""Filesystem and journal attacks (issue 13, part "files"): write access to the case folder, no key.

Each test reproduces one script of ``../shared/redteam`` on a small case built here and asserts that the attack
is now caught (a verify finding), refused, or harmless: the journals are never trusted for a path outside the
case, objects are read only as regular files of the case, key files are never written through a link, and an
intact case reads from read-only media.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from evidence.api import Case
from evidence.case.formats import CERTIFICATE_NAME, DB_NAME, KEYS_DIR
from evidence.errors import EvidenceError
from evidence.verify.case import verify_case
from tests.conftest import run_cli


@pytest.fixture
def small(tmp_path: Path) -> Path:
    """A case of two text files, and a ``home`` folder beside it holding what an attacker would aim at."""
    inputs = []
    for i, text in enumerate(("Alex called again at 9", "Alex waited outside the school")):
        path = tmp_path / f"note{i}.txt"
        path.write_text(text + "\n", encoding="utf-8")
        inputs.append(path)
    with Case.init(tmp_path / "case", title="T", tz="Europe/London") as case:
        case.import_files(inputs)
    (tmp_path / "home").mkdir()
    return tmp_path / "case"


def _sql(root: Path, statement: str, params: tuple[object, ...] = ()) -> None:
    conn = sqlite3.connect(root / DB_NAME, isolation_level=None)
    try:
        conn.execute(statement, params)
    finally:
        conn.close()


def _rows(root: Path, table: str) -> int:
    conn = sqlite3.connect(root / DB_NAME, isolation_level=None)
    try:
        return int(conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0])
    finally:
        conn.close()


def _codes(root: Path) -> set[str]:
    return {f.code for f in verify_case(root).findings}


def _an_object(root: Path) -> Path:
    return sorted((root / "objects" / "sha256").glob("*/*"))[0]


def _write_something(root: Path) -> list[str]:
    """A writing command (a diary entry), as the victim would run next; returns its recovery notes."""
    with Case.open(root) as case:
        case.add_diary_entry(when="2026-04-20 10:00", text="test entry")
        return list(case.recovery_notes)


def test_a06_pending_outputs_row_outside_the_case(small: Path) -> None:
    """Rows planted in ``pending_outputs`` naming files outside the case: nothing is deleted or moved, the
    rows stay, verify names them, and the writing command says it left them alone."""
    home = small.parent / "home"
    statement = home / "statement.docx"
    statement.write_text("my only copy of the police statement\n")
    drop = home / "drop.tmp"
    drop.write_text("attacker content\n")
    sha = hashlib.sha256(drop.read_bytes()).hexdigest()
    # Also a well-formed temporary name in the staging folder, holding the attacker's file, claiming entry 3.
    staged = small / "objects" / "tmp" / ("output-" + "ab" * 12)
    shutil.copy(drop, staged)
    _sql(
        small,
        "CREATE TABLE IF NOT EXISTS pending_outputs (tmp TEXT PRIMARY KEY, target TEXT NOT NULL, "
        "kind TEXT NOT NULL, sha256 TEXT, seq INTEGER)",
    )
    for row in (
        (str(statement), "/nonexistent", "report.generated", None, None),
        (str(drop), str(home / ".bashrc_planted"), "report.generated", sha, 3),
        (staged.name, str(home / ".profile_planted"), "report.generated", sha, 3),
        ("../../keys/case.key", "/nonexistent", "export.created", None, None),
    ):
        _sql(
            small, "INSERT INTO pending_outputs (tmp, target, kind, sha256, seq) VALUES (?, ?, ?, ?, ?)", row
        )

    found = verify_case(small)
    assert not found.ok
    assert [f.code for f in found.findings].count("JOURNAL_INVALID") == 4, [str(f) for f in found.findings]

    notes = _write_something(small)
    assert sorted(p.name for p in home.iterdir()) == ["drop.tmp", "statement.docx"]
    assert statement.read_text() == "my only copy of the police statement\n"
    assert staged.read_text() == "attacker content\n" and (small / KEYS_DIR / "case.key").is_file()
    assert _rows(small, "pending_outputs") == 4  # left alone, for verify to keep reporting
    assert len([n for n in notes if "left alone" in n]) == 4, notes
    assert _codes(small) == {"JOURNAL_INVALID", "INCOMPLETE_OUTPUT"}  # the staged file no valid row names


def test_a06_a_genuine_killed_output_is_still_finished(small: Path, tmp_path: Path) -> None:
    """The journal's purpose still works: an output committed but not yet moved waits in objects/tmp (verify
    warns INCOMPLETE_OUTPUT naming the command that finishes it) and the next writer moves it into place."""
    out = tmp_path / "out" / "report.pdf"
    with Case.open(small) as case:
        written = case.report(out)
    staged = small / "objects" / "tmp" / ("output-" + "cd" * 12)
    os.replace(out, staged)
    _sql(
        small,
        "INSERT INTO pending_outputs (tmp, target, kind, sha256, seq) VALUES (?, ?, ?, ?, ?)",
        (staged.name, str(out), "report.generated", written.sha256, written.entry.seq),
    )
    found = verify_case(small)
    assert found.ok and {f.code for f in found.findings} == {"INCOMPLETE_OUTPUT"}
    assert "evidence report" in found.findings[0].message and "diary add" in found.findings[0].message
    notes = _write_something(small)
    assert hashlib.sha256(out.read_bytes()).hexdigest() == written.sha256 and not staged.exists()
    assert len(notes) == 1 and str(out) in notes[0], notes
    assert verify_case(small).findings == []


def test_a07_pending_object_outside_the_case(small: Path) -> None:
    """``pending_objects`` rows naming an absolute path or a path out of the store: nothing is removed."""
    home = small.parent / "home"
    backup = home / "photos-backup.tar"
    backup.write_text("precious\n")
    backup.chmod(0o444)
    escape = os.path.relpath(backup, small / "objects" / "sha256" / "..")
    for name in (str(backup), "../../" + escape, "x" * 64):
        _sql(small, "INSERT INTO pending_objects (sha256, op) VALUES (?, 'x')", (name,))
    found = verify_case(small)
    assert not found.ok and [f.code for f in found.findings].count("JOURNAL_INVALID") == 3

    notes = _write_something(small)
    assert backup.read_text() == "precious\n"
    assert _rows(small, "pending_objects") == 3
    assert len([n for n in notes if "left alone" in n]) == 3, notes


def test_a07_staging_folder_linked_out_of_the_case(small: Path) -> None:
    """A variant: ``objects/tmp`` replaced by a link to a folder outside the case, where the clean-up of
    abandoned staging files would delete everything. Nothing there is deleted; staging into it is refused."""
    home = small.parent / "home"
    (home / "photos.tar").write_text("precious\n")
    (home / "session-1-0123456789abcdef-000001").write_text("named like a staging file\n")
    shutil.rmtree(small / "objects" / "tmp")
    (small / "objects" / "tmp").symlink_to(home, target_is_directory=True)
    with Case.open(small) as case:  # a writing command that stages nothing
        case.add_person("Someone", role="third-party", ids=["+447700900777"], basis="test")
        notes = list(case.recovery_notes)
    assert sorted(p.name for p in home.iterdir()) == ["photos.tar", "session-1-0123456789abcdef-000001"]
    assert any("not a folder of the case" in n for n in notes), notes
    note = small.parent / "note.txt"
    note.write_text("a new note\n")
    with Case.open(small) as case, pytest.raises(EvidenceError, match="staging folder"):
        case.import_files([note])
    assert sorted(p.name for p in home.iterdir()) == ["photos.tar", "session-1-0123456789abcdef-000001"]


def _verify_in_a_process(root: Path) -> subprocess.CompletedProcess[str]:
    """``evidence verify`` in a child with a deadline: a hang fails the test instead of stalling it."""
    return subprocess.run(
        [sys.executable, "-m", "evidence", "-C", str(root), "verify"],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_a08_fifo_or_dev_zero_object(small: Path) -> None:
    """An object replaced by a FIFO, or by a link to /dev/zero: verify ends, naming it; reading it for an
    export is refused instead of hanging."""
    obj = _an_object(small)
    obj.unlink()
    os.mkfifo(obj)
    result = _verify_in_a_process(small)
    assert result.returncode == 1 and "MODIFIED" in result.stdout and "a FIFO" in result.stdout, result.stdout
    with Case.open(small) as case, pytest.raises(EvidenceError, match="a FIFO"):
        case.store.read_bytes(obj.name)

    obj.unlink()
    obj.symlink_to("/dev/zero")
    result = _verify_in_a_process(small)
    assert result.returncode == 1 and "a symbolic link" in result.stdout, result.stdout


def test_a09_object_linked_to_an_outside_copy(small: Path) -> None:
    """An object replaced by a link to an identical copy outside the case, or its whole shard folder linked
    to an outside copy: both are MODIFIED, and the store does not read through the link."""
    obj = _an_object(small)
    outside = small.parent / "outside"
    outside.mkdir()
    shutil.copy(obj, outside / obj.name)
    obj.chmod(0o644)
    obj.unlink()
    obj.symlink_to(outside / obj.name)
    found = verify_case(small)
    assert not found.ok
    [modified] = [f for f in found.findings if f.code == "MODIFIED"]
    assert modified.path is not None and modified.path.endswith(obj.name)
    assert "symbolic link" in modified.message
    with Case.open(small) as case:
        assert not case.store.exists(obj.name)
        with pytest.raises(EvidenceError, match="symbolic link"):
            case.store.open(obj.name)

    # The shard folder itself linked to a copy of it outside the case.
    obj.unlink()
    shutil.copy(outside / obj.name, obj)
    shard = obj.parent
    shutil.copytree(shard, outside / "shard")
    shutil.rmtree(shard)
    shard.symlink_to(outside / "shard", target_is_directory=True)
    found = verify_case(small)
    messages = {f.code: f.message for f in found.findings}
    assert not found.ok and "MODIFIED" in messages and "EXTRA" in messages
    assert "symbolic link" in messages["MODIFIED"]
    with Case.open(small) as case, pytest.raises(EvidenceError, match="linked out of the case"):
        case.store.read_bytes(obj.name)


def test_a27_certificate_link_is_replaced_not_written_through(small: Path, tmp_path: Path) -> None:
    """``keys/case.crt`` planted as a link to a file: ``report --sign`` replaces the link, never its target."""
    statement = small.parent / "home" / "statement.txt"
    statement.write_text("the only copy of my witness statement\n")
    link = small / KEYS_DIR / CERTIFICATE_NAME
    link.symlink_to(statement)
    with Case.open(small) as case:
        case.report(tmp_path / "r.pdf", sign=True)
    assert statement.read_text() == "the only copy of my witness statement\n"
    assert not link.is_symlink() and link.read_text().startswith("-----BEGIN CERTIFICATE-----")
    assert verify_case(small).ok


@pytest.fixture
def read_only_copy(small: Path, tmp_path: Path) -> Iterator[Path]:
    """The case as a writing command leaves it (no -wal/-shm), on read-only media: a read-only bind mount when
    running as root (root writes through any mode), else a folder without write permission."""
    for suffix in ("-wal", "-shm"):
        assert not (small / f"{DB_NAME}{suffix}").exists()
    if os.geteuid() != 0:
        small.chmod(0o555)
        try:
            yield small
        finally:
            small.chmod(0o755)
        return
    mount = tmp_path / "ro"
    mount.mkdir()
    subprocess.run(["mount", "--bind", str(small), str(mount)], check=True)
    try:
        subprocess.run(["mount", "-o", "remount,bind,ro", str(mount)], check=True)
        yield mount
    finally:
        subprocess.run(["umount", str(mount)], check=True)


def test_a20_intact_case_on_read_only_media(read_only_copy: Path) -> None:
    """Verify and the reading commands work on read-only media, and verify leaves no -wal/-shm behind."""
    before = sorted(p.name for p in read_only_copy.iterdir())
    assert verify_case(read_only_copy).findings == []
    with Case.open(read_only_copy, readonly=True) as case:
        assert len(case.exhibits()) == 2 and case.head().seq >= 3
    assert sorted(p.name for p in read_only_copy.iterdir()) == before


def test_every_writing_command_prints_what_recovery_left_alone(tmp_path: Path) -> None:
    """A journal row naming something outside the case is left alone with a note: every writing command
    says so on stderr (not only import, report and export), and only once."""
    root = tmp_path / "case"
    with Case.init(root, title="T", tz="Europe/London"):
        pass
    outside = tmp_path / "photos-backup.tar"
    outside.write_text("precious")
    conn = sqlite3.connect(root / "evidence.db")
    conn.execute("INSERT INTO pending_objects (sha256, op) VALUES (?, 'x')", (str(outside),))
    conn.commit()
    conn.close()
    done = run_cli("-C", str(root), "person", "add", "Someone", "--role", "third-party", "--basis", "test")
    assert done.returncode == 0, done.stderr
    notes = [line for line in done.stderr.splitlines() if line.startswith("note: ")]
    assert len(notes) == 1 and "not an object of the case: left" in notes[0]
    assert outside.read_text() == "precious"
