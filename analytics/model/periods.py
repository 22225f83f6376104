"""The monitoring period, in one place (DHIS2's period type): a calendar year (``2022``)
or a school year (``2022/2023``).

A period is read from any usual spelling (:func:`period_of`, :func:`parse_period`),
written in Russian (:func:`period_label` and its cases), and ordered by its first year,
a calendar year before the school year that starts in it (:func:`sort_periods`,
:func:`previous_period`; the ``periods`` table sorts the same way by :data:`SQL_ORDER`).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from analytics.model.errors import ValueProblem
from analytics.model.text import cell_text, fold


@dataclass(frozen=True, order=True)
class Period:
    """A calendar year (``2022``) or a school year (``2022/2023``); sorts by first year,
    then a calendar year before a school year."""

    start_year: int
    is_school_year: bool

    @property
    def code(self) -> str:
        if self.is_school_year:
            return f"{self.start_year}/{self.start_year + 1}"
        return str(self.start_year)

    @property
    def label(self) -> str:
        if self.is_school_year:
            return f"{self.code} уч. год"
        return f"{self.code} год"


# The columns of the ``periods`` table that order it as :class:`Period` sorts.
SQL_ORDER = "start_year, is_school_year"

_PERIOD = re.compile(
    r"(\d{4})(?:\s*(?:/|-)\s*(\d{2}|\d{4}))?(?:\s*(?:уч\.?|учебный))?(?:\s*г(?:од|\.)?)?"
)


def period_of(raw: object) -> Period | None:
    """The period a cell or a text names (``2022``, ``2022-23``, ``2022/2023 уч. год``);
    None for a blank one; :class:`~analytics.model.errors.ValueProblem` in Russian for
    anything else."""
    text = fold(cell_text(raw))
    if not text:
        return None
    match = _PERIOD.fullmatch(text)
    if not match:
        raise ValueProblem("период — год (2022) или учебный год (2022/2023)")
    first = int(match.group(1))
    second = match.group(2)
    if not 1990 <= first <= 2100:
        raise ValueProblem("период — год (2022) или учебный год (2022/2023)")
    if second is None:
        return Period(first, False)
    following = int(second) if len(second) == 4 else (first // 100) * 100 + int(second)
    if following != first + 1:
        raise ValueProblem("учебный год должен охватывать два соседних года, например 2022/2023")
    return Period(first, True)


def parse_period(raw: object) -> str | None:
    """Canonical period code: ``2022`` or ``2022/2023`` from any of the usual spellings."""
    period = period_of(raw)
    return period.code if period else None


def period_label(code: str) -> str:
    """``2023 год``, ``2022/2023 уч. год``."""
    period = period_of(code)
    return period.label if period else str(code)


def period_in(code: str) -> str:
    """The prepositional case: «в 2023 году», «в 2022/2023 уч. году»."""
    return f"в {period_label(code)}у"


def period_with(code: str) -> str:
    """The instrumental case: «2023 годом», «2022/2023 уч. годом»."""
    return f"{period_label(code)}ом"


def sort_periods(codes: Iterable[str]) -> list[str]:
    """Period codes, oldest first."""
    return sorted(codes, key=period_of)


def previous_period(period: str | None, known: Iterable[str]) -> str | None:
    """The latest of ``known`` that comes before ``period`` (which need not be among
    them: a round opened for a new period pre-fills last period's answers); None for
    none or no period."""
    this = period_of(period)
    if this is None:
        return None
    earlier = [p for p in known if period_of(p) < this]
    return max(earlier, key=period_of, default=None)
