"""Generate the synthetic demo case: one harassment story told in every input format the toolkit reads.

Usage: ``python samples/make_samples.py OUTDIR`` (``make demo`` runs it with ``build/samples``).

The story (see samples/README.md): Jordan Lee ends a relationship with Alex Morgan on 1 March 2026 and
blocks the number; for six weeks Alex calls, texts, emails, messages on WhatsApp and Instagram, leaves a
voicemail, sends a mutual friend (Sam Patel) with a message and posts a smear about Jordan. Jordan keeps a
diary and reports one night to the police.

Every byte is a function of the files in samples/ alone, so two runs give identical files (the tests
compare SHA-256): no current time, no randomness (the little variation there is comes from SHA-256 of fixed
strings), fixed zip entry times, PNG/JPEG written without time stamps. Pixels depend on the Pillow/FreeType/zlib build,
so identical bytes are promised for one machine, not across machines.

All names, numbers and addresses are invented: phone numbers are from Ofcom's drama range
(+44 7700 900xxx), e-mail domains are example.org / example.net, IP addresses are RFC 5737/3849
documentation ranges.

The story lives in ``samples/story.py`` (the people, the texts and calls, the time helpers) and each format
in its own writer under ``samples/writers/``; this file puts the folder together and is the entry point.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Sequence
from pathlib import Path

# Run as a script, Python puts samples/ itself first on the path; the story and the writers are imported as
# the package ``samples``, so the folder above it must be on the path too (from any working directory).
_ROOT = str(Path(__file__).resolve().parent.parent)
if _ROOT not in sys.path:
    sys.path.insert(0, _ROOT)

from samples.writers.carrier import carrier_csv  # noqa: E402
from samples.writers.case_facts import case_facts  # noqa: E402
from samples.writers.diary import diary  # noqa: E402
from samples.writers.mail import SAM_EMAIL_SUBJECT, mbox, sam_eml  # noqa: E402
from samples.writers.photos import beach_png, letter_jpg  # noqa: E402
from samples.writers.screenshots import instagram_png, missed_calls_png, smear_png  # noqa: E402
from samples.writers.sms_backup import calls_xml, sms_xml  # noqa: E402
from samples.writers.voicemail import voicemail_wav  # noqa: E402
from samples.writers.whatsapp import android_chat, chat_zip  # noqa: E402

MARKER = ".samples-generated"


def json_bytes(data: object) -> bytes:
    """Pretty JSON, UTF-8, keys in the order written, trailing newline."""
    return (json.dumps(data, indent=2, ensure_ascii=False) + "\n").encode()


# -- the folder --------------------------------------------------------------------------------------------


def build() -> dict[str, bytes]:
    """Every sample file, name to bytes."""
    return {
        "sms-20260415093000.xml": sms_xml(beach_png()),
        "calls-20260415093000.xml": calls_xml(),
        "call-log-carrier.csv": carrier_csv(),
        "WhatsApp Chat with Alex.txt": android_chat(),
        "WhatsApp Chat - Alex Morgan.zip": chat_zip(letter_jpg()),
        "alex-emails.mbox": mbox(),
        f"{SAM_EMAIL_SUBJECT}.eml": sam_eml(),
        "Voicemail 2026-03-22 at 19.04.wav": voicemail_wav(),
        "Screenshot_20260314-213344.png": missed_calls_png(),
        "Screenshot_20260320-224512_Instagram.png": instagram_png(),
        "Screenshot 2026-04-02 at 08.15.31.png": smear_png(),
        "diary.json": json_bytes(diary()),
        "case.json": json_bytes(case_facts()),
    }


class RefusedError(Exception):
    """The output folder holds files this script did not write."""


def prepare(outdir: Path) -> None:
    """Make ``outdir`` ready: create it, or clear this script's previous output from it; refuse otherwise."""
    if not outdir.exists():
        outdir.mkdir(parents=True)
        return
    if not outdir.is_dir():
        raise RefusedError(f"{outdir}: exists and is not a folder")
    present = {p.name for p in outdir.iterdir()}
    if not present:
        return
    marker = outdir / MARKER
    if not marker.is_file():
        raise RefusedError(f"{outdir}: folder is not empty and was not made by this script; choose another")
    ours = {line for line in marker.read_text().splitlines()[1:] if line}
    foreign = sorted(present - ours - {MARKER})
    if foreign:
        raise RefusedError(f"{outdir}: holds files this script did not write ({', '.join(foreign)})")
    for name in sorted(present):
        path = outdir / name
        if path.is_dir() and not path.is_symlink():
            raise RefusedError(f"{outdir}: {name} is a folder; this script writes only files")
        path.unlink()


def generate(outdir: Path) -> list[Path]:
    """Write the sample case into ``outdir``; returns the files written (the marker not included)."""
    files = build()
    prepare(outdir)
    written = []
    for name, data in files.items():
        path = outdir / name
        path.write_bytes(data)
        written.append(path)
    names = "\n".join(sorted(files))
    (outdir / MARKER).write_text(f"written by samples/make_samples.py; safe to delete\n{names}\n")
    return written


def main(argv: Sequence[str]) -> int:
    """``make_samples.py OUTDIR``: 0 on success, 2 on a usage error or a folder it will not touch."""
    if len(argv) != 2 or argv[1].startswith("-"):
        print("usage: make_samples.py OUTDIR", file=sys.stderr)
        return 2
    try:
        written = generate(Path(argv[1]))
    except RefusedError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    total = sum(p.stat().st_size for p in written)
    print(f"wrote {len(written)} files ({total // 1024} KiB) to {argv[1]}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
