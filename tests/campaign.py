"""A two-year monitoring campaign of one region, written the way municipalities write it.

:func:`build` draws, from a seed, a registry of organisations with districts and valid
ИНН, year one's forms as XLSX (title rows, merged two-row headers, ИНН in some rows), year
two's form as a Windows-1251 ``;`` CSV whose names are respelled in every way people
respell them and carry no ИНН (two new schools, one closed), bases of mentors and mentees
without territory columns, and a partial re-upload. It writes the files into a directory
and keeps the ground truth: which real organisation every row of every file is, and the
values of every form the region holds at the end.

:func:`load` uploads the campaign through the engine as a coordinator would;
:func:`expected_indicators` computes every indicator of the data contract from the
ground truth with pandas (never with the engine's code), for comparison with
:func:`analytics.compute.indicators.compute`.
"""

from __future__ import annotations

import csv
import io
import math
import random
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
from openpyxl import Workbook
from openpyxl.utils import get_column_letter

from analytics.ingest.identity import NEW_ORGANISATION
from analytics.ingest.load import Decisions, IngestResult, ingest_bytes, preview
from analytics.ingest.parse import Defaults
from analytics.ingest.problems import ReviewNeeded
from analytics.model.contract import FormKind
from analytics.store.db import Database
from tests.filemakers import HEADERS, YES_NO_CODES

REGION = "Республика Саха (Якутия)"
CITY = "г. Якутск"
ULUS = "Нюрбинский район"  # Yakut names: national letters ҥ, ө, ү, һ, ә
TOWN = "Мирнинский район"
CITY_DISTRICTS = ("Гагаринский округ", "Октябрьский округ", "Сайсарский округ")
YEAR_ONE, YEAR_TWO = "2022/2023", "2023/2024"
PERIODS = (YEAR_ONE, YEAR_TWO)

INN_WEIGHTS = (2, 4, 10, 3, 5, 9, 4, 6, 8)


def inn_check_digit(first_nine: str) -> str:
    """The check digit of an organisation's ИНН (10 digits) for its first nine digits."""
    total = sum(int(d) * w for d, w in zip(first_nine, INN_WEIGHTS, strict=True))
    return str(total % 11 % 10)


def is_valid_inn(inn: str) -> bool:
    return len(inn) == 10 and inn.isdigit() and inn_check_digit(inn[:9]) == inn[9]


def transposed(inn: str) -> str:
    """The ИНН with two neighbouring digits swapped, chosen so the check digit fails."""
    for i in range(8):
        swapped = inn[:i] + inn[i + 1] + inn[i] + inn[i + 2 :]
        if swapped != inn and not is_valid_inn(swapped):
            return swapped
    raise ValueError(f"no transposition of {inn} breaks its check digit")


# Legal forms: the full words and the abbreviation people write instead.
MBOU = ("Муниципальное бюджетное общеобразовательное учреждение", "МБОУ")
MAOU = ("Муниципальное автономное общеобразовательное учреждение", "МАОУ")
GBOU = ("Государственное бюджетное общеобразовательное учреждение", "ГБОУ")
MBDOU = ("Муниципальное бюджетное дошкольное образовательное учреждение", "МБДОУ")
MBU_DO = ("Муниципальное бюджетное учреждение дополнительного образования", "МБУ ДО")
GBPOU = ("Государственное бюджетное профессиональное образовательное учреждение", "ГБПОУ")
CHOU = ("Частное общеобразовательное учреждение", "ЧОУ")

# Type of organisation: the registry's official name and the words forms use.
REGISTRY_TYPES = {
    "school": "Общеобразовательная организация",
    "preschool": "Дошкольная образовательная организация",
    "additional": "Организация дополнительного образования",
    "vocational": "Профессиональная образовательная организация",
}
FORM_TYPES = {
    "school": ("СОШ", "школа", "ОО"),
    "preschool": ("ДОУ", "детский сад", "ДОО"),
    "additional": ("УДО", "ДО"),
    "vocational": ("колледж", "СПО"),
}


@dataclass(frozen=True)
class Org:
    """A real organisation: its ИНН, its name in parts, its type and territory."""

    inn: str
    legal: tuple[str, str]  # full legal form, abbreviation
    stem: str  # the name inside the quotes, in full
    stem_short: str  # the same with «СОШ» and «им.»
    org_type: str
    municipality: str
    district: str | None
    in_registry: bool = True

    @property
    def official(self) -> str:
        return f"{self.legal[0]} «{self.stem}»"

    @property
    def short(self) -> str:
        return f"{self.legal[1]} «{self.stem_short}»"


def _school_stem(prefix: str, number: int | None, person: str | None) -> tuple[str, str]:
    """«{prefix}средняя общеобразовательная школа № N имени …» and its short form."""
    full = "средняя общеобразовательная школа" if prefix else "Средняя общеобразовательная школа"
    parts_full, parts_short = [f"{prefix}{full}"], [f"{prefix}СОШ"]
    if number is not None:
        parts_full.append(f"№ {number}")
        parts_short.append(f"№ {number}")
    if person:
        parts_full.append(f"имени {person}")
        parts_short.append(f"им. {person}")
    return " ".join(parts_full), " ".join(parts_short)


PEOPLE = ("А. С. Пушкина", "М. К. Аммосова", "П. А. Ойунского", "А. Е. Кулаковского")
NICKNAMES = ("Солнышко", "Колокольчик", "Берёзка", "Радуга", "Светлячок", "Золотой ключик")


