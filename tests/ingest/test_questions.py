"""A review in bulk on the command line (issue 26): a load that stops on rows it cannot place
writes them all to one questions file, a person fills in «Ответ» (here with pandas), and the
load with the answers places every row and learns each answer as an alias with who gave it.
Checked against Санкт-Петербург's registry and a district's file (tests/cityfiles.py)."""

from __future__ import annotations

import io
from contextlib import redirect_stderr
from pathlib import Path

import pandas as pd
import pytest

from analytics.cli.main import main
from analytics.ingest.load import ingest_bytes
from analytics.model.contract import FormKind
from analytics.store.db import Database
from tests import cityfiles as city
from tests.filemakers import HEADERS

FILE = "адмиралтейский.xlsx"
REVIEWER = "Иванова И. И."


def run(db_path: Path, *args: str) -> tuple[int, str]:
    err = io.StringIO()
    with redirect_stderr(err):
        code = main(["--db", str(db_path), *args], out=io.StringIO())
    return code, err.getvalue()


def district_file() -> bytes:
    """The district's file asking about rows 7 and 13, with each row's own count of
    teachers (40 + its row), so that a row on the wrong school changes a figure."""
    rows = city.review_rows()
    for n, row in enumerate(rows):
        row["teachers_total"] = 40 + city.FIRST_ROW + n
    return city.district_xlsx(rows)


@pytest.fixture
def setup(fresh_db: Database, tmp_path: Path) -> tuple[Path, Path]:
    """The database path (with the city's registry) and the district's file."""
    ingest_bytes(fresh_db, "реестр.csv", city.registry_csv(), FormKind.REGISTRY)
    fresh_db.close()
    path = tmp_path / FILE
    path.write_bytes(district_file())
    return tmp_path / "monitoring.duckdb", path


def test_a_stopped_load_writes_every_question_of_the_file_in_one_run(setup):
    db_path, path = setup

    code, err = run(db_path, "ingest", str(path))

    asked = path.parent / "вопросы.csv"
    assert code == 1
    assert f"Вопросы (2) записаны в файл «{asked}»" in err
    questions = pd.read_csv(asked, sep=";", encoding="utf-8-sig", dtype=str)
    assert questions["Строка"].tolist() == ["7", "13"]
    assert questions["Наименование в файле"].tolist() == list(city.UNKNOWN_SHORT)
    for n in (1, 2, 3):
        assert set(questions[f"Кандидат {n}"]) <= {city.CTT, city.DT, city.DDT}
        assert questions[f"ИНН или код {n}"].str.fullmatch(r"78\d{8}").all()
        assert questions[f"Сходство {n}, %"].tolist() == ["95", "95"]
    assert questions["Ответ"].isna().all()


def test_the_answers_place_every_row_and_the_figures_equal_pandas_count(setup):
    db_path, path = setup
    run(db_path, "ingest", str(path))
    asked = path.parent / "вопросы.csv"
    answers = pd.read_csv(asked, sep=";", encoding="utf-8-sig", dtype=str)
    # Row 7 by the number of the candidate that is the CTT, row 13 by the DT's ИНН.
    ctt = next(n for n in (1, 2, 3) if answers.loc[0, f"Кандидат {n}"] == city.CTT)
    answers["Ответ"] = [str(ctt), city.inn_of(2)]
    answers.to_csv(asked, sep=";", index=False, encoding="utf-8-sig")

    code, err = run(db_path, "ingest", str(path), "--answers", str(asked), "--user", REVIEWER)

    assert code == 0, err
    # Independently: the file's rows by school number, the two answered by hand.
    file = pd.read_excel(path, skiprows=3, engine="openpyxl")
    registry = pd.read_csv(io.BytesIO(city.registry_csv()), sep=";", dtype=str)
    by_number = dict(
        zip(
            registry[HEADERS["org_name"]].str.extract(r"№ (\d+)")[0],
            registry[HEADERS["inn"]],
            strict=True,
        )
    )
    answered = {city.UNKNOWN_SHORT[0]: city.inn_of(1), city.UNKNOWN_SHORT[1]: city.inn_of(2)}
    names = file[HEADERS["org_name"]]
    file["inn"] = names.map(answered).fillna(names.str.extract(r"№ (\d+)")[0].map(by_number))
    expected = file.set_index("inn")[HEADERS["teachers_total"]].sort_index()
    with Database(db_path) as db:
        stored = db.query(
            "SELECT o.inn, CAST(f.teachers_total AS BIGINT) AS n FROM form_values f "
            "JOIN organizations o USING (org_id) ORDER BY o.inn"
        )
        learnt = db.query(
            "SELECT a.alias, o.inn, a.added_by FROM org_aliases a JOIN organizations o "
            "USING (org_id) WHERE a.alias IN (?, ?) ORDER BY a.alias",
            list(city.UNKNOWN_SHORT),
        )
        organisations = db.scalar("SELECT count(*) FROM organizations")
    assert organisations == 296
    assert stored["inn"].tolist() == expected.index.tolist()
    assert stored["n"].tolist() == expected.tolist()
    assert learnt.values.tolist() == sorted(
        [[name, inn, REVIEWER] for name, inn in answered.items()]
    )


