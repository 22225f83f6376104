"""One-page notes for each organisation («справка по организации»): its indicators beside
its municipality's and the targets, its deficits and what to do about each. A ZIP holds
one note per organisation of a municipality, for sending to the curators.
"""

from __future__ import annotations

import io
import re
import zipfile
from dataclasses import replace
from datetime import datetime

import pandas as pd
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.shared import Cm, Pt

from analytics.compute.indicators import Values, compute, deficits
from analytics.model.catalogue import INDICATORS, INDICATORS_BY_ID, IndicatorKind
from analytics.model.legend import label_of
from analytics.model.levels import Level
from analytics.model.periods import period_label
from analytics.store.db import Database
from analytics.store.scope import Scope
from analytics.wording import narrative
from analytics.wording.formatting import (
    data_stamp,
    day,
    genitive_after_from,
    integer,
    part_of,
    shortfall,
)

from .cells import target_text, value_text
from .docx_writer import DocWriter, status_fill
from .territory import (
    ReportError,
    document_period,
    natural_key,
    resolve_period,
    scope_organizations,
)

TITLE = (
    "Справка по итогам мониторинга реализации целевой модели наставничества "
    "педагогических работников"
)
# Sizes that keep even a note with every indicator in deficit on one A4 page.
NOTE_BODY_SIZE = 11
NOTE_TABLE_SIZE = 10
# Indicators of a single organisation's note: the reporting rate means nothing for one.
NOTE_INDICATORS = tuple(i for i in INDICATORS if not i.coverage)

_QUOTES = dict.fromkeys(map(ord, "«»\"“”„‟'‘’‚`"), None)
_FORBIDDEN = re.compile(r"[\\/:*?<>|\x00-\x1f]")
_WINDOWS_RESERVED = {"CON", "PRN", "AUX", "NUL"} | {
    f"{p}{n}" for p in ("COM", "LPT") for n in range(1, 10)
}
MAX_NAME = 100


def safe_file_name(name: str, fallback: str = "Организация") -> str:
    """A readable file name (without extension) that every system accepts: quotes
    dropped, ``\\ / : * ? < > |`` replaced by «-», spaces collapsed, no trailing dot,
    at most 100 characters: ``МБОУ «СОШ № 5»`` → ``МБОУ СОШ № 5``."""
    text = str(name).translate(_QUOTES)
    text = _FORBIDDEN.sub("-", text)
    text = re.sub(r"\s+", " ", text).strip(" .-")
    text = text[:MAX_NAME].rstrip(" .-")
    if not text or text.upper() in _WINDOWS_RESERVED:
        text = f"{fallback} {text}".strip()
    return text


def unique_file_names(
    names: list[str], inns: list[str | None] | None = None, suffix: str = ".docx"
) -> list[str]:
    """Safe, distinct file names (compared ignoring case, as Windows does); a repeated
    name gets the organisation's ИНН, or a number where there is none."""
    used: set[str] = set()
    result = []
    for n, name in enumerate(names):
        base = safe_file_name(name)
        inn = inns[n] if inns is not None else None
        candidates = [base]
        if inn:
            candidates.append(f"{base} (ИНН {inn})")
        candidates.extend(f"{base} ({k})" for k in range(2, len(names) + 2))
        chosen = next(c for c in candidates if c.casefold() not in used)
        used.add(chosen.casefold())
        result.append(f"{chosen}{suffix}")
    return result


class _Municipality:
    """The rows every note of one municipality needs, computed once."""

    def __init__(
        self,
        db: Database,
        period: str,
        municipality_id: int,
        now: datetime | None,
        values: Values = compute,
    ) -> None:
        self.period = period
        self.now = now or datetime.now()
        self.data_at = db.data_stamp()
        self.organizations = scope_organizations(db, period, Scope(municipality_id=municipality_id))
        frame = values(
            db,
            Scope(
                periods=(period,),
                levels=(Level.TOTAL, Level.ORGANIZATION),
                municipality_id=municipality_id,
            ),
        )
        self.totals = {
            str(r["indicator"]): r for _, r in frame[frame["level"] == "total"].iterrows()
        }
        org_rows = frame[frame["level"] == "organization"]
        self.by_org: dict[int, dict[str, pd.Series]] = {}
        for _, row in org_rows.iterrows():
            self.by_org.setdefault(int(row["org_id"]), {})[str(row["indicator"])] = row


def _municipality_of(db: Database, org_id: int) -> int:
    found = db.scalar("SELECT municipality_id FROM organizations WHERE org_id = ?", [org_id])
    if found is None:
        raise ReportError(f"Организация с кодом {org_id} не найдена в базе.")
    return int(found)


