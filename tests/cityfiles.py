"""Санкт-Петербург: a published registry of 296 organisations in its 18 districts, and the
2022/2023 file of the Адмиралтейский район (nine rows under three title lines, so the rows
are numbered 5–13 as in Excel), built for the tests of placing rows on organisations.

The district's file writes two organisations by their official short names where the
registry has their full names:
    row 7   «ГБУ ДО ЦТТ Адмиралтейского района Санкт-Петербурга» — every organisation of
            the district without a number in its name scores 95 % against it (the words
            they share are the district's), but its initials abbreviate the «Центр
            технического творчества» alone (100 %), which it is placed on (issue 26);
    row 13  «ГБУ ДО ДТ "Измайловский" Адмиралтейского района Санкт-Петербурга» — placed on
            the «Дом творчества «Измайловский»», the one holding «ДТ» and «Измайловский».
Every other row names a numbered school the registry has under its full name.
:func:`review_rows` writes rows 7 and 13 as two centres the registry does not hold, which a
person is asked about, both in one review.
"""

from __future__ import annotations

from tests.filemakers import VALUE_CODES, csv_bytes, org, table, xlsx_bytes

REGION = "г. Санкт-Петербург"
DISTRICT = "Адмиралтейский район"
PERIOD = "2022/2023"
DISTRICTS: tuple[str, ...] = (
    "Адмиралтейский",
    "Василеостровский",
    "Выборгский",
    "Калининский",
    "Кировский",
    "Колпинский",
    "Красногвардейский",
    "Красносельский",
    "Кронштадтский",
    "Курортный",
    "Московский",
    "Невский",
    "Петроградский",
    "Петродворцовый",
    "Приморский",
    "Пушкинский",
    "Фрунзенский",
    "Центральный",
)
REGISTERED = 296
# The registry's full names of the district's organisations without a number.
CTT = (
    "Государственное бюджетное учреждение дополнительного образования Центр технического "
    "творчества Адмиралтейского района Санкт-Петербурга"
)
DT = (
    "Государственное бюджетное учреждение дополнительного образования Дом творчества "
    "«Измайловский» Адмиралтейского района Санкт-Петербурга"
)
DDT = (
    "Государственное бюджетное учреждение дополнительного образования Дом детского "
    "творчества «Фонтанка» Адмиралтейского района Санкт-Петербурга"
)
CTT_SHORT = "ГБУ ДО ЦТТ Адмиралтейского района Санкт-Петербурга"
DT_SHORT = 'ГБУ ДО ДТ "Измайловский" Адмиралтейского района Санкт-Петербурга'
# The numbered schools of the district's file, in its order around rows 7 and 13.
FILE_SCHOOLS: tuple[int, ...] = (232, 238, 241, 245, 255, 259, 264)
ROW_CTT, ROW_DT = 7, 13
FIRST_ROW = 5


def district_of(name: str) -> str:
    """«Адмиралтейский» → «Адмиралтейский район»."""
    return f"{name} район"


def genitive(name: str) -> str:
    """«Адмиралтейский» → «Адмиралтейского» (every district's adjective ends in «-ий»)."""
    return name.removesuffix("ий") + "ого"


def school_name(district: str, number: int, full: bool = True) -> str:
    """A numbered school of a district: the registry's full name, or the file's short one."""
    where = f"{genitive(district)} района Санкт-Петербурга"
    if full:
        return (
            "Государственное бюджетное общеобразовательное учреждение средняя "
            f"общеобразовательная школа № {number} {where}"
        )
    return f"ГБОУ СОШ № {number} {where}"


def inn_of(n: int) -> str:
    """A valid ten-digit ИНН of a Санкт-Петербург organisation: 78, eight digits, and the
    check digit of the Federal Tax Service's rule."""
    digits = f"78{n:07d}"
    weights = (2, 4, 10, 3, 5, 9, 4, 6, 8)
    check = sum(w * int(d) for w, d in zip(weights, digits, strict=True)) % 11 % 10
    return f"{digits}{check}"


