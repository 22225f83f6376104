"""Roles, enforced by the engine: what a :class:`View` returns for each principal.

A curator of СОШ № 1 sees СОШ № 1 in full and nothing of СОШ № 2, not even through a
territory aggregate that only the two schools make up; a territory's value reaches them
only where at least three other schools take part (the attacks by arithmetic are in
tests/compute/test_disclosure.py).
"""

from __future__ import annotations

import io
import zipfile

import pytest
from docx import Document

from analytics.compute.indicators import compute
from analytics.ingest.load import ingest_bytes
from analytics.model.contract import FormKind
from analytics.model.levels import Level
from analytics.operations.access import (
    LOCAL_PRINCIPAL,
    AccessDenied,
    Principal,
    View,
    principal_of,
    resolve_orgs,
)
from analytics.operations.users import Role, User
from analytics.store import audit
from analytics.store.db import Database
from analytics.store.reset import table_counts
from analytics.store.scope import Scope
from tests.filemakers import FULL_COLUMNS, csv_bytes, located_org, org, table
from tests.registerfiles import (
    DEFAULTS,
    PERIOD,
    SCHOOL_1,
    SCHOOL_2,
    load_registers,
    org_id,
)

SCHOOL_3 = "МБОУ «СОШ № 3»"
SCHOOL_4 = "МБОУ «СОШ № 4»"


@pytest.fixture
def db(fresh_db: Database) -> Database:
    """Two schools of г. Глазов with forms; СОШ № 1 with both registers, СОШ № 2 with
    the base of mentors."""
    load_registers(fresh_db)
    return fresh_db


def curator_of(db: Database, *names: str) -> Principal:
    return Principal("куратор", Role.CURATOR, frozenset(org_id(db, n) for n in names))


def as_role(db: Database, role: Role) -> View:
    return View(db, Principal(str(role), role))


def add_third_school(db: Database) -> None:
    ingest_bytes(db, "третья.csv", csv_bytes(table([org(SCHOOL_3)])), FormKind.ORG_FORM, DEFAULTS)


def add_third_and_fourth_schools(db: Database) -> None:
    schools = table([org(SCHOOL_3), org(SCHOOL_4, mentors_trained=5)])
    ingest_bytes(db, "ещё две.csv", csv_bytes(schools), FormKind.ORG_FORM, DEFAULTS)


# --- curator ------------------------------------------------------------------------


def test_a_curator_sees_only_their_own_organisations_in_the_hierarchy(db: Database):
    view = View(db, curator_of(db, SCHOOL_1))

    assert view.hierarchy()["organization"].tolist() == [SCHOOL_1]


def add_school_in_sarapul(db: Database) -> None:
    school = table([located_org("МБОУ «СОШ № 9»", "г. Сарапул", period=PERIOD)], FULL_COLUMNS)
    ingest_bytes(db, "сарапул.csv", csv_bytes(school), FormKind.ORG_FORM)


def test_a_curator_sees_only_the_territories_of_their_own_organisations(db: Database):
    add_school_in_sarapul(db)

    territories = View(db, curator_of(db, SCHOOL_1)).territories()

    assert territories["municipality"].tolist() == ["г. Глазов"]


def test_the_territories_are_those_of_the_hierarchy_one_row_each(db: Database):
    add_school_in_sarapul(db)
    view = as_role(db, Role.ADMIN)
    columns = ["region_id", "region", "municipality_id", "municipality"]

    territories = view.territories()

    assert territories["municipality"].tolist() == ["г. Глазов", "г. Сарапул"]
    expected = view.hierarchy()[columns].drop_duplicates().reset_index(drop=True)
    assert territories[columns].equals(expected)


def test_the_organisations_under_a_territory_are_counted_and_listed_as_the_hierarchy_orders_them(
    db: Database,
):
    add_school_in_sarapul(db)
    view = as_role(db, Role.ADMIN)
    hierarchy = view.hierarchy()

    assert view.organizations_under(Scope(), 10) == (
        3,
        list(zip(hierarchy["org_id"], hierarchy["organization"], strict=True)),
    )
    assert [name for _, name in view.organizations_under(Scope(), 10)[1]] == [
        SCHOOL_1,
        SCHOOL_2,
        "МБОУ «СОШ № 9»",
    ]


