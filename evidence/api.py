"""The library's front door: create and open cases, import files, read the ledger, verify.

Everything the CLI does goes through here; nothing here prints. A case folder is::

    my-case/
      evidence.db        SQLite (WAL): the ledger plus rebuildable projections
      evidence.lock      taken (flock) by the one writer at a time
      objects/sha256/ab/abcdef...   originals and derived blobs, read-only
      keys/case.key, case.pub       Ed25519 (private key 0600, encrypted when a passphrase is set)
"""

from __future__ import annotations

import base64
import contextlib
import fcntl
import getpass
import hashlib
import json
import os
import platform
import re
import socket
import sqlite3
import tempfile
import uuid
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any, BinaryIO
from zoneinfo import ZoneInfo

from evidence import __version__, media, timeline
from evidence.case import index, ledger
from evidence.case.canonical import canonical_bytes
from evidence.case.ledger import Entry, Head
from evidence.case.signing import CERTIFICATE_NAME, PUBLIC_NAME, PublicKey, SigningKey
from evidence.case.store import ObjectStore, Staged
from evidence.errors import CaseError, DependencyError, InputError, StorageError, UsageError
from evidence.importers import SNIFF_BYTES, Source, find_importer
from evidence.importers.base import Importer
from evidence.importers.diary import diary_document
from evidence.importers.screenshot import OcrOutcome, ScreenshotImporter
from evidence.models import Blob, ImportOptions, ImportWarning, Record
from evidence.ocr.pool import Failed, Job, Progress
from evidence.ocr.tesseract import Settings
from evidence.timeline import TimelineEntry
from evidence.timeutil import iso_utc, local_now_description, utc_now, zone

DB_NAME = "evidence.db"
LOCK_NAME = "evidence.lock"
FORMAT = "evidence-case/1"

PassphraseSource = Callable[[], str | None]


def tool_info() -> dict[str, str]:
    """The tool's name and version, and the Python it runs on: recorded in every entry that derives data."""
    return {"name": "evidence", "version": __version__, "python": platform.python_version()}


def actor() -> dict[str, str]:
    """Who is acting: the OS user and the host name."""
    try:
        user = getpass.getuser()
    except (KeyError, OSError):
        user = f"uid {os.getuid()}"
    return {"user": user, "host": socket.gethostname()}


def is_case(path: Path) -> bool:
    """Whether ``path`` is a case folder."""
    return (path / DB_NAME).is_file() and (path / "keys" / PUBLIC_NAME).is_file()


def find_case(start: Path | None = None) -> Path:
    """The case to act on: ``start`` (the -C flag) or ``$EVIDENCE_CASE`` or the current folder, searching
    upward from there as git does."""
    if start is None:
        env = os.environ.get("EVIDENCE_CASE")
        start = Path(env) if env else Path.cwd()
    start = start.absolute()
    if not start.exists():
        raise CaseError("no such folder", path=start, hint="check the -C path or $EVIDENCE_CASE")
    for candidate in (start, *start.parents):
        if is_case(candidate):
            return candidate
    raise CaseError(
        "not inside a case folder",
        path=start,
        hint="create one with 'evidence init DIR', or point -C (or $EVIDENCE_CASE) at one",
    )


def _connect(db_path: Path, *, readonly: bool = False) -> sqlite3.Connection:
    try:
        if readonly:
            conn = sqlite3.connect(f"{db_path.absolute().as_uri()}?mode=ro", uri=True, isolation_level=None)
        else:
            conn = sqlite3.connect(db_path, isolation_level=None)
        conn.execute("PRAGMA busy_timeout = 60000")
        if not readonly:
            conn.execute("PRAGMA journal_mode = WAL")
            conn.execute("PRAGMA synchronous = FULL")
    except sqlite3.Error as exc:
        raise CaseError(f"cannot open the case database ({exc})", path=db_path) from None
    return conn


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
class _Prepared:
    path: Path
    staged: Staged
    stat: os.stat_result
    media_type: str
    mismatch: dict[str, Any] | None
    importer: Importer | None = None
    records: list[Record] = field(default_factory=list)
    warnings: list[ImportWarning] = field(default_factory=list)
    blobs: list[tuple[Blob, Staged]] = field(default_factory=list)
    records_blob: Staged | None = None
    records_doc: dict[str, Any] | None = None  # what records_blob holds, for the index (not parsed back)


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


@dataclass(frozen=True)
class ReportWritten:
    """A report written to disk and recorded in the ledger."""

    path: Path
    sha256: str
    size: int
    built_from: Head  # the ledger head the report shows
    entry: Head  # the report.generated entry that records it


@dataclass(frozen=True)
class ExportWritten:
    """An export bundle written to disk and recorded in the ledger."""

    path: Path
    sha256: str
    size: int
    built_from: Head  # the ledger head the bundle carries
    entry: Head  # the export.created entry that records it
    files: int
    withheld: int
    selective: bool = False  # only the included exhibits' entries, with Merkle proofs (nothing else named)


@dataclass(frozen=True)
class Anchored:
    """A trusted timestamp obtained and recorded."""

    url: str
    covers: Head  # the checkpoint.signed entry the token is over (signed just before, with it)
    entry: Head  # the anchor.timestamped entry that records it
    gen_time: datetime  # the TSA's time (aware, UTC)
    serial: int
    tsa_name: str | None
    chain_checked: bool


