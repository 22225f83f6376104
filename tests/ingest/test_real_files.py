"""Files as people really send them, read and checked before anything is loaded: ИНН
with their check digit, hidden sheets, ODS merged cells, broken CSV quoting, published
registries, person bases without territory columns, partial forms and grouped problems.

These tests stop at the parse result (``read_sheets`` then ``parse_sheets``): what a
file says and what is wrong with it, before any organisation is matched or stored."""

from __future__ import annotations

import io
import zipfile
from xml.sax.saxutils import escape

import pytest
from openpyxl import Workbook
from openpyxl.utils import range_boundaries

from analytics.ingest.load import parse_bytes
from analytics.ingest.parse import Defaults, ParsedFile, parse_sheets
from analytics.ingest.problems import IngestError
from analytics.ingest.readers import UnreadableFile, read_sheets
from analytics.model.contract import FormKind
from tests.filemakers import FORM_COLUMNS, csv_bytes, org, table, xlsx_bytes

DEFAULTS = Defaults(
    region="Удмуртская Республика", municipality="г. Глазов", org_type="school", period="2023"
)


def parse(
    name: str, content: bytes, kind: FormKind = FormKind.ORG_FORM, defaults: Defaults = DEFAULTS
) -> ParsedFile:
    return parse_sheets(name, read_sheets(name, content), kind, defaults)


def texts(problems) -> list[str]:
    return [str(p) for p in problems]


# ИНН


def test_an_inn_with_a_wrong_check_digit_is_an_error_on_its_cell():
    rows = table([org("МБОУ «СОШ № 5»", inn="1833383619")], columns=["inn", *FORM_COLUMNS])
    result = parse("f.csv", csv_bytes(rows))
    assert texts(result.errors) == [
        "Файл «f.csv», строка 2, столбец «ИНН»: значение «1833383619» — неверное "
        "контрольное число ИНН: такого ИНН не существует, проверьте цифры"
    ]
    assert result.records == []


def test_a_nine_digit_numeric_inn_gets_its_zero_back_with_a_warning_naming_the_cell():
    rows = table([org("МБОУ «СОШ № 5»", inn=833383615)], columns=["inn", *FORM_COLUMNS])
    result = parse("f.xlsx", xlsx_bytes({"ОО": rows}))
    assert result.errors == []
    assert result.records[0].values["inn"] == "0833383615"
    assert texts(result.warnings) == [
        "Файл «f.xlsx», лист «ОО», строка 2, столбец «ИНН»: значение «833383615» — ИНН "
        "записан числом из 9 цифр: таблица отбросила ведущий ноль, ИНН прочитан как "
        "«0833383615»"
    ]


def test_a_ten_digit_inn_with_its_check_digit_loads_without_a_warning():
    rows = table([org("МБОУ «СОШ № 5»", inn=1833383617)], columns=["inn", *FORM_COLUMNS])
    result = parse("f.xlsx", xlsx_bytes({"ОО": rows}))
    assert (result.errors, result.warnings) == ([], [])
    assert result.records[0].values["inn"] == "1833383617"


# Hidden sheets


def workbook_with_hidden_sheet(state: str = "hidden") -> bytes:
    """Sheet «ОО» with this year's form (period 2023), and a hidden sheet «Архив 2022»
    holding last year's form of the same school."""
    workbook = Workbook()
    current = workbook.active
    current.title = "ОО"
    for row in table(
        [org("МБОУ «СОШ № 5»", period="2023")], columns=["inn", *FORM_COLUMNS, "period"]
    ):
        current.append(row)
    archive = workbook.create_sheet("Архив 2022")
    for row in table(
        [org("МБОУ «СОШ № 5»", period="2022")], columns=["inn", *FORM_COLUMNS, "period"]
    ):
        archive.append(row)
    archive.sheet_state = state
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


@pytest.mark.parametrize("state", ["hidden", "veryHidden"])
def test_a_hidden_archive_sheet_is_skipped_with_a_warning_and_loads_no_other_period(state):
    no_period = Defaults(region="Удмуртская Республика", municipality="г. Глазов")
    result = parse("f.xlsx", workbook_with_hidden_sheet(state), defaults=no_period)
    assert result.errors == []
    assert [(r.sheet, r.values["period"]) for r in result.records] == [("ОО", "2023")]
    assert result.sheets_read == ["ОО"]
    assert texts(result.warnings) == [
        "Файл «f.xlsx», лист «Архив 2022» — лист скрыт и не загружается; если его данные "
        "нужны, покажите лист в таблице и загрузите файл снова"
    ]


