"""A municipality with a registry, a round over it, and templates filled in as schools do."""

from __future__ import annotations

import io
from datetime import date, datetime

from openpyxl import load_workbook

from analytics.ingest.load import ingest_bytes
from analytics.model.contract import FormKind
from analytics.operations.access import Principal, View
from analytics.operations.users import Role
from analytics.store.db import Database
from tests.campaign import inn_check_digit
from tests.filemakers import xlsx_bytes

REGION = "Удмуртская Республика"
CITY = "г. Ижевск"
OTHER_CITY = "г. Глазов"
SCHOOLS = ("МБОУ «СОШ № 1»", "МБОУ «СОШ № 2»", "МБОУ «Гимназия № 3»", "МАОУ «Лицей № 4»")
ELSEWHERE = "МБОУ «СОШ № 7»"
START, DUE = date(2022, 6, 27), date(2022, 7, 5)
ADMIN = Principal("ivanova", Role.ADMIN)
ANALYST = Principal("sidorov", Role.ANALYST)

# The answers a school types into its template (header → value).
ANSWERS: dict[str, object] = {
    "Положение о наставничестве": "да",
    "Дорожная карта": "да",
    "Куратор назначен": "да",
    "Программа наставничества": "да",
    "Программа на сайте": "нет",
    "База наставников": "да",
    "База наставляемых": "нет",
    "Стимулирование наставников": "да",
    "Педагогических работников": 40,
    "Молодых специалистов": 4,
    "Молодых специалистов с наставником": 3,
    "Педагогов-наставников": 5,
    "Педагогов-наставляемых": 6,
}


def inn(n: int) -> str:
    first = f"18310{n:04d}"
    return first + inn_check_digit(first)


def registry_bytes() -> bytes:
    """The registry: four schools of Ижевск (the last without ИНН) and one of Глазов."""
    rows = [["Регион", "Муниципалитет", "Наименование ОО", "ИНН", "Тип ОО"]]
    rows += [[REGION, CITY, n, inn(i) if i < 3 else None, "СОШ"] for i, n in enumerate(SCHOOLS)]
    rows.append([REGION, OTHER_CITY, ELSEWHERE, inn(7), "СОШ"])
    return xlsx_bytes({"Реестр": rows})


def load_registry(db: Database) -> dict[str, int]:
    """The registry of :func:`registry_bytes` loaded; org ids by name."""
    ingest_bytes(db, "реестр.xlsx", registry_bytes(), FormKind.REGISTRY)
    frame = db.query("SELECT org_id, name FROM organizations")
    return {str(n): int(o) for o, n in zip(frame["org_id"], frame["name"], strict=True)}


def city_id(db: Database) -> int:
    return int(db.scalar("SELECT municipality_id FROM municipalities WHERE name = ?", [CITY]))


def open_city_round(db: Database, view: View | None = None) -> int:
    view = view or View(db, ADMIN)
    return view.open_round(
        "2022",
        municipality_id=city_id(db),
        starts_on=START,
        due_on=DUE,
        order_number="330",
        order_date=date(2022, 6, 23),
        order_title="О проведении мониторинга муниципальных показателей",
    )


def curator(org_id: int) -> Principal:
    return Principal(f"curator{org_id}", Role.CURATOR, frozenset({org_id}))


def filled(
    template: bytes, name: str | None = None, answers: dict[str, object] | None = None
) -> bytes:
    """A template as a school returns it: protection lifted, the name cell retyped where
    ``name`` is given, the answers (header → value) typed into row 2."""
    workbook = load_workbook(io.BytesIO(template))
    sheet = workbook["ОО"]
    sheet.protection.sheet = False
    headers = {cell.value: cell.column for cell in sheet[1]}
    if name is not None:
        sheet.cell(row=2, column=headers["Наименование ОО"], value=name)
    for header, value in {**ANSWERS, **(answers or {})}.items():
        sheet.cell(row=2, column=headers[header], value=value)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def at(day: int, month: int = 7, hour: int = 10) -> datetime:
    return datetime(2022, month, day, hour)
