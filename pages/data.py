"""Данные: upload files (checked first, written only on «Загрузить»), the upload history
with rollback, the registry and who has not reported, the bases of mentors and mentees
(the only place their names are shown, and where they are deleted), the data-quality list
with links to each school's profile."""

from __future__ import annotations

from dataclasses import replace
from functools import partial

import pandas as pd
import streamlit as st

from analytics.compute import quality
from analytics.ingest.load import Decisions, RollbackRefused
from analytics.ingest.parse import Defaults
from analytics.ingest.template import build_template
from analytics.model.contract import KIND_FIELDS, KIND_LABELS, ORG_TYPES, PERIOD, Kind
from analytics.model.levels import Level
from analytics.model.periods import period_label
from analytics.operations.users import Role
from analytics.store import audit
from analytics.store.scope import Scope
from analytics.wording import formatting
from ui import matrix, person_bases_view, upload
from ui.page import ALL, ORG_CHOICE_LIMIT, Page, guarded, page
from ui.tables import table_downloads
from ui.text import md

NO_TYPE = ""


def body() -> None:
    ctx = page("Данные", ":material/upload_file:")
    _flash()
    if ctx.is_demo and ctx.principal.can_write:
        _demo_block(ctx)
    sections = [
        ("Загрузка файлов", _loading, ctx.principal.can_write),
        ("История загрузок", _history, _sees_uploads(ctx)),
        ("Журнал действий", _audit_log, _sees_uploads(ctx)),
        ("Реестр и отчётность", _registry, True),
        ("Базы наставников и наставляемых", _registers, True),
        ("Качество данных", _quality, True),
    ]
    shown = [(label, draw) for label, draw, allowed in sections if allowed]
    for tab, (_, draw) in zip(st.tabs([label for label, _ in shown]), shown, strict=True):
        with tab:
            draw(ctx)


def _sees_uploads(ctx: Page) -> bool:
    """The upload log names files and people: for the administrator and analysts."""
    return ctx.principal.role in (Role.ADMIN, Role.ANALYST)


def _flash() -> None:
    """A message left by the action that ran before the last rerun."""
    message = st.session_state.pop("data_flash", None)
    if message:
        st.success(message, icon=":material/check_circle:")


# --- demo data ---------------------------------------------------------------------


def _demo_block(ctx: Page) -> None:
    with st.container(border=True):
        st.markdown(
            "Сейчас в базе **демонстрационные данные**. Прежде чем загружать свои файлы, "
            "удалите их, чтобы вымышленные организации не смешались с настоящими."
        )
        if not st.session_state.get("confirm_clear"):
            if st.button("Удалить демонстрационные данные", icon=":material/delete_sweep:"):
                st.session_state["confirm_clear"] = True
                st.rerun()
            return
        st.warning(
            "Будут удалены все организации, формы, реестр, история загрузок и заданные цели. "
            "Отменить это действие нельзя. Продолжить?",
            icon=":material/warning:",
        )
        yes, no, _ = st.columns([2, 1, 4])
        if yes.button("Да, удалить и начать с пустой базы", type="primary"):
            ctx.view.clear_database()
            st.session_state.pop("confirm_clear", None)
            st.session_state["data_flash"] = (
                "Демонстрационные данные удалены. База пуста — загрузите свои файлы."
            )
            st.rerun()
        if no.button("Нет, оставить"):
            st.session_state.pop("confirm_clear", None)
            st.rerun()


# --- loading -----------------------------------------------------------------------


