"""Where a report or a bundle is written before it is recorded (``Writer.publish``), in an encrypted case.

A plain case stages the output in ``objects/tmp`` (tests/reliability/test_crash.py); an encrypted case must never
hold a plaintext report inside its folder, so it stages the output beside its target (``Writer.output_temp``),
with the same guarantees: journalled before it is written, moved into place only after its entry commits, and a
kill finished or undone by the next writer. The kills are real (SIGKILL in a forked child).
"""

from __future__ import annotations

import hashlib
import os
import signal
from collections.abc import Callable
from pathlib import Path
from typing import Any, BinaryIO

import pytest

from evidence.api import Case
from evidence.case import vault
from evidence.case.formats import Kind
from evidence.case.writer import Writer
from evidence.errors import StorageError

PASS = "correct horse battery staple"
CONTENT = b"%PDF-1.7 the report of a frightened person: Alex Morgan 07700 900123\n" * 50
SHA = hashlib.sha256(CONTENT).hexdigest()


def _case(root: Path) -> Case:
    return Case.init(
        root, title="T", tz="Europe/London", passphrase=PASS, encrypted=True, cost=vault.TEST_COST
    )


def _temps(case_root: Path, out: Path) -> tuple[list[Path], list[Path]]:
    """The temporary outputs in the case's staging folder, and beside the target."""
    return sorted((case_root / "objects" / "tmp").glob("output-*")), sorted(
        out.parent.glob(f".{out.name}.output-*")
    )


def _publish(case: Case, out: Path, during: Callable[[Path], None] = lambda tmp: None) -> Any:
    """Publish ``CONTENT`` to ``out`` as a report; ``during`` is called with the temporary file as it is written."""

    def write(fh: BinaryIO) -> dict[str, Any]:
        fh.write(CONTENT)
        fh.flush()
        (tmp,) = _temps(case.root, out)[1]
        during(tmp)
        return {"file_name": out.name, "sha256": SHA, "size": len(CONTENT)}

    return Writer(case).publish(out, "report", Kind.REPORT_GENERATED, write, case.signing_key(PASS))


def test_an_encrypted_case_stages_its_output_beside_the_target_never_in_the_case(tmp_path: Path) -> None:
    out = tmp_path / "out" / "report.pdf"
    seen: list[tuple[str, bytes, list[Path]]] = []
    with _case(tmp_path / "case") as case:
        entry, body = _publish(
            case, out, lambda tmp: seen.append((tmp.name, tmp.read_bytes(), _temps(case.root, out)[0]))
        )
        ((name, data, in_case),) = seen
        assert name.startswith(".report.pdf.output-") and len(name) == len(".report.pdf.output-") + 24
        assert data == CONTENT and in_case == []  # the plaintext was beside the target, not in objects/tmp
        assert out.read_bytes() == CONTENT and body["sha256"] == SHA
        assert _temps(case.root, out) == ([], [])
        assert case.conn.execute("SELECT count(*) FROM pending_outputs").fetchone() == (0,)
        assert [e.kind for e in case.entries()][-1] == Kind.REPORT_GENERATED and entry.seq > 1
    assert not any(b"Alex Morgan" in p.read_bytes() for p in (tmp_path / "case").rglob("*") if p.is_file())


def test_a_failed_output_leaves_nothing_beside_the_target(tmp_path: Path) -> None:
    out = tmp_path / "out" / "report.pdf"
    with _case(tmp_path / "case") as case:
        head = case.head()

        def fail(tmp: Path) -> None:
            raise OSError(28, "No space left on device")

        with pytest.raises(StorageError, match="disk is full"):
            _publish(case, out, fail)
        assert list(out.parent.iterdir()) == [] and case.head() == head
        assert case.conn.execute("SELECT count(*) FROM pending_outputs").fetchone() == (0,)


