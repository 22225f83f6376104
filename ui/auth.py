"""Login, logout and the single-user local mode, drawn by every page's setup.

With no users configured, the dashboard is one person's tool on their own computer: it
serves 127.0.0.1 only, every visitor from its own page is the administrator, and a page
of another origin (another local server's, http://localhost:3000) is refused. Once users
exist, a page shows the login form until the session logs in. The session keeps the login
and its credential generation, not the role: every run reads the user again, so a role
changed or a user removed on the command line applies at the next click, and a changed
password, a removal or a role change (remove and add) ends the session. So does
:func:`~analytics.operations.users.idle_minutes` without a click.

A login survives a browser reload through a signed cookie
(:mod:`analytics.operations.remember`, SameSite=Strict, never a token in the URL) that
the server honours only while the login is alive: «Выйти» and an idle session end it on
the server, and every page run keeps it alive. Streamlit lets a script read cookies but
not send one with a response, so the page asks the dashboard's own route to set it
HTTP-only (:mod:`ui.cookie`); it holds no password and is worth nothing once its login
ends.
"""

from __future__ import annotations

import ipaddress
import json
import time
from collections.abc import Mapping
from urllib.parse import urlparse

import streamlit as st

from analytics.operations import remember
from analytics.operations.access import LOCAL_PRINCIPAL, Principal, principal_of
from analytics.operations.users import (
    ROLE_LABELS,
    LoginFailed,
    User,
    UserError,
    UserStore,
    idle_minutes,
    users_path,
)
from analytics.store.db import Database

from . import cookie
from .text import md

SESSION_KEY = "auth_login"
GENERATION_KEY = "auth_generation"
SEEN_KEY = "auth_seen"
ENDED_KEY = "auth_ended"
# The cookie of a remembered login, and what this run must tell the browser about it.
COOKIE = cookie.COOKIE
COOKIE_KEY = "auth_cookie"
# The session's remembered-login token, to keep its login alive and to end it.
TOKEN_KEY = "auth_token"
# The «Выйти» button: its click is handled before the page runs (see current_principal).
LOGOUT_KEY = "logout"
LOGGED_OUT = "Вы вышли из панели."
CHANGED = "Сеанс завершён: пароль или права пользователя изменились. Войдите снова."
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


def same_origin(headers: Mapping[str, str]) -> bool:
    """Whether the page that opened this session is the dashboard's own: its ``Origin``
    names the ``Host`` it connected to (a client that sends no ``Origin`` is no browser
    page of another site)."""
    origin = headers.get("Origin")
    if origin is None:
        return True
    return urlparse(origin).netloc == headers.get("Host")


def client_source() -> str:
    """The address the session connected from: the reverse proxy's ``X-Real-IP`` when
    the connection comes from this computer (see scripts/nginx.conf), else the peer."""
    address = st.context.ip_address
    if address is None:
        return st.context.headers.get("X-Real-IP", "") or "local"
    return address


def session_values(user: User, now: float | None = None) -> dict[str, object]:
    """What a session logged in as ``user`` keeps (also for tests to log a session in)."""
    return {
        SESSION_KEY: user.login,
        GENERATION_KEY: user.generation,
        SEEN_KEY: time.time() if now is None else now,
    }


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
        if not same_origin(st.context.headers):
            st.error(
                "Панель открыта со страницы другого сайта. Откройте её по адресу "
                "http://127.0.0.1:8501 в адресной строке браузера.",
                icon=":material/lock:",
            )
            st.stop()
        return LOCAL_PRINCIPAL
    if st.session_state.get(LOGOUT_KEY) and st.session_state.get(SESSION_KEY):
        _end(store, LOGGED_OUT)
    user = _logged_in(store) or _remembered(store)
    _send_cookie()
    if user is None:
        _login_form(store)
        st.stop()
    now = time.time()
    st.session_state[SEEN_KEY] = now
    remember.touch(store, st.session_state.get(TOKEN_KEY), now)
    return principal_of(db, user)


def _end(store: UserStore, reason: str) -> None:
    """End the session's login, on the server too (its cookie logs nobody in again), and
    tell the browser to forget the cookie; ``reason`` is shown above the login form."""
    remember.revoke(store, st.session_state.get(TOKEN_KEY))
    st.session_state.clear()
    st.session_state[ENDED_KEY] = reason
    st.session_state[COOKIE_KEY] = ""


def _remembered(store: UserStore) -> User | None:
    """The user of this browser's cookie, logged into this new session; None if there is
    no valid one (then the browser is told to forget it)."""
    if st.session_state.get(ENDED_KEY):
        return None  # logged out or ended here: the cookie is being removed
    token = st.context.cookies.get(COOKIE)
    if not token:
        return None
    user = remember.remembered(store, token, time.time())
    if user is None:
        st.session_state[COOKIE_KEY] = ""
        return None
    st.session_state.update(session_values(user))
    st.session_state[TOKEN_KEY] = token
    return user


def _send_cookie() -> None:
    """Have the server set (after a login) or remove (after a logout or an ended session)
    the HTTP-only cookie (ui/cookie.py)."""
    value = st.session_state.pop(COOKIE_KEY, None)
    if value is None:
        return
    # json.dumps quotes both as JavaScript strings; the token is base64 and hex.
    target = cookie.url(st.get_option("server.baseUrlPath") or "")
    st.html(
        f"<script>fetch({json.dumps(target)}, {{method: 'POST', body: {json.dumps(value)}, "
        "credentials: 'same-origin', headers: {'Content-Type': 'text/plain'}});</script>",
        unsafe_allow_javascript=True,
    )


def _logged_in(store: UserStore) -> User | None:
    """The session's user, if its login is still valid; otherwise the session is
    emptied, with the reason for the login form to show."""
    login = st.session_state.get(SESSION_KEY)
    if not login:
        return None
    user = store.get(login)
    ended = None
    if user is None or user.generation != st.session_state.get(GENERATION_KEY):
        ended = CHANGED
    elif time.time() - float(st.session_state.get(SEEN_KEY, 0)) > idle_minutes() * 60:
        ended = f"Сеанс завершён после {idle_minutes()} мин бездействия. Войдите снова."
    if ended is None:
        return user
    _end(store, ended)
    return None


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
    # The click ends the login at the start of the next run (current_principal).
    st.button("Выйти", icon=":material/logout:", key=LOGOUT_KEY)


def _login_form(store: UserStore) -> None:
    st.title("Вход")
    st.markdown("Панель мониторинга наставничества. Войдите под своим именем пользователя.")
    ended = st.session_state.get(ENDED_KEY)
    if ended:
        st.info(ended, icon=":material/logout:")
    with st.form("login"):
        login = st.text_input("Имя пользователя", key="login_name")
        password = st.text_input("Пароль", type="password", key="login_password")
        submitted = st.form_submit_button("Войти", type="primary")
    if not submitted:
        return
    try:
        user = store.authenticate(login, password, source=client_source())
    except LoginFailed as error:
        st.error(str(error), icon=":material/lock:")
        return
    st.session_state.pop(ENDED_KEY, None)
    st.session_state.update(session_values(user))
    token = remember.issue(store, user, time.time())
    st.session_state[TOKEN_KEY] = st.session_state[COOKIE_KEY] = token
    st.rerun()
