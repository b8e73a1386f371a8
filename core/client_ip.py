"""The visitor's address, for the sign-in lockout and the audit log.

X-Forwarded-For is trusted only as far as NUM_PROXIES says: each reverse proxy in
front of the app appends the address it saw, so with n proxies the client is the n-th
address from the right. Anything further left was written by the client and may be a
lie. With NUM_PROXIES = 0 (the default) the header is ignored entirely.
"""

import ipaddress

from django.conf import settings
from django.http import HttpRequest


def _valid(address: str) -> str | None:
    try:
        return str(ipaddress.ip_address(address.strip()))
    except ValueError:
        return None


def client_ip(request: HttpRequest) -> str | None:
    """The client's address as the outermost trusted proxy saw it (REMOTE_ADDR without
    proxies, or when the header does not hold enough hops)."""
    remote = _valid(request.META.get("REMOTE_ADDR", "") or "")
    hops = settings.NUM_PROXIES
    if hops <= 0:
        return remote
    forwarded = [
        part for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if part.strip()
    ]
    if len(forwarded) < hops:
        return remote
    return _valid(forwarded[-hops]) or remote
