"""A remembered login: a signed, expiring token that dies with the credentials it was
issued for."""

from __future__ import annotations

import base64
import stat

import pytest

from analytics.operations import remember
from analytics.operations.users import Role, UserStore

NOW = 1_800_000_000.0


@pytest.fixture
def store(tmp_path):
    users = UserStore(tmp_path / "users.json")
    users.add("ivanova", Role.ADMIN, "пароль-администратора")
    return users


def secret(store: UserStore) -> bytes:
    return remember.secret_for(store.path)


def test_a_token_logs_its_user_in_until_it_expires(store):
    token = remember.issue(store.get("ivanova"), secret(store), NOW)

    assert remember.remembered(store, token, secret(store), NOW + 11 * 3600).login == "ivanova"
    assert remember.remembered(store, token, secret(store), NOW + 13 * 3600) is None


def test_a_token_with_another_login_written_in_it_is_refused(store):
    store.add("petrov", Role.VIEWER, "пароль-наблюдателя")
    token = remember.issue(store.get("petrov"), secret(store), NOW)
    signature = token.rsplit(".", 1)[1]
    forged_payload = f"ivanova\n{store.get('ivanova').generation}\n{int(NOW) + 3600}".encode()
    forged = base64.urlsafe_b64encode(forged_payload).decode() + "." + signature

    assert remember.remembered(store, forged, secret(store), NOW) is None


def test_a_changed_password_ends_every_remembered_login(store):
    token = remember.issue(store.get("ivanova"), secret(store), NOW)

    store.set_password("ivanova", "новый-пароль-администратора")

    assert remember.remembered(store, token, secret(store), NOW) is None


def test_a_removed_user_is_not_remembered(store):
    token = remember.issue(store.get("ivanova"), secret(store), NOW)

    store.remove("ivanova")

    assert remember.remembered(store, token, secret(store), NOW) is None


@pytest.mark.parametrize("token", [None, "", "без-точки", "%%%.abc", "aXZhbm92YQ.00"])
def test_a_malformed_token_is_no_login(store, token):
    assert remember.remembered(store, token, secret(store), NOW) is None


def test_the_signing_secret_is_made_once_and_only_its_owner_reads_it(store):
    first, again = secret(store), secret(store)

    path = store.path.with_name(remember.SECRET_NAME)
    assert first == again
    assert len(first) == 32
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
