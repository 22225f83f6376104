"""A district's coordinator loads the district's file from «Данные» alone, at 1280×720, on
a fresh database holding Санкт-Петербург's published registry (tests/cityfiles.py):
every row the load needs placed is asked on the page, each candidate is read whole (its
name, ИНН and score), and the load succeeds (issue 31)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.browser.harness import BROWSER_MARKS, SCREENSHOTS, main_text, serve, settle
from tests.conftest import snapshot

pytestmark = BROWSER_MARKS

FILE = "адмиралтейский.xlsx"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
WIDTH = 1280  # the width of the small_tab fixture


@pytest.fixture(scope="module")
def city_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:
    """A cold server on a fresh database holding the registry of Санкт-Петербург."""
    from analytics.ingest.load import ingest_bytes
    from analytics.model.contract import FormKind
    from analytics.store.db import Database
    from tests import cityfiles as city

    db = tmp_path_factory.mktemp("browser_city") / "monitoring.duckdb"
    with Database(db) as opened:
        ingest_bytes(opened, "реестр.csv", city.registry_csv(), FormKind.REGISTRY)
    with serve(db, MONITORING_USERS=str(db.parent / "users.json")) as base:
        yield base, db


def question(main, row: int):
    """The choices of the page's question about ``row`` of the file: in the innermost block
    naming the row (the blocks around it name every row asked about)."""
    block = main.locator('[data-testid="stVerticalBlock"]').filter(
        has=main.page.get_by_text(f"строка {row}: «", exact=False)
    )
    return block.last.locator('[data-testid="stRadio"]').first


def test_the_district_file_is_placed_and_loaded_from_the_page_alone(
    city_server, small_tab, tmp_path
):
    from tests import cityfiles as city

    base, db = city_server
    tab = small_tab
    tab.goto(base + "data")
    settle(tab)
    main = tab.locator('[data-testid="stMain"]')
    tab.locator('input[type="file"]').set_input_files(
        {"name": FILE, "mimeType": XLSX, "buffer": city.district_xlsx(city.review_rows())}
    )
    tab.get_by_text("Предварительная проверка").wait_for(timeout=60_000)
    settle(tab)
    # Both doubtful rows are asked about at once (issue 26).
    assert "ждут сопоставления: 2\u00a0строки" in main_text(tab)
    load = main.get_by_role("button", name="Загрузить")
    assert load.is_disabled()

    row_7 = question(main, 7)
    option = row_7.get_by_text(city.CTT, exact=True)
    option.scroll_into_view_if_needed()
    # Read whole at 1280×720: the name ends inside the window, its ИНН and score under it.
    box = option.bounding_box()
    assert box is not None and box["x"] + box["width"] <= WIDTH
    assert f"ИНН {city.inn_of(1)}" in row_7.inner_text()
    assert "совпадение 95\u00a0%" in row_7.inner_text()
    # Names and captions are escaped for the radio's markdown: no escape shows.
    assert "\\" not in row_7.inner_text()
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    tab.screenshot(path=str(SCREENSHOTS / "upload-review-candidates.png"), full_page=False)
    option.click()
    settle(tab)

    # Row 7 placed, row 13 still to answer before the load.
    assert load.is_disabled()
    row_13 = question(main, 13)
    row_13.get_by_text(city.DT, exact=True).click()
    settle(tab)
    assert load.is_enabled()
    load.click()
    tab.get_by_text(f"Загружен файл «{FILE}»", exact=False).wait_for(timeout=60_000)
    settle(tab)
    with snapshot(db, tmp_path) as stored:
        assert stored.scalar("SELECT count(*) FROM organizations") == 296
        assert stored.scalar("SELECT count(DISTINCT org_id) FROM form_values") == 9


def test_the_upload_fields_keep_their_values_after_another_page(city_server, small_tab):
    base, _ = city_server
    tab = small_tab
    tab.goto(base + "data")
    settle(tab)
    main = tab.locator('[data-testid="stMain"]')
    typed = {"Регион": "г. Санкт-Петербург", "Муниципалитет": "Адмиралтейский район"}
    typed["Период"] = "2022/2023"
    for label, value in typed.items():
        field = main.get_by_label(label, exact=True)
        field.fill(value)
        field.press("Enter")
        settle(tab)
    sidebar = tab.locator('[data-testid="stSidebar"]')
    sidebar.get_by_role("link", name="Обзор").click()
    settle(tab)
    sidebar.get_by_role("link", name="Данные").click()
    settle(tab)

    kept = {label: main.get_by_label(label, exact=True).input_value() for label in typed}
    assert kept == typed
