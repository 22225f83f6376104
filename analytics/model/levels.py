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
    column of their names, ``table`` where they are stored, ``parent`` the enclosing level
    every unit has (an organisation's is its municipality: districts are optional), and
    its words: ``label`` («Муниципалитет»), ``noun`` («муниципалитет», as chosen from a
    list), ``genitive`` («муниципалитета»), ``plural`` («муниципалитеты»),
    ``genitive_plural`` («муниципалитетов»), ``by_units`` («по муниципалитетам»)."""

    level: Level
    key: str | None
    name: str | None
    table: str | None
    parent: Level | None
    label: str
    noun: str
    genitive: str
    plural: str
    genitive_plural: str
    by_units: str


LEVEL_INFO: dict[Level, LevelInfo] = {
    Level.TOTAL: LevelInfo(
        level=Level.TOTAL,
        key=None,
        name=None,
        table=None,
        parent=None,
        label="Всего",
        noun="все территории",
        genitive="всех территорий",
        plural="все",
        genitive_plural="всех",
        by_units="по всем территориям",
    ),
    Level.REGION: LevelInfo(
        level=Level.REGION,
        key="region_id",
        name="region",
        table="regions",
        parent=None,
        label="Регион",
        noun="регион",
        genitive="региона",
        plural="регионы",
        genitive_plural="регионов",
        by_units="по регионам",
    ),
    Level.MUNICIPALITY: LevelInfo(
        level=Level.MUNICIPALITY,
        key="municipality_id",
        name="municipality",
        table="municipalities",
        parent=Level.REGION,
        label="Муниципалитет",
        noun="муниципалитет",
        genitive="муниципалитета",
        plural="муниципалитеты",
        genitive_plural="муниципалитетов",
        by_units="по муниципалитетам",
    ),
    Level.DISTRICT: LevelInfo(
        level=Level.DISTRICT,
        key="district_id",
        name="district",
        table="districts",
        parent=Level.MUNICIPALITY,
        label="Район",
        noun="район",
        genitive="района",
        plural="районы",
        genitive_plural="районов",
        by_units="по районам",
    ),
    Level.ORGANIZATION: LevelInfo(
        level=Level.ORGANIZATION,
        key="org_id",
        name="organization",
        table="organizations",
        parent=Level.MUNICIPALITY,
        label="Организация",
        noun="организация",
        genitive="организации",
        plural="организации",
        genitive_plural="организаций",
        by_units="по организациям",
    ),
}
LEVELS: tuple[Level, ...] = tuple(Level)
LEVEL_LABELS: dict[Level, str] = {level: info.label for level, info in LEVEL_INFO.items()}
# The levels below the total, outermost first, with their key columns.
UNIT_LEVELS: tuple[LevelInfo, ...] = tuple(i for i in LEVEL_INFO.values() if i.key)
# The territories' levels (regions, municipalities, districts), outermost first.
TERRITORY_LEVELS: tuple[LevelInfo, ...] = tuple(
    i for i in UNIT_LEVELS if i.level is not Level.ORGANIZATION
)
# Their key columns: ``region_id``, ``municipality_id``, ``district_id``.
TERRITORY_KEYS: tuple[str, ...] = tuple(str(i.key) for i in TERRITORY_LEVELS)
