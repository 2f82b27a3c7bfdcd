"""Run an image analysis (OCR) over many images at once, in worker processes, before an import's transaction.

Tesseract's own OpenMP threading makes it several times slower on small machines, so every worker runs it
with ``OMP_THREAD_LIMIT=1`` and the parallelism is across images: one process per core
(``os.cpu_count()``). The analysis is any picklable module-level function from a ``Job`` to an outcome; a
job that fails comes back as a message (the importer turns it into the same warning as a failure in-process).
A worker process that dies (killed, out of memory) breaks the pool: the images not finished by then come back
as failures too, never as a lost import; ``evidence ocr`` can read them later. ``progress(done, total)`` is called in the parent
after each image.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from typing import TypeVar

T = TypeVar("T")

Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class Job:
    """One image to analyse: its stored path, its SHA-256, the name it had (for messages) and the settings."""

    path: str
    image_sha256: str
    name: str
    psm: int
    lang: str
    layout: bool = True  # read the screen's layout (bubbles, rows, header); False: one whole-image pass


@dataclass(frozen=True)
class Failed:
    """An image the analysis could not read: why, in one line."""

    message: str


def _limit_threads() -> None:
    os.environ["OMP_THREAD_LIMIT"] = "1"


def worker_count(jobs: int) -> int:
    """Processes to start: one per core, never more than there are images."""
    return max(1, min(os.cpu_count() or 1, jobs))


def run_all(
    analyse: Callable[[Job], T | Failed],
    jobs: Sequence[Job],
    *,
    progress: Progress | None = None,
    workers: int | None = None,
) -> dict[str, T | Failed]:
    """Analyse every job (in worker processes when there are several), keyed by image SHA-256.

    When a worker process dies, every image not finished by then fails with a message; finished ones count. One job runs in this process: starting a pool would cost more than it saves.
    """
    total = len(jobs)
    outcomes: dict[str, T | Failed] = {}
    if progress:
        progress(0, total)
    count = workers or worker_count(total)
    if total <= 1 or count <= 1:
        for job in jobs:
            outcomes[job.image_sha256] = analyse(job)
            if progress:
                progress(len(outcomes), total)
        return outcomes
    with ProcessPoolExecutor(max_workers=count, initializer=_limit_threads) as pool:
        pending: dict[Future[T | Failed], Job] = {pool.submit(analyse, job): job for job in jobs}
        while pending:
            done, _ = wait(pending, return_when=FIRST_COMPLETED)
            for future in done:
                job = pending.pop(future)
                try:
                    outcomes[job.image_sha256] = future.result()
                except BrokenProcessPool:
                    outcomes[job.image_sha256] = Failed("the OCR worker process died")
                if progress:
                    progress(len(outcomes), total)
    return outcomes
