"""A restore states what it would discard (uploads, rounds, meetings, decisions, audited
actions made after the backup), goes on only when confirmed, saves the current database
first and records in the audit log what it replaced."""

from __future__ import annotations

import io
import json
import shutil
import zipfile
from datetime import date, datetime
from pathlib import Path

import duckdb
import pytest

from analytics.cli.main import main
from analytics.compute import lookups
from analytics.compute.targets import set_target
from analytics.ingest.load import ingest_bytes, rollback
from analytics.ingest.parse import Defaults
from analytics.meetings.decisions import Assignment, add_decision
from analytics.meetings.meetings import Sitting, create_meeting
from analytics.meetings.rounds import open_round
from analytics.store import audit, backup
from analytics.store.db import Database
from analytics.store.scope import Scope
from tests.filemakers import csv_bytes, org, table

NBSP = "\u00a0"
DEFAULTS = Defaults(
    region="Удмуртская Республика", municipality="г. Глазов", org_type="school", period="2023"
)


def upload(db: Database, names: list[str], file: str) -> int:
    content = csv_bytes(table([org(n) for n in names]))
    return ingest_bytes(db, file, content, defaults=DEFAULTS, user="иванов").upload_id


def schools(db: Database, n: int) -> list[str]:
    """``n`` schools of г. Глазов in the demo's registry."""
    frame = db.query(
        "SELECT o.name FROM organizations o JOIN municipalities m USING (municipality_id) "
        "WHERE m.name = ? AND o.org_type = 'school' ORDER BY o.org_id LIMIT ?",
        [DEFAULTS.municipality, n],
    )
    return list(frame["name"])


def made_at(copy: Path) -> str:
    """The backup's moment as the manifest states it, read from the ZIP directly."""
    created = json.loads(zipfile.ZipFile(copy).read("manifest.json"))["created_at"]
    return f"{datetime.fromisoformat(created):%d.%m.%Y %H:%M}"


def days_after(path: Path, table_name: str, column: str, copy: Path) -> str:
    """«от 07.12.2026»: the days of the rows of ``table_name`` made after the backup,
    read with plain SQL from the file."""
    created = json.loads(zipfile.ZipFile(copy).read("manifest.json"))["created_at"]
    con = duckdb.connect(str(path), read_only=True)
    try:
        rows = con.execute(
            f"SELECT DISTINCT strftime({column}, '%d.%m.%Y') FROM {table_name} "
            f"WHERE {column} >= CAST(? AS TIMESTAMP) - INTERVAL 1 SECOND",
            [created],
        ).fetchall()
    finally:
        con.close()
    assert len(rows) == 1
    return f"от {rows[0][0]}"


@pytest.fixture
def worked_on(demo_template: Path, tmp_path: Path) -> tuple[Path, Path]:
    """The demo database backed up, then worked on: 2 uploads, a round, a meeting with 3
    decisions and a target; returns the database and the backup."""
    path = tmp_path / "live" / "monitoring.duckdb"
    path.parent.mkdir()
    shutil.copy(demo_template, path)
    copy = tmp_path / "копия.zip"
    with Database(path) as db:
        backup.create(db, copy)
        first, second, third = schools(db, 3)
        upload(db, [first, second], "первая.csv")
        upload(db, [third], "вторая.csv")
        region = int(lookups.hierarchy(db)["region_id"].min())
        open_round(
            db,
            "2023",
            starts_on=date(2023, 6, 1),
            due_on=date(2023, 6, 30),
            order_number="17",
            order_date=date(2023, 5, 25),
            region_id=region,
        )
        meeting = create_meeting(db, Scope(periods=("2023",)), Sitting(date(2023, 9, 20)))
        for who in ("Иванова", "Петрова", "Сидорова"):
            add_decision(
                db,
                meeting,
                Scope(region_id=region, indicators=("databases",)),
                Assignment("Сформировать базы", f"{who} Е. А.", date(2023, 10, 20)),
            )
        set_target(db, "databases", 90.0, user="петрова")
    return path, copy


def test_a_restore_that_would_discard_work_names_it_by_number_and_date_and_changes_nothing(
    worked_on,
):
    path, copy = worked_on
    before = path.read_bytes()
    with pytest.raises(backup.RestoreNotConfirmed) as refused:
        backup.restore(path, copy)
    uploads = days_after(path, "uploads", "uploaded_at", copy)
    rounds = days_after(path, "rounds", "opened_at", copy)
    meetings = days_after(path, "meetings", "created_at", copy)
    decisions = days_after(path, "decisions", "created_at", copy)
    targets = days_after(path, "audit_log", "logged_at", copy)
    assert str(refused.value) == (
        f"восстановление копии «копия.zip» (сделана {made_at(copy)}) отменит сделанное после "
        f"неё: 2{NBSP}загрузки {uploads}, 1{NBSP}сбор форм {rounds}, 1{NBSP}заседание "
        f"{meetings}, 3{NBSP}поручения {decisions}, действие «цель задана» — 1 {targets}; "
        "база данных не изменена"
    )
    assert path.read_bytes() == before
    assert not (path.parent / "backups").exists()
    assert sorted(p.name for p in path.parent.iterdir()) == ["monitoring.duckdb", "uploads"]


