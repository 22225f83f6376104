"""The analytic note as an official signs it: tables that fit their words, the sign-off
set on «Настройки», the meeting whose protocol took it into consideration, an optional
per-organisation appendix, and each indicator of a mixed note given by type."""

from __future__ import annotations

import io
import re
import zipfile
from datetime import date

import pytest
from docx import Document

from analytics.documents import docx_writer, images
from analytics.documents.note import build_report
from analytics.ingest.load import Decisions, ingest_bytes
from analytics.ingest.parse import Defaults
from analytics.meetings.meetings import Sitting, create_meeting
from analytics.model.catalogue import INDICATORS, INDICATORS_BY_ID
from analytics.store.db import Database
from analytics.store.scope import Scope
from analytics.store.signoff import SignOff, set_signoff
from tests.filemakers import csv_bytes, org, table
from tests.townfiles import NOW, PERIOD, PREVIOUS, REGION, TOWN, docx_paragraphs, load_town

ALTERNATIVA = SignOff(
    organization="МАУ ИМЦ «Альтернатива»",
    position="Директор",
    signatory="С. М. Давыдова",
    executor="Кардакова Е. А.",
    contacts="8(3412)57-31-56",
)


@pytest.fixture
def town(fresh_db: Database, no_images) -> tuple[Database, int]:
    return fresh_db, load_town(fresh_db)


