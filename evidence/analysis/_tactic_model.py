"""The trained part of the tactic tagger: a small linear model over a message's words, read from a JSON file.

Format (``templates/tactics/model.json``, written by ``bench/train_tactics.py``): ``version``, ``tactics`` (the
order of every weight list), ``bias`` and ``threshold`` (one number per tactic) and ``weights`` (feature -> one
weight per tactic). A feature is a word (``w:threat``), the first five letters of a longer word (``p:threa``), or
two neighbouring words (``b:where_you``) after
:func:`tokens` normalised them: lower case, accents and apostrophes dropped, a few texting spellings read as the
word (``u`` as ``you``). The score of a tactic is the logistic of the bias plus the weights of the features the
message has (each counted once); the tactic is suggested when it reaches the tactic's threshold.

Every suggestion explains itself by the feature that pushed hardest towards it: :meth:`LinearModel.predict`
returns its start and end in the text, so the timeline can show the words, as it does for a rule.

Known limits: it sees single words and pairs, so it cannot tell who did what to whom beyond that ("he said he'd
kill me" and "I'll kill you" share "kill"); that is what the guards in ``tactics.py`` and the thresholds are for.
Pure Python, no dependencies: about 20 microseconds a message.
"""

from __future__ import annotations

import hashlib
import json
import math
import operator
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from evidence.errors import UsageError

_TOKEN = re.compile(r"[^\W_]+(?:['\u2019\u02bc][^\W_]+)*")
# Texting spellings read as the word they stand for (only forms that are not words of their own).
_SPELLINGS = {
    "u": "you",
    "ya": "you",
    "yu": "you",
    "ur": "your",
    "youre": "your",
    "r": "are",
    "pls": "please",
    "plz": "please",
    "plse": "please",
    "luv": "love",
    "wiv": "with",
    "wit": "with",
    "cuz": "because",
    "coz": "because",
    "bc": "because",
    "gonna": "going",
    "wanna": "want",
    "tho": "though",
    "ppl": "people",
    "txt": "text",
    "msg": "message",
    "bf": "boyfriend",
    "gf": "girlfriend",
    "pq": "porque",
    "xq": "porque",
    "tmb": "tambien",
}


def _fold(word: str) -> str:
    lower = word.lower()
    if lower.isascii():
        return lower.replace("'", "")  # the only other character a token can hold
    plain = unicodedata.normalize("NFKD", lower)
    return "".join(c for c in plain if c.isalnum())


def tokens(text: str) -> list[tuple[str, int, int]]:
    """The words of ``text``, normalised, each with its start and end offsets in ``text``."""
    found = []
    for match in _TOKEN.finditer(text):
        word = _fold(match.group())
        if word:
            found.append((_SPELLINGS.get(word, word), match.start(), match.end()))
    return found


def features(words: list[tuple[str, int, int]]) -> dict[str, tuple[int, int]]:
    """The features of a message's words, each with the span of its first occurrence."""
    found: dict[str, tuple[int, int]] = {}
    for index in range(len(words) - 1, -1, -1):  # backwards: the first occurrence is written last
        word, start, end = words[index]
        found["w:" + word] = (start, end)
        if len(word) > 5:
            found["p:" + word[:5]] = (start, end)  # the word's stem, roughly: threaten, threatening
        if index:
            before = words[index - 1]
            found[f"b:{before[0]}_{word}"] = (before[1], end)
    return found


@dataclass(frozen=True)
class Prediction:
    """One tactic the model suggests: its score, and the feature and span that pushed hardest towards it."""

    tactic: str
    score: float
    feature: str
    start: int
    end: int


@dataclass(frozen=True)
class LinearModel:
    """The weights of the model, loaded; :meth:`predict` is the whole of its use."""

    version: str
    sha256: str
    tactics: tuple[str, ...]
    bias: tuple[float, ...]
    threshold: tuple[float, ...]
    weights: dict[str, tuple[float, ...]]
    source: str

    def scores(self, found: dict[str, tuple[int, int]]) -> list[float]:
        """The probability of each tactic (in :attr:`tactics` order) given a message's features."""
        totals: list[float] = list(self.bias)
        for feature in found:
            weights = self.weights.get(feature)
            if weights is not None:
                totals = list(map(operator.add, totals, weights))
        return [1.0 / (1.0 + math.exp(-max(-30.0, min(30.0, total)))) for total in totals]

    def predict(self, found: dict[str, tuple[int, int]]) -> list[Prediction]:
        """The tactics whose score reaches their threshold, each explained by its strongest feature."""
        predictions = []
        for index, score in enumerate(self.scores(found)):
            if score < self.threshold[index]:
                continue
            # The explanation: the feature weighing most towards the tactic, a word pair or a word of three
            # letters or more (a bare "I" or "u" explains nothing to a reader).
            present = [(self.weights[f][index], f) for f in found if f in self.weights and _telling(f)]
            weight, feature = max(present, default=(0.0, ""))
            if weight <= 0:
                continue  # the bias alone never makes a suggestion
            start, end = found[feature]
            predictions.append(Prediction(self.tactics[index], score, feature, start, end))
        return predictions


def _telling(feature: str) -> bool:
    return feature.startswith("b:") or len(feature) >= 5  # "w:" and three letters


def load_model(path: Path) -> LinearModel:
    """The model in ``path``; UsageError naming the file and the problem when it is not a model."""
    try:
        raw = path.read_bytes()
        data = json.loads(raw)
        tactics = tuple(str(t) for t in data["tactics"])
        n = len(tactics)
        weights = {str(k): tuple(float(x) for x in v) for k, v in data["weights"].items()}
        model = LinearModel(
            version=str(data["version"]),
            sha256=hashlib.sha256(raw).hexdigest(),
            tactics=tactics,
            bias=tuple(float(data["bias"][t]) for t in tactics),
            threshold=tuple(float(data["threshold"][t]) for t in tactics),
            weights=weights,
            source=str(path),
        )
    except (OSError, ValueError, KeyError, TypeError, AttributeError) as exc:
        raise UsageError(f"not a tactic model ({type(exc).__name__}: {exc})", path=path) from None
    if not n or any(len(w) != n for w in weights.values()):
        raise UsageError("not a tactic model (a weight list is not one number per tactic)", path=path)
    if not re.fullmatch(r"[a-z0-9_]+", model.version):
        raise UsageError(
            f"not a tactic model (version {model.version!r} is not lower-case letters, digits, _)", path=path
        )
    return model
