"""What one run of the app remembers: the one-time start token, the session cookie's value, the open case and
its key, when the user last did something (the idle lock) and when a window last said it was open (the server
stops when the last window closes).

Nothing here touches the network or the case's files; ``app.py`` reads and changes this state, ``server.py``
watches it. Times are ``time.monotonic()`` seconds, passed in so tests can move the clock.
"""

from __future__ import annotations

import hmac
import secrets
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from evidence.case.vault import CaseKeys, Cost

IDLE_LOCK_SECONDS = 5 * 60  # the idle lock's default; tests pass a short one to ``Session``
HEARTBEAT_SECONDS = 5  # how often an open page says so (static/app.js reads it from the page)
WINDOW_GONE_SECONDS = 30  # no heartbeat for this long after one was seen: every window is closed
COOKIE_NAME = "evidence_session"


@dataclass
class Session:
    """The app's one user session: created by ``server.run`` (or a test) before the server starts.

    ``port`` is the port the server listens on (the Host and Origin checks need it); ``case_root`` the case
    given with -C, or the one created in the app; ``cost`` the passphrase stretching of a case created here
    (None: the library's default; tests pass ``vault.TEST_COST``)."""

    port: int
    case_root: Path | None = None
    idle_seconds: float = IDLE_LOCK_SECONDS
    window_gone_seconds: float = WINDOW_GONE_SECONDS
    heartbeat_seconds: float = HEARTBEAT_SECONDS
    cost: Cost | None = None
    start_token: str = field(default_factory=lambda: secrets.token_urlsafe(32))
    cookie_value: str = field(default_factory=lambda: secrets.token_urlsafe(32))
    token_used: bool = False
    safety_seen: bool = False
    keys: CaseKeys | None = None
    unlocked: bool = False
    last_activity: float = 0.0
    last_heartbeat: float | None = None
    # What the screens hold of the open case (a report made, files being added, suggestions read): each
    # screen registers how to drop it, and every lock (the button, Leave now, the idle lock) drops it at once.
    on_lock: list[Callable[[], None]] = field(default_factory=list, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    @property
    def origin(self) -> str:
        """The only origin the app answers: ``http://127.0.0.1:PORT``."""
        return f"http://127.0.0.1:{self.port}"

    @property
    def host(self) -> str:
        """The only Host header the app answers (anything else is a DNS-rebinding attempt or a mistake)."""
        return f"127.0.0.1:{self.port}"

    @property
    def start_url(self) -> str:
        """The address that opens the app once: ``http://127.0.0.1:PORT/start/TOKEN``."""
        return f"{self.origin}/start/{self.start_token}"

    def redeem(self, token: str) -> bool:
        """Exchange the start token for the session cookie, once: True the first time the right token is
        given, False for a wrong one and for every later use of the right one."""
        with self._lock:
            right = hmac.compare_digest(token.encode(), self.start_token.encode())
            if not right or self.token_used:
                return False
            self.token_used = True
            return True

    def cookie_ok(self, value: str | None) -> bool:
        """Whether a request's cookie is this session's (compared in constant time)."""
        return (
            self.token_used
            and value is not None
            and hmac.compare_digest(value.encode(), self.cookie_value.encode())
        )

    def touch(self, now: float) -> None:
        """The user did something (a page or a form): the idle lock's clock starts again."""
        self.last_activity = now

    def heartbeat(self, now: float) -> None:
        """An open window said so (this does not count as the user doing something)."""
        self.last_heartbeat = now

    def unlock(self, keys: CaseKeys | None, now: float) -> None:
        """Keep the case's key (None for a plain case) until locked or idle."""
        self.keys = keys
        self.unlocked = True
        self.last_activity = now

    def lock(self) -> None:
        """Forget the key, and what the screens hold of the case (``on_lock``): the case cannot be read until
        the passphrase is typed again."""
        self.keys = None
        self.unlocked = False
        for drop in self.on_lock:
            drop()

    def lock_if_idle(self, now: float) -> bool:
        """Forget the key when nothing was done for ``idle_seconds``; True when this locked the case."""
        if self.unlocked and now - self.last_activity >= self.idle_seconds:
            self.lock()
            return True
        return False

    def windows_closed(self, now: float) -> bool:
        """True when a window was open once and none has said so for ``window_gone_seconds``."""
        return self.last_heartbeat is not None and now - self.last_heartbeat >= self.window_gone_seconds
