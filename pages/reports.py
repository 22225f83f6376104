"""Отчёты: the analytic note (DOCX, PDF), the per-school notes (ZIP), the meeting deck
(PPTX) and the template for schools, for the period and territory of the filters."""

from __future__ import annotations

from dataclasses import replace

import streamlit as st

from analytics.documents.pdf import PDF_UNAVAILABLE_MESSAGE, pdf_available, report_pdf
from analytics.documents.territory import document_scope
from analytics.ingest.template import build_template
from analytics.model.contract import KIND_LABELS, FormKind
from analytics.model.levels import TERRITORY_LEVELS
from analytics.model.periods import period_label
from analytics.wording.formatting import data_stamp
from ui.charts import slug
from ui.page import Page, guarded, page

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
PPTX = "application/vnd.openxmlformats-officedocument.presentationml.presentation"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _territory(ctx: Page) -> str:
    h, f = ctx.hierarchy, ctx.filters
    for info in reversed(TERRITORY_LEVELS):  # the lowest territory chosen names the files
        value = getattr(f, str(info.key))
        if value is not None:
            names = h.loc[h[info.key] == value, info.name]
            if len(names):
                return str(names.iloc[0])
    return "все территории"


def body() -> None:
    ctx = page("Отчёты", ":material/description:")
    f = ctx.filters
    if f.period is None:
        st.warning("В базе пока нет данных мониторинга. Загрузите файлы на странице «Данные».")
        return
    territory = _territory(ctx)
    st.caption(
        f"Документы строятся для фильтров: {ctx.caption()}. Измените период и территорию "
        "в боковой панели, чтобы получить документы для другой территории."
    )
    name = slug(f"{territory}_{f.period}")
    if ctx.principal.sees_every_organization:
        _territory_documents(ctx, name)
    else:
        _own_notes(ctx)
    _templates()
    st.caption(f"Период: {period_label(f.period)}; {data_stamp(ctx.data_at).lower()}.")


def _own_notes(ctx: Page) -> None:
    """A curator's documents: one note per own organisation (territory documents list
    every school, so the engine refuses them to curators)."""
    with st.container(border=True):
        st.subheader("Справки по вашим организациям")
        st.markdown(
            "По одной странице на организацию: её показатели рядом с муниципальными и "
            "целевыми, её дефициты и что сделать."
        )
        for org_id, org_name in zip(
            ctx.hierarchy["org_id"].astype(int), ctx.hierarchy["organization"], strict=True
        ):
            st.download_button(
                f"{org_name} (DOCX)",
                lambda org_id=org_id: ctx.view.school_note(replace(ctx.scope, org_id=org_id)),
                f"справка_{slug(str(org_name))}_{ctx.filters.period}.docx",
                DOCX,
                key=f"own_note_{org_id}",
                on_click="ignore",
                icon=":material/download:",
            )


def _territory_documents(ctx: Page, name: str) -> None:
    f = ctx.filters
    covered, wider = document_scope(ctx.scope)
    if wider is not None:
        # Said before the download: the documents below cover more than the filters.
        st.info(wider.format(scope=ctx.described(covered)))
    with st.container(border=True):
        st.subheader("Информационно-аналитическая справка")
        st.markdown(
            "Основание и источники данных, участие в мониторинге, разделы по группам "
            "показателей с таблицами и диаграммами, сравнение с прошлым периодом, дефициты "
            "с рекомендациями, подпись, заданная на странице «Настройки»."
        )
        appendix = st.checkbox(
            "Приложить значения показателей и дефициты каждой организации",
            key="report_appendix",
            help="Для региона приложение занимает десятки страниц альбомной ориентации.",
        )
        report = lambda: ctx.view.report(ctx.scope, appendix=appendix)  # noqa: E731 — on click
        docx, pdf = st.columns([1, 1], width=480)
        docx.download_button(
            "Справка (DOCX)",
            report,
            f"справка_{name}.docx",
            DOCX,
            key="report_docx",
            on_click="ignore",
            icon=":material/download:",
            type="primary",
        )
        if pdf_available():
            pdf.download_button(
                "Справка (PDF)",
                lambda: report_pdf(report()),
                f"справка_{name}.pdf",
                "application/pdf",
                key="report_pdf",
                on_click="ignore",
                icon=":material/download:",
            )
        else:
            st.caption(PDF_UNAVAILABLE_MESSAGE)

    with st.container(border=True):
        st.subheader("Справки по организациям")
        if f.municipality_id is None and f.district_id is None:
            st.info(
                "Выберите муниципалитет в боковой панели: справки готовятся для всех его "
                "организаций, по одной на организацию."
            )
        else:
            st.markdown(
                "По одной странице на организацию: её показатели рядом с муниципальными и "
                "целевыми, её дефициты и что сделать. Архив ZIP — для рассылки кураторам."
            )
            st.download_button(
                "Справки по организациям (ZIP)",
                lambda: ctx.view.school_notes_zip(ctx.scope),
                f"справки_ОО_{name}.zip",
                "application/zip",
                key="school_notes",
                on_click="ignore",
                icon=":material/download:",
            )

    with st.container(border=True):
        st.subheader("Презентация для заседания")
        st.markdown("Титульный слайд, обзор, ключевые диаграммы и таблица дефицитов.")
        st.download_button(
            "Презентация (PPTX)",
            lambda: ctx.view.deck(ctx.scope),
            f"презентация_{name}.pptx",
            PPTX,
            key="deck",
            on_click="ignore",
            icon=":material/download:",
        )


def _templates() -> None:
    with st.container(border=True):
        st.subheader("Шаблоны для организаций")
        for kind in FormKind:
            st.download_button(
                f"Шаблон «{KIND_LABELS[kind]}» (XLSX)",
                lambda kind=kind: build_template(kind),  # built only when clicked
                f"шаблон_{slug(KIND_LABELS[kind])}.xlsx",
                XLSX,
                key=f"template_{kind}",
                on_click="ignore",
                icon=":material/download:",
            )


guarded(body)
