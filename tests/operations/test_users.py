"""The users file and ``python -m analytics users``: bcrypt hashes, roles, credential
generations, and a login backoff that reveals no account and locks nobody out."""

from __future__ import annotations

import io
import json
import sys
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from analytics.cli.main import main
from analytics.operations.users import (
    QUIET,
    REFUSED,
    LoginFailed,
    Role,
    Throttle,
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


def refusals(store: UserStore, login: str, attempts: int, source: str = "10.0.0.9") -> list[str]:
    """The messages of ``attempts`` wrong passwords for ``login``, one second apart, on a
    throttle of their own."""
    throttle, messages = Throttle(), []
    for n in range(attempts):
        with pytest.raises(LoginFailed) as refused:
            store.authenticate(
                login, "не тот пароль", NOON + timedelta(seconds=n), source, throttle
            )
        messages.append(str(refused.value))
    return messages


def test_a_wrong_password_and_an_unknown_login_get_the_same_messages(store: UserStore):
    store.add("анна", Role.ADMIN, PASSWORD)

    known, unknown = refusals(store, "анна", 8), refusals(store, "борис", 8)

    assert known == unknown
    assert known[:5] == [REFUSED] * 5


def test_no_message_counts_the_attempts_left(store: UserStore):
    store.add("анна", Role.ADMIN, PASSWORD)

    messages = refusals(store, "анна", 4)

    assert messages == [REFUSED] * 4


def test_after_three_failures_the_next_attempt_waits_a_second_then_two(store: UserStore):
    store.add("анна", Role.ADMIN, PASSWORD)
    throttle = Throttle()
    for _ in range(4):
        with pytest.raises(LoginFailed):
            store.authenticate("анна", "не тот", NOON, "10.0.0.9", throttle)

    assert throttle.wait("анна", "10.0.0.9", NOON) == 1.0
    with pytest.raises(LoginFailed) as early:
        store.authenticate("анна", PASSWORD, NOON, "10.0.0.9", throttle)
    assert str(early.value) == (
        "Слишком много неудачных попыток входа. Повторите попытку через 1\u00a0секунду."
    )
    later = NOON + timedelta(seconds=1)
    with pytest.raises(LoginFailed, match="Неверное"):
        store.authenticate("анна", "не тот", later, "10.0.0.9", throttle)
    assert throttle.wait("анна", "10.0.0.9", later) == 2.0


def guess(store: UserStore, throttle: Throttle, tries: list[tuple[str, str]]) -> datetime:
    """A guesser's wrong passwords (login, source), each as soon as the throttle lets it
    through; returns the time after the last one."""
    now = NOON
    for login, source in tries:
        now += timedelta(seconds=throttle.wait(login, source, now))
        with pytest.raises(LoginFailed, match="Неверное"):
            store.authenticate(login, "не тот", now, source, throttle)
    return now


def test_a_stranger_failing_on_the_administrators_login_does_not_lock_them_out(
    store: UserStore,
):
    store.add("анна", Role.ADMIN, PASSWORD)
    throttle = Throttle()
    now = guess(store, throttle, [("анна", f"10.0.{n}.1") for n in range(20)])

    assert throttle.wait("анна", "192.168.1.5", now) == 30.0
    later = now + timedelta(seconds=30)
    assert store.authenticate("анна", PASSWORD, later, "192.168.1.5", throttle).login == "анна"


def test_failures_are_forgotten_after_a_quiet_spell(store: UserStore):
    store.add("анна", Role.ADMIN, PASSWORD)
    throttle = Throttle()
    for _ in range(20):
        with pytest.raises(LoginFailed):
            store.authenticate("анна", "не тот", NOON, "10.0.0.9", throttle)

    quiet = NOON + QUIET + timedelta(seconds=1)
    assert throttle.wait("анна", "10.0.0.9", quiet) == 0.0
    assert store.authenticate("анна", PASSWORD, quiet, "10.0.0.9", throttle).login == "анна"


def test_one_source_trying_many_logins_is_slowed_down(store: UserStore):
    throttle = Throttle()
    now = guess(store, throttle, [(f"логин{n}", "10.0.0.9") for n in range(12)])

    assert throttle.wait("ещё-логин", "10.0.0.9", now) == 2.0
    assert throttle.wait("ещё-логин", "10.0.0.10", now) == 0.0


def test_changing_the_password_draws_a_new_generation(store: UserStore):
    first = store.add("анна", Role.ADMIN, PASSWORD).generation

    store.set_password("анна", "новый-пароль-1")

    assert len(first) == 32
    assert store.get("анна").generation not in ("", first)


def test_a_user_removed_and_added_again_has_a_new_generation(store: UserStore):
    first = store.add("анна", Role.VIEWER, PASSWORD).generation
    store.remove("анна")

    again = store.add("анна", Role.ADMIN, PASSWORD).generation

    assert again != first


def test_a_users_file_of_an_earlier_release_is_read_without_its_lock_fields(store: UserStore):
    store.add("анна", Role.ADMIN, PASSWORD)
    raw = json.loads(store.path.read_text(encoding="utf-8"))
    raw["users"][0] |= {"failures": 4, "locked_until": "2026-11-23T12:15:00"}
    store.path.write_text(json.dumps(raw), encoding="utf-8")

    assert store.authenticate("анна", PASSWORD, NOON, throttle=Throttle()).login == "анна"


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
