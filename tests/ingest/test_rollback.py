"""A rollback undoes everything its upload did: the forms and the values they replaced,
the organisations, territories and periods it created, the organisations it changed, the
aliases it learnt and the round submissions it made; only the newest upload in effect is
rolled back."""

from __future__ import annotations

import io
from contextlib import redirect_stderr

import pytest

from analytics.cli.main import main
from analytics.ingest import aliases
from analytics.ingest.identity import NEW_ORGANISATION
from analytics.ingest.load import (
    Decisions,
    OrganisationsInUse,
    RollbackRefused,
    ingest_bytes,
    latest_upload,
    rollback,
)
from analytics.ingest.parse import Defaults
from analytics.ingest.problems import ReviewNeeded
from analytics.model.contract import FormKind
from analytics.operations.access import View
from analytics.store import audit
from tests import registerfiles, roundfiles
from tests.filemakers import FORM_COLUMNS, csv_bytes, org, table
from tests.ingest.test_placement import CITY, REGION, SCHOOL_5, SCHOOL_15, load_registry, valid_inn

COLUMNS = ("org_name", "inn", "municipality", "period", *FORM_COLUMNS[1:])
NEW_SCHOOL_INN = valid_inn(901)


def upload(db, rows, decisions=None):
    defaults = Defaults(region=REGION, municipality=CITY, period="2023")
    content = csv_bytes(table(rows, COLUMNS))
    return ingest_bytes(db, "форма.csv", content, defaults=defaults, decisions=decisions)


def everything(db, skip_upload: int | None = None) -> dict[str, list[tuple]]:
    """Every table's rows, except the audit log and the meta counters; of ``uploads``
    every row but the rolled back upload's (the journal keeps it, marked)."""
    tables = db.query(
        "SELECT table_name FROM duckdb_tables() WHERE schema_name = 'main' "
        "AND database_name = current_database() AND table_name NOT IN ('audit_log', 'meta') "
        "ORDER BY table_name"
    )["table_name"].tolist()
    found = {}
    for name in tables:
        where = "WHERE upload_id <> ?" if name == "uploads" else ""
        params = [skip_upload or -1] if name == "uploads" else []
        cur = db.cursor()
        try:
            found[name] = cur.execute(
                f"SELECT * FROM {name} {where} ORDER BY ALL", params
            ).fetchall()
        finally:
            cur.close()
    return found


def two_uploads(db):
    """The registry of г. Глазов, then a form file that creates «СОШ № 901» (ИНН given)."""
    load_registry(db)
    return upload(
        db,
        [org("МБОУ «СОШ № 901»", inn=NEW_SCHOOL_INN), org("СОШ 15", inn=SCHOOL_15)],
        Decisions(choices={("", 2): NEW_ORGANISATION}),
    )


def third(db):
    """A file that replaces a form, learns a spelling of school № 5 by the user's choice,
    renames «СОШ № 901» (not in the registry), creates «СОШ № 902» in г. Глазов and «Лицей
    № 1» in a municipality and a period no file named before."""
    school_5 = int(db.scalar("SELECT org_id FROM organizations WHERE inn = ?", [SCHOOL_5]))
    rows = [
        org("МБОУ «СОШ № 901» имени Гагарина", inn=NEW_SCHOOL_INN),
        org("СОШ 15", inn=SCHOOL_15, teachers_total=55),
        org("Школа № 5 им. Героев"),
        org("МБОУ «СОШ № 902»"),
        org("Лицей № 1", municipality="г. Сарапул", period="2024"),
    ]
    choices = {("", 4): school_5, ("", 5): NEW_ORGANISATION}
    return upload(db, rows, Decisions(choices=choices))


def test_rolling_back_an_upload_leaves_every_table_as_it_was_before_it(fresh_db):
    two_uploads(fresh_db)
    before = everything(fresh_db)
    result = third(fresh_db)
    assert result.new_organizations == 2
    assert everything(fresh_db, result.upload_id) != before

    rollback(fresh_db, result.upload_id)

    assert everything(fresh_db, result.upload_id) == before


