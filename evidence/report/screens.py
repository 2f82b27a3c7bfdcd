"""A screenshot in its exhibit: the picture scaled to fit, with an invisible OCR text layer over it.

The picture is the stored original (JPEG bytes passed through as they are, ``/DCTDecode``); a PNG or WebP is
embedded as Flate-compressed pixels (``rl_config.useA85`` off: binary, not ASCII85), scaled down first when it
has far more pixels than the page can show (more than :data:`MAX_DPI` at the size drawn), so a report of
hundreds of phone screenshots stays small. The exhibit's SHA-256 is always that of the original file, never of
the picture drawn.

Each word OCR read is written in text render mode 3 (invisible) at its box, font size from the box's height
and horizontal scaling from its width, so a PDF viewer finds and selects the words where they appear.

With a redaction, words to mask get no text, and their boxes are painted black into the pixels themselves
(:func:`painted`): the stored picture is decoded in memory, turned upright as OCR read it (EXIF Orientation),
blacked out with a margin and embedded as PNG, so the copy holds no masked pixel that ``pdfimages`` could
recover (a box drawn over the picture would only hide it from view). Pictures with nothing to mask are
embedded as above, so an unredacted report is unchanged.

Pictures and blobs are read through the case's object store (``ObjectReader``: ``ObjectStore.open``), never by a
path handed to Pillow or reportlab: in an encrypted case the stored file is ciphertext, and the picture is
decrypted, checked and drawn in memory only (nothing decrypted is written to disk).
"""

from __future__ import annotations

import hashlib
import io
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any, BinaryIO, Protocol

from PIL import Image, ImageDraw, ImageOps
from reportlab.lib import colors
from reportlab.lib.utils import ImageReader
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.platypus import Flowable

from evidence.errors import StorageError
from evidence.ocr.cache import word_boxes

MAX_DPI = 200
FONT = "DejaVu"
MARGIN = 0.15  # of a masked word's height, painted black around its box (OCR boxes are tight)


@dataclass(frozen=True)
class Word:
    """One OCR word and its box in the original image's pixels."""

    text: str
    left: int
    top: int
    width: int
    height: int


class ObjectReader(Protocol):
    """Where a report reads the case's objects: ``evidence.case.store.ObjectStore`` (plaintext, from memory)."""

    def open(self, sha256: str) -> BinaryIO:
        """The object's bytes (decrypted in memory in an encrypted case)."""
        ...

    def relpath_for(self, sha256: str) -> str:
        """The object's path in the case folder, for messages."""
        ...


@dataclass(frozen=True)
class Screen:
    """A stored picture and what OCR read in it (``words`` empty when OCR did not run). ``sha256`` is the hash
    the ledger names it by: the bytes read from ``store`` are drawn only when they still have it."""

    store: ObjectReader = field(compare=False, repr=False)
    sha256: str
    width: int
    height: int
    is_jpeg: bool
    words: tuple[Word, ...]


def verified_bytes(store: ObjectReader, sha256: str, what: str) -> bytes:
    """The bytes of the stored object ``sha256``, read once into memory, when they still hash to ``sha256``; a
    StorageError otherwise, so that a report never shows a picture or text that is not the one the ledger
    names (the object may have been swapped between ``verify`` and ``report``)."""
    path = store.relpath_for(sha256)
    try:
        with store.open(sha256) as fh:
            data = fh.read()
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


def verified_head(store: ObjectReader, sha256: str, what: str, keep: int) -> bytes:
    """The first ``keep`` bytes of the stored object ``sha256``, once the whole object is read (1 MiB at a
    time, never held whole) and still hashes to ``sha256``; a StorageError otherwise, as
    :func:`verified_bytes`."""
    path = store.relpath_for(sha256)
    digest, head = hashlib.sha256(), b""
    try:
        with store.open(sha256) as fh:
            while chunk := fh.read(1 << 20):
                digest.update(chunk)
                if len(head) < keep:
                    head += chunk[: keep - len(head)]
    except OSError as exc:
        raise StorageError(
            f"cannot read a stored {what} ({exc.strerror}); no report was written", path=path
        ) from None
    if digest.hexdigest() != sha256:
        raise StorageError(
            f"the stored {what} no longer has the SHA-256 the ledger names ({sha256[:16]}...); "
            "no report was written",
            path=path,
            hint="run 'evidence verify': the case was altered",
        )
    return head


def words_from_blob(blob: dict[str, Any]) -> tuple[Word, ...]:
    """The words of an OCR blob (``evidence.ocr.cache.word_boxes``) with their boxes."""
    return tuple(Word(text, x0, y0, x1 - x0, y1 - y0) for text, x0, y0, x1, y1 in word_boxes(blob))


