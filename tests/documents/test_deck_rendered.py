"""The meeting deck as a room sees it: the PPTX rendered by LibreOffice Impress to PDF and
read back with poppler-utils — where each subtitle's last line ends against the chart or
table below it (pdftotext -bbox), and at what density each chart picture is shown
(pdfimages -list). Skipped, with the reason, where Impress, poppler-utils or chromium is
missing (``scripts/setup.sh --dev`` installs Impress)."""

from __future__ import annotations

import io
import re
import shutil
import subprocess
from pathlib import Path
from xml.etree import ElementTree

import pytest
from pptx import Presentation
from pptx.util import Pt

from analytics.documents import deck, images, pdf
from analytics.store.db import Database
from analytics.store.scope import Scope
from tests.townfiles import NOW, PERIOD, load_town

IMPRESS = Path("/usr/lib/libreoffice/share/registry/impress.xcd")

pytestmark = [
    pytest.mark.skipif(
        not pdf.pdf_available() or not IMPRESS.exists(),
        reason="LibreOffice Impress is not installed: scripts/setup.sh --dev installs it",
    ),
    pytest.mark.skipif(
        shutil.which("pdftotext") is None or shutil.which("pdfimages") is None,
        reason="poppler-utils is not installed: scripts/setup.sh installs it",
    ),
    pytest.mark.skipif(not images.images_available(), reason="chromium is not installed"),
]

EMU_PER_POINT = Pt(1)
XHTML = "{http://www.w3.org/1999/xhtml}"
# A chart picture laid out in pixels of a 1280 px wide screen and rendered at scale 3
# shows at 3 × 96 pixels per inch of the slide: its 24 px text is 24 px on the screen.
PICTURE_PPI = 3 * 96


def _render(content: bytes, folder: Path):
    """A deck as PPTX and as the PDF Impress makes of it."""
    target = folder / "deck.pdf"
    target.write_bytes(pdf.office_pdf(content, "deck.pptx", "презентацию"))
    return Presentation(io.BytesIO(content)), target


@pytest.fixture(scope="module")
def rendered(tmp_path_factory: pytest.TempPathFactory):
    """The town's deck: the organisations of a municipality, captions of two lines."""
    folder = tmp_path_factory.mktemp("deck_pdf")
    db = Database(folder / "monitoring.duckdb")
    municipality = load_town(db)
    content = deck.build_deck(db, Scope(periods=(PERIOD,), municipality_id=municipality), NOW)
    db.close()
    return _render(content, folder)


@pytest.fixture(scope="module")
def rendered_demo(demo_template: Path, tmp_path_factory: pytest.TempPathFactory):
    """The demo's deck over both its regions: filters of three lines in every footer."""
    folder = tmp_path_factory.mktemp("demo_deck_pdf")
    shutil.copy(demo_template, folder / "monitoring.duckdb")
    with Database(folder / "monitoring.duckdb") as db:
        content = deck.build_deck(db, Scope(periods=("2023/2024",)), NOW)
    return _render(content, folder)


def _words(path: Path) -> list[list[tuple[str, float]]]:
    """Each page's words in the order they are drawn, with the bottom of each (points)."""
    found = subprocess.run(
        ["pdftotext", "-bbox", str(path), "-"], capture_output=True, check=True, text=True
    ).stdout
    root = ElementTree.fromstring(re.sub(r"<!DOCTYPE[^>]*>", "", found))
    return [
        [(w.text or "", float(w.get("yMax"))) for w in page.iter(f"{XHTML}word")]
        for page in root.iter(f"{XHTML}page")
    ]


def _content_top(slide) -> float | None:
    """The top of the slide's chart or table, in points."""
    tops = [s.top for s in slide.shapes if s.shape_type == 13 or s.has_table or s.has_chart]
    return min(tops) / EMU_PER_POINT if tops else None


def test_no_subtitle_line_of_the_rendered_deck_reaches_into_the_chart_or_table_below(
    rendered,
):
    presentation, path = rendered
    pages = _words(path)
    assert len(pages) == len(presentation.slides)
    checked = []
    for n, (slide, words) in enumerate(zip(presentation.slides, pages, strict=True), start=1):
        top = _content_top(slide)
        if top is None:
            continue
        # Every chart or table slide opens with its title and its subtitle, in that order.
        title, subtitle = list(slide.shapes)[:2]
        title = title.text_frame.text.split()
        count = len(subtitle.text_frame.text.split())
        # The title is drawn first, the subtitle next: its words follow the title's.
        drawn = words[len(title) : len(title) + count]
        assert [w for w, _ in drawn] == subtitle.text_frame.text.split(), n
        assert max(bottom for _, bottom in drawn) <= top, (n, subtitle.text_frame.text)
        checked.append(n)
    # Every chart slide and every deficits slide of the town's deck.
    assert len(checked) == 9


def test_every_chart_picture_shows_at_its_layout_pixels_on_a_1280_px_screen(rendered):
    presentation, path = rendered
    listing = subprocess.run(
        ["pdfimages", "-list", str(path)], capture_output=True, check=True, text=True
    ).stdout.splitlines()[2:]
    # The charts, not the footer's rule or the tiles' shapes Impress draws as small images.
    charts = [line.split() for line in listing if line.split()[2] == "image"]
    charts = [c for c in charts if int(c[3]) > 1000 and int(c[4]) > 100]
    pictures = [s for slide in presentation.slides for s in slide.shapes if s.shape_type == 13]
    assert len(charts) == len(pictures) == 7
    for chart in charts:
        assert (round(float(chart[12])), round(float(chart[13]))) == (PICTURE_PPI, PICTURE_PPI)


def _page_height(path: Path) -> float:
    found = subprocess.run(
        ["pdftotext", "-bbox", str(path), "-"], capture_output=True, check=True, text=True
    ).stdout
    return float(re.search(r'<page width="[^"]*" height="([^"]*)"', found).group(1))


@pytest.mark.parametrize("which", ["rendered", "rendered_demo"])
def test_no_word_of_the_rendered_deck_falls_off_a_slides_bottom_edge(which, request):
    presentation, path = request.getfixturevalue(which)
    bottom = _page_height(path)
    lowest = [max(b for _, b in words) for words in _words(path)]
    assert len(lowest) == len(presentation.slides)
    assert max(lowest) <= bottom, lowest
