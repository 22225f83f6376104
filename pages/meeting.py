"""Заседание: a working-group meeting held from the dashboard. Open a meeting for the
period and territory of the filters (its values are frozen at that moment), type the
attendees, walk through the results one screen at a time (Назад/Далее or the arrow
keys, large type in presentation mode), record decisions on the deficit shown, and take
the protocol away as DOCX.

Writes (creating a meeting, its details, decisions) are in the small ``_…_form``
functions, so that access control can gate them one by one.
"""

from __future__ import annotations

from datetime import date, timedelta

import pandas as pd
import streamlit as st

from analytics.compute.indicators import deficits
from analytics.compute.trajectories import territory_scope
from analytics.documents.protocol import file_name as protocol_file_name
from analytics.meetings.decisions import (
    Assignment,
    DecisionError,
    row_territory,
)
from analytics.meetings.meetings import (
    DECISIONS,
    DEFAULT_TITLE,
    OVERVIEW,
    Meeting,
    MeetingError,
    Screen,
    Sitting,
    screens,
)
from analytics.model import legend
from analytics.model.catalogue import INDICATORS_BY_ID
from analytics.model.levels import LEVEL_INFO, Level
from analytics.model.periods import period_label
from analytics.wording import formatting
from analytics.wording.narrative import deficit_rank_sentence, indicator_sentence
from ui import charts, matrix
from ui.page import Filters, Page, describe, guarded, page, useful_breakdown
from ui.tables import fitted
from ui.text import md

DOCX_MIME = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
NEW = 0
DUE_DAYS = 30
# The most bars a chart shows in presentation mode: at 1280×720, under the indicator's
# sentence and above the decision form, each keeps a row its 20 px label and its figures
# fit in (with more, plotly leaves every other label out).
PRESENTED_BARS = 8
# The most decisions a table shows in presentation mode; more are shown a part at a time.
PRESENTED_DECISIONS = 4
DECISION_WIDTHS = ("3%", "37%", "21%", "22%", "17%")
# Presentation mode on a 1280×720 projector and up: no sidebar, toolbar, page title or
# notices; the navigation on one line; the screen fills the window's height (its chart
# stretches to what is left) and nothing scrolls; text at least 20 px, tables wrap.
PRESENTATION_CSS = """
<style>
[data-testid="stSidebar"], [data-testid="stSidebarCollapsedControl"],
header[data-testid="stHeader"],
[data-testid="stLayoutWrapper"]:has(> :is(.st-key-mtg_pick, .st-key-page_notices)),
.stMainBlockContainer [data-testid="stElementContainer"]:has(h1),
.stMainBlockContainer [data-testid="stElementContainer"]:has(> .stHtml > style),
.stMainBlockContainer [data-testid="stHeaderActionElements"],
.stMainBlockContainer [data-testid="stHeadingDivider"] { display: none; }
html { font-size: 20px; }
.stMainBlockContainer { max-width: 100%; height: 100vh; padding: 0.5rem 2rem; }
.stMainBlockContainer > [data-testid="stVerticalBlock"] { height: 100%; gap: 0.4rem; }
.stMainBlockContainer p, .stMainBlockContainer li { font-size: 24px; line-height: 1.3; }
.stMainBlockContainer [data-testid="stCaptionContainer"] p { font-size: 20px; }
.stMainBlockContainer h2 { font-size: 34px; line-height: 1.2; padding: 0 0 0.2rem; }
.st-key-mtg_nav button { min-height: 0; padding: 0.1rem 1rem; }
.st-key-mtg_nav p, .st-key-mtg_nav button * { font-size: 20px; margin: 0; }
.st-key-mtg_nav [data-testid="stMarkdownContainer"] { display: flex; align-items: center; }
.st-key-mtg_nav [data-testid="stColumn"]:nth-child(2) > [data-testid="stVerticalBlock"] {
  flex-direction: row; justify-content: center; align-items: center; gap: 1.5rem;
}
.st-key-mtg_nav [data-testid="stColumn"]:nth-child(2) [data-testid="stElementContainer"] {
  width: auto;
}
.stMainBlockContainer > [data-testid="stVerticalBlock"] > * { flex-shrink: 0; }
.stMainBlockContainer > [data-testid="stVerticalBlock"] > .st-key-mtg_chart {
  flex: 1 1 0; min-height: 0; overflow: hidden;
}
[data-testid="stTable"] table { width: 100%; }
.stMainBlockContainer [data-testid="stTable"] :is(th, td, p) {
  font-size: 20px; line-height: 1.25; white-space: pre-line;
}
[data-testid="stTable"] :is(th, td) { padding: 0.15rem 0.4rem; }
.stMainBlockContainer :is(input, textarea, button) * { font-size: 20px; }
.stMainBlockContainer :is(input, textarea, [data-testid="stDateInput"] *) { font-size: 20px; }
.stMainBlockContainer [data-testid="stAlertContainer"] p { font-size: 20px; margin: 0; }
[data-testid="stTable"] [data-testid="stMarkdownContainer"] { max-width: none; }
[data-testid="stMetricValue"] { font-size: 64px; }
[data-testid="stExpander"] summary p { font-size: 20px; }
[data-testid="stPopoverBody"] { max-height: calc(100vh - 5rem); overflow-y: auto; }
[data-testid="stPopoverBody"] [data-testid="stTable"] :is(th, td, p) { font-size: 20px; }
</style>
"""


