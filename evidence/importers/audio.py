"""Voicemails and other audio recordings: WAV, MP3, M4A/AAC, AMR, Ogg (Opus, Vorbis).

Formats: RIFF/WAVE (Microsoft/IBM), MPEG audio with ID3v2 tags, ISO base media (``ftyp``, Apple M4A), AMR
storage (RFC 4867 section 5, ``#!AMR``), Ogg (RFC 3533). Recognised by content; read with ``mutagen`` (with the
standard library's ``wave`` as a second reader for WAV, and a small frame counter for AMR, which mutagen does
not read). One record per file, located as ``recording``: channel voicemail, app None, text None, direction
unknown, ``duration_s`` the length rounded down to whole seconds.

``raw`` holds ``container``, ``codec``, ``sample_rate``, ``channels``, ``bitrate``, ``duration_ms`` (integers:
floats are not allowed in records) and the text ``tags`` (each value cut to ``MAX_TAG_CHARS``; pictures and other
binary frames are left out).

Time, in order of preference:

1. a creation date in the file: the ID3 recording time (``TDRC``, else ``TDOR``), the MP4 ``©day`` atom, a
   Vorbis comment ``CREATION_TIME``/``DATE``, a WAV ``LIST/INFO ICRD`` or broadcast-WAV ``bext`` origination
   date; only when it gives at least hours and minutes (a bare year or date is kept in ``raw`` but not used).
   ``time_source`` export, the tag named in ``raw["time_tag"]``. A time with an offset (or ``Z``) is exact; one
   without takes the import's zone (``tz_assumed``, DST warnings);
2. the file name, as phones and recorder apps write it (``Voicemail 2026-03-22 at 19.04.wav``,
   ``VM_20260322_190400.m4a``, ``Recording 20260322-190400.m4a``): ``time_source`` filename, wall-clock time in
   the import's zone (``tz_assumed``);
3. neither: no record, only a warning. The importer cannot know when the recording was made, and a record must
   have a time; the file stays in the case as an exhibit.

A damaged or truncated file whose stream cannot be read is warned and still dated (a record without duration).

Known limits: the MP4 ``mvhd`` creation time and QuickTime metadata keys are not read; AMR duration assumes
the 20 ms frames of the storage format; files over ``MAX_BYTES`` are refused.
"""

from __future__ import annotations

import re
import struct
import wave
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, ClassVar, Final

import mutagen
from mutagen import MutagenError

from evidence.errors import InputError
from evidence.importers._wall import localize
from evidence.importers.base import Importer, Skip, Source, Tally, Yielded
from evidence.models import Channel, Direction, ImportOptions, ImportWarning, Record, TimeSource

NAME: Final = "audio"
VERSION: Final = "1.0.0"

MAX_BYTES: Final = 2 * 1024 * 1024 * 1024
MAX_TAG_CHARS: Final = 1000
MAX_TAGS: Final = 200
MAX_RIFF_CHUNKS: Final = 1000
LOCATOR: Final = "recording"

AUDIO_EXTENSIONS: Final = frozenset(
    {".mp3", ".mpga", ".aac", ".m4a", ".m4b", ".3ga", ".amr", ".ogg", ".opus", ".oga"}
)
_M4A_BRANDS: Final = frozenset({b"M4A ", b"M4B ", b"M4P "})
_MP4_BRANDS: Final = frozenset(
    {b"mp42", b"mp41", b"isom", b"iso2", b"3gp4", b"3gp5", b"3gp6", b"3ga4", b"dash"}
)
_AMR_NB: Final = b"#!AMR\n"
_AMR_WB: Final = b"#!AMR-WB\n"
# Speech frame payload sizes in bytes per frame type (RFC 4867 section 5.3; 3GPP TS 26.101 / 26.201); 0: none.
_AMR_NB_SIZES: Final = (12, 13, 15, 17, 19, 20, 26, 31, 5, 0, 0, 0, 0, 0, 0, 0)
_AMR_WB_SIZES: Final = (17, 23, 32, 36, 40, 46, 50, 58, 60, 5, 0, 0, 0, 0, 0, 0)

