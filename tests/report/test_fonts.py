"""Every script and emoji in the report (issue 14, finding 15): characters DejaVu lacks are drawn in fallback
fonts, glyph by glyph, embedded, and come back from the PDF's text as they went in (poppler's pdftotext).

Real files written by others: MimeKit's Japanese test message (jstedfast/MimeKit, MIT) and a real Android
WhatsApp export with emoji (starkdmi/whats_json, GPL-3.0), both from the shared corpus. Thai, Hindi and
Arabic come as a complainant would type them, in diary entries (common greetings).
"""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from evidence.api import Case
from evidence.report import fonts
from evidence.report.page import esc, register_fonts
from tests.conftest import CORPUS

THAI = "สวัสดีครับ"
HINDI = "नमस्ते"
ARABIC = "مرحبا"
JAPANESE = "日本語メールテスト"  # the corpus e-mail's subject


@pytest.fixture(scope="module")
def pdf(tmp_path_factory: pytest.TempPathFactory) -> Path:
    base = tmp_path_factory.mktemp("fonts")
    root = base / "case"
    with Case.init(root, title="Scripts", tz="Europe/London") as case:
        case.import_files(
            [
                CORPUS / "email" / "mimekit-japanese.eml",
                CORPUS / "whatsapp-real" / "whatsjson-android-WhatsApp Chat with Dmitry S EN Android.txt",
            ]
        )
        for text in (THAI, HINDI, ARABIC, "🍻"):
            case.add_diary_entry(when="2026-03-01T10:00:00+00:00", text=f"{text} — message", where=text)
        out = base / "report.pdf"
        out.write_bytes(case.render_report())
    return out


def _text(pdf: Path) -> str:
    return subprocess.run(
        ["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True, timeout=120
    ).stdout


def _fonts(pdf: Path) -> str:
    return subprocess.run(["pdffonts", str(pdf)], capture_output=True, text=True, check=True).stdout


def test_each_script_comes_back_from_the_pdf_text(pdf: Path) -> None:
    text = _text(pdf)
    for sample in (THAI, HINDI, JAPANESE, "😊", "🍻"):
        assert sample in text, sample
    # Arabic letters are each there, and since the timeline is shaped (evidence/report/shaping.py) the word too,
    # in reading order.
    assert all(letter in text for letter in ARABIC)
    assert ARABIC in text


def test_fallback_fonts_are_embedded_and_chosen_by_script(pdf: Path) -> None:
    listing = _fonts(pdf)
    for name in ("NotoSansThai", "NotoSansDevanagari", "DroidSansFallback", "Symbola"):
        line = next((row for row in listing.splitlines() if name in row), "")
        assert line, f"{name} not in the PDF"
        assert " yes yes " in line, line  # embedded, subset
    register_fonts()
    assert fonts.font_for(ord("a"), "DejaVu") == "DejaVu"
    assert fonts.font_for(ord("ส"), "DejaVu") == "NotoSansThai"
    assert fonts.font_for(ord("語"), "DejaVuMono") == "DroidSansFallback"
    # A variation selector stays with its emoji, a combining accent with its letter; the markup names the font.
    assert fonts.runs("ok ☺\ufe0f 🍻", "DejaVu") == [("DejaVu", "ok ☺\ufe0f "), ("Symbola", "🍻")]
    assert fonts.runs("ส\u0e31", "DejaVu") == [("NotoSansThai", "ส\u0e31")]
    assert esc("a ส <b>") == 'a <font face="NotoSansThai">ส</font> &lt;b&gt;'
