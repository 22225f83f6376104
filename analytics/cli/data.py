"""The data commands: ``ingest``, ``aliases``, ``orgs``, ``indicators``, ``deficits``
and ``quality``."""

from __future__ import annotations

import argparse
import sys
from dataclasses import asdict, replace
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from analytics.cli.options import (
    FORMAT,
    KIND,
    TERRITORY,
    one_period,
    out_option,
    scope,
    scope_options,
    user_option,
)
from analytics.cli.registry import EXIT_OK, UsageError, command, group, option
from analytics.model.contract import PERSON_TABLES, FormKind
from analytics.wording.formatting import registry_changes

# The engine's ingest, compute and documents stages import pandas: each command imports
# what it runs, so that the help starts at once (tests/cli/test_startup.py).
if TYPE_CHECKING:
    from analytics.ingest.identity import Unplaced
    from analytics.ingest.load import Decisions
    from analytics.ingest.parse import Defaults
    from analytics.store.db import Database

REVIEW_HINT = (
    "Строки без уверенного сопоставления: ответьте на вопросы в файле вопросов и повторите "
    "загрузку с --answers ФАЙЛ, или укажите организацию командой "
    'python -m analytics aliases add "НАЗВАНИЕ" --org ИНН_ИЛИ_КОД, или, если это новые '
    "организации, повторите загрузку с --new-orgs. Перенос организаций вне реестра в "
    "другой муниципалитет — с --move-orgs, замена форм менее полными — с --replace-partial."
)
# Where the questions of a load are written unless --questions says: beside its first file.
QUESTIONS_FILE = "вопросы.csv"


@command(
    "ingest",
    "загрузить файлы CSV/XLSX",
    option("files", nargs="+", type=Path, metavar="FILE"),
    KIND,
    # What a file leaves out, not a filter: these are not the scope options.
    option("--region", help="регион для строк, где он не указан"),
    option("--municipality", help="муниципалитет для строк, где он не указан"),
    option("--org-type", help="тип ОО для строк, где он не указан"),
    option("--period", help="период для строк, где он не указан"),
    user_option("кто загружает (для журнала загрузок)"),
    option(
        "--new-orgs",
        action="store_true",
        help="строки, не сопоставленные ни с одной известной организацией, — новые организации",
    ),
    option(
        "--move-orgs",
        action="store_true",
        help="разрешить перенос организаций вне реестра в муниципалитет, указанный в файле "
        "(организацию из реестра переносит только реестр)",
    ),
    option(
        "--replace-partial",
        action="store_true",
        help="заменять загруженные формы формами с меньшим числом ответов",
    ),
    option(
        "--questions",
        type=Path,
        metavar="ФАЙЛ",
        help=f"куда записать вопросы о строках без уверенного сопоставления (CSV или XLSX; "
        f"по умолчанию {QUESTIONS_FILE} рядом с первым файлом)",
    ),
    option(
        "--answers",
        type=Path,
        metavar="ФАЙЛ",
        help="файл вопросов с заполненным столбцом «Ответ»: строки размещаются по ответам, "
        "написания запоминаются",
    ),
    writes=True,
)
def _ingest(db: Database, args: argparse.Namespace, out: TextIO) -> int:
    from analytics.ingest import questions
    from analytics.ingest.load import Decisions
    from analytics.ingest.parse import Defaults
    from analytics.ingest.problems import IngestError

    kind = FormKind(args.kind)
    defaults = Defaults(args.region, args.municipality, args.org_type, args.period)
    decisions = Decisions(
        new_orgs=args.new_orgs, move_orgs=args.move_orgs, replace_partial=args.replace_partial
    )
    answers = questions.read(args.answers.name, _read(args.answers)) if args.answers else None
    asked: list[tuple[str, Unplaced]] = []
    try:
        return _ingest_files(db, args, out, kind, defaults, decisions, answers, asked)
    except IngestError as error:
        if not asked:
            raise
        target = args.questions or args.files[0].parent / QUESTIONS_FILE
        try:
            target.write_bytes(questions.to_bytes(questions.frame(asked), target.name))
        except OSError:
            raise IngestError(
                error.problems, hint=f"{error.hint}\nФайл вопросов «{target}» не записан."
            ) from None
        written = (
            f"Вопросы ({len(asked)}) записаны в файл «{target}»: {questions.HOW_TO_ANSWER}, "
            f"и повторите загрузку с --answers «{target}»."
        )
        raise IngestError(error.problems, hint=f"{written}\n{error.hint}") from None


