"""The indicator catalogue: the contract's 15 indicators, declared once.

Each indicator is a ratio of sums (DHIS2 style): ``factor × Σ numerator / Σ denominator``
over the organisations in scope. ``numerator_sql`` and ``denominator_sql`` are SQL
expressions over one row of the ``form_values`` table (columns named in the contract);
an organisation takes part only where both are non-null. These expressions are part of
the code, never built from user input.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from analytics.model.legend import Better


@dataclass(frozen=True)
class Group:
    code: str
    title: str


GROUPS: tuple[Group, ...] = (
    Group("participation", "Участие в мониторинге"),
    Group("documents", "Нормативное и организационное обеспечение"),
    Group("databases", "Базы наставников и наставляемых"),
    Group("people", "Охват педагогов наставничеством"),
    Group("results", "Результаты реализации программ"),
)


class IndicatorKind(StrEnum):
    """What an indicator measures; the grammar of its sentences and the places it is
    shown follow from it."""

    # Organisations of the registry that sent a form: it measures who reported, so it is
    # no organisation's own result (not in a school's note, its deficits or decisions).
    COVERAGE = "coverage"
    # A share of organisations answering «да»: one organisation's value is yes or no.
    YES_NO = "yes_no"
    # A share of people: «108 из 1 421 педагога (7,6 %)».
    PEOPLE = "people"
    # A mean per person: «1,1 наставляемого (57 наставляемых на 51 наставника)».
    RATIO = "ratio"
    # A mean weighted by the number who answered: «77,1 % (по ответам 108 участников)».
    MEAN = "mean"


@dataclass(frozen=True)
class Phrase:
    """The words of an indicator's generated sentence (see :mod:`analytics.wording.narrative`).

    ``text`` opens the sentence: the subject with its predicate for a yes/no share
    («Положение о наставничестве утверждено»), the predicate in the plural for a share of
    people or of organisations that reported («В систему наставничества включены»), the
    lead-in for a ratio or a mean. ``singular`` is the predicate after a count ending in 1
    but not 11 («включён»). ``negative`` says that one organisation lacks it (yes/no, for
    a single school's note). ``after`` follows the counted noun or the ratio («в возрасте
    10–18 лет»).
    """

    text: str
    singular: str = ""
    negative: str = ""
    after: str = ""


@dataclass(frozen=True)
class Bins:
    """How the organisations' values of an indicator are binned for their distribution.

    With a ``width``: ``count`` bins of that width from ``start`` (5 points over 0–100 for
    a percentage), followed by more of the same width as far as the largest value where
    it lies beyond them (a share over 100 % is possible where a form breaks a
    consistency rule). Without one: ``count`` equal bins from the least value to the
    largest, or a single bin where all values are equal. A bin holds its lower edge but
    not its upper one; the last bin holds both (a value of exactly 100 % is in 95–100).
    """

    count: int
    width: float | None = None
    start: float = 0.0


# Decimals every indicator value is shown with, in its own units (54,0 %, 1,1): the page's
# precision, and the precision a curator receives territory values at
# (:mod:`analytics.compute.disclosure`).
SHOWN_DECIMALS = 1

PERCENT_BINS = Bins(count=20, width=5.0)
EQUAL_BINS = Bins(count=20)


@dataclass(frozen=True)
class Indicator:
    """One indicator, with every trait the pages and documents read of it.

    ``counted`` is the genitive noun for what the denominator counts, singular and
    plural ("из 21 педагога", "из 362 педагогов"); for organisations it is the
    invariant abbreviation "ОО". ``kind`` says what it measures and ``phrase`` how its
    sentences read. ``headline`` puts it among the key figures of the meeting deck's
    overview slide; ``by_territory`` gives it a slide of its own by territory (or
    organisation) in the deck. ``register_answer`` is its (numerator, denominator) SQL
    where the person registers answer for an organisation that uploaded both bases
    (``has_person_bases``), whatever its form said.
    """

    id: str
    name: str
    short: str
    group: str
    numerator_sql: str
    denominator_sql: str
    factor: float
    target: float
    better: Better
    unit: str
    counted: tuple[str, str]
    description: str
    recommendation: str
    kind: IndicatorKind
    phrase: Phrase
    headline: bool = False
    by_territory: bool = False
    register_answer: tuple[str, str] | None = None

    @property
    def is_percent(self) -> bool:
        return self.unit == "%"

    @property
    def decimals(self) -> int:
        """Decimals its values are shown with, in its units."""
        return SHOWN_DECIMALS

    @property
    def bins(self) -> Bins:
        """How its organisations' values are binned: by its unit."""
        return PERCENT_BINS if self.is_percent else EQUAL_BINS

    @property
    def coverage(self) -> bool:
        """It measures who reported, not an organisation's own result."""
        return self.kind is IndicatorKind.COVERAGE

    @property
    def yes_no(self) -> bool:
        """One organisation's value is a yes/no answer."""
        return self.kind is IndicatorKind.YES_NO


