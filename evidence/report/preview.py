"""Page previews of a PDF: its first pages as small PNG pictures, made in memory by poppler's ``pdftoppm``.

The one wrapper around the ``pdftoppm`` program (Debian's ``poppler-utils``). It is called as
``pdftoppm -png -r DPI -f 1 -l N -`` with the PDF on its standard input (``-`` as the file name) and no output
root, so the pictures come out on its standard output: nothing is written to disk, and a report of an encrypted
case is never decrypted into a file. For more than one page pdftoppm writes the PNGs back to back on standard
output; ``split_pngs`` cuts them apart chunk by chunk (``-singlefile`` would give only the first page of the
range, so one run per page would be needed).

A missing program is a ``DependencyError`` naming the Debian package; a crash, a timeout or output that is not
a sequence of whole PNGs is ``PreviewFailed`` (an ``InputError``).

Known limits: pages are drawn by poppler, not by the reader the recipient uses (fonts and transparency may
differ slightly); a PDF with fewer pages than asked for gives as many pictures as it has pages.
"""

from __future__ import annotations

import shutil
import struct
import subprocess
from typing import Final

from evidence.errors import DependencyError, InputError

PROGRAM: Final = "pdftoppm"
DEBIAN_PACKAGE: Final = "poppler-utils"
DEFAULT_TIMEOUT_S: Final = 60
PNG_SIGNATURE: Final = b"\x89PNG\r\n\x1a\n"
_STDERR_CHARS: Final = 300


class PreviewFailed(InputError):
    """pdftoppm crashed, timed out or wrote something that is not PNG pictures."""


def split_pngs(data: bytes) -> list[bytes]:
    """PNG files written back to back, as a list of each file's bytes; ValueError when ``data`` is not
    whole PNG files one after another (a chunk runs past the end, a file without its IEND chunk)."""
    pictures: list[bytes] = []
    pos = 0
    while pos < len(data):
        if data[pos : pos + len(PNG_SIGNATURE)] != PNG_SIGNATURE:
            raise ValueError(f"no PNG signature at byte {pos}")
        start, pos = pos, pos + len(PNG_SIGNATURE)
        while True:
            if pos + 8 > len(data):
                raise ValueError(f"a PNG chunk header runs past the end (byte {pos})")
            (length,) = struct.unpack(">I", data[pos : pos + 4])
            kind = data[pos + 4 : pos + 8]
            pos += 12 + length  # length, type, data, CRC
            if pos > len(data):
                raise ValueError(f"the PNG chunk {kind!r} runs past the end")
            if kind == b"IEND":
                break
        pictures.append(data[start:pos])
    return pictures


def page_previews(
    pdf: bytes,
    *,
    pages: int = 3,
    dpi: int = 50,
    program: str | None = None,
    timeout: float = DEFAULT_TIMEOUT_S,
) -> list[bytes]:
    """The first ``pages`` pages of ``pdf`` as PNG bytes at ``dpi`` dots per inch (50: a page about 425 by
    550 pixels). ``program`` is the pdftoppm to run (default: the one on ``PATH``)."""
    if pages < 1 or dpi < 1:
        raise ValueError("pages and dpi must be at least 1")
    found = program or shutil.which(PROGRAM)
    if found is None:
        raise DependencyError(
            f"{PROGRAM} is not installed (it draws the report's page previews)",
            hint=f"apt-get install {DEBIAN_PACKAGE}",
        )
    command = [found, "-png", "-r", str(dpi), "-f", "1", "-l", str(pages), "-"]
    try:
        done = subprocess.run(command, input=pdf, capture_output=True, timeout=timeout, check=False)
    except subprocess.TimeoutExpired:
        raise PreviewFailed(f"{PROGRAM} took more than {timeout:g} s to draw the pages") from None
    except OSError as exc:
        raise PreviewFailed(f"{PROGRAM} could not be run ({exc.strerror})", path=found) from None
    if done.returncode != 0:
        said = done.stderr.decode("utf-8", "replace").strip()[:_STDERR_CHARS]
        raise PreviewFailed(f"{PROGRAM} failed (exit {done.returncode}): {said or 'no message'}")
    try:
        pictures = split_pngs(done.stdout)
    except ValueError as exc:
        raise PreviewFailed(f"{PROGRAM} wrote something that is not PNG pictures ({exc})") from None
    if not pictures:
        raise PreviewFailed(f"{PROGRAM} drew no page")
    return pictures
