"""What each output shows for a scope: one reader per page, document, export or command,
each turning the output's text back into figures (:class:`Observed`).

A new output joins the oracle with one line in :data:`READERS`. A reader that cannot show
some scopes says which scope it shows instead (``covers``) or what it says rather than
show one (``refuses``); the oracle then checks that the output states exactly that.
"""

from __future__ import annotations

import io
import json
import os
import re
import shutil
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import date
from functools import cached_property
from pathlib import Path

import openpyxl
import pandas as pd
from docx import Document
from pptx import Presentation
from streamlit.runtime.media_file_manager import MediaFileManager
from streamlit.testing.v1 import AppTest

from analytics.cli.main import main
from analytics.meetings.meetings import Sitting, screens
from analytics.model.catalogue import INDICATORS, INDICATORS_BY_ID, Indicator
from analytics.model.errors import MonitoringError
from analytics.model.legend import LEGEND, NO_DATA_LABEL, Status
from analytics.model.periods import period_label
from analytics.operations.access import LOCAL_PRINCIPAL, View
from analytics.store.db import Database
from analytics.store.scope import Scope
from analytics.wording.formatting import indicator_value, part_of
from analytics.wording.narrative import org_type_plural
from tests.apptest import assert_clean, open_page
from tests.consistency.figures import COUNTED_KINDS, Tables, by_name, stated

STATUS_BY_LABEL = {legend.label: status for status, legend in LEGEND.items()}
# «47 из 87», «4 371 из 12 192»: the «N из M» at the start of a count's text.
PART_OF = re.compile(r"(\d[\d\u00a0 ]*) из (\d[\d\u00a0 ]*\d|\d)")


@dataclass
class Observed:
    """What an output shows: the scope it states in words, each indicator's value as
    text, status and «N из M», and its deficits in the order it lists them (None where it
    lists none); ``refusal`` is what it says instead of showing the scope."""

    stated: str | None = None
    values: dict[str, str] = field(default_factory=dict)
    statuses: dict[str, Status] = field(default_factory=dict)
    counts: dict[str, str] = field(default_factory=dict)
    deficits: tuple[str, ...] | None = None
    refusal: str | None = None


class Demo:
    """The database under test, copied for each output that opens it (a command line
    process, a dashboard), and the tables the expected figures are worked out from."""

    def __init__(self, template: Path, directory: Path):
        self.template = template
        self.directory = directory
        self.tables = Tables.read(template)
        self._copies: dict[str, Path] = {}

    def path(self, name: str) -> Path:
        """A copy of the database of its own for the output ``name``."""
        if name not in self._copies:
            target = self.directory / f"{name}.duckdb"
            shutil.copy(self.template, target)
            self._copies[name] = target
        return self._copies[name]

    @cached_property
    def view(self) -> View:
        return View(Database(self.path("engine")), LOCAL_PRINCIPAL)

    def close(self) -> None:
        if "view" in self.__dict__:
            self.view.db.close()


def _count(text: str) -> str:
    """The «N из M» a cell or line opens with, spelt as :func:`part_of` spells it."""
    found = PART_OF.search(text)
    assert found, f"no «N из M» in {text!r}"
    return part_of(*(int(re.sub(r"\D", "", group)) for group in found.groups()))


def _docx(content: bytes) -> tuple[list[str], list[list[list[str]]]]:
    document = Document(io.BytesIO(content))
    tables = [[[cell.text for cell in row.cells] for row in t.rows] for t in document.tables]
    return [p.text for p in document.paragraphs], tables


STATUS_BY_MARK = {legend.mark: status for status, legend in LEGEND.items()}


def _marked(text: str) -> tuple[str, Status]:
    """A document's «✗ 54,0 %»: the value and the status its mark says."""
    mark, value = text.split("\u00a0", 1)
    return value, STATUS_BY_MARK[mark]


def _without_organization(scope: Scope) -> Scope:
    """A territory document is never narrower than its district and type."""
    return replace(scope, org_id=None)


