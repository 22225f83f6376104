"""Data-quality findings, after DHIS2's data-quality checks: broken consistency rules,
outliers among schools of one type in a municipality, sharp changes from the previous
period, forms that disagree with the schools' registers, missing answers, missing forms.

Each finding is one row with the columns of :data:`QUALITY_COLUMNS`, in Russian where a
person reads it, so the list can be sent back to the schools as it is. No finding names
a person: register findings give counts only.
"""

from __future__ import annotations

from dataclasses import replace

import pandas as pd

from analytics.compute.lookups import non_reporting, periods
from analytics.compute.person_bases import cross_check, person_base_summary
from analytics.model.contract import (
    CONSISTENCY_RULES,
    FIELDS_BY_CODE,
    FORM_VALUE_FIELDS,
    MENTEE_FIELDS,
    ORG_TYPES_BY_CODE,
    FieldType,
)
from analytics.model.periods import period_label
from analytics.store.db import Database
from analytics.store.scope import ORG_PLACES, Scope
from analytics.wording import formatting

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

# Kinds of findings: the label a person reads and the noun for counting them. Every broken
# consistency rule is of kind ``consistency``; other rules are kinds of their own.
FINDING_KINDS: dict[str, tuple[str, tuple[str, str, str]]] = {
    "consistency": ("противоречие в данных", ("противоречие", "противоречия", "противоречий")),
    "outlier": ("нетипичное значение", ("выброс", "выброса", "выбросов")),
    "sharp_change": (
        "резкое изменение",
        ("резкое изменение", "резких изменения", "резких изменений"),
    ),
    "form_vs_register": (
        "форма расходится с базой",
        ("расхождение с базами", "расхождения с базами", "расхождений с базами"),
    ),
    "mentor_not_in_register": (
        "наставник не найден в базе",
        ("ненайденный наставник", "ненайденных наставника", "ненайденных наставников"),
    ),
    "missing_answer": (
        "нет ответа",
        ("пропущенный ответ", "пропущенных ответа", "пропущенных ответов"),
    ),
    "not_reported": (
        "форма не представлена",
        ("непредставленная форма", "непредставленные формы", "непредставленных форм"),
    ),
}

# The counts of the form that outliers and sharp changes are looked for in.
COUNT_FIELDS = tuple(f for f in FORM_VALUE_FIELDS if f.type is FieldType.COUNT)
# Modified z-score (Iglewicz and Hoaglin): |0.6745·(x − median)/MAD| above 3.5 is an
# outlier among the schools of one type in one municipality and period.
MAD_SCALE = 0.6745
OUTLIER_THRESHOLD = 3.5
# A count that more than doubles or falls below half since the previous period, where
# both values are at least this large (small numbers swing by themselves).
CHANGE_RATIO = 2.0
CHANGE_MINIMUM = 10


def finding_kind(rule: str) -> str:
    """``consistency`` for every broken consistency rule, else the rule itself."""
    return rule if rule in FINDING_KINDS else "consistency"


def summary(found: pd.DataFrame) -> str:
    """``7 противоречий · 2 выброса · 1 непредставленная форма``."""
    kinds = found["rule"].map(finding_kind).value_counts()
    return " · ".join(
        formatting.count(int(kinds[kind]), *FINDING_KINDS[kind][1])
        for kind in FINDING_KINDS
        if kind in kinds.index
    )


def _where(scope: Scope | None) -> tuple[str, list[object]]:
    """``AND …`` conditions on ``o`` (a row of ``org_places``) keeping
    the organisations of ``scope`` (its periods are not used: findings take a period)."""
    if scope is None:
        return "", []
    return scope.where("o")


