"""One write path: only ``evidence/case/writer.py`` opens a write transaction on a case, appends to the ledger
or applies an entry to the index (the verifier replays entries into an in-memory index of its own)."""

from __future__ import annotations

import re
from pathlib import Path

import evidence

PACKAGE = Path(evidence.__file__).resolve().parent
WRITER = PACKAGE / "case" / "writer.py"
# What writes to a case database, as it appears in code (not in docstrings or comments).
WRITES = {
    "a write transaction": re.compile(r"""execute\(\s*["']BEGIN IMMEDIATE"""),
    "a ledger append": re.compile(r"\bledger\.append\("),
    "an index update": re.compile(r"\bindex\.(apply|migrate|rebuild)\("),
    "a journal row": re.compile(r"""execute\(\s*f?["'](INSERT|DELETE|UPDATE)[^"']*pending_"""),
}
# The verifier rebuilds the projections in memory to compare them with the case's: not a write to the case.
REPLAY = {PACKAGE / "verify" / "projections.py", PACKAGE / "verify" / "casefacts.py"}


def _code_lines(path: Path) -> list[tuple[int, str]]:
    lines = []
    in_doc = False
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        stripped = line.strip()
        quotes = stripped.count('"""')
        if in_doc or stripped.startswith('"""'):
            if quotes == 1:
                in_doc = not in_doc
            continue
        lines.append((number, line.split("#", 1)[0]))
    return lines


def test_only_the_writer_writes_to_a_case() -> None:
    found = []
    for path in sorted(PACKAGE.rglob("*.py")):
        if path == WRITER:
            continue
        for number, line in _code_lines(path):
            for what, pattern in WRITES.items():
                if pattern.search(line) and not (what == "an index update" and path in REPLAY):
                    found.append(f"{path.relative_to(PACKAGE)}:{number}: {what}")
    assert found == []


def test_the_check_sees_each_kind_of_write(tmp_path: Path) -> None:
    sample = [
        'conn.execute("BEGIN IMMEDIATE")',
        "entry = ledger.append(conn, key, kind, body)",
        "index.apply(conn, entry, body, read)",
        'conn.execute("DELETE FROM pending_objects WHERE op = ?", (op,))',
    ]
    hits = {what for line in sample for what, pattern in WRITES.items() if pattern.search(line)}
    assert hits == set(WRITES)
    writer_text = WRITER.read_text(encoding="utf-8")
    assert all(pattern.search(writer_text) for pattern in WRITES.values())
