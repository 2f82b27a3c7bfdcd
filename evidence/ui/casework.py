"""The app's people, tactic review and diary screens: ``/people`` (the people, their numbers and accounts, the
unknown ones seen in the case, forms to link one, remove a wrong link and add a person), ``/review`` (the tactic suggestions
nobody reviewed, one at a time, and those decided) and ``/diary`` (the diary form and the entries).

Handlers only: each reads the form, calls ``casework_views`` (thin calls into the library) in a worker thread
and shows a template; a change is a POST (the guard checks its Origin) answered by a redirect, so reloading the
page does not record it twice. A library error is shown in words and nothing is written.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from evidence.actions.casework import SightingsMemo, SuggestionMemo
from evidence.errors import EvidenceError
from evidence.ui import casework_views as views
from evidence.ui.screens import in_words

if TYPE_CHECKING:
    from evidence.case.vault import CaseKeys
    from evidence.ui.app import Screens


class Casework:
    """The three screens over the app's ``Screens`` (its session, templates and page frame)."""

    def __init__(self, screens: Screens) -> None:
        self.screens = screens
        # What a change did, by screen: shown once, on the page its redirect leads to.
        self.flash: dict[str, views.Outcome] = {}
        # The rules' suggestions and the identifiers' counts, kept while the case's records stay the same, for
        # one unlock only: memos made under other keys (or none, after Lock) are dropped at the next request.
        self.suggestions = SuggestionMemo()
        self.sightings = SightingsMemo()
        self.unlocked_with: object = None
        screens.session.on_lock.append(self._forget)

    def _forget(self) -> None:
        """The case was locked: drop the kept suggestions, counts and change lines at once."""
        self.suggestions, self.sightings = SuggestionMemo(), SightingsMemo()
        self.flash.clear()
        self.unlocked_with = None

    def _open(self) -> Response | None:
        """Where to go when the case is not open (``Screens.open_case_or_redirect``); on the way, what this
        keeps of an earlier unlock (the kept suggestions, a change's line) is forgotten."""
        away = self.screens.open_case_or_redirect()
        keys = self.screens.session.keys
        if away is not None or keys is not self.unlocked_with:
            self.suggestions, self.sightings = SuggestionMemo(), SightingsMemo()
            self.flash.clear()
            self.unlocked_with = keys if away is None else None
        return away

    async def _form(self, request: Request) -> dict[str, str]:
        data = await request.form()
        # Spaces and line breaks at the ends are dropped (those inside a text are kept); no field is a file.
        return {key: value.strip() for key, value in data.items() if isinstance(value, str)}

    async def _change(
        self,
        screen: str,
        act: Callable[[Path, CaseKeys | None, Mapping[str, str]], views.Outcome],
        form: Mapping[str, str],
    ) -> views.Outcome:
        """Run one change; on success keep its line for the page the redirect shows."""
        root = self.screens.session.case_root
        assert root is not None
        try:
            outcome = await run_in_threadpool(act, root, self.screens.session.keys, form)
        except EvidenceError as exc:
            outcome = views.Outcome(error=in_words(exc))
        if outcome.error is None:
            self.flash[screen] = outcome
        return outcome

    def _show(
        self, request: Request, template: str, screen: str, error: str | None, **context: Any
    ) -> Response:
        done = None if error else self.flash.pop(screen, None)
        return self.screens.page(
            request,
            template,
            status=400 if error else 200,
            section=screen,
            needs_key=True,
            error=error,
            done=done.message if done else None,
            saved=done.ref if done else "",
            **context,
        )

    async def people(self, request: Request) -> Response:
        """The people and the numbers and accounts seen; POST ``action=link``, ``unlink`` or ``add``."""
        away = self._open()
        if away is not None:
            return away
        root = self.screens.session.case_root
        assert root is not None
        form: dict[str, str] = {}
        error = None
        if request.method == "POST":
            form = await self._form(request)
            acts = {"add": views.add_person, "unlink": views.unlink_identifier}
            act = acts.get(form.get("action", ""), views.link_identifier)
            outcome = await self._change("people", act, form)
            if outcome.error is None:
                return RedirectResponse("/people", status_code=303)
            error = outcome.error
        view = await run_in_threadpool(views.people_view, root, self.screens.session.keys, self.sightings)
        chosen = form.get("identifier") or request.query_params.get("link", "")
        return self._show(
            request,
            "people.html",
            "people",
            error,
            form=form,
            chosen=chosen,
            failed=form.get("action"),
            **view,
        )

    async def review(self, request: Request) -> Response:
        """The tactic review queue; POST confirms or rejects one suggestion, then the next one is shown. When
        the rules must read the messages first (the first visit, or new evidence), the page comes at once
        saying so, and fetches its body from ``/review/part`` (``?wait=1``: wait instead, without script)."""
        away = self._open()
        if away is not None:
            return away
        root = self.screens.session.case_root
        assert root is not None
        keys = self.screens.session.keys
        error = None
        chosen = request.query_params.get("item", "")
        if request.method == "POST":
            form = await self._form(request)
            outcome = await self._change("review", views.decide, form)
            if outcome.error is None:
                return RedirectResponse("/review", status_code=303)
            error, chosen = outcome.error, form.get("key", "")
        elif request.query_params.get("wait") != "1":
            pending = await run_in_threadpool(views.review_pending, root, keys, self.suggestions)
            if pending is not None:
                title = await run_in_threadpool(self.screens.title)
                return self._show(
                    request,
                    "review.html",
                    "review",
                    None,
                    loading=True,
                    messages=pending,
                    chosen=chosen,
                    case_title=title,
                )
        view = await run_in_threadpool(views.review_view, root, keys, chosen, self.suggestions)
        return self._show(request, "review.html", "review", error, **view)

    async def review_part(self, request: Request) -> Response:
        """The review page's body alone, for the page that said it was reading the messages."""
        away = self._open()
        if away is not None:
            return away
        root = self.screens.session.case_root
        assert root is not None
        chosen = request.query_params.get("item", "")
        view = await run_in_threadpool(
            views.review_view, root, self.screens.session.keys, chosen, self.suggestions
        )
        return self.screens.page(request, "review_body.html", done=None, **view)

    async def diary(self, request: Request) -> Response:
        """The diary form and the entries; POST saves one entry (``diary add``)."""
        away = self._open()
        if away is not None:
            return away
        root = self.screens.session.case_root
        assert root is not None
        form: dict[str, str] = {}
        error = None
        if request.method == "POST":
            form = await self._form(request)
            outcome = await self._change("diary", views.add_diary_entry, form)
            if outcome.error is None:
                return RedirectResponse("/diary", status_code=303)
            error = outcome.error
        view = await run_in_threadpool(views.diary_view, root, self.screens.session.keys)
        return self._show(request, "diary.html", "diary", error, form=form, **view)


def routes(screens: Screens) -> list[Route]:
    """The routes of the three screens, for ``build_app``."""
    work = Casework(screens)
    return [
        Route("/people", work.people, methods=["GET", "POST"]),
        Route("/review", work.review, methods=["GET", "POST"]),
        Route("/review/part", work.review_part, methods=["GET"]),
        Route("/diary", work.diary, methods=["GET", "POST"]),
    ]
