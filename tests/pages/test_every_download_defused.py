"""Formula injection in every download a page offers (issue 24, item 8): with schools
named ``=HYPERLINK(…)``, ``+cmd``, ``-1+1`` and ``@SUM(…)``, every file a page's
download buttons give — built at once or on the click — has no formula cell holding a
name, every name in an XLSX is a text cell, and every name in a CSV carries the
apostrophe that keeps a spreadsheet from running it."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from streamlit.proto.NewSession_pb2 import Config
from streamlit.runtime.app_session import _populate_config_msg
from streamlit.runtime.media_file_manager import MediaFileManager

from analytics.ingest.load import ingest_bytes
from analytics.ingest.parse import Defaults
from analytics.store.db import Database
from tests.apptest import assert_clean, open_page
from tests.conftest import copy_of
from tests.documents.test_hostile_names_in_documents import texts
from tests.filemakers import csv_bytes, org, table

ROOT = Path(__file__).resolve().parents[2]
PAGES = ["dashboard.py", *sorted(f"pages/{p.name}" for p in (ROOT / "pages").glob("*.py"))]
FORMULAS = ('=HYPERLINK("http://x","жми")', "+cmd|' /C calc'!A0", "-1+1", "@SUM(1+1)")
DEFAULTS = Defaults(
    region="Удмуртская Республика", municipality="г. Глазов", org_type="school", period="2023"
)


@pytest.fixture(scope="module")
def formula_db_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Four schools named as formulas and two ordinary ones, in one municipality, loaded
    once for the module."""
    path = tmp_path_factory.mktemp("formula_db") / "monitoring.duckdb"
    names = [*FORMULAS, "МБОУ «СОШ № 2»", "МБОУ «СОШ № 3»"]
    rows = [org(name, teachers_total=40 + n, has_regulation="нет") for n, name in enumerate(names)]
    with Database(path) as db:
        ingest_bytes(db, "формы.csv", csv_bytes(table(rows)), defaults=DEFAULTS)
    return path


@pytest.fixture
def formula_db(formula_db_template: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A copy of the schools' database of the test's own, set as the dashboard's."""
    path = copy_of(formula_db_template, tmp_path)
    monkeypatch.setenv("MONITORING_DB", str(path))
    return path


@contextmanager
def offered() -> Iterator[dict[str, Callable[[], bytes]]]:
    """Every file the page's download buttons give, by file name."""
    files: dict[str, Callable[[], bytes]] = {}
    add, add_deferred = MediaFileManager.add, MediaFileManager.add_deferred

    def eager(self, data, mimetype, coordinates, file_name=None, *args, **kwargs):
        if file_name and isinstance(data, bytes):
            files[file_name] = lambda: data
        return add(self, data, mimetype, coordinates, file_name, *args, **kwargs)

    def deferred(self, data_callable, mimetype, coordinates, file_name=None, **kwargs):
        files[file_name] = data_callable
        return add_deferred(self, data_callable, mimetype, coordinates, file_name, **kwargs)

    MediaFileManager.add, MediaFileManager.add_deferred = eager, deferred
    try:
        yield files
    finally:
        MediaFileManager.add, MediaFileManager.add_deferred = add, add_deferred


def live_names(name: str, content: bytes) -> list[str]:
    """Names that a spreadsheet opening the file would run as formulas."""
    if name.endswith(".csv"):
        text = content.decode("utf-8-sig")
        cells = [c for row in csv.reader(io.StringIO(text), delimiter=";") for c in row]
        return [c for c in cells if c in FORMULAS]
    if name.endswith((".xlsx", ".zip", ".docx", ".pptx")):
        _, formulas = texts(name, content)
        return [
            f for f in formulas if any(part in f for part in ("HYPERLINK", "cmd", "SUM", "1+1"))
        ]
    return []


@pytest.mark.parametrize("page", PAGES)
def test_no_download_of_the_page_runs_a_name_as_a_formula(formula_db, page):
    with offered() as files:
        at = open_page(page, {"period": "2023"}, timeout=60)
    assert_clean(at)

    built = {name: make() for name, make in files.items()}

    assert {name: live_names(name, content) for name, content in built.items()} == {
        name: [] for name in built
    }


def test_the_deficits_tables_download_every_formula_name_as_text(formula_db):
    with offered() as files:
        open_page("pages/deficits.py", {"period": "2023"}, timeout=60)

    text = files["Дефициты_организаций.csv"]().decode("utf-8-sig")
    cells = {c for row in csv.reader(io.StringIO(text), delimiter=";") for c in row}
    found, formulas = texts("list.xlsx", files["Дефициты_организаций.xlsx"]())

    assert {"'" + name for name in FORMULAS} <= cells
    assert set(FORMULAS) <= set(found)
    assert formulas == []


def test_the_data_grids_own_csv_download_is_not_offered_to_any_browser():
    """Streamlit's grid would write its own CSV, names undefused: every session is told
    not to offer it (``client.disableDataExport``), so our exports are the only ones."""
    message = Config()
    _populate_config_msg(message)

    assert message.disable_data_export is True
