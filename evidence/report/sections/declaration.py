"""The declaration: the profile's declaration texts (``templates/``), filled with the case title, the ledger
head, the key fingerprint and the counts, each on its own page."""

from __future__ import annotations

from reportlab.platypus import PageBreak, Paragraph, Spacer

from evidence.report.builder import Builder
from evidence.report.page import esc
from evidence.report.templates import Section, fill


def add(b: Builder, section: Section) -> None:
    """The profile's declarations, filled in, each from a new page."""
    d, st = b.data, b.st
    b.story.append(b.heading(section.title, "declaration"))
    b.intro(section)
    values = {
        "case_title": d.title,
        "head_seq": str(d.head.seq),
        "head_hash": d.head.hash,
        "key_fingerprint": d.key_fingerprint,
        "exhibit_count": str(len(d.exhibits)),
        "record_count": str(len(d.timeline)),
    }
    for n, text in enumerate(section.declarations):
        if n:
            b.story.append(PageBreak())
        paragraphs = [p.strip() for p in fill(text, values).split("\n\n") if p.strip()]
        for i, para in enumerate(paragraphs):
            b.story.append(Paragraph(esc(para), st["h2"] if i == 0 else st["body"]))
            b.story.append(Spacer(1, 3))
