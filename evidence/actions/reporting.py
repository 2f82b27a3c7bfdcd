"""The PDF report: rendered from the case as it stands (deterministic, nothing written), or written and
recorded (a ``report.generated`` entry, after a signed checkpoint, published through the writer), optionally
signed (PAdES) by the report key, named by a self-signed certificate that is made once and recorded."""

from __future__ import annotations

import base64
import hashlib
from dataclasses import dataclass
from datetime import date, datetime, tzinfo
from pathlib import Path
from typing import TYPE_CHECKING, Any, BinaryIO

from evidence.actions import annotate
from evidence.actions._intact import require_intact
from evidence.case.folder import CaseFolder, PassphraseSource, actor, canonical_loads, tool_info
from evidence.case.formats import CERTIFICATE_NAME, KEYS_DIR, Kind
from evidence.case.ledger import Entry, Head
from evidence.case.writer import Writer
from evidence.errors import StorageError, UsageError
from evidence.models import Channel, Record

if TYPE_CHECKING:
    from evidence.analysis.identity import Identifier
    from evidence.analysis.people import Person, Resolver
    from evidence.report.tactic_rows import TacticRow
    from evidence.timeline import TimelineEntry

REPORT_KEY_ALGORITHM = "ecdsa-p256-sha256"  # the key.certificate entry of the report key


@dataclass(frozen=True)
class ReportWritten:
    """A report written to disk and recorded in the ledger."""

    path: Path
    sha256: str
    size: int
    built_from: Head  # the ledger head the report shows
    entry: Head  # the report.generated entry that records it


def render_report(
    case: CaseFolder,
    *,
    profile: str = "lawyer",
    templates: Path | None = None,
    generated_at: datetime | None = None,
    bates_prefix: str = "EVD",
    since: date | None = None,
    until: date | None = None,
    person: str | None = None,
    redact: bool = False,
    computer_details: bool = False,
) -> bytes:
    """The PDF report of the case as it stands, as bytes; nothing is written or recorded.

    Deterministic: the same case and options give the same bytes. The generation time shown (and the
    PDF's creation date) is ``generated_at`` when given, else the time the ledger head was recorded. Who
    imported on which computer (login@host, its local time and zone, the PDF's Author) is shown only with
    ``computer_details``.
    """
    from evidence.report import ReportData, load_profile, render
    from evidence.report.provenance import tool_identity

    chosen = load_profile(profile, templates)
    entries = list(case.entries())
    head = Head(entries[-1].seq, entries[-1].hash)
    head_time = datetime.fromisoformat(entries[-1].recorded_at)
    when = generated_at or head_time
    if when.tzinfo is None:
        raise UsageError(
            "the generation time needs an offset", hint="--generated-at 2026-04-15T10:00:00+01:00"
        )
    if when < head_time:
        # A report cannot have been made before the last entry it shows was recorded: a backdated report.
        raise UsageError(
            f"--generated-at {when.isoformat()} is before the ledger head it is built from was recorded "
            f"({head_time.isoformat()}, entry {head.seq})",
            hint="leave --generated-at out (the head's time is used), or give a later time",
        )
    shown = _selection(case, since=since, until=until, person=person, redact=redact)
    # Who acted and on which computer, from which path: only when asked (a report goes to others).
    private = case.private_details() if computer_details else {}
    rows = _tactic_rows(case, shown["timeline"])  # the rules read each record once (the slowest step)
    title = str(case.settings()["title"])
    if shown["redactor"] is not None:  # the cover, the PDF's metadata and its manifest: her name masked
        title = shown["redactor"].name(title)
    data = ReportData(
        title=title,
        tz=case.tz,
        tz_name=str(case.genesis["tz"]),
        genesis={**case.settings(), **private.get(1, {})},
        stats=shown.pop("stats"),
        tactics=_tactic_counts(rows),
        tactic_rows=rows,
        head=head,
        generated_at=when,
        key_fingerprint=case.public_key.fingerprint,
        tool=tool_identity(),
        entries=entries,
        bates_prefix=bates_prefix,
        options={
            "custom_templates": templates is not None,
            "templates": [{"file": name, "sha256": digest} for name, digest in chosen.sources],
        },
        show_computer=computer_details,
        private=private,
        anchors_independent=_anchors_independent(case, entries),
        **shown,
    )
    return render(data, chosen)


