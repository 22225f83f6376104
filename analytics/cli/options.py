"""The options several commands share, declared once (sqlite-utils' ``output_options`` is
the pattern): the scope options and the one function turning them into a
:class:`~analytics.store.scope.Scope`, the output format, ``--out``, ``--user``,
``--wait``, ``--passphrase-stdin`` and the form kind.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Collection
from pathlib import Path
from typing import TYPE_CHECKING

from analytics.cli.registry import Option, UsageError, option
from analytics.model.contract import FormKind
from analytics.model.errors import ValueProblem
from analytics.model.levels import LEVEL_INFO, Level
from analytics.model.periods import parse_period

# The store imports pandas: the command line imports it when a command runs, so that its
# help starts at once (tests/cli/test_startup.py).
if TYPE_CHECKING:
    from analytics.store.db import Database
    from analytics.store.scope import Scope

# How long a command waits for a database another process holds before giving up.
DEFAULT_WAIT_SECONDS = 5.0

# Each scope field: its flag, its help, what the help adds when the option may be left
# out, and its other settings.
_SCOPE_OPTIONS: dict[str, tuple[str, str, str, dict[str, object]]] = {
    "period": ("--period", "период: 2023 или 2022/2023", " (по умолчанию все)", {}),
    "level": (
        "--level",
        "уровень: total, region, municipality, district, organization",
        " (по умолчанию все)",
        {"choices": [str(level) for level in Level]},
    ),
    "org_type": ("--org-type", "тип ОО: school, preschool, additional, vocational", "", {}),
    "region": ("--region", "только этот регион", "", {}),
    "municipality": ("--municipality", "только этот муниципалитет", "", {}),
    "district": ("--district", "только этот район (внутри муниципалитета)", "", {}),
    "org": ("--org", "только эта организация: ИНН или код", "", {}),
}

# The territory of a scope as the sidebar names it: every command about a territory takes
# these options, in this order, after its period.
TERRITORY = ("region", "municipality", "district", "org_type", "org")


def scope_options(*fields: str, required: Collection[str] = ()) -> tuple[Option, ...]:
    """The options naming the scope ``fields`` (of period, level, org_type, region,
    municipality, district, org) in that order, those in ``required`` required;
    :func:`scope` reads them."""
    chosen = []
    for name in fields:
        flag, help, optional, settings = _SCOPE_OPTIONS[name]
        needed = name in required
        chosen.append(
            Option(
                (flag,),
                {**settings, "required": needed, "help": help + ("" if needed else optional)},
                scope=name,
            )
        )
    return tuple(chosen)


def scope(db: Database, args: argparse.Namespace) -> Scope:
    """The :class:`Scope` the command's scope options name; the options it does not take,
    and those left out, cover everything. A period that cannot be read or has no data, an
    unknown org type, a territory or organisation not in the data, and a district or
    municipality outside the one chosen above it are a :class:`UsageError` naming the value."""
    from analytics.store.scope import Scope

    fields = args.handler.scope_fields
    given = {name: getattr(args, name) for name in fields}
    period = _period(db, given.get("period"))
    level = given.get("level")
    region_id = _territory(db, "region", given.get("region"))
    municipality_id = _territory(db, "municipality", given.get("municipality"), region_id)
    return Scope(
        periods=(period,) if period else None,
        levels=(Level(level),) if level else None,
        org_type=_org_type(given.get("org_type")),
        region_id=region_id,
        municipality_id=municipality_id,
        district_id=_territory(db, "district", given.get("district"), municipality_id),
        org_id=_organization(db, given.get("org")),
    )


def one_period(chosen: Scope) -> str | None:
    """The period of a scope from the command line, which names one at most."""
    return chosen.periods[0] if chosen.periods else None


def _period(db: Database, text: str | None) -> str | None:
    """The canonical code of a period given on the command line, which must have data."""
    from analytics.compute import lookups

    if not text:
        return None
    try:
        period = parse_period(text)
    except ValueProblem as problem:
        raise UsageError(f"период «{text}» не распознан: {problem}") from None
    if period not in lookups.periods(db):
        known = ", ".join(lookups.periods(db)) or "нет загруженных периодов"
        raise UsageError(f"период «{period}» не найден в данных; есть: {known}")
    return period


def _org_type(text: str | None) -> str | None:
    from analytics.compute import lookups

    try:
        return lookups.org_type_code(text)
    except ValueProblem as problem:
        raise UsageError(f"тип ОО «{text}»: {problem}") from None


def _territory(
    db: Database, level: str, name: str | None, parent_id: int | None = None
) -> int | None:
    """The id of the territory of ``level`` named ``name``, within ``parent_id`` (the
    territory of the level above) where one is chosen: districts of two towns share names."""
    from analytics.compute import lookups

    if not name:
        return None
    found = lookups.find_territory(db, level, name, parent_id)
    if found is None:
        info = LEVEL_INFO[Level(level)]
        where = "" if parent_id is None else " в выбранной территории"
        raise UsageError(f"{info.noun} «{name}» не найден{where} в данных")
    return found


def _organization(db: Database, text: str | None) -> int | None:
    """The id of the organisation with ИНН or code ``text``."""
    if not text:
        return None
    # Imported only for an organisation: it loads every engine stage and the documents.
    from analytics.operations.access import resolve_orgs

    found = resolve_orgs(db, [text])
    if text not in found:
        raise UsageError(f"организация с ИНН или кодом «{text}» не найдена в данных")
    return found[text]


# parquet and xlsx are files (analytics.documents.outputs.FILE_FORMATS): only with --out.
FORMAT = option(
    "--format",
    choices=["json", "csv", "parquet", "xlsx"],
    default="json",
    help="формат вывода (parquet и xlsx — только в файл --out)",
)

KIND = option("--kind", choices=[str(k) for k in FormKind], default=str(FormKind.ORG_FORM))

WAIT = option(
    "--wait",
    type=float,
    default=DEFAULT_WAIT_SECONDS,
    metavar="СЕКУНД",
    help="сколько ждать, если база занята другим процессом "
    f"(по умолчанию {DEFAULT_WAIT_SECONDS:.0f})",
)


def out_option(help: str, *, required: bool = True) -> Option:
    """``--out``: the file a command writes."""
    return option("--out", type=Path, required=required, help=help)


def user_option(help: str) -> Option:
    """``--user``: who acts, for the journals."""
    return option("--user", help=help)


def passphrase_option(help: str) -> Option:
    """``--passphrase-stdin``: a backup's passphrase comes on stdin (see :func:`passphrase`)."""
    return option("--passphrase-stdin", action="store_true", help=help)


def passphrase(args: argparse.Namespace) -> str | None:
    """The backup passphrase: the first line of stdin with ``--passphrase-stdin``, so it
    never appears in the command line or the shell's history."""
    return sys.stdin.readline().rstrip("\r\n") if args.passphrase_stdin else None


def db_path(args: argparse.Namespace) -> Path:
    """The database file: ``--db``, else the default."""
    from analytics.store.db import default_db_path

    return Path(args.db or default_db_path())
