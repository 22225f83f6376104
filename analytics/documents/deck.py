"""A 16:9 presentation for a meeting on the monitoring results (PPTX, python-pptx).

Slides: a title slide (territory, period, when the data last changed); the key figures
(reporting rate, number of deficits, headline indicators); one slide per key chart (PNG from
:func:`analytics.documents.images.figure_image`, or a native PowerPoint bar chart where chromium is
missing); the deficits with what to do. Every slide carries its filters in a footer.
Numbers come from :func:`analytics.documents.territory.collect`, the same as the note's.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime

import pandas as pd
from pptx import Presentation
from pptx.chart.data import CategoryChartData
from pptx.dml.color import RGBColor
from pptx.enum.chart import XL_CHART_TYPE, XL_LABEL_POSITION
from pptx.enum.shapes import MSO_SHAPE
from pptx.enum.text import MSO_ANCHOR, PP_ALIGN
from pptx.slide import Slide
from pptx.util import Emu, Inches, Pt

from analytics.documents.exports import defuse
from analytics.model.catalogue import GROUPS, INDICATORS, INDICATORS_BY_ID, REPORTING, Indicator
from analytics.model.legend import STATUS_COLOURS, TARGET_CSS, Status, label_of, marked
from analytics.store.db import Database
from analytics.store.scope import Scope
from analytics.wording import narrative
from analytics.wording.formatting import (
    data_stamp,
    day,
    integer,
    part_of,
    percent,
    plural,
    shortfall,
)

from .cells import ranked_gap_text, target_text, value_text
from .docx_writer import column_twips, line_twips, word_twips
from .figures import (
    DECK,
    Medium,
    group_figure,
    group_parts,
    render_png,
    section_chart_spec,
    units_caption,
    units_figure,
)
from .territory import ReportData, collect, unit_rows

WIDTH, HEIGHT = Inches(13.333), Inches(7.5)
MARGIN = Inches(0.5)
FONT = "Arial"
DARK = RGBColor(0x22, 0x22, 0x22)
GREY = RGBColor(0x66, 0x66, 0x66)
ACCENT = RGBColor.from_string(TARGET_CSS.lstrip("#"))
HEADER_FILL = RGBColor(0xE7, 0xE6, 0xE6)
# Every text of the deck is at least this size, readable from the back of a room.
MIN_TEXT_PT = 18
EMU_PER_TWIP = 635
# A table cell's margins on a slide (0.1 in each side) exceed a DOCX cell's by this much.
SLIDE_CELL_SLACK_TWIPS = 40
# At 18 pt a deficit's row with its recommendation takes about an inch.
DEFICIT_ROWS_PER_SLIDE = 3
# The footer (filters and slide number) takes the bottom of each slide up to at least
# here, a line more for each line of the filters past two (a region's long name); the
# content stops above it.
FOOTER_TOP = Inches(0.95)
FOOTER_NUMBER_WIDTH = Inches(1.4)
# The subtitle starts here; each line of it at MIN_TEXT_PT takes SUBTITLE_LINE, and the
# content starts below its last line.
SUBTITLE_TOP = Inches(0.95)
SUBTITLE_LINE = Inches(0.3)
CONTENT_TOP = Inches(1.45)
# A slide shown on a 1280 px wide screen: CSS pixels per inch of the slide.
SCREEN_PX_PER_INCH = 1280 / 13.333


def _lines(text: str, size: int, width: int) -> int:
    """How many lines ``text`` takes in a text box ``width`` EMU wide, wrapped at spaces."""
    room = width / EMU_PER_TWIP
    lines, line = 1, ""
    for word in text.split(" "):
        longer = f"{line} {word}" if line else word
        if line and line_twips(longer, size) > room:
            lines, line = lines + 1, word
        else:
            line = longer
    return lines


def _rgb(status: object) -> RGBColor:
    colour = STATUS_COLOURS.get(status if isinstance(status, str) else None, STATUS_COLOURS[None])
    return RGBColor.from_string(colour.lstrip("#"))


def _text(
    slide: Slide,
    left: int,
    top: int,
    width: int,
    height: int,
    text: str | Sequence[str],
    size: int = 18,
    bold: bool = False,
    color: RGBColor = DARK,
    align: PP_ALIGN = PP_ALIGN.LEFT,
    anchor: MSO_ANCHOR = MSO_ANCHOR.TOP,
    name: str | None = None,
):
    """A text box; a sequence of strings makes one paragraph each."""
    box = slide.shapes.add_textbox(left, top, width, height)
    if name:
        box.name = name
    frame = box.text_frame
    frame.word_wrap = True
    frame.vertical_anchor = anchor
    frame.margin_left = frame.margin_right = Inches(0.05)
    lines = [text] if isinstance(text, str) else list(text)
    for n, line in enumerate(lines):
        paragraph = frame.paragraphs[0] if n == 0 else frame.add_paragraph()
        paragraph.alignment = align
        run = paragraph.add_run()
        run.text = line
        run.font.size = Pt(size)
        run.font.bold = bold
        run.font.name = FONT
        run.font.color.rgb = color
    return box


class _Deck:
    def __init__(self, data: ReportData) -> None:
        self.data = data
        self.prs = Presentation()
        self.prs.slide_width, self.prs.slide_height = WIDTH, HEIGHT
        self.blank = self.prs.slide_layouts[6]
        # The filters are the same on every slide: so is the footer's height.
        lines = _lines(data.filters(), MIN_TEXT_PT, WIDTH - 2 * MARGIN - FOOTER_NUMBER_WIDTH)
        self.footer_top = FOOTER_TOP + max(0, lines - 2) * SUBTITLE_LINE
        # Where a chart's box ends, above the footer.
        self.chart_bottom = HEIGHT - self.footer_top - Inches(0.05)

    @staticmethod
    def content_top(subtitle: str | None) -> int:
        """Where a slide's content starts: below every line of its subtitle, so that a
        subtitle of two lines is not hidden under a picture or a table."""
        extra = _lines(subtitle, MIN_TEXT_PT, WIDTH - 2 * MARGIN) - 1 if subtitle else 0
        return CONTENT_TOP + extra * SUBTITLE_LINE

    def slide(self, title: str | None = None, subtitle: str | None = None) -> Slide:
        slide = self.prs.slides.add_slide(self.blank)
        if title:
            _text(slide, MARGIN, Inches(0.3), WIDTH - 2 * MARGIN, Inches(0.7), title, 28, True)
        if subtitle:
            _text(
                slide,
                MARGIN,
                SUBTITLE_TOP,
                WIDTH - 2 * MARGIN,
                self.content_top(subtitle) - SUBTITLE_TOP - Inches(0.05),
                subtitle,
                MIN_TEXT_PT,
                color=GREY,
                name="Подзаголовок",
            )
        return slide

    def footers(self) -> None:
        """The filters and the slide number at the foot of every slide."""
        total = len(self.prs.slides)
        for n, slide in enumerate(self.prs.slides, start=1):
            line = slide.shapes.add_shape(
                MSO_SHAPE.RECTANGLE, MARGIN, HEIGHT - self.footer_top, WIDTH - 2 * MARGIN, Emu(9525)
            )
            line.fill.solid()
            line.fill.fore_color.rgb = HEADER_FILL
            line.line.fill.background()
            _text(
                slide,
                MARGIN,
                HEIGHT - self.footer_top + Inches(0.05),
                WIDTH - 2 * MARGIN - FOOTER_NUMBER_WIDTH,
                self.footer_top - Inches(0.1),
                self.data.filters(),
                MIN_TEXT_PT,
                color=GREY,
                name="Фильтры",
            )
            _text(
                slide,
                WIDTH - MARGIN - FOOTER_NUMBER_WIDTH,
                HEIGHT - self.footer_top + Inches(0.05),
                FOOTER_NUMBER_WIDTH,
                self.footer_top - Inches(0.1),
                f"{n} / {total}",
                MIN_TEXT_PT,
                color=GREY,
                align=PP_ALIGN.RIGHT,
            )

    def bytes(self) -> bytes:
        self.footers()
        buffer = io.BytesIO()
        self.prs.save(buffer)
        return buffer.getvalue()


def _title_slide(deck: _Deck) -> None:
    data = deck.data
    slide = deck.slide()
    band = slide.shapes.add_shape(MSO_SHAPE.RECTANGLE, 0, 0, WIDTH, Inches(0.35))
    band.fill.solid()
    band.fill.fore_color.rgb = ACCENT
    band.line.fill.background()
    _text(
        slide,
        Inches(0.9),
        Inches(1.6),
        WIDTH - Inches(1.8),
        Inches(1.8),
        "Мониторинг реализации целевой модели наставничества педагогических работников",
        36,
        True,
        anchor=MSO_ANCHOR.BOTTOM,
    )
    # The scope in the words of the page's caption: what the deck covers, and nothing else.
    _text(slide, Inches(0.9), Inches(3.7), WIDTH - Inches(1.8), Inches(1.4), data.described, 22)
    _text(
        slide,
        Inches(0.9),
        Inches(5.4),
        WIDTH - Inches(1.8),
        Inches(0.5),
        f"{data_stamp(data.data_at)} · сформировано {day(data.now)}",
        MIN_TEXT_PT,
        color=GREY,
    )


def _tile(
    slide: Slide,
    left: int,
    top: int,
    width: int,
    height: int,
    value: str,
    label: str,
    note: str,
    status: object = None,
) -> None:
    box = slide.shapes.add_shape(MSO_SHAPE.RECTANGLE, left, top, width, height)
    box.fill.solid()
    box.fill.fore_color.rgb = RGBColor(0xF6, 0xF6, 0xF6)
    box.line.fill.background()
    stripe = slide.shapes.add_shape(MSO_SHAPE.RECTANGLE, left, top, Inches(0.12), height)
    stripe.fill.solid()
    stripe.fill.fore_color.rgb = _rgb(status) if status else ACCENT
    stripe.line.fill.background()
    inner = left + Inches(0.3)
    span = width - Inches(0.45)
    _text(slide, inner, top + Inches(0.1), span, Inches(0.7), label, MIN_TEXT_PT, color=GREY)
    _text(slide, inner, top + Inches(0.75), span, Inches(0.8), value, 36, True)
    _text(slide, inner, top + Inches(1.5), span, Inches(0.65), note, MIN_TEXT_PT, color=GREY)


def _overview_slide(deck: _Deck) -> None:
    data = deck.data
    slide = deck.slide("Основные итоги", f"{data.territory}, {data.period_label}")
    tiles: list[tuple[str, str, str, object]] = []
    reporting = data.row(REPORTING.id)
    registry = len(data.registry)
    if registry and reporting is not None and pd.notna(reporting["value"]):
        reported = int(data.registry["reported"].sum())
        tiles.append(
            (
                percent(float(reporting["value"])),
                REPORTING.short,
                part_of(reported, registry, narrative.org_noun(data.org_type).of(registry)),
                reporting["status"],
            )
        )
    else:
        count = len(data.reporting)
        noun = narrative.org_noun(data.org_type)
        tiles.append(
            (
                integer(count),
                REPORTING.short,
                f"{plural(count, noun.one, noun.few, noun.many)}; реестр ОО не загружен",
                None,
            )
        )
    found, computed = len(data.deficits), len(data.computed)
    tiles.append(
        (
            part_of(found, computed),
            "Дефициты",
            "показателей ниже целевого значения",
            Status.RED if found else Status.GREEN,
        )
    )
    # The largest deficit leads, as it leads every list of deficits.
    first = data.deficits.iloc[0] if found else None
    if first is not None:
        indicator = INDICATORS_BY_ID[str(first["indicator"])]
        key = shortfall(indicator, first["shortfall"], first["target"])
        tiles.append(
            (
                value_text(first),
                f"Наибольший дефицит: {indicator.short}",
                f"цель {target_text(first)}; {key}",
                first["status"],
            )
        )
    for indicator in (i for i in INDICATORS if i.headline):
        row = data.row(indicator.id)
        if (
            row is None
            or pd.isna(row["value"])
            or (first is not None and first["indicator"] == indicator.id)
        ):
            continue
        tiles.append(
            (
                value_text(row),
                indicator.short,
                f"цель {target_text(row)}: {label_of(row['status'])}",
                row["status"],
            )
        )
    columns, width, height = 3, Inches(3.95), Inches(2.2)
    gap = (WIDTH - 2 * MARGIN - columns * width) // (columns - 1)
    for n, (value, label, note, status) in enumerate(tiles[:6]):
        left = MARGIN + (n % columns) * (width + gap)
        top = Inches(1.5) + (n // columns) * (height + Inches(0.25))
        _tile(slide, left, top, width, height, value, label, note, status)


def _medium(deck: _Deck, caption: str) -> Medium:
    """The chart's layout for a slide with this caption: the box between the margins, the
    caption and the footer in pixels of a 1280 px screen (figures.DECK under a one-line
    caption and a footer of two lines), so its text shows on the slide at the size it
    was set in."""
    top = deck.content_top(caption)
    height = int((deck.chart_bottom - top) / Inches(1) * SCREEN_PX_PER_INCH)
    return replace(DECK, height=min(DECK.height, height))


def _picture_slide(deck: _Deck, title: str, caption: str, png: bytes) -> None:
    slide = deck.slide(title, caption)
    top = deck.content_top(caption)
    slide.shapes.add_picture(
        io.BytesIO(png), MARGIN, top, WIDTH - 2 * MARGIN, deck.chart_bottom - top
    )


def _native_chart_slide(
    deck: _Deck,
    title: str,
    caption: str,
    labels: list[str],
    values: list[float],
    statuses: list[object],
    percent_axis: bool,
) -> None:
    """Where chromium is missing: the same bars as an editable PowerPoint chart."""
    slide = deck.slide(title, caption)
    chart_data = CategoryChartData()
    # The chart embeds a workbook whose writer stores a text starting with "=" as a live
    # formula: an organisation's name must stay text.
    chart_data.categories = [str(defuse(label)) for label in labels]
    chart_data.add_series(title, [round(v, 1) for v in values])
    frame = slide.shapes.add_chart(
        XL_CHART_TYPE.BAR_CLUSTERED,
        MARGIN,
        deck.content_top(caption),
        WIDTH - 2 * MARGIN,
        deck.chart_bottom - deck.content_top(caption),
        chart_data,
    )
    chart = frame.chart
    chart.has_legend = False
    chart.font.size = Pt(MIN_TEXT_PT)
    chart.font.name = FONT
    category_axis = chart.category_axis
    category_axis.reverse_order = True
    value_axis = chart.value_axis
    value_axis.minimum_scale = 0
    if percent_axis:
        value_axis.maximum_scale = 100
    plot = chart.plots[0]
    plot.gap_width = 60
    plot.has_data_labels = True
    labels_ = plot.data_labels
    labels_.number_format = '0.0" %"' if percent_axis else "0.0"
    labels_.number_format_is_linked = False
    labels_.position = XL_LABEL_POSITION.OUTSIDE_END
    series = plot.series[0]
    for n, status in enumerate(statuses):
        fill = series.points[n].format.fill
        fill.solid()
        fill.fore_color.rgb = _rgb(status)


def _chart(deck: _Deck, title: str, caption: str, fig, points) -> None:
    png = render_png(fig, _medium(deck, caption))
    if png is not None:
        _picture_slide(deck, title, caption, png)
    elif points is not None:
        _native_chart_slide(deck, title, caption, *points)


def _group_points(data: ReportData, indicators: Sequence[Indicator]):
    rows = [(i, data.row(i.id)) for i in indicators]
    return (
        [i.short for i, _ in rows],
        [float(r["value"]) for _, r in rows],
        [r["status"] for _, r in rows],
        True,
    )


def _unit_points(data: ReportData, indicator_id: str):
    rows = unit_rows(data, indicator_id).sort_values("value", ascending=False).head(30)
    if len(rows) < 2:
        return None
    return (
        [str(label) for label in rows["label"]],
        [float(v) for v in rows["value"]],
        list(rows["status"]),
        INDICATORS_BY_ID[indicator_id].is_percent,
    )


def _chart_slides(deck: _Deck) -> None:
    data = deck.data
    for group in GROUPS:
        spec = section_chart_spec(data, group.code, DECK.rows)
        if spec is None:
            continue
        # The slide title names the group; the caption need not repeat it.
        caption = spec.caption.removeprefix(f"{group.title}: ")
        caption = caption[:1].upper() + caption[1:]
        if spec.indicator is not None:
            fig = spec.figure(data)
            _chart(deck, group.title, caption, fig, _unit_points(data, spec.indicator))
            continue
        # A large group on one slide would squeeze its bars under their figures: it takes
        # as many slides as it needs (Medium.group_rows indicators each).
        parts = group_parts(data, group.code, _medium(deck, caption))
        for n, part in enumerate(parts, start=1):
            title = f"{group.title} ({n} из {len(parts)})" if len(parts) > 1 else group.title
            fig = group_figure(data, group.code, part)
            _chart(deck, title, caption, fig, _group_points(data, part))
    for indicator in (i for i in INDICATORS if i.by_territory):
        fig = units_figure(data, indicator.id, DECK.rows)
        if fig is None:
            continue
        _chart(
            deck,
            indicator.short,
            units_caption(data, indicator.id, DECK.rows),
            fig,
            _unit_points(data, indicator.id),
        )


def _deficit_slides(deck: _Deck) -> None:
    data = deck.data
    found = data.deficits
    if not len(found):
        slide = deck.slide("Дефициты", data.period_label)
        _text(
            slide,
            MARGIN,
            Inches(2.5),
            WIDTH - 2 * MARGIN,
            Inches(1.5),
            narrative.deficits_summary(0, len(data.computed)),
            24,
            align=PP_ALIGN.CENTER,
        )
        return
    rows = list(found.iterrows())
    pages = [
        rows[i : i + DEFICIT_ROWS_PER_SLIDE] for i in range(0, len(rows), DEFICIT_ROWS_PER_SLIDE)
    ]
    headers = ["№", "Показатель", "Значение", "Цель", "Отставание", "Что сделать"]
    lines = [
        [
            str(n),
            str(row["name"]),
            # The status in its mark as well as in the cell's colour.
            marked(value_text(row), row["status"]),
            target_text(row),
            ranked_gap_text(row),
            narrative.recommendation(str(row["indicator"])),
        ]
        for n, (_, row) in enumerate(rows, start=1)
    ]
    # No column narrower than its longest word, bold header included («Отставание»), the
    # rest shared as the weights say: a word is never broken across a cell's lines.
    least = [
        max(
            word_twips(text, MIN_TEXT_PT, bold=True)
            for text in [headers[c]] + [line[c] for line in lines]
        )
        + SLIDE_CELL_SLACK_TWIPS
        for c in range(len(headers))
    ]
    total = round((WIDTH - 2 * MARGIN) / EMU_PER_TWIP)
    widths = column_twips([0.5, 3.3, 1.3, 1.2, 1.4, 4.63], least, total)
    for page, chunk in enumerate(pages):
        suffix = f" ({page + 1} из {len(pages)})" if len(pages) > 1 else ""
        subtitle = (
            f"{narrative.deficits_summary(len(found), len(data.computed))} {narrative.RANKING_NOTE}"
        )
        slide = deck.slide(f"Дефициты{suffix}", subtitle)
        shape = slide.shapes.add_table(
            len(chunk) + 1,
            len(headers),
            MARGIN,
            deck.content_top(subtitle),
            WIDTH - 2 * MARGIN,
            Inches(0.4) * (len(chunk) + 1),
        )
        table = shape.table
        for c, width in enumerate(widths):
            table.columns[c].width = Emu(width * EMU_PER_TWIP)
        for c, header in enumerate(headers):
            _cell(table.cell(0, c), header, MIN_TEXT_PT, bold=True, fill=HEADER_FILL)
        for r, (n, (_, row)) in enumerate(
            ((page * DEFICIT_ROWS_PER_SLIDE + k + 1, item) for k, item in enumerate(chunk)),
            start=1,
        ):
            for c, value in enumerate(lines[n - 1]):
                fill = _rgb(row["status"]) if c == 2 else None
                _cell(
                    table.cell(r, c),
                    value,
                    MIN_TEXT_PT,
                    bold=c == 2,
                    fill=fill,
                    color=RGBColor(0xFF, 0xFF, 0xFF) if c == 2 else DARK,
                )


def _cell(cell, text: str, size: int, bold: bool = False, fill=None, color=DARK) -> None:
    cell.text = ""
    frame = cell.text_frame
    frame.word_wrap = True
    run = frame.paragraphs[0].add_run()
    run.text = text
    run.font.size = Pt(size)
    run.font.bold = bold
    run.font.name = FONT
    run.font.color.rgb = color
    cell.margin_left = cell.margin_right = Inches(0.06)
    cell.margin_top = cell.margin_bottom = Inches(0.03)
    cell.vertical_anchor = MSO_ANCHOR.MIDDLE
    if fill is not None:
        cell.fill.solid()
        cell.fill.fore_color.rgb = fill
    else:
        cell.fill.background()


def build_deck(db: Database, scope: Scope, now: datetime | None = None) -> bytes:
    """The meeting presentation for a territory and period, as PPTX bytes (16:9):
    ``scope`` names the period and narrows by region, municipality or district and org
    type; its title slide states the scope in words.

    Raises :class:`~analytics.documents.territory.ReportError` (Russian message) for an unknown
    period or territory. Charts are PNG where chromium is available and native
    PowerPoint charts otherwise.
    """
    data = collect(db, scope, now)
    deck = _Deck(data)
    _title_slide(deck)
    _overview_slide(deck)
    _chart_slides(deck)
    _deficit_slides(deck)
    return deck.bytes()
