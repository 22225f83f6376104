"""Loading monitoring files into the database: whole or not at all.

``preview`` validates a file and reports what it would change without writing;
``ingest_bytes`` archives the file under ``uploads/`` by its sha256 and writes it in one
transaction. Re-uploading an (organisation, period) replaces its form and keeps the old
values in ``form_history``; :func:`rollback` undoes an upload and restores them.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from operator import attrgetter
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
import pyarrow as pa

from analytics.ingest import collector
from analytics.ingest.identity import Created, Move, Unplaced
from analytics.ingest.normalize import person_key
from analytics.ingest.parse import (
    Columns,
    Defaults,
    ParsedFile,
    Record,
    identity_keys,
    parse_sheets,
)
from analytics.ingest.problems import IngestError, PartialForm, Problem, ReviewNeeded
from analytics.ingest.readers import Limits, UnreadableFile, check_size, read_sheets
from analytics.ingest.resolve import Choices, Plan, Resolver
from analytics.model.contract import (
    FORM_VALUE_CODES,
    FORM_VALUE_FIELDS,
    KIND_LABELS,
    PERSON_FIELDS,
    PERSON_TABLES,
    SQL_TYPES,
    FormKind,
)
from analytics.model.errors import MonitoringError
from analytics.model.periods import period_of
from analytics.store import aggregates, archive, audit, faults, undo
from analytics.store.archive import DiskFull, disk_full
from analytics.store.db import (
    Database,
    first_row,
    first_value,
    mark_data_changed,
    person_columns,
    registered,
)


@dataclass(frozen=True)
class RegistryChanges:
    """What a registry upload did to the registry, by organisation: entered it anew
    (``added``), stayed in it with other details (``changed``: name, type, territory, ИНН or
    ОГРН) or the same ones (``unchanged``), or left it (``removed``: registered in a
    municipality the file covers, absent from the file)."""

    added: int
    changed: int
    unchanged: int
    removed: int


@dataclass
class IngestResult:
    """What an upload did (or, for a preview, would do)."""

    file: str
    kind: FormKind
    sha256: str
    rows: int
    warnings: list[Problem]
    upload_id: int | None = None
    new_organizations: int = 0
    replaced: int = 0
    periods: list[str] = field(default_factory=list)
    municipalities: list[str] = field(default_factory=list)
    records: list[Record] = field(default_factory=list)
    # Organisations the file covers (a person register has many rows per organisation).
    organizations: int = 0
    # What awaits the user's decision before the file can be written (see ReviewNeeded).
    unplaced: list[Unplaced] = field(default_factory=list)
    moves: list[Move] = field(default_factory=list)
    partial: list[PartialForm] = field(default_factory=list)
    # The rows that become new organisations, each with its closest registered one.
    created: list[Created] = field(default_factory=list)
    # What a registry upload did to the registry (None for other kinds).
    registry: RegistryChanges | None = None

    @property
    def needs_review(self) -> bool:
        return bool(self.unplaced or self.moves or self.partial)

    def awaiting(self, decisions: Decisions | None = None) -> bool:
        """Whether this preview, made with ``decisions``' choices, leaves rows awaiting a
        decision: a load with the same ``decisions`` raises :class:`ReviewNeeded` exactly
        then, since it places the rows as the preview did."""
        decisions = decisions or Decisions()
        return bool(
            self.unplaced
            or (self.moves and not decisions.move_orgs)
            or (self.partial and not decisions.replace_partial)
        )


def sha256_of(content: bytes) -> str:
    return hashlib.sha256(content).hexdigest()


@collector.paused()
def parse_bytes(
    name: str, content: bytes, kind: FormKind, defaults: Defaults, limits: Limits | None = None
) -> ParsedFile:
    """Read and validate a file; raises :class:`IngestError` with every error found."""
    try:
        sheets = read_sheets(name, content, limits or Limits.from_env())
    except UnreadableFile as error:
        raise IngestError([Problem(name, str(error))]) from None
    parsed = parse_sheets(name, sheets, kind, defaults)
    if parsed.errors:
        raise IngestError(parsed.errors)
    if not parsed.records:
        raise IngestError(
            [Problem(name, "в файле нет ни одной строки с данными под строкой заголовков")]
        )
    return parsed


@dataclass(frozen=True)
class Decisions:
    """What the user decided in a preview, for :func:`ingest_bytes`: the organisation (or
    ``NEW_ORGANISATION``) of rows by (sheet, row); whether every unplaced row is a new
    organisation; whether rows may move organisations between municipalities; whether
    stored forms may be replaced with fewer answers; whether the spellings the rows were
    placed with are learnt as aliases (a curator's upload only proposes them)."""

    choices: Choices = field(default_factory=dict)
    new_orgs: bool = False
    move_orgs: bool = False
    replace_partial: bool = False
    learn_aliases: bool = True


@collector.paused()
def preview(
    db: Database,
    name: str,
    content: bytes,
    kind: FormKind = FormKind.ORG_FORM,
    defaults: Defaults | None = None,
    limits: Limits | None = None,
    decisions: Decisions | None = None,
    parsed: ParsedFile | None = None,
) -> IngestResult:
    """Validate a file and say what it would add and replace, which rows become new
    organisations (``created``) and which await the user's decision (``unplaced``,
    ``moves``, ``partial``), given the ``decisions`` taken so far; writes nothing.

    The rows are placed as :func:`ingest_bytes` places them with the same decisions: a
    choice can make a later row doubtful (its name becomes a name of the organisation
    chosen), and the preview made with it asks about that row. Whether the load would
    stop for a decision is :meth:`IngestResult.awaiting`.
    ``parsed`` is the file as :func:`parse_bytes` read it with the same arguments, when
    the caller has it already (it is not changed)."""
    if parsed is None:
        parsed = parse_bytes(name, content, kind, defaults or Defaults(), limits)
    parsed = replace(parsed, warnings=list(parsed.warnings))
    decisions = decisions or Decisions()
    cur = db.cursor()
    try:
        resolver = Resolver(cur, name, kind, decisions.choices, decisions.new_orgs)
        plan = resolver.plan(parsed.records)
        if plan.errors:
            raise IngestError(plan.errors)
        parsed.warnings.extend(plan.warnings)
        replaced, partial = 0, []
        if kind is FormKind.ORG_FORM:
            replaced, partial = _forms_replaced(cur, parsed.records, plan)
        if kind in PERSON_TABLES:
            replaced = _registers_replaced(cur, kind, parsed.records, plan.org_ids)
            parsed.warnings.extend(_matching_warnings(cur, parsed, plan.org_ids))
    finally:
        cur.close()
    result = _result(parsed, sha256_of(content), plan.new_organizations, replaced)
    result.unplaced, result.moves, result.partial = plan.unplaced, plan.moves, partial
    result.created = plan.created
    return result


def _forms_replaced(
    cur: duckdb.DuckDBPyConnection, records: list[Record], plan: Plan
) -> tuple[int, list[PartialForm]]:
    """How many records replace a stored form, and which of them have fewer answers than
    the form they replace. The records' keys are matched on the stored forms' keys alone
    (two narrow columns); the stored answers are read only when some form is replaced."""
    columns = Columns(records)
    periods = columns["period"]
    found = [n for n, o in enumerate(plan.org_ids) if o is not None and o > 0]
    if not found:
        return 0, []
    incoming = [columns[c] for c in FORM_VALUE_CODES]
    pairs = pa.table(
        {
            "n": pa.array(found, type=pa.int64()),
            "org_id": pa.array([plan.org_ids[n] for n in found], type=pa.int64()),
            "period": pa.array([str(periods[n]) for n in found], type=pa.string()),
        }
    )
    within, bounds = _stored_within(
        [plan.org_ids[n] for n in found], [str(periods[n]) for n in found], "f."
    )
    with registered(cur, "previewed", pairs):
        if not first_value(
            cur,
            f"SELECT count(*) FROM previewed p JOIN form_values f USING (org_id, period) "
            f"WHERE {within}",
            bounds,
        ):
            return 0, []
        stored = cur.execute(
            f"SELECT p.n, o.name, {', '.join('f.' + c for c in FORM_VALUE_CODES)} "
            "FROM previewed p JOIN form_values f USING (org_id, period) "
            f"JOIN organizations o ON o.org_id = p.org_id WHERE {within} ORDER BY p.n",
            bounds,
        ).fetchall()
    partial = []
    for n, organization, *answers in stored:
        # Counted from the columns first: a dict per record is built only for a form
        # that loses answers.
        if sum(c[n] is not None for c in incoming) >= sum(v is not None for v in answers):
            continue
        record = records[n]
        before = dict(zip(FORM_VALUE_CODES, answers, strict=True))
        after = {c: record.values.get(c) for c in FORM_VALUE_CODES}
        partial.append(
            PartialForm(
                record.sheet,
                record.row,
                int(plan.org_ids[n]),
                str(organization),
                str(record.values["period"]),
                before,
                after,
            )
        )
    return len(stored), partial


def _result(parsed: ParsedFile, sha: str, new_orgs: int, replaced: int) -> IngestResult:
    columns = Columns(parsed.records)
    periods = sorted({str(p) for p in columns["period"] if p}, key=lambda p: period_of(p))
    municipalities = sorted({str(m) for m in columns["municipality"] if m})
    # The last identity key is the ИНН where there is one (see identity_keys); a row
    # without one is keyed by its name in its territory.
    inns = columns["inn"]
    organizations = len({("inn", inn) for inn in inns if inn}) + len(
        {
            identity_keys(r.values)[-1]
            for r, inn in zip(parsed.records, inns, strict=True)
            if not inn
        }
    )
    return IngestResult(
        file=parsed.file,
        kind=parsed.kind,
        sha256=sha,
        rows=len(parsed.records),
        warnings=parsed.warnings,
        new_organizations=new_orgs,
        replaced=replaced,
        periods=periods,
        municipalities=municipalities,
        records=parsed.records,
        organizations=organizations,
    )


def ingest_file(
    db: Database,
    path: str | Path,
    kind: FormKind = FormKind.ORG_FORM,
    defaults: Defaults | None = None,
    user: str | None = None,
    limits: Limits | None = None,
    decisions: Decisions | None = None,
) -> IngestResult:
    """Load one file from disk; see :func:`ingest_bytes`."""
    path = Path(path)
    limits = limits or Limits.from_env()
    try:
        check_size(path.stat().st_size, limits)
        content = path.read_bytes()
    except UnreadableFile as error:
        raise IngestError([Problem(path.name, str(error))]) from None
    except OSError:
        raise IngestError(
            [Problem(path.name, "файл не найден или недоступен для чтения")]
        ) from None
    return ingest_bytes(db, path.name, content, kind, defaults, user, limits, decisions)


@collector.paused()
def ingest_bytes(
    db: Database,
    name: str,
    content: bytes,
    kind: FormKind = FormKind.ORG_FORM,
    defaults: Defaults | None = None,
    user: str | None = None,
    limits: Limits | None = None,
    decisions: Decisions | None = None,
    parsed: ParsedFile | None = None,
    also: Callable[[duckdb.DuckDBPyConnection, int], None] | None = None,
) -> IngestResult:
    """Validate and load a file in one transaction; ``parsed`` as for :func:`preview`;
    ``also(cursor, upload_id)`` writes what the caller records with the upload (a round's
    submissions) in the same transaction.

    Raises :class:`IngestError` listing every problem, in which case nothing is written;
    :class:`ReviewNeeded` (one of them) where rows await the user's ``decisions``: rows
    placed on no organisation with certainty, moves between municipalities, forms
    replaced with fewer answers; :class:`DiskFull` when the disk has no room for the file
    or the transaction. The file itself is archived under ``db.uploads_dir`` by content
    hash in the same unit of work: written under a temporary name before the transaction
    commits, renamed after (see :mod:`analytics.store.archive`).
    """
    defaults = defaults or Defaults()
    decisions = decisions or Decisions()
    if parsed is None:
        parsed = parse_bytes(name, content, kind, defaults, limits)
    sha = sha256_of(content)
    warnings = list(parsed.warnings)
    earlier = db.scalar(
        "SELECT strftime(uploaded_at, '%d.%m.%Y %H:%M') FROM uploads "
        "WHERE sha256 = ? AND kind = ? AND rolled_back_at IS NULL ORDER BY upload_id LIMIT 1",
        [sha, str(kind)],
    )
    try:
        with archive.staging(db.uploads_dir) as files, db.transaction() as cur:
            mark_data_changed(cur)
            resolver = Resolver(
                cur,
                name,
                kind,
                decisions.choices,
                decisions.new_orgs,
                decisions.move_orgs,
                decisions.learn_aliases,
            )
            plan = resolver.plan(parsed.records)
            if plan.errors:
                raise IngestError(plan.errors)
            warnings.extend(plan.warnings)
            replacing, partial = 0, []
            if kind is FormKind.ORG_FORM:
                replacing, partial = _forms_replaced(cur, parsed.records, plan)
                if decisions.replace_partial:
                    partial = []
            if plan.blocked or partial:
                raise ReviewNeeded(name, plan.unplaced, plan.moves, partial)
            files.stage(sha, name, str(kind), content)
            faults.point("upload.staged")
            upload_id = int(first_value(cur, "SELECT nextval('upload_seq')"))
            now = datetime.now()
            with undo.recording(cur, upload_id, plan.org_ids):
                org_ids = resolver.write(plan, upload_id, now, user)
            if kind is FormKind.ORG_FORM:
                replaced = _write_forms(cur, parsed.records, org_ids, upload_id, now, replacing)
            elif kind in PERSON_TABLES:
                warnings.extend(_matching_warnings(cur, parsed, org_ids))
                replaced = _write_people(cur, kind, parsed.records, org_ids, upload_id, now)
            else:
                registry = _write_registry(cur, org_ids, upload_id)
                replaced = registry.changed + registry.unchanged + registry.removed
            if earlier:
                # Said after the writes (the same file for another period replaces
                # nothing), in its place after the file's own warnings.
                outcome = (
                    "данные заменены"
                    if replaced
                    else "данные загружены как новые, прежние не заменены"
                )
                warnings.insert(
                    len(parsed.warnings),
                    Problem(name, f"этот файл уже загружался {earlier}; {outcome}"),
                )
            cur.execute(
                "INSERT INTO uploads (upload_id, file_name, sha256, kind, uploaded_at, rows, "
                "uploaded_by, defaults, warnings) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [
                    upload_id,
                    name,
                    sha,
                    str(kind),
                    now,
                    len(parsed.records),
                    user,
                    json.dumps(defaults.__dict__, ensure_ascii=False),
                    json.dumps([w.as_dict() for w in warnings], ensure_ascii=False),
                ],
            )
            audit.record(
                cur,
                audit.Action.UPLOAD,
                f"upload:{upload_id}",
                user,
                {"file": name, "kind": str(kind), "rows": len(parsed.records), "sha256": sha},
                now,
            )
            if also is not None:
                also(cur, upload_id)
    except (OSError, duckdb.Error) as error:
        if not disk_full(error):
            raise
        raise DiskFull(
            f"Данные не загружены: на диске нет места, чтобы сохранить файл «{name}». "
            "База данных не изменена, копия файла не сохранена; освободите место на диске "
            "и загрузите файл снова"
        ) from None
    result = _result(parsed, sha, plan.new_organizations, replaced)
    result.upload_id = upload_id
    if kind is FormKind.REGISTRY:
        result.registry = registry
    result.warnings = warnings
    result.created = plan.created
    return result


