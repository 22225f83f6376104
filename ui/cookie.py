"""The remember cookie, sent by the server as HTTP-only.

A page run talks to the browser over the websocket only, so it cannot send a cookie; the
dashboard's ``st.App`` (``dashboard.py``) adds one small route for that instead. After a
login the page posts the token (:mod:`analytics.operations.remember`) to it, and the
response sets ``monitoring_login`` HttpOnly, SameSite=Strict (Secure over HTTPS): the
page's scripts cannot read it afterwards. After a logout the page posts nothing and the
response removes it. Only the dashboard's own pages may call it (a browser's
``Sec-Fetch-Site: same-origin``, or an ``Origin`` naming the ``Host``), so another site
cannot plant its own login in a user's browser.
"""

from __future__ import annotations

import re
from urllib.parse import urlparse

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from analytics.operations.remember import REMEMBER_HOURS

COOKIE = "monitoring_login"
PATH = "_login/cookie"
# A token as remember.issue makes it: base64 (URL alphabet), a dot, a hex signature.
_TOKEN = re.compile(r"[A-Za-z0-9_=-]{1,800}\.[0-9a-f]{64}")


def url(base_path: str) -> str:
    """The route's path under Streamlit's ``server.baseUrlPath``."""
    base = base_path.strip("/")
    return f"/{base}/{PATH}" if base else f"/{PATH}"


def _own_page(request: Request) -> bool:
    if request.headers.get("sec-fetch-site") == "same-origin":
        return True
    origin = request.headers.get("origin")
    return origin is not None and urlparse(origin).netloc == request.headers.get("host")


async def _set(request: Request) -> Response:
    if not _own_page(request):
        return Response(status_code=403)
    token = (await request.body())[:1024].decode("ascii", "replace")
    if token and not _TOKEN.fullmatch(token):
        return Response(status_code=400)
    https = request.url.scheme == "https" or request.headers.get("x-forwarded-proto") == "https"
    age = REMEMBER_HOURS * 3600 if token else 0
    response = Response(status_code=204)
    # Written by hand: Starlette's set_cookie would quote a value holding «=».
    response.headers.append(
        "set-cookie",
        f"{COOKIE}={token}; Path=/; Max-Age={age}; HttpOnly; SameSite=Strict"
        + ("; Secure" if https else ""),
    )
    return response


def routes(base_path: str) -> list[Route]:
    return [Route(url(base_path), _set, methods=["POST"])]
