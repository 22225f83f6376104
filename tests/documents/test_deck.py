"""The meeting deck (PPTX, 16:9): opened with python-pptx; the title, the key figures,
the charts and the deficit table checked against the engine; the filters on every
slide."""

from __future__ import annotations

import io
import shutil
import struct
from datetime import datetime

import pytest
from pptx import Presentation
from pptx.util import Inches

from analytics.compute.indicators import compute
from analytics.compute.lookups import find_territory
from analytics.documents import deck, figures, images
from analytics.documents.territory import ReportError
from analytics.model.catalogue import GROUPS, INDICATORS_BY_ID
from analytics.model.levels import Level
from analytics.store.db import Database
from analytics.store.scope import Scope
from analytics.wording import formatting
from analytics.wording.formatting import NBSP
from tests import ranking
from tests.townfiles import PERIOD, TOWN, load_town

NOW = datetime(2026, 11, 22, 10, 0)


@pytest.fixture(scope="module")
def town(tmp_path_factory: pytest.TempPathFactory):
    db = Database(tmp_path_factory.mktemp("deck") / "monitoring.duckdb")
    municipality = load_town(db)
    yield db, municipality
    db.close()


@pytest.fixture(scope="module")
def town_deck(town) -> bytes:
    db, municipality = town
    return deck.build_deck(db, Scope(periods=(PERIOD,), municipality_id=municipality), now=NOW)


def slides(content: bytes):
    return list(Presentation(io.BytesIO(content)).slides)


def texts(slide) -> list[str]:
    found = []
    for shape in slide.shapes:
        if shape.has_text_frame and shape.text_frame.text:
            found.append(shape.text_frame.text.replace(NBSP, " "))
    return found


def filters_text(slide) -> str:
    return next(s.text_frame.text for s in slide.shapes if s.name == "Фильтры").replace(NBSP, " ")


def test_the_deck_is_16_by_9(town_deck):
    presentation = Presentation(io.BytesIO(town_deck))
    assert (presentation.slide_width, presentation.slide_height) == (
        Inches(13.333),
        Inches(7.5),
    )
    assert abs(presentation.slide_width / presentation.slide_height - 16 / 9) < 0.001


def test_every_slide_states_its_filters_in_a_footer(town, town_deck):
    db, _ = town
    found = slides(town_deck)
    assert len(found) >= 6
    for n, slide in enumerate(found, start=1):
        assert filters_text(slide) == (
            f"Фильтры: период — 2023/2024 уч. год; территория — {TOWN} (Тестовская область); "
            f"тип ОО — все типы; {formatting.data_stamp(db.data_stamp()).lower()}"
        ), n
        assert f"{n} / {len(found)}" in texts(slide)


def test_the_title_slide_names_the_scope_in_words_and_the_data_version(town, town_deck):
    db, _ = town
    title = texts(slides(town_deck)[0])
    assert title[:3] == [
        "Мониторинг реализации целевой модели наставничества педагогических работников",
        f"2023/2024 уч. год · {TOWN} · все типы ОО",
        f"{formatting.data_stamp(db.data_stamp())} · сформировано 22.11.2026",
    ]


def test_the_overview_gives_the_reporting_rate_deficits_and_key_values(town, town_deck):
    db, municipality = town
    overview = texts(slides(town_deck)[1])
    frame = compute(
        db, Scope(periods=(PERIOD,), levels=(Level.TOTAL,), municipality_id=municipality)
    )
    found = int(frame["deficit"].sum())
    computed = int(frame["value"].notna().sum())
    assert overview[:2] == ["Основные итоги", f"{TOWN} (Тестовская область), 2023/2024 уч. год"]
    assert overview[2:5] == ["Представили данные", "96,7 %", "87 из 90 организаций"]
    assert ["Дефициты", f"{found} из {computed}", "показателей ниже целевого значения"] == (
        overview[5:8]
    )
    # The largest deficit leads the tiles with the key it is ranked by.
    assert overview[8:11] == [
        "Наибольший дефицит: Базы наставников и наставляемых",
        "54,0 %",
        "цель 100 %; отставание — 46 % от цели",
    ]


