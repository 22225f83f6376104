"""The registers on the pages: uploading them on «Данные», their counts and the forms
against them, the people (with names) only on «Данные» and only for a chosen school, the
delete button, the quality list's links to the school profiles, and the charts of forms of
mentoring and mentor load on «Организация» and «Показатели», which name nobody.

The app keeps its own connection to the database, so the tests read copies of the file.
"""

from __future__ import annotations

import json
import shutil
from datetime import date
from itertools import count
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from analytics.model.contract import FormKind
from analytics.store.db import Database
from tests import apptest
from tests.apptest import assert_clean
from tests.registerfiles import (
    MENTEE_HEADER,
    MENTEES_1,
    MENTORS_1,
    SCHOOL_1,
    load_forms,
    names_in,
    register_csv,
)

ROOT = Path(__file__).resolve().parents[2]
PERIOD = "2022/2023"
_copies = count()


@pytest.fixture
def forms_only_db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "monitoring.duckdb"
    with Database(path) as db:
        load_forms(db)
    monkeypatch.setenv("MONITORING_DB", str(path))
    return path


def snapshot(path: Path) -> Database:
    """A copy of the app's database as it is now (with its write-ahead log)."""
    target = path.with_name(f"snapshot_{next(_copies)}.duckdb")
    shutil.copy(path, target)
    wal = path.with_name(path.name + ".wal")
    if wal.exists():
        shutil.copy(wal, target.with_name(target.name + ".wal"))
    return Database(target)


def open_page(page: str, query: dict[str, str] | None = None) -> AppTest:
    return apptest.open_page(page, {"period": PERIOD, **(query or {})}, timeout=60)


def open_in_app(page: str) -> AppTest:
    """A page run inside the whole app, so that links to other pages resolve."""
    at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=60)
    at.switch_page(page)
    at.query_params["period"] = PERIOD
    return at.run()


def page_text(at: AppTest) -> str:
    """Everything a person can read on the page, charts included."""
    parts = [
        e.value
        for kind in ("markdown", "caption", "title", "header", "subheader", "info", "success")
        for e in getattr(at, kind)
    ]
    parts += [w.value for w in at.warning]
    parts += [f"{m.label} {m.value}" for m in at.metric]
    parts += [df.value.astype(str).to_csv() for df in at.dataframe]
    parts += [
        json.dumps(json.loads(c.proto.spec), ensure_ascii=False) for c in at.get("plotly_chart")
    ]
    return "\n".join(parts)


def chart_titles(at: AppTest) -> list[str]:
    return [json.loads(c.proto.spec)["layout"]["title"]["text"] for c in at.get("plotly_chart")]


def button(at: AppTest, key: str):
    return next(b for b in at.button if b.key == key)


# --- uploading ---------------------------------------------------------------------


def test_the_upload_kinds_include_the_bases_of_mentors_and_mentees(app_db):
    at = open_page("pages/data.py")

    assert at.radio(key="upload_kind").options == [
        "Форма мониторинга ОО",
        "Реестр ОО",
        "База наставников",
        "База наставляемых",
    ]


def choose_mentees(at: AppTest) -> AppTest:
    """Choose «База наставляемых» with the first three mentees of СОШ № 1 and the values
    for the whole file (a base of mentees asks for the period, as a form does)."""
    at.radio(key="upload_kind").set_value(FormKind.MENTEES).run()
    at.text_input(key="default_region").input("Удмуртская Республика")
    at.text_input(key="default_municipality").input("г. Глазов")
    at.selectbox(key="default_org_type").set_value("school")
    at.text_input(key="default_period").input(PERIOD)
    content = register_csv(MENTEE_HEADER, MENTEES_1[:3])
    return at.file_uploader[0].set_value([("наставляемые.csv", content, "text/csv")]).run()


