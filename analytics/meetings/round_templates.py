"""Pre-filled templates of a monitoring round: one XLSX per organisation, ZIPs by territory.

Each workbook is the contract's blank template (:func:`analytics.ingest.template.build_template`,
with its drop-downs and number validation) with the organisation's row filled in: region,
municipality, district, name, ИНН, type and period are locked, the answers are open, and,
where asked, last period's answers are filled in for the organisation to review. The other
rows are locked: a template is one organisation's form. The instructions sheet carries the
round's signed code of the organisation (:func:`analytics.meetings.rounds.template_code`), by which
a returned file is placed on its organisation whatever its name cell says.

The styled workbook is built once per process and each organisation's cells are written
into its XML (:class:`_Master`): a template costs what writing its ZIP costs, a few
milliseconds, so a region's round goes out in seconds.
"""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Callable
from copy import copy
from functools import cache
from xml.sax.saxutils import escape

import pandas as pd
from openpyxl import load_workbook
from openpyxl.styles import Font, PatternFill, Protection
from openpyxl.utils import get_column_letter

from analytics.compute import lookups
from analytics.ingest.template import FIXED_TIME, SHEET_NAME, TEMPLATE_ROWS, build_template
from analytics.meetings.rounds import (
    CODE_LABEL,
    Round,
    RoundError,
    get_round,
    round_orgs,
    template_codes,
)
from analytics.model.contract import (
    FORM_VALUE_CODES,
    KIND_FIELDS,
    KIND_LABELS,
    ORG_TYPES_BY_CODE,
    FormKind,
)
from analytics.model.periods import previous_period
from analytics.store.db import Database
from analytics.store.scope import Scope

LOCKED_FILL = PatternFill("solid", fgColor="EDEDED")
PREVIOUS_FILL = PatternFill("solid", fgColor="FFF2CC")
_UNSAFE = re.compile(r'[\\/:*?"<>|«»\x00-\x1f]+')


def previous_answers(
    db: Database, period: str, org_id: int | None = None
) -> dict[int, dict[str, object]]:
    """Each organisation's answers (or only ``org_id``'s) of the stored period before
    ``period``, by org id."""
    earlier = previous_period(period, lookups.periods(db))
    if earlier is None:
        return {}
    one = "" if org_id is None else " AND org_id = ?"
    frame = db.query(
        f"SELECT org_id, {', '.join(FORM_VALUE_CODES)} FROM form_values WHERE period = ?{one}",
        [earlier, *([] if org_id is None else [int(org_id)])],
    )
    return {
        int(row["org_id"]): {c: row[c] for c in FORM_VALUE_CODES if pd.notna(row[c])}
        for _, row in frame.iterrows()
    }


def _shown(value: object) -> object:
    """A stored answer as a person types it in the template."""
    if isinstance(value, bool):
        return "да" if value else "нет"
    if hasattr(value, "item"):
        value = value.item()
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def organization_template(
    db: Database,
    round_id: int,
    org_id: int,
    *,
    previous: bool = False,
    answers: dict[str, object] | None = None,
) -> bytes:
    """The pre-filled form of one organisation of a round (``previous``: with its answers
    of the period before, marked for review; ``answers``: with these answers, by field
    code, as a form typed online is sent)."""
    found = get_round(db, round_id)
    orgs = round_orgs(db, round_id)
    rows = orgs[orgs["org_id"] == int(org_id)]
    if rows.empty:
        raise RoundError(f"организация не входит в мониторинг № {round_id}")
    org = rows.iloc[0]
    codes = template_codes(db, round_id)
    if answers is not None:
        return _master().render(found, org, answers, codes, marked=False)
    earlier = previous_answers(db, found.period) if previous else {}
    return _master().render(found, org, earlier.get(int(org_id), {}), codes)


# The instructions' lines an organisation's template writes (the round's, the
# organisation's, the previous answers' note where asked, its code) and a blank after them.
_NOTE_ROWS = 5
_PLACEHOLDER = 0
_XML_UNSAFE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


