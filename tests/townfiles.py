"""Тестовск: a hand-made municipality whose figures the documents' tests check by hand —
90 schools in the registry; in 2023/2024, 87 sent forms and 47 of them have both databases."""

from __future__ import annotations

import io
from datetime import datetime

from docx import Document

from analytics.compute.lookups import find_territory
from analytics.ingest.load import ingest_bytes
from analytics.ingest.parse import Defaults
from analytics.model.contract import FormKind
from analytics.store.db import Database
from analytics.wording.formatting import NBSP
from tests.filemakers import csv_bytes, org, table

REGION, TOWN = "Тестовская область", "г. Тестовск"
PERIOD, PREVIOUS = "2023/2024", "2022/2023"
NOW = datetime(2026, 11, 22, 10, 0)


def numbered_school(k: int) -> str:
    """The name of school number ``k`` of Тестовск."""
    return f"МБОУ «СОШ № {k}»"


def forms_csv(count: int, with_databases: int) -> bytes:
    """Schools 1..count; the first ``with_databases`` have both databases, the others a
    database of mentors only; every third has no programme on its site."""
    return csv_bytes(
        table(
            org(
                numbered_school(k),
                has_mentee_db="да" if k <= with_databases else "нет",
                program_on_site="нет" if k % 3 == 0 else "да",
            )
            for k in range(1, count + 1)
        )
    )


def load_town(
    db: Database,
    registry: int = 90,
    reported: int = 87,
    with_databases: int = 47,
    previous: tuple[int, int] | None = (90, 43),
) -> int:
    """Тестовск: ``registry`` schools in the registry; in 2023/2024 the first
    ``reported`` sent forms and ``with_databases`` of them have both databases; in
    2022/2023 ``previous`` = (forms, with both databases). Returns the municipality id."""
    defaults = Defaults(region=REGION, municipality=TOWN)
    rows = table(
        ({"org_name": numbered_school(k), "org_type": "СОШ"} for k in range(1, registry + 1)),
        columns=("org_name", "org_type"),
    )
    ingest_bytes(db, "реестр.csv", csv_bytes(rows), FormKind.REGISTRY, defaults)
    if previous is not None:
        ingest_bytes(
            db,
            "формы_2022-2023.csv",
            forms_csv(*previous),
            defaults=Defaults(region=REGION, municipality=TOWN, period=PREVIOUS),
        )
    ingest_bytes(
        db,
        "формы_2023-2024.csv",
        forms_csv(reported, with_databases),
        defaults=Defaults(region=REGION, municipality=TOWN, period=PERIOD),
    )
    return find_territory(db, "municipality", TOWN)


def docx_paragraphs(content: bytes) -> list[str]:
    """The paragraphs of a DOCX, non-breaking spaces as plain ones."""
    return [p.text.replace(NBSP, " ") for p in Document(io.BytesIO(content)).paragraphs]
