"""A small monitoring history for the meeting tests: the regulation indicator of two
municipalities over two calendar years.

«Положение о наставничестве» (regulation): г. Альфа 2 of 5 schools in 2022 (40 %) and
3 of 5 in 2023 (60 %); г. Бета 5 of 5 in 2022 (100 %) and 4 of 5 in 2023 (80 %).
"""

from __future__ import annotations

from analytics.ingest.load import ingest_bytes
from analytics.store.db import Database
from tests.filemakers import FULL_COLUMNS, csv_bytes, org, table

REGION = "Удмуртская Республика"
ALPHA, BETA = "г. Альфа", "г. Бета"
REGULATION = {(ALPHA, "2022"): 2, (ALPHA, "2023"): 3, (BETA, "2022"): 5, (BETA, "2023"): 4}


def schools(municipality: str, period: str, with_regulation: int) -> list[dict[str, object]]:
    """Five schools of ``municipality``, the first ``with_regulation`` with a regulation."""
    return [
        org(
            f"Школа {n}",
            region=REGION,
            municipality=municipality,
            period=period,
            has_regulation="да" if n <= with_regulation else "нет",
        )
        for n in range(1, 6)
    ]


def load(db: Database, periods: tuple[str, ...] = ("2022", "2023")) -> None:
    """Upload the history of ``periods``, one file per period."""
    for period in periods:
        rows = [
            row
            for (municipality, year), n in REGULATION.items()
            if year == period
            for row in schools(municipality, year, n)
        ]
        ingest_bytes(db, f"monitoring_{period}.csv", csv_bytes(table(rows, FULL_COLUMNS)))
