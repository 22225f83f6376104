"""Monitoring rounds (мониторинговые кампании): who must send which forms, by when.

A round asks the organisations of a territory (its registry, or every known organisation
of a municipality without one) for the forms of a period between a start and a due date,
by an order (приказ) with its number and date. Files come in through :func:`submit`: a file
made from the round's pre-filled template (:mod:`analytics.meetings.round_templates`) carries a
signed code of its organisation, so its rows are placed on that organisation whatever the
name cell says and never wait for the identity review; any other file is placed as on the
«Данные» page and must name organisations of the round with certainty. The coordinator
accepts a submitted file or returns it with a comment; a new file replaces a returned one.
A returned file's rows leave the current data until then (see :func:`review`), so the
round's completeness and the reporting rate count the same organisations.

Completeness is counted per organisation by the due date: submitted (принято or на
проверке), returned, missing; a file received after the due date is late, and so is every
organisation still without one once the date has passed.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from collections.abc import Callable, Collection, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from enum import StrEnum

import duckdb
import pandas as pd

from analytics.ingest.identity import match_key
from analytics.ingest.load import (
    Decisions,
    IngestResult,
    current_table,
    ingest_bytes,
    parse_bytes,
    preview,
    restore,
    withhold,
)
from analytics.ingest.normalize import ValueProblem
from analytics.ingest.parse import Defaults
from analytics.ingest.problems import IngestError, Problem, row_ranges
from analytics.ingest.readers import Limits, UnreadableFile, read_sheets
from analytics.ingest.resolve import Resolver
from analytics.model.contract import FORM_VALUE_CODES, KIND_LABELS, FormKind
from analytics.model.errors import MonitoringError
from analytics.model.periods import parse_period
from analytics.store import audit, faults
from analytics.store.db import Database, first_row, first_value
from analytics.store.scope import Scope
from analytics.wording.formatting import MONTHS_GENITIVE, part_of


class RoundError(MonitoringError):
    """A round cannot be opened, closed or written to as asked; the message is in Russian."""


class OutsideWindow(MonitoringError):
    """A file with rows of organisations the uploader may not upload for. One message
    whatever the rows name, by row only: which organisations they are, whether they take
    part in the round or exist at all is nothing the uploader is told."""

    def __init__(self, rows: Sequence[tuple[str, int]]):
        self.rows = list(rows)
        sheets: dict[str, list[int]] = {}
        for sheet, row in self.rows:
            sheets.setdefault(sheet, []).append(row)
        where = "; ".join(
            (f"лист «{sheet}», " if sheet and len(sheets) > 1 else "")
            + ("строки " if len(found) > 1 else "строка ")
            + row_ranges(found)
            for sheet, found in sheets.items()
        )
        super().__init__(
            "В файле есть организации, которые за вами не закреплены"
            + (f": {where}" if where else "")
            + ". Загрузите форму из шаблона своей организации (вкладка «Шаблоны»)."
        )


class SubmissionStatus(StrEnum):
    """Where an organisation's form stands in a round, worst first."""

    MISSING = "missing"
    RETURNED = "returned"
    SUBMITTED = "submitted"
    ACCEPTED = "accepted"


SUBMISSION_LABELS: dict[SubmissionStatus, str] = {
    SubmissionStatus.MISSING: "не представлено",
    SubmissionStatus.RETURNED: "возвращено на доработку",
    SubmissionStatus.SUBMITTED: "на проверке",
    SubmissionStatus.ACCEPTED: "принято",
}
_ORDER = list(SubmissionStatus)


@dataclass(frozen=True)
class Round:
    """One monitoring round as stored; ``territory`` is its most specific territory's
    name («все территории» for a round over everything)."""

    round_id: int
    period: str
    region_id: int | None
    municipality_id: int | None
    district_id: int | None
    kinds: tuple[FormKind, ...]
    starts_on: date
    due_on: date
    order_number: str
    order_date: date
    order_title: str | None
    territory: str
    opened_by: str | None
    opened_at: datetime
    closed_by: str | None = None
    closed_at: datetime | None = None

    @property
    def is_open(self) -> bool:
        return self.closed_at is None

    @property
    def title(self) -> str:
        """«Мониторинг № 3: 2022/2023, Город Ижевск»."""
        return f"Мониторинг № {self.round_id}: {self.period}, {self.territory}"

    def collection_words(self) -> str:
        """«с 27 июня по 05 июля 2022 г.», as the seed letter writes the period."""
        return collection_words(self.starts_on, self.due_on)

    def order_words(self) -> str:
        """«приказ от 23.06.2022 № 330 «О проведении мониторинга …»»."""
        text = f"приказ от {self.order_date:%d.%m.%Y} № {self.order_number}"
        return f"{text} «{self.order_title}»" if self.order_title else text


def collection_words(start: date, end: date) -> str:
    """A span of days in words: «с 27 июня по 05 июля 2022 г.»; the first year is said
    too when the span crosses a new year."""
    first = f"{start.day:02d} {MONTHS_GENITIVE[start.month - 1]}"
    if start.year != end.year:
        first += f" {start.year} г."
    return f"с {first} по {end.day:02d} {MONTHS_GENITIVE[end.month - 1]} {end.year} г."


