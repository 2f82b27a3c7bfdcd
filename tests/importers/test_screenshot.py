"""The screenshot importer: real corpus screenshots, the sample case's, EXIF and file-name times, hostile files."""

from __future__ import annotations

import hashlib
import importlib.util
import io
import json
import struct
import sys
import time
import zlib
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from types import ModuleType

import pytest
from PIL import Image

from evidence.api import Case
from evidence.errors import InputError
from evidence.importers import SNIFF_BYTES, find_importer
from evidence.importers._screenshot_messages import UNRECOGNISED
from evidence.importers.base import Source, Yielded
from evidence.importers.screenshot import MISSING_TESSERACT, ScreenshotImporter, image_kind, name_time
from evidence.models import Blob, ImportOptions, ImportWarning, Record, TimeSource
from evidence.verify.case import verify_case
from tests.ocr.test_tesseract import CHAT, cer, draw_lines, fake_tesseract

ROOT = Path(__file__).resolve().parents[2]
LONDON_OPTIONS = ImportOptions(tz="Europe/London", acquired_at="2026-05-01T10:00:00+00:00")


def source_for(path: Path, name: str | None = None) -> Source:
    data = path.read_bytes()
    return Source(path, name or path.name, hashlib.sha256(data).hexdigest(), len(data), "image/png")


def parse(path: Path, name: str | None = None, options: ImportOptions = LONDON_OPTIONS) -> list[Yielded]:
    source = source_for(path, name)
    importer = ScreenshotImporter()
    assert importer.sniff(path.read_bytes()[:SNIFF_BYTES], source)
    return list(importer.parse(source, options))


def only_record(items: list[Yielded]) -> Record:
    """The screenshot's own record (one per image; the messages its layout shows are records of their own,
    located ``image#mNN``, tested in test_screenshot_layout.py)."""
    records = [i for i in items if isinstance(i, Record) and i.locator == "image"]
    assert len(records) == 1
    assert all(
        i.locator.startswith("image#m") for i in items if isinstance(i, Record) and i is not records[0]
    )
    return records[0]


def warnings_of(items: list[Yielded]) -> list[str]:
    return [i.message for i in items if isinstance(i, ImportWarning)]


@pytest.fixture(scope="module")
def samples(tmp_path_factory: pytest.TempPathFactory) -> Path:
    spec = importlib.util.spec_from_file_location("make_samples", ROOT / "samples" / "make_samples.py")
    assert spec is not None and spec.loader is not None
    module: ModuleType = importlib.util.module_from_spec(spec)
    sys.modules["make_samples"] = module
    spec.loader.exec_module(module)
    out = tmp_path_factory.mktemp("samples") / "out"
    module.generate(out)
    return out


# -- the real screenshots --------------------------------------------------------------------------------


def test_an_android_chat_list_reads_with_its_exif_time(corpus: Path) -> None:
    items = parse(corpus / "screenshots" / "fossify-1_en-US.png")
    blob = items[0]
    assert isinstance(blob, Blob) and blob.name == "ocr-tesseract.json"
    record = only_record(items)
    assert record.text is not None
    for words in ("Carter Blake", "Did you see the game last night?", "Isabella Martinez", "Hannah Lee"):
        assert words in record.text
    assert record.occurred_at == datetime(
        2024, 1, 20, 0, 43, 32, tzinfo=timezone(timedelta(hours=5, minutes=30))
    )
    assert record.time_source is TimeSource.EXIF and not record.tz_assumed and record.tz_name is None
    assert record.raw["exif"]["OffsetTimeOriginal"] == "+05:30"
    assert record.raw["ocr"]["blob_sha256"] == blob.sha256
    assert (record.raw["width"], record.raw["height"], record.raw["mode"]) == (1080, 2400, "RGBA")
    document = json.loads(blob.data)
    assert document["text"] == record.text and document["engine_version"].startswith("5.")
    assert document["image_sha256"] == record.item_sha256
    assert all(isinstance(w["conf"], int) for w in document["words"])
    assert warnings_of(items) == [UNRECOGNISED]  # a list of chats the layout does not read: said, not silent


