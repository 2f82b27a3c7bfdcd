"""Hostile inputs made by the tests: each is rejected with a one-line InputError (the case unchanged) or
imported with warnings, within a time bound; the big ones run in a subprocess whose peak memory is measured
with ``resource.getrusage``.

Covered: XML billion laughs and an external entity (SMS Backup & Restore), a decompression-bomb PNG, a zip bomb
and a zip slip (WhatsApp zip), a 0-byte file, a truncated copy (first half) of every corpus file, UTF-16 text,
a JPEG carrying ~1 MB of EXIF in APP1 segments, and an mbox holding one 100 MB line.
"""

from __future__ import annotations

import io
import json
import struct
import subprocess
import sys
import textwrap
import time
import zipfile
import zlib
from pathlib import Path
from typing import Any

import pytest
from PIL import Image

from evidence.api import Case, ImportResult
from evidence.errors import InputError
from evidence.verify.case import verify_case


def _snapshot(case: Case) -> tuple[Any, list[str], list[Path]]:
    return case.head(), sorted(name for name, _ in case.store.iter_names()), case.store.stray_stages()


def _attempt(case: Case, path: Path, seconds: float) -> ImportResult | InputError:
    """Import ``path``; an InputError must leave the case exactly as it was. Either way within ``seconds``."""
    before = _snapshot(case)
    start = time.monotonic()
    outcome: ImportResult | InputError
    try:
        outcome = case.import_files([path])
    except InputError as exc:
        assert _snapshot(case) == before
        assert "\n" not in exc.one_line() and exc.message
        outcome = exc
    elapsed = time.monotonic() - start
    assert elapsed < seconds, f"{path.name}: {elapsed:.1f} s"
    return outcome


def _rejected(case: Case, path: Path, seconds: float, words: str) -> InputError:
    outcome = _attempt(case, path, seconds)
    assert isinstance(outcome, InputError), outcome
    assert words in outcome.message, outcome.one_line()
    return outcome


MEASURED = textwrap.dedent(
    """
    import json, sys, time
    from pathlib import Path
    from evidence.api import Case
    from evidence.errors import InputError
    case = Case.open(Path(sys.argv[1]))
    before = case.head()
    start = time.monotonic()
    try:
        result = case.import_files([Path(sys.argv[2])])
        outcome = {"imported": True, "records": sum(i.records for i in result.items),
                   "warnings": [w.message for i in result.items for w in i.warnings]}
    except InputError as exc:
        outcome = {"imported": False, "message": exc.one_line(), "unchanged": case.head() == before}
    outcome["seconds"] = time.monotonic() - start
    # VmHWM, not ru_maxrss: Linux keeps ru_maxrss across exec, so it would count the forking pytest's memory.
    hwm = next(l for l in open("/proc/self/status") if l.startswith("VmHWM:"))
    outcome["peak_mib"] = int(hwm.split()[1]) // 1024
    print(json.dumps(outcome))
    """
)


