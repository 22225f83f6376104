"""A logged-in session ends when its credentials change or it sits idle: a changed
password, a removal and a role change (remove and add again) log it out at its next run,
and so do :func:`~analytics.operations.users.idle_minutes` without a click."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from analytics.operations import remember
from analytics.operations.users import Role, UserStore
from tests.apptest import assert_clean, open_page
from ui.auth import CHANGED, SEEN_KEY, TOKEN_KEY

PASSWORD = "пароль-для-теста"


@pytest.fixture
def users(demo_db_path: Path, monkeypatch: pytest.MonkeyPatch) -> UserStore:
    store = UserStore(demo_db_path.parent / "users.json")
    monkeypatch.setenv("MONITORING_USERS", str(store.path))
    store.add("admin", Role.ADMIN, PASSWORD)
    store.add("viewer", Role.VIEWER, PASSWORD)
    return store


def test_an_unchanged_session_stays_logged_in(users):
    at = open_page("dashboard.py", login="viewer")

    at = at.run()

    assert_clean(at)
    assert at.title[0].value == "Обзор"


def test_changing_the_password_ends_the_open_session(users):
    at = open_page("dashboard.py", login="viewer")
    users.set_password("viewer", "новый-пароль-1")

    at = at.run()

    assert at.title[0].value == "Вход"
    assert [i.value for i in at.info] == [CHANGED]


def test_a_role_change_by_removing_and_adding_again_ends_the_open_session(users):
    at = open_page("dashboard.py", login="viewer")
    users.remove("viewer")
    users.add("viewer", Role.ADMIN, PASSWORD)

    at = at.run()

    assert at.title[0].value == "Вход"
    assert [i.value for i in at.info] == [CHANGED]


def test_a_session_idle_for_longer_than_the_setting_is_ended(users, monkeypatch):
    monkeypatch.setenv("MONITORING_IDLE_MINUTES", "30")
    at = open_page("dashboard.py", login="viewer")
    at.session_state[SEEN_KEY] = time.time() - 31 * 60

    at = at.run()

    assert at.title[0].value == "Вход"
    assert [i.value for i in at.info] == ["Сеанс завершён после 30 мин бездействия. Войдите снова."]


def test_a_session_without_the_generation_it_logged_in_with_is_not_logged_in(users):
    at = open_page("dashboard.py", login="viewer")
    del at.session_state["auth_generation"]

    at = at.run()

    assert at.title[0].value == "Вход"


def logged_in_through_the_form(login: str):
    at = open_page("dashboard.py")
    at.text_input(key="login_name").input(login)
    at.text_input(key="login_password").input(PASSWORD)
    return at.button[0].click().run()


def test_logging_out_ends_the_login_on_the_server_so_a_copy_of_its_cookie_is_dead(users):
    at = logged_in_through_the_form("viewer")
    token = at.session_state[TOKEN_KEY]
    assert remember.remembered(users, token, time.time()).login == "viewer"

    at = at.sidebar.button(key="logout").click().run()

    assert at.title[0].value == "Вход"
    assert remember.remembered(users, token, time.time()) is None


def test_a_session_ended_for_idleness_ends_its_remembered_login_too(users, monkeypatch):
    monkeypatch.setenv("MONITORING_IDLE_MINUTES", "30")
    at = logged_in_through_the_form("viewer")
    token = at.session_state[TOKEN_KEY]
    at.session_state[SEEN_KEY] = time.time() - 31 * 60

    at = at.run()

    assert at.title[0].value == "Вход"
    assert remember.remembered(users, token, time.time()) is None
