"""Organisations outside the registry: listed, merged into the registered school they are
(forms, aliases and history follow), or removed when nothing refers to them."""

from __future__ import annotations

import io

import pytest

from analytics.cli.main import main
from analytics.ingest import unregistered
from analytics.ingest.identity import NEW_ORGANISATION
from analytics.ingest.load import Decisions, rollback
from analytics.store import audit
from tests.filemakers import org
from tests.ingest.test_placement import SCHOOL_15, load_registry, upload

COPY = "Средняя школа пятнадцать"


def org_id(db, where: str, value: object) -> int:
    return int(db.scalar(f"SELECT org_id FROM organizations WHERE {where} = ?", [value]))


def with_a_copy(db):
    """The registry of г. Глазов and a form file whose row was confirmed as a new
    organisation although it is school № 15."""
    load_registry(db)
    return upload(
        db,
        [org(COPY, teachers_total=52, mentors=7)],
        decisions=Decisions(choices={("", 2): NEW_ORGANISATION}),
    )


def test_an_organisation_created_outside_the_registry_is_listed(fresh_db):
    with_a_copy(fresh_db)
    listed = unregistered.listing(fresh_db)
    assert listed[["organization", "municipality", "forms"]].values.tolist() == [
        [COPY, "г. Глазов", 1]
    ]


def test_merging_moves_the_form_and_the_name_to_the_registered_school(fresh_db):
    result = with_a_copy(fresh_db)
    copy, school = org_id(fresh_db, "name", COPY), org_id(fresh_db, "inn", SCHOOL_15)

    unregistered.merge(fresh_db, copy, school, user="admin")

    forms = fresh_db.query("SELECT org_id, period, teachers_total, mentors FROM form_values")
    assert forms.values.tolist() == [[school, "2023", 52, 7]]
    assert fresh_db.scalar("SELECT count(*) FROM org_values WHERE org_id = ?", [school]) == 1
    assert fresh_db.scalar("SELECT count(*) FROM organizations WHERE org_id = ?", [copy]) == 0
    assert fresh_db.query("SELECT alias FROM org_aliases WHERE org_id = ?", [school])[
        "alias"
    ].tolist() == [COPY]
    assert unregistered.listing(fresh_db).empty
    entry = audit.entries(fresh_db, audit.Action.ORG_MERGED).iloc[0]
    assert entry["details"] == {"organization": COPY, "into": "МБОУ «СОШ № 15»", "moved": 2}
    # The next file that writes the copy's name is placed on the school by itself.
    again = upload(fresh_db, [org(COPY, teachers_total=53)], period="2024")
    assert again.new_organizations == 0
    assert (
        fresh_db.scalar("SELECT org_id FROM form_values WHERE upload_id = ?", [again.upload_id])
        == school
    )
    assert result.upload_id < again.upload_id


def test_the_replaced_form_of_a_merged_copy_comes_back_on_the_school_on_rollback(fresh_db):
    with_a_copy(fresh_db)
    later = upload(fresh_db, [org(COPY, teachers_total=60)])
    copy, school = org_id(fresh_db, "name", COPY), org_id(fresh_db, "inn", SCHOOL_15)
    unregistered.merge(fresh_db, copy, school)

    rollback(fresh_db, later.upload_id)

    forms = fresh_db.query("SELECT org_id, teachers_total FROM form_values")
    assert forms.values.tolist() == [[school, 52]]


def test_a_copy_and_the_school_with_forms_for_one_period_are_not_merged(fresh_db):
    with_a_copy(fresh_db)
    upload(fresh_db, [org("МБОУ «СОШ № 15»", teachers_total=50)])
    copy, school = org_id(fresh_db, "name", COPY), org_id(fresh_db, "inn", SCHOOL_15)
    with pytest.raises(unregistered.OrganisationError) as error:
        unregistered.merge(fresh_db, copy, school)
    assert str(error.value) == (
        f"у «{COPY}» и «МБОУ «СОШ № 15»» есть формы за 2023: отмените загрузку, которая "
        f"создала «{COPY}», или удалите лишнее, затем объедините"
    )
    assert fresh_db.scalar("SELECT count(*) FROM form_values") == 2


def test_an_organisation_with_forms_is_not_removed(fresh_db):
    with_a_copy(fresh_db)
    copy = org_id(fresh_db, "name", COPY)
    with pytest.raises(unregistered.OrganisationError) as error:
        unregistered.remove(fresh_db, copy)
    assert str(error.value) == (
        f"у «{COPY}» есть данные (формы): объедините её с организацией "
        "реестра или отмените загрузку, которая её создала"
    )


def test_an_organisation_nothing_refers_to_is_removed_with_its_aliases(fresh_db):
    with_a_copy(fresh_db)
    copy = org_id(fresh_db, "name", COPY)
    fresh_db.query("DELETE FROM form_values")  # as an old release's rollback left it
    fresh_db.query("DELETE FROM org_values")
    fresh_db.query(
        "INSERT INTO org_aliases VALUES (?, 'СШ 15', 'manual', NULL, NULL, now())", [copy]
    )

    unregistered.remove(fresh_db, copy, user="admin")

    assert fresh_db.scalar("SELECT count(*) FROM organizations WHERE org_id = ?", [copy]) == 0
    assert fresh_db.scalar("SELECT count(*) FROM org_aliases") == 0


def test_the_command_line_lists_and_merges_an_organisation_outside_the_registry(fresh_db, tmp_path):
    with_a_copy(fresh_db)
    copy = org_id(fresh_db, "name", COPY)
    fresh_db.close()
    db_path = tmp_path / "monitoring.duckdb"

    listed, out = run(db_path, "orgs", "list")
    merged, said = run(db_path, "orgs", "merge", str(copy), "--into", SCHOOL_15)

    assert (listed, out) == (0, f"{COPY} (код {copy}), г. Глазов: форм 1\n")
    assert (merged, said) == (0, f"Организация «{COPY}» объединена с «МБОУ «СОШ № 15»».\n")
    assert run(db_path, "orgs", "list") == (0, "Организаций вне реестра нет.\n")


def run(db_path, *args: str) -> tuple[int, str]:
    out = io.StringIO()
    code = main(["--db", str(db_path), *args], out=out)
    return code, out.getvalue()
