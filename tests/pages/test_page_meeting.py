"""The «Заседание» page: every screen of the presentation carries the meeting's filters
and frozen data version, the screens show the values frozen at opening even after an
upload, a decision added on a deficit screen is stored for the chosen territory, and a
new meeting opens over the sidebar's filters.

Expectations come from the engine on a copy of the database, never from the page.
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from analytics.compute import lookups
from analytics.ingest.load import Decisions, ingest_bytes
from analytics.meetings.decisions import Assignment, add_decision, list_decisions, progress
from analytics.meetings.meetings import (
    Sitting,
    create_meeting,
    frozen_values,
    get_meeting,
    list_meetings,
    screens,
)
from analytics.model.levels import Level
from analytics.store.db import Database
from analytics.store.scope import Scope
from analytics.wording import formatting
from tests.conftest import ROOT, snapshot
from tests.filemakers import FULL_COLUMNS, csv_bytes, org, table
from ui import charts
from ui.page import Filters, describe
from ui.text import md

PAGE = "pages/meeting.py"
HELD_ON = date(2024, 7, 15)


def open_page(meeting_id: int | None = None) -> AppTest:
    at = AppTest.from_file(str(ROOT / PAGE), default_timeout=30)
    if meeting_id is not None:
        at.query_params["meeting"] = str(meeting_id)
    return at.run()


def assert_clean(at: AppTest) -> None:
    assert not at.exception, [e.value for e in at.exception]
    assert not at.error, [e.value for e in at.error]


@pytest.fixture
def meeting_id(demo_db_path: Path) -> int:
    """A meeting over the latest period of the first municipality of the demo."""
    with Database(demo_db_path) as db:
        municipality = int(lookups.hierarchy(db)["municipality_id"].min())
        return create_meeting(
            db,
            Scope(periods=(lookups.periods(db)[-1],), municipality_id=municipality),
            Sitting(HELD_ON),
        )


def expected_stamp(db: Database, meeting_id: int) -> str:
    meeting = get_meeting(db, meeting_id)
    filters = Filters(meeting.period, None, meeting.municipality_id)
    return md(
        f"Заседание № {meeting_id} от 15.07.2024 · "
        f"Фильтры: {describe(filters, lookups.hierarchy(db))} · "
        f"{formatting.data_stamp(meeting.data_at)}"
    )


def test_every_screen_carries_the_meetings_filters_and_frozen_data_version(
    meeting_id: int, demo_db_path: Path, tmp_path: Path
):
    copy = snapshot(demo_db_path, tmp_path)
    stamp = expected_stamp(copy, meeting_id)
    titles = [s.title for s in screens(frozen_values(copy, meeting_id))]
    at = open_page(meeting_id)
    seen = []
    for n in range(len(titles)):
        assert_clean(at)
        seen.append((at.header[0].value, at.caption[0].value))
        assert at.markdown[0].value == f"<center>Экран {n + 1} из {len(titles)}</center>"
        if n < len(titles) - 1:
            at.button(key="mtg_next").click().run()
    assert seen == [(title, stamp) for title in titles]
    assert at.button(key="mtg_next").disabled


def test_back_returns_to_the_previous_screen(meeting_id: int):
    at = open_page(meeting_id)
    first = at.header[0].value
    at.button(key="mtg_next").click().run()
    at.button(key="mtg_back").click().run()
    assert_clean(at)
    assert at.header[0].value == first
    assert at.button(key="mtg_back").disabled


def test_the_screens_shown_in_presentation_mode_become_the_agenda_in_order(
    meeting_id: int, demo_db_path: Path, tmp_path: Path
):
    at = open_page(meeting_id)
    at.toggle(key="mtg_present").set_value(True).run()
    at.button(key="mtg_next").click().run()
    titles = [h.value for h in at.header]
    after = snapshot(demo_db_path, tmp_path)
    shown = after.query(
        "SELECT title FROM meeting_screens WHERE meeting_id = ? ORDER BY position", [meeting_id]
    )
    assert shown["title"].tolist() == ["Сводка показателей", *titles]


def test_browsing_a_meeting_outside_presentation_mode_leaves_its_agenda_alone(
    meeting_id: int, demo_db_path: Path, tmp_path: Path
):
    at = open_page(meeting_id)
    at.button(key="mtg_next").click().run()

    after = snapshot(demo_db_path, tmp_path)
    count = after.scalar("SELECT count(*) FROM meeting_screens WHERE meeting_id = ?", [meeting_id])
    assert count == 0


def test_an_upload_after_opening_is_announced_and_the_frozen_values_stay(
    meeting_id: int, demo_db_path: Path, tmp_path: Path
):
    with Database(demo_db_path) as db:
        meeting = get_meeting(db, meeting_id)
        place = lookups.hierarchy(db)
        place = place[place["municipality_id"] == meeting.municipality_id].iloc[0]
        school = org(
            "Новая школа",
            region=place["region"],
            municipality=place["municipality"],
            period=meeting.period,
            has_regulation="нет",
        )
        # A school the registry does not list: the coordinator confirms it is new.
        new = Decisions(new_orgs=True)
        ingest_bytes(db, "late.csv", csv_bytes(table([school], FULL_COLUMNS)), decisions=new)
    copy = snapshot(demo_db_path, tmp_path)
    frozen = frozen_values(copy, meeting_id)
    total = frozen[frozen["level"] == Level.TOTAL].set_index("name")
    at = open_page(meeting_id)
    assert_clean(at)
    assert at.caption[1].value == (
        "После открытия заседания загружены новые данные; на экранах — данные, "
        "зафиксированные при открытии."
    )
    overview = at.dataframe[0].value
    shown = dict(zip(overview["Показатель"], overview["Значение"], strict=True))
    name = "Доля ОО с утверждённым положением о наставничестве"
    assert shown[name] == formatting.percent(total.loc[name, "value"])


def test_a_decision_added_on_a_deficit_screen_is_stored_for_the_chosen_territory(
    meeting_id: int, demo_db_path: Path, tmp_path: Path
):
    at = open_page(meeting_id)
    at.button(key="mtg_next").click().run()
    level, territory = at.selectbox(key="mtg_dec_where").value
    at.text_area(key="mtg_dec_text").input("Утвердить положения о наставничестве")
    at.text_input(key="mtg_dec_who").input("Кардакова Е. А.")
    at.date_input(key="mtg_dec_due").set_value(date(2024, 9, 1))
    next(b for b in at.button if b.label == "Добавить поручение").click().run()
    assert_clean(at)
    assert [s.value for s in at.success] == ["Поручение добавлено."]
    after = snapshot(demo_db_path, tmp_path)
    copy_meeting = get_meeting(after, meeting_id)
    first_deficit = screens(frozen_values(after, meeting_id))[1].indicator
    row = list_decisions(after).iloc[0]
    assert (
        row["meeting_id"],
        row["indicator"],
        row["level"],
        row["territory_id"],
        row["period"],
        row["text"],
        row["responsible"],
        row["due_date"],
    ) == (
        meeting_id,
        first_deficit,
        level,
        territory,
        copy_meeting.period,
        "Утвердить положения о наставничестве",
        "Кардакова Е. А.",
        date(2024, 9, 1),
    )


def test_a_decision_without_a_responsible_person_is_refused_in_russian(
    meeting_id: int, demo_db_path: Path, tmp_path: Path
):
    at = open_page(meeting_id)
    at.button(key="mtg_next").click().run()
    at.text_area(key="mtg_dec_text").input("Утвердить положения о наставничестве")
    next(b for b in at.button if b.label == "Добавить поручение").click().run()
    assert [e.value for e in at.error] == ["Не указан ответственный."]
    assert list_decisions(snapshot(demo_db_path, tmp_path)).empty


def test_a_new_meeting_opens_over_the_sidebar_filters(demo_db_path: Path, tmp_path: Path):
    at = open_page()
    assert at.selectbox(key="mtg_id").value == 0
    at.text_area[0].input("Иванова А. П.\nПетров И. И.")
    next(b for b in at.button if b.label == "Открыть заседание").click().run()
    assert_clean(at)
    after = snapshot(demo_db_path, tmp_path)
    meetings = list_meetings(after)
    assert len(meetings) == 1
    meeting = get_meeting(after, int(meetings["meeting_id"].iloc[0]))
    assert (meeting.period, meeting.region_id, meeting.attendees) == (
        lookups.periods(after)[-1],
        None,
        ("Иванова А. П.", "Петров И. И."),
    )
    assert at.header[0].value == "Сводка показателей"


def test_the_protocol_downloads_from_the_page_outside_presentation_mode(meeting_id: int):
    at = open_page(meeting_id)
    assert [b.proto.label for b in at.get("download_button")] == ["Протокол заседания (DOCX)"]


def test_presentation_mode_hides_the_sidebar_and_keeps_only_the_screen(meeting_id: int):
    at = open_page(meeting_id)
    assert [e.label for e in at.expander] == ["Участники заседания"]
    at.toggle(key="mtg_present").set_value(True).run()
    assert_clean(at)
    styles = [h.proto.body for h in at.get("html")]
    assert any('[data-testid="stSidebar"]' in s and "font-size: 24px" in s for s in styles)
    assert at.get("download_button") == []
    assert [e.label for e in at.expander] == []
    assert at.header[0].value == "Сводка показателей"


def test_the_last_screen_lists_the_meetings_decisions_with_their_indicators_movement(
    meeting_id: int, demo_db_path: Path, tmp_path: Path
):
    with Database(demo_db_path) as db:
        meeting = get_meeting(db, meeting_id)
        add_decision(
            db,
            meeting_id,
            Scope(municipality_id=meeting.municipality_id, indicators=("databases",)),
            Assignment("Сформировать базы наставников", "Кардакова Е. А.", date(2024, 9, 1)),
        )
    copy = snapshot(demo_db_path, tmp_path)
    summary = progress(copy, list_decisions(copy))["summary"].tolist()
    at = open_page(meeting_id)
    while not at.button(key="mtg_next").disabled:
        at.button(key="mtg_next").click().run()
    assert_clean(at)
    assert at.header[0].value == "Поручения заседания"
    table = at.dataframe[0].value
    assert table[["Поручение", "Ответственный", "Срок", "Статус"]].values.tolist() == [
        ["Сформировать базы наставников", "Кардакова Е. А.", "01.09.2024", "назначено"]
    ]
    assert table["Динамика показателя"].tolist() == summary == ["Новых данных пока нет"]


def _projected_town(demo_db_path: Path, tmp_path: Path) -> tuple[AppTest, pd.DataFrame]:
    """The page on the first indicator's screen, in presentation mode, of a meeting over
    the demo's town of 32 schools and no districts (its chart compares schools), with the
    schools' frozen values of that indicator."""
    with Database(demo_db_path) as db:
        meeting_id = create_meeting(
            db, Scope(periods=(lookups.periods(db)[-1],), municipality_id=8), Sitting(HELD_ON)
        )
    copy = snapshot(demo_db_path, tmp_path)
    values = frozen_values(copy, meeting_id)
    indicator = screens(values)[1].indicator
    schools = values[(values["indicator"] == indicator) & (values["level"] == Level.ORGANIZATION)]
    at = open_page(meeting_id)
    at.toggle(key="mtg_present").set_value(True).run()
    at.button(key="mtg_next").click().run()
    assert_clean(at)
    return at, schools.dropna(subset=["value"])


