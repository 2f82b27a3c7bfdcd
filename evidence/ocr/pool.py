"""Run an image analysis (OCR) over many images at once, in worker processes, before an import's transaction.

Tesseract's own OpenMP threading makes it several times slower on small machines, so every worker runs it
with ``OMP_THREAD_LIMIT=1`` and the parallelism is across images: one process per core
(``os.cpu_count()``). The analysis is any picklable module-level function from a ``Job`` to an outcome; a
job that fails comes back as a message (the importer turns it into the same warning as a failure in-process).
A worker process that dies (killed, out of memory) breaks the pool: the images not finished by then come back
as failures too, never as a lost import; ``evidence ocr`` can read them later. ``progress(done, total)`` is called in the parent
after each image.

A job may be given without its image (``Job.data``) and ``load`` fill it just before it is sent to a worker:
at most two jobs per worker wait in the pool, so the pictures of a large ``evidence ocr`` are read from the case
as the work goes, never all held in memory at once.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from typing import TypeVar

T = TypeVar("T")

Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class Job:
    """One image to analyse: where it is, its SHA-256, the name it had (for messages) and the settings.

    The image is ``data`` when set (a picture of the case, decrypted in memory and handed to the worker through
    the pool's pipe, never through a file), else the file at ``path`` (an import's original, outside the case).
    """

    path: str | None
    image_sha256: str
    name: str
    psm: int
    lang: str
    layout: bool = True  # read the screen's layout (bubbles, rows, header); False: one whole-image pass
    data: bytes | None = field(default=None, repr=False)


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
    load: Callable[[Job], Job] | None = None,
) -> dict[str, T | Failed]:
    """Analyse every job (in worker processes when there are several), keyed by image SHA-256; ``load`` (see
    the module docstring) is called on each job just before it runs.

    When a worker process dies, every image not finished by then fails with a message; finished ones count.
    One job runs in this process: starting a pool would cost more than it saves.
    """
    ready = load or (lambda job: job)
    total = len(jobs)
    outcomes: dict[str, T | Failed] = {}
    if progress:
        progress(0, total)
    count = workers or worker_count(total)
    if total <= 1 or count <= 1:
        for job in jobs:
            outcomes[job.image_sha256] = analyse(ready(job))
            if progress:
                progress(len(outcomes), total)
        return outcomes
    waiting = iter(jobs)
    with ProcessPoolExecutor(max_workers=count, initializer=_limit_threads) as pool:
        pending: dict[Future[T | Failed], Job] = {}
        while True:
            while len(pending) < 2 * count and (queued := next(waiting, None)) is not None:
                pending[_submit(pool, analyse, ready, queued)] = queued
            if not pending:
                break
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


def _submit(
    pool: ProcessPoolExecutor, analyse: Callable[[Job], T | Failed], ready: Callable[[Job], Job], job: Job
) -> Future[T | Failed]:
    """Submit one job, loaded; a pool already broken gives a future that fails as a dead worker does."""
    try:
        return pool.submit(analyse, ready(job))
    except BrokenProcessPool as exc:
        failed: Future[T | Failed] = Future()
        failed.set_exception(exc)
        return failed
