"""OCR accuracy benchmark (issue #4): ``evidence.ocr.layout.analyse`` against ground truth, by category.

    .venv/bin/python bench/ocr_accuracy.py [--per-category 10] [--seed 0 --seed 11 --seed 29]
                                           [--heldout-seed 37]
                                           [--strict] [--write] [--keep DIR]

Generates synthetic screenshots with exact ground truth (``tests/ocr/synth.py``: chats light and dark, email,
call lists, JPEG and scaled copies of chats) in a temporary folder, runs ``analyse`` on each and, as the anchor,
plain ``tesseract IMAGE -`` over the whole image (full text only), and prints a Markdown table by category:

- full-text CER, ours and the baseline's: Levenshtein distance over the truth's length, whitespace runs
  collapsed to one space first (the truth's full text is every string drawn, top to bottom);
- per-message CER: the same summed over the messages matched to a truth message (a found message's text
  against the truth's bubble text, call-row name, or email subject + snippet / body);
- found: truth messages matched by a message of ``analyse`` (one to one, greedily by box overlap: IoU at least
  0.5, or the found box's centre inside the truth box);
- direction, time and fields: among matched messages, the share whose direction is right, whose shown time
  equals the truth's (messages showing a time only), and whose sender / call / count equal the truth's;
- header: the share of screens whose header equals the truth's; seconds per image: ``analyse``'s wall time.

Two sets are scored and reported apart: *tuning* seeds (screens whose failures were looked at while the layout
rules were written) and *held-out* seeds (never looked at before the run; the figures that count). Once a
held-out seed's failures have been looked at, it becomes a tuning seed and a new held-out seed is chosen.

Tesseract runs with ``OMP_THREAD_LIMIT=1``, one image at a time. ``--strict`` exits 1 when a target of the issue
is missed (message CER at most 1 % in every category, at least 98 % of messages found, direction right for at
least 98 %). ``--write`` puts the table into bench/RESULTS.md under "OCR accuracy". ``--adapter lines`` scores a
trivial stand-in (whole-image tesseract lines as messages) instead of ``analyse``, to check the harness itself.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import re
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final

ROOT: Final = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from PIL import Image  # noqa: E402

from evidence.ocr.layout import Layout, Message  # noqa: E402
from evidence.ocr.tesseract import Settings, recognise  # noqa: E402
from tests.ocr.synth import CATEGORIES, generate, load_truth  # noqa: E402

TARGET_MESSAGE_CER_PERMILLE: Final = 10
TARGET_FOUND_PERMILLE: Final = 980
TARGET_DIRECTION_PERMILLE: Final = 980
RESULTS: Final = ROOT / "bench" / "RESULTS.md"
SECTION: Final = "## OCR accuracy"
# Seed 11 was first used as a held-out set, then its failures were looked at: it became a tuning seed and
# seed 29 the held-out one. Seed 29's scaled screens missed the CER target and their failures were looked at
# in turn (a WhatsApp time read "1857"): 29 became a tuning seed and 37, never looked at, the held-out one.
DEFAULT_TUNING: Final = (0, 11, 29)
DEFAULT_HELDOUT: Final = (37,)

Box = tuple[int, int, int, int]


# --- scoring (pure functions; tests/ocr/test_scoring.py) ---------------------------------------------------


def normalise(text: str) -> str:
    """Whitespace runs collapsed to one space, ends stripped."""
    return " ".join(text.split())


def levenshtein(a: str, b: str) -> int:
    """Edit distance (insertions, deletions, substitutions of one character each), two-row DP."""
    if len(a) < len(b):
        a, b = b, a
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, start=1):
        current = [i]
        for j, cb in enumerate(b, start=1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (ca != cb)))
        previous = current
    return previous[-1]


def distance(truth: str, got: str) -> tuple[int, int]:
    """``(edit distance, truth length)`` after whitespace normalisation."""
    t, g = normalise(truth), normalise(got)
    return levenshtein(t, g), len(t)


def cer_permille(truth: str, got: str) -> int:
    """Character error rate in thousandths (an empty truth: 0 when nothing was read, else 1000)."""
    errors, length = distance(truth, got)
    if length == 0:
        return 0 if errors == 0 else 1000
    return errors * 1000 // length


def iou_permille(a: Box, b: Box) -> int:
    """Intersection over union of two boxes, in thousandths."""
    ix = max(0, min(a[2], b[2]) - max(a[0], b[0]))
    iy = max(0, min(a[3], b[3]) - max(a[1], b[1]))
    inter = ix * iy
    union = (a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - inter
    return inter * 1000 // union if union > 0 else 0


def centre_inside(inner: Box, outer: Box) -> bool:
    """Whether the centre of ``inner`` lies in ``outer``."""
    cx, cy = (inner[0] + inner[2]) / 2, (inner[1] + inner[3]) / 2
    return outer[0] <= cx <= outer[2] and outer[1] <= cy <= outer[3]


def match(truth_boxes: Sequence[Box], found_boxes: Sequence[Box]) -> dict[int, int]:
    """One-to-one matching truth index -> found index: IoU >= 0.5 or the found centre inside the truth box.

    Greedy, best pairs first (by IoU, a centre-only pair counts with its own IoU, which may be small).
    """
    pairs: list[tuple[int, int, int]] = []
    for t, tb in enumerate(truth_boxes):
        for f, fb in enumerate(found_boxes):
            iou = iou_permille(tb, fb)
            if iou >= 500 or centre_inside(fb, tb):
                pairs.append((iou, t, f))
    pairs.sort(key=lambda p: (-p[0], p[1], p[2]))
    chosen: dict[int, int] = {}
    used: set[int] = set()
    for _, t, f in pairs:
        if t not in chosen and f not in used:
            chosen[t] = f
            used.add(f)
    return chosen


@dataclass
class Tally:
    """Sums over the images of one category (integers; ratios are made when printing)."""

    images: int = 0
    full_errors: int = 0
    full_length: int = 0
    base_errors: int = 0
    base_length: int = 0
    msg_errors: int = 0
    msg_length: int = 0
    expected: int = 0
    found: int = 0
    direction_ok: int = 0
    timed: int = 0
    time_ok: int = 0
    fields: int = 0
    fields_ok: int = 0
    header_ok: int = 0
    seconds: float = 0.0
    misses: list[str] = field(default_factory=list)

    def add(self, other: Tally) -> None:
        """Add ``other``'s sums to these."""
        for name in self.__dataclass_fields__:
            if name == "misses":
                self.misses.extend(other.misses)
            else:
                setattr(self, name, getattr(self, name) + getattr(other, name))


