"""A process killed at each named point of :mod:`analytics.store.faults` (exit 137, as
``kill -9``) leaves a database that keeps every invariant of :mod:`tests.faults.invariants`,
and the state before the action or the state after it, as the point says."""

from __future__ import annotations

import pytest

from analytics.store import faults
from analytics.store.db import Database
from tests.faults import scenario
from tests.faults.invariants import broken, signature
from tests.registerfiles import MENTEES_1, MENTORS_1, names_in

# The names in the bases of the school whose bases are deleted.
SCHOOL_1_NAMES = tuple(
    {str(row[0]) for row in (*MENTORS_1, *MENTEES_1)} | {str(r[3]) for r in MENTEES_1 if r[3]}
)


def killed(case, operation: str, point: str) -> tuple[dict, list[str], object]:
    """Run ``operation`` killed at ``point``; the state found, the invariants broken and
    the case."""
    found = case(operation)
    process = scenario.child(operation, found.work, fault_at=point)
    assert process.wait(timeout=120) == faults.KILLED
    with Database(scenario.database(found.work)) as db:
        state = signature(db)
        return state, broken(db, found.work, found.before, found.after), found


@pytest.mark.parametrize(
    ("operation", "point", "outcome"),
    [
        ("round", "round.loaded", "before"),
        ("bases", "upload.staged", "before"),
        ("bases", "upload.committed", "after"),
        ("rollback", "commit.before", "before"),
        ("decision", "commit.after", "after"),
    ],
)
def test_a_kill_at_a_named_point_keeps_every_invariant(case, operation, point, outcome):
    state, wrong, found = killed(case, operation, point)

    assert wrong == []
    assert state == (found.before if outcome == "before" else found.after)


@pytest.mark.parametrize("point", ["bases.committed", "rewrite.copied"])
def test_deleted_bases_killed_before_the_file_is_rewritten_leave_no_name_in_any_file(case, point):
    state, wrong, found = killed(case, "bases-deleted", point)
    files = sorted(p for p in (found.work / "data").rglob("*") if p.is_file())
    holding = [
        p.name
        for p in files
        if names_in(p.read_bytes().decode("utf-8", errors="ignore"), SCHOOL_1_NAMES)
    ]

    assert (wrong, holding) == ([], [])
    assert state == found.after


def test_a_round_file_killed_before_its_submission_is_neither_loaded_nor_submitted(case):
    state, _, found = killed(case, "round", "round.loaded")

    assert (state["uploads"], state["round_submissions"], state["form_values"]) == (
        found.before["uploads"],
        0,
        found.before["form_values"],
    )
    assert (found.after["uploads"], found.after["round_submissions"]) == (
        found.before["uploads"] + 1,
        1,
    )


def test_every_named_point_is_reached_by_some_test():
    reached = {
        "round.loaded",
        "upload.staged",
        "upload.committed",
        "commit.before",
        "commit.after",
        "bases.committed",
        "rewrite.copied",
    }

    assert reached == set(faults.POINTS)
