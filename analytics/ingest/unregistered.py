"""Organisations outside the registry of a municipality that has one: made by a form file
(a row confirmed as a new organisation), and sometimes a copy of a registered school
written another way. Each is merged into the registered organisation it is (its forms,
registers, aliases and history follow, its name becomes an alias) or removed when nothing
refers to it.
"""

from __future__ import annotations

from datetime import datetime

import duckdb
import pandas as pd

from analytics.ingest.identity import match_key
from analytics.model.errors import MonitoringError
from analytics.model.levels import Level
from analytics.store import audit, undo
from analytics.store.db import Database, first_row

# Tables whose ``org_id`` a merge leaves alone: the organisation itself, its earlier
# descriptions (a rollback restores them to that organisation, which a merge removes), its
# aliases (moved apart, see merge) and the frozen values of held meetings.
_NOT_MOVED = frozenset({"organizations", "organization_history", "org_aliases", "meeting_values"})
# Tables where an organisation has one row per period: a merge must not make two.
_PER_PERIOD = ("form_values", "mentors", "mentees")
# Tables that name an organisation by level and territory id, and their keys beside it.
_BY_LEVEL = {
    "targets": ("indicator", "period"),
    "trajectories": ("indicator", "period"),
    "decisions": None,
}


class OrganisationError(MonitoringError):
    """An organisation cannot be merged or removed; the message is in Russian."""


def listing(db: Database) -> pd.DataFrame:
    """The organisations outside the registry of a municipality that has a registry:
    ``org_id, organization, inn, org_type, region, municipality_id, municipality,
    district, forms`` (how many forms it has), by municipality and name."""
    return db.query(
        "SELECT p.org_id, p.name AS organization, p.inn, p.org_type, p.region, "
        "p.municipality_id, p.municipality, p.district, "
        "(SELECT count(*) FROM form_values f WHERE f.org_id = p.org_id) AS forms "
        "FROM org_places p WHERE p.org_id NOT IN (SELECT org_id FROM registry) "
        "AND p.municipality_id IN (SELECT o.municipality_id FROM registry r "
        "JOIN organizations o USING (org_id)) ORDER BY p.municipality, p.name, p.org_id"
    )


def merge(db: Database, org_id: int, into: int, user: str | None = None) -> None:
    """Merge organisation ``org_id`` (outside the registry) into ``into`` (in it): every
    form, register, round submission, alias and history row moves to ``into``, the
    merged organisation's name becomes an alias of ``into``, and the organisation is
    removed. Refused where both have a form or a register for the same period."""
    with db.transaction() as cur:
        merged = _describe(cur, org_id)
        target = _describe(cur, into)
        if org_id == into:
            raise OrganisationError("организацию нельзя объединить с ней самой")
        if merged[2]:
            raise OrganisationError(
                f"«{merged[0]}» входит в реестр: объединяются только организации вне реестра"
            )
        if not target[2]:
            raise OrganisationError(
                f"«{target[0]}» не входит в реестр: объединять можно только с организацией реестра"
            )
        for table in _PER_PERIOD:
            both = [
                str(p)
                for (p,) in cur.execute(
                    f"SELECT DISTINCT period FROM {table} WHERE org_id = ? "
                    f"AND period IN (SELECT period FROM {table} WHERE org_id = ?) ORDER BY 1",
                    [org_id, into],
                ).fetchall()
            ]
            if both:
                raise OrganisationError(
                    f"у «{merged[0]}» и «{target[0]}» есть {undo.TABLE_LABELS[table]} за "
                    f"{', '.join(both)}: отмените загрузку, которая создала «{merged[0]}», "
                    "или удалите лишнее, затем объедините"
                )
        moved = 0
        for table in _tables_with_org_id(cur):
            moved += len(
                cur.execute(
                    f"UPDATE {table} SET org_id = ? WHERE org_id = ? RETURNING org_id",
                    [into, org_id],
                ).fetchall()
            )
        for table, keys in _BY_LEVEL.items():
            same = " AND ".join(f"t.{k} = {table}.{k}" for k in keys or ())
            free = (
                f" AND NOT EXISTS (SELECT 1 FROM {table} t WHERE t.level = {table}.level "
                f"AND t.territory_id = ? AND {same})"
                if keys
                else ""
            )
            cur.execute(
                f"UPDATE {table} SET territory_id = ? WHERE level = ? AND territory_id = ?" + free,
                [into, str(Level.ORGANIZATION), org_id] + ([into] if keys else []),
            )
            # What is left is set for ``into`` already: its own stays.
            cur.execute(
                f"DELETE FROM {table} WHERE level = ? AND territory_id = ?",
                [str(Level.ORGANIZATION), org_id],
            )
        cur.execute(
            "INSERT INTO org_aliases (org_id, alias, source, upload_id, added_by, added_at) "
            "SELECT ?, alias, source, upload_id, added_by, added_at FROM org_aliases "
            "WHERE org_id = ? ON CONFLICT DO NOTHING",
            [into, org_id],
        )
        if match_key(merged[0]) != match_key(target[0]):
            cur.execute(
                "INSERT INTO org_aliases (org_id, alias, source, added_by, added_at) "
                "VALUES (?, ?, 'manual', ?, ?) ON CONFLICT DO NOTHING",
                [into, merged[0], user, datetime.now()],
            )
        _delete(cur, org_id)
        audit.record(
            cur,
            audit.Action.ORG_MERGED,
            f"org:{into}",
            user,
            {"organization": merged[0], "into": target[0], "moved": moved},
        )


