"""Findings about an uploaded file, each pinned to where the user can see it."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from analytics.model.contract import FIELDS_BY_CODE
from analytics.model.errors import MonitoringError
from analytics.wording.formatting import count


@dataclass(frozen=True)
class Problem:
    """An error or warning about a file, a sheet, a row, a column and a value.

    ``row`` is the row number as the user sees it in Excel (1-based), or None where the
    problem concerns a whole sheet or file.
    """

    file: str
    message: str
    sheet: str | None = None
    row: int | None = None
    column: str | None = None
    value: str | None = None

    def __str__(self) -> str:
        text = _where(self.file, self.sheet, self.row, self.column)
        if self.value is not None:
            text += f": значение «{self.value}»"
        return f"{text} — {self.message}"

    def as_dict(self) -> dict[str, object]:
        return {
            "file": self.file,
            "sheet": self.sheet,
            "row": self.row,
            "column": self.column,
            "value": self.value,
            "message": self.message,
            "text": str(self),
        }


def _where(file: str, sheet: str | None, row: int | None, column: str | None) -> str:
    where = [f"Файл «{file}»"]
    if sheet:
        where.append(f"лист «{sheet}»")
    if row is not None:
        where.append(f"строка {row}")
    if column is not None:
        where.append(f"столбец «{column}»")
    return ", ".join(where)


@dataclass(frozen=True)
class ProblemGroup:
    """Problems with one message in one column of one sheet of a file, on ``rows`` (in
    the order found), with the distinct ``values`` written there. A problem of a whole
    sheet or file (no row) is a group of its own, with no rows."""

    first: Problem
    rows: tuple[int, ...]
    values: tuple[str, ...]

    @property
    def rows_text(self) -> str:
        """The rows compressed: ``5–9, 12, 14–20``; empty for a problem with no row."""
        return row_ranges(self.rows)

    @property
    def value_text(self) -> str | None:
        """The value where every row has the same one, else None."""
        return self.values[0] if len(self.values) == 1 else None

    def __str__(self) -> str:
        if len(self.rows) <= 1:
            return str(self.first)
        p = self.first
        text = _where(p.file, p.sheet, None, p.column)
        if self.value_text is not None:
            text += f": значение «{self.value_text}»"
        rows = count(len(self.rows), "строка", "строки", "строк")
        return f"{text} — {p.message} — {rows}: {self.rows_text}"


def group(problems: Sequence[Problem]) -> list[ProblemGroup]:
    """Problems with the same file, sheet, column and message as one group each, in the
    order each group first appears."""
    found: dict[tuple[object, ...], tuple[Problem, list[int], dict[str, None]]] = {}
    for n, p in enumerate(problems):
        # A problem with no row is never merged: it says something of its own.
        key = (p.file, p.sheet or "", p.column, p.message) if p.row is not None else (n,)
        _, rows, values = found.setdefault(key, (p, [], {}))
        if p.row is not None:
            rows.append(p.row)
        if p.value is not None:
            values[p.value] = None
    return [
        ProblemGroup(first, tuple(rows), tuple(values)) for first, rows, values in found.values()
    ]


def group_problems(problems: Sequence[Problem]) -> list[str]:
    """One Russian line per group of identical problems (see :func:`group`): «Файл
    «f.csv», столбец «Педагогов-наставников» — ожидается число — 1 229 строк: 5–1233»;
    a problem met once reads as ``str(problem)``."""
    return [str(g) for g in group(problems)]


# Beyond this many pieces a list of rows ends in «…»: the count before it says how many.
MAX_ROW_PIECES = 10


def row_ranges(rows: Sequence[int]) -> str:
    """Row numbers compressed into runs: ``[5, 6, 7, 8, 9, 12, 14, 15]`` →
    ``5–9, 12, 14, 15`` (a run of two is written as two numbers)."""
    pieces: list[str] = []
    ordered = sorted(set(rows))
    start = 0
    while start < len(ordered):
        end = start
        while end + 1 < len(ordered) and ordered[end + 1] == ordered[end] + 1:
            end += 1
        first, last = ordered[start], ordered[end]
        if last - first >= 2:
            pieces.append(f"{first}–{last}")
        else:
            pieces.extend(str(r) for r in ordered[start : end + 1])
        start = end + 1
    if len(pieces) > MAX_ROW_PIECES:
        pieces = [*pieces[:MAX_ROW_PIECES], "…"]
    return ", ".join(pieces)


class IngestError(MonitoringError):
    """A file was refused; ``problems`` lists every error found, nothing was written;
    ``hint`` says what the user can do next, where there is something to say."""

    def __init__(self, problems: list[Problem], hint: str | None = None):
        self.problems = problems
        self.hint = hint
        super().__init__("\n".join(str(p) for p in problems))


@dataclass
class PartialForm:
    """A stored form that a row of the file would replace with fewer answers: shown side
    by side, replaced only when the user confirms («заменить неполными данными»)."""

    sheet: str
    row: int
    org_id: int
    organization: str
    period: str
    stored: dict[str, object]
    incoming: dict[str, object]

    @property
    def lost(self) -> list[str]:
        """Codes of the answers the stored form has and the row does not."""
        return [c for c, v in self.stored.items() if v is not None and self.incoming.get(c) is None]


class ReviewNeeded(IngestError):
    """A file is valid, but rows need the user's decision before anything is written:
    rows placed on no organisation with certainty (``unplaced``, with candidates), moves
    of organisations between municipalities (``moves``), and stored forms that would be
    replaced with fewer answers (``partial``)."""

    def __init__(self, file: str, unplaced: list, moves: list, partial: list[PartialForm]):
        self.unplaced = unplaced
        self.moves = moves
        self.partial = partial
        super().__init__(review_problems(file, unplaced, moves, partial))


def review_problems(
    file: str, unplaced: list, moves: list, partial: list[PartialForm]
) -> list[Problem]:
    """What awaits the user's decision, one problem per row, in Russian."""
    problems = []
    for u in unplaced:
        offered = "; ".join(c.described() for c in u.candidates)
        problems.append(
            Problem(
                file,
                u.reason + (f". Кандидаты: {offered}" if offered else ""),
                sheet=u.sheet,
                row=u.row,
                column="Наименование ОО",
                value=u.name,
            )
        )
    problems.extend(
        Problem(
            file,
            f"организация «{m.name}» числится в муниципалитете «{m.from_municipality}»; "
            f"строка переносит её в «{m.to_municipality}» — нужно подтверждение",
            sheet=m.sheet,
            row=m.row,
            column="Муниципалитет",
            value=m.to_municipality,
        )
        for m in moves
    )
    problems.extend(
        Problem(
            file,
            f"форма «{p.organization}» за {p.period} уже загружена, а в строке нет ответов, "
            "которые в ней есть: "
            + ", ".join(f"«{FIELDS_BY_CODE[c].header}»" for c in p.lost)
            + "; замена — только с подтверждением",
            sheet=p.sheet,
            row=p.row,
            column="Наименование ОО",
            value=p.organization,
        )
        for p in partial
    )
    return problems
