"""The person registers on screen: counts, forms of mentoring, mentor load, the forms
against the registers, the people themselves (only on «Данные») and the data-quality list
with links to each school's profile.

Engine results come from :mod:`analytics.compute.person_bases` and
:mod:`analytics.compute.quality`, cached by data version. Charts and tables here never show
a name; :func:`people_tables` does, and only the «Данные» page calls it.
"""

from __future__ import annotations

from collections.abc import Callable

import pandas as pd
import plotly.graph_objects as go
import streamlit as st
from streamlit.errors import StreamlitPageNotFoundError

from analytics.compute import person_bases, quality
from analytics.ingest.load import IngestResult
from analytics.model.catalogue import ANSWERED_BY_PERSON_BASES
from analytics.model.contract import (
    KIND_LABELS,
    MENTEE_CATEGORIES_BY_CODE,
    MENTORING_FORMS_BY_CODE,
    PERSON_TABLES,
    FormKind,
)
from analytics.model.legend import STATUS_COLOURS, TARGET_CSS, Status
from analytics.model.periods import period_label
from analytics.store.scope import Scope
from analytics.wording import formatting
from ui import charts, upload
from ui.page import Filters, Page
from ui.text import md

ORGANIZATION_PAGE = "pages/organization.py"
DATABASES_INDICATOR = ANSWERED_BY_PERSON_BASES.name
OVERLOADED_COLOR = STATUS_COLOURS[Status.RED]
NORMAL_COLOR = TARGET_CSS


def people_noun(n: int) -> str:
    return formatting.count(n, "человек", "человека", "человек")


def check_summary(result: IngestResult) -> str:
    """What a checked file would do, in one line (a register: people and organisations)."""
    if result.kind not in PERSON_TABLES:
        return upload.check_summary(result)
    parts = [
        formatting.count(result.rows, "строка", "строки", "строк"),
        f"организаций: {formatting.integer(result.organizations)}",
        f"новых организаций: {formatting.integer(result.new_organizations)}",
        f"будет заменено баз: {formatting.integer(result.replaced)}",
    ]
    if result.periods:
        parts.append("период: " + ", ".join(result.periods))
    if result.municipalities:
        parts.append("муниципалитеты: " + ", ".join(result.municipalities))
    return "; ".join(parts)


def load_summary(result: IngestResult) -> str:
    """What an upload did, in one line."""
    if result.kind not in PERSON_TABLES:
        return upload.load_summary(result)
    return "; ".join(
        [
            f"загрузка № {result.upload_id}",
            formatting.count(result.rows, "строка", "строки", "строк"),
            f"организаций: {formatting.integer(result.organizations)}",
            f"новых организаций: {formatting.integer(result.new_organizations)}",
            f"заменено баз: {formatting.integer(result.replaced)}",
        ]
    )


def _count(value: object) -> str:
    return "—" if value is None or pd.isna(value) else formatting.integer(int(value))


def _months(low: object, high: object) -> str:
    if low is None or pd.isna(low):
        return "—"
    low, high = int(low), int(high)
    if low == high:
        return formatting.count(low, "месяц", "месяца", "месяцев")
    return f"от {low} до {formatting.count(high, 'месяца', 'месяцев', 'месяцев')}"


# --- tables --------------------------------------------------------------------------


def summary_table(frame: pd.DataFrame) -> pd.DataFrame:
    """The registers per organisation and period, without names."""
    return pd.DataFrame(
        {
            "Период": [period_label(p) for p in frame["period"]],
            "Муниципалитет": frame["municipality"].tolist(),
            "Организация": frame["organization"].tolist(),
            "Базы": [
                ", ".join(
                    label for label, listed in (("наставников", m), ("наставляемых", e)) if listed
                )
                for m, e in zip(frame["mentors_listed"], frame["mentees_listed"], strict=True)
            ],
            "Наставников": [_count(v) for v in frame["mentors"]],
            "Обучены": [_count(v) for v in frame["mentors_trained"]],
            "Наставляемых": [_count(v) for v in frame["mentees"]],
            "Пар": [_count(v) for v in frame["pairs"]],
            "Групп": [_count(v) for v in frame["groups"]],
            f"Наставников с нагрузкой более {person_bases.MENTOR_LOAD_LIMIT}": [
                _count(v) for v in frame["overloaded_mentors"]
            ],
            "Завершили программу": [
                "—" if pd.isna(p) else f"{_count(n)} ({formatting.percent(p)})"
                for n, p in zip(frame["mentees_completed"], frame["completion_pct"], strict=True)
            ],
            "Длительность программ": [
                _months(a, b) for a, b in zip(frame["months_min"], frame["months_max"], strict=True)
            ],
        }
    )


