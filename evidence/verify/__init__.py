"""Verifiers: numbered checks that return a report of findings, never a bare False.

``evidence.verify.case`` checks a case folder. Each finding names what it is about (an entry, an exhibit,
an object path) and carries a stable code (``MODIFIED``, ``MISSING``, ``EXTRA``, ``CHAIN_BROKEN``,
``BAD_SIGNATURE``, ``ROW_DELETED``, ``ROW_INSERTED``, ...). Errors make the report fail; warnings do not
(an interrupted import's leftovers, a clock that went backwards) but are always shown.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

ERROR = "error"
WARNING = "warning"


@dataclass(frozen=True)
class Finding:
    """One thing the verifier found."""

    code: str
    message: str
    severity: str = ERROR
    entry: int | None = None
    exhibit: str | None = None
    path: str | None = None

    def __str__(self) -> str:
        parts = [self.code]
        if self.exhibit:
            parts.append(self.exhibit)
        if self.path:
            parts.append(self.path)
        if self.entry is not None and not self.exhibit:
            parts.append(f"entry {self.entry}")
        return " ".join(parts) + f": {self.message}"

    def to_json(self) -> dict[str, Any]:
        """As JSON."""
        return {
            "code": self.code,
            "severity": self.severity,
            "message": self.message,
            "entry": self.entry,
            "exhibit": self.exhibit,
            "path": self.path,
        }


@dataclass
class Report:
    """The outcome of a verification: ok only when no finding is an error."""

    target: str
    findings: list[Finding] = field(default_factory=list)
    checked: dict[str, int] = field(default_factory=dict)
    facts: dict[str, Any] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        """True when nothing but warnings was found."""
        return not any(f.severity == ERROR for f in self.findings)

    def add(self, finding: Finding) -> None:
        """Record a finding."""
        self.findings.append(finding)

    def codes(self) -> set[str]:
        """The codes of every finding (tests use this)."""
        return {f.code for f in self.findings}

    def to_json(self) -> dict[str, Any]:
        """``{"ok": bool, "findings": [...], "checked": {...}}`` plus facts (head, key fingerprint)."""
        return {
            "ok": self.ok,
            "target": self.target,
            "findings": [f.to_json() for f in self.findings],
            "checked": dict(self.checked),
            **self.facts,
        }
