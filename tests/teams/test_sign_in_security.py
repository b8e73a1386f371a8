"""Sign-in, sign-out, password reset and invitations against guessing, enumeration and
email floods; the client address behind reverse proxies."""

import pytest
from django.contrib.sessions.backends.db import SessionStore
from django.core import mail
from django.db import connection
from django.test import Client, RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from core.client_ip import client_ip
from teams.models import AuditEvent, Invitation
from tests.factories import PASSWORD, UserFactory
from tests.helpers import sign_in

pytestmark = pytest.mark.django_db


# --- the client address ------------------------------------------------------------


def _request(remote="192.0.2.10", forwarded=None):
    extra = {"REMOTE_ADDR": remote}
    if forwarded is not None:
        extra["HTTP_X_FORWARDED_FOR"] = forwarded
    return RequestFactory().get("/", **extra)


def test_x_forwarded_for_is_ignored_unless_proxies_are_trusted(settings):
    settings.NUM_PROXIES = 0
    assert client_ip(_request(forwarded="203.0.113.9")) == "192.0.2.10"


def test_only_the_trusted_hops_of_x_forwarded_for_count(settings):
    settings.NUM_PROXIES = 1
    # The client wrote "1.2.3.4" itself; our one proxy appended what it saw.
    assert client_ip(_request(forwarded="1.2.3.4, 203.0.113.9")) == "203.0.113.9"
    settings.NUM_PROXIES = 2
    assert client_ip(_request(forwarded="1.2.3.4, 203.0.113.9, 10.0.0.2")) == "203.0.113.9"
    # Fewer hops than proxies, or garbage: the proxy's own address, never the header.
    assert client_ip(_request(forwarded="203.0.113.9")) == "192.0.2.10"
    settings.NUM_PROXIES = 1
    assert client_ip(_request(forwarded="not-an-address")) == "192.0.2.10"
    assert client_ip(_request(forwarded="")) == "192.0.2.10"


# --- lockout -------------------------------------------------------------------------


def test_repeated_failures_from_one_address_lock_that_address(settings):
    """One password tried on many accounts: the address is locked, other addresses not."""
    UserFactory(email="lena@example.com")
    attacker = Client(REMOTE_ADDR="198.51.100.7")
    for n in range(settings.AXES_FAILURE_LIMIT):
        sign_in(attacker, f"victim{n}@example.com", "Summer2026!")
    response = sign_in(attacker, "lena@example.com", PASSWORD)
    assert response.status_code == 429
    assert "_auth_user_id" not in attacker.session
    # Lena, from her own address, is not affected.
    assert (
        sign_in(Client(REMOTE_ADDR="203.0.113.20"), "lena@example.com", PASSWORD).status_code == 302
    )


def test_spoofed_forwarded_for_does_not_dodge_the_address_lockout(settings):
    settings.NUM_PROXIES = 0
    UserFactory(email="lena@example.com")
    attacker = Client(REMOTE_ADDR="198.51.100.7")
    for n in range(settings.AXES_FAILURE_LIMIT):
        sign_in(attacker, f"victim{n}@example.com", "x", HTTP_X_FORWARDED_FOR=f"10.9.9.{n}")
    response = sign_in(attacker, "lena@example.com", PASSWORD, HTTP_X_FORWARDED_FOR="10.9.9.99")
    assert response.status_code == 429


def test_behind_a_proxy_each_client_is_counted_and_audited_on_its_own(settings):
    settings.NUM_PROXIES = 1
    UserFactory(email="lena@example.com")
    proxy = {"REMOTE_ADDR": "10.0.0.2"}
    attacker = Client(**proxy, HTTP_X_FORWARDED_FOR="198.51.100.7")
    for n in range(settings.AXES_FAILURE_LIMIT):
        sign_in(attacker, f"victim{n}@example.com", "x")
    assert sign_in(attacker, "lena@example.com", PASSWORD).status_code == 429
    # Another visitor through the same proxy still signs in.
    lena = Client(**proxy, HTTP_X_FORWARDED_FOR="1.1.1.1, 203.0.113.20")
    assert sign_in(lena, "lena@example.com", PASSWORD).status_code == 302
    addresses = set(AuditEvent.objects.values_list("ip_address", flat=True))
    assert addresses == {"198.51.100.7", "203.0.113.20"}


