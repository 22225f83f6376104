"""Views that set many units against many indicators: the status heatmap, the scorecard
table coloured by status, deficit counts and the list of organisations that miss an
indicator. Shared by the «Дефициты», «Территории» and «Динамика» pages; every number
comes from the engine's frame (:func:`analytics.compute.indicators.compute`), nothing is
recomputed here.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import pandas as pd
import plotly.graph_objects as go
import streamlit as st
from pandas.io.formats.style import Styler

from analytics.documents import exports
from analytics.model import legend
from analytics.model.catalogue import INDICATORS, INDICATORS_BY_ID, Indicator
from analytics.model.legend import STATUS_COLOURS, Status
from analytics.model.levels import LEVEL_INFO, Level
from analytics.wording import formatting

from . import charts
from .page import BREAKDOWNS, Breakdown, Filters, breakdown

# A level's units as a chooser names them: «Муниципалитеты».
LEVEL_NAMES: dict[Level, str] = {
    level: LEVEL_INFO[level].plural.capitalize()
    for level in (Level.REGION, Level.MUNICIPALITY, Level.DISTRICT, Level.ORGANIZATION)
}
ORGANIZATIONS = LEVEL_NAMES[Level.ORGANIZATION]
# Above this many territories of a level under the filters, that level is compared only
# after a narrower filter: a scorecard and charts of 2,500 municipalities are read by
# nobody, and cost seconds of server time per view.
UNIT_LIMIT = 300
# Heatmap codes: a discrete colour scale needs numbers.
STATUS_CODES: dict[str | None, int] = {None: 0, Status.RED: 1, Status.YELLOW: 2, Status.GREEN: 3}
# Text on a status background: black on every one (white on the green and the red is
# 3.4 and 3.9 to 1, below WCAG's 4.5 for text; black is 6.1 and 5.4 at least).
TEXT_ON: dict[str | None, str] = {
    Status.GREEN: "#000000",
    Status.YELLOW: "#000000",
    Status.RED: "#000000",
    None: "#000000",
}
# A status as a coloured dot in Markdown (Обзор's deficits, an organisation's legend).
STATUS_DOT: dict[str | None, str] = {
    Status.GREEN: ":green[●]",
    Status.YELLOW: ":orange[●]",
    Status.RED: ":red[●]",
    None: ":gray[●]",
}
# The app's status words (the XLSX export colours its status column by them).
STATUS_WORDS: dict[str | None, str] = {
    status: legend.label_of(status) for status in (*Status, None)
}
LABEL_LIMIT = 48
# The heatmap read on a projector: figures and names at least this many pixels, row
# names on at most two lines of this many characters, so that fifteen columns keep
# room for «100».
HEAT_FONT_SIZE = 14
HEAT_LABEL_LIMIT = 40


@dataclass(frozen=True)
class Comparison:
    """The territories of one level under the filters as the «Территории» page shows
    them: the same for every session of a role and data version, so worked out once."""

    units: int  # territories with rows
    table: pd.DataFrame  # the scorecard; empty where no territory has a value
    css: pd.DataFrame  # its cells' styles (:func:`cell_styles`)
    indicators: list[str]  # the scorecard's indicators, in the catalogue's order
    available: list[str]  # those with a value: the charts offered
    defaults: list[str]  # the charts shown first


def clean(value: object) -> object:
    """None for a missing value (NaN, NA, None), the value otherwise."""
    if value is None:
        return None
    try:
        return None if pd.isna(value) else value
    except (TypeError, ValueError):
        return value


def shown(indicator: Indicator, value: object) -> str:
    """An indicator value as people read it, «—» where there is none."""
    v = clean(value)
    return formatting.indicator_value(indicator, None if v is None else float(v))


def gap_text(indicator: Indicator, gap: object) -> str:
    """The distance to the target: ``46,0 п. п.`` for shares, ``0,4`` for ratios."""
    g = clean(gap)
    if g is None:
        return "—"
    if indicator.is_percent:
        return formatting.points(float(g))
    return formatting.number(float(g), 1)


def scoped_hierarchy(filters: Filters, hierarchy: pd.DataFrame) -> pd.DataFrame:
    """The organisations under the territory and type filters."""
    return filters.scope().keep(hierarchy)


def territory_levels(
    filters: Filters, hierarchy: pd.DataFrame, *, single: bool = True
) -> list[Breakdown]:
    """The territory levels worth comparing under the filters: those with at least two
    units; where there is none and ``single`` is set, the deepest level with one."""
    rows = scoped_hierarchy(filters, hierarchy)
    counts = {
        level: rows[BREAKDOWNS[level].key].dropna().nunique()
        for level in (Level.REGION, Level.MUNICIPALITY, Level.DISTRICT)
    }
    several = [BREAKDOWNS[level] for level, n in counts.items() if n >= 2]
    if several or not single:
        return several
    one = [BREAKDOWNS[level] for level, n in counts.items() if n == 1]
    return one[-1:]


def readable_levels(
    levels: list[Breakdown], scoped: pd.DataFrame
) -> tuple[list[Breakdown], list[tuple[Breakdown, int]]]:
    """The ``levels`` with at most :data:`UNIT_LIMIT` territories among the organisations
    ``scoped`` (all of them where none has), and the others with their numbers."""
    counts = {split.level: scoped[split.key].dropna().nunique() for split in levels}
    readable = [split for split in levels if counts[split.level] <= UNIT_LIMIT]
    if not readable:
        return levels, []
    return readable, [(s, counts[s.level]) for s in levels if counts[s.level] > UNIT_LIMIT]


def forget_invalid(key: str, options: Sequence[object]) -> None:
    """Drop a widget's remembered choice when the filters took it out of the options, so
    the widget falls back to its default instead of failing."""
    if key in st.session_state and st.session_state[key] not in options:
        del st.session_state[key]


def default_level(filters: Filters, hierarchy: pd.DataFrame, options: Sequence[Breakdown]) -> int:
    """The index of the level shown first: municipalities where they can be compared,
    else the level one step below the filters, else the first offered."""
    levels = [split.level for split in options]
    if Level.MUNICIPALITY in levels:
        return levels.index(Level.MUNICIPALITY)
    wanted = breakdown(filters, hierarchy).level
    return levels.index(wanted) if wanted in levels else 0


def unit_rows(frame: pd.DataFrame, split: Breakdown, *, with_parent: bool = False) -> pd.DataFrame:
    """The engine's rows of ``split``'s level with a unique ``label`` and a ``key``;
    ``with_parent`` adds every unit's parent territory to its label."""
    rows = frame[frame["level"] == split.level].copy()
    rows = rows.dropna(subset=[split.key])
    rows["key"] = rows[split.key].astype(int)
    names = rows.drop_duplicates("key").set_index("key")
    labels = unique_labels(names, split, with_parent=with_parent)
    rows["label"] = rows["key"].map(labels)
    return rows


