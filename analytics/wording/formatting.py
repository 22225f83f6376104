"""Numbers, dates and plurals the way Russian readers expect them.

``1 234,5``, ``54,0 %``, ``22.11.2026``, "1 организация", "2 организации",
"5 организаций". Thousands are grouped with a no-break space so a number never wraps.
"""

from __future__ import annotations

import math
from datetime import date, datetime

from analytics.model.catalogue import Indicator, IndicatorKind

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


def registry_changes(added: int, changed: int, unchanged: int, removed: int) -> str:
    """What a registry upload did, by organisation: «в реестре: добавлено — 12 организаций,
    изменено — 1 организация, без изменений — 3 987 организаций»; those that left it are
    named only when there are some."""
    parts = [
        f"добавлено — {organizations(added)}",
        f"изменено — {organizations(changed)}",
        f"без изменений — {organizations(unchanged)}",
    ]
    if removed:
        parts.append(f"исключено — {organizations(removed)}")
    return "в реестре: " + ", ".join(parts)


def genitive_after_from(n: int, singular: str, plural_form: str) -> str:
    """The genitive after «из N»: из 21 педагога, из 362 педагогов."""
    n = abs(int(n))
    return singular if n % 10 == 1 and n % 100 != 11 else plural_form


# The genitive after «из n» of organisations: «из 21 организации», «из 263 организаций».
OF_ORGANIZATIONS = ("организации", "организаций")


def part_of(part: float, whole: float, noun: str | tuple[str, str] = "") -> str:
    """Every «N из M» of the product, told by one rule: «47 из 87 организаций».

    The rule: ``whole`` is the count of exactly the set ``noun`` names (the noun in the
    genitive after the whole: «из 21 организации», «из 87 организаций»), and ``part`` is a
    part of that set. A sentence that counts another set names it differently, so two
    sentences never give one name two counts: «Данные представили 256 из 263
    организаций» counts the registry, while the organisations with a value of one
    indicator are «организаций с данными по показателю», not «представивших данные».
    ``noun`` is in the genitive already, or its two genitives (after 1 and after the
    rest, as :data:`OF_ORGANIZATIONS`) to choose from; empty where the reader knows the
    set from the column or the line («9 из 14»).
    """
    if isinstance(noun, tuple):
        noun = genitive_after_from(whole, *noun)
    text = f"{integer(part)} из {integer(whole)}"
    return f"{text} {noun}" if noun else text


def indicator_value(indicator: Indicator, value: float | None) -> str:
    """A value in the indicator's own units: ``54,0 %`` or ``1,1``."""
    if indicator.is_percent:
        return percent(value, indicator.decimals)
    return number(value, indicator.decimals)


def indicator_difference(indicator: Indicator, delta: float) -> str:
    """A change of an indicator: ``+4,2 п. п.`` for shares, ``−0,3`` for ratios."""
    sign = "+" if delta > 0 else ("−" if delta < 0 else "±")
    magnitude = abs(delta)
    decimals = indicator.decimals
    shown = points(magnitude, decimals) if indicator.is_percent else number(magnitude, decimals)
    return sign + shown


def fraction(indicator: Indicator, numerator: float | None, denominator: float | None) -> str:
    """``47 из 87 ОО`` or ``34 из 362 педагогов``; for weighted means, the weights only."""
    if numerator is None or denominator is None or math.isnan(denominator):
        return "нет данных"
    if indicator.kind is IndicatorKind.MEAN:
        whom = genitive_after_from(denominator, "участника", "участников")
        return f"по ответам {integer(denominator)} {whom}"
    if indicator.kind is IndicatorKind.RATIO:
        mentees = count(numerator, "наставляемый", "наставляемых", "наставляемых")
        # «на 1, 2, 664 наставника», «на 5 наставников»: the accusative after «на».
        whom = plural(int(denominator), "наставника", "наставника", "наставников")
        return f"{mentees} на {integer(denominator)} {whom}"
    return part_of(numerator, denominator, genitive_after_from(denominator, *indicator.counted))


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


def shortfall(
    indicator: Indicator, shortfall: float | None, target: float | None, named: bool = True
) -> str:
    """The key deficits are ranked by, shown beside the gap so that a ranked list reads as
    ordered: «отставание — 46 % от цели» («превышение …» where lower is better; without
    the word when not ``named``, for a cell under «Отставание»); where the target is 0
    the key is the gap itself, in the indicator's units."""
    if shortfall is None or math.isnan(shortfall):
        return "—"
    if target is None or math.isnan(target) or target == 0:
        shown = indicator_value(indicator, shortfall)
    else:
        share = 100.0 * shortfall
        shown = f"менее 1{NBSP}% от цели" if 0 < share < 0.5 else f"{percent(share, 0)} от цели"
    if not named:
        return shown
    return f"{'отставание' if indicator.better == 'higher' else 'превышение'} — {shown}"


def target_value(indicator: Indicator, target: float) -> str:
    """A target without a needless fraction: ``100 %``, ``20 %``, ``3``."""
    decimals = 0 if float(target).is_integer() else 1
    if indicator.is_percent:
        return f"{number(target, decimals)}{NBSP}%"
    return number(target, decimals)


def target_bound(indicator: Indicator, target: float) -> str:
    """A target in a table's «Цель» column, read without its indicator's description:
    ``100 %``, and ``не более 3`` where less is better (a bare «3» reads as «exactly 3»)."""
    shown = target_value(indicator, target)
    return f"не более {shown}" if indicator.better == "lower" else shown


def organization_fraction(
    indicator: Indicator, numerator: float | None, denominator: float | None
) -> str:
    """:func:`fraction` for one organisation: a yes/no answer as «да» or «нет», not as
    «1 из 1 ОО»."""
    if indicator.yes_no and denominator == 1 and numerator in (0, 1):
        return "да" if numerator == 1 else "нет"
    return fraction(indicator, numerator, denominator)
