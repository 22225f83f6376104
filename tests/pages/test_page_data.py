"""The «Данные» page: the upload preview and commit, errors, the upload history and its
rollback, the registry, the data-quality list and its CSV, deleting the demo data.

The app keeps its own connection to the database, so the tests read copies of the file.
"""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from analytics.compute import lookups, quality
from analytics.compute.indicators import compute
from analytics.ingest import aliases
from analytics.ingest.identity import NEW_ORGANISATION
from analytics.ingest.load import Decisions, ingest_bytes
from analytics.ingest.parse import Defaults
from analytics.model.contract import FormKind
from analytics.model.levels import Level
from analytics.model.periods import period_of
from analytics.operations.access import LOCAL_PRINCIPAL, View
from analytics.store.db import Database
from analytics.store.reset import clear_database, table_counts
from analytics.store.scope import Scope
from analytics.wording import formatting
from tests import apptest
from tests.conftest import snapshot
from ui import upload

ROOT = Path(__file__).resolve().parents[2]
PAGE = "pages/data.py"
NEW_SCHOOL = "МБОУ «Тестовая школа № 901»"

HEADER = (
    "Наименование ОО;Тип ОО;Положение о наставничестве;Дорожная карта;"
    "Педагогических работников;Педагогов-наставников;Педагогов-наставляемых"
)


def open_page(query: dict[str, str] | None = None) -> AppTest:
    return apptest.open_page(PAGE, query)


def assert_clean(at: AppTest) -> None:
    assert not at.exception, [e.value for e in at.exception]


def a_municipality(db: Database) -> pd.Series:
    """The first municipality with forms in the latest period."""
    forms = lookups.form_values(db, lookups.periods(db)[-1])
    return forms.iloc[0]


def form_csv(rows: list[str]) -> bytes:
    return ("\n".join([HEADER, *rows]) + "\n").encode("utf-8")


def plain(markdown: str) -> str:
    """Markdown as read: without the escapes ui.text.md adds to user text."""
    return markdown.replace("\\", "")


def button(at: AppTest, label: str):
    return next(b for b in at.button if b.label == label)


def set_defaults(at: AppTest, region: str, municipality: str, period: str) -> None:
    at.text_input(key="default_region").input(region)
    at.text_input(key="default_municipality").input(municipality)
    at.text_input(key="default_period").input(period)


def choose_file(at: AppTest, name: str, content: bytes) -> AppTest:
    at.file_uploader[0].set_value([(name, content, "text/csv")])
    return at.run()


def municipality_value(db: Database, municipality_id: int, period: str, indicator: str):
    frame = compute(
        db, Scope(periods=(period,), municipality_id=municipality_id, indicators=(indicator,))
    )
    rows = frame[frame["level"] == Level.MUNICIPALITY]
    return rows[["numerator", "denominator", "value"]].iloc[0].tolist()


def confirm_new_organisations(at: AppTest) -> AppTest:
    """Answer «новая организация» for every row the preview could not place, and confirm
    it where the page names registered organisations like it."""
    for choice in at.radio:
        if str(choice.key).startswith("match_"):
            choice.set_value(NEW_ORGANISATION)
    at.run()
    for box in at.checkbox:
        if str(box.key).startswith("confirm_new_"):
            box.check()
    return at.run()


def upload_new_school(at: AppTest, place: pd.Series, regulation: str = "да") -> AppTest:
    set_defaults(at, place["region"], place["municipality"], place["period"])
    content = form_csv([f"{NEW_SCHOOL};школа;{regulation};нет;40;4;6"])
    choose_file(at, "новая_школа.csv", content)
    confirm_new_organisations(at)
    return button(at, "Загрузить").click().run()


# --- rendering ---------------------------------------------------------------------


def test_the_data_page_renders_the_upload_history_of_the_database(copy: Database):
    expected = lookups.uploads(copy)

    at = open_page()

    assert_clean(at)
    assert [t.value for t in at.title] == ["Данные"]
    history = next(df.value for df in at.dataframe if "Состояние" in df.value.columns)
    assert history["№"].tolist() == expected["upload_id"].tolist()
    assert history["Файл"].tolist() == expected["file_name"].tolist()


