"""Verification only reads: every byte of the case folder (evidence.db, its -wal and -shm, the lock, objects,
keys) and its list of files with their modes and times are the same after each kind of verify as before.

Three cases: a clean one (closed, no WAL), one whose index an older version built (``INDEX_OUTDATED``: opening
it through ``api.Case`` would re-index it), and one whose import was killed between placing its objects and
committing its entries (the import journal holds rows, and the WAL and its -shm are left behind: any SQLite
reader of the live files would write to the -shm). Each is verified as a case (``verify_case`` and the CLI),
and through its bundle and its signed report (with the case and without).
"""

from __future__ import annotations

import hashlib
import os
import shutil
import sqlite3
import subprocess
import sys
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from evidence.api import Case
from evidence.case.formats import DB_NAME, IMPORT_JOURNAL, LOCK_NAME
from evidence.verify.bundle import verify_bundle
from evidence.verify.case import verify_case
from evidence.verify.db import open_snapshot
from evidence.verify.report import verify_report
from tests.conftest import run_cli
from tests.verify.test_verify_case import KILL_DURING_PLACE

GENERATED_AT = datetime(2036, 4, 15, 10, 0, tzinfo=UTC)  # after the ledger head: a report cannot be backdated

Listing = dict[str, tuple[Any, ...]]


def folder_state(root: Path) -> Listing:
    """Every file and folder under ``root`` (itself included): type, mode, size, modification time and, for a
    file, the SHA-256 of its bytes."""
    state: Listing = {}
    for path in [root, *sorted(root.rglob("*"))]:
        st = path.lstat()
        digest = hashlib.sha256(path.read_bytes()).hexdigest() if path.is_file() else None
        state[path.relative_to(root).as_posix() or "."] = (st.st_mode, st.st_size, st.st_mtime_ns, digest)
    return state


@pytest.fixture(scope="module")
def base(tmp_path_factory: pytest.TempPathFactory, corpus: Path) -> tuple[Path, Path, Path]:
    """A case with two imports, a signed report and an export bundle holding it; closed."""
    folder = tmp_path_factory.mktemp("readonly")
    root = folder / "case"
    with Case.init(root, title="Read-only", tz="Europe/London") as case:
        case.import_files([corpus / "smsbackup" / "sms-devadvance-sms_small.xml"])
        case.import_files([corpus / "email" / "cpython-msg_01.txt"])
        case.report(folder / "report.pdf", generated_at=GENERATED_AT, sign=True)
        case.export(folder / "bundle.zip", report=folder / "report.pdf")
    return root, folder / "report.pdf", folder / "bundle.zip"


def _outdate_index(root: Path) -> None:
    # What an older version left (as tests/case/test_reindex.py makes it).
    conn = sqlite3.connect(root / DB_NAME, isolation_level=None)
    try:
        conn.execute("DROP TABLE people")
        conn.execute("DROP TABLE search_text")
        conn.execute("DELETE FROM meta WHERE key = 'index_version'")
    finally:
        conn.close()


@pytest.fixture(params=["clean", "outdated_index", "crashed_import"])
def variant(
    request: pytest.FixtureRequest, base: tuple[Path, Path, Path], tmp_path: Path, corpus: Path
) -> tuple[str, Path, Path, Path]:
    root, pdf, bundle = base
    copy = tmp_path / "case"
    shutil.copytree(root, copy)
    if request.param == "outdated_index":
        _outdate_index(copy)
    elif request.param == "crashed_import":
        _crash_an_import_keeping_its_wal(copy, corpus)
    return request.param, copy, pdf, bundle


def _crash_an_import_keeping_its_wal(root: Path, corpus: Path) -> None:
    email = corpus / "email"
    killed = subprocess.run(
        [
            sys.executable,
            "-c",
            KILL_DURING_PLACE,
            str(root),
            str(email / "cpython-msg_05.txt"),
            str(email / "cpython-msg_06.txt"),
        ],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)},
    )
    assert killed.returncode == 9, killed.stderr


def _verifications(root: Path, pdf: Path, bundle: Path) -> list[tuple[str, Callable[[], object]]]:
    return [
        ("verify_case", lambda: verify_case(root)),
        ("cli verify", lambda: run_cli("-C", str(root), "verify")),
        ("cli verify --json", lambda: run_cli("verify", str(root), "--json")),
        ("verify_bundle", lambda: verify_bundle(bundle)),
        ("cli verify bundle", lambda: run_cli("verify", str(bundle))),
        ("verify_report with the case", lambda: verify_report(pdf, root)),
        ("verify_report without the case", lambda: verify_report(pdf, None)),
        ("cli verify report -C", lambda: run_cli("-C", str(root), "verify", str(pdf))),
    ]


def test_every_verify_leaves_the_case_folder_byte_for_byte_unchanged(
    variant: tuple[str, Path, Path, Path],
) -> None:
    name, root, pdf, bundle = variant
    if name == "crashed_import":
        # What makes this case hard: the killed writer's WAL and -shm, and its journal rows.
        assert (root / f"{DB_NAME}-wal").exists() and (root / f"{DB_NAME}-shm").exists()
    assert (root / LOCK_NAME).exists()
    outside = {p: hashlib.sha256(p.read_bytes()).hexdigest() for p in (pdf, bundle)}
    for label, run in _verifications(root, pdf, bundle):
        before = folder_state(root)
        run()
        assert folder_state(root) == before, f"{label} changed the {name} case folder"
        assert {p: hashlib.sha256(p.read_bytes()).hexdigest() for p in (pdf, bundle)} == outside


def test_verify_says_what_it_did_not_do(variant: tuple[str, Path, Path, Path]) -> None:
    """An outdated index and a killed import's leftovers are findings naming the command that fixes them;
    the report and the bundle still verify against the case as it is."""
    name, root, pdf, _ = variant
    report = verify_case(root)
    assert report.ok, [str(f) for f in report.findings]
    if name == "clean":
        assert report.findings == []
    elif name == "outdated_index":
        assert report.codes() == {"INDEX_OUTDATED"}
        assert "'evidence log'" in report.findings[0].message
    else:
        assert report.codes() == {"INCOMPLETE_IMPORT"}
        assert all(
            "'evidence import'" in f.message and "verify does not" in f.message for f in report.findings
        )
        with open_snapshot(root / DB_NAME) as snapshot:  # read as the verifier reads: nothing is written
            assert snapshot.conn.execute(f"SELECT COUNT(*) FROM {IMPORT_JOURNAL}").fetchone()[0] > 0
    with_case = verify_report(pdf, root)
    assert with_case.ok, [str(f) for f in with_case.findings]
    assert with_case.codes() <= {"INDEX_OUTDATED", "INCOMPLETE_IMPORT"}
    assert with_case.facts["report"].get("entry") is not None  # its report.generated entry was found
