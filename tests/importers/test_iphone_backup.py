"""An iPhone backup folder imported as one item (``importers/_iphone_backup_folder`` packs it, the
``iphone-backup`` importer reads it), through the real import into a case; and encrypted backups.

Test data (tests/data/iphone/README.md): ``built-backup`` (the Magnet CTF sms.db, NIST's AddressBook, Apple's
CallHistory schema, two attachments, one listed file missing), ``mvt-backup`` (mvt's real test backup: a real
Manifest.db of 3,721 files of which three are present), ``encrypted-pyiosbackup`` (pyiosbackup's encrypted
test Manifest.db and keybag), ``encrypted-backup`` (``built-backup`` encrypted as iOS does by
``build_encrypted_backup.py``).
"""

from __future__ import annotations

import hashlib
import json
import shutil
import sqlite3
import zipfile
from collections import Counter
from pathlib import Path

import pytest

from evidence.actions.importing import expand_inputs
from evidence.api import Case
from evidence.errors import ExitCode, InputError
from evidence.importers._iphone_backup_folder import INDEX_MEMBER, is_backup, pack
from evidence.importers.iphone_backup import IphoneBackupImporter
from evidence.models import Channel, Direction, ImportOptions
from tests.conftest import run_cli
from tests.importers.helpers import source_for

DATA = Path(__file__).resolve().parents[1] / "data" / "iphone"
BUILT = DATA / "built-backup"
MVT = DATA / "mvt-backup"
ENCRYPTED = DATA / "encrypted-pyiosbackup"
ENCRYPTED_BUILT = DATA / "encrypted-backup"
PASSWORD = "correct horse battery staple"  # build_encrypted_backup.py's


def test_a_backup_folder_is_one_item_with_messages_calls_and_attachments(case: Case) -> None:
    result = case.import_files([BUILT])
    (item,) = result.items
    assert item.importer == "iphone-backup"
    assert item.path == str(BUILT)
    assert item.records == 105 + 5  # sms.db's messages, CallHistory's dated calls
    records = case.records()
    assert Counter(r.channel for r in records)[Channel.CALL] == 5
    assert [r.locator for r in records if r.attachments] == ["sms.db message 125", "sms.db message 127"]
    for record in records:
        for sha in record.attachments:
            assert case.store.exists(sha)
    messages = [w.message for w in item.warnings]
    # The import's count of the rows of both databases, then the backup's own notes.
    assert messages[0] == "1 of 111 rows not read: CallHistory call 6 (ZDATE None is not a time)"
    assert messages[1].startswith("1 files Manifest.db lists are not in the backup folder: MediaDomain/")
    assert messages[2].startswith("5 attachments are not in the backup folder")
    acquired = [e for e in case.entries() if e.kind == "item.acquired"]
    assert case.private_details()[acquired[-1].seq]["original_path"] == str(BUILT.absolute())
    assert acquired[-1].body["original_name"] == "built-backup.iphone-backup.zip"


def test_the_same_backup_again_is_a_duplicate_not_new_records(case: Case, tmp_path: Path) -> None:
    case.import_files([BUILT])
    copy = tmp_path / "elsewhere" / "built-backup"
    shutil.copytree(BUILT, copy)
    (item,) = case.import_files([copy]).items
    assert item.duplicate_of == "EX-0001" and item.records == 0
    assert len(case.records()) == 110


def test_a_manifest_db_that_is_not_a_database_is_one_input_error(tmp_path: Path) -> None:
    broken = tmp_path / "backup"
    shutil.copytree(BUILT, broken)
    (broken / "Manifest.db").write_bytes(b"not a database, " * 512)
    with pytest.raises(InputError, match="database") as err:
        pack(broken, tmp_path)
    assert err.value.path == str(broken / "Manifest.db")


