"""The information and analytic note («информационно-аналитическая справка») as DOCX,
and its PDF through LibreOffice where installed.

The note follows the municipal notes methodologists write: a title block, the basis and
the sources of the data, who took part, one numbered section per indicator group with
sentences, a table and a chart, the comparison with the previous period, the deficits
with a recommendation for each, and appendices with every organisation's values. All
numbers come from :func:`analytics.compute.indicators.compute`; the words from
:mod:`analytics.wording.narrative`.

:func:`collect` gathers everything a document about a territory and period needs; the
deck (:mod:`analytics.deck`) uses it too, with the chart builders of this module.
"""

from __future__ import annotations

import logging
from datetime import datetime

import pandas as pd
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_TAB_ALIGNMENT, WD_TAB_LEADER
from docx.shared import Cm
from docx.text.paragraph import Paragraph

from analytics.documents import images
from analytics.meetings import rounds
from analytics.meetings.meetings import Meeting, approving_meeting
from analytics.model.catalogue import GROUPS, INDICATORS, INDICATORS_BY_ID, REPORTING, Indicator
from analytics.model.contract import ORG_TYPES
from analytics.model.legend import Change, change_of, label_of, marked, marks_key
from analytics.model.levels import LEVEL_INFO, Level
from analytics.model.periods import period_in
from analytics.store.db import Database
from analytics.store.scope import Scope
from analytics.store.signoff import SignOff, get_signoff
from analytics.wording import narrative
from analytics.wording.formatting import (
    data_stamp,
    day,
    integer,
    part_of,
)

from .cells import _missing, fraction_text, ranked_gap_text, target_text, value_text
from .docx_writer import TABLE_SIZE, DocWriter, status_fill
from .figures import FIGURE_CM, render_png, section_chart
from .territory import (
    ReportData,
    collect,
    natural_key,
    unit_rows,
)

log = logging.getLogger(__name__)
TITLE = "Информационно-аналитическая справка"
SUBTITLE = (
    "по итогам мониторинга реализации целевой модели наставничества педагогических работников"
)
BASIS = (
    "Мониторинг проводится в соответствии с распоряжением Министерства просвещения "
    "Российской Федерации от 25.12.2019 № Р-145 «Об утверждении методологии (целевой модели) "
    "наставничества обучающихся для организаций, осуществляющих образовательную деятельность "
    "по общеобразовательным, дополнительным общеобразовательным и программам среднего "
    "профессионального образования, в том числе с применением лучших практик обмена опытом "
    "между обучающимися» и письмом Министерства просвещения Российской Федерации от "
    "21.12.2021 № АЗ-1128/08 о методических рекомендациях по разработке и внедрению системы "
    "(целевой модели) наставничества педагогических работников в образовательных организациях."
)
METHOD = (
    "Значения показателей рассчитаны как отношение сумм по всем организациям территории, а "
    "не как среднее из процентов отдельных организаций. Организация учитывается в показателе, "
    "если в её форме заполнены и числитель, и знаменатель; пустая ячейка означает отсутствие "
    "ответа, а не ответ «нет». Дефицит — показатель, значение которого не достигает целевого."
)
CLOSING = (
    "Результаты мониторинга рекомендуется рассмотреть на совещании с руководителями "
    "(заместителями руководителей) образовательных организаций, довести до сведения "
    "кураторов реализации целевой модели наставничества и учесть при планировании "
    "методической работы на следующий период."
)
SIGNATURE_BLANK = "______________"


def _title_block(w: DocWriter, data: ReportData) -> None:
    centre = WD_ALIGN_PARAGRAPH.CENTER
    w.paragraph(TITLE, bold=True, align=centre, indent=False)
    w.paragraph(SUBTITLE, bold=True, align=centre, indent=False)
    w.paragraph(data.described, bold=True, align=centre, indent=False, space_after=12)
    w.paragraph(f"Территория: {data.territory}", align=centre, indent=False)
    w.paragraph(f"Период мониторинга: {data.period_label}", align=centre, indent=False)
    if data.org_type is not None:
        w.paragraph(f"Организации: {data.org_type_label}", align=centre, indent=False)
    w.paragraph(
        f"Дата составления: {day(data.now)}",
        align=WD_ALIGN_PARAGRAPH.RIGHT,
        indent=False,
        space_after=12,
    )


