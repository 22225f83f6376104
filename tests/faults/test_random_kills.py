"""``kill -9`` at a random moment of every writing operation keeps every invariant of
:mod:`tests.faults.invariants`.

The normal run kills each operation once, at a moment drawn from a fixed seed, so it is
the same every run; ``MONITORING_FAULTS=200`` kills 200 times over the operations in
turn, at moments drawn from a new seed (printed, and taken from
``MONITORING_FAULTS_SEED`` to repeat a run). A moment is drawn between the child's
opening of the database and a third past the time the operation takes whole.
"""

from __future__ import annotations

import os
import random
import signal
import time

import pytest

from analytics.store import snapshot
from analytics.store.db import Database
from tests.faults import scenario
from tests.faults.invariants import broken

OPERATIONS = sorted(scenario.OPERATIONS)
COUNT = int(os.environ.get("MONITORING_FAULTS") or 0)
SEED = int(os.environ.get("MONITORING_FAULTS_SEED") or (random.SystemRandom().randrange(10**6)))


def kills() -> list[pytest.param]:
    if not COUNT:
        return [_param(operation, f"{operation}:30") for operation in OPERATIONS]
    print(f"MONITORING_FAULTS_SEED={SEED}")
    return [_param(OPERATIONS[n % len(OPERATIONS)], f"{SEED}:{n}") for n in range(COUNT)]


def _param(operation: str, seed: str) -> pytest.param:
    return pytest.param(operation, seed, id=f"{operation}-{seed}")


@pytest.mark.parametrize(("operation", "seed"), kills())
def test_a_kill_at_a_random_moment_keeps_every_invariant(case, operation, seed):
    found = case(operation)
    delay = random.Random(seed).uniform(0, found.whole.seconds * 1.3)
    process = scenario.child(operation, found.work)
    time.sleep(delay)
    process.send_signal(signal.SIGKILL)
    process.wait(timeout=60)

    with Database(scenario.database(found.work)) as db:
        if operation == "snapshot":
            # A publication's leftovers go with the next publication.
            snapshot.publish(db, found.work / "snapshots")
        wrong = broken(db, found.work, found.before, found.after)

    assert wrong == [], f"killed after {delay:.2f} s"
