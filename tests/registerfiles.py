"""A small, hand-counted fixture of the person registers (База наставников, База
наставляемых) and the forms of the same two schools, for the register, quality,
personal-data and page tests.

Headers are spelled out from DATA_CONTRACT.md, not taken from the engine. Every count the
tests expect is worked out by hand in the comments below.

МБОУ «СОШ № 1» (both registers; the form says 5 pairs, the register gives 3):
    mentors  Иванова Анна Петровна  педагог – педагог       01.09.2022–31.05.2023  trained
             Петров Пётр Петрович   наставник – группа      01.09.2022–31.08.2023  not trained
             Сидорова Мария Ивановна руководитель – педагог  no dates              trained
             Кузнецов Олег Игоревич педагог – педагог       no dates              trained
    mentees  Смирнова (молодой специалист) → Иванова, form from the mentor, 01.09.2022–30.04.2023
             (8 months), completed
             Козлов, Орлов, Волкова, Лебедев → Петров, «наставник – группа», the mentor's dates
             (12 months each); Орлов completed, Волкова no answer, the others not
             Зайцев (обучающийся) → Сидорова, руководитель – педагог, not completed
             Белов → «Неизвестный Н. Н.» (not in the base of mentors), педагог – педагог,
             not completed
             Морозова (молодой специалист), no mentor, no form, no answer
    load     Иванова 1, Петров 4 (overloaded), Сидорова 1, Кузнецов 0
    units    pairs: Смирнова, Зайцев, Белов = 3; groups: Петров's four = 1
МБОУ «СОШ № 2» (only the base of mentors: 7 mentors, the form says 12):
    planned mentees 1, 1, 2, 2, 3, 5, 0 (one overloaded); 5 trained;
    one programme 01.10.2022–31.05.2023 (8 months)
"""

from __future__ import annotations

from analytics.ingest.load import ingest_bytes
from analytics.ingest.normalize import person_key
from analytics.ingest.parse import Defaults
from analytics.model.contract import FormKind
from analytics.store.db import Database
from tests.filemakers import (
    csv_bytes,
    org,
    org_id,  # noqa: F401  (the register tests import it from here)
    table,
)

PERIOD = "2022/2023"
DEFAULTS = Defaults(
    region="Удмуртская Республика", municipality="г. Глазов", org_type="school", period=PERIOD
)
SCHOOL_1 = "МБОУ «СОШ № 1»"
SCHOOL_2 = "МБОУ «СОШ № 2»"

MENTOR_HEADER = [
    "ФИО наставника",
    "Наименование ОО",
    "Должность",
    "Педагогический стаж (лет)",
    "Форма наставничества",
    "Количество наставляемых",
    "Дата начала",
    "Дата окончания",
    "Обучение пройдено",
]
MENTEE_HEADER = [
    "ФИО наставляемого",
    "Наименование ОО",
    "Категория",
    "ФИО наставника",
    "Форма наставничества",
    "Дата вхождения в программу",
    "Дата завершения",
    "Программа завершена",
]


def mentor(name, school, position, years, form, planned, start=None, end=None, trained="да"):
    """A row of the base of mentors, in MENTOR_HEADER's order."""
    return [name, school, position, years, form, planned, start, end, trained]


def mentee(name, category, mentor_name, form=None, start=None, end=None, completed=None):
    """A row of the base of mentees of СОШ № 1, in MENTEE_HEADER's order."""
    return [name, SCHOOL_1, category, mentor_name, form, start, end, completed]


