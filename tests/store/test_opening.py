"""Opening the database as commands and page runs do: a waiting opener marks the database
wanted (so a dashboard holding it lets it go) and clears the mark; the file system's
refusals in Russian words."""

from __future__ import annotations

import errno
import threading
import time
from pathlib import Path

import duckdb

from analytics.store.db import Database
from analytics.store.opening import cause, is_wanted, open_database, wanted_marker
from tests.processes import hold


def test_an_opener_waiting_for_a_held_database_marks_it_wanted_then_clears_the_mark(tmp_path):
    path = tmp_path / "m.duckdb"
    Database(path).close()
    holder = hold(path, 2)
    seen = []

    def watch() -> None:
        for _ in range(30):
            seen.append(is_wanted(path))
            time.sleep(0.05)

    watching = threading.Thread(target=watch)
    watching.start()
    try:
        opened = open_database(path, write=True, wait=20)
        opened.close()
    finally:
        holder.wait()
        watching.join()

    assert True in seen
    assert (is_wanted(path), wanted_marker(path).exists()) == (False, False)


def test_a_mark_past_its_deadline_wants_nothing(tmp_path):
    path = tmp_path / "m.duckdb"
    wanted_marker(path).write_text(f"{time.time() - 1:.3f}")

    assert not is_wanted(path)


def test_a_mark_before_its_deadline_wants_the_database(tmp_path):
    path = tmp_path / "m.duckdb"
    wanted_marker(path).write_text(f"{time.time() + 60:.3f}")

    assert is_wanted(path)


def test_the_file_systems_refusals_are_named_in_russian():
    assert [
        cause(OSError(errno.EROFS, "Read-only file system")),
        cause(PermissionError(errno.EACCES, "Permission denied")),
        cause(OSError(errno.ENOSPC, "No space left on device")),
        cause(duckdb.IOException('Cannot open file "x": Read-only file system')),
        cause(OSError(errno.ENOENT, "No such file")),
        cause(OSError(errno.EIO, "Input/output error")),
        cause(ValueError("bug")),
    ] == [
        "файловая система только для чтения",
        "нет прав доступа к файлу или папке",
        "на диске нет места",
        "файловая система только для чтения",
        "файл или папка не найдены",
        None,
        None,
    ]


def test_a_reader_opens_the_database_for_reading_only(tmp_path: Path):
    path = tmp_path / "m.duckdb"
    Database(path).close()

    with open_database(path, write=False) as db:
        assert db.read_only
