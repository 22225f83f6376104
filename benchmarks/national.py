"""National-scale benchmark data: a deterministic generator of real CSV and XLSX files.

Sizes (see :data:`SIZES`), all with three school years and a registry of every
organisation:

- ``1``: one municipality, 40 organisations (one region);
- ``10``: ten municipalities, about 400 organisations (one region, its capital split
  into districts);
- ``100``: a hundred municipalities, about 4,000 organisations in four regions;
- ``country``: the 89 subjects of the Russian Federation, 2,500 municipalities, about
  100,000 organisations (each regional capital split into districts).

Files come in the shapes the parser accepts and real senders use: per region and period
one form file (``forms/<period>/<NN>_<region>.csv`` and ``.xlsx`` with the same rows),
and one registry file per region (``registry/<NN>_<region>.csv``). CSV is UTF-8 with
``;``, written with the :mod:`csv` module; XLSX is written by openpyxl in write-only mode
with a title row above the header, numbers as numbers. Region, municipality and period
are columns of the files, so no upload defaults are needed. Yes/no answers are spelled
the way each municipality habitually writes them (да/нет, Да/Нет, +/-, есть/нет); one
form in fifty leaves an answer blank; about 3 % of the registry does not report in a
period; a few teacher counts are typed as «34 чел.» and shares as «87,5».

One ``random.Random(seed)`` drives everything in a fixed order and the XLSX archives
carry fixed timestamps, so a seed and size write the same bytes on every run.

    .venv/bin/python -m benchmarks.national --size 10 --out /tmp/national
"""

from __future__ import annotations

import argparse
import csv
import io
import random
import re
import zipfile
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from openpyxl import Workbook

from analytics.model.contract import FIELDS_BY_CODE, FORM_VALUE_CODES, ORG_TYPES_BY_CODE, FormKind
from analytics.operations.demo import TYPE_LAG, YES_CHANCE, csv_text, inn_check_digit
from analytics.operations.demo import answers as demo_answers

SEED = 2025_07
PERIODS: tuple[str, ...] = ("2022/2023", "2023/2024", "2024/2025")
FILE_TIME = datetime(2025, 6, 2, 9, 0, 0)
MEAN_ORGS = 40  # organisations in an average municipality


@dataclass(frozen=True)
class Size:
    name: str
    regions: int
    municipalities: int  # in all
    capital_districts: bool  # the first municipality of each region is a city with districts


SIZES: dict[str, Size] = {
    "1": Size("1", 1, 1, False),
    "10": Size("10", 1, 10, True),
    "100": Size("100", 4, 100, True),
    "country": Size("country", 89, 2500, True),
}

