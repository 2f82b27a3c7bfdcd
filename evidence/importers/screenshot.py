"""Screenshots and other pictures: PNG, JPEG and WebP images, read with Pillow and OCR'd with Tesseract.

**Format.** Recognised by magic bytes (PNG signature and IHDR chunk; JPEG SOI marker; RIFF/WEBP), whatever
the name says. Images smaller than ``MIN_SIDE`` pixels on a side (declared in a PNG header) are not claimed:
they cannot hold a line of text and stay plain files.

**What is yielded.** First a Blob ``ocr-tesseract.json``: canonical-ready JSON with the engine and its
version, the settings (engine, orientation and the layout analysis's settings with its version), the
preparation, the words with boxes (pixels of the original image) and confidences (integers 0-100), the full
text, the mean confidence in thousandths, and ``layout`` (``kind``, ``header``, ``messages`` as
``evidence.ocr.layout.Message.to_json()``). Then one Record located as ``image``: channel ``screenshot``,
direction unknown, ``text`` the OCR's full text (lines joined with newlines; None when nothing was read or no
OCR ran). ``raw`` holds ``format``, ``width``, ``height``, ``mode``, the EXIF fields of ``EXIF_FIELDS`` that
are present (strings and integers only), ``ocr`` (engine, settings, blob SHA-256, word count, mean
confidence) or ``ocr: null``.

**Messages.** Then one Record per message the layout found, located ``image#m01``, ``image#m02``... (zero-
padded: the timeline orders records of one moment by locator, so screen order is kept):

- *chat* bubbles: channel ``chat``; ``sms`` when the file name names an SMS app or, naming no app (``app_of``:
  Android ``..._WhatsApp.png``, MIUI ``..._com.whatsapp.jpg``), the header is a phone number (warned: a guess).
  The header is the other party: incoming -> ``sender``, outgoing -> ``recipients``;
- *call_list* rows: channel ``call``, ``status`` missed / incoming / outgoing (missed is an incoming attempt),
  the row's name or number as the party (``raw.shown_as``), ``raw.count`` the "(3)"; such a row is one record
  and one attempt (warned: the earlier calls' times are not shown, and inventing them would make bursts);
- *email_list* rows and an open *email*: channel ``email``, the shown sender, direction incoming when the
  layout could not tell (a mailbox shows received mail; ``raw.direction_basis`` says so); an open email's
  header is its subject.

``raw`` keeps ``bbox``, ``shown_time`` (as displayed), ``direction_read``, ``confidence_permille``,
``layout_kind``, ``header``, ``sequence`` and ``time_resolution``; ``day_shown`` (the date separator above a
bubble), ``group`` (a group chat's name when the sender is the member named above the bubble), ``media`` and
``duration_shown`` (a voice note, its length also as ``duration_s``; a call row's duration likewise).
**Shown times**, with the separator above them ("Yesterday" and "21:33"), are dated by ``resolve_shown``
against the screenshot's time: in its own EXIF offset when it has one (then not ``tz_assumed``), else in the
import's zone (a clock alone: that day unless after the screenshot, else the day before; ``Yesterday``; a
weekday: the latest such day before; ``14 Mar``: the latest such date not after): ``time_source``
shown-on-screen, seconds 0 (``raw.time_precision`` minute). A message with only a day (``raw.shown_date``)
keeps the screenshot's time and source. A message no screen dates (no time, no separator, or a picture whose
own time is the import's) is marked ``raw.date_unknown``: kept at the screenshot's time for its order only and
left out of the statistics. One warning per picture and kind of guess lists the messages concerned. The
picture's own record says what screen it was (``raw.screen``: the layout's kind).

**Time**, in order of preference:

1. EXIF ``DateTimeOriginal``: with ``OffsetTimeOriginal`` exact; without, a wall-clock time in the import's
   zone (``tz_assumed``, a warning). ``time_source`` exif;
2. the file name, as phones and computers name screenshots (Android ``Screenshot_20260314-213344.png`` and
   ``Screenshot_20260314-213344_Instagram.png``, camera ``IMG_20260314_213344.jpg``, macOS
   ``Screenshot 2026-03-14 at 21.33.44.png`` (also 12-hour with AM/PM), Windows
   ``Screenshot 2026-03-14 213344.png``): wall-clock time in the import's zone, ``time_source`` filename,
   ``tz_assumed``;
3. the time of the import, ``time_source`` acquired, with a warning.

**Hostile input.** Files over ``MAX_BYTES`` and images over ``evidence.ocr.worker.MAX_PIXELS`` (checked from the header before
any pixel is decoded; Pillow's own decompression-bomb limit stays in force and its warning is an error here)
are refused, as are truncated or undecodable images: InputError naming the file.

**Without Tesseract** the image is still imported (one record, no text) with a warning naming the package;
OCR can be run later. A crash or timeout of Tesseract on the image is a warning too, never a lost import.

**Orientation.** The EXIF Orientation is applied before OCR (``ImageOps.exif_transpose``): a photo of a
phone taken sideways is read upright, and the boxes in the blob are pixels of that upright image (its size is
the blob's ``image_size``; the settings say ``"orientation": "exif-transposed"``). The original stays as it was.

**One analysis, run anywhere.** ``evidence.ocr.worker.analyse_image`` (it runs in worker processes) turns a
stored image into an ``OcrOutcome``: the canonical blob plus the summary kept in the record. The import runs it
for many images in parallel before its transaction (``needs_ocr``) and hands each outcome to ``parse_with``;
results already in the case (same image, engine version and settings) are reused, never recomputed
(``evidence.ocr.cache``). ``parse`` called alone runs the analysis itself.

Known limits: see ``evidence.ocr.layout`` for what the layout misreads. A picture first read by
``evidence ocr`` (imported without Tesseract) gets its message records then (``evidence.actions.ocr`` calls
``message_records``); later readings add none, and one with ``--psm`` is a whole-image pass without layout. The screenshot's own record keeps the whole
text (for search), so tactic rules see a message's words twice: in its record and in the picture's. Only the
first frame of an animated image is read.

**Code.** This module reads the picture, its EXIF data and its name's time, and makes the picture's record; the
message records of a screen (shown times, channels, the warnings) are ``importers/_screenshot_messages.py``,
whose names are importable from here too.
"""