def test_a_workbook_whose_only_form_is_on_a_hidden_sheet_is_refused_saying_so():
    workbook = Workbook()
    workbook.active.title = "Пусто"
    hidden = workbook.create_sheet("ОО")
    for row in table([org("МБОУ «СОШ № 5»")]):
        hidden.append(row)
    hidden.sheet_state = "hidden"
    buffer = io.BytesIO()
    workbook.save(buffer)
    result = parse("f.xlsx", buffer.getvalue())
    assert texts(result.errors) == [
        "Файл «f.xlsx» — не найдена строка заголовков: ни один столбец не совпал с формой "
        "«Форма мониторинга ОО». Скачайте шаблон и сверьте заголовки; скрытые листы "
        "не читаются"
    ]


# ODS merged cells

_ODS_NAMESPACES = (
    'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
    'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
    'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0"'
)


def _ods_cell(value: object, spans: tuple[int, int] | None) -> str:
    span = ""
    if spans:
        span = f' table:number-rows-spanned="{spans[0]}" table:number-columns-spanned="{spans[1]}"'
    if value is None:
        return f"<table:table-cell{span}/>"
    if isinstance(value, int | float):
        return (
            f'<table:table-cell{span} office:value-type="float" office:value="{value}">'
            f"<text:p>{value}</text:p></table:table-cell>"
        )
    return (
        f'<table:table-cell{span} office:value-type="string">'
        f"<text:p>{escape(str(value))}</text:p></table:table-cell>"
    )


def ods_bytes(sheets: dict[str, list[list[object]]], merges: dict[str, list[str]]) -> bytes:
    """A minimal ODS written by hand, as LibreOffice writes merged cells: the top-left
    cell carries ``number-rows/columns-spanned``, the cells it covers are
    ``covered-table-cell``. ``merges`` are Excel ranges («A1:B1»), as for ``xlsx_bytes``."""
    tables = []
    for name, rows in sheets.items():
        anchors: dict[tuple[int, int], tuple[int, int]] = {}
        covered: set[tuple[int, int]] = set()
        for cells in merges.get(name, []):
            left, top, right, bottom = range_boundaries(cells)
            anchors[(top - 1, left - 1)] = (bottom - top + 1, right - left + 1)
            covered |= {
                (r - 1, c - 1) for r in range(top, bottom + 1) for c in range(left, right + 1)
            }
        width = max(len(row) for row in rows)
        body = []
        for r, row in enumerate(rows):
            cells = []
            for c in range(width):
                value = row[c] if c < len(row) else None
                if (r, c) in anchors or (r, c) not in covered:
                    cells.append(_ods_cell(value, anchors.get((r, c))))
                else:
                    cells.append("<table:covered-table-cell/>")
            body.append(f"<table:table-row>{''.join(cells)}</table:table-row>")
        tables.append(f'<table:table table:name="{escape(name)}">{"".join(body)}</table:table>')
    content = (
        f'<?xml version="1.0" encoding="UTF-8"?><office:document-content {_ODS_NAMESPACES} '
        f'office:version="1.2"><office:body><office:spreadsheet>{"".join(tables)}'
        "</office:spreadsheet></office:body></office:document-content>"
    )
    manifest = (
        '<?xml version="1.0" encoding="UTF-8"?><manifest:manifest xmlns:manifest='
        '"urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.2">'
        '<manifest:file-entry manifest:full-path="/" manifest:media-type='
        '"application/vnd.oasis.opendocument.spreadsheet"/><manifest:file-entry '
        'manifest:full-path="content.xml" manifest:media-type="text/xml"/></manifest:manifest>'
    )
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        mimetype = zipfile.ZipInfo("mimetype")
        archive.writestr(mimetype, "application/vnd.oasis.opendocument.spreadsheet")
        archive.writestr("META-INF/manifest.xml", manifest)
        archive.writestr("content.xml", content)
    return buffer.getvalue()