_NAME_DASHED: Final = re.compile(
    r"(?<!\d)(\d{4})-(\d{2})-(\d{2})(?: at |[ T_])(\d{1,2})[.:_-](\d{2})(?:[.:_-](\d{2}))?(?!\d)"
)
_NAME_COMPACT: Final = re.compile(r"(?<!\d)(\d{4})(\d{2})(\d{2})[_-](\d{2})(\d{2})(\d{2})?(?!\d)")
_TAG_TIME: Final = re.compile(
    r"\s*(\d{4})[-:](\d{2})[-:](\d{2})[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?\s*(Z|UTC|[+-]\d{2}:?\d{2})?\s*"
)


def _is_mpeg_sync(head: bytes) -> bool:
    return len(head) >= 2 and head[0] == 0xFF and head[1] & 0xE0 == 0xE0 and head[1] & 0x06 != 0


def sniff_kind(head: bytes, name: str, media_type: str) -> str | None:
    """The container ``head`` starts with (``wav``, ``mp3``, ``mp4``, ``amr``, ``ogg``, ``aac``), or None."""
    suffix = Path(name).suffix.lower()
    audio_hint = suffix in AUDIO_EXTENSIONS or media_type.startswith("audio/")
    if head[:4] == b"RIFF" and head[8:12] == b"WAVE":
        return "wav"
    if head.startswith((_AMR_NB, _AMR_WB)):
        return "amr"
    if head[:3] == b"ID3":
        return "mp3"
    if head[4:8] == b"ftyp":
        brand = head[8:12]
        if brand in _M4A_BRANDS or (brand in _MP4_BRANDS and audio_hint):
            return "mp4"
        return None
    if head[:4] == b"OggS":
        first_page = head[:512]
        if b"OpusHead" in first_page or b"\x01vorbis" in first_page or b"\x7fFLAC" in first_page:
            return "ogg"
        return None
    if _is_mpeg_sync(head) and audio_hint:
        return "aac" if suffix == ".aac" else "mp3"
    if len(head) >= 2 and head[0] == 0xFF and head[1] & 0xF6 == 0xF0 and audio_hint:
        return "aac"  # ADTS
    return None


def _amr_info(data: bytes) -> tuple[str, int, int, int]:
    """(codec, sample rate, frames, bad frames) of an AMR storage file."""
    wide = data.startswith(_AMR_WB)
    pos = len(_AMR_WB if wide else _AMR_NB)
    sizes = _AMR_WB_SIZES if wide else _AMR_NB_SIZES
    frames = bad = 0
    while pos < len(data):
        frame_type = (data[pos] >> 3) & 0x0F
        size = sizes[frame_type]
        if size == 0 and frame_type not in (14, 15):  # 15 NO_DATA, 14 speech lost: one empty frame
            bad += 1
        pos += 1 + size
        frames += 1
    return ("AMR-WB" if wide else "AMR-NB"), (16000 if wide else 8000), frames, bad


def _riff_dates(data: bytes) -> dict[str, str]:
    """``ICRD`` (LIST/INFO) and ``bext`` origination date and time of a RIFF/WAVE file, when present.

    Also ``cut_off`` when the ``data`` chunk declares more bytes than the file holds.
    """
    found: dict[str, str] = {}
    pos = 12
    count = 0
    while pos + 8 <= len(data) and count < MAX_RIFF_CHUNKS:
        count += 1
        chunk_id = data[pos : pos + 4]
        (size,) = struct.unpack_from("<I", data, pos + 4)
        body = data[pos + 8 : pos + 8 + size]
        if chunk_id == b"LIST" and body[:4] == b"INFO":
            sub = 4
            while sub + 8 <= len(body):
                sub_id = body[sub : sub + 4]
                (sub_size,) = struct.unpack_from("<I", body, sub + 4)
                if sub_id == b"ICRD":
                    found["ICRD"] = body[sub + 8 : sub + 8 + sub_size].split(b"\0", 1)[0].decode("latin-1")
                sub += 8 + sub_size + (sub_size & 1)
        elif chunk_id == b"data" and size > len(body):
            found["cut_off"] = f"the data chunk declares {size} bytes, {len(body)} are present"
        elif chunk_id == b"bext" and len(body) >= 338:
            stamp = body[320:338].decode("latin-1")  # OriginationDate (10) + OriginationTime (8)
            found["bext"] = f"{stamp[:10]} {stamp[10:].replace('-', ':').replace('.', ':')}"
        pos += 8 + size + (size & 1)
    return found