def _loading(ctx: Page) -> None:
    st.markdown(
        "Загрузите один или несколько файлов (CSV, XLSX, XLSM, XLS, ODS). Сначала файлы "
        "проверяются, и вы видите отчёт; в базу они записываются только после нажатия "
        "«Загрузить». Файл с ошибками не загружается целиком."
    )
    kind = st.radio(
        "Что загружаете",
        list(Kind),
        format_func=lambda k: KIND_LABELS[k],
        horizontal=True,
        key="upload_kind",
    )
    st.download_button(
        f"Скачать шаблон «{KIND_LABELS[kind]}» (XLSX)",
        # Made when clicked: building the workbook takes longer than the rest of the page.
        data=partial(_template, str(kind)),
        on_click="ignore",
        file_name=person_bases_view.kind_file_name(kind),
        mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        icon=":material/download:",
        key="template",
    )
    generation = st.session_state.setdefault("uploader_generation", 0)
    files = st.file_uploader(
        "Файлы",
        type=list(upload.FILE_TYPES),
        accept_multiple_files=True,
        key=f"uploader_{generation}",
        help="Можно выбрать сразу несколько файлов, например формы разных муниципалитетов.",
    )
    defaults = _defaults_inputs(ctx, kind)
    if not files:
        _last_report()
        return
    st.session_state.pop("upload_report", None)
    st.session_state.pop("upload_skipped", None)
    checks = _checks(ctx, [(f.name, f.getvalue()) for f in files], kind, defaults)
    st.subheader("Предварительная проверка")
    for check in checks:
        _show_check(ctx, check, kind, defaults)
    good = [c for c in checks if c.ready]
    bad = [c for c in checks if not c.ok]
    if bad:
        st.caption(
            "Файлы с ошибками не будут загружены: "
            + ", ".join(f"«{md(c.name)}»" for c in bad)
            + ". Исправьте их и выберите снова."
        )
    st.info(
        "В базу пока ничего не записано. Проверьте отчёт и нажмите «Загрузить».",
        icon=":material/info:",
    )
    if st.button("Загрузить", type="primary", disabled=not good, icon=":material/upload:"):
        _commit(ctx, checks, kind, defaults)


@st.cache_data(show_spinner=False)
def _template(kind: str) -> bytes:
    return build_template(Kind(kind))


def _defaults_inputs(ctx: Page, kind: Kind) -> Defaults:
    st.markdown("**Значения для всего файла**")
    st.caption(
        "Заполните, если в файле нет такого столбца: значение применится ко всем его "
        "строкам. Если столбец в файле есть, берётся значение из файла."
    )
    regions = sorted(ctx.hierarchy["region"].dropna().unique().tolist())
    municipalities = sorted(ctx.hierarchy["municipality"].dropna().unique().tolist())
    has_period = PERIOD in KIND_FIELDS[kind]
    columns = st.columns(4 if has_period else 3)
    region = columns[0].text_input(
        "Регион",
        key="default_region",
        placeholder="например, Удмуртская Республика",
        help=_known("Регионы в базе", regions),
    )
    municipality = columns[1].text_input(
        "Муниципалитет",
        key="default_municipality",
        placeholder="например, г. Глазов",
        help=_known("Муниципалитеты в базе", municipalities),
    )
    org_type = columns[2].selectbox(
        "Тип ОО",
        [NO_TYPE, *[t.code for t in ORG_TYPES]],
        format_func=lambda code: {t.code: t.label for t in ORG_TYPES}.get(code, "не задан"),
        key="default_org_type",
    )
    period = None
    if has_period:
        period = columns[3].text_input(
            "Период",
            key="default_period",
            placeholder="2023 или 2023/2024",
            help="Календарный год (2023) или учебный год (2023/2024, 2023-24).",
        )
    return upload.make_defaults(region, municipality, org_type or None, period)


def _known(title: str, names: list[str]) -> str | None:
    if not names:
        return None
    shown = ", ".join(names[:30]) + (" …" if len(names) > 30 else "")
    return f"{title}: {shown}. Можно ввести и новое название."


def _checks(
    ctx: Page, files: list[tuple[str, bytes]], kind: Kind, defaults: Defaults
) -> list[upload.FileCheck]:
    """Previews, remembered for this data version so a rerun does not re-read the files."""
    cache: dict = st.session_state.setdefault("upload_checks", {})
    checks = []
    fresh = {}
    for name, content in files:
        key = (name, hash(content), len(content), str(kind), defaults, ctx.version)
        check = cache.get(key) or upload.check_file(ctx.view, name, content, kind, defaults)
        fresh[key] = check
        checks.append(check)
    st.session_state["upload_checks"] = fresh
    return checks


