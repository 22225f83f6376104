"""The documents' sign-off, set once on «Настройки» and kept in the database."""

from __future__ import annotations

from pathlib import Path

import pytest

from analytics.operations.access import AccessDenied, Principal, View
from analytics.operations.users import Role
from analytics.store.db import Database
from analytics.store.reset import clear_database
from analytics.store.signoff import MAX_LENGTH, SignOff, SignOffError, get_signoff, set_signoff

ALTERNATIVA = SignOff(
    organization="МАУ ИМЦ «Альтернатива»",
    position="Директор",
    signatory="С. М. Давыдова",
    executor="Кардакова Е. А.",
    contacts="8(3412)57-31-56",
)


def test_nothing_set_reads_as_an_empty_sign_off(fresh_db):
    assert get_signoff(fresh_db) == SignOff()
    assert not get_signoff(fresh_db).is_set


def test_a_stored_sign_off_is_read_back_after_reopening(tmp_path: Path):
    with Database(tmp_path / "m.duckdb") as db:
        set_signoff(db, ALTERNATIVA, user="admin")
    with Database(tmp_path / "m.duckdb") as db:
        assert get_signoff(db) == ALTERNATIVA
        assert get_signoff(db).signer_line == "Директор МАУ ИМЦ «Альтернатива»"


def test_spaces_are_collapsed_and_an_emptied_field_is_cleared(fresh_db):
    set_signoff(fresh_db, ALTERNATIVA)
    stored = set_signoff(
        fresh_db, SignOff(position="  Директор ", signatory="С. М.  Давыдова", contacts=" ")
    )
    assert stored == SignOff(position="Директор", signatory="С. М. Давыдова")
    assert get_signoff(fresh_db) == stored


def test_a_field_over_the_limit_is_refused_in_russian_and_nothing_changes(fresh_db):
    set_signoff(fresh_db, ALTERNATIVA)
    with pytest.raises(SignOffError, match=f"допустимо {MAX_LENGTH}"):
        set_signoff(fresh_db, SignOff(position="Д" * (MAX_LENGTH + 1)))
    assert get_signoff(fresh_db) == ALTERNATIVA


def test_clearing_the_data_keeps_the_sign_off(fresh_db):
    set_signoff(fresh_db, ALTERNATIVA)
    clear_database(fresh_db)
    assert get_signoff(fresh_db) == ALTERNATIVA


def test_every_role_reads_the_sign_off_and_only_an_administrator_sets_it(fresh_db):
    View(fresh_db, Principal("admin", Role.ADMIN)).set_signoff(ALTERNATIVA)
    viewer = View(fresh_db, Principal("group", Role.VIEWER))
    assert viewer.signoff() == ALTERNATIVA
    with pytest.raises(AccessDenied):
        viewer.set_signoff(SignOff())
