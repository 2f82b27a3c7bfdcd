"""What a police officer records first, for the police profile's Incidents section: the facts of the statement
and the behaviours of the stalking offence.

- **Facts for the statement** (the MG11's, and those SPARC, S-DASH and police logs ask for): the complainant's
  relationship to the suspect, the suspect's name, date of birth and address, every identifier linked to a
  respondent (with its confirmed/suspected status and basis), the impact on the complainant in the complainant's own words,
  the actions she has taken, the police reference and protection order. Each comes from a case fact the user
  set (``evidence case set --relationship ... --impact ...``: ``actions.annotate.SETTABLE``, a ``case.updated``
  ledger entry) or from the people of the case; a fact nobody set is printed as a blank line to fill in by
  hand, never guessed from the records.
- **Protection from Harassment Act 1997 s.2A(3)**: the seven behaviours the section lists, each with what the
  case shows of it: contact by any means from the counted attempts (machine records), the others only from
  tactics the complainant reviewed and confirmed (``evidence tag``), each record named; a behaviour nothing
  shows is a blank line for the complainant or the officer, not a "no".
"""

from __future__ import annotations

from typing import Any

from reportlab.platypus import KeepTogether, Paragraph, Spacer

from evidence.report.builder import Builder
from evidence.report.figures import RESPONDENT
from evidence.report.page import FRAME_W, esc, record_time
from evidence.report.tactic_rows import CONFIRMED

BLANK = "________________________________________ (not recorded: fill in by hand)"
HOW_TO_SET = (
    "Set with 'evidence case set' (--relationship, --suspect-name, --suspect-dob, --suspect-address, --impact, "
    "--actions-taken), each a signed ledger entry; a line of underscores is a fact nobody recorded, to be "
    "filled in by hand, not a 'no'."
)

# s.2A(3) (a)-(g) as the Act words them, and the confirmed tactics that point to each (evidence.analysis.tactics).
BEHAVIOURS: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    ("a", "following a person", ()),
    (
        "b",
        "contacting, or attempting to contact, a person by any means",
        ("third_party_contact", "new_account"),
    ),
    (
        "c",
        "publishing any statement or other material relating or purporting to relate to a person, or "
        "purporting to originate from a person",
        ("smear",),
    ),
    (
        "d",
        "monitoring the use by a person of the internet, email or any other form of electronic communication",
        ("monitoring",),
    ),
    ("e", "loitering in any place (whether public or private)", ()),
    ("f", "interfering with any property in the possession of a person", ()),
    ("g", "watching or spying on a person", ("monitoring",)),
)
LISTED = 6  # records named per behaviour; the rest counted
NOTHING_REVIEWED = (
    "no reviewed record shows it. Complainant's account: ______________________________ (fill in by hand)"
)


def fact(b: Builder, key: str) -> str | None:
    """A case fact as set (``case set``), masked when redacting; None when nobody set it (or cleared it)."""
    value = b.data.genesis.get(key)
    return b.mask(str(value)) if isinstance(value, str) and value.strip() else None


def add_facts(b: Builder) -> None:
    """The facts for the statement, each as set or a blank line to fill in."""
    d, st = b.data, b.st
    respondents = [p for p in d.people if p.role == RESPONDENT]
    name = fact(b, "suspect_name")
    if name is None and respondents:
        # Not a guess: the name the complainant gave the person she records as the respondent.
        name = (
            "; ".join(b.mask(p.name) for p in respondents)
            + " (the respondent of this case, 'evidence person')"
        )
    ids = [
        f"{b.party(link.identifier.raw) or link.identifier.raw} ({link.identifier.kind}, {link.confidence}: "
        f"{b.mask(link.basis) if link.basis else 'no basis given'})"
        for p in respondents
        for link in p.links
    ]
    pairs: list[tuple[str, str, bool]] = [
        ("Relationship of the complainant to the suspect", fact(b, "relationship") or BLANK, False),
        ("Suspect's full name", name or BLANK, False),
        ("Suspect's date of birth", fact(b, "suspect_dob") or BLANK.replace("(", "(if known; "), False),
        ("Suspect's address", fact(b, "suspect_address") or BLANK.replace("(", "(if known; "), False),
        ("Suspect's numbers, addresses and accounts", "\n".join(ids) if ids else BLANK, False),
        (
            "Impact on the complainant (in the complainant's own words)",
            f"“{impact}”" if (impact := fact(b, "impact")) else BLANK,
            False,
        ),
        ("Actions taken (blocks, reports, orders)", fact(b, "actions_taken") or BLANK, False),
        ("Police reference", fact(b, "police_ref") or BLANK, False),
        ("Protection order", fact(b, "protection_order") or BLANK, False),
    ]
    b.story.append(
        KeepTogether(
            [
                Paragraph("Facts for the statement", st["h2"]),
                Paragraph(esc(HOW_TO_SET), st["body"]),
                Spacer(1, 3),
                b.kv(pairs, label_w=170),
            ]
        )
    )
    b.story.append(Spacer(1, 6))


def add_behaviours(b: Builder) -> None:
    """The s.2A(3) table: each behaviour, and what the counted attempts and confirmed tactics show of it."""
    d, st = b.data, b.st
    confirmed: dict[str, list[Any]] = {}
    for row in d.tactic_rows:
        if row.status == CONFIRMED:
            confirmed.setdefault(row.tactic, []).append(row)
    attempts = [m for m in d.counted if m.kind == RESPONDENT]
    rows: list[list[Any]] = [
        [Paragraph(h, st["cellb"]) for h in ("s.2A(3)", "Behaviour", "What the case shows (reviewed only)")]
    ]
    for letter, words, tactics in BEHAVIOURS:
        shown: list[str] = []
        if letter == "b" and attempts:
            split = {s: sum(1 for m in attempts if m.status == s) for s in ("confirmed", "suspected")}
            shown.append(
                f"{len(attempts)} contact attempts attributed to a respondent ({split['confirmed']} from "
                f"identifiers confirmed as theirs, {split['suspected']} suspected): see Contact by any means"
            )
        for tactic in tactics:
            found = confirmed.get(tactic, [])
            for row in found[:LISTED]:
                source = row.entry.sources[0]
                words_matched = f": “{b.mask(row.words)}”" if row.words else ""
                shown.append(
                    f"{tactic.replace('_', ' ')} (confirmed by the complainant), "
                    f"{record_time(row.entry.record, d.tz)}, {source.exhibit} {source.locator}"
                    + words_matched
                )
            if len(found) > LISTED:
                shown.append(f"and {len(found) - LISTED} more {tactic.replace('_', ' ')} rows (see Summary)")
        text = "\n".join(shown) if shown else NOTHING_REVIEWED
        rows.append(
            [
                Paragraph(f"({letter})", st["cell"]),
                Paragraph(esc(words), st["cell"]),
                Paragraph(esc(text), st["cell"]),
            ]
        )
    intro = (
        "The behaviours the Protection from Harassment Act 1997 s.2A(3) lists as associated with stalking. "
        "Contact by any means is taken from the counted attempts; every other line only from tactics the "
        "complainant reviewed and confirmed ('evidence tag'), never from unreviewed suggestions. Whether a "
        "behaviour applies is for the officer; a blank line is for what the complainant says that no record shows."
    )
    heading = [
        Paragraph("Behaviours listed in PHA 1997 s.2A(3)", st["h2"]),
        Paragraph(esc(intro), st["body"]),
    ]
    b.story.append(KeepTogether([*heading, Spacer(1, 3), b.table(rows, [40, 180, FRAME_W - 220])]))
    b.story.append(Spacer(1, 6))