def _show_check(ctx: Page, check: upload.FileCheck, kind: Kind, defaults: Defaults) -> None:
    with st.container(border=True):
        if not check.ok:
            noun = formatting.count(len(check.problems), "ошибка", "ошибки", "ошибок")
            st.error(
                f"Файл «{md(check.name)}» не будет загружен: {noun}.",
                icon=":material/error:",
            )
            problems = upload.problems_frame(check.problems)
            st.dataframe(problems, hide_index=True, width="stretch")
            # The error list goes back to the school that sent the file.
            table_downloads(
                problems,
                f"Ошибки в файле {check.name}",
                [f"Файл: {check.name}"],
                f"problems_{check.name}",
            )
            return
        result = check.result
        if result.needs_review:
            st.warning(
                f"Файл «{md(check.name)}» проверен: {md(person_bases_view.check_summary(result))}. "
                "Прежде чем загружать, примите решения ниже.",
                icon=":material/rule:",
            )
            check.decisions = _review(ctx, check, kind, defaults)
        else:
            st.success(
                f"Файл «{md(check.name)}» можно загрузить: "
                f"{md(person_bases_view.check_summary(result))}.",
                icon=":material/task_alt:",
            )
        if result.warnings:
            label = formatting.count(
                len(result.warnings), "предупреждение", "предупреждения", "предупреждений"
            )
            with st.expander(f"Предупреждения: {label} (данные загрузятся)"):
                st.dataframe(
                    upload.problems_frame(result.warnings), hide_index=True, width="stretch"
                )


def _review(ctx: Page, check: upload.FileCheck, kind: Kind, defaults: Defaults) -> Decisions:
    """The user's decisions on the rows of a checked file that await one: which
    organisation each unplaced row is, and whether moves and partial replacements go
    ahead. Nothing is written until «Загрузить»."""
    result = check.result
    choices: dict[tuple[str, int], int | str] = {}
    new_orgs = move_orgs = replace_partial = False
    if result.unplaced:
        st.markdown(
            f"**Не удалось определить организацию: "
            f"{formatting.count(len(result.unplaced), 'строка', 'строки', 'строк')}.** "
            "Выберите для каждой строки организацию из базы или отметьте её как новую. "
            "Выбор запоминается: в следующих файлах такое написание будет узнано само."
        )
        new_orgs = st.checkbox(
            "Все эти строки — новые организации",
            key=f"new_orgs_{check.name}",
        )
        if not new_orgs:
            for row in result.unplaced[:_REVIEW_ROWS]:
                options = upload.match_options(row)
                where = f"лист «{row.sheet}», " if row.sheet else ""
                label = st.selectbox(
                    f"{where}строка {row.row}: «{row.name}» — {row.reason}",
                    list(options),
                    key=f"match_{check.name}_{row.sheet}_{row.row}",
                )
                if options[label] is not None:
                    choices[(row.sheet, row.row)] = options[label]
            if len(result.unplaced) > _REVIEW_ROWS:
                st.caption(
                    f"Показаны первые {_REVIEW_ROWS} строк из {len(result.unplaced)}. Так много "
                    "строк без сопоставления бывает, когда неверно указан муниципалитет или не "
                    "загружен реестр: проверьте это, прежде чем отмечать строки как новые."
                )
    check.rechecked = None
    if choices or new_orgs:
        rechecked = upload.recheck(ctx.view, check, kind, defaults, Decisions(choices, new_orgs))
        if isinstance(rechecked, list):
            st.error("Выбор не подходит:", icon=":material/error:")
            st.dataframe(upload.problems_frame(rechecked), hide_index=True, width="stretch")
            return Decisions()
        check.rechecked = result = rechecked
        st.caption(f"С учётом выбора: {md(person_bases_view.check_summary(rechecked))}.")
    if result.moves:
        st.markdown("**Организации, которые файл переносит в другой муниципалитет**")
        st.dataframe(upload.moves_frame(result), hide_index=True, width="stretch")
        move_orgs = st.checkbox("Перенести эти организации", key=f"move_{check.name}")
    if result.partial:
        st.markdown("**Формы, которые файл заменит менее полными.** Сейчас в базе и в файле:")
        st.dataframe(upload.partial_frame(result.partial), hide_index=True, width="stretch")
        replace_partial = st.checkbox(
            "Заменить эти формы данными из файла (пропавшие ответы останутся в истории)",
            key=f"partial_{check.name}",
        )
    return Decisions(choices, new_orgs, move_orgs, replace_partial)


