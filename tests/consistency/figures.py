"""The figures one scope should show, worked out apart from the engine: pandas over the
stored forms, the registry, the person registers and the targets of the database, with
the contract's formulas (``/work/shared/DATA_CONTRACT.md``) written out here again.

Only the catalogue's declarations (names, factors, default targets, which way is better)
and the spelling of numbers (:mod:`analytics.wording.formatting`) are read from the code;
no value, status, gap or ranking is.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import pandas as pd

from analytics.model.catalogue import INDICATORS, Indicator, IndicatorKind
from analytics.model.legend import Better, Status
from analytics.model.periods import period_label
from analytics.store.scope import Scope
from analytics.wording.formatting import indicator_value, part_of
from tests.campaign import SHARES

# The contract's yes/no indicators and the column each counts (written out by hand once,
# for every independent computation of the tests).
YES_NO_COLUMNS = SHARES
# The contract's ratios of sums of counts: (numerator columns, denominator columns).
COUNT_RATIOS = {
    "teachers_involved": (("mentors", "mentees"), ("teachers_total",)),
    "young_mentored": (("young_with_mentor",), ("young_specialists",)),
    "mentors_trained": (("mentors_trained",), ("mentors",)),
    "mentor_load": (("mentees",), ("mentors",)),
    "completion": (("mentees_completed",), ("mentees",)),
    "students_mentored": (("student_mentees",), ("students_10_18",)),
}
# The legend: yellow within 80 % of the target (125 % where lower is better).
YELLOW_EDGE = {Better.HIGHER: 0.8, Better.LOWER: 1.25}
# The kinds whose count reads «N из M» (a mean and a ratio count otherwise).
COUNTED_KINDS = (IndicatorKind.COVERAGE, IndicatorKind.YES_NO, IndicatorKind.PEOPLE)


@dataclass(frozen=True)
class Tables:
    """The stored tables the figures are worked out from, read once per database."""

    places: pd.DataFrame
    forms: pd.DataFrame
    registry: set[int]
    person_bases: set[tuple[int, str]]
    targets: pd.DataFrame

    @classmethod
    def read(cls, path: Path) -> Tables:
        con = duckdb.connect(str(path), read_only=True)
        try:
            places = con.sql(
                "SELECT o.org_id, o.name, o.org_type, o.district_id, o.municipality_id, "
                "m.region_id, d.name AS district, m.name AS municipality, r.name AS region "
                "FROM organizations o JOIN municipalities m USING (municipality_id) "
                "JOIN regions r ON r.region_id = m.region_id "
                "LEFT JOIN districts d ON d.district_id = o.district_id"
            ).df()
            forms = con.sql("SELECT * EXCLUDE (entered) FROM form_values").df()
            registry = set(con.sql("SELECT org_id FROM registry").df()["org_id"])
            bases = con.sql(
                "SELECT DISTINCT org_id, period FROM mentors "
                "INTERSECT SELECT DISTINCT org_id, period FROM mentees"
            ).fetchall()
            targets = con.sql("SELECT indicator, period, level, territory_id, target FROM targets")
            return cls(places, forms, registry, {(o, p) for o, p in bases}, targets.df())
        finally:
            con.close()


@dataclass(frozen=True)
class Figure:
    """One indicator as the scope should show it."""

    indicator: Indicator
    numerator: float | None
    denominator: float | None
    value: float | None
    target: float
    status: Status | None
    shortfall: float | None

    @property
    def text(self) -> str | None:
        """The value as people read it («54,0 %», «1,6»)."""
        return None if self.value is None else indicator_value(self.indicator, self.value)

    @property
    def count(self) -> str | None:
        """«47 из 87» where the indicator counts a part of a set."""
        if self.value is None or self.indicator.kind not in COUNTED_KINDS:
            return None
        return part_of(self.numerator, self.denominator)

    @property
    def deficit(self) -> bool:
        return self.status in (Status.YELLOW, Status.RED)


@dataclass(frozen=True)
class Expected:
    """Every figure of a scope, the ranking of its deficits and the scope in words."""

    scope: Scope
    stated: str
    figures: dict[str, Figure] = field(default_factory=dict)

    @property
    def values(self) -> dict[str, str]:
        return {i: f.text for i, f in self.figures.items() if f.text is not None}

    @property
    def statuses(self) -> dict[str, Status]:
        return {i: f.status for i, f in self.figures.items() if f.status is not None}

    @property
    def counts(self) -> dict[str, str]:
        return {i: f.count for i, f in self.figures.items() if f.count is not None}

    @property
    def deficits(self) -> tuple[str, ...]:
        """Largest shortfall first, the catalogue's order on ties (shortfalls equal to
        twelve places: the same fraction reached by other sums)."""
        order = {i.id: n for n, i in enumerate(INDICATORS)}
        ranked = sorted(
            (f for f in self.figures.values() if f.deficit),
            key=lambda f: (-round(f.shortfall, 12), order[f.indicator.id]),
        )
        return tuple(f.indicator.id for f in ranked)


# How a scope names its type of organisation, written out here rather than taken from the
# contract.
TYPE_IN_WORDS = {
    "school": "общеобразовательная ОО",
    "preschool": "дошкольная ОО",
    "additional": "ОО дополнительного образования",
    "vocational": "профессиональная ОО",
}


def in_scope(tables: Tables, scope: Scope) -> pd.DataFrame:
    """The organisations (rows of ``places``) the scope covers."""
    places = tables.places
    for column, value in (
        ("region_id", scope.region_id),
        ("municipality_id", scope.municipality_id),
        ("district_id", scope.district_id),
        ("org_type", scope.org_type),
        ("org_id", scope.org_id),
    ):
        if value is not None:
            places = places[places[column] == value]
    return places


def stated(tables: Tables, scope: Scope) -> str:
    """The scope in words as a document's title or a page's caption states it:
    «2023/2024 уч. год · Удмуртская Республика · г. Глазов · все типы ОО»."""
    places = tables.places
    parts = [period_label(scope.periods[0])]
    for column, value in (
        ("region", scope.region_id),
        ("municipality", scope.municipality_id),
        ("district", scope.district_id),
    ):
        if value is not None:
            parts.append(places.loc[places[f"{column}_id"] == value, column].iloc[0])
    if scope.region_id is None and scope.municipality_id is None:
        parts.append("все территории")
    org_type = TYPE_IN_WORDS[scope.org_type] if scope.org_type else "все типы ОО"
    parts.append(org_type)
    return " · ".join(parts)


def _pairs(tables: Tables, orgs: pd.DataFrame, period: str) -> dict[str, tuple[float, float]]:
    """Each indicator's Σ numerator and Σ denominator over ``orgs`` in ``period``, over the
    organisations where both are present."""
    forms = tables.forms[
        (tables.forms["period"] == period) & tables.forms["org_id"].isin(orgs["org_id"])
    ]
    sums: dict[str, tuple[float, float]] = {}
    for id_, column in YES_NO_COLUMNS.items():
        answered = forms[column].dropna()
        sums[id_] = (float(answered.astype(bool).sum()), float(len(answered)))
    bases = forms["org_id"].map(lambda org: (org, period) in tables.person_bases)
    both = forms[["has_mentor_db", "has_mentee_db"]].notna().all(axis=1) & ~bases
    answered = forms[both]
    has = answered["has_mentor_db"].astype(bool) & answered["has_mentee_db"].astype(bool)
    # An organisation that uploaded both person registers has both databases.
    with_bases = {org for org, p in tables.person_bases if p == period} & set(orgs["org_id"])
    sums["databases"] = (float(has.sum()) + len(with_bases), float(len(answered)) + len(with_bases))
    for id_, (top, bottom) in COUNT_RATIOS.items():
        numerator = forms[list(top)].sum(axis=1, min_count=len(top))
        denominator = forms[list(bottom)].sum(axis=1, min_count=len(bottom))
        both = numerator.notna() & denominator.notna()
        sums[id_] = (float(numerator[both].sum()), float(denominator[both].sum()))
    people = forms["mentors"] + forms["mentees"]
    answered = forms["satisfaction_pct"].notna() & people.notna()
    sums["satisfaction"] = (
        float((forms["satisfaction_pct"] * people)[answered].sum()),
        float(people[answered].sum()),
    )
    listed = orgs[orgs["org_id"].isin(tables.registry)]
    reported = listed["org_id"].isin(set(forms["org_id"]))
    sums["reporting"] = (float(reported.sum()), float(len(listed)))
    return sums


def _target(tables: Tables, indicator: Indicator, scope: Scope) -> float:
    """The most specific target set for the scope's territory (district, municipality,
    region, every territory; for the period before every period), else the default."""
    targets = tables.targets[tables.targets["indicator"] == indicator.id]
    places = in_scope(tables, Scope(org_id=scope.org_id)) if scope.org_id else None
    ids = {
        "district": scope.district_id,
        "municipality": scope.municipality_id,
        "region": scope.region_id,
    }
    if places is not None and len(places):
        row = places.iloc[0]
        for level in ids:
            ids[level] = None if pd.isna(row[f"{level}_id"]) else int(row[f"{level}_id"])
    for level, territory in [*ids.items(), ("total", 0)]:
        if territory is None:
            continue
        for period in (scope.periods[0], "*"):
            hit = targets[
                (targets["level"] == level)
                & (targets["territory_id"] == territory)
                & (targets["period"] == period)
            ]
            if len(hit):
                return float(hit["target"].iloc[0])
    return indicator.target


def expected(tables: Tables, scope: Scope) -> Expected:
    """The figures of ``scope`` (one period; a territory, a type, an organisation)."""
    period = scope.periods[0]
    orgs = in_scope(tables, scope)
    sums = _pairs(tables, orgs, period)
    figures: dict[str, Figure] = {}
    for indicator in INDICATORS:
        numerator, denominator = sums[indicator.id]
        value = indicator.factor * numerator / denominator if denominator > 0 else None
        target = _target(tables, indicator, scope)
        status = shortfall = None
        if value is not None:
            higher = indicator.better is Better.HIGHER
            edge = target * YELLOW_EDGE[indicator.better]
            if value >= target if higher else value <= target:
                status = Status.GREEN
            elif value >= edge if higher else value <= edge:
                status = Status.YELLOW
            else:
                status = Status.RED
            gap = max(target - value if higher else value - target, 0.0)
            shortfall = gap / abs(target) if target else gap
        figures[indicator.id] = Figure(
            indicator,
            numerator if denominator > 0 else None,
            denominator if denominator > 0 else None,
            value,
            target,
            status,
            shortfall,
        )
    return Expected(scope, stated(tables, scope), figures)


def by_name(name: str) -> str:
    """The id of the indicator of this full name or short name."""
    for indicator in INDICATORS:
        if name in (indicator.name, indicator.short):
            return indicator.id
    raise KeyError(name)
