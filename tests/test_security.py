"""Every URL the app serves: anonymous visitors reach only the public pages."""

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from tests.factories import TeamFactory, UserFactory
from tests.fixtures.okrs import company_key_result
from tests.helpers import HX, ROOT, signed_in

# Pages anyone may open without signing in (their own tests check what they allow).
PUBLIC = {
    "login",
    "sso-start",
    "sso-callback",
    "password_reset",
    "password_reset_done",
    "password_reset_confirm",
    "password_reset_complete",
    "teams:invitation-accept",
    "checkins:unsubscribe",
    "healthz",
    "set_language",
}
# Django's admin guards itself (it redirects to its own sign-in page).
SELF_GUARDED_NAMESPACES = {"admin"}

SAMPLE_KWARGS = {
    "cycle_id": 1,
    "objective_id": 1,
    "key_result_id": 1,
    "membership_id": 1,
    "obstacle_id": 1,
    "experiment_id": 1,
    "slug": "onboarding",
    "week": "2026-W48",
    "token": "not-a-token",
    "uidb64": "MQ",
}


def sample_argument(entry: URLPattern, name: str):
    """A value for a URL argument: a known sample, else one its converter accepts."""
    if name in SAMPLE_KWARGS:
        return SAMPLE_KWARGS[name]
    converter = entry.pattern.converters.get(name)
    return 1 if getattr(converter, "regex", "") == "[0-9]+" else "x"


def app_routes():
    """(name, path) for every named route of the project's own apps."""
    from django.urls import reverse

    routes = []

    def walk(patterns, namespace=None):
        for entry in patterns:
            if isinstance(entry, URLResolver):
                ns = entry.namespace or namespace
                if ns in SELF_GUARDED_NAMESPACES:
                    continue
                walk(entry.url_patterns, ns)
            elif isinstance(entry, URLPattern) and entry.name:
                name = f"{namespace}:{entry.name}" if namespace else entry.name
                kwargs = {k: sample_argument(entry, k) for k in entry.pattern.regex.groupindex}
                if name == "password_reset_confirm":
                    kwargs["token"] = "set-password"
                routes.append((name, reverse(name, kwargs=kwargs)))

    walk(get_resolver().url_patterns)
    return routes


ROUTES = app_routes()


def test_the_walk_finds_the_apps_routes():
    names = {name for name, _ in ROUTES}
    assert {"home", "okrs:cycle-create", "checkins:save", "teams:members"} <= names
    assert len(ROUTES) > 40


@pytest.mark.django_db
@pytest.mark.parametrize(("name", "path"), ROUTES, ids=[name for name, _ in ROUTES])
def test_anonymous_visitors_reach_only_public_pages(name, path):
    TeamFactory(slug="onboarding")
    client = Client()
    for method in ("get", "post"):
        response = getattr(client, method)(path)
        if name in PUBLIC:
            assert response.status_code < 500, f"{method.upper()} {path}"
            continue
        if name == "api:api-root":  # django-ninja's root: nothing there
            assert response.status_code == 404, f"{method.upper()} {path}"
            continue
        if name.startswith("api:") and name != "api:openapi-json":
            # The API answers tokens, not sessions: no token is a JSON 401.
            assert response.status_code in (401, 405), f"{method.upper()} {path}"
            if response.status_code == 401:
                assert response.json()["detail"], path
            continue
        allowed = (302, 405)
        assert response.status_code in allowed, f"{method.upper()} {path}: {response.status_code}"
        if response.status_code == 302:
            assert response["Location"].startswith("/accounts/login/"), response["Location"]


@pytest.mark.django_db
def test_posting_extra_fields_changes_nothing_they_name(client_for):
    """Forms list their fields: is_staff, is_leader, state, team or version in a post
    are ignored."""
    from django.urls import reverse

    user = UserFactory(email="mia@example.com", name="Mia", password="x")
    client = client_for(user)
    response = client.post(
        reverse("teams:settings"),
        {
            "name": "Mia",
            "time_zone": "Europe/Amsterdam",
            "is_staff": "on",
            "is_superuser": "on",
            "is_leader": "on",
            "email": "boss@example.com",
        },
    )
    assert response.status_code == 302
    user.refresh_from_db()
    assert (user.is_staff, user.is_superuser, user.is_leader, user.email) == (
        False,
        False,
        False,
        "mia@example.com",
    )