def registry_rows() -> list[dict[str, object]]:
    """296 organisations: the district's three without a number and numbered schools of
    every district (the district's own are the file's and others)."""
    rows: list[dict[str, object]] = [
        {"org_name": name, "org_type": "УДО", "municipality": DISTRICT} for name in (CTT, DT, DDT)
    ]
    numbers = iter(range(200, 200 + 10 * REGISTERED))
    per_district = {d: [] for d in DISTRICTS}
    per_district["Адмиралтейский"] = list(FILE_SCHOOLS)
    taken = set(FILE_SCHOOLS)
    k = 0
    while sum(len(v) for v in per_district.values()) + 3 < REGISTERED:
        district = DISTRICTS[k % len(DISTRICTS)]
        number = next(numbers)
        while number in taken:
            number = next(numbers)
        taken.add(number)
        per_district[district].append(number)
        k += 1
    for district, numbered in per_district.items():
        rows.extend(
            {
                "org_name": school_name(district, number),
                "org_type": "СОШ",
                "municipality": district_of(district),
            }
            for number in numbered
        )
    for n, row in enumerate(rows, start=1):
        row["region"] = REGION
        row["inn"] = inn_of(n)
    return rows


def registry_csv() -> bytes:
    """The published registry as a CSV file."""
    return csv_bytes(
        table(registry_rows(), columns=("region", "municipality", "org_name", "inn", "org_type"))
    )


def district_rows() -> list[dict[str, object]]:
    """The district's nine rows in the file's order (rows 5–13)."""
    schools = [school_name("Адмиралтейский", n, full=False) for n in FILE_SCHOOLS]
    names = [*schools[:2], CTT_SHORT, *schools[2:], DT_SHORT]
    return [
        org(
            name,
            region=REGION,
            municipality=DISTRICT,
            period=PERIOD,
            org_type="УДО" if name in (CTT_SHORT, DT_SHORT) else "СОШ",
        )
        for name in names
    ]


# Two centres of the district the registry does not hold, by initials that abbreviate no
# registered name: every organisation of the district without a number is as like them (95 %).
UNKNOWN_SHORT = (
    "ГБУ ДО ДЮЦ Адмиралтейского района Санкт-Петербурга",
    "ГБУ ДО ЦЭВ Адмиралтейского района Санкт-Петербурга",
)


def review_rows() -> list[dict[str, object]]:
    """The district's rows with rows 7 and 13 naming the two centres of UNKNOWN_SHORT."""
    rows = district_rows()
    for row, name in zip((ROW_CTT, ROW_DT), UNKNOWN_SHORT, strict=True):
        rows[row - FIRST_ROW]["org_name"] = name
    return rows


def district_xlsx(rows: list[dict[str, object]] | None = None) -> bytes:
    """The district's file (or these ``rows`` of it): three title lines, then the header
    on row 4."""
    columns = ("region", "municipality", "org_name", "org_type", "period", *VALUE_CODES)
    rows = table(district_rows() if rows is None else rows, columns=columns)
    title = [["Мониторинг наставничества"], ["Адмиралтейский район"], []]
    return xlsx_bytes({"Форма": [*title, *rows]})


# Челябинск: a registry whose «Факел» its short name in a file hardly resembles (the full name
# shares one word with «МКУ ДО "ЦОО "Факел"»): a row naming it is offered the others, whose
# names share the city, but not «Факел».
CHELYABINSK = ("Челябинская область", "Челябинский городской округ")
FAKEL = (
    "Муниципальное казенное учреждение дополнительного образования «Центр организации "
    "отдыха и оздоровления детей «Факел»"
)
FAKEL_SHORT = 'МКУ ДО "ЦОО "Факел" г. Челябинска'
CHELYABINSK_REGISTRY: tuple[str, ...] = (
    FAKEL,
    "Муниципальное бюджетное учреждение дополнительного образования «Дворец пионеров и "
    "школьников им. Н. К. Крупской г. Челябинска»",
    "Муниципальное автономное учреждение дополнительного образования «Центр детского "
    "творчества «Ровесник» г. Челябинска»",
)


def chelyabinsk_registry_csv() -> bytes:
    """The municipality's registry: its three organisations of additional education."""
    region, municipality = CHELYABINSK
    rows = [
        {
            "region": region,
            "municipality": municipality,
            "org_name": name,
            "inn": inn_of(7400 + n),
            "org_type": "УДО",
        }
        for n, name in enumerate(CHELYABINSK_REGISTRY)
    ]
    return csv_bytes(table(rows, columns=("region", "municipality", "org_name", "inn", "org_type")))


def chelyabinsk_csv() -> bytes:
    """A form of «Факел» written short, naming its municipality."""
    region, municipality = CHELYABINSK
    row = org(FAKEL_SHORT, region=region, municipality=municipality, period=PERIOD, org_type="УДО")
    columns = ("region", "municipality", "org_name", "org_type", "period", *VALUE_CODES)
    return csv_bytes(table([row], columns=columns))