def _rows(rule: object, severity: str, frame: pd.DataFrame, **columns: object) -> pd.DataFrame:
    """Findings from a query's rows: ``period``, ``municipality``, ``org_id`` and
    ``organization`` from ``frame``, the other columns given (a value or a sequence)."""
    out = pd.DataFrame(
        {
            "rule": rule,
            "severity": severity,
            "period": frame["period"],
            "municipality": frame["municipality"],
            "org_id": frame["org_id"],
            "organization": frame["organization"],
            **columns,
        },
        index=frame.index,
    )
    return out[list(QUALITY_COLUMNS)].reset_index(drop=True)


def consistency_findings(
    db: Database, period: str | None = None, scope: Scope | None = None
) -> pd.DataFrame:
    """One row per (organisation, period, broken rule), rule by rule, each by period,
    municipality and organisation."""
    parts = []
    org_where, org_params = _where(scope)
    where, params = ("AND f.period = ?", [period]) if period else ("", [])
    for rule in CONSISTENCY_RULES:
        frame = db.query(
            f"""
            SELECT f.period, o.municipality, o.org_id, o.name AS organization,
                CAST(f.{rule.field} AS VARCHAR) AS value
            FROM form_values f
            JOIN {ORG_PLACES} o USING (org_id)
            WHERE ({rule.violation_sql}) {where}{org_where}
            ORDER BY f.period, o.municipality, o.name, o.org_id
            """,
            [*params, *org_params],
        )
        if frame.empty:
            continue
        parts.append(
            _rows(
                rule.id,
                "warning",
                frame,
                field=FIELDS_BY_CODE[rule.field].header,
                value=[_shown(v) for v in frame["value"]],
                detail=rule.message,
            )
        )
    return _concat(parts)


def _concat(parts: list[pd.DataFrame]) -> pd.DataFrame:
    found = [p for p in parts if not p.empty]
    return pd.concat(found, ignore_index=True) if found else _frame([])


def _shown(value: object) -> str:
    return {"true": "да", "false": "нет"}.get(str(value), str(value))


def missing_answers(
    db: Database, period: str | None = None, scope: Scope | None = None
) -> pd.DataFrame:
    """One row per blank answer in a submitted form: question by question, each over the
    forms ordered by period, region, municipality and organisation."""
    org_where, org_params = _where(scope)
    where, params = ("AND f.period = ?", [period]) if period else ("", [])
    blanks = "\n            UNION ALL ".join(
        f"SELECT org_id, period, {n} AS question FROM form_values WHERE {f.code} IS NULL"
        for n, f in enumerate(FORM_VALUE_FIELDS)
    )
    frame = db.query(
        f"""
        WITH blank AS ({blanks})
        SELECT f.question, f.period, o.municipality, o.org_id, o.name AS organization
        FROM blank f
        JOIN {ORG_PLACES} o USING (org_id)
        WHERE TRUE {where}{org_where}
        ORDER BY f.question, f.period, o.region, o.municipality, o.name
        """,
        [*params, *org_params],
    )
    headers = pd.Series([f.header for f in FORM_VALUE_FIELDS], dtype=object)
    field = headers.iloc[frame["question"].to_numpy()].to_numpy()
    return _rows(
        "missing_answer",
        "missing",
        frame,
        field=field,
        value="",
        detail=[f"нет ответа на вопрос «{h}»" for h in field],
    )


def missing_forms(db: Database, period: str, scope: Scope | None = None) -> pd.DataFrame:
    """Organisations of the registry that have not submitted a form for ``period``."""
    missing = non_reporting(db, period, scope)
    return _rows(
        "not_reported",
        "missing",
        missing.assign(period=period),
        field="",
        value="",
        detail="организация из реестра не представила форму мониторинга",
    )