def _summary(w: DocWriter, data: ReportData) -> None:
    where = "в образовательных организациях"
    if data.org_type is not None:
        where = f"в {narrative.org_noun(data.org_type).in_many}"
    place = ", ".join(p for p in (data.district, data.municipality, data.region) if p)
    place = place if data.municipality else data.territory
    where = f"{where} ({place})"
    computed = data.computed
    text = (
        f"{period_in(data.period).capitalize()} проведён мониторинг реализации "
        f"целевой модели наставничества педагогических работников {where}. "
        f"{narrative.deficits_summary(len(data.deficits), len(computed))}"
    )
    w.paragraph(text)
    if len(data.deficits):
        top = data.deficits.iloc[0]
        w.paragraph(
            "Наибольший дефицит — по показателю "
            f"«{top['name']}»: {value_text(top)} при целевом значении {target_text(top)}."
        )


def sources_sentence(data: ReportData) -> str:
    """The sources in words: which forms, from how many organisations, for which period and
    when they came in, and the registry they are counted against.

    «Источники данных — формы мониторинга ОО за 2023/2024 уч. год от 87
    общеобразовательных организаций, поступившие с 01.06.2024 по 05.07.2024, и реестр ОО —
    перечень из 90 общеобразовательных организаций, которые должны представить данные.»
    """
    noun = narrative.org_noun(data.org_type)
    reported, listed = len(data.reporting), len(data.registry)
    forms = data.uploads[data.uploads["kind"] == "org-form"]["uploaded_at"]
    when = ""
    if len(forms):
        first, last = day(forms.min()), day(forms.max())
        when = f", поступившие {first}" if first == last else f", поступившие с {first} по {last}"
    text = (
        f"Источники данных — формы мониторинга ОО за {data.period_label} от {integer(reported)} "
        f"{noun.of(reported)}{when}"
    )
    if listed:
        return (
            f"{text}, и реестр ОО — перечень из {integer(listed)} {noun.of(listed)}, "
            "которые должны представить данные."
        )
    return (
        f"{text}; реестр ОО (перечень организаций, которые должны представить данные) не загружен."
    )


def _sources(w: DocWriter, data: ReportData, number: int, round_basis: str | None) -> None:
    w.heading(f"{number}. Основание и источники данных")
    w.paragraph(BASIS)
    if round_basis:
        # The order and the collection period of the monitoring round, as in the seed
        # letter («в период с 27 июня по 05 июля … согласно приказу …»).
        w.paragraph(round_basis)
    w.paragraph(sources_sentence(data))
    w.paragraph(f"{data_stamp(data.data_at)}. {METHOD}")


def _type_counts(orgs: pd.DataFrame) -> dict[str, int]:
    return {str(k): int(v) for k, v in orgs["org_type"].value_counts().items()}


