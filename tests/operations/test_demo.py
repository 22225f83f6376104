"""The demo dataset: deterministic files in real-world shapes that load through ingest
into a realistic database with trends, deficits, gaps in reporting and rule violations."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import openpyxl
import pytest

from analytics.compute import lookups, quality
from analytics.compute.indicators import compute
from analytics.ingest.parse import parse_sheets
from analytics.ingest.readers import read_sheets
from analytics.model.contract import FormKind
from analytics.model.levels import Level
from analytics.model.periods import period_of
from analytics.operations.demo import DEMO_SEED, FILE_TIME, DemoFile, build_demo, write_demo_files
from analytics.store.db import Database
from analytics.store.scope import Scope

FIRST, LATEST = "2022/2023", "2023/2024"


def _contents(directory: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(directory.iterdir())}


def _total_values(db: Database) -> dict[tuple[str, str], float]:
    frame = compute(db, Scope(levels=(Level.TOTAL,)))
    return {(r.indicator, r.period): r.value for r in frame.itertuples(index=False)}


def _registry_rows(files: list[DemoFile]) -> list[dict[str, object]]:
    registry = next(f for f in files if f.kind is FormKind.REGISTRY)
    sheets = read_sheets(registry.path.name, registry.path.read_bytes())
    parsed = parse_sheets(registry.path.name, sheets, FormKind.REGISTRY, registry.defaults)
    assert not parsed.errors
    return [r.values for r in parsed.records]


def _inn_is_valid(inn: str) -> bool:
    weights = (2, 4, 10, 3, 5, 9, 4, 6, 8)
    check = sum(int(d) * w for d, w in zip(inn[:9], weights, strict=True)) % 11 % 10
    return len(inn) == 10 and inn.isdigit() and int(inn[9]) == check


@pytest.fixture
def demo_db(fresh_db: Database) -> Database:
    """A fresh database of the test's own with the demo data built into it."""
    build_demo(fresh_db)
    return fresh_db


# --- files ---------------------------------------------------------------------------


def test_the_same_seed_writes_the_same_bytes_and_another_seed_other_bytes(tmp_path: Path):
    first = write_demo_files(tmp_path / "a")
    write_demo_files(tmp_path / "b", seed=DEMO_SEED)
    write_demo_files(tmp_path / "c", seed=DEMO_SEED + 1)

    assert _contents(tmp_path / "a") == _contents(tmp_path / "b")
    assert _contents(tmp_path / "a") != _contents(tmp_path / "c")
    assert sorted(p.name for p in (tmp_path / "a").iterdir()) == sorted(f.path.name for f in first)


def test_xlsx_files_carry_a_fixed_time_instead_of_the_clock(tmp_path: Path):
    files = write_demo_files(tmp_path)

    xlsx = [f.path for f in files if f.path.suffix == ".xlsx"]
    assert xlsx
    for path in xlsx:
        archive = zipfile.ZipFile(io.BytesIO(path.read_bytes()))
        assert {info.date_time for info in archive.infolist()} == {FILE_TIME.timetuple()[:6]}
        core = archive.read("docProps/core.xml").decode("utf-8")
        assert core.count(FILE_TIME.strftime("%Y-%m-%dT%H:%M:%S")) == 2  # created, modified


def test_the_files_come_in_the_shapes_municipalities_send(tmp_path: Path):
    files = write_demo_files(tmp_path)
    forms = [f for f in files if f.kind is FormKind.ORG_FORM]
    csvs = [f.path.read_bytes() for f in forms if f.path.suffix == ".csv"]
    workbooks = [openpyxl.load_workbook(f.path) for f in forms if f.path.suffix == ".xlsx"]

    assert files[0].kind is FormKind.REGISTRY and len(forms) == len(files) - 1
    assert any(content.startswith(b"\xef\xbb\xbf") for content in csvs)
    texts, not_utf8 = [], []
    for content in csvs:
        try:
            texts.append(content.decode("utf-8-sig"))
        except UnicodeDecodeError:
            not_utf8.append(content.decode("cp1251"))
    assert len(not_utf8) == 2 and "Наименование ОО" in not_utf8[0]  # one municipality, 2 years
    assert any("Инструкция" in wb.sheetnames for wb in workbooks)
    assert any(wb.worksheets[0].merged_cells.ranges for wb in workbooks)
    assert any(f.defaults.period is None for f in forms)  # period written in the file
    assert any(f.defaults.period is not None for f in forms)  # period given at upload
    text = "\n".join(texts + not_utf8)
    for word in (";+;", ";-;", ";есть;", ";нет;", ";да;", ";Да;"):
        assert word in text
    cells = {
        str(c)
        for wb in workbooks
        for row in wb.worksheets[0].iter_rows(values_only=True)
        for c in row
    }
    assert {"имеется", "отсутствует", "Итого"} <= cells
    assert any(c.endswith(" чел.") for c in cells | set(text.split(";")))
    assert any(c.endswith("%") and "," in c for c in cells | set(text.split(";")))


