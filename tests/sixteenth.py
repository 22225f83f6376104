"""Run as ``python -m tests.sixteenth DIR``: the tree with one indicator entry added to
``analytics/model/catalogue.py`` (and nothing else), over a small town in a fresh database in
DIR; prints, as JSON, where the new indicator shows. A separate process, because every
module reads the catalogue once when it is imported."""

from __future__ import annotations

import io
import json
import sys
import types
from datetime import datetime
from pathlib import Path

import analytics

CATALOGUE = Path(analytics.__file__).parent / "model" / "catalogue.py"
# The 16th indicator, written as an entry of the catalogue is written.
ENTRY = """    Indicator(
        id="mentors_share",
        name="Доля наставников среди педагогов",
        short="Наставники среди педагогов",
        group="people",
        numerator_sql="mentors",
        denominator_sql="teachers_total",
        factor=100.0,
        target=90.0,
        better=Better.HIGHER,
        unit="%",
        counted=("педагога", "педагогов"),
        description="Педагоги-наставники среди всех педагогических работников.",
        recommendation="Привлечь к наставничеству опытных педагогов.",
        kind=IndicatorKind.PEOPLE,
        phrase=Phrase("Наставниками являются", singular="Наставником является"),
    ),
"""
NAME, SHORT = "Доля наставников среди педагогов", "Наставники среди педагогов"


def add_entry() -> None:
    """Load ``analytics.model.catalogue`` from its source with :data:`ENTRY` at the end of
    ``INDICATORS``, before any other module imports it."""
    source = CATALOGUE.read_text(encoding="utf-8")
    end = source.index("\nINDICATORS_BY_ID")
    closing = source.rindex(")", 0, end)
    source = source[:closing] + ENTRY + source[closing:]
    module = types.ModuleType("analytics.model.catalogue")
    module.__file__, module.__package__ = str(CATALOGUE), "analytics.model"
    sys.modules["analytics.model.catalogue"] = module
    exec(compile(source, str(CATALOGUE), "exec"), module.__dict__)


def docx_text(content: bytes) -> str:
    from docx import Document

    document = Document(io.BytesIO(content))
    cells = (c.text for t in document.tables for r in t.rows for c in r.cells)
    return "\n".join([*(p.text for p in document.paragraphs), *cells])


def pptx_text(content: bytes) -> str:
    from pptx import Presentation

    found = []
    for slide in Presentation(io.BytesIO(content)).slides:
        for shape in slide.shapes:
            if shape.has_text_frame:
                found.append(shape.text_frame.text)
            if shape.has_table:
                found.extend(c.text for r in shape.table.rows for c in r.cells)
    return "\n".join(found)


def main(folder: Path) -> dict[str, bool]:
    add_entry()
    from analytics.compute.indicators import compute
    from analytics.documents.deck import build_deck
    from analytics.documents.note import build_report
    from analytics.documents.school_notes import build_school_note
    from analytics.store.db import Database
    from analytics.store.scope import Scope
    from pages.organization import comparison_rows
    from tests.townfiles import PERIOD, load_town

    now = datetime(2026, 11, 22, 10, 0)
    with Database(folder / "monitoring.duckdb") as db:
        town = load_town(db, registry=6, reported=5, with_databases=3, previous=None)
        frame = compute(db, Scope(periods=(PERIOD,)))
        org = frame[frame["level"] == "organization"].iloc[0]
        org_id = int(org["org_id"])
        note = docx_text(
            build_report(db, Scope(periods=(PERIOD,), municipality_id=town), now=now, appendix=True)
        )
        school = docx_text(build_school_note(db, Scope(periods=(PERIOD,), org_id=org_id), now=now))
        deck = pptx_text(build_deck(db, Scope(periods=(PERIOD,), municipality_id=town), now=now))
        profile = comparison_rows(frame, org, PERIOD)
    return {
        "note": NAME in note,
        "school note": SHORT in school,
        "deck": NAME in deck or SHORT in deck,
        "organisation page": "mentors_share" in set(profile["indicator"]),
    }


if __name__ == "__main__":
    print(json.dumps(main(Path(sys.argv[1]))))
