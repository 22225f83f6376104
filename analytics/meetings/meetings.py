"""Working-group meetings: a meeting is held over the monitoring results of one period
and territory, with the indicator values frozen as they were when it opened.

DuckDB keeps no old versions of a table, so opening a meeting copies the indicator rows
of its period and scope into ``meeting_values``; the presentation and the protocol read
that copy, and a later upload changes nothing they show. The screens shown are recorded
in order: they are the agenda of the protocol.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

import numpy as np
import pandas as pd

from analytics.compute import lookups
from analytics.compute.indicators import compute, deficits
from analytics.compute.status import DEFICIT_STATUSES, assess
from analytics.compute.trajectories import territory_exists, territory_name, territory_of
from analytics.model.catalogue import INDICATORS, INDICATORS_BY_ID
from analytics.model.errors import MonitoringError
from analytics.model.levels import Level
from analytics.store.db import Database, first_value, registered
from analytics.store.scope import Scope
from analytics.wording.narrative import period_label

DEFAULT_TITLE = (
    "рабочей группы по вопросам реализации целевой модели наставничества педагогических работников"
)
# The frozen copy keeps what the presentation and the protocol read; the rest of a
# computed row (deficit, gap, the catalogue name) is derived again on reading.
SNAPSHOT_COLUMNS: tuple[str, ...] = (
    "indicator",
    "level",
    "period",
    "region_id",
    "municipality_id",
    "district_id",
    "org_id",
    "region",
    "municipality",
    "district",
    "organization",
    "numerator",
    "denominator",
    "orgs",
    "value",
    "target",
    "better",
    "status",
    "ord",
)
OVERVIEW, DECISIONS = "overview", "decisions"


class MeetingError(MonitoringError, ValueError):
    """A meeting that cannot be created or found; the message is in Russian."""


@dataclass(frozen=True)
class Meeting:
    meeting_id: int
    held_on: date
    title: str
    place: str | None
    period: str
    region_id: int | None
    municipality_id: int | None
    district_id: int | None
    org_type: str | None
    data_version: int
    opened_at: datetime
    attendees: tuple[str, ...]
    chair: str | None
    secretary: str | None
    # When the frozen values' data last changed (None for a meeting held before the
    # moment was recorded): what the protocol and the screens state.
    data_at: datetime | None = None

    @property
    def territory(self) -> tuple[Level, int]:
        """The meeting's territory as (level, id): the scope's summary row describes it."""
        return self.scope.unit()

    @property
    def scope(self) -> Scope:
        return Scope(
            periods=(self.period,),
            org_type=self.org_type,
            region_id=self.region_id,
            municipality_id=self.municipality_id,
            district_id=self.district_id,
        )


@dataclass(frozen=True)
class Sitting:
    """What is typed in about a meeting besides its scope. ``attendees`` is a list of
    names or text with one name per line."""

    held_on: date
    title: str = DEFAULT_TITLE
    place: str | None = None
    attendees: tuple[str, ...] | str = ()
    chair: str | None = None
    secretary: str | None = None


@dataclass(frozen=True)
class Screen:
    """One screen of the presentation: the summary table, one indicator, or the
    meeting's decisions."""

    key: str
    title: str
    indicator: str | None = None


def _clean_lines(lines: object) -> tuple[str, ...]:
    if isinstance(lines, str):
        lines = lines.splitlines()
    return tuple(s for s in (str(line).strip() for line in lines or ()) if s)


def _optional_id(value: object) -> int | None:
    return None if value is None or pd.isna(value) else int(value)


