"""Сбор форм: a monitoring round run from the dashboard.

The coordinator (administrator or analyst) opens a round for the period and territory of
the sidebar filters, downloads the pre-filled templates, sees who sent what and when,
accepts or returns files, and takes away the list «не представили» and the letter to the
heads of organisations. A curator downloads their organisations' templates and uploads
their forms while the round is open, with the same check before anything is written.
"""

from __future__ import annotations

from datetime import date

import pandas as pd
import streamlit as st

from analytics.ingest.problems import IngestError
from analytics.meetings.round_templates import file_name, short_name
from analytics.meetings.rounds import (
    QUESTIONS,
    SUBMISSION_LABELS,
    Round,
    SubmissionStatus,
    by_territory,
    filled_words,
    summarize,
)
from analytics.model.contract import KIND_LABELS, FormKind
from analytics.operations.access import AccessDenied
from analytics.store.scope import Scope
from analytics.wording import formatting
from ui import upload
from ui.page import Page, guarded, page
from ui.tables import XLSX_MIME, table_downloads
from ui.text import md

DOCX_MIME = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
ZIP_MIME = "application/zip"
LATE_FILL = "background-color: #FDE2E1"


def body() -> None:
    ctx = page("Сбор форм", ":material/inbox:")
    view = ctx.view
    coordinator = ctx.principal.runs_meetings
    found = view.rounds()
    if coordinator:
        _open_form(ctx)
    if not found:
        st.info("Мониторингов пока нет." + (" Откройте первый выше." if coordinator else ""))
        return
    chosen = st.selectbox(
        "Мониторинг",
        found,
        format_func=lambda r: f"{r.title} — {'идёт' if r.is_open else 'закрыт'}",
        key="round",
    )
    _header(chosen)
    today = date.today()
    frame = view.round_completeness(chosen.round_id, today)
    _metrics(frame)
    tabs = ["Организации", "Загрузить форму", "Файлы", "Шаблоны"]
    if coordinator:
        tabs += ["Не представили", "Динамика"]
    shown = dict(zip(tabs, st.tabs(tabs), strict=True))
    with shown["Организации"]:
        _organizations(ctx, chosen, frame)
    with shown["Загрузить форму"]:
        _upload(ctx, chosen)
    with shown["Файлы"]:
        _files(ctx, chosen, coordinator)
    with shown["Шаблоны"]:
        _templates(ctx, chosen, coordinator)
    if coordinator:
        with shown["Не представили"]:
            _not_submitted(ctx, chosen, today)
        with shown["Динамика"]:
            _over_time(ctx, chosen, today)
        if chosen.is_open and st.button("Закрыть мониторинг", key="close_round"):
            view.close_round(chosen.round_id)
            st.rerun()


def _header(chosen: Round) -> None:
    state = "идёт" if chosen.is_open else f"закрыт {formatting.moment(chosen.closed_at)}"
    st.caption(
        md(
            f"Сбор {chosen.collection_words()}, срок — {formatting.day(chosen.due_on)}; "
            f"формы: {', '.join(KIND_LABELS[k] for k in chosen.kinds)}; основание — "
            f"{chosen.order_words()}; {state}."
        )
    )


def _open_form(ctx: Page) -> None:
    with st.expander("Открыть мониторинг", icon=":material/add:"):
        st.caption(md(f"Территория — по фильтрам слева: {ctx.caption()}."))
        with st.form("open_round"):
            period = st.text_input("Период", value=ctx.filters.period or "")
            kinds = st.multiselect(
                "Собираемые формы",
                [FormKind.ORG_FORM, FormKind.MENTORS, FormKind.MENTEES],
                default=[FormKind.ORG_FORM],
                format_func=lambda k: KIND_LABELS[k],
                placeholder="Выберите формы",
            )
            left, right = st.columns(2)
            starts_on = left.date_input("Начало сбора", format="DD.MM.YYYY")
            due_on = right.date_input("Срок представления", format="DD.MM.YYYY")
            number = left.text_input("Номер приказа")
            order_date = right.date_input("Дата приказа", format="DD.MM.YYYY")
            title = st.text_input("Название приказа", placeholder="О проведении мониторинга …")
            if st.form_submit_button("Открыть"):
                round_id = ctx.view.open_round(
                    period,
                    starts_on=starts_on,
                    due_on=due_on,
                    order_number=number,
                    order_date=order_date,
                    order_title=title,
                    kinds=kinds,
                    region_id=ctx.filters.region_id,
                    municipality_id=ctx.filters.municipality_id,
                    district_id=ctx.filters.district_id,
                )
                st.success(f"Мониторинг № {round_id} открыт.")


