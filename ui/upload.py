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
from dataclasses import dataclass, field

import duckdb
import pandas as pd

from analytics import formatting
from analytics.access import View
from analytics.contract import KIND_LABELS, ORG_TYPES_BY_CODE, Kind
from analytics.exports import table_csv
from analytics.ingest import IngestResult
from analytics.parse import Defaults
from analytics.problems import IngestError, Problem, group

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
    "municipality": "Муниципалитет",
    "organization": "Организация",
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
    """One file's preview: what it would do, or every error that stops it."""

    name: str
    content: bytes
    result: IngestResult | None = None
    problems: list[Problem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.result is not None


@dataclass
class FileLoad:
    """One file's upload: its result, or the errors that stopped it (nothing written)."""

    name: str
    result: IngestResult | None = None
    problems: list[Problem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.result is not None


def check_file(view: View, name: str, content: bytes, kind: Kind, defaults: Defaults) -> FileCheck:
    """Validate a file and count what it would change; writes nothing."""
    try:
        result = view.preview(name, content, kind, defaults)
    except IngestError as error:
        return FileCheck(name, content, problems=list(error.problems))
    result.records = []  # kept in the session: the counts are enough
    return FileCheck(name, content, result=result)


def check_files(
    view: View, files: Sequence[tuple[str, bytes]], kind: Kind, defaults: Defaults
) -> list[FileCheck]:
    return [check_file(view, name, content, kind, defaults) for name, content in files]


def load_files(
    view: View,
    checks: Sequence[FileCheck],
    kind: Kind,
    defaults: Defaults,
    on_progress: Callable[[int, int, str], None] | None = None,
) -> list[FileLoad]:
    """Load the files that passed the check, one transaction each, in order.

    ``on_progress(done, total, name)`` is called before each file and once at the end.
    A file that fails now (the database changed since the check) is reported, not loaded.
    """
    todo = [c for c in checks if c.ok]
    loads: list[FileLoad] = []
    for n, check in enumerate(todo):
        if on_progress:
            on_progress(n, len(todo), check.name)
        try:
            result = view.ingest(check.name, check.content, kind, defaults)
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


# Distinct values shown for a group of problems before «…».
GROUP_VALUES_SHOWN = 3


def problems_frame(problems: Sequence[Problem]) -> pd.DataFrame:
    """Errors or warnings as a table with Russian headers, one line per group of the same
    problem in one column (:func:`analytics.problems.group`): rows as numbered in Excel
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
    frame = pd.DataFrame(lines, columns=list(PROBLEM_COLUMNS))
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
    if result.kind is Kind.ORG_FORM:
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
    if result.kind is Kind.ORG_FORM:
        parts.append(f"заменено форм: {formatting.integer(result.replaced)}")
    else:
        parts.append(f"заменено записей реестра: {formatting.integer(result.replaced)}")
    return "; ".join(parts)


def uploads_table(uploads: pd.DataFrame) -> pd.DataFrame:
    """The upload history as people read it."""

    def when(value: object) -> str:
        return formatting.moment(pd.Timestamp(value).to_pydatetime()) if pd.notna(value) else ""

    return pd.DataFrame(
        {
            "№": uploads["upload_id"].astype(int),
            "Файл": uploads["file_name"],
            "Вид": [KIND_LABELS.get(Kind(k), k) for k in uploads["kind"]],
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
    every cell that looks like a formula kept as text (see :mod:`analytics.exports`)."""
    return table_csv(frame)


def full_height(rows: int, limit: int = 900) -> int:
    """A dataframe height that shows ``rows`` rows without an inner scroll bar."""
    return min(limit, 42 + 37 * max(rows, 1))
