"""The lines heading an exported table state the moment of the data, not the cache key."""

from __future__ import annotations

from analytics.operations.access import Principal
from analytics.operations.users import Role
from analytics.store.db import Database
from analytics.store.signoff import SignOff, set_signoff
from analytics.wording.formatting import as_of
from tests.townfiles import PERIOD, load_town
from ui.page import Filters, Page


def header(db: Database, municipality: int) -> list[str]:
    context = Page(
        db,
        str(db.path),
        db.data_version(),
        Principal("ivanova", Role.ADMIN),
        Filters(period=PERIOD, municipality_id=municipality),
        [PERIOD],
        False,
        db.data_stamp(),
    )
    return context.export_context()


def test_an_exported_table_states_when_its_data_last_changed_and_a_sign_off_changes_nothing(
    fresh_db,
):
    municipality = load_town(fresh_db)
    first = header(fresh_db, municipality)
    set_signoff(fresh_db, SignOff(signatory="С. М. Давыдова"))
    assert header(fresh_db, municipality) == first
    assert first[1] == f"Данные на {as_of(fresh_db.data_stamp())}"
