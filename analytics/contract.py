"""The data contract in one declarative place.

Every input column the dashboard understands is a :class:`Field` here: its code, its
canonical Russian header, the spellings people use instead, and its type. Validation,
the database schema, the XLSX template and the user documentation are all derived from
these definitions; nothing else in the code base lists columns by hand.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum


class FieldType(StrEnum):
    TEXT = "text"
    INN = "inn"
    ORG_TYPE = "org_type"
    PERIOD = "period"
    YES_NO = "yes_no"
    COUNT = "count"
    SHARE = "share"


# DuckDB column type for each field type.
SQL_TYPES: dict[FieldType, str] = {
    FieldType.TEXT: "VARCHAR",
    FieldType.INN: "VARCHAR",
    FieldType.ORG_TYPE: "VARCHAR",
    FieldType.PERIOD: "VARCHAR",
    FieldType.YES_NO: "BOOLEAN",
    FieldType.COUNT: "BIGINT",
    FieldType.SHARE: "DOUBLE",
}

# Words shown to users for each type, in validation messages and the template.
TYPE_LABELS: dict[FieldType, str] = {
    FieldType.TEXT: "текст",
    FieldType.INN: "ИНН, 10 цифр",
    FieldType.ORG_TYPE: "тип ОО",
    FieldType.PERIOD: "год (2022) или учебный год (2022/2023)",
    FieldType.YES_NO: "да/нет",
    FieldType.COUNT: "целое число ≥ 0",
    FieldType.SHARE: "число от 0 до 100",
}


@dataclass(frozen=True)
class Field:
    """One input column.

    ``code`` names the database column; ``header`` is the canonical header of the
    template; ``synonyms`` are other headers people write for the same column (header
    matching already ignores case, spaces, quotes, dash kinds, ё/е and trailing units).
    ``defaultable`` fields may be absent from a file and given once at upload.
    """

    code: str
    header: str
    type: FieldType
    required: bool = False
    defaultable: bool = False
    synonyms: tuple[str, ...] = ()
    hint: str = ""


REGION = Field(
    "region",
    "Регион",
    FieldType.TEXT,
    defaultable=True,
    synonyms=("Субъект РФ", "Субъект Российской Федерации", "Субъект"),
)
MUNICIPALITY = Field(
    "municipality",
    "Муниципалитет",
    FieldType.TEXT,
    defaultable=True,
    synonyms=(
        "Муниципальное образование",
        "Муниципальный район (городской округ)",
        "МО",
        "Городской округ",
    ),
)
DISTRICT = Field("district", "Район", FieldType.TEXT, synonyms=("Район города", "Округ"))
ORG_NAME = Field(
    "org_name",
    "Наименование ОО",
    FieldType.TEXT,
    required=True,
    synonyms=(
        "Наименование образовательной организации",
        "Образовательная организация",
        "Наименование организации",
        "Название ОО",
        "Организация",
        "ОО",
    ),
)
INN = Field("inn", "ИНН", FieldType.INN, synonyms=("ИНН ОО", "ИНН организации"))
ORG_TYPE = Field(
    "org_type",
    "Тип ОО",
    FieldType.ORG_TYPE,
    defaultable=True,
    synonyms=("Тип организации", "Вид ОО", "Тип образовательной организации"),
)
PERIOD = Field(
    "period",
    "Период",
    FieldType.PERIOD,
    defaultable=True,
    synonyms=("Учебный год", "Год", "Отчётный период"),
)

HIERARCHY_FIELDS: tuple[Field, ...] = (REGION, MUNICIPALITY, DISTRICT, ORG_NAME, INN, ORG_TYPE)


def _yes_no(code: str, header: str, *synonyms: str) -> Field:
    return Field(code, header, FieldType.YES_NO, synonyms=synonyms)


def _count(code: str, header: str, *synonyms: str) -> Field:
    return Field(code, header, FieldType.COUNT, synonyms=synonyms)


FORM_VALUE_FIELDS: tuple[Field, ...] = (
    _yes_no("has_regulation", "Положение о наставничестве", "Положение о системе наставничества"),
    _yes_no("has_roadmap", "Дорожная карта", "Дорожная карта внедрения"),
    _yes_no("has_curator", "Куратор назначен", "Назначен куратор", "Куратор"),
    _yes_no("has_program", "Программа наставничества", "Программы наставничества"),
    _yes_no("program_on_site", "Программа на сайте", "Программа размещена на сайте"),
    _yes_no("has_mentor_db", "База наставников", "Базы наставников"),
    _yes_no("has_mentee_db", "База наставляемых", "Базы наставляемых"),
    _yes_no("has_incentives", "Стимулирование наставников", "Меры стимулирования наставников"),
    _count(
        "teachers_total",
        "Педагогических работников",
        "Количество педагогических работников",
        "Всего педагогов",
    ),
    _count("young_specialists", "Молодых специалистов", "Количество молодых специалистов"),
    _count("young_with_mentor", "Молодых специалистов с наставником"),
    _count("mentors", "Педагогов-наставников", "Наставников", "Количество наставников"),
    _count("mentees", "Педагогов-наставляемых", "Наставляемых", "Количество наставляемых"),
    _count("mentors_trained", "Наставников, прошедших обучение"),
    _count("pairs", "Пар «наставник – наставляемый»"),
    _count("groups", "Групп «наставник – группа»"),
    _count("form_teacher_teacher", "Пар и групп «педагог – педагог»"),
    _count("form_head_teacher", "Пар и групп «руководитель – педагог»"),
    _count("mentees_completed", "Завершили программу", "Завершили программу наставничества"),
    _count("students_10_18", "Обучающихся 10–18 лет"),
    _count("student_mentees", "Обучающихся-наставляемых 10–18 лет"),
    Field(
        "satisfaction_pct",
        "Удовлетворённость участников, %",
        FieldType.SHARE,
        synonyms=("Удовлетворённость участников программ наставничества",),
    ),
)


class Kind(StrEnum):
    """Upload kinds of the contract."""

    ORG_FORM = "org-form"
    REGISTRY = "registry"


KIND_LABELS: dict[Kind, str] = {
    Kind.ORG_FORM: "Форма мониторинга ОО",
    Kind.REGISTRY: "Реестр ОО",
}

KIND_FIELDS: dict[Kind, tuple[Field, ...]] = {
    Kind.ORG_FORM: (*HIERARCHY_FIELDS, PERIOD, *FORM_VALUE_FIELDS),
    Kind.REGISTRY: HIERARCHY_FIELDS,
}

FORM_VALUE_CODES: tuple[str, ...] = tuple(f.code for f in FORM_VALUE_FIELDS)
FIELDS_BY_CODE: dict[str, Field] = {f.code: f for fields in KIND_FIELDS.values() for f in fields}


@dataclass(frozen=True)
class OrgType:
    code: str
    label: str
    short: str
    plural_genitive: str
    words: tuple[str, ...] = field(default=())


ORG_TYPES: tuple[OrgType, ...] = (
    OrgType(
        "school",
        "общеобразовательная",
        "ОО",
        "общеобразовательных организаций",
        (
            "общеобразовательная организация",
            "общеобразовательная",
            "ОО",
            "ООО",
            "школа",
            "СОШ",
            "ООШ",
            "НОШ",
            "гимназия",
            "лицей",
        ),
    ),
    OrgType(
        "preschool",
        "дошкольная",
        "ДОО",
        "дошкольных образовательных организаций",
        (
            "дошкольная образовательная организация",
            "дошкольная",
            "ДОО",
            "ДОУ",
            "детский сад",
        ),
    ),
    OrgType(
        "additional",
        "дополнительного образования",
        "УДО",
        "организаций дополнительного образования",
        (
            "организация дополнительного образования",
            "дополнительного образования",
            "дополнительное образование",
            "УДО",
            "ДО",
            "ОДО",
        ),
    ),
    OrgType(
        "vocational",
        "профессиональная",
        "ПОО",
        "профессиональных образовательных организаций",
        (
            "профессиональная образовательная организация",
            "профессиональная",
            "ПОО",
            "СПО",
            "колледж",
            "техникум",
        ),
    ),
)
ORG_TYPES_BY_CODE: dict[str, OrgType] = {t.code: t for t in ORG_TYPES}

YES_WORDS: tuple[str, ...] = ("да", "+", "1", "есть", "имеется", "true", "истина", "yes")
NO_WORDS: tuple[str, ...] = ("нет", "-", "0", "отсутствует", "false", "ложь", "no")

# Org-name cells that start a totals row rather than name an organisation.
TOTAL_ROW_PREFIXES: tuple[str, ...] = ("итого", "всего")


@dataclass(frozen=True)
class ConsistencyRule:
    """A rule a form should satisfy; a violation is a warning, the data still loads.

    ``violation_sql`` is a condition over one ``form_values`` row that is true when the
    rule is broken (code, never user input).
    """

    id: str
    field: str
    violation_sql: str
    message: str


CONSISTENCY_RULES: tuple[ConsistencyRule, ...] = (
    ConsistencyRule(
        "young_with_mentor_le_young",
        "young_with_mentor",
        "young_with_mentor > young_specialists",
        "молодых специалистов с наставником больше, чем молодых специалистов",
    ),
    ConsistencyRule(
        "mentors_le_teachers",
        "mentors",
        "mentors > teachers_total",
        "педагогов-наставников больше, чем педагогических работников",
    ),
    ConsistencyRule(
        "mentees_le_teachers",
        "mentees",
        "mentees > teachers_total",
        "педагогов-наставляемых больше, чем педагогических работников",
    ),
    ConsistencyRule(
        "trained_le_mentors",
        "mentors_trained",
        "mentors_trained > mentors",
        "обученных наставников больше, чем наставников",
    ),
    ConsistencyRule(
        "completed_le_mentees",
        "mentees_completed",
        "mentees_completed > mentees",
        "завершивших программу больше, чем наставляемых",
    ),
    ConsistencyRule(
        "student_mentees_le_students",
        "student_mentees",
        "student_mentees > students_10_18",
        "обучающихся-наставляемых больше, чем обучающихся 10–18 лет",
    ),
    ConsistencyRule(
        "mentor_db_when_mentors",
        "has_mentor_db",
        "has_mentor_db = false AND mentors > 0",
        "база наставников отмечена как отсутствующая, хотя наставники есть",
    ),
)

# The first cell of the instructions sheet of the project's own template: such a sheet is
# skipped silently, while any other sheet without a header is skipped with a warning.
TEMPLATE_INSTRUCTIONS_MARK = "Инструкция к шаблону"
