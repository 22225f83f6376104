"""A login that survives a browser reload: a signed token in a cookie, alive on the
server only while its login is.

The token names the login, its credential generation, when it expires at the latest and a
random nonce, signed with HMAC-SHA256 under a secret kept beside the users file (readable
by the service only). The server keeps every live login's nonce (hashed) and when it was
last used in ``logins.json`` beside the users file, so a token is honoured only while

- its login is recorded: «Выйти» and a session ended for idleness delete the record, so a
  copy of the cookie taken before is dead;
- the login was used within the idle timeout (``MONITORING_IDLE_MINUTES``): every page run
  of a session moves the time forward (sliding), so an unattended browser reloaded after
  the idle time asks for the password again;
- at most :data:`REMEMBER_HOURS` have passed since the password was typed;
- the user exists with the same generation: a changed password, a removal or a role
  change ends every remembered login at once.

Nothing in it is a password, and it never travels in a URL.
"""

from __future__ import annotations

import base64
import fcntl
import hashlib
import hmac
import json
import os
import secrets
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from analytics.operations.users import User, UserStore, idle_minutes

# The longest a browser stays logged in without a new password, however active: one
# working day.
REMEMBER_HOURS = 12
SECRET_NAME = "session.key"
LOGINS_NAME = "logins.json"
# A login's last use is written at most this often (and at most every twentieth of the
# idle timeout), not at every click of every session.
TOUCH_SECONDS = 30.0


def secret_for(users_file: Path) -> bytes:
    """The signing secret beside ``users_file``, made on first use (0600)."""
    path = users_file.with_name(SECRET_NAME)
    try:
        return path.read_bytes()
    except FileNotFoundError:
        pass
    path.parent.mkdir(parents=True, exist_ok=True)
    key = secrets.token_bytes(32)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return path.read_bytes()  # another process made it first
    with os.fdopen(fd, "wb") as handle:
        handle.write(key)
    return key


def _sign(secret: bytes, payload: bytes) -> str:
    return hmac.new(secret, payload, hashlib.sha256).hexdigest()


def issue(store: UserStore, user: User, now: float) -> str:
    """A token for ``user``, who has just typed their password at ``now`` (seconds since
    the epoch); its login is recorded as used at ``now``."""
    nonce = secrets.token_hex(16)
    expires = int(now + REMEMBER_HOURS * 3600)
    payload = f"{user.login}\n{user.generation}\n{expires}\n{nonce}".encode()
    with _logins(store, now) as logins:
        logins[_key(nonce)] = {"login": user.login, "seen": now}
    token = base64.urlsafe_b64encode(payload).decode("ascii")
    return f"{token}.{_sign(secret_for(store.path), payload)}"


def remembered(store: UserStore, token: str | None, now: float) -> User | None:
    """The user a token logs in at ``now``, or None for a token forged, expired, logged
    out, idle too long or outlived by its credentials. A token honoured counts as a use."""
    nonce = _nonce(store, token, now)
    if nonce is None:
        return None
    login, generation = _parts(token)[:2]
    user = store.get(login)
    if user is None or not hmac.compare_digest(user.generation, generation):
        return None
    record = _read(store).get(_key(nonce))
    if record is None or record["login"] != login or now - record["seen"] > _idle_seconds():
        return None
    touch(store, token, now)
    return user


def touch(store: UserStore, token: str | None, now: float) -> None:
    """Record a use of the token's login at ``now`` (a session's page run), so that it
    stays alive while its session is used."""
    nonce = _nonce(store, token, now)
    if nonce is None:
        return
    key = _key(nonce)
    record = _read(store).get(key)
    if record is None or now - record["seen"] < min(TOUCH_SECONDS, _idle_seconds() / 20):
        return
    with _logins(store, now) as logins:
        if key in logins:
            logins[key]["seen"] = now


def revoke(store: UserStore, token: str | None) -> None:
    """End the token's login: no copy of it logs anyone in again."""
    if not token or "." not in token:
        return
    try:
        nonce = _parts(token)[3]
    except (ValueError, UnicodeError, IndexError):
        return
    with _logins(store, None) as logins:
        logins.pop(_key(nonce), None)


def _parts(token: str) -> list[str]:
    encoded = token.rsplit(".", 1)[0]
    return base64.urlsafe_b64decode(encoded.encode("ascii")).decode("utf-8").split("\n")


def _nonce(store: UserStore, token: str | None, now: float) -> str | None:
    """The nonce of a token signed here and not past its expiry, else None."""
    if not token or "." not in token:
        return None
    encoded, signature = token.rsplit(".", 1)
    try:
        payload = base64.urlsafe_b64decode(encoded.encode("ascii"))
        _login, _generation, expires, nonce = payload.decode("utf-8").split("\n")
        expiry = int(expires)
    except (ValueError, UnicodeError):
        return None
    if not hmac.compare_digest(_sign(secret_for(store.path), payload), signature):
        return None
    return nonce if expiry >= now else None


def _key(nonce: str) -> str:
    """What the logins file keeps of a nonce: its hash, so the file holds no token."""
    return hashlib.sha256(nonce.encode("ascii")).hexdigest()


def _idle_seconds() -> float:
    return idle_minutes() * 60.0


def _path(store: UserStore) -> Path:
    return store.path.with_name(LOGINS_NAME)


def _read(store: UserStore) -> dict[str, dict]:
    try:
        return json.loads(_path(store).read_text(encoding="utf-8"))
    except FileNotFoundError:
        return {}
    except (OSError, ValueError):
        return {}  # a damaged file remembers no login: everyone types their password


@contextmanager
def _logins(store: UserStore, now: float | None) -> Iterator[dict[str, dict]]:
    """The recorded logins, to change in place under an exclusive lock; written back
    atomically (0600), without those unused for :data:`REMEMBER_HOURS` before ``now``."""
    path = _path(store)
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path.with_name(path.name + ".lock"), "a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        logins = _read(store)
        yield logins
        if now is not None:
            logins = {k: v for k, v in logins.items() if now - v["seen"] <= REMEMBER_HOURS * 3600}
        fd, temp = tempfile.mkstemp(dir=path.parent, prefix=".logins-", suffix=".json")
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as out:
                json.dump(logins, out)
            os.replace(temp, path)
        except BaseException:
            Path(temp).unlink(missing_ok=True)
            raise