def body() -> None:
    ctx = page("Заседание", ":material/groups:")
    if not ctx.principal.sees_every_organization:
        st.info(
            "Заседания показывают значения всех организаций, поэтому куратору недоступны. "
            "Поручения по вашим организациям — на странице «Поручения».",
            icon=":material/lock:",
        )
        return
    meeting_id = _choose_meeting(ctx)
    if meeting_id == NEW:
        if ctx.principal.runs_meetings:
            _create_form(ctx)
        else:
            st.info("Заседаний пока нет. Открыть заседание могут администратор и аналитики.")
        return
    try:
        meeting = ctx.view.meeting(meeting_id)
    except MeetingError as error:
        st.error(str(error))
        return
    if not _presentation(ctx, meeting):
        st.divider()
        if ctx.principal.runs_meetings:
            _details_form(ctx, meeting)
        st.download_button(
            "Протокол заседания (DOCX)",
            lambda: ctx.view.protocol(meeting.meeting_id),
            protocol_file_name(meeting),
            DOCX_MIME,
            key="mtg_protocol",
            on_click="ignore",
            icon=":material/download:",
        )


def _choose_meeting(ctx: Page) -> int:
    """The meeting from the URL (``?meeting=N``) or the list; NEW for a new one."""
    meetings = ctx.view.meetings()
    ids = [NEW, *meetings["meeting_id"].astype(int).tolist()]
    if not ctx.principal.runs_meetings and len(ids) > 1:
        ids.remove(NEW)
    labels = {NEW: "Новое заседание"} | {
        int(row.meeting_id): f"№ {row.meeting_id} от {formatting.day(row.held_on)} — "
        f"{row.territory}, {period_label(row.period)}"
        for row in meetings.itertuples(index=False)
    }
    if st.session_state.get("mtg_id") not in ids:
        wanted = st.query_params.get("meeting", "")
        # The latest meeting (the list is latest first) unless the URL names one.
        fallback = ids[1] if len(ids) > 1 and ids[0] == NEW else ids[0]
        st.session_state["mtg_id"] = (
            int(wanted)
            if wanted.isascii() and wanted.isdigit() and int(wanted) in ids
            else fallback
        )
    with st.container(key="mtg_pick"):
        meeting_id = st.selectbox("Заседание", ids, format_func=lambda i: labels[i], key="mtg_id")
    if meeting_id == NEW:
        st.query_params.pop("meeting", None)
    else:
        st.query_params["meeting"] = str(meeting_id)
    return int(meeting_id)


