"""The browser tests' harness: a cold Streamlit server on a copy of a database, Debian's
chromium through Playwright, and waiting until a page has finished drawing."""

from __future__ import annotations

import socket
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from benchmarks.server import start_server
from tests.conftest import ROOT

PASSWORD = "пароль-для-теста"
CHROMIUM = "/usr/bin/chromium"
SCREENSHOTS = ROOT / "docs" / "screenshots"
# Every browser test: marked, and skipped where Debian's chromium is not installed.
BROWSER_MARKS = [
    pytest.mark.browser,
    pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="нет /usr/bin/chromium"),
]

PAGES = {
    "": "Обзор",
    "indicators": "Показатели",
    "deficits": "Дефициты",
    "organization": "Организация",
    "territories": "Территории",
    "dynamics": "Динамика",
    "meeting": "Заседание",
    "decisions": "Поручения",
    "reports": "Отчёты",
    "data": "Данные",
    "settings": "Настройки",
}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def serve(db: Path, **env: str) -> Iterator[str]:
    """A cold Streamlit server on ``db``; yields its base URL."""
    port = free_port()
    try:
        process = start_server(db, port, **env)
    except RuntimeError:
        pytest.fail("сервер Streamlit не запустился")
    try:
        yield f"http://127.0.0.1:{port}/"
    finally:
        process.terminate()
        process.wait(timeout=20)


_READY = (
    "() => !document.querySelector('[data-testid=\"stStatusWidget\"]')"
    " && !document.querySelector('[data-testid=\"stSkeleton\"]')"
    " && [...document.querySelectorAll('[data-testid=\"stPlotlyChart\"]')]"
    ".every(chart => chart.querySelector('.main-svg'))"
)


def settle(page, heading: str = "h1") -> None:
    """Wait until Streamlit has finished running the script and drawing: the page must
    look ready three times in a row, a second apart (a run may start after a pause)."""
    page.wait_for_selector(heading, timeout=60_000)
    calm = 0
    deadline = time.monotonic() + 90
    while calm < 3 and time.monotonic() < deadline:
        page.wait_for_timeout(1000)
        calm = calm + 1 if page.evaluate(_READY) else 0
    page.wait_for_function(_READY, timeout=30_000)


def main_text(page) -> str:
    return page.locator('[data-testid="stMain"]').inner_text()
