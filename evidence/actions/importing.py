"""Importing: files into exhibits and records, all or nothing; diary entries as small imported files.

Each file is streamed into the store's staging area (bounded memory), its type detected from content, and the
first importer of the registry that claims it reads it into records (a derived blob). Pictures are OCR'd
first, in worker processes, before the transaction (``evidence.actions.ocr.before_import``). Only then, under
the writer lock, are the objects placed and every entry appended in one transaction
(``evidence.case.writer.Writer.placing``): if anything fails, no entry is appended and no object is left.
"""

from __future__ import annotations

import io
import os
import tempfile
import uuid
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from evidence.case import index, recordsblob
from evidence.case.folder import CaseFolder, PassphraseSource, actor, tool_info
from evidence.case.formats import Kind
from evidence.case.ledger import Head
from evidence.case.store import Staged
from evidence.case.writer import Writer
from evidence.errors import InputError, UsageError
from evidence.models import Blob, ImportOptions, ImportWarning, Record, in_sane_range
from evidence.timeutil import iso_utc, local_now_description, utc_now

if TYPE_CHECKING:
    from evidence.case.signing import SigningKey
    from evidence.importers import Source
    from evidence.importers.base import Importer
    from evidence.ocr.pool import Failed, Progress
    from evidence.ocr.worker import OcrOutcome


@dataclass(frozen=True)
class ImportedItem:
    """What happened to one file of an import."""

    path: str
    exhibit: str
    sha256: str
    size: int
    media_type: str
    duplicate_of: str | None  # the exhibit these bytes already were, when they were
    extension_mismatch: dict[str, Any] | None
    importer: str | None
    records: int
    warnings: tuple[ImportWarning, ...]


@dataclass(frozen=True)
class ImportResult:
    """The outcome of one (all or nothing) import."""

    op: str
    items: tuple[ImportedItem, ...]
    head: Head


@dataclass
class Prepared:
    """One file of an import, staged and (when an importer claims it) read; nothing the case can see yet."""

    path: Path
    staged: Staged
    stat: os.stat_result
    media_type: str
    mismatch: dict[str, Any] | None
    importer: Importer | None = None
    record_count: int = 0  # the records go to the staged blob as they are read; only their number is kept
    warnings: list[ImportWarning] = field(default_factory=list)
    blobs: list[tuple[Blob, Staged]] = field(default_factory=list)
    records_blob: Staged | None = None

    def discard(self, case: CaseFolder) -> None:
        """Remove what this file staged (the original, its blobs and its records blob)."""
        case.store.discard(self.staged)
        for _, staged in self.blobs:
            case.store.discard(staged)
        if self.records_blob:
            case.store.discard(self.records_blob)


def expand_inputs(paths: Sequence[Path]) -> list[Path]:
    """The files named by ``paths``; folders are walked (sorted, hidden entries skipped).

    Raises InputError naming the first path that does not exist or is not a regular file.
    """
    files: list[Path] = []
    for path in paths:
        if not path.exists():
            raise InputError("no such file", path=path)
        if path.is_dir():
            found = sorted(
                p
                for p in path.rglob("*")
                if p.is_file() and not any(part.startswith(".") for part in p.relative_to(path).parts)
            )
            if not found:
                raise InputError("folder holds no files", path=path)
            files.extend(found)
        elif path.is_file():
            files.append(path)
        else:
            raise InputError("not a regular file", path=path)
    return files


def import_files(
    case: CaseFolder,
    paths: Sequence[Path],
    *,
    options: ImportOptions | None = None,
    passphrase: PassphraseSource | str | None = None,
    progress: Callable[[str], None] | None = None,
    ocr_progress: Progress | None = None,
) -> ImportResult:
    """Store every file of ``paths`` and record its acquisition; all or nothing.

    Files are streamed into the store (bounded memory), their type detected from content, and each
    format an importer recognises is parsed into records, stored as a derived blob. If anything fails,
    no entry is appended and no object is left behind. Pictures are OCR'd first, in parallel
    (``ocr_progress(done, total)`` after each), unless the case already holds their OCR (same image,
    engine version and settings): that result is reused.
    """
    from evidence.actions import ocr as ocr_action

    files = expand_inputs(paths)
    opts = replace(options or ImportOptions(tz=str(case.genesis["tz"])), acquired_at=iso_utc(utc_now()))
    key = case.signing_key(passphrase)
    prepared: list[Prepared] = []
    op = str(uuid.uuid4())
    with case.store.session():
        try:
            for path in files:
                if progress:
                    progress(str(path))
                prepared.append(prepare(case, path))
            ocr = ocr_action.before_import(case, prepared, ocr_progress)
            for prep in prepared:
                derive_if_new(case, prep, opts, ocr)
            writer = Writer(case)
            with writer.lock():
                items = _commit(case, writer, prepared, opts, key, op)
            return ImportResult(op=op, items=tuple(items), head=case.head())
        except BaseException:
            for prep in prepared:
                prep.discard(case)
            raise


