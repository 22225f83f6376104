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
from analytics.ingest import aliases, questions
from analytics.ingest.identity import NEW_ORGANISATION, ROWS_DESCRIBED, Unplaced
from analytics.ingest.load import Decisions, OrganisationsInUse, RollbackRefused
from analytics.ingest.parse import Defaults
from analytics.ingest.problems import IngestError
from analytics.ingest.template import build_template
from analytics.ingest.unregistered import OrganisationError
from analytics.model.contract import KIND_FIELDS, KIND_LABELS, ORG_TYPES, PERIOD, FormKind
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
# A table row this tall (above 4rem) lets Streamlit's grid wrap long names onto up to
# four lines instead of cutting them at the column's edge (at 1280×720 an official name
# is twice as wide as its column).
WRAPPING_ROW_HEIGHT = 92


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
        list(FormKind),
        format_func=lambda k: KIND_LABELS[k],
        horizontal=True,
        key="upload_kind",
        persist_state="session",
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
    return build_template(FormKind(kind))


def _defaults_inputs(ctx: Page, kind: FormKind) -> Defaults:
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
        persist_state="session",
        placeholder="например, Удмуртская Республика",
        help=_known("Регионы в базе", regions),
    )
    municipality = columns[1].text_input(
        "Муниципалитет",
        key="default_municipality",
        persist_state="session",
        placeholder="например, г. Глазов",
        help=_known("Муниципалитеты в базе", municipalities),
    )
    org_type = columns[2].selectbox(
        "Тип ОО",
        [NO_TYPE, *[t.code for t in ORG_TYPES]],
        format_func=lambda code: {t.code: t.label for t in ORG_TYPES}.get(code, "не задан"),
        key="default_org_type",
        persist_state="session",
    )
    period = None
    if has_period:
        period = columns[3].text_input(
            "Период",
            key="default_period",
            persist_state="session",
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
    ctx: Page, files: list[tuple[str, bytes]], kind: FormKind, defaults: Defaults
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


def _show_check(ctx: Page, check: upload.FileCheck, kind: FormKind, defaults: Defaults) -> None:
    with st.container(border=True):
        if not check.ok:
            noun = formatting.count(len(check.problems), "ошибка", "ошибки", "ошибок")
            st.error(
                f"Файл «{md(check.name)}» не будет загружен: {noun}.",
                icon=":material/error:",
            )
            problems = upload.problems_frame(check.problems)
            st.dataframe(problems, hide_index=True, width="stretch", row_height=WRAPPING_ROW_HEIGHT)
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
                _problems_table(result.warnings)


def _review(ctx: Page, check: upload.FileCheck, kind: FormKind, defaults: Defaults) -> Decisions:
    """The user's decisions on the rows of a checked file that await one: which
    organisation each unplaced row is, and whether moves and partial replacements go
    ahead. After each choice the file is previewed again as the load will place it, and
    every row that preview asks about is asked here too (a choice can make another row
    doubtful), so «Загрузить» is enabled only when the load needs nothing more. Nothing is
    written until «Загрузить»."""
    choices: dict[tuple[str, int], int | str] = {}
    new_orgs = False
    if check.asked:
        st.markdown(
            f"**Не удалось определить организацию: "
            f"{formatting.count(len(check.asked), 'строка', 'строки', 'строк')}.** "
            "Выберите для каждой строки организацию из базы, найдите её в реестре "
            "муниципалитета или отметьте как новую. Выбор запоминается: в следующих файлах "
            "такое написание будет узнано само."
        )
        answered = _answers(ctx, check, kind, defaults)
        new_orgs = st.checkbox(
            "Все эти строки — новые организации",
            key=f"new_orgs_{check.name}",
        )
        if new_orgs:
            # Each row shown, named: a row the page never showed is never created.
            choices = {(row.sheet, row.row): NEW_ORGANISATION for row in check.asked}
        else:
            for row in check.asked[:_REVIEW_ROWS]:
                chosen = _row_choice(ctx, check, row)
                if chosen is not None:
                    choices[(row.sheet, row.row)] = chosen
            # The answers file covers every row, those beyond the ones shown too.
            for where, answer in answered.items():
                choices.setdefault(where, answer)
            if len(check.asked) > _REVIEW_ROWS:
                st.caption(
                    f"Показаны первые {_REVIEW_ROWS} строк из {len(check.asked)}. Так много "
                    "строк без сопоставления бывает, когда неверно указан муниципалитет или не "
                    "загружен реестр: проверьте это, прежде чем отмечать строки как новые."
                )
    settled = upload.settle(ctx.view, check, kind, defaults, Decisions(choices))
    if isinstance(settled, list):
        st.error("Выбор не подходит:", icon=":material/error:")
        _problems_table(settled)
        return Decisions()
    if settled:
        # The choices made another row doubtful: draw its question before anything else.
        st.rerun()
    result = check.latest
    if check.rechecked is not None:
        st.caption(f"С учётом выбора: {md(person_bases_view.check_summary(result))}.")
    if result.created and new_orgs:
        st.markdown(
            f"**Будут созданы новые организации: {formatting.integer(len(result.created))}.** "
            "Рядом с каждой — самая похожая организация реестра её муниципалитета; если это "
            "она, снимите отметку и выберите её для строки."
        )
        st.dataframe(
            upload.created_frame(result),
            hide_index=True,
            width="stretch",
            row_height=WRAPPING_ROW_HEIGHT,
        )
    move_orgs = replace_partial = False
    if result.moves:
        st.markdown("**Организации вне реестра, которые файл переносит в другой муниципалитет**")
        st.dataframe(upload.moves_frame(result), hide_index=True, width="stretch")
        move_orgs = st.checkbox("Перенести эти организации", key=f"move_{check.name}")
    if result.partial:
        st.markdown("**Формы, которые файл заменит менее полными.** Сейчас в базе и в файле:")
        st.dataframe(upload.partial_frame(result.partial), hide_index=True, width="stretch")
        replace_partial = st.checkbox(
            "Заменить эти формы данными из файла (пропавшие ответы останутся в истории)",
            key=f"partial_{check.name}",
        )
    return Decisions(choices, False, move_orgs, replace_partial)


def _answers(
    ctx: Page, check: upload.FileCheck, kind: FormKind, defaults: Defaults
) -> dict[tuple[str, int], int | str]:
    """The review in bulk: every question of the file as one table to download, fill in
    «Ответ» and upload back; the answers are the choices of the rows not chosen here."""
    with st.expander("Ответить списком: файл вопросов"):
        st.caption(
            f"Скачайте вопросы, {questions.HOW_TO_ANSWER}, и загрузите файл обратно. "
            "Ответы применятся к строкам, для которых выбор не сделан на странице."
        )
        stem = check.name.rsplit(".", 1)[0]
        table = questions.frame((check.name, u) for u in check.asked)
        st.download_button(
            "Скачать вопросы (XLSX)",
            questions.to_bytes(table, "вопросы.xlsx"),
            file_name=f"вопросы_{stem}.xlsx",
            mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            key=f"questions_{check.name}",
        )
        filled = st.file_uploader(
            "Файл с ответами (CSV или XLSX)", type=["csv", "xlsx"], key=f"answers_{check.name}"
        )
        if filled is None:
            return {}
        try:
            found = ctx.view.answers(
                filled.name, filled.getvalue(), (check.name, check.content), kind, defaults
            )
        except IngestError as error:
            st.error("Ответы не применены:", icon=":material/error:")
            _problems_table(error.problems)
            return {}
        except questions.AnswersError as error:
            st.error(str(error), icon=":material/error:")
            return {}
        st.caption(f"Ответов в файле: {formatting.integer(len(found))}.")
        return found


def _row_choice(ctx: Page, check: upload.FileCheck, row: Unplaced) -> int | str | None:
    """One row's question: its candidates (name on one line, ИНН, territory and score on
    the next), «новая организация», and a search of its municipality's registry by name
    or ИНН. A new organisation where the registry has ones of its type is taken only once
    confirmed, with the closest of them named."""
    where = f"лист «{row.sheet}», " if row.sheet else ""
    key = f"{check.name}_{row.sheet}_{row.row}"
    pending = check.latest is not None and any(
        (u.sheet, u.row) == (row.sheet, row.row) for u in check.latest.unplaced
    )
    with st.container(border=True):
        st.markdown(f"**{where}строка {row.row}: «{md(row.name)}»**")
        st.caption(row.reason if pending else f"{row.reason}; сейчас строка сопоставлена")
        options = upload.match_options(row)
        picked = st.radio(
            "Организация",
            list(options),
            index=None,
            # A radio renders its options and captions as markdown: names are escaped.
            format_func=lambda value: md(options[value][0]),
            captions=[md(caption) for _, caption in options.values()],
            key=f"match_{key}",
            label_visibility="collapsed",
        )
        registry = upload.registry_choices(ctx.hierarchy, row.municipality_id)
        found = None
        if registry:
            found = st.selectbox(
                "Найти в реестре муниципалитета (название или ИНН)",
                list(registry),
                index=None,
                format_func=registry.get,
                placeholder="начните вводить название или ИНН",
                key=f"find_{key}",
            )
        if found is not None:
            return int(found)
        if picked == NEW_ORGANISATION and row.registered:
            st.warning(
                f"В реестре муниципалитета есть организации этого типа. Самые похожие: "
                f"{md(upload.closest_text(row))}. Если строка — одна из них, выберите её.",
                icon=":material/warning:",
            )
            if not st.checkbox(
                f"Да, «{md(row.name)}» — новая организация, её нет в реестре",
                key=f"confirm_new_{key}",
            ):
                return None
        return picked


def _problems_table(problems: list) -> None:
    """Errors or warnings with their messages wrapped, not cut at the table's edge."""
    st.dataframe(
        upload.problems_frame(problems),
        hide_index=True,
        width="stretch",
        row_height=WRAPPING_ROW_HEIGHT,
    )


# Rows of one file offered for matching one by one (the engine describes as many); more
# than this usually means a wrong municipality at upload rather than that many new
# organisations.
_REVIEW_ROWS = ROWS_DESCRIBED


def _commit(ctx: Page, checks: list[upload.FileCheck], kind: FormKind, defaults: Defaults) -> None:
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
                    _problems_table(load.result.warnings)
        else:
            st.error(f"Файл «{md(load.name)}» не загружен.", icon=":material/error:")
            _problems_table(load.problems)


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
    active = uploads[uploads["rolled_back_at"].isna()]
    if active.empty or not ctx.principal.can_write:
        return
    _rollback(ctx, active.iloc[0])


def _rollback(ctx: Page, newest: pd.Series) -> None:
    """Only the newest upload in effect is offered (the engine refuses any other): a
    confirmation asked for an upload that is no longer the newest (another one came
    since) is dropped, never applied to it."""
    upload_id = int(newest["upload_id"])
    label = upload.upload_label(newest)
    st.markdown("**Отменить последнюю загрузку**")
    st.caption(
        "Отменяется последняя действующая загрузка: её данные удаляются, значения, которые "
        "она заменила, восстанавливаются, созданные ею организации, выученные написания "
        "названий и сданные в сборах файлы удаляются. Более ранние загрузки отменяются "
        "по одной, от поздних к ранним."
    )
    st.markdown(f"Последняя загрузка: {md(label)}")
    pending = st.session_state.get("rollback_pending")
    if pending is None or pending["upload_id"] != upload_id:
        st.session_state.pop("rollback_pending", None)
        if st.button("Отменить загрузку…", icon=":material/undo:"):
            st.session_state["rollback_pending"] = {"upload_id": upload_id, "question": None}
            st.rerun()
        return
    question = pending["question"]
    if question:
        st.warning(md(question), icon=":material/warning:")
        confirm = "Да, отменить и оставить эти организации"
    else:
        st.warning(f"Отменить загрузку {md(label)}?", icon=":material/warning:")
        confirm = "Да, отменить загрузку"
    yes, no, _ = st.columns([3, 1, 3])
    if yes.button(confirm, type="primary"):
        try:
            ctx.view.rollback(upload_id, keep_used=bool(question))
        except OrganisationsInUse as asked:
            st.session_state["rollback_pending"] = {"upload_id": upload_id, "question": str(asked)}
            st.rerun()
        except RollbackRefused as refused:
            st.session_state.pop("rollback_pending", None)
            st.error(f"Загрузку нельзя отменить: {md(refused)}.", icon=":material/block:")
            return
        st.session_state.pop("rollback_pending", None)
        # The upload tab's report of the load would otherwise still name the undone upload.
        st.session_state.pop("upload_report", None)
        st.session_state.pop("upload_skipped", None)
        st.session_state["data_flash"] = f"Загрузка {label} отменена."
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
    _unregistered(ctx)


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
                    aliases.origin(row.source, row.upload_id, row.added_by)
                    for row in known.itertuples()
                ],
                "Когда": [formatting.moment(t) for t in known["added_at"]],
            }
        )
        st.dataframe(
            table,
            hide_index=True,
            width="stretch",
            key="aliases_table",
            row_height=WRAPPING_ROW_HEIGHT,
            # Widths that fit the 770 px the page has at 1280×720; the names wrap.
            column_config={
                "Организация": st.column_config.TextColumn(width=270),
                "Написание в файлах": st.column_config.TextColumn(width=270),
                "Откуда": st.column_config.TextColumn(width=105),
                "Когда": st.column_config.TextColumn(width=115),
            },
        )
        if not ctx.principal.can_write:
            return
        labels = {
            f"{row.alias} → {row.organization}": (row.alias, int(row.org_id))
            for row in known.itertuples()
        }
        proposed = {
            f"{row.alias} → {row.organization}": (row.alias, int(row.org_id))
            for row in known.itertuples()
            if row.source == "proposed"
        }
        if proposed:
            accepted = st.selectbox(
                "Предложенное куратором написание", list(proposed), key="alias_to_accept"
            )
            if st.button("Принять написание", icon=":material/check:", key="accept_alias"):
                ctx.view.add_alias(*proposed[accepted])
                st.session_state["data_flash"] = f"Написание «{proposed[accepted][0]}» принято."
                st.rerun()
        chosen = st.selectbox("Написание", list(labels), key="alias_to_remove")
        if st.button("Забыть это написание", icon=":material/delete:", key="remove_alias"):
            ctx.view.remove_alias(*labels[chosen])
            st.session_state["data_flash"] = f"Написание «{labels[chosen][0]}» забыто."
            st.rerun()


