"""Numbers, dates and plurals the way Russian readers expect them."""

from __future__ import annotations

import math
from datetime import date, datetime

import pytest

from analytics.model.catalogue import INDICATORS_BY_ID
from analytics.wording import formatting

NBSP = "\u00a0"


@pytest.mark.parametrize(
    ("value", "decimals", "text"),
    [
        (1234.5, 1, f"1{NBSP}234,5"),
        (1234567.25, 2, f"1{NBSP}234{NBSP}567,25"),
        (0.0, 1, "0,0"),
        (54.0229, 1, "54,0"),
        (45.977, 1, "46,0"),
        (-3.5, 1, "-3,5"),
        (999, 0, "999"),
        (1000, 0, f"1{NBSP}000"),
    ],
)
def test_a_number_has_a_decimal_comma_and_no_break_spaces_between_thousands(value, decimals, text):
    assert formatting.number(value, decimals) == text


@pytest.mark.parametrize("missing", [None, math.nan])
def test_a_missing_number_is_a_dash(missing):
    assert formatting.number(missing) == "—"
    assert formatting.percent(missing) == "—"


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (54.0229, f"54,0{NBSP}%"),
        (8.937198, f"8,9{NBSP}%"),
        (100, f"100,0{NBSP}%"),
        (66.666, f"66,7{NBSP}%"),
    ],
)
def test_a_percentage_has_one_decimal_and_a_spaced_percent_sign(value, text):
    assert formatting.percent(value) == text


def test_an_integer_is_grouped_without_a_fraction():
    assert formatting.integer(22325) == f"22{NBSP}325"


@pytest.mark.parametrize(
    ("n", "text"),
    [
        (0, "0 организаций"),
        (1, "1 организация"),
        (2, "2 организации"),
        (4, "4 организации"),
        (5, "5 организаций"),
        (11, "11 организаций"),
        (12, "12 организаций"),
        (14, "14 организаций"),
        (21, "21 организация"),
        (22, "22 организации"),
        (25, "25 организаций"),
        (101, "101 организация"),
        (111, "111 организаций"),
        (112, "112 организаций"),
        (1001, f"1{NBSP}001 организация"),
    ],
)
def test_organisations_are_counted_with_the_right_plural_form(n, text):
    assert formatting.organizations(n) == text.replace(" организ", f"{NBSP}организ")


@pytest.mark.parametrize(
    ("denominator", "text"),
    [
        (21, "5 из 21 педагога"),
        (1, "5 из 1 педагога"),
        (11, "5 из 11 педагогов"),
        (362, "5 из 362 педагогов"),
        (101, "5 из 101 педагога"),
        (111, "5 из 111 педагогов"),
    ],
)
def test_the_genitive_after_iz_is_singular_only_after_a_number_ending_in_one(denominator, text):
    indicator = INDICATORS_BY_ID["teachers_involved"]
    assert formatting.fraction(indicator, 5, denominator) == text


def test_a_fraction_of_organisations_uses_the_invariant_oo():
    assert formatting.fraction(INDICATORS_BY_ID["databases"], 47, 87) == "47 из 87 ОО"
    assert formatting.fraction(INDICATORS_BY_ID["databases"], 1, 21) == "1 из 21 ОО"


def test_a_fraction_of_thousands_groups_both_numbers():
    indicator = INDICATORS_BY_ID["students_mentored"]
    assert formatting.fraction(indicator, 9342, 22325) == (f"9{NBSP}342 из 22{NBSP}325 обучающихся")


def test_a_fraction_without_data_says_so():
    assert formatting.fraction(INDICATORS_BY_ID["regulation"], None, None) == "нет данных"


def test_the_mentor_load_reads_as_mentees_per_mentors():
    indicator = INDICATORS_BY_ID["mentor_load"]
    assert formatting.fraction(indicator, 57, 51) == f"57{NBSP}наставляемых на 51 наставника"
    assert formatting.fraction(indicator, 1, 2) == f"1{NBSP}наставляемый на 2 наставника"


