"""The logic behind the «Данные» page, kept apart from Streamlit so it can be tested alone.

Checking files (a preview that writes nothing), loading the checked files, the tables the
page shows in Russian, a CSV export that spreadsheets cannot mistake for formulas, and
wiping the demo data.
"""

from __future__ import annotations

import json
import logging
import traceback
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field

import duckdb
import pandas as pd

from analytics.documents.exports import table_csv
from analytics.ingest.identity import NEW_ORGANISATION, Candidate, Unplaced
from analytics.ingest.load import Decisions, IngestResult
from analytics.ingest.parse import Defaults
from analytics.ingest.problems import IngestError, PartialForm, Problem, group
from analytics.model.contract import FIELDS_BY_CODE, KIND_LABELS, ORG_TYPES_BY_CODE, FormKind
from analytics.model.levels import LEVEL_LABELS, Level
from analytics.operations.access import View
from analytics.wording import formatting

log = logging.getLogger("monitoring.ui")

FILE_TYPES: tuple[str, ...] = ("csv", "xlsx", "xlsm", "xls", "ods")

# Tables that keep the database itself working; everything else holds data.

PROBLEM_COLUMNS: dict[str, str] = {
    "file": "Файл",
    "sheet": "Лист",
    "row": "Строка",
    "column": "Столбец",
    "value": "Значение",
    "message": "Что не так",
}

QUALITY_HEADERS: dict[str, str] = {
    "severity": "Вид",
    "period": "Период",
    "municipality": LEVEL_LABELS[Level.MUNICIPALITY],
    "organization": LEVEL_LABELS[Level.ORGANIZATION],
    "field": "Показатель формы",
    "value": "Значение",
    "detail": "Замечание",
}


def make_defaults(
    region: str | None = None,
    municipality: str | None = None,
    org_type: str | None = None,
    period: str | None = None,
) -> Defaults:
    """Upload defaults from the form's fields; blanks mean "not given".

    ``org_type`` may be a code (``school``) or any spelling the parser knows.
    """

    def clean(text: str | None) -> str | None:
        text = (text or "").strip()
        return text or None

    kind = clean(org_type)
    if kind in ORG_TYPES_BY_CODE:
        kind = ORG_TYPES_BY_CODE[kind].label
    return Defaults(
        region=clean(region),
        municipality=clean(municipality),
        org_type=kind,
        period=clean(period),
    )


@dataclass
class FileCheck:
    """One file's preview: what it would do, or every error that stops it; and what the
    user decided about the rows that await a decision (see :class:`Decisions`)."""

    name: str
    content: bytes
    result: IngestResult | None = None
    problems: list[Problem] = field(default_factory=list)
    decisions: Decisions | None = None
    # The preview again with the user's choices, as the load will place the rows: a choice
    # can make another row doubtful, move an organisation or replace a fuller form.
    rechecked: IngestResult | None = None
    # Every row the review has asked about, in the file's order: the first preview's
    # unplaced rows and those a later preview found (see :func:`settle`).
    asked: list[Unplaced] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.result is not None

    @property
    def latest(self) -> IngestResult | None:
        """The preview made with the choices taken so far (the first one before any)."""
        return self.rechecked or self.result

    @property
    def ready(self) -> bool:
        """Whether the file can be loaded: valid, and every decision it needs taken, as
        the preview made with them says (the load places the rows the same way)."""
        if self.result is None:
            return False
        if not self.result.needs_review:
            return True
        return self.decisions is not None and not self.latest.awaiting(self.decisions)


