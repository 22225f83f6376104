"""A file a round's coordinator returns leaves the data until it is sent again: the
round's completeness, the reporting rate and the analytic note count the same schools,
checked against the files themselves."""

from __future__ import annotations

import io
import re
from datetime import date

import pandas as pd
import pytest
from docx import Document

from analytics.compute.indicators import compute
from analytics.documents.note import build_report
from analytics.ingest.load import RollbackRefused, ingest_bytes
from analytics.meetings import rounds
from analytics.meetings.rounds import RoundError
from analytics.model.contract import FormKind
from analytics.operations.access import View
from analytics.store import aggregates
from analytics.store.db import MIGRATIONS, Database
from analytics.store.scope import Scope
from tests.roundfiles import (
    ADMIN,
    CITY,
    SCHOOLS,
    at,
    city_id,
    filled,
    registry_bytes,
)

SOSH1, SOSH2, GYMNASIUM, LYCEUM = SCHOOLS


def send(db: Database, orgs: dict[str, int], round_id: int, school: str, day: int) -> bytes:
    """``school`` fills in its template and the coordinator loads it on 2022-07-``day``."""
    admin = View(db, ADMIN)
    content = filled(admin.round_template(round_id, orgs[school]))
    admin.round_submit(round_id, f"{school}.xlsx", content, FormKind.ORG_FORM, at(day))
    return content


def submission_of(db: Database, round_id: int, school: str) -> int:
    """The latest file of ``school`` in the round."""
    files = View(db, ADMIN).round_submissions(round_id)
    return int(files[files["organization"] == school]["submission_id"].iloc[0])


def counted(db: Database, round_id: int) -> dict[str, tuple[int, int]]:
    """(organisations that reported, organisations asked) as the round's completeness,
    the reporting indicator of the city and the analytic note each count them."""
    done = rounds.summarize(rounds.completeness(db, round_id, at(9).date()))
    scope = Scope(periods=("2022",), municipality_id=city_id(db))
    rows = compute(db, scope)
    reporting = rows[(rows["indicator"] == "reporting") & (rows["level"] == "municipality")]
    note = Document(io.BytesIO(build_report(db, scope)))
    sentence = next(p.text for p in note.paragraphs if p.text.startswith("Данные представил"))
    said = re.match(r"Данные представил[аи]? (\d+) из (\d+)", sentence)
    assert said is not None, sentence
    return {
        "round": (done.submitted, done.total),
        "indicator": (int(reporting["numerator"].iloc[0]), int(reporting["denominator"].iloc[0])),
        "note": (int(said[1]), int(said[2])),
    }


def from_files(standing: list[bytes]) -> dict[str, tuple[int, int]]:
    """The same counts from the files with pandas: the schools of the city's registry,
    and a school for each form row of the files that stand (sent and not returned)."""
    registry = pd.read_excel(io.BytesIO(registry_bytes()), sheet_name="Реестр", engine="openpyxl")
    asked = int((registry["Муниципалитет"] == CITY).sum())
    forms = [pd.read_excel(io.BytesIO(f), sheet_name="ОО", engine="openpyxl") for f in standing]
    reported = sum(int(form["Наименование ОО"].notna().sum()) for form in forms)
    return dict.fromkeys(("round", "indicator", "note"), (reported, asked))


def test_a_returned_file_counts_nowhere_the_round_the_indicator_and_the_note_agree(city):
    db, orgs, round_id = city
    sosh1 = send(db, orgs, round_id, SOSH1, 1)
    sosh2 = send(db, orgs, round_id, SOSH2, 2)
    send(db, orgs, round_id, LYCEUM, 3)
    View(db, ADMIN).review_submission(
        submission_of(db, round_id, LYCEUM), False, "не заполнены пары", at(4)
    )
    assert (
        counted(db, round_id)
        == from_files([sosh1, sosh2])
        == {
            "round": (2, 4),
            "indicator": (2, 4),
            "note": (2, 4),
        }
    )


def test_a_returned_file_sent_again_counts_again(city):
    db, orgs, round_id = city
    sosh1 = send(db, orgs, round_id, SOSH1, 1)
    send(db, orgs, round_id, LYCEUM, 3)
    View(db, ADMIN).review_submission(
        submission_of(db, round_id, LYCEUM), False, "не заполнены пары", at(4)
    )
    lyceum = send(db, orgs, round_id, LYCEUM, 5)
    assert counted(db, round_id) == from_files([sosh1, lyceum])
    assert counted(db, round_id)["indicator"] == (2, 4)


def test_a_returned_file_accepted_after_all_counts_again_with_its_own_values(city):
    db, orgs, round_id = city
    send(db, orgs, round_id, SOSH1, 1)
    admin = View(db, ADMIN)
    submission = submission_of(db, round_id, SOSH1)
    admin.review_submission(submission, False, "проверьте численность", at(2))
    assert counted(db, round_id)["indicator"] == (0, 4)
    admin.review_submission(submission, True, None, at(3), incomplete=True)
    assert counted(db, round_id) == dict.fromkeys(("round", "indicator", "note"), (1, 4))
    teachers = db.scalar("SELECT teachers_total FROM form_values WHERE org_id = ?", [orgs[SOSH1]])
    assert teachers == 40


