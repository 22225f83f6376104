"""What the person registers (База наставников, База наставляемых) add to the forms.

Per organisation and period: how many mentors and mentees, pairs and groups, the forms of
mentoring, the load on each mentor, how long the programmes run and how many mentees
completed them; and a cross-check of each form's counts against the registers.

Personal data (152-ФЗ): every function here except :func:`people` returns counts only,
never a name, so its output may go into charts, notes and exports. :func:`people` is for
the «Данные» page alone; :func:`delete_person_bases` removes an organisation's names from the
database and from the archive of uploaded files.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path

import duckdb
import pandas as pd

from analytics.compute.lookups import hierarchy
from analytics.model.catalogue import INDICATORS_BY_ID
from analytics.model.contract import (
    FIELDS_BY_CODE,
    GROUP_FORM,
    KIND_LABELS,
    MENTORING_FORMS,
    PERSON_TABLES,
    FormKind,
)
from analytics.model.levels import LEVEL_INFO, TERRITORY_KEYS, Level
from analytics.store import audit, faults
from analytics.store.archive import archive_path
from analytics.store.db import REWRITE_KEY, Database, mark_data_changed
from analytics.store.scope import ORG_PLACES, Scope

# A mentor with more mentees than the default target of «Наставляемых на одного
# наставника» is overloaded.
MENTOR_LOAD_LIMIT = int(INDICATORS_BY_ID["mentor_load"].target)
NO_FORM_LABEL = "форма не указана"

_KEYS = ["org_id", "period"]

# Which period and organisation a row is about, and where the organisation is.
_PLACE_COLUMNS: tuple[str, ...] = (
    "period",
    "region",
    "municipality",
    "district",
    "org_id",
    "organization",
)
# Columns that say which organisation and period a summary row is about.
_IDENTITY_COLUMNS: tuple[str, ...] = (*_PLACE_COLUMNS, "org_type")

SUMMARY_COLUMNS: tuple[str, ...] = (
    *_IDENTITY_COLUMNS,
    "mentors_listed",
    "mentees_listed",
    "mentors",
    "mentors_trained",
    "mentees",
    "teacher_mentees",
    "young_specialists",
    "student_mentees",
    "mentees_completed",
    "teacher_mentees_completed",
    "mentees_answered",
    "completion_pct",
    "without_mentor",
    "unmatched_mentor",
    "pairs",
    "groups",
    "overloaded_mentors",
    "max_load",
    "programmes",
    "months_min",
    "months_median",
    "months_max",
)


def months_between(start: date, end: date) -> int:
    """Whole months of a programme from ``start`` to ``end`` inclusive:
    01.09.2022–31.05.2023 is 9 months, 01.09.2022–31.08.2023 is 12."""
    after = end + timedelta(days=1)
    return (after.year - start.year) * 12 + after.month - start.month - (after.day < start.day)


# --- rows without names --------------------------------------------------------------


def _scoped(table: str, scope: Scope) -> tuple[str, list[object]]:
    """Rows of a register table under ``scope`` (aliases as in indicators.py)."""
    where, params = scope.where("o")
    periods, period_params = scope.period_where("x.period")
    sql = (
        f"SELECT x.* FROM {table} x JOIN {ORG_PLACES} o ON o.org_id = x.org_id "
        f"WHERE TRUE{where}{periods}"
    )
    return sql, [*params, *period_params]


def _mentor_rows(db: Database, scope: Scope) -> pd.DataFrame:
    """One row per mentor: the form, the training, the dates and the load, which is the
    number of mentees the base of mentees assigns to the mentor, or the planned number
    where the organisation has no base of mentees for the period."""
    mentors, params = _scoped("mentors", scope)
    frame = db.query(
        f"""
        WITH t AS ({mentors})
        SELECT t.org_id, t.period, t.mentoring_form, t.planned_mentees, t.trained,
            t.start_date, t.end_date,
            EXISTS (SELECT 1 FROM mentees x WHERE x.org_id = t.org_id
                AND x.period = t.period) AS mentees_listed,
            (SELECT count(*) FROM mentees x WHERE x.org_id = t.org_id AND x.period = t.period
                AND x.mentor_key = t.name_key) AS matched
        FROM t ORDER BY t.org_id, t.period, t.person_id
        """,
        params,
    )
    frame["load"] = (
        frame["matched"]
        .astype("Int64")
        .where(frame["mentees_listed"].astype(bool), frame["planned_mentees"].astype("Int64"))
    )
    return frame.drop(columns=["matched"])


def _mentee_rows(db: Database, scope: Scope) -> pd.DataFrame:
    """One row per mentee. ``mentor_ref`` numbers the mentees' mentors within the
    organisation and period (the same name, the same number; never the name itself);
    the form and dates fall back to the mentor's where the mentee's are blank."""
    mentees, params = _scoped("mentees", scope)
    return db.query(
        f"""
        WITH e AS ({mentees})
        SELECT e.org_id, e.period, e.category, e.completed,
            CASE WHEN e.mentor_key IS NOT NULL THEN dense_rank() OVER (
                PARTITION BY e.org_id, e.period ORDER BY e.mentor_key) END AS mentor_ref,
            t.person_id IS NOT NULL AS mentor_found,
            EXISTS (SELECT 1 FROM mentors x WHERE x.org_id = e.org_id
                AND x.period = e.period) AS mentors_listed,
            coalesce(e.mentoring_form, t.mentoring_form) AS mentoring_form,
            coalesce(e.start_date, t.start_date) AS start_date,
            coalesce(e.end_date, t.end_date) AS end_date
        FROM e LEFT JOIN mentors t ON t.org_id = e.org_id AND t.period = e.period
            AND t.name_key = e.mentor_key
        ORDER BY e.org_id, e.period, e.person_id
        """,
        params,
    )


def _units(mentees: pd.DataFrame) -> pd.DataFrame:
    """Pairs and groups: a mentor's mentees in «наставник – группа» are one group when
    there are two or more of them; every other mentee with a mentor is one pair."""
    linked = mentees.dropna(subset=["mentor_ref"])
    columns = [*_KEYS, "mentoring_form", "pairs", "groups"]
    if linked.empty:
        return pd.DataFrame(columns=columns)
    sizes = (
        linked.groupby([*_KEYS, "mentor_ref", "mentoring_form"], dropna=False)
        .size()
        .rename("size")
        .reset_index()
    )
    grouped = (sizes["mentoring_form"] == GROUP_FORM) & (sizes["size"] >= 2)
    sizes["pairs"] = sizes["size"].where(~grouped, 0)
    sizes["groups"] = grouped.astype(int)
    return sizes[columns]


def _programmes(mentors: pd.DataFrame, mentees: pd.DataFrame) -> pd.DataFrame:
    """Programme lengths in months: each mentee's (with the mentor's dates where the
    mentee's are blank); where an organisation has no base of mentees for the period,
    each mentor's."""
    listed = set(zip(mentees["org_id"], mentees["period"], strict=True))
    own = [(o, p) not in listed for o, p in zip(mentors["org_id"], mentors["period"], strict=True)]
    rows = pd.concat(
        [
            mentees[[*_KEYS, "start_date", "end_date"]],
            mentors.loc[own, [*_KEYS, "start_date", "end_date"]],
        ],
        ignore_index=True,
    ).dropna(subset=["start_date", "end_date"])
    rows["months"] = [
        months_between(pd.Timestamp(s).date(), pd.Timestamp(e).date())
        for s, e in zip(rows["start_date"], rows["end_date"], strict=True)
    ]
    return rows[[*_KEYS, "months"]]