def test_a_chart_on_a_projector_shows_the_eight_schools_farthest_behind_the_target(
    demo_db_path: Path, tmp_path: Path
):
    at, schools = _projected_town(demo_db_path, tmp_path)
    lowest = schools.sort_values("value", kind="stable").head(8)
    bars = json.loads(at.get("plotly_chart")[0].proto.spec)["data"][0]
    assert sorted(bars["text"]) == sorted(formatting.percent(v) for v in lowest["value"])
    assert [c.value for c in at.caption if c.value.startswith("На диаграмме")] == [
        md(
            f"На диаграмме 8 из {len(schools)} организаций, наиболее отстающих от цели; "
            "все — в таблице данных."
        )
    ]


def test_the_decisions_on_a_projector_are_five_columns_four_at_a_time(
    meeting_id: int, demo_db_path: Path
):
    with Database(demo_db_path) as db:
        meeting = get_meeting(db, meeting_id)
        for n in range(1, 6):
            add_decision(
                db,
                meeting_id,
                Scope(municipality_id=meeting.municipality_id, indicators=("databases",)),
                Assignment(f"Поручение {n}", "Кардакова Е. А.", date(2024, 9, n)),
            )
        place = lookups.hierarchy(db)
        place = place.loc[place["municipality_id"] == meeting.municipality_id, "municipality"]
    at = open_page(meeting_id)
    at.toggle(key="mtg_present").set_value(True).run()
    while not at.button(key="mtg_next").disabled:
        at.button(key="mtg_next").click().run()
    assert_clean(at)
    first = at.table[0].value
    assert first.columns.tolist() == [
        "№",
        "Поручение",
        "Показатель, территория",
        "Ответственный, срок",
        "Статус, динамика",
    ]
    assert first["Поручение"].tolist() == [f"Поручение {n}" for n in range(1, 5)]
    assert first.iloc[0, 2:].tolist() == [
        f"Базы наставников и наставляемых\n{place.iloc[0]}",
        "Кардакова Е. А.\nдо 01.09.2024",
        "назначено\nНовых данных пока нет",
    ]
    at.segmented_control(key=f"mtg_dec_part_{meeting_id}").set_value(1).run()
    assert at.table[0].value["Поручение"].tolist() == ["Поручение 5"]


