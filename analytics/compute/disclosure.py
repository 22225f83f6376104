"""Statistical disclosure control for curators: what a curator sees of territory values
can never be combined, by any arithmetic, into another organisation's figures.

A curator needs their own organisations in full, and to compare them with their
municipality and their region. That is exactly what they get, and every territory value
they see comes through :meth:`CuratorWindow.values`, the one path (the
:class:`~analytics.operations.access.View` methods marked :func:`territory_values` use it, and the
engine functions that build on indicator values take it as their ``values``):

- **their own organisations**: every row and column, as for everyone else;
- **context territories only**: the total of what they asked for, and the region,
  municipality and district rows of the territories their organisations belong to.
  Other regions, municipalities and districts are removed, not blanked: a curator does
  not need them;
- **percentages only**: a territory row carries its value, target and status, never its
  numerator, denominator or number of organisations;
- **at the page's precision**: a territory row's value is rounded to what the pages show
  (:data:`~analytics.model.catalogue.SHOWN_DECIMALS`: a share to 0,1 %, a ratio or mean
  to 0,1) before it leaves the engine, and its gap and shortfall are those of the rounded
  value, so no value reconstructs its fraction (a full double of 17/31 gives 17 and 31
  back by continued fractions; ``54.8`` gives only ``274/5``). Its status and deficit
  stay those of the exact value: a curator sees the status everyone sees;
- **k ≥ 3 with complementary suppression, across indicators**: for each period, the
  sets of other organisations whose value may be shown are chosen once
  (:func:`publishable`), for every indicator at once and independent of the question
  asked, from the curator's context cells in this order: each own organisation's
  municipality, its region, then the same two restricted to its own type of
  organisation — each cell as the organisations taking part in each indicator (they
  differ where answers are blank). A set is taken only if, with those taken before it,
  every *atom* — a group of other organisations that lie in exactly the same chosen sets
  — has at least :data:`MIN_OTHERS` members. Any row, of any indicator (whatever the
  level, org-type filter or the «no district» remainder), whose set of other
  organisations is not one of the chosen ones is blanked (``suppressed``); so is a row
  with others from outside the curator's regions (a total over several regions).

The guarantee, for one data version: every territory value a curator receives is a
function of their own organisations' answers and of *sums over atoms* of the other
organisations' answers (mentors, mentees, teachers, each yes/no answer, the number of
organisations taking part), every atom of at least :data:`MIN_OTHERS` others. The plan
is one per period, not one per indicator, because indicators share those answers
(mentors in «обученные наставники» and «нагрузка», mentees in «нагрузка» and
«завершили», organisations in every yes/no share). So no arithmetic over shown values —
including a curator sending their own form again with other numbers, which turns each
shown share into the sums of its numerator and denominator — isolates fewer than
:data:`MIN_OTHERS` other organisations: no other organisation's answer, numerator,
denominator or value is determined (``tests/compute/test_disclosure.py`` checks it as a
linear system, re-upload included).

Per-type splits of other types, districts and the whole of several regions are shown
only where their set of other organisations happens to be one of the chosen cells
(then they reveal nothing the chosen cell did not). Quality findings reach curators
without the medians and z-scores of the outlier texts (:meth:`CuratorWindow.findings`),
since those are other organisations' raw counts.

What this does not hide: a yes/no indicator at 0 % or 100 % says every organisation of
the cell answered the same (a property of publishing any such share); and the guarantee
is per data version — a curator who reads a cell before and after one other
organisation's form arrives (or is replaced) can difference the two, as with any figure
published while the data still change.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from typing import TypeVar

import numpy as np
import pandas as pd

from analytics.compute import quality
from analytics.compute.indicators import compute
from analytics.compute.status import assess
from analytics.model.catalogue import INDICATORS
from analytics.model.legend import Better
from analytics.model.levels import LEVEL_INFO, TERRITORY_KEYS, Level
from analytics.store.db import Database
from analytics.store.scope import Scope

# Fewest other organisations behind any value a curator sees, and behind any difference
# of two such values.
MIN_OTHERS = 3

# Territory columns a curator never sees (percentages without their counts).
_COUNT_COLUMNS = ("numerator", "denominator", "orgs")
# Columns blanked on a row that is not shown.
_VALUE_COLUMNS = ("value", "status", "gap", "shortfall")

# Names of the View methods that return territory values (filled by the decorator).
TERRITORY_METHODS: set[str] = set()

_Method = TypeVar("_Method", bound=Callable[..., object])


def territory_values(method: _Method) -> _Method:
    """Mark a :class:`~analytics.operations.access.View` method that returns territory values: for a
    curator it must read them through the View's :class:`CuratorWindow`
    (``tests/test_architecture.py`` lists these methods and checks that each does)."""
    TERRITORY_METHODS.add(method.__name__)
    return method


@dataclass(frozen=True)
class Place:
    """Where one of the curator's organisations is, and of which type."""

    region_id: int
    municipality_id: int
    district_id: int | None
    org_type: str


