"""Дефициты: where indicators miss their targets. A status heatmap of organisations (or
territories) × indicators, deficit counts per organisation and per territory, and for
each indicator the organisations that miss it, ready to send to curators."""

from __future__ import annotations

from dataclasses import replace

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from analytics.compute.lookups import MONITORED_HELP
from analytics.model import legend
from analytics.model.catalogue import INDICATORS, INDICATORS_BY_ID
from analytics.model.legend import Status
from analytics.model.levels import Level
from analytics.store.scope import Scope
from analytics.wording import formatting, narrative
from analytics.wording.formatting import OF_ORGANIZATIONS
from ui import charts, matrix, places, ranking, state
from ui.page import BREAKDOWNS, HASH_FUNCS, ORG_CHOICE_LIMIT, Breakdown, Page, guarded, page
from ui.places import Source
from ui.tables import fitted, table_downloads
from ui.text import md

HEAT_ROW_CHOICES = (30, 60, 120, 0)  # 0: all
BAR_LIMIT = 20


def body() -> None:
    ctx = page("Дефициты", ":material/warning:")
    f = ctx.filters
    if f.period is None:
        st.warning("В базе пока нет данных мониторинга. Загрузите файлы на странице «Данные».")
        return
    st.caption(md(ctx.caption()))
    if f.org_id is None:
        levels = matrix.territory_levels(f, ctx.places, single=False)
    else:
        # Territories' figures over one organisation would be its own: no comparison.
        levels = []
        st.info(
            f"Выбрана организация «{md(ctx.org_name(f.org_id))}»: ниже только её дефициты. "
            "Чтобы сравнить её с другими организациями и территориями, выберите «все "
            "организации» в фильтрах слева.",
            icon=":material/filter_alt:",
        )
    under = len(matrix.scoped_hierarchy(f, ctx.places))
    if under > ORG_CHOICE_LIMIT and levels:
        _territories_only(ctx, levels, under)
        return
    wanted = (Level.TOTAL, Level.ORGANIZATION, *(b.level for b in levels))
    # Every table and chart below is built once per data version and role from this
    # read, for every session: a region's page holds some 1,100 organisations.
    drawn = places.shared(ctx.source), replace(f.scope(levels=wanted), org_id=f.org_id)
    frame = ctx.indicators(drawn[1])
    total = frame[frame["level"] == Level.TOTAL]
    if total.empty or total["value"].isna().all():
        st.warning(
            "Для выбранных фильтров нет данных за этот период. Выберите другой период, "
            "территорию или тип ОО в фильтрах слева."
        )
        return
    _orgs, counts = _organisations(*drawn)
    _summary(counts, ctx.view.organizations_in_monitoring(drawn[1]))
    _heatmap(ctx, drawn, counts, levels)
    _org_counts(ctx, drawn)
    _territory_counts(ctx, drawn, levels)
    _shortfalls(ctx, drawn)


