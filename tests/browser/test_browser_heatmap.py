"""Дефициты' heatmap on a meeting room's projector (1280×720), measured in the browser as
a person at the back of the room sees it: figures of at least 14 px that fit their
cells, headers upright, and the cells right under the chart's title rather than below an
empty band kept for slanted headers."""

from __future__ import annotations

import pytest

from tests.browser.harness import BROWSER_MARKS, settle

pytestmark = BROWSER_MARKS

# The first chart under «Карта дефицитов»: its figures (font size, width against a
# cell's), its column headers' angles, and where its cells start against the chart's top
# and the chart against the element above it.
_MEASURE = r"""() => {
    const chart = document.querySelector('[data-testid="stPlotlyChart"]');
    const figures = [...chart.querySelectorAll('.heatmaplayer text, g.textpoint text')];
    const headers = [...chart.querySelectorAll('.xtick text')];
    const plot = chart.querySelector('.nsewdrag').getBoundingClientRect();
    const cellWidth = plot.width / headers.length;
    const block = chart.closest('[data-testid="stElementContainer"]');
    const above = block.previousElementSibling.getBoundingClientRect();
    // The key naming the numbered columns: the caption right above the chart.
    const keys = [...block.previousElementSibling.querySelectorAll('.column-key')];
    return {
        sizes: [...new Set(figures.map(t => parseFloat(getComputedStyle(t).fontSize)))],
        widest: Math.max(...figures.map(t => t.getBBox().width)),
        cellWidth: cellWidth,
        slanted: headers.filter(t => (t.getAttribute('transform') || '').includes('rotate'))
            .length,
        headers: headers.length,
        cellsBelowChartTop: plot.top - chart.getBoundingClientRect().top,
        chartBelowAbove: chart.getBoundingClientRect().top - above.bottom,
        keyEntries: keys.length,
        keySizes: [...new Set(keys.map(k => parseFloat(getComputedStyle(k).fontSize)))],
        // An entry on two lines has boxes at two heights (its bold number is a box of
        // its own on the same line).
        keysBroken: keys.filter(
            k => new Set([...k.getClientRects()].map(r => Math.round(r.top))).size > 1
        ).map(k => k.innerText),
        keyAboveChart: keys.length
            ? chart.getBoundingClientRect().top
              - keys[keys.length - 1].getBoundingClientRect().bottom
            : null,
    };
}"""


@pytest.fixture(scope="module")
def measured(server, browser) -> dict:
    context = browser.new_context(viewport={"width": 1280, "height": 720}, locale="ru-RU")
    page = context.new_page()
    page.goto(server + "deficits")
    settle(page)
    page.get_by_text("Карта дефицитов").scroll_into_view_if_needed()
    result = page.evaluate(_MEASURE)
    context.close()
    return result


def test_the_heatmaps_figures_are_at_least_14_px(measured):
    assert measured["sizes"] and min(measured["sizes"]) >= 14


def test_the_heatmaps_widest_figure_fits_inside_its_cell(measured):
    assert measured["widest"] + 4 <= measured["cellWidth"]


def test_the_heatmaps_fifteen_column_headers_stand_upright(measured):
    assert (measured["headers"], measured["slanted"]) == (15, 0)


def test_the_heatmaps_cells_start_under_its_title_without_an_empty_band(measured):
    # The title, the period line and one row of headers: about 110 px; the slanted
    # headers kept 260 px free.
    assert measured["cellsBelowChartTop"] <= 130


def test_the_heatmap_follows_the_text_above_it_without_an_empty_band(measured):
    assert measured["chartBelowAbove"] <= 60


def test_the_heatmaps_key_names_every_column_right_above_it_each_entry_on_one_line(measured):
    # Fifteen names cannot stand over 15 columns of a 1280 px screen at 14 px, even on
    # two lines («Стимулирование» alone is wider than a column): numbers with a key.
    assert measured["keyEntries"] == 15
    assert min(measured["keySizes"]) >= 14
    assert measured["keysBroken"] == []
    assert 0 <= measured["keyAboveChart"] <= 60
