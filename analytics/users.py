"""The dashboard's users: a JSON file of logins, roles and bcrypt password hashes.

The file lives next to the database (``users.json``) unless ``MONITORING_USERS`` names
another; with no users in it the dashboard runs in single-user local mode. Every change is
written to a temporary file and moved into place under an exclusive lock, so the command
line and a running dashboard can both use the file. Failed logins are counted in the same
file: after :data:`MAX_FAILURES` in a row a login is locked for :data:`LOCK_MINUTES`.
"""

from __future__ import annotations

import fcntl
import json
import os
import re
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, replace
from datetime import datetime, timedelta
from enum import StrEnum
from pathlib import Path

import bcrypt

from . import formatting

MAX_FAILURES = 5
LOCK_MINUTES = 15
MIN_PASSWORD_LENGTH = 8
USERS_ENV = "MONITORING_USERS"

_LOGIN = re.compile(r"^[A-Za-z0-9А-Яа-яЁё._@-]{2,64}$")


class Role(StrEnum):
    ADMIN = "admin"
    ANALYST = "analyst"
    VIEWER = "viewer"
    CURATOR = "curator"


ROLE_LABELS: dict[Role, str] = {
    Role.ADMIN: "администратор",
    Role.ANALYST: "аналитик",
    Role.VIEWER: "наблюдатель",
    Role.CURATOR: "куратор",
}


class UserError(ValueError):
    """A user that cannot be added or changed; the message is in Russian."""


class LoginFailed(Exception):
    """A login refused; the message is in Russian and does not say whether the login exists."""


@dataclass(frozen=True)
class User:
    """A user as stored. ``orgs`` are the organisations of a curator as typed when the
    user was added: an ИНН or an organisation code, resolved against the database at login."""

    login: str
    role: Role
    password_hash: str
    orgs: tuple[str, ...] = ()
    failures: int = 0
    locked_until: str | None = None

    def locked_at(self, now: datetime) -> datetime | None:
        """When the lock ends, if the user is locked at ``now``."""
        if self.locked_until is None:
            return None
        until = datetime.fromisoformat(self.locked_until)
        return until if until > now else None


def users_path(db_path: str | Path) -> Path:
    """The users file of a database: ``MONITORING_USERS`` or ``users.json`` beside it."""
    override = os.environ.get(USERS_ENV)
    return Path(override) if override else Path(db_path).parent / "users.json"


def hash_password(password: str) -> str:
    return bcrypt.hashpw(password.encode("utf-8"), bcrypt.gensalt()).decode("ascii")


