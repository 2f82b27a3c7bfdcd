"""`evidence show EX-NNNN`: everything known of one exhibit, OCR included for pictures."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from PIL import Image, ImageDraw, ImageFont

from evidence.api import Case
from evidence.errors import UsageError
from tests.conftest import run_cli

FONT = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"


def test_show_a_screenshot_with_its_ocr(case: Case, tmp_path: Path) -> None:
    shot = tmp_path / "Screenshot_20260314-213344.png"
    image = Image.new("RGB", (900, 300), "white")
    ImageDraw.Draw(image).text(
        (40, 110), "Pick up the phone Jordan", fill="black", font=ImageFont.truetype(FONT, 44)
    )
    image.save(shot)
    case.import_files([shot])
    case.import_files([shot])  # a second acquisition of the same bytes
    shown = case.show("ex-0001")
    assert shown["exhibit"] == "EX-0001" and shown["original_name"] == shot.name
    assert [a["duplicate_of"] for a in shown["acquisitions"]] == [None, "EX-0001"]
    assert [d["importer"] for d in shown["derivations"]] == ["screenshot"]
    assert shown["records"][0]["occurred_at"] == "2026-03-14T21:33:44+00:00"
    ocr = shown["ocr"]
    assert "Pick up the phone Jordan" in ocr["text"]
    assert ocr["engine"].startswith("tesseract 5.")
    assert isinstance(ocr["mean_confidence"], float) and 50 < ocr["mean_confidence"] <= 100
    assert {"psm", "lang"} <= set(ocr["settings"])
    assert any(w["text"] == "Jordan" and len(w["bbox"]) == 4 for w in ocr["words"])

    out = run_cli("-C", str(case.root), "show", "EX-0001", "--json")
    assert out.returncode == 0, out.stderr
    assert json.loads(out.stdout)["ocr"]["text"] == ocr["text"]
    text = run_cli("-C", str(case.root), "show", "EX-0001").stdout
    assert "OCR (tesseract" in text and "+00:00" in text


def test_show_an_unknown_exhibit(case: Case) -> None:
    with pytest.raises(UsageError, match="no exhibit 'EX-0099'"):
        case.show("EX-0099")
    out = run_cli("-C", str(case.root), "show", "EX-0099")
    assert out.returncode == 2 and out.stderr.startswith("error: no exhibit")
