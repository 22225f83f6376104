"""One school is one organisation, however its name is spelled and whichever file names
it: by ИНН when there is one, else by its normalised name within its municipality."""

from __future__ import annotations

import pytest

from analytics.compute.lookups import non_reporting
from analytics.ingest.load import ingest_bytes, ingest_file, preview
from analytics.ingest.parse import Defaults
from analytics.model.contract import FormKind
from tests.filemakers import FORM_COLUMNS, csv_bytes, org, table, write_xlsx

REGION = "Удмуртская Республика"


def upload(db, orgs, period="2023", municipality="г. Глазов", columns=FORM_COLUMNS, name="f.csv"):
    defaults = Defaults(region=REGION, municipality=municipality, period=period)
    return ingest_bytes(db, name, csv_bytes(table(orgs, columns)), defaults=defaults)


def organisations(db) -> list[list[object]]:
    return db.query(
        "SELECT o.name, o.inn, m.name AS municipality, "
        "(SELECT count(*) FROM form_values f WHERE f.org_id = o.org_id) AS forms "
        "FROM organizations o JOIN municipalities m USING (municipality_id) ORDER BY o.org_id"
    ).values.tolist()


def test_one_school_spelled_three_ways_in_three_files_is_one_organisation(fresh_db):
    upload(fresh_db, [org("МБОУ «СОШ № 5»")], period="2021")
    upload(fresh_db, [org('мбоу "сош №5"')], period="2022")
    result = upload(fresh_db, [org("МБОУ СОШ N5")], period="2023")
    assert result.new_organizations == 0
    assert organisations(fresh_db) == [["МБОУ СОШ N5", None, "г. Глазов", 3]]


def test_a_second_spelling_of_a_known_school_counts_as_no_new_organisation_in_a_preview(
    fresh_db,
):
    upload(fresh_db, [org("МБОУ «СОШ № 5»")])
    content = csv_bytes(table([org("МБОУ СОШ N 5"), org("МБОУ «СОШ № 6»")]))
    defaults = Defaults(region=REGION, municipality="г. Глазов", period="2023")
    result = preview(fresh_db, "f.csv", content, defaults=defaults)
    assert (result.new_organizations, result.replaced) == (1, 1)


def test_a_respelled_school_in_the_same_period_replaces_its_form(fresh_db):
    upload(fresh_db, [org("МБОУ «СОШ № 5»", teachers_total=40)])
    result = upload(fresh_db, [org('мбоу "сош №5"', teachers_total=42)])
    assert result.replaced == 1
    assert fresh_db.query("SELECT teachers_total FROM form_values").values.tolist() == [[42]]


def test_the_same_name_in_two_municipalities_is_two_organisations(fresh_db):
    upload(fresh_db, [org("МБОУ «СОШ № 1»")], municipality="г. Глазов")
    upload(fresh_db, [org("МБОУ «СОШ № 1»")], municipality="г. Сарапул")
    assert organisations(fresh_db) == [
        ["МБОУ «СОШ № 1»", None, "г. Глазов", 1],
        ["МБОУ «СОШ № 1»", None, "г. Сарапул", 1],
    ]


def test_a_municipality_written_in_another_case_is_the_same_municipality(fresh_db):
    upload(fresh_db, [org("МБОУ «СОШ № 1»")], municipality="г. Глазов", period="2022")
    upload(fresh_db, [org("МБОУ «СОШ № 1»")], municipality="Г. ГЛАЗОВ", period="2023")
    assert fresh_db.scalar("SELECT count(*) FROM municipalities") == 1
    assert fresh_db.scalar("SELECT count(*) FROM organizations") == 1


def test_the_same_inn_under_a_new_name_is_one_organisation_that_takes_the_new_name(fresh_db):
    columns = ["inn", *FORM_COLUMNS]
    upload(fresh_db, [org("МБОУ «СОШ № 5»", inn="1833383617")], period="2022", columns=columns)
    upload(
        fresh_db,
        [org("МАОУ «Лицей № 5»", inn="1833383617")],
        period="2023",
        columns=columns,
    )
    assert organisations(fresh_db) == [["МАОУ «Лицей № 5»", "1833383617", "г. Глазов", 2]]


