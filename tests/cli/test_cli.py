"""The command line: exit codes, Russian messages on stderr, the JSON and CSV of the
indicators and deficits with their filters, and real runs of ``python -m analytics``."""

from __future__ import annotations

import csv
import io
import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from analytics.cli.main import main
from analytics.store.db import Database
from tests.commandline import run
from tests.conftest import DATA, EXPECTED
from tests.filemakers import (
    FORM_COLUMNS,
    FULL_COLUMNS,
    REGION,
    csv_bytes,
    located_org,
    org,
    state,
    table,
    write_csv,
)

ROOT = Path(__file__).resolve().parents[2]

COLUMNS = [
    "indicator",
    "name",
    "level",
    "period",
    "org_type",
    "region",
    "municipality",
    "district",
    "org_id",
    "organization",
    "numerator",
    "denominator",
    "value",
    "target",
    "better",
    "status",
    "deficit",
    "gap",
]
# What a file without territory and period columns is loaded with.
GLAZOV_2023 = ("--region", REGION, "--municipality", "г. Глазов", "--period", "2023")


@pytest.fixture(scope="module")
def cli_template(tmp_path_factory) -> Path:
    """A database with two municipalities, a district, a kindergarten and two periods,
    built once; each test works on its own copy."""
    orgs = [
        located_org("Школа 1", "г. Альфа", district="Северный", has_regulation="нет", mentors=5),
        located_org("Школа 2", "г. Альфа", has_regulation="да", teachers_total=60),
        located_org("Детский сад 3", "г. Альфа", org_type="ДОУ", has_regulation="нет"),
        located_org("Школа 4", "г. Бета", has_regulation="да", mentees=30, teachers_total=35),
        located_org("Школа 1", "г. Альфа", period="2022/2023", district="Северный"),
    ]
    directory = tmp_path_factory.mktemp("cli")
    path = write_csv(directory / "формы.csv", table(orgs, FULL_COLUMNS))
    db = directory / "m.duckdb"
    assert main(["--db", str(db), "ingest", str(path)], out=io.StringIO()) == 0
    return db


@pytest.fixture
def db_path(cli_template, tmp_path) -> Path:
    target = tmp_path / "m.duckdb"
    shutil.copy(cli_template, target)
    wal = cli_template.with_name(cli_template.name + ".wal")
    if wal.exists():
        shutil.copy(wal, target.with_name(target.name + ".wal"))
    return target


def indicators(capsys, db_path, *options: str) -> list[dict[str, object]]:
    code, out, err = run(capsys, "--db", str(db_path), "indicators", *options)
    assert (code, err) == (0, "")
    return json.loads(out)


def test_ingest_prints_what_it_loaded_and_exits_0(tmp_path, capsys):
    rows = table([org("СОШ № 1"), org("СОШ № 2")], ["inn", *FORM_COLUMNS])
    path = write_csv(tmp_path / "формы.csv", rows)
    code, out, err = run(
        capsys, "--db", str(tmp_path / "m.duckdb"), "ingest", str(path), *GLAZOV_2023
    )
    assert (code, err) == (0, "")
    assert out == (
        "формы.csv: загружено строк — 2, новых организаций — 2, заменено форм — 0 (загрузка № 1)\n"
    )


def test_ingest_warnings_go_to_stderr_and_the_data_loads(tmp_path, capsys):
    header, *rows = table([org("СОШ № 1")], ["inn", *FORM_COLUMNS])
    path = write_csv(tmp_path / "f.csv", [[*header, "Примечание"], *[[*r, "-"] for r in rows]])
    db = str(tmp_path / "m.duckdb")
    code, _, err = run(capsys, "--db", db, "ingest", str(path), *GLAZOV_2023)
    assert code == 0
    assert err == (
        "Предупреждение. Файл «f.csv», строка 1, столбец «Примечание» — "
        "столбец не входит в форму и не загружается\n"
    )


def test_bad_data_exits_1_with_every_problem_in_russian_and_writes_nothing(
    db_path, tmp_path, capsys
):
    bad = write_csv(
        tmp_path / "bad.csv",
        table(
            [located_org("Школа 9", "г. Альфа", mentors="-3", has_program="может")], FULL_COLUMNS
        ),
    )
    with Database(db_path) as db:
        before = state(db)
    code, out, err = run(capsys, "--db", str(db_path), "ingest", str(bad))
    assert (code, out) == (1, "")
    assert err == (
        "Файл «bad.csv», строка 2, столбец «Программа наставничества»: значение «может» — "
        "ожидается «да» или «нет»\n"
        "Файл «bad.csv», строка 2, столбец «Педагогов-наставников»: значение «-3» — "
        "количество не может быть отрицательным\n"
        "Данные не загружены.\n"
    )
    with Database(db_path) as db:
        assert state(db) == before


