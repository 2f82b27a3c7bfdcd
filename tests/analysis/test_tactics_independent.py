"""The tagger on the independent evaluation set (issue 17): messages written and labelled by someone who saw
neither the rules, the model nor their training data (tests/data/tactics/independent/README.md). Its figures
are recorded in bench/RESULTS.md; they must not drop. Never tune on this set (looking at its errors would make it
a tuning set)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from evidence.analysis.tactics import TACTICS, RuleSet, default_rules, tactics_of

SET = Path(__file__).resolve().parent.parent / "data" / "tactics" / "independent"
RESULTS = Path(__file__).resolve().parent.parent.parent / "bench" / "RESULTS.md"
MARGIN = 0.02


@pytest.fixture(scope="module")
def rules() -> RuleSet:
    return default_rules()


def _recorded(lang: str) -> float:
    found = re.search(
        rf"Independent \({lang}\) macro F1 \*\*([0-9.]+)\*\*", RESULTS.read_text(encoding="utf-8")
    )
    assert found, lang
    return float(found.group(1))


def _macro_f1(rows: list[dict[str, object]], rules: RuleSet) -> float:
    found = [tactics_of(str(row["text"]), rules) for row in rows]
    f1s = []
    for tactic in TACTICS:
        tp = fp = fn = 0
        for row, tags in zip(rows, found, strict=True):
            hit, gold = tactic in tags, tactic in list(row["tactics"])  # type: ignore[call-overload]
            tp += hit and gold
            fp += hit and not gold
            fn += gold and not hit
        if tp + fp + fn:
            f1s.append(2 * tp / (2 * tp + fp + fn))
    return sum(f1s) / len(f1s)


@pytest.mark.parametrize(("lang", "size"), [("en", 400), ("de", 150), ("es", 150), ("fr", 150)])
def test_independent_figures_do_not_drop(rules: RuleSet, lang: str, size: int) -> None:
    rows = [json.loads(line) for line in (SET / f"{lang}.jsonl").read_text(encoding="utf-8").splitlines()]
    assert len(rows) == size and {r["lang"] for r in rows} == {lang}
    assert _macro_f1(rows, rules) >= _recorded(lang) - MARGIN
