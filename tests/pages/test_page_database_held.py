"""The dashboard holds its database during a page run only: between runs another process
(the command line) may open it for writing."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

from tests.apptest import assert_clean, open_page
from tests.conftest import ROOT
from tests.processes import hold

# Another process writing the database as the command line does: waiting for it.
WRITE = (
    "import sys; from analytics.store.opening import open_database; "
    "db = open_database(sys.argv[1], write=True, wait=30); db.set_meta('written', 1); db.close()"
)


def test_another_process_may_write_the_database_between_two_page_runs(
    app_db: Path,
):
    at = open_page("dashboard.py")
    assert_clean(at)

    written = subprocess.run(
        [sys.executable, "-c", WRITE, str(app_db)],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=ROOT,
    )
    at.run()

    assert (written.returncode, written.stderr) == (0, "")
    assert_clean(at)


def test_a_page_run_waits_while_another_process_holds_the_database_and_then_shows_the_page(
    app_db: Path,
):
    holder = hold(app_db, 3)
    try:
        at = open_page("dashboard.py")
    finally:
        holder.wait()

    assert_clean(at)
    assert at.title[0].value == "Обзор"


def test_the_command_line_writes_beside_a_publishing_writer_and_replicas_get_its_data(
    app_db: Path, tmp_path: Path, monkeypatch
):
    # The writer of scripts/serve.sh: it publishes its database for the replicas.
    published = tmp_path / "snapshots"
    monkeypatch.setenv("MONITORING_SNAPSHOTS_DIR", str(published))
    at = open_page("dashboard.py")
    assert_clean(at)
    pointer = published / "CURRENT"
    first = published_version(pointer, lambda v: v is not None)

    written = subprocess.run(
        [sys.executable, "-c", WRITE, str(app_db)],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=ROOT,
    )
    later = published_version(pointer, lambda v: v != first)

    assert (written.returncode, written.stderr) == (0, "")
    assert later == first + 1


def published_version(pointer: Path, wanted) -> int | None:
    """The data version of the snapshot ``CURRENT`` names, once ``wanted`` of it (the
    writer publishes every 10 s; 30 s at most)."""
    deadline = time.monotonic() + 30
    while True:
        text = pointer.read_text().strip() if pointer.exists() else ""
        version = int(text.removeprefix("monitoring-v").removesuffix(".duckdb")) if text else None
        if wanted(version) or time.monotonic() > deadline:
            return version
        time.sleep(0.5)
