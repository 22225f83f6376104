"""Динамика: indicators across periods. What improved and what worsened since the
previous period, every indicator of the filtered scope period by period against its
target, and one indicator's path in each territory."""

from __future__ import annotations

import math

import pandas as pd
import plotly.graph_objects as go
import streamlit as st
from plotly.colors import qualitative

from analytics.documents import exports
from analytics.model import legend
from analytics.model.catalogue import INDICATORS, INDICATORS_BY_ID, Indicator
from analytics.model.legend import Status
from analytics.model.levels import Level
from analytics.model.periods import period_label, previous_period
from analytics.wording import formatting
from ui import charts, matrix, plan_view, ranking
from ui.page import Breakdown, Page, guarded, page, with_filters
from ui.tables import fitted, table_downloads
from ui.text import md

UP, DOWN = "▲", "▼"
IMPROVED, WORSENED, UNCHANGED = "улучшилось", "ухудшилось", "без изменений"
CHANGE_COLUMN = "Изменение"
LINE_COLORS = qualitative.Safe
GRID_COLUMNS = 3


def body() -> None:
    ctx = page("Динамика", ":material/trending_up:")
    f = ctx.filters
    if f.period is None:
        st.warning("В базе пока нет данных мониторинга. Загрузите файлы на странице «Данные».")
        return
    st.caption(md(ctx.caption()))
    if f.org_id is not None:
        st.info(
            f"Выбрана организация «{md(ctx.org_name(f.org_id))}»: здесь динамика "
            "территорий по всем их организациям. Динамика самой организации по периодам — "
            "на странице «Организация».",
            icon=":material/filter_alt:",
        )
    levels, hidden = _levels(ctx)
    # One read for the totals and every territory level offered: each read is a pass over
    # the forms of every period (0.6 s at country scale), and a switch of level is free.
    wanted = (Level.TOTAL, *(split.level for split in levels))
    frame = ctx.indicators(f.scope(all_periods=True, levels=wanted))
    total = frame[frame["level"] == Level.TOTAL]
    with_data = [p for p in ctx.periods if total.loc[total["period"] == p, "value"].notna().any()]
    if not with_data:
        st.warning(
            "Для выбранных фильтров нет данных ни за один период. Измените территорию или "
            "тип ОО в фильтрах слева."
        )
        return
    if len(with_data) == 1:
        st.info(
            f"Данные под выбранными фильтрами есть только за один период — "
            f"{period_label(with_data[0])}, сравнивать не с чем. Динамика появится, когда "
            "будут загружены данные за следующий период (страница «Данные»)."
        )
        plan_view.section(ctx)
        return
    _changes(ctx, total)
    _overview(ctx, total, with_data)
    _territories(ctx, frame, levels, hidden, with_data)
    plan_view.section(ctx)


CHANGE_WORDS: dict[legend.Change, str] = {
    legend.Change.IMPROVED: IMPROVED,
    legend.Change.WORSENED: WORSENED,
    legend.Change.UNCHANGED: UNCHANGED,
}


def direction(indicator: Indicator, delta: float) -> str:
    """Whether a change is for the better (the legend's verdict), in this page's words."""
    return CHANGE_WORDS[legend.change_of(0.0, delta, indicator.better)]


def change_text(indicator: Indicator, delta: float) -> str:
    """``▲ +4,2 п. п.``: the arrow shows where the value went, not whether it is better."""
    if round(delta, 1) == 0:
        return formatting.indicator_difference(indicator, 0.0)
    arrow = UP if delta > 0 else DOWN
    return f"{arrow} {formatting.indicator_difference(indicator, delta)}"


