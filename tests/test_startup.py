"""The CLI starts at once: importing ``evidence.cli``, building its parser, ``--help`` and ``--version`` load
none of the heavy libraries, nor the case or the verifier. Each command imports what it needs when it runs.

Each check runs in a fresh interpreter, since this test process has long since imported everything. Timing is
measured in bench/, not asserted here.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from evidence import __version__
from tests.conftest import ROOT, run_cli

# Top-level packages the CLI must not load before a command runs (the PDF, e-mail, image, crypto and audio
# libraries), and the library's own heavy layers.
HEAVY_PACKAGES = (
    "reportlab",
    "pyhanko",
    "pyhanko_certvalidator",
    "extract_msg",
    "PIL",
    "cryptography",
    "magic",
    "mutagen",
    "dkim",
)
HEAVY_MODULES = ("evidence.api", "evidence.verify")


def _loaded_after(code: str) -> list[str]:
    """The modules a fresh interpreter has loaded after running ``code`` (stdout is kept for the list)."""
    script = (
        "import contextlib, io, json, sys\n"
        "with contextlib.redirect_stdout(io.StringIO()):\n"
        + "".join(f"    {line}\n" for line in code.splitlines())
        + "print(json.dumps([sys.modules['evidence'].__file__, sorted(sys.modules)]))\n"
    )
    # This tree first, whatever the interpreter's install points at.
    path = os.pathsep.join(p for p in (str(ROOT), os.environ.get("PYTHONPATH", "")) if p)
    done = subprocess.run(
        [sys.executable, "-c", script],
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": path},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    package, loaded = json.loads(done.stdout.strip().splitlines()[-1])
    assert Path(package).is_relative_to(ROOT), f"checked {package}, not this tree"
    return list(loaded)


def _heavy(loaded: list[str]) -> list[str]:
    return [
        name
        for name in loaded
        if name.split(".")[0] in HEAVY_PACKAGES
        or any(name == m or name.startswith(m + ".") for m in HEAVY_MODULES)
    ]


def test_importing_the_cli_loads_nothing_heavy() -> None:
    loaded = _loaded_after("import evidence.cli")
    assert "evidence.cli" in loaded
    assert _heavy(loaded) == []


def test_building_the_parser_loads_nothing_heavy() -> None:
    loaded = _loaded_after("from evidence.cli import build_parser\nbuild_parser()")
    assert "evidence.cli.parser" in loaded
    assert _heavy(loaded) == []


@pytest.mark.parametrize("flag", ["--help", "--version"])
def test_help_and_version_load_nothing_heavy(flag: str) -> None:
    code = f"from evidence.cli import main\ntry:\n    main([{flag!r}])\nexcept SystemExit as exc:\n    assert exc.code == 0\n"
    assert _heavy(_loaded_after(code)) == []


def test_version_runs_as_a_module() -> None:
    done = run_cli("--version")
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == f"evidence {__version__}"


def test_the_check_would_see_a_heavy_import() -> None:
    """The check itself works: a command that needs the case does load it."""
    assert "evidence.api" in _heavy(_loaded_after("import evidence.api"))