# --- rounds ---------------------------------------------------------------------------


def open_round(
    db: Database,
    period: str,
    *,
    starts_on: date,
    due_on: date,
    order_number: str,
    order_date: date,
    order_title: str | None = None,
    kinds: Sequence[FormKind] = (FormKind.ORG_FORM,),
    region_id: int | None = None,
    municipality_id: int | None = None,
    district_id: int | None = None,
    user: str | None = None,
    now: datetime | None = None,
) -> int:
    """Open a round and return its number. Refused (:class:`RoundError`) for a period
    that cannot be read, a due date before the start, no order number, no form kinds
    (the registry itself is not collected), a territory with no organisations, or while
    a round of the same period and territory is open."""
    try:
        code = parse_period(period)
    except ValueProblem as problem:
        raise RoundError(f"период «{period}»: {problem}") from None
    if code is None:
        raise RoundError("укажите период мониторинга")
    if due_on < starts_on:
        raise RoundError(
            f"срок представления {due_on:%d.%m.%Y} раньше начала сбора {starts_on:%d.%m.%Y}"
        )
    number = (order_number or "").strip()
    if not number:
        raise RoundError("укажите номер приказа о проведении мониторинга")
    wanted = tuple(dict.fromkeys(FormKind(k) for k in kinds))
    if not wanted or FormKind.REGISTRY in wanted:
        raise RoundError(
            "укажите формы, которые собираются: форма мониторинга ОО, база наставников, "
            "база наставляемых"
        )
    territory = _territory_chain(
        db, Scope(region_id=region_id, municipality_id=municipality_id, district_id=district_id)
    )
    if not len(_orgs(db, *territory)):
        raise RoundError("на выбранной территории нет ни одной организации; загрузите реестр ОО")
    with db.transaction() as cur:
        same = first_value(
            cur,
            "SELECT round_id FROM rounds WHERE closed_at IS NULL AND period = ? "
            "AND region_id IS NOT DISTINCT FROM ? AND municipality_id IS NOT DISTINCT FROM ? "
            "AND district_id IS NOT DISTINCT FROM ?",
            [code, *territory],
        )
        if same is not None:
            raise RoundError(
                f"мониторинг № {same} за {code} по этой территории ещё идёт; закройте его, "
                "прежде чем открывать новый"
            )
        round_id = int(first_value(cur, "SELECT nextval('round_seq')"))
        cur.execute(
            "INSERT INTO rounds (round_id, period, region_id, municipality_id, district_id, "
            "kinds, starts_on, due_on, order_number, order_date, order_title, secret, "
            "opened_by, opened_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [
                round_id,
                code,
                *territory,
                ",".join(str(k) for k in wanted),
                starts_on,
                due_on,
                number,
                order_date,
                (order_title or "").strip() or None,
                secrets.token_hex(16),
                user,
                now or datetime.now(),
            ],
        )
    return round_id


def close_round(
    db: Database, round_id: int, user: str | None = None, now: datetime | None = None
) -> None:
    """Close an open round: no file is taken in it any more."""
    found = get_round(db, round_id)
    if not found.is_open:
        raise RoundError(f"мониторинг № {round_id} уже закрыт")
    with db.transaction() as cur:
        cur.execute(
            "UPDATE rounds SET closed_by = ?, closed_at = ? WHERE round_id = ?",
            [user, now or datetime.now(), round_id],
        )


_ROUND_SQL = """
SELECT r.round_id, r.period, r.region_id, r.municipality_id, r.district_id, r.kinds,
    r.starts_on, r.due_on, r.order_number, r.order_date, r.order_title,
    coalesce(d.name, m.name, g.name, 'все территории') AS territory,
    r.opened_by, r.opened_at, r.closed_by, r.closed_at
FROM rounds r
LEFT JOIN regions g ON g.region_id = r.region_id
LEFT JOIN municipalities m ON m.municipality_id = r.municipality_id
LEFT JOIN districts d ON d.district_id = r.district_id
"""


def _round_of(row: Sequence[object]) -> Round:
    round_id, period, region, municipality, district, kinds, starts, due, *rest = row
    number, ordered, title, territory, opened_by, opened_at, closed_by, closed_at = rest

    def day_of(value: object) -> date:
        return value if isinstance(value, date) else pd.Timestamp(value).date()

    def optional_id(value: object) -> int | None:
        return None if value is None or pd.isna(value) else int(value)

    return Round(
        int(round_id),
        str(period),
        optional_id(region),
        optional_id(municipality),
        optional_id(district),
        tuple(FormKind(k) for k in str(kinds).split(",")),
        day_of(starts),
        day_of(due),
        str(number),
        day_of(ordered),
        str(title) if title is not None else None,
        str(territory),
        str(opened_by) if opened_by is not None else None,
        pd.Timestamp(opened_at).to_pydatetime(),
        str(closed_by) if closed_by is not None else None,
        pd.Timestamp(closed_at).to_pydatetime() if closed_at is not None else None,
    )


def get_round(db: Database, round_id: int) -> Round:
    cur = db.cursor()
    try:
        row = first_row(cur, _ROUND_SQL + "WHERE r.round_id = ?", [int(round_id)])
    finally:
        cur.close()
    if row is None:
        raise RoundError(f"мониторинг № {round_id} не найден")
    return _round_of(row)