# A title row, a blank row, then a header over two rows: «Наименование ОО» merged down
# over both, «База» merged across «наставников» and «наставляемых».
MERGED_HEADER_FORM = [
    ["Мониторинг наставничества, 2023", None, None, None],
    [],
    ["Наименование ОО", "База", None, "Педагогических работников"],
    [None, "наставников", "наставляемых", None],
    ["МБОУ «СОШ № 5»", "да", "нет", 40],
    ["МБОУ «СОШ № 7»", "нет", "да", 25],
]
MERGED_HEADER_MERGES = {"ОО": ["A1:D1", "A3:A4", "B3:C3", "D3:D4"]}


def test_merged_header_cells_of_an_ods_form_are_spread_like_those_of_the_same_xlsx():
    sheets = {"ОО": MERGED_HEADER_FORM}
    ods = parse("f.ods", ods_bytes(sheets, MERGED_HEADER_MERGES))
    xlsx = parse("f.xlsx", xlsx_bytes(sheets, MERGED_HEADER_MERGES))
    assert (ods.errors, xlsx.errors) == ([], [])
    values = [
        (r.row, r.values["org_name"], r.values["has_mentor_db"], r.values["has_mentee_db"])
        for r in ods.records
    ]
    assert values == [(5, "МБОУ «СОШ № 5»", True, False), (6, "МБОУ «СОШ № 7»", False, True)]
    assert [r.values for r in ods.records] == [r.values for r in xlsx.records]


def test_a_merged_ods_cell_gives_its_value_to_every_cell_it_covers():
    rows = [[None, None, None], [None, "Район", None], [None, None, None], ["a", "b", "c"]]
    sheet = read_sheets("f.ods", ods_bytes({"Лист1": rows}, {"Лист1": ["B2:C3"]}))[0]
    assert sheet.rows == [
        ["", "", ""],
        ["", "Район", "Район"],
        ["", "Район", "Район"],
        ["a", "b", "c"],
    ]


# Broken CSV quoting

HEADER_LINE = "Наименование ОО;Тип ОО;Педагогических работников;Педагогов-наставников\r\n"


def csv_problem(text: str) -> str:
    with pytest.raises(UnreadableFile) as error:
        read_sheets("f.csv", text.encode())
    return str(error.value)


def test_a_quote_never_closed_is_refused_at_the_line_it_opens():
    text = HEADER_LINE + "СОШ № 1;СОШ;40;5\r\n" + '"СОШ № 2;СОШ;30;4\r\nСОШ № 3;СОШ;20;3\r\n'
    assert csv_problem(text) == (
        "строка 3: незакрытая кавычка — ячейка начинается с кавычки, которая не закрыта до "
        "конца файла; исправьте кавычки в этой строке"
    )


def test_a_quote_closed_lines_later_is_refused_rather_than_swallowing_the_rows_between():
    text = (
        HEADER_LINE
        + '"СОШ № 1;СОШ;40;5\r\n'
        + "СОШ № 2;СОШ;30;4\r\n"
        + 'СОШ № 3";СОШ;20;3\r\n'
        + "СОШ № 4;СОШ;10;1\r\n"
    )
    assert csv_problem(text) == (
        "строка 2: незакрытая кавычка — ячейка, начатая кавычкой, захватила следующие "
        "строки файла (до строки 4); исправьте кавычки в этой строке"
    )


def test_text_after_a_closing_quote_is_refused_at_its_line_rather_than_dropping_the_quote():
    text = HEADER_LINE + "СОШ № 1;СОШ;40;5\r\n" + '"СОШ" № 2;СОШ;30;4\r\n'
    assert csv_problem(text) == (
        "строка 3: после закрывающей кавычки в ячейке есть ещё текст; кавычку внутри ячейки "
        'пишут двойной ("") — исправьте кавычки в этой строке'
    )


def test_a_broken_csv_is_refused_naming_the_file_and_its_line():
    text = HEADER_LINE + '"СОШ № 1;СОШ;40;5\r\n'
    with pytest.raises(IngestError) as error:
        parse_bytes("f.csv", text.encode(), FormKind.ORG_FORM, DEFAULTS)
    assert [str(p) for p in error.value.problems] == [
        "Файл «f.csv» — строка 2: незакрытая кавычка — ячейка начинается с кавычки, которая "
        "не закрыта до конца файла; исправьте кавычки в этой строке"
    ]


