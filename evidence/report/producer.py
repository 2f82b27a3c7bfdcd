"""Producer's exhibit references, as police witness statements number exhibits: the initials of the person who
produces them (the complainant: the person with the role ``owner``) and a number, "JL/1" (issue 14).

The number is the exhibit's own (EX-0007 is JL/7), so a reference means the same file in every report and
bundle of the case, filtered or not. Without an owner in the case the initials are a blank to fill in by
hand ("__/7"), never guessed from the case title.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from evidence.analysis.people import Person

BLANK = "__"


def initials(people: Iterable[Person]) -> str:
    """The complainant's initials ("Jordan Lee" -> "JL"), or :data:`BLANK` when the case names no owner."""
    owner = next((p for p in people if p.role == "owner"), None)
    if owner is None:
        return BLANK
    letters = [word[0] for word in re.findall(r"[^\W\d_][\w'-]*", owner.name)]
    return "".join(letters).upper() or BLANK


def reference(exhibit: str, people: Iterable[Person], *, shown: str | None = None) -> str:
    """The producer's reference of exhibit ``exhibit`` ("EX-0007" -> "JL/7"); with ``shown``, those initials
    instead of the owner's (a redacted copy's label)."""
    digits = re.sub(r"\D", "", exhibit)
    return f"{shown if shown is not None else initials(people)}/{int(digits) if digits else exhibit}"
