import re

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse

from teams.access import is_leader
from teams.models import User
from tests.factories import PASSWORD, UserFactory
from tests.helpers import sign_in, signed_in

pytestmark = pytest.mark.django_db


def test_sign_in_with_email_is_case_insensitive():
    UserFactory(email="lena@example.com")
    client = Client()
    response = sign_in(client, "Lena@Example.com", PASSWORD)
    assert response.status_code == 302 and response["Location"] == "/"
    assert client.get("/").status_code == 200


def test_wrong_password_is_explained():
    UserFactory(email="lena@example.com")
    response = sign_in(Client(), "lena@example.com", "wrong")
    assert response.status_code == 200
    assert "That email and password do not match" in response.content.decode()


def test_repeated_failures_lock_the_account(settings):
    UserFactory(email="lena@example.com")
    client = Client()
    for _ in range(settings.AXES_FAILURE_LIMIT):
        sign_in(client, "lena@example.com", "wrong")
    response = sign_in(client, "lena@example.com", PASSWORD)
    assert response.status_code == 429
    assert "Too many failed sign-ins" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_sign_out_requires_post():
    client = signed_in(UserFactory())
    assert client.get(reverse("logout")).status_code == 405
    assert client.post(reverse("logout")).status_code == 302
    assert client.get("/").status_code == 302


def test_password_change():
    user = UserFactory()
    client = signed_in(user)
    response = client.post(
        reverse("password_change"),
        {
            "old_password": PASSWORD,
            "new_password1": "a-new-long-passphrase",
            "new_password2": "a-new-long-passphrase",
        },
    )
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.check_password("a-new-long-passphrase")


def test_password_reset_by_email(settings, django_capture_on_commit_callbacks):
    settings.SITE_URL = "https://okrs.example.com"
    user = UserFactory(email="lena@example.com")
    client = Client()
    # The email is queued for the Celery worker once the request's transaction commits.
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = client.post(reverse("password_reset"), {"email": "lena@example.com"})
    assert len(callbacks) == 1
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["lena@example.com"]
    assert message.subject == "Reset your Lean OKRs password"
    assert message.alternatives  # HTML beside the plain text
    link = re.search(r"https://okrs\.example\.com(/accounts/reset/\S+/)", message.body).group(1)
    form_page = client.get(link, follow=True)
    assert "Choose a new password" in form_page.content.decode()
    client.post(
        form_page.redirect_chain[-1][0],
        {"new_password1": "fresh-long-passphrase", "new_password2": "fresh-long-passphrase"},
    )
    user.refresh_from_db()
    assert user.check_password("fresh-long-passphrase")
    # The link works once.
    assert "no longer works" in client.get(link, follow=True).content.decode()


def test_password_reset_for_unknown_email_sends_nothing_and_says_the_same():
    response = Client().post(reverse("password_reset"), {"email": "nobody@example.com"})
    assert response.status_code == 302
    assert mail.outbox == []


def test_is_leader():
    from django.contrib.auth.models import AnonymousUser

    assert is_leader(UserFactory(is_leader=True))
    assert not is_leader(UserFactory())
    assert not is_leader(UserFactory(is_leader=True, is_active=False))
    assert not is_leader(AnonymousUser())


def test_emails_are_unique_whatever_their_case():
    from django.db import IntegrityError

    UserFactory(email="lena@example.com")
    with pytest.raises(IntegrityError):
        User.objects.create(email="LENA@example.com")


def test_admin_is_for_superusers_only():
    assert signed_in(UserFactory()).get("/admin/").status_code == 302
    admin = UserFactory(email="admin@example.com", superuser=True)
    assert signed_in(admin).get("/admin/teams/user/").status_code == 200
