"""A review in bulk: the rows a load stops on written as one table a person fills in
(the questions file), and the answers read back as the choices of the next load.

Each question is a row of a file with the name as written and its candidates (name, ИНН or
code, score); the person writes in «Ответ» the ИНН or code of the organisation, the number
of a candidate (1–3), or «новая» for a new organisation. OpenRefine's reconciliation works
the same way: candidates with scores, a person's match per row, the matches applied in bulk.
The load then places each answered row as chosen and learns its name as an alias of the
chosen organisation, recorded with the upload and the person who loaded the answers.
"""

from __future__ import annotations

import io
from collections.abc import Iterable, Sequence
from pathlib import PurePath

import pandas as pd

from analytics.ingest.aliases import find_org
from analytics.ingest.identity import CANDIDATES_SHOWN, NEW_ORGANISATION, Unplaced
from analytics.ingest.parse import Record
from analytics.ingest.problems import IngestError, Problem
from analytics.model.contract import ORG_NAME
from analytics.model.errors import MonitoringError
from analytics.model.text import collapse, fold
from analytics.store.db import Database

FILE, SHEET, ROW, WRITTEN, MUNICIPALITY = (
    "Файл",
    "Лист",
    "Строка",
    "Наименование в файле",
    "Муниципалитет",
)
ANSWER = "Ответ"
# The word a person writes for a row that is a new organisation.
NEW_ANSWER = "новая"


def candidate_columns(n: int) -> tuple[str, str, str]:
    """The columns of the ``n``-th candidate (1-based): name, ИНН or code, score."""
    return f"Кандидат {n}", f"ИНН или код {n}", f"Сходство {n}, %"


COLUMNS: tuple[str, ...] = (
    FILE,
    SHEET,
    ROW,
    WRITTEN,
    MUNICIPALITY,
    *(c for n in range(1, CANDIDATES_SHOWN + 1) for c in candidate_columns(n)),
    ANSWER,
)
HOW_TO_ANSWER = (
    f"в столбце «{ANSWER}» укажите ИНН или код организации, номер кандидата "
    f"(1–{CANDIDATES_SHOWN}) или «{NEW_ANSWER}» для новой организации"
)


def frame(questions: Iterable[tuple[str, Unplaced]]) -> pd.DataFrame:
    """The questions ``(file, unplaced row)`` as the table a person fills in, «Ответ» empty."""
    rows = []
    for file, u in questions:
        row: dict[str, object] = {
            FILE: file,
            SHEET: u.sheet,
            ROW: u.row,
            WRITTEN: u.name,
            MUNICIPALITY: u.municipality or "",
        }
        for n in range(1, CANDIDATES_SHOWN + 1):
            name, code, score = candidate_columns(n)
            c = u.candidates[n - 1] if n <= len(u.candidates) else None
            row[name] = c.name if c else ""
            row[code] = c.code if c else ""
            row[score] = round(c.score) if c else None
        row[ANSWER] = ""
        rows.append(row)
    return pd.DataFrame(rows, columns=list(COLUMNS)).astype({ROW: "int64"})


def to_bytes(table: pd.DataFrame, name: str) -> bytes:
    """The table as the file ``name`` says: XLSX for «.xlsx», else CSV as Excel opens it in
    Russian (UTF-8 with its mark, «;» between columns)."""
    buffer = io.BytesIO()
    if PurePath(name).suffix.casefold() == ".xlsx":
        table.to_excel(buffer, index=False, sheet_name="Вопросы")
    else:
        buffer.write(table.to_csv(sep=";", index=False).encode("utf-8-sig"))
    return buffer.getvalue()


class AnswersError(MonitoringError):
    """The answers file cannot be read; the message is in Russian."""


