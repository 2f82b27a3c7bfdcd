"""Page previews (``evidence.report.preview``): the real pdftoppm over a real report, read from stdin and written
to stdout; stand-ins for pdftoppm that crash, hang, write garbage or are missing."""

from __future__ import annotations

import struct
import subprocess
from pathlib import Path

import pytest

from evidence.api import Case
from evidence.errors import DependencyError
from evidence.report.preview import PreviewFailed, page_previews, split_pngs


def _size(png: bytes) -> tuple[int, int]:
    """Width and height from the IHDR chunk (bytes 16-24 of a PNG)."""
    width, height = struct.unpack(">II", png[16:24])
    return width, height


@pytest.fixture
def report_pdf(case: Case, corpus: Path) -> bytes:
    case.import_files([corpus / "smsbackup" / "sms-devadvance-sms_small.xml"])
    return case.render_report(profile="police")


def _stand_in(folder: Path, body: str) -> str:
    script = folder / "pdftoppm"
    script.write_text("#!/bin/sh\n" + body + "\n", encoding="utf-8")
    script.chmod(0o755)
    return str(script)


def test_the_first_pages_come_back_as_pngs_drawn_in_memory(report_pdf: bytes, tmp_path: Path) -> None:
    (tmp_path / "report.pdf").write_bytes(report_pdf)
    info = subprocess.run(
        ["pdfinfo", str(tmp_path / "report.pdf")], capture_output=True, text=True, check=True
    )
    page_count = int(next(line.split()[1] for line in info.stdout.splitlines() if line.startswith("Pages:")))
    assert page_count > 3
    assert "595.276 x 841.89 pts (A4)" in info.stdout
    previews = page_previews(report_pdf, pages=3, dpi=50)
    assert len(previews) == 3
    for png in previews:
        assert png.startswith(b"\x89PNG\r\n\x1a\n") and png.endswith(b"IEND\xaeB`\x82")
        width, height = _size(png)
        # A4 (595.276 x 841.89 points, pdfinfo) at 50 dpi: 413.4 x 584.7 pixels, which pdftoppm rounds up
        assert (width, height) == (414, 585), (width, height)
    assert len(set(previews)) == 3  # three different pages, not one page three times
    # The same page as pdftoppm draws it from a file: the split is exact.
    from_file = subprocess.run(
        ["pdftoppm", "-png", "-r", "50", "-f", "2", "-l", "2", "-singlefile", str(tmp_path / "report.pdf")],
        capture_output=True,
        check=True,
    ).stdout
    assert previews[1] == from_file


def test_more_pages_asked_than_there_are_gives_every_page(report_pdf: bytes, tmp_path: Path) -> None:
    assert len(page_previews(report_pdf, pages=400, dpi=10)) == len(
        page_previews(report_pdf, pages=50, dpi=10)
    )


def test_split_refuses_what_is_not_whole_pngs() -> None:
    one = b"\x89PNG\r\n\x1a\n" + struct.pack(">I", 0) + b"IEND" + b"\xaeB`\x82"
    assert split_pngs(one + one) == [one, one]
    with pytest.raises(ValueError, match="runs past the end"):
        split_pngs(one + one[:-3])
    with pytest.raises(ValueError, match="no PNG signature"):
        split_pngs(one + b"junk")


def test_a_crashing_pdftoppm_is_one_line(tmp_path: Path) -> None:
    program = _stand_in(tmp_path, 'echo "Syntax Error: Couldn\'t read xref table" >&2; exit 1')
    with pytest.raises(PreviewFailed, match=r"pdftoppm failed \(exit 1\): Syntax Error: Couldn't read xref"):
        page_previews(b"%PDF-1.4 not really", program=program)


def test_a_hanging_pdftoppm_times_out(tmp_path: Path) -> None:
    program = _stand_in(tmp_path, "exec sleep 30")
    with pytest.raises(PreviewFailed, match=r"took more than 0\.5 s"):
        page_previews(b"%PDF-1.4", program=program, timeout=0.5)


def test_garbage_output_is_refused(tmp_path: Path) -> None:
    program = _stand_in(tmp_path, "cat >/dev/null; printf 'P6\\n1 1\\n255\\nabc'")
    with pytest.raises(PreviewFailed, match="not PNG pictures"):
        page_previews(b"%PDF-1.4", program=program)
    empty = _stand_in(tmp_path, "cat >/dev/null")
    with pytest.raises(PreviewFailed, match="drew no page"):
        page_previews(b"%PDF-1.4", program=empty)


def test_a_missing_pdftoppm_names_the_package(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(DependencyError, match="pdftoppm is not installed") as raised:
        page_previews(b"%PDF-1.4")
    assert raised.value.hint == "apt-get install poppler-utils"
