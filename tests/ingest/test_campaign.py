"""Every school counted once and every percentage equal to a hand count, over a two-year
campaign of files written the way municipalities write them (see ``tests/campaign.py``);
and the reproductions of issue 12, each a small case of its own.

"""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from openpyxl import Workbook

from analytics.compute.indicators import compute
from analytics.ingest.load import Decisions, ingest_bytes, preview
from analytics.ingest.parse import Defaults
from analytics.ingest.problems import IngestError, ReviewNeeded
from analytics.model.contract import FormKind
from analytics.store.db import Database
from tests import campaign as cp
from tests.filemakers import VALUE_CODES, csv_bytes, org, table, xlsx_bytes

SEED = 12


@pytest.fixture
def built(tmp_path: Path) -> cp.Campaign:
    return cp.build(SEED, tmp_path / "files")


@pytest.fixture
def loaded(fresh_db: Database, built: cp.Campaign) -> tuple[cp.Campaign, Database, cp.Log]:
    """The campaign uploaded into a fresh database."""
    return built, fresh_db, cp.load(fresh_db, built)


# --- the generator ---------------------------------------------------------------------


def test_every_organisation_of_the_campaign_has_its_own_inn_with_a_valid_check_digit(built):
    inns = [o.inn for o in built.orgs]
    assert len(set(inns)) == len(inns) == len(built.registered) + 2
    assert all(cp.is_valid_inn(inn) and not cp.is_valid_inn(cp.transposed(inn)) for inn in inns)


def test_year_twos_file_is_windows_1251_without_inn_and_uses_every_kind_of_respelling(built):
    text = built.year_two.content.decode("cp1251")
    assert "ИНН" not in text.splitlines()[0]
    assert set(cp.RESPELLINGS) <= built.respellings


# --- the campaign through the engine -----------------------------------------------------


def test_year_twos_preview_lists_exactly_the_two_new_schools_as_unplaced(loaded):
    campaign, _, log = loaded
    unplaced = {(u.sheet, u.row): u.name for u in log.year_two_preview.unplaced}
    expected = {
        key: name
        for key, name in campaign.year_two.written.items()
        if not campaign.year_two.rows[key].in_registry
    }
    assert unplaced == expected


def test_a_partial_reupload_is_refused_without_confirmation_and_changes_nothing(loaded):

    _, _, log = loaded
    assert isinstance(log.partial_refusal, ReviewNeeded)
    assert log.partial_changed_nothing


def test_the_campaign_makes_one_organisation_per_real_one_no_phantom_and_no_merge(loaded):
    campaign, db, _ = loaded
    stored = db.query("SELECT coalesce(inn, name) AS identity FROM organizations")
    identities = stored["identity"].tolist()
    assert len(identities) == len(campaign.orgs)
    assert sorted(identities) == sorted(campaign.identity(o) for o in campaign.orgs)


def test_every_form_row_of_every_file_lands_on_its_own_organisation(loaded):
    campaign, db, log = loaded
    for upload in [*campaign.year_one, campaign.year_two, campaign.partial]:
        expected = {key: campaign.identity(o) for key, o in upload.rows.items()}
        assert cp.landed(db, log.results[upload.name].upload_id) == expected, upload.name


def test_every_mentor_and_mentee_lands_on_their_own_organisation(loaded):
    campaign, db, log = loaded
    for upload, table_name in ((campaign.mentors, "mentors"), (campaign.mentees, "mentees")):
        expected = {key: campaign.identity(o) for key, o in upload.rows.items()}
        upload_id = log.results[upload.name].upload_id
        assert cp.landed(db, upload_id, table_name) == expected, upload.name


def test_registered_organisations_keep_the_registrys_name_type_and_territory(loaded):
    campaign, db, _ = loaded
    stored = db.query(
        "SELECT o.inn, o.name, o.org_type, m.name AS municipality, d.name AS district "
        "FROM organizations o JOIN municipalities m USING (municipality_id) "
        "LEFT JOIN districts d USING (district_id) WHERE o.inn IS NOT NULL ORDER BY o.inn"
    )
    expected = sorted(
        [o.inn, o.official, o.org_type, o.municipality, o.district] for o in campaign.registered
    )
    assert [[None if v is None or v != v else v for v in row] for row in stored.values] == expected


