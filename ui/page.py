"""Shared page setup: every page calls :func:`page` first and gets its context.

Each page is self-sufficient (a deep link to any page works on a cold server): it sets
the page config, opens the database, draws the navigation (``st.page_link``, since the
``pages/`` folder's own navigation is hidden) and the shared filters. Filters live in the
session, so they hold across pages, and in the URL, so a copied link reopens the same
view. :func:`guarded` keeps tracebacks off the screen.
"""

from __future__ import annotations

import logging
import traceback
from collections.abc import Callable
from dataclasses import dataclass, fields, replace
from datetime import datetime
from functools import cached_property

import pandas as pd
import streamlit as st
from streamlit.errors import StreamlitPageNotFoundError

from analytics.model.contract import ORG_TYPES, ORG_TYPES_BY_CODE
from analytics.model.errors import MonitoringError
from analytics.model.levels import LEVEL_INFO, TERRITORY_LEVELS, UNIT_LEVELS, Level
from analytics.model.periods import period_label
from analytics.operations.access import AccessDenied, Principal, View
from analytics.store.db import Database
from analytics.store.scope import Scope
from analytics.wording import formatting

from . import auth, charts, hardening, places, russian, state
from .places import Source
from .text import md

log = logging.getLogger("monitoring.ui")

APP_TITLE = "Мониторинг наставничества"

# The sidebar's links: script, label, icon and, for a page only some roles use, who sees
# its link (None: everyone).
PAGES: tuple[tuple[str, str, str, Callable[[Principal], bool] | None], ...] = (
    ("dashboard.py", "Обзор", ":material/dashboard:", None),
    ("pages/indicators.py", "Показатели", ":material/bar_chart:", None),
    ("pages/deficits.py", "Дефициты", ":material/warning:", None),
    ("pages/organization.py", "Организация", ":material/school:", None),
    ("pages/territories.py", "Территории", ":material/map:", None),
    ("pages/dynamics.py", "Динамика", ":material/trending_up:", None),
    ("pages/meeting.py", "Заседание", ":material/groups:", None),
    ("pages/decisions.py", "Поручения", ":material/assignment:", None),
    ("pages/reports.py", "Отчёты", ":material/description:", None),
    ("pages/rounds.py", "Сбор форм", ":material/inbox:", None),
    ("pages/entry.py", "Моя форма", ":material/edit_note:", lambda p: p.enters_forms),
    ("pages/data.py", "Данные", ":material/upload_file:", None),
    ("pages/settings.py", "Настройки", ":material/tune:", None),
)

# The key of the container of the notices above every page's title (demo data, a read-only
# copy).
NOTICES = "page_notices"
# The option «все» of every chooser (a territory, a period, a kind of finding): one sentinel
# no real value can equal.
ALL = "__all__"
# Above this many organisations under the filters, the organisation select waits for a
# narrower territory.
ORG_CHOICE_LIMIT = 2_000


@dataclass(frozen=True)
class Filters:
    """The shared filters; None means "all"."""

    period: str | None = None
    region_id: int | None = None
    municipality_id: int | None = None
    district_id: int | None = None
    org_type: str | None = None
    org_id: int | None = None

    def params(self) -> dict[str, str]:
        """The filters as URL query parameters."""
        # A territory's parameter is its level («region»), read back by _initial_filters.
        territories = {str(i.key): str(i.level) for i in TERRITORY_LEVELS}
        names = {"period": "period", **territories, "org_type": "type", "org_id": "org"}
        return {
            names[f.name]: str(getattr(self, f.name))
            for f in fields(self)
            if getattr(self, f.name) is not None
        }

    def scope(self, *, all_periods: bool = False, levels: tuple[Level, ...] | None = None) -> Scope:
        """The engine scope of the territory filters (the organisation is not a scope:
        pages compare it with its territories); ``levels`` limits the work to those asked."""
        return Scope(
            periods=None if all_periods or self.period is None else (self.period,),
            levels=levels,
            org_type=self.org_type,
            region_id=self.region_id,
            municipality_id=self.municipality_id,
            district_id=self.district_id,
        )


