"""The mail library the e-mail (.eml, mbox) and Outlook (.msg) importers share: header fields decoded from their
raw bytes, address lists, dates, body text, mbox splitting, the MIME tree and DKIM.

One module per step, in the order a message is read:

- ``charsets``: MIME charset labels (resolved as the WHATWG Encoding Standard does) and unlabelled 8-bit bytes;
- ``headers``: field lines, unfolding, comments, RFC 2047 encoded words; the field as written kept alongside;
- ``addresses``: the address-list scanner and one address at a time;
- ``dates``: RFC 5322 dates and what their zone says (wall-clock times are placed by ``importers._wall``);
- ``text``: HTML to readable text, ``format=flowed`` unwrapped;
- ``mbox``: splitting an mbox into messages, the ``From `` line's delivery time;
- ``mime``: the MIME tree: text parts, attachments, hostile-structure bounds;
- ``dkim_check``: the ``DKIM-Signature`` summary and its offline-only verification.

Not an importer (its name starts with ``_``, so the registry test does not expect it in ``REGISTRY``). Problems
found while decoding are appended to a list the caller passes in; the importers turn them into warnings.
"""
