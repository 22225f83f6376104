"""A meeting presented on a projector, in a real browser: at 1280×720 and at 1920×1080
every screen of the presentation holds its table or chart without scrolling, no table
scrolls sideways, body text is at least 20 px and chart text at least 16 px. Same harness
as ``tests/browser/test_browser.py``; the meeting and its decisions are made by the engine on the
server's copy of the demo database before the server starts."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest

from analytics.compute import lookups
from analytics.meetings.decisions import Assignment, add_decision
from analytics.meetings.meetings import Sitting, create_meeting, frozen_values, screens
from analytics.operations.users import Role, UserStore
from analytics.store.db import Database
from analytics.store.scope import Scope
from tests.browser.harness import (
    BROWSER_MARKS,
    PASSWORD,
    SCREENSHOTS,
    serve,
    settle,
)

pytestmark = BROWSER_MARKS

# Five decisions as a working group words them: more than one table of four holds.
DECISIONS = (
    (
        "databases",
        "Сформировать базы наставников и наставляемых во всех общеобразовательных "
        "организациях, где их нет, и разместить их на сайтах организаций",
        "Министерство образования и науки Удмуртской Республики, отдел общего образования",
    ),
    (
        "young_mentored",
        "Закрепить наставников за молодыми специалистами первого года работы",
        "Руководители муниципальных органов управления образованием",
    ),
    (
        "program_site",
        "Разместить программы наставничества на официальных сайтах",
        "Кардакова Е. А.",
    ),
    (
        "mentors_trained",
        "Организовать обучение наставников по дополнительной профессиональной программе",
        "Институт развития образования",
    ),
    ("students_mentored", "Провести семинар о вовлечении обучающихся", "Петров П. П."),
)


@pytest.fixture(scope="module")
def meeting(demo_template: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple]:
    """A guarded server with an analyst; yields its URL, a meeting over all territories
    with five decisions, and the number of its screens."""
    db_path = tmp_path_factory.mktemp("presentation") / "monitoring.duckdb"
    shutil.copy(demo_template, db_path)
    with Database(db_path) as db:
        meeting_id = create_meeting(
            db, Scope(periods=(lookups.periods(db)[-1],)), Sitting(date(2024, 9, 20))
        )
        region = int(lookups.hierarchy(db)["region_id"].min())
        for indicator, text, responsible in DECISIONS:
            add_decision(
                db,
                meeting_id,
                Scope(region_id=region, indicators=(indicator,)),
                Assignment(text, responsible, date(2024, 10, 20)),
            )
        count = len(screens(frozen_values(db, meeting_id)))
    users = UserStore(db_path.parent / "users.json")
    users.add("analyst", Role.ANALYST, PASSWORD)
    with serve(db_path, MONITORING_USERS=str(users.path)) as base:
        yield base, meeting_id, count


# What a screen shows that does not fit the projector: a scrolling page, a table wider
# than its box, text under 20 px outside charts, chart text under 16 px.
_MISFITS = """() => {
    const main = document.querySelector('[data-testid="stMain"]');
    const misfits = [];
    if (main.scrollHeight > main.clientHeight) {
        misfits.push(`page ${main.scrollHeight} > ${main.clientHeight}`);
    }
    for (const table of main.querySelectorAll('[data-testid="stTable"]')) {
        if (table.scrollWidth > table.clientWidth) {
            misfits.push(`table ${table.scrollWidth} > ${table.clientWidth}`);
        }
    }
    const walker = document.createTreeWalker(main, NodeFilter.SHOW_TEXT);
    while (walker.nextNode()) {
        const text = walker.currentNode.textContent.trim();
        const element = walker.currentNode.parentElement;
        if (!text || !element.checkVisibility()) continue;
        const size = parseFloat(getComputedStyle(element).fontSize);
        const least = element.closest('svg') ? 16 : 20;
        if (size < least) misfits.push(`${size} px: ${text.slice(0, 40)}`);
    }
    return misfits;
}"""


def _log_in(tab, url: str) -> None:
    tab.goto(url)
    tab.get_by_label("Имя пользователя").fill("analyst")
    tab.get_by_label("Пароль").fill(PASSWORD)
    tab.get_by_role("button", name="Войти").click()
    tab.get_by_text("Экран 1 из").wait_for(timeout=60_000)
    settle(tab)


@pytest.mark.parametrize(("width", "height"), [(1280, 720), (1920, 1080)])
def test_every_presentation_screen_fits_the_projector_in_large_type(
    meeting,
    browser,
    width: int,
    height: int,
):
    base, meeting_id, count = meeting
    context = browser.new_context(viewport={"width": width, "height": height}, locale="ru-RU")
    tab = context.new_page()
    _log_in(tab, f"{base}meeting?meeting={meeting_id}")
    tab.get_by_text("Режим презентации").click()
    settle(tab, "h2")
    misfits = {}
    for n in range(1, count + 1):
        assert f"Экран {n} из {count}" in tab.locator('[data-testid="stMain"]').inner_text()
        if found := tab.evaluate(_MISFITS):
            misfits[tab.locator("h2").first.inner_text()] = found
        if (width, height, n) == (1280, 720, 2):
            tab.screenshot(path=str(SCREENSHOTS / "meeting-presentation.png"))
        if n == count:
            break
        # Focus off the toggle: the arrow keys then turn the screens.
        tab.evaluate("document.activeElement.blur()")
        tab.keyboard.press("ArrowRight")
        tab.get_by_text(f"Экран {n + 1} из {count}").wait_for(timeout=60_000)
        settle(tab, "h2")
    if (width, height) == (1280, 720):
        tab.screenshot(path=str(SCREENSHOTS / "meeting-decisions.png"))
    context.close()
    assert misfits == {}