# --- summaries -----------------------------------------------------------------------


def person_base_summary(db: Database, scope: Scope | None = None) -> pd.DataFrame:
    """One row per organisation and period with a register: :data:`SUMMARY_COLUMNS`.

    Counts from a register the organisation did not upload are blank (``<NA>``), not 0:
    ``mentors_listed`` and ``mentees_listed`` say which registers there are.
    ``without_mentor`` counts mentees with no mentor named; ``unmatched_mentor`` those
    whose named mentor is not in the base of mentors (only where that base exists);
    ``completion_pct`` is completed among the mentees with an answer (``mentees_answered``).
    """
    scope = scope or Scope()
    mentors = _mentor_rows(db, scope)
    mentees = _mentee_rows(db, scope)
    keys = pd.concat([mentors[_KEYS], mentees[_KEYS]]).drop_duplicates()
    if keys.empty:
        return pd.DataFrame(columns=list(SUMMARY_COLUMNS))

    mentors["is_trained"] = mentors["trained"].eq(True)
    mentors["overloaded"] = mentors["load"].gt(MENTOR_LOAD_LIMIT).fillna(False)
    by_mentors = mentors.groupby(_KEYS).agg(
        mentors=("is_trained", "size"),
        mentors_trained=("is_trained", "sum"),
        overloaded_mentors=("overloaded", "sum"),
        max_load=("load", "max"),
    )

    teacher = ~mentees["category"].eq("student")
    completed = mentees["completed"].eq(True)
    flags = pd.DataFrame(
        {
            "org_id": mentees["org_id"],
            "period": mentees["period"],
            "mentees": 1,
            "teacher_mentees": teacher,
            "young_specialists": mentees["category"].eq("young_specialist"),
            "student_mentees": mentees["category"].eq("student"),
            "mentees_completed": completed,
            "teacher_mentees_completed": teacher & completed,
            "mentees_answered": mentees["completed"].notna(),
            "without_mentor": mentees["mentor_ref"].isna(),
            "unmatched_mentor": mentees["mentor_ref"].notna()
            & ~mentees["mentor_found"].astype(bool)
            & mentees["mentors_listed"].astype(bool),
        }
    )
    by_mentees = flags.groupby(_KEYS).sum()
    answered = by_mentees["mentees_answered"]
    by_mentees["completion_pct"] = (
        100.0 * by_mentees["mentees_completed"] / answered.where(answered > 0)
    )
    units = _units(mentees).groupby(_KEYS)[["pairs", "groups"]].sum()
    programmes = (
        _programmes(mentors, mentees)
        .groupby(_KEYS)["months"]
        .agg(programmes="size", months_min="min", months_median="median", months_max="max")
    )

    frame = keys.set_index(_KEYS)
    frame = frame.join([by_mentors, by_mentees, units, programmes], how="left").reset_index()
    frame["mentors_listed"] = frame["mentors"].notna()
    frame["mentees_listed"] = frame["mentees"].notna()
    for column in ("pairs", "groups"):
        frame[column] = frame[column].fillna(0).where(frame["mentees_listed"])
    frame["programmes"] = frame["programmes"].fillna(0)
    counts = [c for c in SUMMARY_COLUMNS if c not in _NOT_COUNTS]
    for column in counts:
        frame[column] = pd.array(frame[column], dtype="Float64").astype("Int64")
    frame = frame.merge(_places(db), on="org_id", how="left")
    return _sorted(db, frame)[list(SUMMARY_COLUMNS)]


