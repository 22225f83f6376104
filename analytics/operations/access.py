"""What each user may see and do, enforced where the data is read.

The views never call the engine's data functions directly: they go through a
:class:`View`, which runs each read as a :class:`Principal` and removes what the role may
not see before a frame leaves the engine. Every table, chart and download is built from
those frames, so no page or export can show more than its :class:`View` returned.

- administrator: everything, and the only role that writes (uploads, rollbacks, targets);
- analyst (a coordinator): everything, including the registers' names, read only;
- viewer (the working group): aggregates and organisations, no personal data;
- curator: their own organisations in full; of the rest, only the percentages of their
  own territories, where no arithmetic over everything they see gives away another
  organisation's figures (:mod:`analytics.compute.disclosure`; every method marked
  :func:`~analytics.compute.disclosure.territory_values` reads through the curator's window).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from datetime import date, datetime
from functools import cached_property
from typing import Any, TypeVar

import pandas as pd

from analytics.compute import lookups, person_bases, quality, trajectories
from analytics.compute.disclosure import CuratorWindow, territory_values
from analytics.compute.distribution import Distribution, binned, binned_rows
from analytics.compute.indicators import compute
from analytics.compute.targets import list_targets, remove_target, set_target
from analytics.documents import round_letters
from analytics.documents.deck import build_deck
from analytics.documents.note import build_report
from analytics.documents.protocol import build_protocol
from analytics.documents.school_notes import build_school_note, build_school_notes_zip
from analytics.documents.territory import ReportError, document_scope
from analytics.ingest import aliases, questions, unregistered
from analytics.ingest.load import (
    Decisions,
    IngestResult,
    Undone,
    ingest_bytes,
    parse_bytes,
    preview,
    rollback,
)
from analytics.ingest.parse import Defaults
from analytics.meetings import decisions, entry, meetings, round_templates, rounds
from analytics.model.contract import FormKind
from analytics.model.errors import MonitoringError
from analytics.model.levels import Level
from analytics.operations.users import Role, User
from analytics.store import audit
from analytics.store.db import Database
from analytics.store.reset import clear_database
from analytics.store.scope import Scope
from analytics.store.signoff import SignOff, get_signoff, set_signoff

LOCAL_LOGIN = "локальный режим"

_Read = TypeVar("_Read", bound=Callable[..., object])
# The names of the View's methods marked :func:`cached_read`.
CACHED_READS: set[str] = set()


def cached_read(method: _Read) -> _Read:
    """Mark a :class:`View` method as a read the views may cache per data version and
    role (:mod:`ui.state`): it writes nothing and its result depends only on its
    arguments, the data and what the principal may see. Declared here, once: the views
    call it as the method it is (``page.cached.findings(scope)``)."""
    CACHED_READS.add(method.__name__)
    return method


class AccessDenied(MonitoringError, PermissionError):
    """An action or data the user's role does not allow; the message is in Russian."""


@dataclass(frozen=True)
class Principal:
    """Who is asking: a login, a role and, for a curator, the organisations they own."""

    login: str
    role: Role
    org_ids: frozenset[int] = frozenset()
    local: bool = False
    # On a replica reading a published snapshot nobody writes, whatever their role.
    read_only: bool = False

    @property
    def can_write(self) -> bool:
        return self.role is Role.ADMIN and not self.read_only

    @property
    def runs_meetings(self) -> bool:
        """Opens meetings, records what was shown and the decisions taken."""
        return self.role in (Role.ADMIN, Role.ANALYST) and not self.read_only

    @property
    def enters_forms(self) -> bool:
        """Types its organisations' forms online («Моя форма»): a curator, on a writable
        database."""
        return self.role is Role.CURATOR and not self.read_only

    @property
    def sees_every_organization(self) -> bool:
        return self.role is not Role.CURATOR

    @property
    def sees_personal_data(self) -> bool:
        return self.role is not Role.VIEWER

    def may_see(self, org_id: int) -> bool:
        return self.sees_every_organization or org_id in self.org_ids


LOCAL_PRINCIPAL = Principal(LOCAL_LOGIN, Role.ADMIN, local=True)


def principal_of(db: Database, user: User) -> Principal:
    """The principal of a stored user, with a curator's organisations (typed as ИНН or
    organisation codes) resolved against the database; unknown ones are left out."""
    if user.role is not Role.CURATOR:
        return Principal(user.login, user.role)
    return Principal(user.login, user.role, frozenset(resolve_orgs(db, user.orgs).values()))


