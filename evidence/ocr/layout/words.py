"""Word helpers shared by the reading steps: text and box of a run of words, confidence, and the junk
rules (icon tokens at the ends of lines, low-confidence header tokens, specks at a bubble's end)."""

from __future__ import annotations

from evidence.ocr.layout.settings import HEADER_MIN_CONF, SPECK_CONF, Box
from evidence.ocr.tesseract import Word


def _text(line: list[Word]) -> str:
    return " ".join(w.text for w in line)


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
