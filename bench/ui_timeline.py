"""The app's timeline screen: how long its view takes (``evidence.ui.timeline_screen.timeline_view``: the filters,
the 500 rows shown with their tactics, the per-day chart's counts) on a case of N generated SMS.

    .venv/bin/python bench/ui_timeline.py [--sms 20000] [--runs 3] [--case CASE]

Generates (seeded) an SMS Backup & Restore file of ``--sms`` messages (``bench/import_speed.make_sms_xml``) and
imports it into a new plain case, unless ``--case`` names one made before; then times the view for each filter
below (the median of ``--runs`` calls in this process, after one call to warm it), beside the anchor: reading the
timeline alone (``Case.timeline_stream``), which every view of it does. Prints Markdown rows for
``bench/RESULTS.md``.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))

from import_speed import make_sms_xml  # noqa: E402

FILTERS: tuple[dict[str, str], ...] = (
    {},
    {"direction": "incoming"},
    {"q": "tomorrow"},
    {"since": "2024-03-01", "until": "2024-03-31"},
    {"tactic": "threat", "confirmed": "1"},
    {"since": "2024-03-01", "until": "2024-03-31", "tactic": "threat"},
    {"tactic": "threat"},
)


def median_seconds(call: Callable[[], Any], runs: int) -> str:
    """The median wall and CPU seconds of ``runs`` calls of ``call``, after one call not counted: "4.45 (1.90
    CPU)" (the CPU time of this process says more than the wall time on a busy machine)."""
    call()
    walls, cpus = [], []
    for _ in range(runs):
        wall, cpu = time.perf_counter(), time.process_time()
        call()
        walls.append(time.perf_counter() - wall)
        cpus.append(time.process_time() - cpu)
    return f"{statistics.median(walls):.2f} ({statistics.median(cpus):.2f} CPU)"


def main() -> None:
    """Make (or take) the case, time each filter, print the rows."""
    from evidence.api import Case
    from evidence.ui.timeline_screen import timeline_view

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sms", type=int, default=20_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--case", type=Path)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        root = args.case
        if root is None:
            source = Path(tmp) / "sms.xml"
            make_sms_xml(source, args.sms, seed=100)
            root = Path(tmp) / "case"
            with Case.init(
                root, title="Bench", tz="Europe/London", no_contact_since=date(2024, 3, 1)
            ) as case:
                case.import_files([source])

        def stream() -> None:
            with Case.open(root, readonly=True) as case:
                for _ in case.timeline_stream():
                    pass

        print("| view | seconds, median: wall (CPU) | what it shows |")
        print("|---|---:|---|")
        print(f"| reading the timeline alone (anchor) | {median_seconds(stream, args.runs)} | |")
        for query in FILTERS:
            shown: dict[str, Any] = {}

            def view(query: dict[str, str] = query, shown: dict[str, Any] = shown) -> None:
                shown.update(timeline_view(root, None, query))

            seconds = median_seconds(view, args.runs)
            bursts = len(shown["chart"]["bursts"]) if shown["chart"] else 0
            label = " ".join(f"{k}={v}" for k, v in query.items()) or "no filter"
            print(
                f"| {label} | {seconds} | {shown['summary']} {shown['attempts']} attempts, {bursts} bursts listed |"
            )


if __name__ == "__main__":
    main()
