"""The tactic tagger's trained part: the shipped model loads, explains each suggestion by words of the message,
refuses a broken file by name, and the training is deterministic (bench/train_tactics.py)."""

from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path
from types import ModuleType

import pytest

from evidence.analysis._tactic_model import features, load_model, tokens
from evidence.analysis.tactics import TACTICS, RuleSet, load_rules, model_tags, rules_dir, tag
from evidence.errors import UsageError

BENCH = Path(__file__).resolve().parent.parent.parent / "bench"


@pytest.fixture(scope="module")
def rules() -> RuleSet:
    return load_rules()


def test_the_shipped_model_covers_every_tactic(rules: RuleSet) -> None:
    model = rules.model
    assert model is not None and model.tactics == TACTICS
    # Chosen by cross-validated precision, between the training script's floor (0.40 since session 6) and 0.95.
    assert all(0.4 <= t <= 0.95 for t in model.threshold)
    assert len(model.weights) > 1000 and len(model.sha256) == 64
    data = json.loads((rules_dir() / "model.json").read_text(encoding="utf-8"))
    assert data["version"] == model.version and data["trained_on"] >= 1500


def test_words_are_normalised_with_their_offsets() -> None:
    text = "U R SO Dead, ÉCOUTE moi\u2019s"
    words = tokens(text)
    assert [w for w, _, _ in words] == ["you", "are", "so", "dead", "ecoute", "mois"]
    assert all(text[start:end].lower().startswith(text[start].lower()) for _, start, end in words)
    found = features(words)
    assert found["b:so_dead"] == (text.index("SO"), text.index(",")) and "w:ecoute" in found


def test_a_model_suggestion_explains_itself(rules: RuleSet) -> None:
    # A phrasing no rule holds, which the model weighs towards a tactic: each of its tags says which words.
    assert rules.model is not None
    texts = [
        "I'm a new man now, I promise, and it's all because of you.",
        "honestly you are the lowest of the low",
        "every single person you know is about to find out",
    ]
    tagged = [t for text in texts for t in model_tags(rules.model, text)]
    assert tagged
    for text in texts:
        for hit in model_tags(rules.model, text):
            assert text[hit.start : hit.end] == hit.words and len(hit.words) >= 3
            rule = rules.rule(hit.rule_id)
            assert hit.rule_id == f"model.{rules.model.version}.{hit.tactic}"
            assert rules.model.version in rule.description and rules.model.sha256[:12] in rule.description
            assert rule.source.endswith("model.json")


def test_the_model_speaks_only_where_no_rule_did(rules: RuleSet) -> None:
    text = "You're pathetic, you know that? Can't even answer a text."
    by_tactic: dict[str, list[str]] = {}
    for hit in tag(text, rules):
        by_tactic.setdefault(hit.tactic, []).append(hit.rule_id)
    assert by_tactic["insult"] and not any(r.startswith("model.") for r in by_tactic["insult"])


def test_a_folder_without_a_model_has_rules_only(tmp_path: Path) -> None:
    (tmp_path / "en.toml").write_text((rules_dir() / "en.toml").read_text(encoding="utf-8"), encoding="utf-8")
    only = load_rules(tmp_path)
    assert only.model is None and all(r.triggers for r in only.rules)


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        ("{not json", "not a tactic model"),
        ('{"version": "v1", "tactics": ["threat"], "bias": {"threat": 0}, "threshold": {}}', "KeyError"),
        (
            '{"version": "v1", "tactics": ["threat"], "bias": {"threat": 0}, "threshold": {"threat": 0.5},'
            ' "weights": {"w:x": [1, 2]}}',
            "one number per tactic",
        ),
        (
            '{"version": "V 1", "tactics": ["threat"], "bias": {"threat": 0}, "threshold": {"threat": 0.5},'
            ' "weights": {}}',
            "version",
        ),
    ],
)
def test_a_broken_model_file_is_refused_by_name(tmp_path: Path, content: str, expected: str) -> None:
    path = tmp_path / "model.json"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(UsageError) as info:
        load_model(path)
    assert expected in info.value.message and info.value.path == str(path)


def _trainer() -> ModuleType:
    spec = importlib.util.spec_from_file_location("train_tactics", BENCH / "train_tactics.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("train_tactics", module)
    spec.loader.exec_module(module)
    return module


def test_training_is_deterministic_and_learns() -> None:
    trainer = _trainer()
    examples = [
        ("I will hurt you", frozenset({"threat"})),
        ("you will pay for this", frozenset({"threat"})),
        ("you are a useless idiot", frozenset({"insult"})),
        ("what an idiot you are", frozenset({"insult"})),
        ("see you at the station", frozenset()),
        ("can you bring the milk", frozenset()),
    ] * 3
    first, second = trainer.train(examples), trainer.train(examples)
    assert first == second
    assert trainer.scores(first, "I will hurt you")[0] > 0.5 > trainer.scores(first, "bring the milk")[0]
    assert trainer.texting("You are SO late, please!") == "u r so late pls"