def test_each_chart_png_has_three_pixels_per_screen_pixel_of_its_box_on_a_1280_slide(town_deck):
    if not images.images_available():
        pytest.skip("chromium is not installed")
    pictures = [
        shape for slide in slides(town_deck) for shape in slide.shapes if shape.shape_type == 13
    ]
    assert len(pictures) == 7
    sizes = set()
    for shape in pictures:
        # The layout is the picture's box in pixels of a 1280 px screen (96 a slide's inch),
        # rendered at scale 3: its 24 px text shows at 24 px.
        box = (
            int(shape.width / Inches(1) * 1280 / 13.333),
            int(shape.height / Inches(1) * 1280 / 13.333),
        )
        assert struct.unpack(">II", shape.image.blob[16:24]) == (box[0] * 3, box[1] * 3)
        sizes.add(box)
    # Under a caption of one line the box is 1183 × 484 px; of two lines, a line less.
    assert sizes == {(1183, 484), (1183, 456)}
    titles = [texts(slide)[0] for slide in slides(town_deck)]
    assert "Педагоги в наставничестве" in titles


def test_a_group_of_six_indicators_takes_two_chart_slides_of_three(town, monkeypatch):
    # The native charts name their bars, as the pictures (drawn from the same parts) do not.
    monkeypatch.setattr(images, "images_available", lambda: False)
    db, municipality = town
    content = deck.build_deck(db, Scope(periods=(PERIOD,), municipality_id=municipality), now=NOW)
    charts = {
        texts(slide)[0]: list(shape.chart.plots[0].categories)
        for slide in slides(content)
        for shape in slide.shapes
        if shape.has_chart
    }
    assert charts["Нормативное и организационное обеспечение (1 из 2)"] == [
        "Положение о наставничестве",
        "Дорожная карта",
        "Куратор назначен",
    ]
    assert charts["Нормативное и организационное обеспечение (2 из 2)"] == [
        "Программы наставничества",
        "Программы на сайте",
        "Стимулирование наставников",
    ]
    # No chart of a group's indicators squeezes more than four pairs of bars into the
    # 484 px box of a slide: each pair keeps the 80 px its 24 px figures fit in.
    groups = [c for title, c in charts.items() if any(title.startswith(g.title) for g in GROUPS)]
    assert [len(c) for c in groups] == [3, 3, 1, 3, 3]
    assert figures.DECK.group_rows == 4


def test_the_deficit_table_follows_the_engine_largest_gap_first(town, town_deck):
    db, municipality = town
    expected = ranking.ranked(
        compute(db, Scope(periods=(PERIOD,), levels=(Level.TOTAL,), municipality_id=municipality))
    )
    rows = []
    for slide in slides(town_deck):
        if texts(slide)[0].startswith("Дефициты"):
            table = next(s.table for s in slide.shapes if s.has_table)
            rows.extend(
                [cell.text.replace(NBSP, " ") for cell in row.cells] for row in list(table.rows)[1:]
            )
    assert [r[1] for r in rows] == list(expected["name"])
    # Each gap with the key that orders the table beside it.
    keys = [r[4][r[4].index("(") + 1 : -1] for r in rows]
    assert keys == [ranking.key_text(k).replace(NBSP, " ") for k in expected["key"]]
    assert rows[0] == [
        "1",
        INDICATORS_BY_ID["databases"].name,
        # Its status in its mark as well as in its cell's colour.
        "✗ 54,0 %",
        "100 %",
        "46,0 п. п. (46 % от цели)",
        INDICATORS_BY_ID["databases"].recommendation,
    ]


def test_no_column_of_the_deficit_slides_is_narrower_than_its_longest_word(town_deck):
    # A generous lower bound: 0,55 em a letter at 18 pt, plus the cell's 0,1 in margins.
    def needed(text: str) -> float:
        longest = max((len(word) for word in text.split()), default=0)
        return longest * 0.55 * 18 / 72 + 0.2

    tables = [
        next(s.table for s in slide.shapes if s.has_table)
        for slide in slides(town_deck)
        if texts(slide)[0].startswith("Дефициты")
    ]
    assert tables
    for table in tables:
        widths = [column.width / Inches(1) for column in table.columns]
        for row in table.rows:
            for width, cell in zip(widths, row.cells, strict=True):
                assert width >= needed(cell.text), (cell.text, width)


