"""Outputs are made only from a case that verifies: the check a report or an export bundle runs first.

A report and a bundle read the case's index tables (the timeline, the exhibits), which nobody signs; someone
with write access to the folder can forge a row there (red-team A04: a record injected behind a swapped
index). ``evidence verify`` compares those tables in full with a replay of the signed ledger and blobs, so
running it first, under the writer lock, means nothing goes into a court document that the signed originals
do not say. Warnings (an interrupted import's leftovers, an outdated index) do not stop an output.
"""

from __future__ import annotations

from evidence.case.folder import CaseFolder
from evidence.errors import CaseError
from evidence.verify import ERROR


def require_intact(case: CaseFolder, what: str) -> None:
    """Raise a CaseError naming the problems when the case does not verify; ``what`` is the output refused."""
    from evidence.verify.case import verify_case

    report = verify_case(case.root, keys=case.keys)
    if report.ok:
        return
    codes = sorted({f.code for f in report.findings if f.severity == ERROR})
    raise CaseError(
        f"the case does not verify ({', '.join(codes)}); no {what} was written",
        path=case.root,
        hint="run 'evidence verify' to see every problem",
    )
