"""The protocol of a working-group meeting («протокол заседания рабочей группы») as DOCX.

In the usual form: «ПРОТОКОЛ № N заседания …», the date and place, the chair and the
secretary, «Присутствовали:», «Повестка:» (the screens shown, in order), «СЛУШАЛИ:» with
the figures of each screen from the values frozen when the meeting opened, «ВЫСТУПИЛИ:»
with lines for the secretary to name the speakers (the dashboard does not record them),
«РЕШИЛИ:» with the decisions' table (what, on which indicator and territory, who, by
when) and the signature lines. Headings stay with what follows them and the signatures
with the decisions, so no page starts with a lone signature. Numbers and sentences come
from :mod:`analytics.wording.narrative`.
"""

from __future__ import annotations

from datetime import datetime

import pandas as pd
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_TAB_ALIGNMENT
from docx.shared import Cm
from docx.text.paragraph import Paragraph

from analytics.compute.indicators import deficits
from analytics.compute.trajectories import ALL_TERRITORIES, territory_name
from analytics.meetings.decisions import list_decisions
from analytics.meetings.meetings import (
    DECISIONS,
    OVERVIEW,
    Meeting,
    agenda,
    frozen_values,
    get_meeting,
)
from analytics.model.catalogue import INDICATORS_BY_ID
from analytics.model.contract import ORG_TYPES_BY_CODE
from analytics.model.levels import Level
from analytics.model.periods import period_label
from analytics.store.db import Database
from analytics.wording import narrative
from analytics.wording.formatting import as_of, count, day

from .docx_writer import DocWriter

SUBJECT = (
    "результатов мониторинга реализации целевой модели наставничества педагогических работников"
)
SIGNATURE_LINE = "____________________"
# Blank lines for the speakers, written in by the secretary.
SPEAKERS_BLANK = "_" * 60


def file_name(meeting: Meeting) -> str:
    """The download's name, in Russian like every other: «протокол_1_от_15.07.2022.docx»."""
    return f"протокол_{meeting.meeting_id}_от_{day(meeting.held_on)}.docx"


def _heading(w: DocWriter, text: str) -> Paragraph:
    """A bold heading that never ends a page: it stays with the paragraph after it."""
    paragraph = w.paragraph(text, bold=True, indent=False)
    paragraph.paragraph_format.keep_with_next = True
    return paragraph


def _scope_text(db: Database, meeting: Meeting) -> str:
    place = territory_name(db, *meeting.territory)
    if place == ALL_TERRITORIES:  # mid-sentence, not a table cell
        place = place.lower()
    if meeting.org_type in ORG_TYPES_BY_CODE:
        place += f", {narrative.org_type_plural(meeting.org_type)}"
    return f"{period_label(meeting.period)}, {place}"


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
    ranked = deficits(values[values["level"] == Level.TOTAL])
    place = ranked.index[ranked["indicator"] == indicator_id]
    if len(place):
        row = ranked.loc[place[0]].to_dict()
        lines.append(narrative.deficit_rank_sentence(int(place[0]) + 1, len(ranked), row))
    orgs = rows[(rows["level"] == Level.ORGANIZATION) & rows["value"].notna()]
    missed = int(orgs["deficit"].sum())
    # For «представили данные» the sentence would count organisations that reported
    # among those that did not: the indicator's own sentence already says it.
    if len(orgs) > 1 and missed and not INDICATORS_BY_ID[indicator_id].coverage:
        lines.append(narrative.missed_by_orgs_sentence(missed, len(orgs), org_type))
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
    :class:`analytics.meetings.meetings.MeetingError` for an unknown meeting."""
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
    _heading(w, "Присутствовали:")
    if meeting.attendees:
        for name in meeting.attendees:
            w.item(name)
        people = count(len(meeting.attendees), "человек", "человека", "человек")
        w.paragraph(f"Всего присутствовало: {people}.", indent=False, space_after=6)
    else:
        w.paragraph("Список присутствовавших не заполнен.", indent=False, space_after=6)
    scope = _scope_text(db, meeting)
    _heading(w, "Повестка:")
    w.paragraph(f"Рассмотрение {SUBJECT} ({scope}):", indent=False)
    for n, (_, title) in enumerate(items, start=1):
        w.item(title, f"{n}.")
    w.paragraph(space_after=6)
    _heading(w, "СЛУШАЛИ:")
    w.paragraph(
        f"Результаты мониторинга ({scope}) по данным на "
        f"{as_of(meeting.data_at or meeting.opened_at)}.",
    )
    for n, (key, title) in enumerate(items, start=1):
        _heading(w, f"{n}. {title}")
        indicator_id = key.removeprefix("indicator:") if key.startswith("indicator:") else None
        lines = (
            _indicator_figures(values, indicator_id, meeting.org_type)
            if indicator_id in INDICATORS_BY_ID
            else _overview_figures(values)
        )
        for line in lines:
            w.paragraph(line)
    w.paragraph(space_after=6)
    _heading(w, "ВЫСТУПИЛИ:")
    for _ in range(2):
        w.paragraph(SPEAKERS_BLANK, indent=False, space_after=6)
    _heading(w, "РЕШИЛИ:")
    w.paragraph(f"1. Принять к сведению результаты мониторинга ({scope}).")
    if decisions.empty:
        w.paragraph("2. Поручений по итогам заседания не дано.")
    else:
        w.paragraph("2. Утвердить поручения по устранению выявленных дефицитов:")
        table = w.table(
            "Поручения",
            ["№ п/п", "Поручение", "Показатель, территория", "Ответственный", "Срок исполнения"],
            _decision_rows(decisions),
            [1, 5, 4, 3, 2.2],
            centre=(0, 4),
        )
        # The last decision goes to the signatures' page with them.
        for cell in table.rows[-1].cells:
            for paragraph in cell.paragraphs:
                paragraph.paragraph_format.keep_with_next = True
    w.doc.paragraphs[-1].paragraph_format.keep_with_next = True
    _signatures(w, meeting)
    return w.bytes()


def _signatures(w: DocWriter, meeting: Meeting) -> None:
    """The chair's and the secretary's signature lines, the name at the right margin.
    The last paragraph before them, the space and the first line keep with the next, and
    each line keeps together, so the signatures always share a page with the end of the
    decisions."""
    spacer = w.paragraph(space_after=12)
    spacer.paragraph_format.keep_with_next = True
    roles = (("Председатель", meeting.chair), ("Секретарь", meeting.secretary))
    for n, (role, name) in enumerate(roles):
        line = w.paragraph(
            f"{role}\t{SIGNATURE_LINE}\u00a0\u00a0{name or SIGNATURE_LINE}",
            indent=False,
            align=WD_ALIGN_PARAGRAPH.LEFT,
            space_after=12,
        )
        line.paragraph_format.tab_stops.add_tab_stop(Cm(w.width_cm), WD_TAB_ALIGNMENT.RIGHT)
        line.paragraph_format.keep_together = True
        if n < len(roles) - 1:
            line.paragraph_format.keep_with_next = True
