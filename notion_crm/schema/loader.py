"""Read ``schemas/*.toml`` into a validated :class:`Schema`.

Errors name the file and the key, and say how to fix them.
"""

from __future__ import annotations

import os
import tomllib
from pathlib import Path
from typing import Any, TypeVar

from pydantic import ValidationError

from notion_crm.errors import SchemaError
from notion_crm.schema.model import RulesSpec, Schema, WorkspaceSpec

_M = TypeVar("_M", WorkspaceSpec, RulesSpec)

SCHEMA_DIR = Path(__file__).resolve().parents[2] / "schemas"
"""The schema files shipped with the project."""

SCHEMA_DIR_ENV = "NOTION_CRM_SCHEMA_DIR"
"""Points every command at another schema folder (tests, customised schemas)."""


def load_schema(directory: Path | None = None) -> Schema:
    """Load and cross-check ``crm.toml`` and ``rules.toml`` from ``directory``.

    Without ``directory``: ``$NOTION_CRM_SCHEMA_DIR`` when set, else the shipped
    ``schemas/`` folder.
    """
    from_env = os.environ.get(SCHEMA_DIR_ENV)
    folder = directory or (Path(from_env) if from_env else SCHEMA_DIR)
    workspace_file = folder / "crm.toml"
    rules_file = folder / "rules.toml"
    workspace = _validate(WorkspaceSpec, _read(workspace_file), workspace_file)
    rules = _validate(RulesSpec, _read(rules_file), rules_file)
    try:
        return Schema(workspace=workspace, rules=rules)
    except ValidationError as exc:
        raise SchemaError(
            f"{rules_file}: {_first_problem(exc)}",
            hint="Make rules.toml refer to keys that crm.toml defines.",
        ) from exc


def _read(path: Path) -> dict[str, Any]:
    try:
        with path.open("rb") as handle:
            return tomllib.load(handle)
    except FileNotFoundError as exc:
        raise SchemaError(
            f"Schema file {path} is missing.",
            hint="Restore it from the project's schemas/ folder.",
        ) from exc
    except tomllib.TOMLDecodeError as exc:
        raise SchemaError(
            f"{path}: not valid TOML ({exc}).",
            hint="Fix the syntax at the line given.",
        ) from exc


def _validate(model: type[_M], data: dict[str, Any], path: Path) -> _M:
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise SchemaError(
            f"{path}: {_first_problem(exc)}",
            hint="Correct that key; the comments at the top of the file and "
            "notion_crm/schema/model.py list what each key accepts.",
        ) from exc


def _first_problem(exc: ValidationError) -> str:
    error = exc.errors()[0]
    where = ".".join(str(part) for part in error["loc"]) or "(top level)"
    return f"key {where}: {error['msg']}"
