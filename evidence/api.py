"""The library's front door: create and open cases, and every use case as a method of ``Case``.

``Case`` is a facade: the reads every use case shares live in ``evidence.case.folder.CaseFolder``, the one
write path in ``evidence.case.writer``, and each use case is a plain function in ``evidence.actions`` (bound
here as a method, with its own signature and docstring). Nothing here prints. The use cases load their heavy
libraries (importers, OCR, reportlab, pyHanko) only when called, so opening a case and reading its head is
fast.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Self

from evidence.actions import anchoring, annotate, diary, encrypting, importing, publishing, query, reporting
from evidence.actions import ocr as reading
from evidence.actions.anchoring import Anchored
from evidence.actions.importing import ImportedItem, ImportResult, expand_inputs
from evidence.actions.ocr import OcrDone
from evidence.actions.publishing import ExportWritten
from evidence.actions.reporting import ReportWritten
from evidence.case import index, writer
from evidence.case import sqldriver as sqlite3
from evidence.case.folder import (
    FORMAT,
    CaseFolder,
    PassphraseSource,
    actor,
    canonical_loads,
    connect,
    find_case,
    is_case,
    tool_info,
    unlock_case,
)
from evidence.case.formats import DB_NAME, KEYS_DIR, LOCK_NAME, OBJECTS_DIR
from evidence.case.ledger import Entry
from evidence.case.store import ObjectStore
from evidence.errors import CaseError, StorageError, UsageError
from evidence.timeutil import local_now_description, utc_now, zone

if TYPE_CHECKING:
    from evidence.case.vault import CaseKeys, Cost

__all__ = [
    "DB_NAME",
    "Anchored",
    "Case",
    "ExportWritten",
    "ImportResult",
    "ImportedItem",
    "OcrDone",
    "PassphraseSource",
    "ReportWritten",
    "actor",
    "canonical_loads",
    "expand_inputs",
    "find_case",
    "is_case",
    "tool_info",
]


class Case(CaseFolder):
    """An open case folder, with every use case as a method."""

    # -- creating, opening and closing -------------------------------------------------------------------

    @classmethod
    def init(
        cls,
        path: Path,
        *,
        title: str,
        tz: str,
        passphrase: str | None = None,
        no_contact_since: date | None = None,
        encrypted: bool = False,
        cost: Cost | None = None,
    ) -> Self:
        """Create a case folder at ``path`` (absent or empty) with a fresh key and a signed genesis entry.

        ``encrypted``: the database, every object and the signing key are encrypted under ``passphrase``
        (``evidence.case.vault``; ``cost`` is the passphrase stretching's, the default unless a test passes
        ``vault.TEST_COST``). Otherwise ``passphrase``, when given, protects the signing key only."""
        from evidence.case.signing import SigningKey

        zone(tz)  # validates
        if not title.strip():
            raise UsageError("the case needs a title", hint='--title "Harassment by A. Morgan"')
        if encrypted and not passphrase:
            raise UsageError(
                "an encrypted case needs a passphrase", hint="type one when asked, or set EVIDENCE_PASSPHRASE"
            )
        if path.exists() and (not path.is_dir() or any(path.iterdir())):
            raise CaseError(
                "folder exists and is not empty", path=path, hint="choose a new folder for the case"
            )
        try:
            path.mkdir(parents=True, exist_ok=True)
            keys: CaseKeys | None = None
            if encrypted:
                from evidence.case import vault

                assert passphrase is not None
                (path / KEYS_DIR).mkdir(mode=0o700, exist_ok=True)
                keys = vault.create_vault(path / KEYS_DIR, passphrase, cost=cost or vault.DEFAULT_COST)
            ObjectStore(path / OBJECTS_DIR, keys).create()
            key = SigningKey.generate()
            key.save(path / KEYS_DIR, keys.signing_secret if keys is not None else passphrase)
            conn = connect(path / DB_NAME, key=keys.db_key if keys is not None else None)
            now = utc_now()
            writer.create(
                conn,
                key,
                {
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
                },
                path,
            )
            (path / LOCK_NAME).touch()
        except OSError as exc:
            raise StorageError(f"cannot create the case ({exc.strerror})", path=path) from None
        return cls(path, conn, keys=keys)

    @classmethod
    def open(
        cls,
        path: Path | None = None,
        *,
        readonly: bool = False,
        passphrase: PassphraseSource | str | None = None,
        keys: CaseKeys | None = None,
    ) -> Self:
        """Open the case at ``path`` (or found from -C, $EVIDENCE_CASE or the current folder).

        An encrypted case is unlocked with ``keys`` when given, else ``passphrase`` (a string, or a callback
        asked only when the case is encrypted): ``PassphraseError`` (exit 5) when it is missing or wrong.
        Opened for writing, a case whose projections an older version built is re-indexed first. Opened
        ``readonly``, nothing is ever written (the verifier does not use this: it reads the folder itself)."""
        root = find_case(path)
        if keys is None:
            keys = unlock_case(root, passphrase)
        db_key = keys.db_key if keys is not None else None
        if readonly:
            probe = connect(root / DB_NAME, readonly=True, key=db_key)
            outdated = index.stored_version(probe) < index.INDEX_VERSION
            probe.close()
            if outdated and os.access(root / DB_NAME, os.W_OK):
                cls.open(
                    root, keys=keys
                ).close()  # re-index once; reading commands then see the current shape
        conn = connect(root / DB_NAME, readonly=readonly, key=db_key)
        try:
            case = cls(root, conn, readonly=readonly, keys=keys)
            if not readonly and index.stored_version(conn) < index.INDEX_VERSION:
                writer.Writer(case).reindex()
            return case
        except sqlite3.Error as exc:
            conn.close()
            raise CaseError(f"the case database is unusable ({exc})", path=root / DB_NAME) from None

    def encrypt(
        self,
        passphrase: str,
        *,
        signing_passphrase: PassphraseSource | str | None = None,
        cost: Cost | None = None,
        progress: Callable[[str], None] | None = None,
    ) -> encrypting.Encrypted:
        """Encrypt this plain case under ``passphrase`` (``evidence.actions.encrypting``); this object is
        closed afterwards: open the case again to use it."""
        return encrypting.encrypt(
            self, passphrase, signing_passphrase=signing_passphrase, cost=cost, progress=progress
        )

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def checkpoint(self, *, passphrase: PassphraseSource | str | None = None) -> Entry:
        """Sign a checkpoint (case id, size, root) of the ledger as it stands and record it as a
        ``checkpoint.signed`` entry; it covers every entry before it. Returns that entry."""
        key = self.signing_key(passphrase)
        write = writer.Writer(self)
        with write.lock():
            return write.append_checkpoint(key)

    # -- the use cases (evidence.actions), one line each ----------------------------------------------------

    SETTABLE = annotate.SETTABLE
    # importing and reading pictures
    import_files = importing.import_files
    add_diary_entry = diary.add_diary_entry
    image_exhibits = reading.image_exhibits
    ocr = reading.ocr
    # what the case holds
    show = query.show
    show_record = query.show_record
    stored_suggestions = query.stored_suggestions
    timeline_stream = query.timeline_stream
    stats = query.stats
    search = query.search
    relays = query.relays
    attributions = query.attributions
    anchors = query.anchors
    exhibits_matching = query.exhibits_matching
    _tactic_counts = query.tactic_counts
    # what the user adds
    set_facts = annotate.set_facts
    mark_relayed = annotate.mark_relayed
    attribute_record = annotate.attribute_record
    review_tag = annotate.review_tag
    add_person = annotate.add_person
    link_person = annotate.link_person
    # outputs
    render_report = reporting.render_report
    report = reporting.report
    report_certificate = reporting.report_certificate
    export = publishing.export
    anchor = anchoring.anchor
