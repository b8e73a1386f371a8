"""Dates as the app writes them in Dutch: "30 nov 2026" (the templates name these)."""

DATE_FORMAT = "j b Y"
DATETIME_FORMAT = "j b Y, H:i"
MONTH_DAY_FORMAT = "j b"
SHORT_DATETIME_FORMAT = "j b, H:i"
