"""``org_values``: each form's indicator numerators and denominators, kept with the form.

Evaluating the catalogue's per-row SQL over every form is the first step of every
indicator query. The results only change when a form does, so they are stored in a
narrow derived table with one row per ``form_values`` row, and refreshed in the same
transaction that writes forms (upload, rollback). :mod:`analytics.compute.indicators` groups this
table instead of the forms. Person registers, the registry and territories are joined at
query time: they are small and change outside form uploads.

This module imports only the catalogue, so the migration that creates and backfills the
table (:func:`migration`) can live in :mod:`analytics.store.db`.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence

import duckdb

from analytics.model.catalogue import FORM_INDICATORS, Indicator

TABLE = "org_values"


def _pair(indicator: Indicator) -> tuple[str, str]:
    """An indicator's numerator and denominator for one form, both kept only where both
    are present."""
    n, d = indicator.numerator_sql, indicator.denominator_sql
    both = f"({n}) IS NOT NULL AND ({d}) IS NOT NULL"
    return f"CASE WHEN {both} THEN ({n}) END", f"CASE WHEN {both} THEN ({d}) END"


def value_columns() -> tuple[str, ...]:
    """``n_<id>, d_<id>`` for each form indicator, in catalogue order."""
    return tuple(c for i in FORM_INDICATORS for c in (f"n_{i.id}", f"d_{i.id}"))


def _select(where: str, source: str = "form_values") -> str:
    expressions = ", ".join(
        f"{n} AS n_{i.id}, {d} AS d_{i.id}" for i in FORM_INDICATORS for n, d in [_pair(i)]
    )
    return f"SELECT org_id, period, {expressions} FROM {source} WHERE {where}"


def fingerprint() -> int:
    """A number that changes whenever the catalogue's per-form SQL does (a formula edited,
    an indicator added): the stored table was derived with another definition then."""
    digest = hashlib.sha256(_select("TRUE").encode("utf-8")).hexdigest()
    return int(digest[:15], 16)


def rebuild(cur: duckdb.DuckDBPyConnection) -> None:
    """Derive the table anew from every stored form (dbt's full refresh)."""
    cur.execute(f"DROP TABLE IF EXISTS {TABLE}")
    cur.execute(f"CREATE TABLE {TABLE} AS {_select('TRUE')}")


def migration() -> list[str]:
    """Create ``org_values`` with the types of the catalogue's expressions and fill it
    from the forms already stored (a database made before the table existed)."""
    return [f"CREATE TABLE {TABLE} AS {_select('TRUE')}"]


def forget(cur: duckdb.DuckDBPyConnection, where: str, params: Sequence[object] = ()) -> None:
    """Drop the derived rows of the forms matching ``where`` (a condition on
    ``form_values``); call before those forms are deleted or replaced."""
    cur.execute(
        f"DELETE FROM {TABLE} WHERE (org_id, period) IN "
        f"(SELECT (org_id, period) FROM form_values WHERE {where})",
        list(params),
    )


def remember(cur: duckdb.DuckDBPyConnection, where: str, params: Sequence[object] = ()) -> None:
    """Add the derived rows of the stored forms matching ``where``; call after writing
    them (their earlier rows must have been forgotten)."""
    cur.execute(f"INSERT INTO {TABLE} {_select(where)}", list(params))


def forget_forms(cur: duckdb.DuckDBPyConnection, relation: str) -> None:
    """Drop the derived rows of the forms keyed (``org_id``, ``period``) in ``relation``
    (a table or registered view): :func:`forget` by their keys, without reading the
    stored forms (every stored form has its one derived row)."""
    cur.execute(
        f"DELETE FROM {TABLE} WHERE (org_id, period) IN (SELECT (org_id, period) FROM {relation})"
    )


def remember_forms(cur: duckdb.DuckDBPyConnection, relation: str) -> None:
    """Add the derived rows of the forms in ``relation`` (a table or registered view with
    ``form_values``' columns and their SQL types: the same values then give the same
    derived values): :func:`remember` for forms just written from it, without scanning
    the stored forms for them (their earlier rows must have been forgotten)."""
    cur.execute(f"INSERT INTO {TABLE} {_select('TRUE', relation)}")
