"""The sign-in page with and without single sign-on, leaders requiring it (the password
form gone but for the break-glass addresses, django-axes still counting), the invitation
page under that rule, and deactivation ending a person's sessions. No provider needed:
nothing here talks to it."""

import pytest
from django.contrib.sessions.models import Session
from django.test import Client

from teams.models import AuditEvent, Invitation, Membership, SignInPolicy, User
from tests.factories import PASSWORD, UserFactory
from tests.helpers import sign_in, signed_in

pytestmark = pytest.mark.django_db

LABEL = "Sign in with Acme SSO"


@pytest.fixture
def configured(settings):
    settings.OIDC_ISSUER = "https://idp.test/realms/acme"
    settings.OIDC_CLIENT_ID, settings.OIDC_CLIENT_SECRET = "lean-okrs", "s3cret"
    settings.OIDC_ENABLED = True
    settings.OIDC_BUTTON_LABEL = LABEL
    settings.SSO_BREAK_GLASS_EMAILS = ["admin@example.com"]
    return settings


@pytest.fixture
def required(configured, leader):
    SignInPolicy.objects.create(sso_required=True, changed_by=leader)
    return configured


def test_without_oidc_the_sign_in_page_is_as_before(client):
    page = client.get("/accounts/login/").content.decode()
    assert 'name="password"' in page and "Forgot your password?" in page
    assert "sso-sign-in" not in page and "/accounts/sso/start/" not in page


def test_without_oidc_the_sso_urls_send_to_the_password_form(client):
    for path in ("/accounts/sso/start/", "/accounts/sso/callback/?code=x&state=y"):
        response = client.get(path)
        assert response.status_code == 302 and response["Location"] == "/accounts/login/"


def test_a_policy_left_on_without_oidc_locks_nobody_out(client, leader):
    SignInPolicy.objects.create(sso_required=True)
    UserFactory(email="ada@example.com")
    assert sign_in(client, "ada@example.com", PASSWORD).status_code == 302


def test_with_oidc_the_button_stands_beside_the_password_form(client, configured):
    page = client.get("/accounts/login/?next=/teams/").content.decode()
    assert LABEL in page and 'href="/accounts/sso/start/?next=/teams/"' in page
    assert 'name="password"' in page


def test_sso_required_hides_the_password_form(client, required):
    page = client.get("/accounts/login/").content.decode()
    assert LABEL in page
    assert 'name="password"' not in page and "Forgot your password?" not in page
    assert "?password=1" in page  # the administrators' way in


def test_sso_required_refuses_passwords_but_for_break_glass(required):
    UserFactory(email="ada@example.com")
    UserFactory(email="admin@example.com", is_staff=True)
    ada = Client()
    response = sign_in(ada, "ada@example.com", PASSWORD)
    assert response.status_code == 200
    assert "single sign-on" in response.content.decode()
    assert "_auth_user_id" not in ada.session
    admin = Client()
    page = admin.get("/accounts/login/?password=1").content.decode()
    assert 'name="password"' in page
    assert sign_in(admin, "Admin@Example.com", PASSWORD).status_code == 302
    assert admin.session["_auth_user_id"] == str(User.objects.get(email="admin@example.com").pk)


def test_the_break_glass_form_is_still_guarded_by_axes(required, settings):
    UserFactory(email="admin@example.com")
    attacker = Client(REMOTE_ADDR="198.51.100.7")
    assert sign_in(attacker, "admin@example.com", "wrong-guess").status_code == 200
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        sign_in(attacker, "admin@example.com", "wrong-guess")
    assert sign_in(attacker, "admin@example.com", PASSWORD).status_code == 429
    assert "_auth_user_id" not in attacker.session


def test_leaders_require_sso_and_it_is_audited(configured, leader):
    client = signed_in(leader)
    page = client.get("/settings/sign-in/").content.decode()
    assert LABEL in page and "admin@example.com" in page
    response = client.post("/settings/sign-in/", {"sso_required": "on"})
    assert response.status_code == 302
    assert SignInPolicy.objects.get().sso_required
    event = AuditEvent.objects.get(action=AuditEvent.Action.SIGN_IN_POLICY)
    assert event.actor == leader and "required" in event.subject
    response = client.post("/settings/sign-in/", {})
    assert response.status_code == 302, response.content.decode()[:2000]
    assert not SignInPolicy.objects.get().sso_required


def test_sso_cannot_be_required_when_it_is_not_configured(leader):
    client = signed_in(leader)
    response = client.post("/settings/sign-in/", {"sso_required": "on"})
    assert response.status_code == 422
    assert "not configured" in response.content.decode()
    assert not SignInPolicy.objects.filter(sso_required=True).exists()
    assert not AuditEvent.objects.filter(action=AuditEvent.Action.SIGN_IN_POLICY).exists()


def test_under_sso_an_invitation_sends_to_the_provider(required, team, lead):
    from teams.invitations import invitation_token

    invitation = Invitation.objects.create(
        team=team, email="new@example.com", invited_by=lead, expires_at="2999-01-01T00:00:00Z"
    )
    path = f"/invitations/{invitation_token(invitation)}/"
    page = Client().get(path).content.decode()
    assert LABEL in page and "/accounts/sso/start/" in page and 'name="password"' not in page
    response = Client().post(
        path, {"name": "New", "password": "a-long-pass-1", "password_again": "a-long-pass-1"}
    )
    assert response.status_code == 403
    assert not User.objects.filter(email="new@example.com").exists()
    assert not Membership.objects.filter(team=team, user__email="new@example.com").exists()


def test_deactivating_a_person_ends_their_sessions(member, leader):
    phone, laptop, other = signed_in(member), signed_in(member), signed_in(leader)
    assert phone.get("/").status_code == 200
    assert Session.objects.count() == 3
    member.is_active = False
    member.save()
    assert Session.objects.count() == 1
    for client in (phone, laptop):
        response = client.get("/")
        assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")
    assert other.get("/").status_code == 200
    event = AuditEvent.objects.get(action=AuditEvent.Action.DEACTIVATED)
    assert member.email in event.subject and "2 session(s)" in event.subject


def test_deactivating_through_the_admin_ends_the_sessions(member, db):
    admin = UserFactory(email="root@example.com", is_staff=True, is_superuser=True)
    session = signed_in(member)
    response = signed_in(admin).post(
        f"/admin/teams/user/{member.pk}/change/",
        {
            "email": member.email,
            "name": member.name,
            "time_zone": member.time_zone,
            "is_active": "",
            "date_joined_0": "2026-01-01",
            "date_joined_1": "10:00:00",
        },
    )
    member.refresh_from_db()
    if member.is_active:  # the admin form asks for more fields than these
        pytest.fail(f"the admin did not deactivate: {response.status_code}")
    # Ended in the store, not only refused at the next request (which Django's backend
    # does for an inactive account by itself)
    assert not Session.objects.filter(session_key=session.session.session_key).exists()
    assert session.get("/").status_code == 302


def test_saving_an_active_person_ends_no_session(member):
    client = signed_in(member)
    member.name = "Renamed"
    member.save()
    assert client.get("/").status_code == 200
