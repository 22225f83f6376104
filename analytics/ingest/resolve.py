"""Placing a file's rows on organisations and territories, and making what is new.

Each row is placed, in order (see :mod:`analytics.ingest.identity`): by the user's choice for that
row; by ИНН; by its name or any name the organisation was written with (an alias) in its
municipality, and district where given; by a confident fuzzy match there, or by the one
organisation holding the words that tell the municipality's apart (see
:class:`~analytics.ingest.identity.Telling`). A row that cannot be placed with certainty is
*unplaced*: :meth:`Resolver.plan` lists it with at least three candidates, and nothing is
written until the user chooses (``choices``) or confirms that such rows are new
organisations (``new_orgs``). In a municipality that has a registry, every
row that names no registered organisation is unplaced; elsewhere only a row that looks like
a known organisation without being confidently it.

What a row may change of a known organisation:
- its name: only a registry names a registered organisation (the registry's name is the
  display name); a form renames an organisation that is not in a registry;
- its type and district: only from the file's own cells (an upload default fills empty
  cells and never overrides), and never for a registered organisation unless by a registry;
- its municipality: only with the user's confirmation (a :class:`~analytics.ingest.identity.Move`),
  and never for a registered organisation unless by a registry: a form whose own cells put
  one in another municipality or district is refused with the registry's value (the
  registry is the master list; no decision of anyone's overrides it), another type is
  said in a warning and not applied.
Every name a row was written with is kept as an alias, so the next file matches by itself.

The plan reads the organisations the file can match with one query and works in memory;
:meth:`Resolver.write` then writes territories, new and changed organisations and aliases
with a few set-based statements (per-row statements made a country-sized load slow).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime

import duckdb
import pandas as pd
import pyarrow as pa

from analytics.ingest.identity import (
    CANDIDATES_SHOWN,
    NEW_ORGANISATION,
    ROWS_DESCRIBED,
    ROWS_OFFERED,
    Candidate,
    Created,
    Likeness,
    Move,
    Telling,
    Unplaced,
    confident,
    match_key,
    plausible,
    ranked,
)
from analytics.ingest.parse import Columns, Record, org_problem
from analytics.ingest.parse import cached_name_key as name_key
from analytics.ingest.parse import cached_territory_key as territory_key
from analytics.ingest.problems import Problem
from analytics.model.contract import (
    DISTRICT,
    MUNICIPALITY,
    ORG_NAME,
    ORG_TYPE,
    ORG_TYPES_BY_CODE,
    REGION,
    FormKind,
)
from analytics.model.levels import LEVEL_INFO, TERRITORY_LEVELS
from analytics.store.db import first_value, registered

_ID_COLUMNS = {str(i.table): str(i.key) for i in TERRITORY_LEVELS}
# An organisation's stored description, in this order.
_ORG_FIELDS = ("municipality_id", "district_id", "inn", "ogrn", "name", "name_key", "org_type")

# What the user chose for a row: an organisation id or NEW_ORGANISATION, by (sheet, row).
Choices = Mapping[tuple[str, int], int | str]
# A municipality as the plan knows it: its id, or for one no file has named before, its
# region's and its own normalised names (it is made when the file is written).
Place = int | tuple[str, str]


@dataclass
class _Org:
    """A known organisation as the plan sees it (or a new one, with a negative id)."""

    municipality_id: Place | None
    district_id: int | None
    inn: str | None
    name: str
    org_type: str | None
    ogrn: str | None = None
    registered: bool = False
    aliases: set[str] = field(default_factory=set)
    # Territory names for new organisations and moves, resolved to ids when written.
    region_name: str | None = None
    municipality_name: str | None = None
    district_name: str | None = None


@dataclass
class Plan:
    """Where every row of a file goes, and what stops it from being written."""

    org_ids: list[int | None]
    unplaced: list[Unplaced] = field(default_factory=list)
    moves: list[Move] = field(default_factory=list)
    errors: list[Problem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)
    new_organizations: int = 0
    # The rows that become new organisations, in the file's order.
    created: list[Created] = field(default_factory=list)

    @property
    def blocked(self) -> bool:
        """Whether rows need the user's decision before anything is written."""
        return bool(self.unplaced or self.moves)


def _type_label(code: object) -> str:
    """An organisation type as the user reads it."""
    known = ORG_TYPES_BY_CODE.get(str(code))
    return known.label if known else str(code)


def _given(record: Record, header: str) -> bool:
    """Whether the file itself (not an upload default) gave this column a value."""
    return bool(record.entered.get(header))


