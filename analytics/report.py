"""The information and analytic note («информационно-аналитическая справка») as DOCX,
and its PDF through LibreOffice where installed.

The note follows the municipal notes methodologists write: a title block, the basis and
the sources of the data, who took part, one numbered section per indicator group with
sentences, a table and a chart, the comparison with the previous period, the deficits
with a recommendation for each, and appendices with every organisation's values. All
numbers come from :func:`analytics.indicators.compute`; the words from
:mod:`analytics.narrative`.

:func:`collect` gathers everything a document about a territory and period needs; the
deck (:mod:`analytics.deck`) uses it too, with the chart builders of this module.
"""

from __future__ import annotations

import io
import logging
import os
import re
import shutil
import subprocess
import tempfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from functools import cached_property, lru_cache
from pathlib import Path
from xml.sax.saxutils import escape

import pandas as pd
import plotly.graph_objects as go
from docx import Document
from docx.enum.section import WD_ORIENT, WD_SECTION
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK, WD_TAB_ALIGNMENT, WD_TAB_LEADER
from docx.oxml import OxmlElement, parse_xml
from docx.oxml.ns import nsdecls, qn
from docx.shared import Cm, Pt, RGBColor
from docx.styles.style import ParagraphStyle
from docx.table import Table
from docx.text.paragraph import Paragraph

from . import images, lookups, narrative
from .catalogue import GROUPS, INDICATORS, INDICATORS_BY_ID, STATUS_LABELS, Indicator, Status
from .db import Database
from .errors import MonitoringError
from .formatting import (
    day,
    fraction,
    indicator_value,
    integer,
    moment,
    plural,
    target_value,
)
from .indicators import Level, Scope, compute, counted_indicators, deficits
from .meetings import Meeting, approving_meeting
from .normalize import ValueProblem, parse_period
from .signoff import SignOff, get_signoff

log = logging.getLogger(__name__)

TITLE = "Информационно-аналитическая справка"
SUBTITLE = (
    "по итогам мониторинга реализации целевой модели наставничества педагогических работников"
)
BASIS = (
    "Мониторинг проводится в соответствии с распоряжением Министерства просвещения "
    "Российской Федерации от 25.12.2019 № Р-145 «Об утверждении методологии (целевой модели) "
    "наставничества обучающихся для организаций, осуществляющих образовательную деятельность "
    "по общеобразовательным, дополнительным общеобразовательным и программам среднего "
    "профессионального образования, в том числе с применением лучших практик обмена опытом "
    "между обучающимися» и письмом Министерства просвещения Российской Федерации от "
    "21.12.2021 № АЗ-1128/08 о методических рекомендациях по разработке и внедрению системы "
    "(целевой модели) наставничества педагогических работников в образовательных организациях."
)
METHOD = (
    "Значения показателей рассчитаны как отношение сумм по всем организациям территории, а "
    "не как среднее из процентов отдельных организаций. Организация учитывается в показателе, "
    "если в её форме заполнены и числитель, и знаменатель; пустая ячейка означает отсутствие "
    "ответа, а не ответ «нет». Дефицит — показатель, значение которого не достигает целевого."
)
CLOSING = (
    "Результаты мониторинга рекомендуется рассмотреть на совещании с руководителями "
    "(заместителями руководителей) образовательных организаций, довести до сведения "
    "кураторов реализации целевой модели наставничества и учесть при планировании "
    "методической работы на следующий период."
)

SIGNATURE_BLANK = "______________"
# Status fills for printed tables: light tints of the dashboard's palette, dark text.
STATUS_TINTS: dict[str, str] = {"green": "D9F2E8", "yellow": "FCEBCC", "red": "F9D9CB"}
HEADER_FILL = "E7E6E6"
# Chart colours: the dashboard's colour-blind-safe (Okabe–Ito) palette.
STATUS_COLORS: dict[str | None, str] = {
    "green": "#009E73",
    "yellow": "#E69F00",
    "red": "#D55E00",
    None: "#9E9E9E",
}
TARGET_COLOR = "#0072B2"
PREVIOUS_COLOR = "#B8B8B8"
CHART_FONT = "Arial, Liberation Sans, sans-serif"
CHART_FONT_SIZE = 24
# At most this many bars in a chart by territory or organisation (the lowest values).
UNIT_CHART_LIMIT = 30

# Indicator ids whose organisation-level value is a yes/no answer.
YES_NO_INDICATORS: frozenset[str] = frozenset(
    i for i, p in narrative.PHRASES.items() if p.form is narrative.Form.ORGS
)


class ReportError(MonitoringError, ValueError):
    """A document cannot be built for these arguments; the message is in Russian."""


class PdfUnavailable(MonitoringError, RuntimeError):
    """LibreOffice is missing or failed, so there is no PDF; the message is in Russian."""


# --- Data for a territory and period -------------------------------------------------------


