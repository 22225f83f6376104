"""A CSV file without quotes whose lines all have the same cells is read into columns
(Arrow's CSV reader), into exactly the rows the csv module reads from it, in memory:
an upload's rows (names among them) are not copied to a temporary file to be read."""

from __future__ import annotations

import csv
import io
import tempfile

from analytics.ingest.readers import Grid, read_sheets

TEXT = (
    "Наименование ОО;ИНН;Тип ОО\r\nМБОУ «СОШ № 1»; 1832010590 ;школа\r\n;;\r\n  Итого;#2;\u00a0\r\n"
)


def _csv_module_rows(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text, newline=""), delimiter=";", strict=True))


def test_a_rectangular_csv_is_read_into_columns_as_the_csv_module_reads_it():
    sheet = read_sheets("f.csv", TEXT.encode("utf-8"))[0]
    assert isinstance(sheet.rows, Grid)
    assert [column.to_pylist() for column in sheet.rows.columns] == [
        ["Наименование ОО", "МБОУ «СОШ № 1»", "", "  Итого"],
        ["ИНН", " 1832010590 ", "", "#2"],
        ["Тип ОО", "школа", "", "\u00a0"],
    ]
    assert sheet.rows == _csv_module_rows(TEXT)


def test_a_rectangular_csv_is_read_into_columns_without_a_temporary_file(tmp_path, monkeypatch):
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path / "missing"))
    sheet = read_sheets("f.csv", TEXT.encode("utf-8"))[0]
    assert isinstance(sheet.rows, Grid)
    assert sheet.rows == _csv_module_rows(TEXT)
