"""The whole single sign-on flow against the live provider (django-oauth-toolkit in a
process of its own): accounts created, linked and found, invitations honoured, and every
refusal recorded with the provider's subject, changing nothing else."""

from urllib.parse import parse_qs, urlsplit

import pytest

from teams.models import AuditEvent, ExternalIdentity, Invitation, Membership, User
from tests.factories import UserFactory

pytestmark = [pytest.mark.slow, pytest.mark.django_db]  # starts the provider's process

A = AuditEvent.Action


def test_the_button_sends_the_code_flow_with_pkce_state_and_nonce(client, sso):
    start = client.get("/accounts/sso/start/")
    assert start.status_code == 302
    assert start["Location"].startswith(sso.issuer + "/authorize/")
    params = {k: v[0] for k, v in parse_qs(urlsplit(start["Location"]).query).items()}
    assert params["response_type"] == "code"
    assert params["client_id"] == sso.client_id
    assert params["code_challenge_method"] == "S256" and len(params["code_challenge"]) == 43
    assert len(params["state"]) >= 20 and len(params["nonce"]) >= 20
    assert set(params["scope"].split()) == {"openid", "email", "profile"}
    assert params["redirect_uri"] == "http://testserver/accounts/sso/callback/"


def test_a_first_sign_in_creates_the_person_then_finds_them(client, sso_flow):
    flow = sso_flow(client, "ada@example.com", name="Ada Lovelace")
    assert flow.response.status_code == 302 and flow.response["Location"] == "/"
    user = User.objects.get(email="ada@example.com")
    assert user.name == "Ada Lovelace" and not user.has_usable_password()
    identity = ExternalIdentity.objects.get(user=user)
    assert client.get("/").context["user"] == user
    created = AuditEvent.objects.get(action=A.SSO_ACCOUNT_CREATED)
    assert created.actor == user and f"sub={identity.subject}" in created.subject

    client.logout()
    again = sso_flow(client, "ada@example.com", name="Ada L.")
    assert again.response.status_code == 302
    assert User.objects.filter(email="ada@example.com").count() == 1
    assert ExternalIdentity.objects.count() == 1
    assert AuditEvent.objects.filter(action=A.SSO_SIGNED_IN, actor=user).count() == 2


def test_an_existing_account_is_linked_once_through_a_verified_email(client, sso_flow, member):
    flow = sso_flow(client, member.email)
    assert flow.response.status_code == 302
    identity = ExternalIdentity.objects.get()
    assert identity.user == member
    linked = AuditEvent.objects.get(action=A.SSO_LINKED)
    assert linked.actor == member and f"sub={identity.subject}" in linked.subject
    assert User.objects.filter(email=member.email).count() == 1


def test_an_invited_email_lands_in_its_team(client, sso_flow, team, lead):
    invitation = Invitation.objects.create(
        team=team,
        email="newbie@partner.org",  # not an allowed domain: the invitation lets them in
        role=Membership.Role.MEMBER,
        invited_by=lead,
        expires_at="2999-01-01T00:00:00Z",
    )
    flow = sso_flow(client, "newbie@partner.org", name="New Bie")
    assert flow.response.status_code == 302
    assert flow.response["Location"] == f"/teams/{team.slug}/"
    user = User.objects.get(email="newbie@partner.org")
    assert Membership.objects.get(team=team, user=user).role == Membership.Role.MEMBER
    invitation.refresh_from_db()
    assert invitation.accepted_by == user and invitation.accepted_at is not None


def _nothing_created(email: str) -> None:
    assert not User.objects.filter(email=email).exists()
    assert not ExternalIdentity.objects.exists()
    assert not AuditEvent.objects.filter(action=A.SSO_SIGNED_IN).exists()


def _refused(response, reason_text: str) -> None:
    assert response.status_code == 403
    assert reason_text in response.content.decode()
    assert "_auth_user_id" not in response.wsgi_request.session


def test_a_disallowed_domain_is_refused_with_whom_to_ask(client, sso_flow, settings):
    settings.OIDC_ACCESS_CONTACT = "it-help@example.com"
    flow = sso_flow(client, "eve@elsewhere.org")
    _refused(flow.response, "it-help@example.com")
    _nothing_created("eve@elsewhere.org")
    refusal = AuditEvent.objects.get(action=A.SSO_REFUSED)
    assert refusal.subject.startswith("domain: sub=") and "eve@elsewhere.org" in refusal.subject


def test_an_unverified_email_is_refused(client, sso_flow):
    flow = sso_flow(client, "ada@example.com", verified=False)
    _refused(flow.response, "verified")
    _nothing_created("ada@example.com")
    assert AuditEvent.objects.get(action=A.SSO_REFUSED).subject.startswith("unverified: sub=")