def prepare(case: CaseFolder, path: Path) -> Prepared:
    """Stage one file and find the importer that reads it, touching nothing the case can see."""
    from evidence import media
    from evidence.importers import SNIFF_BYTES, Source, find_importer

    try:
        stat = path.stat()
    except OSError as exc:
        raise InputError(f"cannot read ({exc.strerror})", path=path) from None
    staged = case.store.stage_file(path)
    prep = Prepared(path=path, staged=staged, stat=stat, media_type="", mismatch=None)
    try:
        prep.media_type = media.detect(staged.path)
        prep.mismatch = media.extension_mismatch(path.name, prep.media_type)
        source = Source(staged.path, path.name, staged.sha256, staged.size, prep.media_type)
        with open(staged.path, "rb") as fh:
            head = fh.read(SNIFF_BYTES)
        prep.importer = find_importer(head, source)
    except BaseException:
        prep.discard(case)
        raise
    return prep


def derive_if_new(
    case: CaseFolder, prep: Prepared, opts: ImportOptions, ocr: dict[str, OcrOutcome | Failed]
) -> None:
    """Derive the records of a staged file, unless its bytes are in the case already."""
    from evidence.importers import Source

    # Bytes already in the case were read when first acquired: a second acquisition records where they
    # came from again but derives nothing (no second parse, no second OCR). Re-checked at commit time.
    if prep.importer is None or index.exhibit_for(case.conn, prep.staged.sha256) is not None:
        return
    source = Source(prep.staged.path, prep.path.name, prep.staged.sha256, prep.staged.size, prep.media_type)
    try:
        _derive(case, prep, source, opts, ocr)
    except OverflowError as exc:
        # A date or number past what Python can hold that an importer did not catch (each handles the ones
        # it knows of): the file is refused, named, rather than the import crashing.
        raise InputError(
            f"a date or number in the file is out of range ({exc})", path=prep.path.name
        ) from None


def _derive(
    case: CaseFolder, prep: Prepared, source: Source, opts: ImportOptions, ocr: dict[str, OcrOutcome | Failed]
) -> None:
    """The records, warnings and blobs of ``source`` (see ``derive_if_new``).

    The records go straight into the staged records blob as the importer yields them
    (``evidence.case.recordsblob.pieces``): none is held, and the index reads them back from the blob, record by
    record, inside the import's transaction. Warnings (few) are kept for the blob's end and the result."""
    importer = prep.importer
    assert importer is not None

    def records() -> Iterator[dict[str, Any]]:
        for item in importer.parse_with(source, opts, ocr.get(source.sha256)):
            if isinstance(item, Record) and not in_sane_range(item.occurred_at):
                prep.warnings.append(
                    ImportWarning(
                        item.locator,
                        f"the time {item.occurred_at.isoformat()} is before 1970 or after 2099, which no phone "
                        "or server writes (a forged or garbled line); this record is not recorded",
                    )
                )
            elif isinstance(item, Record):
                prep.record_count += 1
                yield item.to_json()
            elif isinstance(item, ImportWarning):
                prep.warnings.append(item)
            else:
                prep.blobs.append((item, case.store.stage_bytes(item.data, item.locator)))

    head = {
        "importer": importer.name,
        "importer_version": importer.version,
        "item_sha256": source.sha256,
    }
    tail: dict[str, Any] = {}

    def ending() -> Iterator[dict[str, Any]]:
        yield from records()
        tail["warnings"] = [w.to_json() for w in prep.warnings]

    stream = io.BufferedReader(_PiecesReader(recordsblob.pieces(head, ending(), tail)))
    prep.records_blob = case.store.stage_stream(stream, f"{source.name} records")


class _PiecesReader(io.RawIOBase):
    """A readable binary stream over an iterator of byte pieces (what ``ObjectStore.stage_stream`` reads)."""

    def __init__(self, pieces: Iterator[bytes]) -> None:
        self._pieces = pieces
        self._buffer = b""

    def readable(self) -> bool:
        return True

    def readinto(self, target: Any) -> int:
        while not self._buffer:
            piece = next(self._pieces, None)
            if piece is None:
                return 0
            self._buffer = piece
        size = min(len(target), len(self._buffer))
        target[:size] = self._buffer[:size]
        self._buffer = self._buffer[size:]
        return size


