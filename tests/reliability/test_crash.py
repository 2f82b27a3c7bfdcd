"""Crash consistency: an import, a report and an export killed with SIGKILL at random points.

Each trial forks a child (already holding the imported library, so no interpreter start-up skews the kill
points) that opens a copy of a small case and runs one operation; the parent kills it after a delay drawn
from a seeded RNG over the operation's measured duration. Then, before any new write, ``verify_case`` must
pass with at most ``INCOMPLETE_IMPORT`` warnings, and the operation must be wholly present or wholly absent.
A further import must then succeed and leave a case that verifies with no findings at all.

The import, report and export trials run on a plain and on an encrypted case (issue 19; fewer import trials on
the latter). An encrypted case stages its outputs beside their target (``.<name>.output-<hex>``), not in the case.

The guarantee for a report or an export (both write the file to a temporary name in the case's staging
folder, fsync it, commit the ledger entry, then move it out): with no ``*.generated``/``*.created`` entry, no
file is at the target; with the entry, the complete file with the entry's hash is at the target, or, when the
kill fell between the commit and the move, at the one temporary name ``objects/tmp/output-*`` (random kills
rarely land there, so one trial each for the report and the export kills the child exactly there). Each output
is journalled (``pending_outputs``) before its temporary file is written, so the next writer finishes the job:
it moves a committed output's temporary file into place (its hash checked against the entry's) and removes
the temporary file of one whose entry never committed; until then verify warns ``INCOMPLETE_OUTPUT``. After
the further import of each trial, the target holds the output exactly when the entry exists, and no temporary
file is left.
"""

from __future__ import annotations

import hashlib
import os
import random
import shutil
import signal
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from evidence.actions import reporting
from evidence.api import Case, canonical_loads
from evidence.case import vault
from evidence.case.formats import KEYS_DIR
from evidence.verify import Report
from evidence.verify.case import verify_case as _verify_case

SEED = 20261123
GENERATED_AT = datetime(2036, 4, 15, 10, 0, tzinfo=UTC)  # after the ledger head: a report cannot be backdated


PASS = "crash test passphrase"
KINDS = [pytest.param(False, id="plain"), pytest.param(True, id="encrypted")]


def _open(root: Path, *, readonly: bool = False) -> Case:
    """The case at ``root``, plain or encrypted (the passphrase is asked only of an encrypted one)."""
    return Case.open(root, readonly=readonly, passphrase=PASS)


def verify_case(root: Path) -> Report:
    """``verify_case``, given the keys when the case is encrypted."""
    keys = vault.unlock(root / KEYS_DIR, PASS) if vault.is_encrypted(root) else None
    return _verify_case(root, keys=keys)


def _base_case(tmp_path: Path, corpus: Path, encrypted: bool = False) -> Path:
    root = tmp_path / "base"
    with Case.init(
        root,
        title="Crash test",
        tz="Europe/London",
        passphrase=PASS if encrypted else None,
        encrypted=encrypted,
        cost=vault.TEST_COST,
    ) as case:
        case.import_files([corpus / "smsbackup" / "sms-devadvance-sms_small.xml"])
    return root


def _import_inputs(tmp_path: Path, corpus: Path) -> list[Path]:
    folder = tmp_path / "inputs"
    folder.mkdir()
    note = folder / "note.txt"
    note.write_text("a note written for the crash test\n")
    return [
        corpus / "smsbackup" / "sms-shruggietech-mixed.xml",
        corpus / "email" / "cpython-msg_05.txt",
        corpus / "email" / "hunnysoft-m0001.eml",
        note,
    ]


def _run_killed(action: Callable[[], None], delay: float | None) -> tuple[bool, float]:
    """Fork a child running ``action``; SIGKILL it after ``delay`` seconds (None: let it finish).

    Returns whether the child finished on its own, and the time it ran.
    """
    start = time.monotonic()
    pid = os.fork()
    if pid == 0:  # the child: never returns into pytest
        code = 0
        try:
            action()
        except BaseException:  # noqa: BLE001 - report any failure through the exit status only
            code = 3
        os._exit(code)
    if delay is not None:
        deadline = start + delay
        while (now := time.monotonic()) < deadline:
            done, status = os.waitpid(pid, os.WNOHANG)
            if done:
                assert os.waitstatus_to_exitcode(status) == 0
                return True, now - start
            time.sleep(min(0.002, deadline - now))
        os.kill(pid, signal.SIGKILL)
    _, status = os.waitpid(pid, 0)
    code = os.waitstatus_to_exitcode(status)
    assert code in (0, -signal.SIGKILL), code
    return code == 0, time.monotonic() - start


