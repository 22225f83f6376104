"""The note as it is printed: its PDF (LibreOffice) read back with pdftotext, as a person
turning its pages would — how many pages, and whether a table cell breaks a word.

The check of broken words reads pdftotext's ``-layout`` text: a word of a table cell split
over two lines shows there as two tokens, its head and its tail, neither of them a word of
the document. Skipped, with the reason, where LibreOffice or poppler-utils is missing
(scripts/setup.sh installs both)."""

from __future__ import annotations

import io
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from docx import Document

from analytics.compute import lookups
from analytics.documents import note, pdf
from analytics.store.db import Database
from analytics.store.scope import Scope

pytestmark = [
    pytest.mark.skipif(
        not pdf.pdf_available(), reason="LibreOffice (soffice) is not installed: no PDF"
    ),
    pytest.mark.skipif(
        shutil.which("pdftotext") is None,
        reason="poppler-utils (pdftotext) is not installed: scripts/setup.sh installs it",
    ),
]

# A municipality's note without the appendix is read and signed on at most this many pages.
MAX_PAGES = 8
WORD = re.compile(r"[А-Яа-яЁё]+")


def _printed(template: Path, folder: Path, largest_municipality: bool) -> tuple[bytes, list[str]]:
    """The note — for the demo's largest municipality, or for everything — as DOCX and as
    pdftotext's pages."""
    path = folder / "monitoring.duckdb"
    shutil.copy(template, path)
    with Database(path) as db:
        period = lookups.periods(db)[-1]
        sizes = db.query(
            "SELECT municipality_id, count(*) AS n FROM organizations "
            "GROUP BY municipality_id ORDER BY n DESC, municipality_id"
        )
        municipality = int(sizes["municipality_id"].iloc[0]) if largest_municipality else None
        docx = note.build_report(db, Scope(periods=(period,), municipality_id=municipality))
    target = folder / "note.pdf"
    target.write_bytes(pdf.report_pdf(docx))
    text = subprocess.run(
        ["pdftotext", "-layout", str(target), "-"], capture_output=True, check=True, text=True
    ).stdout
    return docx, text.split("\f")


@pytest.fixture(scope="module")
def municipal(demo_template: Path, tmp_path_factory: pytest.TempPathFactory):
    return _printed(demo_template, tmp_path_factory.mktemp("municipal"), True)


@pytest.fixture(scope="module")
def regional(demo_template: Path, tmp_path_factory: pytest.TempPathFactory):
    """The note over every territory: its tables hold the longest words («1 030
    наставляемых»), the ones a narrow column broke."""
    return _printed(demo_template, tmp_path_factory.mktemp("regional"), False)


def _cell_words(docx: bytes) -> set[str]:
    document = Document(io.BytesIO(docx))
    return {
        word
        for table in document.tables
        for row in table.rows
        for cell in row.cells
        for word in WORD.findall(cell.text)
    }


def _document_words(docx: bytes) -> set[str]:
    document = Document(io.BytesIO(docx))
    words = {w.lower() for p in document.paragraphs for w in WORD.findall(p.text)}
    return words | {w.lower() for w in _cell_words(docx)}


def test_a_municipalitys_note_without_the_appendix_fits_on_eight_pages(municipal):
    _, pages = municipal
    used = [page for page in pages if page.strip()]
    assert len(used) <= MAX_PAGES


def _broken_words(docx: bytes, pages: list[str]) -> list[str]:
    """The words of the tables that the PDF shows split in two: «наставляем|ых»."""
    tokens = {t.strip(".,;:()«»") for page in pages for t in page.split()}
    vocabulary = _document_words(docx)
    return sorted(
        f"{word[:k]}|{word[k:]}"
        for word in _cell_words(docx)
        if len(word) >= 5
        for k in range(2, len(word) - 1)
        if (word[:k] in tokens or f"{word[:k]}-" in tokens)
        and word[k:] in tokens
        and word[:k].lower() not in vocabulary
        and word[k:].lower() not in vocabulary
    )


def test_no_table_cell_of_a_municipalitys_printed_note_breaks_a_word(municipal):
    assert _broken_words(*municipal) == []


def test_no_table_cell_of_the_printed_note_over_every_territory_breaks_a_word(regional):
    assert _broken_words(*regional) == []
