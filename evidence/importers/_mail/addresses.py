"""Address lists: a small scanner that splits them at top-level commas, and one address read at a time.

The scanner knows quoted strings, nested comments, angle brackets and groups, so a comma inside a quoted display
name, a comment or an encoded word does not split an address. Each entry is then read with
``email.utils.parseaddr``; ``email.utils.getaddresses`` itself is not used because on Python 3.11 it splits
``alice@example.com <bob@example.com>`` into two addresses. Display names keep their encoded words: the caller
decodes them after splitting (an encoded comma must not split a name).
"""

from __future__ import annotations

from email.utils import parseaddr, unquote

from evidence.importers._mail.headers import strip_comments


def split_address_list(value: str) -> list[str]:
    """Split an address list at top-level commas (and group ends); group names are dropped.

    A linear scan that knows quoted strings, nested comments and angle brackets, so a comma inside a quoted
    display name, a comment or an encoded word does not split an address.
    """
    items: list[str] = []
    buf: list[str] = []
    in_quote = in_angle = escaped = False
    comment = 0
    for ch in value:
        if escaped:
            buf.append(ch)
            escaped = False
            continue
        if in_quote or comment:
            buf.append(ch)
            if ch == "\\":
                escaped = True
            elif in_quote and ch == '"':
                in_quote = False
            elif comment and ch == "(":
                comment += 1
            elif comment and ch == ")":
                comment -= 1
            continue
        if ch == '"':
            in_quote = True
        elif ch == "(":
            comment = 1
        elif ch == "<":
            in_angle = True
        elif ch == ">":
            in_angle = False
        elif not in_angle and ch in ",;":
            items.append("".join(buf))
            buf = []
            continue
        elif not in_angle and ch == ":":
            buf = []  # "group-name:" opens a group; its members follow
            continue
        buf.append(ch)
    items.append("".join(buf))
    return [item.strip() for item in items if item.strip()]


def parse_address(item: str) -> tuple[str, str]:
    """One address as (display name, address); the display name still holds any encoded words."""
    close = item.rfind(">")
    open_ = item.rfind("<", 0, close if close >= 0 else len(item))
    if open_ >= 0:
        display = item[:open_].strip()
        address = item[open_ + 1 : close if close > open_ else len(item)].strip()
        if address.startswith("@") and ":" in address:  # obsolete source route: @a,@b:user@host
            address = address.rsplit(":", 1)[1]
        if len(display) >= 2 and display[0] == display[-1] == '"':
            display = unquote(display)
        return " ".join(display.split()), "".join(address.split())
    if len(item) > 1000:
        return "", item  # parseaddr is slow on long hostile input; such an entry is kept but not read
    try:
        name, address = parseaddr(item)
    except RecursionError:  # deeply nested comments
        name, address = "", ""
    if not name and not address:
        return "", strip_comments(item)
    return " ".join(name.split()), address.strip()