def _tactic_rows(case: CaseFolder, timeline: list[TimelineEntry]) -> list[TacticRow]:
    """Every tactic on a shown record that the complainant did not reject, with its status and matched words."""
    from evidence.actions.query import stored_suggestions
    from evidence.analysis import review
    from evidence.report.tactic_rows import TacticRow

    reviewed = review.decisions(case.entries())
    stored = stored_suggestions(case)
    return [
        TacticRow(entry, tag.tactic, tag.status, tag.words, tag.note)
        for entry in timeline
        for tag in review.tags_for(entry.record, reviewed, stored=stored)
        if tag.status != review.REJECTED
    ]


def _tactic_counts(rows: list[TacticRow]) -> dict[str, dict[str, int]]:
    """Per tactic, how many shown records carry it confirmed and how many only suggested (as
    ``query.tactic_counts``, from the rows already read)."""
    counts: dict[str, dict[str, int]] = {}
    for row in rows:
        slot = counts.setdefault(row.tactic, {"confirmed": 0, "suggested": 0})
        slot[row.status] = slot.get(row.status, 0) + 1
    return counts


def _anchors_independent(case: CaseFolder, entries: list[Entry]) -> dict[int, bool]:
    """For each anchor entry, whether its TSA root (verified against its hash) is in this computer's trust
    store: only then does the report call its time independent."""
    from evidence.report.screens import verified_bytes
    from evidence.verify.truststore import vouched_for_der

    found: dict[int, bool] = {}
    for entry in entries:
        if entry.kind != Kind.ANCHOR_TIMESTAMPED:
            continue
        anchor = (canonical_loads(entry.body_text).get("trust_anchor") or {}).get("sha256")
        der = None
        if isinstance(anchor, str) and case.store.exists(anchor):
            der = verified_bytes(case.store, anchor, "TSA root certificate")
        found[entry.seq] = vouched_for_der(der)
    return found


def _selection(
    case: CaseFolder, *, since: date | None, until: date | None, person: str | None, redact: bool
) -> dict[str, Any]:
    """What a report shows: the timeline and exhibits a filter keeps (the others withheld, counted), the
    statistics of what is shown, the people, the stored pictures with their OCR words, the redactor."""
    from collections import Counter

    from evidence.actions.query import attributions, sides
    from evidence.analysis import people as people_mod
    from evidence.analysis import stats as stats_mod
    from evidence.analysis.select import select
    from evidence.report.figures import count
    from evidence.report.redact import Redactor
    from evidence.report.screens import Screen, verified_bytes, words_from_blob

    if since is not None and until is not None and until < since:
        raise UsageError(f"--until {until} is before --since {since}", hint="swap the two dates")
    full = case.timeline()
    everyone = case.people()
    resolver = _memo_resolver(case.resolver())
    filters: dict[str, str] = {}
    if since is not None:
        filters["since"] = since.isoformat()
    if until is not None:
        filters["until"] = until.isoformat()
    # Directions and senders settled from the case's facts (the complainant's identifiers, a screen's header).
    settled = sides(case, read=lambda sha: verified_bytes(case.store, sha, "OCR result"))
    full = settled.timeline(full)
    if person is not None:
        person = people_mod.find(everyone, person).name
        filters["person"] = person
    timeline = select(full, case.tz, resolver=resolver, person=person, since=since, until=until)
    if person is not None:
        timeline = _about(full, timeline, people_mod.find(everyone, person), case.tz, since, until)
    all_exhibits = case.exhibits()
    if filters:
        used = {s.exhibit for e in timeline for s in e.sources}
        per_exhibit = Counter(s.exhibit for e in full for s in e.sources if s.exhibit not in used)
        exhibits = [e for e in all_exhibits if e["exhibit"] in used]
        withheld = [
            {"exhibit": e["exhibit"], "sha256": e["sha256"], "records": per_exhibit.get(e["exhibit"], 0)}
            for e in all_exhibits
            if e["exhibit"] not in used
        ]
    else:
        exhibits, withheld = all_exhibits, []
    stats = stats_mod.compute(timeline, resolver, case.tz, no_contact_since=case.no_contact_since())
    counted, figures = count(timeline, resolver)
    respondent_stats = {
        name: stats_mod.compute(
            timeline, resolver, case.tz, no_contact_since=case.no_contact_since(), person=name
        )
        for name in figures.respondents
    }
    shown_items = {e["sha256"] for e in exhibits}
    screens: dict[str, Screen] = {}
    for entry in timeline:
        rec = entry.record
        if rec.item_sha256 in screens or rec.item_sha256 not in shown_items:
            continue
        width, height = rec.raw.get("width"), rec.raw.get("height")
        if rec.channel.value != "screenshot" or not isinstance(width, int) or not isinstance(height, int):
            continue
        ocr = rec.raw.get("ocr")
        words: tuple[Any, ...] = ()
        if isinstance(ocr, dict) and isinstance(ocr.get("blob_sha256"), str):
            sha = ocr["blob_sha256"]
            text = verified_bytes(case.store, sha, "OCR result").decode("utf-8")
            words = words_from_blob(canonical_loads(text))
        screens[rec.item_sha256] = Screen(
            store=case.store,
            sha256=rec.item_sha256,
            width=width,
            height=height,
            is_jpeg=rec.raw.get("format") == "JPEG",
            words=words,
        )
    redactor = Redactor.build(everyone, full, case.region) if redact else None
    if redactor is not None:
        redactor.number(timeline)
    phone_times = _phone_times(case, exhibits, timeline)
    return {
        "timeline": timeline,
        "exhibits": exhibits,
        "stats": stats,
        "counted": counted,
        "figures": figures,
        "respondent_stats": respondent_stats,
        "people": everyone,
        "screens": screens,
        "filters": filters,
        "withheld": withheld,
        "withheld_records": len(full) - len(timeline),
        "redactor": redactor,
        "exhibit_times": phone_times,
        "attributions": attributions(case),
        **_derivations(case, shown_items, {a for e in timeline for a in e.record.attachments}),
    }


