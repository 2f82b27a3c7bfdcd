"""The routes of the report builder (``/report``), the export (``/export``) and "check something received"
(``/check``), over the app's ``Screens`` (its session, templates and idle lock) and the library calls in
``outputs.py``.

What is built is held here for its download: the report's bytes in memory, the bundle in its private folder on
memory-backed storage. Either is forgotten (the folder removed) once downloaded to the end (the bundle), when
another is built, after ``HELD_SECONDS``, and when the case is locked (the Lock button, Leave now or the idle
lock: ``Session.on_lock``); a request finding the session's key is not the one the output was made with drops it
too.

A received file comes as the request's own body (``outputs.js`` sends the chosen file by itself, its name in the
``X-File-Name`` header, URL-encoded), read from ``request.stream()`` into a private folder on memory-backed storage,
never through ``request.form()`` (python-multipart spools files over 1 MB to a temporary file on disk); it is
removed as soon as it is checked.
"""

from __future__ import annotations

import os
import re
import time
import traceback
from collections.abc import AsyncIterator
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response, StreamingResponse
from starlette.routing import Route

from evidence.errors import EvidenceError, UsageError
from evidence.ui import outputs, screens

if TYPE_CHECKING:
    from evidence.ui.app import Screens

HELD_SECONDS = 15 * 60  # a built report or bundle not downloaded by then is forgotten
MAX_RECEIVED_BYTES = 1 << 30  # the largest report or bundle checked here (evidence verify takes larger ones)
CHUNK = 1 << 20
_UNSAFE = re.compile(r"[\x00-\x1f\x7f/\\]")


def received_name(header: str) -> str:
    """The received file's name as the page sent it (URL-encoded), reduced to a safe base name."""
    name = unquote(header).replace("\\", "/").rsplit("/", 1)[-1]
    name = _UNSAFE.sub("_", name).strip().lstrip(".")[:150]
    return name or "received file"


def _fault(doing: str, exc: Exception) -> str:
    """A bug met while ``doing`` something: its trace to the server's console (as the CLI prints it), one line
    for the page."""
    traceback.print_exception(exc)
    return (
        f"Something went wrong in the toolkit while {doing} ({type(exc).__name__}). This is a fault in the "
        "toolkit, not something you did; please report it. Your case is as it was."
    )


def _size_words(size: int) -> str:
    from evidence.describe import human_size

    return human_size(size)


