"""What the people, tactic review and diary screens ask of the library, as plain functions returning what a
template shows (the pattern of ``screens.py``).

Reads go through ``evidence.actions.casework`` (identifiers seen, the review queue, the diary entries); writes
through the same ``Case`` methods the CLI's ``person add|link``, ``tag confirm|reject`` and ``diary add`` call,
so every change is a signed entry made by the one write path. Times are shown with their offset, in the case's
zone. Wording for the library's names (roles, tactics, kinds) is here, the rest in the templates.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, time
from pathlib import Path
from typing import TYPE_CHECKING, Any

from evidence.timeutil import display, parse_iso

if TYPE_CHECKING:
    from evidence.actions.casework import SightingsMemo, Suggestion, SuggestionMemo
    from evidence.analysis.identity import Identifier
    from evidence.case.vault import CaseKeys

ROLE_WORDS = {
    "respondent": "the person harassing you (respondent)",
    "owner": "you (the owner of this case)",
    "witness": "a witness",
    "third-party": "someone else involved (third party)",
    "other": "other",
}
KIND_WORDS = {"phone": "Phone number", "email": "E-mail address", "handle": "Account or chat name"}
CONFIDENCE_WORDS = {"confirmed": "confirmed", "suspected": "suspected, not proven"}
TACTIC_WORDS = {
    "threat": "Threat",
    "insult": "Insult",
    "guilt_tripping": "Guilt-tripping",
    "love_bombing": "Love-bombing (sudden affection or flattery)",
    "pleading": "Pleading",
    "smear": "Smear (spreading things about you)",
    "third_party_contact": "Contact through other people",
    "new_account": "A new number or account",
    "demand_to_meet_or_respond": "Demand to meet or to answer",
    "monitoring": "Watching or tracking you",
}
DECISION_WORDS = {"confirmed": "Confirmed", "rejected": "Rejected"}
NEXT_SHOWN = 10  # the suggestions listed after the one to decide now (a big case has thousands)
DECIDED_SHOWN = 50  # the latest decisions listed


@dataclass(frozen=True)
class Outcome:
    """What a form's change did: a line to show, or the error in words (nothing was written then)."""

    message: str | None = None
    error: str | None = None
    ref: str = ""  # what the change made, to point at on the page (a diary entry's exhibit number)


def _open(root: Path, keys: CaseKeys | None, *, write: bool = False) -> Any:
    from evidence.api import Case

    return Case.open(root, readonly=not write, keys=keys)


def _shown_as(ident: Identifier) -> str:
    """A phone number in its international form; an address or account as first written (matching ignores
    case, but "Dmitry S" reads better than "dmitry s")."""
    return ident.value if ident.kind == "phone" else ident.raw.strip()


def tactic_words(tactic: str) -> str:
    """A tactic's name in words."""
    return TACTIC_WORDS.get(tactic, tactic.replace("_", " ").capitalize())


# -- people ---------------------------------------------------------------------------------------------


def people_view(root: Path, keys: CaseKeys | None, memo: SightingsMemo | None = None) -> dict[str, Any]:
    """The people with their identifiers (status, basis, how many entries name each), the identifiers linked
    to no one with their counts, and the hidden callers' count; ``memo`` keeps the counts between pages."""
    from evidence.actions.casework import identifiers_seen

    with _open(root, keys) as case:
        tz = case.tz
        found = identifiers_seen(case, memo)
        counts = {(s.identifier.kind, s.identifier.value): s.entries for s in found.seen}
        people = [
            {
                "index": number,
                "name": p.name,
                "role": ROLE_WORDS.get(p.role, p.role),
                "links": [
                    {
                        "kind": KIND_WORDS.get(lk.identifier.kind, lk.identifier.kind),
                        "value": _shown_as(lk.identifier),
                        "typed": lk.identifier.raw,
                        "confidence": lk.confidence,
                        "confidence_words": CONFIDENCE_WORDS.get(lk.confidence, lk.confidence),
                        "basis": lk.basis or "",
                        "entries": counts.get((lk.identifier.kind, lk.identifier.value), 0),
                    }
                    for lk in p.links
                ],
            }
            for number, p in enumerate(case.people(), start=1)
        ]
        unknown = [
            {
                "kind": KIND_WORDS.get(s.identifier.kind, s.identifier.kind),
                "value": _shown_as(s.identifier),
                "raw": s.identifier.raw,
                "forms": [f for f in s.forms if f != _shown_as(s.identifier)],
                "entries": s.entries,
                "from_them": s.from_them,
                "first": display(s.first, tz),
                "last": display(s.last, tz),
            }
            for s in found.unlinked()
        ]
        title = case.title
    return {
        "people": people,
        "unknown": unknown,
        "hidden": found.hidden,
        "names": [p["name"] for p in people],
        "roles": list(ROLE_WORDS.items()),
        "case_title": title,
    }