def test_every_indicator_at_every_level_and_period_equals_the_hand_computation(loaded):
    campaign, db, _ = loaded
    expected = cp.expected_indicators(campaign)
    actual = cp.engine_indicators(compute(db))
    assert cp.differences(expected, actual) == []


def test_the_reporting_rate_of_each_period_is_the_registrys_share_of_organisations_reporting(
    loaded,
):
    campaign, db, _ = loaded
    frame = compute(db)
    total = frame[(frame["indicator"] == "reporting") & (frame["level"] == "total")]
    registered = {o.inn for o in campaign.registered}
    expected = {
        period: (
            len({inn for inn, p in campaign.forms if p == period} & registered),
            len(registered),
        )
        for period in cp.PERIODS
    }
    assert {row.period: (row.numerator, row.denominator) for row in total.itertuples()} == expected


# --- reproductions of issue 12 -------------------------------------------------------------

CITY, OTHER = cp.CITY, cp.TOWN
REGISTRY_COLUMNS = ("region", "municipality", "district", "org_name", "inn", "org_type")


def inn(n: int) -> str:
    """A valid ИНН of Yakutia numbered ``n``."""
    first = f"1435{n:05d}"
    return first + cp.inn_check_digit(first)


def registry(*rows: dict[str, object]) -> bytes:
    """A registry with the contract's headers."""
    return csv_bytes(table([{"region": cp.REGION, **r} for r in rows], REGISTRY_COLUMNS))


def registered(name: str, number: int, org_type: str = "СОШ", **where: object) -> dict:
    """A registry row of the city with ИНН number ``number``."""
    row = {"org_name": name, "inn": inn(number), "org_type": org_type, "municipality": CITY}
    return row | where


SCHOOL_5_NAME = (
    "Муниципальное бюджетное общеобразовательное учреждение «Средняя общеобразовательная школа № 5»"
)
SCHOOL_5 = registered(SCHOOL_5_NAME, 5, district="Октябрьский округ")
SCHOOL_1 = registered("МБОУ «СОШ № 1»", 1, district="Октябрьский округ")
GARDEN = registered("МБДОУ «Детский сад «Күннэй»»", 7, org_type="детский сад")


def form(
    rows: list[dict[str, object]],
    columns: tuple[str, ...] = ("org_name", *VALUE_CODES),
    municipality: str | None = CITY,
    org_type: str | None = "школа",
    period: str = "2023/2024",
) -> tuple[bytes, Defaults]:
    """A form's bytes and the defaults typed at its upload."""
    defaults = Defaults(
        region=cp.REGION, municipality=municipality, org_type=org_type, period=period
    )
    return csv_bytes(table(rows, columns)), defaults


def load_registry(db: Database, *rows: dict[str, object]) -> None:
    ingest_bytes(db, "реестр.csv", registry(*rows), FormKind.REGISTRY, Defaults())


def organisations(db: Database) -> list[list[object]]:
    return db.query(
        "SELECT o.name, o.inn, o.org_type, m.name AS municipality FROM organizations o "
        "JOIN municipalities m USING (municipality_id) ORDER BY o.org_id"
    ).values.tolist()


def test_a_second_years_form_with_a_district_and_a_new_school_loads_where_districts_exist(
    fresh_db,
):
    columns = ("org_name", "district", *VALUE_CODES)
    first = [org("МБОУ «СОШ № 1»", district="Октябрьский округ")]
    content, defaults = form(first, columns, period="2022/2023")
    ingest_bytes(fresh_db, "2023.csv", content, defaults=defaults)
    second = [*first, org("МБОУ «СОШ № 40»", district="Октябрьский округ")]
    content, defaults = form(second, columns)
    result = ingest_bytes(fresh_db, "2024.csv", content, defaults=defaults)
    assert result.new_organizations == 1
    assert fresh_db.query(
        "SELECT o.name, d.name FROM organizations o JOIN districts d USING (district_id) "
        "ORDER BY o.org_id"
    ).values.tolist() == [
        ["МБОУ «СОШ № 1»", "Октябрьский округ"],
        ["МБОУ «СОШ № 40»", "Октябрьский округ"],
    ]