@cache
def _master() -> _Master:
    """The contract's one master of every round's organisation templates."""
    return _Master()


class _Master:
    """Organisation templates at the speed of the file format.

    The styled workbook (drop-downs, number validation, the locked rows, the
    instructions) is built by openpyxl once per process, as it depends on the contract
    alone; each organisation's file is that workbook's XML with the cells of one
    organisation written in: its identity, its previous answers and the instructions'
    lines with the round and its code. Styles are those openpyxl gave the master's
    cells, so the file is the one openpyxl would have written, its strings inline."""

    def __init__(self) -> None:
        workbook = load_workbook(io.BytesIO(build_template(FormKind.ORG_FORM)))
        sheet = workbook[SHEET_NAME]
        self.fields = KIND_FIELDS[FormKind.ORG_FORM]
        # Per column of row 2: the style of the cell as it stands and, for an answer,
        # of the cell holding last period's answer.
        self.styles: dict[str, int] = {}
        self.previous_styles: dict[str, int] = {}
        for column, f in enumerate(self.fields, start=1):
            cell = sheet.cell(row=2, column=column)
            if f.code in _IDENTITY:
                cell.protection = Protection(locked=True)
                cell.fill = LOCKED_FILL
            else:
                plain = copy(cell.fill)
                cell.fill = PREVIOUS_FILL
                self.previous_styles[f.code] = cell.style_id
                cell.fill = plain
            self.styles[f.code] = cell.style_id
            cell.value = _PLACEHOLDER
        # One organisation per template: the rows below are closed, as a cell without a
        # style of its own is on a protected sheet.
        sheet.delete_rows(3, TEMPLATE_ROWS)
        note = workbook["Инструкция"]
        note.insert_rows(2, _NOTE_ROWS)
        for row in range(3, 3 + _NOTE_ROWS - 1):
            note.cell(row=row, column=1, value=_PLACEHOLDER)
        note.cell(row=3, column=1).font = Font(bold=True)
        self.note_styles = [note.cell(row=r, column=1).style_id for r in range(3, 2 + _NOTE_ROWS)]
        note.protection.sheet = True
        workbook.properties.created = FIXED_TIME
        workbook.properties.modified = FIXED_TIME
        buffer = io.BytesIO()
        workbook.save(buffer)
        self.parts: list[tuple[str, bytes]] = []
        with zipfile.ZipFile(buffer) as master:
            for info in master.infolist():
                self.parts.append((info.filename, master.read(info)))
        names = {sheet.title: n for n, sheet in enumerate(workbook.worksheets, start=1)}
        self.sheet_part = f"xl/worksheets/sheet{names[SHEET_NAME]}.xml"
        self.note_part = f"xl/worksheets/sheet{names['Инструкция']}.xml"
        contents = dict(self.parts)
        self.sheet_pieces = _split_cells(
            contents[self.sheet_part],
            [f"{get_column_letter(c)}2" for c in range(1, len(self.fields) + 1)],
        )
        self.note_pieces = _split_cells(
            contents[self.note_part], [f"A{r}" for r in range(3, 2 + _NOTE_ROWS)]
        )

    def render(
        self,
        found: Round,
        org: pd.Series,
        answers: dict[str, object],
        code: Callable[[int], str],
        marked: bool = True,
    ) -> bytes:
        """The XLSX of one organisation (a row of :func:`round_orgs`) of the round
        ``found`` with ``answers`` (by field code) filled in, ``marked`` as last period's
        for review; ``code``: the round's template code of an organisation."""
        org_type = ORG_TYPES_BY_CODE.get(str(org["org_type"]))
        identity = {
            "region": org["region"],
            "municipality": org["municipality"],
            "district": org["district"] if pd.notna(org["district"]) else None,
            "org_name": org["organization"],
            "inn": org["inn"] if pd.notna(org["inn"]) else None,
            "org_type": org_type.label if org_type else None,
            "period": found.period,
        }
        cells = []
        for column, f in enumerate(self.fields, start=1):
            ref = f"{get_column_letter(column)}2"
            if f.code in identity:
                cells.append(_cell(ref, self.styles[f.code], identity[f.code]))
            elif f.code in answers:
                shown = _shown(answers[f.code])
                style = self.previous_styles if marked else self.styles
                cells.append(_cell(ref, style[f.code], shown))
            else:
                cells.append(_cell(ref, self.styles[f.code], None))
        lines = _note_lines(found, org, marked and bool(answers), code(int(org["org_id"])))
        lines += [None] * (_NOTE_ROWS - 1 - len(lines))
        notes = [
            _cell(f"A{row}", style, text)
            for row, style, text in zip(
                range(3, 2 + _NOTE_ROWS), self.note_styles, lines, strict=True
            )
        ]
        written = {
            self.sheet_part: _joined(self.sheet_pieces, cells),
            self.note_part: _joined(self.note_pieces, notes),
        }
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as archive:
            for name, content in self.parts:
                archive.writestr(_entry(name), written.get(name, content), compresslevel=1)
        return buffer.getvalue()


