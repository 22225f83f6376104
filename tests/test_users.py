"""The users file and ``python -m analytics users``: bcrypt hashes, roles, lockout."""

from __future__ import annotations

import io
import json
import sys
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from analytics.cli import main
from analytics.users import (
    LOCK_MINUTES,
    MAX_FAILURES,
    LoginFailed,
    Role,
    UserError,
    UserStore,
    users_path,
)

PASSWORD = "пароль-для-теста"
NOON = datetime(2026, 11, 23, 12, 0)


@pytest.fixture
def store(tmp_path: Path) -> UserStore:
    return UserStore(tmp_path / "users.json")


def run(args: list[str], stdin: str = "", monkeypatch: pytest.MonkeyPatch | None = None):
    out = io.StringIO()
    if monkeypatch is not None:
        monkeypatch.setattr(sys, "stdin", io.StringIO(stdin))
    code = main(args, out)
    return code, out.getvalue()


def test_a_password_is_stored_only_as_a_bcrypt_hash(store: UserStore):
    store.add("анна", Role.ADMIN, PASSWORD)

    text = store.path.read_text(encoding="utf-8")
    assert PASSWORD not in text
    assert json.loads(text)["users"][0]["password_hash"].startswith("$2b$")


def test_the_right_password_logs_in(store: UserStore):
    store.add("анна", Role.ANALYST, PASSWORD)

    user = store.authenticate("анна", PASSWORD, NOON)

    assert (user.login, user.role) == ("анна", Role.ANALYST)


def test_a_wrong_password_and_an_unknown_login_get_the_same_message(store: UserStore):
    store.add("анна", Role.ADMIN, PASSWORD)

    with pytest.raises(LoginFailed) as unknown:
        store.authenticate("борис", PASSWORD, NOON)
    with pytest.raises(LoginFailed) as wrong:
        store.authenticate("анна", "не тот пароль", NOON)

    assert str(unknown.value) == "Неверное имя пользователя или пароль."
    assert str(wrong.value).startswith("Неверное имя пользователя или пароль.")
    assert str(wrong.value).endswith(f"до блокировки входа: {MAX_FAILURES - 1}.")


def test_the_fifth_wrong_password_locks_the_login_for_fifteen_minutes(store: UserStore):
    store.add("анна", Role.ADMIN, PASSWORD)
    for _ in range(MAX_FAILURES - 1):
        with pytest.raises(LoginFailed):
            store.authenticate("анна", "не тот", NOON)

    with pytest.raises(LoginFailed, match="заблокирован до 12:15"):
        store.authenticate("анна", "не тот", NOON)
    with pytest.raises(LoginFailed, match="заблокирован до 12:15"):
        store.authenticate("анна", PASSWORD, NOON + timedelta(minutes=LOCK_MINUTES - 1))
    assert store.authenticate("анна", PASSWORD, NOON + timedelta(minutes=LOCK_MINUTES)).login


def test_a_successful_login_resets_the_failure_count(store: UserStore):
    store.add("анна", Role.ADMIN, PASSWORD)
    for _ in range(MAX_FAILURES - 1):
        with pytest.raises(LoginFailed):
            store.authenticate("анна", "не тот", NOON)

    store.authenticate("анна", PASSWORD, NOON)

    assert store.get("анна").failures == 0


def test_changing_the_password_lifts_the_lock(store: UserStore):
    store.add("анна", Role.ADMIN, PASSWORD)
    for _ in range(MAX_FAILURES):
        with pytest.raises(LoginFailed):
            store.authenticate("анна", "не тот", NOON)

    store.set_password("анна", "новый-пароль-1")

    assert store.authenticate("анна", "новый-пароль-1", NOON).login == "анна"


def test_a_curator_needs_an_organisation(store: UserStore):
    with pytest.raises(UserError, match="для куратора укажите хотя бы одну организацию"):
        store.add("куратор", Role.CURATOR, PASSWORD)


def test_a_short_password_is_refused(store: UserStore):
    with pytest.raises(UserError, match="пароль слишком короткий: нужно не меньше 8"):
        store.add("анна", Role.ADMIN, "1234567")


def test_the_users_file_lies_beside_the_database_unless_the_environment_names_another(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    monkeypatch.delenv("MONITORING_USERS", raising=False)
    assert users_path(tmp_path / "monitoring.duckdb") == tmp_path / "users.json"
    monkeypatch.setenv("MONITORING_USERS", str(tmp_path / "other.json"))
    assert users_path(tmp_path / "monitoring.duckdb") == tmp_path / "other.json"


# --- command line -------------------------------------------------------------------


def test_users_add_reads_the_password_from_stdin_and_list_shows_the_role(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    monkeypatch.delenv("MONITORING_USERS", raising=False)
    db = str(tmp_path / "monitoring.duckdb")
    code, out = run(
        ["--db", db, "users", "add", "анна", "--role", "analyst", "--password-stdin"],
        PASSWORD + "\n",
        monkeypatch,
    )
    assert (code, out) == (0, "Пользователь «анна» добавлен (аналитик).\n")

    assert run(["--db", db, "users", "list"]) == (0, "анна\tаналитик\n")
    assert UserStore(tmp_path / "users.json").authenticate("анна", PASSWORD).login == "анна"


def test_users_add_refuses_a_curators_organisation_unknown_to_the_database(
    samples_db, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
):
    monkeypatch.delenv("MONITORING_USERS", raising=False)
    path = str(samples_db.path)
    samples_db.close()

    code, _ = run(
        ["--db", path, "users", "add", "куратор", "--role", "curator", "--org", "0000000000"],
        PASSWORD + "\n",
        monkeypatch,
    )

    assert code == 1
    assert "организации не найдены в базе: «0000000000»" in capsys.readouterr().err


def test_users_remove_and_passwd(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.delenv("MONITORING_USERS", raising=False)
    db = str(tmp_path / "monitoring.duckdb")
    run(
        ["--db", db, "users", "add", "анна", "--role", "admin", "--password-stdin"],
        PASSWORD,
        monkeypatch,
    )

    assert run(
        ["--db", db, "users", "passwd", "анна", "--password-stdin"], "другой-пароль", monkeypatch
    ) == (0, "Пароль пользователя «анна» изменён.\n")
    assert UserStore(tmp_path / "users.json").authenticate("анна", "другой-пароль").login
    assert run(["--db", db, "users", "remove", "анна"]) == (0, "Пользователь «анна» удалён.\n")
    assert run(["--db", db, "users", "list"])[1].startswith("Пользователей нет")
