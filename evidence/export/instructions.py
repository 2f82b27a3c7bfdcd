"""VERIFY.txt: the page a bundle's recipient reads first, numbered once here so its sections and their
cross-references agree: 1 the check by hand (OpenSSL and coreutils only: the signed manifest, SHA256SUMS as
the manifest names it, every file's hash, and no file outside the list), 2 the check with the tool, 3 what it
proves, 4 the format, 5 checkpoints and selective disclosure, 6 trusted timestamps (always present, saying so
when there are none). A selective bundle's page starts with the partial-disclosure notice."""

from __future__ import annotations

from typing import Any

from evidence import __version__
from evidence.case.formats import ANCHOR_KIND, CHECKPOINT_KIND, anchor_member
from evidence.case.ledger import Entry, Head


def instructions(
    genesis: dict[str, Any],
    head: Head,
    fingerprint: str,
    shown: list[Entry],
    disclosed: tuple[int, int] | None = None,
) -> str:
    """The whole of VERIFY.txt for a bundle carrying the entries ``shown``; ``disclosed`` is (the size of the
    ledger the bundle's checkpoint covers, the number of entries carried) for a selective bundle."""
    notice = DISCLOSURE_NOTICE.format(tree_size=disclosed[0], disclosed=disclosed[1]) if disclosed else ""
    return notice + verify_text(genesis, head, fingerprint) + MERKLE_SECTION + anchors_text(shown)


def verify_text(genesis: dict[str, Any], head: Head, fingerprint: str) -> str:
    """Sections 1 to 4 of VERIFY.txt: the plain-language page for the recipient, with the format's rules."""
    return VERIFY_TEMPLATE.format(
        title=genesis.get("title"),
        case_id=genesis.get("case_id"),
        head=str(head),
        fingerprint=fingerprint,
        version=__version__,
    )


