"""One process, many sessions: readers running while uploads commit see either the old or
the new data, never a mix and never an error; concurrent uploads all land, in order. A
command-line ingest while another process holds the database waits, then succeeds or
fails with a clear message."""

from __future__ import annotations

import io
import threading
import time
from collections.abc import Callable
from pathlib import Path

import pandas as pd
import pytest

from analytics.cli.main import main
from analytics.compute.indicators import compute
from analytics.ingest.load import RollbackRefused, ingest_bytes, latest_upload, rollback
from analytics.ingest.parse import Defaults
from analytics.model.levels import Level
from analytics.store import audit
from analytics.store.db import Database
from analytics.store.scope import Scope
from tests.filemakers import csv_bytes, org, state, table, write_csv
from tests.processes import hold

READERS_IN_SNAPSHOT = 4
READERS_OF_ONE_QUERY = 4
MIN_READS = 5
TOTALS = Scope(levels=(Level.TOTAL,))


def defaults(municipality: str) -> Defaults:
    return Defaults(
        region="Удмуртская Республика", municipality=municipality, org_type="school", period="2023"
    )


def form(prefix: str, count: int, **values: object) -> bytes:
    return csv_bytes(table([org(f"{prefix} № {i}", **values) for i in range(count)]))


# Each writer's steps, in its own order: (file name, municipality, content) uploads, or
# ("rollback", file name) undoing the upload of that file; ("rollback", None) undoes the
# newest upload in effect when the writer gets the database (only the newest can be
# undone, and the other writer may have committed since this one's last upload).
WRITER_STEPS: dict[str, list[tuple]] = {
    "Глазов": [
        ("глазов-1.csv", "г. Глазов", form("Глазов", 30)),
        ("глазов-2.csv", "г. Глазов", form("Глазов", 30, teachers_total=60, mentors=9)),
        ("глазов-3.csv", "г. Глазов", form("Глазов-новая", 10)),
    ],
    "Сарапул": [
        ("сарапул-1.csv", "г. Сарапул", form("Сарапул", 25)),
        ("сарапул-2.csv", "г. Сарапул", form("Сарапул", 25, young_with_mentor=1)),
        ("rollback", None),
    ],
}
BASE = ("основа.csv", "г. Воткинск", form("Воткинск", 20))


def signature(db: Database) -> tuple:
    """The whole-country values of every indicator, from one query."""
    frame = compute(db, TOTALS)
    return tuple(
        (row.indicator, row.period, number(row.numerator), number(row.denominator))
        for row in frame.sort_values(["indicator", "period"]).itertuples()
    )


def number(value: float) -> float | None:
    return None if pd.isna(value) else float(value)


def snapshot_read(db: Database) -> tuple[int, tuple, int]:
    """A read of several queries that must agree: the data version, the indicators and
    the number of forms."""
    with db.snapshot():
        version = db.data_version()
        values = signature(db)
        forms = int(db.scalar("SELECT count(*) FROM form_values"))
    return version, values, forms


def apply(db: Database, step: tuple, upload_ids: dict[str, int]) -> None:
    if step[0] == "rollback":
        if step[1] is not None:
            rollback(db, upload_ids[step[1]], user="писатель")
            return
        for _ in range(50):
            try:
                rollback(db, latest_upload(db), user="писатель")
                return
            except RollbackRefused:  # an upload committed between the two calls
                continue
        raise AssertionError("the newest upload was never rolled back")
    name, municipality, content = step
    result = ingest_bytes(db, name, content, defaults=defaults(municipality), user="писатель")
    upload_ids[name] = result.upload_id


def expected_states(tmp_path: Path, order: list[tuple]) -> dict[int, tuple[tuple, int]]:
    """Replay the writes in the order they committed on a database of its own; the state
    after each, by data version."""
    upload_ids: dict[str, int] = {}
    states = {}
    with Database(tmp_path / "replay" / "monitoring.duckdb") as db:
        apply(db, BASE, upload_ids)
        states[db.data_version()] = (
            signature(db),
            int(db.scalar("SELECT count(*) FROM form_values")),
        )
        for step in order:
            apply(db, step, upload_ids)
            states[db.data_version()] = (
                signature(db),
                int(db.scalar("SELECT count(*) FROM form_values")),
            )
    return states


def committed_order(db: Database) -> list[tuple]:
    """The writers' steps in the order the audit log recorded them."""
    uploads = {
        step[0]: step for steps in WRITER_STEPS.values() for step in steps if step[0] != "rollback"
    }
    frame = audit.entries(db).sort_values("entry_id")
    order = []
    for row in frame.itertuples():
        if row.details["file"] == BASE[0]:
            continue
        if row.action == "rollback":
            order.append(("rollback", row.details["file"]))
        else:
            order.append(uploads[row.details["file"]])
    return order


