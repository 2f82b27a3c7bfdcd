"""evidence: turn a harassment flood into evidence a lawyer, a court or the police can rely on."""

from __future__ import annotations

__version__ = "0.1.0"