class UserStore:
    """The users file. Reads see the file as last written; writes are atomic."""

    def __init__(self, path: str | Path):
        self.path = Path(path)

    def users(self) -> list[User]:
        """Every user, sorted by login; an absent file means no users."""
        return sorted(self._read().values(), key=lambda u: u.login)

    def get(self, login: str) -> User | None:
        return self._read().get(login)

    def has_users(self) -> bool:
        return bool(self._read())

    def add(self, login: str, role: Role, password: str, orgs: tuple[str, ...] = ()) -> User:
        """Add a user. A curator needs at least one organisation; others take none."""
        check_new_user(login, role, orgs)
        _check_password(password)
        user = User(login, role, hash_password(password), tuple(dict.fromkeys(orgs)))
        with self._changing() as users:
            if login in users:
                raise UserError(f"пользователь «{login}» уже есть")
            users[login] = user
        return user

    def remove(self, login: str) -> None:
        with self._changing() as users:
            if users.pop(login, None) is None:
                raise UserError(f"пользователя «{login}» нет")

    def set_password(self, login: str, password: str) -> None:
        """Change a password; this also lifts a lock."""
        _check_password(password)
        with self._changing() as users:
            user = users.get(login)
            if user is None:
                raise UserError(f"пользователя «{login}» нет")
            users[login] = replace(
                user, password_hash=hash_password(password), failures=0, locked_until=None
            )

    def authenticate(self, login: str, password: str, now: datetime | None = None) -> User:
        """The user whose login and password these are, or :class:`LoginFailed`.

        A wrong password counts a failure; the :data:`MAX_FAILURES`-th locks the login
        for :data:`LOCK_MINUTES`, during which even the right password is refused.
        """
        now = now or datetime.now()
        refused = LoginFailed("Неверное имя пользователя или пароль.")
        with self._changing() as users:
            user = users.get(login.strip())
            if user is None:
                # Same work as a real check, so timing does not tell which logins exist.
                bcrypt.checkpw(password.encode("utf-8"), _DUMMY_HASH)
                raise refused
            until = user.locked_at(now)
            if until is not None:
                raise LoginFailed(_locked_message(until))
            if bcrypt.checkpw(password.encode("utf-8"), user.password_hash.encode("ascii")):
                users[user.login] = replace(user, failures=0, locked_until=None)
                return users[user.login]
            failures = user.failures + 1
            if failures >= MAX_FAILURES:
                until = now + timedelta(minutes=LOCK_MINUTES)
                users[user.login] = replace(user, failures=0, locked_until=until.isoformat())
                raise LoginFailed(_locked_message(until))
            users[user.login] = replace(user, failures=failures)
            left = MAX_FAILURES - failures
            raise LoginFailed(
                f"Неверное имя пользователя или пароль. Осталось попыток до блокировки "
                f"входа: {left}."
            )

    def _read(self) -> dict[str, User]:
        try:
            raw = json.loads(self.path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return {}
        except (OSError, ValueError) as error:
            raise UserError(f"файл пользователей {self.path} повреждён: {error}") from None
        return {
            item["login"]: User(
                login=item["login"],
                role=Role(item["role"]),
                password_hash=item["password_hash"],
                orgs=tuple(item.get("orgs", ())),
                failures=int(item.get("failures", 0)),
                locked_until=item.get("locked_until"),
            )
            for item in raw.get("users", [])
        }

    @contextmanager
    def _changing(self) -> Iterator[dict[str, User]]:
        """The users, to change in place; written back atomically unless an exception
        escapes — except :class:`LoginFailed`, whose failure count must be kept."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        lock_path = self.path.with_name(self.path.name + ".lock")
        with open(lock_path, "a") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            users = self._read()
            try:
                yield users
            except LoginFailed:
                self._write(users)
                raise
            self._write(users)

    def _write(self, users: dict[str, User]) -> None:
        payload = {
            "users": [
                asdict(u) | {"role": str(u.role), "orgs": list(u.orgs)}
                for u in sorted(users.values(), key=lambda u: u.login)
            ]
        }
        fd, temp = tempfile.mkstemp(dir=self.path.parent, prefix=".users-", suffix=".json")
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as out:
                json.dump(payload, out, ensure_ascii=False, indent=2)
                out.flush()
                os.fsync(out.fileno())
            os.chmod(temp, 0o600)
            os.replace(temp, self.path)
        except BaseException:
            Path(temp).unlink(missing_ok=True)
            raise


_DUMMY_HASH = bcrypt.hashpw(b"not a password", bcrypt.gensalt())


def check_new_user(login: str, role: Role, orgs: tuple[str, ...]) -> None:
    """:class:`UserError` unless a user with this login, role and organisations can exist."""
    if not _LOGIN.match(login):
        raise UserError(
            f"имя пользователя «{login}» недопустимо: от 2 до 64 букв, цифр и знаков . _ @ -"
        )
    if role is Role.CURATOR and not orgs:
        raise UserError("для куратора укажите хотя бы одну организацию (--org ИНН или код)")
    if role is not Role.CURATOR and orgs:
        raise UserError("организации указываются только для роли curator (куратор)")


def _check_password(password: str) -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise UserError(
            f"пароль слишком короткий: нужно не меньше "
            f"{formatting.count(MIN_PASSWORD_LENGTH, 'знак', 'знака', 'знаков')}"
        )


def _locked_message(until: datetime) -> str:
    return (
        "Слишком много неудачных попыток входа. Вход заблокирован до "
        f"{until:%H:%M}; пароль может сменить администратор."
    )