class Resolver:
    """Places the rows of one file; see the module docstring. Call :meth:`plan` once, then
    :meth:`write` inside the caller's transaction."""

    def __init__(
        self,
        cur: duckdb.DuckDBPyConnection,
        file: str,
        kind: FormKind,
        choices: Choices | None = None,
        new_orgs: bool = False,
        move_orgs: bool = False,
        learn_aliases: bool = True,
    ):
        self.cur = cur
        self.file = file
        self.kind = kind
        self.choices = dict(choices or {})
        self.new_orgs = new_orgs
        self.move_orgs = move_orgs
        self.learn_aliases = learn_aliases
        self._reset()

    def _reset(self) -> None:
        """Forget everything a plan read and decided."""
        self._territories: dict[tuple[str, int | None, str], int | None] = {}
        self._orgs: dict[int, _Org] = {}
        self._original: dict[int, tuple[object, ...]] = {}
        self._by_inn: dict[str, int] = {}
        self._by_ogrn: dict[str, int] = {}
        self._by_key: dict[tuple[Place | None, str], set[int]] = {}
        self._anywhere: dict[str, set[int]] = {}
        self._by_municipality: dict[Place | None, set[int]] = {}
        self._registry_municipalities: set[int] = set()
        # Where rows are placed by name: only there are names indexed (see _load).
        self._named: set[Place] = set()
        self._named_anywhere = False
        self._municipality_names: dict[int, str] | None = None
        self._district_names: dict[int, str] | None = None
        # The registered organisations of a municipality and type, prepared once for the
        # rows compared with them (see _registered_like).
        self._likeness: dict[tuple[Place | None, object], Likeness] = {}
        # Every organisation of a municipality (and type), prepared once for the rows
        # offered candidates there (see _offered) and told apart there (see _telling).
        self._nearby: dict[tuple[Place | None, object], Likeness] = {}
        self._tellers: dict[Place, Telling] = {}
        self._offered = 0
        self._described = 0
        self._new: list[int] = []
        self._new_aliases: dict[int, set[str]] = {}
        # Names of the organisations rows are settled on without reading them (see
        # _settled), for the messages of _check_one_row_per_organisation.
        self._settled_names: dict[int, str] = {}

    # -- planning (reads only) ---------------------------------------------------------

    def plan(self, records: Sequence[Record]) -> Plan:
        """Where each record goes: an organisation id, a negative placeholder for a new
        organisation, or None for an unplaced row (listed in the plan)."""
        self._load_territories()
        columns = Columns(records)
        municipalities = self._municipalities_of(columns)
        plan = self._plan_rows(records, municipalities, self._settled(columns, municipalities))
        if plan is None:
            # A row placed by name on an organisation other rows name by ИНН: the rows
            # are placed one by one in order, as they may change it for each other.
            self._reset()
            self._load_territories()
            plan = self._plan_rows(records, municipalities, {})
            assert plan is not None
        plan.new_organizations = len(self._new)
        self._check_one_row_per_organisation(records, columns, plan)
        return plan

    def _plan_rows(
        self,
        records: Sequence[Record],
        municipalities: list[Place | None],
        settled: dict[int, int],
    ) -> Plan | None:
        """Place every row but the ``settled`` ones (row number → organisation id); None
        where a row is placed on a settled organisation."""
        rest = [n for n in range(len(records)) if n not in settled]
        self._load([records[n] for n in rest], [municipalities[n] for n in rest])
        plan = Plan(org_ids=[None] * len(records))
        for n, org_id in settled.items():
            plan.org_ids[n] = org_id
        taken = set(settled.values())
        for n in rest:
            plan.org_ids[n] = self._place(records[n], municipalities[n], plan)
            if plan.org_ids[n] in taken:
                return None
        return plan

    def _settled(self, columns: Columns, municipalities: list[Place | None]) -> dict[int, int]:
        """Rows of a form placed by ИНН on a stored organisation they change nothing of
        (its municipality, name, ОГРН, and where the file describes it, its type and
        district, are the row's), told from one query of the organisations their ИНН
        name, without indexing them: most rows of a country's file. Rows whose
        organisation another row names (by ИНН, ОГРН or the user's choice) are left to
        :meth:`_place`, as are all rows of other kinds (a registry also marks what it
        names as registered)."""
        if self.kind is not FormKind.ORG_FORM or not len(columns):
            return {}
        records = columns.records
        inns = [str(v) if v else None for v in columns["inn"]]
        ogrns = [str(v) if v else None for v in columns["ogrn"]]
        names = columns[ORG_NAME.code]
        types = columns[ORG_TYPE.code]
        districts = columns[DISTRICT.code]
        type_given = columns.typed(ORG_TYPE.header)
        district_typed = columns.typed(DISTRICT.header)
        keyed = [
            n
            for n, (inn, r) in enumerate(zip(inns, records, strict=True))
            if inn and (r.sheet, r.row) not in self.choices
        ]
        # Where the file describes the organisation, its type and district are the row's
        # (a district the municipality does not have is another one): the district each
        # row names, looked up once per distinct (municipality, district).
        wanted: dict[tuple[int, object], int | None] = {}
        district_given = [
            bool(districts[n] and district_typed[n] and isinstance(municipalities[n], int))
            for n in keyed
        ]
        for n, given in zip(keyed, district_given, strict=True):
            pair = (municipalities[n], districts[n])
            if given and pair not in wanted:
                key = ("districts", pair[0], territory_key(str(pair[1])))
                wanted[pair] = self._territories.get(key)
        frame = pa.table(
            {
                "n": pa.array(keyed, type=pa.int64()),
                "inn": pa.array([inns[n] for n in keyed], type=pa.string()),
                "municipality": pa.array(
                    [m if isinstance(m := municipalities[n], int) else None for n in keyed],
                    type=pa.int64(),
                ),
                "name": pa.array([str(names[n]) for n in keyed], type=pa.string()),
                "ogrn_given": pa.array([ogrns[n] is not None for n in keyed], type=pa.bool_()),
                "org_type": pa.array(
                    [str(types[n]) if types[n] and type_given[n] else None for n in keyed],
                    type=pa.string(),
                ),
                "district_given": pa.array(district_given, type=pa.bool_()),
                "district": pa.array(
                    [
                        wanted[(municipalities[n], districts[n])] if given else None
                        for n, given in zip(keyed, district_given, strict=True)
                    ],
                    type=pa.int64(),
                ),
            }
        )
        # ``organizations.inn`` is UNIQUE: a row's ИНН names one organisation at most. A
        # row is settled where the organisation is in the row's municipality under the
        # row's name, has an ОГРН where the row gives one, and has the row's type and
        # district where the file describes them (a registered organisation without a
        # district keeps none; a row that describes a registered organisation otherwise
        # is refused by _take). Compared in SQL: no Python object per stored row.
        with registered(self.cur, "settling", frame):
            found = self.cur.execute(
                "SELECT s.n, o.org_id, o.name, o.ogrn FROM settling s "
                "JOIN organizations o ON o.inn = s.inn "
                "WHERE s.municipality = o.municipality_id AND s.name = o.name "
                "AND NOT (s.ogrn_given AND (o.ogrn IS NULL OR o.ogrn = '')) "
                "AND (s.org_type IS NULL OR s.org_type = o.org_type) "
                "AND (NOT s.district_given OR s.district = o.district_id "
                "OR (o.district_id IS NULL AND o.org_id IN (SELECT org_id FROM registry))) "
                "ORDER BY s.n"
            ).fetchall()
        settled = {int(n): int(o) for n, o, _, _ in found}
        # An organisation another row may name is placed with that row, in order.
        named = {inn for n, inn in enumerate(inns) if inn and n not in settled}
        named_ogrns = {ogrn for n, ogrn in enumerate(ogrns) if ogrn and n not in settled}
        chosen = {o for o in self.choices.values() if isinstance(o, int)}
        stored = {int(o): ogrn for _, o, _, ogrn in found}
        kept = {
            n: o
            for n, o in settled.items()
            if inns[n] not in named and o not in chosen and stored.get(o) not in named_ogrns
        }
        self._settled_names = {int(o): str(name) for n, o, name, _ in found if int(n) in kept}
        return kept

    def _municipalities_of(self, columns: Columns) -> list[Place | None]:
        """The municipality of each record, looked up once per distinct (region,
        municipality) a file names: a country's file names a few thousand on 100,000 rows."""
        found: dict[tuple[object, object], Place | None] = {}
        places = []
        for named in zip(columns[REGION.code], columns[MUNICIPALITY.code], strict=True):
            if named not in found:
                found[named] = self._municipality_of(
                    {REGION.code: named[0], MUNICIPALITY.code: named[1]}
                )
            places.append(found[named])
        return places

    def _municipality_of(self, values: Mapping[str, object]) -> Place | None:
        """The municipality a row names, or None where it names none (a person base)."""
        if not values.get(REGION.code) or not values.get(MUNICIPALITY.code):
            return None
        region_name, name = str(values[REGION.code]), str(values[MUNICIPALITY.code])
        region = self._territory("regions", None, None, region_name, False)
        found = None
        if region is not None:
            found = self._territory("municipalities", "region_id", region, name, False)
        return found if found is not None else (territory_key(region_name), territory_key(name))

    def _territory(
        self, table: str, parent_column: str | None, parent: int | None, name: str, create: bool
    ) -> int | None:
        key = (table, parent, territory_key(name))
        # Every stored territory is in the index (see _load_territories).
        found = self._territories.get(key)
        if found is None and create:
            id_column = _ID_COLUMNS[table]
            found = int(first_value(self.cur, "SELECT nextval('territory_seq')"))
            columns = f"{id_column}, name, name_key" + (
                f", {parent_column}" if parent_column else ""
            )
            marks = "?, ?, ?" + (", ?" if parent_column else "")
            self.cur.execute(
                f"INSERT INTO {table} ({columns}) VALUES ({marks})",
                [found, name, territory_key(name)] + ([parent] if parent_column else []),
            )
        self._territories[key] = found
        return found

    def _load_territories(self) -> None:
        """Index every stored region, municipality and district by parent and normalised
        name with one query: a country's file names thousands of them, which were
        thousands of single-row queries before."""
        tables = [
            (str(i.table), LEVEL_INFO[i.parent].key if i.parent else None) for i in TERRITORY_LEVELS
        ]
        stored = self.cur.execute(
            " UNION ALL ".join(
                f"SELECT '{table}', {_ID_COLUMNS[table]}, {parent or 'NULL'}, name_key FROM {table}"
                for table, parent in tables
            )
        ).fetchall()
        for table, territory_id, parent_id, key in stored:
            parent_id = int(parent_id) if parent_id is not None else None
            self._territories[(table, parent_id, key)] = int(territory_id)

    def _load(self, records: Sequence[Record], municipalities: list[Place | None]) -> None:
        """Index every stored organisation a row can match: first those a row names by
        ИНН or ОГРН or the user chose; then, for the rows none of these places, every
        organisation of their municipality (or, for a row that names no municipality,
        every one), whose names are indexed for the exact and fuzzy match. Rows placed
        by ИНН never look at names, so a file that gives every ИНН reads no more than
        its own organisations."""
        inns = sorted({str(r.values["inn"]) for r in records if r.values.get("inn")})
        ogrns = sorted({str(r.values["ogrn"]) for r in records if r.values.get("ogrn")})
        chosen = sorted({o for o in self.choices.values() if isinstance(o, int)})
        # Rows all settled (see _settled) name nothing left to read.
        if inns or ogrns or chosen:
            self._load_where(
                "inn IN (SELECT unnest(CAST(? AS VARCHAR[]))) "
                "OR ogrn IN (SELECT unnest(CAST(? AS VARCHAR[]))) "
                "OR org_id IN (SELECT unnest(CAST(? AS BIGINT[])))",
                [inns, ogrns, chosen],
            )
        left = [m for r, m in zip(records, municipalities, strict=True) if not self._keyed(r)]
        self._named_anywhere = any(m is None for m in left)
        self._named = set(left)
        places = sorted({m for m in left if isinstance(m, int)})
        if self._named_anywhere or places:
            self._load_where(
                "? OR municipality_id IN (SELECT unnest(CAST(? AS BIGINT[])))",
                [self._named_anywhere, places],
            )
        for org_id in self._orgs:
            self._index_names(org_id)

    def _load_where(self, condition: str, params: list[object]) -> None:
        """Read the stored organisations matching ``condition`` not read yet."""
        stored = self.cur.execute(
            f"SELECT org_id, {', '.join(_ORG_FIELDS)}, "
            "org_id IN (SELECT org_id FROM registry) AS registered, "
            "(SELECT list(alias ORDER BY alias) FROM org_aliases a "
            "WHERE a.org_id = o.org_id AND a.source <> 'proposed') "
            f"FROM organizations o WHERE ({condition}) "
            "AND org_id NOT IN (SELECT unnest(CAST(? AS BIGINT[])))",
            [*params, list(self._orgs)],
        ).fetchall()
        for row in stored:
            org_id, municipality, district, inn, ogrn, name, _, org_type, registry, aliases = row
            org = _Org(municipality, district, inn, name, org_type, ogrn, bool(registry))
            org.aliases = set(aliases or ())
            self._orgs[int(org_id)] = org
            self._original[int(org_id)] = self._fields(org)
            self._index_keys(int(org_id))
            if registry:
                self._registry_municipalities.add(municipality)

    def _keyed(self, record: Record) -> bool:
        """Whether the row is placed without its name: by the user's choice of a known
        organisation, or by an ИНН or ОГРН of a stored organisation (those keys stay
        indexed through the plan, so :meth:`_place` takes them before it looks at names)."""
        choice = self.choices.get((record.sheet, record.row))
        if isinstance(choice, int):
            return True
        if choice == NEW_ORGANISATION:
            # Its municipality is read all the same: the new organisation is shown beside
            # the registered one most like it (see _create).
            return False
        inn, ogrn = record.values.get("inn"), record.values.get("ogrn")
        return bool(inn and str(inn) in self._by_inn) or bool(ogrn and ogrn in self._by_ogrn)

    @staticmethod
    def _fields(org: _Org) -> tuple[object, ...]:
        return (
            org.municipality_id,
            org.district_id,
            org.inn,
            org.ogrn,
            org.name,
            name_key(org.name),
            org.org_type,
        )

    def _index(self, org_id: int) -> None:
        self._index_keys(org_id)
        self._index_names(org_id)

    def _index_keys(self, org_id: int) -> None:
        org = self._orgs[org_id]
        if org.inn:
            self._by_inn[org.inn] = org_id
        if org.ogrn:
            self._by_ogrn[org.ogrn] = org_id

    def _index_names(self, org_id: int) -> None:
        for written in (self._orgs[org_id].name, *self._orgs[org_id].aliases):
            self._index_name(org_id, written)
        if self._names_indexed(org_id):
            self._by_municipality.setdefault(self._orgs[org_id].municipality_id, set()).add(org_id)

    def _names_indexed(self, org_id: int) -> bool:
        """Whether the organisation's names are indexed: where some row of the file is
        placed by name (see :meth:`_load`); nothing else reads the name indexes."""
        return self._named_anywhere or self._orgs[org_id].municipality_id in self._named

    def _index_name(self, org_id: int, written: str) -> None:
        if not self._names_indexed(org_id):
            return
        key = match_key(written)
        self._by_key.setdefault((self._orgs[org_id].municipality_id, key), set()).add(org_id)
        self._anywhere.setdefault(key, set()).add(org_id)

    def _place(self, record: Record, municipality: Place | None, plan: Plan) -> int | None:
        values = record.values
        where = (record.sheet, record.row)
        inn = str(values["inn"]) if values.get("inn") else None
        name = str(values[ORG_NAME.code])
        choice = self.choices.get(where)
        if choice == NEW_ORGANISATION:
            return self._create(record, municipality, plan)
        if isinstance(choice, int):
            if choice in self._orgs:
                return self._take(record, choice, municipality, plan, confirmed=True)
            plan.errors.append(self._problem(record, "выбранная для строки организация не найдена"))
            return None
        if inn and inn in self._by_inn:
            return self._take(record, self._by_inn[inn], municipality, plan)
        ogrn = values.get("ogrn")
        if ogrn and ogrn in self._by_ogrn:
            return self._take(record, self._by_ogrn[ogrn], municipality, plan)
        exact = self._exact(name, inn, municipality, values.get(DISTRICT.code))
        if exact is not None:
            return self._take(record, exact, municipality, plan)
        pool = self._pool(inn, municipality)
        scored = ranked(name, ((o, self._orgs[o].name, self._orgs[o].aliases) for o in pool))
        found = confident(scored)
        if found is None and municipality is not None:
            found = self._telling(municipality).choose(name, pool)
        if found is not None:
            return self._take(record, found, municipality, plan)
        if self._may_create(municipality, scored):
            return self._create(record, municipality, plan)
        plan.unplaced.append(
            Unplaced(
                record.sheet,
                record.row,
                name,
                inn,
                str(values[MUNICIPALITY.code]) if values.get(MUNICIPALITY.code) else None,
                self._reason(municipality, scored),
                self._offered_for(record, municipality, pool, scored),
                self._registered_like(record, municipality, CANDIDATES_SHOWN),
                municipality if isinstance(municipality, int) else None,
            )
        )
        return None

    def _telling(self, municipality: Place) -> Telling:
        """The organisations of a municipality prepared to be told apart, once: the names
        the file teaches meanwhile are not among them (they place rows by the exact match)."""
        if municipality not in self._tellers:
            self._tellers[municipality] = Telling(
                (o, self._orgs[o].name, self._orgs[o].aliases)
                for o in sorted(self._by_municipality.get(municipality, ()))
            )
        return self._tellers[municipality]

    def _offered_for(
        self,
        record: Record,
        municipality: Place | None,
        pool: list[int],
        scored: list[tuple[int, float]],
    ) -> list[Candidate]:
        """The candidates an unplaced row is offered: those ranked by score, then, up to
        CANDIDATES_SHOWN, the organisations of its municipality most like it however unlike
        (of its type first, where the row gives one) — never none while the municipality
        has organisations (see :meth:`Likeness.nearest`). Past ROWS_OFFERED rows only the
        ranked ones: a misplaced file's preview stays quick."""
        offered = [self._candidate(o, s) for o, s in scored[:CANDIDATES_SHOWN]]
        if len(offered) >= CANDIDATES_SHOWN or municipality is None:
            return offered
        if self._offered >= ROWS_OFFERED:
            return offered
        self._offered += 1
        allowed = set(pool)
        kind = record.values.get(ORG_TYPE.code)
        for wanted in dict.fromkeys((kind, None)):
            if (municipality, wanted) not in self._nearby:
                self._nearby[(municipality, wanted)] = Likeness(
                    (o, self._orgs[o].name, self._orgs[o].aliases)
                    for o in sorted(self._by_municipality.get(municipality, ()))
                    if o > 0 and (not wanted or self._orgs[o].org_type == wanted)
                )
            taken = {c.org_id for c in offered}
            nearest = self._nearby[(municipality, wanted)].nearest(
                str(record.values[ORG_NAME.code]), CANDIDATES_SHOWN + len(taken)
            )
            for o, s in nearest:
                if o not in taken and o in allowed and len(offered) < CANDIDATES_SHOWN:
                    offered.append(self._candidate(o, s))
        return offered

    def _registered_like(
        self, record: Record, municipality: Place | None, count: int
    ) -> list[Candidate]:
        """The registered organisations of the row's municipality and type most like the
        row, however unlike (see :meth:`Likeness.nearest`); none outside a municipality
        with a registry, nor for a registry (whose rows are its organisations), nor past
        the first ROWS_DESCRIBED rows described."""
        if self.kind is FormKind.REGISTRY or municipality not in self._registry_municipalities:
            return []
        if self._described >= ROWS_DESCRIBED:
            return []
        self._described += 1
        kind = record.values.get(ORG_TYPE.code)
        if (municipality, kind) not in self._likeness:
            # Prepared once: the names a form teaches a registered organisation meanwhile
            # only tell a person which one is closest, they place nothing.
            pool = sorted(
                o
                for o in self._by_municipality.get(municipality, ())
                if o > 0
                and self._orgs[o].registered
                and (not kind or self._orgs[o].org_type == kind)
            )
            self._likeness[(municipality, kind)] = Likeness(
                (o, self._orgs[o].name, self._orgs[o].aliases) for o in pool
            )
        found = self._likeness[(municipality, kind)].nearest(
            str(record.values[ORG_NAME.code]), count
        )
        return [self._candidate(o, s) for o, s in found]

    def _problem(self, record: Record, message: str) -> Problem:
        return org_problem(self.file, record, message)

    def _exact(
        self, name: str, inn: str | None, municipality: Place | None, district: object
    ) -> int | None:
        """The organisation written exactly so (up to :func:`match_key`): within the
        municipality, or anywhere when the row names none and only one organisation
        has that name. A row with a new ИНН only matches an organisation without one."""
        key = match_key(name)
        if municipality is not None:
            found = set(self._by_key.get((municipality, key), ()))
        else:
            found = set(self._anywhere.get(key, ()))
        found = {o for o in found if inn is None or not self._orgs[o].inn}
        if district and len(found) > 1:
            same = {o for o in found if self._district_matches(o, str(district))}
            found = same or found
        if municipality is None and len(found) > 1:
            return None
        return min(found) if found else None

    def _district_matches(self, org_id: int, district: str) -> bool:
        org = self._orgs[org_id]
        if org.district_name is not None:
            return territory_key(org.district_name) == territory_key(district)
        if not isinstance(org.municipality_id, int):
            return False
        wanted = self._territory(
            "districts", "municipality_id", org.municipality_id, district, False
        )
        return wanted is not None and wanted == org.district_id

    def _pool(self, inn: str | None, municipality: Place | None) -> list[int]:
        """The organisations a fuzzy match may choose from."""
        pool = (
            self._by_municipality.get(municipality, set())
            if municipality is not None
            else set(self._orgs)
        )
        return sorted(o for o in pool if inn is None or not self._orgs[o].inn)

    def _may_create(self, municipality: Place | None, scored: list[tuple[int, float]]) -> bool:
        """Whether a row that matches nobody may become a new organisation unasked: only
        where it names its municipality and looks like no known organisation, and, but for
        a registry, only outside a municipality that has a registry (its master list)."""
        if self.new_orgs:
            return True
        if municipality is None or plausible(scored):
            return False
        return self.kind is FormKind.REGISTRY or municipality not in self._registry_municipalities

    def _reason(self, municipality: Place | None, scored: list[tuple[int, float]]) -> str:
        if plausible(scored):
            return "название похоже на известную организацию, но совпадение не полное"
        if municipality in self._registry_municipalities:
            return "в реестре муниципалитета нет организации с таким названием; выберите её"
        return (
            "среди известных организаций нет организации с таким названием; укажите ИНН "
            "или выберите её"
        )

    def _candidate(self, org_id: int, score: float) -> Candidate:
        org = self._orgs[org_id]
        territory = self._municipality_name(org.municipality_id)
        district = org.district_name or self._district_name(org.district_id)
        return Candidate(org_id, org.name, round(score, 1), territory, org.inn, district)

    def _district_name(self, district: int | None) -> str:
        if district is None:
            return ""
        if self._district_names is None:
            # Read when a candidate is first shown: most files need none.
            self._district_names = {
                int(d): str(n)
                for d, n in self.cur.execute("SELECT district_id, name FROM districts").fetchall()
            }
        return self._district_names.get(district, "")

    def _create(self, record: Record, municipality: Place | None, plan: Plan) -> int | None:
        values = record.values
        missing = [f.header for f in (REGION, MUNICIPALITY, ORG_TYPE) if not values.get(f.code)]
        if missing:
            plan.errors.append(
                self._problem(
                    record,
                    "новую организацию нельзя создать без значений: "
                    + ", ".join(f"«{h}»" for h in missing),
                )
            )
            return None
        # Its closest registered organisation, read before the row joins the index.
        closest = self._registered_like(record, municipality, 1)
        plan.created.append(
            Created(record.sheet, record.row, str(values[ORG_NAME.code]), next(iter(closest), None))
        )
        org_id = -1 - len(self._new)  # a placeholder until the ids are drawn
        self._new.append(org_id)
        self._orgs[org_id] = _Org(
            None,
            None,
            str(values["inn"]) if values.get("inn") else None,
            str(values[ORG_NAME.code]),
            str(values[ORG_TYPE.code]),
            str(values["ogrn"]) if values.get("ogrn") else None,
            registered=self.kind is FormKind.REGISTRY,
            region_name=str(values[REGION.code]),
            municipality_name=str(values[MUNICIPALITY.code]),
            district_name=str(values[DISTRICT.code]) if values.get(DISTRICT.code) else None,
        )
        # Later rows of the file find it in the municipality they name.
        self._orgs[org_id].municipality_id = self._municipality_of(values)
        self._index(org_id)
        return org_id

    def _take(
        self,
        record: Record,
        org_id: int,
        municipality: Place | None,
        plan: Plan,
        confirmed: bool = False,
    ) -> int:
        """Place a row on a known organisation and note what the row changes of it."""
        org = self._orgs[org_id]
        values = record.values
        written = str(values[ORG_NAME.code])
        if org_id > 0 and self._default_elsewhere(record, org, municipality):
            plan.warnings.append(
                self._problem(
                    record,
                    f"организация числится в муниципалитете "
                    f"«{self._municipality_name(org.municipality_id)}»; муниципалитет, "
                    "указанный при загрузке, к ней не применён",
                )
            )
        by_registry = self.kind is FormKind.REGISTRY
        if org.registered and not by_registry:
            # The registry is the master list: a form never moves or retypes what it names.
            if self._contradicts_registry(record, org, municipality, plan):
                return org_id
        elif org_id > 0 and self._moves(record, org, municipality):
            if confirmed or self.move_orgs:
                org.region_name = str(values[REGION.code])
                org.municipality_name = str(values[MUNICIPALITY.code])
                org.district_name = None
                org.district_id = None
            else:
                plan.moves.append(
                    Move(
                        record.sheet,
                        record.row,
                        org_id,
                        org.name,
                        self._municipality_name(org.municipality_id),
                        str(values[MUNICIPALITY.code]),
                    )
                )
        may_describe = by_registry or not org.registered
        if values.get("inn") and not org.inn:
            org.inn = str(values["inn"])
            self._by_inn[org.inn] = org_id
        if values.get("ogrn") and not org.ogrn:
            org.ogrn = str(values["ogrn"])
            self._by_ogrn[org.ogrn] = org_id
        if may_describe and written != org.name:
            if match_key(written) != match_key(org.name):
                self._alias(org_id, org.name)
            org.name = written
            self._index_name(org_id, written)
        elif match_key(written) != match_key(org.name):
            self._alias(org_id, written)
        if may_describe and _given(record, ORG_TYPE.header) and values.get(ORG_TYPE.code):
            org.org_type = str(values[ORG_TYPE.code])
        if may_describe and _given(record, DISTRICT.header) and values.get(DISTRICT.code):
            org.district_name = str(values[DISTRICT.code])
        if by_registry:
            org.registered = True
        return org_id

    def _contradicts_registry(
        self, record: Record, org: _Org, municipality: Place | None, plan: Plan
    ) -> bool:
        """Whether the row's own cells put a registered organisation in another
        municipality or district: an error naming the registry's value (only a registry
        upload changes where it is). Another type is said in a warning and not applied."""
        values = record.values
        found = []
        if self._moves(record, org, municipality):
            registry_value = self._municipality_name(org.municipality_id)
            found.append((MUNICIPALITY, str(values[MUNICIPALITY.code]), registry_value))
        elif (
            _given(record, DISTRICT.header)
            and values.get(DISTRICT.code)
            and org.district_id is not None
            and not self._district_matches_id(org, str(values[DISTRICT.code]))
        ):
            registry_value = self._district_name(org.district_id)
            found.append((DISTRICT, str(values[DISTRICT.code]), registry_value))
        for f, written, registry_value in found:
            plan.errors.append(
                self._registry_problem(record, org, f.header, written, registry_value, True)
            )
        given_type = values.get(ORG_TYPE.code)
        if _given(record, ORG_TYPE.header) and given_type and org.org_type != given_type:
            plan.warnings.append(
                self._registry_problem(
                    record,
                    org,
                    ORG_TYPE.header,
                    _type_label(given_type),
                    _type_label(org.org_type),
                    False,
                )
            )
        return bool(found)

    def _registry_problem(
        self, record: Record, org: _Org, header: str, written: str, registry: str, stop: bool
    ) -> Problem:
        after = (
            "форма не меняет реестр: исправьте строку или обратитесь к администратору, "
            "если ошибка в реестре"
            if stop
            else "в данных остаётся значение реестра"
        )
        return Problem(
            self.file,
            f"в реестре у организации «{org.name}» «{header}» — «{registry}»; {after}",
            sheet=record.sheet,
            row=record.row,
            column=header,
            value=written,
        )

    def _district_matches_id(self, org: _Org, district: str) -> bool:
        if not isinstance(org.municipality_id, int):
            return False
        key = ("districts", org.municipality_id, territory_key(district))
        return self._territories.get(key) == org.district_id

    def _municipality_name(self, municipality: Place | None) -> str:
        if not isinstance(municipality, int):
            return ""
        if self._municipality_names is None:
            # Read when a message first names a municipality: most files need none.
            self._municipality_names = {
                int(m): str(n)
                for m, n in self.cur.execute(
                    "SELECT municipality_id, name FROM municipalities"
                ).fetchall()
            }
        return self._municipality_names.get(municipality, "")

    def _default_elsewhere(self, record: Record, org: _Org, municipality: Place | None) -> bool:
        """Whether an upload default names another municipality than the organisation's
        (a default fills empty cells, it never moves an organisation: said, not done)."""
        given = _given(record, MUNICIPALITY.header)
        return not given and municipality is not None and municipality != org.municipality_id

    def _moves(self, record: Record, org: _Org, municipality: Place | None) -> bool:
        """Whether the row's own cells put a known organisation in another municipality
        (an upload default never moves an organisation)."""
        if not _given(record, MUNICIPALITY.header):
            return False
        return municipality != org.municipality_id

    def _alias(self, org_id: int, written: str) -> None:
        org = self._orgs[org_id]
        if written in org.aliases:
            return
        org.aliases.add(written)
        self._new_aliases.setdefault(org_id, set()).add(written)
        self._index_name(org_id, written)

    def _check_one_row_per_organisation(
        self, records: Sequence[Record], columns: Columns, plan: Plan
    ) -> None:
        """Two rows of one file placed on one organisation (for one period) are an error
        naming both: one of them is another organisation or a duplicate."""
        if self.kind not in (FormKind.ORG_FORM, FormKind.REGISTRY):
            return
        periods = columns["period"] if self.kind is FormKind.ORG_FORM else [None] * len(records)
        placed = [pair for pair in zip(plan.org_ids, periods, strict=True) if pair[0] is not None]
        if len(set(placed)) == len(placed):
            return  # no two rows on one organisation: told by a set, not row by row
        first: dict[tuple[int, object], int] = {}
        for n, (org_id, period) in enumerate(zip(plan.org_ids, periods, strict=True)):
            if org_id is None:
                continue
            m = first.setdefault((org_id, period), n)
            if m == n:
                continue
            record, earlier = records[n], records[m]
            where = f"на листе «{earlier.sheet}» " if earlier.sheet else ""
            known = self._orgs[org_id].name if org_id in self._orgs else self._settled_names[org_id]
            plan.errors.append(
                self._problem(
                    record,
                    f"строка относится к той же организации «{known}», что и "
                    f"строка {earlier.row} {where}(«{earlier.values[ORG_NAME.code]}»); "
                    "исправьте одну из строк",
                )
            )

    # -- writing (inside the caller's transaction) -------------------------------------

    def write(
        self, plan: Plan, upload_id: int, now: datetime, user: str | None = None
    ) -> list[int | None]:
        """Write new and changed organisations, their territories and aliases (by
        ``user``, from upload ``upload_id``: learnt, or only proposed where the upload may
        not teach any); returns the organisation id of every row."""
        ids: dict[int, int] = {}
        if self._new:
            drawn = self.cur.execute(
                "SELECT nextval('org_seq') FROM range(?)", [len(self._new)]
            ).fetchall()
            ids = dict(zip(self._new, sorted(int(n) for (n,) in drawn), strict=True))
        for org in self._orgs.values():
            self._settle_territories(org)
        new = [[ids[o], *self._fields(self._orgs[o])] for o in self._new]
        changed = [
            [o, *self._fields(org)]
            for o, org in self._orgs.items()
            if o > 0 and self._fields(org) != self._original[o]
        ]
        self._write_orgs(new, changed)
        source = "upload" if self.learn_aliases else "proposed"
        aliases = self._unambiguous(
            [
                [ids.get(o, o), alias, source, upload_id, user, now]
                for o, written in self._new_aliases.items()
                for alias in sorted(written)
            ]
        )
        if aliases:
            frame = pd.DataFrame(
                aliases, columns=["org_id", "alias", "source", "upload_id", "added_by", "added_at"]
            ).astype({"added_by": object})
            with registered(self.cur, "new_aliases", frame):
                self.cur.execute(
                    "INSERT INTO org_aliases (org_id, alias, source, upload_id, added_by, "
                    "added_at) SELECT org_id, alias, source, upload_id, added_by, added_at "
                    "FROM new_aliases ON CONFLICT DO NOTHING"
                )
        return [ids.get(o, o) if o is not None else None for o in plan.org_ids]

    def _unambiguous(self, aliases: list[list[object]]) -> list[list[object]]:
        """The aliases (rows starting organisation id, alias) that name no other
        organisation of their municipality by its name or an alias: one spelling names one
        organisation, so a form never teaches a school another's name. Read once, for the
        municipalities concerned, after the file's new organisations are written."""
        if not aliases:
            return []
        known = self.cur.execute(
            "SELECT o.org_id, o.municipality_id, o.name, (SELECT list(alias) FROM org_aliases a "
            "WHERE a.org_id = o.org_id AND a.source <> 'proposed') FROM organizations o "
            "WHERE o.municipality_id IN (SELECT municipality_id FROM organizations "
            "WHERE org_id IN (SELECT unnest(CAST(? AS BIGINT[]))))",
            [sorted({int(str(a[0])) for a in aliases})],
        ).fetchall()
        place: dict[int, object] = {}
        owners: dict[tuple[object, str], set[int]] = {}
        for org_id, municipality, name, written in known:
            place[int(org_id)] = municipality
            for spelling in (name, *(written or ())):
                owners.setdefault((municipality, match_key(spelling)), set()).add(int(org_id))
        return [
            a
            for a in aliases
            if not owners.get((place.get(int(str(a[0]))), match_key(str(a[1]))), set())
            - {int(str(a[0]))}
        ]

    def _settle_territories(self, org: _Org) -> None:
        """Turn the territory names a new or moved organisation carries into ids."""
        if org.municipality_name is not None:
            region = self._territory("regions", None, None, str(org.region_name), True)
            org.municipality_id = self._territory(
                "municipalities", "region_id", region, org.municipality_name, True
            )
            org.municipality_name = org.region_name = None
        if org.district_name is not None:
            org.district_id = self._territory(
                "districts", "municipality_id", org.municipality_id, org.district_name, True
            )
            org.district_name = None

    def _write_orgs(self, new: list[list[object]], changed: list[list[object]]) -> None:
        columns = ["org_id", *_ORG_FIELDS]
        for rows, statement in (
            (new, f"INSERT INTO organizations ({', '.join(columns)}) SELECT * FROM resolved"),
            (
                changed,
                "UPDATE organizations SET "
                + ", ".join(f"{c} = resolved.{c}" for c in _ORG_FIELDS)
                + " FROM resolved WHERE organizations.org_id = resolved.org_id",
            ),
        ):
            if not rows:
                continue
            frame = pd.DataFrame(rows, columns=columns).astype(
                {"org_id": "int64", "municipality_id": "Int64", "district_id": "Int64"}
            )
            for text in ("inn", "ogrn", "name", "name_key", "org_type"):
                frame[text] = frame[text].astype(object)
            with registered(self.cur, "resolved", frame):
                self.cur.execute(statement)
