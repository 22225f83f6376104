"""The command line beside a running dashboard (single-process mode, scripts/start.sh):
the dashboard holds the database during a page run only, so a command-line upload waits
at most for that run, succeeds, and the next page run shows its figure."""

from __future__ import annotations

import asyncio
import io
import re
import subprocess
import sys
from pathlib import Path

import pytest

from analytics.cli.main import main
from benchmarks.server import served_page_run, start_server
from tests.browser.harness import free_port
from tests.conftest import ROOT
from tests.filemakers import FULL_COLUMNS, located_org, table, write_csv

# One school of two has a regulation on mentoring; the upload adds a third that has one.
BEFORE = [
    located_org("Школа 1", "г. Альфа"),
    located_org("Школа 2", "г. Альфа", has_regulation="нет"),
]
ADDED = [located_org("Школа 3", "г. Альфа")]
COMMAND = (sys.executable, "-m", "analytics")


def regulation(text: str) -> str:
    """«N из M ОО» of the overview's card of the regulation share, as the page sent it."""
    found = re.search(r"Доля ОО с утверждённым положением о наставничестве\. ([^;]*);", text)
    return found.group(1) if found else ""


def with_regulation(schools: list[dict[str, object]]) -> str:
    """«N из M ОО» counted from the rows of the files."""
    counted = sum(s["has_regulation"] == "да" for s in schools)
    return f"{counted} из {len(schools)} ОО"


def page_text(port: int, page_name: str, query: dict[str, str]) -> str:
    """What one run of the page sends a browser, as text (the deltas' strings are UTF-8
    in the protobuf bytes)."""
    chunks: list[bytes] = []
    asyncio.run(served_page_run(port, page_name, query, 120, into=chunks))
    return b"".join(chunks).decode("utf-8", errors="replace")


@pytest.fixture
def dashboard(tmp_path) -> tuple[Path, int]:
    """A dashboard served on a database holding :data:`BEFORE` (port, database)."""
    database = tmp_path / "data" / "m.duckdb"
    first = write_csv(tmp_path / "формы.csv", table(BEFORE, FULL_COLUMNS))
    assert main(["--db", str(database), "ingest", str(first)], out=io.StringIO()) == 0
    port = free_port()
    server = start_server(database, port)
    try:
        yield database, port
    finally:
        server.kill()
        server.wait()


def test_an_upload_beside_a_running_dashboard_succeeds_and_the_next_page_run_shows_it(
    dashboard, tmp_path
):
    database, port = dashboard
    query = {"period": "2023"}
    before = page_text(port, "", query)
    added = write_csv(tmp_path / "формы-2.csv", table(ADDED, FULL_COLUMNS))

    done = subprocess.run(
        [*COMMAND, "--db", str(database), "ingest", str(added), "--wait", "30"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    after = page_text(port, "", query)

    # The dashboard holds its database between page runs until a command asks for it.
    assert (done.returncode, done.stderr) == (
        0,
        "База данных занята другим процессом; ждём до 30 с…\n",
    )
    assert done.stdout == (
        "формы-2.csv: загружено строк — 1, новых организаций — 1, заменено форм — 0 "
        "(загрузка № 2)\n"
    )
    assert regulation(before) == with_regulation(BEFORE) == "1 из 2 ОО"
    assert regulation(after) == with_regulation(BEFORE + ADDED) == "2 из 3 ОО"