def _entries_after(root: Path, seq: int) -> list[tuple[str, dict[str, Any]]]:
    with _open(root, readonly=True) as case:
        return [(e.kind, canonical_loads(e.body_text)) for e in case.entries() if e.seq > seq]


def _verify_after_kill(root: Path) -> None:
    report = verify_case(root)
    assert report.ok, [str(f) for f in report.findings]
    assert {f.code for f in report.findings} <= {"INCOMPLETE_IMPORT", "INCOMPLETE_OUTPUT"}


def _further_import(root: Path, trial: int) -> None:
    extra = root.parent / f"extra-{trial}.txt"
    extra.write_text(f"imported after the kill of trial {trial}\n")
    with _open(root) as case:
        result = case.import_files([extra])
        assert len(result.items) == 1
        assert case.store.stray_stages() == []
    report = verify_case(root)
    assert report.ok and report.findings == [], [str(f) for f in report.findings]


def _trials(
    tmp_path: Path,
    base: Path,
    name: str,
    count: int,
    operation: Callable[[Path], None],
    check: Callable[[Path, int, list[tuple[str, dict[str, Any]]]], str],
    after: Callable[[Path, list[tuple[str, dict[str, Any]]]], None] | None = None,
) -> dict[str, int]:
    """Measure ``operation`` once, then kill it ``count`` times; returns how the trials ended."""
    with _open(base, readonly=True) as case:
        base_seq = case.head().seq
    probe = tmp_path / f"{name}-probe" / "case"
    shutil.copytree(base, probe)
    finished, duration = _run_killed(lambda: operation(probe), None)
    assert finished
    full = _entries_after(probe, base_seq)
    assert full and check(probe, base_seq, full) == "present"
    rng = random.Random(f"{SEED}-{name}")
    outcomes = {"absent": 0, "present": 0, "present, not yet renamed": 0}
    for trial in range(count):
        root = tmp_path / f"{name}-{trial}" / "case"
        shutil.copytree(base, root)
        _run_killed(lambda root=root: operation(root), rng.uniform(0.0, duration * 1.1))  # type: ignore[misc]
        _verify_after_kill(root)
        new = _entries_after(root, base_seq)
        if new:
            assert [kind for kind, _ in new] == [kind for kind, _ in full]
        outcomes[check(root, base_seq, new)] += 1
        _further_import(root, trial)
        if after is not None:
            after(root, new)
        shutil.rmtree(root.parent)
    return outcomes


@pytest.mark.parametrize("encrypted", KINDS)
def test_killed_import_is_all_or_nothing(tmp_path: Path, corpus: Path, encrypted: bool) -> None:
    base = _base_case(tmp_path, corpus, encrypted)
    inputs = _import_inputs(tmp_path, corpus)
    shas = [hashlib.sha256(p.read_bytes()).hexdigest() for p in inputs]

    def operation(root: Path) -> None:
        with _open(root) as case:
            case.import_files(inputs)

    def check(root: Path, base_seq: int, new: list[tuple[str, dict[str, Any]]]) -> str:
        with _open(root, readonly=True) as case:
            exhibits = {e["sha256"]: e["exhibit"] for e in case.exhibits()}
            records = case.records()
            if not new:
                assert not any(s in exhibits for s in shas) and not any(
                    r.item_sha256 in shas for r in records
                )
                return "absent"
            assert len({body["op"] for _, body in new}) == 1
            acquired = [body for kind, body in new if kind == "item.acquired"]
            assert [body["sha256"] for body in acquired] == shas
            for body in acquired:
                assert exhibits[body["sha256"]] == body["exhibit"]
                assert case.store.exists(body["sha256"])
            derived = [body for kind, body in new if kind == "records.derived"]
            assert any(body["importer"] == "smsbackup" and body["record_count"] > 0 for body in derived)
            for body in derived:
                assert sum(r.item_sha256 == body["item_sha256"] for r in records) == body["record_count"]
                assert all(case.store.exists(obj["sha256"]) for obj in body["objects"])
        return "present"

    outcomes = _trials(tmp_path, base, "import", 15 if encrypted else 40, operation, check)
    assert outcomes["absent"] > 0 and outcomes["present"] > 0, outcomes


