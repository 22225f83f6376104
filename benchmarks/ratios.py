"""The ratios of issue 27, measured in one run as whole processes: stage ``ratios`` of
:mod:`benchmarks.run`, or alone:

    .venv/bin/python -m benchmarks.ratios [--size country] [--work DIR] [--runs 5]

- **ingest ratio** = (``python -m analytics ingest FILE`` − ``python -m analytics --help``)
  ÷ (a fresh ``python -c`` that reads the same CSV into a DuckDB table − ``python -c
  "import duckdb"``). FILE holds every organisation of the size: the latest period's form
  CSVs joined (:func:`benchmarks.issue.one_csv`); it is loaded into a copy of a database
  that holds the registry, and read into a table of a new database file (ingest writes
  one too);
- **output ratio** = (``indicators --format csv`` − ``--help``) ÷ (a ``python -c`` that
  writes the same long rows with DuckDB's ``COPY`` − ``python -c "import duckdb"``), on
  the database the ingest made (every organisation, one period). The long rows are
  :data:`LONG_SQL`: written by hand from the data contract, one row per indicator × unit
  (total, region, municipality, district, organisation), with the unit's names,
  numerator, denominator and value;
- **help ratio** = ``python -m analytics --help`` ÷ ``python -c "import duckdb"``, and the
  same for two commands' ``--help``;
- **XLSX ratio** = (``ingest`` of the latest period's XLSX copies − ``--help``) ÷ (a
  ``python -c`` that reads them with python-calamine − ``python -c "import
  python_calamine"``).

Every command runs ``--runs`` times (5), interleaved: one run of each command in turn,
then the next round, so that a change of the shared machine's load hits every command
alike; a first round, not counted, warms the page cache and makes the database the
output runs read. The ratios are of the medians; the worst runs are shown beside them.
Printed with the date, the commit and the load average, and written to
``DIR/ratios.json``. Nothing is asserted.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_WORK = Path("/tmp/national-bench")
RUNS = 5

# Targets of issue 27.
INGEST_RATIO = 3.0
OUTPUT_RATIO = 2.0
HELP_RATIO = 2.0
XLSX_RATIO = 3.0

# The indicators of the data contract (its table «id | Название | … | factor | default
# target | better»), written here by hand: id, name (the catalogue's, where it is longer
# than the contract's), factor, default target, higher is better. Their numerators and
# denominators are the n_<id> and d_<id> columns of :data:`benchmarks.run.HAND_SQL`'s wide
# rows.
CONTRACT: tuple[tuple[str, str, int, int, bool], ...] = (
    ("reporting", "Доля ОО, представивших данные", 100, 100, True),
    ("regulation", "Доля ОО с утверждённым положением о наставничестве", 100, 100, True),
    ("roadmap", "Доля ОО с утверждённой дорожной картой", 100, 100, True),
    ("curator", "Доля ОО с назначенным куратором", 100, 100, True),
    ("program", "Доля ОО с утверждёнными программами наставничества", 100, 100, True),
    ("program_site", "Доля ОО, разместивших программы на сайте", 100, 100, True),
    (
        "databases",
        "Доля ОО со сформированными базами наставников и наставляемых",
        100,
        100,
        True,
    ),
    ("incentives", "Доля ОО, закрепивших стимулирование наставников", 100, 100, True),
    ("teachers_involved", "Доля педагогов, включённых в систему наставничества", 100, 20, True),
    (
        "young_mentored",
        "Доля молодых специалистов, закреплённых за наставниками",
        100,
        100,
        True,
    ),
    ("mentors_trained", "Доля наставников, прошедших обучение", 100, 100, True),
    ("mentor_load", "Наставляемых на одного наставника", 1, 3, False),
    ("completion", "Доля наставляемых, завершивших программу", 100, 50, True),
    (
        "students_mentored",
        "Доля обучающихся 10–18 лет, вовлечённых в наставничество",
        100,
        70,
        True,
    ),
    ("satisfaction", "Удовлетворённость участников программ наставничества", 1, 80, True),
)

# The indicators whose denominator counts the organisations that answered a yes/no question.
YES_NO = ("regulation", "roadmap", "curator", "program", "program_site", "databases", "incentives")


def long_sql(full: bool = True) -> str:
    """The hand-written long rows: the wide rows of HAND_SQL unpivoted, one row per
    indicator and unit, the units' names joined, the value computed; in no particular
    order. ``full``: every column the command writes, by the contract's rules (default
    targets; green meets the target, yellow within 80 % of it, 125 % where lower is
    better; a deficit is yellow or red; the gap the distance to the target), cells spelled
    as the command's CSV spells them; else only the columns the issue lists (indicator,
    level, period, the unit, numerator, denominator, value)."""
    from benchmarks.run import HAND_SQL

    def literal(text: str) -> str:
        return "'" + text.replace("'", "''") + "'"

    pairs = ", ".join(f"(n_{i}, d_{i}) AS {i}" for i, *_ in CONTRACT)
    answers = ", ".join(literal(i) for i in YES_NO)
    catalogue = ", ".join(
        f"({literal(i)}, {literal(name)}, {factor}.0, {target}.0, {str(higher).lower()})"
        for i, name, factor, target, higher in CONTRACT
    )
    columns = (
        "l.indicator, c.name, l.level, l.period, NULL AS org_type, r.name AS region, "
        "m.name AS municipality, d.name AS district, l.org_id, o.name AS organization, "
        # A yes/no question nobody answered: no denominator (HAND_SQL's count() gives 0).
        f"l.numerator::DOUBLE AS numerator, (CASE WHEN l.indicator IN ({answers}) "
        "THEN nullif(l.denominator, 0) ELSE l.denominator END)::DOUBLE AS denominator, value, "
        "c.target, CASE WHEN c.higher THEN 'higher' ELSE 'lower' END AS better, "
        "CASE WHEN value IS NULL THEN NULL WHEN meets THEN 'green' "
        "WHEN meets_yellow THEN 'yellow' ELSE 'red' END AS status, "
        "CASE WHEN value IS NOT NULL AND NOT meets THEN 'True' ELSE 'False' END AS deficit, "
        "CASE WHEN value IS NOT NULL THEN greatest(CASE WHEN c.higher THEN c.target - value "
        "ELSE value - c.target END, 0.0) END AS gap"
        if full
        else "l.indicator, l.level, l.period, r.name AS region, m.name AS municipality, "
        "d.name AS district, l.org_id, o.name AS organization, l.numerator, l.denominator, "
        "value"
    )
    # The satisfaction's numerator added exactly above an organisation, as one result
    # must not depend on the order DuckDB's threads add a fractional sum in; an
    # organisation's own is its product.
    own = "sum(satisfaction_pct * (mentors + mentees))"
    exact = (
        f"CASE WHEN GROUPING(org_id) = 0 THEN {own} ELSE "
        "sum(CAST(satisfaction_pct * (mentors + mentees) AS DECIMAL(18, 6))) END"
    )
    hand = HAND_SQL.replace(own, exact)
    assert exact in hand
    return f"""
