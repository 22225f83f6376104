"""The engine's ranking of deficits as the pages read it: the indicator a page opens on is
the first deficit of :func:`analytics.compute.indicators.deficits` for the filters'
territory and period — the same one that leads Обзор, the note, the deck and a meeting."""

from __future__ import annotations

import pandas as pd

from analytics.compute.indicators import deficits
from analytics.model.catalogue import INDICATORS
from analytics.model.levels import Level

from .page import Page


def ranked(ctx: Page) -> pd.DataFrame:
    """The deficits of the filters' whole territory in its period, largest first."""
    if ctx.filters.period is None:
        return pd.DataFrame(columns=["indicator"])
    return deficits(ctx.indicators(ctx.filters.scope(levels=(Level.TOTAL,))))


def first_deficit(ctx: Page) -> str:
    """The indicator a page opens on: the largest deficit; the first indicator of the
    catalogue where every target is met."""
    found = ranked(ctx)
    return str(found["indicator"].iloc[0]) if len(found) else INDICATORS[0].id
