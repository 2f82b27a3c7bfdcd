"""Redaction of a report (``report --redact``): what a copy for the other side, or for a court bundle, masks.

Chosen with a lawyer in mind: the report must still prove what the respondent did, so every identifier of a
person with the role ``respondent`` and every sender of a record stays visible (a call from a new number is the
evidence). Masked are:

- every identifier (phone number, e-mail address, account) linked to a person with the role ``owner`` (the
  person harassed: where they can be reached is what the other side must not learn), wherever it appears:
  sender, recipients, message text, every e-mail header value the report shows (also inside a longer value:
  a Message-ID ``<…jordan@example.org>``), OCR words of screenshots (blacked out in the picture's pixels);
- identifiers of third parties not linked to any person of the case that appear only as recipients (copied
  people, group members) or inside message text;
- the owner's name as the case names her (``person add "Jordan Lee" --role owner``): the whole name and each of
  its words as written, in title case or capitals ("Jordan", "LEE", "Jordan's"), wherever text is shown (the
  case title, a message quoting it, a chat display name, a basis, an OCR word of a screenshot), and her
  initials in the producer's exhibit references ("[owner initials]/7" for "JL/7"): masking her numbers while
  printing her name a page later is no redaction. A name word that is also an ordinary word ("May", "Hope")
  is masked where it is capitalised too: a redacted copy errs on the side of masking.

Each masked identifier becomes a label (``[owner phone 1]``, ``[third party 2]``) that stands for the same
identifier throughout, so a reader still sees that two messages went to the same place. Hashes, exhibit
numbers, file names and times are not changed: the manifest and ``evidence verify report.pdf`` check the report
against the unredacted case. Known limit: postal addresses and other people's names written in free text are
not detected, nor the owner's name misspelt or as a nickname.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field

import phonenumbers

from evidence.analysis.identity import Identifier, normalise
from evidence.analysis.people import Person
from evidence.timeline import TimelineEntry

# A number stands alone: not inside a hash, a word or a dotted address (192.168.0.14).
_IN_TEXT = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+|(?<![\w.+/=])\+?\d[\d ().-]{5,}\d(?![\w/]|\.\d)")
_IP = re.compile(r"\d{1,3}(?:\.\d{1,3}){3}")
MIN_DIGITS = 9  # fewer digits in text are times, years, amounts: not taken for an uninvolved party's number
_DATE = re.compile(r"\d{4}[-.]\d\d[-.]\d\d|\d\d[-./]\d\d[-./]\d{4}")
KINDS = {"phone": "phone", "email": "e-mail", "handle": "account"}
OWNER_NAME = "[owner name]"
OWNER_INITIALS = "[owner initials]"

DESCRIPTION = (
    "the phone numbers, e-mail addresses and accounts of the person harassed (role owner), and those of third "
    "parties not in the case where they appear as recipients or inside messages, are replaced by labels such "
    "as [owner phone 1] or [third party 2] (one label per identifier throughout); words of screenshots that "
    "match them are blacked out in the picture itself. The owner's name (whole, each of its words, and her "
    f"initials in exhibit references) becomes {OWNER_NAME} (and {OWNER_INITIALS}) wherever it is shown. Senders "
    "of records and the respondent's identifiers are not masked. Hashes, exhibit numbers, file names and times "
    "are unchanged and refer to the unredacted originals kept in the case. Postal addresses and other people's "
    "names in free text are not detected."
)


def _dialable(ident: Identifier) -> bool:
    """Whether a phone identifier is a full international number (not a short code or stray digits)."""
    if not ident.value.startswith("+"):
        return False
    try:
        return bool(phonenumbers.is_possible_number(phonenumbers.parse(ident.value, None)))
    except phonenumbers.NumberParseException:
        return False


def _national(value: str) -> tuple[str, str]:
    """The national significant digits of a phone number and its country code (empty when it has none)."""
    try:
        number = phonenumbers.parse(value, None)
    except phonenumbers.NumberParseException:
        return re.sub(r"\D", "", value), ""
    return phonenumbers.national_significant_number(number), str(number.country_code)


@dataclass
class Redactor:
    """Masks identifiers as described in the module docstring; labels are numbered in order of first use."""

    region: str
    owner: set[tuple[str, str]]
    keep: set[tuple[str, str]]
    labels: dict[tuple[str, str], str] = field(default_factory=dict)
    counts: dict[str, int] = field(default_factory=dict)
    owner_name: str | None = None  # the owner's name as the case names her (masked wherever shown)
    _name_re: re.Pattern[str] | None = field(default=None, init=False, repr=False)

    @classmethod
    def build(cls, people: Iterable[Person], timeline: Iterable[TimelineEntry], region: str) -> Redactor:
        """A redactor for a case's people and timeline."""
        owner: set[tuple[str, str]] = set()
        keep: set[tuple[str, str]] = set()
        name: str | None = None
        for person in people:
            ids = {(link.identifier.kind, link.identifier.value) for link in person.links}
            if person.role == "owner":
                owner |= ids
                name = name or person.name
            else:
                keep |= ids  # people of the case, whatever their role, are not "third parties not in it"
        for entry in timeline:
            ident = normalise(entry.record.sender, region)
            if ident is not None:
                keep.add((ident.kind, ident.value))
        return cls(region, owner, keep - owner, owner_name=name)

    def number(self, entries: Iterable[TimelineEntry]) -> None:
        """Give the labels in the order the report's timeline first shows each masked identifier (so a
        reader meets [third party 1] before [third party 2])."""
        for entry in entries:
            rec = entry.record
            self.party(rec.sender, as_sender=True)
            for raw in rec.recipients:
                self.party(raw)
            for text in (rec.subject, rec.text):
                if text:
                    self.text(text)

    def _label(self, ident: Identifier) -> str:
        key = (ident.kind, ident.value)
        if key not in self.labels:
            group = f"owner {KINDS.get(ident.kind, ident.kind)}" if key in self.owner else "third party"
            self.counts[group] = self.counts.get(group, 0) + 1
            self.labels[key] = f"[{group} {self.counts[group]}]"
        return self.labels[key]

    def _masks(self, ident: Identifier | None, *, as_sender: bool) -> bool:
        if ident is None:
            return False
        key = (ident.kind, ident.value)
        if key in self.owner:
            return True
        return not as_sender and key not in self.keep and ident.kind in ("phone", "email")

    def party(self, raw: str | None, *, as_sender: bool = False) -> str | None:
        """A sender or recipient as shown: the label when masked, else as written."""
        if raw is None:
            return None
        ident = normalise(raw, self.region)
        return self._label(ident) if ident and self._masks(ident, as_sender=as_sender) else self.name(raw)

    def text(self, text: str) -> str:
        """Free text with masked phone numbers and e-mail addresses replaced by their labels."""

        def swap(match: re.Match[str]) -> str:
            ident = normalise(match.group(0), self.region)
            if ident is None or ident.kind == "handle" or not self._masks(ident, as_sender=False):
                return match.group(0)
            if (
                ident.kind == "phone"
                and (ident.kind, ident.value) not in self.owner
                and (
                    _DATE.search(match.group(0))
                    or _IP.search(match.group(0))
                    or sum(c.isdigit() for c in match.group(0)) < MIN_DIGITS
                    or not _dialable(ident)
                )
            ):
                return match.group(0)  # digits in text (dates, file names, 101) are not someone's number
            return self._label(ident)

        return self.name(_IN_TEXT.sub(swap, text))

    def _name_pattern(self) -> re.Pattern[str] | None:
        """The owner's whole name, then each word of it (two letters or more), as written, in title case and in
        capitals, each a whole word; None when the case names no owner."""
        if not self.owner_name or not self.owner_name.strip():
            return None
        if self._name_re is None:
            whole = self.owner_name.strip()
            words = [w for w in re.findall(r"[^\W\d_][\w'-]*[^\W\d_]|[^\W\d_]{2,}", whole) if len(w) >= 2]
            forms: list[str] = []
            for form in [whole, *words]:
                for variant in (form, form.title(), form.upper()):
                    if variant not in forms:
                        forms.append(variant)
            forms.sort(key=len, reverse=True)  # the whole name before its words
            alternatives = "|".join(re.escape(f) for f in forms)
            self._name_re = re.compile(rf"(?<![\w@.])(?:{alternatives})(?![\w@])")
        return self._name_re

    def name(self, text: str) -> str:
        """``text`` with the owner's name and each word of it replaced by :data:`OWNER_NAME`."""
        found = self._name_pattern()
        return found.sub(OWNER_NAME, text) if found is not None and text else text

    def initials(self, initials: str) -> str:
        """The owner's initials in a producer's exhibit reference, masked (a blank stays a blank)."""
        return OWNER_INITIALS if self.owner_name else initials

    def inside(self, value: str) -> str:
        """``value`` with every owner identifier replaced by its label wherever it appears, even inside a
        longer token (a Message-ID ``<20260314.jordan@example.org>``, digits ``ref447700900001``): the
        e-mail address in any letter case, the phone number's national digits with or without its country
        code or trunk prefix and separators. Used for e-mail header values, where an address is not always
        written alone."""
        for ident, found in self._owner_patterns():
            if found.search(value):  # labelled only when shown, so labels keep their order of first use
                value = found.sub(self._label(ident).replace("\\", "\\\\"), value)
        return value

    def header(self, value: str) -> str:
        """An e-mail header value as shown: owner identifiers masked wherever they appear (:meth:`inside`),
        then other identifiers as in free text (:meth:`text`)."""
        return self.text(self.inside(value))  # text() masks the owner's name too

    def _owner_patterns(self) -> list[tuple[Identifier, re.Pattern[str]]]:
        """For each owner e-mail address and phone number, the pattern :meth:`inside` replaces."""
        found: list[tuple[Identifier, re.Pattern[str]]] = []
        for kind, value in sorted(self.owner):
            ident = Identifier(kind, value, value)
            if kind == "email":
                found.append((ident, re.compile(re.escape(value), re.IGNORECASE)))
            elif kind == "phone":
                national, prefix = _national(value)
                if len(national) >= 6:
                    body = "[\\s().-]?".join(national)
                    country = f"(?:(?:\\+|00)?{prefix}[\\s().-]*)?" if prefix else ""
                    found.append((ident, re.compile(f"{country}(?:0[\\s().-]*)?{body}")))
        return found

    def word(self, word: str) -> bool:
        """Whether an OCR word is (part of) a masked identifier or the owner's name: a word of her name, a masked
        e-mail address, or digits that end a masked phone number (OCR splits ``07700 900123`` into two words;
        the longer group is covered)."""
        bare = word.strip(".,;:()[]<>\"'")
        if bare and self.name(bare) != bare:
            return True
        if "@" in bare:
            return self.text(bare) != bare
        digits = re.sub(r"\D", "", bare)
        if len(digits) < 6:
            return False
        return (
            any(kind == "phone" and value.endswith(digits[-6:]) for kind, value in self.owner)
            or self.text(bare) != bare
        )
