"""Loading a JSON export safely: size and nesting bounded, floats kept as text, one clear error per problem.

Shared by the JSON importers (Telegram, Facebook/Instagram, Google Chat). Not an importer itself (its name
starts with ``_``, so the registry test does not expect it in ``REGISTRY``).
"""

from __future__ import annotations

import json
from typing import Any, Final

from evidence.errors import InputError
from evidence.importers.base import Source

MAX_BYTES: Final = 512 * 1024 * 1024
MAX_DEPTH: Final = 64  # exports nest 5 or 6 deep; anything far deeper is not one


def load_json(source: Source, what: str, *, max_bytes: int = MAX_BYTES, max_depth: int = MAX_DEPTH) -> Any:
    """The file's JSON (UTF-8, a BOM tolerated), or an InputError saying what is wrong with it.

    ``what`` names the format expected ("a Telegram export"). Decimal numbers are kept as text (the
    canonical form has no floats), NaN and Infinity are refused, and nesting is bounded.
    """
    if source.size > max_bytes:
        raise InputError(
            f"{source.size} bytes is more than {what} holds (limit {max_bytes // 2**20} MiB)",
            path=source.name,
        )
    try:
        data = source.path.read_bytes()
    except OSError as exc:
        raise InputError(f"cannot read ({exc.strerror})", path=source.name) from None
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputError(f"not UTF-8 (byte {exc.start}): not {what}", path=source.name) from None
    try:
        document = json.loads(text, parse_float=str, parse_constant=_refuse_constant)
    except json.JSONDecodeError as exc:
        if not text[exc.pos :].strip():
            raise InputError(
                f"the JSON breaks off at line {exc.lineno} column {exc.colno} (truncated?)", path=source.name
            ) from None
        raise InputError(
            f"not valid JSON: {exc.msg} at line {exc.lineno} column {exc.colno}", path=source.name
        ) from None
    except RecursionError:
        raise InputError("the JSON is nested too deeply to be " + what, path=source.name) from None
    except ValueError as exc:
        raise InputError(f"not valid JSON: {exc}", path=source.name) from None
    depth = _depth(document)
    if depth > max_depth:
        raise InputError(
            f"the JSON nests {depth} levels deep (limit {max_depth}): not {what}", path=source.name
        )
    return document


def _refuse_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a JSON value")


def _depth(document: Any) -> int:
    """How deep lists and objects nest in ``document`` (iteratively: no recursion on hostile input)."""
    deepest = 0
    stack: list[tuple[Any, int]] = [(document, 1)]
    while stack:
        node, level = stack.pop()
        if isinstance(node, dict):
            children: Any = node.values()
        elif isinstance(node, list):
            children = node
        else:
            continue
        deepest = max(deepest, level)
        stack.extend((child, level + 1) for child in children)
    return deepest
