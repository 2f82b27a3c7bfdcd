"""Commands that write something for others and record it: ``report`` (the PDF), ``export`` (the bundle),
``anchor`` (an RFC 3161 timestamp of the ledger head)."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from evidence.cli.common import passphrase_from_env_or_prompt, writing_case
from evidence.cli.output import print_recovery_notes
from evidence.describe import human_size
from evidence.errors import UsageError
from evidence.timeutil import display


def _refuse_existing(output: str, overwrite: bool) -> None:
    """A report or bundle already written may have been handed over: never replace one without being told."""
    if Path(output).exists() and not overwrite:
        raise UsageError(
            f"{output} already exists (a copy of it may have been handed over already)",
            hint="choose another name, or add --overwrite to replace it (the ledger keeps the old one's hash)",
        )


def cmd_report(args: argparse.Namespace) -> int:

    _refuse_existing(args.output, args.overwrite)
    with writing_case(args) as case:
        written = case.report(
            Path(args.output),
            profile=args.profile,
            templates=Path(args.templates) if args.templates else None,
            generated_at=args.generated_at,
            bates_prefix=args.bates_prefix,
            passphrase=passphrase_from_env_or_prompt(),
            sign=args.sign,
            tsa=args.tsa,
            since=args.since,
            until=args.until,
            person=args.person,
            redact=args.redact,
            computer_details=args.computer_details,
        )
        print_recovery_notes(case)
        print(f"Report written: {written.path} ({human_size(written.size)}, sha256 {written.sha256})")
        if args.sign:
            level = "PAdES B-T, timestamped by " + args.tsa if args.tsa else "PAdES B-B"
            print(
                f"  signed with the case's report key ({level}; ECDSA P-256, derived from and endorsed by the "
                "case key, so PDF readers can check it); certificate in keys/case.crt"
            )
        print(f"  built from ledger head {written.built_from}")
        print(f"  recorded as ledger entry {written.entry}")
    return 0


def cmd_export(args: argparse.Namespace) -> int:

    _refuse_existing(args.output, args.overwrite)
    with writing_case(args) as case:
        written = case.export(
            Path(args.output),
            exhibits=args.exhibits.split(",") if args.exhibits else None,
            report=Path(args.report) if args.report else None,
            recipient=args.recipient,
            medium=args.medium,
            passphrase=passphrase_from_env_or_prompt(),
            **_export_filters(args),
        )
        print_recovery_notes(case)
        print(f"Bundle written: {written.path} ({human_size(written.size)}, sha256 {written.sha256})")
        if written.selective:
            print(
                f"  {written.files} files; only the chosen exhibits' ledger entries, each with a Merkle proof"
            )
        else:
            print(f"  {written.files} files; {written.withheld} exhibit(s) withheld (listed by hash)")
        print(f"  built from ledger head {written.built_from}")
        print(f"  recorded as ledger entry {written.entry}")
        print(f"  the recipient checks it with: evidence verify {written.path.name} (see VERIFY.txt inside)")
    return 0


def _export_filters(args: argparse.Namespace) -> dict[str, Any]:
    """The selective-disclosure options of ``export`` (timeline's filters, --full-ledger)."""
    return {
        "since": args.since,
        "until": args.until,
        "person": args.person,
        "full_ledger": args.full_ledger,
    }


def cmd_anchor(args: argparse.Namespace) -> int:

    with writing_case(args) as case:
        done = case.anchor(
            args.tsa,
            tsa_cert=Path(args.tsa_cert) if args.tsa_cert else None,
            passphrase=passphrase_from_env_or_prompt(),
        )
        print(f"Anchored ledger head {done.covers}: a signed checkpoint of entries 1-{done.covers.seq - 1}")
        print(f"  time per the TSA: {display(done.gen_time, case.tz)} ({done.gen_time.isoformat()})")
        print(f"  TSA: {done.tsa_name or done.url}, serial {done.serial}")
        if done.chain_checked:
            print("  the TSA's certificate chains to the trust anchor given (--tsa-cert)")
        else:
            print("  warning: no --tsa-cert given: the TSA's certificate chain was NOT checked (recorded so)")
        print(f"  recorded as ledger entry {done.entry}")
    return 0
