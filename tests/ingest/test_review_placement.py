"""The review of a file's placement agrees with its load: the preview made with the choices
taken so far asks about every row the load would stop on, and lists every organisation the
load would create with the registered one most like it (issue 31, tests/cityfiles.py)."""

from __future__ import annotations

import pytest

from analytics.ingest.identity import NEW_ORGANISATION, Likeness, match_key, score
from analytics.ingest.load import Decisions, ingest_bytes, preview
from analytics.ingest.problems import ReviewNeeded
from analytics.model.contract import FormKind
from analytics.store.db import Database
from tests import cityfiles as city
from tests.filemakers import org_id

FILE = "адмиралтейский.xlsx"
SHEET = "Форма"


@pytest.fixture
def city_db(fresh_db: Database) -> Database:
    """A database holding the published registry of Санкт-Петербург."""
    ingest_bytes(fresh_db, "реестр.csv", city.registry_csv(), FormKind.REGISTRY)
    return fresh_db


def asked(db: Database, decisions: Decisions | None = None) -> dict[int, list[str]]:
    """The rows the preview asks about, each with its candidates' names."""
    result = preview(db, FILE, city.district_xlsx(), decisions=decisions)
    return {u.row: [c.name for c in u.candidates] for u in result.unplaced}


def test_the_registry_holds_296_organisations_and_the_districts_file_nine_rows(city_db):
    rows = city.district_rows()
    assert city_db.scalar("SELECT count(*) FROM registry") == 296
    assert len(rows) == 9
    assert [r["org_name"] for r in rows].index(city.CTT_SHORT) + city.FIRST_ROW == 7
    assert [r["org_name"] for r in rows].index(city.DT_SHORT) + city.FIRST_ROW == 13


def test_the_first_preview_asks_about_row_7_only_with_three_candidates_at_95_percent(city_db):
    result = preview(city_db, FILE, city.district_xlsx())

    assert [u.row for u in result.unplaced] == [7]
    candidates = result.unplaced[0].candidates
    assert sorted(c.name for c in candidates) == sorted([city.CTT, city.DDT, city.DT])
    assert [c.score for c in candidates] == [95.1, 95.1, 95.1]


def test_the_preview_with_row_7_placed_asks_about_row_13_which_the_load_stops_on(city_db):
    decisions = Decisions({(SHEET, 7): org_id(city_db, city.CTT)})

    result = preview(city_db, FILE, city.district_xlsx(), decisions=decisions)

    assert [u.row for u in result.unplaced] == [13]
    assert result.awaiting(decisions)
    with pytest.raises(ReviewNeeded) as stopped:
        ingest_bytes(city_db, FILE, city.district_xlsx(), decisions=decisions)
    assert [u.row for u in stopped.value.unplaced] == [13]


def test_row_7_as_a_new_organisation_makes_row_13_doubtful_too(city_db):
    decisions = Decisions({(SHEET, 7): NEW_ORGANISATION})

    assert list(asked(city_db, decisions)) == [13]
    assert city.CTT_SHORT in asked(city_db, decisions)[13]


def test_with_both_rows_placed_nothing_awaits_and_nine_of_296_registered_report(city_db):
    decisions = Decisions(
        {(SHEET, 7): org_id(city_db, city.CTT), (SHEET, 13): org_id(city_db, city.DT)}
    )
    result = preview(city_db, FILE, city.district_xlsx(), decisions=decisions)
    assert not result.awaiting(decisions)
    assert result.created == []

    loaded = ingest_bytes(city_db, FILE, city.district_xlsx(), decisions=decisions)

    assert loaded.new_organizations == 0
    assert city_db.scalar("SELECT count(*) FROM organizations") == 296
    reporting = city_db.scalar(
        "SELECT count(*) FROM registry r JOIN form_values f USING (org_id) WHERE f.period = ?",
        [city.PERIOD],
    )
    assert reporting == 9


def test_all_rows_new_lists_both_rows_it_creates_with_their_closest_registered_ones(city_db):
    decisions = Decisions(new_orgs=True)

    result = preview(city_db, FILE, city.district_xlsx(), decisions=decisions)

    listed = [(c.row, c.name, c.closest.name, c.closest.score) for c in result.created]
    assert listed == [
        (7, city.CTT_SHORT, city.CTT, 95.1),
        (13, city.DT_SHORT, city.DT, 97.2),
    ]
    assert result.created[1].closest.inn == city.inn_of(2)
    loaded = ingest_bytes(city_db, FILE, city.district_xlsx(), decisions=decisions)
    created = city_db.query(
        "SELECT name FROM organizations WHERE org_id NOT IN (SELECT org_id FROM registry) "
        "ORDER BY org_id"
    )["name"].tolist()
    assert loaded.new_organizations == 2
    assert created == [city.CTT_SHORT, city.DT_SHORT]


def test_an_unplaced_row_names_the_registered_organisations_of_its_type_most_like_it(city_db):
    result = preview(city_db, FILE, city.district_xlsx())

    row = result.unplaced[0]
    assert sorted(c.name for c in row.registered) == sorted([city.CTT, city.DDT, city.DT])
    assert row.municipality_id == city_db.scalar(
        "SELECT municipality_id FROM municipalities WHERE name = ?", [city.DISTRICT]
    )


def test_a_row_not_offered_its_registered_school_names_it_first_among_those_like_it(fresh_db):
    ingest_bytes(fresh_db, "реестр.csv", city.chelyabinsk_registry_csv(), FormKind.REGISTRY)

    result = preview(fresh_db, "факел.csv", city.chelyabinsk_csv())

    (row,) = result.unplaced
    assert city.FAKEL not in [c.name for c in row.candidates]
    assert row.registered[0].name == city.FAKEL
    assert row.registered[0].inn == city.inn_of(7400)


def test_the_likeness_of_each_registered_name_is_its_score_as_the_matcher_computes_it():
    names = [city.CTT, city.DT, city.DDT, city.school_name("Адмиралтейский", 232), "№ 5", "5"]
    likeness = Likeness((n, name, ()) for n, name in enumerate(names))
    for written in (city.CTT_SHORT, city.DT_SHORT, "ГБОУ СОШ № 232", "5", "Школа"):
        found = dict(likeness.nearest(written, len(names)))
        expected = {n: score(match_key(written), match_key(name)) for n, name in enumerate(names)}
        assert found == pytest.approx(expected), written
