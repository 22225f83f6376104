"""Findings about an uploaded file, each pinned to where the user can see it."""

from __future__ import annotations

from dataclasses import dataclass


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


class IngestError(Exception):
    """A file was refused; ``problems`` lists every error found, nothing was written."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))