def test_one_bad_file_among_several_leaves_every_file_unloaded(tmp_path, capsys):
    good = write_csv(tmp_path / "good.csv", table([org("СОШ № 1")]))
    bad = tmp_path / "bad.xlsx"
    bad.write_bytes(b"not a workbook")
    db = tmp_path / "m.duckdb"
    code, _, err = run(capsys, "--db", str(db), "ingest", str(good), str(bad), *GLAZOV_2023)
    assert code == 1
    assert "Файл «bad.xlsx» — файл повреждён" in err
    with Database(db) as check:
        assert check.scalar("SELECT count(*) FROM uploads") == 0
        assert check.scalar("SELECT count(*) FROM form_values") == 0


def test_a_missing_file_is_bad_data(tmp_path, capsys):
    code, _, err = run(capsys, "--db", str(tmp_path / "m.duckdb"), "ingest", "нет_такого.csv")
    assert code == 1
    assert err.splitlines()[0] == "Файл «нет_такого.csv» — файл не найден или недоступен для чтения"


def test_an_unknown_org_type_given_at_upload_is_bad_data(tmp_path, capsys):
    path = write_csv(tmp_path / "f.csv", table([org("СОШ № 1")], ["org_name", "has_regulation"]))
    db = str(tmp_path / "m.duckdb")
    code, _, err = run(
        capsys, "--db", db, "ingest", str(path), *GLAZOV_2023, "--org-type", "интернат"
    )
    assert code == 1
    assert err.startswith(
        "Файл «f.csv»: значение «интернат» — значение по умолчанию для «Тип ОО» не распознано"
    )


def test_an_unknown_command_is_bad_usage(tmp_path, capsys):
    code, out, err = run(capsys, "--db", str(tmp_path / "m.duckdb"), "показать")
    assert (code, out) == (2, "")
    assert "Ошибка: аргумент КОМАНДА: недопустимое значение: 'показать'" in err


def test_a_period_with_no_data_is_bad_usage(db_path, capsys):
    code, out, err = run(capsys, "--db", str(db_path), "indicators", "--period", "2031")
    assert (code, out) == (2, "")
    assert err == "Ошибка: период «2031» не найден в данных; есть: 2022/2023, 2023\n"


def test_a_period_that_cannot_be_parsed_is_bad_usage(db_path, capsys):
    code, _, err = run(capsys, "--db", str(db_path), "deficits", "--period", "весна")
    assert code == 2
    assert err.startswith("Ошибка: период «весна» не распознан")


def test_an_unknown_org_type_filter_is_bad_usage(db_path, capsys):
    code, out, err = run(capsys, "--db", str(db_path), "indicators", "--org-type", "интернат")
    assert (code, out) == (2, "")
    assert err.startswith("Ошибка: тип ОО «интернат»: неизвестный тип ОО")


def test_an_unknown_level_is_bad_usage(db_path, capsys):
    code, _, err = run(capsys, "--db", str(db_path), "indicators", "--level", "планета")
    assert code == 2
    assert "недопустимое значение" in err


def test_indicators_as_json_are_objects_with_exactly_the_contract_columns(db_path, capsys):
    rows = indicators(capsys, db_path)
    assert rows
    assert all(list(row) == COLUMNS for row in rows)


def test_indicators_as_csv_have_the_same_header_and_rows(db_path, capsys):
    code, out, _ = run(capsys, "--db", str(db_path), "indicators", "--format", "csv")
    assert code == 0
    parsed = list(csv.reader(io.StringIO(out)))
    assert parsed[0] == COLUMNS
    assert len(parsed) - 1 == len(indicators(capsys, db_path))


@pytest.mark.parametrize(
    ("level", "filled", "empty"),
    [
        ("total", [], ["region", "municipality", "district", "org_id", "organization"]),
        ("region", ["region"], ["municipality", "district", "org_id", "organization"]),
        ("municipality", ["region", "municipality"], ["district", "org_id", "organization"]),
        ("district", ["region", "municipality", "district"], ["org_id", "organization"]),
    ],
)
def test_territory_columns_above_a_rows_level_are_filled_and_below_it_empty(
    db_path, capsys, level, filled, empty
):
    rows = indicators(capsys, db_path, "--level", level)
    assert rows
    assert {row["level"] for row in rows} == {level}
    for row in rows:
        assert all(row[column] is not None for column in filled), row
        assert all(row[column] is None for column in empty), row