def test_an_answer_new_makes_the_row_a_new_organisation(setup):
    db_path, path = setup
    run(db_path, "ingest", str(path))
    asked = path.parent / "вопросы.csv"
    answers = pd.read_csv(asked, sep=";", encoding="utf-8-sig", dtype=str)
    answers["Ответ"] = ["новая", "Новая"]
    answers.to_csv(asked, sep=";", index=False, encoding="utf-8-sig")

    code, _ = run(db_path, "ingest", str(path), "--answers", str(asked))

    assert code == 0
    with Database(db_path) as db:
        created = db.query(
            "SELECT name FROM organizations WHERE org_id NOT IN (SELECT org_id FROM registry) "
            "ORDER BY name"
        )["name"].tolist()
    assert created == sorted(city.UNKNOWN_SHORT)


def test_an_answer_naming_no_organisation_is_refused_with_its_row_and_nothing_is_loaded(setup):
    db_path, path = setup
    run(db_path, "ingest", str(path))
    asked = path.parent / "вопросы.csv"
    answers = pd.read_csv(asked, sep=";", encoding="utf-8-sig", dtype=str)
    answers["Ответ"] = ["7800000000", "1"]
    answers.to_csv(asked, sep=";", index=False, encoding="utf-8-sig")

    code, err = run(db_path, "ingest", str(path), "--answers", str(asked))

    assert code == 1
    assert (
        f"Файл «{FILE}», лист «Форма», строка 7: значение «7800000000» — ответ не называет "
        "организацию: в столбце «Ответ» укажите ИНН или код организации, номер кандидата "
        "(1–3) или «новая» для новой организации"
    ) in err
    with Database(db_path) as db:
        assert db.scalar("SELECT count(*) FROM form_values") == 0


def test_the_questions_can_be_written_as_xlsx(setup):
    db_path, path = setup
    asked = path.parent / "ответы.xlsx"

    code, err = run(db_path, "ingest", str(path), "--questions", str(asked))

    assert code == 1
    assert f"Вопросы (2) записаны в файл «{asked}»" in err
    assert pd.read_excel(asked, dtype=str, engine="openpyxl")["Строка"].tolist() == ["7", "13"]


def test_answers_imported_as_aliases_place_the_file_with_no_question(setup):
    db_path, path = setup
    run(db_path, "ingest", str(path))
    asked = path.parent / "вопросы.csv"
    answers = pd.read_csv(asked, sep=";", encoding="utf-8-sig", dtype=str)
    answers["Ответ"] = [city.inn_of(1), city.inn_of(2)]
    answers.to_csv(asked, sep=";", index=False, encoding="utf-8-sig")

    imported, _ = run(db_path, "aliases", "import", str(asked), "--user", REVIEWER)
    loaded, err = run(db_path, "ingest", str(path))

    assert (imported, loaded) == (0, 0), err
    with Database(db_path) as db:
        learnt = db.query(
            "SELECT a.alias, o.inn, a.source, a.added_by FROM org_aliases a "
            "JOIN organizations o USING (org_id) WHERE a.alias IN (?, ?) ORDER BY a.alias",
            list(city.UNKNOWN_SHORT),
        ).values.tolist()
        placed = db.scalar("SELECT count(DISTINCT org_id) FROM form_values")
    assert learnt == [
        [city.UNKNOWN_SHORT[0], city.inn_of(1), "manual", REVIEWER],
        [city.UNKNOWN_SHORT[1], city.inn_of(2), "manual", REVIEWER],
    ]
    assert placed == 9