def score(truth: dict[str, Any], layout: Layout, baseline_text: str | None = None, name: str = "") -> Tally:
    """Score one ``analyse`` result (and optionally the baseline's full text) against ground truth."""
    tally = Tally(images=1)
    tally.full_errors, tally.full_length = distance(truth["text"], layout.text)
    if baseline_text is not None:
        tally.base_errors, tally.base_length = distance(truth["text"], baseline_text)
    expected: list[dict[str, Any]] = truth["messages"]
    messages: tuple[Message, ...] = layout.messages
    truth_boxes: list[Box] = [(m["bbox"][0], m["bbox"][1], m["bbox"][2], m["bbox"][3]) for m in expected]
    pairs = match(truth_boxes, [m.bbox for m in messages])
    tally.expected = len(expected)
    tally.found = len(pairs)
    for t, f in pairs.items():
        want, got = expected[t], messages[f]
        errors, length = distance(want["text"], got.text)
        tally.msg_errors += errors
        tally.msg_length += length
        if errors and len(tally.misses) < 3:
            tally.misses.append(f"{name}: {normalise(want['text'])!r} read {normalise(got.text)!r}")
        tally.direction_ok += got.direction == want["direction"]
        if want["shown_time"]:
            tally.timed += 1
            tally.time_ok += normalise(got.shown_time or "") == normalise(want["shown_time"])
        if truth["kind"] in ("call_list", "email_list", "email"):
            tally.fields += 1
            tally.fields_ok += (
                normalise(got.sender or "") == normalise(want["sender"] or "")
                and got.call == want["call"]
                and got.count == want["count"]
            )
    tally.header_ok = int(normalise(layout.header or "") == normalise(truth["header"] or ""))
    return tally


def ratio(numerator: int, denominator: int) -> str:
    """A percentage with one decimal, or a dash when there is nothing to divide."""
    if denominator == 0:
        return "-"
    return f"{numerator * 100 / denominator:.1f}%"


