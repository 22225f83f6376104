"""Numbers back from the texts a table shows, for a spreadsheet.

A table on screen holds Russian texts — «54,0 %», «1 234», «+4,2 п. п.», «не более 3»,
«16 из 16 ОО» — and a table sent to Excel must hold numbers a formula can use. Every text
the product writes with :mod:`analytics.wording.formatting` reads back here to its number
and an XLSX format that shows it the same way, so an export whose table was built for the
screen still carries numbers, whatever page built it. A column is read as numbers only when
every cell in it is such a text or a blank («—», «нет данных»): a column of names where one
name happens to be «2024» stays text. «N из M» becomes two integer columns.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass

import pandas as pd

# Grouped by thousands as :func:`analytics.wording.formatting.number` writes them: a run of
# digits without the spaces («1234567890», «0012») is an identifier (ИНН, a code), not a number.
_INTEGER = r"(?:0|[1-9]\d{0,2}(?: \d{3})*)"
_NUMBER = re.compile(
    rf"^(?P<most>не более )?(?P<sign>[+−±-])?(?P<int>{_INTEGER})(?:,(?P<frac>\d+))?"
    r"(?P<unit> %| п\. п\.)?$"
)
_FRACTION = re.compile(rf"^(?P<part>{_INTEGER}) из (?P<whole>{_INTEGER})(?: (?P<noun>\S.*))?$")
# Texts that say a cell has no number; they stay empty cells.
BLANKS = frozenset({"", "—", "–", "-", "нет данных"})
# A change of zero as the tables word it.
UNCHANGED = "без изменений"

_UNITS = {" %": '" %"', " п. п.": '" п. п."'}


@dataclass(frozen=True)
class Read:
    """A column read as numbers: the values (``None`` for blanks) and one format each."""

    values: list[float | int | None]
    formats: list[str]


def _spaces(text: str) -> str:
    return text.replace("\u00a0", " ").replace("\u202f", " ").strip()


def _whole(text: str) -> int:
    return int(text.replace(" ", ""))


def number_format(decimals: int, unit: str | None, signed: bool, at_most: bool) -> str:
    """The XLSX format that shows a number as the text it was read from."""
    grouped = unit is None and not signed
    body = ("#,##0" if grouped else "0") + ("." + "0" * decimals if decimals else "")
    if unit is not None:
        body += _UNITS[unit]
    if signed:
        body = f'+{body};"−"{body};{body}'
    if at_most:
        body = f'"не более "{body}'
    return body


def read_number(text: str) -> tuple[float | int, str] | None:
    """«1 234,5» → (1234.5, "#,##0.0"); «−0,3» → (-0.3, signed); ``None`` if not a number."""
    match = _NUMBER.match(_spaces(text))
    if match is None:
        return None
    frac = match["frac"] or ""
    digits = match["int"].replace(" ", "")
    value: float | int = float(f"{digits}.{frac}") if frac else int(digits)
    sign = match["sign"]
    if sign in ("−", "-"):
        value = -value
    signed = sign is not None
    return value, number_format(len(frac), match["unit"], signed, match["most"] is not None)


def read_fraction(text: str) -> tuple[int, int, str | None] | None:
    """«16 из 16 ОО» → (16, 16, "ОО"); ``None`` if the text is no «N из M»."""
    match = _FRACTION.match(_spaces(text))
    if match is None:
        return None
    return _whole(match["part"]), _whole(match["whole"]), match["noun"]


def _blank(value: object) -> bool:
    if value is None or value is pd.NA or (isinstance(value, float) and pd.isna(value)):
        return True
    return isinstance(value, str) and _spaces(value) in BLANKS


def read_numbers(values: list[object]) -> Read | None:
    """A column of number texts as numbers, or ``None`` unless every cell is one (or blank)."""
    parsed: list[tuple[float | int, str] | None] = []
    unchanged: list[int] = []
    for n, value in enumerate(values):
        if _blank(value):
            parsed.append(None)
        elif value == UNCHANGED:
            parsed.append(None)
            unchanged.append(n)
        elif isinstance(value, str) and (found := read_number(value)) is not None:
            parsed.append(found)
        else:
            return None
    formats = [p[1] for p in parsed if p is not None]
    if not formats:
        return None
    usual = Counter(formats).most_common(1)[0][0]
    result = Read(
        [None if p is None else p[0] for p in parsed],
        [usual if p is None else p[1] for p in parsed],
    )
    for n in unchanged:
        result.values[n] = 0
    return result


def read_fractions(values: list[object]) -> tuple[list[int | None], list[int | None], str] | None:
    """A column of «N из M» as its parts and wholes, and the noun of the wholes («ОО»,
    «организаций»; empty if none), or ``None`` unless every cell is one (or blank)."""
    parts: list[int | None] = []
    wholes: list[int | None] = []
    nouns: list[str] = []
    fallback = ""
    for value in values:
        if _blank(value):
            parts.append(None)
            wholes.append(None)
            continue
        found = read_fraction(value) if isinstance(value, str) else None
        if found is None:
            return None
        parts.append(found[0])
        wholes.append(found[1])
        # The noun after a whole that is not «…1» is the genitive plural («из 5 организаций»),
        # the one a column's name wants; after «…1» it is singular («из 21 организации»).
        if found[2]:
            plural = found[1] % 10 != 1 or found[1] % 100 == 11
            nouns.append(found[2] if plural else "")
            fallback = fallback or found[2]
    if not parts or all(p is None for p in parts):
        return None
    plural = [noun for noun in nouns if noun]
    return parts, wholes, Counter(plural).most_common(1)[0][0] if plural else fallback


def numeric_frame(
    frame: pd.DataFrame, keep: set[str], wholes: dict[str, str] | None = None
) -> tuple[pd.DataFrame, dict[str, list[str]]]:
    """``frame`` with its number texts as numbers and the per-cell formats of the columns
    read. Columns in ``keep`` are left as they are. A column of «N из M» becomes the column
    of the parts under its own name and, after it, the wholes under ``wholes[column]`` (by
    default «Всего» and the noun of the texts: «Всего ОО»)."""
    names = dict(wholes or {})
    columns: dict[str, list[object]] = {}
    formats: dict[str, list[str]] = {}
    for column in frame.columns:
        cells = list(frame[column])
        textual = frame[column].dtype == object or pd.api.types.is_string_dtype(frame[column])
        if column in keep or not textual:
            columns[column] = cells
            continue
        numbers = read_numbers(cells)
        if numbers is not None:
            columns[column] = list(numbers.values)
            formats[column] = numbers.formats
            continue
        fractions = read_fractions(cells)
        if fractions is None:
            columns[column] = cells
            continue
        parts, totals, noun = fractions
        whole = names.get(column) or (f"Всего {noun}" if noun else "")
        if not whole or whole in frame.columns:
            whole = f"{column}: из"
        columns[column] = list(parts)
        columns[whole] = list(totals)
        formats[column] = ["#,##0"] * len(parts)
        formats[whole] = ["#,##0"] * len(totals)
    return pd.DataFrame(columns), formats
