"""Red-team attacks on ``report --redact`` (issue 13, second team): nothing masked may be recoverable from the
redacted copy, neither from the pictures it embeds (B01) nor from the e-mail headers it prints (B07)."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from PIL import Image, ImageDraw, ImageFont

from evidence.api import Case

FONT = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"
OWNER_PHONE = "+447700900001"
OWNER_EMAIL = "jordan.lee@example.org"
ORIENTATION = 0x0112  # the EXIF tag


def _owner(case: Case) -> None:
    case.add_person("Jordan Lee", role="owner", ids=[OWNER_PHONE, OWNER_EMAIL], basis="the owner's own")
    case.add_person("Alex Morgan", role="respondent", ids=["alex.morgan@example.net"], basis="saved contacts")


def _note() -> Image.Image:
    """The red team's picture: the owner's number and address, and a threat that must stay readable."""
    font = ImageFont.truetype(FONT, 40)
    image = Image.new("RGB", (1080, 600), "white")
    pen = ImageDraw.Draw(image)
    pen.text((40, 60), "My number is +44 7700 900001", font=font, fill="black")
    pen.text((40, 160), f"Email {OWNER_EMAIL}", font=font, fill="black")
    pen.text((40, 260), "I know where you live", font=font, fill="black")
    return image


def _read_pictures(pdf: bytes, folder: Path) -> str:
    """What tesseract reads in every picture embedded in ``pdf`` (extracted with pdfimages, as B01 does)."""
    folder.mkdir(parents=True)
    (folder / "r.pdf").write_bytes(pdf)
    subprocess.run(["pdfimages", "-png", str(folder / "r.pdf"), str(folder / "i")], check=True)
    pictures = sorted(folder.glob("i-*.png"))
    assert pictures
    read = [
        subprocess.run(["tesseract", str(p), "-"], capture_output=True, text=True, check=True).stdout
        for p in pictures
    ]
    return "\n".join(read)


def _text(pdf: bytes, folder: Path) -> str:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "t.pdf").write_bytes(pdf)
    return subprocess.run(
        ["pdftotext", "-layout", str(folder / "t.pdf"), "-"], capture_output=True, text=True, check=True
    ).stdout


@pytest.mark.parametrize("fmt", ["JPEG", "PNG"])
def test_b01_redaction_overlay_masked_words_are_gone_from_the_pixels(
    case: Case, tmp_path: Path, fmt: str
) -> None:
    shot = tmp_path / "in" / f"Screenshot_20260314-213344.{fmt.lower()}"
    shot.parent.mkdir()
    _note().save(shot, fmt, quality=95)
    case.import_files([shot])
    _owner(case)
    plain = _read_pictures(case.render_report(profile="lawyer"), tmp_path / "plain")
    assert (
        "900001" in plain and "jordan.lee@" in plain
    )  # the attack's premise: OCR reads the embedded picture
    redacted = case.render_report(profile="lawyer", redact=True)
    read = _read_pictures(redacted, tmp_path / "redacted")
    assert "900001" not in read and "jordan" not in read.lower() and "example.org" not in read
    assert "where you live" in read  # the threat itself stays in the picture
    assert "900001" not in _text(redacted, tmp_path) and OWNER_EMAIL not in _text(redacted, tmp_path)


def test_b01_redaction_overlay_a_sideways_photo_is_blacked_out_where_ocr_read(
    case: Case, tmp_path: Path
) -> None:
    """A photo stored sideways with an EXIF Orientation: OCR read it upright, so the boxes are pixels of the
    upright picture; the redacted copy embeds that upright picture, blacked out at the right places."""
    shot = tmp_path / "in" / "IMG_20260314_213344.jpg"
    shot.parent.mkdir()
    exif = Image.Exif()
    exif[ORIENTATION] = 6  # shown turned 90 degrees clockwise
    _note().transpose(Image.Transpose.ROTATE_90).save(shot, "JPEG", quality=95, exif=exif.tobytes())
    case.import_files([shot])
    _owner(case)
    read = _read_pictures(case.render_report(profile="lawyer", redact=True), tmp_path / "redacted")
    assert "900001" not in read and "jordan" not in read.lower()
    assert "where you live" in read


def test_b07_redact_messageid_leak_every_header_value_is_masked(case: Case, tmp_path: Path) -> None:
    mail = tmp_path / "in" / "m.eml"
    mail.parent.mkdir()
    mail.write_text(
        'From: "Alex, about Jordan.Lee@Example.org" <alex.morgan@example.net>\n'
        "To: Jordan <jordan.lee@example.org>\n"
        "Subject: I know where you are, jordan.lee@example.org\n"
        "Date: Sat, 14 Mar 2026 21:00:00 +0000\n"
        "Message-ID: <20260314210000.jordan.lee@example.org>\n"
        "Content-Type: text/plain; charset=utf-8\n"
        "\n"
        "You can't hide, jordan.lee@example.org. Text me on 447700900001.\n",
        encoding="utf-8",
    )
    case.import_files([mail])
    _owner(case)
    plain = _text(case.render_report(profile="lawyer"), tmp_path / "plain")
    assert "<20260314210000.jordan.lee@example.org>" in plain  # the unredacted report shows it as written
    shown = _text(case.render_report(profile="lawyer", redact=True), tmp_path / "redacted")
    assert "jordan.lee@" not in shown.lower() and "900001" not in shown
    assert (
        "<20260314210000.[owner e-mail 1]>" in shown
    )  # the Message-ID, the owner's address masked inside it
    assert "I know where you are, [owner e-mail 1]" in shown
    assert "Alex, about [owner e-mail 1] <alex.morgan@example.net>" in shown  # the respondent stays


def test_b01_a_redacted_copy_embeds_no_photo_metadata(tmp_path: Path) -> None:
    """A photo with nothing to mask still loses its EXIF (a GPS position says where the owner lives)."""
    photo = tmp_path / "in" / "IMG_20260314_213344.jpg"
    photo.parent.mkdir()
    exif = Image.Exif()
    exif[0x010F] = "PhoneMakerXYZ"  # Make
    Image.new("RGB", (320, 240), "white").save(photo, "JPEG", exif=exif.tobytes())
    with Case.init(tmp_path / "case", title="T", tz="Europe/London") as case:
        case.import_files([photo])
        plain = case.render_report(profile="lawyer")
        redacted = case.render_report(profile="lawyer", redact=True)
    assert b"PhoneMakerXYZ" in plain  # the JPEG is embedded as stored, EXIF and all
    assert b"PhoneMakerXYZ" not in redacted
