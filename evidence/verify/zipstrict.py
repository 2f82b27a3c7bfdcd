"""The strict zip reader of export bundles: a zip ``evidence verify`` accepts is read the same way by every zip
reader (Python's zipfile, Info-ZIP unzip, bsdtar, 7-Zip, Java's streaming ZipInputStream).

Zip readers disagree wherever the format leaves room: which end record they start from (the classic one, or a
ZIP64 one found through its locator or right before it: red-team A01), whether they read the central directory
or walk the local headers (local entries outside the central directory: A02), which name they use (the
header's, or a 0x7075 Unicode Path extra field: A14), whether they show a comment (A12), how they decode a name
without the UTF-8 flag, whether a name differing only by case or normalisation overwrites another, whether a
name fits the file system (A28). So this reader accepts only the plain layout ``evidence export`` writes and
refuses the rest, each refusal a ``Problem`` naming the member:

  (a) the end: one classic end record, the file's last 22 bytes (so no zip comment); when there is a ZIP64
      end record, its locator right before the classic record points to it, right before the locator; the
      classic fields equal the ZIP64 ones or are saturated; one disk;
  (b) the central directory: ends where the end records start and holds exactly the entries they count (at
      most ``MAX_MEMBERS``, read only after that count is checked); no entry comment; only extra fields every
      reader treats alike (ZIP64 sizes, times, owners), never one that renames (0x7075, 0x6375);
  (c) every member: a plain file (no directory, link or device in its name or attributes), not encrypted,
      stored or deflated, a name that is UTF-8 when flagged so and ASCII otherwise, relative, without ``..``,
      control characters or characters Windows refuses, device names Windows reserves (``CON``, ``NUL.txt``),
      components of at most ``MAX_COMPONENT_BYTES`` bytes
      (file systems hold 255), present once even ignoring case and Unicode normalisation; its declared
      size at most ``MAX_MEMBER_SIZE`` and ``MAX_RATIO`` times its compressed size (past ``RATIO_FLOOR``);
  (d) the data: the local entries follow one another from byte 0 to the central directory with no byte
      between them, in the central directory's order, each local header saying what its central entry says
      (name, flags, method, CRC, sizes; a local header that differs is ``MODIFIED``: a damaged member), with
      no data descriptor; and, as each member is read (``read_member``), its deflate stream ends exactly at
      its compressed size, and it holds its declared size and CRC.

Every count and size is checked before the work it bounds. ``agrees`` then checks that Python's zipfile, which
the later checks read members through, sees exactly these members at these offsets.
"""

from __future__ import annotations

import os
import re
import stat
import struct
import unicodedata
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO

from evidence.case.formats import MAX_COMPONENT_BYTES, MAX_MEMBER_NAME_BYTES

MAX_MEMBERS = 10_000
MAX_MEMBER_SIZE = 64 << 30
MAX_TOTAL_SIZE = 256 << 30
MAX_RATIO = 200
RATIO_FLOOR = 1 << 20  # small members may compress well (a ledger of repetitive JSON)
MAX_EXTRA_BYTES = 256  # the extra fields of one header (ZIP64 sizes, times and owners need under 64)
CHUNK = 1 << 20

EOCD = struct.Struct("<IHHHHIIH")
LOCATOR = struct.Struct("<IIQI")
EOCD64 = struct.Struct("<IQHHIIQQQQ")
CENTRAL = struct.Struct("<IHHHHHHIIIHHHHHII")
LOCAL = struct.Struct("<IHHHHHIIIHH")
EOCD_SIG, LOCATOR_SIG, EOCD64_SIG = 0x06054B50, 0x07064B50, 0x06064B50
CENTRAL_SIG, LOCAL_SIG = 0x02014B50, 0x04034B50
SATURATED_16, SATURATED_32 = 0xFFFF, 0xFFFFFFFF
ZIP64_EXTRA = 0x0001
UTF8_FLAG = 0x0800
ALLOWED_FLAGS = UTF8_FLAG | 0x0006  # bits 1-2: the deflate level, informative only
RENAMING_EXTRAS = {
    0x7075: "a Unicode Path extra field (0x7075)",
    0x6375: "a Unicode Comment extra field (0x6375)",
}
HARMLESS_EXTRAS = {ZIP64_EXTRA, 0x000A, 0x5455, 0x7875}  # ZIP64, NTFS times, extended time, Unix owner
CENTRAL_ENTRY_LIMIT = CENTRAL.size + MAX_MEMBER_NAME_BYTES * 4 + MAX_EXTRA_BYTES
WINDOWS_REFUSED = re.compile(r'[:*?"<>|]')
CONTROL = re.compile(r"[\x00-\x1f\x7f]")
UNSAFE, DAMAGED = "UNSAFE_ZIP", "MODIFIED"


