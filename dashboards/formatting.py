"""How the board writes its numbers: rates as whole percents (the source prints 96 %),
days and points with one decimal, counts whole; deltas with their sign and unit."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from django.utils.translation import gettext as _

from .choices import Unit
from .kpi import percent

DASH = "—"


def _trim(value: Decimal, places: str = "0.1") -> str:
    text = f"{value.quantize(Decimal(places), rounding=ROUND_HALF_UP)}"
    return text[:-2] if text.endswith(".0") else text


def value(number, unit: str) -> str:
    if number is None:
        return DASH
    number = Decimal(str(number))
    if unit == Unit.RATE:
        return f"{percent(number)}%"
    if unit == Unit.COUNT:
        return f"{number.quantize(Decimal('1'), rounding=ROUND_HALF_UP)}"
    return _trim(number)


def with_unit(number, unit: str) -> str:
    text = value(number, unit)
    if number is None or unit in (Unit.RATE, Unit.COUNT):
        return text
    return f"{text} {Unit(unit).label}"


def delta(number, unit: str) -> str:
    """``+24pp``, ``-27 天``, ``-820``; empty when there is nothing to compare."""
    if number is None:
        return ""
    number = Decimal(str(number))
    sign = "+" if number > 0 else ("−" if number < 0 else "±")
    size = abs(number)
    if unit == Unit.RATE:
        return f"{sign}{_trim(size * 100)}pp"
    if unit == Unit.COUNT:
        return f"{sign}{size.quantize(Decimal('1'), rounding=ROUND_HALF_UP)}"
    return f"{sign}{_trim(size)} {Unit(unit).label}"


def achievement(rate) -> str:
    return DASH if rate is None else f"{percent(Decimal(str(rate)))}%"


def rate(number) -> str:
    return value(number, Unit.RATE)


def chart_number(number, unit: str):
    """A value for a chart: percents for rates, plain numbers otherwise, None stays."""
    if number is None:
        return None
    number = Decimal(str(number))
    if unit == Unit.RATE:
        return float((number * 100).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP))
    return float(number.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP))


def yes_no(flag) -> str:
    if flag is None:
        return DASH
    return _("达标") if flag else _("未达标")


def change_percent(number) -> str:
    if number is None:
        return ""
    number = Decimal(str(number)) * 100
    sign = "+" if number > 0 else ("−" if number < 0 else "±")
    return f"{sign}{_trim(abs(number), '1')}%"
