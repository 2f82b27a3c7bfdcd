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
import shutil
import tempfile
import uuid
from collections.abc import Callable, Iterator, Mapping, Sequence
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
from evidence.errors import InputError, StorageError
from evidence.models import Blob, ImportOptions, ImportWarning, Record, in_sane_range
from evidence.timeutil import iso_utc, local_now_description, utc_now

if TYPE_CHECKING:
    from evidence.case.signing import SigningKey
    from evidence.importers import Source
    from evidence.importers.base import Importer, Skip, Tally
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
    # What the importer saw and made ("12 of 14 rows read"); None for a plain file, a duplicate, or an importer
    # that keeps no count.
    tally: Tally | None = None


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
    # The tactic suggestions for the records (``evidence.analysis.suggested``): their blob, how many records the
    # tagger read and how many it suggested something for; None when it read none.
    suggestions_blob: Staged | None = None
    suggested: tuple[int, int] = (0, 0)
    tally: Tally | None = None
    origin: Path | None = None  # the folder an item was packed from (an iPhone backup), when not ``path``
    # Where the importer reads the bytes: the staged copy, or in an encrypted case (its staged copy is sealed)
    # the original itself, checked afterwards to still be the bytes staged (``check_unchanged``).
    read_path: Path | None = None
    temp_dir: Path | None = (
        None  # a folder of this item's own to remove when the import ends (a packed backup)
    )
    # Where the file came from, in words, when its path says nothing true (a file uploaded in the app and held
    # in memory for the import): recorded as ``original_path`` instead of the path.
    origin_text: str | None = None

    @property
    def source_path(self) -> Path:
        """The file the importer and OCR read (see ``read_path``)."""
        return self.read_path or self.staged.path

    def check_unchanged(self) -> None:
        """In an encrypted case, that the original read is still the bytes stored: InputError otherwise (a
        file changed while being imported would give records that are not of the stored original)."""
        if self.read_path is None:
            return
        from evidence.case.store import hash_file

        try:
            now = hash_file(self.read_path)[0]
        except OSError as exc:
            raise InputError(f"cannot read ({exc.strerror})", path=self.path) from None
        if now != self.staged.sha256:
            raise InputError(
                "the file changed while it was being imported; nothing was imported",
                path=self.path,
                hint="let whatever writes it finish, then import it again",
            )

    def cleanup(self) -> None:
        """Remove this item's own temporary folder, if any."""
        if self.temp_dir is not None:
            shutil.rmtree(self.temp_dir, ignore_errors=True)
            self.temp_dir = None

    def discard(self, case: CaseFolder) -> None:
        """Remove what this file staged (the original, its blobs and its records blob)."""
        self.cleanup()
        case.store.discard(self.staged)
        for _, staged in self.blobs:
            case.store.discard(staged)
        if self.records_blob:
            case.store.discard(self.records_blob)
        if self.suggestions_blob:
            case.store.discard(self.suggestions_blob)


def expand_inputs(paths: Sequence[Path]) -> list[Path]:
    """The files named by ``paths``; folders are walked (sorted, hidden entries skipped).

    An iPhone backup folder (``Manifest.db`` with ``Info.plist``) is one input, the folder itself, whether named
    or found while walking: the import packs it into one item (``importers/_iphone_backup_folder``).
    Raises InputError naming the first path that does not exist or is not a regular file.
    """
    from evidence.importers._iphone_backup_folder import is_backup

    files: list[Path] = []
    for path in paths:
        if not path.exists():
            raise InputError("no such file", path=path)
        if is_backup(path):
            files.append(path)
        elif path.is_dir():
            found = _walk(path, is_backup)
            if not found:
                raise InputError("folder holds no files", path=path)
            files.extend(found)
        elif path.is_file():
            files.append(path)
        else:
            raise InputError("not a regular file", path=path)
    return files


