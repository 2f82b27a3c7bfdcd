"""The chain of custody: every ledger entry in order (sequence number, when it was recorded, its kind, what
it records in words, the start of its hash)."""

from __future__ import annotations

from typing import Any

from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.platypus import PageBreak, Paragraph

from evidence.case.formats import Kind
from evidence.case.ledger import Entry
from evidence.describe import describe, exact_size
from evidence.report.builder import CELL_PADDING, Builder
from evidence.report.page import FRAME_W, entry_time, esc
from evidence.report.templates import Section


def add(b: Builder, section: Section) -> None:
    """The ledger, entry by entry, as a table."""
    d, st = b.data, b.st
    b.story.append(b.heading(section.title, "custody"))
    b.intro(section)
    header = [Paragraph(h, st["cellb"]) for h in ("Seq", "Recorded", "Kind", "What", "Hash")]
    rows: list[list[Any]] = [header]
    withheld = {str(w.get("exhibit")) for w in d.withheld}
    for entry in d.entries:
        rows.append(
            [
                Paragraph(str(entry.seq), st["cell"]),
                Paragraph(esc(entry_time(entry, d.tz)).replace(" ", "<br/>", 1), st["cell"]),
                Paragraph(esc(entry.kind), st["cell"]),
                Paragraph(esc(b.mask(_describe(entry, withheld, d.show_computer, d.private))), st["cell"]),
                Paragraph(entry.hash[:12] + "…", st["mono"]),
            ]
        )
    # The Kind column fits the longest kind shown on one line: reportlab cuts a word wider than its cell
    # anywhere ("checkpoint.signe" / "d"); capped, so a strange kind cannot squeeze the What column away.
    kind_w = max(
        (stringWidth(e.kind, st["cell"].fontName, st["cell"].fontSize) for e in d.entries), default=0
    )
    widths = [26.0, 76.0, min(max(74.0, kind_w + 2 * CELL_PADDING + 1), 120.0), 0.0, 70.0]
    widths[3] = FRAME_W - sum(widths)
    b.story.append(b.table(rows, widths))
    b.story.append(PageBreak())


def _describe(entry: Entry, withheld: set[str], computer: bool, private: dict[int, dict[str, Any]]) -> str:
    """The entry in words; an exhibit a filter withheld is named by number and hash only, never by its name."""
    body = {**entry.body, **private.get(entry.seq, {})} if isinstance(entry.body, dict) else {}
    if entry.kind == Kind.ITEM_ACQUIRED and str(body.get("exhibit")) in withheld:
        return f"{body.get('exhibit')} acquired (withheld from this report): sha256 {str(body.get('sha256'))[:16]}…"
    return describe(entry.kind, body, size=exact_size, computer=computer)
