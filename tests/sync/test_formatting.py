"""Tests of notion_crm.sync.formatting: the exact characters of every callout value.

French figures hold U+202F NARROW NO-BREAK SPACE between thousands and U+00A0
NO-BREAK SPACE before ``€`` and ``%``; tests spell them as escapes and compare code
points.
"""

from __future__ import annotations

import json
from decimal import Decimal

import pytest

from notion_crm.schema.loader import load_schema
from notion_crm.schema.model import KpiKind, Locale
from notion_crm.sync.formatting import (
    callout_text,
    format_kpi,
    kpi_callout_text,
    kpi_json_value,
)
from notion_crm.sync.kpis import KpiValue

NNBSP = "\u202f"
NBSP = "\u00a0"
KPIS = {spec.key: spec for spec in load_schema().rules.kpis}


def code_points(text: str) -> list[str]:
    """The text as U+XXXX code points, so that a wrong space shows in a diff."""
    return [f"U+{ord(char):04X}" for char in text]


@pytest.mark.parametrize(
    ("value", "en", "fr"),
    [
        pytest.param(Decimal(12500), "€12,500", f"12{NNBSP}500{NBSP}€", id="12500"),
        pytest.param(
            Decimal("12500.5"), "€12,501", f"12{NNBSP}501{NBSP}€", id="half-up"
        ),
        pytest.param(Decimal("12500.49"), "€12,500", f"12{NNBSP}500{NBSP}€", id="down"),
        pytest.param(Decimal("0.5"), "€1", f"1{NBSP}€", id="half-euro"),
        pytest.param(Decimal(0), "€0", f"0{NBSP}€", id="zero"),
        pytest.param(Decimal(999), "€999", f"999{NBSP}€", id="no-separator"),
        pytest.param(
            Decimal("1234567.89"),
            "€1,234,568",
            f"1{NNBSP}234{NNBSP}568{NBSP}€",
            id="millions",
        ),
        pytest.param(Decimal(-1200), "-€1,200", f"-1{NNBSP}200{NBSP}€", id="negative"),
        pytest.param(Decimal("-0.4"), "€0", f"0{NBSP}€", id="rounds-to-zero"),
        pytest.param(12500.5, "€12,501", f"12{NNBSP}501{NBSP}€", id="float"),
        pytest.param(3000, "€3,000", f"3{NNBSP}000{NBSP}€", id="int"),
    ],
)
def test_format_kpi_money(value: KpiValue, en: str, fr: str) -> None:
    assert format_kpi(value, "sum", "en") == en
    assert code_points(format_kpi(value, "sum", "fr")) == code_points(fr)


def test_format_kpi_money_french_code_points() -> None:
    # "12 500 €": 1, 2, NARROW NO-BREAK SPACE, 5, 0, 0, NO-BREAK SPACE, EURO SIGN.
    text = format_kpi(Decimal(12500), "sum", "fr")

    assert code_points(text) == [
        "U+0031",
        "U+0032",
        "U+202F",
        "U+0035",
        "U+0030",
        "U+0030",
        "U+00A0",
        "U+20AC",
    ]


@pytest.mark.parametrize(
    ("value", "en", "fr"),
    [
        pytest.param(50.0, "50%", f"50{NBSP}%", id="50"),
        pytest.param(66.5, "67%", f"67{NBSP}%", id="half-up"),
        pytest.param(200 / 3, "67%", f"67{NBSP}%", id="two-thirds"),
        pytest.param(100 / 3, "33%", f"33{NBSP}%", id="one-third"),
        pytest.param(12.5, "13%", f"13{NBSP}%", id="one-eighth"),
        pytest.param(0.0, "0%", f"0{NBSP}%", id="zero"),
        pytest.param(100.0, "100%", f"100{NBSP}%", id="all"),
    ],
)
def test_format_kpi_rate(value: float, en: str, fr: str) -> None:
    assert format_kpi(value, "rate", "en") == en
    assert code_points(format_kpi(value, "rate", "fr")) == code_points(fr)


@pytest.mark.parametrize("kind", ["count", "sum", "rate"])
@pytest.mark.parametrize("locale", ["en", "fr"])
def test_format_kpi_undefined_is_an_em_dash(kind: KpiKind, locale: Locale) -> None:
    text = format_kpi(None, kind, locale)

    assert code_points(text) == ["U+2014"]


@pytest.mark.parametrize("locale", ["en", "fr"])
def test_format_kpi_counts_are_plain_integers(locale: Locale) -> None:
    assert format_kpi(0, "count", locale) == "0"
    assert format_kpi(42, "count", locale) == "42"
    assert format_kpi(1234, "count", locale) == "1234"


def test_callout_text_is_label_line_break_value() -> None:
    assert callout_text("Signed revenue", "€12,500") == "Signed revenue\n€12,500"


def test_kpi_callout_text_in_both_locales() -> None:
    signed = KPIS["signed_revenue"]
    rate = KPIS["conversion_rate"]

    assert kpi_callout_text(signed, Decimal(12500), "en") == "Signed revenue\n€12,500"
    assert kpi_callout_text(signed, Decimal(12500), "fr") == (
        f"CA signé\n12{NNBSP}500{NBSP}€"
    )
    assert kpi_callout_text(rate, None, "fr") == "Taux de conversion\n\u2014"
    assert kpi_callout_text(KPIS["prospects"], 3, "en") == "Prospects\n3"


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        pytest.param(None, None, id="null"),
        pytest.param(3, 3, id="count"),
        pytest.param(200 / 3, 200 / 3, id="percent"),
        pytest.param(Decimal("12500.00"), 12500, id="whole-euros"),
        pytest.param(Decimal("0.1") + Decimal("0.2"), 0.3, id="cents"),
        pytest.param(
            Decimal("12345678901234567.89"), "12345678901234567.89", id="too-long"
        ),
    ],
)
def test_kpi_json_value(value: KpiValue, expected: object) -> None:
    result = kpi_json_value(value)

    assert result == expected
    assert type(result) is type(expected)


def test_kpi_json_value_prints_money_exactly() -> None:
    # 0.1 + 0.2 prints as 0.3 in JSON, not 0.30000000000000004.
    figures = {"pending_pipeline": Decimal("0.1") + Decimal("0.2"), "rate": None}

    text = json.dumps({key: kpi_json_value(v) for key, v in figures.items()})

    assert text == '{"pending_pipeline": 0.3, "rate": null}'