def test_a_returned_file_cannot_be_accepted_once_a_new_one_was_sent(city):
    db, orgs, round_id = city
    send(db, orgs, round_id, SOSH1, 1)
    admin = View(db, ADMIN)
    returned = submission_of(db, round_id, SOSH1)
    admin.review_submission(returned, False, "проверьте численность", at(2))
    send(db, orgs, round_id, SOSH1, 3)
    with pytest.raises(RoundError, match="для организации уже загружен более новый файл"):
        admin.review_submission(returned, True, None, at(4))


def test_rolling_back_the_file_sent_again_leaves_the_returned_school_out(city):
    db, orgs, round_id = city
    send(db, orgs, round_id, SOSH1, 1)
    admin = View(db, ADMIN)
    admin.review_submission(submission_of(db, round_id, SOSH1), False, "исправьте", at(2))
    send(db, orgs, round_id, SOSH1, 3)
    again = int(db.scalar("SELECT max(upload_id) FROM uploads"))
    admin.rollback(again)
    assert counted(db, round_id) == dict.fromkeys(("round", "indicator", "note"), (0, 4))


def test_the_returned_upload_cannot_be_rolled_back_under_the_file_sent_again(city):
    db, orgs, round_id = city
    send(db, orgs, round_id, SOSH1, 1)
    first = int(db.scalar("SELECT max(upload_id) FROM uploads"))
    admin = View(db, ADMIN)
    admin.review_submission(submission_of(db, round_id, SOSH1), False, "исправьте", at(2))
    send(db, orgs, round_id, SOSH1, 3)
    with pytest.raises(RollbackRefused, match=f"№ {first + 1}"):
        admin.rollback(first)


def test_rolling_back_a_returned_upload_removes_its_withheld_rows(city):
    db, orgs, round_id = city
    send(db, orgs, round_id, SOSH1, 1)
    upload = int(db.scalar("SELECT max(upload_id) FROM uploads"))
    admin = View(db, ADMIN)
    admin.review_submission(submission_of(db, round_id, SOSH1), False, "исправьте", at(2))
    admin.rollback(upload)
    assert db.scalar("SELECT count(*) FROM form_withheld") == 0
    # The upload brought the period's first forms: undone, the period is gone with them.
    assert db.scalar("SELECT count(*) FROM periods WHERE period = '2022'") == 0
    done = rounds.summarize(rounds.completeness(db, round_id, at(9).date()))
    assert (done.submitted, done.total) == (0, 4)


def test_a_file_returned_before_the_upgrade_leaves_the_data_when_the_database_opens(city):
    db, orgs, round_id = city
    sosh1 = send(db, orgs, round_id, SOSH1, 1)
    send(db, orgs, round_id, SOSH2, 2)
    View(db, ADMIN).review_submission(submission_of(db, round_id, SOSH2), False, "исправьте", at(3))
    # The database as the release before withheld rows left it: the returned form current.
    first = next(i for i, m in enumerate(MIGRATIONS) if "form_withheld" in m[0])
    with db.transaction() as cur:
        cur.execute(
            "INSERT INTO form_values BY NAME "
            "SELECT * EXCLUDE (submission_id, withheld_at) FROM form_withheld"
        )
        aggregates.rebuild(cur)
        for table in ("form_withheld", "mentors_withheld", "mentees_withheld"):
            cur.execute(f"DROP TABLE {table}")
        cur.execute("ALTER TABLE meetings DROP COLUMN data_at")
        cur.execute("DELETE FROM meta WHERE key = 'data_changed_at'")
        # Tables of the migrations after it.
        for table in ("upload_created", "organization_history", "round_drafts"):
            cur.execute(f"DROP TABLE {table}")
        cur.execute("DELETE FROM schema_version WHERE version > ?", [first])
    assert counted(db, round_id)["indicator"] == (2, 4)
    path = db.path
    db.close()
    with Database(path) as upgraded:
        assert counted(upgraded, round_id) == from_files([sosh1])
        assert upgraded.data_stamp() is not None


def test_a_form_loaded_outside_the_round_counts_in_the_round_as_in_the_indicators(city):
    db, orgs, round_id = city
    admin = View(db, ADMIN)
    content = filled(admin.round_template(round_id, orgs[GYMNASIUM]))
    found = rounds.get_round(db, round_id)
    ingest_bytes(db, "гимназия.xlsx", content, FormKind.ORG_FORM, rounds.round_defaults(db, found))
    assert counted(db, round_id) == from_files([content])
    frame = rounds.completeness(db, round_id, at(9).date())
    row = frame[frame["organization"] == GYMNASIUM].iloc[0]
    assert (row["status"], row["comment"]) == ("accepted", "данные загружены вне мониторинга")
    # Loaded today (the file's upload is stamped with the real clock), counted from today.
    over_time = rounds.over_time(db, round_id, date.today()).set_index("day")["submitted"]
    assert (over_time.iloc[-1], over_time.iloc[-2]) == (1, 0)


def test_a_returned_school_whose_form_is_then_loaded_outside_the_round_counts(city):
    db, orgs, round_id = city
    admin = View(db, ADMIN)
    send(db, orgs, round_id, SOSH1, 1)
    admin.review_submission(submission_of(db, round_id, SOSH1), False, "исправьте", at(2))
    fixed = filled(admin.round_template(round_id, orgs[SOSH1]))
    found = rounds.get_round(db, round_id)
    ingest_bytes(db, "школа1.xlsx", fixed, FormKind.ORG_FORM, rounds.round_defaults(db, found))
    assert counted(db, round_id) == from_files([fixed])
