"""What every command takes from its arguments and environment: the case folder and the signing passphrase."""

from __future__ import annotations

import argparse
import contextlib
import getpass
import os
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING

from evidence.errors import UsageError

if TYPE_CHECKING:
    from evidence.api import Case


def passphrase_from_env_or_prompt(confirm: bool = False) -> Callable[[], str | None]:
    """A callback the library calls only when it needs the key: $EVIDENCE_PASSPHRASE, else a prompt on a
    terminal (typed twice with ``confirm``), else None."""

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


def backup_password_prompt() -> Callable[[], str | None]:
    """A callback the import calls only for an encrypted iPhone backup (after $EVIDENCE_BACKUP_PASSWORD):
    a prompt on a terminal, else None."""

    def get() -> str | None:
        if not sys.stdin.isatty():
            return None
        return getpass.getpass("Password of the encrypted iPhone backup (set in Finder or iTunes): ") or None

    return get


def case_dir(args: argparse.Namespace) -> Path | None:
    """The folder given with -C, or None (the library then looks at $EVIDENCE_CASE and the current folder)."""
    return Path(args.case) if args.case else None


@contextlib.contextmanager
def writing_case(args: argparse.Namespace) -> Iterator[Case]:
    """The case a writing command opens; what recovering from a killed writer did is printed afterwards
    (``note: ...`` on stderr), even when the command itself fails."""
    from evidence.api import Case
    from evidence.cli.output import print_recovery_notes

    with Case.open(case_dir(args)) as case:
        try:
            yield case
        finally:
            print_recovery_notes(case)
