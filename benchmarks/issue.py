"""The figures of issue 15 (country scale and many users), each as a ratio measured in the
same run: stage ``issue`` of :mod:`benchmarks.run`.

- ingest: ``python -m analytics ingest`` of one CSV holding every organisation of the size
  (the latest period's form files joined), into a database with the registry loaded, as a
  whole process, against DuckDB's ``read_csv`` of the same file into a table;
- indicators: ``python -m analytics indicators --format csv`` (all levels and periods) as
  a whole process, against the hand-written GROUPING SETS query
  (:data:`benchmarks.run.HAND_SQL`);
- XLSX: the build stage's ingest of the XLSX copies against calamine's own read;
- pages: the slowest page of the whole-country view, cold and warm (stage ``pages``);
- load: N users at once on the largest municipality and on the whole country
  (:mod:`benchmarks.load`; 20 and 10 users, 2 and 2 in quick mode).
"""

from __future__ import annotations

import os
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

import duckdb

ROOT = Path(__file__).resolve().parents[1]

# Targets of issue 15.
INGEST_RATIO = 3.0
INDICATORS_RATIO = 2.0
XLSX_RATIO = 3.0
COLD_SECONDS = 2.0
WARM_SECONDS = 0.5
MUNICIPALITY_MEDIAN_S, MUNICIPALITY_MAX_S = 1.5, 3.0
COUNTRY_MEDIAN_S = 3.0
PEAK_BYTES = 2 * 1024**3


def _process(argv: list[str], out: Path | None = None) -> float:
    """Seconds of ``python -m analytics ARGV`` from start to exit (stdout to ``out``)."""
    started = time.perf_counter()
    with open(out or os.devnull, "wb") as sink:
        subprocess.run(
            [sys.executable, "-m", "analytics", *argv],
            cwd=ROOT,
            stdout=sink,
            stderr=subprocess.DEVNULL,
            check=True,
        )
    return time.perf_counter() - started


