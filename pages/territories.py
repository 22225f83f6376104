"""Территории: municipalities (or regions, or districts) side by side on every indicator.
A scorecard with a cell per territory and indicator coloured by status, then one chart
per chosen indicator comparing the territories with the target."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from analytics.compute.indicators import deficits
from analytics.model.catalogue import GROUPS, INDICATORS_BY_ID
from analytics.model.levels import Level
from analytics.store.scope import Scope
from analytics.wording import formatting
from ui import charts, matrix, places, state
from ui.page import HASH_FUNCS, Breakdown, Page, guarded, page
from ui.places import Source
from ui.tables import table_downloads
from ui.text import md

NAME_COLUMN = "Территория"
DEFICITS_COLUMN = "Дефицитов"
TOTAL_LABEL = "Всего по фильтрам"
DEFAULT_CHARTS = 4


def body() -> None:
    ctx = page("Территории", ":material/map:")
    f = ctx.filters
    if f.period is None:
        st.warning("В базе пока нет данных мониторинга. Загрузите файлы на странице «Данные».")
        return
    st.caption(md(ctx.caption()))
    if f.org_id is not None:
        st.info(
            f"Выбрана организация «{md(ctx.org_name(f.org_id))}»: здесь сравниваются "
            "территории по всем их организациям. Её показатели рядом с показателями её "
            "территорий — на странице «Организация», её дефициты — на странице «Дефициты».",
            icon=":material/filter_alt:",
        )
    levels = matrix.territory_levels(f, ctx.places)
    if not levels:
        st.warning(
            "Под выбранные фильтры не попадает ни одна организация. Измените тип ОО или "
            "территорию в фильтрах слева."
        )
        return
    levels, hidden = matrix.readable_levels(levels, matrix.scoped_hierarchy(f, ctx.places))
    for split, count in hidden:
        st.caption(
            f"{matrix.LEVEL_NAMES[split.level]} ({formatting.integer(count)}) сравниваются "
            "после выбора региона или муниципалитета в боковой панели."
        )
    names = [matrix.LEVEL_NAMES[s.level] for s in levels]
    index = matrix.default_level(f, ctx.places, levels)
    matrix.forget_invalid("terr_level", names)
    chosen = (
        st.radio("Сравнить", names, index=index, horizontal=True, key="terr_level")
        if len(names) > 1
        else names[0]
    )
    split = levels[names.index(chosen)]
    source = places.shared(ctx.source)
    scope = f.scope(levels=(Level.TOTAL, split.level))
    compared = _compared(source, scope, split)
    if compared.table.empty:
        st.warning(
            "Для выбранных фильтров нет данных за этот период. Выберите другой период, "
            "территорию или тип ОО в фильтрах слева."
        )
        return
    if compared.units == 1:
        st.info(
            "Под выбранные фильтры попадает одна территория. Чтобы сравнить территории, "
            "снимите фильтр муниципалитета или района; организации сравниваются на "
            "странице «Дефициты»."
        )
    _scorecard(ctx, compared, split)
    _charts(ctx, compared, (source, scope, split))


def _unit_rows(source: Source, scope: Scope, split: Breakdown) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The engine's rows of ``split``'s territories (:func:`ui.matrix.unit_rows`) and of
    the whole ``scope``."""
    frame = state.cached(*source).indicators(scope)
    return matrix.unit_rows(frame, split), frame[frame["level"] == Level.TOTAL]


@st.cache_data(show_spinner=False, max_entries=256, hash_funcs=HASH_FUNCS)
def _compared(source: Source, scope: Scope, split: Breakdown) -> matrix.Comparison:
    """What the page shows of ``split``'s territories, once per data version and role for
    every session (the same scorecard is built from the same rows)."""
    rows, total = _unit_rows(source, scope, split)
    units = int(rows["key"].nunique())
    if rows.empty or rows["value"].isna().all():
        return matrix.Comparison(units, pd.DataFrame(), pd.DataFrame(), [], [], [])
    table, statuses = scorecard(rows, total)
    return matrix.Comparison(
        units=units,
        table=table,
        css=matrix.cell_styles(table, statuses),
        indicators=matrix.indicator_order(rows["indicator"]),
        available=matrix.indicator_order(rows.loc[rows["value"].notna(), "indicator"]),
        defaults=_default_charts(total),
    )