def test_a_second_years_form_with_a_district_and_a_renamed_school_loads_where_districts_exist(
    fresh_db,
):
    columns = ("org_name", "inn", "district", *VALUE_CODES)
    first = [org("МБОУ «СОШ № 1»", inn=inn(1), district="Октябрьский округ")]
    content, defaults = form(first, columns, period="2022/2023")
    ingest_bytes(fresh_db, "2023.csv", content, defaults=defaults)
    renamed = [org("МБОУ «Гимназия № 1»", inn=inn(1), district="Октябрьский округ")]
    content, defaults = form(renamed, columns)
    result = ingest_bytes(fresh_db, "2024.csv", content, defaults=defaults)
    assert result.new_organizations == 0
    assert fresh_db.query(
        "SELECT o.inn, d.name, count(*) FROM form_values JOIN organizations o USING (org_id) "
        "JOIN districts d USING (district_id) GROUP BY ALL"
    ).values.tolist() == [[inn(1), "Октябрьский округ", 2]]


def test_a_registry_uploaded_again_without_a_new_organisation_loads_and_creates_none(
    fresh_db,
):
    load_registry(fresh_db, SCHOOL_5, SCHOOL_1)
    result = ingest_bytes(fresh_db, "реестр.csv", registry(SCHOOL_5, SCHOOL_1), FormKind.REGISTRY)
    assert (result.new_organizations, result.replaced) == (0, 2)
    assert fresh_db.scalar("SELECT count(*) FROM registry") == 2


def test_a_row_with_inn_and_a_short_name_leaves_the_registry_name_so_a_row_without_matches(
    fresh_db,
):
    load_registry(fresh_db, SCHOOL_5)
    content, defaults = form(
        [org("МБОУ «СОШ № 5»", inn=inn(5))], ("org_name", "inn", *VALUE_CODES), period="2022/2023"
    )
    ingest_bytes(fresh_db, "2023.csv", content, defaults=defaults)
    content, defaults = form([org(SCHOOL_5["org_name"])])
    result = ingest_bytes(fresh_db, "2024.csv", content, defaults=defaults)
    assert result.new_organizations == 0
    assert organisations(fresh_db) == [[SCHOOL_5["org_name"], inn(5), "school", CITY]]


@pytest.mark.parametrize(
    "written",
    [
        "МБОУ «CОШ № 5»",  # Latin С
        "MБOУ «СОШ №5»",  # Latin М and О
        "Муниципальное бюджетное общеобразовательное учреждение «СОШ N 5»",
        "МБОУ СОШ № 5",
        'МБОУ ""Средняя общеобразовательная школа № 5""',
    ],
)
def test_a_registry_school_respelled_without_inn_is_placed_on_it(fresh_db, written):
    load_registry(fresh_db, SCHOOL_5, SCHOOL_1)
    content, defaults = form([org(written)])
    assert preview(fresh_db, "f.csv", content, FormKind.ORG_FORM, defaults).unplaced == []
    ingest_bytes(fresh_db, "f.csv", content, defaults=defaults)
    assert fresh_db.query(
        "SELECT o.inn FROM form_values JOIN organizations o USING (org_id)"
    ).values.tolist() == [[inn(5)]]


def test_a_kindergarten_with_its_national_letters_respelled_is_placed_on_it(fresh_db):
    load_registry(fresh_db, GARDEN)
    content, defaults = form([org("МБДОУ «Детский сад «Куннэй»»")], org_type="ДОУ")
    ingest_bytes(fresh_db, "f.csv", content, defaults=defaults)
    assert organisations(fresh_db) == [[GARDEN["org_name"], inn(7), "preschool", CITY]]


def test_school_15_is_not_taken_for_school_5_but_shown_for_review(fresh_db):

    load_registry(fresh_db, SCHOOL_5, SCHOOL_1)
    content, defaults = form([org("МБОУ «СОШ № 15»")])
    unplaced = preview(fresh_db, "f.csv", content, FormKind.ORG_FORM, defaults).unplaced
    assert [(u.sheet, u.row, u.name) for u in unplaced] == [("", 2, "МБОУ «СОШ № 15»")]
    with pytest.raises(ReviewNeeded):
        ingest_bytes(fresh_db, "f.csv", content, defaults=defaults)
    assert fresh_db.scalar("SELECT count(*) FROM form_values") == 0


def test_an_org_type_given_at_upload_does_not_change_a_registered_kindergartens_type(fresh_db):
    load_registry(fresh_db, GARDEN, SCHOOL_1)
    content, defaults = form([org(GARDEN["org_name"]), org("МБОУ «СОШ № 1»")], org_type="школа")
    ingest_bytes(fresh_db, "f.csv", content, defaults=defaults)
    assert [row[2] for row in organisations(fresh_db)] == ["preschool", "school"]