def test_an_organisation_row_names_its_whole_territory(db_path, capsys):
    rows = indicators(capsys, db_path, "--level", "organization", "--period", "2023")
    school1 = next(
        r for r in rows if r["organization"] == "Школа 1" and r["indicator"] == "regulation"
    )
    assert {k: school1[k] for k in ("region", "municipality", "district")} == {
        "region": REGION,
        "municipality": "г. Альфа",
        "district": "Северный",
    }
    assert isinstance(school1["org_id"], int)
    assert (school1["numerator"], school1["denominator"], school1["value"]) == (0, 1, 0)
    assert (school1["status"], school1["deficit"], school1["gap"]) == ("red", True, 100)


def test_a_value_without_data_is_null_not_a_deficit(db_path, capsys):
    rows = indicators(capsys, db_path, "--level", "total", "--period", "2023")
    reporting = next(r for r in rows if r["indicator"] == "reporting")
    assert {k: reporting[k] for k in ("value", "status", "deficit", "gap")} == {
        "value": None,
        "status": None,
        "deficit": False,
        "gap": None,
    }


def test_the_level_and_period_filters_keep_only_those_rows(db_path, capsys):
    rows = indicators(capsys, db_path, "--level", "municipality", "--period", "2022-23")
    assert {(r["level"], r["period"]) for r in rows} == {("municipality", "2022/2023")}
    assert {r["municipality"] for r in rows} == {"г. Альфа"}
    assert len(rows) == 15


@pytest.mark.parametrize("org_type", ["school", "общеобразовательная", "СОШ"])
def test_the_org_type_filter_takes_a_code_or_a_russian_name(db_path, capsys, org_type):
    rows = indicators(
        capsys, db_path, "--level", "municipality", "--period", "2023", "--org-type", org_type
    )
    regulation = {r["municipality"]: r for r in rows if r["indicator"] == "regulation"}
    # Детский сад 3 drops out of Альфа: Школа 1 (нет) and Школа 2 (да) remain.
    assert (regulation["г. Альфа"]["numerator"], regulation["г. Альфа"]["denominator"]) == (1, 2)
    assert {r["org_type"] for r in rows} == {"school"}


def test_without_an_org_type_filter_every_type_counts(db_path, capsys):
    rows = indicators(capsys, db_path, "--level", "municipality", "--period", "2023")
    alpha = next(
        r for r in rows if r["indicator"] == "regulation" and r["municipality"] == "г. Альфа"
    )
    assert (alpha["numerator"], alpha["denominator"], alpha["org_type"]) == (1, 3, None)


def test_the_municipality_filter_keeps_one_municipality(db_path, capsys):
    rows = indicators(capsys, db_path, "--municipality", "Г. БЕТА", "--level", "organization")
    assert {r["organization"] for r in rows} == {"Школа 4"}


def test_deficits_are_only_the_deficit_rows_largest_share_of_the_target_first(db_path, capsys):
    code, out, _ = run(capsys, "--db", str(db_path), "deficits")
    assert code == 0
    rows = json.loads(out)
    everything = indicators(capsys, db_path)
    # An organisation's own reporting rate is none of its deficits.
    counted = (
        r
        for r in everything
        if r["deficit"] and not (r["level"] == "organization" and r["indicator"] == "reporting")
    )
    expected = sorted(counted, key=lambda r: r["gap"] / r["target"], reverse=True)
    assert all(row["deficit"] is True for row in rows)
    assert [r["gap"] for r in rows] == [r["gap"] for r in expected]
    assert len(rows) == len(expected) > 0
    # Each row carries the key it is ranked by.
    assert [r["shortfall"] for r in rows] == [r["gap"] / r["target"] for r in expected]
    assert all(list(row) == [*COLUMNS, "shortfall"] for row in rows)


def test_deficits_take_the_same_filters(db_path, capsys):
    code, out, _ = run(
        capsys, "--db", str(db_path), "deficits", "--level", "municipality", "--format", "csv"
    )
    assert code == 0
    parsed = list(csv.DictReader(io.StringIO(out)))
    assert {r["level"] for r in parsed} == {"municipality"}
    assert {r["deficit"] for r in parsed} == {"True"}
    shares = [float(r["gap"]) / float(r["target"]) for r in parsed]
    assert shares == sorted(shares, reverse=True)


