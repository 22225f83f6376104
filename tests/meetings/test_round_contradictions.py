"""A template cannot carry another school's data unseen: a returned file whose ИНН (or,
with no ИНН, whose name) is another school's stops with both named, and names nothing
outside a curator's window."""

from __future__ import annotations

import pytest

from analytics.ingest.problems import IngestError
from analytics.model.contract import FormKind
from analytics.operations.access import View
from tests.campaign import inn_check_digit
from tests.roundfiles import ADMIN, SCHOOLS, curator, filled, inn

SOSH1, SOSH2, GYMNASIUM, LYCEUM = SCHOOLS
NOBODYS_INN = "183199999" + inn_check_digit("183199999")


def refusal(view: View, round_id: int, content: bytes) -> list[tuple]:
    with pytest.raises(IngestError) as refused:
        view.round_check(round_id, "школа.xlsx", content, FormKind.ORG_FORM)
    return [(p.row, p.column, p.value, p.message) for p in refused.value.problems]


def test_another_schools_name_and_inn_in_a_template_stop_with_both_schools_named(city):
    db, orgs, round_id = city
    template = View(db, ADMIN).round_template(round_id, orgs[SOSH1])
    content = filled(template, name=SOSH2, answers={"ИНН": inn(1)})

    problems = refusal(View(db, ADMIN), round_id, content)

    assert problems == [
        (
            2,
            "ИНН",
            inn(1),
            f"ИНН в файле — организации «{SOSH2}», а шаблон сделан для «{SOSH1}»: загрузите "
            f"шаблон организации «{SOSH2}» или исправьте ИНН",
        )
    ]
    assert db.scalar("SELECT count(*) FROM round_submissions") == 0
    assert db.scalar("SELECT count(*) FROM form_values") == 0


def test_an_inn_of_no_school_in_a_template_stops_with_the_templates_inn(city):
    db, orgs, round_id = city
    template = View(db, ADMIN).round_template(round_id, orgs[SOSH1])

    problems = refusal(View(db, ADMIN), round_id, filled(template, answers={"ИНН": NOBODYS_INN}))

    assert problems == [
        (
            2,
            "ИНН",
            NOBODYS_INN,
            f"ИНН в файле не совпадает с ИНН {inn(0)} организации шаблона «{SOSH1}»: исправьте "
            "ИНН или загрузите шаблон своей организации",
        )
    ]


@pytest.mark.parametrize("written", [1, None], ids=["another school's", "nobody's"])
def test_a_curator_is_told_the_inn_disagrees_with_the_code_and_not_whose_it_is(city, written):
    db, orgs, round_id = city
    template = View(db, ADMIN).round_template(round_id, orgs[SOSH1])
    typed = inn(written) if written is not None else NOBODYS_INN

    problems = refusal(
        View(db, curator(orgs[SOSH1])), round_id, filled(template, answers={"ИНН": typed})
    )

    assert problems == [
        (
            2,
            "ИНН",
            typed,
            f"ИНН в файле не совпадает с кодом шаблона (шаблон сделан для «{SOSH1}»): "
            "исправьте ИНН или загрузите шаблон своей организации",
        )
    ]


def test_another_schools_exact_name_with_the_inn_erased_stops_with_both_named(city):
    db, orgs, round_id = city
    template = View(db, ADMIN).round_template(round_id, orgs[SOSH1])
    content = filled(template, name="МБОУ СОШ №2", answers={"ИНН": ""})

    problems = refusal(View(db, ADMIN), round_id, content)

    assert problems == [
        (
            2,
            "Наименование ОО",
            "МБОУ СОШ №2",
            f"Наименование в файле — организации «{SOSH2}», а шаблон сделан для «{SOSH1}»: "
            f"загрузите шаблон организации «{SOSH2}» или исправьте наименование",
        )
    ]


def test_a_school_without_an_inn_in_the_registry_may_type_its_own(city):
    db, orgs, round_id = city
    template = View(db, ADMIN).round_template(round_id, orgs[LYCEUM])

    checked = View(db, ADMIN).round_check(
        round_id, "лицей.xlsx", filled(template, answers={"ИНН": NOBODYS_INN}), FormKind.ORG_FORM
    )

    assert (checked.org_ids, checked.via_template) == ([orgs[LYCEUM]], True)


def test_a_retyped_name_of_no_other_school_is_placed_by_the_code(city):
    db, orgs, round_id = city
    template = View(db, ADMIN).round_template(round_id, orgs[SOSH1])
    content = filled(template, name="Школа первая", answers={"ИНН": ""})

    checked = View(db, ADMIN).round_check(round_id, "школа.xlsx", content, FormKind.ORG_FORM)

    assert (checked.org_ids, checked.via_template) == ([orgs[SOSH1]], True)
