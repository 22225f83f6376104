"""A monitoring round: opened, templates out, files in (by curators and the coordinator),
late ones chased, returns, completeness by the due date, and the note's basis."""

from __future__ import annotations

import io
import zipfile
from datetime import date

import pytest
from docx import Document
from openpyxl import load_workbook

from analytics.documents.note import build_report
from analytics.ingest.load import ingest_bytes
from analytics.ingest.parse import Defaults
from analytics.ingest.problems import IngestError
from analytics.meetings import rounds
from analytics.meetings.rounds import RoundError, Summary
from analytics.model.contract import FormKind
from analytics.operations.access import AccessDenied, View
from analytics.store.db import Database
from analytics.store.scope import Scope
from tests.filemakers import org, table, xlsx_bytes
from tests.roundfiles import (
    ADMIN,
    ANALYST,
    CITY,
    DUE,
    ELSEWHERE,
    OTHER_CITY,
    REGION,
    SCHOOLS,
    at,
    city_id,
    curator,
    filled,
    inn,
    load_registry,
    open_city_round,
)

SOSH1, SOSH2, GYMNASIUM, LYCEUM = SCHOOLS


def summary(db: Database, round_id: int, today: date) -> Summary:
    return rounds.summarize(rounds.completeness(db, round_id, today))


def statuses(db: Database, round_id: int, today: date) -> dict[str, tuple[str, bool]]:
    frame = rounds.completeness(db, round_id, today)
    return {
        str(o): (str(s), bool(late))
        for o, s, late in zip(frame["organization"], frame["status"], frame["late"], strict=True)
    }


def test_a_round_runs_end_to_end_with_exact_completeness_at_each_step(city):
    db, orgs, round_id = city
    admin = View(db, ADMIN)

    # Templates out: one per school of the city's registry, none for Глазов.
    archive = zipfile.ZipFile(io.BytesIO(admin.round_templates_zip(round_id, Scope())))
    assert sorted(archive.namelist()) == [
        "г. Ижевск/МАОУ Лицей № 4.xlsx",
        "г. Ижевск/МБОУ Гимназия № 3 (1831000026).xlsx",
        "г. Ижевск/МБОУ СОШ № 1 (1831000001).xlsx",
        "г. Ижевск/МБОУ СОШ № 2 (1831000019).xlsx",
    ]
    assert summary(db, round_id, date(2022, 6, 27)) == Summary(4, 0, 0, 0, 4, 0, 0)

    # СОШ № 1's curator returns its template on time, the name retyped.
    sosh1 = View(db, curator(orgs[SOSH1]))
    template = sosh1.round_template(round_id, orgs[SOSH1])
    sosh1.round_submit(
        round_id, "школа1.xlsx", filled(template, name="школа номер один"), FormKind.ORG_FORM, at(1)
    )
    assert summary(db, round_id, date(2022, 7, 1)) == Summary(4, 1, 0, 0, 3, 0, 0)

    # The coordinator loads the lyceum's template (no ИНН, name retyped) on time.
    lyceum = admin.round_template(round_id, orgs[LYCEUM])
    admin.round_submit(
        round_id, "лицей.xlsx", filled(lyceum, name="Лицей 4"), FormKind.ORG_FORM, at(4)
    )
    assert summary(db, round_id, date(2022, 7, 4)) == Summary(4, 2, 0, 0, 2, 0, 0)

    # The coordinator accepts СОШ № 1 and returns the lyceum with a comment.
    files = admin.round_submissions(round_id).set_index("organization")["submission_id"]
    # Its form answers 13 of the 22 questions: accepted knowingly.
    admin.review_submission(int(files[SOSH1]), True, None, at(5), incomplete=True)
    admin.review_submission(int(files[LYCEUM]), False, "не заполнены пары", at(5, hour=12))
    assert summary(db, round_id, date(2022, 7, 5)) == Summary(4, 1, 1, 1, 2, 0, 0)

    # After the due date: the gymnasium sends its form late, СОШ № 2 never does.
    gymnasium = admin.round_template(round_id, orgs[GYMNASIUM])
    admin.round_submit(round_id, "гимназия.xlsx", filled(gymnasium), FormKind.ORG_FORM, at(8))
    assert summary(db, round_id, date(2022, 7, 8)) == Summary(4, 2, 1, 1, 1, 1, 2)
    assert statuses(db, round_id, date(2022, 7, 8)) == {
        LYCEUM: ("returned", True),
        GYMNASIUM: ("submitted", True),
        SOSH1: ("accepted", False),
        SOSH2: ("missing", True),
    }

    # The lyceum sends its corrected form: a new file replaces the returned one.
    admin.round_submit(
        round_id,
        "лицей2.xlsx",
        filled(lyceum, answers={"Пар «наставник – наставляемый»": 3}),
        FormKind.ORG_FORM,
        at(9),
    )
    assert summary(db, round_id, date(2022, 7, 9)) == Summary(4, 3, 1, 0, 1, 2, 1)
    over_time = rounds.over_time(db, round_id, date(2022, 7, 9)).set_index("day")["submitted"]
    assert over_time.loc[[date(2022, 6, 30), date(2022, 7, 1), date(2022, 7, 4)]].tolist() == [
        0,
        1,
        2,
    ]
    assert over_time.loc[[date(2022, 7, 5), date(2022, 7, 8), date(2022, 7, 9)]].tolist() == [
        1,
        2,
        3,
    ]

    # The forms are stored on the schools the templates were made for, whatever their names.
    stored = db.query(
        "SELECT o.name, f.teachers_total FROM form_values f JOIN organizations o USING (org_id) "
        "ORDER BY o.name"
    )
    assert stored["name"].tolist() == [LYCEUM, GYMNASIUM, SOSH1]
    admin.close_round(round_id)
    basis = (
        "Мониторинг проводился в период с 27 июня по 05 июля 2022 г. согласно приказу "
        "от 23.06.2022 № 330 «О проведении мониторинга муниципальных показателей»."
    )
    assert rounds.round_basis(db, "2022", Scope(municipality_id=city_id(db))) == basis
    note = Document(
        io.BytesIO(build_report(db, Scope(periods=("2022",), municipality_id=city_id(db))))
    )
    assert basis in [p.text for p in note.paragraphs]


