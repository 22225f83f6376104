"""Every page on a meeting room's projector (1280×720): no word cut off, no column of a
table hidden beyond its right edge. Measured in the browser, as a person sees the page:
an element whose text is wider than its box and clipped (scroll width against client
width), text ending in «…» whose full wording is in no tooltip, a data grid that scrolls
sideways, a page wider than the screen."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest

from analytics.compute import lookups
from analytics.meetings.meetings import Sitting, create_meeting
from analytics.store.db import Database
from analytics.store.scope import Scope
from tests.browser.harness import BROWSER_MARKS, PAGES, PASSWORD, serve, settle

# A guarded server with a meeting and five decisions (imported, a fixture of this module).
from tests.browser.test_browser_presentation import meeting  # noqa: F401
from tests.browser.test_browser_russian import _TEXTS
from tests.wording.test_russian import english

pytestmark = BROWSER_MARKS

# Where set, the screens this module measures are also saved there, to be looked at.
SHOTS = Path(os.environ["FIT_SCREENSHOTS"]) if os.environ.get("FIT_SCREENSHOTS") else None

# What a person sees cut on a page, as short descriptions; visually hidden elements
# (one pixel wide, for screen readers) are not seen and are left out.
_CUT = r"""() => {
    const cut = [];
    const main = document.querySelector('[data-testid="stMain"]');
    const tooltip = el => el.closest('[title]') !== null;
    for (const el of main.querySelectorAll('*')) {
        const box = el.getBoundingClientRect();
        if (box.width <= 1 || box.height <= 1) continue;
        const text = (el.innerText || '').trim();
        if (!text) continue;
        const style = getComputedStyle(el);
        if (el.scrollWidth > el.clientWidth + 1 && style.overflowX !== 'visible'
            && !el.closest('[data-testid="stDataFrame"]') && !tooltip(el)) {
            cut.push(`обрезан текст «${text.slice(0, 60)}»`);
        }
    }
    // A button's «…» says that a dialog follows, not that its label was cut.
    for (const p of main.querySelectorAll('p, span, div, text, tspan')) {
        const text = [...p.childNodes].filter(n => n.nodeType === Node.TEXT_NODE)
            .map(n => n.textContent).join('').trim();
        if (text.endsWith('…') && !tooltip(p) && !p.closest('button')) {
            cut.push(`многоточие в «${text.slice(-60)}»`);
        }
    }
    for (const grid of main.querySelectorAll('[data-testid="stDataFrame"] .dvn-scroller')) {
        if (grid.scrollWidth > grid.clientWidth + 1) {
            const heading = [...main.querySelectorAll('h2, h3, h4')]
                .filter(h => h.compareDocumentPosition(grid) & Node.DOCUMENT_POSITION_FOLLOWING)
                .pop();
            cut.push(`таблица «${heading ? heading.innerText : ''}» шире экрана: `
                     + `${grid.scrollWidth} из ${grid.clientWidth} пикс.`);
        }
    }
    if (document.documentElement.scrollWidth > window.innerWidth) {
        cut.push(`страница шире экрана: ${document.documentElement.scrollWidth} пикс.`);
    }
    return [...new Set(cut)];
}"""

SCREENS = {**PAGES, "rounds": "Сбор форм"}


@pytest.mark.parametrize("path", list(SCREENS), ids=list(SCREENS.values()))
def test_nothing_on_a_page_is_cut_at_1280_by_720(server, small_tab, path):
    small_tab.goto(server + path)
    settle(small_tab)
    assert small_tab.evaluate(_CUT) == []


def test_the_decisions_table_shows_whom_by_when_and_how_at_1280_by_720(meeting, small_tab):  # noqa: F811
    base, _, _ = meeting
    small_tab.goto(base + "decisions")
    small_tab.get_by_label("Имя пользователя").fill("analyst")
    small_tab.get_by_label("Пароль").fill(PASSWORD)
    small_tab.get_by_role("button", name="Войти").click()
    small_tab.get_by_text("Поручений").first.wait_for(timeout=60_000)
    settle(small_tab)
    assert small_tab.evaluate(_CUT) == []


def open_meeting(tab, base: str, meeting_id: int) -> None:
    """The meeting's first screen, logged in as the analyst."""
    tab.goto(f"{base}meeting?meeting={meeting_id}")
    tab.get_by_label("Имя пользователя").fill("analyst")
    tab.get_by_label("Пароль").fill(PASSWORD)
    tab.get_by_role("button", name="Войти").click()
    tab.get_by_text("Экран 1 из").wait_for(timeout=60_000)
    settle(tab)


def present_second_screen(tab) -> None:
    """Presentation mode on, then the next screen (the first indicator's) by its key."""
    tab.get_by_text("Режим презентации").click()
    settle(tab, "h2")
    tab.evaluate("document.activeElement.blur()")
    tab.keyboard.press("ArrowRight")
    tab.get_by_text("Экран 2 из").wait_for(timeout=60_000)
    settle(tab, "h2")