def _create_form(ctx: Page) -> None:
    """Open a new meeting over the period and territory of the filters."""
    f = ctx.filters
    if f.period is None:
        st.warning("В базе пока нет данных мониторинга. Загрузите файлы на странице «Данные».")
        return
    # A meeting covers a territory and compares its organisations: the filters without
    # the organisation, as the caption says.
    st.markdown(
        f"Заседание откроется по данным фильтров слева: **{md(ctx.caption())}**. "
        "Значения показателей будут зафиксированы в момент открытия."
    )
    if f.org_id is not None:
        st.info(
            f"Организация «{md(ctx.org_name(f.org_id))}», выбранная в фильтрах, в заседание "
            "не переносится: заседание рассматривает территорию со всеми её организациями. "
            "Показатели одной организации — на странице «Организация».",
            icon=":material/filter_alt:",
        )
    with st.form("mtg_new"):
        held_on = st.date_input("Дата заседания", value=date.today(), format="DD.MM.YYYY")
        title = st.text_input("Чьё заседание (в протоколе: «заседания …»)", value=DEFAULT_TITLE)
        place = st.text_input("Место проведения (необязательно)")
        attendees = st.text_area("Присутствовали (по одному в строке)")
        chair = st.text_input("Председатель")
        secretary = st.text_input("Секретарь")
        opened = st.form_submit_button("Открыть заседание", type="primary")
    if not opened:
        return
    try:
        meeting_id = ctx.view.create_meeting(
            f.scope(),
            Sitting(held_on, title, place, attendees, chair, secretary),
        )
    except MeetingError as error:
        st.error(str(error))
        return
    st.session_state.pop("mtg_id", None)
    st.query_params["meeting"] = str(meeting_id)
    st.rerun()


def _details_form(ctx: Page, meeting: Meeting) -> None:
    """The attendees, place, chair and secretary, typed in during the meeting."""
    with st.expander("Участники заседания", expanded=not meeting.attendees):
        with st.form(f"mtg_details_{meeting.meeting_id}"):
            attendees = st.text_area(
                "Присутствовали (по одному в строке)", value="\n".join(meeting.attendees)
            )
            place = st.text_input("Место проведения", value=meeting.place or "")
            chair = st.text_input("Председатель", value=meeting.chair or "")
            secretary = st.text_input("Секретарь", value=meeting.secretary or "")
            saved = st.form_submit_button("Сохранить")
        if saved:
            ctx.view.update_meeting(
                meeting.meeting_id,
                attendees=attendees,
                place=place,
                chair=chair,
                secretary=secretary,
            )
            st.rerun()


def meeting_filters(meeting: Meeting) -> Filters:
    return Filters(
        meeting.period,
        meeting.region_id,
        meeting.municipality_id,
        meeting.district_id,
        meeting.org_type,
    )


def stamp(meeting: Meeting, hierarchy: pd.DataFrame) -> str:
    """What every screen carries: the meeting, its filters and when its frozen data last
    changed (a meeting held before that was recorded: when it opened)."""
    return (
        f"Заседание № {meeting.meeting_id} от {formatting.day(meeting.held_on)} · "
        f"Фильтры: {describe(meeting_filters(meeting), hierarchy)} · "
        f"{formatting.data_stamp(meeting.data_at or meeting.opened_at)}"
    )


def _move(key: str, index: int) -> None:
    st.session_state[key] = index


def _presentation(ctx: Page, meeting: Meeting) -> bool:
    """The current screen with its navigation; True in presentation mode."""
    values = ctx.view.frozen_values(meeting.meeting_id)
    shown = screens(values)
    key = f"mtg_screen_{meeting.meeting_id}"
    index = min(max(int(st.session_state.get(key, 0)), 0), len(shown) - 1)
    nav = st.container(key="mtg_nav")
    back, where, forward = nav.columns([1, 2, 1], vertical_alignment="center")
    # Callbacks move the screen before the script runs, so both buttons are drawn for
    # the screen that is shown (Далее disabled on the last one).
    back.button(
        "Назад",
        icon=":material/arrow_back:",
        shortcut="Left",
        key="mtg_back",
        disabled=index == 0,
        width="stretch",
        on_click=_move,
        args=(key, index - 1),
    )
    forward.button(
        "Далее",
        icon=":material/arrow_forward:",
        icon_position="right",
        shortcut="Right",
        key="mtg_next",
        disabled=index == len(shown) - 1,
        width="stretch",
        on_click=_move,
        args=(key, index + 1),
    )
    where.markdown(f"<center>Экран {index + 1} из {len(shown)}</center>", unsafe_allow_html=True)
    presenting = where.toggle(
        "Режим презентации",
        key="mtg_present",
        help="Крупный шрифт, без боковой панели; во весь экран — клавиша F11 браузера. "
        "Стрелки ← → листают экраны, если курсор не стоит в поле ввода.",
    )
    if presenting:
        st.html(PRESENTATION_CSS)
    screen = shown[index]
    if presenting and ctx.principal.runs_meetings:
        _record_shown(ctx, meeting, screen)
    st.header(screen.title, divider="gray")
    st.caption(md(stamp(meeting, ctx.hierarchy)))
    if ctx.view.newer_data(meeting):
        st.caption(
            "После открытия заседания загружены новые данные; на экранах — данные, "
            "зафиксированные при открытии."
        )
    if screen.key == OVERVIEW:
        _overview(values, presenting)
    elif screen.key == DECISIONS:
        _decisions(ctx, meeting, presenting)
    else:
        _indicator(ctx, meeting, values, screen, presenting)
    return presenting