def link_identifier(root: Path, keys: CaseKeys | None, form: Mapping[str, str]) -> Outcome:
    """Link one identifier to a person, confirmed or suspected, with the basis in words (``case.link_person``,
    as ``evidence person link``)."""
    identifier, name, basis = form.get("identifier", ""), form.get("name", ""), form.get("basis", "")
    confidence = form.get("confidence", "")
    if not identifier:
        return Outcome(error="Choose or type the number, address or account to link.")
    if not name:
        return Outcome(error="Choose the person it belongs to.")
    if confidence not in CONFIDENCE_WORDS:
        return Outcome(error="Say whether you are sure (confirmed) or only think so (suspected).")
    if not basis:
        return Outcome(error="Say how you know (for example: they signed the message with their name).")
    with _open(root, keys, write=True) as case:
        case.link_person(name, identifier, basis=basis, confidence=confidence)
    return Outcome(message=f"Linked {identifier} to {name} ({CONFIDENCE_WORDS[confidence]}).")


def unlink_identifier(root: Path, keys: CaseKeys | None, form: Mapping[str, str]) -> Outcome:
    """Remove a link that was wrong, with the reason (``case.link_person(unlink=True)``, as ``evidence person
    unlink``): a new entry; the link and its removal both stay in the record."""
    identifier, name, basis = form.get("identifier", ""), form.get("name", ""), form.get("basis", "")
    if not identifier or not name:
        return Outcome(error="Choose the link to remove.")
    if not basis:
        return Outcome(error="Say why it is not theirs: the reason is kept with the removal.")
    with _open(root, keys, write=True) as case:
        case.link_person(name, identifier, basis=basis, unlink=True)
    return Outcome(message=f"Removed the link of {identifier} to {name}.")


def add_person(root: Path, keys: CaseKeys | None, form: Mapping[str, str]) -> Outcome:
    """Add a person with their role and the identifiers known to be theirs (``case.add_person``, as
    ``evidence person add``)."""
    name, role, basis = form.get("name", ""), form.get("role", ""), form.get("basis", "")
    ids = [line.strip() for line in form.get("ids", "").splitlines() if line.strip()]
    confidence = form.get("confidence", "confirmed")
    if not name:
        return Outcome(error="Give the person a name (a nickname is fine).")
    if role not in ROLE_WORDS:
        return Outcome(error="Choose who the person is.")
    if confidence not in CONFIDENCE_WORDS:
        return Outcome(error="Say whether you are sure (confirmed) or only think so (suspected).")
    if ids and not basis:
        return Outcome(error="Say how you know these numbers or accounts are theirs.")
    with _open(root, keys, write=True) as case:
        case.add_person(
            name, role=role, ids=ids, basis=basis or None, confidence=confidence if ids else "confirmed"
        )
    added = f" with {len(ids)} number{'s' if len(ids) != 1 else ''} or account{'s' if len(ids) != 1 else ''}"
    return Outcome(message=f"Added {name}{added if ids else ''}.")


# -- the tactic review ----------------------------------------------------------------------------------


def _shown(item: Suggestion, tz: Any, resolver: Any) -> dict[str, Any]:
    rec = item.entry.record
    tag = item.tag
    text = item.words_read
    if tag.start is not None and tag.end is not None and text[tag.start : tag.end] == tag.words:
        before, marked, after = text[: tag.start], text[tag.start : tag.end], text[tag.end :]
    else:
        before, marked, after = text, "", ""
    sender = ""
    if rec.sender:
        name = resolver.identify(rec.sender)[1]
        sender = f"{rec.sender} ({name})" if name else rec.sender
    decided = None
    if item.decided_at:
        decided = display(parse_iso(item.decided_at), tz)
    return {
        "key": f"{rec.id}|{tag.tactic}",
        "record": rec.id,
        "tactic": tag.tactic,
        "tactic_words": tactic_words(tag.tactic),
        "when": display(rec.occurred_at, tz),
        "iso": rec.occurred_at.isoformat(),
        "assumed": rec.tz_assumed,
        "sender": sender or "sender not known",
        "before": before,
        "marked": marked,
        "after": after,
        "words": tag.words or "",
        "why": item.why or "",
        "where": "; ".join(f"{s.exhibit} {s.locator}" for s in item.entry.sources),
        "status": tag.status,
        "decision_words": DECISION_WORDS.get(tag.status, tag.status),
        "note": tag.note or "",
        "decided_at": decided,
        "added_by_you": tag.rule is None,
    }


