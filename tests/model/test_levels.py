"""The levels' record: each level's columns, table, parent and Russian words, as the
pages, documents and queries read them."""

from __future__ import annotations

from analytics.model.levels import LEVEL_INFO, TERRITORY_KEYS, UNIT_LEVELS, Level


def test_each_level_names_its_key_name_column_and_table():
    columns = {info.level: (info.key, info.name, info.table) for info in LEVEL_INFO.values()}
    assert columns == {
        Level.TOTAL: (None, None, None),
        Level.REGION: ("region_id", "region", "regions"),
        Level.MUNICIPALITY: ("municipality_id", "municipality", "municipalities"),
        Level.DISTRICT: ("district_id", "district", "districts"),
        Level.ORGANIZATION: ("org_id", "organization", "organizations"),
    }


def test_an_organisations_parent_is_its_municipality_since_districts_are_optional():
    parents = {info.level: info.parent for info in LEVEL_INFO.values()}
    assert parents == {
        Level.TOTAL: None,
        Level.REGION: None,
        Level.MUNICIPALITY: Level.REGION,
        Level.DISTRICT: Level.MUNICIPALITY,
        Level.ORGANIZATION: Level.MUNICIPALITY,
    }


def test_a_level_is_chosen_from_a_list_by_its_lowercase_noun():
    nouns = [LEVEL_INFO[level].noun for level in Level]
    assert nouns == ["все территории", "регион", "муниципалитет", "район", "организация"]


def test_one_of_many_units_is_named_in_the_genitive_singular():
    genitives = [LEVEL_INFO[level].genitive for level in Level]
    assert genitives == ["всех территорий", "региона", "муниципалитета", "района", "организации"]


def test_a_breakdown_by_units_is_named_with_po_and_the_dative_plural():
    phrases = [LEVEL_INFO[level].by_units for level in Level]
    assert phrases == [
        "по всем территориям",
        "по регионам",
        "по муниципалитетам",
        "по районам",
        "по организациям",
    ]


def test_the_plural_and_genitive_plural_of_the_units():
    words = [(LEVEL_INFO[level].plural, LEVEL_INFO[level].genitive_plural) for level in Level]
    assert words == [
        ("все", "всех"),
        ("регионы", "регионов"),
        ("муниципалитеты", "муниципалитетов"),
        ("районы", "районов"),
        ("организации", "организаций"),
    ]


def test_the_unit_levels_run_outermost_first_and_territories_stop_above_organisations():
    assert [i.level for i in UNIT_LEVELS] == [
        Level.REGION,
        Level.MUNICIPALITY,
        Level.DISTRICT,
        Level.ORGANIZATION,
    ]
    assert TERRITORY_KEYS == ("region_id", "municipality_id", "district_id")