def test_a_conversation_details_screen_reads(corpus: Path) -> None:
    record = only_record(parse(corpus / "screenshots" / "fossify-3_en-US.png"))
    assert record.text is not None
    assert "Conversation details" in record.text and "Mia Zhang" in record.text


def test_a_camera_photo_takes_its_exif_time_in_the_import_zone(corpus: Path) -> None:
    items = parse(corpus / "screenshots" / "exifsamples-DSCN0010.jpg")
    record = only_record(items)
    assert record.occurred_at == datetime(2008, 10, 22, 15, 28, 39, tzinfo=UTC)
    assert record.time_source is TimeSource.EXIF and record.tz_assumed and record.tz_name == "Europe/London"
    assert record.raw["exif"]["Model"] == "COOLPIX P6000" and record.raw["format"] == "JPEG"
    assert warnings_of(items) == [
        "EXIF DateTimeOriginal '2008:10:22 16:28:39' has no offset; Europe/London assumed",
        UNRECOGNISED,  # a camera photo is no screen: said, not silent
    ]


def test_a_picture_without_any_time_is_placed_at_the_import(corpus: Path) -> None:
    items = parse(corpus / "screenshots" / "whatsreader-IMG-20241201-WA0001.jpg")
    record = only_record(items)
    assert record.time_source is TimeSource.ACQUIRED
    assert record.occurred_at == datetime(2026, 5, 1, 10, 0, tzinfo=UTC)
    assert any("placed at the time of import" in w for w in warnings_of(items))


# -- the sample case's screenshots: times from their names -------------------------------------------------


@pytest.mark.parametrize(
    ("name", "utc", "words"),
    [
        ("Screenshot_20260314-213344.png", datetime(2026, 3, 14, 21, 33, 44, tzinfo=UTC), "Private number"),
        (
            "Screenshot_20260320-224512_Instagram.png",
            datetime(2026, 3, 20, 22, 45, 12, tzinfo=UTC),
            "I'm not trying to upset you",
        ),
        (
            "Screenshot 2026-04-02 at 08.15.31.png",
            datetime(2026, 4, 2, 7, 15, 31, tzinfo=UTC),
            "Walthamstow & E17 Noticeboard",
        ),
    ],
)
def test_sample_screenshots_take_their_time_from_the_name(
    samples: Path, name: str, utc: datetime, words: str
) -> None:
    record = only_record(parse(samples / name))
    assert record.occurred_at == utc
    assert record.time_source is TimeSource.FILENAME and record.tz_assumed
    assert record.tz_name == "Europe/London"
    assert record.text is not None and words in record.text


@pytest.mark.parametrize(
    ("name", "wall"),
    [
        ("Screenshot_20260314-213344.png", (2026, 3, 14, 21, 33, 44)),
        ("Screenshot_20260314-213344_Instagram.png", (2026, 3, 14, 21, 33, 44)),
        ("Screenshot 2026-03-14 at 21.33.44.png", (2026, 3, 14, 21, 33, 44)),
        ("Screenshot 2019-03-14 at 9.33.44\u202fPM.png", (2019, 3, 14, 21, 33, 44)),
        ("Screen Shot 2019-03-14 at 12.05.01 AM.png", (2019, 3, 14, 0, 5, 1)),
        ("IMG_20260314_213344.jpg", (2026, 3, 14, 21, 33, 44)),
        ("Screenshot 2026-03-14 213344.png", (2026, 3, 14, 21, 33, 44)),
        ("Screenshot_2026-03-14-21-33-44-123_com.whatsapp.jpg", (2026, 3, 14, 21, 33, 44)),
    ],
)
def test_file_name_patterns(name: str, wall: tuple[int, ...]) -> None:
    found = name_time(name, LONDON_OPTIONS, [])
    assert found is not None
    moment, time_source, assumed = found
    assert (moment.year, moment.month, moment.day, moment.hour, moment.minute, moment.second) == wall
    assert time_source is TimeSource.FILENAME and assumed