# The 89 subjects of the Russian Federation with their tax-office codes (the first two
# digits of an organisation's ИНН).
REGIONS: tuple[tuple[str, str], ...] = (
    ("01", "Республика Адыгея"),
    ("02", "Республика Башкортостан"),
    ("03", "Республика Бурятия"),
    ("04", "Республика Алтай"),
    ("05", "Республика Дагестан"),
    ("06", "Республика Ингушетия"),
    ("07", "Кабардино-Балкарская Республика"),
    ("08", "Республика Калмыкия"),
    ("09", "Карачаево-Черкесская Республика"),
    ("10", "Республика Карелия"),
    ("11", "Республика Коми"),
    ("12", "Республика Марий Эл"),
    ("13", "Республика Мордовия"),
    ("14", "Республика Саха (Якутия)"),
    ("15", "Республика Северная Осетия – Алания"),
    ("16", "Республика Татарстан"),
    ("17", "Республика Тыва"),
    ("18", "Удмуртская Республика"),
    ("19", "Республика Хакасия"),
    ("20", "Чеченская Республика"),
    ("21", "Чувашская Республика"),
    ("22", "Алтайский край"),
    ("23", "Краснодарский край"),
    ("24", "Красноярский край"),
    ("25", "Приморский край"),
    ("26", "Ставропольский край"),
    ("27", "Хабаровский край"),
    ("28", "Амурская область"),
    ("29", "Архангельская область"),
    ("30", "Астраханская область"),
    ("31", "Белгородская область"),
    ("32", "Брянская область"),
    ("33", "Владимирская область"),
    ("34", "Волгоградская область"),
    ("35", "Вологодская область"),
    ("36", "Воронежская область"),
    ("37", "Ивановская область"),
    ("38", "Иркутская область"),
    ("39", "Калининградская область"),
    ("40", "Калужская область"),
    ("41", "Камчатский край"),
    ("42", "Кемеровская область – Кузбасс"),
    ("43", "Кировская область"),
    ("44", "Костромская область"),
    ("45", "Курганская область"),
    ("46", "Курская область"),
    ("47", "Ленинградская область"),
    ("48", "Липецкая область"),
    ("49", "Магаданская область"),
    ("50", "Московская область"),
    ("51", "Мурманская область"),
    ("52", "Нижегородская область"),
    ("53", "Новгородская область"),
    ("54", "Новосибирская область"),
    ("55", "Омская область"),
    ("56", "Оренбургская область"),
    ("57", "Орловская область"),
    ("58", "Пензенская область"),
    ("59", "Пермский край"),
    ("60", "Псковская область"),
    ("61", "Ростовская область"),
    ("62", "Рязанская область"),
    ("63", "Самарская область"),
    ("64", "Саратовская область"),
    ("65", "Сахалинская область"),
    ("66", "Свердловская область"),
    ("67", "Смоленская область"),
    ("68", "Тамбовская область"),
    ("69", "Тверская область"),
    ("70", "Томская область"),
    ("71", "Тульская область"),
    ("72", "Тюменская область"),
    ("73", "Ульяновская область"),
    ("74", "Челябинская область"),
    ("75", "Забайкальский край"),
    ("76", "Ярославская область"),
    ("77", "г. Москва"),
    ("78", "г. Санкт-Петербург"),
    ("79", "Еврейская автономная область"),
    ("83", "Ненецкий автономный округ"),
    ("86", "Ханты-Мансийский автономный округ – Югра"),
    ("87", "Чукотский автономный округ"),
    ("89", "Ямало-Ненецкий автономный округ"),
    ("91", "Республика Крым"),
    ("92", "г. Севастополь"),
    ("93", "Донецкая Народная Республика"),
    ("94", "Луганская Народная Республика"),
    ("90", "Запорожская область"),
    ("95", "Херсонская область"),
)

# Stems of made-up place names: «Новососновский район», «г. Красноозёрск».
_STEM_A = (
    "Ново",
    "Старо",
    "Верхне",
    "Нижне",
    "Бело",
    "Красно",
    "Велико",
    "Мало",
    "Северо",
    "Южно",
    "Западно",
    "Восточно",
    "Усть-",
    "Светло",
    "Черно",
    "Камско",
    "Волжско",
    "Боро",
    "Сосно",
    "Яро",
)
_STEM_B = (
    "сосновск",
    "озёрск",
    "каменск",
    "берёзовск",
    "полянск",
    "лесновск",
    "горск",
    "речинск",
    "троицк",
    "никольск",
    "петровск",
    "михайловск",
    "ильинск",
    "степновск",
    "луговск",
    "ключевск",
    "заводск",
    "дубровск",
    "покровск",
    "вознесенск",
)
_DISTRICT_NAMES = (
    "Ленинский",
    "Октябрьский",
    "Советский",
    "Центральный",
    "Заводской",
    "Кировский",
    "Первомайский",
    "Индустриальный",
    "Железнодорожный",
    "Северный",
)
_TYPE_SHARES = (("school", 0.45), ("preschool", 0.35), ("additional", 0.12), ("vocational", 0.08))
# (low, high, mode) of the number of teachers.
_TEACHERS = {
    "school": (12, 130, 45),
    "preschool": (8, 45, 18),
    "additional": (8, 55, 16),
    "vocational": (30, 160, 70),
}
_YES_NO_HABITS = (("да", "нет"), ("Да", "Нет"), ("+", "-"), ("есть", "нет"), ("да", "нет"))
_PROGRESS = 0.15  # maturity gained per school year
_OFTEN_BLANK = ("has_incentives", "program_on_site", "young_with_mentor", "satisfaction_pct")