def list_rounds(db: Database) -> list[Round]:
    """Every round, the newest first."""
    cur = db.cursor()
    try:
        rows = cur.execute(_ROUND_SQL + "ORDER BY r.round_id DESC").fetchall()
    finally:
        cur.close()
    return [_round_of(row) for row in rows]


def open_rounds(db: Database) -> list[Round]:
    return [r for r in list_rounds(db) if r.is_open]


def _orgs(
    db: Database, region_id: int | None, municipality_id: int | None, district_id: int | None
) -> pd.DataFrame:
    where, params = [], []
    for column, value in (
        ("r.region_id", region_id),
        ("m.municipality_id", municipality_id),
        ("o.district_id", district_id),
    ):
        if value is not None:
            where.append(f"{column} = ?")
            params.append(int(value))
    # The registry is a municipality's master list; without one, every known organisation.
    where.append(
        "(o.org_id IN (SELECT org_id FROM registry) OR NOT EXISTS (SELECT 1 FROM registry g "
        "JOIN organizations o2 USING (org_id) WHERE o2.municipality_id = o.municipality_id))"
    )
    return db.query(
        "SELECT o.org_id, o.name AS organization, o.inn, o.org_type, r.region_id, "
        "r.name AS region, m.municipality_id, m.name AS municipality, o.district_id, "
        "d.name AS district FROM organizations o JOIN municipalities m USING (municipality_id) "
        "JOIN regions r USING (region_id) LEFT JOIN districts d ON d.district_id = o.district_id "
        f"WHERE {' AND '.join(where)} ORDER BY r.name, m.name, d.name NULLS FIRST, o.name",
        params,
    )


def round_orgs(db: Database, round_id: int) -> pd.DataFrame:
    """The organisations a round asks, with their territories, in the order listed."""
    found = get_round(db, round_id)
    return _orgs(db, found.region_id, found.municipality_id, found.district_id)


# --- template codes -------------------------------------------------------------------

CODE_LABEL = "Код шаблона"
_CODE = re.compile(r"МН-(\d+)-(\d+)-([0-9a-f]{12})")


def _secret(db: Database, round_id: int) -> str:
    secret = db.scalar("SELECT secret FROM rounds WHERE round_id = ?", [int(round_id)])
    if secret is None:
        raise RoundError(f"мониторинг № {round_id} не найден")
    return str(secret)


def _mac(secret: str, round_id: int, org_id: int) -> str:
    message = f"{round_id}:{org_id}".encode()
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()[:12]


def template_code(db: Database, round_id: int, org_id: int) -> str:
    """The code written into an organisation's template: its round, its organisation and
    a signature only this database can make, so an edited code is not taken."""
    return template_codes(db, round_id)(org_id)


def template_codes(db: Database, round_id: int) -> Callable[[int], str]:
    """:func:`template_code` of any organisation of the round, its secret read once."""
    secret = _secret(db, round_id)
    return lambda org_id: f"МН-{round_id}-{org_id}-{_mac(secret, round_id, org_id)}"


@dataclass(frozen=True)
class TemplateCode:
    round_id: int
    org_id: int
    mac: str


def find_code(name: str, content: bytes) -> TemplateCode | None:
    """The template code a file carries (on its instructions sheet), or None."""
    try:
        sheets = read_sheets(name, content, Limits.from_env())
    except UnreadableFile:
        return None
    for sheet in sheets:
        for row in sheet.rows:
            for cell in row:
                match = _CODE.search(cell) if isinstance(cell, str) else None
                if match:
                    return TemplateCode(int(match[1]), int(match[2]), match[3])
    return None


# --- submissions ----------------------------------------------------------------------


@dataclass
class Check:
    """What a file would do in a round: the preview, the organisations it is placed on,
    and the choices (every row on its template's organisation) the upload will use."""

    result: IngestResult
    org_ids: list[int]
    via_template: bool
    choices: dict[tuple[str, int], int | str] = field(default_factory=dict)


