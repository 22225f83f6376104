"""Every command about a territory takes the sidebar's scope: period, region,
municipality, district, org type and organisation, the same options in each; a district
and an organisation narrow what a command prints, checked against pandas over the demo's
own files."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from analytics.cli.main import build_parser
from analytics.cli.options import TERRITORY, scope
from analytics.store.db import Database
from analytics.store.scope import Scope
from tests.cli.test_commands import REQUIRED, everything
from tests.commandline import run
from tests.documents.test_document_scope import DISTRICT, PERIOD, TOWN, _expected

# A round asks every organisation of its territory: it has no type or organisation.
ROUND_TERRITORY = ("region", "municipality", "district")


def test_every_command_about_a_territory_takes_the_whole_territory_of_the_sidebar():
    taking = {
        typed: command.scope_fields
        for typed, command in everything()
        if "municipality" in command.scope_fields
    }

    assert taking == {
        typed: frozenset(
            ROUND_TERRITORY
            if typed == "rounds open"
            else (("period",) if typed != "templates" else ())
            + (("level",) if typed in ("indicators", "deficits") else ())
            + TERRITORY
        )
        for typed in REQUIRED
    }


@pytest.mark.parametrize("typed", [t for t in REQUIRED if t != "rounds open"])
def test_a_district_and_an_organisation_give_the_same_scope_in_each_command(
    demo_db_path: Path, typed: str
):
    with Database(demo_db_path) as db:
        district, municipality = db.query(
            "SELECT d.district_id, m.municipality_id FROM districts d "
            "JOIN municipalities m USING (municipality_id) WHERE d.name = ? AND m.name = ?",
            [DISTRICT, TOWN],
        ).iloc[0]
        org, inn = db.query(
            "SELECT org_id, inn FROM organizations WHERE district_id = ? ORDER BY org_id LIMIT 1",
            [int(district)],
        ).iloc[0]
        period = ["--period", PERIOD] if typed != "templates" else []
        options = ["--municipality", TOWN, "--district", DISTRICT.upper(), "--org", inn]
        args = build_parser().parse_args([*typed.split(), *period, *options, *REQUIRED[typed]])

        chosen = scope(db, args)

    assert chosen == Scope(
        periods=(PERIOD,) if period else None,
        municipality_id=int(municipality),
        district_id=int(district),
        org_id=int(org),
    )


def test_an_unknown_district_or_organisation_is_bad_usage_in_russian(demo_db_path, capsys):
    db = ["--db", str(demo_db_path)]

    elsewhere = run(
        capsys, *db, "indicators", "--municipality", "г. Глазов", "--district", DISTRICT
    )
    unknown = run(capsys, *db, "indicators", "--org", "0000000000")

    assert elsewhere == (
        2,
        "",
        f"Ошибка: район «{DISTRICT}» не найден в выбранной территории в данных\n",
    )
    assert unknown == (
        2,
        "",
        "Ошибка: организация с ИНН или кодом «0000000000» не найдена в данных\n",
    )


def test_indicators_of_a_district_and_a_type_count_only_its_schools(
    demo_db_path: Path, demo_template: Path, capsys
):
    expected = _expected(demo_template.parent / "demo", DISTRICT)
    involved, teachers = expected["involved"]

    code, out, _ = run(
        capsys,
        *("--db", str(demo_db_path), "indicators", "--period", PERIOD, "--level", "total"),
        *("--municipality", TOWN, "--district", DISTRICT, "--org-type", "school"),
    )

    rows = {row["indicator"]: row for row in json.loads(out)}
    assert code == 0
    assert (rows["reporting"]["numerator"], rows["reporting"]["denominator"]) == (
        expected["reported"],
        expected["registry"],
    )
    assert (rows["teachers_involved"]["numerator"], rows["teachers_involved"]["denominator"]) == (
        involved,
        teachers,
    )
