"""Single sign-on in a real browser against a real OpenID Connect provider
(django-oauth-toolkit's, in a process of its own: tests/fixtures/oidc.py): the first
sign-in creates the account and later ones find it, a password account is linked, an
invited email lands in its team, a disallowed domain is refused, and leaders requiring
single sign-on hides the password form. Signing out ends the provider's session too."""

import re

import pytest
from playwright.sync_api import expect

from teams.models import ExternalIdentity, Invitation, Membership, SignInPolicy, User
from tests.e2e.pages import collect_errors, snap
from tests.factories import MembershipFactory, TeamFactory, UserFactory
from tests.fixtures.oidc import CALLBACK, start_provider, stop_provider, use_provider

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

LABEL = "Sign in with Test IdP"


@pytest.fixture(scope="session")
def live_provider(live_server, tmp_path_factory):
    provider = start_provider(
        tmp_path_factory.mktemp("oidc-live"),
        [live_server.url + CALLBACK],
        [live_server.url + "/accounts/login/"],
    )
    yield provider
    stop_provider(provider)


@pytest.fixture
def sso(settings, live_server, live_provider):
    use_provider(settings, live_provider, site_url=live_server.url)
    return live_provider


def sso_sign_in(page, live_server, email, *, name="", verified=True):
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_role("link", name=LABEL).click()
    page.get_by_label("Email", exact=True).fill(email)
    page.get_by_label("Name").fill(name)
    if not verified:
        page.get_by_label("Email verified").uncheck()
    page.get_by_role("button", name="Continue").click()


def sign_out(page, live_server):
    """Through the provider's end_session_endpoint and back to the sign-in page (with
    the state of the logout request)."""
    page.locator("summary", has_text="Account menu for").click()
    page.get_by_role("button", name="Sign out").click()
    expect(page).to_have_url(re.compile(re.escape(f"{live_server.url}/accounts/login/")))


def test_the_first_sign_in_creates_the_account_and_the_next_finds_it(page, live_server, sso):
    errors = []
    collect_errors(page, errors)
    sso_sign_in(page, live_server, "ada@example.com", name="Ada Lovelace")
    expect(page).to_have_url(f"{live_server.url}/")
    expect(page.locator("summary", has_text="Account menu for")).to_contain_text("Ada")
    snap(page, "sso-first-sign-in")
    user = User.objects.get(email="ada@example.com")
    assert user.name == "Ada Lovelace"
    # Signing out goes through the provider's end_session_endpoint and back.
    sign_out(page, live_server)
    page.goto(f"{sso.url}/whoami/")
    expect(page.locator("body")).to_have_text("")
    sso_sign_in(page, live_server, "ada@example.com", name="Ada Lovelace")
    expect(page).to_have_url(f"{live_server.url}/")
    assert User.objects.filter(email="ada@example.com").count() == 1
    assert ExternalIdentity.objects.get().user == user
    assert errors == []


def test_a_password_account_is_linked_at_its_first_sso_sign_in(page, live_server, sso):
    member = UserFactory(email="mia@example.com", name="Mia Member")
    sso_sign_in(page, live_server, "mia@example.com")
    expect(page).to_have_url(f"{live_server.url}/")
    expect(page.get_by_text("Your company account now signs you in")).to_be_visible()
    assert ExternalIdentity.objects.get().user == member


def test_an_invited_email_lands_in_its_team(page, live_server, sso):
    team = TeamFactory(name="Onboarding", slug="onboarding")
    lead = MembershipFactory(team=team, role=Membership.Role.LEAD).user
    Invitation.objects.create(
        team=team, email="newbie@partner.org", invited_by=lead, expires_at="2999-01-01T00:00Z"
    )
    sso_sign_in(page, live_server, "newbie@partner.org", name="New Bie")
    expect(page).to_have_url(f"{live_server.url}/teams/onboarding/")
    expect(page.get_by_text("You are in Onboarding now")).to_be_visible()
    assert Membership.objects.filter(team=team, user__email="newbie@partner.org").exists()


def test_a_disallowed_domain_is_refused_with_whom_to_ask(page, live_server, sso, settings):
    settings.OIDC_ACCESS_CONTACT = "it-help@example.com"
    sso_sign_in(page, live_server, "eve@elsewhere.org")
    expect(page.get_by_role("heading", name="Single sign-on did not sign you in")).to_be_visible()
    expect(page.get_by_text("it-help@example.com")).to_be_visible()
    snap(page, "sso-refused")
    assert not User.objects.filter(email="eve@elsewhere.org").exists()


def test_leaders_require_sso_and_the_password_form_disappears(page, live_server, sso):
    UserFactory(email="lena@example.com", name="Lena Leader", is_leader=True)
    sso_sign_in(page, live_server, "lena@example.com")
    expect(page).to_have_url(f"{live_server.url}/")
    page.locator("summary", has_text="Account menu for").click()
    page.get_by_role("link", name="Sign-in settings").click()
    page.get_by_label("Require single sign-on for everyone").check()
    snap(page, "sso-sign-in-settings")
    page.get_by_role("button", name="Save sign-in settings").click()
    expect(page.get_by_text("Sign-in settings saved.")).to_be_visible()
    assert SignInPolicy.objects.get().sso_required
    sign_out(page, live_server)
    expect(page.get_by_role("link", name=LABEL)).to_be_visible()
    expect(page.get_by_label("Password")).to_have_count(0)
    snap(page, "sso-required")
    # The break-glass way in for administrators
    page.get_by_role("link", name="Administrator sign-in with a password").click()
    expect(page.get_by_label("Password")).to_be_visible()
