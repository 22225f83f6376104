"""What a curator can work out from what they see, as a linear system.

Every value a curator's :class:`~analytics.operations.access.View` returns is an equation over the
unknown answers of the other organisations' forms: a territory's share ``V`` of
indicator ``N/D`` over the organisations ``S`` taking part says
``Σ_S N − (V / factor) · Σ_S D = (the curator's own part)``; a numerator or denominator
says ``Σ_S N = n`` or ``Σ_S D = d``. Unknowns are the raw answers of each other
organisation and period (mentors, mentees, teachers, …, each yes/no answer), so
indicators that share an answer (mentors in «обученные наставники» and «нагрузка») are
linked as they are in the data. An organisation's figure is determined when some
combination of the equations isolates it: its numerator ``N_j``, its denominator ``D_j``
or any ``a·N_j + b·D_j`` (its value) lies in the row space of the system.

Which organisations take part in a row is taken from the data (the administrator's
organisation rows), never from what the curator was told. The curator's own answers are
on the right-hand side, so observing again after they send their own form with other
numbers adds a second equation with the same unknowns (a re-upload): what a curator who
varies their own input learns.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from analytics.compute.indicators import compute
from analytics.model.catalogue import INDICATORS_BY_ID
from analytics.model.levels import Level
from analytics.store.db import Database
from analytics.store.scope import Scope

# Indicator → its numerator and denominator as {raw answer: coefficient} for one form; a
# yes/no indicator's denominator is the known constant 1 (no unknowns).
FORMS: dict[str, tuple[dict[str, float], dict[str, float]]] = {
    **{
        k: ({k: 1.0}, {})
        for k in (
            "regulation",
            "roadmap",
            "curator",
            "program",
            "program_site",
            "databases",
            "incentives",
        )
    },
    "teachers_involved": ({"mentors": 1.0, "mentees": 1.0}, {"teachers_total": 1.0}),
    "young_mentored": ({"young_with_mentor": 1.0}, {"young_specialists": 1.0}),
    "mentors_trained": ({"mentors_trained": 1.0}, {"mentors": 1.0}),
    "mentor_load": ({"mentees": 1.0}, {"mentors": 1.0}),
    "completion": ({"mentees_completed": 1.0}, {"mentees": 1.0}),
    "students_mentored": ({"student_mentees": 1.0}, {"students_10_18": 1.0}),
    # The numerator is the answer «satisfaction × participants»: an unknown of its own.
    "satisfaction": ({"satisfaction_weighted": 1.0}, {"mentors": 1.0, "mentees": 1.0}),
}
_KEYS = {
    Level.REGION: "region_id",
    Level.MUNICIPALITY: "municipality_id",
    Level.DISTRICT: "district_id",
    Level.ORGANIZATION: "org_id",
}


@dataclass
class System:
    """The equations a curator of ``own`` holds, over the other organisations' answers."""

    db: Database
    own: frozenset[int]
    truth: pd.DataFrame = field(init=False)
    unknowns: dict[tuple[int, str, str], int] = field(default_factory=dict)
    rows: dict[str, list[dict[int, float]]] = field(default_factory=lambda: defaultdict(list))

    def __post_init__(self) -> None:
        frame = compute(self.db, Scope(levels=(Level.ORGANIZATION,)))
        self.truth = frame[(frame["orgs"] > 0) & frame["indicator"].isin(FORMS)]
        self._cells = {
            key: {
                column: part[column].to_numpy(dtype=object)
                for column in (*_KEYS.values(), "organization_type")
            }
            for key, part in self.truth.groupby(["indicator", "period"])
        }

    # --- the organisations behind a value --------------------------------------------

    def members(
        self, indicator: str, period: str, scope: Scope, level: Level, key: object
    ) -> list[int]:
        """The organisations taking part in the ``level`` row (``key`` its territory id)
        of ``scope``, for ``indicator`` and ``period``."""
        cell = self._cells.get((indicator, period))
        if cell is None:
            return []
        keep = np.ones(len(cell["org_id"]), dtype=bool)
        wanted = [
            ("region_id", scope.region_id),
            ("municipality_id", scope.municipality_id),
            ("district_id", scope.district_id),
            ("org_id", scope.org_id),
            ("organization_type", scope.org_type),
        ]
        if level in _KEYS:
            wanted.append((_KEYS[level], key))
        for column, value in wanted:
            if value is not None:
                keep &= np.array([v is not pd.NA and v == value for v in cell[column]])
        return [int(o) for o in cell["org_id"][keep]]

    # --- equations ---------------------------------------------------------------------

    def _form(self, org: int, period: str, answers: dict[str, float]) -> dict[int, float]:
        form: dict[int, float] = {}
        for answer, weight in answers.items():
            index = self.unknowns.setdefault((org, period, answer), len(self.unknowns))
            form[index] = form.get(index, 0.0) + weight
        return form

    def _sum(self, members: Iterable[int], period: str, part: int, indicator: str):
        total: dict[int, float] = defaultdict(float)
        for org in members:
            if org in self.own:
                continue  # known to the curator: it moves to the right-hand side
            for index, weight in self._form(org, period, FORMS[indicator][part]).items():
                total[index] += weight
        return total

    def observe(
        self,
        indicator: str,
        period: str,
        members: list[int],
        value: object = None,
        numerator: object = None,
        denominator: object = None,
    ) -> None:
        """Record what one returned row says about ``members``."""
        if indicator not in FORMS:
            return
        n = self._sum(members, period, 0, indicator)
        d = self._sum(members, period, 1, indicator)
        if numerator is not None and pd.notna(numerator):
            self.rows[period].append(dict(n))
        if denominator is not None and pd.notna(denominator):
            self.rows[period].append(dict(d))
        if value is not None and pd.notna(value):
            ratio = float(value) / INDICATORS_BY_ID[indicator].factor
            row = dict(n)
            for index, weight in d.items():
                row[index] = row.get(index, 0.0) - ratio * weight
            self.rows[period].append(row)

    def observe_frame(self, frame: pd.DataFrame, scope: Scope) -> None:
        """Every row of an indicators frame returned for ``scope``."""
        for row in frame.itertuples(index=False):
            level = Level(str(row.level))
            key = getattr(row, _KEYS[level]) if level in _KEYS else None
            members = self.members(str(row.indicator), str(row.period), scope, level, key)
            self.observe(
                str(row.indicator),
                str(row.period),
                members,
                row.value,
                row.numerator,
                row.denominator,
            )

    # --- what is determined -------------------------------------------------------------

    def determined(self) -> list[tuple[int, str, str]]:
        """(organisation, indicator, period) of every other organisation's figure that the
        equations determine: its numerator, denominator or value."""
        found = []
        columns = len(self.unknowns) + 1
        for period in sorted(set(self.truth["period"])):
            basis = _row_basis(self.rows.get(period, []), columns)
            others = self.truth[
                (self.truth["period"] == period) & ~self.truth["org_id"].isin(self.own)
            ]
            for row in others.itertuples(index=False):
                org, indicator = int(row.org_id), str(row.indicator)
                forms = [
                    self._form(org, period, answers) for answers in FORMS[indicator] if answers
                ]
                matrix = np.zeros((len(forms), len(self.unknowns) + 1))
                for n, form in enumerate(forms):
                    for index, weight in form.items():
                        matrix[n, index] = weight
                if basis.shape[0] and basis.shape[1] < matrix.shape[1]:
                    basis = np.pad(basis, ((0, 0), (0, matrix.shape[1] - basis.shape[1])))
                rest = matrix - (matrix @ basis.T) @ basis if basis.shape[0] else matrix
                if np.linalg.matrix_rank(rest, tol=1e-7) < np.linalg.matrix_rank(matrix):
                    found.append((org, indicator, period))
        return found


def _row_basis(rows: list[dict[int, float]], columns: int) -> np.ndarray:
    """An orthonormal basis of the row space of the equations (one row per vector)."""
    if not rows:
        return np.zeros((0, columns))
    matrix = np.zeros((len(rows), columns))
    for n, row in enumerate(rows):
        for index, weight in row.items():
            matrix[n, index] = weight
    _, singular, vt = np.linalg.svd(matrix, full_matrices=False)
    rank = int((singular > 1e-9 * max(1.0, singular[0] if len(singular) else 1.0)).sum())
    return vt[:rank]
