"""Red-team attacks of issue 13 on export bundles (no key): A01, A02, A12, A14, A23, A28, each reproduced on a
small case and now refused (``UNSAFE_ZIP``, ``LEDGER_MALFORMED``) or harmless; and the strict reader's other
refusals, with the writer's bundles read alike by Python, unzip, jar (a streaming reader) and sha256sum."""

from __future__ import annotations

import hashlib
import resource
import shutil
import struct
import subprocess
import time
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path

import pytest

from evidence.api import Case
from evidence.case.formats import MAX_COMPONENT_BYTES
from evidence.verify import Report
from evidence.verify.bundle import verify_bundle
from tests.export.forgery import three_notes

CENTRAL = struct.Struct("<IHHHHHHIIIHHHHHII")
EOCD = struct.Struct("<IHHHHIIH")


@dataclass(frozen=True)
class Bundles:
    full: Path
    selective: Path


@pytest.fixture(scope="module")
def bundles(tmp_path_factory: pytest.TempPathFactory) -> Bundles:
    """A case of three notes (one with a non-ASCII name): a full bundle and a selective one."""
    base = tmp_path_factory.mktemp("bundles")
    with Case.init(base / "case", title="T", tz="Europe/London") as case:
        case.import_files(three_notes(base))
        case.export(base / "full.zip")
        case.export(base / "sel.zip", exhibits=["EX-0001"])
    return Bundles(base / "full.zip", base / "sel.zip")


# -- raw zip surgery (what ../shared/redteam/ziplib.py does) ---------------------------------------------------


@dataclass
class Entry:
    fields: list[int]
    name: bytes
    extra: bytes
    comment: bytes

    def raw(self) -> bytes:
        self.fields[10:13] = [len(self.name), len(self.extra), len(self.comment)]
        return CENTRAL.pack(*self.fields) + self.name + self.extra + self.comment


def _parse(data: bytes) -> tuple[int, int, list[Entry]]:
    """(central directory offset, size, entries) of a zip without ZIP64 or comment."""
    _, _, _, _, count, size, offset, _ = EOCD.unpack(data[-EOCD.size :])
    entries, at = [], offset
    for _ in range(count):
        fields = list(CENTRAL.unpack_from(data, at))
        n, e, c = fields[10:13]
        start = at + CENTRAL.size
        entries.append(Entry(fields, data[start : start + n], data[start + n : start + n + e], b""))
        at = start + n + e + c
    return offset, size, entries


def _local(name: bytes, content: bytes, flags: int = 0x800) -> tuple[bytes, int, int]:
    deflater = zlib.compressobj(9, zlib.DEFLATED, -15)
    packed = deflater.compress(content) + deflater.flush()
    crc = zlib.crc32(content)
    header = struct.pack(
        "<IHHHHHIIIHH", 0x04034B50, 20, flags, 8, 0, 0x5C21, crc, len(packed), len(content), len(name), 0
    )
    return header + name + packed, crc, len(packed)


def _eocd(count: int, size: int, offset: int, comment: bytes = b"") -> bytes:
    return EOCD.pack(0x06054B50, 0, 0, count, count, size, offset, len(comment)) + comment


def _rebuild(data: bytes, entries: list[Entry], offset: int, comment: bytes = b"") -> bytes:
    directory = b"".join(e.raw() for e in entries)
    return data[:offset] + directory + _eocd(len(entries), len(directory), offset, comment)


def _member(path: Path, prefix: str) -> tuple[str, bytes, bytes]:
    """The member whose name starts with ``prefix``, its bytes, and SHA256SUMS."""
    with zipfile.ZipFile(path) as zf:
        name = next(n for n in zf.namelist() if n.startswith(prefix))
        return name, zf.read(name), zf.read("SHA256SUMS")


def _forged_sums(sums: bytes, genuine: bytes, forged: bytes) -> bytes:
    return sums.replace(
        hashlib.sha256(genuine).hexdigest().encode(), hashlib.sha256(forged).hexdigest().encode()
    )


def _refused(path: Path) -> Report:
    report = verify_bundle(path)
    assert not report.ok and report.codes() == {"UNSAFE_ZIP"}, [str(f) for f in report.findings]
    assert report.checked.get("entries") is None  # nothing was read
    return report


