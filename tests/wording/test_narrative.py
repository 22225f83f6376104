"""Sentences generated from engine rows: values against targets, the previous period,
participation, and the plural forms after 1, 2, 5, 11 and 21 organisations."""

from __future__ import annotations

import pytest

from analytics.compute.indicators import compute
from analytics.compute.lookups import find_territory
from analytics.model.catalogue import INDICATORS_BY_ID
from analytics.model.contract import ORG_TYPES
from analytics.model.levels import Level
from analytics.store.scope import Scope
from analytics.wording import narrative
from analytics.wording.formatting import NBSP


def plain(text: str) -> str:
    """The text with no-break spaces shown as spaces, to compare with literals."""
    return text.replace(NBSP, " ")


def row(indicator: str, numerator: float, denominator: float, **values: object) -> dict:
    spec = INDICATORS_BY_ID[indicator]
    value = spec.factor * numerator / denominator if denominator else None
    return {
        "indicator": indicator,
        "numerator": numerator,
        "denominator": denominator,
        "value": value,
        "target": spec.target,
        "better": str(spec.better),
        **values,
    }


def test_databases_sentence_reads_47_of_87_schools_54_0_percent_and_46_0_points_below_target():
    sentence = narrative.indicator_sentence(row("databases", 47, 87), org_type="school")
    assert plain(sentence) == (
        "Базы наставников и наставляемых сформированы в 47 из 87 общеобразовательных "
        "организаций (54,0 %), что на 46,0 п. п. ниже целевого значения."
    )


def test_without_an_org_type_the_sentence_speaks_of_organisations():
    sentence = narrative.indicator_sentence(row("regulation", 21, 30))
    assert plain(sentence) == (
        "Положение о наставничестве утверждено в 21 из 30 организаций (70,0 %), "
        "что на 30,0 п. п. ниже целевого значения."
    )


def test_a_value_equal_to_the_target_corresponds_to_it():
    sentence = narrative.indicator_sentence(row("regulation", 30, 30))
    assert plain(sentence).endswith("(100,0 %), что соответствует целевому значению.")


def test_a_value_above_the_target_says_by_how_much_it_exceeds_it():
    sentence = narrative.indicator_sentence(row("teachers_involved", 957, 3480))
    assert plain(sentence) == (
        "В систему наставничества включены 957 из 3 480 педагогов (27,5 %), "
        "что превышает целевое значение на 7,5 п. п."
    )


def test_a_value_just_below_the_target_is_not_rounded_into_meeting_it():
    sentence = narrative.indicator_sentence(row("regulation", 9999, 10000))
    assert plain(sentence).endswith("что незначительно ниже целевого значения.")


def test_load_per_mentor_within_the_limit_and_above_it():
    within = narrative.indicator_sentence(row("mentor_load", 57, 51))
    above = narrative.indicator_sentence(row("mentor_load", 70, 20))
    assert plain(within) == (
        "На одного наставника приходится в среднем 1,1 наставляемого (57 наставляемых "
        "на 51 наставника), что в пределах целевого значения (не более 3)."
    )
    assert plain(above).endswith(
        "(70 наставляемых на 20 наставников), что на 0,5 выше целевого значения (не более 3)."
    )


def test_the_teachers_check_of_the_contract_reads_8_9_percent():
    sentence = narrative.indicator_sentence(row("teachers_involved", 34 + 3, 362 + 52))
    assert plain(sentence).startswith(
        "В систему наставничества включены 37 из 414 педагогов (8,9 %), что на 11,1 п. п. ниже"
    )


def test_satisfaction_is_a_weighted_mean_by_the_participants():
    sentence = narrative.indicator_sentence(
        {**row("satisfaction", 8327.1, 108), "value": 77.10277777777778}
    )
    assert plain(sentence) == (
        "Средняя удовлетворённость участников программ наставничества составляет 77,1 % "
        "(по ответам 108 участников), что на 2,9 п. п. ниже целевого значения."
    )


def test_a_row_without_a_value_says_there_is_no_data():
    sentence = narrative.indicator_sentence(row("completion", 0, 0))
    assert (
        sentence == "Данных для расчёта показателя «Доля наставляемых, завершивших программу» нет."
    )


