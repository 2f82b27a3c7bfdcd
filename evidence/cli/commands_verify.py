"""``verify``: a case folder, an export bundle or a signed report, dispatched on what the target is.

The verifier is imported only for the kind of target given: a case folder does not load the report or bundle
checks (the report check needs the PDF libraries). An encrypted case (its own, or the one a report is checked
against) is unlocked first, as every command unlocks it: a missing or wrong passphrase exits 5."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING

from evidence.cli.common import case_dir
from evidence.cli.output import print_report
from evidence.errors import CaseError, ExitCode, UsageError

if TYPE_CHECKING:
    from evidence.case.vault import CaseKeys
    from evidence.verify import Report


def _report_case(args: argparse.Namespace) -> Path | None:
    """The case a report is checked against: -C, else $EVIDENCE_CASE or the current folder, else none."""
    from evidence.api import find_case

    if args.case:
        return find_case(Path(args.case))
    try:
        return find_case(None)
    except CaseError:
        return None


def _unlock(root: Path, args: argparse.Namespace) -> CaseKeys | None:
    """An encrypted case's keys, unlocked as every command unlocks them (the passphrase asked for, or from
    $EVIDENCE_PASSPHRASE, or from a running ``evidence unlock``): ``PassphraseError`` (exit 5) when it is missing
    or wrong; None for a plain case. A case whose ``keys/vault.json`` is gone is checked as it stands (the
    verifier says what is missing)."""
    from evidence.case import vault
    from evidence.case.folder import unlock_case

    try:
        return unlock_case(root, args.passphrase_source)
    except CaseError:
        if vault.is_encrypted(root):
            raise  # a damaged vault: the one line names it
        # No vault (removed, or destroyed with the signing key): nothing can be unlocked, and the verifier
        # says what is gone and what cannot be read (VAULT_MISSING, DATABASE_UNREADABLE).
        return None


def _exit(report: Report, args: argparse.Namespace) -> int:
    """0 when intact; with ``--strict`` also only when there is no warning (for scripts that read only the
    exit code: a self-asserted timestamp or replaced triggers are warnings)."""
    failed = not report.ok or (args.strict and bool(report.findings))
    return ExitCode.VERIFY_FAILED if failed else ExitCode.OK


def cmd_verify(args: argparse.Namespace) -> int:
    if args.target and not Path(args.target).exists():
        raise UsageError(
            f"{args.target}: no such file or folder",
            hint="give a case folder, an export bundle (.zip) or a report (.pdf)",
        )
    if args.target and Path(args.target).is_file():
        # Only a file can be a report or a bundle (both checks say no to anything else), so a case folder
        # loads neither module: the report check needs the PDF libraries.
        from evidence.verify.report import is_report, verify_report

        if is_report(Path(args.target)):
            case_root = _report_case(args)
            report = verify_report(
                Path(args.target),
                case_root,
                heads=args.head or (),
                expect_key=args.expect_key,
                keys=_unlock(case_root, args) if case_root is not None else None,
            )
            print_report(report, args.json)
            return _exit(report, args)
        from evidence.verify.bundle import is_bundle, verify_bundle

        if is_bundle(Path(args.target)):
            report = verify_bundle(Path(args.target), heads=args.head or (), expect_key=args.expect_key)
            print_report(report, args.json)
            return _exit(report, args)
    # Not through evidence.api: a case's check needs none of the use cases it loads (reports, export, anchors).
    from evidence.case.folder import find_case
    from evidence.verify.case import verify_case

    root = find_case(Path(args.target)) if args.target else find_case(case_dir(args))
    report = verify_case(root, heads=args.head or (), expect_key=args.expect_key, keys=_unlock(root, args))
    print_report(report, args.json)
    return _exit(report, args)