@dataclass(frozen=True)
class Member:
    """One member as the central directory and its local header agree it is."""

    name: str
    offset: int  # of its local header
    data_offset: int
    compress_size: int
    size: int
    crc: int
    method: int


@dataclass(frozen=True)
class Problem:
    """Why the zip is refused: a finding's code, message and the member it names (None: the whole zip)."""

    code: str
    message: str
    name: str | None = None


@dataclass
class Layout:
    """What the strict reader found: the members, or why the zip is refused or cannot be read at all."""

    members: list[Member] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    unreadable: str | None = None


class MemberDamaged(Exception):
    """A member's data is not what its headers declare (read by ``read_member``)."""


class _Unreadable(Exception):
    pass


def read_layout(path: Path) -> Layout:
    """Checks (a)-(d) over the zip at ``path``, reading its end records, central directory and local headers
    (not its data)."""
    layout = Layout()
    try:
        with open(path, "rb") as fh:
            _Reader(fh, os.fstat(fh.fileno()).st_size, layout).read()
    except _Unreadable as exc:
        layout.unreadable = str(exc)
    except OSError as exc:
        layout.unreadable = f"cannot be read ({exc.strerror})"
    return layout


def agrees(zf: zipfile.ZipFile, members: list[Member]) -> Problem | None:
    """Whether Python's zipfile sees exactly ``members`` (names, offsets, sizes, CRCs, methods, in order)."""
    infos = zf.infolist()
    if len(infos) != len(members):
        return Problem(
            UNSAFE, f"Python's zipfile reads {len(infos)} members, the strict reader {len(members)}"
        )
    for info, member in zip(infos, members, strict=True):
        seen = (
            info.filename,
            info.header_offset,
            info.compress_size,
            info.file_size,
            info.CRC,
            info.compress_type,
        )
        if seen != (member.name, member.offset, member.compress_size, member.size, member.crc, member.method):
            return Problem(
                UNSAFE, "Python's zipfile reads this member differently from the strict reader", info.filename
            )
    return None


def read_member(fh: BinaryIO, member: Member) -> Iterator[bytes]:
    """The member's bytes in chunks of at most ``CHUNK``; raises ``MemberDamaged`` when its data is not what
    its headers declare (a deflate stream that ends early or late, more or fewer bytes, another CRC)."""
    fh.seek(member.data_offset)
    left, produced, crc = member.compress_size, 0, 0
    inflater = zlib.decompressobj(-15) if member.method == zipfile.ZIP_DEFLATED else None
    while left:
        raw = fh.read(min(CHUNK, left))
        if not raw:
            raise MemberDamaged("the file ends inside the member")
        left -= len(raw)
        while raw:
            if inflater is None:
                chunk, raw = raw, b""
            else:
                if inflater.eof:
                    raise MemberDamaged("bytes after the end of its compressed data")
                try:
                    chunk = inflater.decompress(raw, CHUNK)
                except zlib.error as exc:
                    raise MemberDamaged(f"its compressed data is corrupt ({exc})") from None
                raw = inflater.unconsumed_tail
            produced += len(chunk)
            if produced > member.size:
                raise MemberDamaged(f"it holds more than the {member.size} bytes its header declares")
            crc = zlib.crc32(chunk, crc)
            yield chunk
    if inflater is not None and (not inflater.eof or inflater.unused_data):
        raise MemberDamaged("its compressed data does not end where its header says")
    if produced != member.size or crc != member.crc:
        raise MemberDamaged(
            f"it holds {produced} bytes with CRC {crc:08x}; its header declares {member.size} with {member.crc:08x}"
        )


