"""A valid post for every form of the app (URL name -> the post, its keys the form's
fields), and who posts it. `tests/test_fuzz_forms.py` fuzzes each post and fails for a
form missing here; `tests/test_extra_fields.py` adds fields no form has to each.

Adding a form: add its URL name to FORMS with a valid post built from the world
(tests/permissions.py), or to POST_ONLY_ACTIONS when the view takes no fields.
"""

from datetime import timedelta

from django.utils import timezone

from tests.fixtures.okrs import retro_post, score_post
from tests.helpers import prefixed
from tests.permissions import NOBODY, PERMISSIONS, url_name


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


def _webhook(w):
    # A public address literal: saving it asks no DNS.
    return {
        "url": "https://93.184.215.14/hooks/okrs",
        "description": "Metrics",
        "events": "checkin.submitted",
        "format": "standard",
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
    "teams:sign-in-policy": lambda w: {"sso_required": ""},
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
    # the coach (as typed: the key result's fields without a prefix, or a title)
    "okrs:coach-findings": lambda w: {
        "title": "Launch the flow",
        "kind": "increase",
        "start_value": "1",
        "target_value": "2",
        "owner": "",
    },
    "okrs:coach-draft": lambda w: {"title": "Keep our 99 % uptime"},
    "okrs:coach-dismiss": lambda w: {"key": f"no_owner:{w.key_result.pk}", "reason": "Shared."},
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
        "obstacle-help_team": w.other_team.name,
        "obstacle-focus": "on",
        "next": "/teams/onboarding/",
    },
    "checkins:obstacle-answer": lambda w: {f"answer{w.help_request.pk}-answer": "Ask Kim."},
    "okrs:cycle-close": lambda w: {"confirm": "yes"},
    "checkins:experiment-create": _experiment_valid,
    "checkins:experiment-edit": _experiment_valid,
    "webhooks:company-create": _webhook,
    "webhooks:team-create": _webhook,
    "webhooks:endpoint-edit": lambda w: {**_webhook(w), "version": str(w.endpoint.version)},
    "tokens:personal": lambda w: {
        "name": "My script",
        "expires_on": (timezone.localdate() + timedelta(days=30)).isoformat(),
        "scope": "read",
    },
    "tokens:team": lambda w: {
        "name": "Nightly import",
        "expires_on": (timezone.localdate() + timedelta(days=30)).isoformat(),
    },
    "set_language": lambda w: {"language": "nl", "next": "/"},
}

POST_ONLY_ACTIONS = {
    "teams:membership-remove",
    "okrs:cycle-activate",
    "okrs:team-objective-submit",
    "okrs:team-objective-commit",
    "checkins:submit",
    "checkins:obstacle-focus",
    "checkins:obstacle-resolve",
    "checkins:unsubscribe",
    "webhooks:endpoint-delete",
    "webhooks:endpoint-test",
    "webhooks:endpoint-pause",
    "webhooks:endpoint-resume",
    "webhooks:delivery-resend",
    "tokens:personal-revoke",
    "tokens:team-revoke",
}


# Each view once (a "name (variant)" entry is the same form on other objects).
POSTABLE = sorted(
    name
    for name, access in PERMISSIONS.items()
    if access.post not in (None, NOBODY) and name == url_name(name)
)


def fuzzed_role(roles: frozenset) -> str:
    """Public pages as a stranger; the rest as the most powerful role allowed."""
    for role in ("anonymous", "leader", "lead", "member"):
        if role in roles:
            return role
    raise AssertionError("no role may post")
