"""The «Отчёты» page: which documents it offers for the filters."""

from __future__ import annotations

import pytest

from analytics.compute import lookups
from analytics.documents.pdf import OFFICE_VARIABLE, PDF_UNAVAILABLE_MESSAGE, office_path
from analytics.model.periods import period_label
from analytics.store.db import Database
from analytics.wording import formatting
from tests.apptest import assert_clean, open_page

PAGE = "pages/reports.py"
TEMPLATES = [
    "Шаблон «Форма мониторинга ОО» (XLSX)",
    "Шаблон «Реестр ОО» (XLSX)",
    "Шаблон «База наставников» (XLSX)",
    "Шаблон «База наставляемых» (XLSX)",
]


def labels(at) -> list[str]:
    return [b.label for b in at.get("download_button")]


def test_without_a_municipality_the_page_offers_the_note_the_deck_and_the_templates(
    copy, monkeypatch
):
    monkeypatch.setenv(OFFICE_VARIABLE, "")  # as on a machine without LibreOffice
    at = open_page(PAGE)

    assert_clean(at)
    assert labels(at) == ["Справка (DOCX)", "Презентация (PPTX)", *TEMPLATES]
    period = period_label(lookups.periods(copy)[-1])
    stamp = formatting.data_stamp(copy.data_stamp()).lower()
    assert at.main.caption[-1].value == f"Период: {period}; {stamp}."


def test_a_chosen_municipality_adds_the_school_notes_archive(copy: Database):
    municipality = int(lookups.hierarchy(copy)["municipality_id"].iloc[0])

    at = open_page(PAGE, {"municipality": str(municipality)})

    assert_clean(at)
    assert "Справки по организациям (ZIP)" in labels(at)


def test_without_libreoffice_the_page_says_once_that_there_is_no_pdf(copy, monkeypatch):
    monkeypatch.setenv(OFFICE_VARIABLE, "")

    at = open_page(PAGE)

    assert "Справка (PDF)" not in labels(at)
    assert [c.value for c in at.main.caption].count(PDF_UNAVAILABLE_MESSAGE) == 1


@pytest.mark.skipif(office_path() is None, reason="LibreOffice не установлен")
def test_with_libreoffice_the_note_is_offered_as_pdf_next_to_docx(copy):
    at = open_page(PAGE)

    assert_clean(at)
    assert labels(at)[:2] == ["Справка (DOCX)", "Справка (PDF)"]
    assert PDF_UNAVAILABLE_MESSAGE not in [c.value for c in at.main.caption]


def test_the_note_leaves_out_the_per_organisation_appendix_unless_ticked(copy):
    at = open_page(PAGE)

    box = at.checkbox(key="report_appendix")
    assert box.label == "Приложить значения показателей и дефициты каждой организации"
    assert box.value is False


def test_with_an_organisation_chosen_the_page_says_before_the_download_what_the_note_covers(
    copy: Database,
):
    org = lookups.hierarchy(copy).iloc[0]
    period = lookups.periods(copy)[-1]

    at = open_page(
        PAGE, {"municipality": str(int(org["municipality_id"])), "org": str(org["org_id"])}
    )

    assert_clean(at)
    assert (
        "Справка и презентация описывают территорию и сравнивают её организации, поэтому "
        f"строятся без выбранной организации: {period_label(period)} · {org['municipality']} · "
        "все типы ОО. Справка по самой организации — в разделе «Справки по организациям»."
    ) in [i.value for i in at.main.info]
    assert "Справки по организациям (ZIP)" in labels(at)
