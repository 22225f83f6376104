"""Streamlit server features the dashboard turns off where its configuration cannot.

Any websocket, logged in or not, may send Streamlit's ``clear_cache`` request, which
empties every ``st.cache_data`` and ``st.cache_resource`` of the server — every user's
cached pages and the database connection. ``client.toolbarMode`` only hides the menu
item; the request itself is handled unconditionally, so the handler is replaced. The
dashboard never needs it: its caches are keyed on the data version.
"""

from __future__ import annotations

import logging

from streamlit.runtime.app_session import AppSession

log = logging.getLogger("monitoring.ui")


def _refuse_clear_cache(self: AppSession) -> None:
    log.warning("a clear_cache request from a browser session was refused")


def install() -> None:
    """Refuse ``clear_cache`` requests from now on (idempotent)."""
    AppSession._handle_clear_cache_request = _refuse_clear_cache  # type: ignore[method-assign]
