"""The dashboard in a real browser: Debian's chromium driven by Playwright against a
Streamlit server started cold for this module, on a copy of the demo database."""

from __future__ import annotations

import pytest

from tests.browser.harness import BROWSER_MARKS, PAGES, PASSWORD, SCREENSHOTS, main_text, settle

pytestmark = BROWSER_MARKS


@pytest.mark.parametrize(("path", "title"), list(PAGES.items()))
def test_every_page_opens_by_its_url_on_a_cold_server(server, tab, path, title):
    tab.goto(server + path)
    settle(tab)
    assert tab.locator("h1").first.inner_text() == title
    text = main_text(tab)
    assert "Traceback" not in text
    assert "Не удалось построить страницу" not in text
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    tab.screenshot(path=str(SCREENSHOTS / f"{path or 'overview'}.png"), full_page=False)


def test_a_copied_link_reopens_the_same_indicator_and_period(server, tab):
    tab.goto(server + "indicators?period=2022%2F2023&ind=teachers_involved")
    settle(tab)
    assert "Педагоги в наставничестве: 2022/2023 уч. год" in main_text(tab)


def test_choosing_a_municipality_narrows_the_page_and_the_url(server, tab):
    # Tall enough for the select's list to open below it, in view.
    tab.set_viewport_size({"width": 1600, "height": 1600})
    tab.goto(server + "indicators")
    settle(tab)
    sidebar = tab.locator('[data-testid="stSidebar"]')
    sidebar.locator('[data-testid="stSelectbox"]').filter(has_text="Муниципалитет").click()
    tab.get_by_role("option", name="г. Глазов").click()
    settle(tab)
    assert "municipality=" in tab.url
    assert "г. Глазов" in main_text(tab)


def test_an_uploaded_municipal_file_is_previewed_then_loaded(server, tab):
    from tests.conftest import DATA

    tab.goto(server + "data")
    settle(tab)
    main = tab.locator('[data-testid="stMain"]')
    for label, value in (
        ("Регион", "Удмуртская Республика"),
        ("Муниципалитет", "г. Глазов (выборка)"),
        ("Период", "2023"),
    ):
        field = main.get_by_label(label, exact=True)
        field.fill(value)
        field.press("Enter")
        settle(tab)
    tab.locator('input[type="file"]').set_input_files(str(DATA / "glazov_2023.xlsx"))
    tab.get_by_text("Предварительная проверка").wait_for(timeout=60_000)
    settle(tab)
    assert "В базу пока ничего не записано" in main_text(tab)
    tab.screenshot(path=str(SCREENSHOTS / "upload-preview.png"), full_page=False)
    main.get_by_role("button", name="Загрузить").click()
    tab.get_by_text("загружен", exact=False).first.wait_for(timeout=60_000)
    settle(tab)
    tab.goto(server + "indicators?period=2023&ind=databases")
    settle(tab)
    text = main_text(tab)
    assert "16 из 30 ОО" in text
    assert "53,3\u00a0%" in text


def test_a_row_the_engine_cannot_place_waits_for_a_choice_on_a_projector(
    server, browser, demo_template
):
    from analytics.store.db import Database
    from ui.upload import NEW_ORGANISATION_LABEL

    with Database(demo_template, read_only=True) as db:
        place = db.query(
            "SELECT r.name AS region, m.name AS municipality, max(f.period) AS period "
            "FROM registry JOIN organizations o USING (org_id) "
            "JOIN municipalities m USING (municipality_id) JOIN regions r USING (region_id) "
            "JOIN form_values f USING (org_id) GROUP BY 1, 2 ORDER BY 2 LIMIT 1"
        ).iloc[0]
    context = browser.new_context(viewport={"width": 1280, "height": 720}, locale="ru-RU")
    tab = context.new_page()
    tab.goto(server + "data")
    settle(tab)
    main = tab.locator('[data-testid="stMain"]')
    for label, value in (
        ("Регион", place["region"]),
        ("Муниципалитет", place["municipality"]),
        ("Период", place["period"]),
    ):
        field = main.get_by_label(label, exact=True)
        field.fill(value)
        field.press("Enter")
        settle(tab)
    csv = (
        "Наименование ОО;Тип ОО;Положение о наставничестве\nМБОУ «СОШ № 977»;школа;да\n"
    ).encode()
    tab.locator('input[type="file"]').set_input_files(
        {"name": "новая.csv", "mimeType": "text/csv", "buffer": csv}
    )
    tab.get_by_text("Предварительная проверка").wait_for(timeout=60_000)
    settle(tab)
    assert "ждут сопоставления: 1\u00a0строка" in main_text(tab)
    assert main.get_by_role("button", name="Загрузить").is_disabled()
    choice = main.get_by_text(NEW_ORGANISATION_LABEL, exact=True)
    choice.scroll_into_view_if_needed()
    choice.click()
    settle(tab)
    # The municipality has registered schools: a new one is taken once confirmed.
    assert main.get_by_role("button", name="Загрузить").is_disabled()
    confirm = main.get_by_text("Да, «МБОУ «СОШ № 977»» — новая организация", exact=False)
    confirm.click()
    settle(tab)
    confirm.scroll_into_view_if_needed()
    tab.screenshot(path=str(SCREENSHOTS / "upload-review.png"), full_page=False)
    main.get_by_role("button", name="Загрузить").click()
    tab.get_by_text("Загружен файл «новая.csv»", exact=False).wait_for(timeout=60_000)
    context.close()


