"""Load test: N simulated users against a real ``streamlit run dashboard.py`` on loopback.

    .venv/bin/python -m benchmarks.load --db PATH [--sessions 1 5 10 20]
        [--view country|region|municipality|school] [--snapshot] [--timeout SECONDS]
        [--url URL [--pids PID...]] [--out FILE]

Each page a simulated user opens is a Streamlit websocket session (``/_stcore/stream``)
speaking the protocol the browser speaks: it asks for a run of a page
(``BackMsg.rerun_script`` with the page's name and the query string that carries the
filters) and waits until the server reports ``script_finished``, i.e. the whole page has
been built and sent. A user opens a view (``--view``: the whole country, a region, the
largest municipality, one school of it) and clicks through :data:`PAGES` one after
another (overview, indicators, territories, organisation, overview again), each as a
link with the view's filters (see :func:`_user`). All N users start together; rendering
in the browser is not included (it runs on the user's machine).

For each N: the time of each step (median, 95th percentile, max over users), the time
of a whole journey, errors (a session that failed or timed out), the server's CPU
seconds and wall time for the batch, and its memory (VmRSS, VmHWM) afterwards. The
server is started once, on a copy of the database (``--snapshot``: on a snapshot
published with :mod:`analytics.store.snapshot`, opened read-only through
``MONITORING_SNAPSHOT``, if the dashboard supports it), and warmed by one journey first.
``--url`` targets a running deployment instead (``scripts/serve.sh``: nginx in front of
replicas; ``--db`` then only names the views): its server CPU and memory are those of
the processes ``--pids`` (the replicas), summed. Through a deployment each user first
loads the page's files as a browser with an empty cache does (the list is what chromium
fetched for the first page, recorded once), and its websocket sends the ``Origin`` and
``Host`` a browser sends. ``--kill-after S`` kills the first of ``--pids`` S seconds into
the last batch: a user whose session breaks reconnects (as Streamlit's client does) and
the longest time a user went without an answer is reported. Results are printed and
written as JSON (``--out``).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import math
import os
import shutil
import signal
import statistics
import subprocess
import tempfile
import threading
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from benchmarks.run import cpu_seconds, filter_views, free_port, log, proc_status, wait_idle
from benchmarks.server import served_page_run, start_server

ROOT = Path(__file__).resolve().parents[1]
SESSIONS = (1, 5, 10, 20)
# How long a user's client keeps reconnecting after its session broke (Streamlit's client
# retries with a backoff; a person sees «Соединение…» meanwhile).
RECONNECT_S = 60.0
# A browser opens six connections per host.
BROWSER_CONNECTIONS = 6


PAGES: tuple[tuple[str, str], ...] = (
    ("обзор", ""),
    ("показатели", "indicators"),
    ("территории", "territories"),
    ("организация", "organization"),
    ("обзор, снова", ""),
)
VIEWS = ("country", "region", "municipality", "school")


def journey(db_path: Path, view: str = "country") -> list[tuple[str, str, dict[str, str]]]:
    """The steps of one user: (label, page name, filters). Every step carries the view's
    filters (:func:`benchmarks.run.filter_views`), as the sidebar's page links do."""
    filters = filter_views(db_path, quick=False)[view]
    return [(label, page, dict(filters)) for label, page in PAGES]


def page_files(url: str) -> list[str]:
    """The same-site files chromium fetches for a cold load of ``url`` (HTML, scripts,
    styles, fonts, images; not the websocket), recorded once for the simulated users."""
    from playwright.sync_api import sync_playwright

    from tests.browser.harness import CHROMIUM

    fetched: list[str] = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"]
        )
        page = browser.new_page()
        page.on(
            "request",
            lambda r: (
                fetched.append(r.url)
                if r.method == "GET" and r.url.startswith(url) and "/_stcore/stream" not in r.url
                else None
            ),
        )
        page.goto(url)
        page.wait_for_selector("h1", timeout=120_000)
        page.wait_for_timeout(2000)
        browser.close()
    return list(dict.fromkeys(fetched))


def _fetch(url: str) -> int:
    """One GET as a browser sends it; the HTTP status (an error status is returned too)."""
    request = urllib.request.Request(url, headers={"User-Agent": "Mozilla/5.0 (load test)"})
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            response.read()
            return response.status
    except urllib.error.HTTPError as refused:
        return refused.code


async def _load_files(files: list[str]) -> list[int]:
    """The page's files, six at a time, as a browser with an empty cache loads them."""
    with ThreadPoolExecutor(BROWSER_CONNECTIONS) as pool:
        loop = asyncio.get_running_loop()
        return list(await asyncio.gather(*[loop.run_in_executor(pool, _fetch, f) for f in files]))


