"""The exception tree of notion-crm.

Every error the product raises on purpose derives from :class:`CRMError`, so the CLI
catches one type and prints one or two lines: what happened, then what to do next.
Messages never contain the Notion token.

    CRMError
    ├── ConfigError              settings file, environment, command-line values
    ├── SchemaError              a file under schemas/ is invalid (names file and key)
    ├── StateError               the SQLite state store (locked, newer version, disk)
    │   └── LockedError          another notion-crm process holds the store's lock
    ├── WorkspaceError           the Notion workspace is not what the schema expects
    │   └── DriftError           a property or option the engine needs has gone
    └── NotionError              a request to Notion failed for good
        ├── AuthError            401: token invalid or revoked
        ├── AccessError          404 object_not_found / 403: not shared, or gone
        ├── InvalidRequestError  400 validation errors: the request was wrong
        ├── ConflictError        409 conflict_error after every retry
        ├── RateLimitedError     429/529 past the cycle's time budget
        ├── ServerError          5xx, HTML bodies, timeouts, dropped connections
        └── PaginationError      repeated or invalid cursors, incomplete results
"""

from __future__ import annotations


class CRMError(Exception):
    """Root of every error notion-crm raises on purpose.

    ``hint`` is the next step for the person reading the message.
    """

    exit_code = 1

    def __init__(self, message: str, *, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def __str__(self) -> str:
        if self.hint:
            return f"{self.message}\n  → {self.hint}"
        return self.message


class ConfigError(CRMError):
    """A setting is missing, malformed or contradictory."""


class SchemaError(CRMError):
    """A schema file is invalid; the message names the file and the key."""


class StateError(CRMError):
    """The state store cannot be opened, read or written."""


class LockedError(StateError):
    """Another notion-crm process is using the same state store."""


class WorkspaceError(CRMError):
    """The Notion workspace does not match what notion-crm expects."""


class DriftError(WorkspaceError):
    """A property or option the engine relies on was renamed away or deleted."""


class NotionError(CRMError):
    """A request to Notion failed for good.

    Carries what is known of the failed request, never its token.
    """

    def __init__(
        self,
        message: str,
        *,
        hint: str | None = None,
        status: int | None = None,
        code: str | None = None,
        method: str | None = None,
        path: str | None = None,
        request_id: str | None = None,
    ) -> None:
        super().__init__(message, hint=hint)
        self.status = status
        self.code = code
        self.method = method
        self.path = path
        self.request_id = request_id


class AuthError(NotionError):
    """The token is invalid or was revoked (401)."""


class AccessError(NotionError):
    """The object does not exist or is not shared with the integration."""


class InvalidRequestError(NotionError):
    """Notion refused the request as invalid (400, other 4xx)."""


class ConflictError(NotionError):
    """Notion kept answering 409 conflict_error."""


class RateLimitedError(NotionError):
    """Notion kept rate limiting past the time the cycle may wait."""


class ServerError(NotionError):
    """Notion or the network failed: 5xx, HTML error pages, timeouts, resets."""


class PaginationError(NotionError):
    """A paginated read could not be completed (bad or repeated cursors)."""