def unique_labels(
    units: pd.DataFrame, split: Breakdown, *, with_parent: bool = False
) -> dict[int, str]:
    """A label per unit (indexed by key): its name, with its parent territory where two
    units share a name (two «СОШ № 1» in different towns) or ``with_parent`` asks, then a
    number if still equal."""
    enclosing = LEVEL_INFO[split.level].parent
    parent = LEVEL_INFO[enclosing].name if enclosing else None
    names = units[split.label].fillna("—").astype(str)
    labels = names.copy()
    repeated = names.duplicated(keep=False) | with_parent
    if parent is not None and repeated.any():
        labels[repeated] = [
            f"{name} — {units.loc[key, parent]}"
            for key, name in zip(names[repeated].index, names[repeated], strict=True)
        ]
    seen: dict[str, int] = {}
    result: dict[int, str] = {}
    for key, label in labels.items():
        seen[label] = seen.get(label, 0) + 1
        result[int(key)] = label if seen[label] == 1 else f"{label} [{seen[label]}]"
    return result


def of_organizations(n: int) -> str:
    """The genitive after «из»: «из 21 организации», «из 263 организаций»."""
    noun = formatting.genitive_after_from(n, "организации", "организаций")
    return f"{formatting.integer(n)}{formatting.NBSP}{noun}"


def table_height(rows: int, limit: int = 700) -> int:
    """A dataframe height that shows ``rows`` rows without an inner scroll bar, up to
    ``limit`` pixels."""
    return min(limit, 17 + 35 * (max(rows, 1) + 1))


def shorten(text: str, limit: int = LABEL_LIMIT) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def wrapped(text: str, limit: int = LABEL_LIMIT) -> str:
    """A long label on two lines (broken at the space nearest its middle), escaped for
    plotly: «МБОУ «СОШ № 7» — г. Нягань» is read whole, not cut with «…»; only a label
    over two lines' length is shortened."""
    if len(text) <= limit:
        return charts.plot_text(text)
    # Never between «№» and its number.
    spaces = [n for n, c in enumerate(text) if c == " " and n <= limit and text[n - 1] != "№"]
    if not spaces:
        return charts.plot_text(shorten(text, limit))
    # The break nearest the middle among those that leave both lines whole, if any.
    whole = [n for n in spaces if len(text) - n - 1 <= limit]
    middle = len(text) / 2
    cut = min(whole or spaces, key=lambda n: abs(n - middle))
    first, second = text[:cut], text[cut + 1 :]
    return f"{charts.plot_text(first)}<br>{charts.plot_text(shorten(second, limit))}"


