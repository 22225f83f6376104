"""Where a file's rows land: the registry is the municipality's master list, every name
an organisation was written with is remembered, and what the engine cannot place with
certainty (a new name, a move, a less complete form) waits for the user's decision."""

from __future__ import annotations

import io
from contextlib import redirect_stderr

import duckdb
import pandas as pd
import pytest

from analytics.cli.main import main
from analytics.compute.lookups import non_reporting
from analytics.ingest import aliases
from analytics.ingest.identity import NEW_ORGANISATION
from analytics.ingest.load import Decisions, ingest_bytes, preview
from analytics.ingest.parse import Defaults
from analytics.ingest.problems import IngestError, ReviewNeeded
from analytics.model.contract import FormKind
from analytics.store.db import Database, registered
from tests.filemakers import FORM_COLUMNS, csv_bytes, org, state, table

REGION = "Удмуртская Республика"
CITY = "г. Глазов"


def valid_inn(seed: int) -> str:
    """A 10-digit ИНН with a correct check digit, different for each seed."""
    digits = [int(d) for d in f"18{seed:07d}"]
    weights = (2, 4, 10, 3, 5, 9, 4, 6, 8)
    check = sum(w * d for w, d in zip(weights, digits, strict=True)) % 11 % 10
    return "".join(map(str, digits)) + str(check)


SCHOOL_5, SCHOOL_15, GARDEN = valid_inn(5), valid_inn(15), valid_inn(7)

REGISTRY = [
    {
        "org_name": "Муниципальное бюджетное общеобразовательное учреждение «Средняя "
        "общеобразовательная школа № 5»",
        "inn": SCHOOL_5,
        "org_type": "Общеобразовательная организация",
        "district": "Северный",
    },
    {
        "org_name": "МБОУ «СОШ № 15»",
        "inn": SCHOOL_15,
        "org_type": "школа",
        "district": "Южный",
    },
    {
        "org_name": "МБДОУ «Детский сад № 7 «Солнышко»»",
        "inn": GARDEN,
        "org_type": "детский сад",
        "district": "Северный",
    },
]


def load_registry(db, rows=REGISTRY):
    content = csv_bytes(table(rows, ["org_name", "inn", "org_type", "district"]))
    defaults = Defaults(region=REGION, municipality=CITY)
    return ingest_bytes(db, "реестр.csv", content, FormKind.REGISTRY, defaults)


def form_file(orgs, columns=FORM_COLUMNS) -> bytes:
    return csv_bytes(table(orgs, columns))


def defaults(period="2023", **given) -> Defaults:
    return Defaults(**{"region": REGION, "municipality": CITY, "period": period, **given})


def upload(db, orgs, columns=FORM_COLUMNS, decisions=None, user=None, **given):
    return ingest_bytes(
        db,
        "форма.csv",
        form_file(orgs, columns),
        defaults=defaults(**given),
        user=user,
        decisions=decisions,
    )


def names(db) -> list[tuple[str, int]]:
    return [
        tuple(row)
        for row in db.query(
            "SELECT o.name, count(f.org_id) FROM organizations o "
            "LEFT JOIN form_values f USING (org_id) GROUP BY o.org_id, o.name ORDER BY o.org_id"
        ).values.tolist()
    ]


# --- the registry is the master list ---------------------------------------------------


def test_a_form_row_without_inn_finds_its_registry_school_written_short(fresh_db):
    load_registry(fresh_db)

    result = upload(fresh_db, [org("МБОУ СОШ №5")])

    assert result.new_organizations == 0
    assert non_reporting(fresh_db, "2023")["organization"].tolist() == [
        "МБДОУ «Детский сад № 7 «Солнышко»»",
        "МБОУ «СОШ № 15»",
    ]


def test_a_row_with_inn_and_a_new_spelling_leaves_the_registry_name_on_display(fresh_db):
    load_registry(fresh_db)

    upload(fresh_db, [org("Школа № 15 (новое написание)", inn=SCHOOL_15)], ["inn", *FORM_COLUMNS])
    upload(fresh_db, [org("МБОУ «СОШ № 15»")], period="2024")

    assert names(fresh_db)[1] == ("МБОУ «СОШ № 15»", 2)
    assert aliases.listing(fresh_db)["alias"].tolist() == ["Школа № 15 (новое написание)"]