def read(name: str, content: bytes) -> pd.DataFrame:
    """A filled questions file (CSV or XLSX) as text cells, the rows with an answer only."""
    try:
        if PurePath(name).suffix.casefold() in (".xlsx", ".xlsm"):
            table = pd.read_excel(io.BytesIO(content), dtype=str, engine="openpyxl")
        else:
            text = content.decode("utf-8-sig")
            sep = ";" if text.split("\n", 1)[0].count(";") else ","
            table = pd.read_csv(io.StringIO(text), sep=sep, dtype=str)
    except (ValueError, UnicodeDecodeError, OSError):
        raise AnswersError(f"файл ответов «{name}» не читается как CSV или XLSX") from None
    table.columns = [collapse(str(c)) for c in table.columns]
    missing = [c for c in (FILE, SHEET, ROW, WRITTEN, ANSWER) if c not in table.columns]
    if missing:
        raise AnswersError(
            f"в файле ответов «{name}» нет столбцов: " + ", ".join(f"«{c}»" for c in missing)
        )
    table = table.fillna("")
    return table[table[ANSWER].map(lambda v: bool(collapse(v)))].reset_index(drop=True)


Choices = dict[tuple[str, int], int | str]


def choices(db: Database, answers: pd.DataFrame, file: str, records: Sequence[Record]) -> Choices:
    """The answers for ``file`` as the choices of its load, each checked against the row it
    answers (the name as written must be the row's: a file edited since has other rows);
    raises :class:`IngestError` naming every answer that cannot be applied."""
    written = {(r.sheet, r.row): str(r.values.get(ORG_NAME.code) or "") for r in records}
    found: Choices = {}
    problems = []
    for a in answers[answers[FILE] == file].itertuples(index=False):
        cells = {str(k): str(v) for k, v in zip(answers.columns, a, strict=True)}
        answer = collapse(cells[ANSWER])
        try:
            where = (cells[SHEET], int(float(cells[ROW])))
        except ValueError:
            problems.append(Problem(file, f"в ответах строка «{cells[ROW]}» — не номер строки"))
            continue
        chosen, message = _answered(db, cells, written.get(where))
        if chosen is not None:
            found[where] = chosen
        else:
            problems.append(
                Problem(file, str(message), sheet=where[0] or None, row=where[1], value=answer)
            )
    if problems:
        raise IngestError(problems)
    return found


def _answered(
    db: Database, cells: dict[str, str], written: str | None
) -> tuple[int | str | None, str | None]:
    """The choice one answer makes for the row it answers (written so in the file, None
    where the file has no such row), else why it cannot be applied."""
    answer = collapse(cells[ANSWER])
    if written is None:
        return None, "в файле нет такой строки с данными"
    if collapse(written) != collapse(cells[WRITTEN]):
        return None, (
            f"в файле в строке «{written}», а в ответах — «{cells[WRITTEN]}»; файл "
            "изменился, составьте вопросы заново"
        )
    if fold(answer) == NEW_ANSWER:
        return NEW_ORGANISATION, None
    code = answer
    if answer.isdigit() and 1 <= int(answer) <= CANDIDATES_SHOWN:
        code = collapse(cells.get(candidate_columns(int(answer))[1], ""))
    try:
        return find_org(db, code)[0], None
    except MonitoringError:
        return None, f"ответ не называет организацию: {HOW_TO_ANSWER}"


def named(db: Database, answers: pd.DataFrame) -> list[tuple[str, int]]:
    """Every answer naming an organisation as (the name as written, its id), for
    ``aliases import``; raises :class:`IngestError` naming every answer that names none
    («новая» names none and is skipped: only a load makes a new organisation)."""
    found, problems = [], []
    for a in answers.itertuples(index=False):
        cells = {str(k): str(v) for k, v in zip(answers.columns, a, strict=True)}
        chosen, message = _answered(db, cells, cells[WRITTEN])
        if isinstance(chosen, int):
            found.append((cells[WRITTEN], chosen))
        elif chosen is None:
            problems.append(Problem(cells[FILE], str(message), value=collapse(cells[ANSWER])))
    if problems:
        raise IngestError(problems)
    return found
