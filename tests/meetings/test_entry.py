"""«Моя форма»: a school types its form of a round online, as a draft that counts nowhere,
checked as it types with the contract's rules, and sends it as its file would be sent."""

from __future__ import annotations

import io
from pathlib import Path

import pandas as pd
import pytest
from docx import Document

from analytics.compute.indicators import compute
from analytics.documents import round_letters
from analytics.ingest.load import ingest_bytes
from analytics.ingest.parse import Defaults
from analytics.meetings.entry import Finding
from analytics.meetings.rounds import RoundError
from analytics.model.contract import FormKind
from analytics.operations.access import AccessDenied, Principal, View
from analytics.operations.users import Role
from analytics.store import audit
from analytics.store.db import Database
from tests.filemakers import CLEAN_ANSWERS, HEADERS, VALUE_CODES, org, table, xlsx_bytes
from tests.roundfiles import (
    ADMIN,
    CITY,
    REGION,
    SCHOOLS,
    at,
    curator,
    filled,
    load_registry,
    open_city_round,
)

SOSH1, SOSH2, GYMNASIUM, LYCEUM = SCHOOLS
# A complete form as a person types it on the page (the share with a decimal comma).
TYPED: dict[str, str] = {
    **{c: str(v) for c, v in CLEAN_ANSWERS.items()},
    "has_incentives": "нет",
    "satisfaction_pct": "85,5",
}
COMPARED = ["org_id", "status", "submitted_at", "late", "missing_kinds", "comment", "answered"]


def type_in(view: View, round_id: int, org_id: int, answers: dict[str, str], day: int = 1):
    for code, value in answers.items():
        view.save_draft(round_id, org_id, code, value, now=at(day))


def test_the_form_lists_the_22_answers_in_the_contracts_order_and_words_in_three_groups(city):
    db, orgs, round_id = city

    found = View(db, curator(orgs[SOSH1])).entry_form(round_id, orgs[SOSH1])

    assert [s.title for s in found.sections] == [
        "Документы и решения (да/нет)",
        "Численность (целые числа)",
        "Удовлетворённость (от 0 до 100)",
    ]
    assert [len(s.answers) for s in found.sections] == [8, 13, 1]
    headers = [a.field.header for s in found.sections for a in s.answers]
    assert headers == list(HEADERS.values())[7:]
    assert (found.organization, found.status, found.comment) == (SOSH1, "missing", None)


def test_each_answer_carries_the_organisations_answer_of_the_period_before(city):
    db, orgs, round_id = city
    earlier = xlsx_bytes({"ОО": table([org(SOSH1, teachers_total=38, has_roadmap="нет")])})
    ingest_bytes(
        db,
        "2021.xlsx",
        earlier,
        FormKind.ORG_FORM,
        Defaults(region=REGION, municipality=CITY, period="2021"),
    )

    found = View(db, curator(orgs[SOSH1])).entry_form(round_id, orgs[SOSH1])
    previous = {a.field.code: a.previous for s in found.sections for a in s.answers}

    assert found.previous_period == "2021"
    assert (previous["teachers_total"], previous["has_roadmap"]) == (38, False)
    assert (previous["has_regulation"], previous["satisfaction_pct"]) == (True, 85.0)
    assert all(a.typed is None for s in found.sections for a in s.answers)


def test_a_draft_is_kept_answer_by_answer_and_reopens_as_typed(city):
    db, orgs, round_id = city
    school = View(db, curator(orgs[SOSH1]))
    type_in(school, round_id, orgs[SOSH1], {"has_regulation": "да", "teachers_total": "40"})
    school.save_draft(round_id, orgs[SOSH1], "teachers_total", "41", now=at(2))

    typed = View(db, curator(orgs[SOSH1])).entry_form(round_id, orgs[SOSH1]).typed()

    assert {c: v for c, v in typed.items() if v is not None} == {
        "has_regulation": "да",
        "teachers_total": "41",
    }
    assert db.scalar("SELECT count(*) FROM round_drafts") == 2


