"""`evidence ocr`: OCR of stored pictures after the import (tesseract was missing), again with other settings
(appended, never replacing), a no-op with the same settings; with real tesseract, through the library and (for
what the user reads) the command line."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from evidence.api import Case
from evidence.errors import DependencyError, StorageError, UsageError
from evidence.ocr.layout import LAYOUT_VERSION
from evidence.verify.case import verify_case
from tests.conftest import run_cli
from tests.ocr.test_cache import TEXTS, counting_tesseract, pictures, runs


@pytest.fixture
def unread(case: Case, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Case]:
    """A case whose two screenshots were imported while tesseract was not installed (a PATH without it)."""
    no_tesseract = tmp_path / "empty-bin"
    no_tesseract.mkdir()
    with monkeypatch.context() as patch:
        patch.setenv("PATH", str(no_tesseract))
        result = case.import_files(pictures(tmp_path / "in", TEXTS[:2]))
    assert [w.message for i in result.items for w in i.warnings] == [
        "tesseract is not installed (apt-get install tesseract-ocr); the image is stored without OCR"
    ] * 2
    yield case


def test_ocr_reads_pictures_imported_without_tesseract(unread: Case) -> None:
    assert "ocr" not in unread.show("EX-0001")
    assert {r.text for r in unread.records()} == {None}
    seen: list[tuple[int, int]] = []
    done = unread.ocr(progress=lambda d, t: seen.append((d, t)))
    assert [(d.exhibit, d.status) for d in done] == [("EX-0001", "read"), ("EX-0002", "read")]
    assert seen[-1] == (2, 2)
    shown = unread.show("EX-0001")
    assert shown["ocr"]["text"] == TEXTS[0] and shown["ocr_earlier"] == []
    assert shown["ocr"]["entry"] == done[0].entry
    assert [r.text for r in unread.records()] == TEXTS[:2]  # the timeline shows the text now
    assert [h.exhibit for h in unread.search("tonight")] == ["EX-0002"]
    assert verify_case(unread.root).ok


def test_the_command_line_reads_draws_progress_and_then_has_nothing_to_do(
    unread: Case, tmp_path: Path
) -> None:
    root = str(unread.root)
    done = run_cli("-C", root, "ocr", "--progress")
    assert done.returncode == 0, done.stderr
    assert "EX-0001  read: 5 words, tesseract 5." in done.stdout and "EX-0002  read:" in done.stdout
    assert "OCR 2/2 images [" in done.stderr  # (text mode reads the \r as a newline)
    head = unread.head()
    log = tmp_path / "runs.log"
    counting_tesseract(tmp_path / "bin", log)
    path = {"PATH": f"{tmp_path / 'bin'}{os.pathsep}{os.environ['PATH']}"}
    again = run_cli("-C", root, "ocr", "EX-0001", "EX-0002", env=path)
    assert again.returncode == 0, again.stderr
    assert again.stdout.count("already read with this engine version and these settings; nothing run") == 2
    assert "images [" not in again.stderr  # stderr is not a terminal and --progress was not given
    assert runs(log) == 0 and unread.head() == head
    assert unread.ocr() == []  # every picture has OCR: nothing to do


def test_ocr_with_other_settings_appends_and_show_lists_the_earlier_result(unread: Case) -> None:
    (first,) = unread.ocr(["EX-0001"])
    (second,) = unread.ocr(["ex-0001"], psm=6)
    assert second.status == "read" and second.entry is not None and first.entry is not None
    assert second.entry > first.entry and second.outcome is not None and first.outcome is not None
    assert second.outcome.summary["settings"]["psm"] == 6
    shown = unread.show("EX-0001")
    assert shown["ocr"]["settings"]["psm"] == 6 and shown["ocr"]["entry"] == second.entry
    assert [e["blob_sha256"] for e in shown["ocr_earlier"]] == [first.outcome.blob_sha256]
    # the first result read the layout (its one tesseract pass is psm 6 over the stacked regions); an
    # explicit --psm is one whole-image pass: a different key, appended
    assert shown["ocr_earlier"][0]["settings"]["ocr"]["layout"]["layout_version"] == LAYOUT_VERSION
    assert "layout" not in shown["ocr"]["settings"]
    for blob in (first.outcome.blob_sha256, second.outcome.blob_sha256):  # nothing replaced
        assert unread.store.exists(blob)
    body = next(e.body for e in unread.entries() if e.seq == second.entry)
    assert body["supersedes"] == first.outcome.blob_sha256 and body["ocr"]["settings"]["psm"] == 6
    text = run_cli("-C", str(unread.root), "show", "EX-0001")
    assert "earlier OCR (tesseract 5." in text.stdout and "psm 6, eng" in text.stdout
    as_json = run_cli("-C", str(unread.root), "show", "EX-0001", "--json")
    assert json.loads(as_json.stdout)["ocr_earlier"][0]["entry"] == first.entry
    assert verify_case(unread.root).ok


def test_ocr_without_tesseract_names_the_package(unread: Case, tmp_path: Path) -> None:
    done = run_cli("-C", str(unread.root), "ocr", env={"PATH": str(tmp_path / "empty-bin")})
    assert done.returncode == 6
    assert "tesseract is not installed" in done.stderr and "apt-get install tesseract-ocr" in done.stderr


def test_ocr_without_tesseract_raises_before_touching_the_case(
    unread: Case, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    head = unread.head()
    monkeypatch.setenv("PATH", str(tmp_path / "empty-bin"))
    with pytest.raises(DependencyError, match="not installed"):
        unread.ocr()
    assert unread.head() == head


def test_ocr_refuses_what_is_not_a_picture_and_bad_settings(case: Case, tmp_path: Path) -> None:
    note = tmp_path / "note.txt"
    note.write_text("not a picture\n")
    (item,) = case.import_files([note]).items
    with pytest.raises(UsageError, match="not a picture"):
        case.ocr([item.exhibit])
    with pytest.raises(UsageError, match="no such exhibit"):
        case.ocr(["EX-0099"])
    with pytest.raises(UsageError, match="not a tesseract language"):
        case.ocr([], lang="eng;rm")
    with pytest.raises(UsageError, match="page segmentation"):
        case.ocr([], psm=42)


def test_a_stored_picture_swapped_since_its_import_is_never_read(unread: Case) -> None:
    """``ocr`` hands the workers the picture's bytes, checked against the hash the ledger names (never the
    stored file's path): a picture replaced in the store is refused, and nothing is recorded under its hash."""
    first, second = (unread.store.path_for(e["sha256"]) for e in unread.exhibits())
    first.chmod(0o644)
    first.write_bytes(second.read_bytes())
    head = unread.head()
    with pytest.raises(StorageError, match="no longer has the SHA-256 the ledger names") as caught:
        unread.ocr(["EX-0001"])
    assert "picture" in caught.value.message and unread.head() == head