def test_quality_lists_findings_as_json(tmp_path, capsys):
    rows = table([org("СОШ № 1", mentors_trained=9), org("СОШ № 2")])
    path = write_csv(tmp_path / "f.csv", rows)
    db = str(tmp_path / "m.duckdb")
    assert run(capsys, "--db", db, "ingest", str(path), *GLAZOV_2023)[0] == 0
    code, out, err = run(capsys, "--db", db, "quality", "--period", "2023")
    assert (code, err) == (0, "")
    assert json.loads(out) == [
        {
            "rule": "trained_le_mentors",
            "severity": "warning",
            "period": "2023",
            "municipality": "г. Глазов",
            "org_id": 1,
            "organization": "СОШ № 1",
            "field": "Наставников, прошедших обучение",
            "value": "9",
            "detail": "обученных наставников больше, чем наставников",
        }
    ]


def test_quality_takes_a_municipality_in_any_spelling_like_indicators(tmp_path, capsys):
    path = write_csv(tmp_path / "f.csv", table([org("СОШ № 1", mentors_trained=9)]))
    db = str(tmp_path / "m.duckdb")
    assert run(capsys, "--db", db, "ingest", str(path), *GLAZOV_2023)[0] == 0
    code, out, _ = run(capsys, "--db", db, "quality", "--municipality", "Г. ГЛАЗОВ")
    assert code == 0
    assert [r["rule"] for r in json.loads(out)] == ["trained_le_mentors"]


def test_quality_for_an_unknown_municipality_is_bad_usage(tmp_path, capsys):
    path = write_csv(tmp_path / "f.csv", table([org("СОШ № 1")]))
    db = str(tmp_path / "m.duckdb")
    assert run(capsys, "--db", db, "ingest", str(path), *GLAZOV_2023)[0] == 0
    code, out, err = run(capsys, "--db", db, "quality", "--municipality", "г. Атлантида")
    assert (code, out) == (2, "")
    assert err == "Ошибка: муниципалитет «г. Атлантида» не найден в данных\n"


def test_quality_on_clean_data_prints_an_empty_list(tmp_path, capsys):
    path = write_csv(tmp_path / "f.csv", table([org("СОШ № 1")]))
    db = str(tmp_path / "m.duckdb")
    assert run(capsys, "--db", db, "ingest", str(path), *GLAZOV_2023)[0] == 0
    code, out, err = run(capsys, "--db", db, "quality")
    assert (code, out, err) == (0, "[]\n", "")


def test_rollback_restores_the_replaced_form_and_a_refused_rollback_exits_1(tmp_path, capsys):
    db = str(tmp_path / "m.duckdb")
    for teachers in (40, 44):
        path = write_csv(
            tmp_path / f"f{teachers}.csv", table([org("СОШ № 1", teachers_total=teachers)])
        )
        assert run(capsys, "--db", db, "ingest", str(path), *GLAZOV_2023)[0] == 0
    code, _, err = run(capsys, "--db", db, "rollback", "1")
    assert (code, err) == (
        1,
        "Ошибка: загрузка № 1 — не последняя: после неё действуют загрузки № 2; "
        "загрузки отменяются от последней к первой, сначала отмените их\n",
    )
    code, out, _ = run(capsys, "--db", db, "rollback", "2")
    assert (code, out) == (
        0,
        "Загрузка № 2 отменена, заменённые данные восстановлены.\n"
        "Отменено: удалено строк: 1; восстановлено строк: 1.\n",
    )
    with Database(db) as check:
        assert check.scalar("SELECT teachers_total FROM form_values") == 40
    code, out, _ = run(capsys, "--db", db, "uploads")
    assert code == 0
    lines = out.splitlines()
    assert [line.split("\t")[0] for line in lines] == ["№ 2", "№ 1"]
    assert lines[0].endswith("\tf44.csv (отменена)")
    assert lines[1].endswith("\tf40.csv")


def test_the_samples_loaded_from_the_command_line_give_expected_json(tmp_path, capsys):
    db = str(tmp_path / "m.duckdb")
    for item in EXPECTED["load"]:
        code, _, _ = run(capsys, "--db", db, "ingest", str(DATA / item["file"]), *item["args"])
        assert code == 0
    rows = indicators(capsys, db, "--level", "municipality")
    got = {(r["municipality"], r["period"], r["indicator"]): r for r in rows}
    assert len(got) == len(rows) == 30
    for expected in EXPECTED["municipality_indicators"]:
        row = got[(expected["municipality"], expected["period"], expected["indicator"])]
        assert row["numerator"] == pytest.approx(expected["numerator"])
        assert row["denominator"] == pytest.approx(expected["denominator"])
        assert row["value"] == pytest.approx(expected["value"])
        assert (row["target"], row["better"]) == (expected["target"], expected["better"])