def fold(name: str) -> str:
    """The form under which two names are the same file on a case-insensitive, normalising file system."""
    return unicodedata.normalize("NFD", unicodedata.normalize("NFD", name).casefold())


# CON, PRN, AUX, NUL, COM1-9, LPT1-9 (also with superscript digits), with or without an extension: devices.
WINDOWS_RESERVED = re.compile(r"(?i)(?:CON|PRN|AUX|NUL|COM[1-9¹²³]|LPT[1-9¹²³])(?:\.[^/]*)?$")


def name_problem(name: str) -> str | None:
    """Why ``name`` cannot be a member that every reader extracts to the same file, or None."""
    parts = name.split("/")
    if not name or name.startswith("/") or re.match(r"[A-Za-z]:", name) or "\\" in name or "\x00" in name:
        return "an absolute or malformed name"
    if name.endswith("/"):
        return "a directory member, which no bundle holds"
    if any(part in ("", ".", "..") for part in parts):
        return "a name that leaves the bundle's folder"
    if CONTROL.search(name):
        return "a control character in its name"
    refused = WINDOWS_REFUSED.search(name)
    if refused:
        return f"a character Windows refuses in file names ({refused.group()!r})"
    if any(part != part.rstrip(" .") for part in parts):
        return "a name part ending in a space or dot, which Windows drops"
    reserved = next((part for part in parts if WINDOWS_RESERVED.match(part)), None)
    if reserved is not None:
        return f"a name part Windows reserves for a device ({reserved!r}), which it cannot extract"
    longest = max(len(part.encode("utf-8")) for part in parts)
    if longest > MAX_COMPONENT_BYTES or len(name.encode("utf-8")) > MAX_MEMBER_NAME_BYTES:
        return (
            f"a name of {len(name.encode('utf-8'))} bytes with a part of {longest}, over the limits of "
            f"{MAX_MEMBER_NAME_BYTES} and {MAX_COMPONENT_BYTES} that leave room on every file system (255 a part)"
        )
    return None


