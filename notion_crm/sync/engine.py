"""One sync cycle: read what changed, recompute everything, write what differs.

A cycle reads the four data sources (only what changed, or everything on a full
reconcile or a cold start), follows relations edited from their other side, records
stage transitions and stamps stage dates, recomputes every owned value from the full
mirror, writes only the values that differ, updates the dashboard callouts whose text
changes, and saves the mirror and the cursors in one transaction, only once its writes
are done. A cycle that fails saves nothing, so the next one redoes its work.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from zoneinfo import ZoneInfo

from notion_crm.clock import Clock
from notion_crm.errors import (
    AccessError,
    ConflictError,
    DriftError,
    InvalidRequestError,
    WorkspaceError,
)
from notion_crm.notion import properties as P
from notion_crm.notion.datasource import DataSourceInfo, read_data_source
from notion_crm.notion.gateway import NotionGateway
from notion_crm.provision.binder import BindFindings, bind_database
from notion_crm.schema.binding import Binding, DatabaseBinding
from notion_crm.schema.model import Schema
from notion_crm.settings import CrmSettings
from notion_crm.store.codec import Record
from notion_crm.store.state import (
    Cursor,
    CycleCommit,
    PendingWrite,
    StateStore,
    StoredTransition,
)
from notion_crm.sync import dashboard
from notion_crm.sync.compute import Rules, compute
from notion_crm.sync.decode import MANY_SIDES, SMALL_SIDES
from notion_crm.sync.formatting import kpi_callout_text, kpi_json_value
from notion_crm.sync.kpis import KpiValue, compute_kpis
from notion_crm.sync.reader import (
    DATABASES,
    PageDecoder,
    PageRead,
    SourceRead,
    drift_seen,
    read_source,
    read_sources,
    retrieve_pages,
)
from notion_crm.sync.records import Opportunity, Snapshot
from notion_crm.sync.report import Change, CycleReport, Transition
from notion_crm.sync.writes import PageWrite, apply_written, plan_writes

logger = logging.getLogger(__name__)

INPUTS: dict[str, tuple[str, ...]] = {
    "contacts": ("company",),
    "opportunities": ("company", "stage", "amount"),
    "interactions": ("date", "company", "contacts", "opportunity"),
}
"""Properties the figures are computed from: without them, nothing is written."""

Mirror = dict[str, dict[str, Record]]

MAX_WRITE_ROUNDS = 4
"""Rounds of writes per cycle: opportunities and contacts, companies, and redos."""


@dataclass(slots=True)
class _Cycle:
    """Working state of one cycle; thrown away if the cycle fails."""

    now: datetime
    today: date
    binding: Binding
    mirror: Mirror
    full: bool
    report: CycleReport
    read_ids: set[str] = field(default_factory=set)
    whole: set[str] = field(default_factory=set)
    """Data sources read completely this cycle."""
    changed: dict[str, tuple[str, Record, str | None]] = field(default_factory=dict)
    deleted: set[str] = field(default_factory=set)
    transitions: list[StoredTransition] = field(default_factory=list)
    stamps: dict[str, dict[str, date]] = field(default_factory=dict)
    pending_added: list[PendingWrite] = field(default_factory=list)
    pending_cleared: list[tuple[str, str]] = field(default_factory=list)
    binding_changed: bool = False
    before: dict[str, Record | None] = field(default_factory=dict)
    """Each page's record as the cycle found it in the mirror (first read only)."""
    refreshed: set[str] = field(default_factory=set)
    """Data sources whose schema this cycle has already read again."""
    written: set[str] = field(default_factory=set)
    """Pages this cycle has sent a write to: none is written twice in a cycle."""
    published: dict[str, str] = field(default_factory=dict)
    """Dashboard texts this cycle wrote, saved with the commit."""


