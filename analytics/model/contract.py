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
    DATE = "date"
    MENTORING_FORM = "mentoring_form"
    MENTEE_CATEGORY = "mentee_category"
    OGRN = "ogrn"


@dataclass(frozen=True)
class Choice:
    """One value of a closed list: stored as ``code``, shown as ``label``.

    ``words`` are other spellings; matching also ignores case, quotes, ё/е, the dash kind
    and spaces around a dash, so «Педагог—педагог» is «педагог – педагог».
    """

    code: str
    label: str
    words: tuple[str, ...] = ()


# Forms of mentoring (Распоряжение Минпросвещения № Р-145), in the contract's order.
MENTORING_FORMS: tuple[Choice, ...] = (
    Choice("teacher_teacher", "педагог – педагог", ("учитель – учитель",)),
    Choice("head_teacher", "руководитель – педагог", ("руководитель – учитель",)),
    Choice("student_student", "ученик – ученик", ("обучающийся – обучающийся",)),
    Choice("student_pupil", "студент – ученик", ("студент – обучающийся",)),
    Choice("employer_pupil", "работодатель – ученик", ("работодатель – обучающийся",)),
    Choice("employer_student", "работодатель – студент"),
    Choice("mentor_group", "наставник – группа"),
    # Not among the target model's forms, but how municipal notes name a classic pair
    # (the second seed: «Наставник – наставляемый» – 34).
    Choice("mentor_mentee", "наставник – наставляемый"),
)
MENTORING_FORMS_BY_CODE: dict[str, Choice] = {c.code: c for c in MENTORING_FORMS}
# A mentor with several mentees in this form leads one group, not several pairs.
GROUP_FORM = "mentor_group"

# Categories of mentees; ``TEACHER_CATEGORIES`` are the ones the form counts as
# «Педагогов-наставляемых» (a blank category counts as a teacher too).
MENTEE_CATEGORIES: tuple[Choice, ...] = (
    Choice("young_specialist", "молодой специалист", ("молодой педагог",)),
    Choice("teacher", "педагог", ("педагогический работник", "учитель")),
    Choice("student", "обучающийся", ("обучающаяся", "ученик", "учащийся", "студент")),
)
MENTEE_CATEGORIES_BY_CODE: dict[str, Choice] = {c.code: c for c in MENTEE_CATEGORIES}
TEACHER_CATEGORIES: tuple[str, ...] = ("young_specialist", "teacher")


def _choice_list(choices: tuple[Choice, ...]) -> str:
    return ", ".join(f"«{c.label}»" for c in choices)


# DuckDB column type for each field type.
SQL_TYPES: dict[FieldType, str] = {
    FieldType.TEXT: "VARCHAR",
    FieldType.INN: "VARCHAR",
    FieldType.ORG_TYPE: "VARCHAR",
    FieldType.PERIOD: "VARCHAR",
    FieldType.YES_NO: "BOOLEAN",
    FieldType.COUNT: "BIGINT",
    FieldType.SHARE: "DOUBLE",
    FieldType.DATE: "DATE",
    FieldType.MENTORING_FORM: "VARCHAR",
    FieldType.MENTEE_CATEGORY: "VARCHAR",
    FieldType.OGRN: "VARCHAR",
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
    FieldType.DATE: "дата: 01.09.2022 или 2022-09-01",
    FieldType.MENTORING_FORM: f"форма наставничества: {_choice_list(MENTORING_FORMS)}",
    FieldType.MENTEE_CATEGORY: f"категория: {_choice_list(MENTEE_CATEGORIES)}",
    FieldType.OGRN: "ОГРН, 13 цифр",
}


@dataclass(frozen=True)
class Field:
    """One input column.

    ``code`` names the database column; ``header`` is the canonical header of the
    template; ``synonyms`` are other headers people write for the same column (header
    matching already ignores case, spaces, quotes, dash kinds, ё/е and trailing units).
    ``weak_synonyms`` are those of the synonyms that give way to any other spelling of
    the field in the same table (a registry with «Полное наименование» and «Краткое
    наименование» takes the full name; the short one alone is the name).
    ``defaultable`` fields may be absent from a file and given once at upload.
    """

    code: str
    header: str
    type: FieldType
    required: bool = False
    defaultable: bool = False
    synonyms: tuple[str, ...] = ()
    hint: str = ""
    weak_synonyms: tuple[str, ...] = ()


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
        "Муниципальный район/округ",
        "Муниципальный район / городской округ",
        "Муниципальный район",
        "Муниципальный округ",
    ),
)
DISTRICT = Field("district", "Район", FieldType.TEXT, synonyms=("Район города", "Округ"))
# Published registries give a short name beside the full one; alone, it is the name.
_SHORT_NAME_HEADERS = (
    "Краткое наименование",
    "Сокращённое наименование",
    "Краткое наименование организации",
)
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
        "Наименование",
        "Полное наименование",
        "Полное наименование организации",
        "Наименование учреждения",
        "Наименование образовательного учреждения",
        "Название школы",
        "Название организации",
        *_SHORT_NAME_HEADERS,
    ),
    weak_synonyms=_SHORT_NAME_HEADERS,
)
INN = Field(
    "inn",
    "ИНН",
    FieldType.INN,
    synonyms=("ИНН ОО", "ИНН организации", "ИНН учреждения", "inn"),
)
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
# Published registries carry the state registration number: checked, stored with the
# organisation and, like the ИНН, enough to know it by.
OGRN = Field(
    "ogrn",
    "ОГРН",
    FieldType.OGRN,
    synonyms=("ОГРН организации", "ОГРН учреждения", "ogrn"),
)


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


