"""The dashboard's users: a JSON file of logins, roles and bcrypt password hashes.

The file lives next to the database (``users.json``) unless ``MONITORING_USERS`` names
another; with no users in it the dashboard runs in single-user local mode. Every change is
written to a temporary file and moved into place under an exclusive lock, so the command
line and a running dashboard can both use the file.

Each user has a credential ``generation``, a random value drawn anew whenever the user is
added or their password changes: a session remembers the generation it logged in with
and ends when it no longer matches (password changed, user removed, role changed by
removing and adding again).

Failed logins are never counted per account, which would tell which logins exist and let
anyone lock the administrator out. A :class:`Throttle` slows down guessing instead: after
a few failures a login, a source address, and the pair of them must wait before the next
attempt, a wait that doubles with each failure, is capped, and is forgotten after a quiet
spell — the same for a login that exists and one that does not.
"""

from __future__ import annotations

import fcntl
import json
import math
import os
import re
import secrets
import tempfile
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, replace
from datetime import datetime, timedelta
from enum import StrEnum
from pathlib import Path

import bcrypt

from analytics.model.errors import MonitoringError
from analytics.wording import formatting

MIN_PASSWORD_LENGTH = 8
USERS_ENV = "MONITORING_USERS"
IDLE_ENV = "MONITORING_IDLE_MINUTES"
DEFAULT_IDLE_MINUTES = 30
REFUSED = "Неверное имя пользователя или пароль."

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


class UserError(MonitoringError, ValueError):
    """A user that cannot be added or changed; the message is in Russian."""


class LoginFailed(MonitoringError):
    """A login refused; the message is in Russian and does not say whether the login exists."""


@dataclass(frozen=True)
class User:
    """A user as stored. ``orgs`` are the organisations of a curator as typed when the
    user was added: an ИНН or an organisation code, resolved against the database at login."""

    login: str
    role: Role
    password_hash: str
    orgs: tuple[str, ...] = ()
    generation: str = ""


def users_path(db_path: str | Path) -> Path:
    """The users file of a database: ``MONITORING_USERS`` or ``users.json`` beside it."""
    override = os.environ.get(USERS_ENV)
    return Path(override) if override else Path(db_path).parent / "users.json"


def hash_password(password: str) -> str:
    return bcrypt.hashpw(password.encode("utf-8"), bcrypt.gensalt()).decode("ascii")


def new_generation() -> str:
    """A credential generation no earlier one can equal."""
    return secrets.token_hex(16)


def idle_minutes() -> int:
    """After how many minutes without a click a session ends: ``MONITORING_IDLE_MINUTES``
    (a whole number of minutes), else :data:`DEFAULT_IDLE_MINUTES`."""
    value = os.environ.get(IDLE_ENV, "")
    return int(value) if value.isdecimal() and int(value) > 0 else DEFAULT_IDLE_MINUTES


@dataclass(frozen=True)
class Backoff:
    """How one kind of key is slowed down: ``free`` failures cost nothing, each further
    one doubles the wait from one second up to ``cap_seconds``."""

    free: int
    cap_seconds: int

    def wait(self, failures: int) -> float:
        if failures <= self.free:
            return 0.0
        return float(min(self.cap_seconds, 2 ** (failures - self.free - 1)))


# A login tried from one source, one source trying any logins, one login from anywhere.
# The last is gentle and capped low: it slows a guesser spread over many addresses, and a
# stranger failing on the administrator's login delays them by half a minute at most.
PAIR_BACKOFF = Backoff(free=3, cap_seconds=300)
SOURCE_BACKOFF = Backoff(free=10, cap_seconds=300)
LOGIN_BACKOFF = Backoff(free=10, cap_seconds=30)
# Failures older than this are forgotten.
QUIET = timedelta(minutes=15)
_PRUNE_ABOVE = 10_000


