"""Reading uploaded files: CSV encodings and delimiters, XLSX sheets and row numbers,
files that cannot be read, and the limits that refuse hostile files before parsing."""

from __future__ import annotations

import io
import random
import zipfile

import pytest
from openpyxl import Workbook

from analytics.ingest.load import ingest_bytes, ingest_file
from analytics.ingest.parse import Defaults
from analytics.ingest.problems import IngestError
from analytics.ingest.readers import MB, Limits, Sheet, UnreadableFile, read_sheets
from tests.filemakers import csv_bytes, org, state, table, write_csv, write_xlsx, xlsx_bytes

DEFAULTS = Defaults(region="Удмуртская Республика", municipality="г. Глазов", period="2023")

ENCODINGS = ["utf-8", "utf-8-sig", "cp1251"]
DELIMITERS = [";", ",", "\t"]


@pytest.mark.parametrize("encoding", ENCODINGS)
@pytest.mark.parametrize("delimiter", DELIMITERS)
def test_a_csv_file_is_decoded_and_split_whatever_its_encoding_and_delimiter(encoding, delimiter):
    rows = [
        ["Наименование ОО", "Удовлетворённость участников, %", "Педагогических работников"],
        ["МБОУ «СОШ № 1»", "54,5", "1 234"],
    ]
    sheets = read_sheets("форма.csv", csv_bytes(rows, encoding, delimiter))
    assert sheets == [Sheet("", rows)]


@pytest.mark.parametrize("encoding", ENCODINGS)
@pytest.mark.parametrize("delimiter", DELIMITERS)
def test_a_form_loads_the_same_whatever_its_encoding_and_delimiter(
    fresh_db, tmp_path, encoding, delimiter
):
    rows = table([org("МБОУ «Гимназия № 1» имени Королёва", teachers_total="1 234")])
    path = write_csv(tmp_path / "форма.csv", rows, encoding, delimiter)
    result = ingest_file(fresh_db, path, defaults=DEFAULTS)
    assert result.rows == 1
    assert fresh_db.query("SELECT name FROM organizations")["name"].tolist() == [
        "МБОУ «Гимназия № 1» имени Королёва"
    ]
    assert fresh_db.scalar("SELECT teachers_total FROM form_values") == 1234


def test_the_utf8_byte_order_mark_does_not_stick_to_the_first_header():
    content = csv_bytes([["Наименование ОО", "ИНН"], ["СОШ № 1", "1833383617"]], "utf-8-sig")
    assert content.startswith(b"\xef\xbb\xbf")
    assert read_sheets("f.csv", content)[0].rows[0][0] == "Наименование ОО"


def test_blank_csv_lines_keep_their_place_so_row_numbers_match_the_file():
    content = "Заголовок отчёта\n\nНаименование ОО;ИНН\nСОШ № 1;1833383617\n".encode()
    rows = read_sheets("f.csv", content)[0].rows
    assert rows[3] == ["СОШ № 1", "1833383617"]
    assert rows[1] == []


def test_every_sheet_of_a_workbook_is_read_in_order_with_its_name():
    content = xlsx_bytes({"Инструкция": [["Заполните лист ОО"]], "ОО": [["a", "b"], [1, 2]]})
    sheets = read_sheets("f.xlsx", content)
    assert [s.name for s in sheets] == ["Инструкция", "ОО"]
    assert sheets[1].rows == [["a", "b"], [1, 2]]


def test_rows_of_a_sheet_are_numbered_as_in_excel_even_below_blank_rows():
    content = xlsx_bytes({"ОО": [[], [], ["Наименование ОО", "ИНН"], ["СОШ № 1", 1833383617]]})
    rows = read_sheets("f.xlsx", content)[0].rows
    assert rows[2] == ["Наименование ОО", "ИНН"]
    assert rows[3][0] == "СОШ № 1"


def test_an_xlsm_workbook_is_read_like_an_xlsx():
    content = xlsx_bytes({"ОО": [["Наименование ОО"], ["СОШ № 1"]]})
    assert read_sheets("f.xlsm", content)[0].rows == [["Наименование ОО"], ["СОШ № 1"]]


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        (
            "bad.xlsx",
            random.Random(1).randbytes(3000),
            "файл повреждён или не является электронной таблицей указанного формата",
        ),
        (
            "bad.xls",
            random.Random(2).randbytes(3000),
            "файл повреждён или не является электронной таблицей указанного формата",
        ),
        (
            "bad.ods",
            random.Random(3).randbytes(3000),
            "файл повреждён или не является электронной таблицей указанного формата",
        ),
        ("empty.xlsx", b"", "файл пустой"),
        ("empty.csv", b"", "файл пустой"),
        (
            "report.pdf",
            b"%PDF-1.4 not a table",
            "неподдерживаемый формат файла; принимаются .xlsx, .xlsm, .xls, .ods и .csv",
        ),
        ("binary.csv", random.Random(4).randbytes(3000), "файл не является текстовым CSV"),
    ],
)
def test_a_file_that_cannot_be_read_is_refused_with_a_russian_reason(name, content, message):
    with pytest.raises(UnreadableFile) as error:
        read_sheets(name, content)
    assert str(error.value) == message


