"""Chart text readable where it is printed: at least 9 pt in the note on A4 and at least
24 px on a slide shown at 1280×720 — every font size of every document chart, scaled by
the layout width it is drawn at and the width its picture is set at."""

from __future__ import annotations

import pytest

from analytics.documents import deck, figures
from analytics.documents.territory import collect
from analytics.model.catalogue import GROUPS, INDICATORS
from analytics.store.db import Database
from analytics.store.scope import Scope
from tests.townfiles import NOW, PERIOD, load_town

POINTS_PER_CM = 72 / 2.54
SLIDE_SCREEN_PX = 1280


def _sizes(fig) -> list[float]:
    """Every text size a figure sets, its default included."""
    layout = fig.layout
    sizes = [layout.font.size, layout.legend.font.size]
    for axis in (layout.xaxis, layout.yaxis):
        if axis.tickfont.size is not None:
            sizes.append(axis.tickfont.size)
    sizes += [t.textfont.size for t in fig.data if getattr(t, "textfont", None) is not None]
    return [s for s in sizes if s is not None]


@pytest.fixture(scope="module")
def town_charts(tmp_path_factory: pytest.TempPathFactory):
    db = Database(tmp_path_factory.mktemp("charts") / "monitoring.duckdb")
    municipality = load_town(db)
    data = collect(db, Scope(periods=(PERIOD,), municipality_id=municipality), NOW)
    found = [figures.group_figure(data, g.code) for g in GROUPS]
    found += [figures.units_figure(data, i.id) for i in INDICATORS]
    yield [f for f in found if f is not None]
    db.close()


def test_every_document_chart_sets_no_text_under_24_layout_pixels(town_charts):
    assert town_charts
    smallest = min(min(_sizes(fig)) for fig in town_charts)
    assert smallest >= 24


def test_24_layout_pixels_print_at_9_points_or_more_in_the_note():
    printed_cm = figures.SMALL_FONT_SIZE / figures.NOTE.width * figures.FIGURE_CM
    assert printed_cm * POINTS_PER_CM >= 9


def test_24_layout_pixels_show_at_24_pixels_or_more_on_a_1280_slide():
    picture_px = (deck.WIDTH - 2 * deck.MARGIN) / deck.WIDTH * SLIDE_SCREEN_PX
    assert figures.SMALL_FONT_SIZE / figures.DECK.width * picture_px >= 24
