"""Screen layout: chat bubbles, call-log rows, inbox rows and the header, each region then recognised.

``analyse(image)`` returns a ``Layout``: the kind of screen (``chat``, ``call_list``, ``email_list``,
``email`` or ``unknown``), the header, one ``Message`` per bubble or row (top to bottom, boxes in the original
image's pixels), the full text and every word. All image work is Pillow plus pure Python over a reduced grid
(numpy is not a dependency); tesseract runs once per image.

**Method.**

1. *Grid.* The image (transparency flattened onto white) is reduced with a box filter to ``GRID_WIDTH`` cells
   across. Regions of nearly uniform colour are labelled by flood fill: a cell joins when it differs from its
   neighbour by at most ``NEIGHBOUR_TOLERANCE`` and from the region's first cell by at most
   ``SEED_TOLERANCE`` in every channel (a gradient wallpaper cannot leak into a bubble 8 levels away).
   Touching regions of a saturated colour (``MERGE_MIN_SATURATION``) whose mean colours are within
   ``MERGE_TOLERANCE`` are then joined: JPEG's chroma noise splits a blue bubble into pieces.
2. *Bubbles.* A region is a bubble when it does not touch the image's edges, is at least
   ``MIN_BUBBLE_HEIGHT`` / ``MIN_BUBBLE_WIDTH`` per mille of the screen and at most ``MAX_BUBBLE_WIDTH`` wide,
   covers ``MIN_FILL`` of its box, hugs one side (not centred like a date chip), holds something that is not
   its colour (text), is not round and small (a contact picture), is not the wide message field at the
   bottom, and is not inside another bubble. Its side gives the direction: the smaller margin on the left is
   incoming, on the right outgoing. Two or more bubbles read with confidence at least
   ``MIN_MESSAGE_CONFIDENCE`` make a ``chat``; otherwise the screen is read as a list.
3. *Other text.* Outside the bubbles, grid rows differing from their row's commonest colour by more than
   ``GRID_INK`` hold ink; runs of such rows are bands, cut into pieces where the ink has a horizontal gap of
   more than 1.5 band heights (a name on the left, a time on the right). Solid shapes (avatars, icons,
   pills: regions of at least ``SOLID_CELLS`` cells each way filling 60 % of their box, not of the
   background's colour, with the holes of the background's colour inside them, such as the head of an
   avatar's silhouette) are painted over first, and so are thin rings (an "i" in a circle beside a time),
   found by their round inside of the background's colour and painted with two cells around.
4. *Flattening.* Each region is turned into dark text on white by each pixel's colour distance to the
   region's own background (the bubble's colour, the band's commonest colour); the distance reached by the
   darker half of the ink pixels becomes black. White on blue, dark themes and red names all become black on
   white. Outside a bubble's rounded shape (corners, tail, neighbours) the crop is painted its colour first,
   and one grid cell along the crop's edge is whited out (the bubble's anti-aliased rim is not text).
   A short group of ink at the right end of a bubble's last line, set apart by more than half a line
   height or alone on a last line (a WhatsApp-style time, smaller and greyer than the text), is cut out
   and read as a region of its own, with its own contrast and scale (looking for it, light grey is not
   ink: JPEG's residue would join it to the text; a speck at the bubble's rim is not it).
5. *One tesseract run.* Each region is scaled so its text lines are about ``TARGET_LINE_PX`` high (measured
   from the row profile, at most ``MAX_SCALE_PERMILLE``), all are stacked on one white page separated by
   ``GAP_PX``, and tesseract (``--psm 6``) reads the page once; words go back to their region by their
   vertical position, and their boxes to the original pixels.
6. *Chats.* A bubble's text is its lines joined by spaces. Its shown time is its cut-out corner when that
   reads as a time, also when its colon was lost ("1857"; else the corner is text when read with
   confidence ``CORNER_TEXT_CONFIDENCE`` and two letters or digits, or a speck), a clock at the end of its last line, a band that is only a clock right
   under the bubble and aligned with one of its sides (iMessage), or beside its lower half (Instagram).
   The header is the first band under the status bar (the top ``_STATUS_BAR_PERMILLE``) and above the
   first bubble that is not a time, joined with the other pieces of its line (a number with wide spaces).
7. *Lists.* A line ending in a time in the right part of the screen anchors a row; the row starts at the
   line overlapping or just above the anchor and ends where the next row starts. Several rows: a
   ``call_list`` when the title says so (Recents, Calls) or most rows have at most two lines, else an
   ``email_list`` (first line the sender, the others subject and snippet). One row: an open ``email``
   (subject above, the sender's line with the date, address and "to" lines skipped, then the body). In a
   call row, a red name is ``missed``; otherwise the arrow before the label or the name (read by tesseract
   as a one- or two-character token, on the name's line or on a line of its own, or found just left of
   the first word) points up-right for
   ``outgoing`` and down-left for ``incoming`` (its ink is heavier in that corner); "(3)" at the end of the
   name is the count.

**Rules that change what tesseract read** (whole tokens only):

- "|" alone becomes "I", as do "|'m", "|'ll", "|'d", "|'ve", "|'s" (with trailing punctuation kept), and a
  "|" starting a word of two or more lower-case letters ("|ts" is "Its");
- a shown time has "." between hours and minutes written as ":" ("9.41" is "9:41"), a space put back before
  AM/PM ("12:14PM") and between a day and its month ("3May");
- a time whose colon was lost in small print ("316 PM", "3-18 PM", "2352") is taken as a time only where a
  time belongs: at the end of a bubble, set apart from the text by more than its height or on its own line
  (with AM/PM or a separator), or alone under or beside a bubble; its digits are kept as read;
- a list row's date misread in small print is put right: "1. Nov" is "1 Nov", "19 oct" "19 Oct",
  "220ct" "22 Oct" (an "O" read as a zero);
- a call row's name and a chat header: a valid international number is spaced as libphonenumber
  formats it (only spaces change), "lan" before capitalised words is "Ian" (also an email's sender), and
  a one-word name in lower case gets its capital ("sam": read without a capital height to compare with);
- icon junk (tokens without a letter or digit) is removed at the ends of lines; in headers also one- or
  two-character tokens read with confidence under ``HEADER_MIN_CONF``; after a list row's time also one
  character, two letters that are not AM/PM, or up to three with a bracket and no digit ("C)", "(-)",
  "CE": an "i" in a circle); at the end of a
  bubble also one or two characters read with confidence under ``SPECK_CONF`` (JPEG ringing).

**Known limits.** A wallpaper photo behind a chat defeats the band background (bubble text is unaffected);
a bubble within 6 levels of the background's colour is not separated (a gradient reaching the bubble's grey);
tesseract still confuses a sans-serif "I" with "l" ("lan") and "0" with "O", and drops the colon of tiny
times; quoted replies inside a bubble are part of its text; pictures sent in a chat are dropped; group-chat
sender names above bubbles are not split off (``sender`` stays None in chats); a list whose times are not at
the right (a conversation list with times under the names) is ``unknown``; English and left-to-right only.
"""

