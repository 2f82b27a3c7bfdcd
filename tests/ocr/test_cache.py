"""The OCR cache (the case itself, keyed on image hash, engine version and settings), the parallel run before an
import, and EXIF orientation: real tesseract on small drawn images, a counting wrapper around it."""

from __future__ import annotations

import io
import os
import shutil
import sqlite3
import stat
from pathlib import Path

import pytest
from PIL import Image, ImageDraw, ImageFont

from evidence.api import Case
from evidence.case import index
from evidence.case.canonical import parse_canonical
from evidence.cli import ProgressBar
from evidence.ocr import worker
from evidence.ocr.cache import cache_key, summary_key
from evidence.ocr.layout import LAYOUT_VERSION
from evidence.ocr.pool import Failed, Job, run_all
from evidence.ocr.tesseract import Settings, TesseractProbe
from evidence.ocr.worker import ORIENTATION, PREPROCESS, ocr_settings, preprocess_json
from evidence.verify.case import verify_case
from tests.ocr.test_tesseract import fake_tesseract

FONT = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"
TEXTS = ["Pick up the phone Jordan", "We know where you are tonight", "Answer me or else"]
REAL_TESSERACT = shutil.which("tesseract") or "/usr/bin/tesseract"


def draw(path: Path, text: str, size: tuple[int, int] = (620, 120)) -> Path:
    """One line of dark text on white, small enough to OCR in a fraction of a second."""
    image = Image.new("RGB", size, "white")
    ImageDraw.Draw(image).text((20, size[1] // 2 - 18), text, font=ImageFont.truetype(FONT, 30), fill="black")
    image.save(path)
    return path


def pictures(folder: Path, texts: list[str] = TEXTS) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    return [draw(folder / f"Screenshot_20260314-2133{i:02d}.png", t) for i, t in enumerate(texts)]


def counting_tesseract(folder: Path, log: Path) -> Path:
    """A ``tesseract`` on PATH that notes each OCR run (not ``--version``) in ``log``, then runs the real one."""
    folder.mkdir(parents=True, exist_ok=True)
    script = folder / "tesseract"
    script.write_text(
        f'#!/bin/sh\n[ "$1" = "--version" ] || echo run >> "{log}"\nexec "{REAL_TESSERACT}" "$@"\n'
    )
    script.chmod(script.stat().st_mode | stat.S_IXUSR)
    return script


def runs(log: Path) -> int:
    return len(log.read_text().splitlines()) if log.exists() else 0


@pytest.fixture
def counted(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The counting tesseract first on PATH (worker processes inherit it); returns its log."""
    log = tmp_path / "tesseract-runs.log"
    counting_tesseract(tmp_path / "bin", log)
    monkeypatch.setenv("PATH", f"{tmp_path / 'bin'}{os.pathsep}{os.environ.get('PATH', '')}")
    return log


# -- the key ----------------------------------------------------------------------------------------------------


def test_the_key_changes_with_image_engine_version_and_each_setting() -> None:
    settings = {"ocr": ocr_settings(), "preprocess": PREPROCESS.to_json()}
    base = cache_key("a" * 64, "tesseract", "5.3.0", settings)
    assert len(base) == 64 and base == cache_key(
        "a" * 64, "tesseract", "5.3.0", dict(reversed(settings.items()))
    )
    others = {
        cache_key("b" * 64, "tesseract", "5.3.0", settings),
        cache_key("a" * 64, "tesseract", "5.3.1", settings),
        cache_key("a" * 64, "other", "5.3.0", settings),
        cache_key("a" * 64, "tesseract", "5.3.0", {**settings, "ocr": ocr_settings(Settings(psm=6))}),
        cache_key("a" * 64, "tesseract", "5.3.0", {**settings, "ocr": ocr_settings(Settings(lang="fra"))}),
        cache_key(
            "a" * 64, "tesseract", "5.3.0", {**settings, "preprocess": {**settings["preprocess"], "scale": 3}}
        ),
        # a result made before orientation was applied is not the same result
        cache_key("a" * 64, "tesseract", "5.3.0", {**settings, "ocr": Settings().to_json()}),
        # the layout analysis (its settings carry the layout version) is not the whole-image pass
        cache_key("a" * 64, "tesseract", "5.3.0", {**settings, "ocr": ocr_settings(layout=True)}),
    }
    assert len(others) == 8 and base not in others


# -- import: parallel, indexed, and never run twice --------------------------------------------------------------


def test_an_import_ocrs_its_pictures_once_each_and_indexes_the_results(
    case: Case, tmp_path: Path, counted: Path
) -> None:
    seen: list[tuple[int, int]] = []
    result = case.import_files(pictures(tmp_path / "in"), ocr_progress=lambda d, t: seen.append((d, t)))
    assert runs(counted) == 3
    assert seen[0] == (0, 3) and seen[-1] == (3, 3) and len(seen) == 4
    texts = {r.text for r in case.records()}
    assert texts == set(TEXTS)
    version = TesseractProbe().version()
    for item in result.items:
        (row,) = index.ocr_results_of(case.conn, item.sha256)
        summary = next(r.raw["ocr"] for r in case.records() if r.item_sha256 == item.sha256)
        assert summary["settings"]["orientation"] == ORIENTATION
        expected = cache_key(
            item.sha256,
            "tesseract",
            version,
            # an import reads the layout: its settings (and version) are part of the key
            {"ocr": ocr_settings(layout=True), "preprocess": preprocess_json(layout=True)},
        )
        assert summary["settings"]["layout"]["layout_version"] == LAYOUT_VERSION
        assert row["cache_key"] == expected == summary_key(item.sha256, summary)
        assert row["blob_sha256"] == summary["blob_sha256"]
    assert verify_case(case.root).ok


def test_a_second_import_and_ocr_with_the_same_settings_run_no_tesseract(
    case: Case, tmp_path: Path, counted: Path
) -> None:
    files = pictures(tmp_path / "in")
    case.import_files(files)
    assert runs(counted) == 3
    head = case.head()
    derived = {e.seq for e in case.entries() if e.kind == "records.derived"}
    again = case.import_files(files)
    assert runs(counted) == 3
    assert all(i.duplicate_of for i in again.items)
    done = case.ocr()  # every picture has OCR already: nothing to do
    assert done == [] and runs(counted) == 3
    named = case.ocr([i.exhibit for i in again.items])
    assert [d.status for d in named] == ["cached"] * 3 and runs(counted) == 3
    assert {d.entry for d in named} == derived and len(derived) == 3  # the import's records.derived
    assert case.head().seq == head.seq + 3  # only the three acquisitions of the second import


def test_a_crashing_tesseract_in_the_workers_is_a_warning_per_picture(
    case: Case, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    fake_tesseract(tmp_path / "bin", 'echo "Segmentation fault" >&2\nkill -SEGV $$')
    monkeypatch.setenv("PATH", str(tmp_path / "bin"))
    result = case.import_files(pictures(tmp_path / "in"))
    assert [len(i.warnings) for i in result.items] == [1, 1, 1]
    for item in result.items:
        assert item.warnings[0].message == (
            "OCR failed (tesseract was killed by signal 11: 'Segmentation fault'); the image is stored without OCR"
        )
        assert index.ocr_results_of(case.conn, item.sha256) == []
    assert {r.text for r in case.records()} == {None}


def test_a_hanging_tesseract_in_the_workers_times_out_as_a_warning(
    case: Case, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    fake_tesseract(tmp_path / "bin", "exec /bin/sleep 30")
    monkeypatch.setenv("PATH", str(tmp_path / "bin"))
    monkeypatch.setattr(worker, "OCR_TIMEOUT_S", 1)  # the workers are forked: they see it too
    result = case.import_files(pictures(tmp_path / "in", TEXTS[:2]))
    assert [w.message for i in result.items for w in i.warnings] == [
        "OCR failed (tesseract did not finish in 1 s); the image is stored without OCR"
    ] * 2
    assert len(case.records()) == 2


def test_a_tesseract_that_cannot_say_its_version_is_a_warning_not_a_lost_import(
    case: Case, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    broken = tmp_path / "bin" / "tesseract"
    broken.parent.mkdir()
    broken.write_text("#!/bin/sh\nexit 1\n")
    broken.chmod(0o755)
    monkeypatch.setenv("PATH", str(broken.parent))
    result = case.import_files(pictures(tmp_path / "in", TEXTS[:2]))
    messages = [w.message for i in result.items for w in i.warnings]
    assert len(messages) == 2 and all(
        m.startswith("OCR failed (") and "--version failed (exit 1)" in m for m in messages
    )


def _crash_on_second(job: Job) -> str | Failed:
    if job.name == "two":
        os._exit(9)  # the worker process dies, as under the OOM killer
    return job.name.upper()


def test_a_dead_worker_fails_the_unfinished_images_without_raising() -> None:
    jobs = [
        Job(path="-", image_sha256=f"{i}" * 64, name=n, psm=3, lang="eng")
        for i, n in enumerate(["one", "two"])
    ]
    outcomes = run_all(_crash_on_second, jobs, workers=2)
    assert set(outcomes) == {j.image_sha256 for j in jobs}
    assert outcomes["1" * 64] == Failed("the OCR worker process died")
    assert outcomes["0" * 64] in ("ONE", Failed("the OCR worker process died"))


def _size_of_data(job: Job) -> str | Failed:
    return f"{job.name}:{len(job.data or b'')}"


def test_jobs_are_loaded_as_the_work_goes_at_most_two_per_worker_ahead() -> None:
    """``load`` fills each job's bytes in the parent just before the job is sent (a stored picture read from
    the case in memory): never all pictures at once, and each job arrives with its own bytes."""
    jobs = [Job(None, f"{i:x}" * 64, f"p{i}", 3, "eng") for i in range(1, 9)]
    finished: list[int] = []
    ahead: list[int] = []

    def load(job: Job) -> Job:
        ahead.append(len(loaded) - (finished[-1] if finished else 0))  # loaded before this one, not finished
        loaded.append(job.name)
        return Job(None, job.image_sha256, job.name, 3, "eng", data=job.name.encode() * 10)

    loaded: list[str] = []
    outcomes = run_all(
        _size_of_data, jobs, workers=2, load=load, progress=lambda done, total: finished.append(done)
    )
    assert sorted(loaded) == sorted(j.name for j in jobs)
    assert {outcomes[j.image_sha256] for j in jobs} == {f"{j.name}:{len(j.name) * 10}" for j in jobs}
    assert max(ahead) == 3  # four in the pool (two per worker) when the fifth is loaded, never eight at once


# -- the index is a projection: rebuilt from the ledger, checked by verify ---------------------------------------


def test_the_ocr_index_is_rebuilt_from_the_ledger_and_checked(case: Case, tmp_path: Path) -> None:
    (item,) = case.import_files(pictures(tmp_path / "in", TEXTS[:1])).items
    case.ocr([item.exhibit], psm=6)
    before = index.snapshot(case.conn)["ocr_results"]
    assert len(before) == 2
    root = case.root
    case.close()
    conn = sqlite3.connect(root / "evidence.db")
    conn.execute("DELETE FROM ocr_results")
    conn.commit()
    conn.close()
    report = verify_case(root)
    assert not report.ok and any("ocr_results" in str(f) for f in report.findings)
    conn = sqlite3.connect(root / "evidence.db")
    conn.execute("UPDATE meta SET value = '2' WHERE key = 'index_version'")
    conn.commit()
    conn.close()
    with Case.open(root) as reopened:  # an older index: rebuilt from the ledger when opened for writing
        assert index.snapshot(reopened.conn)["ocr_results"] == before
        (record,) = reopened.records()
        assert record.raw["ocr"]["settings"]["psm"] == 6 and record.text == TEXTS[0]
    assert verify_case(root).ok


def test_an_edited_index_row_is_not_believed(case: Case, tmp_path: Path) -> None:
    first, second = case.import_files(pictures(tmp_path / "in", TEXTS[:2])).items
    (other,) = index.ocr_results_of(case.conn, second.sha256)
    # Point the first picture's cache entry at the second picture's words (the index is not signed).
    case.conn.execute(
        "UPDATE ocr_results SET blob_sha256 = ? WHERE image_sha256 = ?", (other["blob_sha256"], first.sha256)
    )
    (done,) = case.ocr([first.exhibit])
    assert done.status == "read" and done.outcome is not None and done.outcome.text == TEXTS[0]
    (again,) = case.ocr([first.exhibit])  # the honest row now answers
    assert (again.status, again.entry) == ("cached", done.entry)
    report = verify_case(case.root)
    assert not report.ok and any("ocr_results" in str(f) for f in report.findings)


# -- orientation ---------------------------------------------------------------------------------------------------


def test_exif_orientation_is_applied_before_ocr_and_the_original_kept(case: Case, tmp_path: Path) -> None:
    upright = Image.new("RGB", (620, 120), "white")
    ImageDraw.Draw(upright).text(
        (20, 42), "Meet me outside tonight", font=ImageFont.truetype(FONT, 30), fill="black"
    )
    sideways = upright.transpose(Image.Transpose.ROTATE_90)  # as a phone held sideways stores it
    exif = Image.Exif()
    exif[274] = 6  # Orientation: turn 90 degrees clockwise to view
    path = tmp_path / "IMG_20260314_213344.jpg"
    sideways.save(path, "JPEG", quality=95, exif=exif.tobytes())
    (item,) = case.import_files([path]).items
    (record,) = case.records()
    assert record.text == "Meet me outside tonight"
    assert record.raw["exif"]["Orientation"] == 6 and (record.raw["width"], record.raw["height"]) == (
        120,
        620,
    )
    blob = parse_canonical(case.store.read_bytes(record.raw["ocr"]["blob_sha256"]))
    assert blob["image_size"] == [620, 120]  # boxes refer to the upright image
    assert blob["settings"]["orientation"] == "exif-transposed"
    assert all(0 <= w["bbox"][0] < w["bbox"][2] <= 620 and w["bbox"][3] <= 120 for w in blob["words"])
    assert case.store.read_bytes(item.sha256) == path.read_bytes()  # the original, untouched


# -- the progress bar the CLI draws -----------------------------------------------------------------------------


def test_the_progress_bar_draws_in_place_and_ends_its_line() -> None:
    out = io.StringIO()
    bar = ProgressBar(stream=out)
    for done in range(4):
        bar.update(done, 3)
    bar.close()
    text = out.getvalue()
    assert text.startswith("\rOCR 0/3 images [") and "\rOCR 3/3 images [" + "=" * 30 + "]" in text
    assert text.endswith("\n") and text.count("\r") == 4
    quiet = io.StringIO()
    ProgressBar(stream=quiet).close()
    assert quiet.getvalue() == ""
