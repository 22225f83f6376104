"""Demo data: a deterministic, realistic dataset, written as real files and loaded
through the same ingest path as a user's uploads.

At ``scale=1`` it holds two regions, seven municipalities (г. Ижевск split into five
districts), 263 organisations of all four types with plausible names and ИНН, and two
school years with an improving trend: about half of the organisations have both
databases in the first year and about seven in ten in the second, few teachers are in
mentoring at first. A registry lists every organisation; a few of them never send a
form in the latest year. Some answers are blank and a handful of organisations break a
consistency rule, so the data-quality view has something to show.

The files come in the shapes municipalities actually send, each municipality keeping its
habits from year to year: XLSX with title rows, a two-row header with merged group cells
and an instructions sheet; CSV in UTF-8 with BOM and in Windows-1251; yes/no written as
да/нет, +/-, есть/нет, имеется/отсутствует; numbers as «34 чел.», «1 234» or «87,5 %».
Some files carry region, municipality and period in columns, others get them as upload
defaults. Every file loads without errors; the warnings they raise (a «№ п/п» column,
an instructions sheet) are the ones real files raise.

One ``random.Random(seed)`` drives everything in a fixed order, and XLSX archives get
fixed timestamps, so the same seed writes the same bytes on every run.
"""

from __future__ import annotations

import csv
import io
import random
import zipfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Protocol

from openpyxl import Workbook
from openpyxl.writer.excel import ExcelWriter

from analytics.ingest.load import IngestResult, ingest_file
from analytics.ingest.normalize import inn_check_digit
from analytics.ingest.parse import Defaults
from analytics.model.contract import (
    FIELDS_BY_CODE,
    FORM_VALUE_CODES,
    ORG_TYPES_BY_CODE,
    FieldType,
    FormKind,
)
from analytics.store.db import Database

DEMO_SEED = 20221
PERIODS: tuple[str, ...] = ("2022/2023", "2023/2024")
DEMO_USER = "демонстрационные данные"
# Stamped into every XLSX (document properties and zip entries) instead of the clock.
FILE_TIME = datetime(2024, 6, 3, 9, 0, 0)

UDMURTIA = "Удмуртская Республика"
YUGRA = "Ханты-Мансийский автономный округ – Югра"
TYPE_CODES: tuple[str, ...] = ("school", "preschool", "additional", "vocational")


@dataclass(frozen=True)
class FileShape:
    """How one municipality writes its form file; it keeps the same habits every year.

    ``in_file`` lists the place columns (region, municipality, period) the file carries;
    the others are given as upload defaults. ``period_spelling`` is a format string over
    ``first``, ``second`` and ``short`` (the two years, and the second one's last digits).
    """

    suffix: str
    encoding: str = "utf-8-sig"
    in_file: tuple[str, ...] = ()
    yes_no: tuple[tuple[str, str], ...] = (("да", "нет"),)
    title: bool = True
    two_row_header: bool = False
    instructions: bool = False
    row_numbers: bool = False
    verbose_headers: bool = False
    note_column: bool = False
    inn_as_number: bool = False
    blank_not_applicable: bool = False
    period_spelling: str = "{first}/{second}"


@dataclass(frozen=True)
class Municipality:
    region: str
    name: str
    tax_office: str  # the first four digits of its organisations' ИНН
    counts: tuple[int, int, int, int]  # organisations of each of TYPE_CODES
    adjective: str  # for college names: «Глазовский политехнический колледж»
    shape: FileShape
    lag: float = 0.0  # how far behind the average (negative: ahead)
    districts: tuple[str, ...] = ()
    villages: tuple[str, ...] = ()  # school name stems of a rural district; empty for a town


