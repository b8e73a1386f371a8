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


def json_number(value: Decimal | None) -> float | int | None:
    """A stored number for a JSON export: 3 rather than 3.0000, 2.5 as 2.5."""
    if value is None:
        return None
    return int(value) if value == value.to_integral_value() else float(value)
