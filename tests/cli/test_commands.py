"""The command registry: every registered command is in the help, and the shared scope
options parse and fail the same way in every command that takes them."""

from __future__ import annotations

import argparse
import io
import re
from pathlib import Path

import pytest

from analytics.cli.main import build_parser, main
from analytics.cli.options import scope
from analytics.cli.registry import COMMANDS, Command
from analytics.store.db import Database
from analytics.store.scope import Scope
from tests.commandline import run
from tests.filemakers import FULL_COLUMNS, REGION, located_org, table, write_csv


def helped(capsys, monkeypatch, *argv: str) -> dict[str, str]:
    """The commands a ``--help`` lists, each with its help (on the next line after a long
    name), from a terminal wide enough that no help wraps."""
    monkeypatch.setenv("COLUMNS", "250")
    code, out, _ = run(capsys, *argv, "--help")
    assert code == 0
    return dict(re.findall(r"^ {4}(\S+)\s+(\S.*)$", out, re.M))


def everything() -> list[tuple[str, Command]]:
    """Every registered command and sub-action, by what is typed to run it."""
    found = []
    for command in COMMANDS:
        found += [(f"{command.name} {a.name}", a) for a in command.actions]
        if not command.actions:
            found.append((command.name, command))
    return found


@pytest.fixture
def db_path(tmp_path_factory) -> Path:
    """Two municipalities of one region, with forms for 2023, outside ``tmp_path``: the
    tests run there to see what a command writes."""
    directory = tmp_path_factory.mktemp("db")
    orgs = [located_org("Школа 1", "г. Альфа"), located_org("Школа 2", "г. Бета")]
    path = write_csv(directory / "формы.csv", table(orgs, FULL_COLUMNS))
    db = directory / "m.duckdb"
    assert main(["--db", str(db), "ingest", str(path)], out=io.StringIO()) == 0
    return db


def test_python_m_analytics_help_lists_every_registered_command_with_its_help(capsys, monkeypatch):
    listed = helped(capsys, monkeypatch)

    assert listed == {command.name: command.help for command in COMMANDS}


@pytest.mark.parametrize("group", [c.name for c in COMMANDS if c.actions], ids=lambda name: name)
def test_a_commands_help_lists_each_of_its_actions_with_its_help(capsys, monkeypatch, group):
    actions = next(c for c in COMMANDS if c.name == group).actions

    listed = helped(capsys, monkeypatch, group)

    assert listed == {action.name: action.help for action in actions}


def test_the_commands_with_actions_are_aliases_orgs_users_and_rounds():
    grouped = {c.name: [a.name for a in c.actions] for c in COMMANDS if c.actions}

    assert grouped == {
        "aliases": ["add", "remove", "import", "list"],
        "orgs": ["list", "merge", "remove"],
        "users": ["add", "remove", "list", "passwd"],
        "rounds": ["open", "close", "list"],
    }


def test_the_commands_that_write_are_declared_so_and_the_others_read_one_snapshot():
    writing = {typed for typed, command in everything() if command.database and command.writes}

    assert writing == {
        *("ingest", "aliases add", "aliases remove", "aliases import", "demo", "rollback"),
        "backup",
        *("orgs merge", "orgs remove", "rounds open", "rounds close"),
    }


def test_snapshot_is_the_one_reading_command_with_a_read_transaction_of_its_own():
    alone = [typed for typed, command in everything() if command.own_transaction]

    assert alone == ["snapshot"]


def leaf_parsers() -> dict[str, argparse.ArgumentParser]:
    """The parser of every command and sub-action, by what is typed to run it."""
    found = {}

    def walk(parser: argparse.ArgumentParser, typed: str) -> None:
        choices = [a for a in parser._actions if isinstance(a, argparse._SubParsersAction)]
        if not choices:
            found[typed.strip()] = parser
        for sub in choices:
            for name, child in sub.choices.items():
                walk(child, f"{typed} {name}")

    walk(build_parser(), "")
    return found


def test_every_command_takes_wait_and_waits_five_seconds_unless_told():
    waits = {
        typed: next(a.default for a in parser._actions if "--wait" in a.option_strings)
        for typed, parser in leaf_parsers().items()
    }

    assert waits == {typed: 5.0 for typed, _ in everything()}


def test_the_commands_without_the_database_are_the_files_restore_and_users():
    without = [typed for typed, command in everything() if not command.database]

    assert without == [
        *("docs", "template", "restore"),
        *("users add", "users remove", "users list", "users passwd"),
    ]


