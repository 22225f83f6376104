"""Attacks on a running dashboard over its own websocket and upload endpoint, as a script
on this computer would make them (issue 24, item 8): a page of another local site
opening a session in single-user local mode, a file sent to Streamlit's upload endpoint
by a session that never logged in, and password guesses each with a new forged
``X-Forwarded-For``."""

from __future__ import annotations

import asyncio
import re
import time
import urllib.error
import urllib.request
import uuid
from pathlib import Path

import pytest
import websockets
from google.protobuf import text_format
from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
from streamlit.proto.WidgetStates_pb2 import WidgetState

from analytics.ingest.load import ingest_bytes
from analytics.ingest.parse import Defaults
from analytics.operations.users import Role, UserStore
from analytics.store.db import Database
from tests.browser.harness import serve
from tests.filemakers import csv_bytes, org, table

DEFAULTS = Defaults(
    region="Удмуртская Республика", municipality="г. Глазов", org_type="school", period="2023"
)
SCHOOLS = ("МБОУ «СОШ № 1»", "МБОУ «Гимназия № 2»")
PASSWORD = "пароль-для-теста"
TOO_MANY = "Слишком много неудачных попыток входа"
REFUSED = "Неверное имя пользователя или пароль"


@pytest.fixture
def database(tmp_path: Path) -> Path:
    path = tmp_path / "monitoring.duckdb"
    with Database(path) as db:
        ingest_bytes(
            db, "формы.csv", csv_bytes(table([org(n) for n in SCHOOLS])), defaults=DEFAULTS
        )
    return path


async def _first_run(
    base: str,
    origin: str | None,
    headers: dict[str, str] | None = None,
    login: bool = False,
    resume: str | None = None,
) -> tuple[str, str]:
    """Open a websocket session (with ``origin`` as a page of that site would send it,
    and ``headers``; resuming the session ``resume`` as a reconnecting browser asks),
    run the main page once and, where ``login``, submit its login form as «admin» with
    the password in ``headers["password"]``; the session's id and everything the server
    sent, as text."""
    headers = dict(headers or {})
    password = headers.pop("password", "")
    if origin:
        headers["Origin"] = origin
    url = base.replace("http://", "ws://") + "_stcore/stream"
    # Streamlit reads its subprotocol list as (protocol, XSRF token, session to resume).
    protocols = ["streamlit", "xsrf", resume] if resume else ["streamlit"]
    async with websockets.connect(
        url,
        additional_headers=headers,
        subprotocols=protocols,  # type: ignore[arg-type]
    ) as socket:
        session, texts, messages = "", [], []

        async def run(widgets: list[WidgetState]) -> None:
            rerun = BackMsg()
            rerun.rerun_script.query_string = ""
            rerun.rerun_script.page_script_hash = ""
            rerun.rerun_script.widget_states.widgets.extend(widgets)
            await socket.send(rerun.SerializeToString())
            deadline = time.monotonic() + 60
            while time.monotonic() < deadline:
                try:
                    raw = await asyncio.wait_for(socket.recv(), 10)
                except TimeoutError:
                    break
                message = ForwardMsg()
                message.ParseFromString(raw)
                if message.WhichOneof("type") == "script_finished":
                    if message.script_finished == ForwardMsg.FINISHED_EARLY_FOR_RERUN:
                        continue  # st.rerun(): the run that follows is the answer
                    break
                messages.append(message)
                texts.append(text_format.MessageToString(message, as_utf8=True))

        await run([])
        for message in messages:
            if message.WhichOneof("type") == "new_session":
                session = message.new_session.initialize.session_id
        if login:
            elements = [m.delta.new_element for m in messages if m.WhichOneof("type") == "delta"]
            inputs = {
                e.text_input.label: e.text_input.id for e in elements if e.HasField("text_input")
            }
            submit = next(
                e.button.id for e in elements if e.HasField("button") and e.button.is_form_submitter
            )
            texts.clear()
            await run(
                [
                    WidgetState(id=inputs["Имя пользователя"], string_value="admin"),
                    WidgetState(id=inputs["Пароль"], string_value=password),
                    WidgetState(id=submit, trigger_value=True),
                ]
            )
        return session, "\n".join(texts)


def first_run(base: str, origin: str | None = None) -> tuple[str, str]:
    return asyncio.run(_first_run(base, origin))


def test_a_session_opened_by_another_local_sites_page_is_refused_and_gets_no_data(
    database: Path, tmp_path: Path
):
    with serve(database, MONITORING_USERS=str(tmp_path / "users.json")) as base:
        port = base.split(":")[2].strip("/")
        _, foreign = first_run(base, "http://localhost:3000")
        _, own = first_run(base, f"http://127.0.0.1:{port}")

    assert "Панель открыта со страницы другого сайта" in foreign
    assert [name for name in SCHOOLS if name in foreign] == []
    assert "Панель открыта со страницы другого сайта" not in own
    assert "Обзор" in own