def test_a_rolled_back_upload_leaves_no_organisation_it_created(fresh_db):
    two_uploads(fresh_db)
    result = third(fresh_db)
    rollback(fresh_db, result.upload_id)
    names = fresh_db.query("SELECT name FROM organizations ORDER BY name")["name"].tolist()
    assert "МБОУ «СОШ № 902»" not in names
    assert "Лицей № 1" not in names
    assert "МБОУ «СОШ № 901»" in names
    assert fresh_db.scalar("SELECT count(*) FROM municipalities WHERE name = 'г. Сарапул'") == 0
    assert fresh_db.scalar("SELECT count(*) FROM periods WHERE period = '2024'") == 0


def test_the_same_file_after_a_rollback_asks_again_and_its_name_can_be_given_by_hand(fresh_db):
    two_uploads(fresh_db)
    result = third(fresh_db)
    rollback(fresh_db, result.upload_id)
    school_5 = int(fresh_db.scalar("SELECT org_id FROM organizations WHERE inn = ?", [SCHOOL_5]))

    with pytest.raises(ReviewNeeded) as review:
        upload(fresh_db, [org("МБОУ «СОШ № 902»")])
    assert [u.row for u in review.value.unplaced] == [2]
    aliases.add(fresh_db, "МБОУ «СОШ № 902»", school_5)
    assert aliases.listing(fresh_db, school_5)["alias"].tolist() == ["МБОУ «СОШ № 902»"]


def test_the_audit_log_says_what_the_rollback_undid(fresh_db):
    two_uploads(fresh_db)
    result = third(fresh_db)
    rollback(fresh_db, result.upload_id, user="admin")
    entry = audit.entries(fresh_db, audit.Action.ROLLBACK).iloc[0]
    assert entry["details"] == {
        "file": "форма.csv",
        "kind": "org-form",
        "removed": 5,
        "restored": 2,
        "organizations": "«Лицей № 1»; «МБОУ «СОШ № 902»»",
        "organizations_restored": 1,
        "aliases": 2,
        "territories": 1,
        "periods": "2024",
    }
    assert audit.details_text(entry["details"]) == (
        "файл: форма.csv; вид: Форма мониторинга ОО; удалено строк: 5; восстановлено строк: 2; "
        "удалены организации: «Лицей № 1»; «МБОУ «СОШ № 902»»; восстановлено описаний "
        "организаций: 1; забыто написаний: 2; удалено территорий: 1; удалены периоды: 2024"
    )


def test_an_upload_that_is_not_the_newest_is_not_rolled_back(fresh_db):
    first = two_uploads(fresh_db)
    second = upload(fresh_db, [org("СОШ 15", inn=SCHOOL_15, period="2022")])
    assert latest_upload(fresh_db) == second.upload_id
    with pytest.raises(RollbackRefused) as error:
        rollback(fresh_db, first.upload_id)
    assert str(error.value) == (
        f"загрузка № {first.upload_id} — не последняя: после неё действуют загрузки "
        f"№ {second.upload_id}; загрузки отменяются от последней к первой, сначала отмените их"
    )
    assert fresh_db.scalar("SELECT count(*) FROM uploads WHERE rolled_back_at IS NULL") == 3


def test_an_organisation_created_by_the_upload_and_named_by_hand_since_is_kept_when_asked(
    fresh_db,
):
    two_uploads(fresh_db)
    result = third(fresh_db)
    created = int(fresh_db.scalar("SELECT org_id FROM organizations WHERE name = 'Лицей № 1'"))
    aliases.add(fresh_db, "Лицей первый", created)

    with pytest.raises(OrganisationsInUse) as asked:
        rollback(fresh_db, result.upload_id)
    assert str(asked.value) == (
        f"загрузка № {result.upload_id} создала организации, которые используются и в других "
        "данных: «Лицей № 1» (написания названия). Отменить загрузку, оставив эти организации?"
    )
    assert fresh_db.scalar("SELECT rolled_back_at FROM uploads WHERE upload_id = ?", [3]) is None

    undone = rollback(fresh_db, result.upload_id, keep_used=True)
    assert undone.kept == ["Лицей № 1"]
    assert undone.organizations == ["МБОУ «СОШ № 902»"]
    assert fresh_db.scalar("SELECT count(*) FROM form_values WHERE org_id = ?", [created]) == 0
    assert fresh_db.scalar("SELECT name FROM organizations WHERE org_id = ?", [created]) == (
        "Лицей № 1"
    )