def test_a_base_of_mentees_is_previewed_with_its_rows_schools_and_replaced_bases(app_db):
    at = open_page("pages/data.py")

    choose_mentees(at)

    assert_clean(at)
    success = " ".join(s.value for s in at.success).replace("\\", "")
    assert (
        "«наставляемые.csv» можно загрузить: 3\u00a0строки; организаций: 1; новых "
        "организаций: 0; будет заменено баз: 1; период: 2022/2023; муниципалитеты: г. Глазов"
    ) in success


def test_uploading_a_base_of_mentees_on_the_page_replaces_the_schools_base(app_db):
    at = choose_mentees(open_page("pages/data.py"))

    next(b for b in at.button if b.label == "Загрузить").click().run()

    assert_clean(at)
    after = snapshot(app_db)
    assert after.scalar("SELECT count(*) FROM mentees") == 3
    assert after.scalar("SELECT count(*) FROM mentees_history") == 8


# --- the registers tab -------------------------------------------------------------


def test_the_registers_tab_shows_each_schools_counts(app_db):
    at = open_page("pages/data.py")

    assert_clean(at)
    table = apptest.dataframe_with(at, "Наставников")
    assert table[
        ["Организация", "Наставников", "Наставляемых", "Пар", "Групп"]
    ].values.tolist() == [
        [SCHOOL_1, "4", "8", "3", "1"],
        ["МБОУ «СОШ № 2»", "7", "—", "—", "—"],
    ]
    assert table["Длительность программ"].tolist() == ["от 8 до 12\u00a0месяцев", "8\u00a0месяцев"]


def test_the_registers_tab_lists_where_the_forms_disagree_with_the_registers(app_db):
    at = open_page("pages/data.py")

    table = apptest.dataframe_with(at, "В форме")
    assert table[
        ["Организация", "Показатель формы", "В форме", "В базе", "Разница"]
    ].values.tolist() == [
        [SCHOOL_1, "Пар «наставник – наставляемый»", "5", "3", "−2"],
        ["МБОУ «СОШ № 2»", "Педагогов-наставников", "12", "7", "−5"],
    ]


def test_with_more_schools_with_bases_than_a_page_draws_the_tab_asks_for_a_territory(
    app_db, monkeypatch: pytest.MonkeyPatch
):
    import ui.page

    monkeypatch.setattr(ui.page, "ORG_CHOICE_LIMIT", 1)

    at = open_page("pages/data.py")

    assert_clean(at)
    table = apptest.dataframe_with(at, "Наставников")
    assert table["Организация"].tolist() == [SCHOOL_1]
    captions = [c.value for c in at.caption]
    assert "Показаны первые 1 из 2\u00a0организаций; весь список — в файлах XLSX и CSV." in captions
    assert "people_org" not in [s.key for s in at.selectbox]
    assert (
        "Базы есть у 2\u00a0организаций: выберите регион или муниципалитет в боковой панели, "
        "чтобы открыть базы одной из них." in [i.value for i in at.info]
    )


def test_no_name_is_on_the_data_page_until_a_school_is_chosen(app_db):
    at = open_page("pages/data.py")

    assert_clean(at)
    assert names_in(page_text(at)) == []


def test_choosing_a_school_lists_its_mentors_and_mentees_by_name(app_db):
    at = open_page("pages/data.py")

    at.selectbox(key="people_org").set_value(1).run()

    assert_clean(at)
    assert apptest.dataframe_with(at, "ФИО наставника")["ФИО наставника"].tolist()[:4] == [
        str(row[0]) for row in MENTORS_1
    ]
    mentees = apptest.dataframe_with(at, "ФИО наставляемого")
    assert mentees["ФИО наставляемого"].tolist() == [str(row[0]) for row in MENTEES_1]
    assert mentees["Наставник в базе"].tolist()[-2:] == ["не найден", ""]