from __future__ import annotations

import re
import struct
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, ClassVar, Final

from PIL import Image

from evidence.errors import InputError
from evidence.importers._screenshot_messages import (
    LOCATOR,
    NAME,
    SPACES,
    VERSION,
    Shot,
    app_of,
    layout_messages,
    message_records,
    resolve_shown,
)
from evidence.importers._wall import localize
from evidence.importers.base import Importer, Skip, Source, Tally, Yielded
from evidence.models import Blob, Channel, Direction, ImportOptions, ImportWarning, Record, TimeSource
from evidence.ocr.pool import Failed
from evidence.ocr.tesseract import ENGINE, INSTALL_HINT, TesseractProbe
from evidence.ocr.worker import OcrOutcome, analyse, open_image

# What other code imports from here: the message records of a screen (``evidence.actions.ocr`` makes them for a
# picture read later) and the time readers.
__all__ = [
    "LOCATOR",
    "MISSING_TESSERACT",
    "NAME",
    "VERSION",
    "ScreenshotImporter",
    "Shot",
    "app_of",
    "exif_time",
    "image_kind",
    "layout_messages",
    "message_records",
    "name_time",
    "resolve_shown",
]

OCR_LOCATOR: Final = "ocr"
OCR_BLOB_NAME: Final = f"ocr-{ENGINE}.json"

MAX_BYTES: Final = 200 * 1024 * 1024
MIN_SIDE: Final = 16
MAX_EXIF_CHARS: Final = 200
MISSING_TESSERACT: Final = f"tesseract is not installed ({INSTALL_HINT}); the image is stored without OCR"

_EXIF_IFD: Final = 0x8769
# (IFD, tag, name): the fields kept in raw; 0 is the main IFD.
EXIF_FIELDS: Final = (
    (0, 271, "Make"),
    (0, 272, "Model"),
    (0, 274, "Orientation"),
    (0, 305, "Software"),
    (0, 306, "DateTime"),
    (_EXIF_IFD, 36867, "DateTimeOriginal"),
    (_EXIF_IFD, 36868, "DateTimeDigitized"),
    (_EXIF_IFD, 36880, "OffsetTime"),
    (_EXIF_IFD, 36881, "OffsetTimeOriginal"),
    (_EXIF_IFD, 36882, "OffsetTimeDigitized"),
    (_EXIF_IFD, 40962, "PixelXDimension"),
    (_EXIF_IFD, 40963, "PixelYDimension"),
)
_EXIF_TIME: Final = re.compile(r"\s*(\d{4}):(\d{2}):(\d{2})[ T](\d{2}):(\d{2}):(\d{2})\s*")
_EXIF_OFFSET: Final = re.compile(r"\s*([+-])(\d{2}):(\d{2})\s*")
# 2026-03-14 at 21.33.44 (macOS, optional AM/PM), 2026-03-14 213344 (Windows), 2026-03-14-21-33-44 (MIUI)
_NAME_DASHED: Final = re.compile(
    r"(?<!\d)(\d{4})-(\d{2})-(\d{2})(?: at |[ T_-])(\d{1,2})[.:_-]?(\d{2})[.:_-]?(\d{2})(?!\d)"
    r"(?:\s?([AaPp][Mm])\b)?"
)
# 20260314-213344 (Android), 20260314_213344 (camera IMG_)
_NAME_COMPACT: Final = re.compile(r"(?<!\d)(\d{4})(\d{2})(\d{2})[_-](\d{2})(\d{2})(\d{2})(?!\d)")


