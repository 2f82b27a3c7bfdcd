"""Drawing helpers for the pictures: DejaVu fonts, word wrapping, PNG without time stamps, and the
phone's status bar, navigation pill and contact pictures."""

from __future__ import annotations

import io
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont
from PIL.PngImagePlugin import PngInfo

FONT_DIR = Path("/usr/share/fonts/truetype/dejavu")


Color = tuple[int, int, int]
_FONTS: dict[tuple[str, int], ImageFont.FreeTypeFont] = {}


def font(size: int, style: str = "") -> ImageFont.FreeTypeFont:
    """DejaVu Sans (``style`` "Bold", "Oblique", or "Serif-Italic"/"Serif"), cached."""
    key = (style, size)
    if key not in _FONTS:
        name = {
            "": "DejaVuSans.ttf",
            "Bold": "DejaVuSans-Bold.ttf",
            "Oblique": "DejaVuSans-Oblique.ttf",
            "Serif": "DejaVuSerif.ttf",
            "Serif-Italic": "DejaVuSerif-Italic.ttf",
        }[style]
        _FONTS[key] = ImageFont.truetype(str(FONT_DIR / name), size)
    return _FONTS[key]


def wrap(text: str, fnt: ImageFont.FreeTypeFont, width: int) -> list[str]:
    """Break ``text`` into lines no wider than ``width`` pixels (explicit newlines kept)."""
    lines: list[str] = []
    for paragraph in text.split("\n"):
        line = ""
        for word in paragraph.split(" "):
            trial = f"{line} {word}" if line else word
            if fnt.getlength(trial) <= width or not line:
                line = trial
            else:
                lines.append(line)
                line = word
        lines.append(line)
    return lines


def png_bytes(img: Image.Image, info: PngInfo | None = None, dpi: int | None = None) -> bytes:
    """Encode a PNG with no time stamp (Pillow adds none unless told)."""
    buf = io.BytesIO()
    extra: dict[str, object] = {"optimize": True}
    if info is not None:
        extra["pnginfo"] = info
    if dpi is not None:
        extra["dpi"] = (dpi, dpi)
    img.save(buf, "PNG", **extra)
    return buf.getvalue()


def status_bar(draw: ImageDraw.ImageDraw, width: int, clock: str, battery: int) -> None:
    """An Android status bar (light theme): clock left; signal, wi-fi and battery right."""
    ink: Color = (32, 33, 36)
    draw.text((54, 24), clock, font=font(40), fill=ink)
    x = width - 300
    for i in range(4):  # signal bars
        h = 12 + i * 8
        draw.rectangle((x + i * 14, 62 - h, x + i * 14 + 9, 62), fill=ink)
    wx, wy = width - 210, 64  # wi-fi fan
    for r in (34, 24, 14):
        draw.pieslice((wx - r, wy - r, wx + r, wy + r), 225, 315, fill=ink if r != 24 else (255, 255, 255))
    draw.pieslice((wx - 34, wy - 34, wx + 34, wy + 34), 225, 315, outline=ink, width=3)
    draw.text((width - 170, 26), f"{battery}%", font=font(34), fill=ink)
    bx = width - 80
    draw.rounded_rectangle((bx, 30, bx + 44, 64), radius=6, outline=ink, width=3)
    draw.rectangle((bx + 44, 40, bx + 49, 54), fill=ink)
    draw.rectangle((bx + 5, 35, bx + 5 + round(34 * battery / 100), 59), fill=ink)


def nav_handle(draw: ImageDraw.ImageDraw, width: int, height: int) -> None:
    """The gesture-navigation pill at the bottom of the screen."""
    draw.rounded_rectangle(
        (width // 2 - 110, height - 36, width // 2 + 110, height - 26), radius=5, fill=(32, 33, 36)
    )


def avatar(draw: ImageDraw.ImageDraw, x: int, y: int, d: int, fill: Color, letter: str | None) -> None:
    """A round contact picture with an initial, or a generic person silhouette."""
    draw.ellipse((x, y, x + d, y + d), fill=fill)
    if letter:
        f = font(d // 2)
        draw.text((x + d / 2, y + d / 2), letter, font=f, fill=(255, 255, 255), anchor="mm")
    else:
        c = (255, 255, 255)
        draw.ellipse((x + d * 0.34, y + d * 0.2, x + d * 0.66, y + d * 0.52), fill=c)
        draw.pieslice((x + d * 0.18, y + d * 0.58, x + d * 0.82, y + d * 1.2), 180, 360, fill=c)
