"""Моя форма: a curator types their organisation's form of an open round in the browser.

Every answer of the contract's form, grouped and worded as in the template, with last
period's answer beside it; the contract's checks shown at the answer as it is typed (an
error blocks «Отправить», a warning does not). Each change is written to the draft at
once, so a reload or a lost connection loses nothing; «Отправить» sends the form as its
file would be sent (see :mod:`analytics.meetings.entry`). A returned form opens with the
coordinator's comment above it.
"""

from __future__ import annotations

import streamlit as st
from streamlit.delta_generator import DeltaGenerator

from analytics.ingest.problems import IngestError
from analytics.meetings.entry import Answer, Finding, Form, as_typed, read
from analytics.meetings.rounds import QUESTIONS, SUBMISSION_LABELS, Round, SubmissionStatus
from analytics.model.contract import FieldType
from analytics.model.periods import period_label
from analytics.operations.access import View
from analytics.wording import formatting
from ui import upload
from ui.page import guarded, page
from ui.text import md

YES_NO = ("да", "нет")
SENT = "entry_sent"


def body() -> None:
    ctx = page("Моя форма", ":material/edit_note:")
    view = ctx.view
    found = view.entry_rounds()
    if not found:
        st.info("Сейчас нет идущих мониторингов, в которых ваша организация заполняет форму.")
        return
    chosen = (
        st.selectbox("Мониторинг", found, format_func=lambda r: r.title, key="entry_round")
        if len(found) > 1
        else found[0]
    )
    orgs = view.entry_orgs(chosen.round_id)
    names = {int(o): str(n) for o, n in zip(orgs["org_id"], orgs["organization"], strict=True)}
    org_id = (
        st.selectbox("Организация", list(names), format_func=names.get, key="entry_org")
        if len(names) > 1
        else next(iter(names))
    )
    # The audit log records a visit's first reading of the form, not every rerun.
    opened = f"entry_opened_{chosen.round_id}_{org_id}"
    form = view.entry_form(chosen.round_id, org_id, opening=opened not in st.session_state)
    st.session_state[opened] = True
    _header(chosen, form)
    typed: dict[str, str | None] = {}
    slots: dict[str, DeltaGenerator] = {}
    for section in form.sections:
        st.subheader(section.title)
        for answer in section.answers:
            typed[answer.field.code], slots[answer.field.code] = _answer(view, form, answer)
    # Checked once every answer is read (a rule compares two), shown at each answer.
    findings = view.entry_check(typed)
    for finding in findings:
        _show(slots[finding.code], finding)
    _send(view, form, typed, findings)


def _header(chosen: Round, form: Form) -> None:
    st.caption(
        md(
            f"{chosen.title}. Срок представления — {formatting.day(chosen.due_on)}. "
            f"Организация: {form.organization}."
        )
    )
    if SENT in st.session_state:
        st.success(st.session_state.pop(SENT), icon=":material/check_circle:")
    if form.status is SubmissionStatus.RETURNED:
        st.warning(
            "Форма возвращена на доработку. Комментарий координатора: "
            f"«{md(form.comment or '—')}». Исправьте ответы и отправьте форму снова.",
            icon=":material/undo:",
        )
    elif form.status is not SubmissionStatus.MISSING:
        st.info(
            f"Форма {SUBMISSION_LABELS[form.status]}. Исправленную форму можно отправить "
            "снова: она заменит прежнюю.",
            icon=":material/inbox:",
        )
    st.caption(
        "Ответы сохраняются в черновике при каждом изменении и никуда не учитываются, "
        "пока форма не отправлена."
        + (f" Черновик сохранён {formatting.moment(form.drafted_at)}." if form.drafted_at else "")
    )


def _answer(view: View, form: Form, answer: Answer) -> tuple[str | None, DeltaGenerator]:
    """One answer's input with last period's answer beside it; a change is written to
    the draft. Returns the answer as typed and the place below it for the check's
    findings."""
    f = answer.field
    key = f"entry_{form.round.round_id}_{form.org_id}_{f.code}"
    value = read(f, answer.typed)
    left, right = st.columns([3, 2], vertical_alignment="bottom")
    with left:
        if f.type is FieldType.YES_NO:
            shown = "да" if value is True else "нет" if value is False else None
            entered = st.radio(
                f.header,
                YES_NO,
                index=YES_NO.index(shown) if shown else None,
                horizontal=True,
                key=key,
            )
        elif f.type is FieldType.COUNT:
            entered = st.number_input(f.header, value=value, step=1, key=key, placeholder="—")
        else:
            entered = st.number_input(
                f.header, value=value, step=0.1, format="%.1f", key=key, placeholder="—"
            )
    right.caption(_previous(form, answer))
    text = as_typed(entered)
    if text != answer.typed:
        view.save_draft(form.round.round_id, form.org_id, f.code, text)
    return text, st.container()


def _show(slot: DeltaGenerator, finding: Finding) -> None:
    if finding.error:
        slot.error(f"Ошибка: {finding.message}.", icon=":material/error:")
    else:
        slot.warning(
            f"Проверьте: {finding.message} (форма отправится и так).", icon=":material/warning:"
        )


def _previous(form: Form, answer: Answer) -> str:
    """«Прошлый период (2021/2022): 38»."""
    if form.previous_period is None:
        return "Прошлый период: нет данных"
    value = answer.previous
    if value is None:
        shown = "нет ответа"
    elif isinstance(value, bool):
        shown = "да" if value else "нет"
    elif answer.field.type is FieldType.SHARE:
        shown = formatting.number(float(value))
    else:
        shown = formatting.integer(int(value))
    return f"Прошлый период ({period_label(form.previous_period)}): {shown}"


def _send(view: View, form: Form, typed: dict[str, str | None], findings: list[Finding]) -> None:
    st.subheader("Отправка")
    headers = {a.field.code: a.field.header for s in form.sections for a in s.answers}
    errors = [f for f in findings if f.error]
    answered = sum(v is not None for v in typed.values())
    st.caption(f"Заполнено ответов: {formatting.part_of(answered, QUESTIONS)}.")
    if errors:
        named = ", ".join(f"«{headers[f.code]}»" for f in errors)
        st.error(f"Форму нельзя отправить, пока есть ошибки: {named}.", icon=":material/block:")
    if not st.button("Отправить", type="primary", disabled=bool(errors), key="entry_submit"):
        return
    try:
        view.entry_submit(form.round.round_id, form.org_id)
    except IngestError as error:
        st.error("Форма не принята: исправьте ошибки и отправьте её снова.")
        st.dataframe(upload.problems_frame(error.problems), hide_index=True, width="stretch")
        return
    st.session_state[SENT] = (
        "Форма отправлена: координатор проверит её и примет или вернёт с комментарием."
    )
    st.rerun()


guarded(body)