class Case:
    """An open case folder."""

    def __init__(self, root: Path, conn: sqlite3.Connection, *, readonly: bool = False) -> None:
        self.root = root
        self.conn = conn
        self.readonly = readonly
        self.store = ObjectStore(root / "objects")
        genesis = self.conn.execute("SELECT body FROM ledger WHERE seq = 1").fetchone()
        if genesis is None:
            raise CaseError("the case database has no genesis entry", path=root / DB_NAME)
        self._genesis: dict[str, Any] = canonical_loads(genesis[0])
        # What the recovery of a killed writer did that the user should hear about (the CLI prints it).
        self.recovery_notes: list[str] = []

    # -- creating and opening ----------------------------------------------------------------------

    @classmethod
    def init(
        cls,
        path: Path,
        *,
        title: str,
        tz: str,
        passphrase: str | None = None,
        no_contact_since: date | None = None,
    ) -> Case:
        """Create a case folder at ``path`` (absent or empty) with a fresh key and a signed genesis entry."""
        zone(tz)  # validates
        if not title.strip():
            raise UsageError("the case needs a title", hint='--title "Harassment by A. Morgan"')
        if path.exists() and (not path.is_dir() or any(path.iterdir())):
            raise CaseError(
                "folder exists and is not empty", path=path, hint="choose a new folder for the case"
            )
        try:
            path.mkdir(parents=True, exist_ok=True)
            ObjectStore(path / "objects").create()
            key = SigningKey.generate()
            key.save(path / "keys", passphrase)
            conn = _connect(path / DB_NAME)
            ledger.create_schema(conn)
            index.create_schema(conn)
            index.set_version(conn)
            conn.execute("BEGIN IMMEDIATE")
            now = utc_now()
            body = {
                "format": FORMAT,
                "case_id": str(uuid.uuid4()),
                "title": title.strip(),
                "tz": tz,
                "no_contact_since": no_contact_since.isoformat() if no_contact_since else None,
                "public_key": key.public.raw.hex(),
                "key_fingerprint": key.public.fingerprint,
                "key_encrypted": bool(passphrase),
                "created_by": actor(),
                "created_local": local_now_description(now),
                "tool": tool_info(),
            }
            ledger.append(conn, key, "case.created", body)
            conn.execute("COMMIT")
            (path / LOCK_NAME).touch()
        except OSError as exc:
            raise StorageError(f"cannot create the case ({exc.strerror})", path=path) from None
        return cls(path, conn)

    @classmethod
    def open(cls, path: Path | None = None, *, readonly: bool = False) -> Case:
        """Open the case at ``path`` (or found from -C, $EVIDENCE_CASE or the current folder)."""
        root = find_case(path)
        if readonly:
            probe = _connect(root / DB_NAME, readonly=True)
            outdated = index.stored_version(probe) < index.INDEX_VERSION
            probe.close()
            if outdated and os.access(root / DB_NAME, os.W_OK):
                cls.open(root).close()  # re-index once; reading commands then see the current shape
        conn = _connect(root / DB_NAME, readonly=readonly)
        try:
            case = cls(root, conn, readonly=readonly)
            if not readonly and index.stored_version(conn) < index.INDEX_VERSION:
                case._reindex()
            return case
        except sqlite3.Error as exc:
            conn.close()
            raise CaseError(f"the case database is unusable ({exc})", path=root / DB_NAME) from None

    def _reindex(self) -> None:
        """Rebuild the projections of a case made by an older version, from its ledger (under the writer lock)."""
        with self._writer():
            if index.stored_version(self.conn) >= index.INDEX_VERSION:
                return  # another process did it while we waited for the lock
            entries = [(e, canonical_loads(e.body_text)) for e in self.entries()]
            self.conn.execute("BEGIN IMMEDIATE")
            try:
                index.migrate(self.conn, entries, self.store.read_bytes)
                self.conn.execute("COMMIT")
            except BaseException:
                self.conn.execute("ROLLBACK")
                raise

    def close(self) -> None:
        """Close the database."""
        self.conn.close()

    def __enter__(self) -> Case:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- facts ----------------------------------------------------------------------------------------

    @property
    def title(self) -> str:
        """The case's title."""
        return str(self._genesis["title"])

    @property
    def tz(self) -> ZoneInfo:
        """The case's default zone (applied to wall-clock times without one, and to display)."""
        return zone(str(self._genesis["tz"]))

    @property
    def public_key(self) -> PublicKey:
        """The key named by the genesis entry."""
        return PublicKey.from_hex(str(self._genesis["public_key"]))

    @property
    def genesis(self) -> dict[str, Any]:
        """The genesis entry's body."""
        return dict(self._genesis)

    def head(self) -> Head:
        """The newest entry's seq and hash."""
        return ledger.head(self.conn)

    def entries(self) -> Iterator[Entry]:
        """The ledger, in order."""
        return ledger.entries(self.conn)

    def exhibits(self) -> list[dict[str, Any]]:
        """Every distinct original: exhibit number, hash, name, type, size."""
        rows = self.conn.execute(
            "SELECT exhibit, sha256, seq, original_name, media_type, size FROM exhibits ORDER BY exhibit"
        ).fetchall()
        keys = ("exhibit", "sha256", "seq", "original_name", "media_type", "size")
        return [dict(zip(keys, row, strict=True)) for row in rows]

    def records(self) -> list[Record]:
        """Every record of the case, in time order."""
        rows = self.conn.execute("SELECT json FROM records ORDER BY occurred_at, id").fetchall()
        return [Record.from_json(json.loads(row[0])) for row in rows]

    def timeline(self) -> list[TimelineEntry]:
        """The records in time order, exact duplicates from overlapping exports merged (both sources named)."""
        exhibits = {e["sha256"]: e["exhibit"] for e in self.exhibits()}
        return timeline.build(self.records(), exhibits)

    def show_record(self, record_id: str) -> dict[str, Any]:
        """One record with where it came from and why each tactic tag was suggested (rule, description, words)."""
        from evidence.analysis import review
        from evidence.analysis.tactics import default_rules

        entry = next((e for e in self.timeline() if record_id in {s.record_id for s in e.sources}), None)
        if entry is None:
            raise UsageError(
                f"no record {record_id!r} in this case", hint="'timeline' shows each record's id"
            )
        rules = default_rules()
        tags = []
        for shown in review.tags_for(entry.record, review.decisions(self.entries()), rules):
            data = shown.to_json()
            if shown.rule is not None:
                rule = rules.rule(shown.rule)
                data["rule_description"] = rule.description
                data["rule_file"] = rule.source
            tags.append(data)
        return {**entry.to_json(), "raw": entry.record.raw, "tags": tags}

    def show(self, exhibit: str) -> dict[str, Any]:
        """Everything the case knows of one exhibit: the original, each acquisition, each derivation, its
        records and warnings, and (for pictures) what OCR read. Raises UsageError for an unknown number."""
        wanted = exhibit.strip().upper()
        found = [e for e in self.exhibits() if e["exhibit"] == wanted]
        if not found:
            raise UsageError(f"no exhibit {exhibit!r} in this case", hint="'evidence -C CASE log' lists them")
        item = found[0]
        sha = item["sha256"]
        acquisitions: list[dict[str, Any]] = []
        derivations: list[dict[str, Any]] = []
        warnings: list[dict[str, Any]] = []
        for entry in self.entries():
            if entry.kind not in {"item.acquired", "records.derived"}:
                continue
            body = canonical_loads(entry.body_text)
            if entry.kind == "item.acquired" and body.get("sha256") == sha:
                acquisitions.append(
                    {
                        "entry": entry.seq,
                        "recorded_at": entry.recorded_at,
                        "original_name": body.get("original_name"),
                        "original_path": body.get("original_path"),
                        "file_mtime": body.get("file_mtime"),
                        "imported_by": body.get("imported_by"),
                        "duplicate_of": body.get("duplicate_of"),
                        "extension_mismatch": body.get("extension_mismatch"),
                        "tool": body.get("tool"),
                    }
                )
            elif entry.kind == "records.derived" and body.get("item_sha256") == sha:
                derivations.append(
                    {
                        "entry": entry.seq,
                        "importer": body.get("importer"),
                        "importer_version": body.get("importer_version"),
                        "options": body.get("options"),
                        "record_count": body.get("record_count"),
                        "blob_sha256": body.get("blob_sha256"),
                    }
                )
                blob = canonical_loads(self.store.read_bytes(body["blob_sha256"]).decode("utf-8"))
                warnings.extend(blob.get("warnings", []))
        records = [r for r in self.records() if r.item_sha256 == sha]
        shown: dict[str, Any] = {
            **item,
            "acquisitions": acquisitions,
            "derivations": derivations,
            "warnings": warnings,
            "records": [{**r.to_json(), "occurred_at": r.occurred_at.isoformat()} for r in records],
        }
        results = index.ocr_results_of(self.conn, sha)
        if results:
            newest = results[-1]
            words = canonical_loads(self.store.read_bytes(newest["blob_sha256"]).decode("utf-8"))
            permille = words.get("mean_confidence_permille")
            shown["ocr"] = {
                "text": words.get("text") or "",
                "engine": f"{newest['engine']} {newest['engine_version']}",
                "settings": {**newest["settings"]["ocr"], "preprocess": newest["settings"]["preprocess"]},
                # percent, as tesseract reports it
                "mean_confidence": permille / 10 if permille is not None else 0.0,
                "words": words.get("words", []),
                "blob_sha256": newest["blob_sha256"],
                "entry": newest["entry"],
                "cache_key": newest["cache_key"],
            }
            shown.update(_layout_shown(words))
            # Earlier results, oldest first: kept in the ledger and the store, never replaced.
            shown["ocr_earlier"] = [
                {
                    "entry": r["entry"],
                    "engine": f"{r['engine']} {r['engine_version']}",
                    "settings": r["settings"],
                    "blob_sha256": r["blob_sha256"],
                    "cache_key": r["cache_key"],
                }
                for r in results[:-1]
            ]
        return shown

    # -- writing --------------------------------------------------------------------------------------

    def _signing_key(self, passphrase: PassphraseSource | str | None) -> SigningKey:
        keys_dir = self.root / "keys"
        secret: str | None
        if callable(passphrase):
            secret = passphrase() if SigningKey.is_encrypted(keys_dir) else None
        else:
            secret = passphrase
        key = SigningKey.load(keys_dir, secret)
        if key.public != self.public_key:
            raise CaseError(
                "keys/case.key is not the key this case was created with",
                path=keys_dir / "case.key",
                hint="restore the case's own key; run 'evidence verify'",
            )
        return key

    @contextlib.contextmanager
    def _writer(self) -> Iterator[None]:
        """The one-writer-at-a-time lock, with recovery from a writer that died mid-import."""
        if self.readonly:
            raise CaseError("the case was opened read-only")
        lock_path = self.root / LOCK_NAME
        try:
            fd = os.open(lock_path, os.O_RDWR | os.O_CREAT, 0o644)
        except OSError as exc:
            raise StorageError(f"cannot lock the case ({exc.strerror})", path=lock_path) from None
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            self._recover()
            yield
        finally:
            os.close(fd)

    def _recover(self) -> None:
        """Undo what a killed import left: placed objects no committed entry names, and staging files; finish
        or clean what a killed report/export left (see ``_recover_outputs``)."""
        self._recover_outputs()
        pending = self.conn.execute("SELECT DISTINCT sha256 FROM pending_objects").fetchall()
        if pending:
            named = self._named_objects()
            for (sha,) in pending:
                if sha not in named:
                    self.store.remove(sha)
            self.conn.execute("DELETE FROM pending_objects")
        self.store.collect_abandoned_stages()

    def _outputs_journal(self) -> None:
        """The journal of report/export files being written (created here, so cases made before it get it)."""
        self.conn.execute(
            "CREATE TABLE IF NOT EXISTS pending_outputs ("
            "tmp TEXT PRIMARY KEY, target TEXT NOT NULL, kind TEXT NOT NULL, sha256 TEXT, seq INTEGER)"
        )

    def _recover_outputs(self) -> None:
        """Finish or clean the report/export files a killed writer left at their temporary names.

        Each output is journalled in ``pending_outputs`` before its temporary file is written; the row gets
        the file's SHA-256 and entry number in the transaction that commits the entry, and is deleted once the
        file is renamed into place. So a row without an entry number is an output whose entry never committed:
        its temporary file is removed. A row with one whose temporary file is still there was killed between
        the commit and the rename: the file is renamed into place if its hash is the one the entry records
        (and the target is free), else removed or left, with a note in ``recovery_notes``.
        """
        self._outputs_journal()
        rows = self.conn.execute("SELECT tmp, target, kind, sha256, seq FROM pending_outputs").fetchall()
        for tmp_name, target_name, kind, sha, seq in rows:
            tmp, target = Path(tmp_name), Path(target_name)
            if seq is None:
                tmp.unlink(missing_ok=True)
            elif tmp.exists():
                self._finish_output(tmp, target, kind, str(sha), int(seq))
            self.conn.execute("DELETE FROM pending_outputs WHERE tmp = ?", (tmp_name,))

    def _finish_output(self, tmp: Path, target: Path, kind: str, sha: str, seq: int) -> None:
        try:
            actual = _file_sha256(tmp)
            if actual != sha:
                tmp.unlink()
                self.recovery_notes.append(
                    f"{tmp}: removed; a killed {kind} (entry {seq}) left it, but its SHA-256 is not the recorded "
                    f"{sha[:16]}...: run the command again"
                )
                return
            if target.exists() and _file_sha256(target) != sha:
                self.recovery_notes.append(
                    f"{tmp}: the complete output of {kind} entry {seq}, left by a killed run; not moved to "
                    f"{target}, which holds another file: rename it yourself"
                )
                return
            os.replace(tmp, target)
            _fsync_dir(target.parent)
        except OSError as exc:
            # Not an error of the command now running: say so, and do not try again at every later command.
            self.recovery_notes.append(
                f"{tmp}: the output of a killed {kind} (entry {seq}) could not be moved to {target} "
                f"({exc.strerror}); move it yourself"
            )
            return
        self.recovery_notes.append(
            f"{target}: written from the complete file a killed {kind} (entry {seq}) left at {tmp.name}"
        )

    def _named_objects(self) -> set[str]:
        named: set[str] = set()
        for entry in self.entries():
            body = canonical_loads(entry.body_text)
            for obj in body.get("objects", []) if isinstance(body, dict) else []:
                named.add(obj["sha256"])
        return named

    def import_files(
        self,
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
        files = expand_inputs(paths)
        opts = replace(options or ImportOptions(tz=str(self._genesis["tz"])), acquired_at=iso_utc(utc_now()))
        key = self._signing_key(passphrase)
        prepared: list[_Prepared] = []
        placed: list[str] = []
        op = str(uuid.uuid4())
        with self.store.session():
            return self._import_staged(files, opts, key, progress, prepared, placed, op, ocr_progress)

    def _import_staged(
        self,
        files: list[Path],
        opts: ImportOptions,
        key: SigningKey,
        progress: Callable[[str], None] | None,
        prepared: list[_Prepared],
        placed: list[str],
        op: str,
        ocr_progress: Progress | None = None,
    ) -> ImportResult:
        try:
            for path in files:
                if progress:
                    progress(str(path))
                prepared.append(self._prepare(path, opts, derive=False))
            ocr = self._ocr_before_import(prepared, ocr_progress)
            for prep in prepared:
                self._derive_if_new(prep, opts, ocr)
            with self._writer():
                try:
                    return self._commit(prepared, opts, key, op, placed)
                except BaseException:
                    # Still holding the writer lock: undo exactly what this import placed.
                    for sha in placed:
                        self.store.remove(sha)
                    placed.clear()
                    with contextlib.suppress(sqlite3.Error):
                        self.conn.execute("DELETE FROM pending_objects WHERE op = ?", (op,))
                    raise
        except BaseException:
            for prep in prepared:
                self.store.discard(prep.staged)
                for _, staged in prep.blobs:
                    self.store.discard(staged)
                if prep.records_blob:
                    self.store.discard(prep.records_blob)
            raise

    def add_diary_entry(
        self,
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
            return self.import_files([path], passphrase=passphrase)

    # -- people and their identifiers -------------------------------------------------------------------

    @property
    def region(self) -> str:
        """The default phone region (``GB`` for Europe/London), from the case's zone; ``GB`` when the zone
        names no single country (``UTC``)."""
        from evidence.analysis.identity import region_for_zone

        return region_for_zone(str(self._genesis["tz"])) or "GB"

    def people(self) -> list[Any]:
        """The people of the case (``evidence.analysis.people.Person``), by name."""
        from evidence.analysis import people

        return people.load(self.conn)

    def resolver(self) -> Any:
        """An ``evidence.analysis.people.Resolver`` for this case's people and region."""
        from evidence.analysis import people

        return people.Resolver(people.load(self.conn), self.region)

    def stats(self, *, since: date | None = None, person: str | None = None) -> dict[str, Any]:
        """Counts of contact attempts, bursts and gaps (``evidence.analysis.stats``), JSON-ready."""
        from evidence.analysis import people, stats

        if person is not None:
            person = people.find(self.people(), person).name
        raw = self.settings().get("no_contact_since")
        return stats.compute(
            self.timeline(),
            self.resolver(),
            self.tz,
            no_contact_since=date.fromisoformat(raw) if raw else None,
            since=since,
            person=person,
        )

    def search(self, query: str) -> list[Any]:
        """Records whose text matches ``query`` (``evidence.analysis.search.Hit``), in time order."""
        from evidence.analysis.search import search

        return search(self.conn, query)

    SETTABLE = ("title", "no_contact_since", "police_ref", "protection_order")

    def settings(self) -> dict[str, Any]:
        """The case's facts: the genesis entry's, with every later ``case.updated`` entry applied in order."""
        merged = dict(self._genesis)
        merged.setdefault("police_ref", None)
        merged.setdefault("protection_order", None)
        for entry in ledger.entries_of_kind(self.conn, "case.updated"):
            merged.update(canonical_loads(entry.body_text)["set"])
        return merged

    def set_facts(self, *, passphrase: PassphraseSource | str | None = None, **facts: str | None) -> Head:
        """Change case facts (title, no-contact date, police reference, protection order): a ``case.updated``
        entry; the earlier values stay in the ledger."""
        unknown = set(facts) - set(self.SETTABLE)
        if unknown or not facts:
            raise UsageError(
                f"nothing to set{'' if not unknown else ': unknown ' + ', '.join(sorted(unknown))}",
                hint="--title, --no-contact-since, --police-ref or --protection-order",
            )
        if "title" in facts and not (facts["title"] or "").strip():
            raise UsageError("the case needs a title")
        if facts.get("no_contact_since"):
            try:
                date.fromisoformat(str(facts["no_contact_since"]))
            except ValueError:
                raise UsageError(f"{facts['no_contact_since']!r} is not a date like 2026-03-01") from None
        return self._append_entry("case.updated", {"set": facts, "by": actor()}, passphrase)

    def relays(self) -> dict[str, list[dict[str, Any]]]:
        """For each record id, what the ledger says about it being passed on by a third party."""
        found: dict[str, list[dict[str, Any]]] = {}
        for entry in ledger.entries_of_kind(self.conn, "record.relayed"):
            body = canonical_loads(entry.body_text)
            found.setdefault(str(body["record"]), []).append({**body, "entry": entry.seq})
        return found

    def mark_relayed(
        self,
        record_id: str,
        *,
        by: str,
        what: str | None = None,
        on_behalf_of: str | None = None,
        would_be_witness: bool | None = None,
        passphrase: PassphraseSource | str | None = None,
    ) -> Head:
        """Record that a record is contact passed on by a third party (who, for whom, what, whether they would be
        a witness): a ``record.relayed`` entry."""
        if not by.strip():
            raise UsageError("say who passed it on", hint='--by "Sam Patel"')
        if not any(record_id in {s.record_id for s in e.sources} for e in self.timeline()):
            raise UsageError(
                f"no record {record_id!r} in this case", hint="'timeline' shows each record's id"
            )
        body = {
            "record": record_id,
            "by": by.strip(),
            "on_behalf_of": on_behalf_of,
            "what": what,
            "would_be_witness": would_be_witness,
            "marked_by": actor(),
        }
        return self._append_entry("record.relayed", body, passphrase)

    def _tactic_counts(self, timeline: list[TimelineEntry] | None = None) -> dict[str, dict[str, int]]:
        """Per tactic, how many timeline entries (all, or those given) carry it confirmed, and how many only as
        a suggestion."""
        from evidence.analysis import review

        reviewed = review.decisions(self.entries())
        counts: dict[str, dict[str, int]] = {}
        for entry in self.timeline() if timeline is None else timeline:
            for shown in review.tags_for(entry.record, reviewed):
                if shown.status != review.REJECTED:
                    slot = counts.setdefault(shown.tactic, {"confirmed": 0, "suggested": 0})
                    slot[shown.status] += 1
        return counts

    def review_tag(
        self,
        record_id: str,
        tactic: str,
        decision: str,
        *,
        note: str | None = None,
        passphrase: PassphraseSource | str | None = None,
    ) -> Head:
        """Confirm or reject a tactic on a record: a ``tactic.reviewed`` ledger entry, never an edit."""
        from evidence.analysis import review
        from evidence.analysis.tactics import default_rules

        if decision not in (review.CONFIRMED, review.REJECTED):
            raise UsageError(f"decision {decision!r} is neither confirmed nor rejected")
        rules = default_rules()
        if tactic not in rules.tactics:
            raise UsageError(f"unknown tactic {tactic!r}", hint="one of: " + ", ".join(rules.tactics))
        record = next((r for r in self.records() if r.id == record_id), None)
        if record is None:
            raise UsageError(f"no record {record_id!r} in this case", hint="'timeline --json' shows each id")
        suggested = {t.tactic: t for t in review.tags_for(record, {}, rules)}
        hit = suggested.get(tactic)
        body = {
            "record": record_id,
            "tactic": tactic,
            "decision": decision,
            "note": note,
            "suggested_by_rule": hit.rule if hit else None,
            "words": hit.words if hit else None,
            "rules_fingerprint": review.rules_fingerprint(rules),
            "reviewed_by": actor(),
        }
        return self._append_entry("tactic.reviewed", body, passphrase)

    def _append_entry(
        self, kind: str, body: dict[str, Any], passphrase: PassphraseSource | str | None
    ) -> Head:
        """Append one entry that derives nothing from files (people, links) and project it."""
        key = self._signing_key(passphrase)
        with self._writer():
            self.conn.execute("BEGIN IMMEDIATE")
            try:
                if kind in ("person.added", "person.linked"):
                    from evidence.analysis import people
                    from evidence.analysis.identity import Identifier

                    from_idents = [Identifier(**i) for i in body.get("identities", [])]
                    if kind == "person.linked":
                        from_idents.append(Identifier(**body["identity"]))
                    people.check_free(people.load(self.conn), from_idents, str(body["name"]))
                entry = ledger.append(self.conn, key, kind, body)
                index.apply(self.conn, entry, body, self.store.read_bytes)
                self.conn.execute("COMMIT")
            except BaseException:
                self.conn.execute("ROLLBACK")
                raise
        return Head(entry.seq, entry.hash)

    def add_person(
        self,
        name: str,
        *,
        role: str,
        ids: Sequence[str] = (),
        region: str | None = None,
        basis: str | None = None,
        confidence: str = "confirmed",
        passphrase: PassphraseSource | str | None = None,
    ) -> Head:
        """Record a ``person.added`` entry: a person, their role and the identifiers known to be theirs."""
        from evidence.analysis import people

        if not name.strip():
            raise UsageError(
                "the person needs a name", hint='evidence person add "Alex Morgan" --role respondent'
            )
        if role not in people.ROLES:
            raise UsageError(f"unknown role {role!r}", hint="one of " + ", ".join(people.ROLES))
        if any(p.name.casefold() == name.strip().casefold() for p in people.load(self.conn)):
            raise UsageError(f"{name.strip()!r} is already a person of this case", hint="use 'person link'")
        chosen = (region or self.region).upper()
        idents = people.parse_ids(ids, chosen)
        body = {
            "name": name.strip(),
            "role": role,
            "region": chosen,
            "identities": [i.to_json() for i in idents],
            "basis": basis,
            "confidence": confidence,
            "recorded_by": actor(),
            "tool": tool_info(),
        }
        return self._append_entry("person.added", body, passphrase)

    def link_person(
        self,
        name: str,
        identifier: str,
        *,
        basis: str,
        confidence: str = "suspected",
        unlink: bool = False,
        passphrase: PassphraseSource | str | None = None,
    ) -> Head:
        """Record a ``person.linked`` (or ``person.unlinked``) entry for one identifier, with its basis."""
        from evidence.analysis import people

        person = people.find(people.load(self.conn), name)
        if not basis.strip():
            raise UsageError("say why: --basis is required", hint='--basis "admitted in text of 2026-03-04"')
        ident = people.parse_ids([identifier], (person.region or self.region))[0]
        body: dict[str, Any] = {"name": person.name, "identity": ident.to_json(), "basis": basis.strip()}
        if unlink:
            if all(
                (lk.identifier.kind, lk.identifier.value) != (ident.kind, ident.value) for lk in person.links
            ):
                raise UsageError(f"{identifier!r} is not linked to {person.name}", hint="see 'person list'")
        else:
            if confidence not in people.CONFIDENCE:
                raise UsageError(f"unknown confidence {confidence!r}", hint="confirmed or suspected")
            body["confidence"] = confidence
        body["recorded_by"] = actor()
        body["tool"] = tool_info()
        return self._append_entry("person.unlinked" if unlink else "person.linked", body, passphrase)

    # -- the report -----------------------------------------------------------------------------------

    def render_report(
        self,
        *,
        profile: str = "lawyer",
        templates: Path | None = None,
        generated_at: datetime | None = None,
        bates_prefix: str = "EVD",
        since: date | None = None,
        until: date | None = None,
        person: str | None = None,
        redact: bool = False,
    ) -> bytes:
        """The PDF report of the case as it stands, as bytes; nothing is written or recorded.

        Deterministic: the same case and options give the same bytes. The generation time shown (and the
        PDF's creation date) is ``generated_at`` when given, else the time the ledger head was recorded.
        """
        from evidence.report import ReportData, load_profile, render

        chosen = load_profile(profile, templates)
        entries = list(self.entries())
        head = Head(entries[-1].seq, entries[-1].hash)
        when = generated_at or datetime.fromisoformat(entries[-1].recorded_at)
        if when.tzinfo is None:
            raise UsageError(
                "the generation time needs an offset", hint="--generated-at 2026-04-15T10:00:00+01:00"
            )
        shown = self._report_selection(since=since, until=until, person=person, redact=redact)
        data = ReportData(
            title=str(self.settings()["title"]),
            tz=self.tz,
            tz_name=str(self._genesis["tz"]),
            genesis=self.settings(),
            stats=shown.pop("stats"),
            tactics=self._tactic_counts(shown["timeline"]),
            head=head,
            generated_at=when,
            key_fingerprint=self.public_key.fingerprint,
            tool={"name": "evidence", "version": __version__},
            entries=entries,
            bates_prefix=bates_prefix,
            options={"custom_templates": templates is not None},
            **shown,
        )
        return render(data, chosen)

    def _report_selection(
        self, *, since: date | None, until: date | None, person: str | None, redact: bool
    ) -> dict[str, Any]:
        """What a report shows: the timeline and exhibits a filter keeps (the others withheld, counted), the
        statistics of what is shown, the people, the stored pictures with their OCR words, the redactor."""
        from collections import Counter

        from evidence.analysis import people as people_mod
        from evidence.analysis import stats as stats_mod
        from evidence.analysis.select import select
        from evidence.report.redact import Redactor
        from evidence.report.screens import Screen, words_from_blob

        if since is not None and until is not None and until < since:
            raise UsageError(f"--until {until} is before --since {since}", hint="swap the two dates")
        full = self.timeline()
        everyone = self.people()
        resolver = self.resolver()
        filters: dict[str, str] = {}
        if since is not None:
            filters["since"] = since.isoformat()
        if until is not None:
            filters["until"] = until.isoformat()
        if person is not None:
            person = people_mod.find(everyone, person).name
            filters["person"] = person
        timeline = select(full, self.tz, resolver=resolver, person=person, since=since, until=until)
        all_exhibits = self.exhibits()
        if filters:
            used = {s.exhibit for e in timeline for s in e.sources}
            per_exhibit = Counter(s.exhibit for e in full for s in e.sources if s.exhibit not in used)
            exhibits = [e for e in all_exhibits if e["exhibit"] in used]
            withheld = [
                {"exhibit": e["exhibit"], "sha256": e["sha256"], "records": per_exhibit.get(e["exhibit"], 0)}
                for e in all_exhibits
                if e["exhibit"] not in used
            ]
        else:
            exhibits, withheld = all_exhibits, []
        raw_nc = self.settings().get("no_contact_since")
        stats = stats_mod.compute(
            timeline, resolver, self.tz, no_contact_since=date.fromisoformat(raw_nc) if raw_nc else None
        )
        shown_items = {e["sha256"] for e in exhibits}
        screens: dict[str, Screen] = {}
        for entry in timeline:
            rec = entry.record
            if rec.item_sha256 in screens or rec.item_sha256 not in shown_items:
                continue
            width, height = rec.raw.get("width"), rec.raw.get("height")
            if rec.channel.value != "screenshot" or not isinstance(width, int) or not isinstance(height, int):
                continue
            ocr = rec.raw.get("ocr")
            words: tuple[Any, ...] = ()
            if isinstance(ocr, dict) and isinstance(ocr.get("blob_sha256"), str):
                blob = canonical_loads(self.store.read_bytes(ocr["blob_sha256"]).decode("utf-8"))
                words = words_from_blob(blob)
            screens[rec.item_sha256] = Screen(
                path=self.store.path_for(rec.item_sha256),
                width=width,
                height=height,
                is_jpeg=rec.raw.get("format") == "JPEG",
                words=words,
            )
        redactor = Redactor.build(everyone, full, self.region) if redact else None
        if redactor is not None:
            redactor.number(timeline)
        return {
            "timeline": timeline,
            "exhibits": exhibits,
            "stats": stats,
            "people": everyone,
            "screens": screens,
            "filters": filters,
            "withheld": withheld,
            "withheld_records": len(full) - len(timeline),
            "redactor": redactor,
        }

    def _publish(
        self,
        path: Path,
        what: str,
        kind: str,
        write: Callable[[BinaryIO], dict[str, Any]],
        passphrase: PassphraseSource | str | None,
    ) -> tuple[Entry, dict[str, Any]]:
        """Write an output file (a report, a bundle) and record it, in the order that keeps both consistent.

        ``write`` fills a temporary file beside ``path`` and returns the entry's body; under the writer lock the
        file is fsynced, the ``kind`` entry appended in one transaction, and only then the file renamed into
        place and its folder fsynced. The temporary file is journalled (``pending_outputs``) before it is written:
        a failure before the commit leaves nothing, and a kill leaves a temporary file that the next writer
        removes (no entry) or renames into place (the entry committed; see ``_recover_outputs``).
        """
        key = self._signing_key(passphrase)
        with self._writer():
            tmp = path.parent / f".{path.name}.{uuid.uuid4().hex[:12]}.tmp"
            tmp_name = str(tmp)
            try:
                path.parent.mkdir(parents=True, exist_ok=True)
                # Journalled before the file exists, so that the next writer removes the temporary file if
                # this one dies before its entry commits, and renames it into place if it dies after
                # (``_recover_outputs``).
                self.conn.execute(
                    "INSERT INTO pending_outputs (tmp, target, kind) VALUES (?, ?, ?)",
                    (tmp_name, str(path), kind),
                )
                os.close(os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
            except OSError as exc:
                with contextlib.suppress(sqlite3.Error):
                    self.conn.execute("DELETE FROM pending_outputs WHERE tmp = ?", (tmp_name,))
                raise StorageError(f"cannot write the {what} ({exc.strerror})", path=path) from None
            try:
                with open(tmp, "w+b") as fh:
                    body = write(fh)
                    fh.flush()
                    os.fsync(fh.fileno())
                if not self.conn.in_transaction:  # ``write`` may have begun it (to sign a checkpoint first)
                    self.conn.execute("BEGIN IMMEDIATE")
                try:
                    entry = ledger.append(self.conn, key, kind, body)
                    self.conn.execute(
                        "UPDATE pending_outputs SET sha256 = ?, seq = ? WHERE tmp = ?",
                        (body["sha256"], entry.seq, tmp_name),
                    )
                    self.conn.execute("COMMIT")
                except BaseException:
                    self.conn.execute("ROLLBACK")
                    raise
                os.replace(tmp, path)
                _fsync_dir(path.parent)
                self.conn.execute("DELETE FROM pending_outputs WHERE tmp = ?", (tmp_name,))
            except OSError as exc:
                self._rollback_open()
                self._drop_output(tmp)
                raise StorageError(f"cannot write the {what} ({exc.strerror})", path=path) from None
            except BaseException:
                self._rollback_open()
                self._drop_output(tmp)
                raise
        return entry, body

    def _drop_output(self, tmp: Path) -> None:
        """Remove the temporary file of an output that failed, and its journal row unless its entry committed
        (then the next writer finishes it)."""
        with contextlib.suppress(sqlite3.Error):
            row = self.conn.execute("SELECT seq FROM pending_outputs WHERE tmp = ?", (str(tmp),)).fetchone()
            if row is not None and row[0] is not None:
                return
            self.conn.execute("DELETE FROM pending_outputs WHERE tmp = ?", (str(tmp),))
        tmp.unlink(missing_ok=True)

    def _rollback_open(self) -> None:
        """Roll back a transaction ``_publish``'s ``write`` began (a checkpoint) and nothing committed."""
        if self.conn.in_transaction:
            self.conn.execute("ROLLBACK")

    def report(
        self,
        path: Path,
        *,
        profile: str = "lawyer",
        templates: Path | None = None,
        generated_at: datetime | None = None,
        bates_prefix: str = "EVD",
        passphrase: PassphraseSource | str | None = None,
        sign: bool = False,
        tsa: str | None = None,
        since: date | None = None,
        until: date | None = None,
        person: str | None = None,
        redact: bool = False,
    ) -> ReportWritten:
        """Render the report, record a ``report.generated`` entry with its SHA-256, and write it to ``path``.

        The file is written to a temporary name beside ``path`` and fsynced first; the entry is appended under
        the writer lock in one transaction; only then is the file renamed into place. With ``sign`` the report
        gets a PAdES signature by the case's key (``evidence.report.sign``; an RFC 3161 timestamp from ``tsa``
        when given) and the entry records the signed file's hash, and the unsigned one as ``unsigned_sha256``.
        """
        built: dict[str, Any] = {}
        if tsa and not sign:
            raise UsageError("--tsa timestamps a signature", hint="add --sign")
        secret = self._passphrase_once(passphrase)  # the checkpoint signs, and maybe the certificate and PDF
        certificate = self.report_certificate(passphrase=secret) if sign else None

        def write(fh: BinaryIO) -> dict[str, Any]:
            with self._checkpoint_first(self._signing_key(secret)):
                built["from"] = self.head()
                pdf = self.render_report(
                    profile=profile,
                    templates=templates,
                    generated_at=generated_at,
                    bates_prefix=bates_prefix,
                    since=since,
                    until=until,
                    person=person,
                    redact=redact,
                )
            unsigned = hashlib.sha256(pdf).hexdigest()
            extra: dict[str, Any] = {}
            if certificate is not None:
                from evidence.report import sign as pades

                pdf = pades.sign(pdf, self._signing_key(secret), certificate, tsa_url=tsa)
                extra = {
                    "unsigned_sha256": unsigned,
                    "signature": {
                        "format": "PAdES B-T" if tsa else "PAdES B-B",
                        "subfilter": "ETSI.CAdES.detached",
                        "certificate_sha256": hashlib.sha256(certificate).hexdigest(),
                        "tsa": tsa,
                    },
                }
            fh.write(pdf)
            built["size"] = len(pdf)
            return {
                "file_name": path.name,
                "sha256": hashlib.sha256(pdf).hexdigest(),
                "size": len(pdf),
                "profile": profile,
                "bates_prefix": bates_prefix,
                "built_from": {"seq": built["from"].seq, "hash": built["from"].hash},
                "custom_templates": templates is not None,
                "filter": {
                    k: v
                    for k, v in (
                        ("since", since.isoformat() if since else None),
                        ("until", until.isoformat() if until else None),
                        ("person", person),
                    )
                    if v is not None
                },
                "redacted": redact,
                "generated_by": actor(),
                "tool": tool_info(),
                **extra,
            }

        path = path.absolute()
        entry, body = self._publish(path, "report", "report.generated", write, secret)
        pdf_size = int(built["size"])
        built_from: Head = built["from"]
        return ReportWritten(
            path=path,
            sha256=str(body["sha256"]),
            size=pdf_size,
            built_from=built_from,
            entry=Head(entry.seq, entry.hash),
        )

    # -- checkpoints (the Merkle tree over the ledger, see evidence.case.merkle) -----------------------------

    def checkpoint(self, *, passphrase: PassphraseSource | str | None = None) -> Entry:
        """Sign a checkpoint (case id, size, root) of the ledger as it stands and record it as a
        ``checkpoint.signed`` entry; it covers every entry before it. Returns that entry."""
        key = self._signing_key(passphrase)
        with self._writer():
            return self._append_checkpoint(key)

    def _append_checkpoint(self, key: SigningKey, *, commit: bool = True) -> Entry:
        """Under the writer lock: append a ``checkpoint.signed`` entry over every entry before it. With
        ``commit=False`` the transaction stays open, for the report or export entry to commit with it (so a
        failed or killed report or export leaves neither)."""
        from evidence.case.merkle import CHECKPOINT_KIND

        self.conn.execute("BEGIN IMMEDIATE")
        try:
            entry = ledger.append(self.conn, key, CHECKPOINT_KIND, self._checkpoint_body(key))
            if commit:
                self.conn.execute("COMMIT")
        except BaseException:
            self.conn.execute("ROLLBACK")
            raise
        return entry

    def _checkpoint_body(self, key: SigningKey) -> dict[str, Any]:
        """Inside the write transaction: the body of a ``checkpoint.signed`` entry over every entry so far."""
        from evidence.case.merkle import Checkpoint, checkpoint_body, ledger_tree

        hashes = [str(row[0]) for row in self.conn.execute("SELECT hash FROM ledger ORDER BY seq")]
        tree = ledger_tree(hashes)
        checkpoint = Checkpoint(str(self._genesis["case_id"]), tree.size, tree.root())
        return {**checkpoint_body(checkpoint, key), "tool": tool_info()}

    def _plan_checkpoint(self, key: SigningKey) -> tuple[Entry, dict[str, Any]]:
        """Under the writer lock: the ``checkpoint.signed`` entry that would be appended now (and its body),
        computed in a transaction that is rolled back; ``_append_with_objects(..., first=...)`` appends it
        again, identical, while the lock is still held."""
        from evidence.case.merkle import CHECKPOINT_KIND

        self.conn.execute("BEGIN IMMEDIATE")
        try:
            body = self._checkpoint_body(key)
            planned = ledger.append(self.conn, key, CHECKPOINT_KIND, body)
        finally:
            self.conn.execute("ROLLBACK")
        return planned, body

    @contextlib.contextmanager
    def _checkpoint_first(self, key: SigningKey) -> Iterator[Entry]:
        """Sign a checkpoint in a transaction left open for ``_publish`` to commit; rolled back on failure."""
        entry = self._append_checkpoint(key, commit=False)
        try:
            yield entry
        except BaseException:
            self.conn.execute("ROLLBACK")
            raise

    # -- the report's signing certificate ---------------------------------------------------------------

    def _passphrase_once(self, passphrase: PassphraseSource | str | None) -> str | None:
        """The passphrase asked for at most once, for commands that use the key more than once."""
        if callable(passphrase):
            return passphrase() if SigningKey.is_encrypted(self.root / "keys") else None
        return passphrase

    def report_certificate(self, *, passphrase: PassphraseSource | str | None = None) -> bytes:
        """The case key's self-signed X.509 certificate (DER) that signs reports.

        Made once, from the case key, its title and id and its creation time (so it is deterministic), and
        recorded in a ``key.certificate`` ledger entry (the certificate itself, hex, with its SHA-256) and in
        ``keys/case.crt`` (PEM, a copy for convenience); later calls return the recorded one.
        """
        for entry in self.entries():
            if entry.kind == "key.certificate":
                return bytes.fromhex(str(entry.body["certificate_der"]))
        key = self._signing_key(passphrase)
        der = key.self_signed_certificate(
            common_name=self.title,
            case_id=str(self._genesis["case_id"]),
            not_before=datetime.fromisoformat(next(self.entries()).recorded_at),
        )
        body = {
            "certificate_der": der.hex(),
            "certificate_sha256": hashlib.sha256(der).hexdigest(),
            "key_fingerprint": key.public.fingerprint,
            "purpose": "PAdES signatures of this case's reports",
            "by": actor(),
        }
        self._append_entry("key.certificate", body, passphrase)
        pem = base64.encodebytes(der).decode("ascii")
        try:
            (self.root / "keys" / CERTIFICATE_NAME).write_text(
                f"-----BEGIN CERTIFICATE-----\n{pem}-----END CERTIFICATE-----\n", encoding="ascii"
            )
        except OSError as exc:
            raise StorageError(
                f"cannot write the certificate ({exc.strerror})", path=self.root / "keys"
            ) from None
        return der

    def exhibits_matching(
        self, *, since: date | None = None, until: date | None = None, person: str | None = None
    ) -> list[str]:
        """The exhibits holding a record that passes ``timeline``'s filters (days of the case zone,
        inclusive; a person as sender or recipient)."""
        from evidence.analysis import people
        from evidence.analysis.select import select

        name = people.find(self.people(), person).name if person else None
        chosen = select(
            self.timeline(), self.tz, resolver=self.resolver(), person=name, since=since, until=until
        )
        return sorted({s.exhibit for e in chosen for s in e.sources if s.exhibit})

    # -- the export bundle ------------------------------------------------------------------------------

    def export(
        self,
        path: Path,
        *,
        exhibits: Sequence[str] | None = None,
        report: Path | None = None,
        recipient: str | None = None,
        medium: str | None = None,
        passphrase: PassphraseSource | str | None = None,
        since: date | None = None,
        until: date | None = None,
        person: str | None = None,
        full_ledger: bool = False,
    ) -> ExportWritten:
        """Write the export bundle (see ``evidence.export.bundle``) and record an ``export.created`` entry.

        As for ``report``: the zip is written to a temporary name beside ``path`` and fsynced, the entry is
        appended under the writer lock in one transaction, and only then is the zip renamed into place.
        A signed checkpoint of the ledger is appended first (under the same lock); a filtered export
        (``exhibits``, ``since``, ``until``, ``person``) carries only the disclosed entries, each with its
        inclusion proof against that checkpoint, unless ``full_ledger``.
        """
        from evidence.export.bundle import build_bundle

        made: list[Any] = []
        only, selective = self._export_selection(exhibits, since, until, person, full_ledger)
        secret = self._passphrase_once(passphrase)

        def write(fh: BinaryIO) -> dict[str, Any]:
            signer = self._signing_key(secret)
            with self._checkpoint_first(signer):
                built = build_bundle(
                    fh,
                    entries=list(self.entries()),
                    genesis=self.genesis,
                    exhibits=self.exhibits(),
                    store=self.store,
                    only=only,
                    report=report,
                    selective=selective,
                    records=self._record_ids(only) if selective and only else (),
                    signer=signer,
                )
            made.append(built)
            return {
                "file_name": path.name,
                "sha256": built.sha256,
                "size": built.size,
                "built_from": {"seq": built.built_from.seq, "hash": built.built_from.hash},
                "files": [f.to_json() for f in built.files],
                "exhibits": [e["exhibit"] for e in built.included],
                "withheld": [{"exhibit": e["exhibit"], "sha256": e["sha256"]} for e in built.withheld],
                "report_entry": built.report_entry,
                "recipient": recipient,
                "medium": medium,
                "exported_by": actor(),
                "tool": tool_info(),
            }

        path = path.absolute()
        entry, _ = self._publish(path, "bundle", "export.created", write, secret)
        built = made[0]
        return ExportWritten(
            path=path,
            sha256=built.sha256,
            size=built.size,
            built_from=built.built_from,
            entry=Head(entry.seq, entry.hash),
            files=len(built.files) + 1,
            withheld=len(built.withheld),
            selective=selective,
        )

    # -- trusted time (RFC 3161) ---------------------------------------------------------------------

    def anchor(
        self,
        url: str,
        *,
        tsa_cert: Path | None = None,
        passphrase: PassphraseSource | str | None = None,
        timeout: float | None = None,
    ) -> Anchored:
        """Sign a checkpoint of the ledger, timestamp that ``checkpoint.signed`` entry at the TSA ``url`` and
        record the token (``anchor.timestamped``); both entries are committed together, or neither.

        The token thus covers a signed Merkle root of the whole ledger, which a selective bundle can prove its
        entries against. Only the checkpoint entry's hash is sent. The answer is checked (``evidence.anchor.tsa``) before anything is
        written; the token, and the trust anchor ``tsa_cert`` when given, are stored as objects the entry names.
        Without ``tsa_cert`` the chain to a root is not checked, and the entry says so (``chain_checked``).
        Raises AnchorError (nothing recorded) when the TSA cannot be reached or its answer fails a check.
        """
        from evidence.anchor import tsa

        key = self._signing_key(passphrase)  # a locked key fails before anything is sent
        anchor_cert, anchor_der = tsa.load_trust_anchor(tsa_cert) if tsa_cert is not None else (None, None)
        # The writer lock is held from the checkpoint's planning to the commit (the TSA's answer is bounded by
        # the timeout), so the ledger cannot move between the hash sent and the entries recorded.
        with self._writer():
            planned, checkpoint = self._plan_checkpoint(key)
            covered = Head(planned.seq, planned.hash)
            digest = bytes.fromhex(covered.hash)
            nonce = tsa.new_nonce()
            reply = tsa.post_request(
                url, tsa.build_request(digest, nonce), timeout=tsa.TIMEOUT if timeout is None else timeout
            )
            token = tsa.token_from_response(reply, where=url)
            checked = tsa.check_token(token, digest, nonce=nonce, anchor=anchor_cert, where=url)
            with self.store.session():
                staged = [self.store.stage_bytes(token, "timestamp token")]
                if anchor_der is not None:
                    staged.append(self.store.stage_bytes(anchor_der, "TSA trust anchor"))
                objects = [{"sha256": staged[0].sha256, "role": "timestamp-token", "size": staged[0].size}]
                if anchor_der is not None:
                    objects.append(
                        {"sha256": staged[1].sha256, "role": "tsa-trust-anchor", "size": staged[1].size}
                    )
                body: dict[str, Any] = {
                    "tsa_url": url,
                    "covers": {"seq": covered.seq, "hash": covered.hash},
                    "gen_time": checked.gen_time.isoformat(),
                    "serial": str(checked.serial),
                    "policy": checked.policy,
                    "tsa_name": checked.tsa_name,
                    "nonce": str(checked.nonce) if checked.nonce is not None else None,
                    "signer": {"subject": checked.signer_subject, "sha256": checked.signer_sha256},
                    "chain_checked": checked.chain_checked,
                    "trust_anchor": (
                        {"sha256": checked.anchor_sha256, "subject": anchor_cert.subject.rfc4514_string()}
                        if anchor_cert is not None
                        else None
                    ),
                    "token_sha256": staged[0].sha256,
                    "anchored_by": actor(),
                    "tool": tool_info(),
                    "objects": objects,
                }
                entry = self._append_with_objects(
                    "anchor.timestamped", body, staged, key, first=(planned, checkpoint)
                )
        return Anchored(
            url=url,
            covers=covered,
            entry=Head(entry.seq, entry.hash),
            gen_time=checked.gen_time,
            serial=checked.serial,
            tsa_name=checked.tsa_name,
            chain_checked=checked.chain_checked,
        )

    def anchors(self) -> list[dict[str, Any]]:
        """Every ``anchor.timestamped`` entry: its seq and body (what ``log`` and reports show)."""
        return [
            {"seq": e.seq, **canonical_loads(e.body_text)}
            for e in self.entries()
            if e.kind == "anchor.timestamped"
        ]

    def _append_with_objects(
        self,
        kind: str,
        body: dict[str, Any],
        staged: list[Staged],
        key: SigningKey,
        *,
        first: tuple[Entry, dict[str, Any]] | None = None,
    ) -> Entry:
        """Place ``staged`` objects and append the one entry naming them, journalled as an import is.

        With ``first`` (an entry ``_plan_checkpoint`` planned, and its body) the caller holds the writer lock;
        that entry is appended again, identical, in the same transaction just before this one."""
        try:
            with contextlib.nullcontext() if first is not None else self._writer(), self._placing(staged):
                if first is not None:
                    self._append_planned(key, *first)
                entry = ledger.append(self.conn, key, kind, body)
                index.apply(self.conn, entry, body, self.store.read_bytes)
        except BaseException:
            for one in staged:
                self.store.discard(one)
            raise
        return entry

    @contextlib.contextmanager
    def _placing(self, staged: Sequence[Staged], op: str | None = None) -> Iterator[str]:
        """Under the writer lock: journal the ``staged`` objects as pending (``op``), place them, and open the
        write transaction for the caller's entries (the block). When the block ends, the journal rows go and the
        transaction commits; when it raises, the transaction rolls back, what this placed is removed and the
        journal rows go, so a failure or a kill leaves no object that no entry names (see ``_recover``)."""
        op = op or str(uuid.uuid4())
        placed: list[str] = []
        try:
            self.conn.execute("BEGIN IMMEDIATE")
            self.conn.executemany(
                "INSERT OR IGNORE INTO pending_objects (sha256, op) VALUES (?, ?)",
                [(s.sha256, op) for s in staged if not self.store.exists(s.sha256)],
            )
            self.conn.execute("COMMIT")
            for one in staged:
                if self.store.place(one):
                    placed.append(one.sha256)
            self.conn.execute("BEGIN IMMEDIATE")
            try:
                yield op
                self.conn.execute("DELETE FROM pending_objects WHERE op = ?", (op,))
                self.conn.execute("COMMIT")
            except BaseException:
                self.conn.execute("ROLLBACK")
                raise
        except BaseException:
            for sha in placed:  # under the writer lock: exactly what this call placed
                self.store.remove(sha)
            with contextlib.suppress(sqlite3.Error):
                self.conn.execute("DELETE FROM pending_objects WHERE op = ?", (op,))
            raise

    def _append_planned(self, key: SigningKey, planned: Entry, body: dict[str, Any]) -> None:
        """Inside the write transaction: append the entry ``planned`` again; it must come out identical."""
        again = ledger.append(self.conn, key, planned.kind, body, recorded_at=planned.recorded_at)
        if again.hash != planned.hash or again.seq != planned.seq:
            raise CaseError(
                f"the ledger changed while entry {planned.seq} was being timestamped; nothing was recorded"
            )

    def _record_ids(self, exhibits: Sequence[str]) -> set[str]:
        """The ids of the records read from these exhibits (entries about them go with them)."""
        shas = {e["sha256"] for e in self.exhibits() if e["exhibit"] in set(exhibits)}
        rows = self.conn.execute("SELECT id, item_sha256 FROM records").fetchall()
        return {str(row[0]) for row in rows if row[1] in shas}

    def _export_selection(
        self,
        exhibits: Sequence[str] | None,
        since: date | None,
        until: date | None,
        person: str | None,
        full_ledger: bool,
    ) -> tuple[list[str] | None, bool]:
        """The exhibits an export includes (None: all) and whether it discloses only their entries."""
        only = list(exhibits) if exhibits is not None else None
        if only is not None:
            from evidence.export.bundle import select_exhibits

            select_exhibits(self.exhibits(), only)  # an unknown exhibit is refused before anything is signed
        if since is not None or until is not None or person is not None:
            if since is not None and until is not None and since > until:
                raise UsageError(f"--since {since} is after --until {until}")
            matching = set(self.exhibits_matching(since=since, until=until, person=person))
            if only is not None:
                named, _ = select_exhibits(self.exhibits(), only)
                matching &= {e["exhibit"] for e in named}
            if not matching:
                raise UsageError(
                    "the filters select no exhibit",
                    hint="'evidence timeline' with the same filters shows why",
                )
            only = sorted(matching)
        return only, only is not None and not full_ledger

    def _prepare(self, path: Path, opts: ImportOptions, *, derive: bool = True) -> _Prepared:
        """Stage one file and (unless ``derive`` is False) derive its records, touching nothing the case can see."""
        try:
            stat = path.stat()
        except OSError as exc:
            raise InputError(f"cannot read ({exc.strerror})", path=path) from None
        staged = self.store.stage_file(path)
        prep = _Prepared(path=path, staged=staged, stat=stat, media_type="", mismatch=None)
        try:
            prep.media_type = media.detect(staged.path)
            prep.mismatch = media.extension_mismatch(path.name, prep.media_type)
            source = Source(staged.path, path.name, staged.sha256, staged.size, prep.media_type)
            with open(staged.path, "rb") as fh:
                head = fh.read(SNIFF_BYTES)
            prep.importer = find_importer(head, source)
            if derive:
                self._derive_if_new(prep, opts, {})
        except BaseException:
            self.store.discard(staged)
            for _, blob_stage in prep.blobs:
                self.store.discard(blob_stage)
            raise
        return prep

    def _derive_if_new(
        self, prep: _Prepared, opts: ImportOptions, ocr: dict[str, OcrOutcome | Failed]
    ) -> None:
        """Derive the records of a staged file, unless its bytes are in the case already."""
        # Bytes already in the case were read when first acquired: a second acquisition records where they
        # came from again but derives nothing (no second parse, no second OCR). Re-checked at commit time.
        if prep.importer is not None and index.exhibit_for(self.conn, prep.staged.sha256) is None:
            source = Source(
                prep.staged.path, prep.path.name, prep.staged.sha256, prep.staged.size, prep.media_type
            )
            self._derive(prep, source, opts, ocr)

    def _derive(
        self, prep: _Prepared, source: Source, opts: ImportOptions, ocr: dict[str, OcrOutcome | Failed]
    ) -> None:
        assert prep.importer is not None
        parsed = (
            prep.importer.parse(source, opts, ocr=ocr.get(source.sha256))
            if isinstance(prep.importer, ScreenshotImporter)
            else prep.importer.parse(source, opts)
        )
        for item in parsed:
            if isinstance(item, Record):
                prep.records.append(item)
            elif isinstance(item, ImportWarning):
                prep.warnings.append(item)
            else:
                prep.blobs.append((item, self.store.stage_bytes(item.data, item.locator)))
        blob = {
            "item_sha256": source.sha256,
            "importer": prep.importer.name,
            "importer_version": prep.importer.version,
            "records": [r.to_json() for r in prep.records],
            "warnings": [w.to_json() for w in prep.warnings],
        }
        prep.records_blob = self.store.stage_bytes(canonical_bytes(blob), f"{source.name} records")
        prep.records_doc = blob

    def _commit(
        self, prepared: list[_Prepared], opts: ImportOptions, key: SigningKey, op: str, placed: list[str]
    ) -> ImportResult:
        conn = self.conn
        to_place: list[Staged] = []
        seen: set[str] = set()
        for prep in prepared:
            to_place.append(prep.staged)
            sha = prep.staged.sha256
            if sha in seen or index.exhibit_for(conn, sha) is not None:
                # The same bytes again: one more acquisition entry, but their records were derived already.
                for _, staged in prep.blobs:
                    self.store.discard(staged)
                if prep.records_blob:
                    self.store.discard(prep.records_blob)
                prep.blobs, prep.records_blob, prep.records_doc = [], None, None
            else:
                to_place.extend(staged for _, staged in prep.blobs)
                if prep.records_blob:
                    to_place.append(prep.records_blob)
            seen.add(sha)
        # (1) Journal the objects about to appear, so a crash between placing them and committing the
        # entries that name them is undone by the next writer, and the verifier can tell it from tampering.
        conn.execute("BEGIN IMMEDIATE")
        conn.executemany(
            "INSERT OR IGNORE INTO pending_objects (sha256, op) VALUES (?, ?)",
            [(s.sha256, op) for s in to_place if not self.store.exists(s.sha256)],
        )
        conn.execute("COMMIT")
        # (2) Place them.
        for staged in to_place:
            if self.store.place(staged):
                placed.append(staged.sha256)
        # (3) One transaction for every entry of this import.
        conn.execute("BEGIN IMMEDIATE")
        try:
            items = [self._append_item(prep, opts, key, op) for prep in prepared]
            conn.execute("DELETE FROM pending_objects WHERE op = ?", (op,))
            conn.execute("COMMIT")
        except BaseException as exc:
            conn.execute("ROLLBACK")
            if isinstance(exc, sqlite3.OperationalError) and "full" in str(exc):
                raise StorageError("the disk is full; nothing was imported", path=self.root) from None
            raise
        return ImportResult(op=op, items=tuple(items), head=self.head())

    def _append_item(self, prep: _Prepared, opts: ImportOptions, key: SigningKey, op: str) -> ImportedItem:
        conn = self.conn
        sha = prep.staged.sha256
        existing = index.exhibit_for(conn, sha)
        exhibit = existing or index.next_exhibit(conn)
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
        entry = ledger.append(conn, key, "item.acquired", body)
        index.apply(conn, entry, body, self.store.read_bytes)
        if prep.importer is not None and prep.records_blob is not None:
            objects = [
                {"sha256": prep.records_blob.sha256, "role": "records", "size": prep.records_blob.size}
            ]
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
                "record_count": len(prep.records),
                "warning_count": len(prep.warnings),
                "tool": tool_info(),
                "objects": objects,
            }
            d_entry = ledger.append(conn, key, "records.derived", derived)
            index.apply(conn, d_entry, derived, self.store.read_bytes, prep.records_doc)
        return ImportedItem(
            path=str(prep.path),
            exhibit=exhibit,
            sha256=sha,
            size=prep.staged.size,
            media_type=prep.media_type,
            duplicate_of=existing,
            extension_mismatch=prep.mismatch,
            importer=prep.importer.name if prep.importer else None,
            records=len(prep.records) if not existing else 0,
            warnings=tuple(prep.warnings) if not existing else (),
        )

    # -- OCR: the cache, the parallel run before an import, and `evidence ocr` ------------------------------

    def _ocr_jobs(
        self, images: Sequence[tuple[str, Path, str]], settings: Settings, *, layout: bool = True
    ) -> tuple[dict[str, OcrOutcome | Failed], list[Job], dict[str, str]]:
        """Split ``(sha256, path, name)`` images into results the case already holds (by cache key) and jobs
        to run (a layout analysis, or with ``layout`` False one whole-image pass with ``settings``). Raises
        DependencyError when tesseract is missing."""
        from evidence.importers.screenshot import ocr_settings, preprocess_json
        from evidence.ocr.cache import cache_key
        from evidence.ocr.tesseract import ENGINE, TesseractProbe

        version = TesseractProbe().version()
        wanted = {"ocr": ocr_settings(settings, layout=layout), "preprocess": preprocess_json(layout=layout)}
        found: dict[str, OcrOutcome | Failed] = {}
        jobs: list[Job] = []
        keys: dict[str, str] = {}
        for sha, path, name in images:
            if sha in keys:
                continue
            keys[sha] = cache_key(sha, ENGINE, version, wanted)
            reused = self._cached_ocr(sha, keys[sha])
            if reused is not None:
                found[sha] = reused[0]
            else:
                jobs.append(Job(str(path), sha, name, settings.psm, settings.lang, layout))
        return found, jobs, keys

    def _cached_ocr(self, image_sha256: str, key: str) -> tuple[OcrOutcome, int] | None:
        """The OCR result the case holds under ``key`` and its entry, checked before it is reused; None when
        there is none.

        The index is not signed, so a row is believed only when the ledger entry it points to names the blob,
        the blob's bytes hash to its name, and the blob itself is for this image with this key. Anything else
        is ignored and the image read again (``verify`` reports the tampered index).
        """
        from evidence.ocr.cache import summary_key

        for blob_sha, seq in index.ocr_results_for(self.conn, key):
            row = self.conn.execute("SELECT body FROM ledger WHERE seq = ?", (seq,)).fetchone()
            objects = canonical_loads(row[0]).get("objects", []) if row else []
            if not any(isinstance(o, dict) and o.get("sha256") == blob_sha for o in objects):
                continue
            if not self.store.exists(blob_sha):
                continue
            data = self.store.read_bytes(blob_sha)
            if hashlib.sha256(data).hexdigest() != blob_sha:
                continue
            outcome = OcrOutcome.from_blob(data)
            document = canonical_loads(data.decode("utf-8"))
            if (
                document.get("image_sha256") == image_sha256
                and summary_key(image_sha256, outcome.summary) == key
            ):
                return outcome, seq
        return None

    def _ocr_before_import(
        self, prepared: Sequence[_Prepared], progress: Progress | None
    ) -> dict[str, OcrOutcome | Failed]:
        """OCR every new picture of an import in worker processes, before the transaction (results in
        memory, by image SHA-256). Without tesseract, nothing: the importer warns for each picture."""
        from evidence.importers.screenshot import OCR_SETTINGS, analyse_image
        from evidence.ocr.pool import run_all
        from evidence.ocr.tesseract import TesseractProbe

        images = [
            (p.staged.sha256, p.staged.path, p.path.name)
            for p in prepared
            if isinstance(p.importer, ScreenshotImporter)
            and index.exhibit_for(self.conn, p.staged.sha256) is None
        ]
        if not images or not TesseractProbe().installed():
            return {}
        try:
            found, jobs, _ = self._ocr_jobs(images, OCR_SETTINGS)
        except DependencyError:
            return {}  # installed but unusable (--version fails): the importer warns for each picture
        found.update(run_all(analyse_image, jobs, progress=progress))
        return found

    def image_exhibits(self) -> list[dict[str, Any]]:
        """The exhibits the screenshot importer claims (PNG, JPEG, WebP, judged from their first bytes)."""
        importer = ScreenshotImporter()
        found = []
        for item in self.exhibits():
            sha = str(item["sha256"])
            with self.store.open(sha) as fh:
                head = fh.read(SNIFF_BYTES)
            source = Source(
                self.store.path_for(sha),
                str(item["original_name"]),
                sha,
                int(item["size"]),
                str(item["media_type"]),
            )
            if importer.sniff(head, source):
                found.append(item)
        return found

    def ocr(
        self,
        exhibits: Sequence[str] = (),
        *,
        psm: int | None = None,
        lang: str | None = None,
        passphrase: PassphraseSource | str | None = None,
        progress: Progress | None = None,
    ) -> list[OcrDone]:
        """(Re)run OCR on stored pictures: the named exhibits, or every picture without any OCR yet.

        Without ``psm`` and ``lang`` the screen's layout is read (as on import); with either, one whole-image
        pass with those settings.

        Each new result is a derived blob and an ``ocr.derived`` entry; nothing earlier is replaced (the
        image's record shows the newest text, ``show`` lists every result). A picture already read with the
        same engine version and settings is not read again (``status`` ``cached``). Raises DependencyError
        when tesseract is missing, UsageError for an exhibit that is not a picture.
        """
        from evidence.importers.screenshot import OCR_SETTINGS, analyse_image
        from evidence.ocr.pool import run_all

        settings = Settings(psm=OCR_SETTINGS.psm if psm is None else psm, lang=lang or OCR_SETTINGS.lang)
        if not 0 <= settings.psm <= 13:
            raise UsageError(
                f"--psm {settings.psm} is not a page segmentation mode", hint="0 to 13; 3 is automatic"
            )
        if not re.fullmatch(r"[A-Za-z_]+(\+[A-Za-z_]+)*", settings.lang):
            raise UsageError(f"--lang {settings.lang!r} is not a tesseract language", hint="eng, or eng+fra")
        pictures = {e["exhibit"]: e for e in self.image_exhibits()}
        if exhibits:
            targets = []
            for name in exhibits:
                wanted = name.strip().upper()
                if wanted not in pictures:
                    known = any(e["exhibit"] == wanted for e in self.exhibits())
                    raise UsageError(
                        f"{name}: {'not a picture (PNG, JPEG, WebP)' if known else 'no such exhibit in this case'}",
                        hint="'evidence -C CASE log' lists the exhibits",
                    )
                if pictures[wanted] not in targets:
                    targets.append(pictures[wanted])
        else:
            targets = [e for e in pictures.values() if not index.ocr_results_of(self.conn, e["sha256"])]
        key = self._signing_key(passphrase)
        images = [(e["sha256"], self.store.path_for(e["sha256"]), str(e["original_name"])) for e in targets]
        layout = psm is None and lang is None
        found, jobs, keys = self._ocr_jobs(images, settings, layout=layout)
        cached = set(found)
        found.update(run_all(analyse_image, jobs, progress=progress))
        done: list[OcrDone] = []
        new: list[tuple[dict[str, Any], OcrOutcome]] = []
        for item in targets:
            sha = item["sha256"]
            outcome = found[sha]
            if isinstance(outcome, Failed):
                done.append(OcrDone(item["exhibit"], sha, "failed", None, None, outcome.message))
            elif sha in cached:
                hit = self._cached_ocr(sha, keys[sha])
                done.append(OcrDone(item["exhibit"], sha, "cached", hit[1] if hit else None, outcome, None))
            else:
                new.append((item, outcome))
        if new:
            done.extend(self._record_ocr(new, settings, key, keys))
        return done

    def _record_ocr(
        self,
        new: list[tuple[dict[str, Any], OcrOutcome]],
        settings: Settings,
        key: SigningKey,
        keys: dict[str, str],
    ) -> list[OcrDone]:
        """Store the new OCR blobs and append their ``ocr.derived`` entries, all in one transaction."""
        op = str(uuid.uuid4())
        done: list[OcrDone] = []
        with self.store.session(), self._writer():
            staged = [self.store.stage_bytes(outcome.blob, f"{item['exhibit']} OCR") for item, outcome in new]
            messages = self._ocr_messages(new)
            every = [*staged, *(m[2] for m in messages.values())]
            try:
                with self._placing(every, op):
                    for (item, outcome), stage in zip(new, staged, strict=True):
                        sha = item["sha256"]
                        known = self._cached_ocr(sha, keys[sha])
                        if known is not None:  # another process read it while we did
                            done.append(OcrDone(item["exhibit"], sha, "cached", known[1], known[0], None))
                            continue
                        earlier = index.ocr_results_of(self.conn, sha)
                        body = {
                            "op": op,
                            "exhibit": item["exhibit"],
                            "item_sha256": sha,
                            "cache_key": keys[sha],
                            "ocr": outcome.raw(),
                            "supersedes": earlier[-1]["blob_sha256"] if earlier else None,
                            "requested": {"psm": settings.psm, "lang": settings.lang},
                            "run_by": actor(),
                            "tool": tool_info(),
                            "objects": [{"sha256": stage.sha256, "role": "ocr", "size": stage.size}],
                        }
                        entry = ledger.append(self.conn, key, index.OCR_KIND, body)
                        index.apply(self.conn, entry, body, self.store.read_bytes)
                        done.append(OcrDone(item["exhibit"], sha, "read", entry.seq, outcome, None))
                        if sha in messages:
                            self._append_ocr_messages(key, op, item, entry.seq, messages[sha])
            except BaseException:
                for stage in every:
                    self.store.discard(stage)
                raise
        return done

    def _ocr_messages(
        self, new: list[tuple[dict[str, Any], OcrOutcome]]
    ) -> dict[str, tuple[dict[str, Any], dict[str, Any], Staged]]:
        """The message records of each new layout reading whose picture has none yet (it was imported without
        Tesseract, or read as a whole image): ``(options, records blob, staged blob)`` by image SHA-256.

        The messages are dated against the picture's own record, in the zone its import used."""
        from evidence.importers.screenshot import NAME, VERSION, Shot, message_records

        found: dict[str, tuple[dict[str, Any], dict[str, Any], Staged]] = {}
        wanted = {str(i["sha256"]) for i, o in new if o.layout is not None and o.layout.get("messages")}
        if not wanted:
            return found
        of_image: dict[str, list[Record]] = {}
        for record in self.records():
            if record.item_sha256 in wanted:
                of_image.setdefault(record.item_sha256, []).append(record)
        zones: dict[str, str] = {}  # the zone each picture's import used
        for entry in self.entries():
            if entry.kind == "records.derived" and entry.body.get("item_sha256") in wanted:
                zones[str(entry.body["item_sha256"])] = str(entry.body["options"]["tz"])
        for item, outcome in new:
            sha = str(item["sha256"])
            if sha not in wanted or outcome.layout is None or sha in found:
                continue
            records = of_image.get(sha, [])
            image = next((r for r in records if r.locator == index.IMAGE_LOCATOR), None)
            if image is None or any(r.locator.startswith(f"{index.IMAGE_LOCATOR}#m") for r in records):
                continue
            options = ImportOptions(tz=zones.get(sha) or image.tz_name or self.tz.key)
            source = Source(
                self.store.path_for(sha),
                str(item["original_name"]),
                sha,
                int(item["size"]),
                str(item["media_type"]),
            )
            shot = Shot(image.occurred_at, image.time_source, image.tz_assumed, image.tz_name)
            made = list(message_records(source, options, shot, outcome.layout))
            doc = {
                "item_sha256": sha,
                "importer": NAME,
                "importer_version": VERSION,
                "records": [r.to_json() for r in made if isinstance(r, Record)],
                "warnings": [w.to_json() for w in made if isinstance(w, ImportWarning)],
            }
            staged = self.store.stage_bytes(canonical_bytes(doc), f"{item['exhibit']} messages")
            found[sha] = (options.to_json(), doc, staged)
        return found

    def _append_ocr_messages(
        self,
        key: SigningKey,
        op: str,
        item: dict[str, Any],
        ocr_seq: int,
        made: tuple[dict[str, Any], dict[str, Any], Staged],
    ) -> None:
        """The ``records.derived`` entry of the messages a later layout reading found (``from_ocr`` names it)."""
        from evidence.importers.screenshot import NAME, VERSION

        options, doc, staged = made
        derived = {
            "op": op,
            "exhibit": item["exhibit"],
            "item_sha256": item["sha256"],
            "importer": NAME,
            "importer_version": VERSION,
            "options": options,
            "blob_sha256": staged.sha256,
            "record_count": len(doc["records"]),
            "warning_count": len(doc["warnings"]),
            "from_ocr": ocr_seq,
            "tool": tool_info(),
            "objects": [{"sha256": staged.sha256, "role": "records", "size": staged.size}],
        }
        entry = ledger.append(self.conn, key, "records.derived", derived)
        index.apply(self.conn, entry, derived, self.store.read_bytes, doc)


def _layout_shown(document: dict[str, Any]) -> dict[str, Any]:
    """``kind``, ``header`` and ``messages`` (direction, text, shown_time, bbox; calls: call and count;
    e-mails: sender) of an OCR blob that read the screen's layout; nothing for a whole-image result."""
    layout = document.get("layout")
    if not isinstance(layout, dict):
        return {}
    messages = []
    found = layout.get("messages") or []
    width = max(2, len(str(len(found))))  # as the importer's locators
    for number, message in enumerate(found, start=1):
        item = {key: message.get(key) for key in ("direction", "text", "shown_time", "bbox")}
        item.update(
            {key: message[key] for key in ("sender", "call", "count") if message.get(key) is not None}
        )
        item["confidence_permille"] = message.get("confidence")
        item["locator"] = f"image#m{number:0{width}d}"
        messages.append(item)
    return {"kind": layout.get("kind"), "header": layout.get("header"), "messages": messages}


@dataclass(frozen=True)
class OcrDone:
    """What ``Case.ocr`` did for one picture: ``read`` (a new entry), ``cached`` (the case already held this
    result; nothing run) or ``failed`` (``message`` says why)."""

    exhibit: str
    sha256: str
    status: str
    entry: int | None  # the ocr.derived (or import) entry holding the result
    outcome: OcrOutcome | None
    message: str | None


def _file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        while chunk := fh.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


def _fsync_dir(folder: Path) -> None:
    dir_fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(dir_fd)
    finally:
        os.close(dir_fd)


def _from_ns(ns: int) -> datetime:
    """A file time in nanoseconds as an aware UTC time, truncated to microseconds (no float rounding)."""
    seconds, rest = divmod(ns, 1_000_000_000)
    return datetime.fromtimestamp(seconds, UTC) + timedelta(microseconds=rest // 1000)


def canonical_loads(text: str) -> Any:
    """Parse a stored canonical body (trusting it: the verifier, not this, checks canonical form)."""
    return json.loads(text)
