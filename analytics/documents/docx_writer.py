"""Writing DOCX the way Russian official documents look: Times New Roman, numbered headings,
tables that fit their words, status fills, page numbers (:class:`DocWriter`)."""

from __future__ import annotations

import io
import logging
import re
from collections.abc import Sequence
from datetime import datetime
from functools import lru_cache
from xml.sax.saxutils import escape

from docx import Document
from docx.enum.section import WD_ORIENT, WD_SECTION
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK
from docx.oxml import OxmlElement, parse_xml
from docx.oxml.ns import nsdecls, qn
from docx.shared import Cm, Pt, RGBColor
from docx.styles.style import ParagraphStyle
from docx.table import Table
from docx.text.paragraph import Paragraph

from analytics.model.legend import LEGEND, Status

log = logging.getLogger(__name__)
# Status fills for printed tables: light tints of the dashboard's palette, dark text.
HEADER_FILL = "E7E6E6"
FONT = "Times New Roman"
BODY_SIZE = 14
TABLE_SIZE = 12


def _set_fonts(rpr_parent, name: str) -> None:
    """Set every script's font of a style (theme fonts removed, so the name wins)."""
    rpr = rpr_parent.get_or_add_rPr()
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        rpr.insert(0, fonts)
    for attr in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"):
        fonts.attrib.pop(qn(attr), None)
    for attr in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
        fonts.set(qn(attr), name)


_XML_INVALID = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


def _xml_text(text: str) -> str:
    return escape(_XML_INVALID.sub("", text))


def _page_number(paragraph: Paragraph) -> None:
    field_ = OxmlElement("w:fldSimple")
    field_.set(qn("w:instr"), "PAGE")
    run = OxmlElement("w:r")
    text = OxmlElement("w:t")
    text.text = "1"
    run.append(text)
    field_.append(run)
    paragraph._p.append(field_)


CELL_STYLE = "Текст таблицы"
CAPTION_STYLE = "Подпись"
THUMBNAIL_RELTYPE = (
    "http://schemas.openxmlformats.org/package/2006/relationships/metadata/thumbnail"
)


def _paragraph_style(doc, name: str, size: int) -> ParagraphStyle:
    style = doc.styles.add_style(name, 1)
    style.base_style = doc.styles["Normal"]
    style.font.size = Pt(size)
    fmt = style.paragraph_format
    fmt.first_line_indent = Cm(0)
    fmt.line_spacing = 1.0
    fmt.alignment = WD_ALIGN_PARAGRAPH.LEFT
    return style


@lru_cache(maxsize=4)
def _styled_template(body_size: int, table_size: int) -> bytes:
    """An empty A4 document with the note's styles, Russian language, page numbers, no
    thumbnail and no author."""
    doc = Document()
    styles = doc.styles
    defaults = styles.element.find(qn("w:docDefaults"))
    rpr = defaults.find(qn("w:rPrDefault")).find(qn("w:rPr"))
    lang = rpr.find(qn("w:lang"))
    if lang is None:
        lang = OxmlElement("w:lang")
        rpr.append(lang)
    lang.set(qn("w:val"), "ru-RU")
    lang.set(qn("w:eastAsia"), "ru-RU")
    normal = styles["Normal"]
    _set_fonts(normal.element, FONT)
    normal.font.size = Pt(body_size)
    fmt = normal.paragraph_format
    fmt.space_before, fmt.space_after = Pt(0), Pt(0)
    fmt.line_spacing = 1.15
    for name in ("Heading 1", "Heading 2"):
        style = styles[name]
        _set_fonts(style.element, FONT)
        style.font.size = Pt(body_size)
        style.font.bold = True
        style.font.italic = False
        style.font.color.rgb = RGBColor(0, 0, 0)
        style.paragraph_format.space_before = Pt(12)
        style.paragraph_format.space_after = Pt(6)
        style.paragraph_format.first_line_indent = Cm(0)
        style.paragraph_format.keep_with_next = True
        style.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.LEFT
    _paragraph_style(doc, CELL_STYLE, table_size)
    caption = _paragraph_style(doc, CAPTION_STYLE, table_size)
    caption.paragraph_format.space_before = Pt(6)
    caption.paragraph_format.space_after = Pt(6)
    caption.paragraph_format.keep_with_next = True
    section = doc.sections[0]
    section.page_width, section.page_height = Cm(21), Cm(29.7)
    section.left_margin, section.right_margin = Cm(3), Cm(1.5)
    section.top_margin, section.bottom_margin = Cm(2), Cm(2)
    footer = section.footer.paragraphs[0]
    footer.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _page_number(footer)
    properties = doc.core_properties
    properties.author = properties.last_modified_by = ""
    properties.comments = properties.keywords = properties.subject = ""
    properties.language = "ru-RU"
    package = doc.part.package
    for rid, rel in list(package.rels.items()):
        if rel.reltype == THUMBNAIL_RELTYPE:
            del package.rels[rid]
    buffer = io.BytesIO()
    doc.save(buffer)
    return buffer.getvalue()


