"""Dates as the app writes them in German: "30. Nov 2026" (the templates name these)."""

DATE_FORMAT = "j. M Y"
DATETIME_FORMAT = "j. M Y, H:i"
MONTH_DAY_FORMAT = "j. M"
SHORT_DATETIME_FORMAT = "j. M, H:i"
