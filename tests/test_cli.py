"""The CLI as a new user runs it: init, import, log, head, verify; one-line errors with distinct exit codes."""

from __future__ import annotations

import json
import os
from pathlib import Path

from evidence.errors import ExitCode
from tests.conftest import run_cli


def _init(tmp_path: Path, *extra: str) -> Path:
    case = tmp_path / "my-case"
    out = run_cli(
        "init", "--plain", str(case), "--title", "Harassment by A. Morgan", "--tz", "Europe/London", *extra
    )
    assert out.returncode == 0, out.stderr
    return case


def test_walk_through(tmp_path: Path) -> None:
    case = _init(tmp_path)
    photo = tmp_path / "photo.png"
    photo.write_bytes(b"\x89PNG\r\n\x1a\n" + b"\x00" * 32)
    letter = tmp_path / "letter.txt"
    letter.write_text("Dear Jordan,\n")
    out = run_cli("-C", str(case), "import", str(photo), str(letter))
    assert out.returncode == 0, out.stderr
    assert "EX-0001  photo.png" in out.stdout and "EX-0002  letter.txt" in out.stdout
    assert "Ledger head: 3:" in out.stdout

    out = run_cli("-C", str(case), "import", str(letter))
    assert "duplicate of EX-0002" in out.stdout

    log = run_cli("-C", str(case), "log")
    lines = log.stdout.splitlines()
    assert len(lines) == 4
    assert "case.created" in lines[0] and "item.acquired" in lines[1]
    assert all(" +00:00 " in line or " +01:00 " in line for line in lines)  # never a time without its offset

    head = run_cli("-C", str(case), "head").stdout.strip()
    assert head.startswith("4:") and len(head) == 2 + 64

    verify = run_cli("-C", str(case), "verify")
    assert verify.returncode == 0
    assert verify.stdout.startswith("OK: 4 entries, 4 signatures, 2 objects")

    as_json = json.loads(run_cli("-C", str(case), "verify", "--json").stdout)
    assert as_json["ok"] is True and as_json["findings"] == []
    assert as_json["checked"]["entries"] == 4
    assert as_json["head"] == {"seq": 4, "hash": head[2:]}

    log_json = [json.loads(line) for line in run_cli("-C", str(case), "log", "--json").stdout.splitlines()]
    assert [e["seq"] for e in log_json] == [1, 2, 3, 4]


def test_case_is_found_upward_and_from_the_environment(tmp_path: Path) -> None:
    case = _init(tmp_path)
    inner = case / "objects" / "sha256"
    assert run_cli("head", cwd=inner).returncode == 0
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    assert run_cli("head", cwd=elsewhere, env={"EVIDENCE_CASE": str(case)}).returncode == 0
    out = run_cli("head", cwd=elsewhere)
    assert out.returncode == ExitCode.CASE
    assert out.stderr.startswith("error: ") and "not inside a case folder" in out.stderr
    assert "hint: " in out.stderr


def test_errors_are_one_line_with_distinct_exit_codes(tmp_path: Path) -> None:
    case = _init(tmp_path)
    missing = run_cli("-C", str(case), "import", str(tmp_path / "nope.xml"))
    assert missing.returncode == ExitCode.INPUT
    assert missing.stderr.strip() == f"error: {tmp_path / 'nope.xml'}: no such file"
    assert "Traceback" not in missing.stderr

    again = run_cli("init", "--plain", str(case), "--title", "x", "--tz", "UTC")
    assert again.returncode == ExitCode.CASE
    assert "not empty" in again.stderr

    bad_tz = run_cli("init", "--plain", str(tmp_path / "c2"), "--title", "x", "--tz", "Mars/Olympus")
    assert bad_tz.returncode == ExitCode.USAGE
    assert "unknown time zone" in bad_tz.stderr and "--tz" in bad_tz.stderr

    bad_date = run_cli(
        "init", "--plain", str(tmp_path / "c3"), "--title", "x", "--tz", "UTC", "--no-contact-since", "1/3"
    )
    assert bad_date.returncode == ExitCode.USAGE

    verbose = run_cli("--verbose", "-C", str(case), "import", str(tmp_path / "nope.xml"))
    assert "Traceback" in verbose.stderr


def test_passphrase_from_environment(tmp_path: Path) -> None:
    env = {"EVIDENCE_PASSPHRASE": "s3cret phrase"}
    case = tmp_path / "locked"
    out = run_cli("init", "--plain", str(case), "--title", "t", "--tz", "UTC", "--passphrase", env=env)
    assert out.returncode == 0, out.stderr
    assert "passphrase: yes" in out.stdout
    f = tmp_path / "f.txt"
    f.write_text("x")
    locked = run_cli("-C", str(case), "import", str(f))
    assert locked.returncode == ExitCode.KEY
    assert "protected by a passphrase" in locked.stderr and "EVIDENCE_PASSPHRASE" in locked.stderr
    wrong = run_cli("-C", str(case), "import", str(f), env={"EVIDENCE_PASSPHRASE": "nope"})
    assert wrong.returncode == ExitCode.KEY and "wrong passphrase" in wrong.stderr
    assert run_cli("-C", str(case), "import", str(f), env=env).returncode == 0
    assert run_cli("-C", str(case), "verify").returncode == 0  # verifying needs no passphrase


def test_verify_fails_with_exit_1_and_names_the_exhibit(tmp_path: Path) -> None:
    case = _init(tmp_path)
    f = tmp_path / "f.txt"
    f.write_text("original words")
    run_cli("-C", str(case), "import", str(f))
    (stored,) = [p for p in (case / "objects" / "sha256").rglob("*") if p.is_file()]
    os.chmod(stored, 0o644)
    stored.write_text("edited words!!")
    out = run_cli("-C", str(case), "verify")
    assert out.returncode == ExitCode.VERIFY_FAILED
    assert f"MODIFIED EX-0001 objects/sha256/{stored.name[:2]}/{stored.name}" in out.stdout
    assert "FAILED" in out.stdout


def test_python_dash_m_and_version() -> None:
    out = run_cli("--version")
    assert out.returncode == 0 and out.stdout.startswith("evidence ")
    assert run_cli().returncode == ExitCode.USAGE


def test_a_mistyped_head_or_a_missing_target_is_a_usage_error_not_tampering(tmp_path: Path) -> None:
    """A frightened user must not read 'FAILED' because of a typo: exit 2 and a hint, not exit 1."""
    missing = run_cli("verify", str(tmp_path / "nothing.zip"))
    assert missing.returncode == 2 and "no such file or folder" in missing.stderr
    typo = run_cli("-C", str(tmp_path), "verify", "--head", "5")
    assert typo.returncode == 2 and "is not a head like" in typo.stderr


def test_report_and_export_never_replace_an_existing_file_unasked(tmp_path: Path) -> None:
    case = tmp_path / "case"
    assert run_cli("init", "--plain", str(case), "--title", "t", "--tz", "UTC").returncode == 0
    for command in ("report", "export"):
        out = tmp_path / f"handed-over.{command}"
        out.write_bytes(b"the copy the police already have")
        refused = run_cli("-C", str(case), command, "-o", str(out))
        assert refused.returncode == 2 and "already exists" in refused.stderr, refused.stderr
        assert out.read_bytes() == b"the copy the police already have"
        replaced = run_cli("-C", str(case), command, "-o", str(out), "--overwrite")
        assert replaced.returncode == 0, replaced.stderr
        assert out.read_bytes() != b"the copy the police already have"
