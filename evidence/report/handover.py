"""Who handed each exhibit over: the ``handed_over`` fact an import recorded with a file's acquisition
(``evidence import --provided-by TEXT --received-on DAY``), read from the ``item.acquired`` entries the report
shows, in words for the exhibit list and the s.9 statement. The fact is the complainant's (or whoever ran the
import's) word, recorded when the file came in; the case cannot check it. An acquisition without it says so."""

from __future__ import annotations

from collections.abc import Callable, Iterable

from evidence.case.formats import Kind
from evidence.case.ledger import Entry

NOT_RECORDED = "not recorded (the import did not say who handed this file over or when: ask the complainant)"


def handed_over(entries: Iterable[Entry]) -> dict[str, list[tuple[int, dict[str, str]]]]:
    """Each exhibit's recorded hand-overs: (ledger entry, {"by", "on"}) for every acquisition of its bytes
    (a second import of the same bytes may say who handed them over the second time)."""
    found: dict[str, list[tuple[int, dict[str, str]]]] = {}
    for entry in entries:
        if entry.kind != Kind.ITEM_ACQUIRED:
            continue
        body = entry.body
        fact = body.get("handed_over")
        exhibit = str(body.get("duplicate_of") or body.get("exhibit"))
        if isinstance(fact, dict) and (fact.get("by") or fact.get("on")):
            found.setdefault(exhibit, []).append(
                (entry.seq, {k: str(v) for k, v in fact.items() if k in {"by", "on"}})
            )
    return found


def words(fact: dict[str, str], mask: Callable[[str], str]) -> str:
    """One hand-over in words: who (masked when redacting) and on which day, each said when missing."""
    who = mask(fact["by"]) if fact.get("by") else "someone not recorded"
    day = f"on {fact['on']}" if fact.get("on") else "on a day not recorded"
    return f"{who}, {day}"


def exhibit_line(found: list[tuple[int, dict[str, str]]] | None, mask: Callable[[str], str]) -> str:
    """The exhibit list's "Handed over by" value: each recorded hand-over with its ledger entry, or
    ``NOT_RECORDED``."""
    if not found:
        return NOT_RECORDED
    return "; ".join(
        f"{words(fact, mask)} (as told at import, ledger entry {seq}; not checked by the tool)"
        for seq, fact in found
    )
