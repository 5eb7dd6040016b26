"""The mapping of failures into notion_crm.errors is total.

Like httpx's check that every httpcore exception is mapped: every APIErrorCode,
every status from 400 to 599 (JSON, unknown code, HTML), every httpx error.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime

import httpx
import pytest
from gateway_fakes import FakeNotion, error, html
from notion_client import APIErrorCode
from notion_client.errors import (
    InvalidPathParameterError,
    RequestTimeoutError,
    build_request_error,
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
from notion_crm.notion.errors_map import (
    AttemptError,
    Retry,
    parse_retry_after,
    translate,
)
from notion_crm.notion.gateway import NotionGateway

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
REQUEST = httpx.Request("PATCH", "http://emulator.local/v1/pages/p1")

STATUS_OF_CODE = {
    APIErrorCode.Unauthorized: 401,
    APIErrorCode.RestrictedResource: 403,
    APIErrorCode.ObjectNotFound: 404,
    APIErrorCode.RateLimited: 429,
    APIErrorCode.InvalidJSON: 400,
    APIErrorCode.InvalidRequestURL: 400,
    APIErrorCode.InvalidRequest: 400,
    APIErrorCode.ValidationError: 400,
    APIErrorCode.ConflictError: 409,
    APIErrorCode.InternalServerError: 500,
    APIErrorCode.ServiceUnavailable: 503,
    APIErrorCode.GatewayTimeout: 504,
}

EXPECTED_OF_CODE: dict[APIErrorCode, tuple[type[NotionError], Retry]] = {
    APIErrorCode.Unauthorized: (AuthError, Retry.NEVER),
    APIErrorCode.RestrictedResource: (AccessError, Retry.NEVER),
    APIErrorCode.ObjectNotFound: (AccessError, Retry.NEVER),
    APIErrorCode.RateLimited: (RateLimitedError, Retry.RATE_LIMITED),
    APIErrorCode.InvalidJSON: (InvalidRequestError, Retry.NEVER),
    APIErrorCode.InvalidRequestURL: (InvalidRequestError, Retry.NEVER),
    APIErrorCode.InvalidRequest: (InvalidRequestError, Retry.NEVER),
    APIErrorCode.ValidationError: (InvalidRequestError, Retry.NEVER),
    APIErrorCode.ConflictError: (ConflictError, Retry.CONFLICT),
    APIErrorCode.InternalServerError: (ServerError, Retry.TRANSIENT),
    APIErrorCode.ServiceUnavailable: (ServerError, Retry.TRANSIENT),
    APIErrorCode.GatewayTimeout: (ServerError, Retry.TRANSIENT),
}


def notion_error(response: httpx.Response) -> Exception:
    return build_request_error(response, response.text)


def mapped(exc: BaseException) -> AttemptError:
    result = translate(exc, method="PATCH", path="/v1/pages/p1", now=NOW)
    assert result is not None, f"{type(exc).__name__} is not mapped"
    return result


def test_every_api_error_code_has_an_expected_mapping() -> None:
    assert set(EXPECTED_OF_CODE) == set(APIErrorCode)
    assert set(STATUS_OF_CODE) == set(APIErrorCode)


@pytest.mark.parametrize("code", list(APIErrorCode), ids=lambda c: c.value)
def test_api_error_codes_map_into_the_tree(code: APIErrorCode) -> None:
    response = error(
        STATUS_OF_CODE[code], code.value, "Notion says no.", request_id="rq"
    )

    failure = mapped(notion_error(response))

    cls, retry = EXPECTED_OF_CODE[code]
    assert type(failure.error) is cls
    assert failure.retry is retry
    assert failure.error.code == code.value
    assert failure.error.request_id == "rq"
    assert failure.error.method == "PATCH" and failure.error.path == "/v1/pages/p1"
    assert "Notion says no" in str(failure.error)
    assert "PATCH /v1/pages/p1" in str(failure.error)


@pytest.mark.parametrize("status", range(400, 600))
@pytest.mark.parametrize("body", ["json-unknown-code", "html", "empty"])
def test_every_status_maps_into_the_tree(status: int, body: str) -> None:
    if body == "json-unknown-code":
        response = error(status, "some_future_code", "Something new.")
    elif body == "html":
        response = html(status)
    else:
        response = httpx.Response(status, content=b"")

    failure = mapped(notion_error(response))

    assert isinstance(failure.error, NotionError)
    assert failure.error.status == status
    expected = _expected_by_status(status)
    assert failure.retry is expected[1]
    assert isinstance(failure.error, expected[0])


def _expected_by_status(status: int) -> tuple[type[NotionError], Retry]:
    if status in (429, 529):
        return RateLimitedError, Retry.RATE_LIMITED
    if status == 409:
        return ConflictError, Retry.CONFLICT
    if status >= 500:
        return ServerError, Retry.TRANSIENT
    if status == 401:
        return AuthError, Retry.NEVER
    if status in (403, 404):
        return AccessError, Retry.NEVER
    return InvalidRequestError, Retry.NEVER


@pytest.mark.parametrize(
    ("status", "code"),
    [
        (502, "bad_gateway"),
        (529, "service_overload"),
        (503, "database_connection_unavailable"),
        (400, "missing_version"),
        (400, "invalid_grant"),
    ],
)
def test_codes_notion_client_does_not_know_are_read_from_the_body(
    status: int, code: str
) -> None:
    failure = mapped(notion_error(error(status, code, "Details.", request_id="rid")))

    assert failure.error.code == code
    assert failure.error.request_id == "rid"
    assert "Details" in str(failure.error)


def test_html_body_is_named_as_such() -> None:
    failure = mapped(notion_error(html(502)))

    assert "HTML error page" in str(failure.error)
    assert failure.maybe_applied


def _all_subclasses(cls: type[BaseException]) -> list[type[BaseException]]:
    found = []
    for sub in cls.__subclasses__():
        found.append(sub)
        found.extend(_all_subclasses(sub))
    return found


HTTPX_ERRORS = sorted(
    {
        cls
        for cls in _all_subclasses(httpx.HTTPError)
        if cls.__module__.startswith("httpx") and cls is not httpx.HTTPStatusError
    },
    key=lambda c: c.__name__,
)


@pytest.mark.parametrize("cls", HTTPX_ERRORS, ids=lambda c: c.__name__)
def test_every_httpx_error_maps_into_the_tree(cls: type[httpx.RequestError]) -> None:
    failure = mapped(cls("boom", request=REQUEST))

    assert isinstance(failure.error, NotionError)
    assert "PATCH /v1/pages/p1" in str(failure.error)
    assert failure.error.code == cls.__name__


def test_httpx_error_classes_found() -> None:
    names = {cls.__name__ for cls in HTTPX_ERRORS}
    assert {"ConnectError", "ReadTimeout", "RemoteProtocolError", "ReadError"} <= names


@pytest.mark.parametrize(
    ("cls", "retry"),
    [
        (httpx.ConnectError, Retry.NOT_SENT),
        (httpx.ConnectTimeout, Retry.NOT_SENT),
        (httpx.PoolTimeout, Retry.NOT_SENT),
        (httpx.ReadError, Retry.TRANSIENT),
        (httpx.WriteError, Retry.TRANSIENT),
        (httpx.RemoteProtocolError, Retry.TRANSIENT),
        (httpx.ReadTimeout, Retry.TRANSIENT),
        (httpx.UnsupportedProtocol, Retry.NEVER),
        (httpx.LocalProtocolError, Retry.NEVER),
        (httpx.TooManyRedirects, Retry.NEVER),
    ],
)
def test_httpx_errors_say_whether_the_request_may_have_been_applied(
    cls: type[httpx.RequestError], retry: Retry
) -> None:
    assert mapped(cls("x", request=REQUEST)).retry is retry


def test_other_httpx_failures_map_too() -> None:
    response = httpx.Response(502, text="<html></html>", request=REQUEST)
    status_error = httpx.HTTPStatusError("bad", request=REQUEST, response=response)
    assert mapped(status_error).retry is Retry.TRANSIENT
    assert mapped(httpx.InvalidURL("no")).retry is Retry.NEVER
    assert mapped(json.JSONDecodeError("x", "<html>", 0)).retry is Retry.TRANSIENT


@pytest.mark.parametrize(
    ("inner", "retry"),
    [
        (httpx.ReadTimeout("slow", request=REQUEST), Retry.TRANSIENT),
        (httpx.ConnectTimeout("slow", request=REQUEST), Retry.NOT_SENT),
        (None, Retry.TRANSIENT),
    ],
)
def test_notion_client_timeouts_keep_what_httpx_knew(
    inner: Exception | None, retry: Retry
) -> None:
    timeout = RequestTimeoutError()
    timeout.__context__ = inner  # notion-client raises it inside `except`

    failure = mapped(timeout)

    assert isinstance(failure.error, ServerError)
    assert failure.retry is retry


def test_invalid_path_parameter_is_an_invalid_request() -> None:
    failure = mapped(InvalidPathParameterError())
    assert isinstance(failure.error, InvalidRequestError)
    assert failure.retry is Retry.NEVER


def test_programming_errors_are_not_mapped() -> None:
    assert translate(KeyError("x"), method="GET", path="/v1/x", now=NOW) is None


@pytest.mark.parametrize(
    ("headers", "expected"),
    [
        ({"retry-after": "120"}, 120.0),
        ({"retry-after": "0"}, 0.0),
        ({"retry-after": "1.5"}, 1.5),
        ({"retry-after": "Mon, 02 Mar 2026 09:02:00 GMT"}, 120.0),
        (
            {
                "retry-after": "Mon, 02 Mar 2026 12:00:30 GMT",
                "date": "Mon, 02 Mar 2026 12:00:00 GMT",
            },
            30.0,
        ),
        ({"retry-after": "Mon, 02 Mar 2026 08:00:00 GMT"}, 0.0),
        ({"retry-after": "soon"}, None),
        ({"retry-after": "-3"}, None),
        ({}, None),
    ],
)
def test_parse_retry_after(headers: dict[str, str], expected: float | None) -> None:
    assert parse_retry_after(httpx.Headers(headers), now=NOW) == expected


def test_errors_keep_the_notion_client_error_as_cause(
    gateway: NotionGateway, notion: FakeNotion
) -> None:
    notion.on("GET", "/v1/pages/p1", error(404, "object_not_found", "Gone."))

    with pytest.raises(AccessError) as caught:
        gateway.retrieve_page("p1")

    cause = caught.value.__cause__
    assert cause is not None
    assert getattr(cause, "status", None) == 404
