"""The protocol of a working-group meeting («протокол заседания рабочей группы») as DOCX.

In the usual form: «ПРОТОКОЛ № N заседания …», the date and place, the chair and the
secretary, «Присутствовали:», «Повестка:» (the screens shown, in order), «Слушали:» with
the figures of each screen from the values frozen when the meeting opened, «Решили:»
with the decisions' table (what, on which indicator and territory, who, by when) and the
signature lines. Numbers and sentences come from :mod:`analytics.narrative`.
"""

from __future__ import annotations

from datetime import datetime

import pandas as pd
from docx.enum.text import WD_ALIGN_PARAGRAPH

from . import narrative
from .catalogue import INDICATORS_BY_ID
from .contract import ORG_TYPES_BY_CODE
from .db import Database
from .decisions import list_decisions
from .formatting import count, day, moment
from .indicators import Level
from .meetings import DECISIONS, OVERVIEW, Meeting, agenda, frozen_values, get_meeting
from .report import DocWriter
from .trajectories import ALL_TERRITORIES, territory_name

SUBJECT = (
    "результатов мониторинга реализации целевой модели наставничества педагогических работников"
)
SIGNATURE_LINE = "____________________"


def _scope_text(db: Database, meeting: Meeting) -> str:
    place = territory_name(db, *meeting.territory)
    if place == ALL_TERRITORIES:  # mid-sentence, not a table cell
        place = place.lower()
    if meeting.org_type in ORG_TYPES_BY_CODE:
        place += f", {narrative.org_type_plural(meeting.org_type)}"
    return f"{narrative.period_label(meeting.period)}, {place}"


def _agenda_items(db: Database, meeting: Meeting) -> list[tuple[str, str]]:
    """(screen key, title) of the screens shown, the decisions screen aside; one general
    item where no screen was shown."""
    shown = agenda(db, meeting.meeting_id)
    items = [(s, t) for s, t in zip(shown["screen"], shown["title"], strict=True) if s != DECISIONS]
    return items or [(OVERVIEW, "Сводка показателей")]


def _overview_figures(values: pd.DataFrame) -> list[str]:
    total = values[(values["level"] == Level.TOTAL) & values["value"].notna()]
    return [narrative.deficits_summary(int(total["deficit"].sum()), len(total))]


def _indicator_figures(values: pd.DataFrame, indicator_id: str, org_type: str | None) -> list[str]:
    rows = values[values["indicator"] == indicator_id]
    total = rows[rows["level"] == Level.TOTAL]
    if total.empty:
        return [narrative.no_data_sentence(INDICATORS_BY_ID[indicator_id])]
    lines = [narrative.indicator_sentence(total.iloc[0].to_dict(), org_type)]
    orgs = rows[(rows["level"] == Level.ORGANIZATION) & rows["value"].notna()]
    missed = int(orgs["deficit"].sum())
    # For «представили данные» the sentence would count organisations that reported
    # among those that did not: the indicator's own sentence already says it.
    if len(orgs) > 1 and missed and indicator_id != "reporting":
        noun = narrative.org_noun(org_type)
        lines.append(
            f"Цель не достигнута в {missed} из {len(orgs)} {noun.of(len(orgs))}, "
            "представивших данные."
        )
    return lines


def _decision_rows(decisions: pd.DataFrame) -> list[list[str]]:
    return [
        [
            str(n),
            row.text,
            f"{row.indicator_name}; {row.territory}",
            row.responsible,
            day(row.due_date),
        ]
        for n, row in enumerate(decisions.itertuples(index=False), start=1)
    ]


def build_protocol(db: Database, meeting_id: int, now: datetime | None = None) -> bytes:
    """The protocol of meeting ``meeting_id`` as DOCX bytes; raises
    :class:`analytics.meetings.MeetingError` for an unknown meeting."""
    meeting = get_meeting(db, meeting_id)
    values = frozen_values(db, meeting_id)
    decisions = list_decisions(db, meeting_id)
    items = _agenda_items(db, meeting)
    w = DocWriter(title=f"Протокол № {meeting_id} заседания {meeting.title}", now=now)
    centre = WD_ALIGN_PARAGRAPH.CENTER
    w.paragraph(f"ПРОТОКОЛ № {meeting_id}", bold=True, align=centre, indent=False)
    w.paragraph(f"заседания {meeting.title}", bold=True, align=centre, indent=False, space_after=12)
    w.paragraph(f"от {day(meeting.held_on)}", indent=False)
    if meeting.place:
        w.paragraph(f"Место проведения: {meeting.place}", indent=False)
    w.paragraph(space_after=6)
    if meeting.chair:
        w.labelled("Председатель:", meeting.chair)
    if meeting.secretary:
        w.labelled("Секретарь:", meeting.secretary)
    w.paragraph("Присутствовали:", bold=True, indent=False)
    if meeting.attendees:
        for name in meeting.attendees:
            w.item(name)
        people = count(len(meeting.attendees), "человек", "человека", "человек")
        w.paragraph(f"Всего присутствовало: {people}.", indent=False, space_after=6)
    else:
        w.paragraph("Список присутствовавших не заполнен.", indent=False, space_after=6)
    scope = _scope_text(db, meeting)
    w.paragraph("Повестка:", bold=True, indent=False)
    w.paragraph(f"Рассмотрение {SUBJECT} ({scope}):", indent=False)
    for n, (_, title) in enumerate(items, start=1):
        w.item(title, f"{n}.")
    w.paragraph(space_after=6)
    w.paragraph("Слушали / Рассмотрели:", bold=True, indent=False)
    w.paragraph(
        f"Результаты мониторинга ({scope}) по данным версии {meeting.data_version} "
        f"на {moment(meeting.opened_at)}.",
    )
    for n, (key, title) in enumerate(items, start=1):
        w.paragraph(f"{n}. {title}", bold=True, indent=False)
        indicator_id = key.removeprefix("indicator:") if key.startswith("indicator:") else None
        lines = (
            _indicator_figures(values, indicator_id, meeting.org_type)
            if indicator_id in INDICATORS_BY_ID
            else _overview_figures(values)
        )
        for line in lines:
            w.paragraph(line)
    w.paragraph(space_after=6)
    w.paragraph("Решили / Поручения:", bold=True, indent=False)
    w.paragraph(f"1. Принять к сведению результаты мониторинга ({scope}).")
    if decisions.empty:
        w.paragraph("2. Поручений по итогам заседания не дано.")
    else:
        w.paragraph("2. Утвердить поручения по устранению выявленных дефицитов:")
        w.table(
            "Поручения",
            ["№ п/п", "Поручение", "Показатель, территория", "Ответственный", "Срок исполнения"],
            _decision_rows(decisions),
            [1, 5, 4, 3, 2.2],
            centre=(0, 4),
        )
    w.paragraph(space_after=12)
    for role, name in (("Председатель", meeting.chair), ("Секретарь", meeting.secretary)):
        w.paragraph(
            f"{role}  {SIGNATURE_LINE}  {name or SIGNATURE_LINE}", indent=False, space_after=12
        )
    return w.bytes()
