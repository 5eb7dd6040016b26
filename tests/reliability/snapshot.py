"""A workspace as stable keys, so two runs can be compared object by object.

The emulator's data file (``persistence.dump_text`` in-process, the ``--data`` file
over HTTP) holds every database, data source, view, page and block. Ids, times and
authors change from run to run; titles, property names and option names do not. A
:class:`Snapshot` keeps what a person would see, with every reference written as
the title or name it points to, and the "figures as of" line masked.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import unquote

VOLATILE = frozenset(
    {
        "id",
        "created_time",
        "last_edited_time",
        "created_by",
        "last_edited_by",
        "version",
        "schema_version",
        "next_unique",
        "request_id",
        "page_ids",
        "data_source_ids",
    }
)
"""Keys that differ between two runs that made the same workspace."""

AS_OF = re.compile(r"^(Figures as of|Chiffres au) .*$")
"""The dashboard's "figures as of" line (en, fr), masked in comparisons."""


@dataclass
class Snapshot:
    """Every live and trashed object of a workspace, by stable key."""

    entries: list[tuple[str, str]] = field(default_factory=list)
    """``(key, canonical JSON)`` pairs, sorted."""

    @property
    def keys(self) -> Counter[str]:
        """How many objects share each key."""
        return Counter(key for key, _ in self.entries)

    def duplicates(self) -> dict[str, int]:
        """Keys held by more than one object (two "Companies" databases...)."""
        return {key: n for key, n in self.keys.items() if n > 1}

    def diff(self, other: Snapshot) -> list[str]:
        """Human-readable differences, empty when the workspaces are the same."""
        mine, theirs = Counter(self.entries), Counter(other.entries)
        lines = []
        for entry, n in sorted((mine - theirs).items()):
            lines.append(f"- only here ({n}x): {entry[0]}: {entry[1]}")
        for entry, n in sorted((theirs - mine).items()):
            lines.append(f"+ only there ({n}x): {entry[0]}: {entry[1]}")
        return lines


def snapshot(data: dict[str, Any]) -> Snapshot:
    """The :class:`Snapshot` of a parsed emulator data file."""
    return _Builder(data).build()


def snapshot_text(text: str) -> Snapshot:
    """The :class:`Snapshot` of a data file's text."""
    return snapshot(json.loads(text))


def _plain(rich: object) -> str:
    if not isinstance(rich, list):
        return ""
    return "".join(str(item.get("plain_text", "")) for item in rich)


