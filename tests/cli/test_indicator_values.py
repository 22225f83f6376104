"""The numbers of ``indicators --format csv --out FILE`` against pandas' own computation
from the uploaded file, by the data contract's formulas: every indicator, level, unit and
period (issue 27 item 2: the long rows now go from DuckDB to the file directly)."""

from __future__ import annotations

import io
from pathlib import Path

import pandas as pd
import pytest

from analytics.cli.main import main
from tests.commandline import run
from tests.filemakers import FULL_COLUMNS, HEADERS, located_org, table, write_csv

# The contract's indicators made of the form's answers (the reporting rate needs a
# registry): id -> (numerator, denominator, factor) over one organisation's row, None
# where the organisation does not take part.
YES_NO = {
    "regulation": "has_regulation",
    "roadmap": "has_roadmap",
    "curator": "has_curator",
    "program": "has_program",
    "program_site": "program_on_site",
    "incentives": "has_incentives",
}
RATIOS = {
    "teachers_involved": (("mentors", "mentees"), "teachers_total", 100),
    "young_mentored": (("young_with_mentor",), "young_specialists", 100),
    "mentors_trained": (("mentors_trained",), "mentors", 100),
    "mentor_load": (("mentees",), "mentors", 1),
    "completion": (("mentees_completed",), "mentees", 100),
    "students_mentored": (("student_mentees",), "students_10_18", 100),
}


def _forms() -> list[dict[str, object]]:
    """Five schools of two towns (one with a district), two periods, with blanks and
    «нет» spread over the answers."""
    return [
        located_org("Школа 1", "г. Альфа", district="Северный", has_regulation="нет", mentors=8),
        located_org("Школа 2", "г. Альфа", has_roadmap=None, teachers_total=60, mentees=None),
        located_org("Школа 3", "г. Альфа", district="Северный", has_mentee_db="нет"),
        located_org("Школа 4", "г. Бета", has_curator="нет", satisfaction_pct=None, mentors=2),
        located_org("Школа 5", "г. Бета", students_10_18=None, has_incentives="нет"),
        located_org("Школа 1", "г. Альфа", period="2022", district="Северный", mentees=9),
        located_org("Школа 4", "г. Бета", period="2022", has_program="нет", mentors_trained=1),
    ]


@pytest.fixture(scope="module")
def uploaded(tmp_path_factory) -> tuple[Path, Path]:
    """The forms' CSV file and a database loaded from it by the command line."""
    directory = tmp_path_factory.mktemp("values")
    path = write_csv(directory / "формы.csv", table(_forms(), FULL_COLUMNS))
    db = directory / "m.duckdb"
    assert main(["--db", str(db), "ingest", str(path)], out=io.StringIO()) == 0
    return path, db


def _expected(path: Path) -> pd.DataFrame:
    """Numerator, denominator and value of every indicator, level, unit and period, from
    the uploaded file alone."""
    forms = pd.read_csv(path, sep=";", dtype=str).rename(columns={v: k for k, v in HEADERS.items()})
    counts = [*{c for parts, d, _ in RATIOS.values() for c in (*parts, d)}, "satisfaction_pct"]
    for column in counts:
        forms[column] = pd.to_numeric(forms[column])
    parts = []
    for indicator, answer in YES_NO.items():
        answered = forms[answer].notna()
        parts.append(_part(forms, indicator, forms[answer].eq("да").where(answered), answered))
    both = forms["has_mentor_db"].notna() & forms["has_mentee_db"].notna()
    yes = forms["has_mentor_db"].eq("да") & forms["has_mentee_db"].eq("да")
    parts.append(_part(forms, "databases", yes.where(both), both))
    for indicator, (numerator, denominator, _) in RATIOS.items():
        top = forms[list(numerator)].sum(axis=1, min_count=len(numerator))
        taking = top.notna() & forms[denominator].notna()
        parts.append(_part(forms, indicator, top.where(taking), forms[denominator].where(taking)))
    people = forms["mentors"] + forms["mentees"]
    taking = people.notna() & forms["satisfaction_pct"].notna()
    weighted = (forms["satisfaction_pct"] * people).where(taking)
    parts.append(_part(forms, "satisfaction", weighted, people.where(taking)))
    long = pd.concat(parts)
    factors = {**dict.fromkeys([*YES_NO, "databases"], 100)}
    factors |= {k: f for k, (_, _, f) in RATIOS.items()} | {"satisfaction": 1}
    rows = []
    for level, keys in (
        ("total", []),
        ("region", ["region"]),
        ("municipality", ["region", "municipality"]),
        ("district", ["region", "municipality", "district"]),
        ("organization", ["region", "municipality", "org_name"]),
    ):
        grouped = long.dropna(subset=keys).groupby(["indicator", "period", *keys])
        sums = grouped[["numerator", "denominator"]].sum(min_count=1).reset_index()
        sums["level"] = level
        sums["unit"] = sums[keys[-1]] if keys else ""
        rows.append(sums[["indicator", "level", "period", "unit", "numerator", "denominator"]])
    expected = pd.concat(rows, ignore_index=True)
    factor = expected["indicator"].map(factors)
    positive = expected["denominator"] > 0
    expected["value"] = (factor * expected["numerator"] / expected["denominator"]).where(positive)
    return expected.sort_values(["indicator", "level", "period", "unit"]).reset_index(drop=True)


def _part(forms: pd.DataFrame, indicator: str, numerator, denominator) -> pd.DataFrame:
    """One indicator's numerator and denominator per form; a yes/no question's
    denominator (``denominator`` a boolean: answered) is 1 where answered, else none."""
    if denominator.dtype == bool:
        denominator = denominator.astype(float).where(denominator)
    return pd.DataFrame(
        {
            "indicator": indicator,
            "period": forms["period"],
            "region": forms["region"],
            "municipality": forms["municipality"],
            "district": forms["district"],
            "org_name": forms["org_name"],
            "numerator": pd.Series(numerator, dtype="float64"),
            "denominator": pd.Series(denominator, dtype="float64"),
        }
    )


def test_the_written_csv_has_the_numbers_pandas_computes_from_the_uploaded_file(
    uploaded, tmp_path, capsys
):
    path, db = uploaded
    target = tmp_path / "показатели.csv"
    code, out, err = run(
        capsys, "--db", str(db), "indicators", "--format", "csv", "--out", str(target)
    )
    assert (code, out, err) == (0, f"Сохранено: {target}\n", "")
    written = pd.read_csv(target, dtype={"period": str})
    written = written[written["indicator"] != "reporting"]
    unit = (
        written["organization"]
        .fillna(written["district"])
        .fillna(written["municipality"])
        .fillna(written["region"])
        .fillna("")
    )
    got = written.assign(unit=unit)[
        ["indicator", "level", "period", "unit", "numerator", "denominator", "value"]
    ]
    got = got.sort_values(["indicator", "level", "period", "unit"]).reset_index(drop=True)
    expected = _expected(path)
    pd.testing.assert_frame_equal(got, expected, check_dtype=False)
    # One row read as the contract says: in 2023 Школа 1 of г. Альфа has no regulation,
    # Школы 2 and 3 have one; in 2022 only Школа 1 reported, with one.
    alfa = got[(got["indicator"] == "regulation") & (got["unit"] == "г. Альфа")]
    assert alfa[["period", "numerator", "denominator", "value"]].values.tolist() == [
        ["2022", 1.0, 1.0, 100.0],
        ["2023", 2.0, 3.0, 200 / 3],
    ]