_NOT_COUNTS = frozenset(
    {
        *_IDENTITY_COLUMNS,
        "mentors_listed",
        "mentees_listed",
        "completion_pct",
        "months_median",
    }
)


def _places(db: Database) -> pd.DataFrame:
    return hierarchy(db)[
        [
            "org_id",
            "organization",
            "org_type",
            "region_id",
            "region",
            "municipality_id",
            "municipality",
            "district_id",
            "district",
        ]
    ]


def _sorted(db: Database, frame: pd.DataFrame) -> pd.DataFrame:
    order = db.query("SELECT period, start_year FROM periods")
    frame = frame.merge(order, on="period", how="left")
    frame = frame.sort_values(
        ["start_year", "period", "region", "municipality", "organization"], kind="stable"
    )
    return frame.drop(columns=["start_year"]).reset_index(drop=True)


def totals(summary: pd.DataFrame) -> dict[str, int]:
    """The counts of :func:`person_base_summary` summed over its rows (blanks skipped)."""
    counted = [c for c in SUMMARY_COLUMNS if c not in _NOT_COUNTS and c not in _NOT_SUMMED]
    return {c: int(summary[c].sum(skipna=True)) for c in counted} | {
        "organizations": int(summary["org_id"].nunique())
    }


_NOT_SUMMED = frozenset({"max_load", "months_min", "months_max"})


