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


def test_the_registry_holds_296_organisations_and_the_districts_file_nine_rows(city_db):
    rows = city.district_rows()
    assert city_db.scalar("SELECT count(*) FROM registry") == 296
    assert len(rows) == 9
    assert [r["org_name"] for r in rows].index(city.CTT_SHORT) + city.FIRST_ROW == 7
    assert [r["org_name"] for r in rows].index(city.DT_SHORT) + city.FIRST_ROW == 13


def districts_file_with(name: str) -> bytes:
    """The district's file with one more organisation of additional education (row 14)."""
    extra = {**city.district_rows()[2], "org_name": name}
    return city.district_xlsx([*city.district_rows(), extra])


# A centre of additional education the registry does not hold: its initials abbreviate no
# registered name, so every organisation of the district without a number is alike.
DYC_SHORT = "ГБУ ДО ДЮЦ Адмиралтейского района Санкт-Петербурга"


def test_the_ctt_and_dt_rows_land_on_their_registered_organisations_with_no_question(city_db):
    result = preview(city_db, FILE, city.district_xlsx())
    assert result.unplaced == []
    assert result.created == []

    loaded = ingest_bytes(city_db, FILE, city.district_xlsx())

    placed = dict(
        city_db.query(
            "SELECT o.name, f.org_id FROM form_values f JOIN organizations o USING (org_id) "
            "WHERE o.name IN (?, ?)",
            [city.CTT, city.DT],
        ).itertuples(index=False)
    )
    assert placed == {city.CTT: org_id(city_db, city.CTT), city.DT: org_id(city_db, city.DT)}
    assert loaded.new_organizations == 0
    assert city_db.scalar("SELECT count(*) FROM organizations") == 296


def test_the_ctt_short_name_scores_100_against_the_ctt_and_95_against_the_others():
    written = match_key(city.CTT_SHORT)

    assert score(written, match_key(city.CTT)) == 100.0
    assert round(score(written, match_key(city.DT)), 1) == 95.1
    assert round(score(written, match_key(city.DDT)), 1) == 95.1


def test_row_7_chosen_by_hand_as_another_organisation_leaves_row_13_on_the_dt(city_db):
    decisions = Decisions({(SHEET, 7): org_id(city_db, city.DDT)})

    result = preview(city_db, FILE, city.district_xlsx(), decisions=decisions)

    assert result.unplaced == []
    ingest_bytes(city_db, FILE, city.district_xlsx(), decisions=decisions)
    placed = city_db.query(
        "SELECT o.name FROM form_values f JOIN organizations o USING (org_id) "
        "WHERE o.name IN (?, ?, ?) ORDER BY o.name",
        [city.CTT, city.DDT, city.DT],
    )["name"].tolist()
    assert placed == sorted([city.DDT, city.DT])


def test_row_7_as_a_new_organisation_leaves_row_13_on_the_dt(city_db):
    decisions = Decisions({(SHEET, 7): NEW_ORGANISATION})

    result = preview(city_db, FILE, city.district_xlsx(), decisions=decisions)

    assert result.unplaced == []
    assert [(c.row, c.name) for c in result.created] == [(7, city.CTT_SHORT)]


def test_a_centre_no_initials_name_is_asked_about_and_the_load_stops_on_it_alone(city_db):
    content = districts_file_with(DYC_SHORT)

    result = preview(city_db, FILE, content)

    assert [u.row for u in result.unplaced] == [14]
    # The CTT scores a little more: row 7 taught it its short name, «ЦТТ …».
    offered = [(c.name, c.score) for c in result.unplaced[0].candidates]
    assert offered == [(city.CTT, 95.3), (city.DT, 95.1), (city.DDT, 95.1)]
    with pytest.raises(ReviewNeeded) as stopped:
        ingest_bytes(city_db, FILE, content)
    assert [u.row for u in stopped.value.unplaced] == [14]


def test_all_rows_new_creates_only_the_row_no_registered_organisation_holds(city_db):
    decisions = Decisions(new_orgs=True)
    content = districts_file_with(DYC_SHORT)

    result = preview(city_db, FILE, content, decisions=decisions)

    listed = [(c.row, c.name, c.closest.score) for c in result.created]
    assert listed == [(14, DYC_SHORT, 95.3)]
    loaded = ingest_bytes(city_db, FILE, content, decisions=decisions)
    created = city_db.query(
        "SELECT name FROM organizations WHERE org_id NOT IN (SELECT org_id FROM registry)"
    )["name"].tolist()
    assert loaded.new_organizations == 1
    assert created == [DYC_SHORT]


def test_an_unplaced_row_names_the_registered_organisations_of_its_type_most_like_it(city_db):
    result = preview(city_db, FILE, districts_file_with(DYC_SHORT))

    row = result.unplaced[0]
    assert sorted(c.name for c in row.registered) == sorted([city.CTT, city.DDT, city.DT])
    assert row.municipality_id == city_db.scalar(
        "SELECT municipality_id FROM municipalities WHERE name = ?", [city.DISTRICT]
    )


def test_the_fakel_written_by_its_initials_lands_on_the_registered_fakel(fresh_db):
    ingest_bytes(fresh_db, "реестр.csv", city.chelyabinsk_registry_csv(), FormKind.REGISTRY)

    result = preview(fresh_db, "факел.csv", city.chelyabinsk_csv())
    assert result.unplaced == []
    assert result.created == []

    ingest_bytes(fresh_db, "факел.csv", city.chelyabinsk_csv())
    assert fresh_db.scalar(
        "SELECT o.inn FROM form_values f JOIN organizations o USING (org_id)"
    ) == city.inn_of(7400)


def test_the_likeness_of_each_registered_name_is_its_score_as_the_matcher_computes_it():
    names = [city.CTT, city.DT, city.DDT, city.school_name("Адмиралтейский", 232), "№ 5", "5"]
    likeness = Likeness((n, name, ()) for n, name in enumerate(names))
    for written in (city.CTT_SHORT, city.DT_SHORT, "ГБОУ СОШ № 232", "5", "Школа"):
        found = dict(likeness.nearest(written, len(names)))
        expected = {n: score(match_key(written), match_key(name)) for n, name in enumerate(names)}
        assert found == pytest.approx(expected), written
