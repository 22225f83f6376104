"""Builders of the files municipalities send, written into a test's ``tmp_path``.

XLSX files are written with openpyxl (several sheets, merged cells, numbers stored as
numbers); CSV files as bytes in UTF-8, UTF-8 with BOM or Windows-1251 with ``;``, ``,``
or tab. The canonical headers are spelled out here, from DATA_CONTRACT.md, rather than
taken from the engine, so that the tests check the engine against the contract.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path

from openpyxl import Workbook

from analytics.store.db import Database

# Column code → canonical header of the contract's «Форма мониторинга ОО».
HEADERS: dict[str, str] = {
    "region": "Регион",
    "municipality": "Муниципалитет",
    "district": "Район",
    "org_name": "Наименование ОО",
    "inn": "ИНН",
    "org_type": "Тип ОО",
    "period": "Период",
    "has_regulation": "Положение о наставничестве",
    "has_roadmap": "Дорожная карта",
    "has_curator": "Куратор назначен",
    "has_program": "Программа наставничества",
    "program_on_site": "Программа на сайте",
    "has_mentor_db": "База наставников",
    "has_mentee_db": "База наставляемых",
    "has_incentives": "Стимулирование наставников",
    "teachers_total": "Педагогических работников",
    "young_specialists": "Молодых специалистов",
    "young_with_mentor": "Молодых специалистов с наставником",
    "mentors": "Педагогов-наставников",
    "mentees": "Педагогов-наставляемых",
    "mentors_trained": "Наставников, прошедших обучение",
    "pairs": "Пар «наставник – наставляемый»",
    "groups": "Групп «наставник – группа»",
    "form_teacher_teacher": "Пар и групп «педагог – педагог»",
    "form_head_teacher": "Пар и групп «руководитель – педагог»",
    "mentees_completed": "Завершили программу",
    "students_10_18": "Обучающихся 10–18 лет",
    "student_mentees": "Обучающихся-наставляемых 10–18 лет",
    "satisfaction_pct": "Удовлетворённость участников, %",
}

YES_NO_CODES: tuple[str, ...] = (
    "has_regulation",
    "has_roadmap",
    "has_curator",
    "has_program",
    "program_on_site",
    "has_mentor_db",
    "has_mentee_db",
    "has_incentives",
)
COUNT_CODES: tuple[str, ...] = (
    "teachers_total",
    "young_specialists",
    "young_with_mentor",
    "mentors",
    "mentees",
    "mentors_trained",
    "pairs",
    "groups",
    "form_teacher_teacher",
    "form_head_teacher",
    "mentees_completed",
    "students_10_18",
    "student_mentees",
)
VALUE_CODES: tuple[str, ...] = (*YES_NO_CODES, *COUNT_CODES, "satisfaction_pct")

# A complete form that breaks no consistency rule.
CLEAN_ANSWERS: dict[str, object] = {
    **dict.fromkeys(YES_NO_CODES, "да"),
    "teachers_total": 40,
    "young_specialists": 4,
    "young_with_mentor": 3,
    "mentors": 5,
    "mentees": 6,
    "mentors_trained": 4,
    "pairs": 5,
    "groups": 1,
    "form_teacher_teacher": 4,
    "form_head_teacher": 1,
    "mentees_completed": 3,
    "students_10_18": 300,
    "student_mentees": 120,
    "satisfaction_pct": 85,
}

FULL_COLUMNS: tuple[str, ...] = tuple(HEADERS)
# A file without the columns that can be given at upload.
FORM_COLUMNS: tuple[str, ...] = ("org_name", "org_type", *VALUE_CODES)


def org(name: str, **values: object) -> dict[str, object]:
    """One organisation's row: a complete, clean form unless ``values`` say otherwise."""
    return {**CLEAN_ANSWERS, "org_name": name, "org_type": "СОШ", **values}


# The region of the rows that name their territory.
REGION = "Удмуртская Республика"


def located_org(
    name: str, municipality: str, period: str = "2023", **values: object
) -> dict[str, object]:
    """One organisation's row that names its region, municipality and period itself, as a
    file loaded without upload defaults does."""
    return org(name, region=REGION, municipality=municipality, period=period, **values)


def table(
    orgs: Iterable[Mapping[str, object]],
    columns: Sequence[str] = FORM_COLUMNS,
    headers: Mapping[str, str] | None = None,
) -> list[list[object]]:
    """A header row of ``columns`` (canonical headers unless ``headers`` respell some)
    and one row per organisation; a value missing from a row is a blank cell."""
    spelled = {**HEADERS, **(headers or {})}
    return [[spelled[c] for c in columns]] + [[o.get(c) for c in columns] for o in orgs]


def csv_bytes(
    rows: Sequence[Sequence[object]], encoding: str = "utf-8", delimiter: str = ";"
) -> bytes:
    """Rows as a CSV file's bytes; None is a blank cell."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter, lineterminator="\r\n")
    for row in rows:
        writer.writerow(["" if cell is None else cell for cell in row])
    return buffer.getvalue().encode(encoding)


def write_csv(
    path: Path,
    rows: Sequence[Sequence[object]],
    encoding: str = "utf-8",
    delimiter: str = ";",
) -> Path:
    path.write_bytes(csv_bytes(rows, encoding, delimiter))
    return path


def xlsx_bytes(
    sheets: Mapping[str, Sequence[Sequence[object]]],
    merges: Mapping[str, Sequence[str]] | None = None,
) -> bytes:
    """A workbook with one sheet per item of ``sheets`` (in order); ``merges`` lists the
    merged ranges of each sheet, e.g. ``{"ОО": ["A1:D1"]}``."""
    workbook = Workbook()
    workbook.remove(workbook.active)
    for name, rows in sheets.items():
        sheet = workbook.create_sheet(name)
        for row in rows:
            sheet.append(list(row))
        for cells in (merges or {}).get(name, ()):
            sheet.merge_cells(cells)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def write_xlsx(
    path: Path,
    sheets: Mapping[str, Sequence[Sequence[object]]],
    merges: Mapping[str, Sequence[str]] | None = None,
) -> Path:
    path.write_bytes(xlsx_bytes(sheets, merges))
    return path


TABLES: tuple[str, ...] = (
    "regions",
    "municipalities",
    "districts",
    "organizations",
    "periods",
    "uploads",
    "form_values",
    "form_history",
    "registry",
    "registry_history",
    "targets",
)


def state(db: Database) -> dict[str, object]:
    """What a write would change: every table's row count, the data version and the
    archived files."""
    counts: dict[str, object] = {t: db.scalar(f"SELECT count(*) FROM {t}") for t in TABLES}
    counts["data_version"] = db.data_version()
    archive = db.uploads_dir
    counts["archived"] = sorted(p.name for p in archive.iterdir()) if archive.exists() else []
    return counts


def org_id(db: Database, name: str, municipality: str | None = None) -> int:
    """The id of the organisation stored under ``name`` (in ``municipality``, where names
    repeat across municipalities)."""
    if municipality is None:
        return int(db.scalar("SELECT org_id FROM organizations WHERE name = ?", [name]))
    return int(
        db.scalar(
            "SELECT o.org_id FROM organizations o JOIN municipalities m USING (municipality_id) "
            "WHERE m.name = ? AND o.name = ?",
            [municipality, name],
        )
    )
