"""The web app: its routes and what each one asks of the library. ``build_app(session)`` gives the ASGI app
behind ``guard.Guard`` (Host, Origin, cookie and the security headers).

Screens: the safety check, create an encrypted case, unlock (or open) the case, the timeline and the check
(``screens.py``); session routes: the start link, the heartbeat, Lock and Leave now. Each screen is a thin call
into ``evidence.api`` (or ``evidence.verify`` for the check, as the CLI does); wording is in the templates.
"""

from __future__ import annotations

import time
from datetime import date
from pathlib import Path
from typing import Any

import jinja2
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.templating import Jinja2Templates

from evidence.errors import EvidenceError
from evidence.ui import casework, screens
from evidence.ui.adding import Adding
from evidence.ui.guard import NEUTRAL_SITE, Guard
from evidence.ui.output_routes import Outputs
from evidence.ui.session import COOKIE_NAME, Session
from evidence.ui.timeline_screen import timeline_view

HERE = Path(__file__).parent
COMMON_ZONES = (
    "Europe/London",
    "Europe/Dublin",
    "Europe/Paris",
    "Europe/Berlin",
    "America/New_York",
    "America/Chicago",
    "America/Los_Angeles",
    "America/Toronto",
    "Australia/Sydney",
    "Asia/Kolkata",
    "Africa/Johannesburg",
    "UTC",
)


def _now() -> float:
    return time.monotonic()


