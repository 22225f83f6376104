"""«Моя форма»: an organisation's form of a round typed online instead of uploaded.

The form is the contract's «Форма мониторинга ОО», its answers in the catalogue's order and
words, grouped as the template's instructions describe them (yes/no answers, counts, the
share), each with the organisation's answer of the period before. What the person types is
kept as a draft (``round_drafts``) answer by answer as they go, so nothing is lost on a
reload; a draft counts nowhere. Each answer is checked as it is typed with the rules the
upload applies: the contract's parsers (an error, which blocks sending) and its
consistency rules (a warning).

Sending goes through exactly the path of an uploaded file: the answers are written into the
organisation's pre-filled template
(:func:`~analytics.meetings.round_templates.organization_template`) and that workbook is
submitted with :func:`~analytics.meetings.rounds.submit`, so the same
checks, the same history and the coordinator's accept or return apply, and the round's
lists, completeness, the late list, the letter and the note count it as any file; the
lists name it «онлайн». A returned form opens again with the coordinator's comment and the
answers that were sent.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

import duckdb
import pandas as pd

from analytics.compute import lookups
from analytics.ingest.parse import PARSERS
from analytics.meetings import round_templates, rounds
from analytics.meetings.rounds import Round, RoundError, SubmissionStatus, Submitted
from analytics.model.contract import (
    CONSISTENCY_RULES,
    FORM_VALUE_CODES,
    FORM_VALUE_FIELDS,
    SQL_TYPES,
    Field,
    FieldType,
    FormKind,
)
from analytics.model.errors import ValueProblem
from analytics.model.periods import previous_period
from analytics.store import audit
from analytics.store.db import Database, first_row

# What the round's lists call a form sent from this page, and the name of the workbook it
# is sent as (the upload log keeps it as any file).
ONLINE = "онлайн"
ONLINE_FILE = f"{ONLINE}.xlsx"

# The template's instructions describe the answers by their type (TYPE_LABELS): the form
# shows them in the same groups, in the contract's order.
SECTION_TITLES: dict[FieldType, str] = {
    FieldType.YES_NO: "Документы и решения (да/нет)",
    FieldType.COUNT: "Численность (целые числа)",
    FieldType.SHARE: "Удовлетворённость (от 0 до 100)",
}


@dataclass(frozen=True)
class Answer:
    """One answer of the form: as typed (or as sent; None: no answer) and the
    organisation's answer of the period before (canonical; None: none)."""

    field: Field
    typed: str | None
    previous: object | None


@dataclass(frozen=True)
class Section:
    title: str
    answers: tuple[Answer, ...]


@dataclass(frozen=True)
class Form:
    """An organisation's form of an open round as the page shows it. ``status`` and
    ``comment`` are those of its latest form in the round (a returned one's comment says
    what to fix); ``drafted_at``: when the draft was last written (None: no draft, the
    answers are those sent, if any)."""

    round: Round
    org_id: int
    organization: str
    previous_period: str | None
    sections: tuple[Section, ...]
    status: SubmissionStatus
    comment: str | None
    drafted_at: datetime | None

    def typed(self) -> dict[str, str | None]:
        """The answers as typed, by field code."""
        return {a.field.code: a.typed for s in self.sections for a in s.answers}


@dataclass(frozen=True)
class Finding:
    """What the check says of one answer: an ``error`` (the form is not sent) or a
    warning (it is, and the data-quality view will list it)."""

    code: str
    error: bool
    message: str


def _open(db: Database, round_id: int, org_id: int) -> tuple[Round, pd.Series]:
    """The round, open and collecting the organisation form, and the organisation's row
    of it; refused in Russian otherwise."""
    found = rounds.get_round(db, round_id)
    if not found.is_open:
        raise RoundError(f"мониторинг № {round_id} закрыт: формы в нём больше не принимаются")
    if FormKind.ORG_FORM not in found.kinds:
        raise RoundError(f"в мониторинге № {round_id} не собирается форма мониторинга ОО")
    orgs = rounds.round_orgs(db, round_id)
    rows = orgs[orgs["org_id"] == int(org_id)]
    if rows.empty:
        raise RoundError(f"организация не входит в мониторинг № {round_id}")
    return found, rows.iloc[0]


