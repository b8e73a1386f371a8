"""Extra fields change nothing: a valid post of every form with `team`, `owner`,
`version`, `state`, `is_staff` and friends added does exactly what it does without them."""

import pytest
from django.apps import apps
from django.core.cache import cache
from django.db import transaction
from django.db.models import DateTimeField

from teams import page_version
from teams.models import PageEpoch
from tests.form_posts import FORMS, fuzzed_role
from tests.helpers import signed_in
from tests.permissions import PERMISSIONS, build_world
from tests.test_permissions import url_for


def _existing_rows() -> dict[str, set]:
    return {
        model._meta.label: set(model.objects.values_list("pk", flat=True))
        for label in ("teams", "okrs", "checkins", "auth", "contenttypes")
        for model in apps.get_app_config(label).get_models()
    }


def _named_state(existing: dict[str, set]) -> dict[str, tuple]:
    """The rows that existed before, without timestamps, password hashes, team page
    versions or the company's page epoch (which differ from one run to the next), and
    how many rows each table has. A reference to a row made during the run reads "new"
    (PostgreSQL does not reuse rolled-back ids)."""
    state = {}
    for label in ("teams", "okrs", "checkins"):
        for model in apps.get_app_config(label).get_models():
            if model is PageEpoch:
                continue
            fields = [
                f
                for f in model._meta.concrete_fields
                if not isinstance(f, DateTimeField)
                and f.attname not in ("password", *page_version.VERSION_COLUMNS)
            ]

            def stable(field, value):
                target = field.related_model
                if target is None or value is None:
                    return value
                return value if value in existing.get(target._meta.label, ()) else "new"

            rows = model.objects.filter(pk__in=existing[model._meta.label]).order_by("pk")
            state[model._meta.label] = (
                model.objects.count(),
                [
                    repr([stable(f, v) for f, v in zip(fields, row, strict=True)])
                    for row in rows.values_list(*[f.attname for f in fields])
                ],
            )
    return state


@pytest.mark.django_db
@pytest.mark.parametrize("name", sorted(FORMS))
def test_extra_fields_change_nothing_they_name(
    name, team, lead, member, leader, outsider, users_by_role
):
    """A valid post with `team`, `owner`, `version`, `state`, `is_staff` and friends added
    does exactly what the same post without them does."""
    world = build_world(team=team, lead=lead, member=member, leader=leader)
    access = PERMISSIONS[name]
    role = fuzzed_role(access.post)
    user = users_by_role[role]
    path = url_for(name, access, world)
    valid = FORMS[name](world)
    sneaky = {
        "team": str(world.other_team.pk),
        "owner": str(outsider.pk),
        "version": "99",
        "state": "committed",
        "is_staff": "on",
        "is_superuser": "on",
        "is_leader": "on",
        "objective": str(world.other_objective.pk),
        "author": str(outsider.pk),
        "created_by": str(outsider.pk),
    }
    existing = _existing_rows()

    def outcome(data):
        with transaction.atomic():
            cache.clear()
            client = signed_in(user)
            response = client.post(path, data)
            result = response.status_code, _named_state(existing)
            transaction.set_rollback(True)
        return result

    extras = {key: value for key, value in sneaky.items() if key not in valid}
    assert outcome({**valid, **extras}) == outcome(valid), f"POST {path} as {role}"