def test_a_new_meeting_says_the_chosen_organisation_is_not_carried_into_it(demo_db_path: Path):
    with Database(demo_db_path) as db:
        org = lookups.hierarchy(db).iloc[0]
    at = AppTest.from_file(str(ROOT / PAGE), default_timeout=30)
    at.query_params["org"] = str(int(org["org_id"]))
    at.run()

    assert_clean(at)
    assert [i.value.replace("\\", "") for i in at.info if "в фильтрах" in i.value] == [
        f"Организация «{org['organization']}», выбранная в фильтрах, в заседание не "
        "переносится: заседание рассматривает территорию со всеми её организациями. "
        "Показатели одной организации — на странице «Организация»."
    ]


def test_a_chart_on_a_projector_has_its_figures_as_a_table_one_click_away(
    demo_db_path: Path, tmp_path: Path
):
    at, schools = _projected_town(demo_db_path, tmp_path)
    # A popover, not an expander: it opens over the projected screen without moving it.
    assert [e.label for e in at.expander] == ["Поручение по дефициту"]
    popover = at.get("popover")
    assert [p.proto.popover.label for p in popover] == [charts.DATA_TABLE_LABEL]
    table = popover[0].table[0].value
    # Every school, the ones the chart leaves out too.
    assert len(table) == len(schools) == 18
    assert sorted(table["Значение"]) == sorted(formatting.percent(v) for v in schools["value"])
    assert sorted(table[table.columns[0]]) == sorted(schools["organization"])
