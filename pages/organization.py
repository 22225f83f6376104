"""Организация: one school's profile. Its indicators beside its municipality's and region's
and the target, its history over the periods, what its bases of mentors and mentees show
(counts and charts, never names) and where its form disagrees with them, its forms as
entered, its data-quality findings, and whether it is in the registry and has reported."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from analytics.compute import quality
from analytics.compute.status import DEFICIT_STATUSES
from analytics.documents import exports
from analytics.model import legend
from analytics.model.catalogue import INDICATORS, INDICATORS_BY_ID
from analytics.model.contract import ORG_TYPES_BY_CODE
from analytics.model.legend import Status
from analytics.model.levels import LEVEL_INFO, Level
from analytics.model.periods import period_label, sort_periods
from analytics.store.scope import Scope
from analytics.wording import formatting
from ui import charts, person_bases_view
from ui.matrix import STATUS_DOT
from ui.page import ORG_CHOICE_LIMIT, Page, apply_filters, guarded, page, with_filters
from ui.tables import table_downloads
from ui.text import md
from ui.upload import full_height

MUNICIPALITY_COLOR = "#9E9E9E"
REGION_COLOR = "#555555"


def body() -> None:
    ctx = page("Организация", ":material/school:")
    f = ctx.filters
    if ctx.places.empty and ctx.hierarchy.empty:
        st.warning("В базе пока нет организаций. Загрузите файлы на странице «Данные».")
        return
    if f.org_id is None:
        _choose(ctx)
        return
    rows = ctx.organization(f.org_id)
    if rows.empty:
        st.warning("Организация не найдена. Выберите другую.")
        _choose(ctx)
        return
    org = rows.iloc[0]
    _profile(ctx, org)
    if f.period is None:
        st.info("Данных мониторинга пока нет.")
        return
    frame = ctx.indicators(Scope(org_type=f.org_type, region_id=int(org["region_id"])))
    _comparison(ctx, org, frame)
    _history(ctx, org, frame)
    _registers(ctx, org)
    _submitted(ctx, org)
    _quality(ctx, org)


def orgs_in_filters(ctx: Page) -> pd.DataFrame:
    return ctx.filters.scope().keep(ctx.places)


def _choose(ctx: Page) -> None:
    orgs = orgs_in_filters(ctx)
    st.caption(md(ctx.caption()))
    if orgs.empty:
        st.info("Под выбранные фильтры не попадает ни одна организация. Измените фильтры.")
        return
    if len(orgs) > ORG_CHOICE_LIMIT:
        orgs = _search(orgs)
        if orgs.empty:
            return
    labels = {
        int(r.org_id): f"{r.organization} — {r.municipality}"
        + (f", ИНН {r.inn}" if isinstance(r.inn, str) and r.inn else "")
        for r in orgs.itertuples(index=False)
    }
    st.markdown(f"Выберите организацию ({formatting.organizations(len(labels))} по фильтрам):")
    chosen = st.selectbox(
        "Организация",
        list(labels),
        index=None,
        format_func=labels.get,
        placeholder="Начните вводить название, муниципалитет или ИНН",
        key="org_choice",
    )
    if chosen is not None:
        st.session_state.pop("org_choice", None)
        apply_filters(with_filters(ctx.filters, org_id=int(chosen)))


def _search(orgs: pd.DataFrame) -> pd.DataFrame:
    """Too many organisations for one list (a national registry): find them by name or
    ИНН first."""
    st.markdown(
        f"Под фильтрами {formatting.organizations(len(orgs))}. Найдите организацию по части "
        "названия или ИНН или выберите муниципалитет в боковой панели."
    )
    text = st.text_input("Название или ИНН", key="org_search").strip()
    if len(text) < 3:
        return orgs.iloc[0:0]
    found = orgs[
        orgs["organization"].str.contains(text, case=False, regex=False)
        | orgs["inn"].fillna("").str.startswith(text)
    ]
    if found.empty:
        st.info(f"Не найдено организаций по запросу «{md(text)}».")
    return found.head(ORG_CHOICE_LIMIT)


def _profile(ctx: Page, org: pd.Series) -> None:
    st.header(md(org["organization"]), anchor=False)
    org_type = ORG_TYPES_BY_CODE.get(org["org_type"])
    territory = [org["region"], org["municipality"]]
    if isinstance(org["district"], str) and org["district"]:
        territory.append(org["district"])
    facts = [
        ("ИНН", org["inn"] if isinstance(org["inn"], str) and org["inn"] else "не указан"),
        ("Тип ОО", org_type.label if org_type else str(org["org_type"])),
        ("Территория", " → ".join(str(t) for t in territory)),
    ]
    period = ctx.filters.period
    reported = period is not None and _has_form(ctx, int(org["org_id"]), period)
    facts.append(("В реестре ОО", "да" if org["in_registry"] else "нет"))
    if period is not None:
        facts.append(
            (
                f"Форма за {period_label(period)}",
                "представлена" if reported else "не представлена",
            )
        )
    st.markdown("  \n".join(f"**{label}:** {md(value)}" for label, value in facts))
    if period is not None and not reported:
        if org["in_registry"]:
            st.warning(
                f"Организация из реестра не представила форму мониторинга за "
                f"{period_label(period)}.",
                icon=":material/assignment_late:",
            )
        else:
            st.info(f"Формы за {period_label(period)} нет.")
    if st.button("Выбрать другую организацию", icon=":material/arrow_back:"):
        apply_filters(with_filters(ctx.filters, org_id=None))


def _has_form(ctx: Page, org_id: int, period: str) -> bool:
    return period in _submitted_table(ctx, org_id).columns


def _submitted_table(ctx: Page, org_id: int) -> pd.DataFrame:
    return ctx.cached.submitted_values(org_id)


def comparison_rows(frame: pd.DataFrame, org: pd.Series, period: str) -> pd.DataFrame:
    """One row per indicator: the organisation's, municipality's and region's values and
    the organisation's target and status."""
    frame = frame[frame["period"] == period]

    def level(lv: Level) -> pd.DataFrame:
        """The rows of the organisation's own unit of ``lv``."""
        key = LEVEL_INFO[lv].key
        rows = frame[(frame["level"] == lv) & (frame[key] == org[key])]
        return rows.set_index("indicator")

    mine = level(Level.ORGANIZATION)
    municipality = level(Level.MUNICIPALITY)
    region = level(Level.REGION)
    records = []
    for indicator in INDICATORS:
        # Whether the organisation reported is stated in its profile, not as a share.
        if indicator.coverage or indicator.id not in mine.index:
            continue
        own = mine.loc[indicator.id]
        records.append(
            {
                "indicator": indicator.id,
                "value": own["value"],
                "numerator": own["numerator"],
                "denominator": own["denominator"],
                "target": own["target"],
                "status": _clean(own["status"]),
                "municipality": _value(municipality, indicator.id),
                "municipality_status": _status(municipality, indicator.id),
                "region": _value(region, indicator.id),
                "region_status": _status(region, indicator.id),
            }
        )
    return pd.DataFrame(records)


