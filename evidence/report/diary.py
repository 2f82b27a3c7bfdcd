"""Where a diary entry of the report came from: typed into the case with ``evidence diary add``, or imported
from a diary file written elsewhere (issue 14: the two looked the same).

``evidence diary add`` writes the entry to a file named ``diary-<UTC time>Z.json`` holding that one entry,
with ``written_at`` set from this computer's clock as it is typed, and imports it at once. So an entry is
*typed* when its exhibit has that name and its written-at time is at most :data:`TYPED_WITHIN` before the
exhibit was recorded in the ledger; its written-at time is then the toolkit's clock. Any other diary
exhibit is *imported*: its written-at times are what the file states, written outside this toolkit, which
cannot vouch for them.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from typing import Any

from evidence.case.ledger import Entry
from evidence.models import Record
from evidence.timeline import TimelineEntry

TYPED_WITHIN = timedelta(minutes=10)
_TYPED_NAME = re.compile(r"diary-\d{8}T\d{12}Z\.json")

TYPED = "typed"
IMPORTED = "imported"


def origin(entry: TimelineEntry, exhibits: list[dict[str, Any]], recorded: datetime | None) -> str:
    """TYPED or IMPORTED (see the module docstring); ``recorded``: when the exhibit's import was recorded."""
    rec: Record = entry.record
    number = entry.sources[0].exhibit
    name = next((str(e.get("original_name") or "") for e in exhibits if e.get("exhibit") == number), "")
    written = rec.raw.get("written_at")
    if not _TYPED_NAME.fullmatch(name) or not isinstance(written, str) or recorded is None:
        return IMPORTED
    try:
        at = datetime.fromisoformat(written)
    except ValueError:
        return IMPORTED
    return TYPED if timedelta(0) <= recorded - at <= TYPED_WITHIN else IMPORTED


def describe(kind: str, entry: TimelineEntry, exhibits: list[dict[str, Any]]) -> str:
    """One line saying how the entry reached the case, and what its written-at time rests on."""
    if kind == TYPED:
        return (
            "typed into the case with 'evidence diary add': its written-at time is this computer's clock "
            "when it was typed"
        )
    number = entry.sources[0].exhibit
    name = next((str(e.get("original_name") or "") for e in exhibits if e.get("exhibit") == number), "")
    return (
        f"imported from the diary file '{name}', written outside this toolkit: its written-at time is what "
        "the file states, not checked"
    )


def acquired_times(entries: list[Entry], exhibits: list[dict[str, Any]]) -> dict[str, datetime]:
    """When each exhibit was recorded in the ledger (its import entry's time), by exhibit number."""
    by_seq = {e.seq: e for e in entries}
    found: dict[str, datetime] = {}
    for exhibit in exhibits:
        entry = by_seq.get(int(exhibit.get("seq") or 0))
        if entry is not None:
            found[str(exhibit["exhibit"])] = datetime.fromisoformat(entry.recorded_at)
    return found
