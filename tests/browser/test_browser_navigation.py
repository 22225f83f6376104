"""The sidebar's filters in a real browser at 1280×720, wherever the user goes: the
sidebar's links, the browser's back and forward, a reload, a shared link followed by a
click. The database has three periods and opens on the middle one (the latest is still
being collected), so neither the first nor the last option of the period select is the
one a session starts with."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest

from analytics.ingest.load import Decisions, ingest_file
from analytics.ingest.parse import Defaults
from analytics.store.db import Database
from tests.browser.harness import BROWSER_MARKS, serve, settle
from tests.conftest import DATA
from ui.page import PAGES

pytestmark = BROWSER_MARKS

# The links every role sees (the navigation runs as the administrator).
LABELS = [label for _, label, _, who in PAGES if who is None]
# Every link once, from the overview on through the last and back to the overview.
CLICKS = [*LABELS[1:], LABELS[0]]
LATEST = "2024/2025"
DEFAULT = "2023/2024"
SARAPUL = "г. Сарапул"


@pytest.fixture(scope="module")
def navserver(
    demo_template: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[str, str]]:
    """A cold server on the demo data (2022/2023 and 2023/2024) with a few forms of
    2024/2025 (a town's sample, as new organisations): the default period is 2023/2024.
    Yields its URL and the id of г. Сарапул."""
    db_path = tmp_path_factory.mktemp("navigation") / "monitoring.duckdb"
    shutil.copy(demo_template, db_path)
    with Database(db_path) as db:
        ingest_file(
            db,
            DATA / "glazov_2023.xlsx",
            defaults=Defaults("Удмуртская Республика", "г. Глазов", None, LATEST),
            decisions=Decisions(new_orgs=True),
        )
        periods = db.query("SELECT DISTINCT period FROM form_values ORDER BY 1")["period"]
        town = db.query("SELECT municipality_id FROM municipalities WHERE name = ?", [SARAPUL])
    assert periods.tolist() == ["2022/2023", DEFAULT, LATEST]
    with serve(db_path, MONITORING_USERS=str(db_path.parent / "users.json")) as base:
        yield base, str(int(town.iloc[0, 0]))


def _shown(tab, label: str) -> str:
    """The value a sidebar select shows."""
    sidebar = tab.locator('[data-testid="stSidebar"]')
    return sidebar.get_by_role("combobox", name=label, exact=True).input_value()


def _choose(tab, label: str, option: str) -> None:
    sidebar = tab.locator('[data-testid="stSidebar"]')
    select = sidebar.locator('[data-testid="stSelectbox"]').filter(has_text=label)
    # The list closes as soon as the sidebar scrolls: bring the select into view first.
    select.scroll_into_view_if_needed()
    tab.wait_for_timeout(500)
    select.get_by_role("button", name="Открыть").click()
    tab.get_by_role("option", name=option, exact=True).click()
    settle(tab)


def _click(tab, label: str) -> None:
    sidebar = tab.locator('[data-testid="stSidebar"]')
    sidebar.locator('[data-testid="stPageLink"]').filter(has_text=label).first.click()
    settle(tab)


def _where(tab) -> tuple[str, str, str, dict[str, list[str]]]:
    """The page's title, the period and municipality the sidebar shows, the URL's query."""
    query = parse_qs(urlsplit(tab.url).query)
    query.pop("ind", None)  # a page's own parameter, not a filter
    return (
        tab.locator("h1").first.inner_text(),
        _shown(tab, "Период"),
        _shown(tab, "Муниципалитет"),
        query,
    )


def test_every_sidebar_link_keeps_the_period_a_fresh_session_opens_on(navserver, small_tab):
    base, _ = navserver
    small_tab.goto(base)
    settle(small_tab)
    assert _where(small_tab) == ("Обзор", f"{DEFAULT} уч. год", "все", {"period": [DEFAULT]})
    for label in CLICKS:
        _click(small_tab, label)
        assert _where(small_tab) == (label, f"{DEFAULT} уч. год", "все", {"period": [DEFAULT]})


def test_a_chosen_town_and_period_survive_links_back_forward_and_a_reload(navserver, small_tab):
    tab = small_tab
    base, town = navserver
    tab.goto(base)
    settle(tab)
    _choose(tab, "Период", f"{LATEST} уч. год")
    _choose(tab, "Муниципалитет", SARAPUL)
    chosen = {"period": [LATEST], "municipality": [town]}

    def expect(title: str) -> tuple:
        return (title, f"{LATEST} уч. год", SARAPUL, chosen)

    assert _where(tab) == expect("Обзор")
    for label in CLICKS:
        _click(tab, label)
        assert _where(tab) == expect(label)
    # The history now ends …, Настройки, Обзор.
    tab.go_back()
    settle(tab)
    assert _where(tab) == expect(CLICKS[-2])
    tab.go_back()
    settle(tab)
    assert _where(tab) == expect(CLICKS[-3])
    tab.go_forward()
    settle(tab)
    assert _where(tab) == expect(CLICKS[-2])
    tab.reload()
    settle(tab)
    assert _where(tab) == expect(CLICKS[-2])
    _click(tab, "Дефициты")
    assert _where(tab) == expect("Дефициты")


def test_a_shared_link_keeps_its_filters_after_the_first_clicks(navserver, small_tab):
    tab = small_tab
    base, town = navserver
    tab.goto(f"{base}deficits?period=2024%2F2025&municipality={town}")
    settle(tab)
    chosen = {"period": [LATEST], "municipality": [town]}
    assert _where(tab) == ("Дефициты", f"{LATEST} уч. год", SARAPUL, chosen)
    for label in ("Обзор", "Территории", "Показатели"):
        _click(tab, label)
        assert _where(tab) == (label, f"{LATEST} уч. год", SARAPUL, chosen)


def test_a_link_to_an_organisations_profile_opens_it_and_back_returns_to_the_town(
    navserver, small_tab
):
    tab = small_tab
    base, town = navserver
    tab.goto(base)
    settle(tab)
    _choose(tab, "Муниципалитет", SARAPUL)
    _click(tab, "Данные")
    tab.get_by_role("tab", name="Качество данных").click()
    settle(tab)
    link = tab.locator('[data-testid="stMain"] [data-testid="stPageLink"] a').first
    name = link.inner_text().removeprefix("school").split(" — ")[0].strip()
    org = parse_qs(urlsplit(link.get_attribute("href")).query)["org"][0]
    link.click()
    settle(tab)
    chosen = {"period": [DEFAULT], "municipality": [town], "org": [org]}
    assert _where(tab) == ("Организация", f"{DEFAULT} уч. год", SARAPUL, chosen)
    assert _shown(tab, "Организация") == name
    tab.go_back()
    settle(tab)
    town_only = {"period": [DEFAULT], "municipality": [town]}
    assert _where(tab) == ("Данные", f"{DEFAULT} уч. год", SARAPUL, town_only)
    assert _shown(tab, "Организация") == "все организации"
