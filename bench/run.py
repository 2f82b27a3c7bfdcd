"""Benchmarks, each against an anchor measured in the same run. Prints a Markdown table.

    .venv/bin/python bench/run.py [--objects-mib N] [--entries N] [--sms N] [--emails N]

- verify: `verify_case` over a case of many 50-500 KB objects plus a few large ones, against `sha256sum` over
  the same files (warm cache: both run once before timing).
- Wall times are the best of the runs; CPU (user + system, this process and the verifier's worker processes) is
  that run's, given beside it (on a shared machine the wall time moves with the load, the CPU time much less).
- chain: `verify_case` over a case of N entries, each naming a tiny object (so the ledger checks: canonical form,
  hashes, chain, signatures, plus N objects and the index replay), against hashing the same bodies with hashlib
  alone (the floor of any chain check). The case is built directly through `ledger.append` in one transaction
  (importing N files would take most of the run), then verified once to warm the cache before timing.
- import: an SMS Backup & Restore XML of 100,000 messages and an mbox of 10,000 e-mails, imported and merely
  parsed with the standard library, each in a fresh interpreter (``bench/import_speed.py``).

- ocr: ``bench/ocr_speed.py`` (``--ocr-images N``, 0 to skip): OCR of N screenshots through the import against the
  ``tesseract`` command one image at a time, then a re-import and ``Case.ocr`` counting tesseract runs (none).

`make bench` runs them at the issue's sizes (1 GiB of objects, 100,000 entries, 100,000 SMS, 10,000 e-mails,
100 screenshots).
- report: ``bench/report_speed.py`` (the report of a 10,000-record case with 300 screenshots; see its docstring).
"""

from __future__ import annotations

import argparse
import os
import random
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.import_speed import bench_import
from evidence.api import Case
from evidence.verify.case import verify_case


def _cpu() -> float:
    """CPU seconds (user + system) of this process and of its waited-for children (the verifier's workers)."""
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def timed(fn: object, repeat: int = 3) -> float:
    return timed_cpu(fn, repeat)[0]


def timed_cpu(fn: object, repeat: int = 3) -> tuple[float, float]:
    """The best wall time of ``repeat`` runs, and the CPU seconds of that run: on a busy machine (2 cores shared
    by other work) wall time moves with the load, CPU time much less."""
    best, best_cpu = float("inf"), 0.0
    for _ in range(repeat):
        start, cpu = time.perf_counter(), _cpu()
        fn()  # type: ignore[operator]
        wall = time.perf_counter() - start
        if wall < best:
            best, best_cpu = wall, _cpu() - cpu
    return best, best_cpu


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
    t_sum, c_sum = timed_cpu(run_sha256sum)
    t_ver, c_ver = timed_cpu(run_verify)
    mib = sum(sizes) / 1024 / 1024
    return [
        f"| verify, {len(objects)} objects, {mib:.0f} MiB, {n_entries} entries | {t_ver:.2f} s "
        f"({mib / t_ver:.0f} MiB/s; CPU {c_ver:.2f} s) | sha256sum: {t_sum:.2f} s ({mib / t_sum:.0f} MiB/s; "
        f"CPU {c_sum:.2f} s) | {t_sum / t_ver:.2f}x |"
    ]