async def _user(port: int | str, steps: list, timeout: float, files: list[str]) -> dict:
    """One user's journey: seconds per step (None after an error), bytes, error, and the
    longest time without an answer. Each step is a session of its own opened on the
    page's URL with the view's filters, as when following a link: this client does not
    send widget states back as a browser does, so a page switch inside one session would
    reset the sidebar's filters. A broken session is opened again (a reconnect) for up
    to :data:`RECONNECT_S`; only then is it an error."""
    times: list[float | None] = [None] * len(steps)
    received = 0
    longest_gap = 0.0
    started = time.perf_counter()
    if files:
        statuses = await _load_files(files)
        refused = sorted({s for s in statuses if s >= 400})
        if refused:
            return {"steps": times, "bytes": 0, "error": f"HTTP {refused}", "gap_s": 0.0}
    for n, (_, page_name, filters) in enumerate(steps):
        step_started = time.perf_counter()
        while True:
            try:
                received += await served_page_run(port, page_name, filters, timeout)
                break
            except Exception as error:  # a refused or timed-out session is a result
                waited = time.perf_counter() - step_started
                if waited > RECONNECT_S:
                    return {
                        "steps": times,
                        "bytes": received,
                        "error": type(error).__name__,
                        "gap_s": waited,
                    }
                await asyncio.sleep(1)
        times[n] = time.perf_counter() - step_started
        longest_gap = max(longest_gap, times[n])
    return {
        "steps": times,
        "bytes": received,
        "error": None,
        "journey_s": time.perf_counter() - started,
        "gap_s": longest_gap,
    }


async def _users(port: int | str, n: int, steps: list, timeout: float, files: list[str]) -> list:
    return await asyncio.gather(*[_user(port, steps, timeout, files) for _ in range(n)])


def _quantile(values: list[float], q: float) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, math.ceil(q * len(ordered)) - 1))]


def _alive(pids: list[int]) -> list[int]:
    """The processes of ``pids`` still running (a killed replica's are not counted)."""
    return [pid for pid in pids if Path(f"/proc/{pid}").exists()]


def _cpu(pids: list[int]) -> float:
    return sum(cpu_seconds(pid) for pid in _alive(pids))


def _memory(pids: list[int]) -> dict[str, int]:
    total: dict[str, int] = {}
    for pid in _alive(pids):
        for name, value in proc_status(pid).items():
            total[name] = total.get(name, 0) + value
    return total


def batch(
    port: int | str,
    pids: list[int],
    n: int,
    steps: list,
    timeout: float,
    files: list[str] = (),
    kill_after: float | None = None,
) -> dict:
    """One batch of ``n`` users at once; ``kill_after`` seconds in, the first of ``pids``
    is killed (a replica dying in the middle of a meeting)."""
    cpu_before = _cpu(pids)
    started = time.perf_counter()
    killer = None
    if kill_after is not None:
        killer = threading.Timer(kill_after, os.kill, (pids[0], signal.SIGKILL))
        killer.start()
    outcomes = asyncio.run(_users(port, n, steps, timeout, list(files)))
    if killer is not None:
        killer.cancel()
    wall = time.perf_counter() - started
    per_step = {}
    for k, (label, _, _) in enumerate(steps):
        done = [o["steps"][k] for o in outcomes if o["steps"][k] is not None]
        per_step[label] = {
            "median_s": statistics.median(done) if done else None,
            "p95_s": _quantile(done, 0.95),
            "max_s": max(done) if done else None,
        }
    journeys = [o["journey_s"] for o in outcomes if o["error"] is None]
    step_times = [t for o in outcomes for t in o["steps"] if t is not None]
    return {
        "sessions": n,
        "steps": per_step,
        "step_times": step_times,
        "journey_median_s": statistics.median(journeys) if journeys else None,
        "journey_max_s": max(journeys) if journeys else None,
        "errors": [o["error"] for o in outcomes if o["error"]],
        "wall_s": wall,
        "server_cpu_s": _cpu(pids) - cpu_before,
        "page_views_per_s": len(step_times) / wall,
        "bytes_per_user": statistics.median(o["bytes"] for o in outcomes),
        "longest_without_answer_s": max(o["gap_s"] for o in outcomes),
        "page_files": len(files),
        "memory": _memory(pids),
        "load_average": os.getloadavg()[0],
    }


def run(
    db: Path, sessions: tuple[int, ...], snapshot: bool, timeout: float, view: str = "country"
) -> dict:
    steps = journey(db, view)
    with tempfile.TemporaryDirectory(prefix="load-") as work:
        served = Path(work) / "served.duckdb"
        if snapshot:
            from analytics.store.db import Database
            from analytics.store.snapshot import publish

            with Database(db, read_only=True) as source:
                publish(source, served)
        else:
            shutil.copy(db, served)
        port = free_port()
        extra = {"MONITORING_SNAPSHOT": str(served)} if snapshot else {}
        process = start_server(served, port, **extra)
        try:
            idle, warm, results = _batches(port, [process.pid], steps, sessions, timeout)
        finally:
            process.terminate()
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
    return {
        "database": str(db),
        "snapshot": snapshot,
        "view": view,
        "journey": [(label, page, filters) for label, page, filters in steps],
        "idle": idle,
        "warm_journey": warm,
        "batches": results,
        "measured_at": time.strftime("%Y-%m-%d %H:%M:%S"),
        "cpus": os.cpu_count(),
    }