def _metrics(frame: pd.DataFrame) -> None:
    s = summarize(frame)
    cells = st.columns(5)
    cells[0].metric(
        "Представили",
        formatting.part_of(s.submitted, s.total),
        help=f"{formatting.percent(s.share)} организаций; принятые и на проверке",
        border=True,
    )
    cells[1].metric("Приняты", formatting.integer(s.accepted), border=True)
    cells[2].metric("Возвращены на доработку", formatting.integer(s.returned), border=True)
    cells[3].metric("Не представили", formatting.integer(s.missing), border=True)
    cells[4].metric(
        "С опозданием / просрочено",
        f"{s.late} / {s.overdue}",
        help="Представили после срока / не представили к сроку",
        border=True,
    )


def _organizations(ctx: Page, chosen: Round, frame: pd.DataFrame) -> None:
    org_id = ctx.filters.org_id
    if org_id is not None:
        # A round covers its own territory, not the sidebar's: the chosen organisation
        # is named here with its form's state rather than narrowing the list.
        name = md(ctx.org_name(org_id))
        own = frame[frame["org_id"] == org_id]
        st.info(
            f"Выбранная в фильтрах организация «{name}»: форма — "
            f"{SUBMISSION_LABELS[SubmissionStatus(own['status'].iloc[0])]}."
            if len(own)
            else f"Выбранная в фильтрах организация «{name}» в этот мониторинг не входит.",
            icon=":material/filter_alt:",
        )
    shown = pd.DataFrame(
        {
            "Организация": frame["organization"],
            "ИНН": frame["inn"].fillna(""),
            "Муниципалитет": frame["municipality"],
            "Район": frame["district"].fillna(""),
            "Состояние": [SUBMISSION_LABELS[SubmissionStatus(s)] for s in frame["status"]],
            "Получено": [
                formatting.moment(pd.Timestamp(v).to_pydatetime()) if pd.notna(v) else ""
                for v in frame["submitted_at"]
            ],
            "Срок нарушен": ["да" if late else "" for late in frame["late"]],
            "Не представлено": frame["missing_kinds"],
            "Заполнено ответов": _filled(frame["answered"]),
            "Комментарий": frame["comment"].fillna(""),
        }
    )
    late = frame["late"].tolist()
    styled = shown.style.apply(lambda row: [LATE_FILL if late[row.name] else ""] * len(row), axis=1)
    st.dataframe(styled, hide_index=True, width="stretch")
    table_downloads(shown, f"Сбор форм, мониторинг № {chosen.round_id}", [chosen.title], "orgs")
    if ctx.principal.sees_every_organization:
        st.subheader("По территориям")
        territories = by_territory(frame)
        st.dataframe(
            pd.DataFrame(
                {
                    "Муниципалитет": territories["municipality"],
                    "Район": territories["district"].fillna(""),
                    "Организаций": territories["total"],
                    "Представили": territories["submitted"],
                    "Доля": [formatting.percent(v) for v in territories["share"]],
                    "Возвращены": territories["returned"],
                    "Не представили": territories["missing"],
                    "С опозданием": territories["late"],
                    "Просрочено": territories["overdue"],
                }
            ),
            hide_index=True,
            width="stretch",
        )


