"""WhatsApp "Export chat" importer, zips: media stored as blobs before the records that name them, Android
folders, hostile zips refused in one line, size and ratio limits, and the corpus zip read as its text.
(Split from test_whatsapp.py; its helpers are shared.)"""

from __future__ import annotations

import hashlib
import stat
import warnings
import zipfile
from datetime import datetime
from pathlib import Path

import pytest

from evidence.api import Case
from evidence.errors import InputError
from evidence.importers import whatsapp
from evidence.verify.case import verify_case
from tests.importers.test_whatsapp import LONDON, parse, sniff

# -- zips ---------------------------------------------------------------------------------------------------

PHOTO = b"\xff\xd8\xff\xe0 not really a jpeg " * 20
VOICE = b"OggS voice note bytes"
STRAY = b"%PDF-1.4 a document no message names"
MEDIA_CHAT = (
    "[05/01/2024, 10:00:00] Anna: look at this\n"
    "[05/01/2024, 10:00:05] Anna: \u200e<attached: 00000001-PHOTO-2024-01-05-10-00-05.jpg>\n"
    "[05/01/2024, 10:01:00] Ben: \u200e<attached: 00000002-AUDIO-2024-01-05-10-01-00.opus>\n"
    "[05/01/2024, 10:02:00] Anna: \u200e<attached: 00000003-PHOTO-missing.jpg>\n"
    "[13/01/2024, 10:03:00] Anna: \u200e<attached: 00000001-PHOTO-2024-01-05-10-00-05.jpg>\n"
)


def write_zip(path: Path, members: list[tuple[str | zipfile.ZipInfo, bytes]]) -> Path:
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        for name, data in members:
            zf.writestr(name, data)
    return path


def media_zip(tmp_path: Path) -> Path:
    return write_zip(
        tmp_path / "WhatsApp Chat - Anna.zip",
        [
            ("_chat.txt", MEDIA_CHAT.encode("utf-8")),
            ("00000001-PHOTO-2024-01-05-10-00-05.jpg", PHOTO),
            ("00000002-AUDIO-2024-01-05-10-01-00.opus", VOICE),
            ("00000009-stray.pdf", STRAY),
        ],
    )


def test_zip_with_media_yields_blobs_before_their_records(tmp_path: Path) -> None:
    path = media_zip(tmp_path)
    assert sniff(path)
    parsed = parse(path)
    kinds = [type(i).__name__ for i in parsed.items]
    assert kinds == [
        "ImportWarning",  # the date order
        "Record",
        "Blob",
        "Record",
        "Blob",
        "Record",
        "ImportWarning",  # the missing photo
        "Record",
        "Record",  # the photo again: no second blob
        "Blob",  # the stray document
        "ImportWarning",
        "Tally",  # seen vs made, last
    ]
    photo, voice, stray = parsed.blobs
    assert photo.data == PHOTO and photo.name == "00000001-PHOTO-2024-01-05-10-00-05.jpg"
    assert (
        photo.media_type == "image/jpeg"
        and photo.locator == "zip member 00000001-PHOTO-2024-01-05-10-00-05.jpg"
    )
    assert voice.data == VOICE and voice.media_type == "audio/ogg"
    assert stray.data == STRAY and stray.media_type == "application/pdf"
    records = parsed.records
    assert records[0].locator == "_chat.txt line 1" and records[0].attachments == ()
    assert records[1].attachments == (hashlib.sha256(PHOTO).hexdigest(),)
    assert records[1].raw["media_in_export"] is True
    assert records[2].attachments == (hashlib.sha256(VOICE).hexdigest(),)
    assert records[3].attachments == () and records[3].raw["media_in_export"] is False
    assert records[4].attachments == records[1].attachments
    assert [(w.locator, w.message) for w in parsed.warnings[1:]] == [
        ("_chat.txt line 4", "attached file '00000003-PHOTO-missing.jpg' is not in the zip"),
        ("zip", "1 file(s) in the zip are named by no message and were kept unattached: 00000009-stray.pdf"),
    ]
    assert parsed.warnings[0].locator == "_chat.txt"


