"""The verifier's fast paths give the same findings as the plain ones: signatures checked in worker processes,
objects hashed in batches by threads started during the ledger check, and ``hash_file`` on small and large
files."""

from __future__ import annotations

import hashlib
import os
import sqlite3
from pathlib import Path
from typing import Any

import pytest

from evidence.api import Case
from evidence.case import ledger
from evidence.case.signing import SigningKey, bad_signatures
from evidence.case.store import CHUNK, hash_file
from evidence.verify import parallel as verify_module
from evidence.verify.case import verify_case


def _build(root: Path, files: int) -> Case:
    src = root / "src"
    src.mkdir()
    for i in range(files):
        (src / f"{i:03d}.txt").write_text(f"note {i}\n" * (i + 1))
    case = Case.init(root / "case", title="speed", tz="UTC")
    case.import_files([src])
    return case


def _rewrite_sig(case_dir: Path, seq: int) -> None:
    conn = sqlite3.connect(case_dir / "evidence.db", isolation_level=None)
    try:
        conn.execute("DROP TRIGGER IF EXISTS ledger_append_only_update")
        sig = conn.execute("SELECT sig FROM ledger WHERE seq = ?", (seq,)).fetchone()[0]
        flipped = ("0" if sig[0] != "0" else "1") + sig[1:]
        conn.execute("UPDATE ledger SET sig = ? WHERE seq = ?", (flipped, seq))
        conn.executescript(ledger.LEDGER_SCHEMA)  # the triggers back
    finally:
        conn.close()


def _summary(case_dir: Path) -> list[tuple[str, int | None, str | None]]:
    return [(f.code, f.entry, f.path) for f in verify_case(case_dir).findings]


def test_bad_signatures_names_the_invalid_pairs() -> None:
    key = SigningKey.generate()
    messages = [hashlib.sha256(bytes([i])).digest() for i in range(5)]
    pairs = [(key.sign(m), m) for m in messages]
    pairs[1] = (pairs[1][0], messages[2])  # a signature of another message
    pairs[3] = (bytes(64), messages[3])
    assert bad_signatures(key.public.raw, pairs) == [1, 3]
    assert bad_signatures(SigningKey.generate().public.raw, pairs[:2]) == [0, 1]


