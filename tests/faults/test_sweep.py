"""The start-up sweep: opening a database for writing removes the files a killed process
left in its uploads folder that no upload owns, person bases first, and finishes the
archiving of an upload that committed."""

from __future__ import annotations

import shutil
from pathlib import Path

from analytics.ingest.load import ingest_bytes
from analytics.model.contract import FormKind
from analytics.store import sweep
from analytics.store.db import Database
from tests import registerfiles
from tests.filemakers import csv_bytes, org, table

ORPHAN_FORMS = "0" * 64 + ".csv"
ORPHAN_BASE = ".upload-0a1b2c3d.mentees." + "1" * 64 + ".csv"
ORPHAN_FORMS_TEMPORARY = ".upload-4e5f6a7b.org-form." + "2" * 64 + ".xlsx"


def loaded(path: Path) -> str:
    """A database at ``path`` with one base of mentors; its archived file's name."""
    with Database(path) as db:
        mentors = registerfiles.register_csv(registerfiles.MENTOR_HEADER, registerfiles.MENTORS_1)
        ingest_bytes(db, "наставники.csv", mentors, FormKind.MENTORS, registerfiles.DEFAULTS)
        return db.scalar("SELECT sha256 FROM uploads") + ".csv"


def leave_orphans(uploads: Path) -> None:
    for name in (ORPHAN_FORMS, ORPHAN_BASE, ORPHAN_FORMS_TEMPORARY):
        (uploads / name).write_bytes(b"\xd0\xa4\xd0\x98\xd0\x9e")


def test_opening_removes_the_files_no_upload_owns_and_keeps_the_owned_one(tmp_path: Path):
    path = tmp_path / "monitoring.duckdb"
    owned = loaded(path)
    leave_orphans(tmp_path / "uploads")

    Database(path).close()

    assert sorted(p.name for p in (tmp_path / "uploads").iterdir()) == [owned]


def test_person_bases_and_files_of_unknown_kind_are_removed_before_forms(tmp_path: Path):
    path = tmp_path / "monitoring.duckdb"
    loaded(path)
    with Database(path) as db:
        leave_orphans(db.uploads_dir)
        cur = db.cursor()
        swept = sweep.sweep(cur, path)
        cur.close()

    assert [p.name for p in swept["uploads"]] == [
        ORPHAN_BASE,
        ORPHAN_FORMS,
        ORPHAN_FORMS_TEMPORARY,
    ]


def test_a_committed_uploads_temporary_becomes_its_archived_file(tmp_path: Path):
    path = tmp_path / "monitoring.duckdb"
    owned = loaded(path)
    archived = tmp_path / "uploads" / owned
    content = archived.read_bytes()
    archived.rename(tmp_path / "uploads" / f".upload-99aa88bb.mentors.{owned}")

    Database(path).close()

    assert sorted(p.name for p in (tmp_path / "uploads").iterdir()) == [owned]
    assert archived.read_bytes() == content


def test_a_folder_shared_with_another_database_is_left_alone(tmp_path: Path):
    path = tmp_path / "monitoring.duckdb"
    owned = loaded(path)
    with Database(tmp_path / "other.duckdb") as other:
        forms = csv_bytes(table([org("СОШ № 1")]))
        ingest_bytes(other, "формы.csv", forms, defaults=registerfiles.DEFAULTS)
        others = other.scalar("SELECT sha256 FROM uploads") + ".csv"

    Database(path).close()

    assert sorted(p.name for p in (tmp_path / "uploads").iterdir()) == sorted([owned, others])


def test_a_deleted_copy_of_the_database_left_by_a_rewrite_is_removed(tmp_path: Path):
    path = tmp_path / "monitoring.duckdb"
    loaded(path)
    shutil.copy(path, tmp_path / ".monitoring.duckdb.rewrite")

    Database(path).close()

    assert sorted(p.name for p in tmp_path.iterdir()) == ["monitoring.duckdb", "uploads"]
