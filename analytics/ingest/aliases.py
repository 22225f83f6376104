"""The names an organisation has been written with (``org_aliases``).

Uploads learn aliases by themselves (every spelling a row was placed with, and every
choice the user made in a preview), each recorded with its upload and uploader, unless it
names another organisation of the municipality; a curator's upload only proposes them
(``source = 'proposed'``, never used for matching); a coordinator adds one by hand for a
spelling the engine could not place or accepts a proposal the same way
(``python -m analytics aliases add "НАЗВАНИЕ" --org ИНН``), so the next file that writes it
so is placed without asking.
"""

from __future__ import annotations

from datetime import datetime

import pandas as pd

from analytics.ingest.identity import match_key
from analytics.model.errors import MonitoringError
from analytics.store import audit
from analytics.store.db import Database, first_row


class AliasError(MonitoringError):
    """An alias cannot be added or removed; the message is in Russian."""


def find_org(db: Database, identifier: str) -> tuple[int, str]:
    """The organisation named by its ИНН or code, as (id, display name)."""
    cur = db.cursor()
    try:
        row = first_row(
            cur,
            "SELECT org_id, name FROM organizations WHERE inn = ? OR org_id = TRY_CAST(? AS "
            "BIGINT) ORDER BY inn = ? DESC LIMIT 1",
            [identifier, identifier, identifier],
        )
    finally:
        cur.close()
    if row is None:
        raise AliasError(f"организация с ИНН или кодом «{identifier}» не найдена")
    return int(row[0]), str(row[1])


def add(db: Database, alias: str, org_id: int, user: str | None = None) -> None:
    """Record ``alias`` as a name of organisation ``org_id``.

    Refused where the name already means another organisation of the same municipality
    (by its display name or an alias): one spelling must name one organisation.
    """
    alias = " ".join(alias.split())
    if not match_key(alias):
        raise AliasError("пустое название")
    with db.transaction() as cur:
        known = cur.execute(
            "SELECT o.org_id, o.name, a.alias FROM organizations o "
            "LEFT JOIN org_aliases a ON a.org_id = o.org_id AND a.source <> 'proposed' "
            "WHERE o.municipality_id = (SELECT municipality_id FROM organizations "
            "WHERE org_id = ?)",
            [org_id],
        ).fetchall()
        for other, name, written in known:
            if other != org_id and match_key(alias) in (match_key(name), match_key(written or "")):
                raise AliasError(f"название «{alias}» уже означает организацию «{name}»")
        cur.execute(
            "INSERT INTO org_aliases (org_id, alias, source, added_by, added_at) "
            "VALUES (?, ?, 'manual', ?, ?) ON CONFLICT DO UPDATE SET source = 'manual', "
            "upload_id = NULL, added_by = excluded.added_by, added_at = excluded.added_at "
            "WHERE org_aliases.source = 'proposed'",
            [org_id, alias, user, datetime.now()],
        )
        audit.record(cur, audit.Action.ALIAS_ADDED, f"org:{org_id}", user, {"alias": alias})


def remove(db: Database, alias: str, org_id: int, user: str | None = None) -> None:
    """Forget ``alias`` of organisation ``org_id``."""
    alias = " ".join(alias.split())
    with db.transaction() as cur:
        gone = cur.execute(
            "DELETE FROM org_aliases WHERE org_id = ? AND alias = ? RETURNING alias",
            [org_id, alias],
        ).fetchall()
        if not gone:
            raise AliasError(f"у организации нет написания «{alias}»")
        audit.record(cur, audit.Action.ALIAS_REMOVED, f"org:{org_id}", user, {"alias": alias})


def listing(db: Database, org_id: int | None = None) -> pd.DataFrame:
    """Aliases with their organisation and owner: ``org_id, inn, organization, alias,
    source, upload_id, added_by, added_at``, by organisation name and alias. ``source``:
    ``manual``, ``upload`` (learnt) or ``proposed`` (by a curator's upload, not used for
    matching until the coordinator adds it)."""
    return db.query(
        "SELECT a.org_id, o.inn, o.name AS organization, a.alias, a.source, a.upload_id, "
        "a.added_by, a.added_at "
        "FROM org_aliases a JOIN organizations o USING (org_id) "
        "WHERE ? IS NULL OR a.org_id = ? ORDER BY o.name, a.alias",
        [org_id, org_id],
    )


def origin(source: str, upload_id: object, added_by: object) -> str:
    """Where an alias comes from and who added it, as the aliases table and
    ``aliases list`` say it."""
    who = f", {added_by}" if isinstance(added_by, str) and added_by else ""
    if source == "manual":
        return f"вручную{who}"
    upload = f"загрузка № {int(str(upload_id))}" if pd.notna(upload_id) else "загрузка"
    if source == "proposed":
        return f"предложено: {upload}{who}; не применяется, пока не принято"
    return f"{upload}{who}"
