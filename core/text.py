"""Text typed into searches and filters, made safe to query with."""

import unicodedata


def search_text(raw: str | None, *, limit: int = 100) -> str:
    """What a search box or filter holds, without control characters (NUL and the like,
    which PostgreSQL refuses and nobody types on purpose), trimmed to `limit`."""
    text = "".join(ch for ch in (raw or "") if unicodedata.category(ch) != "Cc")
    return text.strip()[:limit]
