"""Which data a question covers: one :class:`Scope` builds both its SQL condition and its
description in words (datasette's ``Filter`` does the same for a table's filters).

The condition is over ``org_places`` — each organisation with its territories (a view
the schema declares once, see :func:`analytics.store.db.org_places_view`) — so no query writes
out the organisation-to-territory join again.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from analytics.model.contract import ORG_TYPES_BY_CODE
from analytics.model.levels import TERRITORY_LEVELS, UNIT_LEVELS, Level
from analytics.model.periods import period_label
from analytics.store.db import TOTAL_TERRITORY

# pandas is imported where a frame is made: a command that only has DuckDB write a table
# (``indicators --format csv``) starts without it.
if TYPE_CHECKING:
    import pandas as pd

# Each organisation with its territories' ids and names: org_id, name, inn, org_type,
# district_id, municipality_id, region_id, district, municipality, region.
ORG_PLACES = "org_places"


@dataclass(frozen=True)
class Scope:
    """Which data a query covers; every field None means everything.

    ``org_ids`` restricts to a set of organisations (for example a curator's own).
    Every territory aggregate then covers only them.
    """

    periods: tuple[str, ...] | None = None
    levels: tuple[Level, ...] | None = None
    org_type: str | None = None
    region_id: int | None = None
    municipality_id: int | None = None
    district_id: int | None = None
    org_id: int | None = None
    indicators: tuple[str, ...] | None = None
    org_ids: frozenset[int] | None = None

    def _places(self) -> list[tuple[str, object]]:
        """(column of ``org_places``, value) of each organisation condition the scope sets:
        its type and, for each level below the total, its unit (the fields are named
        after the levels' key columns)."""
        units = [(str(i.key), getattr(self, str(i.key))) for i in UNIT_LEVELS]
        return [(c, v) for c, v in [("org_type", self.org_type), *units] if v is not None]

    def units(self) -> list[tuple[Level, int]]:
        """(level, id) of each unit the scope names, outermost first: its region,
        municipality, district and organisation (the fields named after the key columns)."""
        chosen = [(i.level, getattr(self, str(i.key))) for i in UNIT_LEVELS]
        return [(level, int(value)) for level, value in chosen if value is not None]

    def unit(self) -> tuple[Level, int]:
        """The most specific unit the scope names, as (level, id); (total, 0) for none."""
        units = self.units()
        return units[-1] if units else (Level.TOTAL, TOTAL_TERRITORY)

    def where(self, alias: str = "o") -> tuple[str, list[object]]:
        """``AND …`` conditions keeping the scope's organisations, on ``alias``: a row of
        ``org_places`` (its periods are not used; see :meth:`period_where`)."""
        clauses: list[str] = []
        params: list[object] = []
        for column, value in self._places():
            clauses.append(f"{alias}.{column} = ?")
            params.append(value)
        if self.org_ids is not None:
            clauses.append(f"{alias}.org_id IN (SELECT unnest(?))")
            params.append(sorted(self.org_ids))
        return "".join(f"\n      AND {c}" for c in clauses), params

    def mask(self, places: pd.DataFrame) -> pd.Series:
        """Which rows of ``places`` (a frame with the columns of ``org_places`` it needs)
        the scope covers: :meth:`where` for a frame already read (a missing value is not
        covered)."""
        import pandas as pd

        covered = pd.Series(True, index=places.index)
        for column, value in self._places():
            covered &= places[column].eq(value).fillna(False).astype(bool)
        if self.org_ids is not None:
            covered &= places["org_id"].isin(self.org_ids)
        return covered

    def keep(self, places: pd.DataFrame) -> pd.DataFrame:
        """The rows of ``places`` whose organisation the scope covers (see :meth:`mask`)."""
        return places[self.mask(places)]

    def period_where(self, column: str = "p.period") -> tuple[str, list[object]]:
        """``AND …`` keeping the scope's periods on ``column``."""
        if self.periods is None:
            return "", []
        return f"\n      AND {column} IN (SELECT unnest(?))", [list(self.periods)]

    def describe(self, places: pd.DataFrame) -> str:
        """The scope in words, «2022/2023 уч. год · Удмуртская Республика · г. Глазов ·
        общеобразовательная ОО»; ``places`` has the ids and names of ``org_places``."""
        parts = [
            " и ".join(period_label(p) for p in self.periods) if self.periods else "все периоды"
        ]
        for info in TERRITORY_LEVELS:
            value = getattr(self, str(info.key))
            if value is not None:
                names = places.loc[places[info.key] == value, info.name]
                if len(names):
                    parts.append(str(names.iloc[0]))
        if self.region_id is None and self.municipality_id is None:
            parts.append("все территории")
        parts.append(ORG_TYPES_BY_CODE[self.org_type].in_scope if self.org_type else "все типы ОО")
        return " · ".join(parts)
