"""Tactic guards (issue 17, session 6): a message of a kind that reads like a tactic to the words alone gets none
of the guarded tactics, from rules or model: the complainant's own firm reply, a game's violent words, a friend's
new number because of a broken phone, a hint of self-harm (guilt-tripping, not a threat); and a clause the sender
denies ("I would never hurt you") is not read. The same words from a respondent are still suggested."""

from __future__ import annotations

from pathlib import Path

import pytest

from evidence.analysis.tactics import RuleSet, load_rules, tactics_of, tag_with
from evidence.errors import UsageError

HELD_BACK = {"demand_to_meet_or_respond", "new_account", "threat", "smear", "pleading", "monitoring"}


@pytest.fixture(scope="module")
def rules() -> RuleSet:
    return load_rules()


@pytest.mark.parametrize(
    "reply",
    [
        "I will not meet you. Stop messaging me or I will report you.",
        "I'm not going to answer your calls any more. Leave me alone.",
        "I have blocked you everywhere. Do not make new accounts to reach me.",
        "Ich werde nicht mehr antworten. Hör auf, mich zu kontaktieren.",
        "No voy a contestarte. Deja de escribirme, te he bloqueado.",
        "Je ne répondrai plus. Arrête de m'écrire, je t'ai bloqué.",
    ],
)
def test_a_firm_reply_is_not_a_demand_or_a_new_account(rules: RuleSet, reply: str) -> None:
    assert not tactics_of(reply, rules) & HELD_BACK


@pytest.mark.parametrize(
    ("message", "tactic"),
    [
        ("Stop ignoring me and pick up the phone.", "demand_to_meet_or_respond"),
        ("Don't block me again. Pick up the phone!", "demand_to_meet_or_respond"),
        ("Please don't leave me alone like this, I'm begging you.", "pleading"),
        ("Blocked me again? New number. You can't block me forever.", "new_account"),
        ("I'll kill you if you go near him again.", "threat"),
        (
            "Hallo, hier ist die neue Nummer von Daniel. Die alte ist ja blockiert. Speicher sie ein.",
            "new_account",
        ),
    ],
)
def test_the_same_words_from_a_respondent_still_count(rules: RuleSet, message: str, tactic: str) -> None:
    assert tactic in tactics_of(message, rules)


@pytest.mark.parametrize(
    ("message", "tactic"),
    [
        ("I'll kill you at squash tomorrow, loser buys the drinks", "threat"),
        ("gonna destroy you at bowling tonight", "threat"),
        ("Je vais te tuer au tennis samedi", "threat"),
        ("It's Mark, I'm on my brother's phone, mine died. Pick you up at 7?", "new_account"),
        ("Hi it's Jenny, got a new phone, this is my number now, save it", "new_account"),
        ("Call me when you're home x", "demand_to_meet_or_respond"),
        ("Come back before I do something stupid.", "threat"),
        ("Ich tu mir was an, wenn du nicht zurückkommst.", "threat"),
        ("I would never hurt you, you know that.", "threat"),
        ("I don't think you're a bad mother at all.", "insult"),
        ("I'm not begging.", "pleading"),
        ("Could you please send me the school forms?", "pleading"),
        ("Sehr geehrte Frau Müller, bitte melden Sie sich bis Freitag bezüglich des Termins.", "pleading"),
    ],
)
def test_ordinary_messages_are_held_back(rules: RuleSet, message: str, tactic: str) -> None:
    assert tactic not in tactics_of(message, rules)


GUARDED = """
[tactics.demand]
description = "demands"
[[tactics.demand.rules]]
id = "demand.test"
description = "a test rule"
phrases = ["call me"]

[guards.reply]
description = "a firm reply"
patterns = ['stop\\s+calling\\s+me']
tactics = ["demand"]
"""


def _folder(tmp_path: Path, text: str) -> Path:
    folder = tmp_path / "r"
    folder.mkdir()
    (folder / "x.toml").write_text(text, encoding="utf-8")
    return folder


def test_a_guard_of_a_custom_folder_holds_back_its_tactics(tmp_path: Path) -> None:
    custom = load_rules(_folder(tmp_path, GUARDED))
    assert [g.id for g in custom.guards] == ["guard.*.reply"]
    assert [t.tactic for t in tag_with(custom, "Call me now")] == ["demand"]
    assert tag_with(custom, "Stop calling me. Do not call me again.") == []
    assert [t.words for t in tag_with(custom.rules, "Stop calling me. Call me never.")] == ["Call me"]


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        (
            GUARDED.replace('tactics = ["demand"]', 'tactics = ["threat"]'),
            "names tactics no rules file describes",
        ),
        (GUARDED.replace('tactics = ["demand"]', ""), "guard 'reply': needs 'patterns' and 'tactics'"),
        (GUARDED.replace('description = "a firm reply"', ""), "guard 'reply': needs a description"),
        (
            GUARDED.replace('tactics = ["demand"]', 'tactic = ["demand"]'),
            "guard 'reply': unknown keys tactic",
        ),
        (GUARDED.replace("stop\\s+calling\\s+me", "(unclosed"), "bad regular expression"),
    ],
)
def test_a_broken_guard_names_the_problem(tmp_path: Path, body: str, expected: str) -> None:
    folder = _folder(tmp_path, body)
    with pytest.raises(UsageError) as info:
        load_rules(folder)
    assert expected in info.value.message
    assert info.value.path == str(folder / "x.toml")
