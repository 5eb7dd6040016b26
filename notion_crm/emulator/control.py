"""The ``/_emulator/`` extras: stats, reset, clock, faults, share, tokens, hold.

Each takes and returns JSON and is never counted in the stats.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from notion_crm.emulator.faults import FaultSpecError
from notion_crm.emulator.ids import fmt_http_date, parse_instant

if TYPE_CHECKING:
    from notion_crm.emulator.core import Emulator, Response


def handle_control(emu: Emulator, method: str, path: str, body: bytes) -> Response:
    """Serve one ``/_emulator/`` request."""
    name = path[len("/_emulator/") :].strip("/")
    try:
        data = json.loads(body) if body.strip() else {}
        if not isinstance(data, dict):
            raise ValueError("expected a JSON object")
        result = _dispatch(emu, method, name, data)
    except (ValueError, TypeError, KeyError, FaultSpecError) as exc:
        return _reply(emu, 400, {"error": str(exc)})
    if result is None:
        return _reply(emu, 404, {"error": f"unknown extra {method} {path}"})
    return _reply(emu, 200, result)


def _dispatch(emu: Emulator, method: str, name: str, data: dict[str, Any]) -> Any:
    if method == "GET" and name == "stats":
        return emu.stats()
    if method != "POST":
        return None
    actions = {
        "stats/reset": _stats_reset,
        "reset": _reset,
        "clock": _clock,
        "faults": _faults,
        "share": _share,
        "tokens": _tokens,
        "hold": _hold,
    }
    action = actions.get(name)
    return action(emu, data) if action else None


def _stats_reset(emu: Emulator, data: dict[str, Any]) -> dict[str, Any]:
    emu.reset_stats()
    return {"ok": True}


def _reset(emu: Emulator, data: dict[str, Any]) -> dict[str, Any]:
    emu.reset()
    return {"ok": True, "root_page_id": emu.root_page_id}


def _clock(emu: Emulator, data: dict[str, Any]) -> dict[str, Any]:
    now = parse_instant(str(data["now"])) if data.get("now") else None
    advance = float(data["advance_s"]) if data.get("advance_s") is not None else None
    moment = emu.set_clock(now=now, advance_s=advance, resume=bool(data.get("resume")))
    return {"ok": True, "now": moment.isoformat()}


def _faults(emu: Emulator, data: dict[str, Any]) -> dict[str, Any]:
    seed = data.get("seed")
    emu.set_faults(str(data.get("spec") or ""), int(seed) if seed is not None else None)
    return {"ok": True}


def _share(emu: Emulator, data: dict[str, Any]) -> dict[str, Any]:
    emu.share(str(data["id"]), bool(data.get("shared", True)))
    return {"ok": True}


def _tokens(emu: Emulator, data: dict[str, Any]) -> dict[str, Any]:
    token = str(data["token"])
    if data.get("revoked"):
        emu.revoke_token(token)
    else:
        workspace = str(data.get("workspace", "same"))
        if workspace not in ("same", "other"):
            raise ValueError('workspace must be "same" or "other"')
        emu.add_token(token, workspace)
    return {"ok": True}


def _hold(emu: Emulator, data: dict[str, Any]) -> dict[str, Any]:
    after = data.get("after")
    emu.set_hold(int(after) if after is not None else None, bool(data.get("apply")))
    return {"ok": True}


def _reply(emu: Emulator, status: int, payload: dict[str, Any]) -> Response:
    headers = {"Content-Type": "application/json", "Date": fmt_http_date(emu.now())}
    return status, headers, json.dumps(payload).encode()