class FormKind(StrEnum):
    """Upload kinds of the contract."""

    ORG_FORM = "org-form"
    REGISTRY = "registry"
    MENTORS = "mentors"
    MENTEES = "mentees"


KIND_LABELS: dict[FormKind, str] = {
    FormKind.ORG_FORM: "Форма мониторинга ОО",
    FormKind.REGISTRY: "Реестр ОО",
    FormKind.MENTORS: "База наставников",
    FormKind.MENTEES: "База наставляемых",
}

# The person-level registers (База наставников, База наставляемых). ФИО in them is personal
# data (152-ФЗ): stored only to match a mentee to a mentor, shown only on the «Данные» page,
# never in an aggregate, a chart or an export.
MENTORING_FORM = Field(
    "mentoring_form",
    "Форма наставничества",
    FieldType.MENTORING_FORM,
    synonyms=("Форма", "Форма (модель) наставничества", "Модель наставничества"),
)
MENTOR_FIELDS: tuple[Field, ...] = (
    Field(
        "full_name",
        "ФИО наставника",
        FieldType.TEXT,
        required=True,
        synonyms=(
            "ФИО",
            "Ф.И.О.",
            "Ф.И.О. наставника",
            "Фамилия, имя, отчество наставника",
            "Фамилия, имя, отчество",
            "Наставник",
        ),
    ),
    Field("position", "Должность", FieldType.TEXT, synonyms=("Занимаемая должность",)),
    Field(
        "experience_years",
        "Педагогический стаж (лет)",
        FieldType.COUNT,
        synonyms=("Стаж педагогической работы", "Педагогический стаж, лет", "Стаж"),
    ),
    MENTORING_FORM,
    Field(
        "planned_mentees",
        "Количество наставляемых",
        FieldType.COUNT,
        synonyms=("Число наставляемых", "Кол-во наставляемых"),
    ),
    Field(
        "start_date",
        "Дата начала",
        FieldType.DATE,
        synonyms=("Дата начала наставничества", "Дата начала программы"),
    ),
    Field(
        "end_date",
        "Дата окончания",
        FieldType.DATE,
        synonyms=("Дата окончания наставничества", "Дата окончания программы"),
    ),
    Field(
        "trained",
        "Обучение пройдено",
        FieldType.YES_NO,
        synonyms=("Прошёл обучение", "Прошла обучение", "Обучение по программам наставничества"),
    ),
)
MENTEE_FIELDS: tuple[Field, ...] = (
    Field(
        "full_name",
        "ФИО наставляемого",
        FieldType.TEXT,
        required=True,
        synonyms=(
            "ФИО",
            "Ф.И.О.",
            "Ф.И.О. наставляемого",
            "Фамилия, имя, отчество наставляемого",
            "Фамилия, имя, отчество",
            "Наставляемый",
        ),
    ),
    Field(
        "category",
        "Категория",
        FieldType.MENTEE_CATEGORY,
        synonyms=("Категория наставляемого",),
    ),
    Field(
        "mentor_name",
        "ФИО наставника",
        FieldType.TEXT,
        synonyms=("Ф.И.О. наставника", "Наставник", "Фамилия, имя, отчество наставника"),
    ),
    MENTORING_FORM,
    Field(
        "start_date",
        "Дата вхождения в программу",
        FieldType.DATE,
        synonyms=("Дата вхождения", "Дата включения в программу", "Дата начала"),
    ),
    Field(
        "end_date",
        "Дата завершения",
        FieldType.DATE,
        synonyms=("Дата завершения программы", "Дата окончания"),
    ),
    Field(
        "completed",
        "Программа завершена",
        FieldType.YES_NO,
        synonyms=("Завершил программу", "Завершила программу", "Программа пройдена"),
    ),
)

