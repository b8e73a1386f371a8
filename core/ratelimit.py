"""Counting attempts per client address or per email address in Django's cache.

A fixed window per key: the first attempt starts it, and once more than the limit have
been counted inside it, the action is refused until the window ends. The cache is
CACHE_URL (Redis in production, so every web process shares the counts).
"""

import hashlib
import math
import time

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


def wait_seconds(name: str, key: str) -> int:
    """Count one request under limit `name` for `key` in a window aligned to the clock
    (every client's window of a minute starts on the minute); 0 while within the limit,
    else the seconds until the window ends (for `Retry-After`)."""
    limit, window = settings.RATE_LIMITS[name]
    now = time.time()
    start = int(now // window) * window
    digest = hashlib.sha256(key.encode()).hexdigest()
    cache_key = f"ratelimit:{name}:{digest}:{start}"
    cache.add(cache_key, 0, timeout=window + 1)
    try:
        count = cache.incr(cache_key)
    except ValueError:  # evicted between add and incr
        cache.set(cache_key, 1, timeout=window + 1)
        count = 1
    if count <= limit:
        return 0
    return max(1, math.ceil(start + window - now))