def test_more_organisations_under_a_territory_than_the_limit_are_counted_not_listed(db: Database):
    add_school_in_sarapul(db)

    assert as_role(db, Role.ADMIN).organizations_under(Scope(), 2) == (3, [])


def test_a_curator_counts_only_their_own_organisations_under_a_territory(db: Database):
    add_school_in_sarapul(db)
    view = View(db, curator_of(db, SCHOOL_1))

    assert view.organizations_under(Scope(), 10) == (1, [(org_id(db, SCHOOL_1), SCHOOL_1)])


def test_a_curators_organisation_rows_are_only_their_own(db: Database):
    view = View(db, curator_of(db, SCHOOL_1))

    frame = view.indicators(Scope(periods=(PERIOD,)))

    rows = frame[frame["level"] == "organization"]
    assert set(rows["organization"]) == {SCHOOL_1}
    assert set(rows["org_id"]) == {org_id(db, SCHOOL_1)}


def test_a_territory_aggregate_of_the_curator_and_one_other_school_is_blanked(db: Database):
    view = View(db, curator_of(db, SCHOOL_1))

    frame = view.indicators(Scope(periods=(PERIOD,), levels=(Level.MUNICIPALITY,)))

    mentors = frame[frame["indicator"] == "mentors_trained"].iloc[0]
    assert mentors["orgs"] is None
    assert mentors["value"] is None
    assert mentors["numerator"] is None
    assert bool(mentors["suppressed"]) is True
    assert set(frame["level"]) == {"municipality"}


def test_a_territory_aggregate_with_two_other_schools_is_blanked(db: Database):
    add_third_school(db)
    view = View(db, curator_of(db, SCHOOL_1))

    frame = view.indicators(Scope(periods=(PERIOD,), levels=(Level.MUNICIPALITY,)))

    mentors = frame[frame["indicator"] == "mentors_trained"].iloc[0]
    assert mentors["value"] is None
    assert bool(mentors["suppressed"]) is True


def test_a_territory_aggregate_with_three_other_schools_is_shown_as_a_share_only(db: Database):
    add_third_and_fourth_schools(db)
    view = View(db, curator_of(db, SCHOOL_1))
    scope = Scope(periods=(PERIOD,), levels=(Level.MUNICIPALITY,))

    frame = view.indicators(scope)

    everything = compute(db, scope)
    ours = frame[frame["indicator"] == "mentors_trained"].iloc[0]
    theirs = everything[everything["indicator"] == "mentors_trained"].iloc[0]
    # СОШ № 1: 3 of 4 trained, СОШ № 2: 5 of 12, СОШ № 3: 4 of 5, СОШ № 4: 5 of 5
    # → 17 of 26.
    assert (theirs["numerator"], theirs["denominator"]) == (17.0, 26.0)
    # 17 of 26 is 65,38… %: the curator gets it as the page shows it, 65,4 %.
    assert ours["value"] == 65.4
    assert (ours["numerator"], ours["denominator"], ours["orgs"]) == (None, None, None)
    assert not bool(ours["suppressed"])


def test_a_curator_of_both_schools_sees_their_aggregates_share(db: Database):
    view = View(db, curator_of(db, SCHOOL_1, SCHOOL_2))

    frame = view.indicators(Scope(periods=(PERIOD,), levels=(Level.MUNICIPALITY,)))

    row = frame[frame["indicator"] == "mentors_trained"].iloc[0]
    # 8 of 16 trained: their own two schools, nobody else's.
    assert row["value"] == 50.0
    assert row["numerator"] is None


def test_a_curator_gets_no_quality_findings_of_another_school(db: Database):
    findings = View(db, curator_of(db, SCHOOL_1)).findings(Scope(periods=(PERIOD,)))
    everything = View(db, LOCAL_PRINCIPAL).findings(Scope(periods=(PERIOD,)))

    assert org_id(db, SCHOOL_2) in set(everything["org_id"])
    assert set(findings["org_id"]) == {org_id(db, SCHOOL_1)}


def test_a_curator_gets_no_form_values_of_another_school(db: Database):
    values = View(db, curator_of(db, SCHOOL_1)).form_values(Scope(periods=(PERIOD,)))

    assert values["organization"].tolist() == [SCHOOL_1]


def test_a_curator_cannot_read_another_schools_submitted_form(db: Database):
    view = View(db, curator_of(db, SCHOOL_1))

    with pytest.raises(AccessDenied, match="Данные этой организации вам недоступны"):
        view.submitted_values(org_id(db, SCHOOL_2))


