"""Published snapshots: a consistent copy that reads the same as the database it was
taken from, can never be written (with a Russian message saying so), and is found by a
dashboard through ``MONITORING_SNAPSHOT``."""

from __future__ import annotations

import io

import duckdb
import pandas as pd
import pytest

from analytics.cli.main import main
from analytics.compute import quality
from analytics.compute.indicators import compute
from analytics.ingest.load import ingest_bytes
from analytics.store.db import SCHEMA_VERSION, Database, DatabaseReadOnly
from analytics.store.snapshot import open_snapshot, publish, publish_if_changed, snapshot_path
from tests.filemakers import FULL_COLUMNS, csv_bytes, org, table

READ_ONLY = (
    "открыта только для чтения (опубликованный снимок); загрузка и изменение данных "
    "выполняются в основной базе"
)


def form(name: str) -> bytes:
    school = org(name, region="Удмуртская Республика", municipality="г. Альфа", period="2023")
    return csv_bytes(table([school], FULL_COLUMNS))


def test_a_snapshot_gives_the_same_indicators_and_findings_as_its_database(copy, tmp_path):
    path = publish(copy, tmp_path / "snapshot.duckdb")
    with open_snapshot(path) as snap:
        pd.testing.assert_frame_equal(compute(snap), compute(copy))
        pd.testing.assert_frame_equal(quality.findings(snap), quality.findings(copy))
        assert snap.data_version() == copy.data_version()


def test_a_snapshot_keeps_the_data_of_the_moment_it_was_published(fresh_db, tmp_path):
    ingest_bytes(fresh_db, "первая.csv", form("Школа 1"))
    path = publish(fresh_db, tmp_path / "snapshot.duckdb")
    ingest_bytes(fresh_db, "вторая.csv", form("Школа 2"))
    with open_snapshot(path) as snap:
        assert snap.scalar("SELECT count(*) FROM form_values") == 1


def test_writing_to_a_snapshot_is_refused_in_russian(fresh_db, tmp_path):
    path = publish(fresh_db, tmp_path / "snapshot.duckdb")
    with open_snapshot(path) as snap, pytest.raises(DatabaseReadOnly) as error:
        ingest_bytes(snap, "формы.csv", form("Школа 1"))
    assert str(error.value) == f"база данных {path} {READ_ONLY}"


def test_a_snapshot_opened_for_writing_is_still_read_only(fresh_db, tmp_path):
    path = publish(fresh_db, tmp_path / "snapshot.duckdb")
    with Database(path) as snap:
        assert snap.read_only
        with pytest.raises(DatabaseReadOnly):
            snap.set_meta("demo", 1)


def test_a_read_only_database_of_an_older_schema_is_refused_in_russian(fresh_db, tmp_path):
    path = publish(fresh_db, tmp_path / "snapshot.duckdb")
    # Make it look older: forget its newest schema version.
    con = duckdb.connect(str(path))
    con.execute("DELETE FROM schema_version WHERE version = ?", [SCHEMA_VERSION])
    con.close()
    with pytest.raises(DatabaseReadOnly) as error:
        Database(path, read_only=True)
    assert "создана более ранней версией программы" in str(error.value)
    assert f"(схема {SCHEMA_VERSION - 1}, нужна {SCHEMA_VERSION})" in str(error.value)


def test_publishing_into_a_directory_names_the_snapshot_by_version_and_points_to_it(
    fresh_db, tmp_path
):
    ingest_bytes(fresh_db, "формы.csv", form("Школа 1"))
    version = fresh_db.data_version()
    path = publish(fresh_db, tmp_path)
    assert path == tmp_path / f"monitoring-v{version}.duckdb"
    assert (tmp_path / "CURRENT").read_text(encoding="utf-8") == f"{path.name}\n"
    assert snapshot_path(str(tmp_path)) == path
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".incoming")] == []


def test_the_snapshot_variable_names_a_file_or_nothing(monkeypatch, tmp_path):
    monkeypatch.delenv("MONITORING_SNAPSHOT", raising=False)
    assert snapshot_path() is None
    monkeypatch.setenv("MONITORING_SNAPSHOT", str(tmp_path / "s.duckdb"))
    assert snapshot_path() == tmp_path / "s.duckdb"


def test_the_snapshot_command_publishes_and_says_where(tmp_path):
    db_path = tmp_path / "monitoring.duckdb"
    with Database(db_path) as db:
        ingest_bytes(db, "формы.csv", form("Школа 1"))
        version = db.data_version()
    out = io.StringIO()
    target = tmp_path / "published.duckdb"
    assert main(["--db", str(db_path), "snapshot", "--out", str(target)], out=out) == 0
    assert out.getvalue() == f"Снимок опубликован: {target} (версия данных {version})\n"
    with open_snapshot(target) as snap:
        assert snap.scalar("SELECT count(*) FROM form_values") == 1


def test_a_cli_write_to_a_snapshot_exits_1_with_the_reason(fresh_db, tmp_path, capsys):
    path = publish(fresh_db, tmp_path / "snapshot.duckdb")
    csv = tmp_path / "формы.csv"
    csv.write_bytes(form("Школа 1"))
    assert main(["--db", str(path), "ingest", str(csv)], out=io.StringIO()) == 1
    assert capsys.readouterr().err == f"Ошибка: база данных {path} {READ_ONLY}\n"


def test_the_writer_publishes_again_only_after_its_data_changed(fresh_db, tmp_path):
    ingest_bytes(fresh_db, "первая.csv", form("Школа 1"))
    first = publish_if_changed(fresh_db, tmp_path)
    assert first == tmp_path / f"monitoring-v{fresh_db.data_version()}.duckdb"
    assert publish_if_changed(fresh_db, tmp_path) is None
    ingest_bytes(fresh_db, "вторая.csv", form("Школа 2"))
    second = publish_if_changed(fresh_db, tmp_path)
    assert second == tmp_path / f"monitoring-v{fresh_db.data_version()}.duckdb"
    assert snapshot_path(str(tmp_path)) == second


def test_the_writer_keeps_the_current_snapshot_and_the_two_before_it(fresh_db, tmp_path):
    published = []
    for n in range(1, 5):
        ingest_bytes(fresh_db, f"форма{n}.csv", form(f"Школа {n}"))
        published.append(publish_if_changed(fresh_db, tmp_path).name)
    kept = sorted(p.name for p in tmp_path.glob("monitoring-v*.duckdb"))
    assert kept == sorted(published[1:])
