"""Typed specifications of the workspace and of the engine's rules.

These models are what ``schemas/crm.toml`` and ``schemas/rules.toml`` are validated
into. Keys (``companies``, ``stage``, ``quote_sent``) are the code's stable names;
names are what people read in Notion, per locale.
"""

from __future__ import annotations

import unicodedata
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

Locale = Literal["en", "fr"]
LOCALES: tuple[Locale, ...] = ("en", "fr")

Role = Literal["lead", "quoting", "proposal", "won_active", "won_done", "lost"]
ROLES: tuple[Role, ...] = (
    "lead",
    "quoting",
    "proposal",
    "won_active",
    "won_done",
    "lost",
)

PropertyType = Literal[
    "title",
    "rich_text",
    "number",
    "select",
    "date",
    "checkbox",
    "url",
    "email",
    "phone_number",
    "files",
    "relation",
]

Color = Literal[
    "default",
    "gray",
    "brown",
    "orange",
    "yellow",
    "green",
    "blue",
    "purple",
    "pink",
    "red",
]

MAX_NAME_LENGTH = 100
"""Longest property, option or view name accepted (Notion keeps names short)."""


def _keyed(value: object) -> object:
    """Copy each table's key into it, so a spec knows its own key."""
    if isinstance(value, dict):
        return {
            k: ({**v, "key": k} if isinstance(v, dict) else v) for k, v in value.items()
        }
    return value


class Strict(BaseModel):
    """Base for specs: unknown keys are errors, values are frozen."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class Text(Strict):
    """A label in every locale, NFC-normalised so that typed accents compare equal."""

    en: str
    fr: str

    @field_validator("en", "fr")
    @classmethod
    def _normalise(cls, value: str) -> str:
        value = unicodedata.normalize("NFC", value).strip()
        if not value:
            raise ValueError("must not be empty")
        return value

    def __call__(self, locale: Locale) -> str:
        return self.en if locale == "en" else self.fr


class Name(Text):
    """A Notion name: short, and without the comma Notion refuses in options."""

    @field_validator("en", "fr")
    @classmethod
    def _short(cls, value: str) -> str:
        if len(value) > MAX_NAME_LENGTH:
            raise ValueError(
                f"is {len(value)} characters long, at most {MAX_NAME_LENGTH}"
            )
        return value


class OptionName(Name):
    """A select option's name: Notion refuses commas in it (field report F11)."""

    @field_validator("en", "fr")
    @classmethod
    def _no_comma(cls, value: str) -> str:
        if "," in value:
            raise ValueError(
                f"{value!r} contains a comma, which Notion refuses in options"
            )
        return value


class OptionSpec(Strict):
    """One select option."""

    key: str
    name: OptionName
    color: Color = "default"
    role: Role | None = None


class PropertySpec(Strict):
    """One property of a data source."""

    key: str = ""
    type: PropertyType
    name: Name
    format: str | None = None
    options: tuple[OptionSpec, ...] = ()
    target: str | None = None
    back: str | None = None
    back_side: bool = False

    @model_validator(mode="after")
    def _check_shape(self) -> PropertySpec:
        if self.type == "relation" and not (self.target and self.back):
            raise ValueError("a relation needs `target` and `back`")
        if self.type != "relation" and (self.target or self.back or self.back_side):
            raise ValueError("only relations take `target`, `back` and `back_side`")
        if self.options and self.type != "select":
            raise ValueError("only select properties take `options`")
        if self.format and self.type != "number":
            raise ValueError("only number properties take `format`")
        return self

    def option(self, key: str) -> OptionSpec:
        """The option with this key."""
        for option in self.options:
            if option.key == key:
                return option
        raise KeyError(key)


ViewType = Literal["table", "board", "calendar"]


class ViewSpec(Strict):
    """One view of a database; the `default` one is Notion's own table, renamed."""

    key: str
    type: ViewType
    name: Name
    default: bool = False
    group_by: str | None = None
    date_property: str | None = None
    filter_roles: tuple[Role, ...] = ()
    filter_checked: str | None = None
    sort_descending: str | None = None

    @model_validator(mode="after")
    def _check_shape(self) -> ViewSpec:
        if self.type == "board" and not self.group_by:
            raise ValueError("a board view needs `group_by`")
        if self.type == "calendar" and not self.date_property:
            raise ValueError("a calendar view needs `date_property`")
        return self


class DatabaseSpec(Strict):
    """One database with its single data source."""

    key: str = ""
    name: Name
    icon: str
    properties: dict[str, PropertySpec]
    views: tuple[ViewSpec, ...] = ()

    @field_validator("properties", mode="before")
    @classmethod
    def _keys_into_properties(cls, value: object) -> object:
        return _keyed(value)

    @model_validator(mode="after")
    def _one_title(self) -> DatabaseSpec:
        titles = [p for p in self.properties.values() if p.type == "title"]
        if len(titles) != 1:
            raise ValueError(f"needs exactly one title property, has {len(titles)}")
        return self

    @property
    def title_property(self) -> PropertySpec:
        return next(p for p in self.properties.values() if p.type == "title")

    def view(self, key: str) -> ViewSpec:
        return next(v for v in self.views if v.key == key)


