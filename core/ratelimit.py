"""Counting attempts per client address or per email address in Django's cache.

A fixed window per key: the first attempt starts it, and once more than the limit have
been counted inside it, the action is refused until the window ends. The cache is
CACHE_URL (Redis in production, so every web process shares the counts).
"""

import hashlib

from django.conf import settings
from django.core.cache import cache


def _count(name: str, key: str) -> bool:
    """Count one attempt; True when it is over the limit."""
    limit, window = settings.RATE_LIMITS[name]
    digest = hashlib.sha256(key.strip().lower().encode()).hexdigest()
    cache_key = f"ratelimit:{name}:{digest}"
    cache.add(cache_key, 0, timeout=window)
    try:
        count = cache.incr(cache_key)
    except ValueError:  # the window ended between add and incr
        cache.set(cache_key, 1, timeout=window)
        count = 1
    return count > limit


def rate_limited(**keys: str | None) -> bool:
    """Count one attempt under every named limit (`password_reset_address="10.0.0.1"`);
    True when any of them is over. Every limit counts, so a refusal costs the same."""
    results = [_count(name, key) for name, key in keys.items() if key]
    return any(results)
