"""Full-text search (SQLite FTS5) over the records' text, subjects and senders: messages, e-mail bodies,
chat lines, diary entries and any text an importer read from a picture. Words and substrings, in any script.

Two projections hold the same rows (``evidence.case.index``), each filled when a ``records.derived`` entry is
applied, rebuilt from the ledger, and compared row by row with a replay by the verifier:

- ``search_text``, the word index: tokeniser ``unicode61`` with diacritics removed, so ``cafe`` finds
  ``café``; words are matched whole, ``word*`` matches a prefix;
- ``search_trigram``, the substring index: every run of three characters (FTS5's ``trigram`` tokeniser, case
  folded in every script, diacritics kept), so ``rent`` also finds ``parent``, ``денег`` finds ``Денеги``, and
  a piece of Thai, Japanese or Chinese text (written without spaces between words) is found wherever it
  stands: the word index sees a whole Thai sentence as one word.

How a query is read:

1. A query using FTS5's syntax (``AND``/``OR``/``NOT``, ``NEAR(...)``, ``word*``, ``^``, parentheses, a column
   filter such as ``subject:``) is a word search, as typed (no substrings: ``NOT`` must mean not).
2. Any other query is split into terms (words, and each ``"quoted phrase"`` as one term). A record is a hit
   when every term is one of its words (the word index; a query FTS5 cannot parse, such as ``don't``, is
   searched as quoted words), or when every term occurs somewhere in its sender, subject or text (the
   substring index). Each hit says which (``match``: ``word`` or ``substring``).
3. A query with a term in an Indic or South-East Asian script (Hindi ``ही``, Thai ``คุณ``), whose vowels are
   written as marks, is looked for as substrings only: the word index splits words at those marks, so it
   would find other words (``ही`` in ``हैं``). A hit where every term stands alone (no letter, digit or
   mark touching it) is reported as a ``word``, one inside a longer run (Thai has no spaces) as a
   ``substring``.
4. A query with a term in Arabic script is matched with Arabic folded on both sides: with or without vowel
   marks (``حذفت`` finds ``حذَفت``), tatweel (``الرسـائل`` finds ``الرسائل``) and any alef form (``احرار``
   finds ``أحرارًا``); every row is scanned (the indexes keep the text as stored). A hit where every term stands
   alone is a ``word``, else a ``substring``.
5. Terms of one or two characters (Japanese ``会社``, Chinese ``我们``) have no trigram. They narrow the
   trigram hits of the longer terms; when every term is that short, every row is scanned with ``LIKE``
   (linear in the case's size: see README). ``LIKE`` folds only ASCII letters' case, so a short term is
   also tried in lower, upper and title case (``да``, ``ДА``, ``Да``; not ``дА``).

Hits are listed in time order (at most ``MAX_HITS``), each naming its record, exhibit and locator, with a
snippet: FTS5's for a word hit, the first occurrence with the characters around it for a substring hit.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from evidence.case import sqldriver as sqlite3

MAX_HITS = 200
TRIGRAM = 3  # the shortest term the trigram index can look up
SNIPPET_CONTEXT = 40  # characters shown each side of a substring hit's first occurrence


@dataclass(frozen=True)
class Hit:
    """One record that matches, with where to find it."""

    record_id: str
    exhibit: str | None
    locator: str
    channel: str
    occurred_at: str
    sender: str | None
    snippet: str
    match: str = "word"  # "word" (the word index) or "substring" (found only inside other text)

    def to_json(self) -> dict[str, Any]:
        """As ``search --json`` prints it."""
        return {
            "record_id": self.record_id,
            "exhibit": self.exhibit,
            "locator": self.locator,
            "channel": self.channel,
            "occurred_at": self.occurred_at,
            "sender": self.sender,
            "snippet": self.snippet,
            "match": self.match,
        }


_WORD_SQL = """
SELECT record_id, derived_seq, exhibit, locator, channel,
       (SELECT MIN(occurred_at) FROM records WHERE records.id = search_text.record_id) AS occurred_at, sender,
       snippet(search_text, -1, '[', ']', '…', 12)
FROM search_text
WHERE search_text MATCH ?
ORDER BY occurred_at, record_id
LIMIT ?
"""

# The same columns (a row's subject and text in place of FTS5's snippet); {where}: conditions built from
# constants and placeholders only.
_SUBSTRING_SQL = """
SELECT record_id, derived_seq, exhibit, locator, channel,
       (SELECT MIN(occurred_at) FROM records WHERE records.id = search_trigram.record_id) AS occurred_at, sender,
       subject, text
