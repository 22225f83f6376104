"""Published read-only snapshots of the database, for dashboard replicas.

DuckDB lets one process write a file, or any number of processes read it, not both. The
writer (uploads, targets) keeps the working database; after a change it publishes a
snapshot: a consistent copy made inside one transaction, marked as a snapshot, written
under a temporary name and renamed into place, so a reader never sees half a file. Any
number of dashboard processes then open the snapshot with ``read_only=True``; a snapshot
opened any other way is still read-only (:class:`analytics.store.db.Database` checks the
mark), and every write is refused with a Russian message.

Published into a directory, snapshots are named by data version
(``monitoring-v<version>.duckdb``) and ``CURRENT`` names the latest; ``MONITORING_SNAPSHOT``
(a snapshot file, or such a directory) tells a dashboard to read it (:func:`snapshot_path`).
"""

from __future__ import annotations

import logging
import os
import re
import tempfile
import threading
import time
from collections.abc import Callable
from contextlib import AbstractContextManager
from pathlib import Path

import duckdb

from analytics.model.contract import PERSON_TABLES
from analytics.store import private
from analytics.store.db import Database

ENV = "MONITORING_SNAPSHOT"
# Set on the writer of a deployment with replicas: the directory it keeps published.
PUBLISH_ENV = "MONITORING_SNAPSHOTS_DIR"
# Snapshots kept besides the current one: a replica may still read the one before.
KEEP_PREVIOUS = 2
POINTER = "CURRENT"
# The meta key marking a snapshot; its value is the data version it was taken at.
MARK = "snapshot"


def _literal(path: Path) -> str:
    """A file path as an SQL string literal (ATTACH takes no parameters)."""
    return "'" + str(path).replace("'", "''") + "'"


# A publication's temporary copy, before it is renamed into place.
_INCOMING = ".incoming-"
# The temporaries of this process's publications under way.
_publishing: set[Path] = set()
_publishing_lock = threading.Lock()


def _remove_stale(directory: Path) -> None:
    """Remove the temporaries (and their write-ahead logs) of publications into
    ``directory`` that a killed process left. Only the writer, which holds the working
    database, publishes, so any temporary but this process's own is a dead one's."""
    with _publishing_lock:
        for path in directory.glob(f"{_INCOMING}*.duckdb*"):
            if path.with_name(path.name.removesuffix(".wal")) not in _publishing:
                path.unlink(missing_ok=True)


def publish(db: Database, out: str | Path) -> Path:
    """Write a consistent read-only copy of ``db`` to ``out`` and return its path.

    ``out`` is a file, or an existing directory: then the copy is
    ``monitoring-v<data version>.duckdb`` in it and ``CURRENT`` is updated to name it.
    The copy appears atomically (renamed from a temporary file in the same directory)
    and is readable by its owner only. A replica needs no names: in the copy every
    person of the registers is a pseudonym (:func:`_copy_without_names`). What a
    publication killed before its rename left in the directory is removed first.
    """
    out = Path(out)
    directory = out if out.is_dir() else out.parent
    directory.mkdir(parents=True, exist_ok=True)
    _remove_stale(directory)
    fd, name = tempfile.mkstemp(dir=directory, prefix=_INCOMING, suffix=".duckdb")
    os.close(fd)
    incoming = Path(name)
    incoming.unlink()  # DuckDB creates the file itself
    with _publishing_lock:
        _publishing.add(incoming)
    try:
        return _publish(db, out, incoming)
    finally:
        with _publishing_lock:
            _publishing.discard(incoming)


def _publish(db: Database, out: Path, incoming: Path) -> Path:
    cur = db.cursor()
    try:
        source = cur.execute("SELECT current_database()").fetchall()[0][0]
        # READ_WRITE: the database may be open for reading only (the command line's
        # ``snapshot`` opens it so), and an attached file then defaults to that too.
        cur.execute(f"ATTACH {_literal(incoming)} AS published (READ_WRITE)")
        try:
            cur.execute("BEGIN TRANSACTION")
            version = int(
                cur.execute("SELECT value FROM meta WHERE key = 'data_version'").fetchall()[0][0]
            )
            _copy_without_names(cur, source)
            cur.execute("INSERT OR REPLACE INTO published.meta VALUES (?, ?)", [MARK, version])
            cur.execute("COMMIT")
        except BaseException:
            cur.execute("ROLLBACK")
            raise
        finally:
            cur.execute("DETACH published")
        private.make_private(incoming)
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


# The person registers, their history and their rows a round's coordinator returned;
# their names become pseudonyms in a snapshot.
_PERSON_TABLES = frozenset(
    t for table in PERSON_TABLES.values() for t in (table, f"{table}_history", f"{table}_withheld")
)
_REGISTER_KINDS = tuple(str(kind) for kind in PERSON_TABLES)


