"""The OCR analysis of one picture, as the case runs it in worker processes: decode, turn upright, read.

``analyse_image`` is a plain module-level function (it runs in ``evidence.ocr.pool`` workers); it turns a stored
image into an ``OcrOutcome``: the canonical blob (image hash and size, engine, version, settings, every word's
box, the layout's messages) and the summary a record keeps. ``OcrOutcome.from_blob`` reads a stored result back
(the case is the cache, ``evidence.ocr.cache``). The screenshot importer and ``evidence.actions.ocr`` use it;
it knows nothing of the case.

Hostile pictures: images over ``MAX_PIXELS`` (checked from the header before decoding), decompression bombs and
undecodable files are refused with one line (``open_image``).
"""

from __future__ import annotations

import hashlib
import io
import struct
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

from PIL import Image, ImageOps, UnidentifiedImageError

from evidence.case.canonical import canonical_bytes, parse_canonical
from evidence.errors import DependencyError, InputError
from evidence.ocr import layout as screen_layout
from evidence.ocr.pool import Failed, Job
from evidence.ocr.preprocess import PreprocessSettings, prepare
from evidence.ocr.tesseract import (
    DEFAULT_TIMEOUT_S,
    ENGINE,
    OcrResult,
    Settings,
    TesseractFailed,
    TesseractProbe,
    recognise,
)

MAX_PIXELS: Final = 64_000_000  # 8000 x 8000; a phone screenshot is about 2.6 million
OCR_TIMEOUT_S: int = DEFAULT_TIMEOUT_S
OCR_SETTINGS: Final = Settings(psm=3, lang="eng")  # the whole-image pass (``evidence ocr --psm``)
LAYOUT_SETTINGS: Final = screen_layout.OCR_SETTINGS  # the engine settings inside the layout analysis
PREPROCESS: Final = PreprocessSettings()
ORIENTATION: Final = "exif-transposed"


def open_image(source: Path | bytes, name: str) -> Image.Image:
    """The decoded first frame of the file at ``source`` or of the image ``source`` holds (a stored picture read
    from the case into memory); InputError for a bomb, a truncated or an undecodable file."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(source) if isinstance(source, bytes) else source)
            width, height = image.size
            if width * height > MAX_PIXELS:
                image.close()
                raise InputError(
                    f"the image declares {width}x{height} pixels, over the {MAX_PIXELS} limit"
                    " (a decompression bomb?)",
                    path=name,
                )
            image.load()
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise InputError(f"refused as a decompression bomb ({exc})", path=name) from None
    except UnidentifiedImageError:
        raise InputError("not an image Pillow can decode", path=name) from None
    except (OSError, SyntaxError, ValueError, EOFError, struct.error) as exc:
        raise InputError(f"the image is truncated or damaged ({exc})", path=name) from None
    return image


def ocr_settings(settings: Settings = OCR_SETTINGS, *, layout: bool = False) -> dict[str, Any]:
    """The engine settings as recorded (blob, record, ledger, cache key): page segmentation, language and how
    the image was oriented (boxes refer to the oriented image); with ``layout``, the layout analysis's own
    settings and version too (a new layout version is a new cache key)."""
    if layout:
        return {**LAYOUT_SETTINGS.to_json(), "orientation": ORIENTATION, "layout": layout_settings()}
    return {**settings.to_json(), "orientation": ORIENTATION}


def layout_settings() -> dict[str, Any]:
    """The layout analysis's settings as recorded (its version included; the engine version is kept apart)."""
    return screen_layout.layout_settings()


def preprocess_json(*, layout: bool) -> dict[str, Any]:
    """How the image was prepared: the layout flattens and scales each region itself (its settings say how)."""
    if layout:
        return {"method": "layout-regions", "layout_version": screen_layout.LAYOUT_VERSION}
    return PREPROCESS.to_json()


def upright(image: Image.Image) -> Image.Image:
    """The image turned as its EXIF Orientation says (the same image when there is none)."""
    turned = ImageOps.exif_transpose(image)
    return image if turned is None else turned


def run_ocr(
    image: Image.Image, name: str, probe: TesseractProbe, settings: Settings = OCR_SETTINGS
) -> OcrResult:
    """Prepare ``image`` (already upright) and OCR it; boxes are in ``image``'s pixels."""
    prepared = prepare(image, PREPROCESS)
    page = io.BytesIO()  # in memory: tesseract reads it on stdin (nothing decrypted is written to disk)
    prepared.image.save(page, "PNG")
    result = recognise(page.getvalue(), settings, probe=probe, timeout_s=OCR_TIMEOUT_S, name=name)
    return result.scaled_down(prepared.scale)


