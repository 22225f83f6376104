"""Personal data at rest: the database, its WAL, the archived uploads, backups and
snapshots are readable by their owner only; a published snapshot holds no name; a
backup can be encrypted with a passphrase; a deleted register's names are gone from the
bytes of the database file."""

from __future__ import annotations

import io
import os
import stat
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pytest

from analytics.cli.main import main
from analytics.compute import person_bases
from analytics.ingest.load import ingest_bytes
from analytics.model.contract import FormKind
from analytics.store import backup
from analytics.store.db import Database
from analytics.store.snapshot import POINTER, open_snapshot, publish
from tests.filemakers import csv_bytes, org, table
from tests.registerfiles import (
    DEFAULTS,
    MENTEES_1,
    MENTORS_1,
    MENTORS_2,
    NAMES,
    SCHOOL_1,
    load_registers,
    names_in,
    org_id,
)

SCHOOL_1_NAMES = tuple(
    {str(row[0]) for row in (*MENTORS_1, *MENTEES_1)} | {str(r[3]) for r in MENTEES_1 if r[3]}
)
SCHOOL_2_NAMES = tuple(str(row[0]) for row in MENTORS_2)
PASSPHRASE = "длинный пароль копии"


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def names_in_file(path: Path, names: tuple[str, ...] = NAMES) -> list[str]:
    """The names found anywhere in the bytes of ``path`` (and of its WAL, if any)."""
    data = path.read_bytes()
    wal = path.with_name(path.name + ".wal")
    if wal.exists():
        data += wal.read_bytes()
    return names_in(data.decode("utf-8", errors="ignore"), names)


@pytest.fixture(autouse=True)
def lax_umask() -> Iterator[None]:
    """The usual umask of a login shell, so files come out 0644 unless the code narrows it."""
    previous = os.umask(0o022)
    yield
    os.umask(previous)


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Database]:
    """A database in a data folder of its own, with both registers loaded."""
    db = Database(tmp_path / "data" / "monitoring.duckdb")
    load_registers(db)
    yield db
    db.close()


# --- file modes ----------------------------------------------------------------------


def test_the_data_folder_is_the_owners_only(store):
    assert mode(store.path.parent) == 0o700


def test_the_database_and_its_wal_are_the_owners_only(store):
    wal = store.path.with_name(store.path.name + ".wal")

    assert mode(store.path) == 0o600
    assert not wal.exists() or mode(wal) == 0o600


def test_archived_uploads_and_their_folder_are_the_owners_only(store):
    archived = sorted(store.uploads_dir.iterdir())

    assert mode(store.uploads_dir) == 0o700
    assert len(archived) == 3
    assert [mode(p) for p in archived] == [0o600, 0o600, 0o600]


def test_opening_a_database_tightens_files_an_earlier_release_left_readable(tmp_path):
    folder = tmp_path / "data"
    Database(folder / "monitoring.duckdb").close()
    users = folder / "users.json"
    users.write_text('{"users": []}', encoding="utf-8")
    for path, loose in ((folder, 0o755), (folder / "monitoring.duckdb", 0o644), (users, 0o644)):
        os.chmod(path, loose)

    Database(folder / "monitoring.duckdb").close()

    assert [mode(folder), mode(folder / "monitoring.duckdb"), mode(users)] == [0o700, 0o600, 0o600]


def test_a_shared_folder_holding_a_database_is_left_as_it_is(tmp_path):
    shared = tmp_path / "shared"
    shared.mkdir()
    os.chmod(shared, 0o1777)

    Database(shared / "monitoring.duckdb").close()

    assert mode(shared) == 0o1777
    assert mode(shared / "monitoring.duckdb") == 0o600


def test_a_backup_is_the_owners_only(store, tmp_path):
    out = tmp_path / "копия.zip"

    backup.create(store, out)

    assert mode(out) == 0o600


def test_a_restored_database_and_its_uploads_are_the_owners_only(store, tmp_path):
    out = tmp_path / "копия.zip"
    backup.create(store, out)
    target = tmp_path / "restored" / "monitoring.duckdb"

    backup.restore(target, out)

    uploads = sorted((target.parent / "uploads").iterdir())
    assert mode(target) == 0o600
    assert [mode(p) for p in uploads] == [0o600, 0o600, 0o600]


def test_a_published_snapshot_and_its_pointer_are_the_owners_only(store, tmp_path):
    directory = tmp_path / "snapshots"
    directory.mkdir()

    published = publish(store, directory)

    assert (mode(published), mode(directory / POINTER)) == (0o600, 0o600)


def test_the_database_file_is_still_the_owners_only_after_a_register_is_deleted(store):
    person_bases.delete_person_bases(store, org_id(store, SCHOOL_1))

    assert mode(store.path) == 0o600


def test_the_command_line_leaves_files_for_their_owner_only(tmp_path):
    path = tmp_path / "data" / "monitoring.duckdb"
    form = tmp_path / "формы.csv"
    form.write_bytes(csv_bytes(table([org("СОШ № 1")])))
    defaults = ["--region", "Удмуртская Республика", "--municipality", "г. Глазов"]

    code = main(
        ["--db", str(path), "ingest", str(form), *defaults, "--period", "2023"], io.StringIO()
    )

    assert code == 0

    assert os.umask(0o022) == 0o077
    assert mode(path) == 0o600


