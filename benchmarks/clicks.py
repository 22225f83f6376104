"""What a person feels in the browser (issue 27 item 4): stage ``clicks`` of
:mod:`benchmarks.run`, or alone:

    .venv/bin/python -m benchmarks.clicks [--db FILE] [--runs 5] [--out FILE.json]

A real ``streamlit run dashboard.py`` on a copy of the database (the demo data, built
anew, unless ``--db`` names one), Debian's chromium through Playwright at 1280×720, and
two actions, each ``--runs`` times:

- **filter**: on Обзор, another period in the sidebar's «Период» select (back and forth
  between the two latest periods: the first change is the first time the server sees
  the other period, the later ones are cached);
- **page**: a sidebar link, back and forth between Обзор and Показатели.

Each is timed from the click until the page has settled: the server has sent the end of
the script's run (a ``script_finished`` message on the page's websocket, seen by the
browser), no running indicator (Streamlit's status widget) or placeholder is shown, and
every Plotly chart has drawn its SVG. Median and worst are printed in seconds, each run
with the moment its script run's end was seen (the rest is the browser drawing).

Beside them, the same actions' AppTest figures on the same database
(:func:`benchmarks.pages.measure`: a page's cold run, its first rerun with another period,
and a cached rerun), so that the browser's share (websocket, React, Plotly) shows.
Nothing is asserted; targets: filter ≤ 1 s and page ≤ 1.5 s on the demo data, both ≤ 2 s
on the country database.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import tempfile
import time
from pathlib import Path

from benchmarks.server import start_server

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = "/usr/bin/chromium"
VIEWPORT = {"width": 1280, "height": 720}
RUNS = 5
# Targets of issue 27, seconds: (filter, page) on the demo data and on the country.
DEMO_TARGETS = (1.0, 1.5)
COUNTRY_TARGETS = (2.0, 2.0)
PAGES = ("Обзор", "Показатели")
LIMIT_MS = 120_000

# Settled: no running indicator, no placeholder, every chart drawn.
_READY = (
    "() => !document.querySelector('[data-testid=\"stStatusWidget\"]')"
    " && !document.querySelector('[data-testid=\"stSkeleton\"]')"
    " && [...document.querySelectorAll('[data-testid=\"stPlotlyChart\"]')]"
    ".every(chart => chart.querySelector('.main-svg'))"
)


class _Runs:
    """Counts the ``script_finished`` messages the page's websockets receive."""

    def __init__(self) -> None:
        self.finished = 0
        self.finished_at = 0.0  # perf_counter when the last one was seen

    def watch(self, socket) -> None:
        socket.on("framereceived", self._frame)

    def _frame(self, payload) -> None:
        from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

        if isinstance(payload, str):
            return
        message = ForwardMsg()
        try:
            message.ParseFromString(payload)
        except Exception:  # a frame that is no ForwardMsg: not a run's end
            return
        if message.WhichOneof("type") == "script_finished":
            self.finished += 1
            self.finished_at = time.perf_counter()


def _settle(page, runs: _Runs, before: int) -> None:
    """Until a run has finished since ``before`` and the page is drawn."""
    deadline = time.monotonic() + LIMIT_MS / 1000
    while runs.finished <= before:
        if time.monotonic() > deadline:
            raise TimeoutError("страница не ответила за 120 с")
        page.wait_for_timeout(5)  # Playwright delivers the websocket's frames meanwhile
    page.wait_for_function(_READY, polling="raf", timeout=LIMIT_MS)


def _open_select(page, label: str) -> None:
    sidebar = page.locator('[data-testid="stSidebar"]')
    select = sidebar.locator('[data-testid="stSelectbox"]').filter(has_text=label)
    select.scroll_into_view_if_needed()
    page.wait_for_timeout(300)  # the list closes if the sidebar is still scrolling
    select.get_by_role("button", name="Открыть").click()


def _shown(page, label: str) -> str:
    sidebar = page.locator('[data-testid="stSidebar"]')
    return sidebar.get_by_role("combobox", name=label, exact=True).input_value()


def _period_options(page) -> list[str]:
    _open_select(page, "Период")
    options = page.get_by_role("option")
    options.first.wait_for()
    texts = options.all_inner_texts()
    page.keyboard.press("Escape")
    page.wait_for_timeout(300)
    return texts


