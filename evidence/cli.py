"""The command line: argparse over ``evidence.api``. The only place that prints and maps errors to exit codes."""

from __future__ import annotations

import argparse
import getpass
import json
import os
import re
import sys
import traceback
from collections.abc import Callable, Sequence
from datetime import date, datetime
from pathlib import Path
from typing import Any

from evidence import __version__
from evidence.api import Case, find_case
from evidence.describe import describe, human_size
from evidence.errors import CaseError, EvidenceError, ExitCode, UsageError
from evidence.models import ImportOptions
from evidence.timeutil import display, local_zone_name, parse_iso, zone
from evidence.verify import Report
from evidence.verify.bundle import is_bundle, verify_bundle
from evidence.verify.case import verify_case
from evidence.verify.report import is_report, verify_report


def _passphrase_from_env_or_prompt(confirm: bool = False) -> Callable[[], str | None]:
    def get() -> str | None:
        env = os.environ.get("EVIDENCE_PASSPHRASE")
        if env:
            return env
        if not sys.stdin.isatty():
            return None
        first = getpass.getpass("Passphrase for the case's signing key: ")
        if confirm:
            second = getpass.getpass("Same passphrase again: ")
            if first != second:
                raise UsageError("the two passphrases differ", hint="run the command again")
        return first or None

    return get


def _case_dir(args: argparse.Namespace) -> Path | None:
    return Path(args.case) if args.case else None


class ProgressBar:
    """``OCR 12/100 images [=====     ]`` on stderr, redrawn in place; the library only calls ``update``."""

    WIDTH = 30

    def __init__(self, label: str = "OCR", stream: Any = None) -> None:
        self.label = label
        self.stream = stream if stream is not None else sys.stderr
        self.drawn = False

    @classmethod
    def wanted(cls, forced: bool) -> ProgressBar | None:
        """A bar when ``--progress`` was given or stderr is a terminal, else None."""
        return cls() if forced or sys.stderr.isatty() else None

    def update(self, done: int, total: int) -> None:
        """Draw ``done`` of ``total`` images."""
        if total <= 0:
            return
        filled = self.WIDTH * done // total
        bar = "=" * filled + " " * (self.WIDTH - filled)
        self.stream.write(f"\r{self.label} {done}/{total} images [{bar}]")
        self.stream.flush()
        self.drawn = True

    def close(self) -> None:
        """End the bar's line (when one was drawn)."""
        if self.drawn:
            self.stream.write("\n")
            self.stream.flush()


# -- commands --------------------------------------------------------------------------------------------


def cmd_init(args: argparse.Namespace) -> int:
    tz = args.tz or local_zone_name()
    if tz is None:
        raise UsageError("cannot tell this computer's time zone", hint="give one with --tz Europe/London")
    passphrase = _passphrase_from_env_or_prompt(confirm=True)() if args.passphrase else None
    if args.passphrase and not passphrase:
        raise UsageError(
            "--passphrase given but no passphrase typed", hint="set EVIDENCE_PASSPHRASE or type one"
        )
    no_contact: date | None = args.no_contact_since
    path = Path(args.dir)
    with Case.init(path, title=args.title, tz=tz, passphrase=passphrase, no_contact_since=no_contact) as case:
        fp = case.public_key.fingerprint
        print(f"Created case {case.title!r} in {case.root}")
        print(f"  time zone: {tz}{'' if args.tz else ' (this computer’s; change with --tz)'}")
        print(f"  signing key fingerprint: {fp}")
        print(f"  key protected by a passphrase: {'yes' if passphrase else 'no'}")
        print("Write the fingerprint down somewhere safe: it lets anyone check the case was not re-signed.")
    return 0


def _column_pair(text: str) -> tuple[str, str]:
    field, sep, name = text.partition("=")
    if not sep or not field.strip() or not name.strip():
        raise argparse.ArgumentTypeError(f"{text!r} is not FIELD=NAME (e.g. date=Call date)")
    return field.strip().lower(), name.strip()


def _print_recovery_notes(case: Case) -> None:
    """What the recovery from a killed writer did (a report or export finished or removed), on stderr."""
    for note in case.recovery_notes:
        print(f"note: {note}", file=sys.stderr)


def cmd_import(args: argparse.Namespace) -> int:
    with Case.open(_case_dir(args)) as case:
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
                passphrase=_passphrase_from_env_or_prompt(),
                ocr_progress=bar.update if bar else None,
            )
        finally:
            if bar:
                bar.close()
        _print_recovery_notes(case)
        if args.json:
            print(json.dumps(_import_json(result), indent=2, ensure_ascii=False))
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
                print(f"    read as {item.importer}: {item.records} records, {len(item.warnings)} warnings")
                for warning in item.warnings[:10]:
                    print(f"    warning: {warning.locator}: {warning.message}")
        print(f"Imported {len(result.items)} file(s). Ledger head: {result.head}")
    return 0


def _import_json(result: Any) -> dict[str, Any]:
    return {
        "op": result.op,
        "head": {"seq": result.head.seq, "hash": result.head.hash},
        "items": [
            {
                "path": i.path,
                "exhibit": i.exhibit,
                "sha256": i.sha256,
                "size": i.size,
                "media_type": i.media_type,
                "duplicate_of": i.duplicate_of,
                "extension_mismatch": i.extension_mismatch,
                "importer": i.importer,
                "records": i.records,
                "warnings": [w.to_json() for w in i.warnings],
            }
            for i in result.items
        ],
    }


