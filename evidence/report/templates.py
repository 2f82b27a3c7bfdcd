"""The report's wording as data: ``templates/profiles/<name>.json`` and the declaration texts.

A profile names the sections in order, with their titles and introductory paragraphs, and which declaration
texts close the report. The default folder is ``evidence/templates/``, package data that a wheel carries
(``templates/`` at the top of the repository links to it); ``--templates DIR`` points at a user's own copy with
the same layout.
Declarations use ``string.Template`` placeholders: ``$case_title``, ``$head_seq``, ``$head_hash``,
``$key_fingerprint``, ``$exhibit_count``, ``$record_count``, ``$police_ref``, ``$exhibit_list`` (one line
per exhibit: number, file name, SHA-256), ``$exhibit_list_produced`` (the same, each with the producer's
reference "JL/1": ``evidence.report.producer``), ``$producer_initials``, ``$tool`` (version and commit),
``$assumed_zones`` (a sentence), ``$handed_over`` (who handed over which exhibit, as the imports recorded it,
and a line to complete for the rest: ``evidence.report.handover``).
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path
from string import Template
from typing import Any

from evidence.errors import UsageError

PROFILES = ("police", "lawyer", "protective-order", "working")
# The sections a report for others (court, police) always has, whatever a custom profile lists: only the
# owner's working profile (``"working": true``, which prints unreviewed suggestions and says on its cover that it
# is not for court or police) may leave them out.
COMPULSORY = ("completeness", "verification")
DEFAULT_PROFILE = "lawyer"
SECTION_IDS = (
    "cover",
    "summary",
    "incidents",
    "timeline",
    "appendix",
    "exhibits",
    "completeness",
    "custody",
    "verification",
    "declaration",
)


def templates_dir() -> Path:
    """The templates shipped inside the package: ``evidence/templates`` (``templates/`` at the top of the
    repository is a link to it), so an installed wheel carries them too."""
    return Path(__file__).resolve().parent.parent / "templates"


@dataclass(frozen=True)
class Section:
    """One section of a profile."""

    id: str
    title: str
    intro: str
    declarations: tuple[str, ...]  # the texts, already read (declaration sections only)


@dataclass(frozen=True)
class Profile:
    """Which sections a report has, in which order, with which wording."""

    name: str
    title: str
    subtitle: str
    sections: tuple[Section, ...]
    # The owner's working copy: prints the rules' unreviewed tactic suggestions; reports for a court or the
    # police (every other profile) print only tactics the complainant reviewed and confirmed.
    working: bool = False
    # (file relative to the templates folder, SHA-256) of every file the profile was read from
    sources: tuple[tuple[str, str], ...] = ()


def _text(data: dict[str, Any], key: str, where: Path, *, default: str | None = None) -> str:
    value = data.get(key, default)
    if not isinstance(value, str):
        raise UsageError(f"template {where}: {key!r} must be a string", hint="fix the profile JSON")
    return value


def load_profile(name: str, folder: Path | None = None) -> Profile:
    """Read profile ``name`` from ``folder`` (default: :func:`templates_dir`); UsageError when unusable."""
    base = folder or templates_dir()
    path = base / "profiles" / f"{name}.json"
    if not path.is_file():
        known = sorted(p.stem for p in (base / "profiles").glob("*.json"))
        raise UsageError(
            f"no report profile {name!r} in {base}",
            hint=f"profiles there: {', '.join(known) or 'none'}; or point --templates at another folder",
        )
    sources: list[tuple[str, str]] = []
    try:
        raw = path.read_bytes()
        sources.append((f"profiles/{path.name}", hashlib.sha256(raw).hexdigest()))
        data = json.loads(raw.decode("utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise UsageError(
            f"template {path} is not readable JSON ({exc})", hint="fix the profile JSON"
        ) from None
    if not isinstance(data, dict) or not isinstance(data.get("sections"), list):
        raise UsageError(
            f"template {path} needs a 'sections' list", hint="see templates/profiles/lawyer.json"
        )
    sections: list[Section] = []
    for item in data["sections"]:
        if not isinstance(item, dict) or item.get("id") not in SECTION_IDS:
            raise UsageError(
                f"template {path}: unknown section {item!r}", hint=f"sections are: {', '.join(SECTION_IDS)}"
            )
        names = item.get("templates", [])
        if not isinstance(names, list) or not all(isinstance(n, str) for n in names):
            raise UsageError(f"template {path}: 'templates' must be a list of file names")
        declarations: list[str] = []
        for file_name in names:
            decl = base / Path(file_name).name
            try:
                text = decl.read_bytes()
                sources.append((decl.name, hashlib.sha256(text).hexdigest()))
                declarations.append(text.decode("utf-8"))
            except (OSError, UnicodeDecodeError) as exc:
                raise UsageError(f"template {decl} is not readable ({exc})") from None
        sections.append(
            Section(
                id=str(item["id"]),
                title=_text(item, "title", path, default=str(item["id"]).title()),
                intro=_text(item, "intro", path, default=""),
                declarations=tuple(declarations),
            )
        )
    working = data.get("working", False)
    if not isinstance(working, bool):
        raise UsageError(f"template {path}: 'working' must be true or false", hint="fix the profile JSON")
    return Profile(
        name=_text(data, "name", path, default=name),
        title=_text(data, "title", path, default="Evidence report"),
        subtitle=_text(data, "subtitle", path, default=""),
        sections=tuple(sections),
        working=working,
        sources=tuple(sources),
    )


def fill(text: str, values: dict[str, str]) -> str:
    """A declaration with its placeholders filled (unknown ones left as written)."""
    return Template(text).safe_substitute(values)