class DashboardSpec(Strict):
    """Texts of the dashboard page."""

    title: Text
    icon: str
    links_heading: Text
    kpis_heading: Text
    as_of: Text
    as_of_never: Text
    help_heading: Text
    help: tuple[Text, ...]


DATABASE_KEYS = ("companies", "contacts", "opportunities", "interactions")


class WorkspaceSpec(Strict):
    """The whole CRM: dashboard and the four databases."""

    version: int
    locales: tuple[Locale, ...]
    dashboard: DashboardSpec
    databases: dict[str, DatabaseSpec]

    @field_validator("databases", mode="before")
    @classmethod
    def _keys_into_databases(cls, value: object) -> object:
        return _keyed(value)

    @model_validator(mode="after")
    def _check_references(self) -> WorkspaceSpec:
        missing = [k for k in DATABASE_KEYS if k not in self.databases]
        if missing:
            raise ValueError(f"databases missing: {', '.join(missing)}")
        for db in self.databases.values():
            for prop in db.properties.values():
                if prop.type == "relation":
                    self._check_pair(db, prop)
            for view in db.views:
                self._check_view(db, view)
        return self

    def _check_pair(self, db: DatabaseSpec, prop: PropertySpec) -> None:
        where = f"databases.{db.key}.properties.{prop.key}"
        target = self.databases.get(prop.target or "")
        if target is None:
            raise ValueError(f"{where}: unknown target database {prop.target!r}")
        pair = target.properties.get(prop.back or "")
        if pair is None or pair.type != "relation":
            raise ValueError(f"{where}: {prop.target}.{prop.back} is not a relation")
        if pair.target != db.key or pair.back != prop.key:
            raise ValueError(
                f"{where}: its pair {prop.target}.{prop.back} points elsewhere"
            )
        if pair.back_side == prop.back_side:
            raise ValueError(
                f"{where}: exactly one side of a pair sets back_side = true"
            )

    def _check_view(self, db: DatabaseSpec, view: ViewSpec) -> None:
        where = f"databases.{db.key}.views.{view.key}"
        for ref in (
            view.group_by,
            view.date_property,
            view.filter_checked,
            view.sort_descending,
        ):
            if ref is not None and ref not in db.properties:
                raise ValueError(f"{where}: unknown property {ref!r}")

    def database(self, key: str) -> DatabaseSpec:
        return self.databases[key]


KpiKind = Literal["count", "sum", "rate"]


class KpiSpec(Strict):
    """One dashboard figure and how it is computed."""

    key: str
    label: Name
    icon: str
    kind: KpiKind
    of: Literal["companies", "opportunities"]
    roles: tuple[Role, ...] = ()
    over: tuple[Role, ...] = ()
    statuses: tuple[str, ...] = ()
    flag: str | None = None

    @model_validator(mode="after")
    def _check_shape(self) -> KpiSpec:
        if self.kind == "rate" and not (self.roles and self.over):
            raise ValueError("a rate needs `roles` and `over`")
        if self.kind == "sum" and not self.roles:
            raise ValueError("a sum needs `roles`")
        return self


class DefaultsSpec(Strict):
    """Defaults of the time-based rules, overridable in config.toml."""

    former_client_after_days: int = Field(ge=0)
    follow_up_after_days: int = Field(ge=0)


class RulesSpec(Strict):
    """The engine's rules: stage stamps and KPIs."""

    version: int
    roles: tuple[Role, ...]
    stage_dates: dict[str, str]
    defaults: DefaultsSpec
    kpis: tuple[KpiSpec, ...]


class Schema(Strict):
    """Workspace and rules together, checked against each other."""

    workspace: WorkspaceSpec
    rules: RulesSpec

    @model_validator(mode="after")
    def _check_rules(self) -> Schema:
        opps = self.workspace.database("opportunities")
        stage = opps.properties.get("stage")
        if stage is None or stage.type != "select":
            raise ValueError("opportunities.stage must be a select")
        stage_keys = {o.key for o in stage.options}
        for stage_key, date_key in self.rules.stage_dates.items():
            if stage_key not in stage_keys:
                raise ValueError(f"stage_dates.{stage_key}: no such stage option")
            date_prop = opps.properties.get(date_key)
            if date_prop is None or date_prop.type != "date":
                raise ValueError(f"stage_dates.{stage_key}: {date_key!r} is not a date")
        return self

    @property
    def stage(self) -> PropertySpec:
        return self.workspace.database("opportunities").properties["stage"]
