"""From raw sheets to validated records, with every problem located.

A sheet's header row is found by matching its cells to the contract's fields; a header
split over two rows (merged group cells above) is read by also trying the cell above
each column. Title rows, blank rows and totals rows are skipped. Nothing here touches the
database: the result is records plus errors and warnings.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from itertools import zip_longest
from json.encoder import encode_basestring
from operator import attrgetter

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
from rapidfuzz import fuzz, process

from analytics.ingest.normalize import (
    ValueProblem,
    cell_text,
    header_key,
    inn_lost_leading_zero,
    is_blank,
    is_total_row,
    name_key,
    parse_count,
    parse_date,
    parse_inn,
    parse_inns,
    parse_mentee_category,
    parse_mentoring_form,
    parse_ogrn,
    parse_org_type,
    parse_share,
    parse_text,
    parse_yes_no,
    person_key,
    territory_key,
)
from analytics.ingest.problems import Problem
from analytics.ingest.readers import CSV_SHEET, Grid, Sheet
from analytics.model.contract import (
    DATE_RANGES,
    FORM_VALUE_CODES,
    KIND_FIELDS,
    KIND_LABELS,
    MUNICIPALITY,
    ORDINARY_ABSENCES,
    ORG_NAME,
    ORG_TYPE,
    PERIOD,
    PERSON_FIELDS,
    PERSON_KEYS,
    PLACE_OPTIONAL,
    QUIET_HEADERS,
    REGION,
    TEMPLATE_INSTRUCTIONS_MARK,
    Field,
    FieldType,
    FormKind,
    needs_value,
)
from analytics.model.periods import parse_period

HEADER_SEARCH_ROWS = 30

PARSERS: dict[FieldType, Callable[[object], object]] = {
    FieldType.TEXT: parse_text,
    FieldType.INN: parse_inn,
    FieldType.ORG_TYPE: parse_org_type,
    FieldType.PERIOD: parse_period,
    FieldType.YES_NO: parse_yes_no,
    FieldType.COUNT: parse_count,
    FieldType.SHARE: parse_share,
    FieldType.DATE: parse_date,
    FieldType.MENTORING_FORM: parse_mentoring_form,
    FieldType.MENTEE_CATEGORY: parse_mentee_category,
    FieldType.OGRN: parse_ogrn,
}


@dataclass(frozen=True)
class Defaults:
    """Values given at upload for columns a file does not have (raw, as typed)."""

    region: str | None = None
    municipality: str | None = None
    org_type: str | None = None
    period: str | None = None

    def raw(self, code: str) -> str | None:
        value = getattr(self, code, None)
        return value if value not in (None, "") else None


class Entered(Mapping[str, str]):
    """A row's cells as typed, by header: a view of the row's texts through its sheet's
    header positions (a dict per row was a fifth of the time to parse a large file)."""

    __slots__ = ("_positions", "_texts")

    def __init__(self, positions: Mapping[str, int], texts: Sequence[str]):
        self._positions = positions
        self._texts = texts

    def __getitem__(self, header: str) -> str:
        return self._texts[self._positions[header]]

    def get(self, header: str, default: str | None = None) -> str | None:  # type: ignore[override]
        position = self._positions.get(header)
        return default if position is None else self._texts[position]

    def __iter__(self) -> Iterator[str]:
        return iter(self._positions)

    def __len__(self) -> int:
        return len(self._positions)

    def __repr__(self) -> str:
        return repr(dict(self))


class _Coded:
    """One column of a sheet's accepted rows as each row's code into the column's distinct
    items (an object array): the rows of a column repeat few items, which are converted
    once, and Arrow builds a column of the table from them by codes."""

    __slots__ = ("codes", "items")

    def __init__(self, codes: np.ndarray, items: np.ndarray):
        self.codes = codes
        self.items = items

    def __getitem__(self, n: int) -> object:
        return self.items[self.codes[n]]

    def run(self, first: int, count: int) -> list[object]:
        """The items of ``count`` rows from row ``first``."""
        return self.items[self.codes[first : first + count]].tolist()

    def arrow(
        self, first: int, count: int, kind: pa.DataType, convert: Callable[[object], object]
    ) -> pa.Array:
        """:meth:`run` as an Arrow array of type ``kind``, each item ``convert``-ed once
        (None stays None)."""
        items = [None if item is None else convert(item) for item in self.items.tolist()]
        codes = pa.array(self.codes[first : first + count], type=pa.int64())
        return pa.array(items, type=kind).take(codes)

    def taken(self, rows: np.ndarray) -> _Coded:
        """The column of ``rows`` only."""
        return _Coded(self.codes[rows], self.items)

    def tolist(self) -> list[object]:
        return self.items[self.codes].tolist()

    def is_none(self) -> np.ndarray:
        return _is_none(self.items)[self.codes]

    def filled(self, value: object) -> _Coded:
        """The column with ``value`` where an item is None."""
        items = self.items.copy()
        items[_is_none(items)] = value
        return _Coded(self.codes, items)


class _Block:
    """The accepted rows of one sheet as columns (:class:`_Coded`, one code per row):
    canonical values by field code, the cells as typed by header, and each row's cells as
    JSON members. Records are views of one row of a block: a dict and a JSON text per row
    were most of the time to parse a large file, and the writers read the columns whole."""

    __slots__ = ("members", "positions", "typed", "values")

    def __init__(
        self,
        values: dict[str, _Coded],
        typed: dict[str, _Coded],
        members: list[_Coded],
    ):
        self.values = values
        self.positions = {h: n for n, h in enumerate(typed)}
        self.typed = list(typed.values())
        self.members = members


class Record:
    """One organisation row: canonical ``values`` by field code, and the cells as typed
    (``entered``, by header; ``entered_json`` is the same as JSON text, as
    ``json.dumps(dict(entered), ensure_ascii=False)`` writes it). Both are read from the
    row's sheet's columns when first asked for."""

    __slots__ = ("_block", "_n", "_values", "row", "sheet")

    def __init__(self, sheet: str, row: int, block: _Block, n: int):
        self.sheet = sheet
        self.row = row
        self._block = block
        self._n = n
        self._values: dict[str, object] | None = None

    @property
    def values(self) -> dict[str, object]:
        if self._values is None:
            n = self._n
            self._values = {code: column[n] for code, column in self._block.values.items()}
        return self._values

    @property
    def entered(self) -> Entered:
        n = self._n
        return Entered(self._block.positions, [column[n] for column in self._block.typed])

    @property
    def entered_json(self) -> str:
        n = self._n
        return "{" + ", ".join(column[n] for column in self._block.members) + "}"

    def __repr__(self) -> str:
        return f"Record({self.sheet!r}, {self.row}, {self.values!r})"


_NUMBER = attrgetter("_n")
_BLOCK = attrgetter("_block")


class Columns:
    """The fields of a list of records as columns (one item per record, in order), read
    from their sheets' columns a run of consecutive rows at a time."""

    def __init__(self, records: Sequence[Record]):
        self.records = records
        self._runs: list[tuple[_Block, int, int]] = []
        count = len(records)
        # Read by map and attrgetter: a generator per record was most of the time of a
        # country's Columns, which the ingest builds several times.
        numbers = np.fromiter(map(_NUMBER, records), dtype=np.int64, count=count)
        blocks = np.fromiter(map(id, map(_BLOCK, records)), dtype=np.uint64, count=count)
        breaks = np.flatnonzero((np.diff(blocks) != 0) | (np.diff(numbers) != 1)) + 1
        for start, end in zip([0, *breaks.tolist()], [*breaks.tolist(), count], strict=True):
            if end > start:
                self._runs.append((records[start]._block, int(numbers[start]), end - start))

    def __len__(self) -> int:
        return len(self.records)

    def __getitem__(self, code: str) -> list[object]:
        """The value of field ``code`` of every record (None where its sheet has no such
        column)."""
        found: list[object] = []
        for block, first, count in self._runs:
            column = block.values.get(code)
            found.extend(column.run(first, count) if column is not None else [None] * count)
        return found

    def arrow(
        self, code: str, kind: pa.DataType, convert: Callable[[object], object] = lambda v: v
    ) -> pa.ChunkedArray:
        """:meth:`__getitem__` as an Arrow column of type ``kind``, built from each run's
        distinct values (``convert``-ed once each) by codes: no Python object per row."""
        chunks = [
            block.values[code].arrow(first, count, kind, convert)
            if code in block.values
            else pa.nulls(count, type=kind)
            for block, first, count in self._runs
        ]
        return pa.chunked_array(chunks, type=kind)

    def typed(self, header: str) -> list[str | None]:
        """The cell under ``header`` as typed, of every record (None where its sheet has no
        such column)."""
        found: list[str | None] = []
        for block, first, count in self._runs:
            position = block.positions.get(header)
            if position is None:
                found.extend([None] * count)
            else:
                found.extend(block.typed[position].run(first, count))
        return found

    def member_runs(self) -> list[pa.Table]:
        """The records' cells as JSON members (see :attr:`Record.entered_json`), a table
        per run of consecutive rows of one sheet: a column per header of the sheet, each
        a dictionary of its distinct members with a code per row. Joining them is left to
        the writer (DuckDB), so no text per row is made in Python."""
        tables = []
        for block, first, count in self._runs:
            tables.append(
                pa.table(
                    {
                        f"m{k}": pa.DictionaryArray.from_arrays(
                            pa.array(column.codes[first : first + count], type=pa.int64()),
                            pa.array(column.items.tolist(), type=pa.string()),
                        )
                        for k, column in enumerate(block.members)
                    }
                )
            )
        return tables