def _record_shown(ctx: Page, meeting: Meeting, screen: Screen) -> None:
    """A write: the first showing of a screen in presentation mode puts it on the
    protocol's agenda (browsing a past meeting later does not)."""
    ctx.view.mark_shown(meeting.meeting_id, screen)


def _overview(values: pd.DataFrame, presenting: bool) -> None:
    total = values[(values["level"] == Level.TOTAL) & values["value"].notna()]
    indicators = [INDICATORS_BY_ID[i] for i in total["indicator"]]
    table = pd.DataFrame(
        {
            "Показатель": [i.name for i in indicators],
            "Значение": [
                formatting.indicator_value(i, v)
                for i, v in zip(indicators, total["value"], strict=True)
            ],
            "Из чего": [
                formatting.fraction(i, n, d)
                for i, n, d in zip(
                    indicators, total["numerator"], total["denominator"], strict=True
                )
            ],
            "Цель": [
                formatting.target_bound(i, t)
                for i, t in zip(indicators, total["target"], strict=True)
            ],
            "Статус": [legend.label_of(s) for s in total["status"]],
        }
    )
    statuses = pd.DataFrame({"Статус": total["status"].to_numpy()}, index=table.index)
    if presenting:
        # An HTML table, its type as large as the page's, one line an indicator: the
        # fractions are said on each indicator's own screen.
        shown = table.drop(columns="Из чего")
        st.table(
            matrix.styled(shown, statuses).set_properties(
                ["Значение", "Цель", "Статус"], **{"white-space": "nowrap"}
            ),
            hide_index=True,
        )
        return
    st.dataframe(
        matrix.styled(table, statuses),
        hide_index=True,
        width="stretch",
        key="mtg_overview",
        # At 1280×720 beside the sidebar the status stays on the screen: the names wrap.
        **fitted(table, ["Показатель", "Из чего"], height_limit=900),
    )


def _indicator(
    ctx: Page, meeting: Meeting, values: pd.DataFrame, screen: Screen, presenting: bool
) -> None:
    indicator_id = str(screen.indicator)
    rows = values[values["indicator"] == indicator_id]
    total = rows[rows["level"] == Level.TOTAL]
    if not total.empty:
        st.markdown(md(indicator_sentence(total.iloc[0].to_dict(), meeting.org_type)))
    # The screens of deficits come in the engine's ranking: each says its place and key.
    ranked = deficits(values[values["level"] == Level.TOTAL])
    place = ranked.index[ranked["indicator"] == indicator_id]
    if len(place):
        row = ranked.loc[place[0]].to_dict()
        st.caption(md(deficit_rank_sentence(int(place[0]) + 1, len(ranked), row)))
    split = useful_breakdown(meeting_filters(meeting), ctx.hierarchy, values)
    units = matrix.unit_rows(rows, split)
    if units["value"].notna().any():
        if not presenting:
            fig = charts.indicator_bars(
                units,
                indicator_id,
                f"{screen.title} {split.title}",
                describe(meeting_filters(meeting), ctx.hierarchy),
            )
            charts.plot(fig, key="mtg_chart", config={"displaylogo": False}, theme=None)
        else:
            shown = presented_units(units, indicator_id)
            fig = charts.presented(
                charts.indicator_bars(shown, indicator_id, split.title.capitalize(), "")
            )
            # Without Streamlit's theme, which would put its own smaller fonts back; as
            # tall as the screen leaves.
            st.plotly_chart(
                fig,
                key="mtg_chart",
                config={"displaylogo": False, "displayModeBar": False},
                theme=None,
                height="stretch",
            )
            # The chart's text alternative one click (or Enter) away, with every unit the
            # chart leaves out: a popover, which opens over the screen without moving it.
            every = charts.indicator_bars(units, indicator_id, split.title.capitalize(), "")
            row = st.container(key="mtg_chart_table")
            table, note = row.columns([1, 3], vertical_alignment="center")
            with table:
                charts.data_table(every.to_dict(), floating=True)
            hidden = units["value"].notna().sum() - len(shown)
            if hidden:
                note.caption(md(more_units_note(len(shown), len(shown) + hidden, split.level)))
    if ctx.principal.runs_meetings:
        _decision_form(ctx, meeting, rows, split.level, presenting)