def test_the_registry_tab_lists_who_has_not_reported_in_the_chosen_period(copy: Database):
    period = lookups.periods(copy)[-1]
    expected = lookups.non_reporting(copy, period)
    if expected.empty:
        pytest.skip("everyone in the demo registry has reported")

    at = open_page({"period": period})

    missing = next(
        df.value
        for df in at.dataframe
        if "Форма за период" not in df.value.columns
        and "Организация" in df.value.columns
        and "ИНН" in df.value.columns
    )
    assert missing["Организация"].tolist() == expected["organization"].tolist()
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Не представили"] == formatting.organizations(len(expected))


def first_finding_place(copy: Database, period: str) -> tuple[pd.DataFrame, pd.DataFrame, int]:
    """The period's quality findings, the hierarchy by organisation and the municipality
    of the first finding (the test is skipped where the demo has no finding)."""
    findings = quality.findings(copy, period)
    if findings.empty:
        pytest.skip("no quality findings in the demo data")
    place = lookups.hierarchy(copy).set_index("org_id")
    return findings, place, int(place.loc[findings["org_id"].iloc[0], "municipality_id"])


def test_a_territory_filter_narrows_the_data_quality_list(copy: Database):
    period = lookups.periods(copy)[-1]
    findings, place, municipality_id = first_finding_place(copy, period)
    in_municipality = findings["org_id"].map(place["municipality_id"]) == municipality_id
    if in_municipality.all():
        pytest.skip("every finding is in one municipality")

    at = open_page({"period": period})
    before = next(df.value for df in at.dataframe if "Замечание" in df.value.columns)
    at.selectbox(key="flt_municipality").set_value(municipality_id).run()
    after = next(df.value for df in at.dataframe if "Замечание" in df.value.columns)

    assert_clean(at)
    assert len(before) == len(findings)
    assert sorted(after["Организация"]) == sorted(findings[in_municipality]["organization"])


def test_with_more_organisations_than_a_page_draws_the_quality_tab_asks_for_a_territory(
    copy: Database, monkeypatch: pytest.MonkeyPatch
):
    import ui.page

    monkeypatch.setattr(ui.page, "ORG_CHOICE_LIMIT", 5)
    under = len(lookups.hierarchy(copy))

    at = open_page({"period": lookups.periods(copy)[-1]})

    apptest.assert_clean(at)
    assert [i.value for i in at.info if i.value.startswith("Под фильтрами")] == [
        f"Под фильтрами {formatting.organizations(under)}: список замечаний к данным "
        "строится после выбора региона или муниципалитета в боковой панели."
    ]
    assert [df for df in at.dataframe if "Замечание" in df.value.columns] == []


def test_with_a_municipality_chosen_the_quality_tab_lists_its_findings_again(
    copy: Database, monkeypatch: pytest.MonkeyPatch
):
    import ui.page

    period = lookups.periods(copy)[-1]
    findings, place, municipality_id = first_finding_place(copy, period)
    under = int((place["municipality_id"] == municipality_id).sum())
    monkeypatch.setattr(ui.page, "ORG_CHOICE_LIMIT", under)
    in_municipality = findings["org_id"].map(place["municipality_id"]) == municipality_id

    at = open_page({"period": period, "municipality": str(municipality_id)})

    listed = apptest.dataframe_with(at, "Замечание")
    assert sorted(listed["Организация"]) == sorted(findings[in_municipality]["organization"])


def test_a_registry_longer_than_a_page_draws_shows_its_first_organisations_and_says_so(
    copy: Database, monkeypatch: pytest.MonkeyPatch
):
    import ui.page

    monkeypatch.setattr(ui.page, "ORG_CHOICE_LIMIT", 5)
    hierarchy = lookups.hierarchy(copy)
    registry = hierarchy[hierarchy["in_registry"]]

    at = open_page({"period": lookups.periods(copy)[-1]})

    apptest.assert_clean(at)
    table = apptest.dataframe_with(at, "Форма за период")
    assert table["Организация"].tolist() == registry["organization"].head(5).tolist()
    assert (
        f"Показаны первые 5 из {len(registry)}\u00a0организаций; весь список — в файлах XLSX и CSV."
        in [c.value for c in at.caption]
    )
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["В реестре"] == formatting.organizations(len(registry))


