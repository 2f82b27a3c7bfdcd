"""The command line: argparse over ``evidence.api``. The only place that prints and maps errors to exit codes.

``main`` runs one command; the tree is built in ``parser``, the commands live in ``commands_*`` by topic and the
printing helpers in ``output``. Nothing heavy is imported until a command runs, so ``evidence --version``
starts at once.
"""

from __future__ import annotations

import argparse
import os
import sys
import traceback
import warnings
from collections.abc import Sequence

from evidence.cli.common import passphrase_from_env_or_prompt
from evidence.cli.output import ProgressBar
from evidence.cli.parser import build_parser
from evidence.cli.sanitize import SafeStream
from evidence.errors import EvidenceError, ExitCode

__all__ = ["ProgressBar", "build_parser", "main"]


def main(argv: Sequence[str] | None = None) -> int:
    """Run the CLI; returns the exit code."""
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help()
        return ExitCode.USAGE
    # One passphrase callback per command: an encrypted case asks for it once, when it is opened.
    args.passphrase_source = passphrase_from_env_or_prompt()
    # pyHanko imports cryptography's DSA, which warns that DSA is deprecated; no signature here uses DSA, and a
    # frightened user should not read a library's notice as an error.
    warnings.filterwarnings("ignore", message="DSA is deprecated")
    # Case text is shown with its control characters escaped, whatever prints it (evidence.cli.sanitize).
    stdout, stderr = sys.stdout, sys.stderr
    sys.stdout, sys.stderr = SafeStream(stdout), SafeStream(stderr)
    try:
        return _run(args)
    finally:
        sys.stdout, sys.stderr = stdout, stderr


def _run(args: argparse.Namespace) -> int:
    """Run the parsed command; the one mapping of errors to a printed line and an exit code."""
    try:
        return int(args.func(args))
    except EvidenceError as exc:
        if args.verbose:
            traceback.print_exc()
        print(f"error: {exc.one_line()}", file=sys.stderr)
        if exc.hint:
            print(f"hint: {exc.hint}", file=sys.stderr)
        return int(exc.exit_code)
    except BrokenPipeError:
        # The reader went away (`evidence log | head`): not an error of ours; silence the final flush too.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return ExitCode.OK
    except KeyboardInterrupt:
        print("error: interrupted; the case is as it was before this command", file=sys.stderr)
        return ExitCode.INTERRUPTED
    except Exception:  # noqa: BLE001 - the last line of defence: a bug, reported as one
        traceback.print_exc()
        print(
            "error: internal error (a bug in evidence); please report it with the trace above",
            file=sys.stderr,
        )
        return ExitCode.INTERNAL
