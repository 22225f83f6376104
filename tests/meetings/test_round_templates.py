"""A round's templates: file names a person can tell apart, within Windows' path limits,
for a city whose registry writes long official names."""

from __future__ import annotations

import io
import re
import zipfile
from datetime import date

import pytest

from analytics.ingest.load import ingest_bytes
from analytics.meetings.round_templates import short_name
from analytics.model.contract import FormKind
from analytics.operations.access import AccessDenied, View
from analytics.store.db import Database
from analytics.store.scope import Scope
from tests.campaign import inn_check_digit
from tests.filemakers import xlsx_bytes
from tests.roundfiles import ADMIN, curator

CITY = "Санкт-Петербург"
DISTRICTS = ("Адмиралтейский район", "Колпинский район")


def long_name(number: int, district: str) -> str:
    return (
        "Государственное бюджетное общеобразовательное учреждение средняя "
        f"общеобразовательная школа № {number} с углублённым изучением английского языка "
        f"{district.replace('ий район', 'ого района')} Санкт-Петербурга"
    )


def registry(db: Database) -> dict[str, tuple[str, str]]:
    """Twelve schools, six per district, whose names differ only by number from the 60th
    character on; (district, ИНН) by name."""
    rows = [["Регион", "Муниципалитет", "Район", "Наименование ОО", "ИНН", "Тип ОО"]]
    schools = {}
    for n in range(12):
        district = DISTRICTS[n % 2]
        first = f"7801{n:05d}"
        inn = first + inn_check_digit(first)
        name = long_name(100 + n, district)
        rows.append([CITY, CITY, district, name, inn, "СОШ"])
        schools[name] = (district, inn)
    ingest_bytes(db, "реестр.xlsx", xlsx_bytes({"Реестр": rows}), FormKind.REGISTRY)
    return schools


def city_round(db: Database) -> int:
    return View(db, ADMIN).open_round(
        "2025/2026",
        region_id=int(db.scalar("SELECT region_id FROM regions")),
        starts_on=date(2026, 5, 4),
        due_on=date(2026, 5, 15),
        order_number="12",
        order_date=date(2026, 4, 28),
    )


def test_each_schools_template_is_named_by_its_number_and_inn_in_its_districts_folder(fresh_db):
    schools = registry(fresh_db)
    round_id = city_round(fresh_db)

    archive = View(fresh_db, ADMIN).round_templates_zip(round_id, Scope())

    names = zipfile.ZipFile(io.BytesIO(archive)).namelist()
    expected = {
        (f"{CITY}/{district}", re.search(r"№ \d+", name)[0], inn)
        for name, (district, inn) in schools.items()
    }
    found = {
        (path.rsplit("/", 1)[0], re.search(r"№ \d+", path)[0], re.search(r"\((\d+)\)", path)[1])
        for path in names
    }
    assert (len(names), found) == (12, expected)


def test_every_template_path_stays_within_160_characters(fresh_db):
    registry(fresh_db)
    round_id = city_round(fresh_db)

    archive = View(fresh_db, ADMIN).round_templates_zip(round_id, Scope())

    longest = max(len(p) for p in zipfile.ZipFile(io.BytesIO(archive)).namelist())
    assert longest <= 160


def test_a_districts_zip_holds_its_six_schools_only(fresh_db):
    registry(fresh_db)
    round_id = city_round(fresh_db)
    district = int(
        fresh_db.scalar("SELECT district_id FROM districts WHERE name = ?", [DISTRICTS[1]])
    )

    archive = View(fresh_db, ADMIN).round_templates_zip(round_id, Scope(district_id=district))

    folders = {p.rsplit("/", 1)[0] for p in zipfile.ZipFile(io.BytesIO(archive)).namelist()}
    assert (len(zipfile.ZipFile(io.BytesIO(archive)).namelist()), folders) == (
        6,
        {f"{CITY}/{DISTRICTS[1]}"},
    )


def test_a_curator_asking_for_the_whole_zip_is_pointed_to_their_own_templates(fresh_db):
    registry(fresh_db)
    round_id = city_round(fresh_db)
    own = int(fresh_db.scalar("SELECT min(org_id) FROM organizations"))

    with pytest.raises(AccessDenied) as refused:
        View(fresh_db, curator(own)).round_templates_zip(round_id, Scope())

    assert str(refused.value) == (
        "Архив шаблонов содержит значения всех организаций и куратору не выдаётся; скачайте "
        "шаблоны своих организаций на вкладке «Шаблоны»."
    )


def test_a_long_name_without_a_number_keeps_its_innermost_name_in_quotes():
    name = (
        "Муниципальное казённое учреждение дополнительного образования «Центр "
        "оздоровительно-образовательный «Факел» Еманжелинского муниципального района»"
    )

    assert short_name(name) == "Муниципальное казённое… Факел Еманжелинского муниципального"
