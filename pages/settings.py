"""Настройки: target overrides per indicator, period and territory, and the documents'
sign-off (issuing organisation, signatory, executor), stored in the database.

The catalogue's defaults apply where nothing is set; an override for a territory applies
to it and everything below it. Every change bumps the data version, so every view shows
the new targets and statuses at once.
"""

from __future__ import annotations

import math
import re

import pandas as pd
import streamlit as st

from analytics.compute.targets import OVERRIDABLE_LEVELS, TargetError
from analytics.model import legend
from analytics.model.catalogue import INDICATORS, INDICATORS_BY_ID
from analytics.model.levels import LEVEL_INFO, LEVEL_LABELS, Level
from analytics.model.periods import period_label
from analytics.store.signoff import MAX_LENGTH, SignOff, SignOffError
from analytics.wording import formatting
from ui.page import ALL, Page, guarded, page
from ui.tables import fitted, table_downloads
from ui.text import md


def body() -> None:
    ctx = page("Настройки", ":material/tune:")
    message = st.session_state.pop("settings_flash", None)
    if message:
        st.success(message, icon=":material/check_circle:")
    st.markdown(
        "Целевые значения показателей по умолчанию взяты из методики. Здесь их можно "
        "изменить для периода и территории: цель территории действует и для всех "
        "входящих в неё муниципалитетов, районов и организаций; более узкая территория "
        "важнее, а цель на конкретный период важнее цели на все периоды."
    )
    overrides = ctx.view.targets()
    _overrides(overrides)
    if ctx.principal.can_write:
        _set_form(ctx)
        _remove_form(ctx, overrides)
    else:
        st.caption("Изменять цели может администратор.")
    _effective(ctx)
    _signoff(ctx)


def _period_text(period: object) -> str:
    return "все периоды" if period is None or pd.isna(period) else period_label(str(period))


def overrides_table(overrides: pd.DataFrame) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "Показатель": overrides["name"].tolist(),
            "Период": [_period_text(p) for p in overrides["period"]],
            "Уровень": [LEVEL_LABELS[Level(lv)] for lv in overrides["level"]],
            "Территория": overrides["territory"].fillna("—").tolist(),
            "Цель": [
                formatting.target_bound(INDICATORS_BY_ID[i], t)
                for i, t in zip(overrides["indicator"], overrides["target"], strict=True)
            ],
            "По умолчанию": [
                formatting.target_bound(INDICATORS_BY_ID[i], INDICATORS_BY_ID[i].target)
                for i in overrides["indicator"]
            ],
            "Задано": [
                formatting.moment(pd.Timestamp(t).to_pydatetime()) for t in overrides["set_at"]
            ],
        }
    )


def _overrides(overrides: pd.DataFrame) -> None:
    st.subheader("Заданные цели")
    if overrides.empty:
        st.info("Цели не менялись: везде действуют значения по умолчанию.")
        return
    table = overrides_table(overrides)
    st.dataframe(table, hide_index=True, width="stretch", key="overrides")
    table_downloads(table, "Заданные цели", [], "overrides")


def territories(hierarchy: pd.DataFrame, level: Level) -> dict[int, str]:
    """Territory ids of ``level`` and their names as shown in the selectbox."""
    info = LEVEL_INFO[level]
    if info.key is None or info.name is None:
        return {}
    rows = hierarchy.dropna(subset=[info.key]).drop_duplicates(info.key)
    rows = rows.sort_values([info.name])
    names = rows[info.name].astype(str)
    if info.parent is not None:
        names = names + " (" + rows[LEVEL_INFO[info.parent].name].astype(str) + ")"
    return dict(zip(rows[info.key].astype(int), names, strict=True))


def parse_target(text: str) -> float | None:
    """``80``, ``80 %``, ``2,5`` → a number; None if it is not one."""
    cleaned = re.sub(r"[\s\u00a0%]", "", text or "").replace(",", ".")
    try:
        value = float(cleaned)
    except ValueError:
        return None
    return value if math.isfinite(value) else None


