"""What a document about a territory and period holds: its organisations, indicator values
by level, the previous period, the uploads it rests on (:func:`collect`).

Every document — the analytic note, the deck, the school notes — starts from here, so they
agree on every number.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from functools import cached_property

import pandas as pd

from analytics.compute import lookups
from analytics.compute.indicators import compute, counted_indicators, deficits
from analytics.ingest.normalize import ValueProblem
from analytics.model.errors import MonitoringError
from analytics.model.levels import LEVEL_INFO, Level
from analytics.model.periods import parse_period, period_label
from analytics.store.db import Database
from analytics.store.scope import ORG_PLACES, Scope
from analytics.wording import narrative
from analytics.wording.formatting import (
    data_stamp,
    integer,
    plural,
)

log = logging.getLogger(__name__)
# At most this many bars in a chart by territory or organisation (the lowest values).
UNIT_CHART_LIMIT = 30


class ReportError(MonitoringError, ValueError):
    """A document cannot be built for these arguments; the message is in Russian."""


@dataclass
class ReportData:
    """Everything the documents say about one territory, period and org type."""

    period: str
    previous: str | None
    # What the document covers: its one period, territory and org type (see
    # :func:`document_scope`); every figure below is of this scope.
    scope: Scope
    # ``scope`` in words (:meth:`~analytics.store.scope.Scope.describe`), the document's title.
    described: str
    region_id: int | None
    municipality_id: int | None
    org_type: str | None
    region: str | None
    municipality: str | None
    district: str | None
    # When the data last changed (forms, registry, person bases, targets): what the
    # documents state as «Данные на …»; the same data gives the same moment.
    data_at: datetime | None
    now: datetime
    unit_level: Level
    # compute() rows of the period and the previous period, every level asked for.
    frame: pd.DataFrame
    # The organisations in scope: those in the registry and those that sent a form.
    organizations: pd.DataFrame
    # The uploads the period's forms and the registry came from.
    uploads: pd.DataFrame
    regions_in_scope: int = 0
    municipalities_in_scope: int = 0
    # A note over every type: each type's territory rows of the period, by type code
    # (empty where the note is for one type or the territory has organisations of one).
    by_type: Mapping[str, pd.DataFrame] = field(default_factory=dict)

    @property
    def territory(self) -> str:
        """«г. Глазов (Удмуртская Республика)», «Удмуртская Республика»; without a filter,
        the regions in the data («Удмуртская Республика, Ханты-Мансийский автономный
        округ – Югра») or their number."""
        if self.district:
            return f"{self.district}, {self.municipality} ({self.region})"
        if self.municipality:
            return f"{self.municipality} ({self.region})"
        if self.region:
            return self.region
        names = sorted(set(self.organizations["region"]), key=natural_key)
        if not names:
            return LEVEL_INFO[Level.TOTAL].noun
        if len(names) <= 3:
            return ", ".join(names)
        regions = LEVEL_INFO[Level.REGION]
        word = plural(len(names), regions.noun, regions.genitive, regions.genitive_plural)
        return f"{integer(len(names))} {word}"

    @property
    def period_label(self) -> str:
        return period_label(self.period)

    @property
    def org_type_label(self) -> str:
        return narrative.org_type_plural(self.org_type)

    def filters(self) -> str:
        """The filters in one line, for footers and captions."""
        return (
            f"Фильтры: период — {self.period_label}; территория — {self.territory}; "
            f"тип ОО — {self.org_type_label if self.org_type else 'все типы'}; "
            f"{data_stamp(self.data_at).lower()}"
        )

    def rows(self, period: str, level: Level) -> pd.DataFrame:
        frame = self.frame
        return frame[(frame["period"] == period) & (frame["level"] == str(level))]

    @cached_property
    def current(self) -> pd.DataFrame:
        """The territory's row of every indicator for the period, in catalogue order."""
        return self.rows(self.period, Level.TOTAL).reset_index(drop=True)

    def row(self, indicator_id: str) -> pd.Series | None:
        rows = self.current[self.current["indicator"] == indicator_id]
        return rows.iloc[0] if len(rows) else None

    def type_rows(self, indicator_id: str) -> dict[str, pd.Series]:
        """The indicator's territory row for each type of organisation (see ``by_type``)."""
        found = {}
        for code, frame in self.by_type.items():
            rows = frame[frame["indicator"] == indicator_id]
            if len(rows):
                found[code] = rows.iloc[0]
        return found

    def previous_row(self, indicator_id: str) -> pd.Series | None:
        if self.previous is None:
            return None
        rows = self.rows(self.previous, Level.TOTAL)
        rows = rows[rows["indicator"] == indicator_id]
        return rows.iloc[0] if len(rows) else None

    @cached_property
    def units(self) -> pd.DataFrame:
        """Rows of the level below the territory (organisations of a municipality,
        municipalities of a region, regions of the country) for the period."""
        rows = self.rows(self.period, self.unit_level).copy()
        rows["label"] = rows[LEVEL_INFO[self.unit_level].name]
        return rows

    @cached_property
    def org_rows(self) -> pd.DataFrame:
        """Organisation rows of the period, of organisations that sent a form."""
        rows = self.rows(self.period, Level.ORGANIZATION)
        reported = self.organizations.loc[self.organizations["reported"], "org_id"]
        return rows[rows["org_id"].isin(reported)]

    @cached_property
    def deficits(self) -> pd.DataFrame:
        """The territory's deficits, largest gap first."""
        return deficits(self.current)

    @property
    def computed(self) -> pd.DataFrame:
        """The territory's rows its deficits are counted among (those with a value)."""
        return counted_indicators(self.current)

    @cached_property
    def reporting(self) -> pd.DataFrame:
        return self.organizations[self.organizations["reported"]]

    @property
    def registry(self) -> pd.DataFrame:
        return self.organizations[self.organizations["in_registry"]]

    @property
    def non_reporting(self) -> pd.DataFrame:
        orgs = self.organizations
        return orgs[orgs["in_registry"] & ~orgs["reported"]]