TWIPS_PER_CM = 567
# Left and right cell margins of the «Table Grid» style, and a little slack for rounding
# in the word processor's own measurement.
CELL_PADDING_TWIPS = 2 * 108 + 60
# A word may break after a hyphen, a dash or a slash, never inside; a non-breaking space
# binds a number to its unit («54,0 %»), so the two are measured as one word.
_BREAKS = re.compile(r"[ \t\r\n]+|(?<=[-‑–—/])")


def _glyph_em(char: str) -> float:
    """A generous estimate of a Times New Roman glyph's advance, in ems."""
    if char in "№%ЖШЩЫЮМмжшщыю@—":
        return 1.0
    if char.isupper():
        return 0.75
    if char.isalnum():
        return 0.52
    return 0.4


def _em_twips(ems: float, size: int, bold: bool) -> int:
    return round(ems * size * 20 * (1.08 if bold else 1.0)) + CELL_PADDING_TWIPS


def word_twips(text: str, size: int, bold: bool = False) -> int:
    """The width a column needs so that the longest word of ``text`` set in ``size``
    points fits on one line, with the cell's margins."""
    words = [w for w in _BREAKS.split(text) if w]
    widest = max((sum(_glyph_em(ch) for ch in w) for w in words), default=0.0)
    return _em_twips(widest, size, bold)


def line_twips(text: str, size: int, bold: bool = False) -> int:
    """The width ``text`` takes set on one line in ``size`` points, with the cell's margins."""
    return _em_twips(sum(_glyph_em(ch) for ch in text), size, bold)


def column_twips(
    weights: Sequence[float],
    least: Sequence[int],
    total: int,
    natural: Sequence[int] | None = None,
) -> list[int]:
    """Column widths in twips within ``total``, every column at least its ``least`` (its
    longest word). With ``natural`` (each column's longest cell on one line), the widths
    come from the content, as a word processor's automatic layout does: where every column
    fits on one line, each gets its line and the rest is shared by ``weights``; otherwise
    each gets its longest word and the room left is shared by how much more its lines
    want — so a column of names is not wrapped over five lines beside wide columns of
    short values. Without ``natural``, ``total`` is shared by ``weights`` and columns above
    their minimum give way first when the minimums need room. Where even the minimums do
    not fit, the table is as wide as they are."""
    if natural is not None:
        lines = [max(n, m) for n, m in zip(natural, least, strict=True)]
        if sum(lines) <= total:
            spare = total - sum(lines)
            return [
                round(n + spare * w / sum(weights)) for n, w in zip(lines, weights, strict=True)
            ]
        room = total - sum(least)
        if room <= 0:
            return list(least)
        wants = [n - m for n, m in zip(lines, least, strict=True)]
        return [round(m + room * want / sum(wants)) for m, want in zip(least, wants, strict=True)]
    widths = [max(m, w * total / sum(weights)) for w, m in zip(weights, least, strict=True)]
    excess = sum(widths) - total
    spare = sum(w - m for w, m in zip(widths, least, strict=True))
    if excess > 0 and spare > 0:
        share = min(1.0, excess / spare)
        widths = [w - (w - m) * share for w, m in zip(widths, least, strict=True)]
    return [round(w) for w in widths]


