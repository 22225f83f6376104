"""The commands of ``python -m analytics``, each one function registered with its name,
Russian help and options by :func:`command` (or :meth:`Command.action` for a sub-action
such as ``aliases add``); :func:`analytics.cli.main.build_parser` walks :data:`COMMANDS`
and :func:`analytics.cli.main.main` runs the one chosen.

A command's function takes ``(db, args, out)`` when it needs the database, which the
command line opens for it, and ``(args, out)`` otherwise; it returns the exit code.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import NoReturn

from analytics.model.errors import MonitoringError

EXIT_OK, EXIT_BAD_DATA, EXIT_USAGE = 0, 1, 2

Handler = Callable[..., int]


class UsageError(MonitoringError):
    """Bad arguments; the message is in Russian."""

    exit_code = EXIT_USAGE


# argparse's own words in help and usage, said in Russian.
_HELP_WORDS = (
    ("usage: ", "использование: "),
    ("positional arguments:", "аргументы:"),
    ("options:", "параметры:"),
    ("show this help message and exit", "показать эту справку и выйти"),
)


def _russian(text: str) -> str:
    for english, russian in _HELP_WORDS:
        text = text.replace(english, russian)
    return text


class Parser(argparse.ArgumentParser):
    """An argument parser that speaks Russian: its help, its usage line, and what is wrong
    (then it exits with 2)."""

    def format_help(self) -> str:
        return _russian(super().format_help())

    def format_usage(self) -> str:
        return _russian(super().format_usage())

    def error(self, message: str) -> NoReturn:
        self.print_usage(sys.stderr)
        translated = (
            message.replace("the following arguments are required", "не указаны аргументы")
            .replace("invalid choice", "недопустимое значение")
            .replace("choose from", "допустимо")
            .replace("unrecognized arguments", "неизвестные аргументы")
            .replace("expected one argument", "ожидается одно значение")
            .replace("argument", "аргумент")
        )
        self.exit(EXIT_USAGE, f"Ошибка: {translated}\n")


@dataclass(frozen=True)
class Option:
    """One argument of a command: :meth:`argparse.ArgumentParser.add_argument`'s flags and
    settings, and the field of the :class:`~analytics.store.scope.Scope` it names, if any
    (see :func:`analytics.cli.options.scope`)."""

    flags: tuple[str, ...]
    settings: Mapping[str, object]
    scope: str | None = None

    def add_to(self, parser: argparse.ArgumentParser) -> None:
        parser.add_argument(*self.flags, **self.settings)  # type: ignore[arg-type]


def option(*flags: str, **settings: object) -> Option:
    """An option or positional argument, declared as for ``add_argument``."""
    return Option(flags, settings)


@dataclass
class Command:
    """A command or a sub-action: its name, help, options and function, and whether it
    needs the database and writes to it. A command with :attr:`actions` has no function
    of its own: one of its actions is chosen (``aliases add``).

    A writing command opens the database for writing and runs its own transactions; any
    other one opens it for reading only (so it works on a read-only file system or a
    published snapshot, and beside a writer's lock it only waits) and reads it in one
    snapshot, so that all its queries see the same committed data, unless it runs its own
    read transaction (:attr:`own_transaction`: publishing a snapshot).
    """

    name: str
    help: str
    options: tuple[Option, ...] = ()
    run: Handler | None = None
    database: bool = True
    writes: bool = False
    actions: list[Command] = field(default_factory=list)
    own_transaction: bool = False

    @property
    def scope_fields(self) -> frozenset[str]:
        """The scope fields this command's options name."""
        return frozenset(o.scope for o in self.options if o.scope)

    def action(
        self, name: str, help: str, *options: Option, database: bool = True, writes: bool = False
    ) -> Callable[[Handler], Handler]:
        """Register the decorated function as the sub-action ``name`` of this command."""

        def register(run: Handler) -> Handler:
            self.actions.append(Command(name, help, options, run, database, writes))
            return run

        return register


# Every command, in the order of ``python -m analytics --help``.
COMMANDS: list[Command] = []


def command(
    name: str,
    help: str,
    *options: Option,
    database: bool = True,
    writes: bool = False,
    own_transaction: bool = False,
) -> Callable[[Handler], Handler]:
    """Register the decorated function as the command ``name``."""

    def register(run: Handler) -> Handler:
        COMMANDS.append(
            Command(name, help, options, run, database, writes, own_transaction=own_transaction)
        )
        return run

    return register


def group(name: str, help: str) -> Command:
    """Register the command ``name`` made of sub-actions, declared with
    :meth:`Command.action` on what this returns."""
    found = Command(name, help)
    COMMANDS.append(found)
    return found
