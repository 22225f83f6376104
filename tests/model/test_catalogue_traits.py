"""Every trait of an indicator is on its catalogue entry, so adding indicator 16 means
adding one entry: the documents and the pages read the catalogue, not lists of ids."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from analytics.model.catalogue import INDICATORS, REPORTING, IndicatorKind

ROOT = Path(__file__).resolve().parents[2]


def test_an_added_catalogue_entry_shows_in_the_note_school_notes_deck_and_pages(tmp_path):
    run = subprocess.run(
        [sys.executable, "-m", "tests.sixteenth", str(tmp_path)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    assert json.loads(run.stdout.splitlines()[-1]) == {
        "note": True,
        "school note": True,
        "deck": True,
        "organisation page": True,
    }


def test_the_reporting_rate_is_the_one_indicator_of_who_reported():
    assert [i.id for i in INDICATORS if i.coverage] == [REPORTING.id] == ["reporting"]


def test_the_yes_no_indicators_are_the_documents_and_the_databases():
    assert [i.short for i in INDICATORS if i.kind is IndicatorKind.YES_NO] == [
        "Положение о наставничестве",
        "Дорожная карта",
        "Куратор назначен",
        "Программы наставничества",
        "Программы на сайте",
        "Базы наставников и наставляемых",
        "Стимулирование наставников",
    ]