def check(
    db: Database,
    round_id: int,
    name: str,
    content: bytes,
    kind: FormKind,
    window: Collection[int] | None = None,
) -> Check:
    """Validate a file for a round and place it on the round's organisations; writes
    nothing. Raises :class:`IngestError` (every problem, in Russian) for an invalid file,
    a code of another round or an edited one, a period other than the round's, a row
    that names no organisation of the round with certainty; :class:`RoundError` for a
    closed round or a kind the round does not collect. ``window``: the organisations the
    uploader may upload for (None: every one); a row placed on no organisation of it,
    or on none at all, is :class:`OutsideWindow`, raised before any problem that could
    name an organisation (see :class:`~analytics.operations.access.View`)."""
    found = get_round(db, round_id)
    if not found.is_open:
        raise RoundError(f"мониторинг № {round_id} закрыт: файлы в нём больше не принимаются")
    if kind not in found.kinds:
        raise RoundError(f"в мониторинге № {round_id} не собирается «{KIND_LABELS[kind]}»")
    defaults = round_defaults(db, found)
    parsed = parse_bytes(name, content, kind, defaults)
    code = find_code(name, content)
    expected = set(round_orgs(db, round_id)["org_id"].astype(int))
    if code is not None:
        org_id = _coded_org(db, found, code, name, expected, window)
        if window is not None and (org_id not in window or org_id not in expected):
            raise OutsideWindow([(r.sheet, r.row) for r in parsed.records])
        contradictions = _contradictions(db, name, parsed.records, org_id, window)
        if contradictions:
            raise IngestError(contradictions)
        org_ids = [org_id] * len(parsed.records)
    else:
        org_ids = _placed(db, name, kind, parsed.records, expected, window)
    problems = [
        Problem(
            name,
            f"период формы {r.values.get('period')} не совпадает с периодом мониторинга "
            f"{found.period}",
            sheet=r.sheet,
            row=r.row,
            column="Период",
            value=str(r.values.get("period")),
        )
        for r in parsed.records
        if str(r.values.get("period")) != found.period
    ]
    if problems:
        raise IngestError(problems)
    choices: dict[tuple[str, int], int | str] = {
        (r.sheet, r.row): o for r, o in zip(parsed.records, org_ids, strict=True)
    }
    result = preview(db, name, content, kind, defaults, decisions=Decisions(choices=choices))
    return Check(result, sorted(set(org_ids)), code is not None, choices)


def round_defaults(db: Database, found: Round) -> Defaults:
    """Upload defaults of a round's files: its period, and its region and municipality
    where the round has them (a default only fills empty cells)."""
    region = municipality = None
    if found.region_id is not None:
        region = db.scalar("SELECT name FROM regions WHERE region_id = ?", [found.region_id])
    if found.municipality_id is not None:
        municipality = db.scalar(
            "SELECT name FROM municipalities WHERE municipality_id = ?", [found.municipality_id]
        )
    return Defaults(
        region=str(region) if region else None,
        municipality=str(municipality) if municipality else None,
        period=found.period,
    )


def _coded_org(
    db: Database,
    found: Round,
    code: TemplateCode,
    name: str,
    expected: set[int],
    window: Collection[int] | None,
) -> int:
    if code.round_id != found.round_id:
        raise IngestError(
            [
                Problem(
                    name,
                    f"файл сделан из шаблона мониторинга № {code.round_id}, а не "
                    f"№ {found.round_id}; скачайте шаблон этого мониторинга",
                )
            ]
        )
    if not hmac.compare_digest(
        code.mac, _mac(_secret(db, found.round_id), code.round_id, code.org_id)
    ):
        raise IngestError(
            [Problem(name, f"{CODE_LABEL.lower()} в файле изменён; скачайте шаблон заново")]
        )
    if code.org_id not in expected and window is None:
        raise IngestError(
            [Problem(name, f"организация шаблона не входит в мониторинг № {found.round_id}")]
        )
    return code.org_id


def _contradictions(
    db: Database,
    name: str,
    records: Sequence,
    org_id: int,
    window: Collection[int] | None,
) -> list[Problem]:
    """The rows of a template's file that name another organisation than its code: an
    ИНН other than the template organisation's (or, where it has none, another
    organisation's ИНН), or, with no ИНН written, exactly the name of another
    organisation of its municipality. Such a file is another school's data in this
    school's template and is refused, with both named; to a curator (``window``) an
    organisation outside their window is not named, nor is whether the ИНН is anyone's."""
    cur = db.cursor()
    try:
        return _named_others(cur, name, records, org_id, window)
    finally:
        cur.close()


def _named_others(
    cur: duckdb.DuckDBPyConnection,
    name: str,
    records: Sequence,
    org_id: int,
    window: Collection[int] | None,
) -> list[Problem]:
    own = first_row(
        cur,
        "SELECT name, inn, municipality_id FROM organizations WHERE org_id = ?",
        [int(org_id)],
    )
    if own is None:
        return []
    own_name, own_inn, municipality = own
    neighbours = cur.execute(
        "SELECT org_id, name FROM organizations WHERE municipality_id = ? AND org_id <> ? "
        "ORDER BY org_id",
        [int(municipality), int(org_id)],
    ).fetchall()
    problems = []
    for record in records:
        written_inn = record.values.get("inn")
        written_name = record.values.get("org_name")
        if written_inn:
            if written_inn == own_inn:
                continue
            other = first_row(
                cur, "SELECT org_id, name FROM organizations WHERE inn = ?", [written_inn]
            )
            if own_inn is None and other is None:
                continue  # the school's own ИНН, which the registry lacks
            column, value = "ИНН", str(written_inn)
        elif written_name and (key := match_key(str(written_name))) != match_key(own_name):
            other = next((o for o in neighbours if match_key(str(o[1])) == key), None)
            if other is None:
                continue  # a name retyped: the code places the file
            column, value = "Наименование ОО", str(written_name)
        else:
            continue
        what, fix = ("ИНН", "ИНН") if column == "ИНН" else ("Наименование", "наименование")
        if other is not None and (window is None or int(other[0]) in window):
            message = (
                f"{what} в файле — организации «{other[1]}», а шаблон сделан для «{own_name}»: "
                f"загрузите шаблон организации «{other[1]}» или исправьте {fix}"
            )
        elif window is None:
            message = (
                f"ИНН в файле не совпадает с ИНН {own_inn} организации шаблона «{own_name}»: "
                "исправьте ИНН или загрузите шаблон своей организации"
            )
        else:
            message = (
                f"{what} в файле не совпадает с кодом шаблона (шаблон сделан для "
                f"«{own_name}»): исправьте {fix} или загрузите шаблон своей "
                "организации"
            )
        problems.append(
            Problem(name, message, sheet=record.sheet, row=record.row, column=column, value=value)
        )
    return problems


