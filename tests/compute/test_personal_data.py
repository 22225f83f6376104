"""Personal data (152-ФЗ): the names of mentors and mentees are stored only to match a
mentee to a mentor, never reach an aggregate (indicators, register summaries, the quality
list, exported tables), and :func:`delete_person_bases` removes a school's names everywhere,
the archived upload files included."""

from __future__ import annotations

import io
from dataclasses import replace

import pandas as pd
import pytest
from openpyxl import load_workbook

from analytics.cli.main import main
from analytics.compute import person_bases, quality
from analytics.compute.indicators import compute
from analytics.documents.exports import table_csv, table_xlsx
from analytics.ingest.load import ingest_bytes
from analytics.model.contract import FormKind
from analytics.model.levels import Level
from analytics.store.db import Database
from analytics.store.scope import Scope
from tests.registerfiles import (
    DEFAULTS,
    MENTEE_HEADER,
    MENTEES_1,
    MENTOR_HEADER,
    MENTORS_1,
    MENTORS_2,
    NAMES,
    SCHOOL_1,
    load_registers,
    names_in,
    org_id,
    register_csv,
)
from ui import person_bases_view

SCHOOL_1_NAMES = tuple(
    {str(row[0]) for row in (*MENTORS_1, *MENTEES_1)} | {str(r[3]) for r in MENTEES_1 if r[3]}
)
SCHOOL_2_NAMES = tuple(str(row[0]) for row in MENTORS_2)


def frame_text(frame: pd.DataFrame) -> str:
    return frame.astype(str).to_csv(index=False) + " ".join(map(str, frame.columns))


def stored_text(db: Database) -> dict[str, str]:
    """Every text cell of every table, by table."""
    columns = db.query(
        "SELECT table_name, column_name FROM duckdb_columns() WHERE schema_name = 'main' "
        "AND database_name = current_database() AND data_type = 'VARCHAR'"
    )
    texts: dict[str, str] = {}
    for table, column in columns.itertuples(index=False):
        values = db.query(f'SELECT "{column}" AS v FROM "{table}" WHERE "{column}" IS NOT NULL')
        texts[table] = texts.get(table, "") + " ".join(values["v"].astype(str)) + " "
    return texts


@pytest.fixture
def loaded(fresh_db):
    load_registers(fresh_db)
    return fresh_db


# --- names stay out of aggregates --------------------------------------------------


def test_the_fixture_names_are_in_the_registers(loaded):
    assert names_in(stored_text(loaded)["mentors"] + stored_text(loaded)["mentees"]) == list(NAMES)


def test_no_name_reaches_the_indicators(loaded):
    assert names_in(frame_text(compute(loaded))) == []


@pytest.mark.parametrize(
    "summary",
    [
        person_bases.person_base_summary,
        person_bases.form_distribution,
        person_bases.mentor_loads,
        person_bases.cross_check,
        person_bases.cross_check_totals,
        lambda db: person_bases.load_distribution(person_bases.mentor_loads(db)),
        lambda db: person_bases.cross_check_totals(db, level=Level.TOTAL),
    ],
    ids=[
        "summary",
        "forms",
        "loads",
        "cross-check",
        "cross-check-totals",
        "load-distribution",
        "total",
    ],
)
def test_no_name_reaches_a_register_summary(loaded, summary):
    assert names_in(frame_text(summary(loaded))) == []


def test_no_name_reaches_the_quality_findings(loaded):
    found = quality.findings(loaded)

    assert {"form_vs_register", "mentor_not_in_register"} <= set(found["rule"])
    assert names_in(frame_text(found)) == []


def test_no_name_reaches_the_quality_csv_of_the_command_line(tmp_path):
    path = tmp_path / "m.duckdb"
    with Database(path) as db:
        load_registers(db)
    out = io.StringIO()

    assert main(["--db", str(path), "quality", "--format", "csv"], out=out) == 0
    assert "mentor_not_in_register" in out.getvalue()
    assert names_in(out.getvalue()) == []


def test_no_name_reaches_the_exported_tables_of_the_registers(loaded):
    tables = [
        person_bases_view.summary_table(person_bases.person_base_summary(loaded)),
        person_bases_view.discrepancy_table(person_bases.cross_check(loaded)),
        person_bases_view.totals_table(person_bases.cross_check_totals(loaded)),
        person_bases_view.quality_table(quality.findings(loaded)),
    ]

    for table in tables:
        assert names_in(table_csv(table).decode("utf-8-sig")) == []
        workbook = load_workbook(io.BytesIO(table_xlsx(table, "Базы", ["Фильтры: все"])))
        cells = " ".join(
            str(c) for row in workbook.active.iter_rows(values_only=True) for c in row if c
        )
        assert names_in(cells) == []


