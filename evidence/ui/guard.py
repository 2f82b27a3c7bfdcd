"""The rules every request passes before any screen sees it, and the headers every answer carries.

In order: (1) the Host header must be ``127.0.0.1:PORT`` (a web page elsewhere that points its own name at
127.0.0.1, DNS rebinding, is refused); (2) a request that changes something (any method but GET and HEAD)
must come from the app's own page (``Guard.same_origin``: its Origin, or ``null`` with ``Sec-Fetch-Site:
same-origin``): another site's form or script (CSRF) is refused, and so is a request without Origin; (3) every path but ``/start/TOKEN`` and ``/static/`` needs the session cookie the
start token was exchanged for. Every answer, refusals included, carries a strict Content-Security-Policy (no
inline script or style: the page's script and style are files of this package), ``Cache-Control: no-store``,
``Referrer-Policy: no-referrer`` and no framing.
"""

from __future__ import annotations

from http.cookies import CookieError, SimpleCookie
from typing import TYPE_CHECKING

from starlette.datastructures import Headers, MutableHeaders
from starlette.responses import PlainTextResponse

from evidence.ui.session import COOKIE_NAME

if TYPE_CHECKING:
    from starlette.types import ASGIApp, Message, Receive, Scope, Send

    from evidence.ui.session import Session

# The page "Leave now" goes to: a neutral, common site (a weather forecast), also allowed as a form's target.
NEUTRAL_SITE = "https://www.bbc.co.uk/weather"

CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
    "font-src 'self'; form-action 'self' https://www.bbc.co.uk; frame-ancestors 'none'; base-uri 'none'"
)
SECURITY_HEADERS = {
    "content-security-policy": CSP,
    "cache-control": "no-store",
    "referrer-policy": "no-referrer",
    "x-content-type-options": "nosniff",
    "x-frame-options": "DENY",
    "cross-origin-opener-policy": "same-origin",
    "cross-origin-resource-policy": "same-origin",
}
SAFE_METHODS = frozenset({"GET", "HEAD"})
OPEN_PATHS = ("/start/", "/static/")


def _refusal(status: int, why: str) -> PlainTextResponse:
    return PlainTextResponse(why, status_code=status)


class Guard:
    """ASGI middleware applying the rules above for one ``Session``."""

    def __init__(self, app: ASGIApp, session: Session) -> None:
        self.app = app
        self.session = session

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for name, value in SECURITY_HEADERS.items():
                    headers[name] = value
            await send(message)

        refusal = self.refusal(scope)
        if refusal is not None:
            await refusal(scope, receive, send_with_headers)
            return
        await self.app(scope, receive, send_with_headers)

    def same_origin(self, headers: Headers) -> bool:
        """Whether a request that changes something came from this app's own page.

        Its Origin must be the app's. One exception, because of ``Referrer-Policy: no-referrer``: a browser
        then sends ``Origin: null`` with a page's own form (Fetch standard, "serializing a request origin"),
        so ``null`` passes only with ``Sec-Fetch-Site: same-origin``, a header the browser sets and no page
        can. A ``Sec-Fetch-Site`` other than ``same-origin`` is refused whatever the Origin says."""
        origin = headers.get("origin")
        fetch_site = headers.get("sec-fetch-site")
        if fetch_site is not None and fetch_site != "same-origin":
            return False
        if origin == self.session.origin:
            return True
        return origin == "null" and fetch_site == "same-origin"

    def refusal(self, scope: Scope) -> PlainTextResponse | None:
        """The answer refusing this request, or None when it passes (1)-(3)."""
        headers = Headers(scope=scope)
        # (1) DNS rebinding: only the literal address and port this server was given.
        if headers.get("host") != self.session.host:
            return _refusal(421, "This address is not the app's. Open the link 'evidence ui' printed.")
        # (2) CSRF: a change must come from a page of this app.
        if scope["method"] not in SAFE_METHODS and not self.same_origin(headers):
            return _refusal(403, "Refused: this request did not come from the app's own page.")
        # (3) The session cookie, except to redeem the start token and to fetch the page's files.
        path: str = scope["path"]
        if path.startswith(OPEN_PATHS):
            return None
        cookie = SimpleCookie()
        try:
            cookie.load(headers.get("cookie", ""))
        except CookieError:  # a malformed cookie header is no cookie
            cookie = SimpleCookie()
        morsel = cookie.get(COOKIE_NAME)
        if not self.session.cookie_ok(morsel.value if morsel is not None else None):
            return _refusal(
                403,
                "This window is not signed in to the app. Start it again with 'evidence ui' and use the new window "
                "or link.",
            )
        return None
