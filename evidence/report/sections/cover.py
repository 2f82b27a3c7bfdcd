"""The cover: the profile's title, the case's facts (identifier, period, no-contact date, orders, the
parties and their identifiers), what the report was built from (ledger head, signing key, tool, profile,
selection) and the command that checks it."""

from __future__ import annotations

from reportlab.platypus import PageBreak, Paragraph, Spacer

from evidence.report.builder import Builder
from evidence.report.page import esc, shown_in
from evidence.report.redact import DESCRIPTION as REDACTION
from evidence.report.templates import Section


def add(b: Builder, section: Section) -> None:
    """The cover page: title, the case's facts and parties, what the report was built from."""
    d = b.data
    st = b.st
    b.marked.append(para := Paragraph(esc(b.profile.title), st["title"]))
    b.marks[id(para)] = (
        "cover",
        section.title,
        0,
    )
    b.story.append(para)
    b.story.append(Paragraph(esc(d.title), st["h1"]))
    if b.profile.subtitle:
        b.story.append(Paragraph(esc(b.profile.subtitle), st["subtitle"]))
    gen = d.generated_at
    no_contact = d.genesis.get("no_contact_since")
    created_by = d.genesis.get("created_by") or {}
    pairs: list[tuple[str, str, bool]] = [
        ("Case", d.title, False),
        ("Case identifier", str(d.genesis.get("case_id")), True),
        *(
            [("Case opened by", f"{created_by.get('user')}@{created_by.get('host')}", False)]
            if d.show_computer
            else []
        ),
        ("Period covered", _period(b), False),
        ("No contact since", str(no_contact) if no_contact else "not recorded", False),
        ("Protection order", str(d.genesis.get("protection_order") or "none recorded"), False),
        ("Police reference", str(d.genesis.get("police_ref") or "none recorded"), False),
        *_parties(b),
        (
            "Contents",
            f"{len(d.timeline)} timeline entries from {len(d.exhibits)} exhibits; "
            f"{d.head.seq} ledger entries",
            False,
        ),
        ("Times shown in", f"{d.tz_name} (every time carries its UTC offset)", False),
        (
            "Report generated",
            f"{shown_in(gen, d.tz)} ({d.tz_name})"
            + (
                f" = {shown_in(gen, gen.tzinfo)}"
                if gen.tzinfo is not None and shown_in(gen, gen.tzinfo) != shown_in(gen, d.tz)
                else ""
            )
            + "; the time of the ledger head below unless another was given",
            False,
        ),
        ("Built from ledger head", f"{d.head.seq}:{d.head.hash}", True),
        ("Signing key fingerprint", d.key_fingerprint, True),
        ("Tool", f"{d.tool.get('name')} {d.tool.get('version')}", False),
        ("Profile", b.profile.name, False),
        ("Selection", _selection(b), False),
    ]
    if d.redactor is not None:
        pairs.append(("REDACTED COPY", "This report is redacted: " + REDACTION, False))
    b.story.append(b.kv(pairs))
    b.story.append(Spacer(1, 10))
    b.story.append(
        Paragraph(
            "Anyone can check that this report was built from the case as it stands by running "
            f"<font face='DejaVuMono'>evidence verify --head {d.head.seq}:{d.head.hash}</font> "
            "on a copy of the case folder (see Verification).",
            st["body"],
        )
    )
    b.story.append(PageBreak())


def _period(b: Builder) -> str:
    tl = b.data.timeline
    if not tl:
        return "no records"
    tz = b.data.tz
    first = tl[0].record.occurred_at.astimezone(tz).date()
    last = tl[-1].record.occurred_at.astimezone(tz).date()
    return f"{first.isoformat()} to {last.isoformat()}"


def _parties(b: Builder) -> list[tuple[str, str, bool]]:
    """Cover rows: each person of the case with every identifier linked to them (an owner's are left out
    of a redacted report)."""
    rows: list[tuple[str, str, bool]] = []
    order = {"respondent": 0, "owner": 2}
    for person in sorted(b.data.people, key=lambda p: (order.get(p.role, 1), p.name)):
        if person.role == "owner" and b.data.redactor is not None:
            rows.append((f"{person.name} ({person.role})", "identifiers withheld (redacted copy)", False))
            continue
        ids = "; ".join(
            f"{link.identifier.raw} ({link.identifier.kind}, {link.confidence})" for link in person.links
        )
        label = "Other party" if person.role == "respondent" else person.role.replace("-", " ").capitalize()
        rows.append((f"{label}: {person.name}", ids or "no identifier linked", False))
    if not any(p.role == "respondent" for p in b.data.people):
        rows.append(
            (
                "Other party",
                "no person with the role respondent recorded ('evidence person add NAME --role "
                "respondent --id NUMBER'); senders are listed by identifier in the summary",
                False,
            )
        )
    return rows


def _selection(b: Builder) -> str:
    """What the report shows: everything, or the filter and what it withheld."""
    d = b.data
    if not d.filters:
        return "complete: every record and exhibit of the case at the ledger head below"
    shown = ", ".join(f"{k} {v}" for k, v in d.filters.items())
    return (
        f"filtered ({shown}): {d.withheld_records} timeline entries and {len(d.withheld)} exhibits "
        "withheld, listed by SHA-256 under Completeness"
    )