@dataclass(frozen=True)
class Page:
    db: Database
    path: str
    version: int
    principal: Principal
    filters: Filters
    periods: list[str]
    is_demo: bool
    # When the data last changed (forms, registry, person bases, targets): what people are
    # shown; ``version`` changes with every write and only keys the caches.
    data_at: datetime | None = None

    @property
    def source(self) -> Source:
        """What this page's cached views are keyed on (:mod:`ui.places`)."""
        return self.path, self.version, self.principal

    @cached_property
    def hierarchy(self) -> pd.DataFrame:
        """Every organisation the user may see with its territories. Read on first use
        only: a national registry's frame costs every page view that reads it; what most
        pages need is :attr:`places` and :meth:`caption`."""
        return places.hierarchy(self.source)

    @cached_property
    def places(self) -> pd.DataFrame:
        """The rows of :attr:`hierarchy` in the territory of the filters (region,
        municipality, district; every type of organisation): all that is asked about the
        organisations under the filters and their territories."""
        f = self.filters
        return places.under(self.source, f.region_id, f.municipality_id, f.district_id)

    @property
    def view(self) -> View:
        """The engine as this session's user may see it: every read and write goes here."""
        return View(self.db, self.principal)

    @cached_property
    def scope(self) -> Scope:
        """Everything the sidebar chose, the organisation too: what a document or any
        other read about "the filters" is handed, unchanged."""
        return replace(self.filters.scope(), org_id=self.filters.org_id)

    def described(self, scope: Scope) -> str:
        """``scope`` in words, as :meth:`caption` names the filters."""
        return places.described(self.source, scope)

    @cached_property
    def cached(self) -> View:
        """:attr:`view` with its cached reads cached for this data version
        (``ctx.cached.findings(scope)``; see :func:`ui.state.cached`)."""
        return state.cached(self.path, self.version, self.principal)

    def indicators(self, scope: Scope) -> pd.DataFrame:
        return self.cached.indicators(scope)

    def caption(self, filters: Filters | None = None) -> str:
        """The filters in words, for chart titles and captions."""
        if filters is None or filters == self.filters:
            return self._caption
        return places.described(self.source, filters.scope())

    @cached_property
    def _caption(self) -> str:
        # A page names its own filters in several titles and captions: looked up once.
        return places.described(self.source, self.filters.scope())

    def export_context(self, filters: Filters | None = None) -> list[str]:
        """The lines that head an exported table: what it shows and from which data."""
        return [
            f"Фильтры: {self.caption(filters)}",
            formatting.data_stamp(self.data_at),
        ]

    def organization(self, org_id: int) -> pd.DataFrame:
        """The rows of :attr:`hierarchy` of organisation ``org_id``."""
        return places.organization(self.source, org_id)

    def org_name(self, org_id: int) -> str:
        rows = self.organization(org_id)
        return str(rows["organization"].iloc[0]) if len(rows) else "—"


def describe(filters: Filters, hierarchy: pd.DataFrame) -> str:
    """The filters in words (:meth:`analytics.store.scope.Scope.describe`)."""
    return filters.scope().describe(hierarchy)


