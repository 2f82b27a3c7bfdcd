"""Tactic rules: the TOML format of ``templates/tactics/*.toml``, validated and compiled (see ``tactics.py``).

A rules file names its language (``language = "de"``); its rules are applied only to messages detected as that
language. A file without one applies to every message (a user's own rules in a folder of their choosing).

Two shortcuts are compiled with each trigger, for speed, and tested to change no match: the strings one of which
every match contains (:func:`needed_strings`, read from the parsed pattern), and the same pattern for lower-cased
text without its leading look-behind (:func:`lower_pattern`, :func:`word_spans`), which lets the engine scan for
the pattern's first letters.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, overload

try:  # the standard library's regular expression parser, read to find the words a pattern needs
    from re import _constants as _sre  # type: ignore[attr-defined]
    from re import _parser as _sre_parse  # type: ignore[attr-defined]
except ImportError:  # pragma: no cover - another Python: no shortcut, every pattern is searched
    _sre = _sre_parse = None

from evidence.errors import UsageError

_RULE_KEYS = frozenset({"id", "description", "phrases", "patterns", "unless", "context"})
_GUARD_KEYS = frozenset({"description", "patterns", "tactics", "unless"})
_TACTIC_KEYS = frozenset({"description", "rules"})
_NAME = re.compile(r"^[a-z][a-z0-9_]*$")
_RULE_ID = re.compile(r"^[a-z][a-z0-9_]*(?:\.[a-z0-9_]+)*$")
_FLAGS = re.IGNORECASE | re.MULTILINE


class Triggers(Sequence["re.Pattern[str]"]):
    """A rule's trigger patterns (case-insensitive, whole words), each compiled when first read. A text is
    searched with a trigger's lower-case form (``Rule.fast``) when there is one, so most of these are never
    needed: compiling them all made up a third of the time to load the shipped rules. A trigger whose
    lower-case form could not be made, or matches the empty string, is compiled (and checked) at load."""

    def __init__(self, sources: Sequence[str], compiled: dict[int, re.Pattern[str]]) -> None:
        self.sources = tuple(sources)  # each trigger's regular expression, word boundaries included
        self._compiled = dict(compiled)

    def __len__(self) -> int:
        return len(self.sources)

    @overload
    def __getitem__(self, index: int) -> re.Pattern[str]: ...

    @overload
    def __getitem__(self, index: slice) -> tuple[re.Pattern[str], ...]: ...

    def __getitem__(self, index: int | slice) -> re.Pattern[str] | tuple[re.Pattern[str], ...]:
        if isinstance(index, slice):
            return tuple(self[i] for i in range(*index.indices(len(self))))
        index = range(len(self.sources))[index]  # IndexError as a tuple's
        found = self._compiled.get(index)
        if found is None:
            found = self._compiled[index] = re.compile(self.sources[index], _FLAGS)
        return found

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Triggers) and other.sources == self.sources

    def __hash__(self) -> int:
        return hash(self.sources)

    def __repr__(self) -> str:
        return f"Triggers({self.sources!r})"


@dataclass(frozen=True)
class Rule:
    """One rule of one tactic, compiled."""

    tactic: str
    id: str
    description: str
    triggers: Sequence[re.Pattern[str]]
    unless: tuple[re.Pattern[str], ...]
    context: tuple[re.Pattern[str], ...]
    source: str  # the file the rule came from
    language: str = "*"  # the messages it reads: en, de, es, fr, or * for all
    # For each trigger, strings one of which is in any text it matches (lower case), or None when unknown:
    # a trigger none of whose strings is in the lower-cased text is not searched (the speed of the tagger).
    needs: tuple[frozenset[str] | None, ...] = ()
    # For each trigger, the same pattern for lower-cased text, without the leading word-boundary look-behind
    # (checked by ``word_spans`` instead): Python's engine then scans for its first letters, several times
    # faster. None when lower-casing the pattern is not safe.
    fast: tuple[re.Pattern[str] | None, ...] = ()
    # For each trigger, the other sets of strings of which every match holds one (``required_strings``, those
    # that are not ``needs``): a trigger one of whose sets is missing from the lower-cased text is not searched.
    requires: tuple[tuple[frozenset[str], ...], ...] = ()


@dataclass(frozen=True)
class Guard:
    """A kind of message in which some tactics are not suggested, by rule or model: the complainant's own firm
    reply ("Stop contacting me. I have blocked you.") reads like a demand or a new account to the words alone."""

    id: str
    description: str
    patterns: tuple[re.Pattern[str], ...]
    tactics: frozenset[str]
    source: str
    language: str = "*"
    unless: tuple[re.Pattern[str], ...] = ()  # what makes it not such a message after all ("blocked")

    def applies(self, text: str) -> bool:
        """Whether ``text`` (normalised as the tagger reads it) is such a message."""
        return any(p.search(text) for p in self.patterns) and not any(p.search(text) for p in self.unless)


def parse_guards(data: dict[str, Any], path: str) -> list[Guard]:
    """The ``[guards.NAME]`` tables of one rules document, validated and compiled (none is fine)."""
    language = data.get("language", "*")
    tables = data.get("guards", {})
    if not isinstance(tables, dict):
        raise UsageError("'guards' must be a table of [guards.NAME] tables", path=path)
    guards = []
    for name, body in tables.items():
        where = f"guard {name!r}"
        if not _NAME.match(name) or not isinstance(body, dict):
            raise UsageError(
                f"{where}: a [guards.NAME] table, NAME lower-case letters, digits and _", path=path
            )
        unknown = sorted(set(body) - _GUARD_KEYS)
        if unknown:
            raise UsageError(f"{where}: unknown keys {', '.join(unknown)}", path=path)
        description = body.get("description")
        if not isinstance(description, str) or not description.strip():
            raise UsageError(f"{where}: needs a description", path=path)
        patterns = _strings(body.get("patterns"), where, "patterns", path)
        tactics = _strings(body.get("tactics"), where, "tactics", path)
        if not patterns or not tactics:
            raise UsageError(f"{where}: needs 'patterns' and 'tactics'", path=path)
        compiled = tuple(_compile(p, where, "patterns", path, bounded=True) for p in patterns)
        unless = tuple(
            _compile(p, where, "unless", path, bounded=False)
            for p in _strings(body.get("unless"), where, "unless", path)
        )
        guards.append(
            Guard(
                f"guard.{language}.{name}", description, compiled, frozenset(tactics), path, language, unless
            )
        )
    return guards


def phrase_regex(phrase: str) -> str:
    """The regular expression for a plain phrase: escaped, any whitespace between words, apostrophes optional."""
    words = phrase.split()
    return r"\s+".join(re.escape(word).replace("'", "'?") for word in words)


def needed_strings(regex: str) -> frozenset[str] | None:
    """Strings (lower case, three characters or more) one of which is in every text ``regex`` matches when read
    case-insensitively, or None when no such set is known. Found from the parsed pattern: a run of literal
    characters, or an alternation whose every branch needs one, whichever has the longest shortest string."""
    if _sre_parse is None:
        return None
    try:
        parsed = _sre_parse.parse(regex, _FLAGS)
    except re.error:
        return None
    found = _needs(list(parsed))
    return frozenset(found) if found else None


def required_strings(regex: str) -> tuple[frozenset[str], ...]:
    """Every set of strings (lower case, three characters or more) of which ``regex`` needs one, as
    :func:`needed_strings` finds them, in the pattern's order: each part of a sequence is needed (a run of
    literal characters, a group, a repeat of at least one, an alternation whose every branch needs one), and so
    are the parts of a needed group. A trigger is searched only in a text holding one string of each set."""
    if _sre_parse is None:
        return ()
    try:
        parsed = _sre_parse.parse(regex, _FLAGS)
    except re.error:
        return ()
    found: list[frozenset[str]] = []
    _all_needs(list(parsed), found)
    return tuple(dict.fromkeys(s for s in found if min(map(len, s)) >= 3))


def _all_needs(items: list[tuple[Any, Any]], found: list[frozenset[str]]) -> None:
    run: list[str] = []
    for op, av in [*items, (None, None)]:
        if op is _sre.LITERAL:
            run.append(chr(av))
            continue
        if run:
            found.append(frozenset({"".join(run).lower()}))
            run = []
        if op is _sre.SUBPATTERN:
            _all_needs(list(av[3]), found)
        elif op is _sre.ATOMIC_GROUP:
            _all_needs(list(av), found)
        elif op in (_sre.MAX_REPEAT, _sre.MIN_REPEAT, _sre.POSSESSIVE_REPEAT) and av[0] >= 1:
            _all_needs(list(av[2]), found)
        elif op is _sre.BRANCH:
            branches = [_needs(list(branch)) for branch in av[1]]
            if all(branches):
                found.append(frozenset(set().union(*(b for b in branches if b))))


def _needs(items: list[tuple[Any, Any]]) -> set[str] | None:
    candidates: list[set[str]] = []
    run: list[str] = []
    for op, av in [*items, (None, None)]:
        if op is _sre.LITERAL:
            run.append(chr(av))
            continue
        if run:
            candidates.append({"".join(run).lower()})
            run = []
        needed: set[str] | None = None
        if op is _sre.SUBPATTERN:
            needed = _needs(list(av[3]))
        elif op is _sre.ATOMIC_GROUP:
            needed = _needs(list(av))
        elif op is _sre.BRANCH:
            branches = [_needs(list(branch)) for branch in av[1]]
            if all(branches):
                needed = set().union(*(b for b in branches if b))
        elif op in (_sre.MAX_REPEAT, _sre.MIN_REPEAT, _sre.POSSESSIVE_REPEAT) and av[0] >= 1:
            needed = _needs(list(av[2]))
        if needed:
            candidates.append(needed)
    best = max(
        candidates, key=lambda c: (min(map(len, c)) >= 3, _selectivity(c), min(map(len, c))), default=None
    )
    return best if best and min(len(x) for x in best) >= 3 else None


# Words in most messages: a pattern needing one of them is searched in nearly every text, so another of its
# parts is preferred as the shortcut when there is one.
_COMMON = frozenset(
    [
        "you",
        "your",
        "you're",
        "youre",
        "yours",
        "the",
        "and",
        "are",
        "not",
        "for",
        "that",
        "this",
        "what",
        "with",
        "have",
        "i'm",
        "i'll",
        "me",
        "my",
        "was",
        "will",
    ]
)


def _selectivity(strings: set[str]) -> int:
    # The length of the shortest string, a common word counting as one letter long.
    return min(1 if s.strip() in _COMMON else len(s) for s in strings)


def lower_pattern(regex: str) -> re.Pattern[str] | None:
    """``regex`` (case-insensitive, whole words) as a pattern for lower-cased text whose left word boundary is
    left to :func:`word_spans`; None when that cannot be done safely."""
    out: list[str] = []
    escaped = False
    for char in regex:
        if escaped:
            out.append(char)  # \S, \W, \D, \B, \A, \Z keep their case
            escaped = False
        elif char == "\\":
            out.append(char)
            escaped = True
        else:
            low = char.lower()
            if len(low) != 1:
                return None
            out.append(low)
    try:
        return re.compile(f"(?:{''.join(out)})(?!\\w)", re.MULTILINE)
    except re.error:
        return None


def word_spans(pattern: re.Pattern[str], text: str) -> list[tuple[int, int]]:
    """The non-empty matches of a :func:`lower_pattern` in ``text`` that start a word, as ``finditer`` of the
    bounded pattern would find them (after a refused start the search resumes one character on)."""
    spans = []
    pos = 0
    while (match := pattern.search(text, pos)) is not None:
        start, end = match.span()
        if start and (text[start - 1].isalnum() or text[start - 1] == "_"):
            pos = start + 1
            continue
        if end > start:
            spans.append((start, end))
        pos = max(end, start + 1)
    return spans


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
    language = data.get("language", "*")
    if not isinstance(language, str) or not re.fullmatch(r"[a-z]{2}|\*", language):
        raise UsageError("'language' must be a two-letter code like \"en\"", path=path)
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
            rules.append(_parse_rule(tactic, index, item, path, language))
    return rules, descriptions


def _parse_rule(tactic: str, index: int, item: object, path: str, language: str) -> Rule:
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
    sources = [phrase_regex(p) for p in phrases] + patterns
    fast = tuple(lower_pattern(source) for source in sources)
    compiled: dict[int, re.Pattern[str]] = {}
    for i, (source, quick) in enumerate(zip(sources, fast, strict=True)):
        # Where the lower-case form compiles and cannot match nothing, so does the pattern (it differs only in
        # the case of letters outside escapes): it is compiled when first needed. Otherwise now, to be checked.
        if quick is None or quick.search("") is not None:
            key = "phrases" if i < len(phrases) else "patterns"
            compiled[i] = _compile(source, where, key, path, bounded=True)
    needs = tuple(needed_strings(_bounded(source)) for source in sources)
    requires = tuple(
        tuple(r for r in required_strings(_bounded(source)) if r != need)
        for source, need in zip(sources, needs, strict=True)
    )
    unless = [
        _compile(p, where, "unless", path, bounded=False)
        for p in _strings(item.get("unless"), where, "unless", path)
    ]
    context = [
        _compile(p, where, "context", path, bounded=False)
        for p in _strings(item.get("context"), where, "context", path)
    ]
    return Rule(
        tactic,
        rule_id,
        description,
        Triggers([_bounded(source) for source in sources], compiled),
        tuple(unless),
        tuple(context),
        path,
        language,
        needs,
        fast,
        requires,
    )
