"""National-scale benchmark: one command, a table of measured figures against targets.

    .venv/bin/python -m benchmarks.run [--sizes 1 10 100 country] [--quick]
        [--work DIR] [--reuse] [--stages build indicators pages server]
        [--pages NAME...] [--page-budget SECONDS] [--sessions 1 5 10 20] [--report]

Sizes are those of :mod:`benchmarks.national`. For each size the stages are:

- ``build``: write the files, load the registry and every CSV form file through
  ``analytics.ingest.load.ingest_file`` into a fresh database (kept as ``forms.duckdb``: the
  later stages read it), load the XLSX copies into a second database, and time the
  readers alone on the same files: DuckDB's ``read_csv`` for the CSV, python-calamine
  for the XLSX. (For the country, XLSX is written and loaded for the first five
  regions: a rate, measured on a sample.)
- ``indicators``: ``analytics.compute.indicators.compute(db)`` (every indicator × level ×
  period) against one hand-written GROUPING SETS query over the same tables; a few
  values are compared to show they are the same numbers.
- ``pages``: every page's cold run (``st.cache_data`` cleared) and warm rerun with
  ``streamlit.testing.v1.AppTest``, for one school, one municipality, one region and the
  whole country.
- ``issue`` (largest size only): the figures of issue 15, each as a ratio measured in this
  run (:mod:`benchmarks.issue`): whole-process ingest of one CSV against DuckDB's
  ``read_csv``, whole-process ``indicators --format csv`` against the hand-written query,
  XLSX against calamine, the slowest whole-country page cold and warm, N users at once on
  the largest municipality and on the country.
- ``ratios`` (largest size only): the ratios of issue 27 (ingest, output, help, XLSX),
  each command a whole process run five times interleaved (:mod:`benchmarks.ratios`);
- ``clicks``: a filter change and a page change in chromium at 1280×720, on the demo
  data and, where the largest size is the country, on its database
  (:mod:`benchmarks.clicks`), beside AppTest's figures for the same pages;
- ``templates`` (once, whatever the sizes): a round's pre-filled templates per second for
  a city of 296 schools, against writing the same ZIP (:mod:`benchmarks.templates`).
- ``server`` (largest size only): a real ``streamlit run dashboard.py`` on loopback,
  every page loaded once in chromium via Playwright, peak memory (VmHWM) of the server;
  then a load test of N = 1, 5, 10, 20 concurrent websocket sessions opening the
  overview, time until the server has sent the whole page.

Finally the growth of each timed figure from size 1 to 100 (the exponent of time vs
rows on a log-log scale). Results are printed and written to ``DIR/results.json``; the
figures of issue 27 also as the Markdown table of ``docs/performance.md``
(:mod:`benchmarks.issue27`), which ``--report`` reprints.
``--reuse`` takes an earlier build of a size (its database and recorded ingest figures)
from ``DIR`` instead of rebuilding it, and keeps the earlier results of sizes, stages and
pages (``--pages``) not measured now. The country's page runs stop after
``--page-budget`` seconds (cheapest first, ordered by the 100× times); the rest are
extrapolated from 10×→100×. ``--report`` reprints the last table. ``--quick``: sizes 1
and 10 unless given, one warm rerun, two filters (municipality, country), two users in
the load tests, no server stage. Nothing is asserted.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import importlib
import json
import math
import os
import shutil
import socket
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import duckdb

from benchmarks.server import served_page_run, start_server

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_WORK = Path("/tmp/national-bench")
CHROMIUM = "/usr/bin/chromium"
XLSX_SAMPLE_REGIONS = 5  # country: XLSX copies for this many regions

# Targets (issue 7).
READER_RATIO = 1.5
INDICATORS_SECONDS = 1.0
WARM_SECONDS = 0.5
COLD_SECONDS = 3.0
MEMORY_BYTES = 2 * 1024**3
EXPONENT = 1.1
LOAD_SESSIONS = (1, 5, 10, 20)
STAGES = ("build", "indicators", "pages", "issue", "ratios", "clicks", "server", "templates")


# ---- small helpers ---------------------------------------------------------------------


def timed(action: Callable[[], object]) -> tuple[float, object]:
    started = time.perf_counter()
    result = action()
    return time.perf_counter() - started, result


def best_of(action: Callable[[], object], repeat: int) -> tuple[float, list[float]]:
    """Median and all times of ``repeat`` runs."""
    times = [timed(action)[0] for _ in range(repeat)]
    return statistics.median(times), times


def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", flush=True)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# ---- build: generation, ingest, readers alone ----------------------------------------


def build(size: str, work: Path, reuse: bool) -> dict:
    """Files, the CSV-built database and the ingest figures of ``size``."""
    from analytics.ingest.load import ingest_file
    from analytics.store.db import Database
    from benchmarks.national import generate

    directory = work / size
    recorded = directory / "build.json"
    if reuse and recorded.exists() and (directory / "forms.duckdb").exists():
        log(f"{size}: reusing the build in {directory}")
        figures = json.loads(recorded.read_text())
        figures["reused"] = True
        return figures
    shutil.rmtree(directory, ignore_errors=True)
    directory.mkdir(parents=True)
    xlsx_regions = XLSX_SAMPLE_REGIONS if size == "country" else None
    log(f"{size}: writing files")
    generation, data = timed(lambda: generate(size, directory / "files", xlsx_regions=xlsx_regions))
    log(
        f"{size}: {data.organizations} organisations, {data.form_rows} form rows, "
        f"written in {generation:.1f} s; loading CSV"
    )

    from analytics.model.contract import FormKind

    def load(db: Database, files: list) -> float:
        started = time.perf_counter()
        for n, f in enumerate(files, 1):
            # The kind as the engine imported now knows it: the pages stage imports the
            # engine anew (fresh_modules), and the engine compares kinds by identity.
            ingest_file(db, f.path, FormKind(str(f.kind)))
            if n % 50 == 0:
                log(f"{size}:   {n}/{len(files)} files, {time.perf_counter() - started:.0f} s")
        return time.perf_counter() - started

    with Database(directory / "forms.duckdb") as db:
        registry_s = load(db, data.registry)
        csv_by_period = {}
        for period in sorted({f.period for f in data.csv}):
            files = [f for f in data.csv if f.period == period]
            csv_by_period[period] = load(db, files)
            log(
                f"{size}: CSV {period}: {sum(f.rows for f in files)} rows, "
                f"{csv_by_period[period]:.1f} s"
            )
    xlsx_registry = data.registry[: len({f.region for f in data.xlsx})]
    log(f"{size}: loading XLSX ({len(data.xlsx)} files)")
    with Database(directory / "xlsx.duckdb") as db:
        load(db, xlsx_registry)
        xlsx_s = load(db, data.xlsx)

    log(f"{size}: readers alone")
    con = duckdb.connect()

    def read_csvs() -> None:
        for f in data.csv:
            duckdb.sql(
                "SELECT count(*) FROM read_csv(?)", params=[str(f.path)], connection=con
            ).fetchall()

    def read_xlsx() -> None:
        from python_calamine import CalamineWorkbook

        for f in data.xlsx:
            CalamineWorkbook.from_path(str(f.path)).get_sheet_by_name(f.sheet).to_python()

    csv_reader_s = min(timed(read_csvs)[0] for _ in range(2))
    xlsx_reader_s = min(timed(read_xlsx)[0] for _ in range(2))
    con.close()
    figures = {
        "size": size,
        "regions": data.regions,
        "municipalities": data.municipalities,
        "organizations": data.organizations,
        "form_rows": data.form_rows,
        "generation_s": generation,
        "registry_rows": sum(f.rows for f in data.registry),
        "registry_s": registry_s,
        "csv_files": len(data.csv),
        "csv_rows": data.form_rows,
        "csv_s": sum(csv_by_period.values()),
        "csv_by_period_s": csv_by_period,
        "csv_reader_s": csv_reader_s,
        "xlsx_files": len(data.xlsx),
        "xlsx_rows": sum(f.rows for f in data.xlsx),
        "xlsx_s": xlsx_s,
        "xlsx_reader_s": xlsx_reader_s,
        "db_bytes": (directory / "forms.duckdb").stat().st_size,
        "built_at": time.strftime("%Y-%m-%d %H:%M:%S"),
    }
    recorded.write_text(json.dumps(figures, ensure_ascii=False, indent=1))
    return figures


# ---- indicators: the engine against one hand-written query ---------------------------

# Written by hand from the data contract (not generated from the catalogue), so that
# equal numbers also cross-check the engine.
HAND_SQL = """
WITH org AS (
    SELECT o.org_id, m.region_id, o.municipality_id, o.district_id,
        r.org_id IS NOT NULL AS in_registry
    FROM organizations o
    JOIN municipalities m USING (municipality_id)
    LEFT JOIN registry r USING (org_id)
),
rows AS (
    SELECT f.period, g.region_id, g.municipality_id, g.district_id, g.org_id, g.in_registry,
        1 AS reported,
        f.has_regulation, f.has_roadmap, f.has_curator, f.has_program, f.program_on_site,
        f.has_mentor_db, f.has_mentee_db, f.has_incentives, f.teachers_total,
        f.young_specialists, f.young_with_mentor, f.mentors, f.mentees, f.mentors_trained,
        f.mentees_completed, f.students_10_18, f.student_mentees, f.satisfaction_pct
    FROM form_values f JOIN org g USING (org_id)
    UNION ALL BY NAME
    SELECT p.period, g.region_id, g.municipality_id, g.district_id, g.org_id,
        TRUE AS in_registry, 0 AS reported
    FROM org g CROSS JOIN periods p
    WHERE g.in_registry AND NOT EXISTS (
        SELECT 1 FROM form_values f WHERE f.org_id = g.org_id AND f.period = p.period)
)
SELECT period, region_id, municipality_id, district_id, org_id,
    CASE WHEN GROUPING(org_id) = 0 THEN 'organization'
         WHEN GROUPING(district_id) = 0 THEN 'district'
         WHEN GROUPING(municipality_id) = 0 THEN 'municipality'
         WHEN GROUPING(region_id) = 0 THEN 'region' ELSE 'total' END AS level,
    sum(reported) FILTER (WHERE in_registry) AS n_reporting,
    count(*) FILTER (WHERE in_registry) AS d_reporting,
    sum(has_regulation::INT) AS n_regulation, count(has_regulation) AS d_regulation,
    sum(has_roadmap::INT) AS n_roadmap, count(has_roadmap) AS d_roadmap,
    sum(has_curator::INT) AS n_curator, count(has_curator) AS d_curator,
    sum(has_program::INT) AS n_program, count(has_program) AS d_program,
    sum(program_on_site::INT) AS n_program_site, count(program_on_site) AS d_program_site,
    sum((has_mentor_db AND has_mentee_db)::INT) AS n_databases,
    count(*) FILTER (WHERE has_mentor_db IS NOT NULL AND has_mentee_db IS NOT NULL)
        AS d_databases,
    sum(has_incentives::INT) AS n_incentives, count(has_incentives) AS d_incentives,
    sum(mentors + mentees) FILTER (WHERE teachers_total IS NOT NULL) AS n_teachers_involved,
    sum(teachers_total) FILTER (WHERE mentors + mentees IS NOT NULL) AS d_teachers_involved,
    sum(young_with_mentor) FILTER (WHERE young_specialists IS NOT NULL) AS n_young_mentored,
    sum(young_specialists) FILTER (WHERE young_with_mentor IS NOT NULL) AS d_young_mentored,
    sum(mentors_trained) FILTER (WHERE mentors IS NOT NULL) AS n_mentors_trained,
    sum(mentors) FILTER (WHERE mentors_trained IS NOT NULL) AS d_mentors_trained,
    sum(mentees) FILTER (WHERE mentors IS NOT NULL) AS n_mentor_load,
    sum(mentors) FILTER (WHERE mentees IS NOT NULL) AS d_mentor_load,
    sum(mentees_completed) FILTER (WHERE mentees IS NOT NULL) AS n_completion,
    sum(mentees) FILTER (WHERE mentees_completed IS NOT NULL) AS d_completion,
    sum(student_mentees) FILTER (WHERE students_10_18 IS NOT NULL) AS n_students_mentored,
    sum(students_10_18) FILTER (WHERE student_mentees IS NOT NULL) AS d_students_mentored,
    sum(satisfaction_pct * (mentors + mentees)) AS n_satisfaction,
    sum(mentors + mentees) FILTER (WHERE satisfaction_pct IS NOT NULL) AS d_satisfaction