def _clean(value: object) -> object:
    return None if value is None or pd.isna(value) else value


def _value(rows: pd.DataFrame, indicator_id: str) -> float | None:
    return _clean(rows.loc[indicator_id, "value"]) if indicator_id in rows.index else None


def _status(rows: pd.DataFrame, indicator_id: str) -> str | None:
    return _clean(rows.loc[indicator_id, "status"]) if indicator_id in rows.index else None


def _comparison(ctx: Page, org: pd.Series, frame: pd.DataFrame) -> None:
    period = ctx.filters.period
    st.subheader(f"Показатели за {period_label(period)}")
    subtitle = _subtitle(ctx, org)
    st.caption(md(subtitle))
    rows = comparison_rows(frame, org, period)
    if rows.empty or rows["value"].isna().all():
        st.info(f"За {period_label(period)} у организации нет значений показателей.")
        return
    table = pd.DataFrame(
        {
            "Показатель": [INDICATORS_BY_ID[i].short for i in rows["indicator"]],
            "ОО": [_shown(i, v) for i, v in zip(rows["indicator"], rows["value"], strict=True)],
            "Из чего": [
                formatting.organization_fraction(INDICATORS_BY_ID[i], n, d)
                if pd.notna(v)
                else "нет данных"
                for i, n, d, v in zip(
                    rows["indicator"],
                    rows["numerator"],
                    rows["denominator"],
                    rows["value"],
                    strict=True,
                )
            ],
            "Цель": [
                formatting.target_bound(INDICATORS_BY_ID[i], t)
                for i, t in zip(rows["indicator"], rows["target"], strict=True)
            ],
            "Статус": [legend.label_of(_clean(s)) for s in rows["status"]],
            "Муниципалитет": [
                _shown(i, v) for i, v in zip(rows["indicator"], rows["municipality"], strict=True)
            ],
            "Регион": [
                _shown(i, v) for i, v in zip(rows["indicator"], rows["region"], strict=True)
            ],
        }
    )
    st.dataframe(
        table,
        hide_index=True,
        width="stretch",
        height=full_height(len(table)),
        key="comparison_table",
    )
    indicators = [INDICATORS_BY_ID[i] for i in rows["indicator"]]
    numbers, formats = exports.indicator_columns(
        indicators, rows["value"], rows["numerator"], rows["denominator"], rows["target"]
    )
    export = pd.DataFrame(
        {
            "Показатель": table["Показатель"],
            **numbers,
            "Статус": table["Статус"],
            "Муниципалитет": [exports.number_or_none(v) for v in rows["municipality"]],
            "Регион": [exports.number_or_none(v) for v in rows["region"]],
        }
    )
    formats = {**formats, "Муниципалитет": formats["Значение"], "Регион": formats["Значение"]}
    table_downloads(
        table,
        f"{org['organization']} — показатели",
        ctx.export_context(),
        "comparison",
        status_column="Статус",
        export=export,
        cell_formats=formats,
        statuses=[_clean(s) for s in rows["status"]],
    )
    deficits = int(rows["status"].isin(DEFICIT_STATUSES).sum())
    with_value = int(rows["value"].notna().sum())
    st.markdown(
        f"Показателей с дефицитом: **{formatting.part_of(deficits, with_value)}**. "
        + " ".join(f"{STATUS_DOT[s]} {legend.label_of(s)}" for s in Status)
    )
    title = f"{org['organization']}: показатели в сравнении с территорией"
    fig = comparison_chart(rows, org, title, subtitle)
    charts.show(fig, title, key="comparison_chart")
    ratios = [i for i in rows["indicator"] if not INDICATORS_BY_ID[i].is_percent]
    if ratios:
        names = ", ".join(f"«{INDICATORS_BY_ID[i].name}»" for i in ratios)
        st.caption(f"На диаграмме только доли (%); {names} — в таблице.")


