"""The indicator query as generated for a few scopes, kept in ``tests/snapshots/``: a
change to the query builder shows in review as a readable diff of SQL (ibis keeps its
generated SQL the same way). After a deliberate change, regenerate with
``MONITORING_UPDATE_SNAPSHOTS=1 python -m pytest tests/compute/test_indicator_sql.py``."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from analytics.compute.indicator_sql import indicator_sql
from analytics.model.levels import Level
from analytics.store.scope import Scope

SNAPSHOTS = Path(__file__).parents[1] / "snapshots"

SCOPES = {
    "everything": Scope(),
    "one_period_by_municipality": Scope(
        periods=("2022/2023",), levels=(Level.TOTAL, Level.MUNICIPALITY), municipality_id=7
    ),
    "schools_of_a_district": Scope(org_type="school", district_id=11, indicators=("databases",)),
    "a_curators_organisations": Scope(org_ids=frozenset({3, 1}), periods=("2023",)),
}


@pytest.mark.parametrize("name", sorted(SCOPES))
def test_the_indicator_sql_of_a_scope_is_the_reviewed_one(name):
    sql, params = indicator_sql(SCOPES[name])
    text = f"{sql.strip()}\n-- parameters: {json.dumps(params, ensure_ascii=False)}\n"
    path = SNAPSHOTS / f"indicators_{name}.sql"
    if os.environ.get("MONITORING_UPDATE_SNAPSHOTS"):
        path.write_text(text, encoding="utf-8")
    assert text == path.read_text(encoding="utf-8")
