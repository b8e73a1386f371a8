"""Numbers as people read them and as exports write them."""

from decimal import Decimal


def plain_number(value: Decimal | int | float | None) -> str:
    """21.5000 → "21.5", 100.0000 → "100" (never "1E+2")."""
    if value is None or value == "":
        return ""
    if not isinstance(value, Decimal):
        value = Decimal(str(value))
    text = format(value.normalize(), "f")
    return "0" if text in ("-0", "") else text
