"""No English word reaches a person in the browser either: the texts Streamlit and plotly
draw themselves — tooltips (``title``, plotly's ``data-title``), what a screen reader reads
(``aria-label``, visually hidden text), placeholders and the lists' empty state — are
read from every page as the browser has it. Words are counted as in
``tests/wording/test_russian.py`` (its allowed formats and abbreviations)."""

from __future__ import annotations

import pytest

from tests.browser.harness import BROWSER_MARKS, PAGES, settle
from tests.wording.test_russian import english

pytestmark = BROWSER_MARKS

# Every text node (hidden ones too) and every attribute a person meets as words; a
# subtree hidden from screen readers (aria-hidden) and icon ligatures are not read.
_TEXTS = r"""() => {
    const texts = [];
    const skipped = el => el.closest('script, style, noscript, [aria-hidden="true"],'
                                     + ' [data-testid="stIconMaterial"]');
    const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
    while (walker.nextNode()) {
        const parent = walker.currentNode.parentElement;
        const text = walker.currentNode.textContent.trim();
        if (text && parent && !skipped(parent)) texts.push(text);
    }
    const names = ['title', 'aria-label', 'placeholder', 'data-title', 'alt'];
    for (const el of document.querySelectorAll(names.map(n => `[${n}]`).join(','))) {
        if (el.closest('[aria-hidden="true"]')) continue;
        for (const name of names) {
            const value = el.getAttribute(name);
            if (value && value.trim()) texts.push(value.trim());
        }
    }
    return texts;
}"""

SCREENS = {**PAGES, "rounds": "Сбор форм"}
# The example address the contact field of Настройки suggests; plotly's name.
ALLOWED_HERE = {"metod", "example", "ru", "Plotly", "js"}


@pytest.mark.parametrize("path", list(SCREENS), ids=list(SCREENS.values()))
def test_no_english_word_in_a_pages_texts_tooltips_and_hidden_labels(server, small_tab, path):
    small_tab.goto(server + path)
    settle(small_tab)
    found = english(small_tab.evaluate(_TEXTS))
    assert [f for f in found if not set(f.split(" ← ")[0].split()) <= ALLOWED_HERE] == []


def test_a_search_in_a_list_that_finds_nothing_says_so_in_russian(server, small_tab):
    small_tab.goto(server)
    settle(small_tab)
    small_tab.locator('[data-testid="stSidebar"] [data-testid="stSelectbox"]').first.click()
    small_tab.keyboard.type("ёёё")
    empty = small_tab.locator('[role="listbox"], [data-baseweb="menu"]').first
    empty.wait_for(timeout=10_000)
    small_tab.wait_for_timeout(500)
    assert empty.inner_text().strip() == "Ничего не найдено"
