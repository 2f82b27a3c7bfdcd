"""Verify of an encrypted case against the same material in a plain case (issue 19's target: <= 1.5x).

    .venv/bin/python bench/encrypted_verify.py [--corpus /work/shared/corpus] [--runs 5] [--copies N]
    .venv/bin/python bench/encrypted_verify.py --sms 100000 [--runs 5]   # the scale benchmark's 100k case

The material is the shared corpus (real exports, e-mails and messages written by others: see its SOURCES.md),
every file of it but pictures (a picture is OCR'd at import, which is not what is measured here), imported
into two new cases made the same way, one plain and one encrypted (the default passphrase cost, as a user's).
``--copies N`` imports N copies of that material, each file with a line of its own appended
so that every copy is a new object (a larger case of the same kinds of files). ``--sms N`` uses instead one
SMS Backup & Restore file of N messages made by ``bench/import_speed.make_sms_xml`` (the scale benchmark's).

Measured, alternating plain and encrypted in the same run, ``--runs`` times each (after one run of each not
counted), the median wall time:

- the whole process, ``python -m evidence verify CASE`` (wall time, and its CPU time, user + system, of the
  command and its workers: steadier than wall time on a busy machine) (the encrypted case's passphrase in
  ``EVIDENCE_PASSPHRASE``: the argon2id unlock is part of it, as for a user);
- ``verify_case`` alone, in this process (keys already unlocked): the checks themselves;
- the unlock alone (``vault.unlock``), the fixed cost of every command of an encrypted case;
- the whole process again with the case unlocked by ``evidence unlock`` (its agent holds the key: no
  passphrase stretching in the command), as a user working through a session would run it.
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from evidence.api import Case  # noqa: E402
from evidence.case import vault  # noqa: E402
from evidence.verify.case import verify_case  # noqa: E402

PASSPHRASE = "bench passphrase of four words"
PICTURES = {".png", ".jpg", ".jpeg", ".gif", ".webp", ".heic", ".bmp", ".tif", ".tiff"}


def material(corpus: Path, copies: int, work: Path) -> list[Path]:
    """The corpus's files but pictures and its notes, ``copies`` times (copies made distinct)."""
    files = sorted(
        p
        for p in corpus.rglob("*")
        if p.is_file()
        and p.suffix.lower() not in PICTURES
        and not p.name.startswith(".")
        and p.parent != corpus
        and "screenshots" not in p.parts
    )
    if copies <= 1:
        return files
    out: list[Path] = []
    for n in range(copies):
        folder = work / f"copy{n}"
        for path in files:
            target = folder / path.relative_to(corpus)
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(path, target)
            if n:
                with open(target, "ab") as fh:
                    fh.write(f"\n<!-- copy {n} -->\n".encode())
            out.append(target)
    return out


def build(root: Path, files: list[Path], *, encrypted: bool) -> tuple[int, int]:
    """A new case of ``files`` (each imported on its own: a file no importer takes is skipped); its entry
    and object counts."""
    with Case.init(
        root,
        title="bench",
        tz="Europe/London",
        passphrase=PASSPHRASE if encrypted else None,
        encrypted=encrypted,
    ) as case:
        for path in files:
            try:
                case.import_files([path])
            except Exception as exc:  # noqa: BLE001 - a benchmark's material: skip what does not import
                print(f"  skipped {path.name}: {str(exc)[:80]}", file=sys.stderr)
        entries = case.head().seq
    report = verify_case(root, keys=vault.unlock(root / "keys", PASSPHRASE) if encrypted else None)
    assert report.ok and not report.findings, [str(f) for f in report.findings]
    return entries, report.checked["objects"]