WITH wide AS ({hand}),
catalogue (indicator, name, factor, target, higher) AS (VALUES {catalogue}),
long AS (
    SELECT * FROM wide
    UNPIVOT INCLUDE NULLS ((numerator, denominator) FOR indicator IN ({pairs}))
),
valued AS (
    SELECT l.*, CASE WHEN l.denominator > 0 THEN c.factor * l.numerator / l.denominator END
        AS value
    FROM long l JOIN catalogue c USING (indicator)
),
judged AS (
    SELECT v.*, CASE WHEN c.higher THEN value >= c.target ELSE value <= c.target END AS meets,
        CASE WHEN c.higher THEN value >= c.target * 0.8 ELSE value <= c.target * 1.25 END
            AS meets_yellow
    FROM valued v JOIN catalogue c USING (indicator)
)
SELECT {columns}
FROM judged l
JOIN catalogue c USING (indicator)
LEFT JOIN regions r USING (region_id)
LEFT JOIN municipalities m USING (municipality_id)
LEFT JOIN districts d USING (district_id)
LEFT JOIN organizations o USING (org_id)
"""


# The reference programs, run as ``python -c``: the least a process doing the same job
# can take, with DuckDB (or calamine) doing all of it.
READ_CSV = """
import sys, duckdb
con = duckdb.connect(sys.argv[1])
con.execute("CREATE TABLE forms AS SELECT * FROM read_csv(?)", [sys.argv[2]])
con.close()
"""
COPY_LONG = """
import sys, duckdb
con = duckdb.connect(sys.argv[1], read_only=True)
sql = open(sys.argv[2], encoding="utf-8").read()
con.execute(f"COPY ({sql}) TO '{sys.argv[3]}' (FORMAT csv, HEADER true)")
con.close()
"""
READ_XLSX = """
import sys
from python_calamine import CalamineWorkbook
for path in sys.argv[1:]:
    CalamineWorkbook.from_path(path).get_sheet_by_index(0).to_python()
