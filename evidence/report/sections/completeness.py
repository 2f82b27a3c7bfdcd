"""Completeness: what the report shows of the case and, when a filter chose part of it, what it withheld
(the exhibits by SHA-256, so anyone holding the case can check they exist), and whether the copy is redacted.
A filtered or redacted report always has this section (``evidence.report.sections.build``)."""

from __future__ import annotations

from typing import Any

from reportlab.platypus import PageBreak, Paragraph

from evidence.report.builder import Builder
from evidence.report.page import FRAME_W, esc
from evidence.report.redact import DESCRIPTION as REDACTION
from evidence.report.sections.cover import SELECTED, records_and_rows
from evidence.report.templates import Section


def add(b: Builder, section: Section) -> None:
    """What the report shows of the case, and what a filter withheld (by SHA-256)."""
    d, st = b.data, b.st
    b.story.append(b.heading(section.title, "completeness"))
    b.intro(section)
    shown = (
        f"This report shows {records_and_rows(d)}, read from the case at ledger entry {d.head.seq} "
        f"({d.head.hash})."
    )
    b.story.append(Paragraph(esc("What the exhibits are: " + SELECTED + "."), st["body"]))
    if not d.filters:
        b.story.append(
            Paragraph(
                esc(
                    shown + " No filter was applied: nothing in the case was left out of this report (which "
                    "says nothing of what was never put into the case)."
                ),
                st["body"],
            )
        )
    else:
        chosen = "; ".join(f"{k}: {v}" for k, v in d.filters.items())
        b.story.append(
            Paragraph(
                esc(
                    f"{shown} It is filtered ({chosen}; dates are days of the case zone {d.tz_name}, "
                    f"inclusive). {d.withheld_records} timeline entries of the case are not shown, and "
                    f"{len(d.withheld)} exhibits, listed below by SHA-256 so that anyone holding the case "
                    "or a full export can check that they exist and what they are."
                ),
                st["body"],
            )
        )
        if d.withheld:
            rows: list[list[Any]] = [[Paragraph(h, st["cellb"]) for h in ("Exhibit", "SHA-256", "Records")]]
            rows += [
                [
                    Paragraph(esc(str(w["exhibit"])), st["cell"]),
                    Paragraph(esc(str(w["sha256"])), st["mono"]),
                    Paragraph(str(w["records"]), st["cell"]),
                ]
                for w in d.withheld
            ]
            b.story.append(b.table(rows, [60.0, FRAME_W - 110.0, 50.0]))
    if d.redactor is not None:
        b.story.append(Paragraph("Redaction", st["h2"]))
        b.story.append(Paragraph(esc("This copy is redacted: " + REDACTION), st["body"]))
    b.story.append(PageBreak())