def _commit(
    case: CaseFolder,
    writer: Writer,
    prepared: list[Prepared],
    opts: ImportOptions,
    key: SigningKey,
    op: str,
) -> list[ImportedItem]:
    """Under the writer lock: place the objects and append every entry of the import in one transaction."""
    to_place: list[Staged] = []
    seen: set[str] = set()
    for prep in prepared:
        to_place.append(prep.staged)
        sha = prep.staged.sha256
        if sha in seen or index.exhibit_for(case.conn, sha) is not None:
            # The same bytes again: one more acquisition entry, but their records were derived already.
            for _, staged in prep.blobs:
                case.store.discard(staged)
            if prep.records_blob:
                case.store.discard(prep.records_blob)
            prep.blobs, prep.records_blob = [], None
        else:
            to_place.extend(staged for _, staged in prep.blobs)
            if prep.records_blob:
                to_place.append(prep.records_blob)
        seen.add(sha)
    with writer.placing(to_place, op):
        return [_append_item(case, writer, prep, opts, key, op) for prep in prepared]


def _append_item(
    case: CaseFolder, writer: Writer, prep: Prepared, opts: ImportOptions, key: SigningKey, op: str
) -> ImportedItem:
    """Inside the import's transaction: the ``item.acquired`` entry of one file, and its ``records.derived``
    entry when it was read."""
    sha = prep.staged.sha256
    existing = index.exhibit_for(case.conn, sha)
    exhibit = existing or index.next_exhibit(case.conn)
    now = utc_now()
    body: dict[str, Any] = {
        "op": op,
        "exhibit": exhibit,
        "duplicate_of": existing,
        "sha256": sha,
        "size": prep.staged.size,
        "media_type": prep.media_type,
        "extension_mismatch": prep.mismatch,
        "original_name": prep.path.name,
        "original_path": str(prep.path.absolute()),
        "file_mtime": iso_utc(_from_ns(prep.stat.st_mtime_ns)),
        "file_mtime_ns": str(prep.stat.st_mtime_ns),
        "acquired_local": local_now_description(now),
        "imported_by": actor(),
        "tool": tool_info(),
        "objects": [{"sha256": sha, "role": "original", "size": prep.staged.size}],
    }
    writer.append(key, Kind.ITEM_ACQUIRED, body)
    if prep.importer is not None and prep.records_blob is not None:
        objects = [{"sha256": prep.records_blob.sha256, "role": "records", "size": prep.records_blob.size}]
        objects += [
            {"sha256": staged.sha256, "role": "attachment", "size": staged.size, "name": blob.name}
            for blob, staged in prep.blobs
        ]
        derived = {
            "op": op,
            "exhibit": exhibit,
            "item_sha256": sha,
            "importer": prep.importer.name,
            "importer_version": prep.importer.version,
            "options": opts.to_json(),
            "blob_sha256": prep.records_blob.sha256,
            "record_count": prep.record_count,
            "warning_count": len(prep.warnings),
            "tool": tool_info(),
            "objects": objects,
        }
        writer.append(key, Kind.RECORDS_DERIVED, derived)
    return ImportedItem(
        path=str(prep.path),
        exhibit=exhibit,
        sha256=sha,
        size=prep.staged.size,
        media_type=prep.media_type,
        duplicate_of=existing,
        extension_mismatch=prep.mismatch,
        importer=prep.importer.name if prep.importer else None,
        records=prep.record_count if not existing else 0,
        warnings=tuple(prep.warnings) if not existing else (),
    )


def add_diary_entry(
    case: CaseFolder,
    *,
    when: str,
    text: str,
    approximate: bool = False,
    where: str | None = None,
    witness: str | None = None,
    police_ref: str | None = None,
    passphrase: PassphraseSource | str | None = None,
) -> ImportResult:
    """Record a diary entry: the incident time as the user gives it, and the time it was written (now).

    The entry is written to a small JSON file which is imported like any original, so it becomes an
    exhibit that cannot be edited afterwards; corrections are new entries.
    """
    from evidence.importers.diary import diary_document

    if not text.strip():
        raise UsageError("the diary entry has no text", hint='--text "what happened"')
    try:
        incident = datetime.fromisoformat(when.strip().replace(" ", "T", 1))
    except ValueError:
        raise UsageError(
            f"--when {when!r} is not a date and time",
            hint='--when "2026-03-14 21:30" (case zone) or with +01:00',
        ) from None
    written = utc_now()
    entry = {
        "incident_at": incident.isoformat(),
        "approximate": approximate,
        "written_at": iso_utc(written),
        "text": text,
        "where": where,
        "witness": witness,
        "police_ref": police_ref,
    }
    with tempfile.TemporaryDirectory(prefix="evidence-diary-") as tmp:
        path = Path(tmp) / f"diary-{written:%Y%m%dT%H%M%S%fZ}.json"
        path.write_bytes(diary_document([entry]))
        return import_files(case, [path], passphrase=passphrase)


def _from_ns(ns: int) -> datetime:
    """A file time in nanoseconds as an aware UTC time, truncated to microseconds (no float rounding)."""
    seconds, rest = divmod(ns, 1_000_000_000)
    return datetime.fromtimestamp(seconds, UTC) + timedelta(microseconds=rest // 1000)
