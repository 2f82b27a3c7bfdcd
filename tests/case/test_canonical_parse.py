"""``parse_canonical``'s quick path (json's C decoder, then the text serialized again) accepts exactly what the
strict parse accepts, with the same value, and leaves every refusal to it (the same message)."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from evidence.case.canonical import CanonicalError, _parse_strict, canonical_text, parse_canonical

values = st.recursive(
    st.none() | st.booleans() | st.integers(min_value=-(2**53), max_value=2**53) | st.text(),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=5), inner, max_size=4),
    max_leaves=20,
)


def outcome(parse: Any, raw: bytes) -> tuple[str, Any]:
    try:
        return "value", parse(raw)
    except CanonicalError as exc:
        return "error", str(exc)


@settings(max_examples=300, deadline=None)
@given(values)
def test_canonical_text_parses_to_its_value(value: Any) -> None:
    raw = canonical_text(value).encode("utf-8")
    assert outcome(parse_canonical, raw) == outcome(_parse_strict, raw) == ("value", value)


@settings(max_examples=300, deadline=None)
@given(values, st.integers(min_value=0, max_value=6))
def test_texts_that_are_not_canonical_are_refused_as_the_strict_parse_refuses_them(
    value: Any, how: int
) -> None:
    forms = [
        json.dumps(value),  # spaces after separators, ASCII escapes
        json.dumps(value, sort_keys=True, separators=(",", ":")),  # ASCII escapes only
        json.dumps({"b": value, "a": 1}, separators=(",", ":"), ensure_ascii=False),  # keys out of order
        '{"a":1,"a":' + canonical_text(value) + "}",  # a duplicate key
        "[1.5," + canonical_text(value) + "]",  # a float
        "[" + canonical_text(value) + ",9007199254740993]",  # an integer past 2**53
        " " + canonical_text(value),  # a byte before
    ]
    raw = forms[how].encode("utf-8")
    assert outcome(parse_canonical, raw) == outcome(_parse_strict, raw)


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ('{"a":1,"a":2}', "duplicate key 'a'"),
        ("[NaN]", "NaN in canonical JSON"),
        ("[1e5]", "float 1e5 in canonical JSON"),
        ('["\\ud800"]', "not valid Unicode"),
        ('{"n":12345678901234567890}', "outside"),
    ],
)
def test_each_refusal_names_its_reason(text: str, reason: str) -> None:
    with pytest.raises(CanonicalError) as refused:
        parse_canonical(text)
    assert reason in str(refused.value) or reason in repr(refused.value)
    assert outcome(parse_canonical, text.encode()) == outcome(_parse_strict, text.encode())