def test_a_curator_uploading_another_schools_template_is_refused_and_nothing_is_written(city):
    db, orgs, round_id = city
    other = View(db, ADMIN).round_template(round_id, orgs[SOSH2])
    before = db.data_version()

    with pytest.raises(AccessDenied) as refused:
        View(db, curator(orgs[SOSH1])).round_submit(
            round_id, "чужая.xlsx", filled(other), FormKind.ORG_FORM
        )

    assert str(refused.value) == (
        "В файле есть организации, которые за вами не закреплены: строка 2. "
        "Загрузите форму из шаблона своей организации (вкладка «Шаблоны»)."
    )
    assert db.data_version() == before


FOREIGN_ROWS = {
    "another school of the round by ИНН": {"org_name": "Школа", "inn": inn(1)},
    "a school of another municipality by ИНН": {"org_name": "Школа", "inn": inn(7)},
    "an unknown ИНН": {"org_name": "Школа", "inn": inn(9)},
    "a partial name of another school of the round": {"org_name": "СОШ 2"},
    "another school's exact name": {"org_name": SOSH2},
}


@pytest.mark.parametrize("foreign", FOREIGN_ROWS.values(), ids=FOREIGN_ROWS.keys())
def test_a_curators_refusal_names_rows_only_whatever_the_foreign_row_names(city, foreign):
    db, orgs, round_id = city
    own = {"org_name": SOSH1, "inn": inn(0)}
    rows = table(
        [
            {**own, "org_type": "СОШ", "has_regulation": "да"},
            {**foreign, "org_type": "СОШ", "has_regulation": "да"},
        ],
        ["org_name", "inn", "org_type", "has_regulation"],
    )

    with pytest.raises(AccessDenied) as refused:
        View(db, curator(orgs[SOSH1])).round_check(
            round_id, "форма.xlsx", xlsx_bytes({"ОО": rows}), FormKind.ORG_FORM
        )

    assert str(refused.value) == (
        "В файле есть организации, которые за вами не закреплены: строка 3. "
        "Загрузите форму из шаблона своей организации (вкладка «Шаблоны»)."
    )


