"""The consistency oracle: for scopes drawn at random from the demo database, every
output (:data:`~tests.consistency.readers.READERS`) shows the same figures — value,
status, «N из M», the order of the deficits — as pandas works out from the stored forms
(:mod:`tests.consistency.figures`), and states the scope it shows.

The draws are fixed (``derandomize``) so CI sees the same scopes every run; set
``CONSISTENCY_EXAMPLES`` for more of them.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from analytics.compute.targets import set_target
from analytics.model.legend import Status
from analytics.model.levels import Level
from analytics.store.db import Database
from analytics.store.scope import Scope
from tests.consistency.figures import Tables, expected
from tests.consistency.readers import READERS, Demo, Reader

EXAMPLES = int(os.environ.get("CONSISTENCY_EXAMPLES", "4"))
TOWNS = ("г. Глазов", "г. Сарапул")


@pytest.fixture(scope="module")
def demo(demo_template: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Demo]:
    demo = Demo(demo_template, tmp_path_factory.mktemp("consistency"))
    yield demo
    demo.close()


@st.composite
def scopes(draw: st.DrawFn, tables: Tables) -> Scope:
    """A scope as the sidebar builds one: a period; every territory, a region, a
    municipality (with its region) or a district (with both); maybe a type of
    organisation and, within what is chosen, maybe one organisation."""
    places = tables.places
    period = draw(st.sampled_from(sorted(set(tables.forms["period"]))))
    depth = draw(st.sampled_from(["total", "region", "municipality", "district"]))
    chosen: dict[str, int] = {}
    if depth != "total":
        key = f"{depth}_id"
        ids = sorted(int(i) for i in places[key].dropna().unique())
        territory = draw(st.sampled_from(ids))
        row = places[places[key] == territory].iloc[0]
        for level in ("region", "municipality", "district")[
            : ("region", "municipality", "district").index(depth) + 1
        ]:
            chosen[f"{level}_id"] = int(row[f"{level}_id"])
    places = places[(places[list(chosen)] == list(chosen.values())).all(axis=1)]
    org_type = draw(st.none() | st.sampled_from(sorted(set(places["org_type"]))))
    if org_type is not None:
        places = places[places["org_type"] == org_type]
    org_id = draw(st.none() | st.sampled_from(sorted(int(i) for i in places["org_id"])))
    return Scope(periods=(period,), org_type=org_type, org_id=org_id, **chosen)


def assert_consistent(reader: Reader, demo: Demo, scope: Scope) -> None:
    """The output of ``reader`` for ``scope`` shows the figures worked out apart."""
    seen = reader.read(demo, scope)
    refusal = reader.refuses(scope)
    assert seen.refusal == refusal
    if refusal is not None:
        return
    covered = reader.covers(scope)
    truth = expected(demo.tables, covered)
    assert seen.stated == reader.says(demo.tables, covered)
    spoken = reader.indicators
    ranked = tuple(i for i in truth.deficits if i in spoken)[: reader.top]
    required = spoken if reader.required is None else reader.required
    if reader.deficit_values:
        required |= set(ranked)
    shown = (set(seen.values) | required) & (set(truth.values) | set(seen.values))
    assert seen.values == {i: truth.values.get(i) for i in shown}
    assert seen.statuses == {i: truth.statuses.get(i) for i in seen.statuses}
    assert seen.counts == {i: truth.counts.get(i) for i in seen.counts}
    if seen.deficits is not None:
        assert seen.deficits == ranked


@pytest.mark.parametrize("output", list(READERS))
def test_every_output_shows_the_figures_of_the_scope_it_states(output: str, demo: Demo):
    reader = READERS[output]

    @settings(
        max_examples=EXAMPLES,
        derandomize=True,
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow],
        database=None,
        # A failing scope is reported as drawn: shrinking it would run the outputs
        # hundreds of times more.
        phases=(Phase.explicit, Phase.generate),
    )
    @given(scope=scopes(demo.tables))
    def check(scope: Scope) -> None:
        assert_consistent(reader, demo, scope)

    check()


def test_the_oracle_tells_an_output_that_shows_the_figures_of_another_scope(demo: Demo):
    """The check can fail: a note titled for one town that holds another's figures."""
    places = demo.tables.places
    glazov, sarapul = (
        Scope(
            periods=("2023/2024",),
            region_id=int(row["region_id"]),
            municipality_id=int(row["municipality_id"]),
        )
        for row in (places[places["municipality"] == town].iloc[0] for town in TOWNS)
    )
    note = READERS["note"]
    title = note.read(demo, glazov).stated
    wrong = replace(note, read=lambda demo, scope: replace(note.read(demo, sarapul), stated=title))

    assert_consistent(note, demo, glazov)
    with pytest.raises(AssertionError, match=r"Differing items"):
        assert_consistent(wrong, demo, glazov)


@pytest.fixture(scope="module")
def targeted(demo_template: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Demo]:
    """The demo with targets of its own: Глазов's teachers in mentoring at 15 % (below the
    default 20 %, so met there) and every territory's satisfaction at 85 % for 2023/2024."""
    directory = tmp_path_factory.mktemp("targeted")
    template = directory / "template.duckdb"
    shutil.copy(demo_template, template)
    with Database(template) as db:
        glazov = db.scalar("SELECT municipality_id FROM municipalities WHERE name = ?", [TOWNS[0]])
        set_target(db, "teachers_involved", 15.0, level=Level.MUNICIPALITY, territory_id=glazov)
        set_target(db, "satisfaction", 85.0, period="2023/2024")
    demo = Demo(template, directory)
    yield demo
    demo.close()


@pytest.mark.parametrize("output", ["cli", "note", "page_overview"])
def test_every_output_judges_by_the_targets_set_for_the_territory(output: str, targeted: Demo):
    places = targeted.tables.places
    row = places[places["municipality"] == TOWNS[0]].iloc[0]
    scope = Scope(
        periods=("2023/2024",),
        region_id=int(row["region_id"]),
        municipality_id=int(row["municipality_id"]),
    )
    truth = expected(targeted.tables, scope)

    assert (truth.statuses["teachers_involved"], truth.statuses["satisfaction"]) == (
        Status.GREEN,
        Status.YELLOW,
    )
    assert_consistent(READERS[output], targeted, scope)