def test_rolling_back_a_file_submitted_in_a_round_removes_its_submission(fresh_db):
    orgs = roundfiles.load_registry(fresh_db)
    round_id = roundfiles.open_city_round(fresh_db)
    admin = View(fresh_db, roundfiles.ADMIN)
    school = orgs[roundfiles.SCHOOLS[0]]
    template = admin.round_template(round_id, school)
    before = everything(fresh_db)
    submitted = admin.round_submit(
        round_id, "школа.xlsx", roundfiles.filled(template), FormKind.ORG_FORM, roundfiles.at(3)
    )
    assert fresh_db.scalar("SELECT count(*) FROM round_submissions") == 1

    undone = admin.rollback(submitted.result.upload_id)

    assert undone.submissions == 1
    assert everything(fresh_db, submitted.result.upload_id) == before


def test_rolling_back_a_curators_round_file_removes_the_aliases_it_proposed(fresh_db):
    orgs = roundfiles.load_registry(fresh_db)
    round_id = roundfiles.open_city_round(fresh_db)
    school = orgs[roundfiles.SCHOOLS[0]]
    template = View(fresh_db, roundfiles.ADMIN).round_template(round_id, school)
    before = everything(fresh_db)
    submitted = View(fresh_db, roundfiles.curator(school)).round_submit(
        round_id, "школа.xlsx", roundfiles.filled(template, name="Первая школа"), FormKind.ORG_FORM
    )
    assert aliases.listing(fresh_db)["source"].tolist() == ["proposed"]

    View(fresh_db, roundfiles.ADMIN).rollback(submitted.result.upload_id)

    assert everything(fresh_db, submitted.result.upload_id) == before


def test_the_command_line_names_a_created_school_in_use_and_keeps_it_with_keep_used(
    fresh_db, tmp_path
):
    two_uploads(fresh_db)
    result = third(fresh_db)
    created = int(fresh_db.scalar("SELECT org_id FROM organizations WHERE name = 'Лицей № 1'"))
    aliases.add(fresh_db, "Лицей первый", created)
    fresh_db.close()
    db_path = str(tmp_path / "monitoring.duckdb")
    number = str(result.upload_id)

    asked = run_cli(db_path, "rollback", number)
    kept = run_cli(db_path, "rollback", number, "--keep-used")

    assert asked == (
        1,
        "",
        f"Ошибка: загрузка № {number} создала организации, которые используются и в других "
        "данных: «Лицей № 1» (написания названия). Отменить загрузку, оставив эти "
        "организации? Если да, повторите команду с --keep-used\n",
    )
    assert kept == (
        0,
        f"Загрузка № {number} отменена, заменённые данные восстановлены.\n"
        "Отменено: удалено строк: 5; восстановлено строк: 2; удалены организации: "
        "«МБОУ «СОШ № 902»»; оставлены организации: «Лицей № 1»; восстановлено описаний "
        "организаций: 1; забыто написаний: 2; удалены периоды: 2024.\n",
        "",
    )


def run_cli(db_path: str, *args: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with redirect_stderr(err):
        code = main(["--db", db_path, *args], out=out)
    return code, out.getvalue(), err.getvalue()


def test_rolling_back_the_first_registry_leaves_an_empty_database(fresh_db):
    before = everything(fresh_db)
    result = load_registry(fresh_db)

    rollback(fresh_db, result.upload_id)

    assert everything(fresh_db, result.upload_id) == before


def test_rolling_back_a_base_of_mentees_leaves_every_table_as_it_was_before_it(fresh_db):
    registerfiles.load_forms(fresh_db)
    mentors = registerfiles.register_csv(
        registerfiles.MENTOR_HEADER, registerfiles.MENTORS_1 + registerfiles.MENTORS_2
    )
    ingest_bytes(fresh_db, "наставники.csv", mentors, FormKind.MENTORS, registerfiles.DEFAULTS)
    before = everything(fresh_db)
    mentees = registerfiles.register_csv(registerfiles.MENTEE_HEADER, registerfiles.MENTEES_1)
    result = ingest_bytes(
        fresh_db, "наставляемые.csv", mentees, FormKind.MENTEES, registerfiles.DEFAULTS
    )
    assert fresh_db.scalar("SELECT count(*) FROM mentees") == len(registerfiles.MENTEES_1)

    rollback(fresh_db, result.upload_id)

    assert everything(fresh_db, result.upload_id) == before
