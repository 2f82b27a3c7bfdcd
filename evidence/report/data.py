"""What a report shows: :class:`ReportData`, everything the case holds that a report prints, read from the
case by ``evidence.actions.reporting`` (rendering never reads the case or the sources itself)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, tzinfo
from typing import Any

from evidence.analysis.people import Person
from evidence.case.ledger import Entry, Head
from evidence.report.attachments import Attachment
from evidence.report.figures import Counted, Figures
from evidence.report.redact import Redactor
from evidence.report.screens import Screen
from evidence.report.tactic_rows import TacticRow
from evidence.timeline import TimelineEntry


@dataclass(frozen=True)
class ReportData:
    """Everything a report shows, read from the case by ``Case.render_report``."""

    title: str
    tz: tzinfo
    tz_name: str
    genesis: dict[str, Any]
    head: Head
    generated_at: datetime
    key_fingerprint: str
    tool: dict[str, str]
    timeline: list[TimelineEntry]
    exhibits: list[dict[str, Any]]
    entries: list[Entry]
    bates_prefix: str = "EVD"
    stats: dict[str, Any] | None = None  # evidence.analysis.stats.compute, as Case.stats() gives it
    tactics: dict[str, dict[str, int]] | None = None  # tactic -> {"confirmed": n, "suggested": n}
    options: dict[str, Any] = field(default_factory=dict)  # further options the manifest records
    people: list[Person] = field(default_factory=list)  # evidence.analysis.people, for the cover
    screens: dict[str, Screen] = field(default_factory=dict)  # item SHA-256 -> stored picture and OCR words
    filters: dict[str, str] = field(default_factory=dict)  # since/until/person as given; empty: everything
    withheld: list[dict[str, Any]] = field(
        default_factory=list
    )  # exhibits not shown: exhibit, sha256, records
    withheld_records: int = 0  # timeline entries of the case not shown
    redactor: Redactor | None = None
    # record id -> the complainant's attributions of it (``record.attributed``: person, basis, entry)
    attributions: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    # item SHA-256 -> what the file says of when the phone made it (evidence.report.exhibit_times)
    exhibit_times: dict[str, list[str]] = field(default_factory=dict)
    # Who imported and on which computer (login@host, the computer's local time and zone): left out unless
    # asked (``--computer-details``): a report goes to others, and these say where the victim works and lives.
    show_computer: bool = False
    # entry seq -> its private details (``evidence.case.ledger``), given only with ``show_computer``
    private: dict[int, dict[str, Any]] = field(default_factory=dict)
    # (item SHA-256, locator) -> what the import warned about that record (shown beside it in the timeline)
    record_warnings: dict[tuple[str, str], list[str]] = field(default_factory=dict)
    # item SHA-256 -> the import's warnings about the whole file (locator, message): e.g. the date order it
    # decided; shown with the exhibit and on the exhibit's first Timeline row
    file_warnings: dict[str, list[tuple[str, str]]] = field(default_factory=dict)
    # item SHA-256 -> the import's tally of it ({"unit", "seen", "made", "skipped"}), when its importer counts
    tallies: dict[str, dict[str, Any]] = field(default_factory=dict)
    # attachment SHA-256 -> what is stored of it (evidence.report.attachments), for the appendix
    attachments: dict[str, Attachment] = field(default_factory=dict)
    # What each timeline row counts as (parallel to ``timeline``), the figures summed from those marks, and
    # each respondent's statistics (evidence.analysis.stats.compute for that person): evidence.report.figures
    counted: list[Counted] = field(default_factory=list)
    figures: Figures | None = None
    respondent_stats: dict[str, dict[str, Any]] = field(default_factory=dict)
    # Every tactic on a shown record that was not rejected, confirmed or only suggested (evidence.report.tactic_rows)
    tactic_rows: list[TacticRow] = field(default_factory=list)
    # anchor entry seq -> whether its TSA root is in the trust store of the computer making the report
    anchors_independent: dict[int, bool] = field(default_factory=dict)