def test_signing_in_to_ones_own_account_does_not_reset_the_address_count(settings):
    UserFactory(email="mallory@example.com")
    attacker = Client(REMOTE_ADDR="198.51.100.7")
    for n in range(settings.AXES_FAILURE_LIMIT):
        sign_in(attacker, f"victim{n}@example.com", "x")
        sign_in(attacker, "mallory@example.com", PASSWORD)
        attacker.post(reverse("logout"))
    assert sign_in(attacker, "victim9@example.com", "x").status_code == 429


def test_the_lockout_cools_off(settings):
    from datetime import timedelta

    from axes.models import AccessAttempt
    from django.db.models import F

    UserFactory(email="lena@example.com")
    client = Client(REMOTE_ADDR="198.51.100.7")
    for _ in range(settings.AXES_FAILURE_LIMIT):
        sign_in(client, "lena@example.com", "wrong")
    assert sign_in(client, "lena@example.com", PASSWORD).status_code == 429
    # The cool-off passes.
    AccessAttempt.objects.update(
        attempt_time=F("attempt_time") - timedelta(hours=settings.AXES_COOLOFF_TIME, minutes=1)
    )
    assert sign_in(client, "lena@example.com", PASSWORD).status_code == 302


# --- no account enumeration ------------------------------------------------------------


def test_unknown_account_and_wrong_password_answer_the_same_and_both_hash(monkeypatch):
    """Same status, same page, and the password hasher runs for an unknown address too
    (Django's ModelBackend hashes a dummy password), so timing does not tell them apart."""
    from django.contrib.auth.hashers import MD5PasswordHasher

    UserFactory(email="lena@example.com")
    calls = []
    original = MD5PasswordHasher.encode

    def counting(self, password, salt):
        calls.append(password)
        return original(self, password, salt)

    monkeypatch.setattr(MD5PasswordHasher, "encode", counting)
    pages = {}
    for email in ("lena@example.com", "nobody@example.com"):
        calls.clear()
        response = sign_in(Client(), email, "wrong-password")
        pages[email] = (response.status_code, len(calls))
        body = response.content.decode()
        assert "That email and password do not match" in body
    assert pages["lena@example.com"] == pages["nobody@example.com"] == (200, 1)


def test_password_reset_does_the_same_work_for_known_and_unknown_addresses(
    django_capture_on_commit_callbacks,
):
    """The request only counts the attempt and writes one outbox row (its send task is
    published on commit); the worker decides whether there is anyone to email."""
    UserFactory(email="lena@example.com")
    work = {}
    for email in ("lena@example.com", "nobody@example.com"):
        with (
            CaptureQueriesContext(connection) as queries,
            django_capture_on_commit_callbacks(execute=False) as callbacks,
        ):
            response = Client().post(reverse("password_reset"), {"email": email}, follow=True)
        page = response.content.decode()
        work[email] = (response.status_code, response.redirect_chain, len(queries), len(callbacks))
        assert "If an account uses that address" in page
    assert work["lena@example.com"] == work["nobody@example.com"]
    assert work["lena@example.com"][3] == 1


