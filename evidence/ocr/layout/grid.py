"""Step 1, the grid: the image reduced to ``GRID_WIDTH`` cells, its regions of nearly uniform colour
(flood fill, then saturated neighbours of the same mean colour joined) and their boxes in pixels."""

from __future__ import annotations

from dataclasses import dataclass

from PIL import Image

from evidence.ocr.layout.settings import (
    GRID_WIDTH,
    MERGE_MIN_SATURATION,
    MERGE_TOLERANCE,
    NEIGHBOUR_TOLERANCE,
    SEED_TOLERANCE,
    Box,
    Color,
)


@dataclass
class _Region:
    label: int
    count: int
    x0: int
    y0: int
    x1: int  # inclusive grid cells
    y1: int
    red: int
    green: int
    blue: int
    edge: bool

    @property
    def colour(self) -> Color:
        return (self.red // self.count, self.green // self.count, self.blue // self.count)


@dataclass(frozen=True)
class _Grid:
    width: int
    height: int
    factor_x: int  # original pixels per cell, times 1000
    factor_y: int
    pixels: list[Color]


def _rgb(image: Image.Image) -> Image.Image:
    rgba = image.convert("RGBA")
    page = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
    page.alpha_composite(rgba)
    return page.convert("RGB")


def _pixels(rgb: Image.Image) -> list[Color]:
    """The RGB image's pixels, row by row."""
    data = rgb.tobytes()
    return list(zip(data[0::3], data[1::3], data[2::3], strict=True))


def _grid(rgb: Image.Image) -> _Grid:
    width = min(GRID_WIDTH, rgb.width)
    height = max(1, rgb.height * width // rgb.width)
    small = rgb.resize((width, height), Image.Resampling.BOX)
    pixels = _pixels(small)
    return _Grid(width, height, rgb.width * 1000 // width, rgb.height * 1000 // height, pixels)


def _close(a: Color, b: Color, tolerance: int) -> bool:
    return abs(a[0] - b[0]) <= tolerance and abs(a[1] - b[1]) <= tolerance and abs(a[2] - b[2]) <= tolerance


def _regions(grid: _Grid) -> tuple[list[_Region], list[int]]:
    """Connected regions of nearly uniform colour (flood fill over the grid) and each cell's region."""
    w, h, px = grid.width, grid.height, grid.pixels
    size = w * h
    labels = [-1] * size
    regions: list[_Region] = []
    nt, st = NEIGHBOUR_TOLERANCE, SEED_TOLERANCE
    for start in range(size):
        if labels[start] != -1:
            continue
        sr, sg, sb = px[start]
        label = len(regions)
        labels[start] = label
        stack = [start]
        count = red = green = blue = 0
        x0, y0, x1, y1 = w, h, -1, -1
        while stack:
            i = stack.pop()
            y, x = divmod(i, w)
            cr, cg, cb = px[i]
            count += 1
            red += cr
            green += cg
            blue += cb
            if x < x0:
                x0 = x
            if x > x1:
                x1 = x
            if y < y0:
                y0 = y
            if y > y1:
                y1 = y
            for j in (
                i - 1 if x > 0 else -1,
                i + 1 if x < w - 1 else -1,
                i - w if y > 0 else -1,
                i + w if y < h - 1 else -1,
            ):
                if j < 0 or labels[j] != -1:
                    continue
                dr, dg, db = px[j]
                if (
                    -nt <= dr - cr <= nt
                    and -nt <= dg - cg <= nt
                    and -nt <= db - cb <= nt
                    and -st <= dr - sr <= st
                    and -st <= dg - sg <= st
                    and -st <= db - sb <= st
                ):
                    labels[j] = label
                    stack.append(j)
        edge = x0 == 0 or y0 == 0 or x1 == w - 1 or y1 == h - 1
        regions.append(_Region(label, count, x0, y0, x1, y1, red, green, blue, edge))
    return regions, labels


def _merged(grid: _Grid, regions: list[_Region], labels: list[int]) -> tuple[list[_Region], list[int]]:
    """Touching regions of a saturated colour whose mean colours differ by at most ``MERGE_TOLERANCE`` joined
    into one (JPEG noise in a saturated bubble colour splits it into pieces of the same mean colour)."""
    parent = list(range(len(regions)))

    def root(a: int) -> int:
        while parent[a] != a:
            parent[a] = parent[parent[a]]
            a = parent[a]
        return a

    colours = [r.colour for r in regions]
    # only saturated colours: greys next to a gradient must stay apart, and JPEG's chroma noise is what
    # splits saturated bubbles
    big = [r.count >= 4 and max(r.colour) - min(r.colour) >= MERGE_MIN_SATURATION for r in regions]
    w = grid.width
    for i, label in enumerate(labels):
        if not big[label]:
            continue
        for j in (i + 1 if (i + 1) % w else -1, i + w if i + w < len(labels) else -1):
            if j < 0:
                continue
            other = labels[j]
            if other == label or not big[other]:
                continue
            a, b = root(label), root(other)
            # against the roots' colours, so that a chain of small steps (a rim) cannot drift across an edge
            if a != b and _close(colours[a], colours[b], MERGE_TOLERANCE):
                parent[max(a, b)] = min(a, b)
    if all(root(k) == k for k in range(len(regions))):
        return regions, labels
    new_labels = [root(label) for label in labels]
    joined: dict[int, _Region] = {}
    for r in regions:
        top = root(r.label)
        if top not in joined:
            joined[top] = _Region(top, r.count, r.x0, r.y0, r.x1, r.y1, r.red, r.green, r.blue, r.edge)
            continue
        m = joined[top]
        m.count += r.count
        m.x0, m.y0, m.x1, m.y1 = min(m.x0, r.x0), min(m.y0, r.y0), max(m.x1, r.x1), max(m.y1, r.y1)
        m.red, m.green, m.blue = m.red + r.red, m.green + r.green, m.blue + r.blue
        m.edge = m.edge or r.edge
    return list(joined.values()), new_labels


def _to_px(grid: _Grid, r: _Region, pad: int = 0) -> Box:
    """The region's box in original pixels (``pad`` cells more on each side, clipped)."""
    x0, y0 = max(0, r.x0 - pad), max(0, r.y0 - pad)
    x1, y1 = min(grid.width, r.x1 + 1 + pad), min(grid.height, r.y1 + 1 + pad)
    return (
        x0 * grid.factor_x // 1000,
        y0 * grid.factor_y // 1000,
        x1 * grid.factor_x // 1000,
        y1 * grid.factor_y // 1000,
    )
