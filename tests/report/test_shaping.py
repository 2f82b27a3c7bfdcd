"""Complex scripts in the timeline (issue 16): Arabic joined and right to left, Devanagari and Thai shaped, and
the PDF's text (poppler's pdftotext) gives back every word in its logical order.

Real text written by others: the UDHR's first articles (``tests/data/udhr``, see its README) and the Arabic
iOS WhatsApp export of the shared corpus (starkdmi/whats_json, GPL-3.0). The pages were also rendered with
``pdftoppm -r 80`` and looked at (letters joined, marks stacked, right-to-left lines in order).
"""

from __future__ import annotations

import io
import re
import subprocess
import unicodedata
from pathlib import Path
from typing import Any

import pytest
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import PageBreak, Paragraph, SimpleDocTemplate

from evidence.api import Case
from evidence.report import shaping
from evidence.report.page import FRAME_W, register_fonts, styles
from evidence.report.rows import Cell, RowsFlowable, break_lines
from evidence.report.shaped_text import ShapedText, paragraph
from tests.conftest import CORPUS

DATA = Path(__file__).parent.parent / "data" / "udhr"
BIDI_CONTROLS = re.compile("[\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def _udhr() -> list[tuple[str, str]]:
    lines = (DATA / "udhr-article1.txt").read_text(encoding="utf-8").splitlines()
    return [(line[:2], line[3:].strip()) for line in lines]


def _whatsapp_arabic() -> list[str]:
    path = CORPUS / "whatsapp-real" / "whatsjson-ios-WhatsApp Chat - Elon Musk (Arabic).txt"
    texts = []
    for line in path.read_text(encoding="utf-8").splitlines():
        _, _, text = line.partition(": ")
        if re.search("[\u0600-\u06ff]", text):
            texts.append(text)
    return texts


@pytest.fixture(scope="module")
def texts() -> list[str]:
    return [text for _, text in _udhr()] + _whatsapp_arabic()


@pytest.fixture(scope="module")
def pdf_text(texts: list[str], tmp_path_factory: pytest.TempPathFactory) -> str:
    """The rows drawn as the timeline draws them, right-to-left scripts on the first page and the others on the
    second (pdftotext lays out a page whose text is mostly right to left from the right, as a reader would)."""
    register_fonts()
    header = [Cell("n", "DejaVu-Bold"), Cell("text", "DejaVu-Bold")]
    rtl = [t for t in texts if re.search("[\u0590-\u06ff]", t)]
    story: list[Any] = []
    for group in (rtl, [t for t in texts if t not in rtl]):
        rows = [[Cell(str(i)), Cell(text)] for i, text in enumerate(group)]
        story += [RowsFlowable(header, rows, [30, FRAME_W - 30]), PageBreak()]
    out = tmp_path_factory.mktemp("shaping") / "rows.pdf"
    SimpleDocTemplate(str(out)).build(story)
    extracted = subprocess.run(
        ["pdftotext", str(out), "-"], capture_output=True, text=True, check=True, timeout=60
    ).stdout
    return BIDI_CONTROLS.sub("", extracted)


def test_every_word_of_every_script_comes_back_in_logical_order(texts: list[str], pdf_text: str) -> None:
    assert len(texts) == 10 + 20  # 10 UDHR lines, 20 lines with Arabic in the export
    for text in texts:
        for word in BIDI_CONTROLS.sub("", text).split():
            # punctuation between words of two directions belongs to neither (UAX #9 N1-N2), and pdftotext may
            # put an Arabic comma on the other side of its space: the words themselves must be there
            assert word.strip(".،:") in pdf_text, (word, text)


def test_whole_sentences_come_back(pdf_text: str) -> None:
    lines = {line.strip() for line in pdf_text.splitlines()}
    for lang, text in _udhr():
        if lang in {"ar", "he", "hi", "th"} and len(text) < 70:  # one line in the cell
            assert text in lines, (lang, text)


def test_no_glyph_is_missing(texts: list[str]) -> None:
    register_fonts()
    for text in texts:
        for piece in shaping.shape_line(text, "DejaVu", 7.5):
            face = pdfmetrics.getFont(piece.font).face
            gids = [face.charToGlyph.get(ord(c), 0) for c in piece.glyphs]
            assert 0 not in gids, (piece.font, piece.text)


def test_arabic_letters_are_joined_and_right_to_left() -> None:
    register_fonts()
    text = "يولد جميع الناس"
    pieces = shaping.shape_line(text, "DejaVu", 9)
    assert all(p.rtl for p in pieces)
    arabic = [p for p in pieces if p.text.strip()]
    assert arabic[0].text.endswith("الناس")  # leftmost on the page: the last word
    # joined: the shaping engine chose contextual forms, not the letters' isolated glyphs
    assert any(ord(g) != ord(c) for p in arabic for g, c in zip(p.glyphs, p.text[::-1], strict=False))


def test_a_latin_line_with_an_arabic_part_keeps_its_direction() -> None:
    register_fonts()
    text = "Template.docx \u200fلم يتم إدراج المستند"
    pieces = shaping.shape_line(text, "DejaVu", 9)
    assert pieces[0].text.startswith("Template.docx") and not pieces[0].rtl
    arabic = [p for p in pieces if p.font == "NotoSansArabic"]
    assert [p.text for p in arabic] == ["لم يتم إدراج المستند"] and arabic[
        0
    ].rtl  # one run, shaped right to left
    assert pieces[-1].text == "\u200f"  # the mark before it, at the right end: the run is read from there


def test_devanagari_conjuncts_are_shaped() -> None:
    register_fonts()
    (piece,) = shaping.shape_line("स्वतन्त्रता", "DejaVu", 9)
    assert piece.font == "NotoSansDevanagari"
    assert len(piece.glyphs) < len(piece.text)  # conjuncts: fewer glyphs than characters


def test_latin_lines_are_not_shaped() -> None:
    assert not shaping.needs_shaping("Plain English, Ελληνικά, русский, 日本語")
    assert shaping.needs_shaping("ok مرحبا")


def test_a_right_to_left_paragraph_is_set_flush_right() -> None:
    register_fonts()
    text = "يولد جميع الناس"
    width = shaping.line_width(text, "DejaVu", 9, True)
    line = Canvas(io.BytesIO()).beginText(0, 0)
    shaping.draw_line(line, text, "DejaVu", 9, 11, rtl=True, width=200)
    moves = re.findall(r"([-\d.]+) 0 Td", line.getCode())
    assert float(moves[0]) == pytest.approx(200 - width, abs=0.01)  # moved right by the room left
    assert float(moves[-1]) == pytest.approx(width - 200, abs=0.01)  # and back for the next line
    left = Canvas(io.BytesIO()).beginText(0, 0)
    shaping.draw_line(left, "सभी मनुष्यों", "DejaVu", 9, 11, rtl=False, width=200)
    assert " Td" not in left.getCode()


def test_a_long_word_is_not_broken_before_a_vowel_sign() -> None:
    """Thai marks have no width, so a line never ends before one; Devanagari's spacing vowel signs (ा ि ी,
    category Mc) do, and must stay with their consonant when a word longer than the cell is cut."""
    register_fonts()
    for text in (_udhr()[8][1], _udhr()[4][1].replace(" ", "")):  # Thai as written; Hindi run together
        for width in range(30, 200, 3):
            lines = break_lines(text, "DejaVu", 7.5, float(width))
            assert "".join(lines) == text
            assert not any(unicodedata.category(line[0])[0] == "M" for line in lines), (width, lines)


def test_quoted_words_outside_the_table_are_shaped_and_run_over_pages(tmp_path: Path) -> None:
    """The appendix's full text of a long message and the incidents' excerpts: ``shaped_text.paragraph``."""
    register_fonts()
    style = styles()["cell"]
    assert isinstance(paragraph("Plain words <b>not markup</b>", style), Paragraph)  # as before
    udhr = dict(_udhr()[i] for i in (0, 2, 4, 8))  # ar, fa, hi, th
    text = "\n".join(udhr.values()) * 12  # long enough for three pages of the small frame below
    flowable = paragraph(text, style)
    assert isinstance(flowable, ShapedText)
    out = tmp_path / "quoted.pdf"
    SimpleDocTemplate(str(out), pagesize=(300, 300)).build([flowable])
    pages = subprocess.run(["pdfinfo", str(out)], capture_output=True, text=True, check=True).stdout
    assert re.search(r"Pages:\s+([3-9]|\d\d)", pages), pages
    extracted = BIDI_CONTROLS.sub(
        "", subprocess.run(["pdftotext", str(out), "-"], capture_output=True, text=True, check=True).stdout
    )
    joined = extracted.replace("\n", "")  # Thai has no spaces: its one word is cut across lines
    for sentence in udhr.values():
        for word in sentence.split():
            assert word.strip(".،:") in joined, word
    assert (
        extracted.count(udhr["hi"].split()[1]) == 12
    )  # every copy of the Hindi sentence, none lost at a page end


def test_an_arabic_case_title_is_shaped_on_the_cover(tmp_path: Path) -> None:
    title = (
        "قضية مضايقة: رسائل واتساب"  # "harassment case: WhatsApp messages", as a complainant would type it
    )
    with Case.init(tmp_path / "case", title=title, tz="Asia/Riyadh") as case:
        case.add_diary_entry(when="2022-03-29 10:00", text=_udhr()[0][1])
        out = tmp_path / "report.pdf"
        out.write_bytes(case.render_report())
    cover = BIDI_CONTROLS.sub(
        "",
        subprocess.run(
            ["pdftotext", "-f", "1", "-l", "1", str(out), "-"], capture_output=True, text=True, check=True
        ).stdout,
    )
    # the heading and the "Case" row: each word of the title in reading order (pdftotext puts the colon, which
    # belongs to neither word, on the left)
    assert cover.count("قضية مضايقة") == 2 and cover.count("رسائل واتساب") == 2


def test_a_wrapped_line_takes_its_levels_from_the_whole_paragraph(tmp_path: Path) -> None:
    """Line 13 of the real Arabic export, broken in a cell just before its "2": the bidi algorithm run on the
    second line alone made the digit left to right (level 0, at the left end of the line); in the paragraph
    it follows Arabic (an Arabic number, inside the right-to-left run), so it is drawn at the run's right
    end, where the run is read from."""
    register_fonts()
    path = CORPUS / "whatsapp-real" / "whatsjson-ios-WhatsApp Chat - Elon Musk (Arabic).txt"
    text = path.read_text(encoding="utf-8").splitlines()[12].partition(": ")[2].strip()
    assert text.startswith("Resume-Dmitry-Starkov.pdf") and " 2 " in text
    width = next(
        w
        for w in range(60, 300)
        if [line[:2] for line in break_lines(text, "DejaVu", 7.5, w - 6)][1:] == ["2 "]
    )
    out = tmp_path / "wrapped.pdf"
    SimpleDocTemplate(str(out)).build([RowsFlowable([Cell("text", "DejaVu-Bold")], [[Cell(text)]], [width])])
    boxes = subprocess.run(
        ["pdftotext", "-bbox", str(out), "-"], capture_output=True, text=True, check=True, timeout=60
    ).stdout
    words = [BIDI_CONTROLS.sub("", w).strip() for w in re.findall(r"<word [^>]*>([^<]*)</word>", boxes)]
    second = next(
        w for w in words if "\u062f\u0646\u062a\u0633\u0645\u0644\u0627" in w
    )  # "المستند", as laid out
    assert second.endswith(" 2") and not second.startswith("2"), second
