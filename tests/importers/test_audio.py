"""Audio recordings: WAV, MP3 and AMR built here byte for byte, file-name and tag times, damage, a case import.

No encoder (ffmpeg, sox, lame) is installed, so M4A/AAC and Ogg files are only sniffed from hand-built heads.
"""

from __future__ import annotations

import hashlib
import io
import struct
import subprocess
import sys
import wave
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from mutagen import id3

from evidence.api import Case
from evidence.errors import InputError
from evidence.importers import find_importer
from evidence.importers.audio import AudioImporter, sniff_kind
from evidence.importers.base import SNIFF_BYTES, Source, Yielded
from evidence.models import Channel, Direction, ImportOptions, ImportWarning, Record, TimeSource
from evidence.verify.case import verify_case
from tests.conftest import ROOT
from tests.importers.helpers import tally_of

NO_TIME = "no recording time in the file or its name; kept as an exhibit without a timeline record"


def _source(path: Path, media_type: str = "application/octet-stream") -> Source:
    data = path.read_bytes()
    return Source(path, path.name, hashlib.sha256(data).hexdigest(), len(data), media_type)


def _parse(path: Path, tz: str = "Europe/London") -> tuple[list[Record], list[ImportWarning]]:
    items: list[Yielded] = list(AudioImporter().parse(_source(path), ImportOptions(tz=tz)))
    records = [i for i in items if isinstance(i, Record)]
    warnings = [i for i in items if isinstance(i, ImportWarning)]
    assert len(records) + len(warnings) + 1 == len(items)
    assert tally_of(items).made == len(records)  # every unit seen is read or skipped
    return records, warnings