def moved_form(given_in_the_file: bool) -> tuple[bytes, Defaults]:
    """School № 1 of the city, by its ИНН, in a file of another municipality: named in the
    row's own cell, or only typed at upload."""
    row = org("МБОУ «СОШ № 1»", inn=inn(1), municipality=OTHER)
    if given_in_the_file:
        return form([row], ("org_name", "municipality", "inn", *VALUE_CODES))
    return form([row], ("org_name", "inn", *VALUE_CODES), municipality=OTHER)


def test_a_municipality_typed_at_upload_never_moves_a_school_found_by_inn(fresh_db):
    load_registry(fresh_db, SCHOOL_1)
    content, defaults = moved_form(given_in_the_file=False)
    checked = preview(fresh_db, "f.csv", content, FormKind.ORG_FORM, defaults)
    ingest_bytes(fresh_db, "f.csv", content, defaults=defaults)
    assert [w.message for w in checked.warnings] == [
        f"организация числится в муниципалитете «{CITY}»; муниципалитет, указанный при "
        "загрузке, к ней не применён"
    ]
    assert organisations(fresh_db) == [["МБОУ «СОШ № 1»", inn(1), "school", CITY]]


def load_unregistered_school_1(db: Database) -> int:
    """School № 1 of the city made by a form, where the city has no registry."""
    content, defaults = form([org("МБОУ «СОШ № 1»", inn=inn(1))], ("org_name", "inn", *VALUE_CODES))
    ingest_bytes(db, "первая.csv", content, defaults=defaults)
    return int(db.scalar("SELECT org_id FROM organizations"))


def test_a_row_that_names_another_municipality_is_shown_and_not_moved_unseen(fresh_db):
    load_unregistered_school_1(fresh_db)
    content, defaults = moved_form(given_in_the_file=True)
    moves = preview(fresh_db, "f.csv", content, FormKind.ORG_FORM, defaults).moves
    assert [(m.row, m.from_municipality, m.to_municipality) for m in moves] == [(2, CITY, OTHER)]
    with pytest.raises(ReviewNeeded):
        ingest_bytes(fresh_db, "f.csv", content, defaults=defaults)
    assert organisations(fresh_db) == [["МБОУ «СОШ № 1»", inn(1), "school", CITY]]
    assert fresh_db.scalar("SELECT count(*) FROM form_values") == 1


def test_a_confirmed_move_between_municipalities_moves_an_unregistered_school_with_its_form(
    fresh_db,
):
    org_id = load_unregistered_school_1(fresh_db)
    content, defaults = moved_form(given_in_the_file=True)
    decisions = Decisions(choices={("", 2): org_id})
    ingest_bytes(fresh_db, "f.csv", content, defaults=defaults, decisions=decisions)
    assert organisations(fresh_db) == [["МБОУ «СОШ № 1»", inn(1), "school", OTHER]]
    assert fresh_db.scalar("SELECT DISTINCT org_id FROM form_values") == org_id


def test_a_row_chosen_for_a_registered_school_in_another_municipality_is_refused(fresh_db):
    load_registry(fresh_db, SCHOOL_1)
    org_id = fresh_db.scalar("SELECT org_id FROM organizations")
    content, defaults = moved_form(given_in_the_file=True)
    decisions = Decisions(choices={("", 2): org_id}, move_orgs=True)
    with pytest.raises(IngestError) as refused:
        ingest_bytes(fresh_db, "f.csv", content, defaults=defaults, decisions=decisions)
    assert [(p.row, p.column, p.value) for p in refused.value.problems] == [
        (2, "Муниципалитет", OTHER)
    ]
    assert organisations(fresh_db) == [["МБОУ «СОШ № 1»", inn(1), "school", CITY]]


def test_a_transposed_inn_is_an_error_naming_its_cell_and_nothing_is_written(fresh_db):
    load_registry(fresh_db, SCHOOL_1)
    wrong = cp.transposed(inn(1))
    content, defaults = form([org("МБОУ «СОШ № 1»", inn=wrong)], ("org_name", "inn", *VALUE_CODES))
    with pytest.raises(IngestError) as refused:
        ingest_bytes(fresh_db, "f.csv", content, defaults=defaults)
    assert [(p.row, p.column, p.value) for p in refused.value.problems] == [(2, "ИНН", wrong)]
    assert fresh_db.scalar("SELECT count(*) FROM organizations") == 1


