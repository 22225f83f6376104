"""The table of organisations' other spellings on «Данные» fits the page at 1280×720: its
long names wrap inside their columns instead of running off the right edge. Same harness
as ``tests/browser/test_browser.py``."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from analytics.ingest import aliases
from analytics.store.db import Database
from tests.browser.harness import BROWSER_MARKS, serve, settle

pytestmark = BROWSER_MARKS

SUFFIX = " (полное официальное наименование учреждения по уставу)"


@pytest.fixture(scope="module")
def spelled(demo_template: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A server on the demo data where the three longest-named organisations have a
    spelling longer still."""
    db = tmp_path_factory.mktemp("browser_aliases") / "monitoring.duckdb"
    shutil.copy(demo_template, db)
    with Database(db) as store:
        longest = store.query(
            "SELECT org_id, name FROM organizations ORDER BY length(name) DESC, org_id LIMIT 3"
        )
        for org_id, name in zip(longest["org_id"], longest["name"], strict=True):
            aliases.add(store, name + SUFFIX, int(org_id), "admin")
    with serve(db, MONITORING_USERS=str(db.parent / "users.json")) as base:
        yield base


def test_the_aliases_table_fits_the_page_at_1280_by_720(small_tab, spelled):
    page = small_tab
    page.goto(spelled + "data")
    settle(page)
    page.get_by_role("tab", name="Реестр и отчётность").click()
    settle(page)
    page.get_by_text("Другие написания названий: 3").click()
    table = page.locator('[data-testid="stExpander"]').filter(has_text="Другие написания названий")
    grid = table.locator('[data-testid="stDataFrame"] .dvn-scroller').first
    grid.wait_for(state="visible", timeout=30_000)
    page.wait_for_timeout(1000)

    widths = grid.evaluate("(node) => [node.scrollWidth, node.clientWidth]")
    text = page.locator('[data-testid="stMain"]').inner_text()

    # The four columns fit: nothing to scroll sideways (on a cut table the spellings and
    # the «Откуда», «Когда» columns lay beyond the right edge).
    assert widths[0] <= widths[1], widths
    assert "Другие написания названий: 3" in text
