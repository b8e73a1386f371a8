from decimal import ROUND_HALF_UP, Decimal

from django import template
from django.utils.translation import gettext_lazy

from core.numbers import local_number, plain_number

register = template.Library()


# "number" as the reader's language writes it (1.234,5 in Dutch); "plain" for form values.
register.filter("number", local_number)
register.filter("plain", plain_number)


def _decimals(value: Decimal) -> int:
    return max(-value.normalize().as_tuple().exponent, 0)


@register.filter
def kr_number(value, key_result) -> str:
    """A number about a key result written as precisely as the key result's own numbers
    (its start, target and current value): a pace of 34.1333 on a key result from 18 %
    to 40 % reads 34, on one from 9 to 4 days now at 8.5 it reads 5.3."""
    if value is None or value == "":
        return ""
    own = (key_result.start_value, key_result.target_value, key_result.current_value)
    places = max(_decimals(Decimal(n)) for n in own if n is not None)
    rounded = Decimal(value).quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
    return local_number(rounded)


FIELD_NAMES = {
    "start_value": "start",
    "target_value": "target",
    "current_value": "current",
    "aligned_to": gettext_lazy("company key result"),
    "context": "why",
}


@register.filter
def humanize_field(name: str) -> str:
    return FIELD_NAMES.get(name, name.replace("_", " "))
