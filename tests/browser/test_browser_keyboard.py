"""The pages work from the keyboard alone (issue 25, item 4; WCAG 2.1.1): Tab reaches the
sidebar's page links, the filters and a chart's data table, and the keys a combobox or a
link expects open them."""

from __future__ import annotations

from tests.browser.harness import BROWSER_MARKS, settle

pytestmark = BROWSER_MARKS

# What has the keyboard's focus: its tag, its own text's last line, its label.
_FOCUSED = """() => {
    const e = document.activeElement;
    const lines = (e.innerText || '').trim().split('\\n');
    return {tag: e.tagName, text: lines[lines.length - 1],
            label: e.getAttribute('aria-label') || ''};
}"""
TABS = 80


def tab_to(page, wanted) -> bool:
    """Press Tab until ``wanted(focused)`` holds, at most :data:`TABS` times."""
    for _ in range(TABS):
        page.keyboard.press("Tab")
        if wanted(page.evaluate(_FOCUSED)):
            return True
    return False


def test_tab_reaches_a_sidebars_page_link_and_enter_opens_its_page(server, small_tab):
    small_tab.goto(server)
    settle(small_tab)

    assert tab_to(small_tab, lambda f: f["tag"] == "A" and f["text"] == "Дефициты")
    small_tab.keyboard.press("Enter")
    settle(small_tab)

    assert small_tab.url.split("?")[0].endswith("/deficits")
    assert small_tab.locator("h1").first.inner_text() == "Дефициты"


def test_tab_reaches_the_period_filter_and_arrow_down_opens_its_choices(server, small_tab):
    small_tab.goto(server + "indicators")
    settle(small_tab)

    assert tab_to(small_tab, lambda f: f["tag"] == "INPUT" and f["label"] == "Период")
    # A combobox opens with the down arrow (WAI-ARIA's pattern); Enter then chooses.
    small_tab.keyboard.press("ArrowDown")

    options = small_tab.get_by_role("option")
    options.first.wait_for(timeout=10_000)
    assert "2023/2024 уч. год" in options.all_inner_texts()


def test_tab_reaches_a_charts_data_table_and_enter_opens_it(server, small_tab):
    small_tab.goto(server + "territories")
    settle(small_tab)

    assert tab_to(small_tab, lambda f: f["text"] == "Таблица данных")
    small_tab.keyboard.press("Enter")

    table = small_tab.locator('[data-testid="stExpander"] [data-testid="stDataFrame"]').first
    table.wait_for(state="visible", timeout=10_000)
    assert table.bounding_box()["height"] > 100
