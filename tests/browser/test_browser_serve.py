"""The deployment of ``scripts/serve.sh`` as people meet it: nginx in front of two
replicas and the writer, on loopback ports, opened in chromium at 1280×720 from a cold
cache; an upload through ``/admin/`` reaching the replicas' pages; a killed replica or
writer costing its users one reconnect; SIGTERM stopping everything."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import pytest
from playwright.sync_api import TimeoutError as PlaywrightTimeout

from analytics.store.db import Database
from tests import townfiles as town
from tests.browser.harness import BROWSER_MARKS, free_port, settle
from tests.conftest import ROOT
from tests.filemakers import FULL_COLUMNS, csv_bytes, org, table

NGINX = shutil.which("nginx") or "/usr/sbin/nginx"
pytestmark = [
    *BROWSER_MARKS,
    pytest.mark.skipif(
        not Path(NGINX).exists(), reason="нет nginx: его ставит scripts/setup.sh --dev из Debian"
    ),
]

REGISTRY, BEFORE, AFTER, WITH_DATABASES = 90, 40, 87, 47
UPLOAD = "формы_2023-2024.csv"


@dataclass
class Deployment:
    process: subprocess.Popen
    base: str
    replica_ports: tuple[int, int]
    writer_port: int
    folder: Path

    def output(self) -> str:
        return (self.folder / "serve.log").read_text(encoding="utf-8")


def _answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=2):
            return True
    except (urllib.error.URLError, OSError):
        return False


def _wait_until(condition, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.5)
    return False


def _server_pids(port: int) -> list[int]:
    """The processes of the Streamlit server listening on ``port`` (by command line)."""
    found = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            args = Path(f"/proc/{entry}/cmdline").read_bytes().split(b"\0")
        except OSError:
            continue
        if b"--server.port" in args and args[args.index(b"--server.port") + 1] == b"%d" % port:
            found.append(int(entry))
    return found


def _forms_file(folder: Path) -> Path:
    """Тестовск's 2023/2024 forms of schools 1..87, naming their territory and period."""
    rows = table(
        (
            org(
                town.numbered_school(k),
                region=town.REGION,
                municipality=town.TOWN,
                period=town.PERIOD,
                has_mentee_db="да" if k <= WITH_DATABASES else "нет",
            )
            for k in range(1, AFTER + 1)
        ),
        columns=FULL_COLUMNS,
    )
    path = folder / UPLOAD
    path.write_bytes(csv_bytes(rows))
    return path