def natural_key(text: object) -> tuple[tuple[int, object], ...]:
    """Sorts «СОШ № 2» before «СОШ № 10»."""
    parts = re.split(r"(\d+)", str(text).casefold())
    return tuple((0, int(p)) if p.isdigit() else (1, p) for p in parts if p)


def scope_organizations(db: Database, period: str, scope: Scope) -> pd.DataFrame:
    """Organisations of ``scope`` (its territory, type and organisations; not its periods)
    that are in the registry or sent a form for ``period``, with ``reported`` and
    ``in_registry`` flags, in natural name order."""
    where, params = scope.where("o")
    frame = db.query(
        f"""
        SELECT o.org_id, o.name AS organization, o.inn, o.org_type,
            o.region_id, o.region, o.municipality_id, o.municipality,
            o.district_id, o.district, reg.org_id IS NOT NULL AS in_registry,
            f.org_id IS NOT NULL AS reported
        FROM {ORG_PLACES} o
        LEFT JOIN registry reg ON reg.org_id = o.org_id
        LEFT JOIN form_values f ON f.org_id = o.org_id AND f.period = ?
        WHERE (reg.org_id IS NOT NULL OR f.org_id IS NOT NULL){where}
        """,
        [period, *params],
    )
    frame["in_registry"] = frame["in_registry"].astype(bool)
    frame["reported"] = frame["reported"].astype(bool)
    order = sorted(
        range(len(frame)),
        key=lambda i: (
            natural_key(frame["region"].iloc[i]),
            natural_key(frame["municipality"].iloc[i]),
            natural_key(frame["organization"].iloc[i]),
        ),
    )
    return frame.iloc[order].reset_index(drop=True)


