"""Replacing with history: a new form for an (organisation, period) replaces the old one,
which stays in form_history and comes back on rollback; uploads are archived by sha256."""

from __future__ import annotations

import hashlib

import pytest

from analytics.ingest.load import RollbackRefused, ingest_bytes, ingest_file, rollback
from analytics.ingest.parse import Defaults
from analytics.model.contract import FormKind
from tests.filemakers import FORM_COLUMNS, csv_bytes, org, table, write_xlsx, xlsx_bytes

DEFAULTS = Defaults(
    region="Удмуртская Республика", municipality="г. Глазов", org_type="school", period="2023"
)


def upload(db, orgs, name="f.csv", period="2023"):
    defaults = Defaults(
        region="Удмуртская Республика", municipality="г. Глазов", org_type="school", period=period
    )
    return ingest_bytes(db, name, csv_bytes(table(orgs)), defaults=defaults)


def forms(db) -> list[list[object]]:
    return db.query(
        "SELECT o.name, f.period, f.upload_id, f.teachers_total FROM form_values f "
        "JOIN organizations o USING (org_id) ORDER BY o.name, f.period"
    ).values.tolist()


def history(db) -> list[list[object]]:
    return db.query(
        "SELECT o.name, h.period, h.upload_id, h.replaced_by, h.teachers_total "
        "FROM form_history h JOIN organizations o USING (org_id) ORDER BY h.history_id"
    ).values.tolist()


def test_a_new_form_for_the_same_organisation_and_period_replaces_the_old_values(fresh_db):
    first = upload(fresh_db, [org("СОШ № 1", teachers_total=40), org("СОШ № 2", teachers_total=50)])
    second = upload(fresh_db, [org("СОШ № 1", teachers_total=44)])
    assert second.replaced == 1
    assert forms(fresh_db) == [
        ["СОШ № 1", "2023", second.upload_id, 44],
        ["СОШ № 2", "2023", first.upload_id, 50],
    ]


def test_the_replaced_form_is_kept_in_the_history(fresh_db):
    first = upload(fresh_db, [org("СОШ № 1", teachers_total=40)])
    second = upload(fresh_db, [org("СОШ № 1", teachers_total=44)])
    assert history(fresh_db) == [["СОШ № 1", "2023", first.upload_id, second.upload_id, 40]]


def test_a_form_for_another_period_does_not_replace_anything(fresh_db):
    first = upload(fresh_db, [org("СОШ № 1", teachers_total=40)], period="2022")
    second = upload(fresh_db, [org("СОШ № 1", teachers_total=44)], period="2023")
    assert second.replaced == 0
    assert history(fresh_db) == []
    assert forms(fresh_db) == [
        ["СОШ № 1", "2022", first.upload_id, 40],
        ["СОШ № 1", "2023", second.upload_id, 44],
    ]


def test_rolling_back_an_upload_restores_the_values_it_replaced(fresh_db):
    first = upload(fresh_db, [org("СОШ № 1", teachers_total=40, mentors=5)])
    second = upload(fresh_db, [org("СОШ № 1", teachers_total=44, mentors=9)])
    rollback(fresh_db, second.upload_id)
    assert forms(fresh_db) == [["СОШ № 1", "2023", first.upload_id, 40]]
    assert fresh_db.scalar("SELECT mentors FROM form_values") == 5
    assert history(fresh_db) == []


def test_rolling_back_an_upload_removes_the_forms_it_added(fresh_db):
    first = upload(fresh_db, [org("СОШ № 1")])
    second = upload(fresh_db, [org("СОШ № 2"), org("СОШ № 3")])
    rollback(fresh_db, second.upload_id)
    assert forms(fresh_db) == [["СОШ № 1", "2023", first.upload_id, 40]]


def test_a_rolled_back_upload_is_marked_in_the_journal_and_bumps_the_data_version(fresh_db):
    result = upload(fresh_db, [org("СОШ № 1")])
    version = fresh_db.data_version()
    rollback(fresh_db, result.upload_id)
    assert fresh_db.data_version() == version + 1
    assert (
        fresh_db.scalar(
            "SELECT rolled_back_at IS NOT NULL FROM uploads WHERE upload_id = ?",
            [result.upload_id],
        )
        is True
    )


def test_rollback_is_refused_while_a_later_upload_replaced_its_rows(fresh_db):
    first = upload(fresh_db, [org("СОШ № 1", teachers_total=40)])
    second = upload(fresh_db, [org("СОШ № 1", teachers_total=44)])
    with pytest.raises(RollbackRefused) as error:
        rollback(fresh_db, first.upload_id)
    assert str(error.value) == (
        f"загрузка № {first.upload_id} — не последняя: после неё действуют загрузки "
        f"№ {second.upload_id}; загрузки отменяются от последней к первой, сначала отмените их"
    )
    assert forms(fresh_db) == [["СОШ № 1", "2023", second.upload_id, 44]]


def test_history_unwinds_in_order_once_the_later_upload_is_rolled_back(fresh_db):
    first = upload(fresh_db, [org("СОШ № 1", teachers_total=40)])
    second = upload(fresh_db, [org("СОШ № 1", teachers_total=44)])
    rollback(fresh_db, second.upload_id)
    rollback(fresh_db, first.upload_id)
    assert forms(fresh_db) == []
    assert history(fresh_db) == []


