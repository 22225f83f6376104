"""The review of an upload on «Данные» with Санкт-Петербург's registry and a district's file
whose rows 7 and 13 name centres the registry does not hold (tests/cityfiles.py): the page
asks about every row the load would stop on, all at once (issue 26), and «все эти строки —
новые организации» lists exactly the rows it creates (issue 31)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from analytics.ingest.identity import NEW_ORGANISATION
from analytics.ingest.load import ingest_bytes
from analytics.model.contract import FormKind
from analytics.store.db import Database
from tests import apptest
from tests import cityfiles as city
from tests.conftest import snapshot
from tests.filemakers import org_id

FILE = "адмиралтейский.xlsx"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@pytest.fixture
def city_path(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A database with Санкт-Петербург's registry, set as the dashboard's."""
    path = tmp_path / "monitoring.duckdb"
    with Database(path) as db:
        ingest_bytes(db, "реестр.csv", city.registry_csv(), FormKind.REGISTRY)
    monkeypatch.setenv("MONITORING_DB", str(path))
    return path


def stored(path: Path, tmp_path: Path) -> Database:
    return snapshot(path, tmp_path)


def with_district_file() -> AppTest:
    at = apptest.open_page("pages/data.py")
    at.file_uploader[0].set_value([(FILE, city.district_xlsx(city.review_rows()), XLSX)])
    return at.run()


def questions(at: AppTest) -> list[int]:
    """The rows the page asks about, by their row numbers."""
    return [int(str(r.key).rsplit("_", 1)[1]) for r in at.radio if str(r.key).startswith("match_")]


def choice(at: AppTest, row: int):
    return next(r for r in at.radio if str(r.key) == f"match_{FILE}_Форма_{row}")


def read(markdown: str) -> str:
    """A radio option as the user reads it: markdown without the escapes of ui.text.md."""
    return markdown.replace("\\", "")


def load_button(at: AppTest):
    return next(b for b in at.button if b.label == "Загрузить")


def test_both_doubtful_rows_are_asked_at_once_and_the_upload_waits_for_both(
    city_path: Path, tmp_path: Path
):
    with stored(city_path, tmp_path) as db:
        ctt, dt = org_id(db, city.CTT), org_id(db, city.DT)
    at = with_district_file()
    assert questions(at) == [7, 13]
    assert load_button(at).disabled

    choice(at, 7).set_value(ctt).run()

    assert not at.exception
    assert questions(at) == [7, 13]
    assert load_button(at).disabled
    choice(at, 13).set_value(dt).run()
    assert not load_button(at).disabled
    load_button(at).click().run()
    assert not at.exception
    with stored(city_path, tmp_path) as db:
        assert db.scalar("SELECT count(*) FROM organizations") == 296
        assert db.scalar("SELECT count(DISTINCT org_id) FROM form_values") == 9


def test_all_rows_new_lists_every_row_it_creates_with_its_closest_registered_one(
    city_path: Path, tmp_path: Path
):
    at = with_district_file()

    at.checkbox(key=f"new_orgs_{FILE}").check().run()

    assert not at.exception
    listed = next(df.value for df in at.dataframe if "Новая организация" in df.value.columns)
    assert listed["Строка"].tolist() == [7, 13]
    assert listed["Новая организация"].tolist() == list(city.UNKNOWN_SHORT)
    assert set(listed["Самая похожая в реестре"]) <= {city.CTT, city.DT, city.DDT}
    assert listed["Совпадение"].tolist() == ["95\u00a0%", "95\u00a0%"]
    load_button(at).click().run()
    with stored(city_path, tmp_path) as db:
        created = db.query(
            "SELECT name FROM organizations WHERE org_id NOT IN (SELECT org_id FROM registry) "
            "ORDER BY org_id"
        )["name"].tolist()
    assert created == listed["Новая организация"].tolist()


def test_a_new_organisation_where_the_registry_has_ones_like_it_waits_for_a_confirmation(
    city_path: Path,
):
    at = with_district_file()

    choice(at, 7).set_value(NEW_ORGANISATION).run()

    warning = " ".join(w.value for w in at.warning)
    assert "Самые похожие" in warning
    assert all(name in warning.replace("\\", "") for name in (city.CTT, city.DT, city.DDT))
    assert questions(at) == [7, 13]
    assert load_button(at).disabled
    at.checkbox(key=f"confirm_new_{FILE}_Форма_7").check().run()
    # Row 13 is still to answer.
    assert questions(at) == [7, 13]
    assert load_button(at).disabled