def test_without_chromium_the_charts_are_native_powerpoint_charts(town, monkeypatch):
    monkeypatch.setattr(images, "images_available", lambda: False)
    db, municipality = town
    content = deck.build_deck(db, Scope(periods=(PERIOD,), municipality_id=municipality), now=NOW)
    found = slides(content)
    charts = [s for slide in found for s in slide.shapes if s.has_chart]
    pictures = [s for slide in found for s in slide.shapes if s.shape_type == 13]
    assert charts
    assert pictures == []
    first = charts[0].chart
    assert list(first.plots[0].categories)[:2] == ["Положение о наставничестве", "Дорожная карта"]
    for slide in found:
        assert filters_text(slide).startswith("Фильтры: период — 2023/2024 уч. год")


def test_a_deck_for_the_samples_without_a_registry(samples_db, monkeypatch):
    monkeypatch.setattr(images, "images_available", lambda: False)
    region = find_territory(samples_db, "region", "Удмуртская Республика")
    content = deck.build_deck(samples_db, Scope(periods=("2023",), region_id=region), now=NOW)
    found = slides(content)
    overview = texts(found[1])
    assert overview[2:5] == ["Представили данные", "30", "организаций; реестр ОО не загружен"]
    for slide in found:
        assert "территория — Удмуртская Республика;" in filters_text(slide)


def test_an_unknown_period_is_refused_in_russian(town):
    db, _ = town
    with pytest.raises(ReportError, match="Период «1999» не найден в базе"):
        deck.build_deck(db, Scope(periods=("1999",)))


def test_every_text_of_the_deck_is_at_least_18_points(town, monkeypatch):
    # Native charts (no chromium) carry text of their own: check those too.
    monkeypatch.setattr(images, "images_available", lambda: False)
    db, municipality = town
    content = deck.build_deck(db, Scope(periods=(PERIOD,), municipality_id=municipality), now=NOW)
    sizes, charts = [], []
    for slide in slides(content):
        for shape in slide.shapes:
            frames = []
            if shape.has_text_frame:
                frames.append(shape.text_frame)
            if shape.has_table:
                frames.extend(cell.text_frame for row in shape.table.rows for cell in row.cells)
            if shape.has_chart:
                charts.append(shape.chart.font.size.pt)
            for frame in frames:
                sizes.extend(r.font.size.pt for p in frame.paragraphs for r in p.runs if r.text)
    assert sizes and charts
    assert min(sizes) == 18
    assert min(charts) == 18


def test_the_demo_decks_deficits_read_as_ordered_35_6_then_42_2_points_by_their_key(
    demo_template, tmp_path, monkeypatch
):
    monkeypatch.setattr(images, "images_available", lambda: False)
    path = tmp_path / "demo.duckdb"
    shutil.copy(demo_template, path)
    with Database(path) as db:
        content = deck.build_deck(db, Scope(periods=("2023/2024",)), now=NOW)
        total = compute(db, Scope(periods=("2023/2024",), levels=(Level.TOTAL,)))
    expected = ranking.ranked(total)
    rows = []
    for slide in slides(content):
        if texts(slide)[0].startswith("Дефициты"):
            table = next(s.table for s in slide.shapes if s.has_table)
            rows.extend(
                [cell.text.replace(NBSP, " ") for cell in row.cells] for row in list(table.rows)[1:]
            )
    assert [r[1] for r in rows] == list(expected["name"])
    assert [r[4] for r in rows[:3]] == [
        "35,6 п. п. (51 % от цели)",
        "42,2 п. п. (42 % от цели)",
        "40,0 п. п. (40 % от цели)",
    ]
    # «Основные итоги» leads with the same first deficit.
    overview = texts(slides(content)[1])
    assert f"Наибольший дефицит: {INDICATORS_BY_ID[expected['indicator'][0]].short}" in overview
