"""Backups of the whole store, and restoring one.

A backup is one ZIP file holding

* ``manifest.json`` — what the file is (``format``), the schema and data versions and
  when it was made;
* ``monitoring.duckdb`` — a copy of the database made with ``COPY FROM DATABASE`` inside
  one transaction: a consistent snapshot even while the dashboard's sessions read and
  upload (nobody waits for it);
* ``uploads/<sha256>.<ext>`` — the archived file of every upload in that copy whose file
  has not been purged, so that a restored store can still show where its data came from.

:func:`restore` checks the file first (a ZIP with this manifest, names it expects, a
database of a schema version this release knows) and then replaces the database file in
one ``os.replace``; it refuses while another process has the database open.

A backup holds people's names: it is readable by its owner only, and made with a
passphrase every member is encrypted (AES-256, WinZip's scheme, which 7-Zip and WinRAR
open too); the same passphrase restores it.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import tempfile
import zipfile
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import duckdb
import pyzipper

from analytics.model.errors import MonitoringError
from analytics.store import audit, private
from analytics.store.db import SCHEMA_VERSION, Database, DatabaseBusy, first_value

FORMAT = "monitoring-backup"
MANIFEST = "manifest.json"
DATABASE = "monitoring.duckdb"
UPLOADS = "uploads/"
# An archived upload is named by its content hash and suffix (see ingest.archive_path).
_UPLOAD_NAME = re.compile(r"[0-9a-f]{64}(\.[0-9a-z]{1,5})?")
MIN_PASSPHRASE_LENGTH = 8


class BackupError(MonitoringError):
    """A backup that cannot be made or restored; the message is in Russian."""


@dataclass(frozen=True)
class BackupInfo:
    """What a backup holds, as its manifest says."""

    schema_version: int
    data_version: int
    created_at: str
    uploads: tuple[str, ...]


def create(
    db: Database, out: str | Path, user: str | None = None, passphrase: str | None = None
) -> BackupInfo:
    """Write a backup of ``db`` to ``out`` (a .zip, mode 0600), atomically; audited. With
    a ``passphrase`` (at least :data:`MIN_PASSPHRASE_LENGTH` characters) every member is
    AES-encrypted.

    Not to be called inside :meth:`Database.snapshot` (the copy needs a transaction of
    its own, which it commits).
    """
    out = Path(out)
    if passphrase is not None and len(passphrase) < MIN_PASSPHRASE_LENGTH:
        raise BackupError(
            f"пароль резервной копии слишком короткий: нужно не меньше "
            f"{MIN_PASSPHRASE_LENGTH} знаков"
        )
    out.parent.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(dir=out.parent, prefix=".backup-"))
    try:
        copy = work / DATABASE
        info = _copy_database(db, copy)
        present = tuple(name for name in info.uploads if (db.uploads_dir / name).is_file())
        info = BackupInfo(info.schema_version, info.data_version, info.created_at, present)
        packed = work / "backup.zip"
        with _writer(packed, passphrase) as archive:
            archive.writestr(MANIFEST, json.dumps(_manifest(info), ensure_ascii=False, indent=1))
            archive.write(copy, DATABASE)
            for name in present:
                archive.write(db.uploads_dir / name, UPLOADS + name)
        private.make_private(packed)
        os.replace(packed, out)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    with db.transaction() as cur:
        audit.record(
            cur,
            audit.Action.BACKUP,
            "database",
            user,
            {
                "backup": out.name,
                "data_version": info.data_version,
                "uploads": len(present),
                **({"encrypted": "да"} if passphrase is not None else {}),
            },
        )
    return info


def _writer(packed: Path, passphrase: str | None) -> zipfile.ZipFile:
    """A new ZIP at ``packed``: AES-encrypted with ``passphrase``, plain without one."""
    if passphrase is None:
        return zipfile.ZipFile(packed, "w", zipfile.ZIP_DEFLATED, compresslevel=1)
    archive = pyzipper.AESZipFile(
        packed, "w", compression=pyzipper.ZIP_DEFLATED, encryption=pyzipper.WZ_AES
    )
    archive.setpassword(passphrase.encode("utf-8"))
    return archive


def _reader(backup: Path, passphrase: str | None) -> pyzipper.AESZipFile:
    """The backup opened for reading (plain or encrypted), with ``passphrase`` set."""
    archive = pyzipper.AESZipFile(backup)
    if passphrase is not None:
        archive.setpassword(passphrase.encode("utf-8"))
    return archive


def _read_member(archive: pyzipper.AESZipFile, name: str, file_name: str) -> bytes:
    """A member's bytes; :class:`BackupError` when the passphrase is missing or wrong."""
    try:
        return archive.read(name)
    except RuntimeError:
        encrypted = archive.getinfo(name).flag_bits & 0x1
        if not encrypted:
            raise
        if archive.pwd is None:
            raise BackupError(
                f"резервная копия «{file_name}» зашифрована: укажите её пароль (--passphrase-stdin)"
            ) from None
        raise BackupError(f"неверный пароль резервной копии «{file_name}»") from None


