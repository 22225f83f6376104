"""Turning what people type into canonical values: headers, names, yes/no, numbers,
ИНН and org types."""

from __future__ import annotations

import re

import pytest

from analytics.ingest.normalize import (
    ValueProblem,
    cell_text,
    collapse,
    header_key,
    inn_check_digit,
    is_total_row,
    name_key,
    parse_count,
    parse_inn,
    parse_inns,
    parse_ogrn,
    parse_org_type,
    parse_share,
    parse_yes_no,
)


@pytest.mark.parametrize(
    "written",
    [
        "Педагогических работников",
        "педагогических работников",
        "ПЕДАГОГИЧЕСКИХ РАБОТНИКОВ",
        "  Педагогических   работников ",
        "Педагогических\nработников",
        "Педагогических\u00a0работников",
        "Педагогических работников, чел.",
        "Педагогических работников (чел.)",
        "Педагогических работников, %",
    ],
)
def test_a_header_differing_in_case_spaces_line_breaks_or_unit_has_the_canonical_key(written):
    assert header_key(written) == header_key("Педагогических работников")


@pytest.mark.parametrize(
    "written",
    [
        "Пар «наставник – наставляемый»",
        'Пар "наставник - наставляемый"',
        "Пар “наставник — наставляемый”",
        "Пар наставник-наставляемый",
        "пар „Наставник – наставляемый“",
    ],
)
def test_a_header_differing_in_quotes_or_dash_kind_has_the_canonical_key(written):
    assert header_key(written) == header_key("Пар «наставник – наставляемый»")


def test_a_header_with_yo_written_as_ye_has_the_canonical_key():
    assert header_key("Удовлетворенность участников") == header_key(
        "Удовлетворённость участников, %"
    )


def test_different_headers_keep_different_keys():
    assert header_key("Молодых специалистов") != header_key("Молодых специалистов с наставником")


@pytest.mark.parametrize(
    "written",
    ["МБОУ «СОШ № 5»", 'мбоу "сош №5"', "МБОУ СОШ N5", "МБОУ СОШ N 5", "  МБОУ  'СОШ  № 5' "],
)
def test_an_organisation_name_is_compared_without_case_quotes_spaces_or_number_sign_form(written):
    assert name_key(written) == "мбоу сош №5"


def test_yo_and_ye_in_an_organisation_name_are_the_same_letter():
    assert name_key("МБОУ «Лицей им. Королёва»") == name_key("мбоу лицей им. королева")


def test_different_school_numbers_are_different_names():
    assert name_key("МБОУ СОШ № 5") != name_key("МБОУ СОШ № 15")


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("да", True),
        ("Да", True),
        ("ДА", True),
        ("+", True),
        ("1", True),
        (1, True),
        (1.0, True),
        ("есть", True),
        ("имеется", True),
        ("true", True),
        ("TRUE", True),
        (True, True),
        ("нет", False),
        ("Нет", False),
        ("-", False),
        ("–", False),
        ("0", False),
        (0, False),
        ("отсутствует", False),
        ("false", False),
        (False, False),
        (" да ", True),
    ],
)
def test_yes_no_words_are_read_as_yes_or_no(raw, expected):
    assert parse_yes_no(raw) is expected


@pytest.mark.parametrize("raw", [None, "", "   ", "\u00a0"])
def test_a_blank_yes_no_cell_is_a_missing_answer_not_no(raw):
    assert parse_yes_no(raw) is None


@pytest.mark.parametrize("raw", ["может быть", "частично", "2", "да нет"])
def test_an_unknown_yes_no_word_is_refused(raw):
    with pytest.raises(ValueProblem) as error:
        parse_yes_no(raw)
    assert str(error.value) == "ожидается «да» или «нет»"


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("1 234", 1234),
        ("1\u00a0234", 1234),
        ("1\u202f234", 1234),
        ("34 чел.", 34),
        ("34 чел", 34),
        ("34", 34),
        (" 34 ", 34),
        (34, 34),
        (34.0, 34),
        ("0", 0),
    ],
)
def test_counts_are_read_from_the_usual_forms(raw, expected):
    assert parse_count(raw) == expected


@pytest.mark.parametrize("raw", [None, "", "  "])
def test_a_blank_count_is_missing_not_zero(raw):
    assert parse_count(raw) is None


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ("-3", "количество не может быть отрицательным"),
        (-3, "количество не может быть отрицательным"),
        ("12,5", "ожидается целое число"),
        (12.5, "ожидается целое число"),
        ("много", "ожидается число"),
        ("12 человек 5", "ожидается число"),
        ("100000000000000000000000", "слишком большое число — проверьте, нет ли лишних цифр"),
        (1e23, "слишком большое число — проверьте, нет ли лишних цифр"),
        ("1 000 000 000 000 000", "слишком большое число — проверьте, нет ли лишних цифр"),
    ],
)
def test_a_count_that_is_not_a_whole_non_negative_number_is_refused(raw, message):
    with pytest.raises(ValueProblem) as error:
        parse_count(raw)
    assert str(error.value) == message


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("54,5", 54.5), ("54%", 54.0), ("54,5 %", 54.5), ("0", 0.0), ("100", 100.0), (77.1, 77.1)],
)
def test_shares_are_read_with_decimal_commas_and_percent_signs(raw, expected):
    assert parse_share(raw) == expected


@pytest.mark.parametrize("raw", ["100,1", "-1", "150%", 101])
def test_a_share_outside_0_to_100_is_refused(raw):
    with pytest.raises(ValueProblem) as error:
        parse_share(raw)
    assert str(error.value) == "доля должна быть от 0 до 100"


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("1833383617", "1833383617"),
        (1833383617, "1833383617"),
        (1833383617.0, "1833383617"),
        (833383615, "0833383615"),
        (833383615.0, "0833383615"),
        ("18 3338 3617", "1833383617"),
    ],
)
def test_an_inn_is_ten_digits_and_a_nine_digit_number_gets_its_leading_zero_back(raw, expected):
    assert parse_inn(raw) == expected


