"""Sentences about indicator values, in the register of a municipal analytic note.

Every sentence is built from one row of :func:`analytics.compute.indicators.compute` (a pandas
row or a plain mapping with ``indicator``, ``numerator``, ``denominator``, ``value``,
``target``, ``better``). How each indicator reads is declared on it in the catalogue: its
:attr:`~analytics.model.catalogue.Indicator.kind` gives the sentence's shape and its
:attr:`~analytics.model.catalogue.Indicator.phrase` the words; so do its recommendations
(:attr:`~analytics.model.catalogue.Indicator.recommendation`).

Numbers follow :mod:`analytics.wording.formatting` (``54,0 %``, ``46,0 п. п.``, no-break spaces
inside numbers); nouns and verbs agree with the numbers: «в 21 из 21 организации»,
«не представили 5 организаций», «данные представила 21 организация».
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass

from analytics.model.catalogue import INDICATORS_BY_ID, REPORTING, Indicator, IndicatorKind
from analytics.model.contract import ORG_TYPES_BY_CODE
from analytics.model.legend import Better
from analytics.model.periods import period_label, period_with
from analytics.wording.formatting import (
    fraction,
    genitive_after_from,
    indicator_value,
    integer,
    number,
    part_of,
    percent,
    plural,
    points,
    shortfall,
    target_value,
)

# --- Organisations: nouns by type -----------------------------------------------------------


@dataclass(frozen=True)
class OrgNoun:
    """«организация» in the forms numbers need: after 1, 2–4 and 5+ (nominative), and the
    genitive after «из» (singular after 1, 21…; plural otherwise)."""

    one: str
    few: str
    many: str
    of_one: str
    in_one: str
    in_many: str

    def count(self, n: int) -> str:
        """``21 организация``, ``2 организации``, ``5 организаций``."""
        return f"{integer(n)} {plural(n, self.one, self.few, self.many)}"

    def in_(self, n: int) -> str:
        """The prepositional after «в n»: в 21 организации, в 14 организациях."""
        return self.in_one if ends_in_one(n) else self.in_many

    def of(self, n: int) -> str:
        """The noun after «из n»: из 21 организации, из 87 организаций."""
        return genitive_after_from(n, self.of_one, self.many)


ORG_NOUNS: dict[str | None, OrgNoun] = {
    None: OrgNoun(
        "организация",
        "организации",
        "организаций",
        "организации",
        "организации",
        "организациях",
    ),
    "school": OrgNoun(
        "общеобразовательная организация",
        "общеобразовательные организации",
        "общеобразовательных организаций",
        "общеобразовательной организации",
        "общеобразовательной организации",
        "общеобразовательных организациях",
    ),
    "preschool": OrgNoun(
        "дошкольная образовательная организация",
        "дошкольные образовательные организации",
        "дошкольных образовательных организаций",
        "дошкольной образовательной организации",
        "дошкольной образовательной организации",
        "дошкольных образовательных организациях",
    ),
    "additional": OrgNoun(
        "организация дополнительного образования",
        "организации дополнительного образования",
        "организаций дополнительного образования",
        "организации дополнительного образования",
        "организации дополнительного образования",
        "организациях дополнительного образования",
    ),
    "vocational": OrgNoun(
        "профессиональная образовательная организация",
        "профессиональные образовательные организации",
        "профессиональных образовательных организаций",
        "профессиональной образовательной организации",
        "профессиональной образовательной организации",
        "профессиональных образовательных организациях",
    ),
}


def org_noun(org_type: str | None = None) -> OrgNoun:
    """The noun for organisations of ``org_type`` (a contract code), or of any type."""
    return ORG_NOUNS.get(org_type, ORG_NOUNS[None])


def org_count(n: int, org_type: str | None = None) -> str:
    """``1 организация``, ``2 общеобразовательные организации``, ``5 организаций``."""
    return org_noun(org_type).count(n)


def org_type_plural(org_type: str | None) -> str:
    """«общеобразовательные организации»; «организации всех типов» for None."""
    if org_type is None or org_type not in ORG_TYPES_BY_CODE:
        return "организации всех типов"
    return ORG_NOUNS[org_type].few


def org_types_breakdown(counts: Mapping[str, int]) -> str:
    """«24 общеобразовательные организации, 4 дошкольные образовательные организации и
    1 организация дополнительного образования», in the contract's order of types."""
    parts = [org_count(counts[code], code) for code in ORG_TYPES_BY_CODE if counts.get(code, 0) > 0]
    if len(parts) <= 1:
        return "".join(parts)
    return f"{', '.join(parts[:-1])} и {parts[-1]}"