def _measured(case: Case, path: Path) -> dict[str, Any]:
    """Import ``path`` into ``case`` in a fresh process; its outcome, time and peak resident memory."""
    done = subprocess.run(
        [sys.executable, "-c", MEASURED, str(case.root), str(path)],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    result: dict[str, Any] = json.loads(done.stdout)
    if not result["imported"]:
        assert result["unchanged"]
    return result


# -- XML ---------------------------------------------------------------------------------------------------------

LAUGHS = "\n".join(
    ['<!ENTITY lol0 "lol">']
    + [f'<!ENTITY lol{n} "{("&lol" + str(n - 1) + ";") * 10}">' for n in range(1, 10)]
)


def test_billion_laughs_is_rejected(case: Case, tmp_path: Path) -> None:
    path = tmp_path / "sms-laughs.xml"
    path.write_text(
        f'<?xml version="1.0" encoding="UTF-8"?>\n<!DOCTYPE smses [\n{LAUGHS}\n]>\n<smses count="1">'
        '<sms protocol="0" address="+447700900123" date="1700000000000" type="1" body="&lol9;" '
        'readable_date="x" contact_name="x" /></smses>\n'
    )
    _rejected(case, path, 5, "DTD")
    assert verify_case(case.root).findings == []


def test_external_entity_is_rejected(case: Case, tmp_path: Path) -> None:
    path = tmp_path / "sms-xxe.xml"
    path.write_text(
        '<?xml version="1.0" encoding="UTF-8"?>\n<!DOCTYPE smses [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>\n'
        '<smses count="1"><sms protocol="0" address="+447700900123" date="1700000000000" type="1" '
        'body="&xxe;" /></smses>\n'
    )
    error = _rejected(case, path, 5, "DTD")
    assert "root:" not in error.one_line()


# -- images --------------------------------------------------------------------------------------------------------


def _png_chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def test_decompression_bomb_png_is_rejected(case: Case, tmp_path: Path) -> None:
    side = 30_000  # 900 million 1-bit pixels: ~112 MB of scanlines, ~110 KB compressed
    packer = zlib.compressobj(9)
    row = b"\x00" * (1 + side // 8)
    idat = b"".join(packer.compress(row) for _ in range(side)) + packer.flush()
    path = tmp_path / "Screenshot_20260314-213000.png"
    path.write_bytes(
        b"\x89PNG\r\n\x1a\n"
        + _png_chunk(b"IHDR", struct.pack(">IIBBBBB", side, side, 1, 0, 0, 0, 0))
        + _png_chunk(b"IDAT", idat)
        + _png_chunk(b"IEND", b"")
    )
    result = _measured(case, path)
    assert not result["imported"] and "decompression bomb" in result["message"], result
    assert result["seconds"] < 10 and result["peak_mib"] < 300, result


def test_jpeg_with_a_megabyte_of_exif(case: Case, tmp_path: Path) -> None:
    exif = Image.Exif()
    exif[0x010E] = "D" * 65_000  # ImageDescription: one APP1 segment as large as JPEG allows
    exif[0x0132] = "2026:03:14 21:30:00"
    out = io.BytesIO()
    Image.new("RGB", (64, 64), "white").save(out, "JPEG", exif=exif.tobytes())
    data = out.getvalue()
    start = data.index(b"Exif\x00\x00") - 4  # the APP1 marker and length before it
    app1 = data[start : start + 2 + struct.unpack(">H", data[start + 2 : start + 4])[0]]
    assert app1[:2] == b"\xff\xe1" and len(app1) > 65_000
    path = tmp_path / "IMG-20260314-WA0001.jpg"
    path.write_bytes(data[:start] + app1 * 16 + data[start:])  # 17 APP1 segments: over 1 MB of EXIF
    assert path.stat().st_size > 1_000_000
    result = _measured(case, path)
    if result["imported"]:
        assert result["records"] <= 1
    else:
        assert path.name in result["message"]
    assert result["seconds"] < 60 and result["peak_mib"] < 400, result


# -- zips ------------------------------------------------------------------------------------------------------------

CHAT = "14/03/2026, 21:30 - Alex Morgan: you will regret this\n"


def test_zip_bomb_is_rejected(case: Case, tmp_path: Path) -> None:
    path = tmp_path / "WhatsApp Chat - Alex Morgan.zip"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as zf:
        zf.writestr("_chat.txt", CHAT)
        with zf.open("IMG-20260314-WA0001.jpg", "w", force_zip64=True) as member:
            block = b"\x00" * (1 << 20)
            for _ in range(200):  # 200 MiB of zeros: a ratio near 1,000
                member.write(block)
    assert path.stat().st_size < 1_000_000
    result = _measured(case, path)
    assert not result["imported"] and "zip bomb" in result["message"], result
    assert result["seconds"] < 10 and result["peak_mib"] < 300, result


def test_zip_slip_is_rejected(case: Case, tmp_path: Path) -> None:
    path = tmp_path / "WhatsApp Chat - Alex Morgan.zip"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("_chat.txt", CHAT)
        zf.writestr("../../../../tmp/evil.txt", "escaped")
    _rejected(case, path, 5, "climbs out")
    assert not (tmp_path.parent / "evil.txt").exists()


# -- empty, truncated, wrongly encoded -----------------------------------------------------------------------------


def test_empty_file(case: Case, tmp_path: Path) -> None:
    path = tmp_path / "empty.xml"
    path.write_bytes(b"")
    outcome = _attempt(case, path, 5)
    if isinstance(outcome, ImportResult):
        assert [item.records for item in outcome.items] == [0]
    assert verify_case(case.root).findings == []


def _corpus_files(corpus: Path) -> list[Path]:
    return sorted(p for p in corpus.rglob("*") if p.is_file() and p.suffix != ".md")


def test_truncated_copy_of_every_corpus_file(case: Case, corpus: Path, tmp_path: Path) -> None:
    files = _corpus_files(corpus)
    assert len(files) > 100
    outcomes: dict[str, int] = {"rejected": 0, "imported": 0}
    for n, original in enumerate(files):
        data = original.read_bytes()
        folder = tmp_path / f"t{n:03d}"
        folder.mkdir()
        half = folder / original.name
        half.write_bytes(data[: len(data) // 2])
        outcome = _attempt(case, half, 20)
        outcomes["rejected" if isinstance(outcome, InputError) else "imported"] += 1
    assert sum(outcomes.values()) == len(files)
    report = verify_case(case.root)
    assert report.ok and report.findings == [], [str(f) for f in report.findings]


@pytest.mark.parametrize(
    "relative",
    [
        "whatsapp/chatanalytics-2A_5M.txt",
        "smsbackup/sms-devadvance-sms_small.xml",
        "email/cpython-msg_05.txt",
    ],
)
def test_utf16_text(case: Case, corpus: Path, tmp_path: Path, relative: str) -> None:
    original = corpus / relative
    text = original.read_bytes().decode("utf-8")
    if original.suffix == ".xml":
        text = text.replace('encoding="UTF-8"', 'encoding="UTF-16"').replace("encoding='utf-8'", "")
    path = tmp_path / original.name
    path.write_bytes(text.encode("utf-16"))
    outcome = _attempt(case, path, 10)
    # Each of these importers reads UTF-16 with a BOM (transcoded, with a warning where the format is never UTF-16).
    assert not isinstance(outcome, InputError), outcome.one_line()
    (item,) = outcome.items
    assert item.records > 0, item
    assert verify_case(case.root).ok


# -- one 100 MB line ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("length", "peak_mib"), [(100_000_000, 400), (30_000_000, 700)])
def test_mbox_with_a_100_mb_line(case: Case, tmp_path: Path, length: int, peak_mib: int) -> None:
    """100 MB: over the importer's 50 MiB per-message limit, skipped with a warning in bounded memory, and the next
    message still read; 30 MB: under it, parsed whole (about a dozen copies of the line in memory)."""
    path = tmp_path / "huge-line.mbox"
    with open(path, "wb") as fh:
        fh.write(
            b"From alex@example.com Sat Mar 14 21:30:00 2026\n"
            b"From: Alex Morgan <alex@example.com>\nTo: jordan@example.com\n"
            b"Date: Sat, 14 Mar 2026 21:30:00 +0000\nSubject: long\n\n"
        )
        block = b"x" * 1_000_000
        for _ in range(length // len(block)):
            fh.write(block)
        fh.write(b"x" * (length % len(block)))
        fh.write(
            b"\n\nFrom alex@example.com Sat Mar 14 21:31:00 2026\nFrom: Alex Morgan <alex@example.com>\n"
            b"To: jordan@example.com\nDate: Sat, 14 Mar 2026 21:31:00 +0000\nSubject: short\n\nstill here\n"
        )
    result = _measured(case, path)
    assert result["imported"] and result["seconds"] < 30 and result["peak_mib"] < peak_mib, result
    if length > 50 * 1024 * 1024:
        assert result["records"] == 1 and any("larger than the limit" in w for w in result["warnings"]), (
            result
        )
    else:
        assert result["records"] == 2, result
