"""Commands about an encrypted case's passphrase and key: ``unlock`` (an agent keeps the key for a while),
``lock``, ``passphrase`` (change it) and ``destroy-key`` (make the case unreadable for ever)."""

from __future__ import annotations

import argparse
import getpass
import os
import signal
import sys
import time
from datetime import timedelta
from pathlib import Path

from evidence.cli.common import case_dir, passphrase_from_env_or_prompt, reading_case
from evidence.errors import PassphraseError, UsageError
from evidence.timeutil import display

COUNTDOWN_SECONDS = 10


def _encrypted_case(args: argparse.Namespace, doing: str) -> Path:
    """The case folder the command acts on; UsageError when it is a plain case (nothing to ``doing``)."""
    from evidence.case import vault
    from evidence.case.folder import find_case, unlock_case

    root = find_case(case_dir(args))
    if not vault.is_encrypted(root):
        unlock_case(root, None)  # a case whose key was destroyed is told apart from a plain one (CaseError)
        raise UsageError(
            f"this case is not encrypted: there is no case key to {doing}",
            path=root,
            hint="a case made with 'init --plain' is readable by anyone using this computer",
        )
    return root


def _failures_note(root: Path) -> str | None:
    """A line telling of wrong passphrases typed since the case was last opened, or None."""
    from evidence.case.formats import KEYS_DIR
    from evidence.case.vault import recorded_failures

    failures = recorded_failures(root / KEYS_DIR)
    if not failures.count:
        return None
    when = ""
    if failures.last is not None:
        local = failures.last.astimezone()  # this computer's zone, with its offset
        assert local.tzinfo is not None
        when = f" (the last at {display(local, local.tzinfo)})"
    plural = "s were" if failures.count > 1 else " was"
    return f"note: {failures.count} wrong passphrase{plural} typed for this case before this one{when}"


def cmd_unlock(args: argparse.Namespace) -> int:
    from evidence.case import agent, vault
    from evidence.case.formats import KEYS_DIR

    root = _encrypted_case(args, "unlock")
    running = agent.status(root)
    if running is not None:
        print(
            f"Already unlocked (agent {running.pid}): it locks after {running.idle_seconds // 60} minutes "
            f"without use, in {running.left_seconds // 60} min {running.left_seconds % 60} s now. "
            "'evidence lock' locks it at once."
        )
        return 0
    note = _failures_note(root)
    secret = args.passphrase_source()
    if not secret:
        raise PassphraseError(
            "this case is encrypted: its passphrase is needed to unlock it",
            path=root,
            hint="type it when asked, or set EVIDENCE_PASSPHRASE",
        )
    keys = vault.unlock(root / KEYS_DIR, secret)
    if note:
        print(note, file=sys.stderr)
    started = agent.start(root, keys, idle=timedelta(minutes=args.idle))
    print(f"Unlocked {root} (agent {started.pid}).")
    print(
        f"Commands of this case will not ask for the passphrase until {args.idle} minutes pass without one, "
        "or until 'evidence lock'. Lock it before you leave this computer."
    )
    return 0


def cmd_lock(args: argparse.Namespace) -> int:
    from evidence.case import agent
    from evidence.case.folder import find_case

    if args.all:
        locked, stale = agent.lock_all()
        for case in locked:
            print(f"Locked {case}")
        if stale:
            print(f"Removed {stale} socket(s) of agents that had already ended.")
        if not locked:
            print("No case was unlocked.")
        return 0
    root = find_case(case_dir(args))
    if agent.lock(root):
        print(f"Locked {root}: its commands ask for the passphrase again.")
    else:
        print(f"{root} was not unlocked: nothing to lock.")
    return 0


def _new_passphrase() -> str:
    """The new passphrase: $EVIDENCE_NEW_PASSPHRASE, else typed twice on a terminal."""
    env = os.environ.get("EVIDENCE_NEW_PASSPHRASE")
    if env:
        return env
    if not sys.stdin.isatty():
        raise UsageError(
            "no new passphrase was given", hint="type it on a terminal, or set EVIDENCE_NEW_PASSPHRASE"
        )
    print(
        "Choose the new passphrase: four or more unrelated words are strong and easy to type.",
        file=sys.stderr,
    )
    first = getpass.getpass("New passphrase: ")
    if not first:
        raise UsageError("the new passphrase is empty", hint="choose four or more unrelated words")
    if getpass.getpass("Same new passphrase again: ") != first:
        raise UsageError("the two new passphrases differ: nothing was changed", hint="run the command again")
    return first


def cmd_passphrase(args: argparse.Namespace) -> int:
    from evidence.case import vault
    from evidence.case.formats import KEYS_DIR

    root = _encrypted_case(args, "change the passphrase of")
    note = _failures_note(root)
    old = passphrase_from_env_or_prompt(prompt="Current passphrase of the case: ")()
    if not old:
        raise PassphraseError(
            "the current passphrase is needed to change it",
            path=root,
            hint="type it when asked, or set EVIDENCE_PASSPHRASE",
        )
    vault.unlock(root / KEYS_DIR, old)  # checked before the new one is typed twice for nothing
    if note:
        print(note, file=sys.stderr)
    new = _new_passphrase()
    if new == old:
        raise UsageError("the new passphrase is the same as the current one: nothing was changed")
    print(f"new passphrase: {vault.passphrase_strength(new)}", file=sys.stderr)
    vault.change_passphrase(root / KEYS_DIR, old, new)
    print("Passphrase changed: from now on only the new one opens this case.")
    print(
        "Copies of the case folder made before now (backups, cloud copies, USB sticks) still open with the old "
        "one. If the case is unlocked, it stays unlocked."
    )
    return 0


WARNING = """\
WARNING: this destroys the key of the case {title!r} in {root}.
After it, NOBODY can ever read this case again: not you, not with the passphrase, not a lawyer, not the police,
not the makers of this program. Its messages, pictures, files and ledger cannot be restored, ever.
Export what you need first ('evidence export', 'evidence report').
Copies of the case folder (backups, cloud copies, USB sticks) are NOT destroyed: they still open with the
passphrase. On an SSD or a copy-on-write disk the old bytes of the key may survive inside the drive."""


def cmd_destroy_key(args: argparse.Namespace) -> int:
    from evidence.case import agent
    from evidence.case.destroy import destroy_keys

    root = _encrypted_case(args, "destroy")
    with reading_case(args) as case:
        title = case.title
    print(WARNING.format(title=title, root=root), file=sys.stderr)
    if not args.yes_i_understand:
        print(f"To destroy it, type the case's title exactly ({title}).", file=sys.stderr)
        try:
            typed = input("Title: ")
        except EOFError:
            typed = ""
        if typed.strip() != title.strip():
            raise UsageError("what was typed is not the case's title: nothing was destroyed", path=root)
    # Ctrl-C must cancel even when this process was started with SIGINT ignored (a background job of a
    # script, nohup-like wrappers): Python then installs no handler of its own.
    signal.signal(signal.SIGINT, signal.default_int_handler)
    print(f"Destroying the key in {COUNTDOWN_SECONDS} s; press Ctrl-C to cancel:", end="", file=sys.stderr)
    for left in range(COUNTDOWN_SECONDS, 0, -1):
        print(f" {left}", end="", file=sys.stderr)
        sys.stderr.flush()
        time.sleep(1)
    print(file=sys.stderr)
    agent.lock(root)
    removed = destroy_keys(root)
    print(f"Destroyed {', '.join('keys/' + name for name in removed)} in {root}.")
    print("Nobody can read this case any more. The folder can be deleted.")
    return 0
