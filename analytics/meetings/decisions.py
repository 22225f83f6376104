"""Decisions (поручения) of working-group meetings: what is to be done about a deficit
of an indicator in a territory or organisation, who answers for it, by when, its status,
and whether the indicator has moved since.

A decision belongs to a meeting and takes the meeting's period and org type; its
territory is a (level, id) pair as in :mod:`analytics.compute.trajectories`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime

import pandas as pd

from analytics.compute import lookups
from analytics.compute.indicators import Values, compute
from analytics.compute.trajectories import territory_name, territory_of, territory_scope
from analytics.meetings.meetings import Meeting, get_meeting
from analytics.model.catalogue import INDICATORS_BY_ID
from analytics.model.errors import MonitoringError
from analytics.model.legend import Change, Status, change_of
from analytics.model.levels import LEVEL_INFO, Level
from analytics.model.periods import period_label
from analytics.store.db import Database, first_value
from analytics.store.scope import Scope
from analytics.wording.formatting import indicator_difference, indicator_value

ASSIGNED, IN_PROGRESS, DONE, CANCELLED = "назначено", "в работе", "выполнено", "отменено"
STATUSES: tuple[str, ...] = (ASSIGNED, IN_PROGRESS, DONE, CANCELLED)
CLOSED: frozenset[str] = frozenset({DONE, CANCELLED})
IMPROVED, WORSENED, UNCHANGED, NO_DATA = (
    "улучшился",
    "ухудшился",
    "без изменений",
    "новых данных пока нет",
)


class DecisionError(MonitoringError, ValueError):
    """A decision that cannot be stored; the message is in Russian."""


@dataclass(frozen=True)
class Assignment:
    """What a decision asks: what is to be done, who answers for it, by when, and its
    status."""

    text: str
    responsible: str
    due_date: date | None
    status: str = ASSIGNED


def row_territory(row: Mapping[str, object], meeting: Meeting) -> tuple[Level, int]:
    """The territory a computed row describes: its own unit, or for the summary row the
    meeting's territory."""
    level = Level(str(row["level"]))
    key = LEVEL_INFO[level].key
    if key is None:
        return meeting.territory
    return level, int(row[key])  # type: ignore[arg-type]


def _checked(text: str, responsible: str, due_date: date | None, status: str) -> None:
    if not text.strip():
        raise DecisionError("Не указано, что поручено сделать.")
    if not responsible.strip():
        raise DecisionError("Не указан ответственный.")
    if due_date is None:
        raise DecisionError("Не указан срок исполнения.")
    if status not in STATUSES:
        raise DecisionError(f"Статус «{status}» недопустим; допустимо: {', '.join(STATUSES)}.")


def add_decision(
    db: Database,
    meeting_id: int,
    subject: Scope,
    assignment: Assignment,
    *,
    user: str | None = None,
    now: datetime | None = None,
) -> int:
    """Store a decision of a meeting; returns its id. ``subject`` names one indicator
    and the territory or organisation the decision is about, the most specific of its
    ids (none: the whole of the meeting's territory, level «total»; see
    :func:`analytics.compute.trajectories.territory_scope`); its period and org type are the
    meeting's."""
    meeting = get_meeting(db, meeting_id)
    if subject.indicators is None or len(subject.indicators) != 1:
        raise DecisionError("Поручение даётся по одному показателю: укажите его.")
    (indicator,) = subject.indicators
    if indicator not in INDICATORS_BY_ID:
        raise DecisionError(f"Неизвестный показатель «{indicator}».")
    level, territory_id = territory_of(
        subject.region_id, subject.municipality_id, subject.district_id, subject.org_id
    )
    text, responsible, due_date, status = (
        assignment.text,
        assignment.responsible,
        assignment.due_date,
        assignment.status,
    )
    _checked(text, responsible, due_date, status)
    now = now or datetime.now()
    with db.transaction() as cur:
        decision_id = int(first_value(cur, "SELECT nextval('decision_seq')"))
        cur.execute(
            "INSERT INTO decisions VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [
                decision_id,
                meeting_id,
                indicator,
                str(level),
                territory_id,
                meeting.period,
                text.strip(),
                responsible.strip(),
                due_date,
                status,
                user,
                now,
                user,
                now,
            ],
        )
    return decision_id


def update_decision(
    db: Database,
    decision_id: int,
    *,
    status: str | None = None,
    text: str | None = None,
    responsible: str | None = None,
    due_date: date | None = None,
    user: str | None = None,
    now: datetime | None = None,
) -> None:
    """Change a decision; arguments left None stay as they are."""
    current = db.query(
        "SELECT text, responsible, due_date, status FROM decisions WHERE decision_id = ?",
        [decision_id],
    )
    if current.empty:
        raise DecisionError(f"Поручение № {decision_id} не найдено.")
    row = current.iloc[0]
    new_text = row["text"] if text is None else text
    new_responsible = row["responsible"] if responsible is None else responsible
    new_due = pd.Timestamp(row["due_date"]).date() if due_date is None else due_date
    new_status = row["status"] if status is None else status
    _checked(new_text, new_responsible, new_due, new_status)
    with db.transaction() as cur:
        cur.execute(
            "UPDATE decisions SET text = ?, responsible = ?, due_date = ?, status = ?, "
            "updated_by = ?, updated_at = ? WHERE decision_id = ?",
            [
                new_text.strip(),
                new_responsible.strip(),
                new_due,
                new_status,
                user,
                now or datetime.now(),
                decision_id,
            ],
        )