def test_android_zip_with_file_attached_in_a_folder(tmp_path: Path) -> None:
    chat = "31/12/23, 23:59 - Bob: IMG-20231231-WA0001.jpg (file attached)\nHappy new year\n"
    path = write_zip(
        tmp_path / "export.zip",
        [("WhatsApp Chat with Bob.txt", chat.encode()), ("Media/IMG-20231231-WA0001.jpg", PHOTO)],
    )
    parsed = parse(path)
    (record,) = parsed.records
    assert record.locator == "WhatsApp Chat with Bob.txt line 1"
    assert record.text == "IMG-20231231-WA0001.jpg (file attached)\nHappy new year"
    assert record.attachments == (hashlib.sha256(PHOTO).hexdigest(),)
    assert [b.name for b in parsed.blobs] == ["Media/IMG-20231231-WA0001.jpg"]


def set_encrypted_flag(path: Path) -> None:
    """zipfile cannot write encrypted members; set bit 0 of the first member's flags by hand."""
    data = bytearray(path.read_bytes())
    for signature, offset in ((b"PK\x03\x04", 6), (b"PK\x01\x02", 8)):
        at = data.index(signature) + offset
        data[at] |= 0x01
    path.write_bytes(bytes(data))


def symlink_info(name: str) -> zipfile.ZipInfo:
    info = zipfile.ZipInfo(name)
    info.create_system = 3
    info.external_attr = (stat.S_IFLNK | 0o777) << 16
    return info


CHAT = b"[13/01/2024, 10:00:00] Anna: hello\n"


def hostile(tmp_path: Path, kind: str) -> Path:
    path = tmp_path / f"{kind}.zip"
    if kind == "zip_slip":
        return write_zip(path, [("_chat.txt", CHAT), ("../../evil.jpg", b"x")])
    if kind == "absolute":
        return write_zip(path, [("_chat.txt", CHAT), (zipfile.ZipInfo("/etc/evil.jpg"), b"x")])
    if kind == "drive":
        return write_zip(path, [("_chat.txt", CHAT), ("C:/evil.jpg", b"x")])
    if kind == "symlink":
        return write_zip(path, [("_chat.txt", CHAT), (symlink_info("photo.jpg"), b"/etc/passwd")])
    if kind == "too_many_entries":
        members: list[tuple[str | zipfile.ZipInfo, bytes]] = [("_chat.txt", CHAT)]
        members += [(f"m{i}.jpg", b"") for i in range(whatsapp.MAX_ZIP_ENTRIES)]
        return write_zip(path, members)
    if kind == "ratio_bomb":
        return write_zip(path, [("_chat.txt", CHAT), ("bomb.jpg", b"\0" * (2 * 1024 * 1024))])
    if kind == "encrypted":
        write_zip(path, [("_chat.txt", CHAT)])
        set_encrypted_flag(path)
        return path
    if kind == "duplicate_names":
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return write_zip(path, [("_chat.txt", CHAT), ("a.jpg", b"1"), ("a.jpg", b"2")])
    if kind == "no_chat":
        return write_zip(path, [("notes.txt", CHAT)])
    if kind == "two_chats":
        return write_zip(path, [("_chat.txt", CHAT), ("WhatsApp Chat with Bob.txt", CHAT)])
    if kind == "truncated":
        whole = write_zip(tmp_path / "whole.zip", [("_chat.txt", CHAT * 50)]).read_bytes()
        path.write_bytes(whole[: len(whole) - 30])
        return path
    if kind == "nameless":
        return write_zip(path, [("_chat.txt", CHAT), (zipfile.ZipInfo(""), b"x")])
    if kind == "empty_chat":
        return write_zip(path, [("_chat.txt", b"")])
    raise AssertionError(kind)