@dataclass
class ParsedFile:
    file: str
    kind: FormKind
    records: list[Record] = field(default_factory=list)
    errors: list[Problem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)
    sheets_read: list[str] = field(default_factory=list)
    # Codes of the contract's columns some read sheet lacks (and no upload default gives),
    # in the contract's order: their values are not loaded from this file.
    missing_columns: list[str] = field(default_factory=list)


def _field_index(kind: FormKind) -> dict[str, Field]:
    index: dict[str, Field] = {}
    for f in KIND_FIELDS[kind]:
        for spelling in (f.header, *f.synonyms):
            index.setdefault(header_key(spelling), f)
    return index


_INDEX: dict[FormKind, dict[str, Field]] = {kind: _field_index(kind) for kind in FormKind}
_WEAK_KEYS: frozenset[str] = frozenset(
    header_key(s) for fields in KIND_FIELDS.values() for f in fields for s in f.weak_synonyms
)
_QUIET_HEADER = re.compile(
    "^(?:"
    + "|".join(re.escape(header_key(h)) for h in sorted(QUIET_HEADERS, key=len, reverse=True))
    + r")(?!\w)"
)


@dataclass(frozen=True)
class Header:
    row_index: int
    columns: dict[int, Field]
    titles: dict[int, str]
    unknown: dict[int, str]


