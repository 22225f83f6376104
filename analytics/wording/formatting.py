"""Numbers, dates and plurals the way Russian readers expect them.

``1 234,5``, ``54,0 %``, ``22.11.2026``, "1 организация", "2 организации",
"5 организаций". Thousands are grouped with a no-break space so a number never wraps.
"""

from __future__ import annotations

import math
from datetime import date, datetime

from analytics.model.catalogue import Indicator, Kind

NBSP = "\u00a0"


def number(value: float | int | None, decimals: int = 1, empty: str = "—") -> str:
    """``1234.5`` → ``1 234,5``; integers (``decimals=0``) without a fraction."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return empty
    text = f"{value:,.{decimals}f}"
    return text.replace(",", NBSP).replace(".", ",")


def integer(value: float | int | None, empty: str = "—") -> str:
    return number(value, 0, empty)


def percent(value: float | None, decimals: int = 1, empty: str = "—") -> str:
    """``54.0229`` → ``54,0 %``."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return empty
    return f"{number(value, decimals)}{NBSP}%"


def points(value: float, decimals: int = 1) -> str:
    """A difference of percentages: ``46,0 п. п.``."""
    return f"{number(value, decimals)}{NBSP}п.{NBSP}п."


def plural(n: int, one: str, few: str, many: str) -> str:
    """The form of a noun after the number ``n``: 1 организация, 2 организации, 5 организаций."""
    n = abs(int(n))
    if n % 10 == 1 and n % 100 != 11:
        return one
    if 2 <= n % 10 <= 4 and not 12 <= n % 100 <= 14:
        return few
    return many


def count(n: int, one: str, few: str, many: str) -> str:
    """``count(21, "организация", "организации", "организаций")`` → ``21 организация``."""
    return f"{integer(n)}{NBSP}{plural(n, one, few, many)}"


def organizations(n: int) -> str:
    return count(n, "организация", "организации", "организаций")


def genitive_after_from(n: int, singular: str, plural_form: str) -> str:
    """The genitive after «из N»: из 21 педагога, из 362 педагогов."""
    n = abs(int(n))
    return singular if n % 10 == 1 and n % 100 != 11 else plural_form


def indicator_value(indicator: Indicator, value: float | None) -> str:
    """A value in the indicator's own units: ``54,0 %`` or ``1,1``."""
    if indicator.is_percent:
        return percent(value)
    return number(value, 1)


def indicator_difference(indicator: Indicator, delta: float) -> str:
    """A change of an indicator: ``+4,2 п. п.`` for shares, ``−0,3`` for ratios."""
    sign = "+" if delta > 0 else ("−" if delta < 0 else "±")
    magnitude = abs(delta)
    return sign + (points(magnitude) if indicator.is_percent else number(magnitude, 1))


def fraction(indicator: Indicator, numerator: float | None, denominator: float | None) -> str:
    """``47 из 87 ОО`` or ``34 из 362 педагогов``; for weighted means, the weights only."""
    if numerator is None or denominator is None or math.isnan(denominator):
        return "нет данных"
    if indicator.kind is Kind.MEAN:
        whom = genitive_after_from(denominator, "участника", "участников")
        return f"по ответам {integer(denominator)} {whom}"
    if indicator.kind is Kind.RATIO:
        mentees = count(numerator, "наставляемый", "наставляемых", "наставляемых")
        # «на 1, 2, 664 наставника», «на 5 наставников»: the accusative after «на».
        whom = plural(int(denominator), "наставника", "наставника", "наставников")
        return f"{mentees} на {integer(denominator)} {whom}"
    noun = genitive_after_from(denominator, *indicator.counted)
    return f"{integer(numerator)} из {integer(denominator)} {noun}"


MONTHS_GENITIVE = (
    "января",
    "февраля",
    "марта",
    "апреля",
    "мая",
    "июня",
    "июля",
    "августа",
    "сентября",
    "октября",
    "ноября",
    "декабря",
)


def as_of(value: datetime) -> str:
    """A moment in words, as documents date their data: «7 декабря 2026 г., 18:40»."""
    return f"{value.day} {MONTHS_GENITIVE[value.month - 1]} {value.year} г., {value:%H:%M}"


def data_stamp(value: datetime | None) -> str:
    """When the data last changed (forms, registry, person bases, targets), in words:
    «Данные на 7 декабря 2026 г., 18:40»; «Данные не загружены» before any."""
    return f"Данные на {as_of(value)}" if value is not None else "Данные не загружены"


def day(value: date | datetime) -> str:
    return value.strftime("%d.%m.%Y")


def moment(value: datetime) -> str:
    return value.strftime("%d.%m.%Y %H:%M")


def explanation(
    indicator: Indicator, numerator: float, denominator: float, value: float, target: float
) -> str:
    """One line on a value against its target: ``47 из 87 ОО (54,0 %) — цель 100 %``."""
    return (
        f"{fraction(indicator, numerator, denominator)} "
        f"({indicator_value(indicator, value)}) — цель {target_value(indicator, target)}"
    )


def target_value(indicator: Indicator, target: float) -> str:
    """A target without a needless fraction: ``100 %``, ``20 %``, ``3``."""
    decimals = 0 if float(target).is_integer() else 1
    if indicator.is_percent:
        return f"{number(target, decimals)}{NBSP}%"
    return number(target, decimals)
