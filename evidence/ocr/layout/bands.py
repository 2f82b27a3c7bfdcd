"""Step 3, other text: bands of grid rows holding ink outside the bubbles, cut where the ink has wide
gaps, and the mask of solid shapes and thin rings painted over before they are read."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import Final

from PIL import Image, ImageChops, ImageFilter

from evidence.ocr.layout.grid import _close, _Grid, _Region, _to_px
from evidence.ocr.layout.settings import BAND_PAD, GRID_INK, SOLID_CELLS, Box, Color

# a shape half the screen wide or wider with this many shapes inside it (letters) is a card, never painted over
CARD_MARKS: Final = 8
# a column holding ink in this share (per mille) of the grid's rows is a rail (a phone frame's edge), not text
RAIL_SHARE: Final = 600


@dataclass(frozen=True)
class _Band:
    box: Box  # original pixels
    cells: Box  # grid cells, x1 and y1 exclusive
    background: Color


def _quantised(c: Color) -> Color:
    return (c[0] >> 2, c[1] >> 2, c[2] >> 2)


def _bands(grid: _Grid, bubbles: list[_Region]) -> list[_Band]:
    """Runs of grid rows holding ink outside the bubbles, each with its commonest colour."""
    w = grid.width
    covered = [[False] * w for _ in range(grid.height)]
    for r in bubbles:
        for y in range(max(0, r.y0 - 1), min(grid.height, r.y1 + 2)):
            row = covered[y]
            for x in range(max(0, r.x0 - 1), min(w, r.x1 + 2)):
                row[x] = True
    ink_rows: list[tuple[set[int], Color] | None] = []
    for y in range(grid.height):
        cells = [grid.pixels[y * w + x] for x in range(w) if not covered[y][x]]
        if not cells:
            ink_rows.append(None)
            continue
        mode_q = Counter(_quantised(c) for c in cells).most_common(1)[0][0]
        mode = next(c for c in cells if _quantised(c) == mode_q)
        xs = {x for x in range(w) if not covered[y][x] and not _close(grid.pixels[y * w + x], mode, GRID_INK)}
        ink_rows.append((xs, mode) if xs else None)
    ink_rows = _without_rails(ink_rows, grid.height)
    bands: list[_Band] = []
    y = 0
    while y < grid.height:
        if ink_rows[y] is None:
            y += 1
            continue
        start = y
        colours: Counter[Color] = Counter()
        columns: set[int] = set()
        while y < grid.height and (ink := ink_rows[y]) is not None:
            columns |= ink[0]
            colours[ink[1]] += 1
            y += 1
        if y - start < 2:
            continue
        # pieces of the band far apart (a name on the left, a time on the right) are read separately
        split = max(4, (y - start) * 3 // 2)
        ordered = sorted(columns)
        pieces: list[tuple[int, int]] = []
        for x in ordered:
            if pieces and x - pieces[-1][1] <= split:
                pieces[-1] = (pieces[-1][0], x)
            else:
                pieces.append((x, x))
        for x0, x1 in pieces:
            cell_box = _Region(
                -1,
                1,
                max(0, x0 - BAND_PAD),  # faint edges of round letters are under the ink threshold
                max(0, start - 1),
                min(w - 1, x1 + BAND_PAD),
                min(grid.height - 1, y),
                0,
                0,
                0,
                False,
            )
            span = (cell_box.x0, cell_box.y0, cell_box.x1 + 1, cell_box.y1 + 1)
            bands.append(_Band(_to_px(grid, cell_box), span, colours.most_common(1)[0][0]))
    return bands


def _without_rails(
    ink_rows: list[tuple[set[int], Color] | None], height: int
) -> list[tuple[set[int], Color] | None]:
    """Ink rows without the columns that hold ink in ``RAIL_SHARE`` per mille of the grid's rows or more: a
    store picture's phone frame, a scroll bar, a vertical rule. Text never covers a column that long (lines
    have gaps between them); left in, such a rail joins every line beside it into one band, read as one
    block, and small text in it (a list's times) is misread."""
    counts: Counter[int] = Counter()
    for ink in ink_rows:
        if ink is not None:
            counts.update(ink[0])
    rails = {x for x, n in counts.items() if n * 1000 >= height * RAIL_SHARE}
    if not rails:
        return ink_rows
    kept: list[tuple[set[int], Color] | None] = []
    for ink in ink_rows:
        xs = ink[0] - rails if ink is not None else set()
        kept.append((xs, ink[1]) if ink is not None and xs else None)
    return kept


def _solid_mask(
    grid: _Grid, regions: list[_Region], labels: list[int], bubbles: list[_Region], background: Color
) -> Image.Image:
    """Grid cells to paint over before reading text outside bubbles: the bubbles (and one cell around) and
    solid shapes (avatars, icons, pills): regions at least ``SOLID_CELLS`` cells each way, filling most of
    their box, not of the background's colour (the inside of a large "O" is not a shape), with the holes of
    the background's colour inside their box, widened by one cell (their anti-aliased rim)."""
    w, h = grid.width, grid.height
    holes = [r for r in regions if not r.edge and _close(r.colour, background, GRID_INK)]

    def inside(r: _Region, s: _Region) -> bool:
        return s.x0 < r.x0 and r.x1 < s.x1 and s.y0 < r.y0 and r.y1 < s.y1

    solid: set[int] = set()
    for s in regions:
        bw, bh = s.x1 - s.x0 + 1, s.y1 - s.y0 + 1
        if s.edge or bw < SOLID_CELLS or bh < SOLID_CELLS or s.count * 4 >= w * h:
            continue
        if _close(s.colour, background, GRID_INK):
            continue
        if (
            bw * 2 >= w
            and sum(1 for r in regions if r is not s and not r.edge and inside(r, s)) >= CARD_MARKS
        ):
            continue  # a card holding lines of text (a list row, an open mail's header): its text is read
        # a hole of the background's colour inside the shape (the head of an avatar's silhouette) counts as
        # filled and is painted with it: left alone, its rim is read as letters ("re)", "0") before a name
        own = [r for r in holes if inside(r, s)]
        if (s.count + sum(r.count for r in own)) * 10 >= bw * bh * 6:
            solid.add(s.label)
            solid.update(r.label for r in own)
    data = bytes(255 if label in solid else 0 for label in labels)
    mask = Image.frombytes("L", (w, h), data).filter(ImageFilter.MaxFilter(3))
    # a thin ring (an "i" in a circle beside a list row's time) by its inside: round, at least a shape's
    # size, of the background's colour (the "i" inside it aside); painted with two cells around (the ring
    # and its anti-aliased edges). Left alone, the ring makes the time's band twice its height and the
    # time is read too small ("1. Nov", "3oct")
    rings = {
        r.label
        for r in holes
        if (r.x1 - r.x0 + 1) >= SOLID_CELLS
        and abs((r.x1 - r.x0) - (r.y1 - r.y0)) * 100 <= (r.x1 - r.x0 + 1) * 12
        and (r.x1 - r.x0 + 1) * (r.y1 - r.y0 + 1) * 65
        <= r.count * 100
        <= (r.x1 - r.x0 + 1) * (r.y1 - r.y0 + 1) * 85
        and (r.x1 - r.x0 + 1) * 10 < w
        and r.label not in solid
    }
    if rings:
        ring_data = bytes(255 if label in rings else 0 for label in labels)
        ring_mask = Image.frombytes("L", (w, h), ring_data).filter(ImageFilter.MaxFilter(5))
        mask = ImageChops.lighter(mask, ring_mask)
    for r in bubbles:
        mask.paste(255, (max(0, r.x0 - 1), max(0, r.y0 - 1), min(w, r.x1 + 2), min(h, r.y1 + 2)))
    return mask