def _column_candidates(rows: Sequence[Sequence[object]], r: int, c: int) -> list[str]:
    here = cell_text(rows[r][c]) if c < len(rows[r]) else ""
    above = ""
    if r > 0 and c < len(rows[r - 1]):
        above = cell_text(rows[r - 1][c])
    # A group header above (a merged cell) may complete the name below it («База» over
    # «наставников»), so the joined name is tried first.
    candidates = []
    if above and here and above != here:
        candidates.append(f"{above} {here}")
    if here:
        candidates.append(here)
    elif above:
        candidates.append(above)
    return candidates


def _match_row(rows: Sequence[Sequence[object]], r: int, kind: FormKind) -> Header:
    index = _INDEX[kind]
    columns: dict[int, Field] = {}
    titles: dict[int, str] = {}
    unknown: dict[int, str] = {}
    weak: set[int] = set()
    for c in range(len(rows[r])):
        candidates = _column_candidates(rows, r, c)
        for text in candidates:
            key = cached_header_key(text)
            matched = index.get(key)
            if matched:
                columns[c] = matched
                titles[c] = text
                if key in _WEAK_KEYS:
                    weak.add(c)
                break
        else:
            quiet = any(_QUIET_HEADER.match(cached_header_key(text)) for text in candidates)
            if candidates and cell_text(rows[r][c]) and not quiet:
                unknown[c] = candidates[0]
    for c in weak:
        # «Краткое наименование» beside «Полное наименование»: the full one is the name.
        if any(f is columns[c] for d, f in columns.items() if d not in weak):
            del columns[c], titles[c]
    return Header(r, columns, titles, unknown)


def _worded_columns(rows: Sequence[Sequence[object]], r: int) -> int:
    """How many columns of row ``r`` could name a field: those with a cell other than a
    number or a blank in that row or the one above (:func:`_column_candidates` reads
    both), an upper bound of the columns :func:`_match_row` finds in it."""
    below = rows[r]
    above = rows[r - 1] if r > 0 else ()
    return sum(
        1
        for c in range(len(below))
        if _may_be_words(below[c]) or (c < len(above) and _may_be_words(above[c]))
    )


def _may_be_words(cell: object) -> bool:
    if isinstance(cell, int | float):  # bool too: no header is a number
        return False
    return not is_blank(cell)


def find_header(rows: Sequence[Sequence[object]], kind: FormKind) -> Header | None:
    """The row that matches the most contract fields, if it has at least two or names the
    organisation column (a registry may be a bare list of names)."""
    best: Header | None = None
    for r in range(min(len(rows), HEADER_SEARCH_ROWS)):
        if best is not None and _worded_columns(rows, r) <= len(best.columns):
            continue  # it cannot match more columns than the best row: a data row
        candidate = _match_row(rows, r, kind)
        names_orgs = ORG_NAME in candidate.columns.values()
        if (len(candidate.columns) >= 2 or names_orgs) and (
            best is None or len(candidate.columns) > len(best.columns)
        ):
            best = candidate
    return best


def parse_sheets(
    file_name: str, sheets: list[Sheet], kind: FormKind, defaults: Defaults
) -> ParsedFile:
    """Validate every sheet of a file; see :class:`ParsedFile`."""
    result = ParsedFile(file_name, kind)
    headers: list[tuple[Sheet, Header]] = []
    for sheet in sheets:
        if sheet.hidden:
            result.warnings.append(
                Problem(
                    file_name,
                    "лист скрыт и не загружается; если его данные нужны, покажите лист "
                    "в таблице и загрузите файл снова",
                    sheet=sheet.name,
                )
            )
            continue
        header = find_header(sheet.rows, kind)
        if header is None:
            if _is_template_instructions(sheet):
                continue
            if any(not is_blank(cell) for row in sheet.rows for cell in row):
                result.warnings.append(
                    Problem(
                        file_name,
                        "лист пропущен: на нём не найдена строка заголовков формы",
                        sheet=sheet.name,
                    )
                )
            continue
        headers.append((sheet, header))
    if not headers:
        hidden = "; скрытые листы не читаются" if any(s.hidden for s in sheets) else ""
        result.errors.append(
            Problem(
                file_name,
                "не найдена строка заголовков: ни один столбец не совпал с формой "
                f"«{KIND_LABELS[kind]}». Скачайте шаблон и сверьте заголовки{hidden}",
            )
        )
        return result
    fallback = _parse_defaults(result, defaults)
    if result.errors:
        # A value given for the whole file is wrong: every row would repeat the error.
        return result
    for sheet, header in headers:
        _parse_sheet(result, sheet, header, defaults, fallback)
    _check_duplicates(result)
    return result