def test_quotes_that_csv_allows_are_read_as_written():
    text = (
        'Наименование ОО,"Педагогов-\r\nнаставников, чел."\r\n'
        'МБОУ "СОШ № 5",3\r\n'
        '"МБОУ ""Гимназия № 1""",4\r\n'
    )
    assert read_sheets("f.csv", text.encode())[0].rows == [
        ["Наименование ОО", "Педагогов-\r\nнаставников, чел."],
        ['МБОУ "СОШ № 5"', "3"],
        ['МБОУ "Гимназия № 1"', "4"],
    ]


# Registries as published

PUBLISHED_HEADER = [
    "№ п/п",
    "Субъект РФ",
    "Муниципальный район/округ",
    "Полное наименование",
    "Краткое наименование",
    "inn",
    "ОГРН",
    "Тип образовательной организации",
    "Адрес (место нахождения)",
    "Телефон/факс",
    "Электронная почта",
]
ADAPTED_SCHOOL = (
    "Общеобразовательная организация, осуществляющая обучение по адаптированным основным "
    "общеобразовательным программам"
)


def published_row(number: int, name: str, short: str, inn: str, ogrn: str, kind: str, address: str):
    return [
        number,
        "Удмуртская Республика",
        "г. Глазов",
        name,
        short,
        inn,
        ogrn,
        kind,
        address,
        "+7 (34141) 2-22-22",
        "school@example.ru",
    ]


def registry(*rows: list[object]) -> ParsedFile:
    return parse("реестр.csv", csv_bytes([PUBLISHED_HEADER, *rows]), FormKind.REGISTRY, Defaults())


def test_a_registry_as_published_loads_with_its_own_headers_and_official_type_names():
    result = registry(
        published_row(
            1,
            "Муниципальное бюджетное общеобразовательное учреждение «Средняя "
            "общеобразовательная школа № 5»",
            "МБОУ «СОШ № 5»",
            "1833383617",
            "1021801091234",
            "Общеобразовательная организация",
            "ул. Мира, 1",
        ),
        published_row(
            2,
            "Муниципальное бюджетное дошкольное образовательное учреждение «Детский сад № 12»",
            "МБДОУ «Детский сад № 12»",
            "1833391537",
            "1021801095678",
            "Дошкольная образовательная организация",
            "ул. Мира, 3",
        ),
        published_row(
            3,
            "Муниципальное казённое общеобразовательное учреждение «Школа-интернат № 2»",
            "МКОУ «Школа-интернат № 2»",
            "1829012345",
            "1021801099999",
            ADAPTED_SCHOOL,
            "ул. Кирова, 7",
        ),
        published_row(
            4,
            "Муниципальное бюджетное учреждение дополнительного образования «Дом "
            "детского творчества»",
            "МБУ ДО «ДДТ»",
            "1829009984",
            "1021801090001",
            "Организация дополнительного образования",
            "ул. Ленина, 2",
        ),
        published_row(
            5,
            "Бюджетное профессиональное образовательное учреждение Удмуртской "
            "Республики «Глазовский политехнический колледж»",
            "БПОУ УР «ГПК»",
            "1829008525",
            "1021801090002",
            "Профессиональная образовательная организация",
            "ул. Энгельса, 10",
        ),
    )
    assert (result.errors, result.warnings) == ([], [])
    assert [
        (r.values["org_name"][:40], r.values["inn"], r.values["ogrn"], r.values["org_type"])
        for r in result.records
    ] == [
        ("Муниципальное бюджетное общеобразователь", "1833383617", "1021801091234", "school"),
        ("Муниципальное бюджетное дошкольное образ", "1833391537", "1021801095678", "preschool"),
        ("Муниципальное казённое общеобразовательн", "1829012345", "1021801099999", "school"),
        ("Муниципальное бюджетное учреждение допол", "1829009984", "1021801090001", "additional"),
        ("Бюджетное профессиональное образовательн", "1829008525", "1021801090002", "vocational"),
    ]
    assert {(r.values["region"], r.values["municipality"]) for r in result.records} == {
        ("Удмуртская Республика", "г. Глазов")
    }


