"""The dashboard in a real browser, for what a working group meets in its meeting room:
drill-down by a click in a ranking table. Same harness as ``tests/browser/test_browser.py``."""

from __future__ import annotations

# The harness's fixtures: a cold server on the demo data, chromium, a tab.
from tests.browser.harness import (
    BROWSER_MARKS,
    main_text,
    settle,
)

pytestmark = BROWSER_MARKS

ROW_HEIGHT = 35  # st.dataframe's default row height, the header row included


_GRID_UNDER = """heading => {
    const title = [...document.querySelectorAll('[data-testid="stHeading"]')]
        .find(h => h.innerText.includes(heading));
    const grid = [...document.querySelectorAll('[data-testid="stDataFrame"]')]
        .find(g => title.compareDocumentPosition(g) & Node.DOCUMENT_POSITION_FOLLOWING);
    grid.scrollIntoView({block: 'center'});
    const box = grid.getBoundingClientRect();
    return [box.x, box.y];
}"""


def _tick_first_row(page, heading: str) -> None:
    """Tick the selection box of the first row of the table under ``heading``."""
    x, y = page.evaluate(_GRID_UNDER, heading)
    page.mouse.move(x + 15, y + ROW_HEIGHT * 1.5)  # the row's tick box shows on hover
    page.mouse.click(x + 15, y + ROW_HEIGHT * 1.5)


def test_a_row_click_in_the_ranking_goes_exactly_one_level_down(server, tab):
    tab.goto(server + "indicators?ind=databases")
    settle(tab)
    assert "Рейтинг по регионам" in main_text(tab)
    _tick_first_row(tab, "Рейтинг по регионам")
    tab.get_by_text("Рейтинг по муниципалитетам").wait_for(timeout=60_000)
    settle(tab)
    assert "region=" in tab.url
    assert "municipality=" not in tab.url
    assert tab.locator("h1").first.inner_text() == "Показатели"
    _tick_first_row(tab, "Рейтинг по муниципалитетам")
    tab.wait_for_url("**municipality=**", timeout=60_000)
    settle(tab)
    assert "org=" not in tab.url
    assert tab.locator("h1").first.inner_text() == "Показатели"


_UPLOADER_TEXTS = """() => {
    const zone = document.querySelector('[data-testid="stFileUploaderDropzone"]');
    const shown = [];
    const walk = node => {
        for (const child of node.childNodes) {
            if (child.nodeType === Node.TEXT_NODE && child.textContent.trim()) {
                const size = parseFloat(getComputedStyle(child.parentElement).fontSize);
                if (size > 0) shown.push(child.textContent.trim());
            } else if (child.nodeType === Node.ELEMENT_NODE
                       && child.dataset.testid !== 'stIconMaterial') {
                const after = getComputedStyle(child, '::after').content;
                if (after && after !== 'none' && after !== 'normal') {
                    shown.push(after.replace(/^"|"$/g, ''));
                }
                walk(child);
            }
        }
    };
    walk(zone);
    return shown;
}"""


def test_the_file_uploader_reads_in_russian(server, tab):
    tab.goto(server + "data")
    settle(tab)
    tab.locator('[data-testid="stFileUploaderDropzone"]').first.scroll_into_view_if_needed()
    texts = tab.evaluate(_UPLOADER_TEXTS)
    assert texts == ["Выбрать файлы", "CSV, XLSX, XLSM, XLS или ODS, не больше 50 МБ на файл"]