def _city(rng: random.Random, sizes: Sizes) -> list[tuple]:
    """Organisations of the city: schools № 1, № 5 and № 15 among others, districts."""
    numbers = [1, 5, 15, *rng.sample([2, 3, 7, 9, 10, 12, 17, 20, 24, 26, 29, 31], 12)]
    made = []
    for number in numbers[: max(sizes.schools, 3)]:
        person = rng.choice(PEOPLE) if rng.random() < 0.35 else None
        stem, short = _school_stem("", number, person)
        made.append((rng.choice([MBOU, MAOU]), stem, short, "school", rng.choice(CITY_DISTRICTS)))
    made.append(
        (GBOU, "Республиканский лицей-интернат", "Республиканский лицей-интернат", "school", None)
    )
    kindergarten_numbers = rng.sample([3, 8, 11, 14, 16, 21, 22, 27], sizes.kindergartens)
    for n, (number, nick) in enumerate(
        zip(kindergarten_numbers, rng.sample(NICKNAMES, sizes.kindergartens), strict=True)
    ):
        if n == 0 or rng.random() < 0.5:
            stem = f"Центр развития ребёнка – детский сад № {number} «{nick}»"
        else:
            stem = f"Детский сад № {number} «{nick}»"
        made.append((MBDOU, stem, stem, "preschool", rng.choice(CITY_DISTRICTS)))
    for stem in ["Детско-юношеская спортивная школа № 2", "Центр детского творчества"][
        : sizes.additional
    ]:
        made.append((MBU_DO, stem, stem, "additional", rng.choice(CITY_DISTRICTS)))
    college = "Якутский педагогический колледж имени С. Ф. Гоголева"
    made.append((GBPOU, college, college.replace("имени", "им."), "vocational", CITY_DISTRICTS[0]))
    return made


def _ulus(rng: random.Random, sizes: Sizes) -> list[tuple]:
    """A Yakut municipality: names with ҥ, ө, ү, һ, ә; no districts."""
    fixed = [("Үөһээ-Күөл ", None, None), ("Хаҥалас ", None, None)]
    others = [
        ("Нюрбинская ", 1, None),
        ("Нюрбинская ", 2, None),
        ("Өлөөн ", None, "Н. Д. Неустроева"),
        ("Маарыкчаанская ", None, None),
    ]
    chosen = fixed + rng.sample(others, min(len(others), max(sizes.schools - 2, 0)))
    made = [(MBOU, *_school_stem(p, n, person), "school", None) for p, n, person in chosen]
    nicks = ["Күннэй", "Кэскил", "Сардаана", "Чэчир", "Мичээр", "Туйаара"]
    for nick in rng.sample(nicks, sizes.kindergartens):
        stem = f"Детский сад «{nick}»"
        made.append((MBDOU, stem, stem, "preschool", None))
    made.append(
        (
            MBU_DO,
            "Дом детского творчества «Әкият»",
            "Дом детского творчества «Әкият»",
            "additional",
            None,
        )
    )
    return made


def _town(rng: random.Random, sizes: Sizes) -> list[tuple]:
    """A municipality whose school № 1 has the city's school № 1's short name."""
    schools = [(1, None), (2, None), (8, None), (12, "А. С. Пушкина")]
    made = [
        (MBOU, *_school_stem("", n, person), "school", None)
        for n, person in [schools[0], *rng.sample(schools[1:], min(3, max(sizes.schools - 2, 0)))]
    ]
    made.append((MAOU, "Политехнический лицей", "Политехнический лицей", "school", None))
    gardens = [
        "Детский сад № 3 «Теремок»",
        "Детский сад № 7 «Олененок»",
        "Детский сад № 10 «Сказка»",
    ]
    for stem in rng.sample(gardens, min(sizes.kindergartens, 3)):
        made.append((MBDOU, stem, stem, "preschool", None))
    return made


@dataclass(frozen=True)
class Sizes:
    """How large a campaign is (per municipality) and in what format its registry comes."""

    municipalities: int = 3
    schools: int = 6
    kindergartens: int = 3
    additional: int = 1
    registry_format: str = "xlsx"


# ---------------------------------------------------------------------------------------
# Respellings: each takes a name and the random source and returns the name as some
# person writes it; each keeps the organisation recognisable to a careful reader.

LATIN_LOOKALIKES = {
    "а": "a", "е": "e", "о": "o", "р": "p", "с": "c", "у": "y", "х": "x",
    "А": "A", "В": "B", "Е": "E", "К": "K", "М": "M", "Н": "H", "О": "O", "Р": "P",
    "С": "C", "Т": "T", "Х": "X",
}  # fmt: skip
NATIONAL_LETTERS = {
    "ҥ": "н", "Ҥ": "Н", "ө": "о", "Ө": "О", "ү": "у", "Ү": "У",
    "һ": "h", "Һ": "Х", "ә": "э", "Ә": "Э",
}  # fmt: skip
ABBREVIATIONS = (
    MBOU, MAOU, GBOU, MBDOU, MBU_DO, GBPOU, CHOU,
    ("Средняя общеобразовательная школа", "СОШ"),
    ("средняя общеобразовательная школа", "СОШ"),
)  # fmt: skip
DASHES = "-–—"


def latin_lookalikes(name: str, rng: random.Random) -> str:
    """One to three Cyrillic letters typed as the Latin letters that look the same."""
    places = [i for i, ch in enumerate(name) if ch in LATIN_LOOKALIKES]
    chars = list(name)
    for i in rng.sample(places, min(len(places), rng.randint(1, 3))):
        chars[i] = LATIN_LOOKALIKES[chars[i]]
    return "".join(chars)


def imeni(name: str, rng: random.Random) -> str:
    """«имени» for «им.», or the other way round."""
    if "имени " in name:
        return name.replace("имени ", "им. ")
    return name.replace("им. ", "имени ")


