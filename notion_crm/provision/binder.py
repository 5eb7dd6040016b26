"""Matching the schema to what a data source holds: by id first, then by name.

Used by provisioning (to find what exists), by the sync engine (to follow renames and
notice deletions: schema drift, field reports F17 and F27) and by ``doctor``.
"""

from __future__ import annotations

import logging
import unicodedata
from dataclasses import dataclass, field

from notion_crm.notion.datasource import DataSourceInfo, PropertyInfo
from notion_crm.schema.binding import DatabaseBinding, PropertyBinding
from notion_crm.schema.model import DatabaseSpec, Locale, PropertySpec

logger = logging.getLogger(__name__)


@dataclass(slots=True)
class BindFindings:
    """How the live data source differs from the schema."""

    missing: list[str] = field(default_factory=list)
    """Property keys with no property in Notion."""
    retyped: list[tuple[str, str, str]] = field(default_factory=list)
    """(key, expected type, type found)."""
    renamed: list[tuple[str, str, str]] = field(default_factory=list)
    """(key, name in the schema, name now)."""
    missing_options: list[tuple[str, str]] = field(default_factory=list)
    """(property key, option key)."""
    unknown_options: list[tuple[str, str]] = field(default_factory=list)
    """(property key, option name) of options the schema does not know."""

    @property
    def clean(self) -> bool:
        return not (self.missing or self.retyped or self.missing_options)


def nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text).strip()


def bind_database(
    spec: DatabaseSpec,
    info: DataSourceInfo,
    previous: DatabaseBinding | None,
    locale: Locale,
    *,
    database_id: str,
) -> tuple[DatabaseBinding, BindFindings]:
    """The binding of one database as its data source stands now."""
    findings = BindFindings()
    bound: dict[str, PropertyBinding] = {}
    used: set[str] = set()
    for key, prop_spec in spec.properties.items():
        before = previous.properties.get(key) if previous else None
        found = _find(prop_spec, info, before, locale)
        if found is None:
            findings.missing.append(key)
            continue
        if found.type != prop_spec.type:
            findings.retyped.append((key, prop_spec.type, found.type))
            continue
        used.add(found.key)
        schema_name = prop_spec.name(locale)
        if nfc(found.name) != nfc(schema_name):
            findings.renamed.append((key, schema_name, found.name))
        if before is not None and nfc(found.name) != nfc(before.name):
            logger.info(
                "%s.%s renamed in Notion from %r to %r",
                spec.key,
                key,
                before.name,
                found.name,
            )
        bound[key] = PropertyBinding(
            id=found.id,
            name=found.name,
            type=found.type,
            options=_bind_options(prop_spec, found, before, locale, findings),
        )
    others = [p.id for p in info.properties.values() if p.key not in used]
    binding = DatabaseBinding(
        database_id=database_id,
        data_source_id=info.id,
        properties=bound,
        views=dict(previous.views) if previous else {},
        other_ids=others,
    )
    return binding, findings


def _find(
    spec: PropertySpec,
    info: DataSourceInfo,
    before: PropertyBinding | None,
    locale: Locale,
) -> PropertyInfo | None:
    if spec.type == "title":
        return next((p for p in info.properties.values() if p.type == "title"), None)
    if before is not None:
        return info.by_id(before.id)
    wanted = nfc(spec.name(locale))
    return next((p for p in info.properties.values() if nfc(p.name) == wanted), None)


def _bind_options(
    spec: PropertySpec,
    found: PropertyInfo,
    before: PropertyBinding | None,
    locale: Locale,
    findings: BindFindings,
) -> dict[str, str]:
    if spec.type != "select":
        return {}
    options: dict[str, str] = {}
    for option in spec.options:
        known = before.options.get(option.key) if before else None
        match = found.option_by_id(known) if known else None
        if match is None and known is None:
            wanted = nfc(option.name(locale))
            match = next((o for o in found.options if nfc(o.name) == wanted), None)
        if match is None:
            if spec.key != "industry":
                findings.missing_options.append((spec.key, option.key))
            continue
        options[option.key] = match.id
    matched = set(options.values())
    for extra in found.options:
        if extra.id not in matched:
            options[f"~{extra.id}"] = extra.id
            if spec.options:
                findings.unknown_options.append((spec.key, extra.name))
    return options