PARTIAL_COLUMNS = tuple(c for c in VALUE_CODES if c != "mentors")
THREE = ["МБОУ «СОШ № 1»", "МБОУ «СОШ № 2»", "МБОУ «СОШ № 3»"]


def three_complete_forms(db: Database) -> None:
    rows = [org(name, inn=inn(n)) for n, name in enumerate(THREE, start=1)]
    content, defaults = form(rows, ("org_name", "inn", *VALUE_CODES))
    ingest_bytes(db, "полная.csv", content, defaults=defaults)


def test_a_form_without_the_inn_and_mentors_columns_does_not_replace_complete_ones_unasked(
    fresh_db,
):

    three_complete_forms(fresh_db)
    before = cp.stored(fresh_db)
    content, defaults = form(
        [org(name, mentors=None) for name in THREE], ("org_name", *PARTIAL_COLUMNS)
    )
    with pytest.raises(ReviewNeeded):
        ingest_bytes(fresh_db, "частичная.csv", content, defaults=defaults)
    assert cp.stored(fresh_db) == before


def test_a_form_with_fewer_answers_replaces_complete_ones_when_confirmed(fresh_db):
    three_complete_forms(fresh_db)
    content, defaults = form(
        [org(name, mentors=None) for name in THREE], ("org_name", *PARTIAL_COLUMNS)
    )
    result = ingest_bytes(
        fresh_db,
        "частичная.csv",
        content,
        defaults=defaults,
        decisions=Decisions(replace_partial=True),
    )
    assert result.replaced == 3
    rows = (
        fresh_db.cursor()
        .execute("SELECT mentors, teachers_total FROM form_values ORDER BY org_id")
        .fetchall()
    )
    assert rows == [(None, 40)] * 3


def test_a_base_of_mentors_without_territory_columns_finds_schools_by_inn_or_name(fresh_db):
    load_registry(fresh_db, SCHOOL_5, SCHOOL_1)
    header = ["ФИО наставника", "Наименование ОО", "ИНН", "Форма наставничества"]
    rows = [
        header,
        ["Иванова Анна Петровна", "МБОУ «СОШ № 1»", inn(1), "педагог – педагог"],
        ["Петрова Мария Ивановна", "МБОУ «СОШ № 5»", None, "педагог – педагог"],
    ]
    defaults = Defaults(period="2023/2024")
    ingest_bytes(fresh_db, "наставники.csv", csv_bytes(rows), FormKind.MENTORS, defaults)
    assert fresh_db.query(
        "SELECT m.source_row, o.inn FROM mentors m JOIN organizations o USING (org_id) ORDER BY 1"
    ).values.tolist() == [[2, inn(1)], [3, inn(5)]]


def test_a_registry_with_published_headers_and_official_type_names_loads(fresh_db):
    rows = [
        ["Наименование", "ИНН", "Тип ОО", "Муниципалитет", "Район", "Адрес"],
        [SCHOOL_5["org_name"], inn(5), "Общеобразовательная организация", CITY,
         "Октябрьский округ", "г. Якутск, ул. Ленина, 1"],
        [GARDEN["org_name"], inn(7), "Дошкольная образовательная организация", CITY, None,
         "г. Якутск, ул. Лермонтова, 2"],
    ]  # fmt: skip
    content = xlsx_bytes({"Реестр": rows})
    ingest_bytes(fresh_db, "реестр.xlsx", content, FormKind.REGISTRY, Defaults(region=cp.REGION))
    assert organisations(fresh_db) == [
        [SCHOOL_5["org_name"], inn(5), "school", CITY],
        [GARDEN["org_name"], inn(7), "preschool", CITY],
    ]


def test_a_hidden_archive_sheet_is_not_loaded(fresh_db):
    workbook = Workbook()
    visible = workbook.active
    visible.title = "2023-2024"
    archive = workbook.create_sheet("Архив")
    archive.sheet_state = "hidden"
    for sheet, period in ((visible, "2023/2024"), (archive, "2022/2023")):
        for row in table(
            [org("МБОУ «СОШ № 1»", period=period)], ("org_name", "period", *VALUE_CODES)
        ):
            sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    defaults = Defaults(region=cp.REGION, municipality=CITY, org_type="школа")
    ingest_bytes(fresh_db, "формы.xlsx", buffer.getvalue(), defaults=defaults)
    assert fresh_db.query("SELECT period FROM form_values").values.tolist() == [["2023/2024"]]
