"""Accessibility as a government site needs it (ГОСТ Р 52872-2019 follows WCAG 2.1):
axe-core, the checker browsers' own tools use, finds no critical or serious violation on
any page at 1280×720, colour contrast included. axe-core comes from the npm registry
(``npm install`` in the repository's root, see package.json)."""

from __future__ import annotations

import pytest

from tests.browser.harness import BROWSER_MARKS, PAGES, settle
from tests.conftest import ROOT

AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
pytestmark = [
    *BROWSER_MARKS,
    pytest.mark.skipif(not AXE.exists(), reason="нет axe-core: npm install в корне проекта"),
]

# Each critical or serious violation as «rule: element» lines, a person's way to find it.
_VIOLATIONS = """async () => {
    const result = await axe.run(document, {resultTypes: ['violations']});
    return result.violations
        .filter(v => v.impact === 'critical' || v.impact === 'serious')
        .flatMap(v => v.nodes.map(n => `${v.id}: ${n.target.join(' ')}`));
}"""

SCREENS = {**PAGES, "rounds": "Сбор форм"}


@pytest.mark.parametrize("path", list(SCREENS), ids=list(SCREENS.values()))
def test_axe_finds_no_serious_violation_on_a_page(server, small_tab, path):
    small_tab.goto(server + path)
    settle(small_tab)
    small_tab.add_script_tag(path=str(AXE))
    assert small_tab.evaluate(_VIOLATIONS) == []