KIND_FIELDS: dict[FormKind, tuple[Field, ...]] = {
    FormKind.ORG_FORM: (*HIERARCHY_FIELDS, PERIOD, *FORM_VALUE_FIELDS),
    FormKind.REGISTRY: (*HIERARCHY_FIELDS, OGRN),
    FormKind.MENTORS: (*HIERARCHY_FIELDS, PERIOD, *MENTOR_FIELDS),
    FormKind.MENTEES: (*HIERARCHY_FIELDS, PERIOD, *MENTEE_FIELDS),
}

# Optional columns whose absence is ordinary and goes unreported: many municipalities have
# no districts, and ОГРН is beyond the contract.
ORDINARY_ABSENCES: frozenset[str] = frozenset({DISTRICT.code, OGRN.code})

# Person bases name their organisation by ИНН or name; its territory and type are those
# of the organisation found (the target model's templates have no such columns). A column
# or an upload default may still give them.
PLACE_OPTIONAL: dict[FormKind, frozenset[str]] = {
    kind: frozenset({REGION.code, MUNICIPALITY.code, ORG_TYPE.code})
    for kind in (FormKind.MENTORS, FormKind.MENTEES)
}


def needs_value(kind: FormKind, f: Field) -> bool:
    """True if every row of a file of ``kind`` must give ``f``: in its column, or (for a
    defaultable field) as a value for the whole file given at upload."""
    return f.required or (f.defaultable and f.code not in PLACE_OPTIONAL.get(kind, frozenset()))


# Person registers: their kind → the table that holds them (a history table has the same
# name with ``_history``), and the start and end dates that must not run backwards.
PERSON_TABLES: dict[FormKind, str] = {FormKind.MENTORS: "mentors", FormKind.MENTEES: "mentees"}
PERSON_FIELDS: dict[FormKind, tuple[Field, ...]] = {
    FormKind.MENTORS: MENTOR_FIELDS,
    FormKind.MENTEES: MENTEE_FIELDS,
}
DATE_RANGES: tuple[tuple[str, str], ...] = (("start_date", "end_date"),)
# What makes a register row unique within an organisation and period: a mentor is listed
# once (mentees find their mentor by name); a mentee once per mentor.
PERSON_KEYS: dict[FormKind, tuple[str, ...]] = {
    FormKind.MENTORS: ("full_name",),
    FormKind.MENTEES: ("full_name", "mentor_name"),
}

FORM_VALUE_CODES: tuple[str, ...] = tuple(f.code for f in FORM_VALUE_FIELDS)
# Fields by code across kinds (a person register's ``full_name`` means the mentor or the
# mentee by kind: look those up in PERSON_FIELDS).
FIELDS_BY_CODE: dict[str, Field] = {f.code: f for fields in KIND_FIELDS.values() for f in fields}


@dataclass(frozen=True)
class OrgType:
    """A type of organisation. ``official`` is its name in federal lists: a value that
    starts with it («Общеобразовательная организация, осуществляющая обучение по
    адаптированным основным общеобразовательным программам») is of this type."""

    code: str
    label: str
    short: str
    plural_genitive: str
    words: tuple[str, ...] = field(default=())
    official: str = ""

    @property
    def in_scope(self) -> str:
        """The type in a scope's words: «общеобразовательная ОО», but «ОО дополнительного
        образования» (a genitive phrase stands after the noun)."""
        if self.label.endswith("ая"):
            return f"{self.label} ОО"
        return f"ОО {self.label}"


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
        "общеобразовательная организация",
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
        "дошкольная образовательная организация",
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
        "организация дополнительного образования",
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
        "профессиональная образовательная организация",
    ),
)
ORG_TYPES_BY_CODE: dict[str, OrgType] = {t.code: t for t in ORG_TYPES}

YES_WORDS: tuple[str, ...] = ("да", "+", "1", "есть", "имеется", "true", "истина", "yes")
NO_WORDS: tuple[str, ...] = ("нет", "-", "0", "отсутствует", "false", "ложь", "no")

# Columns of published lists that are not data of the contract and go without a warning:
# row numbers, addresses, phones, e-mail, site, head, licence, codes. A header is quiet
# when it is one of these or starts with one followed by a non-letter («Адрес (место
# нахождения)», «Телефон/факс»).
QUIET_HEADERS: tuple[str, ...] = (
    "№ п/п",
    "№",
    "п/п",
    "номер п/п",
    "адрес",
    "юридический адрес",
    "фактический адрес",
    "почтовый адрес",
    "место нахождения",
    "местонахождение",
    "индекс",
    "почтовый индекс",
    "телефон",
    "тел",
    "контактный телефон",
    "факс",
    "e-mail",
    "email",
    "эл. почта",
    "электронная почта",
    "сайт",
    "официальный сайт",
    "руководитель",
    "фио руководителя",
    "директор",
    "лицензия",
    "номер лицензии",
    "дата выдачи лицензии",
    "кпп",
    "октмо",
    "окпо",
    "окато",
)

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
