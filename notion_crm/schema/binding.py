"""The schema bound to one Notion workspace: which ids its keys live at.

Provisioning produces a :class:`Binding` and keeps it in the state store; the sync
engine reads properties, options and callouts through it, by id, so that people can
rename anything in Notion without breaking the CRM.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from notion_crm.schema.model import Locale


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


class PropertyBinding(_Model):
    """A property's Notion id and its name and type as last seen."""

    id: str
    name: str
    type: str
    options: dict[str, str] = Field(default_factory=dict)
    """Option key -> option id, for select properties."""


class DatabaseBinding(_Model):
    """A database, its data source, its properties and its views."""

    database_id: str
    data_source_id: str
    properties: dict[str, PropertyBinding] = Field(default_factory=dict)
    views: dict[str, str] = Field(default_factory=dict)
    """View key -> view id."""
    other_ids: list[str] = Field(default_factory=list)
    """Ids of properties people added themselves: known, never touched."""

    def property_id(self, key: str) -> str | None:
        prop = self.properties.get(key)
        return prop.id if prop else None


class Binding(_Model):
    """Everything provisioning created, by key."""

    locale: Locale = "en"
    parent_page_id: str | None = None
    dashboard_page_id: str | None = None
    databases: dict[str, DatabaseBinding] = Field(default_factory=dict)
    callouts: dict[str, str] = Field(default_factory=dict)
    """KPI key -> callout block id."""
    as_of_block_id: str | None = None
    workspace_id: str | None = None

    def database(self, key: str) -> DatabaseBinding:
        return self.databases[key]
