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
import time
from collections.abc import Sequence
from pathlib import Path
from typing import TextIO

# Each module registers its commands when first imported: this order is the help's.
# isort: off
from analytics.cli import data, documents, database, users, meetings, rounds  # noqa: F401

# isort: on
from analytics.cli.options import db_path
from analytics.cli.registry import COMMANDS, EXIT_BAD_DATA, Command, Parser
from analytics.documents import images
from analytics.ingest.problems import IngestError, group_problems
from analytics.model.errors import MonitoringError
from analytics.store import private
from analytics.store.db import Database, DatabaseBusy

_RETRY_SECONDS = 0.2


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
            sub.set_defaults(handler=command)


def main(argv: Sequence[str] | None = None, out: TextIO | None = None) -> int:
    out = out or sys.stdout
    # Whatever a command writes (database, archived uploads, backups, snapshots) holds
    # people's names: readable by the service's account only.
    private.restrict_umask()
    args = build_parser().parse_args(argv)
    command: Command = args.handler
    assert command.run is not None
    try:
        if not command.database:
            return command.run(args, out)
        with _open(db_path(args), getattr(args, "wait", 0.0)) as db:
            if command.writes:
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
    finally:
        images.shutdown()


def _open(path: Path, wait: float) -> Database:
    """Open the database, retrying for up to ``wait`` seconds while another process (the
    dashboard, another command) holds it; then :class:`DatabaseBusy` says so."""
    deadline = time.monotonic() + wait
    told = False
    while True:
        try:
            return Database(path)
        except DatabaseBusy as busy:
            if time.monotonic() >= deadline:
                waited = f" (ждали {_seconds(wait)})" if wait > 0 else ""
                raise DatabaseBusy(f"{busy}{waited}; данные не изменены") from None
            if not told:
                print(
                    f"База данных занята другим процессом; ждём до {_seconds(wait)}…",
                    file=sys.stderr,
                )
                told = True
            time.sleep(_RETRY_SECONDS)


def _seconds(value: float) -> str:
    return f"{value:g} с".replace(".", ",")
