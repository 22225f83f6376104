"""Decisions (поручения): stored with the meeting's period, validated in Russian,
surviving a restart and an upload of new data, overdue when past due and still open,
and judged at the next round by whether their indicator moved."""

from __future__ import annotations

import dataclasses
from datetime import date
from pathlib import Path

import pytest

from analytics.compute import lookups
from analytics.compute.trajectories import territory_scope
from analytics.meetings.decisions import (
    ASSIGNED,
    DONE,
    IMPROVED,
    IN_PROGRESS,
    NO_DATA,
    UNCHANGED,
    WORSENED,
    Assignment,
    DecisionError,
    add_decision,
    list_decisions,
    progress,
    row_territory,
    update_decision,
)
from analytics.meetings.meetings import Sitting, create_meeting, frozen_values, get_meeting
from analytics.model.levels import Level
from analytics.store.db import Database
from analytics.store.scope import Scope
from tests import meetingfiles
from tests.meetingfiles import ALPHA, BETA

DUE = date(2022, 9, 1)


@pytest.fixture
def db(fresh_db: Database) -> Database:
    meetingfiles.load(fresh_db, ("2022",))
    return fresh_db


def municipality(db: Database, name: str) -> int:
    return lookups.find_territory(db, "municipality", name)


def meeting(db: Database) -> int:
    return create_meeting(db, Scope(periods=("2022",)), Sitting(date(2022, 7, 15)))


def decide(
    db: Database, meeting_id: int, name: str = ALPHA, user: str | None = None, **more: object
) -> int:
    assignment = Assignment("Утвердить положение о наставничестве", "Кардакова Е. А.", DUE)
    return add_decision(
        db,
        meeting_id,
        territory_scope(Level.MUNICIPALITY, municipality(db, name), indicators=("regulation",)),
        dataclasses.replace(assignment, **more),
        user=user,
    )


def stored(db: Database) -> list[tuple]:
    frame = list_decisions(db)
    return list(
        zip(
            frame["decision_id"],
            frame["territory"],
            frame["period"],
            frame["text"],
            frame["responsible"],
            frame["due_date"],
            frame["status"],
            strict=True,
        )
    )


def test_a_decision_takes_the_meetings_period_and_names_its_territory(db):
    decision_id = decide(db, meeting(db))
    assert stored(db) == [
        (
            decision_id,
            ALPHA,
            "2022",
            "Утвердить положение о наставничестве",
            "Кардакова Е. А.",
            DUE,
            ASSIGNED,
        )
    ]


def test_decisions_survive_closing_and_reopening_the_database_file(tmp_path: Path):
    path = tmp_path / "monitoring.duckdb"
    with Database(path) as db:
        meetingfiles.load(db, ("2022",))
        decide(db, meeting(db), user="секретарь")
        before = stored(db)
    with Database(path) as db:
        assert stored(db) == before
        assert list_decisions(db)["created_by"].tolist() == ["секретарь"]


def test_decisions_survive_an_upload_of_new_data(db):
    decide(db, meeting(db))
    before = stored(db)
    meetingfiles.load(db, ("2022", "2023"))
    assert stored(db) == before


def test_a_status_change_records_who_changed_it(db):
    decision_id = decide(db, meeting(db), user="методист")
    update_decision(db, decision_id, status=IN_PROGRESS, user="куратор")
    row = list_decisions(db).iloc[0]
    assert (row["status"], row["created_by"], row["updated_by"]) == (
        IN_PROGRESS,
        "методист",
        "куратор",
    )


