"""From raw sheets to validated records, with every problem located.

A sheet's header row is found by matching its cells to the contract's fields; a header
split over two rows (merged group cells above) is read by also trying the cell above
each column. Title rows, blank rows and totals rows are skipped. Nothing here touches the
database: the result is records plus errors and warnings.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache

from rapidfuzz import fuzz, process

from .contract import (
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
    Kind,
    needs_value,
)
from .normalize import (
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
    parse_mentee_category,
    parse_mentoring_form,
    parse_ogrn,
    parse_org_type,
    parse_period,
    parse_share,
    parse_text,
    parse_yes_no,
    person_key,
    territory_key,
)
from .problems import Problem
from .readers import CSV_SHEET, Sheet

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


@dataclass
class Record:
    """One organisation row: canonical ``values`` by field code, and the cells as typed."""

    sheet: str
    row: int
    values: dict[str, object]
    entered: dict[str, str]


@dataclass
class ParsedFile:
    file: str
    kind: Kind
    records: list[Record] = field(default_factory=list)
    errors: list[Problem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)
    sheets_read: list[str] = field(default_factory=list)
    # Codes of the contract's columns some read sheet lacks (and no upload default gives),
    # in the contract's order: their values are not loaded from this file.
    missing_columns: list[str] = field(default_factory=list)


def _field_index(kind: Kind) -> dict[str, Field]:
    index: dict[str, Field] = {}
    for f in KIND_FIELDS[kind]:
        for spelling in (f.header, *f.synonyms):
            index.setdefault(header_key(spelling), f)
    return index


_INDEX: dict[Kind, dict[str, Field]] = {kind: _field_index(kind) for kind in Kind}
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


def _match_row(rows: Sequence[Sequence[object]], r: int, kind: Kind) -> Header:
    index = _INDEX[kind]
    columns: dict[int, Field] = {}
    titles: dict[int, str] = {}
    unknown: dict[int, str] = {}
    weak: set[int] = set()
    for c in range(len(rows[r])):
        candidates = _column_candidates(rows, r, c)
        for text in candidates:
            key = header_key(text)
            matched = index.get(key)
            if matched:
                columns[c] = matched
                titles[c] = text
                if key in _WEAK_KEYS:
                    weak.add(c)
                break
        else:
            quiet = any(_QUIET_HEADER.match(header_key(text)) for text in candidates)
            if candidates and cell_text(rows[r][c]) and not quiet:
                unknown[c] = candidates[0]
    for c in weak:
        # «Краткое наименование» beside «Полное наименование»: the full one is the name.
        if any(f is columns[c] for d, f in columns.items() if d not in weak):
            del columns[c], titles[c]
    return Header(r, columns, titles, unknown)


def find_header(rows: Sequence[Sequence[object]], kind: Kind) -> Header | None:
    """The row that matches the most contract fields, if it has at least two or names the
    organisation column (a registry may be a bare list of names)."""
    best: Header | None = None
    for r in range(min(len(rows), HEADER_SEARCH_ROWS)):
        candidate = _match_row(rows, r, kind)
        names_orgs = ORG_NAME in candidate.columns.values()
        if (len(candidate.columns) >= 2 or names_orgs) and (
            best is None or len(candidate.columns) > len(best.columns)
        ):
            best = candidate
    return best


def parse_sheets(file_name: str, sheets: list[Sheet], kind: Kind, defaults: Defaults) -> ParsedFile:
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
_KIND_GENITIVE: dict[Kind, str] = {
    Kind.ORG_FORM: "формы",
    Kind.REGISTRY: "реестра",
    Kind.MENTORS: "базы наставников",
    Kind.MENTEES: "базы наставляемых",
}


def _missing_message(kind: Kind, sheet: Sheet, missing: list[Field]) -> str:
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
    result.sheets_read.append(sheet.name)
    if not _sheet_problems_with_columns(result, sheet, header, defaults):
        return
    name_column = next(c for c, f in header.columns.items() if f is ORG_NAME)
    fractions = _fraction_columns(sheet, header)
    answer_columns = [c for c, f in header.columns.items() if f.code in FORM_VALUE_CODES]
    cells = _CellCache()
    for r in range(header.row_index + 1, len(sheet.rows)):
        row = sheet.rows[r]
        if all(is_blank(cell) for cell in row):
            continue
        excel_row = r + 1
        name_cell = row[name_column] if name_column < len(row) else None
        if not is_blank(name_cell) and is_total_row(cell_text(name_cell)):
            continue
        if (
            result.kind is Kind.ORG_FORM
            and answer_columns
            and all(c >= len(row) or is_blank(row[c]) for c in answer_columns)
        ):
            # A note or a signature under the table («Исполнитель: …») is not a school.
            result.warnings.append(
                Problem(
                    result.file,
                    "в строке нет ни одного ответа формы; строка пропущена",
                    sheet=sheet.name,
                    row=excel_row,
                    column=header.titles[name_column],
                    value=cell_text(name_cell),
                )
            )
            continue
        record = _parse_row(result, sheet, header, row, excel_row, fallback, fractions, cells)
        if record is not None:
            result.records.append(record)


def _fraction_columns(sheet: Sheet, header: Header) -> set[int]:
    """Share columns kept as Excel percentages: every number in them is a fraction of one
    (a cell showing «54,5 %» holds 0.545). In other share columns a single number strictly
    between 0 and 1 is such a cell too: a share below one per cent is not a real answer."""
    found = set()
    for c, f in header.columns.items():
        if f.type is not FieldType.SHARE:
            continue
        numbers = [
            row[c]
            for row in sheet.rows[header.row_index + 1 :]
            if c < len(row) and isinstance(row[c], float)
        ]
        if numbers and all(0 <= n <= 1 for n in numbers) and any(0 < n < 1 for n in numbers):
            found.add(c)
    return found


class _CellCache:
    """Each distinct cell read once per sheet: a column holds few distinct answers
    («да», «нет», small numbers), and reading one (normalising its text, parsing it) is
    most of the time of a large upload. Readers and parsers are pure functions."""

    def __init__(self) -> None:
        self._texts: dict[tuple[type, object], str] = {}
        self._values: dict[tuple[object, type, object], tuple[bool, object]] = {}

    def text(self, raw: object) -> str:
        key = (type(raw), raw)
        found = self._texts.get(key)
        if found is None:
            found = self._texts[key] = cell_text(raw)
        return found

    def value(self, kind: FieldType, raw: object) -> object:
        """``PARSERS[kind](raw)``; raises the same :class:`ValueProblem` each time."""
        key = (kind, type(raw), raw)
        found = self._values.get(key)
        if found is None:
            try:
                found = (True, PARSERS[kind](raw))
            except ValueProblem as problem:
                found = (False, str(problem))
            self._values[key] = found
        parsed, outcome = found
        if not parsed:
            raise ValueProblem(str(outcome))
        return outcome


def _parse_row(
    result: ParsedFile,
    sheet: Sheet,
    header: Header,
    row: Sequence[object],
    excel_row: int,
    fallback: dict[str, object],
    fractions: set[int],
    cells: _CellCache,
) -> Record | None:
    values: dict[str, object] = {}
    entered: dict[str, str] = {}
    unreadable: set[str] = set()
    ok = True
    for c, f in header.columns.items():
        raw = row[c] if c < len(row) else None
        entered[f.header] = cells.text(raw)
        if isinstance(raw, float) and (
            c in fractions or (f.type is FieldType.SHARE and 0 < raw < 1)
        ):
            raw = round(raw * 100, 9)
            entered[f.header] = cells.text(raw) + " %"
        try:
            values[f.code] = cells.value(f.type, raw)
            if f.type is FieldType.INN and inn_lost_leading_zero(raw):
                result.warnings.append(
                    Problem(
                        result.file,
                        "ИНН записан числом из 9 цифр: таблица отбросила ведущий ноль, "
                        f"ИНН прочитан как «{values[f.code]}»",
                        sheet=sheet.name,
                        row=excel_row,
                        column=header.titles[c],
                        value=cells.text(raw),
                    )
                )
        except ValueProblem as problem:
            ok = False
            unreadable.add(f.code)
            result.errors.append(
                Problem(
                    result.file,
                    str(problem),
                    sheet=sheet.name,
                    row=excel_row,
                    column=header.titles[c],
                    value=cells.text(raw),
                )
            )
    for f in KIND_FIELDS[result.kind]:
        if values.get(f.code) is None and f.code in fallback:
            values[f.code] = fallback[f.code]
        if f.code in PLACE_OPTIONAL.get(result.kind, ()):
            values.setdefault(f.code, None)
        if values.get(f.code) is None and f.code not in unreadable and needs_value(result.kind, f):
            ok = False
            column = next((header.titles[c] for c, g in header.columns.items() if g is f), None)
            result.errors.append(
                Problem(
                    result.file,
                    f"не заполнено обязательное поле «{f.header}»",
                    sheet=sheet.name,
                    row=excel_row,
                    column=column or f.header,
                    value="",
                )
            )
    ok = _dates_in_order(result, sheet, header, excel_row, values) and ok
    return Record(sheet.name, excel_row, values, entered) if ok else None


def _dates_in_order(
    result: ParsedFile, sheet: Sheet, header: Header, excel_row: int, values: dict[str, object]
) -> bool:
    """An end date before its start date is an error on the end date's cell."""
    fine = True
    for start, end in DATE_RANGES:
        first, last = values.get(start), values.get(end)
        if first is None or last is None or last >= first:
            continue
        fine = False
        column = next(c for c, f in header.columns.items() if f.code == end)
        started = next(f.header for f in header.columns.values() if f.code == start)
        result.errors.append(
            Problem(
                result.file,
                f"дата раньше, чем «{started}» ({first:%d.%m.%Y})",
                sheet=sheet.name,
                row=excel_row,
                column=header.titles[column],
                value=f"{last:%d.%m.%Y}",
            )
        )
    return fine


# Keys are asked for several times per row (duplicates, the upload's summary, the
# resolver), and a file names the same few territories on every row.
cached_territory_key = lru_cache(maxsize=65_536)(territory_key)
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
    repeated: list[Record] = []
    seen: dict[tuple[object, ...], Record] = {}
    for record in result.records:
        period = record.values.get(PERIOD.code)
        for key in identity_keys(record.values):
            first = seen.setdefault((period, *key), record)
            if first is record:
                continue
            if result.kind is not Kind.REGISTRY:
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
    for f in KIND_FIELDS[Kind.REGISTRY]:
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
