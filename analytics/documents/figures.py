"""The charts of the documents: an indicator group by territory, the organisations of a
territory on one indicator, rendered to PNG where chromium is available."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass

import plotly.graph_objects as go

from analytics.documents import images
from analytics.model.catalogue import GROUPS, INDICATORS, INDICATORS_BY_ID, Indicator
from analytics.model.legend import STATUS_COLOURS, TARGET_CSS, Status, label_of
from analytics.model.levels import LEVEL_INFO, Level
from analytics.model.periods import period_label, period_with
from analytics.wording.formatting import (
    indicator_value,
    integer,
)

from .cells import _missing, target_text
from .territory import UNIT_CHART_LIMIT, ReportData, unit_rows

log = logging.getLogger(__name__)
PREVIOUS_COLOR = "#B8B8B8"
CHART_FONT = "Arial, Liberation Sans, sans-serif"
# Chart text in CSS pixels of the chart's layout: no text is smaller than SMALL_FONT_SIZE,
# which each medium below turns into readable type where the picture is set.
CHART_FONT_SIZE = 26
SMALL_FONT_SIZE = 24
# Height of one bar's row in a chart of territories or organisations, with its label.
ROW_PX = 34
# Height of one indicator's pair of bars (this period and the previous) in a group's chart,
# and what the chart needs besides its rows (axis, legend, margins).
GROUP_ROW_PX = 80
GROUP_CHROME_PX = 160


@dataclass(frozen=True)
class Medium:
    """Where a chart is printed: its layout in CSS pixels (text sizes are in the same
    pixels), the PNG's scale, whether it may grow taller for many bars, and the most bars
    of one chart of territories or organisations."""

    width: int
    height: int
    scale: float
    grows: bool
    rows: int

    @property
    def group_rows(self) -> int:
        """The most indicators of one group's chart: where the medium cannot grow, as many
        as keep each pair of bars the room its figures fit in; a larger group is split."""
        if self.grows:
            return len(INDICATORS)
        return max(1, (self.height - GROUP_CHROME_PX) // GROUP_ROW_PX)


# A4: the picture is set FIGURE_CM wide, so 24 px of a 1000 px layout print at 10 pt.
FIGURE_CM = 15.0
NOTE = Medium(width=1000, height=480, scale=3, grows=True, rows=UNIT_CHART_LIMIT)
# A slide: the picture fills the slide between its margins and between the caption and the
# footer, 12.33 × 5.05 of 13.33 × 7.5 inches — 1183 × 484 px of a 1280 × 720 screen, rounded
# down — so a layout of that size shows 24 px text as 24 px.
DECK = Medium(width=1183, height=484, scale=3, grows=False, rows=10)


def _chart_layout(fig: go.Figure, title: str | None = None) -> go.Figure:
    fig.update_layout(
        template="plotly_white",
        separators=",\u2009",
        font={"family": CHART_FONT, "size": CHART_FONT_SIZE, "color": "#222222"},
        margin={"l": 20, "r": 40, "t": 90 if title else 30, "b": 40},
        legend={"orientation": "h", "y": -0.12, "x": 0, "font": {"size": SMALL_FONT_SIZE}},
        bargap=0.25,
        showlegend=True,
    )
    if title:
        fig.update_layout(title={"text": title, "x": 0, "xanchor": "left"})
    fig.update_yaxes(automargin=True, autorange="reversed", ticklabelstandoff=12)
    fig.update_xaxes(automargin=True, gridcolor="#DDDDDD", ticksuffix="")
    return fig


def _legend_entries(fig: go.Figure, statuses: set[str]) -> None:
    for status in Status:
        if status in statuses:
            fig.add_trace(
                go.Bar(
                    x=[None],
                    y=[None],
                    orientation="h",
                    marker_color=STATUS_COLOURS[status],
                    name=label_of(status),
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


def group_indicators(data: ReportData, group: str) -> list[Indicator]:
    """The group's percentage indicators with a value for the territory, in catalogue order."""
    found = [i for i in INDICATORS if i.group == group and i.is_percent]
    return [i for i in found if (r := data.row(i.id)) is not None and not _missing(r["value"])]


