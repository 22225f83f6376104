"""Derived tables follow their definitions: a database made with other indicator formulas
is derived anew when opened, and one made for another data contract is refused in
Russian; every engine error shares one base the command line and the pages catch."""

from __future__ import annotations

import dataclasses
import importlib
import inspect
import pkgutil

import pytest

import analytics
from analytics.ingest.load import ingest_bytes
from analytics.ingest.parse import Defaults
from analytics.model.catalogue import FORM_INDICATORS
from analytics.model.errors import MonitoringError
from analytics.store import aggregates
from analytics.store.db import Database, DatabaseOutdated
from tests.filemakers import csv_bytes, org, table

DEFAULTS = Defaults(region="Удмуртская Республика", municipality="г. Глазов", period="2023")


def one_school(db: Database, name: str = "МБОУ «СОШ № 1»", mentees: int = 6) -> None:
    ingest_bytes(
        db, f"{name}.csv", csv_bytes(table([org(name, mentees=mentees)])), defaults=DEFAULTS
    )


def test_an_edited_formula_is_applied_to_an_existing_database_when_it_opens(tmp_path, monkeypatch):
    path = tmp_path / "monitoring.duckdb"
    with Database(path) as db:
        one_school(db)
        assert db.scalar("SELECT n_mentor_load FROM org_values") == 6
    doubled = tuple(
        dataclasses.replace(i, numerator_sql=f"2 * ({i.numerator_sql})")
        if i.id == "mentor_load"
        else i
        for i in FORM_INDICATORS
    )
    monkeypatch.setattr(aggregates, "FORM_INDICATORS", doubled)

    with Database(path) as db:
        assert db.scalar("SELECT n_mentor_load FROM org_values") == 12


def test_an_added_indicator_is_derived_for_stored_forms_and_uploads_keep_working(
    tmp_path, monkeypatch
):
    path = tmp_path / "monitoring.duckdb"
    with Database(path) as db:
        one_school(db)
    extra = dataclasses.replace(FORM_INDICATORS[0], id="extra")
    monkeypatch.setattr(aggregates, "FORM_INDICATORS", (*FORM_INDICATORS, extra))

    with Database(path) as db:
        one_school(db, "МБОУ «СОШ № 2»")
        assert db.query("SELECT n_extra, d_extra FROM org_values").values.tolist() == [[1, 1]] * 2


def test_a_database_without_a_contract_column_is_refused_in_russian(tmp_path):
    path = tmp_path / "monitoring.duckdb"
    with Database(path) as db:
        cur = db.cursor()
        cur.execute("ALTER TABLE form_values DROP COLUMN satisfaction_pct")
        cur.close()

    with pytest.raises(DatabaseOutdated, match="в ней нет столбцов satisfaction_pct"):
        Database(path)


def test_every_error_the_engine_raises_for_a_person_shares_one_base():
    classes = [
        obj
        for module in pkgutil.walk_packages(analytics.__path__, "analytics.")
        if not module.name.endswith("__main__")
        for _, obj in inspect.getmembers(importlib.import_module(module.name))
        if inspect.isclass(obj)
        and issubclass(obj, Exception)
        and obj.__module__.startswith("analytics.")
    ]
    assert classes
    assert [c.__qualname__ for c in classes if not issubclass(c, MonitoringError)] == []
