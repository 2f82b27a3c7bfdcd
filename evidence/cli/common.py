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


def passphrase_from_env_or_prompt(
    confirm: bool = False, prompt: str = "Passphrase of the case: "
) -> Callable[[], str | None]:
    """A callback the library calls only when it needs the passphrase (an encrypted case, or a plain case's
    protected signing key): $EVIDENCE_PASSPHRASE, else a prompt on a terminal (typed twice with ``confirm``),
    else None. Asked at most once per command."""
    asked: list[str | None] = []

    def get() -> str | None:
        env = os.environ.get("EVIDENCE_PASSPHRASE")
        if env:
            return env
        if asked:
            return asked[0]
        if not sys.stdin.isatty():
            return None
        first = getpass.getpass(prompt)
        if confirm:
            second = getpass.getpass("Same passphrase again: ")
            if first != second:
                raise UsageError("the two passphrases differ", hint="run the command again")
        asked.append(first or None)
        return asked[0]

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

    with Case.open(case_dir(args), passphrase=args.passphrase_source) as case:
        try:
            yield case
        finally:
            print_recovery_notes(case)


@contextlib.contextmanager
def reading_case(args: argparse.Namespace) -> Iterator[Case]:
    """The case a reading command opens, read-only (an encrypted case asks for its passphrase)."""
    from evidence.api import Case

    with Case.open(case_dir(args), readonly=True, passphrase=args.passphrase_source) as case:
        yield case