"""


def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", flush=True)


def _seconds(argv: list[str], out: Path | None = None) -> tuple[float, float]:
    """Wall seconds of the process ``argv`` from start to exit (stdout into ``out``), and
    the CPU seconds it used (user and system, every thread): the CPU moves less with the
    load of a shared machine than the wall time does."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    with open(out or os.devnull, "wb") as sink:
        done = subprocess.run(argv, cwd=ROOT, stdout=sink, stderr=subprocess.PIPE)
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode:
        raise RuntimeError(f"{argv[:4]}: {done.stderr.decode(errors='replace')[-2000:]}")
    cpu = after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime
    return wall, cpu
    return time.perf_counter() - started


def commit() -> str:
    return subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True
    ).stdout.strip()


def measure(directory: Path, runs: int = RUNS) -> dict:
    """The figures of issue 27 on the build of one size in ``directory`` (its files and its
    registry; see :func:`benchmarks.run.build`)."""
    from benchmarks.issue import one_csv

    work = directory / "ratios"
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    files = directory / "files"
    csv_file, rows = one_csv(files, work / "one.csv")
    latest = sorted(p for p in (files / "forms").iterdir() if p.is_dir())[-1]
    xlsx_files = sorted(str(p) for p in latest.glob("*.xlsx"))
    registry = work / "registry.duckdb"
    registers = [str(p) for p in sorted((files / "registry").glob("*.csv"))]
    _seconds(_cli("--db", str(registry), "ingest", "--kind", "registry", *registers))
    sql_file, short_file = work / "long.sql", work / "short.sql"
    sql_file.write_text(long_sql(), encoding="utf-8")
    short_file.write_text(long_sql(full=False), encoding="utf-8")
    loaded = work / "loaded.duckdb"  # the ingest's database: every organisation, one period

    def ingest_into(target: Path, *paths: str) -> list[str]:
        target.unlink(missing_ok=True)
        Path(f"{target}.wal").unlink(missing_ok=True)
        shutil.copy(registry, target)
        return _cli("--db", str(target), "ingest", *paths)

    def fresh(target: Path) -> Path:
        target.unlink(missing_ok=True)
        Path(f"{target}.wal").unlink(missing_ok=True)
        return target

    python = sys.executable
    # name -> (argv, stdout file or None); callables where each run needs a fresh target.
    commands = {
        "import_duckdb": lambda: ([python, "-c", "import duckdb"], None),
        "help": lambda: (_cli("--help"), None),
        "help_indicators": lambda: (_cli("indicators", "--help"), None),
        "help_ingest": lambda: (_cli("ingest", "--help"), None),
        "ingest": lambda: (ingest_into(loaded, str(csv_file)), None),
        "read_csv": lambda: (
            [python, "-c", READ_CSV, str(fresh(work / "read.duckdb")), str(csv_file)],
            None,
        ),
        "indicators": lambda: (
            _cli("--db", str(loaded), "indicators", "--format", "csv"),
            work / "indicators.csv",
        ),
        "copy_long": lambda: (
            [python, "-c", COPY_LONG, str(loaded), str(sql_file), str(work / "long.csv")],
            None,
        ),
        "copy_short": lambda: (
            [python, "-c", COPY_LONG, str(loaded), str(short_file), str(work / "short.csv")],
            None,
        ),
        "ingest_xlsx": lambda: (ingest_into(work / "xlsx.duckdb", *xlsx_files), None),
        "read_xlsx": lambda: ([python, "-c", READ_XLSX, *xlsx_files], None),
        "import_calamine": lambda: ([python, "-c", "import python_calamine"], None),
    }
    if not xlsx_files:
        for name in ("ingest_xlsx", "read_xlsx", "import_calamine"):
            del commands[name]
    load_before = os.getloadavg()
    started = time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime())
    times: dict[str, list[float]] = {name: [] for name in commands}
    cpu: dict[str, list[float]] = {name: [] for name in commands}
    for round_ in range(runs + 1):  # round 0 warms up and is not counted
        for name, make in commands.items():
            argv, out = make()
            seconds, used = _seconds(argv, out)
            if round_:
                times[name].append(seconds)
                cpu[name].append(used)
        log(f"  round {round_}/{runs} done" + (" (warm-up)" if not round_ else ""))
    load_after = os.getloadavg()
    figures = {
        name: {
            "median_s": statistics.median(t),
            "worst_s": max(t),
            "times": t,
            "cpu_median_s": statistics.median(cpu[name]),
        }
        for name, t in times.items()
    }
    output_rows, long_rows, differing = _compare(work / "indicators.csv", work / "long.csv")
    return {
        "date": started,
        "commit": commit(),
        "load_average": [load_before[0], load_after[0]],
        "runs": runs,
        "csv_rows": rows,
        "xlsx_files": len(xlsx_files),
        "output_rows": output_rows,
        "output_bytes": (work / "indicators.csv").stat().st_size,
        "long_rows": long_rows,
        "long_bytes": (work / "long.csv").stat().st_size,
        "differing_rows": differing,
        "short_bytes": (work / "short.csv").stat().st_size,
        "times": figures,
        "ratios": ratios(figures),
        "cpu_ratios": ratios(figures, "cpu_median_s"),
    }