def _uploads(db: Database, period: str, org_ids: Sequence[int]) -> pd.DataFrame:
    return db.query(
        """
        SELECT upload_id, file_name, sha256, kind, uploaded_at, rows
        FROM uploads
        WHERE rolled_back_at IS NULL AND upload_id IN (
            SELECT upload_id FROM form_values
            WHERE period = ? AND org_id IN (SELECT unnest(?))
            UNION
            SELECT upload_id FROM registry WHERE org_id IN (SELECT unnest(?)))
        ORDER BY uploaded_at, upload_id
        """,
        [period, list(org_ids), list(org_ids)],
    )


def _periods_with_data(db: Database, scope: Scope) -> set[str]:
    where, params = scope.where("o")
    frame = db.query(
        f"""
        SELECT DISTINCT f.period FROM form_values f
        JOIN {ORG_PLACES} o ON o.org_id = f.org_id
        WHERE TRUE{where}
        """,
        params,
    )
    return set(frame["period"])


def resolve_period(db: Database, period: str) -> str:
    """The canonical code of ``period`` (any usual spelling) if the database has it."""
    known = lookups.periods(db)
    try:
        code = parse_period(period)
    except ValueProblem:
        code = None
    if code is None or code not in known:
        available = ", ".join(known) if known else "данных пока нет"
        raise ReportError(f"Период «{period}» не найден в базе. Доступные периоды: {available}.")
    return code


def _territory_names(
    db: Database, scope: Scope
) -> tuple[Scope, str | None, str | None, str | None]:
    """``scope`` with the region and municipality of its lowest territory filled in, and
    the names of its region, municipality and district, checking that they exist and agree."""
    region_id, municipality_id, district_id = (
        scope.region_id,
        scope.municipality_id,
        scope.district_id,
    )
    district = None
    if district_id is not None:
        frame = db.query(
            "SELECT name, municipality_id FROM districts WHERE district_id = ?", [district_id]
        )
        if frame.empty:
            raise ReportError(f"Район с кодом {district_id} не найден в базе.")
        found_municipality = int(frame["municipality_id"].iloc[0])
        if municipality_id is not None and municipality_id != found_municipality:
            raise ReportError("Выбранный район не относится к выбранному муниципалитету.")
        municipality_id, district = found_municipality, str(frame["name"].iloc[0])
    if municipality_id is not None:
        frame = db.query(
            "SELECT m.name, m.region_id, r.name AS region FROM municipalities m "
            "JOIN regions r USING (region_id) WHERE m.municipality_id = ?",
            [municipality_id],
        )
        if frame.empty:
            raise ReportError(f"Муниципалитет с кодом {municipality_id} не найден в базе.")
        found_region = int(frame["region_id"].iloc[0])
        if region_id is not None and region_id != found_region:
            raise ReportError("Выбранный муниципалитет не относится к выбранному региону.")
        chain = replace(scope, region_id=found_region, municipality_id=municipality_id)
        return chain, str(frame["region"].iloc[0]), str(frame["name"].iloc[0]), district
    if region_id is not None:
        name = db.scalar("SELECT name FROM regions WHERE region_id = ?", [region_id])
        if name is None:
            raise ReportError(f"Регион с кодом {region_id} не найден в базе.")
        return scope, str(name), None, None
    return scope, None, None, None


def resolve_org_type(org_type: str | None) -> str | None:
    try:
        return lookups.org_type_code(org_type)
    except (ValueError, ValueProblem) as error:
        raise ReportError(f"Тип ОО «{org_type}» не распознан: {error}") from None


def document_period(scope: Scope) -> str:
    """The one period a document is about: its scope names exactly one (in any usual
    spelling, resolved against the data by :func:`resolve_period`)."""
    if not scope.periods or len(scope.periods) != 1:
        raise ReportError("Документ строится за один период: укажите его.")
    return scope.periods[0]


# Why a territory document leaves out the organisation chosen in the filters.
ORGANIZATION_NOT_NARROWED = (
    "Справка и презентация описывают территорию и сравнивают её организации, поэтому "
    "строятся без выбранной организации: {scope}. Справка по самой организации — в "
    "разделе «Справки по организациям»."
)