# Rows of one file offered for matching one by one; more than this usually means a wrong
# municipality at upload rather than that many new organisations.
_REVIEW_ROWS = 100


def _commit(ctx: Page, checks: list[upload.FileCheck], kind: Kind, defaults: Defaults) -> None:
    bar = st.progress(0.0, text="Загрузка…")

    def progress(done: int, total: int, name: str) -> None:
        text = (
            f"Загружается файл {done + 1} из {total}: {md(name)}"
            if done < total
            else f"Загружено файлов: {total}"
        )
        bar.progress(done / total if total else 1.0, text=text)

    loads = upload.load_files(ctx.view, checks, kind, defaults, on_progress=progress)
    st.session_state["upload_report"] = loads
    st.session_state["upload_skipped"] = [c.name for c in checks if not c.ok]
    st.session_state["uploader_generation"] = st.session_state["uploader_generation"] + 1
    st.session_state.pop("upload_checks", None)
    st.rerun()


def _last_report() -> None:
    loads: list[upload.FileLoad] = st.session_state.get("upload_report") or []
    skipped: list[str] = (st.session_state.get("upload_skipped") or []) if loads else []
    if skipped:
        st.warning(
            "Не загружены из-за ошибок: " + ", ".join(f"«{md(name)}»" for name in skipped) + ".",
            icon=":material/warning:",
        )
    for load in loads:
        if load.ok:
            summary = person_bases_view.load_summary(load.result)
            st.success(
                f"Загружен файл «{md(load.name)}»: {md(summary)}.",
                icon=":material/check_circle:",
            )
            if load.result.warnings:
                with st.expander(
                    "Предупреждения: "
                    + formatting.count(
                        len(load.result.warnings),
                        "предупреждение",
                        "предупреждения",
                        "предупреждений",
                    )
                ):
                    st.dataframe(
                        upload.problems_frame(load.result.warnings),
                        hide_index=True,
                        width="stretch",
                    )
        else:
            st.error(f"Файл «{md(load.name)}» не загружен.", icon=":material/error:")
            st.dataframe(upload.problems_frame(load.problems), hide_index=True, width="stretch")


# --- history and rollback ----------------------------------------------------------


