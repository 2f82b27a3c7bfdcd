"""The argparse tree of ``evidence``: every command, its options and the argument types that check them.

Building the parser imports the command modules, which import nothing heavy at module level: ``--help`` and
``--version`` load neither the case nor the verifier nor their libraries (see tests/test_startup.py)."""

from __future__ import annotations

import argparse
import re
from datetime import date, datetime
from typing import Any

from evidence import __version__
from evidence.cli.commands_case import cmd_case_set, cmd_diary_add, cmd_encrypt, cmd_import, cmd_init
from evidence.cli.commands_ocr import cmd_ocr
from evidence.cli.commands_people import (
    cmd_attribute,
    cmd_person_add,
    cmd_person_link,
    cmd_person_list,
    cmd_relay,
    cmd_tag_review,
)
from evidence.cli.commands_publish import cmd_anchor, cmd_export, cmd_report
from evidence.cli.commands_secret import cmd_destroy_key, cmd_lock, cmd_passphrase, cmd_unlock
from evidence.cli.commands_ui import cmd_ui
from evidence.cli.commands_verify import cmd_verify
from evidence.cli.commands_views import cmd_head, cmd_log, cmd_search, cmd_show, cmd_stats, cmd_timeline
from evidence.timeutil import parse_iso


def _iso_date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date like 2026-03-01") from None


def _column_pair(text: str) -> tuple[str, str]:
    field, sep, name = text.partition("=")
    if not sep or not field.strip() or not name.strip():
        raise argparse.ArgumentTypeError(f"{text!r} is not FIELD=NAME (e.g. date=Call date)")
    return field.strip().lower(), name.strip()


def _received_date(text: str) -> str:
    try:
        return date.fromisoformat(text).isoformat()
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a day like 2026-03-14") from None


def _generated_at(text: str) -> datetime:
    try:
        return parse_iso(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"{text!r} is not a time with an offset like 2026-04-15T10:00:00+01:00"
        ) from None


_HEAD = re.compile(r"^[0-9]+:[0-9a-fA-F]{64}$")


def _head_arg(text: str) -> str:
    """A ledger head as `evidence head` prints it (SEQ:HASH); a typo is a usage error (exit 2), not tampering."""
    if not _HEAD.match(text.strip()):
        raise argparse.ArgumentTypeError(
            f"{text!r} is not a head like 42:9f86d081884c7d65… (the number, a colon and all 64 hex digits, "
            "as 'evidence head' prints it)"
        )
    return text.strip()


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


def _idle_minutes(text: str) -> int:
    try:
        minutes = int(text)
    except ValueError:
        minutes = 0
    if not 1 <= minutes <= MAX_IDLE_MINUTES:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number of minutes from 1 to {MAX_IDLE_MINUTES}")
    return minutes


MAX_IDLE_MINUTES = 24 * 60


def _add_secret_parsers(sub: Any) -> None:
    """unlock, lock, passphrase, destroy-key: an encrypted case's passphrase and key."""
    p = sub.add_parser(
        "unlock",
        help="type the passphrase once: the case's commands stop asking until it is idle or locked",
        description="Asks the passphrase of the encrypted case once and keeps its key in a small process of "
        "yours (in memory only) until the case's commands have not been used for --idle minutes, or until "
        "'evidence lock'. Anyone using this computer as you can read the case while it is unlocked.",
    )
    p.add_argument(
        "--idle",
        type=_idle_minutes,
        default=10,
        metavar="MINUTES",
        help="lock after this many minutes without a command of the case (default 10)",
    )
    p.set_defaults(func=cmd_unlock)
    p = sub.add_parser("lock", help="lock an unlocked case at once (its commands ask the passphrase again)")
    p.add_argument("--all", action="store_true", help="lock every case unlocked by you on this computer")
    p.set_defaults(func=cmd_lock)
    p = sub.add_parser(
        "passphrase",
        help="change the passphrase of an encrypted case (the current one once, the new one twice)",
        description="Changes the passphrase (EVIDENCE_PASSPHRASE and EVIDENCE_NEW_PASSPHRASE for scripts). "
        "Copies of the case folder made earlier still open with the old passphrase.",
    )
    p.set_defaults(func=cmd_passphrase)
    p = sub.add_parser(
        "destroy-key",
        help="make the case unreadable for ever, by anyone (asks for its title, then counts down 10 s)",
    )
    p.add_argument(
        "--yes-i-understand",
        action="store_true",
        help="do not ask for the case's title (the 10-second countdown still runs; Ctrl-C cancels)",
    )
    p.set_defaults(func=cmd_destroy_key)


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
    p.add_argument(
        "--computer-details",
        action="store_true",
        help="also print who imported each file on which computer (login@host) and its local time and zone",
    )


