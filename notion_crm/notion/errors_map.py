"""Translate notion-client and httpx failures into notion-crm's exception tree.

notion-client raises :class:`~notion_client.APIResponseError` only for the codes it
knows. A 502 ``bad_gateway``, a 529 ``service_overload``,
``database_connection_unavailable`` or an HTML error page arrive as
:class:`~notion_client.errors.UnknownHTTPResponseError` carrying just a status;
timeouts become :class:`~notion_client.errors.RequestTimeoutError`; connection
failures escape as raw :class:`httpx.TransportError`. So each failure is classified
by HTTP status as well as by code, and :func:`translate` returns an
:class:`AttemptError`: the product's :class:`~notion_crm.errors.NotionError` for it,
plus what the retry policy needs to know (may it be retried, was the request
perhaps applied, how long Notion asked us to wait).

Every message names the method and the path, Notion's message and its request id,
and passes through :func:`~notion_crm.notion.redact.scrub`.
"""

from __future__ import annotations

import enum
import json
from collections.abc import Mapping
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any

import httpx
from notion_client.errors import (
    HTTPResponseError,
    InvalidPathParameterError,
    NotionClientErrorBase,
    RequestTimeoutError,
)

from notion_crm.errors import (
    AccessError,
    AuthError,
    ConflictError,
    InvalidRequestError,
    NotionError,
    RateLimitedError,
    ServerError,
)
from notion_crm.notion.redact import scrub

HINT_SHARE = (
    "In Notion, open the page, ••• menu → Connections → add your integration. "
    "If the object was deleted, restore it from the trash or run "
    "`notion-crm provision` again. If it is shared, check that NOTION_TOKEN is the "
    "token of this workspace's integration."
)
HINT_AUTH = (
    "Check NOTION_TOKEN: the token may be mistyped, or the integration may have "
    "been removed from the workspace (Settings → Connections)."
)
HINT_CAPABILITY = (
    "The integration lacks a capability: in its settings on notion.so/my-integrations "
    "enable Read, Update and Insert content, then share the pages again."
)
HINT_INVALID = (
    "Notion refused the request as invalid. Run `notion-crm doctor` to compare the "
    "workspace with the schema; if it reports nothing, this is a bug in notion-crm."
)
HINT_CONFLICT = (
    "Someone edited the same object at the same moment. The sync engine re-reads "
    "the page, recomputes and writes again at its next cycle."
)
HINT_RATE = (
    "Notion is rate limiting this integration; nothing was lost. The cycle stops "
    "here and the next tick resumes where it left off."
)
HINT_SERVER = (
    "Notion or the network failed; nothing is lost and the next cycle retries. "
    "If it persists, check https://status.notion.so and your connection."
)
HINT_BASE_URL = "Check `notion.base_url` (or NOTION_BASE_URL) in the settings."

_RATE_LIMIT_CODES = frozenset({"rate_limited", "service_overload"})
_SERVER_CODES = frozenset(
    {
        "internal_server_error",
        "service_unavailable",
        "gateway_timeout",
        "bad_gateway",
        "database_connection_unavailable",
    }
)
_REQUEST_ID_HEADERS = ("x-notion-request-id", "x-request-id")


class Retry(enum.Enum):
    """What a failed attempt means for the retry policy."""

    RATE_LIMITED = "rate_limited"
    """429/529: refused before anything was applied; wait for Retry-After."""

    CONFLICT = "conflict"
    """409: the transaction was not applied; back off and try again."""

    TRANSIENT = "transient"
    """5xx, HTML pages, timeouts, dropped connections: may have been applied."""

    NOT_SENT = "not_sent"
    """The connection was never made, so the request cannot have been applied."""

    NEVER = "never"
    """4xx and client-side errors: trying again gives the same answer."""


class AttemptError(Exception):
    """One failed attempt, as the retry loop sees it; never leaves the gateway.

    ``error`` is the product exception to raise if this is the last attempt.
    """

    def __init__(
        self,
        error: NotionError,
        retry: Retry,
        *,
        cause: BaseException,
        retry_after_s: float | None = None,
    ) -> None:
        super().__init__(error.message)
        self.error = error
        self.retry = retry
        self.cause = cause
        self.retry_after_s = retry_after_s

    @property
    def maybe_applied(self) -> bool:
        """Whether Notion may have carried the request out before failing."""
        return self.retry is Retry.TRANSIENT


