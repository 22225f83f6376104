"""The information and analytic note (DOCX): opened with python-docx, its sentences,
tables and figures checked against the engine's values for a hand-made municipality
where 47 of 87 schools have both databases, and for the two sample files."""

from __future__ import annotations

import io
import re
import struct
from pathlib import Path

import pytest
from docx import Document
from docx.shared import Pt

from analytics.compute import lookups
from analytics.compute.indicators import compute
from analytics.compute.lookups import find_territory
from analytics.documents import images, note, pdf, territory
from analytics.model.catalogue import GROUPS, INDICATORS, INDICATORS_BY_ID
from analytics.model.levels import Level
from analytics.model.periods import previous_period
from analytics.store.db import Database
from analytics.store.scope import Scope
from analytics.wording import formatting, narrative
from analytics.wording.formatting import NBSP, fraction, indicator_value
from tests import ranking
from tests.townfiles import (
    NOW,
    PERIOD,
    PREVIOUS,
    docx_paragraphs,
    load_town,
    numbered_school,
)


@pytest.fixture(scope="module")
def town(tmp_path_factory: pytest.TempPathFactory):
    db = Database(tmp_path_factory.mktemp("town") / "monitoring.duckdb")
    municipality = load_town(db)
    yield db, municipality
    db.close()


@pytest.fixture(scope="module")
def town_report(town) -> bytes:
    """The schools' note with its charts (where chromium is available) and the
    per-organisation appendix, built once."""
    db, municipality = town
    return note.build_report(
        db,
        Scope(periods=(PERIOD,), municipality_id=municipality, org_type="school"),
        now=NOW,
        appendix=True,
    )