def run_threads(workers: list[Callable[[], None]]) -> list[BaseException]:
    errors: list[BaseException] = []

    def guarded(work: Callable[[], None]) -> Callable[[], None]:
        def run() -> None:
            try:
                work()
            except BaseException as error:  # every failure is reported by the test
                errors.append(error)

        return run

    threads = [threading.Thread(target=guarded(w)) for w in workers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return errors


@pytest.fixture(scope="module")
def contended(tmp_path_factory: pytest.TempPathFactory) -> dict[str, object]:
    """Eight readers and two writers on one Database; what each saw and what landed."""
    tmp_path = tmp_path_factory.mktemp("concurrency")
    db = Database(tmp_path / "live" / "monitoring.duckdb")
    apply(db, BASE, {})
    writing = threading.Event()
    writing.set()
    snapshot_reads: list[tuple[int, tuple, int]] = []
    single_reads: list[tuple] = []

    def writer(steps: list[tuple]) -> Callable[[], None]:
        def run() -> None:
            upload_ids: dict[str, int] = {}
            for step in steps:
                time.sleep(0.05)  # let readers run between the commits
                apply(db, step, upload_ids)

        return run

    def reader(read: Callable[[], object], into: list) -> Callable[[], None]:
        def run() -> None:
            done = 0
            # Reads go on while anyone writes, and a few more: at least MIN_READS each,
            # however slow the machine.
            while writing.is_set() or done < MIN_READS:
                into.append(read())
                done += 1
            for _ in range(3):  # and some after the last commit
                into.append(read())

        return run

    readers = [reader(lambda: snapshot_read(db), snapshot_reads)] * READERS_IN_SNAPSHOT + [
        reader(lambda: signature(db), single_reads)
    ] * READERS_OF_ONE_QUERY
    writers = [writer(steps) for steps in WRITER_STEPS.values()]

    def writers_then_stop() -> None:
        errors = run_threads(writers)
        writing.clear()
        if errors:
            raise errors[0]

    errors = run_threads([*readers, writers_then_stop])
    order = committed_order(db)
    uploads = db.query("SELECT upload_id, file_name, uploaded_at FROM uploads ORDER BY upload_id")
    db.close()
    return {
        "errors": errors,
        "snapshot_reads": snapshot_reads,
        "single_reads": single_reads,
        "expected": expected_states(tmp_path, order),
        "uploads": uploads,
    }


def test_no_reader_or_writer_fails(contended):
    assert contended["errors"] == []


def test_a_read_of_several_queries_in_a_snapshot_sees_one_committed_state(contended):
    expected = contended["expected"]
    for version, values, forms in contended["snapshot_reads"]:
        assert (values, forms) == expected[version]


def test_a_one_query_read_sees_one_committed_state(contended):
    states = {values for values, _ in contended["expected"].values()}
    assert all(values in states for values in contended["single_reads"])


def test_readers_saw_states_from_before_during_and_after_the_uploads(contended):
    versions = {version for version, _, _ in contended["snapshot_reads"]}
    assert min(versions) == min(contended["expected"])
    assert max(versions) == max(contended["expected"])


def test_both_writers_uploads_all_land_each_in_its_own_order(contended):
    uploads = contended["uploads"]
    names = uploads["file_name"].tolist()
    assert sorted(names) == sorted(
        [BASE[0], *(s[0] for steps in WRITER_STEPS.values() for s in steps if s[0] != "rollback")]
    )
    for steps in WRITER_STEPS.values():
        own = [s[0] for s in steps if s[0] != "rollback"]
        assert [n for n in names if n in own] == own
    assert uploads["uploaded_at"].is_monotonic_increasing


def test_a_snapshot_does_not_see_an_upload_that_commits_during_it(fresh_db):
    apply(fresh_db, BASE, {})
    step = WRITER_STEPS["Глазов"][0]
    with fresh_db.snapshot():
        before = snapshot_read(fresh_db)
        writer = threading.Thread(target=apply, args=(fresh_db, step, {}))
        writer.start()
        writer.join()
        during = snapshot_read(fresh_db)
    assert during == before
    assert snapshot_read(fresh_db)[0] == before[0] + 1


# --- a command-line ingest while another process holds the database ---------------------


def ingest_argv(path: Path, file: Path, wait: float) -> list[str]:
    return [
        "--db",
        str(path),
        "ingest",
        str(file),
        "--region",
        "Удмуртская Республика",
        "--municipality",
        "г. Глазов",
        "--org-type",
        "school",
        "--period",
        "2023",
        "--wait",
        str(wait),
    ]


def test_a_command_line_ingest_waits_for_the_other_process_and_then_loads(tmp_path, capsys):
    path = tmp_path / "monitoring.duckdb"
    Database(path).close()
    file = write_csv(tmp_path / "форма.csv", table([org("СОШ № 1"), org("СОШ № 2")]))
    holder = hold(path, 1.5)
    try:
        out = io.StringIO()
        assert main(ingest_argv(path, file, 30), out=out) == 0
    finally:
        holder.wait(timeout=30)
    assert out.getvalue().startswith("форма.csv: загружено строк — 2")
    assert "База данных занята другим процессом; ждём до 30 с…" in capsys.readouterr().err
    with Database(path) as db:
        assert db.scalar("SELECT count(*) FROM form_values") == 2


def test_a_command_line_ingest_gives_up_after_its_wait_with_a_clear_message(tmp_path, capsys):
    path = tmp_path / "monitoring.duckdb"
    with Database(path) as db:
        before = state(db)
    file = write_csv(tmp_path / "форма.csv", table([org("СОШ № 1")]))
    holder = hold(path, 30)
    try:
        started = time.monotonic()
        assert main(ingest_argv(path, file, 0.5), out=io.StringIO()) == 1
        waited = time.monotonic() - started
    finally:
        holder.kill()
        holder.wait()
    err = capsys.readouterr().err
    assert err.splitlines()[-1] == (
        f"Ошибка: база данных {path} занята другим процессом (например, запущенной панелью "
        "мониторинга); повторите попытку, когда он завершит работу (ждали 0,5 с); данные не "
        "изменены"
    )
    assert 0.5 <= waited < 5
    with Database(path) as db:
        assert state(db) == before


def test_a_nested_snapshot_shares_the_outer_one(fresh_db):
    apply(fresh_db, BASE, {})
    with fresh_db.snapshot():
        outer = fresh_db.data_version()
        apply(fresh_db, WRITER_STEPS["Глазов"][0], {})  # commits on a cursor of its own
        with fresh_db.snapshot():
            inner = fresh_db.data_version()
        after_inner = fresh_db.data_version()
    assert (outer, inner, after_inner) == (1, 1, 1)
    assert fresh_db.data_version() == 2
