"""A backup or restore killed (``kill -9``) at its most dangerous moment — a whole copy
of the database and the uploads in its working folder — leaves nothing behind once the
database is next opened; a live one's folder is never taken from it."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from analytics.store import backup
from analytics.store.db import Database, DatabaseBusy
from tests.conftest import ROOT
from tests.store.test_backup import contents, upload

# Runs a backup or a restore and stops, saying «ready», just before it renames the file
# named by the third argument: the moment a kill leaves the most behind.
CHILD = """
import os, sys, time
from pathlib import Path
from analytics.store import backup
from analytics.store.db import Database, DatabaseBusy

action, path, pause, other = sys.argv[1:5]
real = os.replace

def paused(source, target, *args, **kwargs):
    if Path(source).name == pause or (pause == "*upload" and Path(source).parent.name == "uploads"):
        print("ready", flush=True)
        time.sleep(120)
    return real(source, target, *args, **kwargs)

os.replace = paused
if action == "backup":
    with Database(Path(path)) as db:
        backup.create(db, Path(other))
else:
    backup.restore(Path(path), Path(other), confirmed=True)
"""


def paused(action: str, path: Path, pause: str, other: Path) -> subprocess.Popen:
    """Start the child; returns once it is paused at the dangerous moment."""
    child = subprocess.Popen(
        [sys.executable, "-c", CHILD, action, str(path), pause, str(other)],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert child.stdout.readline().strip() == "ready"
    return child


def killed(child: subprocess.Popen) -> None:
    child.kill()  # SIGKILL: no cleanup of its own runs
    child.wait()


def temporaries(*folders: Path) -> list[Path]:
    return sorted(
        p
        for folder in folders
        for p in folder.iterdir()
        if p.name.startswith((".backup-", ".restore-"))
    )


def test_a_backup_killed_before_its_last_rename_leaves_nothing_after_the_next_start(live, tmp_path):
    out = tmp_path / "копии" / "копия.zip"
    with Database(live) as db:
        before = contents(db)
    child = paused("backup", live, "backup.zip", out)
    left = temporaries(live.parent, out.parent)
    # The marker next to the database, the work next to the backup: a whole copy.
    assert [p.parent for p in left] == [live.parent, out.parent]
    assert (left[1] / "monitoring.duckdb").stat().st_size > 0
    killed(child)
    with Database(live) as db:
        assert contents(db) == before
    assert temporaries(live.parent, out.parent) == []
    assert not out.exists()


def test_a_restore_killed_before_it_replaces_the_database_leaves_the_old_one_and_nothing_else(
    live, tmp_path
):
    copy = tmp_path / "копия.zip"
    with Database(live) as db:
        backup.create(db, copy)
        upload(db, ["СОШ № 3"], file="после копии.csv")
        before = contents(db)
    child = paused("restore", live, "monitoring.duckdb", copy)
    (work,) = temporaries(live.parent)
    assert (work / "monitoring.duckdb").is_file()
    killed(child)
    with Database(live) as db:
        # The safety backup, already made, is audited in it: one more write.
        assert contents(db) == {**before, "data_version": before["data_version"] + 1}
    assert temporaries(live.parent, live.parent / "backups") == []


def test_a_restore_killed_after_it_replaced_the_database_leaves_the_restored_one_and_nothing_else(
    live, tmp_path
):
    copy = tmp_path / "копия.zip"
    with Database(live) as db:
        expected = contents(db)
        backup.create(db, copy)
        for archived in db.uploads_dir.iterdir():
            archived.unlink()
        upload(db, ["СОШ № 3"], file="после копии.csv")
    child = paused("restore", live, "*upload", copy)
    killed(child)
    with Database(live) as db:
        restored = contents(db)
    assert restored == {**expected, "data_version": expected["data_version"] + 1}
    assert temporaries(live.parent, live.parent / "backups") == []


def test_the_next_start_leaves_a_live_restores_working_folder_alone(live, tmp_path):
    copy = tmp_path / "копия.zip"
    with Database(live) as db:
        backup.create(db, copy)
    child = paused("restore", live, "monitoring.duckdb", copy)
    try:
        working = temporaries(live.parent)
        Database(live).close()  # another process starting while the restore runs
        assert temporaries(live.parent) == working
    finally:
        killed(child)
    Database(live).close()
    assert temporaries(live.parent) == []


def test_the_sweep_leaves_a_folder_a_person_named_like_a_working_folder(live):
    mine = live.parent / ".backup-старые копии"
    mine.mkdir()
    (mine / "копия.zip").write_bytes(b"PK")
    Database(live).close()
    assert (mine / "копия.zip").read_bytes() == b"PK"


def test_no_other_process_can_open_the_database_while_a_restore_saves_it(live, tmp_path):
    copy = tmp_path / "копия.zip"
    with Database(live) as db:
        backup.create(db, copy)
    # Paused as the safety backup of the current database is about to be renamed.
    child = paused("restore", live, "backup.zip", copy)
    try:
        with pytest.raises(DatabaseBusy):
            Database(live)
    finally:
        killed(child)
    Database(live).close()
    assert temporaries(live.parent, live.parent / "backups") == []
