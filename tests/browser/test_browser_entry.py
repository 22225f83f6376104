"""«Моя форма» in a real browser: a school's curator fills the form, loses the connection
and reloads, finds every answer kept, sends it; the coordinator returns it with a comment on
«Сбор форм»; the school corrects and sends again. At 1366×768 and on a 390-pixel phone,
axe-core finds no critical or serious violation on the filled form; another school fills
and sends its form from the keyboard alone."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from analytics.operations.users import Role, UserStore
from analytics.store.db import Database
from tests.browser.harness import BROWSER_MARKS, PASSWORD, main_text, serve, settle
from tests.browser.test_browser_axe import _VIOLATIONS, AXE
from tests.browser.test_browser_keyboard import TABS, tab_to
from tests.roundfiles import inn, load_registry, open_city_round

pytestmark = BROWSER_MARKS
COMMENT = "Наставляемых больше, чем педагогов: проверьте"
LAPTOP = {"width": 1366, "height": 768}
PHONE = {"width": 390, "height": 844}
# The name of the choices' group that has the keyboard's focus.
_RADIO_GROUP = "() => document.activeElement.closest('[role=radiogroup]')?.ariaLabel"


@pytest.fixture(scope="module")
def entryserver(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A server over the city's registry with its round open, «school1» the curator of
    СОШ № 1, «school2» of the second school and «coordinator» the administrator."""
    folder = tmp_path_factory.mktemp("browser_entry")
    db_path = folder / "monitoring.duckdb"
    with Database(db_path) as db:
        load_registry(db)
        open_city_round(db)
    users = UserStore(folder / "users.json")
    users.add("school1", Role.CURATOR, PASSWORD, (inn(0),))
    users.add("school2", Role.CURATOR, PASSWORD, (inn(1),))
    users.add("coordinator", Role.ADMIN, PASSWORD)
    with serve(Path(db_path), MONITORING_USERS=str(users.path)) as base:
        yield base


def log_in(browser, url: str, login: str, heading: str, viewport: dict[str, int]):
    context = browser.new_context(viewport=viewport, locale="ru-RU")
    tab = context.new_page()
    tab.goto(url)
    tab.get_by_label("Имя пользователя").fill(login)
    tab.get_by_label("Пароль").fill(PASSWORD)
    tab.get_by_role("button", name="Войти").click()
    tab.get_by_role("heading", name=heading).wait_for(timeout=60_000)
    settle(tab)
    return tab


def choose(tab, question: str, word: str) -> None:
    """Pick «да» or «нет» of a yes/no answer."""
    group = tab.get_by_role("radiogroup", name=question)
    group.get_by_text(word, exact=True).click()
    settle(tab)


def type_count(tab, label: str, value: int) -> None:
    field = tab.locator('[data-testid="stMain"]').get_by_label(label, exact=True)
    field.fill(str(value))
    field.press("Enter")
    settle(tab)


def count_in(tab, label: str) -> str:
    return tab.locator('[data-testid="stMain"]').get_by_label(label, exact=True).input_value()


def send(tab) -> str:
    tab.get_by_role("button", name="Отправить").click()
    settle(tab)
    return main_text(tab)


def assert_accessible(tab) -> None:
    if AXE.exists():
        tab.add_script_tag(path=str(AXE))
        assert tab.evaluate(_VIOLATIONS) == []


def test_a_school_fills_reloads_sends_is_returned_corrects_and_sends_again(entryserver, browser):
    school = log_in(browser, entryserver + "entry", "school1", "Моя форма", LAPTOP)
    choose(school, "Положение о наставничестве", "да")
    choose(school, "Программа на сайте", "нет")
    type_count(school, "Педагогических работников", 10)
    type_count(school, "Педагогов-наставляемых", 12)
    assert "педагогов-наставляемых больше, чем педагогических работников" in main_text(school)
    assert_accessible(school)

    # The connection drops (a school's Wi-Fi), comes back, and the page is reloaded.
    school.context.set_offline(True)
    school.wait_for_timeout(2000)
    school.context.set_offline(False)
    school.reload()
    school.get_by_role("heading", name="Моя форма").wait_for(timeout=60_000)
    settle(school)
    assert count_in(school, "Педагогических работников") == "10"
    assert count_in(school, "Педагогов-наставляемых") == "12"
    assert "Заполнено ответов: 4 из 22." in main_text(school)
    assert "Форма отправлена" in send(school)

    coordinator = log_in(browser, entryserver + "rounds", "coordinator", "Сбор форм", LAPTOP)
    coordinator.get_by_role("tab", name="Файлы").click()
    panel = coordinator.get_by_role("tabpanel").filter(visible=True).first
    panel.get_by_label("Комментарий (обязателен при возврате)").fill(COMMENT)
    panel.get_by_label("Комментарий (обязателен при возврате)").press("Enter")
    settle(coordinator)
    coordinator.get_by_role("tab", name="Файлы").click()
    coordinator.get_by_role("button", name="Вернуть на доработку").click()
    settle(coordinator)
    coordinator.context.close()

    school.reload()
    school.get_by_role("heading", name="Моя форма").wait_for(timeout=60_000)
    settle(school)
    text = main_text(school)
    assert f"Комментарий координатора: «{COMMENT}»" in text
    assert count_in(school, "Педагогов-наставляемых") == "12"
    type_count(school, "Педагогов-наставляемых", 6)
    assert "Форма отправлена" in send(school)
    school.context.close()


def test_the_filled_form_fits_a_phone_and_passes_axe(entryserver, browser):
    phone = log_in(browser, entryserver + "entry", "school1", "Моя форма", PHONE)
    type_count(phone, "Педагогов-наставников", -1)

    assert "Ошибка: количество не может быть отрицательным." in main_text(phone)
    assert phone.get_by_role("button", name="Отправить").is_disabled()
    width = phone.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"]
    assert_accessible(phone)
    phone.context.close()


def test_a_school_fills_and_sends_its_form_from_the_keyboard_alone(entryserver, browser):
    school = log_in(browser, entryserver + "entry", "school2", "Моя форма", LAPTOP)

    # A yes/no answer: Tab reaches its group's first choice («да»), Space chooses it.
    for _ in range(TABS):
        school.keyboard.press("Tab")
        if school.evaluate(_RADIO_GROUP) == "Положение о наставничестве":
            break
    assert school.evaluate(_RADIO_GROUP) == "Положение о наставничестве"
    school.keyboard.press("Space")
    settle(school)
    assert tab_to(
        school, lambda f: f["tag"] == "INPUT" and f["label"] == "Педагогических работников"
    )
    school.keyboard.type("10")
    school.keyboard.press("Tab")
    settle(school)
    assert count_in(school, "Педагогических работников") == "10"
    assert "Заполнено ответов: 2 из 22." in main_text(school)

    assert tab_to(school, lambda f: f["tag"] == "BUTTON" and f["text"] == "Отправить")
    school.keyboard.press("Enter")
    settle(school)
    assert "Форма отправлена" in main_text(school)
    school.context.close()