def legal_forms(name: str, rng: random.Random) -> str:
    """Full words of a legal form or of «СОШ» abbreviated, or abbreviations written out."""
    for full, short in ABBREVIATIONS:
        if full in name:
            return name.replace(full, short)
    for full, short in ABBREVIATIONS:
        if re.search(rf"(?<!\w){re.escape(short)}(?!\w)", name):
            return re.sub(rf"(?<!\w){re.escape(short)}(?!\w)", full, name, count=1)
    return name


def dashes(name: str, rng: random.Random) -> str:
    """Another dash kind wherever there is a dash."""
    return "".join(
        rng.choice([d for d in DASHES if d != ch]) if ch in DASHES else ch for ch in name
    )


def quotes(name: str, rng: random.Random) -> str:
    """Straight, curly, doubled, dropped or stray quotes instead of «»."""
    way = rng.choice(["straight", "curly", "doubled", "dropped", "stray"])
    if way == "straight":
        return re.sub("[«»]", '"', name)
    if way == "curly":
        return name.replace("«", "“").replace("»", "”")
    if way == "doubled":
        return name.replace("«", '""').replace("»", '""')
    if way == "dropped":
        return " ".join(re.sub("[«»]", " ", name).split())
    closing = name.rfind("»")
    if closing < 0:
        return name + ' "'
    return name[:closing] + name[closing + 1 :] + (' "' if rng.random() < 0.5 else "")


def number_sign(name: str, rng: random.Random) -> str:
    """«№5», «N 5» or «N5» for «№ 5»."""
    return re.sub(r"№ (\d+)", lambda m: rng.choice(["№{}", "N {}", "N{}"]).format(m[1]), name)


def national_letters(name: str, rng: random.Random) -> str:
    """Yakut and Tatar letters written with the Russian (or Latin) letters they resemble."""
    return "".join(NATIONAL_LETTERS.get(ch, ch) for ch in name)


def yo(name: str, rng: random.Random) -> str:
    """ё written as е."""
    return name.replace("ё", "е")


def letter_case(name: str, rng: random.Random) -> str:
    """The name in capitals or in small letters."""
    return name.upper() if rng.random() < 0.5 else name.lower()


def spaces(name: str, rng: random.Random) -> str:
    """Doubled spaces and spaces inside the quotes."""
    return name.replace(" ", "  ", 1).replace("«", "« ", 1)


Respelling = Callable[[str, random.Random], str]
RESPELLINGS: dict[str, tuple[Respelling, Callable[[str], bool]]] = {
    "latin": (latin_lookalikes, lambda n: any(ch in LATIN_LOOKALIKES for ch in n)),
    "imeni": (imeni, lambda n: "имени " in n or "им. " in n),
    "legal_form": (legal_forms, lambda n: legal_forms(n, random.Random()) != n),
    "dash": (dashes, lambda n: any(ch in DASHES for ch in n)),
    "quotes": (quotes, lambda n: "«" in n and "»" in n),
    "number": (number_sign, lambda n: "№ " in n),
    "national": (national_letters, lambda n: any(ch in NATIONAL_LETTERS for ch in n)),
    "yo": (yo, lambda n: "ё" in n),
    "case": (letter_case, lambda n: True),
    "spaces": (spaces, lambda n: "«" in n),
}


def name_variants(org: Org) -> dict[str, str]:
    """The bases of a respelling: official, short, mixed, and the bare short name."""
    return {
        "official": org.official,
        "short": org.short,
        "mixed_short_form": f"{org.legal[1]} «{org.stem}»",
        "mixed_full_form": f"{org.legal[0]} «{org.stem_short}»",
        "bare": org.stem_short,
    }


def respell(org: Org, rng: random.Random, must: str | None = None) -> tuple[str, list[str]]:
    """A spelling of ``org``'s name with one or two respellings (``must`` among them where
    it applies) on a variant of its name; national letters never survive (Windows-1251
    has none). Returns the spelling and the respellings applied."""
    variants = name_variants(org)
    fitting = [v for v, n in variants.items() if must is None or RESPELLINGS[must][1](n)]
    variant = rng.choice(fitting or list(variants))
    name = variants[variant]
    applicable = [k for k, (_, fits) in RESPELLINGS.items() if fits(name) and k != "national"]
    kinds = rng.sample(applicable, min(len(applicable), rng.randint(1, 2)))
    if must and must not in kinds and RESPELLINGS[must][1](name):
        kinds = [must, *kinds[:1]]
    applied = [variant]
    for kind in kinds:
        respelt = RESPELLINGS[kind][0](name, rng)
        if respelt != name:
            applied.append(kind)
        name = respelt
    if RESPELLINGS["national"][1](name):
        name = national_letters(name, rng)
        applied.append("national")
    return name, applied


# ---------------------------------------------------------------------------------------
# Answers: the canonical values of a form and the cells people type for them.

YES_CELLS = ("да", "Да", "ДА", "+", "1", "есть", "имеется")
NO_CELLS = ("нет", "Нет", "-", "0", "отсутствует")
COUNTED = (
    "teachers_total", "young_specialists", "young_with_mentor", "mentors", "mentees",
    "mentors_trained", "pairs", "groups", "form_teacher_teacher", "form_head_teacher",
    "mentees_completed", "students_10_18", "student_mentees",
)  # fmt: skip
VALUE_CODES = (*YES_NO_CODES, *COUNTED, "satisfaction_pct")