def test_satisfaction_reads_as_the_number_of_participants_who_answered():
    indicator = INDICATORS_BY_ID["satisfaction"]
    assert formatting.fraction(indicator, 8327.1, 108) == "по ответам 108 участников"
    assert formatting.fraction(indicator, 90, 1) == "по ответам 1 участника"


def test_an_indicator_value_is_in_its_own_units():
    assert formatting.indicator_value(INDICATORS_BY_ID["databases"], 54.0229) == f"54,0{NBSP}%"
    assert formatting.indicator_value(INDICATORS_BY_ID["mentor_load"], 1.1176) == "1,1"


def test_a_target_is_shown_without_a_needless_fraction():
    assert formatting.target_value(INDICATORS_BY_ID["databases"], 100) == f"100{NBSP}%"
    assert formatting.target_value(INDICATORS_BY_ID["mentor_load"], 3) == "3"
    assert formatting.target_value(INDICATORS_BY_ID["completion"], 52.5) == f"52,5{NBSP}%"


def test_a_target_in_a_table_says_not_more_than_where_less_is_better():
    assert formatting.target_bound(INDICATORS_BY_ID["mentor_load"], 3) == "не более 3"
    assert formatting.target_bound(INDICATORS_BY_ID["databases"], 100) == f"100{NBSP}%"


def test_one_organisations_yes_no_answer_reads_yes_or_no_not_1_of_1():
    databases = INDICATORS_BY_ID["databases"]
    assert formatting.organization_fraction(databases, 1, 1) == "да"
    assert formatting.organization_fraction(databases, 0, 1) == "нет"
    assert formatting.organization_fraction(databases, 47, 87) == "47 из 87 ОО"
    teachers = INDICATORS_BY_ID["teachers_involved"]
    assert formatting.organization_fraction(teachers, 1, 1) == "1 из 1 педагога"


def test_a_value_is_explained_against_its_target():
    text = formatting.explanation(INDICATORS_BY_ID["databases"], 47, 87, 100 * 47 / 87, 100)
    assert text == f"47 из 87 ОО (54,0{NBSP}%) — цель 100{NBSP}%"


@pytest.mark.parametrize(
    ("indicator", "delta", "text"),
    [
        ("databases", 4.25, f"+4,2{NBSP}п.{NBSP}п."),
        ("databases", -46.0, f"−46,0{NBSP}п.{NBSP}п."),
        ("mentor_load", -0.3, "−0,3"),
        ("mentor_load", 0.0, "±0,0"),
    ],
)
def test_a_change_of_a_share_is_in_percentage_points_and_of_a_ratio_in_its_units(
    indicator, delta, text
):
    assert formatting.indicator_difference(INDICATORS_BY_ID[indicator], delta) == text


def test_dates_are_day_month_year_with_dots():
    assert formatting.day(date(2026, 11, 22)) == "22.11.2026"
    assert formatting.moment(datetime(2026, 1, 5, 9, 7)) == "05.01.2026 09:07"


def test_mentor_load_says_on_how_many_mentors_in_the_accusative():
    load = INDICATORS_BY_ID["mentor_load"]
    assert [formatting.fraction(load, 900, n) for n in (1, 664, 5, 21)] == [
        f"900{NBSP}наставляемых на 1 наставника",
        f"900{NBSP}наставляемых на 664 наставника",
        f"900{NBSP}наставляемых на 5 наставников",
        f"900{NBSP}наставляемых на 21 наставника",
    ]


def test_the_moment_of_the_data_is_written_in_words():
    assert formatting.as_of(datetime(2026, 12, 7, 18, 40)) == "7 декабря 2026 г., 18:40"
    assert (
        formatting.data_stamp(datetime(2027, 1, 15, 9, 5)) == "Данные на 15 января 2027 г., 09:05"
    )
    assert formatting.data_stamp(None) == "Данные не загружены"
