"""Russian everywhere: every page, opened as the administrator, and every document the
dashboard gives away (the analytic note, a school's note, the protocol, the deck, the
XLSX tables) shows no English word. A word is a run of two or more Latin letters; file
formats, units and keys a user types are allowed by name (:data:`ALLOWED`)."""

from __future__ import annotations

import io
import json
import re
import shutil
import zipfile
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from analytics.compute import lookups
from analytics.documents.exports import table_xlsx
from analytics.meetings.decisions import Assignment, add_decision
from analytics.meetings.meetings import Sitting, create_meeting
from analytics.operations.access import LOCAL_PRINCIPAL, View
from analytics.operations.users import Role, UserStore
from analytics.store.db import Database
from analytics.store.scope import Scope
from tests import apptest
from tests.conftest import ROOT

PAGES = ["dashboard.py", *sorted(f"pages/{p.name}" for p in (ROOT / "pages").glob("*.py"))]
PASSWORD = "пароль-для-теста"
# Formats, keys and abbreviations a Russian user reads as they are.
ALLOWED = frozenset(
    {"XLSX", "XLSM", "XLS", "CSV", "ODS", "PDF", "DOCX", "PPTX", "PNG", "SVG", "ZIP", "HTML"}
    | {"F11", "URL", "Excel", "UTF", "BOM", "SHA"}
    # The login of the crawl's administrator, shown as typed.
    | {"admin"}
)
LATIN_WORD = re.compile(r"[A-Za-z][A-Za-z0-9]*[A-Za-z0-9]")
# Not words a user reads: markup, icons, links, plotly placeholders.
NOT_TEXT = re.compile(
    r"<[^>]*>|:material/\w+:|https?://\S+|\]\([^)]*\)|%\{[^}]*\}|&\w+;|\*\*|`[^`]*`"
    # Coloured text and badges (the words inside stay), e-mail addresses, file digests.
    r"|:[a-z]+(?:-[a-z]+)*\[|\S+@\S+|\b[0-9a-f]{64}\b"
)
# Proto fields that hold what a user reads (widget labels, options, texts).
SHOWN_FIELDS = frozenset(
    {"body", "label", "help", "placeholder", "options", "content", "title", "caption"}
    | {"delta", "text", "empty_state_text", "tooltip"}
)


def english(texts: list[str]) -> list[str]:
    """The English words of ``texts``, each with the text it was found in."""
    found = []
    for text in texts:
        plain = NOT_TEXT.sub(" ", str(text))
        words = [
            w for w in LATIN_WORD.findall(plain) if w not in ALLOWED and w.upper() not in ALLOWED
        ]
        if words:
            found.append(f"{' '.join(words)} ← {plain.strip()[:120]}")
    return sorted(set(found))


def proto_strings(message: object) -> list[str]:
    """The shown string fields of a proto message and of the messages inside it."""
    strings = []
    for field, value in message.ListFields():  # type: ignore[attr-defined]
        single = isinstance(value, (str, bytes, int, float)) or hasattr(value, "ListFields")
        values = [value] if single else list(value)
        for item in values:
            if isinstance(item, str) and field.name in SHOWN_FIELDS:
                strings.append(item)
            elif hasattr(item, "ListFields"):
                strings.extend(proto_strings(item))
    return strings


def frame_strings(frame: pd.DataFrame) -> list[str]:
    strings = [str(c) for c in frame.columns]
    for column in frame.columns:
        strings.extend(v for v in frame[column].tolist() if isinstance(v, str))
        # A missing value must show as an empty cell, not as a word.
        strings.extend("None" for v in frame[column].tolist() if v is None)
    return strings


def plot_strings(spec: dict) -> list[str]:
    """The texts of a plotly figure: titles, axis titles, annotations, labels, hovers."""
    strings: list[str] = []

    def walk(node: object, key: str = "") -> None:
        if isinstance(node, dict):
            for k, v in node.items():
                walk(v, k)
        elif isinstance(node, list):
            for v in node:
                walk(v, key)
        elif isinstance(node, str) and key in {"text", "hovertext", "name", "x", "y", "ticktext"}:
            strings.append(node)

    walk({"data": spec.get("data", []), "layout": spec.get("layout", {})})
    return strings


def page_strings(at: AppTest) -> list[str]:
    """Everything a page shows: texts, labels, options, tables, charts."""
    strings: list[str] = []

    def walk(node: object) -> None:
        kind = getattr(node, "type", None)
        proto = getattr(node, "proto", None)
        if kind in {"dataframe", "table"}:
            strings.extend(frame_strings(node.value))  # type: ignore[attr-defined]
        elif kind == "plotly_chart":
            strings.extend(plot_strings(json.loads(proto.spec)))  # type: ignore[union-attr]
        elif kind == "html":
            pass  # the pages' style sheets
        elif proto is not None and hasattr(proto, "ListFields"):
            strings.extend(proto_strings(proto))
        for child in getattr(node, "children", {}).values():
            walk(child)

    walk(at._tree)
    return strings