@st.cache_data(show_spinner=False, max_entries=256, hash_funcs=HASH_FUNCS)
def _organisations(source: Source, scope: Scope) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The organisations' rows of ``scope`` (:func:`ui.matrix.unit_rows`, their
    municipality named where there are several) and their deficit counts."""
    frame = state.cached(*source).indicators(scope)
    several_municipalities = frame["municipality_id"].dropna().nunique() > 1
    orgs = matrix.unit_rows(
        frame, BREAKDOWNS[Level.ORGANIZATION], with_parent=several_municipalities
    )
    return orgs, matrix.deficit_counts(orgs)


def _worst_first(counts: pd.DataFrame) -> pd.DataFrame:
    """Organisations with the most deficits first (far from the target, then name)."""
    return counts.sort_values(
        ["deficits", "red", "label"], ascending=[False, False, True], kind="stable"
    )


def _territories_only(ctx: Page, levels: list[Breakdown], under: int) -> None:
    """Too many organisations for one page (a whole country): their territories' deficits,
    and a word on how to see the organisations."""
    st.info(
        f"Под фильтрами {formatting.organizations(under)}: карта и списки организаций "
        "строятся после выбора региона или муниципалитета в боковой панели. Ниже — "
        "сводные значения территорий."
    )
    frame = ctx.indicators(ctx.filters.scope(levels=(Level.TOTAL, *(b.level for b in levels))))
    names = [matrix.LEVEL_NAMES[s.level] for s in levels]
    matrix.forget_invalid("heat_level", names)
    chosen = (
        st.radio("Строки карты", names, horizontal=True, key="heat_level")
        if len(names) > 1
        else names[0]
    )
    split = levels[names.index(chosen)]
    rows = matrix.unit_rows(frame, split)
    title = f"Дефициты {split.title}"
    ids = [i.id for i in INDICATORS]
    fig = matrix.status_heatmap(
        rows, ids, title, ctx.caption(), show_values=rows["key"].nunique() <= 120
    )
    st.caption(matrix.column_key(ids), unsafe_allow_html=True)
    charts.show(fig, title, key="heatmap")
    st.caption(matrix.legend_html(), unsafe_allow_html=True)


def _summary(counts: pd.DataFrame, monitored: int) -> None:
    valued = counts[counts["valued"] > 0]
    with_deficits = int((valued["deficits"] > 0).sum())
    left, middle, right = st.columns(3)
    left.metric(
        "Организаций в мониторинге",
        formatting.integer(monitored),
        help=MONITORED_HELP,
        border=True,
    )
    middle.metric(
        "Организаций с дефицитами",
        formatting.integer(with_deficits),
        help="ОО, у которых хотя бы один показатель не достиг цели",
        border=True,
    )
    mean = valued["deficits"].mean() if len(valued) else None
    right.metric(
        "Дефицитов в среднем на ОО",
        formatting.number(mean, 1),
        help="Среднее число показателей с дефицитом у организации",
        border=True,
    )


def _heatmap(
    ctx: Page, drawn: tuple[Source, Scope], counts: pd.DataFrame, levels: list[Breakdown]
) -> None:
    st.subheader("Карта дефицитов")
    names = [matrix.ORGANIZATIONS, *[matrix.LEVEL_NAMES[s.level] for s in levels]]
    matrix.forget_invalid("heat_level", names)
    chosen = (
        st.radio("Строки карты", names, horizontal=True, key="heat_level")
        if len(names) > 1
        else names[0]
    )
    split, limit = None, 0
    if chosen == matrix.ORGANIZATIONS:
        if len(counts) > HEAT_ROW_CHOICES[0]:
            choices = [n for n in HEAT_ROW_CHOICES if 0 < n < len(counts)] + [0]
            matrix.forget_invalid("heat_rows", choices)
            limit = st.selectbox(
                "Сколько организаций показать",
                choices,
                format_func=lambda n: f"{n} с наибольшим числом дефицитов" if n else "все",
                key="heat_rows",
            )
        title = "Дефициты организаций"
        if limit and limit < len(counts):
            st.caption(
                f"Показаны {formatting.part_of(limit, len(counts), OF_ORGANIZATIONS)} — сверху "
                "те, у кого больше дефицитов. Полный список — в таблице ниже."
            )
    else:
        split = next(s for s in levels if matrix.LEVEL_NAMES[s.level] == chosen)
        title = f"Дефициты {split.title}"
    st.caption(matrix.column_key([i.id for i in INDICATORS]), unsafe_allow_html=True)
    charts.show(_heat_spec(*drawn, split, limit, title, ctx.caption()), title, key="heatmap")
    st.caption(
        "В ячейках — значение показателя: доли в процентах, нагрузка — наставляемых на "
        "одного наставника. Наведите курсор на ячейку, чтобы увидеть, из чего сложилось "
        "значение, и цель."
    )
    st.caption(matrix.legend_html(), unsafe_allow_html=True)


@st.cache_data(show_spinner=False, max_entries=256, hash_funcs=HASH_FUNCS)
def _heat_spec(
    source: Source,
    scope: Scope,
    split: Breakdown | None,
    limit: int,
    title: str,
    subtitle: str,
) -> charts.Spec:
    """The heatmap of ``split``'s territories, or (None) of the ``limit`` organisations
    with the most deficits (0: all of them)."""
    if split is None:
        orgs, counts = _organisations(source, scope)
        order = _worst_first(counts)
        if limit:
            order = order.head(limit)
        rows = orgs[orgs["key"].isin(order["key"])]
        rows = rows.set_index("key").loc[order["key"]].reset_index()
    else:
        rows = matrix.unit_rows(state.cached(*source).indicators(scope), split)
    ids = [i.id for i in INDICATORS]
    fig = matrix.status_heatmap(
        rows, ids, title, subtitle, show_values=rows["key"].nunique() <= 120
    )
    return fig.to_dict()


def _stacked_bars(table: pd.DataFrame, title: str, subtitle: str, axis: str) -> go.Figure:
    """Horizontal bars of deficit counts, far from the target and close to it stacked."""
    table = table.iloc[::-1]
    labels = matrix.axis_labels(table["label"])
    fig = go.Figure()
    for status in (Status.RED, Status.YELLOW):
        fig.add_bar(
            y=labels,
            x=table[str(status)],
            orientation="h",
            name=matrix.STATUS_WORDS[status],
            marker_color=legend.STATUS_COLOURS[status],
            customdata=[charts.plot_text(m) for m in table["missed"]],
            hovertemplate="%{y}<br>%{x} — "
            + matrix.STATUS_WORDS[status]
            + "<br>%{customdata}<extra></extra>",
        )
    fig.update_xaxes(title=axis, dtick=1, rangemode="tozero")
    fig.update_yaxes(automargin=True)
    row = 40 if any("<br>" in label for label in labels) else 30  # two-line labels
    height = min(max(320, 140 + row * len(table)), 2400)
    fig = charts.themed(fig, title, subtitle, height=height)
    fig.update_layout(
        barmode="stack",
        legend={
            "orientation": "h",
            "x": 1,
            "xanchor": "right",
            "y": 1.0,
            "yanchor": "bottom",
            "traceorder": "normal",
        },
    )
    return fig


_ORG_BARS = "Организации с наибольшим числом дефицитов"
# The counts' headers as a projector's table has room for (the full ones in their
# tooltips and the downloads); the list of the indicators behind a count is in the
# downloads only: at 1280×720 a grid cell cannot hold fifteen indicators' names.
SHORT_HEADERS = {
    "Показателей с дефицитом": "Дефицитов",
    "Из них далеко от цели": "Далеко от цели",
    "Показателей с данными": "С данными",
    "Дефицитов в среднем на ОО": "В среднем на ОО",
}
LIST_COLUMN = "Показатели с дефицитом"


def _org_counts(ctx: Page, drawn: tuple[Source, Scope]) -> None:
    st.subheader("Число дефицитов по организациям")
    missed, fig, table = _org_view(*drawn, ctx.caption())
    if not missed:
        st.success("Все организации с данными достигли целевых значений по всем показателям.")
        return
    charts.show(fig, _ORG_BARS, key="org_bars")
    if missed > BAR_LIMIT:
        st.caption(
            f"На диаграмме {formatting.part_of(BAR_LIMIT, missed, OF_ORGANIZATIONS)} "
            "с дефицитами; все они — в таблице."
        )
    st.dataframe(
        table,
        hide_index=True,
        width="stretch",
        key="org_table",
        **fitted(
            table,
            ["Организация", "Муниципалитет", "Район"],
            config={"Организация": st.column_config.TextColumn(pinned=True)},
            short=SHORT_HEADERS,
            hide=[LIST_COLUMN],
            height_limit=600,
        ),
    )
    table_downloads(table, "Дефициты организаций", ctx.export_context(), "org_counts")


@st.cache_data(show_spinner=False, max_entries=256, hash_funcs=HASH_FUNCS)
def _org_view(
    source: Source, scope: Scope, subtitle: str
) -> tuple[int, charts.Spec | None, pd.DataFrame]:
    """How many organisations have a deficit, the bars of the worst of them and the table
    of all of them (worst first)."""
    orgs, counts = _organisations(source, scope)
    missed = _worst_first(counts[counts["deficits"] > 0])
    if missed.empty:
        return 0, None, pd.DataFrame()
    missed = missed.assign(yellow=missed["deficits"] - missed["red"])
    top = missed.head(BAR_LIMIT)
    fig = _stacked_bars(top, _ORG_BARS, subtitle, "показателей с дефицитом")
    where = orgs.drop_duplicates("key").set_index("key").loc[missed["key"]]
    table = pd.DataFrame(
        {
            "Организация": where["organization"].to_numpy(),
            "Муниципалитет": where["municipality"].to_numpy(),
        }
    )
    districts = list(where["district"])
    if any(matrix.clean(d) for d in districts):
        table["Район"] = [str(d) if matrix.clean(d) else "" for d in districts]
    table["Показателей с дефицитом"] = missed["deficits"].to_numpy()
    table["Из них далеко от цели"] = missed["red"].to_numpy()
    table["Показателей с данными"] = missed["valued"].to_numpy()
    table[LIST_COLUMN] = missed["missed"].to_numpy()
    return len(missed), fig.to_dict(), table


def _territory_counts(ctx: Page, drawn: tuple[Source, Scope], levels: list[Breakdown]) -> None:
    if not levels:
        return
    st.subheader("Число дефицитов по территориям")
    names = [matrix.LEVEL_NAMES[s.level] for s in levels]
    index = matrix.default_level(ctx.filters, ctx.places, levels)
    matrix.forget_invalid("count_level", names)
    chosen = (
        st.radio("Территории", names, index=index, horizontal=True, key="count_level")
        if len(names) > 1
        else names[0]
    )
    split = levels[names.index(chosen)]
    title = f"Показатели с дефицитом {split.title}"
    fig, table = _territory_view(*drawn, split, title, ctx.caption())
    if fig is None:
        st.info("Нет значений показателей по территориям. Измените фильтры.")
        return
    charts.show(fig, title, key="territory_bars")
    st.caption(
        "Дефицит территории — её сводное значение показателя (отношение сумм по всем её "
        "организациям) ниже цели."
    )
    st.dataframe(
        table,
        hide_index=True,
        width="stretch",
        key="territory_table",
        **fitted(table, ["Территория"], short=SHORT_HEADERS, hide=[LIST_COLUMN], height_limit=600),
    )
    table_downloads(
        table,
        title,
        ctx.export_context(),
        "territory_counts",
        wholes={"ОО с дефицитами": "ОО с данными"},
    )


@st.cache_data(show_spinner=False, max_entries=256, hash_funcs=HASH_FUNCS)
def _territory_view(
    source: Source, scope: Scope, split: Breakdown, title: str, subtitle: str
) -> tuple[charts.Spec | None, pd.DataFrame]:
    """The bars and the table of ``split``'s territories' deficit counts (None and an
    empty table where none has a value)."""
    orgs, counts = _organisations(source, scope)
    territory = matrix.deficit_counts(
        matrix.unit_rows(state.cached(*source).indicators(scope), split)
    )
    if territory.empty:
        return None, pd.DataFrame()
    territory = territory.assign(yellow=territory["deficits"] - territory["red"])
    ordered = territory.sort_values(["deficits", "red"], ascending=False, kind="stable")
    fig = _stacked_bars(ordered, title, subtitle, "показателей с дефицитом")
    owner = orgs.drop_duplicates("key").set_index("key")[split.key]
    per_org = counts[counts["valued"] > 0].assign(territory=lambda c: c["key"].map(owner))
    table = pd.DataFrame({"Территория": ordered["label"].to_numpy()})
    table["Показателей с дефицитом"] = ordered["deficits"].to_numpy()
    table["Из них далеко от цели"] = ordered["red"].to_numpy()
    table["Показателей с данными"] = ordered["valued"].to_numpy()
    with_deficits, mean = [], []
    for key in ordered["key"]:
        mine = per_org[per_org["territory"] == key]
        with_deficits.append(formatting.part_of(int((mine["deficits"] > 0).sum()), len(mine), "ОО"))
        mean.append(formatting.number(mine["deficits"].mean() if len(mine) else None, 1))
    table["ОО с дефицитами"] = with_deficits
    table["Дефицитов в среднем на ОО"] = mean
    table[LIST_COLUMN] = ordered["missed"].to_numpy()
    return fig.to_dict(), table


def _shortfalls(ctx: Page, drawn: tuple[Source, Scope]) -> None:
    st.subheader("Кто не достиг цели: списки для кураторов")
    missing = _missing(*drawn)
    ids = [i.id for i in INDICATORS]
    ranked = ranking.ranked(ctx)
    if st.session_state.get("def_indicator") not in ids:
        st.session_state["def_indicator"] = ranking.first_deficit(ctx)

    def label(indicator_id: str) -> str:
        n = int(missing.get(indicator_id, 0))
        suffix = f"не достигли {formatting.organizations(n)}" if n else "все достигли цели"
        return f"{INDICATORS_BY_ID[indicator_id].name} — {suffix}"

    indicator_id = st.selectbox("Показатель", ids, format_func=label, key="def_indicator")
    indicator = INDICATORS_BY_ID[indicator_id]
    place = ranked.index[ranked["indicator"] == indicator_id]
    if len(place):
        row = ranked.loc[place[0]].to_dict()
        st.caption(md(narrative.deficit_rank_sentence(int(place[0]) + 1, len(ranked), row)))
    table, valued, (export, formats, statuses) = _shortfall_view(*drawn, indicator_id)
    if table.empty:
        if not valued:
            st.info(
                f"По показателю «{indicator.name}» нет данных под выбранными фильтрами: "
                "организации не ответили на нужные вопросы формы. Выберите другой показатель "
                "или период."
            )
        else:
            st.success(f"Все организации с данными достигли цели по показателю «{indicator.name}».")
        return
    target = formatting.target_value(indicator, indicator.target)
    st.markdown(
        f"**{md(indicator.name)}** — не достигли цели "
        f"{formatting.organizations(len(table))} ({md(ctx.caption())}). "
        f"Цель по умолчанию {md(target)}; "
        f"{'больше' if indicator.better == 'higher' else 'меньше'} — лучше."
    )
    st.markdown(f"Рекомендация: {md(indicator.recommendation)}")
    st.dataframe(
        table,
        hide_index=True,
        width="stretch",
        key="shortfall_table",
        **fitted(
            table,
            ["Организация", "Муниципалитет", "Район", "Из чего", "Статус"],
            config={"Организация": st.column_config.TextColumn(pinned=True)},
            height_limit=700,
        ),
    )
    table_downloads(
        table,
        f"{indicator.short} — не достигли цели",
        ctx.export_context(),
        "shortfall",
        status_column="Статус",
        export=export,
        cell_formats=formats,
        statuses=statuses,
    )
    st.caption(
        "CSV открывается в Excel (разделитель «;», кодировка UTF-8 с BOM); значения, "
        "похожие на формулы, сохраняются как текст."
    )


@st.cache_data(show_spinner=False, max_entries=256, hash_funcs=HASH_FUNCS)
def _missing(source: Source, scope: Scope) -> pd.Series:
    """How many organisations miss each indicator's target."""
    orgs, _counts = _organisations(source, scope)
    return orgs[orgs["deficit"]].groupby("indicator")["key"].nunique()


@st.cache_data(show_spinner=False, max_entries=1024, hash_funcs=HASH_FUNCS)
def _shortfall_view(
    source: Source, scope: Scope, indicator_id: str
) -> tuple[pd.DataFrame, bool, tuple[pd.DataFrame, dict[str, list[str]], list[str | None]]]:
    """The organisations that miss ``indicator_id``'s target, whether any organisation has
    a value of it, and the table as exported (:func:`ui.matrix.shortfall_export`)."""
    orgs, _counts = _organisations(source, scope)
    valued = bool(((orgs["indicator"] == indicator_id) & orgs["value"].notna()).any())
    table = matrix.shortfall_table(orgs, indicator_id)
    return table, valued, matrix.shortfall_export(orgs, indicator_id)


guarded(body)
