"""Streamlit server features the dashboard turns off where its configuration cannot.

Any websocket, logged in or not, may send Streamlit's ``clear_cache`` request, which
empties every ``st.cache_data`` and ``st.cache_resource`` of the server — every user's
cached pages and the database connection. ``client.toolbarMode`` only hides the menu
item; the request itself is handled unconditionally, so the handler is replaced. The
dashboard never needs it: its caches are keyed on the data version.

``/_stcore/metrics`` tells anyone who can reach the port how many sessions are open, how
much memory every cache holds and more; Streamlit 1.67 has no option to turn it off.
:class:`NoMetrics` refuses it on Streamlit's own port: ``dashboard.py`` declares an
``st.App`` with it, which ``streamlit run dashboard.py`` finds and serves from the start
(scripts/nginx.conf closes it in front as well).
"""

from __future__ import annotations

import logging

from streamlit.runtime.app_session import AppSession

log = logging.getLogger("monitoring.ui")

METRICS_PATH = "/_stcore/metrics"


def _refuse_clear_cache(self: AppSession) -> None:
    log.warning("a clear_cache request from a browser session was refused")


def install() -> None:
    """Refuse ``clear_cache`` requests from now on (idempotent)."""
    AppSession._handle_clear_cache_request = _refuse_clear_cache  # type: ignore[method-assign]


class NoMetrics:
    """ASGI middleware: ``/_stcore/metrics`` (under any base path) answers 404; every
    other request passes through."""

    def __init__(self, app) -> None:
        self.app = app

    async def __call__(self, scope, receive, send) -> None:
        path = scope.get("path", "").rstrip("/")
        if scope["type"] == "http" and path.endswith(METRICS_PATH):
            await send(
                {
                    "type": "http.response.start",
                    "status": 404,
                    "headers": [(b"content-type", b"text/plain; charset=utf-8")],
                }
            )
            await send({"type": "http.response.body", "body": b"Not Found"})
            return
        await self.app(scope, receive, send)
