"""«План и факт» on the dynamics page: an indicator's planned values (its target
trajectory) for the territory of the filters against the actual values, the linear
projection's verdict, and the small form that sets or removes a planned value (kept
apart, so that access control can gate it)."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from analytics.compute.trajectories import (
    ALL_TERRITORIES,
    PlanError,
    project,
    territory_of,
)
from analytics.model.catalogue import INDICATORS, INDICATORS_BY_ID, Indicator
from analytics.model.levels import Level
from analytics.model.periods import period_label
from analytics.wording import formatting

from . import charts, matrix, ranking
from .page import Page
from .text import md

PLAN_COLOR = "#CC79A7"
ACTUAL_COLOR = "#0072B2"


def plan_table(series: pd.DataFrame, indicator: Indicator) -> pd.DataFrame:
    """Period by period: the plan, the actual value, the deviation, whether it was met."""
    return pd.DataFrame(
        {
            "Период": [period_label(p) for p in series["period"]],
            "План": [matrix.shown(indicator, v) for v in series["planned"]],
            "Факт": [matrix.shown(indicator, v) for v in series["actual"]],
            "Отклонение": [
                "—" if matrix.clean(d) is None else formatting.indicator_difference(indicator, d)
                for d in series["difference"]
            ],
            "План выполнен": [
                "—" if m is None or pd.isna(m) else ("да" if m else "нет") for m in series["met"]
            ],
        }
    )


def plan_chart(
    series: pd.DataFrame, indicator: Indicator, projected: tuple[str, float] | None, title: str
) -> go.Figure:
    """The actual values as a solid line, the plan dashed, the projection dotted from the
    latest actual value to the plan's last period."""
    labels = [period_label(p) for p in series["period"]]
    actual_text = [
        matrix.shown(indicator, v) if matrix.clean(v) is not None else "" for v in series["actual"]
    ]
    fig = go.Figure()
    fig.add_scatter(
        x=labels,
        y=[matrix.clean(v) for v in series["actual"]],
        mode="lines+markers+text",
        name="Факт",
        line={"color": ACTUAL_COLOR, "width": 3},
        marker={"size": 10},
        text=actual_text,
        textposition="top center",
        connectgaps=True,
    )
    fig.add_scatter(
        x=labels,
        y=[matrix.clean(v) for v in series["planned"]],
        mode="lines+markers",
        name="План",
        line={"color": PLAN_COLOR, "width": 3, "dash": "dash"},
        marker={"size": 9, "symbol": "diamond"},
        connectgaps=True,
    )
    if projected is not None:
        actual = series[series["actual"].notna()]
        period, value = projected
        fig.add_scatter(
            x=[period_label(actual["period"].iloc[-1]), period_label(period)],
            y=[float(actual["actual"].iloc[-1]), value],
            mode="lines",
            name="Прогноз по тренду",
            line={"color": ACTUAL_COLOR, "width": 2, "dash": "dot"},
        )
    values = [v for v in [*series["actual"], *series["planned"]] if matrix.clean(v) is not None]
    fig.update_xaxes(type="category", categoryorder="array", categoryarray=labels)
    fig.update_yaxes(
        title="%" if indicator.is_percent else indicator.unit,
        range=matrix.axis_range(indicator, [float(v) for v in values]),
    )
    return charts.themed(fig, title, "", height=460)


def section(ctx: Page) -> None:
    """The plan-and-actual section for the territory of the filters."""
    st.subheader("План и факт")
    f = ctx.filters
    level, territory = territory_of(f.region_id, f.municipality_id, f.district_id)
    place = ctx.view.territory_name(level, territory)
    if place == ALL_TERRITORIES:  # mid-sentence, not a table cell
        place = place.lower()
    ids = [i.id for i in INDICATORS]
    indicator_id = st.selectbox(
        "Показатель",
        ids,
        index=ids.index(ranking.first_deficit(ctx)),
        format_func=lambda i: INDICATORS_BY_ID[i].name,
        key="plan_indicator",
    )
    indicator = INDICATORS_BY_ID[indicator_id]
    series = ctx.cached.plan_vs_actual(indicator_id, f.scope())
    st.caption(f"Плановые значения (целевая траектория) территории из фильтров слева: {md(place)}.")
    if series["planned"].notna().any():
        projection = project(series, indicator)
        projected = (
            (str(projection.target_period), float(projection.projected))
            if projection.projected is not None
            else None
        )
        title = f"{indicator.short}: план и факт — {place}"
        charts.show(plan_chart(series, indicator, projected, title), title, key="plan_chart")
        st.dataframe(plan_table(series, indicator), hide_index=True, key="plan_table")
        st.markdown(md(projection.text))
    else:
        st.info(
            f"Для показателя «{indicator.name}» ({place}) плановые значения не заданы. "
            "Задайте их ниже, например 54 % на 2022 год, 75 % на 2023 год и 100 % на 2024 год."
        )
    if ctx.principal.can_write:
        _plan_form(ctx, indicator, level, territory, series)


def _plan_form(
    ctx: Page, indicator: Indicator, level: Level, territory: int, series: pd.DataFrame
) -> None:
    """Set a planned value for a period, or remove one."""
    with st.expander("Задать или удалить плановое значение", icon=":material/edit:"):
        with st.form("plan_form"):
            left, right = st.columns(2)
            period = left.text_input("Период (например, 2024 или 2024/2025)", key="plan_period")
            value = right.number_input(
                f"План{', %' if indicator.is_percent else ''}",
                min_value=0.0,
                max_value=100.0 if indicator.is_percent else None,
                step=1.0,
                key="plan_value",
            )
            saved = st.form_submit_button("Сохранить план", type="primary")
        if saved:
            try:
                ctx.view.set_plan(indicator.id, period, value, level, territory)
            except PlanError as error:
                st.error(f"План не сохранён: {error}.")
                return
            st.rerun()
        planned = series.loc[series["planned"].notna(), "period"].tolist()
        if planned:
            with st.form("plan_remove_form"):
                chosen = st.selectbox(
                    "Удалить план на период", planned, format_func=period_label, key="plan_drop"
                )
                removed = st.form_submit_button("Удалить")
            if removed:
                ctx.view.remove_plan(indicator.id, chosen, level, territory)
                st.rerun()