def remove(db: Database, org_id: int, user: str | None = None) -> None:
    """Remove organisation ``org_id`` (outside the registry) and its aliases; refused
    while anything else refers to it (its forms, registers, targets: merge it instead)."""
    with db.transaction() as cur:
        name, _, registered = _describe(cur, org_id)
        if registered:
            raise OrganisationError(f"«{name}» входит в реестр: её удаляет только новый реестр")
        used = undo.uses(cur, "organization", [str(org_id)]).get(str(org_id), [])
        held = [t for t in used if t not in ("org_aliases", "organization_history")]
        if held:
            labels = ", ".join(dict.fromkeys(undo.TABLE_LABELS.get(t, t) for t in held))
            raise OrganisationError(
                f"у «{name}» есть данные ({labels}): объедините её с организацией реестра "
                "или отмените загрузку, которая её создала"
            )
        _delete(cur, org_id)
        audit.record(cur, audit.Action.ORG_REMOVED, f"org:{org_id}", user, {"organization": name})


def _describe(cur: duckdb.DuckDBPyConnection, org_id: int) -> tuple[str, int, bool]:
    """An organisation's name, municipality and whether it is in the registry."""
    row = first_row(
        cur,
        "SELECT name, municipality_id, org_id IN (SELECT org_id FROM registry) "
        "FROM organizations WHERE org_id = ?",
        [org_id],
    )
    if row is None:
        raise OrganisationError(f"организация с кодом {org_id} не найдена")
    return str(row[0]), int(row[1]), bool(row[2])


def _tables_with_org_id(cur: duckdb.DuckDBPyConnection) -> list[str]:
    return [
        str(t)
        for (t,) in cur.execute(
            "SELECT c.table_name FROM duckdb_columns() c JOIN duckdb_tables() t "
            "USING (database_name, schema_name, table_name) WHERE c.column_name = 'org_id' "
            "AND c.database_name = current_database() AND c.schema_name = 'main' "
            "ORDER BY c.table_name"
        ).fetchall()
        if t not in _NOT_MOVED
    ]


def _delete(cur: duckdb.DuckDBPyConnection, org_id: int) -> None:
    for table in ("org_aliases", "organization_history", "organizations"):
        cur.execute(f"DELETE FROM {table} WHERE org_id = ?", [org_id])