def changes(total: pd.DataFrame, period: str, previous: str) -> pd.DataFrame:
    """One row per indicator with values in both periods: the values, the change and
    whether it is an improvement, the current target and status."""
    now = total[total["period"] == period].set_index("indicator")
    before = total[total["period"] == previous].set_index("indicator")
    records = []
    for indicator in INDICATORS:
        if indicator.id not in now.index or indicator.id not in before.index:
            continue
        value = matrix.clean(now.loc[indicator.id, "value"])
        old = matrix.clean(before.loc[indicator.id, "value"])
        if value is None or old is None:
            continue
        delta = float(value) - float(old)
        records.append(
            {
                "indicator": indicator.id,
                "before": float(old),
                "value": float(value),
                "delta": delta,
                "direction": direction(indicator, delta),
                # Progress relative to the target, to rank mixed units together.
                "weight": abs(delta) / indicator.target if indicator.target else abs(delta),
                "target": now.loc[indicator.id, "target"],
                "status": matrix.clean(now.loc[indicator.id, "status"]),
            }
        )
    columns = ["indicator", "before", "value", "delta", "direction", "weight", "target", "status"]
    return pd.DataFrame(records, columns=columns)


def change_table(rows: pd.DataFrame, period: str, previous: str, heading: str) -> pd.DataFrame:
    """The changes as people read them, the largest (relative to the target) first; the
    first column is headed ``heading`` («Что улучшилось»)."""
    rows = rows.sort_values("weight", ascending=False, kind="stable")
    indicators = [INDICATORS_BY_ID[i] for i in rows["indicator"]]
    return pd.DataFrame(
        {
            heading: [i.name for i in indicators],
            period_label(previous): [
                formatting.indicator_value(i, v)
                for i, v in zip(indicators, rows["before"], strict=True)
            ],
            period_label(period): [
                formatting.indicator_value(i, v)
                for i, v in zip(indicators, rows["value"], strict=True)
            ],
            CHANGE_COLUMN: [
                change_text(i, d) for i, d in zip(indicators, rows["delta"], strict=True)
            ],
            "Цель": [
                formatting.target_bound(i, float(t))
                for i, t in zip(indicators, rows["target"], strict=True)
            ],
            "Статус": [legend.label_of(s) for s in rows["status"]],
        }
    )


def _changes(ctx: Page, total: pd.DataFrame) -> None:
    period = ctx.filters.period
    previous = previous_period(period, ctx.periods)
    st.subheader("Что изменилось")
    if previous is None:
        st.info(
            f"{period_label(period)} — первый период в базе, сравнивать не с чем. Выберите в "
            "фильтре «Период» слева более поздний период."
        )
        return
    rows = changes(total, period, previous)
    if rows.empty:
        st.info(
            f"За {period_label(previous)} под выбранными фильтрами нет значений показателей, "
            "поэтому сравнение недоступно. Выберите другой период или измените фильтры."
        )
        return
    counts = rows["direction"].value_counts()

    def indicators(n: int) -> str:
        return formatting.count(n, "показатель", "показателя", "показателей")

    improved, worsened = int(counts.get(IMPROVED, 0)), int(counts.get(WORSENED, 0))
    st.markdown(
        f"{md(ctx.caption())}, в сравнении с предыдущим периодом "
        f"({period_label(previous)}): "
        f"{formatting.plural(improved, 'улучшился', 'улучшились', 'улучшились')} "
        f"**{indicators(improved)}**, "
        f"{formatting.plural(worsened, 'ухудшился', 'ухудшились', 'ухудшились')} "
        f"**{indicators(worsened)}**, "
        f"без изменений — {indicators(int(counts.get(UNCHANGED, 0)))}."
    )
    for title, kind, key, empty in (
        ("Что улучшилось", IMPROVED, "improved", "ни один показатель не улучшился"),
        ("Что ухудшилось", WORSENED, "worsened", "ни один показатель не ухудшился"),
    ):
        part = rows[rows["direction"] == kind]
        if part.empty:
            st.markdown(f"**{title}:** {empty.lower()}")
            continue
        table = change_table(part, period, previous, title)
        st.dataframe(
            table,
            hide_index=True,
            width="stretch",
            key=f"{key}_table",
            **fitted(table, [title, "Статус"], height_limit=700),
        )
        ordered = part.sort_values("weight", ascending=False, kind="stable")
        indicators = [INDICATORS_BY_ID[i] for i in ordered["indicator"]]
        formats = [exports.value_format(i) for i in indicators]
        export = table.assign(
            **{
                period_label(previous): [exports.number_or_none(v) for v in ordered["before"]],
                period_label(period): [exports.number_or_none(v) for v in ordered["value"]],
                CHANGE_COLUMN: [exports.number_or_none(v) for v in ordered["delta"]],
                "Цель": [exports.number_or_none(v) for v in ordered["target"]],
            }
        )
        table_downloads(
            table,
            f"{title} — {period_label(period)} (предыдущий период {period_label(previous)})",
            ctx.export_context(),
            key,
            status_column="Статус",
            export=export,
            cell_formats={
                period_label(previous): formats,
                period_label(period): formats,
                CHANGE_COLUMN: [
                    exports.CHANGE_FORMAT if i.is_percent else exports.SIGNED_FORMAT
                    for i in indicators
                ],
                "Цель": formats,
            },
            statuses=list(ordered["status"]),
        )
    same = rows[rows["direction"] == UNCHANGED]
    if not same.empty:
        names = ", ".join(f"«{INDICATORS_BY_ID[i].short}»" for i in same["indicator"])
        st.caption(f"Без изменений: {names}.")
    missing = [i.short for i in INDICATORS if i.id not in set(rows["indicator"])]
    if missing:
        st.caption(
            "Нет значения хотя бы в одном из двух периодов: "
            + ", ".join(f"«{m}»" for m in missing)
            + "."
        )
    st.caption(
        f"{UP} — значение выросло, {DOWN} — снизилось; доли сравниваются в процентных пунктах "
        "(п. п.). Для нагрузки на наставника меньше — лучше: её рост — ухудшение."
    )


