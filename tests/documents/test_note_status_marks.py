"""Status not by colour alone (WCAG 1.4.1): every table cell of the note tinted by a
status also says it in text — the status's mark before the value («✗ 54,0 %») or its
word — and the note says what the marks mean. Read with python-docx from the demo's
note with its appendices: the values by type of organisation, the deficits, and every
organisation's and territory's values."""

from __future__ import annotations

import io
import shutil
from datetime import datetime
from pathlib import Path

import pytest
from docx import Document
from docx.oxml.ns import qn

from analytics.documents import images, note
from analytics.store.db import Database
from analytics.store.scope import Scope

NOW = datetime(2026, 11, 22, 10, 0)
# The status of each tint, its mark and its word, as a person reads them off the page.
TINTS = {
    "D9F2E8": ("✓", "цель достигнута"),
    "FCEBCC": ("≈", "близко к цели"),
    "F9D9CB": ("✗", "значительно ниже цели"),
}
KEY = "✓ — цель достигнута, ≈ — близко к цели, ✗ — значительно ниже цели"


@pytest.fixture(scope="module")
def demo_note(demo_template: Path, tmp_path_factory: pytest.TempPathFactory):
    path = tmp_path_factory.mktemp("marks") / "monitoring.duckdb"
    shutil.copy(demo_template, path)
    patch = pytest.MonkeyPatch()
    # The tables are the subject here, not the charts: no chromium needed.
    patch.setattr(images, "images_available", lambda: False)
    try:
        with Database(path) as db:
            content = note.build_report(db, Scope(periods=("2023/2024",)), NOW, appendix=True)
    finally:
        patch.undo()
    return Document(io.BytesIO(content))


def _tinted(document) -> list[tuple[str, str]]:
    """Every table cell with a status's tint: (tint, its text)."""
    found = []
    for table in document.tables:
        for cell in table._tbl.iter(qn("w:tc")):
            shading = cell.find(f"{qn('w:tcPr')}/{qn('w:shd')}")
            fill = shading.get(qn("w:fill")) if shading is not None else None
            if fill in TINTS:
                text = "".join(t.text or "" for t in cell.iter(qn("w:t")))
                found.append((fill, text))
    return found


def test_every_cell_tinted_by_a_status_also_says_it_in_text(demo_note):
    tinted = _tinted(demo_note)
    # The values by type, the deficits and the appendices: thousands of cells.
    assert len(tinted) > 1000
    unsaid = [
        (fill, text)
        for fill, text in tinted
        if not (text.startswith(f"{TINTS[fill][0]}\u00a0") or text == TINTS[fill][1])
    ]
    assert unsaid == []
    # Every status is among them, each with its own mark.
    assert {fill for fill, _ in tinted} == set(TINTS)


def test_the_note_says_what_the_marks_mean_before_each_marked_table(demo_note):
    texts = [p.text for p in demo_note.paragraphs]
    keyed = [t for t in texts if KEY in t]
    # The values by type, the deficits, the organisations' and the two levels' appendices.
    assert len(keyed) == 5
    assert any(t.startswith("Дефициты перечислены") for t in keyed)