_FORM_COLUMNS = (
    "org_id",
    "period",
    "upload_id",
    "source_sheet",
    "source_row",
    "entered",
    *FORM_VALUE_CODES,
)
_FORM_COLUMN_LIST = ", ".join(_FORM_COLUMNS)


def _write_forms(
    cur: duckdb.DuckDBPyConnection,
    records: list[Record],
    org_ids: list[int | None],
    upload_id: int,
    now: datetime,
    replaced: int,
) -> int:
    """Write the forms of ``records``; ``replaced`` of them (as :func:`_forms_replaced`
    counted) replace a stored form, which goes to ``form_history``. Returns ``replaced``."""
    _add_periods(cur, records, upload_id)
    incoming = _incoming_forms(cur, records, org_ids, upload_id)
    with registered(cur, "incoming_forms", incoming):
        # A file that replaces nothing (a new period's) skips three statements.
        if replaced:
            periods = [str(p) for p in Columns(records)["period"]]
            within, bounds = _stored_within(org_ids, periods, "f.")
            cur.execute(
                f"INSERT INTO form_history (history_id, replaced_by, replaced_at, "
                f"{_FORM_COLUMN_LIST}) SELECT nextval('history_seq'), ?, ?, "
                f"{', '.join('f.' + c for c in _FORM_COLUMNS)} "
                f"FROM form_values f JOIN incoming_forms i USING (org_id, period) WHERE {within}",
                [upload_id, now, *bounds],
            )
            aggregates.forget_forms(cur, "incoming_forms")
            within, bounds = _stored_within(org_ids, periods, "")
            cur.execute(
                f"DELETE FROM form_values WHERE {within} "
                "AND (org_id, period) IN (SELECT (org_id, period) FROM incoming_forms)",
                bounds,
            )
        cur.execute(
            f"INSERT INTO form_values ({_FORM_COLUMN_LIST}) "
            f"SELECT {_FORM_COLUMN_LIST} FROM incoming_forms"
        )
        # Derived from the incoming rows, which have the stored forms' types: no scan of
        # the stored forms for the upload's own.
        aggregates.remember_forms(cur, "incoming_forms")
    return replaced