def _phone_times(
    case: CaseFolder, exhibits: list[dict[str, Any]], timeline: list[TimelineEntry]
) -> dict[str, list[str]]:
    """Each shown exhibit's phone-side times (``report.exhibit_times``), by SHA-256: read from the stored file
    (hashed again as it is read) for an XML backup or a zip, from the records for an iPhone backup."""
    from evidence.report import exhibit_times
    from evidence.report.screens import verified_bytes, verified_head

    found: dict[str, list[str]] = {}
    first: dict[str, Record] = {}
    for entry in timeline:
        first.setdefault(entry.record.item_sha256, entry.record)
    for ex in exhibits:
        sha, media = str(ex["sha256"]), str(ex.get("media_type") or "")
        rec = first.get(sha)
        lines = exhibit_times.of_iphone_backup(rec.raw, case.tz) if rec is not None else []
        data = b""
        if not lines and media.endswith("xml"):  # the root and the app's comment: the first bytes
            data = verified_head(case.store, sha, "exhibit", exhibit_times.HEAD)
        elif not lines and media.endswith("zip") and int(ex["size"]) <= exhibit_times.ZIP_LIMIT:
            data = verified_bytes(case.store, sha, "exhibit")  # its directory is at its end
        if data:
            lines = exhibit_times.of_exhibit(data, case.tz, str(case.genesis["tz"]))
        if lines:
            found[sha] = lines
    return found


def _about(
    full: list[TimelineEntry],
    chosen: list[TimelineEntry],
    person: Person,
    tz: tzinfo,
    since: date | None,
    until: date | None,
) -> list[TimelineEntry]:
    """A person's report: the records they are a party to (``chosen``), and with them the complainant's diary
    entries that name them and the whole picture of every screenshot one of their messages was read from."""
    from evidence.analysis.select import select
    from evidence.analysis.sides import mentions

    kept = {id(e) for e in chosen}
    pictures = {e.record.item_sha256 for e in chosen}
    return [
        e
        for e in select(full, tz, since=since, until=until)
        if id(e) in kept
        or (e.record.channel is Channel.DIARY and mentions(e.record, person))
        or (e.record.channel is Channel.SCREENSHOT and e.record.item_sha256 in pictures)
    ]


def _memo_resolver(base: Resolver) -> Resolver:
    """``base`` with ``identify`` remembered per raw sender: a report identifies each record's sender several
    times (selection, statistics, each respondent's, the counted marks), and thousands of records share a few
    senders, each a phonenumbers parse."""
    from functools import lru_cache

    from evidence.analysis.people import Resolver

    class Memo(Resolver):
        @lru_cache(maxsize=1 << 14)  # noqa: B019  # one report's resolver, dropped with it
        def identify(self, raw: str | None) -> tuple[Identifier | None, str | None]:
            return super().identify(raw)

    return Memo(base.people.values(), base.region)


