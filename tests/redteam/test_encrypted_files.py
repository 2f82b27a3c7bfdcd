"""The filesystem and journal attacks of ``test_files.py`` and ``test_second_hostile.py`` (A07, A08, A09, A20,
B02, B03), on an encrypted case: write access to the folder, no key. Only what ``verify`` says is checked here
(the writer's own refusals are the store's, tested with it).

A sealed object is opened as a plain one is (a regular file of the case, no link followed, a FIFO refused
without blocking) before its tags are checked, and the database snapshot is keyed: the same attacks end in the
same findings, naming the sealed file.
"""

from __future__ import annotations

import hashlib
import io
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from evidence.api import Case
from evidence.case import sqldriver, vault
from evidence.case.folder import keyed
from evidence.case.formats import DB_NAME
from evidence.case.sealed import seal_stream, sealed_name
from evidence.case.vault import CaseKeys
from evidence.verify import ERROR, WARNING, Report
from evidence.verify.case import verify_case
from tests.anchor.tsa_kit import PKI, OpenSSLTSA, serve

PASSPHRASE = "files passphrase"
DEADLINE = 120


@pytest.fixture(scope="module")
def base(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, CaseKeys]:
    folder = tmp_path_factory.mktemp("encrypted-files")
    inputs = []
    for i, text in enumerate(("Alex called again at 9", "Alex waited outside the school")):
        path = folder / f"note{i}.txt"
        path.write_text(text + "\n", encoding="utf-8")
        inputs.append(path)
    root = folder / "case"
    with Case.init(
        root, title="T", tz="Europe/London", passphrase=PASSPHRASE, encrypted=True, cost=vault.TEST_COST
    ) as case:
        case.import_files(inputs)
        assert case.keys is not None
        keys = case.keys
    assert verify_case(root, keys=keys).findings == []
    return root, keys


@pytest.fixture
def small(base: tuple[Path, CaseKeys], tmp_path: Path) -> Path:
    copy = tmp_path / "case"
    shutil.copytree(base[0], copy)
    return copy


@pytest.fixture
def keys(base: tuple[Path, CaseKeys]) -> CaseKeys:
    return base[1]


def errors(report: Report) -> dict[str, list[tuple[str | None, str]]]:
    found: dict[str, list[tuple[str | None, str]]] = {}
    for f in report.findings:
        if f.severity == ERROR:
            found.setdefault(f.code, []).append((f.path, f.message))
    return found


def _an_object(root: Path) -> Path:
    return sorted((root / "objects" / "sealed").glob("*/*"))[0]


def _sql(root: Path, keys: CaseKeys, statement: str, params: tuple[object, ...] = ()) -> None:
    conn = sqldriver.connect(root / DB_NAME, isolation_level=None)
    try:
        keyed(conn, keys.db_key)
        conn.execute(statement, params)
    finally:
        conn.close()


def _verify_in_a_process(root: Path) -> subprocess.CompletedProcess[str]:
    """``evidence verify`` in a child with a deadline and the passphrase: a hang fails the test."""
    env = {k: v for k, v in os.environ.items() if k != "EVIDENCE_CASE"}
    env["EVIDENCE_PASSPHRASE"] = PASSPHRASE
    return subprocess.run(
        [sys.executable, "-m", "evidence", "-C", str(root), "verify"],
        capture_output=True,
        text=True,
        timeout=DEADLINE,
        check=False,
        env=env,
    )


def test_a07_journal_rows_naming_paths_are_invalid_and_an_interrupted_import_is_a_warning(
    small: Path, keys: CaseKeys
) -> None:
    """Rows of the (keyed) import journal: paths are JOURNAL_INVALID; an object's hash whose sealed file is in
    place, or not yet placed, is an interrupted import's leftover (a warning naming the sealed file)."""
    for name in ("/home/someone/photos.tar", "../../etc/passwd"):
        _sql(small, keys, "INSERT INTO pending_objects (sha256, op) VALUES (?, 'x')", (name,))
    placed, unplaced = b"an import killed after placing this", b"and before placing this"
    for data in (placed, unplaced):
        _sql(
            small,
            keys,
            "INSERT INTO pending_objects (sha256, op) VALUES (?, 'place')",
            (hashlib.sha256(data).hexdigest(),),
        )
    name = sealed_name(keys.name_key, hashlib.sha256(placed).hexdigest())
    path = small / "objects" / "sealed" / name[:2] / name
    path.parent.mkdir(exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o444)
    try:
        seal_stream(io.BytesIO(placed), fd, keys.object_key)
    finally:
        os.close(fd)
    report = verify_case(small, keys=keys)
    assert not report.ok
    assert list(errors(report)) == ["JOURNAL_INVALID"] and len(errors(report)["JOURNAL_INVALID"]) == 2
    warned = {f.path for f in report.findings if f.severity == WARNING and f.code == "INCOMPLETE_IMPORT"}
    unplaced_name = sealed_name(keys.name_key, hashlib.sha256(unplaced).hexdigest())
    assert warned == {
        f"objects/sealed/{name[:2]}/{name}",
        f"objects/sealed/{unplaced_name[:2]}/{unplaced_name}",
    }


