"""Opening the database the way a command or a page run needs it, and saying in Russian
why the file system refused.

A reader opens the file for reading only: it then works on a read-only file system, in a
folder it may not write, and on a published snapshot, and it never takes the writer's
lock. A writer opens it for writing. Both wait while another process holds the file (the
dashboard during a page run, another command), for as long as they are told to.
"""

from __future__ import annotations

import errno
import time
from collections.abc import Callable
from contextlib import suppress
from pathlib import Path
from typing import TypeVar

import duckdb

from analytics.model.errors import MonitoringError
from analytics.store.db import Database, DatabaseBusy, DatabaseReadOnly

T = TypeVar("T")

# How often a waiting opener tries the file again.
RETRY_SECONDS = 0.2

# What the operating system said, as errno and as the words DuckDB passes on from it.
_CAUSES: tuple[tuple[frozenset[int], str, str], ...] = (
    (frozenset({errno.EROFS}), "read-only file system", "файловая система только для чтения"),
    (
        frozenset({errno.EACCES, errno.EPERM}),
        "permission denied",
        "нет прав доступа к файлу или папке",
    ),
    (frozenset({errno.ENOSPC}), "no space left on device", "на диске нет места"),
    (
        frozenset({errno.ENOENT, errno.ENOTDIR}),
        "no such file or directory",
        "файл или папка не найдены",
    ),
)


class StoreUnavailable(MonitoringError):
    """The file system refused the database or a file beside it (read-only, permission
    denied, disk full); the message is in Russian and says what was not changed."""


def cause(error: BaseException) -> str | None:
    """The refusal of the file system behind ``error`` in Russian words, or None when it
    is not one (a bug, a broken file: those are not dressed up)."""
    if isinstance(error, OSError):
        for numbers, _, words in _CAUSES:
            if error.errno in numbers:
                return words
        return None
    if isinstance(error, duckdb.Error):
        text = str(error).lower()
        for _, english, words in _CAUSES:
            if english in text:
                return words
    return None


def open_database(
    path: str | Path,
    *,
    write: bool,
    wait: float = 0.0,
    on_wait: Callable[[], None] | None = None,
) -> Database:
    """The database at ``path``, for writing or for reading only, retried for up to
    ``wait`` seconds while another process holds it (see :func:`waiting`); a file system
    that refuses the file is :class:`StoreUnavailable`. Either way nothing was changed."""
    path = Path(path)
    return waiting(lambda: _open(path, write), wait, on_wait, path)


def waiting(
    action: Callable[[], T],
    wait: float,
    on_wait: Callable[[], None] | None = None,
    path: str | Path | None = None,
) -> T:
    """``action()``, run again every :data:`RETRY_SECONDS` for up to ``wait`` seconds while
    it finds the database held by another process (:class:`DatabaseBusy`); ``on_wait`` is
    called once, when the waiting starts. Then the last :class:`DatabaseBusy`, saying how
    long it waited and that nothing was changed. While it waits, the database at ``path``
    is marked wanted (:func:`is_wanted`), so a dashboard holding it lets it go."""
    deadline = time.monotonic() + wait
    told = False
    marked = False
    try:
        while True:
            try:
                return action()
            except DatabaseBusy as busy:
                if time.monotonic() >= deadline:
                    waited = f" (ждали {seconds(wait)})" if wait > 0 else ""
                    raise DatabaseBusy(f"{busy}{waited}; данные не изменены") from None
                if not told and on_wait is not None:
                    on_wait()
                told = True
                if path is not None:
                    marked = _mark_wanted(Path(path), deadline - time.monotonic()) or marked
                time.sleep(RETRY_SECONDS)
    finally:
        if marked:
            with suppress(OSError):
                wanted_marker(Path(path)).unlink()


def wanted_marker(path: Path) -> Path:
    """The file beside the database by which a process waiting for it asks the dashboard
    holding it to let it go (see :mod:`ui.state`); it holds the waiter's deadline."""
    return path.with_name(f".{path.name}.wanted")


def is_wanted(path: str | Path) -> bool:
    """Whether a process is waiting for the database at ``path`` (the mark of a waiter
    killed while waiting counts until its deadline, then not)."""
    try:
        deadline = float(wanted_marker(Path(path)).read_text())
    except (OSError, ValueError):
        return False
    return time.time() < deadline


def _mark_wanted(path: Path, left: float) -> bool:
    """Mark the database wanted for ``left`` more seconds; False where its folder cannot
    be written (a reader on a read-only file system then waits without asking)."""
    try:
        wanted_marker(path).write_text(f"{time.time() + max(left, 0.0) + RETRY_SECONDS:.3f}")
    except OSError:
        return False
    return True


def _open(path: Path, write: bool) -> Database:
    try:
        if not write and not _missing(path):
            try:
                return Database(path, read_only=True)
            except DatabaseReadOnly:
                # Made by an older release or derived with other definitions: only an
                # opening for writing brings it up to date (a snapshot is refused again).
                pass
        return Database(path)
    except (OSError, duckdb.Error) as error:
        words = cause(error)
        if words is None:
            raise
        purpose = "записи" if write else "чтения"
        raise StoreUnavailable(
            f"не удалось открыть базу данных {path} для {purpose}: {words}; данные не изменены"
        ) from None


def _missing(path: Path) -> bool:
    """Whether there is no file at ``path``; a folder that may not be entered hides
    nothing (the opening then says so), unlike :meth:`Path.exists`."""
    try:
        path.stat()
    except FileNotFoundError:
        return True
    except OSError:
        return False
    return False


def seconds(value: float) -> str:
    """``2.5`` → ``2,5 с``."""
    return f"{value:g} с".replace(".", ",")