def _killed(root: Path, out: Path, point: str) -> None:
    """Fork a child that opens the case and dies (SIGKILL) while publishing: at "write" (the temporary file
    half written, no entry) or at "rename" (the entry committed, the file not yet moved)."""
    pid = os.fork()
    if pid == 0:  # pragma: no cover - the child never returns
        try:
            with Case.open(root, passphrase=PASS) as case:
                if point == "rename":
                    setattr(os, "replace", lambda src, dst: os.kill(os.getpid(), signal.SIGKILL))  # noqa: B010

                def during(tmp: Path) -> None:
                    if point == "write":
                        os.kill(os.getpid(), signal.SIGKILL)

                _publish(case, out, during)
        finally:
            os._exit(3)
    _, status = os.waitpid(pid, 0)
    assert os.WIFSIGNALED(status) and os.WTERMSIG(status) == signal.SIGKILL


def test_a_kill_before_the_commit_is_undone_by_the_next_writer(tmp_path: Path) -> None:
    out = tmp_path / "out" / "report.pdf"
    root = tmp_path / "case"
    _case(root).close()
    _killed(root, out, "write")
    (left,) = _temps(root, out)[1]
    assert left.read_bytes() == CONTENT and not out.exists()  # plaintext, where the user asked for the report
    with Case.open(root, passphrase=PASS) as case:
        assert [e.kind for e in case.entries()][-1] != Kind.REPORT_GENERATED
        case.import_files([_note(tmp_path)])  # the next writer
        assert case.recovery_notes == []
        assert list(out.parent.iterdir()) == []
        assert case.conn.execute("SELECT count(*) FROM pending_outputs").fetchone() == (0,)


def test_a_kill_between_the_commit_and_the_move_is_finished_by_the_next_writer(tmp_path: Path) -> None:
    out = tmp_path / "out" / "report.pdf"
    root = tmp_path / "case"
    _case(root).close()
    _killed(root, out, "rename")
    (left,) = _temps(root, out)[1]
    assert left.read_bytes() == CONTENT and not out.exists()
    with Case.open(root, passphrase=PASS) as case:
        assert [e.kind for e in case.entries()][-1] == Kind.REPORT_GENERATED
        case.import_files([_note(tmp_path)])
        assert len(case.recovery_notes) == 1 and str(out) in case.recovery_notes[0], case.recovery_notes
        assert out.read_bytes() == CONTENT and _temps(root, out) == ([], [])
        assert case.conn.execute("SELECT count(*) FROM pending_outputs").fetchone() == (0,)


def test_a_journal_row_is_trusted_only_for_a_file_beside_a_target_outside_the_case(tmp_path: Path) -> None:
    """Even with the key (a row in an encrypted case's database cannot be written without it), the next writer
    removes or moves nothing but ``.<target>.output-<hex>`` beside a target outside the case."""
    root = tmp_path / "case"
    bystander = tmp_path / "keep" / "diary.txt"
    bystander.parent.mkdir()
    bystander.write_text("not the case's")
    inside = root / "report.pdf"
    with _case(root) as case:
        case.import_files([_note(tmp_path)])  # a writer: the journal table exists from here on
        for tmp, target in (
            ("../keep/diary.txt", str(tmp_path / "out" / "r.pdf")),
            ("output-" + "0" * 24, str(inside)),
        ):
            case.conn.execute(
                "INSERT INTO pending_outputs (tmp, target, kind) VALUES (?, ?, ?)", (tmp, target, "x")
            )
        (root / f".report.pdf.output-{'0' * 24}").write_bytes(b"stays")
        case.import_files([_note(tmp_path)])
        assert len(case.recovery_notes) == 2 and all("left alone" in n for n in case.recovery_notes)
    assert bystander.read_text() == "not the case's"
    assert (root / f".report.pdf.output-{'0' * 24}").read_bytes() == b"stays"


def _note(base: Path) -> Path:
    path = base / "note.txt"
    path.write_text("written after the kill\n")
    return path
