"""Demo data: a deterministic, realistic dataset written as real files and loaded
through the same ingest path as a user's uploads.

Two regions, seven municipalities (г. Ижевск with districts), about 280 organisations
of all four types, two school years with an improving trend, a registry with a few
organisations that did not report, some blank answers and some rule violations. The
files come in the shapes municipalities actually send: XLSX with a title row, a two-row
header and an instructions sheet, UTF-8 and Windows-1251 CSV, yes/no written as
да/+/есть/имеется, numbers as «34 чел.».
"""

from __future__ import annotations

import csv
import io
import random
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from openpyxl import Workbook

from .contract import DISTRICT, FORM_VALUE_FIELDS, INN, ORG_NAME, ORG_TYPE, FieldType, Kind
from .db import Database
from .ingest import IngestResult, ingest_file
from .parse import Defaults

DEMO_SEED = 20221
PERIODS = ("2022/2023", "2023/2024")
FIXED_TIME = datetime(2024, 6, 1)


@dataclass(frozen=True)
class Municipality:
    region: str
    name: str
    inn_prefix: str
    schools: int
    preschools: int
    additional: int
    vocational: int
    districts: tuple[str, ...] = ()


MUNICIPALITIES: tuple[Municipality, ...] = (
    Municipality(
        "Удмуртская Республика",
        "г. Ижевск",
        "1831",
        50,
        28,
        6,
        4,
        (
            "Ленинский район",
            "Октябрьский район",
            "Первомайский район",
            "Индустриальный район",
            "Устиновский район",
        ),
    ),
    Municipality("Удмуртская Республика", "г. Глазов", "1837", 20, 12, 3, 2),
    Municipality("Удмуртская Республика", "г. Сарапул", "1838", 18, 10, 3, 2),
    Municipality("Удмуртская Республика", "Завьяловский район", "1841", 22, 9, 2, 0),
    Municipality("Ханты-Мансийский автономный округ – Югра", "г. Нягань", "8610", 10, 8, 2, 1),
    Municipality("Ханты-Мансийский автономный округ – Югра", "г. Лангепас", "8607", 7, 7, 2, 1),
    Municipality(
        "Ханты-Мансийский автономный округ – Югра", "Сургутский район", "8617", 15, 10, 3, 1
    ),
)

_TYPE_NAMES = {
    "school": ("МБОУ «СОШ № {n}»", "МБОУ «Гимназия № {n}»", "МБОУ «Лицей № {n}»"),
    "preschool": ("МБДОУ «Детский сад № {n}»",),
    "additional": ("МБУ ДО «Дом детского творчества № {n}»", "МБУ ДО «ДЮСШ № {n}»"),
    "vocational": ("БПОУ «Педагогический колледж № {n}»", "БПОУ «Политехнический техникум № {n}»"),
}
_TYPE_WORDS = {
    "school": ("общеобразовательная", "СОШ", "школа", "ОО"),
    "preschool": ("дошкольная", "ДОО", "детский сад"),
    "additional": ("дополнительного образования", "УДО"),
    "vocational": ("профессиональная", "СПО", "колледж"),
}
_YES_NO = (("да", "нет"), ("Да", "Нет"), ("+", "-"), ("есть", "нет"), ("имеется", "отсутствует"))


@dataclass(frozen=True)
class DemoFile:
    path: Path
    kind: Kind
    defaults: Defaults


@dataclass
class _Org:
    municipality: Municipality
    district: str | None
    name: str
    inn: str
    org_type: str
    size: float  # how big and how advanced: drives the counts and the answers


def _organisations(rng: random.Random, scale: int) -> list[_Org]:
    orgs: list[_Org] = []
    for m in MUNICIPALITIES:
        serial = 0
        for org_type, count in (
            ("school", m.schools),
            ("preschool", m.preschools),
            ("additional", m.additional),
            ("vocational", m.vocational),
        ):
            for n in range(1, count * scale + 1):
                serial += 1
                pattern = rng.choice(_TYPE_NAMES[org_type])
                district = m.districts[serial % len(m.districts)] if m.districts else None
                orgs.append(
                    _Org(
                        m,
                        district,
                        pattern.format(n=n),
                        f"{m.inn_prefix}{serial:06d}",
                        org_type,
                        rng.uniform(0.3, 1.0),
                    )
                )
    return orgs