def _stored_within(
    org_ids: Sequence[int | None], periods: Sequence[str], alias: str
) -> tuple[str, list[object]]:
    """A condition, with its parameters, that the stored forms of these organisations and
    periods meet (``alias`` qualifies the columns of ``form_values``). Beside a join on
    the forms' keys it changes nothing, but DuckDB skips the blocks of stored forms
    outside it by their minimum and maximum, where the join alone reads every stored
    form whole: an upload of a region's 800 forms read a country's 291,000 to find them."""
    ids = [o for o in org_ids if o is not None]
    found = sorted(set(periods))
    return (
        f"{alias}org_id BETWEEN ? AND ? AND {alias}period IN ({', '.join('?' * len(found))})",
        [min(ids), max(ids), *found],
    )


# The Arrow type of each SQL type of the form tables' columns.
_ARROW_TYPES = {
    "BOOLEAN": pa.bool_(),
    "BIGINT": pa.int64(),
    "DOUBLE": pa.float64(),
    "VARCHAR": pa.string(),
}


def _incoming_forms(
    cur: duckdb.DuckDBPyConnection, records: list[Record], org_ids: list[int | None], upload_id: int
) -> pa.Table:
    """The forms of ``records`` as the columns of ``form_values``, each of the SQL type of
    its column (``source_row`` is widened to BIGINT): DuckDB reads Arrow columns as they
    are, where a frame of Python objects is first inspected for its types, and derived
    values computed from them equal those computed from the stored forms. The values and
    the cells as typed are built by Arrow from each column's distinct values
    (:meth:`Columns.arrow`), not from a Python object per row."""
    columns = Columns(records)
    count = len(records)
    return pa.table(
        {
            "org_id": pa.array(org_ids, type=pa.int64()),
            "period": columns.arrow("period", pa.string(), str),
            "upload_id": pa.array(np.full(count, upload_id, dtype=np.int64)),
            "source_sheet": pa.array(list(map(attrgetter("sheet"), records)), type=pa.string()),
            "source_row": pa.array(
                np.fromiter(map(attrgetter("row"), records), dtype=np.int64, count=count)
            ),
            "entered": _entered(cur, columns),
            **{
                f.code: columns.arrow(f.code, _ARROW_TYPES[SQL_TYPES[f.type]])
                for f in FORM_VALUE_FIELDS
            },
        }
    )