def _placed(
    db: Database,
    name: str,
    kind: FormKind,
    records: Sequence,
    expected: set[int],
    window: Collection[int] | None,
) -> list[int]:
    """The round's organisation of every record of a file without a template code, as
    the engine places it; a row placed on none of them is an error, and outside the
    ``window`` one that names nothing (see :class:`OutsideWindow`)."""
    cur = db.cursor()
    try:
        plan = Resolver(cur, name, kind).plan(records)
    finally:
        cur.close()
    if window is not None:
        outside = [
            (r.sheet, r.row)
            for r, o in zip(records, plan.org_ids, strict=True)
            if o is None or o not in expected or o not in window
        ]
        if outside:
            raise OutsideWindow(outside)
    problems = list(plan.errors)
    for record, org_id in zip(records, plan.org_ids, strict=True):
        if org_id is None or org_id < 0 or org_id not in expected:
            problems.append(
                Problem(
                    name,
                    "строка не сопоставлена ни с одной организацией мониторинга; загрузите "
                    "форму из шаблона организации или укажите её ИНН",
                    sheet=record.sheet,
                    row=record.row,
                    column="Наименование ОО",
                    value=str(record.values.get("org_name")),
                )
            )
    if problems:
        raise IngestError(problems)
    return [int(o) for o in plan.org_ids]


@dataclass
class Submitted:
    """A file taken in a round: the upload and the organisations it covered."""

    result: IngestResult
    org_ids: list[int]
    via_template: bool


def submit(
    db: Database,
    round_id: int,
    name: str,
    content: bytes,
    kind: FormKind,
    user: str | None = None,
    now: datetime | None = None,
    learn_aliases: bool = True,
    label: str | None = None,
    also: Callable[[duckdb.DuckDBPyConnection], None] | None = None,
) -> Submitted:
    """Check the file again (the database may have changed since the preview), load it
    with every row on its organisation and record a submission per organisation, to be
    accepted or returned. The upload and its submissions are one transaction: a file
    taken is loaded and submitted, or neither.
    ``learn_aliases``: whether the names the file writes become aliases (a curator's
    file only proposes them, see :mod:`analytics.ingest.aliases`). ``label``: what the
    round's lists call the file (a form typed online: «онлайн»; by default its name);
    ``also``: more to write in the same transaction (a sent draft's removal)."""
    checked = check(db, round_id, name, content, kind)
    decisions = Decisions(
        choices=checked.choices, replace_partial=True, learn_aliases=learn_aliases
    )
    defaults = round_defaults(db, get_round(db, round_id))
    moment = now or datetime.now()

    def record(cur: duckdb.DuckDBPyConnection, upload_id: int) -> None:
        faults.point("round.loaded")
        for org_id in checked.org_ids:
            cur.execute(
                "INSERT INTO round_submissions (submission_id, round_id, org_id, kind, "
                "upload_id, file_name, via_template, submitted_by, submitted_at, status) "
                "VALUES (nextval('submission_seq'), ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [
                    round_id,
                    org_id,
                    str(kind),
                    upload_id,
                    label or name,
                    checked.via_template,
                    user,
                    moment,
                    str(SubmissionStatus.SUBMITTED),
                ],
            )
        if also is not None:
            also(cur)

    result = ingest_bytes(db, name, content, kind, defaults, user, decisions=decisions, also=record)
    result.records = []
    return Submitted(result, checked.org_ids, checked.via_template)


