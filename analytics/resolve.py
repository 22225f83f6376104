"""Finding (and making) the territories and organisations a file's rows name.

A file's rows are resolved in order, as if each row looked itself up and wrote itself
at once (a row may name an organisation an earlier row of the same file created or
renamed), but against an in-memory index of the organisations the file can match,
loaded with one query; the new and changed organisations are written with one INSERT
and one UPDATE at the end. Per-row statements made a country-sized load slow: each
costs a millisecond or more on a table of 100,000 organisations.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import duckdb
import pandas as pd

from .parse import cached_name_key as name_key
from .parse import cached_territory_key as territory_key

_ID_COLUMNS = {
    "regions": "region_id",
    "municipalities": "municipality_id",
    "districts": "district_id",
}
# An organisation's stored description, in this order.
_ORG_FIELDS = ("municipality_id", "district_id", "inn", "name", "name_key", "org_type")


class Resolver:
    """Resolves rows of one file; with ``create``, makes what is missing (inside the
    caller's transaction: call :meth:`resolve` once per file)."""

    def __init__(self, cur: duckdb.DuckDBPyConnection, create: bool):
        self.cur = cur
        self.create = create
        self.created = 0
        self._territories: dict[tuple[object, ...], int | None] = {}
        self._orgs: dict[int, list[object]] = {}
        self._original: dict[int, tuple[object, ...]] = {}
        self._by_inn: dict[str, int] = {}
        self._by_name: dict[tuple[int, str], set[int]] = {}
        self._new: list[int] = []

    def resolve(self, rows: Sequence[Mapping[str, object]]) -> list[int | None]:
        """The organisation id of each row (None where it does not exist and
        ``create`` is off); with ``create``, the organisations are written."""
        municipalities = [self.municipality(values) for values in rows]
        self._load(rows, municipalities)
        found = [
            self._org(values, municipality)
            for values, municipality in zip(rows, municipalities, strict=True)
        ]
        if not self.create:
            return found
        ids = self._write()
        return [ids.get(o, o) if o is not None else None for o in found]

    def _territory(self, table: str, parent_column: str | None, parent: int | None, name: str):
        key = (table, parent, territory_key(name))
        if key in self._territories:
            return self._territories[key]
        id_column = _ID_COLUMNS[table]
        where = "name_key = ?" + (f" AND {parent_column} = ?" if parent_column else "")
        params: list[object] = [territory_key(name)] + ([parent] if parent_column else [])
        row = self.cur.execute(f"SELECT {id_column} FROM {table} WHERE {where}", params).fetchone()
        found = int(row[0]) if row else None
        if found is None and self.create:
            found = int(self.cur.execute("SELECT nextval('territory_seq')").fetchone()[0])
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

    def municipality(self, values: Mapping[str, object]) -> int | None:
        region = self._territory("regions", None, None, str(values["region"]))
        if region is None:
            return None
        return self._territory("municipalities", "region_id", region, str(values["municipality"]))

    def _load(self, rows: Sequence[Mapping[str, object]], municipalities: list[int | None]) -> None:
        """Index every stored organisation a row can match: by its ИНН or by a name in
        its municipality."""
        inns = sorted({str(v["inn"]) for v in rows if v.get("inn")})
        places = sorted({m for m in municipalities if m is not None})
        stored = self.cur.execute(
            f"SELECT org_id, {', '.join(_ORG_FIELDS)} FROM organizations "
            "WHERE inn IN (SELECT unnest(CAST(? AS VARCHAR[]))) "
            "OR municipality_id IN (SELECT unnest(CAST(? AS BIGINT[])))",
            [inns, places],
        ).fetchall()
        for org_id, *fields in stored:
            self._orgs[int(org_id)] = fields
            self._original[int(org_id)] = tuple(fields)
            self._index(int(org_id))

    def _index(self, org_id: int) -> None:
        municipality, _, inn, _, key, _ = self._orgs[org_id]
        if inn:
            self._by_inn[inn] = org_id
        self._by_name.setdefault((municipality, key), set()).add(org_id)

    def _unindex(self, org_id: int) -> None:
        municipality, _, inn, _, key, _ = self._orgs[org_id]
        if inn:
            self._by_inn.pop(inn, None)
        self._by_name[(municipality, key)].discard(org_id)

    def _org(self, values: Mapping[str, object], municipality: int | None) -> int | None:
        inn = values.get("inn") or None
        key = name_key(str(values["org_name"]))
        found = self._by_inn.get(str(inn)) if inn else None
        if found is None and municipality is not None:
            # A row without ИНН matches by name; a row with one only an organisation
            # whose ИНН is not known yet. The oldest such organisation wins.
            candidates = [
                o
                for o in self._by_name.get((municipality, key), ())
                if inn is None or self._orgs[o][2] is None
            ]
            found = min(candidates) if candidates else None
        if not self.create:
            return found
        district = None
        if values.get("district"):
            district = self._territory(
                "districts", "municipality_id", municipality, str(values["district"])
            )
        if found is None:
            found = -1 - len(self._new)  # a placeholder until the ids are drawn
            self._new.append(found)
            self._orgs[found] = [municipality, district, inn, values["org_name"], key, None]
            self.created += 1
        else:
            self._unindex(found)
        # The latest row is the best description of an organisation.
        current = self._orgs[found]
        self._orgs[found] = [
            municipality,
            district if district is not None else current[1],
            inn if inn is not None else current[2],
            values["org_name"],
            key,
            values["org_type"],
        ]
        self._index(found)
        return found

    def _write(self) -> dict[int, int]:
        """Insert the new organisations and update the changed ones; returns the drawn
        id of each placeholder."""
        ids: dict[int, int] = {}
        if self._new:
            drawn = self.cur.execute(
                "SELECT nextval('org_seq') FROM range(?)", [len(self._new)]
            ).fetchall()
            ids = dict(zip(self._new, sorted(int(n) for (n,) in drawn), strict=True))
        new = [[ids[o], *self._orgs[o]] for o in self._new]
        changed = [
            [o, *fields]
            for o, fields in self._orgs.items()
            if o > 0 and tuple(fields) != self._original[o]
        ]
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
            for text in ("inn", "name", "name_key", "org_type"):
                frame[text] = frame[text].astype(object)
            self.cur.register("resolved", frame)
            try:
                self.cur.execute(statement)
            finally:
                self.cur.unregister("resolved")
        return ids