FROM search_trigram
WHERE {where}
ORDER BY occurred_at, record_id
LIMIT ?
"""

_SEARCHED = ("sender", "subject", "text")
_OPERATORS = frozenset({"AND", "OR", "NOT", "+"})
_SYNTAX = re.compile(r"[*^(){}]|^NEAR\(|^-?(sender|subject|text)\s*:")
_TERMS = re.compile(r'"((?:[^"]|"")*)"|(\S+)')


def plain(query: str) -> str:
    """``query`` as an FTS5 query of quoted words (every word must occur)."""
    return " ".join(_quoted(word) for word in query.split())


def _quoted(term: str) -> str:
    return '"' + term.replace('"', '""') + '"'


def terms(query: str) -> list[str]:
    """The terms of a query: its words, and each ``"quoted phrase"`` as one term (FTS5's doubled quote inside
    a phrase is one quote)."""
    found = []
    for match in _TERMS.finditer(query):
        term = match.group(2) if match.group(2) is not None else match.group(1).replace('""', '"')
        if term.strip():
            found.append(term.strip())
    return found


def is_expression(query: str) -> bool:
    """Whether ``query`` uses FTS5's syntax outside quotes (operators, prefixes, column filters, grouping)."""
    bare = [m.group(2) for m in _TERMS.finditer(query) if m.group(2) is not None]
    return any(word in _OPERATORS or _SYNTAX.search(word) for word in bare)


def search(conn: sqlite3.Connection, query: str, *, limit: int = MAX_HITS) -> list[Hit]:
    """Records matching ``query`` as words or substrings (see the module docstring), in time order."""
    if not query.strip():
        return []
    expression = is_expression(query)
    wanted = terms(query)
    if not expression and any(is_arabic(t) for t in wanted):
        return [
            _hit(row, snippet(row[6:9], wanted, _folded_pattern(wanted)), _arabic_match(wanted, row[6:9]))
            for row in folded_rows(conn, wanted, limit)
        ]
    if not expression and any(_spelled_with_marks(t) for t in wanted):
        return [
            _hit(row, snippet(row[6:9], wanted), "word" if _whole_words(wanted, row[6:9]) else "substring")
            for row in substring_rows(conn, wanted, limit)
        ]
    try:
        rows = conn.execute(_WORD_SQL, (query, limit)).fetchall()
    except sqlite3.OperationalError:  # not FTS5 syntax (``don't``, a lone quote): plain words
        expression = False
        rows = conn.execute(_WORD_SQL, (plain(query), limit)).fetchall()
    hits = {(str(row[0]), row[1]): _hit(row, str(row[7]), "word") for row in rows}
    if not expression:
        for row in substring_rows(conn, wanted, limit):
            key = (str(row[0]), row[1])
            if key not in hits:
                hits[key] = _hit(row, snippet(row[6:9], wanted), "substring")
    ordered = sorted(hits.values(), key=lambda h: (h.occurred_at, h.record_id))
    return ordered[:limit]


# The scripts from Devanagari (U+0900) to Khmer and Mongolian (below U+1AB0) write vowels as marks: part of a
# word's spelling. The word index (``unicode61``) takes a mark for a separator: to it ``ही`` is the word ``ह``,
# found in ``हैं`` and ``समूह``; ``ข้อความ`` is ``ข`` and ``อความ``. (Arabic vowel points split words the same
# way: ``حذَفت`` is ``حذ`` and ``فت``; unvowelled Arabic, the usual kind, is read whole.)
_SPELLING_MARKS = range(0x0900, 0x1AB0)


def _spelled_with_marks(term: str) -> bool:
    """Whether ``term`` is written in a script whose vowel signs the word index would remove."""
    return any(ord(c) in _SPELLING_MARKS for c in term)


def _whole_words(wanted: list[str], values: Iterable[Any]) -> bool:
    """Whether every term occurs in ``values`` with no letter, digit or mark right before or after it."""
    texts = [v.lower() for v in values if isinstance(v, str)]
    return all(any(_whole_in(term.lower(), text) for text in texts) for term in wanted)


def _whole_in(term: str, text: str) -> bool:
    start = text.find(term)
    while start >= 0:
        end = start + len(term)
        if (start == 0 or not _in_word(text[start - 1])) and (end == len(text) or not _in_word(text[end])):
            return True
        start = text.find(term, start + 1)
    return False