class SyncEngine:
    """Runs sync cycles against one workspace, remembering through the store."""

    def __init__(
        self,
        gateway: NotionGateway,
        store: StateStore,
        schema: Schema,
        crm: CrmSettings,
        *,
        clock: Clock,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self.gateway = gateway
        self.store = store
        self.schema = schema
        self.crm = crm
        self.zone = ZoneInfo(crm.timezone)
        self.clock = clock
        self.monotonic = monotonic
        self._mirror: Mirror | None = None
        self._stamp_keys = tuple(schema.rules.stage_dates.values())

    # -- the cycle -----------------------------------------------------------------

    def cycle(self, *, full: bool = False, dry_run: bool = False) -> CycleReport:
        """Run one cycle and return what it did; on failure nothing is saved."""
        started = self.monotonic()
        self.gateway.start_budget()
        before = self.gateway.stats.snapshot()
        try:
            report = self._cycle(full=full, dry_run=dry_run)
        except BaseException:
            self._mirror = None
            raise
        finally:
            after = self.gateway.stats.snapshot()
        report.requests = {
            m: after["by_method"].get(m, 0) - before["by_method"].get(m, 0)
            for m in ("GET", "POST", "PATCH", "DELETE")
        }
        report.rate_limited = after["rate_limited"] - before["rate_limited"]
        report.duration_s = self.monotonic() - started
        return report

    def _cycle(self, *, full: bool, dry_run: bool) -> CycleReport:
        binding = self.store.binding()
        if binding is None or len(binding.databases) < len(DATABASES):
            raise WorkspaceError(
                "This state store knows no provisioned CRM.",
                hint="Run `notion-crm provision --parent PAGE` first.",
            )
        now = self.clock()
        state = _Cycle(
            now=now,
            today=now.astimezone(self.zone).date(),
            binding=binding,
            mirror=self._working_mirror(),
            full=full,
            report=CycleReport(full=full, dry_run=dry_run),
        )
        cursors = self.store.cursors()
        if full:
            self._refresh_schema(state, list(DATABASES))
        reads = read_sources(
            self.gateway,
            state.binding,
            cursors,
            full=full,
            zone=self.zone,
            stamp_keys=self._stamp_keys,
        )
        self._check_drift(state, reads.sources, cursors)
        state.whole = {db for db, src in reads.sources.items() if src.complete_read}
        for db, source in reads.sources.items():
            cold = not cursors.get(db, Cursor(None, False)).cold_done
            self._absorb(state, db, source.pages, stamp=not cold)
            if source.complete_read:
                self._drop_unseen(state, db, {p.id for p in source.pages})
        self._follow_relations(state, cursors)
        self._write(state, dry_run=dry_run)
        if not dry_run:
            new_cursors = {
                db: Cursor(since=s.next_cursor, cold_done=True)
                for db, s in reads.sources.items()
            }
            self._commit(state, new_cursors)
        return state.report

    def _working_mirror(self) -> Mirror:
        if self._mirror is None:
            self._mirror = self.store.load_mirror()
        return {db: dict(self._mirror.get(db, {})) for db in DATABASES}

    # -- reading -----------------------------------------------------------------------

    def _absorb(
        self, state: _Cycle, db: str, pages: list[PageRead], *, stamp: bool
    ) -> None:
        """Put decoded pages into the working mirror, noting transitions."""
        for page in pages:
            page_id = page.id
            state.read_ids.add(page_id)
            state.report.pages_read += 1
            decoded = page.decoded
            if page.trashed or decoded is None:
                self._forget(state, db, page_id)
                continue
            self._complete_relations(state, db, decoded.record, decoded.incomplete)
            old = state.mirror[db].get(page_id)
            state.before.setdefault(page_id, old)
            if db == "opportunities" and stamp:
                self._note_transition(state, old, decoded.record)
            if old != decoded.record:
                state.mirror[db][page_id] = decoded.record
                state.changed[page_id] = (db, decoded.record, decoded.last_edited_time)
                state.deleted.discard(page_id)

    def _complete_relations(
        self, state: _Cycle, db: str, record: Record, incomplete: tuple[str, ...]
    ) -> None:
        """Read past the 25-item cut where the engine needs the whole list.

        Small sides are always read whole: the figures come from them. A many side
        serves only to notice relation edits made from it, so it is not read when
        the data source of its pair is read completely in the same cycle (a cold
        start, a full reconcile): those pages' small sides tell everything.
        """
        spec = self.schema.workspace.database(db)
        for key in incomplete:
            small = key in SMALL_SIDES.get(db, ())
            if small or spec.properties[key].target not in state.whole:
                prop_id = state.binding.database(db).property_id(key)
                if prop_id is None:
                    continue
                items = self.gateway.property_items(record.id, prop_id)
                ids = tuple(
                    P.normalize_id(str(item["relation"]["id"]))
                    for item in items
                    if item.get("type") == "relation"
                )
                setattr(record, key, ids)

    def _forget(self, state: _Cycle, db: str, page_id: str) -> None:
        if page_id in state.mirror[db]:
            del state.mirror[db][page_id]
            state.deleted.add(page_id)
            state.changed.pop(page_id, None)

    def _drop_unseen(self, state: _Cycle, db: str, seen: set[str]) -> None:
        """After a complete read, pages no longer returned are trashed or unshared."""
        for page_id in [p for p in state.mirror[db] if p not in seen]:
            logger.info("%s page %s is gone (trashed or unshared)", db, page_id)
            self._forget(state, db, page_id)

    def _follow_relations(self, state: _Cycle, cursors: Mapping[str, Cursor]) -> None:
        """Re-read pages that entered or left a relation edited from its many side.

        Notion is not known to move the other page's ``last_edited_time`` when a
        person edits a two-way relation, so a page whose many side changed makes
        the engine read again every page whose small side must now disagree with
        the mirror: those it lists that do not list it back, and those that list it
        and it no longer lists. Ids unknown to the mirror are read only when they
        just entered the list (a trashed page a list still names is not read again
        each time its neighbour changes).
        """
        to_read = self._relation_suspects(state) - state.read_ids
        if not to_read:
            return
        logger.info("re-reading %d pages whose relations changed", len(to_read))
        pages = retrieve_pages(self.gateway, sorted(to_read))
        for db, db_pages in self._decoded_by_database(state, pages).items():
            cold = not cursors.get(db, Cursor(None, False)).cold_done
            self._absorb(state, db, db_pages, stamp=not cold)
        reached = {P.normalize_id(str(p["id"])) for p in pages}
        for page_id in to_read - reached:
            for db in DATABASES:
                self._forget(state, db, page_id)

    def _relation_suspects(self, state: _Cycle) -> set[str]:
        incoming = _inverse_index(state.mirror)
        known = {page_id for records in state.mirror.values() for page_id in records}
        suspects: set[str] = set()
        for page_id, (db, record, _edited) in list(state.changed.items()):
            before = state.before.get(page_id)
            for key in MANY_SIDES.get(db, ()):
                spec = self.schema.workspace.database(db).properties[key]
                listed = set(getattr(record, key))
                moved = listed ^ set(getattr(before, key) if before else ())
                derived = incoming.get((spec.target or "", spec.back or ""), {})
                disagree = listed ^ derived.get(page_id, set())
                suspects |= {i for i in disagree if i in known or i in moved}
        return suspects

    def _note_transition(self, state: _Cycle, old: Record | None, new: Record) -> None:
        assert isinstance(new, Opportunity)
        before = old.stage if isinstance(old, Opportunity) else None
        if old is not None and before == new.stage:
            return
        if old is None and new.stage is None:
            return
        edited = new.last_edited_time or state.now
        state.transitions.append(
            StoredTransition(new.id, before, new.stage, edited, state.now)
        )
        state.report.transitions.append(
            Transition(
                new.id,
                new.name,
                self._stage_name(state, before),
                self._stage_name(state, new.stage),
                edited,
                state.now,
            )
        )
        stamp_key = self._stamp_key(state, new.stage)
        if stamp_key and new.stage_dates.get(stamp_key) is None:
            stamped = edited.astimezone(self.zone).date()
            state.stamps.setdefault(new.id, {})[stamp_key] = stamped

    def _stamp_key(self, state: _Cycle, option_id: str | None) -> str | None:
        options = state.binding.database("opportunities").properties.get("stage")
        if option_id is None or options is None:
            return None
        for key, value in options.options.items():
            if value == option_id:
                return self.schema.rules.stage_dates.get(key)
        return None

    def _stage_name(self, state: _Cycle, option_id: str | None) -> str | None:
        if option_id is None:
            return None
        stage = state.binding.database("opportunities").properties.get("stage")
        for key, value in (stage.options if stage else {}).items():
            if value == option_id and not key.startswith("~"):
                return self.schema.stage.option(key).name(state.binding.locale)
        return option_id

    # -- schema drift ----------------------------------------------------------------

    def _check_drift(
        self,
        state: _Cycle,
        sources: dict[str, SourceRead],
        cursors: Mapping[str, Cursor],
    ) -> None:
        """Re-read a data source's schema when its pages show another one.

        Pages are decoded as they arrive, with the binding of the moment; when the
        schema read back binds a property to another id, that data source is
        queried again so that no record is decoded with a stale binding.
        """
        stale = []
        for db, source in sources.items():
            bound = state.binding.database(db)
            reason = drift_seen(db, bound, source.seen, source.pages)
            if reason is not None:
                logger.info("%s: the query shows %s; reading its schema", db, reason)
                stale.append(db)
        if stale:
            self._refresh_schema(state, stale)
        for db in stale:
            if _ids(state.binding.database(db)) != _ids(sources[db].binding):
                sources[db] = read_source(
                    self.gateway,
                    db,
                    state.binding.database(db),
                    cursors.get(db, Cursor(None, False)),
                    full=state.full,
                    zone=self.zone,
                    stamp_keys=self._stamp_keys,
                )
        self._require_inputs(state)

    def _decoded_by_database(
        self, state: _Cycle, pages: list[P.Json]
    ) -> dict[str, list[PageRead]]:
        """Pages read one by one, decoded with their data source's binding."""
        decoded: dict[str, list[PageRead]] = {}
        for db, db_pages in _split_by_database(pages, state.binding).items():
            decoder = PageDecoder(
                db, state.binding.database(db), self.zone, self._stamp_keys
            )
            decoded[db] = [decoder.read(page) for page in db_pages]
        return decoded

    def _refresh_schema(self, state: _Cycle, dbs: list[str]) -> None:
        """Read data source schemas again (once per cycle each) and rebind."""
        for db in [d for d in dbs if d not in state.refreshed]:
            state.refreshed.add(db)
            previous = state.binding.database(db)
            info = read_data_source(
                self.gateway.retrieve_data_source(previous.data_source_id)
            )
            bound, findings = bind_database(
                self.schema.workspace.database(db),
                info,
                previous,
                state.binding.locale,
                database_id=previous.database_id,
            )
            _remember_unbound(bound, info)
            self._report_findings(state, db, findings)
            state.binding.databases[db] = bound
            state.binding_changed = True

    def _report_findings(self, state: _Cycle, db: str, findings: BindFindings) -> None:
        warnings = []
        for key in findings.missing:
            warnings.append(
                f"{db}.{key} is missing in Notion: the engine stops writing it. "
                "Run `notion-crm provision` to recreate it."
            )
        for key, expected, found in findings.retyped:
            warnings.append(
                f"{db}.{key} is a {found} property, not a {expected}: the engine "
                "ignores it. Change its type back in Notion, or run `notion-crm "
                "doctor`."
            )
        for warning in warnings:
            logger.warning("%s", warning)
        state.report.warnings.extend(warnings)

    def _require_inputs(self, state: _Cycle) -> None:
        for db, keys in INPUTS.items():
            missing = [
                k for k in keys if k not in state.binding.database(db).properties
            ]
            if missing:
                raise DriftError(
                    f"{db}: {', '.join(missing)} missing or of another type in "
                    "Notion; figures computed without them would be wrong, so "
                    "nothing was written.",
                    hint="Run `notion-crm doctor`: it says which, and the fix "
                    "(provision recreates a deleted property; a retyped one must be "
                    "changed back in Notion).",
                )

    # -- computing and writing ---------------------------------------------------------

    def _rules(self, binding: Binding) -> Rules:
        stage = binding.database("opportunities").properties["stage"].options
        status = binding.database("companies").properties.get("status")
        return Rules.from_schema(
            self.schema,
            stage_ids={k: v for k, v in stage.items() if not k.startswith("~")},
            status_ids={k: v for k, v in (status.options if status else {}).items()},
            former_client_after_days=self.crm.former_client_after_days,
            follow_up_after_days=self.crm.follow_up_after_days,
            zone=self.zone,
        )

    def _write(self, state: _Cycle, *, dry_run: bool) -> None:
        """Compute, write what differs, then publish the figures.

        Writes go in rounds: opportunities and contacts first, companies after, so
        that a company's figures see what the first round learnt (a page found in
        the trash, a person's newer value after a 409). A page written in one round
        is not written again in a later one; what it still lacks is written at the
        next cycle.
        """
        rules = self._rules(state.binding)
        last_changes = self._last_stage_changes(state)
        pending = {(p.page_id, p.property) for p in self.store.pending()}
        if state.full:
            self._retry_pending_stamps(state, pending)

        def writable(db: str, page_id: str, key: str) -> bool:
            if key not in state.binding.database(db).properties:
                return False
            return state.full or (page_id, key) not in pending

        learned = True
        for _round in range(MAX_WRITE_ROUNDS):
            if learned:
                snapshot = _snapshot(state.mirror)
                computed = compute(
                    snapshot, rules, today=state.today, last_stage_change=last_changes
                )
            writes = plan_writes(
                state.mirror, computed, state.stamps, writable=writable
            )
            if dry_run:
                for write in writes:
                    state.report.changes.extend(self._named_changes(state, write))
                state.report.pages_written = len(writes)
                break
            due, learned = self._write_round(state, writes, pending)
            if not due:
                break
        kpis = compute_kpis(snapshot, computed, rules, self.schema.rules.kpis)
        self._publish(state, kpis, dry_run=dry_run)

    def _write_round(
        self, state: _Cycle, writes: list[PageWrite], pending: set[tuple[str, str]]
    ) -> tuple[bool, bool]:
        """Send one round of writes.

        Returns whether another round is due, and whether this one learnt
        something (a page trashed, a conflict re-read) that calls for computing
        the figures again; otherwise the next round reuses them.
        """
        fresh = [w for w in writes if w.page_id not in state.written]
        for write in writes:
            if write.page_id in state.written:
                logger.debug("%s already written this cycle", write.page_name)
        first = [w for w in fresh if w.db != "companies"]
        batch = first or fresh
        if not batch:
            return False, False
        learned = self._apply(state, batch, pending)
        return learned or len(batch) < len(fresh), learned

    def _retry_pending_stamps(
        self, state: _Cycle, pending: set[tuple[str, str]]
    ) -> None:
        """Stage dates whose write failed for good are due again at a full reconcile.

        The date is the one the transition that called for it was stamped with.
        """
        keys = set(self._stamp_keys)
        for page_id, key in sorted(pending):
            record = state.mirror["opportunities"].get(page_id)
            if key not in keys or not isinstance(record, Opportunity):
                continue
            if record.stage_dates.get(key) is not None:
                continue
            for transition in reversed(self.store.transitions(page_id)):
                if self._stamp_key(state, transition.to_stage) == key:
                    day = transition.edited.astimezone(self.zone).date()
                    state.stamps.setdefault(page_id, {}).setdefault(key, day)
                    break

    def _last_stage_changes(self, state: _Cycle) -> dict[str, date]:
        recorded = self.store.last_transitions()
        for transition in state.transitions:
            recorded[transition.page_id] = transition.edited
        return {k: v.astimezone(self.zone).date() for k, v in recorded.items()}

    def _apply(
        self, state: _Cycle, writes: list[PageWrite], pending: set[tuple[str, str]]
    ) -> bool:
        """Send the writes; True when figures must be computed again.

        That happens when a page vanished (trashed between read and write) or when
        Notion answered 409: the page is then read again, so the next round
        recomputes from what a person just wrote, and writes only what is still
        due (a stage date a person set in the meantime is kept, field report F20).
        """
        outcomes = self.gateway.map_settled(lambda w: self._send(state, w), writes)
        again = False
        errors: list[BaseException] = []
        conflicted: list[PageWrite] = []
        for write, outcome in outcomes:
            if isinstance(outcome, ConflictError):
                conflicted.append(write)
            elif isinstance(outcome, AccessError | InvalidRequestError):
                again |= self._write_refused(state, write, outcome)
            elif isinstance(outcome, BaseException):
                errors.append(outcome)
            else:
                self._written(state, write, pending)
        if errors:
            raise errors[0]
        if conflicted:
            logger.info("%d writes met a conflict; reading them again", len(conflicted))
            pages = retrieve_pages(self.gateway, [w.page_id for w in conflicted])
            for db, db_pages in self._decoded_by_database(state, pages).items():
                self._absorb(state, db, db_pages, stamp=True)
            again = True
        return again

    def _send(self, state: _Cycle, write: PageWrite) -> None:
        self.gateway.update_page(write.page_id, write.body(state.binding), owned=True)

    def _written(
        self, state: _Cycle, write: PageWrite, pending: set[tuple[str, str]]
    ) -> None:
        """Record in the mirror that Notion now holds the written values."""
        state.written.add(write.page_id)
        state.report.changes.extend(self._named_changes(state, write))
        for key in write.values:
            if (write.page_id, key) in pending:
                state.pending_cleared.append((write.page_id, key))
        record = state.mirror[write.db].get(write.page_id)
        if record is None:
            return
        apply_written(record, write.values)
        state.changed[write.page_id] = (write.db, record, None)
        state.report.pages_written += 1
        if isinstance(record, Opportunity):
            stamped = state.stamps.get(write.page_id, {})
            for key in [k for k in stamped if k in write.values]:
                del stamped[key]

    def _write_refused(self, state: _Cycle, write: PageWrite, error: Exception) -> bool:
        state.written.add(write.page_id)
        text = str(error).lower()
        if isinstance(error, AccessError) or "archived" in text or "trash" in text:
            logger.info(
                "%s was trashed before the engine could write it; skipped",
                write.page_id,
            )
            self._forget(state, write.db, write.page_id)
            return True
        for key in write.values:
            state.pending_added.append(
                PendingWrite(write.page_id, key, _one_line(error), state.now)
            )
        logger.warning(
            "write to %s refused (%s); kept as pending", write.page_name, error
        )
        self._refresh_schema(state, [write.db])
        return False

    def _named_changes(self, state: _Cycle, write: PageWrite) -> list[Change]:
        status = state.binding.database("companies").properties.get("status")
        names = {}
        if status:
            spec = self.schema.workspace.database("companies").properties["status"]
            for key, option_id in status.options.items():
                if not key.startswith("~"):
                    names[option_id] = spec.option(key).name(state.binding.locale)
        changes = write.changes()
        return [
            Change(
                c.database,
                c.page_id,
                c.page_name,
                c.property,
                names.get(c.before, c.before),
                names.get(c.after, c.after),
            )
            for c in changes
        ]

    def _publish(
        self, state: _Cycle, kpis: Mapping[str, KpiValue], *, dry_run: bool
    ) -> None:
        """Write the callouts whose text changed, and the "figures as of" line.

        The line moves only when a figure changed since it was last published; a
        full reconcile that only puts right a callout a person edited leaves it.
        """
        locale = state.binding.locale
        specs = {s.key: s for s in self.schema.rules.kpis}
        texts = {
            key: kpi_callout_text(specs[key], value, locale)
            for key, value in kpis.items()
        }
        state.report.kpis = {k: kpi_json_value(v) for k, v in kpis.items()}
        state.report.kpi_texts = texts
        published = self.store.published()
        actual = (
            dashboard.read_callouts(self.gateway, state.binding) if state.full else None
        )
        due = dashboard.texts_to_write(texts, published, actual)
        if not due:
            return
        figure_moved = any(published.get(key) != text for key, text in texts.items())
        if dry_run:
            state.report.blocks_written = len(due) + int(figure_moved)
            return
        as_of = (
            dashboard.as_of_text(
                self.schema.workspace.dashboard.as_of(locale),
                state.now,
                self.zone,
                locale,
            )
            if figure_moved
            else None
        )
        outcome = dashboard.write_callouts(self.gateway, state.binding, due, as_of)
        state.report.blocks_written = len(outcome.written)
        state.published = outcome.written

    # -- saving ------------------------------------------------------------------------

    def _commit(self, state: _Cycle, cursors: dict[str, Cursor]) -> None:
        commit = CycleCommit(
            upserts=[(db, rec, edited) for db, rec, edited in state.changed.values()],
            deletes=sorted(state.deleted),
            cursors=cursors,
            transitions=state.transitions,
            pending_added=state.pending_added,
            pending_cleared=state.pending_cleared,
            published=state.published,
        )
        if state.binding_changed:
            self.store.save_binding(state.binding)
        self.store.commit_cycle(commit)
        state.report.pending = len(self.store.pending())
        self._mirror = state.mirror


def _remember_unbound(bound: DatabaseBinding, info: DataSourceInfo) -> None:
    """Note as "other" every property left unbound (retyped ones included).

    The drift check then takes them as known, so a property the engine ignores
    does not make every cycle read the schema again.
    """
    used = {P.property_key(p.id) for p in bound.properties.values()}
    used |= {P.property_key(i) for i in bound.other_ids}
    for key, prop in info.properties.items():
        if key not in used:
            bound.other_ids.append(prop.id)


def _snapshot(mirror: Mirror) -> Snapshot:
    return Snapshot(
        companies=mirror["companies"],  # type: ignore[arg-type]
        contacts=mirror["contacts"],  # type: ignore[arg-type]
        opportunities=mirror["opportunities"],  # type: ignore[arg-type]
        interactions=mirror["interactions"],  # type: ignore[arg-type]
    )


def _inverse_index(mirror: Mirror) -> dict[tuple[str, str], dict[str, set[str]]]:
    """(db, small-side key) -> target page id -> pages whose small side names it."""
    index: dict[tuple[str, str], dict[str, set[str]]] = {}
    for db, keys in SMALL_SIDES.items():
        for key in keys:
            table: dict[str, set[str]] = {}
            for record in mirror[db].values():
                for target in getattr(record, key):
                    table.setdefault(target, set()).add(record.id)
            index[(db, key)] = table
    return index


def _ids(binding: DatabaseBinding) -> dict[str, str]:
    return {key: prop.id for key, prop in binding.properties.items()}


def _split_by_database(
    pages: list[P.Json], binding: Binding
) -> dict[str, list[P.Json]]:
    by_source = {b.data_source_id: db for db, b in binding.databases.items()}
    split: dict[str, list[P.Json]] = {}
    for page in pages:
        parent = page.get("parent") or {}
        source = parent.get("data_source_id")
        db = by_source.get(P.normalize_id(source)) if source else None
        if db is not None:
            split.setdefault(db, []).append(page)
    return split


def _one_line(error: Exception) -> str:
    return " ".join(str(error).split())
