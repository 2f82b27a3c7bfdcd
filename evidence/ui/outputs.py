"""What the report, export and "check something received" screens ask of the library, as plain functions and
records a template shows.

- ``build_report``: ``Case.report``, the call ``evidence report`` makes (recorded in the record of everything
  done after a signed checkpoint), written into a private folder on memory-backed storage
  (``evidence.case.memtemp``; in an encrypted case the writer stages it beside the target, so there too), read
  back into memory and the folder removed; its first pages drawn by ``evidence.report.preview`` (pdftoppm, stdin
  to stdout).
- ``build_export``: ``Case.export``, as ``evidence export``, into such a folder, kept there (``Staged``) until it
  is downloaded, the case is locked, or another is built.
- ``check_received``: a report (PDF) or a bundle (zip) someone received, checked by ``evidence.verify.report``
  and ``evidence.verify.bundle`` exactly as ``evidence verify FILE`` checks it (a report against the open case;
  one made from another case is checked on its own, as ``evidence verify`` does outside a case).

An encrypted case's report or bundle is never written decrypted to the disk by the app: on a computer without
memory-backed storage (``memtemp.memory_folder()`` is None) the app refuses in one line and names the command.
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import re
import tempfile
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from evidence.errors import StorageError, UsageError
from evidence.timeutil import display

if TYPE_CHECKING:
    from evidence.case.vault import CaseKeys
    from evidence.verify import Report

# The report's profiles (``evidence report --profile``), in words: value, label, what it is for.
PROFILES = (
    (
        "police",
        "For the police",
        "Every contact after you asked them to stop, the incidents you wrote down, and the original files.",
    ),
    (
        "protective-order",
        "For a court: asking for a protective order",
        "Contact after the no-contact date, in time order, with the original files.",
    ),
    (
        "lawyer",
        "For a lawyer or a court",
        "The full report: every message and call in time order, the original files, and how each was kept safe.",
    ),
    (
        "working",
        "For yourself",
        "A working copy that also shows the suggestions nobody has reviewed yet. Do not give it to anyone.",
    ),
)
PREVIEW_PAGES = 3
PREVIEW_DPI = 50


def _day(value: str, what: str) -> date | None:
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise UsageError(f"the {what} date is not a date") from None


@dataclass(frozen=True)
class ReportChoice:
    """What the report form asked for (``evidence report``'s options)."""

    profile: str = "police"
    since: date | None = None
    until: date | None = None
    person: str | None = None
    redact: bool = False
    sign: bool = False

    @classmethod
    def from_form(cls, form: Mapping[str, str]) -> ReportChoice:
        """The choice in a submitted form; UsageError in words for a wrong value."""
        profile = form.get("profile", "police")
        if profile not in {value for value, _, _ in PROFILES}:
            raise UsageError("choose who the report is for")
        since, until = _day(form.get("since", ""), "From"), _day(form.get("until", ""), "To")
        if since is not None and until is not None and until < since:
            raise UsageError("the To date is before the From date")
        return cls(
            profile=profile,
            since=since,
            until=until,
            person=form.get("person") or None,
            redact=form.get("redact") == "on",
            sign=form.get("sign") == "on",
        )

    def form(self) -> dict[str, Any]:
        """The choice as the form shows it again."""
        return {
            "profile": self.profile,
            "since": self.since.isoformat() if self.since else "",
            "until": self.until.isoformat() if self.until else "",
            "person": self.person or "",
            "redact": self.redact,
            "sign": self.sign,
        }


@dataclass(frozen=True)
class ExportChoice:
    """What the export form asked for (``evidence export``'s options): who it is for, the report inside, and
    only part of the case (dates, one person: a selective bundle)."""

    recipient: str | None = None
    with_report: bool = True
    since: date | None = None
    until: date | None = None
    person: str | None = None

    @classmethod
    def from_form(cls, form: Mapping[str, str]) -> ExportChoice:
        """The choice in a submitted form; UsageError in words for a wrong date."""
        since, until = _day(form.get("since", ""), "From"), _day(form.get("until", ""), "To")
        if since is not None and until is not None and until < since:
            raise UsageError("the To date is before the From date")
        return cls(
            recipient=form.get("recipient") or None,
            with_report=form.get("with_report") == "on",
            since=since,
            until=until,
            person=form.get("person") or None,
        )

    @property
    def partial(self) -> bool:
        """Whether only part of the case goes in."""
        return self.since is not None or self.until is not None or self.person is not None

    def form(self) -> dict[str, Any]:
        """The choice as the form shows it again."""
        return {
            "recipient": self.recipient or "",
            "with_report": self.with_report,
            "since": self.since.isoformat() if self.since else "",
            "until": self.until.isoformat() if self.until else "",
            "person": self.person or "",
        }


def profile_words(profile: str) -> str:
    """A profile's label ("For the police")."""
    return next(label for value, label, _ in PROFILES if value == profile)


@dataclass(frozen=True)
class BuiltReport:
    """A report built and recorded, held in memory for its download."""

    file_name: str
    pdf: bytes
    sha256: str
    entry: str  # the record-of-everything-done entry that recorded it, "seq:hash"
    built_from: str
    choice: ReportChoice
    previews: tuple[str, ...]  # its first pages as data: URLs (PNG)


@dataclass
class Staged:
    """A private folder on memory-backed storage holding one output until it is removed."""

    folder: tempfile.TemporaryDirectory[str] = field(repr=False)

    @property
    def path(self) -> Path:
        """The folder."""
        return Path(self.folder.name)

    def remove(self) -> None:
        """Remove the folder and everything in it (again: nothing)."""
        self.folder.cleanup()


def stage(encrypted: bool, prefix: str) -> Staged:
    """A new private folder (0700) on memory-backed storage; for a plain case without such storage, in the
    default temporary folder. An encrypted case without it is refused: its output would be decrypted onto disk."""
    from evidence.case.memtemp import memory_folder

    base = memory_folder()
    if base is None and encrypted:
        raise StorageError(
            "this computer has no memory-only storage, so the app cannot make this without writing your "
            "evidence, unlocked, to the disk",
            hint="use the command line instead: evidence report -o FILE, or evidence export -o FILE",
        )
    return Staged(tempfile.TemporaryDirectory(prefix=prefix, dir=base))


@contextlib.contextmanager
def staged(encrypted: bool, prefix: str) -> Iterator[Path]:
    """``stage`` as a context: the folder is removed on the way out."""
    place = stage(encrypted, prefix)
    try:
        yield place.path
    finally:
        place.remove()


def _file_name(kind: str, profile: str | None, redacted: bool, today: date) -> str:
    parts = ["evidence", kind, *([profile] if profile else []), today.isoformat()]
    if redacted:
        parts.append("redacted")
    return "-".join(parts) + (".pdf" if kind == "report" else ".zip")


def report_form_facts(root: Path, keys: CaseKeys | None) -> dict[str, Any]:
    """What the report form lists: the case's people (for "only about this person")."""
    from evidence.api import Case

    with Case.open(root, readonly=True, keys=keys) as case:
        return {"people": [p.name for p in case.people()]}


def export_facts(root: Path, keys: CaseKeys | None) -> dict[str, Any]:
    """What the export screen says the bundle will hold: how many original files, their size, and the case
    key's fingerprint (for the recipient to compare)."""
    from evidence.api import Case
    from evidence.describe import human_size

    with Case.open(root, readonly=True, keys=keys) as case:
        exhibits = case.exhibits()
        return {
            "originals": len(exhibits),
            "originals_size": human_size(sum(int(e["size"] or 0) for e in exhibits)),
            "key_fingerprint": case.public_key.fingerprint,
            "people": [p.name for p in case.people()],
        }


def build_report(root: Path, keys: CaseKeys | None, choice: ReportChoice) -> BuiltReport:
    """``Case.report`` with ``choice`` (recorded as ``evidence report`` records it), read into memory, and its
    first pages as PNG data: URLs."""
    from evidence.api import Case
    from evidence.report.preview import page_previews

    with staged(keys is not None, "evidence-report-") as folder, Case.open(root, keys=keys) as case:
        name = _file_name("report", choice.profile, choice.redact, datetime.now(case.tz).date())
        written = case.report(
            folder / name,
            profile=choice.profile,
            since=choice.since,
            until=choice.until,
            person=choice.person,
            redact=choice.redact,
            sign=choice.sign,
        )
        pdf = written.path.read_bytes()
    if hashlib.sha256(pdf).hexdigest() != written.sha256:  # what is handed over is what was recorded
        raise StorageError("the report read back is not the one recorded; build it again", path=name)
    pictures = page_previews(pdf, pages=PREVIEW_PAGES, dpi=PREVIEW_DPI)
    return BuiltReport(
        file_name=name,
        pdf=pdf,
        sha256=written.sha256,
        entry=str(written.entry),
        built_from=str(written.built_from),
        choice=choice,
        previews=tuple("data:image/png;base64," + base64.b64encode(p).decode("ascii") for p in pictures),
    )


@dataclass
class BuiltExport:
    """An export bundle built and recorded, kept in its ``Staged`` folder until downloaded."""

    staged: Staged
    file_name: str
    size: int
    sha256: str
    files: int
    withheld: int
    with_report: str | None
    selective: bool
    entry: str
    built_from: str
    key_fingerprint: str

    @property
    def path(self) -> Path:
        """The zip."""
        return self.staged.path / self.file_name


def build_export(
    root: Path, keys: CaseKeys | None, choice: ExportChoice, report: BuiltReport | None
) -> BuiltExport:
    """``Case.export`` (as ``evidence export``, recorded; with dates or a person, only the original files they
    select, each entry with its proof), with ``report`` inside when given, into a staged folder the caller
    removes (``BuiltExport.staged``)."""
    from evidence.api import Case
    from evidence.case.memtemp import require_room

    place = stage(keys is not None, "evidence-export-")
    try:
        with Case.open(root, keys=keys) as case:
            name = _file_name(
                "bundle", "part" if choice.partial else None, False, datetime.now(case.tz).date()
            )
            originals = sum(int(e["size"] or 0) for e in case.exhibits())
            require_room(place.path, originals, 0, what="the bundle's original files", path=Path(name))
            report_path = None
            if report is not None:
                report_path = place.path / report.file_name
                report_path.write_bytes(report.pdf)
            written = case.export(
                place.path / name,
                report=report_path,
                recipient=choice.recipient,
                since=choice.since,
                until=choice.until,
                person=choice.person,
            )
            fingerprint = case.public_key.fingerprint
        if report_path is not None:
            report_path.unlink()  # it is inside the bundle; only the zip stays
        return BuiltExport(
            staged=place,
            file_name=name,
            size=written.size,
            sha256=written.sha256,
            files=written.files,
            withheld=written.withheld,
            with_report=report.file_name if report is not None else None,
            selective=written.selective,
            entry=str(written.entry),
            built_from=str(written.built_from),
            key_fingerprint=fingerprint,
        )
    except BaseException:
        place.remove()
        raise


@dataclass
class Checked:
    """A received file's check in words: green or red, what it was, one headline, facts and findings."""

    ok: bool
    kind: str | None  # "report", "bundle", or None for neither
    headline: str
    lines: list[str] = field(default_factory=list)
    findings: list[str] = field(default_factory=list)
    not_expected: bool = False  # signed by another key than the fingerprint the sender gave


def _count(n: int, one: str, many: str) -> str:
    return f"{n} {one if n == 1 else many}"


def _findings(report: Report) -> list[str]:
    return [("Warning: " if f.severity == "warning" else "") + str(f) for f in report.findings]


def expected_key(text: str) -> str | None:
    """The key fingerprint the sender gave, as typed (spaces, colons and capitals allowed), or None when the
    field is empty; UsageError in words when it is not one."""
    digits = re.sub(r"[\s:]", "", text).lower()
    if not digits:
        return None
    if not re.fullmatch(r"[0-9a-f]{64}", digits):
        raise UsageError("the fingerprint you typed is not one: it has 64 digits and letters a to f")
    return digits


def check_received(
    path: Path, root: Path | None, keys: CaseKeys | None, expect_key: str | None = None
) -> Checked:
    """Check the file at ``path`` as ``evidence verify FILE [--expect-key FINGERPRINT]`` does (a report
    against the case at ``root``, or on its own when it names another case), and say what was found in words:
    ``Checked``."""
    from evidence.verify.report import is_report

    if is_report(path):
        found = _check_report(path, root, keys, expect_key)
    else:
        from evidence.verify.bundle import is_bundle

        if not is_bundle(path):
            return _neither()
        found = _check_bundle(path, expect_key)
    if expect_key and found.not_expected:
        found.headline = (
            "It was not signed by the key whose fingerprint you were given: it may not come from who you think. "
            + found.headline
        )
    elif expect_key and found.ok:
        found.lines.insert(0, "It was signed by the key whose fingerprint you were given.")
    return found


def _neither() -> Checked:
    return Checked(
        False,
        None,
        "This is neither a report (PDF) nor a bundle (zip) made with this toolkit. Nothing was checked.",
    )


def _check_report(path: Path, root: Path | None, keys: CaseKeys | None, expect_key: str | None) -> Checked:
    from evidence.verify.report import verify_report

    # as ``evidence verify`` outside a case: the manifest and signature
    report = verify_report(path, None, expect_key=expect_key)
    if "manifest" not in report.facts:
        return Checked(
            False,
            "report",
            "This PDF is not a report made with this toolkit, or it was changed so much that the list of what it "
            "shows cannot be read. It cannot be checked.",
            findings=_findings(report),
        )
    own_case = False
    if root is not None:  # a report of this case is checked against it, as ``evidence verify`` in the case
        against = verify_report(path, root, keys=keys, expect_key=expect_key)
        own_case = "OTHER_CASE" not in against.codes()
        report = against if own_case else report
    lines = []
    manifest = report.facts.get("manifest") or {}
    signature = report.facts.get("signature")
    if isinstance(signature, dict) and signature.get("key_fingerprint"):
        lines.append(
            "It is signed by the key with fingerprint "
            f"{signature['key_fingerprint']}. Compare it with the fingerprint the sender gave you by phone or "
            "in person."
        )
    if manifest.get("built_from"):
        head = manifest["built_from"]
        lines.append(
            f"It shows the case as it stood at step {head['seq']} of its record of everything done "
            f"({_count(manifest.get('records', 0), 'message or call', 'messages and calls')}, "
            f"{_count(manifest.get('exhibits', 0), 'original file', 'original files')})."
        )
    if report.ok and own_case:
        headline = "This report was made from this case and has not been changed since."
    elif report.ok:
        headline = (
            "This report was made from another case. Its signature is intact, so it has not been changed since "
            "it was signed; the rest can be checked only with that case or its bundle."
        )
    elif not own_case and "UNSIGNED_REPORT" in report.codes():
        headline = (
            "This report was not made from this case and is not signed, so it cannot be checked here. Ask the "
            "sender for the bundle it came with."
        )
    else:
        errors = sum(1 for f in report.findings if f.severity == "error")
        headline = (
            f"This report does not check out: {_count(errors, 'problem', 'problems')} found. It may have "
            "been changed after it was made."
        )
    return Checked(
        report.ok, "report", headline, lines, _findings(report), "KEY_NOT_EXPECTED" in report.codes()
    )


def _check_bundle(path: Path, expect_key: str | None) -> Checked:
    from evidence.verify.bundle import verify_bundle

    report = verify_bundle(path, expect_key=expect_key)
    lines = []
    key = report.facts.get("key_fingerprint")
    head = report.facts.get("head")
    if report.ok and key:
        lines.append(
            f"Every file in it is the one the sender's case recorded, and its record of everything done is complete "
            f"and signed by the key with fingerprint {key}. Compare that fingerprint with the one the sender "
            "gave you by phone or in person."
        )
    if report.ok and isinstance(head, dict):
        lines.append(
            f"It shows the case as it stood at step {head.get('seq')}: {head.get('seq')}:{head.get('hash')}"
        )
    for stamp in report.facts.get("anchors", []) if report.ok else []:
        when = stamp.get("gen_time") if isinstance(stamp, dict) else None
        if isinstance(when, str) and stamp.get("chain_checked") and stamp.get("independent"):
            lines.append(
                f"A time-stamping service ({stamp.get('tsa')}) confirms its record existed by {_when(when)}."
            )
        elif isinstance(when, str):
            lines.append("It carries a timestamp this computer cannot vouch for (its time is only claimed).")
    if report.ok:
        headline = "This bundle checks out: nothing in it was changed, added or removed."
    else:
        errors = sum(1 for f in report.findings if f.severity == "error")
        headline = (
            f"This bundle does not check out: {_count(errors, 'problem', 'problems')} found. Something in it "
            "was changed, added or removed, or it was not made with this toolkit."
        )
    return Checked(
        report.ok, "bundle", headline, lines, _findings(report), "KEY_NOT_EXPECTED" in report.codes()
    )


def _when(text: str) -> str:
    """An ISO time as shown everywhere in the app, with its offset (UTC when it has none: never naive)."""
    from datetime import UTC

    moment = datetime.fromisoformat(text)
    zone = moment.tzinfo or UTC
    return display(moment if moment.tzinfo else moment.replace(tzinfo=UTC), zone)