def test_a_curator_reads_the_names_in_their_own_schools_registers(db: Database):
    mentors, mentees = View(db, curator_of(db, SCHOOL_1)).people(
        Scope(periods=(PERIOD,), org_id=org_id(db, SCHOOL_1))
    )

    assert len(mentors) == 4
    assert "Иванова Анна Петровна" in mentors["full_name"].tolist()
    assert len(mentees) > 0


def test_a_curator_cannot_read_the_names_of_another_schools_registers(db: Database):
    view = View(db, curator_of(db, SCHOOL_1))

    with pytest.raises(AccessDenied):
        view.people(Scope(periods=(PERIOD,), org_id=org_id(db, SCHOOL_2)))


def test_a_curators_register_summary_and_forms_cover_only_their_school(db: Database):
    view = View(db, curator_of(db, SCHOOL_1))

    summary = view.person_base_summary(Scope(periods=(PERIOD,)))
    loads = view.mentor_loads(Scope(periods=(PERIOD,)))
    forms = view.form_distribution(Scope(periods=(PERIOD,)))

    assert summary["organization"].tolist() == [SCHOOL_1]
    assert set(loads["org_id"]) == {org_id(db, SCHOOL_1)}
    assert int(forms["mentors"].sum()) == 4


def test_a_curator_is_refused_the_territory_note_and_deck(db: Database):
    view = View(db, curator_of(db, SCHOOL_1))

    with pytest.raises(AccessDenied, match="Справка по территории"):
        view.report(Scope(periods=(PERIOD,)))
    with pytest.raises(AccessDenied, match="Презентация по территории"):
        view.deck(Scope(periods=(PERIOD,)))


def test_a_curators_school_notes_archive_holds_only_their_school(db: Database):
    municipality = int(
        db.scalar(
            "SELECT municipality_id FROM organizations WHERE org_id = ?", [org_id(db, SCHOOL_1)]
        )
    )

    content = View(db, curator_of(db, SCHOOL_1)).school_notes_zip(
        Scope(periods=(PERIOD,), municipality_id=municipality)
    )

    names = zipfile.ZipFile(io.BytesIO(content)).namelist()
    assert names == ["МБОУ СОШ № 1.docx"]


def test_a_curator_cannot_download_another_schools_note(db: Database):
    view = View(db, curator_of(db, SCHOOL_1))

    with pytest.raises(AccessDenied):
        view.school_note(Scope(periods=(PERIOD,), org_id=org_id(db, SCHOOL_2)))


def test_a_curator_cannot_read_the_upload_log(db: Database):
    with pytest.raises(AccessDenied, match="Журнал загрузок"):
        View(db, curator_of(db, SCHOOL_1)).uploads()


# --- viewer and analyst -------------------------------------------------------------


def test_a_viewer_sees_every_organisations_indicators(db: Database):
    scope = Scope(periods=(PERIOD,))

    frame = as_role(db, Role.VIEWER).indicators(scope)

    assert frame.equals(compute(db, scope))


def test_a_viewer_cannot_read_the_names_in_the_registers(db: Database):
    with pytest.raises(AccessDenied, match="Персональные данные"):
        as_role(db, Role.VIEWER).people(Scope(periods=(PERIOD,), org_id=org_id(db, SCHOOL_1)))


def test_an_analyst_reads_the_names_in_every_schools_registers(db: Database):
    mentors, _ = as_role(db, Role.ANALYST).people(
        Scope(periods=(PERIOD,), org_id=org_id(db, SCHOOL_2))
    )

    assert len(mentors) > 0


# --- writes -------------------------------------------------------------------------


@pytest.mark.parametrize("role", [Role.ANALYST, Role.VIEWER, Role.CURATOR])
def test_only_the_administrator_writes_and_a_refused_write_changes_nothing(
    db: Database, role: Role
):
    view = View(db, Principal("кто-то", role, frozenset({org_id(db, SCHOOL_1)})))
    before, version = table_counts(db), db.data_version()
    attempts = [
        lambda: view.ingest(
            "ещё.csv", csv_bytes(table([org(SCHOOL_3)])), FormKind.ORG_FORM, DEFAULTS
        ),
        lambda: view.rollback(1),
        lambda: view.set_target("databases", 80.0, None, Level.TOTAL, None),
        lambda: view.remove_target("databases", None, Level.TOTAL, None),
        lambda: view.delete_person_bases(org_id(db, SCHOOL_1), None),
        view.clear_database,
    ]

    for attempt in attempts:
        with pytest.raises(AccessDenied, match="Изменять данные может только администратор"):
            attempt()

    assert table_counts(db) == before
    assert db.data_version() == version


