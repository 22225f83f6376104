"""How the engine tells that two written names mean one organisation: the spellings people
really use fold to one key, a number never matches another number, and a fuzzy match is
taken only when it is clearly the best."""

from __future__ import annotations

import pytest

from analytics.ingest.identity import confident, match_key, ranked, score

OFFICIAL = (
    "Муниципальное бюджетное общеобразовательное учреждение «Средняя общеобразовательная "
    "школа № 5 имени А. С. Пушкина»"
)


@pytest.mark.parametrize(
    "written",
    [
        "МБОУ «СОШ № 5»",
        'мбоу "сош №5"',
        "МБОУ СОШ N5",
        "МАОУ «СОШ № 5»",  # a change of legal form
        "MБОУ «COШ № 5»",  # Latin M, C and O
        "мбоу «cош № 5»",  # a small Latin c
        "Средняя общеобразовательная школа № 5",
        "МБОУ ««СОШ № 5»»",  # doubled quotes
        "МБОУ «СОШ № 5",  # a stray quote
    ],
)
def test_the_spellings_of_one_school_fold_to_one_key(written):
    assert match_key(written) == "сош 5"


def test_im_and_imeni_are_one_word():
    assert match_key("Лицей им. Н. И. Лобачевского") == match_key("Лицей имени Н.И. Лобачевского")


def test_dash_kinds_are_one_dash():
    assert match_key("Детско-юношеская спортивная школа") == match_key(
        "Детско – юношеская спортивная школа"
    )
    assert match_key("Детско—юношеская спортивная школа") == "дюсш"


def test_a_kindergarten_written_short_and_in_full_has_one_key():
    assert match_key("МБДОУ д/с № 15 «Ромашка»") == match_key(
        "Муниципальное бюджетное дошкольное образовательное учреждение «Детский сад № 15 «Ромашка»»"
    )


def test_yakut_letters_fold_to_the_russian_letters_typed_instead():
    assert match_key("Һүлгэ СОШ") == match_key("Хулгэ СОШ") == match_key("hүлгэ СОШ")
    assert match_key("Маарҥа СОШ") == match_key("Маарна СОШ")


def test_a_latin_h_in_a_cyrillic_word_is_the_yakut_letter_and_a_capital_h_is_en():
    assert match_key("hулгэ") == "хулгэ"
    assert match_key("НЮРБИНСКАЯ COШ N1") == "нюрбинская сош 1"


def test_a_short_name_scores_100_against_its_full_official_name():
    assert score(match_key("МБОУ «СОШ № 5 им. Пушкина»"), match_key(OFFICIAL)) == 100.0


def test_school_5_never_matches_school_15():
    assert score(match_key("СОШ № 5"), match_key("СОШ № 15")) == 0.0


def test_school_5_never_matches_school_50_or_school_without_number():
    assert score(match_key("Гимназия № 5"), match_key("Гимназия № 50")) == 0.0
    assert score(match_key("Гимназия № 5"), match_key("Гимназия")) == 0.0


def test_a_school_and_a_gymnasium_of_one_number_are_not_a_confident_match():
    scored = ranked("Школа № 5", [(1, "МБОУ «СОШ № 5»", ()), (2, "МБОУ «Гимназия № 5»", ())])
    assert confident(scored) is None


def test_a_full_official_name_is_confidently_its_registry_school():
    known = [(1, "МБОУ «СОШ № 5 им. А.С. Пушкина»", ()), (2, "МБОУ «СОШ № 15»", ())]
    assert confident(ranked(OFFICIAL, known)) == 1


def test_two_equally_good_candidates_are_no_confident_match():
    known = [(1, "МБОУ «СОШ № 5» корпус 1", ()), (2, "МБОУ «СОШ № 5» корпус 2", ())]
    assert confident(ranked("СОШ № 5", known)) is None


def test_an_alias_matches_like_the_name():
    known = [(7, "МБОУ «Гимназия № 1»", ("Первая гимназия № 1",))]
    assert ranked("первая гимназия №1", known) == [(7, 100.0)]


def test_numbers_in_another_order_are_other_numbers():
    assert score(match_key("СОШ № 1.2"), match_key("СОШ № 2.1")) == 0.0


def test_a_small_latin_k_in_a_cyrillic_name_is_the_cyrillic_letter():
    assert match_key("Детский сад «kуннэй»") == match_key("Детский сад «Куннэй»")