def form(db: Database, round_id: int, org_id: int) -> Form:
    """The organisation's form of the round: the draft where there is one, else the
    answers of its latest form in the round (a returned one reopens with them)."""
    # The submission, its answers and the draft as of one moment.
    with db.snapshot():
        return _form(db, round_id, org_id)


def record_opening(
    db: Database, round_id: int, org_id: int, user: str | None, now: datetime | None = None
) -> None:
    """Write to the audit log that ``user`` opened the organisation's form (once per
    visit: the page reads the form again on every change)."""
    _open(db, round_id, org_id)
    with db.transaction() as cur:
        audit.record(
            cur,
            audit.Action.FORM_OPENED,
            f"round:{int(round_id)}/org:{int(org_id)}",
            user,
            {"round": int(round_id), "org_id": int(org_id)},
            now,
        )


def _form(db: Database, round_id: int, org_id: int) -> Form:
    found, org = _open(db, round_id, org_id)
    latest = _latest(db, round_id, org_id)
    typed: dict[str, str | None] = dict.fromkeys(FORM_VALUE_CODES)
    if latest is not None:
        typed.update(_sent(db, int(latest["upload_id"]), int(org_id), found.period))
    draft = db.query(
        "SELECT field, value, saved_at FROM round_drafts WHERE round_id = ? AND org_id = ?",
        [int(round_id), int(org_id)],
    )
    for code, value in zip(draft["field"], draft["value"], strict=True):
        typed[str(code)] = None if pd.isna(value) else str(value)
    earlier = previous_period(found.period, lookups.periods(db))
    before = round_templates.previous_answers(db, found.period, org_id).get(int(org_id), {})
    sections = tuple(
        Section(
            title,
            tuple(
                Answer(f, typed[f.code], _plain(before.get(f.code)))
                for f in FORM_VALUE_FIELDS
                if f.type is kind
            ),
        )
        for kind, title in SECTION_TITLES.items()
    )
    status = SubmissionStatus.MISSING if latest is None else SubmissionStatus(latest["status"])
    returned = status is SubmissionStatus.RETURNED and pd.notna(latest["comment"])
    return Form(
        found,
        int(org_id),
        str(org["organization"]),
        earlier,
        sections,
        status,
        str(latest["comment"]) if returned else None,
        pd.Timestamp(draft["saved_at"].max()).to_pydatetime() if len(draft) else None,
    )


def _latest(db: Database, round_id: int, org_id: int) -> pd.Series | None:
    """The organisation's latest standing submission of its form in the round."""
    files = rounds.submissions(db, round_id)
    own = files[(files["org_id"] == int(org_id)) & (files["kind"] == str(FormKind.ORG_FORM))]
    return None if own.empty else own.iloc[0]


def _sent(db: Database, upload_id: int, org_id: int, period: str) -> dict[str, str | None]:
    """The answers an upload gave the organisation's form, wherever its rows are now
    (current, replaced by a later file, or withheld by a return), as typed."""
    columns = ", ".join(FORM_VALUE_CODES)
    frame = db.query(
        " UNION ALL ".join(
            f"SELECT {columns} FROM {table} WHERE upload_id = ? AND org_id = ? AND period = ?"
            for table in ("form_values", "form_history", "form_withheld")
        ),
        [int(upload_id), int(org_id), period] * 3,
    )
    if frame.empty:
        return {}
    row = frame.iloc[0]
    return {c: as_typed(row[c]) for c in FORM_VALUE_CODES}


def _plain(value: object) -> object | None:
    """A stored value as a Python value (None for none)."""
    if value is None or pd.isna(value):
        return None
    return value.item() if hasattr(value, "item") else value


def as_typed(value: object) -> str | None:
    """A stored answer as a person types it: «да»/«нет», a number."""
    value = _plain(value)
    if value is None:
        return None
    if isinstance(value, bool):
        return "да" if value else "нет"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def check(db: Database, typed: Mapping[str, object]) -> list[Finding]:
    """Every finding on the answers ``typed`` (by field code), in the form's order: an
    answer the upload's parser refuses is an error; a broken consistency rule of the
    contract, evaluated on the answers as the data-quality view evaluates a stored form,
    is a warning on the rule's field."""
    parsed, findings = parse(typed)
    broken = _broken_rules(db, parsed)
    for rule in CONSISTENCY_RULES:
        if rule.id in broken:
            findings.append(Finding(rule.field, False, rule.message))
    order = {code: n for n, code in enumerate(FORM_VALUE_CODES)}
    return sorted(findings, key=lambda f: (order[f.code], not f.error))