def _is_template_instructions(sheet: Sheet) -> bool:
    first = cell_text(sheet.rows[0][0]) if sheet.rows and sheet.rows[0] else ""
    return first.startswith(TEMPLATE_INSTRUCTIONS_MARK)


def _sheet_problems_with_columns(
    result: ParsedFile, sheet: Sheet, header: Header, defaults: Defaults
) -> bool:
    """Report missing and duplicated columns; True if rows can be read."""
    fine = True
    present = set()
    for c, f in header.columns.items():
        if f.code in present:
            result.errors.append(
                Problem(
                    result.file,
                    f"столбец «{f.header}» встречается в таблице дважды",
                    sheet=sheet.name,
                    row=header.row_index + 1,
                    column=header.titles[c],
                )
            )
            fine = False
        present.add(f.code)
    if ORG_NAME.code not in present:
        result.errors.append(
            Problem(
                result.file,
                f"нет столбца «{ORG_NAME.header}»",
                sheet=sheet.name,
                row=header.row_index + 1,
            )
        )
        fine = False
    for f in KIND_FIELDS[result.kind]:
        if (
            needs_value(result.kind, f)
            and f.defaultable
            and f.code not in present
            and defaults.raw(f.code) is None
        ):
            result.errors.append(
                Problem(
                    result.file,
                    f"нет столбца «{f.header}»; укажите значение для всего файла при загрузке",
                    sheet=sheet.name,
                )
            )
            fine = False
    missing = [
        f
        for f in KIND_FIELDS[result.kind]
        if f.code not in present
        and not f.required
        and not f.defaultable
        and f.code not in ORDINARY_ABSENCES
    ]
    if missing:
        result.warnings.append(
            Problem(result.file, _missing_message(result.kind, sheet, missing), sheet=sheet.name)
        )
        codes = {*result.missing_columns, *(f.code for f in missing)}
        result.missing_columns = [f.code for f in KIND_FIELDS[result.kind] if f.code in codes]
    for title in header.unknown.values():
        message = "столбец не входит в форму и не загружается"
        if meant := _nearest_missing_header(title, missing):
            message += f"; возможно, имелся в виду «{meant.header}»"
        result.warnings.append(
            Problem(
                result.file,
                message,
                sheet=sheet.name,
                row=header.row_index + 1,
                column=title,
            )
        )
    return fine


# What the columns of each kind belong to, in the genitive: «нет столбца формы».
_KIND_GENITIVE: dict[FormKind, str] = {
    FormKind.ORG_FORM: "формы",
    FormKind.REGISTRY: "реестра",
    FormKind.MENTORS: "базы наставников",
    FormKind.MENTEES: "базы наставляемых",
}


def _missing_message(kind: FormKind, sheet: Sheet, missing: list[Field]) -> str:
    where = "в файле" if sheet.name == CSV_SHEET else "на листе"
    whose = _KIND_GENITIVE[kind]
    headers = ", ".join(f"«{f.header}»" for f in missing)
    if len(missing) == 1:
        return f"{where} нет столбца {whose} {headers}; его значения не будут загружены"
    return f"{where} нет столбцов {whose}: {headers}; их значения не будут загружены"


# How alike (rapidfuzz ratio, 0–100) an unknown header must be to a missing column's
# spelling to be suggested: «Педагогов наставнико» (93) is, «Кол-во педагогов» (77) not.
SUGGESTION_SCORE = 85


def _nearest_missing_header(title: str, missing: list[Field]) -> Field | None:
    """The missing column an unknown header most likely means, if it is close enough."""
    spellings = {header_key(spelling): f for f in missing for spelling in (f.header, *f.synonyms)}
    found = process.extractOne(
        header_key(title), list(spellings), scorer=fuzz.ratio, score_cutoff=SUGGESTION_SCORE
    )
    return spellings[found[0]] if found else None


def _parse_defaults(result: ParsedFile, defaults: Defaults) -> dict[str, object]:
    parsed: dict[str, object] = {}
    for f in (REGION, MUNICIPALITY, ORG_TYPE, PERIOD):
        raw = defaults.raw(f.code)
        if raw is None:
            continue
        try:
            parsed[f.code] = PARSERS[f.type](raw)
        except ValueProblem as problem:
            result.errors.append(
                Problem(
                    result.file,
                    f"значение по умолчанию для «{f.header}» не распознано: {problem}",
                    value=raw,
                )
            )
    return parsed


