"""Emptying the database: the demo data goes before a centre loads its own files."""

from __future__ import annotations

from analytics.store import audit
from analytics.store.db import Database, mark_data_changed

# Kept when the data is cleared: the schema's version, the data version caches use, the
# audit log, which must outlive what it records, and the settings, which describe the
# centre rather than its data.
SYSTEM_TABLES: frozenset[str] = frozenset({"meta", "schema_version", "audit_log", "settings"})


def clear_database(db: Database, user: str | None = None) -> None:
    """Delete every row of every data table in one transaction (the demo data, say).

    DuckDB refuses to delete a row whose referencing rows were deleted in the same
    transaction, so tables tied by foreign keys are dropped and created again from their
    own DDL; the others are emptied. The data version is bumped by the transaction, and
    the demo flag is cleared in it too.
    """
    with db.transaction() as cur:
        tables = dict(
            cur.execute(
                "SELECT table_name, sql FROM duckdb_tables() WHERE schema_name = 'main' "
                "AND database_name = current_database()"
            ).fetchall()
        )
        tables = {name: sql for name, sql in tables.items() if name not in SYSTEM_TABLES}
        links = cur.execute(
            "SELECT table_name, referenced_table FROM duckdb_constraints() "
            "WHERE constraint_type = 'FOREIGN KEY' AND schema_name = 'main' "
            "AND database_name = current_database()"
        ).fetchall()
        indexes = cur.execute(
            "SELECT table_name, sql FROM duckdb_indexes() WHERE schema_name = 'main' "
            "AND database_name = current_database() AND sql IS NOT NULL"
        ).fetchall()
        linked = {t for pair in links for t in pair if t in tables}
        parents: dict[str, set[str]] = {t: set() for t in linked}
        for child, parent in links:
            if child in parents and parent in parents and parent != child:
                parents[child].add(parent)
        order = _parents_first(parents)
        for name in sorted(set(tables) - linked):
            cur.execute(f'DELETE FROM "{name}"')
        for name in reversed(order):
            cur.execute(f'DROP TABLE "{name}"')
        for name in order:
            cur.execute(tables[name])
        for table, sql in indexes:
            if table in linked:
                cur.execute(sql)
        cur.execute("INSERT OR REPLACE INTO meta VALUES ('demo', 0)")
        mark_data_changed(cur)
        audit.record(cur, audit.Action.CLEARED, "база данных", user)


def _parents_first(parents: dict[str, set[str]]) -> list[str]:
    order: list[str] = []
    remaining = {t: set(p) for t, p in parents.items()}
    while remaining:
        ready = sorted(t for t, p in remaining.items() if not p - set(order))
        if not ready:  # a cycle: cannot happen with this schema, but never loop forever
            ready = sorted(remaining)
        for t in ready:
            order.append(t)
            del remaining[t]
    return order


def table_counts(db: Database) -> dict[str, int]:
    """Rows per data table (for checks and tests)."""
    names = db.query(
        "SELECT table_name FROM duckdb_tables() WHERE schema_name = 'main' "
        "AND database_name = current_database()"
    )["table_name"]
    return {
        name: int(db.scalar(f'SELECT count(*) FROM "{name}"'))
        for name in names
        if name not in SYSTEM_TABLES
    }