def _report_signing_options(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--sign", action="store_true", help="add a PAdES signature by the case's key (a PDF reader shows it)"
    )
    p.add_argument(
        "--tsa",
        metavar="URL",
        help="with --sign: an RFC 3161 time-stamping service that attests when it was signed (uses the network)",
    )


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
        "--plain",
        action="store_true",
        help="do NOT encrypt the case (anyone using this computer can read it); by default a case is "
        "encrypted under a passphrase asked twice (or EVIDENCE_PASSPHRASE)",
    )
    p.add_argument(
        "--passphrase",
        action="store_true",
        help="with --plain: protect the signing key with a passphrase (or EVIDENCE_PASSPHRASE)",
    )
    p.set_defaults(func=cmd_init)

    p = sub.add_parser(
        "encrypt",
        help="encrypt a plain case under a passphrase (its ledger unchanged; the plain files removed)",
    )
    p.set_defaults(func=cmd_encrypt)

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
    p.add_argument(
        "--provided-by",
        metavar="TEXT",
        help='who handed these files over and how, recorded with each file ("Jordan Lee, from her own phone")',
    )
    p.add_argument(
        "--received-on",
        type=_received_date,
        metavar="YYYY-MM-DD",
        help="the day the files were handed over (recorded with --provided-by)",
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
    p.add_argument(
        "--strict",
        action="store_true",
        help="fail (exit 1) on warnings too: self-asserted timestamps, modified triggers, leftovers, ...",
    )
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
        help="police, lawyer (default) or protective-order, for others; working, for yourself (it also lists the "
        "tactic suggestions nobody reviewed); or one of --templates",
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
    p.add_argument("--direction", choices=["incoming", "outgoing", "unknown", "others"])
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
    # The police statement's facts (printed by report --profile police; a blank line there when not set).
    p.add_argument(
        "--relationship", metavar="TEXT", help="who the other person is to you: 'ex-partner, 5 years'"
    )
    p.add_argument("--suspect-name", metavar="NAME", help="the other person's full name")
    p.add_argument(
        "--suspect-dob", metavar="DATE", type=_iso_date, help="their date of birth, if you know it"
    )
    p.add_argument("--suspect-address", metavar="TEXT", help="their address, if you know it")
    p.add_argument("--impact", metavar="TEXT", help="how this has affected you, in your own words")
    p.add_argument(
        "--actions-taken", metavar="TEXT", help="what you have done: blocks, reports (to whom, when)"
    )
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

    p = sub.add_parser(
        "attribute", help="say who sent a record its file does not name (your attribution, with its basis)"
    )
    p.add_argument("record", metavar="RECORD", help="a record id (R-..., shown by 'timeline')")
    p.add_argument("--to", required=True, metavar="PERSON", help="the person of the case you attribute it to")
    p.add_argument("--basis", required=True, help='why you say so ("I recognise his voice")')
    p.set_defaults(func=cmd_attribute)

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
    _add_secret_parsers(sub)

    p = sub.add_parser(
        "ui",
        help="open the app: the case in a window of its own (only this computer can reach it)",
        description="Starts the app on 127.0.0.1 at a random port and opens it in a Chromium or Chrome window "
        "with a throwaway profile; it stops when the window closes. With -C, the case shown (or a new folder "
        "to create one in).",
    )
    p.add_argument(
        "--no-browser", action="store_true", help="print the address to open (it works once) instead"
    )
    p.set_defaults(func=cmd_ui)

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
