"""The indicator catalogue: the contract's 15 indicators, declared once.

Each indicator is a ratio of sums (DHIS2 style): ``factor × Σ numerator / Σ denominator``
over the organisations in scope. ``numerator_sql`` and ``denominator_sql`` are SQL
expressions over one row of the ``form_values`` table (columns named in the contract);
an organisation takes part only where both are non-null. These expressions are part of
the code, never built from user input.
"""

from __future__ import annotations

from dataclasses import dataclass

from analytics.model.legend import (
    LEGEND,
    Better,
    Status,
)


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


@dataclass(frozen=True)
class Indicator:
    """One indicator.

    ``counted`` is the genitive noun for what the denominator counts, singular and
    plural ("из 21 педагога", "из 362 педагогов"); for organisations it is the
    invariant abbreviation "ОО".
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

    @property
    def is_percent(self) -> bool:
        return self.unit == "%"


def _org_share(
    id_: str, column: str, name: str, short: str, group: str, description: str, rec: str
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
    )


INDICATORS: tuple[Indicator, ...] = (
    Indicator(
        id="reporting",
        name="Доля ОО, представивших данные",
        short="Представили данные",
        group="participation",
        # Computed over the registry, not the forms: see indicators.py.
        numerator_sql="reported",
        denominator_sql="in_registry",
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
    ),
    _org_share(
        "roadmap",
        "has_roadmap",
        "Доля ОО с утверждённой дорожной картой",
        "Дорожная карта",
        "documents",
        "ОО, утвердившие дорожную карту внедрения целевой модели наставничества.",
        "Разработать и утвердить дорожную карту внедрения целевой модели наставничества.",
    ),
    _org_share(
        "curator",
        "has_curator",
        "Доля ОО с назначенным куратором",
        "Куратор назначен",
        "documents",
        "ОО, в которых приказом назначен куратор реализации целевой модели наставничества.",
        "Назначить приказом куратора реализации целевой модели наставничества в ОО.",
    ),
    _org_share(
        "program",
        "has_program",
        "Доля ОО с утверждёнными программами наставничества",
        "Программы наставничества",
        "documents",
        "ОО, утвердившие программы наставничества.",
        "Разработать и утвердить программу наставничества по макету методического кейса.",
    ),
    _org_share(
        "program_site",
        "program_on_site",
        "Доля ОО, разместивших программы на сайте",
        "Программы на сайте",
        "documents",
        "ОО, разместившие программы наставничества на официальном сайте.",
        "Разместить утверждённые программы наставничества на официальном сайте ОО.",
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
    ),
)

INDICATORS_BY_ID: dict[str, Indicator] = {i.id: i for i in INDICATORS}
INDICATOR_IDS: tuple[str, ...] = tuple(INDICATORS_BY_ID)
# Indicators computed from form values (all but the registry-based reporting rate).
FORM_INDICATORS: tuple[Indicator, ...] = tuple(i for i in INDICATORS if i.id != "reporting")

# What the pages and documents read of a status: its label, from the one legend.
STATUS_LABELS: dict[Status, str] = {status: legend.label for status, legend in LEGEND.items()}