def test_device_facts_and_contact_names_are_kept_in_raw(case: Case) -> None:
    case.import_files([BUILT])
    by_locator = {r.locator: r for r in case.records()}
    facts = by_locator["sms.db message 12"].raw["backup"]
    assert facts["device_name"] == "Kim's iPhone"
    assert facts["ios_version"] == "13.3.1"
    assert facts["product_type"] == "iPhone10,4"
    assert facts["backup_date"] == "2020-02-20T09:30:00.000000+00:00"
    assert facts["encrypted"] is False
    # NIST's AddressBook: Terry +17038296071, Pat +15713083236, Tracy Sumtwelve tracysumtwelve@gmail.com
    assert by_locator["CallHistory call 1"].raw["contact_name"] == "Terry"
    assert by_locator["CallHistory call 3"].raw["contact_name"] == "Terry"  # "(703) 829-6071"
    assert by_locator["CallHistory call 4"].raw["contact_name"] == "Tracy Sumtwelve"
    assert by_locator["CallHistory call 1"].sender == "+17038296071"  # the name is never the party
    assert "contact_name" not in by_locator["sms.db message 12"].raw


def test_the_real_mvt_backup_with_files_missing(case: Case) -> None:
    (item,) = case.import_files([MVT]).items
    assert item.records == 1
    (warning,) = item.warnings
    assert warning.message == (
        "2 files Manifest.db lists are not in the backup folder: HomeDomain/Library/AddressBook/"
        "AddressBook.sqlitedb; HomeDomain/Library/CallHistoryDB/CallHistory.storedata"
    )
    (record,) = case.records()
    assert record.direction is Direction.INCOMING and record.sender == "apple"
    assert record.raw["backup"]["ios_version"] == "14.3"
    assert record.raw["backup"]["backup_date"].startswith("2021-")


def test_packing_is_deterministic_and_lists_what_it_took(tmp_path: Path) -> None:
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    first, second = pack(BUILT, tmp_path / "a"), pack(BUILT, tmp_path / "b")
    assert first.read_bytes() == second.read_bytes()
    with zipfile.ZipFile(first) as zf:
        index = json.loads(zf.read(INDEX_MEMBER))
        names = zf.namelist()
    assert index["manifest_rows"] == 7  # 5 files taken, 1 missing, 1 folder
    assert [f["relativePath"] for f in index["files"] if f.get("missing")] == [
        "Library/SMS/Attachments/73/03/EF03C7DA-9D5E-4932-85BB-26F8C3676BBA/IMG_0181.JPG"
    ]
    assert "3d/3d0d7e5fb2ce288813306e4d4636395e047a3d28" in names
    taken = {f["member"]: f["sha256"] for f in index["files"] if not f.get("missing")}
    assert len(taken) == 5


def test_a_folder_holding_a_backup_yields_the_backup_as_one_input(tmp_path: Path) -> None:
    outer = tmp_path / "MobileSync" / "Backup"
    outer.mkdir(parents=True)
    shutil.copytree(BUILT, outer / "00008020-000000000000002E")
    (tmp_path / "MobileSync" / "notes.txt").write_text("x")
    assert is_backup(outer / "00008020-000000000000002E")
    assert expand_inputs([tmp_path / "MobileSync"]) == [
        outer / "00008020-000000000000002E",
        tmp_path / "MobileSync" / "notes.txt",
    ]