VERIFY_TEMPLATE = """\
HOW TO CHECK THIS EVIDENCE BUNDLE
=================================

Case:            {title}
Case id:         {case_id}
Ledger head:     {head}
Signing key:     {fingerprint}  (SHA-256 of the Ed25519 public key)
Written by:      evidence {version}

This folder (or zip) was written by "evidence", an open-source tool that keeps harassment evidence
unaltered. It holds:

  exhibits/      the original files, byte for byte, named "EX-0003 <original file name>"
  derived/       what the tool read from each exhibit: "EX-0003 entry 9 records.json" (the records it
                 parsed, with the import's warnings) and, for a picture, "... ocr-tesseract.json" (every
                 word OCR read, with its position and confidence); the ledger entry numbered in the name
                 records each one's SHA-256, so the report's rows can be compared with them by hand
  report/        the PDF report, when one was included
  ledger.jsonl   the case's chain of custody: every entry, one per line, each hashed and signed
  case.pub       the public key that checks the signatures (its SHA-256 is the "signing key" above)
  SHA256SUMS     the SHA-256 of every file in the bundle except itself, manifest.json and manifest.sig
  manifest.json  what is in the bundle: every file with its SHA-256 and size (SHA256SUMS too), whether
                 it carries the whole ledger or some entries (and which), which exhibits are included
                 and which were withheld (by their SHA-256 only)
  manifest.sig   the case key's Ed25519 signature over manifest.json: what ties the list of files to
                 the holder of the case key (the lists alone prove nothing: anyone can rewrite them)
  VERIFY.txt     this page

Ask the sender for the "signing key" fingerprint and the "ledger head" by another route (a phone call,
a letter) and compare them with the values above: that is what ties this bundle to the person who
made it.


1. CHECK THE FILES BY HAND (no software to install)
---------------------------------------------------

Unzip the bundle and open a terminal in the unzipped folder. Four steps, in this order; each must pass. The
lists (SHA256SUMS, ledger.jsonl) prove nothing alone (anyone can rewrite them): what ties them to the
holder of the case key is manifest.json, which is signed, and which gives the SHA-256 of SHA256SUMS and of
every exhibit. Steps (b) and (c) check the files SHA256SUMS lists; step (d) checks that the folder holds no
other file (sha256sum -c says nothing of a file it does not list).

(a) manifest.json is signed by the case key (OpenSSL 3; it must print "Signature Verified Successfully"):

  printf 'evidence/bundle-manifest/v1\\000' | cat - manifest.json > manifest.signed
  openssl pkeyutl -verify -pubin -inkey case.pub -rawin -in manifest.signed -sigfile manifest.sig

    and case.pub is the key whose fingerprint the sender gave you:
  openssl pkey -pubin -in case.pub -outform DER | tail -c 32 | sha256sum

(b) SHA256SUMS is the one the signed manifest names (it must print "SHA256SUMS: OK"):

  Linux:  grep -A3 '"name": "SHA256SUMS"' manifest.json | grep -q "$(sha256sum SHA256SUMS | cut -c1-64)" \\
            && echo "SHA256SUMS: OK" || echo "SHA256SUMS: FAILED"
  macOS:  the same with "shasum -a 256" in place of "sha256sum".
  Windows: certutil -hashfile SHA256SUMS SHA256, and find that hash in manifest.json beside "SHA256SUMS".

(c) every file has the SHA-256 that SHA256SUMS gives:

  Linux:     sha256sum -c SHA256SUMS
  macOS:     shasum -a 256 -c SHA256SUMS
  Windows:   certutil -hashfile "exhibits\\EX-0001 name.ext" SHA256
             (PowerShell: Get-FileHash -Algorithm SHA256 "exhibits\\EX-0001 name.ext")
             and compare the hash printed with the line for that file in SHA256SUMS.

(d) the folder holds no file that SHA256SUMS does not list (it must print "FILES: OK"; otherwise it names
    each file that was added, then "FILES: FAILED"):

  Linux:  cut -c67- SHA256SUMS > listed.txt; find . -type f | cut -c3- | grep -vxF -f listed.txt \\
            -e SHA256SUMS -e manifest.json -e manifest.sig -e manifest.signed -e listed.txt \\
            && echo "FILES: FAILED (the files above are not in SHA256SUMS)" || echo "FILES: OK"
  macOS:  the same, with "find . -type f ! -name .DS_Store" (Finder adds those files; they are not part of
          the bundle).
  Windows: dir /s /b /a-d lists every file: each must be a line of SHA256SUMS, or SHA256SUMS, manifest.json,
           manifest.sig (or a file you made in step (a)).

Every line must say OK (Linux, macOS) or match (Windows); if (b) fails, SHA256SUMS was changed after signing;
if (d) names a file, it was added to the bundle and is not part of the evidence.
Each exhibit's SHA-256 is also in manifest.json ("exhibits") and in its signed "item.acquired" ledger entry.


2. CHECK EVERYTHING WITH THE TOOL
---------------------------------

On any computer (it does not need the case, the sender's computer, or a network connection):

  install the "evidence" toolkit (the same version as above, or later), then:
  evidence verify bundle.zip
  evidence verify bundle.zip --expect-key {fingerprint}

It reads the zip without unpacking it and checks, naming every problem it finds:
  (1) the zip is safe to read, and every zip program reads it alike (one end record, no comment,
      nothing hidden between members, no extra field that renames one, only plain files, names that
      leave no folder and fit every file system, sizes bounded);
  (2) manifest.json lists every file and no other, SHA256SUMS agrees, and every file still has its
      SHA-256 (MODIFIED, MISSING, EXTRA);
  (3) the ledger: every entry's hash recomputes, every entry is chained to the one before it from the
      first, every signature verifies with the key the first entry names, case.pub is that key
      (KEY_REPLACED), every entry's time has its UTC offset (RECORDED_AT_INVALID), and the ledger ends at
      the head named in manifest.json (HEAD_MISMATCH); manifest.sig is that key's signature over
      manifest.json (MANIFEST_SIGNATURE), and all the manifest says rests on the ledger: the case id,
      title and key fingerprint are the first entry's, the entries it lists are the ones carried, each
      included exhibit is its item.acquired entry (MANIFEST_MISMATCH), and, with the whole ledger, every
      exhibit acquired is included or listed as withheld (EXHIBIT_UNACCOUNTED);
  (4) every exhibit is named by an item.acquired entry with its SHA-256 (UNKNOWN_EXHIBIT) and has the
      original name that entry recorded (EXHIBIT_RENAMED);
  (5) the report's SHA-256 is the one its report.generated entry recorded;
  (6) every checkpoint's signed Merkle root, and in a bundle that discloses part of the ledger every
      proof in proofs.json (section 5);
  (7) every trusted timestamp under anchors/ re-checks (section 6).
It prints OK and exits with status 0 only when every check passes.


3. WHAT THIS PROVES, AND WHAT IT DOES NOT
-----------------------------------------

It proves: each exhibit is, bit for bit, the file that was recorded in the ledger when it was acquired,
under that name; the ledger was not altered, reordered, or had entries inserted or removed (except at
the end) since it was written; and the list of files and of withheld exhibits in manifest.json is the
sender's: all this against anyone who did not hold the private signing key. The newest ledger entry
(export.created, which records this bundle) cannot be inside it: manifest.json names the head it was
built from.

It does not prove:
  - who wrote a message, or that a screenshot shows what an app really displayed: the record starts when
    the file was acquired, not before;
  - that the times in the ledger are true: they come from the sender's computer clock, except where a
    trusted timestamp (section 6) shows the ledger existed by the time a TSA signed;
  - that nothing was removed from the end of the ledger, or that the sender did not make a whole new
    ledger with a new key: compare the ledger head and the key fingerprint with values you received
    earlier or by another route;
  - anything about the withheld exhibits other than their SHA-256 and the facts in their ledger entries.


4. THE FORMAT (enough to write your own checker)
------------------------------------------------

Canonical JSON (a subset of RFC 8785 that needs no float formatting):
  * objects with string keys, sorted by Unicode code point; no duplicate keys;
  * no whitespace: separators "," and ":";
  * strings as UTF-8, not \\u-escaped except where JSON requires it (control characters, '"', '\\');
  * integers only, within +/- 2**53; no floats, no NaN;
  * true, false, null, arrays.

Each line of ledger.jsonl is one entry: seq, recorded_at (UTC, RFC 3339 with microseconds and the offset
written "+00:00"; a time without an offset is refused), kind, body, prev, hash, sig.

  hash = SHA-256( "evidence/ledger-entry/v1" || 0x00 || prev (32 bytes, from hex)
                  || canonical({{"body": body, "kind": kind, "recorded_at": recorded_at}}) )

  prev is the previous entry's hash (64 zeros, i.e. 32 zero bytes, for the first entry), so each entry
  commits to every entry before it. The entry's seq is not hashed: the chain fixes its position.

  sig  = Ed25519 signature of the 32 bytes of hash (not of its hex), by the case's key.

The first entry (kind "case.created") names the key: "public_key" (64 hex digits, the raw 32-byte
Ed25519 key) and "key_fingerprint" (SHA-256 of those 32 bytes). case.pub holds the same key as a PEM
SubjectPublicKeyInfo ("openssl pkey -pubin -in case.pub -text" shows it).

An "item.acquired" entry records an original: "exhibit", "sha256", "size", "original_name", "media_type"
and how and when it was acquired. A "report.generated" entry records a report's "sha256".

  manifest.sig = Ed25519 signature (64 raw bytes) of  "evidence/bundle-manifest/v1" || 0x00 || the bytes
                 of manifest.json, by the case's key.

manifest.json's "files" lists every member but manifest.json and manifest.sig; "carried_entries" the seq
of every entry in ledger.jsonl; "exhibits" the included ones (each with its "acquired_seq") and, in a
full bundle, every other exhibit of the ledger as withheld, by its hash.
"""