def cmd_log(args: argparse.Namespace) -> int:
    with Case.open(_case_dir(args), readonly=True) as case:
        tz = case.tz
        for entry in case.entries():
            body = entry.body
            if args.json:
                print(json.dumps(entry.to_json(), ensure_ascii=False))
                continue
            when = display(parse_iso(entry.recorded_at), tz)
            print(f"{entry.seq:>5}  {when}  {entry.kind:<16} {describe(entry.kind, body)}")
    return 0


def cmd_head(args: argparse.Namespace) -> int:
    with Case.open(_case_dir(args), readonly=True) as case:
        head = case.head()
        if args.json:
            print(
                json.dumps(
                    {"seq": head.seq, "hash": head.hash, "key_fingerprint": case.public_key.fingerprint}
                )
            )
        else:
            print(f"{head.seq}:{head.hash}")
    return 0


def _print_report(report: Report, as_json: bool) -> None:
    if as_json:
        print(json.dumps(report.to_json(), indent=2, ensure_ascii=False))
        return
    for finding in report.findings:
        print(("warning: " if finding.severity == "warning" else "") + str(finding))
    checked = report.checked
    head = report.facts.get("head", {})
    summary = (
        f"{checked.get('entries', 0)} entries, {checked.get('signatures', 0)} signatures, "
        f"{checked.get('objects', 0)} objects ({human_size(checked.get('bytes', 0))}) checked"
    )
    if report.ok and not head:
        print(f"OK (as far as it could be checked): {summary}")
    elif report.ok:
        print(f"OK: {summary}; head {head.get('seq')}:{head.get('hash')}")
        print(f"    signed with key {report.facts.get('key_fingerprint')}")
        _print_anchors(report)
        _print_disclosure(report)
    else:
        errors = sum(1 for f in report.findings if f.severity == "error")
        print(f"FAILED: {errors} problem(s) found; {summary}")
    _print_pdf_signature(report)


def _print_pdf_signature(report: Report) -> None:
    """A line on a signed report's PAdES signature (``evidence verify report.pdf``)."""
    sig = report.facts.get("signature")
    if isinstance(sig, dict):
        stamp = f", timestamp {sig['timestamp']}" if sig.get("timestamp") else ""
        print(
            f"    PDF signature: {sig['level']} by key {sig['key_fingerprint']}{stamp}; covers {sig['coverage']}"
        )


def _print_anchors(report: Report) -> None:
    for anchor in report.facts.get("anchors", []):
        covers = anchor["covers"]
        chain = "" if anchor["chain_checked"] else " (chain not checked)"
        print(
            f"    head {covers['seq']}:{covers['hash'][:16]}… existed at {anchor['gen_time']} per {anchor['tsa']}"
            f" (RFC 3161 token, entry {anchor['entry']}){chain}"
        )


def _print_disclosure(report: Report) -> None:
    """For a selective bundle: how much of the ledger it shows, and that the proofs held."""
    checkpoint = report.facts.get("checkpoint")
    if isinstance(checkpoint, dict):
        print(
            f"    selective bundle: {report.checked.get('entries', 0)} entries disclosed of the "
            f"{checkpoint.get('size')} the ledger held at its checkpoint (root {checkpoint.get('root')}); "
            f"{report.checked.get('proofs', 0)} Merkle proofs checked"
        )


def _report_case(args: argparse.Namespace) -> Path | None:
    """The case a report is checked against: -C, else $EVIDENCE_CASE or the current folder, else none."""
    if args.case:
        return find_case(Path(args.case))
    try:
        return find_case(None)
    except CaseError:
        return None


def cmd_verify(args: argparse.Namespace) -> int:
    if args.target and not Path(args.target).exists():
        raise UsageError(
            f"{args.target}: no such file or folder",
            hint="give a case folder, an export bundle (.zip) or a report (.pdf)",
        )
    if args.target and is_report(Path(args.target)):
        report = verify_report(
            Path(args.target), _report_case(args), heads=args.head or (), expect_key=args.expect_key
        )
        _print_report(report, args.json)
        return ExitCode.OK if report.ok else ExitCode.VERIFY_FAILED
    if args.target and is_bundle(Path(args.target)):
        report = verify_bundle(Path(args.target), heads=args.head or (), expect_key=args.expect_key)
        _print_report(report, args.json)
        return ExitCode.OK if report.ok else ExitCode.VERIFY_FAILED
    root = find_case(Path(args.target)) if args.target else find_case(_case_dir(args))
    report = verify_case(root, heads=args.head or (), expect_key=args.expect_key)
    _print_report(report, args.json)
    return ExitCode.OK if report.ok else ExitCode.VERIFY_FAILED


