"""Every way a backup or a restore fails ends in one Russian message saying why and what
was not changed — a damaged or truncated file, a bad CRC or HMAC, a full disk, a folder
without the right to write — never an English traceback, never a cleanup's error in place
of the cause, and never a working temporary left behind."""

from __future__ import annotations

import errno
import io
import os
import re
import shutil
import subprocess
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from analytics.cli.main import main
from analytics.store import backup
from analytics.store.db import Database
from tests.store.test_backup import contents, upload

PASSPHRASE = "пароль-копии-2026"
NOT_RESTORED = "; база данных не изменена"
NOT_MADE = "; резервная копия не создана, база данных не изменена"


def made(live: Path, out: Path, passphrase: str | None = None) -> bytes:
    with Database(live) as db:
        backup.create(db, out, passphrase=passphrase)
    return out.read_bytes()


def temporaries(*folders: Path) -> list[str]:
    return [
        p.name
        for folder in folders
        if folder.exists()
        for p in folder.iterdir()
        if p.name.startswith((".backup-", ".restore-"))
    ]


def member_data(data: bytes, name: str) -> tuple[int, int]:
    """Where the stored bytes of the member ``name`` start in the ZIP, and how many."""
    info = zipfile.ZipFile(io.BytesIO(data)).getinfo(name)
    start = info.header_offset + 30
    name_length = int.from_bytes(data[info.header_offset + 26 : info.header_offset + 28], "little")
    extra_length = int.from_bytes(data[info.header_offset + 28 : start], "little")
    return start + name_length + extra_length, info.compress_size


def english(message: str) -> list[str]:
    """The Latin words of a message, besides the format's name and the option it names."""
    return re.findall(r"[A-Za-z]+", message.replace("ZIP", "").replace("--passphrase-stdin", ""))


def refused(live: Path, damaged: Path, passphrase: str | None = None) -> str:
    """Restore ``damaged`` over ``live``: it must be refused, the database untouched and
    nothing left behind; returns the message."""
    before = live.read_bytes()
    with pytest.raises(backup.BackupError) as error:
        backup.restore(live, damaged, passphrase=passphrase)
    assert live.read_bytes() == before
    assert temporaries(live.parent) == []
    return str(error.value)