def test_a_curators_own_template_moved_to_another_city_is_refused_and_moves_nothing(city):
    db, orgs, round_id = city
    template = filled(View(db, ADMIN).round_template(round_id, orgs[SOSH1]))
    workbook = load_workbook(io.BytesIO(template))
    sheet = workbook["ОО"]
    headers = {cell.value: cell.column for cell in sheet[1]}
    sheet.cell(row=2, column=headers["Муниципалитет"], value=OTHER_CITY)
    buffer = io.BytesIO()
    workbook.save(buffer)
    before = db.data_version()

    with pytest.raises(IngestError) as refused:
        View(db, curator(orgs[SOSH1])).round_submit(
            round_id, "своя.xlsx", buffer.getvalue(), FormKind.ORG_FORM
        )

    [problem] = refused.value.problems
    assert (problem.file, problem.sheet, problem.row, problem.column, problem.value) == (
        "своя.xlsx",
        "ОО",
        2,
        "Муниципалитет",
        OTHER_CITY,
    )
    assert f"«Муниципалитет» — «{CITY}»; форма не меняет реестр" in problem.message
    assert db.data_version() == before
    assert (
        db.scalar(
            "SELECT m.name FROM organizations o JOIN municipalities m USING (municipality_id) "
            "WHERE o.org_id = ?",
            [orgs[SOSH1]],
        )
        == CITY
    )


HOSTILE_NAME = "<img src=x onerror=alert(1)>**Ж** [клик](http://example.com)"


@pytest.mark.parametrize("written", [SOSH2, HOSTILE_NAME], ids=["another school", "markup"])
def test_a_curators_upload_teaches_no_alias_and_proposes_only_its_own(city, written):
    db, orgs, round_id = city
    template = View(db, ADMIN).round_template(round_id, orgs[SOSH1])
    login = curator(orgs[SOSH1]).login

    done = View(db, curator(orgs[SOSH1])).round_submit(
        round_id, "своя.xlsx", filled(template, name=written), FormKind.ORG_FORM
    )

    stored = db.query("SELECT alias, source, upload_id, added_by FROM org_aliases")
    proposed = [[HOSTILE_NAME, "proposed", done.result.upload_id, login]]
    assert stored.values.tolist() == (proposed if written == HOSTILE_NAME else [])


def test_a_curator_cannot_download_another_schools_template(city):
    db, orgs, round_id = city

    with pytest.raises(AccessDenied):
        View(db, curator(orgs[SOSH1])).round_template(round_id, orgs[SOSH2])


def test_a_closed_round_takes_no_file(city):
    db, orgs, round_id = city
    template = View(db, ADMIN).round_template(round_id, orgs[SOSH1])
    View(db, ADMIN).close_round(round_id)

    with pytest.raises(RoundError, match="мониторинг № 1 закрыт: файлы в нём больше не"):
        View(db, curator(orgs[SOSH1])).round_check(
            round_id, "школа1.xlsx", filled(template), FormKind.ORG_FORM
        )


def test_a_template_names_its_school_even_when_the_name_cell_names_another(city):
    db, orgs, round_id = city
    template = View(db, ADMIN).round_template(round_id, orgs[SOSH1])

    checked = View(db, ADMIN).round_check(
        round_id, "школа.xlsx", filled(template, name=SOSH2), FormKind.ORG_FORM
    )

    assert (checked.org_ids, checked.via_template, checked.result.needs_review) == (
        [orgs[SOSH1]],
        True,
        False,
    )


def test_an_edited_template_code_is_refused(city):
    db, orgs, round_id = city
    template = filled(View(db, ADMIN).round_template(round_id, orgs[SOSH1]))
    workbook = load_workbook(io.BytesIO(template))
    sheet = workbook["Инструкция"]
    for row in sheet.iter_rows():
        for cell in row:
            if isinstance(cell.value, str) and "МН-1-" in cell.value:
                cell.value = cell.value.replace(f"МН-1-{orgs[SOSH1]}-", f"МН-1-{orgs[SOSH2]}-")
    buffer = io.BytesIO()
    workbook.save(buffer)

    with pytest.raises(IngestError) as refused:
        View(db, ADMIN).round_check(round_id, "школа.xlsx", buffer.getvalue(), FormKind.ORG_FORM)

    assert [p.message for p in refused.value.problems] == [
        "код шаблона в файле изменён; скачайте шаблон заново"
    ]


def test_a_plain_file_naming_a_school_of_the_round_by_inn_is_taken(city):
    db, orgs, round_id = city

    rows = table(
        [{"org_name": "Школа", "inn": inn(1), "org_type": "СОШ", "has_regulation": "да"}],
        ["org_name", "inn", "org_type", "has_regulation"],
    )

    checked = View(db, ADMIN).round_check(
        round_id, "форма.xlsx", xlsx_bytes({"ОО": rows}), FormKind.ORG_FORM
    )

    assert (checked.org_ids, checked.via_template) == ([orgs[SOSH2]], False)