def _batches(
    target: int | str,
    pids: list[int],
    steps: list,
    sessions: tuple[int, ...],
    timeout: float,
    files: list[str] = (),
    kill_after: float | None = None,
) -> tuple[dict, dict, list[dict]]:
    """Idle memory, the warming journey, and one batch per number of users (the last
    with a replica killed ``kill_after`` seconds in, if given)."""
    idle = _memory(pids)
    log("warming: one journey")
    warm = batch(target, pids, 1, steps, timeout, files)
    for pid in pids:
        wait_idle(pid, limit=120)
    results = []
    for k, n in enumerate(sessions):
        killing = kill_after if k == len(sessions) - 1 else None
        log(f"{n} users" + (f", a replica killed after {killing} s" if killing else ""))
        results.append(batch(target, pids, n, steps, timeout, files, killing))
        log(
            f"  journey median {results[-1]['journey_median_s']}, errors "
            f"{len(results[-1]['errors'])}, CPU {results[-1]['server_cpu_s']:.1f} s, "
            f"longest without an answer {results[-1]['longest_without_answer_s']:.1f} s"
        )
        for pid in _alive(pids):
            wait_idle(pid, limit=120)
    return idle, warm, results


def run_against(
    url: str,
    pids: list[int],
    db: Path,
    sessions: tuple[int, ...],
    timeout: float,
    view: str,
    kill_after: float | None = None,
) -> dict:
    """The load test against a running deployment at ``url`` (its replicas ``pids``):
    each user loads the page's files first; ``kill_after``: see :func:`batch`."""
    steps = journey(db, view)
    files = page_files(url.rstrip("/") + "/")
    log(f"a cold page is {len(files)} files")
    idle, warm, results = _batches(url, pids, steps, sessions, timeout, files, kill_after)
    return {
        "database": str(db),
        "url": url,
        "replicas": len(pids),
        "view": view,
        "page_files": len(files),
        "killed_after_s": kill_after,
        "journey": [(label, page, filters) for label, page, filters in steps],
        "idle": idle,
        "warm_journey": warm,
        "batches": results,
        "measured_at": time.strftime("%Y-%m-%d %H:%M:%S"),
        "cpus": os.cpu_count(),
    }


def _s(value: float | None) -> str:
    return "—" if value is None else f"{value:.2f}".replace(".", ",")


def report(results: dict) -> str:
    labels = [label for label, _, _ in results["journey"]]
    lines = [
        "| пользователей | " + " | ".join(labels) + " | весь путь | ошибки | CPU сервера | "
        "время пачки | страниц в секунду | дольше всего без ответа | VmRSS / VmHWM |",
        "|" + "---|" * (len(labels) + 8),
    ]
    for b in results["batches"]:
        cells = [
            f"{_s(b['steps'][label]['median_s'])} / {_s(b['steps'][label]['max_s'])}"
            for label in labels
        ]
        memory = b["memory"]
        lines.append(
            f"| {b['sessions']} | "
            + " | ".join(cells)
            + f" | {_s(b['journey_median_s'])} / {_s(b['journey_max_s'])} | {len(b['errors'])} | "
            f"{_s(b['server_cpu_s'])} с | {_s(b['wall_s'])} с | "
            f"{_s(b.get('page_views_per_s'))} | {_s(b.get('longest_without_answer_s'))} с | "
            f"{memory.get('VmRSS', 0) // 2**20} / {memory.get('VmHWM', 0) // 2**20} МБ |"
        )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--db", type=Path, required=True)
    parser.add_argument("--sessions", type=int, nargs="+", default=list(SESSIONS))
    parser.add_argument("--snapshot", action="store_true")
    parser.add_argument("--view", choices=VIEWS, default="country")
    parser.add_argument("--timeout", type=float, default=300)
    parser.add_argument("--url", help="a running deployment, e.g. http://127.0.0.1:8080")
    parser.add_argument("--pids", type=int, nargs="*", default=[], help="its replicas")
    parser.add_argument(
        "--kill-after",
        type=float,
        help="kill the first of --pids this many seconds into the last batch",
    )
    parser.add_argument("--out", type=Path, default=Path("/tmp/load-results.json"))
    args = parser.parse_args()
    if args.url:
        results = run_against(
            args.url,
            args.pids,
            args.db,
            tuple(args.sessions),
            args.timeout,
            args.view,
            args.kill_after,
        )
    else:
        results = run(args.db, tuple(args.sessions), args.snapshot, args.timeout, args.view)
    args.out.write_text(json.dumps(results, ensure_ascii=False, indent=1))
    print("Медиана / максимум, секунды; шаги — до script_finished.")
    print(report(results))
    print(f"Подробности: {args.out}")


if __name__ == "__main__":
    main()