def test_the_refusal_lists_the_uploads_by_number_and_file(worked_on):
    path, copy = worked_on
    with Database(path) as db:
        numbers = db.query("SELECT upload_id FROM uploads ORDER BY upload_id")["upload_id"]
    first, second = int(numbers.iloc[-2]), int(numbers.iloc[-1])
    with pytest.raises(backup.RestoreNotConfirmed) as refused:
        backup.restore(path, copy)
    assert refused.value.lost.lines()[0] == (
        f"2{NBSP}загрузки {days_after(path, 'uploads', 'uploaded_at', copy)}: "
        f"№ {first} «первая.csv», № {second} «вторая.csv»"
    )


def test_a_confirmed_restore_saves_the_current_database_which_restores_the_work_back(worked_on):
    path, copy = worked_on
    with Database(path) as db:
        uploads_before = db.scalar("SELECT count(*) FROM uploads")
        decisions_before = db.scalar("SELECT count(*) FROM decisions")
    done = backup.restore(path, copy, confirmed=True)
    assert done.safety.parent == path.parent / "backups"
    assert done.safety.name.startswith("до-восстановления-")
    with Database(path) as db:
        assert db.scalar("SELECT count(*) FROM uploads") == uploads_before - 2
        assert db.scalar("SELECT count(*) FROM decisions") == decisions_before - 3
    backup.restore(path, done.safety, confirmed=True)
    with Database(path) as db:
        assert db.scalar("SELECT count(*) FROM uploads") == uploads_before
        assert db.scalar("SELECT count(*) FROM decisions") == decisions_before


def test_the_restore_is_audited_with_what_it_discarded_and_where_the_database_was_saved(
    worked_on,
):
    path, copy = worked_on
    done = backup.restore(path, copy, user="сидоров", confirmed=True)
    with Database(path) as db:
        entry = audit.entries(db).iloc[0]
    assert (entry["actor"], entry["action"]) == ("сидоров", "restore")
    assert entry["details"]["discarded"] == done.lost.summary()
    assert entry["details"]["safety_backup"] == str(done.safety)
    assert done.lost.summary().startswith(f"2{NBSP}загрузки от ")
    assert audit.details_text(entry["details"]).startswith(
        f"резервная копия: копия.zip; копия создана: {made_at(copy)}; "
    )


def test_a_rollback_made_after_the_backup_is_listed_as_discarded(tmp_path):
    path = tmp_path / "live" / "monitoring.duckdb"
    copy = tmp_path / "копия.zip"
    with Database(path) as db:
        number = upload(db, ["СОШ № 1"], "форма.csv")
        backup.create(db, copy)
        rollback(db, number)
    with pytest.raises(backup.RestoreNotConfirmed) as refused:
        backup.restore(path, copy)
    assert refused.value.lost.lines() == [
        f"1{NBSP}отмена загрузки {days_after(path, 'uploads', 'rolled_back_at', copy)}: № {number}"
    ]


def test_a_restore_that_discards_nothing_needs_no_confirmation_and_still_saves_the_database(
    tmp_path,
):
    path = tmp_path / "live" / "monitoring.duckdb"
    copy = tmp_path / "копия.zip"
    with Database(path) as db:
        upload(db, ["СОШ № 1"], "форма.csv")
        backup.create(db, copy)
    done = backup.restore(path, copy)
    assert not done.lost
    assert done.safety.is_file()


def test_the_restore_command_without_force_prints_the_list_and_exits_with_1(worked_on, capsys):
    path, copy = worked_on
    before = path.read_bytes()
    assert main(["--db", str(path), "restore", str(copy)], out=io.StringIO()) == 1
    err = capsys.readouterr().err.splitlines()
    assert err[0] == (
        f"Восстановление копии «копия.zip» (сделана {made_at(copy)}) заменит текущую базу; "
        "будут отменены:"
    )
    assert [line.split(" ", 2)[1] for line in err[1:6]] == [
        f"2{NBSP}загрузки",
        f"1{NBSP}сбор",
        f"1{NBSP}заседание",
        f"3{NBSP}поручения",
        "действие",
    ]
    assert err[6] == (
        "База данных не изменена. Чтобы восстановить, повторите команду с --force: текущая "
        f"база будет сначала сохранена в папку {path.parent / 'backups'}."
    )
    assert path.read_bytes() == before


def test_the_restore_command_with_force_says_where_the_database_was_saved(worked_on):
    path, copy = worked_on
    out = io.StringIO()
    assert main(["--db", str(path), "restore", str(copy), "--force"], out=out) == 0
    lines = out.getvalue().splitlines()
    (saved,) = (path.parent / "backups").iterdir()
    assert lines[1] == f"Прежняя база сохранена: {saved}"
    assert lines[2].startswith(f"Отменено: 2{NBSP}загрузки от ")


def test_a_database_that_does_not_open_is_replaced_only_when_confirmed_and_kept_as_it_was(
    tmp_path,
):
    path = tmp_path / "live" / "monitoring.duckdb"
    copy = tmp_path / "копия.zip"
    with Database(path) as db:
        upload(db, ["СОШ № 1"], "форма.csv")
        backup.create(db, copy)
    garbage = b"\x00garbage" * 1000
    path.write_bytes(garbage)
    with pytest.raises(backup.RestoreNotConfirmed) as refused:
        backup.restore(path, copy)
    assert str(refused.value) == (
        "текущая база данных не открывается, и восстановление копии «копия.zip» (сделана "
        f"{made_at(copy)}) заменит её целиком, не проверив, что в ней есть; база данных не "
        "изменена"
    )
    assert path.read_bytes() == garbage
    done = backup.restore(path, copy, confirmed=True)
    assert done.safety.suffix == ".duckdb"
    assert done.safety.read_bytes() == garbage
