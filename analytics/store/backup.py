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
one ``os.replace``; it refuses while another process has the database open. What the
restore would discard (:mod:`analytics.store.discarded`) is listed first, and the restore
goes on only when confirmed; the current database is then saved as a backup of its own in
``backups/`` next to it, and the restore's audit entry names both.

Both work in a folder of their own (``.backup-*`` next to the backup's destination,
owned through a marker folder of the same name next to the database; ``.restore-*`` next
to the database; see :mod:`analytics.store.workdir`), which the next process to open the
database removes if a kill left it behind. Every failure is a :class:`BackupError` in
Russian saying what was and was not changed: a damaged or truncated file, a wrong
passphrase, a full disk, a folder without the right to write.

A backup holds people's names: it is readable by its owner only, and made with a
passphrase every member is encrypted (AES-256, WinZip's scheme, which 7-Zip and WinRAR
open too); the same passphrase restores it.
"""

from __future__ import annotations

import errno
import json
import os
import re
import shutil
import struct
import zipfile
import zlib
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import duckdb
import pyzipper

from analytics.model.errors import MonitoringError
from analytics.store import audit, private, workdir
from analytics.store.db import SCHEMA_VERSION, Database, DatabaseBusy, first_value
from analytics.store.discarded import Discarded, discarded

FORMAT = "monitoring-backup"
MANIFEST = "manifest.json"
DATABASE = "monitoring.duckdb"
UPLOADS = "uploads/"
# An archived upload is named by its content hash and suffix (see ingest.archive_path).
_UPLOAD_NAME = re.compile(r"[0-9a-f]{64}(\.[0-9a-z]{1,5})?")
MIN_PASSPHRASE_LENGTH = 8
# Where a restore keeps the database it replaces, next to the database.
SAFETY_FOLDER = "backups"
NOT_MADE = "резервная копия не создана, база данных не изменена"
NOT_RESTORED = "база данных не изменена"


class BackupError(MonitoringError):
    """A backup that cannot be made or restored; the message is in Russian."""


class RestoreNotConfirmed(BackupError):
    """A restore that would discard work made since the backup, not confirmed."""

    def __init__(self, message: str, info: BackupInfo, lost: Discarded):
        super().__init__(message)
        self.info = info
        self.lost = lost


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
    with _refused(NOT_MADE):
        out.parent.mkdir(parents=True, exist_ok=True)
        # The work is done next to the destination, so that the last step is one rename.
        with workdir.owned(db.path.parent, ".backup-", place=out.parent) as work:
            copy = work / DATABASE
            info = _copy_database(db, copy)
            present = tuple(name for name in info.uploads if (db.uploads_dir / name).is_file())
            info = BackupInfo(info.schema_version, info.data_version, info.created_at, present)
            packed = work / "backup.zip"
            with _writer(packed, passphrase) as archive:
                manifest = json.dumps(_manifest(info), ensure_ascii=False, indent=1)
                archive.writestr(MANIFEST, manifest)
                archive.write(copy, DATABASE)
                for name in present:
                    archive.write(db.uploads_dir / name, UPLOADS + name)
            private.make_private(packed)
            os.replace(packed, out)
    details: dict[str, object] = {
        "backup": out.name,
        "data_version": info.data_version,
        "uploads": len(present),
    }
    if passphrase is not None:
        details["encrypted"] = "да"
    if db.read_only:
        return info  # a snapshot or a read-only filesystem cannot record the backup
    unaudited = f"резервная копия сохранена в {out}, но не записана в журнал действий"
    with _refused(unaudited), db.transaction() as cur:
        audit.record(cur, audit.Action.BACKUP, "database", user, details)
    return info


@contextmanager
def _refused(outcome: str) -> Iterator[None]:
    """Turn a failure of the disk or of DuckDB's file layer into a :class:`BackupError`
    saying why and what the ``outcome`` is («резервная копия не создана, …»)."""
    try:
        yield
    except OSError as error:
        raise BackupError(f"{_os_cause(error)}; {outcome}") from error
    except duckdb.IOException as error:
        raise BackupError(f"{_duckdb_cause(error)}; {outcome}") from error
    except (duckdb.OutOfMemoryException, MemoryError) as error:
        raise BackupError(f"не хватило памяти; {outcome}") from error


def _os_cause(error: OSError) -> str:
    """Why an operating-system call failed, in Russian."""
    where = ""
    if error.filename:
        shown = Path(os.fsdecode(error.filename))
        # A working temporary's random name means nothing to a reader: name its folder.
        if any(part.startswith(workdir.PREFIXES) for part in shown.parts):
            shown = next(p for p in shown.parents if not p.name.startswith(workdir.PREFIXES))
        where = f": {shown}"
    if error.errno in (errno.ENOSPC, errno.EDQUOT):
        return f"на диске не хватает места{where}"
    if error.errno in (errno.EACCES, errno.EPERM):
        return f"нет прав на запись{where}"
    if error.errno == errno.EROFS:
        return f"файловая система доступна только для чтения{where}"
    if error.errno == errno.ENOENT:
        return f"файл или папка не найдены{where}"
    name = errno.errorcode.get(error.errno or 0, "неизвестна")
    return f"ошибка ввода-вывода (код {name}){where}"


def _duckdb_cause(error: duckdb.Error) -> str:
    """Why DuckDB could not write a file, in Russian."""
    return _disk_cause(error) or "ошибка ввода-вывода при записи базы данных"


def _disk_cause(error: duckdb.Error) -> str | None:
    """The disk's reason DuckDB reports (in English, within its message) in Russian; None
    when the message names none."""
    text = str(error)
    for marker, cause in (
        ("No space left", "на диске не хватает места"),
        ("Disk quota", "на диске не хватает места"),
        ("Permission denied", "нет прав на запись"),
        ("Read-only file system", "файловая система доступна только для чтения"),
    ):
        if marker in text:
            return cause
    return None


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
    """The manifest's bytes; :class:`BackupError` when the passphrase is missing or wrong
    (the manifest is read first: a wrong passphrase shows there)."""
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


# What reading a damaged archive raises: a bad CRC or HMAC, a truncated or garbled
# deflate stream, a damaged header, an AES check that fails although the manifest
# decrypted with the same passphrase.
_DAMAGED = (
    zipfile.BadZipFile,
    pyzipper.BadZipFile,
    zlib.error,
    EOFError,
    RuntimeError,
    NotImplementedError,
    ValueError,
    struct.error,
)


@contextmanager
def _damaged(file_name: str) -> Iterator[None]:
    """Refuse a backup whose members cannot be read back intact, saying why in Russian."""
    try:
        yield
    except _DAMAGED as error:
        text = str(error)
        if "CRC" in text:
            why = "контрольная сумма данных не совпадает"
        elif "HMAC" in text or "password" in text:
            why = "проверка зашифрованных данных не пройдена"
        else:
            why = "сжатые данные испорчены или обрезаны"
        raise BackupError(
            f"резервная копия «{file_name}» повреждена ({why}); {NOT_RESTORED}"
        ) from None


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
        # Written even from a database opened read-only (which attaches read-only).
        cur.execute(f"ATTACH {_literal(str(target))} AS backup_copy (READ_WRITE)")
        cur.execute(f"COPY FROM DATABASE {_identifier(source)} TO backup_copy")
        cur.execute("COMMIT")
    except BaseException:
        # A failed copy may have ended the transaction already: the cleanup must not
        # replace the cause («cannot rollback - no transaction is active»).
        with suppress(duckdb.Error):
            cur.execute("ROLLBACK")
        raise
    finally:
        with suppress(duckdb.Error):
            cur.execute("DETACH backup_copy")
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
            with _damaged(backup.name):
                raw = _read_member(archive, MANIFEST, backup.name)
            manifest = json.loads(raw.decode("utf-8"))
    except FileNotFoundError:
        raise BackupError(f"файл «{backup.name}» не найден") from None
    except PermissionError:
        raise BackupError(f"нет прав на чтение файла «{backup.name}»") from None
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


@dataclass(frozen=True)
class Restored:
    """A restore done: the backup's manifest, where the replaced database was saved
    (None when there was none) and what it held that the backup does not."""

    info: BackupInfo
    safety: Path | None
    lost: Discarded


def restore(
    path: str | Path,
    backup: str | Path,
    user: str | None = None,
    passphrase: str | None = None,
    confirmed: bool = False,
) -> Restored:
    """Replace the database at ``path`` (and add the archived uploads) with ``backup``
    (decrypted with ``passphrase`` if it is encrypted); the restored files are 0600.

    The backup is checked and unpacked next to the database first and its schema
    migrated to this release's. If the current database holds work the backup does not
    (:func:`analytics.store.discarded.discarded`), the restore stops with
    :class:`RestoreNotConfirmed` listing it unless ``confirmed``. Then the current
    database is saved in ``backups/`` (:func:`save_current`), the restore audited in the
    restored log with what it replaced, and one ``os.replace`` puts it in place.

    Raises :class:`BackupError` for a file that is not a valid backup or a failure of the
    disk, and :class:`DatabaseBusy` while another process has the database open; in each
    case the database is untouched. Not for a process that has the database open itself
    (DuckDB shares one instance per file within a process, so that is not detected): the
    command line's ``restore`` opens none. From the check of what would be discarded to
    just before the replace, the restore itself holds the database open, so that no other
    process writes to it meanwhile.
    """
    path, backup = Path(path), Path(backup)
    try:
        info = read_manifest(backup, passphrase)
    except BackupError as error:
        raise BackupError(f"{error}; {NOT_RESTORED}") from None
    private.restrict_umask()
    with _refused(NOT_RESTORED):
        path.parent.mkdir(parents=True, exist_ok=True)
        with workdir.owned(path.parent, ".restore-") as work:
            staged = work / DATABASE
            uploads = _unpack(backup, passphrase, work)
            _check(staged, backup.name, info)
            # Held from here until just before the replace, so that nothing another
            # process might write meanwhile is lost unannounced.
            held = _hold(path)
            try:
                if held is None:
                    lost = Discarded(unreadable=path.exists())
                else:
                    lost = discarded(held, staged)
                if lost and not confirmed:
                    raise RestoreNotConfirmed(_unconfirmed(backup.name, info, lost), info, lost)
                safety = save_current(path) if path.exists() else None
                _record(staged, backup.name, info, user, lost, safety)
            finally:
                if held is not None:
                    held.close()
            private.make_private(staged)
            # The old database's write-ahead log must not be replayed into the restored file.
            path.with_name(path.name + ".wal").unlink(missing_ok=True)
            os.replace(staged, path)
            with _refused(
                f"база данных восстановлена, но не все загруженные файлы возвращены в "
                f"{path.parent / 'uploads'}; повторите восстановление"
            ):
                _place_uploads(work, uploads, path.parent / "uploads")
    return Restored(info, safety, lost)


def _unconfirmed(file_name: str, info: BackupInfo, lost: Discarded) -> str:
    """Why a restore waits for confirmation: what it would discard."""
    copy = f"копии «{file_name}» (сделана {_made_at(info)})"
    if lost.unreadable:
        said = f"текущая база данных не открывается, и восстановление {copy} заменит её "
        said += "целиком, не проверив, что в ней есть"
    else:
        said = f"восстановление {copy} отменит сделанное после неё: {lost.summary()}"
    return f"{said}; {NOT_RESTORED}"


def _made_at(info: BackupInfo) -> str:
    try:
        return f"{datetime.fromisoformat(info.created_at):%d.%m.%Y %H:%M}"
    except ValueError:
        return info.created_at


def _unpack(backup: Path, passphrase: str | None, work: Path) -> list[str]:
    """Unpack the database and the archived uploads of ``backup`` into ``work``; returns
    the uploads' member names."""
    with _damaged(backup.name), _reader(backup, passphrase) as archive:
        with archive.open(DATABASE) as source, (work / DATABASE).open("wb") as target:
            shutil.copyfileobj(source, target)
        uploads = [n for n in archive.namelist() if n.startswith(UPLOADS)]
        archive.extractall(work, members=uploads)
    return uploads