@pytest.mark.parametrize(
    ("denominator", "words"),
    [
        (1, "из 1 организации"),
        (2, "из 2 организаций"),
        (5, "из 5 организаций"),
        (11, "из 11 организаций"),
        (21, "из 21 организации"),
        (87, "из 87 организаций"),
    ],
)
def test_after_iz_the_organisations_take_the_genitive_of_their_number(denominator, words):
    sentence = plain(narrative.indicator_sentence(row("curator", 1, denominator)))
    assert f"назначен в 1 {words} (" in sentence


@pytest.mark.parametrize(
    ("denominator", "words"),
    [
        (1, "из 1 общеобразовательной организации"),
        (2, "из 2 общеобразовательных организаций"),
        (5, "из 5 общеобразовательных организаций"),
        (11, "из 11 общеобразовательных организаций"),
        (21, "из 21 общеобразовательной организации"),
    ],
)
def test_the_org_type_agrees_with_the_number_after_iz(denominator, words):
    sentence = plain(narrative.indicator_sentence(row("curator", 1, denominator), "school"))
    assert f"в 1 {words} (" in sentence


@pytest.mark.parametrize(
    ("missing", "words"),
    [
        (1, "не представила 1 организация"),
        (2, "не представили 2 организации"),
        (5, "не представили 5 организаций"),
        (11, "не представили 11 организаций"),
        (21, "не представила 21 организация"),
    ],
)
def test_who_did_not_report_agrees_with_their_number(missing, words):
    sentence = plain(narrative.participation_sentence(100, 100 + missing))
    assert sentence.endswith(f"; {words}.")


@pytest.mark.parametrize(
    ("reported", "verb"),
    [
        (1, "представила"),
        (2, "представили"),
        (5, "представили"),
        (11, "представили"),
        (21, "представила"),
    ],
)
def test_who_reported_agrees_with_their_number(reported, verb):
    sentence = plain(narrative.participation_sentence(reported, 30))
    assert sentence.startswith(f"Данные {verb} {reported} из 30 организаций (")


def test_participation_reads_245_of_253_and_names_the_8_missing():
    sentence = narrative.participation_sentence(245, 253)
    assert plain(sentence) == (
        "Данные представили 245 из 253 организаций (96,8 %); не представили 8 организаций."
    )


def test_participation_of_schools_uses_their_type():
    sentence = narrative.participation_sentence(87, 90, "school")
    assert plain(sentence) == (
        "Данные представили 87 из 90 общеобразовательных организаций (96,7 %); "
        "не представили 3 общеобразовательные организации."
    )


def test_participation_without_a_registry_gives_the_count_only():
    sentence = narrative.participation_sentence(21, None)
    assert sentence.startswith("Данные представила 21 организация. Реестр организаций не загружен")


def test_participation_when_everyone_reported_and_some_are_outside_the_registry():
    sentence = plain(narrative.participation_sentence(30, 30, outside=2))
    assert sentence == (
        "Данные представили 30 из 30 организаций (100,0 %), то есть все организации реестра. "
        "Кроме того, данные представили 2 организации, не включённые в реестр."
    )


@pytest.mark.parametrize(
    ("numerator", "verb"),
    [(1, "включён"), (2, "включены"), (5, "включены"), (11, "включены"), (21, "включён")],
)
def test_people_verbs_agree_with_the_count(numerator, verb):
    sentence = plain(narrative.indicator_sentence(row("teachers_involved", numerator, 400)))
    assert sentence.startswith(f"В систему наставничества {verb} {numerator} из 400 педагогов")


def test_the_previous_period_comparison_gives_the_change_in_points():
    sentence = narrative.comparison_sentence(
        {"indicator": "databases", "value": 100 * 47 / 87},
        {"value": 100 * 43 / 90},
        "2022/2023",
    )
    assert plain(sentence) == (
        "По сравнению с 2022/2023 уч. годом показатель вырос на 6,2 п. п. (с 47,8 % до 54,0 %)."
    )


