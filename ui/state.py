"""The database of this process and the cached engine results, keyed by data version.

One :class:`Database` (one DuckDB connection) serves every session of the server, open
while page runs use it (see :class:`_PerRun`), so that the command line can write between
them. Every read goes through an
:class:`~analytics.operations.access.View` of the session's principal, and its frames are
cached with ``st.cache_data`` keyed on the database path, the data version and the principal, so any
upload or rollback refreshes every view and no session is served another role's frame.
"""

from __future__ import annotations

import atexit
import gc
import os
import threading
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from dataclasses import fields, replace
from pathlib import Path
from typing import Any, cast

import streamlit as st

from analytics.operations.access import CACHED_READS, Principal, View
from analytics.store import snapshot
from analytics.store.db import Database, default_db_path
from analytics.store.opening import open_database
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


# How long a page run waits for the database while another process (a command-line
# upload) holds it, before it says so.
PAGE_WAIT_SECONDS = 60.0


def _open(path: str) -> Database:
    fresh = not Path(path).exists()
    with st.spinner("Открываем базу данных…", show_time=True):
        db = open_database(path, write=True, wait=PAGE_WAIT_SECONDS)
    if fresh:
        from analytics.operations.demo import build_demo  # only on the very first start

        build_demo(db)
        db.set_meta(DEMO_FLAG, 1)
    return db


class _PerRun:
    """The database of this process, open only while some page run uses it.

    DuckDB lets one process at a time write a file, and an open connection holds it: a
    dashboard holding its database for its whole life left the command line nothing but
    waiting. Here the first page run that needs the database opens it, runs that overlap
    share it, and the last one to end closes it, so a command-line write waits at most
    for the page runs under way. A use outside a page run (a test calling a page's
    function) opens it too; the next page run to end closes it.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._db: Database | None = None
        self._runs = 0

    def database(self, path: str) -> Database:
        with self._lock:
            if self._db is not None and str(self._db.path) != path:
                self._db.close()
                self._db = None
            if self._db is None:
                self._db = _open(path)
            return self._db

    @contextmanager
    def run(self) -> Iterator[None]:
        with self._lock:
            self._runs += 1
        try:
            yield
        finally:
            with self._lock:
                self._runs -= 1
                if not self._runs and self._db is not None:
                    self._db.close()
                    self._db = None


_PER_RUN = _PerRun()


def page_run() -> AbstractContextManager[None]:
    """The scope of one page run (see :func:`ui.page.guarded`): the database opened in it
    is closed when no page run needs it any more."""
    return _PER_RUN.run()


@st.cache_resource(show_spinner="Открываем базу данных…")
def _open_publishing(path: str, published: str) -> Database:
    """The writer of a deployment with replicas (scripts/serve.sh) keeps its database
    open: a thread publishes it for the replicas every few seconds."""
    db = _open(path)
    snapshot.keep_published(db, published)
    return db


@st.cache_resource(show_spinner="Открываем опубликованный снимок…", max_entries=2)
def _open_snapshot(path: str) -> Database:
    return snapshot.open_snapshot(path)


def database() -> Database:
    """The process's database: the published snapshot ``MONITORING_SNAPSHOT`` names (a
    read-only replica; a newly published one is opened at the next run), else the
    database itself, open for the page runs under way (built from the demo data on the
    very first start)."""
    published = snapshot.snapshot_path()
    if published is not None:
        return _open_snapshot(str(published.resolve()))
    path = str(default_db_path().resolve())
    publishing = os.environ.get(snapshot.PUBLISH_ENV)
    if publishing:
        return _open_publishing(path, publishing)
    return _PER_RUN.database(path)


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