def _wav(frames: int = 8000 * 3 + 4000, rate: int = 8000, extra_chunks: bytes = b"") -> bytes:
    buf = io.BytesIO()
    with wave.open(buf, "wb") as wav:
        wav.setnchannels(1)
        wav.setsampwidth(2)
        wav.setframerate(rate)
        wav.writeframes(bytes(range(256)) * (frames * 2 // 256) + b"\0" * (frames * 2 % 256))
    data = buf.getvalue()
    if not extra_chunks:
        return data
    body = data[12:] + extra_chunks
    return b"RIFF" + struct.pack("<I", 4 + len(body)) + b"WAVE" + body


def _info_chunk(created: str) -> bytes:
    value = created.encode("ascii") + b"\0"
    if len(value) % 2:
        value += b"\0"
    sub = b"ICRD" + struct.pack("<I", len(value)) + value
    return b"LIST" + struct.pack("<I", 4 + len(sub)) + b"INFO" + sub


def _mp3(frames: int = 40) -> bytes:
    """MPEG-1 Layer III, 128 kbit/s, 44.1 kHz, no padding: 417-byte frames of silence (26.12 ms each)."""
    return (b"\xff\xfb\x90\x64" + b"\0" * 413) * frames


def _amr(frames: int, wide: bool = False) -> bytes:
    if wide:
        return b"#!AMR-WB\n" + (bytes([8 << 3 | 4]) + b"\0" * 60) * frames
    return b"#!AMR\n" + (bytes([7 << 3 | 4]) + b"\0" * 31) * frames


@pytest.fixture
def generated(tmp_path: Path) -> dict[str, Path]:
    """Every audio file the table test reads, built deterministically."""
    files: dict[str, bytes] = {
        "Voicemail 2026-03-22 at 19.04.wav": _wav(),
        "VM_20260322_190400.wav": _wav(rate=16000),
        "Recording 20260322-190400.amr": _amr(250),
        "VM_20260322_190400.awb": _amr(100, wide=True),
        "call.wav": _wav(extra_chunks=_info_chunk("2026-03-22 19:04:30")),
        "memo.mp3": _mp3(),
        "untimed.wav": _wav(),
    }
    out: dict[str, Path] = {}
    for name, data in files.items():
        path = tmp_path / name
        path.write_bytes(data)
        out[name] = path
    frames: Any = id3  # mutagen's frame classes are untyped
    tags = frames.ID3()
    tags.add(frames.TDRC(encoding=3, text="2026-03-21T08:15:00"))
    tags.add(frames.TIT2(encoding=3, text="Left message"))
    tags.save(out["memo.mp3"])
    return out


# name: (utc time or None for no record, time source, duration_s, codec, sample rate)
TABLE: dict[str, tuple[str | None, TimeSource | None, int | None, str, int]] = {
    "Voicemail 2026-03-22 at 19.04.wav": ("2026-03-22T19:04:00", TimeSource.FILENAME, 3, "PCM", 8000),
    "VM_20260322_190400.wav": ("2026-03-22T19:04:00", TimeSource.FILENAME, 1, "PCM", 16000),
    "Recording 20260322-190400.amr": ("2026-03-22T19:04:00", TimeSource.FILENAME, 5, "AMR-NB", 8000),
    "VM_20260322_190400.awb": ("2026-03-22T19:04:00", TimeSource.FILENAME, 2, "AMR-WB", 16000),
    "call.wav": ("2026-03-22T19:04:30", TimeSource.EXPORT, 3, "PCM", 8000),
    "memo.mp3": ("2026-03-21T08:15:00", TimeSource.EXPORT, 1, "MPEG-1 layer 3", 44100),
    "untimed.wav": (None, None, None, "PCM", 8000),
}


def test_table_covers_every_generated_file(generated: dict[str, Path]) -> None:
    assert sorted(generated) == sorted(TABLE)


@pytest.mark.parametrize("name", sorted(TABLE))
def test_generated_file(generated: dict[str, Path], name: str) -> None:
    path = generated[name]
    utc, time_source, duration, codec, rate = TABLE[name]
    head = path.read_bytes()[:SNIFF_BYTES]
    claimed = find_importer(head, _source(path, "audio/x-wav" if name.endswith(".wav") else "audio/mpeg"))
    assert claimed is not None and claimed.name == "audio"
    records, warnings = _parse(path)
    if utc is None:
        assert records == []
        assert [w.message for w in warnings] == [NO_TIME]
        return
    (record,) = records
    assert record.occurred_at.astimezone(UTC).replace(tzinfo=None).isoformat() == utc
    assert record.time_source is time_source
    assert record.tz_assumed is True and record.tz_name == "Europe/London"
    assert record.channel is Channel.VOICEMAIL and record.app is None and record.text is None
    assert record.direction is Direction.UNKNOWN
    assert record.duration_s == duration
    assert record.raw["codec"] == codec
    assert record.raw["sample_rate"] == rate
    assert record.raw["duration_ms"] // 1000 == duration
    assert all(not isinstance(v, float) for v in record.raw.values())


def test_wav_raw_fields_and_tag_name(generated: dict[str, Path]) -> None:
    (record,), warnings = _parse(generated["call.wav"])
    assert record.raw["container"] == "WAVE"
    assert record.raw["channels"] == 1 and record.raw["bits_per_sample"] == 16
    assert record.raw["duration_ms"] == 3500
    assert record.raw["time_tag"] == "ICRD"
    assert record.raw["date_icrd"] == "2026-03-22 19:04:30"
    assert [w.message for w in warnings] == [
        "the ICRD tag '2026-03-22 19:04:30' has no zone; Europe/London assumed"
    ]


def test_mp3_tags(generated: dict[str, Path]) -> None:
    (record,), _ = _parse(generated["memo.mp3"])
    assert record.raw["tags"]["TIT2"] == "Left message"
    assert record.raw["time_tag"] == "TDRC"
    assert record.raw["bitrate"] == 128000
    assert record.occurred_at.isoformat() == "2026-03-21T08:15:00+00:00"


def test_tag_with_offset_is_exact(tmp_path: Path) -> None:
    path = tmp_path / "y.wav"
    path.write_bytes(_wav(extra_chunks=_info_chunk("2026-07-01T10:00:00+02:00")))
    (record,), warnings = _parse(path)
    assert record.tz_assumed is False and record.tz_name is None
    assert record.time_source is TimeSource.EXPORT
    assert record.occurred_at == datetime(2026, 7, 1, 8, 0, tzinfo=UTC)
    assert warnings == []


def test_date_only_tag_is_not_a_time(tmp_path: Path) -> None:
    path = tmp_path / "Voicemail 2026-01-05 at 07.30.wav"
    path.write_bytes(_wav(extra_chunks=_info_chunk("2026-01-04")))
    (record,), _ = _parse(path)
    assert record.time_source is TimeSource.FILENAME
    assert record.occurred_at.isoformat() == "2026-01-05T07:30:00+00:00"


def test_file_name_in_the_fall_back_hour_is_warned(tmp_path: Path) -> None:
    path = tmp_path / "Recording 20261025-013000.wav"
    path.write_bytes(_wav())
    (record,), warnings = _parse(path)
    assert (
        record.occurred_at.utcoffset() is not None
        and record.occurred_at.isoformat() == "2026-10-25T01:30:00+01:00"
    )
    assert any("happened twice" in w.message for w in warnings)


def test_impossible_file_name_date_is_ignored(tmp_path: Path) -> None:
    path = tmp_path / "VM_20261332_250000.wav"
    path.write_bytes(_wav())
    records, warnings = _parse(path)
    assert records == [] and [w.message for w in warnings] == [NO_TIME]


def test_truncated_wav_is_warned(tmp_path: Path) -> None:
    path = tmp_path / "VM_20260322_190400.wav"
    path.write_bytes(_wav()[:100])
    (record,), warnings = _parse(path)
    assert any("cut off" in w.message for w in warnings)
    assert record.time_source is TimeSource.FILENAME


def test_wav_header_only_is_warned_not_a_crash(tmp_path: Path) -> None:
    path = tmp_path / "VM_20260322_190400.wav"
    path.write_bytes(_wav()[:20])
    (record,), warnings = _parse(path)
    assert record.duration_s is None
    assert any("could not be read" in w.message for w in warnings)


def test_truncated_mp3_keeps_a_record(tmp_path: Path) -> None:
    path = tmp_path / "VM_20260322_190400.mp3"
    path.write_bytes(_mp3()[:300])
    (record,), _ = _parse(path)
    assert record.time_source is TimeSource.FILENAME
    assert record.duration_s in (0, None)


def test_amr_bad_frame_types_are_warned(tmp_path: Path) -> None:
    path = tmp_path / "VM_20260322_190400.amr"
    path.write_bytes(b"#!AMR\n" + bytes([10 << 3]) * 5)
    (record,), warnings = _parse(path)
    assert record.duration_s == 0 and record.raw["frames"] == 5
    assert [w.message for w in warnings] == ["5 AMR frame(s) of an unused frame type"]


@pytest.mark.parametrize(
    ("head", "name", "media_type", "kind"),
    [
        (b"RIFF\0\0\0\0WAVEfmt ", "a.bin", "application/octet-stream", "wav"),
        (b"ID3\x04\0\0\0\0\0\0", "a.bin", "application/octet-stream", "mp3"),
        (b"\xff\xfb\x90\x64", "a.mp3", "application/octet-stream", "mp3"),
        (b"\xff\xfb\x90\x64", "a.bin", "application/octet-stream", None),
        (b"\xff\xf1\x50\x80", "a.aac", "audio/aac", "aac"),
        (b"\0\0\0\x20ftypM4A \0\0\0\0", "a.bin", "application/octet-stream", "mp4"),
        (b"\0\0\0\x20ftypmp42\0\0\0\0", "a.m4a", "application/octet-stream", "mp4"),
        (b"\0\0\0\x20ftypmp42\0\0\0\0", "clip.mp4", "video/mp4", None),
        (b"#!AMR\n\x3c", "a.bin", "application/octet-stream", "amr"),
        (b"OggS\0\x02" + b"\0" * 22 + b"OpusHead", "a.bin", "application/octet-stream", "ogg"),
        (b"OggS\0\x02" + b"\0" * 22 + b"\x80theora", "a.ogv", "video/ogg", None),
        (b"<html>", "a.wav", "audio/x-wav", None),
    ],
)
def test_sniff(head: bytes, name: str, media_type: str, kind: str | None) -> None:
    assert sniff_kind(head, name, media_type) == kind


def test_parse_refuses_what_it_does_not_sniff(tmp_path: Path) -> None:
    path = tmp_path / "notes.wav"
    path.write_text("not audio", encoding="utf-8")
    with pytest.raises(InputError, match="not an audio file"):
        _parse(path)


def test_sample_case_voicemail(tmp_path: Path, case: Case) -> None:
    out = tmp_path / "samples"
    done = subprocess.run(
        [sys.executable, str(ROOT / "samples" / "make_samples.py"), str(out)],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    (voicemail,) = out.rglob("Voicemail 2026-03-22 at 19.04.wav")
    result = case.import_files([voicemail])
    assert [item.importer for item in result.items] == ["audio"]
    (record,) = case.records()
    assert record.occurred_at.isoformat() == "2026-03-22T19:04:00+00:00"
    assert record.tz_name == "Europe/London" and record.tz_assumed is True
    assert record.time_source is TimeSource.FILENAME
    assert record.channel is Channel.VOICEMAIL and record.duration_s == 8
    assert verify_case(case.root).ok


def test_end_to_end_untimed_file_is_placed_at_its_acquisition(case: Case, generated: dict[str, Path]) -> None:
    result = case.import_files([generated["untimed.wav"], generated["memo.mp3"]])
    assert [item.importer for item in result.items] == ["audio", "audio"]
    assert "placed at the time it was imported" in result.items[0].warnings[0].message
    by_time_source = {r.time_source.value: r for r in case.records()}
    assert set(by_time_source) == {"acquired", "export"}
    assert by_time_source["export"].raw["time_tag"] == "TDRC"
    acquired = next(e for e in case.entries() if e.kind == "item.acquired")
    assert by_time_source["acquired"].occurred_at <= datetime.fromisoformat(acquired.recorded_at)
    assert verify_case(case.root).ok
