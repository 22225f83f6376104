"""What an upload made beside its rows, recorded so that its rollback undoes it whole.

An upload may create organisations, territories and periods, and change the description
of organisations it places rows on (a registry renames them, a confirmed move changes
their municipality). ``upload_created`` lists what it created and ``organization_history``
keeps what it changed as it was (tables of :func:`analytics.store.db._migration_undo`).
A rollback restores the changed organisations and removes what the upload created, unless
something else still refers to it (:func:`uses`): a later upload, an alias added by hand,
a target, a meeting.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager

import duckdb
import pyarrow as pa

from analytics.model.levels import LEVEL_INFO, TERRITORY_LEVELS, UNIT_LEVELS, Level
from analytics.store.db import first_value, registered

# Each territory object: its table and id column, children before parents (the order in
# which a rollback removes them).
TERRITORIES: dict[str, tuple[str, str]] = {
    str(i.level): (str(i.table), str(i.key)) for i in reversed(TERRITORY_LEVELS)
}
_ORGANIZATION = LEVEL_INFO[Level.ORGANIZATION]
# Each object an upload creates: its table and key column.
OBJECTS: dict[str, tuple[str, str]] = {
    str(Level.ORGANIZATION): (str(_ORGANIZATION.table), str(_ORGANIZATION.key)),
    **TERRITORIES,
    "period": ("periods", "period"),
}
_ORG_COLUMNS = "org_id, municipality_id, district_id, inn, ogrn, name, name_key, org_type"

# What a table that refers to an object holds, as a rollback's question names it.
TABLE_LABELS: dict[str, str] = {
    "form_values": "формы",
    "form_history": "история форм",
    "org_values": "формы",
    "mentors": "база наставников",
    "mentors_history": "история базы наставников",
    "mentees": "база наставляемых",
    "mentees_history": "история базы наставляемых",
    "registry": "реестр",
    "registry_history": "история реестра",
    "org_aliases": "написания названия",
    "organization_history": "история организации",
    "round_submissions": "сдача файлов в сборе",
    "round_drafts": "черновик формы в сборе",
    "rounds": "сборы данных",
    "meetings": "заседания",
    "meeting_values": "значения заседаний",
    "targets": "цели",
    "trajectories": "плановые значения",
    "decisions": "поручения",
    **{str(i.table): i.plural for i in UNIT_LEVELS},
}


@contextmanager
def recording(
    cur: duckdb.DuckDBPyConnection, upload_id: int, org_ids: Sequence[int | None]
) -> Iterator[None]:
    """Record what the block (an upload's writing of organisations and territories)
    creates and which of the known organisations ``org_ids`` it changes. Writers are
    serialised and ids come from sequences, so what has an id above the largest before
    the block was created by it."""
    tables = {name: OBJECTS[name] for name in ("organization", *TERRITORIES)}
    largest = {
        name: int(first_value(cur, f"SELECT coalesce(max({column}), 0) FROM {table}"))
        for name, (table, column) in tables.items()
    }
    known = sorted({o for o in org_ids if o is not None and o > 0})
    if known:
        ids = pa.table({"org_id": pa.array(known, type=pa.int64())})
        with registered(cur, "placed_orgs", ids):
            cur.execute(
                f"INSERT INTO organization_history ({_ORG_COLUMNS}, replaced_by) "
                f"SELECT {_ORG_COLUMNS}, ? FROM organizations "
                "WHERE org_id IN (SELECT org_id FROM placed_orgs)",
                [upload_id],
            )
    yield
    if known:
        same = " AND ".join(
            f"h.{c} IS NOT DISTINCT FROM o.{c}" for c in _ORG_COLUMNS.split(", ")[1:]
        )
        cur.execute(
            "DELETE FROM organization_history h USING organizations o "
            f"WHERE h.replaced_by = ? AND h.org_id = o.org_id AND {same}",
            [upload_id],
        )
    for name, (table, column) in tables.items():
        cur.execute(
            "INSERT INTO upload_created SELECT ?, ?, CAST("
            f"{column} AS VARCHAR) FROM {table} WHERE {column} > ?",
            [upload_id, name, largest[name]],
        )


def created(cur: duckdb.DuckDBPyConnection, upload_id: int, name: str, keys: list[str]) -> None:
    """Record that upload ``upload_id`` created the objects ``name`` with these keys."""
    if keys:
        cur.execute(
            "INSERT INTO upload_created SELECT ?, ?, unnest(CAST(? AS VARCHAR[]))",
            [upload_id, name, keys],
        )


def created_by(cur: duckdb.DuckDBPyConnection, upload_id: int, name: str) -> list[str]:
    """The keys of the objects ``name`` upload ``upload_id`` created that still exist."""
    table, column = OBJECTS[name]
    return [
        str(key)
        for (key,) in cur.execute(
            f"SELECT c.object_key FROM upload_created c JOIN {table} t "
            f"ON CAST(t.{column} AS VARCHAR) = c.object_key "
            "WHERE c.upload_id = ? AND c.object = ? ORDER BY c.object_key",
            [upload_id, name],
        ).fetchall()
    ]


def uses(cur: duckdb.DuckDBPyConnection, name: str, keys: list[str]) -> dict[str, list[str]]:
    """For each of ``keys`` (objects ``name``) that something still refers to, the tables
    that do (see :data:`TABLE_LABELS`), in the order found. Every table with the object's
    key column is asked, so a table added later is asked too; targets, trajectories and
    decisions name a territory by level and id. A period is in use only where some
    organisation's data is kept for it."""
    if not keys:
        return {}
    own, column = OBJECTS[name]
    tables = [
        str(t)
        for (t,) in cur.execute(
            "SELECT c.table_name FROM duckdb_columns() c JOIN duckdb_tables() t "
            "USING (database_name, schema_name, table_name) WHERE c.column_name = ? "
            "AND c.database_name = current_database() AND c.schema_name = 'main' "
            "AND c.table_name NOT IN (?, 'upload_created') ORDER BY c.table_name",
            [column, own],
        ).fetchall()
    ]
    if name == "period":
        # A period is stored for the data it has: rounds, targets and plans name periods
        # with no row here, so only tables of organisations' data keep one.
        tables = [t for t in tables if t in _with_org_id(cur)]
    kind = "VARCHAR" if name == "period" else "BIGINT"
    queries = [
        (
            t,
            f"SELECT DISTINCT CAST({column} AS VARCHAR) FROM {t} WHERE {column} IN "
            f"(SELECT unnest(CAST(? AS {kind}[])))",
            [keys],
        )
        for t in tables
    ]
    if name in Level.__members__.values():
        for t in ("targets", "trajectories", "decisions"):
            queries.append(
                (
                    t,
                    f"SELECT DISTINCT CAST(territory_id AS VARCHAR) FROM {t} WHERE level = ? "
                    "AND territory_id IN (SELECT unnest(CAST(? AS BIGINT[])))",
                    [str(Level(name)), keys],
                )
            )
    found: dict[str, list[str]] = {}
    for table, sql, params in queries:
        for (key,) in cur.execute(sql, params).fetchall():
            found.setdefault(str(key), []).append(table)
    return found


def _with_org_id(cur: duckdb.DuckDBPyConnection) -> set[str]:
    return {
        str(t)
        for (t,) in cur.execute(
            "SELECT table_name FROM duckdb_columns() WHERE column_name = 'org_id' "
            "AND database_name = current_database() AND schema_name = 'main'"
        ).fetchall()
    }


def remove(cur: duckdb.DuckDBPyConnection, name: str, keys: list[str]) -> None:
    """Delete the objects ``name`` with these keys."""
    if keys:
        table, column = OBJECTS[name]
        kind = "VARCHAR" if name == "period" else "BIGINT"
        cur.execute(
            f"DELETE FROM {table} WHERE {column} IN (SELECT unnest(CAST(? AS {kind}[])))",
            [keys],
        )


def restore_organizations(cur: duckdb.DuckDBPyConnection, upload_id: int) -> int:
    """Give the organisations upload ``upload_id`` changed their descriptions back;
    returns how many."""
    restored = cur.execute(
        "UPDATE organizations SET "
        + ", ".join(f"{c} = h.{c}" for c in _ORG_COLUMNS.split(", ")[1:])
        + " FROM organization_history h WHERE h.replaced_by = ? "
        "AND organizations.org_id = h.org_id RETURNING organizations.org_id",
        [upload_id],
    ).fetchall()
    cur.execute("DELETE FROM organization_history WHERE replaced_by = ?", [upload_id])
    return len(restored)


def forget(cur: duckdb.DuckDBPyConnection, upload_id: int) -> None:
    """Drop the record of what upload ``upload_id`` created."""
    cur.execute("DELETE FROM upload_created WHERE upload_id = ?", [upload_id])