def test_an_administrators_upload_is_recorded_under_their_login(db: Database):
    view = View(db, Principal("анна", Role.ADMIN))

    view.ingest("третья.csv", csv_bytes(table([org(SCHOOL_3)])), FormKind.ORG_FORM, DEFAULTS)

    assert db.scalar("SELECT uploaded_by FROM uploads ORDER BY upload_id DESC LIMIT 1") == "анна"


# --- principals ---------------------------------------------------------------------


def test_a_curators_organisations_are_resolved_by_inn_and_by_code(db: Database):
    db.query("UPDATE organizations SET inn = '1831000011' WHERE name = ?", [SCHOOL_2])
    user = User("куратор", Role.CURATOR, "", ("1831000011", str(org_id(db, SCHOOL_1)), "999999"))

    principal = principal_of(db, user)

    assert principal.org_ids == frozenset({org_id(db, SCHOOL_1), org_id(db, SCHOOL_2)})


def test_an_unknown_organisation_resolves_to_nothing(db: Database):
    assert resolve_orgs(db, ["0000000000"]) == {}


# --- audit --------------------------------------------------------------------------


def test_every_administrative_write_is_logged_under_the_administrators_login(db: Database):
    view = View(db, Principal("анна", Role.ADMIN))
    upload = view.ingest(
        "третья.csv", csv_bytes(table([org(SCHOOL_3)])), FormKind.ORG_FORM, DEFAULTS
    )

    view.set_target("databases", 80.0, None, Level.TOTAL, None)
    view.remove_target("databases", None, Level.TOTAL, None)
    view.rollback(upload.upload_id)
    view.delete_person_bases(org_id(db, SCHOOL_1), None)
    view.clear_database()

    log = audit.entries(db)
    mine = log[log["actor"] == "анна"]
    assert mine["action"].tolist() == [
        "cleared",
        "registers_deleted",
        "rollback",
        "target_removed",
        "target_set",
        "upload",
    ]


def test_clearing_the_database_keeps_the_audit_log(db: Database):
    before = len(audit.entries(db))

    View(db, Principal("анна", Role.ADMIN)).clear_database()

    assert len(audit.entries(db)) == before + 1
    assert table_counts(db)["organizations"] == 0


@pytest.mark.parametrize("role", [Role.VIEWER, Role.CURATOR])
def test_the_audit_log_is_for_the_administrator_and_analysts(db: Database, role: Role):
    with pytest.raises(AccessDenied, match="Журнал действий доступен администратору и аналитикам"):
        View(db, Principal("кто-то", role, frozenset({1}))).audit()


def note_table(content: bytes) -> list[list[str]]:
    document = Document(io.BytesIO(content))
    return [[cell.text for cell in row.cells] for row in document.tables[0].rows]


def test_a_curators_school_note_blanks_the_municipal_value_that_would_reveal_the_other_school(
    db: Database,
):
    school = org_id(db, SCHOOL_1)

    theirs = note_table(
        View(db, curator_of(db, SCHOOL_1)).school_note(Scope(periods=(PERIOD,), org_id=school))
    )
    everyone = note_table(
        View(db, LOCAL_PRINCIPAL).school_note(Scope(periods=(PERIOD,), org_id=school))
    )

    assert {row[2] for row in theirs[1:]} == {"—"}
    assert {row[2] for row in everyone[1:]} != {"—"}
    assert [row[1] for row in theirs] == [row[1] for row in everyone]


def test_a_curators_school_note_shows_the_municipal_value_of_four_schools(db: Database):
    add_third_and_fourth_schools(db)
    school = org_id(db, SCHOOL_1)

    theirs = note_table(
        View(db, curator_of(db, SCHOOL_1)).school_note(Scope(periods=(PERIOD,), org_id=school))
    )
    everyone = note_table(
        View(db, LOCAL_PRINCIPAL).school_note(Scope(periods=(PERIOD,), org_id=school))
    )

    assert theirs == everyone
