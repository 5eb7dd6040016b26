"""A fresh workspace: a bot for the integration, person users and a shared root page."""

from __future__ import annotations

import random
from datetime import datetime

from notion_crm.emulator.config import EmulatorConfig
from notion_crm.emulator.ids import floor_minute, new_uuid
from notion_crm.emulator.model import Page, User
from notion_crm.emulator.richtext import from_text
from notion_crm.emulator.store import Store

_PEOPLE = (
    ("Camille Durand", "camille.durand@example.com"),
    ("Louis Moreau", "louis.moreau@example.com"),
    ("Inès Lefèvre", "ines.lefevre@example.com"),
    ("Hugo Garnier", "hugo.garnier@example.com"),
    ("Léa Fontaine", "lea.fontaine@example.com"),
)
ROOT_TITLE = "Workspace root"


def person_name(index: int) -> tuple[str, str]:
    """A fictional person's name and e-mail for member ``index``."""
    if index < len(_PEOPLE):
        return _PEOPLE[index]
    return f"Member {index + 1}", f"member{index + 1}@example.com"


def new_store(config: EmulatorConfig, now: datetime) -> Store:
    """An empty workspace holding only the root page, shared with the integration."""
    rng = random.Random(config.seed)
    workspace_id = new_uuid(rng)
    bot_id = new_uuid(rng)
    root_id = new_uuid(rng)
    store = Store(workspace_id, config.workspace_name, bot_id, root_id, rng)
    store.users[bot_id] = User(
        bot_id,
        config.integration_name,
        "bot",
        None,
        workspace_id,
        config.workspace_name,
    )
    people = []
    for index in range(max(1, config.members)):
        name, email = person_name(index)
        person = User(new_uuid(rng), name, "person", email, workspace_id)
        store.users[person.id] = person
        people.append(person.id)
    stamp = floor_minute(now)
    root = Page(
        root_id,
        "workspace",
        None,
        {"title": from_text(ROOT_TITLE)},
        stamp,
        stamp,
        people[0],
        people[0],
    )
    store.pages[root_id] = root
    store.shared.add(root_id)
    return store


def first_person(store: Store) -> str:
    """The id of the person the person token acts as."""
    for user in store.users.values():
        if user.type == "person" and user.workspace_id == store.workspace_id:
            return user.id
    raise LookupError("the workspace has no person user")