def _place_uploads(work: Path, uploads: list[str], archive_dir: Path) -> None:
    archive_dir.mkdir(exist_ok=True)
    for member in uploads:
        name = member.removeprefix(UPLOADS)
        if not (archive_dir / name).exists():
            private.make_private(work / member)
            os.replace(work / member, archive_dir / name)


def save_current(path: Path) -> Path:
    """Save the database at ``path`` before a restore replaces it: a backup in
    ``backups/`` next to it (a damaged file that does not open is copied as it is);
    returns where."""
    folder = path.parent / SAFETY_FOLDER
    stamp = f"до-восстановления-{datetime.now():%Y-%m-%d-%H%M%S}"
    target = folder / f"{stamp}.zip"
    number = 1
    while target.exists() or target.with_suffix(".duckdb").exists():
        number += 1
        target = folder / f"{stamp}-{number}.zip"
    try:
        db = Database(path)
    except (duckdb.Error, MonitoringError):
        db = None
    if db is None:
        folder.mkdir(exist_ok=True)
        target = target.with_suffix(".duckdb")
        shutil.copyfile(path, target)
        private.make_private(target)
        return target
    try:
        with db:
            create(db, target)
    except BackupError as error:
        saving = "перед восстановлением не удалось сохранить текущую базу"
        raise BackupError(f"{saving} — {error}") from None
    return target


