"""Показатели: one indicator across territories and organisations, with drill-down."""

from __future__ import annotations

from dataclasses import replace

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from analytics.documents import exports
from analytics.model import legend
from analytics.model.catalogue import INDICATORS, INDICATORS_BY_ID, Indicator
from analytics.model.levels import LEVEL_INFO, Level
from analytics.model.periods import period_label
from analytics.store.scope import Scope
from analytics.wording import formatting
from ui import charts, person_bases_view, places, ranking, state
from ui.page import (
    BREAKDOWNS,
    HASH_FUNCS,
    Breakdown,
    Filters,
    Page,
    apply_filters,
    drill,
    guarded,
    page,
    useful_breakdown,
    with_filters,
)
from ui.places import Source
from ui.tables import fitted, table_downloads
from ui.text import md


def _choose_indicator(ctx: Page) -> str:
    ids = [i.id for i in INDICATORS]
    wanted = st.query_params.get("ind")
    if st.session_state.get("indicator") not in ids:
        st.session_state["indicator"] = wanted if wanted in ids else ranking.first_deficit(ctx)
    chosen = st.selectbox(
        "Показатель",
        ids,
        key="indicator",
        format_func=lambda i: INDICATORS_BY_ID[i].name,
    )
    st.query_params["ind"] = chosen
    return chosen


def _breadcrumbs(ctx: Page) -> None:
    f = ctx.filters
    crumbs = [
        (
            "Все территории",
            with_filters(f, region_id=None, municipality_id=None, district_id=None, org_id=None),
        )
    ]
    for column, level_filters in (
        ("region", lambda: with_filters(f, municipality_id=None, district_id=None, org_id=None)),
        ("municipality", lambda: with_filters(f, district_id=None, org_id=None)),
        ("district", lambda: with_filters(f, org_id=None)),
    ):
        value = getattr(f, f"{column}_id")
        if value is not None:
            # Read only under a territory filter: the whole country's is 100,000 rows.
            h = ctx.places
            name = h.loc[h[f"{column}_id"] == value, column]
            crumbs.append((str(name.iloc[0]) if len(name) else "—", level_filters()))
    if len(crumbs) == 1:
        return
    columns = st.columns(len(crumbs) + 2)
    for n, (label, target) in enumerate(crumbs[:-1]):
        if columns[n].button(f"↑ {label}", key=f"crumb_{n}"):
            apply_filters(target)
    columns[len(crumbs) - 1].markdown(f"**{md(crumbs[-1][0])}**")


def body() -> None:
    ctx = page("Показатели", ":material/bar_chart:")
    f = ctx.filters
    if f.period is None:
        st.warning("В базе пока нет данных мониторинга. Загрузите файлы на странице «Данные».")
        return
    indicator_id = _choose_indicator(ctx)
    indicator = INDICATORS_BY_ID[indicator_id]
    st.caption(
        f"{indicator.description} Цель — {formatting.target_value(indicator, indicator.target)}"
        f" (по умолчанию); {'больше' if indicator.better == 'higher' else 'меньше'} — лучше."
    )
    _breadcrumbs(ctx)

    source = places.shared(ctx.source)
    scope = replace(f.scope(), indicators=(indicator_id,))
    total, split, rows = _figures(source, scope, replace(f, org_id=None))
    if total.empty or total["value"].isna().all():
        st.warning("Для выбранных фильтров нет данных по этому показателю. Измените фильтры.")
        return
    row = total.iloc[0]
    st.metric(
        f"{md(indicator.short)}: {md(ctx.caption())}",
        formatting.indicator_value(indicator, row["value"]),
        help=formatting.explanation(
            indicator, row["numerator"], row["denominator"], row["value"], row["target"]
        ),
    )
    st.markdown(
        md(
            formatting.explanation(
                indicator, row["numerator"], row["denominator"], row["value"], row["target"]
            )
        )
        + f" — {legend.label_of(row['status'])}"
    )
    if f.org_id is not None:
        _chosen_organisation(ctx, source, scope, indicator, split)

    title = f"{indicator.name} {split.title}"
    fig = _bars(source, scope, split, indicator_id, title, ctx.caption())
    # Widget keys carry the level: a selection made at one level must not survive the rerun
    # into the next level's chart or table, or one click would drill several levels down.
    event = charts.show(
        fig, title, key=f"bars_{split.level.value}", on_select="rerun", selection_mode="points"
    )
    _follow_bar_click(ctx, event, split.level)
    st.caption("Нажмите на столбец или строку таблицы, чтобы перейти на уровень ниже.")

    _ranking(ctx, rows, indicator_id, split.level)
    if split.level is not Level.ORGANIZATION:
        _distribution(ctx, source, scope, indicator_id, float(row["target"]))
    _registers(ctx)