# --- a deleted register leaves no name in the file -------------------------------------


def test_the_names_of_a_register_are_in_the_database_files_bytes(store):
    store.scalar("CHECKPOINT")

    assert names_in_file(store.path, SCHOOL_1_NAMES) == list(SCHOOL_1_NAMES)


def test_a_deleted_registers_names_are_gone_from_the_database_files_bytes(store):
    store.scalar("CHECKPOINT")

    person_bases.delete_person_bases(store, org_id(store, SCHOOL_1))

    assert names_in_file(store.path, SCHOOL_1_NAMES) == []
    assert names_in_file(store.path, SCHOOL_2_NAMES) == list(SCHOOL_2_NAMES)


def test_the_rewritten_database_goes_on_numbering_uploads_where_it_stopped(store):
    last = int(store.scalar("SELECT max(upload_id) FROM uploads"))
    person_bases.delete_person_bases(store, org_id(store, SCHOOL_1))

    content = csv_bytes(table([org(SCHOOL_1, teachers_total=40)]))
    result = ingest_bytes(store, "формы_2.csv", content, FormKind.ORG_FORM, DEFAULTS)

    assert result.upload_id == last + 1


# --- snapshots without names -----------------------------------------------------------


def test_a_snapshot_holds_no_name_of_the_registers(store, tmp_path):
    path = publish(store, tmp_path / "снимок.duckdb")

    assert names_in_file(path) == []


def test_a_snapshot_gives_the_same_register_figures_as_its_database(store, tmp_path):
    with open_snapshot(publish(store, tmp_path / "снимок.duckdb")) as snap:
        for method in ("person_base_summary", "mentor_loads", "cross_check"):
            expected = getattr(person_bases, method)(store)
            pd.testing.assert_frame_equal(getattr(person_bases, method)(snap), expected)


def test_a_snapshot_lists_people_by_pseudonym_with_their_mentees_matched(store, tmp_path):
    school = org_id(store, SCHOOL_1)
    with open_snapshot(publish(store, tmp_path / "снимок.duckdb")) as snap:
        mentors, mentees = person_bases.people(snap, school)

    assert mentors["full_name"].str.fullmatch(r"лицо \d+").tolist() == [True] * 4
    assert mentors["mentees"].tolist() == [1, 4, 1, 0]
    assert mentees["mentor_found"].tolist() == [True] * 6 + [False, False]


# --- encrypted backups -----------------------------------------------------------------


@pytest.fixture
def encrypted(store: Database, tmp_path: Path) -> Path:
    out = tmp_path / "копия.zip"
    backup.create(store, out, passphrase=PASSPHRASE)
    return out


def test_an_encrypted_backup_cannot_be_read_without_its_passphrase(encrypted):
    with zipfile.ZipFile(encrypted) as archive, pytest.raises(RuntimeError):
        archive.read("monitoring.duckdb")


def test_an_encrypted_backup_restores_with_its_passphrase(store, encrypted, tmp_path):
    target = tmp_path / "restored" / "monitoring.duckdb"

    info = backup.restore(target, encrypted, passphrase=PASSPHRASE).info

    with Database(target) as db:
        assert db.scalar("SELECT count(*) FROM mentors") == 11
    assert info.uploads == backup.read_manifest(encrypted, PASSPHRASE).uploads


def test_an_encrypted_backup_without_a_passphrase_is_refused_in_russian(encrypted, tmp_path):
    with pytest.raises(backup.BackupError) as refused:
        backup.restore(tmp_path / "restored" / "monitoring.duckdb", encrypted)

    assert str(refused.value) == (
        "резервная копия «копия.zip» зашифрована: укажите её пароль (--passphrase-stdin); "
        "база данных не изменена"
    )


def test_a_wrong_passphrase_is_refused_in_russian(encrypted, tmp_path):
    with pytest.raises(backup.BackupError) as refused:
        backup.restore(tmp_path / "r" / "monitoring.duckdb", encrypted, passphrase="не тот пароль")

    assert str(refused.value) == (
        "неверный пароль резервной копии «копия.zip»; база данных не изменена"
    )


def test_a_short_passphrase_is_refused_in_russian(store, tmp_path):
    with pytest.raises(backup.BackupError) as refused:
        backup.create(store, tmp_path / "копия.zip", passphrase="1234")

    assert str(refused.value) == "пароль резервной копии слишком короткий: нужно не меньше 8 знаков"


def test_the_backup_and_restore_commands_take_the_passphrase_from_stdin(
    store, tmp_path, monkeypatch
):
    out, target = tmp_path / "копия.zip", tmp_path / "restored" / "monitoring.duckdb"
    store.close()
    monkeypatch.setattr("sys.stdin", io.StringIO(PASSPHRASE + "\n"))
    made = main(["--db", str(store.path), "backup", "--out", str(out), "--passphrase-stdin"])
    monkeypatch.setattr("sys.stdin", io.StringIO(PASSPHRASE + "\n"))
    restored = main(["--db", str(target), "restore", str(out), "--passphrase-stdin"])

    assert (made, restored) == (0, 0)
    with zipfile.ZipFile(out) as archive:
        assert archive.getinfo("monitoring.duckdb").flag_bits & 0x1