def child_cpu() -> float:
    """CPU seconds (user + system) of the finished child processes so far."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def timed(run: object) -> float:
    start = time.perf_counter()
    run()  # type: ignore[operator]
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--corpus", type=Path, default=Path("/work/shared/corpus"))
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--copies", type=int, default=1)
    parser.add_argument("--sms", type=int, default=0, help="one generated SMS file of this many messages")
    parser.add_argument("--keep", type=Path, help="build the two cases in this folder (reused when there)")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="bench-encrypted-") as tmp:
        work = args.keep or Path(tmp)
        plain, secret = work / "plain", work / "encrypted"
        if not (plain.exists() and secret.exists()):
            if args.sms:
                from bench.import_speed import make_sms_xml

                (work / "material").mkdir(parents=True, exist_ok=True)
                files = [work / "material" / "sms.xml"]
                make_sms_xml(files[0], args.sms)
            else:
                files = material(args.corpus, args.copies, work / "material")
            size = sum(p.stat().st_size for p in files)
            print(f"material: {len(files)} files, {size / 1e6:.1f} MB ({args.corpus}, pictures left out)")
            t = timed(lambda: print("plain:", build(plain, files, encrypted=False)))
            print(f"  built in {t:.1f} s")
            t = timed(lambda: print("encrypted:", build(secret, files, encrypted=True)))
            print(f"  built in {t:.1f} s")
        for name in ("plain", "encrypted"):
            folder = work / name
            total = sum(p.stat().st_size for p in folder.rglob("*") if p.is_file())
            print(f"  {name} folder: {total / 1e6:.1f} MB")

        env = {k: v for k, v in os.environ.items() if k not in {"EVIDENCE_CASE", "EVIDENCE_PASSPHRASE"}}
        env["PYTHONPATH"] = str(ROOT)
        secret_env = {**env, "EVIDENCE_PASSPHRASE": PASSPHRASE}

        cpu: dict[str, list[float]] = {"cli plain": [], "cli encrypted": []}

        def cli(case: Path, environment: dict[str, str], into: str | None = None) -> None:
            before = child_cpu()
            subprocess.run(
                [sys.executable, "-m", "evidence", "verify", str(case)],
                env=environment,
                check=True,
                capture_output=True,
            )
            if into is not None:
                cpu[into].append(child_cpu() - before)

        keys = vault.unlock(secret / "keys", PASSPHRASE)
        runs: dict[str, list[float]] = {
            k: [] for k in ("cli plain", "cli encrypted", "lib plain", "lib encrypted", "cli unlocked")
        }
        unlocks: list[float] = []
        for i in range(args.runs + 1):
            counted = bool(i)  # the first round warms the caches and is not counted
            measured = {
                "cli plain": timed(lambda: cli(plain, env, "cli plain" if counted else None)),  # noqa: B023
                "cli encrypted": timed(
                    lambda: cli(secret, secret_env, "cli encrypted" if counted else None)  # noqa: B023
                ),
                "lib plain": timed(lambda: verify_case(plain)),
                "lib encrypted": timed(lambda: verify_case(secret, keys=keys)),
            }
            unlock = timed(lambda: vault.unlock(secret / "keys", PASSPHRASE))
            if i:  # the first round warms the caches and is not counted
                for name, seconds in measured.items():
                    runs[name].append(seconds)
                unlocks.append(unlock)
        # Then the case unlocked by 'evidence unlock' (its agent holds the key: no passphrase stretching in the
        # command), against the plain case again, alternating.
        subprocess.run(
            [sys.executable, "-m", "evidence", "-C", str(secret), "unlock", "--idle", "30"],
            env=secret_env,
            check=True,
            capture_output=True,
        )
        plain_again: list[float] = []
        for i in range(args.runs + 1):
            pair = (timed(lambda: cli(plain, env)), timed(lambda: cli(secret, env)))
            if i:
                plain_again.append(pair[0])
                runs["cli unlocked"].append(pair[1])
        subprocess.run(
            [sys.executable, "-m", "evidence", "-C", str(secret), "lock"],
            env=env,
            check=True,
            capture_output=True,
        )
        median = {name: statistics.median(values) for name, values in runs.items()}
        print(f"median of {args.runs} (seconds):")
        for what in ("cli", "lib"):
            p, e = median[f"{what} plain"], median[f"{what} encrypted"]
            label = "whole process" if what == "cli" else "verify_case  "
            print(f"  {label}  plain {p:6.2f}  encrypted {e:6.2f}  ratio {e / p:4.2f}x")
        p, e = statistics.median(cpu["cli plain"]), statistics.median(cpu["cli encrypted"])
        print(f"  whole process, CPU time    plain {p:6.2f}  encrypted {e:6.2f}  ratio {e / p:4.2f}x")
        p, e = statistics.median(plain_again), median["cli unlocked"]
        print(
            f"  whole process, unlocked by 'evidence unlock'  plain {p:6.2f}  encrypted {e:6.2f}  ratio {e / p:4.2f}x"
        )
        print(f"  unlock (argon2id, default cost)  {statistics.median(unlocks):.2f}")
        print("  all runs:", {k: [round(v, 2) for v in vs] for k, vs in runs.items()})


if __name__ == "__main__":
    main()