def read_note(demo: Demo, scope: Scope) -> Observed:
    """The analytic note as :meth:`View.report` builds it."""
    return _note(demo.view.report(scope))


def _note(content: bytes) -> Observed:
    """The analytic note: its title, its table of values (value, «N из M», status; by type
    the values only), the sentence on who reported and the table of deficits."""
    paragraphs, tables = _docx(content)
    seen = Observed(stated=paragraphs[2])
    for table in tables:
        header = table[0]
        if header[:5] == ["Показатель", "Значение", "Расчёт", "Целевое значение", "Статус"]:
            for name, value, count, _, status in table[1:]:
                if status == NO_DATA_LABEL:
                    continue
                id_ = by_name(name)
                seen.values[id_] = value
                seen.statuses[id_] = STATUS_BY_LABEL[status]
                if "из" in count:
                    seen.counts[id_] = _count(count)
        elif header[:3] == ["Показатель", "Значение", "Целевое значение"]:
            # A note over several types: the value of the whole, then each type's, each
            # after its status's mark.
            for row in table[1:]:
                if row[1] != "—":
                    id_ = by_name(row[0])
                    seen.values[id_], seen.statuses[id_] = _marked(row[1])
        elif header[:2] == ["№", "Показатель"]:
            # The ranked deficits; their status is the value's mark (and its cell's colour).
            seen.deficits = tuple(by_name(row[1]) for row in table[1:])
            for row in table[1:]:
                id_ = by_name(row[1])
                seen.values[id_], seen.statuses[id_] = _marked(row[2])
    reported = next(p for p in paragraphs if p.startswith("Данные представил"))
    seen.counts["reporting"] = _count(reported)
    seen.values["reporting"] = re.search(r"\(([^)]*%)\)", reported).group(1)
    if seen.deficits is None:
        seen.deficits = ()
    return seen


def read_deck(demo: Demo, scope: Scope) -> Observed:
    """The meeting deck as :meth:`View.deck` builds it."""
    return _deck(demo.view.deck(scope))


def _deck(content: bytes) -> Observed:
    """The meeting deck: its title, the key figures of «Основные итоги» (value and status)
    and the deficits' tables in their order."""
    slides = Presentation(io.BytesIO(content)).slides
    texts = [[s.text_frame.text for s in slide.shapes if s.has_text_frame] for slide in slides]
    seen = Observed(stated=texts[0][2], deficits=())
    overview = texts[1]
    for n, text in enumerate(overview):
        if text.startswith("цель ") and ": " in text:
            id_ = by_name(overview[n - 2])
            seen.values[id_] = overview[n - 1]
            seen.statuses[id_] = STATUS_BY_LABEL[text.split(": ", 1)[1]]
    reported = overview.index("Представили данные")
    seen.values["reporting"] = overview[reported + 1]
    seen.counts["reporting"] = _count(overview[reported + 2])
    for slide in slides:
        for shape in slide.shapes:
            if shape.has_table:
                rows = [[c.text for c in row.cells] for row in shape.table.rows]
                if rows[0][:2] == ["№", "Показатель"]:
                    seen.deficits += tuple(by_name(row[1]) for row in rows[1:])
                    for row in rows[1:]:
                        id_ = by_name(row[1])
                        seen.values[id_], seen.statuses[id_] = _marked(row[2])
    return seen


LEVEL_FLAGS = (
    ("region_id", "region", "--region"),
    ("municipality_id", "municipality", "--municipality"),
    ("district_id", "district", "--district"),
)


def cli_arguments(demo: Demo, scope: Scope) -> list[str]:
    """The command line's options naming ``scope``, as a person types them."""
    places = demo.tables.places
    args = ["--period", scope.periods[0]]
    level = "total"
    for key, column, flag in LEVEL_FLAGS:
        value = getattr(scope, key)
        if value is not None:
            args += [flag, places.loc[places[key] == value, column].iloc[0]]
            level = column
    if scope.org_type is not None:
        args += ["--org-type", scope.org_type]
    if scope.org_id is not None:
        args += ["--org", str(scope.org_id)]
        level = "organization"
    return [*args, "--level", level]


