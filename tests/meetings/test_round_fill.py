"""A form with answers missing: the round's lists say «заполнено 8 из 22», and the
coordinator accepts it only knowingly, which the audit log records."""

from __future__ import annotations

import io

import pytest
from openpyxl import load_workbook

from analytics.meetings import rounds
from analytics.meetings.rounds import RoundError
from analytics.model.contract import FormKind
from analytics.operations.access import View
from analytics.store import audit
from tests.filemakers import HEADERS
from tests.roundfiles import ADMIN, ANSWERS, SCHOOLS, at, filled

SOSH1, SOSH2, GYMNASIUM, LYCEUM = SCHOOLS
# The contract's answers: every column of the form after its identity.
QUESTIONS = list(HEADERS.values())[7:]
COUNTS_BLANK = {h: "" for h, v in ANSWERS.items() if not isinstance(v, str)}
EVERY_ANSWER = {h: ANSWERS.get(h, 1) for h in QUESTIONS}


def answers_in(content: bytes) -> int:
    """The answers a returned file gives, counted in the file with openpyxl."""
    sheet = load_workbook(io.BytesIO(content))["ОО"]
    headers = [c.value for c in sheet[1]]
    return sum(
        1
        for header, cell in zip(headers, sheet[2], strict=True)
        if header in QUESTIONS and cell.value not in (None, "")
    )


def send_half_empty(db, orgs, round_id) -> tuple[int, bytes]:
    admin = View(db, ADMIN)
    content = filled(admin.round_template(round_id, orgs[SOSH1]), answers=COUNTS_BLANK)
    admin.round_submit(round_id, "школа.xlsx", content, FormKind.ORG_FORM, at(1))
    return int(admin.round_submissions(round_id)["submission_id"].iloc[0]), content


def test_a_half_empty_form_is_listed_as_filled_8_of_22(city):
    db, orgs, round_id = city
    _, content = send_half_empty(db, orgs, round_id)

    files = View(db, ADMIN).round_submissions(round_id)
    listed = View(db, ADMIN).round_completeness(round_id).set_index("organization")

    assert (len(QUESTIONS), answers_in(content)) == (22, 8)
    assert files["answered"].tolist() == [8]
    assert rounds.filled_words(int(files["answered"].iloc[0])) == "заполнено 8 из 22"
    assert listed.loc[SOSH1, "answered"] == 8
    assert listed["answered"].isna().sum() == 3


def test_a_half_empty_form_is_not_accepted_without_the_coordinators_consent(city):
    db, orgs, round_id = city
    submission, _ = send_half_empty(db, orgs, round_id)

    with pytest.raises(RoundError) as refused:
        View(db, ADMIN).review_submission(submission, True, None, at(2))

    assert str(refused.value) == (
        "в форме заполнено 8 из 22: примите её как неполную (отметьте «Принять неполную "
        "форму») или верните на доработку"
    )
    assert View(db, ADMIN).round_submissions(round_id)["status"].tolist() == ["submitted"]


def test_a_half_empty_form_accepted_knowingly_is_in_the_audit_log(city):
    db, orgs, round_id = city
    submission, _ = send_half_empty(db, orgs, round_id)

    View(db, ADMIN).review_submission(submission, True, None, at(2), incomplete=True)

    entry = audit.entries(db, audit.Action.INCOMPLETE_ACCEPTED).iloc[0]
    assert View(db, ADMIN).round_submissions(round_id)["status"].tolist() == ["accepted"]
    assert (entry["actor"], entry["object"], entry["details"]) == (
        "ivanova",
        f"submission:{submission}",
        {"round": round_id, "org_id": orgs[SOSH1], "answered": 8, "questions": 22},
    )
    assert audit.details_text(entry["details"]) == (
        f"мониторинг №: {round_id}; организация №: {orgs[SOSH1]}; заполнено ответов: 8; "
        "вопросов в форме: 22"
    )


def test_a_complete_form_is_accepted_without_a_question_or_an_audit_entry(city):
    db, orgs, round_id = city
    admin = View(db, ADMIN)
    content = filled(admin.round_template(round_id, orgs[SOSH2]), answers=EVERY_ANSWER)
    admin.round_submit(round_id, "школа2.xlsx", content, FormKind.ORG_FORM, at(1))
    submission = int(admin.round_submissions(round_id)["submission_id"].iloc[0])

    admin.review_submission(submission, True, None, at(2))

    assert answers_in(content) == 22
    assert admin.round_submissions(round_id)[["answered", "status"]].values.tolist() == [
        [22, "accepted"]
    ]
    assert audit.entries(db, audit.Action.INCOMPLETE_ACCEPTED).empty