def _copy_database(db: Database, target: Path) -> BackupInfo:
    """Copy every table and sequence of ``db`` into a new database file ``target``, all
    read in one transaction; returns the copy's versions and archived file names."""
    cur = db.cursor()
    try:
        cur.execute("BEGIN TRANSACTION")
        # The first read fixes the snapshot the whole copy is made from.
        data_version = int(first_value(cur, "SELECT value FROM meta WHERE key = 'data_version'"))
        schema_version = int(first_value(cur, "SELECT max(version) FROM schema_version"))
        archived = cur.execute(
            "SELECT DISTINCT sha256, file_name FROM uploads WHERE purged_at IS NULL"
        ).fetchall()
        source = first_value(cur, "SELECT current_database()")
        cur.execute(f"ATTACH {_literal(str(target))} AS backup_copy")
        cur.execute(f"COPY FROM DATABASE {_identifier(source)} TO backup_copy")
        cur.execute("COMMIT")
        cur.execute("DETACH backup_copy")
    except BaseException:
        cur.execute("ROLLBACK")
        raise
    finally:
        cur.close()
    names = tuple(sorted({f"{sha}{Path(name).suffix.casefold()}" for sha, name in archived}))
    created = datetime.now().isoformat(timespec="seconds")
    return BackupInfo(schema_version, data_version, created, names)


def _manifest(info: BackupInfo) -> dict[str, object]:
    return {
        "format": FORMAT,
        "schema_version": info.schema_version,
        "data_version": info.data_version,
        "created_at": info.created_at,
        "uploads": list(info.uploads),
    }


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _identifier(text: str) -> str:
    return '"' + text.replace('"', '""') + '"'


def read_manifest(backup: str | Path, passphrase: str | None = None) -> BackupInfo:
    """Check that ``backup`` is a backup this release can restore (with ``passphrase``
    if it is encrypted); returns its manifest.

    Raises :class:`BackupError` naming the file otherwise.
    """
    backup = Path(backup)
    refused = f"файл «{backup.name}» не является резервной копией базы мониторинга"
    try:
        with _reader(backup, passphrase) as archive:
            names = archive.namelist()
            manifest = json.loads(_read_member(archive, MANIFEST, backup.name).decode("utf-8"))
    except FileNotFoundError:
        raise BackupError(f"файл «{backup.name}» не найден") from None
    except (zipfile.BadZipFile, pyzipper.BadZipFile, OSError):
        raise BackupError(f"{refused} (это не архив ZIP)") from None
    except (KeyError, UnicodeDecodeError, ValueError):
        raise BackupError(f"{refused} (нет описания копии)") from None
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise BackupError(f"{refused} (нет описания копии)")
    unexpected = [n for n in names if not _expected_name(n)]
    if unexpected or DATABASE not in names:
        raise BackupError(f"{refused} (в архиве лишние или недостающие файлы)")
    try:
        info = BackupInfo(
            int(manifest["schema_version"]),
            int(manifest["data_version"]),
            str(manifest["created_at"]),
            tuple(str(n) for n in manifest["uploads"]),
        )
    except (KeyError, TypeError, ValueError):
        raise BackupError(f"{refused} (описание копии повреждено)") from None
    _check_schema(backup.name, info.schema_version)
    return info