MUNICIPALITIES: tuple[Municipality, ...] = (
    Municipality(
        UDMURTIA,
        "г. Ижевск",
        "1831",
        (60, 30, 8, 5),
        "Ижевский",
        FileShape(
            ".xlsx",
            two_row_header=True,
            instructions=True,
            # Mostly lower case; the odd row from a school that capitalises.
            yes_no=(("да", "нет"),) * 4 + (("Да", "Нет"),),
        ),
        lag=-0.05,
        districts=(
            "Ленинский район",
            "Октябрьский район",
            "Первомайский район",
            "Индустриальный район",
            "Устиновский район",
        ),
    ),
    Municipality(
        UDMURTIA,
        "г. Глазов",
        "1837",
        (16, 10, 3, 3),
        "Глазовский",
        FileShape(
            ".csv",
            in_file=("region", "municipality", "period"),
            yes_no=(("+", "-"),),
            note_column=True,
            period_spelling="{first}/{second} уч. год",
        ),
    ),
    Municipality(
        UDMURTIA,
        "г. Сарапул",
        "1838",
        (14, 9, 3, 2),
        "Сарапульский",
        FileShape(
            ".xlsx",
            in_file=("region", "municipality"),
            yes_no=(("имеется", "отсутствует"), ("имеется", "отсутствует"), ("да", "нет")),
            row_numbers=True,
            inn_as_number=True,
        ),
        lag=0.04,
    ),
    Municipality(
        UDMURTIA,
        "Завьяловский район",
        "1841",
        (20, 8, 2, 1),
        "Завьяловский",
        FileShape(".csv", yes_no=(("есть", "нет"),), title=False),
        lag=0.12,
        villages=(
            "Завьяловская",
            "Хохряковская",
            "Италмасская",
            "Люкшудьинская",
            "Подшиваловская",
            "Ягульская",
            "Бабинская",
            "Каменская",
            "Казмасская",
            "Гольянская",
            "Пироговская",
            "Шабердинская",
            "Якшурская",
            "Сизевская",
        ),
    ),
    Municipality(
        YUGRA,
        "г. Нягань",
        "8610",
        (10, 8, 2, 1),
        "Няганский",
        FileShape(
            ".csv",
            encoding="cp1251",
            yes_no=(("да", "нет"), ("Да", "Нет")),
            row_numbers=True,
            blank_not_applicable=True,
        ),
        lag=0.08,
    ),
    Municipality(
        YUGRA,
        "г. Лангепас",
        "8607",
        (7, 6, 2, 1),
        "Лангепасский",
        FileShape(
            ".xlsx",
            in_file=("region", "municipality", "period"),
            yes_no=(("Да", "Нет"),),
            verbose_headers=True,
            period_spelling="{first}-{short}",
        ),
        lag=-0.1,
    ),
    Municipality(
        YUGRA,
        "Сургутский район",
        "8617",
        (18, 10, 3, 1),
        "Сургутский",
        FileShape(
            ".csv",
            in_file=("municipality", "period"),
            yes_no=(("+", "-"), ("да", "нет")),
            period_spelling="{first}–{second}",
        ),
        lag=0.03,
        villages=(
            "Фёдоровская",
            "Лянторская",
            "Белоярская",
            "Барсовская",
            "Солнечная",
            "Нижнесортымская",
            "Ульт-Ягунская",
            "Угутская",
            "Локосовская",
            "Сытоминская",
            "Русскинская",
            "Высокомысовская",
        ),
    ),
)


@dataclass(frozen=True)
class DemoFile:
    """One written demo file and how to load it: its kind and its upload defaults."""

    path: Path
    kind: FormKind
    defaults: Defaults


@dataclass(frozen=True)
class _Org:
    municipality: Municipality
    district: str | None
    name: str
    inn: str
    org_type: str
    teachers: int
    maturity: float  # 0..1 in the first year: drives the answers and the counts
    # One fixed draw per yes/no answer: an answer compares it with a chance that grows
    # with maturity, so a «да» given once stays «да» the next year.
    readiness: dict[str, float] = field(default_factory=dict)


# ---- organisations --------------------------------------------------------------------

_KINDERGARTEN_NAMES = (
    "Солнышко",
    "Сказка",
    "Ромашка",
    "Колокольчик",
    "Теремок",
    "Радуга",
    "Берёзка",
    "Золотой ключик",
    "Журавушка",
    "Рябинка",
    "Светлячок",
    "Родничок",
)
# (the only one of its kind in the municipality, one of several)
_ADDITIONAL_NAMES = (
    ("«ДДТ»", "«ДДТ № {n}»"),
    ("«ДЮСШ»", "«ДЮСШ № {n}»"),
    ("«Детская школа искусств»", "«Детская школа искусств № {n}»"),
    ("«Центр детского творчества»", "«Центр детского творчества № {n}»"),
    ("«Станция юных техников»", "«Станция юных техников № {n}»"),
)
_COLLEGE_PROFILES = (
    "политехнический колледж",
    "педагогический колледж",
    "индустриальный техникум",
    "торгово-экономический техникум",
    "медицинский колледж",
    "строительный техникум",
    "аграрный техникум",
    "колледж сервиса",
)
_COLLEGE_PREFIX = {UDMURTIA: "БПОУ УР", YUGRA: "БУ"}
# (low, high, mode) of the number of teachers; schools of a rural district are smaller.
_TEACHERS = {
    "school": (25, 120, 65),
    "rural school": (10, 60, 24),
    "preschool": (8, 40, 20),
    "additional": (10, 50, 18),
    "vocational": (40, 120, 75),
}
# Organisations of additional education lag behind, colleges are ahead.
TYPE_LAG = {"school": 0.0, "preschool": 0.03, "additional": 0.1, "vocational": -0.05}


