"""Every URL against the permission table (tests/permissions.py), for every role.

A view without an entry fails `test_every_url_has_an_entry_in_the_permission_table`,
whose message says what to add.
"""

import pytest
from django.apps import apps
from django.db import transaction
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from tests.helpers import ROLES, signed_in
from tests.permissions import (
    DEFAULT_OBJECTS,
    PERMISSIONS,
    Access,
    World,
    build_world,
    url_name,
)

# Django's admin guards itself (its own sign-in page, staff only); the API's endpoints
# answer tokens, not sessions, and have a table of their own (tests/api/permissions.py).
SELF_GUARDED_NAMESPACES = {"admin", "api"}


def url_names() -> dict[str, URLPattern]:
    """Every named route of the project's own apps, by namespaced name."""
    found: dict[str, URLPattern] = {}

    def walk(patterns, namespace=None):
        for entry in patterns:
            if isinstance(entry, URLResolver):
                ns = entry.namespace or namespace
                if ns not in SELF_GUARDED_NAMESPACES:
                    walk(entry.url_patterns, ns)
            elif isinstance(entry, URLPattern) and entry.name:
                found[f"{namespace}:{entry.name}" if namespace else entry.name] = entry

    walk(get_resolver().url_patterns)
    return found


URLS = url_names()


def test_every_url_has_an_entry_in_the_permission_table():
    missing = sorted(set(URLS) - {url_name(entry) for entry in PERMISSIONS})
    advice = "\n".join(
        f'    "{name}": Access(get=..., post=...),  # {URLS[name].pattern}'
        + (
            f"  arguments {sorted(set(URLS[name].pattern.regex.groupindex) - set(DEFAULT_OBJECTS))}"
            " need objects={...}"
            if set(URLS[name].pattern.regex.groupindex) - set(DEFAULT_OBJECTS)
            else ""
        )
        for name in missing
    )
    assert not missing, (
        "These views have no entry in the permission table. Add each to PERMISSIONS in "
        "tests/permissions.py, saying which roles (ANYONE, SIGNED_IN, TEAM, "
        "TEAM_AND_LEADERS, MANAGERS, LEADERS, NOBODY; None = method not served) may GET "
        f"and POST it:\n{advice}"
    )


def test_the_permission_table_names_only_existing_urls():
    stale = sorted(entry for entry in PERMISSIONS if url_name(entry) not in URLS)
    assert stale == [], "stale entries in tests/permissions.py"


def url_for(entry: str, access: Access, world: World, *, other: bool = False) -> str:
    name = url_name(entry)
    kwargs = {}
    for argument in URLS[name].pattern.regex.groupindex:
        attribute = access.objects.get(argument) or DEFAULT_OBJECTS[argument]
        value = getattr(world, f"other_{attribute}" if other else attribute)
        if argument == "slug":
            value = value.slug
        elif hasattr(value, "pk"):
            value = value.pk
        kwargs[argument] = value
    return reverse(name, kwargs=kwargs)


def database_state() -> dict[str, list]:
    """Every row of the app's own tables, to prove a refusal changed nothing."""
    state = {}
    for label in ("teams", "okrs", "checkins", "webhooks", "api"):
        for model in apps.get_app_config(label).get_models():
            fields = [f.attname for f in model._meta.concrete_fields if f.attname != "last_login"]
            state[model._meta.label] = sorted(
                map(repr, model.objects.order_by("pk").values_list(*fields))
            )
    return state


@pytest.fixture
def world(team, lead, member, leader) -> World:
    return build_world(team=team, lead=lead, member=member, leader=leader)


def _refused(response, role: str) -> bool:
    if role == "anonymous":
        return response.status_code == 302 and response["Location"].startswith("/accounts/login/")
    return response.status_code in (403, 404)


@pytest.mark.django_db
@pytest.mark.parametrize("name", sorted(PERMISSIONS))
def test_who_may_read_and_write(name, world, users_by_role):
    """Every role, every method: allowed ones get past the access check, the others are
    sent to sign in (anonymous) or refused with 403/404, and a refused POST writes nothing."""
    access = PERMISSIONS[name]
    path = url_for(name, access, world)
    for role in ROLES:
        for method, roles in (("get", access.get), ("post", access.post)):
            # Each request starts from the same company: what one role wrote is undone.
            with transaction.atomic():
                client = signed_in(users_by_role[role])
                data = access.data(world) if (method == "post" and access.data) else {}
                before = (
                    database_state() if method == "post" and role not in (roles or ()) else None
                )
                response = getattr(client, method)(path, data)
                after = database_state() if before is not None else None
                transaction.set_rollback(True)
            where = f"{method.upper()} {path} as {role}: {response.status_code}"
            if roles is None:
                # Anonymous visitors are sent to sign in before the method is looked at.
                assert response.status_code == 405 or _refused(response, "anonymous"), where
            elif role in roles:
                assert response.status_code not in (401, 403, 404, 405), where
                assert response.status_code < 500, where
                if role != "anonymous":
                    location = response.get("Location", "")
                    assert not location.startswith("/accounts/login/?next="), where
            else:
                assert _refused(response, role), where
                if before is not None:
                    assert after == before, f"{where} refused, yet wrote"


TEAM_SCOPED = [
    (name, method)
    for name, access in sorted(PERMISSIONS.items())
    for method, roles in (("get", access.get), ("post", access.post))
    if roles is not None and roles & {"member", "lead"} and "outsider" not in roles
]


@pytest.mark.django_db
@pytest.mark.parametrize(("name", "method"), TEAM_SCOPED, ids=[f"{n}-{m}" for n, m in TEAM_SCOPED])
def test_another_teams_objects_are_refused_without_their_data(name, method, world, lead, member):
    """The team's own members and leads, pointed at Payments' things: 403 or 404, no
    change, and none of Payments' text in the answer."""
    access = PERMISSIONS[name]
    path = url_for(name, access, world, other=True)
    for role, user in (("member", member), ("lead", lead)):
        client = signed_in(user)
        data = access.data(world) if (method == "post" and access.data) else {}
        before = database_state()
        response = getattr(client, method)(path, data)
        where = f"{method.upper()} {path} as Onboarding's {role}: {response.status_code}"
        assert response.status_code in (403, 404), where
        assert database_state() == before, where
        body = response.content.decode()
        leaked = [secret for secret in World.OTHER_TEAM_SECRETS if secret in body]
        assert not leaked, f"{where} shows {leaked}"