def stored(db: Database) -> list[object]:
    """The forms, their teachers and the uploads the database holds."""
    return (
        db.query(
            "SELECT count(*), sum(teachers_total), (SELECT count(*) FROM uploads) FROM form_values"
        )
        .iloc[0]
        .tolist()
    )


def put_file(base: str, session: str, content: bytes) -> int:
    """Streamlit's upload request for ``session``, with a valid XSRF pair."""
    token = uuid.uuid4().hex
    boundary = uuid.uuid4().hex
    body = (
        (
            f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="формы.csv"\r\n'
            "Content-Type: text/csv\r\n\r\n"
        ).encode()
        + content
        + f"\r\n--{boundary}--\r\n".encode()
    )
    request = urllib.request.Request(
        f"{base}_stcore/upload_file/{session}/{uuid.uuid4().hex}",
        data=body,
        method="PUT",
        headers={
            "Content-Type": f"multipart/form-data; boundary={boundary}",
            "Cookie": f"_streamlit_xsrf={token}",
            "X-Xsrftoken": token,
        },
    )
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


def test_a_file_sent_before_login_changes_no_data_and_the_session_still_asks_to_log_in(
    database: Path, tmp_path: Path
):
    users = UserStore(tmp_path / "users.json")
    users.add("admin", Role.ADMIN, "пароль-для-теста")
    hostile = csv_bytes(table([org("МБОУ «СОШ № 1»", teachers_total=1), org("Чужая школа")]))
    with Database(database, read_only=True) as db:
        before = stored(db)

    with serve(database, MONITORING_USERS=str(users.path)) as base:
        session, login_page = first_run(base)
        to_a_stranger = put_file(base, uuid.uuid4().hex, hostile)
        put_file(base, session, hostile)
        _, after_upload = first_run(base)

    with Database(database, read_only=True) as db:
        after = stored(db)
        names = set(db.query("SELECT name FROM organizations")["name"])
    assert "Вход" in login_page and "Вход" in after_upload
    assert [name for name in SCHOOLS if name in login_page + after_upload] == []
    assert to_a_stranger >= 400
    assert after == before
    assert names == set(SCHOOLS)


def try_password(base: str, password: str, forged: str) -> str:
    """What the server answers a login as «admin» from a connection that forges its
    address in ``X-Forwarded-For``."""
    headers = {"X-Forwarded-For": forged, "X-Real-IP": forged, "password": password}
    _, answer = asyncio.run(_first_run(base, None, headers, login=True))
    return answer


def test_guesses_each_from_a_new_forged_address_still_wait_on_the_login(
    database: Path, tmp_path: Path
):
    """The per-login backoff does not trust the address: wrong passwords, each sent with
    another forged ``X-Forwarded-For`` as soon as the server lets one through, until it
    makes the login wait ten seconds or more; then the right password, from yet another
    address, is refused with the wait too."""
    users = UserStore(tmp_path / "users.json")
    users.add("admin", Role.ADMIN, PASSWORD)

    with serve(database, MONITORING_USERS=str(users.path)) as base:
        guesses: list[str] = []
        while len(guesses) < 40 and waited(guesses[-1] if guesses else "") < 10:
            time.sleep(waited(guesses[-1] if guesses else ""))  # a patient guesser
            guesses.append(try_password(base, "не тот", f"10.0.{len(guesses)}.1"))
        right = try_password(base, PASSWORD, "10.0.99.1")

    assert REFUSED in guesses[0]
    assert waited(guesses[-1]) >= 10
    assert TOO_MANY in right
    assert [name for name in SCHOOLS if name in right] == []


def waited(answer: str) -> int:
    """The seconds ``answer`` makes the login wait (0: none)."""
    found = re.search(TOO_MANY + r"\. Повторите попытку через (\d+)", answer)
    return int(found.group(1)) if found else 0


def test_a_logged_in_session_can_be_resumed_by_its_id_for_fifteen_seconds_only(
    database: Path, tmp_path: Path
):
    """Whoever has a closed tab's session id gets its login back within Streamlit's
    reconnect window (``server.disconnectedSessionTTL``, 15 s) and not after it."""
    users = UserStore(tmp_path / "users.json")
    users.add("admin", Role.ADMIN, PASSWORD)

    with serve(database, MONITORING_USERS=str(users.path)) as base:
        headers = {"password": PASSWORD}
        session, logged_in = asyncio.run(_first_run(base, None, headers, login=True))
        _, soon = asyncio.run(_first_run(base, None, resume=session))
        time.sleep(20)
        _, late = asyncio.run(_first_run(base, None, resume=session))

    assert "Выйти" in logged_in
    assert "Выйти" in soon and "Войдите под своим именем" not in soon
    assert "Войдите под своим именем" in late and "Выйти" not in late
