"""Running a page under ``streamlit.testing.v1.AppTest`` the same way in every page test."""

from __future__ import annotations

from streamlit.testing.v1 import AppTest

from analytics.operations.users import UserStore, users_path
from analytics.store.db import default_db_path
from tests.conftest import ROOT
from ui.auth import session_values


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
        user = UserStore(users_path(default_db_path())).get(login)
        assert user is not None, f"no user {login}"
        for key, value in session_values(user).items():
            at.session_state[key] = value
    at.query_params.update(query or {})
    return at.run()


def assert_clean(at: AppTest) -> None:
    """No exception and no error message on the page."""
    assert not at.exception, [e.value for e in at.exception]
    assert not at.error, [e.value for e in at.error]


def dataframe_with(at: AppTest, column: str):
    """The first data frame shown on the page that has ``column``."""
    return next(df.value for df in at.dataframe if column in df.value.columns)
