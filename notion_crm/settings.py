"""Settings: ``config.toml`` first, then the environment on top.

The file is found at ``--config FILE``, else ``$NOTION_CRM_CONFIG``, else
``config.toml`` in the working directory; with none of them, defaults apply. The
token comes from ``NOTION_TOKEN`` (or ``[notion] token`` in a file only its owner can
read) and is held as a secret that never prints.
"""

from __future__ import annotations

import logging
import os
import stat
import tomllib
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    SecretStr,
    ValidationError,
    field_validator,
)

from notion_crm.errors import ConfigError
from notion_crm.schema.model import Locale

logger = logging.getLogger(__name__)

DEFAULT_BASE_URL = "https://api.notion.com"
CONFIG_ENV = "NOTION_CRM_CONFIG"
TOKEN_ENV = "NOTION_TOKEN"
BASE_URL_ENV = "NOTION_BASE_URL"


class Section(BaseModel):
    """A config section: unknown keys are errors, so typos do not pass silently.

    Numbers are strict: ``pace_rps = "3"`` (a number typed as text) is refused
    with the key's name rather than read as 3.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)


class NotionSettings(Section):
    """``[notion]``: where Notion is and how fast to call it."""

    base_url: str = DEFAULT_BASE_URL
    pace_rps: float = Field(default=3.0, ge=0, strict=True)
    token: SecretStr | None = None

    @field_validator("base_url")
    @classmethod
    def _http_url(cls, value: str) -> str:
        if not value.startswith(("http://", "https://")):
            raise ValueError("must start with https:// (or http:// for the emulator)")
        return value.rstrip("/")


class CrmSettings(Section):
    """``[crm]``: language, time zone and the time-based rules."""

    locale: Locale = "en"
    timezone: str = "Europe/Paris"
    former_client_after_days: int = Field(default=365, ge=0, strict=True)
    follow_up_after_days: int = Field(default=7, ge=0, strict=True)

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(
                f"unknown time zone {value!r} (e.g. Europe/Paris)"
            ) from exc
        return value

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)


class SyncSettings(Section):
    """``[sync]``: the daemon's schedule."""

    interval_s: float = Field(default=30, gt=0, strict=True)
    full_every_s: float = Field(default=21600, gt=0, strict=True)


class StateSettings(Section):
    """``[state]``: where the SQLite state store lives."""

    path: Path = Path(".notion-crm/state.db")


class Settings(Section):
    """Every setting of notion-crm, validated."""

    notion: NotionSettings = NotionSettings()
    crm: CrmSettings = CrmSettings()
    sync: SyncSettings = SyncSettings()
    state: StateSettings = StateSettings()
    source: Path | None = None

    def token(self) -> str:
        """The Notion token, or a ConfigError saying how to provide it."""
        secret = self.notion.token
        if secret is None or not secret.get_secret_value().strip():
            raise ConfigError(
                f"No Notion token: {TOKEN_ENV} is not set.",
                hint=f"Create an integration at notion.so/my-integrations and "
                f"export {TOKEN_ENV}=<its internal integration secret>.",
            )
        return secret.get_secret_value().strip()


def load_settings(path: Path | None = None, *, warn: bool = True) -> Settings:
    """Load settings from the file (if any) with the environment on top."""
    source = _locate(path)
    data = _read(source) if source else {}
    _apply_env(data)
    try:
        settings = Settings.model_validate({**data, "source": source})
    except ValidationError as exc:
        raise ConfigError(
            f"{source or 'settings'}: {_describe(exc)}",
            hint="config.example.toml lists every key with its default.",
        ) from None
    if warn and source and _readable_by_others(source) and _has_token(data):
        logger.warning(
            "%s holds the Notion token and others can read it; run: chmod 600 %s",
            source,
            source,
        )
    return settings


def _locate(path: Path | None) -> Path | None:
    if path is not None:
        if not path.is_file():
            raise ConfigError(
                f"Config file {path} does not exist.",
                hint="Copy config.example.toml to that path, or drop --config.",
            )
        return path
    from_env = os.environ.get(CONFIG_ENV)
    if from_env:
        candidate = Path(from_env)
        if not candidate.is_file():
            raise ConfigError(
                f"{CONFIG_ENV} points to {candidate}, which does not exist.",
                hint=f"Fix {CONFIG_ENV} or unset it.",
            )
        return candidate
    default = Path("config.toml")
    return default if default.is_file() else None


def _read(path: Path) -> dict[str, Any]:
    try:
        with path.open("rb") as handle:
            return tomllib.load(handle)
    except UnicodeDecodeError:
        raise ConfigError(
            f"{path} is not UTF-8 text.",
            hint="Save it as UTF-8 (config.example.toml shows the format).",
        ) from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(
            f"{path} is not valid TOML: {exc}.",
            hint="Fix the line given; config.example.toml shows the format.",
        ) from None
    except OSError as exc:
        raise ConfigError(
            f"Cannot read {path}: {exc.strerror}.",
            hint="Check the file's permissions.",
        ) from None


def _apply_env(data: dict[str, Any]) -> None:
    notion = data.setdefault("notion", {})
    if not isinstance(notion, dict):
        return
    token = os.environ.get(TOKEN_ENV)
    if token:
        notion["token"] = token
    base_url = os.environ.get(BASE_URL_ENV)
    if base_url:
        notion["base_url"] = base_url


def _describe(exc: ValidationError) -> str:
    error = exc.errors()[0]
    where = ".".join(str(part) for part in error["loc"])
    if error["type"] == "extra_forbidden":
        return f"unknown key {where}"
    return f"key {where}: {error['msg']}"


def _readable_by_others(path: Path) -> bool:
    try:
        mode = path.stat().st_mode
    except OSError:
        return False
    return bool(mode & (stat.S_IRGRP | stat.S_IROTH))


def _has_token(data: dict[str, Any]) -> bool:
    notion = data.get("notion")
    return (
        isinstance(notion, dict) and "token" in notion and not os.environ.get(TOKEN_ENV)
    )