def _cli(demo: Demo, command: str, scope: Scope) -> list[dict[str, object]]:
    """What ``python -m analytics COMMAND … --format json`` prints for ``scope`` (its
    entry point run in this process: a process of its own would cost seconds a call)."""
    database = demo.path("cli")
    out = io.StringIO()
    code = main(
        ["--db", str(database), command, *cli_arguments(demo, scope), "--format", "json"], out
    )
    assert code == 0
    return json.loads(out.getvalue())


# The columns of the command line's rows that name their scope, in the order stated.
CLI_SCOPE = ("period", "region", "municipality", "district", "org_type", "organization")


def cli_says(tables: Tables, scope: Scope) -> str:
    """The scope as the command line's rows name it: their scope columns, those set."""
    places = tables.places
    names = [scope.periods[0]]
    if scope.org_id is not None:
        # An organisation's row names every territory it is in.
        org = places[places["org_id"] == scope.org_id].iloc[0]
        scope = replace(scope, **{key: org[key] for key, _, _ in LEVEL_FLAGS if pd.notna(org[key])})
    for key, column, _ in LEVEL_FLAGS:
        value = getattr(scope, key)
        if value is not None:
            names.append(places.loc[places[key] == value, column].iloc[0])
    names += [scope.org_type] if scope.org_type else []
    names += [places.loc[places["org_id"] == scope.org_id, "name"].iloc[0]] if scope.org_id else []
    return " · ".join(names)


def read_cli(demo: Demo, scope: Scope) -> Observed:
    """``indicators`` and ``deficits`` with ``--format json``: the scope's own level."""
    rows = _cli(demo, "indicators", scope)
    named = {" · ".join(str(row[c]) for c in CLI_SCOPE if row[c] is not None) for row in rows}
    assert len(named) == 1, named
    seen = Observed(
        stated=named.pop(),
        deficits=tuple(row["indicator"] for row in _cli(demo, "deficits", scope)),
    )
    for row in rows:
        indicator = INDICATORS_BY_ID[row["indicator"]]
        if row["value"] is None:
            continue
        seen.values[indicator.id] = indicator_value(indicator, row["value"])
        seen.statuses[indicator.id] = Status(row["status"])
        if indicator.kind in COUNTED_KINDS:
            seen.counts[indicator.id] = part_of(row["numerator"], row["denominator"])
    return seen


def read_school_note(demo: Demo, scope: Scope) -> Observed:
    """One organisation's note: its name, each indicator's value (да/нет for a yes/no
    one), «N из M» and status, and its deficits in order."""
    try:
        paragraphs, tables = _docx(demo.view.school_note(scope))
    except MonitoringError as refused:
        return Observed(refusal=str(refused))
    seen = Observed(stated=paragraphs[1], deficits=())
    answers = {"да": 100.0, "нет": 0.0}
    for name, value, _, _, status in tables[0][1:]:
        if status == NO_DATA_LABEL:
            continue
        indicator = INDICATORS_BY_ID[by_name(name)]
        seen.values[indicator.id] = (
            indicator_value(indicator, answers[value]) if value in answers else value.split(" (")[0]
        )
        seen.statuses[indicator.id] = STATUS_BY_LABEL[status]
        if "из" in value:
            seen.counts[indicator.id] = _count(value)
    start = paragraphs.index("Дефициты и рекомендации") + 1
    for line in paragraphs[start:]:
        if not re.match(r"\d+\. ", line):
            break
        item = line.split(". ", 1)[1]
        seen.deficits += (next(i.id for i in INDICATORS if _lists(item, i)),)
    return seen