def _compare(ours: Path, reference: Path) -> tuple[int, int, int]:
    """Rows of the command's CSV and of the reference's, and the rows found in one and not
    the other (as whole lines of text, in any order)."""
    import duckdb

    con = duckdb.connect()
    try:
        for name, path in (("ours", ours), ("reference", reference)):
            con.execute(
                f"CREATE TABLE {name} AS SELECT * FROM read_csv(?, all_varchar = true)", [str(path)]
            )
        ((ours_rows, reference_rows, differing),) = con.execute(
            "SELECT (SELECT count(*) FROM ours), (SELECT count(*) FROM reference), "
            "(SELECT count(*) FROM (FROM ours EXCEPT ALL FROM reference)) "
            "+ (SELECT count(*) FROM (FROM reference EXCEPT ALL FROM ours))"
        ).fetchall()
    finally:
        con.close()
    return ours_rows, reference_rows, differing


def _cli(*argv: str) -> list[str]:
    return [sys.executable, "-m", "analytics", *argv]


def ratios(times: dict, key: str = "median_s") -> dict[str, float | None]:
    """The issue's ratios from the medians of ``times`` (``key``: of the CPU seconds)."""

    def m(name: str) -> float | None:
        return times[name][key] if name in times else None

    def after_start(ours: str, start: str, reference: str, reference_start: str):
        if m(ours) is None or m(reference) is None or m(reference) <= m(reference_start):
            return None  # no reference, or one within the noise of its start
        return (m(ours) - m(start)) / (m(reference) - m(reference_start))

    return {
        "ingest": after_start("ingest", "help", "read_csv", "import_duckdb"),
        "output": after_start("indicators", "help", "copy_long", "import_duckdb"),
        "output_issue_columns": after_start("indicators", "help", "copy_short", "import_duckdb"),
        "help": m("help") / m("import_duckdb"),
        "help_indicators": m("help_indicators") / m("import_duckdb"),
        "help_ingest": m("help_ingest") / m("import_duckdb"),
        "xlsx": after_start("ingest_xlsx", "help", "read_xlsx", "import_calamine"),
    }


def _n(number: int) -> str:
    return f"{number:,}".replace(",", "\u00a0")


def _s(seconds: float) -> str:
    return f"{seconds:.2f}".replace(".", ",")


