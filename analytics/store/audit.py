"""The audit log: who uploaded a file, rolled an upload back, set or removed a target,
made a backup or restored one.

An entry is written with :func:`record` on the cursor of the transaction that makes the
change, so the change and its entry are committed together or not at all. ``object``
names what was changed (``upload:12``, ``target:mentor_share/2023/region/3``,
``database``); ``details`` is a JSON object of the facts worth keeping (file name, rows,
old and new target values and so on).
"""

from __future__ import annotations

import json
from datetime import datetime
from enum import StrEnum

import duckdb
import pandas as pd

from analytics.model.catalogue import INDICATORS_BY_ID
from analytics.model.contract import KIND_LABELS, FormKind
from analytics.model.levels import LEVEL_INFO, LEVEL_LABELS, Level
from analytics.store.db import Database, first_value
from analytics.wording.formatting import moment, number


class Action(StrEnum):
    UPLOAD = "upload"
    ROLLBACK = "rollback"
    TARGET_SET = "target_set"
    TARGET_REMOVED = "target_removed"
    BACKUP = "backup"
    RESTORE = "restore"
    PERSON_BASES_DELETED = "registers_deleted"
    CLEARED = "cleared"
    ALIAS_ADDED = "alias_added"
    ALIAS_REMOVED = "alias_removed"
    ORG_MERGED = "org_merged"
    ORG_REMOVED = "org_removed"
    INCOMPLETE_ACCEPTED = "incomplete_accepted"
    DRAFT_SAVED = "draft_saved"
    FORM_OPENED = "form_opened"


ACTION_LABELS: dict[Action, str] = {
    Action.UPLOAD: "загрузка файла",
    Action.ROLLBACK: "отмена загрузки",
    Action.TARGET_SET: "цель задана",
    Action.TARGET_REMOVED: "цель удалена",
    Action.BACKUP: "резервная копия создана",
    Action.RESTORE: "база восстановлена из резервной копии",
    Action.PERSON_BASES_DELETED: "базы наставников и наставляемых удалены",
    Action.CLEARED: "все данные удалены",
    Action.ALIAS_ADDED: "написание организации добавлено",
    Action.ALIAS_REMOVED: "написание организации удалено",
    Action.ORG_MERGED: "организация вне реестра объединена с организацией реестра",
    Action.ORG_REMOVED: "организация вне реестра удалена",
    Action.INCOMPLETE_ACCEPTED: "неполная форма мониторинга принята",
    Action.DRAFT_SAVED: "ответ формы мониторинга сохранён в черновике",
    Action.FORM_OPENED: "форма мониторинга открыта для заполнения",
}

# The keys of ``details`` as the command line shows them.
DETAIL_LABELS: dict[str, str] = {
    "file": "файл",
    "kind": "вид",
    "rows": "строк",
    "sha256": "контрольная сумма SHA-256",
    "replaced": "заменено",
    "indicator": "показатель",
    "period": "период",
    "level": "уровень",
    "territory_id": "территория",
    "target": "цель",
    "previous": "прежняя цель",
    "backup": "резервная копия",
    "created_at": "копия создана",
    "data_version": "версия данных",
    "uploads": "файлов загрузок",
    "encrypted": "зашифрована",
    "discarded": "отменено",
    "safety_backup": "прежняя база сохранена в",
    "mentors": "наставников",
    "mentees": "наставляемых",
    "alias": "написание",
    # What a rollback undid (see analytics.ingest.load.Undone).
    "removed": "удалено строк",
    "restored": "восстановлено строк",
    "organizations": "удалены организации",
    "kept_organizations": "оставлены организации",
    "organizations_restored": "восстановлено описаний организаций",
    "aliases": "забыто написаний",
    "submissions": "удалено сдач файлов в сборах",
    "territories": "удалено территорий",
    "periods": "удалены периоды",
    str(Level.ORGANIZATION): LEVEL_INFO[Level.ORGANIZATION].noun,
    "into": "объединена с",
    "moved": "перенесено строк",
    "round": "мониторинг №",
    "org_id": "организация №",
    "answered": "заполнено ответов",
    "questions": "вопросов в форме",
    "field": "поле",
}