def _lists(item: str, indicator: Indicator) -> bool:
    """A school note's deficit ``item`` is of ``indicator``: «Обученные наставники: …» or,
    for a yes/no one, its negative sentence."""
    if item.startswith(f"{indicator.short}:"):
        return True
    return indicator.yes_no and item.startswith(indicator.phrase.negative)


def _organization_name(tables: Tables, scope: Scope) -> str:
    places = tables.places
    return places.loc[places["org_id"] == scope.org_id, "name"].iloc[0]


# The URL query of the sidebar's filters (see ``ui.page.Filters.params``).
QUERY = (
    ("period", "period"),
    ("region_id", "region"),
    ("municipality_id", "municipality"),
    ("district_id", "district"),
    ("org_type", "type"),
    ("org_id", "org"),
)
BADGES = {"green-badge": Status.GREEN, "orange-badge": Status.YELLOW, "red-badge": Status.RED}
# A ranked deficit on Обзор: «1. :red[●] **Доля …**: 14 931 из 41 489 обучающихся \\(36,0 %\\) — …».
LISTED = re.compile(r"\d+\. :\w+\[●\] \*\*(.+?)\*\*: (.*?) \((\S+(?:\u00a0%)?)\) — ")


def _plain(markdown: str) -> str:
    """Markdown's text without its escapes («г\\. Ижевск» → «г. Ижевск»)."""
    return re.sub(r"\\(.)", r"\1", markdown)


def _open(demo: Demo, page: str, scope: Scope) -> AppTest:
    """``page`` run once with the sidebar's filters of ``scope`` in its URL."""
    query = {}
    for key, name in QUERY:
        value = scope.periods[0] if key == "period" else getattr(scope, key)
        if value is not None:
            query[name] = str(value)
    previous = os.environ.get("MONITORING_DB")
    os.environ["MONITORING_DB"] = str(demo.path("pages"))
    try:
        at = open_page(page, query)
    finally:
        if previous is None:
            del os.environ["MONITORING_DB"]
        else:
            os.environ["MONITORING_DB"] = previous
    assert_clean(at)
    return at


def read_overview(demo: Demo, scope: Scope) -> Observed:
    """Обзор: its caption, the key figures (value and status badge) and the first
    deficits ranked with their «N из M» and values."""
    at = _open(demo, "dashboard.py", scope)
    seen = Observed(stated=_plain(at.caption[0].value), deficits=())
    for metric in at.metric:
        label, _, badge = metric.label.partition(" :")
        if label == "Представили данные":
            seen.values["reporting"] = metric.value
        elif badge and not badge.startswith("gray-badge"):
            id_ = by_name(label)
            seen.values[id_] = metric.value
            seen.statuses[id_] = BADGES[badge.split("[")[0]]
    for markdown in at.markdown:
        listed = LISTED.match(_plain(markdown.value))
        if listed:
            name, count, value = listed.groups()
            id_ = by_name(name)
            seen.deficits += (id_,)
            seen.values[id_] = value
            if " из " in count:
                seen.counts[id_] = _count(count)
    return seen


def _chosen(at: AppTest) -> str:
    return next(box.value for box in at.selectbox if box.label == "Показатель")


def read_deficits_page(demo: Demo, scope: Scope) -> Observed:
    """Дефициты: its caption and the indicator it opens on, the largest deficit."""
    at = _open(demo, "pages/deficits.py", scope)
    first = any(_plain(c.value).startswith("Дефицит 1 из ") for c in at.caption)
    return Observed(stated=_plain(at.caption[0].value), deficits=(_chosen(at),) if first else ())