def test_a_spelling_learnt_with_an_inn_places_the_next_row_without_one(fresh_db):
    load_registry(fresh_db)
    upload(fresh_db, [org("Пятая школа № 5", inn=SCHOOL_5)], ["inn", *FORM_COLUMNS])

    result = upload(fresh_db, [org("пятая школа №5")], period="2024")

    assert result.new_organizations == 0
    assert names(fresh_db)[0][1] == 2


def test_a_spelling_met_on_an_inn_row_places_a_row_without_inn_further_down_the_file(fresh_db):
    # The first row is placed by ИНН alone; the names of its municipality are still read
    # because the second row is placed by name there.
    load_registry(fresh_db)
    rows = [
        org("Пятнадцатая школа", inn=SCHOOL_15, period="2023"),
        org("Пятнадцатая школа", period="2024"),
        org("МБДОУ «Детский сад № 7 «Солнышко»»", inn=GARDEN, period="2024"),
    ]

    result = upload(fresh_db, rows, ["inn", "period", *FORM_COLUMNS])

    assert (result.rows, result.new_organizations) == (3, 0)
    assert names(fresh_db) == [
        (REGISTRY[0]["org_name"], 0),
        ("МБОУ «СОШ № 15»", 2),
        ("МБДОУ «Детский сад № 7 «Солнышко»»", 1),
    ]


def test_school_5_is_never_taken_for_school_15(fresh_db):
    load_registry(fresh_db, REGISTRY[1:])

    checked = preview(
        fresh_db, "форма.csv", form_file([org("МБОУ «СОШ № 5»")]), defaults=defaults()
    )

    assert [(u.row, u.name) for u in checked.unplaced] == [(2, "МБОУ «СОШ № 5»")]
    # Offered all the same, as the municipality's organisations, each at 0 %.
    offered = checked.unplaced[0].candidates
    assert [c.name for c in offered][:1] == ["МБОУ «СОШ № 15»"]
    assert [c.score for c in offered] == [0.0] * len(offered)


def test_an_unknown_school_in_a_registry_municipality_is_shown_with_its_candidates(fresh_db):
    load_registry(fresh_db)

    checked = preview(
        fresh_db, "форма.csv", form_file([org("Школа № 5 им. Героев")]), defaults=defaults()
    )

    [row] = checked.unplaced
    assert row.reason == "в реестре муниципалитета нет организации с таким названием; выберите её"
    assert [(c.name, c.inn) for c in row.candidates][:1] == [(REGISTRY[0]["org_name"], SCHOOL_5)]
    assert len(row.candidates) == 3


def test_a_near_spelling_is_shown_as_like_a_known_school_but_not_taken(fresh_db):
    load_registry(fresh_db)

    checked = preview(
        fresh_db, "форма.csv", form_file([org("МБОУ «СШО № 15»")]), defaults=defaults()
    )

    [row] = checked.unplaced
    assert row.reason == "название похоже на известную организацию, но совпадение не полное"
    assert [c.name for c in row.candidates][:1] == ["МБОУ «СОШ № 15»"]
    assert 60 <= row.candidates[0].score < 90


def test_a_file_with_an_unplaced_row_writes_nothing_and_names_the_row(fresh_db):
    load_registry(fresh_db)
    before = state(fresh_db)

    with pytest.raises(ReviewNeeded) as refused:
        upload(fresh_db, [org("МБОУ «СОШ № 5»"), org("МБОУ «СОШ № 901»")])

    assert [(p.row, p.value) for p in refused.value.problems] == [(3, "МБОУ «СОШ № 901»")]
    assert refused.value.problems[0].message.startswith(
        "в реестре муниципалитета нет организации с таким названием; выберите её. Кандидаты: "
    )
    assert state(fresh_db) == before


def test_the_users_choice_places_the_row_and_is_remembered_for_the_next_file(fresh_db):
    load_registry(fresh_db)
    school = fresh_db.scalar("SELECT org_id FROM organizations WHERE inn = ?", [SCHOOL_5])

    upload(fresh_db, [org("Школа № 5 им. Героев")], decisions=Decisions(choices={("", 2): school}))
    again = upload(fresh_db, [org("школа №5 им героев")], period="2024")

    assert again.new_organizations == 0
    assert names(fresh_db)[0] == (REGISTRY[0]["org_name"], 2)


