"""The national benchmark's data generator, reference query and load test (no timings
asserted)."""

from __future__ import annotations

import io
import math
import zipfile
from pathlib import Path

import duckdb
import pytest

from analytics.cli.main import main
from analytics.compute.indicators import compute
from analytics.ingest.load import ingest_file
from analytics.meetings.round_templates import templates_zip
from analytics.store.db import Database
from benchmarks import load, templates
from benchmarks.national import PERIODS, REGIONS, SIZES, generate, municipalities
from benchmarks.ratios import long_sql
from benchmarks.run import HAND_SQL, Row, compare, exponent


def _files(directory: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(directory)): p.read_bytes()
        for p in sorted(directory.rglob("*"))
        if p.is_file()
    }


def _load(db: Database, registry, forms) -> None:
    for f in [*registry, *forms]:
        ingest_file(db, f.path, f.kind)


@pytest.fixture(scope="module")
def smallest(tmp_path_factory: pytest.TempPathFactory):
    return generate("1", tmp_path_factory.mktemp("national") / "files")


def test_the_same_seed_writes_the_same_bytes(smallest, tmp_path):
    again = generate("1", tmp_path / "again")
    first, second = _files(smallest.directory), _files(again.directory)
    assert first.keys() == second.keys()
    assert any(name.endswith(".xlsx") for name in first)
    assert any(name.endswith(".csv") for name in first)
    assert first == second


def test_another_seed_writes_other_data(smallest, tmp_path):
    other = generate("1", tmp_path / "other", seed=1)
    assert _files(other.directory) != _files(smallest.directory)


def test_the_sizes_are_a_municipality_ten_a_hundred_and_a_country():
    counts = {}
    for name, size in SIZES.items():
        _, munis = municipalities(size)
        counts[name] = (len({m.region for m in munis}), len(munis), sum(m.orgs for m in munis))
    assert counts["1"] == (1, 1, 40)
    assert counts["10"] == (1, 10, 400)
    assert counts["100"] == (4, 100, 4000)
    assert counts["country"] == (89, 2500, 100_000)
    assert len({name for _, name in REGIONS}) == 89


def test_the_smallest_size_loads_and_gives_every_indicator(smallest, tmp_path):
    assert smallest.organizations == 40
    assert len(smallest.csv) == len(smallest.xlsx) == len(PERIODS)
    with Database(tmp_path / "csv.duckdb") as db:
        _load(db, smallest.registry, smallest.csv)
        assert db.scalar("SELECT count(*) FROM organizations") == 40
        assert db.scalar("SELECT count(*) FROM form_values") == smallest.form_rows
        frame = compute(db)
        totals = frame[frame["level"] == "total"]
        assert sorted(totals["period"].unique()) == list(PERIODS)
        assert totals["value"].notna().all()
        reporting = totals[totals["indicator"] == "reporting"]
        assert (reporting["value"] < 100).all()  # about 3 % of the registry is missing
        by_csv = totals.set_index(["indicator", "period"])["value"]
        wide = db.query(HAND_SQL)
        compared, different = compare(frame, wide)
        assert compared > 0
        assert different == 0
    with Database(tmp_path / "xlsx.duckdb") as db:
        _load(db, smallest.registry, smallest.xlsx)
        frame = compute(db)
        by_xlsx = frame[frame["level"] == "total"].set_index(["indicator", "period"])["value"]
    assert by_xlsx.round(9).to_dict() == by_csv.round(9).to_dict()


def test_growth_exponent_is_the_log_log_slope():
    assert exponent([(10, 1.0), (100, 10.0), (1000, 100.0)]) == pytest.approx(1.0)
    assert exponent([(10, 1.0), (100, 100.0)]) == pytest.approx(2.0)
    assert exponent([(10, 1.0)]) is None
    assert not math.isnan(exponent([(1, 0.5), (10, 0.6)]))


@pytest.fixture(scope="module")
def smallest_db(smallest, tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("national-db") / "forms.duckdb"
    with Database(path) as db:
        _load(db, smallest.registry, smallest.csv)
    return path


def test_the_ratios_reference_writes_the_lines_of_indicators_as_csv(smallest_db, tmp_path):
    # The output ratio's reference is hand-written from the data contract: it must write
    # the command's own lines (in any order), every column, level and period.
    ours, reference = tmp_path / "ours.csv", tmp_path / "reference.csv"
    with ours.open("w", encoding="utf-8") as out:
        assert main(["--db", str(smallest_db), "indicators", "--format", "csv"], out=out) == 0
    con = duckdb.connect(str(smallest_db), read_only=True)
    try:
        con.execute(f"COPY ({long_sql()}) TO '{reference}' (FORMAT csv, HEADER true)")
    finally:
        con.close()
    lines = [p.read_text(encoding="utf-8").splitlines() for p in (ours, reference)]
    assert lines[0][0] == lines[1][0]  # the header
    assert len(lines[0]) == 1 + 3 * 15 * (1 + 1 + 1 + 40)  # periods × indicators × units
    assert sorted(lines[0]) == sorted(lines[1])


def test_a_load_test_journey_clicks_through_five_pages_of_one_view(smallest_db):
    with Database(smallest_db, read_only=True) as db:
        org, municipality, region = db.query(
            "SELECT min(o.org_id), any_value(o.municipality_id), any_value(m.region_id) "
            "FROM organizations o JOIN municipalities m USING (municipality_id)"
        ).iloc[0]
    school = {"region": str(region), "municipality": str(municipality), "org": str(org)}
    pages = ["", "indicators", "territories", "organization", ""]
    assert [page for _, page, _ in load.journey(smallest_db)] == pages
    assert all(filters == {} for _, _, filters in load.journey(smallest_db))
    assert all(filters == school for _, _, filters in load.journey(smallest_db, "school"))


def test_a_load_test_against_a_real_server_times_every_step_without_errors(smallest_db):
    results = load.run(smallest_db, (2,), snapshot=False, timeout=120)
    (batch,) = results["batches"]
    assert batch["sessions"] == 2
    assert batch["errors"] == []
    assert [label for label, _, _ in results["journey"]] == list(batch["steps"])
    assert all(step["max_s"] > 0 for step in batch["steps"].values())
    assert batch["memory"]["VmHWM"] >= batch["memory"]["VmRSS"] > 0


def test_the_template_benchmarks_city_gets_one_template_per_school_in_its_districts(tmp_path):
    db = Database(tmp_path / "templates.duckdb")
    try:
        round_id = templates.city_round(db, schools=40)
        names = zipfile.ZipFile(io.BytesIO(templates_zip(db, round_id))).namelist()
    finally:
        db.close()
    assert len(names) == 40
    assert len({name.rsplit("/", 1)[0] for name in names}) == templates.DISTRICTS
    assert all(name.startswith("г. Санкт-Петербург/Район № ") for name in names)


def test_the_template_line_gives_templates_per_second_against_the_target():
    measured = {"templates": {"templates": 296, "seconds": 2.96, "floor_s": 1.48}}
    lines = templates.rows(measured, Row)
    assert [(r.value, r.target, r.met) for r in lines] == [
        ("100 (всего 3.0 с)", "≥ 33/с, ≤ 10 с", True),
        ("2.0×", "—", None),
    ]
    slow = {"templates": {"templates": 296, "seconds": 12.0, "floor_s": 1.5}}
    assert templates.rows(slow, Row)[0].met is False