def test_the_registry_search_places_a_row_by_the_inn_typed(city_path: Path, tmp_path: Path):
    with stored(city_path, tmp_path) as db:
        ctt, dt = org_id(db, city.CTT), org_id(db, city.DT)
    at = with_district_file()
    search = at.selectbox(key=f"find_{FILE}_Форма_7")
    assert f"{city.CTT} — ИНН {city.inn_of(1)}" in search.options

    search.set_value(ctt).run()
    at.selectbox(key=f"find_{FILE}_Форма_13").set_value(dt).run()

    assert not load_button(at).disabled


def test_fakel_written_by_its_initials_is_placed_with_no_question(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    path = tmp_path / "monitoring.duckdb"
    with Database(path) as db:
        ingest_bytes(db, "реестр.csv", city.chelyabinsk_registry_csv(), FormKind.REGISTRY)
        fakel = org_id(db, city.FAKEL)
    monkeypatch.setenv("MONITORING_DB", str(path))
    at = apptest.open_page("pages/data.py")
    at.file_uploader[0].set_value([("факел.csv", city.chelyabinsk_csv(), "text/csv")])
    at.run()
    assert questions(at) == []

    load_button(at).click().run()

    assert not at.exception
    with stored(path, tmp_path) as db:
        assert db.scalar("SELECT count(*) FROM organizations") == 3
        assert db.scalar("SELECT org_id FROM form_values") == fakel


def test_an_invalid_files_errors_are_drawn_in_rows_tall_enough_to_wrap(city_path: Path):
    rows = city.district_rows()
    rows[0]["teachers_total"] = "сорок"
    bad = city.district_xlsx(rows)
    at = apptest.open_page("pages/data.py")
    at.file_uploader[0].set_value([(FILE, bad, XLSX)])
    at.run()

    errors = next(df for df in at.dataframe if "Что не так" in df.value.columns)
    # Streamlit wraps a cell's text only in rows taller than 4rem (64 px).
    assert errors.proto.row_height > 64


def test_the_reviews_candidates_show_a_name_with_markup_as_typed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    # Markup inside the name, so that it stays the row's closest candidate.
    hostile = city.CTT.replace("технического", "**технического** <img src=x>")
    path = tmp_path / "monitoring.duckdb"
    with Database(path) as db:
        ingest_bytes(db, "реестр.csv", city.registry_csv(), FormKind.REGISTRY)
        with db.transaction() as cur:
            cur.execute(
                "UPDATE organizations SET name = ? WHERE inn = ?", [hostile, city.inn_of(1)]
            )
    monkeypatch.setenv("MONITORING_DB", str(path))
    at = with_district_file()

    options = [o for r in at.radio if str(r.key).startswith("match_") for o in r.options]
    shown = [o for o in options if read(o) == hostile]
    assert shown
    # Every markdown and markup character of the name is escaped: nothing is rendered.
    assert all("\\*\\*технического\\*\\* \\<img" in o for o in shown)


def test_a_filled_questions_file_uploaded_places_both_rows_and_teaches_their_names(
    city_path: Path, tmp_path: Path
):
    at = with_district_file()
    assert questions(at) == [7, 13]
    downloads = [d.proto.label for d in at.get("download_button")]
    assert "Скачать вопросы (XLSX)" in downloads
    # Filled as a person would, in a spreadsheet: the file's rows and each one's ИНН.
    answers = pd.DataFrame(
        {
            "Файл": [FILE, FILE],
            "Лист": ["Форма", "Форма"],
            "Строка": [7, 13],
            "Наименование в файле": list(city.UNKNOWN_SHORT),
            "Ответ": [city.inn_of(1), city.inn_of(2)],
        }
    )
    content = answers.to_csv(sep=";", index=False).encode("utf-8-sig")

    at.file_uploader(key=f"answers_{FILE}").set_value([("ответы.csv", content, "text/csv")])
    at.run()

    assert not at.exception
    assert not load_button(at).disabled
    load_button(at).click().run()
    with stored(city_path, tmp_path) as db:
        learnt = db.query(
            "SELECT a.alias, o.inn FROM org_aliases a JOIN organizations o USING (org_id) "
            "WHERE a.alias IN (?, ?) ORDER BY a.alias",
            list(city.UNKNOWN_SHORT),
        ).values.tolist()
        assert db.scalar("SELECT count(DISTINCT org_id) FROM form_values") == 9
    assert learnt == [
        [city.UNKNOWN_SHORT[0], city.inn_of(1)],
        [city.UNKNOWN_SHORT[1], city.inn_of(2)],
    ]
