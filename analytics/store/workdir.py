"""The working folders of backup and restore (``.backup-*``, ``.restore-*``) and the
start-up sweep that removes those no process owns.

A backup copies the whole database and the archived uploads into its working folder, a
restore unpacks a whole backup there: both hold people's names. A process killed
mid-way (``kill -9``, a power cut) cannot remove its folder, so the next process to open
the database does (:func:`sweep`, called where the database is opened for writing).

A folder is owned while its process lives: the process holds an exclusive ``flock`` on
the folder's lock file, which the kernel releases when the process dies however it dies,
so a folder is never taken from a live backup (a PID could be reused). A backup works
next to its destination, which may be anywhere; its marker folder next to the database
records where, so the sweep removes that folder too.

This module is a leaf (it imports nothing of the engine), so that the database's opening
can call it.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import re
import shutil
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

PREFIXES = (".backup-", ".restore-")
# The names tempfile.mkdtemp gives: nothing else (a folder a person named so) is swept.
_NAME = re.compile(r"\.(backup|restore)-[a-z0-9_]{8}")
_LOCK = "owner.lock"
# In a marker folder: the path of the working folder it owns elsewhere.
_ELSEWHERE = "elsewhere"
# A folder without its lock file is young (its process is about to lock it) or was
# abandoned in that instant; it is removed only once older than this.
_UNLOCKED_GRACE_SECONDS = 60.0


@contextlib.contextmanager
def owned(home: Path, prefix: str, place: Path | None = None) -> Iterator[Path]:
    """A new working folder owned by this process for the block, removed with everything
    it holds at its end. It is made in ``home`` (the database's folder, which the sweep
    looks in), or — a backup's, so that the copy is written where the backup goes and a
    database on a full disk can still be backed up elsewhere — in ``place``, with a
    marker folder of the same name in ``home`` that owns it."""
    assert prefix in PREFIXES
    try:
        marker = Path(tempfile.mkdtemp(dir=home.resolve(), prefix=prefix))
    except OSError:
        if place is None:
            raise
        # The database's folder cannot be written (a read-only filesystem): work where
        # the backup goes, owned there; only a sweep of that folder would find it.
        place, marker = None, Path(tempfile.mkdtemp(dir=place, prefix=prefix))
    try:
        lock = os.open(marker / _LOCK, os.O_WRONLY | os.O_CREAT, 0o600)
    except BaseException:
        shutil.rmtree(marker, ignore_errors=True)
        raise
    try:
        fcntl.flock(lock, fcntl.LOCK_EX)
        work = marker
        if place is not None and place.resolve() != home.resolve():
            # Absolute: the sweep may run in a process with another working directory.
            work = place.resolve() / marker.name
            # Recorded before it exists, so that a kill at any moment leaves it findable.
            (marker / _ELSEWHERE).write_text(str(work), encoding="utf-8")
            work.mkdir(mode=0o700)
        yield work
    finally:
        _remove(marker)
        os.close(lock)


def _remove(marker: Path) -> None:
    """Remove a working folder and the one it names elsewhere."""
    with contextlib.suppress(OSError, ValueError):
        elsewhere = Path((marker / _ELSEWHERE).read_text(encoding="utf-8"))
        if elsewhere.name == marker.name:
            shutil.rmtree(elsewhere, ignore_errors=True)
    shutil.rmtree(marker, ignore_errors=True)


def sweep(folder: Path) -> list[Path]:
    """Remove the working folders in ``folder`` that no live process owns (and the
    temporaries they name elsewhere); returns what was removed. A folder this process
    cannot lock is another's, left alone."""
    removed = []
    try:
        candidates = [p for p in folder.iterdir() if _NAME.fullmatch(p.name) and p.is_dir()]
    except OSError:
        return removed
    for work in candidates:
        try:
            lock = os.open(work / _LOCK, os.O_RDONLY)
        except FileNotFoundError:
            # Killed between creating the folder and its lock file, or just created.
            if _age(work) > _UNLOCKED_GRACE_SECONDS and not any(work.iterdir()):
                _remove(work)
                removed.append(work)
            continue
        except OSError:
            continue
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(lock)
            continue  # a live backup or restore
        try:
            _remove(work)
            removed.append(work)
        finally:
            os.close(lock)
    return removed


def _age(path: Path) -> float:
    try:
        return time.time() - path.stat().st_mtime
    except OSError:
        return 0.0
