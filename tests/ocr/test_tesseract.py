"""The tesseract wrapper and the image preparation: real tesseract on drawn text, fakes for the error paths."""

from __future__ import annotations

import stat
import time
from pathlib import Path

import pytest
from PIL import Image, ImageDraw, ImageFont

from evidence.errors import DependencyError
from evidence.ocr.preprocess import Prepared, prepare
from evidence.ocr.tesseract import (
    OcrResult,
    Settings,
    TesseractFailed,
    TesseractProbe,
    parse_tsv,
    recognise,
)

FONT = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"
CHAT = [
    "Why are you ignoring my calls?",
    "I know you are at home tonight.",
    "Answer the phone or I will come round.",
    "Last warning, Jordan. 21:33",
]
TSV_HEADER = "level\tpage_num\tblock_num\tpar_num\tline_num\tword_num\tleft\ttop\twidth\theight\tconf\ttext"


def draw_lines(lines: list[str], *, dark: bool = False, width: int = 1080, size: int = 34) -> Image.Image:
    """Lines of chat text in DejaVu Sans, dark on light or (dark mode) light on dark."""
    background, ink = ((18, 18, 18), (235, 235, 235)) if dark else ((255, 255, 255), (20, 20, 20))
    line_height = size * 2
    img = Image.new("RGB", (width, line_height * (len(lines) + 2)), background)
    font = ImageFont.truetype(FONT, size)
    draw = ImageDraw.Draw(img)
    for number, line in enumerate(lines, start=1):
        draw.text((size, number * line_height), line, font=font, fill=ink)
    return img


def cer(expected: str, got: str) -> float:
    """Character error rate: Levenshtein distance over the expected length."""
    previous = list(range(len(got) + 1))
    for i, a in enumerate(expected, start=1):
        current = [i]
        for j, b in enumerate(got, start=1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a != b)))
        previous = current
    return previous[-1] / max(1, len(expected))


def ocr(img: Image.Image, tmp_path: Path) -> tuple[Prepared, OcrResult]:
    prepared = prepare(img)
    path = tmp_path / "page.png"
    prepared.image.save(path)
    return prepared, recognise(path, Settings(psm=3)).scaled_down(prepared.scale)


def fake_tesseract(folder: Path, body: str) -> Path:
    """A stand-in ``tesseract`` that answers ``--version`` like the real one and runs ``body`` otherwise."""
    folder.mkdir(parents=True, exist_ok=True)
    script = folder / "tesseract"
    script.write_text(
        '#!/bin/sh\nif [ "$1" = "--version" ]; then echo "tesseract 5.3.0"; exit 0; fi\n' + body + "\n"
    )
    script.chmod(script.stat().st_mode | stat.S_IXUSR)
    return script


def test_light_chat_text_reads_almost_exactly(tmp_path: Path) -> None:
    prepared, result = ocr(draw_lines(CHAT), tmp_path)
    assert not prepared.inverted and prepared.scale == 1
    assert cer("\n".join(CHAT), result.text) < 0.02, result.text
    assert result.engine.startswith("tesseract 5.")


def test_dark_mode_is_inverted_and_reads_as_well(tmp_path: Path) -> None:
    prepared, result = ocr(draw_lines(CHAT, dark=True), tmp_path)
    assert prepared.inverted and prepared.mean_luminance < 64
    assert cer("\n".join(CHAT), result.text) < 0.02, result.text


def test_narrow_images_are_upscaled_and_boxes_come_back_in_original_pixels(tmp_path: Path) -> None:
    img = draw_lines(CHAT[:2], width=540, size=17)
    prepared, result = ocr(img, tmp_path)
    assert prepared.scale == 2 and prepared.image.size == (1080, img.height * 2)
    assert cer("\n".join(CHAT[:2]), result.text) < 0.02, result.text
    first = result.words[0]
    assert first.text == "Why"
    x0, y0, x1, y1 = first.bbox
    assert 10 <= x0 <= 25 and 25 <= y0 <= 45 and x1 < 80 and y1 < 60  # drawn at (17, 34), 17 px type


