from decimal import Decimal

from django import template

register = template.Library()


def plain_number(value: Decimal | int | float | None) -> str:
    """21.5000 → "21.5", 100.0000 → "100" (never "1E+2")."""
    if value is None or value == "":
        return ""
    if not isinstance(value, Decimal):
        value = Decimal(str(value))
    text = format(value.normalize(), "f")
    return "0" if text in ("-0", "") else text


register.filter("number", plain_number)


FIELD_NAMES = {
    "start_value": "start",
    "target_value": "target",
    "current_value": "current",
    "aligned_to": "company key result",
    "context": "why",
}


@register.filter
def humanize_field(name: str) -> str:
    return FIELD_NAMES.get(name, name.replace("_", " "))