@pytest.fixture
def no_images(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(images, "images_available", lambda: False)


def note(db: Database, municipality: int, org_type: str | None = None, **options) -> bytes:
    scope = Scope(periods=(PERIOD,), municipality_id=municipality, org_type=org_type)
    return build_report(db, scope, now=NOW, **options)


def document_xml(content: bytes) -> str:
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        return archive.read("word/document.xml").decode("utf-8")


def header_words_twips(header: str, size: int = 12) -> int:
    """A lower bound on the width a header's longest word takes: half an em a letter at
    ``size`` points, plus the default cell margins of 108 twips each side."""
    longest = max(len(w) for w in re.split(r"[\s/–-]+", header) if w)
    return round(longest * 0.5 * size * 20) + 2 * 108


def test_every_table_keeps_its_widths_and_no_column_is_narrower_than_its_header_words(town):
    db, municipality = town
    xml = document_xml(note(db, municipality, appendix=True))
    tables = re.findall(r"<w:tbl>.*?</w:tbl>", xml, flags=re.S)
    assert len(tables) == 7
    for tbl in tables:
        assert re.findall(r'<w:tblLayout w:type="(\w+)"/>', tbl) == ["fixed"]
        assert tbl.count("<w:suppressAutoHyphens/>") == tbl.count("<w:tc>")
        columns = [int(w) for w in re.findall(r'<w:gridCol w:w="(\d+)"/>', tbl)]
        header_row = re.search(r"<w:tr>.*?</w:tr>", tbl, flags=re.S).group(0)
        headers = re.findall(r"<w:t[^>]*>([^<]*)</w:t>", header_row)
        assert len(headers) == len(columns)
        for width, header in zip(columns, headers, strict=True):
            assert width >= header_words_twips(header), (header, width)


def test_a_number_column_is_wide_enough_for_two_digits():
    # «№» with rows up to 10: the column must hold «10» on one line.
    least = docx_writer.word_twips("10", 12)
    assert least >= 2 * 0.5 * 12 * 20 + 2 * 108
    assert docx_writer.column_twips([0.8, 7], [least, 500], 9000)[0] >= least


def test_column_widths_give_way_above_their_minimum_to_fit_the_text_width():
    assert docx_writer.column_twips([1, 1, 1], [4000, 1000, 1000], 9000) == [4000, 2500, 2500]


def test_the_sign_off_is_printed_as_in_the_seeds(town):
    db, municipality = town
    set_signoff(db, ALTERNATIVA)
    document = Document(io.BytesIO(note(db, municipality)))
    text = [p.text for p in document.paragraphs]
    signature = text.index("Директор МАУ ИМЦ «Альтернатива»\t______________\u00a0С. М. Давыдова")
    assert text[signature + 1 : signature + 4] == [
        "Исполнитель",
        "Кардакова Е. А.",
        "8(3412)57-31-56",
    ]
    assert not any(t.startswith("Исполнитель: ___") for t in text)
    # The closing paragraph and every line of the sign-off hold on to the next one, so
    # the signature never stands alone at the top of a page.
    block = document.paragraphs[signature - 2 : signature + 3]
    assert all(p.paragraph_format.keep_with_next for p in block)


BLANK = "______________"


def test_without_a_sign_off_the_note_keeps_a_line_for_the_head_and_for_the_executor(town):
    db, municipality = town
    text = docx_paragraphs(note(db, municipality))
    head = text.index(f"Руководитель\t{BLANK} {BLANK}")
    assert text[head + 1] == f"Исполнитель\t{BLANK} {BLANK}"


def test_a_sign_off_without_an_executor_fills_the_head_and_leaves_the_executor_blank(town):
    db, municipality = town
    set_signoff(db, SignOff(position="Начальник управления образования", signatory="И. И. Петрова"))
    text = docx_paragraphs(note(db, municipality))
    head = text.index(f"Начальник управления образования\t{BLANK} И. И. Петрова")
    assert text[head + 1] == f"Исполнитель\t{BLANK} {BLANK}"


def test_a_meeting_over_the_same_period_and_territory_is_named_with_its_protocol(town):
    db, municipality = town
    create_meeting(
        db, Scope(periods=(PREVIOUS,), municipality_id=municipality), Sitting(date(2024, 7, 10))
    )
    earlier = create_meeting(
        db, Scope(periods=(PERIOD,), municipality_id=municipality), Sitting(date(2024, 7, 15))
    )
    create_meeting(
        db,
        Scope(periods=(PERIOD,), municipality_id=municipality, org_type="school"),
        Sitting(date(2024, 7, 16)),
    )
    assert earlier == 2
    text = docx_paragraphs(note(db, municipality))
    assert (
        "Рассмотрено на заседании рабочей группы по вопросам реализации целевой модели "
        "наставничества педагогических работников (протокол № 2 от 15.07.2024)."
    ) in text


def test_a_note_without_a_meeting_says_nothing_of_a_protocol(town):
    db, municipality = town
    assert not any(
        p.startswith("Рассмотрено на заседании") for p in docx_paragraphs(note(db, municipality))
    )


def test_the_per_organisation_appendix_is_left_out_unless_asked(town):
    db, municipality = town
    without = docx_paragraphs(note(db, municipality))
    assert "Приложение 1" not in without
    assert "Дефициты по организациям, 2023/2024 уч. год" not in without
    with_appendix = docx_paragraphs(note(db, municipality, appendix=True))
    assert "Дефициты по организациям, 2023/2024 уч. год" in with_appendix


def test_a_note_over_every_type_gives_each_indicator_by_type(town):
    db, municipality = town
    centres = table(
        org(f"МБУ ДО «ЦДТ № {k}»", org_type="УДО", has_mentee_db="да" if k == 1 else "нет")
        for k in range(1, 5)
    )
    ingest_bytes(
        db,
        "удо.csv",
        csv_bytes(centres),
        defaults=Defaults(region=REGION, municipality=TOWN, period=PERIOD),
        decisions=Decisions(new_orgs=True),
    )
    content = note(db, municipality)
    text = docx_paragraphs(content)
    databases = next(
        p for p in text if p.startswith("Базы наставников и наставляемых сформированы")
    )
    assert databases.startswith(
        "Базы наставников и наставляемых сформированы в 48 из 91 организации (52,7 %)"
    )
    # The types are one table, not a list in every indicator's sentence.
    assert not any("По типам организаций" in p for p in text)
    captions = [p for p in text if p.startswith("Таблица ")]
    at = next(n for n, c in enumerate(captions) if "Значения показателей" in c)
    found = Document(io.BytesIO(content)).tables[at]
    rows = [[c.text.replace("\u00a0", " ") for c in row.cells] for row in found.rows]
    assert rows[0] == ["Показатель", "Значение", "Целевое значение", "ОО", "УДО"]
    line = next(r for r in rows if r[0] == INDICATORS_BY_ID["databases"].short)
    # Each value after its status's mark, beside its cell's colour.
    assert line[1:] == ["✗ 52,7 %", "100 %", "✗ 54,0 %", "✗ 25,0 %"]


def test_a_note_for_one_type_gives_no_breakdown_by_type(town):
    db, municipality = town
    text = docx_paragraphs(note(db, municipality, org_type="school"))
    assert not any("по типам организаций" in p for p in text)


def test_no_recommendation_points_to_a_resource_of_one_territory():
    for indicator in INDICATORS:
        assert not re.search(r"Ижевск|«В помощь куратору»|https?://", indicator.recommendation)


def test_column_widths_from_content_give_a_long_name_its_line_before_short_values_get_room():
    # Everything fits on one line: each column gets its line, the rest shared evenly.
    assert docx_writer.column_twips(
        [1, 1, 1], [1500, 800, 800], 9000, natural=[6000, 900, 900]
    ) == [6400, 1300, 1300]
    # A name too long for one line takes the room its values do not want.
    assert docx_writer.column_twips(
        [1, 1, 1], [1500, 800, 800], 9000, natural=[12000, 900, 900]
    ) == [7290, 855, 855]