def test_a_list_of_who_has_not_reported_longer_than_a_page_draws_is_cut_with_a_note(
    copy: Database, monkeypatch: pytest.MonkeyPatch
):
    import ui.page

    period = lookups.periods(copy)[-1]
    expected = lookups.non_reporting(copy, period)
    if len(expected) < 3:
        pytest.skip("fewer than three organisations of the demo registry have not reported")
    monkeypatch.setattr(ui.page, "ORG_CHOICE_LIMIT", 2)

    at = open_page({"period": period})

    missing = next(
        df.value
        for df in at.dataframe
        if "Форма за период" not in df.value.columns and "ИНН" in df.value.columns
    )
    assert missing["Организация"].tolist() == expected["organization"].head(2).tolist()
    note = f"Показаны первые 2 из {len(expected)}\u00a0организаций; весь список — в файле CSV."
    assert note in [c.value for c in at.caption]
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Не представили"] == formatting.organizations(len(expected))


# --- upload ------------------------------------------------------------------------


def test_a_school_missing_from_the_registry_waits_for_the_users_choice_before_upload(
    copy: Database, demo_db_path: Path, tmp_path: Path
):
    place = a_municipality(copy)
    at = open_page()
    set_defaults(at, place["region"], place["municipality"], place["period"])

    choose_file(at, "новая_школа.csv", form_csv([f"{NEW_SCHOOL};школа;да;нет;40;4;6"]))

    assert_clean(at)
    checked = plain(" ".join(w.value for w in at.warning))
    assert "«новая_школа.csv» проверен" in checked
    assert f"ждут сопоставления: 1{formatting.NBSP}строка" in checked
    assert f"строка 2: «{NEW_SCHOOL}»" in [plain(m.value).strip("*") for m in at.markdown]
    assert "в реестре муниципалитета нет организации с таким названием; выберите её" in [
        c.value for c in at.caption
    ]
    match = next(r for r in at.radio if str(r.key).startswith("match_"))
    assert match.value is None
    assert plain(match.options[-1]) == upload.NEW_ORGANISATION_LABEL
    assert button(at, "Загрузить").disabled


def test_a_valid_file_is_previewed_and_nothing_is_written_before_the_upload_button(
    copy: Database, demo_db_path: Path, tmp_path: Path
):
    place = a_municipality(copy)
    at = open_page()
    set_defaults(at, place["region"], place["municipality"], place["period"])

    choose_file(at, "новая_школа.csv", form_csv([f"{NEW_SCHOOL};школа;да;нет;40;4;6"]))
    confirm_new_organisations(at)

    assert_clean(at)
    assert not button(at, "Загрузить").disabled
    after = snapshot(demo_db_path, tmp_path)
    assert after.data_version() == copy.data_version()
    assert after.scalar("SELECT count(*) FROM organizations WHERE name = ?", [NEW_SCHOOL]) == 0


def test_pressing_upload_writes_the_previewed_file_to_the_database(
    copy: Database, demo_db_path: Path, tmp_path: Path
):
    place = a_municipality(copy)
    at = open_page()

    upload_new_school(at, place)

    assert_clean(at)
    assert any("Загружен файл «новая_школа.csv»" in plain(s.value) for s in at.success)
    assert not at.file_uploader[0].value
    after = snapshot(demo_db_path, tmp_path)
    row = after.query(
        "SELECT f.period, f.has_regulation, f.has_roadmap, f.teachers_total, f.mentors, "
        "f.mentees, m.name AS municipality FROM form_values f JOIN organizations o "
        "USING (org_id) JOIN municipalities m USING (municipality_id) WHERE o.name = ?",
        [NEW_SCHOOL],
    )
    assert row.to_dict("records") == [
        {
            "period": place["period"],
            "has_regulation": True,
            "has_roadmap": False,
            "teachers_total": 40,
            "mentors": 4,
            "mentees": 6,
            "municipality": place["municipality"],
        }
    ]


def test_several_files_are_checked_and_loaded_together(
    copy: Database, demo_db_path: Path, tmp_path: Path
):
    place = a_municipality(copy)
    at = open_page()
    set_defaults(at, place["region"], place["municipality"], place["period"])
    at.file_uploader[0].set_value(
        [
            ("первая.csv", form_csv(["МБОУ «Школа № 801»;школа;да;да;10;1;1"]), "text/csv"),
            ("вторая.csv", form_csv(["МБОУ «Школа № 802»;школа;нет;да;20;2;2"]), "text/csv"),
        ]
    ).run()
    assert len([w for w in at.warning if "проверен" in w.value]) == 2
    confirm_new_organisations(at)

    button(at, "Загрузить").click().run()

    after = snapshot(demo_db_path, tmp_path)
    loaded = after.query(
        "SELECT o.name FROM form_values JOIN organizations o USING (org_id) "
        "WHERE o.name LIKE 'МБОУ «Школа № 80%' ORDER BY 1"
    )
    assert loaded["name"].tolist() == ["МБОУ «Школа № 801»", "МБОУ «Школа № 802»"]
    assert (
        after.scalar("SELECT count(*) FROM uploads")
        == copy.scalar("SELECT count(*) FROM uploads") + 2
    )