def painted(data: bytes, boxes: Iterable[Word], what: str) -> Image.Image:
    """The picture ``data`` decoded, turned upright as OCR read it (EXIF Orientation applied: the boxes are
    pixels of that image), with each box and a margin painted black; RGB, or RGBA when it has transparency.
    A StorageError when Pillow cannot decode it (it decoded at import: the case or Pillow changed)."""
    try:
        with Image.open(io.BytesIO(data)) as opened:
            opened.load()
            upright = ImageOps.exif_transpose(opened)
    except (OSError, ValueError, Image.DecompressionBombError) as exc:
        raise StorageError(
            f"cannot decode a stored picture to black out masked words ({exc}); no report was written",
            path=what,
        ) from None
    mode = "RGBA" if upright.mode in ("RGBA", "LA", "P", "PA") else "RGB"
    image = upright.convert(mode)
    pen = ImageDraw.Draw(image)
    for w in boxes:
        pad = max(2, round(w.height * MARGIN))
        pen.rectangle(
            (w.left - pad, w.top - pad, w.left + w.width + pad, w.top + w.height + pad),
            fill=(0, 0, 0, 255) if mode == "RGBA" else (0, 0, 0),
        )
    return image


class ScreenFlowable(Flowable):  # type: ignore[misc]  # reportlab is untyped
    """The picture at most ``max_w`` x ``max_h`` points, aspect kept, with its OCR layer; words ``masked``
    accepts are blacked out in the pixels and left out of the text layer; with ``masked`` (a redacted copy)
    every picture is re-encoded from its pixels, so no metadata of the stored file is embedded."""

    def __init__(
        self, screen: Screen, max_w: float, max_h: float, masked: Callable[[str], bool] | None = None
    ) -> None:
        super().__init__()
        self.screen = screen
        self.hidden = tuple(w for w in screen.words if masked is not None and masked(w.text))
        self._painted: Image.Image | None = None
        # In a redacted copy every picture is decoded and re-encoded, masked words or not: the stored file's
        # metadata (a photo's GPS position, the phone's name) must not reach the other side.
        if self.hidden or masked is not None:
            data = verified_bytes(screen.store, screen.sha256, "picture")
            self._painted = painted(data, self.hidden, screen.store.relpath_for(screen.sha256))
            self.px_w, self.px_h = self._painted.size
        else:
            self.px_w, self.px_h = screen.width, screen.height
        scale = min(max_w / self.px_w, max_h / self.px_h, 1.0)
        self.draw_w = self.px_w * scale
        self.draw_h = self.px_h * scale
        self._reader: ImageReader | None = None

    def wrap(self, avail_w: float, avail_h: float) -> tuple[float, float]:
        return self.draw_w, self.draw_h

    def reader(self) -> ImageReader:
        """The image reportlab embeds: the JPEG itself, or the pixels (reduced when far too many); a picture
        with masked words always as PNG pixels, blacked out."""
        if self._reader is None:
            s = self.screen
            target_w = round(self.draw_w / 72 * MAX_DPI)
            if self._painted is not None:
                self._reader = _png(self._painted, target_w)
            else:
                data = verified_bytes(s.store, s.sha256, "picture")
                if s.is_jpeg or s.width <= target_w:
                    self._reader = ImageReader(io.BytesIO(data))
                else:
                    with Image.open(io.BytesIO(data)) as im:
                        im.load()
                        mode = "RGBA" if im.mode in ("RGBA", "LA", "P") else "RGB"
                        self._reader = _png(im.convert(mode), target_w)
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
        k = self.draw_w / self.px_w
        text = canv.beginText()
        text.setTextRenderMode(3)
        for w in s.words:
            if w in self.hidden:
                continue
            size = max(1.0, w.height * k)
            natural = stringWidth(w.text, FONT, size)
            text.setFont(FONT, size)
            text.setHorizScale(100.0 * (w.width * k) / natural if natural > 0 else 100.0)
            # The box's bottom is about the descender line; the baseline sits a fifth of the height above.
            text.setTextOrigin(w.left * k, self.draw_h - (w.top + w.height) * k + 0.2 * size)
            text.textOut(w.text)
        canv.drawText(text)


def _png(image: Image.Image, target_w: int) -> ImageReader:
    """``image`` as PNG for reportlab, scaled down to ``target_w`` pixels wide when it is wider."""
    if image.width > target_w:
        target_h = max(1, round(image.height * target_w / image.width))
        image = image.resize((target_w, target_h), Image.Resampling.LANCZOS)
    buf = io.BytesIO()
    image.save(buf, format="PNG")
    buf.seek(0)
    return ImageReader(buf)