def _ingest_files(
    db: Database,
    args: argparse.Namespace,
    out: TextIO,
    kind: FormKind,
    defaults: Defaults,
    decisions: Decisions,
    answers: object,
    asked: list[tuple[str, Unplaced]],
) -> int:
    """Check and load every file; the rows awaiting a person are added to ``asked``."""
    from analytics.ingest import questions
    from analytics.ingest.load import ingest_bytes, parse_bytes, preview
    from analytics.ingest.problems import IngestError, ReviewNeeded, group_problems

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
            chosen = decisions
            if answers is not None:
                found = questions.choices(db, answers, path.name, parsed.records)
                chosen = replace(decisions, choices=found)
            if not several:
                checked.append((path, content, parsed, chosen))
                continue
            plan = preview(db, path.name, content, kind, defaults, decisions=chosen, parsed=parsed)
        except IngestError as error:
            problems.extend(error.problems)
            continue
        checked.append((path, content, parsed, chosen))
        asked.extend((path.name, u) for u in plan.unplaced)
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
    for path, content, parsed, chosen in checked:
        try:
            result = ingest_bytes(
                db,
                path.name,
                content,
                kind,
                defaults,
                args.user,
                decisions=chosen,
                parsed=parsed,
            )
        except ReviewNeeded as waiting:
            asked.extend((path.name, u) for u in waiting.unplaced)
            raise IngestError(waiting.problems, hint=REVIEW_HINT) from None
        if result.registry is not None:
            changes = registry_changes(**asdict(result.registry))
        else:
            replaced = "заменено баз" if kind in PERSON_TABLES else "заменено форм"
            changes = (
                f"новых организаций — {result.new_organizations}, {replaced} — {result.replaced}"
            )
        print(
            f"{path.name}: загружено строк — {result.rows}, {changes} "
            f"(загрузка № {result.upload_id})",
            file=out,
        )
        for line in group_problems(result.warnings):
            print(f"Предупреждение. {line}", file=sys.stderr)
    return EXIT_OK


def _read(path: Path) -> bytes:
    from analytics.ingest.problems import IngestError, Problem

    try:
        return path.read_bytes()
    except OSError:
        raise IngestError(
            [Problem(path.name, "файл не найден или недоступен для чтения")]
        ) from None


ALIASES = group("aliases", "написания названий организаций: add, remove, list, import")
_ALIAS = option("alias", metavar="НАЗВАНИЕ")
_ORG = option("--org", required=True, metavar="ИНН_ИЛИ_КОД")
_ALIAS_USER = user_option("кто вносит изменение (для журнала)")


@ALIASES.action(
    "add", "запомнить написание как название организации", _ALIAS, _ORG, _ALIAS_USER, writes=True
)
def _add_alias(db: Database, args: argparse.Namespace, out: TextIO) -> int:
    from analytics.ingest import aliases

    org_id, name = aliases.find_org(db, args.org)
    aliases.add(db, args.alias, org_id, args.user)
    print(f"Написание «{args.alias}» запомнено для «{name}».", file=out)
    return EXIT_OK


@ALIASES.action("remove", "забыть написание", _ALIAS, _ORG, _ALIAS_USER, writes=True)
def _remove_alias(db: Database, args: argparse.Namespace, out: TextIO) -> int:
    from analytics.ingest import aliases

    org_id, name = aliases.find_org(db, args.org)
    aliases.remove(db, args.alias, org_id, args.user)
    print(f"Написание «{args.alias}» у «{name}» удалено.", file=out)
    return EXIT_OK


@ALIASES.action(
    "import",
    "запомнить написания из файла вопросов с заполненным столбцом «Ответ»",
    option("file", type=Path, metavar="ФАЙЛ"),
    _ALIAS_USER,
    writes=True,
)
def _import_aliases(db: Database, args: argparse.Namespace, out: TextIO) -> int:
    from analytics.ingest import aliases, questions

    answers = questions.read(args.file.name, _read(args.file))
    found = questions.named(db, answers)
    for written, org_id in found:
        aliases.add(db, written, org_id, args.user)
    print(f"Запомнено написаний: {len(found)}.", file=out)
    return EXIT_OK