def test_valid_files_load_and_files_with_errors_are_skipped_and_named(
    copy: Database, demo_db_path: Path, tmp_path: Path
):
    place = a_municipality(copy)
    at = open_page()
    set_defaults(at, place["region"], place["municipality"], place["period"])
    at.file_uploader[0].set_value(
        [
            ("хороший.csv", form_csv(["МБОУ «Школа № 811»;школа;да;да;10;1;1"]), "text/csv"),
            ("плохой.csv", form_csv(["МБОУ «Школа № 812»;школа;да;да;-10;1;1"]), "text/csv"),
        ]
    ).run()
    confirm_new_organisations(at)

    button(at, "Загрузить").click().run()

    assert any("Не загружены из-за ошибок: «плохой.csv»" in plain(w.value) for w in at.warning)
    after = snapshot(demo_db_path, tmp_path)
    names = after.query("SELECT name FROM organizations WHERE name LIKE 'МБОУ «Школа № 81%'")
    assert names["name"].tolist() == ["МБОУ «Школа № 811»"]


def test_an_invalid_file_shows_every_error_with_its_row_column_and_value(copy: Database):
    place = a_municipality(copy)
    at = open_page()
    set_defaults(at, place["region"], place["municipality"], place["period"])
    content = form_csv(
        [
            f"{NEW_SCHOOL};школа;может быть;нет;40;4;6",
            "МБОУ «Тестовая школа № 902»;школа;да;нет;много;4;6",
        ]
    )

    choose_file(at, "ошибки.csv", content)

    assert_clean(at)
    assert any(
        f"«ошибки.csv» не будет загружен: 2{formatting.NBSP}ошибки" in plain(e.value)
        for e in at.error
    )
    errors = next(df.value for df in at.dataframe if "Что не так" in df.value.columns)
    assert errors[["Файл", "Строка", "Столбец", "Значение"]].values.tolist() == [
        ["ошибки.csv", "2", "Положение о наставничестве", "может быть"],
        ["ошибки.csv", "3", "Педагогических работников", "много"],
    ]
    assert all(errors["Что не так"].str.len() > 0)
    assert button(at, "Загрузить").disabled


def test_an_invalid_file_leaves_the_database_unchanged(
    copy: Database, demo_db_path: Path, tmp_path: Path
):
    place = a_municipality(copy)
    at = open_page()
    set_defaults(at, place["region"], place["municipality"], place["period"])

    choose_file(at, "ошибки.csv", form_csv([f"{NEW_SCHOOL};школа;может быть;нет;-3;4;6"]))

    assert button(at, "Загрузить").disabled
    after = snapshot(demo_db_path, tmp_path)
    assert after.data_version() == copy.data_version()
    assert table_counts(after) == table_counts(copy)


def test_a_file_without_a_period_column_asks_for_the_period(copy: Database):
    place = a_municipality(copy)
    at = open_page()
    at.text_input(key="default_region").input(place["region"])
    at.text_input(key="default_municipality").input(place["municipality"])

    choose_file(at, "без_периода.csv", form_csv([f"{NEW_SCHOOL};школа;да;нет;40;4;6"]))

    errors = next(df.value for df in at.dataframe if "Что не так" in df.value.columns)
    assert any("Период" in message for message in errors["Что не так"])


# --- rollback ----------------------------------------------------------------------


