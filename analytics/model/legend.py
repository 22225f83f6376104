"""The legend: how a value compares with its target, and how a change compares with the
one before — declared once, read by the pages, the documents and the exports.

Like a DHIS2 legend set, each status is one record with its thresholds' meaning, its
label, its colour (charts), its tint (table cells in documents) and its fill (XLSX). The
contract's rule: green meets the target; yellow is within 80 % of it (for «lower is
better», within 125 %); red is beyond.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Better(StrEnum):
    HIGHER = "higher"
    LOWER = "lower"


class Status(StrEnum):
    GREEN = "green"
    YELLOW = "yellow"
    RED = "red"


@dataclass(frozen=True)
class Legend:
    """One status as people see it: ``colour`` and ``tint`` are hex RGB without «#»;
    ``mark`` is its sign, which says the status where colour cannot (a colour-blind
    reader, a print in black and white)."""

    status: Status
    label: str
    colour: str
    tint: str
    mark: str

    @property
    def css(self) -> str:
        return f"#{self.colour}"


# Okabe–Ito colours, told apart by people with the common colour-vision deficiencies;
# the yellow lightened from Okabe–Ito's orange (E69F00) so that it differs from the red in
# lightness as well as hue (CIE L* 80 against 54) and is not read as a second orange on a
# projector.
LEGEND: dict[Status, Legend] = {
    Status.GREEN: Legend(Status.GREEN, "цель достигнута", "009E73", "D9F2E8", "✓"),
    Status.YELLOW: Legend(Status.YELLOW, "близко к цели", "F0C24A", "FCEBCC", "≈"),
    Status.RED: Legend(Status.RED, "значительно ниже цели", "D55E00", "F9D9CB", "✗"),
}
NO_DATA_LABEL = "нет данных"
NO_DATA_COLOUR = "9E9E9E"
TARGET_COLOUR = "0072B2"
# Chart colours by status code («#009E73»), grey under None for a value without a status.
STATUS_COLOURS: dict[str | None, str] = {
    **{str(s): legend.css for s, legend in LEGEND.items()},
    None: f"#{NO_DATA_COLOUR}",
}
TARGET_CSS = f"#{TARGET_COLOUR}"

YELLOW_RATIO_HIGHER = 0.8
YELLOW_RATIO_LOWER = 1.25


def marked(text: str, status: object) -> str:
    """``text`` after its status's mark («✗ 54,0 %»), joined by a no-break space so that
    they stay on one line; a value without a status as it is."""
    if isinstance(status, str) and status in LEGEND:
        return f"{LEGEND[Status(status)].mark}\u00a0{text}"
    return text


def marks_key() -> str:
    """What the marks mean, for a document's legend: «✓ — цель достигнута, …»."""
    return ", ".join(f"{legend.mark} — {legend.label}" for legend in LEGEND.values())


def label_of(status: object) -> str:
    """A status's label; «нет данных» where there is none."""
    return LEGEND[Status(status)].label if isinstance(status, str) and status else NO_DATA_LABEL


class Change(StrEnum):
    """How a value moved from one period to the next, for the better or the worse."""

    IMPROVED = "improved"
    WORSENED = "worsened"
    UNCHANGED = "unchanged"


def change_of(before: float, after: float, better: Better | str) -> Change:
    """The verdict on a change; one that rounds to zero in the shown precision (0,1) is
    no change."""
    delta = after - before
    if round(delta, 1) == 0:
        return Change.UNCHANGED
    return Change.IMPROVED if (delta > 0) == (Better(better) is Better.HIGHER) else Change.WORSENED
