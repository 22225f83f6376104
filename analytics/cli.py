"""Command line: ``python -m analytics [--db PATH] COMMAND ...``.

Exit codes: 0 success; 1 bad data (Russian messages on stderr, nothing written);
2 bad usage.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path
from typing import NoReturn, TextIO

import pandas as pd

from . import aliases, audit, backup, images, lookups, outputs, private, rounds_cli, users_cli
from .contract import PERSON_TABLES, Kind
from .db import Database, DatabaseBusy, default_db_path
from .errors import MonitoringError
from .indicators import OUTPUT_COLUMNS, output_table
from .ingest import Decisions, ingest_bytes, parse_bytes, preview, rollback
from .levels import Level
from .normalize import ValueProblem, parse_period
from .parse import Defaults
from .problems import IngestError, Problem, ReviewNeeded, group_problems
from .quality import QUALITY_COLUMNS, findings
from .scope import Scope
from .snapshot import publish

EXIT_OK, EXIT_BAD_DATA, EXIT_USAGE = 0, 1, 2

# The document builders (python-docx, python-pptx, openpyxl) are imported by the commands
# that use them, so that `ingest`, `indicators` and the like start in a fraction of the time.

REVIEW_HINT = (
    "Строки без уверенного сопоставления: укажите организацию командой "
    'python -m analytics aliases add "НАЗВАНИЕ" --org ИНН_ИЛИ_КОД или, если это новые '
    "организации, повторите загрузку с --new-orgs. Перенос организаций в другой "
    "муниципалитет — с --move-orgs, замена форм менее полными — с --replace-partial."
)

# How long a command waits for a database another process holds before giving up.
DEFAULT_WAIT_SECONDS = 5.0
_RETRY_SECONDS = 0.2


class UsageError(MonitoringError):
    """Bad arguments; the message is in Russian."""

    exit_code = EXIT_USAGE


class _Parser(argparse.ArgumentParser):
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


def _add_scope_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--period", help="период: 2023 или 2022/2023 (по умолчанию все)")
    parser.add_argument(
        "--level",
        choices=[str(level) for level in Level],
        help="уровень: total, region, municipality, district, organization (по умолчанию все)",
    )
    parser.add_argument("--org-type", help="тип ОО: school, preschool, additional, vocational")
    parser.add_argument("--region", help="только этот регион")
    parser.add_argument("--municipality", help="только этот муниципалитет")
    parser.add_argument("--format", choices=["json", "csv"], default="json", help="формат вывода")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="python -m analytics",
        description="Мониторинг реализации целевой модели наставничества педагогов.",
    )
    parser.add_argument(
        "--db",
        type=Path,
        help="файл базы данных (по умолчанию $MONITORING_DB или data/monitoring.duckdb)",
    )
    commands = parser.add_subparsers(dest="command", metavar="КОМАНДА", parser_class=_Parser)
    commands.required = True

    ingest = commands.add_parser("ingest", help="загрузить файлы CSV/XLSX")
    ingest.add_argument("files", nargs="+", type=Path, metavar="FILE")
    ingest.add_argument("--kind", choices=[str(k) for k in Kind], default=str(Kind.ORG_FORM))
    ingest.add_argument("--region", help="регион для строк, где он не указан")
    ingest.add_argument("--municipality", help="муниципалитет для строк, где он не указан")
    ingest.add_argument("--org-type", help="тип ОО для строк, где он не указан")
    ingest.add_argument("--period", help="период для строк, где он не указан")
    ingest.add_argument("--user", help="кто загружает (для журнала загрузок)")
    ingest.add_argument(
        "--new-orgs",
        action="store_true",
        help="строки, не сопоставленные ни с одной известной организацией, — новые организации",
    )
    ingest.add_argument(
        "--move-orgs",
        action="store_true",
        help="разрешить перенос организаций в муниципалитет, указанный в файле",
    )
    ingest.add_argument(
        "--replace-partial",
        action="store_true",
        help="заменять загруженные формы формами с меньшим числом ответов",
    )
    _add_wait_option(ingest)

    names = commands.add_parser("aliases", help="написания названий организаций: add, remove, list")
    actions = names.add_subparsers(dest="action", metavar="ДЕЙСТВИЕ", parser_class=_Parser)
    actions.required = True
    for action, text in (
        ("add", "запомнить написание как название организации"),
        ("remove", "забыть написание"),
    ):
        command = actions.add_parser(action, help=text)
        command.add_argument("alias", metavar="НАЗВАНИЕ")
        command.add_argument("--org", required=True, metavar="ИНН_ИЛИ_КОД")
        command.add_argument("--user", help="кто вносит изменение (для журнала)")
    listed = actions.add_parser("list", help="все запомненные написания")
    listed.add_argument("--org", metavar="ИНН_ИЛИ_КОД", help="только этой организации")

    for name, text in (
        ("indicators", "значения показателей"),
        ("deficits", "дефициты: показатели ниже цели, начиная с наибольшего отставания"),
    ):
        _add_scope_options(commands.add_parser(name, help=text))

    quality = commands.add_parser("quality", help="замечания к качеству данных")
    quality.add_argument("--period")
    quality.add_argument("--municipality")
    quality.add_argument("--format", choices=["json", "csv"], default="json")

    docs = commands.add_parser("docs", help="описание форм и показателей (Markdown)")
    docs.add_argument("--out", type=Path, help="файл; по умолчанию вывод на экран")

    template = commands.add_parser("template", help="шаблон XLSX для заполнения организациями")
    template.add_argument("--out", type=Path, required=True, help="файл .xlsx")
    template.add_argument("--kind", choices=[str(k) for k in Kind], default=str(Kind.ORG_FORM))

    report = commands.add_parser("report", help="информационно-аналитическая справка")
    report.add_argument("--period", required=True)
    report.add_argument("--region")
    report.add_argument("--municipality")
    report.add_argument("--org-type")
    report.add_argument("--out", type=Path, required=True, help="файл .docx или .pdf")
    report.add_argument(
        "--appendix",
        action="store_true",
        help="приложить значения показателей и дефициты каждой организации",
    )

    notes = commands.add_parser("school-notes", help="справки по организациям муниципалитета")
    notes.add_argument("--period", required=True)
    notes.add_argument("--municipality", required=True)
    notes.add_argument("--out", type=Path, required=True, help="архив .zip")

    deck = commands.add_parser("deck", help="презентация для заседания")
    deck.add_argument("--period", required=True)
    deck.add_argument("--region")
    deck.add_argument("--municipality")
    deck.add_argument("--out", type=Path, required=True, help="файл .pptx")

    commands.add_parser("demo", help="создать демонстрационные данные")
    commands.add_parser("uploads", help="журнал загрузок")
    snap = commands.add_parser("snapshot", help="опубликовать снимок базы только для чтения")
    snap.add_argument(
        "--out", type=Path, required=True, help="файл снимка или каталог снимков (с CURRENT)"
    )
    undo = commands.add_parser("rollback", help="отменить загрузку и вернуть заменённые данные")
    undo.add_argument("upload_id", type=int)
    undo.add_argument("--user", help="кто отменяет (для журнала действий)")
    _add_wait_option(undo)

    log = commands.add_parser("audit", help="журнал действий: загрузки, отмены, цели, копии")
    log.add_argument("--limit", type=int, help="только столько последних записей")

    save = commands.add_parser("backup", help="резервная копия базы и загруженных файлов")
    save.add_argument("--out", type=Path, required=True, help="файл .zip")
    save.add_argument("--user", help="кто делает копию (для журнала действий)")
    _add_passphrase_option(save, "зашифровать копию паролем из stdin (первая строка)")
    _add_wait_option(save)

    back = commands.add_parser("restore", help="восстановить базу из резервной копии")
    back.add_argument("backup", type=Path, metavar="FILE", help="файл .zip резервной копии")
    back.add_argument("--user", help="кто восстанавливает (для журнала действий)")
    _add_passphrase_option(back, "пароль зашифрованной копии из stdin (первая строка)")
    users_cli.add_parser(commands, _Parser)

    commands.add_parser("meetings", help="заседания рабочей группы")
    protocol = commands.add_parser("protocol", help="протокол заседания рабочей группы")
    protocol.add_argument("--meeting", type=int, required=True, help="номер заседания")
    protocol.add_argument("--out", type=Path, required=True, help="файл .docx")
    rounds_cli.add_parsers(commands, _Parser)
    return parser


def _add_passphrase_option(parser: argparse.ArgumentParser, text: str) -> None:
    parser.add_argument("--passphrase-stdin", action="store_true", help=text)


def _passphrase(args: argparse.Namespace) -> str | None:
    """The backup passphrase: the first line of stdin with ``--passphrase-stdin``, so it
    never appears in the command line or the shell's history."""
    return sys.stdin.readline().rstrip("\r\n") if args.passphrase_stdin else None


