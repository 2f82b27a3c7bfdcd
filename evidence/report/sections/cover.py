"""The cover: the profile's title, the case's facts (identifier, period, no-contact date, orders, the
parties and their identifiers), what the report was built from (ledger head, signing key, tool, profile,
selection) and the command that checks it."""

from __future__ import annotations

from datetime import datetime

from reportlab.platypus import PageBreak, Paragraph, Spacer

from evidence.report import period
from evidence.report.builder import Builder
from evidence.report.data import ReportData
from evidence.report.page import esc, shown_in
from evidence.report.redact import DESCRIPTION as REDACTION
from evidence.report.shaped_text import paragraph
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
    b.story.append(paragraph(d.title, st["h1"]))  # the case's title as typed: shaped when Arabic, Hindi...
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
        ("Period covered", period.covered(d.timeline, d.tz, no_contact), False),
        ("Period of each exhibit", period.per_exhibit(d.timeline, d.tz) or "no records", False),
        ("No contact since", str(no_contact) if no_contact else "not recorded", False),
        ("Protection order", str(d.genesis.get("protection_order") or "none recorded"), False),
        ("Police reference", str(d.genesis.get("police_ref") or "none recorded"), False),
        *_parties(b),
        (
            "Contents",
            f"{records_and_rows(d)}; {d.head.seq} ledger entries",
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
        ("Trusted time", trusted_time(b), False),
        ("Event and acquisition dates", DATES, False),
        ("Tool", tool_line(d.tool), False),
        ("Where to get the tool", d.tool.get("source") or "not recorded", False),
        (
            "Profile",
            b.profile.name + (" (working copy: NOT for court or the police)" if b.profile.working else ""),
            False,
        ),
        ("Templates", templates_line(b), False),
        ("What the exhibits are", SELECTED, False),
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


def records_and_rows(d: ReportData) -> str:
    """How many records from how many exhibits, and how many Timeline rows they make: a reader who counts
    the rows finds fewer than the records when one event was read from two files (shown in one row)."""
    copies = d.figures.copies if d.figures is not None else 0
    found = f"{len(d.timeline)} records from {len(d.exhibits)} exhibits"
    if not copies:
        return found
    return (
        f"{found}, in {len(d.timeline) - copies} Timeline rows ({copies} records are the same event read from "
        "a second file, shown in its first record's row)"
    )


SELECTED = (
    "exports selected by the complainant; not a device extraction. The files were chosen and exported by the "
    "complainant, or handed to her by others (the Exhibits section says who handed over each file where the "
    'import recorded it, and "not recorded" where it did not); nothing here was extracted from a phone or an account by an examiner, so messages the '
    "complainant did not export are not in the case"
)
DATES = (
    "the Timeline's times are when each event happened, as its source recorded it (with where that time came "
    "from); the Exhibits' and Chain of custody's times are when each file was acquired (imported into the "
    "case), by the clock of the computer that kept it, not when the phone made the file"
)


def tool_line(tool: dict[str, str]) -> str:
    """The toolkit's version, commit, Python and library versions as the cover prints them."""
    return (
        f"{tool.get('name')} {tool.get('version')}, commit {tool.get('commit', 'not recorded')}; Python "
        f"{tool.get('python', '?')}; {tool.get('libraries', '')}"
    )


def templates_line(b: Builder) -> str:
    """Whether the wording is the toolkit's own or a custom folder's, and each file's SHA-256."""
    custom = bool(b.data.options.get("custom_templates"))
    files = "; ".join(f"{name} sha256 {digest}" for name, digest in b.profile.sources)
    if custom:
        return f"CUSTOM templates (not the toolkit's wording): {files}"
    return f"the toolkit's own: {files}"


def trusted_time(b: Builder) -> str:
    """Whether anything independent says when the ledger existed: the latest trusted anchor, or that there is
    none (the recorded times are then only the computer's clock)."""
    anchors = [e for e in b.data.entries if e.kind == "anchor.timestamped"]
    if not anchors:
        return (
            "NOT anchored: no timestamp authority has signed this ledger, so every time of recording is "
            "only the clock of the computer that kept the case ('evidence anchor' adds one)"
        )
    latest = anchors[-1]
    body = latest.body
    covers = body.get("covers") or {}
    when = datetime.fromisoformat(str(body.get("gen_time")))
    independent = bool(body.get("chain_checked")) and b.data.anchors_independent.get(latest.seq, False)
    status = (
        "independent (its root is in this computer's trust store)"
        if independent
        else "self-asserted (its authority is in no trust store here)"
    )
    return (
        f"anchored: entries 1-{covers.get('seq')} existed by {shown_in(when, b.data.tz)} per "
        f"{body.get('tsa_name') or body.get('tsa_url')}, {status}; {len(anchors)} anchor(s), see Verification"
    )


def _parties(b: Builder) -> list[tuple[str, str, bool]]:
    """Cover rows: each person of the case with every identifier linked to them (an owner's are left out
    of a redacted report)."""
    rows: list[tuple[str, str, bool]] = []
    order = {"respondent": 0, "owner": 2}
    for person in sorted(b.data.people, key=lambda p: (order.get(p.role, 1), p.name)):
        if person.role == "owner" and b.data.redactor is not None:
            rows.append(
                (f"{b.mask(person.name)} ({person.role})", "identifiers withheld (redacted copy)", False)
            )
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
        return "complete: every record and exhibit of the case at the ledger head above"
    shown = ", ".join(f"{k} {v}" for k, v in d.filters.items())
    return (
        f"filtered ({shown}): {d.withheld_records} timeline entries and {len(d.withheld)} exhibits "
        "withheld, listed by SHA-256 under Completeness"
    )
