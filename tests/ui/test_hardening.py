"""Streamlit's server as started by `streamlit run dashboard.py`: its metrics endpoint is
closed on its own port from the start, not only behind nginx."""

from __future__ import annotations

import shutil
import urllib.error
import urllib.request
from pathlib import Path

from tests.browser.harness import serve


def status(url: str) -> int:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


def test_a_cold_server_refuses_its_metrics_and_serves_its_page(demo_template: Path, tmp_path):
    db = tmp_path / "monitoring.duckdb"
    shutil.copy(demo_template, db)

    with serve(db, MONITORING_USERS=str(tmp_path / "users.json")) as base:
        metrics = [
            status(base + "_stcore/metrics"),
            status(base + "_stcore/metrics/"),
            status(base + "_stcore/metrics?families=session_events_total"),
        ]
        page, health = status(base), status(base + "_stcore/health")

    assert metrics == [404, 404, 404]
    assert (page, health) == (200, 200)