def test_two_schools_of_the_same_name_with_different_inns_stay_apart(fresh_db):
    columns = ["inn", *FORM_COLUMNS]
    upload(fresh_db, [org("МБОУ «СОШ № 5»", inn="1833383617")], columns=columns)
    upload(fresh_db, [org("МБОУ «СОШ № 5»", inn="1833391537")], columns=columns)
    assert [row[1] for row in organisations(fresh_db)] == ["1833383617", "1833391537"]


def test_a_school_known_by_name_gets_its_inn_from_a_later_file(fresh_db):
    upload(fresh_db, [org("МБОУ «СОШ № 5»")], period="2022")
    upload(
        fresh_db,
        [org("МБОУ СОШ № 5", inn="1833383617")],
        period="2023",
        columns=["inn", *FORM_COLUMNS],
    )
    assert organisations(fresh_db) == [["МБОУ СОШ № 5", "1833383617", "г. Глазов", 2]]


def test_a_nine_digit_numeric_inn_from_excel_gets_its_leading_zero_back(fresh_db, tmp_path):
    rows = table([org("МБОУ «СОШ № 5»", inn=833383615)], columns=["inn", *FORM_COLUMNS])
    defaults = Defaults(region=REGION, municipality="г. Глазов", period="2022")
    ingest_file(fresh_db, write_xlsx(tmp_path / "f.xlsx", {"ОО": rows}), defaults=defaults)
    assert fresh_db.scalar("SELECT inn FROM organizations") == "0833383615"


def test_an_inn_typed_as_text_with_its_zero_matches_the_one_excel_stored_as_a_number(
    fresh_db, tmp_path
):
    rows = table([org("МБОУ «СОШ № 5»", inn=833383615)], columns=["inn", *FORM_COLUMNS])
    defaults = Defaults(region=REGION, municipality="г. Глазов", period="2022")
    ingest_file(fresh_db, write_xlsx(tmp_path / "f.xlsx", {"ОО": rows}), defaults=defaults)
    upload(
        fresh_db,
        [org("Школа № 5", inn="0833383615")],
        period="2023",
        columns=["inn", *FORM_COLUMNS],
    )
    assert organisations(fresh_db) == [["Школа № 5", "0833383615", "г. Глазов", 2]]


def test_one_school_in_two_periods_of_one_file_is_one_organisation_with_two_forms(fresh_db):
    orgs = [org("МБОУ «СОШ № 5»", period="2022"), org("МБОУ СОШ N5", period="2023")]
    result = upload(fresh_db, orgs, columns=["period", *FORM_COLUMNS])
    assert result.rows == 2
    assert organisations(fresh_db) == [["МБОУ СОШ N5", None, "г. Глазов", 2]]


@pytest.mark.parametrize("other", ['мбоу "сош №5"', "МБОУ СОШ N5", "МБОУ  «СОШ  № 5»"])
def test_a_form_for_a_registry_school_spelled_differently_counts_as_its_report(fresh_db, other):
    defaults = Defaults(region=REGION, municipality="г. Глазов", org_type="school")
    schools = [org("МБОУ «СОШ № 5»"), org("МБОУ «СОШ № 6»")]
    registry = csv_bytes(table(schools, ["org_name", "org_type"]))
    ingest_bytes(fresh_db, "реестр.csv", registry, FormKind.REGISTRY, defaults)
    upload(fresh_db, [org(other)])
    assert non_reporting(fresh_db, "2023")["organization"].tolist() == ["МБОУ «СОШ № 6»"]


def test_a_later_file_without_the_inn_still_finds_the_school_by_name_and_keeps_its_inn(fresh_db):
    columns = ["inn", *FORM_COLUMNS]
    upload(fresh_db, [org("МБОУ «СОШ № 5»", inn="1833383617")], period="2022", columns=columns)
    upload(fresh_db, [org("МБОУ СОШ №5")], period="2023")
    assert organisations(fresh_db) == [["МБОУ СОШ №5", "1833383617", "г. Глазов", 2]]
