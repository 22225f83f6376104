"""A document holds the figures of the scope it was asked for, and says which: the note
and the deck of one district and one type of organisation against pandas over the demo's
own files (the registry and the town's form), never the engine's code."""

from __future__ import annotations

import io
import re
from dataclasses import replace
from pathlib import Path

import pandas as pd
import pytest
from docx import Document
from pptx import Presentation

from analytics.documents.deck import build_deck
from analytics.documents.note import build_report
from analytics.store.db import Database
from analytics.store.scope import Scope

PERIOD = "2023/2024"
TOWN, DISTRICT, TYPE, TYPE_WORD = (
    "г. Ижевск",
    "Индустриальный район",
    "school",
    "общеобразовательная",
)
DESCRIBED = f"2023/2024 уч. год · {TOWN} · {DISTRICT} · общеобразовательная ОО"


def _number(cell: object) -> float | None:
    """A count as the demo's people typed it: «22 чел.», «1 234», 22."""
    if cell is None or (isinstance(cell, float) and pd.isna(cell)):
        return None
    text = re.sub(r"[\s\u00a0]|чел\.", "", str(cell))
    return float(text) if text else None


def _expected(files: Path, district: str | None) -> dict[str, object]:
    """The town's (or its district's) schools from the demo's registry, and what their
    forms of the period say, read with pandas from the files the demo loaded."""
    registry = pd.read_excel(files / "Реестр_ОО.xlsx", header=2, dtype=str, engine="openpyxl")
    ours = registry[(registry["Муниципалитет"] == TOWN) & (registry["Тип ОО"] == TYPE_WORD)]
    if district is not None:
        ours = ours[ours["Район"] == district]
    sheet = pd.read_excel(
        files / "Мониторинг_Ижевск_2023-2024.xlsx",
        sheet_name="Форма ОО",
        header=None,
        dtype=object,
        engine="openpyxl",
    )
    header = [str(c) for c in sheet.iloc[4]]
    column = {name: header.index(name) for name in header}
    forms = sheet.iloc[5:]
    forms = forms[forms[2].astype(str).isin(set(ours["ИНН"]))]
    teachers = forms[column["Педагогических\nработников"]].map(_number)
    people = forms[column["Педагогов-наставников"]].map(_number) + forms[
        column["Педагогов-наставляемых"]
    ].map(_number)
    both = teachers.notna() & people.notna()
    return {
        "registry": len(ours),
        "reported": len(forms),
        "missing": sorted(set(ours["Наименование ОО"]) - set(forms[1])),
        "involved": (int(people[both].sum()), int(teachers[both].sum())),
    }


@pytest.fixture
def expected(demo_template: Path) -> dict[str, object]:
    return _expected(demo_template.parent / "demo", DISTRICT)


@pytest.fixture
def district(copy: Database) -> Scope:
    district_id = copy.scalar(
        "SELECT district_id FROM districts d JOIN municipalities m USING (municipality_id) "
        "WHERE d.name = ? AND m.name = ?",
        [DISTRICT, TOWN],
    )
    municipality_id = copy.scalar(
        "SELECT municipality_id FROM municipalities WHERE name = ?", [TOWN]
    )
    return Scope(
        periods=(PERIOD,),
        municipality_id=int(municipality_id),
        district_id=int(district_id),
        org_type=TYPE,
    )


def test_the_note_of_a_district_and_a_type_holds_only_that_districts_schools(
    copy: Database, district: Scope, expected: dict[str, object]
):
    paragraphs = [p.text for p in Document(io.BytesIO(build_report(copy, district))).paragraphs]
    reported, registry = expected["reported"], expected["registry"]
    involved, teachers = expected["involved"]

    assert paragraphs[2] == DESCRIBED
    assert any(
        p.startswith(f"Данные представили {reported} из {registry} общеобразовательных")
        for p in paragraphs
    ), paragraphs
    missing = paragraphs[paragraphs.index("Не представили данные:") + 1 :][
        : len(expected["missing"])
    ]
    assert [re.sub(r"^\d+\) |[.;]$", "", p) for p in missing] == expected["missing"]
    assert any(
        p.startswith(f"В систему наставничества включены {involved} из {teachers} педагогов")
        for p in paragraphs
    )


def test_the_deck_of_a_district_and_a_type_holds_only_that_districts_schools(
    copy: Database, district: Scope, expected: dict[str, object]
):
    slides = Presentation(io.BytesIO(build_deck(copy, district))).slides
    texts = [
        [shape.text_frame.text for shape in slide.shapes if shape.has_text_frame]
        for slide in slides
    ]
    involved, teachers = expected["involved"]

    assert DESCRIBED in texts[0]
    overview = texts[1]
    assert f"{expected['reported']} из {expected['registry']} общеобразовательных организаций" in (
        overview
    )
    share = f"{100 * involved / teachers:.1f}".replace(".", ",") + "\u00a0%"
    assert overview[overview.index("Педагоги в наставничестве") + 1] == share


def test_the_deck_of_a_town_and_a_type_counts_only_that_types_organisations(
    copy: Database, district: Scope, demo_template: Path
):
    town = _expected(demo_template.parent / "demo", None)
    deck = build_deck(copy, replace(district, district_id=None))
    texts = [
        [shape.text_frame.text for shape in slide.shapes if shape.has_text_frame]
        for slide in Presentation(io.BytesIO(deck)).slides
    ]

    assert f"2023/2024 уч. год · {TOWN} · общеобразовательная ОО" in texts[0]
    assert f"{town['reported']} из {town['registry']} общеобразовательных организаций" in texts[1]
