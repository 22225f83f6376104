"""An action that fails part-way leaves nothing of itself: not its rows, not its file."""

from __future__ import annotations

import pytest

from analytics.ingest import load
from analytics.ingest.load import ingest_bytes
from analytics.meetings import rounds
from analytics.model.contract import FormKind
from analytics.operations.access import View
from analytics.store.db import Database
from tests import registerfiles
from tests.roundfiles import ADMIN, SCHOOLS, filled, load_registry, open_city_round


def test_a_round_file_whose_submission_cannot_be_recorded_is_not_loaded(fresh_db: Database):
    orgs = load_registry(fresh_db)
    round_id = open_city_round(fresh_db)
    template = filled(View(fresh_db, ADMIN).round_template(round_id, orgs[SCHOOLS[0]]))
    with fresh_db.transaction() as cur:
        # Recording the submission fails: the table is not where the engine writes it.
        cur.execute("ALTER TABLE round_submissions RENAME TO submissions_away")

    with pytest.raises(Exception, match="round_submissions"):
        rounds.submit(fresh_db, round_id, "школа.xlsx", template, FormKind.ORG_FORM)

    assert fresh_db.scalar("SELECT count(*) FROM form_values") == 0
    assert fresh_db.scalar("SELECT count(*) FROM uploads") == 1
    assert sorted(p.name for p in fresh_db.uploads_dir.iterdir()) == [
        fresh_db.scalar("SELECT sha256 FROM uploads") + ".xlsx"
    ]


def test_a_person_base_whose_upload_fails_after_its_file_is_written_leaves_no_file(
    fresh_db: Database, monkeypatch: pytest.MonkeyPatch
):
    def refuse(*args: object, **kwargs: object) -> None:
        raise RuntimeError("аудит недоступен")

    monkeypatch.setattr(load.audit, "record", refuse)
    mentors = registerfiles.register_csv(registerfiles.MENTOR_HEADER, registerfiles.MENTORS_1)

    with pytest.raises(RuntimeError):
        ingest_bytes(fresh_db, "наставники.csv", mentors, FormKind.MENTORS, registerfiles.DEFAULTS)

    assert fresh_db.scalar("SELECT count(*) FROM mentors") == 0
    assert list(fresh_db.uploads_dir.iterdir()) == []
