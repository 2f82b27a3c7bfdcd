"""``evidence unlock``, ``lock``, ``passphrase`` and ``destroy-key`` as a user runs them: real processes, real
agents, passphrases typed on a real terminal (a pseudo-terminal) where the command asks for them there."""

from __future__ import annotations

import os
import pty
import re
import select
import shutil
import signal
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from evidence.api import Case
from evidence.case import agent, vault
from evidence.errors import CaseError
from tests.conftest import ROOT, run_cli

PASS = "correct horse battery staple"
NEW = "violet lantern under the quiet bridge"
TITLE = "Harassment by A. Morgan"


@pytest.fixture
def runtime(monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A short XDG_RUNTIME_DIR of this test's own, for this process and the commands it runs; every agent still
    running at the end is locked."""
    folder = Path(tempfile.mkdtemp(prefix="ev-", dir="/tmp"))
    os.chmod(folder, 0o700)
    monkeypatch.setenv("XDG_RUNTIME_DIR", str(folder))
    try:
        yield folder
    finally:
        agent.lock_all()
        shutil.rmtree(folder, ignore_errors=True)


def _case(root: Path, source: Path | None = None) -> Path:
    with Case.init(
        root, title=TITLE, tz="Europe/London", passphrase=PASS, encrypted=True, cost=vault.TEST_COST
    ) as case:
        if source is not None:
            case.import_files([source])
    return root


def _sms(corpus: Path) -> Path:
    return corpus / "smsbackup" / "sms-devadvance-sms_and_mms.xml"


def _terminal(
    args: list[str], steps: list[tuple[str, str]], *, timeout: float = 120, sigint_ignored: bool = False
) -> tuple[int, str]:
    """Run ``evidence ARGS`` on a new pseudo-terminal; for each (expected, typed) step, wait until the output
    shows ``expected`` and type ``typed``. The exit code and everything shown. ``sigint_ignored``: the command
    starts with SIGINT ignored, as a background job of a script does."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("EVIDENCE_")}
    pid, fd = pty.fork()
    if pid == 0:  # the child: the command, with the terminal as its controlling terminal
        try:
            os.chdir(ROOT)
            if sigint_ignored:
                signal.signal(signal.SIGINT, signal.SIG_IGN)
            os.execve(sys.executable, [sys.executable, "-m", "evidence", *args], env)
        finally:
            os._exit(127)
    shown = ""
    deadline = time.monotonic() + timeout

    def read_some() -> bool:
        nonlocal shown
        ready, _, _ = select.select([fd], [], [], max(0.0, deadline - time.monotonic()))
        if not ready:
            return False
        try:
            chunk = os.read(fd, 4096)
        except OSError:  # EIO: the command ended and closed the terminal
            return False
        shown += chunk.decode("utf-8", "replace")
        return bool(chunk)

    try:
        for expected, typed in steps:
            while expected not in shown:
                if not read_some():
                    raise AssertionError(f"never shown: {expected!r}; shown: {shown!r}")
            os.write(fd, typed.encode())
        while read_some():
            pass
    finally:
        _, status = os.waitpid(pid, 0)
        os.close(fd)
    return os.waitstatus_to_exitcode(status), shown


def test_unlock_then_commands_need_no_passphrase_until_lock(
    tmp_path: Path, corpus: Path, runtime: Path
) -> None:
    root = _case(tmp_path / "case", _sms(corpus))
    unlocked = run_cli("-C", str(root), "unlock", env={"EVIDENCE_PASSPHRASE": PASS})
    assert unlocked.returncode == 0, unlocked.stderr
    assert "Unlocked" in unlocked.stdout and "10 minutes" in unlocked.stdout
    running = agent.status(root)
    assert running is not None and running.idle_seconds == 600
    shown = run_cli("-C", str(root), "timeline")  # no passphrase anywhere: the agent gives the key
    assert shown.returncode == 0, shown.stderr
    assert shown.stdout.count("\n") > 10
    # A writing command too: the import is stored, indexed and signed with the key the agent gives.
    calls = corpus / "smsbackup" / "calls-shruggietech-minimal_calls.xml"
    imported = run_cli("-C", str(root), "import", str(calls))
    assert imported.returncode == 0, imported.stderr
    assert "EX-0002" in imported.stdout and "calls-shruggietech-minimal_calls.xml" in imported.stdout
    again = run_cli("-C", str(root), "unlock")
    assert again.returncode == 0 and "Already unlocked" in again.stdout
    locked = run_cli("-C", str(root), "lock")
    assert locked.returncode == 0 and "Locked" in locked.stdout
    assert agent.status(root) is None
    refused = run_cli("-C", str(root), "timeline")
    assert refused.returncode == 5 and "passphrase is needed" in refused.stderr
    twice = run_cli("-C", str(root), "lock")
    assert twice.returncode == 0 and "was not unlocked" in twice.stdout


def test_unlock_idle_minutes_and_lock_all(tmp_path: Path, runtime: Path) -> None:
    first, second = _case(tmp_path / "first"), _case(tmp_path / "second")
    env = {"EVIDENCE_PASSPHRASE": PASS}
    assert run_cli("-C", str(first), "unlock", "--idle", "3", env=env).returncode == 0
    assert run_cli("-C", str(second), "unlock", env=env).returncode == 0
    status = agent.status(first)
    assert status is not None and status.idle_seconds == 180
    for bad in ("0", "-1", "1441", "ten"):
        refused = run_cli("-C", str(first), "unlock", "--idle", bad, env=env)
        assert refused.returncode == 2 and "minutes from 1 to 1440" in refused.stderr
    done = run_cli("lock", "--all")
    assert done.returncode == 0, done.stderr
    assert f"Locked {first}" in done.stdout and f"Locked {second}" in done.stdout
    assert agent.status(first) is None and agent.status(second) is None
    nothing = run_cli("lock", "--all")
    assert nothing.returncode == 0 and "No case was unlocked" in nothing.stdout


def test_unlock_with_a_wrong_or_missing_passphrase(tmp_path: Path, runtime: Path) -> None:
    root = _case(tmp_path / "case")
    missing = run_cli("-C", str(root), "unlock")  # no EVIDENCE_PASSPHRASE, and stdin is not a terminal
    assert missing.returncode == 5 and "passphrase is needed to unlock it" in missing.stderr
    for attempt in (1, 2, 3):
        wrong = run_cli("-C", str(root), "unlock", env={"EVIDENCE_PASSPHRASE": f"not it {attempt}"})
        assert wrong.returncode == 5, wrong.stderr
        assert "wrong passphrase" in wrong.stderr and "Traceback" not in wrong.stderr
        assert f"not it {attempt}" not in wrong.stdout + wrong.stderr
    assert "after 3 wrong tries in a row the next one waits 1 s" in wrong.stderr
    assert agent.status(root) is None  # no agent for a wrong passphrase
    began = time.monotonic()
    right = run_cli("-C", str(root), "unlock", env={"EVIDENCE_PASSPHRASE": PASS})
    assert right.returncode == 0, right.stderr
    assert time.monotonic() - began >= 1.0  # the growing delay
    note = re.search(r"note: 3 wrong passphrases were typed .* \(the last at (.+)\)", right.stderr)
    assert note is not None and re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d [+-]\d\d:\d\d", note.group(1))
    assert agent.status(root) is not None
    plain = tmp_path / "plain"
    Case.init(plain, title="t", tz="UTC").close()
    refused = run_cli("-C", str(plain), "unlock")
    assert refused.returncode == 2 and "not encrypted" in refused.stderr


def test_passphrase_change_keeps_a_running_agent_working(tmp_path: Path, runtime: Path) -> None:
    root = _case(tmp_path / "case")
    vault_file = root / "keys" / "vault.json"
    assert run_cli("-C", str(root), "unlock", env={"EVIDENCE_PASSPHRASE": PASS}).returncode == 0
    before = vault_file.read_bytes()
    no_old = run_cli("-C", str(root), "passphrase", env={"EVIDENCE_NEW_PASSPHRASE": NEW})
    assert no_old.returncode == 5 and "current passphrase is needed" in no_old.stderr
    no_new = run_cli("-C", str(root), "passphrase", env={"EVIDENCE_PASSPHRASE": PASS})
    assert no_new.returncode == 2 and "no new passphrase" in no_new.stderr
    same = run_cli(
        "-C", str(root), "passphrase", env={"EVIDENCE_PASSPHRASE": PASS, "EVIDENCE_NEW_PASSPHRASE": PASS}
    )
    assert same.returncode == 2 and "the same as the current one" in same.stderr
    wrong = run_cli(
        "-C", str(root), "passphrase", env={"EVIDENCE_PASSPHRASE": "nope", "EVIDENCE_NEW_PASSPHRASE": NEW}
    )
    assert wrong.returncode == 5 and "wrong passphrase" in wrong.stderr
    assert vault_file.read_bytes() == before
    changed = run_cli(
        "-C", str(root), "passphrase", env={"EVIDENCE_PASSPHRASE": PASS, "EVIDENCE_NEW_PASSPHRASE": NEW}
    )
    assert changed.returncode == 0, changed.stderr
    assert "Passphrase changed" in changed.stdout and "still open with the old" in changed.stdout
    assert "new passphrase: strong" in changed.stderr
    assert vault_file.read_bytes() != before
    head = run_cli("-C", str(root), "head")  # the agent still holds the (unchanged) data key
    assert head.returncode == 0, head.stderr
    assert run_cli("-C", str(root), "lock").returncode == 0
    old = run_cli("-C", str(root), "head", env={"EVIDENCE_PASSPHRASE": PASS})
    assert old.returncode == 5 and "wrong passphrase" in old.stderr
    new = run_cli("-C", str(root), "head", env={"EVIDENCE_PASSPHRASE": NEW})
    assert new.returncode == 0 and new.stdout.strip() == head.stdout.strip()


def test_passphrase_typed_on_a_terminal(tmp_path: Path, runtime: Path) -> None:
    root = _case(tmp_path / "case")
    vault_file = root / "keys" / "vault.json"
    before = vault_file.read_bytes()
    code, shown = _terminal(
        ["-C", str(root), "passphrase"],
        [
            ("Current passphrase", PASS + "\n"),
            ("New passphrase:", NEW + "\n"),
            ("Same new passphrase again:", NEW + "X\n"),
        ],
    )
    assert code == 2 and "differ: nothing was changed" in shown, shown
    assert PASS not in shown and NEW not in shown  # never echoed
    assert vault_file.read_bytes() == before
    code, shown = _terminal(
        ["-C", str(root), "passphrase"],
        [
            ("Current passphrase", PASS + "\n"),
            ("New passphrase:", NEW + "\n"),
            ("Same new passphrase again:", NEW + "\n"),
        ],
    )
    assert code == 0, shown
    assert "new passphrase: strong" in shown and "Passphrase changed" in shown
    with Case.open(root, readonly=True, passphrase=NEW) as case:
        assert case.title == TITLE


def test_destroy_key_refused_or_cancelled_leaves_the_case_intact(tmp_path: Path, runtime: Path) -> None:
    root = _case(tmp_path / "case")
    keys = root / "keys"
    before = {name: (keys / name).read_bytes() for name in ("vault.json", "case.key")}
    env = {"EVIDENCE_PASSPHRASE": PASS}
    mistyped = run_cli("-C", str(root), "destroy-key", env=env, stdin="Harassment by A Morgan\n")
    assert mistyped.returncode == 2 and "nothing was destroyed" in mistyped.stderr
    assert "NOBODY can ever read this case again" in mistyped.stderr and TITLE in mistyped.stderr
    locked = run_cli("-C", str(root), "destroy-key", "--yes-i-understand")
    assert locked.returncode == 5  # it takes someone who can open the case
    # Ctrl-C typed on the terminal during the countdown (--yes-i-understand skips the title, not the countdown).
    assert run_cli("-C", str(root), "unlock", env=env).returncode == 0
    code, shown = _terminal(
        ["-C", str(root), "destroy-key", "--yes-i-understand"], [("Destroying the key in 10 s", "\x03")]
    )
    assert code == 130 and "the case is as it was" in shown, shown
    assert {name: (keys / name).read_bytes() for name in before} == before
    assert agent.status(root) is not None  # cancelled: the agent was not ended either
    with Case.open(root, readonly=True, passphrase=PASS) as case:
        assert case.title == TITLE
    plain = tmp_path / "plain"
    Case.init(plain, title="t", tz="UTC").close()
    refused = run_cli("-C", str(plain), "destroy-key", "--yes-i-understand")
    assert refused.returncode == 2 and "not encrypted" in refused.stderr
    assert (plain / "keys" / "case.key").exists()


def test_ctrl_c_cancels_the_countdown_even_when_started_with_sigint_ignored(
    tmp_path: Path, runtime: Path
) -> None:
    """Started from a script's background job, a process inherits SIGINT ignored and Python installs no
    handler: Ctrl-C on the terminal used to do nothing, and the key was destroyed (found in a full test run
    started in the background). The countdown now takes Ctrl-C whatever it inherited."""
    root = _case(tmp_path / "case")
    before = (root / "keys" / "vault.json").read_bytes()
    assert run_cli("-C", str(root), "unlock", env={"EVIDENCE_PASSPHRASE": PASS}).returncode == 0
    code, shown = _terminal(
        ["-C", str(root), "destroy-key", "--yes-i-understand"],
        [("Destroying the key in 10 s", "\x03")],
        sigint_ignored=True,
    )
    assert code == 130 and "the case is as it was" in shown, shown
    assert (root / "keys" / "vault.json").read_bytes() == before
    assert run_cli("-C", str(root), "lock").returncode == 0


def test_destroy_key_makes_the_case_unreadable(tmp_path: Path, corpus: Path, runtime: Path) -> None:
    root = _case(tmp_path / "case", _sms(corpus))
    keys = root / "keys"
    original = (keys / "vault.json").read_bytes()
    # A second name for the vault's bytes on disk shows they are overwritten in place, not only unlinked.
    os.link(keys / "vault.json", tmp_path / "vault-link")
    assert run_cli("-C", str(root), "unlock", env={"EVIDENCE_PASSPHRASE": PASS}).returncode == 0
    began = time.monotonic()
    destroyed = run_cli("-C", str(root), "destroy-key", stdin=TITLE + "\n")  # the agent opens it
    assert destroyed.returncode == 0, destroyed.stderr
    assert time.monotonic() - began >= 10  # the countdown ran
    assert "Destroying the key in 10 s" in destroyed.stderr and " 1\n" in destroyed.stderr
    assert "Destroyed keys/vault.json, keys/case.key" in destroyed.stdout
    assert sorted(p.name for p in keys.iterdir()) == ["case.pub"]
    leftover = (tmp_path / "vault-link").read_bytes()
    assert len(leftover) == len(original) and leftover != original and b"argon2id" not in leftover
    assert agent.status(root) is None  # the agent was ended
    after = run_cli("-C", str(root), "timeline", env={"EVIDENCE_PASSPHRASE": PASS})
    assert after.returncode == 4 and "key (keys/vault.json) is gone" in after.stderr
    with pytest.raises(CaseError, match="destroyed"):
        Case.open(root, passphrase=PASS)
    for command in ("unlock", "passphrase", "destroy-key"):
        gone = run_cli("-C", str(root), command, env={"EVIDENCE_PASSPHRASE": PASS})
        assert gone.returncode == 4 and "was destroyed" in gone.stderr, (command, gone.stderr)
    # What stays is the encrypted database and objects, and the public key: nothing readable.
    assert (root / "evidence.db").stat().st_size > 0 and any(
        p.is_file() for p in (root / "objects").rglob("*")
    )


def test_a_damaged_plain_database_is_not_taken_for_a_destroyed_key(tmp_path: Path) -> None:
    root = tmp_path / "plain"
    Case.init(root, title="t", tz="UTC").close()
    db = root / "evidence.db"
    data = bytearray(db.read_bytes())
    data[:16] = b"\xff" * 16  # no SQLite header any more, as an encrypted database has none
    db.write_bytes(bytes(data))
    with pytest.raises(CaseError) as caught:
        Case.open(root, readonly=True)
    assert "destroyed" not in caught.value.message and "database" in caught.value.message
    opened = run_cli("-C", str(root), "head")
    assert opened.returncode == 4 and "destroyed" not in opened.stderr