def _copy_without_names(cur: duckdb.DuckDBPyConnection, source: str) -> None:
    """Copy the schema and every row of ``source`` into the attached ``published``,
    except people's names: in the registers a name (and the key mentees find their
    mentor by) becomes «лицо N», the same N for the same name, so every count, load and
    match a page shows stays as it was; the warnings of register uploads, which may
    quote a name, are left out. Inserted rather than copied and then changed, so no name
    is ever written into the copy's file."""
    src = _identifier(source)
    cur.execute(f"COPY FROM DATABASE {src} TO published (SCHEMA)")
    tables = [
        t
        for (t,) in cur.execute(
            "SELECT table_name FROM duckdb_tables() WHERE database_name = ? "
            "AND schema_name = 'main' ORDER BY table_name",
            [source],
        ).fetchall()
    ]
    keys = " UNION ".join(
        f"SELECT {column} AS key FROM {src}.main.{table}"
        for table in sorted(_PERSON_TABLES)
        for column in ("name_key", *(("mentor_key",) if table.startswith("mentees") else ()))
    )
    aliases = (
        f"WITH aliases AS (SELECT key, 'лицо ' || dense_rank() OVER (ORDER BY key) AS alias "
        f"FROM ({keys}) WHERE key IS NOT NULL)"
    )
    for table in tables:
        target = f"published.main.{_identifier(table)}"
        origin = f"{src}.main.{_identifier(table)}"
        if table in _PERSON_TABLES:
            mentees = table.startswith("mentees")
            replaced = "a.alias AS name_key, a.alias AS full_name" + (
                ", m.alias AS mentor_key, m.alias AS mentor_name" if mentees else ""
            )
            joins = "JOIN aliases a ON a.key = t.name_key" + (
                " LEFT JOIN aliases m ON m.key = t.mentor_key" if mentees else ""
            )
            cur.execute(
                f"INSERT INTO {target} {aliases} SELECT t.* REPLACE ({replaced}) "
                f"FROM {origin} t {joins}"
            )
        elif table == "uploads":
            cur.execute(
                f"INSERT INTO {target} SELECT t.* REPLACE (CASE WHEN kind IN "
                f"(SELECT unnest(?)) THEN '[]' ELSE warnings END AS warnings) FROM {origin} t",
                [list(_REGISTER_KINDS)],
            )
        else:
            cur.execute(f"INSERT INTO {target} SELECT * FROM {origin}")


def _identifier(text: str) -> str:
    return '"' + text.replace('"', '""') + '"'


def _write_pointer(directory: Path, name: str) -> None:
    fd, tmp = tempfile.mkstemp(dir=directory, prefix=".incoming-")
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(name + "\n")
    # Replicas run as the same service account: the snapshots are readable by it only.
    os.chmod(tmp, private.FILE_MODE)
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


def publish_if_changed(db: Database, directory: Path) -> Path | None:
    """Publish ``db`` into ``directory`` unless its ``CURRENT`` snapshot already has the
    database's data version; then delete all but the newest :data:`KEEP_PREVIOUS` older
    snapshots. Returns the new snapshot, or None when nothing changed."""
    version = db.data_version()
    pointer = directory / POINTER
    if pointer.exists() and pointer.read_text(encoding="utf-8").strip() == (
        f"monitoring-v{version}.duckdb"
    ):
        return None
    published = publish(db, directory)
    _prune(directory, published.name)
    return published


def _prune(directory: Path, current: str) -> None:
    numbered = re.compile(r"monitoring-v(\d+)\.duckdb")
    older = sorted(
        (int(m.group(1)), path)
        for path in directory.iterdir()
        if (m := numbered.fullmatch(path.name)) and path.name != current
    )
    for _, path in older[: max(0, len(older) - KEEP_PREVIOUS)]:
        path.unlink(missing_ok=True)
        Path(f"{path}.wal").unlink(missing_ok=True)


def keep_published(
    borrow: Callable[[], AbstractContextManager[Database | None]],
    directory: str | Path,
    interval: float = 10.0,
) -> None:
    """Start a daemon thread that publishes the database into ``directory`` now and then
    every ``interval`` seconds after its data changed (uploads, rollbacks, targets), so that
    replicas reading ``directory`` follow the writer within seconds. Each publication
    borrows the database for its own duration (``with borrow() as db``; None skips the
    tick), so the writer need not hold it in between. A failed publication is logged and
    retried at the next tick; it never stops the writer."""
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    log = logging.getLogger(__name__)

    def run() -> None:
        while True:
            try:
                with borrow() as db:
                    published = None if db is None else publish_if_changed(db, directory)
                if published is not None:
                    log.info("snapshot published: %s", published)
            except Exception:  # the writer goes on; the next tick tries again
                log.exception("publishing a snapshot into %s failed", directory)
            time.sleep(interval)

    threading.Thread(target=run, name="snapshot-publisher", daemon=True).start()