def overview_chart(total: pd.DataFrame, periods: list[str], title: str, subtitle: str) -> go.Figure:
    """Small multiples: each indicator's value per period as bars in its status colour,
    its target as a dashed line."""
    ids = [i.id for i in INDICATORS if total.loc[total["indicator"] == i.id, "value"].notna().any()]
    rows_count = math.ceil(len(ids) / GRID_COLUMNS)
    layout = subplot_grid(
        rows_count,
        GRID_COLUMNS,
        [INDICATORS_BY_ID[i].short for i in ids],
        vertical_spacing=0.5 / max(rows_count, 1) / 2,
        horizontal_spacing=0.06,
    )
    labels = [period_label(p) for p in periods]
    traces: list[dict] = []
    for n, indicator_id in enumerate(ids):
        indicator = INDICATORS_BY_ID[indicator_id]
        rows = total[total["indicator"] == indicator_id].set_index("period")
        values = [matrix.clean(rows["value"].get(p)) for p in periods]
        statuses = [matrix.clean(rows["status"].get(p)) for p in periods]
        targets = [matrix.clean(rows["target"].get(p)) for p in periods]
        hover = [
            "<br>".join(
                [
                    f"<b>{charts.plot_text(indicator.short)}</b>, {label}",
                    f"{matrix.shown(indicator, v)} — "
                    + formatting.fraction(
                        indicator,
                        matrix.clean(rows["numerator"].get(p)),
                        matrix.clean(rows["denominator"].get(p)),
                    ),
                    f"цель {formatting.target_value(indicator, float(t))}: {legend.label_of(s)}"
                    if t is not None
                    else "",
                ]
            )
            for label, p, v, s, t in zip(labels, periods, values, statuses, targets, strict=True)
        ]
        axes = {"xaxis": f"x{n + 1 if n else ''}", "yaxis": f"y{n + 1 if n else ''}"}
        traces.append(
            {
                "type": "bar",
                "x": labels,
                "y": values,
                "marker": {"color": [legend.STATUS_COLOURS[s] for s in statuses]},
                "text": [matrix.shown(indicator, v) if v is not None else "" for v in values],
                "textposition": "auto",
                "hovertext": hover,
                "hoverinfo": "text",
                "showlegend": False,
                **axes,
            }
        )
        traces.append(
            {
                "type": "scatter",
                "x": labels,
                "y": targets,
                "mode": "lines+markers",
                "line": {"dash": "dash", "color": legend.TARGET_CSS, "width": 2},
                "marker": {"size": 6},
                "name": "Цель",
                "legendgroup": "target",
                "showlegend": n == 0,
                "hovertemplate": (
                    f"цель: %{{y}}{' %' if indicator.is_percent else ''}<extra></extra>"
                ),
                **axes,
            }
        )
        layout[f"yaxis{n + 1 if n else ''}"]["range"] = matrix.axis_range(
            indicator, [*values, *targets]
        )
    for annotation in layout["annotations"]:
        annotation["font"] = {"size": 14}
    for name, axis in layout.items():
        if name.startswith(("xaxis", "yaxis")):
            axis["tickfont"] = {"size": 12}
    # One figure from whole dicts: adding 30 traces and 15 axis ranges one by one to a
    # make_subplots figure cost 0.3 s at every cold start.
    fig = go.Figure(data=traces, layout=layout)
    fig = charts.themed(fig, title, subtitle, height=150 + 280 * rows_count)
    fig.update_layout(
        legend={"orientation": "h", "x": 1, "xanchor": "right", "y": 1.0, "yanchor": "bottom"},
        margin={"t": 130},
        bargap=0.35,
    )
    return fig


