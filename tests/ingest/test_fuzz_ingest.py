"""Fuzzing the ingest: random bytes under every accepted name and mutated valid files
either load or are refused with clear Russian problems naming the file, never with an
unhandled exception, and a refused file changes nothing in the database."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from analytics.ingest.load import ingest_bytes, rollback
from analytics.ingest.parse import Defaults
from analytics.ingest.problems import IngestError
from analytics.ingest.readers import MB, Limits
from analytics.store.db import Database
from tests.conftest import DATA, sample_defaults
from tests.filemakers import csv_bytes, org, state, table, xlsx_bytes

DEFAULTS = Defaults(
    region="Удмуртская Республика", municipality="г. Глазов", org_type="school", period="2023"
)
# Small limits, so that a mutation which inflates a file is refused quickly.
LIMITS = Limits(max_file_bytes=2 * MB, max_inflated_bytes=8 * MB)
SUFFIXES = (".csv", ".txt", ".xlsx", ".xlsm", ".xls", ".ods", ".zip", ".pdf", "")
CYRILLIC = re.compile("[а-яё]", re.IGNORECASE)
FUZZ = settings(
    max_examples=50,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

VALID_CSV = csv_bytes(table([org("СОШ № 1"), org("СОШ № 2", teachers_total=12), org("Лицей")]))
VALID_XLSX = xlsx_bytes({"ОО": table([org("СОШ № 1"), org("СОШ № 2"), org("Лицей")])})
SAMPLE_XLSX = (DATA / "glazov_2023.xlsx").read_bytes()
SAMPLE_CSV = (DATA / "nyagan_2022-2023_cp1251.csv").read_bytes()
# Cells a hostile or careless sender may put anywhere.
NASTY_CELLS = (
    "=1+2",
    '=HYPERLINK("http://x";"жми")',
    "+7",
    "-1",
    "@SUM(A1)",
    "'; DROP TABLE form_values; --",
    "<script>alert(1)</script>",
    "**жирный**",
    "\x00",
    "\u202e",
    "9" * 400,
    "-1e308",
    "nan",
    "∞",
    "x" * 40_000,
    "",
)


@pytest.fixture(scope="module")
def database(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Database]:
    """One database for the module, with the sample loaded: every refused file must
    leave it exactly so; accepted files are rolled back by the test."""
    db = Database(tmp_path_factory.mktemp("fuzz") / "monitoring.duckdb")
    content = SAMPLE_XLSX
    ingest_bytes(db, "glazov_2023.xlsx", content, defaults=sample_defaults("glazov_2023.xlsx"))
    yield db
    db.close()


def check(db: Database, name: str, content: bytes, defaults: Defaults = DEFAULTS) -> None:
    """Ingest; a refusal must be clear and change nothing, a success is undone."""
    before = state(db)
    try:
        result = ingest_bytes(db, name, content, defaults=defaults, limits=LIMITS)
    except IngestError as error:
        assert error.problems, name
        for problem in error.problems:
            assert problem.file == name
            assert CYRILLIC.search(problem.message), problem.message
            assert str(problem).startswith(f"Файл «{name}»")
        assert state(db) == before
        return
    # The mutation left a valid file: it loaded whole. Roll it back, so that the next
    # example starts from the sample's data again.
    assert db.scalar(
        "SELECT count(*) FROM form_values WHERE upload_id = ?", [result.upload_id]
    ) == (result.rows)
    rollback(db, result.upload_id)


names = st.builds(
    lambda stem, suffix: stem + suffix,
    st.text(alphabet="абвгxyz _-№.1", min_size=1, max_size=12),
    st.sampled_from(SUFFIXES),
)


@FUZZ
@given(name=names, content=st.binary(min_size=0, max_size=4096))
def test_random_bytes_under_any_name_are_refused_clearly(database, name, content):
    before = state(database)
    with pytest.raises(IngestError) as error:
        ingest_bytes(database, name, content, defaults=DEFAULTS, limits=LIMITS)
    assert all(CYRILLIC.search(p.message) and p.file == name for p in error.value.problems)
    assert state(database) == before


def mutate(content: bytes, data: st.DataObject) -> bytes:
    """Flip, cut, insert or repeat bytes at drawn places."""
    buffer = bytearray(content)
    for _ in range(data.draw(st.integers(1, 6), label="edits")):
        if not buffer:
            break
        at = data.draw(st.integers(0, len(buffer) - 1), label="at")
        edit = data.draw(st.sampled_from(["flip", "cut", "insert", "repeat", "zero"]))
        if edit == "flip":
            buffer[at] ^= 1 << data.draw(st.integers(0, 7))
        elif edit == "cut":
            del buffer[at:]
        elif edit == "insert":
            buffer[at:at] = data.draw(st.binary(min_size=1, max_size=64))
        elif edit == "repeat":
            buffer[at:at] = buffer[at : at + 200] * data.draw(st.integers(1, 20))
        else:
            buffer[at : at + 16] = bytes(16)
    return bytes(buffer)


@FUZZ
@given(data=st.data(), source=st.sampled_from(["csv", "sample_csv"]))
def test_a_csv_with_mutated_bytes_loads_whole_or_is_refused_clearly(database, data, source):
    content = VALID_CSV if source == "csv" else SAMPLE_CSV
    defaults = DEFAULTS if source == "csv" else sample_defaults("nyagan_2022-2023_cp1251.csv")
    check(database, "форма.csv", mutate(content, data), defaults)


@FUZZ
@given(data=st.data(), source=st.sampled_from(["xlsx", "sample_xlsx"]))
def test_a_workbook_with_mutated_bytes_loads_whole_or_is_refused_clearly(database, data, source):
    content = VALID_XLSX if source == "xlsx" else SAMPLE_XLSX
    check(database, "форма.xlsx", mutate(content, data))


cells = st.one_of(
    st.sampled_from(NASTY_CELLS),
    st.text(max_size=30),
    st.integers(-(10**12), 10**12),
    st.floats(allow_nan=True, allow_infinity=True),
    st.none(),
)


def mangled_rows(data: st.DataObject) -> list[list[object]]:
    """The valid form's rows with cells replaced, rows and columns shuffled or dropped."""
    rows = [list(r) for r in table([org("СОШ № 1"), org("СОШ № 2"), org("Лицей")])]
    for _ in range(data.draw(st.integers(1, 8), label="cell edits")):
        r = data.draw(st.integers(0, len(rows) - 1))
        c = data.draw(st.integers(0, len(rows[r]) - 1))
        rows[r][c] = data.draw(cells, label="cell")
    if data.draw(st.booleans(), label="shuffle rows"):
        rows = data.draw(st.permutations(rows))
    if data.draw(st.booleans(), label="shuffle columns"):
        order = data.draw(st.permutations(range(len(rows[0]))))
        rows = [[row[i] for i in order] for row in rows]
    if data.draw(st.booleans(), label="drop a column"):
        dropped = data.draw(st.integers(0, len(rows[0]) - 1))
        rows = [row[:dropped] + row[dropped + 1 :] for row in rows]
    return rows