def findings(
    db: Database, period: str | None = None, scope: Scope | None = None, figures: bool = True
) -> pd.DataFrame:
    """Every finding for ``period`` (or all periods): rule violations, outliers, sharp
    changes and disagreements with the registers first, then what is missing.
    ``figures=False`` leaves out what outliers are compared with (see
    :func:`outlier_findings`).

    ``scope`` keeps the findings of its organisations (territory, organisation, type),
    selected in SQL: the same rows as filtering the findings of everything, in the same
    order. (Outliers are still judged against the whole municipality.)
    """
    parts = [
        consistency_findings(db, period, scope),
        outlier_findings(db, period, scope, figures),
        change_findings(db, period, scope),
        register_findings(db, period, scope),
        missing_answers(db, period, scope),
    ]
    for p in [period] if period else periods(db):
        parts.append(missing_forms(db, p, scope))
    return _concat(parts)


def _frame(rows: list[dict[str, object]]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=list(QUALITY_COLUMNS))


def _finding(rule: str, row: object, period: str, field: str, value: object, detail: str) -> dict:
    return {
        "rule": rule,
        "severity": "warning",
        "period": period,
        "municipality": row.municipality,
        "org_id": row.org_id,
        "organization": row.organization,
        "field": field,
        "value": str(value),
        "detail": detail,
    }


_THRESHOLD = formatting.number(OUTLIER_THRESHOLD)
_MENTOR_COLUMN = next(f.header for f in MENTEE_FIELDS if f.code == "mentor_name")


def _counts_sql(where: str) -> str:
    """Every non-blank count of the forms as (org_id, period, field, x), one per row;
    ``where`` is a condition on ``f`` (form_values) and ``o`` (org_places)."""
    columns = ", ".join(f.code for f in COUNT_FIELDS)
    return f"""
        UNPIVOT (
            SELECT f.org_id, f.period, o.org_type, o.municipality_id, {columns}
            FROM form_values f JOIN {ORG_PLACES} o USING (org_id)
            WHERE TRUE {where}
        ) ON {columns} INTO NAME field VALUE x"""


_PLACE_SQL = f"JOIN {ORG_PLACES} o ON o.org_id = v.org_id"


def outlier_findings(
    db: Database, period: str | None = None, scope: Scope | None = None, figures: bool = True
) -> pd.DataFrame:
    """Counts far from those of the other schools of the same type in the municipality
    and period: modified z-score above :data:`OUTLIER_THRESHOLD` (none where the median
    absolute deviation is 0, as when most schools give the same number).

    The median and z-score are the other schools' raw counts in disguise (with three
    colleges, the median is one of them): ``figures=False`` leaves them out of the text,
    for readers who may not see other schools' values."""
    where, params = ("AND f.period = ?", [period]) if period else ("", [])
    org_where, org_params = _where(scope)
    if org_where:
        # The schools compared with are those of the scope's municipalities, all of them.
        where += (
            f" AND o.municipality_id IN (SELECT o.municipality_id FROM {ORG_PLACES} o "
            f"WHERE TRUE {org_where})"
        )
        params = [*params, *org_params]
    frame = db.query(
        f"""
        WITH counts AS ({_counts_sql(where)}),
        centred AS (
            SELECT *, median(x) OVER (PARTITION BY period, municipality_id, org_type, field)
                AS centre
            FROM counts
        ),
        spread AS (
            SELECT *, median(abs(x - centre)) OVER (
                PARTITION BY period, municipality_id, org_type, field) AS mad
            FROM centred
        ),
        v AS (SELECT *, ? * (x - centre) / mad AS score FROM spread WHERE mad > 0)
        SELECT v.period, v.field, v.x, v.centre, v.score, v.org_type, v.org_id,
            o.name AS organization, o.municipality
        FROM v {_PLACE_SQL}
        WHERE abs(v.score) > ?{org_where}
        ORDER BY v.period, o.municipality, o.name, v.field
        """,
        [*params, MAD_SCALE, OUTLIER_THRESHOLD, *org_params],
    )
    rows = []
    for r in frame.itertuples(index=False):
        kind = ORG_TYPES_BY_CODE.get(r.org_type)
        others = kind.plural_genitive if kind else "организаций того же типа"
        direction = "больше" if r.score > 0 else "меньше"
        detail = f"намного {direction}, чем обычно у {others} муниципалитета"
        if figures:
            detail += (
                f": медиана {formatting.number(r.centre, 1)}, модифицированная z-оценка "
                f"{formatting.number(abs(r.score), 1)} при пороге {_THRESHOLD}"
            )
        rows.append(
            _finding(
                "outlier",
                r,
                r.period,
                FIELDS_BY_CODE[r.field].header,
                formatting.integer(r.x),
                detail,
            )
        )
    return _frame(rows)


