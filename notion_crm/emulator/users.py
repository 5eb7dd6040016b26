"""Users: the integration's bot, person users, ``users/me`` and the user list."""

from __future__ import annotations

from typing import Any

from notion_crm.emulator.model import Caller, User
from notion_crm.emulator.store import Store


def user_object(
    store: Store, user: User, *, upload_limit: int | None = None
) -> dict[str, Any]:
    """A full user object, bot or person."""
    out: dict[str, Any] = {
        "object": "user",
        "id": user.id,
        "name": user.name,
        "avatar_url": None,
        "type": user.type,
    }
    if user.type == "person":
        out["avatar_url"] = f"https://avatars.emulator.invalid/{user.id}.png"
        out["person"] = {"email": user.email, "email_verified": True}
        return out
    bot: dict[str, Any] = {
        "owner": {"type": "workspace", "workspace": True},
        "workspace_name": user.workspace_name or store.workspace_name,
        "workspace_id": user.workspace_id or store.workspace_id,
    }
    if upload_limit is not None:
        bot["workspace_limits"] = {"max_file_upload_size_in_bytes": upload_limit}
    out["bot"] = bot
    return out


def me(store: Store, caller: Caller, upload_limit: int) -> dict[str, Any]:
    """``GET /v1/users/me``: the bot of the token (a person token gets its person)."""
    user = store.users[caller.user_id]
    return user_object(store, user, upload_limit=upload_limit)


def list_users(store: Store, caller: Caller, upload_limit: int) -> list[dict[str, Any]]:
    """Every person of the workspace, then the bots of this workspace."""
    users = [u for u in store.users.values() if u.workspace_id == caller.workspace_id]
    users.sort(key=lambda u: (u.type != "person", u.name))
    return [user_object(store, u, upload_limit=upload_limit) for u in users]