def _walk(folder: Path, is_backup: Callable[[Path], bool]) -> list[Path]:
    """The files under ``folder`` (sorted, hidden entries skipped), an iPhone backup folder as one entry."""
    found: list[Path] = []
    for root, dirs, names in os.walk(folder):
        base = Path(root)
        dirs[:] = [d for d in dirs if not d.startswith(".")]
        for d in list(dirs):
            if is_backup(base / d):
                found.append(base / d)
                dirs.remove(d)
        found.extend(base / n for n in names if not n.startswith(".") and (base / n).is_file())
    return sorted(found)


def import_files(
    case: CaseFolder,
    paths: Sequence[Path],
    *,
    options: ImportOptions | None = None,
    passphrase: PassphraseSource | str | None = None,
    progress: Callable[[str], None] | None = None,
    ocr_progress: Progress | None = None,
    backup_password: PassphraseSource | None = None,
    origins: Mapping[Path, str] | None = None,
    handed_over: Mapping[str, str] | None = None,
) -> ImportResult:
    """Store every file of ``paths`` and record its acquisition; all or nothing.

    Files are streamed into the store (bounded memory), their type detected from content, and each
    format an importer recognises is parsed into records, stored as a derived blob. If anything fails,
    no entry is appended and no object is left behind. Pictures are OCR'd first, in parallel
    (``ocr_progress(done, total)`` after each), unless the case already holds their OCR (same image,
    engine version and settings): that result is reused. An iPhone backup folder is packed into one item;
    an encrypted one is opened with ``$EVIDENCE_BACKUP_PASSWORD`` or ``backup_password()``. ``origins`` says,
    for a file of ``paths`` whose path is only where it is held for the import (the app's uploads), where it came
    from: recorded instead of the path, and given back as the item's ``path``.
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
                prepared.append(
                    prepare_backup(case, path, backup_password) if path.is_dir() else prepare(case, path)
                )
                prepared[-1].origin_text = (origins or {}).get(path)
            ocr = ocr_action.before_import(case, prepared, ocr_progress)
            for prep in prepared:
                derive_if_new(case, prep, opts, ocr)
            for prep in prepared:
                prep.check_unchanged()
            writer = Writer(case)
            with writer.lock():
                items = _commit(case, writer, prepared, opts, key, op, handed_over)
            for prep in prepared:
                prep.cleanup()
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
    if case.store.sealed:
        prep.read_path = path  # the staged copy is sealed: read the original (see Prepared.read_path)
    try:
        prep.media_type = media.detect(prep.source_path)
        prep.mismatch = media.extension_mismatch(path.name, prep.media_type)
        source = Source(prep.source_path, path.name, staged.sha256, staged.size, prep.media_type)
        with open(prep.source_path, "rb") as fh:
            head = fh.read(SNIFF_BYTES)
        prep.importer = find_importer(head, source)
    except BaseException:
        prep.discard(case)
        raise
    return prep


def prepare_backup(case: CaseFolder, folder: Path, password: PassphraseSource | None) -> Prepared:
    """Pack an iPhone backup folder into one zip, stage it like a file, and remember the folder it came from.

    An encrypted case packs it in memory-backed storage (``evidence.case.memtemp``) and reads it there until the
    import ends, so that nothing decrypted reaches the disk; StorageError when the system has none or the backup
    does not fit (``_iphone_backup_folder.pack``). A plain case packs it in the temporary folder and reads the
    staged copy."""
    from evidence.case.memtemp import memory_folder
    from evidence.importers._iphone_backup_folder import pack

    memory = memory_folder() if case.store.sealed else None
    if case.store.sealed and memory is None:
        raise StorageError(
            "this case is encrypted, so an iPhone backup is read in memory-backed storage (/dev/shm or "
            "$XDG_RUNTIME_DIR on tmpfs), and this system has none; nothing was imported",
            path=folder,
            hint="import it on a Linux system with /dev/shm, or into a plain case kept on an encrypted disk",
        )
    tmp = Path(tempfile.mkdtemp(prefix="evidence-backup-", dir=memory))
    try:
        prep = prepare(case, pack(folder, tmp, password, memory=memory))
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    prep.origin = folder
    if prep.read_path is None:
        shutil.rmtree(tmp, ignore_errors=True)  # read from the staged copy: the packed file is not needed
    else:
        prep.temp_dir = tmp  # an encrypted case reads the packed file itself, until the import ends
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
    source = Source(prep.source_path, prep.path.name, prep.staged.sha256, prep.staged.size, prep.media_type)
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
    """The records, warnings and blobs of ``source`` (see ``derive_if_new``), and what was read of it.

    The records go straight into the staged records blob as the importer yields them
    (``evidence.case.recordsblob.pieces``): none is held, and the index reads them back from the blob, record by
    record, inside the import's transaction. Warnings (few) and the importer's count (``Tally``, yielded last)
    are kept for the blob's end and the result."""
    from evidence.analysis.suggested import Batches
    from evidence.importers.base import Skip, Tally

    importer = prep.importer
    assert importer is not None
    counted: list[Tally] = []
    refused: list[Skip] = []
    tagger = Batches()

    def records() -> Iterator[dict[str, Any]]:
        for item in importer.parse_with(source, opts, ocr.get(source.sha256)):
            if isinstance(item, Tally):
                if counted:
                    raise ValueError(f"the {importer.name} importer counted {source.name} twice")
                counted.append(item)
            elif isinstance(item, Record) and not in_sane_range(item.occurred_at):
                prep.warnings.append(
                    ImportWarning(
                        item.locator,
                        f"the time {item.occurred_at.isoformat()} is before 1970 or after 2099, which no phone "
                        "or server writes (a forged or garbled line); this record is not recorded",
                    )
                )
                refused.append(Skip(item.locator, "time before 1970 or after 2099"))
            elif isinstance(item, Record):
                prep.record_count += 1
                tagger.add(item)
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
        if counted:  # the count, with the records the import refused (raises when nothing was read)
            prep.tally = _settle(source, counted[0], refused, prep.record_count, prep.warnings)
            tail["tally"] = prep.tally.to_json()
        tail["warnings"] = [w.to_json() for w in prep.warnings]

    stream = io.BufferedReader(_PiecesReader(recordsblob.pieces(head, ending(), tail)))
    try:
        prep.records_blob = case.store.stage_stream(stream, f"{source.name} records")
        found = tagger.results()
    finally:
        tagger.close()
    if tagger.read or tagger.deferred:  # records with no words (calls, a picture not yet read) need no set
        _stage_suggestions(case, prep, source.sha256, found, tagger.read, tagger.deferred)


