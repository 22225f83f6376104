"""One meaning per word across screens and documents: «наибольшие дефициты», «N из M»
deficits and «организаций в мониторинге» are each defined once in the engine, and the
«Обзор» and «Дефициты» screens agree with it and with each other."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from analytics.compute import lookups
from analytics.compute.indicators import deficit_tally, deficits
from analytics.compute.status import DEFICIT_CODES, assess
from analytics.documents.images import EXPORT_MARGIN, with_margins
from analytics.ingest.load import Decisions, ingest_bytes
from analytics.ingest.parse import Defaults
from analytics.operations.access import LOCAL_PRINCIPAL, View
from analytics.store.scope import Scope
from tests.apptest import open_page
from tests.filemakers import csv_bytes, org, table
from tests.townfiles import PERIOD, REGION, TOWN, load_town


def row(indicator: str, gap: float, target: float, ord_: int, level: str = "total") -> dict:
    return {
        "indicator": indicator,
        "level": level,
        "value": target - gap,
        "target": target,
        "gap": gap,
        "deficit": gap > 0,
        "ord": ord_,
    }


def assessed(db, rows: list[dict]) -> pd.DataFrame:
    """``rows`` (higher is better) with the deficit, gap and shortfall the engine's SQL
    gives them (:func:`analytics.compute.status.assess`)."""
    frame = pd.DataFrame(rows)
    codes, frame["gap"], frame["shortfall"] = assess(
        db, frame["value"].to_numpy(), frame["target"].to_numpy(), [True] * len(frame)
    )
    frame["deficit"] = [code in DEFICIT_CODES for code in codes]
    return frame


def test_deficits_are_ranked_by_their_gap_as_a_share_of_the_target(fresh_db):
    frame = assessed(
        fresh_db,
        [
            row("satisfaction", 10.0, 80.0, 14),  # 12,5 % of the target
            row("mentor_load", 1.0, 3.0, 11),  # 33 %
            row("students_mentored", 30.0, 70.0, 13),  # 43 %
            row("databases", 46.0, 100.0, 6),  # 46 %
            row("regulation", 0.0, 100.0, 1),
        ],
    )
    assert deficits(frame)["indicator"].tolist() == [
        "databases",
        "students_mentored",
        "mentor_load",
        "satisfaction",
    ]


def test_equal_shares_keep_the_catalogue_order(fresh_db):
    frame = assessed(fresh_db, [row("program", 20.0, 100.0, 4), row("curator", 20.0, 100.0, 3)])
    assert deficits(frame)["indicator"].tolist() == ["curator", "program"]


def test_an_organisation_counts_its_deficits_without_its_own_reporting_rate():
    rows = [row(f"i{k}", 10.0 if k < 3 else 0.0, 100.0, k, "organization") for k in range(14)]
    rows.append(row("reporting", 0.0, 100.0, 0, "organization"))
    assert deficit_tally(pd.DataFrame(rows)) == (3, 14)
    territory = [{**r, "level": "total"} for r in rows]
    assert deficit_tally(pd.DataFrame(territory)) == (3, 15)


def test_organisations_in_the_monitoring_are_the_registry_and_those_that_sent_a_form(fresh_db):
    municipality = load_town(fresh_db)  # 90 in the registry, 87 of them sent a form
    outside = table([org("МБОУ «Лицей № 1»")])
    ingest_bytes(
        fresh_db,
        "лицей.csv",
        csv_bytes(outside),
        defaults=Defaults(region=REGION, municipality=TOWN, period=PERIOD),
        decisions=Decisions(new_orgs=True),
    )
    view = View(fresh_db, LOCAL_PRINCIPAL)
    scope = Scope(periods=(PERIOD,), municipality_id=municipality)
    assert view.organizations_in_monitoring(scope) == 91
    assert view.organizations_in_monitoring(Scope(periods=(PERIOD,), org_type="additional")) == 0


def metric(at, label: str) -> str:
    return next(m.value for m in at.metric if m.label == label)


def test_overview_and_deficits_count_the_same_organisations_in_the_monitoring(copy):
    period = lookups.periods(copy)[-1]
    expected = len(lookups.monitored_organizations(copy, period))

    overview = open_page("dashboard.py", {"period": period})
    shortfalls = open_page("pages/deficits.py", {"period": period})

    assert metric(overview, "Организаций в мониторинге") == f"{expected}"
    assert metric(shortfalls, "Организаций в мониторинге") == f"{expected}"


def test_the_overview_lists_the_largest_deficits_in_the_engines_order(copy):
    period = lookups.periods(copy)[-1]
    view = View(copy, LOCAL_PRINCIPAL)
    frame = view.indicators(Scope(periods=(period,), levels=("total",)))
    expected = deficits(frame)["name"].head(5).tolist()

    at = open_page("dashboard.py", {"period": period})

    shown = [m.value for m in at.markdown if m.value[:1].isdigit() and "**" in m.value]
    assert [text.split("**")[1] for text in shown] == expected
    found, counted = deficit_tally(frame)
    assert metric(at, "Показателей с дефицитом") == f"{found} из {counted}"


def test_an_exported_image_gets_a_margin_on_every_side():
    fig = go.Figure(go.Bar(x=[1], y=["a"]))
    fig.update_layout(margin={"l": 10, "r": 20, "t": 90, "b": 0})
    margin = with_margins(fig).layout.margin
    assert (margin.l, margin.r, margin.t, margin.b) == (EXPORT_MARGIN, EXPORT_MARGIN, 90, 40)
    assert fig.layout.margin.l == 10