def test_rolling_back_an_upload_restores_the_previous_indicator_values(
    copy: Database, demo_db_path: Path, tmp_path: Path
):
    place = a_municipality(copy)
    municipality_id = int(place["municipality_id"])
    before = municipality_value(copy, municipality_id, place["period"], "teachers_involved")
    at = open_page()
    upload_new_school(at, place)
    changed = snapshot(demo_db_path, tmp_path)
    assert (
        municipality_value(changed, municipality_id, place["period"], "teachers_involved") != before
    )
    upload_id = int(lookups.uploads(changed)["upload_id"].iloc[0])

    button(at, "Отменить загрузку…").click().run()
    button(at, "Да, отменить загрузку").click().run()

    assert_clean(at)
    assert any("отменена" in s.value for s in at.success)
    after = snapshot(demo_db_path, tmp_path)
    assert municipality_value(after, municipality_id, place["period"], "teachers_involved") == (
        before
    )
    assert pd.notna(lookups.uploads(after).set_index("upload_id").loc[upload_id, "rolled_back_at"])


def test_rolling_back_a_replacing_upload_restores_the_replaced_form(
    copy: Database, demo_db_path: Path, tmp_path: Path
):
    place = a_municipality(copy)
    at = open_page()
    upload_new_school(at, place, regulation="да")
    upload_new_school(at, place, regulation="нет")
    assert not at.error, [e.value for e in at.error]
    replaced = snapshot(demo_db_path, tmp_path)
    query = (
        "SELECT f.has_regulation FROM form_values f JOIN organizations o USING (org_id) "
        "WHERE o.name = ?"
    )
    assert replaced.scalar(query, [NEW_SCHOOL]) is False

    button(at, "Отменить загрузку…").click().run()
    button(at, "Да, отменить загрузку").click().run()

    after = snapshot(demo_db_path, tmp_path)
    assert after.scalar(query, [NEW_SCHOOL]) is True


def test_rolling_back_an_upload_that_created_a_school_removes_it_and_its_report(
    copy: Database, demo_db_path: Path, tmp_path: Path
):
    place = a_municipality(copy)
    at = open_page()
    upload_new_school(at, place)
    assert any("Загружен файл «новая_школа.csv»" in plain(s.value) for s in at.success)
    assert (
        snapshot(demo_db_path, tmp_path).scalar(
            "SELECT count(*) FROM organizations WHERE name = ?", [NEW_SCHOOL]
        )
        == 1
    )

    button(at, "Отменить загрузку…").click().run()
    button(at, "Да, отменить загрузку").click().run()

    assert_clean(at)
    assert not any("Загружен файл" in s.value for s in at.success)
    after = snapshot(demo_db_path, tmp_path)
    assert after.scalar("SELECT count(*) FROM organizations WHERE name = ?", [NEW_SCHOOL]) == 0
    assert table_counts(after) == table_counts(copy) | {
        "uploads": table_counts(copy)["uploads"] + 1
    }


def test_a_confirmation_asked_before_another_upload_does_not_roll_back_the_earlier_one(
    copy: Database, demo_db_path: Path, tmp_path: Path
):
    place = a_municipality(copy)
    at = open_page()
    upload_new_school(at, place)
    first = int(lookups.uploads(snapshot(demo_db_path, tmp_path))["upload_id"].iloc[0])
    button(at, "Отменить загрузку…").click().run()
    assert any(f"№ {first} — новая_школа.csv" in plain(w.value) for w in at.warning)
    # Another session loads a file meanwhile: the newest upload is now that one.
    with Database(demo_db_path) as db:
        second = ingest_bytes(
            db,
            "вторая.csv",
            form_csv(["МБОУ «Тестовая школа № 902»;школа;да;нет;30;3;5"]),
            defaults=Defaults(place["region"], place["municipality"], None, place["period"]),
            decisions=Decisions(new_orgs=True),
        ).upload_id

    yes = button(at, "Да, отменить загрузку")
    yes.click().run()

    assert_clean(at)
    after = lookups.uploads(snapshot(demo_db_path, tmp_path)).set_index("upload_id")
    assert after.loc[[first, second], "rolled_back_at"].isna().tolist() == [True, True]
    assert any(
        plain(m.value).startswith(f"Последняя загрузка: № {second} — вторая.csv")
        for m in at.markdown
    )
    assert not at.warning


