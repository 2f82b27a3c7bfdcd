"""Body text: HTML turned into readable text, and ``format=flowed`` (RFC 3676) unwrapped.

HTML is read by a small linear scanner rather than ``html.parser``, which is quadratic on hostile markup in the
Python versions supported (400 kB of ``<a`` took three minutes): script, style and title are dropped, a line
break goes where a browser would break a line, entities are decoded. HTML ``<meta charset>`` is not consulted.
"""

from __future__ import annotations

import re
from html import unescape as unescape_html
from typing import Final

_SPACES: Final = re.compile(r"[ \t\r\n\f\v]+")
_MANY_NEWLINES: Final = re.compile(r"\n{3,}")


# html.parser is quadratic on some hostile input in the Python versions we support (many "<" that never close:
# 400 kB took minutes), so HTML is read with this small linear scanner instead: every search moves forward.
_MARKUP: Final = re.compile(r"<(?:/?[A-Za-z]|!|\?)")
_TAG: Final = re.compile(r"<(/?)([A-Za-z][A-Za-z0-9:-]{0,40})")
_SKIPPED_ELEMENTS: Final = frozenset({"script", "style", "title", "template"})
_BLOCK_ELEMENTS: Final = frozenset(
    {
        "p",
        "div",
        "tr",
        "li",
        "ul",
        "ol",
        "table",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "blockquote",
        "pre",
        "hr",
        "section",
        "article",
        "header",
        "footer",
        "dl",
        "dt",
        "dd",
        "address",
        "center",
        "form",
        "fieldset",
    }
)


def html_to_text(html: str) -> str:
    """Readable text from HTML: no script, style or title; a line break where a browser would break a line.

    Entities are decoded (``html.unescape``); white space is collapsed outside ``<pre>``; an unfinished tag or
    comment at the end is dropped, as browsers do; a ``<`` that does not start a tag is text.
    """
    out: list[str] = []
    lower = html.lower()
    end = len(html)
    pos = 0
    pre = 0

    def add_text(segment: str) -> None:
        if segment:
            text = unescape_html(segment)
            out.append(text if pre else _SPACES.sub(" ", text))

    while pos < end:
        start = _MARKUP.search(html, pos)
        if start is None:
            add_text(html[pos:])
            break
        lt = start.start()
        add_text(html[pos:lt])
        if html.startswith("<!--", lt):
            close = html.find("-->", lt + 4)
            pos = end if close < 0 else close + 3
            continue
        if html.startswith(("<!", "<?"), lt):
            close = html.find(">", lt)
            pos = end if close < 0 else close + 1
            continue
        match = _TAG.match(html, lt)
        assert match is not None  # _MARKUP found "<x" or "</x"
        close = html.find(">", match.end())
        if close < 0:
            break
        pos = close + 1
        closing, name = match.group(1) == "/", match.group(2).lower()
        if not closing and name in _SKIPPED_ELEMENTS and html[close - 1] != "/":
            stop = lower.find("</" + name, pos)
            after = lower.find(">", stop) if stop >= 0 else -1
            pos = end if after < 0 else after + 1
            continue
        if name == "br" or name in _BLOCK_ELEMENTS:
            out.append("\n")
        elif closing and name in ("td", "th"):
            out.append(" ")
        if name == "pre":
            pre = max(0, pre - 1) if closing else pre + 1
    joined = "".join(out).replace("\xa0", " ")
    lines = [line.strip() for line in joined.split("\n")]
    return _MANY_NEWLINES.sub("\n\n", "\n".join(lines)).strip()


def unflow(text: str, delsp: bool) -> str:
    """Undo RFC 3676 ``format=flowed``: a line ending in a space continues on the next one."""
    out: list[str] = []
    current = ""
    for line in text.split("\n"):
        if line.startswith(" "):
            line = line[1:]  # space-stuffing
        if line.endswith(" ") and line != "-- ":
            current += line[:-1] if delsp else line
        else:
            out.append(current + line)
            current = ""
    if current:
        out.append(current)
    return "\n".join(out)
