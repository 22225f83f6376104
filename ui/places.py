"""What pages need from the hierarchy of organisations, cached once per data version and
role: the filters in words, an organisation's row, the organisations under the territory
filters.

The hierarchy of a national registry is a 100,000-row frame; a cached frame is unpickled
for every session that reads it, so a page that read it on every run spent more server
time copying it than drawing itself. These lookups read it only when their own cached
result is missing, and hand out results the size of what a page shows.
"""

from __future__ import annotations

from dataclasses import replace

import pandas as pd
import streamlit as st

from analytics.operations.access import Principal
from analytics.store.scope import Scope

from . import state

# What identifies the hierarchy a principal sees: (database path, data version, principal).
Source = tuple[str, int, Principal]


def shared(source: Source) -> Source:
    """The cache key of a principal's hierarchy: what they may see, not who they are (as
    :func:`ui.state.cached`)."""
    path, version, principal = source
    return path, version, replace(principal, login="")


def hierarchy(source: Source) -> pd.DataFrame:
    """Every organisation the principal may see with its territories (the engine's
    ``hierarchy``), a copy of the cached frame."""
    return state.cached(*source).hierarchy()


def described(source: Source, scope: Scope) -> str:
    """``scope.describe(territories)``: the filters in words."""
    return _described(shared(source), scope)


@st.cache_data(show_spinner=False, max_entries=4096, hash_funcs=state.HASH_FUNCS)
def _described(source: Source, scope: Scope) -> str:
    # The territories' names are all it needs: a few thousand rows, not 100,000.
    return scope.describe(state.cached(*source).territories())


def organization(source: Source, org_id: int) -> pd.DataFrame:
    """The hierarchy's rows of organisation ``org_id`` (none where it is not there)."""
    return _organization(shared(source), org_id)


@st.cache_data(show_spinner=False, max_entries=4096, hash_funcs=state.HASH_FUNCS)
def _organization(source: Source, org_id: int) -> pd.DataFrame:
    rows = hierarchy(source)
    return rows[rows["org_id"] == org_id]


def under(
    source: Source, region_id: int | None, municipality_id: int | None, district_id: int | None
) -> pd.DataFrame:
    """The hierarchy's rows of the organisations in the territory (every one where no
    territory is given): the same rows as the whole hierarchy for whatever is asked
    about them or their territories, a thousandth of it at a municipality."""
    if region_id is None and municipality_id is None and district_id is None:
        return hierarchy(source)
    return _under(shared(source), region_id, municipality_id, district_id)


@st.cache_data(show_spinner=False, max_entries=4096, hash_funcs=state.HASH_FUNCS)
def _under(
    source: Source, region_id: int | None, municipality_id: int | None, district_id: int | None
) -> pd.DataFrame:
    territory = Scope(region_id=region_id, municipality_id=municipality_id, district_id=district_id)
    return territory.keep(hierarchy(source))
