"""One-page notes per school and their ZIP: opened with zipfile and python-docx, values
checked against the engine, file names safe, readable and unique."""

from __future__ import annotations

import io
import zipfile
from datetime import datetime

import pytest
from docx import Document

from analytics.compute.indicators import compute
from analytics.documents import school_notes
from analytics.documents.territory import ReportError
from analytics.model.catalogue import INDICATORS, INDICATORS_BY_ID
from analytics.model.levels import Level
from analytics.store.db import Database
from analytics.store.scope import Scope
from analytics.wording.formatting import NBSP, indicator_value
from tests import ranking
from tests.filemakers import org_id
from tests.townfiles import PERIOD, TOWN, load_town, numbered_school

NOW = datetime(2026, 11, 22, 10, 0)
# A school's note leaves out the reporting rate (whether it reported is said apart).
NOTE_IDS = [i.id for i in INDICATORS if not i.coverage]


@pytest.fixture(scope="module")
def town(tmp_path_factory: pytest.TempPathFactory):
    db = Database(tmp_path_factory.mktemp("notes") / "monitoring.duckdb")
    municipality = load_town(db)
    yield db, municipality
    db.close()


@pytest.fixture(scope="module")
def notes_zip(town) -> bytes:
    db, municipality = town
    return school_notes.build_school_notes_zip(
        db, Scope(periods=(PERIOD,), municipality_id=municipality), now=NOW
    )


def text_of(content: bytes) -> list[str]:
    return [p.text.replace(NBSP, " ") for p in Document(io.BytesIO(content)).paragraphs]


def table_of(content: bytes) -> list[list[str]]:
    table = Document(io.BytesIO(content)).tables[0]
    return [[c.text.replace(NBSP, " ") for c in row.cells] for row in table.rows]


def test_a_school_without_a_mentee_database_gets_that_deficit_and_what_to_do(town):
    db, _ = town
    content = school_notes.build_school_note(
        db, Scope(periods=(PERIOD,), org_id=org_id(db, numbered_school(48))), now=NOW
    )
    text = text_of(content)
    assert text[0] == (
        "Справка по итогам мониторинга реализации целевой модели наставничества "
        "педагогических работников"
    )
    assert text[1] == "МБОУ «СОШ № 48»"
    assert text[2] == f"{TOWN} (Тестовская область) · 2023/2024 уч. год"
    recommendation = INDICATORS_BY_ID["databases"].recommendation
    assert any(
        p.endswith(
            "Базы наставников и наставляемых не сформированы. Что сделать: "
            f"{recommendation[0].lower()}{recommendation[1:]}"
        )
        for p in text
    )
    assert "Дефициты и рекомендации" in text


def test_the_table_sets_the_school_beside_its_municipality_and_the_target(town):
    db, municipality = town
    content = school_notes.build_school_note(
        db, Scope(periods=(PERIOD,), org_id=org_id(db, numbered_school(48))), now=NOW
    )
    rows = {line[0]: line for line in table_of(content)}
    assert table_of(content)[0] == ["Показатель", "Организация", TOWN, "Цель", "Статус"]
    assert rows["Базы наставников и наставляемых"][1:] == [
        "нет",
        "54,0 %",
        "да",
        "значительно ниже цели",
    ]
    frame = compute(
        db,
        Scope(
            periods=(PERIOD,),
            levels=(Level.TOTAL, Level.ORGANIZATION),
            municipality_id=municipality,
        ),
    )
    indicator = INDICATORS_BY_ID["teachers_involved"]
    total = frame[(frame["level"] == "total") & (frame["indicator"] == indicator.id)].iloc[0]
    own = frame[
        (frame["organization"] == numbered_school(48)) & (frame["indicator"] == indicator.id)
    ]
    own = own.iloc[0]
    expected = indicator_value(indicator, own["value"]).replace(NBSP, " ")
    line = rows[indicator.short]
    assert line[1] == f"{expected} ({int(own['numerator'])} из {int(own['denominator'])})"
    assert line[2] == indicator_value(indicator, total["value"]).replace(NBSP, " ")
    assert line[3] == "20 %"
    assert "Доля ОО, представивших данные" not in " ".join(rows)


def test_a_school_with_both_databases_has_no_such_deficit(town):
    db, _ = town
    text = text_of(
        school_notes.build_school_note(
            db, Scope(periods=(PERIOD,), org_id=org_id(db, numbered_school(1))), now=NOW
        )
    )
    assert not any("Базы наставников и наставляемых не сформированы" in p for p in text)
    assert any(p.startswith("1. ") for p in text)  # other deficits of the fixture remain


def test_a_school_that_did_not_report_is_told_to_send_its_form(town):
    db, _ = town
    content = school_notes.build_school_note(
        db, Scope(periods=(PERIOD,), org_id=org_id(db, numbered_school(88))), now=NOW
    )
    text = text_of(content)
    assert any(
        p.startswith("Организация не представила данные мониторинга за 2023/2024 уч. год.")
        for p in text
    )
    assert table_of(content)[0] == ["Показатель", TOWN, "Цель"]


