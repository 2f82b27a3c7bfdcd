"""Commands that create a case, change its facts and bring material in: ``init``, ``import``, ``case set``,
``diary add``."""

from __future__ import annotations

import argparse
import os
import sys
from datetime import date
from pathlib import Path

from evidence.cli.common import backup_password_prompt, passphrase_from_env_or_prompt, writing_case
from evidence.cli.output import ProgressBar, import_json, print_recovery_notes
from evidence.cli.sanitize import json_text
from evidence.describe import human_size
from evidence.errors import UsageError
from evidence.timeutil import local_zone_name, zone


def cmd_init(args: argparse.Namespace) -> int:
    from evidence.api import Case

    tz = args.tz or local_zone_name()
    if tz is None:
        raise UsageError("cannot tell this computer's time zone", hint="give one with --tz Europe/London")
    encrypted = not args.plain
    passphrase: str | None = None
    if encrypted or args.passphrase:
        if encrypted and sys.stdin.isatty() and not os.environ.get("EVIDENCE_PASSPHRASE"):
            print(
                "Choose a passphrase for this case: four or more unrelated words are strong and easy to type.\n"
                "Without it nobody can read the case, not even you: write it down somewhere safe.",
                file=sys.stderr,
            )
        passphrase = passphrase_from_env_or_prompt(confirm=True, prompt="New passphrase: ")()
        if not passphrase:
            raise UsageError(
                "no passphrase was given"
                + (" (an encrypted case needs one)" if encrypted else " (--passphrase asks for one)"),
                hint="type one when asked or set EVIDENCE_PASSPHRASE"
                + ("; or add --plain for a case anyone using this computer can read" if encrypted else ""),
            )
        if encrypted:
            from evidence.case.vault import passphrase_strength

            print(f"passphrase: {passphrase_strength(passphrase)}", file=sys.stderr)
    no_contact: date | None = args.no_contact_since
    path = Path(args.dir)
    with Case.init(
        path, title=args.title, tz=tz, passphrase=passphrase, no_contact_since=no_contact, encrypted=encrypted
    ) as case:
        fp = case.public_key.fingerprint
        print(f"Created case {case.title!r} in {case.root}")
        print(f"  time zone: {tz}{'' if args.tz else ' (this computer’s; change with --tz)'}")
        print(f"  signing key fingerprint: {fp}")
        if encrypted:
            print("  encrypted: yes (its database, files and key open only with the passphrase)")
        else:
            print("  encrypted: NO (anyone using this computer can read it)")
            print(f"  key protected by a passphrase: {'yes' if passphrase else 'no'}")
        print("Write the fingerprint down somewhere safe: it lets anyone check the case was not re-signed.")
    return 0


def cmd_import(args: argparse.Namespace) -> int:
    from evidence.models import ImportOptions

    with writing_case(args) as case:
        options = ImportOptions(
            tz=args.tz or str(case.genesis["tz"]),
            tz_from_user=bool(args.tz),
            date_order=args.date_order,
            columns=tuple(args.column or ()),
        )
        if args.tz:
            zone(args.tz)
        bar = ProgressBar.wanted(args.progress)
        try:
            result = case.import_files(
                [Path(p) for p in args.paths],
                options=options,
                passphrase=passphrase_from_env_or_prompt(),
                ocr_progress=bar.update if bar else None,
                backup_password=backup_password_prompt(),
                handed_over=handed_over(args),
            )
        finally:
            if bar:
                bar.close()
        print_recovery_notes(case)
        if args.json:
            print(json_text(import_json(result)))
            return 0
        for item in result.items:
            line = f"{item.exhibit}  {Path(item.path).name}  {item.media_type}  {human_size(item.size)}  sha256 {item.sha256}"
            print(line)
            if item.duplicate_of:
                print(
                    f"    duplicate of {item.duplicate_of}: the same bytes were imported before (recorded again)"
                )
            if item.extension_mismatch:
                m = item.extension_mismatch
                print(f"    note: named {m['extension']} but the content is {m['detected']}")
            if item.importer and not item.duplicate_of:
                read = (
                    f"{item.tally.made} of {item.tally.seen} {item.tally.unit} read, " if item.tally else ""
                )
                print(
                    f"    read as {item.importer}: {read}{item.records} records, {len(item.warnings)} warnings"
                )
                for warning in item.warnings[:10]:
                    print(f"    warning: {warning.locator}: {warning.message}")
        print(f"Imported {len(result.items)} file(s). Ledger head: {result.head}")
    return 0


def cmd_case_set(args: argparse.Namespace) -> int:

    facts = {
        key: value
        for key, value in {
            "title": args.title,
            "no_contact_since": args.no_contact_since.isoformat() if args.no_contact_since else None,
            "police_ref": args.police_ref,
            "protection_order": args.protection_order,
            "relationship": args.relationship,
            "suspect_name": args.suspect_name,
            "suspect_dob": args.suspect_dob.isoformat() if args.suspect_dob else None,
            "suspect_address": args.suspect_address,
            "impact": args.impact,
            "actions_taken": args.actions_taken,
        }.items()
        if value is not None
    }
    with writing_case(args) as case:
        head = case.set_facts(passphrase=passphrase_from_env_or_prompt(), **facts)
        for key, value in facts.items():
            print(f"{key}: {value}")
        print(f"Recorded. Ledger head: {head}")
    return 0


def cmd_diary_add(args: argparse.Namespace) -> int:

    with writing_case(args) as case:
        result = case.add_diary_entry(
            when=args.when,
            text=args.text,
            approximate=args.approx,
            where=args.where,
            witness=args.witness,
            police_ref=args.police_ref,
            passphrase=passphrase_from_env_or_prompt(),
        )
        item = result.items[0]
        print(f"{item.exhibit}  diary entry recorded (sha256 {item.sha256}). Ledger head: {result.head}")
    return 0


def cmd_encrypt(args: argparse.Namespace) -> int:
    from evidence.case.vault import passphrase_strength

    with writing_case(args) as case:
        if case.keys is not None:
            raise UsageError("this case is encrypted already", path=case.root)
        if sys.stdin.isatty() and not os.environ.get("EVIDENCE_PASSPHRASE"):
            print(
                "Choose a passphrase for this case: four or more unrelated words are strong and easy to type.\n"
                "Without it nobody can read the case, not even you: write it down somewhere safe.",
                file=sys.stderr,
            )
        passphrase = passphrase_from_env_or_prompt(confirm=True, prompt="New passphrase: ")()
        if not passphrase:
            raise UsageError("no passphrase was given", hint="type one when asked or set EVIDENCE_PASSPHRASE")
        print(f"passphrase: {passphrase_strength(passphrase)}", file=sys.stderr)
        done = case.encrypt(
            passphrase,
            signing_passphrase=args.passphrase_source,
            progress=lambda what: print(f"  {what}", file=sys.stderr),
        )
    print(f"Encrypted the case in {done.root}: {done.objects} file(s) sealed, the ledger unchanged")
    print(f"  ledger head: {done.head.seq}:{done.head.hash}")
    print(f"  the plain copy was overwritten and removed ({done.shredded} file(s))")
    print(
        "  on an SSD, in backups, snapshots or a synchronised folder, old copies may remain: see the README"
    )
    return 0


def handed_over(args: argparse.Namespace) -> dict[str, str] | None:
    """``--provided-by`` and ``--received-on`` as the acquisition's ``handed_over`` (None when neither is given)."""
    given = {"by": (args.provided_by or "").strip(), "on": args.received_on or ""}
    kept = {key: value for key, value in given.items() if value}
    return kept or None