def _participation(w: DocWriter, data: ReportData, number: int) -> None:
    w.heading(f"{number}. Участие в мониторинге")
    reported_in_registry = int((data.registry["reported"]).sum())
    outside = int((data.reporting["in_registry"] == False).sum())  # noqa: E712
    w.paragraph(
        narrative.participation_sentence(
            reported_in_registry if len(data.registry) else len(data.reporting),
            len(data.registry) or None,
            data.org_type,
            outside=outside if len(data.registry) else 0,
        )
    )
    if data.org_type is None and len(data.reporting):
        counts = _type_counts(data.reporting)
        if len(counts) > 1:
            w.paragraph(f"Среди представивших данные — {narrative.org_types_breakdown(counts)}.")
    row, before = data.row(REPORTING.id), data.previous_row(REPORTING.id)
    if row is not None and data.previous is not None:
        sentence = narrative.comparison_sentence(
            row, before, data.previous, subject="доля представивших данные организаций"
        )
        if sentence:
            w.paragraph(sentence)
    units = data.units
    if data.unit_level is not Level.ORGANIZATION and len(data.registry):
        rows = units[units["indicator"] == REPORTING.id]
        if len(rows) > 1:
            by = LEVEL_INFO[data.unit_level].by_units
            key = LEVEL_INFO[data.unit_level].key
            counts = data.reporting[key].value_counts().to_dict()

            def reported_text(r: pd.Series) -> str:
                if _missing(r["denominator"]):
                    return f"{integer(counts.get(r[key], 0))} ОО; реестр не загружен"
                return fraction_text(r)

            w.table(
                f"Участие в мониторинге {by}",
                ["Территория", "Представили данные", "Доля", "Статус"],
                [
                    [str(r["label"]), reported_text(r), value_text(r), label_of(r["status"])]
                    for _, r in rows.iterrows()
                ],
                [6, 4, 2, 3],
                fills=[[None, None, None, status_fill(r["status"])] for _, r in rows.iterrows()],
                centre=(1, 2, 3),
            )
    _figure(w, data, "participation")
    missing = data.non_reporting
    if len(missing):
        w.paragraph("Не представили данные:")
        several = data.municipalities_in_scope > 1
        for n, (_, org) in enumerate(missing.iterrows(), start=1):
            where = f" ({org['municipality']})" if several else ""
            end = ";" if n < len(missing) else "."
            w.item(f"{org['organization']}{where}{end}", f"{n})")
    elif not len(data.registry):
        w.paragraph(
            "Чтобы видеть, какие организации не представили данные, загрузите реестр ОО "
            "(перечень организаций, которые должны участвовать в мониторинге)."
        )
    if REPORTING.id in set(data.deficits["indicator"]):
        _deficit_explained(w, data, REPORTING)


def _values_table(w: DocWriter, data: ReportData) -> None:
    """Every indicator in one table after the summary — its value (tinted by status) and
    target, and where the note covers several types of organisation, its value for each;
    otherwise how it is counted and its status. The sections explain the values in words,
    so they repeat no table of them."""
    rows = {i.id: data.type_rows(i.id) for i in INDICATORS}
    types = [t for t in ORG_TYPES if any(t.code in found for found in rows.values())]
    shown = [(i, data.row(i.id)) for i in INDICATORS]
    shown = [(i, r) for i, r in shown if r is not None]
    if not shown:
        return
    if data.org_type is None and len(types) > 1:
        named = ", ".join(f"{t.plural_genitive} ({t.short})" for t in types)
        w.paragraph(
            f"Значения показателей по территории и отдельно {named} приведены в таблице; "
            f"цвет значения и знак перед ним — его статус: {marks_key()}."
        )
        headers = ["Показатель", "Значение", "Целевое значение", *[t.short for t in types]]
        lines, fills = [], []
        for indicator, r in shown:
            by_type = rows[indicator.id]
            lines.append(
                [
                    indicator.short,
                    marked(value_text(r), r["status"]),
                    target_text(r),
                    *[
                        marked(value_text(by_type[t.code]), by_type[t.code]["status"])
                        if t.code in by_type
                        else "—"
                        for t in types
                    ],
                ]
            )
            fills.append(
                [
                    None,
                    status_fill(r["status"]),
                    None,
                    *[
                        status_fill(by_type[t.code]["status"]) if t.code in by_type else None
                        for t in types
                    ],
                ]
            )
        widths = [7, 2.2, 2.4, *[2] * len(types)]
    else:
        w.paragraph("Значения показателей приведены в таблице.")
        headers = ["Показатель", "Значение", "Расчёт", "Целевое значение", "Статус"]
        lines = [
            [
                indicator.short,
                value_text(r),
                fraction_text(r),
                target_text(r),
                label_of(r["status"]),
            ]
            for indicator, r in shown
        ]
        fills = [[None, None, None, None, status_fill(r["status"])] for _, r in shown]
        widths = [6.2, 2.2, 3.6, 2.4, 2.6]
    w.table(
        f"Значения показателей, {data.period_label}",
        headers,
        lines,
        widths,
        fills=fills,
        centre=range(1, len(headers)),
    )