class Throttle:
    """Recent failed logins of this process, per login, per source and per pair.

    Keys are the login as typed (case-folded) whether or not such a user exists, so the
    waits say nothing about which logins exist. Thread-safe: every session of the
    dashboard shares one.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._failures: dict[tuple[str, ...], tuple[int, datetime]] = {}

    def _keys(self, login: str, source: str) -> tuple[tuple[tuple[str, ...], Backoff], ...]:
        name = login.strip().casefold()
        return (
            (("pair", name, source), PAIR_BACKOFF),
            (("source", source), SOURCE_BACKOFF),
            (("login", name), LOGIN_BACKOFF),
        )

    def wait(self, login: str, source: str, now: datetime) -> float:
        """Seconds before ``login`` may be tried again from ``source`` (0: now)."""
        longest = 0.0
        with self._lock:
            for key, backoff in self._keys(login, source):
                failures, last = self._recent(key, now)
                if failures:
                    ready = last + timedelta(seconds=backoff.wait(failures))
                    longest = max(longest, (ready - now).total_seconds())
        return longest

    def failed(self, login: str, source: str, now: datetime) -> None:
        """Count a failed attempt against the login, the source and the pair."""
        with self._lock:
            if len(self._failures) > _PRUNE_ABOVE:
                self._failures = {k: v for k, v in self._failures.items() if now - v[1] <= QUIET}
            for key, _ in self._keys(login, source):
                failures, _last = self._recent(key, now)
                self._failures[key] = (failures + 1, now)

    def succeeded(self, login: str, source: str) -> None:
        """A right password from this source forgets the pair's failures (not the
        login's or the source's: those may be a guesser's)."""
        with self._lock:
            self._failures.pop(self._keys(login, source)[0][0], None)

    def _recent(self, key: tuple[str, ...], now: datetime) -> tuple[int, datetime]:
        failures, last = self._failures.get(key, (0, now))
        return (0, now) if now - last > QUIET else (failures, last)


# The throttle of this process, shared by every UserStore that is not given one.
PROCESS_THROTTLE = Throttle()


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
        user = User(
            login, role, hash_password(password), tuple(dict.fromkeys(orgs)), new_generation()
        )
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
        """Change a password; the user's open sessions end (a new generation)."""
        _check_password(password)
        with self._changing() as users:
            user = users.get(login)
            if user is None:
                raise UserError(f"пользователя «{login}» нет")
            users[login] = replace(
                user, password_hash=hash_password(password), generation=new_generation()
            )

    def authenticate(
        self,
        login: str,
        password: str,
        now: datetime | None = None,
        source: str = "",
        throttle: Throttle | None = None,
    ) -> User:
        """The user whose login and password these are, or :class:`LoginFailed`.

        A wrong password or an unknown login gets :data:`REFUSED`, the same message and
        the same bcrypt work. While ``throttle`` (default: :data:`PROCESS_THROTTLE`)
        makes the login or the ``source`` address wait, the attempt is refused unchecked
        with the wait in the message.
        """
        now = now or datetime.now()
        throttle = throttle if throttle is not None else PROCESS_THROTTLE
        wait = throttle.wait(login, source, now)
        if wait > 0:
            raise LoginFailed(_wait_message(wait))
        user = self.get(login.strip())
        if user is None:
            # Same work as a real check, so timing does not tell which logins exist.
            bcrypt.checkpw(password.encode("utf-8"), _DUMMY_HASH)
        elif bcrypt.checkpw(password.encode("utf-8"), user.password_hash.encode("ascii")):
            throttle.succeeded(login, source)
            return user
        throttle.failed(login, source, now)
        raise LoginFailed(REFUSED)

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
                generation=str(item.get("generation", "")),
            )
            for item in raw.get("users", [])
        }

    @contextmanager
    def _changing(self) -> Iterator[dict[str, User]]:
        """The users, to change in place; written back atomically unless an exception
        escapes."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        lock_path = self.path.with_name(self.path.name + ".lock")
        with open(lock_path, "a") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            users = self._read()
            yield users
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


# A fixed hash of a password nobody has, at bcrypt's default cost (12): checking an unknown
# login against it costs what checking a real one does. A constant rather than a hash made
# at import, which cost a second of every command and ingest that imports this module.
_DUMMY_HASH = b"$2b$12$pyunYJV93wja9/V8TrGvNO.EkwU7ilFrf92/bEg3Jl0MOh1R6V.kS"


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


def _wait_message(seconds: float) -> str:
    wait = formatting.count(math.ceil(seconds), "секунду", "секунды", "секунд")
    return f"Слишком много неудачных попыток входа. Повторите попытку через {wait}."
