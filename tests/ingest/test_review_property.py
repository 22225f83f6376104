"""For random district files and random choices, the preview's verdict and the load's outcome
agree: the load fails with the errors the preview found, stops for a decision exactly when
the preview says rows await one (and only on rows the preview asked about), and otherwise
creates exactly the organisations the preview listed."""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from analytics.ingest.identity import NEW_ORGANISATION
from analytics.ingest.load import Decisions, ingest_bytes, preview
from analytics.ingest.problems import IngestError, ReviewNeeded
from analytics.model.contract import FormKind
from analytics.store.db import Database
from tests import cityfiles as city
from tests.filemakers import FORM_COLUMNS, org, table, xlsx_bytes

SHEET = "Форма"
# Names a district's file may hold: the registry's organisations written short, the
# doubtful official short names, and organisations the registry does not have.
NAMES: tuple[str, ...] = (
    city.CTT_SHORT,
    city.DT_SHORT,
    "ГБУ ДО ДДТ «Фонтанка» Адмиралтейского района Санкт-Петербурга",
    "ГБУ ДО Дом творчества Адмиралтейского района",
    *(city.school_name("Адмиралтейский", n, full=False) for n in city.FILE_SCHOOLS),
    "ГБОУ СОШ № 999 Адмиралтейского района Санкт-Петербурга",
    "ГБОУ Лицей «Эврика» Адмиралтейского района Санкт-Петербурга",
)
CHOICE = st.one_of(st.none(), st.just(NEW_ORGANISATION), st.integers(1, 12))


@pytest.fixture(scope="module")
def registry_template(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    path = tmp_path_factory.mktemp("city") / "monitoring.duckdb"
    with Database(path) as db:
        ingest_bytes(db, "реестр.csv", city.registry_csv(), FormKind.REGISTRY)
    yield path


def district_file(names: list[str], partial: list[bool]) -> bytes:
    rows = [
        org(
            name,
            region=city.REGION,
            municipality=city.DISTRICT,
            period=city.PERIOD,
            org_type="УДО" if "ГБУ ДО" in name else "СОШ",
            **({"satisfaction_pct": None, "groups": None} if short else {}),
        )
        for name, short in zip(names, partial, strict=True)
    ]
    columns = ("region", "municipality", "period", *FORM_COLUMNS)
    return xlsx_bytes({SHEET: table(rows, columns=columns)})


def outcome(db: Database, content: bytes, decisions: Decisions):
    """What the load did: ("error", problems), ("review", rows asked), or ("loaded", the
    names of the organisations it created)."""
    before = set(db.query("SELECT org_id FROM organizations")["org_id"])
    try:
        ingest_bytes(db, "район.xlsx", content, decisions=decisions)
    except ReviewNeeded as stopped:
        return "review", sorted(u.row for u in stopped.unplaced)
    except IngestError as error:
        return "error", [p.message for p in error.problems]
    created = db.query("SELECT org_id, name FROM organizations ORDER BY org_id")
    return "loaded", [n for o, n in created.itertuples(index=False) if o not in before]


@settings(
    max_examples=25,
    derandomize=True,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(
    picked=st.lists(st.sampled_from(NAMES), min_size=1, max_size=6, unique=True),
    earlier=st.lists(st.sampled_from(NAMES), max_size=3, unique=True),
    data=st.data(),
)
def test_the_previews_verdict_and_the_loads_outcome_agree(
    registry_template: Path, picked, earlier, data
):
    with tempfile.TemporaryDirectory() as directory:
        path = Path(directory) / "monitoring.duckdb"
        shutil.copy(registry_template, path)
        with Database(path) as db:
            if earlier:
                # An earlier upload of complete forms: the random file may replace some
                # with fewer answers, or name a school it created.
                first = district_file(earlier, [False] * len(earlier))
                ingest_bytes(db, "раньше.xlsx", first, decisions=Decisions(new_orgs=True))
            partial = data.draw(st.lists(st.booleans(), min_size=len(picked), max_size=len(picked)))
            content = district_file(picked, partial)
            district_orgs = db.query(
                "SELECT org_id FROM organizations o JOIN municipalities m USING "
                "(municipality_id) WHERE m.name = ? ORDER BY org_id",
                [city.DISTRICT],
            )["org_id"].tolist()
            choices = {}
            for n in range(len(picked)):
                choice = data.draw(CHOICE)
                if isinstance(choice, int):
                    choice = int(district_orgs[choice % len(district_orgs)])
                if choice is not None:
                    choices[(SHEET, n + 2)] = choice
            decisions = Decisions(
                choices,
                new_orgs=data.draw(st.booleans()),
                replace_partial=data.draw(st.booleans()),
            )
            try:
                seen = preview(db, "район.xlsx", content, decisions=decisions)
            except IngestError as error:
                assert outcome(db, content, decisions) == (
                    "error",
                    [p.message for p in error.problems],
                )
                return
            done = outcome(db, content, decisions)
            if seen.awaiting(decisions):
                assert done[0] == "review"
                assert done[1] == sorted(u.row for u in seen.unplaced)
            else:
                assert done == ("loaded", [c.name for c in seen.created])
