"""Read-only views of a case: ``log``, ``head``, ``show``, ``timeline``, ``stats``, ``search``."""

from __future__ import annotations

import argparse
import json
from typing import TYPE_CHECKING, Any

from evidence.cli.common import reading_case
from evidence.cli.output import print_screen_messages
from evidence.cli.sanitize import json_document, json_item, json_text
from evidence.describe import describe, human_size
from evidence.timeutil import display, parse_iso

if TYPE_CHECKING:
    from datetime import tzinfo

    from evidence.analysis.people import Resolver
    from evidence.analysis.review import ShownTag
    from evidence.api import Case
    from evidence.timeline import TimelineEntry


def cmd_log(args: argparse.Namespace) -> int:

    with reading_case(args) as case:
        tz = case.tz
        private = case.private_details()  # the owner's own view: who imported, on which computer
        for entry in case.entries():
            body = {**entry.body, **private.get(entry.seq, {})}
            if args.json:
                print(json_text(entry.to_json(), indent=None))
                continue
            when = display(parse_iso(entry.recorded_at), tz)
            print(f"{entry.seq:>5}  {when}  {entry.kind:<16} {describe(entry.kind, body)}")
    return 0


def cmd_head(args: argparse.Namespace) -> int:

    with reading_case(args) as case:
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


def _show_record(case: Case, record_id: str, as_json: bool) -> int:
    from evidence.analysis.sides import notes_of

    shown = case.show_record(record_id)
    if as_json:
        print(json_text(shown))
        return 0
    when = display(parse_iso(shown["occurred_at"]), case.tz)
    assumed = " (zone assumed)" if shown["tz_assumed"] else ""
    print(
        f"{shown['id']}  {when}{assumed}  {shown['channel']} {shown['direction']}  from {shown['sender'] or '-'}"
    )
    print(f"  time from: {shown['time_source']}")
    for note in notes_of(shown["direction"], shown["raw"]):  # what the case's facts settled, and the basis
        print(f"  {note}")
    for source in shown["sources"]:
        print(f"  found in {source['exhibit']} {source['locator']}")
    for said in shown["attributed"]:
        print(f"  {attributed_words(said)}")
    if shown["text"]:
        print(f"  words: {shown['text']!r}")
    if shown["raw"].get("possibly_forged_header"):
        print(
            f"  CHECK: may be a line of the message at {shown['raw']['possibly_forged_header']}, written to look "
            "like a new message: compare it with the phone"
        )
    if shown["raw"].get("date_unknown"):
        print("  date unknown: no screen showed it; the screenshot's time is for order only")
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

    with reading_case(args) as case:
        if args.exhibit.upper().startswith("R-"):
            return _show_record(case, args.exhibit, args.json)
        shown = case.show(args.exhibit)
        if args.json:
            print(json_text(shown))
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
            handed = acq.get("handed_over") or {}
            if handed:
                print(
                    f"    handed over by {handed.get('by', 'someone not recorded')}, on {handed.get('on', 'a day not recorded')}"
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
        print_screen_messages(shown)
        print(f"  {len(shown['records'])} record(s) on the timeline")
        for record_id, said in shown["attributed"].items():
            for one in said:
                print(f"  {record_id}: {attributed_words(one)}")
    return 0


def cmd_timeline(args: argparse.Namespace) -> int:
    """Print the timeline as it is read (a cursor over the index, one instant at a time): a case of a million
    records is written without holding them, as text lines or one JSON array."""
    import sys

    from evidence.analysis import people, review
    from evidence.analysis.select import select
    from evidence.analysis.sides import settled_fields

    with reading_case(args) as case:
        resolver = case.resolver()
        person = people.find(case.people(), args.person).name if args.person else None
        reviewed = review.decisions(case.entries())
        stored = (
            case.stored_suggestions()
        )  # computed at import: nothing is tagged here unless a case predates it
        relays = case.relays()
        wanted = set(args.tag or ())
        tz = case.tz
        out = sys.stdout
        first = True
        for entry in case.timeline_stream(settled=True):
            if not select(
                (entry,),
                tz,
                resolver=resolver,
                person=person,
                channels=args.channel or (),
                direction=args.direction,
                since=args.since,
                until=args.until,
            ):
                continue
            tags = review.tags_for(entry.record, reviewed, stored=stored)
            if wanted and not any(t.tactic in wanted and t.status != review.REJECTED for t in tags):
                continue
            if args.json:
                data = entry.to_json()
                data["people"] = resolver.parties(entry.record)
                data["tags"] = [t.to_json() for t in tags]
                data["relayed"] = [r for s in entry.sources for r in relays.get(s.record_id, [])]
                data.update(settled_fields(entry.record))
                # The array written item by item, byte for byte what json_text gives for the whole list.
                out.write(("[\n" if first else ",\n") + json_item(data))
            else:
                out.write(_timeline_line(entry, tags, resolver, tz) + "\n")
            first = False
        if args.json:
            out.write("[]\n" if first else "\n]\n")
    return 0


def _timeline_line(entry: TimelineEntry, tags: list[ShownTag], resolver: Resolver, tz: tzinfo) -> str:
    """One entry of the text timeline: the direction and sender the case's facts settled, with the basis and
    what the file said in brackets after the row."""
    from evidence.analysis import review
    from evidence.analysis.sides import notes

    rec = entry.record
    assumed = " (zone assumed)" if rec.tz_assumed else ""
    text = (rec.text or rec.subject or rec.status or "").replace("\n", " ")
    where = "; ".join(f"{s.exhibit} {s.locator}" for s in entry.sources)
    who = resolver.sender(rec)
    sender = f"{rec.sender} ({who})" if who and rec.sender else (rec.sender or "-")
    shown = [f"{t.tactic}" + ("" if t.status == review.SUGGESTED else f" ({t.status})") for t in tags]
    marks = f"  tags: {', '.join(shown)}" if shown else ""
    if rec.raw.get("date_unknown"):
        marks += "  (date unknown: no screen showed it; the screenshot's time, for order only)"
    forged = rec.raw.get("possibly_forged_header")
    if forged:
        marks += f"  CHECK: may be a line of the message at {forged}, written to look like a new message"
    marks += "".join(f"  ({note})" for note in notes(rec))
    return (
        f"{display(rec.occurred_at, tz)}{assumed}  {rec.channel.value:<9} {rec.direction.value:<8} "
        f"{sender:<20} {text[:60]}  [{where}] {rec.id}{marks}"
    )


def cmd_stats(args: argparse.Namespace) -> int:

    with reading_case(args) as case:
        result = case.stats(since=args.since, person=args.person)
        if args.json:
            print(json_document(result))
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

    with reading_case(args) as case:
        hits = case.search(args.query)
        if args.json:
            print(json_text([h.to_json() for h in hits]))
            return 0
        tz = case.tz
        for hit in hits:
            print(
                f"{display(parse_iso(hit.occurred_at), tz)}  {hit.exhibit} {hit.locator}  {hit.channel:<9} "
                f"{hit.sender or '-'}: {hit.snippet.replace(chr(10), ' ')}"
            )
        print(f"{len(hits)} record(s) match {args.query!r}")
    return 0


def attributed_words(said: dict[str, Any]) -> str:
    """One ``record.attributed`` entry in words, labelled as the complainant's statement with her basis."""
    return (
        f"the complainant attributes it to {said['person']} (her statement, not the file's; "
        f"her basis: {said['basis']!r})  [entry {said['entry']}]"
    )