def build_ledger(root: Path, n: int) -> None:
    """A case of ``n`` item.acquired entries, each naming a tiny object of its own.

    Built directly, for speed: the objects are written into the store without staging or fsync, and the entries
    appended through ``ledger.append`` with the case key and indexed through ``index.apply``, all in one
    transaction (what an import does for each file, minus the file-type detection and the per-import
    journal). ``verify`` checks the result like any other case.
    """
    import hashlib

    from evidence.api import actor, tool_info
    from evidence.case import index, ledger
    from evidence.timeutil import iso_utc, local_now_description, utc_now

    case = Case.init(root, title="chain", tz="UTC")
    key = case._signing_key(None)
    conn = case.conn
    base = root / "objects" / "sha256"
    op = "bench-" + os.urandom(8).hex()
    now = utc_now()
    common = {"acquired_local": local_now_description(now), "imported_by": actor(), "tool": tool_info()}
    conn.execute("BEGIN IMMEDIATE")
    for i in range(n):
        data = f"entry {i}".encode()
        sha = hashlib.sha256(data).hexdigest()
        shard = base / sha[:2]
        shard.mkdir(exist_ok=True)
        path = shard / sha
        path.write_bytes(data)
        os.chmod(path, 0o444)
        body = {
            "op": op,
            "exhibit": index.exhibit_label(i + 1),
            "duplicate_of": None,
            "sha256": sha,
            "size": len(data),
            "media_type": "text/plain",
            "extension_mismatch": False,
            "original_name": f"{i:06d}.txt",
            "original_path": f"/bench/{i:06d}.txt",
            "file_mtime": iso_utc(now),
            "file_mtime_ns": str(int(now.timestamp()) * 1_000_000_000),
            **common,
            "objects": [{"sha256": sha, "role": "original", "size": len(data)}],
        }
        entry = ledger.append(conn, key, "item.acquired", body)
        index.apply(conn, entry, body, case.store.read_bytes)
    conn.execute("COMMIT")
    case.close()


def bench_chain(workdir: Path, n: int) -> list[str]:
    import hashlib
    import sqlite3

    start = time.perf_counter()
    build_ledger(workdir / "chain", n)
    t_build = time.perf_counter() - start
    db = workdir / "chain" / "evidence.db"

    def run_verify() -> None:
        report = verify_case(workdir / "chain")
        assert report.ok, report.findings[:3]
        assert report.checked["entries"] == n + 1, report.checked

    def run_hash_only() -> None:
        conn = sqlite3.connect(db)
        for (body,) in conn.execute("SELECT body FROM ledger ORDER BY seq"):
            hashlib.sha256(body.encode()).digest()
        conn.close()

    run_verify()  # warm cache
    t_ver, c_ver = timed_cpu(run_verify, repeat=1)
    t_floor = timed(run_hash_only, repeat=1)
    print(f"(ledger of {n + 1} entries built in {t_build:.1f} s)", file=sys.stderr)
    return [
        f"| verify, ledger of {n + 1} entries ({n} tiny objects) | {t_ver:.2f} s ({(n + 1) / t_ver:,.0f} entries/s; "
        f"CPU {c_ver:.2f} s) | read + SHA-256 of the bodies only: {t_floor:.3f} s | {t_floor / t_ver:.3f}x |"
    ]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--objects-mib", type=int, default=1024)
    parser.add_argument("--entries", type=int, default=100_000)
    parser.add_argument(
        "--ocr-images", type=int, default=100, help="screenshots for bench/ocr_speed.py (0: skip)"
    )
    parser.add_argument("--sms", type=int, default=100_000)
    parser.add_argument("--emails", type=int, default=10_000)
    args = parser.parse_args()
    rows = ["| benchmark | evidence | anchor (same run) | ratio anchor/evidence |", "|---|---|---|---|"]
    with tempfile.TemporaryDirectory(prefix="evidence-bench-") as tmp:
        work = Path(tmp)
        rows += bench_verify(work, args.objects_mib)
        shutil.rmtree(work / "case")
        shutil.rmtree(work / "src")
        rows += bench_chain(work, args.entries)
        shutil.rmtree(work / "chain")
        rows += bench_import(work, args.sms, args.emails)
    if args.ocr_images:
        rows += _bench_ocr(args.ocr_images)
    print("\n".join(rows))


def _bench_ocr(images: int) -> list[str]:
    """bench/ocr_speed.py (OCR images/s against tesseract one at a time; re-import and re-OCR run no tesseract)."""
    from bench.ocr_speed import bench_ocr

    with tempfile.TemporaryDirectory(prefix="evidence-bench-ocr-") as tmp:
        return bench_ocr(Path(tmp), images, threaded_sample=10)


if __name__ == "__main__":
    main()