class _Reader:
    def __init__(self, fh: BinaryIO, size: int, layout: Layout) -> None:
        self.fh, self.size, self.layout = fh, size, layout

    def refuse(self, message: str, name: str | None = None, code: str = UNSAFE) -> None:
        self.layout.problems.append(Problem(code, message, name))

    def read_at(self, offset: int, length: int) -> bytes:
        self.fh.seek(offset)
        data = self.fh.read(length)
        if len(data) != length:
            raise _Unreadable("it is cut short")
        return data

    def read(self) -> None:
        end = self._end()
        if end is None:
            return
        count, cd_offset, cd_size = end
        entries = self._central(count, cd_offset, cd_size)
        if entries is None:
            return
        self._names(entries)
        if not self.layout.problems:
            self._locals(entries, cd_offset)

    # (a) the end records
    def _end(self) -> tuple[int, int, int] | None:
        if self.size < EOCD.size:
            raise _Unreadable("too short to be a zip")
        tail_start = max(0, self.size - (1 << 16) - EOCD.size)
        tail = self.read_at(tail_start, self.size - tail_start)
        if tail[-EOCD.size : -EOCD.size + 4] != b"PK\x05\x06":
            found = tail.rfind(b"PK\x05\x06")
            if found < 0:
                raise _Unreadable("no end of central directory record")
            after = len(tail) - found - EOCD.size
            said = EOCD.unpack_from(tail, found)[7] if after >= 0 else -1
            what = (
                f"a zip comment of {after} bytes" if said == after else f"{after} bytes after the end record"
            )
            self.refuse(
                f"{what}: unzip, zipinfo and 7-Zip show a comment on opening, and no bundle has one; "
                "nothing was read"
            )
            return None
        _, disk, cd_disk, on_disk, count, cd_size, cd_offset, _ = EOCD.unpack(tail[-EOCD.size :])
        cd_end = self.size - EOCD.size
        if tail[-EOCD.size - LOCATOR.size : -EOCD.size - LOCATOR.size + 4] == b"PK\x06\x07":
            if disk not in (0, SATURATED_16) or cd_disk not in (0, SATURATED_16) or on_disk != count:
                self.refuse("the zip says it spans several disks; nothing was read")
                return None
            zip64 = self._zip64(tail, (count, cd_size, cd_offset))
            if zip64 is None:
                return None
            count, cd_size, cd_offset, cd_end = zip64
        elif (disk, cd_disk) != (0, 0) or on_disk != count:
            self.refuse("the zip says it spans several disks; nothing was read")
            return None
        if count > MAX_MEMBERS:
            self.refuse(f"{count} members, more than the {MAX_MEMBERS} a bundle may hold; nothing was read")
            return None
        if cd_size > max(count, 1) * CENTRAL_ENTRY_LIMIT:
            self.refuse(
                f"a central directory of {cd_size} bytes, more than {count} members need; nothing was read"
            )
            return None
        if cd_offset + cd_size != cd_end:
            self.refuse(
                f"the central directory (bytes {cd_offset}-{cd_offset + cd_size}) does not end where the end "
                f"records start (byte {cd_end}): readers would find different members; nothing was read"
            )
            return None
        return count, cd_offset, cd_size

    def _zip64(self, tail: bytes, classic: tuple[int, int, int]) -> tuple[int, int, int, int] | None:
        locator_at = self.size - EOCD.size - LOCATOR.size
        _, disk, record_at, disks = LOCATOR.unpack(tail[-EOCD.size - LOCATOR.size : -EOCD.size])
        expected = locator_at - EOCD64.size
        if record_at != expected or disk != 0 or disks != 1:
            self.refuse(
                f"the ZIP64 locator points to byte {record_at}, not to the ZIP64 end record right before it "
                f"(byte {expected}): readers would start from different end records; nothing was read"
            )
            return None
        if expected < 0:
            raise _Unreadable("too short for its ZIP64 end record")
        fields = EOCD64.unpack(self.read_at(expected, EOCD64.size))
        sig, record_size, _, _, disk, cd_disk, on_disk, count, cd_size, cd_offset = fields
        if sig != EOCD64_SIG or record_size != EOCD64.size - 12:
            self.refuse("the ZIP64 locator does not point to a plain ZIP64 end record; nothing was read")
            return None
        if (disk, cd_disk) != (0, 0) or on_disk != count:
            self.refuse("the zip says it spans several disks; nothing was read")
            return None
        saturated = (SATURATED_16, SATURATED_32, SATURATED_32)
        if any(
            old not in (new, full)
            for old, new, full in zip(classic, (count, cd_size, cd_offset), saturated, strict=True)
        ):
            self.refuse(
                "the classic and the ZIP64 end records disagree on the central directory: readers would find "
                "different members; nothing was read"
            )
            return None
        return count, cd_size, cd_offset, expected

    # (b) the central directory, (c) each member's header
    def _central(self, count: int, cd_offset: int, cd_size: int) -> list[tuple[Member, int, bytes]] | None:
        data = self.read_at(cd_offset, cd_size)
        entries: list[tuple[Member, int, bytes]] = []
        at = 0
        for index in range(count):
            if at + CENTRAL.size > len(data) or CENTRAL.unpack_from(data, at)[0] != CENTRAL_SIG:
                self.refuse(
                    f"the central directory holds fewer than the {count} entries it counts (entry {index + 1})"
                )
                return None
            fields = CENTRAL.unpack_from(data, at)
            name_len, extra_len, comment_len = fields[10], fields[11], fields[12]
            raw = data[at + CENTRAL.size : at + CENTRAL.size + name_len]
            extra = data[at + CENTRAL.size + name_len : at + CENTRAL.size + name_len + extra_len]
            at += CENTRAL.size + name_len + extra_len + comment_len
            if at > len(data):
                self.refuse(f"the central directory ends inside entry {index + 1}")
                return None
            entries.append(self._entry(fields, raw, extra, comment_len))
        if at != len(data):
            self.refuse(f"{len(data) - at} bytes in the central directory after its {count} entries")
            return None
        return entries

    def _entry(
        self, fields: tuple[int, ...], raw: bytes, extra: bytes, comment_len: int
    ) -> tuple[Member, int, bytes]:
        _, _, needs, flags, method, _, _, crc, csize, size, _, _, _, disk, _, attributes, offset = fields
        name = _decode(raw, flags)
        problems: list[str] = []
        if flags & UTF8_FLAG and name is None:
            problems.append("a name flagged UTF-8 that is not UTF-8")
        elif name is None:
            problems.append("a non-ASCII name without the UTF-8 flag, which readers decode differently")
        shown = name if name is not None else raw.decode("utf-8", "replace")
        extras = _extras(extra)
        if isinstance(extras, str):
            problems.append(extras)
            extras = {}
        sizes = _zip64_sizes(extras.get(ZIP64_EXTRA), size, csize, offset)
        if sizes is None:
            problems.append(
                "a ZIP64 extra field that does not hold exactly the values its header defers to it"
            )
            sizes = (size, csize, offset)
        size, csize, offset = sizes
        if size > MAX_MEMBER_SIZE:
            problems.append(f"a declared size of {size} bytes, over the {MAX_MEMBER_SIZE} limit")
        elif size > RATIO_FLOOR and size > MAX_RATIO * max(csize, 1):
            problems.append(f"a compression ratio over {MAX_RATIO}:1 ({size} bytes from {csize})")
        problems += _header_problems(flags, method, needs, extras, csize, size)
        problems += _attribute_problems(attributes)
        if comment_len:
            problems.append("a comment, which zipinfo shows and no bundle has")
        if disk:
            problems.append("a member on another disk")
        for problem in problems:
            self.refuse(f"refused: {problem}; nothing was read", shown[:200])
        member = Member(shown, offset, 0, csize, size, crc, method)
        return member, flags, raw

    def _names(self, entries: list[tuple[Member, int, bytes]]) -> None:
        seen: dict[str, str] = {}
        folders: dict[str, str] = {}
        total = 0
        for member, _, _ in entries:
            problem = name_problem(member.name)
            if problem is None:
                key = fold(member.name)
                parts = key.split("/")
                for depth in range(1, len(parts)):
                    folders.setdefault("/".join(parts[:depth]), member.name)
                other = seen.get(key)
                if other == member.name:
                    problem = "a name that appears twice"
                elif other is not None:
                    problem = (
                        f"a name that differs from {other[:80]!r} only by case or Unicode normalisation: "
                        "extracted on Windows or macOS, one overwrites the other"
                    )
                seen.setdefault(key, member.name)
            if problem:
                self.refuse(f"refused: {problem}; nothing was read", member.name[:200])
            total += member.size
        for key, name in seen.items():
            if key in folders:
                self.refuse(
                    "refused: a name used both as a file and as a folder; nothing was read", name[:200]
                )
        if total > MAX_TOTAL_SIZE:
            self.refuse(f"members total {total} bytes, over the {MAX_TOTAL_SIZE} limit; nothing was read")

    # (d) the local entries
    def _locals(self, entries: list[tuple[Member, int, bytes]], cd_offset: int) -> None:
        expected = 0
        for member, flags, raw in entries:
            if member.offset != expected:
                where = (
                    "hidden bytes or a local entry outside the central directory"
                    if member.offset > expected
                    else "an overlap"
                )
                self.refuse(
                    f"refused: {where} before it (byte {expected} to {member.offset}); nothing was read",
                    member.name,
                )
                return
            header = self.read_at(member.offset, LOCAL.size)
            fields = LOCAL.unpack(header)
            sig, _, local_flags, method, _, _, crc, csize, size, name_len, extra_len = fields
            local = (
                self.read_at(member.offset + LOCAL.size, name_len + extra_len) if sig == LOCAL_SIG else b""
            )
            extras = _extras(local[name_len:]) if sig == LOCAL_SIG else "no local header"
            if isinstance(extras, str):
                self.refuse(f"refused: its local header has {extras}; nothing was read", member.name)
                return
            sizes = _zip64_sizes(extras.get(ZIP64_EXTRA), size, csize, 0, local=True)
            problems = _extra_problems(extras)
            for problem in problems:
                self.refuse(f"refused: its local header has {problem}; nothing was read", member.name)
            if problems:
                return
            said = (local[:name_len], local_flags, method, crc, *(sizes or (-1, -1))[:2])
            if said != (raw, flags, member.method, member.crc, member.size, member.compress_size):
                self.refuse(
                    "the member is damaged: its local header does not say what the central directory says "
                    "(name, flags, method, CRC or sizes); a streaming reader would extract something else",
                    member.name,
                    DAMAGED,
                )
                return
            data_offset = member.offset + LOCAL.size + name_len + extra_len
            self.layout.members.append(
                Member(
                    member.name,
                    member.offset,
                    data_offset,
                    member.compress_size,
                    member.size,
                    member.crc,
                    member.method,
                )
            )
            expected = data_offset + member.compress_size
        if expected != cd_offset:
            self.refuse(
                f"{cd_offset - expected} bytes between the last member and the central directory that no member "
                "holds (local entries outside the central directory, which streaming readers extract); nothing "
                "was read"
            )
            self.layout.members.clear()


