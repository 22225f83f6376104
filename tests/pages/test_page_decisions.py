"""The «Поручения» page: every decision with its meeting, territory, responsible person,
due date and status; overdue ones marked; the indicator's movement since the decision;
the filters; and the status change form.

Expectations come from the engine on a copy of the database, never from the page.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from analytics.compute import lookups
from analytics.meetings.decisions import DONE, Assignment, add_decision, list_decisions, progress
from analytics.meetings.meetings import Sitting, create_meeting
from analytics.store.db import Database
from analytics.store.scope import Scope
from tests.conftest import ROOT, snapshot

PAGE = "pages/decisions.py"
LATE, LATER = date(2023, 9, 1), date(2099, 9, 1)


def open_page() -> AppTest:
    return AppTest.from_file(str(ROOT / PAGE), default_timeout=30).run()


def assert_clean(at: AppTest) -> None:
    assert not at.exception, [e.value for e in at.exception]
    assert not at.error, [e.value for e in at.error]


@pytest.fixture
def decided(demo_db_path: Path) -> list[int]:
    """Two decisions of a meeting on the demo's first period: the first municipality's
    regulation (overdue) and its mentor databases (due in 2099)."""
    with Database(demo_db_path) as db:
        municipality = int(lookups.hierarchy(db)["municipality_id"].min())
        meeting_id = create_meeting(
            db,
            Scope(periods=(lookups.periods(db)[0],), municipality_id=municipality),
            Sitting(date(2023, 7, 15)),
        )
        return [
            add_decision(
                db,
                meeting_id,
                Scope(municipality_id=municipality, indicators=(indicator,)),
                Assignment(text, who, due),
            )
            for indicator, text, who, due in (
                ("regulation", "Утвердить положения", "Кардакова Е. А.", LATE),
                ("databases", "Сформировать базы наставников", "Давыдова С. М.", LATER),
            )
        ]


def test_the_list_shows_each_decision_with_its_indicators_movement(
    decided: list[int], demo_db_path: Path, tmp_path: Path
):
    copy = snapshot(demo_db_path, tmp_path)
    decisions = list_decisions(copy)
    moved = progress(copy, decisions)
    at = open_page()
    assert_clean(at)
    table = at.dataframe[0].value
    assert table[["№", "Ответственный", "Срок", "Статус", "Просрочено"]].values.tolist() == [
        [decided[0], "Кардакова Е. А.", "01.09.2023", "назначено", "да"],
        [decided[1], "Давыдова С. М.", "01.09.2099", "назначено", ""],
    ]
    assert table["Итог"].tolist() == moved["verdict"].tolist()
    assert table["Динамика показателя"].tolist() == moved["summary"].tolist()
    assert table["Территория"].tolist() == decisions["territory"].tolist()


def test_only_overdue_keeps_the_decisions_past_their_due_date(decided: list[int]):
    at = open_page()
    at.checkbox(key="dec_overdue").check().run()
    assert_clean(at)
    assert at.dataframe[0].value["№"].tolist() == [decided[0]]
    assert [m.value for m in at.metric][:2] == ["1", "1"]


def test_the_responsible_filter_keeps_that_persons_decisions(decided: list[int]):
    at = open_page()
    at.selectbox(key="dec_who").set_value("Давыдова С. М.").run()
    assert_clean(at)
    assert at.dataframe[0].value["№"].tolist() == [decided[1]]


def test_a_status_change_is_saved_and_a_done_decision_is_no_longer_overdue(
    decided: list[int], demo_db_path: Path, tmp_path: Path
):
    at = open_page()
    at.selectbox(key="dec_edit_id").set_value(decided[0])
    at.selectbox(key="dec_edit_status").set_value(DONE)
    next(b for b in at.button if b.label == "Сохранить").click().run()
    assert_clean(at)
    table = at.dataframe[0].value
    assert table[["Статус", "Просрочено"]].values.tolist() == [[DONE, ""], ["назначено", ""]]
    stored = list_decisions(snapshot(demo_db_path, tmp_path))
    assert stored["status"].tolist() == [DONE, "назначено"]


def test_without_decisions_the_page_says_where_they_are_given(demo_db_path: Path):
    at = open_page()
    assert_clean(at)
    assert [i.value for i in at.info][-1].startswith("Поручений пока нет.")


def test_the_text_responsible_and_due_date_of_a_decision_can_be_changed(
    decided: list[int], demo_db_path: Path, tmp_path: Path
):
    at = open_page()
    at.selectbox(key="dec_edit_id").set_value(decided[1]).run()
    at.text_input(key=f"dec_resp_{decided[1]}").input("Сидорова С. С.")
    at.date_input(key=f"dec_due_{decided[1]}").set_value(date(2031, 3, 1))
    next(b for b in at.button if b.label == "Сохранить").click().run()

    assert_clean(at)
    stored = list_decisions(snapshot(demo_db_path, tmp_path)).set_index("decision_id")
    assert stored.loc[decided[1], "responsible"] == "Сидорова С. С."
    assert str(stored.loc[decided[1], "due_date"])[:10] == "2031-03-01"
