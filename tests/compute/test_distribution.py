"""The distribution of one indicator over the organisations: bins counted by the engine,
checked against values chosen by hand and against numpy's own histogram of them."""

from __future__ import annotations

import numpy as np
import pytest

from analytics.compute.distribution import EMPTY, binned
from analytics.compute.indicators import compute
from analytics.compute.lookups import find_territory
from analytics.compute.targets import set_target
from analytics.ingest.load import ingest_bytes
from analytics.model.levels import Level
from analytics.operations.access import LOCAL_PRINCIPAL, Principal, View
from analytics.operations.users import Role
from analytics.store.db import Database
from analytics.store.scope import Scope
from tests.filemakers import FULL_COLUMNS, csv_bytes, located_org, org_id, table

ALPHA, BETA = "г. Альфа", "г. Бета"
PERIOD = "2023"
# «Доля педагогов, включённых в систему наставничества» of each school (Школа А1 …
# Школа Б4): with 200 teachers, (mentors + mentees) / 2 per cent.
SHARES = {
    ALPHA: [3.0, 12.0, 12.5, 22.0],
    BETA: [47.0, 55.0, 99.0, 100.0],
}
LETTERS = {ALPHA: "А", BETA: "Б"}
FIVE_POINTS = tuple(float(5 * i) for i in range(21))


def involved(name: str, municipality: str, share: float) -> dict[str, object]:
    """A school of 200 teachers, ``share`` per cent of them mentors or mentees."""
    people = round(2 * share)
    return located_org(
        name,
        municipality,
        PERIOD,
        teachers_total=200,
        mentors=people // 2,
        mentees=people - people // 2,
    )


def load(db: Database, schools: list[dict[str, object]]) -> None:
    ingest_bytes(db, "формы.csv", csv_bytes(table(schools, FULL_COLUMNS)))


@pytest.fixture
def db(fresh_db: Database) -> Database:
    """Four schools of Альфа and four of Бета with the :data:`SHARES` of teachers involved."""
    load(
        fresh_db,
        [
            involved(f"Школа {LETTERS[municipality]}{n}", municipality, share)
            for municipality, shares in SHARES.items()
            for n, share in enumerate(shares, 1)
        ],
    )
    return fresh_db


def test_percentages_fall_in_twenty_bins_of_five_points_with_100_in_the_last(db: Database):
    found = binned(db, Scope(), PERIOD, "teachers_involved")

    assert found.edges == FIVE_POINTS
    counts = [0] * 20
    counts[0], counts[2], counts[4], counts[9], counts[11], counts[19] = 1, 2, 1, 1, 1, 2
    assert found.counts == tuple(counts)
    assert (found.meets, found.count) == (5, 8)  # 22 % and above meet the default 20 %


def test_the_bins_are_numpys_histogram_of_the_organisations_values(db: Database):
    found = binned(db, Scope(), PERIOD, "teachers_involved")

    frame = compute(db, Scope(periods=(PERIOD,), levels=(Level.ORGANIZATION,)))
    values = frame.loc[frame["indicator"] == "teachers_involved", "value"]
    counts, edges = np.histogram(values, bins=20, range=(0, 100))
    assert found.counts == tuple(int(c) for c in counts)
    assert found.edges == tuple(float(e) for e in edges)


def test_a_scope_counts_only_its_own_organisations(db: Database):
    alpha = find_territory(db, "municipality", ALPHA)

    found = binned(db, Scope(municipality_id=alpha), PERIOD, "teachers_involved")

    assert (found.counts[0], found.counts[2], found.counts[4]) == (1, 2, 1)
    assert sum(found.counts) == 4
    assert (found.meets, found.count) == (1, 4)


def test_a_scope_without_values_has_no_bins(db: Database):
    assert binned(db, Scope(), "2030", "teachers_involved") == EMPTY


def test_a_share_over_100_percent_adds_five_point_bins_up_to_it(fresh_db: Database):
    load(fresh_db, [involved("Школа 1", ALPHA, 100.0), involved("Школа 2", ALPHA, 112.0)])

    found = binned(fresh_db, Scope(), PERIOD, "teachers_involved")

    assert found.edges == tuple(float(5 * i) for i in range(24))
    assert found.counts == (0,) * 20 + (1, 0, 1)


def test_meeting_the_target_is_judged_against_each_territorys_own_target(db: Database):
    beta = find_territory(db, "municipality", BETA)
    set_target(db, "teachers_involved", 60, level=Level.MUNICIPALITY, territory_id=beta)

    found = binned(db, Scope(), PERIOD, "teachers_involved")

    # Альфа's 22 % meets the default 20 %; of Бета only 99 % and 100 % meet its 60 %.
    assert (found.meets, found.count) == (3, 8)
    frame = compute(db, Scope(periods=(PERIOD,), levels=(Level.ORGANIZATION,)))
    rows = frame[frame["indicator"] == "teachers_involved"]
    assert found.meets == int((rows["status"] == "green").sum())


def mentor_loads(db: Database, mentees: list[int]) -> None:
    """One school of two mentors per number of ``mentees``."""
    load(
        db,
        [
            located_org(f"Школа {n}", ALPHA, PERIOD, mentors=2, mentees=m, mentees_completed=0)
            for n, m in enumerate(mentees, 1)
        ],
    )


def test_other_units_fall_in_twenty_equal_bins_from_the_least_value_to_the_largest(
    fresh_db: Database,
):
    mentor_loads(fresh_db, [2, 3, 4, 6, 10])  # 1; 1,5; 2; 3; 5 mentees per mentor

    found = binned(fresh_db, Scope(), PERIOD, "mentor_load")

    counts, edges = np.histogram([1.0, 1.5, 2.0, 3.0, 5.0], bins=20)
    assert found.counts == tuple(int(c) for c in counts)
    assert found.edges == pytest.approx(tuple(edges))
    assert (found.counts[0], found.counts[2], found.counts[5], found.counts[10]) == (1, 1, 1, 1)
    assert found.counts[19] == 1
    assert (found.meets, found.count) == (4, 5)  # at most 3 per mentor


def test_equal_values_of_other_units_make_one_bin(fresh_db: Database):
    mentor_loads(fresh_db, [4, 4, 4])

    found = binned(fresh_db, Scope(), PERIOD, "mentor_load")

    assert (found.edges, found.counts, found.meets, found.count) == ((2.0, 2.0), (3,), 3, 3)


def test_a_curator_gets_the_bins_of_their_own_organisations_only(db: Database):
    own = frozenset(org_id(db, name) for name in ("Школа А1", "Школа Б4"))
    curator = View(db, Principal("куратор", Role.CURATOR, own))

    found = curator.distribution(Scope(periods=(PERIOD,)), "teachers_involved")

    counts = [0] * 20
    counts[0], counts[19] = 1, 1  # 3 % and 100 %
    assert (found.edges, found.counts) == (FIVE_POINTS, tuple(counts))
    assert (found.meets, found.count) == (1, 2)
    everyone = View(db, LOCAL_PRINCIPAL)
    assert (
        everyone.distribution(Scope(periods=(PERIOD,), org_ids=own), "teachers_involved") == found
    )
