"""The layout's version and tuning constants, the types of colours and boxes, and ``layout_settings()``
(everything that changes the result, recorded with it and keying the OCR cache)."""

from __future__ import annotations

from typing import Any, Final, Literal

from evidence.ocr.tesseract import Settings

LAYOUT_VERSION: Final = "8"

Direction = Literal["incoming", "outgoing", "unknown"]
Kind = Literal[
    "chat",
    "call_list",
    "email_list",
    "email",
    "conversation_list",
    "contact_list",
    "in_call",
    "compose",
    "unknown",
]

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
_STATUS_BAR_PERMILLE: Final = 45  # lines centred in the top 4.5 % of the screen belong to the status bar


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
