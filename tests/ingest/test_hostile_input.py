"""Hostile input: markup and script in names are stored and shown as typed, cells that
look like formulas leave every export as text, SQL in headers, sheet names, names and
filter values goes nowhere, and a file that is not what its name says is refused clearly.

(Size limits and zip bombs: tests/ingest/test_readers.py; random and mutated files:
tests/ingest/test_fuzz_ingest.py.)
"""

from __future__ import annotations

import csv
import io
import json
import zipfile

import openpyxl
import pytest
from streamlit.testing.v1 import AppTest

from analytics.cli.main import main
from analytics.compute import lookups
from analytics.compute.indicators import compute
from analytics.documents.exports import table_csv, table_xlsx
from analytics.ingest.load import ingest_bytes
from analytics.ingest.parse import Defaults
from analytics.ingest.problems import IngestError
from analytics.model.levels import Level
from analytics.store.db import Database
from analytics.store.scope import Scope
from tests.conftest import ROOT
from tests.filemakers import FULL_COLUMNS, csv_bytes, org, state, table, xlsx_bytes
from ui.text import md

DEFAULTS = Defaults(
    region="Удмуртская Республика", municipality="г. Глазов", org_type="school", period="2023"
)
SCRIPT = "<script>alert(1)</script>"
BOLD = "**жирный**"
IMAGE = '<img src=x onerror="alert(1)">'
DROP = "'; DROP TABLE form_values; --"
FORMULAS = ('=HYPERLINK("http://x";"жми")', "+7(912)000", "-2+3", "@SUM(A1:A9)")


def hostile_form() -> bytes:
    """A form whose organisations, district and municipality carry markup, script, SQL
    and formulas in their names."""
    orgs = [
        org(SCRIPT, region="Удмуртская Республика", municipality=IMAGE, period="2023"),
        org(BOLD, region="Удмуртская Республика", municipality=IMAGE, period="2023"),
        org(DROP, region="Удмуртская Республика", municipality=BOLD, period="2023"),
        *(
            org(name, region="Удмуртская Республика", municipality="г. Глазов", period="2023")
            for name in FORMULAS
        ),
    ]
    return csv_bytes(table(orgs, [c for c in FULL_COLUMNS if c not in ("district", "inn")]))


@pytest.fixture
def hostile_db(fresh_db: Database) -> Database:
    ingest_bytes(fresh_db, "<b>форма</b>.csv", hostile_form(), defaults=DEFAULTS, user=SCRIPT)
    return fresh_db


TABLES = ("regions", "municipalities", "organizations", "uploads", "form_values", "periods")


def intact(db: Database) -> dict[str, int]:
    """Every table still there, with its row count."""
    return {t: db.scalar(f"SELECT count(*) FROM {t}") for t in TABLES}


# --- markup and script are data ---------------------------------------------------------


def test_names_with_markup_script_and_sql_are_stored_as_typed(hostile_db):
    names = hostile_db.query("SELECT name FROM organizations ORDER BY org_id")["name"].tolist()
    assert names == [SCRIPT, BOLD, DROP, *FORMULAS]
    municipalities = hostile_db.query("SELECT name FROM municipalities ORDER BY 1")["name"]
    assert sorted(municipalities) == sorted([IMAGE, BOLD, "г. Глазов"])


def test_the_file_name_and_the_user_are_stored_as_typed(hostile_db):
    row = hostile_db.query("SELECT file_name, uploaded_by FROM uploads").iloc[0]
    assert (row["file_name"], row["uploaded_by"]) == ("<b>форма</b>.csv", SCRIPT)


def test_indicators_carry_the_names_as_typed(hostile_db):
    frame = compute(hostile_db, Scope(levels=(Level.ORGANIZATION,)))
    assert set(frame["organization"]) == {SCRIPT, BOLD, DROP, *FORMULAS}


def open_organization(org_id: int) -> AppTest:
    at = AppTest.from_file(str(ROOT / "pages/organization.py"), default_timeout=30)
    at.query_params.update({"org": str(org_id)})
    return at.run()


def markdown_sources(at: AppTest) -> list[str]:
    return [m.value for m in (*at.markdown, *at.caption, *at.header, *at.subheader, *at.title)]