def _indicator_paragraphs(w: DocWriter, data: ReportData, indicator: Indicator) -> None:
    row = data.row(indicator.id)
    if row is None:
        return
    text = narrative.indicator_sentence(row, data.org_type)
    if data.previous is not None:
        comparison = narrative.comparison_sentence(
            row, data.previous_row(indicator.id), data.previous
        )
        if comparison:
            text = f"{text} {comparison}"
    w.paragraph(text)
    if indicator.id in set(data.deficits["indicator"]):
        _deficit_explained(w, data, indicator)


def _deficit_explained(w: DocWriter, data: ReportData, indicator: Indicator) -> None:
    """Where a deficit is explained, once: who misses the target (the largest gap first,
    at most :data:`BELOW_TARGET_NAMES` named) and what to do about it. The organisations
    that did not report are listed under participation already."""
    if not (indicator.coverage and data.unit_level is Level.ORGANIZATION):
        below = _below_target(data, indicator.id)
        of = len(unit_rows(data, indicator.id))
        if below:
            units = LEVEL_INFO[data.unit_level]
            shown = ", ".join(below[:BELOW_TARGET_NAMES])
            if len(below) > BELOW_TARGET_NAMES:
                shown += f" и ещё {integer(len(below) - BELOW_TARGET_NAMES)}"
            if len(below) == of and of > 1:
                shown = f"все {units.plural} с данными"
            w.labelled("Не достигли цели:", f"{part_of(len(below), of)} — {shown}.")
    w.labelled("Рекомендация:", narrative.lower_first(narrative.recommendation(indicator.id)))


# The sections before the indicator groups: 1 the basis and sources, 2 participation.
PARTICIPATION_SECTION = 2


def _section_numbers() -> dict[str, int]:
    """The number of the section that describes each indicator group."""
    numbers = {"participation": PARTICIPATION_SECTION}
    others = [g.code for g in GROUPS if g.code != "participation"]
    numbers.update({code: PARTICIPATION_SECTION + n for n, code in enumerate(others, start=1)})
    return numbers


def _groups(w: DocWriter, data: ReportData) -> int:
    """The indicator groups' sections; returns the number of the next section."""
    numbers = _section_numbers()
    for group in GROUPS:
        if group.code == "participation":
            continue
        indicators = [i for i in INDICATORS if i.group == group.code]
        w.heading(f"{numbers[group.code]}. {group.title}")
        for indicator in indicators:
            _indicator_paragraphs(w, data, indicator)
        _figure(w, data, group.code)
    return max(numbers.values()) + 1


def _figure(w: DocWriter, data: ReportData, group: str) -> None:
    chart = section_chart(data, group)
    if chart is not None:
        png = render_png(chart[0])
        if png:
            w.figure(png, chart[1], FIGURE_CM)


def _comparison(w: DocWriter, data: ReportData, number: int) -> None:
    """How many indicators improved and worsened since the previous period; each
    indicator's change is told in its section's sentence, so there is no table of them."""
    w.heading(f"{number}. Сравнение с предыдущим периодом")
    if data.previous is None:
        w.paragraph(
            "Данных мониторинга за предшествующие периоды по территории нет, поэтому "
            "сравнение не проводится."
        )
        return
    changes = []
    for indicator in INDICATORS:
        row, before = data.row(indicator.id), data.previous_row(indicator.id)
        if row is None or before is None or _missing(row["value"]) or _missing(before["value"]):
            continue
        changes.append(change_of(float(before["value"]), float(row["value"]), indicator.better))
    w.paragraph(
        narrative.changes_summary(
            data.previous,
            changes.count(Change.IMPROVED),
            changes.count(Change.WORSENED),
            changes.count(Change.UNCHANGED),
        )
    )