def xlsx_cells(rows: list[list[object]], sheet: str) -> bytes:
    """A workbook of the rows; text starting with "=" is written as a formula (openpyxl's
    default), as a sender's Excel would store it, without a cached value."""
    return xlsx_bytes({sheet: [[_xlsx_safe(v) for v in row] for row in rows]})


def _xlsx_safe(value: object) -> object:
    """openpyxl refuses control characters and over-long text; a sender's Excel would
    too, so they are left out of workbooks (CSV keeps them)."""
    if isinstance(value, str):
        value = "".join(ch for ch in value if ch >= " " or ch in "\t\n")[:32_000]
    if isinstance(value, float) and value != value:
        return None
    return value


@FUZZ
@given(data=st.data())
def test_a_csv_with_mangled_cells_loads_whole_or_is_refused_clearly(database, data):
    rows = mangled_rows(data)
    encoding = data.draw(st.sampled_from(["utf-8", "utf-8-sig", "cp1251"]), label="encoding")
    delimiter = data.draw(st.sampled_from([";", ",", "\t"]), label="delimiter")
    text_rows = [["" if v is None else str(v) for v in row] for row in rows]
    try:
        content = csv_bytes(text_rows, "utf-8", delimiter).decode("utf-8").encode(encoding)
    except UnicodeEncodeError:
        content = csv_bytes(text_rows, "utf-8", delimiter)
    check(database, "форма.csv", content)


@FUZZ
@given(
    data=st.data(),
    sheet=st.sampled_from(["ОО", "'; DROP TABLE uploads; --", "<b>лист&amp;", "Лист1"]),
)
def test_a_workbook_with_mangled_cells_loads_whole_or_is_refused_clearly(database, data, sheet):
    check(database, "форма.xlsx", xlsx_cells(mangled_rows(data), sheet))


def test_after_the_fuzzing_the_database_holds_exactly_the_sample(database):
    assert database.query("SELECT DISTINCT upload_id FROM form_values")["upload_id"].tolist() == [1]
    assert database.scalar("SELECT count(*) FROM form_values") == 30
    assert database.scalar("SELECT count(*) FROM form_history") == 0


def test_the_samples_used_for_mutation_are_valid(tmp_path):
    with Database(tmp_path / "m.duckdb") as db:
        assert ingest_bytes(db, "f.csv", VALID_CSV, defaults=DEFAULTS).rows == 3
        assert ingest_bytes(db, "f.xlsx", VALID_XLSX, defaults=DEFAULTS).rows == 3
        nyagan = Path("nyagan_2022-2023_cp1251.csv").name
        sample = ingest_bytes(db, nyagan, SAMPLE_CSV, defaults=sample_defaults(nyagan))
        assert sample.rows > 0
