"""The «Сбор форм» page under AppTest, in single-user local mode (the administrator)."""

from __future__ import annotations

from pathlib import Path

import pytest

from analytics.model.contract import FormKind
from analytics.operations.access import View
from analytics.store.db import Database
from tests.apptest import assert_clean, open_page
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
