"""The protocol of a meeting (DOCX): the usual heading, date and place, attendees, the
agenda of the screens shown, the figures discussed from the frozen values, and each
decision with its responsible person and due date; also from the command line."""

from __future__ import annotations

import io
import shutil
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest
from docx import Document

from analytics.cli.main import main
from analytics.compute import lookups
from analytics.compute.trajectories import territory_scope
from analytics.documents.protocol import build_protocol, file_name
from analytics.meetings.decisions import Assignment, add_decision
from analytics.meetings.meetings import (
    OVERVIEW,
    Screen,
    Sitting,
    create_meeting,
    frozen_values,
    get_meeting,
    mark_shown,
    screens,
)
from analytics.model.levels import Level
from analytics.store.db import Database
from analytics.store.scope import Scope
from tests import meetingfiles
from tests.conftest import ROOT
from tests.meetingfiles import ALPHA

DECISIONS = (
    ("Утвердить положение о наставничестве в школах 3–5", "Кардакова Е. А.", date(2022, 9, 1)),
    ("Провести семинар для кураторов", "Давыдова С. М.", date(2022, 10, 15)),
)


def fixture_meeting(db: Database) -> int:
    """The Альфа meeting of 15.07.2022: two attendees, the summary and the regulation
    screens shown, two decisions (one on the municipality, one on Школа 3)."""
    meetingfiles.load(db, ("2022",))
    alpha = lookups.find_territory(db, "municipality", ALPHA)
    meeting_id = create_meeting(
        db,
        Scope(periods=("2022",), municipality_id=alpha),
        Sitting(
            date(2022, 7, 15),
            place="МАУ ИМЦ «Альтернатива»",
            attendees="Иванова Анна Петровна\nПетров Иван Ильич",
            chair="Давыдова С. М.",
            secretary="Кардакова Е. А.",
        ),
    )
    mark_shown(db, meeting_id, Screen(OVERVIEW, "Сводка показателей"))
    mark_shown(
        db,
        meeting_id,
        Screen("indicator:regulation", "Доля ОО с утверждённым положением о наставничестве"),
    )
    values = frozen_values(db, meeting_id)
    school = values[(values["level"] == Level.ORGANIZATION) & (values["organization"] == "Школа 3")]
    territories = [(Level.MUNICIPALITY, alpha), (Level.ORGANIZATION, int(school["org_id"].iloc[0]))]
    for (text, responsible, due), (level, territory) in zip(DECISIONS, territories, strict=True):
        add_decision(
            db,
            meeting_id,
            territory_scope(level, territory, indicators=("regulation",)),
            Assignment(text, responsible, due),
        )
    return meeting_id


def document_text(content: bytes) -> tuple[list[str], list[list[str]]]:
    doc = Document(io.BytesIO(content))
    paragraphs = [p.text for p in doc.paragraphs]
    rows = [[c.text for c in row.cells] for table in doc.tables for row in table.rows]
    return paragraphs, rows


@pytest.fixture
def protocol(fresh_db: Database) -> tuple[list[str], list[list[str]]]:
    return document_text(build_protocol(fresh_db, fixture_meeting(fresh_db)))


def test_the_protocol_opens_in_the_usual_form(protocol):
    paragraphs, _ = protocol
    assert paragraphs[:4] == [
        "ПРОТОКОЛ № 1",
        "заседания рабочей группы по вопросам реализации целевой модели наставничества "
        "педагогических работников",
        "от 15.07.2022",
        "Место проведения: МАУ ИМЦ «Альтернатива»",
    ]


def test_the_protocol_lists_the_attendees_and_counts_them(protocol):
    paragraphs, _ = protocol
    start = paragraphs.index("Присутствовали:")
    assert paragraphs[start + 1 : start + 4] == [
        "– Иванова Анна Петровна",
        "– Петров Иван Ильич",
        "Всего присутствовало: 2\u00a0человека.",
    ]


def test_the_agenda_is_the_screens_shown_in_order(protocol):
    paragraphs, _ = protocol
    start = paragraphs.index("Повестка:")
    assert paragraphs[start + 2 : start + 4] == [
        "1. Сводка показателей",
        "2. Доля ОО с утверждённым положением о наставничестве",
    ]


def test_the_figures_discussed_are_the_frozen_values_in_words(protocol):
    paragraphs, _ = protocol
    assert (
        "Положение о наставничестве утверждено в 2 из 5 организаций (40,0\u00a0%), что на "
        "60,0\u00a0п.\u00a0п. ниже целевого значения." in paragraphs
    )
    assert "Цель не достигнута в 3 из 5 организаций с данными по показателю." in paragraphs


def test_each_decision_appears_with_its_responsible_person_and_due_date(protocol):
    _, rows = protocol
    assert rows == [
        ["№ п/п", "Поручение", "Показатель, территория", "Ответственный", "Срок исполнения"],
        [
            "1",
            "Утвердить положение о наставничестве в школах 3–5",
            "Доля ОО с утверждённым положением о наставничестве; г. Альфа",
            "Кардакова Е. А.",
            "01.09.2022",
        ],
        [
            "2",
            "Провести семинар для кураторов",
            "Доля ОО с утверждённым положением о наставничестве; Школа 3",
            "Давыдова С. М.",
            "15.10.2022",
        ],
    ]


