"""The tactics table of the summary: one row per tactic on one record, with the words that matched.

Reports for a court or the police print only tactics the complainant reviewed and confirmed (``evidence tag``),
each on its own row with the record's time, exhibit and locator, the matched words and the note; a count of
unreviewed suggestions is all they say of the rest. The owner's working profile (``Profile.working``) prints
the suggestions too, marked as such. Rejected suggestions appear nowhere.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from reportlab.platypus import Paragraph

from evidence.report.page import esc, record_time
from evidence.timeline import TimelineEntry

if TYPE_CHECKING:  # the builder's data holds these rows
    from evidence.report.builder import Builder

CONFIRMED = "confirmed"
SUGGESTED = "suggested"


@dataclass(frozen=True)
class TacticRow:
    """One tactic on one record: the timeline entry it is on, its status, the words matched, the note."""

    entry: TimelineEntry
    tactic: str
    status: str  # confirmed or suggested (rejected ones are not kept)
    words: str | None
    note: str | None


def add_table(b: Builder) -> None:
    """The tactic rows the profile allows, or a sentence saying why there are none."""
    d, st = b.data, b.st
    rows = [r for r in d.tactic_rows if r.status == CONFIRMED or b.profile.working]
    unreviewed = sum(1 for r in d.tactic_rows if r.status == SUGGESTED)
    heading = "Tactics confirmed by the complainant" if not b.profile.working else "Tactics (working copy)"
    b.story.append(Paragraph(heading, st["h2"]))
    if not b.profile.working:
        text = (
            "Only tactics the complainant reviewed and confirmed are listed, each with the words it rests on; "
            "a confirmed tactic is the complainant's reading of the words, not a finding."
        )
        if unreviewed:
            text += (
                f" {unreviewed} suggestion(s) by word-matching rules that nobody reviewed are not listed and "
                "not counted."
            )
        b.story.append(Paragraph(esc(text), st["body"]))
    else:
        b.story.append(
            Paragraph(
                esc(
                    "Suggested rows were made by word-matching rules and nobody has reviewed them: many are "
                    "wrong. Confirm or reject each with 'evidence tag'; reports for others list confirmed ones "
                    "only."
                ),
                st["body"],
            )
        )
    if not rows:
        b.story.append(Paragraph("No tactic has been confirmed.", st["body"]))
        return
    table: list[list[Any]] = [
        [Paragraph(h, st["cellb"]) for h in ("Tactic", "Status", "When", "Words matched", "Exhibit")]
    ]
    for row in rows:
        rec = row.entry.record
        source = row.entry.sources[0]
        words = f"“{b.mask(row.words)}”" if row.words else "(added by the complainant)"
        if row.note:
            words += f" — note: {b.mask(row.note)}"
        table.append(
            [
                Paragraph(esc(row.tactic.replace("_", " ")), st["cell"]),
                Paragraph(esc(row.status), st["cell"]),
                Paragraph(esc(record_time(rec, d.tz)), st["cell"]),
                Paragraph(esc(words), st["cell"]),
                Paragraph(esc(f"{source.exhibit or '?'} {source.locator}"), st["cell"]),
            ]
        )
    b.story.append(b.table(table, [82, 52, 84, 200, 86]))