def list_decisions(
    db: Database,
    meeting_id: int | None = None,
    today: date | None = None,
) -> pd.DataFrame:
    """Decisions (of one meeting, or all), oldest meeting first, with ``indicator_name``,
    ``territory`` (the name), ``held_on``, ``org_type`` of the meeting and ``overdue``
    (past the due date and neither done nor cancelled as of ``today``)."""
    where, params = ("WHERE d.meeting_id = ?", [meeting_id]) if meeting_id is not None else ("", [])
    frame = db.query(
        f"""
        SELECT d.decision_id, d.meeting_id, m.held_on, m.org_type, d.indicator, d.level,
            d.territory_id, d.period, d.text, d.responsible, d.due_date, d.status,
            d.created_by, d.created_at, d.updated_by, d.updated_at
        FROM decisions d JOIN meetings m USING (meeting_id)
        {where}
        ORDER BY m.held_on, d.meeting_id, d.decision_id
        """,
        params,
    )
    frame["due_date"] = [pd.Timestamp(d).date() for d in frame["due_date"]]
    frame["held_on"] = [pd.Timestamp(d).date() for d in frame["held_on"]]
    frame["indicator_name"] = frame["indicator"].map(lambda i: INDICATORS_BY_ID[i].name)
    keys = [(str(lv), int(t)) for lv, t in zip(frame["level"], frame["territory_id"], strict=True)]
    names = {key: territory_name(db, Level(key[0]), key[1]) for key in set(keys)}
    frame["territory"] = [names[key] for key in keys]
    today = today or date.today()
    frame["overdue"] = [
        due < today and status not in CLOSED
        for due, status in zip(frame["due_date"], frame["status"], strict=True)
    ]
    return frame


PROGRESS_COLUMNS: tuple[str, ...] = (
    "decision_id",
    "before",
    "after",
    "after_period",
    "delta",
    "verdict",
    "target_met",
    "summary",
)


def progress(db: Database, decisions: pd.DataFrame, values: Values = compute) -> pd.DataFrame:
    """For each decision (rows of :func:`list_decisions`): the indicator's value for its
    territory at the decision's period (``before``) and at the latest later period with a
    value (``after``, ``after_period``), the change (``delta``), ``verdict`` (улучшился /
    ухудшился / без изменений / новых данных пока нет), whether the target is now met
    (``target_met``, None without a later value) and a one-line ``summary``. The values
    are read through ``values`` (a curator's window)."""
    known = lookups.periods(db)
    order = {p: n for n, p in enumerate(known)}
    records: dict[int, dict[str, object]] = {}
    for (level, org_type), part in decisions.groupby(["level", "org_type"], dropna=False):
        level = Level(str(level))
        frame = _level_values(
            db, part, level, org_type if isinstance(org_type, str) else None, values
        )
        key = LEVEL_INFO[level].key
        for row in part.itertuples(index=False):
            rows = frame[frame["indicator"] == row.indicator]
            if key is not None:
                rows = rows[rows[key] == row.territory_id]
            records[int(row.decision_id)] = _progress_row(row, rows, order)
    ordered = [records[int(i)] for i in decisions["decision_id"]]
    return pd.DataFrame(ordered, columns=list(PROGRESS_COLUMNS))


# Above this many territories of one level, one computation over the whole level is
# cheaper than one per territory.
NARROW_LIMIT = 5


def _level_values(
    db: Database, part: pd.DataFrame, level: Level, org_type: str | None, values: Values
) -> pd.DataFrame:
    """The valued rows of ``level`` for the decisions in ``part`` (one level, org type)."""
    indicators = tuple(part["indicator"].unique())
    territories = part["territory_id"].unique()
    if len(territories) <= NARROW_LIMIT:
        frames = [
            values(
                db,
                territory_scope(level, int(t), org_type=org_type, indicators=indicators),
            )
            for t in territories
        ]
        frame = pd.concat(frames, ignore_index=True)
    else:
        frame = values(db, Scope(levels=(level,), org_type=org_type, indicators=indicators))
    return frame[(frame["level"] == level) & frame["value"].notna()]


def _progress_row(decision, rows: pd.DataFrame, order: dict[str, int]) -> dict[str, object]:
    indicator = INDICATORS_BY_ID[decision.indicator]
    by_period = rows.set_index("period")
    before_row = by_period.loc[decision.period] if decision.period in by_period.index else None
    start = order.get(decision.period, -1)
    later = [p for p in by_period.index if order.get(p, -1) > start]
    later.sort(key=lambda p: order[p])
    before = float(before_row["value"]) if before_row is not None else None
    result: dict[str, object] = {
        "decision_id": decision.decision_id,
        "before": before,
        "after": None,
        "after_period": None,
        "delta": None,
        "verdict": NO_DATA,
        "target_met": None,
        "summary": NO_DATA.capitalize(),
    }
    if not later:
        return result
    after_row = by_period.loc[later[-1]]
    after = float(after_row["value"])
    result.update(
        after=after, after_period=later[-1], target_met=after_row["status"] == Status.GREEN
    )
    shown_after = indicator_value(indicator, after)
    if before is None:
        result["summary"] = f"{period_label(later[-1])}: {shown_after}"
        return result
    delta = after - before
    result["delta"] = delta
    verdict = {Change.IMPROVED: IMPROVED, Change.WORSENED: WORSENED}.get(
        change_of(before, after, indicator.better), UNCHANGED
    )
    result["verdict"] = verdict
    met = "цель достигнута" if result["target_met"] else "цель не достигнута"
    result["summary"] = (
        f"{indicator_value(indicator, before)} → {shown_after} "
        f"({indicator_difference(indicator, round(delta, 1))}, {period_label(later[-1])}): "
        f"{verdict}, {met}"
    )
    return result
