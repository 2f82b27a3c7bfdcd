"""Tactic suggestions computed once, when records enter the case, and kept signed (issue 18).

Every view that shows suggested tactics (``evidence timeline``, ``show``, the report, the app's Review page and
its tactic filter) used to run the tagger (``analysis.tactics``: rules and model) over every message it showed:
about 0.2 ms a message, 20 s for a case of 100,000 messages, at every view. Now the import runs it once (in
worker processes when there are many messages: :class:`Batches`) and records what it suggested in a
``tactics.suggested`` ledger entry naming a blob of its own, as an OCR result is kept:

    {"deferred": [...], "item_sha256": ...,
     "records": [{"id": ..., "tags": [{"end", "rule", "start", "tactic", "words"}]}, ...],
     "source_sha256": ..., "tagger": {"code_sha256": ..., "rules_sha256": ..., "version": ...}}

``deferred`` lists the records whose words are too long to tag at import (``LONGEST_TAGGED``): the views tag
them when shown. ``records`` lists the records given at least one suggestion (an OCR re-reading lists every
record it re-read, so that a picture whose new words suggest nothing loses what its old words did); ``tags`` are what
``review.tags_for`` shows: the first match of each tactic, in the order of the text. ``source_sha256`` is the
records blob (or the OCR result) whose records were read. The entry's body names the ``records.derived``
(``derived_seq``) or ``ocr.derived`` (``ocr_seq``) entry it reads. The index replays these blobs into its
``suggestions`` table (``evidence.case.suggestions``) and ``evidence verify`` compares that table with a replay
that *reads* the blobs (never re-tags), so a suggestion planted in or removed from ``evidence.db`` is
``INDEX_MISMATCH`` and an altered blob is ``MODIFIED``, as for any blob.

The tagger's identity (:func:`tagger_identity`) is ``TAGGER_VERSION``, the SHA-256 over the shipped rules files
and model, and the SHA-256 over the tagger's own code (``TAGGER_CODE``: any change to it, even a comment, makes
earlier suggestions another tagger's, so no stored suggestion outlives the code that made it). A view reads the stored suggestions of a
record only when they were made by the tagger in force; otherwise, and for the records of a case made before
this (no ``tactics.suggested`` entries), it tags on the fly as before: what a view shows never depends on when
the case was made, only how fast it is.

Which records are read: those :func:`review.suggests` reads as imported. A ``records.derived`` entry whose records
give the tagger no words (a call log, a diary, a picture not read yet) gets no set: its records are tagged when
shown, which for records without words is nothing. Sides settled later
(``analysis.sides``) only ever turn an unknown direction into a known one, and a view still asks ``suggests``
of the settled record: a record later found to be the complainant's own shows no suggestion, as before.

Known limit: a picture read at import and read again by ``evidence ocr`` under another tagger keeps its import's
set as the mark of which tagger read its record (the re-read record's suggestions are the newer tagger's).
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterable, Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from evidence.analysis import review
from evidence.analysis.tactics import RuleSet, Tag, default_rules, rules_dir, tag
from evidence.case.canonical import canonical_bytes, canonical_text
from evidence.case.suggestions import tagger_text
from evidence.models import Record

if TYPE_CHECKING:
    from evidence.case import sqldriver as sqlite3

# Raised whenever what a suggestion is changes (its fields, which records are read).
TAGGER_VERSION = 1
RULE_FILES = ("*.toml", "model.json")  # what the shipped tagger reads in ``templates/tactics``
# The modules whose code decides what is suggested (``review.suggests`` and ``record_words``, this ``first_tags``).
TAGGER_CODE = (
    "tactics.py",
    "_tactic_rules.py",
    "_tactic_lang.py",
    "_tactic_model.py",
    "review.py",
    "suggested.py",
)


@cache
def tagger_identity(folder: Path | None = None) -> dict[str, Any]:
    """The tagger's identity: ``{"version": TAGGER_VERSION, "rules_sha256": ..., "code_sha256": ...}``: the
    digests over the name, length and bytes of each rules file and the model in ``folder`` (default: the
    shipped ones), in name order, and of the ``TAGGER_CODE`` modules."""
    base = folder or rules_dir()
    rules = sorted({p for pattern in RULE_FILES for p in base.glob(pattern) if p.is_file()})
    code = [Path(__file__).with_name(name) for name in TAGGER_CODE]
    return {
        "code_sha256": _files_digest(b"evidence/tagger-code/v1\x00", code),
        "rules_sha256": _files_digest(b"evidence/tactic-rules/v1\x00", rules),
        "version": TAGGER_VERSION,
    }


def _files_digest(tag: bytes, files: Iterable[Path]) -> str:
    digest = hashlib.sha256(tag)
    for path in files:
        data = path.read_bytes()
        digest.update(f"{path.name}\x00{len(data)}\x00".encode())
        digest.update(data)
    return digest.hexdigest()


def current_tagger() -> str:
    """The identity of the tagger in force, as the index keeps it (``case.suggestions.tagger_text``)."""
    return tagger_text(tagger_identity())


def first_tags(words: str, rules: RuleSet | None = None) -> list[Tag]:
    """What ``review.tags_for`` suggests for a record's words: the first match of each tactic, in text order."""
    found: dict[str, Tag] = {}
    for hit in tag(words, rules or default_rules()):
        found.setdefault(hit.tactic, hit)
    return list(found.values())


