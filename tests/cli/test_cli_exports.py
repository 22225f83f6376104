"""The export commands: report, school-notes, deck, template."""

import io
import zipfile

import pytest
from docx import Document
from pptx import Presentation

from analytics.cli.main import main
from analytics.documents.pdf import pdf_available


@pytest.fixture
def db_file(samples_db):
    path = samples_db.path
    samples_db.close()
    return path


def run(*argv):
    out = io.StringIO()
    try:
        code = main([str(a) for a in argv], out=out)
    except SystemExit as exit_:
        code = exit_.code
    return code, out.getvalue()


def test_report_writes_the_analytic_note_for_a_municipality(db_file, tmp_path):
    target = tmp_path / "справка.docx"
    code, out = run(
        "--db",
        db_file,
        "report",
        "--period",
        "2023",
        "--municipality",
        "г. Глазов",
        "--out",
        target,
    )
    assert (code, out) == (0, f"Сохранено: {target}\n")
    text = "\n".join(p.text for p in Document(target).paragraphs)
    assert "Информационно-аналитическая справка" in text
    assert "г. Глазов" in text


@pytest.mark.parametrize(("flags", "appendix"), [((), False), (("--appendix",), True)])
def test_report_adds_the_per_organisation_appendix_only_with_the_flag(
    db_file, tmp_path, flags, appendix
):
    target = tmp_path / "справка.docx"
    code, _ = run(
        "--db",
        db_file,
        "report",
        "--period",
        "2023",
        "--municipality",
        "г. Глазов",
        "--out",
        target,
        *flags,
    )
    assert code == 0
    text = [p.text for p in Document(target).paragraphs]
    assert ("Значения показателей по организациям, 2023 год" in text) is appendix


def test_school_notes_writes_one_note_per_school_of_the_municipality(db_file, tmp_path):
    target = tmp_path / "справки.zip"
    code, _ = run(
        "--db",
        db_file,
        "school-notes",
        "--period",
        "2022/2023",
        "--municipality",
        "г. Нягань",
        "--out",
        target,
    )
    assert code == 0
    names = zipfile.ZipFile(target).namelist()
    assert len(names) == 8
    assert all(name.endswith(".docx") for name in names)


def test_deck_writes_slides_that_state_their_filters(db_file, tmp_path):
    target = tmp_path / "заседание.pptx"
    code, _ = run("--db", db_file, "deck", "--period", "2023", "--out", target)
    assert code == 0
    assert len(Presentation(target).slides) >= 3


def test_a_report_for_an_unknown_municipality_is_bad_usage(db_file, tmp_path):
    code, _ = run(
        "--db",
        db_file,
        "report",
        "--period",
        "2023",
        "--municipality",
        "Атлантида",
        "--out",
        tmp_path / "x.docx",
    )
    assert code == 2
    assert not (tmp_path / "x.docx").exists()


@pytest.mark.skipif(pdf_available(), reason="LibreOffice установлен: PDF строится")
def test_a_pdf_report_without_libreoffice_says_why_and_writes_nothing(db_file, tmp_path, capsys):
    code, _ = run("--db", db_file, "report", "--period", "2023", "--out", tmp_path / "x.pdf")
    assert code == 1
    assert "не установлен LibreOffice" in capsys.readouterr().err
    assert not (tmp_path / "x.pdf").exists()


def test_template_writes_an_xlsx_without_a_database(tmp_path):
    code, _ = run("template", "--out", tmp_path / "шаблон.xlsx")
    assert code == 0
    assert zipfile.is_zipfile(tmp_path / "шаблон.xlsx")