def test_password_reset_emails_are_rate_limited_per_address_and_per_email(
    settings, django_capture_on_commit_callbacks
):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "password_reset_email": (2, 3600)}
    UserFactory(email="lena@example.com")
    client = Client(REMOTE_ADDR="198.51.100.7")
    with django_capture_on_commit_callbacks(execute=True):
        answers = [
            client.post(reverse("password_reset"), {"email": "Lena@example.com"}) for _ in range(4)
        ]
    # The same answer every time: being limited tells nothing either.
    assert {(a.status_code, a["Location"]) for a in answers} == {
        (302, reverse("password_reset_done"))
    }
    assert len(mail.outbox) == 2
    # Per client address: many addresses asked from one place.
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "password_reset_address": (3, 3600)}
    mail.outbox.clear()
    UserFactory(email="kim@example.com")
    other = Client(REMOTE_ADDR="198.51.100.8")
    with django_capture_on_commit_callbacks(execute=True):
        for n in range(3):
            other.post(reverse("password_reset"), {"email": f"someone{n}@example.com"})
        answer = other.post(reverse("password_reset"), {"email": "kim@example.com"})
    assert answer.status_code == 302 and mail.outbox == []
    # From elsewhere Kim still gets her link.
    with django_capture_on_commit_callbacks(execute=True):
        Client(REMOTE_ADDR="203.0.113.5").post(
            reverse("password_reset"), {"email": "kim@example.com"}
        )
    assert [m.to for m in mail.outbox] == [["kim@example.com"]]


def test_invitations_are_rate_limited_with_a_clear_message(settings, client_for, lead, team):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "invitation_address": (2, 3600)}
    client = client_for(lead)
    url = reverse("teams:members", args=[team.slug])
    for n in range(2):
        assert client.post(url, {"email": f"p{n}@example.com", "role": "member"}).status_code == 302
    sent = len(mail.outbox)
    response = client.post(url, {"email": "p9@example.com", "role": "member"})
    assert response.status_code == 429
    assert "Too many invitations" in response.content.decode()
    assert len(mail.outbox) == sent
    assert not Invitation.objects.filter(email="p9@example.com").exists()


def test_one_address_cannot_be_invited_over_and_over(settings, client_for, lead, leader, team):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "invitation_email": (1, 86400)}
    url = reverse("teams:members", args=[team.slug])
    assert (
        client_for(lead).post(url, {"email": "p@example.com", "role": "member"}).status_code == 302
    )
    # Another inviter, another address: still the same recipient.
    again = client_for(leader, REMOTE_ADDR="203.0.113.5")
    response = again.post(url, {"email": "P@example.com", "role": "member"})
    assert response.status_code == 429
    assert Invitation.objects.filter(email="p@example.com").count() == 1


# --- sessions ------------------------------------------------------------------------


def test_signing_in_starts_a_new_session_and_signing_out_ends_it():
    UserFactory(email="lena@example.com")
    client = Client()
    session = client.session
    session["planted"] = "by someone else"
    session.save()
    before = session.session_key
    client.cookies["sessionid"] = before
    assert sign_in(client, "lena@example.com", PASSWORD).status_code == 302
    signed_in = client.session.session_key
    assert signed_in != before
    assert not SessionStore().exists(before)
    assert client.get(reverse("home")).status_code == 200

    assert client.post(reverse("logout")).status_code == 302
    assert not SessionStore().exists(signed_in)
    # Replaying the old cookie does not bring the session back.
    replay = Client()
    replay.cookies["sessionid"] = signed_in
    assert replay.get(reverse("home")).status_code == 302


def test_every_spelling_of_an_address_counts_against_the_same_lockout(settings):
    """Failures are counted per address as stored: seven spellings are not seven times
    five guesses, and a locked account stays locked whatever case is typed."""
    UserFactory(email="member@example.com")
    spellings = [
        "member@example.com",
        "MEMBER@EXAMPLE.COM",
        " Member@Example.com ",
        "mEmBeR@example.COM",
    ]
    for n in range(settings.AXES_FAILURE_LIMIT):
        client = Client(REMOTE_ADDR=f"198.51.100.{n + 1}")  # a new address each time
        assert sign_in(client, spellings[n % len(spellings)], "wrong-guess").status_code in (
            200,
            429,
        )
    for spelling in spellings:
        locked = sign_in(Client(REMOTE_ADDR="203.0.113.9"), spelling, PASSWORD)
        assert locked.status_code == 429, spelling


def test_an_address_in_capitals_signs_in_to_its_account():
    UserFactory(email="member@example.com")
    client = Client()
    assert sign_in(client, "  MEMBER@Example.COM", PASSWORD).status_code == 302
    assert "_auth_user_id" in client.session
