"""Where webhooks may not go: checked when saved and again at delivery, after DNS."""

import ipaddress
import socket

import pytest

from webhooks.safety import UnsafeURL, check_url, pinned_target


@pytest.fixture
def dns(monkeypatch):
    """Names resolve to what the test says (and only those)."""
    table: dict[str, list[str]] = {}
    real = socket.getaddrinfo

    def getaddrinfo(host, port, *args, **kwargs):
        if host in table:
            return [
                (
                    socket.AF_INET6 if ":" in a else socket.AF_INET,
                    socket.SOCK_STREAM,
                    6,
                    "",
                    (a, port),
                )
                for a in table[host]
            ]
        if host.replace(".", "").isdigit() or ":" in host:
            return real(host, port, *args, **kwargs)
        raise socket.gaierror(socket.EAI_NONAME, "unknown name")

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    return table


PRIVATE = [
    "https://127.0.0.1/hook",
    "https://10.1.2.3/hook",
    "https://172.16.0.1/hook",
    "https://192.168.1.10/hook",
    "https://169.254.169.254/latest/meta-data/",
    "https://[::1]/hook",
    "https://[fd00::1]/hook",
    "https://[fe80::1]/hook",
    "https://[::ffff:127.0.0.1]/hook",
    "https://0.0.0.0/hook",
    "https://100.64.0.1/hook",
    "https://224.0.0.1/hook",
]


@pytest.mark.parametrize("url", PRIVATE)
def test_private_loopback_and_link_local_addresses_are_refused(url, settings):
    settings.WEBHOOK_ALLOWED_HOSTS = []
    with pytest.raises(UnsafeURL, match="public addresses"):
        check_url(url)
    with pytest.raises(UnsafeURL):
        pinned_target(url)


def test_a_name_resolving_to_a_private_address_is_refused(dns, settings):
    settings.WEBHOOK_ALLOWED_HOSTS = []
    dns["internal.example.com"] = ["93.184.215.14", "10.0.0.5"]  # one bad one is enough
    with pytest.raises(UnsafeURL, match="internal.example.com"):
        check_url("https://internal.example.com/hook")


def test_a_name_that_does_not_resolve_is_refused(dns):
    with pytest.raises(UnsafeURL, match="does not resolve"):
        check_url("https://nowhere.example.com/hook")


def test_a_public_name_is_pinned_to_the_address_that_was_checked(dns):
    dns["hooks.example.com"] = ["93.184.215.14"]
    target = pinned_target("https://hooks.example.com:8443/in?x=1")
    assert target.url == "https://93.184.215.14:8443/in?x=1"
    assert target.host_header == "hooks.example.com:8443"
    assert target.server_name == "hooks.example.com"  # the certificate must be the name's
    assert target.address == ipaddress.ip_address("93.184.215.14")


def test_dns_rebinding_after_saving_is_caught_at_delivery(dns, settings):
    settings.WEBHOOK_ALLOWED_HOSTS = []
    dns["rebind.example.com"] = ["93.184.215.14"]
    check_url("https://rebind.example.com/hook")  # fine when saved
    dns["rebind.example.com"] = ["127.0.0.1"]
    with pytest.raises(UnsafeURL, match="public addresses"):
        pinned_target("https://rebind.example.com/hook")


def test_production_wants_https(settings):
    settings.DEBUG = False
    settings.WEBHOOK_ALLOWED_HOSTS = []
    with pytest.raises(UnsafeURL, match="https"):
        check_url("http://93.184.215.14/hook")
    check_url("https://93.184.215.14/hook")


@pytest.mark.parametrize(
    "url", ["ftp://93.184.215.14/x", "https:///nohost", "https://user:pw@93.184.215.14/"]
)
def test_odd_urls_are_refused(url):
    with pytest.raises(UnsafeURL):
        check_url(url)


def test_the_setting_allows_listed_hosts_only(settings):
    settings.DEBUG = False
    settings.WEBHOOK_ALLOWED_HOSTS = ["127.0.0.1"]
    check_url("http://127.0.0.1:8123/hook")
    with pytest.raises(UnsafeURL):
        check_url("http://127.0.0.2:8123/hook")
