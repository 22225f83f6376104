"""Uploaded files archived under ``uploads/`` by content hash, in the upload's unit of work.

An upload's file is written under a temporary name inside the upload's transaction and
renamed to its archived name only once the transaction has committed. A process killed
before the commit leaves a temporary no upload owns; one killed between the commit and
the rename leaves a temporary its committed upload owns. The start-up sweep
(:mod:`analytics.store.sweep`) removes the first and finishes the rename of the second,
so an archived file exists exactly when an upload owns it.

The temporary's name says the kind of file (person bases are swept first) and the
archived name it becomes: ``.upload-<nonce>.<kind>.<sha256><suffix>``. The sweep runs
where the database is opened for writing, when no other process can hold it, so every
temporary is a dead process's except those this process is writing (:func:`in_progress`).
"""

from __future__ import annotations

import errno
import os
import secrets
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from analytics.model.errors import MonitoringError
from analytics.store import faults

TEMPORARY_PREFIX = ".upload-"

# The temporaries of this process's units of work still open.
_live: set[Path] = set()
_live_lock = threading.Lock()


class DiskFull(MonitoringError):
    """No space left to write an upload: nothing was written; the message is in Russian."""


def archive_path(directory: Path, sha: str, name: str) -> Path:
    """Where the file ``name`` with content hash ``sha`` is archived."""
    return directory / f"{sha}{Path(name).suffix.casefold()}"


@dataclass(frozen=True)
class Temporary:
    """An archived file's temporary, as its name tells: the kind of upload and the
    archived name it becomes."""

    kind: str
    target: str


def temporary(path: Path) -> Temporary | None:
    """The temporary ``path`` names, or None for any other file."""
    if not path.name.startswith(TEMPORARY_PREFIX):
        return None
    parts = path.name.removeprefix(TEMPORARY_PREFIX).split(".", 2)
    if len(parts) != 3:
        return None
    _, kind, target = parts
    return Temporary(kind, target)


def in_progress(path: Path) -> bool:
    """Whether ``path`` is a temporary of a unit of work this process has open."""
    with _live_lock:
        return path in _live


def disk_full(error: BaseException) -> bool:
    """Whether ``error`` says the disk (or the filesystem's quota) is full, from the
    operating system or from DuckDB (which reports it as text)."""
    if isinstance(error, OSError) and error.errno in (errno.ENOSPC, errno.EDQUOT):
        return True
    return "No space left on device" in str(error)


@dataclass
class Staging:
    """The files of one unit of work, written under temporary names in ``directory``."""

    directory: Path
    staged: list[tuple[Path, Path]] = field(default_factory=list)

    def stage(self, sha: str, name: str, kind: str, content: bytes) -> Path:
        """Write ``content`` under a temporary name; return the archived path it gets
        when the unit of work commits. A file archived already is not written again."""
        target = archive_path(self.directory, sha, name)
        if target.exists():
            return target
        self.directory.mkdir(parents=True, exist_ok=True)
        nonce = secrets.token_hex(4)
        path = self.directory / f"{TEMPORARY_PREFIX}{nonce}.{kind}.{target.name}"
        self.staged.append((path, target))
        with _live_lock:
            _live.add(path)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        try:
            view = memoryview(content)
            while view:
                view = view[os.write(fd, view) :]
            os.fsync(fd)
        finally:
            os.close(fd)
        return target

    def publish(self) -> None:
        """Rename every temporary to its archived name (the unit of work committed)."""
        try:
            for path, target in self.staged:
                os.replace(path, target)
        finally:
            self._forget()

    def discard(self) -> None:
        """Remove every temporary (the unit of work failed)."""
        try:
            for path, _ in self.staged:
                path.unlink(missing_ok=True)
        finally:
            self._forget()

    def _forget(self) -> None:
        with _live_lock:
            _live.difference_update(path for path, _ in self.staged)


@contextmanager
def staging(directory: Path) -> Iterator[Staging]:
    """Files archived with a unit of work: enclose its transaction, so that they are
    renamed into the archive after it commits and removed if it fails."""
    files = Staging(directory)
    try:
        yield files
    except BaseException:
        files.discard()
        raise
    faults.point("upload.committed")
    files.publish()
