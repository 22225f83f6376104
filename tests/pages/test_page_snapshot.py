"""A replica: the dashboard reading a published read-only snapshot (MONITORING_SNAPSHOT)."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest

from analytics.store.db import Database
from analytics.store.snapshot import publish
from analytics.wording import formatting
from tests.apptest import assert_clean, open_page


@pytest.fixture
def replica(demo_db_path: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> datetime | None:
    """The demo database published into a directory the dashboard reads; when its data
    last changed."""
    directory = tmp_path / "snapshots"
    directory.mkdir()
    with Database(demo_db_path) as db:
        publish(db, directory)
        stamp = db.data_stamp()
    monkeypatch.setenv("MONITORING_SNAPSHOT", str(directory))
    monkeypatch.setenv("MONITORING_USERS", str(tmp_path / "users.json"))
    return stamp


def test_a_replica_says_it_is_read_only_and_offers_no_upload(replica: datetime | None):
    at = open_page("pages/data.py")

    assert_clean(at)
    words = formatting.data_stamp(replica).lower()
    assert f"Копия только для чтения ({words})" in at.caption[0].value
    assert "Загрузка файлов" not in [t.label for t in at.tabs]


def test_a_replica_offers_no_target_form(replica: int):
    at = open_page("pages/settings.py")

    assert_clean(at)
    assert "Сохранить цель" not in [b.label for b in at.button]


def test_a_replica_shows_the_same_figures_as_the_database_it_was_published_from(
    replica: int, monkeypatch: pytest.MonkeyPatch
):
    at = open_page("dashboard.py")
    monkeypatch.delenv("MONITORING_SNAPSHOT")
    source = open_page("dashboard.py")

    assert_clean(at)
    assert [(m.label, m.value) for m in at.metric] == [(m.label, m.value) for m in source.metric]
    assert len(at.metric) > 10
