"""Every number in every XLSX a page exports is a number in its Russian format.

The pages run under AppTest with every «XLSX» button's file captured as the user would
download it; each workbook is opened with openpyxl. No cell may hold a number written as
text («16 из 16 ОО», «3,6», «54,0 %», «+4,2 п. п.»), and the columns that carry numbers hold
``int``/``float`` cells with the format that shows them as the page does."""

from __future__ import annotations

import io
import re
from collections.abc import Callable

import openpyxl
import pandas as pd
import pytest
from streamlit.delta_generator import DeltaGenerator

from analytics.compute import lookups
from analytics.compute.indicators import compute
from analytics.documents.exports import CHANGE_FORMAT as CHANGE
from analytics.documents.exports import table_xlsx
from analytics.model.catalogue import INDICATORS
from analytics.model.levels import Level
from analytics.store.db import Database
from analytics.store.scope import Scope
from tests import apptest
from tests.apptest import assert_clean
from ui import matrix

# A number as the product writes it for people: «1 234», «3,6», «54,0 %», «+4,2 п. п.»,
# «не более 3», «16 из 16 ОО» — grouped by thousands («1 234»): a run of digits is an
# identifier such as an ИНН and stays text.
WHOLE = r"(0|[1-9]\d{0,2}(\u00a0\d{3})*)"
NUMBER_TEXT = re.compile(
    rf"^(не более )?[+−±-]?{WHOLE}(,\d+)?(\u00a0%|\u00a0п\.\u00a0п\.)?$"
    rf"|^{WHOLE} из {WHOLE}( \S.*)?$"
)
PERCENT = '0.0" %"'
INTEGER = "#,##0"


def downloads(monkeypatch: pytest.MonkeyPatch) -> dict[str, Callable[[], bytes]]:
    """The XLSX files of the pages run after this call, by file name, made on demand."""
    files: dict[str, Callable[[], bytes]] = {}
    original = DeltaGenerator.download_button

    def recording(self, label, data, file_name=None, *args, **kwargs):
        if label == "XLSX":
            files[str(file_name)] = data
        return original(self, label, data, file_name, *args, **kwargs)

    monkeypatch.setattr(DeltaGenerator, "download_button", recording)
    return files


def workbook_table(content: bytes) -> tuple[list[str], list[list[openpyxl.cell.Cell]]]:
    """The header and the rows of an exported table (its header is the first bold row
    after the title)."""
    sheet = openpyxl.load_workbook(io.BytesIO(content)).active
    rows = list(sheet.iter_rows())
    start = next(n for n, row in enumerate(rows) if n > 0 and row[0].font.bold)
    header = [str(c.value) for c in rows[start] if c.value is not None]
    return header, [list(row[: len(header)]) for row in rows[start + 1 :]]


def column(content: bytes, name: str) -> list[openpyxl.cell.Cell]:
    header, rows = workbook_table(content)
    n = header.index(name)
    return [row[n] for row in rows if row[n].value is not None]


def number_texts(content: bytes) -> list[str]:
    """Every text cell of a table that is a number written as text."""
    _, rows = workbook_table(content)
    return [
        str(c.value)
        for row in rows
        for c in row
        if isinstance(c.value, str) and NUMBER_TEXT.match(c.value.strip())
    ]


def run(page: str, monkeypatch: pytest.MonkeyPatch, **query: str) -> dict[str, bytes]:
    files = downloads(monkeypatch)
    at = apptest.open_page(page, query or None)
    assert_clean(at)
    return {name: make() for name, make in files.items()}


def latest_municipalities(db: Database) -> pd.DataFrame:
    period = lookups.periods(db)[-1]
    frame = compute(db, Scope(periods=(period,), levels=(Level.MUNICIPALITY,)))
    return frame[frame["level"] == Level.MUNICIPALITY]


@pytest.mark.parametrize(
    "page",
    ["pages/territories.py", "pages/deficits.py", "pages/dynamics.py", "pages/settings.py"],
)
def test_no_exported_workbook_holds_a_number_as_text(
    copy: Database, monkeypatch: pytest.MonkeyPatch, page: str
):
    files = run(page, monkeypatch)
    assert files, "the page offers no XLSX"
    assert {name: number_texts(content) for name, content in files.items()} == {
        name: [] for name in files
    }