@ALIASES.action(
    "list",
    "все запомненные написания",
    option("--org", metavar="ИНН_ИЛИ_КОД", help="только этой организации"),
)
def _list_aliases(db: Database, args: argparse.Namespace, out: TextIO) -> int:
    from analytics.ingest import aliases

    org_id = aliases.find_org(db, args.org)[0] if args.org else None
    frame = aliases.listing(db, org_id)
    for row in frame.itertuples():
        code = row.inn if isinstance(row.inn, str) else f"код {row.org_id}"
        where = aliases.origin(row.source, row.upload_id, row.added_by)
        print(f"{row.organization} ({code}): «{row.alias}» — {where}", file=out)
    if frame.empty:
        print("Запомненных написаний нет.", file=out)
    return EXIT_OK


ORGS = group("orgs", "организации вне реестра: list, merge, remove")
_OUTSIDE = option("org", metavar="ИНН_ИЛИ_КОД", help="организация вне реестра")


@ORGS.action("list", "организации вне реестра муниципалитетов, где реестр загружен")
def _list_outside(db: Database, args: argparse.Namespace, out: TextIO) -> int:
    from analytics.ingest import unregistered

    frame = unregistered.listing(db)
    for row in frame.itertuples():
        code = row.inn if isinstance(row.inn, str) else f"код {row.org_id}"
        print(f"{row.organization} ({code}), {row.municipality}: форм {row.forms}", file=out)
    if frame.empty:
        print("Организаций вне реестра нет.", file=out)
    return EXIT_OK


@ORGS.action(
    "merge",
    "объединить организацию вне реестра с организацией реестра",
    _OUTSIDE,
    option("--into", required=True, metavar="ИНН_ИЛИ_КОД", help="организация реестра"),
    _ALIAS_USER,
    writes=True,
)
def _merge_org(db: Database, args: argparse.Namespace, out: TextIO) -> int:
    from analytics.ingest import aliases, unregistered

    org_id, name = aliases.find_org(db, args.org)
    into, target = aliases.find_org(db, args.into)
    unregistered.merge(db, org_id, into, args.user)
    print(f"Организация «{name}» объединена с «{target}».", file=out)
    return EXIT_OK


@ORGS.action(
    "remove", "удалить организацию вне реестра без данных", _OUTSIDE, _ALIAS_USER, writes=True
)
def _remove_org(db: Database, args: argparse.Namespace, out: TextIO) -> int:
    from analytics.ingest import aliases, unregistered

    org_id, name = aliases.find_org(db, args.org)
    unregistered.remove(db, org_id, args.user)
    print(f"Организация «{name}» удалена.", file=out)
    return EXIT_OK


_INDICATOR_SCOPE = scope_options("period", "level", *TERRITORY)
# Where a table goes instead of standard output; parquet and xlsx go only there.
_TABLE_OUT = out_option("файл результата (по умолчанию стандартный вывод)", required=False)


def _emit(table: object, columns: tuple[str, ...], args: argparse.Namespace, out: TextIO) -> int:
    """Write a command's table as ``--format`` says: into ``--out`` if given, else to
    ``out``."""
    from analytics.documents import outputs

    if args.out is None:
        if args.format in outputs.FILE_FORMATS:
            raise UsageError(f"формат {args.format} записывается только в файл: укажите --out ФАЙЛ")
        outputs.write(table, columns, args.format, out)
        return EXIT_OK
    outputs.save(table, columns, args.format, args.out)
    print(f"Сохранено: {args.out}", file=out)
    return EXIT_OK


@command("indicators", "значения показателей", *_INDICATOR_SCOPE, FORMAT, _TABLE_OUT)
def _indicators(db: Database, args: argparse.Namespace, out: TextIO) -> int:
    from analytics.compute.indicator_sql import OUTPUT_COLUMNS, output_table

    return _emit(output_table(db, scope(db, args)), OUTPUT_COLUMNS, args, out)


@command(
    "deficits",
    "дефициты: показатели ниже цели, начиная с наибольшего отставания",
    *_INDICATOR_SCOPE,
    FORMAT,
    _TABLE_OUT,
)
def _deficits(db: Database, args: argparse.Namespace, out: TextIO) -> int:
    from analytics.compute.indicator_sql import DEFICIT_COLUMNS, output_table

    table = output_table(db, scope(db, args), only_deficits=True)
    return _emit(table, DEFICIT_COLUMNS, args, out)


@command(
    "quality",
    "замечания к качеству данных",
    *scope_options("period", *TERRITORY),
    FORMAT,
    _TABLE_OUT,
)
def _quality(db: Database, args: argparse.Namespace, out: TextIO) -> int:
    from analytics.compute.quality import QUALITY_COLUMNS, findings

    chosen = scope(db, args)
    return _emit(findings(db, one_period(chosen), chosen), QUALITY_COLUMNS, args, out)