def test_a_rollback_asks_before_keeping_a_created_school_named_by_hand_since(
    copy: Database, demo_db_path: Path, tmp_path: Path
):
    place = a_municipality(copy)
    at = open_page()
    upload_new_school(at, place)
    with Database(demo_db_path) as db:
        school = int(db.scalar("SELECT org_id FROM organizations WHERE name = ?", [NEW_SCHOOL]))
        aliases.add(db, "Тестовая школа 901", school)
    upload_id = int(lookups.uploads(snapshot(demo_db_path, tmp_path))["upload_id"].iloc[0])

    button(at, "Отменить загрузку…").click().run()
    button(at, "Да, отменить загрузку").click().run()

    assert [plain(w.value) for w in at.warning] == [
        f"загрузка № {upload_id} создала организации, которые используются и в других "
        f"данных: «{NEW_SCHOOL}» (написания названия). Отменить загрузку, оставив эти "
        "организации?"
    ]
    asked = snapshot(demo_db_path, tmp_path)
    assert pd.isna(lookups.uploads(asked).set_index("upload_id").loc[upload_id, "rolled_back_at"])

    button(at, "Да, отменить и оставить эти организации").click().run()

    assert_clean(at)
    after = snapshot(demo_db_path, tmp_path)
    assert pd.notna(lookups.uploads(after).set_index("upload_id").loc[upload_id, "rolled_back_at"])
    assert after.scalar("SELECT count(*) FROM form_values WHERE org_id = ?", [school]) == 0
    assert after.scalar("SELECT name FROM organizations WHERE org_id = ?", [school]) == NEW_SCHOOL


# --- demo data ---------------------------------------------------------------------


def test_deleting_the_demo_data_empties_every_table_after_confirmation(
    copy: Database, demo_db_path: Path, tmp_path: Path
):
    assert copy.meta("demo") == 1
    at = open_page()

    button(at, "Удалить демонстрационные данные").click().run()
    untouched = snapshot(demo_db_path, tmp_path)
    button(at, "Да, удалить и начать с пустой базы").click().run()

    assert_clean(at)
    assert table_counts(untouched) == table_counts(copy)
    after = snapshot(demo_db_path, tmp_path)
    assert set(table_counts(after).values()) == {0}
    assert after.meta("demo") == 0
    assert after.data_version() == copy.data_version() + 1
    assert not any(b.label == "Удалить демонстрационные данные" for b in at.button)


def test_clear_database_leaves_a_database_that_accepts_new_uploads(copy: Database):
    clear_database(copy)
    place_rows = form_csv([f"{NEW_SCHOOL};школа;да;нет;40;4;6"])
    defaults = upload.make_defaults("Удмуртская Республика", "г. Глазов", "school", "2024")

    checks = upload.check_files(
        View(copy, LOCAL_PRINCIPAL), [("после.csv", place_rows)], FormKind.ORG_FORM, defaults
    )
    upload.load_files(View(copy, LOCAL_PRINCIPAL), checks, FormKind.ORG_FORM, defaults)

    assert lookups.periods(copy) == ["2024"]
    assert copy.scalar("SELECT count(*) FROM organizations") == 1


# --- CSV export --------------------------------------------------------------------


def test_the_csv_export_keeps_formula_like_cells_as_text():
    cells = ["=HYPERLINK(1)", "+7", "-1", "@cmd", "\tx", "\ry", "СОШ № 1", "54,0 %"]

    content = upload.csv_bytes(pd.DataFrame({"Организация": cells}))

    rows = list(csv.reader(io.StringIO(content.decode("utf-8-sig"), newline=""), delimiter=";"))
    assert rows == [
        ["Организация"],
        ["'=HYPERLINK(1)"],
        ["'+7"],
        ["'-1"],
        ["'@cmd"],
        ["'\tx"],
        ["'\ry"],
        ["СОШ № 1"],
        ["54,0 %"],
    ]


def test_the_csv_export_starts_with_a_utf8_byte_order_mark():
    content = upload.csv_bytes(pd.DataFrame({"Период": [period_of("2023").label]}))

    assert content.startswith(b"\xef\xbb\xbf")
    assert content.decode("utf-8-sig") == "Период\r\n2023 год\r\n"