class _Builder:
    def __init__(self, data: dict[str, Any]) -> None:
        self.data = data
        self.labels: dict[str, str] = {}
        self.props: dict[str, dict[str, str]] = {}
        self.options: dict[str, str] = {}
        self._label_everything()

    # -- labels -------------------------------------------------------------------

    def _label_everything(self) -> None:
        data = self.data
        for user in data.get("users", []):
            self.labels[user["id"]] = f"user:{user['name']}"
        for db in data["databases"].values():
            self.labels[db["id"]] = f"db:{_plain(db['title'])}"
        for source in data["data_sources"].values():
            title = _plain(source["title"])
            self.labels[source["id"]] = f"ds:{title}"
            self.props[source["id"]] = {
                pid: prop["name"] for pid, prop in source["properties"].items()
            }
            for prop in source["properties"].values():
                for option in prop.get("config", {}).get("options", []) or []:
                    self.options[option["id"]] = f"option:{option['name']}"
        for page in data["pages"].values():
            self.labels[page["id"]] = f"page:{self._page_title(page)}"
        for view in data["views"].values():
            self.labels[view["id"]] = f"view:{view['name']}"
        root = data["workspace"]["root_page_id"]
        self.labels[root] = "page:<root>"
        self.labels[data["workspace"]["id"]] = "workspace"

    def _page_title(self, page: dict[str, Any]) -> str:
        return _plain(page["props"].get("title"))

    def label(self, object_id: str) -> str:
        return self.labels.get(object_id, self.options.get(object_id, object_id))

    # -- objects --------------------------------------------------------------------

    def build(self) -> Snapshot:
        entries: list[tuple[str, str]] = []
        for db in self.data["databases"].values():
            entries.append((self.label(db["id"]), self._canon(self._database(db))))
        for source in self.data["data_sources"].values():
            entries.append(
                (self.label(source["id"]), self._canon(self._source(source)))
            )
        for view in self.data["views"].values():
            key = f"{self.label(view['database_id'])}/{self.label(view['id'])}"
            names = self.props.get(view.get("data_source_id") or "", {})
            entries.append((key, self._canon(self._relabel(view, names))))
        for page in self.data["pages"].values():
            key = f"{self.label(page['parent_id'])}/{self.label(page['id'])}"
            entries.append((key, self._canon(self._page(page))))
        for parent, tree in self._trees().items():
            entries.append((f"blocks of {parent}", self._canon(tree)))
        for block in self.data["blocks"].values():
            if block["id"] not in self._reachable:
                key = f"orphan block {block['type']}"
                entries.append((key, self._canon(self._block(block))))
        return Snapshot(sorted(entries))

    def _database(self, db: dict[str, Any]) -> dict[str, Any]:
        shown: dict[str, Any] = self._relabel(db)
        shown["data_sources"] = sorted(self.label(i) for i in db["data_source_ids"])
        return shown

    def _source(self, source: dict[str, Any]) -> dict[str, Any]:
        shown: dict[str, Any] = self._relabel(
            {k: v for k, v in source.items() if k != "properties"}
        )
        props = {}
        for prop in source["properties"].values():
            config = dict(prop.get("config") or {})
            synced = config.get("synced_property_id")
            target = config.get("data_source_id")
            if isinstance(synced, str) and isinstance(target, str):
                config["synced_property_id"] = self.props.get(target, {}).get(
                    synced, synced
                )
            props[prop["name"]] = self._relabel(
                {k: v for k, v in prop.items() if k != "config"} | {"config": config}
            )
        shown["properties"] = props
        return shown

    def _page(self, page: dict[str, Any]) -> dict[str, Any]:
        names = self.props.get(page["parent_id"], {})
        shown: dict[str, Any] = self._relabel(
            {k: v for k, v in page.items() if k != "props"}
        )
        shown["props"] = {
            names.get(pid, pid): self._relabel(value)
            for pid, value in page["props"].items()
        }
        return shown

    def _trees(self) -> dict[str, Any]:
        self._reachable: set[str] = set()
        blocks = self.data["blocks"]
        children = self.data["children"]
        trees: dict[str, Any] = {}
        for parent, kids in children.items():
            if parent in blocks:
                continue
            trees[self.label(parent)] = self._subtree(kids, blocks, children)
        return trees

    def _subtree(
        self,
        kids: list[str],
        blocks: dict[str, Any],
        children: dict[str, list[str]],
    ) -> list[Any]:
        tree = []
        for kid in kids:
            block = blocks.get(kid)
            if block is None:
                tree.append({"missing": self.label(kid)})
                continue
            self._reachable.add(kid)
            shown = self._block(block)
            if block["type"] != "child_database":
                shown["children"] = self._subtree(
                    children.get(kid, []), blocks, children
                )
            tree.append(shown)
        return tree

    def _block(self, block: dict[str, Any]) -> dict[str, Any]:
        # The tree gives each block's place; block ids in parent_id do not repeat.
        shown: dict[str, Any] = self._relabel(
            {k: v for k, v in block.items() if k != "parent_id"}
        )
        if block["type"] in ("child_page", "child_database"):
            shown["title"] = self.label(block["id"])
        rich = shown.get("data", {}).get("rich_text")
        if isinstance(rich, list):
            for item in rich:
                for holder in (item, item.get("text") or {}):
                    for key in ("plain_text", "content"):
                        text = holder.get(key)
                        if isinstance(text, str) and AS_OF.match(text):
                            holder[key] = "<as of>"
        return shown

    # -- values ---------------------------------------------------------------------

    def _relabel(self, value: Any, props: dict[str, str] | None = None) -> Any:
        if isinstance(value, dict):
            return {
                k: self._relabel(v, props)
                for k, v in value.items()
                if k not in VOLATILE
            }
        if isinstance(value, list):
            return [self._relabel(v, props) for v in value]
        if isinstance(value, str):
            if props and unquote(value) in props:
                return f"prop:{props[unquote(value)]}"
            return self.label(value)
        return value

    @staticmethod
    def _canon(value: Any) -> str:
        return json.dumps(value, sort_keys=True, ensure_ascii=False)
