"""Replays the real Notion recordings through notion-client against the emulator.

Each response is compared with the recording: status, error code, and the keys and
value types of the body, recursively (ids, timestamps, request ids and URLs aside).
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from notion_client import APIResponseError

from .helpers import make_client, make_emulator

yaml = pytest.importorskip("yaml")

RECORDINGS = Path(__file__).resolve().parents[2].parent / "shared" / "notion-recordings"
UNCOVERED = (
    "/v1/comments",
    "/v1/custom_emojis",
    "/templates",
    "/markdown",
    "/v1/async_tasks",
    "/v1/oauth",
)
_UUID = re.compile(r"[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}")


def _cassettes() -> list[Path]:
    if not RECORDINGS.is_dir():
        return []
    return sorted(RECORDINGS.glob("*.yaml"))


def _covered(path: Path) -> bool:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    return not any(
        marker in item["request"]["uri"]
        for item in data["interactions"]
        for marker in UNCOVERED
    )


def _shape(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, int | float):
        return "number"
    return type(value).__name__


def compare(recorded: Any, actual: Any, where: str = "$") -> list[str]:
    """Differences in keys and value types between two JSON values."""
    if isinstance(recorded, dict) and isinstance(actual, dict):
        problems = []
        if set(recorded) != set(actual):
            problems.append(f"{where}: keys {sorted(recorded)} != {sorted(actual)}")
        for key in set(recorded) & set(actual):
            if key in ("request_id", "url", "upload_url", "public_url"):
                continue
            problems += compare(recorded[key], actual[key], f"{where}.{key}")
        return problems
    if isinstance(recorded, list) and isinstance(actual, list):
        problems = []
        for index, item in enumerate(actual):
            if not recorded:
                break
            options = [compare(r, item, f"{where}[{index}]") for r in recorded]
            if all(options):
                problems += min(options, key=len)
        return problems
    if _shape(recorded) != _shape(actual):
        return [f"{where}: {_shape(recorded)} != {_shape(actual)}"]
    return []


def _is_uuid(value: Any) -> bool:
    return isinstance(value, str) and _UUID.fullmatch(value) is not None


class IdMap:
    """Maps ids the recording's responses returned to the emulator's."""

    def __init__(self) -> None:
        self.ids: dict[str, str] = {}

    def learn(self, recorded: Any, actual: Any) -> None:
        if isinstance(recorded, dict) and isinstance(actual, dict):
            for key in set(recorded) & set(actual):
                self.learn(recorded[key], actual[key])
        elif isinstance(recorded, list) and isinstance(actual, list):
            for r, a in zip(recorded, actual, strict=False):
                self.learn(r, a)
        elif _is_uuid(recorded) and _is_uuid(actual):
            self.ids.setdefault(str(recorded).replace("-", ""), str(actual))

    def apply(self, text: str) -> str:
        return _UUID.sub(
            lambda m: self.ids.get(m.group(0).replace("-", ""), m.group(0)), text
        )


def _replay(path: Path) -> list[str]:
    emu, _ = make_emulator(integration_name="notion-sdk-py")
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    ids = IdMap()
    first = data["interactions"][0]["request"].get("body") or ""
    root = re.search(r'"page_id":"([0-9a-f-]+)"', first)
    if root:
        ids.ids[root.group(1).replace("-", "")] = emu.root_page_id
    problems: list[str] = []
    for number, item in enumerate(data["interactions"]):
        request, response = item["request"], item["response"]
        token = "secret_emulator"
        if "/v1/users" in request["uri"] and response["status"]["code"] == 401:
            token = "wrong-token"
        client = make_client(emu, token)
        status, body = _send(client, request, ids)
        client.close()
        recorded_body = json.loads(response["body"]["string"])
        tag = f"{path.name}#{number} {request['method']} {request['uri']}"
        if status != response["status"]["code"]:
            problems.append(f"{tag}: status {status} != {response['status']['code']}")
            continue
        is_error = recorded_body.get("object") == "error"
        if is_error and body.get("code") != recorded_body.get("code"):
            problems.append(f"{tag}: code {body.get('code')}")
        problems += [f"{tag}: {p}" for p in compare(recorded_body, body)]
        ids.learn(recorded_body, body)
    return problems


def _send(client: Any, request: dict[str, Any], ids: IdMap) -> tuple[int, Any]:
    uri = ids.apply(request["uri"].replace("https://api.notion.com/v1/", ""))
    path, _, query_text = uri.partition("?")
    query = dict(part.split("=", 1) for part in query_text.split("&") if part)
    raw = request.get("body") or ""
    if "multipart/form-data" in str(request["headers"].get("content-type", "")) or (
        raw.startswith("--")
    ):
        return _send_file(client, path)
    body = json.loads(ids.apply(raw)) if raw else None
    try:
        result = client.request(
            path=path, method=request["method"], query=query or None, body=body
        )
    except APIResponseError as exc:
        return exc.status, json.loads(exc.body)
    return 200, result


def _send_file(client: Any, path: str) -> tuple[int, Any]:
    upload_id = path.split("/")[1]
    result = client.file_uploads.send(
        file_upload_id=upload_id,
        file=("test_file_small.txt", b"This is test file content", "text/plain"),
    )
    return 200, result


@pytest.mark.skipif(not _cassettes(), reason=f"recordings not found at {RECORDINGS}")
@pytest.mark.parametrize(
    "cassette", [p for p in _cassettes() if _covered(p)], ids=lambda p: p.stem
)
def test_recording_matches(cassette: Path) -> None:
    assert _replay(cassette) == []


def test_uncovered_recordings_are_documented() -> None:
    docs = Path(__file__).resolve().parents[2] / "docs" / "emulator.md"
    if not _cassettes():
        pytest.skip(f"recordings not found at {RECORDINGS}")
    text = docs.read_text(encoding="utf-8")
    for cassette in _cassettes():
        if not _covered(cassette):
            assert cassette.name in text
