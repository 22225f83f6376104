"""A database with something of every kind, and every writing operation on it, each runnable
in a child process that a test kills (``python -m tests.faults.scenario OP DB WORK``).

The child opens the database, says ``ready``, runs the operation and says ``done`` with
the seconds it took; the test kills it at a named point (``MONITORING_FAULT_AT``, see
:mod:`analytics.store.faults`) or after a delay.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path

from analytics.compute.person_bases import delete_person_bases
from analytics.compute.trajectories import territory_scope
from analytics.ingest import aliases
from analytics.ingest.load import Decisions, ingest_bytes, latest_upload, rollback
from analytics.ingest.parse import Defaults
from analytics.meetings import rounds
from analytics.meetings.decisions import Assignment, add_decision
from analytics.meetings.meetings import Sitting, create_meeting
from analytics.meetings.round_templates import organization_template
from analytics.model.contract import FormKind
from analytics.model.levels import Level
from analytics.store import backup, snapshot
from analytics.store.db import Database
from analytics.store.scope import Scope
from tests import registerfiles, roundfiles
from tests.filemakers import csv_bytes, org, table

ROOT = Path(__file__).resolve().parents[2]
DEFAULTS = Defaults(
    region="Удмуртская Республика", municipality="г. Сарапул", org_type="school", period="2023"
)
# Forms of the first upload; the big one replaces them and adds as many again.
FIRST_FORMS = 150
BIG_FORMS = 300
SCHOOL = roundfiles.SCHOOLS[0]


def big_forms() -> bytes:
    return csv_bytes(
        table([org(f"СОШ № {i}", teachers_total=50 + i % 7) for i in range(BIG_FORMS)])
    )


def database(work: Path) -> Path:
    return work / "data" / "monitoring.duckdb"


def build(work: Path) -> None:
    """The database of ``work`` with forms, a registry, person bases, an open round, a
    meeting and a backup of it all (under ``work/saved``), and the files the operations
    load (under ``work/inputs``)."""
    inputs = work / "inputs"
    inputs.mkdir(parents=True)
    with Database(database(work)) as db:
        registerfiles.load_registers(db)
        first = [org(f"СОШ № {i}") for i in range(FIRST_FORMS)]
        ingest_bytes(db, "первая.csv", csv_bytes(table(first)), defaults=DEFAULTS)
        orgs = roundfiles.load_registry(db)
        round_id = roundfiles.open_city_round(db)
        template = organization_template(db, round_id, orgs[SCHOOL])
        (inputs / "школа.xlsx").write_bytes(roundfiles.filled(template))
        create_meeting(db, Scope(periods=("2023",)), Sitting(date(2023, 7, 15)))
        (inputs / "большой.csv").write_bytes(big_forms())
        backup.create(db, work / "saved" / "копия.zip")


def _school(db: Database) -> int:
    return int(db.scalar("SELECT org_id FROM organizations WHERE name = ?", [SCHOOL]))


def _ingest(db: Database, work: Path) -> None:
    name = "большой.csv"
    ingest_bytes(db, name, (work / "inputs" / name).read_bytes(), defaults=DEFAULTS)


def _registry(db: Database, work: Path) -> None:
    ingest_bytes(db, "реестр-2.xlsx", roundfiles.registry_bytes(), FormKind.REGISTRY)


def _bases(db: Database, work: Path) -> None:
    mentees = registerfiles.register_csv(registerfiles.MENTEE_HEADER, registerfiles.MENTEES_1[:-1])
    ingest_bytes(
        db,
        "наставляемые-2.csv",
        mentees,
        FormKind.MENTEES,
        registerfiles.DEFAULTS,
        decisions=Decisions(replace_partial=True),
    )


def _bases_deleted(db: Database, work: Path) -> None:
    school = db.scalar("SELECT org_id FROM organizations WHERE name = ?", [registerfiles.SCHOOL_1])
    delete_person_bases(db, int(school))


def _rollback(db: Database, work: Path) -> None:
    rollback(db, int(latest_upload(db)), keep_used=True)


def _backup(db: Database, work: Path) -> None:
    backup.create(db, work / "backups" / "новая.zip")


def _snapshot(db: Database, work: Path) -> None:
    (work / "snapshots").mkdir(exist_ok=True)
    snapshot.publish(db, work / "snapshots")


def _round(db: Database, work: Path) -> None:
    round_id = int(db.scalar("SELECT max(round_id) FROM rounds"))
    name = "школа.xlsx"
    rounds.submit(db, round_id, name, (work / "inputs" / name).read_bytes(), FormKind.ORG_FORM)


def _decision(db: Database, work: Path) -> None:
    meeting = int(db.scalar("SELECT max(meeting_id) FROM meetings"))
    region = int(db.scalar("SELECT min(region_id) FROM regions"))
    add_decision(
        db,
        meeting,
        territory_scope(Level.REGION, region, indicators=("regulation",)),
        Assignment("Утвердить положение о наставничестве", "Кардакова Е. А.", date(2023, 9, 1)),
    )


def _alias(db: Database, work: Path) -> None:
    aliases.add(db, "Школа номер один", _school(db))


# Each writing operation, run on an open database (restore opens none: it replaces the
# file, and is given None).
OPERATIONS: dict[str, Callable[[Database, Path], None]] = {
    "ingest": _ingest,
    "registry": _registry,
    "bases": _bases,
    "bases-deleted": _bases_deleted,
    "rollback": _rollback,
    "backup": _backup,
    "snapshot": _snapshot,
    "round": _round,
    "decision": _decision,
    "alias": _alias,
    "restore": lambda db, work: backup.restore(
        database(work), work / "saved" / "копия.zip", confirmed=True
    ),
}
OPENS_NONE = frozenset({"restore"})


def run(operation: str, work: Path) -> None:
    """Run ``operation`` in this process, as the child does."""
    if operation in OPENS_NONE:
        OPERATIONS[operation](None, work)  # type: ignore[arg-type]
        return
    with Database(database(work)) as db:
        OPERATIONS[operation](db, work)


def child(operation: str, work: Path, fault_at: str | None = None) -> subprocess.Popen:
    """Start ``operation`` on ``work`` in a child process; returns once it is ready."""
    env = {k: v for k, v in os.environ.items() if k != "MONITORING_FAULT_AT"}
    if fault_at is not None:
        env["MONITORING_FAULT_AT"] = fault_at
    process = subprocess.Popen(
        [sys.executable, "-m", "tests.faults.scenario", operation, str(work)],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert process.stdout is not None
    assert process.stdout.readline().strip() == "ready"
    return process


def main(operation: str, work: Path) -> None:
    db = None if operation in OPENS_NONE else Database(database(work))
    print("ready", flush=True)
    started = time.monotonic()
    OPERATIONS[operation](db, work)  # type: ignore[arg-type]
    print("done", time.monotonic() - started, flush=True)
    if db is not None:
        db.close()


if __name__ == "__main__":
    main(sys.argv[1], Path(sys.argv[2]))