@pytest.fixture(scope="module")
def crawl(demo_template: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict]:
    """Every page opened as the administrator on the demo data with a meeting and a
    decision; yields the strings of each page and the tables its XLSX buttons export."""
    db_path = tmp_path_factory.mktemp("russian") / "monitoring.duckdb"
    shutil.copy(demo_template, db_path)
    with Database(db_path) as db:
        meeting_id = create_meeting(
            db, Scope(periods=(lookups.periods(db)[-1],)), Sitting(date(2024, 9, 20))
        )
        region = int(lookups.hierarchy(db)["region_id"].min())
        add_decision(
            db,
            meeting_id,
            Scope(region_id=region, indicators=("databases",)),
            Assignment("Сформировать базы", "Кардакова Е. А.", date(2024, 10, 20)),
        )
    users = UserStore(db_path.parent / "users.json")
    users.add("admin", Role.ADMIN, PASSWORD)
    exports: list[tuple] = []
    with pytest.MonkeyPatch.context() as patch:
        import ui.tables

        original = ui.tables.table_downloads

        def recording(frame, name, context, key, **options):
            table = frame if options.get("export") is None else options["export"]
            # A table built when its button is clicked is built here, to be read too.
            exports.append((table() if callable(table) else table, name, list(context)))
            return original(frame, name, context, key, **options)

        patch.setattr(ui.tables, "table_downloads", recording)
        patch.setenv("MONITORING_DB", str(db_path))
        patch.setenv("MONITORING_USERS", str(users.path))
        shown = {}
        for page in PAGES:
            at = apptest.open_page(page, login="admin", timeout=60)
            apptest.assert_clean(at)
            shown[page] = page_strings(at)
        yield {"pages": shown, "exports": exports, "db": db_path, "meeting": meeting_id}


@pytest.mark.parametrize("page", PAGES)
def test_every_page_reads_in_russian(crawl, page: str):
    assert english(crawl["pages"][page]) == []


def test_every_exported_table_reads_in_russian(crawl):
    from openpyxl import load_workbook

    texts = []
    for frame, name, context in crawl["exports"]:
        book = load_workbook(io.BytesIO(table_xlsx(frame, name, context)))
        for sheet in book.worksheets:
            texts.append(sheet.title)
            texts.extend(
                cell.value
                for row in sheet.iter_rows()
                for cell in row
                if isinstance(cell.value, str)
            )
    assert crawl["exports"]
    assert english(texts) == []


def docx_text(data: bytes) -> list[str]:
    from docx import Document

    document = Document(io.BytesIO(data))
    texts = [p.text for p in document.paragraphs]
    for table in document.tables:
        texts.extend(cell.text for row in table.rows for cell in row.cells)
    for section in document.sections:
        texts.extend(p.text for p in section.footer.paragraphs + section.header.paragraphs)
    return texts


def pptx_text(data: bytes) -> list[str]:
    from pptx import Presentation

    texts = []
    for slide in Presentation(io.BytesIO(data)).slides:
        for shape in slide.shapes:
            if shape.has_text_frame:
                texts.append(shape.text_frame.text)
            if shape.has_table:
                texts.extend(c.text for row in shape.table.rows for c in row.cells)
            if shape.has_chart:
                chart = shape.chart
                texts.extend(str(c) for c in chart.plots[0].categories)
                if chart.has_title:
                    texts.append(chart.chart_title.text_frame.text)
    return texts


def test_every_document_reads_in_russian(crawl):
    with Database(crawl["db"]) as db:
        view = View(db, LOCAL_PRINCIPAL)
        period = lookups.periods(db)[-1]
        hierarchy = lookups.hierarchy(db)
        municipality = int(hierarchy["municipality_id"].min())
        org = int(hierarchy["org_id"].min())
        documents = {
            "справка": docx_text(view.report(Scope(periods=(period,)), appendix=True)),
            "протокол": docx_text(view.protocol(crawl["meeting"])),
            "презентация": pptx_text(view.deck(Scope(periods=(period,)))),
            "записка школы": docx_text(view.school_note(Scope(periods=(period,), org_id=org))),
        }
        with zipfile.ZipFile(
            io.BytesIO(
                view.school_notes_zip(Scope(periods=(period,), municipality_id=municipality))
            )
        ) as notes:
            documents["архив записок"] = [
                text for name in notes.namelist() for text in [name, *docx_text(notes.read(name))]
            ]
    assert {name: english(texts) for name, texts in documents.items()} == {
        name: [] for name in documents
    }
