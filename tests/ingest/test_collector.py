"""The cycle collector is held off during an upload and only during it."""

from __future__ import annotations

import gc
from collections.abc import Iterator

import pytest

from analytics.ingest import collector
from analytics.ingest.load import ingest_bytes
from analytics.ingest.parse import Defaults
from analytics.ingest.problems import IngestError
from tests.filemakers import csv_bytes, org, table

DEFAULTS = Defaults(
    region="Удмуртская Республика", municipality="г. Глазов", org_type="school", period="2023"
)


@pytest.fixture
def collecting() -> Iterator[None]:
    """The collector enabled for the test, and as the test found it afterwards."""
    was = gc.isenabled()
    gc.enable()
    yield
    if not was:
        gc.disable()


def test_the_collector_is_off_inside_a_paused_block(collecting):
    with collector.paused():
        assert not gc.isenabled()


def test_the_collector_stays_off_until_the_outermost_of_nested_blocks_ends(collecting):
    with collector.paused():
        with collector.paused():
            pass
        assert not gc.isenabled()
    assert gc.isenabled()


def test_a_collector_disabled_before_the_block_stays_disabled_after_it(collecting):
    gc.disable()
    with collector.paused():
        pass
    assert not gc.isenabled()


def test_an_upload_leaves_the_collector_enabled(fresh_db, collecting):
    ingest_bytes(fresh_db, "f.csv", csv_bytes(table([org("МБОУ СОШ № 1")])), defaults=DEFAULTS)
    assert gc.isenabled()


def test_a_refused_upload_leaves_the_collector_enabled(fresh_db, collecting):
    with pytest.raises(IngestError):
        ingest_bytes(fresh_db, "f.csv", b"nothing;here\r\n", defaults=DEFAULTS)
    assert gc.isenabled()