def test_a_row_confirmed_as_new_becomes_an_organisation(fresh_db):
    load_registry(fresh_db)

    result = upload(
        fresh_db,
        [org("МБОУ «СОШ № 901»")],
        decisions=Decisions(choices={("", 2): NEW_ORGANISATION}),
    )

    assert result.new_organizations == 1
    assert names(fresh_db)[-1] == ("МБОУ «СОШ № 901»", 1)


def test_two_rows_of_one_file_placed_on_one_organisation_are_an_error_naming_both(fresh_db):
    load_registry(fresh_db)

    with pytest.raises(IngestError) as refused:
        upload(fresh_db, [org("МБОУ «СОШ № 5»"), org("Средняя общеобразовательная школа № 5")])

    [problem] = refused.value.problems
    assert problem.row == 3
    assert problem.message.startswith(
        f"строка относится к той же организации «{REGISTRY[0]['org_name']}», что и строка 2"
    )


# --- nothing overwritten or moved unseen ------------------------------------------------


def test_an_upload_default_type_does_not_turn_a_registered_kindergarten_into_a_school(fresh_db):
    load_registry(fresh_db)

    upload(fresh_db, [org("МБДОУ д/с № 7 «Солнышко»")], ["org_name"], org_type="школа")

    assert fresh_db.scalar("SELECT org_type FROM organizations WHERE inn = ?", [GARDEN]) == (
        "preschool"
    )


def test_an_inn_row_uploaded_with_another_default_municipality_stays_where_it_is(fresh_db):
    load_registry(fresh_db)

    upload(
        fresh_db,
        [org("МБОУ «СОШ № 5»", inn=SCHOOL_5)],
        ["inn", *FORM_COLUMNS],
        municipality="г. Сарапул",
    )

    assert (
        fresh_db.scalar(
            "SELECT m.name FROM organizations o JOIN municipalities m USING (municipality_id) "
            "WHERE o.inn = ?",
            [SCHOOL_5],
        )
        == CITY
    )


def municipality_of(db, inn: str) -> str:
    return db.scalar(
        "SELECT m.name FROM organizations o JOIN municipalities m USING (municipality_id) "
        "WHERE o.inn = ?",
        [inn],
    )


def test_a_row_that_moves_an_unregistered_school_needs_confirmation(fresh_db):
    upload(fresh_db, [org("МБОУ «СОШ № 5»", inn=SCHOOL_5)], ["inn", *FORM_COLUMNS])
    rows = [org("МБОУ «СОШ № 5»", inn=SCHOOL_5, municipality="г. Сарапул")]
    columns = ["municipality", "inn", *FORM_COLUMNS]

    with pytest.raises(ReviewNeeded) as refused:
        upload(fresh_db, rows, columns)
    upload(fresh_db, rows, columns, decisions=Decisions(move_orgs=True))

    [move] = refused.value.moves
    assert (move.from_municipality, move.to_municipality) == (CITY, "г. Сарапул")
    assert municipality_of(fresh_db, SCHOOL_5) == "г. Сарапул"


@pytest.mark.parametrize("decisions", [None, Decisions(move_orgs=True)], ids=["asked", "forced"])
def test_a_form_never_moves_a_registered_school_and_names_the_registry_value(fresh_db, decisions):
    load_registry(fresh_db)
    rows = [org("МБОУ «СОШ № 5»", inn=SCHOOL_5, municipality="г. Сарапул")]

    with pytest.raises(IngestError) as refused:
        upload(fresh_db, rows, ["municipality", "inn", *FORM_COLUMNS], decisions=decisions)

    [problem] = refused.value.problems
    assert (problem.file, problem.row, problem.column, problem.value) == (
        "форма.csv",
        2,
        "Муниципалитет",
        "г. Сарапул",
    )
    assert f"«Муниципалитет» — «{CITY}»; форма не меняет реестр" in problem.message
    assert municipality_of(fresh_db, SCHOOL_5) == CITY
    assert fresh_db.scalar("SELECT count(*) FROM form_values") == 0


