"""Whole-process start-up of the CLI: ``evidence --version``, ``evidence head`` and ``evidence verify`` on a case.

Each command is run ``--runs`` times (after one run not counted) as a new process (``python -m evidence ...``,
what the console script does) and the median wall time printed, next to the anchor of the same run: ``python -c pass`` (the
interpreter alone). ``--tree DIR`` runs another checkout's code (its folder first on ``PYTHONPATH``), so
the figures before and after a change come from the same run. With ``--modules`` it also lists which heavy
libraries each command imports (``-X importtime``). Byte code is written and reused, as for an installed
package, unless ``--no-bytecode`` (this machine sets ``PYTHONDONTWRITEBYTECODE=1``).

    .venv/bin/python bench/startup.py --case build/demo [--tree ../old-checkout] [--runs 5] [--modules]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

HEAVY = ("reportlab", "pyhanko", "extract_msg", "PIL", "cryptography", "magic", "mutagen", "dkim")


def _env(tree: Path | None, bytecode: bool) -> dict[str, str]:
    env = dict(os.environ)
    if tree is not None:
        env["PYTHONPATH"] = str(tree.absolute())
    if bytecode:
        env.pop("PYTHONDONTWRITEBYTECODE", None)  # as an installed package runs: compiled once, then cached
    else:
        env["PYTHONDONTWRITEBYTECODE"] = "1"
    return env


def median_s(argv: list[str], runs: int, env: dict[str, str], cwd: Path) -> float:
    """The median wall time of ``runs`` runs of ``argv`` (each must exit 0), after one run not counted."""
    times = []
    for _ in range(runs + 1):
        start = time.perf_counter()
        subprocess.run(
            argv, env=env, cwd=cwd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        times.append(time.perf_counter() - start)
    return statistics.median(times[1:])


def heavy_modules(argv: list[str], env: dict[str, str], cwd: Path) -> list[str]:
    """The heavy top-level packages a run of ``argv`` (a ``python -m evidence`` command) imports."""
    run = subprocess.run(
        [argv[0], "-X", "importtime", *argv[1:]], env=env, cwd=cwd, capture_output=True, text=True, check=True
    )
    found = set()
    for line in run.stderr.splitlines():
        if "|" in line:
            name = line.rsplit("|", 1)[1].strip().split(".")[0]
            if name in HEAVY:
                found.add(name)
    return sorted(found)


def main() -> int:
    """Print one table row per command: median seconds, and (``--modules``) the heavy libraries loaded."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--case", type=Path, required=True, help="a case folder (make demo builds build/demo)"
    )
    parser.add_argument("--tree", type=Path, help="run this checkout's code instead of the installed one")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--modules", action="store_true", help="list the heavy libraries each command loads")
    parser.add_argument(
        "--no-bytecode", action="store_true", help="PYTHONDONTWRITEBYTECODE=1: every run compiles the package"
    )
    args = parser.parse_args()
    env = _env(args.tree, not args.no_bytecode)
    # ``python -m`` puts the working directory first on sys.path: run in the tree measured (or a neutral one).
    cwd = args.tree.absolute() if args.tree else Path("/")
    py = sys.executable
    case = str(args.case.absolute())
    commands = {
        "python -c pass (anchor)": [py, "-c", "pass"],
        "evidence --version": [py, "-m", "evidence", "--version"],
        "evidence head": [py, "-m", "evidence", "-C", case, "head"],
        "evidence verify": [py, "-m", "evidence", "-C", case, "verify"],
    }
    print(f"| command | median of {args.runs} | heavy libraries loaded |")
    print("|---|---|---|")
    for name, argv in commands.items():
        seconds = median_s(argv, args.runs, env, cwd)
        loaded = ", ".join(heavy_modules(argv, env, cwd)) if args.modules and "-m" in argv else "-"
        print(f"| {name} | {seconds * 1000:.0f} ms | {loaded or 'none'} |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