# -- the attacks ----------------------------------------------------------------------------------------------


def test_a01_zip64_differential(bundles: Bundles, tmp_path: Path) -> None:
    """Two ZIP64 end records and two central directories: Python read the genuine one, unzip (following the
    locator) a forged exhibit and SHA256SUMS. The locator must point to the record right before it."""
    data = bundles.full.read_bytes()
    offset, _, entries = _parse(data)
    name, genuine, sums = _member(bundles.full, "exhibits/EX-0002")
    forged = genuine.replace(b"Alex", b"Jordan")
    out = bytearray(data[:offset])
    moved: dict[bytes, tuple[int, int, int, int]] = {}
    for member, content in ((name, forged), ("SHA256SUMS", _forged_sums(sums, genuine, forged))):
        raw, crc, packed = _local(member.encode(), content)
        moved[member.encode()] = (len(out), crc, packed, len(content))
        out += raw
    forged_directory = b""
    for entry in entries:
        copy = Entry(list(entry.fields), entry.name, entry.extra, b"")
        if entry.name in moved:
            at, crc, packed, size = moved[entry.name]
            copy.fields[4], copy.fields[7], copy.fields[8], copy.fields[9], copy.fields[16] = (
                8,
                crc,
                packed,
                size,
                at,
            )
        forged_directory += copy.raw()
    zip64 = struct.Struct("<IQHHIIQQQQ")
    count = len(entries)
    forged_at = len(out)
    out += forged_directory
    forged_record = len(out)
    out += zip64.pack(0x06064B50, 44, 45, 45, 0, 0, count, count, len(forged_directory), forged_at)
    genuine_directory = b"".join(e.raw() for e in entries)
    genuine_at = len(out)
    out += genuine_directory
    out += zip64.pack(0x06064B50, 44, 45, 45, 0, 0, count, count, len(genuine_directory), genuine_at)
    out += struct.pack("<IIQI", 0x07064B50, 0, forged_record, 1)
    out += EOCD.pack(0x06054B50, 0xFFFF, 0xFFFF, 0xFFFF, 0xFFFF, 0xFFFFFFFF, 0xFFFFFFFF, 0)
    path = tmp_path / "a01.zip"
    path.write_bytes(bytes(out))
    with zipfile.ZipFile(path) as zf:
        assert zf.read(name) == genuine  # what Python reads: the genuine exhibit
    report = _refused(path)
    assert "ZIP64 locator" in report.findings[0].message and report.findings[0].path is None


def test_a02_orphan_local_entries(bundles: Bundles, tmp_path: Path) -> None:
    """Local entries in no central directory, after the genuine members: a streaming extractor (jar x <)
    extracts them over the genuine ones. Bytes that no member holds are refused."""
    data = bundles.full.read_bytes()
    offset, _, entries = _parse(data)
    name, genuine, sums = _member(bundles.full, "exhibits/EX-0002")
    forged = genuine.replace(b"Alex", b"Jordan")
    orphans = _local(name.encode(), forged)[0] + _local(b"SHA256SUMS", _forged_sums(sums, genuine, forged))[0]
    path = tmp_path / "a02.zip"
    path.write_bytes(_rebuild(data[:offset] + orphans, entries, offset + len(orphans)))
    found = _refused(path)
    assert "local entries outside the central directory" in found.findings[0].message
    with zipfile.ZipFile(path) as zf:
        assert zf.read(name) == genuine  # Python and unzip see only the genuine members
    # Data before the first member (prepended) is refused the same way, naming that member.
    shifted = [Entry([*e.fields[:16], e.fields[16] + 4], e.name, e.extra, b"") for e in entries]
    prepended = tmp_path / "prepended.zip"
    prepended.write_bytes(_rebuild(b"junk" + data[:offset], shifted, offset + 4))
    assert _refused(prepended).findings[0].path == "VERIFY.txt"