DISCLOSURE_NOTICE = """\
THIS BUNDLE DISCLOSES ONLY PART OF THE CASE'S RECORD
====================================================

The sender chose which originals to hand over. ledger.jsonl holds only {disclosed} entries (those about
them, and those needed to check them: the first entry, the report's, the checkpoints and their trusted
timestamps), out of the {tree_size} entries the case's ledger held when the bundle was made. proofs.json
proves that each of those entries is in that one complete ledger, at its place, and that earlier
checkpoints of the ledger were not rewritten since. See section 5, and section 6 for the trusted
timestamps, if any.

"""

MERKLE_SECTION = """

5. CHECKPOINTS AND SELECTIVE DISCLOSURE
---------------------------------------

The ledger's entries are the leaves of a Merkle tree (RFC 6962 / RFC 9162, as Certificate Transparency
uses): leaf i is entry seq = i + 1, its data the 32 bytes of the entry's hash;
  leaf hash = SHA-256(0x00 || data),  node hash = SHA-256(0x01 || left || right).

A "checkpoint.signed" entry records a checkpoint: the case id, the number of entries before it, and the
root of their tree, as a signed note:

  <case id>\\n<size>\\n<base64 of the root>\\n\\n\u2014 <case id> <base64(key id || signature)>\\n

The signature is Ed25519, by the case's key, over exactly the first three lines (each ending in \\n); the
key id is the first 4 bytes of SHA-256(<case id> || \\n || 0x01 || the 32-byte public key). One is made at
each report, each export and each anchor.

A bundle that holds the whole ledger is checked directly: the tree over its entries must give each
checkpoint's root. A bundle that discloses only some originals holds only their entries, and proofs.json:
  - "checkpoint": the newest checkpoint (made by this export), as the signed note;
  - "inclusion": for each disclosed entry, the RFC 6962 audit path of its leaf to that root
    (verify with RFC 9162 section 2.1.3.2);
  - "consistency": for each earlier checkpoint, the RFC 6962 consistency proof from its size to the
    newest size (RFC 9162 section 2.1.4.2): the earlier ledger is a prefix of the later one.
"evidence verify bundle.zip" checks all of them (section 2, check (6)) and names any entry or checkpoint that fails.

What the recipient learns of what was not disclosed: only how many entries the ledger held at each
checkpoint, the positions (seq) and times of the disclosed entries, and what the disclosed exhibit
numbers imply (EX-0007 was the seventh original). Not the names, hashes, contents or record counts of
any other file. What the recipient cannot learn: whether the withheld part holds
anything that would matter to them; ask the sender if it might.
"""

