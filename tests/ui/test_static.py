"""The app's files: htmx is the release recorded in static/README.md (its hash), and every script and style
sheet a page names is a file of the package (nothing from a CDN)."""

from __future__ import annotations

import hashlib
import re

from evidence.ui.app import HERE

# htmx.org@2.0.11, dist/htmx.min.js
HTMX_SHA256 = "d6fdc75f204e6bdefa99b69bf1e6d4ac69b8a364f77929f45c13476b4000f717"


def test_vendored_htmx_is_the_recorded_release() -> None:
    data = (HERE / "static" / "htmx.min.js").read_bytes()
    assert hashlib.sha256(data).hexdigest() == HTMX_SHA256
    assert len(data) == 52182
    assert HTMX_SHA256 in (HERE / "static" / "README.md").read_text(encoding="utf-8")


def test_pages_load_only_package_files() -> None:
    base = (HERE / "templates" / "base.html").read_text(encoding="utf-8")
    named = re.findall(r'(?:src|href)="(/static/[^"]+)"', base)
    assert sorted(named) == ["/static/app.css", "/static/app.js", "/static/htmx.min.js"]
    for path in named:
        assert (HERE / path.removeprefix("/")).is_file(), path
    for template in (HERE / "templates").glob("*.html"):
        text = template.read_text(encoding="utf-8")
        assert "//" not in re.sub(r'(data-neutral|content)="[^"]*"', "", text).replace("<!--", ""), (
            template.name
        )