def read_indicators_page(demo: Demo, scope: Scope) -> Observed:
    """Показатели: the indicator it opens on (the largest deficit), its value, «N из M»
    and status for the scope its headline names."""
    at = _open(demo, "pages/indicators.py", scope)
    id_ = _chosen(at)
    headline = at.metric[0]
    seen = Observed(stated=_plain(headline.label).split(": ", 1)[1], deficits=())
    seen.values[id_] = headline.value
    line = next(_plain(m.value) for m in at.markdown if " — цель " in m.value)
    status = STATUS_BY_LABEL[line.rsplit(" — ", 1)[1]]
    seen.statuses[id_] = status
    if " из " in line.split(" (")[0]:
        seen.counts[id_] = _count(line)
    if status in (Status.YELLOW, Status.RED):
        seen.deficits = (id_,)
    return seen


def read_territories_page(demo: Demo, scope: Scope) -> Observed:
    """Территории: its caption, the row «Всего по фильтрам» (every indicator's value) and
    the indicators its charts compare by default, the largest deficits first."""
    at = _open(demo, "pages/territories.py", scope)
    seen = Observed(stated=_plain(at.caption[0].value))
    # The scorecard shows one group of indicators at a time: each group as clicked.
    total: dict[str, object] = {}
    for title in at.radio(key="terr_group").options:
        at.radio(key="terr_group").set_value(title).run()
        table = at.table[0].value
        total.update(table[table["Территория"] == "Всего по фильтрам"].iloc[0].to_dict())
    for indicator in INDICATORS:
        if indicator.short in total and total[indicator.short] != "—":
            seen.values[indicator.id] = total[indicator.short]
    deficits = int(total["Дефицитов"].split(" из ")[0])
    chosen = next(box.value for box in at.multiselect if box.label == "Показатели для диаграмм")
    seen.deficits = tuple(chosen[:deficits])
    return seen


def read_organization_page(demo: Demo, scope: Scope) -> Observed:
    """Организация: the organisation it names, each indicator's value, «N из M» and status;
    without one chosen, what it asks for."""
    at = _open(demo, "pages/organization.py", scope)
    if not at.header:
        asked = next(m.value for m in at.markdown if m.value.startswith("Выберите"))
        return Observed(refusal=asked.split(" (")[0])
    seen = Observed(stated=at.header[0].value)
    table = next(df.value for df in at.dataframe if "Из чего" in df.value.columns)
    for name, value, count, status in zip(
        table["Показатель"], table["ОО"], table["Из чего"], table["Статус"], strict=True
    ):
        if status == NO_DATA_LABEL:
            continue
        seen.values[by_name(name)] = value
        seen.statuses[by_name(name)] = STATUS_BY_LABEL[status]
        if " из " in count:
            seen.counts[by_name(name)] = _count(count)
    return seen


# What Отчёты says of the documents' scope before their download: «… для фильтров: X.»,
# or, with an organisation chosen, «… без выбранной организации: X. …».
DOCUMENTS_FOR = re.compile(
    r"(?:для фильтров|без выбранной организации): (.+?)\. (?:Измените|Справка по самой)"
)


def read_reports_page(demo: Demo, scope: Scope) -> Observed:
    """Отчёты: the scope it says its note and deck are built for, before the download
    (the wider one it says where an organisation is chosen)."""
    at = _open(demo, "pages/reports.py", scope)
    said = [
        found.group(1)
        for element in (*at.caption, *at.info)
        if (found := DOCUMENTS_FOR.search(_plain(element.value)))
    ]
    return Observed(stated=said[-1] if said else None)


def _document(demo: Demo, scope: Scope, prefix: str) -> bytes:
    """The document Отчёты gives for ``scope`` under the file name ``prefix``…"""
    with downloads() as offered:
        _open(demo, "pages/reports.py", scope)
    return next(download() for name, download in offered.items() if name.startswith(prefix))


def read_reports_note(demo: Demo, scope: Scope) -> Observed:
    """The note downloaded from Отчёты."""
    return _note(_document(demo, scope, "справка_"))


def read_reports_deck(demo: Demo, scope: Scope) -> Observed:
    """The deck downloaded from Отчёты."""
    return _deck(_document(demo, scope, "презентация_"))


