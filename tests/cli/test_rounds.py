"""The round commands: rounds open|close|list, templates, completeness."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

from analytics.cli.main import main
from analytics.store.db import Database
from tests.roundfiles import CITY, load_registry


def run(*argv: str) -> tuple[int, str]:
    out = io.StringIO()
    return main(list(argv), out=out), out.getvalue()


def opened(tmp_path: Path) -> Path:
    """A database with the city's registry and round № 1 opened from the command line."""
    path = tmp_path / "monitoring.duckdb"
    with Database(path) as db:
        load_registry(db)
    code, _ = run(
        *("--db", str(path), "rounds", "open", "--period", "2022", "--municipality", CITY),
        *("--start", "27.06.2022", "--due", "05.07.2022", "--order-number", "330"),
        *("--order-date", "23.06.2022", "--order-title", "О проведении мониторинга"),
    )
    assert code == 0
    return path


def test_rounds_open_then_list_shows_the_round_with_its_order_and_dates(tmp_path):
    path = opened(tmp_path)

    code, out = run("--db", str(path), "rounds", "list")

    assert (code, out) == (
        0,
        "№ 1\t2022\tг. Ижевск\tс 27 июня по 05 июля 2022 г.\tФорма мониторинга ОО\t"
        "приказ от 23.06.2022 № 330 «О проведении мониторинга»\tидёт\n",
    )


def test_templates_writes_one_workbook_per_school_of_the_round(tmp_path):
    path = opened(tmp_path)
    target = tmp_path / "шаблоны.zip"

    code, out = run("--db", str(path), "templates", "--round", "1", "--out", str(target))

    assert (code, out) == (0, f"Шаблоны сохранены: {target}\n")
    assert len(zipfile.ZipFile(target).namelist()) == 4


def test_completeness_after_the_due_date_counts_every_school_overdue(tmp_path):
    path = opened(tmp_path)

    code, out = run("--db", str(path), "completeness", "--round", "1", "--today", "06.07.2022")

    assert code == 0
    assert out.splitlines()[0] == (
        "На 06.07.2022: представили 0 из 4 (0,0\u00a0%), приняты 0, возвращены 0, "
        "не представили 4; с опозданием 0, просрочено 4."
    )
    assert out.splitlines()[1] == "МАОУ «Лицей № 4»\tг. Ижевск\tне представлено; просрочено"


def test_rounds_close_twice_says_the_round_is_already_closed(tmp_path, capsys):
    path = opened(tmp_path)
    assert run("--db", str(path), "rounds", "close", "1")[0] == 0

    code, _ = run("--db", str(path), "rounds", "close", "1")

    assert (code, capsys.readouterr().err) == (1, "Ошибка: мониторинг № 1 уже закрыт\n")
