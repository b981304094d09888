"""Template filters of the inspection pages."""

from decimal import Decimal, InvalidOperation

from django import template

register = template.Library()


@register.filter
def num(value) -> str:
    """A stored decimal as people write it: 45.00 → 45, 3.20 → 3.2, None → —."""
    if value is None or value == "":
        return "—"
    try:
        number = Decimal(str(value))
    except (InvalidOperation, ValueError):
        return str(value)
    text = f"{number.normalize():f}"
    return text