def parse(typed: Mapping[str, object]) -> tuple[dict[str, object], list[Finding]]:
    """The answers read by the contract's parsers (None: no answer, or one refused) and
    the errors of those refused."""
    parsed: dict[str, object] = {}
    errors = []
    for f in FORM_VALUE_FIELDS:
        try:
            parsed[f.code] = PARSERS[f.type](typed.get(f.code))
        except ValueProblem as problem:
            parsed[f.code] = None
            errors.append(Finding(f.code, True, str(problem)))
    return parsed, errors


def read(f: Field, typed: object) -> object | None:
    """One answer as the contract reads it; None for no answer or one it refuses."""
    try:
        return PARSERS[f.type](typed)
    except ValueProblem:
        return None


def _broken_rules(db: Database, parsed: Mapping[str, object]) -> set[str]:
    """The ids of the consistency rules the answers break: each rule's own condition
    (code, over one form's columns) evaluated on a row of the answers (parameters)."""
    row = ", ".join(f"CAST(? AS {SQL_TYPES[f.type]}) AS {f.code}" for f in FORM_VALUE_FIELDS)
    tests = ", ".join(f"coalesce({r.violation_sql}, false)" for r in CONSISTENCY_RULES)
    cur = db.cursor()
    try:
        found = first_row(
            cur, f"SELECT {tests} FROM (SELECT {row}) f", [parsed[c] for c in FORM_VALUE_CODES]
        )
    finally:
        cur.close()
    return {r.id for r, hit in zip(CONSISTENCY_RULES, found or (), strict=True) if hit}


def save_draft(
    db: Database,
    round_id: int,
    org_id: int,
    code: str,
    value: object,
    user: str | None = None,
    now: datetime | None = None,
) -> None:
    """Keep one answer of the organisation's draft as typed (blank: no answer), with an
    audit entry; only while the round is open."""
    _open(db, round_id, org_id)
    found = next((f for f in FORM_VALUE_FIELDS if f.code == code), None)
    if found is None:
        raise RoundError(f"в форме мониторинга ОО нет поля «{code}»")
    text = None if value is None else str(value).strip() or None
    moment = now or datetime.now()
    with db.transaction() as cur:
        cur.execute(
            "INSERT OR REPLACE INTO round_drafts (round_id, org_id, field, value, saved_by, "
            "saved_at) VALUES (?, ?, ?, ?, ?, ?)",
            [int(round_id), int(org_id), code, text, user, moment],
        )
        audit.record(
            cur,
            audit.Action.DRAFT_SAVED,
            f"round:{int(round_id)}/org:{int(org_id)}",
            user,
            {"round": int(round_id), "org_id": int(org_id), "field": found.header},
            moment,
        )


def submit(
    db: Database,
    round_id: int,
    org_id: int,
    user: str | None = None,
    now: datetime | None = None,
    learn_aliases: bool = True,
) -> Submitted:
    """Send the organisation's form: refused (:class:`RoundError`, every error named)
    while an answer is refused by the check; else its answers go in as the
    organisation's template filled in, through :func:`rounds.submit`, and the draft is
    gone with the same transaction."""
    current = form(db, round_id, org_id)
    parsed, errors = parse(current.typed())
    if errors:
        headers = {f.code: f.header for f in FORM_VALUE_FIELDS}
        raise RoundError(
            "форма не отправлена, исправьте ответы: "
            + "; ".join(f"«{headers[e.code]}» — {e.message}" for e in errors)
        )
    answers = {code: value for code, value in parsed.items() if value is not None}
    content = round_templates.organization_template(db, round_id, org_id, answers=answers)

    def clear_draft(cur: duckdb.DuckDBPyConnection) -> None:
        cur.execute(
            "DELETE FROM round_drafts WHERE round_id = ? AND org_id = ?",
            [int(round_id), int(org_id)],
        )

    return rounds.submit(
        db,
        round_id,
        ONLINE_FILE,
        content,
        FormKind.ORG_FORM,
        user=user,
        now=now,
        learn_aliases=learn_aliases,
        label=ONLINE,
        also=clear_draft,
    )
