"""What the layout reads: ``Message`` (a bubble or a list row) and ``Layout`` (a whole screen)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from evidence.ocr.tesseract import Word


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
    direction_basis: str | None = None  # chats: "edge" | "colour" | "saturation" | "position" (layout.sides)
    media: str | None = None  # chats: "photo" | "voice" for a bubble that is not text; None for text
    duration: str | None = None  # voice notes and calls: the duration shown ("00:19"), never a clock time
    subject: str | None = None  # inbox rows: the subject line under the sender (also the start of ``text``)
    day: str | None = None  # chats: the date separator above the bubble as shown ("Yesterday", "20 Mar")
    recipients: tuple[str, ...] = ()  # an open email: the "to" line as shown ("me", "a@b.example")

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
            "direction_basis": self.direction_basis,
            "media": self.media,
            "duration": self.duration,
            "day": self.day,
            "subject": self.subject,
            # only when shown, so that every other message's stored form is unchanged
            **({"recipients": list(self.recipients)} if self.recipients else {}),
        }


@dataclass(frozen=True)
class Layout:
    """What a screen shows: its kind, header, messages top to bottom, full text and words."""

    kind: str  # "chat" | "call_list" | "email_list" | "email" | "conversation_list" | "contact_list" | "in_call"
    # | "compose" | "unknown"
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
