"""``evidence ui``: the local web app (``evidence.ui``), on 127.0.0.1 only, in its own browser window."""

from __future__ import annotations

import argparse
import signal
from pathlib import Path

from evidence.errors import CaseError, DependencyError, UsageError


def _case_root(args: argparse.Namespace) -> Path | None:
    """The case to show: -C's (a case, or a new or empty folder to create one in), else the one found from
    $EVIDENCE_CASE or the current folder, else None (the app asks where to create one)."""
    from evidence.api import find_case, is_case

    if args.case:
        path = Path(args.case).expanduser().absolute()
        if is_case(path):
            return path
        if path.exists() and (not path.is_dir() or any(path.iterdir())):
            raise UsageError(
                "not a case folder, and not empty",
                path=path,
                hint="give a case folder, or a new folder to create one in",
            )
        return path
    try:
        return find_case(None)
    except CaseError:
        return None


def cmd_ui(args: argparse.Namespace) -> int:
    """Serve the app until its window closes (or Ctrl-C)."""
    root = _case_root(args)
    try:
        from evidence.ui import server
    except ImportError as exc:
        raise DependencyError(
            f"the app needs {exc.name or 'a package'}, which is not installed",
            hint="pip install 'evidence[ui]' (make demo installs it)",
        ) from None
    # "Stop the app with Ctrl-C", even when this process was started with SIGINT ignored (a background job
    # of a script): Python then installs no handler of its own.
    signal.signal(signal.SIGINT, signal.default_int_handler)
    why = server.run(root, open_browser=not args.no_browser, say=print)
    print(f"The app has stopped ({why}); the case is locked.")
    return 0
