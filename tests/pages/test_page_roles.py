"""Every page for every role: the login form, and what each role must and must not see.

A curator of school A opens every page (and school B's profile by URL) and finds nothing
of school B: not its name, not its ИНН, in any text, table, chart or list.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pandas as pd
import pytest
from google.protobuf import text_format
from streamlit import config
from streamlit.testing.v1 import AppTest

from analytics.compute import lookups
from analytics.operations.users import Role, Throttle, UserStore
from analytics.store.db import Database
from tests import apptest
from tests.apptest import assert_clean
from tests.conftest import snapshot
from tests.registerfiles import PERIOD, load_registers, names_in

ROOT = Path(__file__).resolve().parents[2]
PAGES = ["dashboard.py", *sorted(f"pages/{p.name}" for p in (ROOT / "pages").glob("*.py"))]
PASSWORD = "пароль-для-теста"


def visible_text(at: AppTest) -> str:
    """Everything a page puts on screen: texts, tables, options, chart specs."""
    parts: list[str] = []

    def walk(node: object) -> None:
        kind = getattr(node, "type", None)
        proto = getattr(node, "proto", None)
        if kind == "dataframe":
            parts.append(node.value.to_csv())  # type: ignore[attr-defined]
        elif kind == "plotly_chart":
            parts.append(json.dumps(json.loads(proto.spec), ensure_ascii=False))  # type: ignore[union-attr]
        elif proto is not None:
            parts.append(text_format.MessageToString(proto, as_utf8=True))
        for child in getattr(node, "children", {}).values():
            walk(child)

    walk(at._tree)
    return "\n".join(parts)


@pytest.fixture(scope="module")
def schools(
    demo_template: Path, tmp_path_factory: pytest.TempPathFactory
) -> tuple[pd.Series, pd.Series]:
    """Two schools of one municipality that both sent a form: A (the curator's) and B,
    read once from a copy of the demo database every test starts from."""
    with snapshot(demo_template, tmp_path_factory.mktemp("schools")) as db:
        period = lookups.periods(db)[-1]
        forms = lookups.form_values(db, period)
        hierarchy = lookups.hierarchy(db)
    reporting = hierarchy[hierarchy["org_id"].isin(forms["org_id"])]
    by_municipality = reporting.groupby("municipality_id")["org_id"].transform("size")
    crowded = reporting[by_municipality >= 4]
    a = crowded.iloc[0]
    rest = crowded[crowded["municipality_id"] == a["municipality_id"]].iloc[1:]
    b = next(
        row
        for _, row in rest.iterrows()
        if row["organization"] not in a["organization"]
        and a["organization"] not in row["organization"]
    )
    return a, b


@pytest.fixture(scope="module")
def users_file(schools, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The four users' file, made once: each bcrypt hash costs a quarter of a second."""
    store = UserStore(tmp_path_factory.mktemp("users") / "users.json")
    a, _ = schools
    store.add("admin", Role.ADMIN, PASSWORD)
    store.add("analyst", Role.ANALYST, PASSWORD)
    store.add("viewer", Role.VIEWER, PASSWORD)
    store.add("curator", Role.CURATOR, PASSWORD, (str(a["inn"]),))
    return store.path


@pytest.fixture
def users(demo_db_path: Path, users_file: Path, monkeypatch: pytest.MonkeyPatch) -> UserStore:
    """An administrator, an analyst, a viewer and a curator of school A, in a copy of the
    users' file of this test's own."""
    path = demo_db_path.parent / "users.json"
    shutil.copy(users_file, path)
    monkeypatch.setenv("MONITORING_USERS", str(path))
    return UserStore(path)


def open_as(page: str, login: str | None, query: dict[str, str] | None = None) -> AppTest:
    return apptest.open_page(page, query, login)


# --- login --------------------------------------------------------------------------


@pytest.mark.parametrize("page", PAGES)
def test_with_users_every_page_asks_to_log_in_and_shows_no_data(page: str, users, schools):
    at = open_as(page, None)

    assert at.title[0].value == "Вход"
    assert [t.label for t in at.text_input] == ["Имя пользователя", "Пароль"]
    text = visible_text(at)
    for school in schools:
        assert school["organization"] not in text


def test_the_right_password_opens_the_page_asked_for(users):
    at = open_as("pages/territories.py", None)
    at.text_input(key="login_name").input("analyst")
    at.text_input(key="login_password").input(PASSWORD)

    at = at.button[0].click().run()

    assert_clean(at)
    assert at.title[0].value == "Территории"
    assert "Вы вошли как **analyst** (аналитик)." in [c.value for c in at.sidebar.caption]


def test_a_wrong_password_and_an_unknown_login_get_one_message(users, monkeypatch):
    monkeypatch.setattr("analytics.operations.users.PROCESS_THROTTLE", Throttle())
    messages = []
    for login in ("analyst", "nobody"):
        at = open_as("dashboard.py", None)
        at.text_input(key="login_name").input(login)
        at.text_input(key="login_password").input("не тот пароль")
        at = at.button[0].click().run()
        assert at.title[0].value == "Вход"
        messages.append([e.value for e in at.error])

    assert messages == [["Неверное имя пользователя или пароль."]] * 2


def test_logging_out_returns_to_the_login_form(users):
    at = open_as("dashboard.py", "viewer")

    at = at.sidebar.button(key="logout").click().run()

    assert at.title[0].value == "Вход"


def test_a_removed_user_is_logged_out_at_the_next_click(users):
    at = open_as("dashboard.py", "viewer")
    users.remove("viewer")

    at = at.run()

    assert at.title[0].value == "Вход"


# --- local mode ---------------------------------------------------------------------


def test_without_users_the_dashboard_says_it_is_in_single_user_local_mode(
    demo_db_path: Path, monkeypatch: pytest.MonkeyPatch
):
    monkeypatch.setenv("MONITORING_USERS", str(demo_db_path.parent / "нет_такого.json"))

    at = open_as("dashboard.py", None)

    assert_clean(at)
    assert at.sidebar.caption[0].value.startswith(
        "Однопользовательский режим: панель доступна только с этого компьютера"
    )


def test_without_users_a_dashboard_served_to_the_network_shows_no_data(
    demo_db_path: Path, monkeypatch: pytest.MonkeyPatch
):
    monkeypatch.setenv("MONITORING_USERS", str(demo_db_path.parent / "нет_такого.json"))
    config.set_option("server.address", "0.0.0.0")
    try:
        at = open_as("dashboard.py", None)
    finally:
        config.set_option("server.address", "127.0.0.1")

    assert at.error[0].value.startswith("Панель открыта для сети, но пользователи не заведены")
    assert not at.dataframe
    assert not at.title


# --- curator ------------------------------------------------------------------------


@pytest.mark.parametrize("page", PAGES)
def test_a_curator_finds_nothing_of_another_school_on_any_page(page: str, users, schools):
    a, b = schools

    at = open_as(page, "curator", {"municipality": str(int(a["municipality_id"]))})

    assert_clean(at)
    text = visible_text(at)
    assert b["organization"] not in text
    assert str(b["inn"]) not in text


def test_a_curator_opening_another_schools_profile_by_url_sees_nothing_of_it(users, schools):
    _, b = schools

    at = open_as("pages/organization.py", "curator", {"org": str(int(b["org_id"]))})

    text = visible_text(at)
    assert b["organization"] not in text
    assert str(b["inn"]) not in text
    assert "org" not in at.query_params  # the filter fell back to «все организации»


def test_a_curator_sees_their_own_school_in_full(users, schools):
    a, _ = schools

    at = open_as("pages/organization.py", "curator", {"org": str(int(a["org_id"]))})

    assert_clean(at)
    assert a["organization"] in visible_text(at)
    assert any("Вопрос формы" in df.value.columns for df in at.dataframe)


def test_a_curator_is_offered_only_their_own_schools_notes(users, schools):
    a, _ = schools

    at = open_as("pages/reports.py", "curator")

    labels = [b.label for b in at.get("download_button")]
    assert f"{a['organization']} (DOCX)" in labels
    assert "Справка (DOCX)" not in labels
    assert "Презентация (PPTX)" not in labels


def test_a_curator_has_no_upload_or_history_tab(users):
    at = open_as("pages/data.py", "curator")

    assert [t.label for t in at.tabs] == [
        "Реестр и отчётность",
        "Базы наставников и наставляемых",
        "Качество данных",
    ]


# --- viewer, analyst, administrator -------------------------------------------------


def test_a_viewer_is_told_the_names_in_the_registers_are_not_for_them(users, demo_db_path: Path):
    with Database(demo_db_path) as db:
        load_registers(db)
        municipality = db.scalar(
            "SELECT o.municipality_id FROM mentors JOIN organizations o USING (org_id) LIMIT 1"
        )

    at = open_as("pages/data.py", "viewer", {"period": PERIOD, "municipality": str(municipality)})

    assert_clean(at)
    assert any(
        i.value.startswith("Списки наставников и наставляемых — персональные") for i in at.info
    )
    assert "people_org" not in [s.key for s in at.selectbox]
    assert names_in(visible_text(at)) == []


def test_an_analyst_chooses_a_school_and_reads_the_names_in_its_registers(
    users, demo_db_path: Path
):
    with Database(demo_db_path) as db:
        load_registers(db)
        municipality, school = db.query(
            "SELECT o.municipality_id, o.org_id FROM mentors JOIN organizations o USING (org_id) "
            "ORDER BY o.org_id LIMIT 1"
        ).iloc[0]
    at = open_as("pages/data.py", "analyst", {"period": PERIOD, "municipality": str(municipality)})

    at = at.selectbox(key="people_org").select(int(school)).run()

    assert_clean(at)
    assert "Иванова Анна Петровна" in names_in(visible_text(at))


def test_an_analyst_reads_targets_but_cannot_change_them(users):
    at = open_as("pages/settings.py", "analyst")

    assert_clean(at)
    assert "Сохранить цель" not in [b.label for b in at.button]
    assert "Изменять цели может администратор." in [c.value for c in at.caption]


def test_an_administrator_has_the_upload_and_history_tabs(users):
    at = open_as("pages/data.py", "admin")

    assert [t.label for t in at.tabs][:2] == ["Загрузка файлов", "История загрузок"]
    assert "Сохранить цель" in [b.label for b in open_as("pages/settings.py", "admin").button]
