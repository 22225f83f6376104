"""A remembered login: a signed token that logs in only while its login is alive on the
server — not after «Выйти», not after the idle timeout without a use, not past a working
day, not after the credentials it was issued for changed."""

from __future__ import annotations

import base64
import json
import stat

import pytest

from analytics.operations import remember
from analytics.operations.users import Role, UserStore

NOW = 1_800_000_000.0
MINUTE = 60.0


@pytest.fixture
def store(tmp_path, monkeypatch):
    monkeypatch.setenv("MONITORING_IDLE_MINUTES", "30")
    users = UserStore(tmp_path / "users.json")
    users.add("ivanova", Role.ADMIN, "пароль-администратора")
    return users


def login(store: UserStore, at: float = NOW) -> str:
    return remember.issue(store, store.get("ivanova"), at)


def test_a_token_logs_its_user_in_within_the_idle_timeout(store):
    token = login(store)

    assert remember.remembered(store, token, NOW + 29 * MINUTE).login == "ivanova"


def test_a_copy_of_the_token_taken_before_logout_logs_nobody_in(store):
    token = login(store)
    copy = str(token)

    remember.revoke(store, token)

    assert remember.remembered(store, copy, NOW + MINUTE) is None


def test_a_logout_ends_only_that_login_not_the_users_other_browsers(store):
    this_browser, other_browser = login(store), login(store)

    remember.revoke(store, this_browser)

    assert remember.remembered(store, other_browser, NOW + MINUTE).login == "ivanova"


def test_a_token_unused_for_longer_than_the_idle_timeout_is_refused(store, monkeypatch):
    monkeypatch.setenv("MONITORING_IDLE_MINUTES", "1")
    token = login(store)

    assert remember.remembered(store, token, NOW + 75) is None


def test_each_use_moves_the_idle_timeout_forward(store):
    token = login(store)

    remember.touch(store, token, NOW + 25 * MINUTE)
    remember.touch(store, token, NOW + 50 * MINUTE)

    assert remember.remembered(store, token, NOW + 79 * MINUTE).login == "ivanova"
    assert remember.remembered(store, token, NOW + 110 * MINUTE) is None


def test_an_honoured_token_counts_as_a_use(store):
    token = login(store)

    assert remember.remembered(store, token, NOW + 25 * MINUTE) is not None

    assert remember.remembered(store, token, NOW + 50 * MINUTE).login == "ivanova"


def test_even_a_login_in_constant_use_ends_after_a_working_day(store):
    token = login(store)
    at = NOW
    while at < NOW + remember.REMEMBER_HOURS * 3600:
        at += 20 * MINUTE
        remember.touch(store, token, at)

    assert remember.remembered(store, token, NOW + remember.REMEMBER_HOURS * 3600 + 1) is None


def test_a_token_with_another_login_written_in_it_is_refused(store):
    store.add("petrov", Role.VIEWER, "пароль-наблюдателя")
    token = remember.issue(store, store.get("petrov"), NOW)
    nonce = base64.urlsafe_b64decode(token.rsplit(".", 1)[0]).decode().split("\n")[3]
    signature = token.rsplit(".", 1)[1]
    generation = store.get("ivanova").generation
    forged_payload = f"ivanova\n{generation}\n{int(NOW) + 3600}\n{nonce}".encode()
    forged = base64.urlsafe_b64encode(forged_payload).decode() + "." + signature

    assert remember.remembered(store, forged, NOW) is None


def test_a_changed_password_ends_every_remembered_login(store):
    token = login(store)

    store.set_password("ivanova", "новый-пароль-администратора")

    assert remember.remembered(store, token, NOW) is None


def test_a_removed_user_is_not_remembered(store):
    token = login(store)

    store.remove("ivanova")

    assert remember.remembered(store, token, NOW) is None


@pytest.mark.parametrize("token", [None, "", "без-точки", "%%%.abc", "aXZhbm92YQ.00"])
def test_a_malformed_token_is_no_login(store, token):
    remember.revoke(store, token)

    assert remember.remembered(store, token, NOW) is None


def test_the_server_keeps_no_token_only_hashes_readable_by_its_owner(store):
    token = login(store)

    path = store.path.with_name(remember.LOGINS_NAME)
    nonce = base64.urlsafe_b64decode(token.rsplit(".", 1)[0]).decode().split("\n")[3]
    assert nonce not in path.read_text()
    assert [v["login"] for v in json.loads(path.read_text()).values()] == ["ivanova"]
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_the_signing_secret_is_made_once_and_only_its_owner_reads_it(store):
    first, again = remember.secret_for(store.path), remember.secret_for(store.path)

    path = store.path.with_name(remember.SECRET_NAME)
    assert first == again
    assert len(first) == 32
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
