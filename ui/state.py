"""The database of this process and the cached engine results, keyed by data version.

One :class:`Database` (one DuckDB connection) serves every session of the server; it is a
resource, not data, so it lives in ``st.cache_resource``. Every read goes through an
:class:`~analytics.operations.access.View` of the session's principal, and its frames are
cached with ``st.cache_data`` keyed on the database path, the data version and the principal, so any
upload or rollback refreshes every view and no session is served another role's frame.
"""

from __future__ import annotations

import atexit
import gc
import os
from collections.abc import Callable
from dataclasses import fields, replace
from pathlib import Path
from typing import Any, cast

import streamlit as st

from analytics.operations.access import CACHED_READS, Principal, View
from analytics.store import snapshot
from analytics.store.db import Database, default_db_path
from analytics.store.scope import Scope

DEMO_FLAG = "demo"


def dataclass_key(value: Any) -> str:
    """The cache key of a frozen dataclass of plain values (a :class:`Principal`, a
    :class:`Scope`): the repr of its fields, sets sorted. Streamlit hashes a dataclass
    through ``dataclasses.asdict`` and then item by item, which cost more server time
    per page view than many of the cached reads it keyed."""
    return repr(
        tuple(
            sorted(v) if isinstance(v, frozenset) else v
            for v in (getattr(value, f.name) for f in fields(value))
        )
    )


# ``hash_funcs`` of every cached function whose arguments hold these.
HASH_FUNCS: dict[type, Any] = {Principal: dataclass_key, Scope: dataclass_key}


@st.cache_resource(show_spinner="Открываем базу данных…")
def _open(path: str) -> Database:
    fresh = not Path(path).exists()
    db = Database(path)
    if fresh:
        from analytics.operations.demo import build_demo  # only on the very first start

        build_demo(db)
        db.set_meta(DEMO_FLAG, 1)
    published = os.environ.get(snapshot.PUBLISH_ENV)
    if published:
        # The writer of a deployment with replicas (scripts/serve.sh): they read what it
        # publishes.
        snapshot.keep_published(db, published)
    return db


@st.cache_resource(show_spinner="Открываем опубликованный снимок…", max_entries=2)
def _open_snapshot(path: str) -> Database:
    return snapshot.open_snapshot(path)


def database() -> Database:
    """The process's database: the published snapshot ``MONITORING_SNAPSHOT`` names (a
    read-only replica; a newly published one is opened at the next run), else the
    database itself, built from the demo data on the very first start."""
    published = snapshot.snapshot_path()
    if published is not None:
        return _open_snapshot(str(published.resolve()))
    return _open(str(default_db_path().resolve()))


@st.cache_resource
def freeze_heap() -> bool:
    """Once per process, at its first page: move every object alive so far (the modules
    of Streamlit, pandas, Plotly, DuckDB and ours) out of the garbage collector's sight.
    Streamlit runs a full collection after every page run; over these long-lived objects
    that alone cost about 0.14 s of server time per page view at country scale. What
    pages create later is collected as before, and frozen objects are still freed when
    their last reference goes."""
    gc.collect()
    gc.freeze()
    # Handed back to the collector at exit: frozen DuckDB objects never freed make
    # nanobind print a page of "leaked instance" lines when the server stops.
    atexit.register(gc.unfreeze)
    return True


def view(principal: Principal) -> View:
    return View(database(), principal)


@st.cache_data(show_spinner=False, max_entries=512, hash_funcs=HASH_FUNCS)
def _read(path: str, version: int, principal: Principal, method: str, args: tuple) -> Any:
    return getattr(view(principal), method)(*args)


class _Cached:
    """The View's cached reads (those marked
    :func:`~analytics.operations.access.cached_read`), each called as the View's method
    of that name and cached for this data version; any other name is an error."""

    def __init__(self, path: str, version: int, principal: Principal) -> None:
        # A read depends on what a principal may see (role, organisations, read-only),
        # never on who they are: every user of a role shares one cached result per version.
        self._key = (path, version, replace(principal, login=""))

    def __getattr__(self, method: str) -> Callable[..., Any]:
        if method not in CACHED_READS:
            raise AttributeError(f"View.{method} is not a cached read")
        return lambda *args: _read(*self._key, method, args)


def cached(path: str, version: int, principal: Principal) -> View:
    """``View(principal)`` whose cached reads (and only those) are cached for this data
    version: typed as the View, so a read is called, checked and found as its method."""
    return cast(View, _Cached(path, version, principal))


@st.cache_data(show_spinner=False, max_entries=64)
def is_demo(path: str, version: int) -> bool:
    """Whether the process's database (at ``path``) holds the built-in demo data; read
    once per data ``version``, the cache key (every write changes it)."""
    return bool(database().meta(DEMO_FLAG))