def answers(
    rng: random.Random, org: Org, databases: bool = False, complete: bool = False
) -> dict[str, object]:
    """A form's canonical values: True/False/None, counts, a share; some blank (none
    where ``complete``), some zero denominators (a kindergarten has no pupils of 10–18)."""
    blank = 0.0 if complete else 0.07
    values: dict[str, object] = {}
    for code in YES_NO_CODES:
        values[code] = None if rng.random() < blank else rng.random() < 0.7
    if databases:
        values["has_mentor_db"] = values["has_mentee_db"] = True
    teachers = rng.randint(15, 140) if org.org_type != "vocational" else rng.randint(900, 1300)
    young = rng.choice([0, rng.randint(1, 12)])
    mentors = rng.randint(1, 15)
    mentees = rng.randint(0, 25)
    students = None if org.org_type == "preschool" else rng.randint(80, 1500)
    values.update(
        teachers_total=teachers,
        young_specialists=young,
        young_with_mentor=None if rng.random() < blank else rng.randint(0, young),
        mentors=mentors,
        mentees=mentees,
        mentors_trained=rng.randint(0, mentors),
        pairs=rng.randint(0, mentees),
        groups=rng.randint(0, 3),
        form_teacher_teacher=rng.randint(0, 10),
        form_head_teacher=rng.randint(0, 3),
        mentees_completed=rng.randint(0, mentees),
        students_10_18=students,
        student_mentees=None if students is None else rng.randint(0, students // 3),
        satisfaction_pct=None
        if rng.random() < 2 * blank
        else rng.choice([rng.randint(45, 100), 87.5]),
    )
    return values


def cell(code: str, value: object, rng: random.Random, text: bool) -> object:
    """How a person types ``value`` of column ``code``; ``text`` for a CSV file."""
    if value is None:
        return None
    if code in YES_NO_CODES:
        return rng.choice(YES_CELLS if value else NO_CELLS)
    if not text:
        return value
    if isinstance(value, float):
        return f"{value:.1f}".replace(".", ",")
    if value >= 1000:
        return f"{value:,}".replace(",", rng.choice([" ", "\u00a0"]))
    return str(value)


# ---------------------------------------------------------------------------------------
# Files.


@dataclass
class Upload:
    """One file of the campaign and the truth of its rows: (sheet, Excel row) → the real
    organisation and the name as written."""

    path: Path
    kind: FormKind
    defaults: Defaults
    rows: dict[tuple[str, int], Org] = field(default_factory=dict)
    written: dict[tuple[str, int], str] = field(default_factory=dict)
    people: dict[tuple[str, int], str] = field(default_factory=dict)  # ФИО per row

    @property
    def name(self) -> str:
        return self.path.name

    @property
    def content(self) -> bytes:
        return self.path.read_bytes()


@dataclass
class Campaign:
    """The files of a campaign and its ground truth."""

    orgs: list[Org]  # every real organisation: the registry's, then the new ones
    closed: Org
    new: list[Org]
    registry: Upload
    year_one: list[Upload]
    year_two: Upload
    mentors: Upload
    mentees: Upload
    partial: Upload
    forms: dict[tuple[str, str], dict[str, object]]  # (ИНН, period) → values at the end
    forms_before_partial: dict[tuple[str, str], dict[str, object]]
    respellings: set[str]  # the kinds of respelling year two's file uses

    @property
    def registered(self) -> list[Org]:
        return [o for o in self.orgs if o.in_registry]

    def identity(self, org: Org) -> str:
        """What the engine's organisation of ``org`` is recognised by: its ИНН where the
        registry gave one, else (a new school confirmed from year two's file) its name as
        written there."""
        if org.in_registry:
            return org.inn
        return next(n for k, n in self.year_two.written.items() if self.year_two.rows[k] is org)


def _xlsx(path: Path, sheets: dict[str, list[list[object]]], merges: dict[str, list[str]]) -> None:
    workbook = Workbook()
    workbook.remove(workbook.active)
    for title, rows in sheets.items():
        sheet = workbook.create_sheet(title)
        for row in rows:
            sheet.append(row)
        for cells in merges.get(title, []):
            sheet.merge_cells(cells)
    workbook.save(path)


def _csv(path: Path, rows: list[list[object]], encoding: str, delimiter: str = ";") -> None:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter, lineterminator="\r\n")
    for row in rows:
        writer.writerow(["" if c is None else c for c in row])
    path.write_bytes(buffer.getvalue().encode(encoding))


def _registry(directory: Path, orgs: list[Org], sizes: Sizes, rng: random.Random) -> Upload:
    header = ["№ п/п", "Наименование", "ИНН", "Тип ОО", "Муниципалитет", "Район", "Адрес"]
    body = [
        [
            n,
            o.official,
            o.inn,
            REGISTRY_TYPES[o.org_type],
            o.municipality,
            o.district,
            f"677{rng.randint(0, 999):03d}, {o.municipality}, ул. Ленина, д. {rng.randint(1, 90)}",
        ]
        for n, o in enumerate(orgs, start=1)
    ]
    defaults = Defaults(region=REGION)
    if sizes.registry_format == "csv":
        upload = Upload(directory / "Реестр ОО.csv", FormKind.REGISTRY, defaults)
        _csv(upload.path, [header, *body], "utf-8-sig")
        first, sheet = 2, ""
    else:
        upload = Upload(directory / "Реестр ОО.xlsx", FormKind.REGISTRY, defaults)
        title = [f"Реестр образовательных организаций, {REGION}"]
        _xlsx(upload.path, {"Реестр": [title, header, *body]}, {"Реестр": ["A1:G1"]})
        first, sheet = 3, "Реестр"
    for n, o in enumerate(orgs):
        upload.rows[(sheet, first + n)] = o
        upload.written[(sheet, first + n)] = o.official
    return upload


