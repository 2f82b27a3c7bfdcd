"""Tampering only an encrypted case allows: its vault, its sealed objects' names and tags, its database's pages.

The tamper matrix of ``test_tamper.py`` already runs on an encrypted case (every test, through a keyed
connection where it edits the database). These are the attacks that have no plain counterpart: the vault
removed (which must not make the case verify as a plain one), the wrong key, a sealed file moved to another
object's name or sealed under another key, orphans, a database cut or with a flipped byte anywhere (page
authentication), a plain database in its place, and the passphrase at the command line (exit 5).
"""

from __future__ import annotations

import hashlib
import io
import os
import secrets
import shutil
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from evidence.case import sqldriver
from evidence.case.folder import keyed as give_key
from evidence.case.sealed import TAG_MISMATCH, read_sealed_bytes, seal_stream
from evidence.case.vault import CaseKeys
from evidence.verify import ERROR, Report, projections
from evidence.verify.case import verify_case
from evidence.verify.casefacts import CaseUnreadable, read_case_facts
from tests.conftest import run_cli
from tests.verify.tamper_kit import PASSPHRASE, BaseCase, build_base_case, fresh_copy

EXAMPLES = settings(max_examples=20, deadline=None)


@pytest.fixture(scope="module")
def enc(tmp_path_factory: pytest.TempPathFactory, corpus: Path) -> BaseCase:
    built = build_base_case(tmp_path_factory.mktemp("tamper-encrypted"), corpus, encrypted=True)
    report = built.verify(built.root)
    assert report.ok and not report.findings, [str(f) for f in report.findings]
    return built


@pytest.fixture
def case_dir(enc: BaseCase) -> Iterator[Path]:
    with fresh_copy(enc) as copy:
        yield copy


def errors(report: Report) -> list[tuple[str, str | None]]:
    return sorted((f.code, f.path) for f in report.findings if f.severity == ERROR)


def described(report: Report) -> list[str]:
    return [str(f) for f in report.findings]


def writable(path: Path) -> Path:
    path.chmod(stat.S_IRUSR | stat.S_IWUSR)
    return path


def keyed(case_dir: Path, keys: CaseKeys) -> sqldriver.Connection:
    conn = sqldriver.connect(case_dir / "evidence.db", isolation_level=None)
    give_key(conn, keys.db_key)
    return conn


def shas(enc: BaseCase) -> list[str]:
    return sorted(enc.named_by)


# -- the keys --------------------------------------------------------------------------------------------


def test_an_intact_encrypted_case_verifies_every_object_and_says_it_is_encrypted(enc: BaseCase) -> None:
    report = enc.verify(enc.root)
    assert report.ok and report.findings == []
    assert report.facts["encrypted"] is True
    assert report.checked["objects"] == 9  # 5 files, 2 records blobs, 2 suggestions blobs
    # every object's plaintext size, as the ledger records it (the sealed files are larger)
    sealed_total = sum(enc.object_path(enc.root, sha).stat().st_size for sha in enc.named_by)
    assert 0 < report.checked["bytes"] < sealed_total


def test_without_its_keys_an_encrypted_case_is_locked_not_checked(enc: BaseCase) -> None:
    report = verify_case(enc.root)
    assert not report.ok
    assert errors(report) == [("LOCKED", "keys/vault.json")], described(report)


def test_another_cases_key_reads_nothing(enc: BaseCase) -> None:
    report = verify_case(enc.root, keys=CaseKeys(secrets.token_bytes(32)))
    assert not report.ok
    assert errors(report) == [("DATABASE_UNREADABLE", "evidence.db")], described(report)
    assert "does not decrypt with this case's key" in report.findings[0].message


def test_removing_the_vault_never_makes_a_plain_case(case_dir: Path, enc: BaseCase) -> None:
    writable(case_dir / "keys" / "vault.json").unlink()
    without_keys = verify_case(case_dir)
    with_keys = verify_case(case_dir, keys=enc.keys)
    assert not without_keys.ok
    assert errors(without_keys) == [
        ("DATABASE_UNREADABLE", "evidence.db"),
        ("VAULT_MISSING", "keys/vault.json"),
    ], described(without_keys)
    assert "keys/vault.json missing" in str(without_keys.findings[-1])
    # With the keys (held elsewhere), everything else is checked, and the missing vault is still an error.
    assert not with_keys.ok
    assert errors(with_keys) == [("VAULT_MISSING", "keys/vault.json")], described(with_keys)
    assert with_keys.checked["objects"] == 9