def discrepancy_table(frame: pd.DataFrame, with_school: bool = True) -> pd.DataFrame:
    """The forms against the registers, one row per school, period and count."""
    table = pd.DataFrame(
        {
            "Период": [period_label(p) for p in frame["period"]],
            "Муниципалитет": frame["municipality"].tolist(),
            "Организация": frame["organization"].tolist(),
            "Показатель формы": frame["field_name"].tolist(),
            "В форме": [_count(v) for v in frame["form_value"]],
            "В базе": [_count(v) for v in frame["register_value"]],
            "База": frame["register_name"].tolist(),
            "Разница": [_signed(v) for v in frame["difference"]],
        }
    )
    return table if with_school else table.drop(columns=["Муниципалитет", "Организация"])


def _signed(value: object) -> str:
    v = int(value)
    return (
        f"+{formatting.integer(v)}" if v > 0 else ("0" if v == 0 else f"−{formatting.integer(-v)}")
    )


def totals_table(frame: pd.DataFrame) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "Период": [period_label(p) for p in frame["period"]],
            "Территория": frame["territory"].tolist(),
            "Показатель формы": frame["field_name"].tolist(),
            "Сверено ОО": [_count(v) for v in frame["schools"]],
            "С расхождением": [_count(v) for v in frame["schools_differing"]],
            "Сумма по формам": [_count(v) for v in frame["form_value"]],
            "Сумма по базам": [_count(v) for v in frame["register_value"]],
            "Разница": [_signed(v) for v in frame["difference"]],
        }
    )


