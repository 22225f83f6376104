"""The ranking of deficits worked out apart from the engine, from the values and targets
alone, to check every list of deficits against: a value short of its target (beyond it
where lower is better) is a deficit, except an organisation's own reporting rate; the
largest distance as a share of the target comes first, the catalogue order on ties. The
key is shown as a whole percentage of the target («46 % от цели»)."""

from __future__ import annotations

import pandas as pd

from analytics.model.catalogue import INDICATORS

NBSP = "\u00a0"
CATALOGUE_ORDER = {i.id: n for n, i in enumerate(INDICATORS)}
COVERAGE = {i.id for i in INDICATORS if i.coverage}


def ranked(rows: pd.DataFrame) -> pd.DataFrame:
    """The deficits of one unit's rows (columns ``indicator``, ``level``, ``value``,
    ``target``, ``better``), largest first, with their ``key`` (share of the target)."""
    rows = rows[rows["value"].notna()].copy()
    own = (rows["level"].astype(str) == "organization") & rows["indicator"].isin(COVERAGE)
    rows = rows[~own]
    higher = rows["better"].astype(str) == "higher"
    distance = (rows["target"] - rows["value"]).where(higher, rows["value"] - rows["target"])
    rows = rows[distance > 0].assign(distance=distance[distance > 0])
    rows["key"] = [
        d / abs(t) if t else d for d, t in zip(rows["distance"], rows["target"], strict=True)
    ]
    rows["catalogue"] = rows["indicator"].map(CATALOGUE_ORDER)
    return rows.sort_values(["key", "catalogue"], ascending=[False, True]).reset_index(drop=True)


def key_text(key: float) -> str:
    """«46 % от цели»."""
    return f"{100 * key:.0f}{NBSP}% от цели"
