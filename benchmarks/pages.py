"""Cold and warm run time of every page with AppTest, on the demo data and on a dataset
ten times larger. Prints a table of measured figures; asserts nothing.

    .venv/bin/python -m benchmarks.pages [--scale 1 10] [--repeat 5]

"Cold" is a page's first run in a fresh process state (empty caches); "warm" is a
rerun after a filter change whose result is already cached (the common case in a
meeting: switching back and forth), and "filter" a rerun after a change not seen before.
Target (issue 3): a warm rerun under 300 ms on the demo data.
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time
from pathlib import Path

import streamlit as st
from streamlit.testing.v1 import AppTest

from analytics.operations.demo import build_demo
from analytics.store.db import Database

ROOT = Path(__file__).resolve().parents[1]
PAGES = (
    "dashboard.py",
    "pages/indicators.py",
    "pages/deficits.py",
    "pages/organization.py",
    "pages/territories.py",
    "pages/dynamics.py",
    "pages/data.py",
    "pages/settings.py",
)
WARM_TARGET_MS = 300


def _build(scale: int, directory: Path) -> tuple[Path, float, int]:
    path = directory / f"demo_x{scale}.duckdb"
    started = time.perf_counter()
    with Database(path) as db:
        results = build_demo(db, directory / f"files_x{scale}", scale=scale)
    return path, time.perf_counter() - started, sum(r.rows for r in results)


def _run(page: str) -> tuple[AppTest, float]:
    at = AppTest.from_file(str(ROOT / page), default_timeout=120)
    started = time.perf_counter()
    at.run()
    return at, time.perf_counter() - started


def _timed(at: AppTest) -> float:
    started = time.perf_counter()
    at.run()
    return time.perf_counter() - started


def measure(page: str, repeat: int) -> dict[str, float]:
    st.cache_data.clear()
    at, cold = _run(page)
    if at.exception:
        raise RuntimeError(f"{page}: {at.exception[0].value}")
    periods = at.selectbox(key="flt_period").options
    first = at.selectbox(key="flt_period").value
    other = next((p for p in periods if p != first), first)
    at.selectbox(key="flt_period").set_value(other)
    new_filter = _timed(at)
    warm = []
    for n in range(repeat):
        at.selectbox(key="flt_period").set_value(first if n % 2 == 0 else other)
        warm.append(_timed(at))
    return {"cold": cold, "filter": new_filter, "warm": statistics.median(warm)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--scale", type=int, nargs="+", default=[1, 10])
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        for scale in args.scale:
            path, seconds, rows = _build(scale, Path(tmp))
            os.environ["MONITORING_DB"] = str(path)
            print(f"\nДанные ×{scale}: {rows} строк форм, загрузка {seconds:.1f} с")
            print(f"{'страница':<24}{'холодный, мс':>14}{'новый фильтр, мс':>18}{'тёплый, мс':>12}")
            for page in PAGES:
                if not (ROOT / page).exists():
                    continue
                figures = measure(page, args.repeat)
                mark = "" if figures["warm"] * 1000 <= WARM_TARGET_MS else "  > цели 300 мс"
                print(
                    f"{page:<24}{figures['cold'] * 1000:>14.0f}{figures['filter'] * 1000:>18.0f}"
                    f"{figures['warm'] * 1000:>12.0f}{mark}"
                )


if __name__ == "__main__":
    main()
