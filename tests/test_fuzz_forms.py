"""Property-based fuzzing of every form: whatever is posted, the answer is a success or a
refusal with a message (never a 500), and a refusal writes nothing.

Hypothesis posts huge strings, NUL bytes, odd Unicode, numbers out of range, malformed
dates, missing and duplicated fields, stale versions and extra fields (`team`, `owner`,
`version`, `state`, `is_staff`) to every URL that accepts a POST, as a role allowed to.

Examples per form: HYPOTHESIS_PROFILE=thorough runs many more than the default.
"""

import os
from datetime import timedelta

import pytest
from django.apps import apps
from django.contrib import messages
from django.core.cache import cache
from django.db import transaction
from django.db.models import DateTimeField
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.fixtures.okrs import retro_post, score_post
from tests.helpers import prefixed, signed_in
from tests.permissions import NOBODY, PERMISSIONS, build_world, url_name
from tests.test_permissions import database_state, url_for

settings.register_profile(
    "lean-okrs",
    max_examples=8,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
settings.register_profile("thorough", parent=settings.get_profile("lean-okrs"), max_examples=300)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "lean-okrs"))

NASTY = [
    "",
    " ",
    "\x00",
    "a\x00b",
    "x" * 100_000,
    "NaN",
    "-inf",
    "1e400",
    "-1",
    "0",
    "99999999999999999999999",
    "1.00000000000000000001",
    "٣",  # an Arabic-Indic digit
    "\u202e\u0301\ufeff",
    "🙂" * 300,
    "2026-02-30",
    "0001-01-01",
    "9999-12-31",
    "25:61",
    "2026-W99",
    "Not/A_Zone",
    "' OR 1=1 --",
    "../../etc/passwd",
    "<script>alert(1)</script>",
    "{{ 7*7 }}",
]
MASS_ASSIGNMENT = ("team", "owner", "version", "state", "is_staff", "is_leader", "objective")


def _kr_valid(prefix):
    def valid(w):
        return prefixed(
            prefix,
            {
                "title": "Invoices on day one",
                "kind": "increase",
                "start_value": "0",
                "target_value": "80",
                "current_value": "10",
                "unit": "%",
                "owner": "",
                "reason": "Learned more.",
                "version": str(w.key_result.version),
            },
        )

    return valid


def _experiment_valid(w):
    return {
        "key_result": str(w.key_result.pk),
        "belief": "a checklist",
        "outcome": "fewer questions",
        "signal": "tickets drop",
        "status": "running",
        "started_on": "2026-11-02",
        "ended_on": "2026-11-20",
        "result": "",
        "learning": "",
        "version": str(w.experiment.version),
    }


def _cycle_valid(w):
    return {"name": "Q1 2027", "start_date": "2027-01-01", "end_date": "2027-03-31"}


def _objective_valid(w):
    return {
        "title": "Accounts invoice on day one",
        "context": "Referrals.",
        "aligned_to": str(w.company_key_result.pk),
        "version": str(w.objective.version),
    }


def _prefixed(prefix, valid):
    return lambda w: prefixed(prefix, valid(w))