class Screens:
    """The routes, over one ``Session`` and the templates."""

    def __init__(self, session: Session) -> None:
        self.session = session
        env = jinja2.Environment(loader=jinja2.FileSystemLoader(HERE / "templates"), autoescape=True)
        self.templates = Jinja2Templates(env=env)

    # -- helpers --------------------------------------------------------------------------------------------

    def page(self, request: Request, name: str, status: int = 200, **context: Any) -> Response:
        """A template with what every page shows (case title, Lock when unlocked, Leave now)."""
        base = {
            "heartbeat_seconds": self.session.heartbeat_seconds,
            "neutral_site": NEUTRAL_SITE,
            "unlocked": self.session.unlocked,
            "needs_key": False,
            "case_title": None,
            "section": None,
        }
        response: Response = self.templates.TemplateResponse(
            request, name, {**base, **context}, status_code=status
        )
        return response

    def activity(self) -> None:
        """A page or form of the user's: lock first if idle too long, then restart the idle clock."""
        now = _now()
        self.session.lock_if_idle(now)
        self.session.touch(now)

    def next_step(self) -> str:
        """Where the user goes from the start: safety check, then create or unlock, then the timeline."""
        if not self.session.safety_seen:
            return "/safety"
        root = self.session.case_root
        if root is None or not screens.is_case_folder(root):
            return "/create"
        return "/timeline" if self.session.unlocked else "/unlock"

    # -- session routes -------------------------------------------------------------------------------------

    def start(self, request: Request) -> Response:
        """Exchange the one-time start token for the session cookie; the redirect drops the token from the
        address bar and from history."""
        if not self.session.redeem(str(request.path_params["token"])):
            return HTMLResponse(
                "<!doctype html><title>Evidence</title><p>This link has already been used or is not right. "
                "Start the app again with <code>evidence ui</code>.</p>",
                status_code=403,
            )
        self.session.touch(_now())
        response = RedirectResponse("/", status_code=303)
        response.set_cookie(
            COOKIE_NAME, self.session.cookie_value, httponly=True, samesite="strict", path="/", secure=False
        )
        return response

    def home(self, request: Request) -> Response:
        """``/``: on to the next step."""
        self.activity()
        return RedirectResponse(self.next_step(), status_code=303)

    def heartbeat(self, request: Request) -> Response:
        """A window is open. Answers whether the case is locked (the page then shows the unlock screen)."""
        now = _now()
        self.session.heartbeat(now)
        self.session.lock_if_idle(now)
        return JSONResponse({"locked": not self.session.unlocked})

    def lock(self, request: Request) -> Response:
        """Lock: forget the key, show the unlock screen."""
        self.session.lock()
        return RedirectResponse("/unlock" if self.session.case_root else "/", status_code=303)

    def leave(self, request: Request) -> Response:
        """Leave now: forget the key and go to a neutral site (the page's script does this without a history
        entry; this answer is for a page without script)."""
        self.session.lock()
        return RedirectResponse(NEUTRAL_SITE, status_code=303)

    # -- the safety check, create, unlock -------------------------------------------------------------------

    async def safety(self, request: Request) -> Response:
        """The safety check: read once before anything else; the button goes on."""
        self.activity()
        if request.method == "POST":
            self.session.safety_seen = True
            return RedirectResponse(self.next_step(), status_code=303)
        return self.page(
            request, "safety.html", section="safety", case_title=await run_in_threadpool(self.title)
        )

    async def create(self, request: Request) -> Response:
        """Create an encrypted case (``Case.init(encrypted=True)``) and keep its key."""
        self.activity()
        fixed = self.session.case_root
        if fixed is not None and screens.is_case_folder(fixed):
            return RedirectResponse(self.next_step(), status_code=303)
        form: dict[str, str] = {
            "title": "",
            "folder": str(Path.home() / "Evidence case"),
            "tz": screens.local_zone_name(),
            "no_contact": "",
        }
        error = None
        if request.method == "POST":
            data = await request.form()
            form = {key: str(data.get(key, "")).strip() for key in form}
            passphrase, again = str(data.get("passphrase", "")), str(data.get("passphrase2", ""))
            folder = fixed if fixed is not None else Path(form["folder"]).expanduser()
            if passphrase != again:
                error = "The two passphrases are not the same. Type them again."
            else:
                try:
                    no_contact = date.fromisoformat(form["no_contact"]) if form["no_contact"] else None
                    keys = await run_in_threadpool(
                        screens.create_case,
                        folder,
                        form["title"],
                        form["tz"],
                        no_contact,
                        passphrase,
                        self.session.cost,
                    )
                except ValueError:
                    error = "The no-contact day is not a date."
                except EvidenceError as exc:
                    error = screens.in_words(exc)
                else:
                    self.session.case_root = folder.resolve()
                    self.session.unlock(keys, _now())
                    return RedirectResponse("/timeline", status_code=303)
        return self.page(
            request,
            "create.html",
            status=400 if error else 200,
            form=form,
            error=error,
            fixed_folder=str(fixed) if fixed is not None else None,
            zones=COMMON_ZONES,
        )

    async def strength(self, request: Request) -> Response:
        """The passphrase strength hint, in words (htmx swaps it in under the field)."""
        data = await request.form()
        return HTMLResponse(screens.strength_hint(str(data.get("passphrase", ""))))

    async def unlock(self, request: Request) -> Response:
        """Unlock the case with its passphrase (``Case.open``), or open a plain case."""
        root = self.session.case_root
        if root is None or not screens.is_case_folder(root):
            return RedirectResponse("/", status_code=303)
        self.activity()
        if self.session.unlocked:
            return RedirectResponse("/timeline", status_code=303)
        encrypted = screens.is_encrypted(root)
        error = None
        if request.method == "POST":
            data = await request.form()
            try:
                passphrase = str(data.get("passphrase", "")) if encrypted else None
                keys = await run_in_threadpool(screens.unlock_case, root, passphrase)
            except EvidenceError as exc:
                error = screens.in_words(exc)
            else:
                self.session.unlock(keys, _now())
                return RedirectResponse("/timeline", status_code=303)
        idle = request.query_params.get("idle") == "1"
        return self.page(
            request,
            "unlock.html",
            status=400 if error else 200,
            folder=str(root),
            encrypted=encrypted,
            error=error,
            locked_message="The case was locked because nothing was done for a while." if idle else None,
        )

    def title(self) -> str | None:
        """The open case's title, for the top bar (None while locked: the title is inside the case)."""
        root = self.session.case_root
        if root is None or not self.session.unlocked:
            return None
        return screens.case_title(root, self.session.keys)

    # -- the case's screens ---------------------------------------------------------------------------------

    def open_case_or_redirect(self) -> Response | None:
        """A redirect to where the user must go first when the case is not open, else None."""
        self.activity()
        if not self.session.unlocked or self.session.case_root is None:
            return RedirectResponse(self.next_step(), status_code=303)
        return None

    async def timeline(self, request: Request) -> Response:
        """The timeline with its filters and per-day chart (``timeline_screen``; read only)."""
        away = self.open_case_or_redirect()
        if away is not None:
            return away
        assert self.session.case_root is not None
        view = await run_in_threadpool(
            timeline_view, self.session.case_root, self.session.keys, request.query_params
        )
        return self.page(request, "timeline.html", section="timeline", needs_key=True, **view)

    async def verify(self, request: Request) -> Response:
        """The check of the whole case: green or red in words, and the head to copy."""
        away = self.open_case_or_redirect()
        if away is not None:
            return away
        assert self.session.case_root is not None
        result = None
        if request.method == "POST":
            result = await run_in_threadpool(screens.verify_view, self.session.case_root, self.session.keys)
        return self.page(
            request,
            "verify.html",
            section="verify",
            needs_key=True,
            result=result,
            case_title=await run_in_threadpool(self.title),
        )


def build_app(session: Session) -> Starlette:
    """The app for ``session``, every route behind the guard."""
    s = Screens(session)
    routes = [
        Route("/start/{token}", s.start, methods=["GET"]),
        Route("/", s.home, methods=["GET"]),
        Route("/heartbeat", s.heartbeat, methods=["POST"]),
        Route("/lock", s.lock, methods=["POST"]),
        Route("/leave", s.leave, methods=["POST"]),
        Route("/safety", s.safety, methods=["GET", "POST"]),
        Route("/create", s.create, methods=["GET", "POST"]),
        Route("/strength", s.strength, methods=["POST"]),
        Route("/unlock", s.unlock, methods=["GET", "POST"]),
        Route("/timeline", s.timeline, methods=["GET"]),
        Route("/verify", s.verify, methods=["GET", "POST"]),
        Mount("/static", app=StaticFiles(directory=str(HERE / "static")), name="static"),
        *Outputs(s).routes(),  # the report, export and check-something-received screens
        *Adding(s).routes(),  # adding evidence, the exhibit page (adding.py)
        *casework.routes(s),
    ]
    return Starlette(routes=routes, middleware=[Middleware(Guard, session=session)])
