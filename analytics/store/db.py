"""The DuckDB store: one connection per process, a cursor per query, migrations.

The schema is versioned: ``MIGRATIONS[i]`` takes a database from version ``i`` to
``i + 1``, so a database made by an older release opens in a newer one. Columns of the
form tables are derived from the data contract.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager, suppress
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

import duckdb

from analytics.model.contract import (
    FORM_VALUE_FIELDS,
    PERSON_FIELDS,
    PERSON_TABLES,
    SQL_TYPES,
    FormKind,
)
from analytics.model.errors import MonitoringError
from analytics.store import aggregates, faults, private, sweep

# pandas and pyarrow are imported by what uses them: a command that only has DuckDB
# write a table (``indicators --format csv``) starts without them.
if TYPE_CHECKING:
    import pandas as pd
    import pyarrow as pa

DEFAULT_DB_PATH = Path("data") / "monitoring.duckdb"


class DatabaseBusy(MonitoringError):
    """The database file is held by another process; the message is in Russian."""


class DatabaseOutdated(MonitoringError):
    """The database file was made for another data contract; the message is in Russian."""


class DatabaseReadOnly(MonitoringError):
    """A write to a database opened for reading only (a published snapshot); the message
    is in Russian."""


def default_db_path() -> Path:
    """``MONITORING_DB`` if set, else ``data/monitoring.duckdb``."""
    return Path(os.environ.get("MONITORING_DB") or DEFAULT_DB_PATH)


def first_row(
    cur: duckdb.DuckDBPyConnection, sql: str, params: Sequence[object] = ()
) -> tuple | None:
    """The first row of a query, its result read to the end.

    DuckDB 2.0 keeps a result open after ``fetchone()``, and the next ``register`` on the
    same cursor then fails («connection has an unfinished result»); inside a transaction
    every statement shares one cursor, so every read there goes through this.
    """
    rows = cur.execute(sql, params).fetchall()
    return rows[0] if rows else None


def first_value(cur: duckdb.DuckDBPyConnection, sql: str, params: Sequence[object] = ()) -> object:
    """The first column of :func:`first_row`, or None when there is no row."""
    row = first_row(cur, sql, params)
    return row[0] if row else None


@contextmanager
def registered(
    cur: duckdb.DuckDBPyConnection, name: str, frame: pd.DataFrame | pa.Table
) -> Iterator[str]:
    """``frame`` as the view ``name`` on ``cur`` for the block; the view is dropped after.

    When the block fails, dropping the view may fail too (an aborted transaction refuses
    every statement): that second error is swallowed so the first one reaches the caller.
    """
    cur.register(name, frame)
    try:
        yield name
    except BaseException:
        with suppress(duckdb.Error):
            cur.unregister(name)
        raise
    cur.unregister(name)


# The meta key set, in the transaction that deletes personal data, until the file has been
# rewritten without it (see :meth:`Database.rewrite`): opening finishes a rewrite a kill
# interrupted.
REWRITE_KEY = "rewrite_pending"

# The meta key of the moment the data last changed (see :func:`mark_data_changed`).
DATA_STAMP_KEY = "data_changed_at"


def mark_data_changed(cur: duckdb.DuckDBPyConnection) -> None:
    """Record, inside the writing transaction, that forms, the registry, person bases or
    targets changed: documents and pages state the data as of this moment («Данные на …»).
    Writes of anything else (a sign-off, a meeting, a decision, a round's dates) leave it,
    so two documents of the same data state the same moment; every write still changes
    :meth:`Database.data_version`, the key of caches."""
    cur.execute(
        "INSERT OR REPLACE INTO meta VALUES (?, epoch_us(CAST(? AS TIMESTAMP)))",
        [DATA_STAMP_KEY, datetime.now()],
    )


def _form_columns() -> str:
    return ",\n    ".join(f"{f.code} {SQL_TYPES[f.type]}" for f in FORM_VALUE_FIELDS)


def _migration_1() -> list[str]:
    # No FOREIGN KEY constraints: DuckDB refuses to update a referenced row (even a column
    # no key uses), and the organisation's name and type must follow the latest file. The
    # engine resolves references itself, inside the writing transaction.
    return [
        "CREATE SEQUENCE territory_seq START 1",
        "CREATE SEQUENCE org_seq START 1",
        "CREATE SEQUENCE upload_seq START 1",
        "CREATE SEQUENCE history_seq START 1",
        """CREATE TABLE regions (
    region_id BIGINT PRIMARY KEY,
    name VARCHAR NOT NULL,
    name_key VARCHAR NOT NULL UNIQUE)""",
        """CREATE TABLE municipalities (
    municipality_id BIGINT PRIMARY KEY,
    region_id BIGINT NOT NULL,
    name VARCHAR NOT NULL,
    name_key VARCHAR NOT NULL,
    UNIQUE (region_id, name_key))""",
        """CREATE TABLE districts (
    district_id BIGINT PRIMARY KEY,
    municipality_id BIGINT NOT NULL,
    name VARCHAR NOT NULL,
    name_key VARCHAR NOT NULL,
    UNIQUE (municipality_id, name_key))""",
        """CREATE TABLE organizations (
    org_id BIGINT PRIMARY KEY,
    municipality_id BIGINT NOT NULL,
    district_id BIGINT,
    inn VARCHAR UNIQUE,
    name VARCHAR NOT NULL,
    name_key VARCHAR NOT NULL,
    org_type VARCHAR NOT NULL)""",
        """CREATE TABLE periods (
    period VARCHAR PRIMARY KEY,
    start_year INTEGER NOT NULL,
    is_school_year BOOLEAN NOT NULL)""",
        """CREATE TABLE uploads (
    upload_id BIGINT PRIMARY KEY,
    file_name VARCHAR NOT NULL,
    sha256 VARCHAR NOT NULL,
    kind VARCHAR NOT NULL,
    uploaded_at TIMESTAMP NOT NULL,
    rows INTEGER NOT NULL,
    uploaded_by VARCHAR,
    defaults VARCHAR,
    warnings VARCHAR,
    rolled_back_at TIMESTAMP)""",
        f"""CREATE TABLE form_values (
    org_id BIGINT NOT NULL,
    period VARCHAR NOT NULL,
    upload_id BIGINT NOT NULL,
    source_sheet VARCHAR,
    source_row INTEGER,
    entered VARCHAR,
    {_form_columns()},
    PRIMARY KEY (org_id, period))""",
        f"""CREATE TABLE form_history (
    history_id BIGINT PRIMARY KEY,
    org_id BIGINT NOT NULL,
    period VARCHAR NOT NULL,
    upload_id BIGINT NOT NULL,
    replaced_by BIGINT NOT NULL,
    replaced_at TIMESTAMP NOT NULL,
    source_sheet VARCHAR,
    source_row INTEGER,
    entered VARCHAR,
    {_form_columns()})""",
        """CREATE TABLE registry (
    org_id BIGINT PRIMARY KEY,
    upload_id BIGINT NOT NULL)""",
        """CREATE TABLE registry_history (
    org_id BIGINT NOT NULL,
    upload_id BIGINT NOT NULL,
    replaced_by BIGINT NOT NULL)""",
        """CREATE TABLE targets (
    indicator VARCHAR NOT NULL,
    period VARCHAR NOT NULL,
    level VARCHAR NOT NULL,
    territory_id BIGINT NOT NULL,
    target DOUBLE NOT NULL,
    set_by VARCHAR,
    set_at TIMESTAMP NOT NULL,
    PRIMARY KEY (indicator, period, level, territory_id))""",
        """CREATE TABLE meta (
    key VARCHAR PRIMARY KEY,
    value BIGINT NOT NULL)""",
        "INSERT INTO meta VALUES ('data_version', 0)",
    ]


def person_columns(kind: FormKind) -> tuple[tuple[str, str], ...]:
    """The columns of a person register's table (and its history) with their SQL types.

    ``name_key`` is the normalised full name; a mentee's ``mentor_key`` is matched to a
    mentor's ``name_key`` within the same organisation and period.
    """
    fixed = [
        ("person_id", "BIGINT NOT NULL"),
        ("org_id", "BIGINT NOT NULL"),
        ("period", "VARCHAR NOT NULL"),
        ("upload_id", "BIGINT NOT NULL"),
        ("source_sheet", "VARCHAR"),
        ("source_row", "INTEGER"),
        ("name_key", "VARCHAR NOT NULL"),
    ]
    if kind is FormKind.MENTEES:
        fixed.append(("mentor_key", "VARCHAR"))
    return (*fixed, *((f.code, SQL_TYPES[f.type]) for f in PERSON_FIELDS[kind]))


def _migration_2() -> list[str]:
    """The person registers (База наставников, База наставляемых) and their history;
    ``uploads.purged_at`` records that an upload's personal data was deleted, together
    with its archived file."""
    statements = [
        "CREATE SEQUENCE person_seq START 1",
        "ALTER TABLE uploads ADD COLUMN purged_at TIMESTAMP",
    ]
    for kind, table in PERSON_TABLES.items():
        columns = ",\n    ".join(f"{name} {sql}" for name, sql in person_columns(kind))
        statements.append(f"CREATE TABLE {table} (\n    {columns},\n    PRIMARY KEY (person_id))")
        statements.append(
            f"CREATE TABLE {table}_history (\n    {columns},\n    replaced_by BIGINT NOT NULL,\n"
            "    replaced_at TIMESTAMP NOT NULL)"
        )
    return statements


def _migration_3() -> list[str]:
    """The audit log: who uploaded, rolled back, changed a target, made or restored a
    backup; ``details`` is JSON (see :mod:`analytics.store.audit`)."""
    return [
        "CREATE SEQUENCE audit_seq START 1",
        """CREATE TABLE audit_log (
    entry_id BIGINT PRIMARY KEY,
    logged_at TIMESTAMP NOT NULL,
    actor VARCHAR,
    action VARCHAR NOT NULL,
    object VARCHAR NOT NULL,
    details VARCHAR NOT NULL)""",
    ]


def _migration_meetings() -> list[str]:
    """Working-group meetings: the meeting with its frozen indicator values and the
    screens shown (its agenda), the decisions (поручения) on deficits, and the planned
    values of indicators per period and territory (target trajectories)."""
    return [
        "CREATE SEQUENCE meeting_seq START 1",
        "CREATE SEQUENCE decision_seq START 1",
        """CREATE TABLE meetings (
    meeting_id BIGINT PRIMARY KEY,
    held_on DATE NOT NULL,
    title VARCHAR NOT NULL,
    place VARCHAR,
    period VARCHAR NOT NULL,
    region_id BIGINT,
    municipality_id BIGINT,
    district_id BIGINT,
    org_type VARCHAR,
    data_version BIGINT NOT NULL,
    opened_at TIMESTAMP NOT NULL,
    attendees VARCHAR NOT NULL DEFAULT '',
    chair VARCHAR,
    secretary VARCHAR,
    created_by VARCHAR,
    created_at TIMESTAMP NOT NULL,
    updated_by VARCHAR,
    updated_at TIMESTAMP NOT NULL)""",
        """CREATE TABLE meeting_screens (
    meeting_id BIGINT NOT NULL,
    position INTEGER NOT NULL,
    screen VARCHAR NOT NULL,
    title VARCHAR NOT NULL,
    shown_at TIMESTAMP NOT NULL,
    PRIMARY KEY (meeting_id, screen))""",
        """CREATE TABLE meeting_values (
    meeting_id BIGINT NOT NULL,
    indicator VARCHAR NOT NULL,
    level VARCHAR NOT NULL,
    period VARCHAR NOT NULL,
    region_id BIGINT,
    municipality_id BIGINT,
    district_id BIGINT,
    org_id BIGINT,
    region VARCHAR,
    municipality VARCHAR,
    district VARCHAR,
    organization VARCHAR,
    numerator DOUBLE,
    denominator DOUBLE,
    orgs BIGINT,
    value DOUBLE,
    target DOUBLE,
    better VARCHAR,
    status VARCHAR,
    ord INTEGER)""",
        """CREATE TABLE decisions (
    decision_id BIGINT PRIMARY KEY,
    meeting_id BIGINT NOT NULL,
    indicator VARCHAR NOT NULL,
    level VARCHAR NOT NULL,
    territory_id BIGINT NOT NULL,
    period VARCHAR NOT NULL,
    text VARCHAR NOT NULL,
    responsible VARCHAR NOT NULL,
    due_date DATE NOT NULL,
    status VARCHAR NOT NULL,
    created_by VARCHAR,
    created_at TIMESTAMP NOT NULL,
    updated_by VARCHAR,
    updated_at TIMESTAMP NOT NULL)""",
        """CREATE TABLE trajectories (
    indicator VARCHAR NOT NULL,
    level VARCHAR NOT NULL,
    territory_id BIGINT NOT NULL,
    period VARCHAR NOT NULL,
    planned DOUBLE NOT NULL,
    set_by VARCHAR,
    set_at TIMESTAMP NOT NULL,
    PRIMARY KEY (indicator, level, territory_id, period))""",
    ]


def _migration_aggregates() -> list[str]:
    """``org_values``, the per-form indicator numerators and denominators (see
    :mod:`analytics.store.aggregates`), backfilled from the forms already stored."""
    return aggregates.migration()


def _migration_identity() -> list[str]:
    """``org_aliases``: every name an organisation has been written with, so the next file
    that writes it so is placed by itself (see :mod:`analytics.ingest.resolve`). ``source`` is
    ``upload`` (learnt from a file or the user's choice in its preview) or ``manual``.
    ``organizations.ogrn``: the state registration number a published registry gives."""
    return [
        "ALTER TABLE organizations ADD COLUMN ogrn VARCHAR",
        """CREATE TABLE org_aliases (
    org_id BIGINT NOT NULL,
    alias VARCHAR NOT NULL,
    source VARCHAR NOT NULL,
    upload_id BIGINT,
    added_by VARCHAR,
    added_at TIMESTAMP NOT NULL,
    PRIMARY KEY (org_id, alias))""",
    ]


def _migration_settings() -> list[str]:
    """``settings``: what is set once for the whole installation and printed on the
    documents (the note's sign-off: issuing organisation, signatory, executor), as text
    under a key (see :mod:`analytics.store.signoff`)."""
    return [
        """CREATE TABLE settings (
    key VARCHAR PRIMARY KEY,
    value VARCHAR NOT NULL,
    set_by VARCHAR,
    set_at TIMESTAMP NOT NULL)"""
    ]


def _migration_rounds() -> list[str]:
    """Monitoring rounds (see :mod:`analytics.meetings.rounds`): the round with its period,
    territory, form kinds, dates and order, and the files submitted in it with the
    coordinator's verdict. ``secret`` signs the identifiers of the round's templates."""
    return [
        "CREATE SEQUENCE round_seq START 1",
        "CREATE SEQUENCE submission_seq START 1",
        """CREATE TABLE rounds (
    round_id BIGINT PRIMARY KEY,
    period VARCHAR NOT NULL,
    region_id BIGINT,
    municipality_id BIGINT,
    district_id BIGINT,
    kinds VARCHAR NOT NULL,
    starts_on DATE NOT NULL,
    due_on DATE NOT NULL,
    order_number VARCHAR NOT NULL,
    order_date DATE NOT NULL,
    order_title VARCHAR,
    secret VARCHAR NOT NULL,
    opened_by VARCHAR,
    opened_at TIMESTAMP NOT NULL,
    closed_by VARCHAR,
    closed_at TIMESTAMP)""",
        """CREATE TABLE round_submissions (
    submission_id BIGINT PRIMARY KEY,
    round_id BIGINT NOT NULL,
    org_id BIGINT NOT NULL,
    kind VARCHAR NOT NULL,
    upload_id BIGINT NOT NULL,
    file_name VARCHAR NOT NULL,
    via_template BOOLEAN NOT NULL,
    submitted_by VARCHAR,
    submitted_at TIMESTAMP NOT NULL,
    status VARCHAR NOT NULL,
    reviewed_by VARCHAR,
    reviewed_at TIMESTAMP,
    comment VARCHAR)""",
    ]


def org_places_view() -> str:
    """Each organisation with its territories' ids and names, declared once: every query
    that needs an organisation's place reads this view instead of writing the joins
    (see :class:`analytics.store.scope.Scope`)."""
    return """CREATE OR REPLACE VIEW org_places AS
SELECT o.org_id, o.name, o.inn, o.org_type, o.district_id, o.municipality_id, m.region_id,
    d.name AS district, m.name AS municipality, r.name AS region
FROM organizations o
JOIN municipalities m ON m.municipality_id = o.municipality_id
JOIN regions r ON r.region_id = m.region_id
LEFT JOIN districts d ON d.district_id = o.district_id"""


def _migration_places() -> list[str]:
    return [org_places_view()]


def _migration_entered() -> list[str]:
    """``entered`` of the form tables (each form's cells as typed, as JSON text: about
    1.6 KB a form, most of the bytes an upload writes) compressed with ZSTD. DuckDB's
    default for text (dictionary and FSST) spent a seventh of a country's upload on it
    when committing and kept five times as many bytes. DuckDB cannot change a column's
    compression in place, so each table is copied into its new definition (by column
    name) and takes the old one's name; the stored values are the same."""
    definitions = {
        "form_values": """CREATE TABLE form_values_zstd (
    org_id BIGINT NOT NULL,
    period VARCHAR NOT NULL,
    upload_id BIGINT NOT NULL,
    source_sheet VARCHAR,
    source_row INTEGER,
    entered VARCHAR USING COMPRESSION ZSTD,
    {columns},
    PRIMARY KEY (org_id, period))""",
        "form_history": """CREATE TABLE form_history_zstd (
    history_id BIGINT PRIMARY KEY,
    org_id BIGINT NOT NULL,
    period VARCHAR NOT NULL,
    upload_id BIGINT NOT NULL,
    replaced_by BIGINT NOT NULL,
    replaced_at TIMESTAMP NOT NULL,
    source_sheet VARCHAR,
    source_row INTEGER,
    entered VARCHAR USING COMPRESSION ZSTD,
    {columns})""",
    }
    statements = []
    for table, definition in definitions.items():
        statements += [
            definition.format(columns=_form_columns()),
            f"INSERT INTO {table}_zstd BY NAME SELECT * FROM {table}",
            f"DROP TABLE {table}",
            f"ALTER TABLE {table}_zstd RENAME TO {table}",
        ]
    return statements


def _migration_withheld() -> list[str]:
    """The rows of a file the coordinator of a round returned (see
    :func:`analytics.ingest.load.withhold`): moved out of the current forms and registers,
    so no indicator, reporting rate or document counts them until the file is accepted
    (they move back) or sent again. ``submission_id`` is the returned submission."""
    statements = [
        f"""CREATE TABLE form_withheld (
    submission_id BIGINT NOT NULL,
    withheld_at TIMESTAMP NOT NULL,
    org_id BIGINT NOT NULL,
    period VARCHAR NOT NULL,
    upload_id BIGINT NOT NULL,
    source_sheet VARCHAR,
    source_row INTEGER,
    entered VARCHAR USING COMPRESSION ZSTD,
    {_form_columns()})"""
    ]
    for kind, table in PERSON_TABLES.items():
        columns = ",\n    ".join(f"{name} {sql}" for name, sql in person_columns(kind))
        statements.append(
            f"CREATE TABLE {table}_withheld (\n    submission_id BIGINT NOT NULL,\n"
            f"    withheld_at TIMESTAMP NOT NULL,\n    {columns})"
        )
    # Files returned before this migration still count: their rows are withheld now, as a
    # return does from here on ('returned' is analytics.meetings.rounds.SubmissionStatus.RETURNED).
    stores = {
        FormKind.ORG_FORM: ("form_values", "form_withheld"),
        **{kind: (table, f"{table}_withheld") for kind, table in PERSON_TABLES.items()},
    }
    for kind, (values, withheld) in stores.items():
        statements.append(
            f"INSERT INTO {withheld} BY NAME SELECT s.submission_id, "
            "coalesce(s.reviewed_at, s.submitted_at) AS withheld_at, t.* "
            f"FROM {values} t JOIN round_submissions s ON s.upload_id = t.upload_id "
            f"AND s.org_id = t.org_id AND s.kind = '{kind}' AND s.status = 'returned'"
        )
    statements += [
        "DELETE FROM org_values WHERE (org_id, period) IN "
        "(SELECT (org_id, period) FROM form_withheld)",
        "DELETE FROM form_values WHERE (org_id, period, upload_id) IN "
        "(SELECT (org_id, period, upload_id) FROM form_withheld)",
    ]
    for table in PERSON_TABLES.values():
        statements.append(
            f"DELETE FROM {table} WHERE person_id IN (SELECT person_id FROM {table}_withheld)"
        )
    return statements


def _migration_data_stamp() -> list[str]:
    """The moment the data last changed (:func:`mark_data_changed`), kept in ``meta`` as
    microseconds since the epoch: on an existing database, its last upload, rollback or
    target; and the moment of the data a meeting's values were frozen from."""
    return [
        f"""INSERT OR IGNORE INTO meta SELECT '{DATA_STAMP_KEY}', epoch_us(max(t)) FROM (
    SELECT uploaded_at AS t FROM uploads UNION ALL SELECT rolled_back_at FROM uploads
    UNION ALL SELECT set_at FROM targets) HAVING max(t) IS NOT NULL""",
        "ALTER TABLE meetings ADD COLUMN data_at TIMESTAMP",
    ]


def _migration_undo() -> list[str]:
    """What an upload made beside its rows, so that its rollback can undo it whole:
    ``upload_created`` lists the organisations, territories (``region``, ``municipality``,
    ``district``, keyed by id) and periods (keyed by code) the upload created;
    ``organization_history`` keeps the description of every organisation it changed
    (a name or type from a registry, a move), as it was before."""
    return [
        """CREATE TABLE upload_created (
    upload_id BIGINT NOT NULL,
    object VARCHAR NOT NULL,
    object_key VARCHAR NOT NULL,
    PRIMARY KEY (upload_id, object, object_key))""",
        """CREATE TABLE organization_history (
    org_id BIGINT NOT NULL,
    municipality_id BIGINT NOT NULL,
    district_id BIGINT,
    inn VARCHAR,
    ogrn VARCHAR,
    name VARCHAR NOT NULL,
    name_key VARCHAR NOT NULL,
    org_type VARCHAR NOT NULL,
    replaced_by BIGINT NOT NULL)""",
    ]


def _migration_drafts() -> list[str]:
    """Forms typed online in a round (:mod:`analytics.meetings.entry`), kept answer by
    answer as the person types them (``value`` as typed; NULL: the answer cleared) until
    they are sent. Nothing counts a draft: no indicator, completeness or document reads it."""
    return [
        """CREATE TABLE round_drafts (
    round_id BIGINT NOT NULL,
    org_id BIGINT NOT NULL,
    field VARCHAR NOT NULL,
    value VARCHAR,
    saved_by VARCHAR,
    saved_at TIMESTAMP NOT NULL,
    PRIMARY KEY (round_id, org_id, field))"""
    ]


# MIGRATIONS[i] brings the schema from version i to i + 1.
MIGRATIONS: tuple[Sequence[str], ...] = (
    _migration_1(),
    _migration_2(),
    _migration_3(),
    _migration_meetings(),
    _migration_aggregates(),
    _migration_identity(),
    _migration_settings(),
    _migration_rounds(),
    _migration_places(),
    _migration_entered(),
    _migration_withheld(),
    _migration_data_stamp(),
    _migration_undo(),
    _migration_drafts(),
)
SCHEMA_VERSION = len(MIGRATIONS)

# The meta key under which the fingerprint of the catalogue ``org_values`` was derived with
# is kept (see Database._follow_definitions).
DERIVED_KEY = "org_values_definition"

# In ``targets``, an override for every period is stored under this period code, and
# the whole-country level under territory id 0.
ALL_PERIODS = "*"
TOTAL_TERRITORY = 0


def _literal(text: str) -> str:
    """A string as an SQL literal, for statements that take no parameters (ATTACH)."""
    return "'" + text.replace("'", "''") + "'"


def _identifier(text: str) -> str:
    return '"' + text.replace('"', '""') + '"'


class _Pinned:
    """The cursor of a :meth:`Database.snapshot`, lent to every query of its thread;
    closing it is left to the snapshot.

    DuckDB refuses a new statement on a connection whose last result was not read to its
    end (``fetchone`` leaves it open), so each statement first drops what is left of the
    previous result: every "cursor" of the snapshot is the same connection.
    """

    _STATEMENTS = frozenset({"execute", "executemany", "sql", "query", "register", "unregister"})

    def __init__(self, cur: duckdb.DuckDBPyConnection):
        self._cur = cur

    def close(self) -> None:
        pass

    def __getattr__(self, name: str) -> object:
        if name in self._STATEMENTS:
            self._cur.abort()
        return getattr(self._cur, name)


class Database:
    """A DuckDB database file with the monitoring schema.

    One instance holds one connection; every query runs on its own cursor, so the
    instance can be shared by threads. Writes go through :meth:`transaction`; a read of
    several queries that must agree goes inside :meth:`snapshot`.
    """

    def __init__(self, path: str | Path | None = None, read_only: bool = False):
        self.path = Path(path) if path is not None else default_db_path()
        self.read_only = read_only
        if not read_only:
            # The database, its WAL and the archived uploads hold people's names.
            private.restrict_umask()
            self.path.parent.mkdir(parents=True, exist_ok=True)
        try:
            self._con = duckdb.connect(str(self.path), read_only=read_only)
        except duckdb.IOException as error:
            if "lock" in str(error).lower():
                raise DatabaseBusy(
                    f"база данных {self.path} занята другим процессом (например, запущенной "
                    "панелью мониторинга); повторите попытку, когда он завершит работу"
                ) from None
            raise
        self._write_lock = threading.Lock()
        self._pinned = threading.local()
        if not read_only and self._is_snapshot():
            # A published snapshot is never written, however it is opened.
            self._con.close()
            self._con = duckdb.connect(str(self.path), read_only=True)
            self.read_only = True
        if self.read_only:
            self._check_schema()
        else:
            private.secure_store(self.path)
            self.migrate()
            self._sweep()
            if self.meta(REWRITE_KEY):
                self.rewrite()
        self._follow_definitions()

    def _sweep(self) -> None:
        """Remove what a killed process left beside the database (:mod:`.sweep`). A file
        that cannot be removed (a read-only folder) is left for the next opening."""
        cur = self._con.cursor()
        try:
            sweep.sweep(cur, self.path)
        except OSError as error:
            sweep.log.warning("start-up sweep left files: %s", error)
        finally:
            cur.close()

    def _is_snapshot(self) -> bool:
        """Whether the file is a snapshot published by :mod:`analytics.store.snapshot`."""
        cur = self.cursor()
        try:
            # information_schema, not duckdb_tables(): that one sizes every table, a
            # tenth of the opening a page run now pays (see ui/state.py).
            found = cur.execute(
                "SELECT count(*) FROM information_schema.tables WHERE table_name = 'meta' "
                "AND table_catalog = current_database() AND table_schema = 'main'"
            ).fetchall()[0][0]
            if not found:
                return False
            return bool(
                cur.execute("SELECT count(*) FROM meta WHERE key = 'snapshot'").fetchall()[0][0]
            )
        finally:
            cur.close()

    def _check_schema(self) -> None:
        """A file opened for reading cannot be migrated: refuse one of an older schema."""
        version = self.schema_version()
        if version < SCHEMA_VERSION:
            self._con.close()
            raise DatabaseReadOnly(
                f"база данных {self.path} открыта только для чтения, но создана более ранней "
                f"версией программы (схема {version}, нужна {SCHEMA_VERSION}); откройте её "
                "для записи, чтобы обновить, или опубликуйте снимок заново"
            )

    @property
    def uploads_dir(self) -> Path:
        """Where uploaded files are archived by their sha256."""
        return self.path.parent / "uploads"

    def close(self) -> None:
        self._con.close()

    def __enter__(self) -> Database:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def cursor(self) -> duckdb.DuckDBPyConnection:
        """A new cursor, or inside :meth:`snapshot` the snapshot's own."""
        pinned = getattr(self._pinned, "cursor", None)
        return pinned if pinned is not None else self._con.cursor()

    @contextmanager
    def snapshot(self) -> Iterator[Database]:
        """Run this thread's reads in one read transaction, so that they all see the
        same committed data even while uploads commit (each cursor is otherwise a
        transaction of its own). Nested snapshots share the outer one.

        Inside it every cursor is the same DuckDB connection: a result must be read
        before the next query runs.
        """
        if getattr(self._pinned, "cursor", None) is not None:
            yield self
            return
        cur = self._con.cursor()
        cur.execute("BEGIN TRANSACTION")
        try:
            # DuckDB fixes what a transaction sees at its first read of the database,
            # not at BEGIN.
            cur.execute("SELECT count(*) FROM meta").fetchall()
            self._pinned.cursor = _Pinned(cur)
            yield self
        finally:
            self._pinned.cursor = None
            with suppress(duckdb.Error):
                cur.execute("ROLLBACK")
            cur.close()

    def query(self, sql: str, params: Sequence[object] | dict[str, object] = ()) -> pd.DataFrame:
        """Run a read query on a fresh cursor and return its result as a DataFrame."""
        cur = self.cursor()
        try:
            return cur.execute(sql, params).df()
        finally:
            cur.close()

    def scalar(self, sql: str, params: Sequence[object] = ()) -> object:
        cur = self.cursor()
        try:
            return first_value(cur, sql, params)
        finally:
            cur.close()

    @contextmanager
    def transaction(self) -> Iterator[duckdb.DuckDBPyConnection]:
        """A cursor inside BEGIN … COMMIT; rolled back on any exception.

        Writers in this process are serialised, so concurrent uploads land one after
        the other instead of failing on a write conflict. Every committed write bumps
        the data version that caches are keyed on.
        """
        with self._atomic() as cur:
            yield cur
            cur.execute("UPDATE meta SET value = value + 1 WHERE key = 'data_version'")
            faults.point("commit.before")
        faults.point("commit.after")

    @contextmanager
    def _atomic(self) -> Iterator[duckdb.DuckDBPyConnection]:
        if self.read_only:
            raise DatabaseReadOnly(
                f"база данных {self.path} открыта только для чтения (опубликованный снимок); "
                "загрузка и изменение данных выполняются в основной базе"
            )
        with self._write_lock:
            cur = self._con.cursor()
            try:
                cur.execute("BEGIN TRANSACTION")
                yield cur
                cur.execute("COMMIT")
            except BaseException:
                # A failed ROLLBACK must not hide why the transaction failed.
                with suppress(duckdb.Error):
                    cur.execute("ROLLBACK")
                raise
            finally:
                cur.close()

    def rewrite(self) -> None:
        """Replace the database file by a fresh copy of its live data.

        DuckDB keeps deleted rows in the free blocks of its file, so the names of a deleted
        register would stay in the file's bytes; a copy made with ``COPY FROM DATABASE``
        holds only what is live. The copy is written beside the file, the connection closed
        (which writes and removes the WAL), the copy renamed into place in one step and the
        connection reopened on it. A query another thread runs at that moment fails (its
        page says so and asks for a reload); deleting is a rare administrator's action.
        The transaction that deletes sets :data:`REWRITE_KEY`, removed here once the file
        is rewritten: opening a database that still has it (a kill came between) rewrites it.
        """
        fresh = self.path.with_name(f".{self.path.name}.rewrite")
        with self._write_lock:
            fresh.unlink(missing_ok=True)
            cur = self._con.cursor()
            try:
                source = cur.execute("SELECT current_database()").fetchall()[0][0]
                cur.execute(f"ATTACH {_literal(str(fresh))} AS rewritten")
                try:
                    cur.execute(f"COPY FROM DATABASE {_identifier(source)} TO rewritten")
                finally:
                    with suppress(duckdb.Error):
                        cur.execute("DETACH rewritten")
            except BaseException:
                fresh.unlink(missing_ok=True)
                raise
            finally:
                cur.close()
            self._con.close()
            faults.point("rewrite.copied")
            try:
                os.replace(fresh, self.path)
            finally:
                self._con = duckdb.connect(str(self.path))
        with self._atomic() as cur:
            cur.execute("DELETE FROM meta WHERE key = ?", [REWRITE_KEY])

    def schema_version(self) -> int:
        cur = self.cursor()
        try:
            if self.read_only:
                exists = cur.execute(
                    "SELECT count(*) FROM information_schema.tables "
                    "WHERE table_name = 'schema_version' "
                    "AND table_catalog = current_database() AND table_schema = 'main'"
                ).fetchall()[0][0]
                if not exists:
                    return 0
            else:
                cur.execute("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)")
            version = first_value(cur, "SELECT max(version) FROM schema_version")
            return int(version) if version is not None else 0
        finally:
            cur.close()

    def migrate(self) -> None:
        """Apply every migration newer than the file's schema version, each atomically."""
        current = self.schema_version()
        for version in range(current, SCHEMA_VERSION):
            with self._atomic() as cur:
                for statement in MIGRATIONS[version]:
                    cur.execute(statement)
                cur.execute("INSERT INTO schema_version VALUES (?)", [version + 1])

    def _follow_definitions(self) -> None:
        """Keep what is derived from the code's definitions in step with them.

        The form tables' columns come from the data contract: a contract column the file
        lacks (a changed contract without its migration) refuses the file in Russian rather
        than fail on the first upload. ``org_values`` comes from the catalogue's SQL: when
        the catalogue changed since it was derived, it is derived anew on open; a read-only
        snapshot cannot be, so it is refused and must be published again.
        """
        missing = self._missing_contract_columns()
        if missing:
            self._con.close()
            raise DatabaseOutdated(
                f"база данных {self.path} не соответствует описанию форм этой версии программы: "
                f"в ней нет столбцов {', '.join(missing)}. Обновите программу до версии с "
                "миграцией базы или восстановите базу из резервной копии этой версии"
            )
        if self.meta(DERIVED_KEY, -1) == aggregates.fingerprint():
            return
        if self.read_only:
            self._con.close()
            raise DatabaseReadOnly(
                f"снимок {self.path} опубликован с другими формулами показателей; "
                "опубликуйте снимок заново из основной базы"
            )
        with self._atomic() as cur:
            aggregates.rebuild(cur)
            cur.execute(
                "INSERT OR REPLACE INTO meta VALUES (?, ?)", [DERIVED_KEY, aggregates.fingerprint()]
            )
            if first_value(cur, "SELECT count(*) FROM form_values"):
                # Cached indicator frames were computed with the old definitions.
                cur.execute("UPDATE meta SET value = value + 1 WHERE key = 'data_version'")

    def _missing_contract_columns(self) -> list[str]:
        cur = self.cursor()
        try:
            present = {
                name
                for (name,) in cur.execute(
                    "SELECT column_name FROM duckdb_columns() WHERE table_name = 'form_values' "
                    "AND database_name = current_database() AND schema_name = 'main'"
                ).fetchall()
            }
        finally:
            cur.close()
        return [f.code for f in FORM_VALUE_FIELDS if f.code not in present]

    def data_version(self) -> int:
        """A number that changes with every committed write: the key for caches. Not for
        people: a document states :meth:`data_stamp`."""
        return self.meta("data_version")

    def data_stamp(self) -> datetime | None:
        """When forms, the registry, person bases or targets last changed (see
        :func:`mark_data_changed`); None before any data."""
        value = self.scalar(
            "SELECT make_timestamp(value) FROM meta WHERE key = ?", [DATA_STAMP_KEY]
        )
        import pandas as pd

        return pd.Timestamp(value).to_pydatetime() if value is not None else None

    def meta(self, key: str, default: int = 0) -> int:
        value = self.scalar("SELECT value FROM meta WHERE key = ?", [key])
        return int(value) if value is not None else default

    def set_meta(self, key: str, value: int) -> None:
        with self.transaction() as cur:
            cur.execute("INSERT OR REPLACE INTO meta VALUES (?, ?)", [key, value])