@pytest.mark.parametrize(
    "header",
    ["Наименование", "Наименование учреждения", "Название школы", "Краткое наименование"],
)
def test_a_registry_names_its_organisations_under_any_usual_header(header):
    rows = [[header, "ИНН", "Тип ОО"], ["МБОУ «СОШ № 5»", "1833383617", "СОШ"]]
    defaults = Defaults(region="Удмуртская Республика", municipality="г. Глазов")
    result = parse("реестр.csv", csv_bytes(rows), FormKind.REGISTRY, defaults)
    assert (result.errors, result.warnings) == ([], [])
    assert result.records[0].values["org_name"] == "МБОУ «СОШ № 5»"


def test_an_ogrn_that_is_not_thirteen_digits_is_an_error_on_its_cell():
    result = registry(
        published_row(1, "МБОУ «СОШ № 5»", "", "1833383617", "102180109123", "СОШ", "ул. Мира, 1")
    )
    assert texts(result.errors) == [
        "Файл «реестр.csv», строка 2, столбец «ОГРН»: значение «102180109123» — ОГРН "
        "организации — 13 цифр"
    ]


def test_rows_repeating_an_organisation_per_building_merge_into_one_with_a_warning():
    school = ("МБОУ «СОШ № 5»", "МБОУ СОШ 5", "1833383617", "1021801091234", "СОШ")
    result = registry(
        published_row(1, *school, "ул. Мира, 1"),
        published_row(2, *school, "ул. Мира, 1а (корпус 2)"),
        published_row(3, "МБОУ «СОШ № 7»", "", "1833391537", "", "СОШ", "ул. Кирова, 3"),
    )
    assert result.errors == []
    assert [(r.row, r.values["org_name"]) for r in result.records] == [
        (2, "МБОУ «СОШ № 5»"),
        (4, "МБОУ «СОШ № 7»"),
    ]
    assert texts(result.warnings) == [
        "Файл «реестр.csv», строка 3, столбец «Наименование ОО»: значение «МБОУ «СОШ № 5»» — "
        "строка повторяет строку 2 (та же организация с теми же данными, например другое "
        "здание или лицензия); организация загружается один раз"
    ]


def test_rows_with_one_inn_and_different_data_are_an_error_naming_both_rows():
    result = registry(
        published_row(1, "МБОУ «СОШ № 5»", "", "1833383617", "", "СОШ", "ул. Мира, 1"),
        published_row(2, "МБДОУ «Детский сад № 5»", "", "1833383617", "", "детский сад", ""),
    )
    assert texts(result.errors) == [
        "Файл «реестр.csv», строка 3, столбец «Наименование ОО»: значение «МБДОУ «Детский сад "
        "№ 5»» — эта организация уже указана в строке 2, но с другими данными: «Наименование "
        "ОО»: «МБОУ «СОШ № 5»» и «МБДОУ «Детский сад № 5»»; «Тип ОО»: «СОШ» и «детский сад»; "
        "оставьте одну строку"
    ]


# Person bases with the target model's columns only

MENTOR_TEMPLATE = [
    "ФИО наставника",
    "Наименование ОО",
    "ИНН",
    "Должность",
    "Педагогический стаж (лет)",
    "Форма наставничества",
    "Количество наставляемых",
    "Дата начала",
    "Дата окончания",
    "Обучение пройдено",
    "Период",
]
MENTOR = [
    "Иванова Анна Петровна",
    "МБОУ «СОШ № 5»",
    "1833383617",
    "учитель математики",
    "22",
    "педагог – педагог",
    "2",
    "01.09.2023",
    "31.05.2024",
    "да",
    "2023/2024",
]
MENTEE_TEMPLATE = [
    "ФИО наставляемого",
    "Наименование ОО",
    "ИНН",
    "Категория",
    "ФИО наставника",
    "Форма наставничества",
    "Дата вхождения в программу",
    "Дата завершения",
    "Программа завершена",
    "Период",
]
MENTEE = [
    "Петров Илья Сергеевич",
    "МБОУ «СОШ № 5»",
    "1833383617",
    "молодой специалист",
    "Иванова Анна Петровна",
    "педагог – педагог",
    "01.09.2023",
    "",
    "нет",
    "2023/2024",
]