@pytest.mark.parametrize("name", [SCRIPT, BOLD])
def test_the_organisation_page_shows_a_hostile_name_as_typed(name, demo_db_path):
    with Database(demo_db_path) as db:
        org_id = int(lookups.hierarchy(db)["org_id"].iloc[0])
        municipality = db.scalar(
            "SELECT municipality_id FROM organizations WHERE org_id = ?", [org_id]
        )
        with db.transaction() as cur:
            cur.execute("UPDATE organizations SET name = ? WHERE org_id = ?", [name, org_id])
            cur.execute(
                "UPDATE municipalities SET name = ? WHERE municipality_id = ?",
                [IMAGE, municipality],
            )

    at = open_organization(org_id)

    assert not at.exception, [e.value for e in at.exception]
    # The header's markdown escapes every character markdown or HTML would act on, so the
    # browser shows the name exactly as typed.
    assert at.header[0].value == md(name)
    assert at.header[0].value.replace("\\", "") == name
    assert any(md(IMAGE) in source for source in markdown_sources(at))
    unescaped = [s for s in markdown_sources(at) if any(h in s for h in (SCRIPT, IMAGE, BOLD))]
    assert unescaped == []


# --- formulas stay text in every export ---------------------------------------------------


def test_formula_like_names_are_text_cells_in_the_xlsx_export(hostile_db):
    frame = compute(hostile_db, Scope(levels=(Level.ORGANIZATION,), indicators=("databases",)))
    rows = frame[["organization", "value"]].rename(
        columns={"organization": "Организация", "value": "Значение"}
    )
    sheet = openpyxl.load_workbook(io.BytesIO(table_xlsx(rows, "Показатели"))).active
    cells = {c.value: c.data_type for row in sheet.iter_rows() for c in row if c.value in FORMULAS}
    assert cells == dict.fromkeys(FORMULAS, "s")


def test_formula_like_names_are_defused_in_the_csv_export(hostile_db):
    frame = compute(hostile_db, Scope(levels=(Level.ORGANIZATION,), indicators=("databases",)))
    text = table_csv(frame[["organization"]]).decode("utf-8-sig")
    names = [row[0] for row in csv.reader(io.StringIO(text, newline=""), delimiter=";")][1:]
    assert sorted(names) == sorted([SCRIPT, BOLD, DROP, *("'" + f for f in FORMULAS)])


def test_formula_like_names_are_defused_in_the_command_line_csv(hostile_db):
    out = io.StringIO()
    argv = ["--db", str(hostile_db.path), "indicators", "--level", "organization"]
    hostile_db.close()
    assert main([*argv, "--format", "csv"], out=out) == 0
    rows = list(csv.DictReader(io.StringIO(out.getvalue(), newline="")))
    shown = {r["organization"] for r in rows}
    assert shown == {SCRIPT, BOLD, DROP, *("'" + f for f in FORMULAS)}


def test_the_command_line_json_keeps_names_as_typed(hostile_db):
    out = io.StringIO()
    argv = ["--db", str(hostile_db.path), "indicators", "--level", "organization"]
    hostile_db.close()
    assert main(argv, out=out) == 0
    assert {r["organization"] for r in json.loads(out.getvalue())} == {
        SCRIPT,
        BOLD,
        DROP,
        *FORMULAS,
    }


# --- SQL goes nowhere -------------------------------------------------------------------


def test_sql_in_a_header_is_an_unknown_column_and_changes_nothing(fresh_db):
    rows = table([org("СОШ № 1")])
    rows[0] = [*rows[0], "'; DROP TABLE uploads; --"]
    rows[1] = [*rows[1], "1"]
    result = ingest_bytes(fresh_db, "f.csv", csv_bytes(rows), defaults=DEFAULTS)
    assert result.rows == 1
    assert intact(fresh_db) == {
        "regions": 1,
        "municipalities": 1,
        "organizations": 1,
        "uploads": 1,
        "form_values": 1,
        "periods": 1,
    }


def test_a_sheet_named_like_sql_loads_and_keeps_its_name(fresh_db):
    sheet = "'; DROP TABLE uploads;--"
    content = xlsx_bytes({sheet: table([org("СОШ № 1"), org("СОШ № 2")])})
    assert ingest_bytes(fresh_db, "f.xlsx", content, defaults=DEFAULTS).rows == 2
    sheets = fresh_db.query("SELECT DISTINCT source_sheet FROM form_values")["source_sheet"]
    assert sheets.tolist() == [sheet]
    assert intact(fresh_db)["uploads"] == 1


def test_sql_in_a_value_given_at_upload_is_a_name_not_a_command(fresh_db):
    defaults = Defaults(
        region="Удмуртская Республика", municipality=DROP, org_type="school", period="2023"
    )
    ingest_bytes(fresh_db, "f.csv", csv_bytes(table([org("СОШ № 1")])), defaults=defaults)
    assert fresh_db.query("SELECT name FROM municipalities")["name"].tolist() == [DROP]
    assert intact(fresh_db)["form_values"] == 1


