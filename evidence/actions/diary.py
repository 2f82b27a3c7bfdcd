"""A diary entry typed by the complainant (``evidence diary add``, the app's Diary screen): written as a small
diary file and imported like any original, so it becomes an exhibit that cannot be edited afterwards."""

from __future__ import annotations

from datetime import datetime

from evidence.actions.importing import ImportResult, import_files
from evidence.case.folder import CaseFolder, PassphraseSource
from evidence.errors import UsageError
from evidence.timeutil import iso_utc, utc_now


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
    from evidence.case.memtemp import private_folder

    # An encrypted case's entry is written to memory-backed storage: the user's own words never reach a disk.
    with private_folder("evidence-diary-", in_memory=case.store.sealed) as tmp:
        path = tmp / f"diary-{written:%Y%m%dT%H%M%S%fZ}.json"
        path.write_bytes(diary_document([entry]))
        return import_files(case, [path], passphrase=passphrase)