def ends_in_one(n: float) -> bool:
    """True for 1, 21, 101 … (the singular after a number), not for 11, 111."""
    n = abs(int(n))
    return n % 10 == 1 and n % 100 != 11


# --- Sentences -----------------------------------------------------------------------------


def _float(value: object) -> float | None:
    if value is None:
        return None
    try:
        result = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None
    return None if math.isnan(result) else result


def _indicator(row: Mapping[str, object]) -> Indicator:
    return INDICATORS_BY_ID[str(row["indicator"])]


def _better(row: Mapping[str, object], indicator: Indicator) -> Better:
    better = row.get("better")
    return Better(str(better)) if better in ("higher", "lower") else indicator.better


def _amount(indicator: Indicator, distance: float) -> str:
    return points(distance) if indicator.is_percent else number(distance, 1)


def target_clause(indicator: Indicator, value: float, target: float, better: Better) -> str:
    """«что на 46,0 п. п. ниже целевого значения», «что соответствует целевому значению»,
    «что превышает целевое значение на 5,0 п. п.»; for lower-is-better indicators «что
    в пределах целевого значения (не более 3)» or «что на 0,5 выше целевого значения
    (не более 3)». Distances are compared as shown, to one decimal."""
    distance = round(value - target, 1)
    if better is Better.HIGHER:
        if distance == 0:
            return (
                "что соответствует целевому значению"
                if value >= target
                else "что незначительно ниже целевого значения"
            )
        if distance > 0:
            return f"что превышает целевое значение на {_amount(indicator, distance)}"
        return f"что на {_amount(indicator, -distance)} ниже целевого значения"
    limit = f"(не более {target_value(indicator, target)})"
    if distance == 0:
        return (
            "что соответствует целевому значению"
            if value <= target
            else f"что незначительно выше целевого значения {limit}"
        )
    if distance < 0:
        return f"что в пределах целевого значения {limit}"
    return f"что на {_amount(indicator, distance)} выше целевого значения {limit}"


def _statement(
    indicator: Indicator,
    numerator: float,
    denominator: float,
    value: float,
    org_type: str | None,
) -> str:
    shown = indicator_value(indicator, value)
    phrase = indicator.phrase
    noun = org_noun(org_type)
    if indicator.kind is IndicatorKind.YES_NO:
        return f"{phrase.text} в {part_of(numerator, denominator, noun.of(denominator))} ({shown})"
    if indicator.kind is IndicatorKind.COVERAGE:
        verb = phrase.singular if ends_in_one(numerator) else phrase.text
        return f"{verb} {part_of(numerator, denominator, noun.of(denominator))} ({shown})"
    if indicator.kind is IndicatorKind.PEOPLE:
        verb = phrase.singular if ends_in_one(numerator) else phrase.text
        counted = genitive_after_from(denominator, *indicator.counted)
        after = f" {phrase.after}" if phrase.after else ""
        return f"{verb} {part_of(numerator, denominator, counted)}{after} ({shown})"
    after = f" {phrase.after}" if phrase.after else ""
    return f"{phrase.text} {shown}{after} ({fraction(indicator, numerator, denominator)})"


def _sentence(text: str) -> str:
    """Close a sentence with one full stop (a text ending in «п. п.» already has it)."""
    return text if text.endswith(".") else f"{text}."


def no_data_sentence(indicator: Indicator) -> str:
    return f"Данных для расчёта показателя «{indicator.name}» нет."


def indicator_sentence(row: Mapping[str, object], org_type: str | None = None) -> str:
    """One indicator's value for a territory, against its target:

    «Базы наставников и наставляемых сформированы в 47 из 87 общеобразовательных
    организаций (54,0 %), что на 46,0 п. п. ниже целевого значения.»

    ``org_type`` (a contract code) names the organisations («общеобразовательных
    организаций»); without it they are «организаций».
    """
    indicator = _indicator(row)
    value = _float(row.get("value"))
    numerator, denominator = _float(row.get("numerator")), _float(row.get("denominator"))
    if value is None or numerator is None or denominator is None:
        return no_data_sentence(indicator)
    target = _float(row.get("target"))
    statement = _statement(indicator, numerator, denominator, value, org_type)
    if target is None:
        return _sentence(statement)
    clause = target_clause(indicator, value, target, _better(row, indicator))
    return _sentence(f"{statement}, {clause}")