def _year_one(
    directory: Path, municipality: str, reporting: list[Org], rng: random.Random
) -> tuple[Upload, dict[str, dict[str, object]]]:
    """One municipality's XLSX: two title rows, a blank row, a two-row header with
    «База» merged over «наставников» and «наставляемых», ИНН in about half the rows."""
    districts = municipality == CITY
    lead = ["№ п/п", "Наименование ОО", "ИНН", "Тип ОО", *(["Район"] if districts else [])]
    codes = list(VALUE_CODES)
    top = lead + [
        "База" if c == "has_mentor_db" else None if c == "has_mentee_db" else HEADERS[c]
        for c in codes
    ]
    second = [None] * len(lead) + [
        "наставников" if c == "has_mentor_db" else "наставляемых" if c == "has_mentee_db" else None
        for c in codes
    ]
    width = len(top)
    base = codes.index("has_mentor_db") + len(lead) + 1
    merges = [f"A1:{get_column_letter(width)}1"]
    merges += [
        f"{get_column_letter(c)}4:{get_column_letter(c)}5"
        for c in range(1, width + 1)
        if c not in (base, base + 1)
    ]
    merges.append(f"{get_column_letter(base)}4:{get_column_letter(base + 1)}4")
    rows: list[list[object]] = [
        [f"Мониторинг реализации целевой модели наставничества, {municipality}"],
        ["2022/2023 учебный год"],
        [],
        top,
        second,
    ]
    upload = Upload(
        directory / f"{municipality} 2022-2023.xlsx",
        FormKind.ORG_FORM,
        Defaults(region=REGION, municipality=municipality, period="2022-2023"),
    )
    truth: dict[str, dict[str, object]] = {}
    for n, org in enumerate(reporting, start=1):
        with_inn = rng.random() < 0.5
        if with_inn:
            written = rng.choice([org.short, number_sign(org.short, rng)])
            inn: object = org.inn if rng.random() < 0.7 else int(org.inn)
        else:
            written = rng.choice([org.official, org.short])
            light = rng.choice([quotes, number_sign, national_letters, yo])
            written = light(written, rng) if rng.random() < 0.5 else written
            inn = None
        values = answers(rng, org)
        truth[org.inn] = values
        row = [n, written, inn, rng.choice(FORM_TYPES[org.org_type])]
        if districts:
            row.append(org.district)
        row += [cell(c, values[c], rng, text=False) for c in codes]
        rows.append(row)
        upload.rows[("Форма", len(rows))] = org
        upload.written[("Форма", len(rows))] = written
    _xlsx(upload.path, {"Форма": rows}, {"Форма": merges})
    return upload, truth


def _year_two(
    directory: Path,
    reporting: list[Org],
    based: set[str],
    complete: set[str],
    rng: random.Random,
) -> tuple[Upload, dict[str, dict[str, object]], set[str]]:
    """One CSV for the region in Windows-1251 with ``;``: every name respelled, no ИНН,
    no type (given at upload), the period in several spellings."""
    codes = list(VALUE_CODES)
    header = ["Муниципалитет", "Район", "Наименование ОО", "Период", *(HEADERS[c] for c in codes)]
    upload = Upload(
        directory / "Мониторинг 2023-2024.csv",
        FormKind.ORG_FORM,
        Defaults(region=REGION, org_type="школа"),
    )
    rows: list[list[object]] = [header]
    truth: dict[str, dict[str, object]] = {}
    used: set[str] = set()
    # Each kind of respelling on at least one organisation it applies to.
    musts: dict[str, str] = {}
    for kind in ("yo", "dash", "imeni", *RESPELLINGS):
        if kind in musts.values():
            continue
        fit = [
            o.inn
            for o in reporting
            if o.in_registry
            and o.inn not in musts
            and any(RESPELLINGS[kind][1](n) for n in name_variants(o).values())
        ]
        if fit:
            musts[rng.choice(fit)] = kind
    for org in reporting:
        if org.in_registry:
            written, applied = respell(org, rng, must=musts.get(org.inn))
            used.update(applied)
        else:
            written = org.short
        values = answers(rng, org, databases=org.inn in based, complete=org.inn in complete)
        truth[org.inn] = values
        period = rng.choice(["2023/2024", "2023-2024", "2023/24", "2023–2024"])
        rows.append(
            [org.municipality, org.district, written, period]
            + [cell(c, values[c], rng, text=True) for c in codes]
        )
        upload.rows[("", len(rows))] = org
        upload.written[("", len(rows))] = written
    _csv(upload.path, rows, "cp1251")
    return upload, truth, used


def _core(org: Org) -> str:
    """A name without its «им. …»: two such names are too alike to tell apart without
    a municipality (the bases have none)."""
    return re.sub(r" им\. .*", "", org.stem_short)


SURNAMES = ("Иванова", "Петрова", "Сидорова", "Николаева", "Егорова", "Васильева", "Попова")
NAMES = ("Анна", "Мария", "Сардана", "Туйаара", "Елена", "Ольга", "Саина", "Айталина")
PATRONYMICS = ("Петровна", "Ивановна", "Николаевна", "Егоровна", "Семёновна", "Гаврильевна")
FORMS_OF_MENTORING = ("педагог – педагог", "Руководитель-педагог", "наставник — группа")


def _person(rng: random.Random, taken: set[str]) -> str:
    while True:
        name = f"{rng.choice(SURNAMES)} {rng.choice(NAMES)} {rng.choice(PATRONYMICS)}"
        if name not in taken:
            taken.add(name)
            return name