from __future__ import annotations

import re
import tempfile
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final, Literal

import phonenumbers
from PIL import Image, ImageChops, ImageFilter

from evidence.ocr.tesseract import DEFAULT_TIMEOUT_S, Settings, TesseractProbe, Word, recognise

LAYOUT_VERSION: Final = "2"

Direction = Literal["incoming", "outgoing", "unknown"]
Kind = Literal["chat", "call_list", "email_list", "email", "unknown"]

GRID_WIDTH: Final = 216
NEIGHBOUR_TOLERANCE: Final = 3
SEED_TOLERANCE: Final = 6
MERGE_MIN_SATURATION: Final = 40  # max minus min channel of a colour that may be merged
MERGE_TOLERANCE: Final = 4  # touching regions whose mean colours are this close are one region
WALL_TOLERANCE: Final = 16  # cells this close to a bubble's colour are its body (JPEG noise included)
MIN_BUBBLE_HEIGHT: Final = 18  # per mille of the screen height
MIN_BUBBLE_WIDTH: Final = 60  # per mille of the screen width
MAX_BUBBLE_WIDTH: Final = 900
MIN_FILL: Final = 350  # per mille of the bubble's box covered by its colour
SOLID_CELLS: Final = 7  # a solid shape painted over is at least this many grid cells wide and high
BAND_PAD: Final = 1  # cells added left and right of a band's ink
GRID_INK: Final = 24  # max channel difference of a grid cell from its row's commonest colour that is ink
INK_DIFFERENCE: Final = 40  # max channel difference from the row's background that counts as ink
INK_SHARE_DIVISOR: Final = 2  # the darker half of the ink pixels become black
TARGET_LINE_PX: Final = 34
MAX_SCALE_PERMILLE: Final = 4000
GAP_PX: Final = 40
MARGIN_PX: Final = 20
HEADER_MIN_CONF: Final = 50
SPECK_CONF: Final = 60  # a trailing token of one or two characters read with less is a speck
CORNER_TEXT_CONFIDENCE: Final = 600  # per mille: a bubble's corner that is not a time, kept as text above
CORNER_INK_LEVEL: Final = 160  # flattened pixels at least this light are not ink when finding a corner time
MIN_MESSAGE_CONFIDENCE: Final = 400  # per mille: a bubble read with less is a shape, not a message
OCR_SETTINGS: Final = Settings(psm=6, lang="eng")

Color = tuple[int, int, int]
Box = tuple[int, int, int, int]


@dataclass(frozen=True)
class Message:
    """One chat bubble, one email in a list or one call-log row, with its box in the original image."""

    direction: str  # "incoming" | "outgoing" | "unknown"
    text: str  # lines joined with single spaces (for calls: the name or number as shown)
    shown_time: str | None  # exactly as displayed: "21:33", "9:41 PM", "Yesterday", "Mon 9:41 PM"
    bbox: tuple[int, int, int, int]  # x0, y0, x1, y1 in pixels of the ORIGINAL image
    sender: str | None = None  # emails / group chats: the sender shown; None otherwise
    call: str | None = None  # call rows: "missed" | "incoming" | "outgoing"; None otherwise
    count: int | None = None  # call rows: "(3)" repeated-call count; None otherwise
    confidence: int = 0  # 0-1000 per mille

    def to_json(self) -> dict[str, Any]:
        """Canonical-JSON-ready form (no floats)."""
        return {
            "direction": self.direction,
            "text": self.text,
            "shown_time": self.shown_time,
            "bbox": list(self.bbox),
            "sender": self.sender,
            "call": self.call,
            "count": self.count,
            "confidence": self.confidence,
        }


@dataclass(frozen=True)
class Layout:
    """What a screen shows: its kind, header, messages top to bottom, full text and words."""

    kind: str  # "chat" | "call_list" | "email_list" | "email" | "unknown"
    header: str | None  # the contact name/number (or mailbox/subject) at the top
    messages: tuple[Message, ...]  # top to bottom
    text: str  # full text of the screen, region by region, for search
    words: tuple[Word, ...]  # evidence.ocr.tesseract.Word, original-image pixel boxes
    settings: dict[str, Any] = field(default_factory=dict)  # JSON-able, no floats, incl. the layout version

    def to_json(self) -> dict[str, Any]:
        """Canonical-JSON-ready form (no floats)."""
        return {
            "kind": self.kind,
            "header": self.header,
            "messages": [m.to_json() for m in self.messages],
            "text": self.text,
            "words": [w.to_json() for w in self.words],
            "settings": self.settings,
        }


def layout_settings() -> dict[str, Any]:
    """Everything that changes the result, for the record (integers and strings only)."""
    return {
        "layout_version": LAYOUT_VERSION,
        "grid_width": GRID_WIDTH,
        "neighbour_tolerance": NEIGHBOUR_TOLERANCE,
        "seed_tolerance": SEED_TOLERANCE,
        "min_bubble_height_permille": MIN_BUBBLE_HEIGHT,
        "min_bubble_width_permille": MIN_BUBBLE_WIDTH,
        "max_bubble_width_permille": MAX_BUBBLE_WIDTH,
        "min_fill_permille": MIN_FILL,
        "ink_difference": INK_DIFFERENCE,
        "target_line_px": TARGET_LINE_PX,
        "ink_share_divisor": INK_SHARE_DIVISOR,
        "header_min_conf": HEADER_MIN_CONF,
        "speck_conf": SPECK_CONF,
        "corner_text_confidence_permille": CORNER_TEXT_CONFIDENCE,
        "min_message_confidence_permille": MIN_MESSAGE_CONFIDENCE,
        "corner_ink_level": CORNER_INK_LEVEL,
        "wall_tolerance": WALL_TOLERANCE,
        "merge_tolerance": MERGE_TOLERANCE,
        "merge_min_saturation": MERGE_MIN_SATURATION,
        "grid_ink": GRID_INK,
        "band_pad": BAND_PAD,
        "solid_cells": SOLID_CELLS,
        "ocr": OCR_SETTINGS.to_json(),
    }