def test_a_vault_that_is_a_link_is_named(case_dir: Path, enc: BaseCase) -> None:
    vault = case_dir / "keys" / "vault.json"
    outside = case_dir.parent / "vault-copy.json"
    shutil.copyfile(vault, outside)
    writable(vault).unlink()
    vault.symlink_to(outside)
    report = verify_case(case_dir, keys=enc.keys)
    assert errors(report) == [("MODIFIED", "keys/vault.json")], described(report)


# -- sealed objects --------------------------------------------------------------------------------------


def test_a_sealed_file_moved_to_another_objects_name_fails_its_tag(case_dir: Path, enc: BaseCase) -> None:
    first, second = shas(enc)[:2]
    writable(enc.object_path(case_dir, second)).unlink()
    os.rename(enc.object_path(case_dir, first), enc.object_path(case_dir, second))
    report = enc.verify(case_dir)
    assert errors(report) == sorted([("MISSING", enc.rel(first)), ("MODIFIED", enc.rel(second))])
    modified = next(f for f in report.findings if f.code == "MODIFIED")
    assert modified.message == TAG_MISMATCH
    assert modified.exhibit == enc.exhibit_of[second]


def test_a_sealed_file_copied_over_another_fails_only_there(case_dir: Path, enc: BaseCase) -> None:
    first, second = shas(enc)[-2:]
    writable(enc.object_path(case_dir, second)).unlink()
    shutil.copyfile(enc.object_path(case_dir, first), enc.object_path(case_dir, second))
    report = enc.verify(case_dir)
    assert errors(report) == [("MODIFIED", enc.rel(second))], described(report)


def test_the_same_plaintext_sealed_under_another_key_fails_its_tag(case_dir: Path, enc: BaseCase) -> None:
    sha = shas(enc)[0]
    plain = enc.object_path(enc.root, sha)
    assert enc.keys is not None
    with open(plain, "rb") as fh:
        data = read_sealed_bytes(fh, enc.keys.object_key, sha)
    target = writable(enc.object_path(case_dir, sha))
    target.unlink()
    fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o444)
    try:
        assert seal_stream(io.BytesIO(data), fd, secrets.token_bytes(32))[0] == sha
    finally:
        os.close(fd)
    report = enc.verify(case_dir)
    assert errors(report) == [("MODIFIED", enc.rel(sha))], described(report)
    assert report.findings[0].message == TAG_MISMATCH


@pytest.mark.parametrize(
    ("cut", "words"),
    [
        (-1, "may be truncated"),
        (-17, "may be truncated"),
        (b"appended", "may be truncated"),
        (40, "header is cut"),
    ],
)
def test_a_sealed_file_cut_or_lengthened_is_modified(
    case_dir: Path, enc: BaseCase, cut: int | bytes, words: str
) -> None:
    sha = shas(enc)[1]
    path = writable(enc.object_path(case_dir, sha))
    data = path.read_bytes()
    path.write_bytes(data + cut if isinstance(cut, bytes) else data[:cut])
    report = enc.verify(case_dir)
    assert errors(report) == [("MODIFIED", enc.rel(sha))], described(report)
    assert words in report.findings[0].message


def test_orphans_in_the_sealed_store_are_extra(case_dir: Path, enc: BaseCase) -> None:
    # One sealed properly under its own sealed name by someone holding the key, one random file named like one.
    assert enc.keys is not None
    stranger = b"a message nobody imported"
    sha = hashlib.sha256(stranger).hexdigest()
    path = enc.object_path(case_dir, sha)
    path.parent.mkdir(exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o444)
    try:
        seal_stream(io.BytesIO(stranger), fd, enc.keys.object_key)
    finally:
        os.close(fd)
    junk_name = secrets.token_hex(32)
    junk = case_dir / "objects" / "sealed" / junk_name[:2] / junk_name
    junk.parent.mkdir(exist_ok=True)
    junk.write_bytes(os.urandom(100))
    report = enc.verify(case_dir)
    assert errors(report) == sorted(
        [("EXTRA", enc.rel(sha)), ("EXTRA", f"objects/sealed/{junk_name[:2]}/{junk_name}")]
    ), described(report)


