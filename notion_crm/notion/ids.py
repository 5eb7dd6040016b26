"""Page references people paste: ids with or without dashes, or Notion URLs."""

from __future__ import annotations

import re
from urllib.parse import urlparse

from notion_crm.errors import ConfigError
from notion_crm.notion.properties import normalize_id

_HEX32 = re.compile(r"([0-9a-fA-F]{32})(?![0-9a-fA-F])")
_DASHED = re.compile(
    r"([0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12})"
)
NOTION_HOSTS = ("notion.so", "notion.site", "notion.com")


def parse_page_ref(text: str) -> str:
    """The dashed page id in an id or a notion.so / notion.site / app.notion.com URL."""
    value = text.strip()
    if value.startswith(("http://", "https://")):
        host = urlparse(value).hostname or ""
        if not any(host == h or host.endswith("." + h) for h in NOTION_HOSTS):
            raise ConfigError(
                f"{text!r} is not a Notion URL.",
                hint="Copy the page's link from Notion (••• → Copy link), or its id.",
            )
        value = urlparse(value).path.rsplit("/", 1)[-1]
    dashed = _DASHED.search(value)
    if dashed:
        return normalize_id(dashed.group(1))
    plain = _HEX32.search(value.replace("-", "") if len(value) <= 36 else value)
    if plain:
        return normalize_id(plain.group(1))
    raise ConfigError(
        f"{text!r} is not a Notion page id or link.",
        hint="Use the 32-character id at the end of the page's URL, or the URL itself.",
    )