def test_an_encrypted_backup_without_password_is_refused(case: Case, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("EVIDENCE_BACKUP_PASSWORD", raising=False)
    with pytest.raises(InputError, match="the backup is encrypted and no password was given") as err:
        case.import_files([ENCRYPTED])
    assert err.value.hint and "EVIDENCE_BACKUP_PASSWORD" in err.value.hint
    assert case.records() == []


def test_a_wrong_password_is_one_line_and_exit_3(tmp_path: Path) -> None:
    root = tmp_path / "case"
    assert run_cli("init", "--plain", str(root), "--title", "t", "--tz", "UTC").returncode == 0
    done = run_cli("-C", str(root), "import", str(ENCRYPTED), env={"EVIDENCE_BACKUP_PASSWORD": "1234"})
    assert done.returncode == ExitCode.INPUT
    assert done.stderr.splitlines()[0] == f"error: {ENCRYPTED}: wrong password for the encrypted backup"
    assert "Traceback" not in done.stderr


def test_the_right_password_reaches_the_manifest_which_this_test_asset_cannot_give(case: Case) -> None:
    # pyiosbackup's password "0000" unlocks the keybag (a wrong one is refused, above); iphone_backup_decrypt
    # then refuses this test Manifest.db's padding. The failure is one InputError, nothing is recorded.
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("EVIDENCE_BACKUP_PASSWORD", "0000")
        with pytest.raises(InputError, match=r"the encrypted backup cannot be opened \(Invalid CBC padding"):
            case.import_files([ENCRYPTED])
    assert case.records() == []


def test_an_encrypted_backup_is_decrypted_into_the_same_files(
    case: Case, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("EVIDENCE_BACKUP_PASSWORD", PASSWORD)
    (item,) = case.import_files([ENCRYPTED_BUILT]).items
    assert item.importer == "iphone-backup" and item.records == 110
    facts = case.records()[0].raw["backup"]
    assert facts["encrypted"] is True
    assert facts["decrypted_with"].startswith("iphone_backup_decrypt ")
    with zipfile.ZipFile(pack(ENCRYPTED_BUILT, tmp_path)) as zf:
        index = json.loads(zf.read(INDEX_MEMBER))
    decrypted = {f["member"]: f["sha256"] for f in index["files"] if not f.get("missing")}
    plain = {m: hashlib.sha256((BUILT / m).read_bytes()).hexdigest() for m in decrypted}
    assert decrypted == plain and len(decrypted) == 5
    assert "decryption_notes" not in index


def test_the_password_a_callback_gives_is_used(case: Case, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("EVIDENCE_BACKUP_PASSWORD", raising=False)
    asked: list[str] = []

    def prompt() -> str:
        asked.append("asked")
        return PASSWORD

    (item,) = case.import_files([ENCRYPTED_BUILT], backup_password=prompt).items
    assert asked == ["asked"] and item.records == 110


def test_a_wrong_password_on_the_built_backup_records_nothing(
    case: Case, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("EVIDENCE_BACKUP_PASSWORD", "correct horse battery stapler")
    with pytest.raises(InputError, match="wrong password for the encrypted backup"):
        case.import_files([ENCRYPTED_BUILT])
    assert case.records() == [] and case.exhibits() == []


def test_the_cli_without_a_password_says_how_to_give_it(tmp_path: Path) -> None:
    root = tmp_path / "case"
    assert run_cli("init", "--plain", str(root), "--title", "t", "--tz", "UTC").returncode == 0
    done = run_cli("-C", str(root), "import", str(ENCRYPTED_BUILT), stdin="")
    assert done.returncode == ExitCode.INPUT
    assert done.stderr.splitlines()[0] == (
        f"error: {ENCRYPTED_BUILT}: the backup is encrypted and no password was given"
    )
    assert "EVIDENCE_BACKUP_PASSWORD" in done.stderr


def _stored_item(tmp_path: Path, name: str, members: dict[str, bytes], *, deflate: str = "") -> Path:
    """A zip shaped like a stored backup item, with ``members`` (``deflate`` names one to compress)."""
    path = tmp_path / name
    with zipfile.ZipFile(path, "w") as zf:
        for member, data in members.items():
            kind = zipfile.ZIP_DEFLATED if member == deflate else zipfile.ZIP_STORED
            zf.writestr(member, data, compress_type=kind)
    return path


@pytest.mark.parametrize(
    ("defect", "members", "deflate", "message"),
    [
        ("member_climbing_out.zip", {"../Manifest.db": b"x"}, "", "is not a backup file"),
        ("compressed_member.zip", {"Manifest.db": b"x" * 1000}, "Manifest.db", "is compressed"),
        ("index_not_json.zip", {"Manifest.db": b"x"}, "", "cannot be read"),
        ("index_of_another_format.zip", {"Manifest.db": b"x"}, "", "not a backup selection"),
    ],
)
def test_a_hostile_stored_item_is_refused_in_one_line(
    tmp_path: Path, defect: str, members: dict[str, bytes], deflate: str, message: str
) -> None:
    index = b'{"format": "other", "files": []}' if "another" in defect else b"{not json"
    path = _stored_item(tmp_path, defect, {INDEX_MEMBER: index, **members}, deflate=deflate)
    with pytest.raises(InputError, match=message):
        list(IphoneBackupImporter().parse(source_for(path), ImportOptions(tz="UTC")))


def test_a_backup_whose_databases_are_empty_is_an_error(case: Case, tmp_path: Path) -> None:
    empty = tmp_path / "backup"
    shutil.copytree(BUILT, empty)
    for member in (
        "3d/3d0d7e5fb2ce288813306e4d4636395e047a3d28",
        "5a/5a4935c78a5255723f707230a451d79c540d2741",
    ):
        conn = sqlite3.connect(empty / member)
        conn.execute("DELETE FROM message" if member.startswith("3d") else "DELETE FROM ZCALLRECORD")
        conn.commit()
        conn.close()
    with pytest.raises(InputError, match=r"no message or call read \(the databases hold no rows\)"):
        case.import_files([empty])
    assert case.exhibits() == []


def test_a_database_read_from_memory_gives_what_the_file_gives() -> None:
    """The backup's databases are read from memory (``from_image``); the real Magnet sms.db is in WAL mode, which
    SQLite's in-memory databases cannot open as such: its image is read as the immutable file is, row for row."""
    from evidence.importers._iphone_db import from_image, guarded, open_readonly

    path = DATA / "magnet-ctf-2020-sms.db"
    image = bytearray(path.read_bytes())
    assert image[18:20] == b"\x02\x02"  # WAL mode
    query = "SELECT ROWID, text, date, is_from_me FROM message ORDER BY ROWID"
    with open_readonly(path, "file") as conn:
        from_file = conn.execute(query).fetchall()
    with guarded(from_image(image, "image"), "image") as conn:
        from_memory = conn.execute(query).fetchall()
        with pytest.raises(sqlite3.OperationalError, match="readonly"):
            conn.execute("DELETE FROM message")
    assert len(from_memory) == 105 and from_memory == from_file
    junk = from_image(bytearray(b"not a database" * 100), "junk.db")
    with pytest.raises(InputError, match="the database cannot be read"), guarded(junk, "junk.db"):
        pass


def test_an_encrypted_case_on_a_system_without_memory_backed_storage_refuses_a_backup(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """What a Mac user meets today (README "iPhone"): macOS has no /dev/shm nor a tmpfs $XDG_RUNTIME_DIR, so an
    encrypted case cannot take a backup (it would have to write it decrypted to disk); a plain case can. The
    system is stood in for by leaving memtemp no folder to try."""
    from evidence.case import memtemp, vault
    from evidence.errors import StorageError

    monkeypatch.setattr(memtemp, "CANDIDATES", ())
    with Case.init(
        tmp_path / "sealed", title="t", tz="UTC", passphrase="pw", encrypted=True, cost=vault.TEST_COST
    ) as case:
        head = case.head()
        with pytest.raises(StorageError) as err:
            case.import_files([BUILT])
        assert err.value.exit_code == ExitCode.STORAGE and case.head() == head and case.exhibits() == []
        assert "this system has none; nothing was imported" in err.value.message
        assert (
            err.value.hint
            == "import it on a Linux system with /dev/shm, or into a plain case kept on an encrypted disk"
        )
    with Case.init(tmp_path / "plain", title="t", tz="UTC") as case:
        assert case.import_files([BUILT]).items[0].records > 0