def subplot_grid(
    rows: int,
    columns: int,
    titles: list[str],
    vertical_spacing: float,
    horizontal_spacing: float,
) -> dict:
    """The layout ``plotly.subplots.make_subplots`` gives a ``rows`` × ``columns`` grid
    filled from the top left, as a dict and to the last digit: the axes ``xaxis``,
    ``xaxis2``, … with their domains and anchors, and each cell's title above it."""
    width = (1.0 - horizontal_spacing * (columns - 1)) / columns
    height = (1.0 - vertical_spacing * (rows - 1)) / rows
    layout: dict = {"annotations": []}
    for cell in range(rows * columns):
        row, column = divmod(cell, columns)
        left = sum([width] * column) + column * horizontal_spacing
        above = rows - 1 - row  # rows below this one: the grid is filled from the top
        bottom = sum([height] * above) + above * vertical_spacing
        # make_subplots' rounding of values a hair outside the page.
        x = [left, left + width]
        y = [min(max(bottom, 0.0), 1.0), min(max(bottom + height, 0.0), 1.0)]
        suffix = str(cell + 1) if cell else ""
        layout[f"xaxis{suffix}"] = {"anchor": f"y{suffix}", "domain": x}
        layout[f"yaxis{suffix}"] = {"anchor": f"x{suffix}", "domain": y}
        if cell < len(titles):
            layout["annotations"].append(
                {
                    "font": {"size": 16},
                    "showarrow": False,
                    "text": titles[cell],
                    "x": sum(x) / 2.0,
                    "xanchor": "center",
                    "xref": "paper",
                    "y": y[1],
                    "yanchor": "bottom",
                    "yref": "paper",
                }
            )
    return layout


# The columns the charts draw from: a cached chart is keyed on these alone.
OVERVIEW_COLUMNS = ("indicator", "period", "value", "numerator", "denominator", "target", "status")
TERRITORY_COLUMNS = ("label", "period", "value", "numerator", "denominator", "target")


@st.cache_data(show_spinner=False, max_entries=64)
def _overview_spec(
    total: pd.DataFrame, periods: list[str], title: str, subtitle: str
) -> charts.Spec:
    """:func:`overview_chart`, built once for every session that draws the same values."""
    return overview_chart(total, periods, title, subtitle).to_plotly_json()


@st.cache_data(show_spinner=False, max_entries=64)
def _territory_spec(
    rows: pd.DataFrame, indicator_id: str, periods: list[str], title: str, subtitle: str
) -> charts.Spec:
    """:func:`territory_chart`, built once for every session that draws the same values."""
    indicator = INDICATORS_BY_ID[indicator_id]
    return territory_chart(rows, indicator, periods, title, subtitle).to_plotly_json()