def _chosen_organisation(
    ctx: Page, source: Source, scope: Scope, indicator: Indicator, split: Breakdown
) -> None:
    """The organisation chosen in the sidebar beside the figure of its territory above:
    the comparison below is of the territory's units, not narrowed to it."""
    org_id = ctx.filters.org_id
    name = md(ctx.org_name(org_id))
    own = state.cached(*source).indicators(
        replace(scope, levels=(Level.ORGANIZATION,), org_id=org_id)
    )
    own = own[(own["level"] == Level.ORGANIZATION) & own["value"].notna()]
    where = (
        "в рейтинге ниже она среди всех организаций фильтра"
        if split.level is Level.ORGANIZATION
        else f"ниже сравниваются {LEVEL_INFO[split.level].plural}, а не организации"
    )
    if own.empty:
        st.info(
            f"У выбранной организации «{name}» нет значения этого показателя за "
            f"{period_label(str(ctx.filters.period))}; {where}.",
            icon=":material/filter_alt:",
        )
        return
    row = own.iloc[0]
    value = formatting.explanation(
        indicator, row["numerator"], row["denominator"], row["value"], row["target"]
    )
    st.info(
        f"Выбранная организация «{name}»: {md(value)} — {legend.label_of(row['status'])}; {where}.",
        icon=":material/filter_alt:",
    )


# The levels compared above the organisations: read without the organisations (100,000
# rows at country), which are read only where the comparison comes down to them.
_TERRITORY_LEVELS = (Level.TOTAL, Level.REGION, Level.MUNICIPALITY, Level.DISTRICT)


@st.cache_data(show_spinner=False, max_entries=256, hash_funcs=HASH_FUNCS)
def _figures(
    source: Source, scope: Scope, filters: Filters
) -> tuple[pd.DataFrame, Breakdown, pd.DataFrame]:
    """The row of the whole ``scope``, the level compared under ``filters`` and its
    units' rows (:func:`unit_rows`): once per data version and role for every session,
    so a page view does not read the rows of every organisation of the country."""
    frame = state.cached(*source).indicators(replace(scope, levels=_TERRITORY_LEVELS))
    f = filters
    # The territories decide the level as the hierarchy would: a few thousand rows of
    # the same territory columns instead of the 100,000 organisations.
    territory = Scope(
        region_id=f.region_id, municipality_id=f.municipality_id, district_id=f.district_id
    ).keep(state.cached(*source).territories())
    split = useful_breakdown(f, territory, frame)
    if split.level is not Level.ORGANIZATION:
        units = frame
    else:
        units = state.cached(*source).indicators(_units_scope(scope, split))
    return frame[frame["level"] == Level.TOTAL], split, unit_rows(units, split)


def _units_scope(scope: Scope, split: Breakdown) -> Scope:
    """``scope`` narrowed to the levels that hold ``split``'s units."""
    if split.level is Level.ORGANIZATION:
        return replace(scope, levels=(Level.ORGANIZATION,))
    return replace(scope, levels=_TERRITORY_LEVELS)


def unit_rows(frame: pd.DataFrame, split: Breakdown) -> pd.DataFrame:
    """The engine's rows of ``split``'s units with their ``label`` and ``key``."""
    rows = frame[frame["level"] == split.level].copy()
    rows["label"] = rows[split.label]
    rows["key"] = rows[split.key]
    return rows.dropna(subset=["key"])


@st.cache_data(show_spinner=False, max_entries=1024, hash_funcs=HASH_FUNCS)
def _bars(
    source: Source, scope: Scope, split: Breakdown, indicator_id: str, title: str, subtitle: str
) -> charts.Spec:
    """The bars of ``split``'s units, built once for every session (keyed on what they are
    built from, cheaper to hash than the rows)."""
    rows = unit_rows(state.cached(*source).indicators(_units_scope(scope, split)), split)
    return charts.bars_spec(rows, indicator_id, title, subtitle)


def _follow_bar_click(ctx: Page, event: object, level: Level) -> None:
    points = getattr(getattr(event, "selection", None), "points", None) or []
    if points:
        key = points[0].get("customdata")
        if key is not None:
            _narrow(ctx, level, int(key))


def _narrow(ctx: Page, level: Level, key: int) -> None:
    if level is Level.ORGANIZATION:
        target = drill(ctx.filters, level, key, ctx.hierarchy)
        st.session_state["filters"] = target
        st.switch_page("pages/organization.py", query_params=target.params())
    apply_filters(drill(ctx.filters, level, key, ctx.hierarchy))