def _tags(audio: Any) -> dict[str, str]:
    """Text tags as strings (binary frames such as pictures left out), bounded."""
    out: dict[str, str] = {}
    tags = getattr(audio, "tags", None)
    if tags is None:
        return out
    try:
        items = list(tags.items())
    except (TypeError, AttributeError, ValueError):
        return out
    for key, value in items[:MAX_TAGS]:
        name = str(key)
        if name.startswith(("APIC", "covr", "GEOB", "PRIV", "metadata_block_picture")):
            continue
        values = value if isinstance(value, list) else getattr(value, "text", [value])
        texts = [v if isinstance(v, str) else str(v) for v in values if not isinstance(v, bytes | bytearray)]
        if texts:
            out[name] = "; ".join(texts)[:MAX_TAG_CHARS]
    return out


class AudioImporter(Importer):
    """Importer for audio recordings (voicemails, call recordings, voice memos)."""

    name: ClassVar[str] = NAME
    version: ClassVar[str] = VERSION
    description: ClassVar[str] = "Voicemail and other audio recordings (WAV, MP3, M4A/AAC, AMR, Ogg)"

    def sniff(self, head: bytes, source: Source) -> bool:
        """Claims audio recognised by its first bytes (MPEG and ADTS frames only with an audio name or type)."""
        return sniff_kind(head, source.name, source.media_type) is not None

    def parse(self, source: Source, options: ImportOptions) -> Iterator[Yielded]:
        """Yield one voicemail record (or, with no recording time to be found, only a warning), then the count
        (one recording)."""
        if source.size > MAX_BYTES:
            raise InputError(f"the file is {source.size} bytes, over the {MAX_BYTES} limit", path=source.name)
        try:
            with open(source.path, "rb") as handle:
                head = handle.read(4096)
        except OSError as exc:
            raise InputError(f"cannot read ({exc.strerror})", path=source.name) from None
        kind = sniff_kind(head, source.name, source.media_type)
        if kind is None:
            raise InputError("not an audio file this importer reads", path=source.name)
        raw: dict[str, Any] = {"container": kind}
        warnings: list[ImportWarning] = []
        length_ms = self._stream(source, kind, raw, warnings)
        tags: dict[str, str] = raw.get("tags", {})
        found = self._tag_time(tags, options, raw, warnings)
        if found is None:
            found = self._name_time(source.name, options, warnings)
        yield from warnings
        acquired = options.acquired_moment()
        if found is None and acquired is not None:
            yield ImportWarning(
                LOCATOR, "no recording time in the file or its name; placed at the time it was imported"
            )
            found = (acquired, TimeSource.ACQUIRED, False)
        if found is None:
            why = "no recording time in the file or its name; kept as an exhibit without a timeline record"
            yield ImportWarning(LOCATOR, why)
            yield Tally("recordings", seen=1, made=0, skipped=(Skip(LOCATOR, why),))
            return
        moment, time_source, assumed = found
        if length_ms is not None:
            raw["duration_ms"] = length_ms
        yield Record(
            item_sha256=source.sha256,
            locator=LOCATOR,
            occurred_at=moment,
            time_source=time_source,
            tz_assumed=assumed,
            channel=Channel.VOICEMAIL,
            direction=Direction.UNKNOWN,
            importer=NAME,
            importer_version=VERSION,
            app=None,
            text=None,
            duration_s=length_ms // 1000 if length_ms is not None else None,
            tz_name=options.tz if assumed else None,
            raw=raw,
        )
        yield Tally("recordings", seen=1, made=1)

    @staticmethod
    def _stream(source: Source, kind: str, raw: dict[str, Any], warnings: list[ImportWarning]) -> int | None:
        """Fill ``raw`` with the stream's properties and tags; return the length in milliseconds."""
        if kind == "amr":
            data = source.path.read_bytes()
            amr_codec, rate, frames, bad = _amr_info(data)
            raw.update({"codec": amr_codec, "sample_rate": rate, "channels": 1, "frames": frames})
            if bad:
                warnings.append(ImportWarning(LOCATOR, f"{bad} AMR frame(s) of an unused frame type"))
            return frames * 20
        if kind == "wav":
            riff = _riff_dates(source.path.read_bytes())
            cut_off = riff.pop("cut_off", None)
            if cut_off is not None:
                warnings.append(
                    ImportWarning(
                        LOCATOR, f"the WAV file is cut off ({cut_off}); the duration is the declared one"
                    )
                )
            raw.update({f"date_{key.lower()}": value for key, value in riff.items()})
        length: float | None = None
        try:
            audio = mutagen.File(source.path)
        except (MutagenError, OSError, struct.error, EOFError, ValueError) as exc:
            audio = None
            warnings.append(
                ImportWarning(
                    LOCATOR, f"the audio stream could not be read ({type(exc).__name__}: {exc}); no duration"
                )
            )
        if audio is not None:
            info = audio.info
            raw["container"] = type(audio).__name__
            codec: Any = getattr(info, "codec", None) or getattr(info, "codec_description", None)
            if codec is None and hasattr(info, "layer"):
                codec = f"MPEG-{info.version} layer {info.layer}".replace(".0 ", " ")
            if codec is None and kind == "wav":
                codec = "PCM" if getattr(info, "bits_per_sample", 0) else None
            raw["codec"] = str(codec) if codec is not None else type(info).__name__
            for field in ("sample_rate", "channels", "bitrate", "bits_per_sample"):
                value = getattr(info, field, None)
                if isinstance(value, int | float) and not isinstance(value, bool):
                    raw[field] = int(value)
            length = getattr(info, "length", None)
            raw["tags"] = _tags(audio)
        elif kind == "wav":
            try:
                with wave.open(str(source.path), "rb") as wav:
                    frames, rate = wav.getnframes(), wav.getframerate()
                    raw.update(
                        {
                            "codec": "PCM",
                            "sample_rate": rate,
                            "channels": wav.getnchannels(),
                            "container": "WAVE",
                        }
                    )
                    length = frames / rate if rate else None
            except (wave.Error, EOFError, OSError, RuntimeError) as exc:  # RuntimeError: chunk past its end
                warnings.append(
                    ImportWarning(
                        LOCATOR,
                        f"the WAV stream could not be read ({type(exc).__name__}: {exc}); no duration",
                    )
                )
        elif not warnings:
            warnings.append(
                ImportWarning(LOCATOR, "the audio stream is not one mutagen recognises; no duration")
            )
        if isinstance(length, int | float) and length >= 0:
            return int(length * 1000)
        return None

    @staticmethod
    def _tag_time(
        tags: dict[str, str], options: ImportOptions, raw: dict[str, Any], warnings: list[ImportWarning]
    ) -> tuple[datetime, TimeSource, bool] | None:
        candidates = [
            (key, tags.get(key)) for key in ("TDRC", "TDOR", "©day", "CREATION_TIME", "creation_time")
        ]
        candidates += [(key, value) for key, value in tags.items() if key.upper() == "DATE"]
        candidates += [("ICRD", raw.get("date_icrd")), ("bext", raw.get("date_bext"))]
        for key, value in candidates:
            if not isinstance(value, str):
                continue
            match = _TAG_TIME.fullmatch(value)
            if match is None:
                continue
            year, month, day, hour, minute, second, zone_text = match.groups()
            wall = (int(year), int(month), int(day), int(hour), int(minute), int(second or 0))
            try:
                datetime(*wall, tzinfo=UTC)  # validates the fields
            except ValueError:
                continue
            raw["time_tag"] = key
            if zone_text:
                iso = f"{year}-{month}-{day}T{hour}:{minute}:{second or '00'}"
                offset = "+00:00" if zone_text in ("Z", "UTC") else zone_text
                if ":" not in offset:
                    offset = f"{offset[:3]}:{offset[3:]}"
                return datetime.fromisoformat(iso + offset), TimeSource.EXPORT, False
            moment, note = localize(wall, options.tz)
            warnings.append(
                ImportWarning(LOCATOR, f"the {key} tag {value!r} has no zone; {options.tz} assumed")
            )
            if note:
                warnings.append(ImportWarning(LOCATOR, note))
            return moment, TimeSource.EXPORT, True
        return None

    @staticmethod
    def _name_time(
        name: str, options: ImportOptions, warnings: list[ImportWarning]
    ) -> tuple[datetime, TimeSource, bool] | None:
        stem = Path(name).stem
        for pattern in (_NAME_DASHED, _NAME_COMPACT):
            for match in pattern.finditer(stem):
                year, month, day, hour, minute, second = match.groups()
                wall = (int(year), int(month), int(day), int(hour), int(minute), int(second or 0))
                try:
                    datetime(*wall, tzinfo=UTC)  # validates the fields
                except ValueError:
                    continue
                moment, note = localize(wall, options.tz)
                if note:
                    warnings.append(ImportWarning(LOCATOR, note))
                return moment, TimeSource.FILENAME, True
        return None