def review(
    db: Database,
    submission_id: int,
    accept: bool,
    comment: str | None = None,
    user: str | None = None,
    now: datetime | None = None,
    incomplete: bool = False,
) -> None:
    """Accept a submitted file, or return it to its organisation with a comment (required
    for a return: the organisation must know what to fix). A form with answers missing
    is accepted only knowingly (``incomplete``), and the audit log records who did.

    A returned file leaves the data: its organisation's rows move out of the current
    forms and registers (:func:`~analytics.ingest.load.withhold`), so the indicators, the
    reporting rate and the documents count it no more than the round does, until the
    organisation sends a file again or the coordinator accepts this one after all (its
    rows then move back). Accepting a returned file is refused once a later file holds the
    organisation's data."""
    text = (comment or "").strip() or None
    if not accept and text is None:
        raise RoundError("напишите, что исправить: файл возвращается с комментарием")
    moment = now or datetime.now()
    with db.transaction() as cur:
        row = first_row(
            cur,
            "SELECT s.round_id, r.closed_at, s.status, s.kind, s.upload_id, s.org_id "
            "FROM round_submissions s JOIN rounds r USING (round_id) WHERE s.submission_id = ?",
            [int(submission_id)],
        )
        if row is None:
            raise RoundError(f"файл № {submission_id} в мониторингах не найден")
        round_id, closed_at, status, kind, upload_id, org_id = row
        if closed_at is not None:
            raise RoundError(f"мониторинг № {round_id} закрыт: решения по файлам не меняются")
        was_returned = SubmissionStatus(status) is SubmissionStatus.RETURNED
        if not accept and not was_returned:
            withhold(cur, FormKind(kind), int(upload_id), int(org_id), int(submission_id), moment)
        if accept and was_returned:
            later = restore(cur, FormKind(kind), int(submission_id))
            if later is not None:
                raise RoundError(
                    f"для организации уже загружен более новый файл (загрузка № {later}): "
                    "решение принимается по нему"
                )
        answered = _answered(cur, int(submission_id))
        short = accept and answered is not None and answered < QUESTIONS
        if short and not incomplete:
            raise RoundError(
                f"в форме {filled_words(answered)}: примите её как неполную (отметьте "
                "«Принять неполную форму») или верните на доработку"
            )
        if short:
            audit.record(
                cur,
                audit.Action.INCOMPLETE_ACCEPTED,
                f"submission:{int(submission_id)}",
                user,
                {
                    "round": int(round_id),
                    "org_id": int(org_id),
                    "answered": answered,
                    "questions": QUESTIONS,
                },
                moment,
            )
        cur.execute(
            "UPDATE round_submissions SET status = ?, comment = ?, reviewed_by = ?, "
            "reviewed_at = ? WHERE submission_id = ?",
            [
                str(SubmissionStatus.ACCEPTED if accept else SubmissionStatus.RETURNED),
                text,
                user,
                moment,
                int(submission_id),
            ],
        )


# The answers of «Форма мониторинга ОО»; a form with fewer is accepted only knowingly.
QUESTIONS = len(FORM_VALUE_CODES)
_ANSWERED_SQL = " + ".join(f"({c} IS NOT NULL)::INTEGER" for c in FORM_VALUE_CODES)
# Where the form a submission's upload wrote for its organisation is now (see
# :func:`_forms_of`): current, or replaced by a later file. A returned file's form waits
# in ``form_withheld`` and is counted once its return is reversed, when it is current.
_FORM_TABLES = ("form_values", "form_history")


def _forms_of(submissions: str) -> str:
    """The answers given by the forms the uploads of the ``submissions`` (a condition on
    ``round_submissions`` with one parameter, given once per table of
    :data:`_FORM_TABLES`) wrote: upload_id, org_id, period, answered."""
    return " UNION ALL ".join(
        f"SELECT upload_id, org_id, period, {_ANSWERED_SQL} AS answered FROM {table} "
        f"WHERE upload_id IN (SELECT upload_id FROM round_submissions WHERE {submissions})"
        for table in _FORM_TABLES
    )


def filled_words(answered: int) -> str:
    """«заполнено 8 из 22»: how many of the form's answers a submitted form gives."""
    return f"заполнено {part_of(answered, QUESTIONS)}"


def _answered(cur: duckdb.DuckDBPyConnection, submission_id: int) -> int | None:
    """How many answers the form of a submission gives (None: not a form of an
    organisation)."""
    value = first_value(
        cur,
        f"SELECT max(a.answered) FROM round_submissions s JOIN rounds r USING (round_id) "
        f"JOIN ({_forms_of('submission_id = ?')}) a ON a.upload_id = s.upload_id "
        "AND a.org_id = s.org_id AND a.period = r.period WHERE s.submission_id = ? "
        "AND s.kind = ?",
        [*[int(submission_id)] * len(_FORM_TABLES), int(submission_id), str(FormKind.ORG_FORM)],
    )
    return None if value is None else int(value)


SUBMISSION_COLUMNS = (
    "submission_id",
    "org_id",
    "organization",
    "kind",
    "file_name",
    "via_template",
    "submitted_by",
    "submitted_at",
    "status",
    "reviewed_by",
    "reviewed_at",
    "comment",
    "upload_id",
    "answered",
)


def submissions(db: Database, round_id: int) -> pd.DataFrame:
    """Every file submitted in a round (the newest first) whose upload still stands:
    who sent it, when, the coordinator's verdict and, for a form of an organisation,
    how many of its :data:`QUESTIONS` answers it gives (``answered``)."""
    columns = ", ".join(
        "o.name AS organization"
        if c == "organization"
        else "a.answered"
        if c == "answered"
        else f"s.{c}"
        for c in SUBMISSION_COLUMNS
    )
    return db.query(
        f"SELECT {columns} "
        "FROM round_submissions s JOIN organizations o USING (org_id) "
        "JOIN uploads u ON u.upload_id = s.upload_id JOIN rounds r USING (round_id) "
        "LEFT JOIN (SELECT upload_id, org_id, period, max(answered) AS answered "
        f"FROM ({_forms_of('round_id = ?')}) GROUP BY ALL) a ON s.kind = ? "
        "AND a.upload_id = s.upload_id AND a.org_id = s.org_id AND a.period = r.period "
        "WHERE s.round_id = ? AND u.rolled_back_at IS NULL "
        "ORDER BY s.submitted_at DESC, s.submission_id DESC",
        [*[int(round_id)] * len(_FORM_TABLES), str(FormKind.ORG_FORM), int(round_id)],
    )


