"""Official short names built from initials, as schools write them in their own files
(issue 26): each row below lands on the organisation its initials abbreviate, with no
question, in registries holding the real official names of the municipalities concerned."""

from __future__ import annotations

import pandas as pd
import pytest

from analytics.ingest.identity import Telling, match_key, score
from analytics.ingest.load import ingest_bytes, preview
from analytics.model.contract import FormKind
from analytics.store.db import Database
from tests.cityfiles import inn_of
from tests.filemakers import VALUE_CODES, csv_bytes, org, table

CHELYABINSK = "Челябинская область"
SPB = "г. Санкт-Петербург"
UI = "Уйский муниципальный район"
EMANZHELINSK = "Еманжелинский муниципальный район"
KUNASHAK = "Кунашакский муниципальный район"
KOLPINO = "Колпинский район"
PERIOD = "2022/2023"

# (region, municipality, official name, type): every organisation of additional education
# of the municipalities, and a school, whose names share their district's words.
REGISTRY: tuple[tuple[str, str, str, str], ...] = (
    (
        CHELYABINSK,
        UI,
        "Муниципальное казённое учреждение дополнительного образования детей «Уйский центр "
        "внешкольной работы»",
        "УДО",
    ),
    (
        CHELYABINSK,
        UI,
        "Муниципальное казённое учреждение дополнительного образования «Уйская детско-"
        "юношеская спортивная школа»",
        "УДО",
    ),
    (
        CHELYABINSK,
        UI,
        "Муниципальное казённое общеобразовательное учреждение «Уйская средняя "
        "общеобразовательная школа»",
        "СОШ",
    ),
    (
        CHELYABINSK,
        EMANZHELINSK,
        "Муниципальное казенное учреждение дополнительного образования «Центр "
        "оздоровительно-образовательный «Факел» Еманжелинского муниципального района",
        "УДО",
    ),
    (
        CHELYABINSK,
        EMANZHELINSK,
        "Муниципальное казенное учреждение дополнительного образования «Дом детского "
        "творчества» Еманжелинского муниципального района",
        "УДО",
    ),
    (
        CHELYABINSK,
        EMANZHELINSK,
        "Муниципальное казенное учреждение дополнительного образования «Детско-юношеская "
        "спортивная школа» Еманжелинского муниципального района",
        "УДО",
    ),
    (
        CHELYABINSK,
        EMANZHELINSK,
        "Муниципальное казенное общеобразовательное учреждение «Средняя общеобразовательная "
        "школа № 2 р.п. Красногорский»",
        "СОШ",
    ),
    (
        CHELYABINSK,
        KUNASHAK,
        "Муниципальное казённое учреждение дополнительного образования «Дом детского "
        "творчества» Кунашакского муниципального района",
        "УДО",
    ),
    (
        CHELYABINSK,
        KUNASHAK,
        "Муниципальное казённое учреждение дополнительного образования «Детско-юношеская "
        "спортивная школа» Кунашакского муниципального района",
        "УДО",
    ),
    (
        CHELYABINSK,
        KUNASHAK,
        "Муниципальное казённое общеобразовательное учреждение «Кунашакская средняя "
        "общеобразовательная школа»",
        "СОШ",
    ),
    (
        SPB,
        KOLPINO,
        "Государственное бюджетное учреждение дополнительного образования Центр детского "
        "(юношеского) технического творчества Колпинского района Санкт-Петербурга",
        "УДО",
    ),
    (
        SPB,
        KOLPINO,
        "Государственное бюджетное учреждение дополнительного образования Дом детского "
        "творчества Колпинского района Санкт-Петербурга",
        "УДО",
    ),
    (
        SPB,
        KOLPINO,
        "Государственное бюджетное учреждение дополнительного образования Дворец творчества "
        "детей и молодежи Колпинского района Санкт-Петербурга",
        "УДО",
    ),
)

# The names as the schools wrote them (issue 26), with the official name each means.
WRITTEN: tuple[tuple[str, str, str], ...] = (
    ('МКУ ДОД "Уйский ЦВР"', UI, REGISTRY[0][2]),
    ('МКУ ДО "ЦОО "Факел" р.п. Красногорский', EMANZHELINSK, REGISTRY[3][2]),
    ("МКУ ДО ДДТ Кунашакский МР", KUNASHAK, REGISTRY[7][2]),
    ("ГБУ ЦДЮТТ Колпинского района Санкт-Петербурга", KOLPINO, REGISTRY[10][2]),
)