def image_kind(head: bytes) -> str | None:
    """``png``, ``jpeg`` or ``webp`` judged from the first bytes, or None."""
    if head.startswith(b"\x89PNG\r\n\x1a\n") and head[12:16] == b"IHDR":
        return "png"
    if head[:3] == b"\xff\xd8\xff":
        return "jpeg"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "webp"
    return None


def _png_too_small(head: bytes) -> bool:
    if len(head) < 24:
        return True
    width, height = struct.unpack(">II", head[16:24])
    return bool(width < MIN_SIDE or height < MIN_SIDE)


def _exif_fields(image: Image.Image) -> dict[str, str | int]:
    """The EXIF fields of ``EXIF_FIELDS`` present in the image, as strings or integers."""
    found: dict[str, str | int] = {}
    exif = image.getexif()
    sub = exif.get_ifd(_EXIF_IFD)
    for ifd, tag, name in EXIF_FIELDS:
        value = (exif if ifd == 0 else sub).get(tag)
        if isinstance(value, bytes):
            value = value.decode("ascii", "replace")
        if isinstance(value, str):
            text = value.replace("\x00", "").strip()
            if text:
                found[name] = text[:MAX_EXIF_CHARS]
        elif isinstance(value, int) and not isinstance(value, bool):
            found[name] = value
    return found


def _wall(groups: tuple[str, ...]) -> tuple[int, int, int, int, int, int] | None:
    year, month, day, hour, minute, second = (int(g) for g in groups[:6])
    try:
        datetime(year, month, day, hour, minute, second, tzinfo=UTC)  # validates the fields
    except ValueError:
        return None
    return (year, month, day, hour, minute, second)


def exif_time(
    exif: dict[str, str | int], options: ImportOptions, warnings_out: list[ImportWarning]
) -> tuple[datetime, TimeSource, bool] | None:
    """The EXIF DateTimeOriginal, exact with OffsetTimeOriginal, else in the import's zone."""
    original = exif.get("DateTimeOriginal")
    match = _EXIF_TIME.fullmatch(original) if isinstance(original, str) else None
    wall = _wall(match.groups()) if match else None
    if wall is None:
        if original is not None:
            warnings_out.append(ImportWarning(LOCATOR, f"EXIF DateTimeOriginal {original!r} is not a time"))
        return None
    offset = exif.get("OffsetTimeOriginal")
    offset_match = _EXIF_OFFSET.fullmatch(offset) if isinstance(offset, str) else None
    # Real offsets run from -12:00 to +14:00; anything else ("+99:99") is garbage, not an offset.
    if offset_match and int(offset_match.group(3)) < 60 and int(offset_match.group(2)) <= 14:
        sign, hours, minutes = offset_match.groups()
        iso = "{:04d}-{:02d}-{:02d}T{:02d}:{:02d}:{:02d}".format(*wall)
        return datetime.fromisoformat(f"{iso}{sign}{hours}:{minutes}"), TimeSource.EXIF, False
    moment, note = localize(wall, options.tz)
    missing = "has no offset" if offset is None else f"has an offset that is none ({offset!r})"
    warnings_out.append(
        ImportWarning(LOCATOR, f"EXIF DateTimeOriginal {original!r} {missing}; {options.tz} assumed")
    )
    if note:
        warnings_out.append(ImportWarning(LOCATOR, note))
    return moment, TimeSource.EXIF, True


def name_time(
    name: str, options: ImportOptions, warnings_out: list[ImportWarning]
) -> tuple[datetime, TimeSource, bool] | None:
    """The time in a screenshot's file name, in the import's zone."""
    stem = Path(name).stem.translate(SPACES)
    for pattern in (_NAME_COMPACT, _NAME_DASHED):
        for match in pattern.finditer(stem):
            groups = match.groups()
            fields = list(groups[:6])
            marker = groups[6] if len(groups) > 6 else None
            if marker is not None:
                hour = int(fields[3])
                if not 1 <= hour <= 12:
                    continue
                fields[3] = str(hour % 12 + (12 if marker.lower() == "pm" else 0))
            wall = _wall(tuple(fields))
            if wall is None:
                continue
            moment, note = localize(wall, options.tz)
            if note:
                warnings_out.append(ImportWarning(LOCATOR, note))
            return moment, TimeSource.FILENAME, True
    return None