def test_the_people_of_a_school_are_listed_with_their_names_only_by_people(loaded):
    mentors, mentees = person_bases.people(loaded, org_id(loaded, SCHOOL_1), "2022/2023")

    assert mentors["full_name"].tolist() == [str(row[0]) for row in MENTORS_1]
    assert mentees["full_name"].tolist() == [str(row[0]) for row in MENTEES_1]
    assert mentors["mentees"].tolist() == [1, 4, 1, 0]
    assert mentees["mentor_found"].tolist() == [True] * 6 + [False, False]


def test_names_are_stored_only_in_the_registers_and_the_warnings_of_their_uploads(loaded):
    texts = stored_text(loaded)

    holding = sorted(table for table, text in texts.items() if names_in(text))
    assert holding == ["mentees", "mentors", "uploads"]
    assert names_in(texts["uploads"]) == ["Неизвестный Н. Н."]


# --- deleting a register -----------------------------------------------------------


def test_deleting_a_schools_register_counts_the_people_removed(loaded):
    deleted = person_bases.delete_person_bases(loaded, org_id(loaded, SCHOOL_1))

    assert (deleted.mentors, deleted.mentees) == (4, 8)


def test_deleting_a_schools_register_removes_its_names_from_every_table(loaded):
    person_bases.delete_person_bases(loaded, org_id(loaded, SCHOOL_1))

    texts = " ".join(stored_text(loaded).values())
    assert names_in(texts, SCHOOL_1_NAMES) == []
    assert names_in(texts, SCHOOL_2_NAMES) == list(SCHOOL_2_NAMES)


def test_deleting_a_register_removes_the_replaced_registers_of_its_history(loaded):
    content = register_csv(MENTOR_HEADER, MENTORS_1[:2])
    ingest_bytes(loaded, "наставники_2.csv", content, FormKind.MENTORS, DEFAULTS)
    assert loaded.scalar("SELECT count(*) FROM mentors_history") == 4

    person_bases.delete_person_bases(loaded, org_id(loaded, SCHOOL_1))

    assert loaded.scalar("SELECT count(*) FROM mentors_history") == 0
    assert names_in(" ".join(stored_text(loaded).values()), SCHOOL_1_NAMES) == []


def test_deleting_a_register_removes_the_archived_files_that_hold_the_names(loaded):
    before = sorted(p.name for p in loaded.uploads_dir.iterdir())
    assert len(before) == 3

    deleted = person_bases.delete_person_bases(loaded, org_id(loaded, SCHOOL_1))

    after = sorted(p.name for p in loaded.uploads_dir.iterdir())
    assert len(deleted.files) == 2
    assert after == sorted(set(before) - set(deleted.files))
    forms = loaded.scalar("SELECT sha256 FROM uploads WHERE kind = 'org-form'")
    assert after == [f"{forms}.csv"]


def test_the_uploads_table_records_which_uploads_were_purged(loaded):
    person_bases.delete_person_bases(loaded, org_id(loaded, SCHOOL_1))

    purged = loaded.query(
        "SELECT file_name, purged_at IS NOT NULL AS purged, warnings FROM uploads "
        "ORDER BY upload_id"
    )
    assert purged[["file_name", "purged"]].values.tolist() == [
        ["формы.csv", False],
        ["наставники.csv", True],
        ["наставляемые.csv", True],
    ]
    assert purged["warnings"].iloc[1:].tolist() == ["[]", "[]"]


def test_other_schools_of_a_purged_upload_keep_their_registers(loaded):
    person_bases.delete_person_bases(loaded, org_id(loaded, SCHOOL_1))

    summary = person_bases.person_base_summary(loaded)
    assert summary[["organization", "mentors"]].values.tolist() == [["МБОУ «СОШ № 2»", 7]]


def test_deleting_one_periods_register_keeps_the_other_periods(loaded):
    later = replace(DEFAULTS, period="2023/2024")
    content = register_csv(MENTEE_HEADER, MENTEES_1[:2])
    ingest_bytes(loaded, "наставляемые_2024.csv", content, FormKind.MENTEES, later)

    person_bases.delete_person_bases(loaded, org_id(loaded, SCHOOL_1), "2022/2023")

    left = loaded.query("SELECT period, count(*) AS n FROM mentees GROUP BY 1")
    assert left.values.tolist() == [["2023/2024", 2]]
    assert loaded.scalar("SELECT count(*) FROM mentors WHERE org_id = 1") == 0


def test_after_deleting_the_registers_the_databases_indicator_follows_the_form_again(loaded):
    school = org_id(loaded, SCHOOL_1)
    person_bases.delete_person_bases(loaded, school)

    frame = compute(
        loaded, Scope(levels=(Level.ORGANIZATION,), indicators=("databases",), org_id=school)
    )
    assert frame[["numerator", "denominator", "value"]].values.tolist() == [[0.0, 1.0, 0.0]]


def test_deleting_a_register_the_school_never_uploaded_removes_nothing(loaded):
    school_2 = org_id(loaded, "МБОУ «СОШ № 2»")
    person_bases.delete_person_bases(loaded, school_2)

    deleted = person_bases.delete_person_bases(loaded, school_2)

    assert (deleted.mentors, deleted.mentees, deleted.files) == (0, 0, ())