def registry_csv() -> bytes:
    rows = [
        {"region": r, "municipality": m, "org_name": n, "org_type": t, "inn": inn_of(9000 + k)}
        for k, (r, m, n, t) in enumerate(REGISTRY)
    ]
    return csv_bytes(table(rows, columns=("region", "municipality", "org_name", "inn", "org_type")))


def forms_csv(written: tuple[tuple[str, str, str], ...] = WRITTEN) -> bytes:
    region = {m: r for r, m, _, _ in REGISTRY}
    rows = [
        org(name, region=region[m], municipality=m, period=PERIOD, org_type="УДО")
        for name, m, _ in written
    ]
    columns = ("region", "municipality", "org_name", "org_type", "period", *VALUE_CODES)
    return csv_bytes(table(rows, columns=columns))


@pytest.fixture
def region_db(fresh_db: Database) -> Database:
    ingest_bytes(fresh_db, "реестр.csv", registry_csv(), FormKind.REGISTRY)
    return fresh_db


@pytest.mark.parametrize("written", WRITTEN, ids=[w[0] for w in WRITTEN])
def test_a_name_written_in_initials_is_placed_on_the_organisation_they_abbreviate(
    region_db, written
):
    result = preview(region_db, "форма.csv", forms_csv((written,)))

    assert result.unplaced == []
    assert result.created == []


def test_the_four_rows_load_on_the_inns_of_the_official_names_they_abbreviate(region_db):
    loaded = ingest_bytes(region_db, "форма.csv", forms_csv(), user="проверяющий")

    inns = {n: inn_of(9000 + k) for k, (_, _, n, _) in enumerate(REGISTRY)}
    expected = pd.DataFrame(
        {"written": [w for w, _, _ in WRITTEN], "inn": [inns[n] for _, _, n in WRITTEN]}
    )
    placed = region_db.query(
        "SELECT a.alias AS written, o.inn FROM org_aliases a JOIN organizations o "
        "USING (org_id) WHERE a.upload_id = ? ORDER BY a.alias",
        [loaded.upload_id],
    )
    assert loaded.new_organizations == 0
    assert region_db.scalar("SELECT count(*) FROM form_values") == 4
    pd.testing.assert_frame_equal(
        placed, expected.sort_values("written").reset_index(drop=True), check_dtype=False
    )


@pytest.mark.parametrize(
    "written", ["ДОД", "МКУ", "ГБУ", "ГАУ", "ЧОУ", "МБОУ", "МКУ ДОД", "ГБУ ДО", "МАУ ДО"]
)
def test_a_legal_form_folds_away_as_mbou_does(written):
    assert match_key(f"{written} «Дом детского творчества»") == "ддт"


def test_a_new_centre_whose_initials_abbreviate_no_registered_name_is_asked_about(region_db):
    written = (("МКУ ДО ЦЭВ Кунашакский МР", KUNASHAK, ""),)

    result = preview(region_db, "форма.csv", forms_csv(written))

    (row,) = result.unplaced
    assert len(row.candidates) == 3
    assert {c.name for c in row.candidates} == {n for _, m, n, _ in REGISTRY if m == KUNASHAK}


@pytest.mark.parametrize(
    ("written", "official"),
    [
        ("ЦДЮТТ", "Центр детского и юношеского технического творчества"),
        ("ДДТ Кунашакского МР", "Дом детского творчества Кунашакского муниципального района"),
        ("ЦОО Факел", "Центр оздоровительно-образовательный «Факел»"),
    ],
)
def test_initials_score_100_against_the_words_they_abbreviate(written, official):
    assert score(match_key(written), match_key(official)) == 100.0


def test_a_word_that_is_no_ones_initials_is_compared_as_written():
    assert score(match_key("ЦЭВ"), match_key("Центр технического творчества")) < 60


def test_two_organisations_holding_the_telling_words_alike_are_left_to_a_person():
    telling = Telling(
        [
            (1, "Дом детского творчества «Радуга» с. Кунашак", ()),
            (2, "Дом детского творчества «Радуга» п. Муслюмово", ()),
            (3, "Детско-юношеская спортивная школа с. Кунашак", ()),
        ]
    )

    assert telling.choose("ДДТ «Радуга»", [1, 2, 3]) is None
    assert telling.choose("ДДТ «Радуга» п. Муслюмово", [1, 2, 3]) == 2