@pytest.mark.parametrize("raw", ["183338361", "18333836190", "18333836AB"])
def test_an_inn_that_is_not_ten_digits_is_refused(raw):
    with pytest.raises(ValueProblem) as error:
        parse_inn(raw)
    assert str(error.value) == "ИНН организации — 10 цифр"


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("school", "school"),
        ("общеобразовательная", "school"),
        ("Общеобразовательная организация", "school"),
        ("ОО", "school"),
        ("ООО", "school"),
        ("школа", "school"),
        ("СОШ", "school"),
        ("гимназия", "school"),
        ("Лицей", "school"),
        ("preschool", "preschool"),
        ("дошкольная", "preschool"),
        ("ДОО", "preschool"),
        ("ДОУ", "preschool"),
        ("детский сад", "preschool"),
        ("additional", "additional"),
        ("дополнительного образования", "additional"),
        ("УДО", "additional"),
        ("ДО", "additional"),
        ("ОДО", "additional"),
        ("vocational", "vocational"),
        ("профессиональная", "vocational"),
        ("ПОО", "vocational"),
        ("СПО", "vocational"),
        ("колледж", "vocational"),
        ("Техникум", "vocational"),
    ],
)
def test_an_org_type_is_read_from_its_code_abbreviation_or_russian_name(raw, expected):
    assert parse_org_type(raw) == expected


def test_an_unknown_org_type_is_refused():
    with pytest.raises(ValueProblem) as error:
        parse_org_type("интернат")
    assert str(error.value) == (
        "неизвестный тип ОО; допустимо: общеобразовательная, дошкольная, "
        "дополнительного образования, профессиональная"
    )


@pytest.mark.parametrize(
    ("name", "total"),
    [
        ("Итого", True),
        ("ИТОГО по городу", True),
        ("Всего", True),
        ("всего по муниципалитету:", True),
        ("МБОУ «СОШ № 1»", False),
        ("МБДОУ «Детский сад „Итого“»", False),
    ],
)
def test_a_totals_row_is_one_whose_name_starts_with_itogo_or_vsego(name, total):
    assert is_total_row(name) is total


@pytest.mark.parametrize(
    ("first_nine", "digit"), [("770708389", "3"), ("183338361", "7"), ("083338361", "5")]
)
def test_the_inn_check_digit_is_the_weighted_sum_mod_11_mod_10(first_nine, digit):
    assert inn_check_digit(first_nine) == digit


@pytest.mark.parametrize("raw", ["1833383619", "8133383617", 1833383671, 833383619])
def test_an_inn_whose_check_digit_does_not_match_is_refused(raw):
    with pytest.raises(ValueProblem) as error:
        parse_inn(raw)
    assert str(error.value) == (
        "неверное контрольное число ИНН: такого ИНН не существует, проверьте цифры"
    )


@pytest.mark.parametrize(
    ("raw", "code"),
    [
        ("Общеобразовательная организация", "school"),
        (
            "Общеобразовательная организация, осуществляющая обучение по адаптированным "
            "основным общеобразовательным программам",
            "school",
        ),
        ("Дошкольная образовательная организация", "preschool"),
        ("Организация дополнительного образования", "additional"),
        ("Профессиональная образовательная организация (колледж)", "vocational"),
    ],
)
def test_official_type_names_and_their_specified_variants_give_the_type(raw, code):
    assert parse_org_type(raw) == code


def test_a_word_that_only_begins_like_an_official_type_name_is_not_a_type():
    with pytest.raises(ValueProblem):
        parse_org_type("Общеобразовательная организациях")


@pytest.mark.parametrize(
    ("raw", "expected"), [("1021801091234", "1021801091234"), (1021801091234, "1021801091234")]
)
def test_an_ogrn_is_thirteen_digits_from_text_or_a_number(raw, expected):
    assert parse_ogrn(raw) == expected


def _outcome(raw: object) -> object:
    try:
        return parse_inn(raw)
    except ValueProblem as problem:
        return ("problem", str(problem))


def test_a_column_of_inns_read_at_once_gives_what_each_cell_read_alone_gives():
    cells = [
        "1833383617",
        1833383617.0,
        833383615,
        "18 3338 3617",
        " 18\u00a03338\t3617 ",
        "1833383619",
        833383619,
        "183338361",
        "18333836AB",
        "١٨٣٣٣٨٣٦١٧",  # Arabic-Indic digits: decimal digits that r"\d" matches
        "١٨٣٣٣٨٣٦١٩",
        "",
        None,
        True,
        "7707083893",
    ]
    together = [
        ("problem", str(r)) if isinstance(r, ValueProblem) else r
        for r in parse_inns(cells, [cell_text(c) for c in cells])
    ]
    assert together == [_outcome(c) for c in cells]
    assert together[:3] == ["1833383617", "1833383617", "0833383615"]


@pytest.mark.parametrize("template", ["{}", "СОШ{}{}№ 1 "])
def test_every_character_is_collapsed_as_the_whitespace_pattern_collapses_it(template):
    # The pattern is the specification; collapse skips it for texts it would not change.
    # Every whitespace and control character lies below U+3100.
    for point in [*range(0x3100), 0xFEFF, 0x1F600]:
        text = template.format(*[chr(point)] * template.count("{}"))
        assert collapse(text) == re.sub(r"[\s\u00a0\u2007\u2009\u202f]+", " ", text).strip()