def presented_units(units: pd.DataFrame, indicator_id: str) -> pd.DataFrame:
    """The units with a value that a projector's chart shows: all of them up to
    :data:`PRESENTED_BARS`, else those farthest behind the target (the lowest values, or
    the highest where less is better)."""
    indicator = INDICATORS_BY_ID[indicator_id]
    rows = units.dropna(subset=["value"])
    if len(rows) <= PRESENTED_BARS:
        return rows
    worst_first = rows.sort_values("value", ascending=indicator.better == "higher", kind="stable")
    return worst_first.head(PRESENTED_BARS)


def more_units_note(shown: int, total: int, level: Level) -> str:
    """What a projector's chart leaves out: «На диаграмме 8 из 103 организаций …»."""
    info = LEVEL_INFO[level]
    word = formatting.genitive_after_from(total, info.genitive, info.genitive_plural)
    return (
        f"На диаграмме {formatting.part_of(shown, total, word)}, наиболее отстающих "
        "от цели; все — в таблице данных."
    )


def deficit_choices(
    meeting: Meeting, rows: pd.DataFrame, unit_level: Level, place: str
) -> dict[tuple[str, int], str]:
    """Where a decision can be attached: the meeting's territory and the units below it
    that miss the target (the territory, named ``place``, first; then the largest gaps)."""
    indicator = INDICATORS_BY_ID[str(rows["indicator"].iloc[0])]
    candidates = rows[rows["level"].isin([Level.TOTAL, unit_level, Level.ORGANIZATION])]
    candidates = candidates[candidates["deficit"]]
    order = {Level.TOTAL: 0, unit_level: 1, Level.ORGANIZATION: 2}
    candidates = candidates.assign(rank=candidates["level"].map(order)).sort_values(
        ["rank", "gap"], ascending=[True, False], kind="stable"
    )
    choices: dict[tuple[str, int], str] = {}
    for row in candidates.to_dict("records"):
        level, territory = row_territory(row, meeting)
        if row["level"] == Level.TOTAL:
            name = place
        else:
            name = str(row[LEVEL_INFO[Level(row["level"])].name])
        value = formatting.indicator_value(indicator, row["value"])
        choices.setdefault((str(level), territory), f"{name}: {value}")
    return choices


def _decision_form(
    ctx: Page, meeting: Meeting, rows: pd.DataFrame, unit_level: Level, presenting: bool
) -> None:
    """A decision on the deficit shown: where, what, who, by when. In presentation mode
    (large type at 1280×720) the fields stand in two columns, so that the open form and
    its button stay on the screen."""
    place = ctx.view.territory_name(*meeting.territory)
    choices = deficit_choices(meeting, rows, unit_level, place)
    if not choices:
        st.success("Цель достигнута: дефицита по этому показателю нет.")
        return
    with st.expander("Поручение по дефициту", icon=":material/assignment_add:"):
        with st.form("mtg_decision", clear_on_submit=True):
            left, right = st.columns(2) if presenting else (st.container(), st.container())
            where = left.selectbox(
                "Где дефицит", list(choices), format_func=lambda k: choices[k], key="mtg_dec_where"
            )
            text = left.text_area(
                "Что поручено сделать", height=90 if presenting else None, key="mtg_dec_text"
            )
            responsible = right.text_input("Ответственный", key="mtg_dec_who")
            due = right.date_input(
                "Срок исполнения",
                value=meeting.held_on + timedelta(days=DUE_DAYS),
                format="DD.MM.YYYY",
                key="mtg_dec_due",
            )
            added = right.form_submit_button("Добавить поручение", type="primary")
        if added:
            level, territory = where
            try:
                ctx.view.add_decision(
                    meeting.meeting_id,
                    territory_scope(
                        Level(level), territory, indicators=(str(rows["indicator"].iloc[0]),)
                    ),
                    Assignment(text, responsible, due),
                )
            except DecisionError as error:
                st.error(str(error))
                return
            st.success("Поручение добавлено.")