def _stage_suggestions(
    case: CaseFolder, prep: Prepared, item_sha256: str, found: list[bytes], read: int, deferred: list[str]
) -> None:
    """Stage the suggestions blob of ``prep``'s records (``found``: its entries, of ``read`` records read)."""
    from evidence.analysis.suggested import blob_pieces

    assert prep.records_blob is not None
    pieces = blob_pieces(item_sha256, prep.records_blob.sha256, found, deferred)
    prep.suggestions_blob = case.store.stage_stream(
        io.BufferedReader(_PiecesReader(pieces)), f"{prep.path.name} tactic suggestions"
    )
    prep.suggested = (read, len(found))


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


# How many of the places skipped the one warning of a partly read item names.
SKIPS_NAMED = 3


def _settle(
    source: Source, tally: Tally, refused: list[Skip], records: int, warnings: list[ImportWarning]
) -> Tally:
    """The importer's ``tally`` with the records the import refused moved to its skipped units; raise
    InputError when nothing of a non-empty item was read, and put the one warning of a partly read item (how
    many units were skipped, the first few places) first in ``warnings``."""
    from evidence.importers.base import Tally

    # A refused record's unit was read but made nothing: it moves to the skipped (a screenshot's bubbles
    # are records beyond its units, so a unit is taken only while there are some left).
    moved = refused[: tally.made]
    settled = Tally(tally.unit, tally.seen, tally.made - len(moved), tally.skipped + tuple(moved))
    skipped = settled.skipped
    places = ", ".join(f"{skip.where} ({skip.why})" for skip in skipped[:SKIPS_NAMED])
    more = f", and {len(skipped) - SKIPS_NAMED} more (each warned)" if len(skipped) > SKIPS_NAMED else ""
    if records == 0 and settled.seen > 0:
        one = "entry" if settled.unit == "entries" else settled.unit.removesuffix("s")
        what = f"all {settled.seen} {settled.unit} were" if settled.seen > 1 else f"its one {one} was"
        raise InputError(f"nothing in it could be read; {what} skipped: {places}{more}", path=source.name)
    notes: list[ImportWarning] = []
    if skipped:
        notes.append(
            ImportWarning("file", f"{len(skipped)} of {settled.seen} {settled.unit} not read: {places}{more}")
        )
    if not settled.balanced:
        # An importer's own mistake, never the user's: said plainly rather than hidden.
        notes.append(
            ImportWarning(
                "file",
                f"the importer's count does not add up: {settled.seen} {settled.unit} seen, {settled.made} "
                f"read, {len(skipped)} skipped",
            )
        )
    warnings[:0] = notes
    return settled