def _upload(ctx: Page, chosen: Round) -> None:
    if not chosen.is_open:
        st.info("Мониторинг закрыт: формы в нём больше не принимаются.")
        return
    kind = st.radio(
        "Что загружаете",
        list(chosen.kinds),
        format_func=lambda k: KIND_LABELS[k],
        horizontal=True,
        key="round_kind",
    )
    if ctx.principal.enters_forms and FormKind.ORG_FORM in chosen.kinds:
        st.caption(
            "Форму мониторинга ОО можно не скачивать: её можно заполнить и отправить онлайн "
            "на странице «Моя форма»."
        )
    if "round_done" in st.session_state:
        # The last file's result, above the emptied uploader.
        st.success(st.session_state.pop("round_done"))
    generation = st.session_state.setdefault("round_uploader", 0)
    file = st.file_uploader(
        "Файл формы",
        type=list(upload.FILE_TYPES),
        key=f"round_file_{generation}",
        help="Лучше всего — шаблон организации из вкладки «Шаблоны»: он сопоставляется "
        "с организацией сам, как бы ни было написано её название.",
    )
    if file is None:
        return
    content = file.getvalue()
    try:
        checked = ctx.view.round_check(chosen.round_id, file.name, content, kind)
    except IngestError as error:
        st.error(f"Файл «{md(file.name)}» не принят: исправьте ошибки и загрузите его снова.")
        st.dataframe(upload.problems_frame(error.problems), hide_index=True, width="stretch")
        return
    except AccessDenied as denied:
        st.warning(str(denied), icon=":material/lock:")
        return
    names = ctx.view.round_orgs(chosen.round_id).set_index("org_id")["organization"]
    placed = ", ".join(f"«{names.get(o, o)}»" for o in checked.org_ids)
    how = "по коду шаблона" if checked.via_template else "по ИНН и названию"
    st.success(md(f"Организация ({how}): {placed}. {upload.check_summary(checked.result)}."))
    if checked.result.warnings:
        st.caption("Предупреждения (данные будут загружены):")
        st.dataframe(
            upload.problems_frame(checked.result.warnings), hide_index=True, width="stretch"
        )
    if st.button("Загрузить", type="primary", key="round_submit"):
        done = ctx.view.round_submit(chosen.round_id, file.name, content, kind)
        st.session_state["round_uploader"] = generation + 1
        st.session_state["round_done"] = upload.load_summary(done.result)
        st.rerun()


def _files(ctx: Page, chosen: Round, coordinator: bool) -> None:
    files = ctx.view.round_submissions(chosen.round_id)
    if files.empty:
        st.info("Файлов пока нет.")
        return
    st.dataframe(
        pd.DataFrame(
            {
                "№": files["submission_id"].astype(int),
                "Организация": files["organization"],
                "Форма": [KIND_LABELS[FormKind(k)] for k in files["kind"]],
                "Файл": files["file_name"],
                "Из шаблона": ["да" if v else "нет" for v in files["via_template"]],
                "Кто загрузил": files["submitted_by"].fillna("—"),
                "Когда": [formatting.moment(pd.Timestamp(v)) for v in files["submitted_at"]],
                "Заполнено ответов": _filled(files["answered"]),
                "Решение": [SUBMISSION_LABELS[SubmissionStatus(s)] for s in files["status"]],
                "Комментарий": files["comment"].fillna(""),
            }
        ),
        hide_index=True,
        width="stretch",
    )
    pending = files[files["status"] == str(SubmissionStatus.SUBMITTED)]
    if not coordinator or pending.empty or not chosen.is_open:
        return
    st.subheader("Решение по файлу")
    st.caption(
        "Возвращённый файл не учитывается в показателях, доле представивших данные и отчётах, "
        "пока организация не пришлёт исправленный."
    )
    answered = {
        int(r.submission_id): int(r.answered) if pd.notna(r.answered) else None
        for r in pending.itertuples()
    }
    labels = {
        int(r.submission_id): f"№ {int(r.submission_id)} — {r.organization} ({r.file_name})"
        + (f" — {filled_words(n)}" if (n := answered[int(r.submission_id)]) is not None else "")
        for r in pending.itertuples()
    }
    chosen_file = st.selectbox("Файл", list(labels), format_func=labels.get, key="review_file")
    comment = st.text_input("Комментарий (обязателен при возврате)", key="review_comment")
    short = answered[chosen_file] is not None and answered[chosen_file] < QUESTIONS
    knowingly = False
    if short:
        st.warning(
            f"В форме {filled_words(answered[chosen_file])}: остальные ответы пусты. Примите её, "
            "только если так и должно быть, или верните на доработку.",
            icon=":material/warning:",
        )
        knowingly = st.checkbox("Принять неполную форму", key=f"accept_incomplete_{chosen_file}")
    accept, back = st.columns(2)
    if accept.button("Принять", key="accept", disabled=short and not knowingly):
        ctx.view.review_submission(chosen_file, True, comment, incomplete=knowingly)
        st.rerun()
    if back.button("Вернуть на доработку", key="return"):
        ctx.view.review_submission(chosen_file, False, comment)
        st.rerun()


