"""A curator sends their school's form in a monitoring round, in a real browser at
1280×720: their own school's file is taken by the code inside the template, whatever the
name cell says; another school's template is refused. Same harness as
``tests/browser/test_browser.py``."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from analytics.operations.access import View
from analytics.operations.users import Role, UserStore
from analytics.store.db import Database

# The harness: a cold server, chromium, and waiting for Streamlit to settle.
from tests.browser.harness import (
    BROWSER_MARKS,
    PASSWORD,
    serve,
    settle,
)
from tests.roundfiles import ADMIN, SCHOOLS, filled, inn, load_registry, open_city_round

pytestmark = BROWSER_MARKS


@pytest.fixture(scope="module")
def roundserver(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:
    """A server over the city's registry with an open round, a curator of СОШ № 1, and
    the filled templates of СОШ № 1 (its name retyped) and of СОШ № 2."""
    folder = tmp_path_factory.mktemp("browser_rounds")
    db_path = folder / "monitoring.duckdb"
    with Database(db_path) as db:
        ids = load_registry(db)
        round_id = open_city_round(db)
        admin = View(db, ADMIN)
        own = filled(admin.round_template(round_id, ids[SCHOOLS[0]]), name="Школа первая")
        other = filled(admin.round_template(round_id, ids[SCHOOLS[1]]))
    (folder / "своя.xlsx").write_bytes(own)
    (folder / "чужая.xlsx").write_bytes(other)
    users = UserStore(folder / "users.json")
    users.add("petrova", Role.CURATOR, PASSWORD, (inn(0),))
    with serve(db_path, MONITORING_USERS=str(users.path)) as base:
        yield base, folder


def _upload(tab, folder: Path, name: str) -> str:
    """Send a file on the «Загрузить форму» tab; the tab's text once it is checked."""
    upload_tab = tab.get_by_role("tab", name="Загрузить форму")
    upload_tab.click()
    tab.locator('input[type="file"]').set_input_files(str(folder / name))
    settle(tab)
    upload_tab.click()
    return _panel(tab)


def _panel(tab) -> str:
    """The text of the tab shown (Streamlit shows the first tab again after a rerun)."""
    return tab.get_by_role("tabpanel").filter(visible=True).first.inner_text()


def test_a_curator_sends_their_own_form_and_not_another_schools(roundserver, browser):
    base, folder = roundserver
    context = browser.new_context(viewport={"width": 1280, "height": 720}, locale="ru-RU")
    tab = context.new_page()
    tab.goto(base + "rounds")
    tab.get_by_label("Имя пользователя").fill("petrova")
    tab.get_by_label("Пароль").fill(PASSWORD)
    tab.get_by_role("button", name="Войти").click()
    tab.get_by_role("heading", name="Сбор форм").wait_for(timeout=60_000)
    settle(tab)

    refused = _upload(tab, folder, "чужая.xlsx")
    assert "В файле есть организации, которые за вами не закреплены: строка 2." in refused
    assert "СОШ № 2" not in refused

    tab.reload()
    tab.get_by_role("heading", name="Сбор форм").wait_for(timeout=60_000)
    settle(tab)
    checked = _upload(tab, folder, "своя.xlsx")
    assert f"Организация (по коду шаблона): «{SCHOOLS[0]}»" in checked
    tab.get_by_role("button", name="Загрузить").click()
    settle(tab)
    tab.get_by_role("tab", name="Загрузить форму").click()
    assert "загрузка №" in _panel(tab)
    tab.screenshot(path=str(Path(__file__).parents[2] / "docs/screenshots/round-upload.png"))
    context.close()
