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


def post(url: str, body: bytes, **headers: str) -> tuple[int, str | None]:
    request = urllib.request.Request(url, data=body, headers=headers, method="POST")
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, response.headers.get("Set-Cookie")
    except urllib.error.HTTPError as error:
        return error.code, error.headers.get("Set-Cookie")


def test_only_the_dashboards_own_pages_may_set_the_remember_cookie(demo_template: Path, tmp_path):
    db = tmp_path / "monitoring.duckdb"
    shutil.copy(demo_template, db)
    token = b"aXZhbm92YQ==." + b"0" * 64

    with serve(db, MONITORING_USERS=str(tmp_path / "users.json")) as base:
        port = base.split(":")[2].strip("/")
        route = base + "_login/cookie"
        foreign = post(route, token, Origin="http://localhost:3000")
        cross_site = post(route, token, **{"Sec-Fetch-Site": "cross-site"})
        not_a_token = post(route, b"x; Domain=evil", Origin=f"http://127.0.0.1:{port}")
        own = post(route, token, Origin=f"http://127.0.0.1:{port}")
        forget = post(route, b"", **{"Sec-Fetch-Site": "same-origin"})

    assert foreign == (403, None)
    assert cross_site == (403, None)
    assert not_a_token == (400, None)
    assert own == (
        204,
        f"monitoring_login={token.decode()}; Path=/; Max-Age=43200; HttpOnly; SameSite=Strict",
    )
    assert forget == (204, "monitoring_login=; Path=/; Max-Age=0; HttpOnly; SameSite=Strict")