def test_a12_zip_comment(bundles: Bundles, tmp_path: Path) -> None:
    """A zip comment (unzip, zipinfo and 7-Zip print it on opening) carrying a forged notice is refused."""
    path = tmp_path / "a12.zip"
    shutil.copy(bundles.full, path)
    with zipfile.ZipFile(path, "a") as zf:
        zf.comment = (
            b"NOTICE FROM THE SENDER: exhibits EX-0001 and EX-0002 were fabricated. Disregard them.\r\n"
        )
    report = _refused(path)
    assert "a zip comment of 87 bytes" in report.findings[0].message
    # A member's own comment (zipinfo shows it) too.
    data = bundles.full.read_bytes()
    offset, _, entries = _parse(data)
    entries[1].comment = b"withdrawn: fabricated"
    commented = tmp_path / "member-comment.zip"
    commented.write_bytes(_rebuild(data, entries, offset))
    assert "a comment" in _refused(commented).findings[0].message


def test_a14_unicode_path_swap(bundles: Bundles, tmp_path: Path) -> None:
    """0x7075 Unicode Path extra fields swap two exhibits' names for unzip only; any renaming extra field
    (0x7075, 0x6375), in the central directory or a local header, is refused."""
    data = bundles.full.read_bytes()
    offset, _, entries = _parse(data)
    first = next(e for e in entries if e.name.startswith(b"exhibits/EX-0001 "))
    second = next(e for e in entries if e.name.startswith(b"exhibits/EX-0002 "))

    def upath(header: bytes, shown: bytes) -> bytes:
        body = struct.pack("<BI", 1, zlib.crc32(header)) + shown
        return struct.pack("<HH", 0x7075, len(body)) + body

    first.extra, second.extra = upath(first.name, second.name), upath(second.name, first.name)
    path = tmp_path / "a14.zip"
    path.write_bytes(_rebuild(data, entries, offset))
    report = _refused(path)
    assert {f.path for f in report.findings} == {first.name.decode(), second.name.decode()}
    assert all("Unicode Path" in f.message for f in report.findings)


def test_a23_ledger_bomb(bundles: Bundles, tmp_path: Path) -> None:
    """A 0.77 MB bundle whose ledger.jsonl holds 3M junk lines took 31 s and 1 GB and printed 3M findings; the
    lines are now counted against the compressed size first, and at most 20 malformed lines are named."""
    path = tmp_path / "a23.zip"
    lines = "".join("[]\n" if i % 64 else f"[{i * 7919 % 10**6}]\n" for i in range(3_000_000)).encode()
    with (
        zipfile.ZipFile(bundles.full) as src,
        zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as out,
    ):
        for info in src.infolist():
            data = src.read(info)
            out.writestr(info.filename, lines + data if info.filename == "ledger.jsonl" else data)
    assert path.stat().st_size < 1_000_000
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    started = time.monotonic()
    report = verify_bundle(path)
    assert time.monotonic() - started < 5
    assert resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before < 200_000  # KiB
    assert len(report.findings) <= 5 and ("LEDGER_MALFORMED", "ledger.jsonl") in {
        (f.code, f.path) for f in report.findings
    }
    # Fewer junk lines than the bound: 20 named, then the ledger is not checked further.
    few = tmp_path / "few.zip"
    with zipfile.ZipFile(bundles.full) as src, zipfile.ZipFile(few, "w", zipfile.ZIP_DEFLATED) as out:
        for info in src.infolist():
            data = src.read(info)
            out.writestr(info.filename, b"[]\n" * 500 + data if info.filename == "ledger.jsonl" else data)
    malformed = [f for f in verify_bundle(few).findings if f.code == "LEDGER_MALFORMED"]
    assert len(malformed) == 21 and "more than 20" in malformed[-1].message


def test_a28_long_original_name(tmp_path: Path) -> None:
    """An original named with 254 bytes (legal on ext4) became a 262-byte member part that unzip could not
    create; its member is now at most 200 bytes a part, and unzip and sha256sum -c read the bundle."""
    name = "\u00e9" * 125 + ".bin"
    original = tmp_path / "in" / name
    original.parent.mkdir()
    original.write_bytes(bytes(range(100)))
    with Case.init(tmp_path / "case", title="T", tz="Europe/London") as case:
        case.import_files([original])
        case.export(tmp_path / "b.zip")
    with zipfile.ZipFile(tmp_path / "b.zip") as zf:
        member = next(n for n in zf.namelist() if n.startswith("exhibits/"))
    assert len(member.split("/")[1].encode()) <= MAX_COMPONENT_BYTES and member.endswith(".bin")
    assert verify_bundle(tmp_path / "b.zip").ok
    _extract_and_check(tmp_path / "b.zip", tmp_path / "x")
    # A member part longer than the bound is refused, whoever wrote it.
    long = tmp_path / "long.zip"
    with zipfile.ZipFile(tmp_path / "b.zip") as src, zipfile.ZipFile(long, "w") as out:
        for info in src.infolist():
            out.writestr(
                f"exhibits/EX-0001 {name}" if info.filename == member else info.filename, src.read(info)
            )
    assert "over the limits" in _refused(long).findings[0].message