def _subtitle(ctx: Page, org: pd.Series, **changes: object) -> str:
    """The filters in words, with the organisation's own territory."""
    filters = with_filters(
        ctx.filters,
        region_id=int(org["region_id"]),
        municipality_id=int(org["municipality_id"]),
        district_id=None,
        **changes,
    )
    return ctx.caption(filters)


def _shown(indicator_id: str, value: object) -> str:
    v = None if value is None or pd.isna(value) else float(value)
    return formatting.indicator_value(INDICATORS_BY_ID[indicator_id], v)


def comparison_chart(rows: pd.DataFrame, org: pd.Series, title: str, subtitle: str) -> go.Figure:
    """Grouped horizontal bars of the percent indicators: the organisation in its status
    colours, its municipality and region in greys, the target as a marker."""
    rows = rows[[INDICATORS_BY_ID[i].is_percent for i in rows["indicator"]]]
    rows = rows.iloc[::-1]  # the catalogue's first indicator at the top
    labels = [INDICATORS_BY_ID[i].short for i in rows["indicator"]]

    def text(values: pd.Series) -> list[str]:
        return [formatting.percent(v) if pd.notna(v) else "нет данных" for v in values]

    def bars(part: pd.DataFrame, column: str, name: str, color: str, group: str, rank: int):
        fig.add_bar(
            y=[INDICATORS_BY_ID[i].short for i in part["indicator"]],
            x=part[column].fillna(0),
            orientation="h",
            name=charts.plot_text(name),
            marker_color=color,
            offsetgroup=group,
            legendrank=rank,
            text=text(part[column]),
            textposition="outside",
            textfont={"size": 13},
            cliponaxis=False,
            hovertemplate=f"%{{y}}<br>{charts.plot_text(name)}: %{{text}}<extra></extra>",
            showlegend=not part[column].isna().all(),  # an empty bar needs no legend entry
        )

    fig = go.Figure()
    bars(rows, "region", f"Регион: {org['region']}", REGION_COLOR, "region", 30)
    bars(
        rows,
        "municipality",
        f"Муниципалитет: {org['municipality']}",
        MUNICIPALITY_COLOR,
        "municipality",
        20,
    )
    for rank, status in enumerate((*[s.value for s in Status], None)):
        part = rows[rows["status"].isna()] if status is None else rows[rows["status"] == status]
        if not part.empty:
            name = f"ОО: {legend.label_of(status)}"
            bars(part, "value", name, legend.STATUS_COLOURS[status], "org", 10 + rank)
    fig.add_scatter(
        y=labels,
        x=rows["target"],
        mode="markers",
        name="Цель",
        legendrank=40,
        marker={"symbol": "line-ns-open", "size": 30, "line": {"width": 4}},
        marker_color=legend.TARGET_CSS,
        customdata=[formatting.percent(t, 0) for t in rows["target"]],
        hovertemplate="%{y}: цель %{customdata}<extra></extra>",
    )
    fig.update_layout(barmode="group", bargap=0.3, bargroupgap=0.05)
    highest = pd.concat([rows["value"], rows["municipality"], rows["region"]]).max()
    top = max(112.0, float(highest) * 1.1) if pd.notna(highest) else 112.0
    fig.update_xaxes(title="%", range=[0, top], dtick=20)
    fig.update_yaxes(automargin=True)
    height = max(440, 160 + 80 * len(rows))
    return charts.themed(fig, title, subtitle, height=height)


