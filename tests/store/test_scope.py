"""A Scope keeps the same organisations whether it filters SQL or a frame already read."""

from __future__ import annotations

import pandas as pd
import pytest

from analytics.model.contract import ORG_TYPES
from analytics.model.levels import Level
from analytics.store.db import Database
from analytics.store.scope import ORG_PLACES, Scope

PLACES = pd.DataFrame(
    {
        "org_id": [1, 2, 3, 4],
        "org_type": ["school", "school", "preschool", "school"],
        "region_id": [10, 10, 10, 20],
        "municipality_id": [100, 100, 101, 200],
        "district_id": [None, 1000, None, None],
    }
)


def kept(scope: Scope) -> list[int]:
    return scope.keep(PLACES)["org_id"].tolist()


def test_an_empty_scope_keeps_every_organisation():
    assert kept(Scope()) == [1, 2, 3, 4]


def test_a_municipality_and_a_type_keep_the_schools_of_the_municipality():
    assert kept(Scope(municipality_id=100, org_type="school")) == [1, 2]


def test_a_district_keeps_only_its_organisations():
    assert kept(Scope(district_id=1000)) == [2]


def test_a_curators_organisations_are_kept_within_the_region():
    assert kept(Scope(region_id=10, org_ids=frozenset({3, 4}))) == [3]


@pytest.mark.parametrize(
    "scope",
    [
        Scope(region_id=1),
        Scope(municipality_id=2, org_type="preschool"),
        Scope(org_ids=frozenset({1, 3})),
        Scope(org_id=2),
    ],
    ids=["region", "municipality_and_type", "curator", "organisation"],
)
def test_keep_keeps_the_organisations_where_selects(samples_db: Database, scope: Scope):
    places = samples_db.query(f"SELECT * FROM {ORG_PLACES} ORDER BY org_id")
    condition, params = scope.where("o")
    selected = samples_db.query(
        f"SELECT org_id FROM {ORG_PLACES} o WHERE TRUE{condition} ORDER BY org_id", params
    )

    assert scope.keep(places)["org_id"].tolist() == selected["org_id"].tolist()
    assert len(selected) > 0


def test_a_scopes_unit_is_its_most_specific_territory_or_organisation():
    assert Scope(region_id=1, municipality_id=5, district_id=7).unit() == (Level.DISTRICT, 7)
    assert Scope(municipality_id=5, org_id=42).units() == [
        (Level.MUNICIPALITY, 5),
        (Level.ORGANIZATION, 42),
    ]
    assert Scope(periods=("2023",), org_type="school").unit() == (Level.TOTAL, 0)


def test_a_scope_names_each_type_of_organisation_in_natural_word_order():
    places = pd.DataFrame(columns=["region_id", "region"])
    assert [Scope(org_type=t.code).describe(places).split(" · ")[-1] for t in ORG_TYPES] == [
        "общеобразовательная ОО",
        "дошкольная ОО",
        "ОО дополнительного образования",
        "профессиональная ОО",
    ]
