"""The audit log: every upload, rollback and target change leaves one entry with who did
it, written in the same transaction as the change, and the command line lists it."""

from __future__ import annotations

import io
from datetime import datetime

import pytest

from analytics.cli.main import main
from analytics.compute.targets import remove_target, set_target
from analytics.ingest.load import RollbackRefused, ingest_bytes, rollback
from analytics.ingest.parse import Defaults
from analytics.ingest.problems import IngestError
from analytics.model.levels import Level
from analytics.store import audit
from analytics.store.db import Database
from tests.filemakers import csv_bytes, org, table

DEFAULTS = Defaults(
    region="Удмуртская Республика", municipality="г. Глазов", org_type="school", period="2023"
)


def upload(db: Database, name: str = "форма.csv", user: str | None = "иванов"):
    return ingest_bytes(
        db, name, csv_bytes(table([org("СОШ № 1"), org("СОШ № 2")])), defaults=DEFAULTS, user=user
    )


def log(db: Database) -> list[tuple[object, ...]]:
    frame = audit.entries(db)
    return list(
        zip(frame["actor"], frame["action"], frame["object"], frame["details"], strict=True)
    )


def test_an_upload_is_logged_with_its_user_file_and_rows(fresh_db):
    result = upload(fresh_db)
    assert log(fresh_db) == [
        (
            "иванов",
            "upload",
            f"upload:{result.upload_id}",
            {"file": "форма.csv", "kind": "org-form", "rows": 2, "sha256": result.sha256},
        )
    ]


def test_the_upload_entry_has_the_time_of_the_upload(fresh_db):
    result = upload(fresh_db)
    logged = audit.entries(fresh_db).at[0, "logged_at"]
    uploaded = fresh_db.scalar(
        "SELECT uploaded_at FROM uploads WHERE upload_id = ?", [result.upload_id]
    )
    assert logged == uploaded


def test_a_refused_file_leaves_no_entry(fresh_db):
    with pytest.raises(IngestError):
        ingest_bytes(fresh_db, "форма.csv", b"\xff\xfe\x00garbage", defaults=DEFAULTS, user="x")
    assert log(fresh_db) == []


def test_a_rollback_is_logged_with_who_rolled_back(fresh_db):
    result = upload(fresh_db)
    rollback(fresh_db, result.upload_id, user="петрова")
    assert log(fresh_db)[0] == (
        "петрова",
        "rollback",
        f"upload:{result.upload_id}",
        {
            "file": "форма.csv",
            "kind": "org-form",
            "removed": 2,
            "restored": 0,
            "organizations": "«СОШ № 1»; «СОШ № 2»",
            "territories": 2,
            "periods": "2023",
        },
    )


def test_a_refused_rollback_leaves_no_entry_and_no_new_data_version(fresh_db):
    first = upload(fresh_db)
    upload(fresh_db, "вторая.csv")
    entries, version = len(log(fresh_db)), fresh_db.data_version()
    with pytest.raises(RollbackRefused):
        rollback(fresh_db, first.upload_id, user="петрова")
    assert (len(log(fresh_db)), fresh_db.data_version()) == (entries, version)


def test_setting_a_target_logs_the_new_and_the_previous_value(fresh_db):
    set_target(fresh_db, "databases", 80, period="2023", user="сидоров")
    set_target(fresh_db, "databases", 90, period="2023", user="сидоров")
    expected_key = {"indicator": "databases", "period": "2023", "level": "total", "territory_id": 0}
    assert log(fresh_db) == [
        (
            "сидоров",
            "target_set",
            "target:databases/2023/total/0",
            {**expected_key, "target": 90.0, "previous": 80.0},
        ),
        (
            "сидоров",
            "target_set",
            "target:databases/2023/total/0",
            {**expected_key, "target": 80.0, "previous": None},
        ),
    ]


def test_removing_a_target_logs_its_last_value(fresh_db):
    set_target(fresh_db, "databases", 80, level=Level.TOTAL, user="сидоров")
    remove_target(fresh_db, "databases", level=Level.TOTAL, user="козлов")
    assert log(fresh_db)[0] == (
        "козлов",
        "target_removed",
        "target:databases/*/total/0",
        {
            "indicator": "databases",
            "period": None,
            "level": "total",
            "territory_id": 0,
            "previous": 80.0,
        },
    )


def test_removing_a_target_that_is_not_set_logs_nothing(fresh_db):
    remove_target(fresh_db, "databases", user="козлов")
    assert log(fresh_db) == []


def test_an_entry_is_written_in_the_same_transaction_as_its_change(fresh_db, monkeypatch):
    """If writing the entry fails, the upload it records is not committed either."""

    def failing(*args, **kwargs):
        raise RuntimeError("сбой журнала")

    monkeypatch.setattr(audit, "record", failing)
    with pytest.raises(RuntimeError):
        upload(fresh_db)
    assert fresh_db.scalar("SELECT count(*) FROM uploads") == 0
    assert fresh_db.scalar("SELECT count(*) FROM form_values") == 0


def test_entries_can_be_filtered_by_action_and_actor(fresh_db):
    result = upload(fresh_db, user="иванов")
    rollback(fresh_db, result.upload_id, user="петрова")
    set_target(fresh_db, "databases", 80, user="петрова")
    frame = audit.entries(fresh_db, action=audit.Action.ROLLBACK, actor="петрова")
    assert frame["object"].tolist() == [f"upload:{result.upload_id}"]


def test_the_describe_line_is_in_russian():
    row = {
        "logged_at": datetime(2026, 11, 23, 9, 5, 7),
        "actor": None,
        "action": "target_set",
        "object": "target:databases/*/total/0",
        "details": {"indicator": "databases", "target": 80.0, "previous": None},
    }
    assert audit.describe(row) == (
        "23.11.2026 09:05:07\tне указан\tцель задана\tцель показателя\t"
        "показатель: Доля ОО со сформированными базами наставников и наставляемых; "
        "цель: 80,0; прежняя цель: —"
    )


def test_the_audit_command_lists_entries_newest_first(tmp_path, capsys):
    path = tmp_path / "m.duckdb"
    with Database(path) as db:
        result = upload(db, user="иванов")
        rollback(db, result.upload_id, user="петрова")
    out = io.StringIO()
    assert main(["--db", str(path), "audit"], out=out) == 0
    lines = out.getvalue().splitlines()
    assert [line.split("\t")[1:4] for line in lines] == [
        ["петрова", "отмена загрузки", f"загрузка № {result.upload_id}"],
        ["иванов", "загрузка файла", f"загрузка № {result.upload_id}"],
    ]


def test_the_audit_command_says_when_the_log_is_empty(tmp_path):
    out = io.StringIO()
    assert main(["--db", str(tmp_path / "m.duckdb"), "audit"], out=out) == 0
    assert out.getvalue() == "Журнал действий пуст.\n"


def test_the_rollback_command_logs_its_user(tmp_path):
    path = tmp_path / "m.duckdb"
    with Database(path) as db:
        result = upload(db)
    argv = ["--db", str(path), "rollback", str(result.upload_id), "--user", "петрова"]
    assert main(argv, out=io.StringIO()) == 0
    with Database(path) as db:
        assert log(db)[0][:2] == ("петрова", "rollback")