def test_a_sealed_object_replaced_by_a_link_or_a_fifo_is_not_followed(case_dir: Path, enc: BaseCase) -> None:
    linked, fifo = shas(enc)[2:4]
    outside = case_dir.parent / "copy"
    shutil.copyfile(enc.object_path(case_dir, linked), outside)
    writable(enc.object_path(case_dir, linked)).unlink()
    enc.object_path(case_dir, linked).symlink_to(outside)
    writable(enc.object_path(case_dir, fifo)).unlink()
    os.mkfifo(enc.object_path(case_dir, fifo))
    report = enc.verify(case_dir)
    assert errors(report) == sorted([("MODIFIED", enc.rel(linked)), ("MODIFIED", enc.rel(fifo))])
    messages = {f.path: f.message for f in report.findings}
    assert "symbolic link" in messages[enc.rel(linked)]
    assert "FIFO" in messages[enc.rel(fifo)]


def test_a_plain_store_beside_the_sealed_one_is_extra(case_dir: Path, enc: BaseCase) -> None:
    (case_dir / "objects" / "sha256" / "ab").mkdir(parents=True)
    report = enc.verify(case_dir)
    assert errors(report) == [("EXTRA", "objects/sha256")], described(report)
    assert "plain case's objects" in report.findings[0].message


# -- the database ----------------------------------------------------------------------------------------


def test_a_record_rewritten_in_the_index_by_a_key_holder_is_an_index_mismatch(
    case_dir: Path, enc: BaseCase
) -> None:
    # The replay decrypts the sealed records blobs in memory to know what the index must say.
    assert enc.keys is not None
    conn = keyed(case_dir, enc.keys)
    try:
        changed = conn.execute(
            "UPDATE records SET json = replace(json, 'Pick up. Now.', 'Call me back.') "
            "WHERE json LIKE '%Pick up. Now.%'"
        )
        assert changed.rowcount == 1
    finally:
        conn.close()
    report = enc.verify(case_dir)
    assert {code for code, _ in errors(report)} == {"INDEX_MISMATCH"}, described(report)
    assert any("signed records blob" in f.message for f in report.findings)


