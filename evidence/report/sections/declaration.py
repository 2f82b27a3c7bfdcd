"""The declaration: the profile's declaration texts (``templates/``), filled with the case title, the ledger
head, the key fingerprint, the counts, the exhibits (number, name, SHA-256), the tool's exact version, the
police reference and an exact sentence about assumed zones, each on its own page."""

from __future__ import annotations

from collections import Counter

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
        "police_ref": str(d.genesis.get("police_ref") or "______________"),
        "exhibit_list": "\n".join(
            f"{e['exhibit']}: {b.mask(str(e['original_name']))}, SHA-256 {e['sha256']}" for e in d.exhibits
        ),
        "exhibit_list_produced": "\n".join(
            f"{b.reference(str(e['exhibit']))} ({e['exhibit']}): "
            f"{b.mask(str(e['original_name']))}, SHA-256 {e['sha256']}"
            for e in d.exhibits
        ),
        "producer_initials": b.initials(),
        "witness_name": witness_name(b),
        "tool": f"{d.tool.get('name')} {d.tool.get('version')}, commit {d.tool.get('commit', 'not recorded')}",
        "assumed_zones": assumed_zones(b),
        "handed_over": handed_over_statement(b),
        **statement_facts(b),
    }
    for n, text in enumerate(section.declarations):
        if n:
            b.story.append(PageBreak())
        paragraphs = [p.strip() for p in fill(text, values).split("\n\n") if p.strip()]
        for i, para in enumerate(paragraphs):
            b.story.append(Paragraph(esc(para), st["h2"] if i == 0 else st["body"]))
            b.story.append(Spacer(1, 3))


def statement_facts(b: Builder) -> dict[str, str]:
    """The statement's facts the complainant set (``case set``: ``report.police_facts``), each as set or a
    blank to fill in by hand; the suspect's name falls back to the case's respondent, named as such."""
    from evidence.report.police_facts import fact

    blank = "______________________________"
    values = {
        key: fact(b, key) or blank
        for key in (
            "relationship",
            "suspect_name",
            "suspect_dob",
            "suspect_address",
            "impact",
            "actions_taken",
        )
    }
    respondents = [b.mask(p.name) for p in b.data.people if p.role == "respondent"]
    if values["suspect_name"] == blank and respondents:
        values["suspect_name"] = " / ".join(respondents)
    return values


TO_COMPLETE = "______________________________ [to be completed by the witness]"


def witness_name(b: Builder) -> str:
    """Who makes the statement: the person with the role ``owner`` (``person add --role owner``), as the case
    names her (masked in a redacted copy); a line the witness completes when the case names no owner, never
    guessed from the title."""
    owner = next((p for p in b.data.people if p.role == "owner"), None)
    return b.mask(owner.name) if owner is not None else TO_COMPLETE


def handed_over_statement(b: Builder) -> str:
    """The s.9 statement's words on who handed over which exhibit: what the imports recorded (the witness
    confirms it), and a line to complete for the exhibits whose hand-over the case does not record."""
    from evidence.report import handover

    found = handover.handed_over(b.data.entries)
    ask = "[say which {}exhibits others gave you, who, and when: ______________________________]"
    told = [
        f"{b.reference(str(e['exhibit']))} ({e['exhibit']}): "
        + "; ".join(handover.words(fact, b.mask) for _, fact in found[str(e["exhibit"])])
        for e in b.data.exhibits
        if str(e["exhibit"]) in found
    ]
    if not told:
        return "The case does not record who handed over any of them: " + ask.format("") + "."
    rest = len(b.data.exhibits) - len(told)
    said = "The case records, as told when they were imported, who handed over these exhibits: " + "; ".join(
        told
    )
    if not rest:
        return said + "."
    return f"{said}. For the other {rest} it records nothing: " + ask.format("of those ") + "."


def assumed_zones(b: Builder) -> str:
    """One exact sentence on the times whose zone the source did not give."""
    zones = Counter(e.record.tz_name or b.data.tz_name for e in b.data.timeline if e.record.tz_assumed)
    if not zones:
        return "Every record's time carried its zone or UTC offset from its source."
    total = sum(zones.values())
    which = ", ".join(f"{zone} for {n}" for zone, n in sorted(zones.items()))
    return (
        f"{total} of the {len(b.data.timeline)} records had a time written by their source without a zone or "
        f'offset; a zone was assumed ({which}), and each is marked "zone assumed" in the Timeline: if the '
        "zone assumed is not the one the device used, those times are wrong by the difference."
    )