# -- the strict reader's other refusals, and the writer's bundles read alike ------------------------------------


def _extract_and_check(bundle: Path, folder: Path) -> None:
    """unzip -t and unzip into ``folder``, then sha256sum -c there; jar x < (a streaming reader) and bsdtar,
    when installed, extract the same files."""
    folder.mkdir()
    for command in (["unzip", "-tq", str(bundle)], ["unzip", "-q", str(bundle), "-d", str(folder)]):
        done = subprocess.run(command, capture_output=True, text=True, check=False)
        assert done.returncode == 0, done.stdout + done.stderr
    done = subprocess.run(
        ["sha256sum", "-c", "SHA256SUMS"], cwd=folder, capture_output=True, text=True, check=False
    )
    assert done.returncode == 0 and "FAILED" not in done.stdout, done.stdout + done.stderr
    expected = {p.relative_to(folder): p.read_bytes() for p in folder.rglob("*") if p.is_file()}
    for tool, command in (("jar", ["jar", "x"]), ("bsdtar", ["bsdtar", "-xf", "-"])):
        if shutil.which(tool) is None:
            continue
        other = folder.parent / f"{folder.name}-{tool}"
        other.mkdir()
        with open(bundle, "rb") as stdin:
            subprocess.run(command, stdin=stdin, cwd=other, check=True, capture_output=True)
        got = {p.relative_to(other): p.read_bytes() for p in other.rglob("*") if p.is_file()}
        assert got == expected, tool


def test_the_writers_bundles_are_read_alike_everywhere(bundles: Bundles, tmp_path: Path) -> None:
    for path in (bundles.full, bundles.selective):
        assert verify_bundle(path).ok
        _extract_and_check(path, tmp_path / path.stem)


def _patched(bundles: Bundles, tmp_path: Path, at: int, value: bytes, *, central: bool = True) -> Path:
    """The full bundle with ``value`` written at offset ``at`` of the first member's central (or local) header."""
    data = bytearray(bundles.full.read_bytes())
    start = _parse(bytes(data))[0] if central else 0
    data[start + at : start + at + len(value)] = value
    path = tmp_path / "patched.zip"
    path.write_bytes(bytes(data))
    return path


@pytest.mark.parametrize(
    ("at", "value", "says"),
    [
        (8, struct.pack("<H", 0x0001), "encrypted"),
        (8, struct.pack("<H", 0x0008), "data descriptor"),
        (10, struct.pack("<H", 12), "compression method 12"),
        (38, struct.pack("<I", 0o120777 << 16), "link"),
        (38, struct.pack("<I", 0x10), "directory"),
        (38, struct.pack("<I", 0o020644 << 16), "special file"),
    ],
)
def test_unusual_members_are_refused(
    bundles: Bundles, tmp_path: Path, at: int, value: bytes, says: str
) -> None:
    report = _refused(_patched(bundles, tmp_path, at, value))
    assert report.findings[0].path == "VERIFY.txt" and says in report.findings[0].message


def test_a_local_header_saying_something_else_is_a_damaged_member(bundles: Bundles, tmp_path: Path) -> None:
    report = verify_bundle(_patched(bundles, tmp_path, 14, b"\x00\x00\x00\x00", central=False))  # its CRC
    assert {(f.code, f.path) for f in report.findings} == {("MODIFIED", "VERIFY.txt")}


