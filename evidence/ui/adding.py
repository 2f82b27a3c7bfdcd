"""The "Add evidence" screen and the exhibit page: their routes, over the app's ``Screens``.

``/add`` is the page (drop or choose files, then "Add these files"); its script (``static/add.js``) starts a
batch (``POST /add/batch``), sends each file as the body of its own request (``POST /add/file/BATCH``, with
upload progress), then asks for the import (``POST /add/import/BATCH``) and, while it runs, how far it has got
(``GET /add/progress/BATCH``: the file being read, the pictures read by OCR). The import is the library's
(``Case.import_files``, as ``evidence import``): all the files or none; the answer is the result in words.
Uploads are held in memory, never on disk (``uploads.py``).

``/exhibit/EX-0001`` shows one exhibit; ``/exhibit/EX-0001/picture`` is its picture, read from the case into
memory and sent with ``no-store`` (the guard's headers), raster pictures only.
"""

from __future__ import annotations

import traceback
from typing import TYPE_CHECKING
from urllib.parse import unquote

from starlette.concurrency import run_in_threadpool
from starlette.requests import ClientDisconnect, Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from evidence.errors import EvidenceError, UsageError
from evidence.ui import adding_views
from evidence.ui.screens import in_words
from evidence.ui.uploads import MAX_FILE_BYTES, Uploads, backup_folder

if TYPE_CHECKING:
    from evidence.ui.app import Screens
    from evidence.ui.uploads import Batch


def _number(text: str | None) -> int | None:
    return int(text) if text is not None and text.isdigit() else None