PLACE_HEADERS = ("Регион", "Муниципалитет", "Район", "Наименование ОО", "ИНН", "Тип ОО")
FORM_HEADERS: tuple[str, ...] = (
    *PLACE_HEADERS,
    "Период",
    *(FIELDS_BY_CODE[code].header for code in FORM_VALUE_CODES),
)


@dataclass(frozen=True)
class Municipality:
    region_code: str
    region: str
    name: str
    tax_office: str
    districts: tuple[str, ...]
    yes_no: tuple[str, str]
    orgs: int
    lag: float


@dataclass(frozen=True)
class Org:
    municipality: Municipality
    district: str | None
    name: str
    inn: str
    org_type: str
    teachers: int
    maturity: float
    readiness: dict[str, float] = field(default_factory=dict)


@dataclass(frozen=True)
class DataFile:
    """One written file: what it holds and how many organisation rows."""

    path: Path
    kind: FormKind
    period: str | None
    region: str
    rows: int
    sheet: str | None = None  # XLSX: the sheet with the table


@dataclass
class Dataset:
    size: str
    directory: Path
    regions: int
    municipalities: int
    organizations: int
    registry: list[DataFile]
    csv: list[DataFile]
    xlsx: list[DataFile]

    @property
    def form_rows(self) -> int:
        return sum(f.rows for f in self.csv)


# ---- territories and organisations ----------------------------------------------------


def _inn(office: str, serial: int) -> str:
    body = f"{office}{serial:05d}"
    return body + inn_check_digit(body)


def _split(rng: random.Random, total: int, parts: int, low: int) -> list[int]:
    """``total`` split into ``parts`` positive counts of at least ``low``, uneven."""
    weights = [rng.uniform(0.3, 1.7) for _ in range(parts)]
    spare = total - low * parts
    counts = [low + int(spare * w / sum(weights)) for w in weights]
    for i in range(total - sum(counts)):
        counts[i % parts] += 1
    return counts


def _place_names(rng: random.Random, count: int) -> list[str]:
    combos = [a + b for a in _STEM_A for b in _STEM_B]
    return [c[0].upper() + c[1:] for c in rng.sample(combos, count)]


def municipalities(size: Size, seed: int = SEED) -> tuple[random.Random, list[Municipality]]:
    """The municipalities of ``size`` in a fixed order, and the generator to go on with."""
    rng = random.Random(f"{seed}:{size.name}")
    if size.regions == 1:
        regions = [REGIONS[17]]  # Удмуртская Республика
    elif size.regions < len(REGIONS):
        regions = [REGIONS[i] for i in (17, 85, 53, 22)][: size.regions]
    else:
        regions = list(REGIONS)
    per_region = _split(rng, size.municipalities, len(regions), 1)
    result = []
    for (code, region), count in zip(regions, per_region, strict=True):
        names = _place_names(rng, count)
        orgs = _split(rng, MEAN_ORGS * count, count, 12) if count > 1 else [MEAN_ORGS]
        lag = rng.uniform(-0.08, 0.12)
        for i, (stem, n) in enumerate(zip(names, orgs, strict=True)):
            capital = i == 0 and size.capital_districts and count > 1
            if capital:
                name = f"г. {stem}"
                districts = tuple(rng.sample(_DISTRICT_NAMES, rng.randint(3, 6)))
                districts = tuple(f"{d} район" for d in districts)
            else:
                name = f"{stem}ий район" if rng.random() < 0.8 else f"{stem}ий муниципальный округ"
                districts = ()
            result.append(
                Municipality(
                    region_code=code,
                    region=region,
                    name=name,
                    tax_office=f"{code}{i % 100:02d}",
                    districts=districts,
                    yes_no=rng.choice(_YES_NO_HABITS),
                    orgs=n,
                    lag=lag + rng.uniform(-0.05, 0.05),
                )
            )
    return rng, result