def _filled(answered: pd.Series) -> list[str]:
    """«8 из 22» per form of an organisation; empty for other files and no file."""
    return [formatting.part_of(int(n), QUESTIONS) if pd.notna(n) else "" for n in answered]


def _templates(ctx: Page, chosen: Round, coordinator: bool) -> None:
    previous = st.checkbox("Заполнить ответы прошлого периода для проверки", key="previous")
    if coordinator:
        _templates_zip(ctx, chosen, previous)
        return
    for org in ctx.view.round_orgs(chosen.round_id).itertuples():
        st.download_button(
            f"Шаблон: {org.organization}",
            lambda o=int(org.org_id): ctx.view.round_template(chosen.round_id, o, previous),
            f"{short_name(str(org.organization))} — мониторинг {chosen.round_id}.xlsx",
            XLSX_MIME,
            on_click="ignore",
            icon=":material/download:",
            key=f"template_{int(org.org_id)}",
        )


def _templates_zip(ctx: Page, chosen: Round, previous: bool) -> None:
    """The ZIP of templates, of the whole round, a municipality or a district, built on
    request with a progress bar and then offered for download."""
    orgs = ctx.view.round_orgs(chosen.round_id)
    places: dict[str, tuple[str, Scope]] = {"": ("все организации", Scope())}
    for row in orgs.drop_duplicates(["municipality_id", "district_id"]).itertuples():
        municipality = int(row.municipality_id)
        places.setdefault(
            f"m{municipality}", (str(row.municipality), Scope(municipality_id=municipality))
        )
        if pd.notna(row.district_id):
            places[f"d{int(row.district_id)}"] = (
                f"{row.municipality} — {row.district}",
                Scope(district_id=int(row.district_id)),
            )
    where = st.selectbox(
        "Шаблоны", list(places), format_func=lambda k: places[k][0], key="templates_place"
    )
    wanted = (chosen.round_id, where, previous)
    built = st.session_state.get("templates_built")
    if st.button("Собрать шаблоны", icon=":material/folder_zip:", key="templates_build"):
        bar = st.progress(0.0, text="Шаблоны собираются…")

        def advance(done: int, total: int) -> None:
            bar.progress(done / total, text=f"Собрано шаблонов: {formatting.part_of(done, total)}")

        content = ctx.view.round_templates_zip(
            chosen.round_id, places[where][1], previous=previous, progress=advance
        )
        bar.empty()
        built = st.session_state["templates_built"] = (wanted, content)
    if built is not None and built[0] == wanted:
        st.download_button(
            "Скачать шаблоны (ZIP)",
            built[1],
            f"шаблоны мониторинга {chosen.round_id} — {file_name(places[where][0])}.zip",
            ZIP_MIME,
            on_click="ignore",
            icon=":material/download:",
            key="templates_zip",
        )


def _not_submitted(ctx: Page, chosen: Round, today: date) -> None:
    st.caption("Организации без принятой или проверяемой формы на сегодня.")
    left, right = st.columns(2)
    left.download_button(
        "Список (XLSX)",
        lambda: ctx.view.round_not_submitted_xlsx(chosen.round_id, today),
        f"не представили — мониторинг {chosen.round_id}.xlsx",
        XLSX_MIME,
        on_click="ignore",
        icon=":material/download:",
        key="not_submitted_xlsx",
    )
    signer = st.text_input("Подпись письма (Ф. И. О.)", key="letter_signer")
    right.download_button(
        "Письмо руководителям (DOCX)",
        lambda: ctx.view.round_letter(chosen.round_id, today, signer=signer),
        f"письмо — не представили, мониторинг {chosen.round_id}.docx",
        DOCX_MIME,
        on_click="ignore",
        icon=":material/download:",
        key="letter_docx",
    )


def _over_time(ctx: Page, chosen: Round, today: date) -> None:
    frame = ctx.view.round_over_time(chosen.round_id, today)
    chart = pd.DataFrame(
        {"Дата": pd.to_datetime(frame["day"]), "Представили, %": frame["share"]}
    ).set_index("Дата")
    st.line_chart(chart, y_label="Представили, %", x_label="Дата")
    st.caption(f"Срок представления — {formatting.day(chosen.due_on)}.")


guarded(body)
