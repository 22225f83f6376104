"""An ingest killed at any moment (kill -9) leaves the database as it was before the
file or with the whole file, never half of it; a committed upload whose process dies
before a checkpoint comes back from the write-ahead log."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from analytics.ingest.load import ingest_bytes
from analytics.ingest.parse import Defaults
from analytics.store.db import Database
from tests.filemakers import csv_bytes, org, table

ROOT = Path(__file__).resolve().parents[2]
DEFAULTS = Defaults(
    region="Удмуртская Республика", municipality="г. Глазов", org_type="school", period="2023"
)
ROWS = 400
REPLACED = 100  # organisations the big file replaces, so that the kill hits history too
KILL_POINTS = 24

# The child opens the database, says "ready", ingests the file and says "done" with the
# seconds the ingest took; with "hold" it then waits to be killed instead of closing.
CHILD = """
import sys, time
from pathlib import Path
from analytics.store.db import Database
from analytics.ingest.load import ingest_bytes
from analytics.ingest.parse import Defaults
path, file, mode = sys.argv[1], Path(sys.argv[2]), sys.argv[3]
content = file.read_bytes()
db = Database(path)
defaults = Defaults(region="Удмуртская Республика", municipality="г. Глазов",
                    org_type="school", period="2023")
print("ready", flush=True)
started = time.monotonic()
ingest_bytes(db, file.name, content, defaults=defaults, user="крах")
print("done", time.monotonic() - started, flush=True)
if mode == "hold":
    time.sleep(60)
db.close()
"""


def signature(path: Path) -> dict[str, object]:
    """Every table's row count, the data version and sums over the loaded values."""
    with Database(path) as db:
        tables = db.query(
            "SELECT table_name FROM duckdb_tables() WHERE database_name = current_database() "
            "ORDER BY 1"
        )["table_name"].tolist()
        found: dict[str, object] = {t: db.scalar(f"SELECT count(*) FROM {t}") for t in tables}
        found["data_version"] = db.data_version()
        found["teachers"] = db.scalar("SELECT sum(teachers_total) FROM form_values")
        found["uploads"] = db.query("SELECT upload_id, file_name, rows FROM uploads ORDER BY 1")[
            ["upload_id", "file_name", "rows"]
        ].values.tolist()
    return found


def child(db_path: Path, file: Path, mode: str = "close") -> subprocess.Popen:
    process = subprocess.Popen(
        [sys.executable, "-c", CHILD, str(db_path), str(file), mode],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert process.stdout.readline().strip() == "ready"
    return process


def copy_database(source: Path, target: Path) -> Path:
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(source.read_bytes())
    return target


@pytest.fixture(scope="module")
def scenario(tmp_path_factory: pytest.TempPathFactory) -> dict[str, object]:
    """A database with a first upload (the state before), the big file, the state after
    loading it whole, and how long its ingest takes in a child process."""
    tmp_path = tmp_path_factory.mktemp("crash")
    base = tmp_path / "base" / "monitoring.duckdb"
    with Database(base) as db:
        first = csv_bytes(table([org(f"СОШ № {i}") for i in range(REPLACED)]))
        ingest_bytes(db, "первая.csv", first, defaults=DEFAULTS)
    big = tmp_path / "большой.csv"
    big.write_bytes(
        csv_bytes(table([org(f"СОШ № {i}", teachers_total=50 + i % 7) for i in range(ROWS)]))
    )
    whole = copy_database(base, tmp_path / "whole" / "monitoring.duckdb")
    process = child(whole, big)
    line = process.stdout.readline().split()
    assert process.wait(timeout=120) == 0
    return {
        "tmp": tmp_path,
        "base": base,
        "big": big,
        "before": signature(base),
        "after": signature(whole),
        "duration": float(line[1]),
    }


def test_the_big_file_changes_the_database(scenario):
    before, after = scenario["before"], scenario["after"]
    assert (before["form_values"], after["form_values"]) == (REPLACED, ROWS)
    assert (before["form_history"], after["form_history"]) == (0, REPLACED)


def test_an_ingest_killed_at_any_moment_leaves_the_before_or_the_whole_file(scenario):
    duration = scenario["duration"]
    # From the start of the ingest to a little after its commit (and the close's
    # checkpoint), evenly.
    delays = [duration * 1.2 * i / (KILL_POINTS - 1) for i in range(KILL_POINTS)]
    outcomes = []
    for i, delay in enumerate(delays):
        path = copy_database(scenario["base"], scenario["tmp"] / f"kill-{i}" / "monitoring.duckdb")
        process = child(path, scenario["big"])
        time.sleep(delay)
        os.kill(process.pid, signal.SIGKILL)
        process.wait(timeout=30)
        found = signature(path)
        assert found in (scenario["before"], scenario["after"]), f"kill after {delay:.2f} s"
        outcomes.append("before" if found == scenario["before"] else "after")
    assert outcomes[0] == "before"
    assert len(outcomes) == KILL_POINTS


def test_a_committed_upload_killed_before_its_checkpoint_is_replayed_from_the_log(scenario):
    path = copy_database(scenario["base"], scenario["tmp"] / "wal" / "monitoring.duckdb")
    small = scenario["tmp"] / "малый.csv"
    small.write_bytes(csv_bytes(table([org("Гимназия № 1"), org("Гимназия № 2")])))
    process = child(path, small, mode="hold")
    assert process.stdout.readline().startswith("done")
    os.kill(process.pid, signal.SIGKILL)
    process.wait(timeout=30)
    assert path.with_name(path.name + ".wal").stat().st_size > 0
    found = signature(path)
    assert found["form_values"] == REPLACED + 2
    assert found["uploads"] == [[1, "первая.csv", REPLACED], [2, "малый.csv", 2]]
    assert found["data_version"] == scenario["before"]["data_version"] + 1