def document_scope(scope: Scope) -> tuple[Scope, str | None]:
    """The scope a territory document (the note, the deck) covers for the filters
    ``scope``, and, where that is wider than asked, why (a Russian sentence with a
    ``{scope}`` placeholder for the wider scope in words): a territory document compares a
    territory's organisations, so it is never narrower than their district and type.

    The page says so before the download; the document's title states what it covers."""
    if scope.org_id is None:
        return scope, None
    return replace(scope, org_id=None), ORGANIZATION_NOT_NARROWED


def collect(db: Database, scope: Scope, now: datetime | None = None) -> ReportData:
    """Compute what a document about a territory and period says: ``scope`` names one
    period and narrows by region, municipality, district and org type (a contract code or
    a Russian label); an organisation is refused (see :func:`document_scope`).

    The previous period is the latest earlier period with monitoring data for the same
    territory and org type (None if there is none). Raises :class:`ReportError` for an
    unknown period, territory or org type.
    """
    if scope.org_id is not None or scope.org_ids is not None:
        raise ReportError(
            "Справка и презентация строятся по территории: региону, муниципалитету или району."
        )
    period = resolve_period(db, document_period(scope))
    org_type = resolve_org_type(scope.org_type)
    territory, region, municipality, district = _territory_names(
        db, replace(scope, periods=None, levels=None, indicators=None, org_type=org_type)
    )
    with_data = _periods_with_data(db, territory)
    known = lookups.periods(db)
    earlier = [p for p in known[: known.index(period)] if p in with_data]
    previous = earlier[-1] if earlier else None
    organizations = scope_organizations(db, period, territory)
    regions = organizations["region_id"].nunique()
    municipalities = organizations["municipality_id"].nunique()
    if territory.municipality_id is not None:
        unit_level = Level.ORGANIZATION
    elif territory.region_id is not None or regions <= 1:
        unit_level = Level.MUNICIPALITY
    else:
        unit_level = Level.REGION
    periods = (period,) if previous is None else (previous, period)
    levels = [Level.TOTAL, unit_level, Level.ORGANIZATION]
    if territory.municipality_id is None:
        levels.append(Level.MUNICIPALITY)
    frame = compute(db, replace(territory, periods=periods, levels=tuple(dict.fromkeys(levels))))
    by_type = {}
    types = sorted(set(organizations.loc[organizations["reported"], "org_type"].dropna()))
    if org_type is None and len(types) > 1:
        for code in types:
            by_type[str(code)] = compute(
                db,
                replace(territory, periods=(period,), levels=(Level.TOTAL,), org_type=str(code)),
            )
    # In words as the filters name it (the page's caption says the same), the parents the
    # filters left open not filled in.
    asked = replace(scope, periods=(period,), levels=None, indicators=None, org_type=org_type)
    return ReportData(
        period=period,
        previous=previous,
        scope=replace(territory, periods=(period,)),
        described=asked.describe(lookups.territories(db)),
        region_id=territory.region_id,
        municipality_id=territory.municipality_id,
        org_type=org_type,
        region=region,
        municipality=municipality,
        district=district,
        data_at=db.data_stamp(),
        now=now or datetime.now(),
        unit_level=unit_level,
        frame=frame,
        organizations=organizations,
        uploads=_uploads(db, period, organizations["org_id"].tolist()),
        regions_in_scope=regions,
        municipalities_in_scope=municipalities,
        by_type=by_type,
    )


def unit_rows(data: ReportData, indicator_id: str) -> pd.DataFrame:
    """The rows with a value of one indicator at the level below the territory (for
    organisations, only those that sent a form)."""
    units = data.units
    rows = units[(units["indicator"] == indicator_id) & units["value"].notna()]
    if data.unit_level is Level.ORGANIZATION:
        rows = rows[rows["org_id"].isin(data.reporting["org_id"])]
    return rows