def test_a08_fifo_or_dev_zero_sealed_object(small: Path) -> None:
    obj = _an_object(small)
    obj.chmod(0o644)
    obj.unlink()
    os.mkfifo(obj)
    result = _verify_in_a_process(small)
    assert result.returncode == 1 and "MODIFIED" in result.stdout and "a FIFO" in result.stdout, result.stdout
    obj.unlink()
    obj.symlink_to("/dev/zero")
    result = _verify_in_a_process(small)
    assert result.returncode == 1 and "a symbolic link" in result.stdout, result.stdout


def test_a09_sealed_shard_linked_to_an_outside_copy(small: Path, keys: CaseKeys) -> None:
    obj = _an_object(small)
    outside = small.parent / "outside"
    shard = obj.parent
    shutil.copytree(shard, outside / "shard")
    shutil.rmtree(shard)
    shard.symlink_to(outside / "shard", target_is_directory=True)
    found = errors(verify_case(small, keys=keys))
    assert set(found) == {"MODIFIED", "EXTRA"}, found
    assert "symbolic link" in found["MODIFIED"][0][1]
    assert found["EXTRA"][0][0] == f"objects/sealed/{shard.name}"


@pytest.fixture
def read_only_copy(small: Path, tmp_path: Path) -> Iterator[Path]:
    """The encrypted case on read-only media (a read-only bind mount as root, else no write permission)."""
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


def test_a20_intact_encrypted_case_on_read_only_media(read_only_copy: Path, keys: CaseKeys) -> None:
    before = sorted(p.name for p in read_only_copy.iterdir())
    assert verify_case(read_only_copy, keys=keys).findings == []
    result = _verify_in_a_process(read_only_copy)
    assert result.returncode == 0, result.stderr
    assert sorted(p.name for p in read_only_copy.iterdir()) == before


def test_b02_wal_linked_to_dev_zero_is_a_finding(small: Path, keys: CaseKeys) -> None:
    wal = small / f"{DB_NAME}-wal"
    wal.symlink_to("/dev/zero")
    found = errors(verify_case(small, keys=keys))
    assert found == {
        "DATABASE_UNREADABLE": [
            (
                wal.name,
                "the ledger cannot be read (evidence.db-wal is a symbolic link, not a file of the case)",
            )
        ]
    }


def test_b03_wal_fifo_does_not_hang_verify(small: Path) -> None:
    os.mkfifo(small / f"{DB_NAME}-wal")
    result = _verify_in_a_process(small)
    assert result.returncode == 1, result.stderr
    assert result.stdout.startswith("DATABASE_UNREADABLE evidence.db-wal: ")


@pytest.mark.allow_loopback  # the test TSA listens on 127.0.0.1
def test_an_encrypted_cases_anchor_is_checked_from_its_sealed_token(
    small: Path, keys: CaseKeys, pki: PKI, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The RFC 3161 token and trust anchor an anchor entry names are sealed objects: read (decrypted in memory)
    and re-checked; the token's sealed file altered is MODIFIED and the anchor not believed."""
    root = pki.write_root(tmp_path / "root.pem")
    with Case.open(small, keys=keys) as case, serve(OpenSSLTSA(pki, tmp_path / "tsa")) as (url, _):
        case.anchor(url, tsa_cert=root)
        (anchor,) = [e for e in case.entries() if e.kind == "anchor.timestamped"]
        token = anchor.body["token_sha256"]
    monkeypatch.setenv("EVIDENCE_TSA_ROOTS", str(root))
    report = verify_case(small, keys=keys)
    assert report.ok and report.findings == [], [str(f) for f in report.findings]
    assert report.facts["anchors"][0]["independent"] is True
    name = sealed_name(keys.name_key, token)
    sealed = small / "objects" / "sealed" / name[:2] / name
    sealed.chmod(0o644)
    data = bytearray(sealed.read_bytes())
    data[-20] ^= 1
    sealed.write_bytes(bytes(data))
    found = errors(verify_case(small, keys=keys))
    assert found["MODIFIED"] == [
        (
            f"objects/sealed/{name[:2]}/{name}",
            "the object's encryption tag does not match: it was altered or is not "
            "this case's (part 1, the last: the file may be truncated)",
        )
    ]
    assert any(code.startswith("ANCHOR_") for code in found), found
