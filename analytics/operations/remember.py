"""A login that survives a browser reload: a signed, expiring token kept in a cookie.

The token names the login, its credential generation and when it expires, signed with
HMAC-SHA256 under a secret kept beside the users file (readable by the service only). A
token is honoured only while the user exists with the same generation, so a changed
password, a removal or a role change ends every remembered login at once; nothing in it
is a password, and it never travels in a URL.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import secrets
from pathlib import Path

from analytics.operations.users import User, UserStore

# How long a browser stays logged in without a new password: one working day.
REMEMBER_HOURS = 12
SECRET_NAME = "session.key"


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


def issue(user: User, secret: bytes, now: float, hours: float = REMEMBER_HOURS) -> str:
    """A token for ``user`` valid for ``hours`` from ``now`` (seconds since the epoch)."""
    payload = f"{user.login}\n{user.generation}\n{int(now + hours * 3600)}".encode()
    return f"{base64.urlsafe_b64encode(payload).decode('ascii')}.{_sign(secret, payload)}"


def remembered(store: UserStore, token: str | None, secret: bytes, now: float) -> User | None:
    """The user a token logs in, or None for a token forged, expired or outlived by its
    credentials."""
    if not token or "." not in token:
        return None
    encoded, signature = token.rsplit(".", 1)
    try:
        payload = base64.urlsafe_b64decode(encoded.encode("ascii"))
        login, generation, expires = payload.decode("utf-8").split("\n")
        expiry = int(expires)
    except (ValueError, UnicodeError):
        return None
    if not hmac.compare_digest(_sign(secret, payload), signature) or expiry < now:
        return None
    user = store.get(login)
    if user is None or not hmac.compare_digest(user.generation, generation):
        return None
    return user