# What each command taking scope options needs besides them to parse, in the order of
# the help.
REQUIRED = {
    "indicators": [],
    "deficits": [],
    "quality": [],
    "report": ["--out", "справка.docx"],
    "school-notes": ["--out", "справки.zip"],
    "deck": ["--out", "презентация.pptx"],
    "rounds open": [
        *("--period", "2023", "--start", "01.09.2023", "--due", "15.09.2023"),
        *("--order-number", "1", "--order-date", "25.08.2023"),
    ],
    "templates": ["--round", "1", "--out", "шаблоны.zip"],
}


def scoped(field: str) -> list[str]:
    """The commands, by what is typed, whose scope options include ``field``."""
    return [typed for typed, command in everything() if field in command.scope_fields]


def a_period(typed: str) -> list[str]:
    """``--period 2023`` for a command whose scope options include a period."""
    return ["--period", "2023"] if typed in scoped("period") else []


def test_every_command_taking_a_municipality_is_checked_below():
    assert scoped("municipality") == list(REQUIRED)


@pytest.mark.parametrize("typed", ["indicators", "deficits", "report", "deck"])
def test_the_same_scope_options_give_the_same_scope_in_each_command(db_path, typed):
    options = ["--period", "2023", "--region", REGION.upper(), "--municipality", "Г. БЕТА"]
    args = build_parser().parse_args([*typed.split(), *options, *REQUIRED[typed]])

    with Database(db_path) as db:
        chosen = scope(db, args)
        beta = db.scalar("SELECT municipality_id FROM municipalities WHERE name = 'г. Бета'")

    assert chosen == Scope(periods=("2023",), region_id=1, municipality_id=beta)


@pytest.mark.parametrize("typed", ["indicators", "deficits", "report"])
def test_an_org_type_is_read_as_its_code_in_each_command_taking_one(db_path, typed):
    options = ["--period", "2023", "--org-type", "общеобразовательная"]
    args = build_parser().parse_args([*typed.split(), *options, *REQUIRED[typed]])

    with Database(db_path) as db:
        chosen = scope(db, args)

    assert chosen == Scope(periods=("2023",), org_type="school")


def test_a_level_is_read_only_by_the_indicator_commands():
    assert scoped("level") == ["indicators", "deficits"]


def test_a_scope_option_left_out_covers_everything(db_path):
    args = build_parser().parse_args(["indicators"])

    with Database(db_path) as db:
        assert scope(db, args) == Scope()


@pytest.mark.parametrize("typed", list(REQUIRED))
def test_an_unknown_municipality_is_bad_usage_with_the_same_message_in_each_command(
    db_path, tmp_path, capsys, monkeypatch, typed
):
    monkeypatch.chdir(tmp_path)
    argv = [*typed.split(), *a_period(typed), "--municipality", "г. Атлантида", *REQUIRED[typed]]

    code, out, err = run(capsys, "--db", str(db_path), *argv)

    assert (code, out, err) == (2, "", "Ошибка: муниципалитет «г. Атлантида» не найден в данных\n")
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("typed", scoped("region"))
def test_an_unknown_region_is_bad_usage_with_the_same_message_in_each_command(
    db_path, tmp_path, capsys, monkeypatch, typed
):
    monkeypatch.chdir(tmp_path)
    argv = [*typed.split(), *a_period(typed), "--region", "Атлантида", *REQUIRED[typed]]

    code, out, err = run(capsys, "--db", str(db_path), *argv)

    assert (code, out, err) == (2, "", "Ошибка: регион «Атлантида» не найден в данных\n")


@pytest.mark.parametrize("typed", scoped("period"))
def test_a_period_without_data_is_bad_usage_with_the_same_message_in_each_command(
    db_path, tmp_path, capsys, monkeypatch, typed
):
    monkeypatch.chdir(tmp_path)

    argv = [*typed.split(), "--period", "2031", "--municipality", "г. Альфа", *REQUIRED[typed]]

    code, out, err = run(capsys, "--db", str(db_path), *argv)

    assert (code, out, err) == (2, "", "Ошибка: период «2031» не найден в данных; есть: 2023\n")


@pytest.mark.parametrize("argv", [["--help"], ["report", "--help"], ["users", "add", "--help"]])
def test_the_help_is_in_russian_down_to_argparses_own_words(capsys, argv):
    code, out, _ = run(capsys, *argv)

    assert code == 0
    assert out.startswith("использование: python -m analytics")
    assert "параметры:" in out
    assert (
        "-h, --help  показать эту справку и выйти" in out or "показать эту справку и выйти" in out
    )
    for english in ("usage", "options:", "positional arguments", "show this help"):
        assert english not in out


def test_a_usage_error_shows_the_usage_line_in_russian(capsys):
    code, _, err = run(capsys, "report")

    assert code == 2
    assert err.startswith("использование: python -m analytics report")
    assert "Ошибка: не указаны аргументы" in err