def browser_figures(base: str, runs: int) -> dict:
    """Seconds of each filter change and page change in chromium against ``base``."""
    from playwright.sync_api import sync_playwright

    counter = _Runs()
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        try:
            context = browser.new_context(viewport=VIEWPORT, locale="ru-RU")
            page = context.new_page()
            page.on("websocket", counter.watch)
            started = time.perf_counter()
            page.goto(base, timeout=LIMIT_MS)
            _settle(page, counter, 0)
            first_page = time.perf_counter() - started
            periods = _period_options(page)
            current = _shown(page, "Период")
            other = next((p for p in reversed(periods) if p != current), current)
            filters, filters_run = [], []
            for n in range(runs):
                choice = other if n % 2 == 0 else current
                _open_select(page, "Период")
                option = page.get_by_role("option", name=choice, exact=True)
                option.wait_for()
                before = counter.finished
                t0 = time.perf_counter()
                option.click()
                _settle(page, counter, before)
                filters.append(time.perf_counter() - t0)
                filters_run.append(counter.finished_at - t0)
            pages, pages_run = [], []
            sidebar = page.locator('[data-testid="stSidebar"]')
            for n in range(runs):
                target = PAGES[1] if n % 2 == 0 else PAGES[0]
                link = sidebar.locator('[data-testid="stPageLink"]').filter(has_text=target).first
                link.wait_for()
                before = counter.finished
                t0 = time.perf_counter()
                link.click()
                page.locator("h1", has_text=target).first.wait_for(timeout=LIMIT_MS)
                _settle(page, counter, before)
                pages.append(time.perf_counter() - t0)
                pages_run.append(counter.finished_at - t0)
            context.close()
        finally:
            browser.close()
    return {
        "first_page_s": first_page,
        "periods": [current, other],
        "filter": _summary(filters, filters_run),
        "page": _summary(pages, pages_run),
    }


def _summary(times: list[float], runs: list[float]) -> dict:
    """Median and worst of ``times``; ``runs``: when the end of each script run was seen
    (the rest of each time is the browser drawing)."""
    return {
        "median_s": statistics.median(times),
        "worst_s": max(times),
        "times": times,
        "run_times": runs,
    }


def apptest_figures(db: Path) -> dict:
    """AppTest's cold run, first rerun with another period and cached rerun of the two
    pages, on ``db`` (:func:`benchmarks.pages.measure`)."""
    from streamlit.logger import set_log_level

    from benchmarks.pages import measure

    set_log_level("error")
    os.environ["MONITORING_DB"] = str(db)
    return {
        script: measure(script, repeat=RUNS) for script in ("dashboard.py", "pages/indicators.py")
    }


def measure_all(db: Path | None, runs: int = RUNS) -> dict:
    """The browser's and AppTest's figures on a copy of ``db`` (None: the demo data)."""
    from benchmarks.run import free_port

    with tempfile.TemporaryDirectory(prefix="clicks-") as tmp:
        copy = Path(tmp) / "monitoring.duckdb"
        if db is None:
            from analytics.operations.demo import build_demo
            from analytics.store.db import Database

            with Database(copy) as built:
                build_demo(built, Path(tmp) / "files")
        else:
            shutil.copy(db, copy)
        port = free_port()
        server = start_server(copy, port, MONITORING_USERS=str(Path(tmp) / "users.json"))
        load_before = os.getloadavg()[0]
        try:
            browser = browser_figures(f"http://127.0.0.1:{port}/", runs)
        finally:
            server.terminate()
            server.wait(timeout=30)
        load_after = os.getloadavg()[0]
        apptest = apptest_figures(copy)
    from benchmarks.ratios import commit

    return {
        "date": time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime()),
        "commit": commit(),
        "data": "демо" if db is None else str(db),
        "load_average": [load_before, load_after],
        "runs": runs,
        "browser": browser,
        "apptest": apptest,
    }


def report(figures: dict, targets: tuple[float, float]) -> str:
    b = figures["browser"]

    def s(x: float) -> str:
        return f"{x:.2f}".replace(".", ",")

    lines = [
        f"Браузер (chromium 1280×720), данные: {figures['data']}; {figures['date']}, код "
        f"{figures['commit']}, нагрузка {s(figures['load_average'][0])} → "
        f"{s(figures['load_average'][1])}; первая страница {s(b['first_page_s'])} с",
    ]
    for key, label, target in (
        ("filter", f"смена периода на Обзоре ({' ↔ '.join(b['periods'])})", targets[0]),
        ("page", f"смена страницы ({' ↔ '.join(PAGES)})", targets[1]),
    ):
        f = b[key]
        met = "да" if f["median_s"] <= target else "НЕТ"
        pairs = zip(f["times"], f["run_times"], strict=True)
        runs = ", ".join(f"{s(t)} ({s(r)})" for t, r in pairs)
        lines.append(
            f"  {label}: медиана {s(f['median_s'])} с, худший {s(f['worst_s'])} с "
            f"(цель ≤ {s(target)} с: {met}); запуски (из них до конца прогона) {runs}"
        )
    for script, f in figures["apptest"].items():
        lines.append(
            f"  AppTest {script}: холодный {s(f['cold'])} с, новый период {s(f['filter'])} с, "
            f"из кэша {s(f['warm'])} с"
        )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--db", type=Path, default=None, help="база (по умолчанию демо-данные)")
    parser.add_argument("--runs", type=int, default=RUNS)
    parser.add_argument("--out", type=Path, default=None, help="JSON с результатами")
    args = parser.parse_args()
    figures = measure_all(args.db, args.runs)
    print(report(figures, DEMO_TARGETS if args.db is None else COUNTRY_TARGETS))
    if args.out:
        args.out.write_text(json.dumps(figures, ensure_ascii=False, indent=1))


if __name__ == "__main__":
    main()