@pytest.fixture(scope="module")
def deployment(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Deployment]:
    """Тестовск (90 schools, 40 of them reported) served by ``scripts/serve.sh
    --replicas 2`` on free loopback ports."""
    folder = tmp_path_factory.mktemp("serve")
    with Database(folder / "monitoring.duckdb") as db:
        town.load_town(db, reported=BEFORE, with_databases=20, previous=None)
    port = free_port()
    base_port = free_port()
    while not all(_free(p) for p in range(base_port, base_port + 3)):
        base_port = free_port()
    log = (folder / "serve.log").open("w", encoding="utf-8")
    process = subprocess.Popen(
        [
            *(str(ROOT / "scripts" / "serve.sh"), "--replicas", "2"),
            *("--port", str(port), "--base-port", str(base_port)),
        ],
        cwd=ROOT,
        env={
            **os.environ,
            "PYTHON": sys.executable,
            "MONITORING_DB": str(folder / "monitoring.duckdb"),
            "MONITORING_SNAPSHOTS_DIR": str(folder / "snapshots"),
            "MONITORING_RUN_DIR": str(folder / "run"),
            "MONITORING_USERS": str(folder / "users.json"),
        },
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    deployment = Deployment(
        process, f"http://127.0.0.1:{port}/", (base_port, base_port + 1), base_port + 2, folder
    )
    try:
        if not _wait_until(lambda: "Панель: http" in deployment.output(), 300):
            pytest.fail("serve.sh не запустился за 5 минут:\n" + deployment.output())
        yield deployment
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
        log.close()


def _free(port: int) -> bool:
    return not _answers(f"http://127.0.0.1:{port}/")


@pytest.fixture
def cold_tab(browser) -> Iterator[object]:
    """A new browser profile (nothing cached) at 1280×720, the responses it received."""
    context = browser.new_context(viewport={"width": 1280, "height": 720}, locale="ru-RU")
    page = context.new_page()
    page.responses = []
    page.on("response", lambda response: page.responses.append(response))
    yield page
    context.close()


def _share(reported: int) -> str:
    """The overview's «Представили данные» as the page writes it, from the counts."""
    return f"{100 * reported / REGISTRY:.1f}".replace(".", ",")


def test_a_cold_page_through_nginx_loads_every_file_and_draws_its_figures(deployment, cold_tab):
    cold_tab.goto(deployment.base)
    settle(cold_tab)

    statics = [r for r in cold_tab.responses if "/static/" in r.url]
    assert len(statics) >= 10
    assert [(r.status, r.url) for r in cold_tab.responses if r.status >= 400] == []
    text = cold_tab.locator('[data-testid="stMain"]').inner_text()
    assert cold_tab.locator("h1").first.inner_text() == "Обзор"
    assert "другого сайта" not in text
    assert _share(BEFORE) in text  # 40 of 90: 44,4 %


def test_an_upload_through_admin_reaches_the_replicas_pages(deployment, cold_tab):
    upload = _forms_file(deployment.folder)
    # Over nginx's 8 KB in-memory buffer: the body goes through its temporary files.
    assert upload.stat().st_size > 8192
    cold_tab.goto(deployment.base + "admin/data")
    settle(cold_tab)
    cold_tab.locator('input[type="file"]').set_input_files(str(upload))
    cold_tab.get_by_text("Предварительная проверка").wait_for(timeout=60_000)
    settle(cold_tab)
    cold_tab.get_by_role("button", name="Загрузить").click()
    cold_tab.get_by_text(f"Загружен файл «{UPLOAD}»", exact=False).wait_for(timeout=60_000)

    def replica_shows_the_upload() -> bool:
        cold_tab.goto(deployment.base)
        settle(cold_tab)
        return _share(AFTER) in cold_tab.locator('[data-testid="stMain"]').inner_text()

    # The writer publishes within its 10 s tick; the replicas open the new snapshot.
    assert _wait_until(replica_shows_the_upload, 90)
    uploads = [r for r in cold_tab.responses if "/_stcore/upload_file/" in r.url]
    assert uploads and all(r.status < 400 for r in uploads)


@pytest.mark.parametrize("replica", [0, 1])
def test_a_killed_replica_costs_its_users_one_reconnect_and_is_started_again(
    deployment, cold_tab, replica
):
    """Both replicas are killed in turn, so the one holding this tab's session is among
    them whichever nginx chose."""
    cold_tab.goto(deployment.base)
    settle(cold_tab)
    port = deployment.replica_ports[replica]
    pids = _server_pids(port)
    assert pids
    for pid in pids:
        os.kill(pid, signal.SIGKILL)

    # The same tab, once its websocket has reconnected (Streamlit's client retries on its
    # own; a click during the second it is away is not sent): the next page is drawn.
    cold_tab.wait_for_timeout(2000)
    settle(cold_tab)
    for attempt in (1, 2):  # a person clicks again if the first click was lost
        cold_tab.get_by_role("link", name="Показатели").first.click()
        try:
            cold_tab.wait_for_selector("h1:has-text('Показатели')", timeout=45_000)
            break
        except PlaywrightTimeout:
            if attempt == 2:
                raise
            settle(cold_tab)
    settle(cold_tab)
    # A new visitor is answered meanwhile, and serve.sh starts the replica again.
    assert _answers(deployment.base + "_stcore/health")
    assert _wait_until(lambda: _answers(f"http://127.0.0.1:{port}/_stcore/health"), 120)
    assert f"replica-{replica + 1} завершился" in deployment.output()


def test_while_the_writer_is_down_admin_says_so_in_russian_and_pages_still_serve(
    deployment, cold_tab
):
    for pid in _server_pids(deployment.writer_port):
        os.kill(pid, signal.SIGKILL)
    try:
        with urllib.request.urlopen(deployment.base + "admin/", timeout=10) as response:
            status, body = response.status, response.read().decode()
    except urllib.error.HTTPError as refused:
        status, body = refused.code, refused.read().decode()

    cold_tab.goto(deployment.base)
    settle(cold_tab)
    assert "Представили данные" in cold_tab.locator('[data-testid="stMain"]').inner_text()
    # serve.sh waits a second and Python takes seconds to start: still down.
    assert (status, "Загрузка данных временно недоступна" in body) == (503, True), body
    assert _wait_until(
        lambda: _answers(f"http://127.0.0.1:{deployment.writer_port}/admin/_stcore/health"), 120
    )


def test_the_load_test_through_nginx_loads_every_file_of_the_page_for_each_user(deployment):
    from benchmarks import load

    snapshots = deployment.folder / "snapshots"
    published = snapshots / (snapshots / "CURRENT").read_text(encoding="utf-8").strip()
    pids = [pid for port in deployment.replica_ports for pid in _server_pids(port)]
    # In a thread of its own: this module's Playwright runs an event loop in this one, and
    # the load test runs its own (and a Playwright of its own to list the page's files).
    with ThreadPoolExecutor(1) as pool:
        results = pool.submit(
            load.run_against, deployment.base, pids, published, (3,), 120, "municipality"
        ).result()

    (batch,) = results["batches"]
    assert results["page_files"] >= 10
    assert batch["page_files"] == results["page_files"]
    assert batch["errors"] == []
    assert all(step["max_s"] > 0 for step in batch["steps"].values())


def test_sigterm_stops_every_process_and_removes_nginxs_temporaries(deployment):
    ports = (*deployment.replica_ports, deployment.writer_port)
    config = (deployment.folder / "run" / "nginx.conf").read_text(encoding="utf-8")
    temporaries = Path(config.split("client_body_temp_path ")[1].split(";")[0]).parent
    assert temporaries.is_dir()
    deployment.process.send_signal(signal.SIGTERM)

    assert deployment.process.wait(timeout=60) == 0
    assert [p for p in ports if _server_pids(p)] == []
    assert not _answers(deployment.base + "_stcore/health")
    assert not temporaries.exists()