def test_a_plain_file_naming_a_school_outside_the_round_is_refused(city):
    db, _, round_id = city

    rows = table(
        [{"org_name": ELSEWHERE, "inn": inn(7), "org_type": "СОШ", "has_regulation": "да"}],
        ["org_name", "inn", "org_type", "has_regulation"],
    )

    with pytest.raises(IngestError) as refused:
        View(db, ADMIN).round_check(
            round_id, "форма.xlsx", xlsx_bytes({"ОО": rows}), FormKind.ORG_FORM
        )

    problem = refused.value.problems[0]
    assert (problem.row, problem.value, problem.message) == (
        2,
        ELSEWHERE,
        "строка не сопоставлена ни с одной организацией мониторинга; загрузите форму из "
        "шаблона организации или укажите её ИНН",
    )


def test_a_template_locks_the_identity_of_its_school_and_keeps_the_contracts_drop_downs(city):
    db, orgs, round_id = city

    workbook = load_workbook(io.BytesIO(View(db, ADMIN).round_template(round_id, orgs[SOSH1])))
    sheet = workbook["ОО"]

    assert [c.value for c in sheet[2]][:7] == [
        "Удмуртская Республика",
        CITY,
        None,
        SOSH1,
        "1831000001",
        "общеобразовательная",
        "2022",
    ]
    assert [sheet.cell(row=2, column=c).protection.locked for c in (1, 4, 5, 7, 8)] == [
        True,
        True,
        True,
        True,
        False,
    ]
    assert sheet.protection.sheet is True
    assert '"да,нет"' in [v.formula1 for v in sheet.data_validations.dataValidation]


def test_a_template_fills_in_last_periods_answers_for_review(city):
    db, orgs, round_id = city

    rows = table([org(SOSH1, teachers_total=38, has_roadmap="нет")])
    ingest_bytes(
        db,
        "2021.xlsx",
        xlsx_bytes({"ОО": rows}),
        FormKind.ORG_FORM,
        Defaults(REGION, CITY, period="2021"),
    )

    workbook = load_workbook(
        io.BytesIO(View(db, ADMIN).round_template(round_id, orgs[SOSH1], previous=True))
    )
    headers = {c.value: c.column for c in workbook["ОО"][1]}
    row = {h: workbook["ОО"].cell(row=2, column=c).value for h, c in headers.items()}

    assert (row["Педагогических работников"], row["Дорожная карта"], row["Период"]) == (
        38,
        "нет",
        "2022",
    )


def test_opening_a_second_round_for_the_same_period_and_territory_is_refused(city):
    db, _, _ = city

    with pytest.raises(RoundError, match="мониторинг № 1 за 2022 по этой территории ещё идёт"):
        open_city_round(db)


def test_a_round_is_opened_by_an_administrator_or_an_analyst_only(fresh_db):
    orgs = load_registry(fresh_db)

    assert open_city_round(fresh_db, View(fresh_db, ANALYST)) == 1
    with pytest.raises(AccessDenied, match="Проводить мониторинги могут администратор"):
        View(fresh_db, curator(orgs[SOSH1])).close_round(1)


def test_returning_a_file_needs_a_comment(city):
    db, orgs, round_id = city
    template = View(db, ADMIN).round_template(round_id, orgs[SOSH1])
    View(db, ADMIN).round_submit(round_id, "школа.xlsx", filled(template), FormKind.ORG_FORM)

    with pytest.raises(RoundError, match="файл возвращается с комментарием"):
        View(db, ADMIN).review_submission(1, False, "  ")


def test_a_curators_completeness_holds_only_their_schools(city):
    db, orgs, round_id = city

    frame = View(db, curator(orgs[SOSH1])).round_completeness(round_id, DUE)

    assert frame["organization"].tolist() == [SOSH1]


def test_the_collection_period_is_written_as_letters_write_it():
    assert rounds.collection_words(date(2022, 6, 27), date(2022, 7, 5)) == (
        "с 27 июня по 05 июля 2022 г."
    )
    assert rounds.collection_words(date(2022, 12, 20), date(2023, 1, 9)) == (
        "с 20 декабря 2022 г. по 09 января 2023 г."
    )


def test_no_round_basis_for_a_period_without_a_round(city):
    db, _, _ = city

    assert rounds.round_basis(db, "2023", Scope()) is None
