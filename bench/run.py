"""Benchmarks, each against an anchor measured in the same run. Prints a Markdown table.

    .venv/bin/python bench/run.py [--objects-mib N] [--entries N]

- verify: `verify_case` over a case of many 50-500 KB objects plus a few large ones, against `sha256sum` over
  the same files (warm cache: both run once before timing).
- chain: the ledger checks (canonical form, hashes, chain, signatures) of N entries, against hashing the same
  bodies with hashlib alone (the floor of any chain check).
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from evidence.api import Case
from evidence.verify.case import verify_case


def timed(fn: object, repeat: int = 3) -> float:
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        fn()  # type: ignore[operator]
        best = min(best, time.perf_counter() - start)
    return best


def bench_verify(workdir: Path, total_mib: int) -> list[str]:
    rng = random.Random(1234)
    src = workdir / "src"
    src.mkdir()
    big = max(1, total_mib // 10)  # a few large files make up ~30% of the bytes
    sizes = [big * 1024 * 1024] * 3
    remaining = total_mib * 1024 * 1024 - sum(sizes)
    while remaining > 0:
        size = min(remaining, rng.randint(50_000, 500_000))
        sizes.append(size)
        remaining -= size
    for i, size in enumerate(sizes):
        (src / f"f{i:05d}.bin").write_bytes(os.urandom(size))
    case = Case.init(workdir / "case", title="bench", tz="UTC")
    case.import_files([src])
    n_entries = case.head().seq
    case.close()
    objects = sorted(p for p in (workdir / "case" / "objects" / "sha256").rglob("*") if p.is_file())
    listing = workdir / "files.txt"
    listing.write_text("\n".join(str(p) for p in objects))

    def run_sha256sum() -> None:
        subprocess.run(["bash", "-c", f"xargs -a {listing} -d '\\n' sha256sum > /dev/null"], check=True)

    def run_verify() -> None:
        report = verify_case(workdir / "case")
        assert report.ok, report.findings[:3]

    run_sha256sum()
    run_verify()
    t_sum = timed(run_sha256sum)
    t_ver = timed(run_verify)
    mib = sum(sizes) / 1024 / 1024
    return [
        f"| verify, {len(objects)} objects, {mib:.0f} MiB, {n_entries} entries | {t_ver:.2f} s "
        f"({mib / t_ver:.0f} MiB/s) | sha256sum: {t_sum:.2f} s ({mib / t_sum:.0f} MiB/s) | {t_sum / t_ver:.2f}x |"
    ]


def bench_chain(workdir: Path, n: int) -> list[str]:
    import hashlib
    import sqlite3

    src = workdir / "chain-src"
    src.mkdir()
    for i in range(n):
        (src / f"{i:06d}.txt").write_text(f"entry {i}")
    case = Case.init(workdir / "chain", title="chain", tz="UTC")
    case.import_files([src])
    case.close()
    db = workdir / "chain" / "evidence.db"

    def run_verify() -> None:
        assert verify_case(workdir / "chain").ok

    def run_hash_only() -> None:
        conn = sqlite3.connect(db)
        for (body,) in conn.execute("SELECT body FROM ledger ORDER BY seq"):
            hashlib.sha256(body.encode()).digest()
        conn.close()

    t_ver = timed(run_verify, repeat=1)
    t_floor = timed(run_hash_only, repeat=1)
    return [
        f"| verify, ledger of {n + 1} entries ({n} tiny objects) | {t_ver:.2f} s ({(n + 1) / t_ver:,.0f} entries/s) "
        f"| read + SHA-256 of the bodies only: {t_floor:.3f} s | {t_floor / t_ver:.3f}x |"
    ]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--objects-mib", type=int, default=1024)
    parser.add_argument("--entries", type=int, default=100_000)
    args = parser.parse_args()
    rows = ["| benchmark | evidence | anchor (same run) | ratio anchor/evidence |", "|---|---|---|---|"]
    with tempfile.TemporaryDirectory(prefix="evidence-bench-") as tmp:
        work = Path(tmp)
        rows += bench_verify(work, args.objects_mib)
        shutil.rmtree(work / "case")
        shutil.rmtree(work / "src")
        rows += bench_chain(work, args.entries)
    print("\n".join(rows))


if __name__ == "__main__":
    main()