def change_findings(
    db: Database, period: str | None = None, scope: Scope | None = None
) -> pd.DataFrame:
    """Counts that more than doubled or fell below half since the school's form for the
    previous period of the same kind (2022 for 2023, 2022/2023 for 2023/2024), where both
    values are at least :data:`CHANGE_MINIMUM`."""
    where, params = ("WHERE v.period = ?", [period]) if period else ("", [])
    org_where, org_params = _where(scope)
    frame = db.query(
        f"""
        WITH counts AS ({_counts_sql(org_where)}),
        ordered AS (
            SELECT period, lag(period) OVER (
                PARTITION BY is_school_year ORDER BY start_year) AS previous
            FROM periods
        ),
        v AS (
            SELECT c.org_id, c.period, c.field, c.x, b.period AS previous, b.x AS before
            FROM counts c
            JOIN ordered USING (period)
            JOIN counts b ON b.org_id = c.org_id AND b.period = ordered.previous
                AND b.field = c.field
        )
        SELECT v.*, o.name AS organization, o.municipality
        FROM v {_PLACE_SQL}
        {where} {"AND" if where else "WHERE"} v.x >= ? AND v.before >= ?
            AND (v.x > ? * v.before OR v.x * ? < v.before)
        ORDER BY v.period, o.municipality, o.name, v.field
        """,
        [*org_params, *params, CHANGE_MINIMUM, CHANGE_MINIMUM, CHANGE_RATIO, CHANGE_RATIO],
    )
    rows = []
    for r in frame.itertuples(index=False):
        before, now = float(r.before), float(r.x)
        change = (
            f"рост в {formatting.number(now / before)} раза"
            if now > before
            else f"снижение в {formatting.number(before / now)} раза"
        )
        rows.append(
            _finding(
                "sharp_change",
                r,
                r.period,
                FIELDS_BY_CODE[r.field].header,
                formatting.integer(now),
                f"за {period_label(r.previous)} — {formatting.integer(before)}, за "
                f"{period_label(r.period)} — {formatting.integer(now)}: {change}",
            )
        )
    return _frame(rows)


def register_findings(
    db: Database, period: str | None = None, scope: Scope | None = None
) -> pd.DataFrame:
    """Where a school's form disagrees with its registers, and mentees whose mentor is not
    in the school's base of mentors (counts only, never names)."""
    scope = replace(scope or Scope(), periods=(period,) if period else None)
    rows = [
        _finding(
            "form_vs_register",
            r,
            r.period,
            r.field_name,
            formatting.integer(r.form_value),
            f"в форме — {formatting.integer(r.form_value)}, {r.register_in} — "
            f"{formatting.integer(r.register_value)}",
        )
        for r in cross_check(db, scope).itertuples(index=False)
    ]
    summary = person_base_summary(db, scope)
    summary = summary[summary["unmatched_mentor"].fillna(0) > 0]
    for r in summary.itertuples(index=False):
        n = int(r.unmatched_mentor)
        mentees = formatting.count(n, "наставляемого", "наставляемых", "наставляемых")
        rows.append(
            _finding(
                "mentor_not_in_register",
                r,
                r.period,
                _MENTOR_COLUMN,
                formatting.integer(n),
                f"у {mentees} из базы наставляемых наставник не найден в базе наставников",
            )
        )
    return _frame(rows)
