"""Markdown and HTML in an organisation's name are shown as typed on every page: no text
Streamlit renders as markdown (texts, headings, alerts, captions, widget labels and
help, tabs and expanders) and no chart label Plotly renders as HTML carries the name
unescaped (issue 24, item 8)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from google.protobuf.json_format import MessageToDict
from streamlit.testing.v1 import AppTest

from analytics.ingest.load import ingest_bytes
from analytics.ingest.parse import Defaults
from analytics.store.db import Database
from tests.apptest import assert_clean, open_page
from tests.conftest import copy_of
from tests.filemakers import csv_bytes, org, table

ROOT = Path(__file__).resolve().parents[2]
PAGES = ["dashboard.py", *sorted(f"pages/{p.name}" for p in (ROOT / "pages").glob("*.py"))]
HOSTILE = ("**bold**", "<b>x</b>", "[link](http://x)", "<script>alert(1)</script>")
# What Plotly acts on in a label: HTML, not markdown.
HOSTILE_HTML = ("<b>x</b>", "<script>alert(1)</script>")
DEFAULTS = Defaults(
    region="Удмуртская Республика", municipality="г. Глазов", org_type="school", period="2023"
)
# Proto fields Streamlit renders as markdown (``body`` of texts, headings and alerts).
MARKDOWN_FIELDS = {"body", "label", "help", "caption", "placeholder"}
# Elements whose ``body`` is shown literally.
LITERAL_ELEMENTS = {"code", "dataframe", "arrowDataFrame", "exception"}


@pytest.fixture(scope="module")
def hostile_db_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The dashboard's database: four schools named with markdown and HTML, three
    ordinary ones, in one municipality, loaded once for the module."""
    path = tmp_path_factory.mktemp("hostile_db") / "monitoring.duckdb"
    names = [*HOSTILE, "МБОУ «СОШ № 2»", "МБОУ «СОШ № 3»", "МБОУ «СОШ № 4»"]
    rows = [org(name, teachers_total=40 + n) for n, name in enumerate(names)]
    with Database(path) as db:
        ingest_bytes(db, "формы.csv", csv_bytes(table(rows)), defaults=DEFAULTS)
    return path


@pytest.fixture
def hostile_db(hostile_db_template: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A copy of the schools' database of the test's own, set as the dashboard's."""
    path = copy_of(hostile_db_template, tmp_path)
    monkeypatch.setenv("MONITORING_DB", str(path))
    return path


def rendered_sources(at: AppTest) -> tuple[list[str], list[str]]:
    """Every markdown source on the page, and every string of every chart spec."""
    found: list[str] = []
    charts: list[str] = []

    def strings(value: object) -> None:
        if isinstance(value, str):
            charts.append(value)
        elif isinstance(value, dict):
            for item in value.values():
                strings(item)
        elif isinstance(value, list):
            for item in value:
                strings(item)

    def markdown(message: dict) -> None:
        for key, value in message.items():
            if key in LITERAL_ELEMENTS:
                continue
            if key in MARKDOWN_FIELDS and isinstance(value, str):
                found.append(value)
            elif isinstance(value, dict):
                markdown(value)

    def walk(node: object) -> None:
        kind = getattr(node, "type", None)
        proto = getattr(node, "proto", None)
        if kind == "plotly_chart":
            strings(json.loads(proto.spec))  # type: ignore[union-attr]
        elif proto is not None and kind not in LITERAL_ELEMENTS:
            markdown(MessageToDict(proto))
        for child in getattr(node, "children", {}).values():
            walk(child)

    walk(at._tree)
    return found, charts


def unescaped(at: AppTest) -> list[str]:
    """Markdown sources with a name as typed, chart labels with its HTML as typed."""
    texts, charts = rendered_sources(at)
    return [s for s in texts if any(name in s for name in HOSTILE)] + [
        s for s in charts if any(name in s for name in HOSTILE_HTML)
    ]


@pytest.mark.parametrize("page", PAGES)
def test_markdown_and_html_in_organisation_names_are_shown_as_typed_on_the_page(hostile_db, page):
    at = open_page(page, {"period": "2023"}, timeout=60)

    assert_clean(at)
    assert unescaped(at) == []


@pytest.mark.parametrize("name", HOSTILE)
def test_a_hostile_organisations_own_page_shows_its_name_as_typed(hostile_db, name):
    with Database(hostile_db, read_only=True) as db:
        school = int(db.scalar("SELECT org_id FROM organizations WHERE name = ?", [name]))

    at = open_page("pages/organization.py", {"org": str(school), "period": "2023"}, timeout=60)

    assert_clean(at)
    assert unescaped(at) == []
    texts, _ = rendered_sources(at)
    assert any(name in s.replace("\\", "") for s in texts)
