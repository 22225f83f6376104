"""«Данные на …»: the moment the data last changed, stated by every page and document,
moves with forms, the registry, person bases and targets only; the cache key (the data
version) still moves with every write."""

from __future__ import annotations

import re
from datetime import date, datetime

import pytest

from analytics.compute.targets import set_target
from analytics.documents.note import build_report
from analytics.ingest.load import ingest_bytes, rollback
from analytics.ingest.parse import Defaults
from analytics.meetings.meetings import Sitting, create_meeting, get_meeting
from analytics.model.contract import FormKind
from analytics.model.levels import Level
from analytics.store.db import Database
from analytics.store.scope import Scope
from analytics.store.signoff import SignOff, set_signoff
from analytics.wording.formatting import as_of
from tests.filemakers import csv_bytes, org, table
from tests.townfiles import PERIOD, REGION, TOWN, docx_paragraphs, load_town

SIGN_OFF = SignOff(organization="МАУ ИМЦ «Альтернатива»", signatory="С. М. Давыдова")
STAMP = re.compile(
    r"Данные на \d{1,2} (января|февраля|марта|апреля|мая|июня|июля|августа|сентября|"
    r"октября|ноября|декабря) \d{4} г\., \d\d:\d\d"
)


@pytest.fixture
def town(fresh_db: Database) -> tuple[Database, int]:
    return fresh_db, load_town(fresh_db)


def note_stamp(db: Database, municipality: int) -> str:
    """The note's sentence that dates its data."""
    scope = Scope(periods=(PERIOD,), municipality_id=municipality)
    paragraphs = docx_paragraphs(build_report(db, scope))
    return next(p for p in paragraphs if p.startswith("Данные на"))


def upload_forms(db: Database) -> None:
    forms = csv_bytes(table([org("МБОУ «СОШ № 1»", teachers_total=41)]))
    ingest_bytes(
        db,
        "исправление.csv",
        forms,
        defaults=Defaults(region=REGION, municipality=TOWN, period=PERIOD),
    )


def test_saving_the_sign_off_changes_the_cache_key_but_not_the_data_stamp(town):
    db, _ = town
    stamp, version = db.data_stamp(), db.data_version()
    set_signoff(db, SIGN_OFF, user="admin")
    assert (db.data_stamp(), db.data_version()) == (stamp, version + 1)


def test_holding_a_meeting_leaves_the_data_stamp_and_keeps_it_with_the_meeting(town):
    db, municipality = town
    stamp, version = db.data_stamp(), db.data_version()
    scope = Scope(periods=(PERIOD,), municipality_id=municipality)
    meeting_id = create_meeting(db, scope, Sitting(date(2026, 12, 7)))
    assert db.data_stamp() == stamp
    assert db.data_version() > version
    assert get_meeting(db, meeting_id).data_at == stamp


def test_an_upload_moves_the_data_stamp_to_its_moment(town):
    db, _ = town
    stamp = db.data_stamp()
    before = datetime.now()
    upload_forms(db)
    after = datetime.now()
    assert stamp is not None and stamp < before <= db.data_stamp() <= after


def test_a_rollback_and_a_target_move_the_data_stamp(town):
    db, _ = town
    upload_forms(db)
    uploaded = db.data_stamp()
    rollback(db, int(db.scalar("SELECT max(upload_id) FROM uploads")))
    rolled_back = db.data_stamp()
    set_target(db, "reporting", 95.0, period=PERIOD, level=Level.TOTAL)
    assert uploaded < rolled_back < db.data_stamp()


def test_an_empty_database_has_no_data_stamp(fresh_db):
    assert fresh_db.data_stamp() is None


def test_two_notes_of_the_same_data_state_the_same_moment(town):
    db, municipality = town
    first = note_stamp(db, municipality)
    set_signoff(db, SIGN_OFF, user="admin")
    create_meeting(
        db, Scope(periods=(PERIOD,), municipality_id=municipality), Sitting(date.today())
    )
    second = note_stamp(db, municipality)
    assert first == second
    assert first.startswith(f"Данные на {as_of(db.data_stamp())}. ")
    assert STAMP.match(first)
    upload_forms(db)
    assert note_stamp(db, municipality).startswith(f"Данные на {as_of(db.data_stamp())}. ")


def test_a_registry_upload_moves_the_data_stamp(town):
    db, _ = town
    stamp = db.data_stamp()
    registry = csv_bytes(
        table(
            [{"org_name": "МБОУ «СОШ № 91»", "org_type": "СОШ"}], columns=("org_name", "org_type")
        )
    )
    ingest_bytes(
        db, "реестр2.csv", registry, FormKind.REGISTRY, Defaults(region=REGION, municipality=TOWN)
    )
    assert db.data_stamp() > stamp
