"""``analyse``: the steps in order over one screenshot, from the grid to the ``Layout``."""

from __future__ import annotations

from typing import Any, TypeVar

from PIL import Image

from evidence.ocr.layout.bands import _bands, _solid_mask
from evidence.ocr.layout.bubbles import _bubble_mask, _bubbles, app_frame
from evidence.ocr.layout.call_rows import calls_read_again
from evidence.ocr.layout.chat import _centre_in, _chat_header, _read_chat
from evidence.ocr.layout.flatten import _corner_time, _flat_region, _flatten, _prepare_region, _scaled
from evidence.ocr.layout.furniture import _beside, _not_messages, _placeholder, _web_address
from evidence.ocr.layout.grid import _grid, _merged, _Region, _regions, _rgb, _to_px
from evidence.ocr.layout.headers import _respaced_header
from evidence.ocr.layout.keyboard import keys_top, text_top, under_keyboard, without_keyboard
from evidence.ocr.layout.kinds import named
from evidence.ocr.layout.lists import _read_list
from evidence.ocr.layout.mail import read_open_email
from evidence.ocr.layout.model import Layout, Message
from evidence.ocr.layout.page import _Line, _ocr_page, _slot_lines
from evidence.ocr.layout.photos import photo_boxes, with_photos
from evidence.ocr.layout.settings import MIN_MESSAGE_CONFIDENCE, Box, layout_settings
from evidence.ocr.layout.times import _is_time, _split_time_tail
from evidence.ocr.layout.words import _has_alnum
from evidence.ocr.tesseract import DEFAULT_TIMEOUT_S, TesseractProbe

_T = TypeVar("_T", bound=tuple[Any, Box, Any])


