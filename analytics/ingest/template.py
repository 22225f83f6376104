"""The XLSX template schools fill in, generated from the contract.

Canonical headers in a protected header row, drop-down lists for yes/no answers and the
organisation type, number validation (whole numbers ≥ 0; 0–100 for shares) and an
instructions sheet. A filled template loads with no warnings.
"""

from __future__ import annotations

import io
from datetime import datetime

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill, Protection
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from analytics.model.contract import (
    KIND_FIELDS,
    KIND_LABELS,
    ORG_TYPES,
    TEMPLATE_INSTRUCTIONS_MARK,
    TYPE_LABELS,
    FieldType,
    FormKind,
)

TEMPLATE_ROWS = 500
SHEET_NAME = "ОО"
HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")
# openpyxl stamps the current time otherwise, which would make every template differ.
FIXED_TIME = datetime(2026, 1, 1)


def _validation(kind: FieldType) -> DataValidation | None:
    if kind is FieldType.YES_NO:
        rule = DataValidation(type="list", formula1='"да,нет"', allow_blank=True)
        rule.error = "Выберите «да» или «нет»."
    elif kind is FieldType.ORG_TYPE:
        labels = ",".join(t.label for t in ORG_TYPES)
        rule = DataValidation(type="list", formula1=f'"{labels}"', allow_blank=True)
        rule.error = "Выберите тип организации из списка."
    elif kind is FieldType.COUNT:
        rule = DataValidation(
            type="whole", operator="greaterThanOrEqual", formula1="0", allow_blank=True
        )
        rule.error = "Введите целое число не меньше 0."
    elif kind is FieldType.SHARE:
        rule = DataValidation(
            type="decimal", operator="between", formula1="0", formula2="100", allow_blank=True
        )
        rule.error = "Введите число от 0 до 100."
    else:
        return None
    rule.errorTitle = "Недопустимое значение"
    rule.showErrorMessage = True
    return rule


def build_template(kind: FormKind = FormKind.ORG_FORM) -> bytes:
    """The template workbook for ``kind`` as XLSX bytes."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = SHEET_NAME
    fields = KIND_FIELDS[kind]
    for column, f in enumerate(fields, start=1):
        cell = sheet.cell(row=1, column=column, value=f.header)
        cell.font = Font(bold=True)
        cell.fill = HEADER_FILL
        cell.alignment = Alignment(wrap_text=True, vertical="top")
        letter = get_column_letter(column)
        sheet.column_dimensions[letter].width = 40 if f.code == "org_name" else 18
        rule = _validation(f.type)
        if rule is not None:
            sheet.add_data_validation(rule)
            rule.add(f"{letter}2:{letter}{TEMPLATE_ROWS + 1}")
        if f.type in (FieldType.TEXT, FieldType.INN, FieldType.PERIOD):
            # Keeps ИНН leading zeros and periods like 2022/2023 as typed.
            for row in range(2, TEMPLATE_ROWS + 2):
                sheet.cell(row=row, column=column).number_format = "@"
    for row in sheet.iter_rows(min_row=2, max_row=TEMPLATE_ROWS + 1, max_col=len(fields)):
        for cell in row:
            cell.protection = Protection(locked=False)
    sheet.row_dimensions[1].height = 60
    sheet.freeze_panes = "B2"
    sheet.protection.sheet = True
    sheet.protection.formatRows = False
    sheet.protection.formatColumns = False
    _instructions(workbook.create_sheet("Инструкция"), kind)
    workbook.properties.created = FIXED_TIME
    workbook.properties.modified = FIXED_TIME
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _instructions(sheet, kind: FormKind) -> None:
    lines = [
        f"{TEMPLATE_INSTRUCTIONS_MARK}: {KIND_LABELS[kind]}",
        "",
        f"Заполните лист «{SHEET_NAME}»: одна строка — одна организация. Заголовки не меняйте.",
        "Ответы «да»/«нет» выбирайте из списка; пустая ячейка означает «нет ответа».",
        "Количество — целые числа не меньше 0; доли — числа от 0 до 100.",
        "Регион, муниципалитет, тип ОО и период можно не заполнять, если они указываются "
        "при загрузке для всего файла.",
        "",
        "Столбцы:",
    ]
    lines += [f"{f.header} — {TYPE_LABELS[f.type]}" for f in KIND_FIELDS[kind]]
    for row, text in enumerate(lines, start=1):
        sheet.cell(row=row, column=1, value=text)
    sheet.column_dimensions["A"].width = 110
    sheet["A1"].font = Font(bold=True, size=14)