def test_words_carry_integer_confidences_and_line_numbers(tmp_path: Path) -> None:
    _, result = ocr(draw_lines(CHAT), tmp_path)
    assert len(result.lines) == len(CHAT)
    assert all(isinstance(w.conf, int) and 0 <= w.conf <= 100 for w in result.words)
    assert len({(w.block, w.par, w.line) for w in result.words}) == len(CHAT)
    permille = result.mean_confidence_permille
    assert isinstance(permille, int) and 800 <= permille <= 1000
    blob = result.to_json()
    assert blob["settings"] == {"psm": 3, "lang": "eng"} and blob["engine"] == "tesseract"
    assert blob["words"][0]["bbox"] == list(result.words[0].bbox)


def test_parse_tsv_keeps_words_and_rounds_confidences() -> None:
    tsv = "\n".join(
        [
            TSV_HEADER,
            "1\t1\t0\t0\t0\t0\t0\t0\t100\t50\t-1\t",
            "5\t1\t1\t1\t1\t1\t10\t20\t30\t12\t96.51\tHello",
            "5\t1\t1\t1\t1\t2\t45\t20\t30\t12\t12.4\t ",
            "5\t1\t1\t1\t2\t1\t10\t40\t30\t12\t-1\tthere",
        ]
    )
    words = parse_tsv(tsv)
    assert [(w.text, w.conf, w.line, w.bbox) for w in words] == [
        ("Hello", 97, 1, (10, 20, 40, 32)),
        ("there", 0, 2, (10, 40, 40, 52)),
    ]


@pytest.mark.parametrize(
    ("tsv", "message"),
    [
        ("", "no TSV header"),
        ("Warning: something\n", "no TSV header"),
        (TSV_HEADER + "\n5\t1\t1\t1\t1\t1\tx\t20\t30\t12\t96\tHi", "left 'x' is not a number"),
        (TSV_HEADER + "\n5\t1\t1", "has 3 columns"),
    ],
)
def test_parse_tsv_refuses_what_is_not_tesseract_tsv(tsv: str, message: str) -> None:
    with pytest.raises(TesseractFailed, match=message):
        parse_tsv(tsv, name="shot.png")


def test_probe_knows_the_installed_version() -> None:
    probe = TesseractProbe()
    assert probe.installed()
    assert probe.version().startswith("5.")


def test_a_missing_program_is_a_dependency_error_naming_the_package(tmp_path: Path) -> None:
    probe = TesseractProbe(str(tmp_path / "no-such-tesseract"))
    assert not probe.installed()
    with pytest.raises(DependencyError) as info:
        probe.version()
    assert info.value.hint is not None and "apt-get install tesseract-ocr" in info.value.hint
    img = tmp_path / "page.png"
    draw_lines(["hello"]).save(img)
    with pytest.raises(DependencyError):
        recognise(img, probe=probe)


def test_a_crashing_tesseract_is_a_typed_error_naming_the_image(tmp_path: Path) -> None:
    script = fake_tesseract(tmp_path / "bin", 'echo "Segmentation fault in libtesseract" >&2\nkill -SEGV $$')
    img = tmp_path / "page.png"
    draw_lines(["hello"]).save(img)
    with pytest.raises(TesseractFailed) as info:
        recognise(img, probe=TesseractProbe(str(script)), name="Screenshot_1.png")
    assert info.value.path == "Screenshot_1.png"
    assert "killed by signal 11" in info.value.message and "Segmentation fault" in info.value.message


def test_a_failing_tesseract_reports_its_exit_status(tmp_path: Path) -> None:
    script = fake_tesseract(tmp_path / "bin", 'echo "Error in pixReadStream" >&2\nexit 1')
    img = tmp_path / "page.png"
    draw_lines(["hello"]).save(img)
    with pytest.raises(TesseractFailed, match="exited 1: 'Error in pixReadStream'"):
        recognise(img, probe=TesseractProbe(str(script)))


def test_a_hanging_tesseract_times_out(tmp_path: Path) -> None:
    script = fake_tesseract(tmp_path / "bin", "exec sleep 30")
    img = tmp_path / "page.png"
    draw_lines(["hello"]).save(img)
    started = time.monotonic()
    with pytest.raises(TesseractFailed, match="did not finish in 1 s"):
        recognise(img, probe=TesseractProbe(str(script)), timeout_s=1)
    assert time.monotonic() - started < 10


def test_a_garbled_version_is_a_dependency_error(tmp_path: Path) -> None:
    folder = tmp_path / "bin"
    folder.mkdir()
    script = folder / "tesseract"
    script.write_text("#!/bin/sh\necho 'not the program you think'\n")
    script.chmod(0o755)
    with pytest.raises(DependencyError, match="--version failed"):
        TesseractProbe(str(script)).version()