@pytest.mark.parametrize("name", ["IMG-20241201-WA0001.jpg", "photo.png", "Screenshot_20261399-253344.png"])
def test_names_without_a_time(name: str) -> None:
    assert name_time(name, LONDON_OPTIONS, []) is None


def test_a_fall_back_time_in_a_name_is_warned() -> None:
    notes: list[ImportWarning] = []
    found = name_time("Screenshot_20261025-013000.png", LONDON_OPTIONS, notes)
    assert found is not None and found[0].astimezone(UTC) == datetime(2026, 10, 25, 0, 30, tzinfo=UTC)
    assert len(notes) == 1 and "happened twice" in notes[0].message


# -- EXIF ------------------------------------------------------------------------------------------------------


def _jpeg_with_exif(path: Path, original: str, offset: str | None) -> None:
    exif = Image.Exif()
    exif[271] = "Google"
    sub = exif.get_ifd(0x8769)
    sub[36867] = original
    if offset is not None:
        sub[36881] = offset
    draw_lines(CHAT[:1]).save(path, "JPEG", quality=92, exif=exif)


def test_exif_time_with_an_offset_is_exact(tmp_path: Path) -> None:
    path = tmp_path / "Screenshot_20200101-000000.jpg"  # the EXIF time wins over the name
    _jpeg_with_exif(path, "2026:03:14 21:33:44", "+01:00")
    items = parse(path)
    record = only_record(items)
    assert record.occurred_at == datetime(2026, 3, 14, 20, 33, 44, tzinfo=UTC)
    assert record.occurred_at.utcoffset() == timedelta(hours=1)
    assert record.time_source is TimeSource.EXIF and not record.tz_assumed
    assert record.raw["exif"] == {
        "Make": "Google",
        "DateTimeOriginal": "2026:03:14 21:33:44",
        "OffsetTimeOriginal": "+01:00",
    }
    assert record.text is not None and cer(CHAT[0], record.text) < 0.02
    assert warnings_of(items) == [UNRECOGNISED]  # one line of text, no bubble: no layout, said so


def test_an_impossible_exif_time_falls_back_to_the_name(tmp_path: Path) -> None:
    path = tmp_path / "IMG_20260314_213344.jpg"
    _jpeg_with_exif(path, "0000:00:00 00:00:00", None)
    items = parse(path)
    record = only_record(items)
    assert record.time_source is TimeSource.FILENAME
    assert record.occurred_at == datetime(2026, 3, 14, 21, 33, 44, tzinfo=UTC)
    assert warnings_of(items) == ["EXIF DateTimeOriginal '0000:00:00 00:00:00' is not a time", UNRECOGNISED]


# -- without tesseract, or with a broken one ------------------------------------------------------------------


