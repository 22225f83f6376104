"""Statistical disclosure control for curators: an aggregate must not give away one
other school's value."""

from __future__ import annotations

import pandas as pd

from .indicators import Level

_TERRITORY_KEYS: dict[str, str | None] = {
    str(Level.TOTAL): None,
    str(Level.REGION): "region_id",
    str(Level.MUNICIPALITY): "municipality_id",
    str(Level.DISTRICT): "district_id",
}
_HIDDEN_COLUMNS = ("numerator", "denominator", "value", "status", "gap")


def suppress_single_others(frame: pd.DataFrame, own_rows: pd.DataFrame) -> pd.DataFrame:
    """Blank a territory aggregate where, besides the curator's own organisations, exactly
    one organisation takes part: subtracting their own values would reveal its value."""
    hidden = pd.Series(False, index=frame.index)
    taking_part = own_rows[own_rows["orgs"] > 0]
    for level, key in _TERRITORY_KEYS.items():
        rows = frame["level"] == level
        if not rows.any():
            continue
        group = ["indicator", "period"] + ([key] if key else [])
        own = taking_part.groupby(group, dropna=False).size().rename("own_orgs").reset_index()
        merged = frame.loc[rows, [*group, "orgs"]].merge(own, on=group, how="left")
        others = merged["orgs"].to_numpy() - merged["own_orgs"].fillna(0).to_numpy()
        hidden.loc[rows] = others == 1
    frame = frame.copy()
    for column in _HIDDEN_COLUMNS:
        frame[column] = frame[column].astype(object).where(~hidden, None)
    frame["deficit"] = frame["deficit"] & ~hidden
    frame["suppressed"] = hidden
    return frame