def _overview(ctx: Page, total: pd.DataFrame, periods: list[str]) -> None:
    st.subheader("Все показатели по периодам")
    title = "Показатели по периодам"
    subtitle = ctx.caption(with_filters(ctx.filters, period=None))
    fig = _overview_spec(total[list(OVERVIEW_COLUMNS)], periods, title, subtitle)
    charts.show(fig, title, key="overview")
    st.caption(
        "Столбцы окрашены по статусу в своём периоде, пунктир — цель. " + matrix.legend_html(),
        unsafe_allow_html=True,
    )


def territory_chart(
    rows: pd.DataFrame, indicator: Indicator, periods: list[str], title: str, subtitle: str
) -> go.Figure:
    """A line per territory across the periods, the target dashed."""
    labels = [period_label(p) for p in periods]
    cells = {
        (unit, period): (value, numerator, denominator)
        for unit, period, value, numerator, denominator in zip(
            rows["label"],
            rows["period"],
            rows["value"],
            rows["numerator"],
            rows["denominator"],
            strict=True,
        )
    }
    empty = (None, None, None)
    traces: list[dict] = []
    plotted: list[float] = []
    for n, unit in enumerate(dict.fromkeys(rows["label"])):
        found = [[matrix.clean(x) for x in cells.get((unit, p), empty)] for p in periods]
        values = [value for value, _, _ in found]
        plotted += [float(v) for v in values if v is not None]
        hover = [
            f"<b>{charts.plot_text(unit)}</b>, {period}<br>"
            f"{matrix.shown(indicator, value)} — "
            + formatting.fraction(indicator, numerator, denominator)
            for period, (value, numerator, denominator) in zip(labels, found, strict=True)
        ]
        traces.append(
            {
                "type": "scatter",
                "x": labels,
                "y": values,
                "mode": "lines+markers",
                "name": charts.plot_text(matrix.shorten(unit, 36)),
                "line": {"color": LINE_COLORS[n % len(LINE_COLORS)], "width": 3},
                "marker": {"size": 9},
                "hovertext": hover,
                "hoverinfo": "text",
                "connectgaps": False,
            }
        )
    targets = rows.drop_duplicates("period").set_index("period")["target"].reindex(periods).tolist()
    traces.append(
        {
            "type": "scatter",
            "x": labels,
            "y": targets,
            "mode": "lines",
            "name": "Цель",
            "line": {"dash": "dash", "color": legend.TARGET_CSS, "width": 3},
            "hoverinfo": "skip",
        }
    )
    axis = {
        "title": {"text": "%" if indicator.is_percent else indicator.unit},
        "range": matrix.axis_range(indicator, [*plotted, *[t for t in targets if pd.notna(t)]]),
    }
    # One figure from whole dicts: a line per region added one by one cost 0.3 s.
    fig = go.Figure(data=traces, layout={"yaxis": axis})
    fig = charts.themed(fig, title, subtitle, height=520)
    fig.update_layout(legend={"orientation": "v", "x": 1.02, "y": 1, "yanchor": "top"})
    return fig


def territory_table(
    rows: pd.DataFrame, indicator: Indicator, periods: list[str], period: str
) -> pd.DataFrame:
    """Territories × periods, and the change into ``period`` from the one before it."""
    previous = previous_period(period, periods)
    units = list(dict.fromkeys(rows["label"]))
    table = pd.DataFrame({"Территория": units})
    values = rows.pivot_table(index="label", columns="period", values="value", aggfunc="first")
    for p in periods:
        column = values[p] if p in values.columns else pd.Series(dtype=float)
        table[period_label(p)] = [matrix.shown(indicator, column.get(u)) for u in units]
    if previous is not None and period in values.columns and previous in values.columns:
        pairs = [
            (matrix.clean(values.loc[u, period]), matrix.clean(values.loc[u, previous]))
            if u in values.index
            else (None, None)
            for u in units
        ]
        deltas = [None if v is None or o is None else float(v) - float(o) for v, o in pairs]
        table[CHANGE_COLUMN] = ["—" if d is None else change_text(indicator, d) for d in deltas]
        table["Оценка"] = ["—" if d is None else direction(indicator, d) for d in deltas]
    return table