# URL name -> a valid POST (its keys are the form's fields). Every form is listed here;
# a POST-only action without fields posts an empty form.
FORMS = {
    "login": lambda w: {"username": "member@example.com", "password": "x"},
    "password_change": lambda w: {
        "old_password": "correct-horse-battery",
        "new_password1": "a-new-long-passphrase",
        "new_password2": "a-new-long-passphrase",
    },
    "password_reset": lambda w: {"email": "lena@example.com"},
    "password_reset_confirm": lambda w: {
        "new_password1": "a-new-long-passphrase",
        "new_password2": "a-new-long-passphrase",
    },
    "teams:team-create": lambda w: {"name": "Growth", "slug": "growth", "purpose": "Grow."},
    "teams:team-edit": lambda w: {"name": "Onboarding", "slug": "onboarding", "purpose": ""},
    "teams:members": lambda w: {"email": "new@example.com", "role": "member"},
    "teams:membership-role": lambda w: {"role": "lead"},
    "teams:invitation-accept": lambda w: {
        "name": "Ines",
        "password": "a-long-passphrase-1",
        "password_again": "a-long-passphrase-1",
    },
    "teams:settings": lambda w: {
        "name": "Mia",
        "time_zone": "Europe/Amsterdam",
        "email_reminders": "on",
        "email_nudges": "on",
        "email_digest": "",
        "email_comments": "on",
    },
    "teams:schedule": lambda w: {
        "checkin_weekday": "2",
        "checkin_time": "09:30",
        "time_zone": "Europe/Lisbon",
    },
    "okrs:cycle-create": _cycle_valid,
    "okrs:cycle-edit": _cycle_valid,
    "okrs:company-objective-create": lambda w: {"title": "Be loved", "context": "Why."},
    "okrs:objective-edit": _objective_valid,
    "okrs:key-result-create": _kr_valid("new"),
    "okrs:key-result-edit": lambda w: _kr_valid(f"kr{w.key_result.pk}")(w),
    "okrs:key-result-delete": lambda w: {"reason": "It measured output."},
    "okrs:key-result-move": lambda w: {"direction": "up"},
    "okrs:key-result-record": lambda w: {
        f"record{w.key_result.pk}-value": "40",
        f"record{w.key_result.pk}-confidence": "7",
        f"record{w.key_result.pk}-comment": "Going well.",
    },
    "okrs:team-objective-create": _prefixed("objective", _objective_valid),
    "okrs:team-objective-accept": _prefixed("objective", _objective_valid),
    "okrs:team-objective-decline": lambda w: {"decline-reason": "Not an outcome."},
    "okrs:team-objective-challenge": lambda w: {
        "challenge-aspects": "ambition",
        "challenge-body": "Aim higher.",
    },
    "okrs:comment-create": lambda w: {"comment-body": "Nice."},
    "okrs:cycle-review-start": lambda w: {
        "review_until": (timezone.localdate() + timedelta(days=7)).isoformat()
    },
    "okrs:key-result-score": lambda w: score_post(w.key_result, "0.5", "One big customer."),
    "okrs:retrospective-edit": lambda w: retro_post(
        learned="Pre-fill works.", keep="Check-ins", change="Fewer meetings", try_next="Templates"
    ),
    "okrs:objective-carry-forward": lambda w: {"aligned_to": str(w.company_key_result.pk)},
    "checkins:save": lambda w: {
        "field": "happened",
        "happened": "We shipped.",
        "happened__base": "",
        "next_step": "Call five customers.",
        "expectation": "Two sign up.",
        "learn_by": "Friday",
        f"entry-{w.key_result.pk}-value": "33",
        f"entry-{w.key_result.pk}-confidence": "6",
        f"entry-{w.key_result.pk}-comment": "Up.",
        "overwrite": "1",
        "stored": "",
    },
    "checkins:obstacle-create": lambda w: {
        "obstacle-description": "No data.",
        "obstacle-help_team": str(w.other_team.pk),
        "obstacle-focus": "on",
        "next": "/teams/onboarding/",
    },
    "checkins:obstacle-answer": lambda w: {f"answer{w.help_request.pk}-answer": "Ask Kim."},
    "checkins:experiment-create": _experiment_valid,
    "checkins:experiment-edit": _experiment_valid,
}

# Writes a refusal may still make, on purpose.
EXPECTED_SIDE_EFFECTS = {
    # A failed sign-in is recorded in the audit log.
    "login": {"teams.AuditEvent"},
    # Opening a week's check-in creates its (empty) draft before any field is saved, and
    # so gives the team's page a new version (teams/page_version.py).
    "checkins:save": {"checkins.CheckIn", "checkins.CheckInEntry", "teams.Team"},
}
REFUSALS = (400, 404, 409, 410, 422, 429)
MESSAGE_MARKERS = (
    'class="errors"',
    "message--error",
    "message--warning",
    'role="alert"',
    "save-status--error",
)


def _fuzzed_role(roles: frozenset) -> str:
    """Public pages as a stranger; the rest as the most powerful role allowed."""
    for role in ("anonymous", "leader", "lead", "member"):
        if role in roles:
            return role
    raise AssertionError("no role may post")


# Each view once (a "name (variant)" entry is the same form on other objects).
POSTABLE = sorted(
    name
    for name, access in PERMISSIONS.items()
    if access.post not in (None, NOBODY) and name == url_name(name)
)


