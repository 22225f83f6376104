"""``python -m analytics users …``: add, remove, list users and change passwords.

Passwords are read from standard input (``--password-stdin``, the first line) or asked
for twice without echo; they never appear in the command line or the shell's history.
"""

from __future__ import annotations

import argparse
import getpass
import sys
from pathlib import Path
from typing import TextIO

from analytics.cli.options import db_path
from analytics.cli.registry import EXIT_OK, group, option
from analytics.operations.users import (
    ROLE_LABELS,
    Role,
    UserError,
    UserStore,
    check_new_user,
    users_path,
)

USERS = group("users", "пользователи панели: add, remove, list, passwd")
_NAME = option("name", metavar="ИМЯ")
_PASSWORD_STDIN = option("--password-stdin", action="store_true", help="прочитать пароль из stdin")


@USERS.action(
    "add",
    "добавить пользователя",
    _NAME,
    option("--role", required=True, choices=[str(r) for r in Role]),
    option(
        "--org",
        action="append",
        default=[],
        metavar="ИНН_ИЛИ_КОД",
        help="организация куратора (ИНН или код); можно указать несколько раз",
    ),
    _PASSWORD_STDIN,
    database=False,
)
def _add(args: argparse.Namespace, out: TextIO) -> int:
    db_file = db_path(args)
    orgs = tuple(args.org)
    check_new_user(args.name, Role(args.role), orgs)
    _check_orgs(db_file, orgs, out)
    _store(db_file).add(args.name, Role(args.role), _password(args), orgs)
    print(f"Пользователь «{args.name}» добавлен ({ROLE_LABELS[Role(args.role)]}).", file=out)
    return EXIT_OK


@USERS.action(
    "remove", "удалить пользователя (его открытые сеансы завершатся)", _NAME, database=False
)
def _remove(args: argparse.Namespace, out: TextIO) -> int:
    _store(db_path(args)).remove(args.name)
    print(f"Пользователь «{args.name}» удалён.", file=out)
    return EXIT_OK


@USERS.action("list", "список пользователей", database=False)
def _list(args: argparse.Namespace, out: TextIO) -> int:
    users = _store(db_path(args)).users()
    if not users:
        print("Пользователей нет: панель работает в однопользовательском режиме.", file=out)
        return EXIT_OK
    for user in users:
        line = f"{user.login}\t{ROLE_LABELS[user.role]}"
        if user.orgs:
            line += "\tорганизации: " + ", ".join(user.orgs)
        print(line, file=out)
    return EXIT_OK


@USERS.action(
    "passwd",
    "сменить пароль (открытые сеансы пользователя завершатся)",
    _NAME,
    _PASSWORD_STDIN,
    database=False,
)
def _passwd(args: argparse.Namespace, out: TextIO) -> int:
    store = _store(db_path(args))
    if store.get(args.name) is None:
        raise UserError(f"пользователя «{args.name}» нет")
    store.set_password(args.name, _password(args))
    print(f"Пароль пользователя «{args.name}» изменён.", file=out)
    return EXIT_OK


def _store(db_file: Path) -> UserStore:
    """The users of the dashboard working on ``db_file``."""
    return UserStore(users_path(db_file))


def _password(args: argparse.Namespace) -> str:
    if args.password_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    if not sys.stdin.isatty():
        raise UserError("пароль не введён: укажите --password-stdin и передайте пароль на вход")
    first = getpass.getpass("Пароль: ")
    if getpass.getpass("Пароль ещё раз: ") != first:
        raise UserError("пароли не совпадают")
    return first


def _check_orgs(db_file: Path, orgs: tuple[str, ...], out: TextIO) -> None:
    """Refuse organisations the database does not know; when the database is busy
    (the dashboard runs), they are checked at login instead."""
    # Imported here: the store and the access layer load pandas and every page's engine,
    # which the command line does not need to start.
    from analytics.operations.access import resolve_orgs
    from analytics.store.db import Database, DatabaseBusy

    if not orgs or not db_file.exists():
        return
    try:
        with Database(db_file, read_only=True) as db:
            known = resolve_orgs(db, orgs)
    except DatabaseBusy:
        print(
            "База данных занята панелью: организации будут проверены при входе куратора.",
            file=out,
        )
        return
    unknown = [o for o in orgs if o not in known]
    if unknown:
        raise UserError("организации не найдены в базе: " + ", ".join(f"«{o}»" for o in unknown))