def test_a_form_row_chosen_for_a_registered_school_does_not_move_it(fresh_db):
    load_registry(fresh_db)
    school = fresh_db.scalar("SELECT org_id FROM organizations WHERE inn = ?", [SCHOOL_5])
    rows = [org("Школа пять", municipality="г. Сарапул")]

    with pytest.raises(IngestError) as refused:
        upload(
            fresh_db,
            rows,
            ["municipality", *FORM_COLUMNS],
            decisions=Decisions(choices={("", 2): school}, move_orgs=True),
        )

    assert [(p.row, p.column, p.value) for p in refused.value.problems] == [
        (2, "Муниципалитет", "г. Сарапул")
    ]
    assert municipality_of(fresh_db, SCHOOL_5) == CITY


def test_a_form_that_retypes_a_registered_school_is_warned_and_not_applied(fresh_db):
    load_registry(fresh_db)

    result = upload(
        fresh_db,
        [org("МБОУ «СОШ № 5»", inn=SCHOOL_5, org_type="детский сад")],
        ["inn", *FORM_COLUMNS],
    )

    [warning] = [w for w in result.warnings if w.column == "Тип ОО"]
    assert (warning.row, warning.value) == (2, "дошкольная")
    assert "«Тип ОО» — «общеобразовательная»" in warning.message
    assert fresh_db.scalar("SELECT org_type FROM organizations WHERE inn = ?", [SCHOOL_5]) == (
        "school"
    )


def test_a_form_that_puts_a_registered_school_in_another_district_is_refused(fresh_db):
    load_registry(fresh_db)

    with pytest.raises(IngestError) as refused:
        upload(
            fresh_db,
            [org("МБОУ «СОШ № 5»", inn=SCHOOL_5, district="Южный")],
            ["inn", "district", *FORM_COLUMNS],
        )

    [problem] = refused.value.problems
    assert (problem.row, problem.column, problem.value) == (2, "Район", "Южный")
    assert "«Район» — «Северный»" in problem.message


def test_a_form_that_agrees_with_the_registry_loads(fresh_db):
    load_registry(fresh_db)

    upload(
        fresh_db,
        [org("МБОУ «СОШ № 5»", inn=SCHOOL_5, district="Северный")],
        ["inn", "district", *FORM_COLUMNS],
    )

    assert fresh_db.scalar("SELECT count(*) FROM form_values") == 1


def test_replacing_a_form_with_fewer_answers_needs_confirmation(fresh_db):
    load_registry(fresh_db)
    upload(fresh_db, [org("МБОУ «СОШ № 5»")])
    partial_columns = [c for c in FORM_COLUMNS if c not in ("mentors", "has_mentor_db")]

    with pytest.raises(ReviewNeeded) as refused:
        upload(fresh_db, [org("МБОУ «СОШ № 5»", teachers_total=41)], partial_columns)

    [partial] = refused.value.partial
    assert sorted(partial.lost) == ["has_mentor_db", "mentors"]
    assert fresh_db.scalar("SELECT teachers_total FROM form_values") == 40
    upload(
        fresh_db,
        [org("МБОУ «СОШ № 5»", teachers_total=41)],
        partial_columns,
        decisions=Decisions(replace_partial=True),
    )
    assert fresh_db.scalar("SELECT teachers_total FROM form_values") == 41
    assert fresh_db.scalar("SELECT mentors FROM form_values") is None


# --- the second year's file ----------------------------------------------------------------


def test_a_second_year_file_with_districts_and_a_new_school_loads(fresh_db):
    upload(fresh_db, [org("МБОУ «СОШ № 1»", district="Северный")], ["district", *FORM_COLUMNS])

    result = upload(
        fresh_db,
        [org("МБОУ «СОШ № 1»", district="Северный"), org("МБОУ «СОШ № 2»", district="Северный")],
        ["district", *FORM_COLUMNS],
        period="2024",
    )

    assert (result.new_organizations, result.replaced) == (1, 0)
    assert fresh_db.scalar("SELECT count(*) FROM districts") == 1


