"""The export bundle: a zip a recipient can check (``evidence.export.bundle``), written and recorded (an
``export.created`` entry after a signed checkpoint, published through the writer). A filtered export carries
only the disclosed entries, each with its inclusion proof against that checkpoint."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any, BinaryIO

from evidence.actions import query
from evidence.actions._intact import require_intact
from evidence.case.folder import CaseFolder, PassphraseSource, actor, tool_info
from evidence.case.formats import Kind
from evidence.case.ledger import Head
from evidence.case.writer import Writer
from evidence.errors import UsageError


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


def export(
    case: CaseFolder,
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
    only, selective = _export_selection(case, exhibits, since, until, person, full_ledger)
    secret = case.passphrase_once(passphrase)

    writer = Writer(case)

    def write(fh: BinaryIO) -> dict[str, Any]:
        require_intact(case, "bundle")  # under the writer lock: what it reads is what verify compared
        signer = case.signing_key(secret)
        with writer.checkpoint_first(signer):
            built = build_bundle(
                fh,
                entries=list(case.entries()),
                genesis=case.genesis,
                exhibits=case.exhibits(),
                store=case.store,
                only=only,
                report=report,
                selective=selective,
                records=_record_ids(case, only) if selective and only else (),
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
    entry, _ = writer.publish(path, "bundle", Kind.EXPORT_CREATED, write, case.signing_key(secret))
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


def _record_ids(case: CaseFolder, exhibits: Sequence[str]) -> set[str]:
    """The ids of the records read from these exhibits (entries about them go with them)."""
    shas = {e["sha256"] for e in case.exhibits() if e["exhibit"] in set(exhibits)}
    rows = case.conn.execute("SELECT id, item_sha256 FROM records").fetchall()
    return {str(row[0]) for row in rows if row[1] in shas}


def _export_selection(
    case: CaseFolder,
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

        select_exhibits(case.exhibits(), only)  # an unknown exhibit is refused before anything is signed
    if since is not None or until is not None or person is not None:
        if since is not None and until is not None and since > until:
            raise UsageError(f"--since {since} is after --until {until}")
        matching = set(query.exhibits_matching(case, since=since, until=until, person=person))
        if only is not None:
            named, _ = select_exhibits(case.exhibits(), only)
            matching &= {e["exhibit"] for e in named}
        if not matching:
            raise UsageError(
                "the filters select no exhibit",
                hint="'evidence timeline' with the same filters shows why",
            )
        only = sorted(matching)
    return only, only is not None and not full_ledger