def _entered(cur: duckdb.DuckDBPyConnection, columns: Columns) -> pa.ChunkedArray:
    """Every record's cells as JSON text (see :attr:`Record.entered_json`), joined by
    DuckDB from the members of each run of rows (:meth:`Columns.member_runs`), in the
    records' order (a projection keeps the order of the rows it reads)."""
    chunks = []
    for members in columns.member_runs():
        listed = ", ".join(members.column_names)
        with registered(cur, "entered_members", members):
            joined = cur.sql(
                f"SELECT '{{' || concat_ws(', ', {listed}) || '}}' AS entered FROM entered_members"
            ).to_arrow_table()
        chunks.extend(joined.column("entered").chunks)
    return pa.chunked_array(chunks, type=pa.string())


def _write_registry(
    cur: duckdb.DuckDBPyConnection, org_ids: list[int | None], upload_id: int
) -> RegistryChanges:
    """Replace the registry of every municipality the file covers; called after
    :func:`analytics.store.undo.recording`, whose history then holds exactly the
    organisations whose details the upload changed."""
    incoming = pd.DataFrame({"org_id": pd.array(sorted(set(org_ids)), dtype="Int64")})
    with registered(cur, "incoming_registry", incoming):
        scope = (
            "SELECT r.org_id FROM registry r JOIN organizations o USING (org_id) "
            "WHERE o.municipality_id IN (SELECT o2.municipality_id FROM organizations o2 "
            "JOIN incoming_registry i USING (org_id))"
        )
        replaced = first_value(cur, f"SELECT count(*) FROM ({scope})")
        added, changed, unchanged = first_row(
            cur,
            "SELECT count(*) FILTER (WHERE r.org_id IS NULL), "
            "count(*) FILTER (WHERE r.org_id IS NOT NULL AND h.org_id IS NOT NULL), "
            "count(*) FILTER (WHERE r.org_id IS NOT NULL AND h.org_id IS NULL) "
            "FROM incoming_registry i LEFT JOIN registry r USING (org_id) "
            "LEFT JOIN (SELECT DISTINCT org_id FROM organization_history "
            "WHERE replaced_by = ?) h USING (org_id)",
            [upload_id],
        )
        cur.execute(
            "INSERT INTO registry_history (org_id, upload_id, replaced_by) "
            f"SELECT org_id, upload_id, ? FROM registry WHERE org_id IN ({scope})",
            [upload_id],
        )
        cur.execute(f"DELETE FROM registry WHERE org_id IN ({scope})")
        cur.execute("INSERT INTO registry SELECT org_id, ? FROM incoming_registry", [upload_id])
    kept = int(changed) + int(unchanged)
    return RegistryChanges(int(added), int(changed), int(unchanged), int(replaced) - kept)