def _ranking(ctx: Page, rows: pd.DataFrame, indicator_id: str, level: Level) -> None:
    indicator = INDICATORS_BY_ID[indicator_id]
    st.subheader(f"Рейтинг {BREAKDOWNS[level].title}")
    ranked = rows.sort_values(
        "value", ascending=indicator.better == "lower", na_position="last"
    ).reset_index(drop=True)
    chosen = ranked.index[ranked["key"] == ctx.filters.org_id]
    if level is Level.ORGANIZATION and len(chosen):
        st.caption(
            f"Выбранная организация «{md(ctx.org_name(ctx.filters.org_id))}» — место "
            f"{chosen[0] + 1} из {len(ranked)}."
        )
    table = pd.DataFrame(
        {
            "Место": range(1, len(ranked) + 1),
            "Наименование": ranked["label"],
            "Значение": [formatting.indicator_value(indicator, v) for v in ranked["value"]],
            "Из чего": [
                formatting.fraction(indicator, n, d)
                for n, d in zip(ranked["numerator"], ranked["denominator"], strict=True)
            ],
            "Цель": [formatting.target_bound(indicator, t) for t in ranked["target"]],
            "Статус": [legend.label_of(s) for s in ranked["status"]],
        }
    )
    event = st.dataframe(
        table,
        hide_index=True,
        on_select="rerun",
        selection_mode="single-row",
        key=f"ranking_{level.value}",
        **fitted(table, ["Наименование", "Из чего", "Статус"], selectable=True),
    )
    numbers, formats = exports.indicator_columns(
        indicator, ranked["value"], ranked["numerator"], ranked["denominator"], ranked["target"]
    )
    export = pd.DataFrame(
        {
            "Место": table["Место"],
            "Наименование": table["Наименование"],
            **numbers,
            "Статус": table["Статус"],
        }
    )
    table_downloads(
        table,
        f"{indicator.short} — рейтинг {BREAKDOWNS[level].title}",
        ctx.export_context(),
        "ranking",
        status_column="Статус",
        export=export,
        cell_formats=formats,
        statuses=list(ranked["status"]),
    )
    selected = event.selection.rows if event else []
    if selected:
        _narrow(ctx, level, int(ranked.loc[selected[0], "key"]))


def _distribution(
    ctx: Page, source: Source, scope: Scope, indicator_id: str, target: float
) -> None:
    st.subheader("Распределение организаций")
    title = f"{INDICATORS_BY_ID[indicator_id].short}: распределение организаций"
    period = str(ctx.filters.period)
    fig, meets, count = _histogram(
        source, scope, period, indicator_id, target, title, ctx.caption()
    )
    if fig is None:
        st.info("Нет значений по организациям.")
        return
    charts.show(fig, title, key="histogram")
    met = formatting.part_of(meets, count, formatting.OF_ORGANIZATIONS)
    st.caption(f"Достигли цели {met}.")


@st.cache_data(show_spinner=False, max_entries=256, hash_funcs=HASH_FUNCS)
def _histogram(
    source: Source,
    scope: Scope,
    period: str,
    indicator_id: str,
    target: float,
    title: str,
    subtitle: str,
) -> tuple[charts.Spec | None, int, int]:
    """The histogram of the organisations' values with the ``target`` line (None where
    none has a value), how many of them meet their target, and how many there are;
    binned by the engine (a country's 100,000 values never leave it) and built once for
    every session."""
    found = state.cached(*source).distribution(replace(scope, periods=(period,)), indicator_id)
    if not found.count:
        return None, 0, 0
    indicator = INDICATORS_BY_ID[indicator_id]
    lows, highs = found.edges[:-1], found.edges[1:]
    fig = go.Figure(
        go.Bar(
            x=[(low + high) / 2 for low, high in zip(lows, highs, strict=True)],
            y=list(found.counts),
            # The one bin of values all equal has no width: drawn a unit wide to be seen.
            width=[(high - low) or 1.0 for low, high in zip(lows, highs, strict=True)],
            marker_color=legend.TARGET_CSS,
            hovertext=_bin_labels(indicator, found.edges, found.counts),
            hoverinfo="text",
        )
    )
    fig.update_layout(bargap=0)
    # The label goes above the plot, never on a bar.
    charts.target_line(fig, indicator, target, vertical=True)
    fig.update_xaxes(title=indicator.unit)
    fig.update_yaxes(title="число ОО")
    # As Streamlit sends a figure: its dict, not validated again.
    spec = charts.themed(fig, title, subtitle, height=380).to_dict()
    return spec, found.meets, found.count


def _bin_labels(
    indicator: Indicator, edges: tuple[float, ...], counts: tuple[int, ...]
) -> list[str]:
    """«от 50 % до 55 %: 1 234 ОО» for each bin, its edges with as few decimals as
    show them exactly (at most three)."""
    decimals = next((d for d in range(3) if all(abs(round(e, d) - e) < 1e-9 for e in edges)), 3)

    def edge(value: float) -> str:
        if indicator.is_percent:
            return formatting.percent(value, decimals)
        return formatting.number(value, decimals)

    labels = []
    for low, high, n in zip(edges[:-1], edges[1:], counts, strict=True):
        span = edge(low) if low == high else f"от {edge(low)} до {edge(high)}"
        labels.append(f"{span}: {formatting.integer(n)} ОО")
    return labels


def _registers(ctx: Page) -> None:
    """Forms of mentoring and mentor load from the bases of mentors and mentees."""
    st.subheader("По базам наставников и наставляемых")
    person_bases_view.person_bases_section(ctx, ctx.filters.scope(), ctx.caption(), key="registers")


guarded(body)
