"""Обзор: the start page. Every indicator for the chosen scope and period, the reporting
rate, and the largest deficits."""

from __future__ import annotations

from dataclasses import replace

import pandas as pd
import streamlit as st
from starlette.middleware import Middleware

from analytics.compute.indicators import deficit_tally, deficits
from analytics.compute.lookups import MONITORED_HELP
from analytics.model import legend
from analytics.model.catalogue import INDICATORS, INDICATORS_BY_ID, REPORTING
from analytics.model.legend import LEGEND, Status
from analytics.model.levels import Level
from analytics.model.periods import period_label, previous_period
from analytics.store.scope import Scope
from analytics.wording import formatting, narrative
from ui import cookie, hardening, places, state
from ui.matrix import STATUS_DOT
from ui.page import guarded, page
from ui.places import Source
from ui.text import md

# Shape as well as colour, for colour-blind readers; the words are in the card's help.
STATUS_BADGE = {
    Status.GREEN: f":green-badge[{LEGEND[Status.GREEN].mark}]",
    Status.YELLOW: f":orange-badge[{LEGEND[Status.YELLOW].mark}]",
    Status.RED: f":red-badge[{LEGEND[Status.RED].mark}]",
    None: ":gray-badge[—]",
}


def focus(frame: pd.DataFrame, org_id: int | None) -> pd.DataFrame:
    """The rows the overview describes: the organisation, or the whole filtered scope."""
    if org_id is not None:
        return frame[(frame["level"] == Level.ORGANIZATION) & (frame["org_id"] == org_id)]
    return frame[frame["level"] == Level.TOTAL]


def body() -> None:
    ctx = page("Обзор", ":material/dashboard:")
    f = ctx.filters
    for found in [r for r in ctx.cached.rounds() if r.is_open][:1]:
        st.info(f"Идёт сбор форм: {md(found.title)}; срок — {found.due_on:%d.%m.%Y}.")
    if f.period is None:
        st.warning("В базе пока нет данных мониторинга. Загрузите файлы на странице «Данные».")
        st.page_link("pages/data.py", label="Перейти к загрузке", icon=":material/upload_file:")
        return
    subject = ctx.org_name(f.org_id) if f.org_id is not None else ctx.caption()
    st.caption(md(f"{subject} · {period_label(f.period)}" if f.org_id else subject))
    level = Level.ORGANIZATION if f.org_id is not None else Level.TOTAL
    earlier = previous_period(f.period, ctx.periods)
    scope = f.scope(all_periods=True, levels=(level,))
    current, cards, top, tally = _figures(
        places.shared(ctx.source), scope, f.org_id, f.period, earlier
    )
    if current["value"].isna().all():
        st.warning("Для выбранных фильтров нет данных за этот период. Измените фильтры.")
        return

    _summary(ctx, current, tally)
    st.subheader("Показатели")
    columns = st.columns(3)
    for n, card in enumerate(cards):
        with columns[n % 3]:
            st.metric(**card, border=True)

    st.subheader("Наибольшие дефициты")
    if top:
        st.caption(narrative.RANKING_NOTE)
    else:
        st.success("Все показатели достигли целевых значений.")
    for line in top:
        st.markdown(line)


@st.cache_data(show_spinner=False, max_entries=1024, hash_funcs=state.HASH_FUNCS)
def _figures(
    source: Source, scope: Scope, org_id: int | None, period: str, earlier: str | None
) -> tuple[pd.DataFrame, list[dict[str, object]], list[str], tuple[int, int]]:
    """What the overview shows of ``scope`` (or of organisation ``org_id``), the same for
    every session of a role and data version: the rows of ``period`` by indicator, the
    indicator cards (``st.metric``'s arguments), the lines of the five largest deficits
    and the deficit tally."""
    frame = focus(state.cached(*source).indicators(scope), org_id)
    current = frame[frame["period"] == period].set_index("indicator")
    previous = frame[frame["period"] == earlier].set_index("indicator")
    # The reporting rate heads the summary; the cards are the other fourteen.
    shown = [i for i in INDICATORS if not i.coverage and i.id in current.index]
    cards = [_card(i.id, current.loc[i.id], previous, earlier) for i in shown]
    top = []
    for n, (_, row) in enumerate(deficits(current.reset_index()).head(5).iterrows(), start=1):
        indicator = INDICATORS_BY_ID[row["indicator"]]
        line = formatting.explanation(
            indicator, row["numerator"], row["denominator"], row["value"], row["target"]
        )
        key = formatting.shortfall(indicator, row["shortfall"], row["target"])
        top.append(f"{n}. {STATUS_DOT[row['status']]} **{md(indicator.name)}**: {md(line)}; {key}")
    return current, cards, top, deficit_tally(current.reset_index())