@dataclass
class ReportData:
    """Everything the documents say about one territory, period and org type."""

    period: str
    previous: str | None
    region_id: int | None
    municipality_id: int | None
    org_type: str | None
    region: str | None
    municipality: str | None
    version: int
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
        if self.municipality:
            return f"{self.municipality} ({self.region})"
        if self.region:
            return self.region
        names = sorted(set(self.organizations["region"]), key=natural_key)
        if not names:
            return "все территории"
        if len(names) <= 3:
            return ", ".join(names)
        return f"{integer(len(names))} {plural(len(names), 'регион', 'региона', 'регионов')}"

    @property
    def period_label(self) -> str:
        return narrative.period_label(self.period)

    @property
    def org_type_label(self) -> str:
        return narrative.org_type_plural(self.org_type)

    def filters(self) -> str:
        """The filters in one line, for footers and captions."""
        return (
            f"Фильтры: период — {self.period_label}; территория — {self.territory}; "
            f"тип ОО — {self.org_type_label if self.org_type else 'все типы'}; "
            f"версия данных — {self.version}"
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
        rows["label"] = rows[_LABEL_COLUMN[self.unit_level]]
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


_LABEL_COLUMN: dict[Level, str] = {
    Level.ORGANIZATION: "organization",
    Level.MUNICIPALITY: "municipality",
    Level.REGION: "region",
    Level.DISTRICT: "district",
    Level.TOTAL: "region",
}


def natural_key(text: object) -> tuple[tuple[int, object], ...]:
    """Sorts «СОШ № 2» before «СОШ № 10»."""
    parts = re.split(r"(\d+)", str(text).casefold())
    return tuple((0, int(p)) if p.isdigit() else (1, p) for p in parts if p)


def _scope_sql(
    region_id: int | None, municipality_id: int | None, org_type: str | None
) -> tuple[str, list[object]]:
    clauses, params = [], []
    for column, value in (
        ("m.region_id", region_id),
        ("o.municipality_id", municipality_id),
        ("o.org_type", org_type),
    ):
        if value is not None:
            clauses.append(f"{column} = ?")
            params.append(value)
    return "".join(f" AND {c}" for c in clauses), params


def scope_organizations(
    db: Database,
    period: str,
    region_id: int | None = None,
    municipality_id: int | None = None,
    org_type: str | None = None,
) -> pd.DataFrame:
    """Organisations in scope that are in the registry or sent a form for ``period``,
    with ``reported`` and ``in_registry`` flags, in natural name order."""
    where, params = _scope_sql(region_id, municipality_id, org_type)
    frame = db.query(
        f"""
        SELECT o.org_id, o.name AS organization, o.inn, o.org_type,
            r.region_id, r.name AS region, m.municipality_id, m.name AS municipality,
            d.name AS district, reg.org_id IS NOT NULL AS in_registry,
            f.org_id IS NOT NULL AS reported
        FROM organizations o
        JOIN municipalities m ON m.municipality_id = o.municipality_id
        JOIN regions r ON r.region_id = m.region_id
        LEFT JOIN districts d ON d.district_id = o.district_id
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


def _periods_with_data(
    db: Database, region_id: int | None, municipality_id: int | None, org_type: str | None
) -> set[str]:
    where, params = _scope_sql(region_id, municipality_id, org_type)
    frame = db.query(
        f"""
        SELECT DISTINCT f.period FROM form_values f
        JOIN organizations o ON o.org_id = f.org_id
        JOIN municipalities m ON m.municipality_id = o.municipality_id
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
    db: Database, region_id: int | None, municipality_id: int | None
) -> tuple[int | None, str | None, str | None]:
    """(region id, region name, municipality name), checking that they exist and agree."""
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
        return found_region, str(frame["region"].iloc[0]), str(frame["name"].iloc[0])
    if region_id is not None:
        name = db.scalar("SELECT name FROM regions WHERE region_id = ?", [region_id])
        if name is None:
            raise ReportError(f"Регион с кодом {region_id} не найден в базе.")
        return region_id, str(name), None
    return None, None, None


def resolve_org_type(org_type: str | None) -> str | None:
    try:
        return lookups.org_type_code(org_type)
    except (ValueError, ValueProblem) as error:
        raise ReportError(f"Тип ОО «{org_type}» не распознан: {error}") from None


def collect(
    db: Database,
    period: str,
    region_id: int | None = None,
    municipality_id: int | None = None,
    org_type: str | None = None,
    now: datetime | None = None,
) -> ReportData:
    """Compute what a document about this territory and period says.

    The previous period is the latest earlier period with monitoring data for the same
    territory and org type (None if there is none). Raises :class:`ReportError` for an
    unknown period, territory or org type.
    """
    period = resolve_period(db, period)
    org_type = resolve_org_type(org_type)
    region_id, region, municipality = _territory_names(db, region_id, municipality_id)
    with_data = _periods_with_data(db, region_id, municipality_id, org_type)
    known = lookups.periods(db)
    earlier = [p for p in known[: known.index(period)] if p in with_data]
    previous = earlier[-1] if earlier else None
    organizations = scope_organizations(db, period, region_id, municipality_id, org_type)
    regions = organizations["region_id"].nunique()
    municipalities = organizations["municipality_id"].nunique()
    if municipality_id is not None:
        unit_level = Level.ORGANIZATION
    elif region_id is not None or regions <= 1:
        unit_level = Level.MUNICIPALITY
    else:
        unit_level = Level.REGION
    periods = (period,) if previous is None else (previous, period)
    levels = [Level.TOTAL, unit_level, Level.ORGANIZATION]
    if municipality_id is None:
        levels.append(Level.MUNICIPALITY)
    frame = compute(
        db,
        Scope(
            periods=periods,
            levels=tuple(dict.fromkeys(levels)),
            org_type=org_type,
            region_id=region_id,
            municipality_id=municipality_id,
        ),
    )
    by_type = {}
    types = sorted(set(organizations.loc[organizations["reported"], "org_type"].dropna()))
    if org_type is None and len(types) > 1:
        for code in types:
            by_type[str(code)] = compute(
                db,
                Scope(
                    periods=(period,),
                    levels=(Level.TOTAL,),
                    org_type=str(code),
                    region_id=region_id,
                    municipality_id=municipality_id,
                ),
            )
    return ReportData(
        period=period,
        previous=previous,
        region_id=region_id,
        municipality_id=municipality_id,
        org_type=org_type,
        region=region,
        municipality=municipality,
        version=db.data_version(),
        now=now or datetime.now(),
        unit_level=unit_level,
        frame=frame,
        organizations=organizations,
        uploads=_uploads(db, period, organizations["org_id"].tolist()),
        regions_in_scope=regions,
        municipalities_in_scope=municipalities,
        by_type=by_type,
    )


# --- Cell texts -----------------------------------------------------------------------------


def _missing(value: object) -> bool:
    return value is None or (isinstance(value, float) and pd.isna(value)) or value is pd.NA


def value_text(row: Mapping[str, object], yes_no: bool = False) -> str:
    """A value for a table cell; «да»/«нет» for one organisation's yes/no answer."""
    value = row.get("value")
    if _missing(value):
        return "—"
    if yes_no and row["indicator"] in YES_NO_INDICATORS:
        return "да" if float(value) >= 50 else "нет"
    return indicator_value(INDICATORS_BY_ID[str(row["indicator"])], float(value))


def fraction_text(row: Mapping[str, object]) -> str:
    indicator = INDICATORS_BY_ID[str(row["indicator"])]
    n, d = row.get("numerator"), row.get("denominator")
    if _missing(n) or _missing(d):
        return "нет данных"
    return fraction(indicator, float(n), float(d))


def target_text(row: Mapping[str, object]) -> str:
    indicator = INDICATORS_BY_ID[str(row["indicator"])]
    target = row.get("target")
    if _missing(target):
        return "—"
    text = target_value(indicator, float(target))
    return f"не более {text}" if row.get("better") == "lower" else text


def status_text(status: object) -> str:
    return STATUS_LABELS[Status(str(status))] if isinstance(status, str) and status else "—"


def gap_text(row: Mapping[str, object]) -> str:
    indicator = INDICATORS_BY_ID[str(row["indicator"])]
    gap = row.get("gap")
    if _missing(gap):
        return "—"
    return narrative.change_text(indicator, float(gap), 0.0).lstrip("+")


# --- Charts ---------------------------------------------------------------------------------


def _chart_layout(fig: go.Figure, title: str | None = None) -> go.Figure:
    fig.update_layout(
        template="plotly_white",
        separators=",\u2009",
        font={"family": CHART_FONT, "size": CHART_FONT_SIZE, "color": "#222222"},
        margin={"l": 20, "r": 40, "t": 90 if title else 30, "b": 40},
        legend={"orientation": "h", "y": -0.12, "x": 0, "font": {"size": CHART_FONT_SIZE - 4}},
        bargap=0.25,
        showlegend=True,
    )
    if title:
        fig.update_layout(title={"text": title, "x": 0, "xanchor": "left"})
    fig.update_yaxes(automargin=True, autorange="reversed", ticklabelstandoff=12)
    fig.update_xaxes(automargin=True, gridcolor="#DDDDDD", ticksuffix="")
    return fig


def _legend_entries(fig: go.Figure, statuses: set[str]) -> None:
    for status in ("green", "yellow", "red"):
        if status in statuses:
            fig.add_trace(
                go.Bar(
                    x=[None],
                    y=[None],
                    orientation="h",
                    marker_color=STATUS_COLORS[status],
                    name=STATUS_LABELS[Status(status)],
                )
            )


def _wrap(text: str, width: int = 28) -> str:
    words, lines, line = text.split(), [], ""
    for word in words:
        if line and len(line) + 1 + len(word) > width:
            lines.append(line)
            line = word
        else:
            line = f"{line} {word}".strip()
    lines.append(line)
    return "<br>".join(lines)


def group_figure(data: ReportData, group: str) -> go.Figure | None:
    """The group's percentage indicators for the territory: bars coloured by status, the
    previous period in grey beside them, the target as a mark on each bar."""
    indicators = [i for i in INDICATORS if i.group == group and i.is_percent]
    rows = [(i, data.row(i.id), data.previous_row(i.id)) for i in indicators]
    rows = [(i, r, p) for i, r, p in rows if r is not None and not _missing(r["value"])]
    if not rows:
        return None
    labels = [_wrap(i.short) for i, _, _ in rows]
    fig = go.Figure()
    before = [
        (p["value"] if p is not None and not _missing(p["value"]) else None) for *_, p in rows
    ]
    if data.previous is not None and any(v is not None for v in before):
        fig.add_trace(
            go.Bar(
                x=before,
                y=labels,
                orientation="h",
                name=data.previous and narrative.period_label(data.previous),
                marker_color=PREVIOUS_COLOR,
                text=[
                    indicator_value(i, v) if v is not None else ""
                    for (i, *_), v in zip(rows, before, strict=True)
                ],
                textposition="auto",
                insidetextanchor="end",
                constraintext="none",
                textfont={"size": CHART_FONT_SIZE - 4, "color": "#555555"},
            )
        )
    values = [float(r["value"]) for _, r, _ in rows]
    fig.add_trace(
        go.Bar(
            x=values,
            y=labels,
            orientation="h",
            name=data.period_label,
            marker_color=[STATUS_COLORS[r["status"]] for _, r, _ in rows],
            text=[indicator_value(i, v) for (i, *_), v in zip(rows, values, strict=True)],
            textposition="auto",
            insidetextanchor="end",
            constraintext="none",
            showlegend=False,
        )
    )
    # The target: a vertical stroke across each indicator's bars (categories sit at 0, 1, …).
    for k, (_, r, _) in enumerate(rows):
        fig.add_shape(
            type="line",
            x0=float(r["target"]),
            x1=float(r["target"]),
            y0=k - 0.45,
            y1=k + 0.45,
            line={"color": TARGET_COLOR, "width": 6},
        )
    fig.add_trace(
        go.Scatter(
            x=[None],
            y=[None],
            mode="markers",
            name="целевое значение",
            marker={"symbol": "line-ns", "size": 24, "line": {"width": 5, "color": TARGET_COLOR}},
        )
    )
    _legend_entries(fig, {str(r["status"]) for _, r, _ in rows})
    _chart_layout(fig)
    # Few indicators: keep the bars slim by leaving room around them.
    pad = max(0.0, (3 - len(rows)) * 0.5)
    fig.update_layout(barmode="group")
    fig.update_yaxes(autorange=False, range=[len(rows) - 0.5 + pad, -0.5 - pad])
    fig.update_xaxes(range=[0, 112], ticksuffix=" %", dtick=20)
    return fig


def unit_rows(data: ReportData, indicator_id: str) -> pd.DataFrame:
    """The rows with a value of one indicator at the level below the territory (for
    organisations, only those that sent a form)."""
    units = data.units
    rows = units[(units["indicator"] == indicator_id) & units["value"].notna()]
    if data.unit_level is Level.ORGANIZATION:
        rows = rows[rows["org_id"].isin(data.reporting["org_id"])]
    return rows


def units_figure(data: ReportData, indicator_id: str) -> go.Figure | None:
    """One indicator by the territories (or organisations) one level down, best first;
    at most :data:`UNIT_CHART_LIMIT` bars, the lowest values where there are more."""
    indicator = INDICATORS_BY_ID[indicator_id]
    rows = unit_rows(data, indicator_id)
    if len(rows) < 2:
        return None
    worst_first = indicator.better == "higher"
    rows = rows.sort_values("value", ascending=worst_first, kind="stable").head(UNIT_CHART_LIMIT)
    rows = rows.sort_values("value", ascending=not worst_first, kind="stable")
    fig = go.Figure(
        go.Bar(
            x=rows["value"].tolist(),
            y=[str(label) for label in rows["label"]],
            orientation="h",
            marker_color=[STATUS_COLORS[s] for s in rows["status"]],
            text=[indicator_value(indicator, v) for v in rows["value"]],
            textposition="auto",
            insidetextanchor="end",
            constraintext="none",
            showlegend=False,
            textfont={"size": CHART_FONT_SIZE - 4},
        )
    )
    target = data.row(indicator_id)
    if target is not None and not _missing(target["target"]):
        goal = float(target["target"])
        fig.add_vline(x=goal, line={"dash": "dash", "color": TARGET_COLOR, "width": 4})
        fig.add_trace(
            go.Scatter(
                x=[None],
                y=[None],
                mode="lines",
                line={"dash": "dash", "color": TARGET_COLOR, "width": 4},
                name=f"целевое значение: {target_text(target)}",
            )
        )
    _legend_entries(fig, {str(s) for s in rows["status"]})
    _chart_layout(fig)
    size = CHART_FONT_SIZE - (8 if len(rows) > 16 else 0)
    pad = max(0.0, (5 - len(rows)) * 0.4)
    fig.update_yaxes(
        tickfont={"size": size}, autorange=False, range=[len(rows) - 0.5 + pad, -0.5 - pad]
    )
    top = max(rows["value"].max(), float(target["target"]) if target is not None else 0) * 1.12
    fig.update_xaxes(range=[0, min(top, 112) if indicator.is_percent else top])
    if indicator.is_percent:
        fig.update_xaxes(ticksuffix=" %")
    return fig


def units_noun(level: Level) -> tuple[str, str]:
    """The genitive plural and the «по …» form of a unit level's name."""
    return {
        Level.ORGANIZATION: ("организаций", "по организациям"),
        Level.MUNICIPALITY: ("муниципалитетов", "по муниципалитетам"),
        Level.REGION: ("регионов", "по регионам"),
        Level.DISTRICT: ("районов", "по районам"),
        Level.TOTAL: ("территорий", "по территориям"),
    }[level]


def render_png(fig: go.Figure | None) -> bytes | None:
    """The figure as PNG, or None without chromium (or if rendering fails)."""
    if fig is None or not images.images_available():
        return None
    try:
        return images.figure_image(fig)
    except Exception:  # a document without a chart beats no document
        log.warning("диаграмма не построена", exc_info=True)
        return None


# --- DOCX writing ---------------------------------------------------------------------------

FONT = "Times New Roman"
BODY_SIZE = 14
TABLE_SIZE = 12


def _set_fonts(rpr_parent, name: str) -> None:
    """Set every script's font of a style (theme fonts removed, so the name wins)."""
    rpr = rpr_parent.get_or_add_rPr()
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        rpr.insert(0, fonts)
    for attr in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"):
        fonts.attrib.pop(qn(attr), None)
    for attr in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
        fonts.set(qn(attr), name)


_XML_INVALID = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


def _xml_text(text: str) -> str:
    return escape(_XML_INVALID.sub("", text))


def _page_number(paragraph: Paragraph) -> None:
    field_ = OxmlElement("w:fldSimple")
    field_.set(qn("w:instr"), "PAGE")
    run = OxmlElement("w:r")
    text = OxmlElement("w:t")
    text.text = "1"
    run.append(text)
    field_.append(run)
    paragraph._p.append(field_)


CELL_STYLE = "Текст таблицы"
CAPTION_STYLE = "Подпись"
THUMBNAIL_RELTYPE = (
    "http://schemas.openxmlformats.org/package/2006/relationships/metadata/thumbnail"
)


def _paragraph_style(doc, name: str, size: int) -> ParagraphStyle:
    style = doc.styles.add_style(name, 1)
    style.base_style = doc.styles["Normal"]
    style.font.size = Pt(size)
    fmt = style.paragraph_format
    fmt.first_line_indent = Cm(0)
    fmt.line_spacing = 1.0
    fmt.alignment = WD_ALIGN_PARAGRAPH.LEFT
    return style


@lru_cache(maxsize=4)
def _styled_template(body_size: int, table_size: int) -> bytes:
    """An empty A4 document with the note's styles, Russian language, page numbers, no
    thumbnail and no author."""
    doc = Document()
    styles = doc.styles
    defaults = styles.element.find(qn("w:docDefaults"))
    rpr = defaults.find(qn("w:rPrDefault")).find(qn("w:rPr"))
    lang = rpr.find(qn("w:lang"))
    if lang is None:
        lang = OxmlElement("w:lang")
        rpr.append(lang)
    lang.set(qn("w:val"), "ru-RU")
    lang.set(qn("w:eastAsia"), "ru-RU")
    normal = styles["Normal"]
    _set_fonts(normal.element, FONT)
    normal.font.size = Pt(body_size)
    fmt = normal.paragraph_format
    fmt.space_before, fmt.space_after = Pt(0), Pt(0)
    fmt.line_spacing = 1.15
    for name in ("Heading 1", "Heading 2"):
        style = styles[name]
        _set_fonts(style.element, FONT)
        style.font.size = Pt(body_size)
        style.font.bold = True
        style.font.italic = False
        style.font.color.rgb = RGBColor(0, 0, 0)
        style.paragraph_format.space_before = Pt(12)
        style.paragraph_format.space_after = Pt(6)
        style.paragraph_format.first_line_indent = Cm(0)
        style.paragraph_format.keep_with_next = True
        style.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.LEFT
    _paragraph_style(doc, CELL_STYLE, table_size)
    caption = _paragraph_style(doc, CAPTION_STYLE, table_size)
    caption.paragraph_format.space_before = Pt(6)
    caption.paragraph_format.space_after = Pt(6)
    caption.paragraph_format.keep_with_next = True
    section = doc.sections[0]
    section.page_width, section.page_height = Cm(21), Cm(29.7)
    section.left_margin, section.right_margin = Cm(3), Cm(1.5)
    section.top_margin, section.bottom_margin = Cm(2), Cm(2)
    footer = section.footer.paragraphs[0]
    footer.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _page_number(footer)
    properties = doc.core_properties
    properties.author = properties.last_modified_by = ""
    properties.comments = properties.keywords = properties.subject = ""
    properties.language = "ru-RU"
    package = doc.part.package
    for rid, rel in list(package.rels.items()):
        if rel.reltype == THUMBNAIL_RELTYPE:
            del package.rels[rid]
    buffer = io.BytesIO()
    doc.save(buffer)
    return buffer.getvalue()


TWIPS_PER_CM = 567
# Left and right cell margins of the «Table Grid» style, and a little slack for rounding
# in the word processor's own measurement.
CELL_PADDING_TWIPS = 2 * 108 + 60
# A word may break after a hyphen, a dash or a slash, never inside.
_BREAKS = re.compile(r"\s+|(?<=[-‑–—/])")


def _glyph_em(char: str) -> float:
    """A generous estimate of a Times New Roman glyph's advance, in ems."""
    if char in "№%ЖШЩЫЮМмжшщыю@—":
        return 1.0
    if char.isupper():
        return 0.75
    if char.isalnum():
        return 0.52
    return 0.4


def word_twips(text: str, size: int, bold: bool = False) -> int:
    """The width a column needs so that the longest word of ``text`` set in ``size``
    points fits on one line, with the cell's margins."""
    words = [w for w in _BREAKS.split(text) if w]
    widest = max((sum(_glyph_em(ch) for ch in w) for w in words), default=0.0)
    return round(widest * size * 20 * (1.08 if bold else 1.0)) + CELL_PADDING_TWIPS


def column_twips(weights: Sequence[float], least: Sequence[int], total: int) -> list[int]:
    """Column widths in twips: ``total`` shared by ``weights``, every column at least its
    ``least``; columns above their minimum give way first when the minimums need room.
    Where even the minimums do not fit, the table is as wide as they are."""
    widths = [max(m, w * total / sum(weights)) for w, m in zip(weights, least, strict=True)]
    excess = sum(widths) - total
    spare = sum(w - m for w, m in zip(widths, least, strict=True))
    if excess > 0 and spare > 0:
        share = min(1.0, excess / spare)
        widths = [w - (w - m) * share for w, m in zip(widths, least, strict=True)]
    return [round(w) for w in widths]


class DocWriter:
    """A DOCX in the look of a Russian official note: Times New Roman, 14 pt text with a
    1.25 cm first-line indent, 12 pt tables, numbered captions, A4, page numbers."""

    def __init__(
        self,
        body_size: int = BODY_SIZE,
        table_size: int = TABLE_SIZE,
        title: str = "",
        now: datetime | None = None,
    ) -> None:
        # The styled empty document is built once per size pair and reopened: setting up
        # styles takes longer than writing a one-page note.
        self.doc = Document(io.BytesIO(_styled_template(body_size, table_size)))
        self.tables = 0
        self.figures = 0
        self.table_size = table_size
        self.cell_style = self.doc.styles[CELL_STYLE]
        self.caption_style = self.doc.styles[CAPTION_STYLE]
        properties = self.doc.core_properties
        properties.title = title
        properties.created = properties.modified = (now or datetime.now()).replace(microsecond=0)

    @property
    def width_cm(self) -> float:
        section = self.doc.sections[-1]
        return (section.page_width - section.left_margin - section.right_margin) / 360000

    def heading(self, text: str, level: int = 1) -> Paragraph:
        return self.doc.add_heading(text, level)

    def paragraph(
        self,
        text: str = "",
        *,
        bold: bool = False,
        align: WD_ALIGN_PARAGRAPH | None = WD_ALIGN_PARAGRAPH.JUSTIFY,
        indent: bool = True,
        size: int | None = None,
        space_after: int | None = None,
    ) -> Paragraph:
        paragraph = self.doc.add_paragraph()
        if text:
            run = paragraph.add_run(text)
            run.bold = bold or None
            if size:
                run.font.size = Pt(size)
        fmt = paragraph.paragraph_format
        fmt.alignment = align
        fmt.first_line_indent = Cm(1.25) if indent else Cm(0)
        if space_after is not None:
            fmt.space_after = Pt(space_after)
        return paragraph

    def labelled(self, label: str, text: str) -> Paragraph:
        """A paragraph opening with a bold label: «Рекомендация: …»."""
        paragraph = self.paragraph()
        paragraph.add_run(label).bold = True
        paragraph.add_run(f" {text}")
        return paragraph

    def item(self, text: str, number: str | None = None) -> Paragraph:
        """A list item «1) …» or «– …» with a hanging indent."""
        paragraph = self.paragraph(f"{number or '–'} {text}", indent=False)
        fmt = paragraph.paragraph_format
        fmt.left_indent = Cm(1.25)
        fmt.first_line_indent = Cm(-0.6)
        return paragraph

    def caption(self, text: str, align=WD_ALIGN_PARAGRAPH.LEFT) -> Paragraph:
        paragraph = self.doc.add_paragraph(text, style=self.caption_style)
        paragraph.paragraph_format.alignment = align
        return paragraph

    def table(
        self,
        title: str,
        headers: Sequence[str],
        rows: Sequence[Sequence[str]],
        widths: Sequence[float],
        *,
        fills: Sequence[Sequence[str | None]] | None = None,
        centre: Sequence[int] = (),
        size: int | None = None,
    ) -> Table:
        """A numbered table «Таблица N – title» with a shaded header repeated on every
        page. The layout is autofit: ``widths`` are relative shares of the text width,
        but no column is narrower than the longest word of its header and cells, so
        Word and LibreOffice never break a word («Значени/е», «1/0»)."""
        self.tables += 1
        self.caption(f"Таблица {self.tables} – {title}")
        # The table is written as one XML string: python-docx's cell-by-cell API takes
        # seconds for the appendix of a region.
        points = size or self.table_size
        least = [
            max(
                [word_twips(str(headers[c]), points, bold=True)]
                + [word_twips(str(r[c]), points) for r in rows]
            )
            for c in range(len(headers))
        ]
        twips = column_twips(widths, least, round(self.width_cm * TWIPS_PER_CM))
        style = self.cell_style.style_id
        size_xml = f'<w:sz w:val="{2 * size}"/><w:szCs w:val="{2 * size}"/>' if size else ""
        centred = set(centre)

        def cell(text: str, c: int, fill: str | None, header: bool) -> str:
            shading = f'<w:shd w:val="clear" w:color="auto" w:fill="{fill}"/>' if fill else ""
            jc = '<w:jc w:val="center"/>' if header or c in centred else ""
            bold = "<w:b/><w:bCs/>" if header else ""
            rpr = f"<w:rPr>{bold}{size_xml}</w:rPr>" if bold or size_xml else ""
            return (
                f'<w:tc><w:tcPr><w:tcW w:w="{twips[c]}" w:type="dxa"/>{shading}</w:tcPr>'
                f'<w:p><w:pPr><w:pStyle w:val="{style}"/>{jc}</w:pPr>'
                f'<w:r>{rpr}<w:t xml:space="preserve">{_xml_text(text)}</w:t></w:r></w:p></w:tc>'
            )

        parts = [
            f"<w:tbl {nsdecls('w')}><w:tblPr>"
            f'<w:tblStyle w:val="{self.doc.styles["Table Grid"].style_id}"/>'
            f'<w:tblW w:w="{sum(twips)}" w:type="dxa"/><w:jc w:val="center"/>'
            '<w:tblLayout w:type="autofit"/>'
            '<w:tblLook w:val="04A0" w:firstRow="1" w:lastRow="0" w:firstColumn="1" '
            'w:lastColumn="0" w:noHBand="0" w:noVBand="1"/></w:tblPr><w:tblGrid>',
            *(f'<w:gridCol w:w="{t}"/>' for t in twips),
            "</w:tblGrid><w:tr><w:trPr><w:cantSplit/><w:tblHeader/></w:trPr>",
            *(cell(text, c, HEADER_FILL, True) for c, text in enumerate(headers)),
            "</w:tr>",
        ]
        for r, values in enumerate(rows):
            parts.append("<w:tr><w:trPr><w:cantSplit/></w:trPr>")
            parts.extend(
                cell(str(text), c, fills[r][c] if fills else None, False)
                for c, text in enumerate(values)
            )
            parts.append("</w:tr>")
        parts.append("</w:tbl>")
        element = parse_xml("".join(parts))
        self.doc.element.body._insert_tbl(element)
        self.doc.add_paragraph(style=self.cell_style)
        return Table(element, self.doc._body)

    def figure(self, png: bytes, title: str) -> None:
        self.figures += 1
        paragraph = self.doc.add_paragraph(style=self.cell_style)
        paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
        paragraph.paragraph_format.keep_with_next = True
        paragraph.add_run().add_picture(io.BytesIO(png), width=Cm(min(self.width_cm, 16.5)))
        self.caption(f"Рисунок {self.figures} – {title}", align=WD_ALIGN_PARAGRAPH.CENTER)

    def page_break(self) -> None:
        self.doc.add_paragraph().add_run().add_break(WD_BREAK.PAGE)

    def landscape(self) -> None:
        section = self.doc.add_section(WD_SECTION.NEW_PAGE)
        section.orientation = WD_ORIENT.LANDSCAPE
        section.page_width, section.page_height = Cm(29.7), Cm(21)
        section.left_margin, section.right_margin = Cm(2), Cm(2)
        section.top_margin, section.bottom_margin = Cm(2), Cm(1.5)

    def bytes(self) -> bytes:
        buffer = io.BytesIO()
        self.doc.save(buffer)
        return buffer.getvalue()


def status_fill(status: object) -> str | None:
    return STATUS_TINTS.get(str(status)) if isinstance(status, str) else None


# --- The note -------------------------------------------------------------------------------


def _title_block(w: DocWriter, data: ReportData) -> None:
    centre = WD_ALIGN_PARAGRAPH.CENTER
    w.paragraph(TITLE, bold=True, align=centre, indent=False)
    w.paragraph(SUBTITLE, bold=True, align=centre, indent=False, space_after=12)
    w.paragraph(f"Территория: {data.territory}", align=centre, indent=False)
    w.paragraph(f"Период мониторинга: {data.period_label}", align=centre, indent=False)
    if data.org_type is not None:
        w.paragraph(f"Организации: {data.org_type_label}", align=centre, indent=False)
    w.paragraph(
        f"Дата составления: {day(data.now)}",
        align=WD_ALIGN_PARAGRAPH.RIGHT,
        indent=False,
        space_after=12,
    )


def _summary(w: DocWriter, data: ReportData) -> None:
    where = "в образовательных организациях"
    if data.org_type is not None:
        where = f"в {narrative.org_noun(data.org_type).in_many}"
    place = f"{data.municipality}, {data.region}" if data.municipality else data.territory
    where = f"{where} ({place})"
    computed = data.computed
    text = (
        f"{narrative.period_in(data.period).capitalize()} проведён мониторинг реализации "
        f"целевой модели наставничества педагогических работников {where}. "
        f"{narrative.deficits_summary(len(data.deficits), len(computed))}"
    )
    w.paragraph(text)
    if len(data.deficits):
        top = data.deficits.iloc[0]
        w.paragraph(
            "Наибольший дефицит — по показателю "
            f"«{top['name']}»: {value_text(top)} при целевом значении {target_text(top)}."
        )


def sources_sentence(data: ReportData) -> str:
    """The sources in words: which forms, from how many organisations, for which period and
    when they came in, and the registry they are counted against.

    «Источники данных — формы мониторинга ОО за 2023/2024 уч. год от 87
    общеобразовательных организаций, поступившие с 01.06.2024 по 05.07.2024, и реестр ОО —
    перечень из 90 общеобразовательных организаций, которые должны представить данные.»
    """
    noun = narrative.org_noun(data.org_type)
    reported, listed = len(data.reporting), len(data.registry)
    forms = data.uploads[data.uploads["kind"] == "org-form"]["uploaded_at"]
    when = ""
    if len(forms):
        first, last = day(forms.min()), day(forms.max())
        when = f", поступившие {first}" if first == last else f", поступившие с {first} по {last}"
    text = (
        f"Источники данных — формы мониторинга ОО за {data.period_label} от {integer(reported)} "
        f"{noun.of(reported)}{when}"
    )
    if listed:
        return (
            f"{text}, и реестр ОО — перечень из {integer(listed)} {noun.of(listed)}, "
            "которые должны представить данные."
        )
    return (
        f"{text}; реестр ОО (перечень организаций, которые должны представить данные) не загружен."
    )


def _sources(w: DocWriter, data: ReportData, number: int) -> None:
    w.heading(f"{number}. Основание и источники данных")
    w.paragraph(BASIS)
    w.paragraph(sources_sentence(data))
    w.paragraph(f"Версия данных: {data.version} (по состоянию на {moment(data.now)}). {METHOD}")


def _type_counts(orgs: pd.DataFrame) -> dict[str, int]:
    return {str(k): int(v) for k, v in orgs["org_type"].value_counts().items()}


def _participation(w: DocWriter, data: ReportData, number: int) -> None:
    w.heading(f"{number}. Участие в мониторинге")
    reported_in_registry = int((data.registry["reported"]).sum())
    outside = int((data.reporting["in_registry"] == False).sum())  # noqa: E712
    w.paragraph(
        narrative.participation_sentence(
            reported_in_registry if len(data.registry) else len(data.reporting),
            len(data.registry) or None,
            data.org_type,
            outside=outside if len(data.registry) else 0,
        )
    )
    if data.org_type is None and len(data.reporting):
        counts = _type_counts(data.reporting)
        if len(counts) > 1:
            w.paragraph(f"Среди представивших данные — {narrative.org_types_breakdown(counts)}.")
    row, before = data.row("reporting"), data.previous_row("reporting")
    if row is not None and data.previous is not None:
        sentence = narrative.comparison_sentence(
            row, before, data.previous, subject="доля представивших данные организаций"
        )
        if sentence:
            w.paragraph(sentence)
    units = data.units
    if data.unit_level is not Level.ORGANIZATION and len(data.registry):
        rows = units[units["indicator"] == "reporting"]
        if len(rows) > 1:
            _, by = units_noun(data.unit_level)
            key = "region_id" if data.unit_level is Level.REGION else "municipality_id"
            counts = data.reporting[key].value_counts().to_dict()

            def reported_text(r: pd.Series) -> str:
                if _missing(r["denominator"]):
                    return f"{integer(counts.get(r[key], 0))} ОО; реестр не загружен"
                return fraction_text(r)

            w.table(
                f"Участие в мониторинге {by}",
                ["Территория", "Представили данные", "Доля", "Статус"],
                [
                    [str(r["label"]), reported_text(r), value_text(r), status_text(r["status"])]
                    for _, r in rows.iterrows()
                ],
                [6, 4, 2, 3],
                fills=[[None, None, None, status_fill(r["status"])] for _, r in rows.iterrows()],
                centre=(1, 2, 3),
            )
    _figure(w, data, "participation")
    missing = data.non_reporting
    if len(missing):
        w.paragraph("Не представили данные:")
        several = data.municipalities_in_scope > 1
        for n, (_, org) in enumerate(missing.iterrows(), start=1):
            where = f" ({org['municipality']})" if several else ""
            end = ";" if n < len(missing) else "."
            w.item(f"{org['organization']}{where}{end}", f"{n})")
    elif not len(data.registry):
        w.paragraph(
            "Чтобы видеть, какие организации не представили данные, загрузите реестр ОО "
            "(перечень организаций, которые должны участвовать в мониторинге)."
        )


def _indicator_paragraphs(w: DocWriter, data: ReportData, indicator: Indicator) -> None:
    row = data.row(indicator.id)
    if row is None:
        return
    text = narrative.indicator_sentence(row, data.org_type)
    by_type = narrative.by_type_sentence(data.type_rows(indicator.id))
    if by_type:
        text = f"{text} {by_type}"
    if data.previous is not None:
        comparison = narrative.comparison_sentence(
            row, data.previous_row(indicator.id), data.previous
        )
        if comparison:
            text = f"{text} {comparison}"
    w.paragraph(text)


def _group_table(w: DocWriter, data: ReportData, title: str, indicators: list[Indicator]) -> None:
    rows = [data.row(i.id) for i in indicators]
    rows = [r for r in rows if r is not None]
    w.table(
        f"Показатели раздела «{title}», {data.period_label}",
        ["Показатель", "Значение", "Расчёт", "Целевое значение", "Статус"],
        [
            [
                str(r["name"]),
                value_text(r),
                fraction_text(r),
                target_text(r),
                status_text(r["status"]),
            ]
            for r in rows
        ],
        [6.2, 2.2, 3.6, 2.4, 2.6],
        fills=[[None, None, None, None, status_fill(r["status"])] for r in rows],
        centre=(1, 2, 3, 4),
    )


def _groups(w: DocWriter, data: ReportData, first: int) -> int:
    number = first
    for group in GROUPS:
        if group.code == "participation":
            continue
        indicators = [i for i in INDICATORS if i.group == group.code]
        w.heading(f"{number}. {group.title}")
        for indicator in indicators:
            _indicator_paragraphs(w, data, indicator)
        _group_table(w, data, group.title, indicators)
        _figure(w, data, group.code)
        number += 1
    return number


def _figure(w: DocWriter, data: ReportData, group: str) -> None:
    chart = section_chart(data, group)
    if chart is not None:
        png = render_png(chart[0])
        if png:
            w.figure(png, chart[1])


def units_caption(data: ReportData, indicator_id: str) -> str:
    """«Доля педагогов, включённых в систему наставничества, по организациям», with a
    note where only the lowest values are shown."""
    indicator = INDICATORS_BY_ID[indicator_id]
    _, by = units_noun(data.unit_level)
    shown = len(unit_rows(data, indicator_id))
    name = indicator.name
    # A participial clause in the name closes with a comma: «Доля ОО, представивших
    # данные, по муниципалитетам».
    comma = "," if ", " in name else ""
    caption = f"{name}{comma} {by}, {data.period_label}"
    if shown > UNIT_CHART_LIMIT:
        noun, _ = units_noun(data.unit_level)
        caption += (
            f" (показаны {UNIT_CHART_LIMIT} с наименьшими значениями из {integer(shown)} {noun})"
        )
    return caption


@dataclass(frozen=True)
class ChartSpec:
    """What a section's chart shows: one indicator by territory or organisation
    (``indicator`` set) or the indicators of a group (``group`` set)."""

    caption: str
    indicator: str | None = None
    group: str | None = None

    def figure(self, data: ReportData) -> go.Figure | None:
        if self.indicator is not None:
            return units_figure(data, self.indicator)
        return group_figure(data, str(self.group))


def section_chart_spec(data: ReportData, group: str) -> ChartSpec | None:
    """The chart of a report section, or None where there is nothing worth drawing:
    territories (or organisations) for participation and the databases, where there are
    several and their values are not yes/no answers; the group's indicators against the
    targets (and the previous period) otherwise."""
    by_units = data.unit_level is not Level.ORGANIZATION
    if group == "participation":
        if by_units and len(data.registry) and len(unit_rows(data, "reporting")) > 1:
            return ChartSpec(units_caption(data, "reporting"), indicator="reporting")
        return None
    if group == "databases" and by_units and len(unit_rows(data, "databases")) > 1:
        return ChartSpec(units_caption(data, "databases"), indicator="databases")
    indicators = [i for i in INDICATORS if i.group == group and i.is_percent]
    rows = [data.row(i.id) for i in indicators]
    if not any(r is not None and not _missing(r["value"]) for r in rows):
        return None
    title = next(g.title for g in GROUPS if g.code == group)
    compare = f" в сравнении с {narrative.period_with(data.previous)}" if data.previous else ""
    return ChartSpec(f"{title}: значения показателей{compare} и целевые значения", group=group)


def section_chart(data: ReportData, group: str) -> tuple[go.Figure, str] | None:
    """The section's figure and its caption (see :func:`section_chart_spec`)."""
    spec = section_chart_spec(data, group)
    if spec is None:
        return None
    fig = spec.figure(data)
    return (fig, spec.caption) if fig is not None else None


def _comparison(w: DocWriter, data: ReportData, number: int) -> None:
    w.heading(f"{number}. Сравнение с предыдущим периодом")
    if data.previous is None:
        w.paragraph(
            "Данных мониторинга за предшествующие периоды по территории нет, поэтому "
            "сравнение не проводится."
        )
        return
    rows, fills = [], []
    improved = worsened = same = 0
    for indicator in INDICATORS:
        row, before = data.row(indicator.id), data.previous_row(indicator.id)
        if row is None:
            continue
        now_v = None if _missing(row["value"]) else float(row["value"])
        was_v = None if before is None or _missing(before["value"]) else float(before["value"])
        if now_v is None and was_v is None:
            continue
        if now_v is not None and was_v is not None:
            if round(now_v - was_v, 1) == 0:
                same += 1
            elif (now_v > was_v) == (indicator.better == "higher"):
                improved += 1
            else:
                worsened += 1
        rows.append(
            [
                indicator.name,
                value_text(before) if before is not None else "—",
                value_text(row),
                narrative.change_text(indicator, now_v, was_v),
            ]
        )
        fills.append([None, None, status_fill(row["status"]), None])
    previous = narrative.period_label(data.previous)
    w.paragraph(narrative.changes_summary(data.previous, improved, worsened, same))
    w.table(
        f"Показатели за {previous} и {data.period_label}",
        ["Показатель", previous, data.period_label, "Изменение"],
        rows,
        [8, 3, 3, 3],
        fills=fills,
        centre=(1, 2, 3),
    )


def _below_target(data: ReportData, indicator_id: str) -> list[str]:
    units = data.units
    rows = units[(units["indicator"] == indicator_id) & units["deficit"].astype(bool)]
    if data.unit_level is Level.ORGANIZATION:
        rows = rows[rows["org_id"].isin(data.reporting["org_id"])]
    ordered = sorted(
        zip(rows["gap"], rows["label"], strict=True),
        key=lambda item: (-item[0], natural_key(item[1])),
    )
    return [str(label) for _, label in ordered]


# The heading of a column of organisations or territories one level down.
_UNITS_HEADER: dict[Level, str] = {
    Level.ORGANIZATION: "Организации",
    Level.MUNICIPALITY: "Муниципалитеты",
    Level.REGION: "Регионы",
    Level.DISTRICT: "Районы",
    Level.TOTAL: "Территории",
}


def _deficits(w: DocWriter, data: ReportData, number: int) -> None:
    w.heading(f"{number}. Дефициты")
    found = data.deficits
    w.paragraph(narrative.deficits_summary(len(found), len(data.computed)))
    if not len(found):
        return
    w.paragraph(
        "Дефициты перечислены от наибольшего: по отставанию от целевого значения в долях "
        "цели (так показатели разных единиц сравнимы между собой); для каждого приведена "
        "рекомендация."
    )
    w.table(
        f"Дефициты, {data.period_label}",
        ["№", "Показатель", "Значение", "Целевое значение", "Отставание", "Статус"],
        [
            [
                str(n),
                str(r["name"]),
                value_text(r),
                target_text(r),
                gap_text(r),
                status_text(r["status"]),
            ]
            for n, (_, r) in enumerate(found.iterrows(), start=1)
        ],
        [0.8, 7, 2.2, 2.4, 2.4, 2.6],
        fills=[[None] * 5 + [status_fill(r["status"])] for _, r in found.iterrows()],
        centre=(0, 2, 3, 4, 5),
    )
    _below_target_table(w, data)
    for n, (_, row) in enumerate(found.iterrows(), start=1):
        w.paragraph(f"{number}.{n}. {narrative.deficit_sentence(row)}")
        w.labelled(
            "Рекомендация:", narrative.lower_first(narrative.recommendation(str(row["indicator"])))
        )


# At most this many names of a deficit's organisations or territories in a table cell.
BELOW_TARGET_NAMES = 10


def _below_target_table(w: DocWriter, data: ReportData) -> None:
    """One table instead of a sentence per deficit: for each deficit, how many
    organisations (or territories one level down) miss the target, of how many, and which
    (at most :data:`BELOW_TARGET_NAMES` of them, the largest gap first)."""
    by_orgs = data.unit_level is Level.ORGANIZATION
    lines = []
    for _, row in data.deficits.iterrows():
        indicator_id = str(row["indicator"])
        if indicator_id == "reporting" and by_orgs:
            below = [str(name) for name in data.non_reporting["organization"]]
            of = len(data.registry)
        else:
            below = _below_target(data, indicator_id)
            of = len(unit_rows(data, indicator_id))
        if not below:
            continue
        shown = ", ".join(below[:BELOW_TARGET_NAMES])
        if len(below) > BELOW_TARGET_NAMES:
            shown += f" и ещё {integer(len(below) - BELOW_TARGET_NAMES)}"
        lines.append([str(row["name"]), f"{integer(len(below))} из {integer(of)}", shown])
    if not lines:
        return
    _, by = units_noun(data.unit_level)
    w.table(
        f"Не достигнуто целевое значение {by}",
        ["Показатель", "Не достигли цели", _UNITS_HEADER[data.unit_level]],
        lines,
        [5, 2.2, 8],
        centre=(1,),
    )


WITHOUT_FIGURES = (
    "Справка подготовлена без диаграмм: на сервере не установлена программа для их "
    "построения; таблицы и выводы справки от этого не меняются."
)


def approval_sentence(meeting: Meeting) -> str:
    """«Рассмотрено на заседании рабочей группы … (протокол № 3 от 15.07.2022).»"""
    return (
        f"Рассмотрено на заседании {meeting.title} "
        f"(протокол № {meeting.meeting_id} от {day(meeting.held_on)})."
    )


def _signature(w: DocWriter, signoff: SignOff) -> None:
    """The sign-off as in the seeds: the signatory's position with the organisation and,
    at the right margin, the signature line and the name; then the executor and their
    contacts in smaller type. Every line is kept with the next, so the block never
    breaks across pages, and the closing paragraphs before it keep it company."""
    lines: list[Paragraph] = []
    if signoff.is_set:
        line = w.paragraph(
            f"{signoff.signer_line}\t{SIGNATURE_BLANK}\u00a0{signoff.signatory}",
            align=WD_ALIGN_PARAGRAPH.LEFT,
            indent=False,
            space_after=18,
        )
        line.paragraph_format.tab_stops.add_tab_stop(
            Cm(w.width_cm), WD_TAB_ALIGNMENT.RIGHT, WD_TAB_LEADER.SPACES
        )
        lines.append(line)
    else:
        lines.append(
            w.paragraph(
                f"Исполнитель: {SIGNATURE_BLANK} / {SIGNATURE_BLANK} /",
                indent=False,
                space_after=6,
            )
        )
    if signoff.executor:
        lines.append(w.paragraph("Исполнитель", indent=False, size=TABLE_SIZE))
        lines.append(w.paragraph(signoff.executor, indent=False, size=TABLE_SIZE))
        if signoff.contacts:
            lines.append(w.paragraph(signoff.contacts, indent=False, size=TABLE_SIZE))
    for paragraph in lines:
        paragraph.paragraph_format.keep_together = True
        paragraph.paragraph_format.keep_with_next = True


def _closing(w: DocWriter, data: ReportData, signoff: SignOff, meeting: Meeting | None) -> None:
    w.paragraph(CLOSING).paragraph_format.keep_with_next = True
    if meeting is not None:
        w.paragraph(approval_sentence(meeting)).paragraph_format.keep_with_next = True
    w.paragraph("").paragraph_format.keep_with_next = True
    _signature(w, signoff)
    w.paragraph(f"Дата: {day(data.now)}", indent=False)
    w.paragraph(
        f"Справка сформирована по данным мониторинга (версия данных {data.version}).",
        indent=False,
        size=TABLE_SIZE,
    )
    if not images.images_available():
        w.paragraph(WITHOUT_FIGURES, indent=False, size=TABLE_SIZE)


def _values_tables(
    w: DocWriter, rows: pd.DataFrame, label_header: str, labels: list[tuple[object, str]], key: str
) -> None:
    """Two tables of every indicator's value by organisation (or territory): the yes/no
    indicators, then the others; cells tinted by status."""
    parts = (
        (
            "Нормативное и организационное обеспечение, базы наставников и наставляемых",
            [i for i in INDICATORS if i.id in YES_NO_INDICATORS],
        ),
        (
            "Охват наставничеством и результаты",
            [i for i in INDICATORS if i.id not in YES_NO_INDICATORS and i.id != "reporting"],
        ),
    )
    by_key = {(r[key], str(r["indicator"])): r for r in rows.to_dict("records")}
    yes_no = key == "org_id"
    for title, indicators in parts:
        table_rows, fills = [], []
        for n, (k, name) in enumerate(labels, start=1):
            cells, tints = [str(n), name], [None, None]
            for indicator in indicators:
                row = by_key.get((k, indicator.id))
                cells.append(value_text(row, yes_no=yes_no) if row is not None else "—")
                tints.append(status_fill(row["status"]) if row is not None else None)
            table_rows.append(cells)
            fills.append(tints)
        w.table(
            title,
            ["№", label_header, *[i.short for i in indicators]],
            table_rows,
            [0.9, 5.5, *[2.4] * len(indicators)],
            fills=fills,
            centre=range(2, 2 + len(indicators)),
        )


def _appendices(w: DocWriter, data: ReportData, by_organization: bool) -> None:
    """The landscape appendices: with ``by_organization``, every reporting organisation's
    values and deficits; always, the values by municipality and by region where the note
    covers several."""
    number = 0
    if by_organization and len(data.reporting):
        number = _organization_appendices(w, data)
    _territory_appendices(w, data, number)


def _appendix_start(w: DocWriter, number: int) -> None:
    if number == 1:
        w.landscape()
    else:
        w.page_break()
    w.paragraph(f"Приложение {number}", align=WD_ALIGN_PARAGRAPH.RIGHT, indent=False)


def _organization_appendices(w: DocWriter, data: ReportData) -> int:
    """Appendices 1 and 2: values and deficits by organisation; returns the last number."""
    orgs = data.reporting
    number = 1
    _appendix_start(w, number)
    w.heading(f"Значения показателей по организациям, {data.period_label}", 1)
    several = data.municipalities_in_scope > 1
    labels = [
        (r["org_id"], f"{r['organization']}" + (f" ({r['municipality']})" if several else ""))
        for _, r in orgs.iterrows()
    ]
    w.paragraph(
        "Для показателей, отражающих наличие документов и баз, указан ответ организации; "
        "цвет ячейки показывает статус относительно целевого значения.",
        size=TABLE_SIZE,
    )
    _values_tables(w, data.org_rows, "Организация", labels, "org_id")

    number += 1
    _appendix_start(w, number)
    w.heading(f"Дефициты по организациям, {data.period_label}", 1)
    found: dict[object, list[str]] = {}
    for r in data.org_rows.to_dict("records"):
        if r["deficit"] and r["indicator"] != "reporting":
            found.setdefault(r["org_id"], []).append(INDICATORS_BY_ID[r["indicator"]].short)
    counts = [(len(found.get(k, [])), name, found.get(k, [])) for k, name in labels]
    counts.sort(key=lambda item: -item[0])
    w.table(
        "Число дефицитов и показатели с дефицитом по организациям",
        ["№", "Организация", "Число дефицитов", "Показатели с дефицитом"],
        [
            [str(n), name, str(k), "; ".join(shorts) if shorts else "нет"]
            for n, (k, name, shorts) in enumerate(counts, start=1)
        ],
        [0.9, 6, 2.2, 14],
        centre=(0, 2),
    )

    return number


def _territory_appendices(w: DocWriter, data: ReportData, number: int) -> None:
    for level, key in ((Level.MUNICIPALITY, "municipality_id"), (Level.REGION, "region_id")):
        rows = data.rows(data.period, level)
        names = dict(zip(rows[key], rows[_LABEL_COLUMN[level]], strict=True))
        if len(names) < 2:
            continue
        if level is Level.MUNICIPALITY and data.regions_in_scope > 1:
            regions = dict(zip(rows[key], rows["region"], strict=True))
            names = {k: f"{v} ({regions[k]})" for k, v in names.items()}
        unit_labels = sorted(names.items(), key=lambda item: natural_key(item[1]))
        number += 1
        _, by = units_noun(level)
        _appendix_start(w, number)
        w.heading(f"Значения показателей {by}, {data.period_label}", 1)
        _values_tables(w, rows, "Территория", unit_labels, key)


def build_report(
    db: Database,
    period: str,
    region_id: int | None = None,
    municipality_id: int | None = None,
    org_type: str | None = None,
    now: datetime | None = None,
    appendix: bool = False,
) -> bytes:
    """The information and analytic note for a territory and period, as DOCX bytes.

    ``region_id``/``municipality_id`` narrow the territory (neither: everything in the
    database); ``org_type`` is a contract code (``school`` …) or a Russian label; ``now``
    dates the note; ``appendix`` adds every organisation's values and deficits (many
    pages for a region). The sign-off is the one set on «Настройки»; a meeting held over
    the same period, territory and type is named with its protocol. Charts are embedded
    where chromium is available and left out otherwise. Raises :class:`ReportError`
    (Russian message) for an unknown period, territory or org type.
    """
    data = collect(db, period, region_id, municipality_id, org_type, now)
    meeting = approving_meeting(
        db, data.period, data.region_id, data.municipality_id, data.org_type, data.now.date()
    )
    w = DocWriter(title=f"{TITLE} {SUBTITLE}", now=data.now)
    _title_block(w, data)
    _summary(w, data)
    number = 1
    _sources(w, data, number)
    number += 1
    _participation(w, data, number)
    number = _groups(w, data, number + 1)
    _comparison(w, data, number)
    _deficits(w, data, number + 1)
    _closing(w, data, get_signoff(db), meeting)
    _appendices(w, data, appendix)
    return w.bytes()


# --- PDF ------------------------------------------------------------------------------------

PDF_UNAVAILABLE_MESSAGE = (
    "Справку в формате PDF на этом сервере получить нельзя: не установлена программа для "
    "преобразования (LibreOffice). Скачайте справку в формате DOCX и сохраните её как PDF в "
    "текстовом редакторе; чтобы появилась кнопка PDF, администратору достаточно один раз "
    "выполнить scripts/setup.sh."
)
PDF_TIMEOUT_SECONDS = 180
OFFICE_VARIABLE = "MONITORING_SOFFICE"


def office_path() -> str | None:
    """LibreOffice's ``soffice``: ``$MONITORING_SOFFICE`` where set (empty: none, as on a
    machine without it), otherwise the first one found on ``PATH``."""
    if OFFICE_VARIABLE in os.environ:
        return os.environ[OFFICE_VARIABLE] or None
    for name in ("soffice", "libreoffice"):
        path = shutil.which(name)
        if path:
            return path
    return None


def pdf_available() -> bool:
    return office_path() is not None


def report_pdf(docx_bytes: bytes) -> bytes:
    """Convert a DOCX to PDF with ``soffice --headless --convert-to pdf``.

    Raises :class:`PdfUnavailable` (Russian message) where LibreOffice is not installed
    or the conversion fails. Each call uses its own LibreOffice profile, so conversions
    may run side by side.
    """
    office = office_path()
    if office is None:
        raise PdfUnavailable(PDF_UNAVAILABLE_MESSAGE)
    with tempfile.TemporaryDirectory(prefix="report-pdf-") as tmp:
        folder = Path(tmp)
        source = folder / "справка.docx"
        source.write_bytes(docx_bytes)
        command = [
            office,
            f"-env:UserInstallation={(folder / 'profile').as_uri()}",
            "--headless",
            "--norestore",
            "--convert-to",
            "pdf",
            "--outdir",
            str(folder),
            str(source),
        ]
        try:
            result = subprocess.run(
                command, capture_output=True, timeout=PDF_TIMEOUT_SECONDS, check=False
            )
        except subprocess.TimeoutExpired:
            raise PdfUnavailable(
                f"LibreOffice не преобразовал справку в PDF за {PDF_TIMEOUT_SECONDS} секунд."
            ) from None
        target = source.with_suffix(".pdf")
        if result.returncode != 0 or not target.exists():
            detail = result.stderr.decode("utf-8", "replace").strip()[-300:]
            raise PdfUnavailable(
                "LibreOffice не смог преобразовать справку в PDF"
                + (f": {detail}" if detail else ".")
            )
        return target.read_bytes()
