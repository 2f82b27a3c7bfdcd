"""Tactic tags: which tactics a message shows (threat, insult, guilt-tripping, ...), by rules a user can read.

The rules live in TOML files, ``templates/tactics/*.toml`` in the checkout (another folder can be given). Each
file names tactics; each tactic has rules; each rule has an id, a description, ``phrases`` (plain words) and/or
``patterns`` (regular expressions), and optionally ``unless`` (patterns of known false positives: "I'd kill for
a coffee") and ``context`` (patterns of which one must also be in the message). Matching is case-insensitive
and whole-word; curly apostrophes count as straight ones. See ``templates/tactics/en.toml`` for the format.

Every :class:`Tag` names its tactic, the rule that fired and the exact words that triggered it (start and end
offsets into the text as given), so a tag can always be explained and a user can confirm or reject it.

No machine learning: the rules are the whole model. Their measured precision and recall on a labelled set
(``tests/data/tactics/labelled.jsonl``) are in ``bench/RESULTS.md``; ``bench/tactics.py`` recomputes them.

Known limits: English only; rules see one message at a time (no conversation context, no sarcasm or quoted
speech detection); ``unless`` patterns veto a rule for the whole message, so one long e-mail holding both a
trap phrase and a real instance of the same rule loses the tag.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from evidence.errors import UsageError

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
_RULE_KEYS = frozenset({"id", "description", "phrases", "patterns", "unless", "context"})
_TACTIC_KEYS = frozenset({"description", "rules"})
_NAME = re.compile(r"^[a-z][a-z0-9_]*$")
_RULE_ID = re.compile(r"^[a-z][a-z0-9_]*(?:\.[a-z0-9_]+)*$")
_FLAGS = re.IGNORECASE | re.MULTILINE


def rules_dir() -> Path:
    """The rules shipped with the checkout: ``<repository>/templates/tactics``."""
    return Path(__file__).resolve().parent.parent / "templates" / "tactics"


@dataclass(frozen=True)
class Rule:
    """One rule of one tactic, compiled."""

    tactic: str
    id: str
    description: str
    triggers: tuple[re.Pattern[str], ...]
    unless: tuple[re.Pattern[str], ...]
    context: tuple[re.Pattern[str], ...]
    source: str  # the file the rule came from


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


@dataclass(frozen=True)
class RuleSet:
    """Every rule loaded, in file order, with the tactic descriptions."""

    rules: tuple[Rule, ...]
    descriptions: dict[str, str]

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


def phrase_regex(phrase: str) -> str:
    """The regular expression for a plain phrase: escaped, any whitespace between words, apostrophes optional."""
    words = phrase.split()
    return r"\s+".join(re.escape(word).replace("'", "'?") for word in words)


def _bounded(regex: str) -> str:
    # Whole words: no letter or digit may touch the match on either side.
    return rf"(?<!\w)(?:{regex})(?!\w)"


def _strings(value: object, where: str, key: str, path: str) -> list[str]:
    if value is None:
        return []
    if not isinstance(value, list) or not all(isinstance(item, str) and item.strip() for item in value):
        raise UsageError(f"{where}: '{key}' must be a list of non-empty strings", path=path)
    return list(value)


def _compile(regex: str, where: str, key: str, path: str, *, bounded: bool) -> re.Pattern[str]:
    try:
        compiled = re.compile(_bounded(regex) if bounded else regex, _FLAGS)
    except re.error as exc:
        raise UsageError(f"{where}: bad regular expression in '{key}' {regex!r} ({exc})", path=path) from None
    if compiled.search("") is not None:
        raise UsageError(f"{where}: '{key}' {regex!r} matches the empty string", path=path)
    return compiled


def parse_rules(data: dict[str, Any], path: str) -> tuple[list[Rule], dict[str, str]]:
    """Validate and compile one rules document (the parsed TOML); UsageError naming the rule when it is wrong."""
    tactics = data.get("tactics")
    if not isinstance(tactics, dict) or not tactics:
        raise UsageError("a rules file needs a [tactics.NAME] table", path=path)
    rules: list[Rule] = []
    descriptions: dict[str, str] = {}
    for tactic, body in tactics.items():
        where = f"tactic {tactic!r}"
        if not _NAME.match(tactic):
            raise UsageError(f"{where}: a tactic name is lower-case letters, digits and _", path=path)
        if not isinstance(body, dict):
            raise UsageError(f"{where}: must be a table", path=path)
        unknown = sorted(set(body) - _TACTIC_KEYS)
        if unknown:
            raise UsageError(f"{where}: unknown keys {', '.join(unknown)}", path=path)
        description = body.get("description")
        if not isinstance(description, str) or not description.strip():
            raise UsageError(f"{where}: needs a description", path=path)
        descriptions[tactic] = description
        items = body.get("rules")
        if not isinstance(items, list) or not items:
            raise UsageError(f"{where}: needs at least one [[tactics.{tactic}.rules]]", path=path)
        for index, item in enumerate(items, 1):
            rules.append(_parse_rule(tactic, index, item, path))
    return rules, descriptions


def _parse_rule(tactic: str, index: int, item: object, path: str) -> Rule:
    where = f"tactic {tactic!r} rule {index}"
    if not isinstance(item, dict):
        raise UsageError(f"{where}: must be a table", path=path)
    rule_id = item.get("id")
    if not isinstance(rule_id, str) or not _RULE_ID.match(rule_id):
        raise UsageError(f"{where}: needs an id like '{tactic}.what_it_catches'", path=path)
    where = f"rule {rule_id!r}"
    unknown = sorted(set(item) - _RULE_KEYS)
    if unknown:
        raise UsageError(f"{where}: unknown keys {', '.join(unknown)}", path=path)
    description = item.get("description")
    if not isinstance(description, str) or not description.strip():
        raise UsageError(f"{where}: needs a description", path=path)
    phrases = _strings(item.get("phrases"), where, "phrases", path)
    patterns = _strings(item.get("patterns"), where, "patterns", path)
    if not phrases and not patterns:
        raise UsageError(f"{where}: needs at least one phrase or pattern", path=path)
    triggers = [_compile(phrase_regex(p), where, "phrases", path, bounded=True) for p in phrases]
    triggers += [_compile(p, where, "patterns", path, bounded=True) for p in patterns]
    unless = [
        _compile(p, where, "unless", path, bounded=False)
        for p in _strings(item.get("unless"), where, "unless", path)
    ]
    context = [
        _compile(p, where, "context", path, bounded=False)
        for p in _strings(item.get("context"), where, "context", path)
    ]
    return Rule(tactic, rule_id, description, tuple(triggers), tuple(unless), tuple(context), path)


def load_rules(folder: Path | None = None) -> RuleSet:
    """Every ``*.toml`` in ``folder`` (default :func:`rules_dir`), validated; UsageError naming what is wrong."""
    base = folder or rules_dir()
    files = sorted(base.glob("*.toml")) if base.is_dir() else []
    if not files:
        raise UsageError(
            f"no tactic rules (*.toml) in {base}", hint="point at a folder like templates/tactics"
        )
    rules: list[Rule] = []
    descriptions: dict[str, str] = {}
    for file in files:
        try:
            data = tomllib.loads(file.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
            raise UsageError(f"not readable TOML ({exc})", path=file) from None
        found, described = parse_rules(data, str(file))
        rules += found
        for tactic, text in described.items():
            descriptions.setdefault(tactic, text)
    seen: dict[str, str] = {}
    for rule in rules:
        if rule.id in seen:
            raise UsageError(f"rule {rule.id!r} is defined twice (also in {seen[rule.id]})", path=rule.source)
        seen[rule.id] = rule.source
    return RuleSet(tuple(rules), descriptions)


def _normalise(text: str) -> str:
    # Same length as the text, so offsets found in it are offsets into the text.
    return text.replace("\u2019", "'").replace("\u2018", "'").replace("\u02bc", "'")


def tag_with(rules: Iterable[Rule], text: str) -> list[Tag]:
    """The tags ``rules`` find in ``text``: one per matching stretch of words, by position then tactic."""
    plain = _normalise(text)
    tags: list[Tag] = []
    for rule in rules:
        if any(p.search(plain) for p in rule.unless):
            continue
        if rule.context and not any(p.search(plain) for p in rule.context):
            continue
        spans: list[tuple[int, int]] = []
        for trigger in rule.triggers:
            spans += [m.span() for m in trigger.finditer(plain) if m.end() > m.start()]
        for start, end in _merge(spans):
            tags.append(Tag(rule.tactic, rule.id, start, end, text[start:end]))
    return sorted(tags, key=lambda t: (t.start, t.end, t.tactic, t.rule_id))


def _merge(spans: Sequence[tuple[int, int]]) -> list[tuple[int, int]]:
    merged: list[tuple[int, int]] = []
    for start, end in sorted(spans):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged


@cache
def default_rules() -> RuleSet:
    """The shipped rules, loaded once."""
    return load_rules()


def tag(text: str, rules: RuleSet | None = None) -> list[Tag]:
    """The tactic tags of ``text`` under ``rules`` (default: the shipped rules)."""
    return tag_with((rules or default_rules()).rules, text)


def tactics_of(text: str, rules: RuleSet | None = None) -> frozenset[str]:
    """The set of tactics ``text`` shows (what the labelled set is scored on)."""
    return frozenset(t.tactic for t in tag(text, rules))
