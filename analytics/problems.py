"""Findings about an uploaded file, each pinned to where the user can see it."""

from __future__ import annotations

from dataclasses import dataclass

from .contract import FIELDS_BY_CODE
from .errors import MonitoringError


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
        where = [f"Файл «{self.file}»"]
        if self.sheet:
            where.append(f"лист «{self.sheet}»")
        if self.row is not None:
            where.append(f"строка {self.row}")
        if self.column is not None:
            where.append(f"столбец «{self.column}»")
        text = ", ".join(where)
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
                u.reason + (f". Похожие: {offered}" if offered else ""),
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
