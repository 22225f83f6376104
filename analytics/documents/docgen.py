"""The user guide to input forms and indicators, generated from the contract and the
catalogue so that it can never disagree with what the code accepts and computes.

``python -m analytics docs --out docs/forms.md`` rewrites it; a test checks that the
committed file is current.
"""

from __future__ import annotations

from analytics.model.catalogue import GROUPS, INDICATORS
from analytics.model.contract import (
    CONSISTENCY_RULES,
    FIELDS_BY_CODE,
    KIND_FIELDS,
    KIND_LABELS,
    NO_WORDS,
    ORG_TYPES,
    TYPE_LABELS,
    YES_WORDS,
    FormKind,
)
from analytics.model.legend import YELLOW_RATIO_HIGHER, Status, label_of
from analytics.wording.formatting import target_value


def _cell(text: str) -> str:
    return text.replace("|", "\\|")


def _fields_table(kind: FormKind) -> list[str]:
    lines = [
        "| Заголовок столбца | Другие написания | Тип значения | Обязательность |",
        "|---|---|---|---|",
    ]
    for f in KIND_FIELDS[kind]:
        if f.required:
            need = "обязательно"
        elif f.defaultable:
            need = "можно задать при загрузке для всего файла"
        else:
            need = "по желанию"
        synonyms = "; ".join(f.synonyms) or "—"
        lines.append(f"| {_cell(f.header)} | {_cell(synonyms)} | {TYPE_LABELS[f.type]} | {need} |")
    return lines


def render() -> str:
    """The whole guide as Markdown, in Russian."""
    out = [
        "# Формы мониторинга и показатели",
        "",
        "Этот файл создан автоматически из описания форм в программе "
        "(`python -m analytics docs --out docs/forms.md`); править его вручную не нужно.",
        "",
        "## Какие файлы принимаются",
        "",
        "Файлы .xlsx, .xlsm, .xls, .ods и .csv (кодировка UTF-8 или Windows-1251, "
        "разделитель «;», «,» или табуляция). Над таблицей могут быть строки с названием, "
        "заголовок может занимать две строки с объединёнными ячейками. Регистр, пробелы, "
        "кавычки, вид тире, буквы ё/е и единицы измерения в конце заголовка («, %», «(чел.)») "
        "не важны. Строки «Итого» и «Всего» пропускаются. Файл загружается целиком или не "
        "загружается совсем: все ошибки перечисляются сразу, с указанием листа, строки, "
        "столбца и значения.",
        "",
        f"Ответы «да»: {', '.join(YES_WORDS)}. Ответы «нет»: {', '.join(NO_WORDS)}. "
        "Пустая ячейка означает «нет ответа», а не «нет».",
        "",
    ]
    for kind in FormKind:
        out += [f"## {KIND_LABELS[kind]}", "", *_fields_table(kind), ""]
    out += ["## Типы организаций", "", "| Тип | Как можно написать |", "|---|---|"]
    out += [f"| {t.label} | {', '.join(t.words)} |" for t in ORG_TYPES]
    out += [
        "",
        "## Проверки согласованности",
        "",
        "Нарушение не мешает загрузке, но попадает в список замечаний к качеству данных.",
        "",
    ]
    out += [f"- {FIELDS_BY_CODE[r.field].header}: {r.message}." for r in CONSISTENCY_RULES]
    out += [
        "",
        "## Показатели",
        "",
        "Значение показателя — отношение сумм по всем организациям выбранной территории "
        "(а не среднее процентов организаций). Организация участвует в расчёте, только "
        "если заполнены и числитель, и знаменатель.",
        "",
    ]
    for group in GROUPS:
        out += [f"### {group.title}", ""]
        out += ["| Показатель | Как считается | Цель | Лучше |", "|---|---|---|---|"]
        for i in INDICATORS:
            if i.group != group.code:
                continue
            better = "больше" if i.better == "higher" else "меньше"
            out.append(f"| {i.name} | {i.description} | {target_value(i, i.target)} | {better} |")
        out.append("")
    out += [
        "## Цвета статуса",
        "",
        f"- Зелёный — {label_of(Status.GREEN)}.",
        f"- Жёлтый — {label_of(Status.YELLOW)}: не ниже "
        f"{round(YELLOW_RATIO_HIGHER * 100)} % цели (для показателей, где лучше меньше, — "
        "не выше 125 % цели).",
        f"- Красный — {label_of(Status.RED)}.",
        "",
        "Дефицит — показатель, не достигший цели (жёлтый или красный); отставание — "
        "расстояние до цели в единицах показателя. Дефициты везде перечислены от "
        "наибольшего: по отставанию в долях цели (так сравнимы показатели разных единиц); "
        "эта доля показана рядом с отставанием: «46,0 п. п. (46 % от цели)».",
        "",
    ]
    return "\n".join(out)