class RollbackRefused(MonitoringError):
    """An upload cannot be rolled back; the message is in Russian."""


class OrganisationsInUse(RollbackRefused):
    """The upload created organisations that other data refers to: the message (in
    Russian) names them and asks whether to roll back keeping them
    (``rollback(..., keep_used=True)``)."""


@dataclass
class Undone:
    """What a rollback undid, as the audit log records it."""

    removed: int = 0
    restored: int = 0
    organizations: list[str] = field(default_factory=list)
    kept: list[str] = field(default_factory=list)
    renamed: int = 0
    aliases: int = 0
    submissions: int = 0
    territories: int = 0
    periods: list[str] = field(default_factory=list)

    def details(self) -> dict[str, object]:
        facts: dict[str, object] = {"removed": self.removed, "restored": self.restored}
        named = {
            "organizations": "; ".join(f"«{n}»" for n in self.organizations),
            "kept_organizations": "; ".join(f"«{n}»" for n in self.kept),
            "organizations_restored": self.renamed,
            "aliases": self.aliases,
            "submissions": self.submissions,
            "territories": self.territories,
            "periods": ", ".join(self.periods),
        }
        facts.update({key: value for key, value in named.items() if value})
        return facts


def latest_upload(db: Database) -> int | None:
    """The newest upload still in effect: the only one a rollback may undo."""
    found = db.scalar("SELECT max(upload_id) FROM uploads WHERE rolled_back_at IS NULL")
    return int(found) if found is not None else None