@st.composite
def posts(draw, valid: dict[str, str]):
    """A form post: each field valid, nasty, random, missing or given twice; maybe extras."""
    value = st.one_of(
        st.sampled_from(NASTY),
        st.text(max_size=200),
        st.integers(min_value=-(2**70), max_value=2**70).map(str),
        st.floats().map(str),
    )
    data: dict[str, list[str]] = {}
    for field, good in valid.items():
        shape = draw(st.sampled_from(("valid", "valid", "fuzzed", "missing", "twice")))
        if shape == "valid":
            data[field] = [good]
        elif shape == "fuzzed":
            data[field] = [draw(value)]
        elif shape == "twice":
            data[field] = [draw(value), good]
    for extra in draw(st.lists(st.sampled_from(MASS_ASSIGNMENT), max_size=3, unique=True)):
        data.setdefault(extra, [draw(value)])
    return data


def _error_messages(response) -> list[str]:
    storage = getattr(response.wsgi_request, "_messages", None)
    queued = getattr(storage, "_queued_messages", [])
    return [m.message for m in queued if m.level >= messages.WARNING]


def test_every_form_is_fuzzed():
    missing = [
        name
        for name in POSTABLE
        if name not in FORMS and name not in POST_ONLY_ACTIONS and name != "logout"
    ]
    assert not missing, (
        f"Add a valid POST for {missing} to FORMS in tests/test_fuzz_forms.py "
        "(or to POST_ONLY_ACTIONS when the view takes no fields)."
    )


POST_ONLY_ACTIONS = {
    "teams:membership-remove",
    "okrs:cycle-activate",
    "okrs:cycle-close",
    "okrs:team-objective-submit",
    "okrs:team-objective-commit",
    "checkins:submit",
    "checkins:obstacle-focus",
    "checkins:obstacle-resolve",
    "checkins:unsubscribe",
}


@pytest.mark.django_db
@pytest.mark.parametrize("name", POSTABLE)
def test_no_post_makes_a_form_fail_or_write_half(name, team, lead, member, leader, users_by_role):
    world = build_world(team=team, lead=lead, member=member, leader=leader)
    access = PERMISSIONS[name]
    role = _fuzzed_role(access.post)
    user = users_by_role[role]
    path = url_for(name, access, world)
    valid = FORMS.get(name, lambda w: {})(world)
    allowed_changes = EXPECTED_SIDE_EFFECTS.get(name, set())

    @given(data=posts(valid))
    def post(data):
        with transaction.atomic():
            cache.clear()
            client = signed_in(user)
            before = database_state()
            response = client.post(path, data)
            status = response.status_code
            where = f"POST {path} as {role} with {data!r:.300}: {status}"
            assert status < 500, where
            refused = status >= 400 or bool(_error_messages(response))
            if refused:
                after = database_state()
                changed = {label for label in after if after[label] != before[label]}
                assert changed <= allowed_changes, f"{where} refused, yet changed {changed}"
            if status >= 400:
                assert status in REFUSALS, where
                body = response.content.decode()
                assert any(marker in body for marker in MESSAGE_MARKERS) or (
                    status in (404, 410) and "<h1>" in body
                ), f"{where}: a refusal without a message"
            transaction.set_rollback(True)

    post()


def _existing_rows() -> dict[str, set]:
    return {
        model._meta.label: set(model.objects.values_list("pk", flat=True))
        for label in ("teams", "okrs", "checkins", "auth", "contenttypes")
        for model in apps.get_app_config(label).get_models()
    }


def _named_state(existing: dict[str, set]) -> dict[str, tuple]:
    """The rows that existed before, without timestamps, password hashes or team page
    versions (which differ from one run to the next), and how many rows each table has.
    A reference to a row made during the run reads "new" (PostgreSQL does not reuse
    rolled-back ids)."""
    state = {}
    for label in ("teams", "okrs", "checkins"):
        for model in apps.get_app_config(label).get_models():
            fields = [
                f
                for f in model._meta.concrete_fields
                if not isinstance(f, DateTimeField)
                and f.attname not in ("password", "page_version")
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
    role = _fuzzed_role(access.post)
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