def test_a_link_with_a_school_opens_its_profile(server, tab, demo_template):
    from analytics.store.db import Database

    with Database(demo_template, read_only=True) as db:
        org_id, name = db.query(
            "SELECT org_id, name FROM organizations ORDER BY org_id LIMIT 1"
        ).iloc[0]
    tab.goto(server + f"organization?org={int(org_id)}")
    settle(tab)
    assert name in main_text(tab)
    tab.screenshot(path=str(SCREENSHOTS / "organization-profile.png"), full_page=False)


def test_a_deep_link_asks_to_log_in_then_opens_the_page_asked_for(guarded_server, tab):
    tab.goto(guarded_server + "territories?period=2023%2F2024")
    tab.wait_for_selector("h1", timeout=60_000)
    assert tab.locator("h1").first.inner_text() == "Вход"
    tab.get_by_label("Имя пользователя").fill("analyst")
    tab.get_by_label("Пароль").fill(PASSWORD)
    tab.get_by_role("button", name="Войти").click()
    tab.get_by_role("heading", name="Территории").wait_for(timeout=60_000)
    settle(tab)
    sidebar = tab.locator('[data-testid="stSidebar"]').inner_text()
    assert "Вы вошли как analyst (аналитик)." in sidebar
    assert "period=2023" in tab.url


def test_a_login_survives_a_reload_and_a_logout_forgets_it(guarded_server, tab):
    tab.goto(guarded_server + "territories")
    tab.get_by_label("Имя пользователя").fill("analyst")
    tab.get_by_label("Пароль").fill(PASSWORD)
    tab.get_by_role("button", name="Войти").click()
    tab.get_by_role("heading", name="Территории").wait_for(timeout=60_000)
    settle(tab)
    cookie = next(c for c in tab.context.cookies() if c["name"] == "monitoring_login")
    assert (cookie["sameSite"], cookie["httpOnly"]) == ("Strict", True)
    assert PASSWORD not in cookie["value"]

    tab.reload()
    tab.get_by_role("heading", name="Территории").wait_for(timeout=60_000)
    settle(tab)
    assert "Вы вошли как analyst" in tab.locator('[data-testid="stSidebar"]').inner_text()

    tab.get_by_role("button", name="Выйти").click()
    tab.get_by_role("heading", name="Вход").wait_for(timeout=60_000)
    settle(tab)
    tab.reload()
    tab.get_by_role("heading", name="Вход").wait_for(timeout=60_000)
    assert [c for c in tab.context.cookies() if c["name"] == "monitoring_login"] == []


def test_a_meeting_is_opened_and_presented_screen_by_screen_with_the_keyboard(guarded_server, tab):
    tab.goto(guarded_server + "meeting")
    tab.get_by_label("Имя пользователя").fill("analyst")
    tab.get_by_label("Пароль").fill(PASSWORD)
    tab.get_by_role("button", name="Войти").click()
    tab.get_by_role("heading", name="Заседание").wait_for(timeout=60_000)
    settle(tab)
    tab.get_by_label("Присутствовали (по одному в строке)").fill("Иванова И. И.\nПетров П. П.")
    tab.get_by_role("button", name="Открыть заседание").click()
    tab.get_by_text("Экран 1 из").wait_for(timeout=60_000)
    settle(tab)
    tab.get_by_text("Режим презентации").click()
    settle(tab, "h2")  # the page title is hidden while presenting
    first = tab.locator("h2").first.inner_text()
    tab.locator("h2").first.click()  # focus off the toggle: arrows then turn screens
    tab.keyboard.press("ArrowRight")
    tab.get_by_text("Экран 2 из").wait_for(timeout=60_000)
    settle(tab, "h2")
    assert tab.locator("h2").first.inner_text() != first
    assert "данные на" in main_text(tab).lower()
