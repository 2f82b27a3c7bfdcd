"""The local web app (``evidence ui``): a window onto the library for people who do not use a terminal.

``session.py`` what one run remembers (start token, cookie, key, idle and window clocks); ``guard.py`` the
rules every request passes (Host, Origin, cookie) and the security headers; ``app.py`` the routes;
``screens.py`` what each screen asks of the library; ``server.py`` the server on 127.0.0.1 and the browser
window; ``templates/`` and ``static/`` the pages, their one style sheet and script, and htmx (vendored, see
``static/README.md``). Starlette, uvicorn, Jinja2 and python-multipart are the ``ui`` extra.
"""