def test_a_registry_uploaded_again_unchanged_loads(fresh_db):
    load_registry(fresh_db)

    result = load_registry(fresh_db)

    assert (result.new_organizations, result.replaced) == (0, 3)


def test_a_failed_statement_reaches_the_caller_even_when_the_cleanup_fails(fresh_db):
    with (
        pytest.raises(duckdb.Error, match="no_such_table"),
        fresh_db.transaction() as cur,
        registered(cur, "frame", pd.DataFrame({"a": [1]})),
    ):
        cur.execute("SELECT * FROM no_such_table")


# --- the command line ------------------------------------------------------------------------


def run_cli(db_path, *args: str) -> tuple[int, str]:
    err = io.StringIO()
    with redirect_stderr(err):
        code = main(["--db", str(db_path), *args], out=io.StringIO())
    return code, err.getvalue()


def test_the_command_line_refuses_an_unplaced_row_and_prints_its_candidates(fresh_db, tmp_path):
    load_registry(fresh_db)
    path = tmp_path / "форма.csv"
    path.write_bytes(form_file([org("Школа № 5 им. Героев")]))
    fresh_db.close()

    code, err = run_cli(
        tmp_path / "monitoring.duckdb",
        "ingest",
        str(path),
        "--region",
        REGION,
        "--municipality",
        CITY,
        "--period",
        "2023",
    )

    assert code == 1
    assert f"(г. Глазов, ИНН {SCHOOL_5})" in err
    assert "python -m analytics aliases add" in err


def test_the_command_line_with_move_orgs_does_not_move_a_registered_school(fresh_db, tmp_path):
    load_registry(fresh_db)
    path = tmp_path / "форма.csv"
    moved = [org("МБОУ «СОШ № 5»", inn=SCHOOL_5, municipality="г. Сарапул")]
    path.write_bytes(form_file(moved, ["municipality", "inn", *FORM_COLUMNS]))
    fresh_db.close()
    db_path = tmp_path / "monitoring.duckdb"

    code, err = run_cli(
        db_path, "ingest", str(path), "--region", REGION, "--period", "2023", "--move-orgs"
    )

    assert code == 1
    assert (
        "Файл «форма.csv», строка 2, столбец «Муниципалитет»: значение «г. Сарапул» — в реестре "
        f"у организации «{REGISTRY[0]['org_name']}» «Муниципалитет» — «{CITY}»; форма не меняет "
        "реестр" in err
    )
    with Database(db_path) as db:
        assert municipality_of(db, SCHOOL_5) == CITY


def test_an_alias_added_on_the_command_line_places_the_file(fresh_db, tmp_path):
    load_registry(fresh_db)
    path = tmp_path / "форма.csv"
    path.write_bytes(form_file([org("Школа № 5 им. Героев")]))
    fresh_db.close()
    db_path = tmp_path / "monitoring.duckdb"

    added = run_cli(db_path, "aliases", "add", "Школа № 5 им. Героев", "--org", SCHOOL_5)
    loaded = run_cli(
        db_path,
        "ingest",
        str(path),
        "--region",
        REGION,
        "--municipality",
        CITY,
        "--period",
        "2023",
    )

    assert (added[0], loaded[0]) == (0, 0)


def test_an_alias_that_names_another_school_is_refused(fresh_db):
    load_registry(fresh_db)
    school = fresh_db.scalar("SELECT org_id FROM organizations WHERE inn = ?", [SCHOOL_5])

    with pytest.raises(aliases.AliasError, match="уже означает организацию «МБОУ «СОШ № 15»»"):
        aliases.add(fresh_db, "СОШ № 15", school)


def test_an_alias_learnt_from_an_upload_records_its_upload_and_uploader(fresh_db):
    load_registry(fresh_db)
    content = form_file([org("Школа пять", inn=SCHOOL_5)], ["inn", *FORM_COLUMNS])

    loaded = ingest_bytes(fresh_db, "форма.csv", content, defaults=defaults(), user="ivanova")

    learnt = aliases.listing(fresh_db)
    assert learnt[["alias", "source", "upload_id", "added_by"]].values.tolist() == [
        ["Школа пять", "upload", loaded.upload_id, "ivanova"]
    ]