def safe(cells: Iterable[frozenset[int]], minimum: int = MIN_OTHERS) -> bool:
    """True where every atom of ``cells`` (other organisations grouped by the cells they
    lie in) has at least ``minimum`` members."""
    cells = list(cells)
    if not cells:
        return True
    members = frozenset().union(*cells)
    atoms = Counter(tuple(org in cell for cell in cells) for org in members)
    return min(atoms.values()) >= minimum


def publishable(
    participants: pd.DataFrame, places: Iterable[Place], own: frozenset[int]
) -> set[frozenset[int]]:
    """The sets of other organisations whose value may be shown, for one period and every
    indicator at once: the context cells of ``places`` (municipality, region,
    municipality of the own type, region of the own type), in that order, each as the
    organisations taking part in each indicator, taken while the taken ones stay
    :func:`safe`. ``participants`` are the organisations taking part in each indicator of
    the period (``indicator``, ``org_id``, ``region_id``, ``municipality_id``,
    ``organization_type``).

    One plan for all indicators, because they share quantities: mentors are the
    denominator of «обученные наставники» and of «нагрузка», mentees the numerator of
    «нагрузка» and the denominator of «завершили», organisations the denominator of
    every yes/no share. Two indicators shown over sets that differ by one organisation
    give that organisation's mentees to a curator who learns the sums (by sending their
    own form twice); atoms over every indicator's cells rule that out. Within a cell,
    the set most indicators share is tried first, so the others are the ones blanked."""
    taken: list[frozenset[int]] = []
    for place in places:
        in_region = participants["region_id"] == place.region_id
        in_municipality = participants["municipality_id"] == place.municipality_id
        of_type = participants["organization_type"] == place.org_type
        for rows in (in_municipality, in_region, in_municipality & of_type, in_region & of_type):
            cells = Counter(
                frozenset(int(o) for o in part["org_id"]) - own
                for _, part in participants.loc[rows].groupby("indicator")
            )
            for others, _ in cells.most_common():
                if others and others not in taken and safe([*taken, others]):
                    taken.append(others)
    return set(taken)


@dataclass
class CuratorWindow:
    """Indicator values and findings as a curator of ``own`` may see them."""

    db: Database
    own: frozenset[int]
    places: list[Place] = field(init=False)
    # Participants and plans of one data version, reused by the window's later reads.
    _cache: dict[str, object] = field(init=False, default_factory=dict)

    def __post_init__(self) -> None:
        self.own = frozenset(int(o) for o in self.own)
        found = self.db.query(
            """
            SELECT m.region_id, o.municipality_id, o.district_id, o.org_type
            FROM organizations o JOIN municipalities m USING (municipality_id)
            WHERE o.org_id IN (SELECT unnest(?))
            ORDER BY o.org_id
            """,
            [sorted(self.own)],
        )
        self.places = list(
            dict.fromkeys(
                Place(
                    int(r.region_id),
                    int(r.municipality_id),
                    None if pd.isna(r.district_id) else int(r.district_id),
                    str(r.org_type),
                )
                for r in found.itertuples(index=False)
            )
        )

    # --- the one path ---------------------------------------------------------------

    def values(self, db: Database, scope: Scope | None = None) -> pd.DataFrame:
        """:func:`~analytics.compute.indicators.compute` for ``scope`` as the curator may see it
        (a :data:`~analytics.compute.indicators.Values`): own organisations' rows in full, context
        territory rows without counts, blanked (``suppressed``) where not publishable;
        everything else removed."""
        scope = scope or Scope()
        frame = compute(db, scope)
        is_org = frame["level"] == str(Level.ORGANIZATION)
        own = is_org & frame["org_id"].isin(self.own)
        keep = own | (~is_org & self._in_context(frame, scope))
        frame = frame[keep.to_numpy()].reset_index(drop=True)
        return _release(_rounded(self.db, frame), self._shown(frame, scope))

    def findings(self, period: str | None, scope: Scope | None = None) -> pd.DataFrame:
        """Quality findings of the curator's organisations, outliers without the figures
        of the others they are compared with."""
        scope = replace(scope or Scope(), org_ids=self.own)
        found = quality.findings(self.db, period, scope, figures=False)
        return found[found["org_id"].isin(self.own)].reset_index(drop=True)

    # --- what is shown ----------------------------------------------------------------

    def _in_context(self, frame: pd.DataFrame, scope: Scope) -> pd.Series:
        """Territory rows of the curator's context: the scope's total and the regions,
        municipalities and districts of their organisations, within a scope that itself
        stays in that context."""
        regions = {p.region_id for p in self.places}
        municipalities = {p.municipality_id for p in self.places}
        districts = {p.district_id for p in self.places if p.district_id is not None}
        within = (
            (scope.region_id is None or scope.region_id in regions)
            and (scope.municipality_id is None or scope.municipality_id in municipalities)
            and (scope.district_id is None or scope.district_id in districts)
            and (scope.org_id is None or scope.org_id in self.own)
        )
        level = frame["level"]
        if not within:
            return pd.Series(False, index=frame.index)
        return (
            (level == str(Level.TOTAL))
            | ((level == str(Level.REGION)) & frame["region_id"].isin(regions))
            | ((level == str(Level.MUNICIPALITY)) & frame["municipality_id"].isin(municipalities))
            | ((level == str(Level.DISTRICT)) & frame["district_id"].isin(districts))
        ).fillna(False)

    def _participants(self) -> tuple[pd.DataFrame, dict[str, set[frozenset[int]]]]:
        """Every organisation of the curator's regions taking part in an indicator and
        period, and the plans of the periods made from them so far; kept for one data
        version (the plan of a period never depends on what was asked)."""
        version = self.db.data_version()
        if self._cache.get("version") != version:
            parts = []
            for region_id in sorted({p.region_id for p in self.places}):
                rows = compute(self.db, Scope(levels=(Level.ORGANIZATION,), region_id=region_id))
                parts.append(rows[rows["orgs"] > 0])
            columns = [
                "indicator",
                "period",
                "org_id",
                "region_id",
                "municipality_id",
                "district_id",
                "organization_type",
            ]
            found = pd.concat(parts, ignore_index=True)[columns] if parts else None
            self._cache.update(
                version=version,
                participants=pd.DataFrame(columns=columns) if found is None else found,
                plans={},
            )
        return self._cache["participants"], self._cache["plans"]  # type: ignore[return-value]

    def _shown(self, frame: pd.DataFrame, scope: Scope) -> np.ndarray:
        """Per row: shown (True for own organisations' rows and publishable territory
        rows) or not."""
        shown = np.ones(len(frame), dtype=bool)
        territory = (frame["level"] != str(Level.ORGANIZATION)).to_numpy()
        if not territory.any():
            return shown
        participants, plans = self._participants()
        in_scope = _in_scope(participants, scope).to_numpy()
        keys = list(TERRITORY_KEYS)
        by_cell: dict[tuple[str, str], tuple[np.ndarray, dict[str, np.ndarray]]] = {}
        for (indicator, period), part in participants.groupby(["indicator", "period"]):
            inside = part[in_scope[part.index]]
            columns = {k: inside[k].to_numpy(dtype=float, na_value=np.nan) for k in keys}
            by_cell[(str(indicator), str(period))] = (inside["org_id"].to_numpy(), columns)
        rows = frame.loc[territory, ["indicator", "period", "level", "orgs", *keys]]
        for position, row in zip(
            np.flatnonzero(territory), rows.itertuples(index=False), strict=True
        ):
            key = (str(row.indicator), str(row.period))
            if key not in by_cell:
                shown[position] = False  # nobody of the curator's regions takes part
                continue
            orgs, columns = by_cell[key]
            column = LEVEL_INFO[Level(row.level)].key
            if column is not None:
                orgs = orgs[columns[column] == float(getattr(row, column))]
            members = frozenset(int(o) for o in orgs)
            if len(members) != int(row.orgs):
                shown[position] = False  # others from outside the curator's regions
                continue
            others = members - self.own
            if others:
                period = str(row.period)
                if period not in plans:
                    everyone = participants[participants["period"] == period]
                    plans[period] = publishable(everyone, self.places, self.own)
                shown[position] = others in plans[period]
        return shown