def _derivations(case: CaseFolder, items: set[str], wanted: set[str]) -> dict[str, Any]:
    """What the imports of the exhibits shown said, from the signed ``records.derived`` entries and their
    records blobs (for the items ``items``): the import warnings about one record (its locator, e.g. "line 4"), by (item SHA-256,
    locator), shown next to the record (a header line that may be a forgery, a time out of order), and the
    warnings whose locator is no record's (about the whole file), by item SHA-256; each item's
    tally ("N of M read"), by item SHA-256; and the attachments ``wanted`` (those of the records shown), by
    their SHA-256."""
    from evidence.report.attachments import Attachment, describe
    from evidence.report.screens import verified_bytes

    warnings: dict[tuple[str, str], list[str]] = {}
    whole: dict[str, list[tuple[str, str]]] = {}
    tallies: dict[str, dict[str, Any]] = {}
    attachments: dict[str, Attachment] = {}
    for entry in case.entries():
        if entry.kind != Kind.RECORDS_DERIVED:
            continue
        body = canonical_loads(entry.body_text)
        item, blob = body.get("item_sha256"), body.get("blob_sha256")
        if item not in items or not isinstance(blob, str) or not case.store.exists(blob):
            continue
        for obj in body.get("objects") or []:
            sha = obj.get("sha256") if isinstance(obj, dict) else None
            if obj.get("role") != "attachment" or sha not in wanted or sha in attachments:
                continue
            if isinstance(sha, str) and case.store.exists(sha):
                name = obj.get("name")
                size = obj.get("size")
                attachments[sha] = describe(
                    case.store,
                    sha,
                    name if isinstance(name, str) else None,
                    size if isinstance(size, int) else 0,
                )
        document = canonical_loads(verified_bytes(case.store, blob, "records").decode("utf-8"))
        tally = document.get("tally")
        if isinstance(tally, dict):
            tallies[str(item)] = tally
        records = document.get("records")
        located = (
            {r.get("locator") for r in records if isinstance(r, dict)} if isinstance(records, list) else set()
        )
        for warning in document.get("warnings", []):
            if not isinstance(warning, dict):
                continue
            locator, message = warning.get("locator"), str(warning.get("message"))
            if isinstance(locator, str) and locator in located:
                warnings.setdefault((str(item), locator), []).append(message)
            else:  # about the whole file (a date order decided, a part of a zip): printed with the exhibit
                whole.setdefault(str(item), []).append((str(locator or "file"), message))
    return {
        "record_warnings": warnings,
        "file_warnings": whole,
        "tallies": tallies,
        "attachments": attachments,
    }