FROM rows
GROUP BY GROUPING SETS ((period), (period, region_id), (period, region_id, municipality_id),
    (period, region_id, municipality_id, district_id),
    (period, region_id, municipality_id, district_id, org_id))
HAVING NOT (GROUPING(district_id) = 0 AND GROUPING(org_id) = 1 AND district_id IS NULL)
"""


def _key(row: dict, level: str) -> tuple:
    ids = []
    for column in ("region_id", "municipality_id", "district_id", "org_id"):
        value = row[column]
        ids.append(None if value is None or value != value else int(value))
    return (level, row["period"], *ids)


def compare(engine, hand, sample: int = 300) -> tuple[int, int]:
    """Compare numerators and denominators of every total/region row and a sample of
    the others; returns (compared, different)."""
    from analytics.model.catalogue import INDICATORS

    wide = {_key(r, r["level"]): r for r in hand.to_dict("records")}
    picked = engine[engine["level"].isin(["total", "region"])]
    rest = engine[~engine["level"].isin(["total", "region"])]
    if len(rest) > sample:
        rest = rest.sample(sample, random_state=7)
    compared = different = 0
    for r in [*picked.to_dict("records"), *rest.to_dict("records")]:
        other = wide.get(_key(r, r["level"]))
        compared += 1
        if other is None:
            different += 1
            continue
        for mine, theirs in (
            (r["numerator"], other[f"n_{r['indicator']}"]),
            (r["denominator"], other[f"d_{r['indicator']}"]),
        ):
            a = None if mine is None or mine != mine else float(mine)
            b = None if theirs is None or theirs != theirs else float(theirs)
            if r["indicator"] not in {i.id for i in INDICATORS}:
                continue
            # The engine leaves a sum over no rows NULL where count() gives 0.
            if (a or 0.0) != (b or 0.0) and not (
                a is not None and b is not None and abs(a - b) <= 1e-9 * max(abs(a), 1)
            ):
                different += 1
                break
    return compared, different


def indicators_bench(db_path: Path, repeat: int) -> dict:
    from analytics.compute.indicators import compute
    from analytics.store.db import Database

    # Read-write, as the dashboard opens it: a newer schema's migrations apply first.
    with Database(db_path) as db:
        frame = compute(db)  # buffers warm, as on a running server
        engine_s, engine_times = best_of(lambda: compute(db), repeat)

        def hand():
            cur = db.cursor()
            try:
                return cur.execute(HAND_SQL).df()
            finally:
                cur.close()

        hand()
        hand_s, _ = best_of(hand, repeat)
        wide = hand()
        compared, different = compare(frame, wide)
        # Where does the engine's time go: its SQL alone (the wide rows, through Arrow).
        from analytics.compute.indicator_sql import indicator_sql
        from analytics.model.levels import Level
        from analytics.store.scope import Scope

        sql, params = indicator_sql(Scope())

        def engine_sql_only():
            cur = db.cursor()
            try:
                return cur.sql(sql, params=params).to_arrow_table().to_pandas()
            finally:
                cur.close()

        sql_s, _ = best_of(engine_sql_only, repeat)
        # What pages ask for: the latest period; totals and regions of every period.
        latest = db.query("SELECT period FROM periods ORDER BY start_year DESC LIMIT 1")
        one_period = Scope(periods=(str(latest["period"].iloc[0]),))
        period_s, _ = best_of(lambda: compute(db, one_period), repeat)
        upper = Scope(levels=(Level.TOTAL, Level.REGION))
        upper_s, _ = best_of(lambda: compute(db, upper), repeat)
        engine_min_s = min(engine_times)
        load_average = os.getloadavg()[0]
    return {
        "engine_s": engine_s,
        "engine_min_s": engine_min_s,
        "engine_period_s": period_s,
        "engine_upper_s": upper_s,
        "load_average": load_average,
        "engine_times": engine_times,
        "engine_sql_s": sql_s,
        "hand_s": hand_s,
        "engine_rows": len(frame),
        "hand_rows": len(wide),
        "compared": compared,
        "different": different,
    }


# ---- pages with AppTest ------------------------------------------------------------------


def existing_pages() -> list[str]:
    from ui.page import PAGES

    return [script for script, _, _ in PAGES if (ROOT / script).exists()]


def filter_views(db_path: Path, quick: bool) -> dict[str, dict[str, str]]:
    """Query parameters of the four views: a school (as a drill-down link carries it),
    its municipality, its region, the country. The municipality is a large one."""
    con = duckdb.connect(str(db_path), read_only=True)
    try:
        row = con.execute(
            """
            SELECT o.org_id, o.municipality_id, m.region_id, o.district_id
            FROM organizations o JOIN municipalities m USING (municipality_id)
            WHERE o.municipality_id = (
                SELECT municipality_id FROM organizations GROUP BY 1 ORDER BY count(*) DESC,
                    1 LIMIT 1)
            ORDER BY o.org_id LIMIT 1
            """
        ).fetchall()[0]
    finally:
        con.close()
    org, municipality, region, district = row
    school = {"region": str(region), "municipality": str(municipality), "org": str(org)}
    if district is not None:
        school["district"] = str(district)
    views = {
        "school": school,
        "municipality": {"region": str(region), "municipality": str(municipality)},
        "region": {"region": str(region)},
        "country": {},
    }
    if quick:
        return {k: views[k] for k in ("municipality", "country")}
    return views


def page_run(script: str, params: dict[str, str], repeat: int, timeout: float) -> dict:
    import streamlit as st
    from streamlit.testing.v1 import AppTest

    st.cache_data.clear()
    gc.collect()
    at = AppTest.from_file(str(ROOT / script), default_timeout=timeout)
    for name, value in params.items():
        at.query_params[name] = value
    try:
        cold, _ = timed(at.run)
    except RuntimeError as error:  # AppTest's timeout: the run was stopped
        return {
            "cold_s": None,
            "warm_s": None,
            "warm_times": [],
            "problem": f"не завершился за {timeout:.0f} с ({error})"[:200],
        }
    problem = None
    if at.exception:
        problem = str(at.exception[0].value)[:200]
    elif any("Не удалось построить страницу" in e.value for e in at.error):
        problem = "страница сообщила о внутренней ошибке"
    else:
        for name, key in (
            ("region", "flt_region"),
            ("municipality", "flt_municipality"),
            ("org", "flt_org"),
        ):
            if name in params:
                boxes = [b for b in at.selectbox if b.key == key]
                if boxes and str(boxes[0].value) != params[name]:
                    problem = f"фильтр {key} не применился"
    try:
        warm, warm_times = best_of(at.run, repeat)
    except RuntimeError as error:
        return {
            "cold_s": cold,
            "warm_s": None,
            "warm_times": [],
            "problem": f"повторный запуск не завершился за {timeout:.0f} с ({error})"[:200],
        }
    return {"cold_s": cold, "warm_s": warm, "warm_times": warm_times, "problem": problem}


def pages_bench(
    db_path: Path,
    repeat: int,
    quick: bool,
    timeout: float,
    budget: float | None = None,
    expected: dict[str, float] | None = None,
    only: list[str] | None = None,
) -> dict:
    """Every page × view; once ``budget`` seconds are spent, the remaining runs are
    listed as not measured (the growth table extrapolates them). ``expected`` (cold
    seconds by "page|view" at a smaller size) orders the runs cheapest first, so that a
    budget leaves out the fewest."""
    from streamlit.logger import set_log_level

    set_log_level("error")  # AppTest's "missing ScriptRunContext" warnings, every run
    os.environ["MONITORING_DB"] = str(db_path)
    fresh_modules()
    views = filter_views(db_path, quick)
    results: dict[str, dict] = {}
    started = time.monotonic()
    scripts = [s for s in existing_pages() if not only or any(name in s for name in only)]
    pairs = [(script, view) for view in views for script in scripts]
    if expected:
        pairs.sort(key=lambda p: expected.get(f"{p[0]}|{p[1]}") or 0.0)

    def show(x: float | None) -> str:
        return "   —  " if x is None else f"{x:6.2f}"

    for script, view in pairs:
        spent = time.monotonic() - started
        if budget is not None and spent >= budget:
            results[f"{script}|{view}"] = {
                "cold_s": None,
                "warm_s": None,
                "warm_times": [],
                "problem": f"не измерено: бюджет {budget:.0f} с исчерпан",
            }
            continue
        limit = timeout if budget is None else max(30.0, min(timeout, budget - spent))
        figures = page_run(script, views[view], repeat, limit)
        results[f"{script}|{view}"] = figures
        log(
            f"  {script:<22} {view:<13} cold {show(figures['cold_s'])} s  "
            f"warm {show(figures['warm_s'])} s"
            + (f"  {figures['problem']}" if figures["problem"] else "")
        )
    release_database()
    return {"views": views, "runs": results}


def fresh_modules() -> None:
    """Import the engine and UI modules anew. Page scripts are read from disk on every
    run, the modules they import only once per process; while the code changes, a long
    benchmark would otherwise run new pages against old helpers."""
    for name in [m for m in sys.modules if m.split(".")[0] in ("analytics", "ui")]:
        del sys.modules[name]
    for package in ("analytics", "ui"):
        for path in sorted((ROOT / package).rglob("*.py")):
            if path.stem == "__main__":  # it would run the command line
                continue
            dotted = ".".join(path.relative_to(ROOT).with_suffix("").parts).removesuffix(
                ".__init__"
            )
            try:
                importlib.import_module(dotted)
            except Exception as error:  # a module mid-edit: its pages will report it
                log(f"  import {dotted}: {error}")


def expected_cold(work: Path, current: dict) -> dict[str, float]:
    """Cold seconds of each page × view at the largest size measured so far (in this
    run, else in the last results)."""
    try:
        sizes = json.loads((work / "results.json").read_text())["sizes"]
    except (OSError, ValueError, KeyError):
        sizes = {}
    sizes = {**sizes, **{k: v for k, v in current.items() if v.get("pages")}}
    for size in ("100", "10", "1"):
        runs = sizes.get(size, {}).get("pages", {}).get("runs")
        if runs:
            return {k: v["cold_s"] for k, v in runs.items() if v.get("cold_s") is not None}
    return {}


def release_database() -> None:
    """Close the AppTest runs' database connection (held in st.cache_resource)."""
    import streamlit as st

    st.cache_resource.clear()
    gc.collect()