def _numbers(rng: random.Random, count: int) -> list[int]:
    """Increasing numbers with gaps, like the numbers of a town's schools."""
    numbers, n = [], 0
    for _ in range(count):
        n += rng.choice((1, 1, 1, 2))
        numbers.append(n)
    return numbers


def _town_school_names(rng: random.Random, count: int) -> list[str]:
    names = []
    for n in _numbers(rng, count):
        prefix = rng.choices(("МБОУ", "МАОУ"), (85, 15))[0]
        kind = rng.choices(("СОШ", "Гимназия", "Лицей"), (84, 8, 8))[0]
        names.append(f"{prefix} «{kind} № {n}»")
    return names


def _rural_school_names(rng: random.Random, villages: Sequence[str], count: int) -> list[str]:
    kinds = [rng.choices(("СОШ", "ООШ"), (5, 1))[0] for _ in villages]
    per_village = [len(range(j, count, len(villages))) for j in range(len(villages))]
    names = []
    for i in range(count):
        j, n = i % len(villages), i // len(villages) + 1
        number = f" № {n}" if per_village[j] > 1 else ""
        names.append(f"МБОУ «{villages[j]} {kinds[j]}{number}»")
    return names


def _preschool_names(rng: random.Random, count: int) -> list[str]:
    nicknames = list(_KINDERGARTEN_NAMES)
    rng.shuffle(nicknames)
    names = []
    for n in _numbers(rng, count):
        prefix = rng.choices(("МБДОУ", "МАДОУ"), (80, 20))[0]
        nickname = f" „{nicknames.pop()}“" if nicknames and rng.random() < 0.25 else ""
        names.append(f"{prefix} «Детский сад № {n}{nickname}»")
    return names


def _additional_names(rng: random.Random, count: int) -> list[str]:
    names = []
    for i in range(count):
        single, numbered = _ADDITIONAL_NAMES[i % len(_ADDITIONAL_NAMES)]
        n = i // len(_ADDITIONAL_NAMES) + 1
        prefix = rng.choices(("МБУ ДО", "МАУ ДО"), (80, 20))[0]
        several = count > i % len(_ADDITIONAL_NAMES) + len(_ADDITIONAL_NAMES)
        names.append(f"{prefix} {numbered.format(n=n) if several else single}")
    return names


def _college_names(m: Municipality, count: int) -> list[str]:
    names = []
    for i in range(count):
        profile = _COLLEGE_PROFILES[i % len(_COLLEGE_PROFILES)]
        n = i // len(_COLLEGE_PROFILES) + 1
        number = f" № {n}" if n > 1 else ""
        names.append(f"{_COLLEGE_PREFIX[m.region]} «{m.adjective} {profile}{number}»")
    return names


def _names(rng: random.Random, m: Municipality, org_type: str, count: int) -> list[str]:
    if org_type == "school":
        if m.villages:
            return _rural_school_names(rng, m.villages, count)
        return _town_school_names(rng, count)
    if org_type == "preschool":
        return _preschool_names(rng, count)
    if org_type == "additional":
        return _additional_names(rng, count)
    return _college_names(m, count)