def rollback(
    db: Database, upload_id: int, user: str | None = None, keep_used: bool = False
) -> Undone:
    """Undo an upload whole: remove the rows it wrote and restore those it replaced,
    forget the aliases it learnt and the round submissions it made, give the
    organisations it changed their descriptions back, and remove the organisations,
    territories and periods it created. Returns what was undone (also in the audit log).

    Only the newest upload still in effect can be rolled back, so history is always
    unwound in order. An organisation the upload created that something else refers to
    (an alias added by hand, a meeting, a target) is not removed silently: the rollback
    raises :class:`OrganisationsInUse` naming them, and with ``keep_used`` rolls back
    keeping them. The checks run inside the writing transaction, so an upload committing
    meanwhile cannot slip between them and the rollback.
    """
    with db.transaction() as cur:
        row = first_row(
            cur,
            "SELECT kind, file_name, rolled_back_at FROM uploads WHERE upload_id = ?",
            [upload_id],
        )
        if row is None:
            raise RollbackRefused(f"загрузка № {upload_id} не найдена")
        kind_code, file_name, rolled_back_at = row
        if rolled_back_at is not None:
            raise RollbackRefused(f"загрузка № {upload_id} уже отменена")
        later = [
            int(n)
            for (n,) in cur.execute(
                "SELECT upload_id FROM uploads WHERE upload_id > ? AND rolled_back_at IS NULL "
                "ORDER BY upload_id",
                [upload_id],
            ).fetchall()
        ]
        if later:
            numbers = ", ".join(f"№ {n}" for n in later)
            raise RollbackRefused(
                f"загрузка № {upload_id} — не последняя: после неё действуют загрузки "
                f"{numbers}; загрузки отменяются от последней к первой, сначала отмените их"
            )
        kind = FormKind(kind_code)
        mark_data_changed(cur)
        undone = _undo_rows(cur, kind, upload_id)
        undone.aliases = len(
            cur.execute(
                "DELETE FROM org_aliases WHERE source IN ('upload', 'proposed') AND upload_id = ? "
                "RETURNING alias",
                [upload_id],
            ).fetchall()
        )
        undone.submissions = len(
            cur.execute(
                "DELETE FROM round_submissions WHERE upload_id = ? RETURNING submission_id",
                [upload_id],
            ).fetchall()
        )
        undone.renamed = undo.restore_organizations(cur, upload_id)
        _remove_created(cur, upload_id, keep_used, undone)
        undo.forget(cur, upload_id)
        now = datetime.now()
        cur.execute("UPDATE uploads SET rolled_back_at = ? WHERE upload_id = ?", [now, upload_id])
        audit.record(
            cur,
            audit.Action.ROLLBACK,
            f"upload:{upload_id}",
            user,
            {"file": file_name, "kind": str(kind), **undone.details()},
            now,
        )
    return undone


def _undo_rows(cur: duckdb.DuckDBPyConnection, kind: FormKind, upload_id: int) -> Undone:
    """Remove the rows an upload of ``kind`` wrote and restore those it replaced."""
    values, history, columns = _stores()[kind]
    forms = kind is FormKind.ORG_FORM
    if forms:
        aggregates.forget(cur, "upload_id = ?", [upload_id])
    removed = cur.execute(
        f"DELETE FROM {values} WHERE upload_id = ? RETURNING org_id", [upload_id]
    ).fetchall()
    restored = cur.execute(
        f"INSERT INTO {values} ({columns}) SELECT {columns} FROM {history} "
        "WHERE replaced_by = ? RETURNING org_id",
        [upload_id],
    ).fetchall()
    if forms:
        keys = "(org_id, period) IN (SELECT (org_id, period) FROM form_history "
        aggregates.remember(cur, keys + "WHERE replaced_by = ?)", [upload_id])
    cur.execute(f"DELETE FROM {history} WHERE replaced_by = ?", [upload_id])
    if kind in _WITHHELD:
        # Rows of this upload that a round's coordinator returned wait there.
        cur.execute(f"DELETE FROM {_WITHHELD[kind]} WHERE upload_id = ?", [upload_id])
    return Undone(removed=len(removed), restored=len(restored))


def _remove_created(
    cur: duckdb.DuckDBPyConnection, upload_id: int, keep_used: bool, undone: Undone
) -> None:
    """Remove the organisations, territories and periods the upload created that nothing
    refers to any more; raise :class:`OrganisationsInUse` for organisations that something
    does, unless ``keep_used``."""
    orgs = undo.created_by(cur, upload_id, "organization")
    names = dict(
        cur.execute(
            "SELECT CAST(org_id AS VARCHAR), name FROM organizations "
            "WHERE org_id IN (SELECT unnest(CAST(? AS BIGINT[])))",
            [orgs],
        ).fetchall()
    )
    used = undo.uses(cur, "organization", orgs)
    if used and not keep_used:
        listed = "; ".join(
            f"«{names[key]}» ({', '.join(dict.fromkeys(_labels(tables)))})"
            for key, tables in sorted(used.items(), key=lambda item: names[item[0]])
        )
        raise OrganisationsInUse(
            f"загрузка № {upload_id} создала организации, которые используются и в других "
            f"данных: {listed}. Отменить загрузку, оставив эти организации?"
        )
    unused = [key for key in orgs if key not in used]
    undo.remove(cur, "organization", unused)
    undone.organizations = sorted(names[key] for key in unused)
    undone.kept = sorted(names[key] for key in used)
    for name in undo.TERRITORIES:
        territories = undo.created_by(cur, upload_id, name)
        busy = undo.uses(cur, name, territories)
        free = [key for key in territories if key not in busy]
        undo.remove(cur, name, free)
        undone.territories += len(free)
    periods = undo.created_by(cur, upload_id, "period")
    busy = undo.uses(cur, "period", periods)
    undone.periods = [p for p in periods if p not in busy]
    undo.remove(cur, "period", undone.periods)


def _labels(tables: list[str]) -> list[str]:
    return [undo.TABLE_LABELS.get(t, "другие данные") for t in tables]


