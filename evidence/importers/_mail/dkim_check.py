"""DKIM: what a message's ``DKIM-Signature`` says, and its verification, offline only.

Verification needs the signer's public key, normally from DNS; this code never opens a socket. It verifies
(dkimpy) only when given a ``dnsfunc`` that can answer offline; otherwise the result is ``NO_KEY``.
"""

from __future__ import annotations

import binascii
from typing import Any, Final, Protocol

import dkim

from evidence.importers._mail.charsets import escaped_text, scrub

NO_KEY: Final = "not-checked: no key available offline"


class DnsFunc(Protocol):
    """How dkimpy asks for a TXT record: ``dnsfunc(b"sel._domainkey.example.com.", timeout=5)``."""

    def __call__(self, name: bytes, timeout: int = 5) -> bytes | None:
        """The TXT record's text, or None when there is none."""


def dkim_summary(signatures: list[str], data: bytes, dnsfunc: DnsFunc | None) -> dict[str, Any]:
    """``raw["dkim"]`` for a message whose ``DKIM-Signature`` field values (decoded) are ``signatures``."""
    if not signatures:
        return {"present": False, "domain": None, "selector": None, "result": None}
    tags: dict[str, str] = {}
    for item in signatures[0].split(";"):
        key, sep, value = item.partition("=")
        if sep:
            tags.setdefault(key.strip().lower(), "".join(value.split()))
    return {
        "present": True,
        "count": len(signatures),
        "domain": tags.get("d"),
        "selector": tags.get("s"),
        "result": verify(data, dnsfunc),
    }


def verify(data: bytes, dnsfunc: DnsFunc | None) -> str:
    """Verify the top-most DKIM signature, only through the offline ``dnsfunc``; never opens a socket."""
    lookup_into = dnsfunc
    if lookup_into is None:
        return NO_KEY
    asked: list[bytes] = []
    answered: list[bytes] = []

    def lookup(name: bytes, timeout: int = 5) -> bytes | None:
        asked.append(name)
        answer = lookup_into(name, timeout=timeout)
        if answer:
            answered.append(name)
        return answer

    try:
        ok = bool(dkim.DKIM(data).verify(dnsfunc=lookup))
    except dkim.DKIMException as exc:
        if asked and not answered:
            return f"not-checked: no key for {escaped_text(asked[0])} available offline"
        return f"fail: {scrub(str(exc))}"
    except (ValueError, KeyError, IndexError, TypeError, binascii.Error) as exc:
        return f"fail: malformed signature ({type(exc).__name__})"
    if asked and not answered:
        return f"not-checked: no key for {escaped_text(asked[0])} available offline"
    return "pass" if ok else "fail: signature does not verify"