def _organisations(rng: random.Random, scale: int) -> list[_Org]:
    """Every organisation of every municipality, in a fixed order."""
    orgs: list[_Org] = []
    for m in MUNICIPALITIES:
        serials = iter(rng.sample(range(10000, 60000), sum(m.counts) * scale))
        for org_type, count in zip(TYPE_CODES, m.counts, strict=True):
            size = "rural school" if org_type == "school" and m.villages else org_type
            low, high, mode = _TEACHERS[size]
            for name in _names(rng, m, org_type, count * scale):
                body = f"{m.tax_office}{next(serials):05d}"
                maturity = rng.betavariate(2.2, 2.2) - m.lag - TYPE_LAG[org_type]
                orgs.append(
                    _Org(
                        municipality=m,
                        district=rng.choice(m.districts) if m.districts else None,
                        name=name,
                        inn=body + inn_check_digit(body),
                        org_type=org_type,
                        teachers=round(rng.triangular(low, high, mode)),
                        maturity=_clamp(maturity),
                        readiness={code: rng.random() for code in YES_CHANCE},
                    )
                )
    return orgs


def _non_reporting(rng: random.Random, orgs: list[_Org], scale: int) -> list[set[str]]:
    """ИНН of the organisations without a form, per period: a few in the latest year
    (three of them missing both years), a few more in the first."""
    latest = rng.sample(orgs, 7 * scale)
    others = [o for o in orgs if o not in latest]
    first = rng.sample(latest, 3 * scale) + rng.sample(others, 8 * scale)
    return [{o.inn for o in first}, {o.inn for o in latest}]


# ---- form values ----------------------------------------------------------------------

# Chance of «да» at maturity m is base + slope × m.
YES_CHANCE: dict[str, tuple[float, float]] = {
    "has_regulation": (0.72, 0.3),
    "has_roadmap": (0.55, 0.42),
    "has_curator": (0.7, 0.32),
    "has_program": (0.6, 0.38),
    "program_on_site": (0.28, 0.5),
    "has_mentor_db": (0.14, 0.82),
    "has_mentee_db": (0.9, 0.12),  # only where the mentors' database exists
    "has_incentives": (0.32, 0.55),
}
# Maturity gained from one school year to the next.
_PROGRESS = 0.24
_YOUNG_MAX = {"school": 10, "preschool": 4, "additional": 5, "vocational": 10}
_STUDENTS_PER_TEACHER = {"school": (7.0, 12.0), "vocational": (6.0, 10.0)}


def _clamp(x: float) -> float:
    return min(max(x, 0.0), 1.0)


class Profile(Protocol):
    """What the answer model needs of an organisation (the demo's, or the benchmarks')."""

    org_type: str
    teachers: int
    maturity: float
    readiness: dict[str, float]


def answers(
    rng: random.Random, org: Profile, year: int, progress: float = _PROGRESS
) -> dict[str, object]:
    """Canonical form values of one organisation in the year with index ``year``; its
    maturity grows by ``progress`` a year."""
    m = _clamp(org.maturity + progress * year)
    values: dict[str, object] = {
        code: org.readiness[code] < base + slope * m for code, (base, slope) in YES_CHANCE.items()
    }
    values["has_mentee_db"] = values["has_mentor_db"] and values["has_mentee_db"]
    values.update(_people(rng, org, m, year, bool(values["has_mentor_db"])))
    return values


def _people(
    rng: random.Random, org: Profile, m: float, year: int, has_mentor_db: bool
) -> dict[str, object]:
    # Without a database of mentors an organisation has no mentors on record: the
    # contract flags the opposite as inconsistent.
    teachers = max(5, org.teachers + rng.randint(-3, 3) * year)
    young = min(_YOUNG_MAX[org.org_type], round(teachers * rng.uniform(0.0, 0.1)))
    mentors = 0
    if has_mentor_db:
        mentors = min(12, max(1, round(teachers * rng.uniform(0.04, 0.06 + 0.08 * m))))
    mentees = round(mentors * rng.uniform(1.0, 1.8 + 0.3 * year))
    groups = rng.randint(0, min(2, mentors)) if mentees >= 4 else 0
    pairs = max(mentees - 3 * groups, 0)
    head_teacher = rng.randint(0, min(2, pairs))
    # Where a question does not apply, forms hold 0 (the instructions ask for no blank
    # cells): a zero denominator or weight keeps it out of every indicator.
    students = 0
    if org.org_type in _STUDENTS_PER_TEACHER:
        students = round(teachers * rng.uniform(*_STUDENTS_PER_TEACHER[org.org_type]))
    return {
        "teachers_total": teachers,
        "young_specialists": young,
        "young_with_mentor": round(young * _clamp(0.35 + 0.6 * m)) if mentors else 0,
        "mentors": mentors,
        "mentees": mentees,
        "mentors_trained": round(mentors * _clamp(0.15 + 0.6 * m + rng.uniform(-0.1, 0.1))),
        "pairs": pairs,
        "groups": groups,
        "form_teacher_teacher": pairs + groups - head_teacher,
        "form_head_teacher": head_teacher,
        "mentees_completed": round(mentees * rng.uniform(0.15 + 0.15 * year, 0.45 + 0.2 * year)),
        "students_10_18": students,
        "student_mentees": round(students * _clamp(0.05 + 0.4 * m + rng.uniform(-0.05, 0.05))),
        "satisfaction_pct": (
            round(min(98.0, rng.uniform(60.0, 80.0) + 18.0 * m), 1) if mentors else 0.0
        ),
    }