def test_a_draft_changes_no_indicator_no_completeness_and_no_file_list(city):
    db, orgs, round_id = city
    before = compute(db)

    type_in(View(db, curator(orgs[SOSH1])), round_id, orgs[SOSH1], TYPED)

    pd.testing.assert_frame_equal(compute(db), before)
    listed = View(db, ADMIN).round_completeness(round_id, at(1).date())
    assert listed["status"].tolist() == ["missing"] * 4
    assert View(db, ADMIN).round_submissions(round_id).empty
    assert db.scalar("SELECT count(*) FROM form_values") == 0


def test_every_answer_written_to_a_draft_is_in_the_audit_log(city):
    db, orgs, round_id = city
    type_in(View(db, curator(orgs[SOSH1])), round_id, orgs[SOSH1], {"mentors": "5"})

    log = audit.entries(db, audit.Action.DRAFT_SAVED)

    assert log["actor"].tolist() == [f"curator{orgs[SOSH1]}"]
    assert log["details"].tolist() == [
        {"round": round_id, "org_id": orgs[SOSH1], "field": "Педагогов-наставников"}
    ]


def test_opening_the_form_is_in_the_audit_log_when_the_page_says_it_is_a_visit(city):
    db, orgs, round_id = city
    school = View(db, curator(orgs[SOSH1]))

    school.entry_form(round_id, orgs[SOSH1], opening=True)
    school.entry_form(round_id, orgs[SOSH1])

    log = audit.entries(db, audit.Action.FORM_OPENED)
    assert log[["actor", "object"]].values.tolist() == [
        [f"curator{orgs[SOSH1]}", f"round:{round_id}/org:{orgs[SOSH1]}"]
    ]


def test_a_negative_count_and_a_share_over_100_are_errors_at_their_fields(city):
    db, orgs, _ = city

    found = View(db, curator(orgs[SOSH1])).entry_check(
        {"mentors": "-1", "satisfaction_pct": "120", "has_roadmap": "может быть"}
    )

    assert found == [
        Finding("has_roadmap", True, "ожидается «да» или «нет»"),
        Finding("mentors", True, "количество не может быть отрицательным"),
        Finding("satisfaction_pct", True, "доля должна быть от 0 до 100"),
    ]


def test_the_contracts_consistency_rules_are_warnings_at_their_fields(city):
    db, orgs, _ = city

    found = View(db, curator(orgs[SOSH1])).entry_check(
        {"teachers_total": "10", "mentors": "2", "mentees": "12", "mentors_trained": "3"}
    )

    assert found == [
        Finding("mentees", False, "педагогов-наставляемых больше, чем педагогических работников"),
        Finding("mentors_trained", False, "обученных наставников больше, чем наставников"),
    ]


def test_a_form_with_an_error_is_not_sent_and_the_message_names_the_answer(city):
    db, orgs, round_id = city
    school = View(db, curator(orgs[SOSH1]))
    type_in(school, round_id, orgs[SOSH1], {**TYPED, "mentors": "-5"})

    with pytest.raises(RoundError) as refused:
        school.entry_submit(round_id, orgs[SOSH1], now=at(2))

    assert str(refused.value) == (
        "форма не отправлена, исправьте ответы: «Педагогов-наставников» — количество не "
        "может быть отрицательным"
    )
    assert db.scalar("SELECT count(*) FROM uploads WHERE kind = 'org-form'") == 0


def _by_file(path: Path) -> tuple[Database, dict[str, int], int, bytes]:
    """The same round in a database of its own, SOSH1's template filled with ``TYPED``
    as a school fills it and uploaded by its curator on 6 July (after the due date)."""
    db = Database(path)
    orgs = load_registry(db)
    round_id = open_city_round(db)
    school = View(db, curator(orgs[SOSH1]))
    answers = {HEADERS[c]: v for c, v in TYPED.items()}
    content = filled(school.round_template(round_id, orgs[SOSH1]), answers=answers)
    school.round_submit(round_id, "СОШ 1.xlsx", content, FormKind.ORG_FORM, at(6))
    return db, orgs, round_id, content


