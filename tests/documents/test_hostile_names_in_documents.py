"""Every document and workbook the engine writes carries an organisation's name as typed
(issue 24, item 8): a name that looks like a formula (``=HYPERLINK(…)``, ``+cmd``,
``-1+1``, ``@SUM``) is a text cell, never a live formula, and markdown or HTML in a name
(``**bold**``, ``<b>x</b>``, ``[link](…)``, ``<script>``) is literal text — in the
analytic note, the deck and its chart workbooks, the school notes and their ZIP, the
protocol, the round's templates and their ZIP, the «не представили» list and letter."""

from __future__ import annotations

import io
import zipfile
from datetime import date, datetime

import openpyxl
import pytest
from docx import Document
from pptx import Presentation

from analytics.compute.lookups import find_territory
from analytics.documents import images
from analytics.ingest.load import ingest_bytes
from analytics.ingest.parse import Defaults
from analytics.meetings.decisions import Assignment
from analytics.meetings.meetings import Sitting
from analytics.operations.access import LOCAL_PRINCIPAL, View
from analytics.store.db import Database
from analytics.store.scope import Scope
from tests.filemakers import csv_bytes, org, table

FORMULAS = ('=HYPERLINK("http://x","жми")', "+cmd|' /C calc'!A0", "-1+1", "@SUM(1+1)")
MARKUP = (
    "Гимназия **bold**",
    "Лицей <b>x</b>",
    "Интернат [link](http://x)",
    "Кадетский корпус <script>alert(1)</script>",
)
HOSTILE = (*FORMULAS, *MARKUP)
# What a name's markup would leave in the text if something interpreted it.
INTERPRETED = ("Гимназия bold", "Лицей x", "Интернат link", "корпус alert")
DEFAULTS = Defaults(
    region="Удмуртская Республика", municipality="г. Глазов", org_type="school", period="2023"
)


@pytest.fixture
def hostile(fresh_db: Database, monkeypatch: pytest.MonkeyPatch) -> tuple[View, int]:
    """Forms of 2023 from the eight hostile names and two ordinary schools of г. Глазов
    (most of them below their targets), and a round of 2024 none of them has answered."""
    monkeypatch.setattr(images, "images_available", lambda: False)  # the deck's own charts
    names = [*HOSTILE, "МБОУ «СОШ № 2»", "МБОУ «СОШ № 3»"]
    rows = [org(name, teachers_total=40 + n, has_regulation="нет") for n, name in enumerate(names)]
    ingest_bytes(fresh_db, "формы.csv", csv_bytes(table(rows)), defaults=DEFAULTS)
    town = find_territory(fresh_db, "municipality", "г. Глазов")
    assert town is not None
    return View(fresh_db, LOCAL_PRINCIPAL), int(town)


def org_id(view: View, name: str) -> int:
    return int(view.db.scalar("SELECT org_id FROM organizations WHERE name = ?", [name]))


def texts(name: str, content: bytes) -> tuple[list[str], list[str]]:
    """Every text of a file (a cell's, a paragraph's, a shape's), and every formula of
    its workbooks' cells; a ZIP's members read as files of their own."""
    found: list[str] = []
    formulas: list[str] = []
    if name.endswith(".zip"):
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            for member in archive.namelist():
                inner, inner_formulas = texts(member, archive.read(member))
                found += inner
                formulas += inner_formulas
    elif name.endswith(".xlsx"):
        for sheet in openpyxl.load_workbook(io.BytesIO(content)).worksheets:
            for row in sheet.iter_rows():
                for cell in row:
                    if cell.data_type == "f":
                        formulas.append(str(cell.value))
                    elif cell.value is not None:
                        found.append(str(cell.value))
    elif name.endswith(".docx"):
        document = Document(io.BytesIO(content))
        found += [p.text for p in document.paragraphs]
        for grid in document.tables:
            found += [cell.text for row in grid.rows for cell in row.cells]
        for section in document.sections:
            found += [p.text for p in (*section.header.paragraphs, *section.footer.paragraphs)]
    elif name.endswith(".pptx"):
        for slide in Presentation(io.BytesIO(content)).slides:
            for shape in slide.shapes:
                if shape.has_text_frame:
                    found.append(shape.text_frame.text)
                if shape.has_table:
                    found += [c.text for row in shape.table.rows for c in row.cells]
                if shape.has_chart:
                    blob = shape.chart.part.chart_workbook.xlsx_part.blob
                    inner, inner_formulas = texts("chart.xlsx", blob)
                    found += inner
                    formulas += inner_formulas
    else:
        raise AssertionError(f"no reader for {name}")
    return found, formulas