def _org_value(row: pd.Series | None) -> str:
    if row is None:
        return "—"
    text = value_text(row, yes_no=True)
    indicator = INDICATORS_BY_ID[str(row["indicator"])]
    if text in ("да", "нет", "—") or indicator.kind is IndicatorKind.MEAN:
        return text
    if indicator.is_percent:
        return f"{text} ({part_of(row['numerator'], row['denominator'])})"
    return text


def _deficit_label(row: pd.Series) -> str:
    """A deficit in one short sentence (the table has the details), with the key the
    deficits are ranked by where there is a gap to tell: «Программа наставничества не
    утверждена.», «Обученные наставники: 50,0 % при целевом значении 100 % (отставание —
    50 % от цели).»"""
    indicator = INDICATORS_BY_ID[str(row["indicator"])]
    if indicator.yes_no:
        return narrative.organization_sentence(row)
    key = shortfall(indicator, row["shortfall"], row["target"])
    return f"{indicator.short}: {value_text(row)} при целевом значении {target_text(row)} ({key})."


def _note(data: _Municipality, org: pd.Series) -> bytes:
    w = DocWriter(
        NOTE_BODY_SIZE, NOTE_TABLE_SIZE, title=f"{TITLE}: {org['organization']}", now=data.now
    )
    section = w.doc.sections[0]
    section.left_margin, section.right_margin = Cm(2), Cm(1)
    section.top_margin, section.bottom_margin = Cm(1.2), Cm(1.2)
    w.doc.styles["Normal"].paragraph_format.line_spacing = 1.0
    # One page needs no page number, and an empty footer keeps the bottom margin small.
    section.header_distance = section.footer_distance = Cm(0.5)
    footer = section.footer.paragraphs[0]._p
    for field_ in footer.findall(qn("w:fldSimple")):
        footer.remove(field_)
    centre = WD_ALIGN_PARAGRAPH.CENTER
    w.paragraph(TITLE, bold=True, align=centre, indent=False)
    w.paragraph(str(org["organization"]), bold=True, align=centre, indent=False, size=14)
    details = [f"{org['municipality']} ({org['region']})", period_label(data.period)]
    if isinstance(org["inn"], str) and org["inn"]:
        details.append(f"ИНН {org['inn']}")
    w.paragraph(" · ".join(details), align=centre, indent=False, space_after=6)

    rows = data.by_org.get(int(org["org_id"]), {})
    municipality = str(org["municipality"])
    if not bool(org["reported"]):
        w.paragraph(
            "Организация не представила данные мониторинга за "
            f"{period_label(data.period)}. "
            "Заполните форму мониторинга ОО («Форма мониторинга ОО») и направьте её "
            "муниципальному координатору; после загрузки данных справка будет составлена "
            "по показателям организации."
        )
        _table(w, data, {}, municipality, reported=False)
        _footer(w, data, municipality)
        return w.bytes()

    computed = [
        rows[i.id] for i in NOTE_INDICATORS if i.id in rows and pd.notna(rows[i.id]["value"])
    ]
    found = [row for _, row in deficits(pd.DataFrame(computed)).iterrows()] if computed else []
    w.paragraph(
        "Показатели организации рядом с муниципальными и целевыми значениями. "
        f"{narrative.deficits_summary(len(found), len(computed))}",
        space_after=3,
    )
    _table(w, data, rows, municipality, reported=True)
    if found:
        heading = w.paragraph("Дефициты и рекомендации", bold=True, indent=False)
        heading.paragraph_format.space_after = Pt(3)
        for n, row in enumerate(found, start=1):
            indicator = INDICATORS_BY_ID[str(row["indicator"])]
            paragraph = w.paragraph(indent=False)
            paragraph.add_run(f"{n}. {_deficit_label(row)}")
            paragraph.add_run(" Что сделать: ").bold = True
            paragraph.add_run(narrative.lower_first(indicator.recommendation))
            paragraph.paragraph_format.space_after = Pt(2)
    else:
        w.paragraph(
            "Все показатели организации достигают целевых значений. Рекомендуется поддерживать "
            "достигнутый уровень и представить опыт организации на муниципальном семинаре."
        )
    _footer(w, data, municipality)
    return w.bytes()


