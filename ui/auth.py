"""Login, logout and the single-user local mode, drawn by every page's setup.

With no users configured, the dashboard is one person's tool on their own computer: it
serves 127.0.0.1 only and every visitor is the administrator. Once users exist, a page
shows the login form until the session logs in; the login, not the role, is kept in the
session, so a role changed or a user removed on the command line applies at the next
click.
"""

from __future__ import annotations

import ipaddress

import streamlit as st

from analytics.access import LOCAL_PRINCIPAL, Principal, principal_of
from analytics.db import Database
from analytics.users import ROLE_LABELS, LoginFailed, UserError, UserStore, users_path

from .text import md

SESSION_KEY = "auth_login"
USERS_HELP = (
    "Добавьте пользователей командой `python -m analytics users add ИМЯ --role admin "
    "--password-stdin` и перезапустите панель."
)


def is_loopback(address: str | None) -> bool:
    """Whether the server address reaches this computer only."""
    if not address:
        return False
    if address == "localhost":
        return True
    try:
        return ipaddress.ip_address(address).is_loopback
    except ValueError:
        return False


def current_principal(db: Database) -> Principal:
    """Who this session is; draws the login form and stops the page until someone logs in."""
    store = UserStore(users_path(db.path))
    try:
        configured = store.has_users()
    except UserError as error:
        st.error(f"Вход невозможен: {error}. Обратитесь к администратору.", icon=":material/lock:")
        st.stop()
    if not configured:
        if not is_loopback(st.get_option("server.address")):
            st.error(
                "Панель открыта для сети, но пользователи не заведены, поэтому она не "
                f"показывает данные. {USERS_HELP}",
                icon=":material/lock:",
            )
            st.stop()
        return LOCAL_PRINCIPAL
    login = st.session_state.get(SESSION_KEY)
    user = store.get(login) if login else None
    if user is None:
        st.session_state.pop(SESSION_KEY, None)
        _login_form(store)
        st.stop()
    return principal_of(db, user)


def account(principal: Principal) -> None:
    """Who is logged in and the logout button (the sidebar's first lines)."""
    if principal.local:
        st.caption(
            "Однопользовательский режим: панель доступна только с этого компьютера.",
            help="Вход не нужен. Чтобы открыть панель для сети, заведите пользователей "
            "командой `python -m analytics users add` (см. README).",
        )
        return
    st.caption(f"Вы вошли как **{md(principal.login)}** ({ROLE_LABELS[principal.role]}).")
    if st.button("Выйти", icon=":material/logout:", key="logout"):
        st.session_state.clear()
        st.rerun()


def _login_form(store: UserStore) -> None:
    st.title("Вход")
    st.markdown("Панель мониторинга наставничества. Войдите под своим именем пользователя.")
    with st.form("login"):
        login = st.text_input("Имя пользователя", key="login_name")
        password = st.text_input("Пароль", type="password", key="login_password")
        submitted = st.form_submit_button("Войти", type="primary")
    if not submitted:
        return
    try:
        user = store.authenticate(login, password)
    except LoginFailed as error:
        st.error(str(error), icon=":material/lock:")
        return
    st.session_state[SESSION_KEY] = user.login
    st.rerun()
