"""The working group's commands: ``meetings`` lists its meetings, ``protocol`` writes one's
protocol."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING, TextIO

from analytics.cli.documents import save
from analytics.cli.options import out_option
from analytics.cli.registry import EXIT_OK, UsageError, command, option

# The store imports pandas: only for the annotations (tests/cli/test_startup.py).
if TYPE_CHECKING:
    from analytics.store.db import Database


@command("meetings", "заседания рабочей группы")
def _meetings(db: Database, args: argparse.Namespace, out: TextIO) -> int:
    from analytics.meetings.meetings import list_meetings

    for row in list_meetings(db).itertuples(index=False):
        print(
            f"№ {row.meeting_id}\t{row.held_on:%d.%m.%Y}\t{row.period}\t{row.territory}\t"
            f"поручений: {row.decisions}",
            file=out,
        )
    return EXIT_OK


@command(
    "protocol",
    "протокол заседания рабочей группы",
    option("--meeting", type=int, required=True, help="номер заседания"),
    out_option("файл .docx"),
)
def _protocol(db: Database, args: argparse.Namespace, out: TextIO) -> int:
    if args.out.suffix.casefold() != ".docx":
        raise UsageError("протокол сохраняется в файл .docx")
    from analytics.documents.protocol import build_protocol

    return save(args.out, build_protocol(db, args.meeting), out)
