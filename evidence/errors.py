"""The library's errors: one tree, each with an exit code and a hint that names the fix.

The library raises; only the CLI prints and exits. Every error carries the file (or the case) it is about,
so the CLI can print one line: ``error: calls.xml: line 4: <call> has no date``.
"""

from __future__ import annotations

from enum import IntEnum
from pathlib import Path


class ExitCode(IntEnum):
    """Distinct process exit codes, mapped in one place (the CLI)."""

    OK = 0
    VERIFY_FAILED = 1  # the case, bundle or report is not intact
    USAGE = 2  # bad arguments (argparse also uses 2)
    INPUT = 3  # an input file is unreadable, malformed or hostile
    CASE = 4  # no case here, a case already exists, the case database is unusable
    KEY = 5  # the signing key is locked (passphrase missing or wrong) or unreadable
    DEPENDENCY = 6  # a required program or library is missing
    STORAGE = 7  # the disk is full or not writable
    ANCHOR = 8  # a timestamp authority could not be reached or its answer failed a check (nothing recorded)
    INTERNAL = 70  # a bug: please report it (EX_SOFTWARE)
    INTERRUPTED = 130  # Ctrl-C


class EvidenceError(Exception):
    """Base of every error the library raises on purpose."""

    exit_code: ExitCode = ExitCode.INTERNAL

    def __init__(self, message: str, *, path: str | Path | None = None, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.path = str(path) if path is not None else None
        self.hint = hint

    def one_line(self) -> str:
        """The message as the CLI prints it: ``<file>: <problem>``."""
        return f"{self.path}: {self.message}" if self.path else self.message


class UsageError(EvidenceError):
    """The command line asks for something impossible or contradictory."""

    exit_code = ExitCode.USAGE


class InputError(EvidenceError):
    """An input file cannot be imported (missing, unreadable, malformed, hostile)."""

    exit_code = ExitCode.INPUT


class CaseError(EvidenceError):
    """No case where one was expected, a case where none should be, or a case database that cannot be used."""

    exit_code = ExitCode.CASE


class SigningKeyError(EvidenceError):
    """The case's signing key cannot be used: locked, wrong passphrase, unreadable."""

    exit_code = ExitCode.KEY


class PassphraseError(SigningKeyError):
    """The passphrase does not unlock this case (exit 5, as a locked signing key)."""


class SealedError(CaseError):
    """A sealed (encrypted) object of the case cannot be opened: altered, cut, not this case's, or not the
    object it is claimed to be."""


class DependencyError(EvidenceError):
    """A program or library the operation needs is not installed."""

    exit_code = ExitCode.DEPENDENCY


class StorageError(EvidenceError):
    """Writing to the case failed (disk full, permissions); the case was left as it was."""

    exit_code = ExitCode.STORAGE


class VerificationFailed(EvidenceError):
    """Verification found problems; the findings are in the attached report."""

    exit_code = ExitCode.VERIFY_FAILED


class AnchorError(EvidenceError):
    """A trusted timestamp (RFC 3161) could not be obtained, or the answer failed a check; nothing was recorded.

    ``code`` names the failed check as the verifier reports it (``ANCHOR_IMPRINT``, ``ANCHOR_SIGNATURE``, ...).
    """

    exit_code = ExitCode.ANCHOR

    def __init__(
        self, code: str, message: str, *, path: str | Path | None = None, hint: str | None = None
    ) -> None:
        super().__init__(message, path=path, hint=hint)
        self.code = code
