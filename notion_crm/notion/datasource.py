"""Typed views of data source and database objects as Notion returns them."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from notion_crm.notion.properties import normalize_id, plain_text, property_key

Json = dict[str, Any]


@dataclass(frozen=True, slots=True)
class OptionInfo:
    id: str
    name: str
    color: str


@dataclass(frozen=True, slots=True)
class PropertyInfo:
    """One property of a data source; ``id`` as Notion returned it (encoded)."""

    id: str
    name: str
    type: str
    options: tuple[OptionInfo, ...] = ()
    number_format: str | None = None
    relation_data_source: str | None = None
    relation_kind: str | None = None
    synced_property_id: str | None = None
    synced_property_name: str | None = None

    @property
    def key(self) -> str:
        """The id decoded, for comparisons."""
        return property_key(self.id)

    def option_by_id(self, option_id: str) -> OptionInfo | None:
        return next((o for o in self.options if o.id == option_id), None)

    def option_by_name(self, name: str) -> OptionInfo | None:
        return next((o for o in self.options if o.name == name), None)


@dataclass(frozen=True, slots=True)
class DataSourceInfo:
    """A data source's id, title, parent database and properties."""

    id: str
    title: str
    database_id: str | None
    properties: dict[str, PropertyInfo] = field(default_factory=dict)
    """Keyed by decoded property id."""
    in_trash: bool = False

    def by_name(self, name: str) -> PropertyInfo | None:
        return next((p for p in self.properties.values() if p.name == name), None)

    def by_id(self, prop_id: str) -> PropertyInfo | None:
        return self.properties.get(property_key(prop_id))


def read_data_source(obj: Json) -> DataSourceInfo:
    """Parse a data source object."""
    props: dict[str, PropertyInfo] = {}
    for name, raw in (obj.get("properties") or {}).items():
        info = _property(name, raw)
        props[info.key] = info
    parent = obj.get("parent") or {}
    database_id = parent.get("database_id")
    return DataSourceInfo(
        id=normalize_id(str(obj["id"])),
        title=plain_text(obj.get("title")),
        database_id=normalize_id(database_id) if database_id else None,
        properties=props,
        in_trash=bool(obj.get("in_trash") or obj.get("archived")),
    )


def _property(name: str, raw: Json) -> PropertyInfo:
    kind = str(raw.get("type"))
    config = raw.get(kind) or {}
    options = tuple(
        OptionInfo(str(o["id"]), str(o["name"]), str(o.get("color", "default")))
        for o in config.get("options", []) or []
    )
    relation = config if kind == "relation" else {}
    dual = relation.get("dual_property") or {}
    target = relation.get("data_source_id")
    return PropertyInfo(
        id=str(raw["id"]),
        name=name,
        type=kind,
        options=options,
        number_format=config.get("format") if kind == "number" else None,
        relation_data_source=normalize_id(target) if target else None,
        relation_kind=relation.get("type"),
        synced_property_id=dual.get("synced_property_id"),
        synced_property_name=dual.get("synced_property_name"),
    )


def database_description(obj: Json) -> str:
    return plain_text(obj.get("description"))


def database_data_sources(obj: Json) -> list[str]:
    return [normalize_id(str(ds["id"])) for ds in obj.get("data_sources") or []]