def _bases(
    directory: Path, orgs: list[Org], shared: set[str], rng: random.Random
) -> tuple[Upload, Upload]:
    """Bases of mentors and mentees for year two, as the target model's templates have
    them: no region, municipality or type; the organisation by name, ИНН in some rows
    (always where its name is also another municipality's)."""
    defaults = Defaults(period="2023-2024")
    mentors = Upload(directory / "База наставников 2023-2024.xlsx", FormKind.MENTORS, defaults)
    mentees = Upload(directory / "База наставляемых 2023-2024.xlsx", FormKind.MENTEES, defaults)
    mentor_rows: list[list[object]] = [
        ["База наставников"],
        ["ФИО наставника", "Наименование ОО", "ИНН", "Должность", "Форма наставничества",
         "Обучение пройдено"],
    ]  # fmt: skip
    mentee_rows: list[list[object]] = [
        ["ФИО наставляемого", "Наименование ОО", "ИНН", "Категория", "ФИО наставника",
         "Форма наставничества", "Программа завершена"],
    ]  # fmt: skip
    for org in orgs:
        taken: set[str] = set()
        for _ in range(rng.randint(1, 3)):
            mentor = _person(rng, taken)
            written = rng.choice([org.official, org.short, quotes(org.short, rng)])
            inn = org.inn if org.stem_short in shared or rng.random() < 0.4 else None
            form = rng.choice(FORMS_OF_MENTORING)
            mentor_rows.append([mentor, written, inn, "учитель", form, rng.choice(["да", "нет"])])
            mentors.rows[("Наставники", len(mentor_rows))] = org
            mentors.written[("Наставники", len(mentor_rows))] = written
            mentors.people[("Наставники", len(mentor_rows))] = mentor
            for _ in range(rng.randint(1, 2)):
                mentee = _person(rng, taken)
                written = rng.choice([org.short, number_sign(org.short, rng)])
                inn = org.inn if org.stem_short in shared or rng.random() < 0.4 else None
                category = rng.choice(["молодой специалист", "педагог"])
                mentee_rows.append(
                    [mentee, written, inn, category, mentor, form, rng.choice(["да", "нет", None])]
                )
                mentees.rows[("Наставляемые", len(mentee_rows))] = org
                mentees.written[("Наставляемые", len(mentee_rows))] = written
                mentees.people[("Наставляемые", len(mentee_rows))] = mentee
    _xlsx(mentors.path, {"Наставники": mentor_rows}, {"Наставники": ["A1:F1"]})
    _xlsx(mentees.path, {"Наставляемые": mentee_rows}, {})
    return mentors, mentees


MISSING_IN_PARTIAL = "mentors"


def _partial(
    directory: Path, orgs: list[Org], rng: random.Random
) -> tuple[Upload, dict[str, dict[str, object]]]:
    """A second year-two file for a few schools without the «Педагогов-наставников»
    column: accepted, it blanks that answer of their forms."""
    codes = [c for c in VALUE_CODES if c != MISSING_IN_PARTIAL]
    header = ["Муниципалитет", "Район", "Наименование ОО", "Период", *(HEADERS[c] for c in codes)]
    upload = Upload(
        directory / "Уточнение 2023-2024.csv",
        FormKind.ORG_FORM,
        Defaults(region=REGION, org_type="школа"),
    )
    rows: list[list[object]] = [header]
    truth = {}
    for org in orgs:
        values = answers(rng, org, complete=True)
        values[MISSING_IN_PARTIAL] = None
        truth[org.inn] = values
        rows.append(
            [org.municipality, org.district, org.short, "2023/2024"]
            + [cell(c, values[c], rng, text=True) for c in codes]
        )
        upload.rows[("", len(rows))] = org
        upload.written[("", len(rows))] = org.short
    _csv(upload.path, rows, "utf-8")
    return upload, truth