class Outputs:
    """The three screens' routes, with what they hold between a build and its download."""

    def __init__(self, screens_: Screens) -> None:
        self.s = screens_
        self.report: outputs.BuiltReport | None = None
        self.export: outputs.BuiltExport | None = None
        self._made_with: object = None  # the session's keys when the held output was made
        self._made_at = 0.0
        screens_.session.on_lock.append(self.forget)

    def routes(self) -> list[Route]:
        """The routes, for ``build_app``."""
        return [
            Route("/report", self.report_screen, methods=["GET", "POST"]),
            Route("/report/download", self.report_download, methods=["POST"]),
            Route("/export", self.export_screen, methods=["GET", "POST"]),
            Route("/export/download", self.export_download, methods=["POST"]),
            Route("/check", self.check_screen, methods=["GET", "POST"]),
        ]

    # -- what is held -----------------------------------------------------------------------------------------

    def forget(self) -> None:
        """Drop the held report and remove the held bundle's folder."""
        self.report = None
        self._drop_export()

    def _drop_export(self) -> None:
        if self.export is not None:
            self.export.staged.remove()
            self.export = None

    def _forget_if_stale(self) -> None:
        session = self.s.session
        if (self.report is None and self.export is None) or (
            session.unlocked
            and session.keys is self._made_with
            and time.monotonic() - self._made_at < HELD_SECONDS
        ):
            return
        self.forget()

    def _held_now(self) -> None:
        self._made_with = self.s.session.keys
        self._made_at = time.monotonic()

    def _open_or_redirect(self, request: Request) -> Response | None:
        """Where to go first when the case is not open (to htmx: as ``HX-Redirect``, since it would swap the
        unlock page's nothing into this one), else None."""
        away = self.s.open_case_or_redirect()
        self._forget_if_stale()
        if away is not None and "hx-request" in request.headers:
            return Response(status_code=204, headers={"hx-redirect": away.headers["location"]})
        return away

    def _page(self, request: Request, name: str, error: str | None, **context: Any) -> Response:
        """A page of these screens; a refused form is 400, but 200 to htmx (it swaps only 2xx answers)."""
        status = 400 if error and "hx-request" not in request.headers else 200
        title = (
            screens.case_title(self.s.session.case_root, self.s.session.keys)
            if self.s.session.case_root
            else None
        )
        return self.s.page(
            request, name, status=status, error=error, needs_key=True, case_title=title, **context
        )

    # -- the report ---------------------------------------------------------------------------------------------

    async def report_screen(self, request: Request) -> Response:
        """The report form (GET); build and record the report, then show its first pages (POST)."""
        away = self._open_or_redirect(request)
        if away is not None:
            return away
        root, keys = self.s.session.case_root, self.s.session.keys
        assert root is not None
        error = None
        choice = self.report.choice if self.report is not None else outputs.ReportChoice()
        if request.method == "POST":
            data = await request.form()
            form = {
                key: str(data.get(key, "")).strip()
                for key in ("profile", "since", "until", "person", "redact", "sign")
            }
            try:
                choice = outputs.ReportChoice.from_form(form)
                self.report = None
                self.report = await run_in_threadpool(outputs.build_report, root, keys, choice)
                self._held_now()
            except EvidenceError as exc:
                error = screens.in_words(exc)
            except Exception as exc:  # noqa: BLE001 - the last line of defence, as the CLI's: a bug, said as one
                error = _fault("making the report", exc)
        facts = await run_in_threadpool(outputs.report_form_facts, root, keys)
        built = self.report
        return await run_in_threadpool(
            self._page,
            request,
            "report.html",
            error,
            section="report",
            profiles=outputs.PROFILES,
            form=choice.form(),
            built=built,
            built_words=outputs.profile_words(built.choice.profile) if built else "",
            built_size=_size_words(len(built.pdf)) if built else "",
            **facts,
        )

    async def report_download(self, request: Request) -> Response:
        """The report just built, as a file to save (attachment; the guard adds ``no-store``)."""
        away = self._open_or_redirect(request)
        if away is not None:
            return away
        if self.report is None:
            return self._gone(request, "report")
        return Response(
            self.report.pdf,
            media_type="application/pdf",
            headers={"content-disposition": f'attachment; filename="{self.report.file_name}"'},
        )

    def _gone(self, request: Request, what: str) -> Response:
        return self.s.page(
            request,
            "message.html",
            status=410,
            heading=f"The {what} is no longer here",
            text=f"It is kept only until it is downloaded, for 15 minutes, or until the case is locked. Make the {what} again.",
        )

    # -- the export ---------------------------------------------------------------------------------------------

    async def export_screen(self, request: Request) -> Response:
        """What the bundle holds and how the recipient checks it (GET); build and record it (POST)."""
        away = self._open_or_redirect(request)
        if away is not None:
            return away
        root, keys = self.s.session.case_root, self.s.session.keys
        assert root is not None
        error = None
        choice = outputs.ExportChoice()
        if request.method == "POST":
            data = await request.form()
            fields = ("recipient", "with_report", "since", "until", "person")
            try:
                choice = outputs.ExportChoice.from_form({k: str(data.get(k, "")).strip() for k in fields})
                report = self.report if choice.with_report else None
                self._drop_export()
                self.export = await run_in_threadpool(outputs.build_export, root, keys, choice, report)
                self._held_now()
            except EvidenceError as exc:
                error = screens.in_words(exc)
            except Exception as exc:  # noqa: BLE001 - the last line of defence, as the CLI's: a bug, said as one
                error = _fault("making the export", exc)
        facts = await run_in_threadpool(outputs.export_facts, root, keys)
        return await run_in_threadpool(
            self._page,
            request,
            "export.html",
            error,
            section="export",
            form=choice.form(),
            report=self.report,
            built=self.export,
            built_size=_size_words(self.export.size) if self.export else "",
            **facts,
        )

    async def export_download(self, request: Request) -> Response:
        """The bundle, streamed from its folder; the folder is removed once all of it was sent."""
        away = self._open_or_redirect(request)
        if away is not None:
            return away
        built = self.export
        if built is None or not built.path.is_file():
            return self._gone(request, "bundle")

        async def chunks() -> AsyncIterator[bytes]:
            fh = await run_in_threadpool(open, built.path, "rb")
            try:
                while block := await run_in_threadpool(fh.read, CHUNK):
                    yield block
            finally:
                fh.close()
            if self.export is built:  # sent to the end: nothing decrypted stays behind
                self._drop_export()

        return StreamingResponse(
            chunks(),
            media_type="application/zip",
            headers={
                "content-disposition": f'attachment; filename="{built.file_name}"',
                "content-length": str(built.size),
            },
        )

    # -- check something received -------------------------------------------------------------------------------

    async def check_screen(self, request: Request) -> Response:
        """The drop zone (GET); check the file sent as the request's body (POST) and say so in words."""
        away = self._open_or_redirect(request)
        if away is not None:
            return away
        result: outputs.Checked | None = None
        error = None
        name = ""
        if request.method == "POST":
            name = received_name(request.headers.get("x-file-name", ""))
            try:
                result = await self._check(request, name)
            except EvidenceError as exc:
                error = screens.in_words(exc)
            except Exception as exc:  # noqa: BLE001 - the last line of defence, as the CLI's: a bug, said as one
                error = _fault("checking the file", exc)
        return await run_in_threadpool(
            self._page, request, "check.html", error, section="check", result=result, file_name=name
        )

    async def _check(self, request: Request, name: str) -> outputs.Checked:
        from evidence.case.memtemp import require_room

        expect_key = outputs.expected_key(unquote(request.headers.get("x-expect-key", "")))
        if request.headers.get("content-type", "").startswith("multipart/"):
            raise UsageError(
                "the file was not sent by this page's script: reload the page and choose it again"
            )
        declared = request.headers.get("content-length", "")
        size = int(declared) if declared.isdigit() else 0
        if size > MAX_RECEIVED_BYTES:
            raise UsageError(f"the file is larger than {_size_words(MAX_RECEIVED_BYTES)}", path=name)
        place = outputs.stage(self.s.session.keys is not None, "evidence-received-")
        try:
            require_room(place.path, size, 0, what="the file", path=Path(name))
            target = place.path / name
            received = 0
            fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o600)
            with open(fd, "wb") as fh:
                async for block in request.stream():
                    received += len(block)
                    if received > MAX_RECEIVED_BYTES:
                        raise UsageError(
                            f"the file is larger than {_size_words(MAX_RECEIVED_BYTES)}", path=name
                        )
                    fh.write(block)
            if received == 0:
                raise UsageError("the file is empty", path=name)
            session = self.s.session
            return await run_in_threadpool(
                outputs.check_received, target, session.case_root, session.keys, expect_key
            )
        finally:
            place.remove()