def test_a_school_chosen_for_a_new_spelling_keeps_it_and_the_registry_tab_can_forget_it(
    copy: Database, demo_db_path: Path, tmp_path: Path
):
    forms = lookups.form_values(copy, lookups.periods(copy)[-1])
    place = forms[forms["organization"].str.fullmatch(r"МБОУ «СОШ № \d+»")].iloc[0]
    number = re.search(r"№ (\d+)", str(place["organization"])).group(1)
    written = f"МБОУ СШ № {number}"  # a letter short: like the school, not surely it
    at = open_page({"period": str(place["period"])})
    set_defaults(at, place["region"], place["municipality"], place["period"])
    choose_file(at, "написание.csv", form_csv([f"{written};школа;да;нет;40;4;6"]))
    match = next(r for r in at.radio if str(r.key).startswith("match_"))
    match.set_value(int(place["org_id"])).run()
    # The school has a complete form for the period: the file's fewer answers need a yes.
    assert button(at, "Загрузить").disabled
    at.checkbox(key="partial_написание.csv").check().run()
    button(at, "Загрузить").click().run()

    aliases = next(df.value for df in at.dataframe if "Написание в файлах" in df.value.columns)
    assert aliases["Написание в файлах"].tolist() == [written]
    assert aliases["Организация"].tolist() == [place["organization"]]
    at.selectbox(key="alias_to_remove").select(f"{written} → {place['organization']}")
    at.button(key="remove_alias").click().run()
    after = snapshot(demo_db_path, tmp_path)
    assert after.scalar("SELECT count(*) FROM org_aliases") == 0


HOSTILE_SPELLING = "<img src=x onerror=alert(1)>**Ж** [клик](http://example.com)"


def test_a_curators_proposed_spelling_is_shown_as_typed_with_its_origin_and_accepted_here(
    copy: Database, demo_db_path: Path, tmp_path: Path
):
    place = a_municipality(copy)
    with Database(demo_db_path) as db:
        proposing = Decisions(
            choices={("", 2): int(place["org_id"])}, replace_partial=True, learn_aliases=False
        )
        loaded = ingest_bytes(
            db,
            "своя.csv",
            form_csv([f"{HOSTILE_SPELLING};школа;да;нет;40;4;6"]),
            defaults=Defaults(place["region"], place["municipality"], period=place["period"]),
            user="petrova",
            decisions=proposing,
        )
    at = open_page({"period": str(place["period"])})

    shown = next(df.value for df in at.dataframe if "Написание в файлах" in df.value.columns)
    assert shown[["Организация", "Написание в файлах", "Откуда"]].values.tolist() == [
        [
            place["organization"],
            HOSTILE_SPELLING,
            f"предложено: загрузка № {loaded.upload_id}, petrova; не применяется, пока не принято",
        ]
    ]
    at.selectbox(key="alias_to_accept").select(f"{HOSTILE_SPELLING} → {place['organization']}")
    at.button(key="accept_alias").click().run()
    after = snapshot(demo_db_path, tmp_path)
    assert after.query("SELECT alias, source, added_by FROM org_aliases").values.tolist() == [
        [HOSTILE_SPELLING, "manual", LOCAL_PRINCIPAL.login]
    ]


# --- organisations outside the registry ----------------------------------------------


def test_a_school_created_outside_the_registry_is_merged_into_a_registered_one_from_the_page(
    copy: Database, demo_db_path: Path, tmp_path: Path
):
    place = a_municipality(copy)
    registry = lookups.hierarchy(copy)
    school = registry[
        registry["in_registry"] & (registry["municipality_id"] == place["municipality_id"])
    ].iloc[0]
    with Database(demo_db_path) as db:
        ingest_bytes(
            db,
            "копия.csv",
            form_csv([f"{NEW_SCHOOL};школа;да;нет;40;4;6"]),
            defaults=Defaults(place["region"], place["municipality"], None, "2031"),
            decisions=Decisions(new_orgs=True),
        )
    at = open_page()
    outside = next(df.value for df in at.dataframe if "Форм" in df.value.columns)
    assert outside[["Организация", "Муниципалитет", "Форм"]].values.tolist() == [
        [NEW_SCHOOL, place["municipality"], 1]
    ]

    at.selectbox(key="merge_into").set_value(int(school["org_id"])).run()
    at.button(key="merge_org").click().run()
    at.button(key="org_action_yes").click().run()

    assert_clean(at)
    assert any(f"объединена с «{school['organization']}" in s.value for s in at.success)
    after = snapshot(demo_db_path, tmp_path)
    assert after.scalar("SELECT org_id FROM form_values WHERE period = '2031'") == school["org_id"]
    assert after.scalar("SELECT count(*) FROM organizations WHERE name = ?", [NEW_SCHOOL]) == 0
    assert after.query("SELECT alias FROM org_aliases WHERE org_id = ?", [int(school["org_id"])])[
        "alias"
    ].tolist() == [NEW_SCHOOL]