class ScreenshotImporter(Importer):
    """Importer for screenshots and pictures (PNG, JPEG, WebP), with OCR."""

    name: ClassVar[str] = NAME
    version: ClassVar[str] = VERSION
    description: ClassVar[str] = "Screenshots and pictures (PNG, JPEG, WebP), text read by Tesseract OCR"
    needs_ocr: ClassVar[bool] = True

    def sniff(self, head: bytes, source: Source) -> bool:
        """Claims PNG, JPEG and WebP by their magic bytes (PNGs declaring a tiny size are left alone)."""
        kind = image_kind(head)
        if kind == "png":
            return not _png_too_small(head)
        return kind is not None

    def parse_with(
        self, source: Source, options: ImportOptions, ocr: OcrOutcome | Failed | None
    ) -> Iterator[Yielded]:
        """``parse`` with the OCR analysis the import already ran for this picture."""
        return self.parse(source, options, ocr=ocr)

    def parse(
        self, source: Source, options: ImportOptions, *, ocr: OcrOutcome | Failed | None = None
    ) -> Iterator[Yielded]:
        """Yield the OCR blob (when OCR ran), warnings and one screenshot record.

        ``ocr`` is the analysis already run for this image (in a worker process, or found in the case); without
        it, OCR runs here when tesseract is installed.
        """
        if source.size > MAX_BYTES:
            raise InputError(f"the file is {source.size} bytes, over the {MAX_BYTES} limit", path=source.name)
        image = open_image(source.path, source.name)
        found_warnings: list[ImportWarning] = []
        try:
            exif = _exif_fields(image)
            raw: dict[str, Any] = {
                "format": image.format,
                "width": image.width,
                "height": image.height,
                "mode": image.mode,
                "exif": exif,
                "ocr": None,
            }
            text: str | None = None
            blob: Blob | None = None
            if ocr is None:
                probe = TesseractProbe()
                if not probe.installed():
                    found_warnings.append(ImportWarning(LOCATOR, MISSING_TESSERACT))
                else:
                    ocr = analyse(source.sha256, image, source.name, probe)
            if isinstance(ocr, Failed):
                found_warnings.append(
                    ImportWarning(LOCATOR, f"OCR failed ({ocr.message}); the image is stored without OCR")
                )
            elif ocr is not None:
                blob = Blob(
                    data=ocr.blob, name=OCR_BLOB_NAME, media_type="application/json", locator=OCR_LOCATOR
                )
                text = ocr.text
                raw["ocr"] = ocr.raw()
                # How many message records the layout made of this picture: the tactic rules then read those
                # (each with its own direction) and not this record's whole-screen text a second time.
                raw["layout_messages"] = len(layout_messages(ocr.layout))
                # What kind of screen it was (a chat, a call history, a conversation list...): a screen that is
                # no conversation keeps this one record and makes no message records.
                raw["screen"] = str((ocr.layout or {}).get("kind") or "unknown")
        finally:
            image.close()
        found = exif_time(exif, options, found_warnings) or name_time(source.name, options, found_warnings)
        acquired = options.acquired_moment()
        if found is None and acquired is not None:
            found_warnings.append(
                ImportWarning(
                    LOCATOR, "no time in the EXIF data or the file name; placed at the time of import"
                )
            )
            found = (acquired, TimeSource.ACQUIRED, False)
        if blob is not None:
            yield blob
        yield from found_warnings
        if found is None:
            why = "no time in the EXIF data or the file name; no timeline record"
            yield ImportWarning(LOCATOR, why)
            yield Tally("pictures", seen=1, made=0, skipped=(Skip(LOCATOR, why),))
            return
        moment, time_source, assumed = found
        shot = Shot(moment, time_source, assumed, options.tz if assumed else None)
        yield Record(
            item_sha256=source.sha256,
            locator=LOCATOR,
            occurred_at=moment,
            time_source=time_source,
            tz_assumed=assumed,
            channel=Channel.SCREENSHOT,
            direction=Direction.UNKNOWN,
            importer=NAME,
            importer_version=VERSION,
            text=text,
            tz_name=options.tz if assumed else None,
            raw=raw,
        )
        if isinstance(ocr, OcrOutcome) and ocr.layout is not None:
            yield from message_records(source, options, shot, ocr.layout)
        # The picture is the unit; its message bubbles are records beyond it.
        yield Tally("pictures", seen=1, made=1)
