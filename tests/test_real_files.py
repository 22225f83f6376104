"""Files as people really send them, read and checked before anything is loaded: ИНН
with their check digit, hidden sheets, ODS merged cells, broken CSV quoting, published
registries, person bases without territory columns, partial forms and grouped problems.

These tests stop at the parse result (``read_sheets`` then ``parse_sheets``): what a
file says and what is wrong with it, before any organisation is matched or stored."""

from __future__ import annotations

import io

import pytest
from openpyxl import Workbook

from analytics.contract import Kind
from analytics.parse import Defaults, ParsedFile, parse_sheets
from analytics.readers import read_sheets
from tests.filemakers import FORM_COLUMNS, csv_bytes, org, table, xlsx_bytes

DEFAULTS = Defaults(
    region="Удмуртская Республика", municipality="г. Глазов", org_type="school", period="2023"
)


def parse(
    name: str, content: bytes, kind: Kind = Kind.ORG_FORM, defaults: Defaults = DEFAULTS
) -> ParsedFile:
    return parse_sheets(name, read_sheets(name, content), kind, defaults)


def texts(problems) -> list[str]:
    return [str(p) for p in problems]


# ИНН


def test_an_inn_with_a_wrong_check_digit_is_an_error_on_its_cell():
    rows = table([org("МБОУ «СОШ № 5»", inn="1833383619")], columns=["inn", *FORM_COLUMNS])
    result = parse("f.csv", csv_bytes(rows))
    assert texts(result.errors) == [
        "Файл «f.csv», строка 2, столбец «ИНН»: значение «1833383619» — неверное "
        "контрольное число ИНН: такого ИНН не существует, проверьте цифры"
    ]
    assert result.records == []


def test_a_nine_digit_numeric_inn_gets_its_zero_back_with_a_warning_naming_the_cell():
    rows = table([org("МБОУ «СОШ № 5»", inn=833383615)], columns=["inn", *FORM_COLUMNS])
    result = parse("f.xlsx", xlsx_bytes({"ОО": rows}))
    assert result.errors == []
    assert result.records[0].values["inn"] == "0833383615"
    assert texts(result.warnings) == [
        "Файл «f.xlsx», лист «ОО», строка 2, столбец «ИНН»: значение «833383615» — ИНН "
        "записан числом из 9 цифр: таблица отбросила ведущий ноль, ИНН прочитан как "
        "«0833383615»"
    ]


def test_a_ten_digit_inn_with_its_check_digit_loads_without_a_warning():
    rows = table([org("МБОУ «СОШ № 5»", inn=1833383617)], columns=["inn", *FORM_COLUMNS])
    result = parse("f.xlsx", xlsx_bytes({"ОО": rows}))
    assert (result.errors, result.warnings) == ([], [])
    assert result.records[0].values["inn"] == "1833383617"


# Hidden sheets


def workbook_with_hidden_sheet(state: str = "hidden") -> bytes:
    """Sheet «ОО» with this year's form (period 2023), and a hidden sheet «Архив 2022»
    holding last year's form of the same school."""
    workbook = Workbook()
    current = workbook.active
    current.title = "ОО"
    for row in table([org("МБОУ «СОШ № 5»", period="2023")], columns=[*FORM_COLUMNS, "period"]):
        current.append(row)
    archive = workbook.create_sheet("Архив 2022")
    for row in table([org("МБОУ «СОШ № 5»", period="2022")], columns=[*FORM_COLUMNS, "period"]):
        archive.append(row)
    archive.sheet_state = state
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


@pytest.mark.parametrize("state", ["hidden", "veryHidden"])
def test_a_hidden_archive_sheet_is_skipped_with_a_warning_and_loads_no_other_period(state):
    no_period = Defaults(region="Удмуртская Республика", municipality="г. Глазов")
    result = parse("f.xlsx", workbook_with_hidden_sheet(state), defaults=no_period)
    assert result.errors == []
    assert [(r.sheet, r.values["period"]) for r in result.records] == [("ОО", "2023")]
    assert result.sheets_read == ["ОО"]
    assert texts(result.warnings) == [
        "Файл «f.xlsx», лист «Архив 2022» — лист скрыт и не загружается; если его данные "
        "нужны, покажите лист в таблице и загрузите файл снова"
    ]


def test_a_workbook_whose_only_form_is_on_a_hidden_sheet_is_refused_saying_so():
    workbook = Workbook()
    workbook.active.title = "Пусто"
    hidden = workbook.create_sheet("ОО")
    for row in table([org("МБОУ «СОШ № 5»")]):
        hidden.append(row)
    hidden.sheet_state = "hidden"
    buffer = io.BytesIO()
    workbook.save(buffer)
    result = parse("f.xlsx", buffer.getvalue())
    assert texts(result.errors) == [
        "Файл «f.xlsx» — не найдена строка заголовков: ни один столбец не совпал с формой "
        "«Форма мониторинга ОО». Скачайте шаблон и сверьте заголовки; скрытые листы "
        "не читаются"
    ]
