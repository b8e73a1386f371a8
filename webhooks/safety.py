"""Where a webhook may go: https (in production), and never to a private, loopback,
link-local or otherwise non-public address, unless its host is listed in
`WEBHOOK_ALLOWED_HOSTS` (development and tests).

Checked when an endpoint is saved (`check_url`) and again at each delivery
(`pinned_target`): the name is resolved, every address it resolves to must be public, and
the request then goes to the address that was checked (the URL's host becomes the
`Host` header and the TLS server name), so a name that resolves elsewhere a moment later
(DNS rebinding) cannot slip through.
"""

import ipaddress
import socket
from dataclasses import dataclass
from urllib.parse import urlsplit, urlunsplit

from django.conf import settings
from django.utils.translation import gettext as _

Address = ipaddress.IPv4Address | ipaddress.IPv6Address


class UnsafeURL(ValueError):
    """A URL no webhook may be sent to; the message says why, for the person."""


@dataclass(frozen=True)
class Target:
    url: str  # the URL with the checked address in place of the name
    host_header: str
    server_name: str | None  # for TLS: the certificate must be the name's
    address: Address


def _allowed(host: str) -> bool:
    return host.lower() in {h.lower() for h in settings.WEBHOOK_ALLOWED_HOSTS}


def is_public(address: Address) -> bool:
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
        address = address.ipv4_mapped
    return address.is_global and not address.is_multicast


def resolve(host: str, port: int) -> list[Address]:
    """Every address the name resolves to (an address literal: itself)."""
    try:
        return [ipaddress.ip_address(host)]
    except ValueError:
        pass
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError) as error:
        raise UnsafeURL(_("The host name %(host)s does not resolve.") % {"host": host}) from error
    return list(dict.fromkeys(ipaddress.ip_address(info[4][0].split("%")[0]) for info in infos))


def _parts(url: str):
    parts = urlsplit(url)
    host = parts.hostname
    if parts.scheme not in ("http", "https") or not host:
        raise UnsafeURL(_("Give a full web address starting with https://."))
    if parts.username or parts.password:
        raise UnsafeURL(_("A webhook address must not hold a user name or password."))
    if parts.scheme != "https" and not (settings.DEBUG or _allowed(host)):
        raise UnsafeURL(_("A webhook address must start with https://."))
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError as error:
        raise UnsafeURL(_("The port of this address is not a number we can use.")) from error
    return parts, host, port


def _checked_addresses(host: str, port: int) -> list[Address]:
    addresses = resolve(host, port)
    if not addresses:
        raise UnsafeURL(_("The host name %(host)s does not resolve.") % {"host": host})
    if not _allowed(host) and not all(is_public(a) for a in addresses):
        raise UnsafeURL(
            _(
                "Webhooks are only sent to public addresses: %(host)s is a private, "
                "loopback or link-local address, or resolves to one."
            )
            % {"host": host}
        )
    return addresses


def check_url(url: str) -> None:
    """Raise UnsafeURL (with the reason) unless a webhook may be sent to `url` now."""
    _, host, port = _parts(url)
    _checked_addresses(host, port)


def pinned_target(url: str) -> Target:
    """The checked address to send to, resolved now (raises UnsafeURL)."""
    parts, host, port = _parts(url)
    address = _checked_addresses(host, port)[0]
    literal = f"[{address}]" if address.version == 6 else str(address)
    default_port = 443 if parts.scheme == "https" else 80
    netloc = literal if port == default_port else f"{literal}:{port}"
    host_header = host if port == default_port else f"{host}:{port}"
    if ":" in host and not host.startswith("["):
        host_header = f"[{host}]" if port == default_port else f"[{host}]:{port}"
    return Target(
        url=urlunsplit((parts.scheme, netloc, parts.path or "/", parts.query, "")),
        host_header=host_header,
        server_name=host if parts.scheme == "https" else None,
        address=address,
    )
