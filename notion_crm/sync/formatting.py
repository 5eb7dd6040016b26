"""Text and JSON forms of the dashboard's figures (product contract, §1 and §2).

A callout reads ``label``, a line break, then the value: counts as integers, money
rounded half up to the euro (``€12,500`` in en, ``12 500 €`` in fr), the conversion
rate rounded half up to a whole percent (``50%``, ``50 %``), ``—`` when undefined.
The French forms use Unicode's no-break spaces so that a figure never wraps: U+202F
between thousands, U+00A0 before ``€`` and ``%``. Pure functions, no locale module:
the output must not depend on the machine's settings.
"""

from __future__ import annotations

from decimal import MAX_PREC, ROUND_HALF_UP, Context, Decimal
from typing import Literal

from notion_crm.schema.model import KpiSpec, Locale
from notion_crm.sync.kpis import KpiValue

UNDEFINED = "\u2014"
"""EM DASH, shown for a figure that has no value (a rate with nothing closed)."""

NARROW_NBSP = "\u202f"
"""NARROW NO-BREAK SPACE, the French thousands separator."""

NBSP = "\u00a0"
"""NO-BREAK SPACE, before ``€`` and ``%`` in French."""

_THOUSANDS: dict[Locale, str] = {"en": ",", "fr": NARROW_NBSP}
_ONE = Decimal(1)
_EXACT = Context(prec=MAX_PREC)
"""Decimal context for rounding: any amount, however long, rounds without error."""


def format_kpi(
    value: KpiValue, kind: Literal["count", "sum", "rate"], locale: Locale
) -> str:
    """The text of a figure in a callout, per the kind of its KPI and the locale."""
    if value is None:
        return UNDEFINED
    if kind == "count":
        return str(int(value))
    if kind == "sum":
        return format_money(value, locale)
    return format_percent(value, locale)


def format_money(value: int | Decimal | float, locale: Locale) -> str:
    """Euros rounded half up to the unit: ``€12,500`` / ``12 500 €``, ``-€1,200``."""
    euros = _round_half_up(value)
    sign = "-" if euros < 0 else ""
    digits = _group(abs(euros), _THOUSANDS[locale])
    if locale == "en":
        return f"{sign}€{digits}"
    return f"{sign}{digits}{NBSP}€"


def format_percent(value: int | Decimal | float, locale: Locale) -> str:
    """A percent rounded half up to an integer: ``67%`` / ``67 %``."""
    percent = _round_half_up(value)
    if locale == "en":
        return f"{percent}%"
    return f"{percent}{NBSP}%"


def callout_text(label: str, value_text: str) -> str:
    """A callout's whole text: the label, a line break, then the value."""
    return f"{label}\n{value_text}"


def kpi_callout_text(spec: KpiSpec, value: KpiValue, locale: Locale) -> str:
    """The callout text of one KPI in one locale, label included."""
    return callout_text(spec.label(locale), format_kpi(value, spec.kind, locale))


def kpi_json_value(value: KpiValue) -> int | float | str | None:
    """A figure as ``sync --json`` prints it, never losing a digit.

    Counts stay ints and percents floats; None stays None (JSON null). Money is an
    int when it is a whole number of euros, else a float when the float prints back
    as exactly the same decimal (true of any amount up to 15 significant digits),
    else the decimal's string, so that no JSON reader is handed a rounded amount.
    """
    if value is None or isinstance(value, int | float):
        return value
    if value == value.to_integral_value():
        return int(value)

    approximation = float(value)
    if Decimal(repr(approximation)) == value:
        return approximation
    return str(value)


def _round_half_up(value: int | Decimal | float) -> int:
    # A float goes through its shortest repr, the number a person would read:
    # 66.5 is exact in binary, and 2.675 stays 2.675 rather than 2.67499999...
    exact = value if isinstance(value, Decimal) else Decimal(repr(value))
    return int(exact.quantize(_ONE, rounding=ROUND_HALF_UP, context=_EXACT))


def _group(number: int, separator: str) -> str:
    return f"{number:,}".replace(",", separator)
