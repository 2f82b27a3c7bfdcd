"""An open case folder: its database connection, its object store, its key, and the reads every use case needs.

A case folder is::

    my-case/
      evidence.db        SQLite (WAL): the ledger plus rebuildable projections
      evidence.lock      taken (flock) by the one writer at a time
      objects/sha256/ab/abcdef...   originals and derived blobs, read-only
      keys/case.key, case.pub       Ed25519 (private key 0600, encrypted when a passphrase is set)

Nothing here writes: writing goes through ``evidence.case.writer``. Heavy libraries (cryptography, the
analysis modules) load only when a method needs them, so that commands that only read start at once.
"""

from __future__ import annotations

import getpass
import json
import os
import platform
import socket
from collections.abc import Callable, Iterator
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from evidence import __version__
from evidence.case import index, ledger
from evidence.case import sqldriver as sqlite3
from evidence.case.formats import (
    CASE_FORMAT,
    DB_NAME,
    KEYS_DIR,
    OBJECTS_DIR,
    PRIVATE_NAME,
    PUBLIC_NAME,
    SQLCIPHER_SETTINGS,
    Kind,
)
from evidence.case.ledger import Entry, Head
from evidence.case.store import ObjectStore, irregular
from evidence.errors import CaseError
from evidence.models import Record
from evidence.timeutil import zone

if TYPE_CHECKING:
    from evidence.case.signing import PublicKey, SigningKey
    from evidence.case.vault import CaseKeys
    from evidence.timeline import TimelineEntry

FORMAT = CASE_FORMAT  # the name api.py has always exported

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


def canonical_loads(text: str) -> Any:
    """Parse a stored canonical body (trusting it: the verifier, not this, checks canonical form). A body nested
    too deeply to parse (someone edited the database) is a ``CaseError``, not a crash."""
    try:
        return json.loads(text)
    except RecursionError:
        raise CaseError(
            "the case's ledger is damaged (an entry cannot be read): run 'evidence verify'"
        ) from None


def is_case(path: Path) -> bool:
    """Whether ``path`` is a case folder."""
    return (path / DB_NAME).is_file() and (path / KEYS_DIR / PUBLIC_NAME).is_file()


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


def keyed(conn: sqlite3.Connection, key: bytes | None) -> None:
    """Give a fresh connection the database key of an encrypted case (SQLCipher's raw 32-byte key: no key
    derivation of its own, the key comes from the vault); nothing for a plain case."""
    if key is not None:
        conn.execute(f"PRAGMA key = \"x'{key.hex()}'\"")
        for setting in SQLCIPHER_SETTINGS:
            conn.execute(f"PRAGMA {setting}")
        # Sorts and temporary tables too large for the cache stay in memory, never in a temporary file.
        conn.execute("PRAGMA temp_store = MEMORY")


def connect(db_path: Path, *, readonly: bool = False, key: bytes | None = None) -> sqlite3.Connection:
    """A connection to the case database: read-only (``mode=ro``), or read-write in WAL mode; with ``key`` (an
    encrypted case's database key) every page is encrypted (SQLCipher).

    On read-only media (a write-protected stick, a CD, a read-only mount) SQLite cannot open a WAL database
    whose ``-shm`` file is absent, even read-only: the database is then read from a private in-memory snapshot
    (``evidence.verify.db``, the verifier's, which writes nothing), so an intact case reads anywhere.
    A database, ``-wal`` or ``-shm`` that is not a regular file (a FIFO, a link, a device: someone changed the
    folder) is refused before SQLite opens it: SQLite would follow, block on or fail inside it.
    """
    for name in (db_path.name, f"{db_path.name}-wal", f"{db_path.name}-shm"):
        kind = irregular(db_path.with_name(name))
        if kind is not None:
            raise CaseError(
                f"{name} is {kind}, not a file of the case: the case folder was altered",
                path=db_path.parent,
                hint="run 'evidence verify' and restore the case folder from a copy",
            )
    try:
        if readonly:
            conn = sqlite3.connect(f"{db_path.absolute().as_uri()}?mode=ro", uri=True, isolation_level=None)
            keyed(conn, key)
            try:
                conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
            except sqlite3.OperationalError:
                if os.access(db_path.parent, os.W_OK):
                    raise
                conn.close()
                from evidence.verify.db import open_snapshot

                conn = open_snapshot(db_path, key=key).conn
        else:
            conn = sqlite3.connect(db_path, isolation_level=None)
            keyed(conn, key)
        conn.execute("PRAGMA busy_timeout = 60000")
        if not readonly:
            conn.execute("PRAGMA journal_mode = WAL")
            conn.execute("PRAGMA synchronous = FULL")
    except sqlite3.Error as exc:
        if key is not None and "not a database" in str(exc):
            raise CaseError(
                "the case database cannot be decrypted with this case's key (altered, or another case's)",
                path=db_path,
                hint="run 'evidence verify' and restore the case folder from a copy",
            ) from None
        raise CaseError(f"cannot open the case database ({exc})", path=db_path) from None
    return conn