def test_the_protocol_ends_with_the_signature_lines(protocol):
    paragraphs, _ = protocol
    assert paragraphs[-2:] == [
        "Председатель\t____________________\u00a0\u00a0Давыдова С. М.",
        "Секретарь\t____________________\u00a0\u00a0Кардакова Е. А.",
    ]


def test_the_sections_are_headed_as_in_real_protocols_and_kept_with_what_follows(
    fresh_db: Database,
):
    doc = Document(io.BytesIO(build_protocol(fresh_db, fixture_meeting(fresh_db))))
    by_text = {p.text: p for p in doc.paragraphs}
    headings = [p.text for p in doc.paragraphs if p.text in ("СЛУШАЛИ:", "ВЫСТУПИЛИ:", "РЕШИЛИ:")]
    assert headings == ["СЛУШАЛИ:", "ВЫСТУПИЛИ:", "РЕШИЛИ:"]
    for text in ("Присутствовали:", "Повестка:", *headings, "1. Сводка показателей"):
        assert by_text[text].paragraph_format.keep_with_next, text
        assert by_text[text].runs[0].bold


def test_the_signatures_never_stand_alone_on_a_page(fresh_db: Database):
    doc = Document(io.BytesIO(build_protocol(fresh_db, fixture_meeting(fresh_db))))
    last_decision = doc.tables[-1].rows[-1].cells
    assert all(p.paragraph_format.keep_with_next for c in last_decision for p in c.paragraphs)
    tail = doc.paragraphs[-4:]
    assert [p.paragraph_format.keep_with_next for p in tail] == [True, True, True, None]
    assert all(p.paragraph_format.keep_together for p in tail[-2:])


def test_the_protocol_downloads_under_a_russian_name(fresh_db: Database):
    meeting = get_meeting(fresh_db, fixture_meeting(fresh_db))
    assert file_name(meeting) == "протокол_1_от_15.07.2022.docx"


def test_the_command_line_saves_the_protocol_of_a_meeting(tmp_path: Path, capsys):
    path = tmp_path / "monitoring.duckdb"
    with Database(path) as db:
        meeting_id = fixture_meeting(db)
    out = tmp_path / "протокол.docx"
    code = main(["--db", str(path), "protocol", "--meeting", str(meeting_id), "--out", str(out)])
    assert (code, capsys.readouterr().out) == (0, f"Сохранено: {out}\n")
    _, rows = document_text(out.read_bytes())
    assert [row[3:] for row in rows[1:]] == [
        ["Кардакова Е. А.", "01.09.2022"],
        ["Давыдова С. М.", "15.10.2022"],
    ]


def test_the_command_line_refuses_an_unknown_meeting_in_russian(tmp_path: Path, capsys):
    path = tmp_path / "monitoring.duckdb"
    Database(path).close()
    out = tmp_path / "протокол.docx"
    code = main(["--db", str(path), "protocol", "--meeting", "7", "--out", str(out)])
    assert (code, capsys.readouterr().err) == (1, "Ошибка: Заседание № 7 не найдено.\n")
    assert not out.exists()


def test_the_command_line_lists_the_meetings(tmp_path: Path):
    path = tmp_path / "monitoring.duckdb"
    with Database(path) as db:
        fixture_meeting(db)
    result = subprocess.run(
        [sys.executable, "-m", "analytics", "--db", str(path), "meetings"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    assert result.stdout == "№ 1\t15.07.2022\t2022\tг. Альфа\tпоручений: 2\n"


def demo_protocol(demo_template: Path, tmp_path: Path) -> list[str]:
    """The paragraphs of the protocol of a meeting on the whole demo region in 2023/2024
    with every screen shown, in the meeting's order."""
    path = tmp_path / "demo.duckdb"
    shutil.copy(demo_template, path)
    with Database(path) as db:
        meeting_id = create_meeting(db, Scope(periods=("2023/2024",)), Sitting(date(2024, 7, 1)))
        for screen in screens(frozen_values(db, meeting_id)):
            mark_shown(db, meeting_id, screen)
        paragraphs, _ = document_text(build_protocol(db, meeting_id))
    return paragraphs


def test_no_sentence_of_the_protocol_gives_those_who_reported_a_second_count(
    demo_template: Path, tmp_path: Path
):
    paragraphs = demo_protocol(demo_template, tmp_path)
    reporting = [p for p in paragraphs if p.startswith("Данные представили")]
    assert reporting == [
        "Данные представили 256 из 263 организаций (97,3\u00a0%), что на 2,7\u00a0п.\u00a0п. "
        "ниже целевого значения."
    ]
    # 157 schools have pupils of 10–18 years: a set of their own, named as such.
    assert "Цель не достигнута в 157 из 157 организаций с данными по показателю." in paragraphs
    assert not [p for p in paragraphs if " из " in p and "представивших данные" in p]


def test_each_deficit_of_the_protocol_says_its_place_and_the_key_it_is_ranked_by(
    demo_template: Path, tmp_path: Path
):
    paragraphs = demo_protocol(demo_template, tmp_path)
    places = [p for p in paragraphs if p.startswith("Дефицит ")]
    assert places[:3] == [
        "Дефицит 1 из 13 по величине: отставание — 51\u00a0% от цели.",
        "Дефицит 2 из 13 по величине: отставание — 42\u00a0% от цели.",
        "Дефицит 3 из 13 по величине: отставание — 40\u00a0% от цели.",
    ]
    assert len(places) == 13
