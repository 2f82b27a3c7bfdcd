"""Screen layout: chat bubbles, call-log rows, email-list rows and the header, each region then recognised.

(Interface first; the method is documented here as it is built.)
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final, Literal

from PIL import Image

from evidence.ocr.preprocess import prepare
from evidence.ocr.tesseract import Settings, TesseractProbe, Word, recognise

LAYOUT_VERSION: Final = "1"

Direction = Literal["incoming", "outgoing", "unknown"]
Kind = Literal["chat", "call_list", "email_list", "email", "unknown"]


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


def analyse(image: Image.Image, *, probe: TesseractProbe | None = None, name: str = "image") -> Layout:
    """Read the layout of ``image`` (a screenshot) and recognise each region.

    First version: the whole image is recognised as one region (kind ``unknown``); the layout follows.
    """
    prepared = prepare(image)
    with tempfile.TemporaryDirectory(prefix="evidence-layout-") as tmp:
        path = Path(tmp) / "page.png"
        prepared.image.save(path, "PNG")
        result = recognise(path, Settings(psm=3), probe=probe, name=name).scaled_down(prepared.scale)
    return Layout(
        kind="unknown",
        header=None,
        messages=(),
        text=result.text,
        words=result.words,
        settings={"layout_version": LAYOUT_VERSION, "engine_version": result.engine_version},
    )
