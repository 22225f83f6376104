"""``indicators``, ``deficits`` and ``quality`` into a file: ``--out FILE`` with
``--format parquet`` (DuckDB's ``COPY``) or ``xlsx`` (where the rows fit a sheet); each file
read back with pandas (issue 27, item 2)."""

from __future__ import annotations

import io
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from analytics.cli.main import main
from analytics.documents import outputs
from tests.commandline import run
from tests.filemakers import FULL_COLUMNS, located_org, table, write_csv


@pytest.fixture(scope="module")
def db_file(tmp_path_factory) -> Path:
    """Two schools of one town for 2023: Школа 1 without a regulation, with 5 mentors of
    20 teachers; Школа 2 with one. Only read by the tests."""
    orgs = [
        located_org("Школа 1", "г. Альфа", has_regulation="нет", mentors=5),
        located_org("Школа 2", "г. Альфа", has_regulation="да"),
    ]
    directory = tmp_path_factory.mktemp("outputs")
    path = write_csv(directory / "формы.csv", table(orgs, FULL_COLUMNS))
    db = directory / "m.duckdb"
    assert main(["--db", str(db), "ingest", str(path)], out=io.StringIO()) == 0
    return db


def _regulation_rows(frame: pd.DataFrame) -> list[tuple]:
    chosen = frame[(frame["indicator"] == "regulation") & (frame["level"] == "organization")]
    return sorted(
        chosen[["organization", "numerator", "denominator", "value", "status"]].itertuples(
            index=False, name=None
        )
    )


def test_indicators_as_parquet_hold_typed_columns_whose_values_pandas_reads(
    db_file, tmp_path, capsys
):
    target = tmp_path / "показатели.parquet"

    code, out, err = run(
        capsys, "--db", str(db_file), "indicators", "--format", "parquet", "--out", str(target)
    )

    assert (code, out, err) == (0, f"Сохранено: {target}\n", "")
    assert pq.read_schema(target).field("org_id").type == pa.int64()
    frame = pd.read_parquet(target)
    assert _regulation_rows(frame) == [
        ("Школа 1", 0, 1, 0.0, "red"),
        ("Школа 2", 1, 1, 100.0, "green"),
    ]


def test_indicators_as_parquet_are_the_rows_and_columns_of_the_csv(db_file, tmp_path, capsys):
    target = tmp_path / "показатели.parquet"
    run(capsys, "--db", str(db_file), "indicators", "--format", "parquet", "--out", str(target))
    _, text, _ = run(capsys, "--db", str(db_file), "indicators", "--format", "csv")

    written = pd.read_parquet(target)
    printed = pd.read_csv(io.StringIO(text), dtype={"org_id": "Int64"})

    assert list(written.columns) == list(printed.columns)
    assert len(written) == len(printed) > 0
    for column in ("indicator", "level", "organization", "numerator", "denominator", "value"):
        pd.testing.assert_series_equal(written[column], printed[column], check_dtype=False)


def test_deficits_as_xlsx_are_one_sheet_whose_rows_pandas_reads(db_file, tmp_path, capsys):
    target = tmp_path / "дефициты.xlsx"

    code, out, err = run(
        capsys, "--db", str(db_file), "deficits", "--format", "xlsx", "--out", str(target)
    )

    assert (code, out, err) == (0, f"Сохранено: {target}\n", "")
    frame = pd.read_excel(target, sheet_name=None, engine="calamine")
    assert list(frame) == ["Таблица"]
    sheet = frame["Таблица"]
    regulation = sheet[(sheet["indicator"] == "regulation") & (sheet["level"] == "organization")]
    assert regulation[["organization", "numerator", "denominator", "value"]].values.tolist() == [
        ["Школа 1", 0, 1, 0]
    ]
    assert regulation["deficit"].tolist() == [True]


def test_a_result_larger_than_an_excel_sheet_is_refused_in_russian_and_no_file_is_written(
    tmp_path,
):
    rows = pd.DataFrame({"n": range(outputs.EXCEL_ROWS)})
    target = tmp_path / "много.xlsx"

    with pytest.raises(outputs.TooManyRows) as refused:
        outputs.save(rows, ["n"], "xlsx", target)

    assert str(refused.value) == (
        "в результате 1\u00a0048\u00a0576\u00a0строк, а лист Excel вмещает не больше "
        "1\u00a0048\u00a0575\u00a0строк под заголовком; выберите --format csv или parquet или "
        "сузьте выборку (--period, --level, территория)"
    )
    assert not target.exists()


def test_parquet_without_out_is_bad_usage_with_a_russian_message(db_file, capsys):
    code, out, err = run(capsys, "--db", str(db_file), "indicators", "--format", "parquet")

    assert (code, out) == (2, "")
    assert err == "Ошибка: формат parquet записывается только в файл: укажите --out ФАЙЛ\n"


@pytest.mark.parametrize("fmt", ["csv", "parquet", "xlsx"])
def test_a_file_in_a_missing_folder_is_refused_in_russian(db_file, tmp_path, capsys, fmt):
    target = tmp_path / "нет" / f"показатели.{fmt}"

    code, out, err = run(
        capsys, "--db", str(db_file), "indicators", "--format", fmt, "--out", str(target)
    )

    assert (code, out) == (1, "")
    assert err == "Ошибка: файл или папка не найдены; данные не изменены\n"
