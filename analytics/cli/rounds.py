"""``python -m analytics rounds open|close|list``, ``templates`` and ``completeness``: a
monitoring round from the command line (see :mod:`analytics.meetings.rounds`)."""

from __future__ import annotations

import argparse
from datetime import date, datetime
from typing import TYPE_CHECKING, TextIO

from analytics.cli.options import TERRITORY, out_option, scope, scope_options, user_option
from analytics.cli.registry import EXIT_OK, command, group, option
from analytics.model.contract import FormKind
from analytics.model.errors import MonitoringError
from analytics.wording.formatting import day, moment, percent

# The store and the rounds' engine import pandas: each command imports what it runs, so
# that the help starts at once (tests/cli/test_startup.py).
if TYPE_CHECKING:
    from analytics.store.db import Database


class DateError(MonitoringError):
    """A date argument that cannot be read; the message is in Russian."""

    exit_code = 2


def parse_day(text: str) -> date:
    """A date typed as 27.06.2022 or 2022-06-27."""
    for pattern in ("%d.%m.%Y", "%Y-%m-%d"):
        try:
            return datetime.strptime(text.strip(), pattern).date()
        except ValueError:
            continue
    raise DateError(f"дата «{text}» не распознана; укажите её как ДД.ММ.ГГГГ")


ROUNDS = group("rounds", "мониторинги (сбор форм): open, close, list")


@ROUNDS.action(
    "open",
    "открыть мониторинг",
    # The period to collect, which need not have data yet: not the scope's period.
    option("--period", required=True, help="период: 2023 или 2022/2023"),
    # A round asks every organisation of a territory: no type or organisation of its own.
    *scope_options("region", "municipality", "district"),
    option("--start", required=True, metavar="ДД.ММ.ГГГГ", help="начало сбора"),
    option("--due", required=True, metavar="ДД.ММ.ГГГГ", help="срок представления"),
    option("--order-number", required=True, help="номер приказа"),
    option("--order-date", required=True, metavar="ДД.ММ.ГГГГ", help="дата приказа"),
    option("--order-title", help="название приказа"),
    option(
        "--kind",
        action="append",
        choices=[str(k) for k in FormKind if k is not FormKind.REGISTRY],
        help="собираемая форма; можно указать несколько раз (по умолчанию org-form)",
    ),
    user_option("кто открывает (для журнала)"),
    writes=True,
)
def _open(db: Database, args: argparse.Namespace, out: TextIO) -> int:
    from analytics.meetings import rounds

    territory = scope(db, args)
    round_id = rounds.open_round(
        db,
        args.period,
        starts_on=parse_day(args.start),
        due_on=parse_day(args.due),
        order_number=args.order_number,
        order_date=parse_day(args.order_date),
        order_title=args.order_title,
        kinds=[FormKind(k) for k in args.kind or [str(FormKind.ORG_FORM)]],
        region_id=territory.region_id,
        municipality_id=territory.municipality_id,
        district_id=territory.district_id,
        user=args.user,
    )
    found = rounds.get_round(db, round_id)
    print(f"Открыт {found.title}; срок — {day(found.due_on)}.", file=out)
    return EXIT_OK


@ROUNDS.action(
    "close",
    "закрыть мониторинг",
    option("round_id", type=int, metavar="НОМЕР"),
    user_option("кто закрывает (для журнала)"),
    writes=True,
)
def _close(db: Database, args: argparse.Namespace, out: TextIO) -> int:
    from analytics.meetings import rounds

    rounds.close_round(db, args.round_id, args.user)
    print(f"Мониторинг № {args.round_id} закрыт.", file=out)
    return EXIT_OK


@ROUNDS.action("list", "все мониторинги")
def _list(db: Database, args: argparse.Namespace, out: TextIO) -> int:
    from analytics.meetings import rounds

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


_ROUND = option("--round", type=int, required=True, dest="round_id", metavar="НОМЕР")


@command(
    "templates",
    "заполненные шаблоны организаций мониторинга",
    _ROUND,
    out_option("архив .zip"),
    *scope_options(*TERRITORY),
    option(
        "--previous", action="store_true", help="заполнить ответы прошлого периода для проверки"
    ),
)
def _templates(db: Database, args: argparse.Namespace, out: TextIO) -> int:
    # Imported here: openpyxl is a third of the start-up of every other command.
    from analytics.meetings.round_templates import templates_zip

    content = templates_zip(db, args.round_id, scope(db, args), previous=args.previous)
    args.out.write_bytes(content)
    print(f"Шаблоны сохранены: {args.out}", file=out)
    return EXIT_OK


@command(
    "completeness",
    "кто представил формы мониторинга",
    _ROUND,
    option("--today", metavar="ДД.ММ.ГГГГ", help="на дату (по умолчанию сегодня)"),
)
def _completeness(db: Database, args: argparse.Namespace, out: TextIO) -> int:
    import pandas as pd

    from analytics.meetings import rounds

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
        label = rounds.SUBMISSION_LABELS[rounds.SubmissionStatus(row.status)]
        came = pd.notna(row.submitted_at)
        late = ("; с опозданием" if came else "; просрочено") if row.late else ""
        print(f"{row.organization}\t{row.municipality}\t{label}{late}", file=out)
    return EXIT_OK