def create_meeting(
    db: Database,
    scope: Scope,
    sitting: Sitting,
    *,
    user: str | None = None,
    now: datetime | None = None,
) -> int:
    """Open a meeting over ``scope`` — one period, a territory (or all) and an org type
    (or all) — and freeze the indicator values of that scope; returns its id. A scope
    narrowed to organisations or indicators is refused: a meeting covers a territory."""
    if scope.periods is None or len(scope.periods) != 1:
        raise MeetingError("Заседание проводится за один период: выберите период.")
    if scope.org_id is not None or scope.org_ids is not None or scope.indicators is not None:
        raise MeetingError(
            "Заседание проводится по территории и всем её показателям, а не по отдельным "
            "организациям или показателям."
        )
    (period,) = scope.periods
    if period not in lookups.periods(db):
        raise MeetingError(f"Период «{period}» не найден в базе.")
    title = sitting.title
    if not title.strip():
        raise MeetingError("Не указано название рабочей группы.")
    now = now or datetime.now()
    version = db.data_version()
    data_at = db.data_stamp()
    scope = Scope(
        periods=(period,),
        org_type=scope.org_type,
        region_id=scope.region_id,
        municipality_id=scope.municipality_id,
        district_id=scope.district_id,
    )
    for level, territory in scope.units():
        if not territory_exists(db, level, territory):
            raise MeetingError(f"Территория с кодом {territory} не найдена в базе.")
    frame = compute(db, scope)
    if frame["value"].isna().all():
        raise MeetingError(
            f"За {period_label(period)} под выбранными фильтрами нет значений показателей: "
            "заседанию нечего показать. Измените период, территорию или тип ОО."
        )
    snapshot = frame[list(SNAPSHOT_COLUMNS)]
    with db.transaction() as cur:
        meeting_id = int(first_value(cur, "SELECT nextval('meeting_seq')"))
        cur.execute(
            "INSERT INTO meetings VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [
                meeting_id,
                sitting.held_on,
                title.strip(),
                (sitting.place or "").strip() or None,
                period,
                scope.region_id,
                scope.municipality_id,
                scope.district_id,
                scope.org_type,
                version,
                now,
                "\n".join(_clean_lines(sitting.attendees)),
                (sitting.chair or "").strip() or None,
                (sitting.secretary or "").strip() or None,
                user,
                now,
                user,
                now,
                data_at,
            ],
        )
        with registered(cur, "snapshot_rows", snapshot):
            cur.execute(
                f"INSERT INTO meeting_values SELECT ?, {', '.join(SNAPSHOT_COLUMNS)} "
                "FROM snapshot_rows",
                [meeting_id],
            )
    return meeting_id


def get_meeting(db: Database, meeting_id: int) -> Meeting:
    frame = db.query("SELECT * FROM meetings WHERE meeting_id = ?", [meeting_id])
    if frame.empty:
        raise MeetingError(f"Заседание № {meeting_id} не найдено.")
    row = frame.iloc[0]
    return Meeting(
        meeting_id=int(row["meeting_id"]),
        held_on=pd.Timestamp(row["held_on"]).date(),
        title=str(row["title"]),
        place=row["place"] if isinstance(row["place"], str) else None,
        period=str(row["period"]),
        region_id=_optional_id(row["region_id"]),
        municipality_id=_optional_id(row["municipality_id"]),
        district_id=_optional_id(row["district_id"]),
        org_type=row["org_type"] if isinstance(row["org_type"], str) else None,
        data_version=int(row["data_version"]),
        opened_at=pd.Timestamp(row["opened_at"]).to_pydatetime(),
        attendees=_clean_lines(row["attendees"]),
        chair=row["chair"] if isinstance(row["chair"], str) else None,
        secretary=row["secretary"] if isinstance(row["secretary"], str) else None,
        data_at=pd.Timestamp(row["data_at"]).to_pydatetime() if pd.notna(row["data_at"]) else None,
    )


def update_meeting(
    db: Database,
    meeting_id: int,
    *,
    attendees: object | None = None,
    place: str | None = None,
    chair: str | None = None,
    secretary: str | None = None,
    user: str | None = None,
    now: datetime | None = None,
) -> None:
    """Change the typed-in details of a meeting; arguments left None stay as they are."""
    get_meeting(db, meeting_id)
    changes: dict[str, object] = {}
    if attendees is not None:
        changes["attendees"] = "\n".join(_clean_lines(attendees))
    for column, value in (("place", place), ("chair", chair), ("secretary", secretary)):
        if value is not None:
            changes[column] = value.strip() or None
    if not changes:
        return
    # Column names come from the fixed tuple above, never from the caller.
    assignments = ", ".join(f"{column} = ?" for column in changes)
    with db.transaction() as cur:
        cur.execute(
            f"UPDATE meetings SET {assignments}, updated_by = ?, updated_at = ? "
            "WHERE meeting_id = ?",
            [*changes.values(), user, now or datetime.now(), meeting_id],
        )


def list_meetings(db: Database) -> pd.DataFrame:
    """Every meeting, latest first, with its territory's name and number of decisions."""
    frame = db.query(
        """
        SELECT m.meeting_id, m.held_on, m.title, m.period, m.region_id, m.municipality_id,
            m.district_id, m.org_type, m.data_version,
            (SELECT count(*) FROM decisions d WHERE d.meeting_id = m.meeting_id) AS decisions
        FROM meetings m
        ORDER BY m.held_on DESC, m.meeting_id DESC
        """
    )
    frame["territory"] = [
        territory_name(db, *territory_of(_optional_id(r), _optional_id(m), _optional_id(d)))
        for r, m, d in zip(
            frame["region_id"], frame["municipality_id"], frame["district_id"], strict=True
        )
    ]
    return frame


