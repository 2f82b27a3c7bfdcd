"""Trusted time: RFC 3161 timestamps over the ledger head (``tsa``).

The only part of the toolkit that talks to the network, and only when the user runs ``evidence anchor --tsa URL``.
"""