def report(
    case: CaseFolder,
    path: Path,
    *,
    profile: str = "lawyer",
    templates: Path | None = None,
    generated_at: datetime | None = None,
    bates_prefix: str = "EVD",
    passphrase: PassphraseSource | str | None = None,
    sign: bool = False,
    tsa: str | None = None,
    since: date | None = None,
    until: date | None = None,
    person: str | None = None,
    redact: bool = False,
    computer_details: bool = False,
) -> ReportWritten:
    """Render the report, record a ``report.generated`` entry with its SHA-256, and write it to ``path``.

    The file is written to a temporary name beside ``path`` and fsynced first; the entry is appended under
    the writer lock in one transaction; only then is the file renamed into place. With ``sign`` the report
    gets a PAdES signature by the case's key (``evidence.report.sign``; an RFC 3161 timestamp from ``tsa``
    when given) and the entry records the signed file's hash, and the unsigned one as ``unsigned_sha256``.
    """
    built: dict[str, Any] = {}
    if tsa and not sign:
        raise UsageError("--tsa timestamps a signature", hint="add --sign")
    secret = case.passphrase_once(passphrase)  # the checkpoint signs, and maybe the certificate and PDF
    certificate = report_certificate(case, passphrase=secret) if sign else None

    writer = Writer(case)

    def write(fh: BinaryIO) -> dict[str, Any]:
        require_intact(case, "report")  # under the writer lock: what it reads is what verify compared
        with writer.checkpoint_first(case.signing_key(secret)):
            built["from"] = case.head()
            pdf = render_report(
                case,
                profile=profile,
                templates=templates,
                generated_at=generated_at,
                bates_prefix=bates_prefix,
                since=since,
                until=until,
                person=person,
                redact=redact,
                computer_details=computer_details,
            )
        unsigned = hashlib.sha256(pdf).hexdigest()
        extra: dict[str, Any] = {}
        if certificate is not None:
            from evidence.report import sign as pades

            pdf = pades.sign(pdf, case.signing_key(secret), certificate, tsa_url=tsa)
            extra = {
                "unsigned_sha256": unsigned,
                "signature": {
                    "format": "PAdES B-T" if tsa else "PAdES B-B",
                    "subfilter": "ETSI.CAdES.detached",
                    "certificate_sha256": hashlib.sha256(certificate).hexdigest(),
                    "tsa": tsa,
                },
            }
        fh.write(pdf)
        built["size"] = len(pdf)
        return {
            "file_name": path.name,
            "sha256": hashlib.sha256(pdf).hexdigest(),
            "size": len(pdf),
            "profile": profile,
            "bates_prefix": bates_prefix,
            "built_from": {"seq": built["from"].seq, "hash": built["from"].hash},
            "custom_templates": templates is not None,
            "filter": {
                k: v
                for k, v in (
                    ("since", since.isoformat() if since else None),
                    ("until", until.isoformat() if until else None),
                    ("person", person),
                )
                if v is not None
            },
            "redacted": redact,
            "computer_details": computer_details,
            "generated_by": actor(),
            "tool": tool_info(),
            **extra,
        }

    path = path.absolute()
    entry, body = writer.publish(path, "report", Kind.REPORT_GENERATED, write, case.signing_key(secret))
    pdf_size = int(built["size"])
    built_from: Head = built["from"]
    return ReportWritten(
        path=path,
        sha256=str(body["sha256"]),
        size=pdf_size,
        built_from=built_from,
        entry=Head(entry.seq, entry.hash),
    )


def report_certificate(case: CaseFolder, *, passphrase: PassphraseSource | str | None = None) -> bytes:
    """The X.509 certificate (DER) of the case's report key, the ECDSA P-256 key that signs reports
    (``SigningKey.report_key``), named "evidence case <id>" and endorsed by the case key.

    Made once, from the case key, its id and its creation time (so it is deterministic), and recorded in a
    ``key.certificate`` ledger entry (the certificate itself, hex, with its SHA-256) and in ``keys/case.crt``
    (PEM, a copy for convenience); later calls return the recorded one. A case whose reports were signed
    with the Ed25519 key itself (before December 2026; stock PDF readers cannot check those) gets a second
    entry with the report key's certificate.
    """
    for entry in case.entries():
        if entry.kind == Kind.KEY_CERTIFICATE and entry.body.get("key_algorithm") == REPORT_KEY_ALGORITHM:
            return bytes.fromhex(str(entry.body["certificate_der"]))
    key = case.signing_key(passphrase)
    der = key.report_key().certificate(
        case_id=str(case.genesis["case_id"]),
        not_before=datetime.fromisoformat(next(case.entries()).recorded_at),
    )
    body = {
        "certificate_der": der.hex(),
        "certificate_sha256": hashlib.sha256(der).hexdigest(),
        "key_algorithm": REPORT_KEY_ALGORITHM,
        "key_fingerprint": key.public.fingerprint,
        "purpose": "PAdES signatures of this case's reports, by a key derived from and endorsed by the case key",
        "recorded_by": actor(),
    }
    annotate.append_entry(case, Kind.KEY_CERTIFICATE, body, passphrase)
    from evidence.case.signing import write_key_file

    pem = base64.encodebytes(der).decode("ascii")
    try:
        # Renamed into place, never written through: keys/case.crt may have been replaced by a link.
        write_key_file(
            case.root / KEYS_DIR / CERTIFICATE_NAME,
            f"-----BEGIN CERTIFICATE-----\n{pem}-----END CERTIFICATE-----\n".encode("ascii"),
            0o644,
            replace=True,
        )
    except OSError as exc:
        raise StorageError(
            f"cannot write the certificate ({exc.strerror})", path=case.root / KEYS_DIR
        ) from None
    return der
