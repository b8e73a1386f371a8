from django import template

from core.numbers import plain_number

register = template.Library()


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