def _history(ctx: Page) -> None:
    uploads = ctx.view.uploads()
    if uploads.empty:
        st.info("Загрузок пока не было.")
        return
    table = upload.uploads_table(uploads)
    purged = [formatting.day(pd.Timestamp(v)) if pd.notna(v) else "" for v in uploads["purged_at"]]
    table["Состояние"] = [
        f"{status}; персональные данные удалены {when}" if when else status
        for status, when in zip(table["Состояние"], purged, strict=True)
    ]
    st.dataframe(table, hide_index=True, width="stretch")
    table_downloads(table, "Журнал загрузок", ctx.export_context(), "uploads")
    active = uploads[uploads["rolled_back_at"].isna()].reset_index(drop=True)
    if active.empty or not ctx.principal.can_write:
        return
    st.markdown("**Отменить загрузку**")
    st.caption(
        "Данные загрузки удаляются, а значения, которые она заменила, восстанавливаются. "
        "Загрузки отменяются от поздних к ранним."
    )
    labels = {int(r["upload_id"]): upload.upload_label(r) for _, r in active.iterrows()}
    chosen = st.selectbox("Загрузка", list(labels), format_func=labels.get, key="rollback_choice")
    pending = st.session_state.get("rollback_pending")
    if pending != chosen:
        if st.button("Отменить загрузку…", icon=":material/undo:"):
            st.session_state["rollback_pending"] = chosen
            st.rerun()
        return
    st.warning(f"Отменить загрузку {md(labels[chosen])}?", icon=":material/warning:")
    yes, no, _ = st.columns([2, 1, 4])
    if yes.button("Да, отменить загрузку", type="primary"):
        st.session_state.pop("rollback_pending", None)
        try:
            ctx.view.rollback(chosen)
        except RollbackRefused as refused:
            st.error(f"Загрузку нельзя отменить: {md(refused)}.", icon=":material/block:")
            return
        st.session_state["data_flash"] = f"Загрузка {labels[chosen]} отменена."
        st.rerun()
    if no.button("Нет"):
        st.session_state.pop("rollback_pending", None)
        st.rerun()


# --- audit log ---------------------------------------------------------------------


def _audit_log(ctx: Page) -> None:
    log = ctx.view.audit()
    if log.empty:
        st.info("Действий с данными пока не было.")
        return
    st.caption("Кто загружал и отменял загрузки, менял цели, удалял данные.")
    table = pd.DataFrame(
        {
            "Время": [formatting.moment(t) for t in log["logged_at"]],
            "Пользователь": log["actor"].fillna("не указан").tolist(),
            "Действие": [audit.ACTION_LABELS.get(a, a) for a in log["action"]],
            "Объект": [audit.object_text(o) for o in log["object"]],
            "Подробности": [audit.details_text(d) for d in log["details"]],
        }
    )
    st.dataframe(table, hide_index=True, width="stretch", key="audit_table")
    table_downloads(table, "Журнал действий", ctx.export_context(), "audit")


# --- registry ----------------------------------------------------------------------


def _in_filters(ctx: Page, frame: pd.DataFrame) -> pd.DataFrame:
    """Rows of ``frame`` (with ``org_id``) whose organisation is under the sidebar filters."""
    return frame[frame["org_id"].isin(_covered(ctx)["org_id"])]


def _covered(ctx: Page) -> pd.DataFrame:
    """The organisations of the hierarchy under the sidebar filters."""
    return replace(ctx.filters.scope(), org_id=ctx.filters.org_id).keep(ctx.hierarchy)


def _shown_of(shown: int, total: int, where: str) -> None:
    """The note under a table cut to its first ``shown`` organisations of ``total``."""
    if shown < total:
        st.caption(
            f"Показаны первые {formatting.integer(shown)} из {matrix.of_organizations(total)}; "
            f"весь список — {where}."
        )


