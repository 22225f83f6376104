"""A curator's school notes, as a ZIP of their municipality (issue 24, item 8): their own
organisation only, no other school's name, the municipal column blank where their window
blanks it, and no count of the organisations behind it."""

from __future__ import annotations

import io
import zipfile

import pytest
from docx import Document

from analytics.operations.access import LOCAL_PRINCIPAL, Principal, View
from analytics.operations.users import Role
from analytics.store.db import Database
from analytics.store.scope import Scope
from tests.compute.test_disclosure import PERIOD, form, load
from tests.filemakers import org_id


@pytest.fixture
def glazov(fresh_db: Database) -> tuple[Database, int]:
    """г. Глазов: the curator's СОШ № 1 and one other school; two towns of three schools
    each in the same region."""
    rows = [
        form("СОШ № 1", "г. Глазов"),
        form("СОШ № 2", "г. Глазов", mentors_trained=1, has_regulation="нет"),
    ]
    for town in ("г. Сарапул", "г. Воткинск"):
        rows += [form(f"{town} СОШ № {n}", town, mentors_trained=n) for n in (2, 3, 4)]
    load(fresh_db, rows)
    town = fresh_db.scalar("SELECT municipality_id FROM municipalities WHERE name = 'г. Глазов'")
    return fresh_db, int(town)


def notes(view: View, town: int) -> dict[str, Document]:
    content = view.school_notes_zip(Scope(periods=(PERIOD,), municipality_id=town))
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        return {name: Document(io.BytesIO(archive.read(name))) for name in archive.namelist()}


def text(document: Document) -> str:
    cells = [c.text for table in document.tables for row in table.rows for c in row.cells]
    return "\n".join([p.text for p in document.paragraphs] + cells)


def municipal_column(document: Document) -> dict[str, str]:
    rows = document.tables[0].rows
    column = [c.text for c in rows[0].cells].index("г. Глазов")
    return {row.cells[0].text: row.cells[column].text for row in rows[1:]}


def test_a_curators_notes_zip_holds_their_school_only_and_names_no_other(glazov):
    db, town = glazov
    curator = View(db, Principal("куратор", Role.CURATOR, frozenset({org_id(db, "СОШ № 1")})))

    found = notes(curator, town)

    assert list(found) == ["СОШ № 1.docx"]
    assert "СОШ № 2" not in text(found["СОШ № 1.docx"])
    assert sorted(notes(View(db, LOCAL_PRINCIPAL), town)) == ["СОШ № 1.docx", "СОШ № 2.docx"]


def test_a_curators_note_leaves_a_two_school_municipality_blank_and_uncounted(glazov):
    """The administrator's note gives г. Глазов's «Положение о наставничестве» as 50,0 %
    «по 2 организациям»: with the curator's own «да», the other school's «нет»."""
    db, town = glazov
    curator = View(db, Principal("куратор", Role.CURATOR, frozenset({org_id(db, "СОШ № 1")})))

    everyone = notes(View(db, LOCAL_PRINCIPAL), town)["СОШ № 1.docx"]
    theirs = notes(curator, town)["СОШ № 1.docx"]

    assert municipal_column(everyone)["Положение о наставничестве"] == "50,0\u00a0%"
    assert "рассчитаны по 2 организациям" in text(everyone)
    assert set(municipal_column(theirs).values()) == {"—"}
    assert "Значения по муниципалитету рассчитаны по организациям, представившим" in text(theirs)
    assert "2 организациям" not in text(theirs)