def _org_names(rng: random.Random, m: Municipality, org_type: str, count: int) -> list[str]:
    names, n = [], 0
    for i in range(count):
        n += rng.choice((1, 1, 1, 2))
        if org_type == "school":
            prefix = rng.choices(("МБОУ", "МАОУ"), (85, 15))[0]
            kind = rng.choices(("СОШ", "ООШ", "Гимназия", "Лицей"), (74, 10, 8, 8))[0]
            names.append(f"{prefix} «{kind} № {n}»")
        elif org_type == "preschool":
            prefix = rng.choices(("МБДОУ", "МАДОУ"), (80, 20))[0]
            names.append(f"{prefix} «Детский сад № {n}»")
        elif org_type == "additional":
            kind = ("ДДТ", "ДЮСШ", "Детская школа искусств", "Центр детского творчества")[i % 4]
            names.append(f"МБУ ДО «{kind} № {n}»")
        else:
            adjective = m.name.removeprefix("г. ").split()[0]
            profile = ("политехнический колледж", "педагогический колледж", "техникум")[i % 3]
            names.append(f"ГБПОУ «{adjective} {profile} № {n}»")
    return names


def organizations(rng: random.Random, munis: Sequence[Municipality]) -> list[Org]:
    orgs: list[Org] = []
    for m in munis:
        counts = [max(1, round(m.orgs * share)) for _, share in _TYPE_SHARES]
        counts[0] += m.orgs - sum(counts)
        serials = iter(rng.sample(range(10000, 100000), m.orgs))
        for (org_type, _), count in zip(_TYPE_SHARES, counts, strict=True):
            low, high, mode = _TEACHERS[org_type]
            for name in _org_names(rng, m, org_type, count):
                maturity = rng.betavariate(2.2, 2.2) - m.lag - TYPE_LAG[org_type]
                orgs.append(
                    Org(
                        municipality=m,
                        district=rng.choice(m.districts) if m.districts else None,
                        name=name,
                        inn=_inn(m.tax_office, next(serials)),
                        org_type=org_type,
                        teachers=round(rng.triangular(low, high, mode)),
                        maturity=min(max(maturity, 0.0), 1.0),
                        readiness={code: rng.random() for code in YES_CHANCE},
                    )
                )
    return orgs


# ---- form values ----------------------------------------------------------------------


def answers(rng: random.Random, org: Org, year: int) -> dict[str, object]:
    """Canonical form values of ``org`` in the school year with index ``year``: the demo's
    answer model at a slower pace, with an answer now and then left blank."""
    values = demo_answers(rng, org, year, progress=_PROGRESS)
    if rng.random() < 0.02:
        values[rng.choice(_OFTEN_BLANK)] = None
    return values


def _typed(rng: random.Random, code: str, value: object, words: tuple[str, str]) -> object:
    """A canonical value as a person types it; numbers stay numbers (for XLSX)."""
    if value is None:
        return None
    if isinstance(value, bool):
        return words[0] if value else words[1]
    if code == "teachers_total" and rng.random() < 0.02:
        return f"{value} чел."
    return value


def _rows(
    rng: random.Random, orgs: Sequence[Org], period: str, year: int, missing: set[str]
) -> Iterator[list[object]]:
    for org in orgs:
        values = answers(rng, org, year)  # drawn for every org, so habits stay in step
        if org.inn in missing:
            continue
        m = org.municipality
        place = [
            m.region,
            m.name,
            org.district,
            org.name,
            org.inn,
            ORG_TYPES_BY_CODE[org.org_type].label,
            period,
        ]
        yield place + [_typed(rng, c, values[c], m.yes_no) for c in FORM_VALUE_CODES]


# ---- writers --------------------------------------------------------------------------


def _slug(text: str) -> str:
    return re.sub(r"[^\w-]+", "_", text).strip("_")


def write_csv(path: Path, header: Sequence[str], rows: Sequence[Sequence[object]]) -> None:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows([[csv_text(v) for v in row] for row in rows])
    path.write_bytes(buffer.getvalue().encode("utf-8"))


def write_xlsx(path: Path, sheet: str, title: str, header: Sequence[str], rows) -> None:
    """A write-only workbook: a title row, a blank row, the header, the rows."""
    workbook = Workbook(write_only=True)
    worksheet = workbook.create_sheet(sheet)
    worksheet.append([title])
    worksheet.append([])
    worksheet.append(list(header))
    for row in rows:
        worksheet.append(list(row))
    workbook.properties.creator = "Региональный методический центр"
    workbook.properties.created = FILE_TIME
    buffer = io.BytesIO()
    workbook.save(buffer)
    path.write_bytes(_fixed_times(buffer.getvalue()))


