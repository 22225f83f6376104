"""What restoring a backup would discard: the users' work in the current database that
the backup does not hold.

A restore replaces the whole database, so every upload, round, submission, meeting and
decision made after the backup (or on another branch of history: same number, another
moment) is lost, and so are later changes to those the backup holds (a rollback, a
decision's new status, a reviewed submission, a closed round) and the other actions the
audit log records (targets, aliases, merged organisations, deleted bases). The command
line lists them and restores only when told to (``--force``); the restore's audit entry
keeps the list.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

import duckdb

from analytics.store import audit
from analytics.wording.formatting import count, day

_BACKUP = "backup_db"
# The most items one line names; the rest are counted.
_NAMED = 10


@dataclass(frozen=True)
class _Made:
    """A kind of thing users make: a row of ``table`` known by ``key`` and the moment
    ``at`` it was made; the backup holds it when a row has the same key and moment."""

    table: str
    key: str
    at: str
    forms: tuple[str, str, str]
    name: str | None = None


@dataclass(frozen=True)
class _Changed:
    """A later change to a row the backup holds: ``changed`` is set or differs."""

    table: str
    key: str
    at: str
    changed: str
    forms: tuple[str, str, str]


_MADE = (
    _Made("uploads", "upload_id", "uploaded_at", ("загрузка", "загрузки", "загрузок"), "file_name"),
    _Made("rounds", "round_id", "opened_at", ("сбор форм", "сбора форм", "сборов форм")),
    _Made(
        "round_submissions",
        "submission_id",
        "submitted_at",
        ("сдача файла в сборе", "сдачи файлов в сборах", "сдач файлов в сборах"),
        "file_name",
    ),
    _Made("meetings", "meeting_id", "created_at", ("заседание", "заседания", "заседаний"), "title"),
    _Made("decisions", "decision_id", "created_at", ("поручение", "поручения", "поручений")),
)
_CHANGED = (
    _Changed(
        "uploads",
        "upload_id",
        "uploaded_at",
        "rolled_back_at",
        ("отмена загрузки", "отмены загрузок", "отмен загрузок"),
    ),
    _Changed(
        "rounds",
        "round_id",
        "opened_at",
        "closed_at",
        ("закрытие сбора форм", "закрытия сборов форм", "закрытий сборов форм"),
    ),
    _Changed(
        "round_submissions",
        "submission_id",
        "submitted_at",
        "reviewed_at",
        ("решение по сданному файлу", "решения по сданным файлам", "решений по сданным файлам"),
    ),
    _Changed(
        "meetings",
        "meeting_id",
        "created_at",
        "updated_at",
        ("изменение заседания", "изменения заседаний", "изменений заседаний"),
    ),
    _Changed(
        "decisions",
        "decision_id",
        "created_at",
        "updated_at",
        ("изменение поручения", "изменения поручений", "изменений поручений"),
    ),
)
# Audited actions counted above (uploads, rollbacks) or that change no data (backups,
# restores); every other action the backup lacks is listed by its label.
_NOT_LISTED = frozenset(
    {audit.Action.UPLOAD, audit.Action.ROLLBACK, audit.Action.BACKUP, audit.Action.RESTORE}
)


@dataclass(frozen=True)
class Lost:
    """Things of one kind a restore would discard: how many, on which days, which."""

    what: str  # «2 загрузки», «действие «цель задана» — 2»
    days: tuple[date, ...]
    items: tuple[str, ...]  # «№ 3 «после копии.csv»»

    def text(self) -> str:
        """«2 загрузки от 05.12.2026», «3 поручения с 01.12.2026 по 05.12.2026»."""
        return f"{self.what} {_days(self.days)}"

    def line(self) -> str:
        """The text with the items named: «2 загрузки от 05.12.2026: № 3 «а.csv», № 4»."""
        if not self.items:
            return self.text()
        named = ", ".join(self.items[:_NAMED])
        rest = len(self.items) - _NAMED
        return f"{self.text()}: {named}" + (f" и ещё {rest}" if rest > 0 else "")


@dataclass(frozen=True)
class Discarded:
    """Everything a restore would discard; ``unreadable`` when the current database
    cannot be read, so what it holds is unknown."""

    lost: tuple[Lost, ...] = ()
    unreadable: bool = False

    def __bool__(self) -> bool:
        return bool(self.lost) or self.unreadable

    def summary(self) -> str:
        """«2 загрузки от 05.12.2026, 1 сбор форм от 05.12.2026, 3 поручения …»."""
        if self.unreadable:
            return "неизвестно: текущая база данных не читается"
        return ", ".join(lost.text() for lost in self.lost)

    def lines(self) -> list[str]:
        if self.unreadable:
            return ["текущая база данных не читается, поэтому что в ней есть, определить нельзя"]
        return [lost.line() for lost in self.lost]


def discarded(con: duckdb.DuckDBPyConnection, backup_db: Path) -> Discarded:
    """What replacing the database open on ``con`` by the database file ``backup_db`` (a
    restore's unpacked, migrated copy) would discard."""
    cur = con.cursor()
    try:
        current = cur.execute("SELECT current_database()").fetchall()[0][0]
        cur.execute(f"ATTACH {_literal(str(backup_db))} AS {_BACKUP} (READ_ONLY)")
        try:
            tables = _tables(cur, current)
            lost = [
                *(_made(cur, current, kind) for kind in _MADE if kind.table in tables),
                *(_changed(cur, current, kind) for kind in _CHANGED if kind.table in tables),
                *(_audited(cur, current) if "audit_log" in tables else ()),
            ]
        finally:
            cur.execute(f"DETACH {_BACKUP}")
    except duckdb.Error:
        return Discarded(unreadable=True)
    finally:
        cur.close()
    return Discarded(tuple(item for item in lost if item is not None))


def _tables(con: duckdb.DuckDBPyConnection, database: str) -> set[str]:
    rows = con.execute(
        "SELECT table_name FROM duckdb_tables() WHERE database_name = ? AND schema_name = 'main'",
        [database],
    ).fetchall()
    return {name for (name,) in rows}


def _made(con: duckdb.DuckDBPyConnection, current: str, kind: _Made) -> Lost | None:
    name = f"c.{kind.name}" if kind.name else "NULL"
    rows = con.execute(
        f"SELECT c.{kind.key}, c.{kind.at}, {name} FROM {_table(current, kind.table)} c "
        f"WHERE NOT EXISTS (SELECT 1 FROM {_table(_BACKUP, kind.table)} b "
        f"WHERE b.{kind.key} = c.{kind.key} AND b.{kind.at} = c.{kind.at}) "
        f"ORDER BY c.{kind.key}"
    ).fetchall()
    items = [f"№ {key} «{label}»" if label else f"№ {key}" for key, _, label in rows]
    return _lost(count(len(rows), *kind.forms), [at for _, at, _ in rows], items)


def _changed(con: duckdb.DuckDBPyConnection, current: str, kind: _Changed) -> Lost | None:
    rows = con.execute(
        f"SELECT c.{kind.key}, c.{kind.changed} FROM {_table(current, kind.table)} c "
        f"JOIN {_table(_BACKUP, kind.table)} b "
        f"ON b.{kind.key} = c.{kind.key} AND b.{kind.at} = c.{kind.at} "
        f"WHERE c.{kind.changed} IS NOT NULL "
        f"AND c.{kind.changed} IS DISTINCT FROM b.{kind.changed} "
        f"ORDER BY c.{kind.key}"
    ).fetchall()
    return _lost(count(len(rows), *kind.forms), [at for _, at in rows], [f"№ {k}" for k, _ in rows])


def _audited(con: duckdb.DuckDBPyConnection, current: str) -> list[Lost | None]:
    skipped = sorted(str(action) for action in _NOT_LISTED)
    marks = ", ".join("?" for _ in skipped)
    rows = con.execute(
        f"SELECT action, logged_at FROM {_table(current, 'audit_log')} c "
        f"WHERE action NOT IN ({marks}) AND NOT EXISTS (SELECT 1 FROM "
        f"{_table(_BACKUP, 'audit_log')} b WHERE b.entry_id = c.entry_id "
        "AND b.logged_at = c.logged_at) ORDER BY c.entry_id",
        skipped,
    ).fetchall()
    by_action: dict[str, list[datetime]] = {}
    for action, at in rows:
        by_action.setdefault(action, []).append(at)
    return [
        _lost(f"действие «{audit.ACTION_LABELS.get(action, action)}» — {len(moments)}", moments, [])
        for action, moments in by_action.items()
    ]


def _lost(what: str, moments: Sequence[datetime], items: Sequence[str]) -> Lost | None:
    if not moments:
        return None
    days = tuple(sorted({moment.date() for moment in moments}))
    return Lost(what, days, tuple(items))


def _days(days: Sequence[date]) -> str:
    if len(days) == 1:
        return f"от {day(days[0])}"
    if len(days) == 2:
        return f"от {day(days[0])} и {day(days[1])}"
    return f"с {day(days[0])} по {day(days[-1])}"


def _table(database: str, table: str) -> str:
    return f'"{database}".main.{table}'


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"
