"""Round templates per second: stage ``templates`` of :mod:`benchmarks.run` (issue 26).

A city of 296 schools in 18 districts (the size of Санкт-Петербург's registry) with long
official names and ИНН; a round over it; the whole ZIP of pre-filled templates built as
the page builds it (:func:`analytics.meetings.round_templates.templates_zip`). The floor
is the file format itself: writing the same number of XLSX files, each a copy of one
template's parts, into a ZIP. Targets: ≤ 30 ms a template, and ≤ 10 s for the 296.

    .venv/bin/python -m benchmarks.templates [--schools 296]
"""

from __future__ import annotations

import argparse
import csv
import io
import tempfile
import time
import zipfile
from datetime import date
from pathlib import Path

from analytics.ingest.load import ingest_bytes
from analytics.meetings import round_templates
from analytics.meetings.rounds import open_round, round_orgs
from analytics.model.contract import FormKind
from analytics.operations.demo import inn_check_digit
from analytics.store.db import Database

SCHOOLS = 296
DISTRICTS = 18
REGION = "г. Санкт-Петербург"
SECONDS_PER_TEMPLATE = 0.030
CITY_SECONDS = 10.0


def registry_csv(schools: int = SCHOOLS) -> bytes:
    """A registry of ``schools`` schools of one city, in :data:`DISTRICTS` districts, named
    as the city's official registry names them (long, the number near the end)."""
    rows = [["Регион", "Муниципалитет", "Район", "Наименование ОО", "ИНН", "Тип ОО"]]
    for n in range(1, schools + 1):
        district = f"Район № {n % DISTRICTS + 1}"
        body = f"78{n:07d}"
        rows.append(
            [
                REGION,
                REGION,
                district,
                "Государственное бюджетное общеобразовательное учреждение средняя "
                f"общеобразовательная школа № {n} {district} Санкт-Петербурга",
                body + inn_check_digit(body),
                "СОШ",
            ]
        )
    text = io.StringIO()
    csv.writer(text, delimiter=";").writerows(rows)
    return text.getvalue().encode()


def city_round(db: Database, schools: int = SCHOOLS) -> int:
    """The registry of :func:`registry_csv` loaded and a round over the city opened."""
    ingest_bytes(db, "реестр.csv", registry_csv(schools), FormKind.REGISTRY)
    municipality = db.scalar("SELECT municipality_id FROM municipalities")
    return open_round(
        db,
        "2025/2026",
        starts_on=date(2026, 5, 4),
        due_on=date(2026, 5, 15),
        order_number="1",
        order_date=date(2026, 4, 28),
        municipality_id=int(municipality),
    )


def floor_zip(template: bytes, count: int) -> float:
    """Seconds to write ``count`` copies of one template, its parts written anew as the
    builder writes them, into a ZIP: what the file format costs."""
    with zipfile.ZipFile(io.BytesIO(template)) as source:
        parts = [(info, source.read(info)) for info in source.infolist()]
    started = time.perf_counter()
    outer = io.BytesIO()
    with zipfile.ZipFile(outer, "w", zipfile.ZIP_STORED) as archive:
        for n in range(count):
            inner = io.BytesIO()
            with zipfile.ZipFile(inner, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as one:
                for info, content in parts:
                    one.writestr(info, content, compresslevel=1)
            archive.writestr(f"{n}.xlsx", inner.getvalue())
    return time.perf_counter() - started


def figures(schools: int = SCHOOLS) -> dict:
    """The city's ZIP of templates timed against the format's floor."""
    with tempfile.TemporaryDirectory() as directory:
        db = Database(Path(directory) / "templates.duckdb")
        try:
            round_id = city_round(db, schools)
            count = len(round_orgs(db, round_id))
            started = time.perf_counter()
            archive = round_templates.templates_zip(db, round_id)
            seconds = time.perf_counter() - started
            with zipfile.ZipFile(io.BytesIO(archive)) as done:
                first = done.read(done.namelist()[0])
            floor = floor_zip(first, count)
        finally:
            db.close()
    return {"templates": count, "seconds": seconds, "floor_s": floor}


def rows(results: dict, row) -> list:
    """The benchmark table's lines (``row``: :class:`benchmarks.run.Row`)."""
    t = results.get("templates")
    if not t:
        return []
    per = t["seconds"] / t["templates"]
    size = f"{t['templates']} ОО"
    return [
        row(
            "шаблоны мониторинга, шаблонов/с",
            size,
            f"{t['templates'] / t['seconds']:,.0f} (всего {t['seconds']:.1f} с)",
            f"≥ {1 / SECONDS_PER_TEMPLATE:.0f}/с, ≤ {CITY_SECONDS:g} с",
            per <= SECONDS_PER_TEMPLATE and t["seconds"] <= CITY_SECONDS,
        ),
        row(
            "шаблоны / запись того же ZIP",
            size,
            f"{t['seconds'] / t['floor_s']:.1f}×",
            "—",
            None,
        ),
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--schools", type=int, default=SCHOOLS)
    args = parser.parse_args()
    from benchmarks.run import Row, table

    print(table(rows({"templates": figures(args.schools)}, Row)))


if __name__ == "__main__":
    main()