def form_distribution(db: Database, scope: Scope | None = None) -> pd.DataFrame:
    """Mentors, mentees, pairs and groups by form of mentoring, in the contract's order
    (forms nobody uses are left out; a blank form is «форма не указана»)."""
    scope = scope or Scope()
    mentors = _mentor_rows(db, scope)
    mentees = _mentee_rows(db, scope)
    units = _units(mentees)
    rows = []
    for code, label in [*((c.code, c.label) for c in MENTORING_FORMS), (None, NO_FORM_LABEL)]:

        def of(frame: pd.DataFrame, code: str | None = code) -> pd.DataFrame:
            forms = frame["mentoring_form"]
            return frame[forms.isna() if code is None else forms.eq(code)]

        row = {
            "form": code,
            "label": label,
            "mentors": len(of(mentors)),
            "mentees": len(of(mentees)),
            "pairs": int(of(units)["pairs"].sum()),
            "groups": int(of(units)["groups"].sum()),
        }
        if row["mentors"] or row["mentees"]:
            rows.append(row)
    return pd.DataFrame(rows, columns=["form", "label", "mentors", "mentees", "pairs", "groups"])


def mentor_loads(db: Database, scope: Scope | None = None) -> pd.DataFrame:
    """One row per mentor, without the name: organisation, period, the number of
    mentees (``load``; blank where neither register says), whether it is counted in the
    base of mentees (else planned) and whether it exceeds :data:`MENTOR_LOAD_LIMIT`."""
    mentors = _mentor_rows(db, scope or Scope())
    return pd.DataFrame(
        {
            "org_id": mentors["org_id"],
            "period": mentors["period"],
            "load": mentors["load"],
            "counted": mentors["mentees_listed"].astype(bool),
            "overloaded": mentors["load"].gt(MENTOR_LOAD_LIMIT).fillna(False).astype(bool),
        }
    )


def load_distribution(loads: pd.DataFrame, top: int = MENTOR_LOAD_LIMIT + 2) -> pd.DataFrame:
    """How many mentors have 0, 1, 2, … mentees; the last bucket is «``top`` и более»."""
    known = loads["load"].dropna().astype(int)
    rows = []
    for n in range(top + 1):
        count = int((known == n).sum()) if n < top else int((known >= n).sum())
        rows.append(
            {
                "mentees": n,
                "label": str(n) if n < top else f"{n} и более",
                "mentors": count,
                "overloaded": n > MENTOR_LOAD_LIMIT,
            }
        )
    return pd.DataFrame(rows)


# --- forms against registers ---------------------------------------------------------


@dataclass(frozen=True)
class Comparison:
    """A count a form states that its organisation's register can be counted for.

    ``register`` is a column of :func:`person_base_summary`; ``kind`` is the register it
    needs (the comparison is made only where that register was uploaded).
    """

    field: str
    register: str
    kind: FormKind


# «в базе наставников»: where a register's count was found, for sentences.
IN_REGISTER: dict[FormKind, str] = {
    FormKind.MENTORS: "в базе наставников",
    FormKind.MENTEES: "в базе наставляемых",
}

COMPARISONS: tuple[Comparison, ...] = (
    Comparison("mentors", "mentors", FormKind.MENTORS),
    Comparison("mentors_trained", "mentors_trained", FormKind.MENTORS),
    Comparison("mentees", "teacher_mentees", FormKind.MENTEES),
    Comparison("mentees_completed", "teacher_mentees_completed", FormKind.MENTEES),
    Comparison("pairs", "pairs", FormKind.MENTEES),
    Comparison("groups", "groups", FormKind.MENTEES),
)

COMPARED_COLUMNS: tuple[str, ...] = (
    *_PLACE_COLUMNS,
    "field",
    "field_name",
    "register_name",
    "register_in",
    "form_value",
    "register_value",
    "difference",
)


