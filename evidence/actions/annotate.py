"""What the user adds to a case, each a new signed entry (never an edit): case facts, people and the
identifiers linked to them, records passed on by a third party, tactic reviews."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from evidence.case import index
from evidence.case import sqldriver as sqlite3
from evidence.case.folder import CaseFolder, PassphraseSource, actor, tool_info
from evidence.case.formats import Kind
from evidence.case.ledger import Head
from evidence.case.writer import Writer
from evidence.errors import UsageError

SETTABLE = (
    "title",
    "no_contact_since",
    "police_ref",
    "protection_order",
    # What a police officer records first (MG11, SPARC, S-DASH): printed in the police profile, a blank line
    # to fill in by hand when not set; never guessed from the records.
    "relationship",  # the complainant's relationship to the suspect: "ex-partner, five years, ended 1 March 2026"
    "suspect_name",
    "suspect_dob",  # the suspect's date of birth, if known: 1990-05-17
    "suspect_address",
    "impact",  # how it has affected the complainant, in her own words
    "actions_taken",  # blocks, reports ("reported to the Met on 14 March, CAD 4521"), orders applied for
)
# A fact set to "" is cleared (the report prints its blank line again); the title never is.
DATE_FACTS = ("no_contact_since", "suspect_dob")


def append_entry(
    case: CaseFolder, kind: str, body: dict[str, Any], passphrase: PassphraseSource | str | None
) -> Head:
    """Append one entry that derives nothing from files (facts, people, links, reviews) and project it.
    An identifier that another person already has is refused inside the transaction."""
    key = case.signing_key(passphrase)

    def check(conn: sqlite3.Connection) -> None:
        if kind not in (Kind.PERSON_ADDED, Kind.PERSON_LINKED):
            return
        from evidence.analysis import people
        from evidence.analysis.identity import Identifier

        idents = [Identifier(**i) for i in body.get("identities", [])]
        if kind == Kind.PERSON_LINKED:
            idents.append(Identifier(**body["identity"]))
        people.check_free(people.load(conn), idents, str(body["name"]))

    entry = Writer(case).append_one(key, kind, body, check=check)
    return Head(entry.seq, entry.hash)


def set_facts(
    case: CaseFolder, *, passphrase: PassphraseSource | str | None = None, **facts: str | None
) -> Head:
    """Change case facts (:data:`SETTABLE`: title, no-contact date, police reference, protection order, and
    the police statement's relationship, suspect's name, date of birth and address, impact and actions taken):
    a ``case.updated`` entry; the earlier values stay in the ledger."""
    unknown = set(facts) - set(SETTABLE)
    if unknown or not facts:
        raise UsageError(
            f"nothing to set{'' if not unknown else ': unknown ' + ', '.join(sorted(unknown))}",
            hint="--title, --no-contact-since, --police-ref, --protection-order, --relationship, --suspect-name, "
            "--suspect-dob, --suspect-address, --impact or --actions-taken",
        )
    if "title" in facts and not (facts["title"] or "").strip():
        raise UsageError("the case needs a title")
    for key in DATE_FACTS:
        if facts.get(key):
            try:
                date.fromisoformat(str(facts[key]))
            except ValueError:
                raise UsageError(f"{key}: {facts[key]!r} is not a date like 2026-03-01") from None
    for key, value in facts.items():
        if key not in DATE_FACTS and value is not None and value.strip() != value:
            facts[key] = value.strip()  # as typed, without stray spaces or newlines at its ends
    return append_entry(case, Kind.CASE_UPDATED, {"set": facts, "recorded_by": actor()}, passphrase)


def mark_relayed(
    case: CaseFolder,
    record_id: str,
    *,
    by: str,
    what: str | None = None,
    on_behalf_of: str | None = None,
    would_be_witness: bool | None = None,
    passphrase: PassphraseSource | str | None = None,
) -> Head:
    """Record that a record is contact passed on by a third party (who, for whom, what, whether they would be
    a witness): a ``record.relayed`` entry."""
    if not by.strip():
        raise UsageError("say who passed it on", hint='--by "Sam Patel"')
    if not any(record_id in {s.record_id for s in e.sources} for e in case.timeline()):
        raise UsageError(f"no record {record_id!r} in this case", hint="'timeline' shows each record's id")
    body = {
        "record": record_id,
        "by": by.strip(),
        "on_behalf_of": on_behalf_of,
        "what": what,
        "would_be_witness": would_be_witness,
        "marked_by": actor(),
    }
    return append_entry(case, Kind.RECORD_RELAYED, body, passphrase)


def attribute_record(
    case: CaseFolder,
    record_id: str,
    *,
    person: str,
    basis: str,
    passphrase: PassphraseSource | str | None = None,
) -> Head:
    """Record the complainant's attribution of a record whose file names no sender (a voicemail without a
    caller): to a person of the case, with her stated basis ("I recognise his voice"): a
    ``record.attributed`` entry. It is her statement, shown as hers beside the record, never as what the file
    says; it changes no sender, direction or count."""
    from evidence.analysis import people

    if not basis.strip():
        raise UsageError("say on what basis", hint='--basis "I recognise his voice"')
    name = people.find(case.people(), person).name
    if not any(record_id in {s.record_id for s in e.sources} for e in case.timeline()):
        raise UsageError(f"no record {record_id!r} in this case", hint="'timeline' shows each record's id")
    body = {"record": record_id, "person": name, "basis": basis.strip(), "marked_by": actor()}
    return append_entry(case, Kind.RECORD_ATTRIBUTED, body, passphrase)


def review_tag(
    case: CaseFolder,
    record_id: str,
    tactic: str,
    decision: str,
    *,
    note: str | None = None,
    passphrase: PassphraseSource | str | None = None,
) -> Head:
    """Confirm or reject a tactic on a record: a ``tactic.reviewed`` ledger entry, never an edit."""
    from evidence.actions.query import stored_suggestions
    from evidence.analysis import review
    from evidence.analysis.tactics import default_rules

    if decision not in (review.CONFIRMED, review.REJECTED):
        raise UsageError(f"decision {decision!r} is neither confirmed nor rejected")
    rules = default_rules()
    if tactic not in rules.tactics:
        raise UsageError(f"unknown tactic {tactic!r}", hint="one of: " + ", ".join(rules.tactics))
    # The one record read by its id (the index's key), not every record of the case.
    record = next(index.records_in_time_order(case.conn, "id = ?", (record_id,)), None)
    if record is None:
        raise UsageError(f"no record {record_id!r} in this case", hint="'timeline --json' shows each id")
    stored = stored_suggestions(case, record_id)
    suggested = {t.tactic: t for t in review.tags_for(record, {}, rules, stored)}
    hit = suggested.get(tactic)
    body = {
        "record": record_id,
        "tactic": tactic,
        "decision": decision,
        "note": note,
        "suggested_by_rule": hit.rule if hit else None,
        "words": hit.words if hit else None,
        "rules_fingerprint": review.rules_fingerprint(rules),
        "reviewed_by": actor(),
    }
    return append_entry(case, Kind.TACTIC_REVIEWED, body, passphrase)


def add_person(
    case: CaseFolder,
    name: str,
    *,
    role: str,
    ids: Sequence[str] = (),
    region: str | None = None,
    basis: str | None = None,
    confidence: str = "confirmed",
    passphrase: PassphraseSource | str | None = None,
) -> Head:
    """Record a ``person.added`` entry: a person, their role and the identifiers known to be theirs."""
    from evidence.analysis import people

    if not name.strip():
        raise UsageError(
            "the person needs a name", hint='evidence person add "Alex Morgan" --role respondent'
        )
    if role not in people.ROLES:
        raise UsageError(f"unknown role {role!r}", hint="one of " + ", ".join(people.ROLES))
    if any(p.name.casefold() == name.strip().casefold() for p in people.load(case.conn)):
        raise UsageError(f"{name.strip()!r} is already a person of this case", hint="use 'person link'")
    chosen = (region or case.region).upper()
    idents = people.parse_ids(ids, chosen)
    body = {
        "name": name.strip(),
        "role": role,
        "region": chosen,
        "identities": [i.to_json() for i in idents],
        "basis": basis,
        "confidence": confidence,
        "recorded_by": actor(),
        "tool": tool_info(),
    }
    return append_entry(case, Kind.PERSON_ADDED, body, passphrase)


def link_person(
    case: CaseFolder,
    name: str,
    identifier: str,
    *,
    basis: str,
    confidence: str = "suspected",
    unlink: bool = False,
    passphrase: PassphraseSource | str | None = None,
) -> Head:
    """Record a ``person.linked`` (or ``person.unlinked``) entry for one identifier, with its basis."""
    from evidence.analysis import people

    person = people.find(people.load(case.conn), name)
    if not basis.strip():
        raise UsageError("say why: --basis is required", hint='--basis "admitted in text of 2026-03-04"')
    ident = people.parse_ids([identifier], (person.region or case.region))[0]
    body: dict[str, Any] = {"name": person.name, "identity": ident.to_json(), "basis": basis.strip()}
    if unlink:
        if all((lk.identifier.kind, lk.identifier.value) != (ident.kind, ident.value) for lk in person.links):
            raise UsageError(f"{identifier!r} is not linked to {person.name}", hint="see 'person list'")
    else:
        if confidence not in people.CONFIDENCE:
            raise UsageError(f"unknown confidence {confidence!r}", hint="confirmed or suspected")
        body["confidence"] = confidence
    body["recorded_by"] = actor()
    body["tool"] = tool_info()
    return append_entry(case, Kind.PERSON_UNLINKED if unlink else Kind.PERSON_LINKED, body, passphrase)
