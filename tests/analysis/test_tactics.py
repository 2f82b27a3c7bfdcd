"""Tactic tagging: the rules load and validate, tags explain themselves, traps stay quiet, F1 does not drop."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from evidence.analysis.tactics import TACTICS, RuleSet, load_rules, phrase_regex, tactics_of, tag
from evidence.errors import UsageError

DATA = Path(__file__).resolve().parent.parent / "data" / "tactics"
RECORDED_HELDOUT_MACRO_F1 = 0.947  # bench/RESULTS.md, "Tactic tagging (issue 7)"
MARGIN = 0.02


@pytest.fixture(scope="module")
def rules() -> RuleSet:
    return load_rules()


def test_shipped_rules_cover_every_tactic(rules: RuleSet) -> None:
    assert set(rules.tactics) == set(TACTICS)
    ids = [rule.id for rule in rules.rules]
    assert len(ids) == len(set(ids))
    assert all(rule.description and rule.triggers for rule in rules.matching)
    assert set(rules.descriptions) == set(TACTICS)
    # The model stands in the rules as one entry a tactic, with no words to match and its version in the id.
    assert rules.model is not None
    model_ids = {r.id for r in rules.rules if not r.triggers}
    assert model_ids == {f"model.{rules.model.version}.{t}" for t in TACTICS}


# (tactic, a message that shows it, a trap that must not be tagged with it)
EXAMPLES = [
    ("threat", "Keep ignoring me and see what happens.", "I'd kill for a coffee right now"),
    ("threat", "I'll smash your car windows.", "This traffic is killing me, be there soon"),
    ("insult", "You're pathetic, hiding behind your phone.", "I'm such an idiot, left my keys at home"),
    ("guilt_tripping", "After everything I did for you.", "Hope you're happy with the new flat!"),
    ("love_bombing", "I miss you so much. You're my soulmate.", "Love you mum, see you Sunday x"),
    ("pleading", "I'm begging you, one more chance.", "Please can you send me the spreadsheet?"),
    ("smear", "I'll make sure everyone knows what you're really like.", "I'll tell everyone you said hi"),
    ("third_party_contact", "Alex asked me to tell you he's sorry.", "Tell your mum happy birthday from me!"),
    (
        "new_account",
        "Blocking my number? This is my new one.",
        "Hi, it's Mia from the book club, this is my new number",
    ),
    ("demand_to_meet_or_respond", "Pick up the phone", "Can you pick up the kids at 3?"),
    (
        "monitoring",
        "I know you're in. Your light's on.",
        "I know where you mean, the place next to the bakery",
    ),
    ("love_bombing", "I love you. I'll always love you.", "You look killer in that photo!"),
    ("threat", "You'll regret this.", "I'm dying to see the film"),
]


@pytest.mark.parametrize(("tactic", "positive", "trap"), EXAMPLES)
def test_positive_and_trap(rules: RuleSet, tactic: str, positive: str, trap: str) -> None:
    assert tactic in tactics_of(positive, rules)
    assert tactic not in tactics_of(trap, rules)


@pytest.mark.parametrize(
    "trap",
    ["I'd kill for a coffee", "this traffic is killing me", "I'm dying to see the film", "you look killer"],
)
def test_classic_traps_get_no_tag_at_all(rules: RuleSet, trap: str) -> None:
    assert tag(trap, rules) == []


def test_every_tactic_has_a_positive_and_a_trap_asserted() -> None:
    assert {e[0] for e in EXAMPLES} == set(TACTICS)


def test_spans_point_at_the_triggering_words(rules: RuleSet) -> None:
    text = "Morning. I know you\u2019re reading these. Pick up the phone or I'll come round."
    tags = tag(text, rules)
    assert all(text[t.start : t.end] == t.words for t in tags)
    by_tactic = {t.tactic: t for t in tags}
    assert by_tactic["monitoring"].words == "I know you\u2019re reading"  # the curly apostrophe kept
    assert by_tactic["monitoring"].rule_id == "monitoring.i_know"
    assert by_tactic["demand_to_meet_or_respond"].words == "Pick up the phone"
    assert by_tactic["threat"].words == "I'll come round"
    assert by_tactic["threat"].start == text.index("I'll come")
    assert [t.start for t in tags] == sorted(t.start for t in tags)
    assert by_tactic["threat"].to_json()["rule"] == "threat.turn_up"


def test_word_boundaries(rules: RuleSet) -> None:
    assert "insult" not in tactics_of("The slagheap by the mine is huge", rules)
    assert "insult" in tactics_of("Slag.", rules)
    assert phrase_regex("you're done") == r"you'?re\s+done"


def _write(folder: Path, text: str, name: str = "x.toml") -> Path:
    folder.mkdir(exist_ok=True)
    (folder / name).write_text(text, encoding="utf-8")
    return folder


GOOD_RULE = """
[tactics.threat]
description = "threats"
[[tactics.threat.rules]]
id = "threat.test"
description = "a test rule"
phrases = ["watch out"]
"""


def test_a_custom_folder_replaces_the_shipped_rules(tmp_path: Path) -> None:
    custom = load_rules(_write(tmp_path / "r", GOOD_RULE))
    assert [r.id for r in custom.rules] == ["threat.test"]
    assert [(t.rule_id, t.words) for t in tag("Watch   OUT mate", custom)] == [("threat.test", "Watch   OUT")]
    assert custom.rule("threat.test").tactic == "threat"


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        (
            GOOD_RULE.replace('"watch out"', '"x"]\npatterns = ["(unclosed"'),
            "rule 'threat.test': bad regular expression",
        ),
        (GOOD_RULE.replace('description = "a test rule"\n', ""), "rule 'threat.test': needs a description"),
        (
            GOOD_RULE.replace('phrases = ["watch out"]', ""),
            "rule 'threat.test': needs at least one phrase or pattern",
        ),
        (
            GOOD_RULE.replace('phrases = ["watch out"]', 'phrase = ["x"]'),
            "rule 'threat.test': unknown keys phrase",
        ),
        (
            GOOD_RULE.replace('phrases = ["watch out"]', "phrases = [1]"),
            "rule 'threat.test': 'phrases' must be",
        ),
        (GOOD_RULE.replace('phrases = ["watch out"]', 'patterns = ["a*"]'), "matches the empty string"),
        (GOOD_RULE.replace('id = "threat.test"', 'id = "Bad Id"'), "tactic 'threat' rule 1: needs an id"),
        (GOOD_RULE.replace("tactics.", "tactic."), "needs a [tactics.NAME] table"),
        (GOOD_RULE + "\n[oops", "not readable TOML"),
    ],
)
def test_a_broken_rule_file_names_the_problem(tmp_path: Path, body: str, expected: str) -> None:
    folder = _write(tmp_path / "r", body)
    with pytest.raises(UsageError) as info:
        load_rules(folder)
    assert expected in info.value.message
    assert info.value.path == str(folder / "x.toml")


def test_a_rule_defined_twice_is_refused(tmp_path: Path) -> None:
    folder = _write(tmp_path / "r", GOOD_RULE, "a.toml")
    _write(folder, GOOD_RULE, "b.toml")
    with pytest.raises(UsageError, match=r"'threat\.test' is defined twice"):
        load_rules(folder)


def test_an_empty_folder_is_refused(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match="no tactic rules"):
        load_rules(tmp_path)


def _rows() -> list[dict[str, object]]:
    lines = (DATA / "labelled.jsonl").read_text(encoding="utf-8").splitlines()
    return [json.loads(line) for line in lines if line.strip()]


def test_the_labelled_set_is_big_enough_and_a_quarter_held_out() -> None:
    rows = _rows()
    heldout = [r for r in rows if r["split"] == "heldout"]
    assert len(rows) >= 320
    assert {r["split"] for r in rows} == {"heldout", "dev"}
    assert 0.24 <= len(heldout) / len(rows) <= 0.26
    assert len({r["id"] for r in rows}) == len(rows)
    for row in rows:
        labels = row["tactics"]
        assert isinstance(labels, list) and set(labels) <= set(TACTICS), row["id"]
    assert sum(1 for r in rows if not r["tactics"]) >= 80  # ordinary messages and traps


def _macro_f1(rows: list[dict[str, object]], rules: RuleSet) -> float:
    f1s = []
    for tactic in TACTICS:
        tp = fp = fn = 0
        for row in rows:
            text, labels = row["text"], row["tactics"]
            assert isinstance(text, str) and isinstance(labels, list)
            found, gold = tactic in tactics_of(text, rules), tactic in labels
            tp += found and gold
            fp += found and not gold
            fn += gold and not found
        precision = tp / (tp + fp) if tp + fp else 1.0
        recall = tp / (tp + fn) if tp + fn else 1.0
        f1s.append(2 * precision * recall / (precision + recall) if precision + recall else 0.0)
    return sum(f1s) / len(f1s)


def test_heldout_macro_f1_does_not_drop_below_the_recorded_figure(rules: RuleSet) -> None:
    heldout = [r for r in _rows() if r["split"] == "heldout"]
    assert _macro_f1(heldout, rules) >= RECORDED_HELDOUT_MACRO_F1 - MARGIN
    assert RECORDED_HELDOUT_MACRO_F1 >= 0.8


def test_the_recorded_figure_is_the_one_in_results() -> None:
    results = (Path(__file__).resolve().parent.parent.parent / "bench" / "RESULTS.md").read_text(
        encoding="utf-8"
    )
    assert f"Held-out macro F1 **{RECORDED_HELDOUT_MACRO_F1}**" in results
