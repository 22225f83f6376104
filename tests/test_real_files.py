"""Files as people really send them, read and checked before anything is loaded: ИНН
with their check digit, hidden sheets, ODS merged cells, broken CSV quoting, published
registries, person bases without territory columns, partial forms and grouped problems.

These tests stop at the parse result (``read_sheets`` then ``parse_sheets``): what a
file says and what is wrong with it, before any organisation is matched or stored."""

from __future__ import annotations

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