def _encrypted_database(db_path: Path) -> bool:
    """Whether the database is not plain SQLite (an encrypted one starts with its random salt, not SQLite's
    header); False when it cannot be read or is not a regular file (opening it reports that)."""
    if irregular(db_path) is not None:
        return False
    try:
        with open(db_path, "rb") as fh:
            head = fh.read(len(SQLITE_HEADER))
    except OSError:
        return False
    return len(head) == len(SQLITE_HEADER) and head != SQLITE_HEADER


SQLITE_HEADER = b"SQLite format 3\x00"


def unlock_case(root: Path, passphrase: PassphraseSource | str | None) -> CaseKeys | None:
    """The keys of the case at ``root`` when it is encrypted (None for a plain case): from the case's unlock
    agent when one runs (``evidence unlock``; ``evidence.case.agent``), else unlocked with ``passphrase`` (a
    string, or a callback asked only then). ``PassphraseError`` (exit 5) when none is given or it is wrong
    (after the vault's growing delay)."""
    from evidence.case import agent, vault

    if not vault.is_encrypted(root):
        # What destroy-key leaves: no vault, no signing key, a database that is not plain SQLite. (A plain
        # case whose database was damaged still has its key: opening it reports the damage.)
        if not os.path.lexists(root / KEYS_DIR / PRIVATE_NAME) and _encrypted_database(root / DB_NAME):
            raise CaseError(
                "this case is encrypted but its key (keys/vault.json) is gone: it was destroyed "
                "('evidence destroy-key') or removed, and the case cannot be read",
                path=root,
                hint="if it was not destroyed on purpose, restore keys/vault.json from a copy of the case folder",
            )
        return None
    held = agent.keys_from_agent(root)
    if held is not None:
        return held
    secret = passphrase() if callable(passphrase) else passphrase
    if not secret:
        from evidence.errors import PassphraseError

        raise PassphraseError(
            "this case is encrypted: its passphrase is needed",
            path=root,
            hint="type it when asked, or set EVIDENCE_PASSPHRASE",
        )
    return vault.unlock(root / KEYS_DIR, secret)