def group_parts(data: ReportData, group: str, medium: Medium) -> list[list[Indicator]]:
    """The group's indicators split into the fewest charts of at most ``medium.group_rows``,
    as even as they go (six on a slide: three and three)."""
    indicators = group_indicators(data, group)
    if not indicators:
        return []
    parts = -(-len(indicators) // medium.group_rows)
    size = -(-len(indicators) // parts)
    return [indicators[k : k + size] for k in range(0, len(indicators), size)]


def group_figure(
    data: ReportData, group: str, only: Sequence[Indicator] | None = None
) -> go.Figure | None:
    """The group's percentage indicators (or ``only`` these of them) for the territory: bars
    coloured by status, the previous period in grey beside them, the target as a mark on
    each bar."""
    indicators = [i for i in INDICATORS if i.group == group and i.is_percent]
    if only is not None:
        indicators = [i for i in indicators if i in only]
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
                name=data.previous and period_label(data.previous),
                marker_color=PREVIOUS_COLOR,
                # No figures on the grey bars: beside this period's at readable size they
                # would overlap, and the sections' sentences give the previous values.
            )
        )
    values = [float(r["value"]) for _, r, _ in rows]
    fig.add_trace(
        go.Bar(
            x=values,
            y=labels,
            orientation="h",
            name=data.period_label,
            marker_color=[STATUS_COLOURS[r["status"]] for _, r, _ in rows],
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
            line={"color": TARGET_CSS, "width": 6},
        )
    fig.add_trace(
        go.Scatter(
            x=[None],
            y=[None],
            mode="markers",
            name="целевое значение",
            marker={"symbol": "line-ns", "size": 24, "line": {"width": 5, "color": TARGET_CSS}},
        )
    )
    _legend_entries(fig, {str(r["status"]) for _, r, _ in rows})
    _chart_layout(fig)
    # Every indicator keeps a row its two bars and their figures fit in: bars close
    # together, each about as thick as its 24 px figure.
    fig.update_layout(height=GROUP_CHROME_PX + GROUP_ROW_PX * len(rows), bargap=0.12)
    # Few indicators: keep the bars slim by leaving room around them.
    pad = max(0.0, (3 - len(rows)) * 0.5)
    fig.update_layout(barmode="group")
    fig.update_yaxes(autorange=False, range=[len(rows) - 0.5 + pad, -0.5 - pad])
    fig.update_xaxes(range=[0, 112], ticksuffix=" %", dtick=20)
    return fig


def units_figure(
    data: ReportData, indicator_id: str, limit: int = UNIT_CHART_LIMIT
) -> go.Figure | None:
    """One indicator by the territories (or organisations) one level down, best first;
    at most ``limit`` bars, the lowest values where there are more."""
    indicator = INDICATORS_BY_ID[indicator_id]
    rows = unit_rows(data, indicator_id)
    if len(rows) < 2:
        return None
    worst_first = indicator.better == "higher"
    rows = rows.sort_values("value", ascending=worst_first, kind="stable").head(limit)
    rows = rows.sort_values("value", ascending=not worst_first, kind="stable")
    fig = go.Figure(
        go.Bar(
            x=rows["value"].tolist(),
            y=[str(label) for label in rows["label"]],
            orientation="h",
            marker_color=[STATUS_COLOURS[s] for s in rows["status"]],
            text=[indicator_value(indicator, v) for v in rows["value"]],
            textposition="auto",
            insidetextanchor="end",
            constraintext="none",
            showlegend=False,
            textfont={"size": SMALL_FONT_SIZE},
        )
    )
    target = data.row(indicator_id)
    if target is not None and not _missing(target["target"]):
        goal = float(target["target"])
        fig.add_vline(x=goal, line={"dash": "dash", "color": TARGET_CSS, "width": 4})
        fig.add_trace(
            go.Scatter(
                x=[None],
                y=[None],
                mode="lines",
                line={"dash": "dash", "color": TARGET_CSS, "width": 4},
                name=f"целевое значение: {target_text(target)}",
            )
        )
    _legend_entries(fig, {str(s) for s in rows["status"]})
    _chart_layout(fig)
    pad = max(0.0, (5 - len(rows)) * 0.4)
    fig.update_yaxes(
        tickfont={"size": SMALL_FONT_SIZE},
        autorange=False,
        range=[len(rows) - 0.5 + pad, -0.5 - pad],
    )
    # Every bar keeps a row its label fits in; a medium that may grow gives it the room.
    fig.update_layout(height=160 + ROW_PX * len(rows))
    top = max(rows["value"].max(), float(target["target"]) if target is not None else 0) * 1.12
    fig.update_xaxes(range=[0, min(top, 112) if indicator.is_percent else top])
    if indicator.is_percent:
        fig.update_xaxes(ticksuffix=" %")
    return fig


def render_png(fig: go.Figure | None, medium: Medium = NOTE) -> bytes | None:
    """The figure as PNG laid out for ``medium``, or None without chromium (or if
    rendering fails)."""
    if fig is None or not images.images_available():
        return None
    height = medium.height
    if medium.grows and fig.layout.height:
        height = max(height, int(fig.layout.height))
    try:
        return images.figure_image(fig, width=medium.width, height=height, scale=medium.scale)
    except Exception:  # a document without a chart beats no document
        log.warning("диаграмма не построена", exc_info=True)
        return None


def units_caption(data: ReportData, indicator_id: str, limit: int = UNIT_CHART_LIMIT) -> str:
    """«Доля педагогов, включённых в систему наставничества, по организациям», with a
    note where only the lowest values are shown."""
    indicator = INDICATORS_BY_ID[indicator_id]
    units = LEVEL_INFO[data.unit_level]
    shown = len(unit_rows(data, indicator_id))
    name = indicator.name
    # A participial clause in the name closes with a comma: «Доля ОО, представивших
    # данные, по муниципалитетам».
    comma = "," if ", " in name else ""
    caption = f"{name}{comma} {units.by_units}, {data.period_label}"
    if shown > limit:
        caption += (
            f" (показаны {limit} с наименьшими значениями из {integer(shown)} "
            f"{units.genitive_plural})"
        )
    return caption


@dataclass(frozen=True)
class ChartSpec:
    """What a section's chart shows: one indicator by territory or organisation
    (``indicator`` set) or the indicators of a group (``group`` set)."""

    caption: str
    indicator: str | None = None
    group: str | None = None

    limit: int = UNIT_CHART_LIMIT

    def figure(self, data: ReportData) -> go.Figure | None:
        if self.indicator is not None:
            return units_figure(data, self.indicator, self.limit)
        return group_figure(data, str(self.group))


def section_chart_spec(
    data: ReportData, group: str, limit: int = UNIT_CHART_LIMIT
) -> ChartSpec | None:
    """The chart of a report section, or None where there is nothing worth drawing:
    a group of one indicator (participation, the databases) by territory (or
    organisation), where there are several and their values are not yes/no answers (the
    reporting rate only against a loaded registry); the group's indicators against the
    targets (and the previous period) otherwise, never the reporting rate."""
    by_units = data.unit_level is not Level.ORGANIZATION
    members = [i for i in INDICATORS if i.group == group]
    if len(members) == 1 and by_units:
        only = members[0]
        if (len(data.registry) or not only.coverage) and len(unit_rows(data, only.id)) > 1:
            return ChartSpec(units_caption(data, only.id, limit), indicator=only.id, limit=limit)
    if any(i.coverage for i in members):
        return None
    indicators = [i for i in members if i.is_percent]
    rows = [data.row(i.id) for i in indicators]
    if not any(r is not None and not _missing(r["value"]) for r in rows):
        return None
    title = next(g.title for g in GROUPS if g.code == group)
    compare = f" в сравнении с {period_with(data.previous)}" if data.previous else ""
    return ChartSpec(f"{title}: значения показателей{compare} и целевые значения", group=group)


def section_chart(data: ReportData, group: str) -> tuple[go.Figure, str] | None:
    """The section's figure and its caption (see :func:`section_chart_spec`)."""
    spec = section_chart_spec(data, group)
    if spec is None:
        return None
    fig = spec.figure(data)
    return (fig, spec.caption) if fig is not None else None
