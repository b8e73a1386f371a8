"""Property-based fuzzing of every form: whatever is posted, the answer is a success or a
refusal with a message (never a 500), and a refusal writes nothing.

Hypothesis posts huge strings, NUL bytes, odd Unicode, numbers out of range, malformed
dates, missing and duplicated fields, stale versions and extra fields (`team`, `owner`,
`version`, `state`, `is_staff`) to every URL that accepts a POST, as a role allowed to.

Examples per form: HYPOTHESIS_PROFILE=thorough runs many more than the default.
"""

import os

import pytest
from django.contrib import messages
from django.core.cache import cache
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.form_posts import FORMS, POST_ONLY_ACTIONS, POSTABLE, fuzzed_role
from tests.helpers import signed_in
from tests.permissions import PERMISSIONS, build_world
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
        f"Add a valid POST for {missing} to FORMS in tests/form_posts.py "
        "(or to POST_ONLY_ACTIONS when the view takes no fields)."
    )


@pytest.mark.django_db
@pytest.mark.parametrize("name", POSTABLE)
def test_no_post_makes_a_form_fail_or_write_half(name, team, lead, member, leader, users_by_role):
    world = build_world(team=team, lead=lead, member=member, leader=leader)
    access = PERMISSIONS[name]
    role = fuzzed_role(access.post)
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