def test_an_unverified_email_of_an_existing_account_links_nothing(client, sso_flow, member):
    flow = sso_flow(client, member.email, verified=False)
    _refused(flow.response, "verified")
    assert not ExternalIdentity.objects.exists()
    assert not AuditEvent.objects.filter(action__in=[A.SSO_LINKED, A.SSO_SIGNED_IN]).exists()


def test_a_wrong_state_is_refused(client, sso_flow):
    flow = sso_flow(client, "ada@example.com", callback=False)
    tampered = flow.callback_url.replace("state=", "state=x")
    response = client.get(tampered.removeprefix("http://testserver"))
    _refused(response, "could not be verified")
    _nothing_created("ada@example.com")
    assert "MismatchingState" in AuditEvent.objects.get(action=A.SSO_REFUSED).subject


def test_a_callback_in_another_browser_is_refused(client, sso_flow):
    from django.test import Client

    flow = sso_flow(client, "ada@example.com", callback=False)
    other = Client()  # the state lives in the session of the browser that started
    response = other.get(flow.callback_url.removeprefix("http://testserver"))
    _refused(response, "could not be verified")
    _nothing_created("ada@example.com")


def test_a_replayed_code_is_refused(client, sso_flow):
    flow = sso_flow(client, "ada@example.com")
    assert flow.response.status_code == 302
    client.logout()
    # The same code and state again, in a fresh flow's session: the state is unknown...
    response = client.get(flow.callback_url.removeprefix("http://testserver"))
    _refused(response, "could not be verified")
    # ...and with the state of a new flow, the provider refuses the used code.
    second = sso_flow(client, "ada@example.com", callback=False)
    state = second.authorize_params["state"]
    code = flow.callback_url.split("code=")[1].split("&")[0]
    response = client.get(f"/accounts/sso/callback/?code={code}&state={state}")
    _refused(response, "could not be verified")
    assert AuditEvent.objects.filter(action=A.SSO_REFUSED).count() == 2
    assert AuditEvent.objects.filter(action=A.SSO_SIGNED_IN).count() == 1


def test_a_deactivated_person_is_refused(client, sso_flow):
    sso_flow(client, "ada@example.com")
    user = User.objects.get(email="ada@example.com")
    user.is_active = False
    user.save()
    client.logout()
    flow = sso_flow(client, "ada@example.com")
    _refused(flow.response, "deactivated")


def test_a_deactivated_password_account_is_not_linked_on_its_first_sign_in(client, sso_flow):
    """The email would link it (test_an_existing_account_is_linked_once_...): deactivated, it
    is refused, and no identity is kept for it."""
    UserFactory(email="ada@example.com", is_active=False)
    flow = sso_flow(client, "ada@example.com")
    _refused(flow.response, "deactivated")
    assert not ExternalIdentity.objects.exists()


def test_an_account_keeps_one_identity_per_provider(client, sso_flow, member):
    first = sso_flow(client, member.email)
    assert first.response.status_code == 302
    ExternalIdentity.objects.filter(user=member).update(subject="someone-else")
    client.logout()
    flow = sso_flow(client, member.email)
    _refused(flow.response, "already linked")
    assert ExternalIdentity.objects.filter(user=member).count() == 1


def test_signing_out_ends_the_providers_session_too(client, sso_flow, sso):
    flow = sso_flow(client, "ada@example.com")
    assert flow.response.status_code == 302
    assert flow.browser.get(sso.url + "/whoami/", timeout=10).text == "ada@example.com"
    response = client.post("/accounts/logout/")
    assert response.status_code == 302
    location = response["Location"]
    assert location.startswith(sso.issuer + "/logout/")
    assert "id_token_hint=" in location and "post_logout_redirect_uri=" in location
    assert "_auth_user_id" not in client.session
    back = flow.browser.get(location, allow_redirects=False, timeout=10)
    assert back.status_code == 302
    assert back.headers["Location"].startswith("http://testserver/accounts/login/")
    assert flow.browser.get(sso.url + "/whoami/", timeout=10).text == ""


def test_a_password_account_signs_out_as_before(client, sso, member):
    client.force_login(member)
    response = client.post("/accounts/logout/")
    assert response.status_code == 302 and response["Location"] == "/accounts/login/"


def test_the_next_page_survives_the_trip(client, sso_flow, team):
    UserFactory(email="ada@example.com")
    flow = sso_flow(client, "ada@example.com", next=f"/teams/{team.slug}/")
    assert flow.response["Location"] == f"/teams/{team.slug}/"
    for elsewhere in ("https://evil.example/", "//evil.example/", "/\\evil.example/"):
        evil = sso_flow(client, "ada@example.com", next=elsewhere)
        assert evil.response["Location"] == "/", elsewhere