def _registry(ctx: Page) -> None:
    period = ctx.filters.period
    registry = _in_filters(ctx, ctx.hierarchy[ctx.hierarchy["in_registry"]])
    st.caption(md(ctx.caption()))
    if registry.empty:
        st.info(
            "Реестр ОО для выбранных фильтров не загружен. Загрузите его на вкладке "
            "«Загрузка файлов» (вид «Реестр ОО»): он нужен, чтобы считать долю ОО, "
            "представивших данные, и видеть, кто их не представил."
        )
        return
    if period is None:
        st.info("Данных мониторинга пока нет: выберите период, когда они появятся.")
        return
    missing = _in_filters(ctx, ctx.cached.non_reporting(ctx.filters.scope()))
    reported = len(registry) - len(missing)
    left, middle, right = st.columns(3)
    left.metric("В реестре", formatting.organizations(len(registry)), border=True)
    middle.metric(
        f"Представили форму за {period_label(period)}",
        formatting.organizations(reported),
        help=f"{formatting.percent(100 * reported / len(registry))} реестра",
        border=True,
    )
    right.metric("Не представили", formatting.organizations(len(missing)), border=True)
    # A page draws at most ORG_CHOICE_LIMIT organisations (a country's registry has
    # 100,000); the files below carry every one of them.
    limit = ORG_CHOICE_LIMIT
    if missing.empty:
        st.success("Все организации реестра представили форму за этот период.")
    else:
        st.subheader(f"Не представили форму за {period_label(period)}")
        table = _org_table(missing.head(limit))
        st.dataframe(table, hide_index=True, width="stretch", key="missing_table")
        _shown_of(len(table), len(missing), "в файле CSV")
        st.download_button(
            "Скачать список (CSV)",
            # Made when clicked: at country scale the list has tens of thousands of rows.
            data=lambda: upload.csv_bytes(_org_table(missing)),
            on_click="ignore",
            file_name=f"не_представили_{_file_part(period)}.csv",
            mime="text/csv",
            icon=":material/download:",
            key="missing_csv",
        )
    with st.expander(f"Весь реестр: {formatting.organizations(len(registry))}"):
        table = _registry_table(registry.head(limit), missing)
        st.dataframe(table, hide_index=True, width="stretch", key="registry_table")
        _shown_of(len(table), len(registry), "в файлах XLSX и CSV")
        table_downloads(
            partial(_registry_table, registry, missing),
            "Реестр ОО",
            ctx.export_context(),
            "registry",
        )
    _aliases(ctx)


def _registry_table(registry: pd.DataFrame, missing: pd.DataFrame) -> pd.DataFrame:
    """The registry's organisations and whether each sent its form for the period."""
    table = _org_table(registry)
    reported = ~registry["org_id"].isin(missing["org_id"])
    table["Форма за период"] = reported.map({True: "есть", False: "нет"}).to_list()
    return table


def _aliases(ctx: Page) -> None:
    """The other spellings the engine knows each organisation by: learnt from uploads and
    from the choices made in previews; a wrong one is removed here."""
    known = _in_filters(ctx, ctx.view.aliases())
    if known.empty:
        return
    with st.expander(f"Другие написания названий: {len(known)}"):
        st.caption(
            "Под этими названиями организации встречались в загруженных файлах; файл с "
            "таким написанием будет сопоставлен с организацией без вопросов."
        )
        table = pd.DataFrame(
            {
                "Организация": known["organization"].tolist(),
                "Написание в файлах": known["alias"].tolist(),
                "Откуда": [
                    "добавлено вручную" if s == "manual" else "из загрузки" for s in known["source"]
                ],
                "Когда": [formatting.moment(t) for t in known["added_at"]],
            }
        )
        st.dataframe(table, hide_index=True, width="stretch", key="aliases_table")
        if not ctx.principal.can_write:
            return
        labels = {
            f"{row.alias} → {row.organization}": (row.alias, int(row.org_id))
            for row in known.itertuples()
        }
        chosen = st.selectbox("Написание", list(labels), key="alias_to_remove")
        if st.button("Забыть это написание", icon=":material/delete:", key="remove_alias"):
            ctx.view.remove_alias(*labels[chosen])
            st.session_state["data_flash"] = f"Написание «{labels[chosen][0]}» забыто."
            st.rerun()


def _org_table(frame: pd.DataFrame) -> pd.DataFrame:
    types = {t.code: t.label for t in ORG_TYPES}
    return pd.DataFrame(
        {
            "Организация": frame["organization"].tolist(),
            "ИНН": frame["inn"].fillna("").tolist(),
            "Тип ОО": [types.get(t, t) for t in frame["org_type"]],
            "Муниципалитет": frame["municipality"].tolist(),
            "Район": frame["district"].fillna("").tolist(),
        }
    )


def _file_part(text: str) -> str:
    return text.replace("/", "-")


# --- data quality ------------------------------------------------------------------