def translate(
    exc: BaseException, *, method: str, path: str, now: datetime
) -> AttemptError | None:
    """Map one failure of ``method path`` into an :class:`AttemptError`.

    ``now`` serves to turn an HTTP-date ``Retry-After`` into seconds when the
    response has no ``Date`` header. Returns ``None`` for exceptions that are not
    HTTP or notion-client failures (programming errors), which callers re-raise.
    """
    if isinstance(exc, HTTPResponseError):
        return _from_response(exc, method=method, path=path, now=now)
    if isinstance(exc, httpx.HTTPStatusError):
        return _from_status_error(exc, method=method, path=path, now=now)
    if isinstance(exc, RequestTimeoutError):
        return _from_timeout(exc, method=method, path=path)
    if isinstance(exc, InvalidPathParameterError):
        error = _build(
            InvalidRequestError,
            f"{method} {path} was not sent: {exc}.",
            hint="An id passed to the gateway contains '..'; check where it came from.",
            method=method,
            path=path,
            code=str(exc.code.value),
        )
        return AttemptError(error, Retry.NEVER, cause=exc)
    if isinstance(exc, NotionClientErrorBase):
        error = _build(
            ServerError,
            f"{method} {path} failed in notion-client: {exc}.",
            hint=HINT_SERVER,
            method=method,
            path=path,
        )
        return AttemptError(error, Retry.NEVER, cause=exc)
    if isinstance(exc, httpx.HTTPError | httpx.InvalidURL):
        return _from_httpx(exc, method=method, path=path)
    if isinstance(exc, json.JSONDecodeError):
        error = _build(
            ServerError,
            f"{method} {path} failed: Notion answered with a body that is not JSON.",
            hint=HINT_SERVER,
            method=method,
            path=path,
        )
        return AttemptError(error, Retry.TRANSIENT, cause=exc)
    return None


def classify_status(status: int, code: str | None) -> Retry:
    """The retry class of an HTTP error answer, by status as well as by code."""
    if status in (429, 529) or code in _RATE_LIMIT_CODES:
        return Retry.RATE_LIMITED
    if status == 409 or code == "conflict_error":
        return Retry.CONFLICT
    if status >= 500 or code in _SERVER_CODES:
        return Retry.TRANSIENT
    return Retry.NEVER


def parse_retry_after(headers: Mapping[str, str], *, now: datetime) -> float | None:
    """Seconds to wait from a ``Retry-After`` header, or ``None`` without one.

    Accepts delta-seconds (``120``, also ``1.5``) and HTTP-dates. A date is
    measured against the response's own ``Date`` header when there is one, so a
    skewed local clock does not shorten the wait; else against ``now``.
    """
    value = headers.get("retry-after")
    if value is None or not value.strip():
        return None
    value = value.strip()
    try:
        seconds = float(value)
    except ValueError:
        pass
    else:
        return seconds if seconds >= 0 else None
    instant = parse_http_date(value)
    if instant is None:
        return None
    reference = parse_http_date(headers.get("date", "")) or now
    return max(0.0, (instant - reference).total_seconds())


def parse_http_date(value: str) -> datetime | None:
    """Parse an HTTP-date (RFC 9110) into an aware UTC datetime, or ``None``."""
    if not value:
        return None
    try:
        parsed = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return parsed.astimezone(UTC)


def _from_response(
    exc: HTTPResponseError, *, method: str, path: str, now: datetime
) -> AttemptError:
    code: str | None = (
        exc.code.value if isinstance(exc.code, enum.Enum) else str(exc.code)
    )
    notion_message = str(exc)
    request_id = exc.request_id
    body = _json_error_body(exc.body)
    if body is not None:
        code = _str_or(body.get("code"), code)
        notion_message = _str_or(body.get("message"), None) or notion_message
        request_id = request_id or _str_or(body.get("request_id"), None)
    elif _looks_like_html(exc.body):
        notion_message = "an HTML error page instead of JSON"
    if code == "notionhq_client_response_error":
        code = None
    request_id = request_id or _header_request_id(exc.headers)
    return _for_status(
        exc.status,
        code,
        notion_message,
        request_id,
        exc.headers,
        method=method,
        path=path,
        now=now,
        cause=exc,
    )


def _from_status_error(
    exc: httpx.HTTPStatusError, *, method: str, path: str, now: datetime
) -> AttemptError:
    response = exc.response
    body = _json_error_body(_safe_text(response))
    code = _str_or(body.get("code"), None) if body else None
    message = _str_or(body.get("message"), None) if body else None
    request_id = _str_or(body.get("request_id"), None) if body else None
    return _for_status(
        response.status_code,
        code,
        message or f"HTTP {response.status_code}",
        request_id or _header_request_id(response.headers),
        response.headers,
        method=method,
        path=path,
        now=now,
        cause=exc,
    )


