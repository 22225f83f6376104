"""Pre-filled templates of a monitoring round: one XLSX per organisation, ZIPs by territory.

Each workbook is the contract's blank template (:func:`analytics.ingest.template.build_template`,
with its drop-downs and number validation) with the organisation's row filled in: region,
municipality, district, name, ИНН, type and period are locked, the answers are open, and,
where asked, last period's answers are filled in for the organisation to review. The other
rows are locked: a template is one organisation's form. The instructions sheet carries the
round's signed code of the organisation (:func:`analytics.meetings.rounds.template_code`), by which
a returned file is placed on its organisation whatever its name cell says.
"""

from __future__ import annotations

import io
import re
import zipfile

import pandas as pd
from openpyxl import load_workbook
from openpyxl.styles import Font, PatternFill, Protection

from analytics.compute import lookups
from analytics.ingest.template import FIXED_TIME, SHEET_NAME, TEMPLATE_ROWS, build_template
from analytics.meetings.rounds import (
    CODE_LABEL,
    Round,
    RoundError,
    get_round,
    round_orgs,
    template_code,
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


def _previous_answers(db: Database, period: str) -> dict[int, dict[str, object]]:
    """Each organisation's answers of the stored period before ``period``, by org id."""
    earlier = previous_period(period, lookups.periods(db))
    if earlier is None:
        return {}
    frame = db.query(
        f"SELECT org_id, {', '.join(FORM_VALUE_CODES)} FROM form_values WHERE period = ?",
        [earlier],
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
) -> bytes:
    """The pre-filled form of one organisation of a round (``previous``: with its answers
    of the period before, marked for review)."""
    found = get_round(db, round_id)
    orgs = round_orgs(db, round_id)
    rows = orgs[orgs["org_id"] == int(org_id)]
    if rows.empty:
        raise RoundError(f"организация не входит в мониторинг № {round_id}")
    answers = _previous_answers(db, found.period) if previous else {}
    org = rows.iloc[0]
    return _workbook(db, found, org, answers.get(int(org_id), {}))


def _workbook(db: Database, found: Round, org: pd.Series, answers: dict[str, object]) -> bytes:
    workbook = load_workbook(io.BytesIO(build_template(FormKind.ORG_FORM)))
    sheet = workbook[SHEET_NAME]
    fields = KIND_FIELDS[FormKind.ORG_FORM]
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
    for column, f in enumerate(fields, start=1):
        cell = sheet.cell(row=2, column=column)
        if f.code in identity:
            cell.value = identity[f.code]
            if isinstance(cell.value, str):
                cell.data_type = "s"  # openpyxl would make a name starting with "=" a formula
            cell.protection = Protection(locked=True)
            cell.fill = LOCKED_FILL
        elif f.code in answers:
            cell.value = _shown(answers[f.code])
            cell.fill = PREVIOUS_FILL
        # One organisation per template: the rows below are closed.
        for row in range(3, TEMPLATE_ROWS + 2):
            sheet.cell(row=row, column=column).protection = Protection(locked=True)
    _note(workbook["Инструкция"], db, found, org, bool(answers))
    workbook.properties.created = FIXED_TIME
    workbook.properties.modified = FIXED_TIME
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _note(sheet, db: Database, found: Round, org: pd.Series, previous: bool) -> None:
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
    lines.append(f"{CODE_LABEL}: {template_code(db, found.round_id, int(org['org_id']))}")
    sheet.insert_rows(2, len(lines) + 1)
    for offset, text in enumerate(lines, start=3):
        sheet.cell(row=offset, column=1, value=text)
    sheet.cell(row=3, column=1).font = Font(bold=True)
    sheet.protection.sheet = True


def file_name(text: str, limit: int = 80) -> str:
    """A file or folder name from an organisation's or territory's name: no characters
    that file systems refuse, no more than ``limit`` characters."""
    cleaned = " ".join(_UNSAFE.sub(" ", text).split()).strip(" .")
    return cleaned[:limit].rstrip(" .") or "без названия"


def templates_zip(
    db: Database,
    round_id: int,
    scope: Scope | None = None,
    *,
    previous: bool = False,
) -> bytes:
    """A ZIP of the round's templates, a folder per municipality (and district): the
    organisations of the round ``scope`` covers (its territory, type and organisation; the
    round names the period), every one without a scope; with a blank template for each
    person base the round collects."""
    found = get_round(db, round_id)
    orgs = (scope or Scope()).keep(round_orgs(db, round_id))
    answers = _previous_answers(db, found.period) if previous else {}
    buffer = io.BytesIO()
    used: set[str] = set()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for _, org in orgs.iterrows():
            folder = file_name(str(org["municipality"]))
            if pd.notna(org["district"]):
                folder += "/" + file_name(str(org["district"]))
            label = file_name(str(org["organization"]))
            if pd.notna(org["inn"]):
                label += f" ({org['inn']})"
            path = f"{folder}/{label}.xlsx"
            if path in used:
                path = f"{folder}/{label} код {int(org['org_id'])}.xlsx"
            used.add(path)
            content = _workbook(db, found, org, answers.get(int(org["org_id"]), {}))
            archive.writestr(_entry(path), content)
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
