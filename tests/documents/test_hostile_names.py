"""What a hostile upload or URL must not do to a page: markdown in an organisation's name
is shown as typed, an id of non-ASCII digits in the URL is ignored quietly, and the
analytic note names the uploaded files only to those who may read the upload log."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from docx import Document

from analytics.ingest.load import ingest_bytes
from analytics.ingest.parse import Defaults
from analytics.operations.access import Principal, View
from analytics.operations.users import Role
from analytics.store.db import Database
from analytics.store.scope import Scope
from tests.apptest import assert_clean, open_page
from tests.filemakers import csv_bytes, org, table
from ui.text import md

HOSTILE = "**Жирная** [ссылка](http://evil.example) $x^2$ :red[красная]"
DEFAULTS = Defaults(
    region="Удмуртская Республика", municipality="г. Глазов", org_type="school", period="2023"
)
FILE = "секретный_список_директора.csv"


@pytest.fixture
def hostile_db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The dashboard's database: a hostile name and two ordinary schools."""
    path = tmp_path / "monitoring.duckdb"
    names = [HOSTILE, "МБОУ «СОШ № 2»", "МБОУ «СОШ № 3»"]
    with Database(path) as db:
        ingest_bytes(db, FILE, csv_bytes(table([org(n) for n in names])), defaults=DEFAULTS)
    monkeypatch.setenv("MONITORING_DB", str(path))
    return path


def org_id(path: Path, name: str) -> int:
    with Database(path, read_only=True) as db:
        return int(db.scalar("SELECT org_id FROM organizations WHERE name = ?", [name]))


def test_markdown_in_an_organisations_name_is_shown_as_typed_in_the_overview(hostile_db):
    school = org_id(hostile_db, HOSTILE)

    at = open_page("dashboard.py", {"org": str(school), "period": "2023"})

    assert_clean(at)
    assert [c.value for c in at.caption if "Жирная" in c.value] == [md(f"{HOSTILE} · 2023 год")]


def test_an_organisation_id_of_non_ascii_digits_in_the_url_is_ignored(hostile_db):
    at = open_page("dashboard.py", {"org": "²", "region": "٣", "municipality": "¹²"})

    assert_clean(at)
    assert at.title[0].value == "Обзор"


def test_a_meeting_id_of_non_ascii_digits_in_the_url_is_ignored(hostile_db):
    at = open_page("pages/meeting.py", {"meeting": "²"})

    assert_clean(at)


def note_text(role: Role, path: Path) -> str:
    with Database(path, read_only=True) as db:
        content = View(db, Principal("читатель", role)).report(Scope(periods=("2023",)))
    return "\n".join(p.text for p in Document(io.BytesIO(content)).paragraphs)


@pytest.mark.parametrize("role", [Role.VIEWER, Role.ANALYST])
def test_the_analytic_note_describes_its_sources_in_words_without_file_names(hostile_db, role):
    text = note_text(role, hostile_db)

    assert FILE not in text
    assert "Источники данных — формы мониторинга ОО за 2023 год от 3 " in text
