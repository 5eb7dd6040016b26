"""The token never shows in logs, exception texts, tracebacks or reprs."""

from __future__ import annotations

import logging
import traceback

import httpx
import pytest
from gateway_fakes import TOKEN, FakeNotion, FakeTime, error, html, make_gateway, ok

from notion_crm.errors import ConfigError, NotionError
from notion_crm.notion.gateway import NotionGateway
from notion_crm.notion.redact import Secret, scrub


def test_the_token_is_sent_as_a_bearer_header(
    gateway: NotionGateway, notion: FakeNotion
) -> None:
    notion.on("GET", "/v1/users/me", ok({"object": "user", "id": "bot"}))

    gateway.me()

    sent = notion.sent()[0]
    assert sent.headers["Authorization"] == f"Bearer {TOKEN}"
    assert sent.headers["Notion-Version"] == "2025-09-03"


FAILURES = [
    error(401, "unauthorized", "API token is invalid."),
    error(404, "object_not_found", "Could not find page."),
    error(400, "validation_error", "body failed validation."),
    html(502),
    error(429, "rate_limited", "Slow down.", headers={"Retry-After": "99999"}),
    httpx.ReadTimeout,
    httpx.ConnectError,
    httpx.RemoteProtocolError,
]


@pytest.mark.parametrize(
    "answer", FAILURES, ids=lambda a: getattr(a, "__name__", str(a))
)
def test_no_token_in_logs_errors_or_tracebacks(
    notion: FakeNotion,
    fake_time: FakeTime,
    caplog: pytest.LogCaptureFixture,
    answer: object,
) -> None:
    caplog.set_level(logging.DEBUG)
    gw = make_gateway(notion, fake_time, max_attempts=2, max_wait_s=5.0)
    notion.on("PATCH", "/v1/pages/p1", answer)  # type: ignore[arg-type]

    with pytest.raises(NotionError) as caught:
        gw.update_page("p1", {"properties": {}})

    texts = [str(caught.value), repr(caught.value), repr(gw), repr(gw.stats)]
    texts.append("".join(traceback.format_exception(caught.value)))
    texts.extend(record.getMessage() for record in caplog.records)
    texts.extend(caplog.text.splitlines())
    for text in texts:
        assert TOKEN not in text
        assert "Bearer secret" not in text
    gw.close()


def test_repr_hides_the_token(gateway: NotionGateway) -> None:
    assert TOKEN not in repr(gateway)
    assert TOKEN not in repr(gateway._http.auth)
    assert TOKEN not in repr(gateway._client.options)
    assert TOKEN not in repr(vars(gateway))


def test_scrub_masks_registered_secrets_and_bearer_credentials(
    gateway: NotionGateway,
) -> None:
    assert scrub(f"token={TOKEN}") == "token=***"
    assert scrub("Authorization: Bearer abc.def") == "Authorization: Bearer ***"
    assert repr(Secret("hunter22")) == "Secret('***')"


def test_log_records_are_scrubbed(
    gateway: NotionGateway, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    logging.getLogger("notion_crm.notion.sdk").error("leaked %s", TOKEN)

    assert TOKEN not in caplog.text
    assert "leaked ***" in caplog.text


def test_an_empty_token_is_a_config_error() -> None:
    from notion_crm.notion.gateway import GatewayConfig

    with pytest.raises(ConfigError, match="NOTION_TOKEN"):
        NotionGateway(" ", GatewayConfig())
