"""Step 2, bubbles: which regions are chat bubbles, and each bubble's outline as a mask with the count of
the cells inside it that are not its colour (its text)."""

from __future__ import annotations

from PIL import Image, ImageFilter

from evidence.ocr.layout.grid import _close, _Grid, _Region
from evidence.ocr.layout.settings import (
    MAX_BUBBLE_WIDTH,
    MIN_BUBBLE_HEIGHT,
    MIN_BUBBLE_WIDTH,
    MIN_FILL,
    WALL_TOLERANCE,
)


def _candidates(grid: _Grid, regions: list[_Region]) -> list[_Region]:
    w, h = grid.width, grid.height
    found: list[_Region] = []
    for r in regions:
        bw, bh = r.x1 - r.x0 + 1, r.y1 - r.y0 + 1
        if r.edge or bh < 3 or bw < 4:
            continue
        if bh * 1000 < MIN_BUBBLE_HEIGHT * h or bw * 1000 < MIN_BUBBLE_WIDTH * w:
            continue
        if bw * 1000 > MAX_BUBBLE_WIDTH * w:
            continue
        if r.count * 1000 < MIN_FILL * bw * bh:
            continue
        left_gap, right_gap = r.x0, w - 1 - r.x1
        if min(left_gap, right_gap) * 1000 > 250 * w:  # centred: a date chip or a button, not a bubble
            continue
        found.append(r)
    return found


def _within(a: _Region, b: _Region) -> bool:
    return a is not b and b.x0 <= a.x0 and b.y0 <= a.y0 and a.x1 <= b.x1 and a.y1 <= b.y1


def app_frame(grid: _Grid, regions: list[_Region]) -> _Region | None:
    """The app's screen inside a store picture's phone frame: the widest shape (at least half the picture's
    width) holding two bubble-like shapes or more; None for a plain screenshot."""
    found = _candidates(grid, regions)
    held = [
        b for b in found if sum(1 for a in found if _within(a, b)) >= 2 and (b.x1 - b.x0) * 2 >= grid.width
    ]
    return max(held, key=lambda r: (r.x1 - r.x0, r.count), default=None)


def _bubbles(grid: _Grid, regions: list[_Region]) -> list[_Region]:
    """The regions that look like chat bubbles, top to bottom: not a shape holding two of them (the screen
    they are drawn on), nor a bar as wide as that, nor a shape inside another."""
    found = _candidates(grid, regions)
    within = _within

    # a shape holding two shapes or more is no bubble but the screen they are on: the app's screen inside a
    # store picture's phone frame, a card; it goes, and so does a bar as wide as it (the app's title bar)
    containers = [b for b in found if sum(1 for a in found if within(a, b)) >= 2]
    found = [
        r
        for r in found
        if not any(r is c for c in containers)
        and not any(abs(r.x0 - c.x0) <= 1 and abs(r.x1 - c.x1) <= 1 and not within(r, c) for c in containers)
    ]
    inside = {id(a) for a in found for b in found if within(a, b)}
    return sorted((r for r in found if id(r) not in inside), key=lambda r: (r.y0, r.x0))


def _outside_mask(grid: _Grid, r: _Region, labels: list[int]) -> list[list[bool]]:
    """Cells of ``r``'s box reachable from the box's border without crossing cells of ``r``'s colour."""
    bw, bh = r.x1 - r.x0 + 1, r.y1 - r.y0 + 1
    colour = r.colour
    outside = [[False] * bw for _ in range(bh)]
    stack: list[tuple[int, int]] = []
    for x in range(bw):
        stack += [(x, 0), (x, bh - 1)]
    for y in range(bh):
        stack += [(0, y), (bw - 1, y)]
    while stack:
        x, y = stack.pop()
        if not (0 <= x < bw and 0 <= y < bh) or outside[y][x]:
            continue
        if _close(grid.pixels[(r.y0 + y) * grid.width + r.x0 + x], colour, WALL_TOLERANCE):
            continue
        outside[y][x] = True
        stack += [(x + 1, y), (x - 1, y), (x, y + 1), (x, y - 1)]
    return outside


def _bubble_mask(grid: _Grid, r: _Region, labels: list[int]) -> tuple[Image.Image, int]:
    """The cells of the bubble's box outside its shape (rounded corners, tail, neighbours), widened by one
    cell to cover mixed edge cells, as a mask; and the number of enclosed cells not of the bubble's colour
    (its text)."""
    outside = _outside_mask(grid, r, labels)
    mask = Image.new("L", (r.x1 - r.x0 + 1, r.y1 - r.y0 + 1), 0)
    enclosed = 0
    for y, row in enumerate(outside):
        for x, out in enumerate(row):
            if out:
                mask.putpixel((x, y), 255)
            elif labels[(r.y0 + y) * grid.width + r.x0 + x] != r.label:
                enclosed += 1
    return mask.filter(ImageFilter.MaxFilter(3)), enclosed
