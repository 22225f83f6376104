"""The «Моя форма» page under AppTest: a school's curator fills the form, finds the draft
in a new session, sends it; the coordinator returns it with a comment; the form reopens
with the comment and is sent again."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from analytics.operations.access import View
from analytics.operations.users import Role, UserStore
from analytics.store import audit
from analytics.store.db import Database
from tests.apptest import assert_clean, open_page
from tests.roundfiles import ADMIN, SCHOOLS, at, load_registry, open_city_round

PAGE = "pages/entry.py"
PASSWORD = "пароль-для-теста"
SOSH1 = SCHOOLS[0]
COMMENT = "Педагогов-наставников не может быть больше, чем педагогов"


@pytest.fixture
def school(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[Path, int, int]:
    """The city's round open, «school1» the curator of its first school and «coordinator»
    the administrator: (database path, round id, the school's org id)."""
    path = tmp_path / "monitoring.duckdb"
    with Database(path) as db:
        orgs = load_registry(db)
        round_id = open_city_round(db)
    store = UserStore(path.parent / "users.json")
    store.add("school1", Role.CURATOR, PASSWORD, (str(orgs[SOSH1]),))
    store.add("coordinator", Role.ADMIN, PASSWORD)
    monkeypatch.setenv("MONITORING_DB", str(path))
    return path, round_id, orgs[SOSH1]


def answer(page: AppTest, label: str, value: object) -> None:
    """Type one answer as a person does and let the page run."""
    found = [w for w in [*page.radio, *page.number_input] if w.label == label]
    assert len(found) == 1, label
    found[0].set_value(value).run()


def fill(page: AppTest) -> None:
    """Every answer of a clean form but the share, and 12 mentees among 10 teachers."""
    for label in ("Положение о наставничестве", "Дорожная карта", "База наставников"):
        answer(page, label, "да")
    answer(page, "Программа на сайте", "нет")
    answer(page, "Педагогических работников", 10)
    answer(page, "Педагогов-наставников", 4)
    answer(page, "Педагогов-наставляемых", 12)


def send_button(page: AppTest):
    return next(b for b in page.button if b.label == "Отправить")


def links(page: AppTest) -> list[str]:
    return [link.proto.label for link in page.get("page_link")]


def test_only_a_curator_sees_the_link_and_the_coordinator_is_told_why_not(school):
    assert "Моя форма" in links(open_page("dashboard.py", login="school1"))
    assert "Моя форма" not in links(open_page("dashboard.py", login="coordinator"))

    coordinator = open_page(PAGE, login="coordinator")

    assert [w.value for w in coordinator.warning] == [
        "Заполнять форму мониторинга онлайн могут кураторы своих организаций."
    ]


def test_the_form_shows_every_answer_of_the_contract_grouped_with_a_choice_for_yes_no(school):
    page = open_page(PAGE, login="school1")

    assert_clean(page)
    assert [h.value for h in page.subheader] == [
        "Документы и решения (да/нет)",
        "Численность (целые числа)",
        "Удовлетворённость (от 0 до 100)",
        "Отправка",
    ]
    assert (len(page.radio), len(page.number_input)) == (8, 14)
    assert page.radio[0].options == ["да", "нет"]
    assert "Заполнено ответов: 0 из 22." in [c.value for c in page.caption]


def test_a_contract_error_is_shown_at_its_answer_and_blocks_sending(school):
    page = open_page(PAGE, login="school1")

    answer(page, "Педагогов-наставников", -3)

    assert [e.value for e in page.error] == [
        "Ошибка: количество не может быть отрицательным.",
        "Форму нельзя отправить, пока есть ошибки: «Педагогов-наставников».",
    ]
    assert send_button(page).disabled


def test_a_consistency_warning_is_shown_at_its_answer_and_does_not_block(school):
    page = open_page(PAGE, login="school1")

    fill(page)

    assert [w.value for w in page.warning] == [
        "Проверьте: педагогов-наставляемых больше, чем педагогических работников "
        "(форма отправится и так)."
    ]
    assert not page.error
    assert not send_button(page).disabled


def test_the_draft_is_there_in_a_new_session(school):
    path, round_id, _ = school
    first = open_page(PAGE, login="school1")
    fill(first)

    again = open_page(PAGE, login="school1")

    assert_clean(again)
    values = {w.label: w.value for w in [*again.radio, *again.number_input]}
    assert (values["Педагогических работников"], values["Педагогов-наставляемых"]) == (10, 12)
    assert (values["Дорожная карта"], values["Программа на сайте"]) == ("да", "нет")
    assert values["Куратор назначен"] is None
    assert "Заполнено ответов: 7 из 22." in [c.value for c in again.caption]
    with Database(path) as db:
        assert View(db, ADMIN).round_submissions(round_id).empty
        # Two visits, however many changes: two readings of the form in the audit log.
        assert len(audit.entries(db, audit.Action.FORM_OPENED)) == 2
        assert len(audit.entries(db, audit.Action.DRAFT_SAVED)) == 7


def test_sent_returned_with_a_comment_corrected_and_sent_again(school):
    path, round_id, org_id = school
    page = open_page(PAGE, login="school1")
    fill(page)

    send_button(page).click().run()

    assert [s.value for s in page.success] == [
        "Форма отправлена: координатор проверит её и примет или вернёт с комментарием."
    ]
    with Database(path) as db:
        files = View(db, ADMIN).round_submissions(round_id)
        assert files[["file_name", "status", "answered"]].values.tolist() == [
            ["онлайн", "submitted", 7]
        ]
        View(db, ADMIN).review_submission(
            int(files["submission_id"].iloc[0]), False, COMMENT, at(3)
        )

    returned = open_page(PAGE, login="school1")
    assert next(w.value for w in returned.warning).replace("\\", "") == (
        f"Форма возвращена на доработку. Комментарий координатора: «{COMMENT}». Исправьте "
        "ответы и отправьте форму снова."
    )
    values = {w.label: w.value for w in [*returned.radio, *returned.number_input]}
    assert values["Педагогов-наставляемых"] == 12

    answer(returned, "Педагогов-наставляемых", 6)
    send_button(returned).click().run()

    assert_clean(returned)
    with Database(path) as db:
        files = View(db, ADMIN).round_submissions(round_id)
        listed = View(db, ADMIN).round_completeness(round_id, at(4).date())
        mentees = db.scalar("SELECT mentees FROM form_values WHERE org_id = ?", [org_id])
    assert files["status"].tolist() == ["submitted", "returned"]
    assert listed.set_index("org_id").loc[org_id, "status"] == "submitted"
    assert mentees == 6


def test_a_curator_of_two_schools_chooses_among_their_own(school, monkeypatch):
    path, _, _ = school
    with Database(path) as db:
        lyceum = int(db.scalar("SELECT org_id FROM organizations WHERE name = ?", [SCHOOLS[3]]))
        sosh1 = int(db.scalar("SELECT org_id FROM organizations WHERE name = ?", [SOSH1]))
    UserStore(path.parent / "users.json").add(
        "both", Role.CURATOR, PASSWORD, (str(sosh1), str(lyceum))
    )

    page = open_page(PAGE, login="both")

    assert_clean(page)
    chooser = next(s for s in page.selectbox if s.label == "Организация")
    assert chooser.options == [SCHOOLS[3], SOSH1]
    chooser.select(sosh1).run()
    assert any(SOSH1 in c.value for c in page.caption)


def test_with_the_round_closed_the_page_says_there_is_nothing_to_fill(school):
    path, round_id, _ = school
    with Database(path) as db:
        View(db, ADMIN).close_round(round_id)

    page = open_page(PAGE, login="school1")

    assert_clean(page)
    assert [i.value for i in page.info] == [
        "Сейчас нет идущих мониторингов, в которых ваша организация заполняет форму."
    ]


def test_the_rounds_upload_tab_tells_a_curator_the_form_can_be_filled_online(school):
    page = open_page("pages/rounds.py", login="school1")

    assert_clean(page)
    assert (
        "Форму мониторинга ОО можно не скачивать: её можно заполнить и отправить онлайн на "
        "странице «Моя форма»."
    ) in [c.value for c in page.caption]