GROUP = "наставник – группа"
MENTORS_1 = [
    mentor(
        "Иванова Анна Петровна",
        SCHOOL_1,
        "учитель",
        21,
        "педагог – педагог",
        1,
        "01.09.2022",
        "31.05.2023",
    ),
    mentor(
        "Петров Пётр Петрович",
        SCHOOL_1,
        "учитель",
        15,
        "Наставник — группа",
        4,
        "01.09.2022",
        "31.08.2023",
        "нет",
    ),
    mentor(
        "Сидорова Мария Ивановна", SCHOOL_1, "заместитель директора", 30, "руководитель-педагог", 5
    ),
    mentor("Кузнецов Олег Игоревич", SCHOOL_1, "учитель", 9, "педагог – педагог", 2),
]
MENTEES_1 = [
    mentee(
        "Смирнова Дарья Олеговна",
        "молодой специалист",
        "Иванова Анна Петровна",
        None,
        "01.09.2022",
        "30.04.2023",
        "да",
    ),
    mentee("Козлов Иван Сергеевич", "педагог", "петров пётр петрович", GROUP, completed="нет"),
    mentee("Орлов Денис Андреевич", "педагог", "Петров Петр Петрович", GROUP, completed="да"),
    mentee("Волкова Алина Романовна", "молодой специалист", "Петров Пётр Петрович", GROUP),
    mentee(
        "Лебедев Артём Юрьевич",
        "педагог",
        "Петров Пётр Петрович",
        "НАСТАВНИК – ГРУППА",
        completed="нет",
    ),
    mentee(
        "Зайцев Кирилл Павлович",
        "обучающийся",
        "Сидорова Мария Ивановна",
        "руководитель – педагог",
        completed="нет",
    ),
    mentee(
        "Белов Роман Ильич", "педагог", "Неизвестный Н. Н.", "педагог – педагог", completed="нет"
    ),
    mentee("Морозова Ксения Викторовна", "молодой специалист", None),
]
MENTORS_2 = [
    mentor(
        "Алексеева Ольга Николаевна",
        SCHOOL_2,
        "учитель",
        25,
        "педагог – педагог",
        1,
        "01.10.2022",
        "31.05.2023",
    ),
    mentor("Борисов Игорь Васильевич", SCHOOL_2, "учитель", 12, "педагог – педагог", 1),
    mentor("Васильева Нина Петровна", SCHOOL_2, "учитель", 18, "педагог – педагог", 2),
    mentor(
        "Григорьев Павел Андреевич", SCHOOL_2, "учитель", 7, "педагог – педагог", 2, trained="нет"
    ),
    mentor("Дмитриева Елена Сергеевна", SCHOOL_2, "учитель", 22, "педагог – педагог", 3),
    mentor("Егоров Максим Олегович", SCHOOL_2, "директор", 28, "руководитель – педагог", 5),
    mentor(
        "Жукова Светлана Ивановна", SCHOOL_2, "учитель", 11, "педагог – педагог", 0, trained="нет"
    ),
]

# Every name in the fixture: none may appear in an aggregate.
NAMES: tuple[str, ...] = tuple(str(row[0]) for row in (*MENTORS_1, *MENTEES_1, *MENTORS_2)) + tuple(
    str(row[3]) for row in MENTEES_1 if row[3]
)

# The schools' forms: consistent with the registers except СОШ № 1's pairs (5, register 3)
# and СОШ № 2's mentors (12, register 7).
FORMS = [
    org(
        SCHOOL_1,
        has_mentor_db="нет",
        has_mentee_db="нет",
        mentors=4,
        mentors_trained=3,
        mentees=7,
        mentees_completed=2,
        pairs=5,
        groups=1,
    ),
    org(
        SCHOOL_2,
        has_mentor_db="да",
        has_mentee_db="нет",
        mentors=12,
        mentors_trained=5,
        mentees=6,
        mentees_completed=3,
    ),
]


def names_in(text: str, names: tuple[str, ...] = NAMES) -> list[str]:
    """The names (as typed, or as normalised keys) found in ``text``."""
    low = text.casefold().replace("ё", "е")
    return [n for n in names if n.casefold() in low or person_key(n) in low]


def register_csv(header: list[str], rows: list[list[object]]) -> bytes:
    return csv_bytes([header, *rows])


def load_forms(db: Database) -> None:
    ingest_bytes(db, "формы.csv", csv_bytes(table(FORMS)), FormKind.ORG_FORM, DEFAULTS)


def load_registers(db: Database) -> None:
    """The forms, then both registers of СОШ № 1 and the base of mentors of СОШ № 2."""
    load_forms(db)
    mentors = register_csv(MENTOR_HEADER, MENTORS_1 + MENTORS_2)
    ingest_bytes(db, "наставники.csv", mentors, FormKind.MENTORS, DEFAULTS)
    ingest_bytes(
        db, "наставляемые.csv", register_csv(MENTEE_HEADER, MENTEES_1), FormKind.MENTEES, DEFAULTS
    )