@pytest.mark.parametrize(
    ("status", "today", "overdue"),
    [
        (ASSIGNED, date(2022, 9, 2), True),
        (IN_PROGRESS, date(2022, 9, 2), True),
        (ASSIGNED, date(2022, 9, 1), False),
        (DONE, date(2022, 9, 2), False),
    ],
)
def test_a_decision_is_overdue_after_its_due_date_while_open(db, status, today, overdue):
    decide(db, meeting(db), status=status)
    assert list_decisions(db, today=today)["overdue"].tolist() == [overdue]


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"text": "  "}, "Не указано, что поручено сделать"),
        ({"responsible": ""}, "Не указан ответственный"),
        ({"due_date": None}, "Не указан срок исполнения"),
        ({"status": "забыто"}, "Статус «забыто» недопустим"),
    ],
)
def test_an_incomplete_decision_is_refused_in_russian(db, change, message):
    meeting_id = meeting(db)
    with pytest.raises(DecisionError, match=message):
        decide(db, meeting_id, **change)
    assert list_decisions(db).empty


def test_the_summary_row_of_a_meeting_is_a_decision_on_the_meetings_territory(db):
    alpha = municipality(db, ALPHA)
    meeting_id = create_meeting(
        db, Scope(periods=("2022",), municipality_id=alpha), Sitting(date(2022, 7, 15))
    )
    values = frozen_values(db, meeting_id)
    total = values[values["level"] == Level.TOTAL].iloc[0]
    school = values[values["level"] == Level.ORGANIZATION].iloc[0]
    found = get_meeting(db, meeting_id)
    assert row_territory(total, found) == (Level.MUNICIPALITY, alpha)
    assert row_territory(school, found) == (Level.ORGANIZATION, int(school["org_id"]))


def test_before_the_next_round_a_decision_has_no_new_data(db):
    decide(db, meeting(db))
    row = progress(db, list_decisions(db)).iloc[0]
    assert (row["before"], row["after"], row["verdict"], row["target_met"]) == (
        40.0,
        None,
        NO_DATA,
        None,
    )


def test_the_next_round_shows_whether_each_decisions_indicator_improved(db):
    meeting_id = meeting(db)
    decide(db, meeting_id, ALPHA)
    decide(db, meeting_id, BETA)
    meetingfiles.load(db, ("2023",))
    rows = progress(db, list_decisions(db))
    assert list(
        zip(
            rows["before"],
            rows["after"],
            rows["after_period"],
            rows["delta"],
            rows["verdict"],
            rows["target_met"],
            strict=True,
        )
    ) == [
        (40.0, 60.0, "2023", 20.0, IMPROVED, False),
        (100.0, 80.0, "2023", -20.0, WORSENED, False),
    ]
    assert rows["summary"].iloc[0] == (
        "40,0\u00a0% → 60,0\u00a0% (+20,0\u00a0п.\u00a0п., 2023 год): улучшился, цель не достигнута"
    )


def test_many_organisations_are_judged_in_one_pass_each_by_its_own_values(db):
    """Six decisions on schools (more than NARROW_LIMIT) take the level-wide path; the
    result keeps the decisions' order."""
    meeting_id = meeting(db)
    schools = frozen_values(db, meeting_id)
    schools = schools[
        (schools["level"] == Level.ORGANIZATION) & (schools["indicator"] == "regulation")
    ]
    chosen = [(ALPHA, 3), (BETA, 5), (ALPHA, 1), (ALPHA, 4), (BETA, 1), (ALPHA, 5)]
    for municipality_name, n in chosen:
        org_id = schools[
            (schools["municipality"] == municipality_name)
            & (schools["organization"] == f"Школа {n}")
        ]["org_id"].iloc[0]
        add_decision(
            db,
            meeting_id,
            Scope(org_id=int(org_id), indicators=("regulation",)),
            Assignment("Утвердить", "Директор", DUE),
        )
    meetingfiles.load(db, ("2023",))
    rows = progress(db, list_decisions(db))
    assert list(zip(rows["before"], rows["after"], rows["verdict"], strict=True)) == [
        (0.0, 100.0, IMPROVED),
        (100.0, 0.0, WORSENED),
        (100.0, 100.0, UNCHANGED),
        (0.0, 0.0, UNCHANGED),
        (100.0, 100.0, UNCHANGED),
        (0.0, 0.0, UNCHANGED),
    ]
