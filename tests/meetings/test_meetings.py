"""Meetings: opening freezes the indicator values of the period and territory, later
uploads change nothing the meeting shows, the screens shown become the agenda, and the
meeting says when newer data exists."""

from __future__ import annotations

import shutil
from datetime import date, datetime

import pytest

from analytics.compute import lookups
from analytics.ingest.load import ingest_bytes
from analytics.meetings.meetings import (
    DECISIONS,
    OVERVIEW,
    MeetingError,
    Screen,
    Sitting,
    agenda,
    create_meeting,
    frozen_values,
    get_meeting,
    list_meetings,
    mark_shown,
    newer_data,
    screens,
    update_meeting,
)
from analytics.model.levels import Level
from analytics.store.db import Database
from analytics.store.scope import Scope
from tests import meetingfiles, ranking
from tests.filemakers import FULL_COLUMNS, csv_bytes, table
from tests.meetingfiles import ALPHA


@pytest.fixture
def db(fresh_db: Database) -> Database:
    meetingfiles.load(fresh_db, ("2022",))
    return fresh_db


def alpha(db: Database) -> int:
    return lookups.find_territory(db, "municipality", ALPHA)


def open_meeting(db: Database, attendees: str = "") -> int:
    return create_meeting(
        db,
        Scope(periods=("2022",), municipality_id=alpha(db)),
        Sitting(date(2022, 7, 15), attendees=attendees),
        now=datetime(2022, 7, 15, 10),
    )


def regulation(db: Database, meeting_id: int, level: str = "total") -> tuple:
    values = frozen_values(db, meeting_id)
    row = values[(values["indicator"] == "regulation") & (values["level"] == level)].iloc[0]
    return row["numerator"], row["denominator"], row["value"], row["status"], row["gap"]


def test_a_meeting_freezes_the_values_of_its_period_and_territory(db):
    meeting_id = open_meeting(db)
    assert regulation(db, meeting_id) == (2.0, 5.0, 40.0, "red", 60.0)
    values = frozen_values(db, meeting_id)
    assert set(values["period"]) == {"2022"}
    assert set(values["municipality"].dropna()) == {ALPHA}


def test_an_upload_after_opening_does_not_change_what_the_meeting_shows(db):
    meeting_id = open_meeting(db)
    schools = meetingfiles.schools(ALPHA, "2022", 5)
    ingest_bytes(db, "correction.csv", csv_bytes(table(schools, FULL_COLUMNS)))
    assert regulation(db, meeting_id) == (2.0, 5.0, 40.0, "red", 60.0)


def test_the_meeting_keeps_the_data_version_it_opened_with(db):
    version = db.data_version()
    meeting_id = open_meeting(db)
    meetingfiles.load(db, ("2023",))
    assert get_meeting(db, meeting_id).data_version == version


def test_newer_data_is_reported_only_after_an_upload_since_opening(db):
    meeting_id = create_meeting(
        db, Scope(periods=("2022",), municipality_id=alpha(db)), Sitting(date(2022, 7, 15))
    )
    meeting = get_meeting(db, meeting_id)
    update_meeting(db, meeting_id, attendees="Иванова А. П.")
    assert newer_data(db, meeting) is False
    meetingfiles.load(db, ("2023",))
    assert newer_data(db, meeting) is True


def test_attendees_are_stored_one_per_line_without_blanks(db):
    meeting_id = open_meeting(db, attendees="  Иванова А. П.\n\nПетров И. И. \n")
    assert get_meeting(db, meeting_id).attendees == ("Иванова А. П.", "Петров И. И.")
    update_meeting(db, meeting_id, attendees=["Сидорова Е. В."], chair="Давыдова С. М.")
    meeting = get_meeting(db, meeting_id)
    assert (meeting.attendees, meeting.chair) == (("Сидорова Е. В.",), "Давыдова С. М.")


