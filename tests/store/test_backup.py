"""Backups and restore: one ZIP with a consistent copy of the database and the archived
uploads; a restore checks the file, refuses while the database is in use and replaces it
in one step; both are audited."""

from __future__ import annotations

import io
import json
import threading
import zipfile
from pathlib import Path

import pytest

from analytics.cli.main import main
from analytics.ingest.load import ingest_bytes
from analytics.ingest.parse import Defaults
from analytics.store import audit, backup
from analytics.store.db import SCHEMA_VERSION, Database, DatabaseBusy
from tests.filemakers import csv_bytes, org, state, table
from tests.processes import held

DEFAULTS = Defaults(
    region="Удмуртская Республика", municipality="г. Глазов", org_type="school", period="2023"
)


def upload(db: Database, names: list[str], file: str = "форма.csv", **values: object):
    content = csv_bytes(table([org(n, **values) for n in names]))
    return ingest_bytes(db, file, content, defaults=DEFAULTS, user="иванов")


def contents(db: Database) -> dict[str, object]:
    """The data a restore must give back: every data table's rows and the sequences'
    values (the audit log has entries of its own for the backup and the restore)."""
    found = {
        name: db.query(f"SELECT * FROM {name} ORDER BY ALL").astype(str).values.tolist()
        for name in ("organizations", "form_values", "form_history", "uploads", "targets")
    }
    found["sequences"] = db.query(
        "SELECT sequence_name, last_value FROM duckdb_sequences() "
        "WHERE sequence_name <> 'audit_seq' ORDER BY 1"
    ).values.tolist()
    found["data_version"] = db.data_version()
    return found


@pytest.fixture
def loaded(tmp_path: Path) -> Path:
    path = tmp_path / "live" / "monitoring.duckdb"
    with Database(path) as db:
        upload(db, ["СОШ № 1", "СОШ № 2"])
        upload(db, ["СОШ № 1"], file="замена.csv", teachers_total=50)
    return path


def test_a_backup_holds_the_manifest_the_database_and_the_archived_uploads(loaded, tmp_path):
    out = tmp_path / "копия.zip"
    with Database(loaded) as db:
        info = backup.create(db, out)
        archived = sorted(p.name for p in db.uploads_dir.iterdir())
    names = zipfile.ZipFile(out).namelist()
    assert sorted(names) == sorted(
        ["manifest.json", "monitoring.duckdb", *(f"uploads/{n}" for n in archived)]
    )
    manifest = json.loads(zipfile.ZipFile(out).read("manifest.json"))
    assert manifest == {
        "format": "monitoring-backup",
        "schema_version": SCHEMA_VERSION,
        "data_version": 2,
        "created_at": info.created_at,
        "uploads": archived,
    }


def test_restoring_a_backup_gives_back_exactly_the_data_it_was_made_from(loaded, tmp_path):
    out = tmp_path / "копия.zip"
    with Database(loaded) as db:
        expected = contents(db)
        backup.create(db, out)
        upload(db, ["СОШ № 3"], file="после копии.csv")
    backup.restore(loaded, out, confirmed=True)
    with Database(loaded) as db:
        restored = contents(db)
    expected["data_version"] += 1  # the restore is a write of its own, to the audit log
    assert restored == expected


def test_uploads_after_a_restore_continue_the_numbering_of_the_backup(loaded, tmp_path):
    out = tmp_path / "копия.zip"
    with Database(loaded) as db:
        backup.create(db, out)
        upload(db, ["СОШ № 3"], file="после копии.csv")
    backup.restore(loaded, out, confirmed=True)
    with Database(loaded) as db:
        assert upload(db, ["СОШ № 4"], file="новая.csv").upload_id == 3


def test_a_restore_brings_back_archived_files_that_were_lost(loaded, tmp_path):
    out = tmp_path / "копия.zip"
    with Database(loaded) as db:
        backup.create(db, out)
        archived = sorted(p.name for p in db.uploads_dir.iterdir())
        for path in db.uploads_dir.iterdir():
            path.unlink()
    backup.restore(loaded, out)
    assert sorted(p.name for p in (loaded.parent / "uploads").iterdir()) == archived


