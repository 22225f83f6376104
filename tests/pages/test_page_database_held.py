"""The dashboard holds its database during a page run only: between runs another process
(the command line) may open it for writing."""

from __future__ import annotations

import subprocess
import sys
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