def history_table(frame: pd.DataFrame, org_id: int) -> pd.DataFrame:
    """The organisation's indicator values: one row per indicator, one column per period."""
    own = frame[(frame["level"] == Level.ORGANIZATION) & (frame["org_id"] == org_id)]
    own = own[own["indicator"].isin([i.id for i in INDICATORS if not i.coverage])]
    own = own.dropna(subset=["value"])
    periods = sort_periods(own["period"].unique().tolist())
    table = pd.DataFrame(
        {"Показатель": [i.name for i in INDICATORS if i.id in set(own["indicator"])]}
    )
    for period in periods:
        values = own[own["period"] == period].set_index("indicator")["value"]
        table[period_label(period)] = [
            formatting.indicator_value(i, values.get(i.id))
            for i in INDICATORS
            if i.id in set(own["indicator"])
        ]
    return table


def _history(ctx: Page, org: pd.Series, frame: pd.DataFrame) -> None:
    st.subheader("Динамика по периодам")
    org_id = int(org["org_id"])
    table = history_table(frame, org_id)
    if len(table.columns) <= 1:
        st.info("Значений показателей по периодам нет.")
        return
    st.dataframe(
        table, hide_index=True, width="stretch", height=full_height(len(table)), key="history_table"
    )
    table_downloads(table, f"{org['organization']} — динамика", ctx.export_context(), "history")
    if len(table.columns) <= 2:
        st.caption("Данные есть только за один период — динамику покажем, когда появится второй.")
        return
    own = frame[(frame["level"] == Level.ORGANIZATION) & (frame["org_id"] == org_id)]
    available = [
        i.id
        for i in INDICATORS
        if not i.coverage and own.loc[own["indicator"] == i.id, "value"].notna().any()
    ]
    indicator_id = st.selectbox(
        "Показатель для графика",
        available,
        format_func=lambda i: INDICATORS_BY_ID[i].name,
        key="history_indicator",
    )
    fig = history_chart(frame, org, indicator_id, _subtitle(ctx, org, period=None))
    title = f"{INDICATORS_BY_ID[indicator_id].short}: динамика"
    charts.show(fig, title, key="history_chart")