def test_hidden_bytes_after_a_deflate_stream_are_a_damaged_member(bundles: Bundles, tmp_path: Path) -> None:
    """A deflate stream that ends before its declared compressed size hides bytes from some readers."""
    data = bundles.full.read_bytes()
    offset, _, entries = _parse(data)
    name, content, _ = _member(bundles.full, "VERIFY.txt")
    first = entries[0]
    raw, crc, packed = _local(name.encode(), content, flags=first.fields[3])
    hidden = raw + b"PK\x03\x04 a hidden local entry"
    first.fields[8] = packed + len(b"PK\x03\x04 a hidden local entry")
    assert first.fields[16] == 0 and first.fields[7] == crc
    header = bytearray(hidden[:30])
    header[18:22] = struct.pack("<I", first.fields[8])
    hidden = bytes(header) + hidden[30:]
    shift = len(hidden) - entries[1].fields[16]
    for entry in entries[1:]:
        entry.fields[16] += shift
    first.fields[4] = 8
    path = tmp_path / "hidden.zip"
    body = hidden + data[entries[1].fields[16] - shift : offset]
    path.write_bytes(_rebuild(body, entries, offset + shift))
    report = verify_bundle(path)
    damaged = [f for f in report.findings if (f.code, f.path) == ("MODIFIED", "VERIFY.txt")]
    assert not report.ok and "does not end where its header says" in damaged[0].message


@pytest.mark.parametrize(
    "name",
    [
        "exhibits/EX-0001 a:b.txt",
        "exhibits/EX-0001 a.txt.",
        "exhibits/EX-0001 tab\there.txt",
        "exhibits",
        "exhibits/CON",  # device names Windows reserves, with or without an extension
        "exhibits/nul.txt",
        "records/Com1.json",
        "LPT9",
    ],
)
def test_names_not_every_file_system_holds_are_refused(bundles: Bundles, tmp_path: Path, name: str) -> None:
    path = tmp_path / "names.zip"
    with zipfile.ZipFile(bundles.full) as src, zipfile.ZipFile(path, "w") as out:
        for info in src.infolist():
            out.writestr(info.filename, src.read(info))
        out.writestr(name, b"planted")
    assert {f.path for f in _refused(path).findings} == {name}


def test_a_non_ascii_name_without_the_utf8_flag_is_refused(bundles: Bundles, tmp_path: Path) -> None:
    data = bundles.full.read_bytes()
    offset, _, entries = _parse(data)
    entry = next(e for e in entries if b"caf\xc3\xa9" in e.name)
    entry.fields[3] &= ~0x0800
    path = tmp_path / "cp437.zip"
    path.write_bytes(_rebuild(data, entries, offset))
    assert "without the UTF-8 flag" in _refused(path).findings[0].message


def test_zip64_as_python_writes_it_is_accepted(bundles: Bundles, tmp_path: Path) -> None:
    """What the writer does for members over 2 GiB (ZIP64 local headers) and past 4 GiB (ZIP64 end records),
    on small members: the strict reader accepts it and reads the same bytes."""
    path = tmp_path / "zip64.zip"
    with zipfile.ZipFile(bundles.full) as src, zipfile.ZipFile(path, "w") as out:
        for info in src.infolist():
            with out.open(zipfile.ZipInfo(info.filename, info.date_time), "w", force_zip64=True) as member:
                member.write(src.read(info))
    data = path.read_bytes()
    _, _, _, _, count, size, offset, _ = EOCD.unpack(data[-EOCD.size :])
    record = struct.pack("<IQHHIIQQQQ", 0x06064B50, 44, 45, 45, 0, 0, count, count, size, offset)
    locator = struct.pack("<IIQI", 0x07064B50, 0, len(data) - EOCD.size, 1)
    saturated = EOCD.pack(0x06054B50, 0, 0, 0xFFFF, 0xFFFF, 0xFFFFFFFF, 0xFFFFFFFF, 0)
    path.write_bytes(data[: -EOCD.size] + record + locator + saturated)
    assert verify_bundle(path).ok
    # The classic record disagreeing with the ZIP64 one is refused.
    classic = EOCD.pack(0x06054B50, 0, 0, 1, 1, 0xFFFFFFFF, 0xFFFFFFFF, 0)  # one member, not count
    path.write_bytes(data[: -EOCD.size] + record + locator + classic)
    assert "disagree" in _refused(path).findings[0].message