_IDENTITY = frozenset(
    {"region", "municipality", "district", "org_name", "inn", "org_type", "period"}
)


def _split_cells(xml: bytes, refs: list[str]) -> list[bytes]:
    """The worksheet ``xml`` cut around the cells ``refs`` (in document order): the text
    between them, to be joined with the cells written anew."""
    text = xml
    pieces, start = [], 0
    for ref in refs:
        found = re.compile(rb'<c r="' + ref.encode() + rb'"[^>]*?(?:/>|>.*?</c>)', re.S).search(
            text, start
        )
        if found is None:
            raise RuntimeError(f"the template has no cell {ref}")
        pieces.append(text[start : found.start()])
        start = found.end()
    pieces.append(text[start:])
    return pieces


def _joined(pieces: list[bytes], cells: list[bytes]) -> bytes:
    out = [pieces[0]]
    for cell, piece in zip(cells, pieces[1:], strict=True):
        out += [cell, piece]
    return b"".join(out)


def _cell(ref: str, style: int, value: object) -> bytes:
    """One cell of a worksheet's XML: a number, an inline string, or empty."""
    if value is None:
        return f'<c r="{ref}" s="{style}"/>'.encode()
    if isinstance(value, int | float) and not isinstance(value, bool):
        return f'<c r="{ref}" s="{style}"><v>{value!r}</v></c>'.encode()
    text = escape(_XML_UNSAFE.sub("", str(value)))
    return (
        f'<c r="{ref}" s="{style}" t="inlineStr"><is><t xml:space="preserve">{text}</t></is></c>'
    ).encode()


def _note_lines(found: Round, org: pd.Series, previous: bool, code: str) -> list[str]:
    """The round's lines at the top of the instructions (its first line, the template's
    mark, stays first) and the organisation's code."""
    lines = [
        f"{found.title}. Срок представления — {found.due_on:%d.%m.%Y} "
        f"(сбор {found.collection_words()}); основание — {found.order_words()}.",
        f"Организация: {org['organization']}. Наименование, ИНН, территория и период "
        "заполнены и защищены: заполните ответы в строке 2 листа «ОО».",
    ]
    if previous:
        lines.append(
            "Жёлтым отмечены ответы прошлого периода: проверьте и исправьте их при необходимости."
        )
    lines.append(f"{CODE_LABEL}: {code}")
    return lines


def file_name(text: str, limit: int = 80) -> str:
    """A file or folder name from an organisation's or territory's name: no characters
    that file systems refuse, no more than ``limit`` characters."""
    cleaned = " ".join(_UNSAFE.sub(" ", text).split()).strip(" .")
    return cleaned[:limit].rstrip(" .") or "без названия"