def page(title: str, icon: str = ":material/dashboard:") -> Page:
    """Set up a page: config, database, navigation, filters; returns the page context."""
    st.set_page_config(page_title=f"{title} — {APP_TITLE}", page_icon=icon, layout="wide")
    hardening.install()
    st.html(_CSS)
    # At the sidebar's end: an element of the main column would add a gap above the title.
    with st.sidebar:
        russian.install()
    st.session_state[charts.IMAGES_NOTICE_SHOWN] = False
    db = state.database()
    state.freeze_heap()
    principal = auth.current_principal(db)
    if db.read_only:
        principal = replace(principal, read_only=True)
    path = str(db.path)
    version = db.data_version()
    periods = state.cached(path, version, principal).periods()
    default = state.cached(path, version, principal).default_period()
    navigation = st.sidebar.container()
    filters = _sidebar_filters((path, version, principal), periods, default, title)
    with navigation:
        _navigation(filters, principal)
        auth.account(principal)
    _write_url(filters)
    context = Page(
        db,
        path,
        version,
        principal,
        filters,
        periods,
        state.is_demo(path, version),
        db.data_stamp(),
    )
    if db.read_only or context.is_demo:
        # Keyed so that a page can hide them (the meeting's presentation mode).
        with st.container(key=NOTICES):
            if db.read_only:
                st.caption(
                    f"Копия только для чтения ({formatting.data_stamp(context.data_at).lower()}): "
                    "загрузки, цели и поручения вносятся на основном сервере."
                )
            if context.is_demo:
                st.info(
                    "Показаны **демонстрационные данные**: вымышленные организации и значения. "
                    "Загрузите свои файлы на странице «Данные».",
                    icon=":material/info:",
                )
    st.title(title)
    return context


def guarded(body: Callable[[], None]) -> None:
    """Run a page body; an unexpected error is shown as a Russian message, not a traceback.
    The database is held for the run only (see :func:`ui.state.page_run`)."""
    try:
        with state.page_run():
            body()
    except AccessDenied as denied:
        st.warning(str(denied), icon=":material/lock:")
    except MonitoringError as error:
        st.error(f"{md(str(error)).rstrip('.')}.", icon=":material/error:")
    except Exception:
        log.error("page failed\n%s", traceback.format_exc())
        st.error(
            "Не удалось построить страницу из-за внутренней ошибки. Обновите страницу; "
            "если ошибка повторится, сообщите администратору (подробности записаны в журнал "
            "сервера).",
            icon=":material/error:",
        )


# The session key of the title of the page the sidebar was last drawn on.
SHOWN_ON = "filters_page"
FILTER_PARAMS = ("period", "region", "municipality", "district", "type", "org")


def _write_url(filters: Filters) -> None:
    """Put the filters into the URL, keeping a page's own parameters (such as ``ind``)."""
    wanted = filters.params()
    for name in FILTER_PARAMS:
        if name not in wanted and name in st.query_params:
            del st.query_params[name]
    for name, value in wanted.items():
        if st.query_params.get(name) != value:
            st.query_params[name] = value


def _navigation(filters: Filters, principal: Principal) -> None:
    st.markdown(f"### {APP_TITLE}")
    for script, label, icon, who in PAGES:
        if who is not None and not who(principal):
            continue
        try:
            st.page_link(script, label=label, icon=icon, query_params=filters.params())
        except StreamlitPageNotFoundError:
            # Only when a page itself is the entrypoint (AppTest.from_file on a page):
            # links are relative to dashboard.py, the entrypoint of the real server.
            continue
    st.divider()


def default_period_note(default: str, latest: str) -> str:
    """Why the screens open on an earlier period than the latest one."""
    return (
        f"Показан {period_label(default)} — последний период, за который формы прислали не "
        f"менее половины организаций; за {period_label(latest)} данные ещё собираются, его "
        "можно выбрать в списке."
    )


def _initial_filters(periods: list[str], default: str | None) -> Filters:
    """Filters from the URL, else the default period (the latest with substantial
    reporting, see :func:`analytics.compute.lookups.default_period`)."""
    params = st.query_params
    latest = default if default in periods else (periods[-1] if periods else None)

    def number(name: str) -> int | None:
        text = params.get(name)
        # ASCII only: "²" and other Unicode digits pass isdigit() but not int().
        return int(text) if text and text.isascii() and text.isdigit() else None

    period = params.get("period")
    org_type = params.get("type")
    return Filters(
        period=period if period in periods else latest,
        region_id=number("region"),
        municipality_id=number("municipality"),
        district_id=number("district"),
        org_type=org_type if org_type in ORG_TYPES_BY_CODE else None,
        org_id=number("org"),
    )


