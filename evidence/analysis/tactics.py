"""Tactic tags: which tactics a message shows (threat, insult, guilt-tripping, ...), as suggestions to review.

Two parts, both shipped in ``templates/tactics`` (another folder can be given):

- **Rules a user can read**, one TOML file a language (``en.toml``, ``de.toml``, ``es.toml``, ``fr.toml``; format
  in ``_tactic_rules.py`` and at the top of ``en.toml``). Each rule has ``phrases`` and ``patterns``, optional
  ``unless`` (known false positives: "I'd kill for a coffee") and ``context`` patterns. Matching is
  case-insensitive and whole-word; curly apostrophes count as straight ones. A message is read only by the rules
  of its language (:func:`detect_language`; every language of a tie) and by rules files that name none.
- **A small trained linear model** (``model.json``, ``_tactic_model.py``, trained by ``bench/train_tactics.py``)
  over words, word stems and word pairs of all four languages, for the phrasings no rule foresaw. It speaks only
  where no rule has already suggested the tactic, above a threshold chosen for precision when it was trained,
  and not where a rule of the same tactic and language has an ``unless`` pattern matching the message.

Every :class:`Tag` names its tactic, the rule that fired (``model.<version>.<tactic>`` for the model) and the
exact words that triggered it (start and end offsets into the text as given), so a suggestion can always be
explained and a user can confirm or reject it.

Guards, for both parts: words inside a quotation that is reported ("he texted: 'I'll kill you'", a message
opening with a quotation attributed to someone: '"You'll regret it!" - my gran'), and a sentence reporting what
someone else said they would do ("she said she would post the photos") are not read, so an account of what
happened is not suggested as the sender's tactic; nor is a clause the sender denies ("I would never hurt you",
"I'm not begging", English only). (The owner's outgoing messages and diary are not read at all:
``review.suggests``.) And each rules file may declare ``[guards.NAME]``: kinds of message in which some tactics
are not suggested at all, by rule or model, because they read like them to the words alone: the complainant's own
firm reply ("Stop contacting me. I have blocked you."), a game's violent words, a friend's new number after a
broken phone, love words with laughter, a hint of self-harm (guilt-tripping, not a threat).

Speed: a trigger is searched only when the text holds one of each set of strings every match contains (found
from the parsed pattern, looked up by three-letter pieces in a table of the text's languages), and as a
lower-case pattern whose left word boundary is checked after the search (``_tactic_rules``): about 0.2 ms a
message.

Measured precision and recall: ``bench/RESULTS.md``; ``bench/tactics.py`` recomputes them on any labelled set.
Known limits: one message at a time (no conversation context); sarcasm is caught only where it is marked
("lol", "haha"); ``unless`` patterns veto a rule for the whole message; the model knows the phrasings of its
training messages and their near neighbours, not every way of saying a thing.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from evidence.analysis._tactic_lang import LANGUAGES, candidate_languages, detect_language
from evidence.analysis._tactic_model import LinearModel, features, load_model, tokens
from evidence.analysis._tactic_rules import Guard, Rule, parse_guards, parse_rules, phrase_regex, word_spans
from evidence.errors import UsageError

__all__ = [
    "LANGUAGES",
    "TACTICS",
    "Guard",
    "Rule",
    "RuleSet",
    "Tag",
    "default_rules",
    "detect_language",
    "load_rules",
    "phrase_regex",
    "rules_dir",
    "tactics_of",
    "tag",
    "tag_with",
]

TACTICS = (
    "threat",
    "insult",
    "guilt_tripping",
    "love_bombing",
    "pleading",
    "smear",
    "third_party_contact",
    "new_account",
    "demand_to_meet_or_respond",
    "monitoring",
)
MODEL_FILE = "model.json"


def rules_dir() -> Path:
    """The rules and model shipped with the package: ``evidence/templates/tactics``."""
    return Path(__file__).resolve().parent.parent / "templates" / "tactics"


@dataclass(frozen=True)
class Tag:
    """A tactic found in a text: which rule fired, and on which words (``text[start:end] == words``)."""

    tactic: str
    rule_id: str
    start: int
    end: int
    words: str

    def to_json(self) -> dict[str, Any]:
        """As a ledger body or ``--json`` output would carry it."""
        return {
            "tactic": self.tactic,
            "rule": self.rule_id,
            "start": self.start,
            "end": self.end,
            "words": self.words,
        }


class _Index:
    """Which triggers can match a text, found from the three-letter pieces of the strings each needs, one table
    a language (a text is read only by the rules of its languages, so only their tables are looked at)."""

    def __init__(self, rules: Sequence[Rule]) -> None:
        self.rules = tuple(rules)
        # Each language's triggers searched in every text, and its needed strings by their first three letters.
        self.always: dict[str, list[tuple[int, int]]] = {}
        self.by_trigram: dict[str, dict[str, list[tuple[str, list[tuple[int, int]]]]]] = {}
        # Each tactic's known false positives (the rules' ``unless``), by language: they veto the model too.
        self.vetoes: dict[str, list[tuple[str, re.Pattern[str]]]] = {}
        for rule in self.rules:
            for pattern in rule.unless:
                self.vetoes.setdefault(rule.tactic, []).append((rule.language, pattern))
        targets: dict[str, dict[str, list[tuple[int, int]]]] = {}
        for r, rule in enumerate(self.rules):
            for t in range(len(rule.triggers)):
                needs = rule.needs[t] if t < len(rule.needs) else None
                if needs is None:
                    self.always.setdefault(rule.language, []).append((r, t))
                else:
                    for word in needs:
                        targets.setdefault(rule.language, {}).setdefault(word, []).append((r, t))
        for language, words in targets.items():
            table = self.by_trigram.setdefault(language, {})
            for word, where in sorted(words.items()):
                table.setdefault(word[:3], []).append((word, where))

    def candidates(self, lower: str, languages: Iterable[str]) -> dict[int, set[int]]:
        """The triggers worth searching in a lower-cased text, rule by rule, among the rules of ``languages``."""
        found: dict[int, set[int]] = {}
        grams: set[str] | None = None
        for language in set(languages):
            for r, t in self.always.get(language, ()):
                found.setdefault(r, set()).add(t)
            table = self.by_trigram.get(language)
            if not table:
                continue
            if grams is None:
                grams = {lower[i : i + 3] for i in range(len(lower) - 2)}
            for trigram in grams.intersection(table):
                for word, where in table[trigram]:
                    if word in lower:
                        for r, t in where:
                            found.setdefault(r, set()).add(t)
        return found


@dataclass(frozen=True)
class RuleSet:
    """Every rule loaded, in file order, with the tactic descriptions, and the model when the folder has one.

    The model appears in :attr:`rules` as one entry a tactic (no triggers, id ``model.<version>.<tactic>``), so
    that a model's suggestion can be looked up and explained like a rule's, and the rules' fingerprint that a
    review records changes when the model does."""

    rules: tuple[Rule, ...]
    descriptions: dict[str, str]
    model: LinearModel | None = None
    guards: tuple[Guard, ...] = ()
    index: _Index = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "index", _Index(self.rules))

    def rule(self, rule_id: str) -> Rule:
        """The rule with id ``rule_id`` (KeyError when there is none)."""
        for rule in self.rules:
            if rule.id == rule_id:
                return rule
        raise KeyError(rule_id)

    @property
    def tactics(self) -> tuple[str, ...]:
        """The tactics with at least one rule, in file order."""
        return tuple(dict.fromkeys(rule.tactic for rule in self.rules))

    @property
    def matching(self) -> tuple[Rule, ...]:
        """The rules with words to match (the model's entries have none)."""
        return tuple(rule for rule in self.rules if rule.triggers)


def _model_rules(model: LinearModel) -> list[Rule]:
    return [
        Rule(
            tactic,
            f"model.{model.version}.{tactic}",
            f"Trained model {model.version} (sha256 {model.sha256[:12]}): the words shown weigh most towards "
            f"{tactic.replace('_', ' ')} in a message scoring at least {model.threshold[i]:.2f}",
            (),
            (),
            (),
            model.source,
        )
        for i, tactic in enumerate(model.tactics)
    ]


def load_rules(folder: Path | None = None) -> RuleSet:
    """Every ``*.toml`` in ``folder`` (default :func:`rules_dir`), validated, and its ``model.json`` if it has
    one; UsageError naming what is wrong."""
    base = folder or rules_dir()
    files = sorted(base.glob("*.toml")) if base.is_dir() else []
    if not files:
        raise UsageError(
            f"no tactic rules (*.toml) in {base}", hint="point at a folder like templates/tactics"
        )
    rules: list[Rule] = []
    guards: list[Guard] = []
    descriptions: dict[str, str] = {}
    english: dict[str, str] = {}
    for file in files:
        try:
            data = tomllib.loads(file.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
            raise UsageError(f"not readable TOML ({exc})", path=file) from None
        found, described = parse_rules(data, str(file))
        rules += found
        guards += parse_guards(data, str(file))
        for tactic, text in described.items():
            descriptions.setdefault(tactic, text)
            if data.get("language") == "en":
                english.setdefault(tactic, text)
    descriptions.update(english)  # the descriptions shown are the English ones when there are any
    for guard in guards:
        unknown = sorted(guard.tactics - set(descriptions))
        if unknown:
            raise UsageError(
                f"{guard.id}: names tactics no rules file describes: {', '.join(unknown)}", path=guard.source
            )
    seen: dict[str, str] = {}
    for rule in rules:
        if rule.id in seen:
            raise UsageError(f"rule {rule.id!r} is defined twice (also in {seen[rule.id]})", path=rule.source)
        seen[rule.id] = rule.source
    model = load_model(base / MODEL_FILE) if (base / MODEL_FILE).is_file() else None
    if model is not None:
        unknown = sorted(set(model.tactics) - set(descriptions))
        if unknown:
            raise UsageError(
                f"the model names tactics no rules file describes: {', '.join(unknown)}", path=model.source
            )
        rules += _model_rules(model)
    return RuleSet(tuple(rules), descriptions, model, tuple(guards))


def _normalise(text: str) -> str:
    # Same length as the text, so offsets found in it are offsets into the text.
    return text.replace("\u2019", "'").replace("\u2018", "'").replace("\u02bc", "'")


# What the owner reports rather than what the sender says: a quotation after a reporting verb, and a sentence
# saying what someone else said they would do.
_REPORTED_QUOTE = re.compile(
    r"\b(?:said|says|say|wrote|writes|texted|texts|messaged|posted|told|tells|threatened|replied|went)"
    r"(?:\s+(?:me|us|him|her|them|everyone|to\s+me))?\s*[:,]?\s*"
    r"(?:\"[^\"\n]+\"|'[^'\n]{3,}'(?!\w)|\u201c[^\u201d\n]+\u201d|\u2018[^\u2019\n]{3,}\u2019)",
    re.IGNORECASE,
)
_REPORTED_SPEECH = re.compile(
    r"\b(?:he|she|they|my\s+ex)\s+(?:said|says|told\s+me|tells\s+me|threatened|keeps\s+saying|"
    r"kept\s+saying|swore|texted|wrote)\s+(?:that\s+)?(?:he|she|they)\b",
    re.IGNORECASE,
)
_SENTENCE_END = re.compile(r"[.!?\n]")
# A clause the sender denies or disowns ("I would never hurt you", "I don't think you're a bad mother", "I'm not
# begging"): the words after the denial, to the end of the clause, are not the sender's tactic. English only.
_DENIAL = re.compile(
    r"\b(?:i\s+would\s+never(?!\s+have)|i'd\s+never(?!\s+have)|i\s+(?:don'?t|do\s+not)\s+think|i\s+never\s+said|"
    r"(?:i'?m|i\s+am)\s+not\s+(?:saying|begging|threatening|watching|stalking|following)|"
    r"(?:nobody|no\s+one)(?:'s|\s+is)\s+saying|it'?s\s+not\s+(?:that|like))\b",
    re.IGNORECASE,
)
_CLAUSE_END = re.compile(r"[.!?\n,;]|\bbut\b", re.IGNORECASE)
# A message that opens with a quotation and then says whose words they were ('"You'll regret it!" - my gran'),
# in any of the four languages.
_OPENING_QUOTE = re.compile(
    r"^\s*([\"\u201c\u201e\u00ab][^\"\u201c\u201d\u00bb\n]+[\"\u201d\u201c\u00bb])\s*"
    r"(?:[-\u2013\u2014,:(]|hat\b|sagte?\b|meinte\b|dijo\b|dice\b|a\s+dit\b|disait\b|said\b|says\b)"
)


_REPORTING_WORDS = (
    "said",
    "says",
    "say",
    "wrote",
    "writes",
    "text",
    "messaged",
    "posted",
    "told",
    "tells",
    "threatened",
    "replied",
    "went",
    "swore",
    "saying",
)


def guarded(text: str) -> list[tuple[int, int]]:
    """The stretches of ``text`` the tagger does not read: reported quotations and reported threats."""
    opening = _OPENING_QUOTE.match(text)
    spans = [opening.span(1)] if opening else []
    for m in _DENIAL.finditer(text):
        after = _CLAUSE_END.search(text, m.end())
        # The verb of the denial too ("begging" in "I'm not begging"), so its own word does not trigger.
        spans.append((m.start(), after.start() if after else len(text)))
    lower = text.lower()
    if not any(word in lower for word in _REPORTING_WORDS):
        return spans
    spans += [m.span() for m in _REPORTED_QUOTE.finditer(text)]
    for m in _REPORTED_SPEECH.finditer(text):
        before = max((e.end() for e in _SENTENCE_END.finditer(text, 0, m.start())), default=0)
        after = _SENTENCE_END.search(text, m.end())
        spans.append((before, after.start() if after else len(text)))
    return _merge(spans)


def _inside(start: int, end: int, spans: Sequence[tuple[int, int]]) -> bool:
    return any(a <= start and end <= b for a, b in spans)


def tag_with(
    rules: Iterable[Rule] | RuleSet,
    text: str,
    language: str | None = None,
    shielded: Sequence[tuple[int, int]] | None = None,
) -> list[Tag]:
    """The tags ``rules`` find in ``text``: one per matching stretch of words, by position then tactic. Rules of
    another language than ``language`` (when not given: the languages the text may be in, several when the
    function words tie) are skipped, and so are matches inside the ``shielded`` stretches (:func:`guarded`
    when not given)."""
    index = rules.index if isinstance(rules, RuleSet) else _Index(tuple(rules))
    plain = _normalise(text)
    languages = ("*", language) if language else ("*", *candidate_languages(plain))
    found = _rule_tags(index, text, plain, languages, guarded(plain) if shielded is None else shielded)
    return _unguarded(rules.guards, found, plain, languages) if isinstance(rules, RuleSet) else found


def _unguarded(guards: Sequence[Guard], tags: list[Tag], plain: str, languages: Sequence[str]) -> list[Tag]:
    # The tags left once the guards of the text's languages that apply to it (a firm reply, ...) have spoken.
    if not tags:
        return tags
    held: set[str] = set()
    for guard in guards:
        if guard.language in languages and not guard.tactics <= held and guard.applies(plain):
            held |= guard.tactics
    return [t for t in tags if t.tactic not in held] if held else tags


def _rule_tags(
    index: _Index, text: str, plain: str, languages: Sequence[str], shielded: Sequence[tuple[int, int]]
) -> list[Tag]:
    # tag_with's work, once the text is normalised, its languages known and its guarded stretches found.
    lower = plain.lower()
    aligned = len(lower) == len(plain)  # lower-casing kept every offset: the fast patterns may be used
    tags: list[Tag] = []
    for r, triggers in index.candidates(lower, languages).items():
        rule = index.rules[r]
        spans: list[tuple[int, int]] = []
        for t in triggers:
            if t < len(rule.requires) and rule.requires[t] and not _holds(lower, rule.requires[t]):
                continue  # a string every match needs is not in the text
            fast = rule.fast[t] if aligned and t < len(rule.fast) else None
            if fast is not None:
                spans += word_spans(fast, lower)
            else:
                spans += [m.span() for m in rule.triggers[t].finditer(plain) if m.end() > m.start()]
        if not spans:
            continue
        if any(p.search(plain) for p in rule.unless):
            continue
        if rule.context and not any(p.search(plain) for p in rule.context):
            continue
        for start, end in _merge(spans):
            if not _inside(start, end, shielded):
                tags.append(Tag(rule.tactic, rule.id, start, end, text[start:end]))
    return sorted(tags, key=lambda t: (t.start, t.end, t.tactic, t.rule_id))


def _holds(lower: str, required: Sequence[frozenset[str]]) -> bool:
    # Whether the text holds one string of each set (plain loops: this runs for every trigger a text may match).
    for strings in required:
        for word in strings:
            if word in lower:
                break
        else:
            return False
    return True


def _merge(spans: Sequence[tuple[int, int]]) -> list[tuple[int, int]]:
    merged: list[tuple[int, int]] = []
    for start, end in sorted(spans):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged


def model_tags(
    model: LinearModel,
    text: str,
    skip: frozenset[str] = frozenset(),
    shielded: Sequence[tuple[int, int]] | None = None,
) -> list[Tag]:
    """The model's suggestions for ``text`` (tactics in ``skip`` left out), guarded stretches unread."""
    shielded = guarded(_normalise(text)) if shielded is None else shielded
    words = [w for w in tokens(text) if not _inside(w[1], w[2], shielded)]
    return [
        Tag(p.tactic, f"model.{model.version}.{p.tactic}", p.start, p.end, text[p.start : p.end])
        for p in model.predict(features(words))
        if p.tactic not in skip
    ]


@cache
def default_rules() -> RuleSet:
    """The shipped rules and model, loaded once."""
    return load_rules()


def tag(text: str, rules: RuleSet | None = None) -> list[Tag]:
    """The tactic tags of ``text`` under ``rules`` (default: the shipped rules and model): the rules' tags, then
    the model's for the tactics no rule found, unless a rule of that tactic knows the message's words as a false
    positive; then none of the tactics a guard of the message's language holds back (the complainant's own firm
    reply is not a demand to answer)."""
    ruleset = rules or default_rules()
    plain = _normalise(text)
    shielded = guarded(plain)
    languages = ("*", *candidate_languages(plain))
    found = _rule_tags(ruleset.index, text, plain, languages, shielded)
    if ruleset.model is not None:
        suggested = model_tags(ruleset.model, text, frozenset(t.tactic for t in found), shielded)
        if suggested:
            # A model suggestion is dropped where a rule of its tactic knows the words as a false positive
            # ("congratulations", "lol", "happy birthday" in the message's language).
            vetoes = ruleset.index.vetoes
            found += [
                t
                for t in suggested
                if not any(lang in languages and p.search(plain) for lang, p in vetoes.get(t.tactic, ()))
            ]
    found = _unguarded(ruleset.guards, found, plain, languages)
    return sorted(found, key=lambda t: (t.start, t.end, t.tactic, t.rule_id))


def tactics_of(text: str, rules: RuleSet | None = None) -> frozenset[str]:
    """The set of tactics ``text`` shows (what the labelled sets are scored on)."""
    return frozenset(t.tactic for t in tag(text, rules))
