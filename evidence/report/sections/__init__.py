"""The report's sections, one module each, named as a profile names them (``templates.SECTION_IDS``):
``cover``, ``summary``, ``incidents``, ``timeline``, ``appendix``, ``exhibits``, ``completeness``, ``custody``, ``verification`` and
``declaration``. Each module's ``add(builder, section)`` appends its flowables to the builder's story;
:data:`SECTIONS` is the one registry of them (``tests/report/test_sections.py`` keeps it complete), and
:func:`build` lays a profile's sections out in order."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from reportlab.platypus import PageBreak

from evidence.report.builder import Builder
from evidence.report.sections import (
    appendix,
    completeness,
    cover,
    custody,
    declaration,
    exhibits,
    incidents,
    summary,
    timeline,
    verification,
)
from evidence.report.templates import COMPULSORY, Section

SECTIONS: dict[str, Callable[[Builder, Section], None]] = {
    "cover": cover.add,
    "summary": summary.add,
    "incidents": incidents.add,
    "timeline": timeline.add,
    "appendix": appendix.add,
    "exhibits": exhibits.add,
    "completeness": completeness.add,
    "custody": custody.add,
    "verification": verification.add,
    "declaration": declaration.add,
}


def build(b: Builder) -> list[Any]:
    """One pass's story: the profile's sections in order, without a trailing page break. Completeness and
    Verification are always there in a report for others (``templates.COMPULSORY``), and Completeness in any
    filtered or redacted report, whatever a user's own profile lists; the Appendix wherever the Timeline is
    (its rows point to it)."""
    chosen = list(b.profile.sections)
    needed = [] if b.profile.working else list(COMPULSORY)
    if (b.data.filters or b.data.redactor is not None) and "completeness" not in needed:
        needed.insert(0, "completeness")
    for missing in needed:
        ids = [sec.id for sec in chosen]
        if missing in ids:
            continue
        if missing == "completeness":
            at = ids.index("exhibits") + 1 if "exhibits" in ids else len(ids)
        else:
            at = ids.index("declaration") if "declaration" in ids else len(ids)
        chosen.insert(at, Section(missing, missing.title(), "", ()))
    ids = [sec.id for sec in chosen]
    if "timeline" in ids and "appendix" not in ids:
        chosen.insert(
            ids.index("timeline") + 1, Section("appendix", "Appendix: full text and attachments", "", ())
        )
    for section in chosen:
        SECTIONS[section.id](b, section)
    while b.story and isinstance(b.story[-1], PageBreak):
        b.story.pop()
    return b.story
