"""Canonical JSON of large values (issue 8): the piecewise path and the fast type check give exactly the bytes
of the one-shot serializer, and refuse what it refuses."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from evidence.case.canonical import CanonicalError, canonical_bytes, parse_canonical


def _one_shot(value: Any) -> bytes:
    return json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


_SCALARS = st.none() | st.booleans() | st.integers(-(2**53), 2**53) | st.text(max_size=8)
_VALUES = st.recursive(
    _SCALARS,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=4), inner, max_size=4),
    max_leaves=12,
)


@settings(max_examples=40, deadline=None)
@given(
    item=_VALUES, extra=st.dictionaries(st.text(max_size=4), _VALUES, max_size=3), count=st.integers(257, 300)
)
def test_large_blob_bytes_equal_the_one_shot_serializer(item: Any, extra: dict[str, Any], count: int) -> None:
    value = {**extra, "records": [item] * count}
    data = canonical_bytes(value)
    assert data == _one_shot(value)
    assert parse_canonical(data) == json.loads(data)


@pytest.mark.parametrize(
    ("bad", "message"),
    [
        (1.5, "floats are not allowed"),
        (2**60, "outside"),
        ("\ud800", "not valid Unicode"),
        ({1: "x"}, "not a string"),
    ],
)
def test_large_blob_refuses_what_canonical_json_cannot_hold(bad: Any, message: str) -> None:
    value = {"records": [{"ok": 1}] * 300 + [{"bad": bad}]}
    with pytest.raises(CanonicalError, match=message):
        canonical_bytes(value)


def test_deep_and_cyclic_values_are_refused() -> None:
    deep: list[Any] = []
    for _ in range(100_000):
        deep = [deep]
    with pytest.raises(CanonicalError, match="nested too deeply"):
        canonical_bytes({"records": [deep] * 300})
    cyclic: list[Any] = []
    cyclic.append(cyclic)
    with pytest.raises(CanonicalError, match="nested too deeply"):
        canonical_bytes(cyclic)