def _fixed_times(archive: bytes) -> bytes:
    """The same archive with every entry dated FILE_TIME and a fixed «modified»
    property: openpyxl stamps both with the clock."""
    stamp = FILE_TIME.strftime("%Y-%m-%dT%H:%M:%SZ").encode()
    source = zipfile.ZipFile(io.BytesIO(archive))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            data = source.read(info)
            if info.filename == "docProps/core.xml":
                data = re.sub(
                    rb"(<dcterms:modified[^>]*>)[^<]*(</dcterms:modified>)",
                    rb"\g<1>" + stamp + rb"\g<2>",
                    data,
                )
            entry = zipfile.ZipInfo(info.filename, FILE_TIME.timetuple()[:6])
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.external_attr = info.external_attr
            target.writestr(entry, data)
    return buffer.getvalue()


def generate(
    size: str, directory: Path, seed: int = SEED, xlsx_regions: int | None = None
) -> Dataset:
    """Write the files of ``size`` into ``directory`` and describe them.

    XLSX copies of the form files are written for the first ``xlsx_regions`` regions
    (all when None); the CSV files always cover every region.
    """
    spec = SIZES[size]
    rng, munis = municipalities(spec, seed)
    orgs = organizations(rng, munis)
    directory.mkdir(parents=True, exist_ok=True)
    (directory / "registry").mkdir(exist_ok=True)
    by_region: dict[str, list[Org]] = {}
    for org in orgs:
        by_region.setdefault(org.municipality.region_code, []).append(org)
    region_names = {m.region_code: m.region for m in munis}
    registry = []
    for n, (code, mine) in enumerate(by_region.items()):
        path = directory / "registry" / f"{n:02d}_{_slug(region_names[code])}.csv"
        rows = [
            [
                o.municipality.region,
                o.municipality.name,
                o.district,
                o.name,
                o.inn,
                ORG_TYPES_BY_CODE[o.org_type].label,
            ]
            for o in mine
        ]
        write_csv(path, PLACE_HEADERS, rows)
        registry.append(DataFile(path, FormKind.REGISTRY, None, region_names[code], len(rows)))
    csv_files, xlsx_files = [], []
    for year, period in enumerate(PERIODS):
        missing = {o.inn for o in rng.sample(orgs, round(len(orgs) * 0.03))}
        folder = directory / "forms" / period.replace("/", "-")
        folder.mkdir(parents=True, exist_ok=True)
        for n, (code, mine) in enumerate(by_region.items()):
            region = region_names[code]
            rows = list(_rows(rng, mine, period, year, missing))
            stem = f"{n:02d}_{_slug(region)}"
            path = folder / f"{stem}.csv"
            write_csv(path, FORM_HEADERS, rows)
            csv_files.append(DataFile(path, FormKind.ORG_FORM, period, region, len(rows)))
            if xlsx_regions is None or n < xlsx_regions:
                path = folder / f"{stem}.xlsx"
                title = f"Мониторинг наставничества: {region}, {period} учебный год"
                write_xlsx(path, "Форма ОО", title, FORM_HEADERS, rows)
                xlsx_files.append(
                    DataFile(path, FormKind.ORG_FORM, period, region, len(rows), "Форма ОО")
                )
    return Dataset(
        size=size,
        directory=directory,
        regions=len(by_region),
        municipalities=len(munis),
        organizations=len(orgs),
        registry=registry,
        csv=csv_files,
        xlsx=xlsx_files,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--size", choices=list(SIZES), default="1")
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--xlsx-regions", type=int, default=None)
    args = parser.parse_args()
    data = generate(args.size, args.out, xlsx_regions=args.xlsx_regions)
    print(
        f"{data.size}: {data.regions} регионов, {data.municipalities} муниципалитетов, "
        f"{data.organizations} организаций, {data.form_rows} строк форм; "
        f"{len(data.csv)} CSV, {len(data.xlsx)} XLSX, {len(data.registry)} реестров"
    )


if __name__ == "__main__":
    main()