def _decode(raw: bytes, flags: int) -> str | None:
    try:
        return raw.decode("utf-8") if flags & UTF8_FLAG else raw.decode("ascii")
    except UnicodeDecodeError:
        return None


def _extras(extra: bytes) -> dict[int, bytes] | str:
    """The extra fields by id, or what is wrong with them."""
    if len(extra) > MAX_EXTRA_BYTES:
        return f"{len(extra)} bytes of extra fields"
    found: dict[int, bytes] = {}
    at = 0
    while at < len(extra):
        if at + 4 > len(extra):
            return "a malformed extra field"
        ident, length = struct.unpack_from("<HH", extra, at)
        if at + 4 + length > len(extra) or ident in found:
            return "a malformed extra field"
        found[ident] = extra[at + 4 : at + 4 + length]
        at += 4 + length
    return found


def _zip64_sizes(
    data: bytes | None, size: int, csize: int, offset: int, *, local: bool = False
) -> tuple[int, int, int] | None:
    """(size, compressed size, offset) with the saturated ones read from the ZIP64 extra field ``data``; None
    when it does not hold exactly those (a local header's holds both sizes when either is saturated)."""
    wanted = [size == SATURATED_32, csize == SATURATED_32, offset == SATURATED_32]
    if local and (wanted[0] or wanted[1]):
        wanted[0] = wanted[1] = True
    if data is None:
        return None if any(wanted) else (size, csize, offset)
    if len(data) != 8 * sum(wanted):
        return None
    values = iter(struct.unpack(f"<{sum(wanted)}Q", data))
    size, csize, offset = (
        next(values) if want else old for want, old in zip(wanted, (size, csize, offset), strict=True)
    )
    return size, csize, offset