def organization_sentence(row: Mapping[str, object]) -> str:
    """One indicator of a single organisation: «Положение о наставничестве утверждено.»
    or «… не утверждено.» for a yes/no answer; the territory wording otherwise."""
    indicator = _indicator(row)
    phrase = indicator.phrase
    value = _float(row.get("value"))
    denominator = _float(row.get("denominator"))
    if indicator.yes_no and value is not None and denominator == 1:
        return f"{phrase.text if value >= 50 else phrase.negative}."
    return indicator_sentence(row)


def comparison_sentence(
    row: Mapping[str, object],
    previous: Mapping[str, object] | None,
    previous_period: str,
    subject: str = "показатель",
) -> str | None:
    """«По сравнению с 2022/2023 уч. годом показатель вырос на 6,2 п. п. (с 47,8 % до
    54,0 %).»; None where either period has no value. A ``subject`` starting with «доля»
    takes the feminine verb («доля … выросла»)."""
    indicator = _indicator(row)
    value = _float(row.get("value"))
    before = _float(previous.get("value")) if previous is not None else None
    if value is None or before is None:
        return None
    delta = round(value - before, 1)
    was, now = indicator_value(indicator, before), indicator_value(indicator, value)
    feminine = subject.startswith("доля")
    lead = f"По сравнению с {period_with(previous_period)} {subject}"
    if delta == 0:
        return f"{lead} не {'изменилась' if feminine else 'изменился'} ({now})."
    if delta > 0:
        verb = "выросла" if feminine else "вырос"
    else:
        verb = "снизилась" if feminine else "снизился"
    return f"{lead} {verb} на {_amount(indicator, abs(delta))} (с {was} до {now})."


def change_text(indicator: Indicator, value: float | None, before: float | None) -> str:
    """A change for a table cell: «+6,2 п. п.», «−0,3», «без изменений», «—»."""
    value, before = _float(value), _float(before)
    if value is None or before is None:
        return "—"
    delta = round(value - before, 1)
    if delta == 0:
        return "без изменений"
    sign = "+" if delta > 0 else "−"
    return sign + _amount(indicator, abs(delta))


def participation_sentence(
    reported: int, expected: int | None, org_type: str | None = None, outside: int = 0
) -> str:
    """Who reported, against the registry:

    «Данные представили 245 из 253 организаций (96,8 %); не представили 8 организаций.»

    ``reported`` counts the registry's organisations with a form; ``expected`` is the
    registry (None or 0 where no registry is loaded: then only the count is given);
    ``outside`` counts organisations that reported but are not in the registry.
    """
    noun = org_noun(org_type)
    phrase = REPORTING.phrase
    if not expected:
        total = reported + outside
        verb = phrase.singular if ends_in_one(total) else phrase.text
        return (
            f"{verb} {noun.count(total)}. Реестр организаций не загружен, поэтому долю "
            "организаций, представивших данные, рассчитать нельзя."
        )
    verb = phrase.singular if ends_in_one(reported) else phrase.text
    share = percent(100.0 * reported / expected)
    text = f"{verb} {part_of(reported, expected, noun.of(expected))} ({share})"
    missing = expected - reported
    if missing > 0:
        not_verb = "не представила" if ends_in_one(missing) else "не представили"
        text += f"; {not_verb} {noun.count(missing)}."
    else:
        text += ", то есть все организации реестра."
    if outside > 0:
        verb = phrase.singular if ends_in_one(outside) else phrase.text
        one = ends_in_one(outside)
        text += (
            f" Кроме того, {verb[0].lower()}{verb[1:]} {noun.count(outside)}, "
            f"не {'включённая' if one else 'включённые'} в реестр."
        )
    return text


def deficit_sentence(row: Mapping[str, object]) -> str:
    """«Доля ОО со сформированными базами наставников и наставляемых: 54,0 % при целевом
    значении 100 % (отставание 46,0 п. п.).»"""
    indicator = _indicator(row)
    value = _float(row.get("value"))
    target = _float(row.get("target"))
    if value is None or target is None:
        return no_data_sentence(indicator)
    better = _better(row, indicator)
    shown, goal = indicator_value(indicator, value), target_value(indicator, target)
    distance = abs(value - target)
    if better is Better.HIGHER:
        return (
            f"{indicator.name}: {shown} при целевом значении {goal} "
            f"(отставание {_amount(indicator, distance)})."
        )
    return (
        f"{indicator.name}: {shown} при целевом значении не более {goal} "
        f"(превышение {_amount(indicator, distance)})."
    )