@dataclass(frozen=True)
class OcrOutcome:
    """What the analysis of one image produced: the canonical blob, and the summary a record keeps."""

    blob: bytes  # canonical JSON: image hash and size, engine, version, settings, words with boxes, text
    summary: dict[str, Any]  # engine, engine_version, settings, preprocess, words, mean_confidence_permille
    text: str | None
    layout: dict[str, Any] | None = None  # kind, header, messages (Message.to_json()); None: whole-image OCR

    @property
    def blob_sha256(self) -> str:
        """The blob's SHA-256 (its name in the store)."""
        return hashlib.sha256(self.blob).hexdigest()

    def raw(self) -> dict[str, Any]:
        """The summary with the blob's hash: a record's ``raw["ocr"]``."""
        return {**self.summary, "blob_sha256": self.blob_sha256}

    @classmethod
    def from_blob(cls, data: bytes) -> OcrOutcome:
        """The outcome a stored blob holds (an OCR result already in the case, reused)."""
        document = parse_canonical(data)
        layout = document.get("layout")
        return cls(
            blob=data,
            summary=_summary(document),
            text=document.get("text") or None,
            layout=layout if isinstance(layout, dict) else None,
        )


def _summary(document: dict[str, Any]) -> dict[str, Any]:
    return {
        "engine": document["engine"],
        "engine_version": document["engine_version"],
        "settings": document["settings"],
        "preprocess": document["preprocess"],
        "words": len(document["words"]),
        "mean_confidence_permille": document["mean_confidence_permille"],
    }


def outcome_of(image_sha256: str, image: Image.Image, result: OcrResult) -> OcrOutcome:
    """The blob and summary of an OCR result on ``image`` (upright)."""
    document = {
        "image_sha256": image_sha256,
        "image_size": [image.width, image.height],
        "preprocess": PREPROCESS.to_json(),
        **result.to_json(),
        "settings": ocr_settings(result.settings),
    }
    return OcrOutcome(blob=canonical_bytes(document), summary=_summary(document), text=result.text or None)


def layout_outcome(image_sha256: str, image: Image.Image, found: screen_layout.Layout) -> OcrOutcome:
    """The blob and summary of a layout analysis of ``image`` (upright): the keys of a whole-image result
    (words in the image's pixels) plus ``layout`` (kind, header, messages)."""
    settings = {key: value for key, value in found.settings.items() if key != "engine_version"}
    words = [w.to_json() for w in found.words]
    mean = sum(w.conf for w in found.words) * 10 // len(found.words) if found.words else None
    layout = {
        "kind": found.kind,
        "header": found.header,
        "messages": [m.to_json() for m in found.messages],
    }
    document = {
        "image_sha256": image_sha256,
        "image_size": [image.width, image.height],
        "preprocess": preprocess_json(layout=True),
        "engine": ENGINE,
        "engine_version": str(found.settings.get("engine_version", "")),
        "settings": {**LAYOUT_SETTINGS.to_json(), "orientation": ORIENTATION, "layout": settings},
        "text": found.text,
        "mean_confidence_permille": mean,
        "words": words,
        "layout": layout,
    }
    return OcrOutcome(
        blob=canonical_bytes(document), summary=_summary(document), text=found.text or None, layout=layout
    )


def analyse_image(job: Job) -> OcrOutcome | Failed:
    """OCR one image (turned upright first): the analysis the case runs, in worker processes. The image is the
    job's bytes (a picture of the case, read into memory by the parent) or the file at its path (an import's
    original, outside the case); the analysis writes nothing to disk.

    With ``job.layout`` (the default) the screen's layout is read (``evidence.ocr.layout``: bubbles, rows,
    header, each region recognised); without, one whole-image pass with the job's page segmentation.

    A failure of the engine, or an image that cannot be decoded, comes back as ``Failed`` (the importer reports
    the undecodable image itself, as an InputError).
    """
    try:
        image = open_image(job.data if job.data is not None else Path(job.path or ""), job.name)
    except InputError as exc:
        return Failed(exc.message)
    try:
        settings = None if job.layout else Settings(psm=job.psm, lang=job.lang)
        return analyse(job.image_sha256, image, job.name, TesseractProbe(), settings)
    finally:
        image.close()


def analyse(
    image_sha256: str, image: Image.Image, name: str, probe: TesseractProbe, settings: Settings | None = None
) -> OcrOutcome | Failed:
    """The analysis of an opened image (turned upright here): the screen's layout, or with ``settings`` one
    whole-image pass; an engine failure comes back as ``Failed``."""
    try:
        turned = upright(image)
        if settings is None:
            found = screen_layout.analyse(turned, probe=probe, name=name, timeout_s=OCR_TIMEOUT_S)
            return layout_outcome(image_sha256, turned, found)
        result = run_ocr(turned, name, probe, settings)
        return outcome_of(image_sha256, turned, result)
    except (TesseractFailed, DependencyError) as exc:
        return Failed(exc.message)
