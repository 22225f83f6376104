"""Files only their owner reads: the database, its write-ahead log, the archived uploads,
backups and snapshots hold people's names (152-ФЗ), so no other local account may read
them.

Every process that writes the store (the command line, the dashboard) narrows its umask
to :data:`UMASK` before creating anything, so new files are 0600 and new folders 0700;
:func:`secure_store` also tightens what an earlier release left readable.
"""

from __future__ import annotations

import contextlib
import os
import stat
from pathlib import Path

UMASK = 0o077
FILE_MODE = 0o600
FOLDER_MODE = 0o700


def restrict_umask() -> None:
    """Make every file this process creates from now on readable by its owner only."""
    os.umask(UMASK)


def make_private(path: str | Path) -> None:
    """Give ``path`` (a file) the mode 0600; a missing file is left alone."""
    with contextlib.suppress(FileNotFoundError):
        os.chmod(path, FILE_MODE)


def secure_store(db_path: str | Path) -> None:
    """Tighten the store of the database at ``db_path``: the database, its WAL, the users
    file and every archived upload 0600, the uploads folder 0700, and the data folder
    0700 unless it is a shared folder (sticky, like /tmp), another account's, or the home
    folder — a database kept there is tightened file by file only."""
    db_path = Path(db_path)
    folder = db_path.parent
    for name in (db_path.name, db_path.name + ".wal", "users.json", "session.key"):
        make_private(folder / name)
    uploads = folder / "uploads"
    if uploads.is_dir():
        os.chmod(uploads, FOLDER_MODE)
        for item in uploads.iterdir():
            if item.is_file():
                make_private(item)
    if _own_folder(folder):
        os.chmod(folder, FOLDER_MODE)


def _own_folder(folder: Path) -> bool:
    """Whether ``folder`` is this account's and not a shared or home folder."""
    try:
        info = folder.stat()
    except FileNotFoundError:
        return False
    if info.st_mode & stat.S_ISVTX or info.st_uid != os.getuid():
        return False
    return folder.resolve() != Path.home().resolve()