def _show_record(case: Case, record_id: str, as_json: bool) -> int:
    shown = case.show_record(record_id)
    if as_json:
        print(json.dumps(shown, indent=2, ensure_ascii=False))
        return 0
    when = display(parse_iso(shown["occurred_at"]), case.tz)
    assumed = " (zone assumed)" if shown["tz_assumed"] else ""
    print(
        f"{shown['id']}  {when}{assumed}  {shown['channel']} {shown['direction']}  from {shown['sender'] or '-'}"
    )
    print(f"  time from: {shown['time_source']}")
    for source in shown["sources"]:
        print(f"  found in {source['exhibit']} {source['locator']}")
    if shown["text"]:
        print(f"  words: {shown['text']!r}")
    for tag in shown["tags"]:
        why = (
            f"rule {tag['rule']} ({tag.get('rule_description')}) matched {tag['words']!r} at {tag['start']}-{tag['end']}"
            if tag["rule"]
            else "added by the user"
        )
        note = f"; note: {tag['note']}" if tag.get("note") else ""
        print(f"  tag {tag['tactic']} [{tag['status']}]: {why}{note}")
    return 0


def cmd_show(args: argparse.Namespace) -> int:
    with Case.open(_case_dir(args), readonly=True) as case:
        if args.exhibit.upper().startswith("R-"):
            return _show_record(case, args.exhibit, args.json)
        shown = case.show(args.exhibit)
        if args.json:
            print(json.dumps(shown, indent=2, ensure_ascii=False))
            return 0
        tz = case.tz
        print(
            f"{shown['exhibit']}  {shown['original_name']}  {shown['media_type']}  {human_size(shown['size'])}"
        )
        print(f"  sha256 {shown['sha256']}")
        for acq in shown["acquisitions"]:
            who = acq.get("imported_by") or {}
            dup = f" (again; duplicate of {acq['duplicate_of']})" if acq.get("duplicate_of") else ""
            print(
                f"  acquired {display(parse_iso(acq['recorded_at']), tz)} by {who.get('user')}@{who.get('host')} "
                f"from {acq.get('original_path')}{dup}  [entry {acq['entry']}]"
            )
        for der in shown["derivations"]:
            print(
                f"  read by {der['importer']} {der['importer_version']}: {der['record_count']} records  "
                f"[entry {der['entry']}]"
            )
        for warning in shown["warnings"]:
            print(f"  warning: {warning['locator']}: {warning['message']}")
        for earlier in shown.get("ocr_earlier", []):
            print(
                f"  earlier OCR ({earlier['engine']}, settings {json.dumps(earlier['settings']['ocr'])})  "
                f"[entry {earlier['entry']}]"
            )
        if "ocr" in shown:
            ocr = shown["ocr"]
            print(
                f"  OCR ({ocr['engine']}, psm {ocr['settings'].get('psm')}, {ocr['settings'].get('lang')}, "
                f"mean confidence {ocr['mean_confidence']:.1f}%)  [entry {ocr['entry']}]:"
            )
            for line in (ocr["text"] or "").splitlines():
                print(f"    {line}")
        _print_screen_messages(shown)
        print(f"  {len(shown['records'])} record(s) on the timeline")
    return 0


def _print_screen_messages(shown: dict[str, Any]) -> None:
    """The messages a screenshot's layout shows, one line each: side, shown time, text (or call)."""
    if not shown.get("messages"):
        return
    header = f", header {shown['header']!r}" if shown.get("header") else ""
    print(f"  screen: {shown.get('kind')}{header}; {len(shown['messages'])} message(s) read:")
    for message in shown["messages"]:
        when = message.get("shown_time") or "no time shown"
        what = message.get("text") or ""
        if message.get("call"):
            count = f" ({message['count']})" if message.get("count") else ""
            what = f"{message['call']} call: {what}{count}"
        elif message.get("sender"):
            what = f"from {message['sender']}: {what}"
        x0, y0, x1, y1 = message.get("bbox") or (0, 0, 0, 0)
        print(
            f"    {message.get('locator')}  {message.get('direction'):<8}  [{when}]  {what}"
            f"  (box {x0},{y0}-{x1},{y1})"
        )


def cmd_timeline(args: argparse.Namespace) -> int:
    from evidence.analysis import people, review
    from evidence.analysis.select import select

    with Case.open(_case_dir(args), readonly=True) as case:
        resolver = case.resolver()
        person = people.find(case.people(), args.person).name if args.person else None
        entries = select(
            case.timeline(),
            case.tz,
            resolver=resolver,
            person=person,
            channels=args.channel or (),
            direction=args.direction,
            since=args.since,
            until=args.until,
        )
        reviewed = review.decisions(case.entries())
        relays = case.relays()
        tags = {e.record.id: review.tags_for(e.record, reviewed) for e in entries}
        if args.tag:
            wanted = set(args.tag)
            entries = [
                e
                for e in entries
                if any(t.tactic in wanted and t.status != review.REJECTED for t in tags[e.record.id])
            ]
        if args.json:
            out = []
            for e in entries:
                data = e.to_json()
                data["people"] = resolver.parties(e.record)
                data["tags"] = [t.to_json() for t in tags[e.record.id]]
                data["relayed"] = [r for s in e.sources for r in relays.get(s.record_id, [])]
                out.append(data)
            print(json.dumps(out, indent=2, ensure_ascii=False))
            return 0
        tz = case.tz
        for entry in entries:
            rec = entry.record
            assumed = " (zone assumed)" if rec.tz_assumed else ""
            text = (rec.text or rec.subject or rec.status or "").replace("\n", " ")
            where = "; ".join(f"{s.exhibit} {s.locator}" for s in entry.sources)
            who = resolver.sender(rec)
            sender = f"{rec.sender} ({who})" if who and rec.sender else (rec.sender or "-")
            shown = [
                f"{t.tactic}" + ("" if t.status == review.SUGGESTED else f" ({t.status})")
                for t in tags[rec.id]
            ]
            marks = f"  tags: {', '.join(shown)}" if shown else ""
            print(
                f"{display(rec.occurred_at, tz)}{assumed}  {rec.channel.value:<9} {rec.direction.value:<8} "
                f"{sender:<20} {text[:60]}  [{where}] {rec.id}{marks}"
            )
    return 0