def _select(
    label: str, options: list, current: object, key: str, labels: dict, field: str
) -> object:
    """A selectbox of the filter ``field`` that shows the session's filters on every page.

    Streamlit 1.67 keys a widget by its page as well as by ``key``: on each page the
    sidebar's selects are new widgets, which would open on their first option (the
    earliest period, «все»), while the old page's value is still readable under ``key``
    for that first run. So the select is set from the session's filters on every run,
    and a choice the user makes is written into them before the run (``on_change``).
    """
    if current not in options:
        current = options[0]
    st.session_state[key] = current
    return st.selectbox(
        label,
        options,
        key=key,
        format_func=lambda v: labels.get(v, str(v)),
        on_change=_chosen,
        args=(key, field),
    )


def _chosen(key: str, field: str) -> None:
    """The user's choice in the select ``key``, into the session's filters."""
    value = st.session_state[key]
    st.session_state["filters"] = replace(
        st.session_state["filters"], **{field: None if value == ALL else value}
    )


def _sidebar_filters(
    source: Source, periods: list[str], default: str | None, title: str
) -> Filters:
    """The sidebar's filters: the session's while the user stays on a page; from the URL
    on a session's first run and whenever another page opens. Every way to another page
    carries the filters in its URL (the sidebar's links, a profile's link with its
    organisation, a drill-down's switch, the browser's back and forward), so the page
    opens on what its link says."""
    if "filters" not in st.session_state or st.session_state.get(SHOWN_ON) != title:
        st.session_state["filters"] = _initial_filters(periods, default)
    st.session_state[SHOWN_ON] = title
    current: Filters = st.session_state["filters"]
    with st.sidebar:
        st.markdown("**Фильтры**")
        period = _select(
            "Период",
            periods or [None],
            current.period,
            "flt_period",
            {p: period_label(p) for p in periods} | {None: "нет данных"},
            "period",
        )
        if period is not None and period == default and periods and default != periods[-1]:
            st.caption(default_period_note(default, periods[-1]))
        region_id = _choose_territory(source, Level.REGION, current.region_id, None)
        municipality_id = _choose_territory(
            source, Level.MUNICIPALITY, current.municipality_id, region_id
        )
        district_id = None
        if municipality_id is not None:
            district_id = _choose_territory(
                source, Level.DISTRICT, current.district_id, municipality_id
            )
        org_type = _select(
            "Тип ОО",
            [ALL, *[t.code for t in ORG_TYPES]],
            current.org_type or ALL,
            "flt_type",
            {ALL: "все типы"} | {t.code: t.label for t in ORG_TYPES},
            "org_type",
        )
        org_type = None if org_type == ALL else org_type
        count, orgs = _org_choices(source, region_id, municipality_id, district_id, org_type)
        if count > ORG_CHOICE_LIMIT:
            # A national registry would send 100,000 labels to every browser on every run.
            st.caption(
                f"Под фильтрами {formatting.organizations(count)}: выберите муниципалитет, "
                "чтобы выбрать одну из них."
            )
            orgs = []
            if current.org_id is not None:
                chosen = places.organization(source, current.org_id)
                orgs = list(
                    zip(
                        chosen["org_id"].astype(int).tolist(),
                        chosen["organization"].tolist(),
                        strict=True,
                    )
                )
        org_id = _select(
            "Организация",
            [ALL, *(org for org, _ in orgs)],
            current.org_id if current.org_id is not None else ALL,
            "flt_org",
            {ALL: "все организации"} | dict(orgs),
            "org_id",
        )
        if st.button("Сбросить фильтры", icon=":material/filter_alt_off:"):
            st.session_state["filters"] = Filters(period=default)
            st.rerun()
    filters = Filters(
        period=period,
        region_id=region_id,
        municipality_id=municipality_id,
        district_id=district_id,
        org_type=org_type,
        org_id=None if org_id == ALL else org_id,
    )
    st.session_state["filters"] = filters
    return filters