def assert_literal(name: str, content: bytes, expected: tuple[str, ...]) -> None:
    """No formula holds a hostile name, every name of ``expected`` appears as typed, and
    no text holds a name's markup interpreted."""
    found, formulas = texts(name, content)
    everything = "\n".join(found)
    assert [
        f for f in formulas if any(part in f for part in ("HYPERLINK", "cmd", "SUM", "1+1"))
    ] == []
    assert [n for n in expected if n not in everything] == []
    assert [t for t in found if any(mark in t for mark in INTERPRETED)] == []


def test_the_analytic_note_and_its_appendix_carry_hostile_names_as_typed(hostile):
    view, town = hostile
    content = view.report(Scope(periods=("2023",), municipality_id=town), appendix=True)

    assert_literal("note.docx", content, HOSTILE)


def test_the_deck_and_its_chart_workbooks_carry_hostile_names_as_typed(hostile):
    view, town = hostile
    content = view.deck(Scope(periods=("2023",), municipality_id=town))

    assert_literal("deck.pptx", content, ())


@pytest.mark.parametrize("name", HOSTILE)
def test_a_school_note_carries_its_hostile_name_as_typed(hostile, name):
    view, _ = hostile
    content = view.school_note(Scope(periods=("2023",), org_id=org_id(view, name)))

    assert_literal("note.docx", content, (name,))


def test_the_school_notes_zip_carries_every_hostile_name_as_typed(hostile):
    view, town = hostile
    content = view.school_notes_zip(Scope(periods=("2023",), municipality_id=town))

    assert_literal("notes.zip", content, HOSTILE)


def test_the_protocol_carries_hostile_names_in_its_decisions_as_typed(hostile):
    view, town = hostile
    meeting = view.create_meeting(
        Scope(periods=("2023",), municipality_id=town), Sitting(date(2023, 6, 1))
    )
    for name in HOSTILE:
        view.add_decision(
            meeting,
            Scope(org_id=org_id(view, name), indicators=("regulation",)),
            Assignment("Утвердить положение", "Иванова А. П.", date(2023, 12, 1)),
        )

    assert_literal("protocol.docx", view.protocol(meeting), HOSTILE)


@pytest.fixture
def round_id(hostile) -> int:
    view, town = hostile
    return view.open_round(
        "2024",
        starts_on=date(2024, 6, 1),
        due_on=date(2024, 6, 10),
        order_number="15-р",
        order_date=date(2024, 5, 20),
        municipality_id=town,
        now=datetime(2024, 6, 1, 9),
    )


def test_the_rounds_templates_carry_hostile_names_as_text_cells(hostile, round_id):
    view, town = hostile

    content = view.round_templates_zip(round_id, Scope(municipality_id=town))

    assert_literal("templates.zip", content, HOSTILE)


def test_the_not_submitted_list_and_letter_carry_hostile_names_as_typed(hostile, round_id):
    view, _ = hostile
    today = date(2024, 6, 20)

    assert_literal("list.xlsx", view.round_not_submitted_xlsx(round_id, today), HOSTILE)
    assert_literal("letter.docx", view.round_letter(round_id, today), HOSTILE)
