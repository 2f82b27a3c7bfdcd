"""Tactic tagging beyond English and beyond the first rules (issue 17): the language read per message, the
German, Spanish and French rules, the guards for reported speech, and the held-out figures of every set."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from evidence.analysis._tactic_lang import LANGUAGES, candidate_languages, detect_language
from evidence.analysis._tactic_rules import required_strings, word_spans
from evidence.analysis.tactics import TACTICS, RuleSet, guarded, load_rules, tactics_of, tag

DATA = Path(__file__).resolve().parent.parent / "data" / "tactics"
RESULTS = Path(__file__).resolve().parent.parent.parent / "bench" / "RESULTS.md"
MARGIN = 0.02


@pytest.fixture(scope="module")
def rules() -> RuleSet:
    return load_rules()


def _rows(name: str) -> list[dict[str, object]]:
    lines = (DATA / name).read_text(encoding="utf-8").splitlines()
    return [json.loads(line) for line in lines if line.strip()]


def test_the_corpus_is_large_varied_and_well_formed() -> None:
    rows = [row for lang in LANGUAGES for row in _rows(f"corpus_{lang}.jsonl")]
    assert len(rows) >= 1400
    assert len({r["id"] for r in rows}) == len(rows)
    for row in rows:
        labels = row["tactics"]
        assert isinstance(labels, list) and set(labels) <= set(TACTICS), row["id"]
        assert row["split"] in ("train", "test") and row["lang"] in LANGUAGES, row["id"]
    for lang in LANGUAGES:
        mine = [r for r in rows if r["lang"] == lang]
        assert sum(1 for r in mine if not r["tactics"]) >= 25, lang  # ordinary messages and traps
        for tactic in TACTICS:
            assert sum(1 for r in mine if tactic in r["tactics"]) >= 8, (lang, tactic)
        test = [r for r in mine if r["split"] == "test"]
        assert 0.12 <= len(test) / len(mine) <= 0.28, lang  # about a fifth held out, by a hash of the id


@pytest.mark.parametrize("lang", LANGUAGES)
def test_the_language_is_detected_per_message(lang: str) -> None:
    rows = _rows(f"corpus_{lang}.jsonl")
    right = sum(1 for r in rows if detect_language(str(r["text"])) == lang)
    assert right / len(rows) >= 0.93, lang
    # When the function words tie, every language in the tie is read (a short French message can look Spanish).
    wrong = [str(r["text"]) for r in rows if lang not in candidate_languages(str(r["text"]))]
    assert len(wrong) / len(rows) <= 0.05, wrong


def test_language_detection_is_cheap_and_deterministic() -> None:
    assert detect_language("ok") == "en" and candidate_languages("12:30") == ("en",)
    assert detect_language("Ich weiß, wo du wohnst.") == "de"
    assert detect_language("¿Por qué no me contestas?") == "es"
    assert detect_language("Pourquoi tu ne réponds pas ?") == "fr"
    assert candidate_languages("Ouvre la porte.") == candidate_languages("Ouvre la porte.")


# (language, a message showing the tactic, a trap that must not get it)
EXAMPLES = [
    ("threat", "Ich mache dein Leben zur Hölle.", "Der Verkehr bringt mich um, bin gleich da."),
    ("threat", "Te vas a arrepentir de esto.", "Mataría por un café ahora mismo."),
    ("threat", "Tu vas le regretter, crois-moi.", "Je tuerais pour un café."),
    ("insult", "Du bist so erbärmlich.", "Ich bin so ein Idiot, Schlüssel vergessen."),
    ("insult", "Eres una inútil.", "Soy tan idiota, me he dejado las llaves."),
    ("love_bombing", "Je t'aime, tu es l'amour de ma vie.", "Je t'aime maman, à dimanche !"),
    ("pleading", "Bitte, ich flehe dich an, gib mir noch eine Chance.", "Bitte schick mir die Rechnung."),
    ("smear", "Voy a contarle a todo el mundo lo que hiciste.", "¡Les he contado a todos que nos casamos!"),
    ("third_party_contact", "J'ai parlé à ta sœur hier soir.", "Dis bon anniversaire à ta mère de ma part !"),
    (
        "new_account",
        "Du hast mich blockiert, also schreibe ich von einer neuen Nummer.",
        "Neue Nummer! Hier ist Tom.",
    ),
    ("demand_to_meet_or_respond", "¡Contéstame ahora mismo!", "Llámame cuando puedas, es por la caldera."),
    ("monitoring", "Je t'ai vue hier avec lui.", "Je t'ai vu à la télé, génial !"),
]


@pytest.mark.parametrize(("tactic", "positive", "trap"), EXAMPLES)
def test_other_languages_positive_and_trap(rules: RuleSet, tactic: str, positive: str, trap: str) -> None:
    assert tactic in tactics_of(positive, rules)
    assert tactic not in tactics_of(trap, rules)


@pytest.mark.parametrize(
    ("text", "tactic"),
    [
        ("I know where you live.", "threat"),  # the two misses
        ("Don't make me do this the hard way.", "threat"),
        ("You're playing with fire.", "threat"),
        ("How do you sleep at night?", "guilt_tripping"),
        ("Your boss is going to get a very interesting email tomorrow.", "smear"),
        ("You were online at 3am. Who were you talking to?", "monitoring"),
    ],
)
def test_phrasings_the_first_rules_missed(rules: RuleSet, text: str, tactic: str) -> None:
    assert tactic in tactics_of(text, rules)


@pytest.mark.parametrize(
    "text",
    [
        "Take it down, it's embarrassing.",  # a friend's request, once suggested as smear
        "Oh great, love you too lol",  # sarcasm, once suggested as love-bombing
        "I've changed the bins day to Thursday, council letter came.",
        "Dude I'm gonna destroy you at chess tonight",
        "Please stop contacting me. I have nothing more to say.",  # the owner's own firm reply, forwarded
    ],
)
def test_ordinary_words_get_no_tag(rules: RuleSet, text: str) -> None:
    assert tag(text, rules) == []


def test_reported_speech_is_not_the_senders_tactic(rules: RuleSet) -> None:
    reported = "He said he'd kill me if I left. I'm scared, can I stay at yours tonight?"
    assert "threat" not in tactics_of(reported, rules)
    quoted = "My ex texted me \"you'll regret this\" again today. I've screenshotted it."
    assert "threat" not in tactics_of(quoted, rules)
    assert guarded(quoted) == [(quoted.index("texted"), quoted.index(" again"))]
    # The same words, sent: suggested, on the words that triggered it.
    sent = "You'll regret this."
    hits = [t for t in tag(sent, rules) if t.tactic == "threat"]
    assert hits and all(sent[t.start : t.end] == t.words and "regret" in t.words for t in hits)


def test_every_rule_id_is_unique_and_names_its_language(rules: RuleSet) -> None:
    for rule in rules.matching:
        assert rule.language in LANGUAGES, rule.id
        if rule.language != "en":
            assert rule.id.startswith(rule.language + "."), rule.id
    assert {r.language for r in rules.matching} == set(LANGUAGES)
    assert rules.descriptions["threat"].startswith("Threat of violence")  # English descriptions are shown


def test_the_shortcuts_never_change_a_match(rules: RuleSet) -> None:
    # (1) A trigger is searched only when one of the strings it needs is in the text (and one of each other set it
    # requires), and (2) it is searched as a lower-case pattern whose left word boundary is checked afterwards.
    # Over every labelled message of the rule's language: (1) never skips a text the trigger matches, (2) finds
    # exactly the spans the trigger finds.
    texts = [
        str(r["text"]).replace("\u2019", "'")
        for path in sorted(DATA.glob("*.jsonl"))
        for r in _rows(path.name)
    ]
    by_language = {lang: [t for t in texts if lang in candidate_languages(t)] for lang in LANGUAGES}
    checked = 0
    for rule in rules.matching:
        for trigger, needs, fast, requires in zip(
            rule.triggers, rule.needs, rule.fast, rule.requires, strict=True
        ):
            assert fast is not None, (rule.id, trigger.pattern)
            for text in by_language.get(rule.language, texts):
                spans = [m.span() for m in trigger.finditer(text) if m.end() > m.start()]
                assert word_spans(fast, text.lower()) == spans, (rule.id, trigger.pattern, text)
                if spans:
                    checked += 1
                    assert all(any(w in text.lower() for w in s) for s in requires), (rule.id, text)
                    assert needs is None or any(w in text.lower() for w in needs), (
                        rule.id,
                        trigger.pattern,
                        text,
                    )
    assert checked > 2000


def _recorded(label: str) -> float:
    found = re.search(rf"{re.escape(label)} macro F1 \*\*([0-9.]+)\*\*", RESULTS.read_text(encoding="utf-8"))
    assert found, label
    return float(found.group(1))


def _macro_f1(rows: list[dict[str, object]], rules: RuleSet) -> float:
    f1s = []
    for tactic in TACTICS:
        tp = fp = fn = 0
        for row in rows:
            found, gold = tactic in tactics_of(str(row["text"]), rules), tactic in list(row["tactics"])  # type: ignore[call-overload]
            tp += found and gold
            fp += found and not gold
            fn += gold and not found
        if tp + fp + fn:
            f1s.append(2 * tp / (2 * tp + fp + fn))
    return sum(f1s) / len(f1s)


@pytest.mark.parametrize(
    ("name", "label"),
    [
        *[(f"corpus_{lang}.jsonl", f"Corpus held-out ({lang})") for lang in LANGUAGES],
        # written by someone else, from the definitions only
        *[(f"defwritten_{lang}.jsonl", f"Defwritten held-out ({lang})") for lang in LANGUAGES],
        # written by a second writer, from the definitions only (issue 17, second batch)
        *[(f"defwritten2_{lang}.jsonl", f"Defwritten2 held-out ({lang})") for lang in LANGUAGES],
    ],
)
def test_held_out_figures_do_not_drop(rules: RuleSet, name: str, label: str) -> None:
    rows = [r for r in _rows(name) if r["split"] == "test"]
    assert len(rows) >= 35
    assert _macro_f1(rows, rules) >= _recorded(label) - MARGIN


def test_every_part_a_trigger_needs_is_required() -> None:
    # Each part of a sequence is needed (literal runs, groups, repeats of one or more, alternations whose every
    # branch needs a string); optional parts, look-arounds and strings under three letters are not.
    pattern = r"(?<!\w)(?:please\s+(?:just\s+)?(?:talk|answer)\s+me|ok)(?!\w)"
    assert required_strings(pattern) == ()  # "ok" is a branch needing nothing of three letters
    pattern = r"(?<!\w)(?:please\s+(?:just\s+)?(?:talk|answer)(?:\s+now)+)(?!\w)"
    assert required_strings(pattern) == (
        frozenset({"please"}),
        frozenset({"talk", "answer"}),
        frozenset({"now"}),
    )