def _output_check(kind: str, file_name: str) -> Callable[[Path, int, list[tuple[str, dict[str, Any]]]], str]:
    def check(root: Path, base_seq: int, new: list[tuple[str, dict[str, Any]]]) -> str:
        out = root.parent / "out" / file_name
        temps = _temps(root)
        if not new:
            # No entry: nothing at the target (a temporary file beside it may remain; it is not the output).
            assert not out.exists()
            return "absent"
        # The checkpoint the output carries is committed with its entry, in one transaction.
        assert [k for k, _ in new] == ["checkpoint.signed", kind] and new[0][1]["size"] == base_seq
        body = new[1][1]
        assert body["file_name"] == file_name and body["built_from"]["seq"] == base_seq + 1
        outcome = "present"
        if out.exists():
            data = out.read_bytes()
        else:
            # Killed between the commit and the move: the complete file waits under its temporary name.
            assert len(temps) == 1, temps
            data = temps[0].read_bytes()
            outcome = "present, not yet renamed"
        assert len(data) == body["size"] and hashlib.sha256(data).hexdigest() == body["sha256"]
        return outcome

    return check


def _temps(root: Path) -> list[Path]:
    """The temporary outputs (reports, bundles being written): in the case's staging folder, or for an
    encrypted case beside the target."""
    beside = root.parent / "out"
    return sorted((root / "objects" / "tmp").glob("output-*")) + sorted(beside.glob(".*.output-*"))


def _recovered(file_name: str) -> Callable[[Path, list[tuple[str, dict[str, Any]]]], None]:
    """After the next writer: the output at the target exactly when its entry exists; no temporary file."""

    def after(root: Path, new: list[tuple[str, dict[str, Any]]]) -> None:
        out = root.parent / "out" / file_name
        assert not _temps(root)
        assert not list(out.parent.glob(".*.tmp")) if out.parent.is_dir() else True
        if new:
            assert (
                hashlib.sha256(out.read_bytes()).hexdigest() == new[-1][1]["sha256"]
            )  # after its checkpoint
        else:
            assert not out.exists()

    return after


@pytest.mark.parametrize("encrypted", KINDS)
def test_killed_report_is_all_or_nothing(tmp_path: Path, corpus: Path, encrypted: bool) -> None:
    base = _base_case(tmp_path, corpus, encrypted)

    def operation(root: Path) -> None:
        with _open(root) as case:
            case.report(root.parent / "out" / "report.pdf", generated_at=GENERATED_AT)

    outcomes = _trials(
        tmp_path,
        base,
        "report",
        30,
        operation,
        _output_check("report.generated", "report.pdf"),
        _recovered("report.pdf"),
    )
    assert outcomes["absent"] > 0 and outcomes["present"] > 0, outcomes


@pytest.mark.parametrize("encrypted", KINDS)
def test_killed_export_is_all_or_nothing(tmp_path: Path, corpus: Path, encrypted: bool) -> None:
    base = _base_case(tmp_path, corpus, encrypted)

    def operation(root: Path) -> None:
        with _open(root) as case:
            case.export(root.parent / "out" / "bundle.zip")

    outcomes = _trials(
        tmp_path,
        base,
        "export",
        35,
        operation,
        _output_check("export.created", "bundle.zip"),
        _recovered("bundle.zip"),
    )
    assert outcomes["absent"] > 0 and outcomes["present"] > 0, outcomes


def test_claim_left_by_a_killed_writer_is_collected(tmp_path: Path) -> None:
    """A writer killed between creating its session claim and locking it leaves an unlocked ``.claim``; the
    next writer removes it at once when the process it names is gone (not only after a minute)."""
    with Case.init(tmp_path / "case", title="t", tz="UTC") as case:
        dead = os.fork()
        if dead == 0:
            os._exit(0)
        os.waitpid(dead, 0)
        stale = case.store.tmp / f"session-{dead}-0123456789abcdef.claim"
        live = case.store.tmp / f"session-{os.getpid()}-fedcba9876543210.claim"
        stale.touch()
        live.touch()
        assert {f.code for f in verify_case(case.root).findings} == {"INCOMPLETE_IMPORT"}
        case.import_files([_write(tmp_path / "a.txt", "a")])
        assert case.store.stray_stages() == [live]  # a live process's fresh claim is left alone
        live.unlink()
        assert verify_case(case.root).findings == []