def _stores() -> dict[FormKind, tuple[str, str, str]]:
    """Per kind: the table an upload writes, the table of the rows it replaced, and the
    columns that move between them on a rollback."""
    stores = {
        FormKind.ORG_FORM: ("form_values", "form_history", _FORM_COLUMN_LIST),
        FormKind.REGISTRY: ("registry", "registry_history", "org_id, upload_id"),
    }
    for kind, table in PERSON_TABLES.items():
        stores[kind] = (table, f"{table}_history", _person_column_list(kind))
    return stores


def current_table(kind: FormKind) -> str:
    """The table that holds the current rows of ``kind`` (what every indicator reads)."""
    return _stores()[kind][0]


# Per kind a round collects: where the rows of a returned file wait (see :func:`withhold`).
_WITHHELD: dict[FormKind, str] = {
    FormKind.ORG_FORM: "form_withheld",
    **{kind: f"{table}_withheld" for kind, table in PERSON_TABLES.items()},
}


def withhold(
    cur: duckdb.DuckDBPyConnection,
    kind: FormKind,
    upload_id: int,
    org_id: int,
    submission_id: int,
    now: datetime,
) -> None:
    """Move an organisation's rows of an upload out of the current data into the withheld
    table of ``kind``, under the submission a round's coordinator returned: from then on
    no indicator, reporting rate or document counts them, as every read reads the current
    tables only. What the upload replaced stays in history (a returned file has not been
    sent, and the round says so), so the organisation has no data of that kind for the
    period until it sends a file again or the return is reversed (:func:`restore`). Rows
    a later upload already replaced are not current and stay where they are."""
    values, _, columns = _stores()[kind]
    where, params = "upload_id = ? AND org_id = ?", [int(upload_id), int(org_id)]
    mark_data_changed(cur)
    if kind is FormKind.ORG_FORM:
        aggregates.forget(cur, where, params)
    cur.execute(
        f"INSERT INTO {_WITHHELD[kind]} (submission_id, withheld_at, {columns}) "
        f"SELECT ?, ?, {columns} FROM {values} WHERE {where}",
        [int(submission_id), now, *params],
    )
    cur.execute(f"DELETE FROM {values} WHERE {where}", params)


def restore(cur: duckdb.DuckDBPyConnection, kind: FormKind, submission_id: int) -> int | None:
    """Move the rows :func:`withhold` took out under ``submission_id`` back into the
    current data. Nothing moves when a later upload holds the organisation's data of that
    kind for the period by now: that upload's number is returned instead."""
    values, _, columns = _stores()[kind]
    withheld = _WITHHELD[kind]
    later = first_value(
        cur,
        f"SELECT min(v.upload_id) FROM {values} v JOIN {withheld} w USING (org_id, period) "
        "WHERE w.submission_id = ?",
        [int(submission_id)],
    )
    if later is not None:
        return int(later)
    mark_data_changed(cur)
    cur.execute(
        f"INSERT INTO {values} ({columns}) SELECT {columns} FROM {withheld} "
        "WHERE submission_id = ?",
        [int(submission_id)],
    )
    if kind is FormKind.ORG_FORM:
        aggregates.remember(
            cur,
            "(org_id, period) IN (SELECT (org_id, period) FROM form_withheld "
            "WHERE submission_id = ?)",
            [int(submission_id)],
        )
    cur.execute(f"DELETE FROM {withheld} WHERE submission_id = ?", [int(submission_id)])
    return None


def _add_periods(cur: duckdb.DuckDBPyConnection, records: list[Record], upload_id: int) -> None:
    """Add the periods of ``records`` not stored yet, in one statement, and record them
    as created by the upload (its rollback removes them)."""
    periods = sorted({str(p) for p in Columns(records)["period"]})
    parsed = [period_of(p) for p in periods]
    added = cur.execute(
        "INSERT INTO periods SELECT * FROM (SELECT unnest(CAST(? AS VARCHAR[])) AS period, "
        "unnest(CAST(? AS INTEGER[])), unnest(CAST(? AS BOOLEAN[]))) "
        "WHERE period NOT IN (SELECT period FROM periods) RETURNING period",
        [periods, [p.start_year for p in parsed], [p.is_school_year for p in parsed]],
    ).fetchall()
    undo.created(cur, upload_id, "period", [str(p) for (p,) in added])


def _person_column_list(kind: FormKind) -> str:
    return ", ".join(name for name, _ in person_columns(kind))


def _incoming_people(
    kind: FormKind, records: list[Record], org_ids: list[int | None]
) -> pd.DataFrame:
    """The parsed people of ``kind`` as the columns of their table."""
    columns: dict[str, object] = {
        "org_id": pd.array(org_ids, dtype="Int64"),
        "period": [str(r.values["period"]) for r in records],
        "source_sheet": [r.sheet for r in records],
        "source_row": [r.row for r in records],
        "name_key": [person_key(str(r.values["full_name"])) for r in records],
    }
    if kind is FormKind.MENTEES:
        columns["mentor_key"] = [
            person_key(str(r.values["mentor_name"])) if r.values.get("mentor_name") else None
            for r in records
        ]
    for f in PERSON_FIELDS[kind]:
        columns[f.code] = pd.Series([r.values.get(f.code) for r in records], dtype="object")
    return pd.DataFrame(columns)


