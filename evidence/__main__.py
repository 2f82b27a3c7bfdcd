"""``python -m evidence``."""

from __future__ import annotations

import sys

from evidence.cli import main

sys.exit(main())