# Answers people most often leave blank.
_OFTEN_BLANK = (
    "has_incentives",
    "program_on_site",
    "has_mentee_db",
    "young_with_mentor",
    "mentees_completed",
    "satisfaction_pct",
)

Form = tuple[_Org, dict[str, object]]


def _leave_blanks(rng: random.Random, forms: list[Form]) -> None:
    """One form in thirty misses one to three answers."""
    for _, values in rng.sample(forms, max(1, len(forms) // 30)):
        for code in rng.sample(_OFTEN_BLANK, rng.randint(1, 3)):
            values[code] = None


@dataclass(frozen=True)
class _RuleBreak:
    """A typical mistake that breaks one consistency rule of the contract."""

    fields: tuple[str, ...]  # must all be answered and non-zero for the mistake to show
    per_year: tuple[int, int]  # how many organisations make it, first and latest year
    apply: Callable[[random.Random, dict[str, object]], None]


def _exceed(code: str, source: str, low: int, high: int) -> Callable[..., None]:
    """A mistake that makes ``code`` exceed ``source`` by ``low``..``high``: a part
    counted from another list than its whole."""

    def apply(rng: random.Random, values: dict[str, object]) -> None:
        values[code] = int(values[source]) + rng.randint(low, high)

    return apply


def _deny_mentor_db(rng: random.Random, values: dict[str, object]) -> None:
    values["has_mentor_db"] = False


_RULE_BREAKS: tuple[_RuleBreak, ...] = (
    _RuleBreak(
        ("young_specialists", "young_with_mentor"),
        (2, 1),
        _exceed("young_with_mentor", "young_specialists", 1, 2),
    ),
    _RuleBreak(("mentors", "mentors_trained"), (2, 1), _exceed("mentors_trained", "mentors", 1, 3)),
    _RuleBreak(("has_mentor_db", "mentors"), (2, 2), _deny_mentor_db),
    _RuleBreak(
        ("mentees", "mentees_completed"), (1, 0), _exceed("mentees_completed", "mentees", 1, 4)
    ),
    _RuleBreak(
        ("students_10_18", "student_mentees"),
        (1, 0),
        _exceed("student_mentees", "students_10_18", 5, 40),
    ),
)


def _break_rules(rng: random.Random, forms: list[Form], year: int, scale: int) -> None:
    """A handful of organisations with one rule violation each, fewer in the later year.

    Only organisations with mentors qualify, so that «no database of mentors» really
    contradicts the rest of the form.
    """
    broken: set[str] = set()
    for mistake in _RULE_BREAKS:
        eligible = [
            (org, values)
            for org, values in forms
            if org.inn not in broken
            and values["mentors"]
            and all(values[code] for code in mistake.fields)
        ]
        count = mistake.per_year[min(year, 1)] * scale
        for org, values in rng.sample(eligible, min(count, len(eligible))):
            mistake.apply(rng, values)
            broken.add(org.inn)


# ---- cells as people type them --------------------------------------------------------


def _cell(rng: random.Random, code: str, value: object, words: tuple[str, str]) -> object:
    """A canonical value as a person would have typed it; numbers stay numbers."""
    if value is None:
        return None
    kind = FIELDS_BY_CODE[code].type
    if kind is FieldType.YES_NO:
        return words[0] if value else words[1]
    if kind is FieldType.SHARE:
        if value and rng.random() < 0.2:
            return f"{value:.1f}{rng.choice((' %', '%'))}".replace(".", ",")
        return value
    if code in ("teachers_total", "mentors", "mentees") and rng.random() < 0.05:
        return f"{value} чел."
    if isinstance(value, int) and value >= 1000 and rng.random() < 0.5:
        return f"{value:,}".replace(",", rng.choice((" ", "\u00a0")))
    return value


def csv_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return f"{value:g}".replace(".", ",")
    return str(value)


# ---- form files -----------------------------------------------------------------------

_VERBOSE_HEADERS = {
    "region": "Субъект РФ",
    "municipality": "Муниципальное образование",
    "period": "Учебный год",
    "org_name": "Наименование образовательной организации",
    "inn": "ИНН организации",
    "org_type": "Тип образовательной организации",
    "has_regulation": "Положение о системе наставничества",
    "has_roadmap": "Дорожная карта внедрения",
    "program_on_site": "Программа размещена на сайте",
    "has_incentives": "Меры стимулирования наставников",
    "teachers_total": "Количество педагогических работников",
    "young_specialists": "Количество молодых специалистов",
    "mentors": "Количество наставников",
    "mentees": "Количество наставляемых",
    "satisfaction_pct": "Удовлетворённость участников программ наставничества, %",
}
# Group cells above the value columns of a two-row header: (title, columns spanned).
_HEADER_GROUPS = (
    ("Документы и базы", 8),
    ("Педагогические работники", 6),
    ("Формы наставничества", 4),
    ("Результаты", 4),
)
_TYPE_WORDS = {
    "school": ("общеобразовательная", "школа", "СОШ", "ОО"),
    "preschool": ("дошкольная", "ДОУ", "детский сад"),
    "additional": ("дополнительного образования", "УДО"),
    "vocational": ("профессиональная", "СПО", "ПОО"),
}
_ROW_NUMBER = "row_number"
_NOTE = "note"
_EXTRA_HEADERS = {_ROW_NUMBER: "№ п/п", _NOTE: "Примечание"}
_NOTES = ("данные уточняются", "куратор на больничном", "программа на согласовании")


def _form_codes(m: Municipality) -> list[str]:
    """Codes of the columns of the municipality's form file, in order."""
    shape = m.shape
    codes = [_ROW_NUMBER] if shape.row_numbers else []
    codes += [c for c in ("region", "municipality", "period") if c in shape.in_file]
    codes += ["district"] if m.districts else []
    codes += ["org_name", "inn", "org_type", *FORM_VALUE_CODES]
    return codes + ([_NOTE] if shape.note_column else [])


def _header(code: str, shape: FileShape) -> str:
    if code in _EXTRA_HEADERS:
        return _EXTRA_HEADERS[code]
    f = FIELDS_BY_CODE[code]
    if shape.verbose_headers:
        header = _VERBOSE_HEADERS.get(code, f.header)
        return f"{header}, чел." if f.type is FieldType.COUNT else header
    middle = f.header.rfind(" ", 0, len(f.header) // 2 + 4)
    if shape.two_row_header and len(f.header) > 20 and middle > 0:
        # Wrapped in the cell, as in a form laid out for printing.
        return f"{f.header[:middle]}\n{f.header[middle + 1 :]}"
    return f.header


def _period_text(period: str, shape: FileShape) -> str:
    first, second = period.split("/")
    return shape.period_spelling.format(first=first, second=second, short=second[-2:])


def _form_row(
    rng: random.Random,
    codes: list[str],
    number: int,
    org: _Org,
    values: dict[str, object],
    period: str,
) -> list[object]:
    m, shape = org.municipality, org.municipality.shape
    words = rng.choice(shape.yes_no)
    place = {
        _ROW_NUMBER: number,
        # Typed on a keyboard without an en dash; the engine folds dash kinds.
        "region": m.region.replace(" – ", " - "),
        "municipality": m.name,
        "period": _period_text(period, shape),
        "district": org.district,
        "org_name": org.name,
        "inn": int(org.inn) if shape.inn_as_number else org.inn,
        "org_type": rng.choice(_TYPE_WORDS[org.org_type]),
        _NOTE: rng.choice(_NOTES) if rng.random() < 0.05 else None,
    }
    if shape.blank_not_applicable:
        values = _blank_not_applicable(org, values)
    return [
        place[code] if code in place else _cell(rng, code, values[code], words) for code in codes
    ]


def _blank_not_applicable(org: _Org, values: dict[str, object]) -> dict[str, object]:
    """The values with the questions that do not apply left empty instead of 0, as one
    municipality does: each such cell shows on the data-quality view as a missing answer."""
    blanked = dict(values)
    if org.org_type not in _STUDENTS_PER_TEACHER:
        blanked["students_10_18"] = blanked["student_mentees"] = None
    if not values["mentors"] and not values["mentees"]:
        blanked["satisfaction_pct"] = None
    return blanked


def _totals_row(codes: list[str], forms: list[Form]) -> list[object]:
    """«Итого» with the sums of the count columns: skipped by the engine, as it should be."""
    row: list[object] = []
    for code in codes:
        if code == "org_name":
            row.append("Итого")
        elif code in FIELDS_BY_CODE and FIELDS_BY_CODE[code].type is FieldType.COUNT:
            row.append(sum(int(v[code]) for _, v in forms if v[code] is not None))
        else:
            row.append(None)
    return row


@dataclass
class _Table:
    """One sheet's cells, and the merged ranges (row, column, last row, last column),
    numbered from 1 as in Excel."""

    name: str
    rows: list[list[object]]
    merges: list[tuple[int, int, int, int]] = field(default_factory=list)


def _title_rows(m: Municipality, period: str) -> list[list[object]]:
    return [
        ["Мониторинг реализации целевой модели наставничества педагогических работников"],
        [f"{m.name}, {period} учебный год"],
        [],
    ]


def _header_rows(codes: list[str], shape: FileShape, top: int) -> _Table:
    """The header as rows starting at Excel row ``top``; two rows with merged group cells
    above the values when the shape says so."""
    headers = [_header(code, shape) for code in codes]
    if not shape.two_row_header:
        return _Table("", [headers])
    first_value = codes.index(FORM_VALUE_CODES[0])
    groups: list[object] = [*headers[:first_value], *[None] * (len(codes) - first_value)]
    merges = [(top, c, top + 1, c) for c in range(1, first_value + 1)]
    column = first_value + 1
    for title, width in _HEADER_GROUPS:
        groups[column - 1] = title
        merges.append((top, column, top, column + width - 1))
        column += width
    below = [None] * first_value + headers[first_value:]
    return _Table("", [groups, below], merges)


def _form_table(rng: random.Random, m: Municipality, period: str, forms: list[Form]) -> _Table:
    codes = _form_codes(m)
    rows = _title_rows(m, period) if m.shape.title else []
    header = _header_rows(codes, m.shape, top=len(rows) + 1)
    rows += header.rows
    rows += [
        _form_row(rng, codes, n, org, values, period) for n, (org, values) in enumerate(forms, 1)
    ]
    if m.shape.suffix == ".xlsx":
        rows += [[], _totals_row(codes, forms)]
    return _Table("Форма ОО", rows, header.merges)


_INSTRUCTIONS = (
    "Инструкция по заполнению формы мониторинга",
    "1. Одна строка — одна образовательная организация.",
    "2. В столбцах «да/нет» укажите «да» или «нет»; не оставляйте ячейки пустыми.",
    "3. Количество указывайте целым числом, долю — числом от 0 до 100.",
    "4. Строку «Итого» не изменяйте: она считается автоматически.",
)


def _write_form_file(
    rng: random.Random, directory: Path, m: Municipality, period: str, forms: list[Form]
) -> DemoFile:
    table = _form_table(rng, m, period, forms)
    slug = m.name.removeprefix("г. ").replace(" ", "_")
    path = directory / f"Мониторинг_{slug}_{period.replace('/', '-')}{m.shape.suffix}"
    if m.shape.suffix == ".xlsx":
        tables = [table]
        if m.shape.instructions:
            tables.append(_Table("Инструкция", [[line] for line in _INSTRUCTIONS]))
        _write_xlsx(path, tables)
    else:
        _write_csv(path, table.rows, m.shape.encoding)
    defaults = Defaults(
        region=None if "region" in m.shape.in_file else m.region,
        municipality=None if "municipality" in m.shape.in_file else m.name,
        period=None if "period" in m.shape.in_file else period,
    )
    return DemoFile(path, FormKind.ORG_FORM, defaults)


# ---- registry -------------------------------------------------------------------------


def _write_registry(directory: Path, orgs: list[_Org]) -> DemoFile:
    """One XLSX with a sheet per region, every column in the file: no defaults needed."""
    header = ["№ п/п", "Регион", "Муниципалитет", "Район", "Наименование ОО", "ИНН", "Тип ОО"]
    tables = []
    for region, sheet_name in ((UDMURTIA, "Удмуртия"), (YUGRA, "Югра")):
        mine = [o for o in orgs if o.municipality.region == region]
        rows: list[list[object]] = [
            [f"Реестр образовательных организаций: {region}"],
            [],
            header,
        ]
        rows += [
            [
                n,
                region,
                o.municipality.name,
                o.district,
                o.name,
                o.inn,
                ORG_TYPES_BY_CODE[o.org_type].label,
            ]
            for n, o in enumerate(mine, 1)
        ]
        tables.append(_Table(sheet_name, rows))
    path = directory / "Реестр_ОО.xlsx"
    _write_xlsx(path, tables)
    return DemoFile(path, FormKind.REGISTRY, Defaults())


# ---- writers --------------------------------------------------------------------------


def _write_xlsx(path: Path, tables: list[_Table]) -> None:
    workbook = Workbook()
    workbook.remove(workbook.active)
    for table in tables:
        sheet = workbook.create_sheet(table.name)
        for row in table.rows:
            sheet.append(row)
        for top, left, bottom, right in table.merges:
            sheet.merge_cells(start_row=top, start_column=left, end_row=bottom, end_column=right)
    workbook.properties.creator = "Муниципальный методический центр"
    workbook.properties.created = FILE_TIME
    workbook.properties.modified = FILE_TIME
    buffer = io.BytesIO()
    # Not workbook.save(): it stamps the modification time with the clock.
    ExcelWriter(workbook, zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED)).save()
    path.write_bytes(_with_fixed_times(buffer.getvalue()))


def _with_fixed_times(archive: bytes) -> bytes:
    """The same zip archive with every entry dated FILE_TIME: zipfile dates entries with
    the clock or a temporary file's mtime, which would change the bytes on every run."""
    source = zipfile.ZipFile(io.BytesIO(archive))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            entry = zipfile.ZipInfo(info.filename, FILE_TIME.timetuple()[:6])
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.external_attr = info.external_attr
            target.writestr(entry, source.read(info))
    return buffer.getvalue()


def _write_csv(path: Path, rows: list[list[object]], encoding: str) -> None:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerows([[csv_text(v) for v in row] for row in rows])
    path.write_bytes(buffer.getvalue().encode(encoding))


# ---- public API -----------------------------------------------------------------------


def write_demo_files(directory: Path, seed: int = DEMO_SEED, scale: int = 1) -> list[DemoFile]:
    """Write the demo files into ``directory`` (created if needed) and list them in load
    order: the registry first, then one file per municipality for each period in turn.

    The same ``seed`` and ``scale`` write the same bytes on every run. ``scale``
    multiplies the number of organisations (for benchmarks); the non-reporting
    organisations and rule violations grow with it.
    """
    if scale < 1:
        raise ValueError("scale must be a positive integer")
    rng = random.Random(seed)
    directory.mkdir(parents=True, exist_ok=True)
    orgs = _organisations(rng, scale)
    files = [_write_registry(directory, orgs)]
    missing = _non_reporting(rng, orgs, scale)
    for year, period in enumerate(PERIODS):
        forms = [(o, answers(rng, o, year)) for o in orgs if o.inn not in missing[year]]
        _leave_blanks(rng, forms)
        _break_rules(rng, forms, year, scale)
        for m in MUNICIPALITIES:
            mine = [(o, v) for o, v in forms if o.municipality is m]
            files.append(_write_form_file(rng, directory, m, period, mine))
    return files


def build_demo(
    db: Database, directory: Path | None = None, seed: int = DEMO_SEED, scale: int = 1
) -> list[IngestResult]:
    """Write the demo files (by default into ``demo/`` beside the database) and load them
    through the ordinary ingest path, in the order :func:`write_demo_files` lists them.

    Returns one result per file. A file that fails to load raises
    :class:`~analytics.ingest.problems.IngestError`, as an upload would.
    """
    files = write_demo_files(directory or db.path.parent / "demo", seed, scale)
    return [ingest_file(db, f.path, f.kind, f.defaults, user=DEMO_USER) for f in files]