class CaseFolder:
    """An open case folder and the reads every use case shares (facts, ledger, exhibits, records)."""

    def __init__(
        self, root: Path, conn: sqlite3.Connection, *, readonly: bool = False, keys: CaseKeys | None = None
    ) -> None:
        self.root = root
        self.conn = conn
        self.readonly = readonly
        self.keys = keys  # an encrypted case's keys (evidence.case.vault), None for a plain case
        self.store = ObjectStore(root / OBJECTS_DIR, keys)
        genesis = self.conn.execute("SELECT body FROM ledger WHERE seq = 1").fetchone()
        if genesis is None:
            raise CaseError("the case database has no genesis entry", path=root / DB_NAME)
        self._genesis: dict[str, Any] = canonical_loads(genesis[0])
        # What the recovery of a killed writer did that the user should hear about (the CLI prints it).
        self.recovery_notes: list[str] = []

    def close(self) -> None:
        """Close the database."""
        self.conn.close()

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
        from evidence.case.signing import PublicKey

        return PublicKey.from_hex(str(self._genesis["public_key"]))

    @property
    def genesis(self) -> dict[str, Any]:
        """The genesis entry's body."""
        return dict(self._genesis)

    @property
    def region(self) -> str:
        """The default phone region (``GB`` for Europe/London), from the case's zone; ``GB`` when the zone
        names no single country (``UTC``)."""
        from evidence.analysis.identity import region_for_zone

        return region_for_zone(str(self._genesis["tz"])) or "GB"

    def settings(self) -> dict[str, Any]:
        """The case's facts: the genesis entry's, with every later ``case.updated`` entry applied in order."""
        merged = dict(self._genesis)
        merged.setdefault("police_ref", None)
        merged.setdefault("protection_order", None)
        for entry in ledger.entries_of_kind(self.conn, Kind.CASE_UPDATED):
            merged.update(canonical_loads(entry.body_text)["set"])
        return merged

    def no_contact_since(self) -> date | None:
        """The no-contact date the case's facts give, if any."""
        raw = self.settings().get("no_contact_since")
        return date.fromisoformat(raw) if raw else None

    # -- the ledger and the projections ---------------------------------------------------------------

    def head(self) -> Head:
        """The newest entry's seq and hash."""
        return ledger.head(self.conn)

    def entries(self) -> Iterator[Entry]:
        """The ledger, in order."""
        return ledger.entries(self.conn)

    def private_details(self) -> dict[int, dict[str, Any]]:
        """Each entry's private details by seq (who acted, on which computer, from which path; see
        ``evidence.case.ledger``): for the owner's own views and a report made with ``--computer-details``."""
        return ledger.private_details(self.conn)

    def exhibits(self) -> list[dict[str, Any]]:
        """Every distinct original: exhibit number, hash, name, type, size."""
        rows = self.conn.execute(
            "SELECT exhibit, sha256, seq, original_name, media_type, size FROM exhibits ORDER BY exhibit"
        ).fetchall()
        keys = ("exhibit", "sha256", "seq", "original_name", "media_type", "size")
        return [dict(zip(keys, row, strict=True)) for row in rows]

    def records(self) -> list[Record]:
        """Every record of the case, in time order."""
        rows = self.conn.execute("SELECT id, json FROM records ORDER BY occurred_at, id").fetchall()
        found = []
        for record_id, text in rows:
            value = index.stored_json(text, f"record {record_id}")
            try:
                found.append(Record.from_json(value))
            except (KeyError, TypeError, ValueError, AttributeError):
                raise CaseError(
                    f"the case's index is damaged (record {record_id} is not a record): run 'evidence verify'"
                ) from None
        return found

    def timeline(self) -> list[TimelineEntry]:
        """The records in time order, exact duplicates from overlapping exports merged (both sources named)."""
        from evidence import timeline

        exhibits = {e["sha256"]: e["exhibit"] for e in self.exhibits()}
        return timeline.build(self.records(), exhibits)

    def people(self) -> list[Any]:
        """The people of the case (``evidence.analysis.people.Person``), by name."""
        from evidence.analysis import people

        return people.load(self.conn)

    def resolver(self) -> Any:
        """An ``evidence.analysis.people.Resolver`` for this case's people and region."""
        from evidence.analysis import people

        return people.Resolver(people.load(self.conn), self.region)

    # -- the key ----------------------------------------------------------------------------------------

    def signing_key(self, passphrase: PassphraseSource | str | None) -> SigningKey:
        """The case's signing key, unlocked with ``passphrase`` (asked for only when the key is encrypted);
        refused when it is not the key the genesis entry names."""
        from evidence.case.signing import SigningKey

        keys_dir = self.root / KEYS_DIR
        secret: str | None
        if self.keys is not None:  # an encrypted case: the key's password comes from the vault, unlocked
            secret = self.keys.signing_secret
        elif callable(passphrase):
            secret = passphrase() if SigningKey.is_encrypted(keys_dir) else None
        else:
            secret = passphrase
        key = SigningKey.load(keys_dir, secret)
        if key.public != self.public_key:
            raise CaseError(
                "keys/case.key is not the key this case was created with",
                path=keys_dir / PRIVATE_NAME,
                hint="restore the case's own key; run 'evidence verify'",
            )
        return key

    _signing_key = signing_key  # the name tests and older callers use

    def passphrase_once(self, passphrase: PassphraseSource | str | None) -> str | None:
        """The passphrase asked for at most once, for commands that use the key more than once."""
        from evidence.case.signing import SigningKey

        if self.keys is not None:
            return self.keys.signing_secret
        if callable(passphrase):
            return passphrase() if SigningKey.is_encrypted(self.root / KEYS_DIR) else None
        return passphrase
