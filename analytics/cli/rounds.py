"""``python -m analytics rounds open|close|list``, ``templates`` and ``completeness``: a
monitoring round from the command line (see :mod:`analytics.meetings.rounds`)."""

from __future__ import annotations

import argparse
from datetime import date, datetime
from pathlib import Path
from typing import TextIO

import pandas as pd

from analytics.compute import lookups
from analytics.meetings import rounds
from analytics.meetings.round_templates import templates_zip
from analytics.model.contract import Kind
from analytics.model.errors import MonitoringError
from analytics.model.levels import LEVEL_INFO, Level
from analytics.store.db import Database
from analytics.wording.formatting import day, moment, percent

EXIT_OK = 0


class DateError(MonitoringError):
    """A date argument that cannot be read; the message is in Russian."""

    exit_code = 2


def add_parsers(commands: argparse._SubParsersAction, parser_class: type) -> None:
    """The round commands, in the style of :func:`analytics.cli.main.build_parser`."""
    group = commands.add_parser("rounds", help="мониторинги (сбор форм): open, close, list")
    actions = group.add_subparsers(dest="action", metavar="ДЕЙСТВИЕ", parser_class=parser_class)
    actions.required = True
    opened = actions.add_parser("open", help="открыть мониторинг")
    opened.add_argument("--period", required=True, help="период: 2023 или 2022/2023")
    opened.add_argument("--region", help="регион (по умолчанию все)")
    opened.add_argument("--municipality", help="муниципалитет (по умолчанию все)")
    opened.add_argument("--start", required=True, metavar="ДД.ММ.ГГГГ", help="начало сбора")
    opened.add_argument("--due", required=True, metavar="ДД.ММ.ГГГГ", help="срок представления")
    opened.add_argument("--order-number", required=True, help="номер приказа")
    opened.add_argument("--order-date", required=True, metavar="ДД.ММ.ГГГГ", help="дата приказа")
    opened.add_argument("--order-title", help="название приказа")
    opened.add_argument(
        "--kind",
        action="append",
        choices=[str(k) for k in Kind if k is not Kind.REGISTRY],
        help="собираемая форма; можно указать несколько раз (по умолчанию org-form)",
    )
    opened.add_argument("--user", help="кто открывает (для журнала)")
    closed = actions.add_parser("close", help="закрыть мониторинг")
    closed.add_argument("round_id", type=int, metavar="НОМЕР")
    closed.add_argument("--user", help="кто закрывает (для журнала)")
    actions.add_parser("list", help="все мониторинги")

    made = commands.add_parser("templates", help="заполненные шаблоны организаций мониторинга")
    made.add_argument("--round", type=int, required=True, dest="round_id", metavar="НОМЕР")
    made.add_argument("--out", type=Path, required=True, help="архив .zip")
    made.add_argument("--municipality", help="только этот муниципалитет")
    made.add_argument(
        "--previous", action="store_true", help="заполнить ответы прошлого периода для проверки"
    )

    complete = commands.add_parser("completeness", help="кто представил формы мониторинга")
    complete.add_argument("--round", type=int, required=True, dest="round_id", metavar="НОМЕР")
    complete.add_argument("--today", metavar="ДД.ММ.ГГГГ", help="на дату (по умолчанию сегодня)")


def parse_day(text: str) -> date:
    """A date typed as 27.06.2022 or 2022-06-27."""
    for pattern in ("%d.%m.%Y", "%Y-%m-%d"):
        try:
            return datetime.strptime(text.strip(), pattern).date()
        except ValueError:
            continue
    raise DateError(f"дата «{text}» не распознана; укажите её как ДД.ММ.ГГГГ")


def _territory(db: Database, level: str, name: str | None) -> int | None:
    if not name:
        return None
    found = lookups.find_territory(db, level, name)
    if found is None:
        raise rounds.RoundError(f"{LEVEL_INFO[Level(level)].noun} «{name}» не найден")
    return found


def _rounds(db: Database, args: argparse.Namespace, out: TextIO) -> int:
    if args.action == "open":
        round_id = rounds.open_round(
            db,
            args.period,
            starts_on=parse_day(args.start),
            due_on=parse_day(args.due),
            order_number=args.order_number,
            order_date=parse_day(args.order_date),
            order_title=args.order_title,
            kinds=[Kind(k) for k in args.kind or [str(Kind.ORG_FORM)]],
            region_id=_territory(db, "region", args.region),
            municipality_id=_territory(db, "municipality", args.municipality),
            user=args.user,
        )
        found = rounds.get_round(db, round_id)
        print(f"Открыт {found.title}; срок — {day(found.due_on)}.", file=out)
    elif args.action == "close":
        rounds.close_round(db, args.round_id, args.user)
        print(f"Мониторинг № {args.round_id} закрыт.", file=out)
    else:
        listed = rounds.list_rounds(db)
        for r in listed:
            state = "идёт" if r.is_open else f"закрыт {moment(r.closed_at)}"
            print(
                f"№ {r.round_id}\t{r.period}\t{r.territory}\t{r.collection_words()}\t"
                f"{rounds.kinds_text(r.kinds)}\t{r.order_words()}\t{state}",
                file=out,
            )
        if not listed:
            print("Мониторингов нет.", file=out)
    return EXIT_OK


def _templates(db: Database, args: argparse.Namespace, out: TextIO) -> int:
    content = templates_zip(
        db,
        args.round_id,
        municipality_id=_territory(db, "municipality", args.municipality),
        previous=args.previous,
    )
    args.out.write_bytes(content)
    print(f"Шаблоны сохранены: {args.out}", file=out)
    return EXIT_OK


def _completeness(db: Database, args: argparse.Namespace, out: TextIO) -> int:
    today = parse_day(args.today) if args.today else date.today()
    frame = rounds.completeness(db, args.round_id, today)
    s = rounds.summarize(frame)
    print(
        f"На {day(today)}: представили {s.submitted} из {s.total} ({percent(s.share)}), "
        f"приняты {s.accepted}, возвращены {s.returned}, не представили {s.missing}; "
        f"с опозданием {s.late}, просрочено {s.overdue}.",
        file=out,
    )
    for row in frame.itertuples(index=False):
        label = rounds.STATUS_LABELS[rounds.Status(row.status)]
        came = pd.notna(row.submitted_at)
        late = ("; с опозданием" if came else "; просрочено") if row.late else ""
        print(f"{row.organization}\t{row.municipality}\t{label}{late}", file=out)
    return EXIT_OK


COMMANDS = {"rounds": _rounds, "templates": _templates, "completeness": _completeness}
# Commands that write in their own transactions.
WRITE_COMMANDS = frozenset({"rounds"})
