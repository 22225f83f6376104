"""Published read-only snapshots of the database, for dashboard replicas.

DuckDB lets one process write a file, or any number of processes read it, not both. The
writer (uploads, targets) keeps the working database; after a change it publishes a
snapshot: a consistent copy made inside one transaction, marked as a snapshot, written
under a temporary name and renamed into place, so a reader never sees half a file. Any
number of dashboard processes then open the snapshot with ``read_only=True``; a snapshot
opened any other way is still read-only (:class:`analytics.db.Database` checks the
mark), and every write is refused with a Russian message.

Published into a directory, snapshots are named by data version
(``monitoring-v<version>.duckdb``) and ``CURRENT`` names the latest; ``MONITORING_SNAPSHOT``
(a snapshot file, or such a directory) tells a dashboard to read it (:func:`snapshot_path`).
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from .db import Database

ENV = "MONITORING_SNAPSHOT"
POINTER = "CURRENT"
# The meta key marking a snapshot; its value is the data version it was taken at.
MARK = "snapshot"


def _literal(path: Path) -> str:
    """A file path as an SQL string literal (ATTACH takes no parameters)."""
    return "'" + str(path).replace("'", "''") + "'"


def publish(db: Database, out: str | Path) -> Path:
    """Write a consistent read-only copy of ``db`` to ``out`` and return its path.

    ``out`` is a file, or an existing directory: then the copy is
    ``monitoring-v<data version>.duckdb`` in it and ``CURRENT`` is updated to name it.
    The copy appears atomically (renamed from a temporary file in the same directory).
    """
    out = Path(out)
    directory = out if out.is_dir() else out.parent
    directory.mkdir(parents=True, exist_ok=True)
    fd, name = tempfile.mkstemp(dir=directory, prefix=".incoming-", suffix=".duckdb")
    os.close(fd)
    incoming = Path(name)
    incoming.unlink()  # DuckDB creates the file itself
    cur = db.cursor()
    try:
        source = cur.execute("SELECT current_database()").fetchall()[0][0]
        cur.execute(f"ATTACH {_literal(incoming)} AS published")
        try:
            cur.execute("BEGIN TRANSACTION")
            version = int(
                cur.execute("SELECT value FROM meta WHERE key = 'data_version'").fetchall()[0][0]
            )
            cur.execute(f'COPY FROM DATABASE "{source}" TO published')
            cur.execute("INSERT OR REPLACE INTO published.meta VALUES (?, ?)", [MARK, version])
            cur.execute("COMMIT")
        except BaseException:
            cur.execute("ROLLBACK")
            raise
        finally:
            cur.execute("DETACH published")
    except BaseException:
        incoming.unlink(missing_ok=True)
        raise
    finally:
        cur.close()
    if out.is_dir():
        target = out / f"monitoring-v{version}.duckdb"
        os.replace(incoming, target)
        _write_pointer(out, target.name)
    else:
        target = out
        os.replace(incoming, target)
    return target


def _write_pointer(directory: Path, name: str) -> None:
    fd, tmp = tempfile.mkstemp(dir=directory, prefix=".incoming-")
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(name + "\n")
    os.chmod(tmp, 0o644)  # replicas may run as another user
    os.replace(tmp, directory / POINTER)


def snapshot_path(value: str | None = None) -> Path | None:
    """The snapshot a dashboard should read: ``value`` (default: ``MONITORING_SNAPSHOT``)
    is a snapshot file, or a directory whose ``CURRENT`` names one; None when unset."""
    value = value if value is not None else os.environ.get(ENV)
    if not value:
        return None
    path = Path(value)
    if path.is_dir():
        return path / (path / POINTER).read_text(encoding="utf-8").strip()
    return path


def open_snapshot(path: str | Path) -> Database:
    """A snapshot opened for reading (any number of processes may do so at once)."""
    return Database(path, read_only=True)