def _below_target(data: ReportData, indicator_id: str) -> list[str]:
    units = data.units
    rows = units[(units["indicator"] == indicator_id) & units["deficit"].astype(bool)]
    if data.unit_level is Level.ORGANIZATION:
        rows = rows[rows["org_id"].isin(data.reporting["org_id"])]
    ordered = sorted(
        zip(rows["gap"], rows["label"], strict=True),
        key=lambda item: (-item[0], natural_key(item[1])),
    )
    return [str(label) for _, label in ordered]


def _deficits(w: DocWriter, data: ReportData, number: int) -> None:
    """The deficits ranked in one table; each is explained, with whom it concerns and its
    recommendation, once — in the section the table points to."""
    w.heading(f"{number}. Дефициты")
    found = data.deficits
    w.paragraph(narrative.deficits_summary(len(found), len(data.computed)))
    if not len(found):
        return
    w.paragraph(
        f"{narrative.RANKING_NOTE} Цвет значения и знак перед ним — его статус: "
        f"{marks_key()}. Кто не достиг цели и что рекомендуется сделать, сказано в "
        "разделе, указанном в последнем столбце."
    )
    sections = _section_numbers()
    w.table(
        f"Дефициты, {data.period_label}",
        ["№", "Показатель", "Значение", "Целевое значение", "Отставание", "Раздел"],
        [
            [
                str(n),
                INDICATORS_BY_ID[str(r["indicator"])].short,
                marked(value_text(r), r["status"]),
                target_text(r),
                ranked_gap_text(r),
                str(sections[INDICATORS_BY_ID[str(r["indicator"])].group]),
            ]
            for n, (_, r) in enumerate(found.iterrows(), start=1)
        ],
        [0.8, 7, 2.2, 2.4, 2.4, 1.2],
        # The value's cell takes the status's colour, as in the sections' tables.
        fills=[
            [None, None, status_fill(r["status"]), None, None, None] for _, r in found.iterrows()
        ],
        centre=(0, 2, 3, 4, 5),
    )


# At most this many names of a deficit's organisations or territories.
BELOW_TARGET_NAMES = 3


WITHOUT_FIGURES = (
    "Справка подготовлена без диаграмм: на сервере не установлена программа для их "
    "построения; таблицы и выводы справки от этого не меняются."
)


def approval_sentence(meeting: Meeting) -> str:
    """«Рассмотрено на заседании рабочей группы … (протокол № 3 от 15.07.2022).»"""
    return (
        f"Рассмотрено на заседании {meeting.title} "
        f"(протокол № {meeting.meeting_id} от {day(meeting.held_on)})."
    )


def _signature_line(w: DocWriter, left: str, right: str, space_after: int) -> Paragraph:
    """A line with its words at the left and the signature line with the name at the right
    margin."""
    line = w.paragraph(
        f"{left}\t{SIGNATURE_BLANK}\u00a0{right}",
        align=WD_ALIGN_PARAGRAPH.LEFT,
        indent=False,
        space_after=space_after,
    )
    line.paragraph_format.tab_stops.add_tab_stop(
        Cm(w.width_cm), WD_TAB_ALIGNMENT.RIGHT, WD_TAB_LEADER.SPACES
    )
    return line


def _signature(w: DocWriter, signoff: SignOff) -> None:
    """The sign-off as in the seeds: the head who signs — position with the organisation
    and, at the right margin, the signature line and the name — then the executor and their
    contacts in smaller type. Both lines are always there: what «Настройки» does not fill
    is left blank to be written in by hand. Every line is kept with the next, so the block
    never breaks across pages, and the closing paragraphs before it keep it company."""
    head = signoff.signer_line or "Руководитель"
    lines = [_signature_line(w, head, signoff.signatory or SIGNATURE_BLANK, 18)]
    if signoff.executor:
        lines.append(w.paragraph("Исполнитель", indent=False, size=TABLE_SIZE))
        lines.append(w.paragraph(signoff.executor, indent=False, size=TABLE_SIZE))
        if signoff.contacts:
            lines.append(w.paragraph(signoff.contacts, indent=False, size=TABLE_SIZE))
    else:
        lines.append(_signature_line(w, "Исполнитель", SIGNATURE_BLANK, 6))
    for paragraph in lines:
        paragraph.paragraph_format.keep_together = True
        paragraph.paragraph_format.keep_with_next = True


