"""A CSV file without quotes is split without the csv module, into exactly the rows the
csv module reads from it: line breaks of every kind, blank lines, ragged rows, and a
cell too long for the csv module left to its refusal."""

from __future__ import annotations

import csv
import io

import pytest

from analytics.ingest.readers import Sheet, UnreadableFile, read_sheets


def csv_module_rows(text: str, delimiter: str = ";") -> list[list[str]]:
    """What the csv module reads from ``text``: the specification of the split."""
    return list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True))


TEXTS = {
    "windows line breaks": "Наименование ОО;ИНН\r\nМБОУ СОШ № 1;1832010590\r\n",
    "unix line breaks": "Наименование ОО;ИНН\nМБОУ СОШ № 1;1832010590\n",
    "old mac line breaks": "Наименование ОО;ИНН\rМБОУ СОШ № 1;1832010590\r",
    "mixed line breaks": "Наименование ОО;ИНН\r\nМБОУ СОШ № 1;1\n\rМБОУ СОШ № 2;2\r\r\n",
    "no break at the end": "Наименование ОО;ИНН\nМБОУ СОШ № 1;1832010590",
    "blank lines": "\n\nНаименование ОО;ИНН\n\nМБОУ СОШ № 1;1832010590\n\n",
    "ragged rows": "Наименование ОО;ИНН;Тип ОО\nМБОУ СОШ № 1\nМБОУ СОШ № 2;1;2;3;\n",
    "spaces and empty cells": "Наименование ОО; ИНН ;\n  ;;\n ; \n",
    "other separators": "Наименование ОО;ИНН\x0b\nМБОУ\u2028СОШ;1\x1c\n",
}


@pytest.mark.parametrize("text", TEXTS.values(), ids=TEXTS.keys())
def test_a_csv_text_without_quotes_is_read_as_the_csv_module_reads_it(text):
    assert read_sheets("f.csv", text.encode("utf-8")) == [Sheet("", csv_module_rows(text))]


TOO_LONG = (
    "ячейка длиннее 131\u00a0072 символов — в форме мониторинга таких не бывает; проверьте, "
    "что загружается файл формы, а не выгрузка другой программы"
)


@pytest.mark.parametrize("quote", ["", '"'], ids=["plain", "quoted"])
def test_a_cell_longer_than_the_csv_module_takes_is_refused_at_its_line(quote):
    rows = "".join(f"МБОУ СОШ № {n};{n}\n" for n in range(60))  # past the delimiter's sample
    cell = quote + "я" * (csv.field_size_limit() + 1) + quote
    text = "Наименование ОО;ИНН\n" + rows + cell + ";1\n"
    with pytest.raises(UnreadableFile) as refused:
        read_sheets("f.csv", text.encode("utf-8"))
    assert str(refused.value) == f"строка 62: {TOO_LONG}"


def test_a_cell_longer_than_the_csv_module_takes_among_the_first_lines_is_refused_at_its_line():
    text = "Наименование ОО;ИНН\nМБОУ СОШ № 1;" + "я" * (csv.field_size_limit() + 1) + "\n"
    with pytest.raises(UnreadableFile) as refused:
        read_sheets("f.csv", text.encode("utf-8"))
    assert str(refused.value) == f"строка 2: {TOO_LONG}"


def test_an_opening_quote_never_closed_is_refused_at_the_line_it_starts():
    text = 'Наименование ОО;ИНН\n"МБОУ СОШ № 1;1\n' + "МБОУ СОШ № 2;2\n" * 20_000
    with pytest.raises(UnreadableFile) as refused:
        read_sheets("f.csv", text.encode("utf-8"))
    assert str(refused.value) == (
        "строка 2: незакрытая кавычка — ячейка начинается с кавычки, которая не закрыта до "
        "конца файла; исправьте кавычки в этой строке"
    )


def test_the_delimiter_of_a_long_file_is_told_from_its_first_lines():
    text = "Наименование ОО,ИНН\n" + "".join(f"МБОУ СОШ № {n},{n}\n" for n in range(20_000))
    rows = read_sheets("f.csv", text.encode("utf-8"))[0].rows
    assert (len(rows), rows[0], rows[-1]) == (
        20_001,
        ["Наименование ОО", "ИНН"],
        ["МБОУ СОШ № 19999", "19999"],
    )