def _parse_sheet(
    result: ParsedFile,
    sheet: Sheet,
    header: Header,
    defaults: Defaults,
    fallback: dict[str, object],
) -> None:
    """Read the rows under ``header`` column by column: each distinct cell of a column is
    read and parsed once (:class:`_Column`), rows take their column's results by code.
    Problems are reported in the order a row-by-row reading gives: by row, then within a
    row the cells left to right, then missing required values, then dates."""
    result.sheets_read.append(sheet.name)
    if not _sheet_problems_with_columns(result, sheet, header, defaults):
        return
    start = header.row_index + 1
    count = len(sheet.rows) - start
    if count <= 0:
        return
    if isinstance(sheet.rows, Grid):
        grid: list[Sequence[object] | pa.Array] = [column[start:] for column in sheet.rows.columns]
    else:
        grid = list(zip_longest(*sheet.rows[start:]))
    width = len(grid)

    def column(c: int) -> _Column:
        return _Column(grid[c] if c < width else (None,) * count)

    read = {c: column(c) for c in header.columns}
    others = [_Column(grid[c]) for c in range(width) if c not in header.columns]
    blank = np.logical_and.reduce([col.blank for col in [*read.values(), *others]])
    name_column = next(c for c, f in header.columns.items() if f is ORG_NAME)
    names = read[name_column]
    total = np.array([t != "" and is_total_row(t) for t in names.texts], dtype=bool)
    keep = ~blank & ~total[names.codes]
    answer_columns = [c for c, f in header.columns.items() if f.code in FORM_VALUE_CODES]
    if result.kind is FormKind.ORG_FORM and answer_columns:
        unanswered = keep & np.logical_and.reduce([read[c].blank for c in answer_columns])
        keep &= ~unanswered
        for r in np.flatnonzero(unanswered):
            # A note or a signature under the table («Исполнитель: …») is not a school.
            result.warnings.append(
                Problem(
                    result.file,
                    "в строке нет ни одного ответа формы; строка пропущена",
                    sheet=sheet.name,
                    row=header.row_index + 2 + int(r),
                    column=header.titles[name_column],
                    value=names.texts[names.codes[r]],
                )
            )
    kept = np.flatnonzero(keep)
    fractions = _fraction_columns(header, read)
    errors: list[tuple[int, int, int, Problem]] = []  # (row, phase, position, problem)
    warnings: list[tuple[int, int, Problem]] = []
    failed = np.zeros(count, dtype=bool)
    unreadable: dict[str, np.ndarray] = {}
    values: dict[str, _Coded] = {}
    entered: dict[str, _Coded] = {}
    # Each row's cells as entered, as JSON members: each distinct cell encoded once.
    members: list[_Coded] = []
    for position, (c, f) in enumerate(header.columns.items()):
        cells = read[c].parsed(f, c in fractions)
        codes = read[c].codes[kept]
        values[f.code] = _Coded(codes, cells.values)
        entered[f.header] = _Coded(codes, cells.entered)
        # encode_basestring is what json.dumps(text, ensure_ascii=False) calls.
        key = encode_basestring(f.header) + ": "
        members.append(_Coded(codes, _objects([key + encode_basestring(t) for t in cells.entered])))
        bad = cells.failed[codes]
        unreadable[f.code] = bad
        failed[kept[bad]] = True
        for n in np.flatnonzero(bad):
            u = codes[n]
            problem = Problem(
                result.file,
                str(cells.messages[u]),
                sheet=sheet.name,
                row=header.row_index + 2 + int(kept[n]),
                column=header.titles[c],
                value=cells.shown[u],
            )
            errors.append((int(kept[n]), 0, position, problem))
        for n in np.flatnonzero(cells.lost_zero[codes]):
            u = codes[n]
            problem = Problem(
                result.file,
                "ИНН записан числом из 9 цифр: таблица отбросила ведущий ноль, "
                f"ИНН прочитан как «{cells.values[u]}»",
                sheet=sheet.name,
                row=header.row_index + 2 + int(kept[n]),
                column=header.titles[c],
                value=cells.shown[u],
            )
            warnings.append((int(kept[n]), position, problem))
    empty = _Coded(np.zeros(len(kept), dtype=np.int64), _objects([None]))
    for position, f in enumerate(KIND_FIELDS[result.kind]):
        if f.code in fallback:
            values[f.code] = values.get(f.code, empty).filled(fallback[f.code])
        if f.code in PLACE_OPTIONAL.get(result.kind, ()) and f.code not in values:
            values[f.code] = empty
        if not needs_value(result.kind, f):
            continue
        missing = values.get(f.code, empty).is_none() & ~unreadable.get(
            f.code, np.zeros(len(kept), dtype=bool)
        )
        where = next((header.titles[c] for c, g in header.columns.items() if g is f), None)
        for n in np.flatnonzero(missing):
            failed[kept[n]] = True
            problem = Problem(
                result.file,
                f"не заполнено обязательное поле «{f.header}»",
                sheet=sheet.name,
                row=header.row_index + 2 + int(kept[n]),
                column=where or f.header,
                value="",
            )
            errors.append((int(kept[n]), 1, position, problem))
    failing = failed.tolist()
    rows = kept.tolist()
    if any(start in values and end in values for start, end in DATE_RANGES):
        dates = {c: values[c].tolist() for pair in DATE_RANGES for c in pair if c in values}
        for n, r in enumerate(rows):
            row_dates = {code: column[n] for code, column in dates.items()}
            late = _dates_in_order(result, sheet, header, header.row_index + 2 + r, row_dates)
            if late:
                failing[r] = True
                errors.extend((r, 2, k, problem) for k, problem in enumerate(late))
    chosen = np.flatnonzero(~np.array(failing, dtype=bool)[kept])
    accepted = chosen.tolist()
    block = _Block(
        {code: column.taken(chosen) for code, column in values.items()},
        {h: column.taken(chosen) for h, column in entered.items()},
        [column.taken(chosen) for column in members],
    )
    first_row = header.row_index + 2
    result.records.extend(
        Record(sheet.name, first_row + rows[n], block, k) for k, n in enumerate(accepted)
    )
    result.errors.extend(problem for *_, problem in sorted(errors, key=lambda e: e[:3]))
    result.warnings.extend(problem for *_, problem in sorted(warnings, key=lambda e: e[:2]))


