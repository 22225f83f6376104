"""The XLSX template is generated from the contract and round-trips through ingest."""

import io

import openpyxl

from analytics.compute.indicators import compute
from analytics.ingest.load import ingest_bytes
from analytics.ingest.template import build_template
from analytics.model.contract import FORM_VALUE_FIELDS, KIND_FIELDS, FormKind
from analytics.model.levels import Level
from analytics.store.scope import Scope


def _filled_template(rows: list[list[object]]) -> bytes:
    workbook = openpyxl.load_workbook(io.BytesIO(build_template()))
    sheet = workbook["ОО"]
    for r, row in enumerate(rows, start=2):
        for c, value in enumerate(row, start=1):
            sheet.cell(row=r, column=c, value=value)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def _row(name: str, inn: str, has_db: str) -> list[object]:
    answers = ["да", "да", "да", "да", "нет", has_db, has_db, "да"]
    counts = [40, 4, 3, 5, 6, 2, 4, 1, 1, 0, 3, 300, 120, 82.5]
    return [
        "Удмуртская Республика",
        "г. Глазов",
        "",
        name,
        inn,
        "общеобразовательная",
        "2023",
        *answers,
        *counts,
    ]


def test_the_template_header_row_is_every_contract_column_in_order():
    sheet = openpyxl.load_workbook(io.BytesIO(build_template()))["ОО"]
    headers = [cell.value for cell in sheet[1]]
    assert headers == [f.header for f in KIND_FIELDS[FormKind.ORG_FORM]]


def test_the_template_header_row_is_protected_and_data_cells_are_not():
    sheet = openpyxl.load_workbook(io.BytesIO(build_template()))["ОО"]
    assert sheet.protection.sheet is True
    assert sheet["A1"].protection.locked is True
    assert sheet["A2"].protection.locked is False


def test_the_template_offers_yes_no_and_org_type_lists_and_number_rules():
    sheet = openpyxl.load_workbook(io.BytesIO(build_template()))["ОО"]
    rules = {(v.type, v.formula1, v.formula2) for v in sheet.data_validations.dataValidation}
    assert ("list", '"да,нет"', None) in rules
    assert (
        "list",
        '"общеобразовательная,дошкольная,дополнительного образования,профессиональная"',
        None,
    ) in rules
    assert ("whole", "0", None) in rules
    assert ("decimal", "0", "100") in rules


def test_a_filled_template_loads_with_no_warnings_and_gives_its_values(fresh_db):
    content = _filled_template(
        [_row("МБОУ «СОШ № 1»", "1833383617", "да"), _row("МБОУ «СОШ № 2»", "1833391537", "нет")]
    )
    result = ingest_bytes(fresh_db, "шаблон.xlsx", content)
    assert result.rows == 2
    assert result.warnings == []
    frame = compute(fresh_db, Scope(levels=(Level.TOTAL,), indicators=("databases",)))
    row = frame.iloc[0]
    assert (row["numerator"], row["denominator"], row["value"]) == (1, 2, 50.0)


def test_the_template_has_one_column_per_form_question():
    sheet = openpyxl.load_workbook(io.BytesIO(build_template()))["ОО"]
    assert sheet.max_column == 7 + len(FORM_VALUE_FIELDS)
