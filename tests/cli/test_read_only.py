"""The command line on a database it may only read: reading commands open it for reading
only and work on a read-only file system, beside another reader and on a published
snapshot; writing commands, and files nobody may open, are refused in Russian saying
nothing was changed, never with a traceback."""

from __future__ import annotations

import csv
import io
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from analytics.cli.main import main
from tests.commandline import run
from tests.conftest import ROOT
from tests.filemakers import FULL_COLUMNS, located_org, table, write_csv

AS_ROOT = os.geteuid() == 0


def _can_mount_read_only() -> bool:
    """Whether this root may mount a folder read-only in a namespace of its own."""
    if shutil.which("unshare") is None:
        return False
    probe = subprocess.run(
        ["unshare", "-m", "sh", "-c", "mount --bind -o ro /tmp /tmp"], capture_output=True
    )
    return probe.returncode == 0


# The two schools of the stored upload: the second has no regulation on mentoring.
SCHOOLS = [
    located_org("Школа 1", "г. Альфа"),
    located_org("Школа 2", "г. Альфа", has_regulation="нет"),
]


@pytest.fixture
def store(tmp_path) -> Path:
    """A data folder whose database holds one upload of :data:`SCHOOLS`, and a second
    form file outside it."""
    folder = tmp_path / "data"
    folder.mkdir()
    first = write_csv(tmp_path / "формы.csv", table(SCHOOLS, FULL_COLUMNS))
    write_csv(tmp_path / "формы-2.csv", table([located_org("Школа 3", "г. Альфа")], FULL_COLUMNS))
    assert main(["--db", str(folder / "m.duckdb"), "ingest", str(first)], out=io.StringIO()) == 0
    return folder


@contextmanager
def read_only(folder: Path) -> Iterator[list[str]]:
    """The command prefix that runs a program with ``folder`` read-only. chmod does not
    stop root, so as root the folder is bind-mounted read-only in a mount namespace of the
    program's own; otherwise the folder and its files lose their write permission."""
    if AS_ROOT:
        if not _can_mount_read_only():
            pytest.skip("root without a mount namespace: chmod would not make the folder read-only")
        yield [
            "unshare",
            "-m",
            "sh",
            "-c",
            'mount --bind -o ro "$0" "$0" && exec "$@"',
            str(folder),
        ]
        return
    paths = [folder, *folder.rglob("*")]
    for path in paths:
        path.chmod(0o500 if path.is_dir() else 0o400)
    try:
        yield []
    finally:
        for path in paths:
            path.chmod(0o700 if path.is_dir() else 0o600)


def command(
    prefix: list[str], store: Path, *argv: str, db: Path | None = None
) -> subprocess.CompletedProcess:
    """``python -m analytics`` on the database of ``store`` (or ``db``) after ``prefix``."""
    database = db or store / "m.duckdb"
    return subprocess.run(
        [*prefix, sys.executable, "-m", "analytics", "--db", str(database), *argv],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )


# What the file system says to a writer: a read-only mount (root), a file without write
# permission (anyone else).
REFUSED = "файловая система только для чтения" if AS_ROOT else "нет прав доступа к файлу или папке"


def test_uploads_and_audit_read_a_database_on_a_read_only_file_system(store):
    with read_only(store) as prefix:
        uploads = command(prefix, store, "uploads")
        audit = command(prefix, store, "audit")

    assert (uploads.returncode, uploads.stderr) == (0, "")
    assert [line.split("\t")[::2] for line in uploads.stdout.splitlines()] == [
        ["№ 1", "org-form", "формы.csv"]
    ]
    assert (audit.returncode, audit.stderr) == (0, "")
    assert "загрузка файла\tзагрузка № 1\tфайл: формы.csv" in audit.stdout


def test_indicators_on_a_read_only_file_system_count_the_schools_with_a_regulation(store):
    with read_only(store) as prefix:
        done = command(prefix, store, "indicators", "--level", "municipality", "--format", "csv")

    assert (done.returncode, done.stderr) == (0, "")
    rows = list(csv.DictReader(io.StringIO(done.stdout)))
    regulation = next(r for r in rows if r["indicator"] == "regulation")
    with_regulation = sum(school["has_regulation"] == "да" for school in SCHOOLS)
    assert (regulation["numerator"], regulation["denominator"], regulation["value"]) == (
        f"{with_regulation:.1f}",
        f"{len(SCHOOLS):.1f}",
        f"{100 * with_regulation / len(SCHOOLS):.1f}",
    )


def test_a_snapshot_is_published_from_a_database_on_a_read_only_file_system(store, tmp_path):
    published = tmp_path / "снимок.duckdb"
    with read_only(store) as prefix:
        done = command(prefix, store, "snapshot", "--out", str(published))

    assert (done.returncode, done.stderr) == (0, "")
    assert done.stdout == f"Снимок опубликован: {published} (версия данных 1)\n"
    with read_only(tmp_path) as prefix:
        listed = command(prefix, tmp_path, "uploads", db=published)
    assert (listed.returncode, listed.stderr) == (0, "")
    assert [line.split("\t")[::2] for line in listed.stdout.splitlines()] == [
        ["№ 1", "org-form", "формы.csv"]
    ]


def test_an_ingest_on_a_read_only_file_system_is_refused_in_russian_and_changes_nothing(
    store, tmp_path
):
    with read_only(store) as prefix:
        done = command(prefix, store, "ingest", str(tmp_path / "формы-2.csv"))

    assert (done.returncode, done.stdout) == (1, "")
    assert done.stderr == (
        f"Ошибка: не удалось открыть базу данных {store / 'm.duckdb'} для записи: "
        f"{REFUSED}; данные не изменены\n"
    )
    code, out, _ = _uploads(store)
    assert (code, out.count("\n")) == (0, 1)


def _uploads(store: Path) -> tuple[int, str, str]:
    out = io.StringIO()
    code = main(["--db", str(store / "m.duckdb"), "uploads"], out=out)
    return code, out.getvalue(), ""


def test_a_database_its_reader_may_not_open_is_refused_in_russian(store):
    database = store / "m.duckdb"
    if AS_ROOT:
        # Root reads any file: the command runs as nobody, for whom the folder is closed.
        prefix = ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"]
        if shutil.which("setpriv") is None:
            pytest.skip("no setpriv to run the command as another user")
    else:
        prefix = []
        database.chmod(0)
    try:
        done = command(prefix, store, "uploads")
    finally:
        database.chmod(0o600)

    assert (done.returncode, done.stdout) == (1, "")
    assert done.stderr == (
        f"Ошибка: не удалось открыть базу данных {database} для чтения: "
        "нет прав доступа к файлу или папке; данные не изменены\n"
    )


def test_a_reading_command_runs_beside_another_process_reading_the_database(store, capsys):
    database = store / "m.duckdb"
    reader = subprocess.Popen(
        [
            sys.executable,
            "-c",
            f"import duckdb, time; c = duckdb.connect({str(database)!r}, read_only=True); "
            "print('ready', flush=True); time.sleep(60)",
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert reader.stdout.readline().strip() == "ready"
        code, out, err = run(capsys, "--db", str(database), "uploads", "--wait", "0")
    finally:
        reader.kill()
        reader.wait()

    assert (code, err) == (0, "")
    assert out.startswith("№ 1\t")


def test_a_file_written_into_a_read_only_folder_is_refused_in_russian(store):
    with read_only(store) as prefix:
        done = command(prefix, store, "template", "--out", str(store / "шаблон.xlsx"))

    assert (done.returncode, done.stdout) == (1, "")
    assert done.stderr == f"Ошибка: {REFUSED}; данные не изменены\n"
