"""Every API endpoint × every caller (the five roles with personal tokens, the team's
token, another team's token, an expired, a revoked, a read-only token and one of a
deactivated person): allowed callers get through, the others get 401 or 403 and the
database is unchanged."""

import pytest
from django.apps import apps
from django.db import transaction

from checkins.models import CheckIn
from okrs.weeks import parse_iso_week
from tests.api.permissions import (
    API_PERMISSIONS,
    NOT_TOKEN_ENDPOINTS,
    UNAUTHENTICATED,
    url_name,
)
from tests.fixtures.api import CALLERS


def database_state() -> dict[str, list]:
    """Every row of the app's tables (a token's last use aside)."""
    state = {}
    for label in ("teams", "okrs", "checkins", "dashboard", "api"):
        for model in apps.get_app_config(label).get_models():
            fields = [
                f.attname
                for f in model._meta.concrete_fields
                if f.attname not in ("last_login", "last_used_at")
            ]
            state[model._meta.label] = sorted(
                map(repr, model.objects.order_by("pk").values_list(*fields))
            )
    return state


def api_route_names() -> set[str]:
    from django.urls import URLResolver, get_resolver

    resolver = next(
        entry
        for entry in get_resolver().url_patterns
        if isinstance(entry, URLResolver) and entry.namespace == "api"
    )
    return {f"api:{entry.name}" for entry in resolver.url_patterns if entry.name}


def test_every_api_route_has_an_entry():
    api_routes = api_route_names()
    missing = api_routes - {url_name(e) for e in API_PERMISSIONS} - NOT_TOKEN_ENDPOINTS
    assert missing == set(), f"add these to tests/api/permissions.py: {sorted(missing)}"
    stale = {url_name(e) for e in API_PERMISSIONS} - api_routes
    assert stale == set()


@pytest.fixture
def checkin(api_world):
    return CheckIn.objects.create(
        team=api_world.team,
        objective=api_world.objective,
        week_start=parse_iso_week(api_world.week),
        happened="We shipped the import.",
    )


@pytest.mark.django_db
@pytest.mark.parametrize("name", sorted(API_PERMISSIONS))
def test_who_may_use_the_api(name, api_world, api_tokens, checkin):
    endpoint = API_PERMISSIONS[name]
    path = endpoint.path(api_world)
    for caller in CALLERS:
        with transaction.atomic():
            client = api_tokens.client(caller)
            before = database_state()
            if endpoint.method == "get":
                response = client.get(path)
            else:
                response = client.post(path, endpoint.data(api_world))
            after = database_state()
            transaction.set_rollback(True)
        where = f"{endpoint.method.upper()} {path} as {caller}: {response.status_code}"
        assert response["Content-Type"].startswith("application/json"), where
        if caller in endpoint.allowed:
            assert response.status_code == endpoint.status, f"{where} {response.content[:300]}"
            continue
        expected = 401 if caller in UNAUTHENTICATED else 403
        assert response.status_code == expected, f"{where} {response.content[:300]}"
        assert response.json()["detail"], where
        assert after == before, f"{where} refused, yet wrote"
        if expected == 401:
            assert response["WWW-Authenticate"] == "Bearer"


@pytest.mark.django_db
def test_the_schema_is_for_people_signed_in(client_for, member):
    from django.test import Client

    response = Client().get("/api/v1/openapi.json")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")
    assert client_for(member).get("/api/v1/openapi.json").status_code == 200
