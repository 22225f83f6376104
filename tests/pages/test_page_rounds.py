"""The «Сбор форм» page under AppTest, in single-user local mode (the administrator)."""

from __future__ import annotations

from pathlib import Path

import pytest

from analytics.model.contract import FormKind
from analytics.operations.access import View
from analytics.store.db import Database
from tests.apptest import assert_clean, dataframe_with, open_page
from tests.roundfiles import ADMIN, SCHOOLS, at, filled, load_registry, open_city_round

PAGE = "pages/rounds.py"


@pytest.fixture
def city_path(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A database with the city's registry, set as MONITORING_DB for the page."""
    path = tmp_path / "monitoring.duckdb"
    with Database(path) as db:
        load_registry(db)
    monkeypatch.setenv("MONITORING_DB", str(path))
    return path


def first_school_sends_its_form(path: Path) -> int:
    """Open the city's round and send the first school's filled template; its org id."""
    with Database(path) as db:
        round_id = open_city_round(db)
        org_id = int(db.scalar("SELECT org_id FROM organizations WHERE name = ?", [SCHOOLS[0]]))
        admin = View(db, ADMIN)
        template = admin.round_template(round_id, org_id)
        admin.round_submit(round_id, "школа.xlsx", filled(template), FormKind.ORG_FORM, at(1))
    return org_id


def test_the_page_opens_a_round_from_its_form(city_path):
    page = open_page(PAGE)
    inputs = {t.label: t for t in page.text_input}
    inputs["Период"].set_value("2022")
    inputs["Номер приказа"].set_value("330")

    next(b for b in page.button if b.label == "Открыть").click().run()

    assert_clean(page)
    assert [s.value for s in page.success] == ["Мониторинг № 1 открыт."]


def test_the_page_shows_who_sent_their_form_and_who_did_not(city_path):
    first_school_sends_its_form(city_path)

    page = open_page(PAGE)

    assert_clean(page)
    metrics = {m.label: m.value for m in page.metric}
    assert (metrics["Представили"], metrics["Не представили"]) == ("1 из 4", "3")
    table = page.dataframe[0].value
    assert dict(zip(table["Организация"], table["Состояние"], strict=True)) == {
        "МАОУ «Лицей № 4»": "не представлено",
        "МБОУ «Гимназия № 3»": "не представлено",
        "МБОУ «СОШ № 1»": "на проверке",
        "МБОУ «СОШ № 2»": "не представлено",
    }


def test_the_organisation_chosen_in_the_filters_is_named_with_its_forms_state(city_path):
    org_id = first_school_sends_its_form(city_path)

    page = open_page(PAGE, {"org": str(org_id)})

    assert_clean(page)
    assert [i.value.replace("\\", "") for i in page.info] == [
        f"Выбранная в фильтрах организация «{SCHOOLS[0]}»: форма — на проверке."
    ]
    assert len(page.dataframe[0].value) == 4


def test_the_round_lists_say_how_many_answers_the_form_gives(city_path):
    first_school_sends_its_form(city_path)

    page = open_page(PAGE)

    assert_clean(page)
    files = dataframe_with(page, "Файл")
    organisations = dataframe_with(page, "Состояние")
    assert files["Заполнено ответов"].tolist() == ["13 из 22"]
    assert dict(
        zip(organisations["Организация"], organisations["Заполнено ответов"], strict=True)
    ) == {
        "МАОУ «Лицей № 4»": "",
        "МБОУ «Гимназия № 3»": "",
        "МБОУ «СОШ № 1»": "13 из 22",
        "МБОУ «СОШ № 2»": "",
    }


def test_a_form_with_answers_missing_is_accepted_only_once_the_box_is_ticked(city_path):
    first_school_sends_its_form(city_path)
    page = open_page(PAGE)
    accept = next(b for b in page.button if b.label == "Принять")
    assert [w.value for w in page.warning] == [
        "В форме заполнено 13 из 22: остальные ответы пусты. Примите её, только если так и "
        "должно быть, или верните на доработку."
    ]
    assert accept.disabled

    next(c for c in page.checkbox if c.label == "Принять неполную форму").check().run()
    next(b for b in page.button if b.label == "Принять").click().run()

    assert_clean(page)
    with Database(city_path) as db:
        assert db.scalar("SELECT status FROM round_submissions") == "accepted"
        assert db.scalar("SELECT count(*) FROM audit_log WHERE action = 'incomplete_accepted'") == 1


def test_the_templates_zip_is_offered_once_built_for_the_place_chosen(city_path):
    first_school_sends_its_form(city_path)
    page = open_page(PAGE)
    place = next(s for s in page.selectbox if s.label == "Шаблоны")
    assert "templates_zip" not in [b.key for b in page.get("download_button")]
    assert place.options == ["все организации", "г. Ижевск"]

    place.select_index(1).run()
    next(b for b in page.button if b.label == "Собрать шаблоны").click().run()

    assert_clean(page)
    offered = [(b.key, b.proto.label) for b in page.get("download_button")]
    assert ("templates_zip", "Скачать шаблоны (ZIP)") in offered