@pytest.mark.parametrize(
    ("option", "value", "message"),
    [
        ("--municipality", DROP, f"Ошибка: муниципалитет «{DROP}» не найден в данных"),
        ("--region", "x' OR '1'='1", "Ошибка: регион «x' OR '1'='1» не найден в данных"),
        ("--period", "2023'; DROP TABLE periods; --", "Ошибка: период «2023'; DROP TABLE"),
        ("--org-type", "school' OR 1=1 --", "Ошибка: тип ОО «school' OR 1=1 --»"),
    ],
)
def test_sql_in_a_command_line_filter_is_refused_and_changes_nothing(
    hostile_db, capsys, option, value, message
):
    before = intact(hostile_db)
    path = str(hostile_db.path)
    hostile_db.close()
    assert main(["--db", path, "indicators", option, value], out=io.StringIO()) == 2
    assert capsys.readouterr().err.startswith(message)
    with Database(path) as db:
        assert intact(db) == before


def test_sql_in_engine_filters_finds_nothing_and_changes_nothing(hostile_db):
    before = intact(hostile_db)
    assert lookups.find_territory(hostile_db, "municipality", "x' OR '1'='1") is None
    assert compute(hostile_db, Scope(org_type="school' OR '1'='1", periods=(DROP,))).empty
    assert intact(hostile_db) == before


def test_sql_in_the_dashboard_address_is_ignored(demo_db_path):
    with Database(demo_db_path) as db:
        before = intact(db)
    at = AppTest.from_file(str(ROOT / "pages/indicators.py"), default_timeout=30)
    at.query_params.update(
        {
            "period": "2023'; DROP TABLE periods; --",
            "municipality": "1 OR 1=1",
            "region": "1; DROP TABLE regions",
            "type": "school' --",
            "org": "0 UNION SELECT 1",
        }
    )
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    with Database(demo_db_path) as db:
        assert intact(db) == before


# --- files that are not what their names say ----------------------------------------------


def refused(db: Database, name: str, content: bytes) -> list[str]:
    before = state(db)
    with pytest.raises(IngestError) as error:
        ingest_bytes(db, name, content, defaults=DEFAULTS)
    assert state(db) == before
    return [str(p) for p in error.value.problems]


def test_a_workbook_named_csv_is_refused_as_not_text(fresh_db):
    content = xlsx_bytes({"ОО": table([org("СОШ № 1")])})
    assert refused(fresh_db, "форма.csv", content) == [
        "Файл «форма.csv» — файл не является текстовым CSV"
    ]


def test_a_csv_named_xlsx_is_refused_as_not_a_workbook(fresh_db):
    assert refused(fresh_db, "форма.xlsx", csv_bytes(table([org("СОШ № 1")]))) == [
        "Файл «форма.xlsx» — файл повреждён или не является электронной таблицей указанного формата"
    ]


def test_a_zip_of_something_else_named_xlsx_is_refused_as_not_a_workbook(fresh_db):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("word/document.xml", "<w:document/>")
    assert refused(fresh_db, "форма.xlsx", buffer.getvalue()) == [
        "Файл «форма.xlsx» — файл повреждён или не является электронной таблицей указанного формата"
    ]


def test_an_image_named_xls_is_refused_as_not_a_workbook(fresh_db):
    png = b"\x89PNG\r\n\x1a\n" + bytes(200)
    assert refused(fresh_db, "форма.xls", png) == [
        "Файл «форма.xls» — файл повреждён или не является электронной таблицей указанного формата"
    ]


def test_an_executable_is_refused_by_its_extension(fresh_db):
    assert refused(fresh_db, "форма.exe", b"MZ\x90\x00" + bytes(100)) == [
        "Файл «форма.exe» — неподдерживаемый формат файла; принимаются .xlsx, .xlsm, .xls, "
        ".ods и .csv"
    ]


def test_a_file_with_headers_and_no_rows_is_refused(fresh_db):
    assert refused(fresh_db, "пустая.csv", csv_bytes(table([]))) == [
        "Файл «пустая.csv» — в файле нет ни одной строки с данными под строкой заголовков"
    ]


def test_a_csv_whose_lines_end_in_a_bare_carriage_return_loads(fresh_db):
    content = csv_bytes(table([org("СОШ № 1"), org("СОШ № 2")])).replace(b"\r\n", b"\r")
    assert ingest_bytes(fresh_db, "старый мак.csv", content, defaults=DEFAULTS).rows == 2


def test_a_cell_of_forty_thousand_characters_is_refused_clearly(fresh_db):
    rows = table([org("СОШ № 1", teachers_total="9" * 40_000)])
    problems = refused(fresh_db, "форма.csv", csv_bytes(rows))
    assert len(problems) == 1
    assert problems[0].startswith("Файл «форма.csv», строка 2, столбец «Педагогических работников»")