def _best(action, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        action()
        times.append(time.perf_counter() - started)
    return min(times)


def one_csv(files_dir: Path, out: Path) -> tuple[Path, int]:
    """The latest period's form CSVs joined into one file (one header); its data rows."""
    periods = sorted(p for p in (files_dir / "forms").iterdir() if p.is_dir())
    return one_csv_of(periods[-1], out)


def one_csv_of(folder: Path, out: Path) -> tuple[Path, int]:
    """The CSV files of ``folder`` joined into one (one header); its data rows."""
    parts = sorted(folder.glob("*.csv"))
    rows = 0
    with out.open("wb") as joined:
        for n, part in enumerate(parts):
            lines = part.read_bytes().splitlines(keepends=True)
            joined.writelines(lines if n == 0 else lines[1:])
            rows += len(lines) - 1
    return out, rows


def ingest_figures(directory: Path, repeat: int) -> dict:
    """Whole-process ingest of one CSV against DuckDB's read_csv of it."""
    from analytics.ingest.load import ingest_file
    from analytics.model.contract import FormKind
    from analytics.store.db import Database

    work = directory / "issue"
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    path, rows = one_csv(directory / "files", work / "one.csv")
    registry = work / "registry.duckdb"
    with Database(registry) as db:
        for f in sorted((directory / "files" / "registry").glob("*.csv")):
            ingest_file(db, f, FormKind.REGISTRY)
    times = []
    for n in range(repeat):
        target = work / f"ingest-{n}.duckdb"
        shutil.copy(registry, target)
        times.append(_process(["--db", str(target), "ingest", str(path)]))
    con = duckdb.connect()

    def read() -> None:
        con.execute("CREATE OR REPLACE TABLE t AS SELECT * FROM read_csv(?)", [str(path)])

    read()
    reader_s = _best(read, 3)
    con.close()
    return {
        "rows": rows,
        "process_s": min(times),
        "reader_s": reader_s,
        "start_s": min(_started() for _ in range(3)),
    }


def _started() -> float:
    """Seconds of a process that only starts Python and imports what ``ingest`` runs:
    the least any ``python -m analytics ingest`` can take."""
    started = time.perf_counter()
    subprocess.run(
        [sys.executable, "-c", "import analytics.cli.main, analytics.ingest.load"],
        cwd=ROOT,
        check=True,
    )
    return time.perf_counter() - started


def indicators_figures(db_path: Path, repeat: int) -> dict:
    """Whole-process ``indicators --format csv`` against the hand-written query."""
    from benchmarks.run import HAND_SQL

    served = db_path.with_name("issue-indicators.duckdb")
    shutil.copy(db_path, served)
    out = db_path.with_name("issue-indicators.csv")
    argv = ["--db", str(served), "indicators", "--format", "csv"]
    _process(argv, out)  # a newer schema's migrations apply first
    process_s = min(_process(argv, out) for _ in range(repeat))
    con = duckdb.connect(str(served), read_only=True)
    con.execute(HAND_SQL).to_arrow_table()
    hand_s = _best(lambda: con.execute(HAND_SQL).to_arrow_table(), 3)
    # The same query written by DuckDB's own COPY: its wide rows as CSV, no names.
    hand_csv = db_path.with_name("issue-hand.csv")
    copy = f"COPY ({HAND_SQL}) TO '{hand_csv}' (FORMAT csv, HEADER true)"
    hand_copy_s = _best(lambda: con.execute(copy), 3)
    con.close()
    return {
        "process_s": process_s,
        "hand_s": hand_s,
        "hand_copy_s": hand_copy_s,
        "own_copy_s": _own_copy(out),
        "csv_bytes": out.stat().st_size,
        "hand_csv_bytes": hand_csv.stat().st_size,
    }


def _own_copy(csv: Path) -> float:
    """Seconds DuckDB's ``COPY`` takes to write the command's own rows (read back from
    its CSV as text, so the same cells) into a CSV: what writing them costs with no query."""
    con = duckdb.connect()
    try:
        con.execute("CREATE TABLE own AS SELECT * FROM read_csv(?, all_varchar = true)", [str(csv)])
        target = csv.with_name("issue-own.csv")
        copy = f"COPY own TO '{target}' (FORMAT csv, HEADER true)"
        seconds = _best(lambda: con.execute(copy), 2)
        target.unlink()
        return seconds
    finally:
        con.close()


def load_figures(db_path: Path, quick: bool) -> dict:
    """N users at once: the largest municipality (20; 2 in quick mode) and the country
    (10; 2): median and max of every page step, errors, the server's peak memory."""
    from benchmarks import load

    figures = {}
    for view, n in (("municipality", 2 if quick else 20), ("country", 2 if quick else 10)):
        result = load.run(db_path, (n,), snapshot=False, timeout=300, view=view)
        batch = result["batches"][0]
        steps = batch["step_times"]
        figures[view] = {
            "sessions": n,
            "median_s": statistics.median(steps) if steps else None,
            "max_s": max(steps) if steps else None,
            "errors": len(batch["errors"]),
            "peak_bytes": batch["memory"].get("VmHWM", 0),
            "server_cpu_per_page_s": batch["server_cpu_s"] / max(1, len(steps)),
        }
    return figures


def _ratio(value: float | None, target: float) -> str:
    if value is None:
        return "—"
    return f"{value:.2f} = {value / target:.2f}× цели"


def _ratio_row(
    row,
    figure: str,
    size: str,
    seconds: tuple[float, float],
    limit: float | None = None,
    detail: str = "",
):
    """A row of the ratio of ``seconds`` (ours, the reference's) against ``limit`` (none
    for a floor, which is shown, not judged)."""
    ours, reference = seconds
    ratio = ours / reference
    return row(
        figure,
        size,
        f"{ratio:.1f}× ({ours:.2f} с / {reference:.3f} с{detail})",
        "—" if limit is None else f"≤ {limit:g}×",
        None if limit is None else ratio <= limit,
    )


def rows(results: dict, row) -> list:
    """The issue's table as rows of :func:`benchmarks.run.table` (``row``: its Row)."""
    out = []
    sizes = results["sizes"]
    largest = list(sizes)[-1] if sizes else None
    for size, r in sizes.items():
        i = r.get("issue")
        if not i:
            continue
        g, n = i["ingest"], i["indicators"]
        out.append(
            _ratio_row(
                row,
                "issue: ingest одного CSV (весь процесс) / DuckDB read_csv",
                size,
                (g["process_s"], g["reader_s"]),
                INGEST_RATIO,
                f", {g['rows']:,} строк",
            )
        )
        if g.get("start_s"):
            # The floor: no ingest process takes less than starting Python and importing
            # the engine.
            out.append(
                _ratio_row(
                    row,
                    "issue: запуск Python и импорт движка (нижняя граница) / DuckDB read_csv",
                    size,
                    (g["start_s"], g["reader_s"]),
                )
            )
        out.append(
            _ratio_row(
                row,
                "issue: indicators --format csv (весь процесс) / ручной запрос",
                size,
                (n["process_s"], n["hand_s"]),
                INDICATORS_RATIO,
            )
        )
        if n.get("hand_copy_s"):
            # The words, "the output costs no more than the query", also read
            # against DuckDB writing the query's result; the bytes say how much more the
            # long table (names, one row per indicator) has to write.
            out.append(
                _ratio_row(
                    row,
                    "issue: indicators --format csv (весь процесс) / COPY ручного запроса в CSV",
                    size,
                    (n["process_s"], n["hand_copy_s"]),
                    INDICATORS_RATIO,
                    f"; {n['csv_bytes'] / 1e6:,.0f} МБ / {n['hand_csv_bytes'] / 1e6:,.0f} МБ",
                )
            )
        if n.get("own_copy_s"):
            # The floor: DuckDB writing the command's own rows, with no query at all.
            out.append(
                _ratio_row(
                    row,
                    "issue: COPY готовых строк вывода (нижняя граница) / ручной запрос",
                    size,
                    (n["own_copy_s"], n["hand_s"]),
                    detail=f"; {n['csv_bytes'] / 1e6:,.0f} МБ",
                )
            )
        b = r.get("build", {})
        if b.get("xlsx_reader_s"):
            ratio = b["xlsx_s"] / b["xlsx_reader_s"]
            out.append(
                row(
                    "issue: ingest XLSX / calamine",
                    size,
                    f"{ratio:.1f}×",
                    f"≤ {XLSX_RATIO:g}×",
                    ratio <= XLSX_RATIO,
                )
            )
        pages = r.get("pages", {}).get("runs", {})
        country = {k: v for k, v in pages.items() if k.endswith("|country")}
        if country and size == largest:
            for kind, target in (("cold_s", COLD_SECONDS), ("warm_s", WARM_SECONDS)):
                timed = {k.split("|")[0]: v[kind] for k, v in country.items() if v[kind]}
                if not timed:
                    continue
                worst = max(timed, key=timed.get)
                out.append(
                    row(
                        f"issue: вся страна, {'холодный' if kind == 'cold_s' else 'тёплый'} "
                        f"запуск, худшая страница ({worst})",
                        size,
                        _ratio(timed[worst], target),
                        f"< {target:g} с",
                        timed[worst] < target,
                    )
                )
        for view, f in i.get("load", {}).items():
            if view == "municipality":
                met = (
                    f["errors"] == 0
                    and f["median_s"] is not None
                    and f["median_s"] < MUNICIPALITY_MEDIAN_S
                    and f["max_s"] < MUNICIPALITY_MAX_S
                )
                target = f"медиана < {MUNICIPALITY_MEDIAN_S:g} с, макс < {MUNICIPALITY_MAX_S:g} с"
                value = (
                    f"медиана {_ratio(f['median_s'], MUNICIPALITY_MEDIAN_S)}, "
                    f"макс {_ratio(f['max_s'], MUNICIPALITY_MAX_S)}"
                )
            else:
                met = (
                    f["errors"] == 0
                    and f["median_s"] is not None
                    and f["median_s"] < COUNTRY_MEDIAN_S
                    and f["peak_bytes"] < PEAK_BYTES
                )
                target = f"без ошибок, медиана < {COUNTRY_MEDIAN_S:g} с, пик < 2 ГБ"
                value = (
                    f"медиана {_ratio(f['median_s'], COUNTRY_MEDIAN_S)}, "
                    f"пик {f['peak_bytes'] / 1024**2:,.0f} МБ = "
                    f"{f['peak_bytes'] / PEAK_BYTES:.2f}× цели"
                )
            value += f", ошибок {f['errors']}, CPU на страницу {f['server_cpu_per_page_s']:.2f} с"
            out.append(
                row(f"issue: {f['sessions']} пользователей, {view}", size, value, target, met)
            )
    return out
