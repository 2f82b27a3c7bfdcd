"""The OCR cache key: which image, read by which engine (and its version), with which settings.

The cache is the case itself. An OCR result is a derived blob named by a signed ledger entry (the
``records.derived`` of an import, or an ``ocr.derived`` from ``evidence ocr``); the index keeps one row per
result under its key (``evidence.case.index``, table ``ocr_results``), rebuilt from the ledger like every other
projection. Nothing outside the signed ledger and the content-addressed store is ever read back as OCR text,
so there is no cache file to edit.

The key is SHA-256 over a domain tag and the canonical JSON of ``{image_sha256, engine, engine_version,
settings}``, where ``settings`` is everything that changes the result: the engine's settings (page
segmentation, language, orientation handling) and the image preparation. Canonical JSON sorts keys, so two
equal settings give one key whatever order they were written in.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator, Mapping
from typing import Any, Final

from evidence.case.canonical import canonical_bytes

KEY_TAG: Final = b"evidence/ocr-cache-key/v1\x00"


def cache_key(image_sha256: str, engine: str, engine_version: str, settings: Mapping[str, Any]) -> str:
    """The hex SHA-256 naming one OCR result: image, engine, engine version and (canonical) settings."""
    document = {
        "image_sha256": image_sha256,
        "engine": engine,
        "engine_version": engine_version,
        "settings": dict(settings),
    }
    return hashlib.sha256(KEY_TAG + canonical_bytes(document)).hexdigest()


def key_settings(summary: Mapping[str, Any]) -> dict[str, Any]:
    """The settings part of the key, from an OCR summary (a record's ``raw["ocr"]`` or an ``ocr.derived``
    body): the engine settings and the preparation. A result recorded before a setting existed (orientation)
    keys differently from one made with it, as it should: it was made without it."""
    return {"ocr": summary.get("settings"), "preprocess": summary.get("preprocess")}


def summary_key(image_sha256: str, summary: Mapping[str, Any]) -> str:
    """The cache key of a recorded OCR summary (``engine``, ``engine_version``, ``settings``, ``preprocess``)."""
    return cache_key(
        image_sha256, str(summary["engine"]), str(summary["engine_version"]), key_settings(summary)
    )


def word_boxes(blob: Mapping[str, Any]) -> Iterator[tuple[str, int, int, int, int]]:
    """The words of a stored OCR result blob (``{"words": [{"text", "bbox": [x0, y0, x1, y1]}]}``, written by
    ``evidence.importers.screenshot``) as ``(text, x0, y0, x1, y1)``: stripped, non-empty text with an integer
    box of some size; anything else in the blob is passed over. The one reader of the format, for the report
    (which draws the words) and ``evidence stats`` (which reads a screen's header) alike."""
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
            yield text.strip(), x0, y0, x1, y1
