"""Who may use every URL of the app: the permission table, and the objects it is tested on.

Each URL name maps to an `Access`: which roles may GET it and which may POST to it.
`tests/test_permissions.py` checks every entry for every role against a real company
(`build_world`), and fails for any URL name of the app that has no entry here.

Roles: "anonymous" (not signed in), "outsider" (signed in, in no team, not a leader),
"member" and "lead" (of the team the URL points at: Onboarding) and "leader".
`None` for a method means the view does not serve it (405).

Adding a view: add its URL name below with the roles that may read (GET) and write
(POST) it. URL arguments are filled from the world by name (`DEFAULT_OBJECTS`); when an
argument should name another object, say which with `objects={"arg": "world_attribute"}`
(the world has `other_<attribute>` for the same object of another team, which the
tests use to check that a team's members cannot touch another team's things). The same
view on other objects with other rules gets a second entry, "<url name> (<variant>)". `data`
gives a valid POST when an empty one would not get past the form (optional: the access
check comes first either way).
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta

from django.utils import timezone

from tests.fixtures.okrs import retro_post, score_post

ANYONE = frozenset({"anonymous", "outsider", "member", "lead", "leader"})
SIGNED_IN = frozenset({"outsider", "member", "lead", "leader"})
TEAM = frozenset({"member", "lead"})
TEAM_AND_LEADERS = frozenset({"member", "lead", "leader"})
MANAGERS = frozenset({"lead", "leader"})  # the team's leads, and leaders
LEADERS = frozenset({"leader"})
NOBODY = frozenset()  # none of the five roles (superusers only)


@dataclass(frozen=True)
class Access:
    get: frozenset | None
    post: frozenset | None
    objects: dict[str, str] = field(default_factory=dict)
    data: Callable[["World"], dict] | None = None


# URL argument -> the World attribute that fills it (other_<attribute> for another team).
DEFAULT_OBJECTS = {
    "cycle_id": "cycle",
    "objective_id": "objective",
    "key_result_id": "key_result",
    "membership_id": "membership",
    "obstacle_id": "obstacle",
    "experiment_id": "experiment",
    "slug": "team",
    "week": "week",
    "token": "invitation_token",
    "uidb64": "uidb64",
    "endpoint_id": "endpoint",
    "delivery_id": "delivery",
}


def _experiment(world: "World") -> dict:
    return {
        "key_result": world.key_result.pk,
        "belief": "a checklist",
        "outcome": "fewer questions",
        "signal": "tickets drop",
        "status": "running",
        "version": world.experiment.version,
    }


def _key_result(prefix: str) -> Callable[["World"], dict]:
    def data(world: "World") -> dict:
        return {
            f"{prefix}-title": "Invoices sent on day one",
            f"{prefix}-kind": "increase",
            f"{prefix}-start_value": "0",
            f"{prefix}-target_value": "80",
            f"{prefix}-current_value": "10",
            f"{prefix}-unit": "%",
            f"{prefix}-reason": "We learned more.",
            f"{prefix}-version": str(world.key_result.version),
        }

    return data


def _webhook(world: "World") -> dict:
    # A public address literal: saving it needs no DNS (tests/webhooks/ try names).
    return {
        "url": "https://93.184.215.14/hooks/okrs",
        "events": ["checkin.submitted"],
        "format": "standard",
        "description": "Metrics",
        "version": "1",
    }


def _review_until(world: "World") -> dict:
    return {"review_until": (timezone.localdate() + timedelta(days=7)).isoformat()}


def _score(world: "World") -> dict:
    kr = world.key_result
    kr.refresh_from_db()
    return score_post(kr, "0.5", "Half of it came from one customer.")


def _retrospective(world: "World") -> dict:
    return retro_post(learned="Pre-filled invoices get sent.", keep="Weekly check-ins")


_COMPANY_HOOK = {"endpoint_id": "company_endpoint"}


def _token(world: "World") -> dict:
    expires = timezone.localdate() + timedelta(days=30)
    return {"name": "Nightly import", "expires_on": expires.isoformat(), "scope": "write"}


PERMISSIONS: dict[str, Access] = {
    # config
    "home": Access(get=SIGNED_IN, post=None),
    "healthz": Access(get=ANYONE, post=None),
    "set_language": Access(get=ANYONE, post=ANYONE, data=lambda w: {"language": "nl", "next": "/"}),
    "dev-mailbox": Access(get=NOBODY, post=None),
    # sign-in and passwords
    "login": Access(get=ANYONE, post=ANYONE),
    "logout": Access(get=None, post=ANYONE),
    # single sign-on: without OIDC_* (as here) both ends send to the sign-in page;
    # tests/teams/sso/ covers them configured
    "sso-start": Access(get=ANYONE, post=None),
    "sso-callback": Access(get=ANYONE, post=None),
    "password_change": Access(get=SIGNED_IN, post=SIGNED_IN),
    "password_change_done": Access(get=SIGNED_IN, post=None),
    "password_reset": Access(get=ANYONE, post=ANYONE, data=lambda w: {"email": "x@example.com"}),
    "password_reset_done": Access(get=ANYONE, post=None),
    "password_reset_confirm": Access(get=ANYONE, post=ANYONE, objects={"token": "reset_token"}),
    "password_reset_complete": Access(get=ANYONE, post=None),
    # teams
    "teams:team-create": Access(get=LEADERS, post=LEADERS),
    "teams:team-edit": Access(get=LEADERS, post=LEADERS),
    "teams:members": Access(get=MANAGERS, post=MANAGERS),
    "teams:membership-remove": Access(get=None, post=MANAGERS),
    "teams:membership-role": Access(get=None, post=MANAGERS, data=lambda w: {"role": "lead"}),
    "teams:invitation-accept": Access(get=ANYONE, post=ANYONE),
    "teams:settings": Access(get=SIGNED_IN, post=SIGNED_IN),
    "teams:audit-log": Access(get=LEADERS, post=None),
    "teams:sign-in-policy": Access(get=LEADERS, post=LEADERS),
    "teams:schedule": Access(get=MANAGERS, post=MANAGERS),
    # webhooks: the company's (leaders) and each team's (its leads and leaders)
    "webhooks:company": Access(get=LEADERS, post=None),
    "webhooks:company-create": Access(get=LEADERS, post=LEADERS, data=_webhook),
    "webhooks:team": Access(get=MANAGERS, post=None),
    "webhooks:team-create": Access(get=MANAGERS, post=MANAGERS, data=_webhook),
    "webhooks:endpoint": Access(get=MANAGERS, post=None),
    "webhooks:endpoint-edit": Access(get=MANAGERS, post=MANAGERS, data=_webhook),
    "webhooks:endpoint-delete": Access(get=MANAGERS, post=MANAGERS),
    "webhooks:endpoint-test": Access(get=None, post=MANAGERS),
    "webhooks:endpoint-pause": Access(get=None, post=MANAGERS),
    "webhooks:endpoint-resume": Access(get=None, post=MANAGERS),
    "webhooks:delivery-resend": Access(get=None, post=MANAGERS),
    # API tokens (the API's endpoints have a table of their own: tests/api/permissions.py)
    "api-docs": Access(get=SIGNED_IN, post=None),
    "tokens:personal": Access(get=SIGNED_IN, post=SIGNED_IN, data=_token),
    # The world's personal token is the member's: anyone else's revoke finds nothing.
    "tokens:personal-revoke": Access(
        get=None, post=frozenset({"member"}), objects={"token_id": "personal_token"}
    ),
    "tokens:team": Access(get=MANAGERS, post=MANAGERS, data=_token),
    "tokens:team-revoke": Access(get=None, post=MANAGERS, objects={"token_id": "team_token"}),
    # cycles and the company OKR
    "okrs:cycle-list": Access(get=SIGNED_IN, post=None),
    "okrs:cycle-create": Access(get=LEADERS, post=LEADERS),
    "okrs:cycle-detail": Access(get=SIGNED_IN, post=None),
    "okrs:cycle-edit": Access(get=LEADERS, post=LEADERS),
    "okrs:cycle-activate": Access(get=None, post=LEADERS),
    "okrs:cycle-close": Access(get=LEADERS, post=LEADERS, data=lambda w: {"confirm": "yes"}),
    "okrs:company-objective-create": Access(get=LEADERS, post=LEADERS),
    "okrs:objective-edit": Access(get=LEADERS, post=LEADERS),
    # the dashboard (the home page) and the leaders' cycle overview
    "dashboard:cycle-overview": Access(get=LEADERS, post=None),
    # the end of a cycle: review, scores, retrospectives, history, exports
    "okrs:cycle-review-start": Access(get=None, post=LEADERS, data=_review_until),
    "dashboard:cycle-print": Access(get=SIGNED_IN, post=None),
    "dashboard:cycle-export-csv": Access(get=SIGNED_IN, post=None),
    "dashboard:cycle-export-json": Access(get=SIGNED_IN, post=None),
    "okrs:objective-review": Access(get=SIGNED_IN, post=None),
    "okrs:objective-history": Access(get=SIGNED_IN, post=None),
    "okrs:key-result-history": Access(get=SIGNED_IN, post=None),
    "okrs:key-result-score": Access(get=None, post=TEAM_AND_LEADERS, data=_score),
    "okrs:retrospective-edit": Access(get=None, post=TEAM_AND_LEADERS, data=_retrospective),
    "okrs:objective-carry-forward": Access(get=MANAGERS, post=MANAGERS),
    # key results of a team objective (the company's are the leaders' alone)
    "okrs:key-result-create": Access(
        get=TEAM_AND_LEADERS, post=TEAM_AND_LEADERS, data=_key_result("new")
    ),
    "okrs:key-result-edit": Access(
        get=TEAM_AND_LEADERS,
        post=TEAM_AND_LEADERS,
        data=lambda w: _key_result(f"kr{w.key_result.pk}")(w),
    ),
    "okrs:key-result-delete": Access(get=TEAM_AND_LEADERS, post=TEAM_AND_LEADERS),
    "okrs:key-result-move": Access(get=None, post=TEAM_AND_LEADERS),
    "okrs:key-result-record": Access(get=TEAM_AND_LEADERS, post=TEAM_AND_LEADERS),
    # the team objective's workflow
    "okrs:team-list": Access(get=SIGNED_IN, post=None),
    "dashboard:team-detail": Access(get=SIGNED_IN, post=None),
    "okrs:team-objective-create": Access(get=MANAGERS, post=MANAGERS),
    "okrs:team-objective-accept": Access(get=LEADERS, post=LEADERS),
    "okrs:team-objective-decline": Access(get=None, post=LEADERS),
    "okrs:team-objective-submit": Access(get=None, post=TEAM),
    "okrs:team-objective-challenge": Access(get=None, post=LEADERS),
    "okrs:team-objective-commit": Access(get=None, post=LEADERS),
    "okrs:comment-create": Access(
        get=None, post=TEAM_AND_LEADERS, data=lambda w: {"comment-body": "Well done."}
    ),
    # the coach: findings as people type (editors of the objective; a new objective's
    # title, anyone signed in), dismissing one with a reason, and the help page
    "okrs:coach-findings": Access(get=None, post=TEAM_AND_LEADERS),
    "okrs:coach-draft": Access(get=None, post=SIGNED_IN),
    "okrs:coach-dismiss": Access(
        get=None,
        post=TEAM_AND_LEADERS,
        data=lambda w: {"key": f"no_owner:{w.key_result.pk}", "reason": "Shared by the team."},
    ),
    "okrs:writing-help": Access(get=SIGNED_IN, post=None),
    # check-ins, obstacles, experiments
    "checkins:team-section": Access(get=SIGNED_IN, post=None),
    "checkins:current": Access(get=SIGNED_IN, post=None),
    "checkins:week": Access(get=SIGNED_IN, post=None),
    "checkins:save": Access(get=None, post=TEAM, data=lambda w: {"happened": "We shipped."}),
    "checkins:submit": Access(get=None, post=TEAM),
    "checkins:obstacle-create": Access(
        get=None, post=TEAM, data=lambda w: {"obstacle-description": "No data."}
    ),
    "checkins:help-teams": Access(get=TEAM, post=None),
    "checkins:obstacle-focus": Access(get=None, post=TEAM),
    "checkins:obstacle-resolve": Access(get=None, post=TEAM),
    # Answered by the team that was asked for help (Onboarding, by Payments).
    "checkins:obstacle-answer": Access(
        get=None,
        post=TEAM,
        objects={"obstacle_id": "help_request"},
        data=lambda w: {f"answer{w.help_request.pk}-answer": "Ask Kim."},
    ),
    "checkins:experiment-create": Access(get=TEAM, post=TEAM, data=_experiment),
    "checkins:experiment-edit": Access(get=TEAM, post=TEAM, data=_experiment),
    "checkins:unsubscribe": Access(get=ANYONE, post=ANYONE, objects={"token": "unsubscribe_token"}),
    # The same views on the company objective and its key results: leaders only.
    # ("name (variant)": the URL name, on other objects.)
    "okrs:objective-edit (company)": Access(
        get=LEADERS, post=LEADERS, objects={"objective_id": "company_objective"}
    ),
    "okrs:key-result-create (company)": Access(
        get=LEADERS, post=LEADERS, objects={"objective_id": "company_objective"}
    ),
    "okrs:key-result-edit (company)": Access(
        get=LEADERS, post=LEADERS, objects={"key_result_id": "company_key_result"}
    ),
    "okrs:key-result-delete (company)": Access(
        get=LEADERS, post=LEADERS, objects={"key_result_id": "company_key_result"}
    ),
    "okrs:key-result-move (company)": Access(
        get=None, post=LEADERS, objects={"key_result_id": "company_key_result"}
    ),
    "okrs:key-result-record (company)": Access(
        get=LEADERS, post=LEADERS, objects={"key_result_id": "company_key_result"}
    ),
    "okrs:coach-findings (company)": Access(
        get=None, post=LEADERS, objects={"objective_id": "company_objective"}
    ),
    "webhooks:endpoint (company)": Access(get=LEADERS, post=None, objects=_COMPANY_HOOK),
    "webhooks:endpoint-edit (company)": Access(
        get=LEADERS, post=LEADERS, objects=_COMPANY_HOOK, data=_webhook
    ),
    "webhooks:endpoint-delete (company)": Access(get=LEADERS, post=LEADERS, objects=_COMPANY_HOOK),
    "webhooks:endpoint-test (company)": Access(get=None, post=LEADERS, objects=_COMPANY_HOOK),
    "webhooks:endpoint-pause (company)": Access(get=None, post=LEADERS, objects=_COMPANY_HOOK),
    "webhooks:endpoint-resume (company)": Access(get=None, post=LEADERS, objects=_COMPANY_HOOK),
    "webhooks:delivery-resend (company)": Access(
        get=None,
        post=LEADERS,
        objects={**_COMPANY_HOOK, "delivery_id": "company_delivery"},
    ),
    "okrs:coach-dismiss (company)": Access(
        get=None,
        post=LEADERS,
        objects={"objective_id": "company_objective"},
        data=lambda w: {"key": "key_result_count", "reason": "One is enough here."},
    ),
}


def url_name(entry: str) -> str:
    """The URL name of a table entry ("okrs:key-result-edit (company)" -> its URL name)."""
    return entry.split(" ", 1)[0]


@dataclass
class World:
    """A company with two teams: Onboarding (the roles' team) and Payments (another)."""

    team: object
    other_team: object
    cycle: object
    company_objective: object
    company_key_result: object
    objective: object
    key_result: object
    other_objective: object
    other_key_result: object
    membership: object
    other_membership: object
    obstacle: object
    other_obstacle: object
    help_request: object
    other_help_request: object
    experiment: object
    other_experiment: object
    week: str
    invitation_token: str
    unsubscribe_token: str
    uidb64: str
    reset_token: str
    endpoint: object
    other_endpoint: object
    company_endpoint: object
    delivery: object
    other_delivery: object
    company_delivery: object

    @property
    def other_company_endpoint(self):
        return self.company_endpoint

    @property
    def other_company_delivery(self):
        return self.company_delivery

    personal_token: object = None
    other_personal_token: object = None
    team_token: object = None
    other_team_token: object = None

    @property
    def other_cycle(self):
        return self.cycle

    @property
    def other_company_objective(self):
        return self.company_objective

    @property
    def other_company_key_result(self):
        return self.company_key_result

    @property
    def other_week(self):
        return self.week

    @property
    def other_invitation_token(self):
        return self.invitation_token

    @property
    def other_unsubscribe_token(self):
        return self.unsubscribe_token

    @property
    def other_uidb64(self):
        return self.uidb64

    @property
    def other_reset_token(self):
        return self.reset_token

    # Secrets of the other team: a refusal must never show them.
    OTHER_TEAM_SECRETS = (
        "Payments secret objective",
        "Payments secret key result",
        "Payments secret obstacle",
        "Payments secret belief",
        "Payments secret webhook",
    )


def build_world(*, team, lead, member, leader) -> World:
    from checkins.emails import unsubscribe_token
    from checkins.services import this_week
    from okrs.models import Objective
    from okrs.weeks import iso_week_label
    from teams.invitations import invitation_token
    from teams.models import Membership
    from tests.factories import (
        CompanyObjectiveFactory,
        DeliveryFactory,
        EndpointFactory,
        ExperimentFactory,
        InvitationFactory,
        KeyResultFactory,
        MembershipFactory,
        ObstacleFactory,
        TeamFactory,
        TeamObjectiveFactory,
    )
    from tests.fixtures.okrs import cycle_around

    cycle = cycle_around(timezone.localdate(), before=40, after=50)
    company_objective = CompanyObjectiveFactory(cycle=cycle)
    company_key_result = KeyResultFactory(objective=company_objective)
    other_team = TeamFactory(name="Payments", slug="payments")
    other_lead = MembershipFactory(team=other_team, role=Membership.Role.LEAD).user
    other_membership = MembershipFactory(team=other_team)

    def okr(for_team, title, kr_title):
        objective = TeamObjectiveFactory(
            cycle=cycle,
            team=for_team,
            title=title,
            aligned_to=company_key_result,
            state=Objective.State.COMMITTED,
        )
        return objective, KeyResultFactory(objective=objective, title=kr_title)

    objective, key_result = okr(team, "Onboarding objective", "Onboarding key result")
    other_objective, other_key_result = okr(
        other_team, "Payments secret objective", "Payments secret key result"
    )
    obstacle = ObstacleFactory(team=team, description="Our obstacle", raised_by=member)
    other_obstacle = ObstacleFactory(
        team=other_team, description="Payments secret obstacle", raised_by=other_lead
    )
    help_request = ObstacleFactory(
        team=other_team,
        help_team=team,
        description="Payments asks Onboarding",
        raised_by=other_lead,
    )
    other_help_request = ObstacleFactory(
        team=team, help_team=other_team, description="Onboarding asks Payments", raised_by=member
    )

    def experiment(for_team, kr, belief, author):
        return ExperimentFactory(
            team=for_team,
            key_result=kr,
            belief=belief,
            outcome="more invoices",
            signal="the count rises",
            created_by=author,
        )

    invitation = InvitationFactory(team=team, email="invitee@example.com", invited_by=lead)
    endpoint = EndpointFactory(team=team, created_by=lead)
    other_endpoint = EndpointFactory(
        team=other_team, created_by=other_lead, description="Payments secret webhook"
    )
    company_endpoint = EndpointFactory(team=None, created_by=leader)

    def token(user, for_team=None):
        from api.services import token_create

        expires = timezone.localdate() + timedelta(days=30)
        return token_create(
            user=user, name="Nightly import", scope="write", expires_on=expires, team=for_team
        ).token

    return World(
        team=team,
        other_team=other_team,
        cycle=cycle,
        company_objective=company_objective,
        company_key_result=company_key_result,
        objective=objective,
        key_result=key_result,
        other_objective=other_objective,
        other_key_result=other_key_result,
        membership=Membership.objects.get(team=team, user=member),
        other_membership=other_membership,
        obstacle=obstacle,
        other_obstacle=other_obstacle,
        help_request=help_request,
        other_help_request=other_help_request,
        experiment=experiment(team, key_result, "Our belief", member),
        other_experiment=experiment(
            other_team, other_key_result, "Payments secret belief", other_lead
        ),
        week=iso_week_label(this_week()),
        invitation_token=invitation_token(invitation),
        unsubscribe_token=unsubscribe_token(member, "reminder"),
        uidb64="MQ",
        reset_token="set-password",
        endpoint=endpoint,
        other_endpoint=other_endpoint,
        company_endpoint=company_endpoint,
        delivery=DeliveryFactory(endpoint=endpoint),
        other_delivery=DeliveryFactory(endpoint=other_endpoint),
        company_delivery=DeliveryFactory(endpoint=company_endpoint),
        personal_token=token(member),
        other_personal_token=token(other_lead),
        team_token=token(lead, team),
        other_team_token=token(other_lead, other_team),
    )