NO_ANCHORS = """

6. TRUSTED TIMESTAMPS (RFC 3161)
--------------------------------

None: no Time-Stamp Authority signed this ledger before the bundle was made, so every time in it comes
from the sender's computer clock. ("evidence anchor" adds such a timestamp to a case.)
"""


def anchors_text(entries: list[Entry]) -> str:
    """Section 6 of VERIFY.txt: the trusted timestamps and the openssl commands that check them (or that
    there are none, so that every reference to section 6 finds it)."""
    found = [(e, e.body) for e in entries if e.kind == ANCHOR_KIND]
    if not found:
        return NO_ANCHORS
    covered_kind = {e.seq: e.kind for e in entries}
    lines = [
        "",
        "",
        "6. TRUSTED TIMESTAMPS (RFC 3161)",
        "--------------------------------",
        "",
        "A Time-Stamp Authority (TSA), an outside service, signed the hash of one ledger entry: proof,",
        "independent of the sender's clock, that the ledger up to that entry existed at the TSA's time. Only",
        "the hash was sent to the TSA. The entry timestamped is a checkpoint (checkpoint.signed, section 5):",
        "the signed root of the whole ledger as it then stood. So even a bundle that discloses only some",
        "originals shows that the ledger holding them existed, complete, at that time: 'evidence verify'",
        "checks the token against the checkpoint entry, the checkpoint's signed root, and the proof that the",
        "ledger at that checkpoint is the start of the ledger this bundle was made from.",
        "Check each token with OpenSSL, in the unzipped folder (each command must print 'Verification: OK'):",
        "",
    ]
    for entry, body in found:
        covers = body["covers"]
        what = "checkpoint" if covered_kind.get(int(covers["seq"])) == CHECKPOINT_KIND else "ledger head"
        lines.append(f"  entry {entry.seq}: {what} {covers['seq']}:{covers['hash']}")
        lines.append(f"    at {body['gen_time']} per {body.get('tsa_name') or body.get('tsa_url')}")
        token, digest = anchor_member(entry.seq, ".tsr"), covers["hash"]
        if body.get("trust_anchor"):
            lines.append(
                f"    openssl ts -verify -digest {digest} -in {token} -token_in -CAfile {anchor_member(entry.seq, '-ca.pem')}"
            )
        else:
            lines.append(
                f"    openssl ts -verify -digest {digest} -in {token} -token_in -CAfile <the TSA's root certificate>"
            )
            lines.append(
                "    (no trust anchor was recorded: obtain the TSA's root certificate from the TSA itself)"
            )
        lines.append("")
    lines += [
        "The digest is the hash of that ledger entry (its line in ledger.jsonl); anchors/NNNN.digest holds it too.",
        "The -CAfile given here is the root the sender chose; compare it with the one the TSA publishes.",
        "",
    ]
    return "\n".join(lines)