def test_without_tesseract_the_image_still_imports_without_text(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "Screenshot_20260314-213344.png"
    draw_lines(CHAT).save(path)
    empty = tmp_path / "empty-bin"
    empty.mkdir()
    monkeypatch.setenv("PATH", str(empty))
    items = parse(path)
    assert not any(isinstance(i, Blob) for i in items)
    record = only_record(items)
    assert record.text is None and record.raw["ocr"] is None
    assert record.time_source is TimeSource.FILENAME
    assert warnings_of(items) == [MISSING_TESSERACT]
    assert MISSING_TESSERACT == (
        "tesseract is not installed (apt-get install tesseract-ocr); the image is stored without OCR"
    )


def test_a_crashing_tesseract_is_a_warning_not_a_lost_import(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "shot.png"
    draw_lines(CHAT).save(path)
    fake_tesseract(tmp_path / "bin", 'echo "Segmentation fault" >&2\nkill -SEGV $$')
    monkeypatch.setenv("PATH", str(tmp_path / "bin"))
    items = parse(path)
    record = only_record(items)
    assert record.text is None and record.time_source is TimeSource.ACQUIRED
    failed = [w for w in warnings_of(items) if w.startswith("OCR failed")]
    assert failed == [
        "OCR failed (tesseract was killed by signal 11: 'Segmentation fault'); the image is stored without OCR"
    ]


# -- hostile and broken files ----------------------------------------------------------------------------------


def _png_chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def test_a_decompression_bomb_is_refused_quickly(tmp_path: Path) -> None:
    ihdr = struct.pack(">IIBBBBB", 30000, 30000, 8, 0, 0, 0, 0)
    rows = zlib.compress(b"\x00" * 30001 * 4)  # a few rows; the header is what matters
    path = tmp_path / "bomb.png"
    path.write_bytes(
        b"\x89PNG\r\n\x1a\n"
        + _png_chunk(b"IHDR", ihdr)
        + _png_chunk(b"IDAT", rows)
        + _png_chunk(b"IEND", b"")
    )
    started = time.monotonic()
    with pytest.raises(InputError) as info:
        parse(path)
    assert time.monotonic() - started < 2
    assert info.value.path == "bomb.png" and "decompression bomb" in info.value.message


def test_an_image_over_our_own_pixel_limit_is_refused(tmp_path: Path) -> None:
    ihdr = struct.pack(">IIBBBBB", 9000, 9000, 8, 0, 0, 0, 0)  # under Pillow's limit, over ours
    path = tmp_path / "huge.png"
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + _png_chunk(b"IHDR", ihdr) + _png_chunk(b"IEND", b""))
    with pytest.raises(InputError, match="declares 9000x9000 pixels"):
        parse(path)


def test_a_truncated_png_is_an_input_error_naming_the_file(tmp_path: Path) -> None:
    buf = io.BytesIO()
    draw_lines(CHAT).save(buf, "PNG")
    path = tmp_path / "cut.png"
    path.write_bytes(buf.getvalue()[: len(buf.getvalue()) // 2])
    with pytest.raises(InputError) as info:
        parse(path, name="Screenshot_cut.png")
    assert info.value.one_line().startswith("Screenshot_cut.png: the image is truncated or damaged")


def test_a_jpeg_header_on_junk_is_an_input_error(tmp_path: Path) -> None:
    path = tmp_path / "junk.jpg"
    path.write_bytes(b"\xff\xd8\xff\xe0" + b"\x00" * 200)
    with pytest.raises(InputError):
        parse(path)


def test_sniff_by_magic_bytes_not_by_name(tmp_path: Path) -> None:
    buf = io.BytesIO()
    draw_lines(["x"], width=64).save(buf, "WEBP")
    assert image_kind(buf.getvalue()) == "webp"
    assert image_kind(b"GIF89a") is None
    tiny = io.BytesIO()
    Image.new("RGB", (2, 2)).save(tiny, "PNG")
    source = Source(tmp_path / "x", "screenshot.txt", "0" * 64, 10, "text/plain")
    assert not ScreenshotImporter().sniff(tiny.getvalue(), source)  # too small to hold text: a plain file
    assert ScreenshotImporter().sniff(buf.getvalue(), source)
    assert not ScreenshotImporter().sniff(b"\x89PNG\r\n\x1a\n" + b"\x00" * 32, source)


# -- through the case ------------------------------------------------------------------------------------------


def test_import_through_the_case_stores_the_ocr_and_verifies(case: Case, tmp_path: Path) -> None:
    path = tmp_path / "Screenshot_20260314-213344.png"
    draw_lines(CHAT, dark=True).save(path)
    head = path.read_bytes()[:SNIFF_BYTES]
    found = find_importer(head, source_for(path))
    assert found is not None and found.name == "screenshot"
    item = case.import_files([path]).items[0]
    assert (item.importer, item.records) == ("screenshot", 1)
    (record,) = case.records()
    assert record.text is not None and cer("\n".join(CHAT), record.text) < 0.02
    assert record.occurred_at == datetime(2026, 3, 14, 21, 33, 44, tzinfo=UTC)
    blob_sha = record.raw["ocr"]["blob_sha256"]
    stored = case.root / "objects" / "sha256" / blob_sha[:2] / blob_sha
    assert json.loads(stored.read_bytes())["text"] == record.text
    report = verify_case(case.root)
    assert report.ok and report.findings == []
