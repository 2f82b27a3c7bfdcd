"""Import into an encrypted case against the same import into a plain one (issue 19: <= 1.5x).

    .venv/bin/python bench/encrypted.py [--records 20000] [--runs 5]

Each run is a fresh ``evidence import`` process timed whole (``/usr/bin/time``: wall seconds, peak memory) into a
new case made untimed just before; plain and encrypted runs alternate, so both see the same machine load. The
material: the demo's sample files (SMS and call backups, a WhatsApp chat and its media zip, e-mails, a CSV call
log, a diary, voicemail, two screenshots read by OCR) and a generated SMS Backup & Restore file of ``--records``
messages (``bench/import_speed.make_sms_xml``, seeded). The encrypted import includes unlocking the case from
``EVIDENCE_PASSPHRASE`` (argon2id at the default cost, about 0.3-0.5 s here), as a user's command does without
``evidence unlock``. Prints Markdown rows for bench/RESULTS.md.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))

from import_speed import make_sms_xml  # noqa: E402
from scale import evidence, run_timed  # noqa: E402

PASSPHRASE = "bench passphrase: four unrelated words"


def _init(case: Path, *, encrypted: bool) -> list[str]:
    return [
        "sh",
        "-c",
        f'rm -rf "{case}" && "$0" "$@"',
        sys.executable,
        "-m",
        "evidence",
        "init",
        *([] if encrypted else ["--plain"]),
        str(case),
        "--title",
        "bench",
        "--tz",
        "Europe/London",
    ]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--records", type=int, default=20_000)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    import os

    os.environ["EVIDENCE_PASSPHRASE"] = PASSPHRASE
    with tempfile.TemporaryDirectory(prefix="bench-encrypted-") as tmp:
        work = Path(tmp)
        samples = work / "samples"
        subprocess.run(
            [sys.executable, str(ROOT / "samples" / "make_samples.py"), str(samples)],
            check=True,
            capture_output=True,
        )
        files = sorted(p for p in samples.iterdir() if p.is_file() and p.name != "case.json")
        xml = work / "sms-bench.xml"
        make_sms_xml(xml, args.records)
        inputs = [str(p) for p in (*files, xml)]
        times: dict[bool, list[tuple[float, int, str]]] = {False: [], True: []}
        for _ in range(args.runs):
            for encrypted in (False, True):
                case = work / ("secret" if encrypted else "plain")
                subprocess.run(_init(case, encrypted=encrypted), check=True, capture_output=True)
                times[encrypted].append(run_timed(evidence(case, "import", *inputs)))
        plain = statistics.median(t[0] for t in times[False])
        secret = statistics.median(t[0] for t in times[True])
        plain_kib = statistics.median(t[1] for t in times[False])
        secret_kib = statistics.median(t[1] for t in times[True])
        print(f"| import, {len(files)} demo files + {args.records:,} SMS | plain | encrypted | ratio |")
        print("|---|---|---|---|")
        print(
            f"| wall (median of {args.runs}, alternating) | {plain:.2f} s | {secret:.2f} s | "
            f"**{secret / plain:.2f}x** |"
        )
        print(f"| peak RSS | {plain_kib / 1024:.0f} MiB | {secret_kib / 1024:.0f} MiB | |")


if __name__ == "__main__":
    main()
