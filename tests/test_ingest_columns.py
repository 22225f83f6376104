"""The ingest benchmark's guard: a digest of every stored table that two loads of the same
files share and that one changed answer changes."""

from __future__ import annotations

from pathlib import Path

import pytest

from analytics.ingest.load import ingest_file
from analytics.store.db import Database
from benchmarks.ingest_columns import table_digests
from benchmarks.national import generate


@pytest.fixture(scope="module")
def smallest(tmp_path_factory: pytest.TempPathFactory):
    return generate("1", tmp_path_factory.mktemp("national") / "files")


def _loaded(path: Path, data) -> Path:
    with Database(path) as db:
        for f in [*data.registry, *data.csv]:
            ingest_file(db, f.path, f.kind)
    return path


def test_two_loads_of_the_same_files_store_tables_of_the_same_digest(smallest, tmp_path):
    first = table_digests(_loaded(tmp_path / "a" / "forms.duckdb", smallest))
    second = table_digests(_loaded(tmp_path / "b" / "forms.duckdb", smallest))
    assert "form_values" in first
    assert first == second


def test_one_changed_answer_changes_the_digests_of_the_forms_and_the_data_version(
    smallest, tmp_path
):
    before = table_digests(_loaded(tmp_path / "a" / "forms.duckdb", smallest))
    changed = _loaded(tmp_path / "b" / "forms.duckdb", smallest)
    with Database(changed) as db, db.transaction() as cur:
        cur.execute(
            "UPDATE form_values SET has_curator = NOT has_curator "
            "WHERE org_id = (SELECT min(org_id) FROM form_values) "
            "AND period = (SELECT min(period) FROM form_values)"
        )
    after = table_digests(changed)
    # meta: the data version, which every committed write advances.
    assert sorted(t for t in before if before[t] != after[t]) == ["form_values", "meta"]