def test_a_restore_replaces_a_damaged_database_file(loaded, tmp_path):
    out = tmp_path / "копия.zip"
    with Database(loaded) as db:
        backup.create(db, out)
        expected = db.scalar("SELECT count(*) FROM form_values")
    loaded.write_bytes(b"\x00garbage" * 1000)
    backup.restore(loaded, out, confirmed=True)
    with Database(loaded) as db:
        assert db.scalar("SELECT count(*) FROM form_values") == expected


def test_a_restore_into_a_new_place_creates_the_database(loaded, tmp_path):
    out = tmp_path / "копия.zip"
    with Database(loaded) as db:
        backup.create(db, out)
    target = tmp_path / "новая" / "monitoring.duckdb"
    backup.restore(target, out)
    with Database(target) as db:
        assert db.scalar("SELECT count(*) FROM uploads") == 2


def test_backup_and_restore_are_audited_with_their_users(loaded, tmp_path):
    out = tmp_path / "копия.zip"
    with Database(loaded) as db:
        backup.create(db, out, user="петрова")
        made = audit.entries(db).iloc[0]
        assert (made["actor"], made["action"], made["details"]) == (
            "петрова",
            "backup",
            {"backup": "копия.zip", "data_version": 2, "uploads": 2},
        )
    done = backup.restore(loaded, out, user="сидоров")
    with Database(loaded) as db:
        entry = audit.entries(db).iloc[0]
    assert (entry["actor"], entry["action"], entry["object"], entry["details"]) == (
        "сидоров",
        "restore",
        "database",
        {
            "backup": "копия.zip",
            "created_at": done.info.created_at,
            "data_version": 2,
            "safety_backup": str(done.safety),
        },
    )


def refused(path: Path, backup_file: Path) -> str:
    before = path.read_bytes()
    with pytest.raises(backup.BackupError) as error:
        backup.restore(path, backup_file)
    assert path.read_bytes() == before
    assert not [p for p in path.parent.iterdir() if p.name.startswith(".restore-")]
    return str(error.value)


def test_restoring_random_bytes_is_refused_and_changes_nothing(loaded, tmp_path):
    junk = tmp_path / "копия.zip"
    junk.write_bytes(bytes(range(256)) * 40)
    assert refused(loaded, junk) == (
        "файл «копия.zip» не является резервной копией базы мониторинга (это не архив ZIP); "
        "база данных не изменена"
    )


def test_restoring_a_zip_without_a_manifest_is_refused(loaded, tmp_path):
    other = tmp_path / "фото.zip"
    with zipfile.ZipFile(other, "w") as archive:
        archive.writestr("фото.jpg", b"\xff\xd8")
    assert refused(loaded, other) == (
        "файл «фото.zip» не является резервной копией базы мониторинга (нет описания копии); "
        "база данных не изменена"
    )


def rewrite(source: Path, target: Path, manifest: dict | None = None, extra: str | None = None):
    """A copy of the backup ``source`` with its manifest changed or an extra member."""
    with zipfile.ZipFile(source) as old, zipfile.ZipFile(target, "w") as new:
        for item in old.infolist():
            data = old.read(item)
            if item.filename == "manifest.json" and manifest is not None:
                data = json.dumps({**json.loads(data), **manifest}).encode()
            new.writestr(item, data)
        if extra:
            new.writestr(extra, b"x")
    return target


def test_a_backup_from_a_newer_schema_version_is_refused(loaded, tmp_path):
    with Database(loaded) as db:
        backup.create(db, tmp_path / "копия.zip")
    newer = rewrite(
        tmp_path / "копия.zip", tmp_path / "новее.zip", {"schema_version": SCHEMA_VERSION + 1}
    )
    assert refused(loaded, newer) == (
        f"резервная копия «новее.zip» сделана более новой версией программы (версия схемы "
        f"{SCHEMA_VERSION + 1}, эта версия знает схемы до {SCHEMA_VERSION}); обновите программу; "
        "база данных не изменена"
    )


