"""The «Показатели» page: what it says where chart images cannot be made."""

from __future__ import annotations

from analytics.documents.images import CHROMIUM_VARIABLE, UNAVAILABLE_MESSAGE
from tests.apptest import assert_clean, open_page

PAGE = "pages/indicators.py"


def test_without_chromium_the_page_says_once_that_chart_images_are_unavailable(copy, monkeypatch):
    monkeypatch.setenv(CHROMIUM_VARIABLE, "")  # as on a machine without chromium

    at = open_page(PAGE, {"ind": "databases"})

    assert_clean(at)
    assert len(at.get("plotly_chart")) >= 2
    assert [c.value for c in at.main.caption].count(UNAVAILABLE_MESSAGE) == 1
    assert "PNG" not in [b.label for b in at.get("download_button")]