def test_the_note_fits_one_page_without_breaks(town):
    db, _ = town
    document = Document(
        io.BytesIO(
            school_notes.build_school_note(
                db, Scope(periods=(PERIOD,), org_id=org_id(db, numbered_school(48))), now=NOW
            )
        )
    )
    assert len(document.sections) == 1
    assert 'w:br w:type="page"' not in document.element.xml
    assert len(document.tables) == 1
    assert len(document.paragraphs) < 25


def test_the_zip_holds_one_readable_docx_per_school_of_the_municipality(notes_zip):
    archive = zipfile.ZipFile(io.BytesIO(notes_zip))
    names = archive.namelist()
    assert len(names) == 90
    assert len(set(n.casefold() for n in names)) == 90
    assert names[:3] == ["МБОУ СОШ № 1.docx", "МБОУ СОШ № 2.docx", "МБОУ СОШ № 3.docx"]
    assert "МБОУ СОШ № 5.docx" in names
    assert archive.testzip() is None
    note = archive.read("МБОУ СОШ № 48.docx")
    assert text_of(note)[1] == "МБОУ «СОШ № 48»"
    assert text_of(archive.read("МБОУ СОШ № 90.docx"))[1] == "МБОУ «СОШ № 90»"


def test_file_names_are_sanitised():
    assert school_notes.safe_file_name("МБОУ «СОШ № 5»") == "МБОУ СОШ № 5"
    assert school_notes.safe_file_name('МБОУ "СОШ №5/1"') == "МБОУ СОШ №5-1"
    assert school_notes.safe_file_name("Лицей: ИТ*?<>|\\ ") == "Лицей- ИТ"
    assert school_notes.safe_file_name("  ..  ") == "Организация"
    assert school_notes.safe_file_name("CON") == "Организация CON"
    assert len(school_notes.safe_file_name("Школа " * 40)) <= 100


def test_repeated_names_get_the_inn_then_a_number():
    names = school_notes.unique_file_names(
        ["МБОУ «СОШ № 1»", "мбоу сош № 1", "МБОУ СОШ № 1", "Гимназия"],
        ["1833383617", "1833391537", None, None],
    )
    assert names == [
        "МБОУ СОШ № 1.docx",
        "мбоу сош № 1 (ИНН 1833391537).docx",
        "МБОУ СОШ № 1 (2).docx",
        "Гимназия.docx",
    ]


def test_notes_for_the_samples_name_the_files_after_the_schools(samples_db):
    municipality = int(
        samples_db.scalar("SELECT municipality_id FROM municipalities WHERE name = 'г. Глазов'")
    )
    content = school_notes.build_school_notes_zip(
        samples_db, Scope(periods=("2023",), municipality_id=municipality), now=NOW
    )
    names = zipfile.ZipFile(io.BytesIO(content)).namelist()
    assert len(names) == 30
    assert "МБОУ СОШ № 5.docx" in names
    assert "МБДОУ Детский сад № 25.docx" in names


def test_unknown_period_or_organisation_is_refused_in_russian(town):
    db, _ = town
    with pytest.raises(ReportError, match="не найден в базе"):
        school_notes.build_school_note(
            db, Scope(periods=("2030",), org_id=org_id(db, numbered_school(1)))
        )
    with pytest.raises(ReportError, match="Организация с кодом 999999 не найдена"):
        school_notes.build_school_note(db, Scope(periods=(PERIOD,), org_id=999999))
    with pytest.raises(ReportError, match="Муниципалитет с кодом 999 не найден"):
        school_notes.build_school_notes_zip(db, Scope(periods=(PERIOD,), municipality_id=999))


def test_a_schools_deficits_come_in_the_ranking_with_the_key_of_each_gap(town):
    db, _ = town
    school = org_id(db, numbered_school(48))
    content = school_notes.build_school_note(db, Scope(periods=(PERIOD,), org_id=school), now=NOW)
    frame = compute(db, Scope(periods=(PERIOD,), levels=(Level.ORGANIZATION,)))
    own = frame[(frame["org_id"] == school) & frame["indicator"].isin(NOTE_IDS)]
    expected = ranking.ranked(own)
    text = text_of(content)
    start = text.index("Дефициты и рекомендации") + 1
    listed = [p for p in text[start:] if p[:1].isdigit() and ". " in p[:4]]
    assert len(listed) == len(expected)
    for n, (line, (_, row)) in enumerate(zip(listed, expected.iterrows(), strict=True), start=1):
        indicator = INDICATORS_BY_ID[row["indicator"]]
        assert line.startswith(f"{n}. ")
        if not indicator.yes_no:
            word = "отставание" if indicator.better == "higher" else "превышение"
            assert f"({word} — {ranking.key_text(row['key']).replace(NBSP, ' ')})" in line
    # Not only yes/no deficits: at least one line shows its key.
    assert any("от цели)" in line for line in listed)
