"""OCR speed (issue 8): screenshots per second through our import (tesseract in one process per core, each with
``OMP_THREAD_LIMIT=1``) against the ``tesseract`` command run one image at a time on the same images in the same
run, with ``OMP_THREAD_LIMIT=1`` and with tesseract's own threading; then the cache: the same screenshots imported
again into the same case, and ``Case.ocr`` on every one of them with the same settings, counting tesseract runs.

    .venv/bin/python bench/ocr_speed.py [--images 100] [--threaded-sample 10] [--serial-sample 20]

Screenshots are drawn here with Pillow: 1080 pixels wide (a phone's width, so no upscaling on either side), chat
bubbles left and right with varied sentences, a status bar. Tesseract runs are counted by a wrapper script put
first on PATH that logs each run (not ``--version``) and execs the real program; the baseline calls the real
program directly. The threaded baseline (tesseract's default OpenMP threading) runs on the first
``--threaded-sample`` images only, and our own analysis (preparation + tesseract) in one process on the first
``--serial-sample``: the rate per image is what is compared.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from PIL import Image, ImageDraw, ImageFont

from evidence.api import Case
from evidence.ocr.pool import Job, run_all
from evidence.ocr.worker import analyse_image

FONT = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"
OPENINGS = ["Why", "Where", "When", "Who", "I know", "You said", "Answer", "Pick up", "Call me", "Stop"]
MIDDLES = [
    "are you ignoring me",
    "were you last night",
    "is that new friend of yours",
    "the phone is off again",
    "you owe me an explanation",
    "I saw your car outside",
    "you cannot hide forever",
    "we need to talk tonight",
    "nobody else will tell you",
    "this is your last chance",
]
ENDINGS = ["", "!", "?", " Jordan", " right now", " or else", " please", " 21:33", " again", " today"]


def sentence(rng: random.Random) -> str:
    return f"{rng.choice(OPENINGS)} {rng.choice(MIDDLES)}{rng.choice(ENDINGS)}"


def screenshot(path: Path, rng: random.Random, height: int = 800) -> None:
    """A light-mode chat screenshot: a status bar, a header, bubbles left (grey) and right (blue)."""
    width = 1080
    img = Image.new("RGB", (width, height), (255, 255, 255))
    draw = ImageDraw.Draw(img)
    small, text_font = ImageFont.truetype(FONT, 30), ImageFont.truetype(FONT, 38)
    draw.text((40, 20), f"{rng.randint(0, 23):02d}:{rng.randint(0, 59):02d}", font=small, fill=(0, 0, 0))
    draw.text(
        (40, 90),
        rng.choice(["Alex", "Unknown", "+44 7700 900123", "A. Morgan"]),
        font=text_font,
        fill=(0, 0, 0),
    )
    y = 180
    while y < height - 140:
        text = sentence(rng)
        right = rng.random() < 0.4
        box = draw.textbbox((0, 0), text, font=text_font)
        w, h = box[2] - box[0] + 60, box[3] - box[1] + 44
        x = width - w - 40 if right else 40
        fill = (0, 122, 255) if right else (233, 233, 235)
        draw.rounded_rectangle((x, y, x + w, y + h), radius=28, fill=fill)
        draw.text((x + 30, y + 18), text, font=text_font, fill=(255, 255, 255) if right else (0, 0, 0))
        y += h + 30
    img.save(path)


def counting_wrapper(folder: Path, log: Path, real: str) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    script = folder / "tesseract"
    script.write_text(f'#!/bin/sh\n[ "$1" = "--version" ] || echo run >> "{log}"\nexec "{real}" "$@"\n')
    script.chmod(0o755)


def runs(log: Path) -> int:
    return len(log.read_text().splitlines()) if log.exists() else 0


def tesseract_one_by_one(real: str, images: list[Path], *, thread_limit: bool) -> float:
    env = dict(os.environ)
    if thread_limit:
        env["OMP_THREAD_LIMIT"] = "1"
    else:
        env.pop("OMP_THREAD_LIMIT", None)
    start = time.perf_counter()
    for image in images:
        subprocess.run(
            [real, str(image), "stdout", "--psm", "3", "-l", "eng", "tsv"],
            env=env,
            capture_output=True,
            check=True,
        )
    return time.perf_counter() - start


def bench_ocr(workdir: Path, n_images: int, threaded_sample: int, serial_sample: int = 20) -> list[str]:
    """The table rows (Markdown) of the OCR benchmark."""
    real = shutil.which("tesseract")
    if real is None:
        raise SystemExit("tesseract is not installed (apt-get install tesseract-ocr)")
    rng = random.Random(20260314)
    shots = workdir / "shots"
    shots.mkdir()
    images = []
    for i in range(n_images):
        path = shots / f"Screenshot_20260314-{21 + i // 3600 % 3:02d}{i // 60 % 60:02d}{i % 60:02d}.png"
        screenshot(path, rng)
        images.append(path)
    log = workdir / "tesseract-runs.log"
    counting_wrapper(workdir / "bin", log, real)
    os.environ["PATH"] = f"{workdir / 'bin'}{os.pathsep}{os.environ.get('PATH', '')}"

    t_serial = tesseract_one_by_one(real, images, thread_limit=True)
    sample = images[: max(1, min(threaded_sample, n_images))]
    t_threaded = tesseract_one_by_one(real, sample, thread_limit=False)
    # Our analysis (preparation + tesseract) in this one process on a sample: separates what the workers gain from
    # what the preparation (a grayscale PNG for tesseract) changes.
    one = images[: max(1, min(serial_sample, n_images))]
    jobs = [Job(str(p), hashlib.sha256(p.read_bytes()).hexdigest(), p.name, 3, "eng") for p in one]
    start = time.perf_counter()
    run_all(analyse_image, jobs, workers=1)
    t_one = time.perf_counter() - start
    before = runs(log)

    case = Case.init(workdir / "case", title="ocr bench", tz="Europe/London")
    start = time.perf_counter()
    case.import_files([shots])
    t_import = time.perf_counter() - start
    first_runs = runs(log) - before
    start = time.perf_counter()
    again = case.import_files([shots])
    t_again = time.perf_counter() - start
    second_runs = runs(log) - before - first_runs
    start = time.perf_counter()
    done = case.ocr([i.exhibit for i in again.items])
    t_ocr = time.perf_counter() - start
    ocr_runs = runs(log) - before - first_runs - second_runs
    cached = sum(1 for d in done if d.status == "cached")
    case.close()

    serial_rate, import_rate = n_images / t_serial, n_images / t_import
    threaded_rate = len(sample) / t_threaded
    one_rate = len(one) / t_one
    return [
        f"| OCR import of {n_images} screenshots (1080x800), {os.cpu_count()} workers | {t_import:.1f} s "
        f"({import_rate:.2f} images/s), {first_runs} tesseract runs | tesseract one at a time, OMP_THREAD_LIMIT=1: "
        f"{t_serial:.1f} s ({serial_rate:.2f} images/s) | {import_rate / serial_rate:.2f}x |",
        f"| (same import) | {import_rate:.2f} images/s | tesseract one at a time, own threading "
        f"({len(sample)} of the images): {t_threaded:.1f} s ({threaded_rate:.2f} images/s) | "
        f"{import_rate / threaded_rate:.2f}x |",
        f"| (same import) | {import_rate:.2f} images/s | our analysis (preparation + tesseract) in one process "
        f"({len(one)} of the images): {t_one:.1f} s ({one_rate:.2f} images/s) | {import_rate / one_rate:.2f}x |",
        f"| second import of the same {n_images} screenshots, same case | {t_again:.1f} s, {second_runs} tesseract "
        f"runs | - | - |",
        f"| `Case.ocr` on all {n_images}, same settings | {t_ocr:.1f} s, {ocr_runs} tesseract runs, "
        f"{cached} reported cached | - | - |",
    ]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--images", type=int, default=100)
    parser.add_argument("--threaded-sample", type=int, default=10)
    parser.add_argument("--serial-sample", type=int, default=20)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="evidence-bench-ocr-") as tmp:
        rows = bench_ocr(Path(tmp), args.images, args.threaded_sample, args.serial_sample)
    print("| benchmark | evidence | anchor (same run) | ratio anchor/evidence |")
    print("|---|---|---|---|")
    print("\n".join(rows))


if __name__ == "__main__":
    main()
