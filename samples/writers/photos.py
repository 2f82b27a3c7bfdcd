"""The photos sent in the story: the old holiday picture of the MMS (PNG) and the photo of Alex's
letter in the WhatsApp export (JPEG)."""

from __future__ import annotations

import io

from PIL import Image, ImageDraw

from samples.story import noise
from samples.writers.drawing import font, png_bytes, wrap


def beach_png() -> bytes:
    """The small picture in the MMS: an old holiday photo at sunset (drawn, 240x180)."""
    width, height = 240, 180
    img = Image.new("RGB", (width, height))
    draw = ImageDraw.Draw(img)
    horizon = 110
    for y in range(horizon):
        k = y / horizon
        draw.line((0, y, width, y), fill=(round(70 + 180 * k), round(90 + 80 * k), round(160 - 60 * k)))
    draw.ellipse((150, 78, 190, 118), fill=(255, 214, 120))
    for y in range(horizon, 140):
        k = (y - horizon) / 30
        draw.line((0, y, width, y), fill=(round(40 + 30 * k), round(80 + 30 * k), round(130 + 10 * k)))
    for i in range(6):  # glints on the water
        y = horizon + 4 + i * 5
        draw.line((150 - i * 4, y, 190 + i * 4, y), fill=(250, 200, 130), width=1)
    for y in range(140, height):
        k = (y - 140) / 40
        draw.line((0, y, width, y), fill=(round(214 - 30 * k), round(190 - 30 * k), round(150 - 30 * k)))
    draw.text((8, 160), "Brighton, Aug '24", font=font(12), fill=(60, 40, 20))
    return png_bytes(img)


LETTER = (
    "Jordan,\n\n"
    "I don't know if Sam will even give you this. I'm not writing to argue. I just need you to know "
    "I'm not the person you think I am. I've changed.\n\n"
    "I'll wait as long as it takes. I'm not going anywhere until you hear me out. You owe us that much "
    "after five years.\n\n"
    "Please. Ten minutes.\n\n"
    "Always yours,\n"
    "A x"
)


def letter_jpg() -> bytes:
    """The photo in Sam's chat: a handwritten letter on a table, as WhatsApp recompresses it (no EXIF)."""
    width, height = 720, 960
    img = Image.new("RGB", (width, height), (120, 86, 60))
    draw = ImageDraw.Draw(img)
    for x in range(0, width, 6):  # wood grain
        shade = noise(f"grain {x}", 30)
        draw.line((x, 0, x + 40, height), fill=(110 + shade, 78 + shade // 2, 52 + shade // 3), width=6)
    paper = Image.new("RGB", (560, 780), (248, 245, 236))
    pdraw = ImageDraw.Draw(paper)
    rule = 38
    for y in range(90, 780, rule):  # ruled lines
        pdraw.line((20, y, 540, y), fill=(196, 214, 232), width=2)
    pdraw.line((70, 0, 70, 780), fill=(232, 170, 170), width=2)
    hand = font(23, "Serif-Italic")
    for n, line in enumerate(wrap(LETTER, hand, 440)):
        pdraw.text((84, 90 + n * rule - 7), line, font=hand, fill=(28, 42, 110), anchor="ls")
    rotated = paper.rotate(-3.5, resample=Image.Resampling.BICUBIC, expand=True, fillcolor=(0, 0, 0))
    mask = Image.new("L", paper.size, 255).rotate(-3.5, resample=Image.Resampling.BICUBIC, expand=True)
    img.paste(rotated, ((width - rotated.width) // 2, (height - rotated.height) // 2 + 10), mask)
    buf = io.BytesIO()
    img.save(buf, "JPEG", quality=72, optimize=True)
    return buf.getvalue()