def resolve_orgs(db: Database, identifiers: Iterable[str]) -> dict[str, int]:
    """Organisation ids by identifier (ИНН or code); identifiers that match none are absent."""
    found: dict[str, int] = {}
    for text in identifiers:
        org_id = db.scalar(
            "SELECT org_id FROM organizations WHERE inn = ? OR org_id = TRY_CAST(? AS BIGINT) "
            "ORDER BY inn = ? DESC LIMIT 1",
            [text, text, text],
        )
        if org_id is not None:
            found[text] = int(org_id)
    return found


def _own(frame: pd.DataFrame, principal: Principal, column: str = "org_id") -> pd.DataFrame:
    if principal.sees_every_organization:
        return frame
    return frame[frame[column].isin(principal.org_ids)].reset_index(drop=True)


def _one_period(scope: Scope) -> str:
    """The one period a read about a period is asked for (the sidebar always names one)."""
    if scope.periods is None or len(scope.periods) != 1:
        raise ValueError("the scope must name exactly one period")
    return scope.periods[0]


@dataclass(frozen=True)
class View:
    """The engine's data as one principal may see it. Every read the views make is here."""

    db: Database
    principal: Principal

    # --- reads ------------------------------------------------------------------------

    @cached_read
    def periods(self) -> list[str]:
        return lookups.periods(self.db)

    @cached_read
    def default_period(self) -> str | None:
        """The period screens open on (see :func:`analytics.compute.lookups.default_period`)."""
        return lookups.default_period(self.db)

    @cached_read
    def hierarchy(self) -> pd.DataFrame:
        """The organisations the principal may see, with their territories."""
        return _own(lookups.hierarchy(self.db), self.principal)

    @cached_read
    def territories(self) -> pd.DataFrame:
        """The territories of the organisations the principal may see (the distinct
        territory columns of :meth:`hierarchy`)."""
        if self.principal.sees_every_organization:
            return lookups.territories(self.db)
        return lookups.territories(self.db, sorted(self.principal.org_ids))

    @cached_read
    def organizations_under(self, scope: Scope, limit: int) -> tuple[int, list[tuple[int, str]]]:
        """How many of the organisations the principal may see ``scope`` covers and, up
        to ``limit`` of them, their (id, name) (see
        :func:`~analytics.compute.lookups.organizations_under`)."""
        if not self.principal.sees_every_organization:
            scope = replace(scope, org_ids=self.principal.org_ids)
        return lookups.organizations_under(self.db, scope, limit)

    @cached_property
    def _window(self) -> CuratorWindow | None:
        """A curator's window on territory values (kept for the View's later reads); None
        for a role that sees everything."""
        if self.principal.sees_every_organization:
            return None
        return CuratorWindow(self.db, self.principal.org_ids)

    def _values(self, db: Database, scope: Scope | None = None) -> pd.DataFrame:
        """Indicator values as the principal may see them: the only way the methods below
        reach :func:`~analytics.compute.indicators.compute` (an
        :data:`~analytics.compute.indicators.Values` for the engine functions that build on
        them)."""
        window = self._window
        if window is None:
            return compute(db, scope)
        return window.values(db, scope)

    @cached_read
    @territory_values
    def indicators(self, scope: Scope) -> pd.DataFrame:
        """:func:`~analytics.compute.indicators.compute` for the scope; for a curator, through their
        window (:meth:`~analytics.compute.disclosure.CuratorWindow.values`)."""
        return self._values(self.db, scope)

    @cached_read
    @territory_values
    def distribution(self, scope: Scope, indicator_id: str) -> Distribution:
        """How the values of ``indicator_id`` are distributed over the organisations of
        ``scope`` in its one period (see :func:`~analytics.compute.distribution.binned`);
        a curator's cover their own organisations only, read through their window and
        binned the same way."""
        period = _one_period(scope)
        if self._window is None:
            return binned(self.db, scope, period, indicator_id)
        own = self.principal.org_ids
        rows = self._values(
            self.db,
            replace(
                scope,
                periods=(period,),
                levels=(Level.ORGANIZATION,),
                indicators=(indicator_id,),
                org_ids=own if scope.org_ids is None else own & scope.org_ids,
            ),
        )
        return binned_rows(self.db, rows, indicator_id)

    @cached_read
    def non_reporting(self, scope: Scope) -> pd.DataFrame:
        """Registry organisations of ``scope`` without a form for its one period."""
        period = _one_period(scope)
        scope = self._org_scope(scope)
        return _own(lookups.non_reporting(self.db, period, scope), self.principal)

    @cached_read
    def organizations_in_monitoring(self, scope: Scope) -> int:
        """How many organisations of ``scope`` the principal may see are in the monitoring
        of its one period (see :func:`analytics.compute.lookups.monitored_organizations`)."""
        period = _one_period(scope)
        scope = self._org_scope(scope)
        return len(_own(lookups.monitored_organizations(self.db, period, scope), self.principal))

    @cached_read
    @territory_values
    def findings(self, scope: Scope) -> pd.DataFrame:
        """Data-quality findings of ``scope``'s organisations in its one period (every
        period where it names none; outliers are still judged against every school of the
        municipality; a curator's say so without the others' figures)."""
        period = _one_period(scope) if scope.periods is not None else None
        window = self._window
        if window is not None:
            return window.findings(period, scope)
        return quality.findings(self.db, period, scope)

    @cached_read
    def form_values(self, scope: Scope) -> pd.DataFrame:
        """The forms' values of the organisations of ``scope`` in its one period (every
        period where it names none)."""
        period = _one_period(scope) if scope.periods is not None else None
        return _own(scope.keep(lookups.form_values(self.db, period)), self.principal)

    @cached_read
    def submitted_values(self, org_id: int) -> pd.DataFrame:
        self._require_org(org_id)
        return lookups.submitted_values(self.db, org_id)

    def uploads(self) -> pd.DataFrame:
        """The upload log: file names and who uploaded, for the administrator and analysts."""
        self._require_log_reader("Журнал загрузок")
        return lookups.uploads(self.db)

    def audit(self) -> pd.DataFrame:
        """Who uploaded, rolled back, changed targets or deleted data: for the
        administrator and analysts."""
        self._require_log_reader("Журнал действий")
        return audit.entries(self.db)

    def targets(self) -> pd.DataFrame:
        return list_targets(self.db)

    def aliases(self) -> pd.DataFrame:
        """The names the principal's organisations have been written with (see
        :mod:`analytics.ingest.aliases`)."""
        return _own(aliases.listing(self.db), self.principal)

    def add_alias(self, alias: str, org_id: int) -> None:
        """Add an alias (or accept a curator's proposal), recorded as the principal's."""
        self._require_write()
        aliases.add(self.db, alias, org_id, user=self.principal.login)

    def remove_alias(self, alias: str, org_id: int) -> None:
        self._require_write()
        aliases.remove(self.db, alias, org_id, user=self.principal.login)

    def unregistered(self) -> pd.DataFrame:
        """The organisations outside the registry of a municipality that has one (see
        :mod:`analytics.ingest.unregistered`)."""
        return _own(unregistered.listing(self.db), self.principal)

    def merge_organization(self, org_id: int, into: int) -> None:
        self._require_write()
        unregistered.merge(self.db, org_id, into, user=self.principal.login)

    def remove_organization(self, org_id: int) -> None:
        self._require_write()
        unregistered.remove(self.db, org_id, user=self.principal.login)

    # --- registers --------------------------------------------------------------------

    def _org_scope(self, scope: Scope | None) -> Scope:
        """``scope`` narrowed to the organisations the principal may see."""
        scope = scope or Scope()
        if self.principal.sees_every_organization:
            return scope
        return replace(scope, org_ids=self.principal.org_ids)

    @cached_read
    def person_base_summary(self, scope: Scope | None = None) -> pd.DataFrame:
        """Counts per organisation from the registers (no names); a curator's cover only
        their own organisations, as do all their register aggregates."""
        return person_bases.person_base_summary(self.db, self._org_scope(scope))

    @cached_read
    def form_distribution(self, scope: Scope | None = None) -> pd.DataFrame:
        return person_bases.form_distribution(self.db, self._org_scope(scope))

    @cached_read
    def mentor_loads(self, scope: Scope | None = None) -> pd.DataFrame:
        return person_bases.mentor_loads(self.db, self._org_scope(scope))

    @cached_read
    def cross_check(self, scope: Scope | None = None) -> pd.DataFrame:
        return person_bases.cross_check(self.db, self._org_scope(scope))

    @cached_read
    def cross_check_totals(self, scope: Scope | None, level: Level) -> pd.DataFrame:
        return person_bases.cross_check_totals(self.db, self._org_scope(scope), level)

    def people(self, scope: Scope) -> tuple[pd.DataFrame, pd.DataFrame]:
        """The mentors and mentees, with names, of the organisation of ``scope`` (its
        ``org_id``) in its one period (every period where it names none): personal data."""
        if not self.principal.sees_personal_data:
            raise AccessDenied("Персональные данные наставников и наставляемых вам недоступны.")
        if scope.org_id is None:
            raise ValueError("the scope must name one organisation")
        self._require_org(scope.org_id)
        period = _one_period(scope) if scope.periods is not None else None
        return person_bases.people(self.db, scope.org_id, period)

    # --- documents --------------------------------------------------------------------

    def report(self, scope: Scope, appendix: bool = False) -> bytes:
        """The analytic note of the sidebar's ``scope`` (its one period, territory and type;
        an organisation is left out, see :func:`~analytics.documents.territory.document_scope`);
        it lists every school, so not for curators. ``appendix`` adds every organisation's
        values and deficits."""
        self._require_every_organization("Справка по территории")
        return build_report(self.db, document_scope(scope)[0], appendix=appendix)

    def signoff(self) -> SignOff:
        """The documents' sign-off set on «Настройки»: printed on every note, so anyone
        who may download a note may read it."""
        return get_signoff(self.db)

    def set_signoff(self, signoff: SignOff) -> SignOff:
        self._require_write()
        return set_signoff(self.db, signoff, user=self.principal.login)

    def deck(self, scope: Scope) -> bytes:
        """The meeting deck of the sidebar's ``scope``, as :meth:`report`."""
        self._require_every_organization("Презентация по территории")
        return build_deck(self.db, document_scope(scope)[0])

    @territory_values
    def school_notes_zip(self, scope: Scope) -> bytes:
        """Notes for the organisations of ``scope`` (a municipality or a district of one,
        narrowed by type or organisation); a curator's ZIP holds only theirs."""
        if not self.principal.sees_every_organization:
            own = self.principal.org_ids
            scope = replace(scope, org_ids=own if scope.org_ids is None else own & scope.org_ids)
        return build_school_notes_zip(self.db, scope, values=self._values)

    @territory_values
    def school_note(self, scope: Scope) -> bytes:
        """The note of the organisation of ``scope`` (its ``org_id``) over its one period."""
        if scope.org_id is None:
            raise ReportError("Выберите организацию: справка строится для одной организации.")
        self._require_org(scope.org_id)
        return build_school_note(self.db, scope, values=self._values)

    # --- writes -----------------------------------------------------------------------

    def preview(
        self,
        name: str,
        content: bytes,
        kind: FormKind,
        defaults: Defaults,
        decisions: Decisions | None = None,
    ) -> IngestResult:
        self._require_write()
        return preview(self.db, name, content, kind, defaults, decisions=decisions)

    def answers(
        self,
        name: str,
        content: bytes,
        file: tuple[str, bytes],
        kind: FormKind,
        defaults: Defaults,
    ) -> dict[tuple[str, int], int | str]:
        """A filled questions file read as the choices for the rows of ``file`` (its name
        and content; see :mod:`analytics.ingest.questions`); the load records each as an
        alias by the principal."""
        self._require_write()
        records = parse_bytes(*file, kind, defaults).records
        return questions.choices(self.db, questions.read(name, content), file[0], records)

    def ingest(
        self,
        name: str,
        content: bytes,
        kind: FormKind,
        defaults: Defaults,
        decisions: Decisions | None = None,
    ) -> IngestResult:
        self._require_write()
        return ingest_bytes(
            self.db, name, content, kind, defaults, user=self.principal.login, decisions=decisions
        )

    def rollback(self, upload_id: int, keep_used: bool = False) -> Undone:
        self._require_write()
        return rollback(self.db, upload_id, user=self.principal.login, keep_used=keep_used)

    def set_target(
        self,
        indicator: str,
        target: float,
        period: str | None,
        level: Level,
        territory_id: int | None,
    ) -> None:
        self._require_write()
        set_target(
            self.db, indicator, target, period, level, territory_id, user=self.principal.login
        )

    def remove_target(
        self, indicator: str, period: str | None, level: Level, territory_id: int | None
    ) -> None:
        self._require_write()
        remove_target(self.db, indicator, period, level, territory_id, user=self.principal.login)

    def delete_person_bases(self, org_id: int, period: str | None) -> person_bases.Deleted:
        self._require_write()
        return person_bases.delete_person_bases(self.db, org_id, period, user=self.principal.login)

    def clear_database(self) -> None:
        """Empty every data table (the demo data, before a centre loads its own)."""
        self._require_write()
        clear_database(self.db, user=self.principal.login)

    # --- meetings, decisions and plans -------------------------------------------------
    # Meetings show every school's frozen values, so curators see only the decisions on
    # their own organisations and on territories.

    def meetings(self) -> pd.DataFrame:
        self._require_every_organization("Список заседаний")
        return meetings.list_meetings(self.db)

    def meeting(self, meeting_id: int) -> meetings.Meeting:
        self._require_every_organization("Заседание")
        return meetings.get_meeting(self.db, meeting_id)

    def frozen_values(self, meeting_id: int) -> pd.DataFrame:
        self._require_every_organization("Заседание")
        return meetings.frozen_values(self.db, meeting_id)

    def newer_data(self, meeting: meetings.Meeting) -> bool:
        return meetings.newer_data(self.db, meeting)

    def protocol(self, meeting_id: int) -> bytes:
        self._require_every_organization("Протокол заседания")
        return build_protocol(self.db, meeting_id)

    def territory_name(self, level: Level, territory_id: int) -> str:
        if level is Level.ORGANIZATION:
            self._require_org(territory_id)
        return trajectories.territory_name(self.db, level, territory_id)

    def decisions(self, meeting_id: int | None = None, today: date | None = None) -> pd.DataFrame:
        found = decisions.list_decisions(self.db, meeting_id, today)
        if self.principal.sees_every_organization:
            return found
        on_schools = found["level"] == str(Level.ORGANIZATION)
        return found[~on_schools | found["territory_id"].isin(self.principal.org_ids)]

    @cached_read
    @territory_values
    def decision_progress(self, chosen: pd.DataFrame) -> pd.DataFrame:
        """How the indicators of ``chosen`` (rows of :meth:`decisions`) moved since."""
        return decisions.progress(self.db, chosen, values=self._values)

    @cached_read
    @territory_values
    def plan_vs_actual(self, indicator: str, scope: Scope) -> pd.DataFrame:
        """The plan and the actual values of ``indicator`` for the most specific territory
        (or organisation) of ``scope`` and its org type, every period."""
        level, territory_id = scope.unit()
        if level is Level.ORGANIZATION:
            self._require_org(territory_id)
        return trajectories.plan_vs_actual(
            self.db, indicator, level, territory_id, scope.org_type, values=self._values
        )

    def create_meeting(self, scope: Scope, sitting: meetings.Sitting) -> int:
        self._require_meetings()
        return meetings.create_meeting(self.db, scope, sitting, user=self.principal.login)

    def update_meeting(self, meeting_id: int, **details: Any) -> None:
        self._require_meetings()
        meetings.update_meeting(self.db, meeting_id, user=self.principal.login, **details)

    def mark_shown(self, meeting_id: int, screen: meetings.Screen) -> None:
        self._require_meetings()
        meetings.mark_shown(self.db, meeting_id, screen, user=self.principal.login)

    def add_decision(
        self, meeting_id: int, subject: Scope, assignment: decisions.Assignment
    ) -> int:
        self._require_meetings()
        return decisions.add_decision(
            self.db, meeting_id, subject, assignment, user=self.principal.login
        )

    def update_decision(self, decision_id: int, **changes: Any) -> None:
        self._require_meetings()
        decisions.update_decision(self.db, decision_id, user=self.principal.login, **changes)

    def set_plan(
        self, indicator: str, period: str, planned: float, level: Level, territory_id: int | None
    ) -> None:
        self._require_write()
        trajectories.set_plan(
            self.db, indicator, period, planned, level, territory_id, user=self.principal.login
        )

    def remove_plan(
        self, indicator: str, period: str, level: Level, territory_id: int | None
    ) -> None:
        self._require_write()
        trajectories.remove_plan(
            self.db, indicator, period, level, territory_id, user=self.principal.login
        )

    # --- monitoring rounds ------------------------------------------------------------
    # Administrators and analysts run rounds; curators see the rounds and their own
    # organisations' part of them, and upload their own organisations' forms while a
    # round is open.

    @cached_read
    def rounds(self) -> list[rounds.Round]:
        return rounds.list_rounds(self.db)

    def round(self, round_id: int) -> rounds.Round:
        return rounds.get_round(self.db, round_id)

    def open_round(self, period: str, **details: Any) -> int:
        """Open a round (see :func:`analytics.meetings.rounds.open_round` for ``details``)."""
        self._require_rounds()
        return rounds.open_round(self.db, period, user=self.principal.login, **details)

    def close_round(self, round_id: int) -> None:
        self._require_rounds()
        rounds.close_round(self.db, round_id, user=self.principal.login)

    def round_orgs(self, round_id: int) -> pd.DataFrame:
        return _own(rounds.round_orgs(self.db, round_id), self.principal)

    def round_template(self, round_id: int, org_id: int, previous: bool = False) -> bytes:
        """One organisation's pre-filled template: its curator's too."""
        self._require_org(org_id)
        return round_templates.organization_template(self.db, round_id, org_id, previous=previous)

    def round_templates_zip(
        self,
        round_id: int,
        scope: Scope,
        previous: bool = False,
        progress: Callable[[int, int], None] | None = None,
    ) -> bytes:
        """The round's templates for the organisations of ``scope`` (its territory, type
        and organisation; the round names the period); ``progress``: (done, total)."""
        self._require_every_organization(
            "Архив шаблонов", "скачайте шаблоны своих организаций на вкладке «Шаблоны»"
        )
        self._require_rounds()
        return round_templates.templates_zip(
            self.db, round_id, scope, previous=previous, progress=progress
        )

    def round_check(self, round_id: int, name: str, content: bytes, kind: FormKind) -> rounds.Check:
        """The preview of a file for a round, refused when it names an organisation the
        principal may not upload for (see :meth:`_require_round_orgs`)."""
        self._require_round_upload()
        window = None if self.principal.sees_every_organization else self.principal.org_ids
        try:
            checked = rounds.check(self.db, round_id, name, content, kind, window)
        except rounds.OutsideWindow as outside:
            raise AccessDenied(str(outside)) from None
        self._require_round_orgs(checked.org_ids)
        return checked

    def round_submit(
        self, round_id: int, name: str, content: bytes, kind: FormKind, now: datetime | None = None
    ) -> rounds.Submitted:
        """Load a file in a round (``now``: the moment it counts as received)."""
        self.round_check(round_id, name, content, kind)
        return rounds.submit(
            self.db,
            round_id,
            name,
            content,
            kind,
            user=self.principal.login,
            now=now,
            # A curator's file proposes aliases; only the coordinator's teach them.
            learn_aliases=self.principal.sees_every_organization,
        )

    def round_submissions(self, round_id: int) -> pd.DataFrame:
        """Who sent what and when: every file of the round, a curator's own only."""
        return _own(rounds.submissions(self.db, round_id), self.principal)

    def review_submission(
        self,
        submission_id: int,
        accept: bool,
        comment: str | None,
        now: datetime | None = None,
        incomplete: bool = False,
    ) -> None:
        """Accept or return a file (``incomplete``: a form with answers missing accepted
        knowingly, see :func:`analytics.meetings.rounds.review`)."""
        self._require_rounds()
        rounds.review(
            self.db,
            submission_id,
            accept,
            comment,
            user=self.principal.login,
            now=now,
            incomplete=incomplete,
        )

    def round_completeness(self, round_id: int, today: date | None = None) -> pd.DataFrame:
        return _own(rounds.completeness(self.db, round_id, today), self.principal)

    def round_over_time(self, round_id: int, today: date | None = None) -> pd.DataFrame:
        self._require_every_organization("Динамика сбора форм")
        return rounds.over_time(self.db, round_id, today)

    def round_not_submitted_xlsx(self, round_id: int, today: date | None = None) -> bytes:
        self._require_every_organization("Список «не представили»")
        return round_letters.not_submitted_xlsx(self.db, round_id, today)

    def round_letter(self, round_id: int, today: date | None = None, **signature: str) -> bytes:
        self._require_every_organization("Письмо «не представили»")
        return round_letters.letter_docx(self.db, round_id, today, **signature)

    # --- «Моя форма»: a form typed online ------------------------------------------------
    # Only an organisation's own curators type its form, as only they upload it; every
    # answer they write is audited, and sending it is the upload of a file.

    def entry_rounds(self) -> list[rounds.Round]:
        """The open rounds collecting the organisation form that ask one of the
        principal's organisations."""
        self._require_entry()
        found = []
        for r in rounds.open_rounds(self.db):
            if FormKind.ORG_FORM in r.kinds and len(self.entry_orgs(r.round_id)):
                found.append(r)
        return found

    def entry_orgs(self, round_id: int) -> pd.DataFrame:
        """The principal's own organisations the round asks."""
        self._require_entry()
        return _own(rounds.round_orgs(self.db, round_id), self.principal)

    def entry_form(self, round_id: int, org_id: int, opening: bool = False) -> entry.Form:
        """The organisation's form; ``opening``: the visit's first read, which the audit
        log records."""
        self._require_entry(org_id)
        if opening:
            entry.record_opening(self.db, round_id, org_id, self.principal.login)
        return entry.form(self.db, round_id, org_id)

    def entry_check(self, typed: dict[str, object]) -> list[entry.Finding]:
        """The check of answers as typed (see :func:`analytics.meetings.entry.check`)."""
        self._require_entry()
        return entry.check(self.db, typed)

    def save_draft(
        self, round_id: int, org_id: int, code: str, value: object, now: datetime | None = None
    ) -> None:
        self._require_entry(org_id)
        entry.save_draft(self.db, round_id, org_id, code, value, user=self.principal.login, now=now)

    def entry_submit(
        self, round_id: int, org_id: int, now: datetime | None = None
    ) -> rounds.Submitted:
        """Send the organisation's form typed online, as its file would be sent."""
        self._require_entry(org_id)
        return entry.submit(
            self.db,
            round_id,
            org_id,
            user=self.principal.login,
            now=now,
            # As a curator's file: the names it writes only propose aliases.
            learn_aliases=False,
        )

    # --- checks -----------------------------------------------------------------------

    def _require_entry(self, org_id: int | None = None) -> None:
        """Forms are typed online by curators, each for their own organisations only."""
        if not self.principal.enters_forms:
            raise AccessDenied(
                "Заполнять форму мониторинга онлайн могут кураторы своих организаций."
            )
        if org_id is not None and int(org_id) not in self.principal.org_ids:
            raise AccessDenied("Эта организация за вами не закреплена: форму заполняет её куратор.")

    def _require_meetings(self) -> None:
        if not self.principal.runs_meetings:
            raise AccessDenied("Вести заседания и поручения могут администратор и аналитики.")

    def _require_rounds(self) -> None:
        if not self.principal.runs_meetings:
            raise AccessDenied("Проводить мониторинги могут администратор и аналитики.")

    def _require_round_upload(self) -> None:
        allowed = self.principal.role in (Role.ADMIN, Role.CURATOR)
        if not allowed or self.principal.read_only:
            raise AccessDenied(
                "Загружать формы мониторинга могут администратор и кураторы своих организаций."
            )

    def _require_round_orgs(self, org_ids: Iterable[int]) -> None:
        """A curator uploads only for their own organisations."""
        if any(not self.principal.may_see(int(o)) for o in org_ids):
            raise AccessDenied(str(rounds.OutsideWindow([])))

    def _require_write(self) -> None:
        if not self.principal.can_write:
            raise AccessDenied("Изменять данные может только администратор.")

    def _require_log_reader(self, what: str) -> None:
        if self.principal.role not in (Role.ADMIN, Role.ANALYST):
            raise AccessDenied(f"{what} доступен администратору и аналитикам.")

    def _require_org(self, org_id: int) -> None:
        if not self.principal.may_see(int(org_id)):
            raise AccessDenied("Данные этой организации вам недоступны.")

    def _require_every_organization(
        self, what: str, instead: str = "скачайте справки по своим организациям"
    ) -> None:
        """Refused to a curator: ``what`` (any noun: the verb agrees with each) holds
        every organisation's values; ``instead`` says what they may take."""
        if not self.principal.sees_every_organization:
            raise AccessDenied(
                f"{what} содержит значения всех организаций и куратору не выдаётся; {instead}."
            )
