"""What the app's screens ask of the library, as plain functions returning what a template shows: create and
unlock a case, the passphrase hint, the check of the whole case (the timeline: ``timeline_screen.py``).

Each is a thin call into ``evidence.api`` (the check into ``evidence.verify.case``, as ``evidence verify``
does); nothing here writes but ``Case.init``. Times are shown with their offset (``timeutil.display``), in the
case's zone.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

from evidence.errors import EvidenceError, PassphraseError
from evidence.models import Channel

if TYPE_CHECKING:
    from evidence.case.vault import CaseKeys, Cost

CHANNEL_WORDS = {
    Channel.CALL: "Call",
    Channel.SMS: "Text message",
    Channel.MMS: "Picture message",
    Channel.EMAIL: "E-mail",
    Channel.CHAT: "Chat",
    Channel.SOCIAL: "Social media",
    Channel.VOICEMAIL: "Voicemail",
    Channel.DIARY: "Diary",
    Channel.SCREENSHOT: "Screenshot",
    Channel.FILE: "File",
}
DIRECTION_WORDS = {"incoming": "received", "outgoing": "sent by you", "unknown": "direction unknown"}


def attribution_words(said: Mapping[str, Any]) -> str:
    """One of her attributions (``evidence attribute``, a ``record.attributed`` entry) as the app says it: hers,
    with her basis, never as what the file says."""
    return f"You said this was {said['person']} (your reason: \u201c{said['basis']}\u201d). This is your statement, not what the file says."


def in_words(exc: EvidenceError) -> str:
    """A library error as one line for the page, with the hint when there is one."""
    if isinstance(exc, PassphraseError):
        return "That passphrase did not open the case. Check it and try again."
    # The library's hints are written for the command line; one naming a flag or a command would confuse here.
    hint = exc.hint if exc.hint and "--" not in exc.hint and "'" not in exc.hint else None
    return exc.one_line() + (f" ({hint})" if hint else "")


def is_case_folder(path: Path) -> bool:
    """Whether ``path`` holds a case."""
    from evidence.api import is_case

    return is_case(path)


def is_encrypted(path: Path) -> bool:
    """Whether the case at ``path`` is encrypted."""
    from evidence.case.vault import is_encrypted as encrypted

    return encrypted(path)


def local_zone_name() -> str:
    """This computer's IANA zone name when it can be read (``$TZ`` or ``/etc/localtime``), else UTC."""
    name = os.environ.get("TZ", "")
    if "/" in name:
        return name.lstrip(":")
    try:
        target = os.readlink("/etc/localtime")
    except OSError:
        return "UTC"
    return target.split("zoneinfo/", 1)[1] if "zoneinfo/" in target else "UTC"


def strength_hint(passphrase: str) -> str:
    """The library's strength hint in words ("weak: short; use four or more unrelated words")."""
    from evidence.case.vault import passphrase_strength

    if not passphrase:
        return "Four or more unrelated words make a strong passphrase."
    return "This passphrase is " + passphrase_strength(passphrase) + "."


def create_case(
    folder: Path, title: str, tz: str, no_contact: date | None, passphrase: str, cost: Cost | None
) -> CaseKeys:
    """``Case.init(encrypted=True)``; returns the new case's keys (the case itself is closed)."""
    from evidence.api import Case

    with Case.init(
        folder,
        title=title,
        tz=tz,
        passphrase=passphrase,
        no_contact_since=no_contact,
        encrypted=True,
        cost=cost,
    ) as case:
        assert case.keys is not None
        return case.keys


def unlock_case(root: Path, passphrase: str | None) -> CaseKeys | None:
    """Open the case with ``passphrase`` (None for a plain case) and return its keys (None for a plain case);
    a wrong passphrase raises ``PassphraseError``."""
    from evidence.api import Case

    if passphrase is not None and not passphrase:
        raise PassphraseError("type the passphrase")
    with Case.open(root, readonly=True, passphrase=passphrase) as case:
        return case.keys


def case_title(root: Path, keys: CaseKeys | None) -> str:
    """The case's title."""
    from evidence.api import Case

    with Case.open(root, readonly=True, keys=keys) as case:
        return case.title


def _count(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def verify_view(root: Path, keys: CaseKeys | None) -> dict[str, Any]:
    """The whole case checked (``verify_case``, checks (1)-(8)): ok, a summary in words, the head as
    ``seq:hash`` and each finding as a line."""
    from evidence.verify.case import verify_case

    report = verify_case(root, keys=keys)
    checked = report.checked
    head = report.facts.get("head", {})
    summary = (
        f"Checked: {_count(checked.get('entries', 0), 'step')} in the record of everything done, "
        f"{_count(checked.get('signatures', 0), 'signature')} and {_count(checked.get('objects', 0), 'file')}."
    )
    errors = sum(1 for f in report.findings if f.severity == "error")
    if not report.ok:
        summary = f"{errors} problem{'s' if errors != 1 else ''} found. " + summary
    return {
        "ok": report.ok,
        "summary": summary,
        "head": f"{head.get('seq')}:{head.get('hash')}" if head else "",
        "findings": [("Warning: " if f.severity == "warning" else "") + str(f) for f in report.findings],
    }