def test_scale_multiplies_the_number_of_organisations(tmp_path: Path):
    single = _registry_rows(write_demo_files(tmp_path / "one"))
    double = _registry_rows(write_demo_files(tmp_path / "two", scale=2))

    assert len(double) == 2 * len(single)
    assert len({r["inn"] for r in double}) == len(double)


# --- the loaded database -------------------------------------------------------------


def test_every_file_loads_registry_first_and_every_organisation_keeps_its_registry_name(
    tmp_path: Path,
):
    with Database(tmp_path / "monitoring.duckdb") as db:
        results = build_demo(db)
        names = dict(db.query("SELECT inn, name FROM organizations").itertuples(index=False))

    registry = _registry_rows(write_demo_files(tmp_path / "again"))
    assert [r.kind for r in results] == [FormKind.REGISTRY] + [FormKind.ORG_FORM] * (
        len(results) - 1
    )
    form_periods = [period_of(r.periods[0]) for r in results[1:]]
    assert form_periods == sorted(form_periods)
    assert all(r.rows > 0 for r in results)
    assert (tmp_path / "demo").is_dir()  # beside the database by default
    # Names read back from every encoding and shape equal the registry's spelling.
    assert names == {r["inn"]: r["org_name"] for r in registry}


def test_the_demo_has_four_org_types_two_regions_six_municipalities_and_districts(
    demo_db: Database,
):
    orgs = lookups.hierarchy(demo_db)
    types = orgs["org_type"].value_counts()

    assert len(orgs) >= 250
    assert set(types.index) == {"school", "preschool", "additional", "vocational"}
    assert types["school"] > len(orgs) / 2
    assert orgs["region"].nunique() == 2
    assert orgs["municipality"].nunique() >= 6
    with_districts = orgs.dropna(subset=["district"])
    assert with_districts["municipality"].unique().tolist() == ["г. Ижевск"]
    assert with_districts["district"].nunique() == 5
    assert lookups.periods(demo_db) == [FIRST, LATEST]
    assert orgs["inn"].is_unique and all(_inn_is_valid(inn) for inn in orgs["inn"])
    prefixes = {"Удмуртская Республика": "18", "Ханты-Мансийский автономный округ – Югра": "86"}
    assert all(orgs["inn"].str[:2] == orgs["region"].map(prefixes))


def test_a_few_registered_organisations_send_no_form_in_the_latest_period(demo_db: Database):
    values = _total_values(demo_db)
    missing = lookups.non_reporting(demo_db, LATEST)

    assert 5 <= len(missing) <= 10
    assert values[("reporting", LATEST)] < 100
    registered = demo_db.scalar("SELECT count(*) FROM registry")
    assert values[("reporting", LATEST)] == pytest.approx(100 * (1 - len(missing) / registered))


def test_databases_improve_from_the_first_period_to_the_second_and_deficits_remain(
    demo_db: Database,
):
    values = _total_values(demo_db)

    assert 50 <= values[("databases", FIRST)] <= 58
    assert 66 <= values[("databases", LATEST)] <= 74
    assert values[("teachers_involved", FIRST)] < values[("teachers_involved", LATEST)]
    assert values[("teachers_involved", FIRST)] < 12
    for indicator in ("databases", "mentors_trained", "program_site"):
        assert values[(indicator, LATEST)] < 100  # below target: a deficit in both years
        assert values[(indicator, FIRST)] < values[(indicator, LATEST)]


def test_a_handful_of_organisations_break_consistency_rules_and_some_answers_are_blank(
    demo_db: Database,
):
    findings = quality.consistency_findings(demo_db)
    first = findings[findings["period"] == FIRST]

    assert {"young_with_mentor_le_young", "trained_le_mentors", "mentor_db_when_mentors"} <= set(
        first["rule"]
    )
    assert 3 <= findings.groupby("period")["org_id"].nunique().max() <= 12
    assert not quality.missing_answers(demo_db, LATEST).empty