def _paragraphs(content: bytes) -> list[str]:
    return [p.text for p in Document(io.BytesIO(content)).paragraphs]


def _cell(text: object) -> object:
    """A typed cell as the contract reads it: «да»/«нет», or a number with a comma."""
    if text in ("да", "нет"):
        return text == "да"
    number = float(str(text).replace(",", "."))
    return int(number) if number.is_integer() else number


def test_an_online_form_counts_exactly_as_the_same_answers_uploaded_in_a_file(city, tmp_path):
    db, orgs, round_id = city
    school = View(db, curator(orgs[SOSH1]))
    type_in(school, round_id, orgs[SOSH1], TYPED)
    school.entry_submit(round_id, orgs[SOSH1], now=at(6))
    other, other_orgs, other_round, content = _by_file(tmp_path / "file.duckdb")
    try:
        online = View(db, ADMIN).round_completeness(round_id, at(7).date())
        by_file = View(other, ADMIN).round_completeness(other_round, at(7).date())
        stored = db.query(f"SELECT {', '.join(VALUE_CODES)} FROM form_values")
        uploaded = other.query(f"SELECT {', '.join(VALUE_CODES)} FROM form_values")
        late = round_letters.not_submitted(db, round_id, at(7).date())
        late_by_file = round_letters.not_submitted(other, other_round, at(7).date())
        letter = _paragraphs(round_letters.letter_docx(db, round_id, at(7).date()))
        letter_by_file = _paragraphs(round_letters.letter_docx(other, other_round, at(7).date()))
    finally:
        other.close()
    # The file as pandas reads it: its row 2 under the contract's headers.
    sheet = pd.read_excel(io.BytesIO(content), sheet_name="ОО", dtype=object, engine="openpyxl")
    in_file = {c: sheet.loc[0, HEADERS[c]] for c in VALUE_CODES}

    assert other_orgs == orgs
    pd.testing.assert_frame_equal(online[COMPARED], by_file[COMPARED])
    row = online.set_index("organization").loc[SOSH1]
    assert (row["status"], bool(row["late"]), row["answered"]) == ("submitted", True, 22)
    assert online["status"].tolist().count("missing") == 3
    pd.testing.assert_frame_equal(stored, uploaded)
    pd.testing.assert_frame_equal(late, late_by_file)
    assert sorted(late.iloc[:, 0]) == sorted([SOSH2, GYMNASIUM, LYCEUM])
    assert letter == letter_by_file
    assert {c: stored.loc[0, c] for c in VALUE_CODES} == {c: _cell(v) for c, v in in_file.items()}
    assert int(sum(pd.notna(v) for v in in_file.values())) == 22


def test_an_online_form_is_listed_as_a_file_named_online_from_its_template(city):
    db, orgs, round_id = city
    school = View(db, curator(orgs[SOSH1]))
    type_in(school, round_id, orgs[SOSH1], TYPED)

    school.entry_submit(round_id, orgs[SOSH1], now=at(3))

    files = View(db, ADMIN).round_submissions(round_id)
    assert files[["organization", "file_name", "via_template", "submitted_by", "status"]].to_dict(
        "records"
    ) == [
        {
            "organization": SOSH1,
            "file_name": "онлайн",
            "via_template": True,
            "submitted_by": f"curator{orgs[SOSH1]}",
            "status": "submitted",
        }
    ]
    assert db.scalar("SELECT count(*) FROM round_drafts") == 0
    assert audit.entries(db, audit.Action.UPLOAD)["details"].iloc[0]["file"] == "онлайн.xlsx"