def cmd_case_set(args: argparse.Namespace) -> int:
    facts = {
        key: value
        for key, value in {
            "title": args.title,
            "no_contact_since": args.no_contact_since.isoformat() if args.no_contact_since else None,
            "police_ref": args.police_ref,
            "protection_order": args.protection_order,
        }.items()
        if value is not None
    }
    with Case.open(_case_dir(args)) as case:
        head = case.set_facts(passphrase=_passphrase_from_env_or_prompt(), **facts)
        for key, value in facts.items():
            print(f"{key}: {value}")
        print(f"Recorded. Ledger head: {head}")
    return 0


def cmd_relay(args: argparse.Namespace) -> int:
    with Case.open(_case_dir(args)) as case:
        head = case.mark_relayed(
            args.record,
            by=args.by,
            what=args.what,
            on_behalf_of=args.on_behalf_of,
            would_be_witness=args.witness,
            passphrase=_passphrase_from_env_or_prompt(),
        )
        print(f"{args.record}: passed on by {args.by}. Ledger head: {head}")
    return 0


def cmd_tag_review(args: argparse.Namespace) -> int:
    with Case.open(_case_dir(args)) as case:
        head = case.review_tag(
            args.record,
            args.tactic,
            args.decision,
            note=args.note,
            passphrase=_passphrase_from_env_or_prompt(),
        )
        print(f"{args.record}: {args.tactic} {args.decision}. Ledger head: {head}")
    return 0


