"""Every file of the shared corpus that is not a picture (files written by others: /work/shared/corpus/SOURCES.md)
added in the app, each in its own batch, and imported by the library into another case: is the outcome the same
(records read, already in the case, or the same one-line reason for refusing it)? Pictures are left out (OCR
makes the run long; tests/ui cover two). Prints the differences and a summary line.

    .venv/bin/python bench/ui_corpus.py [--corpus /work/shared/corpus]
"""

from __future__ import annotations

import argparse
import html
import re
import sys
import tempfile
from pathlib import Path
from urllib.parse import quote

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from starlette.testclient import TestClient  # noqa: E402

from evidence.api import Case  # noqa: E402
from evidence.case.vault import TEST_COST  # noqa: E402
from evidence.errors import EvidenceError  # noqa: E402
from evidence.ui.app import build_app  # noqa: E402
from evidence.ui.screens import in_words  # noqa: E402
from evidence.ui.session import Session  # noqa: E402
from tests.ui.conftest import ORIGIN, PORT, SAME_ORIGIN, create_case  # noqa: E402

PICTURES = {".md", ".png", ".jpg", ".jpeg", ".webp"}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--corpus", type=Path, default=ROOT.parent / "shared" / "corpus")
    args = parser.parse_args()
    files = sorted(p for p in args.corpus.rglob("*") if p.is_file() and p.suffix.lower() not in PICTURES)
    tmp = Path(tempfile.mkdtemp())
    session = Session(port=PORT, case_root=tmp / "case", cost=TEST_COST)
    client = TestClient(build_app(session), base_url=ORIGIN)
    create_case(client, session)
    library = Case.init(tmp / "lib", title="t", tz="Europe/London")
    same = fails = records = 0
    for path in files:
        batch = client.post("/add/batch", headers=SAME_ORIGIN).json()["batch"]
        headers = {**SAME_ORIGIN, "x-file-name": quote(path.name)}
        assert client.post(f"/add/file/{batch}", headers=headers, content=path.read_bytes()).json()["ok"]
        answer = client.post(f"/add/import/{batch}", headers=SAME_ORIGIN)
        app: tuple[object, ...]
        if answer.status_code == 200:
            found = re.search(r'<span class="records">(\d+) records? read', answer.text)
            app = ("ok", int(found.group(1)) if found else 0, "Already in the case" in answer.text)
        else:
            failure = re.search(r'<p id="failure">(.*?)</p>', answer.text, re.S)
            app = ("fail", html.unescape(failure.group(1)) if failure else answer.text[:200])
        try:
            (item,) = library.import_files([path]).items
            ref: tuple[object, ...] = ("ok", item.records, item.duplicate_of is not None)
        except EvidenceError as exc:
            exc.path = path.name if exc.path in {str(path), path.name} else exc.path
            ref = ("fail", in_words(exc))
        fails += app[0] == "fail"
        records += int(app[1]) if app[0] == "ok" else 0  # type: ignore[call-overload]
        if app == ref:
            same += 1
        else:
            print("differs:", path.relative_to(args.corpus), app, ref)
    print(
        f"| {len(files)} corpus files (not pictures) | {same} the same | {fails} refused | {records} records |"
    )


if __name__ == "__main__":
    main()
