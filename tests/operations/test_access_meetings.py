"""Roles on meetings, decisions and plans: who may run a meeting, who may see what."""

from __future__ import annotations

from datetime import date

import pytest

from analytics.compute.trajectories import territory_scope
from analytics.meetings.decisions import Assignment
from analytics.meetings.meetings import Sitting
from analytics.model.levels import Level
from analytics.operations.access import AccessDenied, Principal, View
from analytics.operations.users import Role
from analytics.store.db import Database
from analytics.store.scope import Scope
from tests import meetingfiles
from tests.filemakers import org_id


@pytest.fixture
def db(fresh_db: Database) -> Database:
    meetingfiles.load(fresh_db)
    return fresh_db


def municipality(db: Database, name: str) -> int:
    return int(db.scalar("SELECT municipality_id FROM municipalities WHERE name = ?", [name]))


@pytest.fixture
def meeting(db: Database) -> int:
    """A meeting with a decision on г. Альфа and one on each of two of its schools."""
    view = View(db, Principal("анна", Role.ANALYST))
    meeting_id = view.create_meeting(Scope(periods=("2022",)), Sitting(date(2022, 7, 15)))
    for level, territory in (
        (Level.MUNICIPALITY, municipality(db, meetingfiles.ALPHA)),
        (Level.ORGANIZATION, org_id(db, "Школа 4", meetingfiles.ALPHA)),
        (Level.ORGANIZATION, org_id(db, "Школа 5", meetingfiles.ALPHA)),
    ):
        view.add_decision(
            meeting_id,
            territory_scope(level, territory, indicators=("regulation",)),
            Assignment("Принять положение", "Иванова И. И.", date(2022, 12, 1)),
        )
    return meeting_id


def test_an_analyst_runs_a_meeting_and_is_recorded_as_its_author(db: Database, meeting: int):
    created_by = db.scalar("SELECT created_by FROM meetings WHERE meeting_id = ?", [meeting])

    assert created_by == "анна"
    assert len(View(db, Principal("анна", Role.ANALYST)).decisions(meeting)) == 3


def test_a_viewer_reads_a_meeting_but_cannot_add_a_decision(db: Database, meeting: int):
    view = View(db, Principal("наблюдатель", Role.VIEWER))

    assert len(view.decisions(meeting)) == 3
    assert not view.frozen_values(meeting).empty
    with pytest.raises(AccessDenied, match="Вести заседания и поручения могут"):
        view.add_decision(
            meeting,
            Scope(indicators=("regulation",)),
            Assignment("Ещё", "Петров П. П.", date(2022, 12, 1)),
        )


def test_a_curator_sees_the_decisions_on_territories_and_on_their_own_school_only(
    db: Database, meeting: int
):
    own = org_id(db, "Школа 4", meetingfiles.ALPHA)
    view = View(db, Principal("куратор", Role.CURATOR, frozenset({own})))

    found = view.decisions(meeting)

    assert sorted(zip(found["level"], found["territory_id"], strict=True)) == sorted(
        [("municipality", municipality(db, meetingfiles.ALPHA)), ("organization", own)]
    )


def test_a_curator_cannot_open_a_meeting_or_its_protocol(db: Database, meeting: int):
    own = org_id(db, "Школа 4", meetingfiles.ALPHA)
    view = View(db, Principal("куратор", Role.CURATOR, frozenset({own})))

    for attempt in (
        view.meetings,
        lambda: view.frozen_values(meeting),
        lambda: view.protocol(meeting),
    ):
        with pytest.raises(AccessDenied):
            attempt()


def test_only_the_administrator_sets_planned_values(db: Database):
    analyst = View(db, Principal("анна", Role.ANALYST))

    with pytest.raises(AccessDenied, match="Изменять данные может только администратор"):
        analyst.set_plan("regulation", "2024", 100.0, Level.TOTAL, None)
    View(db, Principal("борис", Role.ADMIN)).set_plan(
        "regulation", "2024", 100.0, Level.TOTAL, None
    )
    assert db.scalar("SELECT set_by FROM trajectories") == "борис"