def _in_word(char: str) -> bool:
    return unicodedata.category(char)[0] in "LMN"


def _hit(row: tuple[Any, ...], snippet_text: str, match: str) -> Hit:
    return Hit(
        record_id=str(row[0]),
        exhibit=None if row[2] is None else str(row[2]),
        locator=str(row[3]),
        channel=str(row[4]),
        occurred_at=str(row[5]),
        sender=None if row[6] is None else str(row[6]),
        snippet=snippet_text,
        match=match,
    )


def substring_rows(conn: sqlite3.Connection, wanted: list[str], limit: int) -> list[tuple[Any, ...]]:
    """The rows of ``search_trigram`` holding every term of ``wanted`` in their sender, subject or text, in
    time order, at most ``limit``: ``(record_id, derived_seq, exhibit, locator, channel, occurred_at, sender,
    subject, text)``. Terms of three characters or more through the trigram index; shorter ones with ``LIKE``
    (over every row when no term is long enough)."""
    if not wanted:
        return []
    conditions: list[str] = []
    params: list[Any] = []
    long = [t for t in wanted if len(t) >= TRIGRAM]
    if long:
        conditions.append("search_trigram MATCH ?")
        params.append(" ".join(_quoted(t) for t in long))
    for term in wanted:
        if len(term) >= TRIGRAM:
            continue
        # ``+column``: a plain expression SQLite evaluates row by row. Handed to FTS5 as a constraint, a LIKE
        # pattern of fewer than three characters outside ASCII finds nothing in SQLite 3.40 (measured).
        patterns = ["%" + _like_escaped(v) + "%" for v in _case_forms(term)]
        conditions.append(
            "(" + " OR ".join(f"+{col} LIKE ? ESCAPE '\\'" for _ in patterns for col in _SEARCHED) + ")"
        )
        params.extend(p for p in patterns for _ in _SEARCHED)
    sql = _SUBSTRING_SQL.format(where=" AND ".join(conditions))
    return conn.execute(sql, (*params, limit)).fetchall()


def _case_forms(term: str) -> list[str]:
    """A short term as typed and in lower, upper and title case (LIKE folds ASCII letters only)."""
    return sorted({term, term.lower(), term.upper(), term.title()})


def _like_escaped(term: str) -> str:
    return term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def snippet(values: Iterable[Any], wanted: list[str], pattern: re.Pattern[str] | None = None) -> str:
    """The first occurrence of a term in ``values`` (sender, subject, text; the text looked at first), each
    occurrence in brackets, with up to ``SNIPPET_CONTEXT`` characters each side (never cutting a vowel sign or
    accent from its letter); ``pattern``, when given, is what finds a term (Arabic: with its variants)."""
    sender, subject, text = (v if isinstance(v, str) else "" for v in values)
    if pattern is None:
        pattern = re.compile(
            "|".join(re.escape(t) for t in sorted(wanted, key=len, reverse=True)), re.IGNORECASE
        )
    for value in (text, subject, sender):
        found = pattern.search(value)
        if found is None:
            continue
        start = max(0, found.start() - SNIPPET_CONTEXT)
        end = min(len(value), found.end() + SNIPPET_CONTEXT)
        while start > 0 and _joins_previous(value[start]):
            start -= 1
        while end < len(value) and _joins_previous(value[end]):
            end += 1
        piece = pattern.sub(lambda m: f"[{m.group(0)}]", value[start:end])
        return ("…" if start else "") + piece + ("…" if end < len(value) else "")
    return text[: 2 * SNIPPET_CONTEXT]  # found by the index's case folding but not Python's: the text's start


def _joins_previous(char: str) -> bool:
    """Whether ``char`` is a mark written on the character before it (Thai and Devanagari vowel signs,
    combining accents), which a snippet must not separate from it."""
    return _is_mark(char)


def _is_mark(char: str) -> bool:
    return unicodedata.category(char) in ("Mn", "Mc", "Me")