def item_bytes(record_id: str, tags: Sequence[Tag]) -> bytes:
    """One record's entry in a suggestions blob, canonical."""
    return canonical_bytes({"id": record_id, "tags": [t.to_json() for t in tags]})


def _tag_batch(batch: Sequence[tuple[str, str]]) -> list[bytes]:
    """A worker's part: the blob entries of the records of ``batch`` (id, words) given any suggestion."""
    found = []
    for record_id, words in batch:
        tags = first_tags(words)
        if tags:
            found.append(item_bytes(record_id, tags))
    return found


def tag_records(records: Iterable[Record], *, every: bool = False) -> tuple[list[bytes], int]:
    """The blob entries of ``records`` (in this process: a picture's few), and how many the tagger read; with
    ``every``, a record read is listed even when nothing is suggested (a picture read again: its earlier
    suggestions give way)."""
    found: list[bytes] = []
    read = 0
    for record in records:
        words = review.record_words(record) if review.suggests(record) else ""
        if not words and not every:
            continue
        read += 1 if words else 0
        tags = first_tags(words) if words else []
        if tags or every:
            found.append(item_bytes(record.id, tags))
    return found, read


# Words longer than this are not tagged at import (a hostile 30 MB message takes the tagger 10 s): the blob lists
# such records as ``deferred`` and the views tag them when shown, as before.
LONGEST_TAGGED = 200_000

BATCH = 1000  # records a worker tags at once
IN_FLIGHT = 2  # batches a worker may have waiting: bounds the words held while the import reads on


