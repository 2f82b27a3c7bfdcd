"""``evidence ui``: the app served on 127.0.0.1 at a random port, and a browser window onto it.

The socket is bound here to ``127.0.0.1`` port 0 (the system picks a free port) before the server starts, so
the Host and Origin checks know the port; there is no option to listen on another address. A Chromium-family
browser, when found, opens the start link in an app window with a throwaway profile
(``--user-data-dir=<temporary> --app=URL``), so the case does not land in the everyday browser's history;
otherwise the address is printed for the user to open. A watcher thread forgets the key when the app has been
idle too long (the page's heartbeat then shows the unlock screen) and stops the server once the last window
has stopped sending its heartbeat, or when the browser it started has ended (a window never shown, for want
of a display, has the address printed instead).
"""

from __future__ import annotations

import contextlib
import shutil
import socket
import subprocess
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

from evidence.ui.session import Session

HOST = "127.0.0.1"
BROWSERS = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable", "microsoft-edge")
WATCH_EVERY = 1.0  # seconds between the watcher's looks


def bind() -> socket.socket:
    """A listening TCP socket on 127.0.0.1 at a port the system chose."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind((HOST, 0))
    sock.listen(16)
    return sock


def find_browser() -> str | None:
    """The path of a Chromium-family browser (they all take ``--app`` and ``--user-data-dir``), or None."""
    for name in BROWSERS:
        found = shutil.which(name)
        if found:
            return found
    return None


@contextlib.contextmanager
def app_window(browser: str, url: str) -> Iterator[subprocess.Popen[bytes]]:
    """The browser showing ``url`` in an app window with a new profile in a temporary folder, removed (and
    the browser ended) afterwards."""
    with tempfile.TemporaryDirectory(prefix="evidence-ui-") as profile:
        process = subprocess.Popen(
            [
                browser,
                f"--user-data-dir={profile}",
                f"--app={url}",
                "--no-first-run",
                "--no-default-browser-check",
                "--disable-sync",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            yield process
        finally:
            if process.poll() is None:
                process.terminate()
                try:
                    process.wait(timeout=5)
                except subprocess.TimeoutExpired:
                    process.kill()
                    process.wait()


class Server:
    """The uvicorn server for one ``Session`` on a socket from ``bind()``, with the watcher."""

    def __init__(
        self,
        session: Session,
        sock: socket.socket,
        *,
        clock: Callable[[], float] = time.monotonic,
        say: Callable[[str], None] = print,
    ):
        import uvicorn

        from evidence.ui.app import build_app

        self.session = session
        self.sock = sock
        self.clock = clock
        self.say = say
        self.window: subprocess.Popen[bytes] | None = None  # the browser app.window started, if any
        config = uvicorn.Config(build_app(session), log_level="warning", access_log=False, lifespan="off")
        self.server = uvicorn.Server(config)
        self.stopped_because: str | None = None

    def watch(self) -> None:
        """Until the server stops: lock when idle; stop the server when every window has closed."""
        told = False
        while not self.server.should_exit:
            now = self.clock()
            self.session.lock_if_idle(now)
            if self.session.windows_closed(now):
                self.stopped_because = "the last window was closed"
                self.server.should_exit = True
                break
            if self.window is not None and self.window.poll() is not None:
                if (
                    self.session.last_heartbeat is not None
                ):  # its own profile: the browser ends with its window
                    self.stopped_because = "the window was closed"
                    self.server.should_exit = True
                    break
                if not told:  # it never showed the page (no display, or it failed to start)
                    self.say(
                        f"The window did not open. Open this address in a private window (it works once): "
                        f"{self.session.start_url}"
                    )
                    told = True
            time.sleep(WATCH_EVERY)

    def run(self) -> None:
        """Serve until stopped (the last window closed, or ``stop``)."""
        watcher = threading.Thread(target=self.watch, name="evidence-ui-watch", daemon=True)
        watcher.start()
        self.server.run(sockets=[self.sock])
        self.session.lock()

    def stop(self) -> None:
        """Stop serving (the key is forgotten when ``run`` returns)."""
        self.server.should_exit = True


def run(
    case_root: Path | None,
    *,
    open_browser: bool,
    say: Callable[[str], None],
) -> str:
    """Serve the app for the case at ``case_root`` (None: the app offers to create one) until the last window
    closes or Ctrl-C; ``say`` prints one line for the user. Returns why it stopped."""
    sock = bind()
    session = Session(port=sock.getsockname()[1], case_root=case_root)
    server = Server(session, sock, say=say)
    browser = find_browser() if open_browser else None
    if browser is None:
        try:  # Ctrl-C may come as soon as the address is shown
            if open_browser:
                say("No Chromium or Chrome was found to open the app in its own window.")
            say(f"Open this address in a private browser window (it works once): {session.start_url}")
            say("Stop the app with Ctrl-C, or close its window.")
            server.run()
        except KeyboardInterrupt:
            return "stopped with Ctrl-C"
        return server.stopped_because or "stopped"
    with app_window(browser, session.start_url) as window:
        server.window = window
        try:
            say("The app is opening in its own window. Close the window (or press Ctrl-C here) to stop it.")
            server.run()
        except KeyboardInterrupt:
            return "stopped with Ctrl-C"
    return server.stopped_because or "stopped"