# --- completeness ---------------------------------------------------------------------

COMPLETENESS_COLUMNS = (
    "org_id",
    "organization",
    "inn",
    "region",
    "municipality",
    "district",
    "status",
    "submitted_at",
    "late",
    "missing_kinds",
    "comment",
    "answered",
)


@dataclass(frozen=True)
class Summary:
    """Counts of organisations in a round: ``submitted`` includes ``accepted``; ``late``
    are submitted after the due date; ``overdue`` have no form (missing or returned)
    after it."""

    total: int
    submitted: int
    accepted: int
    returned: int
    missing: int
    late: int
    overdue: int

    @property
    def share(self) -> float | None:
        return 100 * self.submitted / self.total if self.total else None


def completeness(db: Database, round_id: int, today: date | None = None) -> pd.DataFrame:
    """One row per organisation of the round: its status (the worst over the round's
    form kinds: missing, returned, submitted, accepted), when its last form came, whether
    it is late (a form after the due date, or none once the date has passed), the kinds
    it still owes and the coordinator's comment on a returned file.

    A form of the round's period loaded outside the round (on «Данные») where the round
    has none standing counts as accepted, as the indicators count it: the round and the
    reporting rate then count the same organisations."""
    found = get_round(db, round_id)
    today = today or date.today()
    orgs = round_orgs(db, round_id)
    latest = _latest(submissions(db, round_id))
    loaded = _loaded(db, found)
    rows = []
    for org in orgs.itertuples(index=False):
        statuses, times, owed, comments = [], [], [], []
        form = latest.get((int(org.org_id), str(FormKind.ORG_FORM)))
        answered = form["answered"] if form is not None else None
        for kind in found.kinds:
            sub = latest.get((int(org.org_id), str(kind)))
            status = (
                SubmissionStatus(sub["status"]) if sub is not None else SubmissionStatus.MISSING
            )
            outside = loaded.get((int(org.org_id), kind))
            if outside is not None and status in (
                SubmissionStatus.MISSING,
                SubmissionStatus.RETURNED,
            ):
                # A returned file's rows are withheld, so these came from a later upload.
                status, sub = SubmissionStatus.ACCEPTED, None
                times.append(outside)
                comments.append(OUTSIDE)
            statuses.append(status)
            if status in (SubmissionStatus.MISSING, SubmissionStatus.RETURNED):
                owed.append(KIND_LABELS[kind])
            if sub is not None:
                times.append(pd.Timestamp(sub["submitted_at"]).to_pydatetime())
                if status is SubmissionStatus.RETURNED and sub["comment"]:
                    comments.append(str(sub["comment"]))
        status = min(statuses, key=_ORDER.index)
        done = status in (SubmissionStatus.SUBMITTED, SubmissionStatus.ACCEPTED)
        last = max(times) if times else None
        late = (done and last is not None and last.date() > found.due_on) or (
            not done and today > found.due_on
        )
        rows.append(
            {
                "org_id": int(org.org_id),
                "organization": org.organization,
                "inn": org.inn,
                "region": org.region,
                "municipality": org.municipality,
                "district": org.district,
                "status": str(status),
                "submitted_at": last if done else None,
                "late": bool(late),
                "missing_kinds": ", ".join(owed),
                "comment": "; ".join(comments) or None,
                "answered": int(answered) if answered is not None and pd.notna(answered) else None,
            }
        )
    return pd.DataFrame(rows, columns=list(COMPLETENESS_COLUMNS))


OUTSIDE = "данные загружены вне мониторинга"


def _loaded(db: Database, found: Round) -> dict[tuple[int, FormKind], datetime]:
    """Per (organisation, kind) of the round: when the current data of the round's period
    were uploaded, as every indicator reads them."""
    loaded: dict[tuple[int, FormKind], datetime] = {}
    for kind in found.kinds:
        frame = db.query(
            f"SELECT t.org_id, max(u.uploaded_at) AS uploaded_at FROM {current_table(kind)} t "
            "JOIN uploads u USING (upload_id) WHERE t.period = ? GROUP BY t.org_id",
            [found.period],
        )
        for org_id, moment in zip(frame["org_id"], frame["uploaded_at"], strict=True):
            loaded[(int(org_id), kind)] = pd.Timestamp(moment).to_pydatetime()
    return loaded


def _latest(frame: pd.DataFrame) -> dict[tuple[int, str], pd.Series]:
    """The latest standing submission per (organisation, kind): a new file replaces a
    returned one (``frame`` is newest first)."""
    latest: dict[tuple[int, str], pd.Series] = {}
    for _, row in frame.iterrows():
        latest.setdefault((int(row["org_id"]), str(row["kind"])), row)
    return latest


def summarize(frame: pd.DataFrame) -> Summary:
    """The counts of a :func:`completeness` frame (or a part of it)."""
    status = frame["status"]
    done = status.isin([str(SubmissionStatus.SUBMITTED), str(SubmissionStatus.ACCEPTED)])
    return Summary(
        total=len(frame),
        submitted=int(done.sum()),
        accepted=int((status == str(SubmissionStatus.ACCEPTED)).sum()),
        returned=int((status == str(SubmissionStatus.RETURNED)).sum()),
        missing=int((status == str(SubmissionStatus.MISSING)).sum()),
        late=int((done & frame["late"]).sum()),
        overdue=int((~done & frame["late"]).sum()),
    )