def test_deleting_a_register_on_the_page_asks_first_then_removes_the_names(app_db):
    at = open_page("pages/data.py")
    at.selectbox(key="people_org").set_value(1).run()

    button(at, "confirm_delete_register_ask").click().run()
    untouched = snapshot(app_db)
    button(at, "confirm_delete_register_yes").click().run()

    assert_clean(at)
    assert untouched.scalar("SELECT count(*) FROM mentors") == 11
    assert any("удалены: 12\u00a0человек" in s.value for s in at.success)
    after = snapshot(app_db)
    assert after.scalar("SELECT count(*) FROM mentors") == 7
    assert after.scalar("SELECT count(*) FROM mentees") == 0
    assert after.scalar("SELECT count(*) FROM uploads WHERE purged_at IS NOT NULL") == 2


def test_the_upload_history_says_whose_personal_data_was_deleted(app_db):
    at = open_page("pages/data.py")
    at.selectbox(key="people_org").set_value(1).run()
    button(at, "confirm_delete_register_ask").click().run()
    button(at, "confirm_delete_register_yes").click().run()

    history = apptest.dataframe_with(at, "Состояние").set_index("Файл")["Состояние"]
    today = date.today().strftime("%d.%m.%Y")
    assert history.to_dict() == {
        "наставляемые.csv": f"действует; персональные данные удалены {today}",
        "наставники.csv": f"действует; персональные данные удалены {today}",
        "формы.csv": "действует",
    }


def test_without_registers_the_tab_says_how_to_load_them(forms_only_db):
    at = open_page("pages/data.py")

    assert_clean(at)
    assert any(
        "Базы наставников и наставляемых для выбранных фильтров не загружены" in i.value
        for i in at.info
    )


# --- the quality list --------------------------------------------------------------


def test_the_quality_list_shows_the_register_findings_by_kind(app_db):
    at = open_page("pages/data.py")

    table = apptest.dataframe_with(at, "Замечание")
    assert table["Вид"].tolist() == [
        "противоречие в данных",
        "форма расходится с базой",
        "форма расходится с базой",
        "наставник не найден в базе",
    ]
    assert any("2\u00a0расхождения с базами" in m.value for m in at.markdown)


def test_the_quality_list_links_each_school_to_its_profile(app_db):
    at = open_in_app("pages/data.py")

    assert_clean(at)
    links = [(p.proto.label, p.proto.page, p.proto.query_string) for p in at.page_link]
    assert (
        f"{SCHOOL_1} — 3\u00a0замечания",
        "organization",
        "period=2022%2F2023&org=1",
    ) in links
    assert (
        "МБОУ «СОШ № 2» — 1\u00a0замечание",
        "organization",
        "period=2022%2F2023&org=2",
    ) in links


# --- charts on the other pages -----------------------------------------------------


def test_the_organization_page_charts_the_forms_of_mentoring_and_the_mentor_load(app_db):
    at = open_page("pages/organization.py", {"org": "1"})

    assert_clean(at)
    assert chart_titles(at)[1:] == [
        f"{SCHOOL_1}: формы наставничества",
        f"{SCHOOL_1}: нагрузка на наставников",
    ]
    metrics = {m.label: m.value for m in at.metric}
    assert (metrics["Наставников"], metrics["Наставляемых"], metrics["Пар / групп"]) == (
        "4",
        "8",
        "3 / 1",
    )
    assert metrics["Нагрузка более 3"] == "1\u00a0наставник"


def test_the_organization_page_names_nobody(app_db):
    at = open_page("pages/organization.py", {"org": "1"})

    assert names_in(page_text(at)) == []


def test_the_organization_page_lists_where_its_form_disagrees_with_its_registers(app_db):
    at = open_page("pages/organization.py", {"org": "2"})

    table = apptest.dataframe_with(at, "В форме")
    assert table.values.tolist() == [
        ["2022/2023 уч. год", "Педагогов-наставников", "12", "7", "База наставников", "−5"]
    ]


def test_the_indicators_page_ends_with_the_registers_charts_naming_nobody(app_db):
    at = open_page("pages/indicators.py")

    assert_clean(at)
    assert chart_titles(at)[-2:] == ["Формы наставничества", "Нагрузка на наставников"]
    assert at.subheader[-1].value == "По базам наставников и наставляемых"
    assert names_in(page_text(at)) == []
