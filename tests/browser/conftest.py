"""The browser tests' fixtures: servers on the demo data, one chromium per module, a tab."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from analytics.operations.users import Role, UserStore
from tests.browser.harness import CHROMIUM, PASSWORD, serve


@pytest.fixture(scope="module")
def server(demo_template: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A cold server on the demo data in single-user local mode."""
    db = tmp_path_factory.mktemp("browser") / "monitoring.duckdb"
    shutil.copy(demo_template, db)
    with serve(db, MONITORING_USERS=str(db.parent / "users.json")) as base:
        yield base


@pytest.fixture(scope="module")
def guarded_server(demo_template: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A cold server on the demo data with users: an analyst «analyst»."""
    db = tmp_path_factory.mktemp("browser_users") / "monitoring.duckdb"
    shutil.copy(demo_template, db)
    users = UserStore(db.parent / "users.json")
    users.add("analyst", Role.ANALYST, PASSWORD)
    with serve(db, MONITORING_USERS=str(users.path)) as base:
        yield base


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        yield instance
        instance.close()


@pytest.fixture
def small_tab(browser) -> Iterator[object]:
    """A tab at 1280×720, a meeting room's projector and a small laptop."""
    context = browser.new_context(viewport={"width": 1280, "height": 720}, locale="ru-RU")
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture
def tab(browser) -> Iterator[object]:
    context = browser.new_context(viewport={"width": 1600, "height": 1000}, locale="ru-RU")
    page = context.new_page()
    yield page
    context.close()