def _is_none(values: np.ndarray) -> np.ndarray:
    return np.fromiter((v is None for v in values), dtype=bool, count=len(values))


def _fraction_columns(header: Header, read: dict[int, _Column]) -> set[int]:
    """Share columns kept as Excel percentages: every number in them is a fraction of one
    (a cell showing «54,5 %» holds 0.545). In other share columns a single number strictly
    between 0 and 1 is such a cell too: a share below one per cent is not a real answer."""
    found = set()
    for c, f in header.columns.items():
        if f.type is not FieldType.SHARE:
            continue
        numbers = [n for n in read[c].uniques if isinstance(n, float)]
        if numbers and all(0 <= n <= 1 for n in numbers) and any(0 < n < 1 for n in numbers):
            found.add(c)
    return found


def _factorize(cells: Sequence[object]) -> tuple[np.ndarray, list[object]]:
    """Codes of ``cells`` into their distinct values (by type and value: the number 1 and
    the flag True are different cells). A column of texts and empty cells is factorised
    by Arrow, in order of first appearance as pandas does (Arrow refuses any other cell,
    and a text no UTF-8 can hold); any other column by pandas or a dictionary. The
    readers give no bytes, which Arrow would take for texts."""
    if isinstance(cells, pa.Array):  # a CSV file's column of texts (readers.Grid)
        encoded = cells.dictionary_encode()
        return encoded.indices.to_numpy().astype(np.int64), encoded.dictionary.to_pylist()
    if cells and type(cells[0]) is float and all(type(cell) is float for cell in cells):
        # Numbers only (a spreadsheet's column of counts): by NumPy, a tenth of the time.
        numbers = np.fromiter(cells, dtype=np.float64, count=len(cells))
        if not np.isnan(numbers).any():  # pandas would make every NaN one missing value
            codes, uniques = pd.factorize(numbers)
            return codes.astype(np.int64), uniques.tolist()
    try:
        encoded = pa.array(cells, type=pa.string()).dictionary_encode()
    except (pa.ArrowException, UnicodeError):
        pass
    else:
        uniques = encoded.dictionary.to_pylist()
        if encoded.null_count:
            # Empty cells take the code after the texts', as below.
            indices = pc.fill_null(encoded.indices, len(uniques))
            return indices.to_numpy().astype(np.int64), [*uniques, None]
        return encoded.indices.to_numpy().astype(np.int64), uniques
    array = _objects(cells)
    if pd.api.types.infer_dtype(array, skipna=False) == "string":
        # Texts only (a CSV column): nothing to tell apart from an empty cell.
        codes, uniques = pd.factorize(array)
        return codes, uniques.tolist()
    nulls = np.equal(array, None)
    if pd.api.types.infer_dtype(array, skipna=True) in ("string", "empty") and np.array_equal(
        nulls, pd.isna(array)
    ):
        codes, uniques = pd.factorize(array)
        if nulls.any():
            codes = np.where(codes < 0, len(uniques), codes)
            return codes, [*uniques.tolist(), None]
        return codes, uniques.tolist()
    index: dict[tuple[type, object], int] = {}
    codes = np.fromiter(
        (index.setdefault((type(cell), cell), len(index)) for cell in cells),
        dtype=np.int64,
        count=len(cells),
    )
    return codes, [cell for _, cell in index]


def _objects(values: Sequence[object]) -> np.ndarray:
    """A one-dimensional object array of ``values`` (never unpacking a tuple value)."""
    return np.fromiter(values, dtype=object, count=len(values))


