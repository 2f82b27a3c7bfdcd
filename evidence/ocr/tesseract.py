"""The one wrapper around the ``tesseract`` program (Tesseract OCR 4/5, run as a subprocess).

The program is called as ``tesseract stdin stdout --psm N -l LANG tsv`` with ``OMP_THREAD_LIMIT=1`` (its own
OpenMP threading makes it several times slower on small machines; parallelism belongs across images). The image
goes in on its standard input and the result comes out on its standard output: nothing is written to disk, so a
picture of an encrypted case is never decrypted into a file (Tesseract decodes the same bytes from memory as from
a file: the words are the same). The TSV
output (one row per page, block, paragraph, line and word; level 5 rows are words) is parsed into ``Word``
objects with their boxes in pixels, their confidence as an integer 0-100 (Tesseract prints a float; records
and blobs hold no floats) and their block, paragraph and line numbers.

``TesseractProbe`` knows whether the program is installed and its version; a missing program is a
``DependencyError`` naming the Debian package. A crash, a timeout or unreadable output on one image is a
``TesseractFailed`` (an ``InputError``): the caller decides whether that stops an import or becomes a warning.

Known limits: only the text layer of the TSV is read (no font or orientation data); the version is read from
the first line of ``tesseract --version``.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

from evidence.errors import DependencyError, InputError

ENGINE: Final = "tesseract"
DEBIAN_PACKAGE: Final = "tesseract-ocr"
INSTALL_HINT: Final = f"apt-get install {DEBIAN_PACKAGE}"
DEFAULT_TIMEOUT_S: Final = 120
_VERSION_LINE: Final = re.compile(r"tesseract\s+v?(\d+(?:\.\d+)*\S*)", re.IGNORECASE)
_TSV_COLUMNS: Final = (
    "level",
    "page_num",
    "block_num",
    "par_num",
    "line_num",
    "word_num",
    "left",
    "top",
    "width",
    "height",
    "conf",
    "text",
)
_WORD_LEVEL: Final = 5
_STDERR_CHARS: Final = 300


class TesseractFailed(InputError):
    """Tesseract crashed, timed out or wrote output that is not its TSV, on one image."""


@dataclass(frozen=True)
class Settings:
    """What the engine was asked to do; recorded with every result (and part of any cache key)."""

    psm: int = 3  # page segmentation mode: 3 automatic, 6 one block, 11 sparse text
    lang: str = "eng"

    def args(self) -> list[str]:
        """The command-line arguments these settings give."""
        return ["--psm", str(self.psm), "-l", self.lang]

    def to_json(self) -> dict[str, Any]:
        """Canonical-JSON-ready form."""
        return {"psm": self.psm, "lang": self.lang}


@dataclass(frozen=True)
class Word:
    """One recognised word: its text, box (pixels of the image given), confidence 0-100 and position."""

    text: str
    left: int
    top: int
    width: int
    height: int
    conf: int
    block: int
    par: int
    line: int

    @property
    def bbox(self) -> tuple[int, int, int, int]:
        """``(x0, y0, x1, y1)``."""
        return (self.left, self.top, self.left + self.width, self.top + self.height)

    def scaled_down(self, factor: int) -> Word:
        """The same word with its box divided by ``factor`` (boxes of an upscaled copy, in the original)."""
        if factor == 1:
            return self
        return Word(
            text=self.text,
            left=self.left // factor,
            top=self.top // factor,
            width=-(-self.width // factor),
            height=-(-self.height // factor),
            conf=self.conf,
            block=self.block,
            par=self.par,
            line=self.line,
        )

    def to_json(self) -> dict[str, Any]:
        """Canonical-JSON-ready form."""
        return {
            "text": self.text,
            "bbox": list(self.bbox),
            "conf": self.conf,
            "block": self.block,
            "par": self.par,
            "line": self.line,
        }


@dataclass(frozen=True)
class OcrResult:
    """The words Tesseract read in one image, with the engine's version and the settings used."""

    engine_version: str
    settings: Settings
    words: tuple[Word, ...]

    @property
    def engine(self) -> str:
        """``tesseract 5.3.0``."""
        return f"{ENGINE} {self.engine_version}"

    @property
    def lines(self) -> list[str]:
        """The text line by line, in reading order (words of a line joined by one space)."""
        grouped: dict[tuple[int, int, int], list[str]] = {}
        for word in self.words:
            grouped.setdefault((word.block, word.par, word.line), []).append(word.text)
        return [" ".join(texts) for texts in grouped.values()]

    @property
    def text(self) -> str:
        """The full text: lines joined with newlines."""
        return "\n".join(self.lines)

    @property
    def mean_confidence_permille(self) -> int | None:
        """The words' mean confidence in thousandths (integers only), None when nothing was read."""
        if not self.words:
            return None
        return sum(w.conf for w in self.words) * 10 // len(self.words)

    def scaled_down(self, factor: int) -> OcrResult:
        """The same result with every box divided by ``factor``."""
        return OcrResult(self.engine_version, self.settings, tuple(w.scaled_down(factor) for w in self.words))

    def to_json(self) -> dict[str, Any]:
        """Canonical-JSON-ready form (the OCR blob)."""
        return {
            "engine": ENGINE,
            "engine_version": self.engine_version,
            "settings": self.settings.to_json(),
            "text": self.text,
            "mean_confidence_permille": self.mean_confidence_permille,
            "words": [w.to_json() for w in self.words],
        }