def test_the_scorecard_splits_deficits_into_two_counts_and_keeps_values_as_percent(
    copy: Database, monkeypatch: pytest.MonkeyPatch
):
    rows = latest_municipalities(copy)
    files = run("pages/territories.py", monkeypatch)
    content = next(c for name, c in files.items() if name.startswith("Показатели_по"))
    header, _ = workbook_table(content)
    assert header[1:3] == ["Дефицитов", "Показателей со значением"]
    valued = rows[rows["value"].notna()]
    expected = valued.groupby("municipality")["deficit"].sum().astype(int)
    counted = valued.groupby("municipality").size()
    names = [c.value for c in column(content, "Территория")]
    deficits = [c.value for c in column(content, "Дефицитов")]
    totals = [c.value for c in column(content, "Показателей со значением")]
    found = {
        name: (missed, total)
        for name, missed, total in zip(names, deficits, totals, strict=True)
        if name in expected.index
    }
    assert found == {name: (expected[name], counted[name]) for name in expected.index}
    databases = next(i for i in INDICATORS if i.id == "databases")
    cells = column(content, databases.short)
    assert {(type(c.value) in (int, float), c.number_format) for c in cells} == {(True, PERCENT)}


def test_the_deficits_by_territory_give_organisations_with_deficits_and_with_data_as_numbers(
    copy: Database, monkeypatch: pytest.MonkeyPatch
):
    files = run("pages/deficits.py", monkeypatch)
    content = next(c for name, c in files.items() if name.startswith("Показатели_с_дефицитом_по"))
    header, _ = workbook_table(content)
    at = header.index("ОО с дефицитами")
    assert header[at + 1] == "ОО с данными"
    parts = column(content, "ОО с дефицитами")
    wholes = column(content, "ОО с данными")
    assert all(isinstance(c.value, int) and c.number_format == INTEGER for c in parts + wholes)
    assert all(p.value <= w.value for p, w in zip(parts, wholes, strict=True))
    means = column(content, "Дефицитов в среднем на ОО")
    assert {(isinstance(c.value, (int, float)), c.number_format) for c in means} == {
        (True, "#,##0.0")
    }


def test_a_table_built_for_the_screen_is_written_with_numbers_in_their_formats():
    frame = pd.DataFrame(
        {
            "Территория": ["г. Глазов", "2024"],
            "ИНН": ["1841241239", "0012345678"],
            "Дефицитов": ["3 из 14", "—"],
            "Среднее": ["3,6", "1\u00a0234,0"],
            "Изменение": ["+4,2\u00a0п.\u00a0п.", "без изменений"],
            "Цель": ["не более 3", "100\u00a0%"],
        }
    )
    content = table_xlsx(frame, "Таблица", wholes={"Дефицитов": "Показателей со значением"})
    header, rows = workbook_table(content)
    assert header == [
        "Территория",
        "ИНН",
        "Дефицитов",
        "Показателей со значением",
        "Среднее",
        "Изменение",
        "Цель",
    ]
    assert [[(c.value, c.number_format) for c in row] for row in rows] == [
        [
            ("г. Глазов", "General"),
            ("1841241239", "General"),
            (3, INTEGER),
            (14, INTEGER),
            (3.6, "#,##0.0"),
            (4.2, CHANGE),
            (3, '"не более "#,##0'),
        ],
        [
            ("2024", "General"),
            ("0012345678", "General"),
            (None, "General"),
            (None, "General"),
            (1234, "#,##0.0"),
            (0, CHANGE),
            (100, '0" %"'),
        ],
    ]


def test_the_gap_of_a_share_is_exported_in_percentage_points(copy: Database):
    period = lookups.periods(copy)[-1]
    frame = compute(copy, Scope(periods=(period,), levels=(Level.ORGANIZATION,)))
    rows = frame[frame["level"] == Level.ORGANIZATION]
    export, formats, statuses = matrix.shortfall_export(rows, "databases")
    content = table_xlsx(export, "Не достигли цели", cell_formats=formats, statuses=statuses)
    gaps = column(content, "Отставание")
    assert gaps
    assert {c.number_format for c in gaps} == {'0.0" п. п."'}
