"""The commands keeping the database: ``demo`` data, the ``uploads`` journal and its
``rollback``, the ``audit`` journal, read-only ``snapshot``\\ s, ``backup`` and ``restore``."""

from __future__ import annotations

import argparse
import sys
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from analytics.cli.options import (
    db_path,
    out_option,
    passphrase,
    passphrase_option,
    user_option,
)
from analytics.cli.registry import EXIT_BAD_DATA, EXIT_OK, command, option

# The store and the engine import pandas: each command imports what it runs, so that the
# help starts at once (tests/cli/test_startup.py).
if TYPE_CHECKING:
    from analytics.store.db import Database


@command("demo", "создать демонстрационные данные", writes=True)
def _demo(db: Database, args: argparse.Namespace, out: TextIO) -> int:
    from analytics.operations.demo import build_demo

    results = build_demo(db)
    rows = sum(r.rows for r in results)
    print(f"Демонстрационные данные загружены: файлов — {len(results)}, строк — {rows}.", file=out)
    return EXIT_OK


@command("uploads", "журнал загрузок")
def _uploads(db: Database, args: argparse.Namespace, out: TextIO) -> int:
    import pandas as pd

    from analytics.compute import lookups

    frame = lookups.uploads(db)
    for row in frame.itertuples(index=False):
        state = " (отменена)" if pd.notna(row.rolled_back_at) else ""
        print(
            f"№ {row.upload_id}\t{row.uploaded_at:%d.%m.%Y %H:%M}\t{row.kind}\t{row.rows}\t"
            f"{row.file_name}{state}",
            file=out,
        )
    return EXIT_OK


@command(
    "snapshot",
    "опубликовать снимок базы только для чтения",
    out_option("файл снимка или каталог снимков (с CURRENT)"),
    # It reads the database in one transaction of its own and writes only the snapshot.
    own_transaction=True,
)
def _snapshot(db: Database, args: argparse.Namespace, out: TextIO) -> int:
    from analytics.store.snapshot import publish

    path = publish(db, args.out)
    print(f"Снимок опубликован: {path} (версия данных {db.data_version()})", file=out)
    return EXIT_OK


@command(
    "rollback",
    "отменить загрузку и вернуть заменённые данные",
    option("upload_id", type=int),
    user_option("кто отменяет (для журнала действий)"),
    option(
        "--keep-used",
        action="store_true",
        help="оставить созданные загрузкой организации, которые используются в других данных",
    ),
    writes=True,
)
def _rollback(db: Database, args: argparse.Namespace, out: TextIO) -> int:
    from analytics.ingest.load import OrganisationsInUse, rollback
    from analytics.store import audit

    try:
        undone = rollback(db, args.upload_id, user=args.user, keep_used=args.keep_used)
    except OrganisationsInUse as asked:
        raise OrganisationsInUse(f"{asked} Если да, повторите команду с --keep-used") from None
    print(f"Загрузка № {args.upload_id} отменена, заменённые данные восстановлены.", file=out)
    facts = audit.details_text(undone.details())
    print(f"Отменено: {facts}.", file=out)
    return EXIT_OK


@command(
    "audit",
    "журнал действий: загрузки, отмены, цели, копии",
    option("--limit", type=int, help="только столько последних записей"),
)
def _audit(db: Database, args: argparse.Namespace, out: TextIO) -> int:
    from analytics.store import audit

    frame = audit.entries(db, limit=args.limit)
    if frame.empty:
        print("Журнал действий пуст.", file=out)
    for _, row in frame.iterrows():
        print(audit.describe(row), file=out)
    return EXIT_OK


@command(
    "backup",
    "резервная копия базы и загруженных файлов",
    out_option("файл .zip"),
    user_option("кто делает копию (для журнала действий)"),
    passphrase_option("зашифровать копию паролем из stdin (первая строка)"),
    writes=True,
)
def _backup(db: Database, args: argparse.Namespace, out: TextIO) -> int:
    from analytics.store import backup

    info = backup.create(db, args.out, user=args.user, passphrase=passphrase(args))
    print(
        f"Резервная копия сохранена: {args.out} (версия данных {info.data_version}, "
        f"загруженных файлов — {len(info.uploads)})",
        file=out,
    )
    return EXIT_OK


@command(
    "restore",
    "восстановить базу из резервной копии",
    option("backup", type=Path, metavar="FILE", help="файл .zip резервной копии"),
    user_option("кто восстанавливает (для журнала действий)"),
    passphrase_option("пароль зашифрованной копии из stdin (первая строка)"),
    option(
        "--force",
        action="store_true",
        help="восстановить, даже если будут отменены загрузки, сборы форм, поручения и "
        "другие действия, сделанные после копии",
    ),
    # It replaces the database file, so it must not hold the database open itself.
    database=False,
)
def _restore(args: argparse.Namespace, out: TextIO) -> int:
    from analytics.store import backup

    path = db_path(args)
    try:
        done = backup.restore(
            path, args.backup, user=args.user, passphrase=passphrase(args), confirmed=args.force
        )
    except backup.RestoreNotConfirmed as asked:
        print(
            f"Восстановление копии «{args.backup.name}» (сделана {_made(asked.info.created_at)}) "
            "заменит текущую базу; будут отменены:",
            file=sys.stderr,
        )
        for line in asked.lost.lines():
            print(f"— {line}", file=sys.stderr)
        print(
            f"База данных не изменена. Чтобы восстановить, повторите команду с --force: "
            f"текущая база будет сначала сохранена в папку {path.parent / backup.SAFETY_FOLDER}.",
            file=sys.stderr,
        )
        return EXIT_BAD_DATA
    print(
        f"База {path} восстановлена из копии от {_made(done.info.created_at)} "
        f"(версия данных {done.info.data_version}).",
        file=out,
    )
    if done.safety is not None:
        print(f"Прежняя база сохранена: {done.safety}", file=out)
    if done.lost:
        print(f"Отменено: {done.lost.summary()}.", file=out)
    return EXIT_OK


def _made(created_at: str) -> str:
    return f"{datetime.fromisoformat(created_at):%d.%m.%Y %H:%M}"