def _current_territory(ctx: Page, level: Level) -> int | None:
    key = LEVEL_INFO[level].key
    return getattr(ctx.filters, key) if key else None


def _set_form(ctx: Page) -> None:
    st.subheader("Задать цель")
    with st.container(border=True):
        left, right = st.columns(2)
        indicator_id = left.selectbox(
            "Показатель",
            [i.id for i in INDICATORS],
            format_func=lambda i: INDICATORS_BY_ID[i].name,
            key="target_indicator",
        )
        indicator = INDICATORS_BY_ID[indicator_id]
        period = right.selectbox(
            "Период",
            [ALL, *reversed(ctx.periods)],
            format_func=lambda p: "все периоды" if p == ALL else period_label(p),
            key="target_period",
        )
        left, right = st.columns(2)
        level = left.selectbox(
            "Уровень",
            list(OVERRIDABLE_LEVELS),
            format_func=lambda lv: LEVEL_INFO[lv].noun,
            key="target_level",
        )
        territory = None
        options = territories(ctx.hierarchy, level)
        if level is not Level.TOTAL:
            current = _current_territory(ctx, level)
            ids = list(options)
            territory = right.selectbox(
                "Территория",
                ids,
                index=ids.index(current) if current in ids else (0 if ids else None),
                format_func=options.get,
                key=f"target_territory_{level}",
                placeholder="нет территорий этого уровня",
            )
        value_text = st.text_input(
            f"Целевое значение ({'%' if indicator.is_percent else indicator.unit})",
            key="target_value",
            placeholder=(f"по умолчанию {formatting.target_value(indicator, indicator.target)}"),
            help=(
                f"{indicator.description} "
                f"{'Больше' if indicator.better == 'higher' else 'Меньше'} — лучше. "
                "Дробную часть отделяйте запятой: 2,5."
            ),
        )
        if st.button("Сохранить цель", type="primary", icon=":material/save:"):
            value = parse_target(value_text)
            if value is None:
                st.error("Введите целевое значение числом, например 80 или 2,5.")
                return
            try:
                ctx.view.set_target(
                    indicator_id,
                    value,
                    period=None if period == ALL else period,
                    level=level,
                    territory_id=territory,
                )
            except TargetError as error:
                st.error(f"Цель не сохранена: {md(error)}.", icon=":material/error:")
                return
            where = (
                LEVEL_INFO[Level.TOTAL].noun
                if level is Level.TOTAL
                else options.get(territory, "—")
            )
            st.session_state["settings_flash"] = (
                f"Цель сохранена: «{indicator.name}» — "
                f"{formatting.target_value(indicator, value)} ({_period_text(_none(period))}, "
                f"{where})."
            )
            st.session_state.pop("target_value", None)
            st.rerun()


def _none(period: str) -> str | None:
    return None if period == ALL else period


def _override_label(row: pd.Series) -> str:
    indicator = INDICATORS_BY_ID[row["indicator"]]
    return (
        f"{indicator.short}: {formatting.target_value(indicator, row['target'])} — "
        f"{_period_text(row['period'])}, {row['territory'] if pd.notna(row['territory']) else '—'}"
    )


def _remove_form(ctx: Page, overrides: pd.DataFrame) -> None:
    if overrides.empty:
        return
    st.subheader("Вернуть цель по умолчанию")
    labels = {n: _override_label(row) for n, row in overrides.iterrows()}
    chosen = st.selectbox(
        "Заданная цель", list(labels), format_func=labels.get, key="remove_choice"
    )
    if st.button("Удалить цель", icon=":material/delete:"):
        row = overrides.loc[chosen]
        level = Level(row["level"])
        ctx.view.remove_target(
            row["indicator"],
            period=None if pd.isna(row["period"]) else row["period"],
            level=level,
            territory_id=int(row["territory_id"]),
        )
        st.session_state["settings_flash"] = (
            f"Цель удалена: {labels[chosen]}. Действует цель по умолчанию или цель "
            "более широкой территории."
        )
        st.session_state.pop("remove_choice", None)
        st.rerun()