@pytest.mark.parametrize("keep", [0.5, 0.9])
def test_a_cut_database_is_not_intact(case_dir: Path, enc: BaseCase, keep: float) -> None:
    db = case_dir / "evidence.db"
    assert not (case_dir / "evidence.db-wal").exists() or (case_dir / "evidence.db-wal").stat().st_size == 0
    data = db.read_bytes()
    db.write_bytes(data[: int(len(data) * keep) // 4096 * 4096 + 100])
    report = enc.verify(case_dir)
    assert not report.ok
    assert {code for code, _ in errors(report)} & {"DATABASE_CORRUPT", "DATABASE_UNREADABLE"}, described(
        report
    )


@EXAMPLES
@given(data=st.data())
def test_any_byte_of_the_encrypted_database_flipped_is_not_intact(enc: BaseCase, data: st.DataObject) -> None:
    size = (enc.root / "evidence.db").stat().st_size
    position = data.draw(st.integers(0, size - 1), label="position")
    mask = data.draw(st.integers(1, 255), label="mask")
    with fresh_copy(enc) as case_dir:
        db = case_dir / "evidence.db"
        content = bytearray(db.read_bytes())
        content[position] ^= mask
        db.write_bytes(bytes(content))
        report = enc.verify(case_dir)
    assert not report.ok
    codes = {code for code, _ in errors(report)}
    assert codes & {"DATABASE_CORRUPT", "DATABASE_UNREADABLE"}, described(report)


def test_a_plain_copy_of_the_database_in_its_place_is_refused(case_dir: Path, enc: BaseCase) -> None:
    # Someone holding the key decrypts the database (to edit it with any SQLite tool) and puts it back.
    assert enc.keys is not None
    plain = case_dir.parent / "plain.db"
    conn = keyed(case_dir, enc.keys)
    try:
        conn.execute(f"ATTACH DATABASE '{plain}' AS plaintext KEY ''")
        conn.execute("SELECT sqlcipher_export('plaintext')")
        conn.execute("DETACH DATABASE plaintext")
    finally:
        conn.close()
    os.replace(plain, case_dir / "evidence.db")
    report = enc.verify(case_dir)
    assert errors(report) == [("DATABASE_UNREADABLE", "evidence.db")], described(report)
    assert "not encrypted" in report.findings[0].message


# -- the command line ------------------------------------------------------------------------------------


def test_the_cli_asks_for_the_passphrase_and_exits_5_without_the_right_one(case_dir: Path) -> None:
    good = run_cli("verify", str(case_dir), "--json", env={"EVIDENCE_PASSPHRASE": PASSPHRASE})
    assert good.returncode == 0, good.stderr
    assert '"encrypted": true' in good.stdout
    wrong = run_cli("verify", str(case_dir), env={"EVIDENCE_PASSPHRASE": "not the passphrase"})
    assert wrong.returncode == 5, wrong.stderr
    assert "wrong passphrase" in wrong.stderr and "Traceback" not in wrong.stderr
    missing = run_cli("verify", str(case_dir))
    assert missing.returncode == 5 and "passphrase is needed" in missing.stderr


def test_the_cli_does_not_verify_a_case_whose_vault_was_removed(case_dir: Path) -> None:
    writable(case_dir / "keys" / "vault.json").unlink()
    found = run_cli("verify", str(case_dir), env={"EVIDENCE_PASSPHRASE": PASSPHRASE})
    assert found.returncode == 1, found.stderr
    assert "VAULT_MISSING" in found.stdout + found.stderr


# -- nothing decrypted on disk ---------------------------------------------------------------------------


def _replay_file_bytes() -> bytes:
    """The bytes of the open (already unlinked) replay database of this process, read through /proc."""
    for fd in os.listdir("/proc/self/fd"):
        try:
            target = os.readlink(f"/proc/self/fd/{fd}")
        except OSError:
            continue
        if "evidence-replay-" in target and target.endswith("replay.db (deleted)"):
            with open(f"/proc/self/fd/{fd}", "rb") as fh:
                return fh.read()
    raise AssertionError("no replay database is open")


@pytest.mark.parametrize("encrypted", [False, True])
def test_the_replay_of_an_encrypted_case_is_encrypted_on_disk(encrypted: bool) -> None:
    # The replay holds the index in the clear (every text); on disk it is a temporary file.
    needle = "I know where you are, the blue door on Elm Road"
    replay = projections._replay_database(encrypted=encrypted)
    try:
        replay.execute(
            "INSERT INTO people (name, role, region, seq) VALUES (?, 'respondent', 'GB', 1)", (needle,)
        )
        replay.execute("PRAGMA wal_checkpoint")
        replay.execute("PRAGMA shrink_memory")
        content = _replay_file_bytes()
    finally:
        replay.close()
    assert len(content) > 4096
    assert (needle.encode() in content) is not encrypted


# -- what the report check reads, and reading only ---------------------------------------------------------


def test_the_report_check_reads_an_encrypted_cases_facts_only_with_its_keys(
    case_dir: Path, enc: BaseCase
) -> None:
    assert enc.keys is not None
    facts = read_case_facts(case_dir, enc.keys)
    texts = {record.text for record in facts.records.values()}
    assert "Pick up. Now." in texts and len(facts.exhibits) == 4  # the forwarded copy is EX-0001 again
    with pytest.raises(CaseUnreadable, match="encrypted"):
        read_case_facts(case_dir)
    # An index an older version built is replayed from the ledger: the sealed records blobs, in memory.
    conn = keyed(case_dir, enc.keys)
    try:
        conn.execute("UPDATE records SET json = replace(json, 'Pick up. Now.', 'Call me back.')")
        conn.execute("DELETE FROM meta WHERE key = 'index_version'")
    finally:
        conn.close()
    replayed = read_case_facts(case_dir, enc.keys)
    assert {record.text for record in replayed.records.values()} == texts


def _state(folder: Path) -> dict[str, tuple[int, int, int, str]]:
    found = {}
    for path in sorted(folder.rglob("*")):
        st = os.lstat(path)
        digest = hashlib.sha256(path.read_bytes()).hexdigest() if path.is_file() else ""
        found[str(path.relative_to(folder))] = (st.st_mode, st.st_size, st.st_mtime_ns, digest)
    return found


def test_verifying_an_encrypted_case_changes_nothing_in_its_folder(case_dir: Path, enc: BaseCase) -> None:
    before = _state(case_dir)
    assert enc.verify(case_dir).ok
    assert not verify_case(case_dir).ok  # locked
    good = run_cli("verify", str(case_dir), env={"EVIDENCE_PASSPHRASE": PASSPHRASE})
    assert good.returncode == 0, good.stderr
    assert _state(case_dir) == before


def test_the_cli_reports_a_destroyed_key_as_findings(case_dir: Path) -> None:
    # What 'evidence destroy-key' leaves (the vault and the signing key gone): verify says what is missing.
    writable(case_dir / "keys" / "vault.json").unlink()
    writable(case_dir / "keys" / "case.key").unlink()
    found = run_cli("verify", str(case_dir), env={"EVIDENCE_PASSPHRASE": PASSPHRASE})
    assert found.returncode == 1, found.stderr
    assert "VAULT_MISSING" in found.stdout and "DATABASE_UNREADABLE" in found.stdout
