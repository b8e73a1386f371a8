"""The inputs the random fuzzing once missed, tried on purpose in every form and every
page: Unicode digits, over-precise and huge numbers, extreme dates, NUL and other
control characters in queries, and form bodies in other charsets. Whatever comes, the
answer is a success or a refusal (never a 500), and a refusal writes nothing."""

import pytest
from django.db import transaction

from tests.form_posts import FORMS, POSTABLE, fuzzed_role
from tests.helpers import signed_in
from tests.permissions import PERMISSIONS, build_world
from tests.test_fuzz_forms import EXPECTED_SIDE_EFFECTS, REFUSALS
from tests.test_permissions import database_state, url_for

ODD_VALUES = [
    "²",
    "①",
    "٣",
    "999999999999.99999",
    "1.123456789",
    "-0.00001",
    "1e400",
    "0026-10-01",
    "0001-01-01",
    "9999-12-31",
    "\x00",
    "\x07\x1b",
]
ODD_QUERIES = ["q=%00", "q=Pay%00ments", "q=%01%1F%7F", "page=%00", "state=%00&kr=%00"]
CHARSETS = ["utf-16", "utf-32", "latin-1", "shift_jis"]


def _world(team, lead, member, leader):
    return build_world(team=team, lead=lead, member=member, leader=leader)


@pytest.mark.slow  # every field of every form, a dozen values each
@pytest.mark.django_db
@pytest.mark.parametrize("name", sorted(FORMS))
def test_odd_values_in_every_field_never_give_a_500(
    name, team, lead, member, leader, users_by_role
):
    world = _world(team, lead, member, leader)
    access = PERMISSIONS[name]
    role = fuzzed_role(access.post)
    path = url_for(name, access, world)
    valid = FORMS[name](world)
    allowed_changes = EXPECTED_SIDE_EFFECTS.get(name, set())
    client = signed_in(users_by_role[role])
    for field in valid:
        for odd in ODD_VALUES:
            with transaction.atomic():
                before = database_state()
                response = client.post(path, {**valid, field: odd})
                where = f"POST {path} as {role} with {field}={odd!r}: {response.status_code}"
                assert response.status_code < 500, where
                if response.status_code >= 400:
                    assert response.status_code in REFUSALS, where
                    after = database_state()
                    changed = {label for label in after if after[label] != before[label]}
                    assert changed <= allowed_changes, f"{where} refused, yet changed {changed}"
                transaction.set_rollback(True)


@pytest.mark.django_db
@pytest.mark.parametrize("name", POSTABLE)
def test_a_form_in_another_charset_is_refused_with_400(
    name, team, lead, member, leader, users_by_role
):
    world = _world(team, lead, member, leader)
    access = PERMISSIONS[name]
    path = url_for(name, access, world)
    client = signed_in(users_by_role[fuzzed_role(access.post)])
    before = database_state()
    for charset in CHARSETS:
        response = client.post(
            path,
            data="title=Hello&version=1",
            content_type=f"application/x-www-form-urlencoded; charset={charset}",
        )
        assert response.status_code == 400, f"{path} in {charset}: {response.status_code}"
    assert database_state() == before


@pytest.mark.django_db
@pytest.mark.parametrize(
    "name", sorted(name for name, access in PERMISSIONS.items() if access.get is not None)
)
def test_control_characters_in_a_query_never_give_a_500(name, team, lead, member, leader):
    world = _world(team, lead, member, leader)
    access = PERMISSIONS[name]
    path = url_for(name, access, world)
    client = signed_in(leader)
    for query in ODD_QUERIES:
        response = client.get(f"{path}?{query}")
        assert response.status_code < 500, f"GET {path}?{query}: {response.status_code}"
