"""Numbers as people read them and as exports write them."""

from decimal import Decimal

from django.utils.formats import number_format


def plain_number(value: Decimal | int | float | None) -> str:
    """21.5000 → "21.5", 100.0000 → "100" (never "1E+2")."""
    if value is None or value == "":
        return ""
    if not isinstance(value, Decimal):
        value = Decimal(str(value))
    text = format(value.normalize(), "f")
    return "0" if text in ("-0", "") else text


def json_number(value: Decimal | None) -> float | int | None:
    """A stored number for a JSON export: 3 rather than 3.0000, 2.5 as 2.5."""
    if value is None:
        return None
    return int(value) if value == value.to_integral_value() else float(value)


def local_number(value: Decimal | int | float | None) -> str:
    """A number as the reader's language writes it, grouped: 1,234.5 in English,
    1.234,5 in Dutch and German (plain_number's digits, never rounded)."""
    text = plain_number(value)
    if not text:
        return ""
    return number_format(Decimal(text), force_grouping=True)
