"""The database of this process and the cached engine results, keyed by data version.

One :class:`Database` (one DuckDB connection) serves every session of the server; it is a
resource, not data, so it lives in ``st.cache_resource``. Frames come from
``st.cache_data`` functions whose arguments include the data version, so any upload or
rollback refreshes every view.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import streamlit as st

from analytics import lookups, quality
from analytics.db import Database, default_db_path
from analytics.indicators import Scope, compute

DEMO_FLAG = "demo"


@st.cache_resource(show_spinner="Открываем базу данных…")
def _open(path: str) -> Database:
    fresh = not Path(path).exists()
    db = Database(path)
    if fresh:
        from analytics.demo import build_demo  # only on the very first start

        build_demo(db)
        db.set_meta(DEMO_FLAG, 1)
    return db


def database() -> Database:
    """The process's database; on first start, built from the demo data."""
    return _open(str(default_db_path().resolve()))


@st.cache_data(show_spinner=False, max_entries=256)
def indicators(path: str, version: int, scope: Scope) -> pd.DataFrame:
    return compute(database(), scope)


@st.cache_data(show_spinner=False, max_entries=16)
def hierarchy(path: str, version: int) -> pd.DataFrame:
    return lookups.hierarchy(database())


@st.cache_data(show_spinner=False, max_entries=16)
def periods(path: str, version: int) -> list[str]:
    return lookups.periods(database())


@st.cache_data(show_spinner=False, max_entries=32)
def non_reporting(path: str, version: int, period: str) -> pd.DataFrame:
    return lookups.non_reporting(database(), period)


@st.cache_data(show_spinner=False, max_entries=32)
def findings(path: str, version: int, period: str | None) -> pd.DataFrame:
    return quality.findings(database(), period)


@st.cache_data(show_spinner=False, max_entries=32)
def form_values(path: str, version: int, period: str | None) -> pd.DataFrame:
    return lookups.form_values(database(), period)
