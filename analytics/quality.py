"""Data-quality findings: broken consistency rules, missing answers, missing forms.

Each finding is one row with the columns of :data:`QUALITY_COLUMNS`, in Russian where a
person reads it, so the list can be sent back to the schools as it is.
"""

from __future__ import annotations

import pandas as pd

from .contract import CONSISTENCY_RULES, FIELDS_BY_CODE, FORM_VALUE_FIELDS
from .db import Database
from .lookups import form_values, non_reporting, periods

QUALITY_COLUMNS: tuple[str, ...] = (
    "rule",
    "severity",
    "period",
    "municipality",
    "org_id",
    "organization",
    "field",
    "value",
    "detail",
)

SEVERITY_LABELS = {"warning": "предупреждение", "missing": "нет ответа", "error": "ошибка"}


def consistency_findings(db: Database, period: str | None = None) -> pd.DataFrame:
    """One row per (organisation, period, broken rule)."""
    rows = []
    where, params = ("AND f.period = ?", [period]) if period else ("", [])
    for rule in CONSISTENCY_RULES:
        frame = db.query(
            f"""
            SELECT f.period, m.name AS municipality, o.org_id, o.name AS organization,
                CAST(f.{rule.field} AS VARCHAR) AS value
            FROM form_values f
            JOIN organizations o USING (org_id)
            JOIN municipalities m USING (municipality_id)
            WHERE ({rule.violation_sql}) {where}
            """,
            params,
        )
        for record in frame.itertuples(index=False):
            rows.append(
                {
                    "rule": rule.id,
                    "severity": "warning",
                    "period": record.period,
                    "municipality": record.municipality,
                    "org_id": record.org_id,
                    "organization": record.organization,
                    "field": FIELDS_BY_CODE[rule.field].header,
                    "value": _shown(record.value),
                    "detail": rule.message,
                }
            )
    return _frame(rows)


def _shown(value: object) -> str:
    return {"true": "да", "false": "нет"}.get(str(value), str(value))


def missing_answers(db: Database, period: str | None = None) -> pd.DataFrame:
    """One row per blank answer in a submitted form."""
    forms = form_values(db, period)
    rows = []
    for f in FORM_VALUE_FIELDS:
        blank = forms[forms[f.code].isna()]
        rows.extend(
            {
                "rule": "missing_answer",
                "severity": "missing",
                "period": r.period,
                "municipality": r.municipality,
                "org_id": r.org_id,
                "organization": r.organization,
                "field": f.header,
                "value": "",
                "detail": f"нет ответа на вопрос «{f.header}»",
            }
            for r in blank.itertuples(index=False)
        )
    return _frame(rows)


def missing_forms(db: Database, period: str) -> pd.DataFrame:
    """Organisations of the registry that have not submitted a form for ``period``."""
    missing = non_reporting(db, period)
    return _frame(
        [
            {
                "rule": "not_reported",
                "severity": "missing",
                "period": period,
                "municipality": r.municipality,
                "org_id": r.org_id,
                "organization": r.organization,
                "field": "",
                "value": "",
                "detail": "организация из реестра не представила форму мониторинга",
            }
            for r in missing.itertuples(index=False)
        ]
    )


def findings(db: Database, period: str | None = None) -> pd.DataFrame:
    """Every finding for ``period`` (or all periods), rule violations first."""
    parts = [consistency_findings(db, period), missing_answers(db, period)]
    for p in [period] if period else periods(db):
        parts.append(missing_forms(db, p))
    found = [p for p in parts if not p.empty]
    return pd.concat(found, ignore_index=True) if found else _frame([])


def _frame(rows: list[dict[str, object]]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=list(QUALITY_COLUMNS))
