"""The levels of the hierarchy, each one record (DHIS2's organisation unit level):
region → municipality → district (optional) → organisation, under the total.

Each level says which id column keys it, which column names a unit of it, the table its
units live in and its Russian words; every query, table and sentence reads them here.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Level(StrEnum):
    TOTAL = "total"
    REGION = "region"
    MUNICIPALITY = "municipality"
    DISTRICT = "district"
    ORGANIZATION = "organization"


@dataclass(frozen=True)
class LevelInfo:
    """One level: ``key`` the id column of its units (None for the total), ``name`` the
    column of their names, ``table`` where they are stored, and its words: ``label``
    («Муниципалитет»), ``plural`` («муниципалитеты»), ``genitive_plural`` («муниципалитетов»)."""

    level: Level
    key: str | None
    name: str | None
    table: str | None
    label: str
    plural: str
    genitive_plural: str


LEVEL_INFO: dict[Level, LevelInfo] = {
    Level.TOTAL: LevelInfo(Level.TOTAL, None, None, None, "Всего", "все", "всех"),
    Level.REGION: LevelInfo(
        Level.REGION, "region_id", "region", "regions", "Регион", "регионы", "регионов"
    ),
    Level.MUNICIPALITY: LevelInfo(
        Level.MUNICIPALITY,
        "municipality_id",
        "municipality",
        "municipalities",
        "Муниципалитет",
        "муниципалитеты",
        "муниципалитетов",
    ),
    Level.DISTRICT: LevelInfo(
        Level.DISTRICT, "district_id", "district", "districts", "Район", "районы", "районов"
    ),
    Level.ORGANIZATION: LevelInfo(
        Level.ORGANIZATION,
        "org_id",
        "organization",
        "organizations",
        "Организация",
        "организации",
        "организаций",
    ),
}
LEVELS: tuple[Level, ...] = tuple(Level)
LEVEL_LABELS: dict[Level, str] = {level: info.label for level, info in LEVEL_INFO.items()}
# The levels below the total, outermost first, with their key columns.
UNIT_LEVELS: tuple[LevelInfo, ...] = tuple(i for i in LEVEL_INFO.values() if i.key)
