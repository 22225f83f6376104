"""The list «не представили» of a monitoring round: an XLSX table and a DOCX letter.

The letter follows the municipal letters the seeds show: the date and number line, the
addressee block «Руководителям образовательных организаций …», «Уважаемые
руководители!», the monitoring's period and order in the seed's words («в период с 27
июня по 05 июля 2022 г. … согласно приказу …»), the request, and the list of
organisations attached as a table.
"""

from __future__ import annotations

from datetime import date, datetime

import pandas as pd
from docx.enum.text import WD_ALIGN_PARAGRAPH

from analytics.documents.docx_writer import DocWriter
from analytics.documents.exports import table_xlsx
from analytics.meetings.rounds import (
    SUBMISSION_LABELS,
    Round,
    SubmissionStatus,
    completeness,
    get_round,
)
from analytics.model.levels import LEVEL_LABELS, Level
from analytics.model.periods import period_label
from analytics.store.db import Database
from analytics.wording.formatting import count, day

NOT_SUBMITTED_HEADERS = {
    "organization": LEVEL_LABELS[Level.ORGANIZATION],
    "inn": "ИНН",
    "municipality": LEVEL_LABELS[Level.MUNICIPALITY],
    "district": LEVEL_LABELS[Level.DISTRICT],
    "status": "Состояние",
    "missing_kinds": "Не представлено",
    "comment": "Комментарий координатора",
}


def not_submitted(db: Database, round_id: int, today: date | None = None) -> pd.DataFrame:
    """The organisations of a round without an accepted or pending form (missing or
    returned), with Russian headers, in the order of the round's list."""
    frame = completeness(db, round_id, today)
    owing = frame[
        frame["status"].isin([str(SubmissionStatus.MISSING), str(SubmissionStatus.RETURNED)])
    ]
    shown = owing[list(NOT_SUBMITTED_HEADERS)].copy()
    shown["status"] = [SUBMISSION_LABELS[SubmissionStatus(s)] for s in shown["status"]]
    return shown.rename(columns=NOT_SUBMITTED_HEADERS).reset_index(drop=True)


def not_submitted_xlsx(
    db: Database, round_id: int, today: date | None = None, now: datetime | None = None
) -> bytes:
    """:func:`not_submitted` as a formatted workbook headed by the round."""
    found = get_round(db, round_id)
    today = today or date.today()
    return table_xlsx(
        not_submitted(db, round_id, today),
        f"Не представили данные: {found.title}",
        [
            f"Период сбора: {found.collection_words()}; срок — {day(found.due_on)}",
            f"Основание: {found.order_words()}",
            f"По состоянию на {day(today)}",
        ],
        sheet_name="Не представили",
        now=now,
    )


def letter_docx(
    db: Database,
    round_id: int,
    today: date | None = None,
    *,
    signer: str = "",
    signer_title: str = "Руководитель",
    executor: str = "",
    now: datetime | None = None,
) -> bytes:
    """The letter to the heads of the organisations that have not sent their forms, with
    the list attached (see the module docstring)."""
    found = get_round(db, round_id)
    today = today or date.today()
    owing = not_submitted(db, round_id, today)
    w = DocWriter(title=f"Письмо: не представили данные ({found.title})", now=now)
    w.paragraph(f"от {day(today)} г. № ______", indent=False, align=WD_ALIGN_PARAGRAPH.LEFT)
    addressee = ["Руководителям", "образовательных организаций"]
    if found.region_id is not None:
        addressee.append(found.territory)
    for line in addressee:
        w.paragraph(line, indent=False, align=WD_ALIGN_PARAGRAPH.RIGHT, space_after=0)
    w.paragraph()
    w.paragraph("Уважаемые руководители!", bold=True, align=WD_ALIGN_PARAGRAPH.CENTER)
    w.paragraph(_opening(found, today))
    if len(owing):
        orgs = count(len(owing), "организация", "организации", "организаций")
        returned = int((owing["Состояние"] == SUBMISSION_LABELS[SubmissionStatus.RETURNED]).sum())
        including = (
            f", в том числе {returned} — формы возвращены на доработку с комментарием координатора"
            if returned
            else ""
        )
        w.paragraph(
            f"По состоянию на {day(today)} г. формы мониторинга не представили {orgs} "
            f"(список прилагается){including}."
        )
        w.paragraph(_request(found, today))
    else:
        w.paragraph(f"По состоянию на {day(today)} г. формы представили все организации.")
    w.paragraph("Просьба довести информацию до кураторов реализации целевой модели наставничества.")
    w.paragraph()
    w.paragraph(
        f"Приложение: список организаций, не представивших данные, на {_pages(len(owing))}.",
        indent=False,
    )
    w.paragraph()
    w.paragraph(
        f"{signer_title}\t\t\t\t\t{signer or '____________________'}",
        indent=False,
        align=WD_ALIGN_PARAGRAPH.LEFT,
    )
    if executor:
        w.paragraph()
        w.paragraph("Исполнитель", indent=False, size=10, space_after=0)
        w.paragraph(executor, indent=False, size=10)
    if len(owing):
        w.doc.add_page_break()
        w.paragraph("Приложение к письму", indent=False, align=WD_ALIGN_PARAGRAPH.RIGHT)
        rows = [
            [str(n), str(r["Организация"]), _text(r["ИНН"]), _territory(r), _why(r)]
            for n, (_, r) in enumerate(owing.iterrows(), start=1)
        ]
        w.table(
            "Организации, не представившие данные мониторинга",
            ["№", "Организация", "ИНН", "Территория", "Что не представлено"],
            rows,
            [0.6, 5, 2.2, 3, 4.2],
            centre=[0],
        )
    return w.bytes()


def _opening(found: Round, today: date) -> str:
    tense = "проводится" if today <= found.due_on and found.is_open else "проводился"
    return (
        f"Сообщаем Вам, что в период {found.collection_words()} {tense} мониторинг "
        f"реализации целевой модели наставничества педагогических работников за "
        f"{period_label(found.period)} (далее – мониторинг) согласно "
        f"{found.order_words().replace('приказ ', 'приказу ', 1)}."
    )


def _request(found: Round, today: date) -> str:
    if today > found.due_on:
        return (
            f"Срок представления форм ({day(found.due_on)} г.) истёк. Просим в кратчайшие "
            "сроки представить формы мониторинга, заполненные в шаблонах организаций."
        )
    return (
        f"Просим в срок до {day(found.due_on)} г. представить формы мониторинга, "
        "заполненные в шаблонах организаций."
    )


def _pages(rows: int) -> str:
    # About thirty rows of the appendix fit on a page.
    pages = max(1, -(-rows // 30))
    return count(pages, "листе", "листах", "листах")


def _text(value: object) -> str:
    return "" if value is None or (isinstance(value, float) and pd.isna(value)) else str(value)


def _territory(row: pd.Series) -> str:
    municipality = str(row[LEVEL_LABELS[Level.MUNICIPALITY]])
    district = _text(row[LEVEL_LABELS[Level.DISTRICT]])
    return f"{municipality}, {district}" if district else municipality


def _why(row: pd.Series) -> str:
    comment = _text(row["Комментарий координатора"])
    what = _text(row["Не представлено"])
    return f"{what} (возвращено: {comment})" if comment else what
