"""Report benchmark (issue 5): time and peak memory of `evidence report` over a case of 10,000 records and 300
screenshot exhibits.

    .venv/bin/python bench/report_speed.py [--records 10000] [--screenshots 300] [--keep DIR]

The case is generated, not measured: an SMS Backup & Restore XML of ``--records`` messages (two numbers, one a
day's burst every few days, messages of 20-400 characters) and ``--screenshots`` distinct small PNG screenshots
with a few lines of text each (named like a phone names them, so each has its time); the import runs OCR on
every picture, which takes a minute or two. Then `evidence report` runs in a fresh interpreter, twice (the
first warms the page cache), and the second run's wall time and peak resident memory (``VmHWM`` from
``/proc/self/status``, read by the same process after the report is written) are printed as a Markdown row.
Targets: under 30 s and under 300 MB.
"""

from __future__ import annotations

import argparse
import json
import random
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from xml.sax.saxutils import quoteattr

from PIL import Image, ImageDraw, ImageFont

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

FONT = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"
PHRASES = (
    "please answer me I know you are home why are you doing this call me back now we need to talk "
    "you cannot ignore me forever I saw your car outside last night everyone will know what you did"
)
WORDS = PHRASES.split(" ")
START = datetime(2026, 1, 5, 7, 0, tzinfo=UTC)

MEASURE = """
import sys, time
from pathlib import Path
start = time.perf_counter()
from evidence.api import Case
with Case.open(Path(sys.argv[1])) as case:
    written = case.report(Path(sys.argv[2]), profile="lawyer")
elapsed = time.perf_counter() - start
hwm = next(l for l in open("/proc/self/status") if l.startswith("VmHWM"))
print(elapsed, int(hwm.split()[1]), written.size)
"""


def sms_xml(path: Path, n: int, rng: random.Random) -> None:
    """``n`` texts over about 90 days, in bursts, from two numbers, with some replies."""
    moment = START
    with open(path, "w", encoding="utf-8") as out:
        out.write("<?xml version='1.0' encoding='UTF-8' standalone='yes' ?>\n")
        out.write(f'<smses count="{n}" backup_set="bench" backup_date="1780000000000" type="full">\n')
        for i in range(n):
            moment += timedelta(seconds=rng.choice((20, 45, 90, 300, 900, 3600, 7200)))
            body = " ".join(rng.choice(WORDS) for _ in range(rng.randint(4, 70)))
            outgoing = i % 17 == 0
            number = "+447700900123" if i % 3 else "07700 900456"
            attrs = {
                "protocol": "0",
                "address": number,
                "date": str(int(moment.timestamp() * 1000)),
                "type": "2" if outgoing else "1",
                "subject": "null",
                "body": f"{body} ({i})",
                "read": "1",
                "status": "-1",
                "date_sent": "0",
                "readable_date": moment.strftime("%d %b %Y %H:%M:%S"),
                "contact_name": "(Unknown)",
            }
            out.write("  <sms " + " ".join(f"{k}={quoteattr(v)}" for k, v in attrs.items()) + " />\n")
        out.write("</smses>\n")


def screenshots(folder: Path, n: int, rng: random.Random) -> None:
    """``n`` distinct 360 x 640 PNG screenshots with four lines of text and their own number."""
    font = ImageFont.truetype(FONT, 22)
    for i in range(n):
        when = START + timedelta(hours=7 * i, minutes=i % 60)
        image = Image.new("RGB", (360, 640), "white")
        draw = ImageDraw.Draw(image)
        draw.rectangle((0, 0, 360, 50), fill=(230, 236, 242))
        draw.text((16, 12), f"Alex {i:03d}", fill="black", font=font)
        for line in range(4):
            words = " ".join(rng.choice(WORDS) for _ in range(3))
            draw.text((16, 90 + 60 * line), words, fill=(30, 30, 30), font=font)
        image.save(folder / f"Screenshot_{when:%Y%m%d-%H%M%S}.png", optimize=False)


def build(case_dir: Path, src: Path, records: int, shots: int) -> float:
    from evidence.api import Case

    rng = random.Random(5)
    src.mkdir(parents=True)
    sms_xml(src / "sms-bench.xml", records - shots, rng)
    screenshots(src, shots, rng)
    start = time.perf_counter()
    with Case.init(case_dir, title="Report benchmark", tz="Europe/London") as case:
        case.import_files(sorted(src.iterdir()))
    return time.perf_counter() - start


def measure(case_dir: Path, out: Path) -> tuple[float, int, int]:
    done = subprocess.run(
        [sys.executable, "-c", MEASURE, str(case_dir), str(out)],
        capture_output=True,
        text=True,
        check=True,
        env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"},
    )
    elapsed, hwm_kib, size = done.stdout.split()
    return float(elapsed), int(hwm_kib), int(size)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--records", type=int, default=10_000, help="timeline records, screenshots included")
    parser.add_argument("--screenshots", type=int, default=300)
    parser.add_argument("--keep", type=Path, help="build the case here (reused when it exists)")
    args = parser.parse_args()
    work = args.keep or Path(tempfile.mkdtemp(prefix="evidence-report-bench-"))
    case_dir = work / "case"
    try:
        if not case_dir.exists():
            took = build(case_dir, work / "src", args.records, args.screenshots)
            print(f"case built and imported in {took:.0f} s", file=sys.stderr)
        measure(case_dir, work / "warm.pdf")
        elapsed, hwm_kib, size = measure(case_dir, work / "report.pdf")
        pages = subprocess.run(
            ["pdfinfo", str(work / "report.pdf")], capture_output=True, text=True, check=True
        )
        page_count = next(line.split()[-1] for line in pages.stdout.splitlines() if line.startswith("Pages:"))
        row = {
            "records": args.records,
            "screenshots": args.screenshots,
            "seconds": round(elapsed, 1),
            "peak_mib": round(hwm_kib / 1024),
            "pdf_mib": round(size / 1048576, 1),
            "pages": int(page_count),
        }
        print("| benchmark | time | peak memory (VmHWM) | PDF | targets |")
        print("|---|---|---|---|---|")
        print(
            f"| report, {row['records']:,} records incl. {row['screenshots']} screenshot exhibits, "
            f"{row['pages']:,} pages | {row['seconds']} s | {row['peak_mib']} MiB | {row['pdf_mib']} MiB | "
            "< 30 s, < 300 MB |"
        )
        print(json.dumps(row), file=sys.stderr)
    finally:
        if args.keep is None:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