@pytest.fixture
def no_images(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(images, "images_available", lambda: False)


def plain(text: str) -> str:
    return text.replace(NBSP, " ")


def tables(content: bytes) -> list[list[list[str]]]:
    return [
        [[plain(cell.text) for cell in row.cells] for row in t.rows]
        for t in Document(io.BytesIO(content)).tables
    ]


def table_after(content: bytes, caption_start: str) -> list[list[str]]:
    """The rows of the table whose caption starts with ``caption_start``."""
    captions = [p for p in docx_paragraphs(content) if p.startswith("Таблица ")]
    index = next(n for n, c in enumerate(captions) if caption_start in c)
    return tables(content)[index]


def engine_rows(db: Database, municipality: int, period: str, org_type: str | None = None):
    frame = compute(
        db,
        Scope(
            periods=(period,),
            levels=(Level.TOTAL,),
            municipality_id=municipality,
            org_type=org_type,
        ),
    )
    return {r["indicator"]: r for _, r in frame.iterrows()}


def png_parts(content: bytes) -> list[bytes]:
    package = Document(io.BytesIO(content)).part.package
    return [p.blob for p in package.iter_parts() if p.content_type == "image/png"]


def test_the_note_opens_with_the_title_block_territory_period_and_date(town_report):
    text = docx_paragraphs(town_report)
    assert text[:7] == [
        "Информационно-аналитическая справка",
        "по итогам мониторинга реализации целевой модели наставничества педагогических работников",
        "2023/2024 уч. год · г. Тестовск · общеобразовательная ОО",
        "Территория: г. Тестовск (Тестовская область)",
        "Период мониторинга: 2023/2024 уч. год",
        "Организации: общеобразовательные организации",
        "Дата составления: 22.11.2026",
    ]


def test_databases_read_47_of_87_schools_54_0_percent_46_0_points_below_target(town_report):
    assert (
        "Базы наставников и наставляемых сформированы в 47 из 87 общеобразовательных "
        "организаций (54,0 %), что на 46,0 п. п. ниже целевого значения. По сравнению с "
        "2022/2023 уч. годом показатель вырос на 6,2 п. п. (с 47,8 % до 54,0 %)."
    ) in docx_paragraphs(town_report)


def test_sections_are_numbered_by_indicator_group_with_sources_and_participation_first(
    town_report,
):
    document = Document(io.BytesIO(town_report))
    headings = [p.text for p in document.paragraphs if p.style.name == "Heading 1"]
    groups = [g.title for g in GROUPS if g.code != "participation"]
    assert headings[:8] == [
        "1. Основание и источники данных",
        "2. Участие в мониторинге",
        *(f"{n}. {title}" for n, title in enumerate(groups, start=3)),
        "7. Сравнение с предыдущим периодом",
        "8. Дефициты",
    ]
    assert headings[8] == "Значения показателей по организациям, 2023/2024 уч. год"


def test_sources_are_described_in_words_kinds_organisations_and_period(town, town_report):
    db, _ = town
    text = docx_paragraphs(town_report)
    assert any(p.startswith("Мониторинг проводится в соответствии с распоряжением") for p in text)
    uploaded = db.scalar("SELECT max(uploaded_at) FROM uploads WHERE kind = 'org-form'")
    assert (
        "Источники данных — формы мониторинга ОО за 2023/2024 уч. год от 87 "
        f"общеобразовательных организаций, поступившие {uploaded:%d.%m.%Y}, и реестр ОО — "
        "перечень из 90 общеобразовательных организаций, которые должны представить данные."
    ) in text
    assert not any(".csv" in p for p in text)
    assert any(p.startswith(f"{formatting.data_stamp(db.data_stamp())}. ") for p in text)


def test_participation_counts_the_registry_and_lists_who_did_not_report(town_report):
    text = docx_paragraphs(town_report)
    start = text.index("2. Участие в мониторинге")
    assert text[start + 1] == (
        "Данные представили 87 из 90 общеобразовательных организаций (96,7 %); "
        "не представили 3 общеобразовательные организации."
    )
    listed = text[text.index("Не представили данные:") + 1 :][:3]
    assert listed == ["1) МБОУ «СОШ № 88»;", "2) МБОУ «СОШ № 89»;", "3) МБОУ «СОШ № 90»."]


def test_one_table_holds_the_engines_values_fractions_targets_and_statuses(town, town_report):
    db, municipality = town
    rows = engine_rows(db, municipality, PERIOD, "school")
    found = table_after(town_report, "Значения показателей, 2023/2024 уч. год")
    assert found[0] == ["Показатель", "Значение", "Расчёт", "Целевое значение", "Статус"]
    indicators = [i for i in INDICATORS if i.id in rows]
    assert [line[0] for line in found[1:]] == [i.short for i in indicators]
    for line, indicator in zip(found[1:], indicators, strict=True):
        r = rows[indicator.id]
        assert line[1] == plain(indicator_value(indicator, r["value"]))
        assert line[2] == plain(fraction(indicator, r["numerator"], r["denominator"]))
    databases = next(line for line in found if line[0] == INDICATORS_BY_ID["databases"].short)
    assert databases[1:] == ["54,0 %", "47 из 87 ОО", "100 %", "значительно ниже цели"]
    # The sections tell the values in words and repeat no table of them.
    assert not any("Показатели раздела" in p for p in docx_paragraphs(town_report))


def test_every_indicator_gets_its_sentence(town, town_report):
    db, municipality = town
    rows = engine_rows(db, municipality, PERIOD, "school")
    text = docx_paragraphs(town_report)
    for indicator in INDICATORS:
        if indicator.id == "reporting":
            continue
        sentence = plain(narrative.indicator_sentence(rows[indicator.id], "school"))
        assert any(p.startswith(sentence) for p in text), sentence


def test_deficits_are_sorted_by_gap_each_with_its_recommendation(town, town_report):
    db, municipality = town
    expected = ranking.ranked(
        compute(
            db,
            Scope(
                periods=(PERIOD,),
                levels=(Level.TOTAL,),
                municipality_id=municipality,
                org_type="school",
            ),
        )
    )
    found = table_after(town_report, "Дефициты")
    assert [line[1] for line in found[1:]] == [
        INDICATORS_BY_ID[i].short for i in expected["indicator"]
    ]
    keys = [line[4][line[4].index("(") + 1 : -1] for line in found[1:]]
    assert keys == [ranking.key_text(k).replace("\u00a0", " ") for k in expected["key"]]
    assert found[1] == [
        "1",
        INDICATORS_BY_ID["databases"].short,
        # Its status in its mark as well as in its cell's colour.
        "✗ 54,0 %",
        "100 %",
        "46,0 п. п. (46 % от цели)",
        "4",
    ]
    text = docx_paragraphs(town_report)
    for indicator_id in expected["indicator"]:
        recommendation = INDICATORS_BY_ID[indicator_id].recommendation
        line = f"Рекомендация: {recommendation[0].lower()}{recommendation[1:]}"
        assert text.count(line) == 1, indicator_id


def test_each_deficit_is_explained_once_in_the_section_the_table_points_to(town_report):
    text = docx_paragraphs(town_report)
    section = text.index("4. Базы наставников и наставляемых")
    described = next(
        n for n, p in enumerate(text) if n > section and p.startswith("Базы наставников")
    )
    names = ", ".join(numbered_school(k) for k in range(48, 51))
    assert text[described + 1] == f"Не достигли цели: 40 из 87 — {names} и ещё 37."
    recommendation = INDICATORS_BY_ID["databases"].recommendation
    assert text[described + 2] == (f"Рекомендация: {recommendation[0].lower()}{recommendation[1:]}")
    # Stated once: no sentence per deficit after the table, no table of who missed what.
    assert not any(p.startswith("Доля ОО со сформированными базами") for p in text)
    assert not any(p.startswith("Таблица") and "Не достигнуто" in p for p in text)


def test_the_change_since_the_previous_period_is_told_once_in_the_indicators_sentence(
    town_report,
):
    text = docx_paragraphs(town_report)
    databases = next(p for p in text if p.startswith("Базы наставников и наставляемых"))
    assert "(с 47,8 % до 54,0 %)" in databases
    # No table repeats every indicator's change after the sections.
    assert not any(p.startswith("Таблица") and "Показатели за" in p for p in text)


def test_appendix_1_gives_every_indicator_for_every_reporting_school(town, town_report):
    db, municipality = town
    text = docx_paragraphs(town_report)
    assert "Приложение 1" in text
    # At most four indicators a table, so the names keep their room.
    yes_no = table_after(town_report, "наставников и наставляемых (2 из 2)")
    others = table_after(town_report, "Охват наставничеством и результаты (1 из 2)")
    assert len(yes_no) == len(others) == 1 + 87
    assert len(yes_no[0]) == 2 + 3 and len(others[0]) == 2 + 4
    header = yes_no[0]
    column = header.index("Базы наставников и наставляемых")
    by_name = {line[1]: line for line in yes_no[1:]}
    # Each answer after its status's mark: the colour is not the only sign of it.
    assert by_name["МБОУ «СОШ № 47»"][column] == "✓ да"
    assert by_name["МБОУ «СОШ № 48»"][column] == "✗ нет"
    assert [line[1] for line in yes_no[1:4]] == [
        numbered_school(1),
        numbered_school(2),
        numbered_school(3),
    ]
    orgs = compute(
        db, Scope(periods=(PERIOD,), levels=(Level.ORGANIZATION,), municipality_id=municipality)
    )
    first = orgs[
        (orgs["organization"] == numbered_school(1)) & (orgs["indicator"] == "teachers_involved")
    ]
    position = others[0].index(INDICATORS_BY_ID["teachers_involved"].short)
    mark = {"green": "✓", "yellow": "≈", "red": "✗"}[first["status"].iloc[0]]
    assert others[1][position] == mark + " " + plain(
        indicator_value(INDICATORS_BY_ID["teachers_involved"], first["value"].iloc[0])
    )


def test_the_note_is_set_in_times_new_roman_14_with_12_point_tables(town_report):
    document = Document(io.BytesIO(town_report))
    normal = document.styles["Normal"]
    assert normal.font.name == "Times New Roman"
    assert normal.font.size == Pt(14)
    assert document.styles["Текст таблицы"].font.size == Pt(12)
    assert document.styles["Heading 1"].font.name == "Times New Roman"
    assert document.sections[0].page_width < document.sections[0].page_height
    assert document.sections[-1].page_width > document.sections[-1].page_height  # appendices


def test_charts_are_embedded_as_png_3000_wide_laid_out_for_a4_where_chromium_is_available(
    town_report,
):
    if not images.images_available():
        pytest.skip("chromium is not installed")
    found = png_parts(town_report)
    assert len(found) == 4
    for png in found:
        assert png[:8] == b"\x89PNG\r\n\x1a\n"
        # A layout 1000 px wide (at least 480 high, more for many bars) at scale 3: its
        # 24 px text prints at 10 pt when the picture is 15 cm wide.
        width, height = struct.unpack(">II", png[16:24])
        assert (width, height >= 1440) == (3000, True)
    captions = [p for p in docx_paragraphs(town_report) if p.startswith("Рисунок ")]
    assert captions[0] == (
        "Рисунок 1 – Нормативное и организационное обеспечение: значения показателей "
        "в сравнении с 2022/2023 уч. годом и целевые значения"
    )


def test_a_note_built_without_chromium_says_it_has_no_figures(town, no_images):
    db, municipality = town
    content = note.build_report(db, Scope(periods=(PERIOD,), municipality_id=municipality), now=NOW)
    assert docx_paragraphs(content).count(note.WITHOUT_FIGURES) == 1


def test_without_chromium_the_note_has_no_figures_and_no_error(town, no_images):
    db, municipality = town
    content = note.build_report(db, Scope(periods=(PERIOD,), municipality_id=municipality), now=NOW)
    assert png_parts(content) == []
    assert not any(p.startswith("Рисунок ") for p in docx_paragraphs(content))
    assert (
        "Базы наставников и наставляемых сформированы в 47 из 87 организаций (54,0 %), "
        "что на 46,0 п. п. ниже целевого значения. По сравнению с 2022/2023 уч. годом "
        "показатель вырос на 6,2 п. п. (с 47,8 % до 54,0 %)."
    ) in docx_paragraphs(content)


def test_the_sample_note_for_glazov_matches_the_engine(samples_db, no_images):
    municipality = find_territory(samples_db, "municipality", "г. Глазов")
    content = note.build_report(
        samples_db, Scope(periods=("2023",), municipality_id=municipality), now=NOW
    )
    text = docx_paragraphs(content)
    assert "Территория: г. Глазов (Удмуртская Республика)" in text
    assert text[text.index("2. Участие в мониторинге") + 1] == (
        "Данные представили 30 организаций. Реестр организаций не загружен, поэтому долю "
        "организаций, представивших данные, рассчитать нельзя."
    )
    assert (
        "Среди представивших данные — 24 общеобразовательные организации, 4 дошкольные "
        "образовательные организации и 2 организации дополнительного образования."
    ) in text
    rows = engine_rows(samples_db, municipality, "2023")
    computed = sum(1 for r in rows.values() if r["value"] == r["value"])
    found = sum(1 for r in rows.values() if r["deficit"])
    assert f"Дефициты выявлены по {found} из {computed} показателей." in text
    assert (
        "Данных мониторинга за предшествующие периоды по территории нет, поэтому сравнение "
        "не проводится."
    ) in text
    values = table_after(content, "Значения показателей, 2023")
    people = next(line for line in values if line[0] == INDICATORS_BY_ID["teachers_involved"].short)
    assert people[1:3] == ["✗ 7,6 %", "20 %"]
    assert (
        "В систему наставничества включены 108 из 1 421 педагога (7,6 %), что на 12,4 п. п. "
        "ниже целевого значения." in text
    )


def test_a_note_for_all_territories_names_the_regions_and_adds_their_appendices(
    samples_db, no_images
):
    assert "Территория: Удмуртская Республика" in docx_paragraphs(
        note.build_report(samples_db, Scope(periods=("2023",)), now=NOW)
    )
    load_town(samples_db)
    content = note.build_report(samples_db, Scope(periods=(PREVIOUS,)), now=NOW, appendix=True)
    text = docx_paragraphs(content)
    assert "Территория: Тестовская область, Ханты-Мансийский автономный округ – Югра" in text
    assert "Значения показателей по муниципалитетам, 2022/2023 уч. год" in text
    assert "Значения показателей по регионам, 2022/2023 уч. год" in text
    by_region = table_after(content, "Участие в мониторинге по регионам")
    assert by_region[1] == ["Тестовская область", "90 из 90 ОО", "100,0 %", "цель достигнута"]
    assert "Не представили данные:" not in text
    appendix = table_after(content, "Нормативное и организационное обеспечение, базы")
    assert appendix[1][1] == "МБОУ «СОШ № 1» (г. Тестовск)"
    assert len(appendix) == 1 + 90 + 8


@pytest.mark.parametrize(
    ("registry", "reported", "sentence"),
    [
        (22, 21, "Данные представила 21 из 22 организаций (95,5 %); не представила 1 организация."),
        (13, 11, "Данные представили 11 из 13 организаций (84,6 %); не представили 2 организации."),
    ],
)
def test_participation_in_the_note_agrees_with_its_numbers(
    fresh_db, no_images, registry, reported, sentence
):
    municipality = load_town(fresh_db, registry, reported, with_databases=1, previous=None)
    content = note.build_report(
        fresh_db, Scope(periods=(PERIOD,), municipality_id=municipality), now=NOW
    )
    text = docx_paragraphs(content)
    assert text[text.index("2. Участие в мониторинге") + 1] == sentence
    assert (
        "Базы наставников и наставляемых сформированы в 1 из "
        f"{reported} организаци{'и' if reported % 10 == 1 and reported != 11 else 'й'}"
    ) in " ".join(text)


def test_an_unknown_period_or_territory_is_refused_in_russian(town):
    db, _ = town
    with pytest.raises(
        territory.ReportError,
        match=re.escape("Период «2030» не найден в базе. Доступные периоды: 2022/2023, 2023/2024."),
    ):
        note.build_report(db, Scope(periods=("2030",)))
    with pytest.raises(territory.ReportError, match="Муниципалитет с кодом 999 не найден"):
        note.build_report(db, Scope(periods=(PERIOD,), municipality_id=999))
    with pytest.raises(territory.ReportError, match="Тип ОО «гимназии-интернаты» не распознан"):
        note.build_report(db, Scope(periods=(PERIOD,), org_type="гимназии-интернаты"))


def test_a_period_is_accepted_in_any_usual_spelling(town, no_images):
    db, municipality = town
    content = note.build_report(
        db, Scope(periods=("2023-24",), municipality_id=municipality), now=NOW
    )
    assert "Период мониторинга: 2023/2024 уч. год" in docx_paragraphs(content)


def test_pdf_without_libreoffice_raises_a_russian_message(monkeypatch):
    monkeypatch.setenv(pdf.OFFICE_VARIABLE, "")
    assert not pdf.pdf_available()
    with pytest.raises(pdf.PdfUnavailable, match="не установлена программа"):
        pdf.report_pdf(b"PK")


def test_pdf_through_libreoffice_where_installed(town_report, tmp_path: Path):
    if not pdf.pdf_available():
        pytest.skip("LibreOffice is not installed")
    content = pdf.report_pdf(town_report)
    assert content.startswith(b"%PDF")


def test_the_previous_period_is_the_latest_earlier_one_with_data(town):
    db, municipality = town
    data = territory.collect(db, Scope(periods=(PERIOD,), municipality_id=municipality))
    assert data.previous == previous_period(PERIOD, lookups.periods(db)) == PREVIOUS
    assert (
        territory.collect(db, Scope(periods=(PREVIOUS,), municipality_id=municipality)).previous
        is None
    )


def test_a_note_over_two_periods_or_for_one_organisation_is_refused_in_russian(town):
    db, municipality = town

    with pytest.raises(territory.ReportError, match="Документ строится за один период"):
        note.build_report(db, Scope(periods=(PREVIOUS, PERIOD), municipality_id=municipality))
    with pytest.raises(territory.ReportError, match="строятся по территории: региону"):
        note.build_report(db, Scope(periods=(PERIOD,), org_id=1))