# Arabic is written with or without its vowel marks (harakat: fatha, damma, kasra, tanween, shadda, sukun, the
# dagger alef, Quranic marks), stretched with tatweel (U+0640, a joining stroke), and its alef with or without
# hamza or madda (أ إ آ ٱ, and ا): a term matches a text whatever each of them wrote. The indexes keep the text
# as stored (their rows are compared with the ledger's), so these terms are matched by folding both sides
# row by row: a scan of every row, linear in the case's size like a short term's (README).
_ARABIC = re.compile("[\u0600-\u06ff\u0750-\u077f\u08a0-\u08ff\ufb50-\ufdff\ufe70-\ufeff]")
_ARABIC_MARKS = "\u0610-\u061a\u064b-\u065f\u0670\u06d6-\u06dc\u06df-\u06e8\u06ea-\u06ed\u0640"
_ARABIC_IGNORED = re.compile(f"[{_ARABIC_MARKS}]")
_ALEFS = "\u0622\u0623\u0625\u0671"  # آ أ إ ٱ: alef with madda, hamza above, hamza below, wasla
_PRESENTATION_FORMS = re.compile("[\ufb50-\ufdff\ufe70-\ufeff]")
_HAS_PRESENTATION_FORM = "*[\ufb50-\ufdff\ufe70-\ufeff]*"  # the same, as a GLOB
_UNSTABLE = frozenset("\u0627" + "\u0622\u0623\u0625\u0671")  # the alefs: folded into one another
_ALEF_FOLD = str.maketrans(dict.fromkeys(_ALEFS, "\u0627"))
_MATCH_FUNCTION = "evidence_folded_match"


def is_arabic(term: str) -> bool:
    """Whether ``term`` holds a letter of the Arabic script (Arabic, Persian, Urdu...)."""
    return _ARABIC.search(term) is not None


def fold(text: str) -> str:
    """``text`` case folded, without Arabic vowel marks or tatweel, every alef form as a bare alef (the
    presentation forms a PDF or an old phone may have stored as their letters, NFKC)."""
    if _ARABIC.search(text) is None:
        return text.casefold()
    if _PRESENTATION_FORMS.search(text) is not None:
        text = unicodedata.normalize("NFKC", text)
    return _ARABIC_IGNORED.sub("", text).translate(_ALEF_FOLD).casefold()


def folded_rows(conn: sqlite3.Connection, wanted: list[str], limit: int) -> list[tuple[Any, ...]]:
    """The rows of ``search_trigram`` whose sender, subject or text holds every term of ``wanted`` once both
    are folded (:func:`fold`), in time order, at most ``limit``; the columns of :func:`substring_rows`."""
    folded = [f for f in (fold(t) for t in wanted) if f]
    if not folded:
        return []

    def holds_every_term(*values: object) -> int:
        texts = [fold(v) for v in values if isinstance(v, str)]
        return int(all(any(term in text for text in texts) for term in folded))

    conn.create_function(_MATCH_FUNCTION, 3, holds_every_term, deterministic=True)
    # Folding leaves every Arabic letter but the alefs as it is: a row without one such letter of each term
    # (nor presentation forms, which NFKC turns into letters) cannot match, and SQLite rules it out before the
    # fold (1.4 s -> 0.3 s over 100,000 rows).
    conditions: list[str] = []
    params: list[Any] = []
    for term in folded:
        letter = next((c for c in term if is_arabic(c) and c not in _UNSTABLE), None)
        if letter is None:
            continue
        conditions.append(
            "(" + " OR ".join(f"instr({col}, ?) > 0 OR {col} GLOB ?" for col in _SEARCHED) + ")"
        )
        params.extend(p for _ in _SEARCHED for p in (letter, _HAS_PRESENTATION_FORM))
    conditions.append(f"{_MATCH_FUNCTION}(sender, subject, text)")
    sql = _SUBSTRING_SQL.format(where=" AND ".join(conditions))
    return conn.execute(sql, (*params, limit)).fetchall()


def _folded_pattern(wanted: list[str]) -> re.Pattern[str]:
    """A pattern finding each term in a text as stored: any alef form for an alef, vowel marks and tatweel
    allowed between letters, case ignored."""
    alternatives = []
    for term in sorted((fold(t) for t in wanted), key=len, reverse=True):
        letters = [f"[\u0627{_ALEFS}]" if c == "\u0627" else re.escape(c) for c in term]
        alternatives.append(f"[{_ARABIC_MARKS}]*".join(letters))
    return re.compile("|".join(alternatives), re.IGNORECASE)


def _arabic_match(wanted: list[str], values: Iterable[Any]) -> str:
    """``word`` when every term stands alone in the folded sender, subject or text, else ``substring``."""
    texts = [fold(v) for v in values if isinstance(v, str)]
    whole = all(any(_whole_in(fold(term), text) for text in texts) for term in wanted)
    return "word" if whole else "substring"