def _choose_territory(
    source: Source, level: Level, current: int | None, parent_id: int | None
) -> int | None:
    """The sidebar's select of one territory of ``level`` within the chosen parent
    (``parent_id``; None: every municipality, no district)."""
    info = LEVEL_INFO[level]
    options = _territory_choices(source, level, parent_id)
    if level is Level.DISTRICT and not options:
        return None
    labels = {ALL: "все"} | dict(options)
    chosen = _select(
        info.label,
        [ALL, *(key for key, _ in options)],
        current if current is not None else ALL,
        f"flt_{info.name}",
        labels,
        f"{info.name}_id",
    )
    return None if chosen == ALL else int(chosen)


def _territory_choices(
    source: Source, level: Level, parent_id: int | None
) -> list[tuple[int, str]]:
    """(id, name) of the territories of ``level`` under the parent ``parent_id`` (None:
    every municipality, no district), by name."""
    return _territory_options(places.shared(source), level, parent_id)


@st.cache_data(show_spinner=False, max_entries=4096, hash_funcs=state.HASH_FUNCS)
def _territory_options(
    source: Source, level: Level, parent_id: int | None
) -> list[tuple[int, str]]:
    # Once per data version for every session, from the territories alone: a national
    # hierarchy is 100,000 rows, its territories a few thousand.
    info = LEVEL_INFO[level]
    rows = state.cached(*source).territories()
    if info.parent is not None:
        if parent_id is not None:
            rows = rows[rows[LEVEL_INFO[info.parent].key] == parent_id]
        elif level is Level.DISTRICT:
            rows = rows.iloc[0:0]
    rows = rows.dropna(subset=[info.key]).drop_duplicates(info.key).sort_values(info.name)
    return list(zip(rows[info.key].astype(int).tolist(), rows[info.name].tolist(), strict=True))


def _org_choices(
    source: Source,
    region_id: int | None,
    municipality_id: int | None,
    district_id: int | None,
    org_type: str | None,
) -> tuple[int, list[tuple[int, str]]]:
    """The number of organisations under the filters and, up to
    :data:`ORG_CHOICE_LIMIT` of them, their (id, name); none above it."""
    return _org_options(places.shared(source), region_id, municipality_id, district_id, org_type)


@st.cache_data(show_spinner=False, max_entries=4096, hash_funcs=state.HASH_FUNCS)
def _org_options(
    source: Source,
    region_id: int | None,
    municipality_id: int | None,
    district_id: int | None,
    org_type: str | None,
) -> tuple[int, list[tuple[int, str]]]:
    territory = Scope(
        org_type=org_type,
        region_id=region_id,
        municipality_id=municipality_id,
        district_id=district_id,
    )
    # Counted and listed in SQL: the hierarchy of a country is 100,000 rows.
    return state.cached(*source).organizations_under(territory, ORG_CHOICE_LIMIT)


def with_filters(filters: Filters, **changes: object) -> Filters:
    return replace(filters, **changes)


def apply_filters(filters: Filters) -> None:
    """Switch the shared filters (a drill-down) and rerun the page with them."""
    st.session_state["filters"] = filters
    _write_url(filters)
    st.rerun()


@dataclass(frozen=True)
class Breakdown:
    """The level one step below the filters: what a chart compares side by side."""

    level: Level
    key: str
    label: str
    title: str


# ``hash_funcs`` of the pages' cached views, whose keys may hold a level's Breakdown or the
# filters too.
HASH_FUNCS = {**state.HASH_FUNCS, Breakdown: state.dataclass_key, Filters: state.dataclass_key}

BREAKDOWNS: dict[Level, Breakdown] = {
    i.level: Breakdown(i.level, str(i.key), str(i.name), i.by_units) for i in UNIT_LEVELS
}


def breakdown(filters: Filters, hierarchy: pd.DataFrame) -> Breakdown:
    """Regions for everything, then municipalities, districts (where there are any),
    organisations."""
    if filters.district_id is not None:
        return BREAKDOWNS[Level.ORGANIZATION]
    if filters.municipality_id is not None:
        districts = hierarchy.loc[
            hierarchy["municipality_id"] == filters.municipality_id, "district_id"
        ]
        has_districts = districts.notna().any()
        return BREAKDOWNS[Level.DISTRICT if has_districts else Level.ORGANIZATION]
    if filters.region_id is not None:
        return BREAKDOWNS[Level.MUNICIPALITY]
    if hierarchy["region_id"].nunique() > 1:
        return BREAKDOWNS[Level.REGION]
    return BREAKDOWNS[Level.MUNICIPALITY]