def _closing(w: DocWriter, data: ReportData, signoff: SignOff, meeting: Meeting | None) -> None:
    w.paragraph(CLOSING).paragraph_format.keep_with_next = True
    if meeting is not None:
        w.paragraph(approval_sentence(meeting)).paragraph_format.keep_with_next = True
    w.paragraph("").paragraph_format.keep_with_next = True
    _signature(w, signoff)
    w.paragraph(f"Дата: {day(data.now)}", indent=False)
    w.paragraph(
        f"Справка сформирована по данным мониторинга. {data_stamp(data.data_at)}.",
        indent=False,
        size=TABLE_SIZE,
    )
    if not images.images_available():
        w.paragraph(WITHOUT_FIGURES, indent=False, size=TABLE_SIZE)


# The most indicators in one table of an appendix (landscape A4), so that a territory's
# name («г. Лангепас (Ханты-Мансийский автономный округ – Югра)») takes two lines, not five.
APPENDIX_COLUMNS = 4


def _values_tables(
    w: DocWriter, rows: pd.DataFrame, label_header: str, labels: list[tuple[object, str]], key: str
) -> None:
    """Two tables of every indicator's value by organisation (or territory): the yes/no
    indicators, then the others; cells tinted by status."""
    parts = (
        (
            "Нормативное и организационное обеспечение, базы наставников и наставляемых",
            [i for i in INDICATORS if i.yes_no],
        ),
        (
            "Охват наставничеством и результаты",
            [i for i in INDICATORS if not i.yes_no and not i.coverage],
        ),
    )
    by_key = {(r[key], str(r["indicator"])): r for r in rows.to_dict("records")}
    yes_no = key == "org_id"
    # At most APPENDIX_COLUMNS indicators a table: the headers' long words
    # («наставничестве») fix each value column's width, and the names need the rest.
    chunks = []
    for title, indicators in parts:
        step = APPENDIX_COLUMNS
        pieces = [indicators[k : k + step] for k in range(0, len(indicators), step)]
        chunks.extend(
            (f"{title} ({n} из {len(pieces)})" if len(pieces) > 1 else title, piece)
            for n, piece in enumerate(pieces, start=1)
        )
    for title, indicators in chunks:
        table_rows, fills = [], []
        for n, (k, name) in enumerate(labels, start=1):
            cells, tints = [str(n), name], [None, None]
            for indicator in indicators:
                row = by_key.get((k, indicator.id))
                cells.append(
                    marked(value_text(row, yes_no=yes_no), row["status"])
                    if row is not None
                    else "—"
                )
                tints.append(status_fill(row["status"]) if row is not None else None)
            table_rows.append(cells)
            fills.append(tints)
        w.table(
            title,
            ["№", label_header, *[i.short for i in indicators]],
            table_rows,
            [0.9, 5.5, *[2.4] * len(indicators)],
            fills=fills,
            centre=range(2, 2 + len(indicators)),
        )


def _appendices(w: DocWriter, data: ReportData, by_organization: bool) -> None:
    """The landscape appendices: with ``by_organization``, every reporting organisation's
    values and deficits; always, the values by municipality and by region where the note
    covers several."""
    number = 0
    if by_organization and len(data.reporting):
        number = _organization_appendices(w, data)
    _territory_appendices(w, data, number)


def _appendix_start(w: DocWriter, number: int) -> None:
    if number == 1:
        w.landscape()
    else:
        w.page_break()
    w.paragraph(f"Приложение {number}", align=WD_ALIGN_PARAGRAPH.RIGHT, indent=False)


