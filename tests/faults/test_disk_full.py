"""A disk that fills up during an ingest: a Russian message naming the file, the database
as it was, and no copy of the file left in the uploads folder, however often it is tried.

The disk is filled at the file layer (every write to the uploads folder fails with
ENOSPC half-way), and, where this account may mount one, for real on a small tmpfs.
"""

from __future__ import annotations

import errno
import os
import subprocess
import uuid
from pathlib import Path

import pytest

from analytics.ingest.load import ingest_bytes, rollback
from analytics.ingest.parse import Defaults
from analytics.store.archive import DiskFull
from analytics.store.db import Database
from tests.commandline import run
from tests.filemakers import csv_bytes, org, state, table

DEFAULTS = Defaults(
    region="Удмуртская Республика", municipality="г. Глазов", org_type="school", period="2023"
)
MESSAGE = (
    "Данные не загружены: на диске нет места, чтобы сохранить файл «{}». База данных не "
    "изменена, копия файла не сохранена; освободите место на диске и загрузите файл снова"
)


def forms(rows: int) -> bytes:
    return csv_bytes(table([org(f"СОШ № {i}", teachers_total=40 + i % 9) for i in range(rows)]))


@pytest.fixture
def full_uploads(fresh_db: Database, monkeypatch: pytest.MonkeyPatch) -> Database:
    """``fresh_db`` with one upload, then a disk with no room for another file in its
    uploads folder: a write there stores half its bytes and fails with ENOSPC."""
    ingest_bytes(fresh_db, "первая.csv", forms(3), defaults=DEFAULTS)
    write = os.write
    folder = str(fresh_db.uploads_dir)

    def short_write(fd: int, data: bytes) -> int:
        if os.readlink(f"/proc/self/fd/{fd}").startswith(folder):
            if len(data) > 1:
                return write(fd, bytes(data)[: len(data) // 2])
            raise OSError(errno.ENOSPC, "No space left on device")
        return write(fd, data)

    monkeypatch.setattr(os, "write", short_write)
    return fresh_db


def test_an_ingest_on_a_full_disk_says_so_in_russian_naming_the_file(full_uploads: Database):
    with pytest.raises(DiskFull) as refused:
        ingest_bytes(full_uploads, "вторая.csv", forms(20), defaults=DEFAULTS)

    assert str(refused.value) == MESSAGE.format("вторая.csv")


def test_an_ingest_on_a_full_disk_changes_nothing_and_leaves_no_copy_however_often_tried(
    full_uploads: Database,
):
    before = state(full_uploads)

    for _ in range(3):
        with pytest.raises(DiskFull):
            ingest_bytes(full_uploads, "вторая.csv", forms(20), defaults=DEFAULTS)

    assert state(full_uploads) == before
    assert len(before["archived"]) == 1


def test_the_command_line_on_a_full_disk_prints_the_russian_message(
    full_uploads: Database, tmp_path: Path, capsys: pytest.CaptureFixture[str]
):
    file = tmp_path / "вторая.csv"
    file.write_bytes(forms(20))
    args = ["--region", "Удмуртская Республика", "--municipality", "г. Глазов"]
    args += ["--org-type", "school", "--period", "2023"]

    code, out, err = run(capsys, "--db", str(full_uploads.path), "ingest", str(file), *args)

    assert (code, out) == (1, "")
    assert err == f"Ошибка: {MESSAGE.format('вторая.csv')}\n"


@pytest.fixture
def small_disk(tmp_path: Path):
    """A 24 MB tmpfs mounted for the test, or a skip where this account may not mount."""
    mount = tmp_path / "disk"
    mount.mkdir()
    done = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=24m", f"faults-{uuid.uuid4().hex[:8]}", str(mount)],
        capture_output=True,
    )
    if done.returncode != 0:
        pytest.skip("a tmpfs cannot be mounted by this account")
    try:
        yield mount
    finally:
        subprocess.run(["umount", "-l", str(mount)], check=True)


def fill(folder: Path) -> None:
    """Fill the filesystem of ``folder`` up to its last 64 kB."""
    stat = os.statvfs(folder)
    free = stat.f_bavail * stat.f_frsize
    (folder / "filler").write_bytes(b"\0" * max(free - 64 * 1024, 0))


def test_an_ingest_on_a_really_full_small_disk_changes_nothing_and_leaves_nothing(
    small_disk: Path,
):
    path = small_disk / "data" / "monitoring.duckdb"
    with Database(path) as db:
        ingest_bytes(db, "первая.csv", forms(3), defaults=DEFAULTS)
        db.scalar("CHECKPOINT")
        before = state(db)
        fill(small_disk)
        refusals = []
        for _ in range(2):
            with pytest.raises(DiskFull) as refused:
                ingest_bytes(db, "большая.csv", forms(600), defaults=DEFAULTS)
            refusals.append(str(refused.value))
    (small_disk / "filler").unlink()

    with Database(path) as db:
        assert state(db) == before
    assert refusals == [MESSAGE.format("большая.csv")] * 2


def test_a_database_that_finds_the_disk_full_mid_transaction_changes_nothing(small_disk: Path):
    path = small_disk / "data" / "monitoring.duckdb"
    big = forms(400)
    with Database(path) as db:
        ingest_bytes(db, "первая.csv", forms(3), defaults=DEFAULTS)
        # Archived by an upload since rolled back: only the database has to be written.
        rollback(db, ingest_bytes(db, "большая.csv", big, defaults=DEFAULTS).upload_id)
        db.scalar("CHECKPOINT")
        before = state(db)
        fill(small_disk)
        with pytest.raises(DiskFull) as refused:
            ingest_bytes(db, "большая.csv", big, defaults=DEFAULTS)
    (small_disk / "filler").unlink()

    with Database(path) as db:
        assert state(db) == before
    assert str(refused.value) == MESSAGE.format("большая.csv")