class Adding:
    """The routes of adding evidence and of the exhibit page, for one app (``Screens``)."""

    def __init__(self, screens: Screens) -> None:
        self.s = screens
        self.uploads = Uploads()
        screens.session.on_lock.append(self.uploads.drop_waiting)

    def routes(self) -> list[Route]:
        """The routes to append to the app's."""
        return [
            Route("/add", self.page, methods=["GET"]),
            Route("/add/batch", self.start, methods=["POST"]),
            Route("/add/file/{batch}", self.file, methods=["POST"]),
            Route("/add/import/{batch}", self.run, methods=["POST"]),
            Route("/add/progress/{batch}", self.progress, methods=["GET"]),
            Route("/exhibit/{exhibit}", self.exhibit, methods=["GET"]),
            Route("/exhibit/{exhibit}/picture", self.picture, methods=["GET"]),
        ]

    def _closed(self) -> Response | None:
        """The redirect when the case is not open (what is held is dropped then: the key is gone)."""
        away = self.s.open_case_or_redirect()
        if away is not None:
            self.uploads.drop_all()
        return away

    def _batch(self, request: Request) -> Batch | None:
        return self.uploads.get(str(request.path_params["batch"]))

    @staticmethod
    def _refused(line: str, status: int = 400) -> JSONResponse:
        return JSONResponse({"ok": False, "error": line}, status_code=status)

    async def page(self, request: Request) -> Response:
        """The "Add evidence" page."""
        away = self._closed()
        if away is not None:
            return away
        return self.s.page(
            request,
            "add.html",
            section="add",
            needs_key=True,
            limit=MAX_FILE_BYTES,
            limit_words=f"{MAX_FILE_BYTES // 10**6} MB",
            case_title=await run_in_threadpool(self.s.title),
        )

    async def start(self, request: Request) -> Response:
        """A new batch for the files about to be sent (``{"batch": ID}``)."""
        if self._closed() is not None:
            return self._refused("The case is locked. Open it again, then add the files.", 409)
        from evidence.ui import screens

        assert self.s.session.case_root is not None
        try:
            batch = self.uploads.start(encrypted=screens.is_encrypted(self.s.session.case_root))
        except EvidenceError as exc:
            return self._refused(in_words(exc) + " Nothing was added.", 507)
        return JSONResponse({"ok": True, "batch": batch.id})

    async def file(self, request: Request) -> Response:
        """One file, the request's body, into its batch (``X-File-Name``: its name, URL-encoded;
        ``X-Shown-As``: the name with the folder it was chosen in; ``X-Last-Modified``: ms since 1970)."""
        if self._closed() is not None:
            return self._refused("The case is locked. Open it again, then add the files.", 409)
        batch = self._batch(request)
        if batch is None or batch.stage != "uploading":
            return self._refused("This upload has ended. Choose the files again.", 404)
        name = unquote(request.headers.get("x-file-name", ""))
        shown_as = unquote(request.headers.get("x-shown-as", "")) or name
        try:
            held = await self.uploads.receive(
                batch,
                name,
                shown_as,
                _number(request.headers.get("content-length")),
                _number(request.headers.get("x-last-modified")),
                request.stream(),
            )
        except EvidenceError as exc:
            batch.refused = batch.refused or in_words(exc)
            return self._refused(in_words(exc))
        except ClientDisconnect:
            batch.refused = batch.refused or f"{shown_as}: the upload was interrupted"
            return self._refused(batch.refused)
        return JSONResponse({"ok": True, "name": held.shown_as, "size": held.size})

    async def run(self, request: Request) -> Response:
        """Import the batch, all or nothing; the result in words (a part of a page, for the script)."""
        if self._closed() is not None:
            return self._refused("The case is locked. Open it again, then add the files.", 409)
        batch = self._batch(request)
        if batch is None or batch.stage != "uploading":
            return self._refused("This upload has ended. Choose the files again.", 404)
        root, keys = self.s.session.case_root, self.s.session.keys
        assert root is not None
        batch.stage = "reading"
        try:
            if batch.refused is not None:
                raise UsageError(batch.refused)
            if not batch.files:
                raise UsageError("no files were sent")
            backup = backup_folder([held.shown_as for held in batch.files])
            if backup is not None:
                raise UsageError(
                    f"{backup}: this folder is an iPhone backup, which is read as one whole (messages, calls, "
                    "contacts), not as separate files; add it with the command line (evidence import)"
                )
            result = await run_in_threadpool(adding_views.import_batch, root, keys, batch)
        except EvidenceError as exc:
            line = exc.message if batch.refused is not None else adding_views.failure_in_words(exc, batch)
            return self.s.page(request, "add_result.html", status=400, failure=line, result=None)
        except Exception as exc:  # noqa: BLE001 - the last line of defence, as the CLI's: a bug, said as one
            traceback.print_exc()  # to the terminal 'evidence ui' runs in, for the report
            line = (
                f"the app met an error it did not expect while reading the files ({type(exc).__name__}): a bug "
                "in evidence; please report it with what the terminal that started the app shows"
            )
            return self.s.page(request, "add_result.html", status=500, failure=line, result=None)
        finally:
            batch.stage = "done"
            self.uploads.drop(batch)
        self.s.activity()
        return self.s.page(request, "add_result.html", failure=None, result=adding_views.result_view(result))

    async def progress(self, request: Request) -> Response:
        """How far the batch's import has got (the page asks every half second; not the user's activity)."""
        batch = self._batch(request)
        if batch is None:
            return JSONResponse({"stage": "done"})
        return JSONResponse(batch.progress())

    async def exhibit(self, request: Request) -> Response:
        """One exhibit's page."""
        away = self._closed()
        if away is not None:
            return away
        assert self.s.session.case_root is not None
        try:
            view = await run_in_threadpool(
                adding_views.exhibit_view,
                self.s.session.case_root,
                self.s.session.keys,
                str(request.path_params["exhibit"]),
            )
        except EvidenceError as exc:
            return self.s.page(
                request,
                "message.html",
                status=404 if isinstance(exc, UsageError) else 500,
                heading="This exhibit cannot be shown",
                text=in_words(exc),
                needs_key=True,
            )
        return self.s.page(request, "exhibit.html", section="timeline", needs_key=True, **view)

    async def picture(self, request: Request) -> Response:
        """The exhibit's picture, decrypted in memory (never written to disk), not to be cached."""
        if self.s.session.case_root is None or not self.s.session.unlocked:
            return Response(status_code=403)
        from evidence.actions import viewing
        from evidence.api import Case

        def read() -> viewing.Original:
            with Case.open(self.s.session.case_root, readonly=True, keys=self.s.session.keys) as case:
                return viewing.original(case, str(request.path_params["exhibit"]))

        try:
            original = await run_in_threadpool(read)
        except EvidenceError:
            return Response(status_code=404)
        if not original.is_picture:
            return Response(status_code=404)
        return Response(original.data, media_type=original.media_type)
