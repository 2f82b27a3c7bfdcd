"""Step 4, flattening: a region turned into dark text on white by colour distance to its background,
scaled to ``TARGET_LINE_PX`` lines, and the small time in a bubble's corner found to be read apart."""

from __future__ import annotations

from PIL import Image, ImageChops

from evidence.ocr.layout.settings import (
    CORNER_INK_LEVEL,
    INK_DIFFERENCE,
    INK_SHARE_DIVISOR,
    MAX_SCALE_PERMILLE,
    TARGET_LINE_PX,
    Box,
    Color,
)


def _flatten(crop: Image.Image, background: Color) -> Image.Image:
    """Dark text on white: each pixel's colour distance to ``background``, stretched so ink is black."""
    diff = ImageChops.difference(crop, Image.new("RGB", crop.size, background))
    red, green, blue = diff.split()
    distance = ImageChops.lighter(ImageChops.lighter(red, green), blue)
    histogram = distance.histogram()
    ink = histogram[INK_DIFFERENCE:]
    total = sum(ink)
    if total == 0:
        return Image.new("L", crop.size, 255)
    # the level reached by the darker half of the ink pixels becomes black
    running, level = 0, 255
    for value in range(255, INK_DIFFERENCE - 1, -1):
        running += histogram[value]
        if running * INK_SHARE_DIVISOR >= total * (INK_SHARE_DIVISOR - 1):
            level = max(value, INK_DIFFERENCE * 2)
            break
    table = [255 - min(255, v * 255 // level) for v in range(256)]
    return distance.point(table)


def _runs(profile: list[int], limit: int) -> list[int]:
    """Heights of the runs of rows darker than ``limit``, at least 3 px."""
    runs: list[int] = []
    run = 0
    for value in profile:
        if value < limit:
            run += 1
        elif run:
            runs.append(run)
            run = 0
    if run:
        runs.append(run)
    return [r for r in runs if r >= 3]


def _line_height(flat: Image.Image, *, band: bool = False) -> int:
    """The median height in pixels of the runs of rows holding ink (text lines), 0 without ink. In a band
    (text outside bubbles) where one run covers nearly the whole region (small print in a JPEG: its noise
    leaves no blank row between the lines), stricter limits look for the gaps between lines; three runs or
    more are lines, else the one run stays."""
    profile = list(flat.resize((1, flat.height), Image.Resampling.BOX).tobytes())
    runs = _runs(profile, 250)
    if band and len(runs) == 1 and runs[0] * 100 >= len(profile) * 85:
        for limit in (240, 225, 210):
            stricter = _runs(profile, limit)
            if len(stricter) >= 3:
                runs = stricter
                break
    if not runs:
        return 0
    tallest = max(runs)
    runs = sorted(r for r in runs if r * 2 >= tallest)  # not the dots, dashes and icons beside the text
    return runs[len(runs) // 2]


def _prepare_region(
    rgb: Image.Image, box: Box, background: Color, mask: Image.Image | None
) -> tuple[Image.Image, int]:
    """The region flattened and scaled; where ``mask`` (grid cells, 255) is set, background is painted first."""
    return _scaled(_flat_region(rgb, box, background, mask), band=True)


def _flat_region(rgb: Image.Image, box: Box, background: Color, mask: Image.Image | None) -> Image.Image:
    """The region flattened (see ``_flatten``), ``mask`` cells painted with the background first."""
    crop = rgb.crop(box)
    if mask is not None:
        crop.paste(
            background, (0, 0, crop.width, crop.height), mask.resize(crop.size, Image.Resampling.NEAREST)
        )
    return _flatten(crop, background)


def _scaled(flat: Image.Image, *, band: bool = False) -> tuple[Image.Image, int]:
    """The flattened region scaled so its text lines are about ``TARGET_LINE_PX`` high, and the scale."""
    line = _line_height(flat, band=band)
    scale = 1000 if line == 0 else min(MAX_SCALE_PERMILLE, max(1000, TARGET_LINE_PX * 1000 // line))
    if scale != 1000:
        size = (max(1, flat.width * scale // 1000), max(1, flat.height * scale // 1000))
        flat = flat.resize(size, Image.Resampling.LANCZOS)
    return flat, scale


def _ink_runs(values: list[int], limit: int) -> list[tuple[int, int]]:
    """Runs (start, end exclusive) of positions whose value is under ``limit`` (ink)."""
    runs: list[tuple[int, int]] = []
    start = -1
    for position, value in enumerate([*values, 255]):
        if value < limit and start < 0:
            start = position
        elif value >= limit and start >= 0:
            runs.append((start, position))
            start = -1
    return runs


def _corner_time(flat: Image.Image) -> Box | None:
    """The box (in the flattened bubble) of a short group of ink at the right end of its last line, set
    apart from the text before it by more than half a line height, or alone on a last line of its own:
    where WhatsApp-style apps print a message's time, smaller and greyer than the text. Tesseract reads it
    far better on its own (own contrast, own scale) than on a line with larger text. Light grey (JPEG's
    residue around print, flattened) is not ink here: it would join the time to the text."""
    flat = flat.point([0 if v < CORNER_INK_LEVEL else 255 for v in range(256)])
    profile = list(flat.resize((1, flat.height), Image.Resampling.BOX).tobytes())
    rows = [r for r in _ink_runs(profile, 252) if r[1] - r[0] >= 3]
    if not rows:
        return None
    tallest = max(b - a for a, b in rows)
    rows = [r for r in rows if (r[1] - r[0]) * 2 >= tallest]
    top, bottom = rows[-1]
    height = bottom - top
    band = flat.crop((0, top, flat.width, bottom)).resize((flat.width, 1), Image.Resampling.BOX)
    groups: list[tuple[int, int]] = []
    for x0, x1 in _ink_runs(list(band.tobytes()), 254):
        if groups and (x0 - groups[-1][1]) * 2 < height:
            groups[-1] = (groups[-1][0], x1)
        else:
            groups.append((x0, x1))
    while groups and groups[-1][1] - groups[-1][0] < height // 2:
        groups.pop()  # a speck at the bubble's rim (JPEG ringing of its rounded edge), not print
    if not groups or (len(groups) == 1 and len(rows) == 1):
        return None  # the bubble's only line is its text
    x0, x1 = groups[-1]
    if x1 - x0 > height * 5 or x1 * 4 < flat.width * 3 or (len(groups) == 1 and x0 * 2 < flat.width):
        return None  # too wide for a time, not at the right, or a line of text
    pad = max(2, height // 4)
    return (max(0, x0 - pad), max(0, top - pad), min(flat.width, x1 + pad), min(flat.height, bottom + pad))