# -- grid and regions --------------------------------------------------------------------------------------


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


def _bubbles(grid: _Grid, regions: list[_Region]) -> list[_Region]:
    """The regions that look like chat bubbles, top to bottom."""
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
    inside = {
        id(a)
        for a in found
        for b in found
        if a is not b and b.x0 <= a.x0 and b.y0 <= a.y0 and a.x1 <= b.x1 and a.y1 <= b.y1
    }
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


def _line_height(flat: Image.Image) -> int:
    """The median height in pixels of the runs of rows holding ink (text lines), 0 without ink."""
    profile = list(flat.resize((1, flat.height), Image.Resampling.BOX).tobytes())
    runs: list[int] = []
    run = 0
    for value in profile:
        if value < 250:
            run += 1
        elif run:
            runs.append(run)
            run = 0
    if run:
        runs.append(run)
    runs = [r for r in runs if r >= 3]
    if not runs:
        return 0
    tallest = max(runs)
    runs = sorted(r for r in runs if r * 2 >= tallest)  # not the dots, dashes and icons beside the text
    return runs[len(runs) // 2]


@dataclass(frozen=True)
class _Slot:
    """One region pasted on the OCR page: where it came from and how it was scaled."""

    kind: str  # "bubble" | "band"
    box: Box  # the crop in original pixels
    scale: int  # per mille
    top: int  # y on the page
    height: int  # on the page
    index: int  # bubble index or band index


def _prepare_region(
    rgb: Image.Image, box: Box, background: Color, mask: Image.Image | None
) -> tuple[Image.Image, int]:
    """The region flattened and scaled; where ``mask`` (grid cells, 255) is set, background is painted first."""
    return _scaled(_flat_region(rgb, box, background, mask))


def _flat_region(rgb: Image.Image, box: Box, background: Color, mask: Image.Image | None) -> Image.Image:
    """The region flattened (see ``_flatten``), ``mask`` cells painted with the background first."""
    crop = rgb.crop(box)
    if mask is not None:
        crop.paste(
            background, (0, 0, crop.width, crop.height), mask.resize(crop.size, Image.Resampling.NEAREST)
        )
    return _flatten(crop, background)


def _scaled(flat: Image.Image) -> tuple[Image.Image, int]:
    """The flattened region scaled so its text lines are about ``TARGET_LINE_PX`` high, and the scale."""
    line = _line_height(flat)
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


def _ocr_page(
    regions: list[tuple[str, int, Box, Image.Image, int]],
    probe: TesseractProbe | None,
    name: str,
    timeout_s: int = DEFAULT_TIMEOUT_S,
) -> tuple[str, list[tuple[_Slot, list[Word]]]]:
    """Stack the prepared regions on one white page, OCR it once, return each slot's words (original px)."""
    if not regions:
        return ((probe or TesseractProbe()).version(), [])
    width = max(flat.width for _, _, _, flat, _ in regions) + 2 * MARGIN_PX
    height = sum(flat.height + GAP_PX for _, _, _, flat, _ in regions) + GAP_PX
    page = Image.new("L", (width, height), 255)
    slots: list[_Slot] = []
    top = GAP_PX
    for kind, index, box, flat, scale in regions:
        page.paste(flat, (MARGIN_PX, top))
        slots.append(_Slot(kind, box, scale, top, flat.height, index))
        top += flat.height + GAP_PX
    with tempfile.TemporaryDirectory(prefix="evidence-layout-") as tmp:
        path = Path(tmp) / "regions.png"
        page.save(path, "PNG", compress_level=1)
        result = recognise(path, OCR_SETTINGS, probe=probe, name=name, timeout_s=timeout_s)
    found: list[list[Word]] = [[] for _ in slots]
    for word in result.words:
        centre = word.top + word.height // 2
        number = next(
            (
                k
                for k, slot in enumerate(slots)
                if slot.top - GAP_PX // 2 <= centre < slot.top + slot.height + GAP_PX // 2
            ),
            -1,
        )
        if number < 0:
            continue
        s = slots[number]
        x0 = s.box[0] + (word.left - MARGIN_PX) * 1000 // s.scale
        y0 = s.box[1] + (word.top - s.top) * 1000 // s.scale
        found[number].append(
            Word(
                text=_fix_word(word.text),
                left=max(0, x0),
                top=max(0, y0),
                width=max(1, word.width * 1000 // s.scale),
                height=max(1, word.height * 1000 // s.scale),
                conf=word.conf,
                block=number,
                par=word.block * 1000 + word.par,
                line=word.line,
            )
        )
    return (result.engine_version, list(zip(slots, found, strict=True)))


_I_FORMS: Final = re.compile(r"^\|('m|'ll|'d|'ve|'s)?([.,!?]?)$")
_I_START: Final = re.compile(r"^\|(?=[a-z]{2,})")


def _fix_word(text: str) -> str:
    """The documented corrections of tesseract's confusions (whole tokens only)."""
    match = _I_FORMS.match(text)
    if match:
        return "I" + (match.group(1) or "") + match.group(2)
    return _I_START.sub("I", text)


def _lines(words: list[Word]) -> list[list[Word]]:
    """Words grouped into text lines by vertical overlap, top to bottom, each left to right."""
    lines: list[list[Word]] = []
    for word in sorted(words, key=lambda w: (w.top + w.height // 2, w.left)):
        centre = word.top + word.height // 2
        for line in lines:
            ref = line[0]
            if ref.top <= centre <= ref.top + ref.height and abs(ref.height - word.height) < ref.height:
                line.append(word)
                break
        else:
            lines.append([word])
    for line in lines:
        line.sort(key=lambda w: w.left)
    lines.sort(key=lambda ln: min(w.top for w in ln))
    return lines


def _text(line: list[Word]) -> str:
    return " ".join(w.text for w in line)


# -- reading ------------------------------------------------------------------------------------------------

_WEEKDAY: Final = r"(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun)[a-z]*"
_MONTH: Final = r"(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)[a-z]*"
_CLOCK: Final = r"\d{1,2}[:.]\d{2}(?:\s?[AaPp]\.?[Mm]\.?)?"
_DAY: Final = rf"(?:Yesterday|Today|{_WEEKDAY}|\d{{1,2}}\s?{_MONTH}|{_MONTH}\s?\d{{1,2}})"
# a whole line that is a shown time: "21:33", "9:41 PM", "Yesterday", "Mon", "Mon 9:41 PM", "14 Mar"
_TIME_LINE: Final = re.compile(rf"^(?:(?:{_DAY}),?\s)?{_CLOCK}$|^{_DAY}$")
# a clock at the end of a bubble's last line, optionally followed by read ticks (1-3 non-word characters)
_TIME_TAIL: Final = re.compile(rf"(?:^|\s)((?:{_DAY},?\s)?{_CLOCK})(?:\s[^\w\s]{{1,3}})?$")
_COUNT: Final = re.compile(r"^\((\d{1,2})\)$")
_STATUS_BAR_PERMILLE: Final = 45  # lines centred in the top 4.5 % of the screen belong to the status bar


_TRAILING_JUNK: Final = ":;,._-'\u00ab\u00bb"


def _clean_time(text: str) -> str:
    """A read time with "." between hours and minutes written as ":" (phones show a colon) and a space put
    back between a day and its month ("3May" is "3 May")."""
    text = re.sub(r"^(.*?\d{1,2})\.(\d{2})", r"\1:\2", text)
    text = re.sub(r"(\d{2})([AaPp][Mm])$", r"\1 \2", text)
    return re.sub(r"^(\d{1,2})(?=[A-Z][a-z])|^([A-Z][a-z]{2,})(?=\d)", lambda m: (m.group(0)) + " ", text)


def _is_time(text: str) -> bool:
    return _TIME_LINE.match(text) is not None


def _has_alnum(text: str) -> bool:
    return any(ch.isalnum() for ch in text)


def _strip_junk(words: list[Word]) -> list[Word]:
    """Words without letters or digits at either end of a line (icons read as "<", "&", "|") removed."""
    start, end = 0, len(words)
    while start < end and not _has_alnum(words[start].text) and words[start].text != "+":
        start += 1
    while end > start and not _has_alnum(words[end - 1].text):
        end -= 1
    return words[start:end]


def _confident(words: list[Word]) -> list[Word]:
    """A header's words: icon junk at either end removed, then words read with confidence under
    ``HEADER_MIN_CONF`` at either end that are one or two characters long (a back arrow, an avatar's
    outline); empty when nothing is left."""
    kept = _strip_junk(words)
    while kept and kept[0].conf < HEADER_MIN_CONF and len(kept[0].text) <= 2:
        kept = _strip_junk(kept[1:])
    while kept and kept[-1].conf < HEADER_MIN_CONF and len(kept[-1].text) <= 2:
        kept = _strip_junk(kept[:-1])
    return kept


def _trim_tail(words: list[Word]) -> list[Word]:
    """A bubble's words without trailing specks (JPEG ringing and corner remnants read as "4", "\\", "—"):
    tokens of at most two characters read with confidence under ``SPECK_CONF``, or without letters or
    digits."""
    end = len(words)
    while end > 1 and (
        not _has_alnum(words[end - 1].text)
        or (len(words[end - 1].text) <= 2 and words[end - 1].conf < SPECK_CONF)
    ):
        end -= 1
    return words[:end]


def _confidence(words: list[Word]) -> int:
    return sum(w.conf for w in words) * 10 // len(words) if words else 0


def _box_of(words: list[Word]) -> Box:
    return (
        min(w.left for w in words),
        min(w.top for w in words),
        max(w.left + w.width for w in words),
        max(w.top + w.height for w in words),
    )


@dataclass
class _Line:
    words: list[Word]
    slot: _Slot

    @property
    def text(self) -> str:
        return _text(self.words)

    @property
    def box(self) -> Box:
        return _box_of(self.words)


def _slot_lines(slots: list[tuple[_Slot, list[Word]]]) -> list[_Line]:
    found = [_Line(line, slot) for slot, words in slots for line in _lines(words)]
    found.sort(key=lambda ln: (ln.box[1], ln.box[0]))
    return found


def _split_time_tail(words: list[Word]) -> tuple[list[Word], str | None]:
    """A bubble's last line without its trailing shown time (and ticks), and that time."""
    text = _text(words)
    if _is_time(text):
        return [], _clean_time(text)
    match = _TIME_TAIL.search(text)
    if match is None:
        return _misread_time_tail(words)
    keep = len(text[: match.start(1)].split())
    return words[:keep], _clean_time(match.group(1))


_MISREAD_CLOCK: Final = re.compile(r"^(\d{1,2})[:.;,'\-]?(\d{2})$")
_MISREAD_MERIDIEM: Final = re.compile(r"^([AaPp])[MmNnYy]\.?$")


def _misread_time_tail(words: list[Word]) -> tuple[list[Word], str | None]:
    """A small time at the end of a bubble whose colon was misread ("316 PM", "3-18 PM"): 3-4 digits on a
    line of their own or set apart from the text before them (a gap wider than the digits' height), followed
    by AM/PM (or with a colon), or four digits making a 24-hour clock that exists ("1857")."""
    end = len(words)
    meridiem = ""
    if end >= 2 and _MISREAD_MERIDIEM.match(words[-1].text):
        meridiem = " " + words[-1].text[0].upper() + "M"
        end -= 1
    if end < 1:
        return words, None
    clock = _MISREAD_CLOCK.match(words[end - 1].text)
    bare = clock is not None and re.fullmatch(r"\d{4}", words[end - 1].text) is not None
    if bare and clock is not None and (int(clock.group(1)) > 23 or int(clock.group(2)) > 59):
        return words, None
    if clock is None or (not meridiem and ":" not in words[end - 1].text and not bare):
        return words, None
    token = words[end - 1]
    if end >= 2 and token.left - (words[end - 2].left + words[end - 2].width) < token.height:
        return words, None  # an ordinary number in the sentence ("Room 101")
    return words[: end - 1], f"{clock.group(1)}:{clock.group(2)}{meridiem}"


def _corner_clock(corner: list[Word]) -> str | None:
    """A bubble's cut-out corner read as a clock whose colon was lost in small print ("1857", "16.01 PM"):
    one token of 3-4 digits making an hour and minutes that exist, then AM/PM or nothing. The corner is
    where the time is printed, set apart from the text; its digits are kept as read."""
    meridiem = ""
    words = corner
    if len(words) == 2 and _MISREAD_MERIDIEM.match(words[1].text):
        meridiem = " " + words[1].text[0].upper() + "M"
        words = words[:1]
    clock = _MISREAD_CLOCK.match(words[0].text) if len(words) == 1 else None
    if clock is None or int(clock.group(1)) > 23 or int(clock.group(2)) > 59:
        return None
    return f"{clock.group(1)}:{clock.group(2)}{meridiem}"


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


def _read_chat(
    lines: list[_Line], bubbles: list[tuple[_Region, Box]], width: int, height: int
) -> tuple[str | None, list[Message]]:
    """The header and one message per bubble (with its shown time, inside or beside it)."""
    by_bubble: dict[int, list[_Line]] = {}
    bands: list[_Line] = []
    corners: dict[int, list[Word]] = {}
    for line in lines:
        if line.slot.kind == "bubble":
            by_bubble.setdefault(line.slot.index, []).append(line)
        elif line.slot.kind == "corner":
            corners.setdefault(line.slot.index, []).extend(line.words)
        else:
            bands.append(line)
    header: str | None = None
    first_top = min((box[1] for _, box in bubbles), default=height)
    for line in bands:
        centre = (line.box[1] + line.box[3]) // 2
        if centre * 1000 < _STATUS_BAR_PERMILLE * height or line.box[1] >= first_top:
            continue
        kept = _confident(line.words)
        if kept and not _is_time(_text(kept)):
            header = _contact(_header_pieces(bands, line, kept))
            break
    used: set[int] = set()
    messages: list[Message] = []
    for index, (_region, box) in enumerate(bubbles):
        own = by_bubble.get(index, [])
        words = [w for line in own for w in line.words]
        corner = corners.get(index, [])
        if not words:
            continue
        shown: str | None = None
        last = own[-1].words
        kept_last, shown = _split_time_tail(last)
        body = [w for line in own[:-1] for w in line.words] + kept_last
        meridiem = _MISREAD_MERIDIEM.match(corner[0].text) if len(corner) == 1 else None
        if meridiem and shown is not None and re.fullmatch(r"\d{1,2}:\d{2}", shown):
            shown = f"{shown} {meridiem.group(1).upper()}M"  # the clock's AM/PM cut off on its own
        elif corner:
            rest, corner_time = _split_time_tail(corner)
            if corner_time is None and not rest:
                corner_time = _corner_clock(corner)
            if corner_time is not None and not rest:
                shown = shown or corner_time
            elif (
                _confidence(corner) >= CORNER_TEXT_CONFIDENCE
                and sum(ch.isalnum() for w in corner for ch in w.text) >= 2
            ):  # not a time after all but words: text at the end of the bubble (else a speck of the corner)
                body += corner
        body = [w for w in _trim_tail(body) if w.text.strip("_")]  # "__": a rule, not a word
        if shown is None:
            shown = _time_beside(bands, used, box)
        left_gap, right_gap = box[0], width - box[2]
        messages.append(
            Message(
                direction="incoming" if left_gap <= right_gap else "outgoing",
                text=_text(body),
                shown_time=shown,
                bbox=box,
                confidence=_confidence(words),
            )
        )
    return header, messages


def _time_beside(bands: list[_Line], used: set[int], box: Box) -> str | None:
    """A band that is only a time, right under the bubble (overlapping it) or beside its lower half."""
    for number, line in enumerate(bands):
        if number in used or not (_is_time(line.text) or _MISREAD_CLOCK.match(line.text)):
            continue
        x0, y0, x1, y1 = line.box
        misread = _MISREAD_CLOCK.match(line.text)
        if not re.search(r"\d[:.]\d", line.text) and misread is None:
            continue  # a date separator ("Yesterday") is not a bubble's time
        aligned = abs(x0 - box[0]) <= (y1 - y0) * 3 or abs(x1 - box[2]) <= (y1 - y0) * 3
        under = 0 <= y0 - box[3] <= (y1 - y0) * 3 // 2 and aligned
        centre = (y0 + y1) // 2
        beside = box[1] <= centre <= box[3] + (y1 - y0) and (x1 <= box[0] or x0 >= box[2])
        if under or beside:
            used.add(number)
            if misread is not None:  # "2352": a tiny time whose colon was lost
                return f"{misread.group(1)}:{misread.group(2)}"
            return _clean_time(line.text)
    return None


_CALL_HEADERS: Final = re.compile(r"\b(recents|calls?|call history|call log|phone)\b", re.IGNORECASE)
_CALL_WORDS: Final = re.compile(r"\b(missed|incoming|outgoing)\b", re.IGNORECASE)
_EMAIL_HEADERS: Final = re.compile(r"\b(inbox|primary|mail|all inboxes)\b", re.IGNORECASE)


def _set_apart(words: list[Word], take: int) -> bool:
    """Whether the last ``take`` words stand apart from the words before them (a list's time column), not
    at the end of a sentence ("... by Friday.")."""
    if len(words) <= take:
        return True
    before, first = words[-take - 1], words[-take]
    return first.left - (before.left + before.width) >= first.height * 3 // 2


def _icon_token(text: str) -> bool:
    """Whether a token after a list row's time is an icon as tesseract reads it: no letter or digit, one
    character, or up to three characters with a bracket and no digit ("C)", "(-)": an "i" in a circle)."""
    if not _has_alnum(text) or len(text) == 1:
        return True
    return len(text) <= 3 and any(ch in "()[]{}" for ch in text) and not any(ch.isdigit() for ch in text)


_MONTH_TAILS: Final = "an|eb|ar|pr|ay|un|ul|ug|ep|ct|ov|ec"


def _list_date(text: str) -> str:
    """A list row's date as tesseract misreads small grey print, put right: "1. Nov" is "1 Nov", "19 oct"
    "19 Oct", "220ct" "22 Oct" (an "O" read as a zero); anything else unchanged."""
    text = re.sub(r"^(\d{1,2})\.?\s?0(?=ct$)", r"\1 O", text)
    text = re.sub(
        rf"^(\d{{1,2}})\.?\s?([a-z])(?=(?:{_MONTH_TAILS})$)", lambda m: f"{m[1]} {m[2].upper()}", text
    )
    return re.sub(rf"^(\d{{1,2}})\.\s?(?=[A-Z](?:{_MONTH_TAILS})$)", r"\1 ", text)


def _right_time(line: _Line, width: int) -> tuple[list[Word], str] | None:
    """A time at the right end of a line (in the right third of the screen): the other words and the time."""
    words = [
        Word(_list_date(w.text), w.left, w.top, w.width, w.height, w.conf, w.block, w.par, w.line)
        for w in line.words
    ]
    if len(words) >= 2:  # "1." "Nov", "3" "oct" read as two words
        joined = _list_date(f"{words[-2].text} {words[-1].text}")
        if joined != f"{words[-2].text} {words[-1].text}" and _is_time(joined):
            a, b = words[-2], words[-1]
            merged = Word(
                joined,
                a.left,
                min(a.top, b.top),
                b.left + b.width - a.left,
                max(a.height, b.height),
                min(a.conf, b.conf),
                a.block,
                a.par,
                a.line,
            )
            words = [*words[:-2], merged]
    while words and (
        _icon_token(words[-1].text)
        or (
            len(words[-1].text) == 2
            and not any(ch.isdigit() for ch in words[-1].text)
            and words[-1].text.upper() not in ("AM", "PM")
        )
    ):
        words = words[
            :-1
        ]  # an icon after the time (an "i" in a circle, a chevron; "CE": two letters, not AM/PM)
    for take in (3, 2, 1):
        if len(words) < take:
            continue
        tail = words[-take:]
        text = _text(tail).rstrip(_TRAILING_JUNK)
        if _is_time(text) and tail[0].left * 3 >= width * 2 - width // 3 and _set_apart(words, take):
            return words[:-take], _clean_time(text)
    if words and words[-1].left * 3 >= width * 2 - width // 3:
        # an icon glyph glued before the time ("Q9May"): one character, then a whole time
        glued = re.fullmatch(rf"\W?\w?((?:{_DAY}|{_CLOCK}))", words[-1].text.rstrip(_TRAILING_JUNK))
        if glued and _is_time(glued.group(1)) and _set_apart(words, 1):
            return words[:-1], _clean_time(glued.group(1))
    return None


def _ink_colour(rgb: Image.Image, words: list[Word], background: Color) -> Color | None:
    """The colour of the pixels of ``words`` farthest from the background (their ink), or None."""
    best: Color | None = None
    best_distance = 0
    for word in words[:4]:
        crop = rgb.crop(word.bbox).resize((max(1, word.width // 2), max(1, word.height // 2)))
        pixels = _pixels(crop)
        for c in pixels:
            distance = max(abs(c[0] - background[0]), abs(c[1] - background[1]), abs(c[2] - background[2]))
            if distance > best_distance:
                best, best_distance = c, distance
    return best


def _is_red(c: Color | None) -> bool:
    return c is not None and c[0] >= 150 and c[0] - max(c[1], c[2]) >= 90


def _arrow(rgb: Image.Image, word: Word, background: Color) -> str | None:
    """The direction of a call arrow drawn just left of ``word``: "outgoing" (up-right) or "incoming"."""
    h = word.height
    x1 = word.left - max(1, h // 6)
    window = (max(0, x1 - h * 2), max(0, word.top - h // 3), max(0, x1), word.top + h + h // 3)
    return _arrow_in(rgb, window, background, window=True)


def _arrow_in(rgb: Image.Image, box: Box, background: Color, *, window: bool = False) -> str | None:
    """The direction of the arrow whose ink is in ``box``: "outgoing" when its head is up and right,
    "incoming" when down and left; None when the ink is not a square-ish shape (or, in a ``window``,
    touches its left side: an avatar's edge)."""
    if box[2] - box[0] < 4 or box[3] - box[1] < 4:
        return None
    crop = rgb.crop(box)
    pixels = _pixels(crop)
    ink: list[tuple[int, int]] = []
    for i, c in enumerate(pixels):
        if max(abs(c[0] - background[0]), abs(c[1] - background[1]), abs(c[2] - background[2])) >= 60:
            ink.append((i % crop.width, i // crop.width))
    if len(ink) < 8:
        return None
    ix0, ix1 = min(x for x, _ in ink), max(x for x, _ in ink)
    iy0, iy1 = min(y for _, y in ink), max(y for _, y in ink)
    iw, ih = ix1 - ix0 + 1, iy1 - iy0 + 1
    if (window and ix0 == 0) or not (iw * 10 >= ih * 5 and ih * 10 >= iw * 5):
        return None
    if window and ih * 3 < (box[3] - box[1]):
        return None
    mx2, my2 = ix0 + ix1, iy0 + iy1  # twice the centre, to stay in integers
    top_right = sum(1 for x, y in ink if 2 * x > mx2 and 2 * y < my2)
    bottom_left = sum(1 for x, y in ink if 2 * x < mx2 and 2 * y > my2)
    if top_right == bottom_left:
        return None
    return "outgoing" if top_right > bottom_left else "incoming"


def _around(word: Word, after: Word | None) -> Box:
    """The box of an icon read as ``word``, widened by a quarter of its height (tesseract's box of an arrow
    read as "/" may hold its shaft only) but not into the next word."""
    pad = max(1, word.height // 4)
    right = word.left + word.width + pad
    if after is not None:
        right = min(right, after.left - 1)
    return (max(0, word.left - pad), max(0, word.top - pad), right, word.top + word.height + pad)


def _arrow_before(rgb: Image.Image, word: Word, row_lines: list[_Line], background: Color) -> str | None:
    """The call arrow left of ``word``: a short token of the row read on a line of its own (an arrow
    taller than the small label beside it), else the ink just left of ``word``."""
    for line in row_lines:
        for icon in line.words:
            right = icon.left + icon.width
            overlap = min(right, word.left) - icon.left
            if (
                len(icon.text) <= 2
                and not (icon.text.isalnum() and icon.conf >= 60)
                and icon is not word
                and right <= word.left + word.height // 2
                and word.left - right <= word.height * 2
                and overlap > 0
                and icon.top < word.top + word.height
                and word.top < icon.top + icon.height
            ):
                found = _arrow_in(rgb, _around(icon, word), background)
                if found:
                    return found
    return _arrow(rgb, word, background)


def _capital_i(name: str) -> str:
    """A name (a call row's, an email's sender) whose first word is "l" + lower case before capitalised
    words ("lan Cole") starts with "I": tesseract reads a sans-serif capital I as "l"."""
    words = name.split(" ")
    if len(words) > 1 and re.fullmatch(r"l[a-z]+", words[0]) and all(w[:1].isupper() for w in words[1:]):
        return "I" + name[1:]
    return name


def _header_pieces(bands: list[_Line], line: _Line, kept: list[Word]) -> str:
    """A chat header's text: ``kept`` (the first header line's words) with the other pieces of the same
    line (a band cut where a number's spaces are wide: "+33 6 12 34" and "56 78") at most three line
    heights apart, left to right."""
    top, bottom = line.box[1], line.box[3]
    height = bottom - top
    pieces = [kept]
    for other in bands:
        if other is line or not (top <= (other.box[1] + other.box[3]) // 2 <= bottom):
            continue
        words = _confident(other.words)
        if words and not _is_time(_text(words)):
            pieces.append(words)
    pieces.sort(key=lambda ws: ws[0].left)
    start = next(k for k, ws in enumerate(pieces) if ws is kept)
    first, last = start, start
    while first > 0 and _box_of(pieces[first])[0] - _box_of(pieces[first - 1])[2] <= height * 3:
        first -= 1
    while last + 1 < len(pieces) and _box_of(pieces[last + 1])[0] - _box_of(pieces[last])[2] <= height * 3:
        last += 1
    return " ".join(_text(ws) for ws in pieces[first : last + 1])


def _contact(text: str) -> str:
    """A chat header's contact name or number, put right as a call row's name is (see ``_call_name``)."""
    return _call_name(text)


def _call_name(text: str) -> str:
    """A call row's name or number with tesseract's confusions of small print put right:

    - an international number ("+33 612 34 56 78") that is valid with the same digits is spaced as phones
      show it (libphonenumber's international format: "+33 6 12 34 56 78"; tesseract drops the space after
      a one-digit group); only spaces change, never a digit;
    - a first word "l" + lower case before capitalised words ("lan Cole") starts with "I";
    - a name of one word in lower case ("sam", "jamie": read without a capital height to compare with) gets
      its capital back.
    """
    if text.startswith("+") and re.fullmatch(r"\+[\d ]+", text):
        try:
            number = phonenumbers.parse(text, None)
        except phonenumbers.NumberParseException:
            return text
        spaced = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.INTERNATIONAL)
        if phonenumbers.is_valid_number(number) and spaced.replace(" ", "") == text.replace(" ", ""):
            return spaced
        return text
    text = _capital_i(text)
    if " " not in text and re.fullmatch(r"[a-z]{2,}", text):
        return text[0].upper() + text[1:]
    return text


def _arrow_token(words: list[Word]) -> bool:
    """Whether the line's first word is an arrow icon read as a character ("7", "\\", "x")."""
    if len(words) < 2:
        return False
    first = words[0].text
    if first.startswith(("(", "+")) or len(first) > 2:
        return False
    if len(first) == 2 and first.isalnum() and words[0].conf >= 60:
        return False  # a real two-letter word ("No Caller ID")
    return words[0].width * 2 >= words[0].height


def _rows(lines: list[_Line], width: int) -> list[tuple[list[_Line], str, list[Word], int]]:
    """List rows anchored on their right-aligned time: (lines, time, the anchor line's other words, index)."""
    anchors: list[tuple[int, str, list[Word]]] = []
    for number, line in enumerate(lines):
        found = _right_time(line, width)
        if found is not None:
            anchors.append((number, found[1], found[0]))
    rows: list[tuple[list[_Line], str, list[Word], int]] = []
    starts: list[int] = []
    for number, _time, _rest in anchors:
        start = number
        top = lines[number].box[1]
        while start > 0 and lines[start - 1].box[3] > top - (lines[number].box[3] - top):
            if starts and start - 1 <= starts[-1]:
                break
            start -= 1
        starts.append(start)
    for k, (number, shown, rest) in enumerate(anchors):
        end = starts[k + 1] if k + 1 < len(anchors) else len(lines)
        rows.append((lines[starts[k] : end], shown, rest, number - starts[k]))
    return rows


def _list_header(lines: list[_Line], height: int, before: int) -> str | None:
    """The first line under the status bar and above line ``before``, without icon junk."""
    for line in lines[:before]:
        centre = (line.box[1] + line.box[3]) // 2
        if centre * 1000 < _STATUS_BAR_PERMILLE * height:
            continue
        kept = _confident(line.words)
        if kept:
            return _text(kept)
    return None


def _read_list(
    rgb: Image.Image, lines: list[_Line], background: Color
) -> tuple[str, str | None, list[Message]]:
    """A call log, an inbox or an open email from the text lines of a screen without bubbles."""
    width, height = rgb.size
    rows = _rows(lines, width)
    if not rows:
        return "unknown", None, []
    first = lines.index(rows[0][0][0])
    header = _list_header(lines, height, first)
    if len(rows) == 1:
        return _read_email(lines, rows[0], header, height)
    calls = _CALL_HEADERS.search(header or "") is not None or sum(
        1 for row in rows if len(row[0]) <= 2 or _CALL_WORDS.search(" ".join(ln.text for ln in row[0]))
    ) * 2 > len(rows)
    if _EMAIL_HEADERS.search(header or ""):
        calls = False
    messages: list[Message] = []
    for row_lines, shown, rest, anchor in rows:
        words = [w for ln in row_lines for w in ln.words]
        box = (0, min(ln.box[1] for ln in row_lines), width, max(ln.box[3] for ln in row_lines))
        first_line = _strip_junk(rest if anchor == 0 else row_lines[0].words)
        others = [ln.words for k, ln in enumerate(row_lines) if k != anchor and (k != 0 or anchor == 0)]
        if anchor != 0:
            others = [rest, *others]
        others = [ws for ws in others if ws]
        if calls:
            count: int | None = None
            arrow: str | None = None
            sub = _strip_junk(others[0]) if others else []
            for line_words in (sub, first_line):
                if len(line_words) == 1 and len(line_words[0].text) <= 2 and not line_words[0].text.isalnum():
                    # the arrow read on a line of its own ("7)"): taller than the small label beside it
                    arrow = arrow or _arrow_in(rgb, _around(line_words[0], None), background)
                elif _arrow_token(line_words):
                    arrow = arrow or _arrow_in(rgb, _around(line_words[0], line_words[1]), background)
                    if line_words is first_line:
                        first_line = first_line[1:]
                elif line_words and line_words[0].left * 2 < width:  # an arrow starts a row, never ends it
                    arrow = arrow or _arrow_before(rgb, line_words[0], row_lines, background)
            name_words = _strip_junk(first_line)
            counted = _COUNT.match(name_words[-1].text) if len(name_words) > 1 else None
            if counted:
                count = int(counted.group(1))
                name_words = _strip_junk(name_words[:-1])
            name = _call_name(_text(name_words))
            call = "missed" if _is_red(_ink_colour(rgb, name_words, background)) else None
            said = _CALL_WORDS.search(" ".join(ln.text for ln in row_lines))
            if call is None and said:
                call = said.group(1).lower()
            if call is None:
                call = arrow or "incoming"
            messages.append(
                Message(
                    direction="outgoing" if call == "outgoing" else "incoming",
                    text=name,
                    shown_time=shown,
                    bbox=box,
                    call=call,
                    count=count,
                    confidence=_confidence(words),
                )
            )
        else:
            body = [w for ws in others for w in _strip_junk(ws)]
            messages.append(
                Message(
                    direction="incoming",
                    text=_text(body),
                    shown_time=shown,
                    bbox=box,
                    sender=_capital_i(_text(first_line)) or None,
                    confidence=_confidence(words),
                )
            )
    return ("call_list" if calls else "email_list"), header, messages


def _read_email(
    lines: list[_Line], row: tuple[list[_Line], str, list[Word], int], header: str | None, height: int
) -> tuple[str, str | None, list[Message]]:
    """An open email: subject lines above the sender, the sender's line with the date, then the body."""
    row_lines, shown, rest, anchor = row
    number = lines.index(row_lines[anchor])
    first = lines.index(row_lines[0])
    sender_words = rest if anchor == 0 else row_lines[0].words
    subject = [
        ln for ln in lines[:first] if (ln.box[1] + ln.box[3]) // 2 * 1000 >= _STATUS_BAR_PERMILLE * height
    ]
    body_start = number + 1
    while body_start < len(lines) and body_start <= number + 3:
        text = lines[body_start].text
        if "@" in text or text.lower().startswith("to "):
            body_start += 1
            continue
        break
    body = lines[body_start:]
    if not body:
        return "unknown", header, []
    words = [w for ln in body for w in ln.words]
    message = Message(
        direction="incoming",
        text=_text([w for ln in body for w in _strip_junk(ln.words)]),
        shown_time=shown,
        bbox=_box_of(words),
        sender=_capital_i(_text(_strip_junk(sender_words))) or None,
        confidence=_confidence(words),
    )
    title = " ".join(_text(_strip_junk(ln.words)) for ln in subject).strip() or header
    return "email", title, [message]


def analyse(
    image: Image.Image,
    *,
    probe: TesseractProbe | None = None,
    name: str = "image",
    timeout_s: int = DEFAULT_TIMEOUT_S,
) -> Layout:
    """Read the layout of ``image`` (a screenshot) and recognise each region (see the module docstring).

    Raises DependencyError when tesseract is missing and TesseractFailed when it fails on the page.
    """
    rgb = _rgb(image)
    width, height = rgb.size
    grid = _grid(rgb)
    regions, labels = _merged(grid, *_regions(grid))
    background = max(regions, key=lambda r: r.count).colour if regions else (255, 255, 255)
    bubbles: list[tuple[_Region, Box, Image.Image]] = []
    for region in _bubbles(grid, regions):
        blanks, enclosed = _bubble_mask(grid, region, labels)
        box = _to_px(grid, region)
        if enclosed < 2:
            continue  # no text inside: an avatar, a picture, a button
        if (box[2] - box[0]) * 100 >= width * 76 and box[1] * 100 >= height * 85:
            continue  # the message field at the bottom of a chat, not a message
        bw, bh = box[2] - box[0], box[3] - box[1]
        if abs(bw - bh) * 100 <= bw * 15 and bw * 100 < width * 12:
            continue  # round and small: a contact picture (with an initial or a silhouette), not a bubble
        bubbles.append((region, box, blanks))
    if len(bubbles) < 2:
        bubbles = []
    prepared: list[tuple[str, int, Box, Image.Image, int]] = []
    for index, (region, box, blanks) in enumerate(bubbles):
        flat = _flat_region(rgb, box, region.colour, blanks)
        # the bubble's own anti-aliased edge (one grid cell) is not text: white it out
        edge = max(2, grid.factor_x // 1000)
        for frame in ((0, 0, flat.width, edge), (0, flat.height - edge, flat.width, flat.height)):
            flat.paste(255, frame)
        for frame in ((0, 0, edge, flat.height), (flat.width - edge, 0, flat.width, flat.height)):
            flat.paste(255, frame)
        corner = _corner_time(flat)
        if corner is not None:
            time_box = (box[0] + corner[0], box[1] + corner[1], box[0] + corner[2], box[1] + corner[3])
            time_flat, time_scale = _scaled(_flatten(rgb.crop(time_box), region.colour))
            prepared.append(("corner", index, time_box, time_flat, time_scale))
            flat.paste(255, corner)
        flat, scale = _scaled(flat)
        prepared.append(("bubble", index, box, flat, scale))
    found = [region for region, _, _ in bubbles]
    solid = _solid_mask(grid, regions, labels, found, background)
    for index, band in enumerate(_bands(grid, found)):
        flat, scale = _prepare_region(rgb, band.box, band.background, solid.crop(band.cells))
        prepared.append(("band", index, band.box, flat, scale))
    version, slots = _ocr_page(prepared, probe, name, timeout_s)
    lines = _slot_lines(slots)
    words = tuple(sorted((w for _, ws in slots for w in ws), key=lambda w: (w.top, w.left)))
    text = "\n".join(line.text for line in lines)
    kind: str
    header: str | None
    messages: list[Message]
    if bubbles:
        kind = "chat"
        header, messages = _read_chat(lines, [(r, box) for r, box, _ in bubbles], width, height)
        messages = [m for m in messages if m.confidence >= MIN_MESSAGE_CONFIDENCE and _has_alnum(m.text)]
        if len(messages) < 2:  # shapes that looked like bubbles but hold no text: a picture
            kind, header, messages = "unknown", None, []
    else:
        kind, header, messages = _read_list(rgb, lines, background)
    settings = layout_settings()
    settings["engine_version"] = version
    return Layout(
        kind=kind,
        header=header,
        messages=tuple(messages),
        text=text,
        words=words,
        settings=settings,
    )
