import pytest
from django.test import Client


@pytest.mark.django_db
def test_pages_send_a_csp_with_a_nonce_that_the_scripts_carry(client_for, leader):
    response = client_for(leader).get("/")
    policy = response["Content-Security-Policy"]
    assert "script-src 'self' 'nonce-" in policy
    nonce = policy.split("'nonce-")[1].split("'")[0]
    html = response.content.decode()
    assert f'nonce="{nonce}"' in html
    assert "unsafe-inline" not in policy


@pytest.mark.django_db
def test_htmx_is_served_locally_and_sends_the_csrf_header(client_for, leader):
    html = client_for(leader).get("/").content.decode()
    assert "/static/django_htmx/htmx-2.min.js" in html
    assert 'hx-headers=\'{"X-CSRFToken"' in html
    assert "https://" not in html.split("<body")[0]  # no CDN in <head>


@pytest.mark.django_db
def test_the_page_frame_is_accessible(client_for, leader):
    html = client_for(leader).get("/").content.decode()
    for landmark in ("<header", '<nav aria-label="Main"', '<main id="main"', "<footer"):
        assert landmark in html
    assert 'href="#main"' in html  # skip link
    assert '<html lang="en" dir="ltr">' in html


@pytest.mark.django_db
def test_login_page_is_public_and_labelled():
    html = Client().get("/accounts/login/").content.decode()
    assert '<label for="id_username">Email' in html
    assert '<label for="id_password">Password' in html


@pytest.mark.django_db
def test_the_development_mailbox_shows_sent_mail_to_superusers_only(
    settings, tmp_path, client_for, leader
):
    from django.core.mail import send_mail

    from tests.factories import UserFactory

    settings.DEV_MAILBOX_DIR = str(tmp_path)
    settings.MAILERS = {"default": {"BACKEND": "core.mail.DevMailboxBackend", "OPTIONS": {}}}
    send_mail("Check-in time for Onboarding", "Open the check-in", None, ["mia@example.com"])
    assert len(list(tmp_path.glob("*.eml"))) == 1
    assert client_for(leader).get("/dev/mailbox/").status_code == 403
    admin = UserFactory(email="admin@example.com", superuser=True)
    html = client_for(admin).get("/dev/mailbox/").content.decode()
    assert "Check-in time for Onboarding" in html and "mia@example.com" in html


@pytest.mark.dates  # a time sent at a fixed moment, shown in the app's time zone
@pytest.mark.django_db
def test_the_development_mailbox_links_its_links_and_shows_the_apps_time(
    settings, tmp_path, client_for
):
    import time_machine
    from django.core.mail import send_mail

    from tests.factories import UserFactory

    settings.DEV_MAILBOX_DIR = str(tmp_path)
    settings.TIME_ZONE = "Europe/Amsterdam"
    settings.MAILERS = {"default": {"BACKEND": "core.mail.DevMailboxBackend", "OPTIONS": {}}}
    with time_machine.travel("2026-11-30T08:05:00+00:00", tick=False):
        send_mail(
            "Check-in time",
            "Open it: http://127.0.0.1:8000/teams/onboarding/checkins/ <b>now</b>",
            None,
            ["mia@example.com"],
        )
    admin = UserFactory(email="admin@example.com", superuser=True)
    html = client_for(admin).get("/dev/mailbox/").content.decode()
    assert '<a href="http://127.0.0.1:8000/teams/onboarding/checkins/" rel="nofollow">' in html
    assert "&lt;b&gt;now&lt;/b&gt;" in html  # the rest of the text stays text
    assert "30 Nov 2026, 09:05 CET" in html  # Amsterdam, not UTC