@dataclass(frozen=True)
class _Parsed:
    """A column's distinct cells read as a field: the value (None where unreadable), the
    problem's text where unreadable, the text as entered («54,5 %» for a fraction), the
    text shown in a problem, and whether an ИНН lost its leading zero."""

    values: np.ndarray
    messages: np.ndarray
    failed: np.ndarray
    entered: np.ndarray
    shown: list[str]
    lost_zero: np.ndarray

    @classmethod
    def of(
        cls,
        values: list[object],
        failed: list[bool],
        entered: list[str],
        shown: list[str],
        lost: list[bool],
    ) -> _Parsed:
        """From lists by distinct cell: the value or, where ``failed``, the problem's
        text; the text as entered and as shown; whether an ИНН lost its leading zero."""
        bad = np.array(failed, dtype=bool)
        messages = _objects(values)
        parsed = messages.copy()
        parsed[bad] = None
        return cls(
            values=parsed,
            messages=messages,
            failed=bad,
            entered=_objects(entered),
            shown=shown,
            lost_zero=np.array(lost, dtype=bool),
        )


class _Column:
    """One column of a sheet's rows: each row's code into the column's distinct cells
    (``uniques``), their texts as the user sees them, and which rows are blank. A column
    holds few distinct answers («да», «нет», small numbers): reading each once is what
    makes a large upload fast. Readers and parsers are pure functions."""

    def __init__(self, cells: Sequence[object]):
        self.codes, self.uniques = _factorize(cells)
        self.texts = [cell_text(u) for u in self.uniques]
        self.blank_of = np.array([t == "" for t in self.texts], dtype=bool)
        self.blank = self.blank_of[self.codes]

    def parsed(self, f: Field, fraction: bool) -> _Parsed:
        """Each distinct cell read as field ``f`` once (``fraction``: a column of Excel
        percentages)."""
        if f.type is FieldType.INN:
            return self._parsed_inns()
        values, failed, entered, shown, lost = [], [], [], [], []
        for raw, text in zip(self.uniques, self.texts, strict=True):
            if isinstance(raw, float) and (fraction or (f.type is FieldType.SHARE and 0 < raw < 1)):
                raw = round(raw * 100, 9)
                text = cell_text(raw)
                entered.append(text + " %")
            else:
                entered.append(text)
            shown.append(text)
            try:
                values.append(PARSERS[f.type](raw))
                failed.append(False)
            except ValueProblem as problem:
                values.append(str(problem))
                failed.append(True)
            lost.append(False)
        return _Parsed.of(values, failed, entered, shown, lost)

    def _parsed_inns(self) -> _Parsed:
        """:meth:`parsed` of a column of ИНН: checked all at once, each cell's lost
        leading zero told once."""
        lost = [inn_lost_leading_zero(raw) for raw in self.uniques]
        results = parse_inns(self.uniques, self.texts, lost)
        failed = [isinstance(r, ValueProblem) for r in results]
        values = [str(r) if bad else r for r, bad in zip(results, failed, strict=True)]
        lost = [zero and not bad for zero, bad in zip(lost, failed, strict=True)]
        return _Parsed.of(values, failed, list(self.texts), list(self.texts), lost)


def _dates_in_order(
    result: ParsedFile, sheet: Sheet, header: Header, excel_row: int, values: dict[str, object]
) -> list[Problem]:
    """An end date before its start date is an error on the end date's cell."""
    problems = []
    for start, end in DATE_RANGES:
        first, last = values.get(start), values.get(end)
        if first is None or last is None or last >= first:
            continue
        column = next(c for c, f in header.columns.items() if f.code == end)
        started = next(f.header for f in header.columns.values() if f.code == start)
        problems.append(
            Problem(
                result.file,
                f"дата раньше, чем «{started}» ({first:%d.%m.%Y})",
                sheet=sheet.name,
                row=excel_row,
                column=header.titles[column],
                value=f"{last:%d.%m.%Y}",
            )
        )
    return problems


# Keys are asked for several times per row (duplicates, the upload's summary, the
# resolver), and a file names the same few territories on every row.
cached_territory_key = lru_cache(maxsize=65_536)(territory_key)
# The header search reads the first rows' cells as headers: data cells repeat («Да», 0).
cached_header_key = lru_cache(maxsize=65_536)(header_key)
cached_name_key = lru_cache(maxsize=65_536)(name_key)


def identity_keys(values: dict[str, object]) -> list[tuple[object, ...]]:
    """Keys under which two rows name the same organisation (ИНН, or name in municipality;
    a person base's row may name no territory: its name key has blank ones)."""
    keys: list[tuple[object, ...]] = [
        (
            "name",
            cached_territory_key(str(values.get(REGION.code) or "")),
            cached_territory_key(str(values.get(MUNICIPALITY.code) or "")),
            cached_name_key(str(values[ORG_NAME.code])),
        )
    ]
    if values.get("inn"):
        keys.append(("inn", values["inn"]))
    return keys