class DocWriter:
    """A DOCX in the look of a Russian official note: Times New Roman, 14 pt text with a
    1.25 cm first-line indent, 12 pt tables, numbered captions, A4, page numbers."""

    def __init__(
        self,
        body_size: int = BODY_SIZE,
        table_size: int = TABLE_SIZE,
        title: str = "",
        now: datetime | None = None,
    ) -> None:
        # The styled empty document is built once per size pair and reopened: setting up
        # styles takes longer than writing a one-page note.
        self.doc = Document(io.BytesIO(_styled_template(body_size, table_size)))
        self.tables = 0
        self.figures = 0
        self.table_size = table_size
        self.cell_style = self.doc.styles[CELL_STYLE]
        self.caption_style = self.doc.styles[CAPTION_STYLE]
        properties = self.doc.core_properties
        properties.title = title
        properties.created = properties.modified = (now or datetime.now()).replace(microsecond=0)

    @property
    def width_cm(self) -> float:
        section = self.doc.sections[-1]
        return (section.page_width - section.left_margin - section.right_margin) / 360000

    def heading(self, text: str, level: int = 1) -> Paragraph:
        return self.doc.add_heading(text, level)

    def paragraph(
        self,
        text: str = "",
        *,
        bold: bool = False,
        align: WD_ALIGN_PARAGRAPH | None = WD_ALIGN_PARAGRAPH.JUSTIFY,
        indent: bool = True,
        size: int | None = None,
        space_after: int | None = None,
    ) -> Paragraph:
        paragraph = self.doc.add_paragraph()
        if text:
            run = paragraph.add_run(text)
            run.bold = bold or None
            if size:
                run.font.size = Pt(size)
        fmt = paragraph.paragraph_format
        fmt.alignment = align
        fmt.first_line_indent = Cm(1.25) if indent else Cm(0)
        if space_after is not None:
            fmt.space_after = Pt(space_after)
        return paragraph

    def labelled(self, label: str, text: str) -> Paragraph:
        """A paragraph opening with a bold label: «Рекомендация: …»."""
        paragraph = self.paragraph()
        paragraph.add_run(label).bold = True
        paragraph.add_run(f" {text}")
        return paragraph

    def item(self, text: str, number: str | None = None) -> Paragraph:
        """A list item «1) …» or «– …» with a hanging indent."""
        paragraph = self.paragraph(f"{number or '–'} {text}", indent=False)
        fmt = paragraph.paragraph_format
        fmt.left_indent = Cm(1.25)
        fmt.first_line_indent = Cm(-0.6)
        return paragraph

    def caption(self, text: str, align=WD_ALIGN_PARAGRAPH.LEFT) -> Paragraph:
        paragraph = self.doc.add_paragraph(text, style=self.caption_style)
        paragraph.paragraph_format.alignment = align
        return paragraph

    def table(
        self,
        title: str,
        headers: Sequence[str],
        rows: Sequence[Sequence[str]],
        widths: Sequence[float],
        *,
        fills: Sequence[Sequence[str | None]] | None = None,
        centre: Sequence[int] = (),
        size: int | None = None,
    ) -> Table:
        """A numbered table «Таблица N – title» with a shaded header repeated on every
        page. The column widths come from the content (:func:`column_twips`): no column
        is narrower than the longest word of its header and cells, the layout is fixed so
        the word processor keeps those widths, and hyphenation is off in the cells, so
        Word and LibreOffice never break a word («Значени/е», «наставляем/ых»);
        ``widths`` share what room is left over."""
        self.tables += 1
        self.caption(f"Таблица {self.tables} – {title}")
        # The table is written as one XML string: python-docx's cell-by-cell API takes
        # seconds for the appendix of a region.
        points = size or self.table_size
        least = [
            max(
                [word_twips(str(headers[c]), points, bold=True)]
                + [word_twips(str(r[c]), points) for r in rows]
            )
            for c in range(len(headers))
        ]
        # A cell's words are never split: the header's longest word bounds a column from
        # below, while only the body's lines say how wide it wants to be (a long header
        # wraps above a column of short values).
        natural = [
            max((line_twips(str(r[c]), points) for r in rows), default=CELL_PADDING_TWIPS)
            for c in range(len(headers))
        ]
        twips = column_twips(widths, least, round(self.width_cm * TWIPS_PER_CM), natural)
        style = self.cell_style.style_id
        size_xml = f'<w:sz w:val="{2 * size}"/><w:szCs w:val="{2 * size}"/>' if size else ""
        centred = set(centre)

        def cell(text: str, c: int, fill: str | None, header: bool) -> str:
            shading = f'<w:shd w:val="clear" w:color="auto" w:fill="{fill}"/>' if fill else ""
            jc = '<w:jc w:val="center"/>' if header or c in centred else ""
            bold = "<w:b/><w:bCs/>" if header else ""
            rpr = f"<w:rPr>{bold}{size_xml}</w:rPr>" if bold or size_xml else ""
            return (
                f'<w:tc><w:tcPr><w:tcW w:w="{twips[c]}" w:type="dxa"/>{shading}</w:tcPr>'
                f'<w:p><w:pPr><w:pStyle w:val="{style}"/><w:suppressAutoHyphens/>{jc}</w:pPr>'
                f'<w:r>{rpr}<w:t xml:space="preserve">{_xml_text(text)}</w:t></w:r></w:p></w:tc>'
            )

        parts = [
            f"<w:tbl {nsdecls('w')}><w:tblPr>"
            f'<w:tblStyle w:val="{self.doc.styles["Table Grid"].style_id}"/>'
            f'<w:tblW w:w="{sum(twips)}" w:type="dxa"/><w:jc w:val="center"/>'
            '<w:tblLayout w:type="fixed"/>'
            '<w:tblLook w:val="04A0" w:firstRow="1" w:lastRow="0" w:firstColumn="1" '
            'w:lastColumn="0" w:noHBand="0" w:noVBand="1"/></w:tblPr><w:tblGrid>',
            *(f'<w:gridCol w:w="{t}"/>' for t in twips),
            "</w:tblGrid><w:tr><w:trPr><w:cantSplit/><w:tblHeader/></w:trPr>",
            *(cell(text, c, HEADER_FILL, True) for c, text in enumerate(headers)),
            "</w:tr>",
        ]
        for r, values in enumerate(rows):
            parts.append("<w:tr><w:trPr><w:cantSplit/></w:trPr>")
            parts.extend(
                cell(str(text), c, fills[r][c] if fills else None, False)
                for c, text in enumerate(values)
            )
            parts.append("</w:tr>")
        parts.append("</w:tbl>")
        element = parse_xml("".join(parts))
        self.doc.element.body._insert_tbl(element)
        self.doc.add_paragraph(style=self.cell_style)
        return Table(element, self.doc._body)

    def figure(self, png: bytes, title: str, width_cm: float = 16.5) -> None:
        self.figures += 1
        paragraph = self.doc.add_paragraph(style=self.cell_style)
        paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
        paragraph.paragraph_format.keep_with_next = True
        paragraph.add_run().add_picture(io.BytesIO(png), width=Cm(min(self.width_cm, width_cm)))
        self.caption(f"Рисунок {self.figures} – {title}", align=WD_ALIGN_PARAGRAPH.CENTER)

    def page_break(self) -> None:
        self.doc.add_paragraph().add_run().add_break(WD_BREAK.PAGE)

    def landscape(self) -> None:
        section = self.doc.add_section(WD_SECTION.NEW_PAGE)
        section.orientation = WD_ORIENT.LANDSCAPE
        section.page_width, section.page_height = Cm(29.7), Cm(21)
        section.left_margin, section.right_margin = Cm(2), Cm(2)
        section.top_margin, section.bottom_margin = Cm(2), Cm(1.5)

    def bytes(self) -> bytes:
        buffer = io.BytesIO()
        self.doc.save(buffer)
        return buffer.getvalue()


def status_fill(status: object) -> str | None:
    return LEGEND[Status(status)].tint if isinstance(status, str) and status in LEGEND else None