def review_view(
    root: Path, keys: CaseKeys | None, chosen: str = "", memo: SuggestionMemo | None = None
) -> dict[str, Any]:
    """The queue: the suggestion to decide now (``chosen`` as ``record|tactic`` when it is still waiting, else
    the first), the next ones waiting (at most ``NEXT_SHOWN``) and the latest decided (at most
    ``DECIDED_SHOWN``) with how; ``memo`` keeps the rules' suggestions between pages."""
    from evidence.actions.casework import review_queue

    with _open(root, keys) as case:
        tz, resolver = case.tz, case.resolver()
        queue = review_queue(case, memo)
        waiting = queue.waiting
        current = next((w for w in waiting if f"{w.entry.record.id}|{w.tag.tactic}" == chosen), None)
        current = current or (waiting[0] if waiting else None)
        following = [w for w in waiting if w is not current][:NEXT_SHOWN]
        view = {
            "current": _shown(current, tz, resolver) if current else None,
            "waiting": [_shown(w, tz, resolver) for w in following],
            "waiting_count": len(waiting),
            "decided": [_shown(d, tz, resolver) for d in queue.decided[:DECIDED_SHOWN]],
            "decided_count": len(queue.decided),
            "case_title": case.title,
        }
    return view


def review_pending(root: Path, keys: CaseKeys | None, memo: SuggestionMemo) -> int | None:
    """None when the review queue can be shown at once, else the number of messages the rules read first."""
    from evidence.actions.casework import suggestions_kept

    with _open(root, keys) as case:
        pending: int | None = suggestions_kept(case, memo)
    return pending


def decide(root: Path, keys: CaseKeys | None, form: Mapping[str, str]) -> Outcome:
    """Confirm or reject one suggestion, with an optional note (``case.review_tag``, as ``evidence tag
    confirm|reject``)."""
    record, _, tactic = form.get("key", "").partition("|")
    decision = form.get("decision", "")
    if decision not in DECISION_WORDS or not record or not tactic:
        return Outcome(error="Choose Confirm or Reject.")
    with _open(root, keys, write=True) as case:
        case.review_tag(record, tactic, decision, note=form.get("note") or None)
    return Outcome(message=f"{DECISION_WORDS[decision]}: {tactic_words(tactic).lower()}.")


# -- the diary ------------------------------------------------------------------------------------------


def diary_view(root: Path, keys: CaseKeys | None) -> dict[str, Any]:
    """The diary entries, the latest incident first, each with when it happened, when it was written and its
    exhibit; and the case's zone (the form's times are in it)."""
    from evidence.actions.casework import diary_entries

    rows: list[dict[str, Any]] = []
    with _open(root, keys) as case:
        tz = case.tz
        for entry in diary_entries(case):
            rec, raw = entry.record, entry.record.raw
            written = raw.get("written_at")
            rows.append(
                {
                    "exhibit": entry.sources[0].exhibit or "",
                    "when": display(rec.occurred_at, tz),
                    "iso": rec.occurred_at.isoformat(),
                    "approximate": bool(raw.get("approximate")),
                    "written": display(parse_iso(written), tz) if isinstance(written, str) else None,
                    "where": raw.get("where") or "",
                    "witness": raw.get("witness") or "",
                    "police_ref": raw.get("police_ref") or "",
                    "text": rec.text or "",
                }
            )
        title, zone_name = case.title, case.settings().get("tz", "")
    rows.reverse()
    return {"entries": rows, "case_title": title, "zone": zone_name}


def add_diary_entry(root: Path, keys: CaseKeys | None, form: Mapping[str, str]) -> Outcome:
    """Save one diary entry (``case.add_diary_entry``, as ``evidence diary add``); the outcome's ``ref`` is the
    new entry's exhibit number."""
    day, clock, text = form.get("day", ""), form.get("time", ""), form.get("text", "")
    if not day or not clock:
        return Outcome(error="Say on which day and at what time it happened (tick 'approximate' if unsure).")
    if not text:
        return Outcome(error="Write what happened.")
    try:
        date.fromisoformat(day)
        time.fromisoformat(clock)
    except ValueError:
        return Outcome(error="The day or the time is not one the app can read.")
    with _open(root, keys, write=True) as case:
        result = case.add_diary_entry(
            when=f"{day} {clock}",
            text=text,
            approximate=form.get("approximate") == "yes",
            where=form.get("where") or None,
            witness=form.get("witness") or None,
            police_ref=form.get("police_ref") or None,
        )
    exhibit = result.items[0].exhibit
    return Outcome(message=f"Saved as exhibit {exhibit}.", ref=exhibit)