def decisions_table(decisions: pd.DataFrame) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "№": decisions["decision_id"].astype(int).to_numpy(),
            "Поручение": decisions["text"].to_numpy(),
            "Показатель": decisions["indicator_name"].to_numpy(),
            "Территория": decisions["territory"].to_numpy(),
            "Ответственный": decisions["responsible"].to_numpy(),
            "Срок": [formatting.day(d) for d in decisions["due_date"]],
            "Статус": decisions["status"].to_numpy(),
        }
    )


def presented_decisions(decisions: pd.DataFrame, moved: pd.DataFrame) -> pd.DataFrame:
    """The decisions table for a projector: five columns, the indicator by its short name,
    two facts a cell (one a line) where they belong together, so that every column fits
    the screen's width."""
    table = decisions_table(decisions)
    short = [INDICATORS_BY_ID[i].short for i in decisions["indicator"]]
    return pd.DataFrame(
        {
            "№": table["№"].astype(str),
            "Поручение": table["Поручение"],
            "Показатель, территория": [
                f"{name}\n{place}" for name, place in zip(short, table["Территория"], strict=True)
            ],
            "Ответственный, срок": table["Ответственный"] + "\nдо " + table["Срок"],
            "Статус, динамика": table["Статус"] + "\n" + moved["summary"].to_numpy(),
        }
    )


def decision_parts(count: int) -> list[tuple[int, int]]:
    """The decisions of a projector's screen, :data:`PRESENTED_DECISIONS` at a time, as
    (first, last) positions counted from 1."""
    return [
        (first, min(first + PRESENTED_DECISIONS - 1, count))
        for first in range(1, count + 1, PRESENTED_DECISIONS)
    ]


def _decisions(ctx: Page, meeting: Meeting, presenting: bool) -> None:
    decisions = ctx.view.decisions(meeting.meeting_id)
    if decisions.empty:
        st.info(
            "Поручений пока нет. Их можно добавить на экране показателя с дефицитом "
            "(«Поручение по дефициту»)."
        )
        return
    table = decisions_table(decisions)
    # At a later meeting this screen shows whether the indicators moved since.
    moved = ctx.cached.decision_progress(decisions)
    table["Динамика показателя"] = moved["summary"].to_numpy()
    if presenting:
        table = presented_decisions(decisions, moved)
        parts = decision_parts(len(table))
        if len(parts) > 1:
            part = st.segmented_control(
                "Поручения",
                range(len(parts)),
                format_func=lambda n: "–".join(dict.fromkeys(map(str, parts[n]))),
                default=0,
                required=True,
                key=f"mtg_dec_part_{meeting.meeting_id}",
                label_visibility="collapsed",
            )
            first, last = parts[part]
            table = table.iloc[first - 1 : last]
        # Widths by what the columns hold: the decision's text gets the most.
        widths = [
            {"selector": f"th.col{n}", "props": f"width: {width}"}
            for n, width in enumerate(DECISION_WIDTHS)
        ]
        st.table(table.style.set_table_styles(widths), hide_index=True)
        return
    st.dataframe(
        table,
        hide_index=True,
        width="stretch",
        key="mtg_decisions",
        # At 1280×720 beside the sidebar: who, by when and how it stands stay on the
        # screen, the wordings wrap.
        **fitted(
            table,
            ["Поручение", "Показатель", "Территория", "Ответственный", "Динамика показателя"],
            height_limit=900,
        ),
    )


guarded(body)