def test_a_backup_with_a_path_outside_its_folders_is_refused(loaded, tmp_path):
    with Database(loaded) as db:
        backup.create(db, tmp_path / "копия.zip")
    hostile = rewrite(tmp_path / "копия.zip", tmp_path / "злая.zip", extra="../../etc/evil")
    assert refused(loaded, hostile) == (
        "файл «злая.zip» не является резервной копией базы мониторинга (в архиве лишние или "
        "недостающие файлы); база данных не изменена"
    )
    assert not (tmp_path / "etc").exists()


def test_a_backup_whose_database_is_not_a_database_is_refused(loaded, tmp_path):
    fake = tmp_path / "подделка.zip"
    with zipfile.ZipFile(fake, "w") as archive:
        manifest = {"format": "monitoring-backup", "schema_version": SCHEMA_VERSION}
        archive.writestr(
            "manifest.json",
            json.dumps({**manifest, "data_version": 1, "created_at": "2026-01-01", "uploads": []}),
        )
        archive.writestr("monitoring.duckdb", b"not a database" * 100)
    assert refused(loaded, fake) == (
        "база данных в резервной копии «подделка.zip» повреждена; база данных не изменена"
    )


def test_a_restore_is_refused_while_another_process_holds_the_database(loaded, tmp_path):
    with Database(loaded) as db:
        backup.create(db, tmp_path / "копия.zip")
        before = state(db)
    with held(loaded), pytest.raises(DatabaseBusy, match="занята другим процессом"):
        backup.restore(loaded, tmp_path / "копия.zip")
    with Database(loaded) as db:
        assert state(db) == before


def test_a_backup_made_while_uploads_commit_is_one_consistent_state(tmp_path):
    """Each backup holds a whole number of uploads: its forms and its upload log agree."""
    path = tmp_path / "live" / "monitoring.duckdb"
    db = Database(path)
    upload(db, ["СОШ № 0"], file="0.csv")
    done = threading.Event()

    def writer():
        for i in range(1, 9):
            upload(db, [f"СОШ № {i}.{k}" for k in range(20)], file=f"{i}.csv")
        done.set()

    thread = threading.Thread(target=writer)
    thread.start()
    copies = []
    while not done.is_set() or not copies:
        copies.append(tmp_path / f"копия-{len(copies)}.zip")
        backup.create(db, copies[-1])
    thread.join()
    db.close()
    for i, copy in enumerate(copies):
        target = tmp_path / f"restored-{i}" / "monitoring.duckdb"
        backup.restore(target, copy)
        with Database(target) as restored:
            uploads = restored.scalar("SELECT count(*) FROM uploads")
            forms = restored.scalar("SELECT count(*) FROM form_values")
        assert forms == 1 + 20 * (uploads - 1)
    assert len(copies) >= 2


def test_the_backup_and_restore_commands_round_trip(loaded, tmp_path):
    out = io.StringIO()
    argv = ["--db", str(loaded), "backup", "--out", str(tmp_path / "копия.zip")]
    assert main(argv, out=out) == 0
    assert out.getvalue() == (
        f"Резервная копия сохранена: {tmp_path / 'копия.zip'} (версия данных 2, "
        "загруженных файлов — 2)\n"
    )
    with Database(loaded) as db:
        upload(db, ["СОШ № 3"], file="после копии.csv")
    out = io.StringIO()
    argv = ["--db", str(loaded), "restore", str(tmp_path / "копия.zip"), "--force"]
    assert main(argv, out=out) == 0
    assert out.getvalue().startswith(f"База {loaded} восстановлена из копии от ")
    with Database(loaded) as db:
        assert db.scalar("SELECT count(*) FROM uploads") == 2


def test_the_restore_command_refuses_random_bytes_with_exit_code_1(loaded, tmp_path, capsys):
    junk = tmp_path / "копия.zip"
    junk.write_bytes(b"PK\x03\x04" + bytes(500))
    assert main(["--db", str(loaded), "restore", str(junk)], out=io.StringIO()) == 1
    assert capsys.readouterr().err == (
        "Ошибка: файл «копия.zip» не является резервной копией базы мониторинга "
        "(это не архив ZIP); база данных не изменена\n"
    )