class Batches:
    """The records of one import tagged as the importer reads them: in this process for a few, in worker
    processes (one per core) once a batch fills, so the tagging runs beside the parsing, hashing and writing.
    The results come back in the order the records were given, whatever the workers' order. A worker that dies
    (killed, out of memory) loses nothing: its batches are tagged here, and so is the rest."""

    def __init__(self, workers: int | None = None) -> None:
        self.workers = workers if workers is not None else (os.cpu_count() or 1)
        self.pending: list[tuple[str, str]] = []
        self.read = 0  # records given (the blob's ``record_count`` counts those it lists)
        self.done: list[bytes] = []
        self.deferred: list[str] = []
        self.futures: list[tuple[Future[list[bytes]], list[tuple[str, str]]]] = []
        self.pool: ProcessPoolExecutor | None = None

    def add(self, record: Record) -> None:
        """Tag ``record`` if the tagger reads it (``review.suggests``)."""
        if not review.suggests(record):
            return
        words = review.record_words(record)
        if not words:
            return
        if len(words) > LONGEST_TAGGED:
            self.deferred.append(record.id)
            return
        self.read += 1
        self.pending.append((record.id, words))
        if len(self.pending) >= BATCH:
            self._send()

    def _send(self) -> None:
        batch, self.pending = self.pending, []
        if self.workers > 1 and self.pool is None:
            default_rules()  # loaded once, before the workers fork, so each has it
            self.pool = ProcessPoolExecutor(max_workers=self.workers)
        if self.workers > 1 and self.pool is not None:
            try:
                self.futures.append((self.pool.submit(_tag_batch, batch), batch))
            except BrokenProcessPool:
                self.workers = 1
        if self.workers <= 1:
            while self.futures:  # the batches sent before, first: the order is the records'
                self._collect()
            self.done += _tag_batch(batch)
        while len(self.futures) > IN_FLIGHT * self.workers:
            self._collect()

    def _collect(self) -> None:
        """The oldest batch's entries, from its worker or, when the pool broke, tagged here."""
        future, batch = self.futures.pop(0)
        try:
            self.done += future.result()
        except BrokenProcessPool:
            self.workers = 1
            self.done += _tag_batch(batch)

    def results(self) -> list[bytes]:
        """Every blob entry, in the order the records were given; the workers are stopped."""
        try:
            while self.futures:
                self._collect()
            self.done += _tag_batch(self.pending)
            self.pending = []
            return self.done
        finally:
            self.close()

    def close(self) -> None:
        """Stop the workers (a failed import too)."""
        if self.pool is not None:
            self.pool.shutdown(wait=True, cancel_futures=True)
            self.pool = None


def blob_pieces(
    item_sha256: str, source_sha256: str, items: Iterable[bytes], deferred: Sequence[str] = ()
) -> Iterator[bytes]:
    """The canonical bytes of a suggestions blob (see the module docstring), from its entries already
    canonical: the same bytes as ``canonical_bytes`` of the whole document."""
    head = canonical_text({"deferred": list(deferred), "item_sha256": item_sha256})[:-1]
    yield (head + ',"records":[').encode("utf-8")
    for number, item in enumerate(items):
        yield (b"," if number else b"") + item
    tail = canonical_text({"source_sha256": source_sha256, "tagger": tagger_identity()})[1:]
    yield ("]," + tail).encode("utf-8")


def entry_body(
    op: str, exhibit: str, item_sha256: str, blob_sha256: str, size: int, read: int, listed: int
) -> dict[str, Any]:
    """The body of a ``tactics.suggested`` entry (the caller adds ``derived_seq`` or ``ocr_seq`` and ``tool``)."""
    return {
        "op": op,
        "exhibit": exhibit,
        "item_sha256": item_sha256,
        "blob_sha256": blob_sha256,
        "tagger": tagger_identity(),
        "records_read": read,
        "records_suggested": listed,
        "objects": [{"sha256": blob_sha256, "role": "suggestions", "size": size}],
    }


@dataclass(frozen=True)
class Stored:
    """The suggestions a case holds for the tagger in force: by record id, ``(tactic, rule, words, start, end)``
    in the record's text order (tuples: a 100,000-message case holds about 50,000); ``uncovered`` the ids of the
    records nobody stored suggestions for with this tagger (tagged on the fly)."""

    tags: dict[str, list[tuple[str, str, str, int, int]]]
    uncovered: frozenset[str]

    def get(self, record_id: str) -> list[review.ShownTag] | None:
        """The stored suggestions of a record as ``review.tags_for`` shows them (an empty list: it has none),
        None when they must be computed."""
        if record_id in self.uncovered:
            return None
        return [
            review.ShownTag(tactic, review.SUGGESTED, rule, words, start, end, None)
            for tactic, rule, words, start, end in self.tags.get(record_id, ())
        ]


def load(conn: sqlite3.Connection, record_id: str | None = None) -> Stored:
    """The stored suggestions of the case's records (of the one record ``record_id`` when given)."""
    from evidence.case.suggestions import read

    rows, uncovered = read(conn, current_tagger(), record_id)
    tags: dict[str, list[tuple[str, str, str, int, int]]] = {}
    for rid, tactic, rule, start, end, words in rows:
        tags.setdefault(rid, []).append((tactic, rule, words, start, end))
    return Stored(tags, frozenset(uncovered))