def test_the_decision_form_stays_on_a_projectors_screen_in_presentation_mode(
    meeting,  # noqa: F811
    small_tab,
):
    base, meeting_id, _ = meeting
    open_meeting(small_tab, base, meeting_id)
    present_second_screen(small_tab)
    small_tab.get_by_text("Поручение по дефициту").click()
    button = small_tab.get_by_role("button", name="Добавить поручение")
    button.wait_for(timeout=30_000)
    settle(small_tab, "h2")
    main = small_tab.locator('[data-testid="stMain"]')
    height = main.evaluate("m => [m.scrollHeight, m.clientHeight]")
    assert height[0] <= height[1]
    assert button.bounding_box()["y"] + button.bounding_box()["height"] <= 720


def test_a_charts_table_opens_from_the_keyboard_inside_a_projectors_screen(
    meeting,  # noqa: F811
    small_tab,
):
    base, meeting_id, _ = meeting
    open_meeting(small_tab, base, meeting_id)
    present_second_screen(small_tab)
    opener = small_tab.get_by_role("button", name="Таблица данных")
    opener.focus()
    small_tab.keyboard.press("Enter")
    table = small_tab.locator('[data-testid="stPopoverBody"] [data-testid="stTable"]')
    table.wait_for(timeout=30_000)
    small_tab.wait_for_timeout(500)
    if SHOTS:
        small_tab.screenshot(path=str(SHOTS / "presentation-table.png"))
    box = table.bounding_box()
    assert box["y"] >= 0 and box["y"] + box["height"] <= 720
    assert box["x"] >= 0 and box["x"] + box["width"] <= 1280
    main = small_tab.locator('[data-testid="stMain"]')
    height = main.evaluate("m => [m.scrollHeight, m.clientHeight]")
    assert height[0] <= height[1]
    # The regions of the demo and their figures: a row per bar of the chart.
    assert table.locator("tr").count() == 1 + 2
    assert table.evaluate("t => t.scrollWidth <= t.clientWidth")


def test_a_meetings_summary_and_decisions_show_every_column_beside_the_sidebar(
    meeting,  # noqa: F811
    small_tab,
):
    base, meeting_id, count = meeting
    open_meeting(small_tab, base, meeting_id)
    cut = {"Сводка показателей": small_tab.evaluate(_CUT)}
    if SHOTS:
        small_tab.screenshot(path=str(SHOTS / "meeting-summary.png"))
    for n in range(2, count + 1):
        small_tab.get_by_role("button", name="Далее").click()
        small_tab.get_by_text(f"Экран {n} из {count}").wait_for(timeout=60_000)
    settle(small_tab)
    cut["Поручения заседания"] = small_tab.evaluate(_CUT)
    if SHOTS:
        small_tab.screenshot(path=str(SHOTS / "meeting-decisions-normal.png"))
    assert cut == {"Сводка показателей": [], "Поручения заседания": []}


@pytest.fixture(scope="module")
def town_meeting(demo_template: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A server in single-user mode with a meeting over a town of 32 schools (the demo's
    municipality 8): its charts compare more schools than a projector shows."""
    db_path = tmp_path_factory.mktemp("town_meeting") / "monitoring.duckdb"
    shutil.copy(demo_template, db_path)
    with Database(db_path) as db:
        scope = Scope(periods=(lookups.periods(db)[-1],), municipality_id=8)
        meeting_id = create_meeting(db, scope, Sitting(date(2024, 9, 20)))
    with serve(db_path, MONITORING_USERS=str(db_path.parent / "users.json")) as base:
        yield f"{base}meeting?meeting={meeting_id}"


# The projected chart: its bars, the labels plotly drew beside them (it leaves some out
# where they would overlap), the size of the figures on the bars.
_BARS = """() => {
    const chart = document.querySelector('[data-testid="stPlotlyChart"]');
    return {
        bars: chart.querySelectorAll('.barlayer .point').length,
        labels: chart.querySelectorAll('.ytick text').length,
        sizes: [...chart.querySelectorAll('.barlayer text')].map(
            t => parseFloat(getComputedStyle(t).fontSize)
        ),
    };
}"""


def test_a_projected_chart_names_every_bar_and_prints_its_figures_at_16_px_or_more(
    town_meeting, small_tab
):
    small_tab.goto(town_meeting)
    settle(small_tab)
    present_second_screen(small_tab)
    if SHOTS:
        small_tab.screenshot(path=str(SHOTS / "presentation-town.png"))
    found = small_tab.evaluate(_BARS)
    main = small_tab.locator('[data-testid="stMain"]')
    height = main.evaluate("m => [m.scrollHeight, m.clientHeight]")
    assert height[0] <= height[1]
    assert found["bars"] >= 6
    assert found["labels"] == found["bars"]
    assert min(found["sizes"]) >= 16
    # The table of every school, the ones the chart leaves out too, opens on the screen
    # and scrolls inside its popover.
    small_tab.get_by_role("button", name="Таблица данных").click()
    body = small_tab.locator('[data-testid="stPopoverBody"]')
    body.locator('[data-testid="stTable"]').wait_for(timeout=30_000)
    small_tab.wait_for_timeout(500)
    if SHOTS:
        small_tab.screenshot(path=str(SHOTS / "presentation-town-table.png"))
    box = body.bounding_box()
    assert box["y"] >= 0 and box["y"] + box["height"] <= 720
    assert body.locator("tbody tr").count() == 18
    # Nor does the projected screen with its table open say a word in English.
    assert english(small_tab.evaluate(_TEXTS)) == []