def axis_labels(labels: Iterable[str], limit: int = LABEL_LIMIT) -> list[str]:
    """Labels for a chart axis (:func:`wrapped`), escaped for plotly and still distinct
    (plotly merges equal categories into one row)."""
    result: list[str] = []
    seen: dict[str, int] = {}
    for label in labels:
        short = wrapped(str(label), limit)
        seen[short] = seen.get(short, 0) + 1
        if seen[short] > 1:
            short = f"{wrapped(str(label), limit - 4)} [{seen[short]}]"
        result.append(short)
    return result


def deficit_counts(rows: pd.DataFrame) -> pd.DataFrame:
    """Per unit (``key``): indicators with a value, with a deficit, of them far from the
    target (red), and the short names of the indicators missed, worst first."""
    rows = rows.dropna(subset=["key"])
    valued = rows[rows["value"].notna()]
    missed = valued[valued["deficit"].astype(bool)].assign(red=lambda m: m["status"] == Status.RED)
    missed = missed.sort_values(["red", "ord"], ascending=[False, True], kind="stable")
    short = missed["indicator"].map({i: v.short for i, v in INDICATORS_BY_ID.items()})
    by_unit = missed.assign(short=short).groupby("key", sort=False)
    units = rows.drop_duplicates("key")[["key", "label"]]
    counts = units.assign(
        valued=units["key"].map(valued.groupby("key").size()).fillna(0).astype(int),
        deficits=units["key"].map(by_unit.size()).fillna(0).astype(int),
        red=units["key"].map(by_unit["red"].sum()).fillna(0).astype(int),
        missed=units["key"].map(by_unit["short"].agg(", ".join)).fillna(""),
    )
    return counts.reset_index(drop=True)


def status_heatmap(
    rows: pd.DataFrame,
    indicator_ids: Sequence[str],
    title: str,
    subtitle: str,
    *,
    show_values: bool,
) -> go.Figure:
    """Units (``rows["label"]``, in the order they come) × indicators, each cell in its
    status colour (grey where there is no value); the hover names the unit, the indicator,
    the value, the fraction behind it and the target."""
    labels = list(dict.fromkeys(rows["label"]))
    cells = {
        (cell["label"], cell["indicator"]): cell
        for cell in rows.drop_duplicates(["label", "indicator"]).to_dict("records")
    }
    z: list[list[int | None]] = []
    hover: list[list[str]] = []
    text: list[list[str]] = []
    for label in labels:
        z_row, hover_row, text_row = [], [], []
        for indicator_id in indicator_ids:
            indicator = INDICATORS_BY_ID[indicator_id]
            cell = cells.get((label, indicator_id))
            if cell is None:
                z_row.append(None)
                hover_row.append("")
                text_row.append("")
                continue
            status = clean(cell["status"])
            z_row.append(STATUS_CODES[status])
            hover_row.append(_hover(label, indicator, cell, status))
            has_value = clean(cell["value"]) is not None
            text_row.append(cell_text(indicator, cell["value"]) if has_value else "")
        z.append(z_row)
        hover.append(hover_row)
        text.append(text_row)
    # Fifteen indicators' names do not fit across a projector's width upright: the
    # columns show numbers, their names in :func:`column_key` beside the chart, in every
    # cell's hover and in the chart's data table; a slanted header is not read from the
    # back of a room.
    x = [INDICATORS_BY_ID[i].short for i in indicator_ids]
    numbers = [str(n) for n in range(1, len(indicator_ids) + 1)]
    y = axis_labels(labels, HEAT_LABEL_LIMIT)
    fig = go.Figure(
        go.Heatmap(
            z=z,
            x=x,
            y=y,
            zmin=-0.5,
            zmax=3.5,
            colorscale=_discrete_scale(),
            showscale=False,
            customdata=hover,
            hovertemplate="%{customdata}<extra></extra>",
            # The values stay in the figure (its data table reads them) when too many
            # rows leave no room to print them.
            text=text,
            texttemplate="%{text}" if show_values else None,
            # Black reads on every status colour (:data:`TEXT_ON`); plotly's own choice
            # puts white on the green and the red.
            textfont={"size": HEAT_FONT_SIZE, "color": TEXT_ON[None]},
            xgap=2,
            ygap=2,
            hoverongaps=False,
        )
    )
    for status in (*Status, None):
        fig.add_scatter(
            x=[None],
            y=[None],
            mode="markers",
            marker={"symbol": "square", "size": 16, "color": STATUS_COLOURS[status]},
            name=STATUS_WORDS[status],
            showlegend=True,
            hoverinfo="skip",
        )
    tick = {"size": HEAT_FONT_SIZE}
    fig.update_xaxes(
        side="top",
        tickangle=0,
        automargin=True,
        showgrid=False,
        tickfont=tick,
        tickvals=x,
        ticktext=numbers,
    )
    fig.update_yaxes(autorange="reversed", automargin=True, showgrid=False, tickfont=tick)
    # A row of two-line labels (:func:`wrapped`) needs room for both lines.
    row = 40 if any("<br>" in label for label in y) else 30
    fig = charts.themed(fig, title, subtitle, height=min(190 + row * len(labels), 8000))
    # The legend at the foot; above the cells only the title and the numbered headers
    # (no room kept for slanted ones).
    fig.update_layout(
        legend={
            "orientation": "h",
            "x": 0,
            "xanchor": "left",
            "y": 0,
            "yanchor": "bottom",
            "yref": "container",
            "font": {"size": HEAT_FONT_SIZE},
        },
        margin={"t": 110, "b": 50},
        plot_bgcolor="#FFFFFF",
    )
    return fig