def _registers_replaced(
    cur: duckdb.DuckDBPyConnection, kind: FormKind, records: list[Record], org_ids: list[int | None]
) -> int:
    """How many (organisation, period) registers of ``kind`` the records would replace."""
    pairs = {(o, str(r.values["period"])) for r, o in zip(records, org_ids, strict=True) if o}
    if not pairs:
        return 0
    frame = pd.DataFrame(sorted(pairs), columns=["org_id", "period"])
    with registered(cur, "register_pairs", frame):
        return int(
            first_value(
                cur,
                f"SELECT count(*) FROM register_pairs p WHERE EXISTS (SELECT 1 FROM "
                f"{PERSON_TABLES[kind]} t WHERE t.org_id = p.org_id AND t.period = p.period)",
            )
        )


def _write_people(
    cur: duckdb.DuckDBPyConnection,
    kind: FormKind,
    records: list[Record],
    org_ids: list[int | None],
    upload_id: int,
    now: datetime,
) -> int:
    """Replace the register of ``kind`` of every (organisation, period) in the file; the
    replaced rows go to the history table, so a rollback can restore them."""
    _add_periods(cur, records, upload_id)
    replaced = _registers_replaced(cur, kind, records, org_ids)
    table = PERSON_TABLES[kind]
    incoming = f"incoming_{table}"
    types = dict(person_columns(kind))

    def selected(column: str) -> str:
        if column == "person_id":
            return "nextval('person_seq')"
        if column == "upload_id":
            return "CAST(? AS BIGINT)"
        return f"CAST({column} AS {types[column].removesuffix(' NOT NULL')})"

    listed = _person_column_list(kind)
    with registered(cur, incoming, _incoming_people(kind, records, org_ids)):
        scope = f"(org_id, period) IN (SELECT (org_id, period) FROM {incoming})"
        cur.execute(
            f"INSERT INTO {table}_history ({listed}, replaced_by, replaced_at) "
            f"SELECT {listed}, ?, ? FROM {table} WHERE {scope}",
            [upload_id, now],
        )
        cur.execute(f"DELETE FROM {table} WHERE {scope}")
        cur.execute(
            f"INSERT INTO {table} ({listed}) "
            f"SELECT {', '.join(selected(c) for c in types)} FROM {incoming}",
            [upload_id],
        )
    return replaced


def _matching_warnings(
    cur: duckdb.DuckDBPyConnection, parsed: ParsedFile, org_ids: list[int | None]
) -> list[Problem]:
    """Mentees whose mentor is not in the base of mentors of their organisation and period.

    For a base of mentees, each unmatched row is a warning (its mentor's name is the value,
    shown to the person who uploads the file); where the organisation has no base of
    mentors for the period yet, one warning says so. For a base of mentors, one warning per
    organisation counts the stored mentees it leaves without their mentor (no names).
    """
    warnings: list[Problem] = []
    groups: dict[tuple[int | None, str], list[Record]] = {}
    for record, org_id in zip(parsed.records, org_ids, strict=True):
        groups.setdefault((org_id, str(record.values["period"])), []).append(record)
    for (org_id, period), records in groups.items():
        org_name = records[0].values["org_name"]
        if parsed.kind is FormKind.MENTORS:
            if org_id is None:
                continue
            keys = {person_key(str(r.values["full_name"])) for r in records}
            stored = cur.execute(
                "SELECT mentor_key FROM mentees WHERE org_id = ? AND period = ? "
                "AND mentor_key IS NOT NULL",
                [org_id, period],
            ).fetchall()
            lost = sum(1 for (key,) in stored if key not in keys)
            if lost:
                warnings.append(
                    Problem(
                        parsed.file,
                        f"«{org_name}», {period}: у {lost} из {len(stored)} наставляемых "
                        "из загруженной ранее базы наставляемых наставник не найден в этой "
                        "базе наставников",
                    )
                )
            continue
        known = set()
        if org_id is not None:
            known = {
                key
                for (key,) in cur.execute(
                    "SELECT name_key FROM mentors WHERE org_id = ? AND period = ?",
                    [org_id, period],
                ).fetchall()
            }
        named = [r for r in records if r.values.get("mentor_name")]
        if not known:
            if named:
                warnings.append(
                    Problem(
                        parsed.file,
                        f"«{org_name}», {period}: {KIND_LABELS[FormKind.MENTORS].lower()} "
                        "организации за этот период не загружена; наставники будут "
                        "сопоставлены, когда она появится",
                    )
                )
            continue
        column = next(f.header for f in PERSON_FIELDS[FormKind.MENTEES] if f.code == "mentor_name")
        warnings.extend(
            Problem(
                parsed.file,
                "наставник не найден в базе наставников этой организации за период; "
                "проверьте, как написаны фамилия, имя и отчество",
                sheet=r.sheet,
                row=r.row,
                column=column,
                value=str(r.values["mentor_name"]),
            )
            for r in named
            if person_key(str(r.values["mentor_name"])) not in known
        )
    return warnings
