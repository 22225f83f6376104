"""Command line: ``python -m analytics [--db PATH] COMMAND ...``.

Exit codes: 0 success; 1 bad data (Russian messages on stderr, nothing written);
2 bad usage.

The commands live with their options in the modules below (see
:mod:`analytics.cli.registry`); this module only builds the parser from them and runs the
one chosen.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TextIO

# Each module registers its commands when first imported: this order is the help's.
# isort: off
from analytics.cli import data, documents, database, users, meetings, rounds  # noqa: F401

# isort: on
from analytics.cli.options import WAIT, db_path
from analytics.cli.registry import COMMANDS, EXIT_BAD_DATA, Command, Parser
from analytics.model.errors import MonitoringError
from analytics.store import private


def build_parser() -> argparse.ArgumentParser:
    """The parser of every registered command; the chosen one is ``args.handler``."""
    parser = Parser(
        prog="python -m analytics",
        description="Мониторинг реализации целевой модели наставничества педагогов.",
    )
    parser.add_argument(
        "--db",
        type=Path,
        help="файл базы данных (по умолчанию $MONITORING_DB или data/monitoring.duckdb)",
    )
    _add_commands(parser, COMMANDS, dest="command", metavar="КОМАНДА")
    return parser


def _add_commands(
    parser: argparse.ArgumentParser, commands: Sequence[Command], dest: str, metavar: str
) -> None:
    choices = parser.add_subparsers(dest=dest, metavar=metavar, parser_class=Parser)
    choices.required = True
    for command in commands:
        sub = choices.add_parser(command.name, help=command.help)
        for option in command.options:
            option.add_to(sub)
        if command.actions:
            _add_commands(sub, command.actions, dest="action", metavar="ДЕЙСТВИЕ")
        else:
            # Every command may find the database held by another process (the dashboard,
            # another command) and waits for it alike; a command declaring WAIT itself
            # (as before every command had it) gets it once.
            if WAIT not in command.options:
                WAIT.add_to(sub)
            sub.set_defaults(handler=command)


def main(argv: Sequence[str] | None = None, out: TextIO | None = None) -> int:
    out = out or sys.stdout
    # Whatever a command writes (database, archived uploads, backups, snapshots) holds
    # people's names: readable by the service's account only.
    private.restrict_umask()
    args = build_parser().parse_args(argv)
    # Imported once a command is chosen: the help (which exits while parsing) starts at
    # once without pandas, plotly and the engine (tests/cli/test_startup.py).
    import duckdb

    from analytics.ingest.problems import IngestError, group_problems
    from analytics.store.opening import cause, open_database, waiting

    command: Command = args.handler
    assert command.run is not None
    tell = _telling(args.wait)
    try:
        if not command.database:
            # restore replaces the database file: it waits while another process holds it.
            return waiting(lambda: command.run(args, out), args.wait, tell, db_path(args))
        with open_database(db_path(args), write=command.writes, wait=args.wait, on_wait=tell) as db:
            if command.writes or command.own_transaction:
                return command.run(db, args, out)
            # A report reads many queries: all from one committed state.
            with db.snapshot():
                return command.run(db, args, out)
    except IngestError as error:
        for line in group_problems(error.problems):
            print(line, file=sys.stderr)
        print("Данные не загружены.", file=sys.stderr)
        if error.hint:
            print(error.hint, file=sys.stderr)
        return EXIT_BAD_DATA
    except MonitoringError as error:
        print(f"Ошибка: {error}", file=sys.stderr)
        return error.exit_code
    except (OSError, duckdb.Error) as error:
        words = cause(error)
        if words is None:
            raise
        # A writing command's transaction was rolled back; what it committed before stays.
        effect = (
            "действие прервано, его незавершённые изменения не сохранены"
            if command.writes
            else "данные не изменены"
        )
        print(f"Ошибка: {words}; {effect}", file=sys.stderr)
        return EXIT_BAD_DATA
    finally:
        # The renderer of a command's charts, where one was started; a command without
        # charts never imports plotly (tests/cli/test_startup.py).
        images = sys.modules.get("analytics.documents.images")
        if images is not None:
            images.shutdown()


def _telling(wait: float) -> Callable[[], None]:
    """What a command says once when it starts waiting for the database."""

    from analytics.store.opening import seconds

    def tell() -> None:
        print(f"База данных занята другим процессом; ждём до {seconds(wait)}…", file=sys.stderr)

    return tell
