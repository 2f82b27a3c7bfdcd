"""``cli.sanitize.json_item`` and ``json_document``: the fast JSON writers of the timeline and of ``stats`` give
exactly what ``json_text`` gives."""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from evidence.cli.sanitize import json_document, json_item, json_text

CORPUS = Path("/work/shared/corpus/whatsapp-real")

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=True, allow_infinity=True) | st.text(),
    lambda inner: (
        st.lists(inner, max_size=4)
        | st.dictionaries(st.text(max_size=6), inner, max_size=4)
        | st.tuples(inner, inner)
    ),
    max_leaves=25,
)


@settings(max_examples=400, deadline=None)
@given(json_values)
def test_any_value_is_written_as_json_text_writes_it(value: Any) -> None:
    assert json_item(value) == json_text([value])[2:-2]
    assert json_document(value) == json_text(value)


def test_keys_and_values_json_has_no_plain_form_for_are_left_to_json_text() -> None:
    for value in ({1: "a"}, {None: 1}, {"n": math.nan}, {"i": [-math.inf]}, {2.5: True}):
        assert json_item(value) == json_text([value])[2:-2]
        assert json_document(value) == json_text(value)


def test_terminal_controls_and_bidi_overrides_in_real_messages_stay_escaped() -> None:
    texts = [line for path in sorted(CORPUS.rglob("*.txt")) for line in path.read_text("utf-8").splitlines()]
    assert len(texts) > 100
    hostile = "\x1b[1A\x1b[2K\u202egnp.exe\u009b\x7f"
    entry = {"text": hostile, "lines": texts, "sources": [{"exhibit": "EX-0001", "n": 3}], "tags": []}
    written = json_item(entry)
    assert written == json_text([entry])[2:-2]
    assert "\x1b" not in written and "\u202e" not in written and "\u009b" not in written
    assert json.loads(written) == entry
    document = json_document(entry)
    assert document == json_text(entry) and "\u202e" not in document and json.loads(document) == entry
