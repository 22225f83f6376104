"""The ingest ratio of issue 27 and a byte-for-byte guard of what the ingest stores.

Ingest ratio = (``python -m analytics ingest FILE`` − ``python -m analytics --help``) ÷
(a fresh ``python -c`` reading the same CSV into a DuckDB table − ``python -c "import
duckdb"``), every command a whole process, the four run in turn ``--runs`` times (so a
change of the machine's load hits each alike), medians of wall and of CPU time (user +
system of the process). FILE is the latest period's form CSVs of a size joined into one
(:func:`benchmarks.issue.one_csv`), loaded into a copy of a database holding the registry.

``--digest`` loads, with the code of ``--code`` (a checkout; this one by default), the
registry files, the joined files of the last two periods, and the last one again with its
rows in reverse order (every form replaced, so the history is written too), then hashes
every table of the database, exported ordered by all its columns; timestamps (the moment
of the run) are left out. Two checkouts whose digests are equal stored the same tables::

    .venv/bin/python -m benchmarks.national --size country --out /tmp/national
    .venv/bin/python -m benchmarks.ingest_columns --files /tmp/national --work /tmp/ic \\
        --digest --code /work/main --save /tmp/ic/main.json
    .venv/bin/python -m benchmarks.ingest_columns --files /tmp/national --work /tmp/ic \\
        --digest --compare /tmp/ic/main.json
    .venv/bin/python -m benchmarks.ingest_columns --files /tmp/national --work /tmp/ic \\
        --ratio --code /work/main .
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

import duckdb

from benchmarks.issue import one_csv, one_csv_of

ROOT = Path(__file__).resolve().parents[1]

_READ = (
    "import duckdb, sys; duckdb.connect().execute("
    "'CREATE TABLE t AS SELECT * FROM read_csv(?)', [sys.argv[1]])"
)


def _run(argv: list[str], cwd: Path) -> tuple[float, float]:
    """Wall and CPU seconds of the process ``argv`` (its output discarded)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    subprocess.run(argv, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu


def _cli(*argv: str) -> list[str]:
    return [sys.executable, "-m", "analytics", *argv]


def _joined(files: Path, work: Path) -> list[Path]:
    """The last two periods' form files joined one file per period, and the last again
    with its data rows in reverse order."""
    periods = sorted(p for p in (files / "forms").iterdir() if p.is_dir())
    joined = []
    for period in periods[-2:]:
        path, _ = one_csv_of(period, work / f"{period.name}.csv")
        joined.append(path)
    header, *rows = joined[-1].read_bytes().splitlines(keepends=True)
    reverse = work / f"{periods[-1].name}-reversed.csv"
    reverse.write_bytes(header + b"".join(reversed(rows)))
    return [*joined, reverse]


def digest(files: Path, work: Path, code: Path) -> dict[str, str]:
    """The sha256 of every table after the loads described in the module's text."""
    work.mkdir(parents=True, exist_ok=True)
    target = work / f"digest-{code.name}"
    shutil.rmtree(target, ignore_errors=True)
    target.mkdir()
    db = target / "forms.duckdb"
    registry = sorted(str(p) for p in (files / "registry").glob("*.csv"))
    loads = [["--kind", "registry", *registry], *([str(p)] for p in _joined(files, work))]
    for argv in loads:
        subprocess.run(
            [sys.executable, "-m", "analytics", "--db", str(db), "ingest", *argv],
            cwd=code,
            stdout=subprocess.DEVNULL,
            check=True,
        )
    return table_digests(db)


# Rows that hold a moment of the run, not data: the moment the data last changed.
_MOMENTS = {"meta": "WHERE key <> 'data_changed_at'"}


def table_digests(db: Path) -> dict[str, str]:
    """Per table, the sha256 of its rows as CSV ordered by all columns, timestamps (and
    :data:`_MOMENTS`) left out."""
    con = duckdb.connect(str(db), read_only=True)
    con.execute("SET enable_progress_bar = false")
    digests = {}
    try:
        tables = [
            t
            for (t,) in con.execute(
                "SELECT table_name FROM duckdb_tables() WHERE schema_name = 'main' "
                "ORDER BY table_name"
            ).fetchall()
        ]
        for table in tables:
            columns = [
                c
                for c, kind in con.execute(
                    "SELECT column_name, data_type FROM duckdb_columns() "
                    "WHERE table_name = ? AND schema_name = 'main' ORDER BY column_index",
                    [table],
                ).fetchall()
                if not kind.startswith("TIMESTAMP")
            ]
            listed = ", ".join(f'"{c}"' for c in columns)
            out = db.with_name(f"{table}.csv")
            where = _MOMENTS.get(table, "")
            con.execute(f"COPY (SELECT {listed} FROM {table} {where} ORDER BY ALL) TO '{out}'")
            digests[table] = hashlib.sha256(out.read_bytes()).hexdigest()
            out.unlink()
    finally:
        con.close()
    return digests


def ratio(files: Path, work: Path, runs: int, codes: list[Path]) -> dict:
    """The ingest ratio of the command line of each checkout of ``codes``: every process
    ``runs`` times, the checkouts' ingest and help and the reference's two processes in
    turn (so a change of the machine's load hits each alike); medians."""
    work.mkdir(parents=True, exist_ok=True)
    path, rows = one_csv(files, work / "one.csv")
    registry = work / "registry.duckdb"
    if not registry.exists():
        listed = sorted(str(p) for p in (files / "registry").glob("*.csv"))
        argv = _cli("--db", str(registry), "ingest", "--kind", "registry", *listed)
        subprocess.run(argv, cwd=ROOT, stdout=subprocess.DEVNULL, check=True)
    names = [f"{kind} {code}" for code in codes for kind in ("ingest", "help")]
    times: dict[str, list[tuple[float, float]]] = {k: [] for k in [*names, "read", "duckdb"]}
    for n in range(runs):
        for code in codes:
            copy = work / f"run-{n}" / "forms.duckdb"
            shutil.rmtree(copy.parent, ignore_errors=True)
            copy.parent.mkdir()
            shutil.copy(registry, copy)
            argv = _cli("--db", str(copy), "ingest", str(path))
            times[f"ingest {code}"].append(_run(argv, code))
            times[f"help {code}"].append(_run(_cli("--help"), code))
            shutil.rmtree(copy.parent)
        times["read"].append(_run([sys.executable, "-c", _READ, str(path)], ROOT))
        times["duckdb"].append(_run([sys.executable, "-c", "import duckdb"], ROOT))
    medians = {
        k: {
            "wall": statistics.median(w for w, _ in v),
            "cpu": statistics.median(c for _, c in v),
            "walls": [round(w, 3) for w, _ in v],
        }
        for k, v in times.items()
    }
    result: dict = {"rows": rows, "runs": runs, "medians": medians, "ratios": {}}
    for code in codes:
        for measure in ("wall", "cpu"):
            ours = medians[f"ingest {code}"][measure] - medians[f"help {code}"][measure]
            theirs = medians["read"][measure] - medians["duckdb"][measure]
            result["ratios"][f"{code} {measure}"] = round(ours / theirs, 2)
    result["load"] = os.getloadavg()
    return result


# In one process with the checkout's code first on the path: the CPU seconds (of the
# process, DuckDB's threads included: on a shared machine wall time measures the others)
# of calamine's read of every sheet of the workbook and of ``ingest_file`` of it into a
# copy of the registry's database, imports done before either, ``runs`` times each in
# turn; medians.
_XLSX = """
import json, shutil, statistics, sys, time
code, path, registry, work, runs = sys.argv[1:6]
sys.path.insert(0, code)
from python_calamine import CalamineWorkbook
from analytics.ingest.load import ingest_file
from analytics.store.db import Database
read, load = [], []
for n in range(int(runs)):
    started = time.process_time()
    book = CalamineWorkbook.from_path(path)
    for name in book.sheet_names:
        book.get_sheet_by_name(name).to_python(skip_empty_area=False)
    read.append(time.process_time() - started)
    target = f"{work}/xlsx-{n}.duckdb"
    shutil.copy(registry, target)
    with Database(target) as db:
        started = time.process_time()
        ingest_file(db, path)
        load.append(time.process_time() - started)
print(json.dumps({"read": statistics.median(read), "ingest": statistics.median(load)}))
"""


def xlsx_ratio(files: Path, work: Path, runs: int, codes: list[Path]) -> dict:
    """In process, each checkout's ``ingest_file`` of the largest XLSX form file of the
    latest period ÷ calamine's read of the same workbook (see :data:`_XLSX`)."""
    periods = sorted(p for p in (files / "forms").iterdir() if p.is_dir())
    path = max(periods[-1].glob("*.xlsx"), key=lambda p: p.stat().st_size)
    registry = work / "registry.duckdb"
    result: dict = {"file": path.name}
    for code in codes:
        argv = [str(code), str(path), str(registry), str(work), str(runs)]
        found = subprocess.run(
            [sys.executable, "-c", _XLSX, *argv],
            cwd=code,
            capture_output=True,
            text=True,
            check=True,
        )
        seconds = json.loads(found.stdout.strip().splitlines()[-1])
        seconds["ratio"] = round(seconds["ingest"] / seconds["read"], 2)
        result[str(code)] = seconds
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--files", type=Path, required=True, help="benchmarks.national --out")
    parser.add_argument("--work", type=Path, required=True)
    parser.add_argument("--ratio", action="store_true")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--xlsx", action="store_true", help="the XLSX ratio, in process")
    parser.add_argument("--digest", action="store_true")
    parser.add_argument(
        "--code", type=Path, nargs="+", default=[ROOT], help="checkouts whose code loads"
    )
    parser.add_argument("--save", type=Path, help="write the digests as JSON here")
    parser.add_argument("--compare", type=Path, help="digests saved earlier to compare with")
    args = parser.parse_args()
    if args.digest:
        found = digest(args.files, args.work, args.code[0].resolve())
        if args.save:
            args.save.write_text(json.dumps(found, indent=1))
        if args.compare:
            before = json.loads(args.compare.read_text())
            differ = sorted(t for t in {*before, *found} if before.get(t) != found.get(t))
            print(f"tables: {len(found)}, differ: {differ or 'none'}")
            if differ:
                sys.exit(1)
        else:
            print(json.dumps(found, indent=1, ensure_ascii=False))
    if args.ratio:
        found = ratio(args.files, args.work, args.runs, [c.resolve() for c in args.code])
        print(json.dumps(found, indent=1, ensure_ascii=False))
    if args.xlsx:
        found = xlsx_ratio(args.files, args.work, args.runs, [c.resolve() for c in args.code])
        print(json.dumps(found, indent=1, ensure_ascii=False))


if __name__ == "__main__":
    main()