@dataclass
class FileLoad:
    """One file's upload: its result, or the errors that stopped it (nothing written)."""

    name: str
    result: IngestResult | None = None
    problems: list[Problem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.result is not None


def check_file(
    view: View, name: str, content: bytes, kind: FormKind, defaults: Defaults
) -> FileCheck:
    """Validate a file and count what it would change; writes nothing."""
    try:
        result = view.preview(name, content, kind, defaults)
    except IngestError as error:
        return FileCheck(name, content, problems=list(error.problems))
    result.records = []  # kept in the session: the counts are enough
    return FileCheck(name, content, result=result, asked=list(result.unplaced))


def check_files(
    view: View, files: Sequence[tuple[str, bytes]], kind: FormKind, defaults: Defaults
) -> list[FileCheck]:
    return [check_file(view, name, content, kind, defaults) for name, content in files]


def load_files(
    view: View,
    checks: Sequence[FileCheck],
    kind: FormKind,
    defaults: Defaults,
    on_progress: Callable[[int, int, str], None] | None = None,
) -> list[FileLoad]:
    """Load the files that passed the check, one transaction each, in order.

    ``on_progress(done, total, name)`` is called before each file and once at the end.
    A file that fails now (the database changed since the check) is reported, not loaded.
    """
    todo = [c for c in checks if c.ready]
    loads: list[FileLoad] = []
    for n, check in enumerate(todo):
        if on_progress:
            on_progress(n, len(todo), check.name)
        try:
            result = view.ingest(check.name, check.content, kind, defaults, check.decisions)
            result.records = []
            loads.append(FileLoad(check.name, result=result))
        except IngestError as error:
            loads.append(FileLoad(check.name, problems=list(error.problems)))
        except duckdb.Error:
            # The transaction was rolled back: nothing of this file is in the database.
            log.error("upload of %s failed\n%s", check.name, traceback.format_exc())
            message = (
                "файл не записан из-за внутренней ошибки базы данных; данные не изменились. "
                "Подробности записаны в журнал сервера"
            )
            loads.append(FileLoad(check.name, problems=[Problem(check.name, message)]))
    if on_progress:
        on_progress(len(todo), len(todo), "")
    return loads


NEW_ORGANISATION_LABEL = "Новая организация: добавить в базу"


def candidate_label(candidate: Candidate) -> str:
    """A candidate's first line as the user picks it: its name."""
    return candidate.name


def candidate_caption(candidate: Candidate) -> str:
    """A candidate's second line: ИНН, municipality and district, and how alike."""
    parts = [f"ИНН {candidate.inn}" if candidate.inn else f"код {candidate.org_id}"]
    parts += [p for p in (candidate.territory, candidate.district) if p]
    return ", ".join(parts) + f" — совпадение {formatting.percent(candidate.score, 0)}"


def match_options(row: Unplaced) -> dict[int | str, tuple[str, str]]:
    """The choices for an unplaced row in the order shown: organisation id or
    NEW_ORGANISATION → (the line the user reads, the line under it)."""
    options: dict[int | str, tuple[str, str]] = {
        c.org_id: (candidate_label(c), candidate_caption(c)) for c in row.candidates
    }
    like = "; ".join(c.name for c in row.registered[:1])
    options[NEW_ORGANISATION] = (
        NEW_ORGANISATION_LABEL,
        f"самая похожая в реестре — {like}; потребуется подтверждение" if like else "",
    )
    return options


def closest_text(row: Unplaced) -> str:
    """The registered organisations of the row's municipality and type most like it, for
    the confirmation of «новая организация»."""
    return "; ".join(f"«{c.name}» ({candidate_caption(c)})" for c in row.registered)


def registry_choices(hierarchy: pd.DataFrame, municipality_id: int | None) -> dict[int, str]:
    """The registered organisations of a municipality as the registry search offers them:
    id → «name — ИНН …» (the search matches what is typed against the whole line)."""
    if municipality_id is None:
        return {}
    found = hierarchy[hierarchy["in_registry"] & (hierarchy["municipality_id"] == municipality_id)]
    return {
        int(o): f"{name} — ИНН {inn}" if isinstance(inn, str) and inn else str(name)
        for o, name, inn in zip(found["org_id"], found["organization"], found["inn"], strict=True)
    }


def settle(
    view: View, check: FileCheck, kind: FormKind, defaults: Defaults, decisions: Decisions
) -> list[Problem] | bool:
    """Preview the file again with ``decisions``, as the load will place its rows, and
    add the rows it newly asks about to ``check.asked``. Returns the errors the choices
    cause (two rows chosen for one organisation), else whether new rows were asked: the
    page then draws their questions, until a preview asks nothing new."""
    check.rechecked = None
    if not decisions.choices and not decisions.new_orgs:
        return False
    found = recheck(view, check, kind, defaults, decisions)
    if isinstance(found, list):
        return found
    check.rechecked = found
    known = {(u.sheet, u.row) for u in check.asked}
    new = [u for u in found.unplaced if (u.sheet, u.row) not in known]
    if new:
        check.asked = sorted([*check.asked, *new], key=lambda u: (u.sheet, u.row))
    return bool(new)


def created_frame(result: IngestResult) -> pd.DataFrame:
    """The new organisations a load would create, each beside the registered organisation
    of its municipality and type most like it."""
    rows = [
        {
            "Строка": c.row,
            "Новая организация": c.name,
            "Самая похожая в реестре": c.closest.name if c.closest else "в реестре таких нет",
            "ИНН": (c.closest.inn or "") if c.closest else "",
            "Совпадение": formatting.percent(c.closest.score, 0) if c.closest else "",
        }
        for c in result.created
    ]
    columns = ["Строка", "Новая организация", "Самая похожая в реестре", "ИНН", "Совпадение"]
    return pd.DataFrame(rows, columns=columns)


def recheck(
    view: View, check: FileCheck, kind: FormKind, defaults: Defaults, decisions: Decisions
) -> IngestResult | list[Problem]:
    """The preview again with the user's choices, or the errors they cause (two rows
    chosen for one organisation)."""
    try:
        return view.preview(check.name, check.content, kind, defaults, decisions)
    except IngestError as error:
        return list(error.problems)


def moves_frame(result: IngestResult) -> pd.DataFrame:
    """Organisations the file would move to another municipality."""
    return pd.DataFrame(
        {
            "Строка": [m.row for m in result.moves],
            "Организация": [m.name for m in result.moves],
            "Сейчас": [m.from_municipality for m in result.moves],
            "В файле": [m.to_municipality for m in result.moves],
        }
    )


def partial_frame(partial: Sequence[PartialForm]) -> pd.DataFrame:
    """Stored forms beside the rows that would replace them with fewer answers: one line
    per answer the stored form has and the row lacks."""

    def shown(value: object) -> str:
        if value is None:
            return "нет ответа"
        if isinstance(value, bool):
            return "да" if value else "нет"
        return formatting.number(float(value), 0 if float(value).is_integer() else 1)

    rows = [
        {
            "Строка": p.row,
            "Организация": p.organization,
            "Период": p.period,
            "Показатель формы": FIELDS_BY_CODE[code].header,
            "Сейчас в базе": shown(p.stored[code]),
            "В файле": shown(p.incoming.get(code)),
        }
        for p in partial
        for code in p.lost
    ]
    columns = ["Строка", "Организация", "Период", "Показатель формы", "Сейчас в базе", "В файле"]
    return pd.DataFrame(rows, columns=columns)


# Distinct values shown for a group of problems before «…».
GROUP_VALUES_SHOWN = 3


def problems_frame(problems: Sequence[Problem]) -> pd.DataFrame:
    """Errors or warnings as a table with Russian headers, one line per group of the same
    problem in one column (:func:`analytics.ingest.problems.group`): rows as numbered in Excel
    and compressed («5–9, 12»), the count of rows after the message where there are
    several, the value where they share one, else the first few."""
    lines = []
    for g in group(problems):
        p = g.first
        values = g.values[:GROUP_VALUES_SHOWN]
        value = ", ".join(values) + (", …" if len(g.values) > len(values) else "")
        message = p.message
        if len(g.rows) > 1:
            message += " — " + formatting.count(len(g.rows), "строка", "строки", "строк")
        lines.append(
            {
                "file": p.file,
                "sheet": p.sheet,
                "row": g.rows_text or None,
                "column": p.column,
                "value": value if g.values else None,
                "message": message,
            }
        )
    # No sheet, row or value is an empty cell, not the word «None».
    frame = pd.DataFrame(lines, columns=list(PROBLEM_COLUMNS)).fillna("")
    return frame.rename(columns=PROBLEM_COLUMNS)


def stored_warnings(text: str | None) -> list[Problem]:
    """The warnings an upload saved as JSON in the ``uploads`` table."""
    if not text:
        return []
    try:
        items = json.loads(text)
    except ValueError:
        return []
    names = ("file", "message", "sheet", "row", "column", "value")
    return [Problem(**{k: item.get(k) for k in names}) for item in items]


def check_summary(result: IngestResult) -> str:
    """What a checked file would do, in one line."""
    parts = [formatting.count(result.rows, "строка", "строки", "строк")]
    if result.unplaced:
        parts.append(
            "ждут сопоставления: "
            + formatting.count(len(result.unplaced), "строка", "строки", "строк")
        )
    if result.kind is FormKind.ORG_FORM:
        parts.append(f"новых организаций: {formatting.integer(result.new_organizations)}")
        parts.append(f"будет заменено форм: {formatting.integer(result.replaced)}")
        if result.periods:
            parts.append("период: " + ", ".join(result.periods))
    else:
        parts.append(f"новых организаций: {formatting.integer(result.new_organizations)}")
    if result.municipalities:
        parts.append("муниципалитеты: " + ", ".join(result.municipalities))
    return "; ".join(parts)


def load_summary(result: IngestResult) -> str:
    """What an upload did, in one line."""
    parts = [
        f"загрузка № {result.upload_id}",
        formatting.count(result.rows, "строка", "строки", "строк"),
        f"новых организаций: {formatting.integer(result.new_organizations)}",
    ]
    if result.kind is FormKind.ORG_FORM:
        parts.append(f"заменено форм: {formatting.integer(result.replaced)}")
    elif result.registry is not None:
        parts.append(formatting.registry_changes(**asdict(result.registry)))
    return "; ".join(parts)


def uploads_table(uploads: pd.DataFrame) -> pd.DataFrame:
    """The upload history as people read it."""

    def when(value: object) -> str:
        return formatting.moment(pd.Timestamp(value).to_pydatetime()) if pd.notna(value) else ""

    return pd.DataFrame(
        {
            "№": uploads["upload_id"].astype(int),
            "Файл": uploads["file_name"],
            "Вид": [KIND_LABELS.get(FormKind(k), k) for k in uploads["kind"]],
            "Загружено": [when(v) for v in uploads["uploaded_at"]],
            "Строк": uploads["rows"].astype(int),
            "Предупреждений": [len(stored_warnings(w)) for w in uploads["warnings"]],
            "Кто загрузил": uploads["uploaded_by"].fillna("—"),
            "Состояние": [
                f"отменена {when(v)}" if pd.notna(v) else "действует"
                for v in uploads["rolled_back_at"]
            ],
        }
    )


def upload_label(row: pd.Series) -> str:
    when = formatting.moment(pd.Timestamp(row["uploaded_at"]).to_pydatetime())
    return f"№ {int(row['upload_id'])} — {row['file_name']} ({when})"


def csv_bytes(frame: pd.DataFrame) -> bytes:
    """A CSV that Excel opens in Russian locale: ``;``-separated, UTF-8 with a BOM, and
    every cell that looks like a formula kept as text (see :mod:`analytics.documents.exports`)."""
    return table_csv(frame)


def full_height(rows: int, limit: int = 900) -> int:
    """A dataframe height that shows ``rows`` rows without an inner scroll bar."""
    return min(limit, 42 + 37 * max(rows, 1))