def _check_duplicates(result: ParsedFile) -> None:
    """Two rows naming one organisation (by ИНН, or by name in its municipality) in one
    period are an error; in a registry, rows that say the same of it (one per building
    or licence) are merged with a warning, and only rows that differ are an error."""
    if result.kind in PERSON_KEYS:
        _check_duplicate_people(result)
        return
    if _all_distinct(result.records):
        return
    repeated: list[Record] = []
    seen: dict[tuple[object, ...], Record] = {}
    for record in result.records:
        period = record.values.get(PERIOD.code)
        for key in identity_keys(record.values):
            first = seen.setdefault((period, *key), record)
            if first is record:
                continue
            if result.kind is not FormKind.REGISTRY:
                message = f"организация уже указана на листе «{first.sheet}» в строке {first.row}"
                result.errors.append(org_problem(result.file, record, message))
                break
            where = f"на листе «{first.sheet}» " if first.sheet else ""
            differences = _registry_differences(first, record)
            if differences:
                message = (
                    f"эта организация уже указана {where}в строке {first.row}, но с другими "
                    f"данными: {differences}; оставьте одну строку"
                )
                result.errors.append(org_problem(result.file, record, message))
            else:
                repeated.append(record)
                message = (
                    f"строка повторяет строку {first.row} {where}(та же организация с теми же "
                    "данными, например другое здание или лицензия); организация загружается "
                    "один раз"
                )
                result.warnings.append(org_problem(result.file, record, message))
            break
    if repeated:
        dropped = {id(r) for r in repeated}
        result.records = [r for r in result.records if id(r) not in dropped]


def _all_distinct(records: list[Record]) -> bool:
    """Whether no two records share an identity key (see :func:`identity_keys`) in one
    period: the common case, told column by column, each distinct cell keyed once."""
    columns = Columns(records)
    period = _key_codes(columns[PERIOD.code], lambda v: v)
    named = [
        period,
        _key_codes(columns[REGION.code], lambda v: cached_territory_key(str(v or ""))),
        _key_codes(columns[MUNICIPALITY.code], lambda v: cached_territory_key(str(v or ""))),
        _key_codes(columns[ORG_NAME.code], lambda v: cached_name_key(str(v))),
    ]
    if pd.DataFrame(dict(enumerate(named))).duplicated().any():
        return False
    inn = _key_codes(columns["inn"], lambda v: v or None)
    given = inn >= 0
    keyed = pd.DataFrame({0: period[given], 1: inn[given]})
    return not keyed.duplicated().any()


def _key_codes(column: list[object], key: Callable[[object], object]) -> np.ndarray:
    """Codes of ``key`` of each value of ``column`` (equal codes for equal keys; -1 for
    a key of None), ``key`` called once per distinct value."""
    codes, uniques = pd.factorize(_objects(column), use_na_sentinel=False)
    keys, _ = pd.factorize(_objects([key(u) for u in uniques.tolist()]), use_na_sentinel=True)
    return keys[codes] if len(keys) else codes


def org_problem(file: str, record: Record, message: str) -> Problem:
    """A problem with the organisation a row names, pinned to its name cell."""
    return Problem(
        file,
        message,
        sheet=record.sheet,
        row=record.row,
        column=ORG_NAME.header,
        value=str(record.values[ORG_NAME.code]),
    )


def _registry_differences(first: Record, second: Record) -> str:
    """What two rows naming one organisation say differently of it, field by field
    («Тип ОО»: «school» и «preschool»), compared as matching compares them; empty when
    they agree."""
    differences = []
    for f in KIND_FIELDS[FormKind.REGISTRY]:
        a, b = first.values.get(f.code), second.values.get(f.code)
        if f is ORG_NAME:
            same = cached_name_key(str(a)) == cached_name_key(str(b))
        elif f.type is FieldType.TEXT and a is not None and b is not None:
            same = cached_territory_key(str(a)) == cached_territory_key(str(b))
        else:
            same = a == b
        if not same:
            shown = [
                first.entered.get(f.header) or _shown(a),
                second.entered.get(f.header) or _shown(b),
            ]
            differences.append(f"«{f.header}»: «{shown[0]}» и «{shown[1]}»")
    return "; ".join(differences)


def _shown(value: object) -> str:
    return "" if value is None else str(value)


def _check_duplicate_people(result: ParsedFile) -> None:
    """A person listed twice for one organisation and period (see ``PERSON_KEYS``)."""
    codes = PERSON_KEYS[result.kind]
    name_field = next(f for f in PERSON_FIELDS[result.kind] if f.code == codes[0])
    seen: dict[tuple[object, ...], Record] = {}
    for record in result.records:
        person = tuple(person_key(str(record.values.get(code) or "")) for code in codes)
        org = identity_keys(record.values)[-1]  # the ИНН where there is one
        first = seen.setdefault((record.values.get(PERIOD.code), *org, *person), record)
        if first is not record:
            where = f"на листе «{first.sheet}» " if first.sheet else ""
            result.errors.append(
                Problem(
                    result.file,
                    f"этот человек уже указан для той же организации {where}в строке {first.row}",
                    sheet=record.sheet,
                    row=record.row,
                    column=name_field.header,
                    value=str(record.values[name_field.code]),
                )
            )
