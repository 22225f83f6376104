"""Read-only lists the views and the command line need: periods, territories,
organisations, uploads, who has not reported, an organisation's submitted values.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import TYPE_CHECKING

from analytics.model.contract import FORM_VALUE_FIELDS, ORG_TYPES_BY_CODE
from analytics.model.levels import LEVEL_INFO, Level
from analytics.model.periods import SQL_ORDER
from analytics.model.text import fold
from analytics.store.db import Database
from analytics.store.scope import ORG_PLACES, Scope

# pandas is imported where a frame is made: a command that only has DuckDB write a table
# (``indicators --format csv``) starts without it.
if TYPE_CHECKING:
    import pandas as pd


def periods(db: Database) -> list[str]:
    """Period codes, oldest first."""
    frame = db.query(f"SELECT period FROM periods ORDER BY {SQL_ORDER}")
    return frame["period"].tolist()


# A period is shown by default once this share of the organisations expected sent a form.
SUBSTANTIAL_SHARE = 0.5


def default_period(db: Database) -> str | None:
    """The period every screen opens on: the latest one with substantial reporting.

    A period is substantial when the organisations that sent a form for it number at
    least :data:`SUBSTANTIAL_SHARE` of those expected: the registry where one is loaded,
    otherwise the forms of the period before it (the first period, with nothing to
    compare, is substantial with any form). So a newer period with the first three
    schools' forms does not replace last year's complete picture for everyone; it
    becomes the default once half the organisations have reported. Where no period is
    substantial, the latest one; None without data.
    """
    frame = db.query(
        f"""
        SELECT p.period, count(DISTINCT f.org_id) AS forms
        FROM periods p LEFT JOIN form_values f USING (period)
        GROUP BY p.period, p.start_year, p.is_school_year
        ORDER BY {SQL_ORDER}
        """
    )
    if frame.empty:
        return None
    registry = int(db.scalar("SELECT count(*) FROM registry") or 0)
    forms = [int(n) for n in frame["forms"]]
    chosen = None
    for k, (period, count_) in enumerate(zip(frame["period"], forms, strict=True)):
        expected = registry or (forms[k - 1] if k > 0 else 0)
        if count_ > 0 and count_ >= SUBSTANTIAL_SHARE * expected:
            chosen = str(period)
    return chosen or str(frame["period"].iloc[-1])


def hierarchy(db: Database) -> pd.DataFrame:
    """One row per organisation with its territory ids and names."""
    return db.query(
        """
        SELECT o.org_id, o.name AS organization, o.inn, o.org_type,
            r.region_id, r.name AS region, m.municipality_id, m.name AS municipality,
            d.district_id, d.name AS district, reg.org_id IS NOT NULL AS in_registry
        FROM organizations o
        JOIN municipalities m USING (municipality_id)
        JOIN regions r USING (region_id)
        LEFT JOIN districts d USING (district_id)
        LEFT JOIN registry reg ON reg.org_id = o.org_id
        ORDER BY r.name, m.name, d.name NULLS FIRST, o.name
        """
    )


def territories(db: Database, org_ids: Sequence[int] | None = None) -> pd.DataFrame:
    """The territories of :func:`hierarchy`'s organisations (of ``org_ids`` only, if
    given): one row per distinct region, municipality and district, with their names;
    a few thousand rows for a country where the hierarchy has 100,000."""
    where = "WHERE o.org_id IN (SELECT unnest($1::BIGINT[]))" if org_ids is not None else ""
    return db.query(
        f"""
        SELECT DISTINCT r.region_id, r.name AS region, m.municipality_id,
            m.name AS municipality, d.district_id, d.name AS district
        FROM organizations o
        JOIN municipalities m USING (municipality_id)
        JOIN regions r USING (region_id)
        LEFT JOIN districts d USING (district_id)
        {where}
        ORDER BY region, municipality, district NULLS FIRST
        """,
        [list(org_ids)] if org_ids is not None else [],
    )


def organizations_under(
    db: Database, scope: Scope, limit: int
) -> tuple[int, list[tuple[int, str]]]:
    """How many organisations ``scope`` covers (its territory, type and ``org_ids``; not
    its periods) and, when there are at most ``limit``, their (id, name) in the order of
    :func:`hierarchy`; none above it. Counted in SQL: a country has 100,000."""
    where, params = scope.where("p")
    rows = db.query(
        f"""
        SELECT org_id, name, count(*) OVER () AS total
        FROM {ORG_PLACES} p
        WHERE TRUE {where}
        ORDER BY region, municipality, district NULLS FIRST, name, org_id
        LIMIT ?
        """,
        [*params, limit + 1],
    )
    total = int(rows["total"].iloc[0]) if len(rows) else 0
    if total > limit:
        return total, []
    return total, list(zip(rows["org_id"].astype(int).tolist(), rows["name"].tolist(), strict=True))


def find_territory(db: Database, level: str, name: str, parent_id: int | None = None) -> int | None:
    """The id of a region, municipality or district named ``name`` (any spelling), within
    the territory ``parent_id`` of the level above where given."""
    info = LEVEL_INFO[Level(level)]
    parent = LEVEL_INFO[info.parent].key if parent_id is not None and info.parent else None
    frame = db.query(
        f"SELECT {info.key} AS id, name FROM {info.table}"
        + (f" WHERE {parent} = ?" if parent else ""),
        [parent_id] if parent else [],
    )
    wanted = fold(name)
    matches = frame[frame["name"].map(fold) == wanted]
    return int(matches["id"].iloc[0]) if len(matches) else None


def org_type_code(text: str | None) -> str | None:
    """An org type code from a code or a Russian label; ValueError if unknown."""
    if text is None:
        return None
    if text in ORG_TYPES_BY_CODE:
        return text
    # The ingest's parser (and NumPy with it) only for a label to read.
    from analytics.ingest.normalize import parse_org_type

    return parse_org_type(text)


def non_reporting(db: Database, period: str, scope: Scope | None = None) -> pd.DataFrame:
    """Organisations in the registry with no form for ``period`` (of ``scope``'s
    territory, organisation and type, if given; its periods are not used)."""
    where, params = scope.where("o") if scope else ("", [])
    return db.query(
        f"""
        SELECT o.org_id, o.name AS organization, o.inn, o.org_type,
            o.region, o.municipality, o.district
        FROM registry reg
        JOIN {ORG_PLACES} o USING (org_id)
        WHERE NOT EXISTS (
            SELECT 1 FROM form_values f WHERE f.org_id = o.org_id AND f.period = ?){where}
        ORDER BY o.region, o.municipality, o.name
        """,
        [period, *params],
    )


# The definition in words, for the screens that show the count.
MONITORED_HELP = "ОО под фильтрами из реестра ОО или приславшие форму за период"


def monitored_organizations(db: Database, period: str, scope: Scope | None = None) -> pd.DataFrame:
    """«Организации в мониторинге» of ``period``: those of ``scope`` (its periods are not
    used) in the registry or with a form for the period, one ``org_id`` each. Every
    screen counts organisations in the monitoring with this function."""
    where, params = scope.where("o") if scope else ("", [])
    return db.query(
        f"""
        SELECT o.org_id
        FROM {ORG_PLACES} o
        WHERE (o.org_id IN (SELECT org_id FROM registry)
            OR o.org_id IN (SELECT org_id FROM form_values WHERE period = ?)){where}
        ORDER BY o.org_id
        """,
        [period, *params],
    )


def uploads(db: Database) -> pd.DataFrame:
    """The upload history, newest first; ``purged_at`` is when the personal data of a
    register upload was deleted (with its archived file)."""
    return db.query(
        "SELECT upload_id, file_name, kind, uploaded_at, rows, uploaded_by, sha256, "
        "rolled_back_at, warnings, purged_at FROM uploads ORDER BY upload_id DESC"
    )


def submitted_values(db: Database, org_id: int) -> pd.DataFrame:
    """An organisation's forms as entered: one column per period, one row per question."""
    frame = db.query(
        "SELECT f.period, f.entered, p.start_year FROM form_values f "
        "JOIN periods p USING (period) WHERE org_id = ? ORDER BY p.start_year",
        [org_id],
    )
    import pandas as pd

    table = pd.DataFrame({"Вопрос формы": [f.header for f in FORM_VALUE_FIELDS]})
    for period, entered in zip(frame["period"], frame["entered"], strict=True):
        answers = json.loads(entered)
        table[period] = [answers.get(f.header, "") for f in FORM_VALUE_FIELDS]
    return table


def form_values(db: Database, period: str | None = None) -> pd.DataFrame:
    """Canonical form values joined with the hierarchy, for the views and quality rules."""
    where, params = ("WHERE f.period = ?", [period]) if period else ("", [])
    return db.query(
        f"""
        SELECT f.*, o.name AS organization, o.inn, o.org_type,
            r.region_id, r.name AS region, m.municipality_id, m.name AS municipality,
            d.district_id, d.name AS district
        FROM form_values f
        JOIN organizations o USING (org_id)
        JOIN municipalities m USING (municipality_id)
        JOIN regions r USING (region_id)
        LEFT JOIN districts d USING (district_id)
        {where}
        ORDER BY f.period, r.name, m.name, o.name
        """,
        params,
    )