def _summary(ctx, current: pd.DataFrame, tally: tuple[int, int]) -> None:
    left, middle, right = st.columns(3)
    reporting = current.loc[REPORTING.id] if REPORTING.id in current.index else None
    with left:
        if reporting is not None and pd.notna(reporting["value"]):
            # A curator gets a territory's share without its counts.
            counted = pd.notna(reporting["numerator"]) and pd.notna(reporting["denominator"])
            missing = int(reporting["denominator"] - reporting["numerator"]) if counted else 0
            st.metric(
                REPORTING.short,
                formatting.percent(reporting["value"]),
                help=formatting.fraction(
                    REPORTING, reporting["numerator"], reporting["denominator"]
                )
                if counted
                else "Число организаций куратору не показывается.",
                border=True,
            )
            if missing:
                st.caption(f"Не представили данные: {formatting.organizations(missing)}")
        else:
            st.metric("Представили данные", "—", help="реестр ОО не загружен", border=True)
    with middle:
        found, counted = tally
        st.metric("Показателей с дефицитом", formatting.part_of(found, counted), border=True)
    with right:
        f = ctx.filters
        # With an organisation chosen the overview is its own: so is this count.
        orgs = ctx.cached.organizations_in_monitoring(replace(f.scope(), org_id=f.org_id))
        st.metric(
            "Организаций в мониторинге",
            formatting.integer(orgs),
            help=MONITORED_HELP,
            border=True,
        )


def _card(
    indicator_id: str, row: pd.Series, previous: pd.DataFrame, previous_period
) -> dict[str, object]:
    """The ``st.metric`` arguments of one indicator's card."""
    indicator = INDICATORS_BY_ID[indicator_id]
    delta, arrow = None, "auto"
    if indicator_id in previous.index and pd.notna(row["value"]):
        before = previous.loc[indicator_id, "value"]
        if pd.notna(before):
            change = row["value"] - before
            if round(change, 1) == 0:
                # Nothing changed as shown: no arrow, no colour, words instead of «0,0».
                delta, arrow = "без изменений", "off"
            else:
                delta = formatting.indicator_difference(indicator, change).replace("−", "-")
    return dict(
        label=f"{indicator.short} {STATUS_BADGE[row['status']]}",
        value=formatting.indicator_value(indicator, row["value"]),
        delta=delta,
        delta_color="off"
        if arrow == "off"
        else ("normal" if indicator.better == "higher" else "inverse"),
        delta_arrow=arrow,
        delta_description=f"к {previous_period}" if delta else None,
        help=(
            f"{indicator.name}. "
            f"{formatting.fraction(indicator, row['numerator'], row['denominator'])}; "
            f"цель {formatting.target_value(indicator, row['target'])} — "
            f"{legend.label_of(row['status'])}."
        ),
    )


if __name__ == "__main__":  # a page run
    guarded(body)
else:
    # `streamlit run dashboard.py` finds this app and serves the pages through it (the
    # script is still this file): Streamlit's own server with its metrics endpoint closed
    # from the start, before any page has run (ui/hardening.py), and a route that sets
    # the remember cookie HTTP-only (ui/cookie.py).
    app = st.App(
        __file__,
        middleware=[Middleware(hardening.NoMetrics)],
        routes=cookie.routes(st.get_option("server.baseUrlPath")),
    )
