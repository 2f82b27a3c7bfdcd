"""The CLI's printing helpers: verification reports, JSON forms of results, recovery notes, the progress bar.

Only light modules are imported here; the library's types are for the type checker alone, so that printing
helpers can be imported without loading the case, the verifier or their heavy dependencies.
"""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Any

from evidence.cli.sanitize import json_text, raw_stream
from evidence.describe import human_size

if TYPE_CHECKING:
    from evidence.api import Case
    from evidence.verify import Report


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
        # Our own carriage return: written under the CLI's escaping of case text (evidence.cli.sanitize).
        stream = raw_stream(self.stream)
        stream.write(f"\r{self.label} {done}/{total} images [{bar}]")
        stream.flush()
        self.drawn = True

    def close(self) -> None:
        """End the bar's line (when one was drawn)."""
        if self.drawn:
            self.stream.write("\n")
            self.stream.flush()


def print_recovery_notes(case: Case) -> None:
    """What the recovery from a killed writer did (a report or export finished or removed, a journal row left
    alone), on stderr; each note once."""
    for note in case.recovery_notes:
        print(f"note: {note}", file=sys.stderr)
    case.recovery_notes.clear()


def import_json(result: Any) -> dict[str, Any]:
    """``import --json``: the operation, the new head and each file imported."""
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
                "read": i.tally.to_json() if i.tally else None,
            }
            for i in result.items
        ],
    }


def ocr_json(item: Any) -> dict[str, Any]:
    """One picture of ``ocr --json``: its status, its ledger entry and what was read."""
    return {
        "exhibit": item.exhibit,
        "sha256": item.sha256,
        "status": item.status,
        "entry": item.entry,
        "message": item.message,
        "ocr": item.outcome.raw() if item.outcome is not None else None,
        "text": item.outcome.text if item.outcome is not None else None,
    }


def print_report(report: Report, as_json: bool) -> None:
    """A verification report: each finding, then one verdict line (OK or FAILED) with what was checked."""
    if as_json:
        print(json_text(report.to_json()))
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
        ignored = sig.get("timestamp_ignored")
        if isinstance(ignored, dict):  # an untrusted or broken timestamp gives no time: never print its date
            stamp = f", a {ignored.get('reason')} timestamp attached (ignored)"
        print(
            f"    PDF signature: {sig['level']} by key {sig['key_fingerprint']}{stamp}; covers {sig['coverage']}"
        )


def _print_anchors(report: Report) -> None:
    for anchor in report.facts.get("anchors", []):
        covers = anchor["covers"]
        if not anchor["chain_checked"]:
            trust = " (chain not checked: self-asserted time)"
        elif not anchor.get("independent"):
            trust = " (self-asserted time: its root is in no trust store of this computer)"
        else:
            trust = " (independent: its root is in this computer's trust store)"
        print(
            f"    head {covers['seq']}:{covers['hash'][:16]}… existed at {anchor['gen_time']} per {anchor['tsa']}"
            f" (RFC 3161 token, entry {anchor['entry']}){trust}"
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


def print_screen_messages(shown: dict[str, Any]) -> None:
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