def test_the_screens_put_the_missed_indicators_first_largest_gap_first(db):
    values = frozen_values(db, open_meeting(db))
    keys = [s.key for s in screens(values)]
    assert keys[0] == OVERVIEW and keys[-1] == DECISIONS
    total = values[(values["level"] == Level.TOTAL) & values["value"].notna()]
    missed = total[total["deficit"]].sort_values("gap", ascending=False, kind="stable")
    expected = [f"indicator:{i}" for i in missed["indicator"]]
    assert keys[1 : 1 + len(expected)] == expected
    assert len(keys) == len(total) + 2


def test_the_agenda_lists_each_screen_once_in_the_order_first_shown(db):
    meeting_id = open_meeting(db)
    first, second = (
        Screen(OVERVIEW, "Сводка показателей"),
        Screen("indicator:regulation", "Положение"),
    )
    for screen in (first, second, first):
        mark_shown(db, meeting_id, screen)
    shown = agenda(db, meeting_id)
    assert list(zip(shown["position"], shown["screen"], strict=True)) == [
        (1, OVERVIEW),
        (2, "indicator:regulation"),
    ]


def test_a_meeting_needs_a_period_the_database_has(db):
    with pytest.raises(MeetingError, match="Период «2030» не найден"):
        create_meeting(db, Scope(periods=("2030",)), Sitting(date(2022, 7, 15)))


@pytest.mark.parametrize("periods", [None, ("2022", "2023")])
def test_a_meeting_is_held_over_exactly_one_period(db, periods):
    with pytest.raises(MeetingError, match="Заседание проводится за один период"):
        create_meeting(db, Scope(periods=periods), Sitting(date(2022, 7, 15)))
    assert list_meetings(db).empty


def test_a_meeting_over_one_organisation_is_refused_in_russian(db):
    org_id = int(db.scalar("SELECT min(org_id) FROM organizations"))
    with pytest.raises(MeetingError, match="по территории и всем её показателям"):
        create_meeting(db, Scope(periods=("2022",), org_id=org_id), Sitting(date(2022, 7, 15)))


def test_an_unknown_meeting_is_a_russian_error(db):
    with pytest.raises(MeetingError, match="Заседание № 42 не найдено"):
        get_meeting(db, 42)


def test_the_list_of_meetings_names_the_territory_and_counts_nothing_yet(db):
    meeting_id = open_meeting(db)
    row = list_meetings(db).iloc[0]
    assert (row["meeting_id"], row["territory"], row["period"], row["decisions"]) == (
        meeting_id,
        ALPHA,
        "2022",
        0,
    )


def test_a_meeting_needs_a_territory_the_database_has(db):
    with pytest.raises(MeetingError, match="Территория с кодом 999 не найдена"):
        create_meeting(
            db, Scope(periods=("2022",), municipality_id=999), Sitting(date(2022, 7, 15))
        )


def test_a_meeting_over_filters_without_values_is_refused(db):
    with pytest.raises(MeetingError, match="За 2022 год под выбранными фильтрами нет значений"):
        create_meeting(
            db, Scope(periods=("2022",), org_type="preschool"), Sitting(date(2022, 7, 15))
        )
    assert list_meetings(db).empty


def test_a_meetings_screens_of_deficits_come_in_the_ranking_worked_out_from_the_values(
    demo_template, tmp_path
):
    path = tmp_path / "demo.duckdb"
    shutil.copy(demo_template, path)
    with Database(path) as demo:
        meeting_id = create_meeting(demo, Scope(periods=("2023/2024",)), Sitting(date(2024, 7, 1)))
        values = frozen_values(demo, meeting_id)
        shown = [s.indicator for s in screens(values) if s.indicator is not None]
    expected = ranking.ranked(values[values["level"] == Level.TOTAL])
    assert shown[: len(expected)] == list(expected["indicator"])
    assert shown[:3] == ["students_mentored", "young_mentored", "program_site"]
    # The indicators that meet their target follow, in the catalogue's order.
    assert shown[len(expected) :] == ["mentor_load", "satisfaction"]
