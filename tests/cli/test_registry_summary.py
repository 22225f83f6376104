"""What ``ingest --kind registry`` says it did: organisations added to the registry,
changed in it and unchanged, never «заменено форм» (a registry holds no forms)."""

from __future__ import annotations

from pathlib import Path

from analytics.ingest.load import ingest_bytes
from analytics.model.contract import FormKind
from tests.commandline import run
from tests.ingest.test_campaign import GARDEN, SCHOOL_1, SCHOOL_5, registered, registry
from ui.upload import load_summary


def _ingest(capsys, tmp_path: Path, name: str, *rows: dict[str, object]) -> tuple[int, str, str]:
    path = tmp_path / name
    path.write_bytes(registry(*rows))
    return run(
        capsys, "--db", str(tmp_path / "m.duckdb"), "ingest", str(path), "--kind", "registry"
    )


def test_a_first_registry_reports_every_organisation_as_added(capsys, tmp_path):
    code, out, err = _ingest(capsys, tmp_path, "реестр.csv", SCHOOL_5, SCHOOL_1, GARDEN)
    assert (code, err) == (0, "")
    assert out == (
        "реестр.csv: загружено строк — 3, в реестре: добавлено — 3\xa0организации, "
        "изменено — 0\xa0организаций, без изменений — 0\xa0организаций (загрузка № 1)\n"
    )


def test_a_registry_uploaded_again_reports_organisations_added_changed_and_unchanged(
    capsys, tmp_path
):
    _ingest(capsys, tmp_path, "реестр.csv", SCHOOL_5, SCHOOL_1)
    renamed = registered("МБОУ «Гимназия № 5»", 5, district="Октябрьский округ")
    code, out, _ = _ingest(capsys, tmp_path, "реестр-2.csv", renamed, SCHOOL_1, GARDEN)
    assert code == 0
    assert out == (
        "реестр-2.csv: загружено строк — 3, в реестре: добавлено — 1\xa0организация, "
        "изменено — 1\xa0организация, без изменений — 1\xa0организация (загрузка № 2)\n"
    )


def test_an_organisation_left_out_of_a_municipalitys_new_registry_is_reported_removed(
    capsys, tmp_path
):
    _ingest(capsys, tmp_path, "реестр.csv", SCHOOL_5, SCHOOL_1, GARDEN)
    code, out, _ = _ingest(capsys, tmp_path, "реестр-2.csv", SCHOOL_5)
    assert code == 0
    assert out == (
        "реестр-2.csv: загружено строк — 1, в реестре: добавлено — 0\xa0организаций, "
        "изменено — 0\xa0организаций, без изменений — 1\xa0организация, "
        "исключено — 2\xa0организации (загрузка № 2)\n"
    )


def test_the_data_pages_summary_of_a_registry_upload_speaks_of_organisations(fresh_db):
    ingest_bytes(fresh_db, "реестр.csv", registry(SCHOOL_5, SCHOOL_1), FormKind.REGISTRY)
    result = ingest_bytes(
        fresh_db, "реестр-2.csv", registry(SCHOOL_5, SCHOOL_1, GARDEN), FormKind.REGISTRY
    )

    assert load_summary(result) == (
        "загрузка № 2; 3\xa0строки; новых организаций: 1; в реестре: добавлено — "
        "1\xa0организация, изменено — 0\xa0организаций, без изменений — 2\xa0организации"
    )