def build(seed: int, directory: Path, sizes: Sizes | None = None) -> Campaign:
    """Draw a campaign from ``seed`` and write its files into ``directory``."""
    sizes = sizes or Sizes()
    rng = random.Random(seed)
    directory.mkdir(parents=True, exist_ok=True)
    municipalities = [(CITY, _city), (ULUS, _ulus), (TOWN, _town)][: sizes.municipalities]
    inns: set[str] = set()

    def new_inn() -> str:
        while True:
            first = "1435" + f"{rng.randint(0, 99999):05d}"
            inn = first + inn_check_digit(first)
            if inn not in inns:
                inns.add(inn)
                return inn

    orgs = [
        Org(new_inn(), legal, stem, short, org_type, municipality, district)
        for municipality, make in municipalities
        for legal, stem, short, org_type, district in make(rng, sizes)
    ]
    numbers_in_city = {
        int(m[1]) for o in orgs if o.municipality == CITY for m in re.finditer(r"№ (\d+)", o.stem)
    }
    free = next(n for n in range(40, 99) if n not in numbers_in_city)
    new_district = rng.choice(CITY_DISTRICTS)
    new = [
        Org(new_inn(), MAOU, *_school_stem("", free, None), "school", CITY, new_district, False),
        Org(new_inn(), CHOU, *["Школа «Интеллект»"] * 2, "school", CITY, new_district, False),
    ]
    registry = _registry(directory, orgs, sizes, rng)
    special = {CITY: [o for o in orgs if re.search(r"школа № (1|5|15)$", o.stem)]}
    closed = rng.choice([o for o in orgs if o.org_type == "school" and o not in special[CITY]])

    # Year one: most of the registry reports; at least one organisation does not.
    silent_one = set(rng.sample(orgs, max(1, len(orgs) // 8)))
    silent_one.discard(closed)
    forms: dict[tuple[str, str], dict[str, object]] = {}
    year_one = []
    for municipality, _ in municipalities:
        reporting = [o for o in orgs if o.municipality == municipality and o not in silent_one]
        rng.shuffle(reporting)
        upload, truth = _year_one(directory, municipality, reporting, rng)
        year_one.append(upload)
        forms.update({(inn, YEAR_ONE): v for inn, v in truth.items()})

    # Year two: all but the closed school and a few silent ones, and the two new schools.
    candidates = [o for o in orgs if o is not closed]
    silent_two = set(rng.sample(candidates, max(1, len(candidates) // 12))) - set(special[CITY])
    reporting_two = [o for o in candidates if o not in silent_two] + new
    rng.shuffle(reporting_two)
    shared = {o.stem_short for o in orgs if sum(1 for p in orgs if _core(p) == _core(o)) > 1}
    registered_two = [o for o in reporting_two if o.in_registry]
    partial_orgs = rng.sample([o for o in registered_two if o.org_type == "school"], 3)
    rest = [o for o in registered_two if o not in partial_orgs]
    based_orgs = rng.sample(rest, min(4, len(rest)))
    year_two, truth, used = _year_two(
        directory,
        reporting_two,
        {o.inn for o in based_orgs},
        {o.inn for o in partial_orgs},
        rng,
    )
    forms.update({(inn, YEAR_TWO): v for inn, v in truth.items()})
    mentors, mentees = _bases(directory, based_orgs, shared, rng)
    partial, replaced = _partial(directory, partial_orgs, rng)
    before = dict(forms)
    forms.update({(inn, YEAR_TWO): v for inn, v in replaced.items()})
    return Campaign(
        orgs=orgs + new,
        closed=closed,
        new=new,
        registry=registry,
        year_one=year_one,
        year_two=year_two,
        mentors=mentors,
        mentees=mentees,
        partial=partial,
        forms=forms,
        forms_before_partial=before,
        respellings=used,
    )


# ---------------------------------------------------------------------------------------
# Loading through the engine.


@dataclass
class Log:
    """What happened during :func:`load`: each upload's result, year two's preview, the
    refusal of the partial file and whether it changed anything."""

    results: dict[str, IngestResult] = field(default_factory=dict)
    year_two_preview: IngestResult | None = None
    partial_refusal: Exception | None = None
    partial_changed_nothing: bool = False


def stored(db: Database) -> dict[str, object]:
    """Everything an upload could change in what the region sees (rows as tuples, so that
    a blank answer compares equal to itself)."""

    def rows(sql: str) -> list[tuple]:
        cur = db.cursor()
        try:
            return cur.execute(sql).fetchall()
        finally:
            cur.close()

    return {
        "forms": rows("SELECT * FROM form_values ORDER BY org_id, period"),
        "organizations": rows("SELECT * FROM organizations ORDER BY org_id"),
        "uploads": db.scalar("SELECT count(*) FROM uploads"),
        "version": db.data_version(),
    }


def _ingest(db: Database, upload: Upload, **decisions: object) -> IngestResult:
    return ingest_bytes(
        db,
        upload.name,
        upload.content,
        upload.kind,
        upload.defaults,
        decisions=Decisions(**decisions),
    )


def load(db: Database, campaign: Campaign) -> Log:
    """Upload the campaign as a coordinator would: the registry, year one, year two after
    its preview (confirming the two new schools as new), the bases, the partial file
    (refused, then confirmed)."""
    log = Log()
    log.results[campaign.registry.name] = _ingest(db, campaign.registry)
    for upload in campaign.year_one:
        log.results[upload.name] = _ingest(db, upload)
    two = campaign.year_two
    log.year_two_preview = preview(db, two.name, two.content, two.kind, two.defaults)
    choices = {k: NEW_ORGANISATION for k, org in two.rows.items() if not org.in_registry}
    log.results[two.name] = _ingest(db, two, choices=choices)
    for upload in (campaign.mentors, campaign.mentees):
        log.results[upload.name] = _ingest(db, upload)
    before = stored(db)
    try:
        _ingest(db, campaign.partial)
    except ReviewNeeded as refusal:
        log.partial_refusal = refusal
    log.partial_changed_nothing = stored(db) == before
    log.results[campaign.partial.name] = _ingest(db, campaign.partial, replace_partial=True)
    return log


def landed(db: Database, upload_id: int, table: str = "forms") -> dict[tuple[str, int], str]:
    """Where each row of an upload went: (sheet, row) → the organisation's ИНН, or its
    name where it has none. Forms replaced later are found in the history."""
    if table == "forms":
        source = (
            "SELECT org_id, upload_id, source_sheet, source_row FROM form_values UNION ALL "
            "SELECT org_id, upload_id, source_sheet, source_row FROM form_history"
        )
    else:
        source = f"SELECT org_id, upload_id, source_sheet, source_row FROM {table}"
    rows = db.query(
        f"SELECT s.source_sheet, s.source_row, coalesce(o.inn, o.name) AS identity "
        f"FROM ({source}) s JOIN organizations o USING (org_id) WHERE s.upload_id = ?",
        [upload_id],
    )
    return {(sheet or "", int(row)): identity for sheet, row, identity in rows.values.tolist()}


# ---------------------------------------------------------------------------------------
# The indicators of the data contract, computed by hand from the ground truth.

SHARES = {
    "regulation": "has_regulation",
    "roadmap": "has_roadmap",
    "curator": "has_curator",
    "program": "has_program",
    "program_site": "program_on_site",
    "incentives": "has_incentives",
}
RATIOS = {  # indicator → (numerator column, denominator column, factor)
    "young_mentored": ("young_with_mentor", "young_specialists", 100),
    "mentors_trained": ("mentors_trained", "mentors", 100),
    "mentor_load": ("mentees", "mentors", 1),
    "completion": ("mentees_completed", "mentees", 100),
    "students_mentored": ("student_mentees", "students_10_18", 100),
}
FACTORS = {
    **dict.fromkeys(SHARES, 100),
    "databases": 100,
    "teachers_involved": 100,
    **{i: f for i, (_, _, f) in RATIOS.items()},
    "satisfaction": 1,
    "reporting": 100,
}
INDICATOR_IDS = tuple(FACTORS)


def _both(n: object, d: object) -> tuple[float, float]:
    """An organisation takes part only where both its numerator and denominator exist."""
    if n is None or d is None:
        return math.nan, math.nan
    return float(n), float(d)


def _pairs(values: dict[str, object] | None, in_registry: bool) -> dict[str, tuple[float, float]]:
    """Each indicator's (numerator, denominator) for one organisation and period, as the
    data contract defines them; ``values`` None where it sent no form."""
    v = values or {}
    get = v.get
    pairs = {i: (math.nan, math.nan) for i in INDICATOR_IDS}
    if values is not None:
        for indicator, column in SHARES.items():
            answer = get(column)
            pairs[indicator] = _both(
                None if answer is None else int(answer), 1 if answer is not None else None
            )
        mentor_db, mentee_db = get("has_mentor_db"), get("has_mentee_db")
        if mentor_db is not None and mentee_db is not None:
            pairs["databases"] = (float(mentor_db and mentee_db), 1.0)
        people = (
            None
            if get("mentors") is None or get("mentees") is None
            else get("mentors") + get("mentees")
        )
        pairs["teachers_involved"] = _both(people, get("teachers_total"))
        for indicator, (n, d, _) in RATIOS.items():
            pairs[indicator] = _both(get(n), get(d))
        satisfaction = get("satisfaction_pct")
        pairs["satisfaction"] = _both(
            None if satisfaction is None or people is None else satisfaction * people,
            None if satisfaction is None else people,
        )
    if in_registry:
        pairs["reporting"] = (float(values is not None), 1.0)
    return pairs


def expected_indicators(campaign: Campaign) -> pd.DataFrame:
    """Every indicator at every level and period: columns indicator, level, period, unit
    (empty for the total, the territory's name, «municipality / district», the
    organisation's identity), numerator, denominator, value."""
    records = []
    for org in campaign.orgs:
        for period in PERIODS:
            values = campaign.forms.get((org.inn, period))
            if values is None and not org.in_registry:
                continue
            for indicator, (n, d) in _pairs(values, org.in_registry).items():
                records.append(
                    {
                        "indicator": indicator,
                        "period": period,
                        "region": REGION,
                        "municipality": org.municipality,
                        "district": org.district,
                        "organization": campaign.identity(org),
                        "n": n,
                        "d": d,
                    }
                )
    rows = pd.DataFrame(records)
    parts = []
    levels = {
        "total": [],
        "region": ["region"],
        "municipality": ["municipality"],
        "district": ["municipality", "district"],
        "organization": ["organization"],
    }
    for level, keys in levels.items():
        grouped = (
            rows.dropna(subset=keys)
            .groupby(["indicator", "period", *keys], dropna=False)[["n", "d"]]
            .sum(min_count=1)
            .reset_index()
        )
        grouped["unit"] = grouped[keys].astype(str).agg(" / ".join, axis=1) if keys else ""
        grouped["level"] = level
        parts.append(grouped[["indicator", "level", "period", "unit", "n", "d"]])
    frame = pd.concat(parts, ignore_index=True)
    factor = frame["indicator"].map(FACTORS)
    frame["value"] = (factor * frame["n"] / frame["d"]).where(frame["d"] > 0)
    return frame.rename(columns={"n": "numerator", "d": "denominator"})


def engine_indicators(frame: pd.DataFrame) -> pd.DataFrame:
    """The engine's result in the shape of :func:`expected_indicators`."""
    unit = pd.Series("", index=frame.index, dtype=object)
    level = frame["level"].astype(str)
    unit[level == "region"] = frame["region"][level == "region"]
    unit[level == "municipality"] = frame["municipality"][level == "municipality"]
    district = level == "district"
    unit[district] = frame["municipality"][district] + " / " + frame["district"][district]
    org = level == "organization"
    unit[org] = frame["inn"][org].where(frame["inn"][org].notna(), frame["organization"][org])
    return pd.DataFrame(
        {
            "indicator": frame["indicator"].astype(str),
            "level": level,
            "period": frame["period"].astype(str),
            "unit": unit.astype(str),
            "numerator": frame["numerator"].astype(float),
            "denominator": frame["denominator"].astype(float),
            "value": frame["value"].astype(float),
        }
    )


def differences(expected: pd.DataFrame, actual: pd.DataFrame) -> list[str]:
    """Rows missing on either side, duplicated, or whose numerator, denominator or value
    differ (beyond rounding), described for a person."""
    keys = ["indicator", "level", "period", "unit"]
    found = []
    for name, frame in (("expected", expected), ("engine", actual)):
        twice = frame[frame.duplicated(keys, keep=False)]
        found += [f"{name} has twice: {tuple(r)}" for r in twice[keys].drop_duplicates().values]
    both = expected.merge(actual, on=keys, how="outer", suffixes=("", "_engine"), indicator="side")
    for row in both.itertuples(index=False):
        where = f"{row.indicator} {row.level} {row.period} «{row.unit}»"
        if row.side != "both":
            side = "only expected" if row.side == "left_only" else "only in the engine"
            found.append(f"{where}: {side}")
            continue
        for column in ("numerator", "denominator", "value"):
            mine, theirs = getattr(row, column), getattr(row, f"{column}_engine")
            if not (
                (math.isnan(mine) and math.isnan(theirs))
                or math.isclose(mine, theirs, rel_tol=1e-9, abs_tol=1e-9)
            ):
                found.append(f"{where}: {column} expected {mine}, engine {theirs}")
    return found