COLUMNS: tuple[str, ...] = ("entry_id", "logged_at", "actor", "action", "object", "details")


def record(
    cur: duckdb.DuckDBPyConnection,
    action: Action,
    obj: str,
    actor: str | None = None,
    details: dict[str, object] | None = None,
    at: datetime | None = None,
) -> int:
    """Add an entry on ``cur`` (inside the caller's transaction); returns its id."""
    entry_id = int(first_value(cur, "SELECT nextval('audit_seq')"))
    cur.execute(
        "INSERT INTO audit_log (entry_id, logged_at, actor, action, object, details) "
        "VALUES (?, ?, ?, ?, ?, ?)",
        [
            entry_id,
            at or datetime.now(),
            actor,
            str(action),
            obj,
            json.dumps(details or {}, ensure_ascii=False, default=str),
        ],
    )
    return entry_id


def entries(
    db: Database,
    action: Action | None = None,
    actor: str | None = None,
    obj: str | None = None,
    limit: int | None = None,
) -> pd.DataFrame:
    """The log, newest first, optionally only one action, actor or object; ``details``
    is parsed back into a dict."""
    where, params = [], []
    for column, value in (("action", action), ("actor", actor), ("object", obj)):
        if value is not None:
            where.append(f"{column} = ?")
            params.append(str(value))
    sql = f"SELECT {', '.join(COLUMNS)} FROM audit_log"
    if where:
        sql += " WHERE " + " AND ".join(where)
    sql += " ORDER BY entry_id DESC"
    if limit is not None:
        sql += " LIMIT ?"
        params.append(int(limit))
    frame = db.query(sql, params)
    frame["details"] = frame["details"].map(json.loads)
    return frame


def _fact(key: str, value: object) -> str:
    """A detail's value in Russian: a kind of file or a level by its name, yes or no."""
    if value is None:
        return "—"
    if isinstance(value, bool):
        return "да" if value else "нет"
    if key == "kind" and value in set(FormKind):
        return KIND_LABELS[FormKind(value)]
    if key == "indicator" and value in INDICATORS_BY_ID:
        return INDICATORS_BY_ID[str(value)].name
    if key == "level" and value in set(Level):
        return LEVEL_LABELS[Level(value)].lower()
    if key == "created_at" and isinstance(value, str):
        try:
            return moment(datetime.fromisoformat(value))
        except ValueError:
            return value
    if isinstance(value, float):
        return number(value)
    return str(value)


def details_text(details: dict[str, object]) -> str:
    """An entry's details in Russian: «файл: формы.csv; строк: 12»."""
    return "; ".join(
        f"{DETAIL_LABELS.get(key, key)}: {_fact(key, value)}" for key, value in details.items()
    )


OBJECT_NAMES: dict[str, str] = {
    "database": "база данных",
    "upload": "загрузка №",
    "org": "организация",
    "target": "цель показателя",
    "submission": "файл мониторинга №",
}


def object_text(obj: str) -> str:
    """An entry's object in Russian: «загрузка № 3», «база данных», «цель показателя»
    (a target's indicator and territory are in its details)."""
    kind, _, number_ = obj.partition(":")
    if kind not in OBJECT_NAMES:
        return obj
    numbered = {"upload", "org", "submission"}
    return f"{OBJECT_NAMES[kind]} {number_}" if kind in numbered else OBJECT_NAMES[kind]


def describe(row: pd.Series) -> str:
    """One entry as a line of text in Russian: time, actor, action, object, details."""
    facts = details_text(row["details"])
    actor = row["actor"] if isinstance(row["actor"], str) and row["actor"] else "не указан"
    label = ACTION_LABELS.get(row["action"], row["action"])
    obj = object_text(row["object"])
    line = f"{row['logged_at']:%d.%m.%Y %H:%M:%S}\t{actor}\t{label}\t{obj}"
    return f"{line}\t{facts}" if facts else line
