"""The list «не представили» and the letter to the heads of organisations."""

from __future__ import annotations

import io
from datetime import date

import docx
from openpyxl import load_workbook

from analytics.documents import round_letters
from analytics.model.contract import FormKind
from analytics.operations.access import View
from tests.roundfiles import ADMIN, SCHOOLS, at, filled, load_registry, open_city_round


def returned_and_missing(db) -> int:
    """The city's round with СОШ № 1 returned with a comment and the others missing."""
    orgs = load_registry(db)
    round_id = open_city_round(db)
    admin = View(db, ADMIN)
    template = admin.round_template(round_id, orgs[SCHOOLS[0]])
    admin.round_submit(round_id, "школа.xlsx", filled(template), FormKind.ORG_FORM, at(1))
    admin.review_submission(1, False, "не заполнены пары", at(2))
    return round_id


def test_the_letter_cites_the_order_and_counts_the_schools_that_owe_forms(fresh_db):
    round_id = returned_and_missing(fresh_db)

    letter = docx.Document(
        io.BytesIO(round_letters.letter_docx(fresh_db, round_id, date(2022, 7, 6)))
    )

    text = [p.text for p in letter.paragraphs]
    assert text[0] == "от 06.07.2022 г. № ______"
    assert "Уважаемые руководители!" in text
    assert (
        "Сообщаем Вам, что в период с 27 июня по 05 июля 2022 г. проводился мониторинг "
        "реализации целевой модели наставничества педагогических работников за 2022 год "
        "(далее – мониторинг) согласно приказу от 23.06.2022 № 330 «О проведении мониторинга "
        "муниципальных показателей»."
    ) in text
    assert (
        "По состоянию на 06.07.2022 г. формы мониторинга не представили 4\u00a0организации "
        "(список прилагается), в том числе 1 — формы возвращены на доработку с комментарием "
        "координатора."
    ) in text
    appendix = letter.tables[0]
    assert [c.text for c in appendix.rows[3].cells] == [
        "3",
        "МБОУ «СОШ № 1»",
        "1831000001",
        "г. Ижевск",
        "Форма мониторинга ОО (возвращено: не заполнены пары)",
    ]


def test_the_list_holds_every_school_without_a_form_with_its_state(fresh_db):
    round_id = returned_and_missing(fresh_db)

    sheet = load_workbook(
        io.BytesIO(round_letters.not_submitted_xlsx(fresh_db, round_id, date(2022, 7, 6)))
    ).active
    rows = [[c.value for c in row] for row in sheet.iter_rows() if row[0].value in SCHOOLS]

    assert [(r[0], r[4]) for r in rows] == [
        ("МАОУ «Лицей № 4»", "не представлено"),
        ("МБОУ «Гимназия № 3»", "не представлено"),
        ("МБОУ «СОШ № 1»", "возвращено на доработку"),
        ("МБОУ «СОШ № 2»", "не представлено"),
    ]
