"""Поручения: every decision of the working-group meetings, filtered by status,
responsible person, indicator and territory; overdue ones highlighted; beside each,
whether its indicator improved by the latest monitoring round. Statuses are changed in
a small separate form, so that access control can gate it."""

from __future__ import annotations

from datetime import date

import pandas as pd
import streamlit as st

from analytics.meetings.decisions import (
    IMPROVED,
    STATUSES,
    WORSENED,
    DecisionError,
)
from analytics.model import legend
from analytics.model.legend import Status
from analytics.wording import formatting
from ui import matrix
from ui.page import ALL, Page, guarded, page
from ui.tables import fitted, table_downloads

# Streamlit's default range is ten years around the value; a due date may move further.
EARLIEST_DUE, LATEST_DUE = date(2000, 1, 1), date(2100, 12, 31)
OVERDUE_CSS = "background-color: #F9D9CB"
VERDICT_COLORS = {
    IMPROVED: legend.STATUS_COLOURS[Status.GREEN],
    WORSENED: legend.STATUS_COLOURS[Status.RED],
}


def body() -> None:
    ctx = page("Поручения", ":material/assignment:")
    decisions = ctx.view.decisions(today=date.today())
    if decisions.empty:
        st.info(
            "Поручений пока нет. Их дают на заседании рабочей группы (страница «Заседание»), "
            "на экране показателя с дефицитом."
        )
        return
    st.caption(
        "Фильтры боковой панели на этот список не действуют: здесь все поручения всех "
        "заседаний. «Динамика показателя» сравнивает значение на момент поручения с "
        "последним загруженным периодом."
    )
    moved = ctx.cached.decision_progress(decisions).set_index("decision_id")
    chosen = _filtered(decisions)
    overdue = int(chosen["overdue"].sum())
    left, middle, right = st.columns(3)
    left.metric("Поручений", formatting.integer(len(chosen)), border=True)
    middle.metric("Просрочено", formatting.integer(overdue), border=True)
    improved = sum(moved.loc[i, "verdict"] == IMPROVED for i in chosen["decision_id"])
    right.metric("Показатель улучшился", formatting.integer(improved), border=True)
    table = decisions_table(chosen, moved)
    st.dataframe(
        highlighted(table, chosen["overdue"].tolist()),
        hide_index=True,
        width="stretch",
        key="dec_table",
        # On a projector (1280×720) what was ordered, to whom, by when and how it stands;
        # the meeting, the overdue mark (the rows are tinted) and the indicator's movement
        # are in the downloads.
        **fitted(
            table,
            ["Показатель", "Территория", "Поручение", "Ответственный"],
            hide=["Заседание", "Просрочено", "Динамика показателя"],
            height_limit=800,
        ),
    )
    st.caption(
        "Просроченные поручения (срок прошёл, не выполнены и не отменены) выделены. "
        "Заседание и динамику показателя по каждому поручению — в выгрузке XLSX."
    )
    table_downloads(table, "Поручения", ctx.export_context(), "decisions")
    if ctx.principal.runs_meetings:
        _edit_form(ctx, chosen)


def _filtered(decisions: pd.DataFrame) -> pd.DataFrame:
    status_col, who_col, indicator_col, where_col, late_col = st.columns(
        [2, 2, 2, 2, 1], vertical_alignment="bottom"
    )
    statuses = status_col.multiselect(
        "Статус", list(STATUSES), default=[], key="dec_status", placeholder="Все статусы"
    )
    choices = {
        "dec_who": ("Ответственный", who_col, "responsible"),
        "dec_indicator": ("Показатель", indicator_col, "indicator_name"),
        "dec_where": ("Территория", where_col, "territory"),
    }
    chosen = decisions
    if statuses:
        chosen = chosen[chosen["status"].isin(statuses)]
    for key, (label, column, field) in choices.items():
        options = [ALL, *sorted(decisions[field].unique())]
        matrix.forget_invalid(key, options)
        value = column.selectbox(
            label, options, key=key, format_func=lambda v: "все" if v == ALL else v
        )
        if value != ALL:
            chosen = chosen[chosen[field] == value]
    if late_col.checkbox("Только просроченные", key="dec_overdue"):
        chosen = chosen[chosen["overdue"]]
    return chosen


def decisions_table(decisions: pd.DataFrame, moved: pd.DataFrame) -> pd.DataFrame:
    """The decisions as people read them, with the indicator's movement since."""
    ids = decisions["decision_id"].astype(int).tolist()
    return pd.DataFrame(
        {
            "№": ids,
            "Заседание": [
                f"№ {m} от {formatting.day(d)}"
                for m, d in zip(decisions["meeting_id"], decisions["held_on"], strict=True)
            ],
            "Показатель": decisions["indicator_name"].to_numpy(),
            "Территория": decisions["territory"].to_numpy(),
            "Поручение": decisions["text"].to_numpy(),
            "Ответственный": decisions["responsible"].to_numpy(),
            "Срок": [formatting.day(d) for d in decisions["due_date"]],
            "Статус": decisions["status"].to_numpy(),
            "Просрочено": ["да" if late else "" for late in decisions["overdue"]],
            "Итог": [moved.loc[i, "verdict"] for i in ids],
            "Динамика показателя": [moved.loc[i, "summary"] for i in ids],
        }
    )


def highlighted(table: pd.DataFrame, overdue: list[bool]) -> object:
    """Overdue rows tinted; the verdict in green (improved) or red (worsened) type."""
    css = pd.DataFrame("", index=table.index, columns=table.columns)
    for n, late in enumerate(overdue):
        if late:
            css.iloc[n] = OVERDUE_CSS
    css["Итог"] = [
        "; ".join(
            part
            for part in (
                css.iloc[n]["Итог"],
                f"color: {VERDICT_COLORS[v]}; font-weight: bold" if v in VERDICT_COLORS else "",
            )
            if part
        )
        for n, v in enumerate(table["Итог"])
    ]
    return table.style.apply(lambda _: css, axis=None)


def _edit_form(ctx: Page, decisions: pd.DataFrame) -> None:
    """Change a decision: what is to be done, who, by when, and its status."""
    if decisions.empty:
        return
    st.subheader("Изменить поручение")
    labels = {
        int(row.decision_id): f"№ {row.decision_id}: {row.text} ({row.responsible})"
        for row in decisions.itertuples(index=False)
    }
    decision_id = st.selectbox("Поручение", list(labels), format_func=labels.get, key="dec_edit_id")
    row = decisions.set_index("decision_id").loc[decision_id]
    statuses = list(STATUSES)
    # Keys carry the decision, so choosing another one fills the form with its values.
    with st.form(f"dec_edit_form_{decision_id}"):
        text = st.text_area("Что сделать", value=row["text"], key=f"dec_text_{decision_id}")
        responsible = st.text_input(
            "Ответственный", value=row["responsible"], key=f"dec_resp_{decision_id}"
        )
        due = st.date_input(
            "Срок",
            value=row["due_date"],
            min_value=EARLIEST_DUE,
            max_value=LATEST_DUE,
            format="DD.MM.YYYY",
            key=f"dec_due_{decision_id}",
        )
        status = st.selectbox(
            "Статус",
            statuses,
            index=statuses.index(row["status"]) if row["status"] in statuses else 0,
            key="dec_edit_status",
        )
        saved = st.form_submit_button("Сохранить", type="primary")
    if saved:
        try:
            ctx.view.update_decision(
                int(decision_id), text=text, responsible=responsible, due_date=due, status=status
            )
        except DecisionError as error:
            st.error(str(error))
            return
        st.rerun()


guarded(body)