def _extra_problems(extras: dict[int, bytes]) -> list[str]:
    problems = [
        f"{described} that gives it another name or comment in unzip"
        for ident, described in RENAMING_EXTRAS.items()
        if ident in extras
    ]
    return problems + [
        f"an extra field 0x{ident:04x} that not every reader interprets alike"
        for ident in sorted(extras)
        if ident not in HARMLESS_EXTRAS and ident not in RENAMING_EXTRAS
    ]


def _header_problems(
    flags: int, method: int, needs: int, extras: dict[int, bytes], csize: int, size: int
) -> list[str]:
    problems = _extra_problems(extras)
    if flags & 0x0041:
        problems.append("an encrypted member")
    elif flags & 0x0008:
        problems.append("a data descriptor after its data, which streaming readers handle differently")
    elif flags & ~ALLOWED_FLAGS:
        problems.append(f"general-purpose flags 0x{flags:04x} that not every reader honours")
    if method not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
        problems.append(f"compression method {method}: only stored and deflated are read alike everywhere")
    elif method == zipfile.ZIP_STORED and csize != size:
        problems.append("stored with a compressed size other than its size")
    if needs & 0xFF > 45:
        problems.append(f"zip version {needs & 0xFF} needed to extract it (a feature not every reader has)")
    return problems


def _attribute_problems(attributes: int) -> list[str]:
    mode = attributes >> 16
    kind = stat.S_IFMT(mode)
    if kind == stat.S_IFLNK:
        return ["a link or special file"]
    if kind == stat.S_IFDIR or attributes & 0x10:
        return ["a directory where a file is expected"]
    if kind not in (0, stat.S_IFREG) or attributes & 0x08:
        return ["a special file"]
    return []
