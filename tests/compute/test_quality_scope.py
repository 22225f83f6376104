"""Quality findings scoped in SQL (a school, a municipality, a region, an organisation
type) are exactly the findings of everything filtered to that scope, in the same order;
so is the list of organisations that did not report."""

from __future__ import annotations

import pandas as pd
import pytest

from analytics.compute import quality
from analytics.compute.lookups import non_reporting, periods
from analytics.store.db import Database
from analytics.store.scope import Scope


def _scopes(db: Database) -> dict[str, Scope]:
    place = db.query(
        "SELECT o.org_id, o.municipality_id, m.region_id, o.org_type FROM form_values f "
        "JOIN organizations o USING (org_id) JOIN municipalities m USING (municipality_id) "
        "ORDER BY o.municipality_id DESC, o.org_id LIMIT 1"
    ).iloc[0]
    return {
        "school": Scope(org_id=int(place["org_id"])),
        "municipality": Scope(municipality_id=int(place["municipality_id"])),
        "region": Scope(region_id=int(place["region_id"])),
        "org type": Scope(org_type=str(place["org_type"])),
    }


def _plain(frame: pd.DataFrame) -> pd.DataFrame:
    """Values as objects, None for blanks: an empty or all-blank column's dtype depends
    on how the frame was made, not on the findings."""
    frame = frame.astype(object)
    return frame.where(frame.notna(), None)


def _orgs_of(db: Database, scope: Scope) -> set[int]:
    frame = db.query(
        "SELECT o.org_id FROM organizations o JOIN municipalities m USING (municipality_id) "
        "WHERE (CAST(? AS BIGINT) IS NULL OR o.org_id = ?) "
        "AND (CAST(? AS BIGINT) IS NULL OR o.municipality_id = ?) "
        "AND (CAST(? AS BIGINT) IS NULL OR m.region_id = ?) "
        "AND (CAST(? AS VARCHAR) IS NULL OR o.org_type = ?)",
        [
            v
            for value in (scope.org_id, scope.municipality_id, scope.region_id, scope.org_type)
            for v in (value, value)
        ],
    )
    return set(frame["org_id"].astype(int))


@pytest.mark.parametrize("name", ["school", "municipality", "region", "org type"])
def test_scoped_findings_are_the_findings_of_everything_filtered_to_the_scope(copy, name):
    scope = _scopes(copy)[name]
    orgs = _orgs_of(copy, scope)
    for period in [None, *periods(copy)]:
        everything = quality.findings(copy, period)
        expected = everything[everything["org_id"].isin(orgs)].reset_index(drop=True)
        found = quality.findings(copy, period, scope)
        pd.testing.assert_frame_equal(_plain(found), _plain(expected))


def test_the_demo_has_findings_of_every_kind_the_scoped_test_relies_on(copy):
    rules = set(quality.findings(copy)["rule"].map(quality.finding_kind))
    assert {"consistency", "missing_answer", "not_reported", "outlier"} <= rules


@pytest.mark.parametrize("name", ["school", "municipality", "region", "org type"])
def test_scoped_non_reporting_is_the_non_reporting_of_everything_in_the_scope(copy, name):
    scope = _scopes(copy)[name]
    orgs = _orgs_of(copy, scope)
    for period in periods(copy):
        everything = non_reporting(copy, period)
        expected = everything[everything["org_id"].isin(orgs)].reset_index(drop=True)
        pd.testing.assert_frame_equal(_plain(non_reporting(copy, period, scope)), _plain(expected))
