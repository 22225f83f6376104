"""The rows of a file a round's coordinator returned leave the current person bases with
its organisation only, and come back whole (the form case: tests/meetings/test_round_returns.py)."""

from __future__ import annotations

from datetime import datetime

from analytics.ingest.load import restore, withhold
from analytics.model.contract import FormKind
from tests.registerfiles import MENTORS_1, MENTORS_2, SCHOOL_1, SCHOOL_2, load_registers, org_id

SUBMISSION = 7


def mentors_of(db, school: str) -> list[str]:
    return db.query(
        "SELECT full_name FROM mentors WHERE org_id = ? ORDER BY full_name",
        [org_id(db, school)],
    )["full_name"].tolist()


def test_withheld_mentors_leave_their_school_only_and_come_back_whole(fresh_db):
    load_registers(fresh_db)
    upload = int(fresh_db.scalar("SELECT max(upload_id) FROM mentors"))
    school1, school2 = mentors_of(fresh_db, SCHOOL_1), mentors_of(fresh_db, SCHOOL_2)
    assert (len(school1), len(school2)) == (len(MENTORS_1), len(MENTORS_2))
    first = org_id(fresh_db, SCHOOL_1)
    with fresh_db.transaction() as cur:
        withhold(cur, FormKind.MENTORS, upload, first, SUBMISSION, datetime.now())
    assert (mentors_of(fresh_db, SCHOOL_1), mentors_of(fresh_db, SCHOOL_2)) == ([], school2)
    with fresh_db.transaction() as cur:
        assert restore(cur, FormKind.MENTORS, SUBMISSION) is None
    assert (mentors_of(fresh_db, SCHOOL_1), mentors_of(fresh_db, SCHOOL_2)) == (school1, school2)
    assert fresh_db.scalar("SELECT count(*) FROM mentors_withheld") == 0