def _add_wait_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--wait",
        type=float,
        default=DEFAULT_WAIT_SECONDS,
        metavar="СЕКУНД",
        help="сколько ждать, если база занята другим процессом "
        f"(по умолчанию {DEFAULT_WAIT_SECONDS:.0f})",
    )


def main(argv: Sequence[str] | None = None, out: TextIO | None = None) -> int:
    out = out or sys.stdout
    # Whatever a command writes (database, archived uploads, backups, snapshots) holds
    # people's names: readable by the service's account only.
    private.restrict_umask()
    args = build_parser().parse_args(argv)
    if args.command in _NO_DB_COMMANDS:
        return _NO_DB_COMMANDS[args.command](args, out)
    try:
        if args.command == "restore":
            return _restore(args, out)
        with _open(args.db or default_db_path(), getattr(args, "wait", 0.0)) as db:
            if args.command in _WRITE_COMMANDS:
                return _COMMANDS[args.command](db, args, out)
            # A report reads many queries: all from one committed state.
            with db.snapshot():
                return _COMMANDS[args.command](db, args, out)
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


def _ingest(db: Database, args: argparse.Namespace, out: TextIO) -> int:
    kind = Kind(args.kind)
    defaults = Defaults(args.region, args.municipality, args.org_type, args.period)
    decisions = Decisions(
        new_orgs=args.new_orgs, move_orgs=args.move_orgs, replace_partial=args.replace_partial
    )
    problems = []
    review = False
    checked = []
    # Check every file first, so that a bad file among several leaves nothing written;
    # each file is read and parsed once, for the check and the load. A single file is
    # checked by its load alone: ingest_bytes places its rows and refuses it whole on the
    # same problems inside its transaction, and placing a country's rows twice was a
    # quarter of the command's time.
    several = len(args.files) > 1
    for path in args.files:
        try:
            content = _read(path)
            parsed = parse_bytes(path.name, content, kind, defaults)
            if not several:
                checked.append((path, content, parsed))
                continue
            plan = preview(
                db, path.name, content, kind, defaults, decisions=decisions, parsed=parsed
            )
        except IngestError as error:
            problems.extend(error.problems)
            continue
        checked.append((path, content, parsed))
        waiting = ReviewNeeded(
            path.name,
            plan.unplaced,
            [] if args.move_orgs else plan.moves,
            [] if args.replace_partial else plan.partial,
        )
        problems.extend(waiting.problems)
        review = review or bool(waiting.problems)
    if problems:
        raise IngestError(problems, hint=REVIEW_HINT if review else None)
    for path, content, parsed in checked:
        try:
            result = ingest_bytes(
                db,
                path.name,
                content,
                kind,
                defaults,
                args.user,
                decisions=decisions,
                parsed=parsed,
            )
        except ReviewNeeded as waiting:
            raise IngestError(waiting.problems, hint=REVIEW_HINT) from None
        replaced = "заменено баз" if kind in PERSON_TABLES else "заменено форм"
        print(
            f"{path.name}: загружено строк — {result.rows}, новых организаций — "
            f"{result.new_organizations}, {replaced} — {result.replaced} "
            f"(загрузка № {result.upload_id})",
            file=out,
        )
        for line in group_problems(result.warnings):
            print(f"Предупреждение. {line}", file=sys.stderr)
    return EXIT_OK