def _compared(db: Database, scope: Scope) -> pd.DataFrame:
    """Every comparison that can be made: a form value and a register count."""
    summary = person_base_summary(db, scope)
    if summary.empty:
        return pd.DataFrame(columns=[*COMPARED_COLUMNS, *TERRITORY_KEYS])
    where, params = scope.where("o")
    periods, period_params = scope.period_where("f.period")
    fields = ", ".join(f"f.{c.field}" for c in COMPARISONS)
    forms = db.query(
        f"SELECT f.org_id, f.period, {fields} FROM form_values f "
        f"JOIN {ORG_PLACES} o ON o.org_id = f.org_id WHERE TRUE{where}{periods}",
        [*params, *period_params],
    )
    both = summary.merge(forms, on=_KEYS, how="inner", suffixes=("", "_form"))
    parts = []
    for c in COMPARISONS:
        listed = "mentors_listed" if c.kind is FormKind.MENTORS else "mentees_listed"
        form_column = f"{c.field}_form" if c.field in summary.columns else c.field
        rows = both[both[listed] & both[form_column].notna()]
        parts.append(
            pd.DataFrame(
                {
                    **{k: rows[k] for k in ("period", "region", "municipality", "district")},
                    "org_id": rows["org_id"],
                    "organization": rows["organization"],
                    "field": c.field,
                    "field_name": FIELDS_BY_CODE[c.field].header,
                    "register_name": KIND_LABELS[c.kind],
                    "register_in": IN_REGISTER[c.kind],
                    "form_value": rows[form_column].astype("Int64"),
                    "register_value": rows[c.register].astype("Int64"),
                }
            )
        )
    frame = pd.concat(parts, ignore_index=True)
    frame["difference"] = frame["register_value"] - frame["form_value"]
    frame = frame.merge(_places(db)[["org_id", *TERRITORY_KEYS]], on="org_id", how="left")
    order = {c.field: n for n, c in enumerate(COMPARISONS)}
    frame["order"] = frame["field"].map(order)
    frame = _sorted(db, frame)
    return frame.sort_values(
        ["period", "region", "municipality", "organization", "order"], kind="stable"
    ).drop(columns=["order"])


def cross_check(db: Database, scope: Scope | None = None) -> pd.DataFrame:
    """Where a school's form and its register disagree: one row per school, period and
    count (:data:`COMPARED_COLUMNS`); ``difference`` is register minus form, so a form
    stating 12 mentors against 7 in the base of mentors gives −5."""
    frame = _compared(db, scope or Scope())
    frame = frame[frame["difference"] != 0]
    return frame[list(COMPARED_COLUMNS)].reset_index(drop=True)


TOTAL_COLUMNS: tuple[str, ...] = (
    "period",
    "level",
    "territory_id",
    "territory",
    "field",
    "field_name",
    "register_name",
    "schools",
    "schools_differing",
    "form_value",
    "register_value",
    "difference",
)


def cross_check_totals(
    db: Database, scope: Scope | None = None, level: Level = Level.MUNICIPALITY
) -> pd.DataFrame:
    """The cross-check summed per territory of ``level``, over the schools that have both
    the form and the register (:data:`TOTAL_COLUMNS`): how many schools were compared, how
    many disagree, and the form's and the registers' sums."""
    if level is Level.ORGANIZATION:
        raise ValueError(f"level {level} is not a territory")
    frame = _compared(db, scope or Scope())
    info = LEVEL_INFO[level]
    key, name = info.key, info.name
    frame = frame.assign(
        differing=frame["difference"] != 0,
        territory_id=frame[key] if key else 0,
        territory=frame[name] if name else info.label,
    )
    if key:
        frame = frame.dropna(subset=["territory_id"])
    if frame.empty:
        return pd.DataFrame(columns=list(TOTAL_COLUMNS))
    grouped = (
        frame.groupby(
            ["period", "territory_id", "territory", "field", "field_name", "register_name"],
            sort=False,
        )
        .agg(
            schools=("org_id", "nunique"),
            schools_differing=("differing", "sum"),
            form_value=("form_value", "sum"),
            register_value=("register_value", "sum"),
        )
        .reset_index()
    )
    grouped["difference"] = grouped["register_value"] - grouped["form_value"]
    grouped["level"] = str(level)
    grouped["territory_id"] = grouped["territory_id"].astype("Int64")
    grouped["schools_differing"] = grouped["schools_differing"].astype(int)
    return grouped[list(TOTAL_COLUMNS)]


# --- personal data -------------------------------------------------------------------


