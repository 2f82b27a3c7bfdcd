"""The app's People, Review tactics and Diary screens on a big case: the time of each screen's library calls.

    .venv/bin/python bench/ui_casework.py [--sms N] [--runs R]

An encrypted case (passphrase stretching at ``vault.TEST_COST``: the unlock is not what is measured) gets one
import of ``bench/import_speed.make_sms_xml`` (N messages, seeded) and 20 diary entries typed with
``add_diary_entry``; then, in this process, each screen's view function (``evidence.ui.casework_views``, what
the page handler runs in its worker thread, without the HTML): the review queue's first page (the rules read
every message), one decision (``review_tag``), People's first page (every record's parties counted), then R
runs each of People's and the review queue's next pages (the counts and suggestions kept in a
``SightingsMemo`` and a ``SuggestionMemo``) and Diary. Prints the median of the R runs and each run.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.import_speed import make_sms_xml
from evidence.actions.casework import SightingsMemo, SuggestionMemo
from evidence.api import Case
from evidence.case.vault import TEST_COST
from evidence.ui import casework_views as views

PASSPHRASE = "bench ui casework words"


def _timed(fn: Callable[[], Any]) -> tuple[float, Any]:
    start = time.monotonic()
    out = fn()
    return time.monotonic() - start, out


def main() -> None:
    """Build the case, time the screens, print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sms", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "case"
        xml = Path(tmp) / "sms.xml"
        make_sms_xml(xml, args.sms)
        start = time.monotonic()
        with Case.init(
            root, title="bench", tz="Europe/London", passphrase=PASSPHRASE, encrypted=True, cost=TEST_COST
        ) as case:
            case.import_files([xml])
            for day in range(1, 21):
                case.add_diary_entry(when=f"2024-02-{day:02d} 10:00", text=f"entry {day}")
            keys = case.keys
        print(f"case of {args.sms} SMS and 20 diary entries built in {time.monotonic() - start:.1f} s")
        memo = SuggestionMemo()
        seconds, first = _timed(lambda: views.review_view(root, keys, "", memo))
        print(
            f"review, first page (every message read by the rules): {seconds:.2f} s; {first['waiting_count']} waiting"
        )
        key = first["current"]["key"]
        seconds, _ = _timed(lambda: views.decide(root, keys, {"key": key, "decision": "rejected"}))
        print(f"one decision (review_tag): {seconds:.2f} s")
        people = SightingsMemo()
        seconds, _ = _timed(lambda: views.people_view(root, keys, people))
        print(f"people, first page (every record's parties counted): {seconds:.2f} s")
        screens: list[tuple[str, Callable[[], Any]]] = [
            ("people, next pages", lambda: views.people_view(root, keys, people)),
            ("review, next pages", lambda: views.review_view(root, keys, "", memo)),
            ("diary", lambda: views.diary_view(root, keys)),
        ]
        for name, fn in screens:
            runs = [_timed(fn)[0] for _ in range(args.runs)]
            each = ", ".join(f"{r:.2f}" for r in runs)
            print(f"{name}: median {statistics.median(runs):.2f} s ({each})")


if __name__ == "__main__":
    main()