def _commit(
    case: CaseFolder,
    writer: Writer,
    prepared: list[Prepared],
    opts: ImportOptions,
    key: SigningKey,
    op: str,
    handed_over: Mapping[str, str] | None = None,
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
            if prep.suggestions_blob:
                case.store.discard(prep.suggestions_blob)
            prep.blobs, prep.records_blob, prep.suggestions_blob = [], None, None
        else:
            to_place.extend(staged for _, staged in prep.blobs)
            if prep.records_blob:
                to_place.append(prep.records_blob)
            if prep.suggestions_blob:
                to_place.append(prep.suggestions_blob)
        seen.add(sha)
    with writer.placing(to_place, op):
        return [_append_item(case, writer, prep, opts, key, op, handed_over) for prep in prepared]


def _append_item(
    case: CaseFolder,
    writer: Writer,
    prep: Prepared,
    opts: ImportOptions,
    key: SigningKey,
    op: str,
    handed_over: Mapping[str, str] | None = None,
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
        "original_path": prep.origin_text or str((prep.origin or prep.path).absolute()),
        "file_mtime": iso_utc(_from_ns(prep.stat.st_mtime_ns)),
        "file_mtime_ns": str(prep.stat.st_mtime_ns),
        "acquired_local": local_now_description(now),
        "imported_by": actor(),
        "tool": tool_info(),
        "objects": [{"sha256": sha, "role": "original", "size": prep.staged.size}],
    }
    if handed_over:
        body["handed_over"] = dict(handed_over)
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
        records_entry = writer.append(key, Kind.RECORDS_DERIVED, derived)
        if prep.suggestions_blob is not None:
            from evidence.analysis.suggested import entry_body

            blob = prep.suggestions_blob
            body = entry_body(op, exhibit, sha, blob.sha256, blob.size, *prep.suggested)
            writer.append(
                key, Kind.TACTICS_SUGGESTED, {**body, "derived_seq": records_entry.seq, "tool": tool_info()}
            )
    return ImportedItem(
        path=prep.origin_text or str(prep.origin or prep.path),
        exhibit=exhibit,
        sha256=sha,
        size=prep.staged.size,
        media_type=prep.media_type,
        duplicate_of=existing,
        extension_mismatch=prep.mismatch,
        importer=prep.importer.name if prep.importer else None,
        records=prep.record_count if not existing else 0,
        warnings=tuple(prep.warnings) if not existing else (),
        tally=prep.tally if not existing else None,
    )


def _from_ns(ns: int) -> datetime:
    """A file time in nanoseconds as an aware UTC time, truncated to microseconds (no float rounding)."""
    seconds, rest = divmod(ns, 1_000_000_000)
    return datetime.fromtimestamp(seconds, UTC) + timedelta(microseconds=rest // 1000)