def _values(rng: random.Random, org: _Org, year: int) -> dict[str, object]:
    """Canonical values for one organisation and period; later years are better."""
    progress = 0.15 * year
    maturity = min(org.size + progress, 1.0)

    def yes(p: float) -> bool:
        return rng.random() < p

    teachers = {"school": 60, "preschool": 20, "additional": 25, "vocational": 70}[org.org_type]
    teachers = max(6, int(teachers * rng.uniform(0.5, 1.6)))
    mentors = int(teachers * rng.uniform(0.02, 0.04 + 0.12 * maturity))
    mentees = int(mentors * rng.uniform(0.8, 2.4))
    young = rng.randint(0, max(1, teachers // 10))
    students = (
        int(teachers * rng.uniform(8, 14)) if org.org_type in ("school", "vocational") else None
    )
    has_mentor_db = yes(0.2 + 0.55 * maturity)
    values: dict[str, object] = {
        "has_regulation": yes(0.6 + 0.4 * maturity),
        "has_roadmap": yes(0.5 + 0.45 * maturity),
        "has_curator": yes(0.6 + 0.4 * maturity),
        "has_program": yes(0.55 + 0.4 * maturity),
        "program_on_site": yes(0.3 + 0.5 * maturity),
        "has_mentor_db": has_mentor_db,
        "has_mentee_db": has_mentor_db and yes(0.85 + 0.1 * maturity),
        "has_incentives": yes(0.4 + 0.5 * maturity),
        "teachers_total": teachers,
        "young_specialists": young,
        "young_with_mentor": min(young, int(young * (0.4 + 0.6 * maturity) + 0.5)),
        "mentors": mentors,
        "mentees": mentees,
        "mentors_trained": int(mentors * (0.2 + 0.6 * maturity)),
        "pairs": max(0, mentees - rng.randint(0, 2)),
        "groups": rng.randint(0, 2),
        "form_teacher_teacher": rng.randint(0, 3),
        "form_head_teacher": rng.randint(0, 1),
        "mentees_completed": int(mentees * rng.uniform(0.2, 0.6 + 0.2 * maturity)),
        "students_10_18": students,
        "student_mentees": int(students * rng.uniform(0.3, 0.75)) if students else None,
        "satisfaction_pct": round(rng.uniform(62, 90 + 6 * maturity), 1),
    }
    return values


def _spoil(rng: random.Random, values: dict[str, object], n: int) -> None:
    """Blanks and rule violations, as in real forms."""
    if n % 23 == 5:
        values["satisfaction_pct"] = None
        values["has_incentives"] = None
    if n % 31 == 7:
        values["young_with_mentor"] = int(values["young_specialists"]) + 2
    if n % 37 == 11:
        values["mentors_trained"] = int(values["mentors"]) + 1
    if n % 29 == 3 and int(values["mentors"]) > 0:
        values["has_mentor_db"] = False
        values["has_mentee_db"] = False


def _cell(rng: random.Random, code: str, value: object, words: tuple[str, str]) -> object:
    """The value as a person would type it."""
    if value is None:
        return ""
    field = next(f for f in FORM_VALUE_FIELDS if f.code == code)
    if field.type is FieldType.YES_NO:
        return words[0] if value else words[1]
    if field.type is FieldType.SHARE:
        text = f"{value:.1f}".replace(".", ",")
        return text + "%" if rng.random() < 0.3 else text
    if field.type is FieldType.COUNT and code == "teachers_total" and rng.random() < 0.15:
        return f"{value} чел."
    if field.type is FieldType.COUNT and int(value) >= 1000 and rng.random() < 0.5:
        return f"{int(value):,}".replace(",", " ")
    return value


def _rows(rng: random.Random, orgs: list[_Org], year: int, skip: set[str]) -> list[list[object]]:
    rows = []
    for n, org in enumerate(orgs):
        if org.inn in skip:
            continue
        values = _values(rng, org, year)
        _spoil(rng, values, n + 7 * year)
        words = rng.choice(_YES_NO)
        type_word = rng.choice(_TYPE_WORDS[org.org_type])
        rows.append(
            [org.district or "", org.name, org.inn, type_word]
            + [_cell(rng, f.code, values[f.code], words) for f in FORM_VALUE_FIELDS]
        )
    return rows


def _form_header() -> list[str]:
    return ["Район", "Наименование ОО", "ИНН", "Тип ОО", *[f.header for f in FORM_VALUE_FIELDS]]


def _write_xlsx(
    path: Path, title: str, header: list[str], rows: list[list[object]], two_row_header: bool
) -> None:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "ОО"
    sheet.append([title])
    sheet.append([])
    if two_row_header:
        groups = [""] * len(header)
        groups[0], groups[4], groups[12] = "Общие сведения", "Локальные акты и базы", "Кадры"
        sheet.append(groups)
        sheet.merge_cells(start_row=3, start_column=1, end_row=3, end_column=4)
        sheet.merge_cells(start_row=3, start_column=5, end_row=3, end_column=12)
        sheet.merge_cells(start_row=3, start_column=13, end_row=3, end_column=len(header))
        header = [h.upper() if n % 5 == 0 else h for n, h in enumerate(header)]
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    totals = [""] * len(header)
    totals[[h.casefold() for h in header].index(ORG_NAME.header.casefold())] = "Итого"
    sheet.append(totals)
    instructions = workbook.create_sheet("Инструкция")
    instructions.append(["Заполните лист ОО: одна строка — одна организация."])
    workbook.properties.created = FIXED_TIME
    workbook.properties.modified = FIXED_TIME
    workbook.save(path)


def _write_csv(
    path: Path, title: str, header: list[str], rows: list[list[object]], encoding: str
) -> None:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow([title])
    writer.writerow([])
    writer.writerow(header)
    writer.writerows(rows)
    path.write_bytes(buffer.getvalue().encode(encoding))


def write_demo_files(directory: Path, seed: int = DEMO_SEED, scale: int = 1) -> list[DemoFile]:
    """Write the demo files into ``directory``: the registry, then one file per
    municipality and period. Same seed, same bytes."""
    rng = random.Random(seed)
    directory.mkdir(parents=True, exist_ok=True)
    orgs = _organisations(rng, scale)
    files: list[DemoFile] = []

    registry = directory / "реестр_ОО.xlsx"
    _write_xlsx(
        registry,
        "Реестр образовательных организаций",
        ["Регион", "Муниципалитет", *(f.header for f in (DISTRICT, ORG_NAME, INN, ORG_TYPE))],
        [
            [
                o.municipality.region,
                o.municipality.name,
                o.district or "",
                o.name,
                o.inn,
                _TYPE_WORDS[o.org_type][0],
            ]
            for o in orgs
        ],
        two_row_header=False,
    )
    files.append(DemoFile(registry, Kind.REGISTRY, Defaults()))

    latest_missing = {o.inn for o in rng.sample(orgs, 8)}
    for year, period in enumerate(PERIODS):
        first_missing = {o.inn for o in orgs[::40]} if year == 0 else set()
        skip = latest_missing if year == len(PERIODS) - 1 else first_missing
        for m_index, m in enumerate(MUNICIPALITIES):
            mine = [o for o in orgs if o.municipality is m]
            rows = _rows(rng, mine, year, skip)
            stem = f"{m.name.replace('.', '').replace(' ', '_')}_{period.replace('/', '-')}"
            title = f"Мониторинг реализации программ наставничества, {period} уч. год"
            defaults = Defaults(region=m.region, municipality=m.name, period=period)
            if m_index % 3 == 0:
                path = directory / f"{stem}.xlsx"
                _write_xlsx(path, title, _form_header(), rows, two_row_header=m_index == 0)
            else:
                path = directory / f"{stem}.csv"
                encoding = "cp1251" if m_index == 4 else "utf-8-sig"
                _write_csv(path, title, _form_header(), rows, encoding)
            files.append(DemoFile(path, Kind.ORG_FORM, defaults))
    return files


def build_demo(
    db: Database, directory: Path | None = None, seed: int = DEMO_SEED, scale: int = 1
) -> list[IngestResult]:
    """Write the demo files (by default into ``demo/`` beside the database) and load them
    in order through the ordinary ingest path."""
    directory = directory or db.path.parent / "demo"
    return [
        ingest_file(db, f.path, f.kind, f.defaults, user="демонстрационные данные")
        for f in write_demo_files(directory, seed, scale)
    ]
