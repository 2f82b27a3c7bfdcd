"""``parse_canonical``'s quick check (json's C decoder, then the canonical bytes compared) decides exactly as the
strict parse does (issue 18): the same value for every canonical text, the same error for every other one, on
generated canonical texts, on their mutations (duplicate keys, floats, spaces, escapes, unsorted keys, large
integers, lone surrogates, byte order marks, deep nesting) and on the hostile bodies of the red-team suites."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from evidence.case import canonical
from evidence.case.canonical import MAX_SAFE_INT, CanonicalError, canonical_text, parse_canonical


def _outcome(parse: Any, text: str | bytes) -> tuple[str, Any]:
    try:
        value = parse(text)
    except CanonicalError as exc:
        return "error", exc.message
    # canonical_text tells True from 1 and 1 from 1.0, which == does not.
    return "value", canonical_text(value)


def _strict(text: str | bytes) -> Any:
    return canonical._parse_strict(text.encode("utf-8") if isinstance(text, str) else text)


def _same_decision(text: str | bytes) -> None:
    assert _outcome(parse_canonical, text) == _outcome(_strict, text)
    raw = text.encode("utf-8") if isinstance(text, str) else text
    sure, value = canonical._parse_quick(text, raw)
    if sure:  # what the quick check accepts, the strict parse accepts, with the same value
        assert canonical_text(_strict(raw)) == canonical_text(value)


_KEYS = st.text(alphabet=st.characters(codec="utf-8"), max_size=6) | st.sampled_from(
    ["a", "b", "\ufeff", "\ud7ff", "\ue000", "\U0001f600", '"', "\\", "\x00", "\x1f", "\x7f"]
)
_SCALARS = (
    st.none()
    | st.booleans()
    | st.integers(-MAX_SAFE_INT, MAX_SAFE_INT)
    | st.sampled_from([MAX_SAFE_INT, -MAX_SAFE_INT, 0, -1])
    | st.text(alphabet=st.characters(codec="utf-8"), max_size=12)
)
_VALUES = st.recursive(
    _SCALARS,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(_KEYS, inner, max_size=4),
    max_leaves=24,
)


@settings(max_examples=400, deadline=None)
@given(_VALUES)
def test_canonical_texts_are_accepted_quickly_with_the_strict_value(value: Any) -> None:
    text = canonical_text(value)
    raw = text.encode("utf-8")
    sure, quick = canonical._parse_quick(text, raw)
    deep = raw.count(b"[") + raw.count(b"{") > canonical._QUICK_BRACKETS
    assert sure is not deep
    if sure:
        assert canonical_text(quick) == text
    _same_decision(text)
    _same_decision(raw)


# Texts a writer of another JSON dialect (or an attacker) produces: other separators, ASCII escapes, unsorted
# keys, indentation.
@settings(max_examples=300, deadline=None)
@given(_VALUES, st.booleans(), st.booleans(), st.sampled_from([None, 0, 1]), st.sampled_from([",", ", "]))
def test_other_json_dialects_get_the_strict_decision(
    value: Any, ascii_only: bool, sort: bool, indent: int | None, comma: str
) -> None:
    text = json.dumps(value, ensure_ascii=ascii_only, sort_keys=sort, indent=indent, separators=(comma, ":"))
    _same_decision(text)
    _same_decision(text.encode("utf-8"))


_MUTATIONS = [
    lambda t: t.replace(":", ": ", 1),
    lambda t: " " + t,
    lambda t: t + " ",
    lambda t: t + "\n",
    lambda t: "\ufeff" + t,
    lambda t: t.replace("0", "0.0", 1),
    lambda t: t.replace("1", "1e0", 1),
    lambda t: t.replace("1", "-0", 1),
    lambda t: t.replace("1", "01", 1),
    lambda t: t.replace("1", "9007199254740993", 1),
    lambda t: t.replace("null", "NaN", 1),
    lambda t: t.replace("true", "Infinity", 1),
    lambda t: t.replace("a", "\\u0061", 1),
    lambda t: t.replace("a", "\\ud800", 1),
    lambda t: t.replace("a", "\\/", 1),
    lambda t: t.replace('"', "'", 2),
    lambda t: t.replace("{", '{"a":1,', 1),
    lambda t: t.replace("}", ',"a":1}', 1),
    lambda t: t.replace(",", ",,", 1),
    lambda t: t[:-1],
    lambda t: t[1:],
    lambda t: "[" * 120 + t + "]" * 120,
]


@settings(max_examples=300, deadline=None)
@given(_VALUES, st.sampled_from(range(len(_MUTATIONS))))
def test_mutated_texts_get_the_strict_decision(value: Any, which: int) -> None:
    text = _MUTATIONS[which](canonical_text(value))
    _same_decision(text)
    try:
        raw = text.encode("utf-8")
    except UnicodeEncodeError:
        return
    _same_decision(raw)


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet='{}[]",:0123456789-.eEtrufalsn \\u\x00\ud800é', max_size=40))
def test_json_shaped_noise_gets_the_strict_decision(text: str) -> None:
    try:
        parse_canonical(text)
    except UnicodeEncodeError:
        # A str holding a lone surrogate cannot be UTF-8: both parsers fail on the encoding, before parsing.
        with pytest.raises(UnicodeEncodeError):
            _strict(text)
        return
    except CanonicalError:
        pass
    _same_decision(text)


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=40))
def test_arbitrary_bytes_get_the_strict_decision(raw: bytes) -> None:
    _same_decision(raw)


@pytest.mark.parametrize(
    "text",
    [
        # The hostile bodies the tamper and red-team suites write (tests/verify/test_redteam_bundle.py,
        # tests/verify/test_verify_case.py), and edge cases of the quick check itself.
        '{"duplicate_of":NaN}',
        '{"duplicate_of":123456789012345678901234567890}',
        '{"duplicate_of":1.0}',
        '{"a":1,"a":2}',
        '{"a":1,"a":1}',
        '{"a":{"b":1,"b":1}}',
        '{"b":1,"a":2}',
        '{"a": 1}',
        '"\\u00e9"',
        '"\\ud800"',
        '"\\ud83d\\ude00"',
        '"😀"',
        "9007199254740992",
        "-9007199254740992",
        "9007199254740993",
        "-0",
        "[1,",
        "",
        "[]",
        "{}",
        "[" * 100 + "]" * 100,
        "[" * 101 + "]" * 101,
        "[" * 100000 + "]" * 100000,
        b'"\xff"',
        b'"\xed\xa0\x80"',
        b"\xef\xbb\xbf{}",
        b"\x00{\x00}",
        '"\x00"',
        '"\\u0000"',
        '"\x7f"',
    ],
)
def test_hostile_texts_get_the_strict_decision(text: str | bytes) -> None:
    _same_decision(text)


def test_the_quick_check_accepts_ledger_bodies() -> None:
    # What a ledger entry's body looks like: the quick check, not the strict parse, decides it.
    body = {
        "exhibit": "EX-0001",
        "objects": [{"role": "original", "sha256": "ab" * 32, "size": 7}],
        "private_details": {"fields": ["imported_by"], "sha256": "cd" * 32},
        "size": MAX_SAFE_INT,
        "note": 'Ünïcode \U0001f600 "quoted" \\ \x01',
    }
    text = canonical_text(body)
    assert canonical._parse_quick(text, text.encode("utf-8")) == (True, body)
    assert parse_canonical(text) == body