def by_territory(frame: pd.DataFrame) -> pd.DataFrame:
    """:func:`summarize` per municipality and district of a :func:`completeness` frame."""
    rows = []
    keys = frame[["municipality", "district"]].fillna("")
    for (municipality, district), part in frame.groupby(
        [keys["municipality"], keys["district"]], sort=True
    ):
        s = summarize(part)
        rows.append(
            {
                "municipality": municipality,
                "district": district or None,
                "total": s.total,
                "submitted": s.submitted,
                "accepted": s.accepted,
                "returned": s.returned,
                "missing": s.missing,
                "late": s.late,
                "overdue": s.overdue,
                "share": s.share,
            }
        )
    columns = ["municipality", "district", "total", "submitted", "accepted", "returned"]
    return pd.DataFrame(rows, columns=[*columns, "missing", "late", "overdue", "share"])


def over_time(db: Database, round_id: int, today: date | None = None) -> pd.DataFrame:
    """Per day from the start of collection to today (or the round's closing): how many
    organisations had every form of the round submitted and not returned (or loaded
    outside the round) by then, and their share; ``due`` marks the due date."""
    found = get_round(db, round_id)
    today = today or date.today()
    end = found.closed_at.date() if found.closed_at else today
    end = max(end, found.starts_on)
    orgs = set(round_orgs(db, round_id)["org_id"].astype(int))
    events = submissions(db, round_id)
    spans: dict[tuple[int, str], list[tuple[date, date | None]]] = {}
    for _, row in events.iterrows():
        if int(row["org_id"]) not in orgs:
            continue
        start = pd.Timestamp(row["submitted_at"]).date()
        stop = None
        if row["status"] == str(SubmissionStatus.RETURNED) and pd.notna(row["reviewed_at"]):
            stop = pd.Timestamp(row["reviewed_at"]).date()
        spans.setdefault((int(row["org_id"]), str(row["kind"])), []).append((start, stop))
    # A form loaded outside the round counts from its upload, as in :func:`completeness`.
    latest = _latest(events)
    for (org_id, kind), moment in _loaded(db, found).items():
        sub = latest.get((org_id, str(kind)))
        if org_id in orgs and (sub is None or sub["status"] == str(SubmissionStatus.RETURNED)):
            spans.setdefault((org_id, str(kind)), []).append((moment.date(), None))
    rows = []
    day = found.starts_on
    while day <= end:
        done = sum(
            all(
                any(s <= day and (t is None or t > day) for s, t in spans.get((o, str(k)), ()))
                for k in found.kinds
            )
            for o in orgs
        )
        rows.append(
            {
                "day": day,
                "submitted": done,
                "share": 100 * done / len(orgs) if orgs else None,
                "due": day == found.due_on,
            }
        )
        day += timedelta(days=1)
    return pd.DataFrame(rows, columns=["day", "submitted", "share", "due"])


# --- the analytic note ----------------------------------------------------------------


def round_basis(db: Database, period: str, scope: Scope | None = None) -> str | None:
    """The sentence the analytic note's «Основание» cites for ``period`` and the
    territory of ``scope``: the order and the collection period of the latest round of
    that period whose territory holds the scope's (a closed round before an open one),
    or None where no round fits. «Мониторинг проводился в период с 27 июня по 05 июля
    2022 г. согласно приказу от 23.06.2022 № 330 «…»»."""
    region, municipality, district = _territory_chain(db, scope or Scope())
    fitting = [
        r
        for r in list_rounds(db)
        if r.period == period
        and _holds(r.region_id, region)
        and _holds(r.municipality_id, municipality)
        and _holds(r.district_id, district)
    ]
    if not fitting:
        return None
    chosen = sorted(fitting, key=lambda r: (r.is_open, -r.round_id))[0]
    order = chosen.order_words().replace("приказ ", "приказу ", 1)
    tense = "проводился" if not chosen.is_open else "проводится"
    return f"Мониторинг {tense} в период {chosen.collection_words()} согласно {order}."


def _territory_chain(db: Database, scope: Scope) -> tuple[int | None, int | None, int | None]:
    """The scope's region, municipality and district, the upper ones filled in from the
    lowest one given."""
    district, municipality, region = scope.district_id, scope.municipality_id, scope.region_id
    if district is not None:
        municipality = db.scalar(
            "SELECT municipality_id FROM districts WHERE district_id = ?", [district]
        )
    if municipality is not None:
        region = db.scalar(
            "SELECT region_id FROM municipalities WHERE municipality_id = ?", [municipality]
        )
    return (
        int(region) if region is not None else None,
        int(municipality) if municipality is not None else None,
        int(district) if district is not None else None,
    )


def _holds(round_value: int | None, scope_value: int | None) -> bool:
    """Whether a round's territory level (None: every territory) covers the scope's."""
    return round_value is None or round_value == scope_value


def kinds_text(kinds: Iterable[FormKind]) -> str:
    return ", ".join(KIND_LABELS[k] for k in kinds)