@pytest.mark.parametrize(
    ("kind", "rows"),
    [(FormKind.MENTORS, [MENTOR_TEMPLATE, MENTOR]), (FormKind.MENTEES, [MENTEE_TEMPLATE, MENTEE])],
)
def test_a_person_base_with_the_templates_columns_only_parses_without_territory(kind, rows):
    result = parse("база.csv", csv_bytes(rows), kind, Defaults())
    assert (result.errors, result.warnings) == ([], [])
    values = result.records[0].values
    assert (values["region"], values["municipality"], values["org_type"]) == (None, None, None)
    assert (values["org_name"], values["inn"], values["period"]) == (
        "МБОУ «СОШ № 5»",
        "1833383617",
        "2023/2024",
    )


def test_a_person_base_takes_territory_and_type_from_upload_defaults_where_given():
    defaults = Defaults(region="Удмуртская Республика", municipality="г. Глазов", org_type="СОШ")
    result = parse("база.csv", csv_bytes([MENTOR_TEMPLATE, MENTOR]), FormKind.MENTORS, defaults)
    values = result.records[0].values
    assert (values["region"], values["municipality"], values["org_type"]) == (
        "Удмуртская Республика",
        "г. Глазов",
        "school",
    )


def test_a_person_base_still_needs_its_period_from_a_column_or_the_upload():
    rows = [MENTOR_TEMPLATE[:-1], MENTOR[:-1]]
    result = parse("база.csv", csv_bytes(rows), FormKind.MENTORS, Defaults())
    assert texts(result.errors) == [
        "Файл «база.csv» — нет столбца «Период»; укажите значение для всего файла при загрузке"
    ]


# Partial files said out loud

PARTIAL_COLUMNS = [c for c in FORM_COLUMNS if c != "mentors"]


def test_a_form_without_some_contract_columns_names_them_all_in_one_warning():
    rows = table([org("МБОУ «СОШ № 5»")], PARTIAL_COLUMNS)
    result = parse("f.csv", csv_bytes(rows))
    assert result.errors == []
    assert texts(result.warnings) == [
        "Файл «f.csv» — в файле нет столбцов формы: «ИНН», «Педагогов-наставников»; их "
        "значения не будут загружены"
    ]
    assert result.missing_columns == ["inn", "mentors"]


def test_a_sheet_without_one_contract_column_names_it_in_the_singular():
    rows = table([org("МБОУ «СОШ № 5»")], ["inn", *PARTIAL_COLUMNS])
    result = parse("f.xlsx", xlsx_bytes({"ОО": rows}))
    assert texts(result.warnings) == [
        "Файл «f.xlsx», лист «ОО» — на листе нет столбца формы «Педагогов-наставников»; его "
        "значения не будут загружены"
    ]
    assert result.missing_columns == ["mentors"]


def test_a_complete_form_has_no_missing_columns_even_without_district_or_upload_defaults():
    result = parse("f.csv", csv_bytes(table([org("МБОУ «СОШ № 5»")], ["inn", *FORM_COLUMNS])))
    assert (result.warnings, result.missing_columns) == ([], [])


def test_an_unknown_header_close_to_a_missing_column_suggests_it():
    rows = table(
        [org("МБОУ «СОШ № 5»")], ["inn", *FORM_COLUMNS], {"mentors": "Педагогов наставнико"}
    )
    result = parse("f.csv", csv_bytes(rows))
    assert texts(result.warnings) == [
        "Файл «f.csv» — в файле нет столбца формы «Педагогов-наставников»; его значения не "
        "будут загружены",
        "Файл «f.csv», строка 1, столбец «Педагогов наставнико» — столбец не входит в форму и "
        "не загружается; возможно, имелся в виду «Педагогов-наставников»",
    ]


def test_an_unknown_header_like_no_missing_column_gets_no_suggestion():
    header, *data = table([org("МБОУ «СОШ № 5»")], ["inn", *FORM_COLUMNS])
    rows = [[*header, "Примечание"], *[[*row, "сдано"] for row in data]]
    result = parse("f.csv", csv_bytes(rows))
    assert texts(result.warnings) == [
        "Файл «f.csv», строка 1, столбец «Примечание» — столбец не входит в форму и не загружается"
    ]
