"""The texts of a table cell: a value, «47 из 87», a target, a status, a gap — the same in
the note, the deck and the school notes."""

from __future__ import annotations

import logging
from collections.abc import Mapping

import pandas as pd

from analytics.model.catalogue import INDICATORS_BY_ID
from analytics.wording import narrative
from analytics.wording.formatting import (
    fraction,
    indicator_value,
    shortfall,
    target_value,
)

log = logging.getLogger(__name__)


def _missing(value: object) -> bool:
    return value is None or (isinstance(value, float) and pd.isna(value)) or value is pd.NA


def value_text(row: Mapping[str, object], yes_no: bool = False) -> str:
    """A value for a table cell; «да»/«нет» for one organisation's yes/no answer."""
    value = row.get("value")
    if _missing(value):
        return "—"
    indicator = INDICATORS_BY_ID[str(row["indicator"])]
    if yes_no and indicator.yes_no:
        return "да" if float(value) >= 50 else "нет"
    return indicator_value(indicator, float(value))


def fraction_text(row: Mapping[str, object]) -> str:
    indicator = INDICATORS_BY_ID[str(row["indicator"])]
    n, d = row.get("numerator"), row.get("denominator")
    if _missing(n) or _missing(d):
        return "нет данных"
    return fraction(indicator, float(n), float(d))


def target_text(row: Mapping[str, object]) -> str:
    indicator = INDICATORS_BY_ID[str(row["indicator"])]
    target = row.get("target")
    if _missing(target):
        return "—"
    text = target_value(indicator, float(target))
    return f"не более {text}" if row.get("better") == "lower" else text


def gap_text(row: Mapping[str, object]) -> str:
    indicator = INDICATORS_BY_ID[str(row["indicator"])]
    gap = row.get("gap")
    if _missing(gap):
        return "—"
    return narrative.change_text(indicator, float(gap), 0.0).lstrip("+")


def ranked_gap_text(row: Mapping[str, object]) -> str:
    """The gap of a ranked deficit with the key it is ranked by beside it: «35,6 п. п.
    (51 % от цели)», so a list ordered by the key reads as ordered."""
    indicator = INDICATORS_BY_ID[str(row["indicator"])]
    key, target = row.get("shortfall"), row.get("target")
    if _missing(key) or _missing(target):
        return gap_text(row)
    key = shortfall(indicator, float(key), float(target), named=False)
    return f"{gap_text(row)} ({key})"