def _in_scope(participants: pd.DataFrame, scope: Scope) -> pd.Series:
    """Participants inside ``scope``'s territory, organisation and type filters."""
    return scope.mask(participants.rename(columns={"organization_type": "org_type"}))


def _rounded(db: Database, frame: pd.DataFrame) -> pd.DataFrame:
    """Territory rows' values rounded to the decimals they are shown with (as the pages
    format them: correctly rounded, half to even), their gap and shortfall those of the
    rounded value by the one rule (:func:`~analytics.compute.status.assess`); status and
    deficit, judged on the exact value, are kept."""
    territory = (frame["level"] != str(Level.ORGANIZATION)).to_numpy()
    if not territory.any():
        return frame
    rows = frame.loc[territory]
    decimals = [INDICATORS[int(n)].decimals for n in rows["ord"]]
    value = np.array(
        [
            v if np.isnan(v) else round(v, d)
            for v, d in zip(rows["value"].to_numpy(dtype=float), decimals, strict=True)
        ],
        dtype=float,
    )
    target = rows["target"].to_numpy(dtype=float)
    _, gap, shortfall = assess(db, value, target, (rows["better"] == str(Better.HIGHER)).to_numpy())
    frame = frame.copy()
    for column, rounded in (("value", value), ("gap", gap), ("shortfall", shortfall)):
        column_values = frame[column].to_numpy(dtype=float, copy=True)
        column_values[territory] = rounded
        frame[column] = column_values
    return frame


def _release(frame: pd.DataFrame, shown: np.ndarray) -> pd.DataFrame:
    """Territory rows without counts, blanked where not shown; ``suppressed`` says which."""
    territory = (frame["level"] != str(Level.ORGANIZATION)).to_numpy()
    hidden = territory & ~shown
    frame = frame.copy()
    for column in _COUNT_COLUMNS:
        frame[column] = frame[column].astype(object).where(~territory, None)
    for column in _VALUE_COLUMNS:
        frame[column] = frame[column].astype(object).where(~hidden, None)
    frame["deficit"] = frame["deficit"] & ~hidden
    frame["suppressed"] = hidden
    return frame