# What tells organisations of one kind apart: the number, or else the proper name in
# quotes (the innermost: «Центр «Факел»» is told apart by «Факел»).
_DISTINCTIVE = (re.compile(r"№\s*\d[\w/-]*"), re.compile(r"«[^«»]+»|\"[^\"]+\""))
# Folder names, and an organisation's name in a template's file name, in characters: a
# template's path (at most 40 + 1 + 40 + 1 + 60 + 13 + 5 = 160) leaves room under Windows'
# 260 for the folder the archive is unpacked into.
FOLDER_LIMIT, NAME_LIMIT = 40, 60


def short_name(text: str, limit: int = NAME_LIMIT) -> str:
    """:func:`file_name` of an organisation's name that keeps what tells it apart: a long
    name is cut before its number (or its name in quotes), not after, so that the schools
    of one district keep their numbers: «Государственное бюджетное… № 123 Адмиралтейского
    района»."""
    whole = file_name(text, len(text))
    if len(whole) <= limit:
        return whole
    found = _DISTINCTIVE[0].search(text) or _DISTINCTIVE[1].search(text)
    if found is None:
        return whole[: limit - 1].rstrip(" .") + "…"
    tail = file_name(text[found.start() :], len(text))
    tail = tail if len(tail) <= limit * 2 // 3 else _words(tail, limit * 2 // 3)
    head = file_name(text[: found.start()], len(text)) if found.start() else ""
    room = limit - len(tail) - 2
    if not head or room < 1:
        return tail
    return (_words(head, room) if len(head) > room else head) + "… " + tail


def _words(text: str, limit: int) -> str:
    """The words of ``text`` that fit in ``limit`` characters (a word cut where none fits)."""
    cut = text[: limit + 1].rsplit(" ", 1)[0] if " " in text[:limit] else text[:limit]
    return cut[:limit].rstrip(" .,")


def templates_zip(
    db: Database,
    round_id: int,
    scope: Scope | None = None,
    *,
    previous: bool = False,
    progress: Callable[[int, int], None] | None = None,
) -> bytes:
    """A ZIP of the round's templates, a folder per municipality (and district): the
    organisations of the round ``scope`` covers (its territory, type and organisation; the
    round names the period), every one without a scope; with a blank template for each
    person base the round collects. ``progress`` is told (done, total) after each
    organisation's template."""
    found = get_round(db, round_id)
    orgs = (scope or Scope()).keep(round_orgs(db, round_id))
    answers = previous_answers(db, found.period) if previous else {}
    templates, codes = _master(), template_codes(db, round_id)
    buffer = io.BytesIO()
    used: set[str] = set()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for done, (_, org) in enumerate(orgs.iterrows(), start=1):
            folder = file_name(str(org["municipality"]), FOLDER_LIMIT)
            if pd.notna(org["district"]):
                folder += "/" + file_name(str(org["district"]), FOLDER_LIMIT)
            label = short_name(str(org["organization"]))
            if pd.notna(org["inn"]):
                label += f" ({org['inn']})"
            path = f"{folder}/{label}.xlsx"
            if path in used:
                path = f"{folder}/{label} код {int(org['org_id'])}.xlsx"
            used.add(path)
            content = templates.render(found, org, answers.get(int(org["org_id"]), {}), codes)
            archive.writestr(_entry(path), content)
            if progress is not None:
                progress(done, len(orgs))
        for kind in found.kinds:
            if kind is FormKind.ORG_FORM:
                continue
            archive.writestr(_entry(f"{file_name(KIND_LABELS[kind])}.xlsx"), build_template(kind))
    return buffer.getvalue()


def _entry(path: str) -> zipfile.ZipInfo:
    """A compressed ZIP entry with a fixed time, so the same round gives the same ZIP."""
    info = zipfile.ZipInfo(path, FIXED_TIME.timetuple()[:6])
    info.compress_type = zipfile.ZIP_DEFLATED
    return info
