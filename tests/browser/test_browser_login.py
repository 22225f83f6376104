"""A login ends when the person ends it: a copy of the remember cookie taken before
«Выйти» logs no other browser in (a real server, a real chromium at 1280×720)."""

from __future__ import annotations

from tests.browser.harness import BROWSER_MARKS, PASSWORD, settle

pytestmark = BROWSER_MARKS

COOKIE = "monitoring_login"


def log_in(tab, url: str) -> None:
    tab.goto(url)
    tab.get_by_label("Имя пользователя").fill("analyst")
    tab.get_by_label("Пароль").fill(PASSWORD)
    tab.get_by_role("button", name="Войти").click()
    tab.get_by_role("heading", name="Территории").wait_for(timeout=60_000)
    settle(tab)


def open_with(browser, url: str, cookie: dict) -> str:
    """The first heading a fresh browser carrying ``cookie`` sees at ``url``."""
    context = browser.new_context(viewport={"width": 1280, "height": 720}, locale="ru-RU")
    try:
        context.add_cookies([cookie])
        page = context.new_page()
        page.goto(url)
        settle(page)
        return page.locator("h1").first.inner_text()
    finally:
        context.close()


def test_the_remember_cookie_is_http_only_and_hidden_from_the_pages_scripts(
    guarded_server, small_tab
):
    log_in(small_tab, guarded_server + "territories")

    cookie = next(c for c in small_tab.context.cookies() if c["name"] == COOKIE)
    assert (cookie["httpOnly"], cookie["sameSite"], cookie["path"]) == (True, "Strict", "/")
    assert COOKIE not in small_tab.evaluate("document.cookie")


def test_a_copied_cookie_logs_another_browser_in_until_logout_and_never_after(
    guarded_server, browser, small_tab
):
    url = guarded_server + "territories"
    log_in(small_tab, url)
    copy = next(c for c in small_tab.context.cookies() if c["name"] == COOKIE)
    assert open_with(browser, url, copy) == "Территории"

    small_tab.get_by_role("button", name="Выйти").click()
    small_tab.get_by_role("heading", name="Вход").wait_for(timeout=60_000)
    settle(small_tab)

    assert open_with(browser, url, copy) == "Вход"