def _organization_appendices(w: DocWriter, data: ReportData) -> int:
    """Appendices 1 and 2: values and deficits by organisation; returns the last number."""
    orgs = data.reporting
    number = 1
    _appendix_start(w, number)
    w.heading(f"Значения показателей по организациям, {data.period_label}", 1)
    several = data.municipalities_in_scope > 1
    labels = [
        (r["org_id"], f"{r['organization']}" + (f" ({r['municipality']})" if several else ""))
        for _, r in orgs.iterrows()
    ]
    w.paragraph(
        "Для показателей, отражающих наличие документов и баз, указан ответ организации; "
        "цвет ячейки и знак перед значением показывают статус относительно целевого "
        f"значения: {marks_key()}.",
        size=TABLE_SIZE,
    )
    _values_tables(w, data.org_rows, "Организация", labels, "org_id")

    number += 1
    _appendix_start(w, number)
    w.heading(f"Дефициты по организациям, {data.period_label}", 1)
    found: dict[object, list[str]] = {}
    for r in data.org_rows.to_dict("records"):
        if r["deficit"] and not INDICATORS_BY_ID[r["indicator"]].coverage:
            found.setdefault(r["org_id"], []).append(INDICATORS_BY_ID[r["indicator"]].short)
    counts = [(len(found.get(k, [])), name, found.get(k, [])) for k, name in labels]
    counts.sort(key=lambda item: -item[0])
    w.table(
        "Число дефицитов и показатели с дефицитом по организациям",
        ["№", "Организация", "Число дефицитов", "Показатели с дефицитом"],
        [
            [str(n), name, str(k), "; ".join(shorts) if shorts else "нет"]
            for n, (k, name, shorts) in enumerate(counts, start=1)
        ],
        [0.9, 6, 2.2, 14],
        centre=(0, 2),
    )

    return number


def _territory_appendices(w: DocWriter, data: ReportData, number: int) -> None:
    for level in (Level.MUNICIPALITY, Level.REGION):
        info = LEVEL_INFO[level]
        key = info.key
        rows = data.rows(data.period, level)
        names = dict(zip(rows[key], rows[info.name], strict=True))
        if len(names) < 2:
            continue
        if level is Level.MUNICIPALITY and data.regions_in_scope > 1:
            regions = dict(zip(rows[key], rows["region"], strict=True))
            names = {k: f"{v} ({regions[k]})" for k, v in names.items()}
        unit_labels = sorted(names.items(), key=lambda item: natural_key(item[1]))
        number += 1
        _appendix_start(w, number)
        w.heading(f"Значения показателей {info.by_units}, {data.period_label}", 1)
        w.paragraph(
            f"Цвет ячейки и знак перед значением показывают статус: {marks_key()}.",
            size=TABLE_SIZE,
        )
        _values_tables(w, rows, "Территория", unit_labels, key)


def build_report(
    db: Database, scope: Scope, now: datetime | None = None, appendix: bool = False
) -> bytes:
    """The information and analytic note for a territory and period, as DOCX bytes.

    ``scope`` names the period and narrows by region, municipality or district (none:
    everything in the database) and org type (a contract code ``school`` … or a Russian
    label); ``now`` dates the note; ``appendix`` adds every organisation's values and deficits (many
    pages for a region). The basis cites the monitoring round of the period and territory
    (its order and collection dates); the sign-off is the one set on «Настройки»; a meeting
    held over the same period, territory and type is named with its protocol. Charts are embedded
    where chromium is available and left out otherwise. Raises :class:`ReportError`
    (Russian message) for an unknown period, territory or org type.
    """
    data = collect(db, scope, now)
    meeting = approving_meeting(db, data.scope, data.now.date())
    w = DocWriter(title=f"{TITLE} {SUBTITLE}: {data.described}", now=data.now)
    _title_block(w, data)
    _summary(w, data)
    _values_table(w, data)
    _sources(w, data, 1, rounds.round_basis(db, data.period, data.scope))
    _participation(w, data, PARTICIPATION_SECTION)
    number = _groups(w, data)
    _comparison(w, data, number)
    _deficits(w, data, number + 1)
    _closing(w, data, get_signoff(db), meeting)
    _appendices(w, data, appendix)
    return w.bytes()