def _unregistered(ctx: Page) -> None:
    """Organisations a form file created in a municipality with a registry, outside it:
    often a registered school written another way. Each is merged into the registered one
    (its forms, aliases and history follow) or, with no data, removed."""
    outside = _in_filters(ctx, ctx.view.unregistered())
    if outside.empty:
        return
    with st.expander(f"Организации вне реестра: {len(outside)}"):
        st.caption(
            "Эти организации созданы загрузками форм, но в реестре их муниципалитета их нет. "
            "Если это организация реестра, записанная иначе, объедините их: формы, базы, "
            "написания и история перейдут к организации реестра, а это название станет её "
            "написанием. Организацию без данных можно удалить."
        )
        table = _org_table(outside)
        table["Форм"] = outside["forms"].astype(int).tolist()
        st.dataframe(
            table,
            hide_index=True,
            width="stretch",
            key="unregistered_table",
            row_height=WRAPPING_ROW_HEIGHT,
        )
        if not ctx.principal.can_write:
            return
        names = {
            int(r.org_id): f"{r.organization} ({r.municipality})" for r in outside.itertuples()
        }
        chosen = st.selectbox(
            "Организация вне реестра", list(names), format_func=names.get, key="outside_org"
        )
        municipality = int(outside.set_index("org_id").loc[chosen, "municipality_id"])
        registered = ctx.hierarchy[
            ctx.hierarchy["in_registry"] & (ctx.hierarchy["municipality_id"] == municipality)
        ]
        targets = {
            int(r.org_id): f"{r.organization} (ИНН {r.inn})" if r.inn else str(r.organization)
            for r in registered.itertuples()
        }
        if not targets:
            return
        into = st.selectbox(
            "Организация реестра", list(targets), format_func=targets.get, key="merge_into"
        )
        pending = st.session_state.get("org_action")
        if pending != ("merge", chosen, into) and pending != ("remove", chosen, None):
            merge, remove, _ = st.columns([2, 2, 3])
            if merge.button("Объединить…", icon=":material/merge:", key="merge_org"):
                st.session_state["org_action"] = ("merge", chosen, into)
                st.rerun()
            if remove.button("Удалить…", icon=":material/delete:", key="remove_org"):
                st.session_state["org_action"] = ("remove", chosen, None)
                st.rerun()
            return
        if pending[0] == "merge":
            st.warning(
                f"Объединить «{md(names[chosen])}» с организацией реестра "
                f"«{md(targets[into])}»? Отменить объединение нельзя.",
                icon=":material/warning:",
            )
        else:
            st.warning(f"Удалить организацию «{md(names[chosen])}»?", icon=":material/warning:")
        yes, no, _ = st.columns([2, 1, 4])
        if yes.button("Да", type="primary", key="org_action_yes"):
            st.session_state.pop("org_action", None)
            try:
                if pending[0] == "merge":
                    ctx.view.merge_organization(chosen, into)
                    done = f"Организация «{names[chosen]}» объединена с «{targets[into]}»."
                else:
                    ctx.view.remove_organization(chosen)
                    done = f"Организация «{names[chosen]}» удалена."
            except OrganisationError as refused:
                st.error(f"{md(refused)}.", icon=":material/block:")
                return
            st.session_state["data_flash"] = done
            st.rerun()
        if no.button("Нет", key="org_action_no"):
            st.session_state.pop("org_action", None)
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