def _round(grid_width: int, region: _Region, labels: list[int]) -> bool:
    """Whether a square shape is a circle: the four points a tenth in from its box's corners lie outside it
    (a rounded bubble's corners hold them)."""
    w, h = region.x1 - region.x0 + 1, region.y1 - region.y0 + 1
    if w < 10 or h < 10:
        return False
    dx, dy = max(1, w // 10), max(1, h // 10)
    points = [
        (region.x0 + dx, region.y0 + dy),
        (region.x1 - dx, region.y0 + dy),
        (region.x0 + dx, region.y1 - dy),
        (region.x1 - dx, region.y1 - dy),
    ]
    return all(labels[y * grid_width + x] != region.label for x, y in points)


def _in_frame(bubbles: list[_T], frame: Box, height: int) -> list[_T]:
    """A store picture's bubbles: when the app's frame holds two of them or more, those outside it (shapes of
    the slogan graphic around the phone) go; the title bar just above the frame stays."""

    def inside(box: Box) -> bool:
        cx, cy = (box[0] + box[2]) // 2, (box[1] + box[3]) // 2
        return frame[0] <= cx <= frame[2] and frame[1] - height // 10 <= cy <= frame[3]

    held = [b for b in bubbles if inside(b[1])]
    return held if len(held) >= 2 else bubbles


def _rowed(lines: list[tuple[str, Box]]) -> list[tuple[str, Box]]:
    """Lines level with each other joined left to right into one (a keyboard's row of keys, each key read as
    a piece of its own), so that a row of keys reads as one line of short tokens."""
    rows: list[list[tuple[str, Box]]] = []
    for text, box in sorted(lines, key=lambda item: item[1][1]):
        centre = (box[1] + box[3]) // 2
        row = rows[-1] if rows else None
        if row is not None and min(b[1] for _, b in row) <= centre <= max(b[3] for _, b in row):
            row.append((text, box))
        else:
            rows.append([(text, box)])
    joined: list[tuple[str, Box]] = []
    for row in rows:
        row.sort(key=lambda item: item[1][0])
        box = (
            min(b[0] for _, b in row),
            min(b[1] for _, b in row),
            max(b[2] for _, b in row),
            max(b[3] for _, b in row),
        )
        joined.append((" ".join(t for t, _ in row if t), box))
    return joined


def _bubble_text(lines: list[_Line], index: int) -> str:
    return " ".join(ln.text for ln in lines if ln.slot.kind == "bubble" and ln.slot.index == index)


def _list_rows(lines: list[_Line], boxes: list[Box]) -> bool:
    """Whether the "bubbles" are a list's rows drawn as cards: most of them (at least two) show their time at
    the top right, on their first line or in a corner in their upper third, with lines under it (a
    conversation list's name, time and preview). A chat bubble shows its time at its end, never above its
    text."""
    topped = 0
    for index, box in enumerate(boxes):
        own = sorted(
            (ln for ln in lines if ln.slot.index == index and ln.slot.kind == "bubble"),
            key=lambda ln: ln.box[1],
        )
        corners = [ln for ln in lines if ln.slot.index == index and ln.slot.kind == "corner"]
        own = [
            ln for ln in own if any(w.conf >= 50 and sum(c.isalnum() for c in w.text) >= 3 for w in ln.words)
        ]
        if len(own) < 2:
            continue
        first_time = _split_time_tail(own[0].words)[1] is not None
        high_corner = any(
            _is_time(ln.text) and (ln.box[1] + ln.box[3]) * 3 <= box[1] * 4 + box[3] * 2 for ln in corners
        )
        topped += first_time or high_corner
    return topped >= 2 and topped * 2 > len(boxes)


def analyse(
    image: Image.Image,
    *,
    probe: TesseractProbe | None = None,
    name: str = "image",
    timeout_s: int = DEFAULT_TIMEOUT_S,
) -> Layout:
    """Read the layout of ``image`` (a screenshot) and recognise each region (see the docstring of
    ``evidence.ocr.layout``).

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
        if abs(bw - bh) * 100 <= bw * 15 and (bw * 100 < width * 12 or _round(grid.width, region, labels)):
            continue  # round and small, or a circle: a contact picture (an initial, a silhouette), not a bubble
        bubbles.append((region, box, blanks))
    shapes = [box for _, box, _ in bubbles]
    keyboard = keys_top(
        [a for i, a in enumerate(shapes) if any(_beside(a, b) for j, b in enumerate(shapes) if j != i)],
        height,
    )
    bubbles, furniture = _not_messages(bubbles, width, height)
    framed = app_frame(grid, regions)
    # the app's screen in a store picture is tall; a wide panel holding shapes but short (the keyboard's)
    # only gives the width its rows of keys are measured against
    screen_box = _to_px(grid, framed) if framed is not None else None
    if screen_box is not None and (screen_box[3] - screen_box[1]) * 10 < height * 4:
        screen_box = None
    if screen_box is not None:
        bubbles = _in_frame(bubbles, screen_box, height)
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
        photos = photo_boxes(grid, regions, labels)
        bands = [line for line in lines if line.slot.kind == "band"]
        outside = [ln for ln in bands if not any(_centre_in(ln.box, p) for p in photos)]
        span = (framed.x1 - framed.x0 + 1) * grid.factor_x // 1000 if framed is not None else width
        typed = text_top(_rowed([(line.text, line.box) for line in outside]), height, span)
        keyboard = typed if keyboard is None else keyboard if typed is None else min(keyboard, typed)
        header, messages = _read_chat(
            lines,
            [(r, box) for r, box, _ in bubbles],
            width,
            height,
            photos,
            screen_box,
            skip=under_keyboard(
                [(box, _bubble_text(lines, i)) for i, (_, box, _) in enumerate(bubbles)], keyboard
            ),
        )
        if _list_rows(lines, [box for _, box, _ in bubbles]):
            messages = []  # list rows drawn as cards (a name with its time on the first line): not a chat
        if messages and _placeholder(messages[-1].text, messages[-1].bbox, height):
            messages = messages[:-1]  # the compose field's placeholder, not a message
        messages = with_photos(messages, photos, bands, width, height)
        messages = [
            m
            for m in messages
            if m.media is not None or (m.confidence >= MIN_MESSAGE_CONFIDENCE and _has_alnum(m.text))
        ]
        messages, typing = without_keyboard(messages, keyboard)
        # shapes that looked like bubbles but hold no text (a picture, or a list's search bar and buttons);
        # one message above a keyboard is a chat being typed in
        if len(messages) < 2 and not (typing and messages):
            kind, header, messages = _read_list(rgb, lines, background)
            if kind not in ("conversation_list", "contact_list") and not (
                (kind == "call_list" and len(messages) >= 3) or (kind == "chat" and len(messages) >= 2)
            ):
                kind, header, messages = "unknown", None, []
    elif furniture and not _web_address([line.text for line in lines]):
        # a chat's notices or compose box and no message: a chat screen without messages
        kind, header, messages = _read_list(rgb, lines, background)
        if (kind in ("chat", "email_list") and messages) or (kind == "call_list" and len(messages) >= 3):
            pass  # a chat drawn without bubbles (``timeline``), or a list whose pill or button is furniture
        elif kind not in ("conversation_list", "contact_list"):  # (a list's centred pill is no notice)
            kind, header = "chat", _chat_header(lines, height)
            bands = [line for line in lines if line.slot.kind == "band"]
            messages = with_photos([], photo_boxes(grid, regions, labels), bands, width, height)
    else:
        kind, header, messages = _read_list(rgb, lines, background)
    top = [
        ln.text.split()[0]
        for ln in lines
        if (ln.box[1] + ln.box[3]) * 50 <= height * 12 and 1 <= len(ln.text.split()) <= 2
    ]
    if kind == "chat" and _web_address(top):
        # a browser's address bar starting a short line at the top: a web page (a post and its comments), not a
        # conversation, whether the bar was read as a shape or as a line
        kind, header, messages = "unknown", None, []
    if not messages and kind in ("unknown", "contact_list"):
        again = calls_read_again(rgb, lines, probe, name, timeout_s)  # names read, the lines under them lost
        if again is not None:
            kind, header, messages = "call_list", None, again
    if not messages and kind == "unknown":
        # no row anchored an open e-mail (a date beside the sender, a card the page read as junk): its
        # generic layout, read again alone (``mail``)
        opened = read_open_email(rgb, lines, background, probe, name, timeout_s)
        if opened is not None:
            kind, header, messages = "email", opened[0], [opened[1]]
    if kind == "chat" and header:
        header = _respaced_header(rgb, lines, header, probe, name, timeout_s)
    if not messages and kind in ("unknown", "contact_list", "conversation_list", "chat"):
        kind = named([line.text for line in lines]) or kind  # no message: only what the screen was is named
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