def test_signatures_checked_in_worker_processes_give_the_same_findings(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    case = _build(tmp_path, 9)
    n = case.head().seq
    case.close()
    root = tmp_path / "case"
    assert n > 6
    _rewrite_sig(root, 4)
    _rewrite_sig(root, n)
    in_process = _summary(root)
    assert [(code, entry) for code, entry, _ in in_process] == [("BAD_SIGNATURE", 4), ("BAD_SIGNATURE", n)]

    started: list[int] = []
    real_pool = verify_module.ProcessPoolExecutor

    def pool(*args: object, **kwargs: object) -> object:
        started.append(1)
        return real_pool(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(verify_module.os, "cpu_count", lambda: 2)  # workers even on a one-core machine
    monkeypatch.setattr(verify_module, "SIGNATURE_PROCESS_MIN", 2)
    monkeypatch.setattr(verify_module, "SIGNATURE_CHUNK", 3)
    monkeypatch.setattr(verify_module, "ProcessPoolExecutor", pool)
    assert _summary(root) == in_process
    assert started == [1]
    report = verify_case(root)
    assert report.checked["signatures"] == n


def _rewrite_body(case_dir: Path, seq: int, old: str, new: str) -> None:
    conn = sqlite3.connect(case_dir / "evidence.db", isolation_level=None)
    try:
        conn.execute("DROP TRIGGER IF EXISTS ledger_append_only_update")
        body = conn.execute("SELECT body FROM ledger WHERE seq = ?", (seq,)).fetchone()[0]
        assert old in body
        conn.execute("UPDATE ledger SET body = ? WHERE seq = ?", (body.replace(old, new, 1), seq))
        conn.executescript(ledger.LEDGER_SCHEMA)
    finally:
        conn.close()


def test_contents_checked_in_worker_processes_give_the_same_findings(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Bodies made not canonical, a body whose contents no longer hash to its hash, a bad signature: the same
    # findings whether this process checks every body or the workers flag them (issue 18).
    case = _build(tmp_path, 12)
    n = case.head().seq
    case.close()
    root = tmp_path / "case"
    _rewrite_body(root, 3, '"size":', '"size": ')  # not canonical (and so not its hash)
    _rewrite_body(root, 5, '"size":', '"size":1,"size":')  # a duplicate key
    _rewrite_body(root, 7, '"media_type":"text/plain"', '"media_type":"text/html"')  # canonical, other hash
    _rewrite_sig(root, 9)
    in_process = _summary(root)
    assert {(code, entry) for code, entry, _ in in_process} >= {
        ("NON_CANONICAL", 3),
        ("NON_CANONICAL", 5),
        ("ENTRY_MODIFIED", 7),
        ("BAD_SIGNATURE", 9),
    }

    submitted: list[str] = []
    real_pool = verify_module.ProcessPoolExecutor

    class Pool(real_pool):  # type: ignore[valid-type,misc]
        def submit(self, fn: Any, /, *args: Any, **kwargs: Any) -> Any:
            submitted.append(fn.__name__)
            return super().submit(fn, *args, **kwargs)

    monkeypatch.setattr(verify_module.os, "cpu_count", lambda: 2)
    monkeypatch.setattr(verify_module, "SIGNATURE_PROCESS_MIN", 2)
    monkeypatch.setattr(verify_module, "SIGNATURE_CHUNK", 3)
    monkeypatch.setattr(verify_module, "CONTENTS_CHUNK", 2)
    monkeypatch.setattr(verify_module, "ProcessPoolExecutor", Pool)
    assert _summary(root) == in_process
    assert submitted.count("flag_contents") == -(-n // 2)
    assert verify_module._SHARED == {}  # the entries are not kept after the check


def _worker_dies(token: int, start: int, end: int) -> list[int]:
    os._exit(3)  # a worker killed (out of memory) while it checks bodies


def test_a_dead_worker_leaves_the_bodies_to_this_process(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    case = _build(tmp_path, 8)
    case.close()
    root = tmp_path / "case"
    _rewrite_body(root, 4, '"size":', '"size": ')
    in_process = _summary(root)
    assert ("NON_CANONICAL", 4) in {(code, entry) for code, entry, _ in in_process}
    monkeypatch.setattr(verify_module.os, "cpu_count", lambda: 2)
    monkeypatch.setattr(verify_module, "SIGNATURE_PROCESS_MIN", 2)
    monkeypatch.setattr(verify_module, "CONTENTS_CHUNK", 2)
    monkeypatch.setattr(verify_module, "flag_contents", _worker_dies)
    assert _summary(root) == in_process


def test_batched_object_hashing_finds_the_same_damage(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    case = _build(tmp_path, 12)
    objects = sorted({sha for sha, _ in case.store.iter_names()})
    case.close()
    root = tmp_path / "case"
    assert verify_case(root).ok
    victim = root / "objects" / "sha256" / objects[3][:2] / objects[3]
    os.chmod(victim, 0o644)
    victim.write_bytes(b"changed")
    gone = root / "objects" / "sha256" / objects[7][:2] / objects[7]
    os.chmod(gone, 0o644)
    gone.unlink()
    stray = hashlib.sha256(b"stray").hexdigest()
    (root / "objects" / "sha256" / stray[:2]).mkdir(exist_ok=True)
    (root / "objects" / "sha256" / stray[:2] / stray).write_bytes(b"stray")
    one_by_one = _summary(root)
    assert {code for code, _, _ in one_by_one} == {"MODIFIED", "MISSING", "EXTRA"}
    monkeypatch.setattr(verify_module, "BATCH_FILES", 2)
    monkeypatch.setattr(verify_module, "SMALL_OBJECT", 10)  # some objects hashed alone, some in batches
    assert _summary(root) == one_by_one


@pytest.mark.parametrize("size", [0, 1, 4096, CHUNK - 1, CHUNK, CHUNK + 1, 3 * CHUNK + 17])
def test_hash_file_small_and_large(tmp_path: Path, size: int) -> None:
    data = os.urandom(size)
    path = tmp_path / "blob"
    path.write_bytes(data)
    assert hash_file(path) == (hashlib.sha256(data).hexdigest(), size)
    assert hash_file(str(path)) == (hashlib.sha256(data).hexdigest(), size)
