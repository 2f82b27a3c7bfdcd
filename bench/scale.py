"""Scale: a year of harassment and a phone's backups, 100,000 and 1,000,000 records, every command timed.

    .venv/bin/python bench/scale.py [--records 100000] [--million] [--runs 3] [--keep DIR]
    .venv/bin/python bench/scale.py --case CASE [--skip VIEW ...] [--runs 3]   # the views of a case made before

What it does, each step a fresh ``evidence`` process timed whole by ``/usr/bin/time`` (wall seconds and peak
resident memory), the median of ``--runs`` runs:

- generates (seeded: every run reads the same bytes) a 100,000-message SMS Backup & Restore file
  (``bench/import_speed.make_sms_xml``) and imports it into a new case; the anchor is
  ``xml.etree.ElementTree.iterparse`` of the same file (each element read, then dropped), in its own process;
- on that case: ``timeline --json``, ``timeline`` (text), ``stats``, ``search``, ``verify`` and a filtered
  ``report`` (``--since``/``--until``, one month); the anchor of ``verify`` is coreutils ``sha256sum`` of the
  same objects (the case's whole ``objects/`` folder) in the same run;
- with ``--million``: a 1,000,000-record case made of SMS backups (600,000), call logs (200,000), WhatsApp
  chats (150,000), an mbox (43,000 e-mails) and a CSV of 7,000 messages shaped like what 500 screenshots
  hold (about 14 short messages a picture; no pictures and no OCR: this measures the records, not the
  engine), imported in one command, then the same views (one run each: minutes, not seconds).

Prints Markdown rows for ``bench/RESULTS.md``. ``make bench-scale`` runs it; ``make test`` does not.
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
from datetime import UTC, datetime, timedelta
from pathlib import Path
from xml.sax.saxutils import quoteattr

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))

from import_speed import WORDS, _body, _parties, make_mbox, make_sms_xml  # noqa: E402

TIME = "/usr/bin/time"


def run_timed(argv: list[str], *, cwd: Path = ROOT) -> tuple[float, int, str]:
    """Run ``argv`` to completion; (wall seconds, peak RSS in KiB, stdout's last line). Fails loudly."""
    with tempfile.NamedTemporaryFile("r", suffix=".time") as times, tempfile.TemporaryFile("w+") as out:
        done = subprocess.run(
            [TIME, "-f", "%e %M", "-o", times.name, *argv],
            cwd=cwd,
            stdout=out,
            stderr=subprocess.PIPE,
            text=True,
            env={**os.environ, "PYTHONPATH": str(ROOT)},
            check=False,
        )
        if done.returncode != 0:
            raise SystemExit(f"{' '.join(argv)}: exit {done.returncode}: {done.stderr.strip()[-500:]}")
        seconds, kib = times.read().split()[-2:]
        out.seek(0)
        lines = out.read().splitlines()
    return float(seconds), int(kib), lines[-1] if lines else ""


def evidence(case: Path, *args: str) -> list[str]:
    """The command line of one ``evidence`` command on ``case``."""
    return [sys.executable, "-m", "evidence", "-C", str(case), *args]


def median_run(argv: list[str], runs: int, before: list[str] | None = None) -> tuple[float, int, str]:
    """The median wall time and peak memory of ``runs`` runs (``before`` runs untimed before each)."""
    results = []
    for _ in range(runs):
        if before:
            subprocess.run(
                before, check=True, capture_output=True, env={**os.environ, "PYTHONPATH": str(ROOT)}
            )
        results.append(run_timed(argv))
    return (
        statistics.median(r[0] for r in results),
        int(statistics.median(r[1] for r in results)),
        results[-1][2],
    )


ITERPARSE = """
import sys, xml.etree.ElementTree as ET
depth = count = 0
root = None
for event, elem in ET.iterparse(sys.argv[1], events=("start", "end")):
    if event == "start":
        depth += 1
        if depth == 1:
            root = elem
        continue
    depth -= 1
    if depth == 1 and root is not None:
        count += 1
        root.clear()
print(count)
"""


def make_calls_xml(path: Path, n: int, seed: int) -> None:
    """An SMS Backup & Restore ``<calls>`` backup of ``n`` calls (incoming, outgoing, missed, rejected)."""
    rng = random.Random(seed)
    parties = _parties(rng, 40)
    ms = int(datetime(2024, 1, 1, tzinfo=UTC).timestamp() * 1000)
    with open(path, "w", encoding="utf-8") as out:
        out.write("<?xml version='1.0' encoding='UTF-8' standalone='yes' ?>\n")
        out.write(f'<calls count="{n}" backup_set="bench-{seed}" backup_date="{ms}" type="full">\n')
        for _ in range(n):
            ms += rng.randint(5_000, 900_000)
            address, name = rng.choice(parties)
            kind = rng.choice((1, 1, 2, 3, 3, 5))
            duration = rng.randint(1, 900) if kind in (1, 2) else 0
            out.write(
                f'  <call number="{address}" duration="{duration}" date="{ms}" type="{kind}" presentation="1" '
                f'subscription_id="1" readable_date="-" contact_name={quoteattr(name)} />\n'
            )
        out.write("</calls>\n")


def make_whatsapp(path: Path, n: int, seed: int) -> None:
    """A WhatsApp "Export chat" text file (Android, ``dd/mm/yyyy, HH:MM``) of ``n`` messages."""
    rng = random.Random(seed)
    when = datetime(2024, 1, 13, 8, 0, tzinfo=UTC)  # day 13 first: the file settles that dates are day-first
    with open(path, "w", encoding="utf-8") as out:
        out.write(
            f"{when:%d/%m/%Y, %H:%M} - Messages and calls are end-to-end encrypted. No one outside of this "
            "chat, not even WhatsApp, can read or listen to them.\n"
        )
        for _ in range(n):
            when += timedelta(seconds=rng.randint(20, 1200))
            who = "Alex Morgan" if rng.random() < 0.6 else "Jordan Lee"
            out.write(f"{when:%d/%m/%Y, %H:%M} - {who}: {_body(rng).replace(chr(10), ' ')}\n")


def make_screens_csv(path: Path, pictures: int, seed: int) -> int:
    """An iMazing-style messages CSV holding what ``pictures`` screenshots show: about 14 short messages a
    picture, in bursts a few seconds apart. Returns the number of rows."""
    rng = random.Random(seed)
    when = datetime(2025, 6, 1, 9, 0, tzinfo=UTC)
    rows = 0
    with open(path, "w", encoding="utf-8", newline="") as out:
        out.write("Chat Session,Message Date,Service,Type,Sender ID,Sender Name,Status,Text\n")
        for _ in range(pictures):
            when += timedelta(minutes=rng.randint(30, 600))
            for _ in range(rng.randint(10, 18)):
                when += timedelta(seconds=rng.randint(5, 90))
                incoming = rng.random() < 0.7
                text = " ".join(rng.choices(WORDS, k=rng.randint(2, 12))).replace('"', "")
                out.write(
                    f"+447700900123,{when:%Y-%m-%d %H:%M:%S},iMessage,{'Incoming' if incoming else 'Outgoing'},"
                    f'{"+447700900123" if incoming else ""},{"Alex Morgan" if incoming else ""},Read,"{text}"\n'
                )
                rows += 1
    return rows


def make_million(folder: Path) -> tuple[list[Path], int]:
    """The files of the 1,000,000-record case (see the module docstring) and their record count."""
    files: list[Path] = []
    total = 0
    for i in range(6):
        files.append(folder / f"sms-{i}.xml")
        total += make_sms_xml(files[-1], 100_000, seed=100 + i)
    for i in range(2):
        files.append(folder / f"calls-{i}.xml")
        make_calls_xml(files[-1], 100_000, seed=200 + i)
        total += 100_000
    for i in range(3):
        files.append(folder / f"WhatsApp Chat with Alex {i}.txt")
        make_whatsapp(files[-1], 50_000, seed=300 + i)
        total += 50_001  # and the export's "end-to-end encrypted" line, a system record
    files.append(folder / "mail.mbox")
    total += make_mbox(files[-1], 43_000, seed=400)
    files.append(folder / "screens.csv")
    total += make_screens_csv(files[-1], 500, seed=500)
    return files, total


def row(name: str, result: tuple[float, int, str], anchor: str = "-", target: str = "-") -> str:
    """One Markdown row: step, wall seconds, peak MiB, anchor, target."""
    seconds, kib, _ = result
    return f"| {name} | {seconds:.2f} s | {kib / 1024:.0f} MiB | {anchor} | {target} |"


def views(
    case: Path, runs: int, month: str, work: Path, skip: frozenset[str] = frozenset()
) -> list[tuple[str, tuple[float, int, str]]]:
    """The reading commands on ``case``, each the median of ``runs`` (those named in ``skip`` left out)."""
    first, last = f"{month}-01", f"{month}-28"
    pdf = work / "filtered.pdf"
    steps = [
        ("timeline --json", evidence(case, "timeline", "--json")),
        ("timeline", evidence(case, "timeline")),
        ("stats", evidence(case, "stats")),
        ("search", evidence(case, "search", "station")),
        ("verify", evidence(case, "verify")),
        (
            "report",
            evidence(case, "report", "-o", str(pdf), "--overwrite", "--since", first, "--until", last),
        ),
    ]
    labels = {"search": "search station", "report": f"report --since {first} --until {last}"}
    return [(labels.get(name, name), median_run(argv, runs)) for name, argv in steps if name not in skip]


def sha256sum_anchor(case: Path, runs: int) -> tuple[float, int, str]:
    """coreutils ``sha256sum`` of every object of the case, whole process (the verify anchor)."""
    store = case / "objects"
    objects = sorted(
        str(p) for p in store.rglob("*") if p.is_file() and "tmp" not in p.relative_to(store).parts
    )
    listing = case.parent / "objects.list"
    listing.write_text("\0".join(objects) + "\0")
    return median_run(["sh", "-c", f"xargs -0 sha256sum < {listing} > /dev/null"], runs)


def bench_100k(work: Path, records: int, runs: int, skip: frozenset[str]) -> list[str]:
    """The figures on a case of one SMS backup of ``records`` messages."""
    xml = work / "sms-bench.xml"
    make_sms_xml(xml, records)
    size = xml.stat().st_size / 1024 / 1024
    case = work / "case"
    init = [
        sys.executable,
        "-m",
        "evidence",
        "init",
        "--plain",
        str(case),
        "--title",
        "bench",
        "--tz",
        "Europe/London",
    ]
    anchor = median_run([sys.executable, "-c", ITERPARSE, str(xml)], runs)
    if int(anchor[2]) != records:
        raise SystemExit(f"iterparse read {anchor[2]} elements, not {records}")
    # Each timed import into a new case (made untimed just before); the last run's case stays, for the views.
    fresh = ["sh", "-c", f'rm -rf "{case}" && "$0" "$@"', *init]
    imported = median_run(evidence(case, "import", str(xml)), runs, before=fresh)
    out = [
        "| step | wall (median) | peak RSS | anchor (same run) | target |",
        "|---|---|---|---|---|",
        row(
            f"import of {records:,} SMS ({size:.0f} MiB)",
            imported,
            f"iterparse {anchor[0]:.2f} s, {anchor[1] / 1024:.0f} MiB; ratio {imported[0] / anchor[0]:.1f}x",
            "<= 3x iterparse, < 200 MiB",
        ),
    ]
    sums = sha256sum_anchor(case, runs)
    targets = {
        "timeline --json": "< 3 s, < 150 MiB",
        "stats": "< 1 s",
        "verify": "< 3 s",
    }
    for name, result in views(case, runs, "2024-06", work, skip):
        anchor_text = f"sha256sum of the objects {sums[0]:.2f} s" if name == "verify" else "-"
        out.append(row(name, result, anchor_text, targets.get(name, "-")))
    return out


def bench_million(work: Path, skip: frozenset[str]) -> list[str]:
    """The figures on the 1,000,000-record case (one run each)."""
    folder = work / "million"
    folder.mkdir()
    files, total = make_million(folder)
    case = work / "case-million"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "evidence",
            "init",
            "--plain",
            str(case),
            "--title",
            "bench",
            "--tz",
            "Europe/London",
        ],
        check=True,
        capture_output=True,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    size = sum(p.stat().st_size for p in files) / 1024 / 1024
    out = [
        row(
            f"1M case: import of {len(files)} files, {total:,} records ({size:.0f} MiB)",
            run_timed(evidence(case, "import", *map(str, files))),
            "-",
            "< 250 MiB",
        )
    ]
    targets = {"timeline --json": "constant memory", "stats": "< 10 s"}
    for name, result in views(case, 1, "2024-06", work, skip):
        out.append(row(f"1M case: {name}", result, "-", targets.get(name, "-")))
    return out


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--records", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--million", action="store_true", help="also the 1,000,000-record case")
    parser.add_argument("--only-million", action="store_true", help="the 1,000,000-record case only")
    parser.add_argument(
        "--keep", type=Path, help="work in this folder and leave it (default: a temporary one)"
    )
    steps = "timeline --json, timeline, stats, search, verify, report"
    parser.add_argument("--skip", action="append", default=[], help=f"leave out a view ({steps})")
    parser.add_argument("--million-skip", action="append", default=[], help="leave out a view of the 1M case")
    parser.add_argument(
        "--case", type=Path, help="only time the views of this case (made by an earlier run with --keep)"
    )
    args = parser.parse_args()
    if not Path(TIME).exists():
        raise SystemExit(f"{TIME} is missing: apt-get install time")
    if args.case is not None:
        found = views(
            args.case.resolve(), args.runs, "2024-06", Path(tempfile.mkdtemp()), frozenset(args.skip)
        )
        print("\n".join(row(name, result) for name, result in found))
        return
    work = args.keep or Path(tempfile.mkdtemp(prefix="evidence-bench-scale-"))
    work.mkdir(parents=True, exist_ok=True)
    try:
        rows = [] if args.only_million else bench_100k(work, args.records, args.runs, frozenset(args.skip))
        if args.million or args.only_million:
            rows += bench_million(work, frozenset(args.million_skip))
    finally:
        if args.keep is None:
            shutil.rmtree(work, ignore_errors=True)
    print("\n".join(rows))


if __name__ == "__main__":
    main()