def test_no_form_uses_all_fields():
    offenders = [
        str(path.relative_to(ROOT))
        for app in ("config", "teams", "okrs", "checkins")
        for path in (ROOT / app).rglob("*.py")
        if '"__all__"' in path.read_text() or "'__all__'" in path.read_text()
    ]
    assert offenders == []


def test_templates_never_mark_user_text_safe():
    root = ROOT / "templates"
    offenders = [str(path) for path in root.rglob("*.html") if "|safe" in path.read_text()]
    assert offenders == []


@pytest.mark.django_db
def test_a_team_lead_cannot_post_their_way_to_a_committed_objective(client_for, lead, team):
    from django.urls import reverse

    from okrs.models import Objective

    company_kr = company_key_result()
    client_for(lead).post(
        reverse("okrs:team-objective-create", args=[team.slug]),
        {
            "objective-title": "Ours",
            "objective-context": "",
            "objective-aligned_to": str(company_kr.pk),
            "objective-state": "committed",
            "objective-team": "999",
            "objective-version": "42",
        },
    )
    objective = Objective.objects.get(team=team)
    assert (objective.state, objective.team, objective.version) == ("proposed", team, 1)


# The one-click unsubscribe is exempt on purpose: mail clients POST it without a token,
# and its signed link is the proof (tests/checkins/test_reminders.py covers it).
CSRF_ROUTES = [(name, path) for name, path in ROUTES if name != "checkins:unsubscribe"]


@pytest.mark.django_db
@pytest.mark.parametrize(("name", "path"), CSRF_ROUTES, ids=[name for name, _ in CSRF_ROUTES])
def test_every_unsafe_request_without_a_csrf_token_is_refused(name, path, leader):
    """Signed in as a leader, a POST without the token is refused everywhere."""
    TeamFactory(slug="onboarding")
    client = signed_in(None if name in PUBLIC else leader, enforce_csrf_checks=True)
    response = client.post(path, {"title": "x"})
    if name.startswith("api:") and name not in ("api:openapi-json", "api:api-root"):
        # The API takes no session cookie (a bearer token only), so a forged request
        # from a browser carries no credentials: refused with 401 before anything.
        assert response.status_code in (401, 405), f"POST {path}: {response.status_code}"
        return
    assert response.status_code in (403, 405), f"POST {path}: {response.status_code}"


@pytest.mark.django_db
def test_sensitive_actions_are_audited_and_leaders_read_the_log(client_for, leader, lead, team):
    from django.urls import reverse

    from teams.models import AuditEvent

    UserFactory(email="ada@example.com", password="right-password-123")
    Client().post(reverse("login"), {"username": "ada@example.com", "password": "wrong"})
    Client().post(
        reverse("login"), {"username": "ada@example.com", "password": "right-password-123"}
    )
    client_for(lead).post(
        reverse("teams:members", args=[team.slug]), {"email": "new@example.com", "role": "member"}
    )
    # (The test client's force_login is recorded too, without an address: left out here.)
    actions = list(
        AuditEvent.objects.exclude(ip_address=None)
        .order_by("id")
        .values_list("action", "subject", "ip_address")
    )
    assert actions == [
        ("sign_in_failed", "ada@example.com", "127.0.0.1"),
        ("signed_in", "ada@example.com", "127.0.0.1"),
        ("invited", "new@example.com to Onboarding as member", "127.0.0.1"),
    ]
    page = client_for(leader).get(reverse("teams:audit-log"))
    assert page.status_code == 200 and "failed to sign in" in page.content.decode()
    assert client_for(lead).get(reverse("teams:audit-log")).status_code == 403


@pytest.mark.django_db
def test_htmx_requests_carry_the_token_from_the_page(leader):
    """The token htmx sends (from <body hx-headers>) is accepted; without it, refused."""
    import json
    import re

    from django.urls import reverse

    from okrs.models import Objective
    from tests.factories import CompanyObjectiveFactory, KeyResultFactory

    kr = KeyResultFactory(objective=CompanyObjectiveFactory())
    client = signed_in(leader, enforce_csrf_checks=True)
    page = client.get(reverse("okrs:cycle-detail", args=[kr.objective.cycle_id])).content.decode()
    headers = json.loads(re.search(r"<body hx-headers='([^']+)'", page).group(1))
    url = reverse("okrs:key-result-move", args=[kr.pk])
    assert client.post(url, {"direction": "up"}, **HX).status_code == 403
    response = client.post(url, {"direction": "up"}, **HX, HTTP_X_CSRFTOKEN=headers["X-CSRFToken"])
    assert response.status_code == 200
    assert Objective.objects.filter(pk=kr.objective_id).exists()
