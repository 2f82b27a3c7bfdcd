"""A screenshot in its exhibit: the picture scaled to fit, with an invisible OCR text layer over it.

The picture is the stored original (JPEG bytes passed through as they are, ``/DCTDecode``); a PNG or WebP is
embedded as Flate-compressed pixels (``rl_config.useA85`` off: binary, not ASCII85), scaled down first when it
has far more pixels than the page can show (more than :data:`MAX_DPI` at the size drawn), so a report of
hundreds of phone screenshots stays small. The exhibit's SHA-256 is always that of the original file, never of
the picture drawn.

Each word OCR read is written in text render mode 3 (invisible) at its box, font size from the box's height
and horizontal scaling from its width, so a PDF viewer finds and selects the words where they appear. With a
redaction, words to mask get a black box over the picture and no text.
"""

from __future__ import annotations

import hashlib
import io
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from PIL import Image
from reportlab.lib import colors
from reportlab.lib.utils import ImageReader
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.platypus import Flowable

from evidence.errors import StorageError

MAX_DPI = 200
FONT = "DejaVu"


@dataclass(frozen=True)
class Word:
    """One OCR word and its box in the original image's pixels."""

    text: str
    left: int
    top: int
    width: int
    height: int


@dataclass(frozen=True)
class Screen:
    """A stored picture and what OCR read in it (``words`` empty when OCR did not run). ``sha256`` is the hash
    the ledger names it by: the bytes read from ``path`` are drawn only when they still have it."""

    path: Path
    sha256: str
    width: int
    height: int
    is_jpeg: bool
    words: tuple[Word, ...]


def verified_bytes(path: Path, sha256: str, what: str) -> bytes:
    """The bytes of the stored object at ``path``, read once, when they still hash to ``sha256``; a
    StorageError otherwise, so that a report never shows a picture or text that is not the one the ledger
    names (the object may have been swapped between ``verify`` and ``report``)."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise StorageError(
            f"cannot read a stored {what} ({exc.strerror}); no report was written", path=path
        ) from None
    if hashlib.sha256(data).hexdigest() != sha256:
        raise StorageError(
            f"the stored {what} no longer has the SHA-256 the ledger names ({sha256[:16]}...); "
            "no report was written",
            path=path,
            hint="run 'evidence verify': the case was altered",
        )
    return data


def words_from_blob(blob: dict[str, Any]) -> tuple[Word, ...]:
    """The words of an OCR blob (``evidence.importers.screenshot``): ``{"text", "bbox": [x0, y0, x1, y1]}``."""
    found: list[Word] = []
    for item in blob.get("words", []):
        if not isinstance(item, dict):
            continue
        text, box = item.get("text"), item.get("bbox")
        if not isinstance(text, str) or not text.strip() or not isinstance(box, list) or len(box) != 4:
            continue
        if not all(isinstance(v, int) for v in box):
            continue
        x0, y0, x1, y1 = box
        if x1 > x0 and y1 > y0:
            found.append(Word(text.strip(), x0, y0, x1 - x0, y1 - y0))
    return tuple(found)


class ScreenFlowable(Flowable):  # type: ignore[misc]  # reportlab is untyped
    """The picture at most ``max_w`` x ``max_h`` points, aspect kept, with its OCR layer."""

    def __init__(
        self, screen: Screen, max_w: float, max_h: float, masked: Callable[[str], bool] | None = None
    ) -> None:
        super().__init__()
        self.screen = screen
        scale = min(max_w / screen.width, max_h / screen.height, 1.0)
        self.draw_w = screen.width * scale
        self.draw_h = screen.height * scale
        self.masked = masked
        self._reader: ImageReader | None = None

    def wrap(self, avail_w: float, avail_h: float) -> tuple[float, float]:
        return self.draw_w, self.draw_h

    def reader(self) -> ImageReader:
        """The image reportlab embeds: the JPEG itself, or the pixels (reduced when far too many)."""
        if self._reader is None:
            s = self.screen
            data = verified_bytes(s.path, s.sha256, "picture")
            target_w = round(self.draw_w / 72 * MAX_DPI)
            if s.is_jpeg or s.width <= target_w:
                self._reader = ImageReader(io.BytesIO(data))
            else:
                with Image.open(io.BytesIO(data)) as im:
                    im.load()
                    target_h = max(1, round(s.height * target_w / s.width))
                    mode = "RGBA" if im.mode in ("RGBA", "LA", "P") else "RGB"
                    small = im.convert(mode).resize((target_w, target_h), Image.Resampling.LANCZOS)
                buf = io.BytesIO()
                small.save(buf, format="PNG")
                buf.seek(0)
                self._reader = ImageReader(buf)
        return self._reader

    def draw(self) -> None:
        canv = self.canv
        s = self.screen
        canv.drawImage(self.reader(), 0, 0, self.draw_w, self.draw_h, mask="auto")
        canv.saveState()
        canv.setStrokeColor(colors.HexColor("#808080"))
        canv.setLineWidth(0.4)
        canv.rect(0, 0, self.draw_w, self.draw_h, stroke=1, fill=0)
        canv.restoreState()
        if not s.words:
            return
        k = self.draw_w / s.width
        hidden = [w for w in s.words if self.masked is not None and self.masked(w.text)]
        if hidden:
            canv.saveState()
            canv.setFillColor(colors.black)
            for w in hidden:
                canv.rect(
                    w.left * k - 1, self.draw_h - (w.top + w.height) * k - 1, w.width * k + 2,
                    w.height * k + 2, stroke=0, fill=1,
                )  # fmt: skip
            canv.restoreState()
        text = canv.beginText()
        text.setTextRenderMode(3)
        for w in s.words:
            if w in hidden:
                continue
            size = max(1.0, w.height * k)
            natural = stringWidth(w.text, FONT, size)
            text.setFont(FONT, size)
            text.setHorizScale(100.0 * (w.width * k) / natural if natural > 0 else 100.0)
            # The box's bottom is about the descender line; the baseline sits a fifth of the height above.
            text.setTextOrigin(w.left * k, self.draw_h - (w.top + w.height) * k + 0.2 * size)
            text.textOut(w.text)
        canv.drawText(text)