def _env() -> dict[str, str]:
    env = dict(os.environ)
    env["OMP_THREAD_LIMIT"] = "1"
    return env


_KNOWN_VERSIONS: dict[tuple[str, int], str] = {}


class TesseractProbe:
    """Whether ``tesseract`` is installed here (on ``PATH``) and which version; the version is asked once."""

    def __init__(self, program: str = ENGINE, *, timeout_s: int = 30) -> None:
        self.program = program
        self.timeout_s = timeout_s
        self._version: str | None = None

    def path(self) -> str | None:
        """The program's full path, or None when it is not installed."""
        return shutil.which(self.program)

    def installed(self) -> bool:
        """Whether the program is on ``PATH``."""
        return self.path() is not None

    def executable(self) -> str:
        """The program's full path; DependencyError naming the package when it is missing."""
        found = self.path()
        if found is None:
            raise DependencyError(
                f"{self.program} is not installed; OCR needs it",
                hint=f"{INSTALL_HINT} (and tesseract-ocr-eng for English)",
            )
        return found

    def version(self) -> str:
        """The version ``tesseract --version`` prints (``5.3.0``).

        Asked once per program file in a process (keyed on its path and modification time), not once per image.
        """
        if self._version is None:
            program = self.executable()
            try:
                key = (program, os.stat(program).st_mtime_ns)
            except OSError:
                key = (program, -1)
            if key in _KNOWN_VERSIONS:
                self._version = _KNOWN_VERSIONS[key]
                return self._version
            try:
                done = subprocess.run(
                    [program, "--version"],
                    capture_output=True,
                    timeout=self.timeout_s,
                    env=_env(),
                    check=False,
                )
            except subprocess.TimeoutExpired:
                raise DependencyError(
                    f"{program} --version did not answer in {self.timeout_s} s", hint=INSTALL_HINT
                ) from None
            except OSError as exc:
                raise DependencyError(
                    f"{program} cannot be run ({exc.strerror})", hint=INSTALL_HINT
                ) from None
            output = (done.stdout + done.stderr).decode("utf-8", "replace")
            match = _VERSION_LINE.search(output)
            if done.returncode != 0 or match is None:
                raise DependencyError(
                    f"{program} --version failed (exit {done.returncode}): {output.strip()[:_STDERR_CHARS]!r}",
                    hint=INSTALL_HINT,
                )
            self._version = match.group(1)
            _KNOWN_VERSIONS[key] = self._version
        return self._version