def _check(staged: Path, file_name: str, info: BackupInfo) -> None:
    """Check the unpacked database (it opens, its schema is the manifest's) and bring it
    to this release's schema; it is closed (checkpointed into one file) on return. A
    failure of the disk is said as such, not as damage."""
    damaged = f"база данных в резервной копии «{file_name}» повреждена; {NOT_RESTORED}"
    try:
        con = duckdb.connect(str(staged), read_only=True)
        try:
            version = first_value(con, "SELECT max(version) FROM schema_version")
        finally:
            con.close()
        if version is None or int(version) != info.schema_version:
            raise BackupError(damaged)
        Database(staged).close()
    except duckdb.Error as error:
        cause = _disk_cause(error)
        raise BackupError(f"{cause}; {NOT_RESTORED}" if cause else damaged) from None


def _record(
    staged: Path,
    file_name: str,
    info: BackupInfo,
    user: str | None,
    lost: Discarded,
    safety: Path | None,
) -> None:
    """Record the restore in the restored database's audit log: the backup, what the
    replaced database held that it does not, and where that database was saved."""
    details: dict[str, object] = {
        "backup": file_name,
        "created_at": info.created_at,
        "data_version": info.data_version,
    }
    if lost:
        details["discarded"] = lost.summary()
    if safety is not None:
        details["safety_backup"] = str(safety)
    with Database(staged) as db, db.transaction() as cur:
        audit.record(cur, audit.Action.RESTORE, "database", user, details)


def _hold(path: Path) -> duckdb.DuckDBPyConnection | None:
    """``path`` opened, so that no other process can open it while the restore decides
    and saves it; None when there is no file or it does not open (a damaged database is
    what a restore is for). Raises :class:`DatabaseBusy` if another process has it open."""
    if not path.exists():
        return None
    try:
        return duckdb.connect(str(path))
    except duckdb.IOException as error:
        if "lock" in str(error).lower():
            raise DatabaseBusy(
                f"база данных {path} занята другим процессом (например, запущенной панелью "
                "мониторинга); остановите его и повторите восстановление"
            ) from None
        return None
    except duckdb.Error:
        return None
