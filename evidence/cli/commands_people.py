"""Commands on the people of a case and on what the records mean: ``person add|link|unlink|list``,
``tag confirm|reject``, ``relay``, ``attribute``."""

from __future__ import annotations

import argparse

from evidence.cli.common import passphrase_from_env_or_prompt, reading_case, writing_case
from evidence.cli.sanitize import json_text


def cmd_person_add(args: argparse.Namespace) -> int:

    with writing_case(args) as case:
        head = case.add_person(
            args.name,
            role=args.role,
            ids=args.id or (),
            region=args.region,
            basis=args.basis,
            confidence="suspected" if args.suspected else "confirmed",
            passphrase=passphrase_from_env_or_prompt(),
        )
        person = next(p for p in case.people() if p.name == args.name.strip())
        print(
            f"Added {person.name} ({person.role}) with {len(person.links)} identifier(s). Ledger head: {head}"
        )
        for link in person.links:
            print(f"  {link.identifier.kind:<6} {link.identifier.value}  (typed {link.identifier.raw!r})")
    return 0


def cmd_person_link(args: argparse.Namespace) -> int:

    unlink = args.person_command == "unlink"
    with writing_case(args) as case:
        for raw in args.id:
            head = case.link_person(
                args.name,
                raw,
                basis=args.basis,
                confidence="confirmed" if getattr(args, "confirmed", False) else "suspected",
                unlink=unlink,
                passphrase=passphrase_from_env_or_prompt(),
            )
            print(
                f"{'Unlinked' if unlink else 'Linked'} {raw!r} {'from' if unlink else 'to'} {args.name}. Ledger head: {head}"
            )
    return 0


def cmd_person_list(args: argparse.Namespace) -> int:

    with reading_case(args) as case:
        found = case.people()
        if args.json:
            print(json_text([p.to_json() for p in found]))
            return 0
        for person in found:
            print(f"{person.name} ({person.role}, phone region {person.region})")
            for link in person.links:
                basis = f" — {link.basis}" if link.basis else ""
                print(f"  {link.identifier.kind:<6} {link.identifier.value:<28} {link.confidence}{basis}")
    return 0


def cmd_tag_review(args: argparse.Namespace) -> int:

    with writing_case(args) as case:
        head = case.review_tag(
            args.record,
            args.tactic,
            args.decision,
            note=args.note,
            passphrase=passphrase_from_env_or_prompt(),
        )
        print(f"{args.record}: {args.tactic} {args.decision}. Ledger head: {head}")
    return 0


def cmd_attribute(args: argparse.Namespace) -> int:
    with writing_case(args) as case:
        head = case.attribute_record(
            args.record, person=args.to, basis=args.basis, passphrase=passphrase_from_env_or_prompt()
        )
        print(f"{args.record}: attributed by you to {args.to} ({args.basis}). Ledger head: {head}")
    return 0


def cmd_relay(args: argparse.Namespace) -> int:

    with writing_case(args) as case:
        head = case.mark_relayed(
            args.record,
            by=args.by,
            what=args.what,
            on_behalf_of=args.on_behalf_of,
            would_be_witness=args.witness,
            passphrase=passphrase_from_env_or_prompt(),
        )
        print(f"{args.record}: passed on by {args.by}. Ledger head: {head}")
    return 0