def _organization_or_stated(tables: Tables, scope: Scope) -> str:
    """A page narrowed to an organisation names it and the period."""
    if scope.org_id is None:
        return stated(tables, scope)
    return f"{_organization_name(tables, scope)} · {period_label(scope.periods[0])}"


@contextmanager
def downloads() -> Iterator[dict[str, Callable[[], bytes]]]:
    """What the download buttons of a page run in it give, by file name, as a person
    clicking one gets it: a page builds its files on the click (a deferred callable),
    which AppTest never makes, so the callables are kept to be called here."""
    offered: dict[str, Callable[[], bytes]] = {}
    original = MediaFileManager.add_deferred

    def add_deferred(self, data_callable, mimetype, coordinates, file_name=None, **kwargs):
        offered[file_name] = data_callable
        return original(self, data_callable, mimetype, coordinates, file_name, **kwargs)

    MediaFileManager.add_deferred = add_deferred
    try:
        yield offered
    finally:
        MediaFileManager.add_deferred = original


def read_dynamics_xlsx(demo: Demo, scope: Scope) -> Observed:
    """The XLSX of Динамика's «Что улучшилось» and «Что ухудшилось»: the filters they
    state and each indicator's value of the period (the number, spelt as people read it)
    and status."""
    with downloads() as offered:
        at = _open(demo, "pages/dynamics.py", scope)
    seen = Observed(stated=_plain(at.caption[0].value))
    for name, download in offered.items():
        if not name.startswith(("Что_улучшилось", "Что_ухудшилось")) or ".xlsx" not in name:
            continue
        rows = list(openpyxl.load_workbook(io.BytesIO(download())).active.values)
        seen.stated = rows[1][0].removeprefix("Фильтры: ")
        header = rows.index(next(r for r in rows if r[-1] == "Статус"))
        column = rows[header].index(period_label(scope.periods[0]))
        for row in rows[header + 1 :]:
            if row[0] is None:
                break
            indicator = INDICATORS_BY_ID[by_name(row[0])]
            seen.values[indicator.id] = indicator_value(indicator, row[column])
            seen.statuses[indicator.id] = STATUS_BY_LABEL[row[-1]]
    return seen


# A protocol's heading of an indicator: «2. Доля обучающихся 10–18 лет, …».
AGENDA_ITEM = re.compile(r"\d+\. (.+)")
# A protocol's rank of a deficit: «Дефицит 1 из 13 по величине: …».
RANKED = re.compile(r"Дефицит (\d+) из \d+ по величине")
MEETING_REFUSES = (
    "Заседание проводится по территории и всем её показателям, а не по отдельным "
    "организациям или показателям."
)


def read_protocol(demo: Demo, scope: Scope) -> Observed:
    """A meeting's protocol after every screen was shown: its scope, each indicator's
    sentence («N из M», value) and each deficit's rank."""
    view = View(Database(demo.path("protocol")), LOCAL_PRINCIPAL)
    try:
        try:
            meeting = view.create_meeting(scope, Sitting(date(2024, 5, 15)))
        except MonitoringError as refused:
            return Observed(refusal=str(refused))
        for screen in screens(view.frozen_values(meeting)):
            view.mark_shown(meeting, screen)
        paragraphs, _ = _docx(view.protocol(meeting))
    finally:
        view.db.close()
    heard = paragraphs.index("СЛУШАЛИ:")
    seen = Observed(stated=re.search(r"\((.*)\) по данным", paragraphs[heard + 1]).group(1))
    ranks: dict[int, str] = {}
    current = None
    for line in paragraphs[heard + 2 : paragraphs.index("РЕШИЛИ:")]:
        item = AGENDA_ITEM.fullmatch(line)
        if item and item.group(1) in {i.name for i in INDICATORS}:
            current = by_name(item.group(1))
        elif current and (rank := RANKED.match(line)):
            ranks[int(rank.group(1))] = current
        elif current and current not in seen.values and " из " in line and "(" in line:
            seen.counts[current] = _count(line)
            seen.values[current] = re.search(r"\(([^)]*%)\)", line).group(1)
    seen.deficits = tuple(ranks[n] for n in sorted(ranks))
    return seen