def cell_text(indicator: Indicator, value: object) -> str:
    """A value compact enough for a heatmap cell: whole percent, one decimal otherwise."""
    v = float(value)
    return formatting.number(v, 0) if indicator.is_percent else formatting.number(v, 1)


def _discrete_scale() -> list[list[object]]:
    """Plotly's colour scale as steps: each status code gets exactly its colour."""
    scale: list[list[object]] = []
    for status, code in STATUS_CODES.items():
        color = STATUS_COLOURS[status]
        scale.append([code / 4, color])
        scale.append([(code + 1) / 4, color])
    return scale


def _hover(label: str, indicator: Indicator, cell: dict, status: str | None) -> str:
    value = shown(indicator, cell["value"])
    fraction = formatting.fraction(indicator, clean(cell["numerator"]), clean(cell["denominator"]))
    target = clean(cell["target"])
    lines = [
        f"<b>{charts.plot_text(label)}</b>",
        charts.plot_text(indicator.name),
        f"{value} — {fraction}" if clean(cell["value"]) is not None else "нет данных",
    ]
    if target is not None:
        lines.append(
            f"цель {formatting.target_value(indicator, float(target))}: {STATUS_WORDS[status]}"
        )
    return "<br>".join(lines)


def status_css(status: str | None) -> str:
    """The CSS of a scorecard cell in ``status``'s colour."""
    return f"background-color: {STATUS_COLOURS[status]}; color: {TEXT_ON[status]}"


def styled(table: pd.DataFrame, statuses: pd.DataFrame) -> Styler:
    """``table`` with each cell of ``statuses``' columns in its status colour; other
    columns stay plain. ``statuses`` has ``table``'s index and holds status codes."""
    return with_styles(table, cell_styles(table, statuses))


def cell_styles(table: pd.DataFrame, statuses: pd.DataFrame) -> pd.DataFrame:
    """The CSS of each cell of :func:`styled` (a frame shaped as ``table``): what a
    cached table keeps to be styled again without working it out."""
    css = pd.DataFrame("", index=table.index, columns=table.columns)
    for column in statuses.columns:
        css[column] = [status_css(clean(s)) for s in statuses[column]]
    return css


def with_styles(table: pd.DataFrame, css: pd.DataFrame) -> Styler:
    """``table`` (text only) styled cell by cell with ``css`` (:func:`cell_styles`).

    ``st.dataframe`` sends a Styler's formatted values beside its data, assigning them
    column by column into a copy of the table wherever a rendered body cell has an id;
    with pyarrow-backed strings that cost 2 ms a column, 30 ms of server time for a
    scorecard of two rows. Every cell here is already the text shown, so the rendering
    drops those ids and the copy goes out as the table's own text. The colours are
    unaffected: Streamlit sends them as CSS by each cell's row and column. (Streamlit
    recognises a Styler by its exact class, so this is done on the instance.)"""
    styler = table.style.apply(lambda _: css, axis=None)
    render = styler._translate

    def text_only(*args: Any, **kwargs: Any) -> dict[str, Any]:
        rendered = render(*args, **kwargs)
        for row in rendered["body"]:
            for cell in row:
                if cell.get("type") == "td":
                    cell.pop("id", None)
        return rendered

    styler._translate = text_only  # type: ignore[method-assign]
    return styler


