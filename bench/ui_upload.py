"""Adding files in the app (issue 20): the real server on 127.0.0.1, files sent as the page sends them (one a
request, streamed from disk), into an encrypted case, against the library's own import of the same files.

    .venv/bin/python bench/ui_upload.py [--big /usr/lib/chromium/chromium] [--runs 3]

(1) The demo's sample files (``samples/make_samples.py``: 12 files, 3 screenshots read by OCR) through the app,
and the same files imported by ``Case.import_files`` into another new encrypted case: wall seconds, median of
``--runs``, alternating. (2) One big real file (the first 150 MB of ``--big``, a file nobody here wrote): seconds
to send it, seconds to import it, and this process's peak RSS before and after (the server runs in it: the
upload is streamed into memory-backed storage, not held in the process). (3) The whole ``--big`` file, over the
200 MB limit: seconds until it is refused. Prints Markdown rows for bench/RESULTS.md.
"""

from __future__ import annotations

import argparse
import http.client
import json
import resource
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from urllib.parse import quote

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from evidence.api import Case  # noqa: E402
from evidence.case.vault import TEST_COST  # noqa: E402
from evidence.ui.server import Server, bind  # noqa: E402
from evidence.ui.session import Session  # noqa: E402

PASSPHRASE = "bench passphrase: four unrelated words"
BIG_SLICE = 150 * 10**6


def _peak_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


class App:
    """The real server in a thread over a new encrypted case, signed in (the cookie)."""

    def __init__(self, root: Path) -> None:
        with Case.init(
            root, title="Bench", tz="Europe/London", passphrase=PASSPHRASE, encrypted=True, cost=TEST_COST
        ) as c:
            keys = c.keys
        sock = bind()
        self.session = Session(
            port=sock.getsockname()[1], case_root=root, cost=TEST_COST, window_gone_seconds=3600
        )
        self.session.safety_seen = True
        self.session.unlock(keys, time.monotonic())
        self.server = Server(self.session, sock)
        self.thread = threading.Thread(target=self.server.run, daemon=True)
        self.thread.start()
        time.sleep(0.5)
        answer = self.request("GET", f"/start/{self.session.start_token}")
        assert answer[0] == 303, answer
        self.cookie = f"evidence_session={self.session.cookie_value}"

    def request(
        self, method: str, path: str, body: object = None, headers: dict[str, str] | None = None
    ) -> tuple[int, bytes]:
        conn = http.client.HTTPConnection("127.0.0.1", self.session.port, timeout=600)
        all_headers = {"Host": self.session.host, "Origin": self.session.origin, **(headers or {})}
        if hasattr(self, "cookie"):
            all_headers["Cookie"] = self.cookie
        conn.request(method, path, body=body, headers=all_headers)  # type: ignore[arg-type]
        answer = conn.getresponse()
        data = answer.read()
        conn.close()
        return answer.status, data

    def add(self, files: list[Path], length: int | None = None) -> tuple[float, float, bytes]:
        """Send ``files`` (the first ``length`` bytes of each when given) and import them: seconds to send,
        seconds to import, the import's answer."""
        status, data = self.request("POST", "/add/batch")
        batch = json.loads(data)["batch"]
        start = time.perf_counter()
        for path in files:
            size = min(length, path.stat().st_size) if length else path.stat().st_size
            with path.open("rb") as fh:
                body = _Limited(fh, size)
                headers = {"X-File-Name": quote(path.name), "Content-Length": str(size)}
                status, data = self.request("POST", f"/add/file/{batch}", body, headers)
            assert status == 200, data
        sent = time.perf_counter() - start
        start = time.perf_counter()
        status, data = self.request("POST", f"/add/import/{batch}")
        assert status == 200, data[:500]
        return sent, time.perf_counter() - start, data

    def stop(self) -> None:
        self.server.stop()
        self.thread.join(timeout=10)


class _Limited:
    """A file object giving only its first ``size`` bytes (http.client sends it in blocks)."""

    def __init__(self, fh: object, size: int) -> None:
        self.fh, self.left = fh, size

    def read(self, n: int = -1) -> bytes:
        n = self.left if n < 0 else min(n, self.left)
        data = self.fh.read(n)  # type: ignore[attr-defined]
        self.left -= len(data)
        return data


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--big", type=Path, default=Path("/usr/lib/chromium/chromium"))
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        base = Path(tmp)
        samples = base / "samples"
        subprocess.run(
            [sys.executable, str(ROOT / "samples" / "make_samples.py"), str(samples)],
            check=True,
            capture_output=True,
        )
        files = sorted(p for p in samples.iterdir() if p.name != "case.json" and not p.name.startswith("."))
        app_times, lib_times = [], []
        for run in range(args.runs):
            app = App(base / f"app{run}")
            start = time.perf_counter()
            app.add(files)
            app_times.append(time.perf_counter() - start)
            app.stop()
            start = time.perf_counter()
            with Case.init(
                base / f"lib{run}",
                title="Bench",
                tz="Europe/London",
                passphrase=PASSPHRASE,
                encrypted=True,
                cost=TEST_COST,
            ) as case:
                case.import_files(files)
            lib_times.append(time.perf_counter() - start)
        app_s, lib_s = statistics.median(app_times), statistics.median(lib_times)
        print(
            f"| the demo's 12 files, sent and imported (median of {args.runs}) | {app_s:.2f} s | {lib_s:.2f} s | {app_s / lib_s:.2f}x |"
        )
        app = App(base / "big")
        before = _peak_mib()
        sent, imported, _ = app.add([args.big], BIG_SLICE)
        after = _peak_mib()
        print(
            f"| {BIG_SLICE // 10**6} MB of {args.big.name}: sent | {sent:.2f} s ({BIG_SLICE / sent / 10**6:.0f} MB/s) | | |"
        )
        print(f"| the same: imported (stored encrypted) | {imported:.2f} s | | |")
        print(
            f"| peak RSS of the process (server and client) before, after | {before:.0f} MiB | {after:.0f} MiB | |"
        )
        status, data = app.request("POST", "/add/batch")
        batch = json.loads(data)["batch"]
        size = args.big.stat().st_size
        start = time.perf_counter()
        with args.big.open("rb") as fh:
            try:
                status, data = app.request(
                    "POST",
                    f"/add/file/{batch}",
                    _Limited(fh, size),
                    {"X-File-Name": quote(args.big.name), "Content-Length": str(size)},
                )
            except (BrokenPipeError, ConnectionResetError):
                status, data = 0, b"connection closed by the server"
        print(
            f"| {size / 10**6:.0f} MB, over the limit: refused in | {time.perf_counter() - start:.2f} s | {status} {data[:120]!r} | |"
        )
        app.stop()


if __name__ == "__main__":
    main()
