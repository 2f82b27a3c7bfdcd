"""What made the report, exactly enough for an examiner to reproduce it: the toolkit's version and, when it
runs from a git checkout, the commit (and whether the checkout had uncommitted changes), Python, and the
versions of the libraries that read, render and sign (``tool_identity``); and the template files a profile
was read from, with their SHA-256 (``templates.Profile.sources``, shown on the cover).

A version number alone ("0.1.0") spans hundreds of commits; the commit id names one tree. Where to get that
tree (``source``): the project's address from ``pyproject.toml``'s ``[project.urls]`` (or the installed
package's metadata); when it names none, the exact words to ask for (name, version, commit), never a guessed
address.
"""

from __future__ import annotations

import platform
import shutil
import subprocess
import tomllib
from functools import cache
from importlib import metadata
from pathlib import Path

from evidence import __version__

LIBRARIES = ("reportlab", "pyHanko", "cryptography", "asn1crypto", "pillow", "phonenumbers")
GIT_TIMEOUT_S = 10


def _git(root: Path, *args: str) -> str | None:
    """One git command's output in ``root``, None when git is missing or fails (not a checkout)."""
    git = shutil.which("git")
    if git is None:
        return None
    try:
        done = subprocess.run(
            [git, "-C", str(root), *args], capture_output=True, text=True, timeout=GIT_TIMEOUT_S, check=False
        )
    except (OSError, subprocess.SubprocessError):
        return None
    return done.stdout.strip() if done.returncode == 0 else None


@cache
def source_commit() -> str | None:
    """The commit the running package comes from (40 hex digits, ``+modified`` when tracked files differ
    from it), None when it is not run from a git checkout (an installed wheel)."""
    package = Path(__file__).resolve().parent.parent
    top = _git(package, "rev-parse", "--show-toplevel")
    if top is None or not (Path(top) / "evidence" / "__init__.py").is_file():
        return None  # a checkout of something else that happens to contain the installed package
    commit = _git(package, "rev-parse", "HEAD")
    if commit is None:
        return None
    changed = _git(package, "status", "--porcelain", "--untracked-files=no", "--", "evidence")
    return commit + ("+modified" if changed else "")


@cache
def library_versions() -> str:
    """``reportlab 5.1.0, pyHanko 0.38.0, ...``: the libraries that shape what the report says and signs."""
    found = []
    for name in LIBRARIES:
        try:
            found.append(f"{name} {metadata.version(name)}")
        except metadata.PackageNotFoundError:
            found.append(f"{name} (not installed)")
    return ", ".join(found)


@cache
def project_urls() -> tuple[str, ...]:
    """The project's published addresses: ``[project.urls]`` of the checkout's ``pyproject.toml`` when run
    from one, else the installed package's ``Project-URL`` and ``Home-page`` metadata; empty when none."""
    pyproject = Path(__file__).resolve().parent.parent.parent / "pyproject.toml"
    try:
        project = tomllib.loads(pyproject.read_text(encoding="utf-8")).get("project") or {}
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
        project = None
    if isinstance(project, dict) and project.get("name") == "evidence":
        urls = project.get("urls") or {}
        return tuple(str(v) for v in urls.values()) if isinstance(urls, dict) else ()
    try:
        meta = metadata.metadata("evidence")
    except metadata.PackageNotFoundError:
        return ()
    found = [str(u).split(",", 1)[-1].strip() for u in meta.get_all("Project-URL") or []]
    found += [str(u) for u in meta.get_all("Home-page") or []]
    return tuple(dict.fromkeys(found))


def source_line(version: str, commit: str | None) -> str:
    """Where an examiner gets the toolkit that made the report, to reproduce it."""
    exact = f"the evidence toolkit, version {version}, " + (
        f"commit {commit}" if commit else "an installed copy (no commit id recorded)"
    )
    urls = project_urls()
    if urls:
        return f"{exact}, from {' or '.join(urls)}"
    return (
        f"{exact}; the project names no public address (pyproject.toml has no [project.urls]): ask whoever "
        "provided this report for the toolkit's source at that commit"
    )


def tool_identity() -> dict[str, str]:
    """The tool as the report and its manifest record it, with where to get it (``source``)."""
    commit = source_commit()
    return {
        "name": "evidence",
        "version": __version__,
        "commit": commit or "not run from a git checkout",
        "python": platform.python_version(),
        "libraries": library_versions(),
        "source": source_line(__version__, commit),
    }
