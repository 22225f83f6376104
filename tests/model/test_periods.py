"""The monitoring period: read from any usual spelling, written in Russian, ordered by
its first year (a calendar year before the school year that starts in it)."""

from __future__ import annotations

import pytest

from analytics.ingest.normalize import ValueProblem
from analytics.model.periods import (
    Period,
    parse_period,
    period_in,
    period_label,
    period_of,
    period_with,
    previous_period,
    sort_periods,
)


@pytest.mark.parametrize(
    "raw",
    ["2022/2023", "2022-2023", "2022–2023", "2022—2023", "2022/23", "2022-23", "2022 / 2023"],
)
def test_every_spelling_of_a_school_year_is_the_canonical_one(raw):
    assert parse_period(raw) == "2022/2023"


@pytest.mark.parametrize(("raw", "expected"), [("2023", "2023"), (2023, "2023"), (2023.0, "2023")])
def test_a_calendar_year_is_its_own_period(raw, expected):
    assert parse_period(raw) == expected


@pytest.mark.parametrize("raw", ["прошлый год", "2022/2024", "23", "2022/2021", "1850"])
def test_a_period_that_cannot_be_parsed_is_refused(raw):
    with pytest.raises(ValueProblem):
        parse_period(raw)


def test_periods_sort_by_their_first_year():
    codes = ["2023", "2022/2023", "2021", "2021/2022"]
    assert sorted(codes, key=period_of) == ["2021", "2021/2022", "2022/2023", "2023"]


def test_a_blank_cell_names_no_period():
    assert period_of("  ") is None
    assert parse_period(None) is None


def test_a_school_year_written_with_its_words_is_read():
    assert period_of("2022/23 уч. год") == Period(2022, True)


def test_a_calendar_year_is_labelled_as_a_year():
    assert period_label("2023") == "2023 год"


def test_a_school_year_is_labelled_as_a_school_year():
    assert period_label("2024/2025") == "2024/2025 уч. год"


def test_a_period_in_a_sentence_takes_the_prepositional_case():
    assert period_in("2023") == "в 2023 году"
    assert period_in("2022/2023") == "в 2022/2023 уч. году"


def test_a_period_compared_with_takes_the_instrumental_case():
    assert period_with("2023") == "2023 годом"
    assert period_with("2022/2023") == "2022/2023 уч. годом"


def test_a_calendar_year_comes_before_the_school_year_that_starts_in_it():
    assert sort_periods(["2023/2024", "2023", "2022/2023"]) == ["2022/2023", "2023", "2023/2024"]


def test_the_previous_of_a_school_year_is_the_school_year_before_it():
    known = ["2022/2023", "2023/2024", "2024/2025"]
    assert previous_period("2024/2025", known) == "2023/2024"


def test_the_previous_is_found_in_any_order_of_the_known_periods():
    assert previous_period("2024/2025", ["2024/2025", "2022/2023", "2023/2024"]) == "2023/2024"


def test_the_first_period_has_no_previous():
    assert previous_period("2022/2023", ["2022/2023", "2023/2024"]) is None


def test_a_new_period_not_stored_yet_has_the_latest_stored_one_as_previous():
    assert previous_period("2025/2026", ["2022/2023", "2023/2024"]) == "2023/2024"


def test_no_period_has_no_previous():
    assert previous_period(None, ["2022/2023"]) is None


def test_the_school_year_starting_in_a_calendar_year_is_not_its_previous():
    assert previous_period("2023", ["2023", "2023/2024"]) is None
