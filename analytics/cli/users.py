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

from analytics.operations.users import (
    ROLE_LABELS,
    Role,
    UserError,
    UserStore,
    check_new_user,
    users_path,
)
from analytics.store.db import Database, DatabaseBusy, default_db_path

EXIT_OK, EXIT_BAD_DATA = 0, 1


def add_parser(commands: argparse._SubParsersAction, parser_class: type) -> None:
    users = commands.add_parser("users", help="пользователи панели: add, remove, list, passwd")
    actions = users.add_subparsers(dest="action", metavar="ДЕЙСТВИЕ", parser_class=parser_class)
    actions.required = True
    add = actions.add_parser("add", help="добавить пользователя")
    add.add_argument("name", metavar="ИМЯ")
    add.add_argument("--role", required=True, choices=[str(r) for r in Role])
    add.add_argument(
        "--org",
        action="append",
        default=[],
        metavar="ИНН_ИЛИ_КОД",
        help="организация куратора (ИНН или код); можно указать несколько раз",
    )
    add.add_argument("--password-stdin", action="store_true", help="прочитать пароль из stdin")
    remove = actions.add_parser(
        "remove", help="удалить пользователя (его открытые сеансы завершатся)"
    )
    remove.add_argument("name", metavar="ИМЯ")
    actions.add_parser("list", help="список пользователей")
    passwd = actions.add_parser(
        "passwd", help="сменить пароль (открытые сеансы пользователя завершатся)"
    )
    passwd.add_argument("name", metavar="ИМЯ")
    passwd.add_argument("--password-stdin", action="store_true", help="прочитать пароль из stdin")


def run(args: argparse.Namespace, out: TextIO) -> int:
    db_path = Path(args.db or default_db_path())
    store = UserStore(users_path(db_path))
    try:
        if args.action == "add":
            orgs = tuple(args.org)
            check_new_user(args.name, Role(args.role), orgs)
            _check_orgs(db_path, orgs, out)
            store.add(args.name, Role(args.role), _password(args), orgs)
            print(
                f"Пользователь «{args.name}» добавлен ({ROLE_LABELS[Role(args.role)]}).", file=out
            )
        elif args.action == "remove":
            store.remove(args.name)
            print(f"Пользователь «{args.name}» удалён.", file=out)
        elif args.action == "passwd":
            if store.get(args.name) is None:
                raise UserError(f"пользователя «{args.name}» нет")
            store.set_password(args.name, _password(args))
            print(f"Пароль пользователя «{args.name}» изменён.", file=out)
        else:
            _list(store, out)
    except UserError as error:
        print(f"Ошибка: {error}", file=sys.stderr)
        return EXIT_BAD_DATA
    return EXIT_OK


def _password(args: argparse.Namespace) -> str:
    if args.password_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    if not sys.stdin.isatty():
        raise UserError("пароль не введён: укажите --password-stdin и передайте пароль на вход")
    first = getpass.getpass("Пароль: ")
    if getpass.getpass("Пароль ещё раз: ") != first:
        raise UserError("пароли не совпадают")
    return first


def _check_orgs(db_path: Path, orgs: tuple[str, ...], out: TextIO) -> None:
    """Refuse organisations the database does not know; when the database is busy
    (the dashboard runs), they are checked at login instead."""
    # Imported here: the access layer loads every page's engine, which the command line
    # does not need to start.
    from analytics.operations.access import resolve_orgs

    if not orgs or not db_path.exists():
        return
    try:
        with Database(db_path, read_only=True) as db:
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


def _list(store: UserStore, out: TextIO) -> None:
    users = store.users()
    if not users:
        print("Пользователей нет: панель работает в однопользовательском режиме.", file=out)
        return
    for user in users:
        line = f"{user.login}\t{ROLE_LABELS[user.role]}"
        if user.orgs:
            line += "\tорганизации: " + ", ".join(user.orgs)
        print(line, file=out)