def effective_table(rows: pd.DataFrame) -> pd.DataFrame:
    rows = rows.set_index("indicator")
    ids = [i.id for i in INDICATORS if i.id in rows.index]
    return pd.DataFrame(
        {
            "Показатель": [INDICATORS_BY_ID[i].name for i in ids],
            "Значение": [
                formatting.indicator_value(INDICATORS_BY_ID[i], _float(rows.loc[i, "value"]))
                for i in ids
            ],
            "Действующая цель": [
                formatting.target_bound(INDICATORS_BY_ID[i], rows.loc[i, "target"]) for i in ids
            ],
            "По умолчанию": [
                formatting.target_bound(INDICATORS_BY_ID[i], INDICATORS_BY_ID[i].target)
                for i in ids
            ],
            "Статус": [legend.label_of(_status(rows.loc[i, "status"])) for i in ids],
        }
    )


def _float(value: object) -> float | None:
    return None if value is None or pd.isna(value) else float(value)


def _status(value: object) -> str | None:
    return None if value is None or pd.isna(value) else str(value)


def _effective(ctx: Page) -> None:
    st.subheader("Как цели действуют сейчас")
    f = ctx.filters
    st.caption(md(ctx.caption()))
    if f.period is None:
        st.info("Данных мониторинга пока нет.")
        return
    # The scope is the narrowest territory the filters choose; its total row takes that
    # territory's targets.
    frame = ctx.indicators(f.scope(levels=(Level.TOTAL,)))
    rows = frame[frame["level"] == Level.TOTAL]
    rows = rows[rows["period"] == f.period]
    if rows.empty:
        st.info("Для выбранных фильтров нет данных.")
        return
    table = effective_table(rows)
    st.dataframe(
        table,
        hide_index=True,
        width="stretch",
        key="effective",
        **fitted(table, ["Показатель", "Статус"], height_limit=900),
    )
    table_downloads(table, "Действующие цели", ctx.export_context(), "effective")


# The sign-off's fields as the form asks for them, with an example from a real note.
SIGNOFF_FIELDS: tuple[tuple[str, str, str], ...] = (
    ("organization", "Организация, выпускающая справку", "МАУ ИМЦ «Альтернатива»"),
    ("position", "Должность подписывающего", "Директор"),
    ("signatory", "Подписывающий (инициалы и фамилия)", "С. М. Давыдова"),
    ("executor", "Исполнитель (фамилия и инициалы)", "Кардакова Е. А."),
    ("contacts", "Контакты исполнителя", "8(3412)57-31-56, metod@example.ru"),
)


def _signoff(ctx: Page) -> None:
    st.subheader("Подпись справки")
    st.markdown(
        "Эти сведения печатаются в конце информационно-аналитической справки: должность "
        "и организация подписывающего, его фамилия, исполнитель и его контакты. Пока "
        "подписывающий не указан, в справке остаются пустые строки для подписи."
    )
    current = ctx.view.signoff()
    editable = ctx.principal.can_write
    with st.form("signoff_form", border=True):
        values = {
            name: st.text_input(
                label,
                value=getattr(current, name),
                placeholder=f"например, {example}",
                max_chars=MAX_LENGTH,
                disabled=not editable,
                key=f"signoff_{name}",
            )
            for name, label, example in SIGNOFF_FIELDS
        }
        saved = st.form_submit_button(
            "Сохранить подпись", type="primary", icon=":material/save:", disabled=not editable
        )
    if not editable:
        st.caption("Изменять подпись может администратор.")
        return
    if saved:
        try:
            ctx.view.set_signoff(SignOff(**values))
        except SignOffError as error:
            st.error(f"Подпись не сохранена: {md(error)}", icon=":material/error:")
            return
        st.session_state["settings_flash"] = "Подпись справки сохранена."
        st.rerun()


guarded(body)
