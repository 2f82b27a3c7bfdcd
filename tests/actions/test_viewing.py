"""``actions.viewing``: an exhibit's original read back and checked, a picture's size, a reader's description;
and ``import_files(origins=...)``, where an uploaded file is recorded as coming from. Real files written by
others (/work/shared/corpus/SOURCES.md); the sizes read off the pictures with ``file``."""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

import pytest

from evidence.actions import viewing
from evidence.api import Case
from evidence.case import vault
from evidence.errors import StorageError, UsageError

SMS = Path("smsbackup/sms-devadvance-sms_small.xml")
JPEG = Path("screenshots-real/entrymgmt-emailtohost.jpeg")


def test_the_original_comes_back_decrypted_and_checked(tmp_path: Path, corpus: Path) -> None:
    with Case.init(
        tmp_path / "c", title="T", tz="UTC", passphrase="pass word here", encrypted=True, cost=vault.TEST_COST
    ) as case:
        case.import_files([corpus / SMS, corpus / JPEG])
        sms = viewing.original(case, "ex-0001")
        assert (sms.exhibit, sms.name, sms.is_picture) == ("EX-0001", SMS.name, False)
        assert sms.data == (corpus / SMS).read_bytes()  # decrypted: the stored object is ciphertext
        assert case.store.path_for(sms.sha256).read_bytes() != sms.data
        picture = viewing.original(case, "EX-0002")
        assert picture.media_type == "image/jpeg" and picture.is_picture
        assert viewing.picture_size(picture.data) == (713, 943)  # `file`: "JPEG image data, ... 713x943"
        assert viewing.picture_size(sms.data) is None
        with pytest.raises(UsageError, match="no exhibit 'EX-0009'"):
            viewing.original(case, "EX-0009")


def test_a_changed_stored_file_is_not_given_out(tmp_path: Path, corpus: Path) -> None:
    with Case.init(tmp_path / "c", title="T", tz="UTC") as case:
        (item,) = case.import_files([corpus / SMS]).items
        stored = case.store.path_for(item.sha256)
        stored.chmod(0o644)
        stored.write_bytes(stored.read_bytes().replace(b"Body text 1", b"Body text 9"))
        with pytest.raises(StorageError, match="is no longer the one added"):
            viewing.original(case, "EX-0001")


def test_the_readers_description() -> None:
    assert viewing.reader_description(
        "smsbackup",
    ).startswith("SMS Backup & Restore (Android) XML")
    assert viewing.reader_description("no-such-reader") is None
    assert viewing.reader_description(None) is None


def test_an_uploaded_file_is_recorded_as_coming_from_where_the_user_had_it(
    tmp_path: Path, corpus: Path
) -> None:
    held = tmp_path / "held" / SMS.name
    held.parent.mkdir()
    shutil.copyfile(corpus / SMS, held)
    with Case.init(tmp_path / "c", title="T", tz="UTC") as case:
        result = case.import_files([held], origins={held: "(added in the app) Phone/" + SMS.name})
        (item,) = result.items
        assert item.path == "(added in the app) Phone/" + SMS.name
        assert item.sha256 == hashlib.sha256((corpus / SMS).read_bytes()).hexdigest()
        (acquired,) = case.show("EX-0001")["acquisitions"]
        assert acquired["original_path"] == "(added in the app) Phone/" + SMS.name
        assert acquired["original_name"] == SMS.name
        # without origins, the path as before
        (again,) = case.import_files([corpus / SMS]).items
        assert again.path == str(corpus / SMS) and again.duplicate_of == "EX-0001"


def test_a_page_of_one_files_records_from_the_index(tmp_path: Path, corpus: Path) -> None:
    calls = corpus / "smsbackup" / "calls-shruggietech-minimal_calls.xml"
    with Case.init(tmp_path / "c", title="T", tz="UTC") as case:
        items = case.import_files([corpus / SMS, calls]).items
        sha = items[0].sha256
        page, total = viewing.records_of(case, sha, 5)
        everything = [r for r in case.records() if r.item_sha256 == sha]
        assert total == len(everything) == 12  # the 12 <sms> of the file, not the call of the other one
        assert page == everything[:5]
        assert [r.text for r in page] == [f"Body text {n}" for n in range(1, 6)]
        light = case.show("EX-0001", with_records=False)
        full = case.show("EX-0001")
        assert light["records"] == [] and len(full["records"]) == 12
        assert {k: v for k, v in light.items() if k != "records"} == {
            k: v for k, v in full.items() if k != "records"
        }