def history_chart(
    frame: pd.DataFrame, org: pd.Series, indicator_id: str, subtitle: str
) -> go.Figure:
    indicator = INDICATORS_BY_ID[indicator_id]
    frame = frame[frame["indicator"] == indicator_id]
    periods = sort_periods(frame["period"].unique().tolist())
    fig = go.Figure()
    plotted: list[float] = []
    for lv, color, width in (
        (Level.REGION, REGION_COLOR, 2),
        (Level.MUNICIPALITY, MUNICIPALITY_COLOR, 2),
        (Level.ORGANIZATION, legend.STATUS_COLOURS[Status.GREEN], 4),
    ):
        info = LEVEL_INFO[lv]
        name = "ОО" if lv is Level.ORGANIZATION else f"{info.label}: {org[info.name]}"
        rows = frame[(frame["level"] == lv) & (frame[info.key] == org[info.key])]
        rows = rows.set_index("period")
        values = [rows["value"].get(p) for p in periods]
        statuses = [_clean(rows["status"].get(p)) for p in periods]
        plotted.extend(float(v) for v in values if v is not None and pd.notna(v))
        fig.add_scatter(
            x=[period_label(p) for p in periods],
            y=values,
            mode="lines+markers+text" if lv is Level.ORGANIZATION else "lines+markers",
            name=charts.plot_text(name),
            line={"color": color, "width": width},
            marker={
                "size": 14 if lv is Level.ORGANIZATION else 8,
                "color": [legend.STATUS_COLOURS[s] for s in statuses]
                if lv is Level.ORGANIZATION
                else color,
            },
            text=[formatting.indicator_value(indicator, v) for v in values]
            if lv is Level.ORGANIZATION
            else None,
            textposition="top center",
            connectgaps=False,
        )
    own = frame[(frame["level"] == Level.ORGANIZATION) & (frame["org_id"] == org["org_id"])]
    targets = own.set_index("period")["target"]
    fig.add_scatter(
        x=[period_label(p) for p in periods],
        y=[targets.get(p) for p in periods],
        mode="lines",
        name="Цель",
        line={"color": legend.TARGET_CSS, "dash": "dash", "width": 3},
    )
    fig.update_xaxes(type="category", title=None)
    top = max([115.0, *(v * 1.1 for v in plotted)])
    fig.update_yaxes(
        title=indicator.unit,
        range=[0, top] if indicator.is_percent else None,
        rangemode="tozero",
    )
    title = f"{org['organization']}: {indicator.short}, динамика"
    return charts.themed(fig, title, subtitle, height=440)


def _registers(ctx: Page, org: pd.Series) -> None:
    period = ctx.filters.period
    st.subheader(f"Базы наставников и наставляемых за {period_label(period)}")
    scope = Scope(periods=(period,), org_id=int(org["org_id"]))
    person_bases_view.person_bases_section(
        ctx, scope, _subtitle(ctx, org), key="org_registers", whose=str(org["organization"])
    )
    found = ctx.cached.cross_check(scope)
    if not found.empty:
        st.markdown("**Форма расходится с базами**")
        st.dataframe(
            person_bases_view.discrepancy_table(found, with_school=False),
            hide_index=True,
            width="stretch",
            key="org_discrepancies",
        )


def _submitted(ctx: Page, org: pd.Series) -> None:
    st.subheader("Ответы формы, как они были введены")
    table = _submitted_table(ctx, int(org["org_id"]))
    if len(table.columns) <= 1:
        st.info("Организация ещё не представляла форму мониторинга.")
        return
    table = table.rename(columns={p: period_label(p) for p in table.columns[1:]})
    st.dataframe(
        table,
        hide_index=True,
        width="stretch",
        height=full_height(len(table)),
        key="submitted_table",
    )
    table_downloads(
        table, f"{org['organization']} — ответы формы", ctx.export_context(), "submitted"
    )
    st.caption("Значения показаны так, как они записаны в загруженном файле.")


def _quality(ctx: Page, org: pd.Series) -> None:
    st.subheader("Замечания к данным")
    findings = ctx.cached.findings(Scope(org_id=int(org["org_id"])))
    if findings.empty:
        st.success("Замечаний к данным организации нет.", icon=":material/verified:")
        return
    st.markdown(f"Замечаний: {quality.summary(findings)}.")
    table = person_bases_view.quality_table(findings).drop(columns=["Муниципалитет", "Организация"])
    table["Период"] = [period_label(p) for p in table["Период"]]
    st.dataframe(table, hide_index=True, width="stretch", key="quality_table")
    table_downloads(table, f"{org['organization']} — замечания", ctx.export_context(), "quality")


guarded(body)