def _quality(ctx: Page) -> None:
    period = ctx.filters.period
    if period is None:
        st.info("Данных мониторинга пока нет.")
        return
    st.caption(md(ctx.caption()))
    under = len(_covered(ctx))
    if under > ORG_CHOICE_LIMIT:
        # Checking a country's 100,000 forms takes seconds, and its list is no page.
        st.info(
            f"Под фильтрами {formatting.organizations(under)}: список замечаний к данным "
            "строится после выбора региона или муниципалитета в боковой панели."
        )
        return
    findings = _in_filters(ctx, ctx.cached.findings(ctx.filters.scope()))
    if findings.empty:
        st.success("Замечаний к данным нет.")
        return
    st.markdown(f"Замечаний: {quality.summary(findings)}.")
    kinds = findings["rule"].map(quality.finding_kind)
    found = set(kinds)
    present = [k for k in quality.FINDING_KINDS if k in found]
    shown = st.selectbox(
        "Показать",
        [ALL, *present],
        format_func=lambda k: "все замечания" if k == ALL else quality.FINDING_KINDS[k][0],
        key="quality_kind",
    )
    if shown != ALL:
        findings = findings[kinds == shown]
    table = person_bases_view.quality_table(findings)
    st.dataframe(
        table.drop(columns=["Период"]),  # the period is the filter's, stated above
        hide_index=True,
        width="stretch",
        key="quality_table",
        column_config={"Замечание": st.column_config.TextColumn(width="large")},
    )
    st.download_button(
        "Скачать список замечаний (CSV)",
        # Made when clicked: at country scale the list has tens of thousands of rows.
        data=partial(upload.csv_bytes, table),
        on_click="ignore",
        file_name=f"качество_данных_{_file_part(period)}.csv",
        mime="text/csv",
        icon=":material/download:",
        key="quality_csv",
    )
    st.caption(
        "Список можно отправить в организации: в нём названия ОО, вопрос формы, введённое "
        "значение и что с ним не так. Нетипичные значения — сильно отличающиеся от значений "
        "ОО того же типа в муниципалитете (модифицированная z-оценка больше "
        f"{formatting.number(quality.OUTLIER_THRESHOLD)}); резкие изменения — больше чем "
        "вдвое по сравнению с прошлым периодом."
    )
    person_bases_view.quality_links(findings, ctx.filters)


# --- bases of mentors and mentees --------------------------------------------------


def _registers(ctx: Page) -> None:
    period = ctx.filters.period
    if period is None:
        st.info("Данных пока нет.")
        return
    scope = ctx.filters.scope()
    st.caption(md(ctx.caption()))
    summary = ctx.cached.person_base_summary(scope)
    if ctx.filters.org_id is not None:
        summary = summary[summary["org_id"] == ctx.filters.org_id]
    if summary.empty:
        st.info(
            "Базы наставников и наставляемых для выбранных фильтров не загружены. Загрузите "
            "их на вкладке «Загрузка файлов» (виды «База наставников» и «База "
            "наставляемых»): по ним считаются пары и группы, формы наставничества, нагрузка "
            "на наставников, а ОО с обеими базами засчитываются в показатель "
            f"«{person_bases_view.DATABASES_INDICATOR}»."
        )
        return
    st.subheader("Что показывают базы")
    table = person_bases_view.summary_table(summary.head(ORG_CHOICE_LIMIT))
    st.dataframe(table, hide_index=True, width="stretch", key="registers_table")
    _shown_of(len(table), len(summary), "в файлах XLSX и CSV")
    table_downloads(
        partial(person_bases_view.summary_table, summary),
        "Базы наставников и наставляемых",
        ctx.export_context(),
        "registers",
    )
    _discrepancies(ctx, scope)
    _people(ctx, summary, period)


