"""Importing files into a case: acquisition records, duplicates, exhibit numbers, all or nothing."""

from __future__ import annotations

import hashlib
import os
import struct
import zlib
from collections.abc import Iterator
from pathlib import Path

import pytest

from evidence import importers
from evidence.actions import importing
from evidence.api import Case
from evidence.errors import InputError, StorageError
from evidence.importers.base import Importer, Source, Yielded
from evidence.models import ImportOptions
from evidence.verify.case import verify_case


def png_bytes(width: int = 2, height: int = 2) -> bytes:
    """A real, tiny PNG."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    raw = b"".join(b"\x00" + b"\xff\x00\x00" * width for _ in range(height))
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b"")
    )


def objects_in(case: Case) -> set[str]:
    return {p.name for p in (case.root / "objects" / "sha256").rglob("*") if p.is_file()}


def test_acquisition_record_has_every_fact(case: Case, tmp_path: Path) -> None:
    photo = tmp_path / "photo.png"
    photo.write_bytes(png_bytes())
    os.utime(photo, ns=(1_773_523_424_000_000_000, 1_773_523_424_123_456_789))
    result = case.import_files([photo])
    item = result.items[0]
    assert item.exhibit == "EX-0001"
    assert item.media_type == "image/png"
    assert item.duplicate_of is None
    entry = list(case.entries())[-1]
    # Who, on which computer, from which path: kept beside the entry under the commitment its body signs.
    signed = entry.body
    assert signed["private_details"]["fields"] == sorted(
        ["acquired_local", "file_mtime", "file_mtime_ns", "imported_by", "original_path"]
    )
    body = {**signed, **case.private_details()[entry.seq]}
    assert body["exhibit"] == "EX-0001"
    assert body["sha256"] == hashlib.sha256(photo.read_bytes()).hexdigest()
    assert body["size"] == photo.stat().st_size
    assert body["original_name"] == "photo.png"
    assert body["original_path"] == str(photo)
    assert body["media_type"] == "image/png"
    assert body["extension_mismatch"] is None
    assert body["file_mtime"] == "2026-03-14T21:23:44.123456+00:00"
    assert body["file_mtime_ns"] == "1773523424123456789"
    assert set(body["acquired_local"]) == {"zone", "offset", "local"}
    assert body["acquired_local"]["offset"][0] in "+-"
    assert set(body["imported_by"]) == {"user", "host"}
    assert body["tool"]["name"] == "evidence" and body["tool"]["python"].count(".") == 2
    assert body["objects"] == [{"sha256": body["sha256"], "role": "original", "size": body["size"]}]


def test_same_bytes_twice_is_one_object_two_entries_and_a_duplicate(case: Case, tmp_path: Path) -> None:
    a = tmp_path / "a.txt"
    b = tmp_path / "copy of a.txt"
    a.write_text("hello")
    b.write_text("hello")
    first = case.import_files([a])
    second = case.import_files([b, a])
    assert first.items[0].exhibit == "EX-0001"
    assert [i.exhibit for i in second.items] == ["EX-0001", "EX-0001"]
    assert [i.duplicate_of for i in second.items] == ["EX-0001", "EX-0001"]
    assert len(objects_in(case)) == 1
    acquisitions = [e for e in case.entries() if e.kind == "item.acquired"]
    assert len(acquisitions) == 3
    assert [e.body["original_name"] for e in acquisitions] == ["a.txt", "copy of a.txt", "a.txt"]
    assert len(case.exhibits()) == 1


def test_exhibit_numbers_are_stable_and_sequential(case: Case, tmp_path: Path) -> None:
    names = []
    for i in range(12):
        f = tmp_path / f"f{i:02d}.txt"
        f.write_text(f"content {i}")
        names.append(f)
    case.import_files(names[:5])
    case.import_files(names[5:])
    exhibits = case.exhibits()
    assert [e["exhibit"] for e in exhibits] == [f"EX-{n:04d}" for n in range(1, 13)]
    assert [e["original_name"] for e in exhibits] == [f"f{i:02d}.txt" for i in range(12)]


def test_folders_are_walked_sorted_without_hidden_files(case: Case, tmp_path: Path) -> None:
    folder = tmp_path / "phone"
    (folder / "sub").mkdir(parents=True)
    (folder / "b.txt").write_text("b")
    (folder / "sub" / "a.txt").write_text("a")
    (folder / ".DS_Store").write_text("junk")
    result = case.import_files([folder])
    assert [Path(i.path).name for i in result.items] == ["b.txt", "a.txt"]


def test_extension_mismatch_is_flagged(case: Case, tmp_path: Path) -> None:
    disguised = tmp_path / "screenshot.jpg"
    disguised.write_bytes(png_bytes())
    text_as_image = tmp_path / "note.png"
    text_as_image.write_text("not a picture at all\n")
    result = case.import_files([disguised, text_as_image])
    assert result.items[0].extension_mismatch == {
        "extension": ".jpg",
        "expected": "image/jpeg",
        "detected": "image/png",
    }
    assert result.items[1].extension_mismatch is not None
    assert result.items[1].extension_mismatch["detected"] == "text/plain"


def test_a_missing_file_imports_nothing(case: Case, tmp_path: Path) -> None:
    good = tmp_path / "good.txt"
    good.write_text("fine")
    with pytest.raises(InputError) as info:
        case.import_files([good, tmp_path / "gone.txt"])
    assert info.value.one_line().endswith("gone.txt: no such file")
    assert case.head().seq == 1
    assert objects_in(case) == set()


class _Exploding(Importer):
    """A fault-injecting importer: reads the first file fine, then fails on the second."""

    name = "exploding"
    version = "0"
    description = "fails on purpose"

    def sniff(self, head: bytes, source: Source) -> bool:
        return source.name.startswith("boom")

    def parse(self, source: Source, options: ImportOptions) -> Iterator[Yielded]:
        raise InputError("line 4: <call> has no date", path=source.name)


def test_a_failing_importer_leaves_the_case_exactly_as_it_was(
    case: Case, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(importers, "REGISTRY", (_Exploding,))
    seed = tmp_path / "seed.txt"
    seed.write_text("already here")
    case.import_files([seed])
    before_entries = [e.hash for e in case.entries()]
    before_objects = objects_in(case)
    files = []
    for i in range(3):
        f = tmp_path / f"ok{i}.txt"
        f.write_text(f"ok {i}")
        files.append(f)
    bad = tmp_path / "boom.xml"
    bad.write_text("<calls>")
    with pytest.raises(InputError, match="has no date"):
        case.import_files([*files, bad])
    assert [e.hash for e in case.entries()] == before_entries
    assert objects_in(case) == before_objects
    assert case.store.stray_stages() == []
    assert verify_case(case.root).ok


def test_a_crash_during_commit_rolls_back_entries_and_objects(
    case: Case, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    files = []
    for i in range(3):
        f = tmp_path / f"f{i}.txt"
        f.write_text(f"f {i}")
        files.append(f)
    calls = {"n": 0}
    real = importing._append_item

    def failing(*args: object, **kwargs: object) -> object:
        calls["n"] += 1
        if calls["n"] == 3:
            raise OSError(28, "No space left on device")
        return real(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(importing, "_append_item", failing)
    # A full disk inside the commit is the one-line StorageError (exit 7), not a raw OSError (issue 13, A22).
    with pytest.raises(StorageError):
        case.import_files(files)
    assert case.head().seq == 1
    assert objects_in(case) == set()
    assert case.conn.execute("SELECT COUNT(*) FROM pending_objects").fetchone()[0] == 0
    assert case.exhibits() == []
    assert verify_case(case.root).ok


def test_leftovers_of_a_killed_import_are_recovered_by_the_next_writer(case: Case, tmp_path: Path) -> None:
    # Simulate a process killed after placing its objects but before committing its entries.
    with case.store.session():
        staged = case.store.stage_bytes(b"orphan of a killed import", "x")
        case.conn.execute("INSERT INTO pending_objects (sha256, op) VALUES (?, 'dead-op')", (staged.sha256,))
        case.store.place(staged)
    (case.store.tmp / "session-1-dead.lock").write_bytes(b"")
    abandoned = case.store.tmp / "session-1-dead-000001"
    abandoned.write_bytes(b"half written")
    report = verify_case(case.root)
    assert report.ok
    assert report.codes() == {"INCOMPLETE_IMPORT"}
    f = tmp_path / "next.txt"
    f.write_text("next import")
    case.import_files([f])
    assert not case.store.exists(staged.sha256)
    assert not abandoned.exists()
    report = verify_case(case.root)
    assert report.ok and report.findings == []


def test_the_same_bytes_again_are_not_parsed_again(
    case: Case, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A second import of a screenshot (or any recognised file) does no OCR or parsing at all."""
    from PIL import Image

    from evidence.importers.screenshot import ScreenshotImporter

    shot = tmp_path / "Screenshot_20260314-213344.png"
    Image.new("RGB", (64, 64), "white").save(shot)
    first = case.import_files([shot])
    assert first.items[0].importer == "screenshot"

    def must_not_run(*args: object, **kwargs: object) -> Iterator[Yielded]:
        raise AssertionError("parsed again")

    monkeypatch.setattr(ScreenshotImporter, "parse", must_not_run)
    again = case.import_files([shot])
    assert again.items[0].duplicate_of == "EX-0001"
    assert [e.kind for e in case.entries()][-1] == "item.acquired"
    assert len(case.records()) == 1
    assert verify_case(case.root).ok