def _write(path: Path, text: str) -> Path:
    path.write_text(text)
    return path


def test_kill_between_commit_and_rename_is_finished_by_the_next_writer(tmp_path: Path, corpus: Path) -> None:
    """The one window random kills rarely hit: the entry is committed, the rename not yet done. The complete
    file waits beside the target; the next writer (here an import) renames it into place and says so."""
    base = _base_case(tmp_path, corpus)
    with _open(base, readonly=True) as case:
        base_seq = case.head().seq
    jobs: list[tuple[str, str, Callable[[Case, Path], object]]] = [
        ("report.generated", "report.pdf", lambda case, out: case.report(out, generated_at=GENERATED_AT)),
        ("export.created", "bundle.zip", lambda case, out: case.export(out)),
    ]
    for n, (kind, file_name, run) in enumerate(jobs):
        root = tmp_path / f"window-{n}" / "case"
        shutil.copytree(base, root)

        def operation(root: Path = root, file_name: str = file_name, run: Any = run) -> None:
            def die(src: object, dst: object) -> None:
                os.kill(os.getpid(), signal.SIGKILL)

            setattr(os, "replace", die)  # noqa: B010 - only in the forked child, which never returns
            with _open(root) as case:
                run(case, root.parent / "out" / file_name)

        finished, _ = _run_killed(operation, None)
        assert not finished
        _verify_after_kill(root)
        new = _entries_after(root, base_seq)
        assert _output_check(kind, file_name)(root, base_seq, new) == "present, not yet renamed"
        out = root.parent / "out" / file_name
        with _open(root) as case:
            case.import_files([_write(root.parent / "after.txt", "after the kill")])
            assert len(case.recovery_notes) == 1 and str(out) in case.recovery_notes[0], case.recovery_notes
        _recovered(file_name)(root, new)
        _further_import(root, n)


def _kill_at(point: str) -> Callable[[Path], None]:
    """An operation writing a report that dies (SIGKILL) at ``point``: "write" (the temporary file half
    written, before the entry) or "rename" (after the commit, the file damaged since, as a faulty disk might)."""

    def operation(root: Path) -> None:
        real_replace = os.replace

        def die_before_rename(src: Any, dst: Any) -> None:
            with open(src, "r+b") as fh:
                fh.seek(100)
                fh.write(b"XXXX")
            os.kill(os.getpid(), signal.SIGKILL)

        with _open(root) as case:
            if point == "rename":
                setattr(os, "replace", die_before_rename)  # noqa: B010 - only in the forked child
            render = reporting.render_report

            def half_then_die(case: Any, **kwargs: Any) -> bytes:
                pdf = render(case, **kwargs)
                if point == "write":
                    tmp = _temps(root)[0]
                    tmp.write_bytes(pdf[: len(pdf) // 2])
                    os.kill(os.getpid(), signal.SIGKILL)
                return pdf

            setattr(reporting, "render_report", half_then_die)  # noqa: B010 - only in the forked child
            case.report(root.parent / "out" / "report.pdf", generated_at=GENERATED_AT)
        del real_replace

    return operation


def test_killed_output_is_cleaned_by_the_next_writer(tmp_path: Path, corpus: Path) -> None:
    """A temporary file whose entry never committed is removed silently; one whose hash is not the committed
    entry's is removed with a note (never renamed into place)."""
    base = _base_case(tmp_path, corpus)
    for point, entries in (("write", 0), ("rename", 2)):
        root = tmp_path / point / "case"
        shutil.copytree(base, root)
        with _open(root, readonly=True) as case:
            base_seq = case.head().seq
        finished, _ = _run_killed(lambda root=root, point=point: _kill_at(point)(root), None)  # type: ignore[misc]
        assert not finished
        out = root.parent / "out"
        assert len(_temps(root)) == 1
        assert len(_entries_after(root, base_seq)) == entries  # the checkpoint and the report entry
        assert {f.code for f in verify_case(root).findings} == {"INCOMPLETE_OUTPUT"}
        with _open(root) as case:
            case.import_files([_write(root.parent / "after.txt", "after the kill")])
            notes = case.recovery_notes
        assert list(out.iterdir()) == [] and _temps(root) == []
        if point == "write":
            assert notes == []
        else:
            assert len(notes) == 1 and "SHA-256 is not the recorded" in notes[0], notes
        assert verify_case(root).findings == []