def _org_share(
    id_: str,
    column: str,
    name: str,
    short: str,
    group: str,
    description: str,
    rec: str,
    phrase: Phrase,
) -> Indicator:
    return Indicator(
        id=id_,
        name=name,
        short=short,
        group=group,
        numerator_sql=f"CAST({column} AS INTEGER)",
        denominator_sql=f"CASE WHEN {column} IS NOT NULL THEN 1 END",
        factor=100.0,
        target=100.0,
        better=Better.HIGHER,
        unit="%",
        counted=("ОО", "ОО"),
        description=description,
        recommendation=rec,
        kind=IndicatorKind.YES_NO,
        phrase=phrase,
    )


INDICATORS: tuple[Indicator, ...] = (
    Indicator(
        id="reporting",
        name="Доля ОО, представивших данные",
        short="Представили данные",
        group="participation",
        # Over the registry, not the forms: SQL over an organisation's row of a period
        # with ``in_registry`` and ``reported`` (see indicators.py).
        numerator_sql="CASE WHEN in_registry THEN CAST(reported AS INTEGER) END",
        denominator_sql="CASE WHEN in_registry THEN 1 END",
        factor=100.0,
        target=100.0,
        better=Better.HIGHER,
        unit="%",
        counted=("ОО", "ОО"),
        description="ОО из реестра, представившие форму мониторинга за период.",
        recommendation=(
            "Направить напоминание руководителям ОО, не представившим данные, "
            "и установить срок представления формы мониторинга."
        ),
        kind=IndicatorKind.COVERAGE,
        phrase=Phrase("Данные представили", singular="Данные представила"),
    ),
    _org_share(
        "regulation",
        "has_regulation",
        "Доля ОО с утверждённым положением о наставничестве",
        "Положение о наставничестве",
        "documents",
        "ОО, утвердившие локальным актом положение о системе наставничества.",
        "Утвердить положение о системе наставничества в ОО, используя примерное "
        "положение муниципального координатора.",
        Phrase(
            "Положение о наставничестве утверждено",
            negative="Положение о наставничестве не утверждено",
        ),
    ),
    _org_share(
        "roadmap",
        "has_roadmap",
        "Доля ОО с утверждённой дорожной картой",
        "Дорожная карта",
        "documents",
        "ОО, утвердившие дорожную карту внедрения целевой модели наставничества.",
        "Разработать и утвердить дорожную карту внедрения целевой модели наставничества.",
        Phrase(
            "Дорожная карта внедрения целевой модели наставничества утверждена",
            negative="Дорожная карта внедрения целевой модели наставничества не утверждена",
        ),
    ),
    _org_share(
        "curator",
        "has_curator",
        "Доля ОО с назначенным куратором",
        "Куратор назначен",
        "documents",
        "ОО, в которых приказом назначен куратор реализации целевой модели наставничества.",
        "Назначить приказом куратора реализации целевой модели наставничества в ОО.",
        Phrase(
            "Куратор реализации целевой модели наставничества назначен",
            negative="Куратор реализации целевой модели наставничества не назначен",
        ),
    ),
    _org_share(
        "program",
        "has_program",
        "Доля ОО с утверждёнными программами наставничества",
        "Программы наставничества",
        "documents",
        "ОО, утвердившие программы наставничества.",
        "Разработать и утвердить программу наставничества по макету методического кейса.",
        Phrase(
            "Программы наставничества утверждены",
            negative="Программа наставничества не утверждена",
        ),
    ),
    _org_share(
        "program_site",
        "program_on_site",
        "Доля ОО, разместивших программы на сайте",
        "Программы на сайте",
        "documents",
        "ОО, разместившие программы наставничества на официальном сайте.",
        "Разместить утверждённые программы наставничества на официальном сайте ОО.",
        Phrase(
            "Программы наставничества размещены на официальных сайтах",
            negative="Программа наставничества не размещена на официальном сайте",
        ),
    ),
    Indicator(
        id="databases",
        name="Доля ОО со сформированными базами наставников и наставляемых",
        short="Базы наставников и наставляемых",
        group="databases",
        numerator_sql="CAST(has_mentor_db AND has_mentee_db AS INTEGER)",
        denominator_sql=(
            "CASE WHEN has_mentor_db IS NOT NULL AND has_mentee_db IS NOT NULL THEN 1 END"
        ),
        factor=100.0,
        target=100.0,
        better=Better.HIGHER,
        unit="%",
        counted=("ОО", "ОО"),
        description="ОО, сформировавшие и базу наставников, и базу наставляемых.",
        recommendation=(
            "Куратору ОО сформировать базы наставников и наставляемых и поддерживать их в "
            "актуальном состоянии (это зона ответственности куратора по целевой модели "
            "наставничества)."
        ),
        kind=IndicatorKind.YES_NO,
        phrase=Phrase(
            "Базы наставников и наставляемых сформированы",
            negative="Базы наставников и наставляемых не сформированы",
        ),
        headline=True,
        # An organisation that uploaded both bases has them, whatever its form said.
        register_answer=("1", "1"),
    ),
    _org_share(
        "incentives",
        "has_incentives",
        "Доля ОО, закрепивших стимулирование наставников",
        "Стимулирование наставников",
        "documents",
        "ОО, закрепившие меры стимулирования наставников в локальных актах.",
        "Закрепить меры материального и нематериального стимулирования наставников "
        "в положении об оплате труда или коллективном договоре.",
        Phrase(
            "Меры стимулирования наставников закреплены в локальных актах",
            negative="Меры стимулирования наставников не закреплены в локальных актах",
        ),
    ),
    Indicator(
        id="teachers_involved",
        name="Доля педагогов, включённых в систему наставничества",
        short="Педагоги в наставничестве",
        group="people",
        numerator_sql="mentors + mentees",
        denominator_sql="teachers_total",
        factor=100.0,
        target=20.0,
        better=Better.HIGHER,
        unit="%",
        counted=("педагога", "педагогов"),
        description="Наставники и наставляемые среди всех педагогических работников.",
        recommendation=(
            "Расширить круг педагогов-наставников и наставляемых, включив в программы "
            "молодых специалистов и педагогов с профессиональными затруднениями."
        ),
        kind=IndicatorKind.PEOPLE,
        phrase=Phrase(
            "В систему наставничества включены", singular="В систему наставничества включён"
        ),
        headline=True,
        by_territory=True,
    ),
    Indicator(
        id="young_mentored",
        name="Доля молодых специалистов, закреплённых за наставниками",
        short="Молодые специалисты с наставником",
        group="people",
        numerator_sql="young_with_mentor",
        denominator_sql="young_specialists",
        factor=100.0,
        target=100.0,
        better=Better.HIGHER,
        unit="%",
        counted=("молодого специалиста", "молодых специалистов"),
        description="Молодые специалисты, за которыми закреплён наставник.",
        recommendation="Закрепить наставника за каждым молодым специалистом приказом по ОО.",
        kind=IndicatorKind.PEOPLE,
        phrase=Phrase("За наставниками закреплены", singular="За наставниками закреплён"),
        headline=True,
    ),
    Indicator(
        id="mentors_trained",
        name="Доля наставников, прошедших обучение",
        short="Обученные наставники",
        group="people",
        numerator_sql="mentors_trained",
        denominator_sql="mentors",
        factor=100.0,
        target=100.0,
        better=Better.HIGHER,
        unit="%",
        counted=("наставника", "наставников"),
        description="Педагоги-наставники, прошедшие обучение по программам наставничества.",
        recommendation=(
            "Направить наставников на курсы повышения квалификации по вопросам наставничества."
        ),
        kind=IndicatorKind.PEOPLE,
        phrase=Phrase(
            "Обучение по вопросам наставничества прошли",
            singular="Обучение по вопросам наставничества прошёл",
        ),
        headline=True,
        by_territory=True,
    ),
    Indicator(
        id="mentor_load",
        name="Наставляемых на одного наставника",
        short="Нагрузка на наставника",
        group="people",
        numerator_sql="mentees",
        denominator_sql="mentors",
        factor=1.0,
        target=3.0,
        better=Better.LOWER,
        unit="чел.",
        counted=("наставника", "наставников"),
        description="Среднее число наставляемых педагогов на одного наставника.",
        recommendation=(
            "Снизить нагрузку на наставников: привлечь новых наставников из числа опытных "
            "педагогов, чтобы на одного приходилось не более трёх наставляемых."
        ),
        kind=IndicatorKind.RATIO,
        phrase=Phrase("На одного наставника приходится в среднем", after="наставляемого"),
    ),
    Indicator(
        id="completion",
        name="Доля наставляемых, завершивших программу",
        short="Завершили программу",
        group="results",
        numerator_sql="mentees_completed",
        denominator_sql="mentees",
        factor=100.0,
        target=50.0,
        better=Better.HIGHER,
        unit="%",
        counted=("наставляемого", "наставляемых"),
        description="Наставляемые, завершившие программу наставничества.",
        recommendation=(
            "Проверить сроки персонализированных программ и обеспечить их завершение "
            "с оценкой результатов."
        ),
        kind=IndicatorKind.PEOPLE,
        phrase=Phrase(
            "Программу наставничества завершили", singular="Программу наставничества завершил"
        ),
    ),
    Indicator(
        id="students_mentored",
        name="Доля обучающихся 10–18 лет, вовлечённых в наставничество",
        short="Обучающиеся в наставничестве",
        group="results",
        numerator_sql="student_mentees",
        denominator_sql="students_10_18",
        factor=100.0,
        target=70.0,
        better=Better.HIGHER,
        unit="%",
        counted=("обучающегося", "обучающихся"),
        description="Обучающиеся 10–18 лет, вовлечённые в различные формы наставничества.",
        recommendation=(
            "Развивать формы «ученик – ученик» и «студент – ученик», вовлекая обучающихся "
            "10–18 лет в программы наставничества."
        ),
        kind=IndicatorKind.PEOPLE,
        phrase=Phrase(
            "В наставничество вовлечены",
            singular="В наставничество вовлечён",
            after="в возрасте 10–18 лет",
        ),
    ),
    Indicator(
        id="satisfaction",
        name="Удовлетворённость участников программ наставничества",
        short="Удовлетворённость",
        group="results",
        numerator_sql="satisfaction_pct * (mentors + mentees)",
        denominator_sql="CASE WHEN satisfaction_pct IS NOT NULL THEN mentors + mentees END",
        factor=1.0,
        target=80.0,
        better=Better.HIGHER,
        unit="%",
        counted=("участника", "участников"),
        description=(
            "Средняя удовлетворённость участников программ, взвешенная по числу "
            "наставников и наставляемых."
        ),
        recommendation=(
            "Провести анкетирование участников, выявить причины неудовлетворённости "
            "и скорректировать программы наставничества."
        ),
        kind=IndicatorKind.MEAN,
        phrase=Phrase("Средняя удовлетворённость участников программ наставничества составляет"),
    ),
)

INDICATORS_BY_ID: dict[str, Indicator] = {i.id: i for i in INDICATORS}
INDICATOR_IDS: tuple[str, ...] = tuple(INDICATORS_BY_ID)
# Indicators computed from form values (all but the registry-based reporting rate).
FORM_INDICATORS: tuple[Indicator, ...] = tuple(i for i in INDICATORS if not i.coverage)
# The reporting rate: the indicator of who reported, which the documents' participation
# sections and the key figures open with.
REPORTING: Indicator = next(i for i in INDICATORS if i.coverage)
# The indicator the person bases answer for an organisation that uploaded both.
ANSWERED_BY_PERSON_BASES: Indicator = next(i for i in INDICATORS if i.register_answer)