def frozen_values(db: Database, meeting_id: int) -> pd.DataFrame:
    """The indicator rows frozen when the meeting opened, shaped like
    :func:`analytics.compute.indicators.compute` output (``name``, ``deficit``, ``gap`` and
    ``shortfall`` too)."""
    frame = db.query(
        f"SELECT {', '.join(SNAPSHOT_COLUMNS)} FROM meeting_values WHERE meeting_id = ? "
        "ORDER BY ord, level, region NULLS FIRST, municipality NULLS FIRST, "
        "district NULLS FIRST, organization NULLS FIRST",
        [meeting_id],
    )
    for key in ("org_id", "region_id", "municipality_id", "district_id"):
        frame[key] = frame[key].astype("Int64")
    for column in ("region", "municipality", "district", "organization", "status"):
        frame[column] = pd.Series(
            frame[column].to_numpy(dtype=object, na_value=None), index=frame.index, dtype=object
        )
    frame["name"] = frame["indicator"].map(lambda i: INDICATORS_BY_ID[i].name)
    frame["deficit"] = frame["status"].isin(DEFICIT_STATUSES)
    _code, frame["gap"], frame["shortfall"] = assess(
        db,
        frame["value"].to_numpy(dtype=float, na_value=np.nan),
        frame["target"].to_numpy(dtype=float, na_value=np.nan),
        (frame["better"] == "higher").to_numpy(dtype=bool),
    )
    return frame


def screens(values: pd.DataFrame) -> list[Screen]:
    """The presentation: the summary table, then each indicator with a value (those that
    miss their target first, the largest gap first), then the meeting's decisions."""
    total = values[(values["level"] == Level.TOTAL) & values["value"].notna()]
    missed = deficits(total)
    met = [i.id for i in INDICATORS if i.id in set(total["indicator"]) - set(missed["indicator"])]
    ordered = [*missed["indicator"], *met]
    return [
        Screen(OVERVIEW, "Сводка показателей"),
        *(Screen(f"indicator:{i}", INDICATORS_BY_ID[i].name, i) for i in ordered),
        Screen(DECISIONS, "Поручения заседания"),
    ]


def mark_shown(
    db: Database,
    meeting_id: int,
    screen: Screen,
    user: str | None = None,
    now: datetime | None = None,
) -> None:
    """Record that a screen was shown (once: its first showing fixes its agenda place)."""
    shown = db.scalar(
        "SELECT count(*) FROM meeting_screens WHERE meeting_id = ? AND screen = ?",
        [meeting_id, screen.key],
    )
    if shown:
        return
    with db.transaction() as cur:
        cur.execute(
            "INSERT OR IGNORE INTO meeting_screens SELECT ?, coalesce(max(position), 0) + 1, "
            "?, ?, ? FROM meeting_screens WHERE meeting_id = ?",
            [meeting_id, screen.key, screen.title, now or datetime.now(), meeting_id],
        )


def agenda(db: Database, meeting_id: int) -> pd.DataFrame:
    """The screens shown at the meeting, in the order they were first shown."""
    return db.query(
        "SELECT position, screen, title, shown_at FROM meeting_screens WHERE meeting_id = ? "
        "ORDER BY position",
        [meeting_id],
    )


def newer_data(db: Database, meeting: Meeting) -> bool:
    """Whether the data changed since the meeting's values were frozen: the data stamp
    moved past the meeting's (the data version alone cannot tell: writing a decision
    bumps it too). A meeting held before its stamp was recorded compares its opening."""
    stamp = db.data_stamp()
    return stamp is not None and stamp > (meeting.data_at or meeting.opened_at)


def approving_meeting(db: Database, scope: Scope, on_or_before: date) -> Meeting | None:
    """The latest meeting held by ``on_or_before`` over the same period (the scope's one),
    territory and org type as ``scope``: its protocol took the results into consideration,
    so the note names it. A municipality's (or district's) meeting matches whether or not
    its parents were set when it opened."""
    meeting_id = db.scalar(
        """
        SELECT meeting_id FROM meetings
        WHERE period = ? AND org_type IS NOT DISTINCT FROM ?
            AND district_id IS NOT DISTINCT FROM ?
            AND (district_id IS NOT NULL OR municipality_id IS NOT DISTINCT FROM ?)
            AND (municipality_id IS NOT NULL OR region_id IS NOT DISTINCT FROM ?)
            AND held_on <= ?
        ORDER BY held_on DESC, meeting_id DESC
        LIMIT 1
        """,
        [
            scope.periods[0] if scope.periods else None,
            scope.org_type,
            scope.district_id,
            scope.municipality_id,
            scope.region_id,
            on_or_before,
        ],
    )
    return None if meeting_id is None else get_meeting(db, int(meeting_id))
