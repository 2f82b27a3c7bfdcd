"""Identifiers of people (phone numbers, e-mail addresses, handles) normalised so that aliases match.

- **Phone numbers** go through Google's ``phonenumbers`` library with a default region (the case's, derived
  from its zone: ``Europe/London`` gives ``GB``), so ``07700 900123``, ``+44 7700 900123`` and
  ``0044 7700-900123`` all become ``+447700900123`` (E.164). Short codes the library cannot place (``101``)
  keep their digits.
- **E-mail addresses** are case-folded (``Alex.Morgan@Example.NET`` = ``alex.morgan@example.net``); a display
  name around them (``Alex <alex@example.net>``) is dropped.
- **Handles** (chat names, social accounts) lose a leading ``@`` and are case-folded: ``@Alex.M.2`` =
  ``alex.m.2``.
- **Hidden callers** (an empty number, ``(withheld)``, ``Private number``, ``Unknown``, Android's ``-2``, and
  the importers' marks ``(withheld)``, ``(unknown)``, ``(payphone)``)
  normalise to None: they never match anyone, whoever the user believes they were.

Known limits: a handle is matched as text, so two people with the same display name on different apps are
one identifier; e-mail sub-addressing (``alex+x@``) and Gmail's dots are not folded.
"""

from __future__ import annotations

import importlib.resources
import re
from dataclasses import dataclass
from email.utils import parseaddr
from functools import cache
from typing import Any

import phonenumbers

HIDDEN = frozenset(
    {
        "",
        "(withheld)",
        "(unknown)",  # the importers' own marks for a hidden caller (smsbackup, googlevoice, iPhone)
        "(payphone)",
        "withheld",
        "private",
        "private number",
        "unknown",
        "unknown caller",
        "anonymous",
        "restricted",
        "no caller id",
        "-1",
        "-2",
        "-3",
    }
)
_PHONE_CHARS = re.compile(r"^\+?[\d\s\-().]+$")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
KINDS = ("phone", "email", "handle")


@dataclass(frozen=True)
class Identifier:
    """A normalised identifier: what matching compares (``kind`` and ``value``), and what the user typed."""

    kind: str  # phone, email or handle
    value: str
    raw: str

    def to_json(self) -> dict[str, Any]:
        """As stored in ledger bodies."""
        return {"kind": self.kind, "value": self.value, "raw": self.raw}


def is_hidden(raw: str | None) -> bool:
    """Whether ``raw`` names no one (a withheld or private caller)."""
    return raw is None or raw.strip().casefold() in HIDDEN


def normalise(raw: str | None, region: str = "GB") -> Identifier | None:
    """The normalised identifier for ``raw``, or None for a hidden caller."""
    if raw is None or is_hidden(raw):
        return None
    text = raw.strip()
    if _PHONE_CHARS.match(text) and sum(ch.isdigit() for ch in text) >= 3:
        return Identifier("phone", _phone(text, region), raw)
    address = parseaddr(text)[1] if "<" in text else text
    if _EMAIL.match(address):
        return Identifier("email", address.casefold(), raw)
    handle = text.lstrip("@").strip().casefold()
    if not handle:
        return None
    return Identifier("handle", handle, raw)


def _phone(text: str, region: str) -> str:
    digits = re.sub(r"\D", "", text)
    candidate = "+" + text[2:] if text.startswith("00") else text
    try:
        number = phonenumbers.parse(candidate, region)
    except phonenumbers.NumberParseException:
        return ("+" if text.startswith("+") else "") + digits
    if not phonenumbers.is_possible_number(number):
        return ("+" if text.startswith("+") else "") + digits
    return str(phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164))


@cache
def _zone_regions() -> dict[str, str]:
    table = importlib.resources.files("tzdata").joinpath("zoneinfo", "zone.tab").read_text(encoding="utf-8")
    regions: dict[str, str] = {}
    for line in table.splitlines():
        if line.startswith("#") or not line.strip():
            continue
        fields = line.split("\t")
        if len(fields) >= 3:
            regions[fields[2]] = fields[0]
    return regions


def region_for_zone(tz_name: str) -> str | None:
    """The ISO country of an IANA zone (``Europe/London`` → ``GB``) from tzdata's zone.tab, or None."""
    return _zone_regions().get(tz_name)


def valid_region(region: str) -> bool:
    """Whether ``region`` is a region ``phonenumbers`` knows (``GB``, ``US``, ...)."""
    return region.upper() in phonenumbers.SUPPORTED_REGIONS
