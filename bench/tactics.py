"""Precision, recall and F1 of the tactic rules on the labelled set (tests/data/tactics/labelled.jsonl).

Usage: ``.venv/bin/python bench/tactics.py [--split heldout|dev|all] [--errors]``. Prints a Markdown table per
split: per tactic, precision, recall and F1 over messages (a message counts once per tactic), and the macro F1
(the mean of the per-tactic F1s). The held-out split was written before any rule and is never tuned on.
"""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from evidence.analysis.tactics import TACTICS, RuleSet, load_rules, tactics_of  # noqa: E402

LABELLED = ROOT / "tests" / "data" / "tactics" / "labelled.jsonl"


@dataclass(frozen=True)
class Score:
    """Counts and figures of one tactic."""

    tactic: str
    tp: int
    fp: int
    fn: int

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0


def examples(split: str, path: Path = LABELLED) -> list[dict[str, object]]:
    """The labelled messages of ``split`` (``all`` for every one)."""
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    return [row for row in rows if split == "all" or row["split"] == split]


def score(rows: list[dict[str, object]], rules: RuleSet) -> list[Score]:
    """Per-tactic counts of the rules' tags against the labels."""
    counts = {t: [0, 0, 0] for t in TACTICS}
    for row in rows:
        text = row["text"]
        labels = row["tactics"]
        assert isinstance(text, str) and isinstance(labels, list)
        gold = set(labels)
        found = tactics_of(text, rules)
        for tactic in TACTICS:
            if tactic in found and tactic in gold:
                counts[tactic][0] += 1
            elif tactic in found:
                counts[tactic][1] += 1
            elif tactic in gold:
                counts[tactic][2] += 1
    return [Score(t, *counts[t]) for t in TACTICS]


def macro_f1(scores: list[Score]) -> float:
    """The mean F1 over the tactics."""
    return sum(s.f1 for s in scores) / len(scores)


def table(scores: list[Score]) -> str:
    """The scores as a Markdown table."""
    lines = [
        "| tactic | support | TP | FP | FN | precision | recall | F1 |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for s in scores:
        lines.append(
            f"| {s.tactic} | {s.tp + s.fn} | {s.tp} | {s.fp} | {s.fn} | {s.precision:.2f} | {s.recall:.2f} | {s.f1:.2f} |"
        )
    lines.append(f"| **macro F1** | | | | | | | **{macro_f1(scores):.3f}** |")
    return "\n".join(lines)


def main() -> None:
    """Print the tables (and, with --errors, every message the rules get wrong)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--split", choices=("heldout", "dev", "all", "both"), default="both")
    parser.add_argument("--errors", action="store_true", help="list the misses and false alarms")
    args = parser.parse_args()
    rules = load_rules()
    splits = ("heldout", "dev") if args.split == "both" else (args.split,)
    for split in splits:
        rows = examples(split)
        print(f"### {split} ({len(rows)} messages)\n")
        print(table(score(rows, rules)))
        print()
        if args.errors:
            for row in rows:
                text = row["text"]
                assert isinstance(text, str) and isinstance(row["tactics"], list)
                found, gold = tactics_of(text, rules), set(row["tactics"])
                if found != gold:
                    print(
                        f"- {row['id']}: {text!r} missed={sorted(gold - found)} extra={sorted(found - gold)}"
                    )
            print()


if __name__ == "__main__":
    main()
