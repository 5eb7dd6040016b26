"""The provisioning plan: what to create, what to repair, what is already right.

:func:`make_plan` only reads its inputs (the schema and an observation of the
workspace) and returns typed actions; :mod:`notion_crm.provision.apply` carries them
out. ``--dry-run`` prints the plan and sends nothing.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from notion_crm.provision.binder import BindFindings, bind_database, nfc
from notion_crm.provision.observe import Observation
from notion_crm.schema.binding import Binding, DatabaseBinding
from notion_crm.schema.model import Locale, Schema

ActionKind = Literal[
    "create_dashboard",
    "create_database",
    "add_properties",
    "fix_options",
    "create_relations",
    "repair_relations",
    "rename_back_sides",
    "rename_default_view",
    "create_view",
    "create_layout",
    "restore_callouts",
    "restore_as_of",
]

CREATES = {"create_dashboard", "create_database", "create_view", "create_layout"}
CREATES |= {"create_relations"}


@dataclass(frozen=True, slots=True)
class Action:
    """One step of the plan; ``keys`` name properties, views or KPIs it concerns."""

    kind: ActionKind
    db: str | None = None
    keys: tuple[str, ...] = ()

    def describe(self, schema: Schema, locale: Locale) -> str:
        what = self.kind.replace("_", " ")
        where = schema.workspace.database(self.db).name(locale) if self.db else ""
        names = ", ".join(self.keys)
        return " ".join(
            part for part in (what, where, f"({names})" if names else "") if part
        )

    @property
    def is_create(self) -> bool:
        return self.kind in CREATES


@dataclass(slots=True)
class Plan:
    """The actions to take, the binding as things stand, and what is already right."""

    actions: list[Action] = field(default_factory=list)
    binding: Binding = field(default_factory=Binding)
    unchanged: list[str] = field(default_factory=list)
    findings: dict[str, BindFindings] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        return not self.actions


RELATION_CREATORS = ("contacts", "opportunities", "interactions")


def make_plan(
    schema: Schema, seen: Observation, locale: Locale, previous: Binding | None = None
) -> Plan:
    """Compare the schema with what exists and list what must be done.

    ``previous`` is the binding the state store remembers: properties it knows are
    matched by id, so a property a person renamed keeps its new name.
    """
    plan = Plan(binding=Binding(locale=locale, parent_page_id=seen.parent_id))
    plan.binding.workspace_id = seen.workspace_id
    if seen.dashboard is None:
        plan.actions.append(Action("create_dashboard"))
    else:
        plan.binding.dashboard_page_id = seen.dashboard.page_id
        plan.unchanged.append("dashboard page")
    for key in schema.workspace.databases:
        _plan_database(schema, seen, plan, key, locale, previous)
    for key in RELATION_CREATORS:
        _plan_relations(schema, plan, key)
        _plan_lost_pairs(schema, seen, plan, key)
    for key in schema.workspace.databases:
        _plan_back_sides(schema, plan, key)
        _plan_views(schema, seen, plan, key, locale)
    _plan_dashboard(schema, seen, plan)
    return plan


def _plan_database(
    schema: Schema,
    seen: Observation,
    plan: Plan,
    key: str,
    locale: Locale,
    previous: Binding | None,
) -> None:
    spec = schema.workspace.database(key)
    found = seen.databases.get(key)
    if found is None:
        plan.actions.append(Action("create_database", key))
        return
    known = previous.databases.get(key) if previous else None
    if known is not None and known.data_source_id != found.info.id:
        known = None
    bound, findings = bind_database(
        spec, found.info, known, locale, database_id=found.database_id
    )
    bound.views = {}
    plan.binding.databases[key] = bound
    plan.findings[key] = findings
    if len(found.data_source_ids) > 1:
        plan.warnings.append(
            f"{spec.name(locale)} has {len(found.data_source_ids)} data sources; "
            "notion-crm uses the first one."
        )
    for prop, expected, actual in findings.retyped:
        plan.warnings.append(
            f"{spec.name(locale)}.{prop} is a {actual} property, not a {expected}. "
            "Change its type back in Notion; provision never retypes your data."
        )
    missing = tuple(
        k for k in findings.missing if spec.properties[k].type != "relation"
    )
    if missing:
        plan.actions.append(Action("add_properties", key, missing))
    options = tuple(sorted({p for p, _ in findings.missing_options}))
    if options:
        plan.actions.append(Action("fix_options", key, options))
    if not missing and not options:
        plan.unchanged.append(f"database {key}")


def _plan_relations(schema: Schema, plan: Plan, key: str) -> None:
    spec = schema.workspace.database(key)
    bound = plan.binding.databases.get(key)
    todo = tuple(
        k
        for k, p in spec.properties.items()
        if p.type == "relation"
        and not p.back_side
        and (bound is None or k not in bound.properties)
    )
    if todo:
        plan.actions.append(Action("create_relations", key, todo))


def _plan_lost_pairs(schema: Schema, seen: Observation, plan: Plan, key: str) -> None:
    """Relations whose other side was deleted: Notion made them one-way."""
    spec = schema.workspace.database(key)
    bound = plan.binding.databases.get(key)
    found = seen.databases.get(key)
    if bound is None or found is None:
        return
    lost = []
    for prop_key, prop in spec.properties.items():
        if (
            prop.type != "relation"
            or prop.back_side
            or prop_key not in bound.properties
        ):
            continue
        live = found.info.by_id(bound.properties[prop_key].id)
        target = seen.databases.get(prop.target or "")
        pair = None
        if live is not None and target is not None and live.synced_property_id:
            pair = target.info.by_id(live.synced_property_id)
        if live is None or live.relation_kind != "dual_property" or pair is None:
            lost.append(prop_key)
    if lost:
        plan.actions.append(Action("repair_relations", key, tuple(lost)))


def _plan_back_sides(schema: Schema, plan: Plan, key: str) -> None:
    """Back sides are renamed after their relation exists; plan them when missing."""
    spec = schema.workspace.database(key)
    bound = plan.binding.databases.get(key)
    todo = tuple(
        k
        for k, p in spec.properties.items()
        if p.type == "relation"
        and p.back_side
        and (bound is None or k not in bound.properties)
    )
    if todo:
        plan.actions.append(Action("rename_back_sides", key, todo))


def _plan_views(
    schema: Schema, seen: Observation, plan: Plan, key: str, locale: Locale
) -> None:
    spec = schema.workspace.database(key)
    found = seen.databases.get(key)
    names = {nfc(v.name): v.id for v in found.views} if found else {}
    bound: DatabaseBinding | None = plan.binding.databases.get(key)
    for view in spec.views:
        view_id = names.get(nfc(view.name(locale)))
        if view_id is not None:
            if bound is not None:
                bound.views[view.key] = view_id
            plan.unchanged.append(f"view {key}.{view.key}")
        elif view.default:
            plan.actions.append(Action("rename_default_view", key, (view.key,)))
        else:
            plan.actions.append(Action("create_view", key, (view.key,)))


def _plan_dashboard(schema: Schema, seen: Observation, plan: Plan) -> None:
    dash = seen.dashboard
    if dash is None or not dash.has_layout:
        plan.actions.append(Action("create_layout"))
        return
    plan.binding.callouts = dict(dash.callouts)
    plan.binding.as_of_block_id = dash.as_of_block_id
    missing = tuple(k.key for k in schema.rules.kpis if k.key not in dash.callouts)
    if missing:
        plan.actions.append(Action("restore_callouts", None, missing))
    if dash.as_of_block_id is None:
        plan.actions.append(Action("restore_as_of"))
    if not missing and dash.as_of_block_id:
        plan.unchanged.append("dashboard layout")