@pytest.mark.parametrize(
    ("kind", "message"),
    [
        ("zip_slip", "zip member '../../evil.jpg' climbs out of the archive ('..')"),
        ("absolute", "zip member '/etc/evil.jpg' has an absolute path"),
        ("drive", "zip member 'C:/evil.jpg' has an absolute path"),
        ("symlink", "zip member 'photo.jpg' is a symbolic link"),
        ("too_many_entries", "zip has 10001 entries, more than the 10000 allowed"),
        ("ratio_bomb", "zip member 'bomb.jpg' expands "),
        ("encrypted", "zip member '_chat.txt' is encrypted"),
        ("duplicate_names", "zip holds two members named 'a.jpg'"),
        ("no_chat", "zip holds no WhatsApp chat text"),
        ("two_chats", "zip holds several chat texts ('_chat.txt', 'WhatsApp Chat with Bob.txt')"),
        ("truncated", "not a readable zip archive"),
        ("empty_chat", "holds no WhatsApp messages"),
        ("nameless", "zip has a member without a name"),
    ],
)
def test_hostile_zips_are_refused(tmp_path: Path, kind: str, message: str) -> None:
    path = hostile(tmp_path, kind)
    with pytest.raises(InputError) as info:
        parse(path)
    assert info.value.message.startswith(message), info.value.message
    assert info.value.path == path.name


def test_zip_total_size_limit(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(whatsapp, "MAX_ZIP_TOTAL", 1000)
    path = write_zip(
        tmp_path / "big.zip", [("_chat.txt", CHAT), ("a.jpg", b"a" * 600), ("b.jpg", b"b" * 600)]
    )
    with pytest.raises(InputError, match="zip expands to more than 1000 bytes"):
        parse(path)


def test_zip_ratio_limit_spares_small_members(tmp_path: Path) -> None:
    path = write_zip(tmp_path / "small.zip", [("_chat.txt", CHAT), ("zeros.bin", b"\0" * 60_000)])
    parsed = parse(path)
    assert [b.name for b in parsed.blobs] == ["zeros.bin"]


def test_corpus_zip_matches_its_text(corpus: Path) -> None:
    from_zip = parse(corpus / "whatsapp" / "chatanalytics-4A_11M.zip", date_order="MDY")
    from_txt = parse(corpus / "whatsapp" / "chatanalytics-4A_11M.txt", date_order="MDY")
    assert [(r.occurred_at, r.sender, r.text) for r in from_zip.records] == [
        (r.occurred_at, r.sender, r.text) for r in from_txt.records
    ]
    assert from_zip.records[0].locator == "_chat.txt line 1"
    assert from_zip.records[0].occurred_at == datetime(2020, 12, 9, 23, 55, tzinfo=LONDON)
    assert from_zip.records[11].text == "👩🏻\u200d⚖️"  # CRLF in the zip's text: no stray "\r"
    assert [r.text for r in from_zip.records[:3]] == [
        "Messages and calls are end-to-end encrypted. No one outside of this chat, not even WhatsApp, "
        "can read or listen to them. Tap to learn more.",
        'Alice created group "Some cool group chat"',
        "Alice added you",
    ]
    assert all(r.sender is None for r in from_zip.records[:3])


def test_import_into_a_case_and_verify(case: Case, tmp_path: Path, corpus: Path) -> None:
    path = media_zip(tmp_path)
    result = case.import_files([path, corpus / "whatsapp" / "whatstk-pokemon.txt"])
    assert [item.importer for item in result.items] == ["whatsapp", "whatsapp"]
    assert [item.records for item in result.items] == [5, 20]
    stored = [r for r in case.records() if r.item_sha256 == result.items[0].sha256]
    assert [r.text for r in stored][:2] == [
        "look at this",
        "<attached: 00000001-PHOTO-2024-01-05-10-00-05.jpg>",
    ]
    photo_sha = hashlib.sha256(PHOTO).hexdigest()
    assert stored[1].attachments == (photo_sha,)
    assert stored[1].occurred_at == datetime(2024, 1, 5, 10, 0, 5, tzinfo=LONDON)
    assert stored[1].tz_assumed and stored[1].tz_name == "Europe/London"
    for blob in (PHOTO, VOICE, STRAY):
        assert case.store.exists(hashlib.sha256(blob).hexdigest())
    assert verify_case(case.root).ok