def _for_status(
    status: int,
    code: str | None,
    notion_message: str,
    request_id: str | None,
    headers: Mapping[str, str],
    *,
    method: str,
    path: str,
    now: datetime,
    cause: BaseException,
) -> AttemptError:
    retry = classify_status(status, code)
    label = f"{status} {code}" if code else str(status)
    text = f"{method} {path} failed: {label}: {notion_message.rstrip('.')}."
    if request_id:
        text += f" (request_id {request_id})"
    fields: dict[str, Any] = {
        "method": method,
        "path": path,
        "status": status,
        "code": code,
        "request_id": request_id,
    }
    wait = parse_retry_after(headers, now=now)
    if retry is Retry.RATE_LIMITED:
        error: NotionError = _build(RateLimitedError, text, hint=HINT_RATE, **fields)
    elif retry is Retry.CONFLICT:
        error = _build(ConflictError, text, hint=HINT_CONFLICT, **fields)
    elif retry is Retry.TRANSIENT:
        error = _build(ServerError, text, hint=HINT_SERVER, **fields)
    elif status == 401 or code == "unauthorized":
        error = _build(AuthError, text, hint=HINT_AUTH, **fields)
    elif status == 403 or code == "restricted_resource":
        error = _build(AccessError, text, hint=HINT_CAPABILITY, **fields)
    elif status == 404 or code == "object_not_found":
        error = _build(AccessError, text, hint=HINT_SHARE, **fields)
    elif status < 400:
        error = _build(ServerError, text, hint=HINT_BASE_URL, **fields)
    else:
        error = _build(InvalidRequestError, text, hint=_invalid_hint(status), **fields)
    return AttemptError(error, retry, cause=cause, retry_after_s=wait)


def _from_timeout(exc: RequestTimeoutError, *, method: str, path: str) -> AttemptError:
    # notion-client raises its timeout inside `except httpx.TimeoutException`, so
    # the httpx exception is the context and tells whether anything was sent.
    inner = exc.__context__
    never_sent = isinstance(inner, httpx.ConnectTimeout | httpx.PoolTimeout)
    kind = type(inner).__name__ if inner is not None else "timeout"
    error = _build(
        ServerError,
        f"{method} {path} failed: no answer from Notion in time ({kind}).",
        hint=HINT_SERVER,
        method=method,
        path=path,
        code=str(exc.code.value),
    )
    return AttemptError(
        error, Retry.NOT_SENT if never_sent else Retry.TRANSIENT, cause=exc
    )


def _from_httpx(
    exc: httpx.HTTPError | httpx.InvalidURL, *, method: str, path: str
) -> AttemptError:
    name = type(exc).__name__
    detail = f"{method} {path} failed: {name}: {exc}".rstrip(": ") + "."
    fields: dict[str, Any] = {"method": method, "path": path, "code": name}
    if isinstance(exc, httpx.InvalidURL | httpx.UnsupportedProtocol):
        error: NotionError = _build(
            InvalidRequestError, detail, hint=HINT_BASE_URL, **fields
        )
        return AttemptError(error, Retry.NEVER, cause=exc)
    if isinstance(exc, httpx.LocalProtocolError):
        error = _build(InvalidRequestError, detail, hint=HINT_INVALID, **fields)
        return AttemptError(error, Retry.NEVER, cause=exc)
    if isinstance(exc, httpx.TooManyRedirects):
        error = _build(ServerError, detail, hint=HINT_BASE_URL, **fields)
        return AttemptError(error, Retry.NEVER, cause=exc)
    error = _build(ServerError, detail, hint=HINT_SERVER, **fields)
    if isinstance(exc, httpx.ConnectError | httpx.ConnectTimeout | httpx.PoolTimeout):
        return AttemptError(error, Retry.NOT_SENT, cause=exc)
    return AttemptError(error, Retry.TRANSIENT, cause=exc)


def _build(
    cls: type[NotionError],
    message: str,
    *,
    hint: str,
    method: str,
    path: str,
    status: int | None = None,
    code: str | None = None,
    request_id: str | None = None,
) -> NotionError:
    return cls(
        scrub(message),
        hint=hint,
        status=status,
        code=code,
        method=method,
        path=path,
        request_id=request_id,
    )


def _invalid_hint(status: int) -> str:
    if status == 413:
        return (
            "The request body is too large for Notion (at most 1000 blocks and "
            "500 KB); this is a bug in notion-crm."
        )
    return HINT_INVALID


def _json_error_body(text: str) -> dict[str, Any] | None:
    try:
        parsed = json.loads(text)
    except (TypeError, ValueError):
        return None
    return parsed if isinstance(parsed, dict) else None


def _looks_like_html(text: str) -> bool:
    head = text.lstrip()[:64].lower()
    return head.startswith(("<!doctype html", "<html", "<"))


def _header_request_id(headers: Mapping[str, str]) -> str | None:
    for name in _REQUEST_ID_HEADERS:
        value = headers.get(name)
        if value:
            return value
    return None


def _safe_text(response: httpx.Response) -> str:
    try:
        return response.text
    except httpx.ResponseNotRead:
        return ""


def _str_or(value: object, default: str | None) -> str | None:
    return value if isinstance(value, str) and value else default
