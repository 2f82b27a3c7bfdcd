"""Verification: what the ledger and the fingerprints prove and do not prove, how to check a file's SHA-256
and the case (the commands, with this report's ledger head and key), and the trusted timestamps (RFC 3161)
of the ledger when there are any."""

from __future__ import annotations

from datetime import datetime

from reportlab.platypus import PageBreak, Paragraph

from evidence.case.formats import ANCHOR_KIND
from evidence.report.builder import Builder
from evidence.report.page import esc, shown_in
from evidence.report.templates import Section


def add(b: Builder, section: Section) -> None:
    """What the ledger proves and how to check it, with the trusted timestamps."""
    d, st = b.data, b.st
    b.story.append(b.heading(section.title, "verification"))
    b.intro(section)
    p = b.story.append
    p(Paragraph("What this proves", st["h2"]))
    p(
        Paragraph(
            "Each original file was stored when it was imported, identified by its SHA-256 fingerprint, and "
            "recorded in an append-only ledger in which every entry is chained to the one before it by hash "
            "and signed with the case's Ed25519 key. If a file still has the fingerprint printed under "
            "Exhibits, not one byte of it has changed since it was imported. If the ledger verifies, no "
            "entry was altered, inserted, reordered or removed from its middle without that being detected, "
            "unless whoever did it also held the private key. Entries removed from its end leave a valid "
            "shorter ledger: that is detected only against a head recorded elsewhere, such as the one printed "
            "on every page of this report (below, --head).",
            st["body"],
        )
    )
    p(Paragraph("What this does not prove", st["h2"]))
    p(
        Paragraph(
            "It does not prove who wrote a message, who was holding a phone, or that a screenshot shows what "
            "an app really displayed: it proves integrity <b>since import</b>, not authorship or "
            "authenticity before it. Times are those the sources recorded; where a source gave a wall-clock "
            "time without its zone the timeline says “zone assumed”.",
            st["body"],
        )
    )
    p(Paragraph("How to check a file's fingerprint", st["h2"]))
    p(
        Paragraph(
            "Compute the SHA-256 of the file you were given and compare it, all 64 characters, with the "
            "one printed under Exhibits:",
            st["body"],
        )
    )
    for line in (
        "Linux:    sha256sum FILE",
        "macOS:    shasum -a 256 FILE",
        "Windows:  certutil -hashfile FILE SHA256",
        "          Get-FileHash -Algorithm SHA256 FILE   (PowerShell)",
    ):
        p(Paragraph(esc(line).replace(" ", "&nbsp;"), st["code"]))
    p(Paragraph("How to check the case", st["h2"]))
    p(
        Paragraph(
            "On a copy of the case folder, run the command below. It checks every entry's hash and "
            "signature, the chain, that every stored file still has its fingerprint, and that the ledger "
            "still contains the entry this report was built from (so no entry was dropped since). It "
            "prints OK and exits with status 0 only when everything is intact.",
            st["body"],
        )
    )
    p(Paragraph(esc(f"evidence verify --head {d.head.seq}:{d.head.hash}"), st["code"]))
    p(Paragraph(esc(f"            --expect-key {d.key_fingerprint}"), st["code"]))
    _anchors(b)
    b.story.append(PageBreak())


def _anchors(b: Builder) -> None:
    """Trusted timestamps (RFC 3161): which ledger heads a TSA signed, and when (only when there are any)."""
    d, st = b.data, b.st
    found = [e for e in d.entries if e.kind == ANCHOR_KIND and isinstance(e.body, dict)]
    if not found:
        return
    b.story.append(Paragraph("Trusted timestamps", st["h2"]))
    b.story.append(
        Paragraph(
            "A Time-Stamp Authority (RFC 3161) signed the hash of these ledger heads. Each proves that the "
            "ledger up to that entry, and every file it names, existed at the time the authority gives, "
            "whatever the clock of the computer that kept the case said, as far as the authority is "
            "independent: a timestamp is called independent below only when the authority's root "
            "certificate is in the trust store of the computer that made this report; otherwise its time is "
            "self-asserted (the root came with the case). Only the hash was sent to the authority.",
            st["body"],
        )
    )
    for entry in found:
        body = entry.body
        covers = body.get("covers") or {}
        when = datetime.fromisoformat(str(body.get("gen_time")))
        if not body.get("chain_checked"):
            chain = " (self-asserted time: certificate chain not checked when recorded)"
        elif d.anchors_independent.get(entry.seq):
            chain = " (independent: its root certificate is in this computer's trust store)"
        else:
            chain = " (self-asserted time: its root certificate came with the case and is in no trust store)"
        b.story.append(
            Paragraph(
                esc(
                    f"Entry {entry.seq}: head {covers.get('seq')}:{covers.get('hash')} at "
                    f"{shown_in(when, d.tz)} per {body.get('tsa_name') or body.get('tsa_url')}{chain}"
                ),
                st["body"],
            )
        )