# ---- a real server: memory, and concurrent sessions --------------------------------------


def _url_path(script: str) -> str:
    return "" if script == "dashboard.py" else Path(script).stem


def proc_status(pid: int) -> dict[str, int]:
    values = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        name, _, rest = line.partition(":")
        if name in ("VmHWM", "VmRSS"):
            values[name] = int(rest.split()[0]) * 1024
    return values


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def wait_idle(pid: int, limit: float) -> None:
    """Until the server uses under 10 % of a core for two seconds, or ``limit`` s."""
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        before = cpu_seconds(pid)
        time.sleep(2)
        if cpu_seconds(pid) - before < 0.2:
            return
    log(f"  server still busy after {limit:.0f} s")


def browser_pages(base: str, scripts: list[str], limit: float = 150) -> dict[str, float | None]:
    """Every page once in chromium; seconds until the script has finished running (None:
    not within ``limit`` seconds; the server may still be building it)."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout
    from playwright.sync_api import sync_playwright

    times = {}
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        try:
            context = browser.new_context(viewport={"width": 1600, "height": 1000})
            page = context.new_page()
            for script in scripts:
                started = time.perf_counter()
                try:
                    page.goto(base + _url_path(script), timeout=limit * 1000)
                    page.wait_for_selector("h1", timeout=limit * 1000)
                    page.wait_for_function(
                        "() => !document.querySelector('[data-testid=\"stStatusWidget\"]')",
                        timeout=limit * 1000,
                    )
                except PlaywrightTimeout:
                    times[script] = None
                    log(f"  browser {script}: not rendered in {limit:.0f} s")
                    continue
                times[script] = time.perf_counter() - started
                log(f"  browser {script}: {times[script]:.1f} s")
            context.close()
        finally:
            browser.close()
    return times


async def _session(port: int, page_name: str, timeout: float) -> tuple[float, int, str | None]:
    """One websocket session of the page: seconds, bytes received, error."""
    started = time.perf_counter()
    try:
        received = await served_page_run(port, page_name, {}, timeout)
    except Exception as error:  # a refused or timed-out session is a result, not a crash
        return time.perf_counter() - started, 0, type(error).__name__
    return time.perf_counter() - started, received, None


async def _sessions(port: int, n: int, page_name: str, timeout: float) -> list:
    return await asyncio.gather(*[_session(port, page_name, timeout) for _ in range(n)])


def load_test(port: int, pid: int, sessions: tuple[int, ...], timeout: float) -> dict:
    results = {}
    for n in sessions:
        cpu_before = cpu_seconds(pid)
        wall, outcomes = timed(lambda n=n: asyncio.run(_sessions(port, n, "", timeout)))
        times = sorted(t for t, _, error in outcomes if error is None)
        errors = [e for _, _, e in outcomes if e is not None]
        results[str(n)] = {
            "median_s": statistics.median(times) if times else None,
            "p95_s": times[min(len(times) - 1, math.ceil(0.95 * len(times)) - 1)]
            if times
            else None,
            "max_s": times[-1] if times else None,
            "errors": errors,
            "wall_s": wall,
            "server_cpu_s": cpu_seconds(pid) - cpu_before,
            "bytes_per_session": statistics.median([b for _, b, _ in outcomes]),
        }
        log(
            f"  load N={n}: median {results[str(n)]['median_s']}, max "
            f"{results[str(n)]['max_s']}, errors {len(errors)}"
        )
        time.sleep(1)
    return results


def server_bench(db_path: Path, work: Path, sessions: tuple[int, ...]) -> dict:
    # A copy: the server opens its database for writing, and this process may hold the
    # original (the AppTest runs' cached connection).
    copy = work / "server.duckdb"
    shutil.copy(db_path, copy)
    port = free_port()
    process = start_server(copy, port)
    try:
        base = f"http://127.0.0.1:{port}/"
        idle = proc_status(process.pid)
        scripts = existing_pages()
        browser = browser_pages(base, scripts)
        after_pages = proc_status(process.pid)
        wait_idle(process.pid, limit=420)  # a page the browser gave up on may still run
        load = load_test(port, process.pid, sessions, timeout=600)
        after_load = proc_status(process.pid)
    finally:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
    copy.unlink(missing_ok=True)
    Path(str(copy) + ".wal").unlink(missing_ok=True)
    return {
        "idle": idle,
        "after_pages": after_pages,
        "after_load": after_load,
        "browser_s": browser,
        "load": load,
    }


# ---- growth and the table ------------------------------------------------------------


def exponent(points: list[tuple[float, float]]) -> float | None:
    """Least-squares slope of log(time) against log(rows)."""
    points = [(x, y) for x, y in points if x > 0 and y and y > 0]
    if len(points) < 2:
        return None
    xs = [math.log(x) for x, _ in points]
    ys = [math.log(y) for _, y in points]
    mx, my = statistics.fmean(xs), statistics.fmean(ys)
    return sum((x - mx) * (y - my) for x, y in zip(xs, ys, strict=True)) / sum(
        (x - mx) ** 2 for x in xs
    )


@dataclass
class Row:
    figure: str
    size: str
    value: str
    target: str
    met: bool | None


def mark(met: bool | None) -> str:
    return {True: "да", False: "НЕТ", None: "—"}[met]


def table(rows: list[Row]) -> str:
    headers = ("показатель", "размер", "измерено", "цель", "выполнено")
    cells = [headers] + [(r.figure, r.size, r.value, r.target, mark(r.met)) for r in rows]
    widths = [max(len(c[i]) for c in cells) for i in range(5)]
    lines = []
    for n, c in enumerate(cells):
        lines.append("  ".join(c[i].ljust(widths[i]) for i in range(5)).rstrip())
        if n == 0:
            lines.append("  ".join("-" * w for w in widths))
    return "\n".join(lines)


def rows_for(results: dict) -> list[Row]:
    out: list[Row] = []
    for size, r in results["sizes"].items():
        b = r.get("build")
        if b:
            csv_ratio = b["csv_s"] / b["csv_reader_s"]
            xlsx_ratio = b["xlsx_s"] / b["xlsx_reader_s"]
            out += [
                Row("ingest CSV, строк/с", size, f"{b['csv_rows'] / b['csv_s']:,.0f}", "—", None),
                Row(
                    "ingest CSV / DuckDB read_csv",
                    size,
                    f"{csv_ratio:,.0f}×",
                    f"≤ {READER_RATIO}×",
                    csv_ratio <= READER_RATIO,
                ),
                Row(
                    "ingest XLSX, строк/с", size, f"{b['xlsx_rows'] / b['xlsx_s']:,.0f}", "—", None
                ),
                Row(
                    "ingest XLSX / calamine",
                    size,
                    f"{xlsx_ratio:,.0f}×",
                    f"≤ {READER_RATIO}×",
                    xlsx_ratio <= READER_RATIO,
                ),
                Row(
                    "реестр, строк/с",
                    size,
                    f"{b['registry_rows'] / b['registry_s']:,.0f}",
                    "—",
                    None,
                ),
            ]
        i = r.get("indicators")
        if i:
            ratio = i["engine_s"] / i["hand_s"]
            country = size == "country"
            out += [
                Row(
                    "indicators.compute, с",
                    size,
                    f"{i['engine_s']:.2f}",
                    "< 1 с" if country else "—",
                    i["engine_s"] < INDICATORS_SECONDS if country else None,
                ),
                Row(
                    "compute / ручной запрос",
                    size,
                    f"{ratio:.1f}× (ручной {i['hand_s']:.2f} с; расхождений "
                    f"{i['different']}/{i['compared']})",
                    f"≤ {READER_RATIO}×",
                    ratio <= READER_RATIO,
                ),
            ]
        p = r.get("pages")
        largest = list(results["sizes"])[-1]
        if p and size in (largest, "100"):  # smaller sizes: in the growth rows and the JSON
            for key, figures in p["runs"].items():
                script, view = key.split("|")
                country = size == "country"
                note = f" ({figures['problem']})" if figures["problem"] else ""
                cold, warm = figures["cold_s"], figures["warm_s"]
                if country and cold is None:
                    guess = results.get("growth", {}).get(f"{key} cold", {}).get("country_estimate")
                    if guess:
                        note += f"; оценка по 10→100× ≈ {guess:,.0f} с"
                out.append(
                    Row(
                        f"{script} [{view}] холодный, с",
                        size,
                        ("—" if cold is None else f"{cold:.2f}") + note,
                        f"< {COLD_SECONDS:g} с" if country else "—",
                        (cold is not None and cold < COLD_SECONDS) if country else None,
                    )
                )
                out.append(
                    Row(
                        f"{script} [{view}] тёплый, с",
                        size,
                        "—" if warm is None else f"{warm:.2f}",
                        f"< {WARM_SECONDS:g} с" if country else "—",
                        (warm is not None and warm < WARM_SECONDS) if country else None,
                    )
                )
        s = r.get("server")
        if s:
            peak = s["after_pages"]["VmHWM"]
            out.append(
                Row(
                    "сервер: пик памяти (VmHWM) после всех страниц",
                    size,
                    f"{peak / 1024**2:,.0f} МБ",
                    "< 2 ГБ",
                    peak < MEMORY_BYTES,
                )
            )
            out.append(
                Row(
                    "сервер: пик памяти после нагрузочного теста",
                    size,
                    f"{s['after_load']['VmHWM'] / 1024**2:,.0f} МБ",
                    "—",
                    None,
                )
            )
            for script, seconds in s["browser_s"].items():
                shown = "не показана за 150 с" if seconds is None else f"{seconds:.1f}"
                out.append(Row(f"браузер, до заголовка: {script}, с", size, shown, "—", None))
            for n, figures in s["load"].items():
                value = (
                    f"медиана {figures['median_s']:.1f} с, макс {figures['max_s']:.1f} с"
                    if figures["median_s"] is not None
                    else "нет ответа"
                )
                if figures["errors"]:
                    value += f", ошибок {len(figures['errors'])}"
                out.append(Row(f"нагрузка: {n} сессий, обзор", size, value, "—", None))
    from benchmarks import issue, templates

    out += issue.rows(results, Row)
    out += templates.rows(results, Row)
    for name, g in results.get("growth", {}).items():
        if g["fit"] is None:
            continue
        out.append(
            Row(
                f"рост: {name}",
                "1→100",
                g["text"],
                f"≤ {EXPONENT}",
                None if g["fit"] is None else g["fit"] <= EXPONENT,
            )
        )
    return out


def growth(results: dict) -> dict:
    sizes = [s for s in ("1", "10", "100", "country") if s in results["sizes"]]
    series: dict[str, list[tuple[str, float, float]]] = {}

    def add(name: str, size: str, rows: float, seconds: float | None) -> None:
        if seconds:
            series.setdefault(name, []).append((size, rows, seconds))

    for size in sizes:
        r = results["sizes"][size]
        rows = r.get("build", {}).get("form_rows") or r.get("rows")
        if not rows:
            continue
        b = r.get("build")
        if b:
            add("ingest CSV", size, b["csv_rows"], b["csv_s"])
            if b["xlsx_rows"] == b["csv_rows"]:  # the country's XLSX is a sample: no size
                add("ingest XLSX", size, b["xlsx_rows"], b["xlsx_s"])
            add("реестр", size, b["registry_rows"], b["registry_s"])
        i = r.get("indicators")
        if i:
            add("indicators.compute", size, rows, i["engine_s"])
            add("ручной запрос", size, rows, i["hand_s"])
        p = r.get("pages")
        if p:
            for key, figures in p["runs"].items():
                add(f"{key} cold", size, rows, figures["cold_s"])
                add(f"{key} warm", size, rows, figures["warm_s"])
    out = {}
    for name, points in series.items():
        fit_points = [(x, y) for s, x, y in points if s in ("1", "10", "100")]
        fit = exponent(fit_points)
        local = [(x, y) for s, x, y in points if s in ("10", "100")]
        top = [(x, y) for s, x, y in points if s in ("100", "country")]
        text = "—" if fit is None else f"{fit:.2f}"
        if len(local) == 2:
            text += f" (10→100: {exponent(local):.2f}"
            text += f"; 100→страна: {exponent(top):.2f})" if len(top) == 2 else ")"
        estimate = None
        country_rows = (results["sizes"].get("country") or {}).get("rows")
        by_size = {s: (x, y) for s, x, y in points}
        if country_rows and "country" not in by_size and "100" in by_size and len(local) == 2:
            # Not measured at the country: at least linear growth from 100×, or the
            # measured 10→100 exponent where it is steeper.
            x100, y100 = by_size["100"]
            estimate = y100 * (country_rows / x100) ** max(1.0, exponent(local))
        out[name] = {"fit": fit, "text": text, "country_estimate": estimate}
    return out


# ---- main ------------------------------------------------------------------------------


def code_version() -> str:
    """The commit measured, and how many engine/UI files differ from it."""

    def git(*args: str) -> str:
        try:
            return subprocess.run(
                ["git", *args], cwd=ROOT, capture_output=True, text=True, timeout=10
            ).stdout.strip()
        except OSError:
            return ""

    commit = git("rev-parse", "--short", "HEAD") or "?"
    dirty = git("status", "--short", "analytics", "ui", "pages", "dashboard.py").splitlines()
    return f"{commit}" + (f" + {len(dirty)} изменённых файлов движка/UI" if dirty else "")


def machine() -> str:
    model = ""
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            model = line.split(":", 1)[1].strip()
            break
    memory = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 1024**3
    return (
        f"{os.cpu_count()} CPU ({model}), {memory:.0f} ГБ RAM, "
        f"Python {sys.version.split()[0]}, DuckDB {duckdb.__version__}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--sizes", nargs="+", choices=["1", "10", "100", "country"])
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--work", type=Path, default=DEFAULT_WORK)
    parser.add_argument("--reuse", action="store_true")
    parser.add_argument(
        "--stages",
        nargs="+",
        default=list(STAGES),
        choices=list(STAGES),
    )
    parser.add_argument("--repeat", type=int, default=None, help="warm reruns per page view")
    parser.add_argument("--sessions", type=int, nargs="+", default=list(LOAD_SESSIONS))
    parser.add_argument(
        "--page-budget",
        type=float,
        default=900,
        help="seconds for the country's page runs; the rest is extrapolated",
    )
    parser.add_argument(
        "--pages",
        nargs="+",
        default=None,
        help="only these pages (substrings of their paths); other runs are kept (--reuse)",
    )
    parser.add_argument(
        "--report", action="store_true", help="print the table of DIR/results.json, measure nothing"
    )
    args = parser.parse_args()
    if args.report:
        results = json.loads((args.work / "results.json").read_text())
        results["growth"] = growth(results)
        print_report(results, args.work)
        return
    sizes = args.sizes or (["1", "10"] if args.quick else ["1", "10", "100", "country"])
    stages = set(args.stages) - ({"server"} if args.quick else set())
    args.work.mkdir(parents=True, exist_ok=True)
    sys.path.insert(0, str(ROOT))
    results = {
        "machine": machine(),
        "code": code_version(),
        "started": time.strftime("%Y-%m-%d %H:%M:%S"),
        "sizes": {},
    }
    log(results["machine"])
    earlier: dict = {}
    earlier_once: dict = {}  # the figures measured once a run, not per size
    if args.reuse and (args.work / "results.json").exists():
        last = json.loads((args.work / "results.json").read_text())
        earlier = last.get("sizes", {})
        earlier_once = {k: last[k] for k in ("clicks", "templates") if k in last}

    def save() -> None:
        """Merge with the earlier results (--reuse) and write them: after every stage, so
        an interrupted run keeps what it measured."""
        merged = {size: dict(r) for size, r in earlier.items()}
        for size, r in results["sizes"].items():
            mine = merged.setdefault(size, {})
            for stage, value in r.items():
                if stage == "pages" and "pages" in mine and value.get("partial"):
                    mine["pages"] = {
                        "views": value["views"],
                        "runs": {**mine["pages"]["runs"], **value["runs"]},
                    }
                else:
                    mine[stage] = value
        order = ["1", "10", "100", "country"]
        out = {k: v for k, v in results.items() if k not in ("sizes", "merged")}
        out = {**earlier_once, **out}
        out["sizes"] = {s: merged[s] for s in order if s in merged}
        out["growth"] = growth(out)
        (args.work / "results.json").write_text(
            json.dumps(out, ensure_ascii=False, indent=1, default=str)
        )
        results["merged"] = out

    for size in sizes:
        r: dict = {"measured_at": time.strftime("%Y-%m-%d %H:%M:%S"), "code": results["code"]}
        results["sizes"][size] = r
        r["build"] = build(size, args.work, reuse=args.reuse or "build" not in stages)
        r["rows"] = r["build"]["form_rows"]
        db_path = args.work / size / "forms.duckdb"
        if "indicators" in stages:
            log(f"{size}: indicators")
            r["indicators"] = indicators_bench(db_path, repeat=1 if size == "country" else 5)
            log(
                f"{size}: compute {r['indicators']['engine_s']:.2f} s, hand "
                f"{r['indicators']['hand_s']:.2f} s"
            )
            save()
        if "pages" in stages:
            repeat = args.repeat or (1 if args.quick else 2 if size == "country" else 3)
            log(f"{size}: pages (AppTest)")
            r["pages"] = pages_bench(
                db_path,
                repeat,
                args.quick,
                timeout=300 if size == "country" else 900,
                budget=args.page_budget if size == "country" else None,
                expected=expected_cold(args.work, results["sizes"]),
                only=args.pages,
            )
            r["pages"]["partial"] = bool(args.pages)
        save()
    if "issue" in stages:
        from benchmarks import issue

        largest = sizes[-1]
        r = results["sizes"][largest]
        log(f"{largest}: issue 15 figures (whole processes, load)")
        directory = args.work / largest
        r["issue"] = {
            "ingest": issue.ingest_figures(directory, repeat=1 if args.quick else 2),
            "indicators": issue.indicators_figures(
                directory / "forms.duckdb", repeat=1 if args.quick else 2
            ),
            "load": issue.load_figures(directory / "forms.duckdb", args.quick),
        }
        save()
    if "ratios" in stages:
        from benchmarks import ratios

        largest = sizes[-1]
        log(f"{largest}: issue 27 ratios (whole processes, interleaved)")
        results["sizes"][largest]["ratios"] = ratios.measure(
            args.work / largest, runs=2 if args.quick else ratios.RUNS
        )
        log(ratios.report(results["sizes"][largest]["ratios"]))
        save()
    if "clicks" in stages:
        from benchmarks import clicks

        largest = sizes[-1]
        runs = 2 if args.quick else clicks.RUNS
        log("demo data: clicks in chromium")
        results["clicks"] = {"demo": clicks.measure_all(None, runs)}
        if largest == "country":
            log("country: clicks in chromium")
            results["clicks"]["country"] = clicks.measure_all(
                args.work / largest / "forms.duckdb", runs
            )
        save()
    if "templates" in stages:
        from benchmarks import templates

        log("templates of a round (296 schools)")
        results["templates"] = templates.figures()
        save()
    if "server" in stages:
        largest = sizes[-1]
        log(f"{largest}: server, browser, load test")
        results["sizes"][largest]["server"] = server_bench(
            args.work / largest / "forms.duckdb", args.work / largest, tuple(args.sessions)
        )
    save()
    # Sizes and stages measured by an earlier run and not now are kept (--reuse), so that
    # one table and one growth fit cover every size; each size carries its own date.
    print_report(results["merged"], args.work)


def print_report(results: dict, work: Path) -> None:
    print()
    print(f"Машина: {results['machine']}")
    for size, r in results["sizes"].items():
        b = r["build"]
        print(
            f"Размер {size}: {b['regions']} регионов, {b['municipalities']} муниципалитетов, "
            f"{b['organizations']:,} организаций, {b['form_rows']:,} строк форм за 3 периода"
            + (" (сборка из прошлого запуска)" if b.get("reused") else "")
            + f"; измерено {r.get('measured_at', '?')}, код {r.get('code', '?')}"
        )
    print()
    print(table(rows_for(results)))
    from benchmarks import issue27

    targets = issue27.table(results)
    if targets:
        print("\nЦели issue 27 (таблица для docs/performance.md):\n")
        print(targets)
    print(f"\nПодробности: {work / 'results.json'}")


if __name__ == "__main__":
    main()