def cmd_person_add(args: argparse.Namespace) -> int:
    with Case.open(_case_dir(args)) as case:
        head = case.add_person(
            args.name,
            role=args.role,
            ids=args.id or (),
            region=args.region,
            basis=args.basis,
            confidence="suspected" if args.suspected else "confirmed",
            passphrase=_passphrase_from_env_or_prompt(),
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
    with Case.open(_case_dir(args)) as case:
        for raw in args.id:
            head = case.link_person(
                args.name,
                raw,
                basis=args.basis,
                confidence="confirmed" if getattr(args, "confirmed", False) else "suspected",
                unlink=unlink,
                passphrase=_passphrase_from_env_or_prompt(),
            )
            print(
                f"{'Unlinked' if unlink else 'Linked'} {raw!r} {'from' if unlink else 'to'} {args.name}. Ledger head: {head}"
            )
    return 0


def cmd_person_list(args: argparse.Namespace) -> int:
    with Case.open(_case_dir(args), readonly=True) as case:
        found = case.people()
        if args.json:
            print(json.dumps([p.to_json() for p in found], indent=2, ensure_ascii=False))
            return 0
        for person in found:
            print(f"{person.name} ({person.role}, phone region {person.region})")
            for link in person.links:
                basis = f" — {link.basis}" if link.basis else ""
                print(f"  {link.identifier.kind:<6} {link.identifier.value:<28} {link.confidence}{basis}")
    return 0


def cmd_stats(args: argparse.Namespace) -> int:
    with Case.open(_case_dir(args), readonly=True) as case:
        result = case.stats(since=args.since, person=args.person)
        if args.json:
            print(json.dumps(result, indent=2, ensure_ascii=False))
            return 0
        who = f" from {result['person']}" if result["person"] else ""
        print(f"{result['attempts']} contact attempts{who}: first {result['first']}, last {result['last']}")
        if result["no_contact_since"]:
            print(
                f"  {result['attempts_since_no_contact']} since the no-contact date {result['no_contact_since']}"
            )
        days = result["days"]
        if days:
            print(
                f"  contact on {days['with_contact']} of the {days['days']} days from {days['from']} to {days['to']}"
            )
        for title, key in (
            ("per channel", "per_channel"),
            ("per identity", "per_identity"),
            ("per person", "per_person"),
        ):
            print(f"  {title}: " + ", ".join(f"{k} {v}" for k, v in result[key].items()))
        print("  per week: " + ", ".join(f"{k} {v}" for k, v in result["per_week"].items()))
        print(f"  bursts ({result['definitions']['burst']}): {len(result['bursts'])}")
        for burst in result["bursts"]:
            midnight = ", across midnight" if burst["across_midnight"] else ""
            print(
                f"    {burst['start']} to {burst['end']}: {burst['attempts']} attempts in {burst['minutes']} minutes{midnight}"
            )
        print("  longest gaps: " + ", ".join(f"{g['hours']} h from {g['from']}" for g in result["gaps"]))
        print("  per day: " + ", ".join(f"{k} {v}" for k, v in result["per_day"].items()))
    return 0


def cmd_search(args: argparse.Namespace) -> int:
    with Case.open(_case_dir(args), readonly=True) as case:
        hits = case.search(args.query)
        if args.json:
            print(json.dumps([h.to_json() for h in hits], indent=2, ensure_ascii=False))
            return 0
        tz = case.tz
        for hit in hits:
            print(
                f"{display(parse_iso(hit.occurred_at), tz)}  {hit.exhibit} {hit.locator}  {hit.channel:<9} "
                f"{hit.sender or '-'}: {hit.snippet.replace(chr(10), ' ')}"
            )
        print(f"{len(hits)} record(s) match {args.query!r}")
    return 0


def cmd_diary_add(args: argparse.Namespace) -> int:
    with Case.open(_case_dir(args)) as case:
        result = case.add_diary_entry(
            when=args.when,
            text=args.text,
            approximate=args.approx,
            where=args.where,
            witness=args.witness,
            police_ref=args.police_ref,
            passphrase=_passphrase_from_env_or_prompt(),
        )
        item = result.items[0]
        print(f"{item.exhibit}  diary entry recorded (sha256 {item.sha256}). Ledger head: {result.head}")
    return 0


def _generated_at(text: str) -> datetime:
    try:
        return parse_iso(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"{text!r} is not a time with an offset like 2026-04-15T10:00:00+01:00"
        ) from None


def _refuse_existing(output: str, overwrite: bool) -> None:
    """A report or bundle already written may have been handed over: never replace one without being told."""
    if Path(output).exists() and not overwrite:
        raise UsageError(
            f"{output} already exists (a copy of it may have been handed over already)",
            hint="choose another name, or add --overwrite to replace it (the ledger keeps the old one's hash)",
        )


def cmd_report(args: argparse.Namespace) -> int:
    _refuse_existing(args.output, args.overwrite)
    with Case.open(_case_dir(args)) as case:
        written = case.report(
            Path(args.output),
            profile=args.profile,
            templates=Path(args.templates) if args.templates else None,
            generated_at=args.generated_at,
            bates_prefix=args.bates_prefix,
            passphrase=_passphrase_from_env_or_prompt(),
            sign=args.sign,
            tsa=args.tsa,
            since=args.since,
            until=args.until,
            person=args.person,
            redact=args.redact,
        )
        _print_recovery_notes(case)
        print(f"Report written: {written.path} ({human_size(written.size)}, sha256 {written.sha256})")
        if args.sign:
            level = "PAdES B-T, timestamped by " + args.tsa if args.tsa else "PAdES B-B"
            print(f"  signed with the case's key ({level}); certificate in keys/case.crt")
        print(f"  built from ledger head {written.built_from}")
        print(f"  recorded as ledger entry {written.entry}")
    return 0


def cmd_export(args: argparse.Namespace) -> int:
    _refuse_existing(args.output, args.overwrite)
    with Case.open(_case_dir(args)) as case:
        written = case.export(
            Path(args.output),
            exhibits=args.exhibits.split(",") if args.exhibits else None,
            report=Path(args.report) if args.report else None,
            recipient=args.recipient,
            medium=args.medium,
            passphrase=_passphrase_from_env_or_prompt(),
            **_export_filters(args),
        )
        _print_recovery_notes(case)
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


def cmd_anchor(args: argparse.Namespace) -> int:
    with Case.open(_case_dir(args)) as case:
        done = case.anchor(
            args.tsa,
            tsa_cert=Path(args.tsa_cert) if args.tsa_cert else None,
            passphrase=_passphrase_from_env_or_prompt(),
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


def _add_anchor_parser(sub: Any) -> None:
    p = sub.add_parser(
        "anchor", help="have a timestamp authority (RFC 3161) sign the ledger head: proof it existed by then"
    )
    p.add_argument("--tsa", required=True, metavar="URL", help="the TSA's URL (http:// or https://)")
    p.add_argument(
        "--tsa-cert",
        metavar="FILE",
        help="the TSA's root (or own) certificate, PEM or DER, the token must chain to (strongly advised)",
    )
    p.set_defaults(func=cmd_anchor)


def _export_filters(args: argparse.Namespace) -> dict[str, Any]:
    """The selective-disclosure options of ``export`` (timeline's filters, --full-ledger)."""
    return {
        "since": args.since,
        "until": args.until,
        "person": args.person,
        "full_ledger": args.full_ledger,
    }


def _add_export_filters(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--since", type=_iso_date, metavar="DATE", help="only originals with a record from this day"
    )
    p.add_argument(
        "--until", type=_iso_date, metavar="DATE", help="only originals with a record up to this day"
    )
    p.add_argument("--person", metavar="NAME", help="only originals with a record from or to this person")
    p.add_argument(
        "--full-ledger",
        action="store_true",
        help="with a filter: carry every ledger entry (default: only the chosen originals' entries, with proofs)",
    )


def _report_filter_args(p: argparse.ArgumentParser) -> None:
    """report's selection and redaction options (the same meanings as timeline's filters)."""
    p.add_argument("--since", type=_iso_date, metavar="DATE", help="only records from this day (case zone)")
    p.add_argument("--until", type=_iso_date, metavar="DATE", help="only records up to this day, inclusive")
    p.add_argument("--person", metavar="NAME", help="only records to or from this person of the case")
    p.add_argument(
        "--redact",
        action="store_true",
        help="mask the owner's own numbers and addresses and uninvolved third parties (hashes are kept)",
    )


# -- parser ----------------------------------------------------------------------------------------------


def _report_signing_options(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--sign", action="store_true", help="add a PAdES signature by the case's key (a PDF reader shows it)"
    )
    p.add_argument(
        "--tsa",
        metavar="URL",
        help="with --sign: an RFC 3161 time-stamping service that attests when it was signed (uses the network)",
    )


def cmd_ocr(args: argparse.Namespace) -> int:
    with Case.open(_case_dir(args)) as case:
        bar = ProgressBar.wanted(args.progress)
        try:
            done = case.ocr(
                args.exhibits,
                psm=args.psm,
                lang=args.lang,
                passphrase=_passphrase_from_env_or_prompt(),
                progress=bar.update if bar else None,
            )
        finally:
            if bar:
                bar.close()
        if args.json:
            print(json.dumps([_ocr_json(d) for d in done], indent=2, ensure_ascii=False))
            return 0
        if not done:
            print("No picture needs OCR (name exhibits to read them again with other settings).")
        for item in done:
            if item.status == "failed":
                print(f"{item.exhibit}  OCR failed: {item.message}")
            elif item.outcome is not None:
                summary = item.outcome.summary
                what = (
                    "already read with this engine version and these settings; nothing run"
                    if item.status == "cached"
                    else "read"
                )
                print(
                    f"{item.exhibit}  {what}: {summary['words']} words, tesseract {summary['engine_version']}, "
                    f"psm {summary['settings']['psm']}, {summary['settings']['lang']}  [entry {item.entry}]"
                )
        print(f"Ledger head: {case.head()}")
    return 0


def _ocr_json(item: Any) -> dict[str, Any]:
    return {
        "exhibit": item.exhibit,
        "sha256": item.sha256,
        "status": item.status,
        "entry": item.entry,
        "message": item.message,
        "ocr": item.outcome.raw() if item.outcome is not None else None,
        "text": item.outcome.text if item.outcome is not None else None,
    }


def _iso_date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date like 2026-03-01") from None


_HEAD = re.compile(r"^[0-9]+:[0-9a-fA-F]{64}$")


def _head_arg(text: str) -> str:
    """A ledger head as `evidence head` prints it (SEQ:HASH); a typo is a usage error (exit 2), not tampering."""
    if not _HEAD.match(text.strip()):
        raise argparse.ArgumentTypeError(
            f"{text!r} is not a head like 42:9f86d081884c7d65… (the number, a colon and all 64 hex digits, "
            "as 'evidence head' prints it)"
        )
    return text.strip()


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="evidence",
        description="Keep harassment evidence intact: store originals, sign a ledger, verify, report.",
    )
    parser.add_argument("--version", action="version", version=f"evidence {__version__}")
    parser.add_argument(
        "-C",
        dest="case",
        metavar="DIR",
        help="the case folder (default: $EVIDENCE_CASE, else the current folder or one above it)",
    )
    parser.add_argument("--verbose", action="store_true", help="show tracebacks on errors")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    p = sub.add_parser("init", help="create a case folder with its own signing key")
    p.add_argument("dir", nargs="?", default=".", help="folder to create (absent or empty)")
    p.add_argument("--title", required=True, help='what the case is, e.g. "Harassment by A. Morgan"')
    p.add_argument("--tz", help="IANA time zone for times without one (default: this computer's)")
    p.add_argument(
        "--no-contact-since", metavar="DATE", type=_iso_date, help="the date contact was cut (YYYY-MM-DD)"
    )
    p.add_argument(
        "--passphrase",
        action="store_true",
        help="protect the signing key with a passphrase (or EVIDENCE_PASSPHRASE)",
    )
    p.set_defaults(func=cmd_init)

    p = sub.add_parser("import", help="store files as exhibits and record their acquisition (all or nothing)")
    p.add_argument("paths", nargs="+", metavar="PATH", help="files or folders")
    p.add_argument("--tz", help="zone of wall-clock times in these files (default: the case's)")
    p.add_argument("--date-order", choices=["DMY", "MDY", "YMD"], help="settle ambiguous dates like 01/02/26")
    p.add_argument(
        "--column",
        action="append",
        type=_column_pair,
        metavar="FIELD=NAME",
        help="CSV logs: the column holding FIELD (date, time, number, direction, duration, contact, text, service)",
    )
    p.add_argument("--json", action="store_true", help="print the result as JSON")
    p.add_argument(
        "--progress",
        action="store_true",
        help="draw the OCR progress on stderr even when it is not a terminal",
    )
    p.set_defaults(func=cmd_import)

    p = sub.add_parser("log", help="the chain of custody: one line per ledger entry")
    p.add_argument("--json", action="store_true", help="JSON Lines, one entry per line")
    p.set_defaults(func=cmd_log)

    p = sub.add_parser("head", help="print the ledger head (SEQ:HASH); keep it to detect later truncation")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_head)

    p = sub.add_parser("verify", help="check that nothing in the case was altered; exit 0 only when intact")
    p.add_argument(
        "target", nargs="?", help="a case folder, a bundle .zip or a report .pdf (default: the current case)"
    )
    p.add_argument("--json", action="store_true", help='{"ok": bool, "findings": [...], "checked": {...}}')
    p.add_argument(
        "--head",
        action="append",
        type=_head_arg,
        metavar="SEQ:HASH",
        help="a head recorded earlier (by 'evidence head', a report or an export); repeatable",
    )
    p.add_argument("--expect-key", metavar="FINGERPRINT", help="the key fingerprint written down at init")
    p.set_defaults(func=cmd_verify)

    diary = sub.add_parser("diary", help="your own account of what happened, written down now")
    diary_sub = diary.add_subparsers(dest="diary_command", metavar="ACTION", required=True)
    p = diary_sub.add_parser("add", help="record a diary entry (the time you write it is kept too)")
    p.add_argument(
        "--when", required=True, help='when it happened: "2026-03-14 21:30" (case zone) or with an offset'
    )
    p.add_argument("--text", required=True, help="what happened, in your words")
    p.add_argument("--approx", action="store_true", help="the time is approximate")
    p.add_argument("--where", help="where it happened")
    p.add_argument("--witness", help="who saw or heard it")
    p.add_argument("--police-ref", help="a police reference number, if you reported it")
    p.set_defaults(func=cmd_diary_add)

    p = sub.add_parser("report", help="write the court-ready PDF report and record its hash in the ledger")
    p.add_argument("-o", "--output", required=True, metavar="FILE", help="where to write the PDF")
    p.add_argument(
        "--overwrite", action="store_true", help="replace the file if it exists (refused otherwise)"
    )
    p.add_argument(
        "--profile",
        default="lawyer",
        help="police, lawyer (default) or protective-order (or one of --templates)",
    )
    p.add_argument("--templates", metavar="DIR", help="a copy of templates/ with your own wording")
    p.add_argument("--bates-prefix", default="EVD", metavar="PREFIX", help="page stamp prefix (default EVD)")
    p.add_argument(
        "--generated-at",
        type=_generated_at,
        metavar="TIME",
        help="the generation time to print (default: the time of the ledger head the report is built from)",
    )
    _report_signing_options(p)
    _report_filter_args(p)
    p.set_defaults(func=cmd_report)

    p = sub.add_parser("export", help="write a zip a lawyer or the police can check without the case")
    p.add_argument("-o", "--output", required=True, metavar="FILE", help="where to write the zip")
    p.add_argument(
        "--overwrite", action="store_true", help="replace the file if it exists (refused otherwise)"
    )
    p.add_argument(
        "--exhibits", metavar="EX-0003,EX-0007", help="only these originals (default: all); the rest by hash"
    )
    p.add_argument(
        "--report", metavar="PDF", help="include this report (written by 'evidence report', unchanged)"
    )
    p.add_argument("--recipient", help='who receives it, recorded in the ledger ("DC Smith, Met Police")')
    p.add_argument("--medium", help='how it is handed over, recorded in the ledger ("USB stick", "email")')
    _add_export_filters(p)
    p.set_defaults(func=cmd_export)

    p = sub.add_parser(
        "show", help="everything known of one exhibit (EX-...) or one record (R-...) and its tags"
    )
    p.add_argument(
        "exhibit", metavar="EXHIBIT|RECORD", help="an exhibit number (EX-0007) or a record id (R-...)"
    )
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_show)

    p = sub.add_parser("timeline", help="every record in time order, with its offset")
    p.add_argument("--json", action="store_true")
    p.add_argument("--person", metavar="NAME", help="only records from or to this person")
    p.add_argument(
        "--channel", action="append", help="only this channel (call, sms, email, chat...); repeatable"
    )
    p.add_argument("--direction", choices=["incoming", "outgoing", "unknown"])
    p.add_argument("--since", type=_iso_date, metavar="DATE", help="from this day (case zone), inclusive")
    p.add_argument("--until", type=_iso_date, metavar="DATE", help="up to this day (case zone), inclusive")
    p.add_argument(
        "--tag", action="append", metavar="TACTIC", help="only records with this tactic (not rejected)"
    )
    p.set_defaults(func=cmd_timeline)

    case_parser = sub.add_parser("case", help="the case's facts")
    case_sub = case_parser.add_subparsers(dest="case_command", metavar="ACTION", required=True)
    p = case_sub.add_parser("set", help="change a fact of the case (a ledger entry; earlier values are kept)")
    p.add_argument("--title")
    p.add_argument("--no-contact-since", metavar="DATE", type=_iso_date, help="the date contact was cut")
    p.add_argument("--police-ref", metavar="REF", help="a police reference number")
    p.add_argument("--protection-order", metavar="TEXT", help="a protection order: court, number, date")
    p.set_defaults(func=cmd_case_set)

    p = sub.add_parser("relay", help="mark a record as contact passed on by a third party")
    p.add_argument("record", metavar="RECORD", help="a record id (R-..., shown by 'timeline')")
    p.add_argument("--by", required=True, help="who passed it on")
    p.add_argument("--on-behalf-of", metavar="NAME", help="for whom (e.g. the respondent)")
    p.add_argument("--what", help="what they passed on, in a few words")
    p.add_argument(
        "--witness",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="whether they would be a witness (--witness / --no-witness)",
    )
    p.set_defaults(func=cmd_relay)

    tag_parser = sub.add_parser("tag", help="confirm or reject a tactic the rules suggested (a ledger entry)")
    tag_sub = tag_parser.add_subparsers(dest="tag_command", metavar="ACTION", required=True)
    for decision in ("confirm", "reject"):
        p = tag_sub.add_parser(decision, help=f"{decision} a tactic on a record")
        p.add_argument("record", metavar="RECORD", help="a record id (R-..., shown by 'timeline')")
        p.add_argument("tactic", metavar="TACTIC", help="threat, insult, guilt_tripping, love_bombing, ...")
        p.add_argument("--note", help="why (kept in the ledger)")
        p.set_defaults(func=cmd_tag_review, decision=f"{decision}ed" if decision == "confirm" else "rejected")

    person = sub.add_parser("person", help="the people of the case and their numbers, addresses and handles")
    person_sub = person.add_subparsers(dest="person_command", metavar="ACTION", required=True)
    p = person_sub.add_parser("add", help="add a person with their known identifiers (a ledger entry)")
    p.add_argument("name")
    p.add_argument("--role", required=True, help="respondent, owner, witness, third-party or other")
    p.add_argument("--id", action="append", metavar="ID", help="a phone number, e-mail address or handle")
    p.add_argument("--region", help="phone region for national numbers (default: from the case zone)")
    p.add_argument("--basis", help="how you know these identifiers are theirs")
    p.add_argument("--suspected", action="store_true", help="the identifiers are suspected, not confirmed")
    p.set_defaults(func=cmd_person_add)
    for action in ("link", "unlink"):
        p = person_sub.add_parser(action, help=f"{action} an identifier (a ledger entry, with its basis)")
        p.add_argument("name")
        p.add_argument("--id", action="append", required=True, metavar="ID")
        p.add_argument("--basis", required=True, help='why, e.g. "admitted in text of 2026-03-04"')
        if action == "link":
            group = p.add_mutually_exclusive_group()
            group.add_argument("--suspected", action="store_true", help="(default)")
            group.add_argument("--confirmed", action="store_true")
        p.set_defaults(func=cmd_person_link)
    p = person_sub.add_parser("list", help="the people and their identifiers")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_person_list)

    p = sub.add_parser("stats", help="contact attempts per day, week, channel and identity; bursts and gaps")
    p.add_argument("--json", action="store_true")
    p.add_argument("--since", type=_iso_date, metavar="DATE", help="only attempts from this day (case zone)")
    p.add_argument("--person", metavar="NAME", help="only attempts from this person")
    p.set_defaults(func=cmd_stats)

    p = sub.add_parser("search", help="full-text search over messages, e-mails, chats and diary entries")
    p.add_argument("query", help='words (all must occur); FTS5 syntax such as word* or "a phrase" works')
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_search)
    _add_anchor_parser(sub)

    p = sub.add_parser(
        "ocr",
        help="read the text of stored pictures again (adds a result; earlier ones are kept)",
        description="OCR stored pictures: the exhibits named, or every picture without OCR yet. Each result is "
        "a new ledger entry; a picture already read with the same engine version and settings is not read again.",
    )
    p.add_argument(
        "exhibits", nargs="*", metavar="EXHIBIT", help="exhibit numbers (EX-0007); default: all unread"
    )
    p.add_argument(
        "--psm",
        type=int,
        metavar="N",
        help="tesseract page segmentation mode (3 automatic, 6 one block, 11 sparse)",
    )
    p.add_argument("--lang", metavar="LANG", help="tesseract language(s), e.g. eng or eng+fra (default eng)")
    p.add_argument("--json", action="store_true")
    p.add_argument(
        "--progress", action="store_true", help="draw the progress on stderr even when it is not a terminal"
    )
    p.set_defaults(func=cmd_ocr)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the CLI; returns the exit code."""
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help()
        return ExitCode.USAGE
    try:
        return int(args.func(args))
    except EvidenceError as exc:
        if args.verbose:
            traceback.print_exc()
        print(f"error: {exc.one_line()}", file=sys.stderr)
        if exc.hint:
            print(f"hint: {exc.hint}", file=sys.stderr)
        return int(exc.exit_code)
    except BrokenPipeError:
        # The reader went away (`evidence log | head`): not an error of ours; silence the final flush too.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return ExitCode.OK
    except KeyboardInterrupt:
        print("error: interrupted; the case is as it was before this command", file=sys.stderr)
        return ExitCode.INTERRUPTED
    except Exception:  # noqa: BLE001 - the last line of defence: a bug, reported as one
        traceback.print_exc()
        print(
            "error: internal error (a bug in evidence); please report it with the trace above",
            file=sys.stderr,
        )
        return ExitCode.INTERNAL
