"""Check (6) of ``evidence.verify.case``: every object an entry names is present and re-hashes to its name,
and every stored object is named by an entry (or is an interrupted import's leftover, a warning); and (6b)
the journals a killed writer leaves rows in name only what our writer writes there.

An object must be a regular file in the case's own store: a symbolic link (even to an identical copy), a
FIFO, a device, or an object under a folder that is a link, is ``MODIFIED`` (saying which), and is never
followed or read to its end (``evidence.verify.objectfiles``).

An encrypted case's objects are files under ``objects/sealed`` named by a keyed hash of the object's hash: an
object is checked by opening its sealed file as the object the ledger names (every tag; see
``evidence.verify.objectfiles``), and a file is unnamed (``EXTRA``) when no entry's object is sealed under
its name. The findings name the sealed file's path.

(6b) The journals are unsigned, and the next writing command acts on them, so a row no tool of ours writes is
an error (``JOURNAL_INVALID``): a ``pending_objects`` row that is not an object's hash, a ``pending_outputs``
row whose file is not ``output-<hex>`` in ``objects/tmp``, or whose entry is not the committed output it
claims. A genuine row of a killed report or export is ``INCOMPLETE_OUTPUT`` (a warning naming the command
that finishes it), as is a temporary output no row names.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path

from evidence.case import sqldriver as sqlite3
from evidence.case.formats import (
    DB_NAME,
    HASH_DIR,
    IMPORT_JOURNAL,
    OBJECTS_DIR,
    OUTPUT_TEMP_NAME,
    OUTPUT_TEMP_PREFIX,
    OUTPUTS_JOURNAL,
    SEALED_DIR,
    STAGING_DIR,
    Kind,
)
from evidence.case.store import is_hash_name
from evidence.verify import WARNING, Finding, Report
from evidence.verify._common import Row
from evidence.verify.db import open_snapshot
from evidence.verify.objectfiles import ObjectFiles
from evidence.verify.parallel import ObjectHasher


def named_objects(rows: list[Row]) -> tuple[dict[str, tuple[int, int | None]], dict[str, str]]:
    """Every object some entry names: its first naming entry and size, and the exhibit it belongs to."""
    named: dict[str, tuple[int, int | None]] = {}
    exhibits: dict[str, str] = {}
    for row in rows:
        body = row.body
        if not isinstance(body, dict):
            continue
        exhibit = body.get("exhibit")
        objects = body.get("objects")
        for obj in objects if isinstance(objects, list) else []:
            sha = obj.get("sha256") if isinstance(obj, dict) else None
            if not isinstance(sha, str) or not is_hash_name(sha):
                continue  # a genuine entry never names anything else; its own hash check says so
            size = obj.get("size")
            named.setdefault(sha, (row.entry.seq, size if isinstance(size, int) else None))
            if isinstance(exhibit, str):
                # An original, its records blob and its attachments all belong to the item's exhibit.
                exhibits.setdefault(sha, exhibit)
    return named, exhibits


def _named_since(files: ObjectFiles, seq: int) -> set[str]:
    """The objects that entries after ``seq`` name or the import journal lists now (a concurrent import's):
    read in one read transaction after the objects were listed, so nothing placed before the listing escapes.
    Only names are read here; the entries themselves are checked by the next verify."""
    names: set[str] = set()
    try:
        snapshot = open_snapshot(files.root / DB_NAME, key=files.keys.db_key if files.keys else None)
    except sqlite3.Error:
        return names
    conn = snapshot.conn
    try:
        conn.execute("BEGIN")
        names |= {str(r[0]) for r in conn.execute(f"SELECT sha256 FROM {IMPORT_JOURNAL}")}  # noqa: S608
        for (body,) in conn.execute("SELECT body FROM ledger WHERE seq > ?", (seq,)):
            try:
                value = json.loads(body)
            except (ValueError, TypeError, RecursionError):
                continue
            objects = value.get("objects") if isinstance(value, dict) else None
            for obj in objects if isinstance(objects, list) else []:
                if isinstance(obj, dict) and isinstance(obj.get("sha256"), str):
                    names.add(obj["sha256"])
        conn.execute("COMMIT")
    except sqlite3.Error:
        return names
    finally:
        snapshot.close()
    return names


def _store_names(files: ObjectFiles, shas: Iterable[str]) -> dict[str, str]:
    """The file name each object hash is stored under (itself, or its sealed name), for the valid hashes."""
    return {files.name(sha): sha for sha in shas if is_hash_name(sha)}


def check_objects(
    files: ObjectFiles, rows: list[Row], pending: set[str], report: Report, hasher: ObjectHasher
) -> dict[str, tuple[int, int | None]]:
    """Check (6) of the case verifier (see ``evidence.verify.case``); returns the objects the entries name."""
    root = files.root
    named, exhibits = named_objects(rows)
    objects = root / OBJECTS_DIR
    rel = files.relpath
    store = files.folder  # sha256, or sealed

    hasher.listing()  # before anything can close the pool
    if hasher.base_problem is not None:
        report.add(
            Finding(
                "EXTRA",
                "a symbolic link (or a file) where the store keeps its folder; nothing under it was read",
                path=OBJECTS_DIR
                if objects.is_symlink() or not objects.is_dir()
                else f"{OBJECTS_DIR}/{store}",
            )
        )
    total = 0
    order = sorted(named, key=lambda s: -(named[s][1] or 0))
    for sha in order:
        actual, size = hasher.hashed(sha)
        seq, recorded_size = named[sha]
        exhibit = exhibits.get(sha)
        if actual is None:
            report.add(
                Finding(
                    "MISSING",
                    "object named by the ledger is gone",
                    entry=seq,
                    exhibit=exhibit,
                    path=rel(sha),
                )
            )
        elif actual != sha:
            report.add(
                Finding(
                    "MODIFIED",
                    "content no longer matches its hash" if is_hash_name(actual) else actual,
                    entry=seq,
                    exhibit=exhibit,
                    path=rel(sha),
                )
            )
        elif recorded_size is not None and size != recorded_size:
            # The hash holds, so only the entry's own record of the size can be wrong: signed, but checked.
            report.add(
                Finding(
                    "MODIFIED",
                    f"the object is {size} bytes, not the {recorded_size} its entry records",
                    entry=seq,
                    exhibit=exhibit,
                    path=rel(sha),
                )
            )
        total += size
    hasher.close()
    report.checked["objects"] = len(named)
    report.checked["bytes"] = total

    # Stored files that no entry names (by their file name: the hash, or its sealed name).
    named_files = _store_names(files, named)
    pending_files = _store_names(files, pending)
    present: set[str] = set()
    unnamed: list[tuple[str, str]] = []
    if objects.is_dir() and not objects.is_symlink():
        for child in sorted(objects.iterdir()):
            if child.name == STAGING_DIR:
                for stray in sorted(child.iterdir()) if child.is_dir() and not child.is_symlink() else []:
                    if stray.name.startswith(OUTPUT_TEMP_PREFIX):
                        continue  # a report or bundle being written: (6b) says what it is
                    report.add(
                        Finding(
                            "INCOMPLETE_IMPORT",
                            "staging file left by an interrupted import (the next command that writes to the case, e.g. 'evidence import', removes it; verify does not)",
                            severity=WARNING,
                            path=f"{OBJECTS_DIR}/{STAGING_DIR}/{stray.name}",
                        )
                    )
                continue
            if child.name == store and hasher.base_problem is not None:
                continue  # reported above
            if child.name != store or not child.is_dir():
                report.add(Finding("EXTRA", _foreign_folder(files, child.name), path=f"objects/{child.name}"))
                continue
            for shard, name, in_place in hasher.listing():
                if in_place:
                    present.add(name)
                    if name in named_files:
                        continue
                base = f"{OBJECTS_DIR}/{store}/{shard}"
                relpath = f"{base}/{name}" if name else base
                if in_place and name in pending_files:
                    report.add(
                        Finding(
                            "INCOMPLETE_IMPORT",
                            "object of an interrupted import (the next command that writes to the case, e.g. 'evidence import', removes it; verify does not)",
                            severity=WARNING,
                            path=relpath,
                        )
                    )
                    continue
                if in_place:
                    unnamed.append((name, relpath))
                    continue
                report.add(
                    Finding(
                        "EXTRA",
                        "object that no ledger entry names (added, or its entries were removed)"
                        if name
                        else "a file or a symbolic link where the store keeps a folder of objects",
                        path=relpath,
                    )
                )
    # An import running beside this check journals and places its objects after the ledger was read; they
    # are not EXTRA if the journal or an entry committed since names them (read again, after the listing).
    late = (
        _store_names(files, _named_since(files, max((r.entry.seq for r in rows), default=0)))
        if unnamed
        else {}
    )
    for name, relpath in unnamed:
        if name not in late:
            report.add(
                Finding(
                    "EXTRA",
                    "object that no ledger entry names (added, or its entries were removed)",
                    path=relpath,
                )
            )
    for sha in sorted(pending - set(named)):
        if is_hash_name(sha):
            if files.name(sha) in present:
                continue
            report.add(
                Finding(
                    "INCOMPLETE_IMPORT",
                    "the import journal lists an object an interrupted import never placed (the next "
                    "command that writes to the case, e.g. 'evidence import', clears it; verify does not)",
                    severity=WARNING,
                    path=rel(sha),
                )
            )
        else:
            report.add(
                Finding(
                    "JOURNAL_INVALID",
                    f"the import journal has a row naming {sha[:120]!r}, not an object: no tool of ours "
                    "writes that (the writing commands leave it alone and say so)",
                    path=f"{DB_NAME}:{IMPORT_JOURNAL}",
                )
            )
    return named


def _foreign_folder(files: ObjectFiles, name: str) -> str:
    """What an unexpected entry of ``objects/`` is: another kind of case's store, or a stranger."""
    if files.sealed and name == HASH_DIR:
        return "a plain case's objects in an encrypted case: the store never writes them there"
    if not files.sealed and name == SEALED_DIR:
        return "an encrypted case's sealed objects in a case without keys/vault.json (was it removed?)"
    return "file in objects/ that the store never writes"


OUTPUT_KINDS = frozenset({Kind.REPORT_GENERATED, Kind.EXPORT_CREATED})
OUTPUT_COMMANDS = {Kind.REPORT_GENERATED: "evidence report", Kind.EXPORT_CREATED: "evidence export"}


def check_outputs(root: Path, conn: sqlite3.Connection, rows: list[Row], report: Report) -> None:
    """(6b) The journal of reports and bundles being written (``pending_outputs``), and what a killed one left
    in ``objects/tmp``: see the module docstring."""
    try:
        journal = conn.execute(f"SELECT tmp, target, kind, sha256, seq FROM {OUTPUTS_JOURNAL}").fetchall()  # noqa: S608
    except sqlite3.Error:
        journal = []  # a case no report or export was ever written in has no such table
    by_seq = {row.entry.seq: row for row in rows}
    where = f"{DB_NAME}:{OUTPUTS_JOURNAL}"
    named: set[str] = set()
    for tmp, target, kind, sha, seq in journal:
        name = tmp.decode("utf-8", "replace") if isinstance(tmp, bytes) else str(tmp)
        target_name = target.decode("utf-8", "replace") if isinstance(target, bytes) else str(target)
        problem = _output_row_problem(name, target_name, kind, sha, seq, by_seq)
        if problem is not None:
            report.add(Finding("JOURNAL_INVALID", f"{problem}: no tool of ours writes that row", path=where))
            continue
        named.add(name)
        finish = "moves it to" if seq is not None else "removes it; it was never recorded, and was meant for"
        report.add(
            Finding(
                "INCOMPLETE_OUTPUT",
                f"a killed '{OUTPUT_COMMANDS[Kind(kind)]}' left this output unfinished; the next command that "
                f"writes to the case (e.g. 'evidence import', 'evidence diary add') {finish} {target_name}; "
                "verify does not",
                severity=WARNING,
                entry=seq if isinstance(seq, int) else None,
                path=f"{OBJECTS_DIR}/{STAGING_DIR}/{name}",
            )
        )
    staging = root / OBJECTS_DIR / STAGING_DIR
    if staging.is_dir() and not staging.is_symlink():
        for stray in sorted(staging.glob(f"{OUTPUT_TEMP_PREFIX}*")):
            if stray.name not in named:
                report.add(
                    Finding(
                        "INCOMPLETE_OUTPUT",
                        "a temporary report or bundle that no journal row names (the next command that "
                        "writes to the case, e.g. 'evidence import', removes it; verify does not)",
                        severity=WARNING,
                        path=f"{OBJECTS_DIR}/{STAGING_DIR}/{stray.name}",
                    )
                )


def _output_row_problem(
    name: str, target: str, kind: object, sha: object, seq: object, by_seq: dict[int, Row]
) -> str | None:
    """What is wrong with one ``pending_outputs`` row (None when the writer could have written it)."""
    if not OUTPUT_TEMP_NAME.fullmatch(name):
        return f"a row names {name[:120]!r}, not a temporary output in {OBJECTS_DIR}/{STAGING_DIR}"
    if kind not in OUTPUT_KINDS:
        return f"the row of {name} names the kind {str(kind)[:40]!r}, not a report's or an export's"
    if not target.startswith("/"):
        return f"the row of {name} names the target {target[:120]!r}, not an absolute path"
    if seq is None:
        return None if sha is None else f"the row of {name} has a hash but no entry"
    row = by_seq.get(seq) if isinstance(seq, int) else None
    body = row.body if row is not None else None
    if (
        row is None
        or row.entry.kind != kind
        or not isinstance(body, dict)
        or body.get("sha256") != sha
        or body.get("file_name") != target.rsplit("/", 1)[-1]
    ):
        return f"the row of {name} names entry {str(seq)[:20]}, which is not the {kind} of that file"
    return None