def protocol_says(tables: Tables, scope: Scope) -> str:
    """A protocol's scope: «2023/2024 уч. год, г. Ижевск, общеобразовательные организации»."""
    places = tables.places
    place = "все территории"
    for key, column, _ in LEVEL_FLAGS:
        value = getattr(scope, key)
        if value is not None:
            place = places.loc[places[key] == value, column].iloc[0]
    if scope.org_type is not None:
        place += f", {org_type_plural(scope.org_type)}"
    return f"{period_label(scope.periods[0])}, {place}"


@dataclass(frozen=True)
class Reader:
    """One output: ``read`` what it shows for a scope; ``covers`` the scope it shows for
    one asked for (wider where it cannot be narrower); ``says`` how it states that scope
    in words; ``refuses`` the message it gives instead of a scope it cannot show at all
    (None where it shows it). ``indicators`` are those it speaks of (its deficits are
    ranked among them); ``required`` those whose value it must show besides its deficits
    (all of ``indicators`` where None); ``top`` how many of the first deficits it lists
    (all where None), ``deficit_values`` whether it shows their values."""

    read: Callable[[Demo, Scope], Observed]
    covers: Callable[[Scope], Scope] = lambda scope: scope
    says: Callable[[Tables, Scope], str] = stated
    refuses: Callable[[Scope], str | None] = lambda scope: None
    indicators: frozenset[str] = frozenset(i.id for i in INDICATORS)
    required: frozenset[str] | None = None
    top: int | None = None
    deficit_values: bool = True


HEADLINE = frozenset({"reporting", *(i.id for i in INDICATORS if i.headline)})
SCHOOL_NOTE_NEEDS = "Выберите организацию: справка строится для одной организации."

# Every output the oracle checks, by the name a failure reports.
READERS: dict[str, Reader] = {
    "note": Reader(read_note, covers=_without_organization),
    "deck": Reader(read_deck, covers=_without_organization, required=HEADLINE),
    "cli": Reader(read_cli, says=cli_says),
    "school_note": Reader(
        read_school_note,
        says=_organization_name,
        refuses=lambda scope: None if scope.org_id is not None else SCHOOL_NOTE_NEEDS,
        indicators=frozenset(i.id for i in INDICATORS if not i.coverage),
    ),
    "page_overview": Reader(read_overview, says=_organization_or_stated, top=5),
    "page_deficits": Reader(
        read_deficits_page,
        covers=_without_organization,
        required=frozenset(),
        top=1,
        deficit_values=False,
    ),
    "page_indicators": Reader(
        read_indicators_page, covers=_without_organization, required=frozenset(), top=1
    ),
    "protocol": Reader(
        read_protocol,
        says=protocol_says,
        refuses=lambda scope: None if scope.org_id is None else MEETING_REFUSES,
        required=frozenset(),
        deficit_values=False,
    ),
    "xlsx_dynamics": Reader(
        read_dynamics_xlsx, covers=_without_organization, required=frozenset(), deficit_values=False
    ),
    "page_territories": Reader(
        read_territories_page, covers=_without_organization, top=4, deficit_values=False
    ),
    "page_organization": Reader(
        read_organization_page,
        says=_organization_name,
        refuses=lambda scope: None if scope.org_id is not None else "Выберите организацию",
        indicators=frozenset(i.id for i in INDICATORS if not i.coverage),
    ),
    "page_reports": Reader(
        read_reports_page,
        covers=_without_organization,
        required=frozenset(),
        deficit_values=False,
    ),
    "page_reports_note": Reader(read_reports_note, covers=_without_organization),
    "page_reports_deck": Reader(read_reports_deck, covers=_without_organization, required=HEADLINE),
}
