"""Notion's error bodies, raised inside handlers and rendered by the emulator.

Each :class:`ApiError` carries the HTTP status, Notion's ``code`` and the exact message
wording Notion uses (taken from recordings, documentation or reports; see
``docs/emulator.md``).
"""

from __future__ import annotations

from typing import Any


class ApiError(Exception):
    """An error answered as ``{"object": "error", "status", "code", "message"}``."""

    def __init__(
        self,
        status: int,
        code: str,
        message: str,
        *,
        additional_data: dict[str, Any] | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.additional_data = additional_data
        self.headers = headers or {}

    def body(self, request_id: str) -> dict[str, Any]:
        """The JSON body Notion sends for this error."""
        out: dict[str, Any] = {
            "object": "error",
            "status": self.status,
            "code": self.code,
            "message": self.message,
        }
        if self.additional_data is not None:
            out["additional_data"] = self.additional_data
        out["request_id"] = request_id
        return out


class DroppedConnection(Exception):
    """The connection is closed without a response (fault ``reset``, ``hold``)."""


class SimulatedTimeout(Exception):
    """The client should see a read timeout (fault ``timeout``)."""


def validation(message: str) -> ApiError:
    """400 ``validation_error`` with ``message`` as is."""
    return ApiError(400, "validation_error", message)


def body_failed(path: str, rule: str) -> ApiError:
    """400 ``validation_error`` in Notion's ``body failed validation: …`` form."""
    return validation(f"body failed validation: {path} {rule}.")


def too_long(path: str, limit: int, actual: int) -> ApiError:
    """A length limit broken: ``… should be ≤ `100`, instead was `124`.``."""
    return body_failed(path, f"should be ≤ `{limit}`, instead was `{actual}`")


def invalid_json() -> ApiError:
    """400 ``invalid_json``."""
    return ApiError(400, "invalid_json", "Error parsing JSON body.")


def invalid_url() -> ApiError:
    """400 ``invalid_request_url``."""
    return ApiError(400, "invalid_request_url", "Invalid request URL.")


def unauthorized() -> ApiError:
    """401 ``unauthorized``."""
    return ApiError(401, "unauthorized", "API token is invalid.")


def not_found(kind: str, object_id: str, integration: str, bot_id: str) -> ApiError:
    """404 ``object_not_found`` with Notion's sharing hint."""
    return ApiError(
        404,
        "object_not_found",
        f"Could not find {kind} with ID: {object_id}. Make sure the relevant pages "
        f'and databases are shared with your integration "{integration}".',
        additional_data={"integration_id": bot_id},
    )


def bad_cursor(cursor: str) -> ApiError:
    """400 for a start_cursor the server does not know."""
    return validation(f"The start_cursor provided is invalid: {cursor}")


def archived_block() -> ApiError:
    """Editing a trashed block."""
    return validation(
        "Can't edit block that is archived. You must unarchive the block before "
        "editing."
    )


def archived_page() -> ApiError:
    """Editing a trashed page."""
    return validation(
        "Can't update a page that is archived. You must unarchive the page before "
        "editing."
    )


def conflict() -> ApiError:
    """409 ``conflict_error``."""
    return ApiError(
        409, "conflict_error", "Conflict occurred while saving. Please try again."
    )


def rate_limited(retry_after: int, reason: str) -> ApiError:
    """429 ``rate_limited`` with an integer ``Retry-After``."""
    return ApiError(
        429,
        "rate_limited",
        "You have been rate limited. Please try again in a few minutes.",
        additional_data={"rate_limit_reason": reason},
        headers={"Retry-After": str(retry_after)},
    )