def test_a_fall_and_no_change_against_a_calendar_year():
    fall = narrative.comparison_sentence(
        {"indicator": "roadmap", "value": 60.0}, {"value": 75.0}, "2022"
    )
    same = narrative.comparison_sentence(
        {"indicator": "roadmap", "value": 60.0}, {"value": 60.04}, "2022"
    )
    assert (
        plain(fall)
        == "По сравнению с 2022 годом показатель снизился на 15,0 п. п. (с 75,0 % до 60,0 %)."
    )
    assert plain(same) == "По сравнению с 2022 годом показатель не изменился (60,0 %)."


def test_a_share_named_as_the_subject_takes_the_feminine_verb():
    sentence = narrative.comparison_sentence(
        {"indicator": "reporting", "value": 96.7}, {"value": 100.0}, "2022/2023", subject="доля ОО"
    )
    assert plain(sentence).startswith(
        "По сравнению с 2022/2023 уч. годом доля ОО снизилась на 3,3 п. п."
    )


def test_no_comparison_without_a_previous_value():
    assert (
        narrative.comparison_sentence({"indicator": "roadmap", "value": 60.0}, None, "2022") is None
    )
    assert (
        narrative.comparison_sentence(
            {"indicator": "roadmap", "value": 60.0}, {"value": None}, "2022"
        )
        is None
    )


def test_org_nouns_match_the_contract_plural_genitive():
    for org_type in ORG_TYPES:
        assert narrative.ORG_NOUNS[org_type.code].many == org_type.plural_genitive


def test_one_school_with_or_without_the_document():
    with_it = narrative.organization_sentence(row("regulation", 1, 1))
    without = narrative.organization_sentence(row("databases", 0, 1))
    assert with_it == "Положение о наставничестве утверждено."
    assert without == "Базы наставников и наставляемых не сформированы."


def test_a_deficit_names_the_gap_and_the_recommendation_comes_from_the_catalogue():
    assert plain(narrative.deficit_sentence(row("databases", 47, 87))) == (
        "Доля ОО со сформированными базами наставников и наставляемых: 54,0 % при целевом "
        "значении 100 % (отставание 46,0 п. п.)."
    )
    assert plain(narrative.deficit_sentence(row("mentor_load", 70, 20))) == (
        "Наставляемых на одного наставника: 3,5 при целевом значении не более 3 (превышение 0,5)."
    )
    assert narrative.recommendation("databases") == INDICATORS_BY_ID["databases"].recommendation


def test_types_breakdown_and_summaries_agree_with_their_numbers():
    assert plain(
        narrative.org_types_breakdown({"school": 24, "preschool": 4, "additional": 1})
    ) == (
        "24 общеобразовательные организации, 4 дошкольные образовательные организации и "
        "1 организация дополнительного образования"
    )
    assert narrative.deficits_summary(1, 21) == "Дефициты выявлены по 1 из 21 показателя."
    assert narrative.deficits_summary(13, 15) == "Дефициты выявлены по 13 из 15 показателей."
    assert narrative.changes_summary("2022/2023", 1, 2, 21) == (
        "По сравнению с 2022/2023 уч. годом значения улучшились по 1 показателю, "
        "ухудшились по 2 показателям, не изменились по 21 показателю."
    )
    assert narrative.lower_first("Направить наставников") == "направить наставников"
    assert narrative.lower_first("ОО утвердить") == "ОО утвердить"


def test_sentences_from_the_engine_for_the_glazov_sample(samples_db):
    municipality = find_territory(samples_db, "municipality", "г. Глазов")
    frame = compute(
        samples_db,
        Scope(periods=("2023",), levels=(Level.MUNICIPALITY,), municipality_id=municipality),
    )
    rows = {r["indicator"]: r for _, r in frame.iterrows()}
    assert plain(narrative.indicator_sentence(rows["databases"])) == (
        "Базы наставников и наставляемых сформированы в 16 из 30 организаций (53,3 %), "
        "что на 46,7 п. п. ниже целевого значения."
    )
    assert plain(narrative.indicator_sentence(rows["teachers_involved"])) == (
        "В систему наставничества включены 108 из 1 421 педагога (7,6 %), "
        "что на 12,4 п. п. ниже целевого значения."
    )
    assert narrative.indicator_sentence(rows["reporting"]) == (
        "Данных для расчёта показателя «Доля ОО, представивших данные» нет."
    )