def scorecard(rows: pd.DataFrame, total: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The scorecard (a row per territory and a last row for the whole scope; a column of
    formatted values per indicator) and the statuses of its indicator cells. A unit's
    first row of an indicator is its value; 2,500 municipalities cost one pass each over
    the rows, not a frame per municipality."""
    ids = matrix.indicator_order(rows["indicator"])
    wanted = ["indicator", "value", "status", "deficit"]
    codes, labels = pd.factorize(rows["label"])  # units in order of first appearance
    names = [str(label) for label in labels]
    parts = [rows.loc[codes >= 0, wanted].assign(unit=codes[codes >= 0])]
    if not total.empty:
        parts.append(total[wanted].assign(unit=len(names)))
        names.append(TOTAL_LABEL)
    cells = pd.concat(parts, ignore_index=True).drop_duplicates(["unit", "indicator"])
    valued = cells[cells["value"].notna()]
    units = range(len(names))
    counted = valued.groupby("unit").size().reindex(units, fill_value=0)
    missed = valued.groupby("unit")["deficit"].sum().reindex(units, fill_value=0)
    table = pd.DataFrame(
        {
            NAME_COLUMN: names,
            DEFICITS_COLUMN: [
                formatting.part_of(int(m), int(n)) for m, n in zip(missed, counted, strict=True)
            ],
        }
    )
    statuses: dict[str, list[object]] = {}
    for indicator_id in ids:
        indicator = INDICATORS_BY_ID[indicator_id]
        one = cells[cells["indicator"] == indicator_id].set_index("unit").reindex(units)
        table[indicator.short] = [matrix.shown(indicator, v) for v in one["value"]]
        statuses[indicator.short] = [matrix.clean(s) for s in one["status"]]
    return table, pd.DataFrame(statuses, index=table.index)


def _scorecard(ctx: Page, compared: matrix.Comparison, split: Breakdown) -> None:
    st.subheader(f"Показатели {split.title}")
    table = compared.table
    # Fifteen indicators' columns are three times a projector's width (1280×720): the
    # scorecard shows one group of the catalogue at a time, in a table whose headers wrap;
    # every indicator is in the downloads.
    groups = {
        g.title: [i for i in compared.indicators if INDICATORS_BY_ID[i].group == g.code]
        for g in GROUPS
    }
    groups = {title: ids for title, ids in groups.items() if ids}
    titles = list(groups)
    leading = INDICATORS_BY_ID[compared.defaults[0]].group if compared.defaults else None
    first = next(
        (t for t, ids in groups.items() if INDICATORS_BY_ID[ids[0]].group == leading), titles[0]
    )
    matrix.forget_invalid("terr_group", titles)
    chosen = st.radio(
        "Группа показателей",
        titles,
        index=titles.index(first),
        horizontal=True,
        key="terr_group",
    )
    columns = [NAME_COLUMN, DEFICITS_COLUMN, *(INDICATORS_BY_ID[i].short for i in groups[chosen])]
    st.table(matrix.with_styles(table[columns], compared.css[columns]), hide_index=True)
    st.caption(
        matrix.legend_html() + f" «{DEFICITS_COLUMN}» — показателей ниже цели из показателей "
        "со значением, по всем группам.",
        unsafe_allow_html=True,
    )
    st.caption(
        f"Строка «{TOTAL_LABEL}» — значение по всем организациям под фильтрами "
        f"({md(ctx.caption())}): отношение сумм, а не среднее территорий."
    )
    table_downloads(
        table,
        f"Показатели {split.title}",
        ctx.export_context(),
        "scorecard",
        wholes={DEFICITS_COLUMN: "Показателей со значением"},
    )


def _default_charts(total: pd.DataFrame) -> list[str]:
    """The largest deficits of the whole scope, in the engine's ranking (the same that
    leads Обзор and the documents)."""
    return [str(i) for i in deficits(total)["indicator"].head(DEFAULT_CHARTS)]


def _charts(ctx: Page, compared: matrix.Comparison, drawn: tuple[Source, Scope, Breakdown]) -> None:
    """Bars of the chosen indicators across the territories ``drawn`` (those of
    :func:`_compared`)."""
    st.subheader("Сравнение по показателям")
    available = compared.available
    if st.session_state.get("terr_charts") is None:
        st.session_state["terr_charts"] = compared.defaults
    st.session_state["terr_charts"] = [i for i in st.session_state["terr_charts"] if i in available]
    chosen = st.multiselect(
        "Показатели для диаграмм",
        available,
        format_func=lambda i: INDICATORS_BY_ID[i].name,
        key="terr_charts",
        placeholder="Выберите показатели",
    )
    if not chosen:
        st.info("Выберите один или несколько показателей, чтобы сравнить территории на диаграммах.")
        return
    columns = st.columns(2)
    split = drawn[2]
    for n, indicator_id in enumerate(chosen):
        indicator = INDICATORS_BY_ID[indicator_id]
        title = f"{indicator.short} {split.title}"
        fig = _chart(*drawn, indicator_id, title, ctx.caption())
        with columns[n % 2]:
            charts.show(fig, title, key=f"terr_chart_{indicator_id}")


@st.cache_data(show_spinner=False, max_entries=1024, hash_funcs=HASH_FUNCS)
def _chart(
    source: Source, scope: Scope, split: Breakdown, indicator_id: str, title: str, subtitle: str
) -> charts.Spec:
    """The bars of one indicator across ``split``'s territories, built once for every
    session (keyed on what they are built from, cheaper to hash than the rows)."""
    rows, _ = _unit_rows(source, scope, split)
    part = rows[rows["indicator"] == indicator_id]
    # Room on the right for the target's label at 100 % in a half-width chart.
    return charts.bars_spec(part, indicator_id, title, subtitle, right_margin=70)


guarded(body)