def useful_breakdown(filters: Filters, hierarchy: pd.DataFrame, frame: pd.DataFrame) -> Breakdown:
    """:func:`breakdown`, stepping down while a level has fewer than two units with data
    (one region in the data compares nothing). Districts are compared only within a
    chosen municipality."""
    order = [Level.REGION, Level.MUNICIPALITY, Level.DISTRICT, Level.ORGANIZATION]
    start = breakdown(filters, hierarchy).level
    for level in order[order.index(start) :]:
        if level is Level.DISTRICT and filters.municipality_id is None:
            continue
        split = BREAKDOWNS[level]
        rows = frame[(frame["level"] == level) & frame["value"].notna()]
        if level is Level.ORGANIZATION or rows[split.key].nunique() >= 2:
            return split
    return BREAKDOWNS[Level.ORGANIZATION]


def drill(filters: Filters, level: Level, key: int, hierarchy: pd.DataFrame) -> Filters:
    """The filters narrowed to one territory or organisation of ``level``."""
    rows = hierarchy[hierarchy[BREAKDOWNS[level].key] == key]
    if rows.empty:
        return filters
    first = rows.iloc[0]
    region = int(first["region_id"])
    if level is Level.REGION:
        return with_filters(filters, region_id=region, municipality_id=None, district_id=None)
    municipality = int(first["municipality_id"])
    if level is Level.MUNICIPALITY:
        return with_filters(
            filters, region_id=region, municipality_id=municipality, district_id=None
        )
    district = None if pd.isna(first["district_id"]) else int(first["district_id"])
    if level is Level.DISTRICT:
        return with_filters(
            filters, region_id=region, municipality_id=municipality, district_id=district
        )
    return with_filters(
        filters, region_id=region, municipality_id=municipality, district_id=district, org_id=key
    )


_CSS = """
<style>
/* Readable from the back of a meeting room. */
html, body, [class*="css"] { font-size: 17px; }
[data-testid="stMetricValue"] { font-size: 2rem; }
/* A card's label and value wrap instead of ending in «…»: on a projector (1280×720) a cut
   title would lose the status mark after it, the point of an indicator's card. */
[data-testid="stMetricLabel"] [data-testid="stMarkdownContainer"],
[data-testid="stMetricLabel"] p,
[data-testid="stMetricValue"] [data-testid="stMarkdownContainer"] {
  white-space: normal; overflow: visible; text-overflow: clip;
}
/* Captions darker than Streamlit's faded grey (3.9 to 1 on white): WCAG 2.1 asks 4.5. */
[data-testid="stCaptionContainer"] { opacity: 1; }
[data-testid="stCaptionContainer"], [data-testid="stCaptionContainer"] p { color: #5e5d5b; }
/* A page's tabs wrap onto a second line instead of scrolling sideways behind arrows. */
[data-testid="stTabs"] [role="tablist"] { flex-wrap: wrap; }
/* st.file_uploader (Streamlit 1.67) takes no texts for its button and size line and is not
   translated: its English words are hidden and Russian ones drawn in their place. The limit
   is server.maxUploadSize in .streamlit/config.toml, the types ui/upload.FILE_TYPES. */
[data-testid="stFileUploaderDropzoneInstructions"] span { font-size: 0; }
[data-testid="stFileUploaderDropzoneInstructions"] span::after {
  content: "CSV, XLSX, XLSM, XLS или ODS, не больше 50 МБ на файл"; font-size: 0.875rem;
}
[data-testid="stFileUploaderDropzone"] button [data-testid="stMarkdownContainer"] p {
  font-size: 0;
}
[data-testid="stFileUploaderDropzone"] button [data-testid="stMarkdownContainer"] p::after {
  content: "Выбрать файлы"; font-size: 1rem;
}
</style>
"""
