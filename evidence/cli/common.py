"""What every command takes from its arguments and environment: the case folder and the signing passphrase."""

from __future__ import annotations

import argparse
import getpass
import os
import sys
from collections.abc import Callable
from pathlib import Path

from evidence.errors import UsageError


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


def case_dir(args: argparse.Namespace) -> Path | None:
    """The folder given with -C, or None (the library then looks at $EVIDENCE_CASE and the current folder)."""
    return Path(args.case) if args.case else None