def test_three_uploads_of_one_form_unwind_one_at_a_time(fresh_db):
    uploads = [upload(fresh_db, [org("СОШ № 1", teachers_total=n)]) for n in (40, 41, 42)]
    rollback(fresh_db, uploads[2].upload_id)
    assert forms(fresh_db) == [["СОШ № 1", "2023", uploads[1].upload_id, 41]]
    rollback(fresh_db, uploads[1].upload_id)
    assert forms(fresh_db) == [["СОШ № 1", "2023", uploads[0].upload_id, 40]]


def test_an_upload_cannot_be_rolled_back_twice(fresh_db):
    result = upload(fresh_db, [org("СОШ № 1")])
    rollback(fresh_db, result.upload_id)
    with pytest.raises(RollbackRefused) as error:
        rollback(fresh_db, result.upload_id)
    assert str(error.value) == f"загрузка № {result.upload_id} уже отменена"


def test_rolling_back_an_unknown_upload_is_refused(fresh_db):
    with pytest.raises(RollbackRefused) as error:
        rollback(fresh_db, 404)
    assert str(error.value) == "загрузка № 404 не найдена"


def test_every_uploaded_file_is_archived_under_its_sha256(fresh_db, tmp_path):
    content = xlsx_bytes({"ОО": table([org("СОШ № 1")])})
    path = tmp_path / "Форма Глазов.xlsx"
    path.write_bytes(content)
    result = ingest_file(fresh_db, path, defaults=DEFAULTS)
    sha = hashlib.sha256(content).hexdigest()
    assert result.sha256 == sha
    assert (fresh_db.uploads_dir / f"{sha}.xlsx").read_bytes() == content
    assert fresh_db.scalar("SELECT sha256 FROM uploads") == sha


def test_each_of_several_uploads_is_archived(fresh_db, tmp_path):
    first = write_xlsx(tmp_path / "a.xlsx", {"ОО": table([org("СОШ № 1")])})
    second = tmp_path / "b.csv"
    second.write_bytes(csv_bytes(table([org("СОШ № 2")])))
    for path in (first, second):
        ingest_file(fresh_db, path, defaults=DEFAULTS)
    expected = sorted(
        f"{hashlib.sha256(p.read_bytes()).hexdigest()}{p.suffix}" for p in (first, second)
    )
    assert sorted(p.name for p in fresh_db.uploads_dir.iterdir()) == expected


def test_uploading_the_same_file_again_warns_and_archives_it_once(fresh_db):
    content = csv_bytes(table([org("СОШ № 1")], ["inn", *FORM_COLUMNS]))
    ingest_bytes(fresh_db, "f.csv", content, defaults=DEFAULTS)
    again = ingest_bytes(fresh_db, "f.csv", content, defaults=DEFAULTS)
    assert again.replaced == 1
    assert len(again.warnings) == 1
    assert str(again.warnings[0]).startswith("Файл «f.csv» — этот файл уже загружался ")
    assert str(again.warnings[0]).endswith("; данные заменены")
    assert len(list(fresh_db.uploads_dir.iterdir())) == 1


def test_the_same_file_for_another_period_says_no_data_were_replaced(fresh_db):
    content = csv_bytes(table([org("СОШ № 1")], ["inn", *FORM_COLUMNS]))
    ingest_bytes(fresh_db, "f.csv", content, defaults=DEFAULTS)
    another = Defaults(**{**DEFAULTS.__dict__, "period": "2023/2024"})
    again = ingest_bytes(fresh_db, "f.csv", content, defaults=another)
    assert again.replaced == 0
    assert [w.message for w in again.warnings] == [
        f"этот файл уже загружался {again_time(fresh_db)}; данные загружены как новые, "
        "прежние не заменены"
    ]
    assert fresh_db.scalar("SELECT count(*) FROM form_values") == 2


def again_time(db) -> str:
    """When the first upload was made, as the warning writes it."""
    return str(db.scalar("SELECT strftime(min(uploaded_at), '%d.%m.%Y %H:%M') FROM uploads"))


def registry(db, names):
    content = csv_bytes(table([org(n) for n in names], ["org_name", "org_type"]))
    return ingest_bytes(db, "реестр.csv", content, FormKind.REGISTRY, DEFAULTS)


def registry_names(db) -> list[str]:
    return db.query(
        "SELECT o.name FROM registry JOIN organizations o USING (org_id) ORDER BY o.name"
    )["name"].tolist()


def test_a_new_registry_of_a_municipality_replaces_the_old_one(fresh_db):
    registry(fresh_db, ["СОШ № 1", "СОШ № 2", "СОШ № 3"])
    result = registry(fresh_db, ["СОШ № 1", "СОШ № 4"])
    assert result.replaced == 3
    assert registry_names(fresh_db) == ["СОШ № 1", "СОШ № 4"]


def test_rolling_back_a_registry_upload_restores_the_previous_registry(fresh_db):
    registry(fresh_db, ["СОШ № 1", "СОШ № 2", "СОШ № 3"])
    result = registry(fresh_db, ["СОШ № 1", "СОШ № 4"])
    rollback(fresh_db, result.upload_id)
    assert registry_names(fresh_db) == ["СОШ № 1", "СОШ № 2", "СОШ № 3"]


def test_a_registry_rollback_is_refused_while_a_later_registry_replaced_it(fresh_db):
    first = registry(fresh_db, ["СОШ № 1"])
    second = registry(fresh_db, ["СОШ № 2"])
    with pytest.raises(RollbackRefused):
        rollback(fresh_db, first.upload_id)
    assert second.upload_id > first.upload_id
    assert registry_names(fresh_db) == ["СОШ № 2"]
