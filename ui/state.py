"""The database of this process and the cached engine results, keyed by data version.

One :class:`Database` (one DuckDB connection) serves every session of the server; between
page runs it is let go to a command-line process waiting for it (see :class:`_Holder`).
Every read goes through an :class:`~analytics.operations.access.View` of the session's
principal, and its frames are cached with ``st.cache_data`` keyed on the database path,
the data version and the principal, so any upload or rollback refreshes every view and
no session is served another role's frame.
"""

from __future__ import annotations

import atexit
import gc
import os
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager, nullcontext
from dataclasses import fields, replace
from pathlib import Path
from typing import Any, cast

import streamlit as st

from analytics.operations.access import CACHED_READS, Principal, View
from analytics.store import snapshot
from analytics.store.db import Database, default_db_path
from analytics.store.opening import is_wanted, open_database
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


def _open(path: str, quiet: bool = False) -> Database:
    fresh = not Path(path).exists()
    # ``quiet``: opened by a thread of its own, which has no page to show a spinner on.
    with nullcontext() if quiet else st.spinner("Открываем базу данных…", show_time=True):
        db = open_database(path, write=True, wait=PAGE_WAIT_SECONDS)
    if fresh:
        from analytics.operations.demo import build_demo  # only on the very first start

        build_demo(db)
        db.set_meta(DEMO_FLAG, 1)
    return db


class _Holder:
    """The database of this process, held while the dashboard uses it and let go as soon
    as another process waits for it.

    DuckDB lets one process at a time write a file, and an open connection holds it: a
    dashboard holding its database for its whole life left the command line nothing but
    waiting. Opening it for every page run cost more than a warm run itself (see
    docs/performance.md), so it stays open while nobody else wants it. A command waiting
    for it marks it wanted (:func:`analytics.store.opening.is_wanted`); new page runs then
    wait for that command, and the database is closed as soon as no page run is under way
    (at the end of the last one, or within :data:`_WATCH_SECONDS` when idle). A command
    therefore waits at most for the page runs under way. A use outside a page run (a test
    calling a page's function) is not counted.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._db: Database | None = None
        self._runs = 0
        self._stop = threading.Event()
        self._watchers: list[threading.Thread] = []

    def database(self, path: str, quiet: bool = False) -> Database:
        with self._lock:
            if self._db is not None and str(self._db.path) != path:
                self._db.close()
                self._db = None
            if self._db is None:
                self._db = _open(path, quiet)
                watcher = threading.Thread(
                    target=self._watch, args=(self._db,), name="database-release", daemon=True
                )
                watcher.start()
                self._watchers = [w for w in self._watchers if w.is_alive()] + [watcher]
            return self._db

    @contextmanager
    def run(self) -> Iterator[None]:
        """A page run (or a publication) under way: the database stays open until it ends."""
        if _serves_itself():
            _give_way(default_db_path().resolve())
        with self._lock:
            self._runs += 1
        try:
            yield
        finally:
            with self._lock:
                self._runs -= 1
                self._release_if_wanted()

    def close(self) -> None:
        """Close the database and stop the watching threads (at exit: a thread still
        alive then makes nanobind print a page of "leaked instance" lines)."""
        self._stop.set()
        for watcher in self._watchers:
            watcher.join()
        with self._lock:
            if self._db is not None:
                self._db.close()
                self._db = None

    def _release_if_wanted(self) -> None:
        """Close the database if no page run uses it and another process waits for it;
        called with the lock held."""
        if not self._runs and self._db is not None and is_wanted(self._db.path):
            self._db.close()
            self._db = None

    def _watch(self, db: Database) -> None:
        """While ``db`` is this process's open database, let it go when wanted."""
        while not self._stop.wait(_WATCH_SECONDS):
            with self._lock:
                if self._db is not db:
                    return
                self._release_if_wanted()


# How often an idle dashboard looks whether another process waits for its database.
_WATCH_SECONDS = 0.2


def _serves_itself() -> bool:
    """Whether this process serves its database itself (scripts/start.sh, or the writer
    of scripts/serve.sh), not a replica over a snapshot."""
    return not os.environ.get(snapshot.ENV)


def _give_way(path: Path) -> None:
    """Before a page run takes the database: wait while another process waits for it, so
    that the runs under way drain and it gets its turn (at most :data:`PAGE_WAIT_SECONDS`)."""
    deadline = time.monotonic() + PAGE_WAIT_SECONDS
    while is_wanted(path) and time.monotonic() < deadline:
        time.sleep(_WATCH_SECONDS)


_HOLDER = _Holder()
atexit.register(_HOLDER.close)


def page_run() -> AbstractContextManager[None]:
    """The scope of one page run (see :func:`ui.page.guarded`): while one is under way the
    database stays open; between runs it is let go to a process waiting for it."""
    return _HOLDER.run()


@st.cache_resource
def _publishing(path: str, published: str) -> bool:
    """Start, once per process, the publishing thread of the writer of a deployment with
    replicas (scripts/serve.sh): every few seconds it borrows the database as a page run
    does, so the command line can write beside this writer too, and replicas see what it
    wrote at the next publication."""

    @contextmanager
    def borrowed() -> Iterator[Database | None]:
        if os.environ.get(snapshot.PUBLISH_ENV) != published or database_path() != path:
            # No longer this process's deployment (a test changed it): nothing to publish.
            yield None
            return
        with _HOLDER.run():
            yield _HOLDER.database(path, quiet=True)

    snapshot.keep_published(borrowed, published)
    return True


@st.cache_resource(show_spinner="Открываем опубликованный снимок…", max_entries=2)
def _open_snapshot(path: str) -> Database:
    return snapshot.open_snapshot(path)


def database_path() -> str:
    """The database file this process serves (``MONITORING_DB``), resolved."""
    return str(default_db_path().resolve())


def database() -> Database:
    """The process's database: the published snapshot ``MONITORING_SNAPSHOT`` names (a
    read-only replica; a newly published one is opened at the next run), else the
    database itself (built from the demo data on the very first start), let go between
    page runs (and publications, on the writer of scripts/serve.sh) to a command waiting
    for it (:class:`_Holder`)."""
    published = snapshot.snapshot_path()
    if published is not None:
        return _open_snapshot(str(published.resolve()))
    path = database_path()
    db = _HOLDER.database(path)
    publishing = os.environ.get(snapshot.PUBLISH_ENV)
    if publishing:
        _publishing(path, publishing)
    return db


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
