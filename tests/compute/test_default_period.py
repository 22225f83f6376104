"""The period screens open on: the latest one with substantial reporting, so the first
few forms of a new period do not replace last year's complete picture for everyone."""

from __future__ import annotations

from pathlib import Path

from analytics.compute import lookups
from analytics.ingest.load import ingest_bytes
from analytics.ingest.parse import Defaults
from analytics.store.db import Database
from tests.apptest import open_page
from tests.filemakers import csv_bytes, org, table
from tests.townfiles import PERIOD, REGION, TOWN, load_town, numbered_school

NEXT = "2024/2025"


def send_forms(db: Database, count: int, period: str = NEXT) -> None:
    rows = table(org(numbered_school(k)) for k in range(1, count + 1))
    ingest_bytes(
        db,
        f"формы_{period.replace('/', '-')}.csv",
        csv_bytes(rows),
        defaults=Defaults(region=REGION, municipality=TOWN, period=period),
    )


def test_without_data_there_is_no_default_period(fresh_db):
    assert lookups.default_period(fresh_db) is None


def test_a_new_period_with_three_forms_of_a_90_school_registry_is_not_the_default(fresh_db):
    load_town(fresh_db)
    send_forms(fresh_db, 3)
    assert lookups.periods(fresh_db)[-1] == NEXT
    assert lookups.default_period(fresh_db) == PERIOD


def test_the_new_period_becomes_the_default_at_half_the_registry(fresh_db):
    load_town(fresh_db)
    send_forms(fresh_db, 44)
    assert lookups.default_period(fresh_db) == PERIOD
    send_forms(fresh_db, 45)
    assert lookups.default_period(fresh_db) == NEXT


def test_without_a_registry_half_the_previous_periods_forms_count(fresh_db):
    send_forms(fresh_db, 40, PERIOD)
    send_forms(fresh_db, 19)
    assert lookups.default_period(fresh_db) == PERIOD
    send_forms(fresh_db, 20)
    assert lookups.default_period(fresh_db) == NEXT


def test_the_screens_open_on_the_default_period_and_say_why(demo_db_path: Path, monkeypatch):
    with Database(demo_db_path) as db:
        latest = lookups.periods(db)[-1]
        registry = int(db.scalar("SELECT count(*) FROM registry"))
        first = db.query(
            "SELECT o.name, m.name AS municipality, r.name AS region FROM registry "
            "JOIN organizations o USING (org_id) JOIN municipalities m USING (municipality_id) "
            "JOIN regions r USING (region_id) ORDER BY o.org_id LIMIT 1"
        ).iloc[0]
        ingest_bytes(
            db,
            "первая_форма.csv",
            csv_bytes(table([org(first["name"])])),
            defaults=Defaults(
                region=first["region"], municipality=first["municipality"], period="2030/2031"
            ),
        )
        assert registry > 2

    at = open_page("dashboard.py")

    assert at.sidebar.selectbox(key="flt_period").value == latest
    captions = [c.value for c in at.sidebar.caption]
    assert any(
        c.endswith("за 2030/2031 уч. год данные ещё собираются, его можно выбрать в списке.")
        for c in captions
    ), captions
