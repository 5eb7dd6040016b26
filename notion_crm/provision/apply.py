"""Carrying out a provisioning plan, idempotently.

Each action records the ids it creates in the state store at once, so a run stopped
anywhere and started again finishes the job. Creates go through the gateway with a
``find_existing`` look-up, so an unclear failure never leads to a duplicate
(field report F23); a step that still fails that way ends the round, and the next
round observes the workspace again before planning what is left.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from notion_crm.errors import ServerError, WorkspaceError
from notion_crm.notion import blocks
from notion_crm.notion.datasource import (
    DataSourceInfo,
    database_description,
    read_data_source,
)
from notion_crm.notion.gateway import NotionGateway
from notion_crm.notion.properties import normalize_id
from notion_crm.provision import layout
from notion_crm.provision.binder import bind_database, nfc
from notion_crm.provision.observe import Observation, observe, view_info
from notion_crm.provision.plan import Action, Plan, make_plan
from notion_crm.schema.binding import Binding
from notion_crm.schema.model import Locale, Schema
from notion_crm.store.state import StateStore

logger = logging.getLogger(__name__)

Json = dict[str, Any]
MAX_ROUNDS = 4


@dataclass(slots=True)
class ProvisionResult:
    """What a provisioning run did."""

    binding: Binding
    created: list[str] = field(default_factory=list)
    repaired: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    rebuilt: bool = False

    def as_json(self) -> Json:
        return {
            "dashboard_page_id": self.binding.dashboard_page_id,
            "databases": {
                k: {"database_id": b.database_id, "data_source_id": b.data_source_id}
                for k, b in self.binding.databases.items()
            },
            "created": self.created,
            "repaired": self.repaired,
            "unchanged": self.unchanged,
            "warnings": self.warnings,
        }


Progress = Callable[[str], None]


class Provisioner:
    """Builds or repairs the CRM under a parent page."""

    def __init__(
        self,
        gateway: NotionGateway,
        store: StateStore | None,
        schema: Schema,
        locale: Locale,
        *,
        progress: Progress | None = None,
    ) -> None:
        self.gateway = gateway
        self.store = store
        self.schema = schema
        self.locale = locale
        self.progress = progress or (lambda _message: None)
        self._infos: dict[str, DataSourceInfo] = {}
        self._seen: Observation | None = None

    def plan(self, parent_id: str) -> Plan:
        """Observe the workspace and plan; sends no write."""
        binding = self.store.binding() if self.store else None
        if binding and binding.locale != self.locale and binding.dashboard_page_id:
            raise WorkspaceError(
                f"This CRM was built in '{binding.locale}', not '{self.locale}'.",
                hint=f"Run provision with --locale {binding.locale}, or use another "
                "state store and parent page for a second CRM.",
            )
        self._seen = observe(self.gateway, self.schema, binding, parent_id, self.locale)
        if (
            binding
            and binding.dashboard_page_id
            and binding.parent_page_id
            and binding.parent_page_id != self._seen.parent_id
        ):
            raise WorkspaceError(
                f"This state store holds the CRM built under page "
                f"{binding.parent_page_id}, not under {self._seen.parent_id}.",
                hint="Drop --parent to work on that CRM, or give this CRM its own "
                "state store ([state] path) to build another one.",
            )

        self._infos = {k: d.info for k, d in self._seen.databases.items()}
        if self._seen.trashed:
            raise WorkspaceError(
                "Database(s) of this CRM are in Notion's trash: "
                f"{', '.join(self._seen.trashed)}; provisioning would build them "
                "a second time.",
                hint="Restore them from the trash in Notion (Settings → Trash), then "
                "run provision again.",
            )
        if self._seen.unreachable:
            raise WorkspaceError(
                "The integration can no longer reach database(s) "
                f"{', '.join(self._seen.unreachable)} of this CRM; provisioning "
                "would build them a second time.",
                hint="In Notion, open the CRM's parent page, ••• menu → Connections "
                "→ add your integration, then run provision again.",
            )
        return make_plan(self.schema, self._seen, self.locale, binding)

    def run(self, parent_id: str) -> ProvisionResult:
        """Plan and apply until the workspace matches the schema."""
        self.gateway.start_budget()
        plan = self.plan(parent_id)
        result = ProvisionResult(binding=plan.binding, unchanged=list(plan.unchanged))
        result.warnings.extend(plan.warnings)
        for round_number in range(MAX_ROUNDS):
            try:
                self._apply(plan, result)
                break
            except ServerError as exc:
                if round_number == MAX_ROUNDS - 1:
                    raise
                logger.warning(
                    "provisioning step failed (%s); looking again", exc.message
                )
                plan = self.plan(parent_id)
                result.binding = plan.binding
        self._save(result.binding)
        if result.rebuilt and self.store is not None:
            self.store.reset_sync_state()
        return result

    # -- applying -------------------------------------------------------------------

    def _apply(self, plan: Plan, result: ProvisionResult) -> None:
        binding = plan.binding
        result.binding = binding
        for action in plan.actions:
            self.progress(action.describe(self.schema, self.locale))
            getattr(self, f"_do_{action.kind}")(binding, action, result)
            label = action.describe(self.schema, self.locale)
            (result.created if action.is_create else result.repaired).append(label)
            self._save(binding)

    def _save(self, binding: Binding) -> None:
        if self.store is not None:
            self.store.save_binding(binding)

    def _do_create_dashboard(
        self, binding: Binding, action: Action, result: ProvisionResult
    ) -> None:
        parent = binding.parent_page_id or ""
        title = nfc(self.schema.workspace.dashboard.title(self.locale))

        def find() -> Json | None:
            for child in self.gateway.list_block_children(parent):
                if (
                    child.get("type") == "child_page"
                    and not blocks.is_trashed(child)
                    and nfc(str(child["child_page"].get("title", ""))) == title
                ):
                    return self.gateway.retrieve_page(str(child["id"]))
            return None

        page = self.gateway.create_page(
            layout.dashboard_body(self.schema, parent, self.locale), find_existing=find
        )
        binding.dashboard_page_id = normalize_id(str(page["id"]))

    def _do_create_database(
        self, binding: Binding, action: Action, result: ProvisionResult
    ) -> None:
        key = action.db or ""
        dashboard = binding.dashboard_page_id or ""

        def find() -> Json | None:
            for child in self.gateway.list_block_children(dashboard):
                if child.get("type") != "child_database" or blocks.is_trashed(child):
                    continue
                database = self.gateway.retrieve_database(str(child["id"]))
                if layout.marker_key(database_description(database)) == key:
                    return database
            return None

        body = layout.database_body(self.schema, key, dashboard, self.locale)
        database = self.gateway.create_database(body, find_existing=find)
        source_id = str(database["data_sources"][0]["id"])
        info = read_data_source(self.gateway.retrieve_data_source(source_id))
        self._bind(binding, key, info, normalize_id(str(database["id"])))
        self._verify_created(key, info)
        result.rebuilt = True

    def _verify_created(self, key: str, info: DataSourceInfo) -> None:
        """Read back what was created (field reports F24, F25)."""
        spec = self.schema.workspace.database(key)
        for prop in spec.properties.values():
            if prop.type == "relation":
                continue
            found = info.by_name(prop.name(self.locale))
            if prop.type == "title":
                found = next(
                    (p for p in info.properties.values() if p.type == "title"), None
                )
            if found is None or found.type != prop.type:
                raise WorkspaceError(
                    "Notion did not create "
                    f"{spec.name(self.locale)}.{prop.name(self.locale)} "
                    "as asked.",
                    hint="Run `notion-crm doctor`, then provision again.",
                )

    def _bind(
        self, binding: Binding, key: str, info: DataSourceInfo, database_id: str
    ) -> None:
        previous = binding.databases.get(key)
        bound, _ = bind_database(
            self.schema.workspace.database(key),
            info,
            previous,
            self.locale,
            database_id=database_id,
        )
        binding.databases[key] = bound
        self._infos[key] = info

    def _do_add_properties(
        self, binding: Binding, action: Action, result: ProvisionResult
    ) -> None:
        key = action.db or ""
        spec = self.schema.workspace.database(key)
        props = {
            spec.properties[k].name(self.locale): layout.property_config(
                spec.properties[k], self.locale
            )
            for k in action.keys
        }
        self._update_source(binding, key, {"properties": props})

    def _do_fix_options(
        self, binding: Binding, action: Action, result: ProvisionResult
    ) -> None:
        key = action.db or ""
        spec = self.schema.workspace.database(key)
        info = self._infos[key]
        props: Json = {}
        for prop_key in action.keys:
            bound = binding.database(key).properties[prop_key]
            live = info.by_id(bound.id)
            kept = [
                {"id": o.id, "name": o.name, "color": o.color}
                for o in (live.options if live else ())
            ]
            have = {nfc(o["name"]) for o in kept}
            for option in spec.properties[prop_key].options:
                if (
                    option.key not in bound.options
                    and nfc(option.name(self.locale)) not in have
                ):
                    kept.append(
                        {"name": option.name(self.locale), "color": option.color}
                    )
            props[bound.id] = {"select": {"options": kept}}
        self._update_source(binding, key, {"properties": props})

    def _update_source(self, binding: Binding, key: str, body: Json) -> None:
        bound = binding.database(key)
        response = self.gateway.update_data_source(bound.data_source_id, body)
        self._bind(binding, key, read_data_source(response), bound.database_id)

    def _do_create_relations(
        self, binding: Binding, action: Action, result: ProvisionResult
    ) -> None:
        key = action.db or ""
        bound = binding.database(key)
        props = self._relations(binding, key, action.keys, by_id=False)
        names = set(props)

        def find() -> Json | None:
            current = self.gateway.retrieve_data_source(bound.data_source_id)
            have = {
                n
                for n, p in (current.get("properties") or {}).items()
                if p.get("type") == "relation"
            }
            return current if names <= have else None

        response = self.gateway.request(
            "PATCH",
            f"data_sources/{bound.data_source_id}",
            body={"properties": props},
            kind="create",
            find_existing=find,
        )
        self._bind(binding, key, read_data_source(response), bound.database_id)

    def _relations(
        self, binding: Binding, key: str, keys: tuple[str, ...], *, by_id: bool
    ) -> Json:
        """Two-way relation configs of ``keys``, keyed by name (new) or id."""
        spec = self.schema.workspace.database(key)
        bound = binding.database(key)
        props: Json = {}
        for prop_key in keys:
            prop = spec.properties[prop_key]
            target = binding.database(prop.target or "").data_source_id
            name = bound.properties[prop_key].id if by_id else prop.name(self.locale)
            props[name] = layout.relation_config(target)
        return props

    def _do_repair_relations(
        self, binding: Binding, action: Action, result: ProvisionResult
    ) -> None:
        """Make one-way relations two-way again; Notion adds a new back side."""
        key = action.db or ""
        spec = self.schema.workspace.database(key)
        props = self._relations(binding, key, action.keys, by_id=True)
        self._update_source(binding, key, {"properties": props})
        for prop_key in action.keys:
            back = spec.properties[prop_key].back or ""
            target_key = spec.properties[prop_key].target or ""
            target_binding = binding.databases.get(target_key)
            if target_binding is not None:
                target_binding.properties.pop(back, None)
        self._infos.pop(key, None)

    def _do_rename_back_sides(
        self, binding: Binding, action: Action, result: ProvisionResult
    ) -> None:
        """Notion names a new relation's back side itself; give it the schema's name."""
        key = action.db or ""
        spec = self.schema.workspace.database(key)
        renames: Json = {}
        for prop_key in action.keys:
            prop = spec.properties[prop_key]
            source_key = prop.target or ""
            source_info = self._source_info(binding, source_key)
            source_prop = binding.database(source_key).properties.get(prop.back or "")
            live = source_info.by_id(source_prop.id) if source_prop else None
            if live is None or not live.synced_property_id:
                result.warnings.append(
                    f"{spec.name(self.locale)}.{prop.name(self.locale)}: its pair is "
                    "not a "
                    "two-way relation; recreate it in Notion or delete it and "
                    "provision again."
                )
                continue
            renames[live.synced_property_id] = {"name": prop.name(self.locale)}
        if renames:
            self._update_source(binding, key, {"properties": renames})

    def _source_info(self, binding: Binding, key: str) -> DataSourceInfo:
        info = self._infos.get(key)
        if info is None:
            bound = binding.database(key)
            info = read_data_source(
                self.gateway.retrieve_data_source(bound.data_source_id)
            )
            self._infos[key] = info
        return info

    def _do_rename_default_view(
        self, binding: Binding, action: Action, result: ProvisionResult
    ) -> None:
        key = action.db or ""
        bound = binding.database(key)
        spec = self.schema.workspace.database(key)
        view_spec = spec.view(action.keys[0])
        ours = {nfc(v.name(loc)) for v in spec.views for loc in ("en", "fr")}
        views = [
            view_info(self.gateway.retrieve_view(str(r["id"])))
            for r in self.gateway.list_views(database_id=bound.database_id)
        ]
        default = next(
            (v for v in views if v.type == "table" and nfc(v.name) not in ours), None
        )
        if default is None:
            self._create_view(binding, key, view_spec.key, result)
            return
        self.gateway.update_view(default.id, {"name": view_spec.name(self.locale)})
        bound.views[view_spec.key] = default.id

    def _do_create_view(
        self, binding: Binding, action: Action, result: ProvisionResult
    ) -> None:
        self._create_view(binding, action.db or "", action.keys[0], result)

    def _create_view(
        self, binding: Binding, key: str, view_key: str, result: ProvisionResult
    ) -> None:
        bound = binding.database(key)
        spec = self.schema.workspace.database(key).view(view_key)
        info = self._source_info(binding, key)
        body = layout.view_body(spec, bound, info, self.schema, self.locale)
        name = nfc(spec.name(self.locale))

        def find() -> Json | None:
            for ref in self.gateway.list_views(database_id=bound.database_id):
                view = self.gateway.retrieve_view(str(ref["id"]))
                if nfc(str(view.get("name", ""))) == name:
                    return view
            return None

        created = self.gateway.create_view(body, find_existing=find)
        bound.views[view_key] = str(created["id"])
        self._check_view(
            key, view_key, body, self.gateway.retrieve_view(str(created["id"])), result
        )

    def _check_view(
        self, key: str, view_key: str, sent: Json, got: Json, result: ProvisionResult
    ) -> None:
        """Read the view back: Notion may drop a filter it cannot keep (F28)."""
        problems = []
        if sent.get("filter") and not got.get("filter"):
            problems.append("its filter was dropped")
        if sent.get("sorts") and not got.get("sorts"):
            problems.append("its sort was dropped")
        sent_group = (sent.get("configuration") or {}).get("group_by")
        got_group = (got.get("configuration") or {}).get("group_by")
        if sent_group and (
            not got_group
            or got_group.get("property_id") != sent_group.get("property_id")
        ):
            problems.append("its grouping was not kept")
        if problems:
            message = (
                f"view {key}.{view_key}: "
                + ", ".join(problems)
                + ("; set it by hand in Notion (view settings).")
            )
            logger.warning("%s", message)
            result.warnings.append(message)

    def _do_create_layout(
        self, binding: Binding, action: Action, result: ProvisionResult
    ) -> None:
        dashboard = binding.dashboard_page_id or ""
        content = layout.dashboard_blocks(self.schema, binding, self.locale)
        created = self.gateway.append_block_children(dashboard, content)
        self._bind_layout(binding, created)

    def _bind_layout(self, binding: Binding, created: list[Json]) -> None:
        never = {
            nfc(self.schema.workspace.dashboard.as_of_never(loc))
            for loc in ("en", "fr")
        }
        labels = {nfc(k.label(self.locale)): k.key for k in self.schema.rules.kpis}
        for block in created:
            if (
                block.get("type") == "paragraph"
                and nfc(blocks.block_text(block)) in never
            ):
                binding.as_of_block_id = normalize_id(str(block["id"]))
            if block.get("type") == "column_list":
                for column in self.gateway.list_block_children(str(block["id"])):
                    for inner in self.gateway.list_block_children(str(column["id"])):
                        label = nfc(blocks.block_text(inner).split("\n", 1)[0])
                        if inner.get("type") == "callout" and label in labels:
                            binding.callouts[labels[label]] = normalize_id(
                                str(inner["id"])
                            )

    def _do_restore_callouts(
        self, binding: Binding, action: Action, result: ProvisionResult
    ) -> None:
        """Put deleted callouts back in their column of the grid, else after it."""
        seen = self._seen.dashboard if self._seen else None
        columns = seen.kpi_columns if seen else []
        order = [k.key for k in self.schema.rules.kpis]
        for key in action.keys:
            block = layout.callout_block(self.schema, key, self.locale)
            index = order.index(key) % layout.KPI_COLUMNS
            if index < len(columns):
                column = order[index :: layout.KPI_COLUMNS]
                earlier = [
                    k for k in column[: column.index(key)] if k in binding.callouts
                ]
                after = binding.callouts[earlier[-1]] if earlier else None
                target = columns[index]
            else:
                after = seen.kpi_anchor_id if seen else None
                target = binding.dashboard_page_id or ""
            created = self.gateway.append_block_children(target, [block], after=after)
            binding.callouts[key] = normalize_id(str(created[0]["id"]))
        if self.store is not None:
            self.store.forget_published(list(action.keys))

    def _do_restore_as_of(
        self, binding: Binding, action: Action, result: ProvisionResult
    ) -> None:
        dashboard = binding.dashboard_page_id or ""
        text = self.schema.workspace.dashboard.as_of_never(self.locale)
        created = self.gateway.append_block_children(
            dashboard, [blocks.paragraph(text)]
        )
        binding.as_of_block_id = normalize_id(str(created[0]["id"]))
