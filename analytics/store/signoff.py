"""The sign-off of the documents the centre issues, set once on «Настройки».

A note is signed as the seeds sign theirs::

    Директор МАУ ИМЦ «Альтернатива»            ____________  С. М. Давыдова

    Исполнитель
    Кардакова Е. А.
    8(3412)57-31-56

so the installation keeps the issuing organisation, the signatory's position and name,
and the executor's name and contacts in the ``settings`` table.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from datetime import datetime

from analytics.model.errors import MonitoringError
from analytics.store.db import Database

# Longest text kept for one field: a position with the organisation's full name fits.
MAX_LENGTH = 300


@dataclass(frozen=True)
class SignOff:
    """Who issues and signs a document; empty strings where nothing is set."""

    organization: str = ""
    position: str = ""
    signatory: str = ""
    executor: str = ""
    contacts: str = ""

    @property
    def signer_line(self) -> str:
        """«Директор МАУ ИМЦ «Альтернатива»»: the position with the organisation."""
        return " ".join(part for part in (self.position, self.organization) if part)

    @property
    def is_set(self) -> bool:
        """Whether a signatory is named: the signature line needs a name to be printed."""
        return bool(self.signatory)


FIELDS: tuple[str, ...] = tuple(f.name for f in fields(SignOff))
_KEY = "signoff."


class SignOffError(MonitoringError, ValueError):
    """A sign-off that cannot be stored; the message is in Russian."""


def _clean(text: object) -> str:
    return " ".join(str(text or "").split())


def get_signoff(db: Database) -> SignOff:
    """The stored sign-off; fields never set are empty."""
    frame = db.query("SELECT key, value FROM settings WHERE starts_with(key, ?)", [_KEY])
    pairs = zip(frame["key"], frame["value"], strict=True)
    stored = {str(k).removeprefix(_KEY): str(v) for k, v in pairs}
    return SignOff(**{name: stored.get(name, "") for name in FIELDS})


def set_signoff(
    db: Database, signoff: SignOff, user: str | None = None, now: datetime | None = None
) -> SignOff:
    """Store every field of ``signoff`` (spaces collapsed; an empty field clears it) and
    return what was stored. Raises :class:`SignOffError` for a field over
    :data:`MAX_LENGTH` characters."""
    values = {name: _clean(getattr(signoff, name)) for name in FIELDS}
    for value in values.values():
        if len(value) > MAX_LENGTH:
            raise SignOffError(
                f"Слишком длинный текст ({len(value)} знаков, допустимо {MAX_LENGTH}): "
                f"«{value[:40]}…»."
            )
    moment = now or datetime.now()
    with db.transaction() as cur:
        for name, value in values.items():
            if value:
                cur.execute(
                    "INSERT OR REPLACE INTO settings VALUES (?, ?, ?, ?)",
                    [_KEY + name, value, user, moment],
                )
            else:
                cur.execute("DELETE FROM settings WHERE key = ?", [_KEY + name])
    return SignOff(**values)