def python_m_analytics(*argv: str) -> subprocess.CompletedProcess[str]:
    return finished([sys.executable, "-m", "analytics", *argv])


def finished(command: list[str]) -> subprocess.CompletedProcess[str]:
    """``command`` run to its end in the project's directory, its output as text."""
    return subprocess.run(
        command,
        cwd=ROOT,
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=120,
        check=False,
    )


def test_python_m_analytics_loads_a_sample_and_exits_0(tmp_path):
    db = str(tmp_path / "m.duckdb")
    load = next(i for i in EXPECTED["load"] if i["file"].endswith(".csv"))
    done = python_m_analytics("--db", db, "ingest", str(DATA / load["file"]), *load["args"])
    assert (done.returncode, done.stderr) == (0, "")
    assert done.stdout == (
        "nyagan_2022-2023_cp1251.csv: загружено строк — 8, новых организаций — 8, "
        "заменено форм — 0 (загрузка № 1)\n"
    )
    with Database(db) as check:
        assert check.scalar("SELECT count(*) FROM form_values") == 8


def test_python_m_analytics_exits_1_on_bad_data_and_2_on_bad_usage(tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_bytes(csv_bytes(table([org("СОШ № 1", teachers_total="-3")]), "cp1251"))
    db = str(tmp_path / "m.duckdb")
    refused = python_m_analytics("--db", db, "ingest", str(bad), *GLAZOV_2023)
    assert refused.returncode == 1
    assert refused.stderr == (
        "Файл «bad.csv», строка 2, столбец «Педагогических работников»: значение «-3» — "
        "количество не может быть отрицательным\nДанные не загружены.\n"
    )
    with Database(db) as check:
        assert (check.data_version(), check.scalar("SELECT count(*) FROM uploads")) == (0, 0)
    assert python_m_analytics("--db", db, "неизвестная").returncode == 2


def test_ingest_reads_each_of_several_files_once_for_the_check_and_the_load(
    tmp_path, capsys, monkeypatch
):
    import analytics.ingest.parse

    files = [
        write_csv(tmp_path / f"f{n}.csv", table([org(f"СОШ № {n}")], ["inn", *FORM_COLUMNS]))
        for n in (1, 2)
    ]
    parsed = []
    parse_sheets = analytics.ingest.parse.parse_sheets

    def counted(name, *args):
        parsed.append(name)
        return parse_sheets(name, *args)

    monkeypatch.setattr("analytics.ingest.load.parse_sheets", counted)
    code, _, err = run(
        capsys, "--db", str(tmp_path / "m.duckdb"), "ingest", *map(str, files), *GLAZOV_2023
    )
    assert (code, err) == (0, "")
    assert parsed == ["f1.csv", "f2.csv"]


@pytest.mark.parametrize("fmt", ["csv", "json"])
def test_python_m_analytics_writes_to_its_standard_output_what_the_command_writes_in_process(
    db_path, capsys, fmt
):
    # The process's standard output is a descriptor: DuckDB writes through a pipe into it.
    argv = ("--db", str(db_path), "indicators", "--format", fmt)
    code, expected, _ = run(capsys, *argv)
    done = python_m_analytics(*argv)
    assert (done.returncode, done.stderr) == (0, "")
    assert code == 0
    assert done.stdout == expected
    assert len(done.stdout.splitlines()) > 10


def test_python_m_analytics_writes_an_empty_json_array_on_one_line(db_path):
    done = python_m_analytics(
        "--db", str(db_path), "deficits", "--format", "json", "--org-type", "vocational"
    )
    assert (done.returncode, done.stderr, done.stdout) == (0, "", "[]\n")


def test_python_m_analytics_whose_reader_stops_early_ends_without_a_traceback(demo_db_path):
    # `… | head -c 100`: the reader goes after 100 bytes of the demo's 2.4 MB, long
    # before the output is written, so the process writes into a closed pipe.
    done = finished(
        [
            "bash",
            "-o",
            "pipefail",
            "-c",
            f'"{sys.executable}" -m analytics --db "{demo_db_path}" indicators --format csv '
            "| head -c 100 > /dev/null",
        ]
    )
    assert (done.returncode, done.stderr) == (1, "")