def _discrepancies(ctx: Page, scope: Scope) -> None:
    st.subheader("Формы и базы: расхождения")
    found = ctx.cached.cross_check(scope)
    found = _in_filters(ctx, found)
    if found.empty:
        st.success("Числа в формах совпадают с базами.", icon=":material/task_alt:")
        return
    schools = formatting.count(
        found["org_id"].nunique(), "организации", "организаций", "организаций"
    )
    st.markdown(f"Числа формы расходятся с базами у {schools}:")
    table = person_bases_view.discrepancy_table(found)
    st.dataframe(table, hide_index=True, width="stretch", key="discrepancy_table")
    table_downloads(table, "Расхождения форм и баз", ctx.export_context(), "discrepancies")
    totals = ctx.cached.cross_check_totals(scope, Level.MUNICIPALITY)
    if not totals.empty:
        with st.expander("Суммы по муниципалитетам"):
            st.dataframe(
                person_bases_view.totals_table(totals),
                hide_index=True,
                width="stretch",
                key="discrepancy_totals",
            )


def _people(ctx: Page, summary: pd.DataFrame, period: str) -> None:
    st.subheader("Состав баз")
    if not ctx.principal.sees_personal_data:
        st.info(
            "Списки наставников и наставляемых — персональные данные: они доступны "
            "администратору, аналитикам и кураторам своих организаций.",
            icon=":material/lock:",
        )
        return
    st.caption(
        "Фамилии, имена и отчества — персональные данные (152-ФЗ): они показываются только "
        "здесь, не попадают в показатели, диаграммы, справки и выгрузки и не скачиваются."
    )
    names = dict(zip(summary["org_id"].astype(int), summary["organization"], strict=False))
    if len(names) > ORG_CHOICE_LIMIT:
        # As the sidebar's «Организация»: a chooser of a country's schools is no list.
        holders = formatting.count(len(names), "организации", "организаций", "организаций")
        st.info(
            f"Базы есть у {holders}: выберите регион или муниципалитет в боковой панели, "
            "чтобы открыть базы одной из них."
        )
        return
    own = ctx.filters.org_id
    chosen = st.selectbox(
        "Организация",
        list(names),
        index=list(names).index(own) if own in names else None,
        format_func=names.get,
        placeholder="Выберите организацию, чтобы увидеть её базы",
        key="people_org",
    )
    if chosen is None:
        return
    mentors, mentees = ctx.view.people(
        Scope(periods=None if period is None else (period,), org_id=int(chosen))
    )
    shown_mentors, shown_mentees = person_bases_view.people_tables(mentors, mentees)
    st.markdown(f"**База наставников:** {person_bases_view.people_noun(len(mentors))}")
    if not mentors.empty:
        st.dataframe(shown_mentors, hide_index=True, width="stretch", key="mentors_people")
    st.markdown(f"**База наставляемых:** {person_bases_view.people_noun(len(mentees))}")
    if not mentees.empty:
        st.dataframe(shown_mentees, hide_index=True, width="stretch", key="mentees_people")
    if ctx.principal.can_write:
        _delete_person_bases(ctx, int(chosen), names[chosen], period)


def _delete_person_bases(ctx: Page, org_id: int, name: str, period: str) -> None:
    every = st.checkbox("За все периоды", key="people_all_periods")

    def delete() -> None:
        gone = ctx.view.delete_person_bases(org_id, None if every else period)
        st.session_state.pop("people_org", None)
        st.session_state["data_flash"] = (
            f"Базы организации «{name}» удалены: "
            f"{person_bases_view.people_noun(gone.mentors + gone.mentees)}; "
            f"удалено архивных файлов: {len(gone.files)}."
        )

    when = "за все периоды" if every else f"за {period_label(period)}"
    person_bases_view.confirm(
        "confirm_delete_register",
        "Удалить базы организации…",
        f"Удалить базы наставников и наставляемых организации «{md(name)}» {when}? Будут "
        "удалены записи о людях, их история и архивные копии загруженных файлов, в которых "
        "они были. Формы мониторинга и показатели не изменятся. Отменить удаление нельзя.",
        "Да, удалить базы",
        delete,
    )


guarded(body)