def missed_by_orgs_sentence(missed: int, valued: int, org_type: str | None = None) -> str:
    """«Цель не достигнута в 157 из 184 организаций с данными по показателю.»: the
    organisations with a value of the indicator are their own set, never «представивших
    данные» (those are counted against the registry; see :func:`part_of`)."""
    orgs = part_of(missed, valued, org_noun(org_type).of(valued))
    return f"Цель не достигнута в {orgs} с данными по показателю."


# How every ranked list of deficits says what orders it (the key is shown on each line,
# «отставание — 46 % от цели»; see :func:`analytics.wording.formatting.shortfall`).
RANKING_NOTE = (
    "Дефициты перечислены от наибольшего: по отставанию в долях целевого значения "
    "(так сравнимы показатели разных единиц)."
)


def deficit_rank_sentence(rank: int, deficits: int, row: Mapping[str, object]) -> str:
    """Where a deficit stands in the ranking and by what key: «Дефицит 1 из 13 по
    величине: отставание — 36 % от цели.» (``row`` has compute's columns)."""
    indicator = _indicator(row)
    key = shortfall(indicator, _float(row.get("shortfall")), _float(row.get("target")))
    return f"Дефицит {part_of(rank, deficits)} по величине: {key}."


def recommendation(indicator_id: str) -> str:
    """What to do about a deficit, from the catalogue."""
    return INDICATORS_BY_ID[indicator_id].recommendation


def changes_summary(previous_period: str, improved: int, worsened: int, same: int) -> str:
    """«По сравнению с 2022/2023 уч. годом значения улучшились по 9 показателям,
    ухудшились по 1 показателю, не изменились по 4 показателям.»"""

    def by(n: int) -> str:
        return f"по {integer(n)} {genitive_after_from(n, 'показателю', 'показателям')}"

    parts = [
        f"{verb} {by(n)}"
        for verb, n in (
            ("улучшились", improved),
            ("ухудшились", worsened),
            ("не изменились", same),
        )
        if n
    ]
    if not parts:
        return f"Сопоставимых значений за {period_label(previous_period)} нет."
    return f"По сравнению с {period_with(previous_period)} значения {', '.join(parts)}."


def lower_first(text: str) -> str:
    """The text after a colon: «Направить …» → «направить …»; an abbreviation such as
    «ОО» or «УДО» keeps its capitals."""
    if len(text) > 1 and text[1].isupper():
        return text
    return text[:1].lower() + text[1:]


def deficits_summary(deficits: int, indicators: int) -> str:
    """«Дефициты выявлены по 9 из 14 показателей.» / «Дефицитов не выявлено: …»."""
    if deficits == 0:
        return "Дефицитов не выявлено: все рассчитанные показатели соответствуют целевым значениям."
    noun = genitive_after_from(indicators, "показателя", "показателей")
    return f"Дефициты выявлены по {part_of(deficits, indicators, noun)}."


def by_type_sentence(rows: Mapping[str, Mapping[str, object]]) -> str | None:
    """One indicator of a note over every type of organisation, given by type, in the
    contract's order of types:

    «По типам организаций: в 47 из 87 общеобразовательных организаций (54,0 %), в 11 из
    28 организаций дополнительного образования (39,3 %).»

    ``rows`` maps a type code to its territory row of the indicator; a share of people or
    a mean reads «в общеобразовательных организациях — 7,6 % (108 из 1 421 педагога)».
    None where fewer than two types have a value.
    """
    parts = []
    for code in ORG_TYPES_BY_CODE:
        row = rows.get(code)
        if row is None:
            continue
        value = _float(row.get("value"))
        numerator, denominator = _float(row.get("numerator")), _float(row.get("denominator"))
        if value is None or numerator is None or denominator is None:
            continue
        indicator = _indicator(row)
        noun = org_noun(code)
        shown = indicator_value(indicator, value)
        if indicator.yes_no:
            parts.append(
                f"в {part_of(numerator, denominator, noun.of(int(denominator)))} ({shown})"
            )
        else:
            parts.append(
                f"в {noun.in_many} — {shown} ({fraction(indicator, numerator, denominator)})"
            )
    if len(parts) < 2:
        return None
    return f"По типам организаций: {', '.join(parts)}."
