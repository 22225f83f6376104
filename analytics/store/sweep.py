"""The start-up sweep: what a killed process left beside the database, removed.

A unit of work writes its files under temporary names and renames them once its
transaction commits (see :mod:`analytics.store.archive`); a process killed in between
leaves them behind, and for person bases they hold people's names. Where the database is
opened for writing (:class:`analytics.store.db.Database`), no other process holds it, so
nothing else is writing them: each sweeper in :data:`SWEEPERS` then clears what is its
own. A sweeper is a name and a function of a cursor on the database and the database's
path, returning the files it removed (or finished); add one for each new kind of
temporary.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import duckdb

from analytics.model.contract import PERSON_TABLES
from analytics.store import archive, workdir

log = logging.getLogger(__name__)

# The folder of archived uploads beside a database file.
UPLOADS = "uploads"


@dataclass(frozen=True)
class Sweeper:
    name: str
    sweep: Callable[[duckdb.DuckDBPyConnection, Path], list[Path]]


def _uploads(cur: duckdb.DuckDBPyConnection, db_path: Path) -> list[Path]:
    """Archived files and temporaries no upload owns, person bases first; a temporary
    whose upload committed is renamed to its archived name instead.

    An upload owns the archived file of its content until its person bases are deleted
    (``purged_at``). A folder holding other database files besides this one may hold
    their uploads too, and is left alone."""
    folder = db_path.parent / UPLOADS
    if not folder.is_dir() or _shares_folder(db_path):
        return []
    owned: dict[str, str] = {}
    purged: dict[str, str] = {}
    for sha, name, kind, purged_at in cur.execute(
        "SELECT sha256, file_name, kind, purged_at FROM uploads"
    ).fetchall():
        target = archive.archive_path(folder, sha, name).name
        (purged if purged_at is not None else owned)[target] = kind
    purged = {target: kind for target, kind in purged.items() if target not in owned}
    finished: list[Path] = []
    unowned: list[tuple[str | None, Path]] = []
    for path in sorted(folder.iterdir()):
        if not path.is_file() or path.name in owned or archive.in_progress(path):
            continue
        staged = archive.temporary(path)
        if staged is None:
            unowned.append((purged.get(path.name), path))
        elif staged.target in owned and not (folder / staged.target).exists():
            os.replace(path, folder / staged.target)
            finished.append(folder / staged.target)
        else:
            unowned.append((staged.kind, path))
    personal = {str(kind) for kind in PERSON_TABLES}
    # A file of unknown kind may be a person base: removed with them, first.
    unowned.sort(key=lambda item: item[0] is not None and item[0] not in personal)
    for _, path in unowned:
        path.unlink(missing_ok=True)
    return [path for _, path in unowned] + finished


def _shares_folder(db_path: Path) -> bool:
    """Whether another database file lies in the folder of ``db_path``."""
    return any(
        other.name != db_path.name for other in db_path.parent.glob("*.duckdb") if other.is_file()
    )


def _rewrite(cur: duckdb.DuckDBPyConnection, db_path: Path) -> list[Path]:
    """The live copy :meth:`analytics.store.db.Database.rewrite` writes before renaming it
    over the database: after a kill it still holds the names just deleted."""
    copy = db_path.with_name(f".{db_path.name}.rewrite")
    found = [path for path in (copy, copy.with_name(copy.name + ".wal")) if path.exists()]
    for path in found:
        path.unlink()
    return found


def _work_folders(cur: duckdb.DuckDBPyConnection, db_path: Path) -> list[Path]:
    """What a backup or restore killed mid-way left next to the database."""
    return workdir.sweep(db_path.parent)


SWEEPERS: list[Sweeper] = [
    Sweeper("uploads", _uploads),
    Sweeper("rewrite", _rewrite),
    Sweeper("backup and restore", _work_folders),
]


def sweep(cur: duckdb.DuckDBPyConnection, db_path: Path) -> dict[str, list[Path]]:
    """Run every sweeper; what each removed or finished, by its name."""
    swept = {sweeper.name: sweeper.sweep(cur, db_path) for sweeper in SWEEPERS}
    for name, paths in swept.items():
        if paths:
            log.warning("start-up sweep (%s): %s", name, ", ".join(p.name for p in paths))
    return swept