def test_a_returned_form_reopens_with_the_comment_and_the_answers_sent(city):
    db, orgs, round_id = city
    school = View(db, curator(orgs[SOSH1]))
    type_in(school, round_id, orgs[SOSH1], TYPED)
    school.entry_submit(round_id, orgs[SOSH1], now=at(2))
    submission = int(View(db, ADMIN).round_submissions(round_id)["submission_id"].iloc[0])

    View(db, ADMIN).review_submission(submission, False, "Проверьте число наставников", at(3))
    found = school.entry_form(round_id, orgs[SOSH1])

    assert (found.status, found.comment) == ("returned", "Проверьте число наставников")
    assert found.typed() == {**TYPED, "satisfaction_pct": "85.5"}
    assert found.drafted_at is None


def test_a_corrected_form_sent_again_replaces_the_returned_one(city):
    db, orgs, round_id = city
    school = View(db, curator(orgs[SOSH1]))
    type_in(school, round_id, orgs[SOSH1], TYPED)
    school.entry_submit(round_id, orgs[SOSH1], now=at(2))
    first = int(View(db, ADMIN).round_submissions(round_id)["submission_id"].iloc[0])
    View(db, ADMIN).review_submission(first, False, "Проверьте число наставников", at(3))

    school.save_draft(round_id, orgs[SOSH1], "mentors", "7", now=at(4))
    school.entry_submit(round_id, orgs[SOSH1], now=at(4))

    files = View(db, ADMIN).round_submissions(round_id)
    assert files["status"].tolist() == ["submitted", "returned"]
    listed = View(db, ADMIN).round_completeness(round_id, at(4).date()).set_index("organization")
    assert (listed.loc[SOSH1, "status"], listed.loc[SOSH1, "comment"]) == ("submitted", None)
    assert db.scalar("SELECT mentors FROM form_values") == 7
    assert school.entry_form(round_id, orgs[SOSH1]).status == "submitted"


def test_another_schools_curator_cannot_read_or_write_the_form(city):
    db, orgs, round_id = city
    neighbour = View(db, curator(orgs[SOSH2]))

    for attempt in (
        lambda: neighbour.entry_form(round_id, orgs[SOSH1]),
        lambda: neighbour.save_draft(round_id, orgs[SOSH1], "mentors", "5"),
        lambda: neighbour.entry_submit(round_id, orgs[SOSH1]),
    ):
        with pytest.raises(AccessDenied, match=r"^Эта организация за вами не закреплена"):
            attempt()
    assert db.scalar("SELECT count(*) FROM round_drafts") == 0


@pytest.mark.parametrize("role", [Role.ADMIN, Role.ANALYST, Role.VIEWER])
def test_only_curators_type_forms_online(city, role):
    db, orgs, round_id = city

    with pytest.raises(AccessDenied) as refused:
        View(db, Principal("someone", role)).entry_form(round_id, orgs[SOSH1])

    assert str(refused.value) == (
        "Заполнять форму мониторинга онлайн могут кураторы своих организаций."
    )


def test_a_closed_round_takes_no_draft_and_no_form(city):
    db, orgs, round_id = city
    school = View(db, curator(orgs[SOSH1]))
    type_in(school, round_id, orgs[SOSH1], TYPED)
    View(db, ADMIN).close_round(round_id)

    for attempt in (
        lambda: school.entry_form(round_id, orgs[SOSH1]),
        lambda: school.save_draft(round_id, orgs[SOSH1], "mentors", "6"),
        lambda: school.entry_submit(round_id, orgs[SOSH1]),
    ):
        with pytest.raises(RoundError) as refused:
            attempt()
        assert str(refused.value) == (
            f"мониторинг № {round_id} закрыт: формы в нём больше не принимаются"
        )
    assert school.entry_rounds() == []


def test_a_curator_of_several_schools_chooses_among_their_own_only(city):
    db, orgs, round_id = city
    both = View(db, Principal("two", Role.CURATOR, frozenset({orgs[SOSH1], orgs[LYCEUM]})))

    assert [r.round_id for r in both.entry_rounds()] == [round_id]
    assert both.entry_orgs(round_id)["organization"].tolist() == [LYCEUM, SOSH1]
