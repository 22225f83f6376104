"""Turning what people type into canonical values.

Each ``parse_*`` function takes a raw cell (a string, a number from a spreadsheet, or
None) and returns the canonical value, None for a blank cell, or raises
:class:`ValueProblem` with a Russian explanation of what is wrong.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import date, datetime, timedelta

import numpy as np

from analytics.model.contract import (
    MENTEE_CATEGORIES,
    MENTORING_FORMS,
    NO_WORDS,
    ORG_TYPES,
    TOTAL_ROW_PREFIXES,
    YES_WORDS,
    Choice,
)
from analytics.model.errors import ValueProblem
from analytics.model.text import DASHES, SPACES, cell_text, collapse, fold

_QUOTES = re.compile(r"[«»“”„‟\"'`’‘]")
_NUMBER_SIGN = re.compile(r"(?:№|\bn)\s*(?=\d)", re.IGNORECASE)
# Trailing units in headers: ", %", "(чел.)", ", чел.", "(лет)", "%".
_HEADER_UNIT = re.compile(r"(?:,?\s*\([^()]*\)|,\s*[^,]{0,8}\.?|\s*%)\s*$")


def header_key(header: str) -> str:
    """The key under which a header is matched to a contract field.

    Ignores case, spaces and line breaks, quotes, dash kind, ё/е and a trailing unit
    such as ", %" or "(чел.)".
    """
    key = _QUOTES.sub("", fold(header))
    previous = None
    while previous != key:
        previous = key
        key = _HEADER_UNIT.sub("", key).strip()
    return re.sub(r"[.:]+$", "", key).strip()


def name_key(name: str) -> str:
    """Normalised organisation name: «СОШ № 5» = "сош №5" = "СОШ N5"."""
    key = _QUOTES.sub("", fold(name))
    key = _NUMBER_SIGN.sub("№", key)
    return collapse(key)


def territory_key(name: str) -> str:
    """Normalised territory name (region, municipality, district)."""
    return collapse(_QUOTES.sub("", fold(name)))


def is_blank(raw: object) -> bool:
    return cell_text(raw) == ""


def parse_text(raw: object) -> str | None:
    text = cell_text(raw)
    return text or None


_YES = {fold(w) for w in YES_WORDS}
_NO = {fold(w) for w in NO_WORDS}


def parse_yes_no(raw: object) -> bool | None:
    if isinstance(raw, bool):
        return raw
    text = fold(cell_text(raw))
    if not text:
        return None
    if text in _YES:
        return True
    if text in _NO:
        return False
    raise ValueProblem("ожидается «да» или «нет»")


_NUMBER_UNITS = re.compile(r"\s*(?:%|чел\.?|человек|ед\.?|лет|года?)$", re.IGNORECASE)


def _number(raw: object) -> float | None:
    if isinstance(raw, bool):
        raise ValueProblem("ожидается число")
    if isinstance(raw, int | float):
        return float(raw)
    text = cell_text(raw)
    if not text:
        return None
    text = _NUMBER_UNITS.sub("", text)
    text = SPACES.sub("", text).replace(",", ".")
    text = DASHES.sub("-", text)
    if not re.fullmatch(r"-?\d+(?:\.\d+)?", text):
        raise ValueProblem("ожидается число")
    return float(text)


# Counts at or above this are refused: no organisation counts a quadrillion people, and
# every smaller whole number is exact as a float and fits the stored BIGINT.
COUNT_LIMIT = 10**15


def parse_count(raw: object) -> int | None:
    value = _number(raw)
    if value is None:
        return None
    if not value.is_integer():
        raise ValueProblem("ожидается целое число")
    if value < 0:
        raise ValueProblem("количество не может быть отрицательным")
    if value >= COUNT_LIMIT:
        raise ValueProblem("слишком большое число — проверьте, нет ли лишних цифр")
    return int(value)


def parse_share(raw: object) -> float | None:
    value = _number(raw)
    if value is None:
        return None
    if not 0 <= value <= 100:
        raise ValueProblem("доля должна быть от 0 до 100")
    return value


_INN_WEIGHTS = (2, 4, 10, 3, 5, 9, 4, 6, 8)
# No "should be" digit: it would invite turning a transposed ИНН into another valid one;
# the person checks the number against the organisation's documents.
_INN_CHECK_FAILED = "неверное контрольное число ИНН: такого ИНН не существует, проверьте цифры"


def inn_check_digit(first_nine: str) -> str:
    """The check digit of an organisation's 10-digit ИНН from its first nine digits
    (the tax service's weights, the sum mod 11 mod 10)."""
    total = sum(int(d) * w for d, w in zip(first_nine, _INN_WEIGHTS, strict=True))
    return str(total % 11 % 10)


def inn_lost_leading_zero(raw: object) -> bool:
    """True for a 9-digit number from a numeric cell: a spreadsheet stored an ИНН typed
    as a number and dropped its leading zero (``parse_inn`` puts it back)."""
    return (
        isinstance(raw, int | float)
        and not isinstance(raw, bool)
        and len(SPACES.sub("", cell_text(raw))) == 9
    )


def parse_inn(raw: object) -> str | None:
    """An organisation's ИНН: 10 digits whose last is the check digit of the others."""
    text = SPACES.sub("", cell_text(raw))
    if not text:
        return None
    if inn_lost_leading_zero(raw):
        text = "0" + text
    if not re.fullmatch(r"\d{10}", text):
        raise ValueProblem("ИНН организации — 10 цифр")
    if inn_check_digit(text[:9]) != text[9]:
        raise ValueProblem(_INN_CHECK_FAILED)
    return text


def parse_inns(
    raws: Sequence[object], shown: Sequence[str], lost: Sequence[bool] | None = None
) -> list[str | ValueProblem | None]:
    """:func:`parse_inn` of each raw cell, as its result or the problem it raises, with
    the check digits of all computed at once (a country's file holds 100,000 distinct
    ИНН, and checking them one by one was a tenth of its ingest). ``shown`` is the
    :func:`cell_text` of each cell, which its caller has already; ``lost`` the
    :func:`inn_lost_leading_zero` of each, where the caller has that too."""
    if lost is None:
        lost = [inn_lost_leading_zero(r) for r in raws]
    # cell_text collapses every run of spaces to one " ".
    texts = [text.replace(" ", "") for text in shown]
    texts = ["0" + t if zero else t for zero, t in zip(lost, texts, strict=True)]
    # What r"\d{10}" matches: ten decimal digits of any script; ASCII ones are checked
    # together below, others (never seen in a real file) one by one.
    shaped = [len(t) == 10 and t.isdecimal() for t in texts]
    ascii_ = [n for n, t in enumerate(texts) if shaped[n] and t.isascii()]
    valid: dict[int, bool] = {}
    if ascii_:
        digits = np.frombuffer("".join(texts[n] for n in ascii_).encode("ascii"), dtype=np.uint8)
        digits = digits.reshape(-1, 10).astype(np.int64) - ord("0")
        checks = digits[:, :9] @ np.array(_INN_WEIGHTS) % 11 % 10
        valid = dict(zip(ascii_, (checks == digits[:, 9]).tolist(), strict=True))
    results: list[str | ValueProblem | None] = []
    for n, text in enumerate(texts):
        if not text:
            results.append(None)
        elif not shaped[n]:
            results.append(ValueProblem("ИНН организации — 10 цифр"))
        elif valid[n] if n in valid else inn_check_digit(text[:9]) == text[9]:
            results.append(text)
        else:
            results.append(ValueProblem(_INN_CHECK_FAILED))
    return results


def parse_ogrn(raw: object) -> str | None:
    """An organisation's ОГРН (state registration number): 13 digits."""
    text = SPACES.sub("", cell_text(raw))
    if not text:
        return None
    if not re.fullmatch(r"\d{13}", text):
        raise ValueProblem("ОГРН организации — 13 цифр")
    return text


_ORG_TYPE_WORDS = {fold(w): t.code for t in ORG_TYPES for w in (t.code, t.label, *t.words)}
# A federal type name followed by what specifies it: «…, осуществляющая обучение по
# адаптированным основным общеобразовательным программам».
_OFFICIAL_ORG_TYPE = re.compile(
    "^(?:" + "|".join(re.escape(fold(t.official)) for t in ORG_TYPES if t.official) + r")(?!\w)"
)
_OFFICIAL_ORG_TYPE_CODES = {fold(t.official): t.code for t in ORG_TYPES if t.official}


def parse_org_type(raw: object) -> str | None:
    """A type code from its code, label, a usual word (СОШ, детский сад) or a federal type
    name, alone or followed by what specifies it."""
    text = fold(cell_text(raw))
    if not text:
        return None
    if text in _ORG_TYPE_WORDS:
        return _ORG_TYPE_WORDS[text]
    if official := _OFFICIAL_ORG_TYPE.match(text):
        return _OFFICIAL_ORG_TYPE_CODES[official.group()]
    raise ValueProblem(
        "неизвестный тип ОО; допустимо: общеобразовательная, дошкольная, "
        "дополнительного образования, профессиональная"
    )


def is_total_row(org_name: str) -> bool:
    return fold(org_name).startswith(TOTAL_ROW_PREFIXES)


def person_key(name: str) -> str:
    """Normalised full name for matching a mentee's mentor: case, ё/е, quotes, dots,
    commas and spacing do not matter («Иванова  Анна Петровна» = "иванова анна петровна")."""
    key = _QUOTES.sub("", fold(name))
    key = re.sub(r"[.,;]+", " ", key)
    return collapse(key)


def _choice_key(text: str) -> str:
    return collapse(_QUOTES.sub("", fold(text)))


def _choice_parser(choices: tuple[Choice, ...], what: str):
    words = {_choice_key(w): c.code for c in choices for w in (c.code, c.label, *c.words)}
    allowed = ", ".join(f"«{c.label}»" for c in choices)

    def parse(raw: object) -> str | None:
        text = _choice_key(cell_text(raw))
        if not text:
            return None
        try:
            return words[text]
        except KeyError:
            raise ValueProblem(f"неизвестная {what}; допустимо: {allowed}") from None

    return parse


parse_mentoring_form = _choice_parser(MENTORING_FORMS, "форма наставничества")
parse_mentee_category = _choice_parser(MENTEE_CATEGORIES, "категория наставляемого")

# Day 0 of Excel's serial dates (1900 system, with Lotus's leap-year bug folded in).
EXCEL_EPOCH = date(1899, 12, 30)
FIRST_YEAR, LAST_YEAR = 1990, 2100
_DATE_DMY = re.compile(
    r"(\d{1,2})[./-](\d{1,2})[./-](\d{4}|\d{2})(?:\s*г\.?)?(?:\s+\d{1,2}:\d{2}(?::\d{2})?)?"
)
_DATE_ISO = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})(?:[ t]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?")
_DATE_HINT = "ожидается дата, например 01.09.2022"


def parse_date(raw: object) -> date | None:
    """A date from a spreadsheet date cell, an Excel serial number, ``01.09.2022``
    (also ``1.9.22``, ``01/09/2022``) or ``2022-09-01``."""
    if isinstance(raw, datetime):
        value = raw.date()
    elif isinstance(raw, date):
        value = raw
    elif isinstance(raw, bool):
        raise ValueProblem(_DATE_HINT)
    elif isinstance(raw, int | float):
        value = _excel_serial(float(raw))
    else:
        text = fold(cell_text(raw))
        if not text:
            return None
        if re.fullmatch(r"\d{5}(?:\.0+)?", text):
            value = _excel_serial(float(text))
        else:
            value = _date_from_text(text)
    if not FIRST_YEAR <= value.year <= LAST_YEAR:
        raise ValueProblem(f"дата вне допустимого диапазона {FIRST_YEAR}–{LAST_YEAR} годов")
    return value


def _excel_serial(number: float) -> date:
    try:
        # A fraction is the time of day: the date is enough.
        return EXCEL_EPOCH + timedelta(days=int(number))
    except (OverflowError, ValueError):
        raise ValueProblem(_DATE_HINT) from None


def _date_from_text(text: str) -> date:
    if match := _DATE_DMY.fullmatch(text):
        day, month, year = (int(g) for g in match.groups())
        if len(match.group(3)) == 2:
            year += 2000
    elif match := _DATE_ISO.fullmatch(text):
        year, month, day = (int(g) for g in match.groups())
    else:
        raise ValueProblem(_DATE_HINT)
    try:
        return date(year, month, day)
    except ValueError:
        raise ValueProblem("такой даты нет в календаре") from None
