"""The commands writing documents: ``docs``, ``template``, ``report``, ``school-notes`` and
``deck``."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from analytics.cli.options import KIND, TERRITORY, out_option, scope, scope_options
from analytics.cli.registry import EXIT_OK, UsageError, command, option
from analytics.model.contract import FormKind

# The store imports pandas: only for the annotations (tests/cli/test_startup.py).
if TYPE_CHECKING:
    from analytics.store.db import Database

# The document builders (python-docx, python-pptx, openpyxl) are imported by the commands
# that use them, so that `ingest`, `indicators` and the like start in a fraction of the time.


def save(path: Path, content: bytes, out: TextIO) -> int:
    """Write a built document to ``path`` and say so."""
    path.write_bytes(content)
    print(f"Сохранено: {path}", file=out)
    return EXIT_OK


@command(
    "docs",
    "описание форм и показателей (Markdown)",
    out_option("файл; по умолчанию вывод на экран", required=False),
    database=False,
)
def _docs(args: argparse.Namespace, out: TextIO) -> int:
    from analytics.documents.docgen import render as render_docs

    text = render_docs()
    if args.out:
        args.out.write_text(text, encoding="utf-8")
    else:
        out.write(text)
    return EXIT_OK


@command(
    "template",
    "шаблон XLSX для заполнения организациями",
    out_option("файл .xlsx"),
    KIND,
    database=False,
)
def _template(args: argparse.Namespace, out: TextIO) -> int:
    from analytics.ingest.template import build_template

    args.out.write_bytes(build_template(FormKind(args.kind)))
    print(f"Шаблон сохранён: {args.out}", file=out)
    return EXIT_OK


@command(
    "report",
    "информационно-аналитическая справка",
    *scope_options("period", *TERRITORY, required={"period"}),
    out_option("файл .docx или .pdf"),
    option(
        "--appendix",
        action="store_true",
        help="приложить значения показателей и дефициты каждой организации",
    ),
)
def _report(db: Database, args: argparse.Namespace, out: TextIO) -> int:
    suffix = args.out.suffix.casefold()
    if suffix not in (".docx", ".pdf"):
        raise UsageError("справка сохраняется в файл .docx или .pdf")
    chosen = scope(db, args)
    from analytics.documents.note import build_report
    from analytics.documents.pdf import report_pdf

    document = build_report(db, chosen, appendix=args.appendix)
    if suffix == ".pdf":
        document = report_pdf(document)
    return save(args.out, document, out)


@command(
    "school-notes",
    "справки по организациям муниципалитета",
    *scope_options("period", *TERRITORY, required={"period"}),
    out_option("архив .zip"),
)
def _school_notes(db: Database, args: argparse.Namespace, out: TextIO) -> int:
    chosen = scope(db, args)
    from analytics.documents.school_notes import build_school_notes_zip

    archive = build_school_notes_zip(db, chosen)
    return save(args.out, archive, out)


@command(
    "deck",
    "презентация для заседания",
    *scope_options("period", *TERRITORY, required={"period"}),
    out_option("файл .pptx"),
)
def _deck(db: Database, args: argparse.Namespace, out: TextIO) -> int:
    from analytics.documents.deck import build_deck

    chosen = scope(db, args)
    deck = build_deck(db, chosen)
    return save(args.out, deck, out)