def people(
    db: Database, org_id: int, period: str | None = None
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """An organisation's mentors and mentees **with their names** (personal data).

    For the «Данные» page only: never for an aggregate, a chart, a note or an export.
    """
    where = "WHERE x.org_id = ?" + (" AND x.period = ?" if period else "")
    params = [org_id, *([period] if period else [])]
    mentors = db.query(
        f"""
        SELECT x.period, x.full_name, x.position, x.experience_years, x.mentoring_form,
            x.planned_mentees,
            (SELECT count(*) FROM mentees e WHERE e.org_id = x.org_id AND e.period = x.period
                AND e.mentor_key = x.name_key) AS mentees,
            x.start_date, x.end_date, x.trained, x.source_sheet, x.source_row
        FROM mentors x {where}
        ORDER BY x.period, x.upload_id, x.source_sheet, x.source_row
        """,
        params,
    )
    mentees = db.query(
        f"""
        SELECT x.period, x.full_name, x.category, x.mentor_name,
            t.person_id IS NOT NULL AS mentor_found, x.mentoring_form, x.start_date,
            x.end_date, x.completed, x.source_sheet, x.source_row
        FROM mentees x
        LEFT JOIN mentors t ON t.org_id = x.org_id AND t.period = x.period
            AND t.name_key = x.mentor_key
        {where}
        ORDER BY x.period, x.upload_id, x.source_sheet, x.source_row
        """,
        params,
    )
    return mentors, mentees


@dataclass(frozen=True)
class Deleted:
    """What :func:`delete_person_bases` removed."""

    mentors: int
    mentees: int
    uploads: tuple[int, ...]
    files: tuple[str, ...]


def delete_person_bases(
    db: Database, org_id: int, period: str | None = None, user: str | None = None
) -> Deleted:
    """Delete an organisation's bases of mentors and mentees (for ``period``, or all),
    with the names they hold everywhere: the registers, their history, their rows a round's
    coordinator returned, the warnings
    stored with the uploads (they may quote a mentor's name) and the archived files.

    An archived file holds every row it was uploaded with, so the file of every upload
    that had rows of this organisation is removed (for a file of several organisations,
    their rows stay in the database) and ``uploads.purged_at`` records it. The forms and
    the indicators computed from them are not touched. The database file is then
    rewritten (:meth:`Database.rewrite`), so the names are gone from its bytes too; a
    backup made before still holds them.
    """
    where = "org_id = ?" + (" AND period = ?" if period else "")
    params: list[object] = [org_id, *([period] if period else [])]
    counts: dict[FormKind, int] = {}
    with db.transaction() as cur:
        mark_data_changed(cur)
        touched: set[int] = set()
        for kind, table in PERSON_TABLES.items():
            for name in (table, f"{table}_history", f"{table}_withheld"):
                found = cur.execute(
                    f"SELECT DISTINCT upload_id FROM {name} WHERE {where}", params
                ).fetchall()
                touched |= {int(u) for (u,) in found}
            counts[kind] = int(
                cur.execute(f"SELECT count(*) FROM {table} WHERE {where}", params).fetchall()[0][0]
            )
            cur.execute(f"DELETE FROM {table} WHERE {where}", params)
            cur.execute(f"DELETE FROM {table}_history WHERE {where}", params)
            cur.execute(f"DELETE FROM {table}_withheld WHERE {where}", params)
        files = _purge_uploads(cur, sorted(touched), db.uploads_dir)
        cur.execute("INSERT OR REPLACE INTO meta VALUES (?, 1)", [REWRITE_KEY])
        audit.record(
            cur,
            audit.Action.PERSON_BASES_DELETED,
            f"организация {org_id}",
            user,
            {"period": period or "все периоды", **{str(k): n for k, n in counts.items()}},
        )
    # A kill before the files are gone leaves them owned by no upload: the start-up sweep
    # removes them (see analytics.store.sweep).
    faults.point("bases.committed")
    for path in files:
        path.unlink(missing_ok=True)
    db.rewrite()
    return Deleted(
        counts[FormKind.MENTORS],
        counts[FormKind.MENTEES],
        tuple(sorted(touched)),
        tuple(sorted(p.name for p in files)),
    )


def _purge_uploads(
    cur: duckdb.DuckDBPyConnection, upload_ids: Sequence[int], directory: Path
) -> list[Path]:
    """Mark the uploads (and any other upload of the same file) purged; the archived files
    to remove once the transaction commits."""
    if not upload_ids:
        return []
    rows = cur.execute(
        "SELECT DISTINCT sha256, file_name FROM uploads WHERE upload_id IN (SELECT unnest(?))",
        [list(upload_ids)],
    ).fetchall()
    cur.execute(
        "UPDATE uploads SET purged_at = ?, warnings = '[]' WHERE sha256 IN "
        "(SELECT sha256 FROM uploads WHERE upload_id IN (SELECT unnest(?)))",
        [datetime.now(), list(upload_ids)],
    )
    return [archive_path(directory, sha, name) for sha, name in rows]