def test_a_form_never_teaches_a_school_another_schools_name(fresh_db):
    load_registry(fresh_db)
    other = REGISTRY[1]["org_name"]

    upload(fresh_db, [org(other, inn=SCHOOL_5)], ["inn", *FORM_COLUMNS])

    assert aliases.listing(fresh_db)["alias"].tolist() == []
    assert names(fresh_db)[:2] == [(REGISTRY[0]["org_name"], 1), (other, 0)]


def test_a_proposed_alias_places_nothing_until_the_coordinator_adds_it(fresh_db):
    load_registry(fresh_db)
    school = fresh_db.scalar("SELECT org_id FROM organizations WHERE inn = ?", [SCHOOL_5])
    proposing = Decisions(choices={("", 2): school}, learn_aliases=False)
    upload(fresh_db, [org("Школа героев")], decisions=proposing, user="curator")

    with pytest.raises(ReviewNeeded):
        upload(fresh_db, [org("Школа героев")], period="2024")
    aliases.add(fresh_db, "Школа героев", school, user="ivanova")
    upload(fresh_db, [org("Школа героев")], period="2024")

    assert aliases.listing(fresh_db)[["alias", "source", "added_by"]].values.tolist() == [
        ["Школа героев", "manual", "ivanova"]
    ]


def test_the_command_line_lists_each_alias_with_its_upload_and_owner(fresh_db, tmp_path):
    load_registry(fresh_db)
    school = fresh_db.scalar("SELECT org_id FROM organizations WHERE inn = ?", [SCHOOL_5])
    proposing = Decisions(choices={("", 2): school}, learn_aliases=False)
    loaded = upload(fresh_db, [org("Школа героев")], decisions=proposing, user="petrova")
    aliases.add(fresh_db, "Пятая школа", school, user="ivanova")
    fresh_db.close()
    out = io.StringIO()

    code = main(["--db", str(tmp_path / "monitoring.duckdb"), "aliases", "list"], out=out)

    name = REGISTRY[0]["org_name"]
    assert (code, out.getvalue().splitlines()) == (
        0,
        [
            f"{name} ({SCHOOL_5}): «Пятая школа» — вручную, ivanova",
            f"{name} ({SCHOOL_5}): «Школа героев» — предложено: загрузка № "
            f"{loaded.upload_id}, petrova; не применяется, пока не принято",
        ],
    )


def test_a_registry_keeps_the_ogrn_and_a_later_row_is_known_by_it(fresh_db):
    ogrn = "1021801234567"
    rows = [{**REGISTRY[1], "ogrn": ogrn}]
    headers = {"ogrn": "ОГРН"}
    columns = ["org_name", "inn", "org_type", "district", "ogrn"]
    defaults = Defaults(region=REGION, municipality=CITY)
    content = csv_bytes(table(rows, columns, headers))
    ingest_bytes(fresh_db, "реестр.csv", content, FormKind.REGISTRY, defaults)
    renamed = [{"org_name": "МАОУ «Лицей № 15»", "org_type": "школа", "ogrn": ogrn}]
    content = csv_bytes(table(renamed, ["org_name", "org_type", "ogrn"], headers))

    result = ingest_bytes(fresh_db, "реестр-2.csv", content, FormKind.REGISTRY, defaults)

    assert result.new_organizations == 0
    assert fresh_db.query("SELECT name, inn, ogrn FROM organizations").values.tolist() == [
        ["МАОУ «Лицей № 15»", SCHOOL_15, ogrn]
    ]


def test_rows_naming_one_school_by_name_and_by_inn_rename_it_in_file_order(fresh_db):
    school = valid_inn(1)
    upload(fresh_db, [org("МБОУ «СОШ № 1»", inn=school)], (*FORM_COLUMNS, "inn"))
    rows = [org("МОУ «СОШ № 1»", period="2024"), org("МБОУ «СОШ № 1»", inn=school, period="2025")]
    upload(fresh_db, rows, (*FORM_COLUMNS, "inn", "period"))
    assert fresh_db.query("SELECT name FROM organizations")["name"].tolist() == ["МБОУ «СОШ № 1»"]
    forms = fresh_db.query("SELECT DISTINCT org_id, count(*) OVER () AS n FROM form_values")
    assert forms["n"].tolist() == [3]
