"""The deck's native charts (used where chromium is missing) embed a workbook: an
organisation named like a formula must be text there, never a live formula."""

from __future__ import annotations

import io
from datetime import datetime

from openpyxl import load_workbook
from pptx import Presentation

from analytics.compute.lookups import find_territory
from analytics.documents import deck, images
from analytics.ingest.load import ingest_bytes
from analytics.ingest.parse import Defaults
from analytics.store.scope import Scope
from tests.filemakers import csv_bytes, org, table

FORMULAS = ('=HYPERLINK("http://example.org","нажмите")', "+cmd|' /C calc'!A0", "@SUM(1+1)")
DEFAULTS = Defaults(
    region="Удмуртская Республика", municipality="г. Глазов", org_type="school", period="2023"
)


def chart_cells(content: bytes) -> list[tuple[str, object]]:
    """Every cell (data type, value) of every chart's embedded workbook."""
    cells = []
    for slide in Presentation(io.BytesIO(content)).slides:
        for shape in slide.shapes:
            if shape.has_chart:
                blob = shape.chart.part.chart_workbook.xlsx_part.blob
                for row in load_workbook(io.BytesIO(blob)).active.iter_rows():
                    cells += [(c.data_type, c.value) for c in row if c.value is not None]
    return cells


def test_formula_names_are_text_in_the_charts_workbooks(fresh_db, monkeypatch):
    monkeypatch.setattr(images, "images_available", lambda: False)
    names = [*FORMULAS, "МБОУ «СОШ № 4»"]
    rows = [org(name, teachers_total=40 + n) for n, name in enumerate(names)]
    ingest_bytes(fresh_db, "формы.csv", csv_bytes(table(rows)), defaults=DEFAULTS)
    town = find_territory(fresh_db, "municipality", "г. Глазов")

    content = deck.build_deck(
        fresh_db, Scope(periods=("2023",), municipality_id=town), now=datetime(2026, 1, 1)
    )

    cells = chart_cells(content)
    assert [value for kind, value in cells if kind == "f"] == []
    texts = {value for _, value in cells}
    assert {"'" + name for name in FORMULAS} <= texts