def _int(value: str, column: str, row: int, name: str) -> int:
    try:
        return int(value)
    except ValueError:
        raise TesseractFailed(
            f"tesseract TSV row {row}: {column} {value!r} is not a number", path=name
        ) from None


def parse_tsv(tsv: str, *, name: str = "image") -> list[Word]:
    """The words of Tesseract's TSV output (level 5 rows with text); ``name`` is for error messages."""
    lines = tsv.splitlines()
    if not lines or tuple(lines[0].split("\t")) != _TSV_COLUMNS:
        first = lines[0][:80] if lines else ""
        raise TesseractFailed(f"tesseract wrote no TSV header (got {first!r})", path=name)
    words: list[Word] = []
    for number, line in enumerate(lines[1:], start=2):
        cells = line.split("\t")
        if len(cells) < len(_TSV_COLUMNS) - 1:
            raise TesseractFailed(f"tesseract TSV row {number} has {len(cells)} columns", path=name)
        if _int(cells[0], "level", number, name) != _WORD_LEVEL:
            continue
        text = cells[11].strip() if len(cells) > 11 else ""
        if not text:
            continue
        try:
            conf = float(cells[10])
        except ValueError:
            raise TesseractFailed(f"tesseract TSV row {number}: conf {cells[10]!r}", path=name) from None
        words.append(
            Word(
                text=text,
                left=_int(cells[6], "left", number, name),
                top=_int(cells[7], "top", number, name),
                width=_int(cells[8], "width", number, name),
                height=_int(cells[9], "height", number, name),
                conf=min(100, max(0, round(conf))),
                block=_int(cells[2], "block_num", number, name),
                par=_int(cells[3], "par_num", number, name),
                line=_int(cells[4], "line_num", number, name),
            )
        )
    return words


def recognise(
    image: bytes | Path,
    settings: Settings | None = None,
    *,
    probe: TesseractProbe | None = None,
    timeout_s: int = DEFAULT_TIMEOUT_S,
    name: str | None = None,
) -> OcrResult:
    """OCR an image: its encoded bytes (PNG, JPEG, ...), or the file at ``image``, read here; either way the
    program reads it on its standard input. ``name`` (the original file name) is used in error messages.

    Raises DependencyError when tesseract is missing, InputError when the file cannot be read, and
    TesseractFailed when the program crashes, times out or writes something that is not its TSV.
    """
    chosen = settings or Settings()
    tess = probe or TesseractProbe()
    shown = name or (image.name if isinstance(image, Path) else "image")
    if isinstance(image, Path):
        try:
            image = image.read_bytes()
        except OSError as exc:
            raise InputError(f"cannot read ({exc.strerror})", path=shown) from None
    version = tess.version()
    command = [tess.executable(), "stdin", "stdout", *chosen.args(), "tsv"]
    try:
        done = subprocess.run(
            command, input=image, capture_output=True, timeout=timeout_s, env=_env(), check=False
        )
    except subprocess.TimeoutExpired:
        raise TesseractFailed(f"tesseract did not finish in {timeout_s} s", path=shown) from None
    except OSError as exc:
        raise DependencyError(f"tesseract cannot be run ({exc.strerror})", hint=INSTALL_HINT) from None
    if done.returncode != 0:
        detail = done.stderr.decode("utf-8", "replace").strip().replace("\n", " ")[:_STDERR_CHARS]
        how = (
            f"was killed by signal {-done.returncode}" if done.returncode < 0 else f"exited {done.returncode}"
        )
        raise TesseractFailed(f"tesseract {how}: {detail!r}", path=shown)
    words = parse_tsv(done.stdout.decode("utf-8", "replace"), name=shown)
    return OcrResult(engine_version=version, settings=chosen, words=tuple(words))
