"""Named points where a test may kill the process, to prove that no kill loses a committed
change or leaves a file behind (see ``tests/faults``).

With ``MONITORING_FAULT_AT`` set to one of :data:`POINTS`, the process ends at once with
exit code 137 (as after ``kill -9``) when it reaches that point: no ``finally``, no
``atexit``, no DuckDB checkpoint runs. Unset (always, outside the fault tests) a point
costs one dictionary look-up.
"""

from __future__ import annotations

import os

ENV = "MONITORING_FAULT_AT"
KILLED = 137

# Every point, once, with the moment it marks.
POINTS: dict[str, str] = {
    "upload.staged": "an upload's file is written under its temporary name; not committed",
    "upload.committed": "an upload is committed; its file not yet renamed into the archive",
    "round.loaded": "a round file's forms are written; its submissions not yet",
    "bases.committed": "deleted person bases are committed; their archived files not removed",
    "rewrite.copied": "the database's live copy is written; not yet renamed over the file",
    "commit.before": "any writing transaction, just before its COMMIT",
    "commit.after": "any writing transaction, just after its COMMIT",
}


def point(name: str) -> None:
    """End the process here if ``MONITORING_FAULT_AT`` names this point."""
    assert name in POINTS, name
    if os.environ.get(ENV) == name:
        os._exit(KILLED)
