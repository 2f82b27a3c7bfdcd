"""Second OCR engine (issue 15): RapidOCR (PaddleOCR's ONNX models) against Tesseract on real screenshots.

    PYTHONPATH=. .venv/bin/python bench/ocr_engines.py --set DIR [--expected FILE] [--rapid PATH ...]

For each picture the expectations name (``DIR/expected.json``, the format of
``tests/data/screenshots-real/FORMAT.md``), the words a person wrote down as shown on the screen (message
texts, call parties, e-mail senders and subjects, the header and the ``not_messages`` labels) are looked for
in what each engine reads from the whole picture:

- *tesseract page*: ``tesseract --psm 11`` (sparse text) on the picture as ``evidence.ocr.preprocess``
  prepares it for a whole-page read (grayscale, dark mode inverted, narrow pictures upscaled);
- *layout*: the text the screenshot reader keeps (``evidence.ocr.layout.analyse``: one Tesseract run over
  its regions), what the importer uses today;
- *rapidocr*: ``rapidocr-onnxruntime`` (detection, angle and recognition ONNX models shipped in its wheel,
  CPU, one thread), on the picture as it is.

*Words found*: expected words (lower case, letters and digits, at least two characters) present in the
engine's words (multiset: a word expected twice must be read twice). Seconds and CPU seconds (user+system of
this process and its children) per picture, one picture at a time, ``OMP_THREAD_LIMIT=1``.
RapidOCR is not a dependency of the project: ``--rapid`` names folders holding it (``pip install --target``).
"""

from __future__ import annotations

import argparse
import importlib
import io
import json
import os
import re
import resource
import sys
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any, Final

ROOT: Final = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

os.environ.setdefault("OMP_THREAD_LIMIT", "1")
os.environ.setdefault("OMP_NUM_THREADS", "1")

from PIL import Image  # noqa: E402

from evidence.ocr.layout import analyse  # noqa: E402
from evidence.ocr.preprocess import prepare  # noqa: E402
from evidence.ocr.tesseract import Settings, recognise  # noqa: E402

_WORD: Final = re.compile(r"[^\W_]{2,}")


def words(text: str) -> list[str]:
    """Lower-case words of two letters or digits or more."""
    return _WORD.findall(text.lower())


def expected_words(picture: dict[str, Any]) -> list[str]:
    """Every word the collector wrote down as shown on the screen."""
    texts: list[str] = [picture.get("header_shown") or picture.get("header") or ""]
    texts += [str(m.get("text") or "") for m in picture.get("messages", [])]
    texts += [str(m.get("sender") or "") for m in picture.get("messages", [])]
    texts += [str(c.get("party") or "") for c in picture.get("calls", [])]
    for mail in picture.get("emails", []):
        texts += [str(mail.get("sender") or ""), str(mail.get("subject") or "")]
    texts += [str(t) for t in picture.get("not_messages", [])]
    return [w for t in texts for w in words(t)]


def found(expected: list[str], read: list[str]) -> int:
    """Expected words present in the read words, each read word used once."""
    pool = Counter(read)
    hits = 0
    for word in expected:
        if pool[word] > 0:
            pool[word] -= 1
            hits += 1
    return hits


def cpu() -> float:
    """User+system seconds of this process and its finished children."""
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def tesseract_page(image: Image.Image) -> str:
    """Tesseract's sparse-text read of the whole prepared picture."""
    page = io.BytesIO()
    prepare(image).image.save(page, "PNG")
    result = recognise(page.getvalue(), Settings(psm=11))
    return " ".join(w.text for w in result.words)


def layout_text(image: Image.Image) -> str:
    """The screenshot reader's text."""
    return analyse(image).text


def rapid_engine(paths: list[str]) -> Callable[[Image.Image], str]:
    """RapidOCR's read of the picture (its models from its wheel; nothing is downloaded)."""
    sys.path[:0] = paths
    module: Any = importlib.import_module("rapidocr_onnxruntime")
    engine = module.RapidOCR(intra_op_num_threads=1, inter_op_num_threads=1)

    def read(image: Image.Image) -> str:
        import numpy

        rgb = numpy.asarray(image.convert("RGB"))[:, :, ::-1]  # BGR, as OpenCV
        result, _ = engine(rgb)
        return " ".join(str(item[1]) for item in result or [])

    return read


def main(argv: list[str] | None = None) -> int:
    """Score each engine on one set and print a table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--set", required=True, type=Path)
    parser.add_argument("--expected", type=Path)
    parser.add_argument("--rapid", action="append", default=[], help="folder holding rapidocr_onnxruntime")
    args = parser.parse_args(argv)
    expected = json.loads((args.expected or args.set / "expected.json").read_text(encoding="utf-8"))[
        "pictures"
    ]
    engines: dict[str, Callable[[Image.Image], str]] = {
        "tesseract page": tesseract_page,
        "layout": layout_text,
    }
    if args.rapid:
        engines["rapidocr"] = rapid_engine(args.rapid)
        engines["rapidocr"](Image.new("RGB", (64, 64), "white"))  # load the models outside the timing
    totals = {name: [0, 0, 0.0, 0.0] for name in engines}  # found, expected, wall, cpu
    pictures = 0
    for name, picture in sorted(expected.items()):
        path = args.set / name
        if not path.exists():
            continue
        pictures += 1
        image = Image.open(path)
        image.load()
        want = expected_words(picture)
        cells = []
        for engine, read in engines.items():
            wall, spent = time.perf_counter(), cpu()
            text = read(image)
            wall, spent = time.perf_counter() - wall, cpu() - spent
            hits = found(want, words(text))
            tally = totals[engine]
            tally[0] += hits
            tally[1] += len(want)
            tally[2] += wall
            tally[3] += spent
            cells.append(f"{engine} {hits}/{len(want)} {wall:.2f}s")
        print(f"{name}: " + "; ".join(cells), flush=True)
    print(f"\n`{args.set}`: {pictures} pictures\n")
    print("| engine | expected words found | seconds a picture (wall) | CPU seconds a picture |")
    print("|---|---|---|---|")
    for engine, (hits, want_n, wall, spent) in totals.items():
        share = f"{hits}/{want_n} ({hits * 100 // max(1, want_n)} %)"
        print(f"| {engine} | {share} | {wall / max(1, pictures):.2f} | {spent / max(1, pictures):.2f} |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
