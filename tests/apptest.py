"""Running a page under ``streamlit.testing.v1.AppTest`` the same way in every page test."""

from __future__ import annotations

from streamlit.testing.v1 import AppTest

from tests.conftest import ROOT


def open_page(
    page: str,
    query: dict[str, str] | None = None,
    login: str | None = None,
    timeout: float = 30,
) -> AppTest:
    """Run ``page`` (a path from the repository root) once, with URL ``query`` and,
    where users are configured, logged in as ``login``."""
    at = AppTest.from_file(str(ROOT / page), default_timeout=timeout)
    if login:
        at.session_state["auth_login"] = login
    at.query_params.update(query or {})
    return at.run()


def assert_clean(at: AppTest) -> None:
    """No exception and no error message on the page."""
    assert not at.exception, [e.value for e in at.exception]
    assert not at.error, [e.value for e in at.error]