def _table(
    w: DocWriter,
    data: _Municipality,
    rows: dict[str, pd.Series],
    municipality: str,
    reported: bool,
) -> None:
    headers = ["Показатель", "Организация", municipality, "Цель", "Статус"]
    widths = [5.0, 3.2, 2.2, 1.8, 3.8]
    if not reported:
        headers = ["Показатель", municipality, "Цель"]
        widths = [8, 4, 3]
    table_rows, fills = [], []
    for indicator in NOTE_INDICATORS:
        own = rows.get(indicator.id)
        total = data.totals.get(indicator.id)
        territory = value_text(total) if total is not None else "—"
        target_row = own if own is not None else total
        target = target_text(target_row) if target_row is not None else "—"
        if indicator.yes_no and target != "—":
            target = "да"
        if reported:
            status = own["status"] if own is not None else None
            table_rows.append(
                [indicator.short, _org_value(own), territory, target, label_of(status)]
            )
            fills.append([None, status_fill(status), None, None, status_fill(status)])
        else:
            table_rows.append([indicator.short, territory, target])
            fills.append([None, None, None])
    w.table(
        f"Показатели организации и муниципалитета, {period_label(data.period)}",
        headers,
        table_rows,
        widths,
        fills=fills,
        centre=range(1, len(headers)),
    )


def _footer(w: DocWriter, data: _Municipality, municipality: str) -> None:
    # A curator's window carries no counts of organisations (analytics/compute/disclosure.py),
    # so neither does their note: the number that reported is another count of theirs.
    counted = not data.totals or any(pd.notna(row["orgs"]) for row in data.totals.values())
    reported = int(data.organizations["reported"].sum())
    by = (
        f"по {integer(reported)} {genitive_after_from(reported, 'организации', 'организациям')}"
        if counted
        else "по организациям"
    )
    w.paragraph(
        f"Значения по муниципалитету рассчитаны {by}, представившим данные "
        f"({municipality}). {data_stamp(data.data_at)}; справка сформирована {day(data.now)}.",
        indent=False,
        size=9,
    )


def build_school_note(
    db: Database, scope: Scope, now: datetime | None = None, values: Values = compute
) -> bytes:
    """A one-page DOCX for the organisation of ``scope`` (its ``org_id``) over its one
    period: its indicators against its municipality and the targets, then its deficits
    with a recommendation for each. Raises :class:`ReportError` for an unknown period or
    organisation.

    The values are read through ``values``: for a curator, their window, where a
    municipal value that could reveal another school's is left blank."""
    org_id = scope.org_id
    if org_id is None:
        raise ReportError("Справка по организации строится для одной организации.")
    period = resolve_period(db, document_period(scope))
    municipality_id = _municipality_of(db, org_id)
    data = _Municipality(db, period, municipality_id, now, values)
    orgs = data.organizations[data.organizations["org_id"] == org_id]
    if orgs.empty:
        raise ReportError(
            f"Организация с кодом {org_id} не представила данные за "
            f"{period_label(period)} и не входит в реестр ОО."
        )
    return _note(data, orgs.iloc[0])


def build_school_notes_zip(
    db: Database, scope: Scope, now: datetime | None = None, values: Values = compute
) -> bytes:
    """A ZIP with one note per organisation of ``scope`` over its one period (those that
    sent a form and those of the registry that did not), named after the organisation:
    ``МБОУ СОШ № 5.docx``. The scope names a municipality or a district of one; its
    org type, organisation and ``org_ids`` (a curator's) narrow the organisations, whose
    values are read through ``values`` (their window) and set beside the municipality's."""
    municipality_id, org_ids = scope.municipality_id, scope.org_ids
    if municipality_id is None and scope.district_id is not None:
        municipality_id = db.scalar(
            "SELECT municipality_id FROM districts WHERE district_id = ?", [scope.district_id]
        )
    if municipality_id is None:
        raise ReportError("Справки по организациям строятся по одному муниципалитету.")
    period = resolve_period(db, document_period(scope))
    name = db.scalar("SELECT name FROM municipalities WHERE municipality_id = ?", [municipality_id])
    if name is None:
        raise ReportError(f"Муниципалитет с кодом {municipality_id} не найден в базе.")
    data = _Municipality(db, period, municipality_id, now, values)
    orgs = replace(scope, municipality_id=None, region_id=None).keep(data.organizations)
    if org_ids is not None and orgs.empty:
        raise ReportError(f"В муниципалитете «{name}» нет ваших организаций.")
    if orgs.empty:
        raise ReportError(
            f"По муниципалитету «{name}» нет данных за {period_label(period)} "
            "и нет организаций в реестре ОО."
        )
    order = sorted(range(len(orgs)), key=lambda i: natural_key(orgs["organization"].iloc[i]))
    orgs = orgs.iloc[order]
    names = unique_file_names(
        orgs["organization"].astype(str).tolist(),
        [inn if isinstance(inn, str) else None for inn in orgs["inn"]],
    )
    buffer = io.BytesIO()
    stamp = (data.now.year, data.now.month, data.now.day, data.now.hour, data.now.minute, 0)
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for file_name, (_, org) in zip(names, orgs.iterrows(), strict=True):
            info = zipfile.ZipInfo(file_name, date_time=stamp)
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, _note(data, org))
    return buffer.getvalue()