def column_key(indicator_ids: Sequence[str]) -> str:
    """The names of :func:`status_heatmap`'s numbered columns as HTML: «1 — Представили
    данные · 2 — …», each number and its name on one line, never a number at one line's
    end and its name on the next (fixed text, no user data)."""
    names = (INDICATORS_BY_ID[i].short for i in indicator_ids)
    entries = (
        f'<span class="column-key" style="white-space:nowrap"><b>{n}</b> — {name}</span>'
        for n, name in enumerate(names, 1)
    )
    return "Столбцы: " + "\u00a0· ".join(entries)


def legend_html() -> str:
    """The colour legend as a caption (fixed text, no user data)."""
    squares = []
    for status in (*Status, None):
        color = STATUS_COLOURS[status]
        squares.append(
            f'<span style="display:inline-block;width:0.9em;height:0.9em;'
            f'background:{color};vertical-align:middle;margin-right:0.3em"></span>'
            f"{STATUS_WORDS[status]}"
        )
    return (
        "Цвета: "
        + " · ".join(squares)
        + ". «Близко к цели» — не ниже 80\u00a0% цели (для нагрузки на наставника, где "
        "меньше — лучше: не выше 125\u00a0% цели); красный — дальше от цели; серый — "
        "показатель не рассчитан (нет ответов или знаменатель равен нулю)."
    )


def shortfall_table(rows: pd.DataFrame, indicator_id: str) -> pd.DataFrame:
    """The organisations (engine rows of the organisation level) that miss an indicator,
    largest gap first: ready to send to curators."""
    indicator = INDICATORS_BY_ID[indicator_id]
    missed = _missed(rows, indicator_id)
    with_districts = missed["district"].notna().any()
    table = pd.DataFrame(
        {
            "Организация": missed["organization"].astype(str).tolist(),
            "ИНН": [str(v) if clean(v) else "" for v in missed["inn"]],
            "Муниципалитет": missed["municipality"].astype(str).tolist(),
        }
    )
    if with_districts:
        table["Район"] = [str(v) if clean(v) else "" for v in missed["district"]]
    table["Значение"] = [shown(indicator, v) for v in missed["value"]]
    table["Из чего"] = [
        formatting.fraction(indicator, clean(n), clean(d))
        for n, d in zip(missed["numerator"], missed["denominator"], strict=True)
    ]
    table["Цель"] = [formatting.target_bound(indicator, float(t)) for t in missed["target"]]
    table["Отставание"] = [gap_text(indicator, g) for g in missed["gap"]]
    table["Статус"] = [STATUS_WORDS[clean(s)] for s in missed["status"]]
    return table


def shortfall_export(
    rows: pd.DataFrame, indicator_id: str
) -> tuple[pd.DataFrame, dict[str, list[str]], list[str | None]]:
    """:func:`shortfall_table` for XLSX and CSV: numbers as numbers (value, numerator,
    denominator, target, gap), with the per-row formats and status codes of its rows."""
    indicator = INDICATORS_BY_ID[indicator_id]
    missed = _missed(rows, indicator_id)
    table = shortfall_table(rows, indicator_id)
    numbers, formats = exports.indicator_columns(
        indicator, missed["value"], missed["numerator"], missed["denominator"], missed["target"]
    )
    names = table.drop(columns=["Значение", "Из чего", "Цель", "Отставание", "Статус"])
    frame = names.assign(
        **numbers,
        Отставание=[clean(g) for g in missed["gap"]],
        Статус=table["Статус"],
    )
    formats["Отставание"] = [exports.gap_format(indicator)] * len(frame)
    return frame, formats, [clean(s) for s in missed["status"]]


def _missed(rows: pd.DataFrame, indicator_id: str) -> pd.DataFrame:
    """The organisations that miss an indicator, largest gap first."""
    missed = rows[(rows["indicator"] == indicator_id) & rows["deficit"]]
    return missed.sort_values(
        ["gap", "municipality", "organization"], ascending=[False, True, True], kind="stable"
    )


def indicator_order(ids: Iterable[str]) -> list[str]:
    """``ids`` in the catalogue's order."""
    wanted = set(ids)
    return [i.id for i in INDICATORS if i.id in wanted]


def axis_range(indicator: Indicator, values: Iterable[float]) -> list[float]:
    """A y range from zero that fits the values and the target (shares up to 100)."""
    finite = [float(v) for v in values if clean(v) is not None and math.isfinite(float(v))]
    top = max([*finite, indicator.target, 0.0]) * 1.12
    if indicator.is_percent:
        top = min(max(top, 10.0), 105.0)
    return [0.0, top or 1.0]