@pytest.mark.parametrize("passphrase", [None, PASSPHRASE], ids=["plain", "encrypted"])
def test_a_byte_damaged_anywhere_in_a_backup_is_refused_in_russian_or_restores_intact(
    live, tmp_path, passphrase
):
    data = made(live, tmp_path / "копия.zip", passphrase)
    with Database(live) as db:
        expected = contents(db)
    damaged = tmp_path / "испорченная"
    wrong = []
    offsets = sorted({*range(0, len(data), max(1, len(data) // 40)), len(data) - 1})
    for offset in offsets:
        bad = bytearray(data)
        bad[offset] ^= 0xFF
        damaged.write_bytes(bytes(bad))
        before = live.read_bytes()
        try:
            backup.restore(live, damaged, passphrase=passphrase)
        except backup.BackupError as error:
            message = str(error)
            if english(message) or not message.endswith(NOT_RESTORED):
                wrong.append((offset, message))
            if live.read_bytes() != before:
                wrong.append((offset, "the database changed"))
            continue
        except Exception as error:  # what the test is for: anything else is wrong
            wrong.append((offset, f"{type(error).__name__}: {error}"))
            continue
        # A byte no check covers (a header's date, say): the data must be whole.
        with Database(live) as db:
            restored = contents(db)
        restored["data_version"] = expected["data_version"]
        if restored != expected:
            wrong.append((offset, "restored different data"))
    assert wrong == []
    assert temporaries(live.parent) == []


def test_a_bad_crc_is_refused_naming_the_damage(live, tmp_path):
    data = bytearray(made(live, tmp_path / "копия.zip"))
    # The CRC the central directory records for the database, changed.
    entry = data.rfind(b"PK\x01\x02", 0, data.rfind(b"monitoring.duckdb"))
    data[entry + 16] ^= 0xFF
    damaged = tmp_path / "испорченная.zip"
    damaged.write_bytes(bytes(data))
    assert refused(live, damaged) == (
        "резервная копия «испорченная.zip» повреждена (контрольная сумма данных не совпадает)"
        + NOT_RESTORED
    )


def test_a_bad_hmac_of_an_encrypted_backup_is_refused_naming_the_damage(live, tmp_path):
    data = bytearray(made(live, tmp_path / "копия.zip", PASSPHRASE))
    start, size = member_data(bytes(data), "monitoring.duckdb")
    data[start + size // 2] ^= 0xFF
    damaged = tmp_path / "испорченная.zip"
    damaged.write_bytes(bytes(data))
    assert refused(live, damaged, PASSPHRASE) == (
        "резервная копия «испорченная.zip» повреждена (проверка зашифрованных данных не "
        "пройдена)" + NOT_RESTORED
    )


def test_a_damaged_deflate_stream_is_refused_naming_the_damage(live, tmp_path):
    data = bytearray(made(live, tmp_path / "копия.zip"))
    start, _ = member_data(bytes(data), "monitoring.duckdb")
    data[start : start + 16] = b"\xff" * 16
    damaged = tmp_path / "испорченная.zip"
    damaged.write_bytes(bytes(data))
    assert refused(live, damaged) == (
        "резервная копия «испорченная.zip» повреждена (сжатые данные испорчены или обрезаны)"
        + NOT_RESTORED
    )


@pytest.mark.parametrize("passphrase", [None, PASSPHRASE], ids=["plain", "encrypted"])
def test_a_truncated_backup_is_refused_in_russian(live, tmp_path, passphrase):
    data = made(live, tmp_path / "копия.zip", passphrase)
    damaged = tmp_path / "обрезанная.zip"
    damaged.write_bytes(data[: len(data) * 2 // 3])
    assert refused(live, damaged, passphrase) == (
        "файл «обрезанная.zip» не является резервной копией базы мониторинга (это не архив "
        "ZIP)" + NOT_RESTORED
    )


def test_the_restore_command_refuses_a_damaged_encrypted_backup_in_russian(
    live, tmp_path, capsys, monkeypatch
):
    data = bytearray(made(live, tmp_path / "копия.zip", PASSPHRASE))
    start, size = member_data(bytes(data), "monitoring.duckdb")
    data[start + size // 3] ^= 0x55
    damaged = tmp_path / "испорченная.zip"
    damaged.write_bytes(bytes(data))
    monkeypatch.setattr("sys.stdin", io.StringIO(PASSPHRASE + "\n"))
    argv = ["--db", str(live), "restore", str(damaged), "--passphrase-stdin"]
    assert main(argv, out=io.StringIO()) == 1
    assert capsys.readouterr().err == (
        "Ошибка: резервная копия «испорченная.zip» повреждена (проверка зашифрованных данных "
        "не пройдена); база данных не изменена\n"
    )


# --- the disk ---------------------------------------------------------------------------


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path]:
    """A folder on a filesystem of 8 MB of its own (tmpfs), for filling up."""
    if os.geteuid() != 0:
        pytest.skip("a small filesystem of its own needs root (mount -t tmpfs)")
    disk = tmp_path / "disk"
    disk.mkdir()
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=8m", "tmpfs", str(disk)], capture_output=True
    )
    if mounted.returncode != 0:
        pytest.skip("tmpfs cannot be mounted here")
    try:
        yield disk
    finally:
        subprocess.run(["umount", "-l", str(disk)], check=True)


def fill(disk: Path, leave: int) -> None:
    """Fill ``disk`` but ``leave`` bytes."""
    stats = os.statvfs(disk)
    (disk / "filler").write_bytes(b"\0" * (stats.f_bavail * stats.f_frsize - leave))


def test_a_backup_on_a_full_disk_names_the_full_disk_not_a_failed_rollback(small_disk):
    live = small_disk / "live" / "monitoring.duckdb"
    with Database(live) as db:
        upload(db, ["СОШ № 1", "СОШ № 2"])
        before = contents(db)
    fill(small_disk, 4096)
    with Database(live) as db:
        with pytest.raises(backup.BackupError) as error:
            backup.create(db, small_disk / "копия.zip")
        assert contents(db) == before
    assert str(error.value) == "на диске не хватает места" + NOT_MADE
    assert temporaries(live.parent, small_disk) == []
    assert not (small_disk / "копия.zip").exists()


def test_a_database_on_a_full_disk_is_still_backed_up_onto_another(small_disk, tmp_path):
    live = small_disk / "live" / "monitoring.duckdb"
    with Database(live) as db:
        upload(db, ["СОШ № 1", "СОШ № 2"])
        before = contents(db)
    fill(small_disk, 16 * 1024)
    with Database(live) as db:
        backup.create(db, tmp_path / "копия.zip")
    backup.restore(tmp_path / "проверка" / "monitoring.duckdb", tmp_path / "копия.zip")
    with Database(tmp_path / "проверка" / "monitoring.duckdb") as db:
        assert contents(db) == {**before, "data_version": before["data_version"] + 1}


def test_a_backup_onto_a_full_disk_is_refused_in_russian_and_leaves_nothing(live, small_disk):
    fill(small_disk, 4096)
    with Database(live) as db, pytest.raises(backup.BackupError) as error:
        backup.create(db, small_disk / "копия.zip")
    assert str(error.value) == "на диске не хватает места" + NOT_MADE
    assert temporaries(live.parent, small_disk) == []
    assert sorted(p.name for p in small_disk.iterdir()) == ["filler"]


def test_a_restore_onto_a_full_disk_is_refused_and_keeps_the_database(live, small_disk, tmp_path):
    made(live, tmp_path / "копия.zip")
    target = small_disk / "live" / "monitoring.duckdb"
    with Database(target) as db:
        upload(db, ["СОШ № 9"], file="другая.csv")
    fill(small_disk, 64 * 1024)
    before = target.read_bytes()
    with pytest.raises(backup.BackupError) as error:
        backup.restore(target, tmp_path / "копия.zip", confirmed=True)
    assert str(error.value).startswith("на диске не хватает места")
    assert str(error.value).endswith(NOT_RESTORED)
    assert target.read_bytes() == before
    assert temporaries(target.parent) == []


def test_a_full_disk_met_by_the_archive_writer_is_refused_naming_the_file(
    live, tmp_path, monkeypatch
):
    """The file layer raising ENOSPC, wherever the backup goes (no root needed)."""
    out = tmp_path / "копии" / "копия.zip"

    def full(self, filename, arcname=None, *args, **kwargs):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(out.parent / "x.zip"))

    monkeypatch.setattr(zipfile.ZipFile, "write", full)
    with Database(live) as db:
        before = contents(db)
        with pytest.raises(backup.BackupError) as error:
            backup.create(db, out)
        assert contents(db) == before
    assert str(error.value) == f"на диске не хватает места: {out.parent / 'x.zip'}" + NOT_MADE
    assert temporaries(live.parent, out.parent) == []


@contextmanager
def closed(folder: Path) -> Iterator[Path]:
    """``folder`` made unwritable for the block: 0500 for an ordinary account, immutable
    for root (whom permissions do not stop)."""
    if os.geteuid() != 0:
        folder.chmod(0o500)
        try:
            yield folder
        finally:
            folder.chmod(0o700)
        return
    if shutil.which("chattr") is None:
        pytest.skip("no chattr to make a folder unwritable for root")
    if subprocess.run(["chattr", "+i", str(folder)], capture_output=True).returncode != 0:
        pytest.skip("this filesystem has no immutable folders")
    try:
        yield folder
    finally:
        subprocess.run(["chattr", "-i", str(folder)], check=True)


@pytest.fixture
def unwritable(tmp_path: Path) -> Iterator[Path]:
    folder = tmp_path / "закрытая"
    folder.mkdir()
    with closed(folder):
        yield folder


def test_a_backup_into_a_folder_without_write_permission_is_refused_in_russian(
    live, unwritable, capsys
):
    argv = ["--db", str(live), "backup", "--out", str(unwritable / "копия.zip")]
    assert main(argv, out=io.StringIO()) == 1
    assert capsys.readouterr().err == (f"Ошибка: нет прав на запись: {unwritable}{NOT_MADE}\n")
    assert temporaries(live.parent) == []


def test_a_restore_into_a_folder_without_write_permission_is_refused_in_russian(
    live, unwritable, tmp_path
):
    made(live, tmp_path / "копия.zip")
    with pytest.raises(backup.BackupError) as error:
        backup.restore(unwritable / "monitoring.duckdb", tmp_path / "копия.zip")
    assert str(error.value) == f"нет прав на запись: {unwritable}{NOT_RESTORED}"
    assert list(unwritable.iterdir()) == []


def test_a_database_in_a_folder_that_cannot_be_written_is_backed_up_read_only(live, tmp_path):
    with Database(live) as db:
        before = contents(db)
    with closed(live.parent), Database(live, read_only=True) as db:
        backup.create(db, tmp_path / "копия.zip")
    target = tmp_path / "проверка" / "monitoring.duckdb"
    backup.restore(target, tmp_path / "копия.zip")
    with Database(target) as db:
        assert contents(db) == {**before, "data_version": before["data_version"] + 1}
    assert temporaries(live.parent, tmp_path) == []