ASSESSMENT_COLORS = {
    IMPROVED: legend.STATUS_COLOURS[Status.GREEN],
    WORSENED: legend.STATUS_COLOURS[Status.RED],
}


def _assessed(table: pd.DataFrame) -> object:
    """The table with its assessment column in green (better) or red (worse) type."""
    if "Оценка" not in table.columns:
        return table
    return table.style.map(
        lambda v: (
            f"color: {ASSESSMENT_COLORS[v]}; font-weight: bold" if v in ASSESSMENT_COLORS else ""
        ),
        subset=["Оценка"],
    )


def _levels(ctx: Page) -> tuple[list[Breakdown], list[tuple[Breakdown, int]]]:
    """The territory levels the page compares, and those it leaves for a narrower filter
    with their numbers of territories (:func:`ui.matrix.readable_levels`)."""
    f = ctx.filters
    levels = matrix.territory_levels(f, ctx.hierarchy)
    if not levels:
        return [], []
    # A line per territory: 2,500 municipalities are no chart.
    return matrix.readable_levels(levels, matrix.scoped_hierarchy(f, ctx.hierarchy))


def _territories(
    ctx: Page,
    frame: pd.DataFrame,
    levels: list[Breakdown],
    hidden: list[tuple[Breakdown, int]],
    periods: list[str],
) -> None:
    """One indicator's path in each territory of a level; ``frame`` holds the indicator
    values of ``levels`` for every period."""
    st.subheader("По территориям")
    f = ctx.filters
    if not levels:
        return
    for split, count in hidden:
        st.caption(
            f"{matrix.LEVEL_NAMES[split.level]} ({formatting.integer(count)}) сравниваются "
            "после выбора региона или муниципалитета в боковой панели."
        )
    names = [matrix.LEVEL_NAMES[s.level] for s in levels]
    left, right = st.columns([1, 2])
    matrix.forget_invalid("dyn_level", names)
    with left:
        chosen = (
            st.radio(
                "Территории",
                names,
                index=matrix.default_level(f, ctx.hierarchy, levels),
                horizontal=True,
                key="dyn_level",
            )
            if len(names) > 1
            else names[0]
        )
    with right:
        indicator_id = st.selectbox(
            "Показатель",
            [i.id for i in INDICATORS],
            index=[i.id for i in INDICATORS].index(ranking.first_deficit(ctx)),
            format_func=lambda i: INDICATORS_BY_ID[i].name,
            key="dyn_indicator",
        )
    split: Breakdown = levels[names.index(chosen)]
    indicator = INDICATORS_BY_ID[indicator_id]
    rows = matrix.unit_rows(frame[frame["indicator"] == indicator_id], split)
    rows = rows[rows["period"].isin(periods)]
    if rows["value"].isna().all():
        st.info(
            f"По показателю «{indicator.name}» нет значений {split.title}. Выберите другой "
            "показатель или измените фильтры."
        )
        return
    title = f"{indicator.short} {split.title}: динамика"
    subtitle = ctx.caption(with_filters(f, period=None))
    fig = _territory_spec(rows[list(TERRITORY_COLUMNS)], indicator.id, periods, title, subtitle)
    charts.show(fig, title, key="territory_lines")
    table = territory_table(rows, indicator, periods, f.period)
    st.dataframe(
        _assessed(table),
        hide_index=True,
        width="stretch",
        key="territory_table",
        **fitted(table, [table.columns[0]], height_limit=600),
    )
    table_downloads(table, title, ctx.export_context(), "territory_dynamics")


guarded(body)