@pytest.mark.parametrize(
    ("name", "content", "text"),
    [
        (
            "bad.xlsx",
            random.Random(1).randbytes(3000),
            "Файл «bad.xlsx» — "
            "файл повреждён или не является электронной таблицей указанного формата",
        ),
        ("empty.xlsx", b"", "Файл «empty.xlsx» — файл пустой"),
        (
            "report.pdf",
            b"%PDF-1.4",
            "Файл «report.pdf» — "
            "неподдерживаемый формат файла; принимаются .xlsx, .xlsm, .xls, .ods и .csv",
        ),
    ],
)
def test_an_unreadable_upload_names_the_file_and_writes_nothing(fresh_db, name, content, text):
    ingest_bytes(fresh_db, "earlier.csv", csv_bytes(table([org("СОШ № 1")])), defaults=DEFAULTS)
    before = state(fresh_db)
    with pytest.raises(IngestError) as error:
        ingest_bytes(fresh_db, name, content, defaults=DEFAULTS)
    assert [str(p) for p in error.value.problems] == [text]
    assert state(fresh_db) == before


def test_a_file_over_the_size_limit_is_refused_before_it_is_parsed(fresh_db):
    content = random.Random(5).randbytes(3 * MB // 2)  # not even a spreadsheet
    before = state(fresh_db)
    with pytest.raises(IngestError) as error:
        ingest_bytes(fresh_db, "big.xlsx", content, limits=Limits(max_file_bytes=MB))
    assert [str(p) for p in error.value.problems] == [
        "Файл «big.xlsx» — файл больше допустимого размера (1,5 МБ при пределе 1 МБ)"
    ]
    assert state(fresh_db) == before


def test_a_file_on_disk_over_the_size_limit_is_refused_before_it_is_read(fresh_db, tmp_path):
    path = tmp_path / "big.csv"
    path.write_bytes(b"x" * (3 * MB // 2))
    with pytest.raises(IngestError) as error:
        ingest_file(fresh_db, path, defaults=DEFAULTS, limits=Limits(max_file_bytes=MB))
    assert [str(p) for p in error.value.problems] == [
        "Файл «big.csv» — файл больше допустимого размера (1,5 МБ при пределе 1 МБ)"
    ]


def test_the_size_limit_comes_from_the_environment(monkeypatch):
    monkeypatch.setenv("MONITORING_MAX_FILE_MB", "2")
    monkeypatch.setenv("MONITORING_MAX_INFLATED_MB", "0.5")
    assert Limits.from_env() == Limits(max_file_bytes=2 * MB, max_inflated_bytes=MB // 2)


def zip_bomb(inflated_mb: int) -> bytes:
    """A valid workbook with an extra part that inflates to ``inflated_mb`` megabytes."""
    buffer = io.BytesIO(xlsx_bytes({"ОО": table([org("СОШ № 1")])}))
    with zipfile.ZipFile(buffer, "a", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/media/padding.bin", bytes(inflated_mb * MB))
    return buffer.getvalue()


def test_a_workbook_whose_parts_inflate_past_the_limit_is_refused_before_parsing(fresh_db):
    content = zip_bomb(20)
    assert len(content) < MB
    before = state(fresh_db)
    with pytest.raises(IngestError) as error:
        ingest_bytes(
            fresh_db,
            "bomb.xlsx",
            content,
            defaults=DEFAULTS,
            limits=Limits(max_inflated_bytes=10 * MB),
        )
    assert [str(p) for p in error.value.problems] == [
        "Файл «bomb.xlsx» — после распаковки файл занимает 20 МБ, больше допустимых 10 МБ; "
        "файл отклонён"
    ]
    assert state(fresh_db) == before


def test_a_workbook_within_the_inflation_limit_loads(fresh_db):
    result = ingest_bytes(
        fresh_db,
        "ok.xlsx",
        zip_bomb(2),
        defaults=DEFAULTS,
        limits=Limits(max_inflated_bytes=10 * MB),
    )
    assert result.rows == 1


def test_an_xlsx_file_written_by_openpyxl_loads_from_disk(fresh_db, tmp_path):
    path = write_xlsx(tmp_path / "форма.xlsx", {"ОО": table([org("СОШ № 1"), org("СОШ № 2")])})
    assert ingest_file(fresh_db, path, defaults=DEFAULTS).rows == 2


def test_a_hidden_sheet_is_listed_as_hidden_and_its_cells_are_not_read():
    workbook = Workbook()
    workbook.active.title = "ОО"
    workbook.active.append(["Наименование ОО", "ИНН"])
    archive = workbook.create_sheet("Архив")
    archive.append(["Наименование ОО", "ИНН"])
    archive.sheet_state = "hidden"
    buffer = io.BytesIO()
    workbook.save(buffer)
    sheets = read_sheets("f.xlsx", buffer.getvalue())
    assert [(s.name, s.hidden, s.rows) for s in sheets] == [
        ("ОО", False, [["Наименование ОО", "ИНН"]]),
        ("Архив", True, []),
    ]
