"""Rows DuckDB produces and writes itself (:class:`Query`) and how a format spells their
cells (:class:`Cells`): what an engine stage hands to the writers of
:mod:`analytics.documents.outputs` without importing them, so the stages stay in order.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import duckdb

from analytics.store.db import Database


@dataclass(frozen=True)
class Cells:
    """How a format spells cells, as SQL around an expression: ``text`` for a text cell,
    ``flag`` for a boolean one; that SQL may use the named parameters ``params``."""

    text: Callable[[str], str]
    flag: Callable[[str], str]
    params: dict[str, object]


# Given the writing cursor and the format's cells: runs what the rows need first
# (temporary tables, gone with the read transaction) and returns the SELECT of the rows,
# in the order they are written, with its named parameters.
Prepare = Callable[[duckdb.DuckDBPyConnection, Cells], tuple[str, dict[str, object]]]


@dataclass(frozen=True)
class Query:
    """Rows that DuckDB produces and writes on the database's own connection, in one read
    transaction: no table in Python, and DuckDB's writer runs in parallel in the order of
    the SELECT that ``prepare`` returns."""

    db: Database
    prepare: Prepare