def _x(ratio: float | None) -> str:
    return "—" if ratio is None else f"{ratio:.1f}×".replace(".", ",")


def lines(figures: dict) -> list[tuple[str, str, str, str, bool | None]]:
    """(figure, formula with the raw times, target, measured ratio, met) of each ratio;
    the measured ratio is of the wall times, with that of the CPU times beside it."""
    t, r, c = figures["times"], figures["ratios"], figures.get("cpu_ratios", {})

    def raw(name: str) -> str:
        if name not in t:
            return "—"
        return f"{_s(t[name]['median_s'])} с (худший {_s(t[name]['worst_s'])})"

    def row(figure: str, formula: str, target: float, key: str):
        value = _x(r.get(key))
        if c.get(key) is not None:
            value += f" (ЦП {_x(c[key])})"
        return (
            figure,
            formula,
            f"≤ {target:g}×".replace(".", ","),
            value,
            _met(r.get(key), target),
        )

    return [
        row(
            "ingest",
            f"(ingest {raw('ingest')} − --help {raw('help')}) ÷ "
            f"(read_csv {raw('read_csv')} − import duckdb {raw('import_duckdb')})",
            INGEST_RATIO,
            "ingest",
        ),
        row(
            "вывод",
            f"(indicators --format csv {raw('indicators')} − --help) ÷ "
            f"(COPY тех же строк {raw('copy_long')} − import duckdb)",
            OUTPUT_RATIO,
            "output",
        ),
        row(
            "вывод, столбцы issue",
            f"(indicators --format csv − --help) ÷ (COPY строк без названий показателей, "
            f"целей и статусов {raw('copy_short')} − import duckdb)",
            OUTPUT_RATIO,
            "output_issue_columns",
        ),
        row("справка", f"--help {raw('help')} ÷ import duckdb", HELP_RATIO, "help"),
        row(
            "справка indicators",
            f"indicators --help {raw('help_indicators')} ÷ import duckdb",
            HELP_RATIO,
            "help_indicators",
        ),
        row(
            "справка ingest",
            f"ingest --help {raw('help_ingest')} ÷ import duckdb",
            HELP_RATIO,
            "help_ingest",
        ),
        row(
            "ingest XLSX",
            f"(ingest XLSX {raw('ingest_xlsx')} − --help) ÷ "
            f"(calamine {raw('read_xlsx')} − import python_calamine {raw('import_calamine')})",
            XLSX_RATIO,
            "xlsx",
        ),
    ]


def _met(ratio: float | None, target: float) -> bool | None:
    return None if ratio is None else ratio <= target


def report(figures: dict) -> str:
    """The figures as printed: the date, the commit, the load, then one line a ratio."""
    load = " → ".join(f"{x:.1f}".replace(".", ",") for x in figures["load_average"])
    out = [
        f"Отношения issue 27: {figures['date']}, код {figures['commit']}, "
        f"{figures['runs']} запусков каждой команды вперемежку, медиана (худший); "
        f"нагрузка (load average) {load}",
        f"CSV: {_n(figures['csv_rows'])} строк; indicators: {_n(figures['output_rows'])} строк, "
        f"{_n(figures['output_bytes'] // 10**6)} МБ; COPY тех же строк: "
        f"{_n(figures['long_rows'])} строк, {_n(figures['long_bytes'] // 10**6)} МБ, "
        f"несовпадающих строк {_n(figures['differing_rows'])}",
    ]
    for figure, formula, target, value, met in lines(figures):
        mark = {True: "да", False: "НЕТ", None: "—"}[met]
        out.append(f"  {figure:<20} {value:>16}  цель {target:<6} {mark:<3}  {formula}")
    return "\n".join(out)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--size", default="country", choices=["1", "10", "100", "country"])
    parser.add_argument("--work", type=Path, default=DEFAULT_WORK)
    parser.add_argument("--runs", type=int, default=RUNS)
    args = parser.parse_args()
    from benchmarks.run import build

    build(args.size, args.work, reuse=True)
    figures = measure(args.work / args.size, args.runs)
    (args.work / "ratios.json").write_text(json.dumps(figures, ensure_ascii=False, indent=1))
    print(report(figures))


if __name__ == "__main__":
    main()