def people_tables(
    mentors: pd.DataFrame, mentees: pd.DataFrame
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The register rows **with names**, for the «Данные» page only (152-ФЗ)."""

    def when(value: object) -> str:
        return "" if value is None or pd.isna(value) else formatting.day(pd.Timestamp(value))

    def form(code: object) -> str:
        choice = MENTORING_FORMS_BY_CODE.get(code) if isinstance(code, str) else None
        return choice.label if choice else ""

    def yes_no(value: object) -> str:
        return "" if value is None or pd.isna(value) else ("да" if value else "нет")

    shown_mentors = pd.DataFrame(
        {
            "Период": [period_label(p) for p in mentors["period"]],
            "ФИО наставника": mentors["full_name"].tolist(),
            "Должность": mentors["position"].fillna("").tolist(),
            "Стаж, лет": [_count(v) if pd.notna(v) else "" for v in mentors["experience_years"]],
            "Форма наставничества": [form(c) for c in mentors["mentoring_form"]],
            "Наставляемых по плану": [
                _count(v) if pd.notna(v) else "" for v in mentors["planned_mentees"]
            ],
            "Наставляемых в базе": [_count(v) for v in mentors["mentees"]],
            "Дата начала": [when(v) for v in mentors["start_date"]],
            "Дата окончания": [when(v) for v in mentors["end_date"]],
            "Обучение пройдено": [yes_no(v) for v in mentors["trained"]],
        }
    )
    shown_mentees = pd.DataFrame(
        {
            "Период": [period_label(p) for p in mentees["period"]],
            "ФИО наставляемого": mentees["full_name"].tolist(),
            "Категория": [
                MENTEE_CATEGORIES_BY_CODE[c].label if isinstance(c, str) else ""
                for c in mentees["category"]
            ],
            "ФИО наставника": mentees["mentor_name"].fillna("").tolist(),
            "Наставник в базе": [
                "" if not isinstance(n, str) else ("найден" if found else "не найден")
                for n, found in zip(mentees["mentor_name"], mentees["mentor_found"], strict=True)
            ],
            "Форма наставничества": [form(c) for c in mentees["mentoring_form"]],
            "Дата вхождения": [when(v) for v in mentees["start_date"]],
            "Дата завершения": [when(v) for v in mentees["end_date"]],
            "Программа завершена": [yes_no(v) for v in mentees["completed"]],
        }
    )
    return shown_mentors, shown_mentees


def quality_table(findings: pd.DataFrame) -> pd.DataFrame:
    """Data-quality findings with Russian headers; «Вид» names the kind of finding."""
    frame = findings.copy()
    frame["severity"] = [quality.FINDING_KINDS[quality.finding_kind(r)][0] for r in frame["rule"]]
    headers = upload.QUALITY_HEADERS
    return frame[list(headers)].rename(columns=headers).reset_index(drop=True)


# --- charts --------------------------------------------------------------------------


def forms_chart(rows: pd.DataFrame, title: str, subtitle: str) -> go.Figure:
    """Mentees by form of mentoring, with the pairs and groups they make."""
    rows = rows.iloc[::-1]  # the contract's first form at the top
    details = [
        " · ".join(
            part
            for part in (
                formatting.count(int(e), "наставляемый", "наставляемых", "наставляемых"),
                formatting.count(int(m), "наставник", "наставника", "наставников"),
                formatting.count(int(p), "пара", "пары", "пар") if p else "",
                formatting.count(int(g), "группа", "группы", "групп") if g else "",
            )
            if part
        )
        for e, m, p, g in zip(
            rows["mentees"], rows["mentors"], rows["pairs"], rows["groups"], strict=True
        )
    ]
    fig = go.Figure(
        go.Bar(
            x=rows["mentees"],
            y=[charts.plot_text(label) for label in rows["label"]],
            orientation="h",
            marker_color=NORMAL_COLOR,
            text=[formatting.integer(int(v)) for v in rows["mentees"]],
            textposition="auto",
            hovertext=[charts.plot_text(d) for d in details],
            hoverinfo="text",
            name="Наставляемых",
        )
    )
    fig.add_bar(
        x=rows["mentors"],
        y=[charts.plot_text(label) for label in rows["label"]],
        orientation="h",
        marker_color=STATUS_COLOURS[None],
        text=[formatting.integer(int(v)) for v in rows["mentors"]],
        textposition="auto",
        name="Наставников",
        hoverinfo="skip",
    )
    fig.update_layout(barmode="group")
    fig.update_xaxes(title="человек")
    fig.update_yaxes(automargin=True)
    return charts.themed(fig, title, subtitle, height=max(320, 140 + 70 * len(rows)))


def load_chart(rows: pd.DataFrame, title: str, subtitle: str) -> go.Figure:
    """Mentors by the number of their mentees; more than the limit in red."""
    fig = go.Figure(
        go.Bar(
            x=[charts.plot_text(label) for label in rows["label"]],
            y=rows["mentors"],
            marker_color=[OVERLOADED_COLOR if o else NORMAL_COLOR for o in rows["overloaded"]],
            text=[formatting.integer(int(v)) for v in rows["mentors"]],
            textposition="auto",
            hovertemplate="%{x} наставляемых: %{y} наставн.<extra></extra>",
        )
    )
    fig.update_xaxes(title="наставляемых у наставника", type="category")
    fig.update_yaxes(title="наставников", rangemode="tozero")
    return charts.themed(fig, title, subtitle, height=380)


# --- sections ------------------------------------------------------------------------


def person_bases_section(
    ctx: Page, scope: Scope, subtitle: str, key: str, whose: str | None = None
) -> None:
    """Counts, forms of mentoring and mentor load under ``scope`` (no names); ``whose``
    (an organisation's name) heads the chart titles."""
    frame = ctx.cached.person_base_summary(scope)
    if frame.empty:
        st.info(
            "Базы наставников и наставляемых для выбранных фильтров не загружены. Их можно "
            "загрузить на странице «Данные» (виды «База наставников» и «База наставляемых»)."
        )
        return
    sums = person_bases.totals(frame)
    columns = st.columns(5)
    columns[0].metric("ОО с базами", formatting.organizations(sums["organizations"]), border=True)
    columns[1].metric("Наставников", formatting.integer(sums["mentors"]), border=True)
    columns[2].metric("Наставляемых", formatting.integer(sums["mentees"]), border=True)
    columns[3].metric(
        "Пар / групп",
        f"{formatting.integer(sums['pairs'])} / {formatting.integer(sums['groups'])}",
        border=True,
        help="Наставник с несколькими наставляемыми в форме «наставник – группа» ведёт "
        "одну группу; остальные наставляемые с наставником — пары.",
    )
    columns[4].metric(
        f"Нагрузка более {person_bases.MENTOR_LOAD_LIMIT}",
        formatting.count(sums["overloaded_mentors"], "наставник", "наставника", "наставников"),
        border=True,
        help="Наставники, у которых больше наставляемых, чем цель показателя «Наставляемых "
        "на одного наставника».",
    )
    _programme_caption(frame, sums)
    forms = ctx.cached.form_distribution(scope)
    left, right = st.columns(2)
    with left:
        if forms.empty:
            st.info("Формы наставничества в базах не указаны.")
        else:
            title = f"{whose}: формы наставничества" if whose else "Формы наставничества"
            charts.show(forms_chart(forms, title, subtitle), title, key=f"{key}_forms")
    with right:
        load = person_bases.load_distribution(ctx.cached.mentor_loads(scope))
        if int(load["mentors"].sum()) == 0:
            st.info("Нагрузку наставников посчитать не из чего: нет базы наставников.")
        else:
            title = f"{whose}: нагрузка на наставников" if whose else "Нагрузка на наставников"
            charts.show(load_chart(load, title, subtitle), title, key=f"{key}_load")


def _programme_caption(frame: pd.DataFrame, sums: dict[str, int]) -> None:
    lines = []
    if sums["programmes"]:
        low, high = frame["months_min"].min(), frame["months_max"].max()
        lines.append(
            f"Длительность программ: {_months(low, high)} "
            f"(по {formatting.count(sums['programmes'], 'программе', 'программам', 'программам')}"
            " с датами начала и окончания)."
        )
    completed, answered = sums["mentees_completed"], sums["mentees_answered"]
    if answered:
        lines.append(
            f"Завершили программу {formatting.integer(completed)} из "
            f"{formatting.integer(answered)} наставляемых с ответом "
            f"({formatting.percent(100 * completed / answered)})."
        )
    if sums["unmatched_mentor"]:
        whom = formatting.count(
            sums["unmatched_mentor"], "наставляемого", "наставляемых", "наставляемых"
        )
        lines.append(f"У {whom} наставник не найден в базе наставников.")
    if lines:
        st.caption(" ".join(lines))


def profile_link(filters: Filters, org_id: int, label: str, key: str | None = None) -> bool:
    """A link to an organisation's profile with the current filters, ``label`` shown as
    typed (a link's label is markdown); False where the page cannot be linked (a page
    opened as its own app, as in some tests)."""
    params = {**filters.params(), "org": str(int(org_id))}
    try:
        st.page_link(
            ORGANIZATION_PAGE, label=md(label), icon=":material/school:", query_params=params
        )
    except StreamlitPageNotFoundError:
        return False
    return True


def quality_links(findings: pd.DataFrame, filters: Filters, limit: int = 40) -> None:
    """Links to the profiles of the organisations with findings, most findings first."""
    counts = findings.groupby(["org_id", "organization"], sort=False).size()
    counts = counts.sort_values(ascending=False, kind="stable")
    if counts.empty:
        return
    st.markdown("**Профили организаций с замечаниями**")
    for (org_id, name), n in list(counts.items())[:limit]:
        noun = formatting.count(int(n), "замечание", "замечания", "замечаний")
        if not profile_link(filters, int(org_id), f"{name} — {noun}"):
            return
    if len(counts) > limit:
        st.caption(
            f"Показаны {formatting.part_of(limit, len(counts), formatting.OF_ORGANIZATIONS)}; "
            "выберите "
            "муниципалитет или вид замечаний, чтобы сузить список."
        )


def confirm(key: str, ask: str, warning: str, yes: str, action: Callable[[], None]) -> None:
    """A button that asks before ``action`` runs."""
    if not st.session_state.get(key):
        if st.button(ask, icon=":material/delete:", key=f"{key}_ask"):
            st.session_state[key] = True
            st.rerun()
        return
    st.warning(warning, icon=":material/warning:")
    left, right, _ = st.columns([2, 1, 4])
    if left.button(yes, type="primary", key=f"{key}_yes"):
        st.session_state.pop(key, None)
        action()
        st.rerun()
    if right.button("Нет, оставить", key=f"{key}_no"):
        st.session_state.pop(key, None)
        st.rerun()


def kind_file_name(kind: FormKind) -> str:
    """The template's file name for ``kind``: «шаблон_база_наставников.xlsx»."""
    words = {
        FormKind.ORG_FORM: "форма_мониторинга",
        FormKind.REGISTRY: "реестр_ОО",
    }.get(kind) or KIND_LABELS[kind].lower().replace(" ", "_")
    return f"шаблон_{words}.xlsx"