def table(tallies: dict[str, Tally]) -> str:
    """The Markdown table, one row per category and one for all."""
    lines = [
        "| category | images | full-text CER | baseline full-text CER | message CER | messages found "
        "| direction | time read | fields | header | s/image |",
        "|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    total = Tally()
    for category, tally in tallies.items():
        total.add(tally)
        lines.append(row(category, tally))
    lines.append(row("**all**", total))
    return "\n".join(lines)


def row(label: str, t: Tally) -> str:
    """One table row."""
    return (
        f"| {label} | {t.images} | {ratio(t.full_errors, t.full_length)} | {ratio(t.base_errors, t.base_length)} "
        f"| {ratio(t.msg_errors, t.msg_length)} | {t.found}/{t.expected} ({ratio(t.found, t.expected)}) "
        f"| {ratio(t.direction_ok, t.found)} | {ratio(t.time_ok, t.timed)} | {ratio(t.fields_ok, t.fields)} "
        f"| {ratio(t.header_ok, t.images)} | {t.seconds / max(1, t.images):.2f} |"
    )


def missed_targets(tallies: dict[str, Tally]) -> list[str]:
    """The issue's targets this run missed, one line each."""
    missed: list[str] = []
    total = Tally()
    for category, t in tallies.items():
        total.add(t)
        if t.msg_length == 0 or t.msg_errors * 1000 > TARGET_MESSAGE_CER_PERMILLE * t.msg_length:
            missed.append(f"{category}: message CER {ratio(t.msg_errors, t.msg_length)} > 1%")
    if total.expected == 0 or total.found * 1000 < TARGET_FOUND_PERMILLE * total.expected:
        missed.append(f"messages found {ratio(total.found, total.expected)} < 98%")
    if total.found == 0 or total.direction_ok * 1000 < TARGET_DIRECTION_PERMILLE * total.found:
        missed.append(f"direction right {ratio(total.direction_ok, total.found)} < 98%")
    return missed


# --- running ---------------------------------------------------------------------------------------------------


def baseline(image: Path) -> str:
    """Plain ``tesseract IMAGE -`` (default page segmentation, no preparation): the anchor."""
    env = dict(os.environ, OMP_THREAD_LIMIT="1")
    done = subprocess.run(
        ["tesseract", str(image), "-"], capture_output=True, env=env, check=True, timeout=300
    )
    return done.stdout.decode("utf-8", "replace")


def lines_adapter(image: Image.Image, *, name: str = "image") -> Layout:
    """A trivial stand-in for ``analyse``: whole-image tesseract, each text line one message (left half incoming)."""
    with tempfile.TemporaryDirectory(prefix="ocr-bench-") as tmp:
        path = Path(tmp) / "page.png"
        image.convert("RGB").save(path)
        result = recognise(path, Settings(psm=3), name=name)
    grouped: dict[tuple[int, int, int], list[Any]] = {}
    for word in result.words:
        grouped.setdefault((word.block, word.par, word.line), []).append(word)
    messages = []
    for words in grouped.values():
        box = (
            min(w.left for w in words),
            min(w.top for w in words),
            max(w.left + w.width for w in words),
            max(w.top + w.height for w in words),
        )
        side = "incoming" if (box[0] + box[2]) < image.width else "outgoing"
        messages.append(
            Message(direction=side, text=" ".join(w.text for w in words), shown_time=None, bbox=box)
        )
    return Layout(
        kind="unknown",
        header=None,
        messages=tuple(messages),
        text=result.text,
        words=result.words,
        settings={},
    )


def run(
    folder: Path,
    per_category: int,
    seed: int,
    adapter: Callable[..., Layout],
    *,
    verbose: bool = False,
    with_baseline: bool = True,
) -> tuple[dict[str, Tally], dict[str, Tally]]:
    """Generate the screens into ``folder``, read and score each; tallies by category and by app and theme."""
    paths = generate(folder, per_category, seed)
    tallies: dict[str, Tally] = {c: Tally(images=0) for c in CATEGORIES}
    by_app: dict[str, Tally] = {}
    for path in paths:
        truth = load_truth(path)
        with Image.open(path) as img:
            img.load()
            start = time.perf_counter()
            layout = adapter(img, name=path.name)
            elapsed = time.perf_counter() - start
        tally = score(truth, layout, baseline(path) if with_baseline else None, name=path.name)
        tally.seconds = elapsed
        tallies[truth["category"]].add(tally)
        style = truth["style"]
        app = f"{style['app']} {'dark' if style['dark'] else 'light'}"
        by_app.setdefault(app, Tally(images=0)).add(tally)
        if verbose:
            print(
                f"{path.name}: CER {ratio(tally.full_errors, tally.full_length)} (baseline "
                f"{ratio(tally.base_errors, tally.base_length)}), found {tally.found}/{tally.expected}, "
                f"{elapsed:.1f} s",
                file=sys.stderr,
            )
    return tallies, dict(sorted(by_app.items()))


def write_results(text: str) -> None:
    """Replace (or append) the "OCR accuracy" section of bench/RESULTS.md."""
    current = RESULTS.read_text(encoding="utf-8") if RESULTS.exists() else "# Benchmark results\n"
    pattern = re.compile(rf"^{re.escape(SECTION)}\n.*?(?=^## |\Z)", re.MULTILINE | re.DOTALL)
    block = f"{SECTION}\n\n{text.rstrip()}\n\n"
    if pattern.search(current):
        updated = pattern.sub(lambda _m: block, current, count=1)
    else:
        updated = current.rstrip() + "\n\n" + block
    RESULTS.write_text(updated.rstrip() + "\n", encoding="utf-8")


def run_seeds(
    seeds: Sequence[int], per_category: int, adapter: Callable[..., Layout], keep: Path | None, verbose: bool
) -> tuple[dict[str, Tally], dict[str, Tally]]:
    """``run`` over several seeds (each in its own folder), tallies summed by category and by app and theme."""
    tallies: dict[str, Tally] = {c: Tally(images=0) for c in CATEGORIES}
    by_app: dict[str, Tally] = {}
    for seed in seeds:
        with tempfile.TemporaryDirectory(prefix="ocr-bench-") as tmp:
            folder = (keep if keep else Path(tmp)) / f"seed-{seed}"
            one, apps = run(folder, per_category, seed, adapter, verbose=verbose)
        for category, tally in one.items():
            tallies[category].add(tally)
        for app, tally in apps.items():
            by_app.setdefault(app, Tally(images=0)).add(tally)
    return tallies, dict(sorted(by_app.items()))


def verdict(tallies: dict[str, Tally]) -> str:
    """One sentence: the issue's targets met, or which were missed."""
    missed = missed_targets(tallies)
    return (
        "Targets (issue #4: message CER at most 1% in every category, at least 98% of messages found, direction "
        "right for at least 98%): " + ("all met." if not missed else "missed: " + "; ".join(missed) + ".")
    )


def main(argv: Sequence[str] | None = None) -> int:
    """Command line; returns the exit status."""
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--per-category", type=int, default=10)
    parser.add_argument(
        "--seed", type=int, action="append", help="a tuning seed (repeatable; default 0, 11 and 29)"
    )
    parser.add_argument(
        "--heldout-seed",
        type=int,
        action="append",
        help=f"a held-out seed, never looked at while tuning (repeatable; default {DEFAULT_HELDOUT[0]})",
    )
    parser.add_argument("--strict", action="store_true", help="exit 1 when a target of issue #4 is missed")
    parser.add_argument("--write", action="store_true", help="record the tables in bench/RESULTS.md")
    parser.add_argument("--keep", type=Path, help="write the screenshots here instead of a temporary folder")
    parser.add_argument("--adapter", choices=("layout", "lines"), default="layout")
    parser.add_argument("--verbose", action="store_true", help="one line per image on stderr")
    args = parser.parse_args(argv)
    tuning: list[int] = args.seed if args.seed is not None else list(DEFAULT_TUNING)
    heldout: list[int] = args.heldout_seed if args.heldout_seed is not None else list(DEFAULT_HELDOUT)
    if set(tuning) & set(heldout):
        parser.error("a seed cannot be both a tuning and a held-out seed")
    os.environ["OMP_THREAD_LIMIT"] = "1"
    adapter: Callable[..., Layout] = lines_adapter
    if args.adapter == "layout":
        from evidence.ocr import layout  # imported here: the layout module is being built alongside

        adapter = layout.analyse
    started = time.perf_counter()
    tune, tune_apps = run_seeds(tuning, args.per_category, adapter, args.keep, args.verbose)
    held, held_apps = run_seeds(heldout, args.per_category, adapter, args.keep, args.verbose)
    wall = time.perf_counter() - started
    command = "bench/ocr_accuracy.py" + "".join(
        f" {a}" for a in (argv if argv is not None else sys.argv[1:]) if a != "--write"
    )
    when = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
    version = subprocess.run(["tesseract", "--version"], capture_output=True, check=True).stdout.decode()
    images = sum(t.images for t in tune.values()) + sum(t.images for t in held.values())
    both_apps = dict(tune_apps)
    for app, tally in held_apps.items():
        both_apps.setdefault(app, Tally(images=0)).add(tally)
    seeds = ", ".join(str(s) for s in heldout)
    report = (
        f"Command: `.venv/bin/python {command}` ({when}, {version.splitlines()[0]}, adapter `{args.adapter}`, "
        f"tuning seeds {', '.join(str(s) for s in tuning)}, held-out seeds {seeds}, {args.per_category} screens "
        f"a category and seed, {images} images, whole run {wall:.0f} s).\n\n"
        f"**Held-out** (seeds {seeds}: screens the layout rules were not tuned on; the figures that count):\n\n"
        f"{table(held)}\n\n{verdict(held)}\n\n"
        f"Tuning (seeds {', '.join(str(s) for s in tuning)}: screens whose failures were looked at while "
        f"writing the rules):\n\n{table(tune)}\n\n{verdict(tune)}\n\n"
        f"Both sets by app and theme (JPEG and scaled copies included):\n\n{table(dict(sorted(both_apps.items())))}"
    )
    examples = [m for t in [*held.values(), *tune.values()] for m in t.misses][:16]
    print(report)
    if examples:
        print("\nSome misread messages:\n" + "\n".join(f"- {e}" for e in examples))
    if args.write:
        write_results(report)
    return 1 if (args.strict and (missed_targets(held) or missed_targets(tune))) else 0


if __name__ == "__main__":
    raise SystemExit(main())