def _read(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError:
        raise IngestError(
            [Problem(path.name, "файл не найден или недоступен для чтения")]
        ) from None


def _period(db: Database, text: str | None) -> str | None:
    """The canonical code of a period given on the command line, which must have data."""
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


def _scope(db: Database, args: argparse.Namespace) -> Scope:
    period = _period(db, args.period)
    periods = (period,) if period else None
    try:
        org_type = lookups.org_type_code(args.org_type)
    except ValueProblem as problem:
        raise UsageError(f"тип ОО «{args.org_type}»: {problem}") from None
    region_id = municipality_id = None
    if getattr(args, "region", None):
        region_id = lookups.find_territory(db, "region", args.region)
        if region_id is None:
            raise UsageError(f"регион «{args.region}» не найден в данных")
    if getattr(args, "municipality", None):
        municipality_id = lookups.find_territory(db, "municipality", args.municipality)
        if municipality_id is None:
            raise UsageError(f"муниципалитет «{args.municipality}» не найден в данных")
    levels = (Level(args.level),) if getattr(args, "level", None) else None
    return Scope(
        periods=periods,
        levels=levels,
        org_type=org_type,
        region_id=region_id,
        municipality_id=municipality_id,
    )


def _indicators(db: Database, args: argparse.Namespace, out: TextIO) -> int:
    table = output_table(db, _scope(db, args), only_deficits=args.command == "deficits")
    outputs.write(table, OUTPUT_COLUMNS, args.format, out)
    return EXIT_OK


def _quality(db: Database, args: argparse.Namespace, out: TextIO) -> int:
    frame = findings(db, _period(db, args.period))
    if args.municipality:
        municipality_id = lookups.find_territory(db, "municipality", args.municipality)
        if municipality_id is None:
            raise UsageError(f"муниципалитет «{args.municipality}» не найден в данных")
        name = db.scalar(
            "SELECT name FROM municipalities WHERE municipality_id = ?", [municipality_id]
        )
        frame = frame[frame["municipality"] == name]
    outputs.write(frame, QUALITY_COLUMNS, args.format, out)
    return EXIT_OK


def _territories(db: Database, args: argparse.Namespace) -> tuple[int | None, int | None]:
    ids = []
    for level in ("region", "municipality"):
        name = getattr(args, level, None)
        found = lookups.find_territory(db, level, name) if name else None
        if name and found is None:
            label = "регион" if level == "region" else "муниципалитет"
            raise UsageError(f"{label} «{name}» не найден в данных")
        ids.append(found)
    return ids[0], ids[1]


def _save(path: Path, content: bytes, out: TextIO) -> int:
    path.write_bytes(content)
    print(f"Сохранено: {path}", file=out)
    return EXIT_OK


def _report(db: Database, args: argparse.Namespace, out: TextIO) -> int:
    suffix = args.out.suffix.casefold()
    if suffix not in (".docx", ".pdf"):
        raise UsageError("справка сохраняется в файл .docx или .pdf")
    region_id, municipality_id = _territories(db, args)
    try:
        org_type = lookups.org_type_code(args.org_type)
    except ValueProblem as problem:
        raise UsageError(f"тип ОО «{args.org_type}»: {problem}") from None
    from .documents.note import build_report
    from .documents.pdf import report_pdf

    document = build_report(
        db,
        _period(db, args.period),
        region_id,
        municipality_id,
        org_type,
        appendix=args.appendix,
    )
    if suffix == ".pdf":
        document = report_pdf(document)
    return _save(args.out, document, out)


def _school_notes(db: Database, args: argparse.Namespace, out: TextIO) -> int:
    _, municipality_id = _territories(db, args)
    from .documents.school_notes import build_school_notes_zip

    archive = build_school_notes_zip(db, _period(db, args.period), municipality_id)
    return _save(args.out, archive, out)


def _deck(db: Database, args: argparse.Namespace, out: TextIO) -> int:
    from .documents.deck import build_deck

    region_id, municipality_id = _territories(db, args)
    return _save(
        args.out, build_deck(db, _period(db, args.period), region_id, municipality_id), out
    )


def _demo(db: Database, args: argparse.Namespace, out: TextIO) -> int:
    from .demo import build_demo

    results = build_demo(db)
    rows = sum(r.rows for r in results)
    print(f"Демонстрационные данные загружены: файлов — {len(results)}, строк — {rows}.", file=out)
    return EXIT_OK


def _uploads(db: Database, args: argparse.Namespace, out: TextIO) -> int:
    frame = lookups.uploads(db)
    for row in frame.itertuples(index=False):
        state = " (отменена)" if pd.notna(row.rolled_back_at) else ""
        print(
            f"№ {row.upload_id}\t{row.uploaded_at:%d.%m.%Y %H:%M}\t{row.kind}\t{row.rows}\t"
            f"{row.file_name}{state}",
            file=out,
        )
    return EXIT_OK


def _rollback(db: Database, args: argparse.Namespace, out: TextIO) -> int:
    rollback(db, args.upload_id, user=args.user)
    print(f"Загрузка № {args.upload_id} отменена, заменённые данные восстановлены.", file=out)
    return EXIT_OK


def _audit(db: Database, args: argparse.Namespace, out: TextIO) -> int:
    frame = audit.entries(db, limit=args.limit)
    if frame.empty:
        print("Журнал действий пуст.", file=out)
    for _, row in frame.iterrows():
        print(audit.describe(row), file=out)
    return EXIT_OK


def _backup(db: Database, args: argparse.Namespace, out: TextIO) -> int:
    info = backup.create(db, args.out, user=args.user, passphrase=_passphrase(args))
    print(
        f"Резервная копия сохранена: {args.out} (версия данных {info.data_version}, "
        f"загруженных файлов — {len(info.uploads)})",
        file=out,
    )
    return EXIT_OK


def _restore(args: argparse.Namespace, out: TextIO) -> int:
    path = args.db or default_db_path()
    info = backup.restore(path, args.backup, user=args.user, passphrase=_passphrase(args))
    print(
        f"База {path} восстановлена из копии от "
        f"{datetime.fromisoformat(info.created_at):%d.%m.%Y %H:%M} "
        f"(версия данных {info.data_version}).",
        file=out,
    )
    return EXIT_OK


def _meetings(db: Database, args: argparse.Namespace, out: TextIO) -> int:
    from .meetings import list_meetings

    for row in list_meetings(db).itertuples(index=False):
        print(
            f"№ {row.meeting_id}\t{row.held_on:%d.%m.%Y}\t{row.period}\t{row.territory}\t"
            f"поручений: {row.decisions}",
            file=out,
        )
    return EXIT_OK


def _protocol(db: Database, args: argparse.Namespace, out: TextIO) -> int:
    if args.out.suffix.casefold() != ".docx":
        raise UsageError("протокол сохраняется в файл .docx")
    from .documents.protocol import build_protocol

    return _save(args.out, build_protocol(db, args.meeting), out)


def _docs(args: argparse.Namespace, out: TextIO) -> int:
    from .docgen import render as render_docs

    text = render_docs()
    if args.out:
        args.out.write_text(text, encoding="utf-8")
    else:
        out.write(text)
    return EXIT_OK


def _template(args: argparse.Namespace, out: TextIO) -> int:
    from .template import build_template

    args.out.write_bytes(build_template(Kind(args.kind)))
    print(f"Шаблон сохранён: {args.out}", file=out)
    return EXIT_OK


def _snapshot(db: Database, args: argparse.Namespace, out: TextIO) -> int:
    path = publish(db, args.out)
    print(f"Снимок опубликован: {path} (версия данных {db.data_version()})", file=out)
    return EXIT_OK


def _aliases(db: Database, args: argparse.Namespace, out: TextIO) -> int:
    if args.action == "list":
        org_id = aliases.find_org(db, args.org)[0] if args.org else None
        frame = aliases.listing(db, org_id)
        for row in frame.itertuples():
            code = row.inn if isinstance(row.inn, str) else f"код {row.org_id}"
            print(f"{row.organization} ({code}): «{row.alias}»", file=out)
        if frame.empty:
            print("Запомненных написаний нет.", file=out)
        return EXIT_OK
    org_id, name = aliases.find_org(db, args.org)
    if args.action == "add":
        aliases.add(db, args.alias, org_id, args.user)
        print(f"Написание «{args.alias}» запомнено для «{name}».", file=out)
    else:
        aliases.remove(db, args.alias, org_id, args.user)
        print(f"Написание «{args.alias}» у «{name}» удалено.", file=out)
    return EXIT_OK


_NO_DB_COMMANDS = {"docs": _docs, "template": _template, "users": users_cli.run}


# Commands that manage their own transactions (a snapshot would wrap them in a read-only one).
_WRITE_COMMANDS = frozenset(
    {"ingest", "demo", "rollback", "backup", "snapshot", "aliases", *rounds_cli.WRITE_COMMANDS}
)

_COMMANDS = {
    "ingest": _ingest,
    "indicators": _indicators,
    "deficits": _indicators,
    "quality": _quality,
    "report": _report,
    "school-notes": _school_notes,
    "deck": _deck,
    "demo": _demo,
    "uploads": _uploads,
    "rollback": _rollback,
    "audit": _audit,
    "backup": _backup,
    "meetings": _meetings,
    "protocol": _protocol,
    "snapshot": _snapshot,
    "aliases": _aliases,
    **rounds_cli.COMMANDS,
}