def _expected_name(name: str) -> bool:
    if name in (MANIFEST, DATABASE):
        return True
    return name.startswith(UPLOADS) and bool(_UPLOAD_NAME.fullmatch(name.removeprefix(UPLOADS)))


def _check_schema(file_name: str, version: int) -> None:
    if version > SCHEMA_VERSION:
        raise BackupError(
            f"резервная копия «{file_name}» сделана более новой версией программы (версия "
            f"схемы {version}, эта версия знает схемы до {SCHEMA_VERSION}); обновите программу"
        )
    if version < 1:
        raise BackupError(f"в резервной копии «{file_name}» неизвестная версия схемы {version}")


def restore(
    path: str | Path, backup: str | Path, user: str | None = None, passphrase: str | None = None
) -> BackupInfo:
    """Replace the database at ``path`` (and add the archived uploads) with ``backup``
    (decrypted with ``passphrase`` if it is encrypted); the restored files are 0600.

    The backup is checked and unpacked next to the database first, its schema migrated
    to this release's and the restore audited in it; only then does one ``os.replace``
    put it in place. Raises :class:`BackupError` for a file that is not a valid backup
    and :class:`DatabaseBusy` while another process has the database open; in both cases
    the database is untouched. Not for a process that has the database open itself (DuckDB
    shares one instance per file within a process, so that is not detected): the command
    line's ``restore`` opens none.
    """
    path, backup = Path(path), Path(backup)
    info = read_manifest(backup, passphrase)
    private.restrict_umask()
    path.parent.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(dir=path.parent, prefix=".restore-"))
    try:
        staged = work / DATABASE
        with _reader(backup, passphrase) as archive:
            with archive.open(DATABASE) as source, staged.open("wb") as target:
                shutil.copyfileobj(source, target)
            uploads = [n for n in archive.namelist() if n.startswith(UPLOADS)]
            archive.extractall(work, members=uploads)
        _prepare(staged, backup.name, info, user)
        private.make_private(staged)
        _ensure_not_in_use(path)
        # The old database's write-ahead log must not be replayed into the restored file.
        path.with_name(path.name + ".wal").unlink(missing_ok=True)
        os.replace(staged, path)
        archive_dir = path.parent / "uploads"
        archive_dir.mkdir(exist_ok=True)
        for member in uploads:
            name = member.removeprefix(UPLOADS)
            if not (archive_dir / name).exists():
                private.make_private(work / member)
                os.replace(work / member, archive_dir / name)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return info


def _prepare(staged: Path, file_name: str, info: BackupInfo, user: str | None) -> None:
    """Check the unpacked database, bring it to this release's schema and record the
    restore in its audit log; it is closed (checkpointed into one file) on return."""
    damaged = f"база данных в резервной копии «{file_name}» повреждена"
    try:
        con = duckdb.connect(str(staged), read_only=True)
        try:
            version = first_value(con, "SELECT max(version) FROM schema_version")
        finally:
            con.close()
    except duckdb.Error:
        raise BackupError(damaged) from None
    if version is None or int(version) != info.schema_version:
        raise BackupError(damaged)
    try:
        with Database(staged) as db, db.transaction() as cur:
            audit.record(
                cur,
                audit.Action.RESTORE,
                "database",
                user,
                {
                    "backup": file_name,
                    "created_at": info.created_at,
                    "data_version": info.data_version,
                },
            )
    except duckdb.Error:
        raise BackupError(damaged) from None


def _ensure_not_in_use(path: Path) -> None:
    """Raise :class:`DatabaseBusy` if another process has ``path`` open. Opening it also
    writes any pending log into the old file, which is about to be replaced anyway."""
    if not path.exists():
        return
    try:
        duckdb.connect(str(path)).close()
    except duckdb.IOException as error:
        if "lock" in str(error).lower():
            raise DatabaseBusy(
                f"база данных {path} занята другим процессом (например, запущенной панелью "
                "мониторинга); остановите его и повторите восстановление"
            ) from None
    except duckdb.Error:
        pass  # a damaged database is what a restore is for
